//! The editor's tools in a real browser: the title, tags and owners fields that write the front matter, the
//! formatting toolbar and its shortcuts, the page and mention finder, uploads from the toolbar, the save bar
//! that stays in view, "New page" asking for a title first, a conflict resolved change by change ("keep
//! mine", "keep theirs", "keep both"), the return to an edited section, and "Undo" after a restore.
//!
//! Text is typed with key actions at carets the page's own API put there; every wait is for a condition.
//! What was saved is read back through the raw endpoint and git, byte for byte.

use crate::common::*;
use crate::webdriver::{ARROW_RIGHT, Browser, CONTROL, PATIENCE, SHIFT, WebElement};
use serde_json::json;

const DEPLOY: &str = "---\ntitle: Deploy\nreview_every: 90d   # quarterly\ncustom_key: {a: 1}\n---\n# Deploy\n\nShip it with https://example.com/ci today.\n";

const FIVE_LINES: &str = "# Rota\n\nline one\n\nline two\n\nline three\n\nline four\n\nline five\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toolbar_shortcuts_finder_and_fields_write_markdown_and_front_matter() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("ops/deploy.md", DEPLOY),
        ("team/rota.md", "# On-call rota\n\nWho is on call.\n"),
    ])
    .await;
    // Bob has written something, so the mention finder knows him; the search index knows the rota page.
    let blob = wiki.blob_at_head("team/rota.md");
    let bobs = json!({"markdown": "# On-call rota\n\nWho is on call this week.\n", "author": {"name": BOB.name, "email": BOB.email}});
    assert_eq!(wiki.put_page("team/rota", &bobs, Some(&blob)).await.status, 200);
    wiki.get_until("/-/api/people?q=bob", |it| it.text().contains("Bob")).await;
    wiki.get_until("/-/api/suggest?q=On-call", |it| it.text().contains("On-call rota")).await;

    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/ops/deploy")).await;
    let text = browser.find("#editor-text").await;
    let body = "# Deploy\n\nShip it with https://example.com/ci today.\n";
    assert_eq!(value(&browser, &text).await, body, "the text box holds the body, not the YAML");
    let title = browser.find("#editor-title").await;
    assert_eq!(value(&browser, &title).await, "Deploy");
    browser.wait_for("the toolbar", PATIENCE, async || visible(&browser, "#editor-toolbar").await.then_some(())).await;

    // The fields.
    replace_all(&browser, &title, "Deploying to production").await;
    let tags = browser.find("#editor-tags").await;
    browser.type_into(&tags, "ops, how-to").await;

    // Ctrl+B on a selected word, Ctrl+K on a selected address (the link text is selected for typing).
    select_text(&browser, &text, "Ship").await;
    browser.press_chord(&[CONTROL], "b").await;
    assert_eq!(value(&browser, &text).await, body.replace("Ship", "**Ship**"));
    select_text(&browser, &text, "https://example.com/ci").await;
    browser.press_chord(&[CONTROL], "k").await;
    browser.type_keys("the CI").await;
    let mut expected = "# Deploy\n\n**Ship** it with [the CI](https://example.com/ci) today.\n".to_string();
    assert_eq!(value(&browser, &text).await, expected);

    // The List button makes the line a list item; Ctrl+Shift+9 makes it a task; Ctrl+Shift+H a heading.
    browser.type_into(&text, "\nSteps").await;
    click_tool(&browser, "bullets").await;
    expected.push_str("\n- Steps");
    assert_eq!(value(&browser, &text).await, expected);
    browser.press_chord(&[CONTROL, SHIFT], "9").await;
    expected = expected.replace("- Steps", "- [ ] Steps");
    assert_eq!(value(&browser, &text).await, expected);
    browser.type_into(&text, "\n\nDetails").await;
    browser.press_chord(&[CONTROL, SHIFT], "h").await;
    expected.push_str("\n\n## Details");
    assert_eq!(value(&browser, &text).await, expected);
    // Ctrl+I on a selected word, Ctrl+E for code, and the Quote button.
    browser.type_into(&text, "\n\nRun make deploy carefully").await;
    select_text(&browser, &text, "carefully").await;
    browser.press_chord(&[CONTROL], "i").await;
    select_text(&browser, &text, "make deploy").await;
    browser.press_chord(&[CONTROL], "e").await;
    click_tool(&browser, "quote").await;
    expected.push_str("\n\n> Run `make deploy` *carefully*");
    assert_eq!(value(&browser, &text).await, expected);

    // The Table button puts a table on lines of its own.
    caret_at_end(&browser, &text).await;
    click_tool(&browser, "table").await;
    expected.push_str("\n\n| Column 1 | Column 2 |\n| --- | --- |\n| Cell | Cell |\n");
    assert_eq!(value(&browser, &text).await, expected);

    // Ctrl+Shift+K opens the page finder: typing finds the page, Enter inserts the wiki link.
    browser.type_into(&text, "\nSee ").await;
    browser.press_chord(&[CONTROL, SHIFT], "k").await;
    let finder = browser.find("#editor-picker-input").await;
    assert_eq!(browser.execute("return document.activeElement.id;", vec![]).await, "editor-picker-input");
    browser.type_keys("On-call").await;
    wait_for_option(&browser, "On-call rota").await;
    assert_eq!(browser.property(&finder, "ariaExpanded").await, "true");
    browser.type_keys("\n").await;
    expected.push_str("\nSee [[On-call rota]]");
    assert_eq!(value(&browser, &text).await, expected, "Enter inserted the link and did not submit the form");
    assert_eq!(browser.execute("return document.activeElement.id;", vec![]).await, "editor-text", "back in the text");

    // The @ button finds people by part of their name.
    browser.type_into(&text, " and ask ").await;
    click_tool(&browser, "mention").await;
    // Enter right after typing waits for what the typed text finds.
    browser.type_keys("builder\n").await;
    browser
        .wait_for("the mention", PATIENCE, async || {
            value(&browser, &text).await.ends_with("@bob@example.com ").then_some(())
        })
        .await;
    expected.push_str(" and ask @bob@example.com ");
    assert_eq!(value(&browser, &text).await, expected);

    // The preview renders the toolbar's Markdown.
    browser
        .wait_for("the preview to show the task list and the table", PATIENCE, async || {
            let html = browser.execute("return document.getElementById('editor-preview').innerHTML;", vec![]).await;
            let html = html.as_str().unwrap_or_default().to_string();
            (html.contains("<table") && html.contains("checkbox") && html.contains("<strong>Ship</strong>"))
                .then_some(())
        })
        .await;

    browser.press_chord(&[CONTROL], "s").await;
    let saved_url = wiki.url("/ops/deploy?saved=1");
    browser.wait_for("the save", PATIENCE, async || (browser.current_url().await == saved_url).then_some(())).await;
    let saved = format!(
        "---\ntitle: Deploying to production\nreview_every: 90d   # quarterly\ncustom_key: {{a: 1}}\ntags: [ops, how-to]\n---\n{expected}"
    );
    assert_eq!(raw(&wiki, "ops/deploy.md").await, saved, "the raw file: fields in the front matter, other keys kept");
    assert_eq!(wiki.git(&["show", &format!("{}:ops/deploy.md", wiki.branch_ref)]), saved.trim_end());
    let heading = browser.execute("return document.querySelector('h1').textContent;", vec![]).await;
    assert_eq!(heading, "Deploying to production");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toolbar_buttons_have_names_shortcuts_and_one_tab_stop() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    browser.wait_for("the toolbar", PATIENCE, async || visible(&browser, "#editor-toolbar").await.then_some(())).await;
    let buttons = browser
        .execute(
            "return Array.from(document.querySelectorAll('#editor-toolbar button')).filter(b => !b.hidden).map(b => \
             ({name: b.getAttribute('aria-label') || b.textContent.trim(), keys: b.getAttribute('aria-keyshortcuts'), \
               tab: b.tabIndex, height: b.getBoundingClientRect().height}));",
            vec![],
        )
        .await;
    let buttons = buttons.as_array().expect("a list").clone();
    let names: Vec<&str> = buttons.iter().map(|it| it["name"].as_str().unwrap_or_default()).collect();
    for name in [
        "Heading",
        "Bold",
        "Italic",
        "Link",
        "Page link",
        "@ Mention someone",
        "Bulleted list",
        "Tasks: a checklist",
        "Table",
        "Code",
        "Quote",
        "Upload an image or file",
    ] {
        assert!(names.contains(&name), "a button named {name:?}: {names:?}");
    }
    for button in &buttons {
        assert!(button["height"].as_f64().unwrap_or(0.0) >= 24.0, "a touch target of 24 px at least: {button}");
    }
    let with_keys = buttons.iter().filter(|it| it["keys"].is_string()).count();
    assert!(with_keys >= 10, "most buttons have a shortcut: {buttons:?}");
    let tab_stops = buttons.iter().filter(|it| it["tab"] == 0).count();
    assert_eq!(tab_stops, 1, "one tab stop for the toolbar: {buttons:?}");
    // The arrow keys move along the toolbar.
    browser.execute("document.querySelector('#editor-toolbar button').focus();", vec![]).await;
    browser.press_chord(&[], ARROW_RIGHT).await;
    let focused = browser.execute("return document.activeElement.dataset.action;", vec![]).await;
    assert_eq!(focused, "bold", "ArrowRight goes to the next button");
    // The cheat sheet lists the shortcuts.
    let sheet = browser.execute("return document.querySelector('.cheat-sheet').textContent;", vec![]).await;
    let sheet = sheet.as_str().unwrap_or_default();
    for shortcut in ["Ctrl+B", "Ctrl+I", "Ctrl+K", "Ctrl+Shift+K", "Ctrl+S"] {
        assert!(sheet.contains(shortcut), "the cheat sheet shows {shortcut}: {sheet}");
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_button_opens_the_file_picker_and_the_upload_lands_at_the_cursor() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    browser.wait_for("the toolbar", PATIENCE, async || visible(&browser, "#editor-toolbar").await.then_some(())).await;
    // Headless Chromium opens no dialog; the button's click on the file input is what a dialog would follow.
    browser
        .execute(
            "window.pickerOpened = 0; document.getElementById('editor-upload').addEventListener('click', \
             e => { window.pickerOpened += 1; e.preventDefault(); });",
            vec![],
        )
        .await;
    let text = browser.find("#editor-text").await;
    caret_at_end(&browser, &text).await;
    click_tool(&browser, "upload").await;
    assert_eq!(browser.execute("return window.pickerOpened;", vec![]).await, 1, "Upload opened the file picker");

    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("diagram.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n").expect("write the file");
    let input = browser.find("#editor-upload").await;
    browser.choose_file(&input, &file).await;
    browser
        .wait_for("the upload's Markdown in the text", PATIENCE, async || {
            value(&browser, &text).await.ends_with("![diagram.png](diagram.png)").then_some(())
        })
        .await;
    assert_eq!(raw_bytes(&wiki, "team/diagram.png").await, b"\x89PNG\r\n\x1a\n");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_bar_stays_in_view_on_a_laptop_and_a_phone() {
    let long = format!("# Long\n\n{}", "A paragraph of the long page.\n\n".repeat(200));
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("long.md", &long)]).await;
    let browser = Browser::start().await;
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.set_window_size(width, height).await;
        browser.goto(&wiki.url("/-/edit/long")).await;
        browser.find("#editor-save").await;
        let inner = browser.execute("return [window.innerWidth, window.innerHeight];", vec![]).await;
        let inner_height = inner[1].as_f64().unwrap_or(0.0);
        for scroll in ["0", "document.body.scrollHeight / 3", "document.body.scrollHeight / 2"] {
            let script = format!(
                "window.scrollTo(0, {scroll}); const rect = id => document.getElementById(id).getBoundingClientRect(); \
                 return [rect('editor-save').top, rect('editor-save').bottom, rect('editor-message').top, rect('editor-message').bottom];"
            );
            let rects = browser.execute(&script, vec![]).await;
            let numbers: Vec<f64> =
                rects.as_array().expect("numbers").iter().map(|it| it.as_f64().unwrap_or(-1.0)).collect();
            for (i, what) in [(0, "Save"), (2, "the commit message")] {
                assert!(
                    numbers[i] >= 0.0 && numbers[i + 1] <= inner_height,
                    "{what} in view at {width}x{height} (viewport {inner}) scrolled to {scroll}: {numbers:?}"
                );
            }
        }
        let sideways =
            browser.execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![]).await;
        assert!(sideways.as_f64().unwrap_or(1.0) <= 0.0, "no sideways scrolling at {width}px: {sideways}");
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_page_asks_for_the_title_and_makes_the_address_from_it() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/new")).await;
    let title = browser.find("#new-title").await;
    browser.type_into(&title, "How We Deploy").await;
    let folder = browser.find("#new-folder").await;
    browser.type_into(&folder, "Team").await;
    let address = browser.find("#new-page-address-path").await;
    assert_eq!(browser.text(&address).await, "/Team/how-we-deploy", "the address shows as the title is typed");

    // "Team" is not a folder and not as the hint says: refused, with an address that follows the hint.
    browser.click(&browser.find("#new-page-form button[type=submit]").await).await;
    browser
        .wait_for("the refusal", PATIENCE, async || {
            browser.try_find("css selector", ".callout-error").await.map(|_| ())
        })
        .await;
    let folder = browser.find("#new-folder").await;
    assert_eq!(value(&browser, &folder).await, "team");
    let name = browser.find("#new-name").await;
    assert_eq!(value(&browser, &name).await, "how-we-deploy");
    let title = browser.find("#new-title").await;
    assert_eq!(value(&browser, &title).await, "How We Deploy", "the title is kept");
    let address = browser.find("#new-page-address-path").await;
    assert_eq!(browser.text(&address).await, "/team/how-we-deploy");

    browser.click(&browser.find("#new-page-form button[type=submit]").await).await;
    let editor_url = wiki.url("/-/edit/team/how-we-deploy.md?title=How%20We%20Deploy");
    browser.wait_for("the editor", PATIENCE, async || (browser.current_url().await == editor_url).then_some(())).await;
    let title = browser.find("#editor-title").await;
    assert_eq!(value(&browser, &title).await, "How We Deploy", "the editor has the title in its field");
    let text = browser.find("#editor-text").await;
    assert_eq!(value(&browser, &text).await, "", "and no YAML in the text");
    browser.type_into(&text, "Push, then watch the dashboards.\n").await;
    browser.press_chord(&[CONTROL], "s").await;
    let saved_url = wiki.url("/team/how-we-deploy?saved=1");
    browser.wait_for("the save", PATIENCE, async || (browser.current_url().await == saved_url).then_some(())).await;
    assert_eq!(
        raw(&wiki, "team/how-we-deploy.md").await,
        "---\ntitle: How We Deploy\n---\nPush, then watch the dashboards.\n"
    );
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_is_resolved_change_by_change_with_mine_theirs_and_both() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    let base_blob = browser.find("input[name=base_blob]").await;
    let base_blob = browser.property(&base_blob, "value").await.as_str().unwrap_or_default().to_string();

    // Bob changes lines one, three and five through the API while the editor is open.
    let theirs = FIVE_LINES
        .replace("line one", "line one, Bob's")
        .replace("line three", "line three, Bob's")
        .replace("line five", "line five, Bob's");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": theirs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&base_blob),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();

    // The person changes the same three lines, gives a title and a message, and saves.
    let text = browser.find("#editor-text").await;
    for line in ["line one", "line three", "line five"] {
        select_text(&browser, &text, &format!("{line}\n")).await;
        browser.type_keys(&format!("{line}, mine\n")).await;
    }
    let title = browser.find("#editor-title").await;
    browser.type_into(&title, "Rota of the week").await;
    let message = browser.find("#editor-message").await;
    browser.type_into(&message, "Mine: the rota").await;
    browser.click(&browser.find("#editor-save").await).await;
    browser
        .wait_for("the conflict", PATIENCE, async || {
            browser.try_find("css selector", ".conflict-row").await.map(|_| ())
        })
        .await;
    assert_eq!(wiki.head(), head, "the conflict committed nothing");
    let heading = browser.execute("return document.querySelector('h1').textContent;", vec![]).await;
    assert_eq!(heading, "Edit Rota of the week", "the heading shows the title");
    assert_eq!(value(&browser, &browser.find("#editor-message").await).await, "Mine: the rota", "the message is kept");
    assert_eq!(value(&browser, &browser.find("#editor-title").await).await, "Rota of the week", "the title is kept");
    let rows = browser.execute("return document.querySelectorAll('.conflict-row').length;", vec![]).await;
    assert_eq!(rows, 3, "one row per change both made");
    let mine = FIVE_LINES
        .replace("line one", "line one, mine")
        .replace("line three", "line three, mine")
        .replace("line five", "line five, mine");
    let text = browser.find("#editor-text").await;
    assert_eq!(value(&browser, &text).await, mine, "the editor holds what was typed");

    // On a phone nothing is cut off: no sideways scrolling, and the rows' texts wrap.
    browser.set_window_size(390, 844).await;
    let overflow = browser
        .execute(
            "return [document.documentElement.scrollWidth - window.innerWidth, \
             ...Array.from(document.querySelectorAll('.conflict pre')).map(p => p.scrollWidth - p.clientWidth)];",
            vec![],
        )
        .await;
    for (i, extra) in overflow.as_array().expect("numbers").iter().enumerate() {
        assert!(extra.as_f64().unwrap_or(1.0) <= 0.0, "nothing wider than the phone (item {i}): {overflow}");
    }
    browser.set_window_size(1280, 900).await;

    // Typing elsewhere first does no harm: the rows find their lines by their text.
    browser.type_into(&text, "\nline six\n").await;
    click_keep(&browser, 1, "theirs").await;
    click_keep(&browser, 1, "mine").await;
    click_keep(&browser, 2, "theirs").await;
    click_keep(&browser, 3, "both").await;
    let resolved = "# Rota\n\nline one, mine\n\nline two\n\nline three, Bob's\n\nline four\n\nline five, mine\nline five, Bob's\n\nline six\n";
    assert_eq!(value(&browser, &text).await, resolved);
    let pressed = browser
        .execute("return Array.from(document.querySelectorAll('.conflict-row [aria-pressed=true]')).map(b => b.dataset.keep);", vec![])
        .await;
    assert_eq!(pressed, json!(["mine", "theirs", "both"]));
    // A row whose lines were changed by hand since replaces nothing, and says so.
    select_text(&browser, &text, "line three, Bob's").await;
    browser.type_keys("line three, by hand").await;
    click_keep(&browser, 2, "mine").await;
    assert!(value(&browser, &text).await.contains("line three, by hand"), "typed text is never overwritten");
    let status = browser
        .execute("return document.querySelector('#conflict-row-2 .conflict-row-status').textContent;", vec![])
        .await;
    assert!(status.as_str().unwrap_or_default().contains("changed these lines"), "{status}");

    browser.click(&browser.find("#editor-save").await).await;
    let saved_url = wiki.url("/team/rota?saved=1");
    browser.wait_for("the save", PATIENCE, async || (browser.current_url().await == saved_url).then_some(())).await;
    let final_text =
        format!("---\ntitle: Rota of the week\n---\n{}", resolved.replace("line three, Bob's", "line three, by hand"));
    assert_eq!(raw(&wiki, "team/rota.md").await, final_text);
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref]), "Mine: the rota");
    assert_eq!(wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]), head, "saved on Bob's version");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_their_front_matter_line_shows_their_title_in_the_field() {
    let base = "---\ntitle: Rota\nreview_every: 90d\n---\nWho is on call.\n";
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", base)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/-/edit/team/rota")).await;
    let blob = browser.find("input[name=base_blob]").await;
    let blob = browser.property(&blob, "value").await.as_str().unwrap_or_default().to_string();
    let theirs = base.replace("title: Rota", "title: Bob's rota");
    assert_eq!(wiki.put_page("team/rota", &json!({"markdown": theirs}), Some(&blob)).await.status, 200);

    let title = browser.find("#editor-title").await;
    replace_all(&browser, &title, "Ann's rota").await;
    browser.click(&browser.find("#editor-save").await).await;
    browser
        .wait_for("the conflict", PATIENCE, async || {
            browser.try_find("css selector", ".conflict-row").await.map(|_| ())
        })
        .await;
    click_keep(&browser, 1, "theirs").await;
    let yaml = browser.find("#editor-front-matter").await;
    assert_eq!(value(&browser, &yaml).await, "title: Bob's rota\nreview_every: 90d\n");
    assert_eq!(value(&browser, &browser.find("#editor-title").await).await, "Bob's rota", "the field follows");
    // Theirs kept whole is what the page already says: nothing to commit.
    let head = wiki.head();
    browser.click(&browser.find("#editor-save").await).await;
    let saved_url = wiki.url("/team/rota?unchanged=1");
    browser.wait_for("the save", PATIENCE, async || (browser.current_url().await == saved_url).then_some(())).await;
    assert_eq!(raw(&wiki, "team/rota.md").await, theirs);
    assert_eq!(wiki.head(), head);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_edit_returns_to_that_section() {
    let filler = "A paragraph that makes the page long.\n\n".repeat(60);
    let page = format!("# Runbook\n\n## Alpha\n\n{filler}## Beta\n\n{filler}## Gamma\n\nThe end.\n");
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("ops/runbook.md", &page)]).await;
    let browser = Browser::start().await;
    browser.goto(&wiki.url("/ops/runbook")).await;
    let link = browser.find("#beta a.section-edit").await;
    browser.click(&link).await;
    let text = browser.find("#editor-text").await;
    assert!(value(&browser, &text).await.starts_with("## Beta\n"), "the section editor");
    browser.type_into(&text, "One more line.\n").await;
    browser.press_chord(&[CONTROL], "s").await;
    let saved_url = wiki.url("/ops/runbook?saved=1#beta");
    browser
        .wait_for("the page at the section", PATIENCE, async || {
            (browser.current_url().await == saved_url).then_some(())
        })
        .await;
    browser
        .wait_for("the section's heading at the top of the window", PATIENCE, async || {
            let top =
                browser.execute("return document.getElementById('beta').getBoundingClientRect().top;", vec![]).await;
            let top = top.as_f64()?;
            (0.0..200.0).contains(&top).then_some(())
        })
        .await;
    let scrolled = browser.execute("return window.scrollY;", vec![]).await;
    assert!(scrolled.as_f64().unwrap_or(0.0) > 500.0, "the window scrolled down to the section: {scrolled}");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_shows_undo_which_brings_back_the_replaced_version() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let first = wiki.head();
    let second = FIVE_LINES.replace("line two", "line two, changed");
    let blob = wiki.blob_at_head("team/rota.md");
    assert_eq!(wiki.put_page("team/rota", &json!({"markdown": second}), Some(&blob)).await.status, 200);

    let browser = Browser::start().await;
    browser.goto(&wiki.url(&format!("/team/rota?rev={first}"))).await;
    let restore = browser.find(".revision-banner button[type=submit]").await;
    browser.click(&restore).await;
    let undo = browser.find(".undo-form button").await;
    assert_eq!(browser.text(&undo).await, "Undo the restore");
    let notice = browser.find(".notice-flash").await;
    assert_eq!(browser.text(&notice).await, "Restored.");
    assert_eq!(raw(&wiki, "team/rota.md").await, FIVE_LINES, "the old version is back");

    browser.click(&undo).await;
    browser
        .wait_for("the undo", PATIENCE, async || {
            let url = browser.current_url().await;
            (url.contains("restored=1") && wiki.file_at_head("team/rota.md") == second.trim_end()).then_some(())
        })
        .await;
    assert_eq!(raw(&wiki, "team/rota.md").await, second, "undo brought back the version the restore replaced");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_keeps_the_fields_too() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let browser = Browser::start().await;
    let editor_url = wiki.url("/-/edit/team/rota");
    browser.goto(&editor_url).await;
    let title = browser.find("#editor-title").await;
    browser.type_into(&title, "Rota of the week").await;
    let read_draft = "return window.localStorage.getItem('lore-draft:team/rota.md');";
    browser
        .wait_for("the draft to be stored", PATIENCE, async || {
            let stored = browser.execute(read_draft, vec![]).await;
            let draft: serde_json::Value = serde_json::from_str(stored.as_str()?).ok()?;
            (draft["fields"]["editor-title"] == "Rota of the week").then_some(())
        })
        .await;
    browser.goto(&wiki.url("/")).await;
    browser.goto(&editor_url).await;
    browser.click(&browser.find("#draft-restore").await).await;
    assert_eq!(value(&browser, &browser.find("#editor-title").await).await, "Rota of the week");
    browser.quit().await;
}

