//! Running Lore in production: `/-/metrics` (what it shows, and who may read it), `lore backup` and
//! `lore restore` (during a storm of saves, then a start on the restored folder), and a stop by SIGTERM while
//! requests are under way. Each test drives the real server and the real `lore` binary.

use std::collections::{BTreeMap, BTreeSet};

use lore::config::Network;

use crate::accounts::{ADA, EDDIE, RITA, api, serve_local, small_fixture};
use crate::common::*;

// ---------------------------------------------------------------------------------------------------------
// Metrics

/// One sample of the text format: a name, its labels, a value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The families (`# TYPE name kind`) and samples of a scrape. Panics on a line that is not the text format.
fn parse_metrics(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut families = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|it| !it.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("bad TYPE line {line:?}"));
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "unknown kind in {line:?}"
            );
            families.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with('#') {
            assert!(line.starts_with("# HELP "), "a comment that is neither HELP nor TYPE: {line:?}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series.to_string(), BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                (name.to_string(), parse_labels(body, line))
            }
        };
        assert!(
            name.chars().all(|it| it.is_ascii_alphanumeric() || it == '_' || it == ':'),
            "bad metric name in {line:?}"
        );
        samples.push(Sample { name, labels, value });
    }
    (families, samples)
}

fn parse_labels(body: &str, line: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label in {line:?}"));
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => value.push(chars.next().map(|(_, it)| it).expect("an escaped character")),
                Some((at, '"')) => break at,
                Some((_, ch)) => value.push(ch),
                None => panic!("unterminated label value in {line:?}"),
            }
        };
        labels.insert(name.to_string(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    labels
}

/// The value of the sample called `name` whose labels include `labels`; panics when there is none.
#[track_caller]
fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|it| {
            it.name == name && labels.iter().all(|(key, value)| it.labels.get(*key).map(String::as_str) == Some(*value))
        })
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
        .value
}

async fn scrape(wiki: &TestWiki) -> (BTreeMap<String, String>, Vec<Sample>) {
    let reply = wiki.get("/-/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/plain; version=0.0.4"), "{}", reply.content_type());
    parse_metrics(&reply.text())
}

