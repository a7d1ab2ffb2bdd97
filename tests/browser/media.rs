//! Recordings and offline reading in a real browser: seeking a recording makes Chromium ask for a range and
//! Lore answer 206, and pages read online stay readable offline, labelled as offline copies, for the person
//! who read them only.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say so.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::*;
use crate::webdriver::{Browser, PATIENCE};
use lore::auth::{Accounts, AuthMode};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// A WAV file of `seconds` of a quiet tone, 16-bit mono at 22,050 Hz (44 KB a second): made here, so the test
/// needs no media tools and no file of unknown origin.
fn wav(seconds: u32) -> Vec<u8> {
    const RATE: u32 = 22_050;
    let n_samples = RATE * seconds;
    let data_len = n_samples * 2;
    let mut res = Vec::with_capacity(44 + data_len as usize);
    res.extend_from_slice(b"RIFF");
    res.extend_from_slice(&(36 + data_len).to_le_bytes());
    res.extend_from_slice(b"WAVEfmt ");
    res.extend_from_slice(&16u32.to_le_bytes());
    res.extend_from_slice(&1u16.to_le_bytes()); // PCM
    res.extend_from_slice(&1u16.to_le_bytes()); // mono
    res.extend_from_slice(&RATE.to_le_bytes());
    res.extend_from_slice(&(RATE * 2).to_le_bytes());
    res.extend_from_slice(&2u16.to_le_bytes());
    res.extend_from_slice(&16u16.to_le_bytes());
    res.extend_from_slice(b"data");
    res.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..n_samples {
        // A 441 Hz triangle wave at a tenth of full scale.
        let phase = (i % 50) as i32;
        let sample = (if phase < 25 { phase } else { 50 - phase } - 12) * 250;
        res.extend_from_slice(&(sample as i16).to_le_bytes());
    }
    res
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeking_a_recording_asks_for_a_range_and_gets_206() {
    let fixture = Fixture::new();
    fixture
        .write("index.md", "# Home\n")
        .write("talks/index.md", "# Talks\n\n![Weekly sync](sync.wav)\n")
        .write("talks/sync.wav", wav(240));
    fixture.commit(ANN, "Add a recording");
    let wiki = fixture.serve().await;
    let browser = Browser::start_logging_network().await;
    browser.goto(&wiki.url("/talks/")).await;
    let player = browser.find(".page-body audio").await;
    assert_eq!(browser.property(&player, "preload").await, "metadata");
    let duration = browser
        .wait_for("the player to read the recording's length", PATIENCE, async || {
            let duration = browser.execute("return arguments[0].duration;", vec![Browser::arg(&player)]).await;
            duration.as_f64().filter(|it| it.is_finite() && *it > 0.0)
        })
        .await;
    assert!((duration - 240.0).abs() < 0.5, "the recording is 240 s long, the player says {duration}");

    // Seek near the end: bytes the player has not loaded yet (preload is metadata only).
    browser
        .execute(
            "window.seeked = false; arguments[0].addEventListener('seeked', () => { window.seeked = true; }); \
             arguments[0].currentTime = 200; return true;",
            vec![Browser::arg(&player)],
        )
        .await;
    browser
        .wait_for("the seek to finish", PATIENCE, async || {
            let state = browser
                .execute(
                    "const a = arguments[0]; return window.seeked && !a.seeking && a.readyState >= 2 \
                     ? [a.currentTime, a.seekable.length ? a.seekable.end(0) : 0] : null;",
                    vec![Browser::arg(&player)],
                )
                .await;
            state.as_array().cloned()
        })
        .await
        .iter()
        .zip(["currentTime", "seekable end"])
        .for_each(|(value, what)| {
            let value = value.as_f64().unwrap_or_default();
            assert!(value >= 199.5, "{what} is {value}: the player could not seek");
        });

    // Chromium asked for the bytes at the new position, and Lore sent just those.
    let responses: Vec<(u64, String)> = browser
        .network_log()
        .await
        .iter()
        .filter(|event| event["method"] == "Network.responseReceived")
        .map(|event| &event["params"]["response"])
        .filter(|response| response["url"].as_str().is_some_and(|it| it.ends_with("/talks/sync.wav")))
        .map(|response| (response["status"].as_u64().unwrap_or_default(), header_of(response, "content-range")))
        .collect();
    let total = wav(240).len();
    let from_the_middle = responses.iter().find(|(status, range)| {
        *status == 206
            && range.ends_with(&format!("/{total}"))
            && range.strip_prefix("bytes ").and_then(|it| it.split('-').next()?.parse::<usize>().ok()) > Some(total / 2)
    });
    assert!(from_the_middle.is_some(), "no 206 for the bytes after the seek; the player got {responses:?}");
    browser.quit().await;
}

fn header_of(response: &Value, name: &str) -> String {
    response["headers"]
        .as_object()
        .and_then(|headers| headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)))
        .and_then(|(_, value)| value.as_str())
        .unwrap_or_default()
        .to_string()
}

