//! The main pages as people see them, in a real browser (headless Chromium, see [`webdriver`]): on a phone
//! (390×844) and on a desktop, in light and in dark mode. On a phone every page fits the width without
//! scrolling sideways and shows its content before the page tree, which waits in a drawer; axe-core finds
//! nothing critical or serious anywhere; and every page is saved as a screenshot in `target/screenshots/`
//! (`<page>-<desktop|phone>-<light|dark>.png`) for a person to look at.
//!
//! axe-core comes from npm like KaTeX and mermaid (`themes/default/vendor/package.json`, a development
//! dependency that is never served): `build.rs` and `scripts/test` install it. Without it the accessibility
//! test fails and says how to install it; it never passes silently.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;
use crate::webdriver::{Browser, DESKTOP, ESCAPE, PATIENCE, PHONE, Scheme, Viewport};
use lore::auth::{Accounts, AuthMode, NewUser, Role};

/// The one account of the tour: an admin, so the admin page is on it too.
const ADMIN: (&str, &str, &str) = ("ada", "Ada Admin", "ada@example.com");
const PASSWORD: &str = "correct horse battery";

/// What the second version of the Markdown guide adds: a wide diagram, a wide table and a long line of code,
/// the things that used to push a phone's page sideways or shrink to specks.
const WIDE_THINGS: &str = "\n## Wide things\n\n\
```mermaid\n\
flowchart LR\n\
  Request[Incoming request] --> Auth{Logged in?}\n\
  Auth -->|yes| Reader[Reader for the access class]\n\
  Auth -->|no| Login[Login page]\n\
  Reader --> Cache[(Page cache)]\n\
  Cache --> Render[Render the page]\n\
  Render --> Answer[Answer with gzip or brotli]\n\
```\n\n\
| Service | Owner | Runbook | Dashboard | Pager | Escalation | Region | Tier |\n\
| --- | --- | --- | --- | --- | --- | --- | --- |\n\
| payments-gateway-production | Payments platform team | runbooks/payments-gateway | grafana/payments | \
payments-oncall | head-of-payments | eu-west-1 | tier-0 |\n\n\
```bash\n\
curl --fail --silent --show-error --header 'Authorization: Bearer $TOKEN' https://wiki.example.com/-/api/pages/guide/markdown\n\
```\n";

/// A page of the tour: a short name for screenshots and messages, and its address.
struct Stop {
    name: &'static str,
    path: String,
}

/// A wiki with everything the main pages show: the starter content (a long guide with code, tables and task
/// lists; an answered question), a second version of the guide (history, a diff, blame), an open question,
/// and an admin who is logged in.
struct Tour {
    wiki: TestWiki,
    stops: Vec<Stop>,
}

