//! Search in every language, through the real HTTP API: pages in Chinese (no spaces), Japanese, Korean,
//! German, Portuguese and English, each found by the words it uses in its own language (bigrams for CJK,
//! Snowball stems, folded diacritics), the `lang:` filter and facet, `Accept-Language` ranking, snippets that
//! mark whole characters; and translations found by tldr's folder convention set in `lore.yaml` alone.

use lore::config::Config;
use serde_json::Value;

use crate::common::*;

/// The pages of the multilingual fixture; each language is declared a different way.
const PAGES: &[(&str, &str)] = &[
    // A folder rule of `lore.yaml` (see `configure`).
    ("zh/tar.md", "# tar\n\n归档实用工具。\n\n- 用gzip压缩文件和目录里的所有文件：\n\n- 列出压缩包里的文件夹。\n"),
    // Front matter.
    ("docs/gzip-ja.md", "---\nlang: ja\ntitle: gzip\n---\n\nファイルを圧縮する。圧縮したファイルを展開する。\n"),
    // Detection: long enough for whatlang to be sure.
    (
        "notes/zip-ko.md",
        "# zip\n\n여러 파일을 하나의 압축 파일로 묶습니다. 압축된 파일이 있는 디렉터리를 지정하고, 압축을 풀 때는 \
         다른 명령을 사용합니다. 이 명령은 대부분의 시스템에서 기본으로 제공되며, 다른 도구와 함께 자주 사용됩니다. \
         예제를 보고 필요한 옵션을 골라서 사용하면 됩니다.\n",
    ),
    ("de/tar.md", "# tar\n\nArchivierungsprogramm. Mehrere Dateien werden komprimiert abgelegt.\n"),
    ("de/reise.md", "# Reise\n\nDie Fahrt nach München dauert drei Stunden.\n"),
    ("pt/zip.md", "---\nlang: pt-BR\n---\n# zip\n\nEmpacota arquivos em um arquivo compactado.\n"),
    ("en/tar.md", "# tar\n\nArchiving utility. Compresses many files into one archive.\n"),
];

fn configure(config: &mut Config) {
    let settings =
        Config::parse("language: en\nlanguages:\n  - {path: \"zh/**\", lang: zh}\n  - {path: \"de/**\", lang: de}\n")
            .expect("valid settings");
    config.language = settings.language;
    config.languages = settings.languages;
}

async fn multilingual_wiki() -> TestWiki {
    let fixture = Fixture::with_files(PAGES);
    let wiki = fixture.serve_with(configure).await;
    wiki.wait_for_search_index().await;
    wiki
}

