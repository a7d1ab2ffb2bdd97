//! End-to-end tests of editing in the browser without JavaScript: the editor form, saving, merging and
//! conflicts, sections, templates, create/move/delete/restore, uploads and the CSRF and Origin checks.
//! A [`Browser`] without JavaScript plays the visitor (cookies, Origin, form fields); the repository is
//! checked with the `git` command line after every action, and after every refusal it must be exactly as it
//! was.

use crate::common::browser::{Browser, Form, multipart_body, set_cookie};
use crate::common::*;
use serde_json::json;

const VPN_PAGE: &str =
    "---\ntitle: Getting VPN access\ntags: [networking]\n---\n\nAsk IT for an account.\n\nThen install the client.\n";

/// [`VPN_PAGE`]'s front matter, as the editor's YAML box holds it (without the fences), and its body.
const VPN_YAML: &str = "title: Getting VPN access\ntags: [networking]\n";
const VPN_BODY: &str = "\nAsk IT for an account.\n\nThen install the client.\n";

const RUNBOOK: &str =
    "# Runbook\n\nIntro line.\n\n## Alpha\n\nalpha text\n\n### Alpha detail\n\ndetail text\n\n## Beta\n\nbeta text\n";

const FIVE_LINES: &str = "# Rota\n\nline one\n\nline two\n\nline three\n\nline four\n\nline five\n";

