//! Page weight and delivery (issue 15): a page's size follows its content, not its folder (the sidebar shows
//! a window of each level, the tree API pages through the rest); finished pages are cached without anything
//! personal and travel compressed; reads answer `If-None-Match` with 304; theme files have fingerprinted
//! addresses that may be cached for good.

use std::io::Read;

use crate::common::*;

/// How many entries of a level the sidebar shows (`view::TREE_WINDOW`).
const WINDOW: usize = 25;

/// `n` pages in one folder (`flat/`), titled `Page 000` to `Page <n-1>`, committed in one go.
fn flat_folder(n: usize) -> Vec<(String, String)> {
    (0..n).map(|i| (format!("flat/page-{i:03}.md"), format!("# Page {i:03}\n\nText of page {i}.\n"))).collect()
}

async fn wiki_with(files: &[(String, String)]) -> TestWiki {
    let mut all: Vec<(&str, &str)> = vec![("index.md", "# Home\n"), ("other/a.md", "# A\n")];
    all.extend(files.iter().map(|(path, text)| (path.as_str(), text.as_str())));
    TestWiki::with_files(&all).await
}

/// The sidebar's page tree of a page.
#[track_caller]
fn page_tree(html: &str) -> String {
    let start = html.find("<nav aria-label=\"Page tree\">").unwrap_or_else(|| panic!("no page tree:\n{html}"));
    let end = html[start..].find("</nav>").expect("the tree ends") + start;
    html[start..end].to_string()
}

/// The "N more" buttons of a tree: (folder, offset, count, text).
fn more_buttons(tree: &str) -> Vec<(String, usize, usize, String)> {
    elements(tree, "button")
        .into_iter()
        .filter(|it| !it.attr("data-count").is_empty())
        .map(|it| {
            let number = |name: &str| it.attr(name).parse::<usize>().unwrap_or_else(|_| panic!("{name} of {it:?}"));
            (it.attr("data-tree-more"), number("data-offset"), number("data-count"), it.text())
        })
        .collect()
}

