//! End-to-end tests of the `lore` binary: the first run with no configuration, restarts, the command-line
//! flags, `lore.yaml`, themes, and serving existing repositories. Each test runs the real binary in its own
//! temporary folder on a free loopback port.

use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::json;

/// The starter content compiled into the binary: every file under the project's `content/` folder.
fn starter_files() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut res = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read content/") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(&root).expect("under content/").to_string_lossy().replace('\\', "/");
                res.push((relative, std::fs::read(&path).expect("read a starter file")));
            }
        }
    }
    res.sort();
    res
}

fn write_file(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folders");
    std::fs::write(path, content).expect("write");
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

// ---------------------------------------------------------------------------------------------------------
// First run and restarts

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_creates_a_bare_repository_seeded_with_the_starter_content_in_one_commit() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // No --data: the default data folder is ./lore-data. The folder holds no content/: it is compiled in.
    let lore = LoreProcess::serve(dir.path(), &[]);
    let git_dir = dir.path().join("lore-data/wiki.git");
    assert!(git_dir.is_dir(), "no ./lore-data/wiki.git after the first start:\n{}", lore.log());

    assert_eq!(git_in(&git_dir, &["rev-parse", "--is-bare-repository"]), "true");
    assert_eq!(git_in(&git_dir, &["symbolic-ref", "HEAD"]), "refs/heads/main");
    assert_eq!(git_in(&git_dir, &["rev-list", "--count", "refs/heads/main"]), "1");
    assert_eq!(git_in(&git_dir, &["log", "-1", "--format=%an <%ae>", "refs/heads/main"]), "Lore <lore@localhost>");

    let expected = starter_files();
    let names = git_in(&git_dir, &["ls-tree", "-r", "--name-only", "refs/heads/main"]);
    let stored: Vec<&str> = names.lines().collect();
    let expected_names: Vec<&str> = expected.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(stored, expected_names, "the first commit does not hold exactly the content/ folder");
    for (name, content) in &expected {
        let output = git_command(&git_dir, &["cat-file", "blob", &format!("refs/heads/main:{name}")])
            .output()
            .expect("git runs");
        assert_eq!(&output.stdout, content, "{name} differs from content/{name}");
    }
    git_in(&git_dir, &["fsck", "--no-progress"]);

    let home = get_url(&format!("{}/", lore.base_url)).await;
    assert_eq!(home.status, 200);
    assert_eq!(h1_text(&home.text()), "Welcome to the wiki");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_folder_is_created_where_data_says() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("nested/folder/data");
    let lore = LoreProcess::serve(dir.path(), &["--data", &path_arg(&data)]);
    assert!(data.join("wiki.git").is_dir(), "no wiki.git in --data:\n{}", lore.log());
    assert!(!dir.path().join("lore-data").exists(), "created ./lore-data although --data was given");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_start_reuses_the_repository_without_reseeding() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = path_arg(&dir.path().join("data"));
    let git_dir = dir.path().join("data/wiki.git");

    let first = LoreProcess::serve(dir.path(), &["--data", &data]);
    let first_head = git_in(&git_dir, &["rev-parse", "refs/heads/main"]);
    first.stop();

    let second = LoreProcess::serve(dir.path(), &["--data", &data]);
    assert_eq!(git_in(&git_dir, &["rev-parse", "refs/heads/main"]), first_head, "the second start moved the branch");
    assert_eq!(git_in(&git_dir, &["rev-list", "--count", "refs/heads/main"]), "1");
    assert_eq!(get_url(&format!("{}/", second.base_url)).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_edited_before_a_restart_stay_edited() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = path_arg(&dir.path().join("data"));
    let git_dir = dir.path().join("data/wiki.git");

    // Edit the home page through the API while Lore runs.
    let first = LoreProcess::serve(dir.path(), &["--data", &data]);
    let api = format!("{}/-/api/pages/index.md", first.base_url);
    let page = get_url(&api).await;
    let blob = page.json()["blob"].as_str().expect("a blob id").to_string();
    let edited = http_client()
        .put(&api)
        .header("If-Match", format!("\"{blob}\""))
        .json(&json!({"markdown": "# Our wiki\n\nEDITED-THROUGH-THE-API\n"}))
        .send()
        .await
        .expect("the PUT is answered");
    assert_eq!(edited.status().as_u16(), 200);
    first.stop();

    // Push another edit with git while Lore is stopped.
    let clone = dir.path().join("clone");
    git_in(dir.path(), &["clone", "--quiet", &path_arg(&git_dir), "clone"]);
    std::fs::write(clone.join("pushed.md"), "# Pushed\n\nPUSHED-WITH-GIT\n").expect("write");
    git_in(&clone, &["add", "pushed.md"]);
    git_in(
        &clone,
        &["-c", "user.name=Ann Author", "-c", "user.email=ann@example.com", "commit", "--quiet", "-m", "Add a page"],
    );
    git_in(&clone, &["push", "--quiet", "origin", "main"]);

    let second = LoreProcess::serve(dir.path(), &["--data", &data]);
    assert_eq!(
        git_in(&git_dir, &["rev-list", "--count", "refs/heads/main"]),
        "3",
        "the repository was re-seeded or reset"
    );
    let home = get_url(&format!("{}/", second.base_url)).await;
    assert!(home.text().contains("EDITED-THROUGH-THE-API"), "the API edit was lost: {}", text_of(&home.text()));
    let pushed = get_url(&format!("{}/pushed", second.base_url)).await;
    assert_eq!(pushed.status, 200);
    assert!(pushed.text().contains("PUSHED-WITH-GIT"));
}

// ---------------------------------------------------------------------------------------------------------
// The starter content (served in-process: the binary is tested above)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starter_pages_are_served() {
    let wiki = TestWiki::managed().await;
    for (url, title) in [
        ("/", "Welcome to the wiki"),
        ("/guide/markdown", "Markdown guide"),
        ("/help/how-this-wiki-works", "How this wiki works"),
    ] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}");
        assert_safe_html_page(&reply, url);
        assert_eq!(h1_text(&reply.text()), title, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starter_home_and_help_link_only_to_existing_pages() {
    let wiki = TestWiki::managed().await;
    for url in ["/", "/help/how-this-wiki-works", "/onboarding/first-week"] {
        let html = wiki.get(url).await.text();
        let n_wiki_links = links(&html).iter().filter(|it| it.classes().contains(&"wikilink".to_string())).count();
        assert!(n_wiki_links > 0, "{url} has no wiki links to check");
        let missing: Vec<String> = links(&html)
            .into_iter()
            .filter(|it| it.classes().contains(&"new".to_string()))
            .map(|it| format!("{} -> {}", it.text(), it.attr("href")))
            .collect();
        assert!(missing.is_empty(), "{url} links to missing pages: {missing:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starter_pages_show_lore_as_their_last_editor() {
    let wiki = TestWiki::managed().await;
    let reply = wiki.get_until("/guide/markdown", |it| text_of(&it.text()).contains("Last edited by")).await;
    assert!(text_of(&reply.text()).contains("Last edited by Lore"), "{}", text_of(&reply.text()));
}

// ---------------------------------------------------------------------------------------------------------
// Existing repositories

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repo_and_branch_flags_serve_an_existing_repository() {
    let fixture = Fixture::with_files(&[("index.md", "# Main home\n"), ("main-page.md", "# Main page\n")]);
    fixture.git(&["checkout", "--quiet", "-b", "docs"]);
    fixture.write("index.md", "# Docs home\n").write("docs-page.md", "# Docs page\n");
    fixture.commit(BOB, "Docs branch");
    fixture.git(&["checkout", "--quiet", "main"]);
    let data = path_arg(&fixture.root().join("data"));
    let repo = path_arg(fixture.work_tree());

    let on_main = LoreProcess::serve(fixture.root(), &["--data", &data, "--repo", &repo]);
    assert_eq!(h1_text(&get_url(&format!("{}/", on_main.base_url)).await.text()), "Main home");
    assert_eq!(get_url(&format!("{}/docs-page", on_main.base_url)).await.status, 404);
    on_main.stop();

    let on_docs = LoreProcess::serve(fixture.root(), &["--data", &data, "--repo", &repo, "--branch", "docs"]);
    assert_eq!(h1_text(&get_url(&format!("{}/", on_docs.base_url)).await.text()), "Docs home");
    assert_eq!(get_url(&format!("{}/docs-page", on_docs.base_url)).await.status, 200);
    // Lore never creates its own repository when serving an existing one.
    assert!(!fixture.root().join("data/wiki.git").exists(), "created a managed repository although --repo was given");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repo_flag_serves_a_bare_repository() {
    let fixture = Fixture::with_files(&[("index.md", "# Bare home\n")]);
    let bare = fixture.bare_clone();
    let data = path_arg(&fixture.root().join("data"));
    let lore = LoreProcess::serve(fixture.root(), &["--data", &data, "--repo", &path_arg(&bare)]);
    assert_eq!(h1_text(&get_url(&format!("{}/", lore.base_url)).await.text()), "Bare home");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let missing = dir.path().join("no-such-repo");
    let listen = free_loopback_addr().to_string();
    let output = run_lore(dir.path(), &["serve", "--listen", &listen, "--data", "data", "--repo", &path_arg(&missing)]);
    assert!(!output.status.success(), "lore started without its repository");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-repo"), "the error does not name the repository: {stderr}");
    assert!(!stderr.contains("panicked"), "lore panicked: {stderr}");
    assert!(!missing.exists(), "lore created the missing repository");
}

// ---------------------------------------------------------------------------------------------------------
// Settings

#[test]
fn serve_help_documents_every_flag() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = run_lore(dir.path(), &["serve", "--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--listen", "--data", "--repo", "--branch", "--theme", "--config", "--site-title", "127.0.0.1:8080"] {
        assert!(help.contains(flag), "`lore serve --help` does not mention {flag}:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_sets_the_site_title_and_data_folder() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = dir.path().join("settings/lore.yaml");
    write_file(&config, "site_title: Acme Wiki\ndata: acme-data\n");
    let lore = LoreProcess::serve(dir.path(), &["--config", &path_arg(&config)]);
    let html = get_url(&format!("{}/", lore.base_url)).await.text();
    assert!(title_text(&html).contains("Acme Wiki"), "<title> is {:?}", title_text(&html));
    assert!(link_with_text(&html, "Acme Wiki").attr("href").starts_with('/'), "the header does not name the site");
    assert!(
        dir.path().join("acme-data/wiki.git").is_dir(),
        "the data folder from lore.yaml was not used:\n{}",
        lore.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_title_flag_overrides_the_config_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = dir.path().join("lore.yaml");
    write_file(&config, "site_title: Acme Wiki\n");
    let lore = LoreProcess::serve(
        dir.path(),
        &["--config", &path_arg(&config), "--data", "data", "--site-title", "Flag Wiki"],
    );
    let html = get_url(&format!("{}/", lore.base_url)).await.text();
    assert!(title_text(&html).contains("Flag Wiki"), "<title> is {:?}", title_text(&html));
    assert!(!html.contains("Acme Wiki"), "the config file's title is still shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_with_an_unknown_key_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = dir.path().join("lore.yaml");
    write_file(&config, "site_titel: Typo Wiki\n");
    let listen = free_loopback_addr().to_string();
    let output =
        run_lore(dir.path(), &["serve", "--listen", &listen, "--data", "data", "--config", &path_arg(&config)]);
    assert!(!output.status.success(), "lore started with a misspelt setting");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("site_titel"), "the error does not name the unknown key: {stderr}");
    assert!(!stderr.contains("panicked"), "lore panicked: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_flag_with_only_a_layout_changes_the_frame() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let theme: PathBuf = dir.path().join("my-theme");
    write_file(
        &theme.join("templates/layout.html"),
        "<!doctype html><html><head><title>{% block title %}{% endblock %} · {{ site_title }}</title></head>\
         <body><p>CUSTOM-FRAME-MARKER</p>{% block content %}{% endblock %}</body></html>",
    );
    let lore = LoreProcess::serve(dir.path(), &["--data", "data", "--theme", &path_arg(&theme)]);
    let html = get_url(&format!("{}/guide/markdown", lore.base_url)).await.text();
    assert!(html.contains("CUSTOM-FRAME-MARKER"), "the theme's layout is not used");
    assert!(!html.contains("site-header"), "the default layout is still used");
    assert!(html.contains("page-header"), "the default page template is not used");
    assert_eq!(h1_text(&html), "Markdown guide");
}

// ---------------------------------------------------------------------------------------------------------
// Robustness of the real process

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathological_markdown_does_not_crash_the_server() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let lore = LoreProcess::serve(dir.path(), &["--data", "data"]);
    let client = http_client();
    let pages = [
        ("deep-quotes", "> ".repeat(20_000) + "deep\n"),
        ("deep-lists", (0..1_000).map(|depth| format!("{}- item\n", "  ".repeat(depth))).collect::<String>()),
        ("deep-html", "<div>".repeat(20_000) + "deep" + &"</div>".repeat(20_000)),
        ("brackets", "[".repeat(50_000) + &"]".repeat(50_000)),
        ("emphasis", "*a ".repeat(30_000) + &"b* ".repeat(30_000)),
        ("wiki-links", "[[x|".repeat(20_000) + &"]]".repeat(20_000)),
    ];
    for (name, markdown) in pages {
        let api = format!("{}/-/api/pages/{name}.md", lore.base_url);
        let saved = client.put(&api).json(&json!({"markdown": markdown})).send().await;
        let saved = saved.unwrap_or_else(|err| panic!("saving {name} killed the server? {err}\n{}", lore.log()));
        assert_eq!(saved.status().as_u16(), 201, "saving {name}");
        let page = client.get(format!("{}/{name}", lore.base_url)).send().await;
        let page = page.unwrap_or_else(|err| panic!("showing {name} killed the server? {err}\n{}", lore.log()));
        assert_eq!(page.status().as_u16(), 200, "showing {name}");
        let health = get_url(&format!("{}/-/healthz", lore.base_url)).await;
        assert_eq!(health.status, 200, "after {name}");
    }
}