#[tokio::test]
async fn metrics_text_parses_and_has_every_family() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("guide/setup.md", "# Setup\n\nSteps.\n")]).await;
    wiki.wait_for_history_index().await;
    wiki.wait_for_search_index().await;
    for _ in 0..3 {
        assert_eq!(wiki.get("/guide/setup").await.status, 200);
    }
    assert_eq!(wiki.get("/-/history/guide/setup").await.status, 200);
    assert_eq!(wiki.get("/-/history/index").await.status, 200);
    // Paths nobody has: each would be a series of its own if labels were raw paths.
    for n in 0..20 {
        assert_eq!(wiki.get(&format!("/no/such/page-{n}")).await.status, 404);
    }
    let (families, samples) = scrape(&wiki).await;
    for (family, kind) in [
        ("lore_http_requests_total", "counter"),
        ("lore_http_request_duration_seconds", "histogram"),
        ("lore_http_open_connections", "gauge"),
        ("lore_http_requests_in_flight", "gauge"),
        ("lore_http_connections_total", "counter"),
        ("lore_cache_hits_total", "counter"),
        ("lore_cache_misses_total", "counter"),
        ("lore_search_index_lag_commits", "gauge"),
        ("lore_change_index_lag_commits", "gauge"),
        ("lore_notifier_lag_commits", "gauge"),
        ("lore_inbox_deliveries_total", "counter"),
        ("lore_mail_queue_depth", "gauge"),
        ("lore_webhook_queue_depth", "gauge"),
        ("lore_mail_attempts_total", "counter"),
        ("lore_webhook_attempts_total", "counter"),
        ("lore_forwarded_writes_total", "counter"),
        ("lore_replication_lag_commits", "gauge"),
        ("lore_replication_lag_seconds", "gauge"),
        ("lore_build_info", "gauge"),
    ] {
        assert_eq!(families.get(family).map(String::as_str), Some(kind), "family {family}: {families:?}");
    }
    // Requests by route template: the two history views share one series, the page views another.
    let history = [("route", "/-/history/{*path}"), ("method", "GET"), ("status", "200")];
    assert_eq!(value_of(&samples, "lore_http_requests_total", &history), 2.0);
    let pages = [("route", "/{*page}"), ("method", "GET"), ("status", "200")];
    assert!(value_of(&samples, "lore_http_requests_total", &pages) >= 3.0);
    let missing = [("route", "/{*page}"), ("method", "GET"), ("status", "404")];
    assert_eq!(value_of(&samples, "lore_http_requests_total", &missing), 20.0);
    let routes: BTreeSet<&str> = samples.iter().filter_map(|it| it.labels.get("route")).map(String::as_str).collect();
    assert!(
        routes.iter().all(|it| !it.contains("no/such") && !it.contains("guide")),
        "raw paths as labels: {routes:?}"
    );
    // The latency histogram counts the same requests; its buckets only grow.
    let count = value_of(&samples, "lore_http_request_duration_seconds_count", &[("route", "/-/history/{*path}")]);
    assert_eq!(count, 2.0);
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|it| {
            it.name == "lore_http_request_duration_seconds_bucket"
                && it.labels.get("route").map(String::as_str) == Some("/{*page}")
        })
        .map(|it| it.value)
        .collect();
    assert!(buckets.len() >= 10 && buckets.windows(2).all(|it| it[0] <= it[1]), "{buckets:?}");
    // A page viewed again and again: rendered once, then served from the page cache (which keeps a view once
    // it is compressed, off the request's path, so the next few views may still miss).
    assert!(value_of(&samples, "lore_cache_misses_total", &[("cache", "page")]) >= 21.0);
    assert!(value_of(&samples, "lore_cache_misses_total", &[("cache", "render")]) >= 1.0);
    let page_hits = retry_until(
        async || {
            assert_eq!(wiki.get("/guide/setup").await.status, 200);
            value_of(&scrape(&wiki).await.1, "lore_cache_hits_total", &[("cache", "page")])
        },
        |hits| *hits >= 1.0,
    )
    .await;
    assert!(page_hits >= 1.0, "no page-cache hit counted");
    // Caught up, nothing queued, not a replica; this scrape's own connection is open.
    for gauge in [
        "lore_search_index_lag_commits",
        "lore_change_index_lag_commits",
        "lore_mail_queue_depth",
        "lore_webhook_queue_depth",
        "lore_replication_lag_commits",
        "lore_replication_lag_seconds",
    ] {
        assert_eq!(value_of(&samples, gauge, &[]), 0.0, "{gauge}");
    }
    assert_eq!(value_of(&samples, "lore_forwarded_writes_total", &[("via", "api")]), 0.0);
    assert!(value_of(&samples, "lore_http_open_connections", &[]) >= 1.0);
    assert!(value_of(&samples, "lore_http_connections_total", &[]) >= 1.0);
}

#[tokio::test]
async fn index_lag_counts_commits_the_search_index_has_not_seen() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let wiki = fixture.serve_with(|_| {}).await;
    wiki.wait_for_search_index().await;
    wiki.wait_for_history_index().await;
    let (_, samples) = scrape(&wiki).await;
    assert_eq!(value_of(&samples, "lore_search_index_lag_commits", &[]), 0.0);
    // Saves through the server: the indexes catch up within moments, and the gauge says so.
    for n in 0..3 {
        let reply = wiki.put_page(&format!("new-{n}.md"), &serde_json::json!({"markdown": "# New\n"}), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    let caught_up = retry_until(
        async || scrape(&wiki).await.1,
        |samples| {
            value_of(samples, "lore_search_index_lag_commits", &[]) == 0.0
                && value_of(samples, "lore_change_index_lag_commits", &[]) == 0.0
        },
    )
    .await;
    assert_eq!(value_of(&caught_up, "lore_search_index_lag_commits", &[]), 0.0);
    assert_eq!(value_of(&caught_up, "lore_change_index_lag_commits", &[]), 0.0);
    assert!(
        value_of(&caught_up, "lore_http_requests_total", &[("route", "/-/api/pages/{*path}"), ("method", "PUT")])
            == 3.0
    );
}

#[tokio::test]
async fn metrics_are_refused_outside_metrics_allow_except_to_admins() {
    let local = serve_local(small_fixture(), &[ADA, EDDIE, RITA], |config| {
        config.metrics_allow = vec![Network::parse("10.20.0.0/16").expect("a network")];
        config.auth.trusted_proxies = vec!["127.0.0.1".into()];
        config.auth.anonymous_read = true;
    })
    .await;
    let wiki = &local.wiki;
    // Loopback is not listed here: anonymous, a reader and an editor are refused, plainly (no login redirect).
    let anonymous = wiki.get("/-/metrics").await;
    assert_eq!(anonymous.status, 403, "{}", anonymous.text());
    assert!(!anonymous.text().contains("lore_http"), "refused, yet the metrics were shown");
    for account in [RITA, EDDIE] {
        let reply = api(wiki, "GET", "/-/metrics", Some(local.token(account)), None, &[]).await;
        assert_eq!(reply.status, 403, "{}: {}", account.username, reply.text());
    }
    // An admin may read them from anywhere.
    let admin = api(wiki, "GET", "/-/metrics", Some(local.token(ADA)), None, &[]).await;
    assert_eq!(admin.status, 200, "{}", admin.text());
    assert!(admin.text().contains("lore_http_requests_total"));
    // The address is the client's: a listed one behind a trusted proxy is let in, an unlisted one is not.
    let listed = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "10.20.3.4")], "").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let unlisted = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "10.21.3.4")], "").await;
    assert_eq!(unlisted.status, 403, "{}", unlisted.text());
}

