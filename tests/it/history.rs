//! End-to-end tests of history: page history (following renames and Lore's moves, paginated), old versions,
//! diffs, whole commits, blame, restore (also of deleted pages), recent changes and their Atom feeds, bad
//! revisions and awkward files, and the change index surviving a restart.
//!
//! Each test builds its repository with the `git` command line, commit by commit and author by author, then
//! waits for the change index (built in the background) before asserting on history.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;
use serde_json::{Value, json};

const CAROL: Author = Author { name: "Carol Chen", email: "carol@example.com" };
const DEE: Author = Author { name: "Dee & Co", email: "dee@example.com" };

/// A 40-digit commit id that no repository here holds.
const UNKNOWN_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_newest_first_with_author_date_message_and_line_counts() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nline one\nline two\n");
    let c1 = fixture.commit_dated(ANN, "Create the guide", "2024-01-01T10:00:00Z");
    fixture.write("guide.md", "# Guide\n\nline one\nline 2, now better\nline three\nline four\n");
    let c2 = fixture.commit_dated(BOB, "Expand the guide", "2024-01-02T10:00:00Z");
    fixture.write("other.md", "# Other\n");
    fixture.commit_dated(ANN, "Add another page", "2024-01-03T10:00:00Z");
    fixture.write("guide.md", "# Guide\n\nline one\nline 2, now better\nline four\n");
    let c3 = fixture.commit_dated(CAROL, "Trim the guide\n\nLine three was wrong.", "2024-01-04T10:00:00Z");
    let wiki = serve_indexed(fixture).await;

    let json = history_json(&wiki, "guide.md").await;
    assert_eq!(json["total"], 3, "{json:#}");
    assert_eq!(
        strings(&json, "commit"),
        owned(&[&c3, &c2, &c1]),
        "not newest first, or a commit that did not touch the page"
    );
    let authors: Vec<(String, String)> = commits(&json)
        .iter()
        .map(|it| (it["author"]["name"].as_str().unwrap().into(), it["author"]["email"].as_str().unwrap().into()))
        .collect();
    let expected_authors: Vec<(String, String)> =
        [CAROL, BOB, ANN].iter().map(|it| (it.name.to_string(), it.email.to_string())).collect();
    assert_eq!(authors, expected_authors);
    assert_eq!(
        strings(&json, "message"),
        ["Trim the guide\n\nLine three was wrong.", "Expand the guide", "Create the guide"]
    );
    let line_counts: Vec<(u64, u64)> =
        commits(&json).iter().map(|it| (it["added"].as_u64().unwrap(), it["removed"].as_u64().unwrap())).collect();
    assert_eq!(line_counts, [(0, 1), (3, 1), (4, 0)], "lines (added, removed) per commit");
    assert_eq!(strings(&json, "path"), ["guide.md"; 3]);
    assert!(commits(&json).iter().all(|it| it["deleted"] == false), "{json:#}");
    let dates: Vec<i64> = strings(&json, "date")
        .iter()
        .map(|it| chrono::DateTime::parse_from_rfc3339(it).expect("an RFC 3339 date").timestamp())
        .collect();
    let expected_dates: Vec<i64> = ["2024-01-04T10:00:00Z", "2024-01-02T10:00:00Z", "2024-01-01T10:00:00Z"]
        .iter()
        .map(|it| chrono::DateTime::parse_from_rfc3339(it).unwrap().timestamp())
        .collect();
    assert_eq!(dates, expected_dates, "dates are the authors' dates");

    // The HTML page says the same, with relative dates and the absolute date on hover.
    let reply = wiki.get("/-/history/guide.md").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "history");
    let rows = history_rows(&reply.text());
    assert_eq!(rows.len(), 3, "{rows:#?}");
    for (row, (commit, author, summary, lines)) in rows.iter().zip([
        (&c3, CAROL, "Trim the guide", "+0 −1"),
        (&c2, BOB, "Expand the guide", "+3 −1"),
        (&c1, ANN, "Create the guide", "+4 −0"),
    ]) {
        let text = text_of(row);
        assert!(text.contains(&commit[..7]), "{text}");
        assert!(text.contains(author.name), "{text}");
        assert!(text.contains(summary), "{text}");
        assert!(text.contains(lines), "expected {lines:?} in {text}");
        assert!(has_link_to(row, &format!("/-/commit/{commit}")), "no link to the commit in {row}");
    }
    let times = elements(&rows[2], "time");
    assert_eq!(times.len(), 1, "{}", rows[2]);
    assert_eq!(times[0].attr("title"), "2024-01-01 10:00 UTC", "absolute date on hover");
    assert!(times[0].text().ends_with(" ago"), "relative date: {}", times[0].text());

    // Picking two versions compares them: the form is a GET to the diff page.
    let compare = wiki.get(&format!("/-/diff/guide.md?from={c1}&to={c3}")).await;
    assert_eq!(compare.status, 200, "{}", compare.text());
    let text = text_of(&compare.text());
    assert!(text.contains("line 2, now better") && text.contains("line two"), "{text}");
    let form =
        elements(&reply.text(), "form").into_iter().find(|it| it.attr("class") == "history").expect("a compare form");
    assert_eq!(form.attr("action"), "/-/diff/guide.md");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_commits_count_their_lines_against_the_first_parent() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nline one\n");
    fixture.commit_dated(ANN, "Create the guide", "2024-01-01T10:00:00Z");
    fixture.git(&["checkout", "--quiet", "-b", "side"]);
    fixture.write("guide.md", "# Guide\n\nline one\nline two\nline three\n");
    let side = fixture.commit_dated(BOB, "Expand the guide on a branch", "2024-01-02T10:00:00Z");
    fixture.git(&["checkout", "--quiet", "main"]);
    fixture.write("other.md", "# Other\n");
    fixture.commit_dated(ANN, "Add another page", "2024-01-03T10:00:00Z");
    let (name, email) = (format!("user.name={}", CAROL.name), format!("user.email={}", CAROL.email));
    fixture.git(&["-c", &name, "-c", &email, "merge", "--quiet", "--no-ff", "--no-edit", "side"]);
    let merge = fixture.git(&["rev-parse", "HEAD"]);
    let wiki = serve_indexed(fixture).await;

    let json = history_json(&wiki, "guide.md").await;
    assert_eq!(strings(&json, "commit")[..2], owned(&[&merge, &side]), "{json:#}");
    let line_counts: Vec<(u64, u64)> =
        commits(&json).iter().map(|it| (it["added"].as_u64().unwrap(), it["removed"].as_u64().unwrap())).collect();
    assert_eq!(line_counts, [(2, 0), (2, 0), (3, 0)], "the merge brought two lines to main: {json:#}");
    let rows = history_rows(&wiki.get("/-/history/guide.md").await.text());
    assert!(text_of(&rows[0]).contains("+2 −0"), "{}", text_of(&rows[0]));

    // The merge's diff is against its first parent too.
    let reply = wiki.get(&format!("/-/api/diff/guide.md?to={merge}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let added: Vec<String> =
        diff_lines(&reply.json()).into_iter().filter(|(kind, _)| kind == "add").map(|(_, text)| text).collect();
    assert_eq!(added, ["line two", "line three"], "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_follows_a_rename_made_with_git_mv() {
    let fixture = Fixture::new();
    fixture.write("old-name.md", RUNBOOK);
    let c1 = fixture.commit(ANN, "Write the runbook");
    fixture.write("old-name.md", RUNBOOK.replace("on-call engineer.", "on-call engineer and their backup."));
    let c2 = fixture.commit(BOB, "Page the backup too");
    std::fs::create_dir_all(fixture.work_tree().join("docs")).unwrap();
    fixture.git(&["mv", "old-name.md", "docs/runbook.md"]);
    let c3 = fixture.commit(ANN, "Move the runbook into docs");
    let text = RUNBOOK.replace("on-call engineer.", "on-call engineer and their backup.") + "Step 6: celebrate.\n";
    fixture.write("docs/runbook.md", &text);
    let c4 = fixture.commit(BOB, "Add a last step");
    let wiki = serve_indexed(fixture).await;

    let json = history_json(&wiki, "docs/runbook.md").await;
    assert_eq!(json["total"], 4, "{json:#}");
    assert_eq!(strings(&json, "commit"), owned(&[&c4, &c3, &c2, &c1]), "{json:#}");
    assert_eq!(strings(&json, "path"), ["docs/runbook.md", "docs/runbook.md", "old-name.md", "old-name.md"]);
    let line_counts: Vec<(u64, u64)> =
        commits(&json).iter().map(|it| (it["added"].as_u64().unwrap(), it["removed"].as_u64().unwrap())).collect();
    assert_eq!(line_counts, [(1, 0), (0, 0), (1, 1), (7, 0)], "a pure rename changes no line");

    let reply = wiki.get("/-/history/docs/runbook.md").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let rows = history_rows(&reply.text());
    assert_eq!(rows.len(), 4);
    assert!(text_of(&rows[3]).contains("as old-name.md"), "the old path is not shown: {}", text_of(&rows[3]));

    // A diff across the rename compares the versions, not "everything added".
    let diff = wiki.get(&format!("/-/api/diff/docs/runbook.md?from={c1}&to={c4}")).await;
    assert_eq!(diff.status, 200, "{}", diff.text());
    let diff = diff.json();
    let lines = diff_lines(&diff);
    assert!(lines.iter().any(|(kind, text)| kind == "add" && text == "Step 6: celebrate."), "{lines:?}");
    assert!(lines.iter().any(|(kind, text)| kind == "ctx" && text.starts_with("Step 1")), "{lines:?}");
    assert!(!lines.iter().any(|(kind, text)| kind == "add" && text.starts_with("Step 1")), "{lines:?}");

    // Blame looks through the rename: Ann's lines stay Ann's, Bob's edit before the move stays Bob's.
    let blame = blame_lines(&wiki, "docs/runbook.md").await;
    assert_eq!(blame_of(&blame, "Step 1: check the dashboard."), (ANN.name.into(), c1.clone()));
    assert_eq!(blame_of(&blame, "Step 2: page the on-call engineer and their backup."), (BOB.name.into(), c2.clone()));
    assert_eq!(blame_of(&blame, "Step 6: celebrate."), (BOB.name.into(), c4.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_follows_a_move_made_in_lore() {
    let fixture = Fixture::new();
    fixture.write("team/alpha.md", RUNBOOK);
    let c1 = fixture.commit(ANN, "Write the runbook");
    fixture.write("team/alpha.md", RUNBOOK.replace("Step 5: hold the review.", "Step 5: hold a blameless review."));
    let c2 = fixture.commit(BOB, "Blameless reviews");
    let wiki = serve_indexed(fixture).await;

    let reply = move_page(&wiki, "team/alpha", "archive/alpha-2020", CAROL).await;
    assert_eq!(reply.json()["path"], "archive/alpha-2020.md", "{}", reply.text());
    let moved = wiki.head();

    let json = history_json(&wiki, "archive/alpha-2020.md").await;
    assert_eq!(strings(&json, "commit"), owned(&[&moved, &c2, &c1]), "{json:#}");
    assert_eq!(strings(&json, "path"), ["archive/alpha-2020.md", "team/alpha.md", "team/alpha.md"]);
    let names: Vec<String> = commits(&json).iter().map(|it| it["author"]["name"].as_str().unwrap().into()).collect();
    assert_eq!(names, [CAROL.name, BOB.name, ANN.name]);
    assert!(strings(&json, "message")[0].starts_with("Move "), "{json:#}");

    let page = wiki.get("/-/history/archive/alpha-2020.md").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(text_of(&page.text()).contains("as team/alpha.md"), "{}", text_of(&page.text()));

    // Blame carries the attribution across the move.
    let blame = blame_lines(&wiki, "archive/alpha-2020.md").await;
    assert_eq!(blame_of(&blame, "Step 5: hold a blameless review."), (BOB.name.into(), c2.clone()));
    assert_eq!(blame_of(&blame, "Step 1: check the dashboard."), (ANN.name.into(), c1.clone()));
}

/// Lore knows it moved the page; the new aliases in the front matter must not make a short page look like a
/// different file (git's similarity drops under 50 % for a page of a line or two).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lore_move_of_a_short_page_keeps_its_history() {
    let fixture = Fixture::new();
    fixture.write("beta.md", "# Beta\n\nShort.\n");
    let created = fixture.commit(ANN, "Create Beta");
    let wiki = serve_indexed(fixture).await;

    move_page(&wiki, "beta", "projects/beta", BOB).await;
    let moved = wiki.head();

    let json = history_json(&wiki, "projects/beta.md").await;
    assert_eq!(strings(&json, "commit"), owned(&[&moved, &created]), "the history before the move is lost: {json:#}");
    assert_eq!(strings(&json, "path"), ["projects/beta.md", "beta.md"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_versions_from_before_a_move_open_from_the_history_page() {
    let fixture = Fixture::new();
    fixture.write("old-name.md", RUNBOOK);
    fixture.commit(ANN, "Write the runbook");
    std::fs::create_dir_all(fixture.work_tree().join("docs")).unwrap();
    fixture.git(&["mv", "old-name.md", "docs/runbook.md"]);
    fixture.commit(BOB, "Move the runbook into docs");
    fixture.write("docs/runbook.md", RUNBOOK.to_string() + "Step 6: celebrate.\n");
    fixture.commit(BOB, "Add a last step");
    let wiki = serve_indexed(fixture).await;

    let reply = wiki.get("/-/history/docs/runbook.md").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let version_links: Vec<String> =
        links(&reply.text()).iter().map(|it| it.attr("href")).filter(|it| it.contains("?rev=")).collect();
    assert_eq!(version_links.len(), 3, "one link per version: {version_links:?}");
    for href in &version_links {
        let version = wiki.get(href).await;
        assert_eq!(
            version.status,
            200,
            "GET {href} (a version the history page links to): {}",
            text_of(&version.text())
        );
        let text = text_of(&version.text());
        assert!(text.contains("You are viewing the version of"), "GET {href}: {text}");
        assert!(text.contains("Step 1: check the dashboard."), "GET {href}: {text}");
    }
}

/// The banner over a version from before a move acts on the page as it is now: "view current" shows it,
/// "compare with current" compares with it, and restoring writes the old text at today's path (not a second
/// copy at the old one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banner_of_a_version_from_before_a_move_acts_on_the_current_page() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n");
    fixture.write("old-name.md", RUNBOOK);
    let c1 = fixture.commit(ANN, "Write the runbook");
    std::fs::create_dir_all(fixture.work_tree().join("docs")).unwrap();
    fixture.git(&["mv", "old-name.md", "docs/runbook.md"]);
    fixture.commit(BOB, "Move the runbook into docs");
    fixture.write("docs/runbook.md", RUNBOOK.to_string() + "Step 6: celebrate.\n");
    fixture.commit(BOB, "Add a last step");
    let wiki = serve_indexed(fixture).await;

    let history = wiki.get("/-/history/docs/runbook.md").await;
    let href = links(&history.text())
        .iter()
        .map(|it| it.attr("href"))
        .find(|it| it.ends_with(&format!("?rev={c1}")))
        .expect("a link to the first version");
    let old = wiki.get(&href).await;
    assert_eq!(old.status, 200, "GET {href}: {}", text_of(&old.text()));
    let html = old.text();

    // Each action is checked, and every one that fails is reported.
    let mut problems: Vec<String> = Vec::new();
    let mut current = link_with_text(&html, "view current").attr("href");
    for _hop in 0..5 {
        let reply = wiki.get(&current).await;
        match reply.header("location") {
            Some(location) if (300..400).contains(&reply.status) => current = location,
            _ => {
                if reply.status != 200 || !text_of(&reply.text()).contains("Step 6: celebrate.") {
                    problems.push(format!("view current ({current}) answered {}, not today's page", reply.status));
                }
                break;
            }
        }
    }

    let compare = link_with_text(&html, "compare with current").attr("href");
    let diff = wiki.get(&compare).await;
    let rows = elements(&diff.text(), "tr");
    if diff.status != 200
        || !rows.iter().any(|it| it.attr("class") == "diff-add" && it.text().contains("Step 6: celebrate."))
    {
        problems.push(format!(
            "compare with current ({compare}) answered {} without comparing with today's page: {}",
            diff.status,
            text_of(&diff.text()).chars().take(600).collect::<String>()
        ));
    }

    let form = elements(&html, "form")
        .into_iter()
        .find(|it| it.text().contains("Restore this version"))
        .expect("a Restore this version form");
    let fields: Vec<(String, String)> =
        elements(&form.inner_html, "input").iter().map(|it| (it.attr("name"), it.attr("value"))).collect();
    let token = fields.iter().find(|(name, _)| name == "csrf_token").map(|(_, value)| value.clone()).expect("a token");
    let cookie = old.header("set-cookie").expect("a form cookie");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let posted = wiki
        .send(
            "POST",
            &form.attr("action"),
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie.as_str())],
            format!("commit={c1}&csrf_token={token}"),
        )
        .await;
    assert!(posted.status < 500, "{}: {}", posted.status, posted.text());
    let files = wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref]);
    if files.lines().any(|it| it == "old-name.md") {
        problems.push(format!("restoring (POST {}) made a second copy at the old path", form.attr("action")));
    }
    if wiki.file_at_head("docs/runbook.md") != RUNBOOK.trim_end() {
        problems.push(format!("restoring (POST {}) left docs/runbook.md as it was", form.attr("action")));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A page renamed with `git mv` was moved, not deleted: its old address must not say "deleted" and offer
/// to restore a second copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_address_of_a_page_renamed_with_git_mv_leads_to_the_new_one() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n");
    fixture.write("old-name.md", RUNBOOK);
    fixture.commit(ANN, "Write the runbook");
    std::fs::create_dir_all(fixture.work_tree().join("docs")).unwrap();
    fixture.git(&["mv", "old-name.md", "docs/runbook.md"]);
    fixture.commit(BOB, "Move the runbook into docs");
    let wiki = serve_indexed(fixture).await;

    let reply = wiki.get("/old-name").await;
    let text = text_of(&reply.text());
    let redirected = (300..400).contains(&reply.status) && reply.header("location").as_deref() == Some("/docs/runbook");
    let points_there = has_link_to(&reply.text(), "/docs/runbook") && !text.contains("was deleted");
    assert!(
        redirected || points_there,
        "GET /old-name answered {} without leading to /docs/runbook: {text}",
        reply.status
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_of_a_version_from_before_a_move() {
    let fixture = Fixture::new();
    fixture.write("old-name.md", RUNBOOK);
    let c1 = fixture.commit(ANN, "Write the runbook");
    std::fs::create_dir_all(fixture.work_tree().join("docs")).unwrap();
    fixture.git(&["mv", "old-name.md", "docs/runbook.md"]);
    fixture.commit(BOB, "Move the runbook into docs");
    fixture.write("docs/runbook.md", "# Runbook\n\nPanic.\n");
    fixture.commit(CAROL, "Simplify");
    let wiki = serve_indexed(fixture).await;
    assert_eq!(history_json(&wiki, "docs/runbook.md").await["total"], 3, "the history follows the move");

    let reply = restore(&wiki, "docs/runbook", &c1, ANN).await;
    assert_eq!(reply.status, 200, "a version the page's history lists cannot be restored: {}", reply.text());
    assert_eq!(wiki.file_at_head("docs/runbook.md"), RUNBOOK.trim_end());
    assert!(
        wiki.git(&["ls-tree", "--name-only", "HEAD"]).lines().all(|it| it != "old-name.md"),
        "restored at the old path"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_views_work_for_a_path_with_spaces_and_unicode() {
    let fixture = Fixture::new();
    fixture.write("Team notes/café menu.md", "# Café menu\n\nCoffee.\n");
    let v1 = fixture.commit(ANN, "Write the menu");
    fixture.write("Team notes/café menu.md", "# Café menu\n\nCoffee and tea.\n");
    let v2 = fixture.commit(BOB, "Add tea");
    let wiki = serve_indexed(fixture).await;

    let encoded = "Team%20notes/caf%C3%A9%20menu.md";
    let json = history_json(&wiki, encoded).await;
    assert_eq!(strings(&json, "commit"), owned(&[&v2, &v1]));
    assert_eq!(strings(&json, "path")[0], "Team notes/café menu.md");
    let history = wiki.get(&format!("/-/history/{encoded}")).await;
    assert_eq!(history.status, 200, "{}", history.text());
    // Every link of the history page that leads to this page's views opens.
    let hrefs: Vec<String> = links(&history.text())
        .iter()
        .map(|it| it.attr("href"))
        .filter(|it| it.contains("rev=") || it.starts_with("/-/blame/") || it.starts_with("/-/commit/"))
        .collect();
    assert!(hrefs.len() >= 5, "{hrefs:?}");
    for href in &hrefs {
        let reply = wiki.get(href).await;
        assert_eq!(reply.status, 200, "GET {href}: {}", text_of(&reply.text()));
    }
    let diff = wiki.get(&format!("/-/diff/{encoded}?from={v1}&to={v2}")).await;
    assert_eq!(diff.status, 200, "{}", diff.text());
    let rows = elements(&diff.text(), "tr");
    assert!(
        rows.iter().any(|it| it.attr("class") == "diff-add" && it.text().contains("Coffee and tea.")),
        "{}",
        diff.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_text_is_escaped_in_diffs_blame_and_commits() {
    let fixture = Fixture::new();
    fixture.write("xss.md", "# Notes\n\nHarmless.\n");
    let v1 = fixture.commit(ANN, "Start");
    fixture.write("xss.md", "# Notes\n\n<script>alert('pwned')</script> <img src=x onerror=alert(1)>\n");
    let v2 = fixture.commit(BOB, "<script>alert('message')</script>");
    let wiki = serve_indexed(fixture).await;

    for target in [
        format!("/-/diff/xss.md?from={v1}&to={v2}"),
        format!("/-/diff/xss.md?from={v1}&to={v2}&view=split"),
        "/-/blame/xss.md".to_string(),
        format!("/-/commit/{v2}"),
        "/-/history/xss.md".to_string(),
        "/-/changes".to_string(),
    ] {
        let reply = wiki.get(&target).await;
        assert_eq!(reply.status, 200, "GET {target}: {}", reply.text());
        assert_safe_html_page(&reply, &target);
        let html = reply.text();
        assert!(!html.contains("<img src=x"), "GET {target}: page text is not escaped");
        assert!(!html.contains("<script>alert"), "GET {target}: page text or message is not escaped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_paginated_fifty_to_a_page() {
    let fixture = Fixture::new();
    let n_commits = 61;
    for i in 0..n_commits {
        fixture.write("counter.md", format!("# Counter\n\nvalue {i}\n"));
        fixture.commit(if i % 2 == 0 { ANN } else { BOB }, &format!("Set the counter to {i}"));
    }
    let wiki = serve_indexed(fixture).await;

    let first = history_json(&wiki, "counter.md").await;
    assert_eq!(first["total"], n_commits, "{first:#}");
    let messages = strings(&first, "message");
    assert_eq!(messages.len(), 50);
    assert_eq!(messages[0], "Set the counter to 60");
    assert_eq!(messages[49], "Set the counter to 11");
    let rest = wiki.get("/-/api/history/counter.md?offset=50").await;
    assert_eq!(rest.status, 200, "{}", rest.text());
    let rest = rest.json();
    assert_eq!(strings(&rest, "message"), (0..11).rev().map(|i| format!("Set the counter to {i}")).collect::<Vec<_>>());
    let all_ids: Vec<String> = strings(&first, "commit").into_iter().chain(strings(&rest, "commit")).collect();
    let git_log: Vec<String> =
        wiki.git(&["log", "--format=%H", "--", "counter.md"]).lines().map(str::to_string).collect();
    assert_eq!(all_ids, git_log, "the pages together list every commit once, in git's order");

    let page1 = wiki.get("/-/history/counter.md").await;
    assert_eq!(page1.status, 200, "{}", page1.text());
    let rows1 = history_rows(&page1.text());
    assert_eq!(rows1.len(), 50);
    assert_eq!(link_with_text(&page1.text(), "Older").attr("href"), "/-/history/counter.md?page=2");
    assert!(!links(&page1.text()).iter().any(|it| it.text() == "Newer"), "page 1 has no newer page");
    let page2 = wiki.get("/-/history/counter.md?page=2").await;
    assert_eq!(page2.status, 200, "{}", page2.text());
    let rows2 = history_rows(&page2.text());
    assert_eq!(rows2.len(), 11);
    assert_eq!(link_with_text(&page2.text(), "Newer").attr("href"), "/-/history/counter.md?page=1");
    assert!(!links(&page2.text()).iter().any(|it| it.text() == "Older"), "page 2 is the last");
    for (row, id) in rows1.iter().chain(&rows2).zip(&all_ids) {
        assert!(row.contains(&format!("/-/commit/{id}")), "rows out of order: expected {id} in {row}");
    }
    for query in ["?page=0", "?page=3", "?page=999999"] {
        let reply = wiki.get(&format!("/-/history/counter.md{query}")).await;
        assert!(reply.status < 500, "{query}: {}", reply.status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_version_shows_under_a_banner_with_current_compare_and_restore() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nOriginal wording.\n");
    let v1 = fixture.commit_dated(ANN, "Write the guide", "2024-03-01T09:30:00Z");
    fixture.write("guide.md", "# Guide\n\nRevised wording.\n");
    fixture.commit_dated(BOB, "Revise the guide", "2024-03-02T09:30:00Z");
    let wiki = serve_indexed(fixture).await;

    let reply = wiki.get(&format!("/guide?rev={v1}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "old version");
    let html = reply.text();
    let text = text_of(&html);
    assert!(text.contains("You are viewing the version of"), "{text}");
    assert!(text.contains("2024-03-01 09:30 UTC"), "the banner names the date: {text}");
    assert!(text.contains("by Ann Author"), "the banner names the author: {text}");
    assert!(text.contains("Original wording."), "{text}");
    assert!(!text.contains("Revised wording."), "the current text shows instead of the old one: {text}");
    assert_eq!(link_with_text(&html, "view current").attr("href"), "/guide");
    let compare = link_with_text(&html, "compare with current").attr("href");
    assert!(compare.starts_with("/-/diff/guide.md?") && compare.contains(&format!("from={v1}")), "{compare}");
    let restore = elements(&html, "form")
        .into_iter()
        .find(|it| it.text().contains("Restore this version"))
        .expect("a Restore this version form");
    assert_eq!(restore.attr("method"), "post");
    let hidden: Vec<(String, String)> =
        elements(&restore.inner_html, "input").iter().map(|it| (it.attr("name"), it.attr("value"))).collect();
    assert!(hidden.contains(&("commit".to_string(), v1.clone())), "{hidden:?}");

    // "compare with current" leads to the diff from that version to today's.
    let diff = wiki.get(&compare).await;
    assert_eq!(diff.status, 200, "{}", diff.text());
    let diff_text = text_of(&diff.text());
    assert!(diff_text.contains("Original wording.") && diff_text.contains("Revised wording."), "{diff_text}");

    // An abbreviated commit id works too; the current page has no banner.
    let short = wiki.get(&format!("/guide?rev={}", &v1[..7])).await;
    assert_eq!(short.status, 200, "{}", short.text());
    assert!(text_of(&short.text()).contains("Original wording."));
    let current = wiki.get("/guide").await;
    assert!(!text_of(&current.text()).contains("You are viewing the version of"));

    // The banner's form restores that version, as a browser would send it.
    let cookie = reply.header("set-cookie").expect("the old version sets the form's cookie");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let token = hidden.iter().find(|(name, _)| name == "csrf_token").map(|(_, value)| value.clone()).expect("a token");
    let form_body = format!("commit={v1}&csrf_token={token}");
    let posted = wiki
        .send(
            "POST",
            &restore.attr("action"),
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie.as_str())],
            form_body,
        )
        .await;
    assert!((300..400).contains(&posted.status), "{}: {}", posted.status, posted.text());
    assert_eq!(wiki.file_at_head("guide.md"), "# Guide\n\nOriginal wording.");
    assert_eq!(wiki.git(&["log", "-1", "--format=%s"]), format!("Restore Guide to version {}", &v1[..7]));
}

/// Regression: page views were cached by path alone, so once the current page had been viewed, `?rev=`
/// answered the cached current page (and a malformed `?rev=` answered 200).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_version_shows_after_the_current_page_was_viewed() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nOriginal wording.\n");
    let v1 = fixture.commit(ANN, "Write the guide");
    fixture.write("guide.md", "# Guide\n\nRevised wording.\n");
    fixture.commit(BOB, "Revise the guide");
    let wiki = serve_indexed(fixture).await;

    let current = wiki.get("/guide").await;
    assert_eq!(current.status, 200);
    assert!(text_of(&current.text()).contains("Revised wording."));

    let old = wiki.get(&format!("/guide?rev={v1}")).await;
    let text = text_of(&old.text());
    assert_eq!(old.status, 200, "{text}");
    assert!(text.contains("You are viewing the version of"), "the cached current page answered: {text}");
    assert!(text.contains("Original wording."), "{text}");
    let malformed = wiki.get("/guide?rev=zzz").await;
    assert_eq!(malformed.status, 400, "{}", text_of(&malformed.text()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_between_two_versions_unified_split_collapsed_and_whole() {
    let old_text = handbook(None);
    let new_text = handbook(Some(()));
    let fixture = Fixture::new();
    fixture.write("handbook.md", &old_text);
    let v1 = fixture.commit(ANN, "Write the handbook");
    fixture.write("handbook.md", &new_text);
    let v2 = fixture.commit(BOB, "Recolour the fox");
    let git_headers = hunk_headers(&fixture.git(&["diff", "-U3", &v1, &v2, "--", "handbook.md"]));
    let wiki = serve_indexed(fixture).await;

    // Unified (the default): changed lines with the changed words marked, unchanged stretches collapsed.
    let unified = wiki.get(&format!("/-/diff/handbook.md?from={v1}&to={v2}")).await;
    assert_eq!(unified.status, 200, "{}", unified.text());
    assert_safe_html_page(&unified, "diff");
    let html = unified.text();
    assert!(html.contains("diff-unified"), "{html}");
    let rows = elements(&html, "tr");
    let row_with = |class: &str, word: &str| {
        rows.iter().any(|it| it.attr("class") == class && marked_words(&it.inner_html).iter().any(|it| it == word))
    };
    assert!(row_with("diff-del", "brown"), "no deleted line with <mark>brown</mark>: {html}");
    assert!(row_with("diff-add", "red"), "no added line with <mark>red</mark>: {html}");
    assert!(row_with("diff-add", "revised"), "no added line with <mark>revised</mark>: {html}");
    let text = text_of(&html);
    assert!(text.contains("Line 4 of the handbook.") && text.contains("Line 8 of the handbook."), "context: {text}");
    assert!(!text.contains("Line 15 of the handbook."), "a long unchanged stretch is not collapsed: {text}");
    let more = links(&html).into_iter().find(|it| it.text().starts_with("Show more")).expect("a Show more link");
    assert!(more.attr("href").contains("context=all"), "{}", more.attr("href"));

    // Show more: every line.
    let whole = wiki.get(&more.attr("href")).await;
    assert_eq!(whole.status, 200, "{}", whole.text());
    let whole_text = text_of(&whole.text());
    for n in 2..=30 {
        if n != 5 {
            assert!(whole_text.contains(&format!("Line {n} of the")), "line {n} missing with context=all");
        }
    }
    assert!(!links(&whole.text()).iter().any(|it| it.text().starts_with("Show more")), "nothing more to show");

    // Side by side: old and new cells in one table, words marked on both sides.
    let split = wiki.get(&format!("/-/diff/handbook.md?from={v1}&to={v2}&view=split")).await;
    assert_eq!(split.status, 200, "{}", split.text());
    let split_html = split.text();
    assert!(split_html.contains("diff-split"), "{split_html}");
    let cells = elements(&split_html, "td");
    let cell_with = |class: &str, word: &str| {
        cells.iter().any(|it| it.attr("class") == class && marked_words(&it.inner_html).iter().any(|it| it == word))
    };
    assert!(cell_with("diff-del", "brown") && cell_with("diff-add", "red"), "{split_html}");
    assert!(!text_of(&split_html).contains("Line 15 of the handbook."), "split view is collapsed too");
    assert!(has_link_to(&split_html, &format!("/-/diff/handbook.md?from={v1}&to={v2}&view=unified")), "a way back");

    // The API: structured hunks, matching git's, with word segments.
    let api = wiki.get(&format!("/-/api/diff/handbook.md?from={v1}&to={v2}")).await;
    assert_eq!(api.status, 200, "{}", api.text());
    let json = api.json();
    assert_eq!(json["path"], "handbook.md");
    assert_eq!(json["from"], v1.as_str());
    assert_eq!(json["to"], v2.as_str());
    assert_eq!(json["status"], "modified");
    assert_eq!(json["truncated"], false);
    let hunks = json["hunks"].as_array().expect("hunks");
    let headers: Vec<(u64, u64, u64, u64)> = hunks
        .iter()
        .map(|it| {
            let n = |key: &str| it[key].as_u64().unwrap_or_else(|| panic!("{key} in {it}"));
            (n("old_start"), n("old_lines"), n("new_start"), n("new_lines"))
        })
        .collect();
    assert_eq!(headers, git_headers, "hunk ranges differ from git diff -U3");
    let first: Vec<&Value> = hunks[0]["lines"].as_array().unwrap().iter().collect();
    let del = first.iter().find(|it| it["kind"] == "del").expect("a deleted line");
    assert_eq!((del["old_line"].as_u64(), del["new_line"].as_u64()), (Some(5), None));
    assert_eq!(joined_segments(del, false), "The quick brown fox jumps.");
    assert_eq!(joined_segments(del, true).trim(), "brown");
    let add = first.iter().find(|it| it["kind"] == "add").expect("an added line");
    assert_eq!((add["old_line"].as_u64(), add["new_line"].as_u64()), (None, Some(5)));
    assert_eq!(joined_segments(add, false), "The quick red fox jumps.");
    assert_eq!(joined_segments(add, true).trim(), "red");
    let ctx = first.iter().find(|it| it["kind"] == "ctx").expect("a context line");
    assert!(ctx["segments"].as_array().unwrap().iter().all(|it| it["changed"] == false), "{ctx}");
    assert!(ctx["old_line"].is_u64() && ctx["new_line"].is_u64(), "{ctx}");

    let all = wiki.get(&format!("/-/api/diff/handbook.md?from={v1}&to={v2}&context=all")).await;
    assert_eq!(all.status, 200, "{}", all.text());
    let all = all.json();
    let hunks = all["hunks"].as_array().unwrap();
    assert_eq!(hunks.len(), 1, "context=all is one hunk: {all:#}");
    assert_eq!((hunks[0]["old_lines"].as_u64(), hunks[0]["new_lines"].as_u64()), (Some(30), Some(30)));
    assert_eq!(hunks[0]["lines"].as_array().unwrap().len(), 32, "28 unchanged, 2 deleted and 2 added lines");

    // Without `from`, the diff is against the previous version.
    let latest = wiki.get("/-/api/diff/handbook.md").await;
    assert_eq!(latest.status, 200, "{}", latest.text());
    assert_eq!((latest.json()["from"].clone(), latest.json()["to"].clone()), (json!(v1), json!(v2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_view_lists_every_file_it_touched() {
    let fixture = Fixture::new();
    fixture.write("a.md", "# A\n\nFirst text.\n");
    fixture.write("c.md", "# C\n\nSoon gone.\n");
    fixture.write("old.md", RUNBOOK);
    fixture.commit(ANN, "Start");
    fixture.write("a.md", "# A\n\nSecond text.\n");
    fixture.write("docs/b.md", "# B\n\nBrand new.\n");
    std::fs::remove_file(fixture.work_tree().join("c.md")).unwrap();
    std::fs::create_dir_all(fixture.work_tree().join("moved")).unwrap();
    fixture.git(&["mv", "old.md", "moved/new.md"]);
    fixture.write("media/logo.png", PNG_1X1);
    let sha = fixture.commit(BOB, "Reorganise the wiki\n\nA longer explanation of why.");
    let wiki = serve_indexed(fixture).await;

    let reply = wiki.get(&format!("/-/commit/{sha}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "commit");
    let html = reply.text();
    assert_eq!(h1_text(&html), "Reorganise the wiki");
    let text = text_of(&html);
    assert!(text.contains(&sha), "{text}");
    assert!(text.contains("Bob Builder") && text.contains("bob@example.com"), "{text}");
    assert!(text.contains("A longer explanation of why."), "the whole message: {text}");
    assert!(text.contains("5 files changed"), "{text}");
    let files: BTreeSet<String> =
        elements(&html, "h2").iter().filter(|it| it.attr("class") == "commit-file-name").map(Element::text).collect();
    let expected: BTreeSet<String> =
        ["modified a.md", "added docs/b.md", "deleted c.md", "moved old.md → moved/new.md", "added media/logo.png"]
            .into_iter()
            .map(str::to_string)
            .collect();
    assert_eq!(files, expected);
    let sections: Vec<Element> = elements(&html, "section");
    let section = |path: &str| {
        sections
            .iter()
            .find(|it| elements(&it.inner_html, "h2").first().is_some_and(|h2| h2.text().ends_with(path)))
            .unwrap_or_else(|| panic!("no section for {path}"))
            .clone()
    };
    assert!(
        marked_words(&section("a.md").inner_html).contains(&"Second".to_string()),
        "{}",
        section("a.md").inner_html
    );
    assert!(section("docs/b.md").text().contains("Brand new."));
    assert!(section("c.md").text().contains("Soon gone."));
    assert!(section("media/logo.png").text().contains("Binary"), "{}", section("media/logo.png").text());

    // An abbreviated id names the same commit; the parent is linked.
    let short = wiki.get(&format!("/-/commit/{}", &sha[..7])).await;
    assert_eq!(short.status, 200);
    assert_eq!(h1_text(&short.text()), "Reorganise the wiki");
    let parent = wiki.git(&["rev-parse", &format!("{sha}^")]);
    assert!(has_link_to(&html, &format!("/-/commit/{parent}")), "no link to the parent");

    // The first commit has no parent: every file it holds was added.
    let root = wiki.get(&format!("/-/commit/{parent}")).await;
    assert_eq!(root.status, 200, "{}", root.text());
    let files: BTreeSet<String> = elements(&root.text(), "h2")
        .iter()
        .filter(|it| it.attr("class") == "commit-file-name")
        .map(Element::text)
        .collect();
    let expected: BTreeSet<String> =
        ["added a.md", "added c.md", "added old.md"].into_iter().map(str::to_string).collect();
    assert_eq!(files, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blame_attributes_each_line_to_the_author_who_last_changed_it() {
    let fixture = Fixture::new();
    fixture.write(
        "handbook.md",
        "# Team handbook\n\nAnn wrote the welcome.\nAnn wrote the holidays.\nAnn wrote the tools.\n",
    );
    let ann = fixture.commit(ANN, "Write the handbook");
    fixture.write(
        "handbook.md",
        "# Team handbook\n\nAnn wrote the welcome.\nBob rewrote the holidays.\nAnn wrote the tools.\nBob added the parking.\n",
    );
    let bob = fixture.commit(BOB, "Holidays and parking");
    fixture.write(
        "handbook.md",
        "# Team handbook\n\nCarol added the mission.\nAnn wrote the welcome.\nBob rewrote the holidays.\nAnn wrote the tools.\nBob added the parking.\n",
    );
    let carol = fixture.commit(CAROL, "Mission");
    let wiki = serve_indexed(fixture).await;

    let reply = wiki.get("/-/blame/handbook.md").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "blame");
    let blame = parse_blame(&reply.text());
    let got: Vec<(usize, &str, &str)> =
        blame.iter().map(|it| (it.number, it.text.as_str(), it.author.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, "# Team handbook", ANN.name),
            (2, "", ANN.name),
            (3, "Carol added the mission.", CAROL.name),
            (4, "Ann wrote the welcome.", ANN.name),
            (5, "Bob rewrote the holidays.", BOB.name),
            (6, "Ann wrote the tools.", ANN.name),
            (7, "Bob added the parking.", BOB.name),
        ]
    );
    // Each line links to its commit, which is the one git blame names.
    let git_blame = wiki.git(&["blame", "--porcelain", "HEAD", "--", "handbook.md"]);
    let git_commits: Vec<&str> = git_blame
        .lines()
        .filter(|it| it.len() > 41 && it.as_bytes()[40] == b' ' && it[..40].bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|it| &it[..40])
        .collect();
    let ours: Vec<&str> = blame.iter().map(|it| it.commit.as_str()).collect();
    assert_eq!(ours, git_commits, "blame differs from git blame");
    assert_eq!(ours, owned(&[&ann, &ann, &carol, &ann, &bob, &ann, &bob]));
    // Consecutive lines of one commit are one group.
    assert_eq!(reply.text().matches("class=\"blame-commit\"").count(), 6, "groups: Ann, Carol, Ann, Bob, Ann, Bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_brings_back_an_old_version_as_a_new_commit() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nFirst version.\n");
    let v1 = fixture.commit(ANN, "Write the guide");
    fixture.write("guide.md", "# Guide\n\nSecond version.\n");
    let v2 = fixture.commit(BOB, "Rewrite the guide");
    fixture.write("guide.md", "# Guide (vandalised)\n\nThird version.\n");
    let v3 = fixture.commit(CAROL, "Oops");
    let wiki = serve_indexed(fixture).await;
    let n_before = wiki.commit_count();

    let reply = restore(&wiki, "guide", &v1, ANN).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let restored = wiki.head();
    assert_eq!(reply.json()["commit"], restored.as_str());
    assert_eq!(wiki.commit_count(), n_before + 1, "one new commit");
    wiki.git(&["merge-base", "--is-ancestor", &v3, &restored]);
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &restored]), format!("Restore Guide to version {}", &v1[..7]));
    assert_eq!(wiki.git(&["log", "-1", "--format=%an <%ae>", &restored]), "Ann Author <ann@example.com>");
    assert_eq!(wiki.file_at_head("guide.md"), "# Guide\n\nFirst version.");

    let page = wiki.get("/guide").await;
    assert!(text_of(&page.text()).contains("First version."), "{}", text_of(&page.text()));
    let json = history_json(&wiki, "guide.md").await;
    assert_eq!(strings(&json, "commit"), owned(&[&restored, &v3, &v2, &v1]), "history is kept: {json:#}");
    assert_eq!(strings(&json, "message")[0], format!("Restore Guide to version {}", &v1[..7]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_page_answers_410_and_restores_with_its_history() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n");
    fixture.write("notes.md", "# Notes\n\nAnn's notes.\n");
    let v1 = fixture.commit(ANN, "Write notes");
    fixture.write("notes.md", "# Notes\n\nAnn's notes.\nBob's additions.\n");
    let v2 = fixture.commit(BOB, "Add to the notes");
    let wiki = serve_indexed(fixture).await;

    let blob = wiki.blob_at_head("notes.md");
    let body = json!({"author": {"name": CAROL.name, "email": CAROL.email}}).to_string();
    let if_match = format!("\"{blob}\"");
    let reply = wiki
        .send(
            "DELETE",
            "/-/api/pages/notes",
            &[("If-Match", if_match.as_str()), ("Content-Type", "application/json")],
            body,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let deleted = wiki.head();

    let gone = wiki.get("/notes").await;
    assert_eq!(gone.status, 410, "{}", gone.text());
    let text = text_of(&gone.text());
    assert!(text.contains("deleted by Carol Chen"), "{text}");
    let json = history_json(&wiki, "notes.md").await;
    assert_eq!(strings(&json, "commit"), owned(&[&deleted, &v2, &v1]));
    assert_eq!(commits(&json)[0]["deleted"], true, "{json:#}");
    // The old versions of a deleted page can still be read.
    let old = wiki.get(&format!("/notes?rev={v2}")).await;
    assert_eq!(old.status, 200, "{}", old.text());
    assert!(text_of(&old.text()).contains("Bob's additions."));
    // The deletion itself holds no version to restore.
    let nothing = restore(&wiki, "notes", &deleted, ANN).await;
    nothing.assert_json_error();

    let reply = restore(&wiki, "notes", &v2, ANN).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let restored = wiki.head();
    assert_eq!(wiki.git(&["log", "-1", "--format=%s"]), format!("Restore Notes to version {}", &v2[..7]));
    let page = wiki.get("/notes").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(text_of(&page.text()).contains("Bob's additions."));
    let json = history_json(&wiki, "notes.md").await;
    assert_eq!(strings(&json, "commit"), owned(&[&restored, &deleted, &v2, &v1]), "history is intact: {json:#}");
    assert_eq!(commits(&json)[0]["deleted"], false);
    let html = wiki.get("/-/history/notes.md").await;
    assert_eq!(history_rows(&html.text()).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_changes_filter_by_author_and_folder_and_paginate() {
    let fixture = Fixture::new();
    for i in 0..120 {
        if i % 2 == 0 {
            fixture.write(&format!("eng/page-{i}.md"), format!("# Eng {i}\n"));
            fixture.commit(ANN, &format!("Change {i}"));
        } else {
            fixture.write(&format!("sales/page-{i}.md"), format!("# Sales {i}\n"));
            fixture.commit(BOB, &format!("Change {i}"));
        }
    }
    let wiki = serve_indexed(fixture).await;

    let everything = changes_json(&wiki, "").await;
    let messages: Vec<String> = everything.iter().map(|it| it["message"].as_str().unwrap().to_string()).collect();
    assert_eq!(messages, (70..120).rev().map(|i| format!("Change {i}")).collect::<Vec<_>>(), "newest 50, newest first");
    assert_eq!(everything[0]["paths"], json!(["sales/page-119.md"]));
    assert_eq!(everything[0]["commit"], wiki.head().as_str());

    for query in ["author=bob", "author=BOB%40EXAMPLE.COM", "author=Bob%20Builder"] {
        let bob = changes_json(&wiki, &format!("{query}&limit=500")).await;
        assert_eq!(bob.len(), 60, "{query}");
        assert!(bob.iter().all(|it| it["author"]["name"] == BOB.name), "{query}");
    }
    for query in ["folder=eng", "folder=eng/", "folder=/eng/"] {
        let eng = changes_json(&wiki, &format!("{query}&limit=500")).await;
        assert_eq!(eng.len(), 60, "{query}");
        assert!(eng.iter().all(|it| it["paths"][0].as_str().unwrap().starts_with("eng/")), "{query}");
    }
    assert!(changes_json(&wiki, "author=ann&folder=sales").await.is_empty());
    let tail = changes_json(&wiki, "author=ann&offset=50&limit=50").await;
    let tail_messages: Vec<&str> = tail.iter().map(|it| it["message"].as_str().unwrap()).collect();
    assert_eq!(tail_messages, (0..10).rev().map(|i| format!("Change {}", i * 2)).collect::<Vec<_>>());

    // The HTML list: 50 to a page, with Older/Newer links that keep the filters.
    let page1 = wiki.get("/-/changes").await;
    assert_eq!(page1.status, 200, "{}", page1.text());
    assert_safe_html_page(&page1, "recent changes");
    assert_eq!(change_items(&page1.text()).len(), 50);
    assert_eq!(link_with_text(&page1.text(), "Older").attr("href"), "/-/changes?page=2");
    let page3 = wiki.get("/-/changes?page=3").await;
    assert_eq!(change_items(&page3.text()).len(), 20);
    assert!(!links(&page3.text()).iter().any(|it| it.text() == "Older"));
    assert_eq!(link_with_text(&page3.text(), "Newer").attr("href"), "/-/changes?page=2");

    let ann1 = wiki.get("/-/changes?author=Ann").await;
    let items = change_items(&ann1.text());
    assert_eq!(items.len(), 50);
    assert!(items.iter().all(|it| text_of(it).contains("Ann Author") && !text_of(it).contains("Bob Builder")));
    let older = link_with_text(&ann1.text(), "Older").attr("href");
    assert!(older.contains("page=2") && older.contains("author=Ann"), "the filter is lost: {older}");
    let ann2 = wiki.get(&older).await;
    let items = change_items(&ann2.text());
    assert_eq!(items.len(), 10);
    assert!(items.iter().all(|it| text_of(it).contains("Ann Author")));
    assert!(text_of(items.last().unwrap()).contains("Change 0"));

    let sales = wiki.get("/-/changes?folder=sales").await;
    let items = change_items(&sales.text());
    assert_eq!(items.len(), 50);
    assert!(items.iter().all(|it| text_of(it).contains("sales/page-") && !text_of(it).contains("eng/page-")));
    let none = wiki.get("/-/changes?author=nobody-at-all").await;
    assert_eq!(none.status, 200);
    assert!(change_items(&none.text()).is_empty());
    assert!(text_of(&none.text()).contains("No changes match."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atom_feeds_are_valid_and_hold_the_expected_entries() {
    let fixture = Fixture::new();
    fixture.write("eng/deploy.md", "---\ntags: [ops, eng]\n---\n# Deploy\n");
    let deploy = fixture.commit_dated(ANN, "Write the deploy guide", "2024-05-01T08:00:00Z");
    fixture.write("sales/pricing.md", "# Pricing\n");
    let pricing = fixture.commit_dated(BOB, "Price list", "2024-05-02T08:00:00Z");
    fixture.write("eng/oncall.md", "# On-call\n");
    let oncall = fixture.commit_dated(CAROL, "On-call rota", "2024-05-03T08:00:00Z");
    fixture.write("sales/support.md", "---\ntags: [Ops]\n---\n# Support\n");
    let support = fixture.commit_dated(BOB, "Fix <prices> & \"discounts\"", "2024-05-04T08:00:00Z");
    fixture.write("index.md", "# Home\n");
    let home = fixture.commit_dated(DEE, "Home\u{c}page", "2024-05-05T08:00:00Z");
    let wiki = serve_indexed(fixture).await;

    let all = feed(&wiki, "/-/changes.atom").await;
    assert_eq!(all.entry_ids(), ids(&[&home, &support, &oncall, &pricing, &deploy]));
    assert_eq!(all.updated, "2024-05-05T08:00:00Z", "the feed is as new as its newest entry");
    let titles: Vec<&str> = all.entries.iter().map(|it| it.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Homepage", "Fix <prices> & \"discounts\"", "On-call rota", "Price list", "Write the deploy guide"]
    );
    let support_entry = &all.entries[1];
    assert_eq!(support_entry.author, BOB.name);
    assert_eq!(support_entry.updated, "2024-05-04T08:00:00Z");
    assert!(support_entry.link.ends_with(&format!("/-/commit/{support}")), "{}", support_entry.link);
    assert_eq!(all.entries[0].author, DEE.name);
    let linked = get_url(&support_entry.link).await;
    assert_eq!(linked.status, 200, "the entry's link opens the commit");

    for query in ["path=eng", "path=eng/"] {
        let eng = feed(&wiki, &format!("/-/changes.atom?{query}")).await;
        assert_eq!(eng.entry_ids(), ids(&[&oncall, &deploy]), "{query}");
        assert_ne!(eng.id, all.id, "each feed has its own id");
    }
    let ops = feed(&wiki, "/-/changes.atom?tag=ops").await;
    assert_eq!(ops.entry_ids(), ids(&[&support, &deploy]), "only commits touching pages tagged ops");
    assert_ne!(ops.id, all.id);
    let both = feed(&wiki, "/-/changes.atom?path=eng&tag=ops").await;
    assert_eq!(both.entry_ids(), ids(&[&deploy]), "tagged ops and in eng/");
    let none = feed(&wiki, "/-/changes.atom?tag=no-such-tag").await;
    assert!(none.entries.is_empty());

    // The recent changes page points feed readers at the feed.
    let page = wiki.get("/-/changes").await;
    let alternate = parse_void_links(&page.text()).into_iter().find(|it| it.attr("type") == "application/atom+xml");
    assert!(alternate.is_some_and(|it| it.attr("href") == "/-/changes.atom"), "no feed discovery link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_revisions_answer_400() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nText.\n");
    let v1 = fixture.commit(ANN, "Write the guide");
    let wiki = serve_indexed(fixture).await;
    let head = wiki.head();

    let long_hex = "a".repeat(10_000);
    let long_junk = "z".repeat(10_000);
    let malformed = ["zzz", "HEAD", "HEAD~1", "main", "abc", "../../x", "%2e%2e%2fx", "deadbeef%00", "-n"];
    let mut targets: Vec<String> = Vec::new();
    for revision in malformed.iter().copied().chain([long_hex.as_str(), long_junk.as_str()]) {
        targets.push(format!("/guide?rev={revision}"));
        targets.push(format!("/-/diff/guide?from={revision}&to={v1}"));
        targets.push(format!("/-/diff/guide?from={v1}&to={revision}"));
        targets.push(format!("/-/api/diff/guide?from={revision}"));
        // A client resolves `..` in a path, so only revisions without `/` or `%` go into one.
        if !revision.contains(['%', '/']) {
            targets.push(format!("/-/commit/{revision}"));
        }
    }
    for target in &targets {
        let reply = wiki.get(target).await;
        let shown: String = target.chars().take(80).collect();
        assert_eq!(reply.status, 400, "GET {shown}: {}", text_of(&reply.text()).chars().take(300).collect::<String>());
        if target.starts_with("/-/api/") {
            reply.assert_json_error();
            assert!(reply.json()["detail"].as_str().unwrap().contains("revision"), "{}", reply.text());
        } else {
            assert!(text_of(&reply.text()).contains("revision"), "GET {shown}: no clear message");
            assert!(reply.body.len() < 100_000, "GET {shown}: the answer echoes the input");
        }
    }
    for revision in ["zzz", "../../x", long_hex.as_str()] {
        let reply = restore(&wiki, "guide", revision, ANN).await;
        assert_eq!(reply.status, 400, "restore {}: {}", &revision[..revision.len().min(20)], reply.text());
        reply.assert_json_error();
    }
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_revisions_and_revisions_before_the_page_existed_answer_404() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n");
    let before = fixture.commit(ANN, "Home");
    fixture.write("later.md", "# Later\n\nWritten later.\n");
    let created = fixture.commit(BOB, "Write later");
    let wiki = serve_indexed(fixture).await;
    let head = wiki.head();
    let blob = wiki.blob_at_head("later.md");
    let tree = wiki.git(&["rev-parse", "HEAD^{tree}"]);

    for revision in [UNKNOWN_COMMIT, "deadbeef", blob.as_str(), tree.as_str()] {
        for target in [
            format!("/later?rev={revision}"),
            format!("/-/diff/later?from={revision}&to={created}"),
            format!("/-/diff/later?from={created}&to={revision}"),
            format!("/-/api/diff/later?to={revision}"),
            format!("/-/commit/{revision}"),
        ] {
            let reply = wiki.get(&target).await;
            assert_eq!(reply.status, 404, "GET {target}: {}", text_of(&reply.text()));
            if target.starts_with("/-/api/") {
                reply.assert_json_error();
            }
        }
        let reply = restore(&wiki, "later", revision, ANN).await;
        assert_eq!(reply.status, 404, "restore {revision}: {}", reply.text());
        reply.assert_json_error();
    }

    // The commit exists, but the page did not yet.
    let reply = wiki.get(&format!("/later?rev={before}")).await;
    assert_eq!(reply.status, 404, "{}", text_of(&reply.text()));
    assert!(text_of(&reply.text()).contains("did not exist"), "{}", text_of(&reply.text()));
    let reply = wiki.get(&format!("/-/api/diff/later?from={before}&to={before}")).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();
    let reply = wiki.get(&format!("/-/diff/later?to={before}")).await;
    assert_eq!(reply.status, 404, "{}", text_of(&reply.text()));
    let reply = restore(&wiki, "later", &before, ANN).await;
    assert!((400..500).contains(&reply.status), "{}", reply.text());
    reply.assert_json_error();
    // From before the page existed to now: everything was added.
    let reply = wiki.get(&format!("/-/api/diff/later?from={before}&to={created}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["status"], "added");

    // A page that never existed has no history, no diff and no blame.
    for target in ["/-/history/never.md", "/-/api/history/never.md", "/-/diff/never", "/-/blame/never.md"] {
        let reply = wiki.get(target).await;
        assert_eq!(reply.status, 404, "GET {target}: {}", text_of(&reply.text()));
    }
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_files_are_described_not_diffed() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n");
    fixture.write("data.md", "# Data\n\nPlain text at first.\n");
    fixture.commit(ANN, "Start");
    fixture.write("media/logo.png", PNG_1X1);
    let png = fixture.commit(ANN, "Add the logo");
    fixture.write("data.md", b"# Data\n\n\x00\x01\x02 binary now\n".as_slice());
    let binary = fixture.commit(BOB, "Replace the data with bytes");
    let wiki = serve_indexed(fixture).await;

    for sha in owned(&[&png, &binary]) {
        let reply = wiki.get(&format!("/-/commit/{sha}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(text_of(&reply.text()).contains("Binary file"), "{}", text_of(&reply.text()));
    }
    let api = wiki.get("/-/api/diff/data.md").await;
    assert_eq!(api.status, 200, "{}", api.text());
    let json = api.json();
    assert!(json["note"].as_str().is_some_and(|it| it.contains("Binary")), "{json:#}");
    assert_eq!(json["hunks"], json!([]));
    let page = wiki.get("/-/diff/data.md").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(text_of(&page.text()).contains("Binary file"));
    for target in ["/-/api/history/data.md", "/-/history/data.md", "/-/blame/data.md", "/data", "/media/logo.png"] {
        let reply = wiki.get(target).await;
        assert!(reply.status < 500, "GET {target}: {}", reply.status);
    }
    for target in ["/-/api/diff/media/logo.png", "/-/diff/media/logo.png", "/-/history/media/logo.png"] {
        let reply = wiki.get(target).await;
        assert!(reply.status < 500, "GET {target}: {}", reply.status);
        if reply.status == 200 {
            assert!(text_of(&reply.text()).contains("Binary"), "GET {target}: {}", text_of(&reply.text()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enormous_diffs_are_cut_and_say_so() {
    let fixture = Fixture::new();
    let rows = |word: &str| (0..20_000).map(|i| format!("row {i} {word}\n")).collect::<String>();
    fixture.write("big.md", format!("# Big\n\n{}", rows("alpha")));
    fixture.write("huge.md", format!("# Huge\n\n{}", "x".repeat(100)).repeat(30_000));
    let v1 = fixture.commit(ANN, "Big pages");
    fixture.write("big.md", format!("# Big\n\n{}", rows("beta")));
    fixture.write("huge.md", format!("# Huge\n\n{}", "y".repeat(100)).repeat(30_000));
    let v2 = fixture.commit(BOB, "Change every line");
    let wiki = serve_indexed(fixture).await;

    let api = wiki.get(&format!("/-/api/diff/big.md?from={v1}&to={v2}")).await;
    assert_eq!(api.status, 200, "{}", api.text());
    let json = api.json();
    assert_eq!(json["truncated"], true);
    assert!(json["note"].as_str().is_some_and(|it| !it.is_empty()), "no note says the diff was cut: {}", json["note"]);
    let n_lines: usize = json["hunks"].as_array().unwrap().iter().map(|it| it["lines"].as_array().unwrap().len()).sum();
    assert!(n_lines > 0 && n_lines < 40_000, "{n_lines} lines shown");

    for target in [
        format!("/-/diff/big.md?from={v1}&to={v2}"),
        format!("/-/diff/big.md?from={v1}&to={v2}&view=split&context=all"),
        format!("/-/commit/{v2}"),
    ] {
        let reply = wiki.get(&target).await;
        assert_eq!(reply.status, 200, "GET {target}");
        assert!(text_of(&reply.text()).contains("only the first"), "GET {target}: the page does not say it was cut");
    }
    let history = history_json(&wiki, "big.md").await;
    assert_eq!(
        (commits(&history)[0]["added"].as_u64(), commits(&history)[0]["removed"].as_u64()),
        (Some(20_000), Some(20_000))
    );

    // A file over the diff size limit is not diffed at all.
    let huge = wiki.get(&format!("/-/api/diff/huge.md?from={v1}&to={v2}")).await;
    assert_eq!(huge.status, 200, "{}", huge.text());
    let json = huge.json();
    assert!(json["note"].as_str().is_some_and(|it| it.contains("too large")), "{json:#}");
    assert_eq!(json["hunks"], json!([]));
    let page = wiki.get("/-/diff/huge.md").await;
    assert_eq!(page.status, 200);
    assert!(text_of(&page.text()).contains("too large"));
    assert!(wiki.get("/-/blame/huge.md").await.status < 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_index_persists_across_restarts() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nOne.\n");
    let c1 = fixture.commit(ANN, "One");
    fixture.write("guide.md", "# Guide\n\nTwo.\n");
    let c2 = fixture.commit(BOB, "Two");
    let data = fixture.root().join("data");
    let index_file = data.join("index").join("changes.bin");

    let first = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&first.base_url, "guide.md").await, owned(&[&c2, &c1]));
    assert!(index_file.is_file(), "{} was not written", index_file.display());
    // A save through Lore reaches the index at once.
    let blob = fixture.git(&["rev-parse", "HEAD:guide.md"]);
    let saved = http_client()
        .put(format!("{}/-/api/pages/guide.md", first.base_url))
        .header("If-Match", format!("\"{blob}\""))
        .json(&json!({"markdown": "# Guide\n\nThree.\n", "message": "Three"}))
        .send()
        .await
        .expect("the save is answered");
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    let c3 = fixture.git(&["rev-parse", "HEAD"]);
    assert_eq!(history_at(&first.base_url, "guide.md").await, owned(&[&c3, &c2, &c1]));
    first.stop();

    let second = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&second.base_url, "guide.md").await, owned(&[&c3, &c2, &c1]));
    second.stop();

    // Nothing new: the third start reuses the saved index without writing it again.
    let written = std::fs::metadata(&index_file).unwrap().modified().unwrap();
    let third = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&third.base_url, "guide.md").await, owned(&[&c3, &c2, &c1]));
    let changes = get_url(&format!("{}/-/api/changes", third.base_url)).await;
    assert_eq!(changes.json()["changes"].as_array().map(Vec::len), Some(3), "{}", changes.text());
    assert_eq!(std::fs::metadata(&index_file).unwrap().modified().unwrap(), written, "the index was rebuilt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_index_is_rebuilt_when_corrupt_or_when_history_was_rewritten() {
    let fixture = Fixture::new();
    fixture.write("guide.md", "# Guide\n\nOne.\n");
    let c1 = fixture.commit(ANN, "One");
    fixture.write("guide.md", "# Guide\n\nTwo.\n");
    let c2 = fixture.commit(BOB, "Two");
    fixture.write("guide.md", "# Guide\n\nThree.\n");
    let c3 = fixture.commit(CAROL, "Three");
    let data = fixture.root().join("data");
    let index_file = data.join("index").join("changes.bin");

    let first = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&first.base_url, "guide.md").await, owned(&[&c3, &c2, &c1]));
    first.stop();

    // History rewritten outside Lore: c3 is gone, c3b replaces it.
    fixture.git(&["reset", "--quiet", "--hard", &c2]);
    fixture.write("guide.md", "# Guide\n\nThree, again.\n");
    let c3b = fixture.commit(BOB, "Three again");
    let second = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&second.base_url, "guide.md").await, owned(&[&c3b, &c2, &c1]));
    let changes = get_url(&format!("{}/-/api/changes", second.base_url)).await.json();
    let listed: Vec<&str> =
        changes["changes"].as_array().unwrap().iter().map(|it| it["commit"].as_str().unwrap()).collect();
    assert_eq!(listed, [c3b.as_str(), c2.as_str(), c1.as_str()], "a commit no longer on the branch is listed");
    second.stop();

    // A damaged index file is rebuilt from git.
    std::fs::write(&index_file, b"not an index at all").unwrap();
    let third = lore_serve(&fixture, &data).await;
    assert_eq!(history_at(&third.base_url, "guide.md").await, owned(&[&c3b, &c2, &c1]));
    assert_ne!(std::fs::read(&index_file).unwrap(), b"not an index at all", "the rebuilt index is saved");
}

/// A refresh after one ordinary commit hands that commit's diff, read once for the snapshot, to the change
/// index instead of walking it again (issue 3). Whatever moved the branch (a save through Lore, a commit, a
/// move git sees as a rename, a deletion, two commits at once, a merge), the index equals one built by a
/// walk of the whole history.
#[test]
fn refreshes_extend_the_change_index_as_a_walk_would() {
    let fixture = Fixture::with_files(&[("a.md", "# A\n"), ("b.md", RUNBOOK)]);
    let config = lore::config::Config {
        data: fixture.root().join("data"),
        repo: Some(fixture.work_tree().to_path_buf()),
        ..lore::config::Config::default()
    };
    let site = std::sync::Arc::new(lore::site::Site::open(config).expect("the site opens"));
    site.build_change_index().expect("the change index is built");
    let a = lore::content::RepoPath::parse("a.md").unwrap();
    let everything = lore::auth::Access::unrestricted();
    let edit = lore::site::PageEdit {
        path: a.clone(),
        markdown: "# A\n\nSaved through Lore.\n".into(),
        message: None,
        base_blob: site.reader(&everything).file("a.md"),
    };
    let bob = lore::store::Person { name: BOB.name.into(), email: BOB.email.into() };
    site.writer(&everything, bob).save_page(&edit).expect("the save");
    assert_index_matches_a_walk(&site, "a save");
    // Lore moved the branch under the work tree: bring the work tree along before committing there.

    let step = |what: &str, change: &dyn Fn()| {
        change();
        site.refresh().expect("the site refreshes");
        assert_index_matches_a_walk(&site, what);
    };
    fixture.git(&["reset", "--quiet", "--hard"]);
    step("an edit", &|| {
        fixture.write("a.md", "# A\n\nEdited with git.\n");
        fixture.commit(ANN, "Edit a");
    });
    step("a move", &|| {
        fixture.git(&["mv", "b.md", "c.md"]);
        fixture.write("c.md", format!("{RUNBOOK}Step 6: celebrate.\n"));
        fixture.commit(ANN, "Move b to c");
    });
    step("a deletion and a new page", &|| {
        fixture.git(&["rm", "--quiet", "a.md"]);
        fixture.write("d.md", "# D\n");
        fixture.commit(CAROL, "Replace a with d");
    });
    step("two commits", &|| {
        fixture.write("e.md", "# E\n");
        fixture.commit(ANN, "Add e");
        fixture.write("e.md", "# E\n\nMore.\n");
        fixture.commit(BOB, "Expand e");
    });
    step("a merge", &|| {
        fixture.git(&["checkout", "--quiet", "-b", "side"]);
        fixture.write("f.md", "# F\n");
        fixture.commit(CAROL, "Add f on a side branch");
        fixture.git(&["checkout", "--quiet", "main"]);
        fixture.write("d.md", "# D\n\nOn main.\n");
        fixture.commit(ANN, "Edit d");
        let (name, email) = (format!("user.name={}", ANN.name), format!("user.email={}", ANN.email));
        fixture.git(&["-c", &name, "-c", &email, "merge", "--quiet", "--no-edit", "side"]);
    });
}

#[track_caller]
fn assert_index_matches_a_walk(site: &std::sync::Arc<lore::site::Site>, after: &str) {
    use lore::history::{ChangeFilter, ChangeIndex};
    let head = site.head().expect("commits were made");
    let mut walked = ChangeIndex::default();
    let store = lore::store::Store::open(site.git_dir(), None).expect("the repository opens");
    walked.catch_up(&store, head, |_| {}).expect("the history walk");
    let reader = site.reader(&lore::auth::Access::unrestricted());
    let site = &reader;
    let everything = ChangeFilter::default();
    let listed = |changes: Vec<lore::history::RecentChange>| -> Vec<(String, Vec<String>)> {
        changes.into_iter().map(|it| (it.commit.id.to_string(), it.paths)).collect()
    };
    let recent = site.recent_changes(&everything, 0, usize::MAX).expect("recent changes");
    assert_eq!(listed(recent), listed(walked.recent(&everything, 0, usize::MAX)), "after {after}");
    for name in ["a.md", "b.md", "c.md", "d.md", "e.md", "f.md"] {
        let path = lore::content::RepoPath::parse(name).unwrap();
        let versions = |entries: Vec<lore::history::HistoryEntry>| -> Vec<String> {
            entries
                .iter()
                .map(|it| format!("{} {} {:?} {:?}", it.commit.id, it.path, it.blob, it.previous_blob))
                .collect()
        };
        let history = site.history(&path).expect("history");
        assert_eq!(versions(history), versions(walked.history(path.as_str())), "{name} after {after}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.

/// A page long enough for git's rename detection to recognise it after small edits.
const RUNBOOK: &str = "# Runbook\n\nStep 1: check the dashboard.\nStep 2: page the on-call engineer.\nStep 3: open an incident channel.\nStep 4: write the timeline.\nStep 5: hold the review.\n";

/// Thirty lines; the edited version changes a word on line 5 and adds one on line 25.
fn handbook(edited: Option<()>) -> String {
    let mut res = String::from("# Handbook\n");
    for n in 2..=30 {
        let line = match (n, edited) {
            (5, None) => "The quick brown fox jumps.".to_string(),
            (5, Some(())) => "The quick red fox jumps.".to_string(),
            (25, Some(())) => "Line 25 of the revised handbook.".to_string(),
            _ => format!("Line {n} of the handbook."),
        };
        res.push_str(&line);
        res.push('\n');
    }
    res
}

/// Serves the fixture and waits until the change index is built.
async fn serve_indexed(fixture: Fixture) -> TestWiki {
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;
    wiki
}

/// Runs the `lore` binary on the fixture's repository with `data` as its data folder (a real process, so a
/// later one starts exactly as after a restart), and waits for its change index.
async fn lore_serve(fixture: &Fixture, data: &Path) -> LoreProcess {
    let cwd = fixture.root().to_path_buf();
    let args =
        ["--repo".to_string(), fixture.work_tree().display().to_string(), "--data".into(), data.display().to_string()];
    let lore = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        LoreProcess::serve(&cwd, &args)
    })
    .await
    .expect("lore starts");
    wait_for_history_index_at(&lore.base_url).await;
    lore
}

/// The commits of a page's history, from the server at `base_url`.
async fn history_at(base_url: &str, path: &str) -> Vec<String> {
    let reply = get_url(&format!("{base_url}/-/api/history/{path}")).await;
    assert_eq!(reply.status, 200, "history of {path}: {}", reply.text());
    strings(&reply.json(), "commit")
}

/// `GET /-/api/history/<path>`, which must answer 200 with JSON.
async fn history_json(wiki: &TestWiki, path: &str) -> Value {
    let reply = wiki.get(&format!("/-/api/history/{path}")).await;
    assert_eq!(reply.status, 200, "history of {path}: {}", reply.text());
    reply.json()
}

fn commits(json: &Value) -> Vec<Value> {
    json["commits"].as_array().unwrap_or_else(|| panic!("no commits in {json}")).clone()
}

/// One string field of every commit in a history answer.
fn strings(json: &Value, key: &str) -> Vec<String> {
    commits(json).iter().map(|it| it[key].as_str().unwrap_or_else(|| panic!("no {key} in {it}")).to_string()).collect()
}

/// `GET /-/api/changes?<query>`, which must answer 200.
async fn changes_json(wiki: &TestWiki, query: &str) -> Vec<Value> {
    let reply = wiki.get(&format!("/-/api/changes?{query}")).await;
    assert_eq!(reply.status, 200, "changes?{query}: {}", reply.text());
    reply.json()["changes"].as_array().expect("changes").clone()
}

/// The rows of the history table, as HTML.
fn history_rows(html: &str) -> Vec<String> {
    let tbody = elements(html, "tbody").into_iter().next().expect("a history table");
    elements(&tbody.inner_html, "tr").into_iter().map(|it| it.inner_html).collect()
}

/// The items of the recent changes list, as HTML.
fn change_items(html: &str) -> Vec<String> {
    // Items nest a list of files, so split on the item's opening tag instead of matching `</li>`.
    let mut parts = html.split("<li class=\"change\">").skip(1).map(str::to_string).collect::<Vec<_>>();
    if let Some(last) = parts.last_mut()
        && let Some(end) = last.find("</ol>")
    {
        last.truncate(end);
    }
    parts
}

/// The `kind` and text of every line of a diff answer.
fn diff_lines(json: &Value) -> Vec<(String, String)> {
    json["hunks"]
        .as_array()
        .expect("hunks")
        .iter()
        .flat_map(|hunk| hunk["lines"].as_array().expect("lines").clone())
        .map(|line| (line["kind"].as_str().unwrap().to_string(), joined_segments(&line, false)))
        .collect()
}

/// A diff line's text, or only its changed words.
fn joined_segments(line: &Value, only_changed: bool) -> String {
    line["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .filter(|it| !only_changed || it["changed"] == true)
        .map(|it| it["text"].as_str().unwrap())
        .collect()
}

/// The words inside `<mark>` in `html`, trimmed.
fn marked_words(html: &str) -> Vec<String> {
    elements(html, "mark").iter().map(|it| it.text()).collect()
}

/// `(old_start, old_lines, new_start, new_lines)` of each `@@` line of a unified diff.
fn hunk_headers(diff: &str) -> Vec<(u64, u64, u64, u64)> {
    let range = |text: &str| -> (u64, u64) {
        let (start, len) = text.split_once(',').unwrap_or((text, "1"));
        (start.parse().unwrap(), len.parse().unwrap())
    };
    diff.lines()
        .filter_map(|it| it.strip_prefix("@@ -"))
        .map(|rest| {
            let mut parts = rest.split(' ');
            let old = range(parts.next().unwrap());
            let new = range(parts.next().unwrap().trim_start_matches('+'));
            (old.0, old.1, new.0, new.1)
        })
        .collect()
}

/// One line of the blame table.
#[derive(Debug)]
struct Blamed {
    number: usize,
    text: String,
    author: String,
    commit: String,
}

fn parse_blame(html: &str) -> Vec<Blamed> {
    let table = elements(html, "table")
        .into_iter()
        .find(|it| it.classes().iter().any(|class| class == "blame"))
        .expect("a blame table");
    let mut res = Vec::new();
    let (mut author, mut commit) = (String::new(), String::new());
    for row in elements(&table.inner_html, "tr") {
        let cells = elements(&row.inner_html, "td");
        if let Some(group) = cells.iter().find(|it| it.attr("class") == "blame-commit") {
            author = elements(&group.inner_html, "span")
                .into_iter()
                .find(|it| it.attr("class") == "blame-author")
                .map(|it| it.text())
                .unwrap_or_default();
            let href = links(&group.inner_html).first().map(|it| it.attr("href")).unwrap_or_default();
            commit = href.trim_start_matches("/-/commit/").to_string();
        }
        let number = cells.iter().find(|it| it.attr("class") == "diff-no").expect("a line number").text();
        let text = cells.iter().find(|it| it.attr("class") == "blame-text").expect("the line's text");
        res.push(Blamed {
            number: number.parse().expect("a number"),
            text: unescape(&text.inner_html),
            author: author.clone(),
            commit: commit.clone(),
        });
    }
    res
}

/// `GET /-/blame/<path>`, parsed.
async fn blame_lines(wiki: &TestWiki, path: &str) -> Vec<Blamed> {
    let reply = wiki.get(&format!("/-/blame/{path}")).await;
    assert_eq!(reply.status, 200, "blame of {path}: {}", reply.text());
    parse_blame(&reply.text())
}

/// The author and commit blame gives a line.
#[track_caller]
fn blame_of(blame: &[Blamed], line: &str) -> (String, String) {
    let found = blame.iter().find(|it| it.text == line).unwrap_or_else(|| panic!("no line {line:?} in {blame:#?}"));
    (found.author.clone(), found.commit.clone())
}

/// `POST /-/api/pages/<from>/move` as `author`, which must answer 200.
async fn move_page(wiki: &TestWiki, from: &str, to: &str, author: Author) -> Reply {
    let body = json!({"to": to, "author": {"name": author.name, "email": author.email}}).to_string();
    let reply =
        wiki.send("POST", &format!("/-/api/pages/{from}/move"), &[("Content-Type", "application/json")], body).await;
    assert_eq!(reply.status, 200, "move {from} to {to}: {}", reply.text());
    reply
}

/// `POST /-/api/pages/<path>/restore` with `{commit}` as `author`.
async fn restore(wiki: &TestWiki, path: &str, commit: &str, author: Author) -> Reply {
    let body = json!({"commit": commit, "author": {"name": author.name, "email": author.email}}).to_string();
    wiki.send("POST", &format!("/-/api/pages/{path}/restore"), &[("Content-Type", "application/json")], body).await
}

/// An Atom feed, read with an XML parser, with every element Atom 1.0 requires checked present.
struct Feed {
    id: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

struct FeedEntry {
    id: String,
    title: String,
    updated: String,
    link: String,
    author: String,
}

impl Feed {
    fn entry_ids(&self) -> Vec<String> {
        self.entries.iter().map(|it| it.id.clone()).collect()
    }
}

/// Owned copies, to compare with what a test read.
fn owned(commits: &[&String]) -> Vec<String> {
    commits.iter().map(|it| it.to_string()).collect()
}

fn ids(commits: &[&String]) -> Vec<String> {
    commits.iter().map(|it| format!("urn:git:commit:{it}")).collect()
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// `GET target` as an Atom feed; panics unless it is well-formed XML holding a valid Atom 1.0 feed.
async fn feed(wiki: &TestWiki, target: &str) -> Feed {
    let reply = wiki.get(target).await;
    assert_eq!(reply.status, 200, "GET {target}: {}", reply.text());
    assert!(reply.content_type().starts_with("application/atom+xml"), "GET {target}: {}", reply.content_type());
    let xml = reply.text();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|err| panic!("GET {target}: not XML ({err}):\n{xml}"));
    let root = doc.root_element();
    assert_eq!((root.tag_name().namespace(), root.tag_name().name()), (Some(ATOM), "feed"), "GET {target}");
    let child = |node: roxmltree::Node<'_, '_>, name: &str| -> Option<String> {
        node.children()
            .find(|it| it.is_element() && it.tag_name().name() == name && it.tag_name().namespace() == Some(ATOM))
            .map(|it| it.text().unwrap_or_default().to_string())
    };
    let required = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        let value = child(node, name).unwrap_or_else(|| panic!("GET {target}: <{name}> missing:\n{xml}"));
        assert!(!value.trim().is_empty(), "GET {target}: <{name}> is empty");
        value
    };
    let is_date = |value: &str| chrono::DateTime::parse_from_rfc3339(value).is_ok();
    let id = required(root, "id");
    required(root, "title");
    let updated = required(root, "updated");
    assert!(is_date(&updated), "GET {target}: feed updated {updated:?} is not RFC 3339");
    let feed_has_author = root.children().any(|it| it.tag_name().name() == "author" && child(it, "name").is_some());
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in root.children().filter(|it| it.tag_name().name() == "entry") {
        let entry_id = required(entry, "id");
        assert!(seen.insert(entry_id.clone()), "GET {target}: duplicate entry id {entry_id}");
        let entry_updated = required(entry, "updated");
        assert!(is_date(&entry_updated), "GET {target}: entry updated {entry_updated:?} is not RFC 3339");
        let link = entry
            .children()
            .find(|it| it.tag_name().name() == "link" && it.attribute("rel").unwrap_or("alternate") == "alternate")
            .and_then(|it| it.attribute("href"))
            .unwrap_or_else(|| panic!("GET {target}: an entry has no alternate link"))
            .to_string();
        let author = entry.children().find(|it| it.tag_name().name() == "author").and_then(|it| child(it, "name"));
        assert!(author.is_some() || feed_has_author, "GET {target}: an entry has no author");
        entries.push(FeedEntry {
            id: entry_id,
            title: child(entry, "title").unwrap_or_else(|| panic!("GET {target}: an entry has no title")),
            updated: entry_updated,
            link,
            author: author.unwrap_or_default(),
        });
    }
    Feed { id, updated, entries }
}

/// `<link ...>` elements, which have no closing tag (the common `elements` helper expects one).
fn parse_void_links(html: &str) -> Vec<Element> {
    html.match_indices("<link ")
        .filter_map(|(at, _)| {
            let end = html[at..].find('>')? + at;
            let fake = format!("{}></link>", &html[at..end].trim_end_matches('/'));
            elements(&fake, "link").into_iter().next()
        })
        .collect()
}
