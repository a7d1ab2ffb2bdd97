//! The people-state database, `<data>/lore.db` (docs/ACCOUNTS.md): the files an older Lore kept
//! (`accounts.json`, `token-usage.json`, `sessions.json`, `pushlog.jsonl`) are imported on the first start, so
//! old passwords, tokens and login cookies keep working and the files stay, renamed; a database written by a
//! newer Lore is refused with a message that says so; and the command line and the running server share the
//! database: both write at once without failing, and a token revoked on the command line fails the server's
//! next request.
//!
//! Every test that touches the database runs twice: on SQLite (`<data>/lore.db`) and on a PostgreSQL database
//! of the tests' own server (`state: postgres://…`, see `common::postgres`).
//!
//! The old files are written here in the exact shape older versions wrote them (the same JSON fields, the same
//! argon2id hashes, SHA-256 of tokens and session ids, HMAC-signed cookies), so the test would catch an
//! import that drops or reinterprets anything.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use hmac::Mac;
use serde_json::json;
use sha2::Digest;

use crate::common::browser::Browser;
use crate::common::*;
use lore::auth::{Accounts, AuthMode};
use lore::config::Config;
use lore::state::{PostgresUrl, StateLocation};

/// The state database a test runs on: SQLite in the data folder, or a fresh PostgreSQL database.
#[derive(Clone)]
struct Engine {
    postgres: Option<String>,
}

impl Engine {
    fn sqlite() -> Engine {
        Engine { postgres: None }
    }

    fn postgres() -> Engine {
        Engine { postgres: Some(postgres::database_url()) }
    }

    fn location(&self) -> StateLocation {
        match &self.postgres {
            Some(url) => StateLocation::Postgres(PostgresUrl::parse(url).expect("a valid URL")),
            None => StateLocation::Embedded,
        }
    }

    fn configure(&self, config: &mut Config) {
        config.state = self.postgres.as_deref().map(|url| PostgresUrl::parse(url).expect("a valid URL"));
    }

    /// `args` for the command line, with `--state URL` when the database is PostgreSQL.
    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut res = args.to_vec();
        if let Some(url) = &self.postgres {
            res.extend(["--state", url.as_str()]);
        }
        res
    }

    fn accounts(&self, data: &Path) -> Accounts {
        Accounts::open_at(data, &self.location()).expect("the account store")
    }
}

/// `name::sqlite` and `name::postgres`, each running `check(engine)`.
macro_rules! on_both_engines {
    ($name:ident, async $check:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$check(super::Engine::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$check(super::Engine::postgres()).await;
            }
        }
    };
    ($name:ident, $check:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$check(super::Engine::sqlite());
            }

            #[test]
            fn postgres() {
                super::$check(super::Engine::postgres());
            }
        }
    };
}

const PASSWORD: &str = "correct horse battery staple";
/// A personal token an older Lore handed out (`lore_` and 40 hex characters).
const OLD_TOKEN: &str = "lore_00112233445566778899aabbccddeeff00112233";
/// The session-signing key in `secret.key` (64 hex characters; the key is the text, as Lore reads it).
const SECRET_KEY: &str = "5ec12e75ec12e75ec12e75ec12e75ec12e75ec12e75ec12e75ec12e75ec12e7a";
/// The id of a login session an older Lore started (64 hex characters).
const OLD_SESSION_ID: &str = "5e5510115e5510115e5510115e5510115e5510115e5510115e5510115e551011";
const OLD_FILES: [&str; 4] = ["accounts.json", "token-usage.json", "sessions.json", "pushlog.jsonl"];

fn sha256_hex(text: &str) -> String {
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|it| format!("{it:02x}")).collect()
}

/// The cookie value a browser kept: `<id>.<HMAC-SHA256 of the id under the key>`.
fn signed_cookie(id: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET_KEY.as_bytes()).expect("any key length");
    mac.update(id.as_bytes());
    format!("{id}.{}", hex(&mac.finalize().into_bytes()))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

