//! Folder rules leak nothing, anywhere: a leak test that cannot be fooled.
//!
//! Each test generates a wiki from a seed (a tiny xorshift: which folders are hidden, the marker words, which
//! author writes on both sides) with public folders and one or two hidden ones (`hr/**` readable by the group
//! `hr`, say). Everything about a hidden page carries a marker word of its own, random lowercase letters no
//! public text holds: its title, body, tags, aliases, owners, file name, an upload beside it, the messages of
//! the commits that touch it, the question and answer hidden with it, and the name and e-mail of an author who
//! writes only there. A shared author writes on both sides, one commit touches a public and a hidden page
//! together, a hidden page moved (its old address redirects) and a public page links to hidden pages by names
//! its author knows (a public alias, the moved page's old path).
//!
//! Five readers (anonymous, a reader and an editor outside the group, a member of the group, an admin) then
//! crawl every read endpoint the README lists, with every page, folder, tag, author and commit filled in, the
//! path-parsing bypasses (`%20hr/pay`, `hr//pay`, ...), the preview, git clone, and every same-origin link
//! found on the way (bounded). No marker may reach a reader who may not read its folder, in any status, header
//! or body, except where the request itself carried it (an echo). And every marker must reach the member and
//! the admin somewhere, so the test cannot pass by showing nothing. All leaks are collected, then reported at
//! once as `reader  status  URL  markers`.
//!
//! Named tests pin the four probes commit b6d3f0e dropped from the folder-rule test (`/-/api/review`,
//! `/-/review.atom`, `/-/api/tree`, `/-/tags`) and the figures of the experts API and of people pages.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;

use crate::common::*;
use chrono::{Duration, SecondsFormat, Utc};
use futures_util::future::join_all;
use lore::auth::{Accounts, AuthMode, FolderRule, NewUser, Role};
use serde_json::Value;

/// The password of every account (the tests use tokens).
const PASSWORD: &str = "correct horse battery staple";

/// How many links a reader's crawl follows beyond the URLs it is given.
const CRAWL_BUDGET: usize = 400;

/// Every marker starts with this, and nothing else the wiki serves does: one pass finds them all.
const MARKER_PREFIX: &str = "zq";

/// Markers are `zq`, a two-letter folder code and this many random letters.
const MARKER_RANDOM_LETTERS: usize = 7;

const ANSWER_ID: &str = "20250102T100000Z-abcd";

