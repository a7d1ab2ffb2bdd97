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
    /// Check a wiki folder (a clone) for problems: front matter, broken links, duplicate titles, paths.
    Check(CheckArgs),
    /// Manage accounts (local mode): add, passwd, role, groups, disable, enable, list.
    User {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal tokens: create, list, revoke.
    Token {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a backup of the data folder into DEST, a new folder: the wiki (a git bundle of every ref), the state
    /// database, the secret key and lore.yaml, with a manifest of SHA-256 checksums. The server keeps running.
    Backup {
        /// The folder to create (it must not exist, or be empty).
        dest: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Build a working data folder from a backup, after checking every file against its manifest.
    Restore {
        /// The backup folder (made by `lore backup`).
        src: PathBuf,
        /// The data folder to build (it must not exist, or be empty).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// For a backup of a PostgreSQL state: the new, empty database to load it into
        /// (postgres://user:password@host:port/database).
        #[arg(long, value_name = "URL")]
        state: Option<String>,
    },
    /// Send the e-mail digests that are due now (for cron or a systemd timer; the server also sends them at
    /// mail.digest_hour). Each digest goes once, however often this runs.
    Digest(DataArgs),
    /// Run a git hook (Lore's installed hooks call these; not for people).
    #[command(subcommand, hide = true)]
    Hook(HookCommand),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The folder to check [default: the current folder].
    dir: Option<PathBuf>,
    /// Largest Markdown file allowed, in bytes.
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    max_page_bytes: u64,
    /// Largest other file allowed, in bytes.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    max_file_bytes: u64,
}

#[derive(Subcommand)]
enum HookCommand {
    /// Validate a push (reads `<old> <new> <ref>` lines on standard input).
    PreReceive {
        #[arg(long)]
        branch: String,
        #[arg(long)]
        max_page_bytes: u64,
        #[arg(long)]
        max_file_bytes: u64,
    },
    /// Tell the running Lore the branch moved.
    PostReceive,
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
    /// Serve open mode (anyone may edit) on a non-loopback address; pages then show a banner.
    #[arg(long)]
    allow_open: bool,
    /// The people-state database: postgres://user:password@host:port/database [default: <data>/lore.db].
    #[arg(long, value_name = "URL", env = "LORE_STATE")]
    state: Option<String>,
    /// Serve as a replica of the primary at this address (http://primary:8080): mirror its repository, serve
    /// reads, forward writes. Needs cluster_token and state in lore.yaml.
    #[arg(long, value_name = "URL")]
    replica_of: Option<String>,
}

/// Where the state database (`<data>/lore.db`) lives: `<data>` from the settings file or the flag.
#[derive(clap::Args)]
struct DataArgs {
    /// Settings file (YAML) [default: ./lore.yaml when it exists].
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Folder for Lore's data [default: ./lore-data].
    #[arg(long, value_name = "DIR", global = true)]
    data: Option<PathBuf>,
    /// The people-state database: postgres://user:password@host:port/database [default: <data>/lore.db].
    #[arg(long, value_name = "URL", global = true, env = "LORE_STATE")]
    state: Option<String>,
}

impl DataArgs {
    /// The settings file in use: `--config`, else `./lore.yaml` when it exists.
    fn settings_file(&self) -> Option<PathBuf> {
        self.config.clone().or_else(|| Some(PathBuf::from("lore.yaml")).filter(|it| it.exists()))
    }

    fn config(&self) -> anyhow::Result<Config> {
        let args = ServeArgs {
            config: self.config.clone(),
            listen: None,
            data: self.data.clone(),
            repo: None,
            branch: None,
            theme: None,
            site_title: None,
            allow_open: false,
            state: self.state.clone(),
            replica_of: None,
        };
        args.into_config()
    }

    fn accounts(&self) -> anyhow::Result<lore::auth::Accounts> {
        let config = self.config()?;
        lore::auth::Accounts::open_at(&config.data, &config.state_location())
            .with_context(|| format!("opening the state database of {}", config.data.display()))
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account (asks for its password; --password-stdin reads it from standard input).
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// reader, editor or admin [default: the settings' default_role].
        #[arg(long)]
        role: Option<String>,
        /// Groups, comma-separated (for folder rules).
        #[arg(long, default_value = "")]
        groups: String,
        #[arg(long)]
        password_stdin: bool,
        /// Create the account without a password (proxy mode, or tokens only).
        #[arg(long, conflicts_with = "password_stdin")]
        no_password: bool,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's e-mail address (what its edits are signed with; no other account may have it).
    Email { username: String, email: String },
    /// Change an account's role.
    Role { username: String, role: String },
    /// Set an account's groups (comma-separated; empty for none).
    Groups { username: String, groups: String },
    /// Disable an account: no logins, its sessions and tokens stop working.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal token for git and the API; prints it once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
    },
    /// List tokens (of one account, or all).
    List { username: Option<String> },
    /// Revoke a token by its id (it stops working at once).
    Revoke { id: String },
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
        config.auth.allow_open |= self.allow_open;
        if let Some(url) = &self.state {
            config.state = Some(lore::state::PostgresUrl::parse(url)?);
        }
        if let Some(url) = &self.replica_of {
            config.replica_of = Some(lore::config::PrimaryUrl::parse(url)?);
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
        Command::User { data, command } => user_command(&data, command),
        Command::Token { data, command } => token_command(&data, command),
        Command::Digest(data) => digest(&data),
        Command::Backup { dest, data } => backup(&dest, &data),
        Command::Restore { src, data, state } => restore(&src, &data, state.as_deref()),
        Command::Check(args) => check(args),
        Command::Hook(HookCommand::PreReceive { branch, max_page_bytes, max_file_bytes }) => {
            let store = lore::store::Store::open_from_env(&branch)
                .context("opening the repository from the hook's environment")?;
            let updates = lore::hooks::read_updates(std::io::stdin().lock()).context("reading the pushed refs")?;
            let limits = lore::check::Limits { max_page_bytes, max_file_bytes };
            let problems = lore::hooks::check_push(&store, &updates, &branch, limits).context("checking the push")?;
            for problem in &problems {
                eprintln!("lore: {problem}");
            }
            if problems.iter().any(|it| it.severity == lore::check::Severity::Error) {
                eprintln!("lore: push rejected; nothing was changed.");
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Hook(HookCommand::PostReceive) => {
            let mut updates = String::new();
            let _ = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut updates);
            lore::hooks::notify_server(&updates);
            Ok(())
        }
        Command::Serve(args) => {
            let config = args.into_config()?;
            lore::memory::limit_malloc_arenas();
            lore::memory::return_freed_memory_regularly();
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let res = runtime.block_on(async {
                let server = lore::web::Server::bind(config).await.context("starting the server")?;
                server.run().await.context("serving")
            });
            // `run` has waited for the requests under way; work it gave up on (past its deadline) is not waited
            // for again.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            res
        }
    }
}

fn user_command(data: &DataArgs, command: UserCommand) -> anyhow::Result<()> {
    let accounts = data.accounts()?;
    match command {
        UserCommand::Add { username, name, email, role, groups, password_stdin, no_password } => {
            let role = match role {
                Some(role) => role.parse()?,
                None => {
                    let args = ServeArgs {
                        config: data.config.clone(),
                        listen: None,
                        data: data.data.clone(),
                        repo: None,
                        branch: None,
                        theme: None,
                        site_title: None,
                        allow_open: false,
                        state: data.state.clone(),
                        replica_of: None,
                    };
                    args.into_config()?.auth.default_role
                }
            };
            let password = if no_password { None } else { Some(read_password(password_stdin)?) };
            let groups = groups.split(',').map(|it| it.trim().to_string()).filter(|it| !it.is_empty()).collect();
            accounts.add_user(lore::auth::NewUser {
                username: username.clone(),
                name,
                email,
                role,
                groups,
                password,
            })?;
            eprintln!("Added {username} ({}).", role.as_str());
        }
        UserCommand::Passwd { username, password_stdin } => {
            let password = read_password(password_stdin)?;
            accounts.set_password(&username, &password)?;
            eprintln!("Password changed; {username}'s sessions have ended.");
        }
        UserCommand::Email { username, email } => accounts.set_email(&username, &email)?,
        UserCommand::Role { username, role } => accounts.set_role(&username, role.parse()?)?,
        UserCommand::Groups { username, groups } => {
            accounts.set_groups(&username, groups.split(',').map(|it| it.trim().to_string()).collect())?
        }
        UserCommand::Disable { username } => {
            accounts.set_disabled(&username, true)?;
            eprintln!("Disabled {username}: sessions ended, tokens stop working.");
        }
        UserCommand::Enable { username } => accounts.set_disabled(&username, false)?,
        UserCommand::List => {
            for user in accounts.users()? {
                let status = if user.disabled { " (disabled)" } else { "" };
                println!(
                    "{}\t{}\t{} <{}>\t{}{status}",
                    user.username,
                    user.role.as_str(),
                    user.name,
                    user.email,
                    user.groups.join(",")
                );
            }
        }
    }
    Ok(())
}

fn backup(dest: &std::path::Path, data: &DataArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let config = data.config()?;
    let settings = data.settings_file();
    eprintln!("Backing up {} into {}:", config.data.display(), dest.display());
    let manifest =
        lore::backup::create(&config, settings.as_deref(), dest, git_progress(), &mut |line| eprintln!("{line}"))
            .with_context(|| format!("backing up into {}", dest.display()))?;
    let bytes: u64 = manifest.files.iter().map(|it| it.bytes).sum();
    eprintln!(
        "Done in {:.1} s: {} files and the manifest, {bytes} bytes.",
        started.elapsed().as_secs_f64(),
        manifest.files.len()
    );
    Ok(())
}

fn restore(src: &std::path::Path, data_dir: &std::path::Path, state: Option<&str>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let state = state.map(lore::state::PostgresUrl::parse).transpose()?;
    eprintln!("Restoring {} into {}:", src.display(), data_dir.display());
    let manifest =
        lore::backup::restore(src, data_dir, state.as_ref(), git_progress(), &mut |line| eprintln!("{line}"))
            .with_context(|| format!("restoring {}", src.display()))?;
    eprintln!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    let settings = data_dir.join("lore.yaml");
    let state_arg = state.as_ref().map(|it| format!(" --state {}", it.redacted())).unwrap_or_default();
    if manifest.files.iter().any(|it| it.name == "lore.yaml") {
        eprintln!("Start it with: lore serve --config {} --data {}{state_arg}", settings.display(), data_dir.display());
        let restored = lore::config::Config::load(&settings).ok();
        if let (Some(url), Some(named)) = (&state, restored.as_ref().and_then(|it| it.state.as_ref()))
            && url != named
        {
            eprintln!(
                "Note: {} names the state database {}; the restored one is {}: change state: or pass --state.",
                settings.display(),
                named.redacted(),
                url.redacted()
            );
        }
        if restored.is_some_and(|it| it.repo.is_some()) {
            eprintln!(
                "Note: {} names a repository (repo:); the restored one is {}: remove the repo: key to serve it.",
                settings.display(),
                data_dir.join("wiki.git").display()
            );
        }
    } else {
        eprintln!("Start it with: lore serve --data {}{state_arg}", data_dir.display());
    }
    Ok(())
}

// Git draws its own progress when someone watches.
fn git_progress() -> lore::store::GitProgress {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        lore::store::GitProgress::Shown
    } else {
        lore::store::GitProgress::Quiet
    }
}

fn digest(data: &DataArgs) -> anyhow::Result<()> {
    let config = data.config()?;
    let auth = lore::auth::Auth::open_at(&config.auth, &config.data, &config.state_location())
        .with_context(|| format!("opening the state database of {}", config.data.display()))?;
    // Digests speak each recipient's language, with the messages of the theme the server uses.
    let messages = std::sync::Arc::new(lore::i18n::Messages::load(config.theme.as_deref())?);
    let delivery = lore::delivery::Delivery::new(&config, std::sync::Arc::new(auth), &config.site_url(), messages)?;
    let report = delivery.send_due_digests()?;
    eprintln!(
        "Sent {} digests; {} people had nothing new; {} failed (tried again on the next run).",
        report.n_sent, report.n_empty, report.n_failed
    );
    if report.n_failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn token_command(data: &DataArgs, command: TokenCommand) -> anyhow::Result<()> {
    let accounts = data.accounts()?;
    match command {
        TokenCommand::Create { username, name } => {
            let (id, token) = accounts.create_token(&username, &name)?;
            eprintln!("Token {id} for {username}. Copy it now: it is not shown again.");
            println!("{token}");
        }
        TokenCommand::List { username } => {
            for token in accounts.tokens(username.as_deref())? {
                let used = token.last_used_at.map_or("never".to_string(), |it| it.to_string());
                println!(
                    "{}\t{}\t{}\tcreated {}\tlast used {used}",
                    token.id, token.username, token.name, token.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            accounts.revoke_token(&id)?;
            eprintln!("Revoked {id}.");
        }
    }
    Ok(())
}

// One line from standard input (for scripts), or asked twice on the terminal without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(first == second, "the passwords do not match");
    Ok(first)
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
    eprintln!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

fn draw_progress(label: &str, done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
    eprint!("\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH - filled));
    if done == total {
        eprintln!();
    }
}

fn check(args: CheckArgs) -> anyhow::Result<()> {
    let root = args.dir.unwrap_or_else(|| PathBuf::from("."));
    let mut files = std::collections::BTreeMap::new();
    collect_files(&root, &root, &mut files).with_context(|| format!("reading {}", root.display()))?;
    let limits = lore::check::Limits { max_page_bytes: args.max_page_bytes, max_file_bytes: args.max_file_bytes };
    let problems = lore::check::check_tree(&files, limits);
    for problem in &problems {
        println!("{problem}");
    }
    let n_errors = problems.iter().filter(|it| it.severity == lore::check::Severity::Error).count();
    let n_warnings = problems.len() - n_errors;
    eprintln!("{} files checked: {n_errors} errors, {n_warnings} warnings", files.len());
    if n_errors > 0 {
        std::process::exit(1);
    }
    Ok(())
}

// Every file below `dir` except git's own folder, by path relative to `root` with `/` separators.
fn collect_files(
    root: &std::path::Path,
    dir: &std::path::Path,
    files: &mut std::collections::BTreeMap<String, Vec<u8>>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if entry.file_name() == ".git" || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            collect_files(root, &path, files)?;
        } else if kind.is_file() {
            let relative = path.strip_prefix(root).expect("walked below the root").to_string_lossy().replace('\\', "/");
            files.insert(relative, std::fs::read(&path)?);
        }
    }
    Ok(())
}
