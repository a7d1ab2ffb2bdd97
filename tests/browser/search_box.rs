//! The header's search box with a keyboard, in a real browser (headless Chromium, see [`webdriver`]): it is an
//! ARIA combobox whose highlighted suggestion screen readers hear, Esc closes the suggestions and keeps the
//! words, Enter never searches for nothing, and the first result is a few key presses away.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say so.

use serde_json::json;

use crate::common::*;
use crate::webdriver::{ARROW_DOWN, ARROW_UP, Browser, ESCAPE, PATIENCE, TAB};

const ROTA: &str = "# Rota\n\nWho is on call.\n\n## Rota rules\n\nSwap with a colleague.\n";
const ROADMAP: &str = "# Roadmap\n\nWhat we build next.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_announced_and_esc_keeps_the_typed_words() {
    let wiki =
        TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", ROTA), ("team/roadmap.md", ROADMAP)]).await;
    wiki.wait_for_search_index().await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/")).await;
    let input = browser.find("#search-input").await;
    assert_eq!(
        browser.execute("return arguments[0].getAttribute('role');", vec![Browser::arg(&input)]).await,
        "combobox"
    );
    browser.type_into(&input, "ro").await;
    let n_options = browser
        .wait_for("the suggestions to show", PATIENCE, async || {
            let n = browser
                .execute(
                    "var list = document.getElementById('search-suggestions'); \
                     return list.hidden ? 0 : list.querySelectorAll('[role=option]').length;",
                    vec![],
                )
                .await;
            (n.as_u64().unwrap_or(0) >= 2).then_some(n)
        })
        .await;
    let state = "var input = document.getElementById('search-input'); \
        var active = input.getAttribute('aria-activedescendant'); \
        var option = active ? document.getElementById(active) : null; \
        return { expanded: input.getAttribute('aria-expanded'), value: input.value, \
                 active: active, selected: option ? option.getAttribute('aria-selected') : null, \
                 title: option ? option.querySelector('.suggestion-title').textContent : null, \
                 focused: document.activeElement === input, \
                 shown: !document.getElementById('search-suggestions').hidden };";
    let before = browser.execute(state, vec![]).await;
    assert_eq!(before["expanded"], "true", "{before}");
    assert_eq!(before["active"], serde_json::Value::Null, "nothing is highlighted before the arrows: {before}");

    // The arrows highlight a suggestion while the focus stays in the box; the box names it for screen readers.
    browser.press(ARROW_DOWN).await;
    let first = browser.execute(state, vec![]).await;
    assert_eq!(first["active"], "search-suggestion-0", "{first}");
    assert_eq!(first["selected"], "true", "{first}");
    assert_eq!(first["focused"], true, "{first}");
    browser.press(ARROW_DOWN).await;
    let second = browser.execute(state, vec![]).await;
    assert_eq!(second["active"], "search-suggestion-1", "{second}");
    let n_selected = browser
        .execute("return document.querySelectorAll('#search-suggestions [aria-selected=true]').length;", vec![])
        .await;
    assert_eq!(n_selected, 1, "one suggestion is highlighted at a time (of {n_options})");
    browser.press(ARROW_UP).await;
    assert_eq!(browser.execute(state, vec![]).await["active"], "search-suggestion-0");

    // Esc closes the list and keeps the words; a second Esc does not clear them either.
    browser.press(ESCAPE).await;
    let closed = browser.execute(state, vec![]).await;
    assert_eq!(closed["shown"], false, "{closed}");
    assert_eq!(closed["expanded"], "false", "{closed}");
    assert_eq!(closed["active"], serde_json::Value::Null, "{closed}");
    assert_eq!(closed["value"], "ro", "Esc kept the typed words: {closed}");
    browser.press(ESCAPE).await;
    assert_eq!(browser.execute(state, vec![]).await["value"], "ro", "a second Esc kept them too");

    // Enter in an empty box searches for nothing: the form refuses (it is `required`) and no search is sent.
    browser
        .execute(
            "var input = document.getElementById('search-input'); input.value = ''; input.focus(); \
             window.loreSubmitted = false; window.loreRefused = false; \
             input.form.addEventListener('submit', function () { window.loreSubmitted = true; }); \
             input.addEventListener('invalid', function () { window.loreRefused = true; });",
            vec![],
        )
        .await;
    browser.type_keys("\n").await;
    browser
        .wait_for("the empty search to be refused", PATIENCE, async || {
            (browser.execute("return window.loreRefused;", vec![]).await == true).then_some(())
        })
        .await;
    assert_eq!(browser.execute("return window.loreSubmitted;", vec![]).await, false, "no empty search was sent");
    assert_eq!(browser.current_url().await, wiki.url("/"), "the page stayed");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_result_is_three_keys_from_the_top_of_the_results() {
    let wiki =
        TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", ROTA), ("team/roadmap.md", ROADMAP)]).await;
    wiki.wait_for_search_index().await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/search?q=rota")).await;
    // Tab reaches the skip link first, Enter follows it to the content, and the next Tab is the first result.
    browser.press(TAB).await;
    let skip = browser.execute("return document.activeElement.className;", vec![]).await;
    assert_eq!(skip, "skip-link", "the first Tab lands on the skip link");
    browser.type_keys("\n").await;
    browser
        .wait_for("the skip link to move the focus to the content", PATIENCE, async || {
            (browser.execute("return document.activeElement.id;", vec![]).await == "content").then_some(())
        })
        .await;
    browser.press(TAB).await;
    let focused = browser
        .execute(
            "var it = document.activeElement; \
             var first = document.querySelector('.search-results .search-hit a'); \
             return { first: it === first, href: it.getAttribute('href'), text: it.textContent };",
            vec![],
        )
        .await;
    assert_eq!(
        focused,
        json!({ "first": true, "href": "/team/rota", "text": "Rota" }),
        "three keys reach the first result"
    );
    browser.quit().await;
}
