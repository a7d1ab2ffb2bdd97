//! End-to-end tests of the JSON page API (`GET`/`PUT /-/api/pages/<path>`), checked against the repository
//! with the `git` command line: one commit per save, the right author and message, compare-and-swap.

use crate::common::*;
use serde_json::json;

const VPN_PAGE: &str = "---\ntitle: Getting VPN access\ntags: [networking, how-to]\nowners: [ann]\nreview_every: 90d\n---\n\n## Set up the VPN\n\nAsk IT.\n";

const FIVE_LINES: &str = "# Rota\n\nline one\n\nline two\n\nline three\n\nline four\n\nline five\n";

// ---------------------------------------------------------------------------------------------------------
// GET

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_page_answers_json_with_blob_etag() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("it/vpn-access.md", VPN_PAGE)]).await;
    let reply = wiki.get_page_json("it/vpn-access").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("application/json"), "{}", reply.content_type());
    let blob = wiki.blob_at_head("it/vpn-access.md");
    assert_eq!(reply.header("etag"), Some(format!("\"{blob}\"")));

    let page = reply.json();
    assert_eq!(page["path"], "it/vpn-access.md");
    assert_eq!(page["title"], "Getting VPN access");
    assert_eq!(page["front_matter"]["title"], "Getting VPN access");
    assert_eq!(page["front_matter"]["tags"], json!(["networking", "how-to"]));
    assert_eq!(page["front_matter"]["owners"], json!(["ann"]));
    assert_eq!(page["front_matter"]["review_every"], "90d", "unknown front matter keys are kept");
    assert_eq!(page["markdown"], VPN_PAGE);
    let html = page["html"].as_str().expect("html is a string");
    assert!(html.contains("id=\"set-up-the-vpn\""), "{html}");
    assert!(html.contains("Ask IT."), "{html}");
    assert_eq!(page["blob"], blob.as_str());
    // The fixture's only commit is both the head and the page's last change.
    assert_eq!(page["commit"], wiki.head().as_str());
    assert_eq!(page["updated_by"], json!({"name": "Ann Author", "email": "ann@example.com"}));
    assert!(page["updated_at"].is_string() || page["updated_at"].is_number(), "updated_at is {}", page["updated_at"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_api_html_has_no_section_edit_links() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    let page = wiki.get_page_json("it/vpn-access").await.json();
    let html = page["html"].as_str().expect("html is a string");
    assert!(html.contains("<h2 id=\"set-up-the-vpn\">Set up the VPN</h2>"), "{html}");
    assert!(!html.contains("section-edit") && !html.contains("/-/edit/"), "{html}");
    // The page view keeps them.
    let view = wiki.get("/it/vpn-access").await.text();
    assert!(view.contains("class=\"section-edit\""), "{view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_page_accepts_the_path_with_or_without_md() {
    let wiki = TestWiki::with_files(&[("it/vpn-access.md", VPN_PAGE)]).await;
    for url in ["/-/api/pages/it/vpn-access", "/-/api/pages/it/vpn-access.md"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        assert_eq!(reply.json()["path"], "it/vpn-access.md", "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_unknown_page_is_a_404_json_error() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let reply = wiki.get("/-/api/pages/no/such-page").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_page_reports_the_last_change_of_that_page() {
    let fixture = Fixture::with_files(&[("a.md", "# A\n"), ("b.md", "# B\n")]);
    fixture.write("b.md", "# B\n\nEdited.\n");
    fixture.commit(BOB, "Edit b");
    let wiki = fixture.serve().await;
    let a = wiki.get_page_json("a").await.json();
    assert_eq!(a["updated_by"], json!({"name": "Ann Author", "email": "ann@example.com"}));
    let b = wiki.get_page_json("b").await.json();
    assert_eq!(b["updated_by"], json!({"name": "Bob Builder", "email": "bob@example.com"}));
}

// ---------------------------------------------------------------------------------------------------------
// PUT: creating and replacing

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_creates_a_page_in_one_commit_with_the_given_author_and_message() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let head = wiki.head();
    let count = wiki.commit_count();
    let markdown = "# Team rota\n\nWho is on call.\n";
    let body = json!({"markdown": markdown, "message": "Add the team rota", "author": {"name": "Carol Chen", "email": "carol@example.com"}});
    let reply = wiki.put_page("team/rota.md", &body, None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let saved = reply.json();

    assert_eq!(wiki.commit_count(), count + 1, "not exactly one new commit");
    assert_eq!(saved["commit"], wiki.head().as_str());
    assert_eq!(
        wiki.git(&["rev-parse", &format!("{}^", wiki.branch_ref)]),
        head,
        "the commit's parent is not the old head"
    );
    assert_eq!(saved["blob"], wiki.blob_at_head("team/rota.md").as_str());
    assert_eq!(wiki.file_at_head("team/rota.md"), markdown.trim_end());
    assert_eq!(changed_files(&wiki), ["team/rota.md"]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%an <%ae>", &wiki.branch_ref]), "Carol Chen <carol@example.com>");
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref]), "Add the team rota");
    wiki.git(&["fsck", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_defaults_to_anonymous_author_and_a_create_message() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let reply = wiki.put_page("team/rota", &json!({"markdown": "# Team rota\n\nWho is on call.\n"}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(wiki.git(&["log", "-1", "--format=%an <%ae>", &wiki.branch_ref]), "Anonymous <anonymous@localhost>");
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref]), "Create Team rota");
    // The path may omit `.md`; the file is stored with it.
    assert_eq!(changed_files(&wiki), ["team/rota.md"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_page_is_served_at_once() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let markdown = "# Fresh page\n\nFRESH-TEXT\n";
    let reply = wiki.put_page("fresh.md", &json!({"markdown": markdown}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let page = wiki.get("/fresh").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("FRESH-TEXT"));
    assert_eq!(wiki.get("/-/raw/fresh.md").await.text(), markdown);
    let api = wiki.get("/-/api/pages/fresh").await;
    assert_eq!(api.json()["blob"], reply.json()["blob"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_page_without_if_match_is_refused_with_428() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES)]).await;
    let head = wiki.head();
    let reply = wiki.put_page("rota.md", &json!({"markdown": "# Rota\n\nOverwritten.\n"}), None).await;
    assert_eq!(reply.status, 428, "{}", reply.text());
    reply.assert_json_error();
    wiki.assert_untouched(&head);
    assert_eq!(wiki.file_at_head("rota.md"), FIVE_LINES.trim_end());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_with_the_current_blob_makes_one_commit() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES), ("other.md", "# Other\n")]).await;
    let count = wiki.commit_count();
    let etag = wiki.get("/-/api/pages/rota").await.header("etag").expect("an ETag");
    let blob = etag.trim_matches('"').to_string();
    let markdown = FIVE_LINES.replace("line three", "line THREE");
    let reply = wiki.put_page("rota.md", &json!({"markdown": markdown}), Some(&blob)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let saved = reply.json();
    assert_eq!(saved["merged"], false);
    assert_eq!(saved["commit"], wiki.head().as_str());
    assert_eq!(saved["blob"], wiki.blob_at_head("rota.md").as_str());
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(changed_files(&wiki), ["rota.md"]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref]), "Update Rota");
    assert!(wiki.get("/rota").await.text().contains("line THREE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_chain_with_the_blob_each_save_returns() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let count = wiki.commit_count();
    let created = wiki.put_page("log.md", &json!({"markdown": "# Log\n\none\n"}), None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let blob = created.json()["blob"].as_str().expect("a blob id").to_string();
    let updated = wiki.put_page("log.md", &json!({"markdown": "# Log\n\none\n\ntwo\n"}), Some(&blob)).await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    assert_eq!(updated.json()["merged"], false);
    assert_eq!(wiki.commit_count(), count + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_unchanged_text_makes_no_commit() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES)]).await;
    let head = wiki.head();
    let blob = wiki.blob_at_head("rota.md");
    let reply = wiki.put_page("rota.md", &json!({"markdown": FIVE_LINES}), Some(&blob)).await;
    assert!((200..300).contains(&reply.status), "{}: {}", reply.status, reply.text());
    assert_eq!(reply.json()["blob"], blob.as_str());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_match_with_separate_changes_is_merged() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES)]).await;
    let count = wiki.commit_count();
    let base = wiki.blob_at_head("rota.md");

    let first = FIVE_LINES.replace("line one", "line ONE by Bob");
    let bob = json!({"markdown": first, "author": {"name": "Bob Builder", "email": "bob@example.com"}});
    let reply = wiki.put_page("rota.md", &bob, Some(&base)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // Carol started from the same version and changed another line.
    let second = FIVE_LINES.replace("line five", "line FIVE by Carol");
    let carol = json!({"markdown": second, "author": {"name": "Carol Chen", "email": "carol@example.com"}});
    let reply = wiki.put_page("rota.md", &carol, Some(&base)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let saved = reply.json();
    assert_eq!(saved["merged"], true);
    assert_eq!(saved["commit"], wiki.head().as_str());

    let merged = wiki.file_at_head("rota.md");
    assert!(merged.contains("line ONE by Bob") && merged.contains("line FIVE by Carol"), "merged text:\n{merged}");
    assert_eq!(wiki.commit_count(), count + 2);
    assert_eq!(changed_files(&wiki), ["rota.md"]);
    wiki.git(&["fsck", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_match_with_overlapping_changes_is_a_409_conflict() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES)]).await;
    let base = wiki.blob_at_head("rota.md");
    let theirs = FIVE_LINES.replace("line three", "line three, as Bob wrote it");
    assert_eq!(wiki.put_page("rota.md", &json!({"markdown": theirs}), Some(&base)).await.status, 200);
    let head = wiki.head();

    let yours = FIVE_LINES.replace("line three", "line three, as Carol wrote it");
    let reply = wiki.put_page("rota.md", &json!({"markdown": yours}), Some(&base)).await;
    assert_eq!(reply.status, 409, "{}", reply.text());
    let conflict = reply.json();
    assert_eq!(conflict["conflict"], true);
    assert_eq!(conflict["yours"], yours.as_str());
    assert_eq!(conflict["theirs"], theirs.as_str());
    assert_eq!(conflict["base"], FIVE_LINES);
    wiki.assert_untouched(&head);
    assert_eq!(wiki.file_at_head("rota.md"), theirs.trim_end());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_each_make_exactly_one_commit() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let count = wiki.commit_count();
    let n_saves = 8;
    let mut tasks = Vec::new();
    for i in 0..n_saves {
        let client = wiki.client.clone();
        let url = wiki.url(&format!("/-/api/pages/parallel/page-{i}.md"));
        tasks.push(tokio::spawn(async move {
            let res = client
                .put(url)
                .json(&json!({"markdown": format!("# Page {i}\n")}))
                .send()
                .await
                .expect("the PUT is answered");
            let status = res.status().as_u16();
            (status, res.text().await.unwrap_or_default())
        }));
    }
    for task in tasks {
        let (status, body) = task.await.expect("the task ends");
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(wiki.commit_count(), count + n_saves);
    let files = wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref, "parallel/"]);
    assert_eq!(files.lines().count(), n_saves, "{files}");
    let merges = wiki.git(&["rev-list", "--merges", &wiki.branch_ref]);
    assert!(merges.is_empty(), "saves made merge commits: {merges}");
    wiki.git(&["fsck", "--no-progress"]);
}

