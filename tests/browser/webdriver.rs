//! A minimal WebDriver client for driving headless Chromium through `chromedriver` (W3C JSON wire
//! protocol over `reqwest`): just what the browser tests use. [`Browser::start`] runs chromedriver on a
//! free port with a throwaway profile; dropping the browser ends the session and kills chromedriver.
//!
//! Chromium and chromedriver come from Debian's `chromium` and `chromium-driver` packages, which
//! `scripts/test` installs. Without them the browser tests fail with a message saying so: they never skip
//! silently.
//!
//! Nothing here depends on timing or on how a Chromium version places the caret: text is typed with key
//! actions at the caret the page's own API put there ([`Browser::select`], [`Browser::type_into`]), elements
//! are waited for ([`Browser::find`]), and every wait is for a condition, with a generous deadline that only
//! matters when something is broken. One Chromium runs at a time, so a loaded machine slows the tests down
//! but never changes what they see.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a wait for something the page does (an element, a navigation, a preview) may take before the test
/// fails. Generous: it bounds a failure, it never paces a passing test.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Where Debian installs chromium; `LORE_CHROMIUM` overrides it.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian installs chromedriver; `LORE_CHROMEDRIVER` overrides it.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

// The W3C name of the key that identifies an element in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The WebDriver code of the Control key.
pub const CONTROL: &str = "\u{E009}";

/// The WebDriver code of the Shift key.
pub const SHIFT: &str = "\u{E008}";

/// The WebDriver code of the Enter key, which types a line break in a text area.
const ENTER: &str = "\u{E007}";

/// The WebDriver code of the Escape key.
pub const ESCAPE: &str = "\u{E00C}";

/// The WebDriver code of the Tab key.
pub const TAB: &str = "\u{E004}";

/// The WebDriver codes of the arrow keys.
pub const ARROW_DOWN: &str = "\u{E015}";
pub const ARROW_UP: &str = "\u{E013}";

/// A screen the browser pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// A phone: touch, `<meta name="viewport">` honoured.
    pub mobile: bool,
}

/// A laptop's window.
pub const DESKTOP: Viewport = Viewport { name: "desktop", width: 1280, height: 900, mobile: false };

/// A phone held upright (an iPhone 14's CSS pixels).
pub const PHONE: Viewport = Viewport { name: "phone", width: 390, height: 844, mobile: true };

/// The colour scheme the browser reports to `prefers-color-scheme`, which is how the theme chooses dark mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}
/// The WebDriver code of the right arrow key.
pub const ARROW_RIGHT: &str = "\u{E014}";

/// An element found in the current page.
#[derive(Debug, Clone)]
pub struct WebElement(String);

/// A headless Chromium session driven through chromedriver.
pub struct Browser {
    http: reqwest::Client,
    driver_url: String,
    session_id: Option<String>,
    driver: Child,
    driver_log: PathBuf,
    // Held so the profile folder lives as long as the browser; removed after chromedriver is killed.
    _profile: TempDir,
    // This browser's turn (see `one_browser`); released when it is dropped.
    _turn: OwnedSemaphorePermit,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session; panics with a clear message
    /// when chromium or chromedriver is not installed.
    pub async fn start() -> Browser {
        Browser::launch(json!({})).await
    }

    /// A browser that also records Chromium's network events, for [`Browser::network_log`].
    pub async fn start_logging_network() -> Browser {
        Browser::launch(json!({"goog:loggingPrefs": {"performance": "ALL"}})).await
    }