// ---------------------------------------------------------------------------------------------------------
// The tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_folders_leak_nothing_on_any_endpoint_seed_1() {
    check_crawl(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_folders_leak_nothing_on_any_endpoint_seed_2() {
    check_crawl(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_folders_leak_nothing_on_any_endpoint_seed_3() {
    check_crawl(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restored_probe_api_review_lists_no_hidden_page() {
    check_restored_probe(&["/-/api/review"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restored_probe_review_atom_lists_no_hidden_page() {
    check_restored_probe(&["/-/review.atom"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restored_probe_api_tree_lists_no_hidden_page() {
    // The root lists the hidden folder under its index page's title; the folder itself lists its pages.
    check_restored_probe(&["/-/api/tree", "/-/api/tree?path={folder}"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restored_probe_tags_lists_no_hidden_tag() {
    check_restored_probe(&["/-/tags"]).await;
}

/// `/-/api/experts` ranks people by the lines they wrote in the pages matching the query: for someone who may
/// not read a hidden folder, only the pages they may read count, and a hidden topic has no experts at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experts_api_counts_no_lines_in_hidden_pages() {
    let wiki = LeakWiki::start(4).await;
    let mut problems = Vec::new();
    let lines = wiki.lines_per_page_and_author().await;
    for reader in wiki.readers.iter().filter(|it| !wiki.sees_everything(it)) {
        for word in ["budget", "planning", "bands"] {
            let search = wiki.get(reader, &format!("/-/api/search?q={word}&limit=50")).await;
            let hits: Vec<String> = hit_paths(&search.json());
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            for path in &hits {
                for ((page, email), n) in &lines {
                    if page == path && *n > 0 {
                        *expected.entry(email.clone()).or_default() += n;
                    }
                }
            }
            let reply = wiki.get(reader, &format!("/-/api/experts?q={word}&limit=50")).await;
            let actual: BTreeMap<String, u64> = reply.json()["experts"]
                .as_array()
                .map(|it| {
                    it.iter()
                        .map(|e| {
                            let email = e["email"].as_str().unwrap_or_default().to_string();
                            (email, e["surviving_lines"].as_u64().unwrap_or_default())
                        })
                        .collect()
                })
                .unwrap_or_default();
            if reply.status != 200 || actual != expected {
                problems.push(format!(
                    "{}: /-/api/experts?q={word}: surviving lines per expert {actual:?}, expected {expected:?} \
                     (from the pages this reader finds: {hits:?})",
                    reader.label
                ));
            }
        }
        for marker in wiki.world.markers.iter().filter(|it| !wiki.may_read(reader, it.folder)) {
            if !marker.what.contains("body") && !marker.what.contains("title") {
                continue;
            }
            let reply = wiki.get(reader, &format!("/-/api/experts?q={}", marker.word)).await;
            let experts = reply.json()["experts"].as_array().cloned().unwrap_or_default();
            if !experts.is_empty() {
                let names: Vec<&str> = experts.iter().filter_map(|it| it["email"].as_str()).collect();
                problems.push(format!(
                    "{}: /-/api/experts?q=<{}> names experts on a hidden topic: {names:?}",
                    reader.label, marker.what
                ));
            }
        }
    }
    assert!(problems.is_empty(), "seed 4, experts:\n{}", problems.join("\n"));
}

/// People pages and the people API count lines, tags, commits, answers and activity in the pages a reader may
/// read only: the shared author's figures equal those worked out from the readable pages and commits, and the
/// author who writes only in a hidden folder is nobody to outsiders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_page_and_api_count_no_hidden_pages() {
    let wiki = LeakWiki::start(5).await;
    let mut problems = Vec::new();
    let lines = wiki.lines_per_page_and_author().await;
    let commits = wiki.commits_with_files();
    let shared = wiki.world.shared.email.clone();
    for reader in wiki.readers.iter().filter(|it| !wiki.sees_everything(it)) {
        let who = &reader.label;
        let readable = |path: &str| wiki.may_read_path(reader, path);
        // Lines and tag strengths, from the pages this reader may read.
        let mut surviving = 0;
        let mut tags: BTreeMap<String, u64> = BTreeMap::new();
        for ((page, email), n) in &lines {
            if *email == shared && readable(page) {
                surviving += n;
                for tag in wiki.world.page_tags.get(page).into_iter().flatten() {
                    *tags.entry(tag.clone()).or_default() += n;
                }
            }
        }
        let mut tags: Vec<(String, u64)> = tags.into_iter().collect();
        tags.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        tags.truncate(10);
        let visible_commits: Vec<&(String, String, i64, Vec<String>)> = commits
            .iter()
            .filter(|(_, email, _, files)| *email == shared && files.iter().any(|it| readable(it)))
            .collect();
        let n_commits = visible_commits.len() as u64;
        let last_active = visible_commits.iter().map(|it| it.2).max().unwrap_or_default();
        let answers: Vec<&(String, String, bool)> =
            wiki.world.answers.iter().filter(|(path, email, _)| *email == shared && readable(path)).collect();
        let n_answers = answers.len() as u64;
        let n_accepted = answers.iter().filter(|it| it.2).count() as u64;

        let reply = wiki.get(reader, &format!("/-/api/people/{shared}")).await;
        let json = reply.json();
        let actual_tags: Vec<(String, u64)> = json["tags"]
            .as_array()
            .map(|it| {
                it.iter().map(|t| (t[0].as_str().unwrap_or_default().to_string(), t[1].as_u64().unwrap_or(0))).collect()
            })
            .unwrap_or_default();
        for (field, actual, expected) in [
            ("surviving_lines", json["surviving_lines"].as_u64(), surviving),
            ("n_commits", json["n_commits"].as_u64(), n_commits),
            ("n_answers", json["n_answers"].as_u64(), n_answers),
            ("n_accepted", json["n_accepted"].as_u64(), n_accepted),
        ] {
            if actual != Some(expected) {
                problems.push(format!("{who}: /-/api/people/<shared>: {field} is {actual:?}, expected {expected}"));
            }
        }
        if json["last_active"].as_i64() != Some(last_active) {
            problems.push(format!(
                "{who}: /-/api/people/<shared>: last_active is {}, expected {last_active} (the last readable commit)",
                json["last_active"]
            ));
        }
        if actual_tags != tags {
            problems.push(format!("{who}: /-/api/people/<shared>: tags {actual_tags:?}, expected {tags:?}"));
        }
        let hidden_pages: Vec<&str> = json["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|it| it["path"].as_str())
            .filter(|it| !readable(it))
            .collect();
        if !hidden_pages.is_empty() {
            problems.push(format!("{who}: /-/api/people/<shared> lists pages {hidden_pages:?}"));
        }

        let page = wiki.get(reader, &format!("/-/people/{shared}")).await;
        let html = page.text();
        for (figure, expected) in [("Lines still standing", surviving), ("Commits", n_commits)] {
            let shown = figure_on_person_page(&html, figure);
            if shown != Some(expected) {
                problems.push(format!("{who}: /-/people/<shared> shows {figure} {shown:?}, expected {expected}"));
            }
        }
        for marker in wiki.found_markers(&html) {
            if !wiki.may_read(reader, wiki.world.markers[marker].folder) {
                problems.push(format!("{who}: /-/people/<shared> shows {}", wiki.world.markers[marker].what));
            }
        }

        for hidden in wiki.world.hidden.iter().filter(|it| !reader.groups.contains(&it.group)) {
            for url in [format!("/-/api/people/{}", hidden.writer.email), format!("/-/people/{}", hidden.writer.email)]
            {
                let reply = wiki.get(reader, &url).await;
                let json = serde_json::from_slice::<Value>(&reply.body).unwrap_or_default();
                let counted = ["surviving_lines", "n_commits", "n_answers"]
                    .iter()
                    .any(|it| json[*it].as_u64().is_some_and(|n| n > 0));
                if reply.status == 200 && (counted || !url.contains("/api/")) {
                    problems.push(format!(
                        "{who}: GET {url} answers 200 about an author who writes only in {}/: {}",
                        hidden.folder,
                        text_of(&reply.text()).chars().take(300).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "seed 5, people:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------
// The crawl

async fn check_crawl(seed: u64) {
    let started = std::time::Instant::now();
    let wiki = LeakWiki::start(seed).await;
    let probes = wiki.probes();
    let reports = join_all(wiki.readers.iter().map(|reader| wiki.crawl(reader, &probes))).await;
    let mut problems = Vec::new();
    let mut leaks = Vec::new();
    for (reader, report) in wiki.readers.iter().zip(&reports) {
        leaks.extend(report.leaks.iter().cloned());
        problems.extend(report.problems.iter().cloned());
        // Members and admins must see every marker they may read: otherwise the test proves nothing.
        if reader.admin || !reader.groups.is_empty() {
            for (i, marker) in wiki.world.markers.iter().enumerate() {
                if wiki.may_read(reader, marker.folder) && !report.seen.contains(&i) {
                    problems.push(format!(
                        "{} never saw the marker of {} ({}): a reader who may read it must find it somewhere",
                        reader.label, marker.what, marker.word
                    ));
                }
            }
        }
    }
    let n_requests: usize = reports.iter().map(|it| it.n_requests).sum();
    eprintln!("seed {seed}: {n_requests} requests in {:?}", started.elapsed());
    if leaks.is_empty() && problems.is_empty() {
        return;
    }
    // One line per kind of URL: who got what.
    let mut by_pattern: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for leak in &leaks {
        let entry = by_pattern.entry(wiki.pattern(&leak.request)).or_default();
        entry.0.insert(leak.reader.split(' ').next().unwrap_or_default().to_string());
        entry.1.extend(leak.markers.iter().map(|it| wiki.generic(&wiki.world.markers[*it].what)));
    }
    let mut message = format!("seed {seed}: {} leaking answers\n\n", leaks.len());
    message.push_str(&wiki.world.describe());
    message.push_str("\nLeaks by kind of request (readers: what leaked):\n");
    for (pattern, (readers, whats)) in &by_pattern {
        let readers: Vec<&str> = readers.iter().map(String::as_str).collect();
        let whats: Vec<&str> = whats.iter().map(String::as_str).collect();
        message.push_str(&format!("  {pattern}\n      {}: {}\n", readers.join(", "), whats.join("; ")));
    }
    message.push_str("\nEvery leak (reader, status, request, markers):\n");
    for leak in &leaks {
        let markers: Vec<String> = leak
            .markers
            .iter()
            .map(|it| format!("{}={}", wiki.world.markers[*it].word, wiki.world.markers[*it].what))
            .collect();
        message.push_str(&format!("  {} {} {} {}\n", leak.reader, leak.status, leak.request, markers.join(" ")));
    }
    if !problems.is_empty() {
        message.push_str("\nOther problems:\n");
        for problem in &problems {
            message.push_str(&format!("  {problem}\n"));
        }
    }
    panic!("{message}");
}

/// One request of a crawl.
#[derive(Debug, Clone)]
enum Probe {
    /// `GET` with a client (which normalises nothing but dot segments).
    Get(String),
    /// `GET` sent byte for byte: the path-parsing bypasses.
    Raw(String),
    /// `POST /-/preview` of this Markdown.
    Preview(String),
    /// `git clone` of the wiki.
    Clone,
}

impl Probe {
    fn describe(&self) -> String {
        match self {
            Probe::Get(it) => it.clone(),
            Probe::Raw(it) => format!("{it} (raw)"),
            Probe::Preview(markdown) => format!("POST /-/preview {markdown:?}"),
            Probe::Clone => "git clone /wiki.git".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Leak {
    reader: String,
    status: String,
    request: String,
    markers: Vec<usize>,
}

#[derive(Default)]
struct CrawlReport {
    leaks: Vec<Leak>,
    problems: Vec<String>,
    /// The markers this reader saw in answers to requests that did not carry them.
    seen: BTreeSet<usize>,
    n_requests: usize,
}

impl LeakWiki {
    /// Every URL to try, for every reader.
    fn probes(&self) -> Vec<Probe> {
        let world = &self.world;
        let mut res: Vec<String> = [
            "/",
            "/-/pages",
            "/-/healthz",
            "/-/changes",
            "/-/changes?page=2",
            "/-/changes.atom",
            "/-/api/changes",
            "/-/api/changes?limit=500",
            "/-/tags",
            "/-/api/tags",
            "/-/links/broken",
            "/-/links/orphans",
            "/-/people",
            "/-/review",
            "/-/review?reason=review",
            "/-/review?reason=owner",
            "/-/review?reason=links",
            "/-/review?reason=unanswered",
            "/-/review?reason=author",
            "/-/review.atom",
            "/-/api/review",
            "/-/questions",
            "/-/questions?status=open",
            "/-/questions?status=answered",
            "/-/questions?filter=unanswered",
            "/-/questions.atom",
            "/-/api/questions",
            "/-/api/tree",
            "/-/search?q=",
            "/-/api/search?q=",
            "/-/ask",
            "/-/new",
            "/-/api/me",
            "/wiki.git/info/refs?service=git-upload-pack",
        ]
        .iter()
        .map(|it| it.to_string())
        .collect();
        res.push("/-/questions/how-should-we-plan-the-budget/answers.atom".into());
        for _ in 0..8 {
            res.push("/-/random".into());
        }
        for folder in &world.folders {
            res.push(format!("/{folder}/"));
            res.push(format!("/{folder}"));
            res.push(format!("/-/api/tree?path={folder}"));
            res.push(format!("/-/changes?folder={folder}/"));
            res.push(format!("/-/changes.atom?path={folder}/"));
            res.push(format!("/-/search?q=in:{folder}"));
            res.push(format!("/-/api/search?q=&in={folder}"));
        }
        for file in &world.files {
            let page = file.strip_suffix(".md").unwrap_or(file);
            res.push(format!("/{page}"));
            res.push(format!("/{file}"));
            res.push(format!("/-/raw/{file}"));
            res.push(format!("/-/history/{page}"));
            res.push(format!("/-/blame/{page}"));
            res.push(format!("/-/diff/{page}"));
            res.push(format!("/-/api/pages/{page}"));
            res.push(format!("/-/api/history/{file}"));
            res.push(format!("/-/api/diff/{file}"));
            res.push(format!("/-/api/links/{file}"));
            res.push(format!("/-/changes.atom?path={file}"));
            res.push(format!("/-/changes?path={file}"));
            res.push(format!("/-/edit/{page}"));
        }
        for tag in &world.tags {
            res.push(format!("/-/tags/{tag}"));
            res.push(format!("/-/tags/{tag}?sort=updated"));
            res.push(format!("/-/api/tags/{tag}"));
            res.push(format!("/-/changes.atom?tag={tag}"));
            res.push(format!("/-/changes?tag={tag}"));
            res.push(format!("/-/search?q=tag:{tag}"));
            res.push(format!("/-/api/search?q=&tag={tag}"));
            res.push(format!("/-/questions?tag={tag}"));
        }
        for email in &world.authors {
            let email = query_value(email);
            res.push(format!("/-/people/{email}"));
            res.push(format!("/-/api/people/{email}"));
            res.push(format!("/-/changes?author={email}"));
            res.push(format!("/-/review?orphaned=1&person={email}"));
            res.push(format!("/-/api/review?orphaned=1&person={email}"));
            res.push(format!("/-/review.atom?owner={email}"));
            res.push(format!("/-/review?owner={email}"));
            res.push(format!("/-/search?q=author:{email}"));
            res.push(format!("/-/api/search?q=&author={email}"));
        }
        let first = world.commits.first().cloned().unwrap_or_default();
        let head = world.commits.last().cloned().unwrap_or_default();
        for commit in &world.commits {
            res.push(format!("/-/commit/{commit}"));
            res.push(format!("/-/commit/{}", &commit[..10]));
            for page in world.public_pages.iter().chain(world.hidden.iter().map(|it| &it.page)) {
                res.push(format!("/{}?rev={commit}", page.strip_suffix(".md").unwrap_or(page)));
            }
        }
        for page in &world.public_pages {
            let page = page.strip_suffix(".md").unwrap_or(page);
            res.push(format!("/-/diff/{page}?from={first}&to={head}"));
            res.push(format!("/-/diff/{page}?from={first}&to={head}&view=split"));
            res.push(format!("/-/api/diff/{page}.md?from={first}&to={head}"));
        }
        for hidden in &world.hidden {
            // Old versions and diffs of hidden pages, asked for by commit.
            let page = hidden.page.strip_suffix(".md").unwrap_or(&hidden.page);
            res.push(format!("/{page}?rev={head}"));
            res.push(format!("/-/diff/{page}?from={first}&to={head}"));
            let old = hidden.moved_from.strip_suffix(".md").unwrap_or(&hidden.moved_from);
            for url in [format!("/{old}"), format!("/{old}?rev={head}"), format!("/-/history/{old}")] {
                res.push(url);
            }
            // Addresses that name a hidden page without its path: its aliases, its title, its file name.
            for name in [&hidden.public_alias, &hidden.alias, &hidden.title] {
                res.push(format!("/{}", name.split_whitespace().collect::<Vec<_>>().join("-")));
            }
            let file_name = page.rsplit('/').next().unwrap_or_default();
            res.push(format!("/{file_name}"));
            res.push(format!("/-/questions/{}/answers.atom", hidden.question_slug()));
        }
        for marker in &world.markers {
            let word = &marker.word;
            res.push(format!("/-/api/search?q={word}"));
            res.push(format!("/-/api/experts?q={word}"));
            if marker.what.contains("title") || marker.what.contains("body") {
                res.push(format!("/-/search?q={word}"));
                // One letter off: "did you mean" must not offer a hidden word.
                res.push(format!("/-/search?q={}", typo(word)));
                res.push(format!("/-/api/search?q={}", typo(word)));
            }
            if marker.what.contains("title") || marker.what.contains("alias") || marker.what.contains("file") {
                for n in [4, 6, 8] {
                    res.push(format!("/-/api/suggest?q={}", &word[..n]));
                }
            }
        }
        for word in [
            "budget", "planning", "salary", "bands", "payroll", "handbook", "hiring", "plan", "question", "chart",
            "sheet", "notes", "folder", "overview", "corner", "approval", "late", "team",
        ] {
            res.push(format!("/-/search?q={word}"));
            res.push(format!("/-/api/search?q={word}"));
            res.push(format!("/-/api/search?q={word}&limit=100"));
            res.push(format!("/-/api/experts?q={word}"));
            res.push(format!("/-/api/experts?q={word}&limit=50"));
            res.push(format!("/-/api/suggest?q={word}"));
            res.push(format!("/-/api/suggest?q={}", &word[..3]));
        }
        for prefix in [MARKER_PREFIX.to_string(), "payroll h".into(), "sal".into()] {
            res.push(format!("/-/api/suggest?q={}", query_value(&prefix)));
        }
        // The editor's mention finder: everyone, and names and e-mails by part.
        res.push("/-/api/people?q=&limit=20".to_string());
        res.push(format!("/-/api/people?q={}&limit=20", query_value(MARKER_PREFIX)));
        res.push("/-/api/people?q=writer&limit=20".to_string());
        res.push("/-/api/people?q=example.com&limit=20".to_string());
        for hidden in &world.hidden {
            res.push(format!("/-/api/suggest?q={MARKER_PREFIX}{}", hidden.code));
        }
        let mut probes: Vec<Probe> = res.into_iter().map(Probe::Get).collect();
        // The path-parsing bypasses, sent byte for byte.
        for hidden in &world.hidden {
            for page in [&hidden.page, &hidden.moved_to] {
                let page = page.strip_suffix(".md").unwrap_or(page);
                let (folder, name) = page.split_once('/').expect("hidden pages are in a folder");
                let variants = [
                    format!("%20{page}"),
                    format!("%09{page}"),
                    format!("%C2%A0{page}"),
                    format!("{page}%20"),
                    format!("{folder}/./{name}"),
                    format!("{folder}//{name}"),
                    format!("{}/{name}", folder.to_uppercase()),
                    format!("{folder}/%2e/{name}"),
                    format!("./{page}"),
                    format!("{page}/"),
                    format!("{folder}%2F{name}"),
                    format!("{folder}/x/../{name}"),
                ];
                for variant in variants {
                    for prefix in [
                        "/",
                        "/-/raw/",
                        "/-/history/",
                        "/-/diff/",
                        "/-/blame/",
                        "/-/api/pages/",
                        "/-/api/history/",
                        "/-/api/diff/",
                        "/-/api/links/",
                    ] {
                        probes.push(Probe::Raw(format!("{prefix}{variant}")));
                        if prefix.starts_with("/-/") {
                            probes.push(Probe::Raw(format!("{prefix}{variant}.md")));
                        }
                    }
                }
            }
        }
        // The preview resolves wiki links: to pages this reader may read only.
        for hidden in &world.hidden {
            probes.push(Probe::Preview(format!(
                "See [[{}]], [[{}]] and [[{}]].\n\n![chart](../{}/old-plan.md)\n",
                hidden.title, hidden.alias, hidden.public_alias, hidden.folder
            )));
        }
        probes.push(Probe::Clone);
        probes
    }

    /// Sends every probe as `reader`, then follows the same-origin links found on the way (at most
    /// [`CRAWL_BUDGET`]), and reports every marker that reached a reader who may not read it.
    async fn crawl(&self, reader: &ReaderAccount, probes: &[Probe]) -> CrawlReport {
        let mut report = CrawlReport::default();
        let mut visited: BTreeSet<String> = BTreeSet::new();
        let mut queue: VecDeque<Probe> = probes.iter().cloned().collect();
        let mut n_followed = 0;
        while let Some(probe) = queue.pop_front() {
            if let Probe::Get(url) = &probe {
                visited.insert(url.clone());
            }
            let (status, answer, links) = self.send(reader, &probe).await;
            report.n_requests += 1;
            let request = match &probe {
                Probe::Get(it) | Probe::Raw(it) => percent_decode(it),
                Probe::Preview(markdown) => markdown.clone(),
                Probe::Clone => String::new(),
            };
            let echoed: BTreeSet<usize> = self.found_markers(&request).into_iter().collect();
            let mut leaked = Vec::new();
            for marker in self.found_markers(&answer) {
                if echoed.contains(&marker) {
                    continue;
                }
                if self.may_read(reader, self.world.markers[marker].folder) {
                    report.seen.insert(marker);
                } else {
                    leaked.push(marker);
                }
            }
            if matches!(probe, Probe::Clone) && reader.admin && status != "cloned" {
                report.problems.push(format!("{}: git clone failed: {answer}", reader.label));
            }
            if !leaked.is_empty() {
                report.leaks.push(Leak {
                    reader: reader.label.clone(),
                    status,
                    request: probe.describe(),
                    markers: leaked,
                });
            }
            for link in links {
                if n_followed >= CRAWL_BUDGET || visited.contains(&link) {
                    continue;
                }
                visited.insert(link.clone());
                n_followed += 1;
                queue.push_back(Probe::Get(link));
            }
        }
        report
    }

    /// Sends one probe as `reader`: the status, everything answered (status, headers, body) as one lowercase
    /// text, and the same-origin links in it worth following.
    async fn send(&self, reader: &ReaderAccount, probe: &Probe) -> (String, String, Vec<String>) {
        let authorization = reader.token.as_ref().map(|it| format!("Bearer {it}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(authorization) = &authorization {
            headers.push(("Authorization", authorization));
        }
        let reply = match probe {
            Probe::Get(url) => self.wiki.send("GET", url, &headers, Vec::new()).await,
            Probe::Raw(target) => {
                let auth_line = authorization.as_ref().map(|it| format!("Authorization: {it}\r\n")).unwrap_or_default();
                raw_request(
                    self.wiki.addr,
                    &format!(
                        "GET {target} HTTP/1.1\r\nHost: {}\r\n{auth_line}Connection: close\r\n\r\n",
                        self.wiki.addr
                    ),
                )
                .await
            }
            Probe::Preview(markdown) => {
                headers.push(("Content-Type", "application/x-www-form-urlencoded"));
                let body = format!("markdown={}&path=guide%2Fpreview.md", query_value(markdown));
                self.wiki.send("POST", "/-/preview", &headers, body).await
            }
            Probe::Clone => return self.clone_as(reader).await,
        };
        let mut answer = format!("{}\n", reply.status);
        for (name, value) in &reply.headers {
            answer.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
        }
        let body = String::from_utf8_lossy(&reply.body).into_owned();
        answer.push_str(&body);
        let mut links = Vec::new();
        if let Some(location) = reply.header("location") {
            links.push(location);
        }
        let content_type = reply.content_type();
        if content_type.contains("html") || content_type.contains("xml") {
            links.extend(attribute_values(&body, "href"));
            links.extend(attribute_values(&body, "src"));
        }
        let links = links.into_iter().filter_map(|it| self.followable(&it)).collect();
        (reply.status.to_string(), answer.to_lowercase(), links)
    }

    /// `git clone` as `reader`: what a clone holds (every commit with its patch, every file name), or why not.
    async fn clone_as(&self, reader: &ReaderAccount) -> (String, String, Vec<String>) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut args: Vec<String> = Vec::new();
        if let Some(token) = &reader.token {
            args.extend(["-c".into(), format!("http.extraHeader=Authorization: Bearer {token}")]);
        }
        args.extend(["clone".into(), "--quiet".into(), self.wiki.url("/wiki.git"), "work".into()]);
        let cwd = dir.path().to_path_buf();
        let output = blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let clone = git_command(&cwd, &args).output().expect("git is installed");
            let mut text =
                format!("{}{}", String::from_utf8_lossy(&clone.stdout), String::from_utf8_lossy(&clone.stderr));
            if clone.status.success() {
                let work = cwd.join("work");
                for args in [
                    &["log", "--all", "-p", "--binary", "--format=%H %an <%ae> %cn <%ce>%n%B"][..],
                    &["ls-tree", "-r", "--name-only", "HEAD"][..],
                ] {
                    let out = git_command(&work, args).output().expect("git is installed");
                    text.push_str(&String::from_utf8_lossy(&out.stdout));
                }
            }
            (if clone.status.success() { "cloned" } else { "refused" }.to_string(), text)
        })
        .await;
        (output.0, output.1.to_lowercase(), Vec::new())
    }

    /// The path and query of a same-origin link worth following, or `None`.
    fn followable(&self, link: &str) -> Option<String> {
        let link = link.strip_prefix(&self.wiki.base_url).unwrap_or(link);
        let link = link.split('#').next().unwrap_or_default();
        let skip = ["/-/static/", "/-/logout", "/-/login", "/-/account", "/wiki.git"];
        if !link.starts_with('/') || link.starts_with("//") || skip.iter().any(|it| link.starts_with(it)) {
            return None;
        }
        Some(link.to_string())
    }

    /// The markers in `text` (any case), by index.
    fn found_markers(&self, text: &str) -> Vec<usize> {
        let text = text.to_lowercase();
        let len = MARKER_PREFIX.len() + 2 + MARKER_RANDOM_LETTERS;
        let mut res = BTreeSet::new();
        for (at, _) in text.match_indices(MARKER_PREFIX) {
            if let Some(word) = text.get(at..at + len)
                && let Some(i) = self.marker_index.get(word)
            {
                res.insert(*i);
            }
        }
        res.into_iter().collect()
    }

    /// A request with query values, markers, e-mails and hidden folders replaced by placeholders, to group
    /// leaks.
    fn pattern(&self, request: &str) -> String {
        let (path, query) = request.split_once('?').unwrap_or((request, ""));
        let mut res = path.to_string();
        for marker in &self.world.markers {
            res = res.replace(&marker.word, "<marker>");
        }
        for commit in &self.world.commits {
            res = res.replace(commit.as_str(), "<sha>").replace(&commit[..10], "<sha>");
        }
        for email in &self.world.authors {
            res = res.replace(email.as_str(), "<email>").replace(&query_value(email), "<email>");
        }
        for hidden in &self.world.hidden {
            res = res.replace(&format!("{}/", hidden.folder), "<hidden>/");
            res = res.replace(&format!("{}/", hidden.folder.to_uppercase()), "<HIDDEN>/");
            res = res.replace(&format!("questions/{}-", hidden.code), "questions/<code>-");
            res = res.replace(&format!("handbook-{}", hidden.code), "handbook-<code>");
        }
        if !query.is_empty() {
            let (query, rest) = query.split_once(' ').map_or((query, ""), |(q, rest)| (q, rest));
            let names: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, "")) => format!("{name}="),
                    Some((name, _)) => format!("{name}=<v>"),
                    None => pair.to_string(),
                })
                .collect();
            res = format!("{res}?{}{}{rest}", names.join("&"), if rest.is_empty() { "" } else { " " });
        }
        res
    }

    /// What a marker names, without the folder it is in.
    fn generic(&self, what: &str) -> String {
        let mut res = what.to_string();
        for hidden in &self.world.hidden {
            res = res.replace(&format!("{}/", hidden.folder), "<hidden>/");
        }
        res
    }
}

/// `word` with its last letter changed.
fn typo(word: &str) -> String {
    let last = word.chars().last().unwrap_or('a');
    let other = if last == 'x' { 'y' } else { 'x' };
    format!("{}{other}", &word[..word.len() - 1])
}

/// Every value of `name="..."` in `html`, entity-decoded.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| unescape(&rest[..end]))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The number after `<dt>{figure}</dt><dd>` on a person page.
fn figure_on_person_page(html: &str, figure: &str) -> Option<u64> {
    let start = html.find(&format!("<dt>{figure}</dt><dd>"))? + figure.len() + 13;
    html[start..].split('<').next()?.trim().parse().ok()
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.expect("the blocking task finished")
}

// ---------------------------------------------------------------------------------------------------------
// The restored probes

/// `probes` (`{folder}` stands for the hidden folder) answer 200 to everyone, name no hidden marker to anyone
/// outside the group, and name one to the member and the admin (else the probe would prove nothing).
async fn check_restored_probe(probes: &[&str]) {
    let wiki = LeakWiki::start(0).await;
    let hidden = &wiki.world.hidden[0];
    let mut problems = Vec::new();
    for reader in &wiki.readers {
        let mut seen = false;
        for probe in probes {
            let url = probe.replace("{folder}", &hidden.folder);
            let reply = wiki.get(reader, &url).await;
            let mut answer = reply.text();
            for (name, value) in &reply.headers {
                answer.push_str(&format!("\n{name}: {}", String::from_utf8_lossy(value.as_bytes())));
            }
            let markers = wiki.found_markers(&answer);
            let insider = wiki.may_read(reader, 0);
            seen |= markers.iter().any(|it| wiki.world.markers[*it].folder == 0);
            let leaked: Vec<&str> = markers
                .iter()
                .filter(|it| !wiki.may_read(reader, wiki.world.markers[**it].folder))
                .map(|it| wiki.world.markers[*it].what.as_str())
                .collect();
            if !leaked.is_empty() {
                problems.push(format!("{}: GET {url} answered {} showing {leaked:?}", reader.label, reply.status));
            }
            let expected_ok = reply.status == 200 || (!insider && url.contains("?path=") && reply.status == 404);
            if !expected_ok {
                problems.push(format!("{}: GET {url} answered {}: {}", reader.label, reply.status, reply.text()));
            }
        }
        if wiki.may_read(reader, 0) && !seen {
            problems.push(format!(
                "{}: {probes:?} show no marker of {}/, which this reader may read: the probe proves nothing",
                reader.label, hidden.folder
            ));
        }
    }
    assert!(problems.is_empty(), "seed 0, {probes:?}:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------
// The generated wiki

/// A tiny xorshift64*: deterministic from the seed, no crate needed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn letters(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'a' + self.below(26) as u8)).collect()
    }
}

#[derive(Debug, Clone)]
struct Person {
    name: String,
    email: String,
}

impl Person {
    fn new(name: &str, email: &str) -> Person {
        Person { name: name.into(), email: email.into() }
    }
}

/// A marker word, the hidden folder it belongs to (index into `World::hidden`), and what it names.
#[derive(Debug, Clone)]
struct Marker {
    word: String,
    folder: usize,
    what: String,
}

/// A hidden folder and what the generator put in it.
#[derive(Debug, Clone)]
struct Hidden {
    folder: String,
    group: String,
    /// Two letters in every marker of this folder.
    code: String,
    /// Writes only here.
    writer: Person,
    /// The main page (`hr/pay-<marker>.md`): aliases, owners, review period, an image, a broken link.
    page: String,
    title: String,
    alias: String,
    /// An alias without a marker, which a public page uses to link here.
    public_alias: String,
    /// The moved page: from a path public pages know to one with a marker.
    moved_from: String,
    moved_to: String,
    /// The question hidden by a rule of its own (`questions/hr-*`).
    question: String,
}

impl Hidden {
    fn question_slug(&self) -> String {
        self.question.trim_start_matches("questions/").trim_end_matches(".md").to_string()
    }
}

/// The generated repository, with what the tests need to know about it.
struct World {
    seed: u64,
    fixture: Fixture,
    hidden: Vec<Hidden>,
    markers: Vec<Marker>,
    /// Writes public and hidden pages.
    shared: Person,
    /// Writes only public pages.
    public_author: Person,
    /// Public pages (with `.md`).
    public_pages: Vec<String>,
    /// Every file at the head, the moved page's old path, and the hidden question's answer.
    files: Vec<String>,
    folders: Vec<String>,
    tags: Vec<String>,
    /// The tags of every page, by path.
    page_tags: BTreeMap<String, Vec<String>>,
    /// Every author's e-mail.
    authors: Vec<String>,
    /// Every commit, oldest first.
    commits: Vec<String>,
    /// (answer path, author e-mail, accepted).
    answers: Vec<(String, String, bool)>,
}

/// The hidden folders a seed chooses from: (folder, group, code).
const HIDDEN_CHOICES: [(&str, &str, &str); 4] =
    [("hr", "hr", "hr"), ("legal", "legal", "lg"), ("finance", "finance", "fn"), ("security", "security", "sc")];

/// The authors a seed chooses the shared and the public author from.
const PEOPLE: [(&str, &str); 3] =
    [("Ann Author", "ann@example.com"), ("Bob Builder", "bob@example.com"), ("Carol Keeper", "carol@example.com")];

impl World {
    fn generate(seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let n_hidden = 1 + (seed as usize % 2);
        let mut choices: Vec<(&str, &str, &str)> = HIDDEN_CHOICES.to_vec();
        let mut chosen = Vec::new();
        for _ in 0..n_hidden {
            chosen.push(choices.remove(rng.below(choices.len())));
        }
        let shared_at = rng.below(PEOPLE.len());
        let public_at = (shared_at + 1 + rng.below(PEOPLE.len() - 1)) % PEOPLE.len();
        let shared = Person::new(PEOPLE[shared_at].0, PEOPLE[shared_at].1);
        let public_author = Person::new(PEOPLE[public_at].0, PEOPLE[public_at].1);

        let mut markers: Vec<Marker> = Vec::new();
        let mut mark = |rng: &mut Rng, folder: usize, code: &str, what: String| -> String {
            loop {
                let word = format!("{MARKER_PREFIX}{code}{}", rng.letters(MARKER_RANDOM_LETTERS));
                if !markers.iter().any(|it| it.word == word) {
                    markers.push(Marker { word: word.clone(), folder, what });
                    return word;
                }
            }
        };

        let fixture = Fixture::new();
        let mut commits = Vec::new();
        let mut page_tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut answers = Vec::new();
        let public_pages: Vec<String> = ["index.md", "guide/start.md", "guide/budget.md", "team/notes.md"]
            .iter()
            .map(|it| it.to_string())
            .collect();

        // Everything per hidden folder, markers first.
        struct Texts {
            hidden: Hidden,
            page_text: String,
            extended: String,
            mixed: String,
            tidied: String,
            plan_text: String,
            index_text: String,
            sidebar_text: String,
            image: String,
            image_bytes: Vec<u8>,
            question_text: String,
            answered_question: String,
            answer: String,
            messages: [String; 7],
        }
        let mut texts = Vec::new();
        for (k, (folder, group, code)) in chosen.iter().enumerate() {
            let mut m = |what: &str| mark(&mut rng, k, code, format!("{what} ({folder}/)"));
            let writer_name = m("writer's name");
            let writer_email = m("writer's e-mail");
            let writer =
                Person::new(&format!("{} Writer", capitalise(&writer_name)), &format!("{writer_email}@example.com"));
            let file = m("file name of the main page");
            let title = format!("{} salary bands", m("title of the main page"));
            let tag = m("tag");
            let alias = format!("{} sheet", m("alias"));
            let owner = m("owner");
            let body = m("body of the main page");
            let wanted = m("broken link target");
            let image_name = m("file name of the upload");
            let image_data = m("content of the upload");
            let plan_file = m("file name of the moved page");
            let plan_title = m("title of the moved page");
            let plan_body = m("body of the moved page");
            let index_title = m("title of the folder's index page");
            let index_body = m("body of the folder's index page");
            let sidebar = m("sidebar");
            let question_file = m("file name of the question");
            let question_title = m("title of the question");
            let question_body = m("body of the question");
            let answer_body = m("body of the answer");
            let messages = [
                m("message of the commit adding the folder"),
                m("message of the shared author's commit"),
                m("message of the commit touching a public and a hidden page"),
                m("message of the move"),
                m("message of the question's commit"),
                m("message of the answer's commit"),
                m("message of the shared author's last hidden commit"),
            ];
            let public_alias = format!("Payroll handbook {code}");
            let page = format!("{folder}/pay-{file}.md");
            let image = format!("{folder}/{image_name}-chart.png");
            let question = format!("questions/{code}-{question_file}.md");
            let mut page_text = format!(
                "---\ntitle: {title}\ntags: [{tag}, budget]\naliases: [{alias}, {public_alias}]\n\
                 owners: [{}, {owner} team]\nreview_every: 7d\n---\n# {title}\n\n\
                 The {body} figures for budget planning.\n\n![chart]({image_name}-chart.png)\n\n\
                 See [[Start here]] for the basics and [[{wanted} notes]], which nobody wrote yet.\n\n",
                writer.email
            );
            for i in 1..=8 {
                page_text.push_str(&format!("Band {i}: budget planning for {body} grade {i}.\n"));
            }
            let mut extended = page_text.clone();
            for i in 1..=5 {
                extended.push_str(&format!("Shared review {i} of the {body} budget bands.\n"));
            }
            let mixed = format!("{extended}Bands moved for the new year.\n");
            let tidied = format!("{mixed}Checked again by the shared author.\n");
            page_tags.insert(page.clone(), vec![tag.clone(), "budget".into()]);
            let moved_from = format!("{folder}/old-plan.md");
            let moved_to = format!("{folder}/plan-{plan_file}.md");
            let plan_text = format!(
                "---\ntitle: {plan_title} hiring plan\ntags: [{tag}]\nowners: [{}]\nreview_every: 30d\n---\n\
                 # {plan_title} hiring plan\n\nThe {plan_body} hiring plan keeps the budget in line.\n",
                writer.email
            );
            page_tags.insert(moved_to.clone(), vec![tag.clone()]);
            let index_text = format!(
                "---\ntitle: {index_title} folder\n---\n# {index_title} folder\n\nThe {index_body} overview.\n"
            );
            let sidebar_text = format!("Sidebar of the {sidebar} corner.\n");
            let mut image_bytes = PNG_1X1.to_vec();
            image_bytes.extend_from_slice(format!("\n{image_data}\n").as_bytes());
            let asked_at = (Utc::now() - Duration::days(350)).to_rfc3339_opts(SecondsFormat::Secs, true);
            let question_text = format!(
                "---\ntitle: {question_title} payroll question\ntags: [{tag}]\nasked_by: {} <{}>\n\
                 asked_at: {asked_at}\nstatus: open\n---\nWhy is the {question_body} budget late?\n",
                writer.name, writer.email
            );
            let answered_question =
                question_text.replace("status: open", &format!("status: answered\naccepted: {ANSWER_ID}"));
            page_tags.insert(question.clone(), vec![tag.clone()]);
            let answer = format!(
                "---\nauthor: {} <{}>\nanswered_at: {asked_at}\n---\nBecause the {answer_body} budget waits for approval.\n",
                shared.name, shared.email
            );
            let answer_path = format!("questions/{code}-{question_file}/{ANSWER_ID}.md");
            answers.push((answer_path, shared.email.clone(), true));
            let hidden = Hidden {
                folder: folder.to_string(),
                group: group.to_string(),
                code: code.to_string(),
                writer,
                page,
                title,
                alias,
                public_alias,
                moved_from,
                moved_to,
                question,
            };
            texts.push(Texts {
                hidden,
                page_text,
                extended,
                mixed,
                tidied,
                plan_text,
                index_text,
                sidebar_text,
                image,
                image_bytes,
                question_text,
                answered_question,
                answer,
                messages,
            });
        }

        // The public pages, by the public author, long ago. The budget page links to hidden pages by names its
        // author knows: a public alias and the moved page's old path.
        fixture.write("index.md", "---\ntitle: Home\ntags: [welcome]\n---\n# Home\n\nWelcome. Start with [[Start here]], then read [[Budget]].\n");
        let start = "---\ntitle: Start here\ntags: [guide, budget]\n---\n# Start here\n\n\
                     How we plan the budget each year.\nEvery team writes a budget plan in spring.\n";
        fixture.write("guide/start.md", start);
        let mut budget = String::from(
            "---\ntitle: Budget\ntags: [budget]\n---\n# Budget\n\nBudget planning for the whole company.\n",
        );
        for it in &texts {
            budget.push_str(&format!(
                "Pay questions: see [[{}]] and the [old plan](../{}).\n",
                it.hidden.public_alias, it.hidden.moved_from
            ));
        }
        fixture.write("guide/budget.md", &budget);
        fixture.write("team/notes.md", "---\ntitle: Team notes\ntags: [team]\n---\n# Team notes\n\nNotes from the team meeting about budget and planning.\n");
        page_tags.insert("index.md".into(), vec!["welcome".into()]);
        page_tags.insert("guide/start.md".into(), vec!["guide".into(), "budget".into()]);
        page_tags.insert("guide/budget.md".into(), vec!["budget".into()]);
        page_tags.insert("team/notes.md".into(), vec!["team".into()]);
        commits.push(commit(&fixture, &public_author, "Add the public pages", 400));

        // Each step for every hidden folder, so dates rise with the history.
        for (k, it) in texts.iter().enumerate() {
            let h = &it.hidden;
            fixture.write(&h.page, &it.page_text);
            fixture.write(&h.moved_from, &it.plan_text);
            fixture.write(&format!("{}/index.md", h.folder), &it.index_text);
            fixture.write(&format!("{}/_sidebar.md", h.folder), &it.sidebar_text);
            fixture.write(&it.image, &it.image_bytes);
            commits.push(commit(&fixture, &h.writer, &format!("Add the {} pay pages", it.messages[0]), 390 - k as i64));
        }
        for (k, it) in texts.iter().enumerate() {
            fixture.write(&it.hidden.page, &it.extended);
            commits.push(commit(&fixture, &shared, &format!("Extend the {} bands", it.messages[1]), 380 - k as i64));
        }
        for (k, it) in texts.iter().enumerate() {
            budget.push_str(&format!("Updated for the {} year.\n", it.hidden.code));
            fixture.write("guide/budget.md", &budget);
            fixture.write(&it.hidden.page, &it.mixed);
            let message = format!("Budget and {} bands for the new year", it.messages[2]);
            commits.push(commit(&fixture, &shared, &message, 370 - k as i64));
        }
        for (k, it) in texts.iter().enumerate() {
            fixture.git(&["mv", &it.hidden.moved_from, &it.hidden.moved_to]);
            commits.push(commit(
                &fixture,
                &it.hidden.writer,
                &format!("Move the {} plan", it.messages[3]),
                360 - k as i64,
            ));
        }
        for (k, it) in texts.iter().enumerate() {
            fixture.write(&it.hidden.question, &it.question_text);
            let message = format!("Ask: {} payroll question", it.messages[4]);
            commits.push(commit(&fixture, &it.hidden.writer, &message, 350 - k as i64));
            let answer_path = format!("questions/{}/{ANSWER_ID}.md", it.hidden.question_slug());
            fixture.write(&answer_path, &it.answer);
            let message = format!("Answer: {} payroll question", it.messages[5]);
            commits.push(commit(&fixture, &shared, &message, 349 - k as i64));
            fixture.write(&it.hidden.question, &it.answered_question);
            commits.push(commit(&fixture, &it.hidden.writer, "Accept an answer", 348 - k as i64));
        }
        fixture.write(
            "questions/how-should-we-plan-the-budget.md",
            "---\ntitle: How should we plan the budget?\ntags: [budget]\nasked_by: Dana Public <dana@example.com>\n\
             asked_at: 2025-01-01T09:00:00Z\nstatus: open\n---\nWhich template do teams use for the budget plan?\n",
        );
        page_tags.insert("questions/how-should-we-plan-the-budget.md".into(), vec!["budget".into()]);
        commits.push(commit(&fixture, &public_author, "Ask: How should we plan the budget?", 30));
        fixture.write(
            "guide/start.md",
            format!("{start}Shared notes on budget planning.\nShared notes on the spring plan.\n"),
        );
        commits.push(commit(&fixture, &shared, "Shared notes on budget planning", 20));
        // The shared author's last commit touches hidden pages only: public pages must not show it.
        for (k, it) in texts.iter().enumerate() {
            fixture.write(&it.hidden.page, &it.tidied);
            commits.push(commit(&fixture, &shared, &format!("Tidy the {} bands", it.messages[6]), 10 - k as i64));
        }

        let files_at_head = fixture.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
        let mut files: Vec<String> = files_at_head.lines().map(str::to_string).collect();
        let mut folders = BTreeSet::new();
        for file in &files {
            let mut folder = String::new();
            for part in file.split('/').rev().skip(1).collect::<Vec<_>>().into_iter().rev() {
                folder = if folder.is_empty() { part.to_string() } else { format!("{folder}/{part}") };
                folders.insert(folder.clone());
            }
        }
        for it in &texts {
            files.push(it.hidden.moved_from.clone());
        }
        let mut public_pages = public_pages;
        public_pages.push("questions/how-should-we-plan-the-budget.md".into());
        let mut tags: BTreeSet<String> = page_tags.values().flatten().cloned().collect();
        tags.insert("nosuchtag".into());
        let authors: BTreeSet<String> = fixture.git(&["log", "--format=%ae"]).lines().map(str::to_string).collect();
        World {
            seed,
            fixture,
            hidden: texts.into_iter().map(|it| it.hidden).collect(),
            markers,
            shared,
            public_author,
            public_pages,
            files,
            folders: folders.into_iter().collect(),
            tags: tags.into_iter().collect(),
            page_tags,
            authors: authors.into_iter().collect(),
            commits,
            answers,
        }
    }

    /// The seed's choices, for a failure message.
    fn describe(&self) -> String {
        let mut res = format!(
            "seed {}: shared author {} <{}>, public author {}\n",
            self.seed, self.shared.name, self.shared.email, self.public_author.name
        );
        for hidden in &self.hidden {
            res.push_str(&format!(
                "hidden folder {}/ (group {}, rule also on questions/{}-*): main page {}, moved {} -> {}, writer {} <{}>\n",
                hidden.folder,
                hidden.group,
                hidden.code,
                hidden.page,
                hidden.moved_from,
                hidden.moved_to,
                hidden.writer.name,
                hidden.writer.email
            ));
        }
        res
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Commits everything in the work tree as `author`, `days_ago` days ago (author and committer date).
#[track_caller]
fn commit(fixture: &Fixture, author: &Person, message: &str, days_ago: i64) -> String {
    fixture.git(&["add", "--all"]);
    let date = (Utc::now() - Duration::days(days_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let name = format!("user.name={}", author.name);
    let email = format!("user.email={}", author.email);
    let output = git_command(fixture.work_tree(), &["-c", &name, "-c", &email, "commit", "--quiet", "-m", message])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git is installed");
    assert!(output.status.success(), "git commit {message:?}: {}", String::from_utf8_lossy(&output.stderr));
    fixture.git(&["rev-parse", "HEAD"])
}

// ---------------------------------------------------------------------------------------------------------
// Serving it, with readers

/// Someone who reads the wiki: anonymous (no token) or an account with a token.
#[derive(Debug, Clone)]
struct ReaderAccount {
    label: String,
    token: Option<String>,
    groups: Vec<String>,
    admin: bool,
}

/// The generated wiki, served in local mode with anonymous reading and a folder rule per hidden folder.
struct LeakWiki {
    wiki: TestWiki,
    world: World,
    readers: Vec<ReaderAccount>,
    marker_index: HashMap<String, usize>,
    /// The bare repository the wiki serves (the fixture's work tree stays untouched).
    _bare: PathBuf,
}

impl LeakWiki {
    async fn start(seed: u64) -> LeakWiki {
        let world = World::generate(seed);
        let bare = world.fixture.bare_clone();
        let mut rules = Vec::new();
        for hidden in &world.hidden {
            rules.push(FolderRule {
                path: format!("{}/**", hidden.folder),
                read: Some(vec![hidden.group.clone()]),
                edit: None,
            });
            rules.push(FolderRule {
                path: format!("questions/{}-*", hidden.code),
                read: Some(vec![hidden.group.clone()]),
                edit: None,
            });
        }
        // The editor belongs to the second hidden folder's group when there is one: an insider there, an
        // outsider in the first.
        let editor_groups: Vec<String> = world.hidden.get(1).map(|it| vec![it.group.clone()]).unwrap_or_default();
        let accounts = [
            ("rita", "Rita Reader", Role::Reader, Vec::new()),
            ("eddie", "Eddie Editor", Role::Editor, editor_groups),
            ("hanna", "Hanna Member", Role::Reader, vec![world.hidden[0].group.clone()]),
            ("ada", "Ada Admin", Role::Admin, Vec::new()),
        ];
        let mut readers =
            vec![ReaderAccount { label: "anonymous".into(), token: None, groups: Vec::new(), admin: false }];
        let serve_bare = bare.clone();
        let wiki = TestWiki::managed_with(|config| {
            config.repo = Some(serve_bare);
            config.auth.mode = AuthMode::Local;
            config.auth.anonymous_read = true;
            config.auth.rules = rules;
            std::fs::create_dir_all(&config.data).expect("create the data folder");
            let store = Accounts::open(&config.data).expect("the account store opens");
            for (username, name, role, groups) in &accounts {
                let user = NewUser {
                    username: username.to_string(),
                    name: name.to_string(),
                    email: format!("{username}@readers.example.com"),
                    role: *role,
                    groups: groups.clone(),
                    password: Some(PASSWORD.into()),
                };
                store.add_user(user).unwrap_or_else(|err| panic!("add {username}: {err}"));
                let (_, token) = store.create_token(username, "tests").expect("a token");
                let label = match (role, groups.first()) {
                    (Role::Admin, _) => format!("{username} (admin)"),
                    (role, Some(group)) => format!("{username} ({}, group {group})", role.as_str()),
                    (role, None) => format!("{username} ({}, no group)", role.as_str()),
                };
                readers.push(ReaderAccount {
                    label,
                    token: Some(token),
                    groups: groups.clone(),
                    admin: *role == Role::Admin,
                });
            }
        })
        .await;
        let marker_index = world.markers.iter().enumerate().map(|(i, it)| (it.word.clone(), i)).collect();
        let res = LeakWiki { wiki, world, readers, marker_index, _bare: bare };
        res.wait_until_indexed().await;
        res
    }

    /// Waits until history, search and authorship are indexed, asking as the admin.
    async fn wait_until_indexed(&self) {
        let admin = self.readers.iter().find(|it| it.admin).expect("an admin").clone();
        let shared = self.world.shared.email.clone();
        let started = std::time::Instant::now();
        loop {
            let health = self.get(&admin, "/-/healthz").await;
            let search = self.get(&admin, "/-/api/search?q=budget").await;
            let people = self.get(&admin, "/-/people").await;
            let person = self.get(&admin, &format!("/-/api/people/{shared}")).await;
            let ready = health.status == 200
                && serde_json::from_slice::<Value>(&health.body).is_ok_and(|it| it["history_indexed"] == true)
                && search.status == 200
                && serde_json::from_slice::<Value>(&search.body).is_ok_and(|it| it["indexing"] == false)
                && people.status == 200
                && !people.text().contains("still being indexed")
                && serde_json::from_slice::<Value>(&person.body)
                    .is_ok_and(|it| it["surviving_lines"].as_u64().is_some_and(|n| n > 0));
            if ready {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "not indexed within {PATIENCE:?}: healthz {}, search {}, person {}",
                health.text(),
                search.text(),
                person.text()
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    async fn get(&self, reader: &ReaderAccount, url: &str) -> Reply {
        let authorization = reader.token.as_ref().map(|it| format!("Bearer {it}"));
        let headers: Vec<(&str, &str)> = authorization.iter().map(|it| ("Authorization", it.as_str())).collect();
        self.wiki.send("GET", url, &headers, Vec::new()).await
    }

    /// Whether `reader` may read the hidden folder `folder` (an index into `World::hidden`).
    fn may_read(&self, reader: &ReaderAccount, folder: usize) -> bool {
        reader.admin || reader.groups.contains(&self.world.hidden[folder].group)
    }

    fn sees_everything(&self, reader: &ReaderAccount) -> bool {
        (0..self.world.hidden.len()).all(|it| self.may_read(reader, it))
    }

    /// Whether `reader` may read the file `path`, by the rules the wiki was served with.
    fn may_read_path(&self, reader: &ReaderAccount, path: &str) -> bool {
        self.world.hidden.iter().enumerate().all(|(i, hidden)| {
            let hidden_here = path.starts_with(&format!("{}/", hidden.folder))
                || path.starts_with(&format!("questions/{}-", hidden.code));
            !hidden_here || self.may_read(reader, i)
        })
    }

    /// The lines each author still has in each page, as the admin sees them: `(page, e-mail) → lines`.
    async fn lines_per_page_and_author(&self) -> BTreeMap<(String, String), u64> {
        let admin = self.readers.iter().find(|it| it.admin).expect("an admin");
        let mut res = BTreeMap::new();
        for email in &self.world.authors {
            let reply = self.get(admin, &format!("/-/api/people/{email}")).await;
            assert_eq!(reply.status, 200, "the admin reads /-/api/people/{email}: {}", reply.text());
            for page in reply.json()["pages"].as_array().into_iter().flatten() {
                let path = page["path"].as_str().unwrap_or_default().to_string();
                res.insert((path, email.clone()), page["lines"].as_u64().unwrap_or_default());
            }
        }
        res
    }

    /// Every commit: (sha, author e-mail, author time, files it touched).
    fn commits_with_files(&self) -> Vec<(String, String, i64, Vec<String>)> {
        let log = self.world.fixture.git(&["log", "--format=@%H %ae %at", "--name-only", "--no-renames"]);
        let mut res: Vec<(String, String, i64, Vec<String>)> = Vec::new();
        for line in log.lines() {
            if let Some(header) = line.strip_prefix('@') {
                let parts: Vec<&str> = header.split(' ').collect();
                res.push((parts[0].into(), parts[1].into(), parts[2].parse().unwrap_or_default(), Vec::new()));
            } else if !line.trim().is_empty()
                && let Some(last) = res.last_mut()
            {
                last.3.push(line.trim().to_string());
            }
        }
        res
    }
}