// ---------------------------------------------------------------------------------------------------------

async fn value(browser: &Browser, element: &WebElement) -> String {
    browser.property(element, "value").await.as_str().unwrap_or_default().to_string()
}

async fn visible(browser: &Browser, css: &str) -> bool {
    let script = format!("const it = document.querySelector({css:?}); return it !== null && !it.hidden;");
    browser.execute(&script, vec![]).await == true
}

/// Selects the first `needle` in a text field (UTF-16 offsets, as the page counts them).
async fn select_text(browser: &Browser, element: &WebElement, needle: &str) {
    let text = value(browser, element).await;
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in {text:?}"));
    let start = text[..at].encode_utf16().count();
    browser.select(element, start, start + needle.encode_utf16().count()).await;
}

async fn caret_at_end(browser: &Browser, element: &WebElement) {
    let length = value(browser, element).await.encode_utf16().count();
    browser.select(element, length, length).await;
}

async fn replace_all(browser: &Browser, element: &WebElement, text: &str) {
    let length = value(browser, element).await.encode_utf16().count();
    browser.select(element, 0, length).await;
    browser.type_keys(text).await;
}

/// Clicks the toolbar button that does `action`; the text keeps its selection, as with a mouse.
async fn click_tool(browser: &Browser, action: &str) {
    let button = browser.find(&format!("#editor-toolbar button[data-action={action}]")).await;
    browser.click(&button).await;
}

async fn click_keep(browser: &Browser, row: usize, keep: &str) {
    let button = browser.find(&format!("#conflict-row-{row} button[data-keep={keep}]")).await;
    browser.click(&button).await;
}

async fn wait_for_option(browser: &Browser, text: &str) {
    let script = format!(
        "return Array.from(document.querySelectorAll('#editor-picker-list [role=option]')).some(it => it.textContent.includes({text:?}));"
    );
    browser
        .wait_for(&format!("the finder to offer {text:?}"), PATIENCE, async || {
            (browser.execute(&script, vec![]).await == true).then_some(())
        })
        .await;
}

/// A file exactly as the raw endpoint serves it.
async fn raw(wiki: &TestWiki, path: &str) -> String {
    String::from_utf8(raw_bytes(wiki, path).await).expect("UTF-8 text")
}

async fn raw_bytes(wiki: &TestWiki, path: &str) -> Vec<u8> {
    let reply = wiki.get(&format!("/-/raw/{path}")).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.body.to_vec()
}