/// The paths of every entry of a folder, paged through the tree API `limit` at a time.
async fn paged_tree(wiki: &TestWiki, folder: &str, limit: usize) -> Vec<String> {
    let mut res = Vec::new();
    loop {
        let json = wiki.get(&format!("/-/api/tree?path={folder}&offset={}&limit={limit}", res.len())).await.json();
        let entries = json["entries"].as_array().expect("entries").clone();
        assert!(entries.len() <= limit, "{json}");
        let total = json["total"].as_u64().expect("a total") as usize;
        res.extend(entries.iter().map(|it| it["path"].as_str().expect("a path").to_string()));
        if entries.is_empty() || res.len() >= total {
            assert_eq!(res.len(), total, "{json}");
            return res;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_in_a_big_folder_shows_a_window_of_it_and_the_tree_api_pages_through_the_rest() {
    let files = flat_folder(300);
    let wiki = wiki_with(&files).await;
    let html = wiki.get("/flat/page-150").await.text();
    let tree = page_tree(&html);
    let shown: Vec<String> = links(&tree).iter().map(|it| it.attr("href")).collect();
    let pages: Vec<&String> = shown.iter().filter(|it| it.starts_with("/flat/page-")).collect();
    assert_eq!(pages.len(), WINDOW, "a window of the folder, not all 300 pages: {shown:?}");
    assert!(shown.contains(&"/flat/page-150".to_string()), "the current page is in its window: {shown:?}");
    let expected: Vec<String> = (138..163).map(|i| format!("/flat/page-{i:03}")).collect();
    assert_eq!(pages, expected.iter().collect::<Vec<_>>(), "the window is centred on the current page");

    // What the window leaves out is one button away on either side: real buttons, labelled for screen readers.
    let buttons = more_buttons(&tree);
    assert_eq!(
        buttons,
        [
            ("flat/".to_string(), 0, 138, "138 more".to_string()),
            ("flat/".to_string(), 163, 137, "137 more".to_string())
        ],
        "{tree}"
    );
    for button in elements(&tree, "button") {
        assert!(button.attr("aria-label").starts_with(&button.text()), "{button:?}");
    }
    // Without JavaScript the buttons lead to the list of every page.
    let form = elements(&tree, "form").into_iter().next().expect("a form around the button");
    assert_eq!((form.attr("method").as_str(), form.attr("action").as_str()), ("get", "/-/pages"));

    // The page's weight follows its content: a page among 300 is about as heavy as one among 3.
    let small = wiki_with(&flat_folder(3)).await;
    let small_html = small.get("/flat/page-001").await.text();
    assert!(
        html.len() < small_html.len() + 5_000,
        "{} bytes among 300 pages, {} among 3",
        html.len(),
        small_html.len()
    );

    // The tree API pages through the whole folder in the sidebar's order, and agrees with the window.
    let all = wiki.get("/-/api/tree?path=flat").await.json();
    let all: Vec<String> =
        all["entries"].as_array().expect("entries").iter().map(|it| it["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(all.len(), 300);
    let by_title: Vec<String> = (0..300).map(|i| format!("flat/page-{i:03}.md")).collect();
    assert_eq!(all, by_title, "pages by title");
    for limit in [1, 7, 100, 300, 1000] {
        assert_eq!(paged_tree(&wiki, "flat", limit).await, all, "pages of {limit}");
    }
    let window: Vec<String> = all[138..163].iter().map(|it| format!("/{}", it.trim_end_matches(".md"))).collect();
    assert_eq!(pages, window.iter().collect::<Vec<_>>());
    let reply = wiki.get("/-/api/tree?path=flat&offset=290&limit=50").await.json();
    assert_eq!(reply["entries"].as_array().map(Vec::len), Some(10), "{reply}");
    assert_eq!(reply["total"], 300);
    let reply = wiki.get("/-/api/tree?path=flat&offset=5000&limit=50").await.json();
    assert_eq!(reply["entries"], serde_json::json!([]), "past the end: nothing, not an error");

    // The first and last pages have their window at the edge, with one button.
    let tree = page_tree(&wiki.get("/flat/page-000").await.text());
    assert_eq!(more_buttons(&tree), [("flat/".to_string(), 25, 275, "275 more".to_string())]);
    let tree = page_tree(&wiki.get("/flat/page-299").await.text());
    assert_eq!(more_buttons(&tree), [("flat/".to_string(), 0, 275, "275 more".to_string())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_follows_saves_deletions_retitles_and_new_folders() {
    let wiki = wiki_with(&flat_folder(120)).await;
    let paths = |json: serde_json::Value| -> Vec<String> {
        json["entries"].as_array().expect("entries").iter().map(|it| it["path"].as_str().unwrap().to_string()).collect()
    };
    let mut expected: Vec<String> = (0..120).map(|i| format!("flat/page-{i:03}.md")).collect();
    assert_eq!(paths(wiki.get("/-/api/tree?path=flat").await.json()), expected);
    // Each change below lands on a level the server has listed before (and keeps, sorted).
    save(&wiki, "flat/page-100.md", "# Page 000a\n").await;
    expected.retain(|it| it != "flat/page-100.md");
    expected.insert(1, "flat/page-100.md".into());
    assert_eq!(paths(wiki.get("/-/api/tree?path=flat").await.json()), expected, "a retitled page moves");
    save(&wiki, "flat/zz-new.md", "# Page 050b\n").await;
    expected.insert(expected.iter().position(|it| it == "flat/page-051.md").unwrap(), "flat/zz-new.md".into());
    save(&wiki, "flat/sub/index.md", "# Subfolder\n").await;
    expected.insert(0, "flat/sub/".into());
    let reply = wiki
        .send(
            "DELETE",
            "/-/api/pages/flat/page-007.md",
            &[("If-Match", &format!("\"{}\"", wiki.blob_at_head("flat/page-007.md")))],
            "",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    expected.retain(|it| it != "flat/page-007.md");
    let json = wiki.get("/-/api/tree?path=flat").await.json();
    assert_eq!(paths(json.clone()), expected, "new pages, new folders first, deleted pages gone");
    assert_eq!(json["entries"][0]["title"], "Subfolder", "a folder is titled by its index page");
    save(&wiki, "flat/sub/index.md", "# Renamed subfolder\n").await;
    let json = wiki.get("/-/api/tree?path=flat").await.json();
    assert_eq!(json["entries"][0]["title"], "Renamed subfolder", "retitling the index page retitles the folder");
    // The sidebar agrees: the window around a page is the slice of the same order.
    let tree = page_tree(&wiki.get("/flat/zz-new").await.text());
    let shown: Vec<String> =
        links(&tree).iter().map(|it| it.attr("href")).filter(|it| it.starts_with("/flat/") && it != "/flat/").collect();
    let at = expected.iter().position(|it| it == "flat/zz-new.md").unwrap();
    let window: Vec<String> = expected[at - 12..at + 13]
        .iter()
        .map(|it| {
            format!("/{}", it.trim_end_matches(".md").trim_end_matches('/')) + if it.ends_with('/') { "/" } else { "" }
        })
        .collect();
    assert_eq!(shown, window);
}

async fn save(wiki: &TestWiki, path: &str, markdown: &str) {
    let current = wiki.get(&format!("/-/api/pages/{path}")).await;
    let blob = (current.status == 200).then(|| current.json()["blob"].as_str().expect("a blob").to_string());
    let reply = wiki.put_page(path, &serde_json::json!({ "markdown": markdown }), blob.as_deref()).await;
    assert!(matches!(reply.status, 200 | 201), "saving {path}: {} {}", reply.status, reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_keep_folders_first_and_open_the_way_to_the_page() {
    let mut files = flat_folder(60);
    for i in 0..40 {
        files.push((format!("flat/sub-{i:02}/deep.md"), "# Deep\n".to_string()));
    }
    files.push(("flat/sub-33/target.md".to_string(), "# Target\n".to_string()));
    let wiki = wiki_with(&files).await;
    let tree = page_tree(&wiki.get("/flat/sub-33/target").await.text());
    let folders: Vec<String> = elements(&tree, "details").iter().map(|it| it.attr("data-tree-path")).collect();
    // The root shows `flat/` and `other/`; `flat/` shows a window of its 40 folders around `sub-33`, then
    // its pages; the open folder shows the page.
    assert!(folders.contains(&"flat/sub-33/".to_string()), "{folders:?}");
    assert!(!folders.contains(&"flat/sub-00/".to_string()), "far folders are left out: {folders:?}");
    assert!(has_link_to(&tree, "/flat/sub-33/target"), "{tree}");
    let buttons = more_buttons(&tree);
    assert_eq!(buttons.len(), 2, "{buttons:?}");
    // `sub-33` is 34th of 100 entries: the window holds entries 21 to 45.
    assert_eq!((buttons[0].1, buttons[0].2), (0, 21), "{buttons:?}");
    assert_eq!((buttons[1].1, buttons[1].2), (21 + WINDOW, 100 - 21 - WINDOW), "{buttons:?}");
}

/// How many lookups the page cache has answered.
async fn page_cache_hits(wiki: &TestWiki) -> f64 {
    let metrics = wiki.get("/-/metrics").await.text();
    let line = metrics.lines().find_map(|it| it.strip_prefix("lore_cache_hits_total{cache=\"page\"} "));
    line.and_then(|it| it.trim().parse::<f64>().ok()).expect("the page cache's hits")
}

/// A view of `url` from the page cache. Views are compressed for the cache after they are sent: a view is
/// kept (with the stretches it shares) once asking for it again is a hit.
async fn kept_view(wiki: &TestWiki, url: &str) -> Reply {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let hits = page_cache_hits(wiki).await;
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}");
        if page_cache_hits(wiki).await > hits {
            return reply;
        }
        assert!(std::time::Instant::now() < deadline, "{url} was never kept");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Views of the pages of one folder keep what their sidebars hold alike once: the levels above the folder
/// (here a window of the root's 40 folders, named so that they hardly compress) and what follows the folder's
/// own level. Each further view weighs less than those levels compressed on their own; were they part of every
/// view, each would weigh more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_in_one_folder_share_the_levels_above_it() {
    let mut seed: u64 = 15;
    let mut noise = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        format!("{:016x}", seed >> 1)
    };
    let mut files = Vec::new();
    for _ in 0..40 {
        let name: String = (0..12).map(|_| noise()).collect();
        files.push((format!("{name}/page.md"), "# Elsewhere\n".to_string()));
    }
    for i in 0..12 {
        files.push((format!("deep/page-{i:02}.md"), format!("# Deep {i:02}\n\nText {i}.\n")));
    }
    let wiki = wiki_with(&files).await;
    let cached_bytes = async || wiki.get("/-/healthz").await.json()["page_cache_bytes"].as_u64().expect("bytes");
    let mut weights = Vec::new();
    let mut first = String::new();
    for i in 0..11 {
        let html = kept_view(&wiki, &format!("/deep/page-{i:02}")).await.text();
        weights.push(cached_bytes().await);
        if i == 0 {
            first = html;
        }
    }
    let (first_bytes, last_bytes) = (weights[0], weights[10]);
    let each = (last_bytes - first_bytes) / 10;
    let tree = page_tree(&first);
    let root_folders = tree.matches("class=\"tree-folder\"").count();
    assert!(root_folders >= 20, "the root's window of folders: {tree}");
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut deflate, tree.as_bytes()).expect("compressed");
    let tree_deflated = deflate.finish().expect("compressed").len() as u64;
    assert!(each < tree_deflated, "a further view weighs {each} bytes; the tree alone {tree_deflated} compressed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_no_runs_of_blank_lines() {
    let wiki = wiki_with(&flat_folder(30)).await;
    for url in ["/", "/flat/page-010", "/flat/", "/-/pages", "/-/changes", "/-/edit/flat/page-010", "/-/search?q=page"]
    {
        let html = wiki.get(url).await.text();
        let blank_runs = html
            .split('\n')
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|it| it.iter().all(|line| line.trim().is_empty()))
            .count();
        assert_eq!(blank_runs, 0, "{url} has runs of blank lines:\n{html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_pages_travel_compressed_and_answer_if_none_match() {
    let wiki = wiki_with(&flat_folder(30)).await;
    let plain = wiki.get("/flat/page-010").await;
    assert_eq!(plain.status, 200);
    let html = plain.text();
    assert!(html.contains("Text of page 10"), "{html}");
    // A later view comes from the cache, which fills in a moment after the first.
    let cached = kept_view(&wiki, "/flat/page-010").await;
    assert_eq!(cached.text(), html, "the cached page is the page");
    // The marks that cut a view into the pieces the cache keeps (slots, stretches many views hold alike) are
    // never sent, neither in the first view nor in the kept one; the page still starts as HTML must.
    assert!(!html.contains("<!--lore:same") && !html.contains("<!--lore:/same"), "{html}");
    assert!(!html.contains("<!--lore:body") && !html.contains("<!--lore:account"), "{html}");
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..80]);
    assert_eq!(cached.header("cache-control").as_deref(), Some("private, no-cache"));
    let etag = cached.header("etag").expect("an ETag");

    // Pages are kept as gzip alone (brotli made them 1.3 % smaller for as much memory again): browsers that
    // accept both get the kept gzip; a client that accepts only brotli gets the page compressed on the way out.
    for (accepted, encoding) in [("gzip", "gzip"), ("gzip, deflate, br", "gzip"), ("br", "br")] {
        let reply = wiki.send("GET", "/flat/page-010", &[("Accept-Encoding", accepted)], "").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding").as_deref(), Some(encoding), "{accepted}");
        assert!(reply.body.len() * 2 < html.len(), "{accepted}: {} bytes for {}", reply.body.len(), html.len());
        let decode = if encoding == "br" { unbrotli } else { gunzip as fn(&[u8]) -> String };
        assert_eq!(decode(&reply.body), html, "{accepted}");
        assert_eq!(reply.header("etag").as_deref(), Some(etag.as_str()), "one validator, whatever the encoding");
    }
    let reply = wiki.send("GET", "/flat/page-010", &[("If-None-Match", &etag)], "").await;
    assert_eq!(reply.status, 304, "{}", reply.text());
    assert!(reply.body.is_empty());
    let reply = wiki.send("GET", "/flat/page-011", &[("If-None-Match", &etag)], "").await;
    assert_eq!(reply.status, 200, "another page's validator does not match");

    // The page API's validator is the page's blob: a client that has that version gets 304.
    let api = wiki.get("/-/api/pages/flat/page-010.md").await;
    let blob_etag = api.header("etag").expect("the page API's ETag");
    let reply = wiki.send("GET", "/-/api/pages/flat/page-010.md", &[("If-None-Match", &blob_etag)], "").await;
    assert_eq!(reply.status, 304, "{}", reply.text());
    // Other HTML and JSON reads get a validator from their body, and compression on the way out.
    for url in ["/-/api/tree?path=flat", "/-/pages", "/-/api/tags"] {
        let reply = wiki.get(url).await;
        let etag = reply.header("etag").unwrap_or_else(|| panic!("{url}: no ETag"));
        let again = wiki.send("GET", url, &[("If-None-Match", &etag)], "").await;
        assert_eq!(again.status, 304, "{url}");
        let gzipped = wiki.send("GET", url, &[("Accept-Encoding", "gzip")], "").await;
        if reply.body.len() > 2048 {
            assert_eq!(gzipped.header("content-encoding").as_deref(), Some("gzip"), "{url}");
            assert_eq!(gunzip(&gzipped.body), reply.text(), "{url}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_files_have_fingerprinted_addresses_cached_for_good() {
    let wiki = wiki_with(&flat_folder(3)).await;
    let html = wiki.get("/flat/page-001").await.text();
    let mut sources: Vec<String> = elements(&html, "script").iter().map(|it| it.attr("src")).collect();
    sources.extend(elements(&html, "link").iter().map(|it| it.attr("href")));
    // The web app manifest is the wiki's, not a theme file: it names the site and may change with a restart.
    sources.retain(|it| it != "/-/manifest.webmanifest");
    let lore_js =
        sources.iter().find(|it| it.starts_with("/-/static/lore.js?v=")).unwrap_or_else(|| panic!("{sources:?}"));
    for source in &sources {
        assert!(source.contains("?v="), "every theme file the page links to carries its fingerprint: {source}");
        let reply = wiki.get(source).await;
        assert_eq!(reply.status, 200, "{source}");
        assert_eq!(reply.header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"), "{source}");
    }
    // The address without a fingerprint, or with an old one, still works, cached briefly.
    for url in ["/-/static/lore.js", "/-/static/lore.js?v=0123456789abcdef"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}");
        assert_eq!(reply.header("cache-control").as_deref(), Some("public, max-age=300"), "{url}");
    }
    let plain = wiki.get(lore_js).await;
    let etag = plain.header("etag").expect("an ETag");
    assert_eq!(wiki.send("GET", lore_js, &[("If-None-Match", &etag)], "").await.status, 304);
    // Compressed once, sent compressed; mermaid (megabytes) too.
    for url in [lore_js.as_str(), "/-/static/lore.css", "/-/static/vendor/mermaid/mermaid.min.js"] {
        let plain = wiki.get(url).await;
        for (encoding, decode) in [("gzip", gunzip as fn(&[u8]) -> String), ("br", unbrotli)] {
            let reply = wiki.send("GET", url, &[("Accept-Encoding", encoding)], "").await;
            assert_eq!(reply.header("content-encoding").as_deref(), Some(encoding), "{url}");
            assert!(
                reply.body.len() * 2 < plain.body.len(),
                "{url} {encoding}: {} of {}",
                reply.body.len(),
                plain.body.len()
            );
            assert_eq!(decode(&reply.body), plain.text(), "{url} {encoding}");
        }
    }
}

fn gunzip(body: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(body).read_to_string(&mut text).expect("gzip");
    text
}

fn unbrotli(body: &[u8]) -> String {
    let mut text = String::new();
    brotli::Decompressor::new(body, 4096).read_to_string(&mut text).expect("brotli");
    text
}

/// The backlinks section of a page's view.
fn backlinks(html: &str) -> String {
    html.find("<section class=\"backlinks\"").map_or_else(String::new, |start| {
        let end = html[start..].find("</section>").expect("the section ends") + start;
        html[start..end].to_string()
    })
}

/// A save of one page's text changes its view, the backlinks of the pages it links to (or linked to) and its
/// folders' views; the other views stay in the page cache. A new page, a new title, anything that may show
/// in every view, empties it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_keeps_the_views_it_did_not_change_and_a_new_page_lets_them_all_go() {
    let wiki = wiki_with(&flat_folder(60)).await;
    let cached_bytes = |reply: &Reply| reply.json()["page_cache_bytes"].as_u64().expect("page_cache_bytes");
    for url in ["/flat/page-002", "/flat/page-003", "/flat/page-050"] {
        kept_view(&wiki, url).await;
    }
    assert!(backlinks(&wiki.get("/flat/page-002").await.text()).is_empty());
    save(&wiki, "flat/page-050.md", "# Page 050\n\nChanged, see [two](page-002.md).\n").await;
    // The page cache hears of the save a moment after it: until then it makes every view afresh.
    wiki.get_until("/-/healthz", |it| it.json()["page_cache_head"] == it.json()["head"]).await;
    // Unchanged: still a hit, the same view.
    let hits = page_cache_hits(&wiki).await;
    let unchanged = wiki.get("/flat/page-003").await.text();
    assert_eq!(page_cache_hits(&wiki).await, hits + 1.0, "the view of an unchanged page stays cached");
    assert!(unchanged.contains("Text of page 3."));
    // The saved page, and the backlinks of the page it now links to (beyond the sidebar's window of 25).
    assert!(wiki.get("/flat/page-050").await.text().contains("Changed, see"));
    assert!(backlinks(&wiki.get("/flat/page-002").await.text()).contains("href=\"/flat/page-050\""));
    kept_view(&wiki, "/flat/page-002").await;
    // The link goes again: so does the backlink.
    save(&wiki, "flat/page-050.md", "# Page 050\n\nChanged again.\n").await;
    assert!(backlinks(&wiki.get("/flat/page-002").await.text()).is_empty());
    // A new page shows in its neighbours' sidebars: every view goes, not just when the cache is full.
    kept_view(&wiki, "/flat/page-004").await;
    save(&wiki, "flat/page-003b.md", "# Page 003b\n").await;
    wiki.get_until("/-/healthz", |it| cached_bytes(it) == 0).await;
    assert!(has_link_to(&page_tree(&wiki.get("/flat/page-004").await.text()), "/flat/page-003b"));
    // So does a new title.
    kept_view(&wiki, "/flat/page-004").await;
    save(&wiki, "flat/page-005.md", "# Page 005, retitled\n").await;
    assert!(page_tree(&wiki.get("/flat/page-004").await.text()).contains("Page 005, retitled"));
    // Views of the new head are kept as before.
    wiki.get_until("/-/healthz", |it| cached_bytes(it) > 0).await;
}