const PASSWORD: &str = "correct horse battery staple";
const ROTA: &str = "# Rota\n\nWho is on call this week: Ann.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_read_online_are_readable_offline_labelled_and_forgotten_at_logout() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n\nWelcome.\n"), ("team/rota.md", ROTA)]);
    let bare = fixture.bare_clone();
    let wiki = TestWiki::managed_with(|config| {
        config.repo = Some(bare);
        config.auth.mode = AuthMode::Local;
        std::fs::create_dir_all(&config.data).expect("create the data folder");
        let accounts = Accounts::open(&config.data).expect("the account store opens");
        let eddie = crate::common::editor_eddie(PASSWORD);
        accounts.add_user(eddie).expect("add eddie");
    })
    .await;
    // Chromium reaches the wiki through a connection that the test can cut, as a phone loses its network.
    let network = Network::start(wiki.addr).await;
    let url = |path: &str| format!("http://{}{path}", network.addr);
    let browser = Browser::start().await;

    browser.goto(&url("/-/login")).await;
    browser.type_into(&browser.find("#login-username").await, "eddie").await;
    browser.type_into(&browser.find("#login-password").await, PASSWORD).await;
    browser.click(&browser.find("form[action='/-/login'] button[type=submit]").await).await;
    browser
        .wait_for("the login to finish", PATIENCE, async || (browser.current_url().await == url("/")).then_some(()))
        .await;
    // The service worker takes charge of the page (127.0.0.1 is a secure context).
    browser
        .wait_for("the service worker to control the page", PATIENCE, async || {
            let controlled = browser.execute("return !!navigator.serviceWorker.controller;", vec![]).await;
            (controlled == true).then_some(())
        })
        .await;
    for path in ["/team/rota", "/-/account", "/"] {
        browser.goto(&url(path)).await;
    }
    let kept = browser
        .wait_for("the pages read to be kept", PATIENCE, async || {
            let kept = kept_pages(&browser).await;
            (kept.contains(&url("/team/rota")) && kept.contains(&url("/"))).then_some(kept)
        })
        .await;
    assert!(!kept.iter().any(|it| it.contains("/-/account")), "the account page was kept: {kept:?}");
    let copy = browser
        .execute_async(
            "caches.open('lore-offline-pages-v1').then((c) => c.match(arguments[0])).then((r) => r.text())\
             .then(arguments[arguments.length - 1]);",
            vec![json!(url("/team/rota"))],
        )
        .await;
    let copy = copy.as_str().unwrap_or_default();
    assert!(copy.contains("Who is on call this week"), "{copy}");
    assert!(!copy.contains("Eddie Editor") && !copy.contains("csrf_token"), "the copy keeps personal links:\n{copy}");

    // Offline: the page kept is there, labelled; the account page is not.
    network.cut();
    browser.goto(&url("/team/rota")).await;
    let banner = browser.find(".offline-banner").await;
    let label = browser.text(&banner).await;
    assert!(label.starts_with("Offline copy from "), "{label}");
    let body = browser.text(&browser.find(".page-body").await).await;
    assert!(body.contains("Who is on call this week: Ann."), "{body}");
    browser.goto(&url("/-/account")).await;
    let heading = browser.text(&browser.find("h1").await).await;
    assert_eq!(heading, "You are offline");
    let page = browser.execute("return document.body.innerText;", vec![]).await;
    assert!(!page.as_str().unwrap_or_default().contains("Eddie Editor"), "{page}");
    assert!(browser.try_find("css selector", "a[href$='/team/rota']").await.is_some(), "the kept pages are listed");

    // Back online, logging out forgets every page kept for Eddie.
    network.restore();
    browser.goto(&url("/team/rota")).await;
    assert!(browser.try_find("css selector", ".offline-banner").await.is_none(), "online pages carry no label");
    browser.click(&browser.find("form.logout-form button").await).await;
    // A script run while the logout's navigation is under way is cut short by it, so the page it lands on is
    // awaited first.
    browser
        .wait_for("the logout to land on the front page", PATIENCE, async || {
            let landed = browser.current_url().await == url("/")
                && browser.try_find("css selector", "form.logout-form").await.is_none();
            landed.then_some(())
        })
        .await;
    browser
        .wait_for("the logout to forget Eddie's pages", PATIENCE, async || {
            let kept = kept_pages(&browser).await;
            (!kept.contains(&url("/team/rota"))).then_some(())
        })
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_copies_and_the_offline_page_speak_the_language_the_pages_were_read_in() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n\nWelcome.\n"), ("team/rota.md", ROTA)]);
    let bare = fixture.bare_clone();
    let wiki = TestWiki::managed_with(|config| {
        config.repo = Some(bare);
        config.auth.mode = AuthMode::Local;
        std::fs::create_dir_all(&config.data).expect("create the data folder");
        let accounts = Accounts::open(&config.data).expect("the account store opens");
        accounts.add_user(crate::common::editor_eddie(PASSWORD)).expect("add eddie");
        // Chromium asks for English; Eddie chose German, which beats it.
        accounts.set_language("eddie", Some(lore::i18n::UiLanguage::De)).expect("choose German");
    })
    .await;
    let network = Network::start(wiki.addr).await;
    let url = |path: &str| format!("http://{}{path}", network.addr);
    let browser = Browser::start().await;

    browser.goto(&url("/-/login")).await;
    browser.type_into(&browser.find("#login-username").await, "eddie").await;
    browser.type_into(&browser.find("#login-password").await, PASSWORD).await;
    browser.click(&browser.find("form[action='/-/login'] button[type=submit]").await).await;
    browser
        .wait_for("the login to finish", PATIENCE, async || (browser.current_url().await == url("/")).then_some(()))
        .await;
    browser
        .wait_for("the service worker to control the page", PATIENCE, async || {
            let controlled = browser.execute("return !!navigator.serviceWorker.controller;", vec![]).await;
            (controlled == true).then_some(())
        })
        .await;
    browser.goto(&url("/team/rota")).await;
    assert_eq!(browser.execute("return document.documentElement.lang;", vec![]).await, json!("de"));
    browser
        .wait_for("the page read to be kept", PATIENCE, async || {
            kept_pages(&browser).await.contains(&url("/team/rota")).then_some(())
        })
        .await;

    network.cut();
    browser.goto(&url("/team/rota")).await;
    let label = browser.text(&browser.find(".offline-banner").await).await;
    assert!(label.starts_with("Offline-Kopie, Stand "), "{label}");
    assert!(label.contains("Du bist offline; diese Seite hat sich seitdem vielleicht ge\u{e4}ndert."), "{label}");
    assert!(!label.contains("Offline copy"), "{label}");
    browser.goto(&url("/-/account")).await;
    assert_eq!(browser.text(&browser.find("h1").await).await, "Du bist offline");
    assert_eq!(browser.execute("return document.documentElement.lang;", vec![]).await, json!("de"));
    let page = browser.execute("return document.body.innerText;", vec![]).await;
    let page = page.as_str().unwrap_or_default();
    assert!(page.contains("Auf diesem Ger\u{e4}t gibt es keine Offline-Kopie von /-/account."), "{page}");
    assert!(page.contains("Seiten, die du offline lesen kannst"), "{page}");
    network.restore();
    browser.quit().await;
}

