//! Shared helpers for the integration tests: a throwaway git repository with authored commits
//! ([`Fixture`]), a Lore server on a free loopback port ([`TestWiki`]), the `lore` binary as a child
//! process ([`LoreProcess`]), small readers for the HTML Lore answers, and a browser without JavaScript
//! ([`browser::Browser`]).
//!
//! Every test builds its own repository in its own temporary folder: nothing is shared between tests.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod browser;
pub mod postgres;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use lore::config::Config;
use reqwest::header::HeaderMap;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long to wait for something that happens in the background (the change index, a server start).
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Runs `attempt` again and again until `done` holds for its result or [`PATIENCE`] has passed; returns the
/// last result.
pub async fn retry_until<T>(mut attempt: impl AsyncFnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let started = Instant::now();
    loop {
        let res = attempt().await;
        if done(&res) || started.elapsed() > PATIENCE {
            return res;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A commit author.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub name: &'static str,
    pub email: &'static str,
}

pub const ANN: Author = Author { name: "Ann Author", email: "ann@example.com" };
pub const BOB: Author = Author { name: "Bob Builder", email: "bob@example.com" };

/// Runs `git` with `args` in `dir`, isolated from the machine's git configuration. Panics with git's
/// output when it fails; returns its standard output, trimmed.
#[track_caller]
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().expect("git is installed");
    assert!(
        output.status.success(),
        "git {args:?} in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A `git` command in `dir` that ignores the user's and the system's configuration.
pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// A non-bare git repository in a temporary folder, built file by file with real commits.
pub struct Fixture {
    dir: TempDir,
    work_tree: PathBuf,
}

impl Fixture {
    /// An empty repository whose HEAD is `main`.
    pub fn new() -> Fixture {
        Fixture::with_initial_branch("main")
    }

    /// An empty repository whose HEAD is `branch`.
    pub fn with_initial_branch(branch: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let work_tree = dir.path().join("work");
        std::fs::create_dir(&work_tree).expect("create the work tree");
        git_in(&work_tree, &["init", "--quiet", "-b", branch]);
        Fixture { dir, work_tree }
    }

    /// A repository holding `files`, committed by Ann in one commit.
    pub fn with_files(files: &[(&str, &str)]) -> Fixture {
        let fixture = Fixture::new();
        for (path, content) in files {
            fixture.write(path, content);
        }
        fixture.commit(ANN, "Add fixture pages");
        fixture
    }

    /// Writes a file into the work tree (not yet committed).
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Fixture {
        let full = self.work_tree.join(path);
        std::fs::create_dir_all(full.parent().expect("a file has a folder")).expect("create folders");
        std::fs::write(&full, content).expect("write a fixture file");
        self
    }

    /// Commits everything in the work tree as `author`; returns the commit id.
    #[track_caller]
    pub fn commit(&self, author: Author, message: &str) -> String {
        self.commit_dated(author, message, "now")
    }

    /// Commits everything in the work tree as `author` at `date` (anything `git commit --date` takes,
    /// such as `3 days ago`); returns the commit id.
    #[track_caller]
    pub fn commit_dated(&self, author: Author, message: &str, date: &str) -> String {
        self.git(&["add", "--all"]);
        let name = format!("user.name={}", author.name);
        let email = format!("user.email={}", author.email);
        let date = format!("--date={date}");
        self.git(&["-c", &name, "-c", &email, "commit", "--quiet", "--allow-empty", &date, "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs git in the work tree.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        git_in(&self.work_tree, args)
    }

    /// The work tree of the repository.
    pub fn work_tree(&self) -> &Path {
        &self.work_tree
    }

    /// The temporary folder holding the repository (and anything else a test puts there).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A bare clone of the repository (all branches), beside the work tree.
    pub fn bare_clone(&self) -> PathBuf {
        let bare = self.dir.path().join("bare.git");
        git_in(self.dir.path(), &["clone", "--quiet", "--bare", "work", "bare.git"]);
        bare
    }

    /// Serves the work tree's repository with the default settings.
    pub async fn serve(self) -> TestWiki {
        self.serve_with(|_| {}).await
    }

    /// Serves the work tree's repository; `configure` adjusts the settings first.
    pub async fn serve_with(self, configure: impl FnOnce(&mut Config)) -> TestWiki {
        let repo = self.work_tree.clone();
        self.serve_repo(&repo, configure).await
    }

    /// Serves a bare clone of the repository.
    pub async fn serve_bare(self) -> TestWiki {
        let bare = self.bare_clone();
        self.serve_repo(&bare, |_| {}).await
    }

    async fn serve_repo(self, repo: &Path, configure: impl FnOnce(&mut Config)) -> TestWiki {
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: self.dir.path().join("data"),
            repo: Some(repo.to_path_buf()),
            ..Config::default()
        };
        configure(&mut config);
        TestWiki::start(self.dir, config).await
    }
}

/// A Lore server running inside the test's runtime, with the repository it serves.
pub struct TestWiki {
    dir: TempDir,
    /// The served repository's git folder (`.git` of a work tree, or the bare repository).
    pub git_dir: PathBuf,
    /// The full name of the served branch, e.g. `refs/heads/main`.
    pub branch_ref: String,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    /// A client that does not follow redirects, so tests see them.
    pub client: reqwest::Client,
    server: tokio::task::JoinHandle<lore::Result<()>>,
}

impl Drop for TestWiki {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestWiki {
    /// A wiki whose repository Lore manages: created under the data folder and seeded with the starter content.
    pub async fn managed() -> TestWiki {
        TestWiki::managed_with(|_| {}).await
    }

    /// A managed wiki; `configure` adjusts the settings first.
    pub async fn managed_with(configure: impl FnOnce(&mut Config)) -> TestWiki {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: dir.path().join("data"),
            ..Config::default()
        };
        configure(&mut config);
        TestWiki::start(dir, config).await
    }

    /// A wiki serving a repository holding `files`, committed by Ann.
    pub async fn with_files(files: &[(&str, &str)]) -> TestWiki {
        Fixture::with_files(files).serve().await
    }

    /// Serves `config` as it is (its `listen`, `data` and `repo`); `dir` is kept for as long as the wiki lives.
    pub async fn serve_config(dir: TempDir, config: Config) -> TestWiki {
        TestWiki::start(dir, config).await
    }

    async fn start(dir: TempDir, config: Config) -> TestWiki {
        let repo_path = config.repo_path();
        let branch = config.branch.clone();
        let server = lore::web::Server::bind(config).await.expect("the server starts");
        let addr = server.local_addr();
        let server = tokio::spawn(server.run());
        let git_dir = PathBuf::from(git_in(&repo_path, &["rev-parse", "--absolute-git-dir"]));
        let branch_ref = match branch {
            Some(name) if name.starts_with("refs/") => name,
            Some(name) => format!("refs/heads/{name}"),
            None => git_in(&git_dir, &["symbolic-ref", "HEAD"]),
        };
        let client = http_client();
        TestWiki { dir, git_dir, branch_ref, addr, base_url: format!("http://{addr}"), client, server }
    }

    /// The temporary folder holding the repository and the data folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The data folder (`<root>/data`, where both `managed_with` and `serve_with` put it unless `configure`
    /// moved it): accounts, sessions and indexes.
    pub fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    /// `GET path` (which starts with `/`).
    pub async fn get(&self, path: &str) -> Reply {
        let res = self.client.get(self.url(path)).send().await.unwrap_or_else(|err| panic!("GET {path}: {err}"));
        Reply::read(res).await
    }

    /// `GET path`, again and again until `done` holds for the answer (the change index builds in the background).
    pub async fn get_until(&self, path: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        retry_until(async || self.get(path).await, done).await
    }

    /// `GET /-/api/pages/<path>` as JSON, once the change index knows who last edited the page.
    pub async fn get_page_json(&self, path: &str) -> Reply {
        self.get_until(&format!("/-/api/pages/{path}"), |reply| {
            reply.status != 200 || reply.json().get("updated_by").is_some_and(|it| !it.is_null())
        })
        .await
    }

    /// `PUT /-/api/pages/<path>` with a JSON body and, when given, `If-Match: "<blob>"`.
    pub async fn put_page(&self, path: &str, body: &serde_json::Value, if_match: Option<&str>) -> Reply {
        let mut request = self.client.put(self.url(&format!("/-/api/pages/{path}"))).json(body);
        if let Some(blob) = if_match {
            request = request.header("If-Match", format!("\"{blob}\""));
        }
        let res = request.send().await.unwrap_or_else(|err| panic!("PUT {path}: {err}"));
        Reply::read(res).await
    }

    /// A request with any method, body and headers.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a valid method");
        let mut request = self.client.request(method, self.url(path)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let res = request.send().await.unwrap_or_else(|err| panic!("{path}: {err:?}"));
        Reply::read(res).await
    }

    /// Sends `GET target` byte for byte over a plain TCP connection, so no client normalises the path
    /// (`/../x`, `%2e%2e`, backslashes) before the server sees it.
    pub async fn raw_get(&self, target: &str) -> Reply {
        raw_request(self.addr, &format!("GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr))
            .await
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Runs git against the served repository.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let git_dir = format!("--git-dir={}", self.git_dir.display());
        let mut all = vec![git_dir.as_str()];
        all.extend_from_slice(args);
        git_in(self.dir.path(), &all)
    }

    /// The commit the served branch points at.
    #[track_caller]
    pub fn head(&self) -> String {
        self.git(&["rev-parse", &self.branch_ref])
    }

    /// How many commits the served branch has.
    #[track_caller]
    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", &self.branch_ref]).parse().expect("a count")
    }

    /// The blob id of `path` at the head of the served branch.
    #[track_caller]
    pub fn blob_at_head(&self, path: &str) -> String {
        self.git(&["rev-parse", &format!("{}:{path}", self.branch_ref)])
    }

    /// The content of `path` at the head of the served branch.
    #[track_caller]
    pub fn file_at_head(&self, path: &str) -> String {
        self.git(&["show", &format!("{}:{path}", self.branch_ref)])
    }

    /// Asserts that the branch still points at `head` and that the repository is intact.
    #[track_caller]
    pub fn assert_untouched(&self, head: &str) {
        assert_eq!(self.head(), head, "the branch moved");
        self.git(&["fsck", "--no-progress"]);
    }
}

/// A whole HTTP answer, read into memory.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// Reads a whole answer.
    pub async fn read(res: reqwest::Response) -> Reply {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().await.expect("the body arrives").to_vec();
        Reply { status, headers, body }
    }

    /// The body as text (lossily, so a test can always print it).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("expected JSON ({err}), got {}: {}", self.status, self.text()))
    }

    /// A header's value, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|it| String::from_utf8_lossy(it.as_bytes()).into_owned())
    }

    /// The `Content-Type` header, or `""`.
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts an `{error, detail}` JSON error with a 4xx status.
    #[track_caller]
    pub fn assert_json_error(&self) {
        assert!((400..500).contains(&self.status), "expected a 4xx status, got {}: {}", self.status, self.text());
        assert!(
            self.content_type().starts_with("application/json"),
            "expected JSON, got {:?}: {}",
            self.content_type(),
            self.text()
        );
        let json = self.json();
        assert!(json["error"].is_string(), "no `error` in {json}");
        assert!(json["detail"].is_string(), "no `detail` in {json}");
    }
}

/// Sends a raw HTTP/1.1 request and reads the whole answer (the request must ask to close the connection).
pub async fn raw_request(addr: SocketAddr, request: &str) -> Reply {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await?;
        std::io::Result::Ok(bytes)
    };
    let bytes = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .unwrap_or_else(|_| panic!("no answer to {request:?}"))
        .unwrap_or_else(|err| panic!("sending {request:?}: {err}"));
    parse_response(&bytes)
        .unwrap_or_else(|| panic!("not an HTTP answer to {request:?}: {:?}", String::from_utf8_lossy(&bytes)))
}

/// Parses a whole HTTP/1.1 answer (head and body, chunked or not); `None` when it is not one.
pub fn parse_response(bytes: &[u8]) -> Option<Reply> {
    let head_end = bytes.windows(4).position(|it| it == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        headers.append(name, value.trim().parse().ok()?);
    }
    let raw_body = &bytes[head_end + 4..];
    let chunked = headers.get("transfer-encoding").is_some_and(|it| it.as_bytes().eq_ignore_ascii_case(b"chunked"));
    let body = if chunked { decode_chunked(raw_body)? } else { raw_body.to_vec() };
    Some(Reply { status, headers, body })
}

fn decode_chunked(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut res = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|it| it == b"\r\n")?;
        let size_text = std::str::from_utf8(&bytes[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return Some(res);
        }
        res.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}

/// The `lore` binary, started as a child process; killed when dropped.
pub struct LoreProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl LoreProcess {
    /// Runs `lore serve --listen 127.0.0.1:PORT <args>` in `cwd` and waits until it says it is listening.
    pub fn serve(cwd: &Path, args: &[&str]) -> LoreProcess {
        LoreProcess::serve_at(cwd, free_loopback_addr(), args)
    }

    /// Runs `lore serve --listen <listen> <args>` in `cwd` and waits until it says it is listening. An
    /// unspecified address (`0.0.0.0:PORT`) is reached through loopback: `base_url` is `http://127.0.0.1:PORT`.
    pub fn serve_at(cwd: &Path, listen: SocketAddr, args: &[&str]) -> LoreProcess {
        let addr =
            if listen.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], listen.port())) } else { listen };
        let listen = listen.to_string();
        let mut all = vec!["serve", "--listen", listen.as_str()];
        all.extend_from_slice(args);
        let mut child = lore_command(cwd, &all)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lore binary starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let reader = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let log = stderr.clone();
        // Keep reading after the ready line so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                // The address it listens on, as it says (the real port when it was asked for port 0).
                let ready = line
                    .split("listening on http://")
                    .nth(1)
                    .and_then(|it| it.split_whitespace().next())
                    .and_then(|it| it.parse::<SocketAddr>().ok());
                log.lock().expect("log lock").push_str(&format!("{line}\n"));
                if let Some(listening) = ready {
                    let _ = ready_tx.send(listening);
                }
            }
        });
        let started = Instant::now();
        let addr = loop {
            if let Ok(listening) = ready_rx.recv_timeout(Duration::from_millis(100)) {
                break if addr.port() == 0 { SocketAddr::from(([127, 0, 0, 1], listening.port())) } else { addr };
            }
            if let Some(status) = child.try_wait().expect("the child can be polled") {
                std::thread::sleep(Duration::from_millis(200));
                panic!("lore {all:?} exited with {status} before listening:\n{}", stderr.lock().expect("log lock"));
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("lore {all:?} did not say it was listening:\n{}", stderr.lock().expect("log lock"));
            }
        };
        LoreProcess { child, base_url: format!("http://{addr}"), addr, stderr }
    }

    /// The process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `within` for the process to exit by itself; its exit status, or `None` if it still runs.
    pub fn wait_for_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be polled") {
                return Some(status);
            }
            if started.elapsed() > within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the process has written to stderr so far.
    pub fn log(&self) -> String {
        self.stderr.lock().expect("log lock").clone()
    }

    /// Stops the process and waits for it to exit.
    pub fn stop(mut self) {
        self.kill();
    }

    /// Asks the process to stop, as a service manager does: SIGTERM.
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a process id fits pid_t");
        // SAFETY: kill only sends a signal, to the child this value owns (not yet waited for, so not reused).
        let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(sent, 0, "SIGTERM could not be sent: {}", std::io::Error::last_os_error());
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LoreProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `lore` binary as a command, run in `cwd` with plain logs.
pub fn lore_command(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lore"));
    command.current_dir(cwd).args(args).env("NO_COLOR", "1").env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// Runs the `lore` binary to completion (for `--help` and start-up errors), with a time limit.
pub fn run_lore(cwd: &Path, args: &[&str]) -> Output {
    run_lore_with_input(cwd, args, "")
}

/// Runs the `lore` binary to completion with `input` on its standard input (`--password-stdin`), with a
/// time limit.
pub fn run_lore_with_input(cwd: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = lore_command(cwd, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lore binary starts");
    // Dropping the handle closes standard input, so the child sees the end of it.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // A child that exits without reading closes the pipe; what it printed explains why.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let started = Instant::now();
    while child.try_wait().expect("the child can be polled").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!("lore {args:?} did not exit within a minute:\n{}", String::from_utf8_lossy(&output.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// A loopback address with a port that was free a moment ago.
pub fn free_loopback_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("a local address")
}

/// A plain HTTP client that does not follow redirects.
/// The server closes a keep-alive connection that stays idle for its header timeout (10 s by default), and a
/// client that reuses one at that moment sees it closed under the request (browsers retry; reqwest does not).
/// Tests on a loaded machine can idle that long between two requests, so the client lets connections go first.
const CLIENT_IDLE: Duration = Duration::from_secs(4);

/// The HTTP client of the tests: no redirects followed, a generous timeout, idle connections dropped before
/// the server drops them.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(CLIENT_IDLE)
        .build()
        .expect("an HTTP client")
}

/// `GET url` with a fresh client.
pub async fn get_url(url: &str) -> Reply {
    let res = http_client().get(url).send().await.unwrap_or_else(|err| panic!("GET {url}: {err:?}"));
    Reply::read(res).await
}

// ---------------------------------------------------------------------------------------------------------
// Reading HTML. Lore's HTML is generated by a template engine and a sanitiser, so a light scanner is enough.

/// One element found in HTML: its attributes and its text content (tags stripped).
#[derive(Debug, Clone)]
pub struct Element {
    pub attrs: BTreeMap<String, String>,
    pub inner_html: String,
}

impl Element {
    /// An attribute's value (unescaped for `&amp;`), or `""`.
    pub fn attr(&self, name: &str) -> String {
        self.attrs.get(name).cloned().unwrap_or_default()
    }

    /// The element's text, tags stripped and whitespace collapsed.
    pub fn text(&self) -> String {
        text_of(&self.inner_html)
    }

    /// The element's classes.
    pub fn classes(&self) -> Vec<String> {
        self.attr("class").split_whitespace().map(str::to_string).collect()
    }
}

/// Every `<tag ...>...</tag>` in `html`, in document order (not nested ones of the same tag).
pub fn elements(html: &str, tag: &str) -> Vec<Element> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut res = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after_name = &rest[start + open.len()..];
        // `<a` must not match `<abbr>` or `<aside>`.
        if !after_name.starts_with([' ', '>', '\n', '\t', '/']) {
            rest = after_name;
            continue;
        }
        let Some(tag_end) = after_name.find('>') else { break };
        let attrs = parse_attributes(&after_name[..tag_end]);
        let body = &after_name[tag_end + 1..];
        let (inner_html, next) = match body.find(&close) {
            Some(end) => (&body[..end], &body[end..]),
            None => ("", body),
        };
        res.push(Element { attrs, inner_html: inner_html.to_string() });
        rest = next;
    }
    res
}

/// The links (`<a>`) in `html`.
pub fn links(html: &str) -> Vec<Element> {
    elements(html, "a")
}

/// The first link whose text is `text`; panics with every link when there is none.
#[track_caller]
pub fn link_with_text(html: &str, text: &str) -> Element {
    let all = links(html);
    all.iter().find(|it| it.text() == text).cloned().unwrap_or_else(|| {
        let found: Vec<String> = all.iter().map(|it| format!("{:?} -> {:?}", it.text(), it.attr("href"))).collect();
        panic!("no link with text {text:?}; links: {found:#?}")
    })
}

/// Whether some link in `html` points at `href`.
pub fn has_link_to(html: &str, href: &str) -> bool {
    links(html).iter().any(|it| it.attr("href") == href)
}

/// The text of the `<title>` element.
pub fn title_text(html: &str) -> String {
    elements(html, "title").first().map(Element::text).unwrap_or_default()
}

/// The text of the first `<h1>` (the page's heading in the default theme).
pub fn h1_text(html: &str) -> String {
    elements(html, "h1").first().map(Element::text).unwrap_or_default()
}

/// Text with tags removed, common entities decoded and whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut res = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                res.push(' ');
            }
            _ if !in_tag => res.push(ch),
            _ => {}
        }
    }
    let res = unescape(&res);
    res.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the entities a template engine writes.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

