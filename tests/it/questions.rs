//! Expert answers: asking, browsing, answering, accepting and promoting questions through the browser
//! forms and the JSON API, their Atom feeds, questions written with git, and the bad input that must leave
//! the repository exactly as it was.
//!
//! A [`Browser`] plays a browser without JavaScript (cookies, `Origin`, form fields). What landed is read
//! back with the `git` command line, not from Lore's answers.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::browser::{Browser, Form};
use crate::common::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const CHEN: Author = Author { name: "Chen Wu", email: "chen@example.com" };

const HOME: (&str, &str) = ("index.md", "# Home\n\nWelcome to the wiki.\n");

// ---------------------------------------------------------------------------------------------------------
// Asking

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_with_the_form_commits_one_question_file_and_opens_it() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let count = wiki.commit_count();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let mut form = browser.form("/-/ask", "/-/ask").await;
    form.set("title", "How do I get VPN access?");
    form.set("body", "I started on Monday and need the staging dashboards from home.");
    form.set("tags", "it, VPN");
    form.set("author_name", ANN.name);
    form.set("author_email", ANN.email);
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/questions/how-do-i-get-vpn-access"));

    let path = "questions/how-do-i-get-vpn-access.md";
    let (fields, body) = front_matter(&wiki.file_at_head(path));
    assert_eq!(field(&fields, "title").as_deref(), Some("How do I get VPN access?"));
    assert_eq!(list(&fields, "tags"), ["it", "vpn"], "tags are split on commas and lowercased");
    assert_eq!(field(&fields, "asked_by").as_deref(), Some("Ann Author <ann@example.com>"));
    assert_is_recent(&field(&fields, "asked_at").expect("asked_at"));
    assert_eq!(field(&fields, "status").as_deref(), Some("open"));
    assert_eq!(field(&fields, "accepted"), None);
    assert_eq!(body.trim(), "I started on Monday and need the staging dashboards from home.");

    assert_eq!(wiki.commit_count(), count + 1, "one question, one commit");
    assert_eq!(last_commit(&wiki), "Ann Author <ann@example.com>|Ask: How do I get VPN access?");
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("A\t{path}")]);
    wiki.git(&["fsck", "--no-progress"]);

    let page = browser.get("/questions/how-do-i-get-vpn-access").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_safe_html_page(&page, "the question page");
    assert_eq!(h1_text(&page.text()), "How do I get VPN access?");
    let meta = text_of(&page.text());
    assert!(meta.contains("Open Asked by Ann Author, just now"), "{meta}");
    assert!(meta.contains("I started on Monday"), "{meta}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_titled_like_a_windows_device_gets_a_portable_slug() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    for (title, slug) in [("Con?", "con-2"), ("AUX", "aux-2"), ("Com1", "com1-2")] {
        let question = json!({"title": title, "body": "Which one?", "author": person(BOB)});
        let reply = post_json(&wiki, "/-/api/questions", &question).await;
        assert_eq!(reply.status, 201, "{title}: {}", reply.text());
        assert_eq!(reply.json()["slug"], slug, "{title}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_through_the_api_answers_201_with_slug_path_and_url() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let count = wiki.commit_count();
    let reply = post_json(
        &wiki,
        "/-/api/questions",
        &json!({
            "title": "Where is the printer on floor 2?",
            "body": "I need to print **badges**.",
            "tags": ["facilities", "printing"],
            "author": person(BOB),
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert!(reply.content_type().starts_with("application/json"), "{}", reply.content_type());
    let created = reply.json();
    assert_eq!(created["slug"], "where-is-the-printer-on-floor-2");
    assert_eq!(created["path"], "questions/where-is-the-printer-on-floor-2.md");
    assert_eq!(created["url"], "/questions/where-is-the-printer-on-floor-2");

    let (fields, body) = front_matter(&wiki.file_at_head("questions/where-is-the-printer-on-floor-2.md"));
    assert_eq!(field(&fields, "title").as_deref(), Some("Where is the printer on floor 2?"));
    assert_eq!(list(&fields, "tags"), ["facilities", "printing"]);
    assert_eq!(field(&fields, "asked_by").as_deref(), Some("Bob Builder <bob@example.com>"));
    assert_is_recent(&field(&fields, "asked_at").expect("asked_at"));
    assert_eq!(field(&fields, "status").as_deref(), Some("open"));
    assert_eq!(body.trim(), "I need to print **badges**.");
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(last_commit(&wiki), "Bob Builder <bob@example.com>|Ask: Where is the printer on floor 2?");
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), ["A\tquestions/where-is-the-printer-on-floor-2.md"]);
    wiki.git(&["fsck", "--no-progress"]);

    let page = wiki.get("/questions/where-is-the-printer-on-floor-2").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("<strong>badges</strong>"), "the body is rendered as Markdown: {}", page.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_slug_gets_a_numeric_suffix() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let title = "How do I get VPN access?";
    assert_eq!(ask(&wiki, title, "First asker.", &["it"], ANN).await, "how-do-i-get-vpn-access");
    assert_eq!(ask(&wiki, title, "Second asker.", &["it"], BOB).await, "how-do-i-get-vpn-access-2");

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let mut form = browser.form("/-/ask", "/-/ask").await;
    form.set("title", title);
    form.set("body", "Third asker.");
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/questions/how-do-i-get-vpn-access-3"));

    for (slug, body) in [
        ("how-do-i-get-vpn-access", "First asker."),
        ("how-do-i-get-vpn-access-2", "Second asker."),
        ("how-do-i-get-vpn-access-3", "Third asker."),
    ] {
        let (fields, text) = front_matter(&wiki.file_at_head(&format!("questions/{slug}.md")));
        assert_eq!(field(&fields, "title").as_deref(), Some(title), "{slug}");
        assert_eq!(text.trim(), body, "{slug}: an earlier question is never overwritten");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ask_form_is_prefilled_from_the_title_in_the_address() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let typed = "Where is the Zeppelin hangar? & why";
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let reply = browser.get(&format!("/-/ask?title={}", query_value(typed))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/ask");
    let form = Form::with_action(&reply.text(), "/-/ask");
    assert_eq!(form.method, "post");
    assert_eq!(form.value("title"), typed);
    assert_eq!(form.value("body"), "");
    assert_eq!(
        form.value("csrf_token"),
        browser.cookie("lore_csrf").unwrap_or_default(),
        "the form echoes the CSRF cookie"
    );
    // The similar questions appear while typing, from a script that asks `/-/api/search`.
    assert!(reply.text().contains("id=\"similar\""), "no box for similar questions");
    assert!(reply.text().contains("/-/static/questions.js"), "no script for similar questions");

    let blank = browser.get("/-/ask").await;
    assert_eq!(Form::with_action(&blank.text(), "/-/ask").value("title"), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_an_existing_question_like_the_one_being_typed() {
    let wiki = TestWiki::with_files(&[HOME, ("it/laptops.md", "# Laptops\n\nHow to order one.\n")]).await;
    wiki.wait_for_search_index().await;
    let slug =
        ask(&wiki, "How do I reset my badge PIN?", "The door reader says my PIN expired.", &["security"], ANN).await;
    let path = format!("questions/{slug}.md");

    // What the ask form's script asks while someone types a similar title.
    let params = format!("limit=5&q={}", query_value("reset badge pin"));
    let started = Instant::now();
    let json = loop {
        let json = wiki.search_with(&params).await;
        if hit_paths(&json).contains(&path) || started.elapsed() > PATIENCE {
            break json;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let hit = json["hits"].as_array().and_then(|it| it.iter().find(|hit| hit["path"] == path.as_str()));
    let hit = hit.unwrap_or_else(|| panic!("the similar question is not found within {PATIENCE:?}: {json:#}"));
    assert_eq!(hit["kind"], "question");
    assert_eq!(hit["title"], "How do I reset my badge PIN?");
    assert_eq!(hit["url"], format!("/questions/{slug}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_page_duplicate_hints_rank_by_similarity_not_every_word() {
    let mut files = vec![HOME];
    let weeks: Vec<(String, String)> = (1..=6)
        .map(|i| (format!("onboarding/week-{i}.md"), format!("# Onboarding week {i}\n\nAsk your onboarding buddy.\n")))
        .collect();
    files.extend(weeks.iter().map(|(path, text)| (path.as_str(), text.as_str())));
    let faq = "# Onboarding FAQ\n\nHow do I ask a question about onboarding? Ask your buddy.\n";
    files.push(("onboarding/faq.md", faq));
    let wiki = TestWiki::with_files(&files).await;
    wiki.wait_for_search_index().await;
    let slug = ask(&wiki, "How do I ask a question?", "Where does it go?", &[], ANN).await;
    let path = format!("questions/{slug}.md");

    // What the ask form's script asks while someone types a longer version of the same question.
    let url = format!("/-/api/similar?limit=5&q={}", query_value("How do I ask a question about onboarding?"));
    let reply = wiki.get_until(&url, |it| it.status == 200 && hit_paths(&it.json()).contains(&path)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    assert_eq!(hit_paths(&json).first(), Some(&path), "the duplicate comes first: {json:#}");
    assert!(hit_paths(&json).len() <= 5, "{json:#}");
    assert!(wiki.get("/-/ask").await.text().contains("/-/static/questions.js"));
    let script = wiki.get("/-/static/questions.js").await.text();
    assert!(script.contains("/-/api/similar?"), "the ask form asks for similar pages: {script}");
}

// ---------------------------------------------------------------------------------------------------------
// Browsing

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_questions_list_filters_by_status_tag_and_asker_with_counts() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/vpn-access.md", &question_text("How do I get VPN access?", &["it", "vpn"], ANN, None)),
        (
            "questions/printer-jam.md",
            &question_text("Why does the printer jam?", &["it", "printing"], BOB, Some(answer_id)),
        ),
        (
            &format!("questions/printer-jam/{answer_id}.md"),
            &answer_text(CHEN, "2025-01-02T10:00:00Z", "Pull the lever."),
        ),
        ("questions/parking.md", &question_text("Where can I park?", &["facilities"], BOB, None)),
    ])
    .await;

    // Asking with the form remembers the asker, which is who "asked by me" means.
    let mut ann = Browser::new(&wiki, CSRF_PAGE);
    let mut form = ann.form("/-/ask", "/-/ask").await;
    form.set("title", "How do I book a meeting room?");
    form.set("body", "For ten people, on Thursday.");
    form.set("tags", "Facilities");
    form.set("author_name", ANN.name);
    form.set("author_email", ANN.email);
    let reply = ann.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(!ann.cookie("lore_author").unwrap_or_default().is_empty(), "asking remembers the author in a cookie");

    let vpn = "/questions/vpn-access";
    let printer = "/questions/printer-jam";
    let parking = "/questions/parking";
    let room = "/questions/how-do-i-book-a-meeting-room";
    let check = async |browser: &mut Browser<'_>, query: &str, counts: [usize; 4], expected: &[&str]| {
        let url = format!("/-/questions{query}");
        let reply = browser.get(&url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        let html = reply.text();
        assert_eq!(
            filter_counts(&html),
            [("All", counts[0]), ("Unanswered", counts[1]), ("Answered", counts[2]), ("Asked by me", counts[3])]
                .map(|(label, n)| (label.to_string(), n)),
            "{url}: counts per filter"
        );
        let mut listed: Vec<String> = question_rows(&html).into_iter().map(|it| it.url).collect();
        listed.sort();
        let mut expected: Vec<String> = expected.iter().map(|it| it.to_string()).collect();
        expected.sort();
        assert_eq!(listed, expected, "{url}: listed questions");
    };
    check(&mut ann, "", [4, 3, 1, 2], &[vpn, printer, parking, room]).await;
    check(&mut ann, "?filter=all", [4, 3, 1, 2], &[vpn, printer, parking, room]).await;
    check(&mut ann, "?filter=unanswered", [4, 3, 1, 2], &[vpn, parking, room]).await;
    check(&mut ann, "?filter=answered", [4, 3, 1, 2], &[printer]).await;
    check(&mut ann, "?filter=mine", [4, 3, 1, 2], &[vpn, room]).await;
    check(&mut ann, "?tag=facilities", [2, 2, 0, 1], &[parking, room]).await;
    check(&mut ann, "?filter=unanswered&tag=facilities", [2, 2, 0, 1], &[parking, room]).await;
    check(&mut ann, "?filter=mine&tag=facilities", [2, 2, 0, 1], &[room]).await;
    check(&mut ann, "?filter=answered&tag=it", [2, 1, 1, 1], &[printer]).await;
    check(&mut ann, "?tag=IT", [2, 1, 1, 1], &[vpn, printer]).await;

    // Someone the wiki does not know has asked nothing.
    let mut stranger = Browser::new(&wiki, CSRF_PAGE);
    check(&mut stranger, "?filter=mine", [4, 3, 1, 0], &[]).await;

    // The filter links keep the tag, and the rows say their status.
    let html = ann.get("/-/questions?tag=facilities").await.text();
    let unanswered = link_with_text(&html, "Unanswered 2");
    assert_eq!(unanswered.attr("href"), "/-/questions?filter=unanswered&tag=facilities");
    let html = ann.get("/-/questions").await.text();
    let statuses: BTreeMap<String, String> = question_rows(&html).into_iter().map(|it| (it.url, it.status)).collect();
    assert_eq!(statuses[printer], "Answered");
    assert_eq!(statuses[vpn], "Open");
    let tags = tag_counts(&html);
    assert_eq!(tags, [("facilities", 2), ("it", 2), ("printing", 1), ("vpn", 1)].map(|(tag, n)| (tag.to_string(), n)));

    // The API filters the same way.
    let api = async |query: &str| -> Vec<String> {
        let reply = wiki.get(&format!("/-/api/questions{query}")).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        let json = reply.json();
        let mut slugs: Vec<String> = json["questions"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: no questions array in {json}"))
            .iter()
            .map(|it| it["slug"].as_str().unwrap_or_default().to_string())
            .collect();
        slugs.sort();
        slugs
    };
    assert_eq!(api("").await, ["how-do-i-book-a-meeting-room", "parking", "printer-jam", "vpn-access"]);
    assert_eq!(api("?status=open").await, ["how-do-i-book-a-meeting-room", "parking", "vpn-access"]);
    assert_eq!(api("?status=answered").await, ["printer-jam"]);
    assert_eq!(api("?tag=it").await, ["printer-jam", "vpn-access"]);
    assert_eq!(api("?status=open&tag=it").await, ["vpn-access"]);
    let all = wiki.get("/-/api/questions?tag=printing").await.json();
    let printer_json = &all["questions"][0];
    assert_eq!(printer_json["status"], "answered", "{all}");
    assert_eq!(printer_json["n_answers"], 1, "{all}");
    assert_eq!(printer_json["title"], "Why does the printer jam?", "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_sorted_by_latest_activity() {
    let fixture = Fixture::new();
    fixture.write(HOME.0, HOME.1);
    fixture.commit_dated(ANN, "Add the home page", "10 days ago");
    for (slug, title, date) in [
        ("oldest", "The oldest question", "3 days ago"),
        ("middle", "A middle question", "2 days ago"),
        ("newest", "The newest question", "1 day ago"),
    ] {
        fixture.write(&format!("questions/{slug}.md"), question_text(title, &[], ANN, None));
        fixture.commit_dated(ANN, &format!("Ask: {title}"), date);
    }
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;
    let order = async || -> Vec<String> {
        let html = wiki.get("/-/questions").await.text();
        question_rows(&html).into_iter().map(|it| it.url).collect()
    };
    assert_eq!(order().await, ["/questions/newest", "/questions/middle", "/questions/oldest"]);
    let html = wiki.get("/-/questions").await.text();
    let rows = question_rows(&html);
    assert!(rows[1].text.contains("active 2 days ago"), "{}", rows[1].text);

    // An answer is activity: the oldest question comes first.
    answer(&wiki, "oldest", "Here is how.", BOB).await;
    let reply = wiki
        .get_until("/-/questions", |it| {
            question_rows(&it.text()).first().is_some_and(|row| row.url == "/questions/oldest")
        })
        .await;
    let rows = question_rows(&reply.text());
    let urls: Vec<&str> = rows.iter().map(|it| it.url.as_str()).collect();
    assert_eq!(urls, ["/questions/oldest", "/questions/newest", "/questions/middle"]);
    assert!(rows[0].text.contains("1 answer ") && rows[0].text.contains("active just now"), "{}", rows[0].text);
    let api = wiki.get("/-/api/questions").await.json();
    let slugs: Vec<&str> =
        api["questions"].as_array().expect("questions").iter().filter_map(|it| it["slug"].as_str()).collect();
    assert_eq!(slugs, ["oldest", "newest", "middle"], "the API lists by latest activity too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_shows_the_number_of_open_questions() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/vpn-access.md", &question_text("How do I get VPN access?", &[], ANN, None)),
        ("questions/parking.md", &question_text("Where can I park?", &[], BOB, None)),
        ("questions/printer-jam.md", &question_text("Why does the printer jam?", &[], BOB, Some(answer_id))),
        (
            &format!("questions/printer-jam/{answer_id}.md"),
            &answer_text(CHEN, "2025-01-02T10:00:00Z", "Pull the lever."),
        ),
    ])
    .await;
    for url in ["/", "/-/questions", "/questions/parking", "/-/ask"] {
        assert_eq!(open_badge(&wiki.get(url).await.text()), Some(2), "{url}");
    }
    let slug = ask(&wiki, "Who waters the plants?", "They look dry.", &[], ANN).await;
    assert_eq!(open_badge(&wiki.get("/").await.text()), Some(3), "a new question is open");
    let id = answer(&wiki, &slug, "Facilities, on Mondays.", BOB).await;
    accept(&wiki, &slug, &id).await;
    assert_eq!(open_badge(&wiki.get("/").await.text()), Some(2), "an accepted answer closes the question");

    let quiet = TestWiki::with_files(&[
        HOME,
        ("questions/printer-jam.md", &question_text("Why does the printer jam?", &[], BOB, Some(answer_id))),
        (
            &format!("questions/printer-jam/{answer_id}.md"),
            &answer_text(CHEN, "2025-01-02T10:00:00Z", "Pull the lever."),
        ),
    ])
    .await;
    assert_eq!(open_badge(&quiet.get("/").await.text()), None, "no badge when nothing waits");
}

// ---------------------------------------------------------------------------------------------------------
// Answering

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answering_with_the_form_commits_one_answer_file() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home.", &["it"], ANN).await;
    let count = wiki.commit_count();
    let mut bob = Browser::new(&wiki, CSRF_PAGE);
    let action = format!("/-/questions/{slug}/answer");
    let mut form = bob.form(&format!("/questions/{slug}"), &action).await;
    assert_eq!(form.method, "post");
    form.set("body", "Request the *VPN* package in the IT portal.");
    form.set("author_name", BOB.name);
    form.set("author_email", BOB.email);
    let reply = bob.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let location = reply.header("location").unwrap_or_default();
    let id = location
        .strip_prefix(&format!("/questions/{slug}#answer-"))
        .unwrap_or_else(|| panic!("the answer form leads back to the answer: {location}"))
        .to_string();
    assert_answer_id(&id);

    let path = format!("questions/{slug}/{id}.md");
    let (fields, body) = front_matter(&wiki.file_at_head(&path));
    assert_eq!(field(&fields, "author").as_deref(), Some("Bob Builder <bob@example.com>"));
    let answered_at = field(&fields, "answered_at").expect("answered_at");
    assert_is_recent(&answered_at);
    assert_id_matches_time(&id, &answered_at);
    assert_eq!(body.trim(), "Request the *VPN* package in the IT portal.");
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(last_commit(&wiki), "Bob Builder <bob@example.com>|Answer: How do I get VPN access?");
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("A\t{path}")]);
    wiki.git(&["fsck", "--no-progress"]);

    let page = bob.get(&format!("/questions/{slug}")).await;
    let answers = answers_on_page(&page.text());
    assert_eq!(answers.len(), 1, "{}", page.text());
    assert_eq!(answers[0].id, id);
    assert!(answers[0].html.contains("<em>VPN</em>"), "{}", answers[0].html);
    assert!(answers[0].footer.contains("Bob Builder, just now"), "{}", answers[0].footer);

    // The answer's own address leads to it on the question's page.
    let direct = wiki.get(&format!("/questions/{slug}/{id}")).await;
    assert!(matches!(direct.status, 301..=308), "{}: {}", direct.status, direct.text());
    assert_eq!(direct.header("location"), Some(format!("/questions/{slug}#answer-{id}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answering_through_the_api_returns_the_id_and_path_and_ids_sort_by_time() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home.", &["it"], ANN).await;
    let count = wiki.commit_count();
    let reply = post_json(
        &wiki,
        &format!("/-/api/questions/{slug}/answers"),
        &json!({"body": "First.", "author": person(BOB)}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let first = reply.json();
    let first_id = first["id"].as_str().expect("an id").to_string();
    assert_answer_id(&first_id);
    assert_eq!(first["path"], format!("questions/{slug}/{first_id}.md"));
    let (fields, body) = front_matter(&wiki.file_at_head(&format!("questions/{slug}/{first_id}.md")));
    assert_eq!(field(&fields, "author").as_deref(), Some("Bob Builder <bob@example.com>"));
    assert_id_matches_time(&first_id, &field(&fields, "answered_at").expect("answered_at"));
    assert_eq!(body.trim(), "First.");
    assert_eq!(last_commit(&wiki), "Bob Builder <bob@example.com>|Answer: How do I get VPN access?");

    // Ids carry the time to the second: a later answer sorts after.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second_id = answer(&wiki, &slug, "Second.", CHEN).await;
    assert!(first_id < second_id, "{first_id} then {second_id}");
    assert_eq!(wiki.commit_count(), count + 2);
    let listed = wiki.git(&["ls-tree", "--name-only", &format!("{}:questions/{slug}", wiki.branch_ref)]);
    assert_eq!(listed.lines().collect::<Vec<_>>(), [format!("{first_id}.md"), format!("{second_id}.md")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_answers_posted_at_the_same_instant_are_all_kept_in_three_commits() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home.", &["it"], ANN).await;
    let count = wiki.commit_count();
    let url = format!("/-/api/questions/{slug}/answers");
    let post = async |body: &str, author: Author| {
        post_json(&wiki, &url, &json!({"body": body, "author": person(author)})).await
    };
    let (a, b, c) =
        tokio::join!(post("Answer from Ann.", ANN), post("Answer from Bob.", BOB), post("Answer from Chen.", CHEN));
    let mut ids = Vec::new();
    for reply in [&a, &b, &c] {
        assert_eq!(reply.status, 201, "{}", reply.text());
        ids.push(reply.json()["id"].as_str().expect("an id").to_string());
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "three different ids: {ids:?}");

    assert_eq!(wiki.commit_count(), count + 3, "three answers, three commits");
    let commits = wiki.git(&["rev-list", "-3", &wiki.branch_ref]);
    let mut touched: Vec<String> = Vec::new();
    for commit in commits.lines() {
        let files = changed_files(&wiki, commit);
        assert_eq!(files.len(), 1, "each commit adds one answer: {files:?}");
        assert_eq!(wiki.git(&["log", "-1", "--format=%s", commit]), "Answer: How do I get VPN access?");
        touched.extend(files);
    }
    touched.sort();
    let mut expected: Vec<String> = ids.iter().map(|id| format!("A\tquestions/{slug}/{id}.md")).collect();
    expected.sort();
    assert_eq!(touched, expected);
    for (id, body) in ids.iter().zip(["Answer from Ann.", "Answer from Bob.", "Answer from Chen."]) {
        let (_, text) = front_matter(&wiki.file_at_head(&format!("questions/{slug}/{id}.md")));
        assert_eq!(text.trim(), body, "{id}");
    }
    wiki.git(&["fsck", "--no-progress"]);
    let page = wiki.get(&format!("/questions/{slug}")).await;
    assert_eq!(answers_on_page(&page.text()).len(), 3, "{}", page.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_question_page_lists_answers_accepted_first_then_oldest_first() {
    let (first, second, third) = ("20250101T090000Z-aaaa", "20250102T090000Z-bbbb", "20250103T090000Z-cccc");
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/vpn.md", &question_text("How do I get VPN access?", &["it"], ANN, Some(second))),
        (&format!("questions/vpn/{third}.md"), &answer_text(CHEN, "2025-01-03T09:00:00Z", "Third: ask Chen.")),
        (&format!("questions/vpn/{first}.md"), &answer_text(BOB, "2025-01-01T09:00:00Z", "First: the portal.")),
        (&format!("questions/vpn/{second}.md"), &answer_text(ANN, "2025-01-02T09:00:00Z", "Second: the IT desk.")),
        ("questions/open.md", &question_text("Who orders the coffee?", &[], BOB, None)),
        (&format!("questions/open/{third}.md"), &answer_text(CHEN, "2025-01-03T09:00:00Z", "Chen does.")),
        (&format!("questions/open/{first}.md"), &answer_text(BOB, "2025-01-01T09:00:00Z", "Bob does.")),
    ])
    .await;
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let page = browser.get("/questions/vpn").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(text_of(&html).contains("3 answers"), "{}", text_of(&html));
    let answers = answers_on_page(&html);
    let ids: Vec<&str> = answers.iter().map(|it| it.id.as_str()).collect();
    assert_eq!(ids, [second, first, third], "accepted first, then oldest first");
    assert!(answers[0].accepted && answers[0].marked, "the accepted answer is marked: {:?}", answers[0]);
    assert!(answers[1..].iter().all(|it| !it.accepted && !it.marked), "{answers:?}");
    for (answer, author) in answers.iter().zip([ANN, BOB, CHEN]) {
        assert!(answer.footer.starts_with(&format!("{}, ", author.name)), "author and date: {:?}", answer.footer);
        assert!(answer.footer.contains(" ago"), "a date: {:?}", answer.footer);
    }
    assert!(answers[0].html.contains("Second: the IT desk."), "{}", answers[0].html);

    // The answer form, with the browser's CSRF token.
    let form = Form::with_action(&html, "/-/questions/vpn/answer");
    assert_eq!(form.method, "post");
    assert_eq!(form.value("csrf_token"), browser.cookie("lore_csrf").unwrap_or_default());
    for name in ["body", "author_name", "author_email"] {
        assert!(form.fields.iter().any(|(it, _)| it == name), "no {name} field: {:?}", form.fields);
    }

    let html = wiki.get("/questions/open").await.text();
    let ids: Vec<String> = answers_on_page(&html).into_iter().map(|it| it.id).collect();
    assert_eq!(ids, [first, third], "oldest first when none is accepted");
}

// ---------------------------------------------------------------------------------------------------------
// Accepting

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_and_re_accepting_switch_the_accepted_answer() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home, please.", &["it", "vpn"], ANN).await;
    let first = answer(&wiki, &slug, "The IT portal.", BOB).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = answer(&wiki, &slug, "The service desk.", CHEN).await;
    let question_path = format!("questions/{slug}.md");
    let asked = front_matter(&wiki.file_at_head(&question_path));

    let count = wiki.commit_count();
    let reply =
        post_json(&wiki, &format!("/-/api/questions/{slug}/accept"), &json!({"answer": first, "author": person(ANN)}))
            .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let (fields, body) = front_matter(&wiki.file_at_head(&question_path));
    assert_eq!(field(&fields, "status").as_deref(), Some("answered"));
    assert_eq!(field(&fields, "accepted").as_deref(), Some(first.as_str()));
    for key in ["title", "asked_by", "asked_at"] {
        assert_eq!(field(&fields, key), field(&asked.0, key), "{key} is kept");
    }
    assert_eq!(list(&fields, "tags"), ["it", "vpn"]);
    assert_eq!(body, asked.1, "the question's body is kept");
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(last_commit(&wiki), "Ann Author <ann@example.com>|Accept an answer to: How do I get VPN access?");
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("M\t{question_path}")]);

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let html = browser.get(&format!("/questions/{slug}")).await.text();
    assert!(text_of(&html).contains("Answered Asked by Ann Author"), "{}", text_of(&html));
    let answers = answers_on_page(&html);
    assert_eq!(answers.iter().map(|it| it.id.clone()).collect::<Vec<_>>(), [first.clone(), second.clone()]);
    assert!(answers[0].accepted && answers[0].marked, "{answers:?}");
    assert!(!answers[1].accepted && !answers[1].marked, "{answers:?}");

    // Accepting another answer with the form on the page switches the mark.
    let accept_form = Form::find_where(&html, &format!("accept {second}"), |form| {
        form.attr("action") == format!("/-/questions/{slug}/accept") && form.inner_html.contains(&second)
    });
    assert_eq!(accept_form.value("answer"), second);
    let reply = browser.submit(&accept_form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some(format!("/questions/{slug}")));
    let (fields, _) = front_matter(&wiki.file_at_head(&question_path));
    assert_eq!(field(&fields, "status").as_deref(), Some("answered"));
    assert_eq!(field(&fields, "accepted").as_deref(), Some(second.as_str()));
    assert_eq!(wiki.commit_count(), count + 2);
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("M\t{question_path}")]);
    wiki.git(&["fsck", "--no-progress"]);

    let html = browser.get(&format!("/questions/{slug}")).await.text();
    let answers = answers_on_page(&html);
    assert_eq!(answers.iter().map(|it| it.id.clone()).collect::<Vec<_>>(), [second.clone(), first.clone()]);
    assert!(answers[0].accepted && answers[0].marked, "{answers:?}");
    assert!(!answers[1].accepted && !answers[1].marked, "only one answer is marked: {answers:?}");
    assert_eq!(html.matches("Accepted answer").count(), 1, "one mark on the page");
    let api = wiki.get("/-/api/questions?status=answered").await.json();
    assert_eq!(api["questions"][0]["slug"], slug.as_str(), "{api}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_shows_the_accepted_answer_under_the_question() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    wiki.wait_for_search_index().await;
    let slug = ask(&wiki, "How do I clear a paper jam?", "The big printer keeps jamming.", &["printing"], ANN).await;
    let lever = answer(&wiki, &slug, "Open tray 3 and pull the green lever.", BOB).await;
    let kick = answer(&wiki, &slug, "Switch it off and wait for the technician.", CHEN).await;
    let path = format!("questions/{slug}.md");
    let snippet_of = |json: &Value| -> String {
        json["hits"]
            .as_array()
            .and_then(|hits| hits.iter().find(|hit| hit["path"] == path.as_str()))
            .and_then(|hit| hit["answer_snippet_html"].as_str())
            .unwrap_or_default()
            .to_string()
    };

    accept(&wiki, &slug, &lever).await;
    let json = wiki.search_until("paper jam", PATIENCE, |json| snippet_of(json).contains("green lever")).await;
    assert!(
        snippet_of(&json).contains("green lever"),
        "no accepted answer under the question after {PATIENCE:?}: {json:#}"
    );

    accept(&wiki, &slug, &kick).await;
    let json = wiki.search_until("paper jam", PATIENCE, |json| snippet_of(json).contains("technician")).await;
    let snippet = snippet_of(&json);
    assert!(snippet.contains("technician"), "the snippet follows the re-accepted answer after {PATIENCE:?}: {json:#}");
    assert!(!snippet.contains("green lever"), "{snippet}");
}

// ---------------------------------------------------------------------------------------------------------
// Promoting

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promoting_through_the_api_creates_the_page_and_links_it_with_the_question() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "I need the staging dashboards.", &["it"], ANN).await;
    let accepted = answer(&wiki, &slug, "Request the VPN package in the IT portal.", BOB).await;
    answer(&wiki, &slug, "Ask around, someone knows.", CHEN).await;
    accept(&wiki, &slug, &accepted).await;
    let question_path = format!("questions/{slug}.md");
    let before = front_matter(&wiki.file_at_head(&question_path));
    let count = wiki.commit_count();

    let reply = post_json(
        &wiki,
        &format!("/-/api/questions/{slug}/promote"),
        &json!({"to": "faq/vpn-access", "author": person(ANN)}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let created = reply.json();
    assert_eq!(created["path"], "faq/vpn-access.md", "{created}");
    assert_eq!(created["url"], "/faq/vpn-access", "{created}");
    assert_eq!(created["commit"], wiki.head().as_str(), "{created}");

    assert_eq!(wiki.commit_count(), count + 1, "page and question change in one commit");
    let mut changed = changed_files(&wiki, &wiki.branch_ref);
    changed.sort();
    assert_eq!(changed, ["A\tfaq/vpn-access.md".to_string(), format!("M\t{question_path}")]);
    assert!(last_commit(&wiki).starts_with("Ann Author <ann@example.com>|"), "{}", last_commit(&wiki));
    wiki.git(&["fsck", "--no-progress"]);

    let page_text = wiki.file_at_head("faq/vpn-access.md");
    let (page_fields, page_body) = front_matter(&page_text);
    assert_eq!(field(&page_fields, "title").as_deref(), Some("How do I get VPN access?"));
    assert!(page_body.contains("I need the staging dashboards."), "the question: {page_text}");
    assert!(page_body.contains("Request the VPN package in the IT portal."), "the accepted answer: {page_text}");
    assert!(!page_body.contains("Ask around"), "only the accepted answer: {page_text}");

    let (fields, body) = front_matter(&wiki.file_at_head(&question_path));
    assert_eq!(field(&fields, "promoted_to").as_deref(), Some("faq/vpn-access.md"));
    assert_eq!(field(&fields, "accepted").as_deref(), Some(accepted.as_str()));
    assert_eq!(field(&fields, "status").as_deref(), Some("answered"));
    assert_eq!(body, before.1);

    let question = wiki.get(&format!("/questions/{slug}")).await;
    assert!(has_link_to(&question.text(), "/faq/vpn-access"), "the question links to the page: {}", question.text());
    let page = wiki.get("/faq/vpn-access").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(has_link_to(&page.text(), &format!("/questions/{slug}")), "the page links back: {}", page.text());
    assert!(text_of(&page.text()).contains("Request the VPN package"), "{}", text_of(&page.text()));

    // A second promotion to the same path would overwrite the page: refused, nothing changes.
    let head = wiki.head();
    let again = post_json(&wiki, &format!("/-/api/questions/{slug}/promote"), &json!({"to": "faq/vpn-access"})).await;
    assert_eq!(again.status, 400, "{}", again.text());
    again.assert_json_error();
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promoting_with_the_form_starts_from_a_prefilled_editable_page() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "I need the staging dashboards.", &["it"], ANN).await;
    let accepted = answer(&wiki, &slug, "Request the VPN package in the IT portal.", BOB).await;
    accept(&wiki, &slug, &accepted).await;

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let question = browser.get(&format!("/questions/{slug}")).await.text();
    let promote_url = format!("/-/questions/{slug}/promote");
    assert_eq!(link_with_text(&question, "Turn into a wiki page").attr("href"), promote_url);
    let mut form = browser.form(&promote_url, &promote_url).await;
    assert_eq!(form.value("to"), format!("faq/{slug}"), "the path is prefilled");
    let markdown = form.value("markdown");
    assert!(markdown.contains("I need the staging dashboards."), "{markdown}");
    assert!(markdown.contains("Request the VPN package in the IT portal."), "{markdown}");
    assert!(markdown.contains(&format!("/questions/{slug}")), "the page links back: {markdown}");

    let edited = format!("{markdown}\nEdited before saving.\n");
    form.set("to", "handbook/vpn");
    form.set("markdown", &edited);
    let count = wiki.commit_count();
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/handbook/vpn?saved=1"));
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(wiki.file_at_head("handbook/vpn.md"), edited.trim_end(), "the page is saved as edited");
    let (fields, _) = front_matter(&wiki.file_at_head(&format!("questions/{slug}.md")));
    assert_eq!(field(&fields, "promoted_to").as_deref(), Some("handbook/vpn.md"));

    let question = browser.get(&format!("/questions/{slug}")).await;
    assert!(has_link_to(&question.text(), "/handbook/vpn"), "{}", question.text());
    let page = browser.get("/handbook/vpn").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(has_link_to(&page.text(), &format!("/questions/{slug}")), "{}", page.text());
    assert!(text_of(&page.text()).contains("Edited before saving."));
}

// ---------------------------------------------------------------------------------------------------------
// Feeds

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_questions_feed_lists_every_question_and_one_tag() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let vpn = ask(&wiki, "How do I get VPN access?", "From home.", &["it", "vpn"], ANN).await;
    let printer = ask(&wiki, "Why does the printer jam?", "Floor 2.", &["it", "printing"], BOB).await;
    let parking = ask(&wiki, "Where can I park?", "By bike.", &["facilities"], CHEN).await;

    let reply = wiki.get("/-/questions.atom").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("application/atom+xml"), "{}", reply.content_type());
    let feed = Feed::parse(&reply.text());
    assert!(feed.title.contains("questions"), "{}", feed.title);
    let mut titles: Vec<&str> = feed.entries.iter().map(|it| it.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["How do I get VPN access?", "Where can I park?", "Why does the printer jam?"]);
    for (slug, author) in [(&vpn, ANN), (&printer, BOB), (&parking, CHEN)] {
        let entry = feed.entry_linking_to(&format!("/questions/{slug}"));
        assert_eq!(entry.author, author.name, "{slug}");
        assert_is_recent(&entry.updated);
    }

    let html = wiki.get("/-/questions").await.text();
    assert!(html.contains("href=\"/-/questions.atom\""), "the list points at its feed");

    let tagged = wiki.get("/-/questions.atom?tag=IT").await;
    assert_eq!(tagged.status, 200, "{}", tagged.text());
    let feed = Feed::parse(&tagged.text());
    let mut titles: Vec<&str> = feed.entries.iter().map(|it| it.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["How do I get VPN access?", "Why does the printer jam?"]);
    let feed = Feed::parse(&wiki.get("/-/questions.atom?tag=facilities").await.text());
    assert_eq!(feed.entries.len(), 1);
    feed.entry_linking_to(&format!("/questions/{parking}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answers_feed_of_a_question_lists_its_new_answers() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home.", &["it"], ANN).await;
    let other = ask(&wiki, "Where can I park?", "By bike.", &[], ANN).await;
    let first = answer(&wiki, &slug, "Request the VPN package.", BOB).await;
    let second = answer(&wiki, &slug, "Then import the profile.", CHEN).await;
    answer(&wiki, &other, "In the basement.", BOB).await;

    let url = format!("/-/questions/{slug}/answers.atom");
    let question = wiki.get(&format!("/questions/{slug}")).await.text();
    assert!(question.contains(&format!("href=\"{url}\"")), "the question page points at its feed");
    let reply = wiki.get(&url).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("application/atom+xml"), "{}", reply.content_type());
    let feed = Feed::parse(&reply.text());
    assert!(feed.title.contains("How do I get VPN access?"), "{}", feed.title);
    assert_eq!(feed.entries.len(), 2, "{:?}", feed.entries);
    for (id, author, text) in [(&first, BOB, "Request the VPN package."), (&second, CHEN, "Then import the profile.")] {
        let entry = feed.entry_linking_to(&format!("/questions/{slug}#answer-{id}"));
        assert_eq!(entry.title, format!("Answer by {}", author.name));
        assert_eq!(entry.author, author.name);
        assert!(entry.summary.contains(text), "{entry:?}");
        assert_is_recent(&entry.updated);
    }

    let missing = wiki.get("/-/questions/no-such-question/answers.atom").await;
    assert_eq!(missing.status, 404, "{}", missing.text());
}

// ---------------------------------------------------------------------------------------------------------
// Questions written with git

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_pushed_with_git_shows_up_in_the_list_and_in_search() {
    let wiki = TestWiki::managed_with(|config| {
        config.lore_binary = Some(env!("CARGO_BIN_EXE_lore").into());
    })
    .await;
    wiki.wait_for_history_index().await;
    wiki.wait_for_search_index().await;
    let clone_dir = tempfile::tempdir().expect("a temporary folder");
    let work_tree = clone_dir.path().join("work");
    let url = wiki.url("/wiki.git");
    let dir = clone_dir.path().to_path_buf();
    blocking(move || git_in(&dir, &["clone", "--quiet", &url, "work"])).await;

    let text = question_text("Who has the key to the bike shed?", &["facilities"], BOB, None)
        .replace("Details.", "The bike shed padlock is shut.");
    std::fs::create_dir_all(work_tree.join("questions")).expect("create the questions folder");
    std::fs::write(work_tree.join("questions/bike-shed-key.md"), text).expect("write the question");
    let branch = format!("HEAD:{}", wiki.branch_ref);
    let tree = work_tree.clone();
    blocking(move || {
        git_in(&tree, &["add", "--all"]);
        git_in(
            &tree,
            &["-c", "user.name=Bob Builder", "-c", "user.email=bob@example.com", "commit", "-qm", "Ask about the key"],
        );
        git_in(&tree, &["push", "--quiet", "origin", &branch]);
    })
    .await;
    assert_eq!(
        wiki.file_at_head("questions/bike-shed-key.md").lines().nth(1),
        Some("title: Who has the key to the bike shed?")
    );

    let reply = wiki
        .get_until("/-/questions?filter=unanswered", |it| {
            question_rows(&it.text()).iter().any(|row| row.url == "/questions/bike-shed-key")
        })
        .await;
    let rows = question_rows(&reply.text());
    let row =
        rows.iter().find(|it| it.url == "/questions/bike-shed-key").unwrap_or_else(|| panic!("not listed: {rows:?}"));
    assert_eq!(row.status, "Open");
    assert!(row.text.contains("asked by Bob Builder"), "{}", row.text);

    let json = wiki
        .search_until("padlock", PATIENCE, |it| hit_paths(it).iter().any(|p| p == "questions/bike-shed-key.md"))
        .await;
    assert!(
        hit_paths(&json).iter().any(|it| it == "questions/bike-shed-key.md"),
        "not found within {PATIENCE:?}: {json:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_committed_straight_into_the_served_repository_shows_up_in_the_list_and_in_search() {
    let fixture = Fixture::with_files(&[HOME]);
    let work_tree = fixture.work_tree().to_path_buf();
    let wiki = fixture.serve().await;
    wiki.wait_for_search_index().await;

    let text = question_text("Where are the spare monitors?", &["it"], BOB, None)
        .replace("Details.", "I need a quasar cable.");
    std::fs::create_dir_all(work_tree.join("questions")).expect("create the questions folder");
    std::fs::write(work_tree.join("questions/spare-monitors.md"), text).expect("write the question");
    git_in(&work_tree, &["add", "--all"]);
    git_in(&work_tree, &["-c", "user.name=Bob Builder", "-c", "user.email=bob@example.com", "commit", "-qm", "Ask"]);

    let reply = wiki
        .get_until("/-/questions", |it| {
            question_rows(&it.text()).iter().any(|row| row.url == "/questions/spare-monitors")
        })
        .await;
    let rows = question_rows(&reply.text());
    assert!(rows.iter().any(|it| it.url == "/questions/spare-monitors" && it.status == "Open"), "not listed: {rows:?}");
    let json = wiki
        .search_until("quasar", PATIENCE, |it| hit_paths(it).iter().any(|p| p == "questions/spare-monitors.md"))
        .await;
    assert!(hit_paths(&json).iter().any(|it| it == "questions/spare-monitors.md"), "not found: {json:#}");
    let api = wiki.get("/-/api/questions?status=open").await.json();
    assert_eq!(api["questions"][0]["slug"], "spare-monitors", "{api}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn question_files_pushed_without_fields_display_with_defaults() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/no-front-matter.md", "# Why is the build red?\n\nIt fails on main since Monday.\n"),
        ("questions/title-only.md", "---\ntitle: Who orders the coffee?\n---\n\nWe ran out.\n"),
        (&format!("questions/title-only/{answer_id}.md"), "Bob does, on Fridays.\n"),
    ])
    .await;
    wiki.wait_for_history_index().await;

    let page = wiki.get("/questions/no-front-matter").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(h1_text(&page.text()), "Why is the build red?");
    let text = text_of(&page.text());
    assert!(
        text.contains("Open Asked by Ann Author"),
        "the status defaults to open, the asker to the committer: {text}"
    );
    assert!(text.contains("It fails on main since Monday."), "{text}");
    Form::with_action(&page.text(), "/-/questions/no-front-matter/answer");

    let page = wiki.get("/questions/title-only").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(h1_text(&page.text()), "Who orders the coffee?");
    assert!(text_of(&page.text()).contains("Open Asked by Ann Author"), "{}", text_of(&page.text()));
    let answers = answers_on_page(&page.text());
    assert_eq!(answers.len(), 1, "{}", page.text());
    assert!(
        answers[0].footer.starts_with("Ann Author"),
        "the author defaults to the committer: {:?}",
        answers[0].footer
    );
    assert!(answers[0].html.contains("Bob does, on Fridays."), "{}", answers[0].html);

    let html = wiki.get("/-/questions").await.text();
    let rows = question_rows(&html);
    let statuses: BTreeMap<String, String> = rows.iter().map(|it| (it.url.clone(), it.status.clone())).collect();
    assert_eq!(
        statuses,
        BTreeMap::from([
            ("/questions/no-front-matter".to_string(), "Open".to_string()),
            ("/questions/title-only".to_string(), "Open".to_string()),
        ])
    );
    assert_eq!(open_badge(&html), Some(2));
    let api = wiki.get("/-/api/questions?status=open").await.json();
    let titles: Vec<&str> =
        api["questions"].as_array().expect("questions").iter().filter_map(|it| it["title"].as_str()).collect();
    assert_eq!(titles.len(), 2, "{api}");
    assert!(titles.contains(&"Why is the build red?") && titles.contains(&"Who orders the coffee?"), "{api}");

    // Such a question can still be answered and accepted; the missing fields are added.
    accept(&wiki, "title-only", answer_id).await;
    let (fields, body) = front_matter(&wiki.file_at_head("questions/title-only.md"));
    assert_eq!(field(&fields, "title").as_deref(), Some("Who orders the coffee?"));
    assert_eq!(field(&fields, "status").as_deref(), Some("answered"));
    assert_eq!(field(&fields, "accepted").as_deref(), Some(answer_id));
    assert_eq!(body.trim(), "We ran out.");
    let id = answer(&wiki, "no-front-matter", "A flaky test; rerun it.", BOB).await;
    assert_answer_id(&id);
}

// ---------------------------------------------------------------------------------------------------------
// Editing answers like pages

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_editable_like_pages_with_history() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let slug = ask(&wiki, "How do I get VPN access?", "From home.", &["it"], ANN).await;
    let id = answer(&wiki, &slug, "Request the VPN package.", BOB).await;
    let path = format!("questions/{slug}/{id}.md");
    let original = wiki.file_at_head(&path);

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let question = browser.get(&format!("/questions/{slug}")).await.text();
    let answers = answers_on_page(&question);
    assert_eq!(answers[0].edit_url, format!("/-/edit/{path}"));
    assert_eq!(answers[0].history_url, format!("/-/history/{path}"));
    assert_eq!(
        link_with_text(&question, "Edit").attr("href"),
        format!("/-/edit/questions/{slug}.md"),
        "the question too"
    );

    let editor = browser.get(&format!("/-/edit/{path}")).await;
    assert_eq!(editor.status, 200, "{}", editor.text());
    let mut form = Form::find_where(&editor.text(), "editor-form", |it| it.attr("id") == "editor-form");
    // The text box holds the answer, the YAML box its front matter (who answered, when).
    let whole = format!("---\n{}---\n{}", form.value("front_matter"), form.value("markdown"));
    assert_eq!(whole.trim_end(), original, "the editor holds the answer's file");
    let edited = original.replace("Request the VPN package.", "Request the VPN package in the IT portal.");
    form.set(
        "markdown",
        &form.value("markdown").replace("Request the VPN package.", "Request the VPN package in the IT portal."),
    );
    form.set("message", "Say where to request it");
    form.set("author_name", BOB.name);
    form.set("author_email", BOB.email);
    let count = wiki.commit_count();
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(wiki.commit_count(), count + 1);
    assert_eq!(wiki.file_at_head(&path), edited);
    assert_eq!(last_commit(&wiki), "Bob Builder <bob@example.com>|Say where to request it");
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("M\t{path}")]);
    let (fields, _) = front_matter(&wiki.file_at_head(&path));
    assert_eq!(field(&fields, "author").as_deref(), Some("Bob Builder <bob@example.com>"), "the front matter is kept");

    let question = browser.get(&format!("/questions/{slug}")).await.text();
    assert!(answers_on_page(&question)[0].html.contains("in the IT portal"), "{question}");
    let history = wiki
        .get_until(&format!("/-/history/{path}"), |it| {
            it.status == 200 && it.text().contains("Say where to request it")
        })
        .await;
    assert_eq!(history.status, 200, "{}", history.text());
    let text = text_of(&history.text());
    assert!(text.contains("Say where to request it"), "{text}");
    assert!(text.contains("Answer: How do I get VPN access?"), "the answer's first version: {text}");
}

