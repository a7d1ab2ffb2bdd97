//! Running Lore in production: `/-/metrics` (what it shows, and who may read it), `lore backup` and
//! `lore restore` (during a storm of saves, then a start on the restored folder), and a stop by SIGTERM while
//! requests are under way. Each test drives the real server and the real `lore` binary.

use std::collections::{BTreeMap, BTreeSet};

use lore::config::Network;

use crate::accounts::{ADA, EDDIE, RITA, api, serve_local, small_fixture};
use crate::common::*;

// ---------------------------------------------------------------------------------------------------------
// Metrics

/// One sample of the text format: a name, its labels, a value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The families (`# TYPE name kind`) and samples of a scrape. Panics on a line that is not the text format.
fn parse_metrics(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut families = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|it| !it.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("bad TYPE line {line:?}"));
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "unknown kind in {line:?}"
            );
            families.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with('#') {
            assert!(line.starts_with("# HELP "), "a comment that is neither HELP nor TYPE: {line:?}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series.to_string(), BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                (name.to_string(), parse_labels(body, line))
            }
        };
        assert!(
            name.chars().all(|it| it.is_ascii_alphanumeric() || it == '_' || it == ':'),
            "bad metric name in {line:?}"
        );
        samples.push(Sample { name, labels, value });
    }
    (families, samples)
}

fn parse_labels(body: &str, line: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label in {line:?}"));
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => value.push(chars.next().map(|(_, it)| it).expect("an escaped character")),
                Some((at, '"')) => break at,
                Some((_, ch)) => value.push(ch),
                None => panic!("unterminated label value in {line:?}"),
            }
        };
        labels.insert(name.to_string(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    labels
}

/// The value of the sample called `name` whose labels include `labels`; panics when there is none.
#[track_caller]
fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|it| it.name == name && labels.iter().all(|(key, value)| it.labels.get(*key).map(String::as_str) == Some(*value)))
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
        .value
}

async fn scrape(wiki: &TestWiki) -> (BTreeMap<String, String>, Vec<Sample>) {
    let reply = wiki.get("/-/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/plain; version=0.0.4"), "{}", reply.content_type());
    parse_metrics(&reply.text())
}

#[tokio::test]
async fn metrics_text_parses_and_has_every_family() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("guide/setup.md", "# Setup\n\nSteps.\n")]).await;
    wiki.wait_for_history_index().await;
    wiki.wait_for_search_index().await;
    for _ in 0..3 {
        assert_eq!(wiki.get("/guide/setup").await.status, 200);
    }
    assert_eq!(wiki.get("/-/history/guide/setup").await.status, 200);
    assert_eq!(wiki.get("/-/history/index").await.status, 200);
    // Paths nobody has: each would be a series of its own if labels were raw paths.
    for n in 0..20 {
        assert_eq!(wiki.get(&format!("/no/such/page-{n}")).await.status, 404);
    }
    let (families, samples) = scrape(&wiki).await;
    for (family, kind) in [
        ("lore_http_requests_total", "counter"),
        ("lore_http_request_duration_seconds", "histogram"),
        ("lore_http_open_connections", "gauge"),
        ("lore_http_connections_total", "counter"),
        ("lore_cache_hits_total", "counter"),
        ("lore_cache_misses_total", "counter"),
        ("lore_search_index_lag_commits", "gauge"),
        ("lore_change_index_lag_commits", "gauge"),
        ("lore_notifier_lag_commits", "gauge"),
        ("lore_inbox_deliveries_total", "counter"),
        ("lore_mail_queue_depth", "gauge"),
        ("lore_webhook_queue_depth", "gauge"),
        ("lore_mail_attempts_total", "counter"),
        ("lore_webhook_attempts_total", "counter"),
        ("lore_forwarded_writes_total", "counter"),
        ("lore_replication_lag_commits", "gauge"),
        ("lore_replication_lag_seconds", "gauge"),
        ("lore_build_info", "gauge"),
    ] {
        assert_eq!(families.get(family).map(String::as_str), Some(kind), "family {family}: {families:?}");
    }
    // Requests by route template: the two history views share one series, the page views another.
    let history = [("route", "/-/history/{*path}"), ("method", "GET"), ("status", "200")];
    assert_eq!(value_of(&samples, "lore_http_requests_total", &history), 2.0);
    let pages = [("route", "/{*page}"), ("method", "GET"), ("status", "200")];
    assert!(value_of(&samples, "lore_http_requests_total", &pages) >= 3.0);
    let missing = [("route", "/{*page}"), ("method", "GET"), ("status", "404")];
    assert_eq!(value_of(&samples, "lore_http_requests_total", &missing), 20.0);
    let routes: BTreeSet<&str> =
        samples.iter().filter_map(|it| it.labels.get("route")).map(String::as_str).collect();
    assert!(routes.iter().all(|it| !it.contains("no/such") && !it.contains("guide")), "raw paths as labels: {routes:?}");
    // The latency histogram counts the same requests; its buckets only grow.
    let count = value_of(&samples, "lore_http_request_duration_seconds_count", &[("route", "/-/history/{*path}")]);
    assert_eq!(count, 2.0);
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|it| {
            it.name == "lore_http_request_duration_seconds_bucket"
                && it.labels.get("route").map(String::as_str) == Some("/{*page}")
        })
        .map(|it| it.value)
        .collect();
    assert!(buckets.len() >= 10 && buckets.windows(2).all(|it| it[0] <= it[1]), "{buckets:?}");
    // A page viewed three times: rendered once, then served from the page cache (which keeps a view once it is
    // compressed, off the request's path, so the second view may still miss).
    assert!(value_of(&samples, "lore_cache_hits_total", &[("cache", "page")]) >= 1.0);
    assert!(value_of(&samples, "lore_cache_misses_total", &[("cache", "page")]) >= 21.0);
    assert!(value_of(&samples, "lore_cache_misses_total", &[("cache", "render")]) >= 1.0);
    // Caught up, nothing queued, not a replica; this scrape's own connection is open.
    for gauge in [
        "lore_search_index_lag_commits",
        "lore_change_index_lag_commits",
        "lore_mail_queue_depth",
        "lore_webhook_queue_depth",
        "lore_replication_lag_commits",
        "lore_replication_lag_seconds",
    ] {
        assert_eq!(value_of(&samples, gauge, &[]), 0.0, "{gauge}");
    }
    assert_eq!(value_of(&samples, "lore_forwarded_writes_total", &[("via", "api")]), 0.0);
    assert!(value_of(&samples, "lore_http_open_connections", &[]) >= 1.0);
    assert!(value_of(&samples, "lore_http_connections_total", &[]) >= 1.0);
}