impl Tour {
    async fn start() -> Tour {
        let mut token = String::new();
        let wiki = TestWiki::managed_with(|config| {
            config.auth.mode = AuthMode::Local;
            std::fs::create_dir_all(&config.data).expect("create the data folder");
            let accounts = Accounts::open(&config.data).expect("the account store opens");
            let (username, name, email) = ADMIN;
            accounts
                .add_user(NewUser {
                    username: username.into(),
                    name: name.into(),
                    email: email.into(),
                    role: Role::Admin,
                    groups: Vec::new(),
                    password: Some(PASSWORD.into()),
                })
                .expect("add the admin");
            token = accounts.create_token(username, "tour").expect("a token").1;
        })
        .await;
        wiki.wait_for_history_index().await;
        let first = wiki.head();
        let auth = format!("Bearer {token}");
        let page = wiki.send("GET", "/-/api/pages/guide/markdown", &[("Authorization", &auth)], "").await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        let blob = page["blob"].as_str().expect("the page's blob").to_string();
        let markdown = format!("{}{WIDE_THINGS}", page["markdown"].as_str().expect("the page's text"));
        let body = json!({ "markdown": markdown, "message": "Show wide diagrams, tables and code" }).to_string();
        let if_match = format!("\"{blob}\"");
        let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("If-Match", &if_match)];
        let saved = wiki.send("PUT", "/-/api/pages/guide/markdown", &headers, body).await;
        assert_eq!(saved.status, 200, "{}", saved.text());
        let second = wiki.head();
        let question = "---\ntitle: Who keeps the on-call rota?\ntags: [oncall]\nasked_by: Ada Admin <ada@example.com>\n\
            asked_at: 2025-01-01T09:00:00Z\nstatus: open\n---\n\nThe rota page has no owner.\n";
        let body = json!({ "markdown": question, "message": "Ask about the rota" }).to_string();
        let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        let asked = wiki.send("PUT", "/-/api/pages/questions/who-keeps-the-rota", &headers, body).await;
        assert_eq!(asked.status, 201, "{}", asked.text());
        wiki.wait_for_history_index().await;
        wiki.wait_for_search_index().await;
        let stop = |name: &'static str, path: &str| Stop { name, path: path.to_string() };
        let stops = vec![
            stop("home", "/"),
            stop("long-page", "/guide/markdown"),
            stop("search", "/-/search?q=markdown"),
            stop("editor", "/-/edit/guide/markdown.md"),
            stop("history", "/-/history/guide/markdown.md"),
            stop("diff", &format!("/-/diff/guide/markdown.md?from={first}&to={second}")),
            stop("diff-side-by-side", &format!("/-/diff/guide/markdown.md?from={first}&to={second}&view=split")),
            stop("blame", "/-/blame/guide/markdown.md"),
            stop("questions", "/-/questions"),
            stop("question", "/questions/how-do-i-ask-a-question"),
            stop("ask", "/-/ask"),
            stop("people", "/-/people"),
            stop("review", "/-/review"),
            stop("admin", "/-/admin"),
            stop("changes", "/-/changes"),
            stop("all-pages", "/-/pages"),
        ];
        Tour { wiki, stops }
    }

    /// Starts a browser and logs the admin in.
    async fn browser(&self) -> Browser {
        let browser = Browser::start().await;
        browser.goto(&self.wiki.url("/-/login")).await;
        let fill = "const [name, password] = arguments; \
            document.getElementById('login-username').value = name; \
            document.getElementById('login-password').value = password; \
            document.getElementById('login-username').form.submit();";
        browser.execute(fill, vec![json!(ADMIN.0), json!(PASSWORD)]).await;
        browser
            .wait_for("the login to land", PATIENCE, async || {
                let url = browser.current_url().await;
                (!url.contains("/-/login")).then_some(())
            })
            .await;
        browser
    }

    /// Opens a stop and waits until it is drawn, diagrams included.
    async fn visit(&self, browser: &Browser, stop: &Stop) {
        browser.goto(&self.wiki.url(&stop.path)).await;
        let status = browser.execute("return document.title;", vec![]).await;
        assert!(
            !status.as_str().unwrap_or_default().starts_with("Error"),
            "{} ({}) is an error page: {status}",
            stop.name,
            stop.path
        );
        browser
            .wait_for(&format!("{} to finish drawing", stop.name), PATIENCE, async || {
                let ready = browser
                    .execute(
                        "return document.readyState === 'complete' && (!window.mermaid || \
                           Array.from(document.querySelectorAll('.page-body pre.mermaid')) \
                             .every(function (it) { return it.querySelector('svg') !== null; }));",
                        vec![],
                    )
                    .await;
                (ready == true).then_some(())
            })
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_fits_a_phone_with_the_content_first() {
    let tour = Tour::start().await;
    let browser = tour.browser().await;
    browser.emulate(PHONE, Scheme::Light).await;
    let mut problems = Vec::new();
    let mut widths = Vec::new();
    for stop in &tour.stops {
        tour.visit(&browser, stop).await;
        save_screenshot(&browser, stop, PHONE, Scheme::Light).await;
        let layout = browser
            .execute(
                "var main = document.querySelector('main'); \
                 var heading = main.querySelector('h1'); \
                 var sidebar = document.querySelector('.sidebar'); \
                 var wide = Array.from(document.querySelectorAll('body *')).filter(function (it) { \
                   var box = it.getBoundingClientRect(); \
                   return box.width > 0 && box.right > document.documentElement.clientWidth + 1 && \
                     !it.closest('pre, table, .diff-scroll, .table-scroll, .math-display'); \
                 }).slice(0, 5).map(function (it) { return it.tagName + '.' + it.className; }); \
                 return { \
                   scroll_width: document.scrollingElement.scrollWidth, \
                   inner_width: window.innerWidth, \
                   heading_top: heading ? heading.getBoundingClientRect().top + window.scrollY : null, \
                   sidebar_shown: sidebar ? getComputedStyle(sidebar).display !== 'none' : false, \
                   sidebar_top: sidebar ? sidebar.getBoundingClientRect().top + window.scrollY : null, \
                   main_bottom: main.getBoundingClientRect().bottom + window.scrollY, \
                   wide: wide \
                 };",
                vec![],
            )
            .await;
        let scroll_width = layout["scroll_width"].as_u64().unwrap_or(u64::MAX);
        widths.push(format!("{} {scroll_width}", stop.name));
        if scroll_width > u64::from(PHONE.width) {
            problems.push(format!(
                "{} ({}) is {scroll_width} px wide on a {} px phone; too wide: {}",
                stop.name, stop.path, PHONE.width, layout["wide"]
            ));
        }
        match layout["heading_top"].as_f64() {
            Some(top) if top < 320.0 => {}
            top => problems
                .push(format!("{}: the page's heading starts {top:?} px down, not on the first screen", stop.name)),
        }
        if layout["sidebar_shown"] == true && layout["sidebar_top"].as_f64() < layout["main_bottom"].as_f64() {
            problems.push(format!("{}: the sidebar shows before the end of the content: {layout}", stop.name));
        }
    }
    eprintln!("page widths on a {} px phone: {}", PHONE.width, widths.join(", "));
    assert!(problems.is_empty(), "on a phone:\n{}", problems.join("\n"));

    // The long page's diagram keeps legible labels: it scrolls inside its own box instead of shrinking.
    let long_page = tour.stops.iter().find(|it| it.name == "long-page").expect("the tour has the long page");
    tour.visit(&browser, long_page).await;
    let diagram = browser
        .execute(
            "var svg = document.querySelector('.page-body pre.mermaid svg'); \
             var label = svg.querySelector('.nodeLabel, .label, text'); \
             var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; \
             var pre = svg.closest('pre'); \
             return { text_px: parseFloat(getComputedStyle(label).fontSize) * scale, \
                      scrolls: pre.scrollWidth > pre.clientWidth, \
                      page_width: document.scrollingElement.scrollWidth };",
            vec![],
        )
        .await;
    let text_px = diagram["text_px"].as_f64().unwrap_or(0.0);
    assert!(text_px >= 11.0, "a diagram's labels are drawn {text_px:.1} px high on a phone: {diagram}");
    assert_eq!(diagram["scrolls"], true, "the wide diagram scrolls in its own box: {diagram}");
    assert!(diagram["page_width"].as_u64() <= Some(u64::from(PHONE.width)), "{diagram}");

    // The page tree waits in a drawer: its button opens it from the keyboard, Esc closes it and gives the
    // focus back. (Popovers need no JavaScript for this.)
    let toggle = browser.find(".drawer-toggle").await;
    assert_eq!(browser.execute(SIDEBAR_OPEN, vec![]).await, false, "the drawer starts closed");
    browser.execute("arguments[0].focus();", vec![Browser::arg(&toggle)]).await;
    browser.type_keys("\n").await;
    browser
        .wait_for("the drawer to open", PATIENCE, async || {
            (browser.execute(SIDEBAR_OPEN, vec![]).await == true).then_some(())
        })
        .await;
    let tree_link = browser
        .execute(
            "var link = document.querySelector('.sidebar .page-tree a[href=\"/guide/markdown\"]'); \
             var box = link.getBoundingClientRect(); \
             return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;",
            vec![],
        )
        .await;
    assert_eq!(tree_link, true, "the open drawer shows the page tree on the screen");
    save_screenshot_named(&browser, "long-page-drawer", PHONE, Scheme::Light).await;
    browser.press(ESCAPE).await;
    browser
        .wait_for("Esc to close the drawer", PATIENCE, async || {
            (browser.execute(SIDEBAR_OPEN, vec![]).await == false).then_some(())
        })
        .await;
    let focused = browser.execute("return document.activeElement.classList.contains('drawer-toggle');", vec![]).await;
    assert_eq!(focused, true, "the focus is back on the drawer's button");

    // The header's links fold into a menu with the same links as on a desktop.
    let menu = browser.find(".menu-toggle").await;
    browser.click(&menu).await;
    let links = browser
        .wait_for("the menu to open", PATIENCE, async || {
            let links = browser
                .execute(
                    "var menu = document.getElementById('site-menu'); \
                     if (!menu.matches(':popover-open')) { return null; } \
                     return Array.from(menu.querySelectorAll('.site-nav a')).map(function (it) { \
                       return it.textContent.trim().split(/\\s+/)[0]; });",
                    vec![],
                )
                .await;
            links.is_array().then_some(links)
        })
        .await;
    assert_eq!(links, json!(["All", "Questions", "People", "Review", "Tags", "Recent"]), "the menu's links");
    save_screenshot_named(&browser, "long-page-menu", PHONE, Scheme::Light).await;
    browser.quit().await;
}

/// Whether the sidebar drawer is open.
const SIDEBAR_OPEN: &str = "return document.getElementById('sidebar').matches(':popover-open');";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_critical_or_serious_in_light_or_dark() {
    let axe = axe_source();
    let tour = Tour::start().await;
    let browser = tour.browser().await;
    browser.set_script_timeout(Duration::from_secs(120)).await;
    let mut serious = Vec::new();
    let mut counts = Vec::new();
    for viewport in [DESKTOP, PHONE] {
        for scheme in [Scheme::Light, Scheme::Dark] {
            browser.emulate(viewport, scheme).await;
            let mut n_nodes = 0;
            for stop in &tour.stops {
                tour.visit(&browser, stop).await;
                save_screenshot(&browser, stop, viewport, scheme).await;
                for violation in run_axe(&browser, &axe).await {
                    let impact = violation["impact"].as_str().unwrap_or_default().to_string();
                    if impact != "critical" && impact != "serious" {
                        continue;
                    }
                    let nodes = violation["nodes"].as_array().cloned().unwrap_or_default();
                    n_nodes += nodes.len();
                    let examples: Vec<String> = nodes
                        .iter()
                        .take(3)
                        .map(|node| {
                            format!("{} ({})", node["target"], node["failureSummary"].as_str().unwrap_or_default())
                        })
                        .collect();
                    serious.push(format!(
                        "{} on {} ({}), {} {}: {} {} × {}: {}",
                        stop.name,
                        viewport.name,
                        scheme.name(),
                        impact,
                        violation["id"].as_str().unwrap_or_default(),
                        violation["help"].as_str().unwrap_or_default(),
                        nodes.len(),
                        stop.path,
                        examples.join("; ")
                    ));
                }
            }
            counts.push(format!("{} {}: {n_nodes}", viewport.name, scheme.name()));
        }
    }
    eprintln!("axe: critical and serious nodes over {} pages: {}", tour.stops.len(), counts.join(", "));
    assert!(serious.is_empty(), "axe found {} critical or serious problems:\n{}", serious.len(), serious.join("\n"));
    browser.quit().await;
}

/// The rules axe runs: WCAG 2.0 to 2.2, levels A and AA (target sizes included), and its best practices.
const AXE_TAGS: [&str; 6] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/// axe-core's script, from `themes/default/vendor/node_modules`; panics saying how to install it when missing.
fn axe_source() -> String {
    let vendor = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default/vendor");
    let script = vendor.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&script).unwrap_or_else(|err| {
        panic!(
            "the accessibility test needs axe-core at {} ({err}). It is a development dependency in \
             themes/default/vendor/package.json: install npm (Debian: apt-get install npm, as .ci/run does) and run \
             `npm ci` in {}, or run scripts/test, which does",
            script.display(),
            vendor.display()
        )
    })
}

