//! The search engine's share of "one changed page searchable" (issue 5): replacing one document of a
//! 10,000-document index and committing, as the indexer does after every save (`SearchIndex::apply`: delete the
//! old document, add the new one, commit with the head as payload, reload the reader). Wall time per update,
//! fsyncs included, on the disk the data folder would live on (a temporary folder under /tmp).
//!
//! Run: `cargo bench --bench search_update`. Figures: docs/BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use lore::search::{SearchDocument, SearchIndex};

const WORDS: &[&str] = &[
    "deploy",
    "rollback",
    "vpn",
    "access",
    "onboarding",
    "laptop",
    "payroll",
    "incident",
    "runbook",
    "database",
    "backup",
    "restore",
    "kubernetes",
    "cluster",
    "alert",
    "pager",
    "budget",
    "quarterly",
    "review",
    "security",
    "password",
    "token",
    "release",
    "staging",
    "production",
    "latency",
    "cache",
    "queue",
    "invoice",
    "travel",
];

fn document(n: usize, revision: usize) -> SearchDocument {
    let body: Vec<&str> = (0..400).map(|i| WORDS[(n * 7 + i * 13 + revision) % WORDS.len()]).collect();
    SearchDocument {
        path: format!("team-{}/page-{n}.md", n % 30),
        url: format!("/team-{}/page-{n}", n % 30),
        title: format!("Page {n} about {}", WORDS[n % WORDS.len()]),
        headings: vec![format!("Section {revision}")],
        body: format!("{} revision{revision}", body.join(" ")),
        tags: vec![WORDS[n % 7].to_string()],
        kind: "page",
        authors: vec!["Ann Author ann@example.com".into()],
        updated_at: 1_700_000_000 + revision as i64,
        updated_by: "Ann Author".into(),
        accepted_answer: None,
        lang: "en".into(),
    }
}

fn one_page_update(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let index = SearchIndex::open(dir.path()).expect("the index opens");
    index.rebuild((0..10_000).map(|n| document(n, 0)), "0", true).expect("the index builds");
    let mut revision = 0;
    c.bench_function("replace one of 10,000 documents and commit", |b| {
        b.iter(|| {
            revision += 1;
            let changed = document(revision % 10_000, revision);
            let path = changed.path.clone();
            index.apply(&[path], vec![changed], &revision.to_string(), true).expect("the update commits");
        })
    });
}

criterion_group!(benches, one_page_update);
criterion_main!(benches);