/// Writes the data folder an older Lore left: two accounts (Eddie, and Dora whom an admin disabled), Eddie's
/// token with its last use, his live login session and an expired one, and a push log with a line cut short
/// by a crash. Returns what each file held.
fn write_old_data_folder(data: &Path, pushed_commit: &str) -> Vec<(String, Vec<u8>)> {
    std::fs::create_dir_all(data).expect("create the data folder");
    let hash = lore::auth::accounts::hash_password(PASSWORD).expect("hash the password");
    let accounts = json!({
        "users": {
            "dora": {
                "username": "dora", "name": "Dora Disabled", "email": "dora@example.com", "role": "editor",
                "groups": [], "password_hash": hash, "disabled": true, "session_epoch": 1,
                "created_at": 1_700_000_100,
            },
            "eddie": {
                "username": "eddie", "name": "Eddie Editor", "email": "eddie@example.com", "role": "editor",
                "groups": ["hr", "legal"], "password_hash": hash, "disabled": false, "session_epoch": 2,
                "created_at": 1_700_000_000,
            },
            "proxied": {
                "username": "proxied", "name": "Pat Proxied", "email": "pat@example.com", "role": "reader",
                "groups": [], "disabled": false, "session_epoch": 0, "created_at": 1_700_000_200,
            },
        },
        "tokens": {
            "a1b2c3d4e5f6": {
                "username": "eddie", "name": "laptop", "sha256": sha256_hex(OLD_TOKEN), "created_at": 1_700_000_500,
            },
        },
    });
    let token_usage = json!({ "a1b2c3d4e5f6": 1_700_000_900 });
    let sessions = json!({
        sha256_hex(OLD_SESSION_ID): {
            "username": "eddie", "epoch": 2, "created_at": now() - 60, "expires_at": now() + 3600,
        },
        sha256_hex(&"e".repeat(64)): {
            "username": "eddie", "epoch": 2, "created_at": now() - 7200, "expires_at": now() - 3600,
        },
    });
    let push_log = format!(
        "{}\n{{\"time\":1700001000,\"username\":\"ann\",\"comm",
        json!({ "time": 1_700_000_950, "username": "eddie", "commits": [pushed_commit] })
    );
    let files = [
        ("accounts.json", serde_json::to_vec_pretty(&accounts).expect("json")),
        ("token-usage.json", serde_json::to_vec(&token_usage).expect("json")),
        ("sessions.json", serde_json::to_vec(&sessions).expect("json")),
        ("pushlog.jsonl", push_log.into_bytes()),
        ("secret.key", SECRET_KEY.as_bytes().to_vec()),
        ("accounts.lock", Vec::new()),
    ];
    let mut res = Vec::new();
    for (name, bytes) in files {
        std::fs::write(data.join(name), &bytes).unwrap_or_else(|err| panic!("write {name}: {err}"));
        res.push((name.to_string(), bytes));
    }
    res
}

async fn me(wiki: &TestWiki, token: &str) -> Reply {
    wiki.send("GET", "/-/api/me", &[("Authorization", &format!("Bearer {token}"))], String::new()).await
}

async fn log_in(wiki: &TestWiki, username: &str, password: &str) -> Reply {
    let mut browser = Browser::new(wiki, "/-/login");
    let csrf = browser.csrf_token().await;
    let fields = [("username", username), ("password", password), ("csrf_token", &csrf), ("next", "/")];
    browser.post_form("/-/login", &fields).await
}

