//! A real PostgreSQL server for the tests (Debian's `postgresql` package): one per test binary, started on the
//! first use with `initdb` and `pg_ctl` in a temporary folder, listening only on a Unix socket in that folder
//! (no port to collide with anything), and stopped, its folder removed, when the test binary exits (a watchdog
//! process waits for it, so a killed test run leaves nothing behind either). Each test asks for a database of
//! its own ([`database_url`]), so nothing is shared between tests.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: the server then runs as `nobody`, in a folder that
//! user owns (through `runuser`). Used by the library's unit tests and by the integration tests alike.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The superuser `initdb` creates; the tests connect as it, trusted on the socket.
const SUPERUSER: &str = "lore";

/// The port in the socket's name (`.s.PGSQL.5432`); nothing listens on TCP.
const PORT: u16 = 5432;

struct Server {
    /// The folder holding the cluster (`data/`) and the socket.
    dir: PathBuf,
    bin: PathBuf,
    /// The user the server and its tools run as when the tests run as root.
    run_as: Option<&'static str>,
}

/// A fresh, empty database on the tests' PostgreSQL server: its `postgres://` URL. Panics with what to install
/// when PostgreSQL is missing.
pub fn database_url() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let server = server();
    let name = format!("t{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let output = server
        .command("createdb")
        .args(["-h", &server.socket_dir(), "-p", &PORT.to_string(), "-U", SUPERUSER, &name])
        .output()
        .expect("createdb runs");
    assert!(output.status.success(), "createdb {name} failed: {}", String::from_utf8_lossy(&output.stderr));
    server.url(&name)
}

// A socket folder as the host of a URL: PostgreSQL's clients read a host starting with `/` as one.
fn encode_path(path: &str) -> String {
    path.replace('%', "%25").replace('/', "%2F")
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(Server::start)
}

impl Server {
    fn start() -> Server {
        let bin = find_bin_dir().unwrap_or_else(|| {
            panic!("PostgreSQL's initdb was not found: install Debian's postgresql package (scripts/test does)")
        });
        // SAFETY: geteuid has no preconditions.
        let is_root = unsafe { libc::geteuid() } == 0;
        let run_as = is_root.then_some("nobody");
        // Under /tmp, not the test's TMPDIR: the socket's path must stay short, and `nobody` must reach it.
        let dir = tempfile::Builder::new().prefix("lore-pg-").tempdir_in("/tmp").expect("a temporary folder").keep();
        if let Some(user) = run_as {
            let output = Command::new("chown").args([user, &dir.display().to_string()]).output().expect("chown runs");
            assert!(
                output.status.success(),
                "chown {user} {}: {}",
                dir.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let server = Server { dir, bin, run_as };
        let data = server.data_dir();
        let output = server
            .command("initdb")
            .args(["-D", &data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .output()
            .expect("initdb runs");
        assert!(output.status.success(), "initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -p {PORT} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB",
            server.socket_dir()
        );
        let log = server.dir.join("server.log").display().to_string();
        let output = server
            .command("pg_ctl")
            .args(["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"])
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        server.watch_for_exit();
        server
    }

    // Stops the server and removes its folder once this process has gone, however it went.
    fn watch_for_exit(&self) {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; '{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; \
             rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.data_dir(),
            dir = self.dir.display(),
        );
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--", "sh", "-c", &script]);
                command
            }
            None => {
                let mut command = Command::new("sh");
                command.args(["-c", &script]);
                command
            }
        };
        // Its own process group, so a Ctrl-C meant for the tests does not stop the server before they end.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        // Never waited for: it outlives this process on purpose, and init reaps it.
        #[allow(clippy::zombie_processes)]
        let _watchdog =
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("sh runs");
    }

    fn data_dir(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn socket_dir(&self) -> String {
        self.dir.display().to_string()
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@{}:{PORT}/{database}", encode_path(&self.socket_dir()))
    }

    // One of PostgreSQL's programs, run as the server's user.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path).current_dir("/");
                command
            }
            None => Command::new(path),
        }
    }
}

// Debian keeps the server's programs out of the PATH, in /usr/lib/postgresql/<version>/bin; the newest wins.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let on_path = std::env::var_os("PATH")?;
    std::env::split_paths(&on_path).find(|dir| Path::new(dir).join("initdb").exists() && dir.join("pg_ctl").exists())
}

/// Runs SQL on a database of the tests' server with `psql`; returns what it printed (unaligned, tuples only).
pub fn psql(url: &str, sql: &str) -> String {
    let output = Command::new(server().bin.join("psql"))
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "psql {sql:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