/// Injects axe-core into the current page and returns its violations.
async fn run_axe(browser: &Browser, axe: &str) -> Vec<Value> {
    browser.execute(&format!("{axe}\nreturn typeof window.axe;"), vec![]).await;
    let result = browser
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: arguments[0] } }) \
               .then(function (result) { done(result.violations); }) \
               .catch(function (err) { done({ error: String(err) }); });",
            vec![json!(AXE_TAGS)],
        )
        .await;
    assert!(result.get("error").is_none(), "axe failed: {result}");
    result.as_array().cloned().unwrap_or_default()
}

/// Where screenshots go: `target/screenshots/` (or `$CARGO_TARGET_DIR/screenshots/`).
fn screenshot_dir() -> PathBuf {
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

async fn save_screenshot(browser: &Browser, stop: &Stop, viewport: Viewport, scheme: Scheme) {
    save_screenshot_named(browser, stop.name, viewport, scheme).await;
}

async fn save_screenshot_named(browser: &Browser, name: &str, viewport: Viewport, scheme: Scheme) {
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot of {name}");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("create {}: {err}", dir.display()));
    let file = dir.join(format!("{name}-{}-{}.png", viewport.name, scheme.name()));
    std::fs::write(&file, png).unwrap_or_else(|err| panic!("write {}: {err}", file.display()));
}