fn run_ok(cwd: &Path, args: &[&str]) -> String {
    let output = run_lore(cwd, args);
    assert!(
        output.status.success(),
        "lore {args:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

on_both_engines!(
    the_json_files_of_an_older_lore_are_imported_and_every_password_token_and_session_still_works,
    async check_old_files_are_imported
);

async fn check_old_files_are_imported(engine: Engine) {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n\nWelcome.\n")]);
    let pushed = fixture.git(&["rev-parse", "HEAD"]);
    let bare = fixture.bare_clone();
    let mut old_files = Vec::new();
    let wiki = TestWiki::managed_with(|config| {
        config.repo = Some(bare);
        config.auth.mode = AuthMode::Local;
        config.auth.anonymous_read = false;
        engine.configure(config);
        old_files = write_old_data_folder(&config.data, &pushed);
    })
    .await;
    let data = wiki.data_dir();

    let login = log_in(&wiki, "eddie", PASSWORD).await;
    assert_eq!(login.status, 303, "the old password does not log in: {}", login.text());
    let login = log_in(&wiki, "dora", PASSWORD).await;
    assert_eq!(login.status, 401, "a disabled account came back enabled: {}", login.text());

    let reply = me(&wiki, OLD_TOKEN).await;
    assert_eq!(reply.status, 200, "the old token does not work: {}", reply.text());
    let me_json = reply.json();
    assert_eq!(me_json["username"], "eddie", "{me_json}");
    assert_eq!(me_json["name"], "Eddie Editor", "{me_json}");
    assert_eq!(me_json["email"], "eddie@example.com", "{me_json}");
    assert_eq!(me_json["groups"], json!(["hr", "legal"]), "{me_json}");

    let mut browser = Browser::new(&wiki, "/-/login");
    browser.insert_cookie("lore_session", &signed_cookie(OLD_SESSION_ID));
    let reply = browser.get("/-/api/me").await;
    assert_eq!(reply.status, 200, "the old login session does not work: {}", reply.text());
    assert_eq!(reply.json()["username"], "eddie");
    let mut expired = Browser::new(&wiki, "/-/login");
    expired.insert_cookie("lore_session", &signed_cookie(&"e".repeat(64)));
    assert_eq!(expired.get("/-/api/me").await.status, 401, "an expired session came back");

    let tokens = wiki
        .send("GET", "/-/api/tokens", &[("Authorization", &format!("Bearer {OLD_TOKEN}"))], String::new())
        .await
        .json();
    let token = &tokens[0];
    assert_eq!(
        (&token["id"], &token["name"], &token["created_at"]),
        (&json!("a1b2c3d4e5f6"), &json!("laptop"), &json!(1_700_000_500)),
        "{tokens}"
    );
    assert!(token["last_used_at"].as_i64().is_some_and(|it| it >= 1_700_000_900), "the last use was lost: {tokens}");

    let listed = run_ok(wiki.root(), &engine.args(&["user", "list", "--data", &data.display().to_string()]));
    for expected in
        ["eddie\teditor\tEddie Editor <eddie@example.com>\thr,legal", "dora\teditor", "(disabled)", "proxied\treader"]
    {
        assert!(listed.contains(expected), "lore user list lacks {expected:?}:\n{listed}");
    }
    let accounts = engine.accounts(&data);
    let eddie = accounts.user("eddie").expect("the store reads").expect("eddie");
    assert_eq!((eddie.session_epoch, eddie.created_at), (2, 1_700_000_000));
    assert_eq!(accounts.user("proxied").expect("the store reads").expect("proxied").password_hash, None);
    let auth = lore::auth::Auth::open_at(&lore::auth::AuthConfig::default(), &data, &engine.location())
        .expect("the stores open");
    let commit = lore::store::ObjectId::from_str(&pushed).expect("a commit id");
    assert_eq!(auth.push_log.pusher(commit).as_deref(), Some("eddie"), "the push log was lost");

    for (name, bytes) in &old_files {
        let path = data.join(name);
        if OLD_FILES.contains(&name.as_str()) {
            assert!(!path.exists(), "{name} is still in place after the import");
            let kept = std::fs::read(data.join(format!("{name}.migrated")))
                .unwrap_or_else(|err| panic!("{name} was not kept as {name}.migrated: {err}"));
            assert_eq!(&kept, bytes, "{name}.migrated differs from what the older Lore wrote");
        }
    }
    assert!(!data.join("accounts.lock").exists(), "the old lock file is left behind");
    assert!(data.join("secret.key").exists(), "the session key was moved: old cookies would stop working");
}

on_both_engines!(a_crash_between_the_import_and_the_renames_imports_nothing_twice, check_crash_before_renames);

fn check_crash_before_renames(engine: Engine) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let old_files = write_old_data_folder(&data, &"c".repeat(40));
    drop(engine.accounts(&data));
    let data_arg = data.display().to_string();
    run_ok(dir.path(), &engine.args(&["user", "role", "eddie", "admin", "--data", &data_arg]));
    // The files are back where they were, as if the process died after the commit and before the renames.
    for (name, bytes) in old_files.iter().filter(|(name, _)| OLD_FILES.contains(&name.as_str())) {
        std::fs::remove_file(data.join(format!("{name}.migrated"))).expect("remove the renamed file");
        std::fs::write(data.join(name), bytes).expect("put the old file back");
    }
    let listed = run_ok(dir.path(), &engine.args(&["user", "list", "--data", &data_arg]));
    assert!(listed.contains("eddie\tadmin"), "the old file was imported again over a later change:\n{listed}");
    assert_eq!(listed.lines().count(), 3, "{listed}");
    for name in OLD_FILES {
        assert!(!data.join(name).exists(), "{name} was not renamed on the next start");
        assert!(data.join(format!("{name}.migrated")).exists(), "{name}.migrated is missing");
    }
}

#[test]
fn a_damaged_accounts_file_stops_the_start_and_nothing_is_imported_or_renamed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    write_old_data_folder(&data, &"c".repeat(40));
    std::fs::write(data.join("accounts.json"), "{\"users\": {\"eddie\": ").expect("damage accounts.json");
    let output = run_lore(dir.path(), &["user", "list", "--data", &data.display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a damaged accounts.json was ignored");
    assert!(stderr.contains("accounts.json") && stderr.contains("damaged"), "the error does not say why:\n{stderr}");
    for name in OLD_FILES {
        assert!(data.join(name).exists(), "{name} was renamed although nothing was imported");
    }
}

impl Engine {
    /// Sets the schema version the database keeps (SQLite's header, or PostgreSQL's `lore_schema`), as a newer
    /// Lore's migration would.
    fn set_schema_version(&self, data: &Path, version: i64) {
        match &self.postgres {
            Some(url) => {
                postgres::psql(url, &format!("UPDATE lore_schema SET version = {version}"));
            }
            None => {
                let connection = rusqlite::Connection::open(data.join("lore.db")).expect("open lore.db");
                connection.pragma_update(None, "user_version", version).expect("set user_version");
            }
        }
    }

    fn schema_version(&self, data: &Path) -> i64 {
        match &self.postgres {
            Some(url) => postgres::psql(url, "SELECT version FROM lore_schema").parse().expect("a number"),
            None => {
                let connection = rusqlite::Connection::open(data.join("lore.db")).expect("open lore.db");
                connection.query_row("PRAGMA user_version", [], |row| row.get(0)).expect("read user_version")
            }
        }
    }
}

on_both_engines!(a_database_from_a_newer_lore_is_refused_and_the_message_says_to_upgrade, check_newer_database_refused);

fn check_newer_database_refused(engine: Engine) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    drop(engine.accounts(&data));
    let known = engine.schema_version(&data);
    assert!(known >= 1, "a new database has no schema version");
    engine.set_schema_version(&data, known + 1);

    let data_arg = data.display().to_string();
    for args in [
        vec!["serve", "--listen", "127.0.0.1:0", "--data", &data_arg],
        vec!["user", "list", "--data", &data_arg],
        vec!["token", "list", "--data", &data_arg],
    ] {
        let args = engine.args(&args);
        let started = Instant::now();
        let output = run_lore(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "lore {args:?} ran on a newer database:\n{stderr}");
        assert!(started.elapsed() < Duration::from_secs(30), "lore {args:?} took long to refuse");
        for expected in [format!("schema version {}", known + 1), format!("up to {known}"), "upgrade Lore".into()] {
            assert!(stderr.contains(&expected), "lore {args:?} does not say {expected:?}:\n{stderr}");
        }
    }
    assert_eq!(engine.schema_version(&data), known + 1, "the refused database was changed");
}

on_both_engines!(
    the_command_line_writes_while_the_server_serves_and_a_revoked_token_fails_the_next_request,
    async check_command_line_and_server_share_the_database
);

async fn check_command_line_and_server_share_the_database(engine: Engine) {
    let mut tokens = Vec::new();
    let wiki = TestWiki::managed_with(|config| {
        config.auth.mode = AuthMode::Local;
        config.auth.anonymous_read = false;
        engine.configure(config);
        let accounts = engine.accounts(&config.data);
        let eddie = crate::common::editor_eddie(PASSWORD);
        accounts.add_user(eddie).expect("add eddie");
        for name in ["kept", "doomed"] {
            tokens.push(accounts.create_token("eddie", name).expect("a token"));
        }
    })
    .await;
    let (_, kept) = tokens[0].clone();
    let (doomed_id, doomed) = tokens[1].clone();
    let root = wiki.root().to_path_buf();
    let data = wiki.data_dir().display().to_string();

    // The command line adds accounts and tokens while the server answers requests and starts sessions.
    let cli_engine = engine.clone();
    let cli = tokio::task::spawn_blocking(move || {
        let engine = cli_engine;
        for n in 0..4 {
            let username = format!("user{n}");
            let email = format!("user{n}@example.com");
            run_ok(
                &root,
                &engine.args(&[
                    "user",
                    "add",
                    &username,
                    "--name",
                    &username,
                    "--email",
                    &email,
                    "--no-password",
                    "--data",
                    &data,
                ]),
            );
            run_ok(&root, &engine.args(&["token", "create", "eddie", "--name", &format!("cli {n}"), "--data", &data]));
        }
    });
    let mut statuses = Vec::new();
    let mut n_requests = 0;
    while !cli.is_finished() {
        let reply = me(&wiki, &kept).await;
        statuses.push(format!("token: {}", reply.status));
        if n_requests % 4 == 0 {
            statuses.push(format!("login: {}", log_in(&wiki, "eddie", PASSWORD).await.status));
        }
        n_requests += 1;
    }
    cli.await.expect("the command line ran");
    let failed: Vec<&String> = statuses.iter().filter(|it| !it.ends_with("200") && !it.ends_with("303")).collect();
    assert!(failed.is_empty(), "requests failed while the command line wrote: {failed:?}");
    assert!(n_requests > 0, "no request ran while the command line wrote");

    assert_eq!(me(&wiki, &doomed).await.status, 200, "the token works before it is revoked");
    let data = wiki.data_dir().display().to_string();
    run_ok(wiki.root(), &engine.args(&["token", "revoke", &doomed_id, "--data", &data]));
    let reply = me(&wiki, &doomed).await;
    assert_eq!(reply.status, 401, "a token revoked on the command line still works: {}", reply.text());
    assert_eq!(me(&wiki, &kept).await.status, 200, "revoking one token revoked another");
    let listed = run_ok(wiki.root(), &engine.args(&["user", "list", "--data", &data]));
    assert_eq!(listed.lines().count(), 5, "{listed}");
}
