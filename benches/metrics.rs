//! What a scrape of `/-/metrics` costs (issue 19: at most 1 ms), against `/-/healthz` in the same run as the
//! baseline. A real server on loopback serves the starter wiki after traffic on 40 route templates (so the
//! scrape carries a realistic number of series); then 2,000 scrapes and 2,000 health checks, one at a time over
//! one kept-alive connection, plain and gzip. The server's own histogram gives its side of the time.
//!
//! `cargo bench --bench metrics` (release). Prints a table; figures go to docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use lore::config::Config;

const ROUNDS: usize = 2_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data: dir.path().join("data"),
        ..Config::default()
    };
    let server = lore::web::Server::bind(config).await.expect("the server starts");
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    let get = async |path: &str| {
        let res = client.get(format!("{base}{path}")).send().await.expect("an answer");
        let status = res.status().as_u16();
        res.bytes().await.expect("a body");
        status
    };
    // Ready: history and search indexed.
    let started = Instant::now();
    loop {
        let res = client.get(format!("{base}/-/api/search?q=")).send().await.expect("an answer");
        let json: serde_json::Value = res.json().await.expect("JSON");
        if json["indexing"] == false {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the indexes were not built within a minute");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Traffic on many routes, with several statuses each, as a day of use leaves behind.
    let paths = [
        "/",
        "/guide/markdown",
        "/guide/",
        "/-/pages",
        "/-/changes",
        "/-/changes.atom",
        "/-/history/guide/markdown",
        "/-/blame/guide/markdown",
        "/-/raw/guide/markdown.md",
        "/-/search?q=markdown",
        "/-/api/search?q=wiki",
        "/-/api/suggest?q=ma",
        "/-/api/similar?q=markdown",
        "/-/tags",
        "/-/api/tags",
        "/-/links/broken",
        "/-/links/orphans",
        "/-/random",
        "/-/people",
        "/-/review",
        "/-/review.atom",
        "/-/api/review",
        "/-/questions",
        "/-/questions.atom",
        "/-/api/questions",
        "/-/api/tree?path=",
        "/-/api/pages/guide/markdown",
        "/-/api/history/guide/markdown",
        "/-/api/changes",
        "/-/api/links/guide/markdown",
        "/-/edit/guide/markdown",
        "/-/new",
        "/-/login",
        "/-/healthz",
        "/-/static/lore.css",
        "/-/api/me",
        "/-/ask",
        "/-/admin",
        "/-/account",
        "/no/such/page",
        "/-/diff/guide/markdown",
        "/-/api/experts?q=markdown",
    ];
    for _ in 0..3 {
        for path in paths {
            get(path).await;
        }
    }
    let text = client.get(format!("{base}/-/metrics")).send().await.expect("a scrape").text().await.expect("text");
    let n_series = text.lines().filter(|it| !it.starts_with('#') && !it.is_empty()).count();
    let n_routes = text
        .lines()
        .filter(|it| it.starts_with("lore_http_requests_total{"))
        .filter_map(|it| it.split("route=\"").nth(1)?.split('"').next())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!("scrape: {} bytes, {n_series} series, {n_routes} route templates", text.len());

    let measure = async |path: &str, gzip: bool| {
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let mut request = client.get(format!("{base}{path}"));
            if gzip {
                request = request.header("Accept-Encoding", "gzip");
            }
            let started = Instant::now();
            let res = request.send().await.expect("an answer");
            assert_eq!(res.status(), 200);
            res.bytes().await.expect("a body");
            times.push(started.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / ROUNDS as u32;
        (times[ROUNDS / 2], times[ROUNDS * 95 / 100], mean)
    };
    println!("{:<28} {:>9} {:>9} {:>9}", "request (2,000 in a row)", "p50", "p95", "mean");
    let mut rows = Vec::new();
    for (path, gzip) in [("/-/healthz", false), ("/-/metrics", false), ("/-/healthz", true), ("/-/metrics", true)] {
        let (p50, p95, mean) = measure(path, gzip).await;
        let label = format!("{path}{}", if gzip { " (gzip)" } else { "" });
        println!("{label:<28} {:>7.3}ms {:>7.3}ms {:>7.3}ms", ms(p50), ms(p95), ms(mean));
        rows.push((path, gzip, p50, p95));
    }
    for gzip in [false, true] {
        let find = |wanted: &str| rows.iter().find(|it| it.0 == wanted && it.1 == gzip).expect("measured");
        let (metrics, health) = (find("/-/metrics"), find("/-/healthz"));
        println!(
            "metrics / healthz{}: p50 ×{:.2}, p95 ×{:.2}",
            if gzip { " (gzip)" } else { "" },
            ms(metrics.2) / ms(health.2),
            ms(metrics.3) / ms(health.3)
        );
    }
    // The server's side: its own histogram of the scrape route (arrival to the answer's headers).
    let text = client.get(format!("{base}/-/metrics")).send().await.expect("a scrape").text().await.expect("text");
    let sample = |name: &str| -> f64 {
        text.lines()
            .find(|it| it.starts_with(name) && it.contains("route=\"/-/metrics\""))
            .and_then(|it| it.rsplit(' ').next()?.parse().ok())
            .expect("a sample")
    };
    let (sum, count) =
        (sample("lore_http_request_duration_seconds_sum"), sample("lore_http_request_duration_seconds_count"));
    println!("server side, /-/metrics: {count} scrapes, mean {:.3} ms", sum / count * 1000.0);

    // Where the server's time goes: encoding alone, on a registry with the same series.
    let metrics = lore::metrics::Metrics::new();
    for line in text.lines().filter(|it| it.starts_with("lore_http_requests_total{")) {
        let label = |name: &str| line.split(&format!("{name}=\"")).nth(1).and_then(|it| it.split('"').next());
        let (Some(route), Some(method), Some(status)) = (label("route"), label("method"), label("status")) else {
            continue;
        };
        metrics.request(route, method, status.parse().expect("a status"), Duration::from_millis(2));
    }
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        bytes += std::hint::black_box(metrics.encode()).len();
    }
    println!("encoding alone: {:.3} ms a scrape ({} bytes)", ms(started.elapsed()) / ROUNDS as f64, bytes / ROUNDS);
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
