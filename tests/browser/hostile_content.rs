//! What a page's content or a committed file cannot make a real browser do on Lore's origin: run an uploaded
//! script (pages allow `script-src 'self'`, so only the way Lore serves the file can stop it), or send the `e`
//! shortcut to an Edit link the page planted itself.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say so.

use crate::common::*;
use crate::webdriver::{Browser, PATIENCE};
use serde_json::{Value, json};

/// Raw HTML a page may hold that imitates Lore's Edit button, in every spelling a script might select by.
const PLANTED_EDIT_LINKS: &str = "<div class=\"page-actions\"><a class=\"button\" href=\"/-/edit/evil\">Edit</a></div>\n\n\
    <div class=\"page-actions\" id=\"page-actions\"><a class=\"button\" id=\"edit\" href=\"/-/edit/evil-id\">Edit</a></div>\n\n\
    <div data-lore-shortcut=\"edit\"><a data-lore-shortcut=\"edit\" class=\"button\" href=\"/-/edit/evil-data\">Edit</a></div>\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_script_does_not_run_when_a_page_loads_it() {
    let script = "window.ranFrom = (window.ranFrom || []).concat([document.currentScript.src]);\n";
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("media/x.js", script),
        ("media/x.mjs", "window.ranFrom = ['module'];\n"),
        ("media/x.cjs", script),
    ])
    .await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/")).await;

    // Lore's own script is a control: loaded the same way, it runs, so a blocked load below is the file's type.
    let control = load_script(&browser, "/-/static/lore.js", "text/javascript").await;
    assert_eq!(control, "load", "the detector sees a same-origin script that runs");

    for (url, kind) in [
        ("/media/x.js", "text/javascript"),
        ("/-/raw/media/x.js", "text/javascript"),
        ("/media/x.mjs", "module"),
        ("/media/x.cjs", "text/javascript"),
    ] {
        let outcome = load_script(&browser, url, kind).await;
        assert_eq!(outcome, "error", "{url} ({kind}) loaded as a script");
        let ran = browser.execute("return window.ranFrom || null;", vec![]).await;
        assert_eq!(ran, Value::Null, "{url} ({kind}) ran");
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_shortcut_ignores_edit_links_planted_in_page_content() {
    let question = format!("---\ntitle: Planted question\n---\n\n# Planted question\n\n{PLANTED_EDIT_LINKS}");
    let page = format!("# Planted page\n\n{PLANTED_EDIT_LINKS}");
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("planted.md", &page),
        ("questions/planted.md", &question),
        ("_header.md", &format!("Header.\n\n{PLANTED_EDIT_LINKS}")),
    ])
    .await;
    let browser = Browser::start().await;

    // A question page shows no Edit button of Lore's: `e` must do nothing, whatever the content planted.
    let question_url = wiki.url("/questions/planted");
    browser.goto(&question_url).await;
    let planted = browser
        .execute("return document.querySelectorAll('.page-body a[href^=\"/-/edit/evil\"]').length;", vec![])
        .await;
    assert_eq!(planted, 3, "the imitations are on the page");
    assert_eq!(press_e(&browser).await, None, "`e` navigated on a page without an Edit button");
    assert_eq!(browser.current_url().await, question_url);

    // A page with Lore's Edit button, the imitations in its content and its header: `e` edits the page.
    browser.goto(&wiki.url("/planted")).await;
    assert!(press_e(&browser).await.is_some(), "`e` did not follow Lore's own Edit button");
    let editor_url = wiki.url("/-/edit/planted.md");
    browser
        .wait_for("`e` to open the editor", PATIENCE, async || {
            (browser.current_url().await == editor_url).then_some(())
        })
        .await;
    browser.quit().await;
}

/// Adds `<script src=url>` (of `type`) to the current page, as an injection would, and waits for it to load
/// or fail; returns `"load"` or `"error"`.
async fn load_script(browser: &Browser, url: &str, kind: &str) -> String {
    let added = "const [url, kind] = arguments; window.outcome = null; const script = document.createElement('script'); \
        script.type = kind; script.src = url; \
        script.onload = () => { window.outcome = 'load'; }; script.onerror = () => { window.outcome = 'error'; }; \
        document.head.appendChild(script); return true;";
    assert_eq!(browser.execute(added, vec![json!(url), json!(kind)]).await, true);
    browser
        .wait_for(&format!("{url} to load or fail"), PATIENCE, async || {
            browser.execute("return window.outcome;", vec![]).await.as_str().map(str::to_string)
        })
        .await
}

/// Presses `e`, then `?`, on the page body. Returns `None` when the page stayed: `?` opened Lore's shortcuts
/// dialog in this same document and no navigation began (the Navigation API reports one at once, so `e` would
/// have been seen first); else where the browser went.
async fn press_e(browser: &Browser) -> Option<String> {
    let watching = "window.stillHere = true; window.navigatedTo = null; \
        navigation.addEventListener('navigate', (event) => { window.navigatedTo = event.destination.url; }); \
        document.activeElement && document.activeElement.blur(); return typeof navigation;";
    assert_eq!(browser.execute(watching, vec![]).await, "object", "Chromium has the Navigation API");
    browser.type_keys("e?").await;
    let state = "if (window.stillHere !== true) { return 'left'; } \
        if (window.navigatedTo) { return window.navigatedTo; } \
        const dialog = document.querySelector('dialog.shortcuts'); return dialog && dialog.open ? 'stayed' : null;";
    let outcome = browser
        .wait_for("`e` to navigate or `?` to open the shortcuts dialog", PATIENCE, async || {
            browser.execute(state, vec![]).await.as_str().map(str::to_string)
        })
        .await;
    match outcome.as_str() {
        "stayed" => None,
        "left" => Some(browser.current_url().await),
        _ => Some(outcome),
    }
}
