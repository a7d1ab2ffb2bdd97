//! Formulas and diagrams in a real browser: headless Chromium (driven over WebDriver, see [`webdriver`]) loads
//! a page with a formula and a mermaid diagram from Lore, and KaTeX and mermaid, served by Lore itself, draw
//! them under the page's Content-Security-Policy. Also the small touches `lore.js` adds to every page: copy
//! buttons, section links, the `?` shortcuts dialog and the lazily loaded page tree.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say so.

use crate::common::*;
use crate::webdriver::{Browser, PATIENCE};
use serde_json::Value;

const DRAWINGS: &str = "# Drawings\n\nEuler's identity: $e^{i\\pi}+1=0$.\n\n```mermaid\ngraph TD; A-->B\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formula_and_mermaid_diagram_render_in_the_browser() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("drawings.md", DRAWINGS),
        // A control page whose image the policy blocks (`img-src` allows no plain-http image from elsewhere),
        // to prove that the violation detector below sees violations that happened while a page loaded.
        ("blocked.md", "# Blocked\n\n![blocked](http://127.0.0.1:9/blocked.png)\n"),
    ])
    .await;
    let browser = Browser::start().await;

    browser.goto(&wiki.url("/blocked")).await;
    let control = violations_after_load(&browser).await;
    assert!(
        control.iter().any(|it| it.contains("img-src")),
        "the detector sees a violation that happened during load: {control:?}"
    );

    browser.goto(&wiki.url("/drawings")).await;
    let katex_markup = browser
        .wait_for("KaTeX to draw the formula", PATIENCE, async || {
            let count = browser.execute("return document.querySelectorAll('.page-body .katex').length;", vec![]).await;
            (count.as_u64().unwrap_or(0) > 0).then_some(count)
        })
        .await;
    assert_eq!(katex_markup, 1, "one formula, one .katex element");
    let annotation = browser
        .execute(
            "var it = document.querySelector('.page-body .math-inline .katex-mathml annotation'); \
             return it ? it.textContent : null;",
            vec![],
        )
        .await;
    assert_eq!(annotation, "e^{i\\pi}+1=0", "KaTeX drew the page's formula");
    let errors = browser.execute("return document.querySelectorAll('.math-error, .katex-error').length;", vec![]).await;
    assert_eq!(errors, 0, "KaTeX reported no error");

    let diagram = browser
        .wait_for("mermaid to draw the diagram", PATIENCE, async || {
            let text = browser
                .execute(
                    "var svg = document.querySelector('.page-body pre.mermaid svg'); \
                     return svg ? svg.textContent : null;",
                    vec![],
                )
                .await;
            text.as_str().map(str::to_string)
        })
        .await;
    assert!(diagram.contains('A') && diagram.contains('B'), "the diagram shows nodes A and B: {diagram:?}");
    assert!(!diagram.to_lowercase().contains("syntax error"), "mermaid drew an error: {diagram:?}");
    let nodes =
        browser.execute("return document.querySelectorAll('.page-body pre.mermaid svg .node').length;", vec![]).await;
    assert_eq!(nodes, 2, "two nodes");

    // KaTeX's fonts come from Lore and the policy lets them load.
    let fonts = browser
        .wait_for("KaTeX's fonts to load", PATIENCE, async || {
            let loaded = browser
                .execute(
                    "return Array.from(document.fonts).filter(function (it) { \
                       return it.family.indexOf('KaTeX') >= 0 && it.status === 'loaded'; }).length;",
                    vec![],
                )
                .await;
            (loaded.as_u64().unwrap_or(0) > 0).then_some(loaded)
        })
        .await;
    assert!(fonts.as_u64().unwrap_or(0) >= 1, "{fonts}");

    // Both libraries ran, from Lore's own address, and the policy blocked nothing on the way.
    let libraries = browser.execute("return [typeof window.katex, typeof window.mermaid];", vec![]).await;
    assert_eq!(libraries, serde_json::json!(["object", "object"]), "KaTeX and mermaid loaded");
    let foreign = browser
        .execute(
            "return performance.getEntriesByType('resource').map(function (it) { return it.name; }) \
               .filter(function (it) { return it.indexOf(location.origin + '/') !== 0; });",
            vec![],
        )
        .await;
    assert_eq!(foreign, serde_json::json!([]), "everything came from Lore, nothing from a CDN");
    let violations = violations_after_load(&browser).await;
    assert_eq!(violations, Vec::<String>::new(), "the Content-Security-Policy blocked something");

    // The detector is live: an inline script is refused and reported.
    let ran = browser
        .execute(
            "var script = document.createElement('script'); script.textContent = 'window.loreInline = 1;'; \
             document.head.appendChild(script); return window.loreInline === 1;",
            vec![],
        )
        .await;
    assert_eq!(ran, false, "an inline script ran: the policy allows inline scripts");
    browser
        .wait_for("the inline script's violation to be reported", PATIENCE, async || {
            let found = reports(&browser).await;
            found.iter().any(|it| it.contains("script-src")).then_some(())
        })
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_without_drawings_load_no_drawing_library() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n\nLunch costs $5 and coffee $3.\n")]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/")).await;
    let loaded = browser
        .execute(
            "return performance.getEntriesByType('resource').map(function (it) { return new URL(it.name).pathname; });",
            vec![],
        )
        .await;
    let loaded: Vec<String> =
        loaded.as_array().expect("a list").iter().map(|it| it.as_str().unwrap_or_default().to_string()).collect();
    assert!(loaded.contains(&"/-/static/lore.js".to_string()), "{loaded:?}");
    assert!(
        loaded.iter().all(|it| !it.contains("/vendor/") && !it.contains("lore-math") && !it.contains("lore-mermaid")),
        "a page without formulas or diagrams loads neither KaTeX nor mermaid: {loaded:?}"
    );
    let libraries = browser.execute("return [typeof window.katex, typeof window.mermaid];", vec![]).await;
    assert_eq!(libraries, serde_json::json!(["undefined", "undefined"]));
    assert_eq!(violations_after_load(&browser).await, Vec::<String>::new());
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_buttons_section_links_shortcuts_and_lazy_tree() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("guide/setup.md", "# Setup\n\n## Install\n\nRun this:\n\n```sh\ncargo install lore\n```\n"),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome.\n"),
        ("team/rota.md", "# Team Rota\n"),
        ("team/sub/deep.md", "# Deep page\n"),
    ])
    .await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/guide/setup")).await;

    // A copy button on the code block, a "#" link on the section heading.
    let copy = browser.find(".page-body pre.code button.copy-code").await;
    assert_eq!(browser.text(&copy).await, "Copy");
    let anchor = browser.find(".page-body h2#install .heading-anchor").await;
    let href = browser.property(&anchor, "href").await;
    assert_eq!(href, wiki.url("/guide/setup#install"));

    // `?` opens the keyboard shortcuts.
    browser.execute("document.activeElement.blur();", vec![]).await;
    browser.type_keys("?").await;
    let open = browser
        .wait_for("the shortcuts dialog to open", PATIENCE, async || {
            let open = browser
                .execute("var it = document.querySelector('dialog.shortcuts'); return it && it.open;", vec![])
                .await;
            (open == true).then_some(open)
        })
        .await;
    assert_eq!(open, true);
    let dialog = browser.find("dialog.shortcuts").await;
    let text = browser.text(&dialog).await;
    assert!(text.contains("Keyboard shortcuts") && text.contains("Search"), "{text}");

    // The team folder is closed and empty until opened; opening it loads its pages from the tree API.
    browser.goto(&wiki.url("/guide/setup")).await;
    let loaded_before = browser
        .execute("return document.querySelectorAll('details[data-tree-path=\"team/\"] a').length;", vec![])
        .await;
    assert_eq!(loaded_before, 0, "no pages of the folder before it is opened (its own link sits beside it)");
    browser.execute("document.querySelector('details[data-tree-path=\"team/\"]').open = true;", vec![]).await;
    let titles = browser
        .wait_for("the team folder to load", PATIENCE, async || {
            let titles = browser
                .execute(
                    "return Array.from(document.querySelectorAll('details[data-tree-path=\"team/\"] > ul.tree > li > a')) \
                       .map(function (it) { return it.textContent; });",
                    vec![],
                )
                .await;
            titles.as_array().is_some_and(|it| !it.is_empty()).then_some(titles)
        })
        .await;
    assert_eq!(titles, serde_json::json!(["sub", "Team Handbook", "Team Rota"]), "folders first, then pages by title");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_buttons_load_the_rest_of_a_big_folder_into_the_tree() {
    // 160 pages in one folder: a page shows a window of them; "N more" loads the rest, a page of the tree
    // API at a time, keeping the order (pages by title) and the keyboard focus.
    let pages: Vec<(String, String)> =
        (0..160).map(|i| (format!("big/p-{i:03}.md"), format!("# Page {i:03}\n"))).collect();
    let mut files: Vec<(&str, &str)> = vec![("index.md", "# Home\n")];
    files.extend(pages.iter().map(|(path, text)| (path.as_str(), text.as_str())));
    let wiki = TestWiki::with_files(&files).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/big/p-010")).await;
    let titles = async || -> Vec<String> {
        let found = browser
            .execute(
                "return Array.from(document.querySelectorAll('details[data-tree-path=\"big/\"] > ul.tree > li.tree-page > a')) \
                   .map(function (it) { return it.textContent; });",
                vec![],
            )
            .await;
        found.as_array().expect("a list").iter().map(|it| it.as_str().unwrap_or_default().to_string()).collect()
    };
    let shown = titles().await;
    assert_eq!(shown.len(), 25, "{shown:?}");
    assert_eq!(shown.first().map(String::as_str), Some("Page 000"));
    let more = browser.find(".tree-more button").await;
    assert_eq!(browser.text(&more).await, "135 more");
    // Keyboard: focus the button and press Enter; the first page of the API arrives and the button stays.
    browser.execute("arguments[0].focus();", vec![Browser::arg(&more)]).await;
    browser.type_keys("\n").await;
    let after_one = browser
        .wait_for("the first page of entries", PATIENCE, async || {
            let shown = titles().await;
            (shown.len() > 25).then_some(shown)
        })
        .await;
    assert_eq!(after_one.len(), 125, "one page of 100 more");
    let focused = browser.execute("return document.activeElement.textContent;", vec![]).await;
    assert_eq!(focused, "35 more", "the button keeps the focus and counts down");
    browser.click(&browser.find(".tree-more button").await).await;
    let all = browser
        .wait_for("every entry", PATIENCE, async || {
            let shown = titles().await;
            (shown.len() == 160).then_some(shown)
        })
        .await;
    let expected: Vec<String> = (0..160).map(|i| format!("Page {i:03}")).collect();
    assert_eq!(all, expected, "in order, without gaps or repeats");
    let left = browser.execute("return document.querySelectorAll('.tree-more').length;", vec![]).await;
    assert_eq!(left, 0, "no button once everything is shown");
    browser.quit().await;
}

