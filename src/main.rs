//! The `lore` command line: `lore serve` and friends.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lore::config::Config;

/// Lore: a knowledge base that lives in git.
#[derive(Parser)]
#[command(name = "lore", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the wiki over HTTP (first run: creates ./lore-data/wiki.git with the starter content).
    Serve(ServeArgs),
    /// Rebuild the history and search indexes from scratch, with progress (the server must be stopped).
    Reindex(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Settings file (YAML); flags given here override it. Default: ./lore.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Folder for Lore's data: the managed wiki.git and indexes [default: ./lore-data].
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Serve this existing git repository (bare or not) instead of <data>/wiki.git.
    #[arg(long, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// Branch to serve [default: the repository's HEAD].
    #[arg(long, value_name = "NAME")]
    branch: Option<String>,
    /// Theme folder whose templates/ and static/ files override the built-in theme, file by file.
    #[arg(long, value_name = "DIR")]
    theme: Option<PathBuf>,
    /// Site name shown in the header and window title [default: Lore].
    #[arg(long, value_name = "TITLE")]
    site_title: Option<String>,
}

impl ServeArgs {
    fn into_config(self) -> anyhow::Result<Config> {
        let default_file = PathBuf::from("lore.yaml");
        let mut config = match (&self.config, default_file.exists()) {
            (Some(path), _) => Config::load(path).with_context(|| format!("reading {}", path.display()))?,
            (None, true) => Config::load(&default_file).context("reading lore.yaml")?,
            (None, false) => Config::default(),
        };
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(data) = self.data {
            config.data = data;
        }
        config.repo = self.repo.or(config.repo);
        config.branch = self.branch.or(config.branch);
        config.theme = self.theme.or(config.theme);
        if let Some(site_title) = self.site_title {
            config.site_title = site_title;
        }
        Ok(config)
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "lore=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Reindex(args) => reindex(args.into_config()?),
        Command::Serve(args) => {
            let config = args.into_config()?;
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(async {
                let server = lore::web::Server::bind(config).await.context("starting the server")?;
                server.run().await.context("serving")
            })
        }
    }
}

fn reindex(config: lore::config::Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let index_dir = config.data.join("index");
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir).with_context(|| format!("removing {}", index_dir.display()))?;
    }
    let site = lore::site::Site::open(config).context("opening the wiki")?;
    eprintln!("Indexing history…");
    site.build_change_index().context("indexing history")?;
    let mut last_drawn = std::time::Instant::now() - std::time::Duration::from_secs(1);
    site.rebuild_search(&mut |done, total| {
        if done == total || last_drawn.elapsed().as_millis() >= 100 {
            draw_progress("Indexing pages", done, total);
            last_drawn = std::time::Instant::now();
        }
    })
    .context("building the search index")?;
    eprintln!();
    eprintln!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

fn draw_progress(label: &str, done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
    eprint!("\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH - filled));
}