fn parse_attributes(tag: &str) -> BTreeMap<String, String> {
    let mut res = BTreeMap::new();
    let chars: Vec<char> = tag.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let name_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != '/' {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect::<String>().to_ascii_lowercase();
        if name.is_empty() {
            i += 1;
            continue;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        res.insert(name, unescape(&value));
    }
    res
}

/// Asserts the headers every HTML page carries: a Content-Security-Policy without inline script, and
/// `X-Content-Type-Options: nosniff`; and that the HTML holds no inline `<script>`.
#[track_caller]
pub fn assert_safe_html_page(reply: &Reply, what: &str) {
    assert!(reply.content_type().starts_with("text/html"), "{what}: expected HTML, got {:?}", reply.content_type());
    let csp =
        reply.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no Content-Security-Policy header"));
    assert!(csp.contains("script-src 'self'"), "{what}: CSP without script-src 'self': {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: CSP allows unsafe-inline: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: CSP allows unsafe-eval: {csp}");
    assert_eq!(reply.header("x-content-type-options").as_deref(), Some("nosniff"), "{what}: X-Content-Type-Options");
    let html = reply.text().to_ascii_lowercase();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<script") {
        let tag_end = rest[start..].find('>').map_or(rest.len(), |it| start + it);
        let tag = &rest[start..tag_end];
        assert!(tag.contains(" src="), "{what}: inline script {tag:?}");
        rest = &rest[tag_end..];
    }
}

