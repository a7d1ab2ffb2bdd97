//! Several nodes serving one wiki (docs/OPERATIONS.md): a primary and two replicas on loopback, sharing one
//! PostgreSQL database of the tests' own server, each a real `lore serve` process. A replica mirrors the
//! primary's repository over git's HTTP, follows its changes through the event stream, serves every read
//! itself and forwards every write, so that a page saved on one replica is read on the other at once, a push
//! to a replica lands on the primary, logins and tokens work on every node, and a primary killed in the middle
//! of a write storm loses no write it acknowledged.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

const PASSWORD: &str = "correct horse battery staple";

/// How long a replica may take to show what another node wrote (the benchmark measures the real figure).
const CONVERGE: Duration = Duration::from_secs(10);

/// A primary and two replicas, with an editor account (`eddie`) and his token.
struct Cluster {
    root: tempfile::TempDir,
    state_url: String,
    primary: Option<LoreProcess>,
    primary_addr: std::net::SocketAddr,
    replicas: Vec<LoreProcess>,
    token: String,
    client: reqwest::Client,
}

impl Cluster {
    fn start() -> Cluster {
        let root = tempfile::tempdir().expect("a temporary folder");
        let state_url = postgres::database_url();
        let cluster_token = format!("{:0>64}", std::process::id());
        for node in ["primary", "a", "b"] {
            let dir = root.path().join(node);
            std::fs::create_dir_all(&dir).expect("a node's folder");
            let settings = format!(
                "cluster_token: \"{cluster_token}\"\nauth:\n  mode: local\n  anonymous_read: true\n  default_role: editor\n"
            );
            std::fs::write(dir.join("lore.yaml"), settings).expect("write lore.yaml");
        }
        let primary_dir = root.path().join("primary");
        let data = data_arg(&primary_dir);
        let added = run_lore_with_input(
            &primary_dir,
            &[
                "user",
                "add",
                "eddie",
                "--name",
                "Eddie Editor",
                "--email",
                "eddie@example.com",
                "--role",
                "editor",
                "--password-stdin",
                "--data",
                &data,
                "--state",
                &state_url,
            ],
            &format!("{PASSWORD}\n"),
        );
        assert!(added.status.success(), "lore user add: {}", String::from_utf8_lossy(&added.stderr));
        let created = run_lore(
            &primary_dir,
            &["token", "create", "eddie", "--name", "cluster test", "--data", &data, "--state", &state_url],
        );
        assert!(created.status.success(), "lore token create: {}", String::from_utf8_lossy(&created.stderr));
        let token = String::from_utf8_lossy(&created.stdout).trim().to_string();
        // Port 0 (the system picks a free one): the primary keeps the port it got across restarts.
        let primary_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let mut cluster = Cluster {
            root,
            state_url,
            primary: None,
            primary_addr,
            replicas: Vec::new(),
            token,
            client: http_client(),
        };
        cluster.start_primary();
        for name in ["a", "b"] {
            let dir = cluster.root.path().join(name);
            let primary_url = cluster.primary_url();
            let replica = LoreProcess::serve_at(
                &dir,
                std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                &["--data", &data_arg(&dir), "--state", &cluster.state_url, "--replica-of", &primary_url],
            );
            cluster.replicas.push(replica);
        }
        cluster
    }

    fn start_primary(&mut self) {
        let dir = self.root.path().join("primary");
        let args = ["--data", &data_arg(&dir), "--state", &self.state_url];
        let primary = LoreProcess::serve_at(&dir, self.primary_addr, &args);
        self.primary_addr = primary.addr;
        self.primary = Some(primary);
    }

    fn primary_url(&self) -> String {
        format!("http://{}", self.primary_addr)
    }

    fn primary_git_dir(&self) -> PathBuf {
        self.root.path().join("primary").join("data").join("wiki.git")
    }

    fn replica(&self, index: usize) -> &str {
        &self.replicas[index].base_url
    }