#[tokio::test]
async fn metrics_are_readable_from_loopback_by_default_and_not_from_elsewhere() {
    // Default settings: loopback only. Behind a trusted proxy, an outside client is refused.
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| config.auth.trusted_proxies = vec!["127.0.0.1".into()])
        .await;
    assert_eq!(wiki.get("/-/metrics").await.status, 200);
    let outside = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "203.0.113.9")], "").await;
    assert_eq!(outside.status, 403, "{}", outside.text());
}

// ---------------------------------------------------------------------------------------------------------
// Backup and restore

/// A local-mode wiki whose settings come from `<root>/lore.yaml` (so `lore backup --config` reads the same),
/// with Ada (admin), Eddie (editor) and Rita (reader) and a `tests` token each.
struct SettingsWiki {
    wiki: TestWiki,
    settings: std::path::PathBuf,
    tokens: BTreeMap<&'static str, String>,
}

async fn serve_from_settings(accounts: &[crate::accounts::Account]) -> SettingsWiki {
    serve_from_settings_with(accounts, "").await
}

/// [`serve_from_settings`] with more settings (such as `state:`).
async fn serve_from_settings_with(accounts: &[crate::accounts::Account], more: &str) -> SettingsWiki {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let settings = dir.path().join("lore.yaml");
    std::fs::write(&settings, format!("site_title: Backed-up Wiki\nauth:\n  mode: local\n{more}"))
        .expect("write lore.yaml");
    let mut config = lore::config::Config::load(&settings).expect("lore.yaml reads");
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.data = dir.path().join("data");
    config.lore_binary = Some(env!("CARGO_BIN_EXE_lore").into());
    std::fs::create_dir_all(&config.data).expect("create the data folder");
    let store = lore::auth::Accounts::open_at(&config.data, &config.state_location()).expect("the account store opens");
    let mut tokens = BTreeMap::new();
    for account in accounts {
        store
            .add_user(lore::auth::NewUser {
                username: account.username.into(),
                name: account.name.into(),
                email: account.email.into(),
                role: account.role,
                groups: Vec::new(),
                password: Some(crate::accounts::PASSWORD.into()),
            })
            .expect("add an account");
        let (_, token) = store.create_token(account.username, "tests").expect("a token");
        tokens.insert(account.username, token);
    }
    drop(store);
    let wiki = TestWiki::serve_config(dir, config).await;
    SettingsWiki { wiki, settings, tokens }
}

