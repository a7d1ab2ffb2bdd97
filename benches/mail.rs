//! The mail queue's throughput (issue 14: at least 50 messages/s to the local SMTP server). Starts Debian's
//! aiosmtpd on a loopback port (writing a Maildir, as the tests do), fills a state store with inbox deliveries
//! the way the notifier does (mentions: instant mail by default), and times `Delivery::send_instant_mail`, which
//! claims, builds, sends and marks every message, until the SMTP server has them all.
//!
//! Run: `cargo bench --bench mail` (release), or `cargo bench --profile dev --bench mail` for the debug build.
//! `MESSAGES=2000` changes the count. Figures: docs/BENCHMARKS.md.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lore::auth::{Auth, NewUser, Role};
use lore::config::{Config, DigestHour, MailConfig, SmtpUrl};
use lore::delivery::Delivery;
use lore::state::EventRecord;

const PEOPLE: usize = 20;

fn main() {
    let n_messages: usize = std::env::var("MESSAGES").ok().and_then(|it| it.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let maildir = dir.path().join("maildir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|it| it.local_addr()).expect("a free port").port();
    let mut smtp = Command::new(python_with_aiosmtpd())
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts (apt-get install python3-aiosmtpd)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let data = dir.path().join("data");
    let config = Config {
        data: data.clone(),
        mail: Some(MailConfig {
            smtp_url: SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}")).expect("an SMTP address"),
            from: "Lore <lore@example.com>".into(),
            user: None,
            password: None,
            digest_hour: DigestHour::default(),
        }),
        ..Config::default()
    };
    let auth = Arc::new(Auth::open(&config.auth, &data).expect("the state store opens"));
    for n in 0..PEOPLE {
        auth.accounts
            .add_user(NewUser {
                username: format!("user{n}"),
                name: format!("User {n}"),
                email: format!("user{n}@example.com"),
                role: Role::Editor,
                groups: Vec::new(),
                password: None,
            })
            .expect("accounts are added");
    }
    let now = chrono::Utc::now().timestamp();
    auth.state
        .write(|tx| {
            tx.set_meta("mail_since", &(now - 60).to_string())?;
            for i in 0..n_messages.div_ceil(PEOPLE) {
                let event = EventRecord {
                    id: format!("event{i}"),
                    commit_id: format!("commit{i}"),
                    kind: "mentioned".into(),
                    path: "team/rota.md".into(),
                    title: format!("Rota {i}"),
                    url: "/team/rota".into(),
                    actor_name: "Dan".into(),
                    actor_email: "dan@example.com".into(),
                    at: now,
                    summary: "Moved the Monday shift to Tuesday, and asked who takes Friday.".into(),
                    tags: vec!["ops".into()],
                };
                tx.insert_event(&event)?;
                for n in 0..PEOPLE {
                    tx.deliver(&format!("user{n}"), &event, "mention", 0)?;
                }
            }
            Ok(())
        })
        .expect("deliveries are written");
    let total = n_messages.div_ceil(PEOPLE) * PEOPLE;

    let messages = std::sync::Arc::new(lore::i18n::Messages::load(None).expect("the default theme's messages load"));
    let delivery = Delivery::new(&config, auth, "https://wiki.example.com", messages).expect("delivery sets up");
    let started = Instant::now();
    let sent = delivery.send_instant_mail().expect("mail goes out");
    let elapsed = started.elapsed();
    let received = std::fs::read_dir(maildir.join("new")).map_or(0, Iterator::count);
    let _ = smtp.kill();
    let _ = smtp.wait();
    assert_eq!(sent, total, "the SMTP server accepted {sent} of {total}");
    assert_eq!(received, total, "the Maildir holds {received} of {total}");
    println!(
        "mail queue: {total} messages in {:.2} s = {:.0} messages/s (claimed, built, sent over SMTP, marked sent)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
}

fn python_with_aiosmtpd() -> &'static str {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|python| {
            Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|it| it.success())
        })
        .expect("a python3 with aiosmtpd (apt-get install python3-aiosmtpd)")
}