    /// `PUT /-/api/pages/<path>` on a node, as Eddie.
    async fn save(&self, base: &str, path: &str, markdown: &str) -> Reply {
        let res = self
            .client
            .put(format!("{base}/-/api/pages/{path}"))
            .bearer_auth(&self.token)
            .json(&json!({ "markdown": markdown }))
            .send()
            .await;
        match res {
            Ok(res) => Reply::read(res).await,
            Err(err) => panic!("PUT {path} on {base}: {err}"),
        }
    }

    async fn raw(&self, base: &str, path: &str) -> Reply {
        let res = self.client.get(format!("{base}/-/raw/{path}")).send().await;
        Reply::read(res.unwrap_or_else(|err| panic!("GET {path} on {base}: {err}"))).await
    }

    /// The head a node serves (its status, which any admin or the cluster may read; asked here as the
    /// primary's own git sees it for the primary).
    async fn served_head(&self, base: &str) -> Option<String> {
        let me = self.client.get(format!("{base}/-/api/cluster/head")).bearer_auth(self.cluster_token()).send().await;
        let reply = Reply::read(me.ok()?).await;
        (reply.status == 200).then(|| reply.json()["head"].as_str().map(str::to_string)).flatten()
    }

    /// Waits until both replicas serve the primary's head, and fails naming the one that does not.
    async fn replicas_serve_the_primarys_head(&self) {
        let primary_head = self.primary_git(&["rev-parse", "HEAD"]);
        for index in 0..2 {
            let head = retry_until(
                async || self.served_head(self.replica(index)).await,
                |it| it.as_deref() == Some(primary_head.as_str()),
            )
            .await;
            assert_eq!(head.as_deref(), Some(primary_head.as_str()), "replica {index} serves another head");
        }
    }

    fn cluster_token(&self) -> String {
        format!("{:0>64}", std::process::id())
    }

    fn primary_git(&self, args: &[&str]) -> String {
        let git_dir = format!("--git-dir={}", self.primary_git_dir().display());
        let mut all = vec![git_dir.as_str()];
        all.extend_from_slice(args);
        git_in(self.root.path(), &all)
    }
}

fn form_body(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("a form")
}