// ---------------------------------------------------------------------------------------------------------
// PUT: refused requests leave the branch alone

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_refused_with_a_json_error() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let head = wiki.head();
    let json_type = [("content-type", "application/json")];
    for (what, body) in [
        ("not JSON", "this is not json"),
        ("truncated", "{\"markdown\": \"# X"),
        ("no markdown", "{}"),
        ("markdown is a number", "{\"markdown\": 5}"),
        ("author is a string", "{\"markdown\": \"# X\", \"author\": \"Eve\"}"),
    ] {
        let reply = wiki.send("PUT", "/-/api/pages/x.md", &json_type, body).await;
        assert!(reply.status == 400 || reply.status == 422, "{what}: {} {}", reply.status, reply.text());
        reply.assert_json_error();
        wiki.assert_untouched(&head);
    }
    let reply =
        wiki.send("PUT", "/-/api/pages/x.md", &[("content-type", "text/plain")], "{\"markdown\": \"# X\"}").await;
    reply.assert_json_error();
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_author_is_refused_with_400() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let head = wiki.head();
    for author in [
        json!({"name": "Eve <eve@evil.example>", "email": "eve@example.com"}),
        json!({"name": "Eve\nSigned-off-by: Someone", "email": "eve@example.com"}),
        json!({"name": "Eve", "email": "eve@example.com>\nX"}),
        json!({"name": "Eve", "email": "<eve@example.com>"}),
    ] {
        let reply = wiki.put_page("x.md", &json!({"markdown": "# X\n", "author": author}), None).await;
        assert_eq!(reply.status, 400, "author {author}: {}", reply.text());
        reply.assert_json_error();
        wiki.assert_untouched(&head);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_if_match_is_refused() {
    let wiki = TestWiki::with_files(&[("rota.md", FIVE_LINES)]).await;
    let head = wiki.head();
    let body = json!({"markdown": "# Rota\n\nchanged\n"});
    for if_match in ["\"not-a-blob-id\"", "\"0123456789012345678901234567890123456789\"", "garbage"] {
        let reply = wiki
            .send(
                "PUT",
                "/-/api/pages/rota.md",
                &[("content-type", "application/json"), ("if-match", if_match)],
                body.to_string(),
            )
            .await;
        reply.assert_json_error();
        wiki.assert_untouched(&head);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_paths_that_are_not_content_are_refused() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let head = wiki.head();
    for path in [
        "-draft.md",
        "-/healthz.md",
        ".git/config",
        "a/.git/hooks/pre-commit.md",
        "..%2F..%2Fescape.md",
        "a%5C..%5Cb.md",
        "a%00b.md",
    ] {
        let body = json!({"markdown": "# Nope\n"}).to_string();
        let request = format!(
            "PUT /-/api/pages/{path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            wiki.addr,
            body.len()
        );
        let reply = raw_request(wiki.addr, &request).await;
        assert!(reply.status == 400 || reply.status == 404, "{path}: {} {}", reply.status, reply.text());
        reply.assert_json_error();
        wiki.assert_untouched(&head);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// The files the newest commit on the served branch changed.
fn changed_files(wiki: &TestWiki) -> Vec<String> {
    let out = wiki.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", &wiki.branch_ref]);
    out.lines().map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------------------
// Names that break checkouts on Windows and macOS

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_page_with_a_name_windows_reserves_is_a_400() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let head = wiki.head();
    for page in ["con", "CON.md", "notes/aux", "LPT1/page", "notes/nul.md", "com3/x", "notes%20/x"] {
        let reply = wiki.put_page(page, &json!({"markdown": "# Reserved\n"}), None).await;
        assert_eq!(reply.status, 400, "{page}: {}", reply.text());
        reply.assert_json_error();
        let detail = reply.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains("Windows"), "{page}: the answer says why: {detail}");
    }
    wiki.assert_untouched(&head);
    // Names that only start like a device name are fine.
    let reply = wiki.put_page("notes/console", &json!({"markdown": "# Console\n"}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_or_moving_to_a_name_differing_only_in_case_is_a_400() {
    let wiki =
        TestWiki::with_files(&[("README.md", "# Read me\n"), ("docs/a.md", "# A\n"), ("notes/b.md", "# B\n")]).await;
    let head = wiki.head();
    for (page, twin) in [("Readme", "README.md"), ("Docs/new", "docs"), ("docs/A", "docs/a.md")] {
        let reply = wiki.put_page(page, &json!({"markdown": "# Clash\n"}), None).await;
        assert_eq!(reply.status, 400, "{page}: {}", reply.text());
        reply.assert_json_error();
        let detail = reply.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains(&format!("differs from {twin} only in letter case")), "{page}: {detail}");
    }
    let body = r#"{"to": "readme"}"#;
    let moved = wiki.send("POST", "/-/api/pages/notes/b/move", &[("Content-Type", "application/json")], body).await;
    assert_eq!(moved.status, 400, "{}", moved.text());
    assert!(moved.text().contains("differs from README.md only in letter case"), "{}", moved.text());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_whose_names_are_already_unportable_stay_editable() {
    // History made elsewhere may hold such names; Lore keeps serving and saving them, it only adds none.
    let wiki = TestWiki::with_files(&[("CON.md", "# Console\n"), ("README.md", "# A\n"), ("Readme.md", "# B\n")]).await;
    for page in ["CON.md", "Readme.md"] {
        let blob = wiki.blob_at_head(page);
        let reply = wiki.put_page(page, &json!({"markdown": "# Changed\n"}), Some(&blob)).await;
        assert_eq!(reply.status, 200, "{page}: {}", reply.text());
        assert_eq!(wiki.file_at_head(page), "# Changed");
    }
    // A new page inside an old folder of such a name is judged on its own name only.
    let fixture = Fixture::with_files(&[("AUX/old.md", "# Old\n")]);
    let wiki = fixture.serve().await;
    let reply = wiki.put_page("AUX/new", &json!({"markdown": "# New\n"}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
}