/// `GET /-/api/search?q=<query>` with `Accept-Language`.
async fn search_in(wiki: &TestWiki, query: &str, accept_language: &str) -> Value {
    let path = format!("/-/api/search?q={}", query_value(query));
    let reply = wiki.send("GET", &path, &[("Accept-Language", accept_language)], "").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[track_caller]
fn assert_hits(json: &Value, expected: &[&str], what: &str) {
    assert_eq!(hit_paths(json), expected, "{what}: {json:#}");
}

fn snippet(json: &Value) -> String {
    json["hits"][0]["snippet_html"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_is_found_by_its_own_words() {
    let wiki = multilingual_wiki().await;
    for (query, expected) in [
        ("文件", "zh/tar.md"),
        ("压缩文件", "zh/tar.md"),
        ("圧縮", "docs/gzip-ja.md"),
        ("파일", "notes/zip-ko.md"),
        ("komprimieren", "de/tar.md"),
        ("compactar", "pt/zip.md"),
        ("Munchen", "de/reise.md"),
        ("compressing", "en/tar.md"),
    ] {
        // With and without a trailing space: the last word is also a prefix while it is being typed.
        for typed in [query.to_string(), format!("{query} ")] {
            assert_hits(&wiki.search(&typed).await, &[expected], &format!("{typed:?}"));
        }
    }
    let json = wiki.search("文件 ").await;
    assert_eq!(json["hits"][0]["lang"], "zh");
    assert_eq!(wiki.search("tar ").await["hits"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn languages_come_from_front_matter_folder_rules_and_detection() {
    let wiki = multilingual_wiki().await;
    for (query, lang) in [("文件", "zh"), ("圧縮", "ja"), ("파일", "ko"), ("Munchen", "de"), ("compactar", "pt-br")]
    {
        let json = wiki.search(&format!("{query} ")).await;
        assert_eq!(json["hits"][0]["lang"], lang, "{query}: {json:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_mark_whole_words_and_characters() {
    let wiki = multilingual_wiki().await;
    let html = snippet(&wiki.search("压缩文件 ").await);
    assert!(html.contains("<mark>压缩</mark>") || html.contains("<mark>压缩文件</mark>"), "{html}");
    assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count(), "{html}");
    let html = snippet(&wiki.search("文件 ").await);
    assert!(html.contains("所有<mark>文件</mark>"), "{html}");
    assert!(html.contains("<mark>文件</mark>夹"), "the word inside a longer one: {html}");
    let html = snippet(&wiki.search("圧縮 ").await);
    assert!(html.starts_with("ファイルを<mark>圧縮</mark>する"), "{html}");
    // Folded for matching, shown as written.
    let html = snippet(&wiki.search("munchen ").await);
    assert!(html.contains("<mark>München</mark>"), "{html}");
    let html = snippet(&wiki.search("komprimieren ").await);
    assert!(html.contains("<mark>komprimiert</mark>"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_filter_and_facet() {
    let wiki = multilingual_wiki().await;
    assert_hits(&wiki.search("tar lang:de").await, &["de/tar.md"], "lang:de");
    assert_hits(&wiki.search_with("q=tar&lang=zh").await, &["zh/tar.md"], "?lang=zh");
    assert_hits(&wiki.search("zip lang:pt").await, &["pt/zip.md"], "lang:pt finds pt-br");
    assert_hits(&wiki.search("tar lang:ja").await, &[], "lang:ja");
    let json = wiki.search("tar").await;
    let mut languages: Vec<String> = json["facets"]["languages"]
        .as_array()
        .expect("a languages facet")
        .iter()
        .map(|it| format!("{}={}", it["value"].as_str().unwrap_or_default(), it["count"]))
        .collect();
    languages.sort();
    assert_eq!(languages, ["de=1", "en=1", "zh=1"], "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readers_language_ranks_first_and_the_sites_second() {
    let wiki = multilingual_wiki().await;
    for (accept_language, first) in
        [("de-DE,de;q=0.9", "de/tar.md"), ("zh-CN,zh;q=0.8", "zh/tar.md"), ("en-US,en;q=0.5", "en/tar.md")]
    {
        let json = search_in(&wiki, "tar", accept_language).await;
        let paths = hit_paths(&json);
        assert_eq!(paths[0], first, "{accept_language}: {json:#}");
        if first != "en/tar.md" {
            assert_eq!(paths[1], "en/tar.md", "the site's language comes next for {accept_language}: {json:#}");
        }
        assert_eq!(json["total"], 3, "a preference is no filter");
    }
    // The results page reads the header too.
    let reply = wiki.send("GET", "/-/search?q=tar", &[("Accept-Language", "de")], "").await;
    let html = reply.text();
    let (de, en) = (html.find("/de/tar").expect("the German page"), html.find("/en/tar").expect("the English page"));
    assert!(de < en, "German first on the results page");
    // In German, as the header asks: the interface follows `Accept-Language` too.
    assert!(html.contains(">Sprache</h2>"), "a language facet: {html}");
}

// ---------------------------------------------------------------------------------------------------------
// Translations

/// tldr's layout: English under `pages/`, each translation under `pages.<lang>/`, the same path below.
const TLDR: &[(&str, &str)] = &[
    (
        "pages/common/tar.md",
        "# tar\n\n> Archiving utility.\n\n- Create an archive:\n\n`tar cf {{target.tar}} {{file}}`\n",
    ),
    (
        "pages.de/common/tar.md",
        "# tar\n\n> Archivierungsprogramm.\n\n- Ein Archiv erstellen:\n\n`tar cf {{ziel.tar}} {{datei}}`\n",
    ),
    ("pages.zh/common/tar.md", "# tar\n\n> 归档实用工具。\n\n- 创建归档：\n\n`tar cf {{目标.tar}} {{文件}}`\n"),
    ("pages.pt_BR/common/tar.md", "# tar\n\n> Utilitário de arquivamento.\n\n`tar cf {{alvo.tar}} {{arquivo}}`\n"),
    ("pages/linux/apt.md", "# apt\n\n> Package manager.\n"),
    ("pages.de/linux/apt-get.md", "# apt-get\n\n> Paketverwaltung.\n"),
];

/// The settings a tldr clone needs: nothing but configuration.
const TLDR_YAML: &str = "language: en\ntranslations:\n  - \"pages/{rest}\"\n  - \"pages.{lang}/{rest}\"\n";

/// The "Also in" links of a page: (name, href).
fn also_in(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("<nav class=\"translations\"") else { return Vec::new() };
    let nav = &html[start..start + html[start..].find("</nav>").expect("the nav closes")];
    nav.split("<a href=\"")
        .skip(1)
        .map(|it| {
            let href = it[..it.find('"').expect("href ends")].to_string();
            let name = it[it.find('>').expect("tag ends") + 1..it.find("</a>").expect("link ends")].to_string();
            (name, href)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tldr_translations_know_each_other_through_configuration_alone() {
    let settings = Config::parse(TLDR_YAML).expect("valid settings");
    let wiki = Fixture::with_files(TLDR)
        .serve_with(|config| {
            config.language = settings.language.clone();
            config.translations = settings.translations.clone();
        })
        .await;

    let html = wiki.get("/pages/common/tar").await.text();
    assert!(html.contains("Also in:"), "{html}");
    let links = also_in(&html);
    let names: Vec<&str> = links.iter().map(|it| it.0.as_str()).collect();
    assert_eq!(names, ["Deutsch", "Português (Brasil)", "中文"], "{links:?}");
    for (name, href) in &links {
        let reply = wiki.get(href).await;
        assert_eq!(reply.status, 200, "{name} → {href}");
        let theirs: Vec<String> = also_in(&reply.text()).into_iter().map(|it| it.0).collect();
        assert!(theirs.contains(&"English".to_string()), "{href} links back to English: {theirs:?}");
        assert!(!theirs.contains(name), "{href} does not list itself: {theirs:?}");
    }
    assert!(html.contains("hreflang=\"pt-br\""), "{html}");
    assert!(also_in(&wiki.get("/pages/linux/apt").await.text()).is_empty(), "a page without translations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_matter_translations_are_followed_from_page_to_page() {
    let wiki = TestWiki::with_files(&[
        ("handbook.md", "---\ntranslations: [handbuch, manual-pt.md]\n---\n# Handbook\n"),
        ("handbuch.md", "---\nlang: de\ntranslations: [handbook]\n---\n# Handbuch\n"),
        ("manual-pt.md", "---\nlang: pt-BR\ntranslations: [/handbook.md]\n---\n# Manual\n"),
    ])
    .await;
    let names = |html: &str| -> Vec<String> { also_in(html).into_iter().map(|it| it.0).collect() };
    assert_eq!(names(&wiki.get("/handbook").await.text()), ["Deutsch", "Português (Brasil)"]);
    assert_eq!(names(&wiki.get("/handbuch").await.text()), ["English", "Português (Brasil)"]);
    assert_eq!(names(&wiki.get("/manual-pt").await.text()), ["Deutsch", "English"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn translations_a_reader_may_not_read_are_not_offered() {
    let settings = Config::parse(TLDR_YAML).expect("valid settings");
    let wiki = Fixture::with_files(TLDR)
        .serve_with(|config| {
            config.translations = settings.translations.clone();
            config.auth.rules = vec![lore::auth::FolderRule {
                path: "pages.zh/**".into(),
                read: Some(vec!["zh-team".into()]),
                edit: None,
            }];
        })
        .await;
    wiki.wait_for_search_index().await;
    let names: Vec<String> = also_in(&wiki.get("/pages/common/tar").await.text()).into_iter().map(|it| it.0).collect();
    assert_eq!(names, ["Deutsch", "Português (Brasil)"]);
    let json = wiki.search("tar").await;
    assert!(!hit_paths(&json).iter().any(|it| it.starts_with("pages.zh/")), "{json:#}");
    let languages = json["facets"]["languages"].to_string();
    assert!(!languages.contains("zh"), "the facet leaves the hidden pages out too: {languages}");
}