/// Waits until the notifier of the server on `data` has read every commit up to `head`.
async fn wait_for_notifier_at(data: &std::path::Path, head: &str) {
    let started = std::time::Instant::now();
    loop {
        let state = lore::state::StateStore::open(data).expect("the state database opens");
        if state.meta("notify_cursor").expect("the cursor reads").as_deref() == Some(head) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "the notifier did not reach {head}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The paths of the inbox items of the token's owner (newest first, up to 200).
async fn inbox_paths(wiki: &TestWiki, token: &str) -> BTreeSet<String> {
    let reply = api(wiki, "GET", "/-/api/inbox?limit=200", Some(token), None, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|it| it["path"].as_str().expect("a path").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_during_a_storm_of_saves_restores_pages_history_accounts_and_inboxes() {
    use crate::accounts::Visitor;
    let original = serve_from_settings(&[ADA, EDDIE, RITA]).await;
    let wiki = &original.wiki;
    wiki.wait_for_history_index().await;
    // Rita follows the storm's folder; Eddie logs in with his password (the session must survive a restore).
    let follow = serde_json::json!({"kind": "folder", "target": "storm/"});
    let reply = api(wiki, "POST", "/-/api/follows", Some(&original.tokens["rita"]), Some(&follow), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let eddie_session = browser::Browser::logged_in(wiki, EDDIE).await.session().expect("a session");

    // The storm: Eddie saves page after page, each a new one, until told to stop (at most 150, so that every
    // inbox item fits in one page of the inbox API).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (url, token) = (wiki.base_url.clone(), original.tokens["eddie"].clone());
    let storm = tokio::spawn(async move {
        let client = http_client();
        let mut n_saved = 0usize;
        while !*stopped.borrow() && n_saved < 150 {
            let body = serde_json::json!({"markdown": format!("# Storm page {n_saved}\n\nSaved during a backup.\n")});
            let res = client
                .put(format!("{url}/-/api/pages/storm/p{n_saved}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("the save is answered");
            assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
            n_saved += 1;
        }
        n_saved
    });
    let count_before = wiki.commit_count();
    let storm_commits = async |n: usize| retry_until(async || wiki.commit_count(), |it| *it >= count_before + n).await;
    storm_commits(5).await;
    let backups = tempfile::tempdir().expect("a temporary folder");
    let dest = backups.path().join("backup");
    let (root, settings, data) = (wiki.root().to_path_buf(), original.settings.clone(), wiki.data_dir());
    let args =
        ["backup", dest.to_str().unwrap(), "--config", settings.to_str().unwrap(), "--data", data.to_str().unwrap()];
    let args: Vec<String> = args.iter().map(|it| it.to_string()).collect();
    let output =
        tokio::task::spawn_blocking(move || run_lore(&root, &args.iter().map(String::as_str).collect::<Vec<_>>()))
            .await
            .expect("the backup ran");
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "lore backup failed:\n{log}");
    for step in ["[1/4] State database", "[2/4] Wiki", "[3/4] Secret key", "[4/4] Settings", "manifest.json"] {
        assert!(log.contains(step), "no progress line {step:?} in:\n{log}");
    }
    // The storm goes on after the backup: the restored wiki must not have what came later.
    let after_backup = wiki.commit_count();
    storm_commits(after_backup - count_before + 5).await;
    stop.send(true).expect("the storm listens");
    let n_saved = storm.await.expect("the storm ran");
    let original_head = wiki.head();
    wait_for_notifier_at(&wiki.data_dir(), &original_head).await;

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dest.join("manifest.json")).expect("a manifest")).expect("JSON");
    let head = manifest["head"].as_str().expect("a head").to_string();
    let names: BTreeSet<&str> =
        manifest["files"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["lore.db", "lore.yaml", "secret.key", "wiki.bundle"]));
    for file in manifest["files"].as_array().unwrap() {
        assert_eq!(file["sha256"].as_str().unwrap().len(), 64, "{file}");
    }
    git_in(
        wiki.root(),
        &["--git-dir", wiki.git_dir.to_str().unwrap(), "merge-base", "--is-ancestor", &head, &original_head],
    );
    assert_ne!(head, original_head, "the storm went on after the backup ({n_saved} saves)");

    // Restore into a fresh folder; a folder with something in it is refused.
    let restored_dir = tempfile::tempdir().expect("a temporary folder");
    let restored_data = restored_dir.path().join("data");
    std::fs::create_dir_all(&restored_data).unwrap();
    std::fs::write(restored_data.join("keep.txt"), "mine").unwrap();
    let refused =
        run_lore(restored_dir.path(), &["restore", dest.to_str().unwrap(), "--data", restored_data.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));
    std::fs::remove_file(restored_data.join("keep.txt")).unwrap();
    let output =
        run_lore(restored_dir.path(), &["restore", dest.to_str().unwrap(), "--data", restored_data.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "lore restore failed:\n{log}");
    assert!(log.contains("[1/4] Checking") && log.contains("wiki.bundle ok"), "{log}");

    // Start it, with the settings that came with it.
    let mut config = lore::config::Config::load(&restored_data.join("lore.yaml")).expect("the restored settings");
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.data = restored_data.clone();
    let restored = TestWiki::serve_config(restored_dir, config).await;
    assert_eq!(restored.head(), head, "the restored branch is at the manifest's head");
    restored.wait_for_history_index().await;

    // Pages: every file of the backup's commit, byte for byte; nothing saved after it.
    let files = wiki.git(&["ls-tree", "-r", "--name-only", &head]);
    let mut n_pages = 0;
    for path in files.lines().filter(|it| it.ends_with(".md")) {
        let reply = restored.get(&format!("/-/raw/{path}")).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.text(), wiki.git(&["show", &format!("{head}:{path}")]) + "\n", "{path}");
        n_pages += 1;
    }
    assert!(n_pages >= 5);
    let later = (0..n_saved).map(|n| format!("storm/p{n}.md")).find(|it| !files.lines().any(|line| line == it));
    let later = later.expect("a page saved after the backup");
    assert_eq!(restored.get(&format!("/-/raw/{later}")).await.status, 404, "{later} came after the backup");
    // History: the same commits, and the server reads them the same.
    assert_eq!(restored.git(&["log", "--format=%H %an %s", &head]), wiki.git(&["log", "--format=%H %an %s", &head]));
    let history = |reply: Reply| reply.json().to_string();
    assert_eq!(
        history(restored.get("/-/api/history/storm/p0").await),
        history(wiki.get("/-/api/history/storm/p0").await)
    );

    // Accounts: the same list; passwords, tokens and even Eddie's session still work.
    let list = |data: &std::path::Path| {
        let output = run_lore(data, &["user", "list", "--data", data.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(list(&restored_data), list(&wiki.data_dir()));
    for account in [ADA, EDDIE, RITA] {
        let browser = browser::Browser::logged_in(&restored, account).await;
        assert!(browser.session().is_some(), "{} logs in with the old password", account.username);
    }
    let me = api(&restored, "GET", "/-/api/me", Some(&original.tokens["rita"]), None, &[]).await;
    assert_eq!(me.json()["username"], "rita", "{}", me.text());
    let cookie = format!("lore_session={eddie_session}");
    let me = restored.send("GET", "/-/api/me", &[("Cookie", &cookie)], "").await;
    assert_eq!(me.json()["username"], "eddie", "{}", me.text());

    // Inboxes: once the restored notifier has read up to the head, Rita's inbox holds exactly what the original
    // held about the pages of the backup's commit.
    wait_for_notifier_at(&restored_data, &head).await;
    let expected: BTreeSet<String> = inbox_paths(wiki, &original.tokens["rita"])
        .await
        .into_iter()
        .filter(|path| files.lines().any(|it| it == path))
        .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(inbox_paths(&restored, &original.tokens["rita"]).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_of_a_postgres_state_dumps_it_and_restores_into_an_empty_database_only() {
    use crate::accounts::Visitor;
    let live_url = postgres::database_url();
    let original = serve_from_settings_with(&[ADA, EDDIE], &format!("state: \"{live_url}\"\n")).await;
    let wiki = &original.wiki;
    for n in 0..3 {
        let body = serde_json::json!({"markdown": format!("# Kept {n}\n")});
        let reply =
            api(wiki, "PUT", &format!("/-/api/pages/kept/p{n}"), Some(&original.tokens["eddie"]), Some(&body), &[])
                .await;
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    let eddie_session = browser::Browser::logged_in(wiki, EDDIE).await.session().expect("a session");
    let backups = tempfile::tempdir().expect("a temporary folder");
    let dest = backups.path().join("backup");
    let (settings, data) = (original.settings.to_str().unwrap(), wiki.data_dir());
    let output = run_lore(
        wiki.root(),
        &["backup", dest.to_str().unwrap(), "--config", settings, "--data", data.to_str().unwrap()],
    );
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "lore backup failed:\n{log}");
    assert!(log.contains("[1/4] State database (postgres)") && log.contains("state.pgdump"), "{log}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dest.join("manifest.json")).expect("a manifest")).expect("JSON");
    assert_eq!(manifest["state"], "postgres");
    let names: BTreeSet<&str> =
        manifest["files"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap()).collect();
    // No secret.key: nodes sharing a PostgreSQL state keep the key in the database, so the dump carries it.
    assert_eq!(names, BTreeSet::from(["lore.yaml", "state.pgdump", "wiki.bundle"]));
    // After the backup: a page and a token the restore must not have.
    let body = serde_json::json!({"markdown": "# Later\n"});
    let reply = api(wiki, "PUT", "/-/api/pages/later", Some(&original.tokens["eddie"]), Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let later_token = api(
        wiki,
        "POST",
        "/-/api/tokens",
        Some(&original.tokens["eddie"]),
        Some(&serde_json::json!({"name": "later"})),
        &[],
    )
    .await;
    let later_token = later_token.json()["token"].as_str().expect("a token").to_string();

    let restored_dir = tempfile::tempdir().expect("a temporary folder");
    let restored_data = restored_dir.path().join("data");
    let restore = |state: Option<&str>| {
        let mut args = vec!["restore", dest.to_str().unwrap(), "--data", restored_data.to_str().unwrap()];
        args.extend(state.iter().flat_map(|it| ["--state", *it]));
        run_lore(restored_dir.path(), &args)
    };
    // Without a database to load it into, into the live one (it holds Lore's state), nothing is written.
    for (state, says) in [(None, "--state"), (Some(live_url.as_str()), "already holds")] {
        let refused = restore(state);
        let log = String::from_utf8_lossy(&refused.stderr).into_owned();
        assert!(!refused.status.success() && log.contains(says), "{log}");
        assert!(!restored_data.exists(), "a refused restore left {}", restored_data.display());
    }
    let new_url = postgres::database_url();
    let output = restore(Some(&new_url));
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "lore restore failed:\n{log}");
    assert!(log.contains("change state: or pass --state"), "{log}");

    let mut config = lore::config::Config::load(&restored_data.join("lore.yaml")).expect("the restored settings");
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.data = restored_data.clone();
    config.state = Some(lore::state::PostgresUrl::parse(&new_url).expect("a URL"));
    let restored = TestWiki::serve_config(restored_dir, config).await;
    assert_eq!(restored.head(), manifest["head"].as_str().unwrap());
    for n in 0..3 {
        assert_eq!(restored.get(&format!("/-/raw/kept/p{n}.md")).await.text(), format!("# Kept {n}\n"));
    }
    assert_eq!(restored.get("/-/raw/later.md").await.status, 404, "a page saved after the backup");
    // Accounts, passwords, tokens and sessions as at the backup; the later token is not there.
    let browser = browser::Browser::logged_in(&restored, ADA).await;
    assert!(browser.session().is_some(), "Ada logs in with her password");
    let me = api(&restored, "GET", "/-/api/me", Some(&original.tokens["eddie"]), None, &[]).await;
    assert_eq!(me.json()["username"], "eddie", "{}", me.text());
    let cookie = format!("lore_session={eddie_session}");
    assert_eq!(restored.send("GET", "/-/api/me", &[("Cookie", &cookie)], "").await.json()["username"], "eddie");
    assert_eq!(api(&restored, "GET", "/-/api/me", Some(&later_token), None, &[]).await.status, 401);
    // The live database is untouched by all this.
    assert_eq!(api(wiki, "GET", "/-/api/me", Some(&later_token), None, &[]).await.status, 200);
}

// ---------------------------------------------------------------------------------------------------------
// Stopping

/// How one request ended when the server stopped: a whole answer, or a connection closed before any byte of
/// one (a clean refusal, which a client may retry).
#[derive(Debug)]
enum Ending {
    Answered(Reply),
    Refused,
}

/// Reads what came back on `stream` until the server closed it, and judges it: a half answer panics.
async fn ending(mut stream: tokio::net::TcpStream, what: &str) -> Ending {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(40), stream.read_to_end(&mut bytes)).await;
    let read = read.unwrap_or_else(|_| panic!("{what}: the server neither answered nor closed"));
    if bytes.is_empty() {
        // Closed or reset before a byte was sent: nothing half done.
        return Ending::Refused;
    }
    if let Err(err) = read {
        panic!("{what}: the connection broke after {} bytes of an answer: {err}", bytes.len());
    }
    let reply = parse_response(&bytes)
        .unwrap_or_else(|| panic!("{what}: a half answer: {:?}", String::from_utf8_lossy(&bytes)));
    if let Some(length) = reply.header("content-length") {
        assert_eq!(length.parse::<usize>().ok(), Some(reply.body.len()), "{what}: a body cut short");
    }
    Ending::Answered(reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_50_requests_finishes_them_or_refuses_cleanly_and_exits_0() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let mut server = LoreProcess::serve(dir.path(), &["--data", data.to_str().unwrap()]);
    let addr = server.addr;
    wait_for_history_index_at(&server.base_url).await;
    // 40 saves whose bodies are half sent (the handler is running, waiting for the rest), and 10 page views whose
    // headers are half sent (the server is still reading them).
    let mut saves = Vec::new();
    for n in 0..40 {
        let body = serde_json::json!({
            "markdown": format!("# In flight {n}\n\n{}\n", "Saved while the server stopped. ".repeat(40)),
            "author": {"name": "Ann Author", "email": "ann@example.com"},
        })
        .to_string();
        let head = format!(
            "PUT /-/api/pages/inflight/p{n} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head.as_bytes()).await.expect("send the head");
        stream.write_all(&body.as_bytes()[..body.len() / 2]).await.expect("send half the body");
        saves.push((stream, body));
    }
    let mut views = Vec::new();
    for _ in 0..10 {
        let request = format!("GET /guide/markdown HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.write_all(&request.as_bytes()[..20]).await.expect("send part of the head");
        views.push((stream, request));
    }
    // Waits until the gauge `name` of the server's metrics reaches `at_least` (the scrape counts itself).
    let gauge_reaches = async |name: &str, at_least: f64| {
        let value = retry_until(
            async || {
                let reply = get_url(&format!("{}/-/metrics", server.base_url)).await;
                value_of(&parse_metrics(&reply.text()).1, name, &[])
            },
            |value| *value >= at_least,
        )
        .await;
        assert!(value >= at_least, "{name} is only {value}");
    };
    // All fifty are open on the server's side (the scrape's own connection makes 51).
    gauge_reaches("lore_http_open_connections", 51.0).await;
    // And the server has read the saves' heads: their handlers run, waiting for the rest of the body (40, and
    // the scrape). An accepted connection whose head the server has not read yet is closed at SIGTERM,
    // unanswered: under a loaded machine that was a save refused here.
    gauge_reaches("lore_http_requests_in_flight", 41.0).await;

    server.terminate();
    // New connections are refused once the server stops accepting.
    let refused = retry_until(async || tokio::net::TcpStream::connect(addr).await.is_err(), |it| *it).await;
    assert!(refused, "the server kept accepting connections after SIGTERM");
    // Now the clients send the rest.
    let mut endings = Vec::new();
    for (n, (mut stream, body)) in saves.into_iter().enumerate() {
        // A connection the server closed may refuse the rest; reading tells what happened.
        let _ = stream.write_all(&body.as_bytes()[body.len() / 2..]).await;
        endings.push(tokio::spawn(async move { (format!("save {n}"), ending(stream, &format!("save {n}")).await) }));
    }
    for (n, (mut stream, request)) in views.into_iter().enumerate() {
        let _ = stream.write_all(&request.as_bytes()[20..]).await;
        endings.push(tokio::spawn(async move { (format!("view {n}"), ending(stream, &format!("view {n}")).await) }));
    }
    let mut n_saved = 0;
    let mut n_answered = 0;
    for ending in endings {
        let (what, ending) = ending.await.expect("the reader ran");
        match ending {
            Ending::Answered(reply) => {
                n_answered += 1;
                if what.starts_with("save") {
                    assert_eq!(reply.status, 201, "{what}: {}", reply.text());
                    assert!(reply.json()["commit"].is_string(), "{what}: {}", reply.text());
                    n_saved += 1;
                } else {
                    assert!([200, 503].contains(&reply.status), "{what}: {} {}", reply.status, reply.text());
                }
            }
            Ending::Refused => assert!(what.starts_with("view"), "{what} was under way, yet refused"),
        }
    }
    assert_eq!(n_saved, 40, "every save under way finished");
    assert!(n_answered >= 40);
    let status = tokio::task::spawn_blocking(move || {
        let status = server.wait_for_exit(std::time::Duration::from_secs(45));
        (status, server.log())
    })
    .await
    .expect("waited");
    let (status, log) = status;
    let status = status.unwrap_or_else(|| panic!("the server did not exit within 45 s:\n{log}"));
    assert_eq!(status.code(), Some(0), "exit status {status}:\n{log}");
    assert!(log.contains("stopped"), "{log}");
    // Every save that was answered is in git.
    let repo = data.join("wiki.git");
    let files = git_in(&repo, &["ls-tree", "-r", "--name-only", "HEAD", "inflight/"]);
    assert_eq!(files.lines().count(), 40, "{files}");
    git_in(&repo, &["fsck", "--no-progress"]);
}

// ---------------------------------------------------------------------------------------------------------
// Packaging (scripts/deb-check builds, installs and checks the package itself; these check its parts)

fn packaging(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging").join(path)
}

#[test]
fn packaged_unit_passes_systemd_analyze_verify() {
    if std::process::Command::new("systemd-analyze").arg("--version").output().is_err() {
        // scripts/test installs it on Debian; elsewhere (macOS, a distribution without systemd) there is none.
        eprintln!("skipped: systemd-analyze is not installed (Debian: apt-get install systemd)");
        return;
    }
    let unit = std::fs::read_to_string(packaging("debian/lore.service")).expect("the unit");
    for directive in [
        "User=lore",
        "ExecStart=/usr/bin/lore serve --config /etc/lore/lore.yaml",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "ReadWritePaths=/var/lib/lore",
        "KillSignal=SIGTERM",
    ] {
        assert!(unit.lines().any(|it| it == directive), "the unit lacks {directive}");
    }
    // verify checks that ExecStart's program exists: point it at the binary just built.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let copy = dir.path().join("lore.service");
    std::fs::write(&copy, unit.replace("/usr/bin/lore", env!("CARGO_BIN_EXE_lore"))).expect("write the unit");
    let output = std::process::Command::new("systemd-analyze").arg("verify").arg(&copy).output().expect("runs");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    // It warns about directives it ignores and still exits 0: a warning fails this test too.
    assert!(output.status.success() && said.trim().is_empty(), "systemd-analyze verify: {}\n{said}", output.status);
}

#[test]
fn packaged_settings_are_valid_and_keep_lore_on_loopback() {
    let config = lore::config::Config::load(&packaging("lore.yaml")).expect("packaging/lore.yaml reads");
    assert_eq!(config.data, std::path::PathBuf::from("/var/lib/lore"));
    assert!(config.listen.ip().is_loopback());
    assert_eq!(config.auth.mode, lore::auth::AuthMode::Local);
    assert!(config.metrics_allow.iter().any(|it| it.contains("127.0.0.1".parse().unwrap())));
    // Every file the package ships exists.
    let manifest =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let assets = manifest.split("assets = [").nth(1).expect("deb assets").split("\n]").next().unwrap();
    for line in assets.lines().filter(|it| it.trim_start().starts_with("[\"")) {
        let source = line.trim_start().trim_start_matches("[\"").split('"').next().unwrap();
        if !source.starts_with("target/") {
            assert!(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(source).is_file(), "no {source}");
        }
    }
}

// Loose objects in a repository's object folder (those git has not packed).
fn loose_objects(git_dir: &std::path::Path) -> usize {
    let folders = std::fs::read_dir(git_dir.join("objects")).expect("the object folder").flatten();
    let fanned = folders.filter(|it| it.file_name().len() == 2).map(|it| it.path());
    fanned.map(|it| std::fs::read_dir(it).map_or(0, Iterator::count)).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_packs_the_loose_objects_its_saves_leave() {
    // A wiki committed with git leaves every object loose: well past the server's threshold of 1,000 (which
    // git estimates from one of the 256 object folders: 9 of these 3,000 pages' blobs are in `objects/17`).
    let pages: Vec<(String, String)> = (0..3_000).map(|i| (format!("p{i}.md"), format!("# Page {i}\n"))).collect();
    let files: Vec<(&str, &str)> = pages.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
    let wiki = Fixture::with_files(&files).serve().await;
    let before = loose_objects(&wiki.git_dir);
    assert!(before > 3_000, "{before} loose objects");
    // The housekeeping runs every 100 moves of the branch, here 100 saves through the API.
    let save = async |i: usize| {
        let markdown = format!("# New {i}\n\nSaved.\n");
        let reply = wiki.put_page(&format!("new-{i}.md"), &serde_json::json!({ "markdown": markdown }), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
    };
    for i in 0..100 {
        save(i).await;
    }
    // Moves that come close together may reach the housekeeper as one: a few more saves, a second apart, make
    // up for any it did not count. Packed, a few hundred objects at most stay loose (those of saves made
    // while git was packing).
    let (mut saved, started) = (100, std::time::Instant::now());
    while loose_objects(&wiki.git_dir) > 200 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{} loose", loose_objects(&wiki.git_dir));
        if started.elapsed() > std::time::Duration::from_secs(saved as u64 - 99) && saved < 130 {
            save(saved).await;
            saved += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Packed, the wiki reads as before, and git finds nothing wrong.
    assert!(wiki.get("/new-7").await.text().contains("Saved."));
    assert!(wiki.get("/p1400").await.text().contains("Page 1400"));
    git_in(&wiki.git_dir, &["fsck", "--no-progress"]);
}
