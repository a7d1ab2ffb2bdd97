//! The translated interface in a real browser: a person sets their account to German, reads a page whose
//! relative time the script writes in German, opens the editor with its German labels, and saves.

use crate::common::*;
use crate::webdriver::{Browser, PATIENCE};
use lore::auth::{Accounts, AuthMode};

const PASSWORD: &str = "correct horse battery staple";
const ROTA: &str = "# Rota\n\nWho is on call this week: Ann.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_set_to_german_edits_and_saves_in_german() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n").write("team/rota.md", ROTA);
    fixture.commit_dated(ANN, "Add the rota", "3 days ago");
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
    wiki.wait_for_history_index().await;
    let browser = Browser::start().await;
    let lang = async || browser.execute("return document.documentElement.lang;", vec![]).await;

    browser.goto(&wiki.url("/-/login")).await;
    browser.type_into(&browser.find("#login-username").await, "eddie").await;
    browser.type_into(&browser.find("#login-password").await, PASSWORD).await;
    browser.click(&browser.find("form[action='/-/login'] button[type=submit]").await).await;
    browser
        .wait_for("the login to finish", PATIENCE, async || {
            (browser.current_url().await == wiki.url("/")).then_some(())
        })
        .await;
    assert_eq!(lang().await, "en", "Chromium asks for English");

    // The account page: choose Deutsch and save.
    browser.goto(&wiki.url("/-/account")).await;
    let select = browser.find("#account-language").await;
    browser.execute("arguments[0].value = 'de';", vec![Browser::arg(&select)]).await;
    browser.click(&browser.find("#account-language-save").await).await;
    browser.wait_for("the account page in German", PATIENCE, async || (lang().await == "de").then_some(())).await;
    assert_eq!(browser.text(&browser.find("h1").await).await, "Dein Konto");

    // The page: its last edit, three days ago, as the script writes it in German.
    browser.goto(&wiki.url("/team/rota")).await;
    let meta = browser.find(".page-meta").await;
    let text = browser
        .wait_for("the relative time in German", PATIENCE, async || {
            let text = browser.text(&meta).await;
            text.contains("vor 3 Tagen").then_some(text)
        })
        .await;
    assert!(text.starts_with("Zuletzt bearbeitet von Ann Author"), "{text}");

    // The editor, in German.
    browser.click(&browser.find_link("Bearbeiten").await).await;
    let editor_url = wiki.url("/-/edit/team/rota.md");
    browser
        .wait_for("the editor to open", PATIENCE, async || (browser.current_url().await == editor_url).then_some(()))
        .await;
    assert_eq!(browser.text(&browser.find("label[for=editor-message]").await).await, "Beschreibe deine Änderung");
    assert_eq!(browser.text(&browser.find("#editor-save").await).await, "Speichern");
    assert_eq!(browser.text(&browser.find("#editor-preview-title").await).await, "Vorschau");
    let bold = browser.find("#editor-toolbar button[data-action=bold]").await;
    assert_eq!(browser.property(&bold, "title").await, "Fett (Ctrl+B)");
    let toolbar_shown = browser.execute("return !document.getElementById('editor-toolbar').hidden;", vec![]).await;
    assert_eq!(toolbar_shown, true, "editor.js ran");

    // Bold with nothing selected inserts the German placeholder; then save with Ctrl+S.
    let textarea = browser.find("#editor-text").await;
    browser.type_into(&textarea, "\nNeu: ").await;
    browser.click(&bold).await;
    let value = browser.property(&textarea, "value").await;
    assert!(value.as_str().unwrap_or_default().ends_with("Neu: **fetter Text**"), "{value}");
    browser.press_with_control("s").await;
    let saved_url = wiki.url("/team/rota?saved=1");
    browser
        .wait_for("Ctrl+S to save and show the page", PATIENCE, async || {
            (browser.current_url().await == saved_url).then_some(())
        })
        .await;
    assert_eq!(browser.text(&browser.find(".notice-flash").await).await, "Gespeichert.");
    let meta = browser.text(&browser.find(".page-meta").await).await;
    assert_eq!(meta, "Zuletzt bearbeitet von Eddie Editor, gerade eben");
    assert!(wiki.file_at_head("team/rota.md").ends_with("Neu: **fetter Text**"), "the edit was saved");
    browser.quit().await;
}