// ---------------------------------------------------------------------------------------------------------
// The editor

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_holds_the_body_the_front_matter_fields_the_base_blob_and_a_csrf_token() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let blob = wiki.blob_at_head("it/vpn-access.md");
    for url in ["/-/edit/it/vpn-access", "/-/edit/it/vpn-access.md"] {
        let mut visitor = Browser::new(&wiki, CSRF_PAGE);
        let reply = visitor.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        assert_safe_html_page(&reply, url);
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"), "{url}: the editor is not cached");
        let form = Form::with_id(&reply.text(), "editor-form");
        assert_eq!(form.method, "post", "{url}");
        assert_eq!(form.action, "/-/edit/it/vpn-access.md", "{url}");
        assert_eq!(form.value("markdown"), VPN_BODY, "{url}: the text box holds the page's body");
        assert_eq!(form.value("front_matter"), VPN_YAML, "{url}: the YAML box holds its front matter");
        assert_eq!(form.value("title"), "Getting VPN access", "{url}");
        assert_eq!(form.value("tags"), "networking", "{url}");
        assert_eq!(form.value("owners"), "", "{url}");
        assert_eq!(form.value("base_blob"), blob, "{url}");
        let token = form.value("csrf_token");
        assert!(token.len() >= 16, "{url}: csrf token {token:?}");
        let cookie = set_cookie(&reply, "lore_csrf").unwrap_or_else(|| panic!("{url}: no lore_csrf cookie"));
        assert_eq!(cookie.value, token, "{url}: the form echoes the cookie (double submit)");
        assert!(cookie.has("samesite"), "{url}: {cookie:?}");
        assert!(cookie.has("httponly"), "{url}: {cookie:?}");

        // A browser that has the cookie keeps it: no new cookie, the same token in the form.
        let again = visitor.get(url).await;
        assert!(set_cookie(&again, "lore_csrf").is_none(), "{url}: the cookie is set only when absent");
        assert_eq!(Form::with_id(&again.text(), "editor-form").value("csrf_token"), token, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_links_to_its_editor() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let page = wiki.get("/it/vpn-access").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let edit = link_with_text(&page.text(), "Edit");
    assert_eq!(edit.attr("href"), "/-/edit/it/vpn-access.md");
    let editor = wiki.get(&edit.attr("href")).await;
    assert_eq!(editor.status, 200, "{}", editor.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_page_offers_to_create_it_with_an_empty_editor() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let missing = wiki.get("/team/new-thing").await;
    assert_eq!(missing.status, 404, "{}", missing.text());
    let create = link_with_text(&missing.text(), "Create this page");
    assert_eq!(create.attr("href"), "/-/edit/team/new-thing");

    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let editor = visitor.get(&create.attr("href")).await;
    assert_eq!(editor.status, 200, "{}", editor.text());
    let form = Form::with_id(&editor.text(), "editor-form");
    assert_eq!(form.action, "/-/edit/team/new-thing.md");
    assert_eq!(form.value("base_blob"), "", "a new page has no base version");
    assert!(form.value("markdown").starts_with("# "), "a new page starts with a heading: {:?}", form.value("markdown"));
    assert_eq!(form.value("front_matter"), "", "and without front matter");
    assert_eq!(form.value("title"), "", "the title comes from the heading unless one is typed");
    let message = input_attr(&editor.text(), "editor-message", "placeholder");
    assert!(message.starts_with("Create "), "default message for a new page: {message:?}");
}

// ---------------------------------------------------------------------------------------------------------
// Saving

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_makes_one_commit_by_the_author_with_the_message_touching_only_that_page() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE), ("other.md", "# Other\n")]).await;
    let count = wiki.commit_count();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    let edited = VPN_PAGE.replace("Ask IT", "Ask the service desk");
    form.set("markdown", &VPN_BODY.replace("Ask IT", "Ask the service desk"));
    form.set("message", "Name the service desk");
    form.set("author_name", BOB.name);
    form.set("author_email", BOB.email);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/it/vpn-access?saved=1"));

    assert_eq!(wiki.commit_count(), count + 1, "one save, one commit");
    assert_eq!(file_at_head(&wiki, "it/vpn-access.md"), edited);
    assert_eq!(
        wiki.git(&["log", "-1", "--format=%an <%ae>|%s", &wiki.branch_ref]),
        format!("{} <{}>|Name the service desk", BOB.name, BOB.email)
    );
    assert_eq!(changed_files(&wiki, "HEAD"), ["M\tit/vpn-access.md"]);
    fsck(&wiki);

    let page = visitor.get("/it/vpn-access?saved=1").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(flash(&page.text()), "Saved.");
    assert!(page.text().contains("Ask the service desk"), "the saved text is served at once");

    // The browser remembers who saved: the next editor is filled in with the same author.
    let author = set_cookie(&reply, "lore_author").expect("the save remembers the author in a cookie");
    assert!(!author.value.is_empty());
    let editor = visitor.get("/-/edit/other").await;
    let next = Form::with_id(&editor.text(), "editor-form");
    assert_eq!(next.value("author_name"), BOB.name);
    assert_eq!(next.value("author_email"), BOB.email);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_messages_are_update_and_create_with_the_title() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    form.set("markdown", &format!("{VPN_BODY}\nMore.\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(last_subject(&wiki), "Update Getting VPN access");
    assert_eq!(
        wiki.git(&["log", "-1", "--format=%an", &wiki.branch_ref]),
        "Anonymous",
        "no name given, none remembered"
    );

    let mut form = visitor.open_editor("team/rota").await;
    form.set("markdown", "# Team rota\n\nWho is on call.\n");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/team/rota?saved=1"));
    assert_eq!(last_subject(&wiki), "Create Team rota");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_page_creates_its_nested_folders() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let count = wiki.commit_count();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("ops/db/backups/restore-drill").await;
    form.set("markdown", "# Restore drill\n\nOnce a quarter.\n");
    form.set("author_name", ANN.name);
    form.set("author_email", ANN.email);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/ops/db/backups/restore-drill?saved=1"));
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(file_at_head(&wiki, "ops/db/backups/restore-drill.md"), "# Restore drill\n\nOnce a quarter.\n");
    assert_eq!(changed_files(&wiki, "HEAD"), ["A\tops/db/backups/restore-drill.md"]);
    fsck(&wiki);

    let page = wiki.get("/ops/db/backups/restore-drill").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Once a quarter."));
    let folder = wiki.get("/ops/db/").await;
    assert_eq!(folder.status, 200, "the new folders are browsable: {}", folder.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_unchanged_text_makes_no_commit() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let form = visitor.open_editor("it/vpn-access").await;
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/it/vpn-access?unchanged=1"));
    assert_unchanged(&wiki, &head);
    let page = visitor.get("/it/vpn-access?unchanged=1").await;
    assert!(!flash(&page.text()).is_empty(), "the page says nothing was saved");
    assert_ne!(flash(&page.text()), "Saved.");
}

// Browsers submit a textarea's line breaks as CRLF whatever the text had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_line_breaks_are_stored_as_the_page_had_them() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    form.set("markdown", &VPN_BODY.replace('\n', "\r\n"));
    form.set("front_matter", &VPN_YAML.replace('\n', "\r\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.header("location").as_deref(), Some("/it/vpn-access?unchanged=1"), "{}", reply.text());
    assert_unchanged(&wiki, &head);

    let edited = format!("{VPN_PAGE}\nMore.\n");
    form.set("markdown", &format!("{VPN_BODY}\nMore.\n").replace('\n', "\r\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(file_at_head(&wiki, "it/vpn-access.md"), edited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_an_existing_page_without_a_base_version_commits_nothing() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    form.set("base_blob", "");
    form.set("markdown", "# Replaced\n\nThis must not overwrite the page blindly.\n");
    let reply = visitor.submit(&form).await;
    assert!((400..500).contains(&reply.status), "expected a 4xx, got {}: {}", reply.status, reply.text());
    assert_eq!(
        Form::with_id(&reply.text(), "editor-form").value("markdown"),
        "# Replaced\n\nThis must not overwrite the page blindly.\n",
        "the user's text comes back"
    );
    assert_unchanged(&wiki, &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_with_a_base_version_that_is_no_blob_commits_nothing() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    form.set("markdown", "# Changed\n");
    for bad in ["not-a-blob", "0000000000000000000000000000000000000000"] {
        form.set("base_blob", bad);
        let reply = visitor.submit(&form).await;
        assert!((400..500).contains(&reply.status), "base_blob {bad:?}: got {}: {}", reply.status, reply.text());
        assert_unchanged(&wiki, &head);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_page_is_refused_with_the_text_kept() {
    let wiki =
        Fixture::with_files(&[("team/rota.md", FIVE_LINES)]).serve_with(|config| config.max_page_bytes = 1000).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    let long = format!("{FIVE_LINES}\n{}\n", "long words ".repeat(100));
    form.set("markdown", &long);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(Form::with_id(&reply.text(), "editor-form").value("markdown"), long, "the text comes back");
    assert_unchanged(&wiki, &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_is_a_plain_form_with_a_message_field_and_a_cheat_sheet() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let reply = wiki.get("/-/edit/it/vpn-access").await;
    let html = reply.text();
    // Without JavaScript the form still saves: a submit button, and every field a save needs.
    let buttons = elements(&html, "button");
    assert!(buttons.iter().any(|it| it.attr("type") == "submit" && it.text() == "Save"), "a Save button");
    let form = Form::with_id(&html, "editor-form");
    for field in ["markdown", "message", "base_blob", "csrf_token", "author_name", "author_email"] {
        assert!(form.fields.iter().any(|(name, _)| name == field), "no {field} field");
    }
    assert_eq!(input_attr(&html, "editor-message", "placeholder"), "Update Getting VPN access");
    let cheat_sheet = elements(&html, "details").into_iter().find(|it| it.classes().iter().any(|c| c == "cheat-sheet"));
    let cheat_sheet = cheat_sheet.expect("a Markdown cheat sheet").text();
    assert!(cheat_sheet.contains("[[Page name]]") && cheat_sheet.contains("## Section"), "{cheat_sheet}");
    // The preview of the page as it is comes with the editor, and the script that makes it live is served.
    let preview = elements(&html, "div").into_iter().find(|it| it.attr("id") == "editor-preview").expect("a preview");
    assert!(preview.text().contains("Ask IT for an account."), "{}", preview.inner_html);
    let script = elements(&html, "script").into_iter().find(|it| it.attr("src").contains("editor.js"));
    let script = wiki.get(&script.expect("the editor script").attr("src")).await;
    assert_eq!(script.status, 200);
    assert!(script.content_type().contains("javascript"), "{}", script.content_type());
}

// Lore commits with compare-and-swap on whatever the branch is now, not on what it saw when the editor opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_builds_on_a_commit_made_outside_lore_meanwhile() {
    let fixture = Fixture::with_files(&[("team/rota.md", FIVE_LINES)]);
    let work_tree = fixture.work_tree().to_path_buf();
    let wiki = fixture.serve().await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;

    // Someone pushes (here: commits in the served repository) a change to another file.
    std::fs::write(work_tree.join("elsewhere.md"), "# Elsewhere\n").expect("write");
    git_in(&work_tree, &["add", "elsewhere.md"]);
    git_in(
        &work_tree,
        &["-c", "user.name=Carol", "-c", "user.email=carol@example.com", "commit", "-q", "-m", "Outside"],
    );
    let outside = wiki.head();

    form.set("markdown", &FIVE_LINES.replace("line two", "line two, edited"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]), outside, "built on the outside commit");
    assert_eq!(file_at_head(&wiki, "elsewhere.md"), "# Elsewhere\n", "the outside change is kept");
    assert_eq!(file_at_head(&wiki, "team/rota.md"), FIVE_LINES.replace("line two", "line two, edited"));
    assert_eq!(changed_files(&wiki, "HEAD"), ["M\tteam/rota.md"]);
    fsck(&wiki);
}

// ---------------------------------------------------------------------------------------------------------
// Concurrent edits from the browser: merge or keep both texts

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_save_with_separate_changes_is_merged_and_names_the_other_author() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    let base = form.value("base_blob");

    // Bob changes the last line through the API while Ann has the editor open.
    let bobs = FIVE_LINES.replace("line five", "line five (Bob)");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": bobs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&base),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let bobs_commit = wiki.head();
    wait_for_last_editor(&wiki, "team/rota", BOB.name).await;

    form.set("markdown", &FIVE_LINES.replace("line one", "line one (Ann)"));
    form.set("author_name", ANN.name);
    form.set("author_email", ANN.email);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/team/rota?merged=Bob%20Builder"));
    assert_eq!(
        file_at_head(&wiki, "team/rota.md"),
        FIVE_LINES.replace("line one", "line one (Ann)").replace("line five", "line five (Bob)")
    );
    assert_eq!(wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]), bobs_commit, "one commit on top of Bob's");
    assert_eq!(wiki.git(&["log", "-1", "--format=%an", &wiki.branch_ref]), ANN.name);
    assert_eq!(changed_files(&wiki, "HEAD"), ["M\tteam/rota.md"]);
    fsck(&wiki);

    let page = visitor.get(reply.header("location").as_deref().unwrap_or_default()).await;
    let notice = flash(&page.text());
    assert!(notice.contains("merged with changes by Bob Builder"), "notice: {notice:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_save_returns_the_editor_with_the_users_text_theirs_and_a_diff() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    let base = form.value("base_blob");

    let bobs = FIVE_LINES.replace("line three", "line three, as Bob has it");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": bobs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&base),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();
    wait_for_last_editor(&wiki, "team/rota", BOB.name).await;

    let anns = FIVE_LINES.replace("line three", "line three, as Ann wants it");
    form.set("markdown", &anns);
    form.set("author_name", ANN.name);
    form.set("author_email", ANN.email);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_unchanged(&wiki, &head);
    assert_eq!(file_at_head(&wiki, "team/rota.md"), bobs);

    let html = reply.text();
    let conflict_form = Form::with_id(&html, "editor-form");
    assert_eq!(conflict_form.value("markdown"), anns, "the user's own text is still in the editor");
    let theirs = elements(&html, "pre").into_iter().find(|it| it.classes().iter().any(|c| c == "conflict-theirs"));
    let theirs = theirs.expect("the conflict shows the other version");
    assert_eq!(unescape(&theirs.inner_html), bobs);
    let diff = elements(&html, "pre").into_iter().find(|it| it.classes().iter().any(|c| c == "diff"));
    let diff = diff.expect("the conflict shows a diff").text();
    assert!(diff.contains("as Bob has it") && diff.contains("as Ann wants it"), "diff: {diff}");
    assert!(html.contains(BOB.name), "the conflict says who changed the page");
    assert_eq!(conflict_form.value("author_name"), ANN.name, "the form keeps the author");

    // Saving the editor as it came back now replaces Bob's version, knowingly: it builds on Bob's blob.
    assert_eq!(conflict_form.value("base_blob"), wiki.blob_at_head("team/rota.md"));
    let reply = visitor.submit(&conflict_form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(file_at_head(&wiki, "team/rota.md"), anns);
    assert_eq!(wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]), head);
    fsck(&wiki);
}

// ---------------------------------------------------------------------------------------------------------
// Sections

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headings_link_to_section_editors_numbered_in_document_order() {
    let wiki = TestWiki::with_files(&[("ops/runbook.md", RUNBOOK)]).await;
    let page = wiki.get("/ops/runbook").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let body = elements(&page.text(), "article").into_iter().next().expect("a page body").inner_html;
    let edit_links: Vec<String> = links(&body)
        .into_iter()
        .filter(|it| it.classes().iter().any(|c| c == "section-edit"))
        .map(|it| it.attr("href"))
        .collect();
    // Section 1 is the page's leading `# Runbook`, shown as the page title rather than in the body.
    assert_eq!(
        edit_links,
        ["/-/edit/ops/runbook.md?section=2", "/-/edit/ops/runbook.md?section=3", "/-/edit/ops/runbook.md?section=4"]
    );
    for (tag, heading, number) in [("h2", "Alpha", 2), ("h3", "Alpha detail", 3), ("h2", "Beta", 4)] {
        let element = elements(&body, tag).into_iter().find(|it| it.text().starts_with(heading)).expect("the heading");
        assert!(has_link_to(&element.inner_html, &format!("/-/edit/ops/runbook.md?section={number}")), "{heading}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_editor_holds_only_that_section() {
    let wiki = TestWiki::with_files(&[("ops/runbook.md", RUNBOOK)]).await;
    let cases = [
        (1, RUNBOOK),
        (2, "## Alpha\n\nalpha text\n\n### Alpha detail\n\ndetail text\n\n"),
        (3, "### Alpha detail\n\ndetail text\n\n"),
        (4, "## Beta\n\nbeta text\n"),
    ];
    for (number, expected) in cases {
        let reply = wiki.get(&format!("/-/edit/ops/runbook.md?section={number}")).await;
        assert_eq!(reply.status, 200, "section {number}: {}", reply.text());
        let form = Form::with_id(&reply.text(), "editor-form");
        assert_eq!(form.value("markdown"), expected, "section {number}");
        assert_eq!(form.value("section"), number.to_string(), "section {number}");
        assert_eq!(form.value("base_blob"), wiki.blob_at_head("ops/runbook.md"), "section {number}");
    }
    let reply = wiki.get("/-/edit/ops/runbook.md?section=5").await;
    assert_eq!(reply.status, 404, "there is no fifth section: {}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_a_section_splices_it_into_the_page() {
    let wiki = TestWiki::with_files(&[("ops/runbook.md", RUNBOOK)]).await;
    let count = wiki.commit_count();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor_at("/-/edit/ops/runbook.md?section=3").await;
    let old_section = form.value("markdown");
    let new_section = "### Alpha detail\n\nnew detail text\n\nand another paragraph\n\n";
    form.set("markdown", new_section);
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    // Back on the page at the section that was edited.
    assert_eq!(reply.header("location").as_deref(), Some("/ops/runbook?saved=1#alpha-detail"));
    assert_eq!(file_at_head(&wiki, "ops/runbook.md"), RUNBOOK.replace(&old_section, new_section));
    assert_eq!(wiki.commit_count(), count + 1);
    fsck(&wiki);

    // Unchanged section text is an unchanged save.
    let head = wiki.head();
    let form = visitor.open_editor_at("/-/edit/ops/runbook.md?section=4").await;
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.header("location").as_deref(), Some("/ops/runbook?unchanged=1#beta"), "{}", reply.text());
    assert_unchanged(&wiki, &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_save_merges_with_a_change_elsewhere_in_the_page() {
    let wiki = TestWiki::with_files(&[("ops/runbook.md", RUNBOOK)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor_at("/-/edit/ops/runbook.md?section=4").await;
    let base = form.value("base_blob");
    let bobs = RUNBOOK.replace("Intro line.", "Intro line, by Bob.");
    let reply = wiki
        .put_page(
            "ops/runbook",
            &json!({"markdown": bobs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&base),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    wait_for_last_editor(&wiki, "ops/runbook", BOB.name).await;

    form.set("markdown", "## Beta\n\nbeta text, by Ann\n");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(reply.header("location").unwrap_or_default().contains("merged="), "{:?}", reply.header("location"));
    assert_eq!(file_at_head(&wiki, "ops/runbook.md"), bobs.replace("beta text", "beta text, by Ann"));
    fsck(&wiki);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_section_save_commits_nothing_and_keeps_the_typed_section() {
    let wiki = TestWiki::with_files(&[("ops/runbook.md", RUNBOOK)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor_at("/-/edit/ops/runbook.md?section=4").await;
    let base = form.value("base_blob");
    let bobs = RUNBOOK.replace("beta text", "beta text, by Bob");
    let reply = wiki.put_page("ops/runbook", &json!({"markdown": bobs}), Some(&base)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();

    form.set("markdown", "## Beta\n\nbeta text, by Ann\n");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_unchanged(&wiki, &head);
    let editor = Form::with_id(&reply.text(), "editor-form");
    assert!(editor.value("markdown").contains("beta text, by Ann"), "typed text lost: {:?}", editor.value("markdown"));
}

// ---------------------------------------------------------------------------------------------------------
// Preview

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_renders_with_the_wiki_and_strips_script() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let markdown = "## Try it\n\nSome **bold** text, see [[Getting VPN access]] and [[No such page]].\n\n\
        <script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n";
    let reply = visitor.post_form("/-/preview", &[("markdown", markdown), ("path", "it/new-page.md")]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/html"), "{}", reply.content_type());
    let html = reply.text();
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(html.contains("id=\"try-it\""), "{html}");
    assert!(!html.to_ascii_lowercase().contains("<script"), "script survived: {html}");
    assert!(!html.to_ascii_lowercase().contains("onerror"), "event handler survived: {html}");
    let existing = link_with_text(&html, "Getting VPN access");
    assert_eq!(existing.attr("href"), "/it/vpn-access");
    assert!(!existing.classes().iter().any(|it| it == "new"), "{html}");
    assert!(link_with_text(&html, "No such page").classes().iter().any(|it| it == "new"), "{html}");
    assert!(!html.contains("<html"), "a fragment, not a page: {html}");
    assert_unchanged(&wiki, &head);
}

// ---------------------------------------------------------------------------------------------------------
// New pages and templates

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_page_form_offers_the_starter_templates() {
    let wiki = TestWiki::managed().await;
    let reply = wiki.get("/-/new").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let html = reply.text();
    let choices: Vec<String> = elements(&html, "input")
        .into_iter()
        .filter(|it| it.attr("name") == "template")
        .map(|it| it.attr("value"))
        .collect();
    for name in ["", "how-to", "runbook", "decision-record"] {
        assert!(choices.iter().any(|it| it == name), "template {name:?} not offered: {choices:?}");
    }
    let inputs = elements(&html, "input");
    let names: Vec<String> = inputs.iter().map(|it| it.attr("name")).collect();
    assert!(names.iter().any(|it| it == "title"), "the form asks for a title: {names:?}");
    assert!(names.iter().any(|it| it == "folder"), "and lets the folder change: {names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_page_from_a_template_opens_the_editor_with_the_template() {
    let wiki = TestWiki::managed().await;
    let reply = wiki.get("/-/new?path=team/x&template=runbook").await;
    assert!(matches!(reply.status, 302 | 303 | 307), "expected a redirect, got {}: {}", reply.status, reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/edit/team/x.md?template=runbook"));

    let runbook = file_at_head(&wiki, "_templates/runbook.md");
    let (yaml, body) = runbook.strip_prefix("---\n").and_then(|it| it.split_once("---\n")).expect("front matter");
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor_at("/-/edit/team/x.md?template=runbook").await;
    assert_eq!(form.value("markdown"), body, "the text box holds the template's body");
    assert_eq!(form.value("front_matter"), yaml, "the YAML box its front matter");
    assert!(!form.value("markdown").contains("title:"), "a new page no longer starts with YAML in the text");
    assert_eq!(form.value("base_blob"), "");

    let count = wiki.commit_count();
    let text = runbook.replace("title: \"\"", "title: Billing queue backs up");
    form.set("title", "Billing queue backs up");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(file_at_head(&wiki, "team/x.md"), text);
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(last_subject(&wiki), "Create Billing queue backs up");
    assert_eq!(file_at_head(&wiki, "_templates/runbook.md"), runbook, "the template itself is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_come_from_the_repositorys_templates_folder() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("_templates/meeting-notes.md", "---\ntitle: Meeting notes\n---\n\n## Attendees\n\n## Decisions\n"),
    ])
    .await;
    let new = wiki.get("/-/new").await;
    let offered = elements(&new.text(), "input").into_iter().any(|it| it.attr("value") == "meeting-notes");
    assert!(offered, "{}", new.text());
    let editor = wiki.get("/-/edit/meetings/2026-01-05?template=meeting-notes").await;
    assert_eq!(editor.status, 200, "{}", editor.text());
    let form = Form::with_id(&editor.text(), "editor-form");
    assert_eq!(form.value("markdown"), "\n## Attendees\n\n## Decisions\n");
    assert_eq!(form.value("front_matter"), "title: Meeting notes\n");
    assert_eq!(form.value("title"), "Meeting notes");

    let unknown = wiki.get("/-/edit/meetings/x?template=no-such-template").await;
    assert_eq!(unknown.status, 404, "{}", unknown.text());
    // A template applies only to new pages: an existing page keeps its text.
    let existing = wiki.get("/-/edit/index?template=meeting-notes").await;
    assert_eq!(Form::with_id(&existing.text(), "editor-form").value("markdown"), "# Home\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_names_cannot_leave_the_templates_folder() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("secret/plan.md", "# Secret plan\n")]).await;
    for name in ["../secret/plan", "..%2Fsecret%2Fplan", "../../etc/passwd"] {
        let reply = wiki.get(&format!("/-/edit/new-page?template={name}")).await;
        if reply.status == 200 {
            let text = Form::with_id(&reply.text(), "editor-form").value("markdown");
            assert!(!text.contains("Secret plan"), "template {name:?} read a page outside _templates: {text:?}");
        } else {
            assert!((400..500).contains(&reply.status), "template {name:?}: {} {}", reply.status, reply.text());
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// CSRF and Origin

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_without_the_right_csrf_token_is_refused_and_commits_nothing() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("it/vpn-access").await;
    form.set("markdown", "# Forged\n");
    let token = form.value("csrf_token");

    form.set("csrf_token", "");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 403, "missing token: {}", reply.text());
    assert_unchanged(&wiki, &head);

    form.set("csrf_token", &"0".repeat(token.len()));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 403, "wrong token: {}", reply.text());
    assert_unchanged(&wiki, &head);

    form.remove("csrf_token");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 403, "no token field: {}", reply.text());
    assert_unchanged(&wiki, &head);

    // The right token without the cookie it must match (another browser, or a forged page).
    form.set("csrf_token", &token);
    let mut stranger = Browser::new(&wiki, CSRF_PAGE);
    let reply = stranger.submit(&form).await;
    assert_eq!(reply.status, 403, "token without its cookie: {}", reply.text());
    assert_unchanged(&wiki, &head);

    // And the token from one browser with another browser's cookie.
    stranger.get("/-/edit/it/vpn-access").await;
    let reply = stranger.submit(&form).await;
    assert_eq!(reply.status, 403, "token from another browser: {}", reply.text());
    assert_unchanged(&wiki, &head);

    // The same form with the right token saves: the refusals were for the token alone.
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_even_with_a_valid_token() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE), ("team/rota.md", FIVE_LINES)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut edit = visitor.open_editor("it/vpn-access").await;
    edit.set("markdown", "# Forged\n");
    let token = edit.value("csrf_token");
    let blob = wiki.blob_at_head("it/vpn-access.md");

    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/-/edit/it/vpn-access.md", edit.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()),
        ("/-/delete/it/vpn-access.md", vec![("base_blob", &blob), ("csrf_token", &token)]),
        ("/-/move/it/vpn-access.md", vec![("to", "stolen/page"), ("base_blob", &blob), ("csrf_token", &token)]),
        ("/-/restore/it/vpn-access.md", vec![("commit", &head), ("csrf_token", &token)]),
    ];
    for origin in ["http://evil.example", "https://evil.example", "null", "http://127.0.0.1.evil.example"] {
        for (path, fields) in &forms {
            let reply = visitor.post_form_from(path, fields, &[("Origin", origin)]).await;
            assert_eq!(reply.status, 403, "{path} from {origin}: {}", reply.text());
            assert_unchanged(&wiki, &head);
        }
    }
    for (path, fields) in &forms {
        let reply = visitor.post_form_from(path, fields, &[("Sec-Fetch-Site", "cross-site")]).await;
        assert_eq!(reply.status, 403, "{path} with Sec-Fetch-Site: cross-site: {}", reply.text());
        assert_unchanged(&wiki, &head);
    }

    let upload = multipart_body(&[("csrf_token", None, token.as_bytes()), ("file", Some("x.png"), PNG_1X1)]);
    let reply =
        visitor.post_multipart_from("/-/upload/it/vpn-access.md", upload, &[("Origin", "http://evil.example")]).await;
    assert_eq!(reply.status, 403, "upload from another site: {}", reply.text());
    assert_unchanged(&wiki, &head);

    let rota_blob = wiki.blob_at_head("team/rota.md");
    let body = serde_json::to_vec(&json!({"markdown": "# Forged\n"})).expect("json");
    let reply = wiki
        .send(
            "PUT",
            "/-/api/pages/team/rota",
            &[
                ("Origin", "http://evil.example"),
                ("Content-Type", "application/json"),
                ("If-Match", &format!("\"{rota_blob}\"")),
            ],
            body,
        )
        .await;
    assert_eq!(reply.status, 403, "API write from another site: {}", reply.text());
    assert_unchanged(&wiki, &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_move_restore_and_upload_need_the_csrf_token() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let head = wiki.head();
    let blob = wiki.blob_at_head("it/vpn-access.md");
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    visitor.open_editor("it/vpn-access").await;
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/-/delete/it/vpn-access.md", vec![("base_blob", &blob), ("csrf_token", "wrong")]),
        ("/-/move/it/vpn-access.md", vec![("to", "elsewhere"), ("base_blob", &blob), ("csrf_token", "wrong")]),
        ("/-/restore/it/vpn-access.md", vec![("commit", &head), ("csrf_token", "wrong")]),
    ];
    for (path, fields) in &cases {
        let reply = visitor.post_form(path, fields).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text());
        assert_unchanged(&wiki, &head);
    }
    let upload = multipart_body(&[("csrf_token", None, b"wrong"), ("file", Some("x.png"), PNG_1X1)]);
    let reply = visitor.post_multipart_from("/-/upload/it/vpn-access.md", upload, &[]).await;
    assert_eq!(reply.status, 403, "upload: {}", reply.text());
    assert_unchanged(&wiki, &head);
    let upload = multipart_body(&[("file", Some("x.png"), PNG_1X1)]);
    let reply = visitor.post_multipart_from("/-/upload/it/vpn-access.md", upload, &[]).await;
    assert_eq!(reply.status, 403, "upload without a token: {}", reply.text());
    assert_unchanged(&wiki, &head);
}

// ---------------------------------------------------------------------------------------------------------
// Delete and restore

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_page_says_who_deleted_it_and_can_be_restored_with_history_intact() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("it/vpn-access.md", VPN_PAGE)]).await;
    let original_commit = wiki.head();
    wait_for_last_editor(&wiki, "it/vpn-access", ANN.name).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    visitor.remember_author(BOB);

    let confirm = visitor.get("/-/delete/it/vpn-access").await;
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    let form = Form::with_action(&confirm.text(), "/-/delete/it/vpn-access.md");
    assert_eq!(form.value("base_blob"), wiki.blob_at_head("it/vpn-access.md"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/it/vpn-access"));
    let delete_commit = wiki.head();
    assert_eq!(changed_files(&wiki, "HEAD"), ["D\tit/vpn-access.md"]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%an|%s", &wiki.branch_ref]), "Bob Builder|Delete Getting VPN access");
    assert_eq!(file_at(&wiki, &original_commit, "it/vpn-access.md"), VPN_PAGE, "history keeps the page");
    fsck(&wiki);

    let gone = visitor.get_until("/it/vpn-access", |it| it.status == 410).await;
    assert_eq!(gone.status, 410, "{}", gone.text());
    let text = text_of(&gone.text());
    assert!(text.contains("deleted by Bob Builder"), "{text}");
    let restore = Form::with_action(&gone.text(), "/-/restore/it/vpn-access.md");
    assert_eq!(restore.value("commit"), original_commit, "restore offers the last version");

    let reply = visitor.submit(&restore).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(
        reply.header("location").unwrap_or_default().starts_with("/it/vpn-access"),
        "{:?}",
        reply.header("location")
    );
    assert_eq!(file_at_head(&wiki, "it/vpn-access.md"), VPN_PAGE);
    let subject = last_subject(&wiki);
    let version = subject.strip_prefix("Restore Getting VPN access to version ").unwrap_or_default();
    assert!(version.len() >= 7 && original_commit.starts_with(version), "{subject} should name {original_commit}");
    assert_eq!(wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]), delete_commit, "restore is a new commit");
    let log = wiki.git(&["log", "--format=%s", &wiki.branch_ref, "--", "it/vpn-access.md"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(subjects.len(), 3, "{log}");
    assert!(subjects[0].starts_with("Restore ") && subjects[1].starts_with("Delete "), "{log}");
    fsck(&wiki);

    let page = visitor.get("/it/vpn-access").await;
    assert_eq!(page.status, 200, "{}", page.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_of_a_changed_page_commits_nothing() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let confirm = visitor.get("/-/delete/team/rota").await;
    let form = Form::with_action(&confirm.text(), "/-/delete/team/rota.md");
    let base = form.value("base_blob");
    let reply =
        wiki.put_page("team/rota", &json!({"markdown": format!("{FIVE_LINES}\nline six\n")}), Some(&base)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();
    let reply = visitor.submit(&form).await;
    assert!((400..500).contains(&reply.status), "deleting a version that is no longer current: {}", reply.status);
    assert_unchanged(&wiki, &head);
    assert!(file_at_head(&wiki, "team/rota.md").contains("line six"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_of_a_commit_without_the_page_commits_nothing() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let before = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("team/rota.md", FIVE_LINES);
    fixture.commit(ANN, "Add rota");
    let wiki = fixture.serve().await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let token = visitor.csrf_token().await;
    for commit in [before.as_str(), "no-such-commit", "0000000000000000000000000000000000000000"] {
        let reply = visitor.post_form("/-/restore/team/rota.md", &[("commit", commit), ("csrf_token", &token)]).await;
        assert!((400..500).contains(&reply.status), "restore from {commit}: {} {}", reply.status, reply.text());
        assert_unchanged(&wiki, &head);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Move

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_page_keeps_old_urls_and_wiki_links_working() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n\nSee [[old/name]] and [[old/name|the old page]].\n"),
        ("old/name.md", "---\ntitle: Deploying\ntags: [ops]\n---\n\nHow we deploy.\n"),
    ])
    .await;
    let count = wiki.commit_count();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let confirm = visitor.get("/-/move/old/name").await;
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    let mut form = Form::with_action(&confirm.text(), "/-/move/old/name.md");
    assert_eq!(form.value("base_blob"), wiki.blob_at_head("old/name.md"));
    form.set("to", "ops/deploying");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(
        reply.header("location").unwrap_or_default().starts_with("/ops/deploying"),
        "{:?}",
        reply.header("location")
    );

    assert_eq!(wiki.commit_count(), count + 1, "a move is one commit");
    let mut changes = changed_files(&wiki, "HEAD");
    changes.sort();
    assert_eq!(changes, ["A\tops/deploying.md", "D\told/name.md"]);
    fsck(&wiki);

    let moved = wiki.get_page_json("ops/deploying").await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let moved = moved.json();
    assert_eq!(moved["front_matter"]["aliases"], json!(["old/name"]), "{moved}");
    assert_eq!(moved["front_matter"]["title"], "Deploying", "other front matter is kept");
    assert_eq!(moved["front_matter"]["tags"], json!(["ops"]), "other front matter is kept");
    assert!(moved["markdown"].as_str().unwrap_or_default().ends_with("How we deploy.\n"), "{moved}");

    let old = wiki.get("/old/name").await;
    assert!(matches!(old.status, 301 | 308), "the old URL redirects permanently, got {}", old.status);
    assert_eq!(old.header("location").as_deref(), Some("/ops/deploying"));

    let home = wiki.get("/").await;
    let html = home.text();
    for text in ["old/name", "the old page"] {
        let link = links(&html).into_iter().find(|it| it.attr("class").contains("wikilink") && it.text() == text);
        let link = link.unwrap_or_else(|| panic!("no wiki link {text:?} in {html}"));
        assert_eq!(link.attr("href"), "/ops/deploying", "{text}");
        assert!(!link.classes().iter().any(|it| it == "new"), "{text}: the old name still resolves");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_onto_an_existing_page_or_a_bad_path_commits_nothing() {
    let wiki = TestWiki::with_files(&[("a.md", "# A\n"), ("b.md", "# B\n")]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let confirm = visitor.get("/-/move/a").await;
    let mut form = Form::with_action(&confirm.text(), "/-/move/a.md");
    for to in ["b", "b.md", "a", "../outside", ".git/config"] {
        form.set("to", to);
        let reply = visitor.submit(&form).await;
        let moved_to = wiki.git(&["show", "--no-renames", "--name-status", "--format=", &wiki.branch_ref]);
        assert!(
            (400..500).contains(&reply.status),
            "move to {to:?}: {} {:?}; commit: {moved_to}",
            reply.status,
            reply.header("location")
        );
        assert_unchanged(&wiki, &head);
    }
    assert_eq!(file_at_head(&wiki, "b.md"), "# B\n");
}

// An empty path became `.md`, a page without a name, in the browser's forms (the API refuses it): an empty
// "New path" moved the page to `.md`, and `/-/new?path=/` opened an editor that created it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nameless_page_path_is_refused_by_move_new_and_the_editor() {
    // Every entry point is tried, each on a wiki of its own, so the failure lists them all.
    let mut problems = Vec::new();
    for to in ["", " ", "/", ".md"] {
        let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("a.md", "# A\n")]).await;
        let mut visitor = Browser::new(&wiki, CSRF_PAGE);
        let token = visitor.csrf_token().await;
        let head = wiki.head();
        let fields = [("to", to), ("base_blob", &wiki.blob_at_head("a.md")), ("csrf_token", &token)];
        let reply = visitor.post_form("/-/move/a.md", &fields).await;
        if !(400..500).contains(&reply.status) || wiki.head() != head {
            problems.push(format!("move to {to:?}: {} {:?}", reply.status, reply.header("location")));
        }
        fsck(&wiki);

        let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("a.md", "# A\n")]).await;
        let head = wiki.head();
        let body = json!({ "to": to }).to_string();
        let reply = wiki.send("POST", "/-/api/pages/a/move", &[("Content-Type", "application/json")], body).await;
        if !(400..500).contains(&reply.status) || wiki.head() != head {
            problems.push(format!("API move to {to:?}: {} {}", reply.status, reply.text()));
        }
        fsck(&wiki);
    }
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    for path in ["/", "%20/%20", ".md"] {
        let reply = wiki.get(&format!("/-/new?path={path}")).await;
        if reply.status != 400 {
            problems.push(format!("/-/new?path={path}: {} {:?}", reply.status, reply.header("location")));
        }
    }
    let fresh = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let mut visitor = Browser::new(&fresh, CSRF_PAGE);
    let editor = visitor.get("/-/edit/.md").await;
    if !(400..500).contains(&editor.status) {
        problems.push(format!("GET /-/edit/.md: {}", editor.status));
    }
    let head = fresh.head();
    let token = visitor.csrf_token().await;
    let reply = visitor.post_form("/-/edit/.md", &[("markdown", "# Nameless\n"), ("csrf_token", &token)]).await;
    if !(400..500).contains(&reply.status) || fresh.head() != head {
        problems.push(format!("POST /-/edit/.md: {} {:?}", reply.status, reply.header("location")));
    }
    assert!(problems.is_empty(), "a page without a name was accepted:\n{}", problems.join("\n"));
    fsck(&fresh);
}

// ---------------------------------------------------------------------------------------------------------
// Uploads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_is_stored_next_to_the_page_in_one_commit_and_served_back() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let count = wiki.commit_count();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    visitor.remember_author(BOB);
    let reply = visitor.upload("team/rota.md", "diagram.png", PNG_1X1).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["path"], "team/diagram.png");
    assert_eq!(answer["url"], "/team/diagram.png");
    let markdown = answer["markdown"].as_str().expect("markdown").to_string();
    let target = markdown.strip_prefix("![diagram.png](").and_then(|it| it.strip_suffix(')'));
    let target = target.unwrap_or_else(|| panic!("an image link to the upload: {markdown:?}"));
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
    assert_eq!(decoded, "diagram.png", "a link relative to the page's folder: {markdown:?}");
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(changed_files(&wiki, "HEAD"), ["A\tteam/diagram.png"]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%an", &wiki.branch_ref]), BOB.name);
    fsck(&wiki);

    let served = wiki.get("/team/diagram.png").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type(), "image/png");
    assert_eq!(served.body, PNG_1X1);

    // The same name again gets a number instead of replacing the first file.
    let again = visitor.upload("team/rota.md", "diagram.png", b"second").await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.json()["path"], "team/diagram-2.png");
    assert_eq!(wiki.get("/team/diagram.png").await.body, PNG_1X1, "the first upload is untouched");

    // A document gets a plain link.
    let doc = visitor.upload("team/rota.md", "notes.pdf", b"%PDF-1.4 fake").await;
    assert_eq!(doc.status, 201, "{}", doc.text());
    let doc_markdown = doc.json()["markdown"].as_str().expect("markdown").to_string();
    assert!(doc_markdown.starts_with("[notes.pdf]("), "{doc_markdown}");

    // The Markdown the editor inserts works on the page: the image and the link lead to the files.
    let mut form = visitor.open_editor("team/rota").await;
    form.set("markdown", &format!("{FIVE_LINES}\n{markdown}\n\n{doc_markdown}\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let page = visitor.get("/team/rota").await.text();
    let image = elements(&page, "img").into_iter().find(|it| it.attr("alt") == "diagram.png").expect("the image");
    let image = wiki.get(&image.attr("src")).await;
    assert_eq!((image.status, image.body.as_slice()), (200, PNG_1X1), "the image link works");
    let link = link_with_text(&page, "notes.pdf");
    let served = wiki.get(&link.attr("href")).await;
    assert_eq!((served.status, served.body.as_slice()), (200, &b"%PDF-1.4 fake"[..]), "the document link works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_names_are_sanitised_and_never_reach_git_internals() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES), ("top.md", "# Top\n")]).await;
    let git_config = std::fs::read(wiki.git_dir.join("config")).expect("the repository's config");
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let cases = [
        ("../../.git/config", "team/config"),
        ("..\\..\\evil.png", "team/evil.png"),
        (".git", "team/upload"),
        ("My Photo (1).PNG", "team/My-Photo-1-.PNG"),
        ("../../.git/config", "team/config-2"),
    ];
    for (name, expected) in cases {
        let reply = visitor.upload("team/rota.md", name, b"uploaded bytes").await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.text());
        assert_eq!(reply.json()["path"], expected, "{name}");
        fsck(&wiki);
    }
    // A page at the top level keeps its uploads at the top level.
    let reply = visitor.upload("top.md", ".git/HEAD", b"ref: refs/heads/evil\n").await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["path"], "HEAD");

    assert_eq!(std::fs::read(wiki.git_dir.join("config")).expect("config"), git_config, ".git/config untouched");
    let tree = wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref]);
    assert!(!tree.lines().any(|it| it.split('/').any(|segment| segment == ".git" || segment == "..")), "{tree}");
    assert_eq!(wiki.git(&["symbolic-ref", "HEAD"]), wiki.branch_ref, "HEAD untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_over_the_limit_is_a_413_and_commits_nothing() {
    let wiki =
        Fixture::with_files(&[("team/rota.md", FIVE_LINES)]).serve_with(|config| config.max_upload_bytes = 1000).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let ok = visitor.upload("team/rota.md", "small.bin", &[7u8; 1000]).await;
    assert_eq!(ok.status, 201, "exactly the limit is allowed: {}", ok.text());
    let head_after_ok = wiki.head();
    assert_ne!(head_after_ok, head);
    for size in [1001, 200_000, 6 * 1024 * 1024] {
        let reply = visitor.upload("team/rota.md", "big.bin", &vec![7u8; size]).await;
        assert_eq!(reply.status, 413, "{size} bytes: {}", reply.text());
        reply.assert_json_error();
        assert_unchanged(&wiki, &head_after_ok);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_svg_and_html_are_served_without_running_script() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>";
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
    for (name, content) in [("pic.svg", &svg[..]), ("page.html", &html[..]), ("page.htm", &html[..])] {
        let reply = visitor.upload("team/rota.md", name, content).await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.text());
        let url = reply.json()["url"].as_str().expect("a url").to_string();
        let served = wiki.get(&url).await;
        assert_eq!(served.status, 200, "{url}");
        let csp = served.header("content-security-policy").unwrap_or_default();
        assert!(csp.split(';').any(|it| it.trim() == "sandbox"), "{url}: CSP {csp:?}");
        assert!(!csp.contains("allow-scripts"), "{url}: the sandbox allows script: {csp}");
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{url}: no script source: {csp}");
        assert_eq!(served.header("x-content-type-options").as_deref(), Some("nosniff"), "{url}");
        if name.ends_with(".html") || name.ends_with(".htm") {
            let disposition = served.header("content-disposition").unwrap_or_default();
            assert!(disposition.starts_with("attachment"), "{url}: HTML is a download, got {disposition:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_never_add_names_that_break_windows_or_macos_checkouts() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES), ("team/photo.png", "old photo")]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    // A name differing only in case from a file beside it is taken, like the same name: the next one is used.
    let reply = visitor.upload("team/rota.md", "Photo.png", PNG_1X1).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["path"], "team/Photo-2.png", "{}", reply.text());
    // A device name is refused, saying why.
    let head = wiki.head();
    for name in ["con.png", "AUX", "lpt1.txt"] {
        let reply = visitor.upload("team/rota.md", name, PNG_1X1).await;
        assert_eq!(reply.status, 400, "{name}: {}", reply.text());
        assert!(reply.text().contains("Windows"), "{name}: {}", reply.text());
    }
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_javascript_is_not_served_as_script_from_the_wiki_origin() {
    // Pages allow `script-src 'self'`: a script served with a script type from the wiki itself is one that a
    // page (or an injection into one) could load. Served as attached plain text under `nosniff`, it runs nowhere.
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES), ("team/pushed.js", "window.pwned = 1;\n")]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let script = b"window.pwned = 1;\n";
    let mut urls = vec!["/team/pushed.js".to_string(), "/-/raw/team/pushed.js".to_string()];
    for name in ["x.js", "x.mjs", "x.cjs", "X.JS", "x.jsx", "x.wasm"] {
        let reply = visitor.upload("team/rota.md", name, script).await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.text());
        urls.push(reply.json()["url"].as_str().expect("a url").to_string());
    }
    for url in urls {
        let served = wiki.get(&url).await;
        assert_eq!(served.status, 200, "{url}");
        assert_eq!(served.content_type(), "text/plain; charset=utf-8", "{url}");
        let disposition = served.header("content-disposition").unwrap_or_default();
        assert!(disposition.starts_with("attachment"), "{url}: a script is a download, got {disposition:?}");
        assert_eq!(served.header("x-content-type-options").as_deref(), Some("nosniff"), "{url}");
        assert_eq!(served.body, script, "{url}: the file itself is served unchanged");
    }
}

// ---------------------------------------------------------------------------------------------------------
// The API's delete, move and restore

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_delete_needs_a_current_if_match() {
    let fixture = Fixture::with_files(&[("team/rota.md", "# Rota\n\nfirst version\n")]);
    let stale = fixture.git(&["rev-parse", "HEAD:team/rota.md"]);
    fixture.write("team/rota.md", FIVE_LINES);
    fixture.commit(ANN, "Second version");
    let wiki = fixture.serve().await;
    let head = wiki.head();
    let blob = wiki.blob_at_head("team/rota.md");
    let reply = wiki.send("DELETE", "/-/api/pages/team/rota", &[], "").await;
    assert_eq!(reply.status, 428, "{}", reply.text());
    reply.assert_json_error();
    assert_unchanged(&wiki, &head);

    let reply = wiki.send("DELETE", "/-/api/pages/team/rota", &[("If-Match", &format!("\"{stale}\""))], "").await;
    assert_eq!(reply.status, 412, "{}", reply.text());
    reply.assert_json_error();
    assert_unchanged(&wiki, &head);

    let reply = wiki
        .send(
            "DELETE",
            "/-/api/pages/team/rota",
            &[("If-Match", &format!("\"{blob}\"")), ("Content-Type", "application/json")],
            serde_json::to_vec(
                &json!({"message": "Retire the rota", "author": {"name": BOB.name, "email": BOB.email}}),
            )
            .expect("json"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["commit"], wiki.head().as_str());
    assert_eq!(changed_files(&wiki, "HEAD"), ["D\tteam/rota.md"]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%an|%s", &wiki.branch_ref]), "Bob Builder|Retire the rota");
    assert_eq!(wiki.get("/-/api/pages/team/rota").await.status, 404);
    fsck(&wiki);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_move_and_restore() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES), ("index.md", "# Home\n\n[[team/rota]]\n")]).await;
    let first = wiki.head();
    let reply = wiki
        .send(
            "POST",
            "/-/api/pages/team/rota/move",
            &[("Content-Type", "application/json")],
            r#"{"to": "people/on-call"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["path"], "people/on-call.md");
    assert_eq!(answer["url"], "/people/on-call");
    assert_eq!(answer["commit"], wiki.head().as_str());
    let mut changes = changed_files(&wiki, "HEAD");
    changes.sort();
    assert_eq!(changes, ["A\tpeople/on-call.md", "D\tteam/rota.md"]);
    let old = wiki.get("/team/rota").await;
    assert!(matches!(old.status, 301 | 308), "{}", old.status);
    assert_eq!(old.header("location").as_deref(), Some("/people/on-call"));

    // Restoring the old path from the first commit brings the page back there as a new commit.
    let body = serde_json::to_vec(&json!({"commit": first})).expect("json");
    let reply =
        wiki.send("POST", "/-/api/pages/team/rota/restore", &[("Content-Type", "application/json")], body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["commit"], wiki.head().as_str());
    assert_eq!(file_at_head(&wiki, "team/rota.md"), FIVE_LINES);
    assert!(last_subject(&wiki).starts_with("Restore Rota to version "), "{}", last_subject(&wiki));
    assert_eq!(wiki.commit_count(), 3);
    fsck(&wiki);

    // Moving with a stale If-Match is refused.
    let head = wiki.head();
    let reply = wiki
        .send(
            "POST",
            "/-/api/pages/team/rota/move",
            &[("Content-Type", "application/json"), ("If-Match", &format!("\"{}\"", wiki.blob_at_head("index.md")))],
            r#"{"to": "elsewhere"}"#,
        )
        .await;
    assert_eq!(reply.status, 412, "{}", reply.text());
    assert_unchanged(&wiki, &head);
}

// ---------------------------------------------------------------------------------------------------------
// Front matter fields

/// A page whose front matter has keys the editor's fields do not know, written the way people write them.
const STEWARDED: &str = "---\ntitle: Deploy checklist\ntags: [ops]\nreview_every: 90d   # quarterly\nverified:\n  by: Ann\n  date: 2026-01-05\ncustom_key: {a: 1}\n---\n# Deploy checklist\n\n- [ ] Tell the channel\n";

/// The file exactly as the raw endpoint serves it at the head.
async fn raw_file(wiki: &TestWiki, path: &str) -> String {
    let reply = wiki.get(&format!("/-/raw/{path}")).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_untouched_fields_keeps_the_file_byte_for_byte() {
    let wiki = TestWiki::with_files(&[("ops/deploy.md", STEWARDED)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let form = visitor.open_editor("ops/deploy").await;
    assert_eq!(form.value("title"), "Deploy checklist");
    assert_eq!(form.value("tags"), "ops");
    assert!(form.value("front_matter").contains("custom_key: {a: 1}"), "{:?}", form.value("front_matter"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.header("location").as_deref(), Some("/ops/deploy?unchanged=1"), "{}", reply.text());
    assert_unchanged(&wiki, &head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_fields_write_the_front_matter_and_keep_every_other_key() {
    let wiki = TestWiki::with_files(&[("ops/deploy.md", STEWARDED)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("ops/deploy").await;
    form.set("title", "Deploy checklist: production");
    form.set("tags", "ops, how-to, yes");
    form.set("owners", "ann@example.com, @platform-team");
    form.set("markdown", &format!("{}- [ ] Watch the dashboards\n", form.value("markdown")));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let saved = raw_file(&wiki, "ops/deploy.md").await;
    assert_eq!(
        saved,
        "---\ntitle: 'Deploy checklist: production'\ntags: [ops, how-to, \"yes\"]\nreview_every: 90d   # quarterly\n\
         verified:\n  by: Ann\n  date: 2026-01-05\ncustom_key: {a: 1}\nowners: [ann@example.com, \"@platform-team\"]\n---\n\
         # Deploy checklist\n\n- [ ] Tell the channel\n- [ ] Watch the dashboards\n"
    );
    assert_eq!(file_at_head(&wiki, "ops/deploy.md"), saved);
    // What Lore reads back is what the fields said.
    let api = wiki.get_until("/-/api/pages/ops/deploy", |it| it.text().contains("production")).await;
    let page = api.json();
    assert_eq!(page["title"], "Deploy checklist: production", "{page}");
    assert_eq!(page["front_matter"]["tags"], json!(["ops", "how-to", "yes"]), "{page}");
    assert_eq!(page["front_matter"]["owners"], json!(["ann@example.com", "@platform-team"]), "{page}");
    assert_eq!(page["front_matter"]["custom_key"], json!({"a": 1}), "{page}");
    fsck(&wiki);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_front_matter_stays_without_and_a_title_creates_it() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    assert_eq!(form.value("front_matter"), "");
    assert_eq!(form.value("title"), "");
    form.set("markdown", &format!("{FIVE_LINES}\nline six\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(raw_file(&wiki, "team/rota.md").await, format!("{FIVE_LINES}\nline six\n"), "no front matter appears");

    let mut form = visitor.open_editor("team/rota").await;
    form.set("title", "On-call rota");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        raw_file(&wiki, "team/rota.md").await,
        format!("---\ntitle: On-call rota\n---\n{FIVE_LINES}\nline six\n")
    );

    // Emptying the only field takes the block away again.
    let mut form = visitor.open_editor("team/rota").await;
    assert_eq!(form.value("title"), "On-call rota");
    form.set("title", "");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(raw_file(&wiki, "team/rota.md").await, format!("{FIVE_LINES}\nline six\n"));
    fsck(&wiki);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_matter_typed_under_advanced_is_saved_as_typed() {
    let wiki = TestWiki::with_files(&[("ops/deploy.md", STEWARDED)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("ops/deploy").await;
    let yaml = form.value("front_matter").replace("review_every: 90d   # quarterly", "review_every: 30d");
    form.set("front_matter", &format!("{yaml}aliases: [deploying]\n"));
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let expected = STEWARDED
        .replace("review_every: 90d   # quarterly", "review_every: 30d")
        .replace("custom_key: {a: 1}\n---", "custom_key: {a: 1}\naliases: [deploying]\n---");
    assert_eq!(raw_file(&wiki, "ops/deploy.md").await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_front_matter_input_is_a_400_that_keeps_everything_typed() {
    let wiki = TestWiki::with_files(&[("ops/deploy.md", STEWARDED)]).await;
    let head = wiki.head();
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let cases = [
        ("title: [unclosed\n", "invalid YAML front matter"),
        ("- a list\n- not a mapping\n", "not a mapping"),
        ("title: x\n---\nmore: y\n", "`---`"),
        (&*format!("x: {}\n", "[".repeat(100)), "nested more than"),
    ];
    for (yaml, message) in cases {
        let mut form = visitor.open_editor("ops/deploy").await;
        form.set("front_matter", yaml);
        form.set("title", "A new title");
        form.set("markdown", "The body I typed.\n");
        form.set("message", "My message");
        let reply = visitor.submit(&form).await;
        assert_eq!(reply.status, 400, "{yaml:?}: {}", reply.text());
        let html = reply.text();
        assert!(unescape(&html).contains(message), "{yaml:?}: the reason is shown: {html}");
        let again = Form::with_id(&html, "editor-form");
        assert_eq!(again.value("front_matter"), yaml, "the YAML comes back");
        assert_eq!(again.value("title"), "A new title", "the title comes back");
        assert_eq!(again.value("title_was"), "Deploy checklist", "and what it was");
        assert_eq!(again.value("markdown"), "The body I typed.\n", "the text comes back");
        assert_eq!(again.value("message"), "My message", "the message comes back");
        assert_unchanged(&wiki, &head);
    }
    // Fields and a section at once make no sense: a section has no front matter.
    let mut form = visitor.open_editor_at("/-/edit/ops/deploy.md?section=1").await;
    form.set("front_matter", "title: x\n");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_unchanged(&wiki, &head);
}

// ---------------------------------------------------------------------------------------------------------
// New page: title first

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_page_makes_the_address_from_the_title_in_the_folder_given() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("team/rota.md", FIVE_LINES)]).await;
    let reply = wiki.get("/-/new?title=How+We+Deploy%21&folder=team&template=").await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/edit/team/how-we-deploy.md?title=How%20We%20Deploy%21"));
    // The name can be chosen, and the folder left empty for the top level.
    let reply = wiki.get("/-/new?title=How+We+Deploy&folder=&name=deploying").await;
    assert_eq!(reply.header("location").as_deref(), Some("/-/edit/deploying.md?title=How%20We%20Deploy"));

    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor_at("/-/edit/team/how-we-deploy.md?title=How%20We%20Deploy%21").await;
    assert_eq!(form.value("title"), "How We Deploy!", "the editor has the title in its field");
    assert_eq!(form.value("markdown"), "", "and nothing in the text");
    assert_eq!(form.value("front_matter"), "");
    form.set("markdown", "Push, then watch.\n");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(raw_file(&wiki, "team/how-we-deploy.md").await, "---\ntitle: How We Deploy!\n---\nPush, then watch.\n");
    assert_eq!(last_subject(&wiki), "Create How We Deploy!");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_page_refuses_an_address_against_its_hint_and_offers_one_that_follows_it() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("Handbook/intro.md", "# Intro\n")]).await;
    for query in
        ["path=Team/How+We+Deploy", "title=How+We+Deploy&folder=Team", "title=x&folder=team&name=How+We+Deploy"]
    {
        let reply = wiki.get(&format!("/-/new?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text());
        let html = reply.text();
        let form = Form::with_id(&html, "new-page-form");
        let offered = format!("{}/{}", form.value("folder"), form.value("name"));
        assert_eq!(offered, "team/how-we-deploy", "{query}: the form offers an address that follows the hint");
        assert!(text_of(&html).contains("team/how-we-deploy"), "{query}: {}", text_of(&html));
    }
    // A folder that exists is taken as it is, capitals and all.
    let reply = wiki.get("/-/new?title=Remote+work&folder=Handbook").await;
    assert_eq!(reply.header("location").as_deref(), Some("/-/edit/Handbook/remote-work.md?title=Remote%20work"));
    // Letters beyond ASCII make addresses too, percent-encoded on the way to the editor.
    let reply = wiki.get("/-/new?title=%C3%9Cber+uns&folder=").await;
    assert_eq!(reply.header("location").as_deref(), Some("/-/edit/%C3%BCber-uns.md?title=%C3%9Cber%20uns"));
    let editor = wiki.get("/-/edit/%C3%BCber-uns.md?title=%C3%9Cber%20uns").await;
    assert_eq!(editor.status, 200, "{}", editor.text());
    // An address that is taken is refused, with a link to the page there.
    let reply = wiki.get("/-/new?title=Intro&folder=Handbook").await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(has_link_to(&reply.text(), "/Handbook/intro"), "{}", reply.text());
    // A title without letters or digits makes no address.
    let reply = wiki.get("/-/new?title=%21%21%21").await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = wiki.get("/-/new?path=team/..%2F..%2Fetc").await;
    assert_eq!(reply.status, 400, "{}", reply.text());
}

// ---------------------------------------------------------------------------------------------------------
// Conflicts, change by change

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_rows_offer_each_change_and_keep_the_message_title_and_the_other_changes() {
    let base = "---\ntitle: Rota\n---\nline one\n\nline two\n\nline three\n\nline four\n";
    let wiki = TestWiki::with_files(&[("team/rota.md", base)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    let blob = form.value("base_blob");
    // Bob changes line one and line four; Ann changes line one too, and line two.
    let bobs = base.replace("line one", "line one, Bob's").replace("line four", "line four, Bob's");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": bobs, "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&blob),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let head = wiki.head();
    wait_for_last_editor(&wiki, "team/rota", BOB.name).await;

    form.set("title", "On-call rota");
    form.set(
        "markdown",
        &form.value("markdown").replace("line one", "line one, Ann's").replace("line two", "line two, Ann's"),
    );
    form.set("message", "Ann's rota changes");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_unchanged(&wiki, &head);
    let html = reply.text();
    assert_eq!(h1_text(&html), "Edit On-call rota", "the heading shows the title, not the path");
    let editor = Form::with_id(&html, "editor-form");
    assert_eq!(editor.value("message"), "Ann's rota changes", "the typed message is kept");
    assert_eq!(editor.value("title"), "On-call rota", "the typed title is kept");
    assert_eq!(
        editor.value("markdown"),
        "line one, Ann's\n\nline two, Ann's\n\nline three\n\nline four, Bob's\n",
        "both versions combined, the contested line as typed"
    );
    let rows: Vec<Element> =
        elements(&html, "li").into_iter().filter(|it| it.classes().iter().any(|c| c == "conflict-row")).collect();
    assert_eq!(rows.len(), 1, "one row per change both made: {html}");
    let row = &rows[0];
    assert_eq!(unescape(&row.attr("data-mine")), "line one, Ann's\n");
    assert_eq!(unescape(&row.attr("data-theirs")), "line one, Bob's\n");
    assert_eq!(row.attr("data-offset"), "0");
    assert_eq!(row.attr("data-target"), "body");
    for choice in ["Keep mine", "Keep theirs", "Keep both"] {
        assert!(row.text().contains(choice), "{choice}: {}", row.text());
    }
    // Saving what came back keeps Ann's title and lines and Bob's other line, on Bob's version.
    let reply = visitor.submit(&editor).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(
        raw_file(&wiki, "team/rota.md").await,
        "---\ntitle: On-call rota\n---\nline one, Ann's\n\nline two, Ann's\n\nline three\n\nline four, Bob's\n"
    );
    assert_eq!(last_subject(&wiki), "Ann's rota changes");
    fsck(&wiki);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_in_the_front_matter_is_a_row_of_the_yaml_box_that_tells_the_fields() {
    let base = "---\ntitle: Rota\ntags: [ops]\n---\nWho is on call.\n";
    let wiki = TestWiki::with_files(&[("team/rota.md", base)]).await;
    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let mut form = visitor.open_editor("team/rota").await;
    let blob = form.value("base_blob");
    let bobs = base.replace("title: Rota", "title: Bob's rota");
    assert_eq!(wiki.put_page("team/rota", &json!({"markdown": bobs}), Some(&blob)).await.status, 200);
    let head = wiki.head();
    form.set("title", "Ann's rota");
    let reply = visitor.submit(&form).await;
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_unchanged(&wiki, &head);
    let html = reply.text();
    let editor = Form::with_id(&html, "editor-form");
    assert_eq!(editor.value("title"), "Ann's rota");
    assert_eq!(editor.value("front_matter"), "title: Ann's rota\ntags: [ops]\n", "the YAML box has mine");
    let advanced =
        elements(&html, "details").into_iter().find(|it| it.classes().iter().any(|c| c == "editor-advanced"));
    assert!(advanced.expect("the Advanced box").attrs.contains_key("open"), "it is open, to show the row's lines");
    let rows: Vec<Element> =
        elements(&html, "li").into_iter().filter(|it| it.classes().iter().any(|c| c == "conflict-row")).collect();
    assert_eq!(rows.len(), 1, "{html}");
    assert_eq!(rows[0].attr("data-target"), "front_matter");
    assert_eq!(unescape(&rows[0].attr("data-theirs")), "title: Bob's rota\n");
    let fields: serde_json::Value = serde_json::from_str(&unescape(&rows[0].attr("data-fields"))).expect("JSON");
    assert_eq!(fields["theirs"]["title"], "Bob's rota", "{fields}");
    assert_eq!(fields["mine"]["title"], "Ann's rota", "{fields}");
    assert_eq!(fields["theirs"]["tags"], "ops", "{fields}");
    // Two titles are not front matter: "keep both" is not offered for this row.
    assert!(rows[0].text().contains("Keep theirs") && !rows[0].text().contains("Keep both"), "{}", rows[0].text());
}

// ---------------------------------------------------------------------------------------------------------
// Restore and undo

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_offers_undo_which_brings_back_the_version_it_replaced() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let first = wiki.head();
    let second_text = FIVE_LINES.replace("line two", "line two, changed");
    let blob = wiki.blob_at_head("team/rota.md");
    let reply = wiki.put_page("team/rota", &json!({"markdown": second_text}), Some(&blob)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let second = wiki.head();

    let mut visitor = Browser::new(&wiki, CSRF_PAGE);
    let token = visitor.csrf_token().await;
    let reply = visitor.post_form("/-/restore/team/rota.md", &[("commit", &first), ("csrf_token", &token)]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let location = reply.header("location").unwrap_or_default();
    assert_eq!(location, format!("/team/rota?restored=1&undo={second}"));
    assert_eq!(file_at_head(&wiki, "team/rota.md"), FIVE_LINES);

    let page = visitor.get(&location).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(flash(&page.text()), "Restored.");
    let undo = Form::with_action(&page.text(), "/-/restore/team/rota.md");
    assert_eq!(undo.value("commit"), second);
    assert_eq!(undo.value("csrf_token"), token, "the undo form carries the browser's token");
    let button = elements(&page.text(), "button").into_iter().find(|it| it.text().starts_with("Undo"));
    assert!(button.is_some(), "an Undo button: {}", page.text());
    // Not in the plain, shared view of the page.
    let plain = visitor.get("/team/rota").await;
    assert!(!plain.text().contains("Undo the restore"), "{}", plain.text());

    let reply = visitor.submit(&undo).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(file_at_head(&wiki, "team/rota.md"), second_text, "undo brought back the replaced version");

    // Like every form, the undo needs the token.
    let head = wiki.head();
    let reply = visitor.post_form("/-/restore/team/rota.md", &[("commit", &first), ("csrf_token", "wrong")]).await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert_unchanged(&wiki, &head);
    // A forged undo value is shown to nobody: not hex, no form.
    let page = visitor.get("/team/rota?restored=1&undo=%3Cscript%3E").await;
    assert!(!page.text().contains("Undo the restore"), "{}", page.text());
}

// ---------------------------------------------------------------------------------------------------------
// People to mention

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_api_finds_committers_by_part_of_their_name_for_mentions() {
    let wiki = TestWiki::with_files(&[("team/rota.md", FIVE_LINES)]).await;
    let blob = wiki.blob_at_head("team/rota.md");
    let reply = wiki
        .put_page(
            "team/rota",
            &json!({"markdown": "# Rota\n", "author": {"name": BOB.name, "email": BOB.email}}),
            Some(&blob),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = wiki.get_until("/-/api/people?q=buil", |it| it.text().contains("Bob")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["people"], json!([{"name": BOB.name, "mention": "@bob@example.com"}]));
    let reply = wiki.get("/-/api/people?q=%40ANN").await;
    assert_eq!(reply.json()["people"][0]["mention"], "@ann@example.com", "{}", reply.text());
    // Someone with an account is mentioned by user name, which reaches the account.
    lore::auth::Accounts::open(&wiki.data_dir())
        .expect("the state store")
        .add_user(lore::auth::NewUser {
            username: "bobby".into(),
            name: BOB.name.into(),
            email: "BOB@example.com".into(),
            role: lore::auth::Role::Editor,
            groups: Vec::new(),
            password: None,
        })
        .expect("a new account");
    let reply = wiki.get("/-/api/people?q=bob").await;
    assert_eq!(reply.json()["people"], json!([{"name": BOB.name, "mention": "@bobby"}]), "{}", reply.text());
    let reply = wiki.get(&format!("/-/api/people?q={}", "x".repeat(300))).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
}

// ---------------------------------------------------------------------------------------------------------
// A browser without JavaScript

/// The page a [`Browser`] of these tests opens for a CSRF token: the editor sets the cookie.
const CSRF_PAGE: &str = "/-/edit/index";

/// What a visitor does in the editor, on top of the shared [`Browser`].
trait Visitor {
    /// Opens the editor of `page` and returns its form.
    async fn open_editor(&mut self, page: &str) -> Form;

    /// Opens the editor at `url` and returns its form; panics unless it answers 200.
    async fn open_editor_at(&mut self, url: &str) -> Form;

    /// Uploads a file for `page` with this browser's CSRF token, as the editor's script does.
    async fn upload(&mut self, page: &str, file_name: &str, content: &[u8]) -> Reply;
}

impl Visitor for Browser<'_> {
    async fn open_editor(&mut self, page: &str) -> Form {
        self.open_editor_at(&format!("/-/edit/{page}")).await
    }

    async fn open_editor_at(&mut self, url: &str) -> Form {
        let reply = self.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        Form::with_id(&reply.text(), "editor-form")
    }

    async fn upload(&mut self, page: &str, file_name: &str, content: &[u8]) -> Reply {
        let token = self.csrf_token().await;
        let body = multipart_body(&[("csrf_token", None, token.as_bytes()), ("file", Some(file_name), content)]);
        self.post_multipart(&format!("/-/upload/{page}"), body).await
    }
}

/// The text of the flash notice (`.notice-flash`), or `""`.
fn flash(html: &str) -> String {
    elements(html, "p")
        .into_iter()
        .find(|it| it.classes().iter().any(|c| c == "notice-flash"))
        .map(|it| it.text())
        .unwrap_or_default()
}

/// An attribute of the `<input>` with `id`.
fn input_attr(html: &str, id: &str, name: &str) -> String {
    elements(html, "input").into_iter().find(|it| it.attr("id") == id).map(|it| it.attr(name)).unwrap_or_default()
}

/// `git show --name-status` of a commit: `M\tpath` lines, renames shown as a delete and an add.
#[track_caller]
fn changed_files(wiki: &TestWiki, revision: &str) -> Vec<String> {
    let revision = if revision == "HEAD" { wiki.branch_ref.clone() } else { revision.to_string() };
    let out = wiki.git(&["show", "--no-renames", "--name-status", "--format=", &revision]);
    out.lines().filter(|it| !it.is_empty()).map(str::to_string).collect()
}

/// The exact content of `path` at the head of the served branch (`TestWiki::file_at_head` trims it).
#[track_caller]
fn file_at_head(wiki: &TestWiki, path: &str) -> String {
    file_at(wiki, &wiki.branch_ref, path)
}

/// The exact content of `path` in `revision`.
#[track_caller]
fn file_at(wiki: &TestWiki, revision: &str, path: &str) -> String {
    let git_dir = format!("--git-dir={}", wiki.git_dir.display());
    let object = format!("{revision}:{path}");
    let output = git_command(wiki.root(), &[&git_dir, "cat-file", "blob", &object]).output().expect("git runs");
    assert!(output.status.success(), "no {path} at the head: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

#[track_caller]
fn last_subject(wiki: &TestWiki) -> String {
    wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref])
}

#[track_caller]
fn fsck(wiki: &TestWiki) {
    wiki.git(&["fsck", "--strict", "--no-progress"]);
}

/// Asserts that the branch still points at `head` and `git fsck --strict` passes.
#[track_caller]
fn assert_unchanged(wiki: &TestWiki, head: &str) {
    assert_eq!(wiki.head(), head, "the branch moved");
    fsck(wiki);
}

/// Waits until the change index knows that `name` made the last change to `page` (merge notices and
/// conflict messages name that person).
async fn wait_for_last_editor(wiki: &TestWiki, page: &str, name: &str) {
    let reply = wiki
        .get_until(&format!("/-/api/pages/{page}"), |it| {
            it.status == 200
                && serde_json::from_slice::<serde_json::Value>(&it.body)
                    .is_ok_and(|it| it["updated_by"]["name"] == name)
        })
        .await;
    assert_eq!(reply.json()["updated_by"]["name"], name, "the change index never caught up: {}", reply.text());
}
