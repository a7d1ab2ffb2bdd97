//! End-to-end tests of what people browse: the URL scheme, page rendering, sanitising, security headers,
//! themes, and serving existing repositories. Each test starts a real server on a free loopback port
//! against its own temporary git repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------------------------
// URLs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_file_is_shown_at_its_path_without_extension() {
    let wiki = TestWiki::with_files(&[("a/b.md", "# Page B\n\nThe body of page B.\n")]).await;
    let reply = wiki.get("/a/b").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/html"), "{}", reply.content_type());
    assert!(text_of(&reply.text()).contains("The body of page B."), "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn md_extension_redirects_to_the_clean_url() {
    let wiki = TestWiki::with_files(&[("a/b.md", "# Page B\n")]).await;
    let reply = wiki.get("/a/b.md").await;
    assert!(reply.status == 301 || reply.status == 308, "expected a permanent redirect, got {}", reply.status);
    assert_eq!(reply.header("location").as_deref(), Some("/a/b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_shows_index_md() {
    let wiki =
        TestWiki::with_files(&[("index.md", "# Home\n\nWelcome home.\n"), ("README.md", "# Readme\n\nRead me.\n")])
            .await;
    let reply = wiki.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(h1_text(&reply.text()), "Home");
    assert!(text_of(&reply.text()).contains("Welcome home."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_falls_back_to_readme() {
    let wiki = TestWiki::with_files(&[("README.md", "# Readme\n\nRead me first.\n"), ("other.md", "# Other\n")]).await;
    let reply = wiki.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(h1_text(&reply.text()), "Readme");
    assert!(text_of(&reply.text()).contains("Read me first."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_url_shows_its_index_before_its_readme() {
    let wiki = TestWiki::with_files(&[
        ("handbook/index.md", "# Handbook index\n"),
        ("handbook/README.md", "# Handbook readme\n"),
        ("docs/README.md", "# Docs readme\n"),
    ])
    .await;
    let handbook = wiki.get("/handbook/").await;
    assert_eq!(handbook.status, 200);
    assert_eq!(h1_text(&handbook.text()), "Handbook index");
    let docs = wiki.get("/docs/").await;
    assert_eq!(docs.status, 200);
    assert_eq!(h1_text(&docs.text()), "Docs readme");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_without_index_lists_its_pages() {
    let wiki = TestWiki::with_files(&[
        ("notes/one.md", "# Note one\n"),
        ("notes/two.md", "# Note two\n"),
        ("notes/sub/three.md", "# Note three\n"),
    ])
    .await;
    let reply = wiki.get("/notes/").await;
    assert_eq!(reply.status, 200);
    assert_safe_html_page(&reply, "/notes/");
    let html = reply.text();
    assert_eq!(link_with_text(&html, "Note one").attr("href"), "/notes/one");
    assert_eq!(link_with_text(&html, "Note two").attr("href"), "/notes/two");
    assert!(has_link_to(&html, "/notes/sub/"), "no link to the subfolder in {html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_without_trailing_slash_redirects_to_it() {
    let wiki = TestWiki::with_files(&[("notes/one.md", "# Note one\n")]).await;
    let reply = wiki.get("/notes").await;
    assert!((300..400).contains(&reply.status), "expected a redirect, got {}", reply.status);
    assert_eq!(reply.header("location").as_deref(), Some("/notes/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_pages_lists_every_page() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("notes/one.md", "# Note one\n"),
        ("notes/sub/three.md", "# Note three\n"),
        ("it/vpn-access.md", "---\ntitle: Getting VPN access\n---\nBody.\n"),
    ])
    .await;
    let reply = wiki.get("/-/pages").await;
    assert_eq!(reply.status, 200);
    assert_safe_html_page(&reply, "/-/pages");
    let html = reply.text();
    assert_eq!(link_with_text(&html, "Note one").attr("href"), "/notes/one");
    assert_eq!(link_with_text(&html, "Note three").attr("href"), "/notes/sub/three");
    assert_eq!(link_with_text(&html, "Getting VPN access").attr("href"), "/it/vpn-access");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_serves_the_markdown_source_as_plain_text() {
    let source = "---\ntitle: Raw <page>\n---\n# Heading\n\n<b>not rendered</b> & [[Link]]\n";
    let wiki = TestWiki::with_files(&[("a/b.md", source)]).await;
    for url in ["/-/raw/a/b.md", "/-/raw/a/b"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}");
        assert_eq!(reply.content_type(), "text/plain; charset=utf-8", "{url}");
        assert_eq!(reply.text(), source, "{url}");
        assert_eq!(reply.header("x-content-type-options").as_deref(), Some("nosniff"), "{url}");
    }
    assert_eq!(wiki.get("/-/raw/a/missing.md").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_static_files_are_served() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let css = wiki.get("/-/static/lore.css").await;
    assert_eq!(css.status, 200);
    assert!(css.content_type().starts_with("text/css"), "{}", css.content_type());
    assert!(!css.body.is_empty());
    let highlight = wiki.get("/-/static/highlight.css").await;
    assert_eq!(highlight.status, 200);
    assert!(highlight.content_type().starts_with("text/css"), "{}", highlight.content_type());
    assert!(highlight.text().contains(".hl-"), "highlight.css has no .hl- rules");
    let script = wiki.get("/-/static/lore.js").await;
    assert_eq!(script.status, 200);
    assert!(script.content_type().contains("javascript"), "{}", script.content_type());
    assert_eq!(wiki.get("/-/static/no-such-file.css").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_ok_as_json() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let reply = wiki.get("/-/healthz").await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type().starts_with("application/json"), "{}", reply.content_type());
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_markdown_files_are_served_raw_with_their_type() {
    let fixture = Fixture::new();
    fixture.write("img/a.png", PNG_1X1).write("doc.pdf", b"%PDF-1.4\n%fixture\n").write("index.md", "# Home\n");
    fixture.commit(ANN, "Add files");
    let wiki = fixture.serve().await;

    let png = wiki.get("/img/a.png").await;
    assert_eq!(png.status, 200);
    assert_eq!(png.content_type(), "image/png");
    assert_eq!(png.body, PNG_1X1);
    assert_eq!(png.header("x-content-type-options").as_deref(), Some("nosniff"));

    let pdf = wiki.get("/doc.pdf").await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert_eq!(pdf.body, b"%PDF-1.4\n%fixture\n");
    assert_eq!(pdf.header("x-content-type-options").as_deref(), Some("nosniff"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_svg_files_from_the_repository_cannot_run_script() {
    let script_page = "<!doctype html><script>document.cookie</script><p>hi</p>";
    let script_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>document.cookie</script></svg>";
    let wiki =
        TestWiki::with_files(&[("evil.html", script_page), ("old/page.htm", script_page), ("pic.svg", script_svg)])
            .await;

    for url in ["/evil.html", "/old/page.htm", "/-/raw/evil.html"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}");
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("sandbox"), "{url}: CSP without sandbox: {csp:?}");
        let disposition = reply.header("content-disposition").unwrap_or_default();
        assert!(disposition.starts_with("attachment"), "{url}: Content-Disposition {disposition:?}");
        assert_eq!(reply.header("x-content-type-options").as_deref(), Some("nosniff"), "{url}");
    }

    let svg = wiki.get("/pic.svg").await;
    assert_eq!(svg.status, 200);
    assert_eq!(svg.content_type(), "image/svg+xml");
    let csp = svg.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("sandbox"), "svg CSP without sandbox: {csp:?}");
    assert_eq!(svg.header("x-content-type-options").as_deref(), Some("nosniff"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_page_is_404_with_a_link_to_create_it() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let reply = wiki.get("/no/such-page").await;
    assert_eq!(reply.status, 404);
    assert_safe_html_page(&reply, "/no/such-page");
    let create = link_with_text(&reply.text(), "Create this page");
    assert!(create.attr("href").starts_with("/-/edit/no/such-page"), "create link goes to {:?}", create.attr("href"));
    assert_eq!(wiki.get("/img/missing.png").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_application_url_is_404() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    for url in ["/-/xyz", "/-/xyz/abc", "/-/", "/-/api/nothing"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 404, "{url}: {}", reply.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_starting_with_a_dash_are_not_content() {
    let wiki = TestWiki::with_files(&[("-draft.md", "# Reserved\n\nDASH-SECRET\n"), ("index.md", "# Home\n")]).await;
    for url in ["/-draft", "/-draft.md"] {
        let reply = wiki.get(url).await;
        assert!(reply.status == 400 || reply.status == 404, "{url}: {}", reply.status);
        assert!(!reply.text().contains("DASH-SECRET"), "{url} served a reserved path");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_pages_carry_csp_and_nosniff_and_no_inline_script() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n\n```rust\nfn main() {}\n```\n"),
        ("notes/one.md", "# Note one\n\n## A\n\n## B\n"),
        ("notes/two.md", "# Note two\n"),
    ])
    .await;
    for url in ["/", "/notes/one", "/notes/", "/-/pages", "/no-such-page", "/-/xyz"] {
        let reply = wiki.get(url).await;
        assert_safe_html_page(&reply, url);
    }
    // An error page for bad input is a page too.
    let bad = wiki.raw_get("/a%5c..%5cb").await;
    assert!(bad.status == 400 || bad.status == 404, "{}", bad.status);
    assert_safe_html_page(&bad, "/a%5c..%5cb");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untracked_working_tree_files_are_not_served() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    fixture.write("draft.md", "# Draft\n\nUNCOMMITTED-DRAFT\n").write("notes.txt", "UNCOMMITTED-NOTES\n");
    // A committed page edited in the work tree but not committed keeps its committed text.
    fixture.write("index.md", "# Home\n\nUNCOMMITTED-EDIT\n");
    let wiki = fixture.serve().await;
    assert_eq!(wiki.get("/draft").await.status, 404);
    assert_eq!(wiki.get("/notes.txt").await.status, 404);
    let home = wiki.get("/").await;
    assert_eq!(home.status, 200);
    assert!(!home.text().contains("UNCOMMITTED-EDIT"), "served the working tree instead of the commit");
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

#[track_caller]
fn check_title(html: &str, expected: &str) {
    assert!(
        title_text(html).contains(expected),
        "<title> is {:?}, expected it to contain {expected:?}",
        title_text(html)
    );
    assert_eq!(h1_text(html), expected, "page heading");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn title_comes_from_front_matter_then_first_heading_then_file_name() {
    let wiki = TestWiki::with_files(&[
        ("front.md", "---\ntitle: From YAML\n---\n# From H1\n"),
        ("heading.md", "Intro text.\n\n# From *H1*\n\n# Second H1\n"),
        ("guide/vpn-access.md", "No heading here.\n"),
    ])
    .await;
    check_title(&wiki.get("/front").await.text(), "From YAML");
    check_title(&wiki.get("/heading").await.text(), "From H1");
    check_title(&wiki.get("/guide/vpn-access").await.text(), "Vpn access");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_starting_with_h2_and_folder_index_pages_get_readable_titles() {
    let wiki = TestWiki::with_files(&[
        ("hiring/engineering_interview_process.md", "Intro.\n\n## Engineering interviews\n\nText.\n"),
        ("hiring/onsite_loop.md", "No heading here.\n"),
        ("engineering/on-call/index.md", "Who is on call.\n"),
        ("team_handbook/README.md", "Read me.\n"),
    ])
    .await;
    let html = wiki.get("/hiring/engineering_interview_process").await.text();
    assert!(title_text(&html).contains("Engineering interviews"), "{}", title_text(&html));
    check_title(&wiki.get("/hiring/onsite_loop").await.text(), "Onsite loop");
    check_title(&wiki.get("/engineering/on-call/").await.text(), "On call");
    check_title(&wiki.get("/team_handbook/").await.text(), "Team handbook");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_are_escaped() {
    let wiki = TestWiki::with_files(&[("a.md", "---\ntitle: \"Tom & Jerry <b>bold</b>\"\n---\nBody.\n")]).await;
    let html = wiki.get("/a").await.text();
    assert!(!html.contains("<b>bold</b>"), "the title was not escaped: {html}");
    check_title(&html, "Tom & Jerry <b>bold</b>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headings_get_anchors_and_a_table_of_contents() {
    let wiki = TestWiki::with_files(&[(
        "guide.md",
        "# Guide\n\n## Set up the VPN\n\nText.\n\n## Troubleshooting\n\n### Error 42\n\n### Custom anchor {#my-anchor}\n",
    )])
    .await;
    let html = wiki.get("/guide").await.text();
    let h2_ids: Vec<String> = elements(&html, "h2").iter().map(|it| it.attr("id")).collect();
    assert!(h2_ids.contains(&"set-up-the-vpn".to_string()), "h2 ids: {h2_ids:?}");
    assert!(h2_ids.contains(&"troubleshooting".to_string()), "h2 ids: {h2_ids:?}");
    assert!(elements(&html, "h3").iter().any(|it| it.attr("id") == "error-42"), "no h3 anchor error-42");
    assert!(text_of(&html).contains("On this page"), "no table of contents");
    assert_eq!(link_with_text(&html, "Set up the VPN").attr("href"), "#set-up-the-vpn");
    assert_eq!(link_with_text(&html, "Error 42").attr("href"), "#error-42");
    // Heading attributes set the anchor.
    assert!(elements(&html, "h3").iter().any(|it| it.attr("id") == "my-anchor"), "no h3 anchor my-anchor");
    assert_eq!(link_with_text(&html, "Custom anchor").attr("href"), "#my-anchor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiki_links_resolve_by_path_file_name_and_title() {
    let wiki = TestWiki::with_files(&[
        ("it/vpn-access.md", "---\ntitle: Getting VPN access\naliases: [Remote access]\n---\nBody.\n"),
        (
            "links.md",
            "# Links\n\nBy path: [[it/vpn-access]]\n\nBy file name: [[VPN Access]]\n\nBy title: [[getting VPN-access]]\n\n\
             With label: [[vpn access|the VPN page]]\n\nBy alias: [[remote access]]\n",
        ),
    ])
    .await;
    let html = wiki.get("/links").await.text();
    for text in ["it/vpn-access", "VPN Access", "getting VPN-access", "the VPN page", "remote access"] {
        let link = link_with_text(&html, text);
        assert_eq!(link.attr("href"), "/it/vpn-access", "[[{text}]]");
        assert!(link.classes().contains(&"wikilink".to_string()), "[[{text}]] classes {:?}", link.classes());
        assert!(!link.classes().contains(&"new".to_string()), "[[{text}]] styled as a new page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiki_link_to_a_missing_page_is_styled_as_new() {
    let wiki = TestWiki::with_files(&[("links.md", "# Links\n\nSee the [[Team Rota]].\n")]).await;
    let html = wiki.get("/links").await.text();
    let link = link_with_text(&html, "Team Rota");
    assert_eq!(link.attr("href"), "/Team-Rota");
    let classes = link.classes();
    assert!(classes.contains(&"wikilink".to_string()) && classes.contains(&"new".to_string()), "classes {classes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_links_and_images_are_rewritten_like_a_forge() {
    let fixture = Fixture::new();
    fixture
        .write(
            "a/b.md",
            "# Page B\n\n[Other page](../other.md)\n\n[Sibling part](c.md#part)\n\n![Diagram](img/a.png)\n",
        )
        .write("a/c.md", "# C\n\n## Part\n")
        .write("a/img/a.png", PNG_1X1)
        .write("other.md", "# Other\n");
    fixture.commit(ANN, "Add pages");
    let wiki = fixture.serve().await;
    let html = wiki.get("/a/b").await.text();
    assert_eq!(link_with_text(&html, "Other page").attr("href"), "/other");
    assert_eq!(link_with_text(&html, "Sibling part").attr("href"), "/a/c#part");
    let image =
        elements(&html, "img").into_iter().find(|it| it.attr("alt") == "Diagram").expect("the image is rendered");
    assert_eq!(image.attr("src"), "/a/img/a.png");
    // The rewritten URLs work.
    assert_eq!(wiki.get("/other").await.status, 200);
    assert_eq!(wiki.get("/a/img/a.png").await.body, PNG_1X1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_alerts_render_as_callouts() {
    let wiki =
        TestWiki::with_files(&[("a.md", "# Alerts\n\n> [!NOTE]\n> Read this.\n\n> [!WARNING]\n> Mind the gap.\n")])
            .await;
    let html = wiki.get("/a").await.text();
    let quotes = elements(&html, "blockquote");
    let note = quotes.iter().find(|it| it.text().contains("Read this.")).expect("the note is rendered");
    assert!(note.classes().contains(&"markdown-alert-note".to_string()), "note classes {:?}", note.classes());
    let warning = quotes.iter().find(|it| it.text().contains("Mind the gap.")).expect("the warning is rendered");
    assert!(
        warning.classes().contains(&"markdown-alert-warning".to_string()),
        "warning classes {:?}",
        warning.classes()
    );
    assert!(!note.text().contains("[!NOTE]"), "the alert marker is shown: {}", note.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fenced_code_is_highlighted_on_the_server() {
    let wiki =
        TestWiki::with_files(&[("code.md", "# Code\n\n```rust\nfn main() { println!(\"<hi>\"); }\n```\n")]).await;
    let html = wiki.get("/code").await.text();
    assert!(html.contains("<span class=\"hl-"), "no highlighting spans: {html}");
    assert!(!html.contains("\"<hi>\""), "code was not escaped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gfm_tables_task_lists_footnotes_and_strikethrough_render() {
    let markdown = "# GFM\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n\nText[^1].\n\n[^1]: The note.\n";
    let wiki = TestWiki::with_files(&[("gfm.md", markdown)]).await;
    let html = wiki.get("/gfm").await.text();
    assert!(html.contains("<table>"), "no table");
    assert!(html.contains("<del>old</del>"), "no strikethrough");
    assert!(html.matches("type=\"checkbox\"").count() >= 2, "no task list checkboxes");
    assert!(text_of(&html).contains("The note."), "no footnote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_edited_by_shows_the_newest_author_of_each_file() {
    let fixture = Fixture::new();
    fixture.write("a.md", "# A\n").write("b.md", "# B\n");
    fixture.commit(ANN, "Add a and b");
    fixture.write("b.md", "# B\n\nEdited by Bob.\n");
    fixture.commit(BOB, "Edit b");
    let wiki = fixture.serve().await;
    let a = wiki.get_until("/a", |it| text_of(&it.text()).contains("Last edited by")).await;
    let a_text = text_of(&a.text());
    assert!(a_text.contains("Last edited by Ann Author"), "page a: {a_text}");
    assert!(!a_text.contains("Bob Builder"), "page a names Bob, who never touched it: {a_text}");
    let b = wiki.get_until("/b", |it| text_of(&it.text()).contains("Last edited by")).await;
    assert!(text_of(&b.text()).contains("Last edited by Bob Builder"), "page b: {}", text_of(&b.text()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_edited_says_how_long_ago() {
    let fixture = Fixture::new();
    fixture.write("a.md", "# A\n");
    fixture.commit_dated(ANN, "Add a", "3 days ago");
    let wiki = fixture.serve().await;
    let reply = wiki.get_until("/a", |it| text_of(&it.text()).contains("Last edited by")).await;
    let text = text_of(&reply.text());
    assert!(text.contains("Last edited by Ann Author"), "{text}");
    assert!(text.contains("3 days ago"), "no relative time: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_breadcrumbs_and_a_search_box() {
    let wiki = TestWiki::with_files(&[("team/ops/rota.md", "# Rota\n"), ("team/index.md", "# Team\n")]).await;
    let html = wiki.get("/team/ops/rota").await.text();
    let crumbs =
        elements(&html, "nav").into_iter().find(|it| it.attr("class").contains("breadcrumbs")).expect("breadcrumbs");
    let hrefs: Vec<String> = links(&crumbs.inner_html).iter().map(|it| it.attr("href")).collect();
    assert!(hrefs.contains(&"/team/".to_string()), "breadcrumbs {hrefs:?}");
    assert!(hrefs.contains(&"/team/ops/".to_string()), "breadcrumbs {hrefs:?}");
    let search = elements(&html, "form").into_iter().find(|it| it.attr("role") == "search").expect("a search form");
    assert!(search.inner_html.contains("type=\"search\""), "{}", search.inner_html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_theme_works_on_phones_in_dark_mode_and_in_print() {
    let wiki = TestWiki::with_files(&[("a.md", "# A\n")]).await;
    let html = wiki.get("/a").await.text();
    assert!(html.contains("name=\"viewport\""), "no viewport meta for phones");
    let css = wiki.get("/-/static/lore.css").await.text();
    assert!(css.contains("prefers-color-scheme: dark"), "lore.css does not follow dark mode");
    assert!(css.contains("@media print"), "lore.css has no print styles");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_shown() {
    let wiki = TestWiki::with_files(&[("a.md", "---\ntags: [networking, how-to]\n---\n# A\n\nBody.\n")]).await;
    let text = text_of(&wiki.get("/a").await.text());
    assert!(text.contains("networking"), "{text}");
    assert!(text.contains("how-to"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_html_never_reaches_the_page() {
    let markdown = r#"# Unsafe

<script>alert('script')</script>

<img src="x.png" onerror="alert('onerror')">

[click me](javascript:alert('js'))

<a href="JaVaScRiPt:alert('js2')">mixed case</a>

<iframe src="https://frames.example/frame" onload="alert('frame')"></iframe>

<form action="https://evil.example/steal"><input name="q"><button>Go</button></form>

<base href="https://evil.example/">

<meta http-equiv="refresh" content="0; url=https://evil.example/">

<svg onload="alert('svg')"><circle r="1"/></svg>

<div onclick="alert('click')" style="background:url(https://evil.example/bg)">styled</div>

![pixel](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)

<a href="data:text/html,hello">data link</a>

<object data="https://evil.example/object"></object><embed src="https://evil.example/embed">

<style>body { display: none }</style>

Still here.
"#;
    let wiki = TestWiki::with_files(&[("unsafe.md", markdown)]).await;
    let page = wiki.get("/unsafe").await;
    assert_eq!(page.status, 200);
    assert_safe_html_page(&page, "/unsafe");
    let html = page.text();
    let lower = html.to_ascii_lowercase();
    for forbidden in [
        "alert(",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "evil.example",
        "http-equiv",
        "data:image",
        "data:text",
        "<object",
        "<embed",
        "<base",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden:?} reached the page:\n{html}");
    }
    assert!(text_of(&html).contains("Still here."));
    // A frame from a host not on the `embeds` list is a visible box with a link, never a frame.
    assert!(text_of(&html).contains("Embedded content from frames.example is not allowed here — open it"), "{html}");
    assert!(text_of(&html).contains("click me"), "the link text of a removed URL is lost");

    // The rendered body alone must hold no script, form, base or meta element at all.
    let api = wiki.get("/-/api/pages/unsafe").await;
    assert_eq!(api.status, 200, "{}", api.text());
    let body = api.json()["html"].as_str().expect("html is a string").to_ascii_lowercase();
    assert!(body.contains("still here."), "the rendered body is missing: {body}");
    for forbidden in ["<script", "<form", "<base", "<meta", "<iframe", "<style", "style="] {
        assert!(!body.contains(forbidden), "{forbidden:?} in the rendered body:\n{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_a_wiki_needs_survives_sanitising() {
    let markdown = "# Safe\n\n<details><summary>More</summary>\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>; x<sup>2</sup>.\n\n</details>\n\n\
                    <table><tr><td>cell</td></tr></table>\n\n<img src=\"/img/logo.png\" alt=\"Logo\">\n";
    let wiki = TestWiki::with_files(&[("safe.md", markdown)]).await;
    let html = wiki.get("/safe").await.text();
    for kept in ["<details>", "<summary>More</summary>", "<kbd>Ctrl</kbd>", "<sup>2</sup>", "<td>cell</td>"] {
        assert!(html.contains(kept), "{kept:?} was removed:\n{html}");
    }
    let logo = elements(&html, "img").into_iter().find(|it| it.attr("alt") == "Logo").expect("the image survives");
    assert_eq!(logo.attr("src"), "/img/logo.png");
}

// ---------------------------------------------------------------------------------------------------------
// Themes and settings

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_with_only_a_layout_changes_the_frame_and_keeps_the_page_template() {
    let fixture = Fixture::with_files(&[("a.md", "# Themed page\n\nPAGE-BODY-TEXT\n\n## One\n\n## Two\n")]);
    let theme = fixture.root().join("my-theme");
    write_file(
        &theme.join("templates/layout.html"),
        "<!doctype html><html><head><title>{% block title %}{% endblock %} · {{ site_title }}</title></head>\
         <body><div class=\"custom-frame\">CUSTOM-FRAME-MARKER</div>{% block content %}{% endblock %}{% block aside %}{% endblock %}</body></html>",
    );
    let wiki = fixture.serve_with(|config| config.theme = Some(theme)).await;
    let reply = wiki.get("/a").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let html = reply.text();
    assert!(html.contains("CUSTOM-FRAME-MARKER"), "the theme's layout is not used:\n{html}");
    assert!(!html.contains("site-header"), "the default layout is still used:\n{html}");
    // The page template still comes from the default theme.
    assert!(html.contains("page-header"), "the default page template is not used:\n{html}");
    assert!(html.contains("PAGE-BODY-TEXT"));
    assert_eq!(h1_text(&html), "Themed page");
    assert!(text_of(&html).contains("On this page"));
    // Static files the theme does not override come from the default theme.
    assert_eq!(wiki.get("/-/static/lore.css").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_static_file_overrides_the_default() {
    let fixture = Fixture::with_files(&[("a.md", "# A\n")]);
    let theme = fixture.root().join("my-theme");
    write_file(&theme.join("static/lore.css"), "/* CUSTOM-CSS */\n");
    let wiki = fixture.serve_with(|config| config.theme = Some(theme)).await;
    let css = wiki.get("/-/static/lore.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.text(), "/* CUSTOM-CSS */\n");
    assert_eq!(wiki.get("/a").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_title_is_shown_on_pages() {
    let wiki = Fixture::with_files(&[("a.md", "# A page\n")])
        .serve_with(|config| config.site_title = "Acme Wiki".into())
        .await;
    let html = wiki.get("/a").await.text();
    assert!(title_text(&html).contains("Acme Wiki"), "<title> is {:?}", title_text(&html));
    assert!(title_text(&html).contains("A page"), "<title> is {:?}", title_text(&html));
}

// ---------------------------------------------------------------------------------------------------------
// Existing repositories

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_an_existing_non_bare_repository() {
    let wiki = Fixture::with_files(&[("index.md", "# Team home\n"), ("a.md", "# Page A\n")]).serve().await;
    assert_eq!(h1_text(&wiki.get("/").await.text()), "Team home");
    let a = wiki.get_until("/a", |it| text_of(&it.text()).contains("Last edited by")).await;
    assert!(text_of(&a.text()).contains("Last edited by Ann Author"), "{}", text_of(&a.text()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_an_existing_bare_repository() {
    let wiki = Fixture::with_files(&[("index.md", "# Bare home\n"), ("a.md", "# Page A\n")]).serve_bare().await;
    assert_eq!(wiki.git(&["rev-parse", "--is-bare-repository"]), "true");
    assert_eq!(h1_text(&wiki.get("/").await.text()), "Bare home");
    let a = wiki.get_until("/a", |it| text_of(&it.text()).contains("Last edited by")).await;
    assert!(text_of(&a.text()).contains("Last edited by Ann Author"), "{}", text_of(&a.text()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branch_setting_selects_another_branch() {
    let fixture = Fixture::with_files(&[("main-only.md", "# Main only\n")]);
    fixture.git(&["checkout", "--quiet", "-b", "other"]);
    fixture.write("other-only.md", "# Other only\n");
    fixture.commit(BOB, "Add a page on the other branch");
    fixture.git(&["checkout", "--quiet", "main"]);
    let wiki = fixture.serve_with(|config| config.branch = Some("other".into())).await;
    assert_eq!(wiki.get("/other-only").await.status, 200);
    let head_of_main = wiki.git(&["rev-parse", "refs/heads/main"]);
    let reply = wiki.put_page("created-on-other.md", &json!({"markdown": "# On other\n"}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(wiki.git(&["rev-parse", "refs/heads/main"]), head_of_main, "a save moved main instead of other");
    assert_eq!(wiki.head(), reply.json()["commit"].as_str().expect("commit id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branch_setting_hides_pages_of_other_branches() {
    let fixture = Fixture::with_files(&[("shared.md", "# Shared\n")]);
    fixture.git(&["checkout", "--quiet", "-b", "other"]);
    fixture.git(&["checkout", "--quiet", "main"]);
    fixture.write("main-only.md", "# Main only\n");
    fixture.commit(ANN, "Add a page on main");
    let wiki = fixture.serve_with(|config| config.branch = Some("other".into())).await;
    assert_eq!(wiki.get("/shared").await.status, 200);
    assert_eq!(wiki.get("/main-only").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_branch_is_the_repository_head() {
    let fixture = Fixture::with_initial_branch("trunk");
    fixture.write("index.md", "# Trunk home\n");
    fixture.commit(ANN, "Start");
    let wiki = fixture.serve().await;
    assert_eq!(wiki.branch_ref, "refs/heads/trunk");
    assert_eq!(h1_text(&wiki.get("/").await.text()), "Trunk home");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_saves_never_touch_the_working_tree() {
    let fixture = Fixture::with_files(&[("a.md", "# A\n\nOriginal.\n"), ("notes/b.md", "# B\n")]);
    fixture.write("untracked.txt", "left alone\n");
    let work_tree = fixture.work_tree().to_path_buf();
    let before = snapshot_folder(&work_tree);
    let wiki = fixture.serve().await;
    let count = wiki.commit_count();

    let created = wiki.put_page("new/page.md", &json!({"markdown": "# New\n"}), None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let blob = wiki.blob_at_head("a.md");
    let updated = wiki.put_page("a.md", &json!({"markdown": "# A\n\nChanged by the API.\n"}), Some(&blob)).await;
    assert_eq!(updated.status, 200, "{}", updated.text());

    assert_eq!(wiki.commit_count(), count + 2);
    assert_eq!(snapshot_folder(&work_tree), before, "the working tree or the index changed");
    assert!(!work_tree.join("new/page.md").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_failure_shows_a_500_page_and_the_server_keeps_serving() {
    let fixture = Fixture::with_files(&[("broken.md", "# Broken\n\nBROKEN-BODY\n"), ("fine.md", "# Fine\n")]);
    let wiki = fixture.serve().await;
    // Lose the page's blob from the object database behind Lore's back.
    let blob = wiki.blob_at_head("broken.md");
    let object = wiki.git_dir.join("objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&object).unwrap_or_else(|err| panic!("remove {}: {err}", object.display()));

    let reply = wiki.get("/broken").await;
    assert_eq!(reply.status, 500, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/html"), "{}", reply.content_type());
    let text = reply.text();
    assert!(!text.contains(&blob), "the 500 page shows internal details");
    assert!(!text.contains(&wiki.git_dir.display().to_string()), "the 500 page shows the repository path");

    assert_eq!(wiki.get("/fine").await.status, 200);
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

fn write_file(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folders");
    std::fs::write(path, content).expect("write");
}

/// Every file under `root` with its bytes, including git's index and HEAD but not its objects or refs
/// (which a save is meant to change).
fn snapshot_folder(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut res = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            if relative == Path::new(".git") {
                for name in ["index", "HEAD"] {
                    let file = path.join(name);
                    res.insert(relative.join(name), std::fs::read(&file).unwrap_or_default());
                }
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                res.insert(relative, std::fs::read(&path).expect("read a file"));
            }
        }
    }
    res
}
