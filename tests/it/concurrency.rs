//! Many clients saving the same pages at once through the page API: every acknowledged save must be in
//! the final file and in history, every refused save must come back with the client's text, and nothing
//! else may be written. Proved from the repository with the `git` command line, not from Lore's answers.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
use serde_json::{Value, json};

const N_CLIENTS: usize = 10;
const SAVES_PER_CLIENT: usize = 10;
const PAGES: [&str; 5] = ["team/alpha.md", "team/beta.md", "ops/gamma.md", "ops/deep/delta.md", "epsilon.md"];

/// One save a client tried: what it sent and what Lore answered.
#[derive(Debug)]
struct SaveAttempt {
    client: usize,
    page: &'static str,
    /// The line this save added (appending) or its new value of the client's own line (rewriting).
    line: String,
    sent: String,
    status: u16,
    answer: Value,
}

impl SaveAttempt {
    fn acknowledged(&self) -> bool {
        self.status == 200 || self.status == 201
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_appends_are_all_kept_or_handed_back() {
    let seed: Vec<(&str, String)> = PAGES.iter().map(|page| (*page, format!("# {page}\n\nSeed text.\n"))).collect();
    let files: Vec<(&str, &str)> = seed.iter().map(|(page, text)| (*page, text.as_str())).collect();
    let wiki = TestWiki::with_files(&files).await;
    assert_eq!(wiki.commit_count(), 1);

    let attempts = run_clients(&wiki, |client, save, markdown| {
        let line = format!("- client {client:02} save {save:02} appended this line");
        (format!("{markdown}{line}\n"), line)
    })
    .await;
    check_repository(&wiki, &attempts, &seed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_edits_of_separate_lines_all_merge() {
    // Each client owns one line of every page, three unchanged lines away from the next client's.
    let mut text = String::from("# Shared page\n\n");
    for client in 0..N_CLIENTS {
        text.push_str(&format!("## Client {client}\n\nclient {client:02}: not yet\n\n"));
    }
    let seed: Vec<(&str, String)> = PAGES.iter().map(|page| (*page, text.clone())).collect();
    let files: Vec<(&str, &str)> = seed.iter().map(|(page, text)| (*page, text.as_str())).collect();
    let wiki = TestWiki::with_files(&files).await;

    let attempts = run_clients(&wiki, |client, save, markdown| {
        let prefix = format!("client {client:02}: ");
        let line = format!("{prefix}save {save:02}");
        let edited: Vec<String> = markdown
            .split('\n')
            .map(|it| if it.starts_with(&prefix) { line.clone() } else { it.to_string() })
            .collect();
        (edited.join("\n"), line)
    })
    .await;

    let n_acknowledged = attempts.iter().filter(|it| it.acknowledged()).count();
    assert_eq!(wiki.commit_count(), 1 + n_acknowledged, "one commit per acknowledged save, and no other");
    // Each client's last acknowledged save to a page is what that page now says on the client's line.
    for (page, _) in &seed {
        let final_text = wiki.file_at_head(page);
        for client in 0..N_CLIENTS {
            let prefix = format!("client {client:02}: ");
            let expected = attempts
                .iter()
                .rev()
                .find(|it| it.client == client && it.page == *page && it.acknowledged())
                .map_or_else(|| format!("{prefix}not yet"), |it| it.line.clone());
            let actual: Vec<&str> = final_text.lines().filter(|it| it.starts_with(&prefix)).collect();
            assert_eq!(actual, [expected.as_str()], "{page}, client {client}:\n{final_text}");
        }
    }
    wiki.git(&["fsck", "--strict", "--no-progress"]);

    let refused: Vec<&SaveAttempt> = attempts.iter().filter(|it| !it.acknowledged()).collect();
    assert!(
        refused.is_empty(),
        "edits of separate lines must all be saved (merged where needed); {} of {} were not ({:?}), first: {:#?}",
        refused.len(),
        attempts.len(),
        refused.iter().map(|it| it.status).collect::<Vec<_>>(),
        refused.first()
    );
}

/// Runs the clients in parallel: each reads a page, edits it with `edit(client, save, markdown)` (which
/// returns the new text and the line that identifies the save) and saves it with `If-Match`.
async fn run_clients(
    wiki: &TestWiki,
    edit: impl Fn(usize, usize, &str) -> (String, String) + Send + Sync + Copy + 'static,
) -> Vec<SaveAttempt> {
    let mut tasks = Vec::new();
    for client in 0..N_CLIENTS {
        let base_url = wiki.base_url.clone();
        tasks.push(tokio::spawn(async move {
            let http = http_client();
            let mut res = Vec::new();
            for save in 0..SAVES_PER_CLIENT {
                let page = PAGES[(client + save) % PAGES.len()];
                let url = format!("{base_url}/-/api/pages/{page}");
                let current = http.get(&url).send().await.unwrap_or_else(|err| panic!("GET {url}: {err}"));
                assert_eq!(current.status().as_u16(), 200, "GET {url}");
                let current: Value = current.json().await.expect("the page as JSON");
                let markdown = current["markdown"].as_str().expect("markdown").to_string();
                let blob = current["blob"].as_str().expect("blob").to_string();
                let (sent, line) = edit(client, save, &markdown);
                let body = json!({
                    "markdown": sent,
                    "message": format!("Client {client} save {save}"),
                    "author": {"name": format!("Client {client}"), "email": format!("client{client}@example.com")},
                });
                let reply = http
                    .put(&url)
                    .header("If-Match", format!("\"{blob}\""))
                    .json(&body)
                    .send()
                    .await
                    .unwrap_or_else(|err| panic!("PUT {url}: {err}"));
                let status = reply.status().as_u16();
                let text = reply.text().await.expect("the answer arrives");
                let answer: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|err| panic!("PUT {url} answered {status} with non-JSON ({err}): {text}"));
                res.push(SaveAttempt { client, page, line, sent, status, answer });
            }
            res
        }));
    }
    let mut attempts = Vec::new();
    for task in tasks {
        attempts.extend(task.await.expect("a client finished"));
    }
    assert_eq!(attempts.len(), N_CLIENTS * SAVES_PER_CLIENT);
    attempts
}

/// Proves from the repository that the acknowledged appends, and only they, were written.
#[track_caller]
fn check_repository(wiki: &TestWiki, attempts: &[SaveAttempt], seed: &[(&str, String)]) {
    let acknowledged: Vec<&SaveAttempt> = attempts.iter().filter(|it| it.acknowledged()).collect();
    let refused: Vec<&SaveAttempt> = attempts.iter().filter(|it| it.status == 409).collect();
    // Answers that are neither: checked last, after proving that they wrote nothing either.
    let unexpected: Vec<&SaveAttempt> = attempts.iter().filter(|it| !matches!(it.status, 200 | 201 | 409)).collect();
    assert!(!acknowledged.is_empty(), "no save succeeded");
    eprintln!(
        "{} saves acknowledged, {} conflicts, {} other answers",
        acknowledged.len(),
        refused.len(),
        unexpected.len()
    );

    // Every 409 handed the client's own text back.
    for attempt in &refused {
        assert_eq!(attempt.answer["conflict"], true, "{attempt:#?}");
        let yours = attempt.answer["yours"].as_str().unwrap_or_default();
        assert_eq!(yours, attempt.sent, "the 409 must return the client's text: {attempt:#?}");
        assert!(yours.contains(&attempt.line));
        assert!(attempt.answer["theirs"].is_string() && attempt.answer["base"].is_string(), "{attempt:#?}");
    }

    // History: the seed commit plus exactly one commit per acknowledged save, in a line.
    let history = wiki.git(&["rev-list", &wiki.branch_ref]);
    let commits: Vec<&str> = history.lines().collect();
    assert_eq!(commits.len(), 1 + acknowledged.len(), "commits beyond the seed must be the acknowledged saves");
    assert_eq!(wiki.git(&["rev-list", "--count", "--min-parents=2", &wiki.branch_ref]), "0", "no merge commits");
    let acknowledged_commits: BTreeSet<String> = acknowledged
        .iter()
        .map(|it| it.answer["commit"].as_str().unwrap_or_else(|| panic!("no commit in {it:#?}")).to_string())
        .collect();
    assert_eq!(acknowledged_commits.len(), acknowledged.len(), "each save has its own commit");
    let later_commits: BTreeSet<String> = commits[..commits.len() - 1].iter().map(|it| it.to_string()).collect();
    assert_eq!(later_commits, acknowledged_commits, "the history holds exactly the acknowledged commits");

    for attempt in &acknowledged {
        let commit = attempt.answer["commit"].as_str().expect("a commit");
        // The commit touches only its page, is authored by the client, and is where the line appeared.
        let changed = wiki.git(&["show", "--no-renames", "--name-only", "--format=", commit]);
        assert_eq!(changed, attempt.page, "{commit} should change only {}", attempt.page);
        let author = wiki.git(&["log", "-1", "--format=%an", commit]);
        assert_eq!(author, format!("Client {}", attempt.client), "{commit}");
        let after = wiki.git(&["show", &format!("{commit}:{}", attempt.page)]);
        let before = wiki.git(&["show", &format!("{commit}^:{}", attempt.page)]);
        assert!(
            after.contains(&attempt.line) && !before.contains(&attempt.line),
            "{commit} did not add {:?}",
            attempt.line
        );
        assert_eq!(attempt.answer["blob"], wiki.git(&["rev-parse", &format!("{commit}:{}", attempt.page)]), "{commit}");
    }

    // The final files hold the seed and the acknowledged lines, each once, and no refused line.
    for (page, seed_text) in seed {
        let final_text = wiki.file_at_head(page);
        assert!(final_text.starts_with(seed_text.trim_end()), "{page} lost its seed text:\n{final_text}");
        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        for attempt in acknowledged.iter().filter(|it| it.page == *page) {
            *expected.entry(attempt.line.clone()).or_default() += 1;
        }
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for line in final_text.lines().filter(|it| it.starts_with("- client ")) {
            *found.entry(line.to_string()).or_default() += 1;
        }
        assert_eq!(found, expected, "{page}: the acknowledged lines, each once, and nothing else:\n{final_text}");
    }
    for attempt in refused.iter().chain(&unexpected) {
        let final_text = wiki.file_at_head(attempt.page);
        assert!(!final_text.contains(&attempt.line), "a refused save was written: {attempt:#?}");
    }
    wiki.git(&["fsck", "--strict", "--no-progress"]);

    let statuses: BTreeMap<u16, usize> = unexpected.iter().fold(BTreeMap::new(), |mut res, it| {
        *res.entry(it.status).or_default() += 1;
        res
    });
    assert!(
        unexpected.is_empty(),
        "every save must be acknowledged (200/201) or handed back as a conflict (409); got {statuses:?}, first: {:#?}",
        unexpected.first()
    );
}
