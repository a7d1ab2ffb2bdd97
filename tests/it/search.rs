//! End-to-end tests of search: the index follows every new head (API saves, commits made with the `git`
//! command line, deletes and moves), the query language (filters, phrases, prefixes, typos), facets,
//! suggestions, snippets, the results page, hostile input, and rebuilding a lost or corrupt index.
//!
//! The index catches up in the background, so tests poll `/-/api/search` with a deadline instead of timing.

use std::path::Path;

use crate::common::*;
use serde_json::{Value, json};

/// Whether the answer lists a hit for `path`.
fn has_hit(json: &Value, path: &str) -> bool {
    hit_paths(json).iter().any(|it| it == path)
}

/// Asserts that the answer's hits are exactly `expected`, in any order.
#[track_caller]
fn assert_paths(json: &Value, expected: &[&str], what: &str) {
    let mut found = hit_paths(json);
    found.sort();
    let mut expected: Vec<String> = expected.iter().map(|it| it.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "{what}: {json:#}");
    assert_eq!(json["total"], expected.len(), "{what}: total");
}

/// The hit for `path`; panics with the answer when there is none.
#[track_caller]
fn hit<'a>(json: &'a Value, path: &str) -> &'a Value {
    json["hits"]
        .as_array()
        .and_then(|hits| hits.iter().find(|it| it["path"] == path))
        .unwrap_or_else(|| panic!("no hit for {path} in {json:#}"))
}

/// The facet counts of one group (`tags`, `kinds` or `folders`) as `(value, count)` pairs, in order.
#[track_caller]
fn facet(json: &Value, group: &str) -> Vec<(String, u64)> {
    json["facets"][group]
        .as_array()
        .unwrap_or_else(|| panic!("no facets.{group} in {json:#}"))
        .iter()
        .map(|it| (it["value"].as_str().unwrap_or_default().to_string(), it["count"].as_u64().unwrap_or_default()))
        .collect()
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(value, count)| (value.to_string(), *count)).collect()
}

/// A served wiki holding `files`, once its search index is built.
async fn indexed_wiki(files: &[(&str, &str)]) -> TestWiki {
    let wiki = TestWiki::with_files(files).await;
    wiki.wait_for_search_index().await;
    wiki
}

