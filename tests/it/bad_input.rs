//! End-to-end tests of bad input: broken front matter, invalid UTF-8, oversized pages and requests, path
//! traversal in every spelling, and requests meant to break the server. Each gets a clear answer, and the
//! server keeps serving.

use std::time::Duration;

use crate::common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Text that must never appear in an answer: it lives outside the served tree or inside `.git`.
const OUTSIDE_MARKERS: &[&str] = &["OUTSIDE-SECRET", "[package]", "root:x:0:0", "[core]", "repositoryformatversion"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_yaml_front_matter_renders_the_page_with_a_warning_naming_the_line() {
    let wiki =
        TestWiki::with_files(&[("broken.md", "---\ntitle: [oops\ntags: x\n---\n# Still here\n\nThe body survives.\n")])
            .await;
    let reply = wiki.get("/broken").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = text_of(&reply.text());
    assert!(text.contains("The body survives."), "{text}");
    assert_eq!(h1_text(&reply.text()), "Still here");
    assert!(text.contains("YAML"), "the warning does not name the problem: {text}");
    assert!(mentions_line_number(&text), "the warning does not name the line: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_renders_lossily_with_a_warning() {
    let fixture = Fixture::new();
    fixture.write("latin1.md", b"# Caf\xe9 menu\n\nSecond line \xff ends here.\n".as_slice());
    fixture.commit(ANN, "Add a Latin-1 page");
    let wiki = fixture.serve().await;
    let reply = wiki.get("/latin1").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = text_of(&reply.text());
    assert!(text.contains("UTF-8"), "no warning about UTF-8: {text}");
    assert!(text.contains("ends here."), "{text}");
    assert!(text.contains('\u{fffd}'), "not rendered with replacement characters: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_over_the_size_limit_is_refused_with_413() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")]).serve_with(|config| config.max_page_bytes = 1000).await;
    let head = wiki.head();
    let markdown = format!("# Big\n\n{}\n", "x".repeat(1500));
    let reply = wiki.put_page("big.md", &json!({"markdown": markdown}), None).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    reply.assert_json_error();
    wiki.assert_untouched(&head);
    // A page under the limit still saves.
    let small = wiki.put_page("small.md", &json!({"markdown": "# Small\n"}), None).await;
    assert_eq!(small.status, 201, "{}", small.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_body_far_over_every_limit_is_refused_with_413() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| {
            config.max_page_bytes = 1000;
            config.max_upload_bytes = 1000;
        })
        .await;
    let head = wiki.head();
    let markdown = "x".repeat(2 * 1024 * 1024);
    let reply = wiki.put_page("huge.md", &json!({"markdown": markdown}), None).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    reply.assert_json_error();
    wiki.assert_untouched(&head);
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_request_is_cut_off_without_reading_the_whole_body() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| {
            config.max_page_bytes = 1000;
            config.max_upload_bytes = 1000;
        })
        .await;
    let head = wiki.head();
    // Announce a gigabyte and keep sending until the server answers; it must answer long before the end.
    let stream = tokio::net::TcpStream::connect(wiki.addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let answer = tokio::spawn(async move {
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !answer.windows(4).any(|it| it == b"\r\n\r\n") {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
        answer
    });
    let request_head = format!(
        "PUT /-/api/pages/huge.md HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{{\"markdown\": \"",
        wiki.addr
    );
    let max_sent = 64 * 1024 * 1024;
    let mut sent = 0;
    if writer.write_all(request_head.as_bytes()).await.is_ok() {
        let chunk = vec![b'x'; 64 * 1024];
        while sent < max_sent && !answer.is_finished() {
            match tokio::time::timeout(Duration::from_secs(10), writer.write_all(&chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                // The server stopped reading or closed the connection: it has cut the request off.
                Ok(Err(_)) | Err(_) => break,
            }
        }
    }
    let answer = tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .unwrap_or_else(|_| panic!("no answer after sending {sent} bytes of a 1 GB body"))
        .expect("the reader ends");
    let status_line = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_string();
    assert!(status_line.contains(" 413"), "expected 413 after sending {sent} bytes, got {status_line:?}");
    drop(writer);
    wiki.assert_untouched(&head);
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_page_in_the_repository_is_shown_as_source_link_not_rendered() {
    let big = format!("# Big\n\n{}\n", "word ".repeat(400));
    let wiki = Fixture::with_files(&[("big.md", &big), ("index.md", "# Home\n")])
        .serve_with(|config| config.max_page_bytes = 1000)
        .await;
    let reply = wiki.get("/big").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(text_of(&reply.text()).contains("larger than the limit"), "{}", text_of(&reply.text()));
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_never_leaves_the_tree_or_enters_git() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n"), ("a/b.md", "# B\n")]);
    // Files beside the served repository that a traversal would reach.
    std::fs::write(fixture.root().join("outside.txt"), "OUTSIDE-SECRET\n").expect("write");
    std::fs::write(fixture.root().join("Cargo.toml"), "[package]\nname = \"outside\"\n").expect("write");
    let wiki = fixture.serve().await;

    let targets = [
        "/../etc/passwd",
        "/../../../../../../etc/passwd",
        "/../outside.txt",
        "/a/../../outside.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/outside.txt",
        "/%2E%2E/outside.txt",
        "/.%2e/outside.txt",
        "/..%2foutside.txt",
        "/..%2Foutside.txt",
        "/%252e%252e/x",
        "/%252e%252e/outside.txt",
        "/%252e%252e%252foutside.txt",
        "/a%5c..%5cb",
        "/..%5c..%5coutside.txt",
        "/..%255coutside.txt",
        "/.git/config",
        "/.git/HEAD",
        "/.GIT/config",
        "/.git./config",
        "/.git%2fconfig",
        "/%2egit/config",
        "/%252egit/config",
        "/a/.git/config",
        "/-/raw/.git/config",
        "/-/raw/.git/HEAD",
        "/-/raw/%2e%2e/Cargo.toml",
        "/-/raw/%2e%2e/outside.txt",
        "/-/raw/../outside.txt",
        "/-/raw/..%2f..%2fetc%2fpasswd",
        "/-/raw/%252e%252e/outside.txt",
        "/-/raw/a%5c..%5c..%5coutside.txt",
        "/-/api/pages/..%2foutside.txt",
        "/-/api/pages/%2e%2e/Cargo.toml",
        "/-/api/pages/.git/config",
        "/-/static/..%2f..%2fCargo.toml",
        "/-/static/%2e%2e/%2e%2e/Cargo.toml",
        "/-/static/../../Cargo.toml",
        "/x%00y",
        "/index%00.md",
        "/-/raw/x%00y",
        "/-/raw/index.md%00.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/-/raw//etc/passwd",
        "/-/raw/%2fetc%2fpasswd",
        "/C:%5cWindows%5cwin.ini",
    ];
    let mut failures = Vec::new();
    for target in targets {
        let reply = wiki.raw_get(target).await;
        let text = reply.text();
        if let Some(marker) = OUTSIDE_MARKERS.iter().find(|it| text.contains(**it)) {
            failures.push(format!("{target}: {} with {marker:?} in the body", reply.status));
        } else if reply.status != 400 && reply.status != 404 {
            let location = reply.header("location").map(|it| format!(" -> {it}")).unwrap_or_default();
            failures.push(format!("{target}: {}{location}", reply.status));
        }
    }
    assert!(failures.is_empty(), "expected 400 or 404 without outside content:\n{}", failures.join("\n"));
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_files_of_a_bare_repository_are_never_served() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")]).serve_bare().await;
    for target in ["/config", "/HEAD", "/objects/", "/refs/heads/main", "/-/raw/config", "/-/raw/HEAD", "/description"]
    {
        let reply = wiki.raw_get(target).await;
        assert!(reply.status == 404 || reply.status == 400, "{target}: {}", reply.status);
        let text = reply.text();
        assert!(!OUTSIDE_MARKERS.iter().any(|it| text.contains(it)), "{target} served git's files");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_never_point_to_another_host() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("evil.example/page.md", "# Page\n")]).await;
    for target in [
        "//evil.example/page.md",
        "//evil.example/",
        "//evil.example",
        "/%2fevil.example/page.md",
        "/%5cevil.example/page.md",
        "/\\evil.example/page.md",
    ] {
        let reply = wiki.raw_get(target).await;
        if let Some(location) = reply.header("location") {
            assert!(
                location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\"),
                "{target} redirects to {location:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_a_4xx_and_the_server_keeps_serving() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("a.md", "# A\n")]).await;
    let head = wiki.head();
    let long_path = format!("/{}", "a/".repeat(3000));
    let long_name = format!("/{}", "x".repeat(5000));
    let raw_targets = [
        "/%ff%fe",
        "/%",
        "/%zz",
        "/%c0%ae%c0%ae/outside.txt",
        "/-/raw/",
        "/-/raw/%ff",
        "/-/api/pages/",
        "/-/api/pages/%ff.md",
        "/-/static/",
        long_path.as_str(),
        long_name.as_str(),
    ];
    let mut failures = Vec::new();
    for target in raw_targets {
        let reply = wiki.raw_get(target).await;
        if !(400..500).contains(&reply.status) {
            failures.push(format!("GET {}: {}", &target[..target.len().min(60)], reply.status));
        }
    }
    for (method, path) in [
        ("POST", "/a"),
        ("DELETE", "/a"),
        ("DELETE", "/-/api/pages/a.md"),
        ("POST", "/-/api/pages/a.md"),
        ("PUT", "/a"),
    ] {
        let reply = wiki.send(method, path, &[], "").await;
        if !(400..500).contains(&reply.status) {
            failures.push(format!("{method} {path}: {}", reply.status));
        }
    }
    assert!(failures.is_empty(), "expected a 4xx:\n{}", failures.join("\n"));
    wiki.assert_untouched(&head);
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
    assert_eq!(wiki.get("/a").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_over_max_page_bytes_is_refused_with_413() {
    // Preview accepted 25 MB bodies (the global limit) and rendered them, for any reader.
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")]).serve_with(|config| config.max_page_bytes = 1000).await;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let over = format!("markdown={}&path=guide%2Fpreview.md", "x".repeat(1500));
    assert_eq!(wiki.send("POST", "/-/preview", &form, over).await.status, 413);
    // Far over: refused by the body limit before the form is read.
    let far_over = format!("markdown={}", "%3C".repeat(1024 * 1024));
    let refused = wiki.send("POST", "/-/preview", &form, far_over).await;
    assert_eq!(refused.status, 413);
    // Its body left unread, the connection carries no next request, and says so.
    assert_eq!(refused.headers.get("connection").map(|it| it.as_bytes()), Some(&b"close"[..]));
    let under = wiki.send("POST", "/-/preview", &form, "markdown=%23%23+Small&path=guide%2Fpreview.md").await;
    assert_eq!(under.status, 200, "{}", under.text());
    assert!(under.text().contains("Small"), "{}", under.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_front_matter_is_ignored_with_a_warning_not_parsed_for_a_minute() {
    // `x: ` and 100,000 `[` kept an API PUT busy for 55 s in the YAML parser.
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")]).serve().await;
    for (path, yaml) in
        [("deep.md", format!("x: {}", "[".repeat(50_000))), ("big.md", format!("x: {}", "[".repeat(100_000)))]
    {
        let markdown = format!("---\n{yaml}\n---\n# Still here\n\nThe body survives.\n");
        let started = std::time::Instant::now();
        let reply = wiki.put_page(path, &json!({"markdown": markdown}), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
        // A hang guard, not a speed target (the work is measured in benches/hostile.rs).
        assert!(started.elapsed() < Duration::from_secs(30), "the save took {:?}", started.elapsed());
        let page = wiki.get(&format!("/{}", path.trim_end_matches(".md"))).await;
        let text = text_of(&page.text());
        assert!(text.contains("The body survives."), "{text}");
        assert!(text.contains("; ignored"), "no warning about the front matter: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_that_stops_mid_request_line_is_disconnected_after_the_header_timeout() {
    // Slow clients were held forever: there was no header-read timeout.
    let wiki =
        Fixture::with_files(&[("index.md", "# Home\n")]).serve_with(|config| config.header_timeout_secs = 1).await;
    let mut half = tokio::net::TcpStream::connect(wiki.addr).await.expect("connect");
    half.write_all(b"GET /-/heal").await.expect("send half a request line");
    let mut idle = tokio::net::TcpStream::connect(wiki.addr).await.expect("connect");
    let started = std::time::Instant::now();
    for stream in [&mut half, &mut idle] {
        let mut buffer = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .expect("the server closes the connection within the timeout, give or take");
        // Closed (0 bytes, or a reset), or answered with an error before closing: never a page.
        if let Ok(n) = read {
            let answer = String::from_utf8_lossy(&buffer[..n]);
            assert!(n == 0 || answer.starts_with("HTTP/1.1 408"), "{answer}");
        }
    }
    assert!(started.elapsed() >= Duration::from_millis(500), "closed before the timeout: {:?}", started.elapsed());
    assert_eq!(wiki.get("/-/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_max_connections_wait_until_one_closes() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| {
            config.max_connections = 2;
            config.header_timeout_secs = 60;
        })
        .await;
    // Two clients hold both slots without sending anything.
    let first = tokio::net::TcpStream::connect(wiki.addr).await.expect("connect");
    let _second = tokio::net::TcpStream::connect(wiki.addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let addr = wiki.addr;
    let third = tokio::spawn(async move {
        raw_request(addr, &format!("GET /-/healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!third.is_finished(), "a third connection was served over the cap of two");
    // One closes: the waiting client is served.
    drop(first);
    let reply = tokio::time::timeout(Duration::from_secs(10), third)
        .await
        .expect("the waiting client is served once a slot frees")
        .expect("the request task ends");
    assert_eq!(reply.status, 200, "{}", reply.text());
}