/// The addresses of the pages the service worker keeps, from the page's own Cache Storage.
async fn kept_pages(browser: &Browser) -> Vec<String> {
    let kept = browser
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             caches.open('lore-offline-pages-v1').then((c) => c.keys()).then((keys) => done(keys.map((k) => k.url)), () => done([]));",
            vec![],
        )
        .await;
    kept.as_array().into_iter().flatten().filter_map(|it| it.as_str().map(str::to_string)).collect()
}

/// A TCP relay between Chromium and the wiki that can go offline: while cut, it closes every connection it has
/// and each new one at once, as a lost network looks to a browser.
struct Network {
    addr: SocketAddr,
    online: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    relay: tokio::task::JoinHandle<()>,
}

impl Network {
    async fn start(wiki: SocketAddr) -> Network {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let online = Arc::new(AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (is_online, tasks) = (online.clone(), connections.clone());
        let relay = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !is_online.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(wiki).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().expect("not poisoned").push(task.abort_handle());
            }
        });
        Network { addr, online, connections, relay }
    }

    fn cut(&self) {
        self.online.store(false, Ordering::SeqCst);
        for task in self.connections.lock().expect("not poisoned").drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.online.store(true, Ordering::SeqCst);
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.cut();
        self.relay.abort();
    }
}