fn data_arg(dir: &Path) -> String {
    dir.join("data").display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_saved_on_one_replica_is_read_there_at_once_and_on_the_other_replica_soon() {
    let cluster = Cluster::start();
    let markdown = "# Rota\n\nAnn is on call this week.\n";
    let saved = cluster.save(cluster.replica(0), "team/rota.md", markdown).await;
    assert!(saved.status == 200 || saved.status == 201, "saving through replica A: {} {}", saved.status, saved.text());
    assert!(
        saved.header("warning").is_none(),
        "replica A did not catch up with its own write: {:?}",
        saved.header("warning")
    );
    for internal in ["x-lore-head", "x-lore-objects"] {
        assert!(saved.header(internal).is_none(), "the replica passed {internal} on to the client");
    }

    // Read your own write: replica A answered only once it served the commit.
    let read_back = cluster.raw(cluster.replica(0), "team/rota.md").await;
    assert_eq!((read_back.status, read_back.text()), (200, markdown.to_string()), "replica A does not show the save");

    let started = Instant::now();
    loop {
        let reply = cluster.raw(cluster.replica(1), "team/rota.md").await;
        if reply.status == 200 && reply.text() == markdown {
            break;
        }
        assert!(started.elapsed() < CONVERGE, "replica B does not show the page after {CONVERGE:?}: {}", reply.status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let on_primary = cluster.primary_git(&["show", "HEAD:team/rota.md"]);
    assert_eq!(on_primary, markdown.trim_end(), "the primary's repository does not hold the page");
    // Replica A counted the forwarded save in its metrics (loopback may read them), and caught up.
    let metrics = cluster.client.get(format!("{}/-/metrics", cluster.replica(0))).send().await.expect("metrics");
    let metrics = Reply::read(metrics).await;
    assert_eq!(metrics.status, 200, "{}", metrics.text());
    let text = metrics.text();
    for line in ["lore_forwarded_writes_total{via=\"api\"} 1", "lore_forwarded_writes_total{via=\"form\"} 0"] {
        assert!(text.lines().any(|it| it == line), "no {line:?} in replica A's metrics:\n{text}");
    }
    assert!(text.lines().any(|it| it == "lore_replication_lag_commits 0"), "replica A is behind:\n{text}");
    // The replicas commit nothing themselves: their heads are the primary's.
    cluster.replicas_serve_the_primarys_head().await;

    // Once caught up, a new commit reaches each replica as one pack pulled from the primary (no git process).
    let pulls = async |index: usize| {
        let status = cluster
            .client
            .get(format!("{}/-/api/cluster/status", cluster.replica(index)))
            .bearer_auth(cluster.cluster_token())
            .send()
            .await
            .expect("status");
        Reply::read(status).await.json()["replication"].clone()
    };
    let before = [pulls(0).await["pulls"].as_u64().unwrap(), pulls(1).await["pulls"].as_u64().unwrap()];
    // A few saves one after the other: a `git fetch` under way when one is announced (the one each replica
    // makes when the event stream connects) may bring it instead, but not the ones after it.
    for n in 0..3 {
        let path = format!("team/next-{n}.md");
        let saved = cluster.save(cluster.replica(1), &path, "# Next\n").await;
        assert!(saved.status < 300 && saved.header("warning").is_none(), "{}", saved.text());
        retry_until(async || cluster.raw(cluster.replica(0), &path).await.status, |it| *it == 200).await;
    }
    // The pack endpoint is the cluster's: not for anyone else, and it names what it wants exactly.
    let head = cluster.primary_git(&["rev-parse", "HEAD"]);
    let pack = |query: String, token: Option<String>| {
        let mut request = cluster.client.get(format!("{}/-/api/cluster/pack?{query}", cluster.primary_url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { Reply::read(request.send().await.expect("pack")).await }
    };
    // Only a replica gets the new commits with the answer to a write: not a client that asks for them.
    let direct = cluster
        .client
        .put(format!("{}/-/api/pages/team/direct.md", cluster.primary_url()))
        .bearer_auth(&cluster.token)
        .header("X-Lore-Have", &head)
        .json(&json!({ "markdown": "# Direct\n" }))
        .send()
        .await
        .expect("a direct save");
    let direct = Reply::read(direct).await;
    assert!(direct.status < 300, "{}", direct.text());
    assert!(direct.header("x-lore-head").is_some() && direct.header("x-lore-objects").is_none());
    let head = cluster.primary_git(&["rev-parse", "HEAD"]);
    let anonymous = pack(format!("want={head}"), None).await;
    assert!(
        anonymous.status == 401 || anonymous.status == 403,
        "a pack without the cluster token: {}",
        anonymous.status
    );
    assert_eq!(pack(format!("want={head}"), Some(cluster.token.clone())).await.status, 403, "an editor's token");
    assert_eq!(pack("want=HEAD".into(), Some(cluster.cluster_token())).await.status, 400);
    assert_eq!(pack(format!("want={}", "0".repeat(40)), Some(cluster.cluster_token())).await.status, 404);
    let nothing_new = pack(format!("want={head}&have={head}"), Some(cluster.cluster_token())).await;
    assert_eq!(nothing_new.status, 200);
    assert!(nothing_new.body.starts_with(b"PACK") && nothing_new.body.len() < 100, "{} bytes", nothing_new.body.len());
    for (index, before) in before.into_iter().enumerate() {
        let replication = pulls(index).await;
        assert!(
            replication["pulls"].as_u64().unwrap() > before,
            "replica {index} did not pull: {replication}\n{}",
            cluster.replicas[index].log()
        );
        assert_eq!(replication["failed_pulls"], 0, "replica {index}: {replication}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_push_to_a_replica_lands_on_the_primary_and_the_replica_serves_it_when_the_push_returns() {
    let cluster = Cluster::start();
    let clone = cluster.root.path().join("clone");
    let remote = format!("http://eddie:{}@{}/wiki.git", cluster.token, cluster.replicas[0].addr);
    git_in(cluster.root.path(), &["clone", "--quiet", &remote, "clone"]);
    std::fs::write(clone.join("pushed.md"), "# Pushed\n\nThrough a replica.\n").expect("write a page");
    // Over a megabyte, so git sends the pack in chunks after a probe, as it does for real pushes.
    let mut noise = Vec::with_capacity(3 << 20);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    while noise.len() < 3 << 20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        noise.extend_from_slice(&seed.to_le_bytes());
    }
    std::fs::write(clone.join("diagram.bin"), &noise).expect("write a large file");
    git_in(&clone, &["add", "pushed.md", "diagram.bin"]);
    git_in(&clone, &["-c", "user.name=Eddie Editor", "-c", "user.email=eddie@example.com", "commit", "-qm", "Push"]);
    let pushed = git_in(&clone, &["rev-parse", "HEAD"]);
    let branch = git_in(&clone, &["symbolic-ref", "--short", "HEAD"]);
    git_in(&clone, &["push", "--quiet", "origin", &branch]);

    assert_eq!(cluster.primary_git(&["rev-parse", "HEAD"]), pushed, "the push did not land on the primary");
    let on_replica = cluster.raw(cluster.replica(0), "pushed.md").await;
    assert_eq!(on_replica.status, 200, "replica A does not serve the push it forwarded once the push returned");
    // And a fetch from the replica brings the pushed commit back.
    git_in(&clone, &["fetch", "--quiet", "origin"]);
    assert_eq!(git_in(&clone, &["rev-parse", &format!("origin/{branch}")]), pushed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_and_tokens_work_on_every_node() {
    let cluster = Cluster::start();
    // Log in on replica A (the form goes to the primary, which starts the session in the shared database).
    let form_page = cluster.client.get(format!("{}/-/login", cluster.replica(0))).send().await.expect("login form");
    let csrf = form_page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|it| it.to_str().ok())
        .find_map(|it| it.strip_prefix("lore_csrf=")?.split(';').next().map(str::to_string))
        .expect("a CSRF cookie");
    let login = cluster
        .client
        .post(format!("{}/-/login", cluster.replica(0)))
        .header("Cookie", format!("lore_csrf={csrf}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&[("username", "eddie"), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "/")]))
        .send()
        .await
        .expect("log in");
    let login = Reply::read(login).await;
    assert_eq!(login.status, 303, "logging in on replica A: {}", login.text());
    let session = login
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|it| it.to_str().ok())
        .find_map(|it| it.strip_prefix("lore_session=")?.split(';').next().map(str::to_string))
        .expect("a session cookie");
    let nodes = [cluster.replica(0).to_string(), cluster.replica(1).to_string(), cluster.primary_url()];
    for base in &nodes {
        let me = cluster
            .client
            .get(format!("{base}/-/api/me"))
            .header("Cookie", format!("lore_session={session}"))
            .send()
            .await
            .expect("me");
        let me = Reply::read(me).await;
        assert_eq!(me.status, 200, "the session from replica A does not work on {base}: {}", me.text());
        assert_eq!(me.json()["username"], "eddie");
    }
    // A token made on replica B works on replica A, and revoked on the primary it stops everywhere.
    let created = cluster
        .client
        .post(format!("{}/-/api/tokens", cluster.replica(1)))
        .bearer_auth(&cluster.token)
        .json(&json!({"name": "made on B"}))
        .send()
        .await
        .expect("create a token");
    let created = Reply::read(created).await;
    assert!(created.status == 200 || created.status == 201, "creating a token on B: {}", created.text());
    let new_token = created.json()["token"].as_str().expect("the new token").to_string();
    let id = created.json()["id"].as_str().expect("its id").to_string();
    let me = |base: String, token: String| {
        let client = cluster.client.clone();
        async move { Reply::read(client.get(format!("{base}/-/api/me")).bearer_auth(token).send().await.expect("me")).await }
    };
    assert_eq!(me(cluster.replica(0).to_string(), new_token.clone()).await.status, 200, "B's token fails on A");
    let revoked = cluster
        .client
        .delete(format!("{}/-/api/tokens/{id}", cluster.primary_url()))
        .bearer_auth(&cluster.token)
        .send()
        .await
        .expect("revoke");
    assert!(revoked.status().is_success(), "revoking on the primary: {}", revoked.status());
    for base in &nodes {
        assert_eq!(me(base.clone(), new_token.clone()).await.status, 401, "a revoked token still works on {base}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_primary_is_down_replicas_serve_reads_and_refuse_writes_clearly_then_catch_up() {
    let mut cluster = Cluster::start();
    let saved = cluster.save(cluster.replica(0), "before.md", "# Before\n").await;
    assert!(saved.status < 300, "{}", saved.text());
    retry_until(async || cluster.raw(cluster.replica(1), "before.md").await.status, |it| *it == 200).await;
    cluster.primary.take().expect("the primary runs").stop();

    let page = cluster.raw(cluster.replica(1), "before.md").await;
    assert_eq!(page.status, 200, "a replica stopped serving reads without its primary");
    let home = cluster.client.get(format!("{}/", cluster.replica(1))).send().await.expect("home");
    assert_eq!(home.status(), 200, "the home page fails on a replica without its primary");

    let refused = cluster.save(cluster.replica(0), "during.md", "# During\n").await;
    assert_eq!(refused.status, 503, "a write without a primary: {}", refused.text());
    assert_eq!(refused.json()["error"], "unavailable", "{}", refused.text());
    assert!(refused.header("retry-after").is_some(), "a 503 without Retry-After");
    assert!(refused.text().contains("primary"), "the refusal does not say why: {}", refused.text());
    let form = cluster
        .client
        .post(format!("{}/-/edit/during", cluster.replica(0)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&[("markdown", "# During\n")]))
        .send()
        .await
        .expect("a form post");
    let form = Reply::read(form).await;
    assert_eq!(form.status, 503);
    assert!(form.content_type().starts_with("text/html"), "a browser gets no page: {}", form.content_type());
    assert!(text_of(&form.text()).contains("primary"), "the page does not say why: {}", form.text());

    // Back up: writes go through again, and a replica restarted meanwhile catches up by itself.
    cluster.replicas.pop().expect("replica B").stop();
    cluster.start_primary();
    let saved =
        retry_until(async || cluster.save(cluster.replica(0), "after.md", "# After\n").await, |it| it.status < 300)
            .await;
    assert!(saved.status < 300, "writes do not go through once the primary is back: {}", saved.text());
    let dir = cluster.root.path().join("b");
    let primary_url = cluster.primary_url();
    let replica = LoreProcess::serve(
        &dir,
        &["--data", &data_arg(&dir), "--state", &cluster.state_url, "--replica-of", &primary_url],
    );
    cluster.replicas.push(replica);
    let caught_up =
        retry_until(async || cluster.raw(cluster.replica(1), "after.md").await, |it| it.status == 200).await;
    assert_eq!(caught_up.status, 200, "a restarted replica did not catch up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_primary_during_a_write_storm_loses_no_acknowledged_write() {
    let mut cluster = Cluster::start();
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let base = cluster.replica(writer % 2).to_string();
        let (client, token) = (cluster.client.clone(), cluster.token.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 400 {
                let path = format!("storm/w{writer}-{n}.md");
                let markdown = format!("# Storm {writer} {n}\n");
                let res = client
                    .put(format!("{base}/-/api/pages/{path}"))
                    .bearer_auth(&token)
                    .json(&json!({ "markdown": markdown }))
                    .send()
                    .await;
                if let Ok(res) = res
                    && res.status().is_success()
                {
                    acknowledged.lock().expect("lock").push((path, markdown));
                }
                n += 1;
            }
        }));
    }
    // Let the storm run, then kill the primary without warning.
    let started = Instant::now();
    while acknowledged.lock().expect("lock").len() < 20 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let primary = cluster.primary.take().expect("the primary runs");
    let pid = primary.pid();
    let killed = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill runs");
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("a writer");
    }
    drop(primary);
    cluster.start_primary();

    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 20, "the storm acknowledged only {} writes", acknowledged.len());
    for (path, markdown) in &acknowledged {
        let on_primary = cluster.primary_git(&["show", &format!("HEAD:{path}")]);
        assert_eq!(&on_primary, markdown.trim_end(), "an acknowledged write is missing: {path}");
    }
    let fsck = git_command(
        cluster.root.path(),
        &["--git-dir", &cluster.primary_git_dir().display().to_string(), "fsck", "--strict"],
    )
    .output()
    .expect("git fsck runs");
    assert!(fsck.status.success(), "git fsck: {}", String::from_utf8_lossy(&fsck.stderr));
    cluster.replicas_serve_the_primarys_head().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_that_replicas_follow_stops_promptly_on_sigterm() {
    let mut cluster = Cluster::start();
    // The replicas hold the event stream open; it must not keep the primary from stopping.
    let connected = retry_until(
        async || {
            let status = cluster
                .client
                .get(format!("{}/-/api/cluster/status", cluster.replica(1)))
                .bearer_auth(cluster.cluster_token())
                .send()
                .await
                .expect("status");
            Reply::read(status).await.json()["replication"]["events_connected"].as_bool()
        },
        |it| *it == Some(true),
    )
    .await;
    assert_eq!(connected, Some(true), "replica B does not follow the primary's event stream");
    let mut primary = cluster.primary.take().expect("the primary runs");
    let started = Instant::now();
    let signalled = std::process::Command::new("kill").args(["-TERM", &primary.pid().to_string()]).status();
    assert!(signalled.expect("kill runs").success());
    let status = primary.wait_for_exit(Duration::from_secs(10));
    assert!(
        status.is_some_and(|it| it.success()),
        "the primary did not stop within 10 s: {status:?}\n{}",
        primary.log()
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_on_another_state_database_refuses_to_start_and_says_why() {
    let cluster = Cluster::start();
    let dir = cluster.root.path().join("a");
    let stray = cluster.root.path().join("stray");
    let other_database = postgres::database_url();
    let primary_url = cluster.primary_url();
    let output = run_lore(
        &dir,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
            &stray.display().to_string(),
            "--state",
            &other_database,
            "--replica-of",
            &primary_url,
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a replica started on another database:\n{stderr}");
    assert!(stderr.contains("another state database"), "the refusal does not say why:\n{stderr}");
    assert!(!stray.join("wiki.git").exists(), "the refused replica mirrored the primary anyway");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_carries_the_objects_of_each_small_change_before_its_head() {
    use base64::Engine;
    let cluster = Cluster::start();
    let url = format!("{}/-/api/cluster/events", cluster.primary_url());
    let mut events = cluster.client.get(url).bearer_auth(cluster.cluster_token()).send().await.expect("the events");
    assert_eq!(events.status(), 200);
    let mut text = String::new();
    // Reads the stream until `done` holds for what came so far.
    async fn read_until(events: &mut reqwest::Response, text: &mut String, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(text) {
            assert!(Instant::now() < deadline, "the event stream did not bring it: {text}");
            let chunk = tokio::time::timeout(Duration::from_secs(20), events.chunk()).await;
            let chunk = chunk.expect("an event in time").expect("the stream").expect("not ended");
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    read_until(&mut events, &mut text, |it| it.contains("event: head\n")).await;
    let before = cluster.primary_git(&["rev-parse", "HEAD"]);
    assert!(text.contains(&format!("data: {before}\n")), "the first event names the head: {text}");

    let markdown = "# Objects\n\nThis sentence travels inside the event.\n";
    let saved = cluster.save(&cluster.primary_url(), "team/objects.md", markdown).await;
    assert!(saved.status < 300, "{}", saved.text());
    let after = cluster.primary_git(&["rev-parse", "HEAD"]);
    let head_event = format!("event: head\ndata: {after}\n");
    read_until(&mut events, &mut text, |it| it.contains(&head_event)).await;
    let objects_line = format!("event: objects\ndata: {before} {after} ");
    let start = text.find(&objects_line).unwrap_or_else(|| panic!("no objects event from {before} to {after}: {text}"));
    assert!(start < text.find(&head_event).unwrap(), "the objects come before the head they lead to");
    let encoded = text[start + objects_line.len()..].lines().next().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).expect("base64");
    let bundle = lore::store::ObjectBundle::from_bytes(&bytes).expect("a bundle");
    assert_eq!(bundle.len(), 4, "the commit, the root, team/ and the page: {} objects", bundle.len());
    assert!(
        bytes.windows(markdown.len()).any(|it| it == markdown.as_bytes()),
        "the page's content is among the objects"
    );
}