/// Content-Security-Policy violations of the current page, including those that happened while it loaded
/// (a buffered `ReportingObserver` receives those too). Reports arrive later than the violations, but in
/// order: so this causes one known violation last (a fetch from another origin, which `connect-src` refuses)
/// and waits for its report, by which time every earlier report has arrived. The known one is left out.
async fn violations_after_load(browser: &Browser) -> Vec<String> {
    let supported = browser
        .execute(
            "if (typeof ReportingObserver === 'undefined') { return false; } \
             window.loreReports = []; \
             window.loreObserver = new ReportingObserver(function (reports) { \
               reports.forEach(function (it) { window.loreReports.push(JSON.stringify(it.body)); }); \
             }, { types: ['csp-violation'], buffered: true }); \
             window.loreObserver.observe(); \
             fetch('http://127.0.0.1:9/' + arguments[0]).catch(function () {}); return true;",
            vec![Value::from(SENTINEL)],
        )
        .await;
    assert_eq!(supported, true, "the browser has no ReportingObserver");
    let found = browser
        .wait_for("the known violation to be reported", PATIENCE, async || {
            let found = reports(browser).await;
            found.iter().any(|it| it.contains(SENTINEL)).then_some(found)
        })
        .await;
    found.into_iter().filter(|it| !it.contains(SENTINEL)).collect()
}

/// The address part that marks [`violations_after_load`]'s own violation.
const SENTINEL: &str = "lore-csp-sentinel";

/// The violation reports collected so far by [`violations_after_load`]'s observer.
async fn reports(browser: &Browser) -> Vec<String> {
    let found = browser
        .execute(
            "window.loreObserver.takeRecords().forEach(function (it) { window.loreReports.push(JSON.stringify(it.body)); }); \
             return window.loreReports;",
            vec![],
        )
        .await;
    match found {
        Value::Array(items) => items.iter().map(|it| it.as_str().unwrap_or_default().to_string()).collect(),
        other => panic!("no reports list: {other}"),
    }
}