    // Starts a session with `extra` capabilities besides the usual ones.
    async fn launch(extra: Value) -> Browser {
        let turn = one_browser().await;
        let chromium = std::env::var("LORE_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_string());
        let chromedriver = std::env::var("LORE_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.to_string());
        for (what, path, package) in
            [("chromium", &chromium, "chromium"), ("chromedriver", &chromedriver, "chromium-driver")]
        {
            assert!(
                Path::new(path).is_file(),
                "the browser tests need {what} at {path}, which is missing: install Debian's `chromium` and \
                 `chromium-driver` packages (`apt-get install chromium chromium-driver`, as .ci/run does), or set \
                 LORE_CHROMIUM / LORE_CHROMEDRIVER (package: {package})"
            );
        }
        let profile = tempfile::tempdir().expect("a temporary profile folder");
        let driver_log = profile.path().join("chromedriver.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|it| it.local_addr())
            .expect("a free loopback port")
            .port();
        let log_file = std::fs::File::create(&driver_log).expect("create the chromedriver log");
        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", driver_log.display()))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("the log file"))
            .stderr(log_file);
        // Its own process group, so that killing the group also ends any Chromium it leaves behind.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().unwrap_or_else(|err| panic!("could not start {chromedriver}: {err}"));
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("an HTTP client");
        let mut browser = Browser {
            http,
            driver_url: format!("http://127.0.0.1:{port}"),
            session_id: None,
            driver,
            driver_log,
            _profile: profile,
            _turn: turn,
        };
        browser.wait_for_driver().await;
        let user_data_dir = browser._profile.path().join("profile");
        let mut capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "unhandledPromptBehavior": "ignore",
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--window-size=1280,900",
                            format!("--user-data-dir={}", user_data_dir.display()),
                        ],
                    },
                },
            },
        });
        if let (Some(always), Some(extra)) =
            (capabilities["capabilities"]["alwaysMatch"].as_object_mut(), extra.as_object())
        {
            always.extend(extra.clone());
        }
        let created = browser.command(reqwest::Method::POST, "/session", Some(capabilities)).await;
        let session_id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver created no session: {created}\n{}", browser.driver_log()))
            .to_string();
        browser.session_id = Some(session_id);
        browser
            .session(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({"implicit": 0, "pageLoad": 30_000, "script": 10_000})),
            )
            .await;
        browser
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.session(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    /// The URL of the current page.
    pub async fn current_url(&self) -> String {
        self.session(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching a CSS selector, waiting for it to appear; panics when none does.
    pub async fn find(&self, css: &str) -> WebElement {
        self.wait_for(&format!("an element matching {css:?}"), PATIENCE, async || {
            self.try_find("css selector", css).await
        })
        .await
    }

    /// The first link whose visible text is `text`, waiting for it to appear; panics when none does.
    pub async fn find_link(&self, text: &str) -> WebElement {
        self.wait_for(&format!("a link with text {text:?}"), PATIENCE, async || self.try_find("link text", text).await)
            .await
    }

    /// The first element found by a WebDriver locator strategy, if any.
    pub async fn try_find(&self, using: &str, value: &str) -> Option<WebElement> {
        let found =
            self.session(reqwest::Method::POST, "/elements", Some(json!({"using": using, "value": value}))).await;
        found.as_array()?.first()?.get(ELEMENT_KEY)?.as_str().map(|it| WebElement(it.to_string()))
    }

    /// Clicks an element.
    pub async fn click(&self, element: &WebElement) {
        self.session(reqwest::Method::POST, &format!("/element/{}/click", element.0), Some(json!({}))).await;
    }

    /// Focuses a text field and selects `start..end` of its value (UTF-16 offsets, as the DOM counts), through
    /// the page's own selection API; typing then replaces the selection.
    pub async fn select(&self, element: &WebElement, start: usize, end: usize) {
        let selected = self
            .execute(
                "const [field, start, end] = arguments; field.focus(); field.setSelectionRange(start, end); \
                 return document.activeElement === field && field.selectionStart === start && field.selectionEnd === end;",
                vec![Browser::arg(element), json!(start), json!(end)],
            )
            .await;
        assert_eq!(selected, true, "the field took focus and the selection {start}..{end}");
    }

    /// Focuses a text field, puts the caret at the end of its value and types `text` there as key presses.
    pub async fn type_into(&self, element: &WebElement, text: &str) {
        let length = self.execute("return arguments[0].value.length;", vec![Browser::arg(element)]).await;
        let length = usize::try_from(length.as_u64().expect("a text field has a value")).expect("a small length");
        self.select(element, length, length).await;
        self.type_keys(text).await;
    }

    /// Types `text` as key presses into whatever has focus, at its caret, replacing a selection. Unlike
    /// WebDriver's "element send keys", key actions never move the caret first, in any Chromium version.
    pub async fn type_keys(&self, text: &str) {
        let mut actions = Vec::new();
        for character in text.chars() {
            let key = if character == '\n' { ENTER.to_string() } else { character.to_string() };
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.session(reqwest::Method::POST, "/actions", Some(actions)).await;
        self.session(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// The rendered (visible) text of an element.
    pub async fn text(&self, element: &WebElement) -> String {
        let text = self.session(reqwest::Method::GET, &format!("/element/{}/text", element.0), None).await;
        text.as_str().unwrap_or_default().to_string()
    }

    /// A DOM property of an element, such as a textarea's `value`.
    pub async fn property(&self, element: &WebElement, name: &str) -> Value {
        self.session(reqwest::Method::GET, &format!("/element/{}/property/{name}", element.0), None).await
    }

    /// Runs JavaScript in the page (`arguments[i]` are `args`) and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.session(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": args }))).await
    }

    /// Runs asynchronous JavaScript in the page: the script calls its last argument with the result (for
    /// promises: `….then(arguments[arguments.length - 1])`).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.session(reqwest::Method::POST, "/execute/async", Some(json!({ "script": script, "args": args }))).await
    }

    /// How long a script may run before WebDriver gives up on it.
    pub async fn set_script_timeout(&self, timeout: Duration) {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.session(reqwest::Method::POST, "/timeouts", Some(json!({ "script": millis }))).await;
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`).
    pub async fn cdp(&self, command: &str, params: Value) -> Value {
        self.session(reqwest::Method::POST, "/goog/cdp/execute", Some(json!({ "cmd": command, "params": params })))
            .await
    }

    /// Makes the page see `viewport` (its size, and a phone's touch and viewport meta tag) and `scheme`, as a
    /// phone or a browser in dark mode would show it. Lasts until changed, across navigations.
    pub async fn emulate(&self, viewport: Viewport, scheme: Scheme) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": viewport.width,
                "height": viewport.height,
                "deviceScaleFactor": 1,
                "mobile": viewport.mobile,
            }),
        )
        .await;
        self.cdp("Emulation.setTouchEmulationEnabled", json!({ "enabled": viewport.mobile })).await;
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme.name() }] }),
        )
        .await;
    }

    /// A PNG of what the window shows (WebDriver's screenshot endpoint).
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let encoded = self.session(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a screenshot is a base64 string"))
            .expect("WebDriver sends valid base64")
    }

    /// Presses one key (such as [`ESCAPE`] or [`TAB`]) in whatever has focus.
    pub async fn press(&self, key: &str) {
        self.type_keys(key).await;
    }

    /// The network events Chromium recorded since the last call (`Network.responseReceived` and the like, each
    /// as `{"method", "params"}`); the browser must come from [`Browser::start_logging_network`].
    pub async fn network_log(&self) -> Vec<Value> {
        let entries = self.session(reqwest::Method::POST, "/se/log", Some(json!({"type": "performance"}))).await;
        let entries = entries.as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .map(|message| message["message"].clone())
            .filter(|event| event["method"].as_str().is_some_and(|it| it.starts_with("Network.")))
            .collect()
    }

    /// The element as a script argument.
    pub fn arg(element: &WebElement) -> Value {
        json!({ ELEMENT_KEY: element.0 })
    }

    /// Presses `key` with Control held down, as a person would for Ctrl+S.
    pub async fn press_with_control(&self, key: &str) {
        let actions = json!({
            "actions": [{
                "type": "key",
                "id": "keyboard",
                "actions": [
                    {"type": "keyDown", "value": CONTROL},
                    {"type": "keyDown", "value": key},
                    {"type": "keyUp", "value": key},
                    {"type": "keyUp", "value": CONTROL},
                ],
            }],
        });
        self.session(reqwest::Method::POST, "/actions", Some(actions)).await;
        self.session(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// Presses `key` while holding `modifiers` (WebDriver key codes such as [`CONTROL`] and [`SHIFT`]), as a
    /// person presses Ctrl+Shift+K.
    pub async fn press_chord(&self, modifiers: &[&str], key: &str) {
        let mut actions: Vec<Value> = modifiers.iter().map(|it| json!({"type": "keyDown", "value": it})).collect();
        actions.push(json!({"type": "keyDown", "value": key}));
        actions.push(json!({"type": "keyUp", "value": key}));
        actions.extend(modifiers.iter().rev().map(|it| json!({"type": "keyUp", "value": it})));
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.session(reqwest::Method::POST, "/actions", Some(actions)).await;
        self.session(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// Resizes the window (the page's viewport follows), as a phone or a laptop screen would be.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.session(reqwest::Method::POST, "/window/rect", Some(json!({"width": width, "height": height}))).await;
    }

    /// Chooses a file in an `<input type="file">`, as a person does in the file dialog.
    pub async fn choose_file(&self, element: &WebElement, path: &Path) {
        let text = path.display().to_string();
        self.session(reqwest::Method::POST, &format!("/element/{}/value", element.0), Some(json!({ "text": text })))
            .await;
    }

    /// Polls `check` every 50 ms until it returns `Some`, for at most `timeout`; panics saying `what`
    /// was awaited otherwise.
    pub async fn wait_for<T>(&self, what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(value) = check().await {
                return value;
            }
            if started.elapsed() > timeout {
                let url = self.current_url().await;
                let html = self.execute("return document.documentElement.outerHTML;", vec![]).await;
                panic!(
                    "waited {timeout:?} for {what}; the browser is at {url}:\n{}",
                    html.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn quit(mut self) {
        if let Some(id) = self.session_id.take() {
            let _ = self.http.delete(format!("{}/session/{id}", self.driver_url)).send().await;
        }
    }

    /// What chromedriver has logged so far (for failure messages).
    pub fn driver_log(&self) -> String {
        let log = std::fs::read_to_string(&self.driver_log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    async fn session(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let id = self.session_id.as_deref().expect("a session is open");
        self.command(method, &format!("/session/{id}{path}"), body).await
    }

    // Sends one WebDriver command and returns its `value`; panics with the driver's error otherwise.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.driver_url);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let res = request
            .send()
            .await
            .unwrap_or_else(|err| panic!("WebDriver {method} {path}: {err}\n{}", self.driver_log()));
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "value": text }));
        if !status.is_success() {
            panic!("WebDriver {method} {path} failed with {status}: {}\n{}", answer["value"], self.driver_log());
        }
        answer["value"].clone()
    }

    async fn wait_for_driver(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(res) = self.http.get(format!("{}/status", self.driver_url)).send().await
                && let Ok(status) = res.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return;
            }
            if let Ok(Some(exit)) = self.driver.try_wait() {
                panic!("chromedriver exited with {exit} before it was ready:\n{}", self.driver_log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver was not ready in 30 s:\n{}",
                self.driver_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// Waits for this process's one browser turn: one Chromium at a time, because four at once on two cores made
// page loads and scripts race the deadlines. (Tokio's semaphore works across the tests' separate runtimes.)
async fn one_browser() -> OwnedSemaphorePermit {
    static SHARED: std::sync::OnceLock<std::sync::Arc<Semaphore>> = std::sync::OnceLock::new();
    let shared = SHARED.get_or_init(|| std::sync::Arc::new(Semaphore::new(1))).clone();
    shared.acquire_owned().await.expect("the semaphore is never closed")
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that panicked never called `quit`: end the session with a plain blocking request, so that
        // chromedriver closes Chromium, then stop chromedriver and anything left in its process group.
        if let Some(id) = self.session_id.take() {
            let addr = self.driver_url.trim_start_matches("http://").to_string();
            if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!("DELETE /session/{id} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut answer = Vec::new();
                    let _ = stream.read_to_end(&mut answer);
                }
            }
        }
        #[cfg(unix)]
        {
            let group = format!("-{}", self.driver.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
