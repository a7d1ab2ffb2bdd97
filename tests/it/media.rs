//! Recordings, embedded players and the installable app, through the real server: raw files answer `Range`
//! requests (so players can seek), audio and video in pages get players, `<iframe>`s become sandboxed frames
//! from the `embeds` allow-list (which the Content-Security-Policy's `frame-src` lists exactly) or a visible box,
//! and the web app manifest, icons and service worker are served, with only plain page views marked for
//! keeping offline, per reader.

use crate::accounts::{EDDIE, HANNA, Visitor, serve_local, small_fixture};
use crate::common::browser::Browser;
use crate::common::*;

/// 1,000 bytes whose every byte says where it is (`i % 251`), so a wrong slice shows.
fn numbered_bytes() -> Vec<u8> {
    (0..1000u32).map(|it| (it % 251) as u8).collect()
}

async fn wiki_with_recording() -> TestWiki {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n").write("talks/demo.mp4", numbered_bytes()).write("notes.txt", "plain text\n");
    fixture.commit(ANN, "Add a recording");
    fixture.serve().await
}

async fn get_with(wiki: &TestWiki, path: &str, headers: &[(&str, &str)]) -> Reply {
    wiki.send("GET", path, headers, Vec::new()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_files_answer_a_range_with_206_and_exactly_those_bytes() {
    let wiki = wiki_with_recording().await;
    let all = numbered_bytes();
    let whole = wiki.get("/talks/demo.mp4").await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, all);
    assert_eq!(whole.header("accept-ranges").as_deref(), Some("bytes"), "a player learns it may seek");
    assert_eq!(whole.content_type(), "video/mp4");
    let etag = whole.header("etag").expect("raw files carry their blob id");

    for (path, range, first, last) in [
        ("/talks/demo.mp4", "bytes=0-99", 0, 99),
        ("/talks/demo.mp4", "bytes=500-", 500, 999),
        ("/talks/demo.mp4", "bytes=-100", 900, 999),
        ("/talks/demo.mp4", "bytes=990-5000", 990, 999),
        ("/talks/demo.mp4", "bytes=-5000", 0, 999),
        ("/-/raw/talks/demo.mp4", "bytes=250-251", 250, 251),
    ] {
        let reply = get_with(&wiki, path, &[("Range", range)]).await;
        assert_eq!(reply.status, 206, "{path} {range}: {}", reply.text());
        assert_eq!(reply.header("content-range"), Some(format!("bytes {first}-{last}/1000")), "{path} {range}");
        assert_eq!(reply.body, all[first..=last], "{path} {range}");
        assert_eq!(reply.header("content-length"), Some((last - first + 1).to_string()), "{path} {range}");
        assert_eq!(reply.header("accept-ranges").as_deref(), Some("bytes"));
        assert_eq!(reply.content_type(), "video/mp4", "a part keeps the file's type");
    }

    // The version the client has: a part of it. Another version: the whole file.
    let reply = get_with(&wiki, "/talks/demo.mp4", &[("Range", "bytes=10-19"), ("If-Range", &etag)]).await;
    assert_eq!((reply.status, reply.body.as_slice()), (206, &all[10..20]));
    for stale in ["\"0000000000000000000000000000000000000000\"", "Wed, 21 Oct 2015 07:28:00 GMT", &format!("W/{etag}")]
    {
        let reply = get_with(&wiki, "/talks/demo.mp4", &[("Range", "bytes=10-19"), ("If-Range", stale)]).await;
        assert_eq!(reply.status, 200, "If-Range {stale}");
        assert_eq!(reply.body, all, "If-Range {stale}: the whole new version");
        assert_eq!(reply.header("content-range"), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsatisfiable_ranges_are_416_and_odd_ones_get_the_whole_file() {
    let wiki = wiki_with_recording().await;
    for range in ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=99999999999999999999999999-"] {
        let reply = get_with(&wiki, "/talks/demo.mp4", &[("Range", range)]).await;
        assert_eq!(reply.status, 416, "{range}");
        assert_eq!(reply.header("content-range").as_deref(), Some("bytes */1000"), "{range}");
        assert!(reply.body.is_empty(), "{range}");
    }
    // Several ranges, other units and nonsense: the whole file, never an error or a panic.
    for range in
        ["bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=--1", "bytes=", "bytes=0-1;x", "\u{7f}"]
    {
        let request = format!(
            "GET /talks/demo.mp4 HTTP/1.1\r\nHost: {}\r\nRange: {range}\r\nConnection: close\r\n\r\n",
            wiki.addr
        );
        let raw = raw_request(wiki.addr, &request).await;
        assert!(raw.status == 200 || raw.status == 400, "{range:?}: {}", raw.status);
        if raw.status == 200 {
            assert_eq!(raw.body, numbered_bytes(), "{range:?}");
        }
    }
    // A text file's part is sent as is, never compressed.
    let reply = get_with(&wiki, "/notes.txt", &[("Range", "bytes=0-4"), ("Accept-Encoding", "gzip, br")]).await;
    assert_eq!((reply.status, reply.text().as_str()), (206, "plain"));
    assert_eq!(reply.header("content-encoding"), None);
    // HEAD tells the length and that ranges work.
    let head = wiki.send("HEAD", "/talks/demo.mp4", &[("Range", "bytes=0-9")], Vec::new()).await;
    assert_eq!(head.status, 206);
    assert_eq!(head.header("content-range").as_deref(), Some("bytes 0-9/1000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_and_video_play_inline_with_a_fallback_link() {
    let page = "# Talks\n\n![Launch demo](demo.mp4)\n\n[Weekly sync](sync.mp3)\n\n- ![Standup](standup.m4a)\n\n\
                Read [the transcript](sync.mp3) first.\n\n![Slides](https://cdn.example.com/slides.webm)\n\n\
                <video src=\"demo.webm\" autoplay></video>\n";
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("talks/index.md", page)]).await;
    let reply = wiki.get("/talks/").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "a page with players");
    let html = reply.text();
    let videos = elements(&html, "video");
    let audios = elements(&html, "audio");
    assert_eq!(videos.len(), 2, "{html}");
    assert_eq!(audios.len(), 2, "{html}");
    for player in videos.iter().chain(&audios) {
        assert_eq!(player.attr("preload"), "metadata", "{}", player.inner_html);
        assert!(player.attrs.contains_key("controls"), "every player shows its controls");
        assert!(!player.attrs.contains_key("autoplay"), "nothing plays by itself");
    }
    assert_eq!(videos[0].attr("src"), "/talks/demo.mp4");
    let fallback = elements(&videos[0].inner_html, "a");
    assert_eq!(
        (fallback[0].attr("href"), text_of(&fallback[0].inner_html)),
        ("/talks/demo.mp4".into(), "Launch demo".into())
    );
    assert_eq!(audios[0].attr("src"), "/talks/sync.mp3");
    assert_eq!(text_of(&audios[0].inner_html), "Weekly sync");
    assert_eq!(audios[1].attr("src"), "/talks/standup.m4a");
    // Raw HTML players are cleaned like everything else.
    assert_eq!(videos[1].attr("src"), "demo.webm");
    // A link in a sentence stays a link; a recording on another site stays an image (the CSP plays only Lore's).
    assert!(html.contains("Read <a href=\"/talks/sync.mp3\""), "{html}");
    assert!(html.contains("src=\"https://cdn.example.com/slides.webm\""), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_from_the_allow_list_are_sandboxed_and_the_only_frame_sources() {
    let page = "# Videos\n\n<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?start=3\" \
                title=\"Launch talk\" allow=\"autoplay; encrypted-media\" allowfullscreen></iframe>\n\n\
                <iframe src=\"https://video.corp.example/embed/42\" onload=\"alert(1)\"></iframe>\n\n\
                <iframe src=\"http://video.corp.example/embed/43\"></iframe>\n";
    let fixture = Fixture::with_files(&[("index.md", "# Home\n"), ("videos.md", page)]);
    let wiki = fixture
        .serve_with(|config| config.embeds = vec!["www.youtube-nocookie.com".into(), "video.corp.example".into()])
        .await;
    let reply = wiki.get("/videos").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "a page with players");
    let html = reply.text();
    let frames = elements(&html, "iframe");
    assert_eq!(frames.len(), 2, "{html}");
    assert_eq!(frames[0].attr("src"), "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=3");
    assert_eq!(frames[0].attr("title"), "Launch talk");
    assert_eq!(frames[1].attr("src"), "https://video.corp.example/embed/42");
    for frame in &frames {
        assert_eq!(frame.attr("sandbox"), "allow-scripts allow-same-origin allow-presentation");
        assert_eq!(frame.attr("allow"), "fullscreen");
        assert_eq!(frame.attr("loading"), "lazy");
        assert_eq!(frame.attr("referrerpolicy"), "strict-origin-when-cross-origin");
        assert!(!frame.attrs.contains_key("onload"), "{html}");
        assert!(!frame.attr("title").is_empty(), "screen readers name every frame");
    }
    // Plain http is not allowed, even from an allowed host.
    assert!(
        text_of(&html).contains("Embedded content from video.corp.example is not allowed here — open it"),
        "{html}"
    );

    let csp = reply.header("content-security-policy").expect("a CSP");
    assert_eq!(
        directive(&csp, "frame-src"),
        Some(vec!["https://www.youtube-nocookie.com".to_string(), "https://video.corp.example".to_string()]),
        "{csp}"
    );
    // Every page says the same, and the defaults name the three players the README lists.
    let other = wiki.get("/").await.header("content-security-policy").expect("a CSP");
    assert_eq!(directive(&other, "frame-src"), directive(&csp, "frame-src"));
    let defaults = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let csp = defaults.get("/").await.header("content-security-policy").expect("a CSP");
    assert_eq!(
        directive(&csp, "frame-src").unwrap_or_default().join(" "),
        "https://www.youtube-nocookie.com https://player.vimeo.com https://www.loom.com",
        "{csp}"
    );
    let none = Fixture::with_files(&[("index.md", "<iframe src=\"https://www.loom.com/embed/x\"></iframe>\n")])
        .serve_with(|config| config.embeds = Vec::new())
        .await;
    let reply = none.get("/").await;
    let csp = reply.header("content-security-policy").expect("a CSP");
    assert_eq!(directive(&csp, "frame-src"), Some(vec!["'none'".to_string()]), "{csp}");
    assert!(text_of(&reply.text()).contains("Embedded content from www.loom.com is not allowed here"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_from_other_hosts_become_a_visible_box_with_a_link() {
    let page = "# Handbook\n\n## Onboarding video\n\n<iframe src=\"https://videos.example.net/embed/7?a=1&amp;b=2\" \
                width=\"640\">Frames are not supported</iframe>\n\n## Slides\n\nSee <iframe src=\"javascript:alert(1)\"></iframe> here.\n";
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("handbook.md", page)]).await;
    let reply = wiki.get("/handbook").await;
    assert_safe_html_page(&reply, "a page with frames");
    let html = reply.text();
    assert!(elements(&html, "iframe").is_empty(), "{html}");
    let boxes: Vec<Element> =
        elements(&html, "span").into_iter().filter(|it| it.attr("class") == "embed-blocked").collect();
    assert_eq!(boxes.len(), 2, "every frame leaves a box, never nothing: {html}");
    assert_eq!(text_of(&boxes[0].inner_html), "Embedded content from videos.example.net is not allowed here — open it");
    let link = &elements(&boxes[0].inner_html, "a")[0];
    assert_eq!(link.attr("href"), "https://videos.example.net/embed/7?a=1&b=2");
    assert_eq!(text_of(&boxes[1].inner_html), "Embedded content is not allowed here.");
    assert!(!html.contains("javascript:") && !html.contains("Frames are not supported"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_manifest_icons_and_service_worker_are_served() {
    let wiki = Fixture::with_files(&[("index.md", "# Home\n")])
        .serve_with(|config| config.site_title = "Acme Handbook & Wiki".into())
        .await;
    let home = wiki.get("/").await.text();
    let link = elements(&home, "link").into_iter().find(|it| it.attr("rel") == "manifest").expect("a manifest link");
    let reply = wiki.get(&link.attr("href")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), "application/manifest+json");
    let manifest = reply.json();
    assert_eq!(manifest["name"], "Acme Handbook & Wiki");
    assert_eq!(manifest["short_name"], "Acme");
    assert_eq!((manifest["start_url"].as_str(), manifest["scope"].as_str()), (Some("/"), Some("/")));
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().expect("icons");
    let mut seen = Vec::new();
    for icon in icons {
        let src = icon["src"].as_str().expect("an address");
        let image = wiki.get(src).await;
        assert_eq!((image.status, image.content_type().as_str()), (200, "image/png"), "{src}");
        assert!(image.body.starts_with(b"\x89PNG\r\n\x1a\n"), "{src} is a PNG");
        // The PNG's own width and height are what the manifest says.
        let width = u32::from_be_bytes(image.body[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(image.body[20..24].try_into().unwrap());
        assert_eq!(icon["sizes"], format!("{width}x{height}"), "{src}");
        seen.push((width, icon["purpose"].as_str().unwrap_or_default().to_string()));
    }
    for wanted in [(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")] {
        assert!(seen.contains(&(wanted.0, wanted.1.to_string())), "{wanted:?} in {seen:?}");
    }
    let colours: Vec<String> = elements(&home, "meta")
        .into_iter()
        .filter(|it| it.attr("name") == "theme-color")
        .map(|it| it.attr("media"))
        .collect();
    assert_eq!(colours, ["(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"]);

    let worker = wiki.get("/-/sw.js").await;
    assert_eq!(worker.status, 200);
    assert!(worker.content_type().starts_with("text/javascript"), "{}", worker.content_type());
    assert_eq!(worker.header("service-worker-allowed").as_deref(), Some("/"), "its scope is the whole site");
    assert_eq!(worker.header("cache-control").as_deref(), Some("no-cache"), "a new version is seen at once");
    assert!(worker.text().contains("Offline copy from"));
    let registration = script_sources(&home).into_iter().find(|it| it.contains("lore-offline.js")).expect("registered");
    assert!(wiki.get(&registration).await.text().contains("serviceWorker.register(\"/-/sw.js\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_plain_page_views_may_be_kept_offline_and_each_for_its_reader() {
    let local = serve_local(small_fixture(), &[EDDIE, HANNA], |_| {}).await;
    let wiki = &local.wiki;
    // The manifest and the worker are there for the login page too.
    assert_eq!(wiki.get("/-/manifest.webmanifest").await.status, 200);
    assert_eq!(wiki.get("/-/sw.js").await.status, 200);

    let anonymous = wiki.get("/pub/page").await;
    let anonymous_key = anonymous.header("lore-offline").expect("a page may be kept");
    assert_eq!(wiki.get("/").await.header("lore-offline"), Some(anonymous_key.clone()), "the home folder too");
    let mut eddie = Browser::logged_in(wiki, EDDIE).await;
    let mut hanna = Browser::logged_in(wiki, HANNA).await;
    let eddie_page = eddie.get("/pub/page").await;
    let eddie_key = eddie_page.header("lore-offline").expect("a page may be kept");
    let hanna_key = hanna.get("/pub/page").await.header("lore-offline").expect("a page may be kept");
    assert!(eddie_key != anonymous_key && eddie_key != hanna_key && hanna_key != anonymous_key);
    assert_eq!(eddie.get("/").await.header("lore-offline"), Some(eddie_key.clone()), "the same key for one reader");
    // The account links are marked, so that kept copies leave them out.
    let html = eddie_page.text();
    let (start, end) = (html.find("<!--lore:personal-->"), html.find("<!--/lore:personal-->"));
    let (Some(start), Some(end)) = (start, end) else { panic!("no personal marks:\n{html}") };
    assert!(html[start..end].contains("Eddie Editor") && html[start..end].contains("csrf_token"));
    assert!(!html[..start].contains("Eddie Editor") && !html[end..].contains("Eddie Editor"), "{html}");

    for path in [
        "/-/account",
        "/-/inbox",
        "/-/account/follows",
        "/-/edit/pub/page",
        "/-/search?q=hello",
        "/-/api/pages/pub/page",
        "/-/history/pub/page",
        "/pub/page?saved=1",
        "/-/raw/pub/page.md",
        "/no-such-page",
    ] {
        let reply = eddie.get(path).await;
        assert!(reply.status < 500, "{path}: {}", reply.status);
        assert_eq!(reply.header("lore-offline"), None, "{path} ({}) must not be kept offline", reply.status);
    }
}

fn directive(csp: &str, name: &str) -> Option<Vec<String>> {
    csp.split(';').map(str::trim).find_map(|directive| {
        let mut words = directive.split_whitespace();
        (words.next() == Some(name)).then(|| words.map(str::to_string).collect())
    })
}

fn script_sources(html: &str) -> Vec<String> {
    elements(html, "script").into_iter().map(|it| it.attr("src")).filter(|it| !it.is_empty()).collect()
}