// ---------------------------------------------------------------------------------------------------------
// Bad input: refused with a message, and nothing is committed

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_title_or_body_is_refused_with_a_message_and_nothing_is_committed() {
    let wiki =
        TestWiki::with_files(&[HOME, ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, None))])
            .await;
    let head = wiki.head();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);

    for (title, body, expected) in [
        ("", "Some details.", "title"),
        ("   ", "Some details.", "title"),
        ("Why?", "", "body"),
        ("Why?", " \n ", "body"),
    ] {
        let mut form = browser.form("/-/ask", "/-/ask").await;
        form.set("title", title);
        form.set("body", body);
        form.set("tags", "kept");
        let reply = browser.submit(&form).await;
        assert_eq!(reply.status, 400, "{title:?}/{body:?}: {}", reply.text());
        let alert = alert_text(&reply.text());
        assert!(alert.contains(expected), "{title:?}/{body:?}: the message names the {expected}: {alert:?}");
        let again = Form::with_action(&reply.text(), "/-/ask");
        assert_eq!(again.value("tags"), "kept", "what was typed is kept");
        assert_eq!(again.value("body"), body, "what was typed is kept");

        let reply = post_json(&wiki, "/-/api/questions", &json!({"title": title, "body": body, "tags": []})).await;
        assert_eq!(reply.status, 400, "API {title:?}/{body:?}: {}", reply.text());
        reply.assert_json_error();
        let detail = reply.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.contains(expected), "API {title:?}/{body:?}: {detail}");
    }

    let long_title = "Why ".repeat(100);
    let reply = post_json(&wiki, "/-/api/questions", &json!({"title": long_title, "body": "Details."})).await;
    assert_eq!(reply.status, 400, "a 400-character title: {}", reply.text());
    reply.assert_json_error();

    let reply = post_json(&wiki, "/-/api/questions/vpn/answers", &json!({"body": "  "})).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    reply.assert_json_error();
    assert!(reply.json()["detail"].as_str().unwrap_or_default().contains("body"), "{}", reply.text());
    let mut form = browser.form("/questions/vpn", "/-/questions/vpn/answer").await;
    form.set("body", "");
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(text_of(&reply.text()).contains("needs a body"), "{}", text_of(&reply.text()));
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_with_413_and_nothing_is_committed() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = Fixture::with_files(&[
        HOME,
        ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, Some(answer_id))),
        (&format!("questions/vpn/{answer_id}.md"), &answer_text(BOB, "2025-01-02T10:00:00Z", "The portal.")),
    ])
    .serve_with(|config| config.max_page_bytes = 2_000)
    .await;
    let head = wiki.head();
    let big = "All work and no play. ".repeat(200);

    let reply = post_json(&wiki, "/-/api/questions", &json!({"title": "Big", "body": big, "tags": []})).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    reply.assert_json_error();
    let reply = post_json(&wiki, "/-/api/questions/vpn/answers", &json!({"body": big})).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    reply.assert_json_error();
    let reply = post_json(&wiki, "/-/api/questions/vpn/promote", &json!({"to": "faq/vpn", "markdown": big})).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    reply.assert_json_error();

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let mut form = browser.form("/-/ask", "/-/ask").await;
    form.set("title", "Big");
    form.set("body", &big);
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(!alert_text(&reply.text()).is_empty(), "the form says why: {}", reply.text());
    let mut form = browser.form("/questions/vpn", "/-/questions/vpn/answer").await;
    form.set("body", &big);
    let reply = browser.submit(&form).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_questions_are_404_and_nothing_is_committed() {
    let wiki =
        TestWiki::with_files(&[HOME, ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, None))])
            .await;
    let head = wiki.head();
    let unknown_id = "20250102T100000Z-zzzz";
    for url in [
        "/questions/no-such-question".to_string(),
        format!("/questions/vpn/{unknown_id}"),
        "/-/questions/no-such-question/answers.atom".to_string(),
        "/-/questions/no-such-question/promote".to_string(),
    ] {
        let reply = wiki.get(&url).await;
        assert_eq!(reply.status, 404, "GET {url}: {}", reply.text());
    }
    for (url, body) in [
        ("/-/api/questions/no-such-question/accept", json!({"answer": unknown_id})),
        ("/-/api/questions/no-such-question/promote", json!({"to": "faq/nothing"})),
    ] {
        let reply = post_json(&wiki, url, &body).await;
        assert_eq!(reply.status, 404, "POST {url} {body}: {}", reply.text());
        reply.assert_json_error();
    }
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    for (url, fields) in [
        ("/-/questions/no-such-question/accept", vec![("answer", unknown_id), ("csrf_token", &token)]),
        (
            "/-/questions/no-such-question/promote",
            vec![("to", "faq/nothing"), ("markdown", "# Nothing\n"), ("csrf_token", &token)],
        ),
    ] {
        let reply = browser.post_form(url, &fields).await;
        assert_eq!(reply.status, 404, "form {url}: {}", reply.text());
    }
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_an_unknown_answer_is_404_and_nothing_is_committed() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, None)),
        (&format!("questions/vpn/{answer_id}.md"), &answer_text(BOB, "2025-01-02T10:00:00Z", "The portal.")),
    ])
    .await;
    let head = wiki.head();
    // An id that names no answer anywhere: unknown, not an answer of another question.
    let unknown_id = "20250102T100000Z-zzzz";
    let reply = post_json(&wiki, "/-/api/questions/vpn/accept", &json!({"answer": unknown_id})).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let reply = browser.post_form("/-/questions/vpn/accept", &[("answer", unknown_id), ("csrf_token", &token)]).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_asked_at_the_same_instant_with_one_title_all_get_their_own_slug() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let count = wiki.commit_count();
    let title = "Where is the fire exit?";
    let (a, b, c) = tokio::join!(
        ask(&wiki, title, "Asked by Ann.", &[], ANN),
        ask(&wiki, title, "Asked by Bob.", &[], BOB),
        ask(&wiki, title, "Asked by Chen.", &[], CHEN)
    );
    let mut slugs = vec![a.clone(), b.clone(), c.clone()];
    slugs.sort();
    assert_eq!(slugs, ["where-is-the-fire-exit", "where-is-the-fire-exit-2", "where-is-the-fire-exit-3"]);
    assert_eq!(wiki.commit_count(), count + 3, "three questions, three commits");
    for (slug, body) in [(a, "Asked by Ann."), (b, "Asked by Bob."), (c, "Asked by Chen.")] {
        let (_, text) = front_matter(&wiki.file_at_head(&format!("questions/{slug}.md")));
        assert_eq!(text.trim(), body, "{slug}");
    }
    wiki.git(&["fsck", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_questions_and_answers_is_shown_as_text() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let title = "Why does <img src=x onerror=alert(1)> & \"this\" break?";
    let slug = ask(&wiki, title, "Body with <script>alert(2)</script> in it.", &["html"], ANN).await;
    answer(&wiki, &slug, "An answer with <iframe src=\"https://evil.example\"></iframe> and <b>bold</b>.", BOB).await;

    let page = wiki.get(&format!("/questions/{slug}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_safe_html_page(&page, "the question page");
    assert_eq!(h1_text(&page.text()), title);
    let html = page.text().to_ascii_lowercase();
    for raw in ["<img src=x", "<script>alert(2)", "<iframe"] {
        assert!(!html.contains(raw), "raw {raw:?} on the question page");
    }
    let list = wiki.get("/-/questions").await;
    assert_safe_html_page(&list, "the questions list");
    assert!(!list.text().contains("<img src=x"), "raw markup in the list");
    assert_eq!(question_rows(&list.text()).len(), 1);
    let feed = Feed::parse(&wiki.get("/-/questions.atom").await.text());
    assert_eq!(feed.entries[0].title, title);
    let feed = Feed::parse(&wiki.get(&format!("/-/questions/{slug}/answers.atom")).await.text());
    assert!(feed.entries[0].summary.contains("<iframe"), "the summary is plain text, escaped in XML");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_an_answer_of_another_question_is_400_and_nothing_is_committed() {
    let answer_id = "20250102T100000Z-abcd";
    let wiki = TestWiki::with_files(&[
        HOME,
        ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, None)),
        ("questions/parking.md", &question_text("Where can I park?", &[], BOB, None)),
        (&format!("questions/parking/{answer_id}.md"), &answer_text(CHEN, "2025-01-02T10:00:00Z", "In the basement.")),
    ])
    .await;
    let head = wiki.head();
    let reply = post_json(&wiki, "/-/api/questions/vpn/accept", &json!({"answer": answer_id})).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    reply.assert_json_error();
    assert!(reply.json()["detail"].as_str().unwrap_or_default().contains(answer_id), "{}", reply.text());

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let reply = browser.post_form("/-/questions/vpn/accept", &[("answer", answer_id), ("csrf_token", &token)]).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    wiki.assert_untouched(&head);
    let (fields, _) = front_matter(&wiki.file_at_head("questions/vpn.md"));
    assert_eq!(field(&fields, "status").as_deref(), Some("open"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answering_a_question_that_does_not_exist_is_404_and_creates_nothing() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    let head = wiki.head();
    let reply = post_json(&wiki, "/-/api/questions/no-such-question/answers", &json!({"body": "Into the void."})).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let reply = browser
        .post_form("/-/questions/no-such-question/answer", &[("body", "Into the void."), ("csrf_token", &token)])
        .await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    wiki.assert_untouched(&head);
    assert_eq!(wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref]), "index.md", "no answer file anywhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promoted_pages_keep_tags_that_yaml_must_quote() {
    let wiki = TestWiki::with_files(&[HOME]).await;
    // `@` and `*` cannot start a plain YAML scalar; the question file quotes them, the page must too.
    let slug = ask(&wiki, "Which shell do the build hosts run?", "For the nightly jobs.", &["@ops", "*nix"], ANN).await;
    let (fields, _) = front_matter(&wiki.file_at_head(&format!("questions/{slug}.md")));
    assert_eq!(list(&fields, "tags"), ["@ops", "*nix"]);
    let id = answer(&wiki, &slug, "Bash 5 on all of them.", BOB).await;
    accept(&wiki, &slug, &id).await;

    let reply = post_json(&wiki, &format!("/-/api/questions/{slug}/promote"), &json!({"to": "faq/build-shell"})).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let text = wiki.file_at_head("faq/build-shell.md");
    let (fields, _) = front_matter(&text);
    assert_eq!(list(&fields, "tags"), ["@ops", "*nix"], "{text}");
    let page = wiki.get("/faq/build-shell").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(!text_of(&page.text()).contains("Problem with this page"), "{}", text_of(&page.text()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_or_answer_lore_accepts_near_the_size_limit_is_rendered() {
    let limit = 2_000;
    let wiki =
        Fixture::with_files(&[HOME, ("questions/vpn.md", &question_text("How do I get VPN access?", &[], ANN, None))])
            .serve_with(|config| config.max_page_bytes = limit)
            .await;
    // The text alone fits; with the front matter Lore adds, the file does not.
    let body = "x".repeat(limit as usize - 10);

    let head = wiki.head();
    let reply =
        post_json(&wiki, "/-/api/questions", &json!({"title": "Near the limit", "body": body, "tags": ["big"]})).await;
    match reply.status {
        413 => wiki.assert_untouched(&head),
        201 => {
            let file = wiki.file_at_head("questions/near-the-limit.md");
            assert!(
                file.len() as u64 <= limit,
                "Lore stored a {}-byte question over its own limit of {limit}",
                file.len()
            );
            let page = wiki.get("/questions/near-the-limit").await;
            assert_eq!(h1_text(&page.text()), "Near the limit", "{}", text_of(&page.text()));
        }
        status => panic!("expected 201 or 413, got {status}: {}", reply.text()),
    }

    let head = wiki.head();
    let reply = post_json(&wiki, "/-/api/questions/vpn/answers", &json!({"body": body})).await;
    match reply.status {
        413 => wiki.assert_untouched(&head),
        201 => {
            let path = reply.json()["path"].as_str().expect("a path").to_string();
            let file = wiki.file_at_head(&path);
            assert!(
                file.len() as u64 <= limit,
                "Lore stored a {}-byte answer over its own limit of {limit}",
                file.len()
            );
            let page = wiki.get("/questions/vpn").await;
            let answers = answers_on_page(&page.text());
            assert!(answers[0].html.contains("xxxxxxxx"), "the answer is not rendered: {}", answers[0].html);
        }
        status => panic!("expected 201 or 413, got {status}: {}", reply.text()),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// A complete question file, dated 2025-01-01; `accepted` marks it answered.
fn question_text(title: &str, tags: &[&str], asked_by: Author, accepted: Option<&str>) -> String {
    let status = match accepted {
        Some(id) => format!("status: answered\naccepted: {id}\n"),
        None => "status: open\n".to_string(),
    };
    format!(
        "---\ntitle: {title}\ntags: [{}]\nasked_by: {} <{}>\nasked_at: 2025-01-01T09:00:00Z\n{status}---\n\nDetails.\n",
        tags.join(", "),
        asked_by.name,
        asked_by.email
    )
}

/// A complete answer file.
fn answer_text(author: Author, answered_at: &str, body: &str) -> String {
    format!("---\nauthor: {} <{}>\nanswered_at: {answered_at}\n---\n\n{body}\n", author.name, author.email)
}

fn person(author: Author) -> Value {
    json!({"name": author.name, "email": author.email})
}

/// `POST path` with a JSON body.
async fn post_json(wiki: &TestWiki, path: &str, body: &Value) -> Reply {
    wiki.send("POST", path, &[("Content-Type", "application/json")], body.to_string()).await
}

/// Asks through the API; returns the slug.
async fn ask(wiki: &TestWiki, title: &str, body: &str, tags: &[&str], author: Author) -> String {
    let reply = post_json(
        wiki,
        "/-/api/questions",
        &json!({"title": title, "body": body, "tags": tags, "author": person(author)}),
    )
    .await;
    assert_eq!(reply.status, 201, "ask {title:?}: {}", reply.text());
    reply.json()["slug"].as_str().expect("a slug").to_string()
}

/// Answers through the API; returns the answer's id.
async fn answer(wiki: &TestWiki, slug: &str, body: &str, author: Author) -> String {
    let reply =
        post_json(wiki, &format!("/-/api/questions/{slug}/answers"), &json!({"body": body, "author": person(author)}))
            .await;
    assert_eq!(reply.status, 201, "answer {slug}: {}", reply.text());
    reply.json()["id"].as_str().expect("an id").to_string()
}

/// Accepts an answer through the API.
async fn accept(wiki: &TestWiki, slug: &str, id: &str) {
    let reply = post_json(wiki, &format!("/-/api/questions/{slug}/accept"), &json!({"answer": id})).await;
    assert_eq!(reply.status, 200, "accept {id} for {slug}: {}", reply.text());
}

/// Runs blocking work (git talking to the in-process server) off the runtime.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.expect("the blocking task finished")
}

/// A file's front matter and body; panics when it has no front matter.
#[track_caller]
fn front_matter(text: &str) -> (serde_yaml::Mapping, String) {
    let rest = text.strip_prefix("---\n").unwrap_or_else(|| panic!("no front matter in {text:?}"));
    let (yaml, body) = match rest.split_once("\n---\n") {
        Some(it) => it,
        None => (rest.strip_suffix("\n---").unwrap_or_else(|| panic!("unterminated front matter in {text:?}")), ""),
    };
    let mapping = serde_yaml::from_str(yaml).unwrap_or_else(|err| panic!("invalid front matter ({err}): {yaml}"));
    (mapping, body.to_string())
}

/// A scalar field of front matter, as text.
fn field(fields: &serde_yaml::Mapping, key: &str) -> Option<String> {
    match fields.get(key)? {
        serde_yaml::Value::String(text) => Some(text.clone()),
        serde_yaml::Value::Number(number) => Some(number.to_string()),
        serde_yaml::Value::Bool(flag) => Some(flag.to_string()),
        other => panic!("{key} is not a scalar: {other:?}"),
    }
}

/// A list field of front matter.
#[track_caller]
fn list(fields: &serde_yaml::Mapping, key: &str) -> Vec<String> {
    match fields.get(key) {
        Some(serde_yaml::Value::Sequence(items)) => {
            items.iter().map(|it| it.as_str().unwrap_or_else(|| panic!("{key}: {it:?}")).to_string()).collect()
        }
        other => panic!("{key} is not a list: {other:?}"),
    }
}

/// Asserts an RFC 3339 timestamp with a time zone, within two minutes of now.
#[track_caller]
fn assert_is_recent(timestamp: &str) {
    let at = DateTime::parse_from_rfc3339(timestamp).unwrap_or_else(|err| panic!("not RFC 3339 ({err}): {timestamp}"));
    let age = Utc::now().signed_duration_since(at.with_timezone(&Utc)).num_seconds().abs();
    assert!(age < 120, "{timestamp} is {age} s away from now");
}

/// Asserts the documented answer id: `YYYYMMDDTHHMMSSZ-xxxx`, the suffix in lowercase letters and digits.
#[track_caller]
fn assert_answer_id(id: &str) {
    let (time, suffix) = id.split_once('-').unwrap_or_else(|| panic!("no suffix in {id}"));
    assert!(chrono::NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%SZ").is_ok(), "not a UTC time: {id}");
    assert_eq!(time.len(), 16, "{id}");
    assert!(
        suffix.len() == 4 && suffix.chars().all(|it| it.is_ascii_lowercase() || it.is_ascii_digit()),
        "suffix of {id}"
    );
}

/// Asserts that an answer id names the moment of its `answered_at`.
#[track_caller]
fn assert_id_matches_time(id: &str, answered_at: &str) {
    let at = DateTime::parse_from_rfc3339(answered_at).unwrap_or_else(|err| panic!("{answered_at}: {err}"));
    assert_eq!(&id[..16], at.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string(), "{id} vs {answered_at}");
}

/// `author <email>|subject` of the last commit on the served branch.
fn last_commit(wiki: &TestWiki) -> String {
    wiki.git(&["log", "-1", "--format=%an <%ae>|%s", &wiki.branch_ref])
}

/// `STATUS\tpath` of every file a commit changed.
fn changed_files(wiki: &TestWiki, commit: &str) -> Vec<String> {
    let out = wiki.git(&["diff-tree", "--no-commit-id", "--name-status", "-r", commit]);
    out.lines().map(str::to_string).collect()
}

/// A question as the list shows it.
#[derive(Debug)]
struct QuestionRow {
    url: String,
    status: String,
    text: String,
}

/// The questions listed on `/-/questions`, in order.
fn question_rows(html: &str) -> Vec<QuestionRow> {
    elements(html, "li")
        .into_iter()
        .filter(|it| it.classes().iter().any(|class| class == "question-row"))
        .map(|row| {
            let title = elements(&row.inner_html, "p")
                .into_iter()
                .find(|it| it.classes().iter().any(|class| class == "question-title"))
                .unwrap_or_else(|| panic!("a row without a title: {}", row.inner_html));
            let status = elements(&row.inner_html, "span")
                .into_iter()
                .find(|it| it.classes().iter().any(|class| class == "question-status"))
                .map(|it| it.text())
                .unwrap_or_default();
            let url = links(&title.inner_html).first().map(|it| it.attr("href")).unwrap_or_default();
            QuestionRow { url, status, text: row.text() }
        })
        .collect()
}

/// `(label, count)` of each filter link on `/-/questions`.
fn filter_counts(html: &str) -> Vec<(String, usize)> {
    let nav = elements(html, "nav")
        .into_iter()
        .find(|it| it.classes().iter().any(|class| class == "question-filters"))
        .unwrap_or_else(|| panic!("no filters in {html}"));
    links(&nav.inner_html)
        .iter()
        .map(|link| {
            let text = link.text();
            let (label, count) = text.rsplit_once(' ').unwrap_or_else(|| panic!("no count in {text:?}"));
            (label.to_string(), count.parse().unwrap_or_else(|_| panic!("no count in {text:?}")))
        })
        .collect()
}

/// `(tag, count)` in the tag list beside the questions.
fn tag_counts(html: &str) -> Vec<(String, usize)> {
    let aside = elements(html, "aside").into_iter().find(|it| it.attr("aria-label") == "Tags");
    let aside = aside.unwrap_or_else(|| panic!("no tag list in {html}"));
    elements(&aside.inner_html, "li")
        .iter()
        .map(|item| {
            let text = item.text();
            let (tag, count) = text.rsplit_once(' ').unwrap_or_else(|| panic!("no count in {text:?}"));
            (tag.to_string(), count.parse().unwrap_or_else(|_| panic!("no count in {text:?}")))
        })
        .collect()
}

/// The number on the header's Questions link, if it has one.
fn open_badge(html: &str) -> Option<usize> {
    let nav = elements(html, "nav").into_iter().find(|it| it.classes().iter().any(|class| class == "site-nav"))?;
    let link = links(&nav.inner_html).into_iter().find(|it| it.attr("href").starts_with("/-/questions"))?;
    let badge = elements(&link.inner_html, "span").into_iter().find(|it| it.classes().iter().any(|c| c == "badge"))?;
    Some(badge.text().parse().unwrap_or_else(|_| panic!("not a number: {:?}", badge.text())))
}

/// The text of the alert a form shows after a refusal, or `""`.
fn alert_text(html: &str) -> String {
    elements(html, "p").into_iter().find(|it| it.attr("role") == "alert").map(|it| it.text()).unwrap_or_default()
}

/// An answer as the question's page shows it.
#[derive(Debug)]
struct AnswerOnPage {
    id: String,
    accepted: bool,
    /// Whether the answer carries the visible "Accepted answer" mark.
    marked: bool,
    html: String,
    footer: String,
    edit_url: String,
    history_url: String,
}

/// The answers on a question's page, in order.
fn answers_on_page(html: &str) -> Vec<AnswerOnPage> {
    elements(html, "article")
        .into_iter()
        .filter(|it| it.classes().iter().any(|class| class == "answer"))
        .map(|article| {
            let footer =
                elements(&article.inner_html, "footer").into_iter().next().map(|it| it.text()).unwrap_or_default();
            let link = |text: &str| {
                links(&article.inner_html).into_iter().find(|it| it.text() == text).map(|it| it.attr("href"))
            };
            AnswerOnPage {
                id: article.attr("id").strip_prefix("answer-").unwrap_or_default().to_string(),
                accepted: article.classes().iter().any(|class| class == "answer-accepted"),
                marked: article.text().contains("Accepted answer"),
                html: elements(&article.inner_html, "div")
                    .into_iter()
                    .next()
                    .map(|it| it.inner_html)
                    .unwrap_or_default(),
                footer,
                edit_url: link("Edit").unwrap_or_default(),
                history_url: link("History").unwrap_or_default(),
            }
        })
        .collect()
}

/// An Atom feed, read with a real XML parser.
#[derive(Debug)]
struct Feed {
    title: String,
    entries: Vec<FeedEntry>,
}

#[derive(Debug)]
struct FeedEntry {
    title: String,
    link: String,
    updated: String,
    author: String,
    summary: String,
}

impl Feed {
    const ATOM: &str = "http://www.w3.org/2005/Atom";

    /// Parses `xml`; panics unless it is an Atom feed with the elements every feed must have.
    #[track_caller]
    fn parse(xml: &str) -> Feed {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|err| panic!("not XML ({err}): {xml}"));
        let feed = doc.root_element();
        assert_eq!(feed.tag_name().name(), "feed", "{xml}");
        assert_eq!(feed.tag_name().namespace(), Some(Feed::ATOM), "{xml}");
        for required in ["id", "title", "updated"] {
            assert!(!Feed::child_text(feed, required).is_empty(), "a feed needs <{required}>: {xml}");
        }
        DateTime::parse_from_rfc3339(&Feed::child_text(feed, "updated")).expect("the feed's updated is RFC 3339");
        let entries = feed
            .children()
            .filter(|it| it.has_tag_name((Feed::ATOM, "entry")))
            .map(|entry| {
                assert!(!Feed::child_text(entry, "id").is_empty(), "an entry needs <id>: {xml}");
                let link = entry
                    .children()
                    .find(|it| it.has_tag_name((Feed::ATOM, "link")))
                    .and_then(|it| it.attribute("href"))
                    .unwrap_or_default()
                    .to_string();
                let author = entry
                    .children()
                    .find(|it| it.has_tag_name((Feed::ATOM, "author")))
                    .map(|it| Feed::child_text(it, "name"))
                    .unwrap_or_default();
                FeedEntry {
                    title: Feed::child_text(entry, "title"),
                    link,
                    updated: Feed::child_text(entry, "updated"),
                    author,
                    summary: Feed::child_text(entry, "summary"),
                }
            })
            .collect();
        Feed { title: Feed::child_text(feed, "title"), entries }
    }

    fn child_text(node: roxmltree::Node, name: &str) -> String {
        node.children()
            .find(|it| it.has_tag_name((Feed::ATOM, name)))
            .and_then(|it| it.text())
            .unwrap_or_default()
            .to_string()
    }

    /// The entry whose link ends with `path`; panics with every link when there is none.
    #[track_caller]
    fn entry_linking_to(&self, path: &str) -> &FeedEntry {
        self.entries.iter().find(|it| it.link.ends_with(path) && it.link.starts_with("http")).unwrap_or_else(|| {
            let found: Vec<&str> = self.entries.iter().map(|it| it.link.as_str()).collect();
            panic!("no entry linking to {path}; links: {found:?}")
        })
    }
}

/// The page a [`Browser`] of these tests opens for a CSRF token: the ask form sets the cookie.
const CSRF_PAGE: &str = "/-/ask";

/// What a visitor does with the question forms, on top of the shared [`Browser`].
trait Visitor {
    /// Opens `page` and returns its form posting to `action`, checking that it carries this browser's token.
    async fn form(&mut self, page: &str, action: &str) -> Form;
}

impl Visitor for Browser<'_> {
    async fn form(&mut self, page: &str, action: &str) -> Form {
        let reply = self.get(page).await;
        assert_eq!(reply.status, 200, "{page}: {}", reply.text());
        let form = Form::with_action(&reply.text(), action);
        let token = self.cookie("lore_csrf").unwrap_or_default();
        assert!(!token.is_empty(), "{page}: no lore_csrf cookie");
        assert_eq!(form.value("csrf_token"), token, "{page}: the form echoes the cookie");
        form
    }
}