// ---------------------------------------------------------------------------------------------------------
// Freshness

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_saved_through_the_api_becomes_searchable() {
    let wiki = indexed_wiki(&[("team/rota.md", "# Rota\n\nWho is on call this week.\n")]).await;
    assert_eq!(wiki.search("marmalade").await["total"], 0);

    let markdown = "# Breakfast\n\nThe marmalade is in the left cupboard.\n";
    let reply = wiki.put_page("kitchen/breakfast.md", &json!({"markdown": markdown}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let json = wiki.search_until("marmalade", PATIENCE, |it| has_hit(it, "kitchen/breakfast.md")).await;
    assert!(has_hit(&json, "kitchen/breakfast.md"), "a new page is not searchable after {PATIENCE:?}: {json:#}");

    // An edit of an existing page replaces its words.
    let blob = wiki.blob_at_head("team/rota.md");
    let markdown = "# Rota\n\nWho is on call this fortnight.\n";
    let reply = wiki.put_page("team/rota.md", &json!({"markdown": markdown}), Some(&blob)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = wiki.search_until("fortnight", PATIENCE, |it| has_hit(it, "team/rota.md")).await;
    assert!(has_hit(&json, "team/rota.md"), "an edit is not searchable after {PATIENCE:?}: {json:#}");
    let json = wiki.search("week ").await;
    assert!(!has_hit(&json, "team/rota.md"), "the old text is still found: {json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_made_with_git_in_the_served_work_tree_becomes_searchable() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n\nWelcome.\n")]);
    let work_tree = fixture.work_tree().to_path_buf();
    let wiki = fixture.serve().await;
    wiki.wait_for_search_index().await;
    assert_eq!(wiki.search("velodrome").await["total"], 0);

    std::fs::create_dir_all(work_tree.join("facilities")).expect("create a folder");
    std::fs::write(
        work_tree.join("facilities/bikes.md"),
        "# Bike storage\n\nThe velodrome racks are in the basement.\n",
    )
    .expect("write a page");
    git_in(&work_tree, &["add", "--all"]);
    git_in(
        &work_tree,
        &["-c", "user.name=Bob Builder", "-c", "user.email=bob@example.com", "commit", "-q", "-m", "Add bike storage"],
    );

    let json = wiki.search_until("velodrome", PATIENCE, |it| has_hit(it, "facilities/bikes.md")).await;
    assert!(has_hit(&json, "facilities/bikes.md"), "an outside commit is not searchable after {PATIENCE:?}: {json:#}");
    let found = hit(&json, "facilities/bikes.md");
    assert_eq!(found["title"], "Bike storage");
    assert_eq!(found["url"], "/facilities/bikes");
    assert_eq!(found["kind"], "page");
    assert_eq!(found["updated_by"], "Bob Builder", "{found:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_pages_disappear_from_results() {
    let wiki = indexed_wiki(&[
        ("office/plants.md", "# Plants\n\nWater the ficus on Mondays.\n"),
        ("office/kitchen.md", "# Kitchen\n\nThe ficus by the window is plastic.\n"),
    ])
    .await;
    assert_paths(&wiki.search("ficus").await, &["office/plants.md", "office/kitchen.md"], "before the delete");

    let blob = wiki.blob_at_head("office/plants.md");
    let if_match = format!("\"{blob}\"");
    let reply = wiki
        .send(
            "DELETE",
            "/-/api/pages/office/plants.md",
            &[("If-Match", if_match.as_str()), ("Content-Type", "application/json")],
            "{}",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let json = wiki.search_until("ficus", PATIENCE, |it| !has_hit(it, "office/plants.md")).await;
    assert_paths(&json, &["office/kitchen.md"], "after the delete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_pages_disappear_from_the_old_path_and_appear_at_the_new_one() {
    let wiki = indexed_wiki(&[
        ("drafts/deploying.md", "---\ntitle: Deploying\ntags: [ops]\n---\n\nRun the zeppelin pipeline.\n"),
        ("index.md", "# Home\n"),
    ])
    .await;
    assert_paths(&wiki.search("zeppelin").await, &["drafts/deploying.md"], "before the move");

    let blob = wiki.blob_at_head("drafts/deploying.md");
    let if_match = format!("\"{blob}\"");
    let reply = wiki
        .send(
            "POST",
            "/-/api/pages/drafts/deploying.md/move",
            &[("If-Match", if_match.as_str()), ("Content-Type", "application/json")],
            json!({"to": "engineering/deploying.md"}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let json = wiki.search_until("zeppelin", PATIENCE, |it| has_hit(it, "engineering/deploying.md")).await;
    assert_paths(&json, &["engineering/deploying.md"], "after the move");
    let moved = hit(&json, "engineering/deploying.md");
    assert_eq!(moved["url"], "/engineering/deploying");
    assert_eq!(moved["title"], "Deploying");
    assert_eq!(moved["tags"], json!(["ops"]));
    assert_paths(&wiki.search("zeppelin in:engineering/").await, &["engineering/deploying.md"], "in the new folder");
    assert_paths(&wiki.search("zeppelin in:drafts/").await, &[], "in the old folder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_api_answers_every_documented_field_and_pages_with_limit_and_offset() {
    let wiki = indexed_wiki(&[
        ("a.md", "---\ntitle: Alpha lanterns\ntags: [lights]\n---\n\nLanterns in the hall.\n"),
        ("b.md", "# Beta lanterns\n\nMore lanterns.\n"),
        ("c.md", "# Gamma lanterns\n\nEven more lanterns.\n"),
    ])
    .await;
    let json = wiki.search_with("q=lanterns&limit=10").await;
    for key in ["total", "took_ms", "hits", "facets", "showing_results_for", "did_you_mean", "indexing"] {
        assert!(json.get(key).is_some(), "no {key:?} in {json:#}");
    }
    assert_eq!(json["total"], 3);
    assert!(json["took_ms"].is_u64(), "{json:#}");
    assert_eq!(json["indexing"], false);
    for group in ["tags", "kinds", "folders"] {
        assert!(json["facets"][group].is_array(), "no facets.{group} in {json:#}");
    }
    let alpha = hit(&json, "a.md");
    for key in [
        "path",
        "url",
        "title",
        "kind",
        "snippet_html",
        "answer_snippet_html",
        "score",
        "tags",
        "updated_at",
        "updated_by",
    ] {
        assert!(alpha.get(key).is_some(), "no {key:?} in {alpha:#}");
    }
    assert_eq!(alpha["url"], "/a");
    assert_eq!(alpha["title"], "Alpha lanterns");
    assert_eq!(alpha["tags"], json!(["lights"]));
    assert_eq!(alpha["updated_by"], "Ann Author");
    assert!(alpha["score"].as_f64().is_some_and(|it| it > 0.0), "{alpha:#}");
    assert!(alpha["updated_at"].as_i64().is_some_and(|it| it > 1_600_000_000), "{alpha:#}");
    assert_eq!(hit(&json, "b.md")["title"], "Beta lanterns", "a title from the first heading");

    // Pages of one result each walk through the same ranking.
    let all = hit_paths(&json);
    let mut paged = Vec::new();
    for offset in 0..4 {
        let page = wiki.search_with(&format!("q=lanterns&limit=1&offset={offset}")).await;
        assert_eq!(page["total"], 3, "the total does not depend on the page: {page:#}");
        paged.extend(hit_paths(&page));
    }
    assert_eq!(paged, all);
}

// ---------------------------------------------------------------------------------------------------------
// The query language

const ANSWER_ID: &str = "20250301T090000Z-beef";

/// Ann's pages, then Bob's in a second commit: pages, a question and its accepted answer, all about budgets.
async fn budget_wiki() -> TestWiki {
    let fixture = Fixture::new();
    fixture
        .write(
            "engineering/budget.md",
            "---\ntitle: Engineering budget\ntags: [planning, engineering]\n---\n\nThe budget for cloud spend.\n",
        )
        .write("finance/travel.md", "---\ntitle: Travel policy\ntags: [finance]\n---\n\nTrips need budget approval.\n")
        .write("hr/handbook.md", "---\ntitle: HR handbook\ntags: [hr]\n---\n\nHolidays and leave.\n");
    fixture.commit(ANN, "Ann's pages");
    fixture
        .write("finance/budget-2025.md", "---\ntitle: Budget 2025\ntags: [planning, finance]\n---\n\nNext year's budget.\n")
        .write(
            "questions/budget-approval.md",
            format!(
                "---\ntitle: Who approves a budget change?\ntags: [finance]\naccepted: {ANSWER_ID}\n---\n\nI need more budget for the offsite.\n"
            ),
        )
        .write(
            &format!("questions/budget-approval/{ANSWER_ID}.md"),
            "Your budget owner approves it in the finance tool.\n",
        );
    fixture.commit(BOB, "Bob's pages");
    let wiki = fixture.serve().await;
    wiki.wait_for_search_index().await;
    wiki
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_count_tags_kinds_and_folders_of_all_results() {
    let wiki = budget_wiki().await;
    let answer = format!("questions/budget-approval/{ANSWER_ID}.md");
    let json = wiki.search("budget").await;
    assert_paths(
        &json,
        &[
            "engineering/budget.md",
            "finance/travel.md",
            "finance/budget-2025.md",
            "questions/budget-approval.md",
            &answer,
        ],
        "budget",
    );
    assert_eq!(facet(&json, "kinds"), pairs(&[("page", 3), ("answer", 1), ("question", 1)]));
    assert_eq!(facet(&json, "tags"), pairs(&[("finance", 3), ("planning", 2), ("engineering", 1)]));
    assert_eq!(facet(&json, "folders"), pairs(&[("finance", 2), ("questions", 2), ("engineering", 1)]));
    assert_eq!(hit(&json, "questions/budget-approval.md")["kind"], "question");
    assert_eq!(hit(&json, &answer)["kind"], "answer");

    // Facets count what the filters keep.
    let json = wiki.search("budget in:finance/").await;
    assert_eq!(facet(&json, "tags"), pairs(&[("finance", 2), ("planning", 1)]));
    assert_eq!(facet(&json, "kinds"), pairs(&[("page", 2)]));
    assert_eq!(facet(&json, "folders"), pairs(&[("finance", 2)]));

    // The results page offers each facet as a link that adds the filter, with its count.
    let page = wiki.get("/-/search?q=budget").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    let facet_links: Vec<(String, String)> = links(&html)
        .iter()
        .filter(|it| it.attr("href").starts_with("/-/search?"))
        .map(|it| (it.text(), it.attr("href")))
        .collect();
    let finance_href = format!("/-/search?q={}", query_value("budget tag:finance"));
    assert!(facet_links.contains(&("finance".to_string(), finance_href)), "{facet_links:#?}");
    let counts: Vec<String> = elements(&html, "li")
        .iter()
        .filter(|it| it.inner_html.contains(&format!("href=\"/-/search?q={}\"", query_value("budget tag:finance"))))
        .map(Element::text)
        .collect();
    assert_eq!(counts, ["finance 3"], "the finance facet and its count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_in_the_query_keep_only_matching_results() {
    let wiki = budget_wiki().await;
    let answer = format!("questions/budget-approval/{ANSWER_ID}.md");
    let cases: &[(&str, &[&str])] = &[
        ("budget tag:planning", &["engineering/budget.md", "finance/budget-2025.md"]),
        ("budget tag:Planning", &["engineering/budget.md", "finance/budget-2025.md"]),
        ("budget kind:question", &["questions/budget-approval.md"]),
        ("budget kind:answer", &[&answer]),
        ("budget kind:page", &["engineering/budget.md", "finance/travel.md", "finance/budget-2025.md"]),
        ("budget in:finance/", &["finance/travel.md", "finance/budget-2025.md"]),
        ("budget in:finance", &["finance/travel.md", "finance/budget-2025.md"]),
        ("budget in:questions/", &["questions/budget-approval.md", &answer]),
        ("budget author:bob", &["finance/budget-2025.md", "questions/budget-approval.md", &answer]),
        ("author:ann", &["engineering/budget.md", "finance/travel.md", "hr/handbook.md"]),
        ("tag:finance kind:page", &["finance/travel.md", "finance/budget-2025.md"]),
        ("budget tag:planning author:bob", &["finance/budget-2025.md"]),
        ("budget tag:nonexistent", &[]),
    ];
    for (query, expected) in cases {
        assert_paths(&wiki.search(query).await, expected, query);
    }
    let json = wiki.search("budget author:bob").await;
    for found in json["hits"].as_array().expect("hits") {
        assert_eq!(found["updated_by"], "Bob Builder", "{found:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_as_parameters_join_those_in_the_query() {
    let wiki = budget_wiki().await;
    let cases: &[(&str, &[&str])] = &[
        ("q=budget&tag=planning", &["engineering/budget.md", "finance/budget-2025.md"]),
        ("q=budget&kind=question", &["questions/budget-approval.md"]),
        ("q=budget&in=finance", &["finance/travel.md", "finance/budget-2025.md"]),
        ("q=budget&in=finance%2F", &["finance/travel.md", "finance/budget-2025.md"]),
        ("q=budget&author=ann", &["engineering/budget.md", "finance/travel.md"]),
        ("q=budget&tag=planning&kind=page&in=finance&author=bob", &["finance/budget-2025.md"]),
        ("q=budget%20tag%3Aplanning&in=engineering", &["engineering/budget.md"]),
        ("q=&tag=hr", &["hr/handbook.md"]),
    ];
    for (params, expected) in cases {
        assert_paths(&wiki.search_with(params).await, expected, params);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quoted_phrases_match_only_words_side_by_side() {
    let wiki = indexed_wiki(&[
        ("animals/whales.md", "# Whales\n\nThe blue whale is the largest animal.\n"),
        ("office/lobby.md", "# Lobby\n\nA whale painted blue hangs in the lobby.\n"),
    ])
    .await;
    assert_paths(&wiki.search("\"blue whale\"").await, &["animals/whales.md"], "a phrase");
    assert_paths(&wiki.search("\"Blue Whale\"").await, &["animals/whales.md"], "a phrase in capitals");
    assert_paths(&wiki.search("\"whale blue\"").await, &[], "the phrase backwards");
    assert_paths(&wiki.search("\"blue whale").await, &["animals/whales.md"], "an unclosed phrase");

    // Without quotes both match, the one holding the words side by side first.
    let json = wiki.search("blue whale").await;
    assert_eq!(hit_paths(&json), ["animals/whales.md", "office/lobby.md"], "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_word_also_matches_as_a_prefix() {
    let wiki = indexed_wiki(&[
        ("ops/kubernetes.md", "# Kubernetes upgrades\n\nHow we roll the cluster forward.\n"),
        ("index.md", "# Home\n\nWelcome.\n"),
    ])
    .await;
    for query in ["kubern", "Kub", "upgrades kubern", "roll clus", "cluster forw"] {
        let json = wiki.search(query).await;
        assert_eq!(hit_paths(&json), ["ops/kubernetes.md"], "{query:?}: {json:#}");
        assert!(json["showing_results_for"].is_null(), "{query:?} is a prefix, not a typo: {json:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelt_word_shows_results_for_the_correction() {
    let wiki = indexed_wiki(&[
        ("finance/procurement.md", "---\ntitle: Quarterly procurement review\n---\n\nWe compare suppliers.\n"),
        ("index.md", "# Home\n\nWelcome.\n"),
    ])
    .await;
    let json = wiki.search("procuremnt").await;
    assert_eq!(hit_paths(&json), ["finance/procurement.md"], "{json:#}");
    assert_eq!(json["showing_results_for"], "procurement", "{json:#}");

    // A word that is in the index is not "corrected".
    let json = wiki.search("procurement").await;
    assert!(json["showing_results_for"].is_null(), "{json:#}");

    let page = wiki.get("/-/search?q=procuremnt").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(text_of(&html).contains("Showing results for procurement"), "{}", text_of(&html));
    assert!(has_link_to(&html, "/-/search?q=procurement"), "no link to the corrected search");
    assert!(has_link_to(&html, "/finance/procurement"), "no link to the result");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelt_words_beside_a_correct_one_are_still_corrected() {
    let wiki = indexed_wiki(&[
        ("finance/procurement.md", "---\ntitle: Quarterly procurement review\n---\n\nWe compare suppliers.\n"),
        ("index.md", "# Home\n\nWelcome.\n"),
    ])
    .await;
    // Only "review" is spelt right, so only the any-word fallback finds the page: the correction of the
    // other two words must be offered, as results or as a suggestion.
    let json = wiki.search("quartely procuremnt review").await;
    assert_eq!(hit_paths(&json), ["finance/procurement.md"], "{json:#}");
    let offered = [&json["showing_results_for"], &json["did_you_mean"]];
    assert!(offered.contains(&&json!("quarterly procurement review")), "no correction offered: {json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_list_titles_first_then_headings_with_anchors() {
    let wiki = indexed_wiki(&[
        ("handbook.md", "# Team handbook\n\n## Onboarding new hires\n\nPair them with a buddy.\n\n## Offboarding\n\nCollect the laptop.\n"),
        ("onboarding/checklist.md", "---\ntitle: Onboarding checklist\n---\n\nThings to do in week one.\n"),
        ("index.md", "# Home\n\nWelcome.\n"),
    ])
    .await;
    let reply = wiki.get(&format!("/-/api/suggest?q={}", query_value("onboa"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let suggestions = reply.json()["suggestions"].clone();
    let found: Vec<(String, String, String)> = suggestions
        .as_array()
        .expect("a list of suggestions")
        .iter()
        .map(|it| {
            let text = |key: &str| it[key].as_str().unwrap_or_default().to_string();
            (text("kind"), text("title"), text("url"))
        })
        .collect();
    let expected = [
        ("title", "Onboarding checklist", "/onboarding/checklist"),
        ("heading", "Onboarding new hires", "/handbook#onboarding-new-hires"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(found, expected, "{suggestions:#}");
    assert_eq!(suggestions[1]["page_title"], "Team handbook");

    // The anchor is the heading's id on the page.
    let page = wiki.get("/handbook").await;
    assert!(page.text().contains("id=\"onboarding-new-hires\""), "{}", page.text());

    // Earlier words must match whole; the last one is a prefix.
    let json = wiki.get(&format!("/-/api/suggest?q={}", query_value("team hand"))).await.json();
    assert_eq!(json["suggestions"][0]["title"], "Team handbook", "{json:#}");
    assert_eq!(json["suggestions"][0]["url"], "/handbook", "{json:#}");
    let json = wiki.get("/-/api/suggest?q=").await.json();
    assert_eq!(json["suggestions"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_question_shows_its_accepted_answer() {
    let answer_id = "20250102T100000Z-abcd";
    let question = format!(
        "---\ntitle: How do I clear a paper jam in the big printer?\ntags: [printing]\naccepted: {answer_id}\n---\n\nThe printer on floor 2 keeps jamming.\n"
    );
    let answer_path = format!("questions/printer-jam/{answer_id}.md");
    let wiki = indexed_wiki(&[
        ("questions/printer-jam.md", &question),
        (&answer_path, "Open tray 3 and pull the green lever, then remove the sheet.\n"),
        ("questions/scanner.md", "---\ntitle: Is there a scanner near the printer?\n---\n\nI need to scan receipts.\n"),
    ])
    .await;
    let json = wiki.search("printer").await;
    let answered = hit(&json, "questions/printer-jam.md");
    assert_eq!(answered["kind"], "question");
    let answer_snippet = answered["answer_snippet_html"].as_str().unwrap_or_else(|| panic!("{answered:#}"));
    assert!(answer_snippet.contains("green lever"), "{answer_snippet}");
    assert!(hit(&json, "questions/scanner.md")["answer_snippet_html"].is_null(), "{json:#}");

    // Words of the accepted answer find the question, marked in the answer's snippet; the answer is found too.
    let json = wiki.search("lever").await;
    let answered = hit(&json, "questions/printer-jam.md");
    let answer_snippet = answered["answer_snippet_html"].as_str().unwrap_or_else(|| panic!("{answered:#}"));
    assert!(answer_snippet.contains("<mark>lever</mark>"), "{answer_snippet}");
    let answer = hit(&json, &answer_path);
    assert_eq!(answer["kind"], "answer");
    assert_eq!(answer["url"], format!("/questions/printer-jam#answer-{answer_id}"));
    assert_eq!(answer["title"], "Answer: How do I clear a paper jam in the big printer?");

    let page = wiki.get(&format!("/-/search?q={}", query_value("paper jam"))).await;
    assert!(text_of(&page.text()).contains("Accepted answer: Open tray 3"), "{}", page.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_mark_matches_and_never_carry_html_from_pages() {
    let wiki = indexed_wiki(&[
        (
            "dev/escaping.md",
            "# Escaping notes\n\nNever paste `<script>alert(1)</script>` into the xylophone form.\n\n```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```\n",
        ),
        ("dev/raw.md", "# Raw HTML\n\nA marimba sits here <script>alert(2)</script> inline.\n\n<div onclick=\"alert(3)\">alert block</div>\n"),
        ("dev/title.md", "---\ntitle: \"<img src=x onerror=alert(4)> plans\"\n---\n\nThe glockenspiel alert plans.\n"),
        ("questions/tags.md", "---\ntitle: Which tags are allowed?\naccepted: 20250101T000000Z-0001\n---\n\nFor the ocarina page.\n"),
        (
            "questions/tags/20250101T000000Z-0001.md",
            "None: `<script>alert(5)</script>` is shown as text, ocarina or not.\n\n<b onmouseover=alert(6)>bold</b>\n",
        ),
    ])
    .await;
    let json = wiki.search("ocarina").await;
    let answer_snippet =
        hit(&json, "questions/tags.md")["answer_snippet_html"].as_str().expect("an answer snippet").to_string();
    assert!(answer_snippet.contains("<mark>ocarina</mark>"), "{answer_snippet}");
    assert!(answer_snippet.contains("&lt;script&gt;"), "the code is shown, escaped: {answer_snippet}");
    let without_marks = answer_snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<'), "HTML other than <mark> in the answer snippet: {answer_snippet}");
    let json = wiki.search("xylophone").await;
    let snippet = hit(&json, "dev/escaping.md")["snippet_html"].as_str().expect("a snippet").to_string();
    assert!(snippet.contains("<mark>xylophone</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "the code is shown, escaped: {snippet}");

    for query in ["alert", "script", "xylophone", "marimba", "onerror", "img", "glockenspiel", "ocarina", "bold"] {
        let json = wiki.search(query).await;
        assert!(json["total"].as_u64().unwrap_or_default() > 0, "{query:?} finds nothing: {json:#}");
        let snippets: Vec<&str> = json["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|it| it["snippet_html"].as_str().expect("a snippet"))
            .collect();
        // A hit that matches by its title alone has no passage to mark.
        assert!(snippets.iter().any(|it| it.contains("<mark>")), "{query:?}: no <mark> in {snippets:#?}");
        for snippet in snippets {
            let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
            assert!(!without_marks.contains('<'), "{query:?}: HTML other than <mark> in {snippet}");
        }
        let page = wiki.get(&format!("/-/search?q={query}")).await;
        assert_eq!(page.status, 200, "{query:?}");
        assert_safe_html_page(&page, &format!("/-/search?q={query}"));
        let html = page.text();
        assert!(!html.contains("<img src=x"), "{query:?}: raw <img> from a page on the results page");
        assert!(!html.contains("onclick="), "{query:?}: raw onclick from a page on the results page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_no_results_page_offers_to_ask_the_query_as_a_question() {
    let wiki = indexed_wiki(&[("index.md", "# Home\n\nWelcome to the wiki.\n")]).await;
    assert_eq!(wiki.search("zeppelin quadrille").await["total"], 0);
    let page = wiki.get(&format!("/-/search?q={}", query_value("zeppelin quadrille"))).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(text_of(&html).contains("Nothing in the wiki matches"), "{}", text_of(&html));
    let ask = link_with_text(&html, "Ask this as a question");
    assert_eq!(ask.attr("href"), format!("/-/ask?title={}", query_value("zeppelin quadrille")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ask_link_keeps_the_question_as_typed() {
    let wiki = indexed_wiki(&[("index.md", "# Home\n\nWelcome to the wiki.\n")]).await;
    let typed = "Where is the Zeppelin hangar?";
    let page = wiki.get(&format!("/-/search?q={}", query_value(typed))).await;
    assert_eq!(page.status, 200);
    let ask = link_with_text(&page.text(), "Ask this as a question");
    let href = ask.attr("href");
    let title = href.strip_prefix("/-/ask?title=").unwrap_or_else(|| panic!("not an ask link: {href}"));
    let title = percent_encoding::percent_decode_str(title).decode_utf8_lossy().into_owned();
    assert_eq!(title, typed, "the question's title is prefilled with the query as typed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underscore_prefixed_files_are_not_indexed() {
    let wiki = indexed_wiki(&[
        ("_sidebar.md", "- [Home](index.md) quokka\n"),
        ("_templates/meeting.md", "# Meeting quokka\n"),
        ("team/_drafts/plan.md", "# Plan quokka\n"),
        ("team/zoo.md", "# Zoo\n\nThe quokka enclosure.\n"),
    ])
    .await;
    assert_paths(&wiki.search("quokka").await, &["team/zoo.md"], "quokka");
}

// ---------------------------------------------------------------------------------------------------------
// Hostile input

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_never_answer_a_server_error() {
    let wiki = indexed_wiki(&[
        ("index.md", "# Home\n\nWelcome to the wiki.\n"),
        ("it/vpn.md", "---\ntitle: VPN access\ntags: [it]\n---\n\nAsk the helpdesk for a VPN account.\n"),
    ])
    .await;
    let long_word = "x".repeat(10_000);
    let long_words = "vpn ".repeat(2_500);
    let many_quotes = "\"".repeat(10_000);
    let many_parentheses = "(".repeat(5_000);
    let unicode_word = "ǅ".repeat(1_000);
    // A pasted paragraph of Chinese has no spaces: one long word.
    let chinese_paragraph = "漢字".repeat(200);
    let queries: Vec<&str> = vec![
        "\"unbalanced",
        "unbalanced\"",
        "\"",
        "\"\"",
        "\" \"",
        "((vpn) OR",
        "(",
        ")",
        "((()))",
        "vpn)",
        "AND",
        "OR",
        "NOT",
        "AND OR NOT",
        "vpn AND",
        "NOT vpn",
        "vpn OR OR",
        "-vpn",
        "+vpn",
        "vpn*",
        "*",
        "?",
        "~",
        "^2",
        "vpn~2",
        "vpn^10",
        "\\",
        "/",
        "//",
        "[vpn TO zzz]",
        "{}",
        "+-&&||!(){}[]^\"~*?:\\/",
        ".*",
        "(?i)vpn",
        "a{1000000}",
        "tag:",
        "kind:",
        "in:",
        "author:",
        "tag: kind: in: author:",
        "title:",
        ":",
        ":::",
        "tag:\"",
        "tag:\"\"",
        "in:/",
        "in://",
        "in:a//b",
        "in:../../etc",
        "in:.git/",
        "kind:nonsense",
        "kind:*",
        "author:!!!",
        "tag:a/b/c",
        "vpn\u{0}access",
        "\u{0}",
        "\u{7}\u{8}\u{1b}[31mred",
        "\t\n\r\u{b}\u{c}",
        "\u{7f}\u{85}\u{200b}\u{feff}",
        "\u{202e}nrut",
        "😀 vpn 😀",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "e\u{301}\u{301}\u{301}",
        "ﬁ",
        &long_word,
        &long_words,
        &many_quotes,
        &many_parentheses,
        &unicode_word,
        &chinese_paragraph,
        "%00",
        "%",
        "&q=",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ];
    let mut failures = Vec::new();
    for query in &queries {
        let encoded = query_value(query);
        for endpoint in ["/-/search", "/-/api/search", "/-/api/suggest"] {
            let target = format!("{endpoint}?q={encoded}");
            let reply = wiki.get(&target).await;
            if reply.status != 200 {
                let shown: String = query.chars().take(40).collect();
                failures.push(format!("{endpoint}?q={shown:?}…: {}", reply.status));
            }
        }
    }
    // Raw query strings: percent-encoded NUL and control characters, broken or non-UTF-8 encodings, odd
    // parameters. A bad request may be refused, but never with a server error.
    let raw = [
        "q=%00",
        "q=vpn%00",
        "q=%00%01%02%1b%7f",
        "q=tag%3A%00",
        "q=%",
        "q=%zz",
        "q=%FF%FE",
        "q=%C0%80",
        "q=vpn&q=access",
        "q",
        "q=vpn&limit=0",
        "q=vpn&limit=1000000",
        "q=vpn&limit=-1",
        "q=vpn&limit=abc",
        "q=vpn&offset=18446744073709551615",
        "q=vpn&offset=99999999999999999999999",
        "q=vpn&page=0",
        "q=vpn&page=18446744073709551615",
        "q=vpn&page=1844674407370955161",
        "q=vpn&kind=&tag=&in=&author=",
        "q=vpn&in=%2F%2F",
        "q=vpn&in=..%2F..",
        "q=vpn&tag=%00",
        "q=vpn&author=%00",
    ];
    for params in raw {
        for endpoint in ["/-/search", "/-/api/search", "/-/api/suggest"] {
            let target = format!("{endpoint}?{params}");
            let reply = wiki.raw_get(&target).await;
            if reply.status >= 500 {
                failures.push(format!("{target}: {}", reply.status));
            }
        }
    }
    assert!(failures.is_empty(), "hostile queries answered with errors:\n{}", failures.join("\n"));

    // The wiki still searches afterwards.
    assert!(has_hit(&wiki.search("vpn").await, "it/vpn.md"));
}

// ---------------------------------------------------------------------------------------------------------
// Rebuilding: the real binary, stopped and started again on the same data folder.

const REBUILD_PAGES: &[(&str, &str)] = &[
    ("index.md", "# Home\n\nWelcome.\n"),
    ("it/vpn.md", "---\ntitle: VPN access\ntags: [it]\n---\n\nAsk the helpdesk for a tunnelbroker account.\n"),
    ("hr/leave.md", "# Leave\n\nBook holidays in the portal.\n"),
];

/// Starts `lore serve` on the fixture's work tree and data folder, once its search index is built.
async fn serve_process(fixture: &Fixture) -> LoreProcess {
    let work_tree = fixture.work_tree().display().to_string();
    let data = fixture.root().join("data").display().to_string();
    let process = LoreProcess::serve(fixture.root(), &["--repo", &work_tree, "--data", &data]);
    wait_for_search_index_at(&process.base_url).await;
    process
}

/// Whether `lore` at `base_url` finds the VPN page for a word only its body holds; the answer when not.
async fn finds_the_vpn_page(base_url: &str) -> Result<(), String> {
    let reply = get_url(&format!("{base_url}/-/api/search?q=tunnelbroker")).await;
    if reply.status != 200 {
        return Err(format!("{}: {}", reply.status, reply.text()));
    }
    let json = reply.json();
    if hit_paths(&json) == ["it/vpn.md"] { Ok(()) } else { Err(format!("{json:#}")) }
}

fn search_index_dir(fixture: &Fixture) -> std::path::PathBuf {
    fixture.root().join("data").join("index").join("search")
}

/// The index's segment files ending in `.<extension>`.
fn segment_files(index_dir: &Path, extension: &str) -> Vec<std::path::PathBuf> {
    let mut res: Vec<_> = std::fs::read_dir(index_dir)
        .expect("the index folder exists")
        .map(|it| it.expect("a folder entry").path())
        .filter(|it| it.extension().is_some_and(|ext| ext == extension))
        .collect();
    res.sort();
    res
}

const GARBAGE: &[u8] = b"\x00\xffthis is not a tantivy file\x13\x37{\"garbage\": true}\n\x00\x00\x00\x01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_index_folder_is_rebuilt_on_the_next_start() {
    let fixture = Fixture::with_files(REBUILD_PAGES);
    let process = serve_process(&fixture).await;
    finds_the_vpn_page(&process.base_url).await.expect("the first server searches");
    process.stop();

    let index_dir = search_index_dir(&fixture);
    assert!(index_dir.join("meta.json").exists(), "no index at {}", index_dir.display());
    std::fs::remove_dir_all(&index_dir).expect("delete the index");

    let process = serve_process(&fixture).await;
    if let Err(answer) = finds_the_vpn_page(&process.base_url).await {
        panic!("no search after the index was deleted: {answer}\n{}", process.log());
    }
    assert!(index_dir.join("meta.json").exists(), "the index was not written again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_meta_json_is_rebuilt_on_the_next_start() {
    let fixture = Fixture::with_files(REBUILD_PAGES);
    let process = serve_process(&fixture).await;
    finds_the_vpn_page(&process.base_url).await.expect("the first server searches");
    process.stop();

    std::fs::write(search_index_dir(&fixture).join("meta.json"), GARBAGE).expect("corrupt meta.json");

    let process = serve_process(&fixture).await;
    if let Err(answer) = finds_the_vpn_page(&process.base_url).await {
        panic!("no search after meta.json was corrupted: {answer}\n{}", process.log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_segment_file_is_rebuilt_on_the_next_start() {
    let fixture = Fixture::with_files(REBUILD_PAGES);
    let process = serve_process(&fixture).await;
    finds_the_vpn_page(&process.base_url).await.expect("the first server searches");
    process.stop();

    let index_dir = search_index_dir(&fixture);
    let mut failures = Vec::new();
    // Each kind of segment file in turn: postings, terms, positions, stored documents, fast fields, norms.
    for extension in ["idx", "term", "pos", "store", "fast", "fieldnorm"] {
        let files = segment_files(&index_dir, extension);
        assert!(!files.is_empty(), "no .{extension} file in {}", index_dir.display());
        for file in &files {
            std::fs::write(file, GARBAGE).expect("corrupt a segment file");
        }
        let process = serve_process(&fixture).await;
        if let Err(answer) = finds_the_vpn_page(&process.base_url).await {
            failures.push(format!(".{extension}: {answer}\n{}", process.log()));
        }
        process.stop();
    }
    assert!(failures.is_empty(), "no search after a segment file was corrupted:\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lore_reindex_rebuilds_the_index_and_shows_progress() {
    let fixture = Fixture::with_files(REBUILD_PAGES);
    let work_tree = fixture.work_tree().display().to_string();
    let data = fixture.root().join("data").display().to_string();
    let output = run_lore(fixture.root(), &["reindex", "--repo", &work_tree, "--data", &data]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "lore reindex failed ({}):\n{stderr}", output.status);
    assert!(stderr.contains("Indexing pages"), "no progress in:\n{stderr}");
    assert!(stderr.contains("3/3"), "no page count in:\n{stderr}");
    assert!(search_index_dir(&fixture).join("meta.json").exists(), "no index written");

    // A server started on the rebuilt index searches at once.
    let process = serve_process(&fixture).await;
    if let Err(answer) = finds_the_vpn_page(&process.base_url).await {
        panic!("no search on the reindexed data: {answer}\n{}", process.log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lore_reindex_with_only_a_data_folder_indexes_the_managed_wiki() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let output = run_lore(dir.path(), &["reindex", "--data", &data_arg]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "lore reindex failed ({}):\n{stderr}", output.status);
    assert!(stderr.contains("Indexing pages"), "no progress in:\n{stderr}");
    assert!(data.join("index/search/meta.json").exists(), "no index written");

    // Again, over the index it just built.
    let output = run_lore(dir.path(), &["reindex", "--data", &data_arg]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "a second lore reindex failed ({}):\n{stderr}", output.status);
    assert!(stderr.contains("Indexing pages"), "no progress in:\n{stderr}");
}
