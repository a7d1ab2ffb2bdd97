//! The editor in a real browser: headless Chromium driven over WebDriver ([`webdriver`]). A person opens a
//! page, clicks Edit, types, watches the preview, saves with Ctrl+S and sees the result; and when someone
//! else changed the same line meanwhile, the text they typed is still in the editor.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say so.

use crate::common::*;
use crate::webdriver::{Browser, PATIENCE};
use serde_json::json;

const ROTA: &str = "# Rota\n\nWho is on call this week.\n";

const FIVE_LINES: &str = "# Rota\n\nline one\n\nline two\n\nline three\n\nline four\n\nline five\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_preview_and_save_with_ctrl_s() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", ROTA)]).await;
    let count = wiki.commit_count();
    let browser = Browser::start().await;

    browser.goto(&wiki.url("/team/rota")).await;
    let edit = browser.find_link("Edit").await;
    browser.click(&edit).await;
    let editor_url = wiki.url("/-/edit/team/rota.md");
    browser
        .wait_for("the editor to open", PATIENCE, async || (browser.current_url().await == editor_url).then_some(()))
        .await;

    let textarea = browser.find("#editor-text").await;
    assert_eq!(browser.property(&textarea, "value").await, ROTA, "the editor holds the page");
    let typed = "\nThe preview shows **bold words** at once.\n";
    browser.type_into(&textarea, typed).await;
    assert_eq!(browser.property(&textarea, "value").await, format!("{ROTA}{typed}"), "the typing went to the end");

    browser
        .wait_for("the live preview to render the typed text", PATIENCE, async || {
            let html = browser.execute("return document.getElementById('editor-preview').innerHTML;", vec![]).await;
            html.as_str().is_some_and(|it| it.contains("<strong>bold words</strong>")).then_some(())
        })
        .await;

    browser.press_with_control("s").await;
    let saved_url = wiki.url("/team/rota?saved=1");
    browser
        .wait_for("Ctrl+S to save and show the page", PATIENCE, async || {
            (browser.current_url().await == saved_url).then_some(())
        })
        .await;

    let body = browser.execute("return document.querySelector('.page-body').innerHTML;", vec![]).await;
    let body = body.as_str().unwrap_or_default().to_string();
    assert!(body.contains("<strong>bold words</strong>"), "the saved page shows the rendered text: {body}");
    let notice = browser.find(".notice-flash").await;
    assert_eq!(browser.text(&notice).await, "Saved.");

    // One commit, holding exactly what was typed (the browser's CRLF line breaks stored as the page had them).
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(file_at_head(&wiki, "team/rota.md"), format!("{ROTA}{typed}"));
    assert_eq!(wiki.git(&["show", "--name-only", "--format=", &wiki.branch_ref]), "team/rota.md");
    wiki.git(&["fsck", "--strict", "--no-progress"]);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_keeps_the_typed_text_in_the_editor() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    let base_blob = browser.find("input[name=base_blob]").await;
    let base_blob = browser.property(&base_blob, "value").await.as_str().unwrap_or_default().to_string();
    assert_eq!(base_blob, wiki.blob_at_head("team/rota.md"));

    // Someone changes the third line through the API while the editor is open.
    let theirs = FIVE_LINES.replace("line three", "line three, changed through the API");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": theirs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&base_blob),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();

    // The person selects the same words and types over them.
    let textarea = browser.find("#editor-text").await;
    let at = FIVE_LINES.find("line three").expect("the page has a third line");
    browser.select(&textarea, at, at + "line three".len()).await;
    let replacement = "line three, as typed in the browser";
    browser.type_keys(replacement).await;
    let mine = FIVE_LINES.replace("line three", replacement);
    assert_eq!(browser.property(&textarea, "value").await, mine.as_str(), "the typing replaced the selection");

    let save = browser.find("#editor-save").await;
    browser.click(&save).await;
    // The editor page is replaced by Lore's answer: the editor with the conflict, or anything else.
    let answered = "return document.readyState === 'complete' && \
        (document.querySelector('.conflict') !== null || document.getElementById('editor-form') === null);";
    browser
        .wait_for("Lore's answer to the save", PATIENCE, async || {
            (browser.execute(answered, vec![]).await == true).then_some(())
        })
        .await;
    let page = browser.execute("return document.body.innerText;", vec![]).await;
    assert!(
        browser.try_find("css selector", ".conflict").await.is_some(),
        "the save should come back as the editor showing the conflict; the browser shows {}:\n{}",
        browser.current_url().await,
        page.as_str().unwrap_or_default()
    );

    let textarea = browser.find("#editor-text").await;
    assert_eq!(browser.property(&textarea, "value").await, mine.as_str(), "the typed text is still in the editor");
    let other = browser.execute("return document.querySelector('.conflict-theirs').textContent;", vec![]).await;
    assert_eq!(other.as_str().unwrap_or_default(), theirs, "the other version is shown");
    let diff = browser.execute("return document.querySelector('pre.diff').textContent;", vec![]).await;
    let diff = diff.as_str().unwrap_or_default();
    assert!(diff.contains("changed through the API") && diff.contains("as typed in the browser"), "diff: {diff}");

    assert_eq!(wiki.head(), head, "the conflict committed nothing");
    assert_eq!(file_at_head(&wiki, "team/rota.md"), theirs);
    wiki.git(&["fsck", "--strict", "--no-progress"]);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsaved_text_is_kept_as_a_draft_and_offered_back() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", ROTA)]).await;
    let browser = Browser::start().await;
    let editor_url = wiki.url("/-/edit/team/rota");
    browser.goto(&editor_url).await;
    let textarea = browser.find("#editor-text").await;
    let typed = "\nA sentence that must survive a closed tab.\n";
    browser.type_into(&textarea, typed).await;
    let draft_key = "lore-draft:team/rota.md";
    let read_draft = format!("return window.localStorage.getItem('{draft_key}');");
    browser
        .wait_for("the draft to be stored", PATIENCE, async || {
            let stored = browser.execute(&read_draft, vec![]).await;
            let draft: serde_json::Value = serde_json::from_str(stored.as_str()?).ok()?;
            (draft["text"] == format!("{ROTA}{typed}")).then_some(())
        })
        .await;

    // The tab goes away without saving (WebDriver navigation skips the leave warning), then comes back.
    browser.goto(&wiki.url("/")).await;
    browser.goto(&editor_url).await;
    let textarea = browser.find("#editor-text").await;
    assert_eq!(browser.property(&textarea, "value").await, ROTA, "the editor starts from the saved page");
    let bar = browser.find("#draft-bar").await;
    assert_eq!(browser.property(&bar, "hidden").await, false, "the draft is offered");
    let restore = browser.find("#draft-restore").await;
    browser.click(&restore).await;
    let textarea = browser.find("#editor-text").await;
    assert_eq!(browser.property(&textarea, "value").await, format!("{ROTA}{typed}"), "the draft is back");
    browser
        .wait_for("the preview to show the draft", PATIENCE, async || {
            let html = browser.execute("return document.getElementById('editor-preview').innerHTML;", vec![]).await;
            html.as_str().is_some_and(|it| it.contains("must survive a closed tab")).then_some(())
        })
        .await;

    // Saving forgets the draft.
    let save = browser.find("#editor-save").await;
    browser.click(&save).await;
    let saved_url = wiki.url("/team/rota?saved=1");
    browser.wait_for("the save", PATIENCE, async || (browser.current_url().await == saved_url).then_some(())).await;
    assert_eq!(file_at_head(&wiki, "team/rota.md"), format!("{ROTA}{typed}"));
    assert_eq!(browser.execute(&read_draft, vec![]).await, serde_json::Value::Null, "the draft is gone after saving");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_with_unsaved_changes_is_warned() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", ROTA)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    // Headless Chromium shows no dialog, so ask the page whether it would: a cancelled `beforeunload`.
    let would_warn = "const event = new Event('beforeunload', { cancelable: true }); \
        window.dispatchEvent(event); return event.defaultPrevented;";
    assert_eq!(browser.execute(would_warn, vec![]).await, false, "nothing typed, nothing to warn about");
    let textarea = browser.find("#editor-text").await;
    browser.type_into(&textarea, "unsaved words").await;
    assert_eq!(browser.execute(would_warn, vec![]).await, true, "unsaved text: leaving asks first");
    browser.quit().await;
}

/// The exact content of `path` at the head of the served branch (`TestWiki::file_at_head` trims it).
#[track_caller]
fn file_at_head(wiki: &TestWiki, path: &str) -> String {
    let git_dir = format!("--git-dir={}", wiki.git_dir.display());
    let object = format!("{}:{path}", wiki.branch_ref);
    let output = git_command(wiki.root(), &[&git_dir, "cat-file", "blob", &object]).output().expect("git runs");
    assert!(output.status.success(), "no {path} at the head: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 text")
}