/// Whether `text` says "line N" for some number N.
pub fn mentions_line_number(text: &str) -> bool {
    text.match_indices("line ").any(|(at, it)| text[at + it.len()..].starts_with(|ch: char| ch.is_ascii_digit()))
}

/// A small valid PNG (1×1 pixel).
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

// ---------------------------------------------------------------------------------------------------------
// History: the change index is built in the background; tests wait for it before asserting on history.

impl TestWiki {
    /// Waits until `/-/healthz` says the change index is built; panics after [`PATIENCE`].
    pub async fn wait_for_history_index(&self) {
        wait_for_history_index_at(&self.base_url).await;
    }
}

/// Waits until `<base_url>/-/healthz` says the change index is built; panics after [`PATIENCE`].
pub async fn wait_for_history_index_at(base_url: &str) {
    let url = format!("{base_url}/-/healthz");
    let indexed = |reply: &Reply| {
        reply.status == 200
            && serde_json::from_slice::<serde_json::Value>(&reply.body)
                .is_ok_and(|it| it["history_indexed"] == serde_json::Value::Bool(true))
    };
    let started = Instant::now();
    loop {
        let reply = get_url(&url).await;
        if indexed(&reply) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "the change index was not built within {PATIENCE:?}: {}", reply.text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Search: the index is built in the background on start and catches up after every new head, so tests poll.

/// Percent-encodes `text` as one query-string value.
pub fn query_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl TestWiki {
    /// `GET /-/api/search?q=<query>` as JSON (`query` is percent-encoded here); panics unless it answers 200.
    pub async fn search(&self, query: &str) -> serde_json::Value {
        search_at(&self.base_url, &format!("q={}", query_value(query))).await
    }

    /// `GET /-/api/search?<params>` as JSON (`params` already encoded); panics unless it answers 200.
    pub async fn search_with(&self, params: &str) -> serde_json::Value {
        search_at(&self.base_url, params).await
    }

    /// Searches for `query` again and again until `done` holds for the answer or `deadline` has passed;
    /// returns the last answer.
    pub async fn search_until(
        &self,
        query: &str,
        deadline: Duration,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let json = self.search(query).await;
            if done(&json) || started.elapsed() > deadline {
                return json;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the search index has caught up with the branch since start; panics after [`PATIENCE`].
    pub async fn wait_for_search_index(&self) {
        wait_for_search_index_at(&self.base_url).await;
    }
}

/// `GET <base_url>/-/api/search?<params>` as JSON; panics unless it answers 200.
pub async fn search_at(base_url: &str, params: &str) -> serde_json::Value {
    let reply = get_url(&format!("{base_url}/-/api/search?{params}")).await;
    assert_eq!(reply.status, 200, "/-/api/search?{params}: {}", reply.text());
    reply.json()
}

/// Waits until `<base_url>/-/api/search` says the index is no longer being built; panics after [`PATIENCE`].
pub async fn wait_for_search_index_at(base_url: &str) {
    let started = Instant::now();
    loop {
        let json = search_at(base_url, "q=").await;
        if json["indexing"] == serde_json::Value::Bool(false) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "the search index was not built within {PATIENCE:?}: {json}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `path` of every hit in a search answer, best first.
pub fn hit_paths(json: &serde_json::Value) -> Vec<String> {
    json["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits array in {json}"))
        .iter()
        .map(|it| it["path"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Histories with controlled dates: stewardship reads author dates (review periods, last activity).

impl Fixture {
    /// Commits everything in the work tree as `author`, with both the author and the committer date set
    /// to `date` (ISO 8601, such as `2025-01-31T12:00:00+00:00`); returns the commit id.
    #[track_caller]
    pub fn commit_at(&self, author: Author, message: &str, date: &str) -> String {
        self.git(&["add", "--all"]);
        let name = format!("user.name={}", author.name);
        let email = format!("user.email={}", author.email);
        let output = git_command(&self.work_tree, &["-c", &name, "-c", &email, "commit", "--quiet", "-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git is installed");
        assert!(
            output.status.success(),
            "git commit {message:?} at {date} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Eddie, the editor most tests log in as, with `password`.
pub fn editor_eddie(password: &str) -> lore::auth::NewUser {
    lore::auth::NewUser {
        username: "eddie".into(),
        name: "Eddie Editor".into(),
        email: "eddie@example.com".into(),
        role: lore::auth::Role::Editor,
        groups: Vec::new(),
        password: Some(password.into()),
    }
}