#[tokio::test]
async fn index_lag_counts_commits_the_search_index_has_not_seen() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let wiki = fixture.serve_with(|_| {}).await;
    wiki.wait_for_search_index().await;
    wiki.wait_for_history_index().await;
    let (_, samples) = scrape(&wiki).await;
    assert_eq!(value_of(&samples, "lore_search_index_lag_commits", &[]), 0.0);
    // Saves through the server: the indexes catch up within moments, and the gauge says so.
    for n in 0..3 {
        let reply = wiki.put_page(&format!("new-{n}.md"), &serde_json::json!({"markdown": "# New\n"}), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    let caught_up = retry_until(
        async || scrape(&wiki).await.1,
        |samples| {
            value_of(samples, "lore_search_index_lag_commits", &[]) == 0.0
                && value_of(samples, "lore_change_index_lag_commits", &[]) == 0.0
        },
    )
    .await;
    assert_eq!(value_of(&caught_up, "lore_search_index_lag_commits", &[]), 0.0);
    assert_eq!(value_of(&caught_up, "lore_change_index_lag_commits", &[]), 0.0);
    assert!(value_of(&caught_up, "lore_http_requests_total", &[("route", "/-/api/pages/{*path}"), ("method", "PUT")]) == 3.0);
}

#[tokio::test]
async fn metrics_are_refused_outside_metrics_allow_except_to_admins() {
    let local = serve_local(small_fixture(), &[ADA, EDDIE, RITA], |config| {
        config.metrics_allow = vec![Network::parse("10.20.0.0/16").expect("a network")];
        config.auth.trusted_proxies = vec!["127.0.0.1".into()];
        config.auth.anonymous_read = true;
    })
    .await;
    let wiki = &local.wiki;
    // Loopback is not listed here: anonymous, a reader and an editor are refused, plainly (no login redirect).
    let anonymous = wiki.get("/-/metrics").await;
    assert_eq!(anonymous.status, 403, "{}", anonymous.text());
    assert!(!anonymous.text().contains("lore_http"), "refused, yet the metrics were shown");
    for account in [RITA, EDDIE] {
        let reply = api(wiki, "GET", "/-/metrics", Some(local.token(account)), None, &[]).await;
        assert_eq!(reply.status, 403, "{}: {}", account.username, reply.text());
    }
    // An admin may read them from anywhere.
    let admin = api(wiki, "GET", "/-/metrics", Some(local.token(ADA)), None, &[]).await;
    assert_eq!(admin.status, 200, "{}", admin.text());
    assert!(admin.text().contains("lore_http_requests_total"));
    // The address is the client's: a listed one behind a trusted proxy is let in, an unlisted one is not.
    let listed = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "10.20.3.4")], "").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let unlisted = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "10.21.3.4")], "").await;
    assert_eq!(unlisted.status, 403, "{}", unlisted.text());
}

#[tokio::test]
async fn metrics_are_readable_from_loopback_by_default_and_not_from_elsewhere() {
    // Default settings: loopback only. Behind a trusted proxy, an outside client is refused.
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| config.auth.trusted_proxies = vec!["127.0.0.1".into()])
        .await;
    assert_eq!(wiki.get("/-/metrics").await.status, 200);
    let outside = wiki.send("GET", "/-/metrics", &[("X-Forwarded-For", "203.0.113.9")], "").await;
    assert_eq!(outside.status, 403, "{}", outside.text());
}
