//! End-to-end tests of finding your way around a wiki (issue 10): backlinks kept current as pages change by
//! API saves and by commits made with the `git` command line, wanted and orphan pages, nested sidebars,
//! headers and footers, breadcrumbs, the tree API, tags, the random page, and formulas and diagrams
//! (KaTeX and mermaid served by Lore itself, loaded only where used, under a strict Content-Security-Policy).
//!
//! The browser half of formulas and diagrams (do they actually draw?) is in `drawings_browser.rs`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------------
// Backlinks

const ROTA: &str = "# Team Rota\n\nWho is on call.\n";
const NOTES: &str = "# Notes A\n\nNo links yet.\n";
const SETUP: &str = "# Setup guide\n\nInstall things.\n";
const HOME: &str = "# Home\n\nWelcome.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlinks_follow_api_saves() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("team/rota.md", ROTA),
        ("notes/a.md", NOTES),
        ("guide/setup.md", SETUP),
    ])
    .await;
    assert_incoming(&wiki, "team/rota.md", &[]).await;
    assert_eq!(backlinks_on_page(&wiki, "/team/rota").await, [] as [(String, String); 0]);

    // A wiki link by title, one by path and a relative Markdown link, each saved through the API.
    save(&wiki, "notes/a.md", "# Notes A\n\nSee [[Team Rota]] for who is on call.\n").await;
    assert_incoming(&wiki, "team/rota.md", &["notes/a.md"]).await;
    save(&wiki, "index.md", "# Home\n\nThe [[team/rota]] is here.\n").await;
    save(&wiki, "guide/setup.md", "# Setup guide\n\nAsk whoever is on [the rota](../team/rota.md).\n").await;
    assert_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md", "notes/a.md"]).await;
    assert_eq!(
        backlinks_on_page(&wiki, "/team/rota").await,
        pairs(&[("Home", "/index"), ("Notes A", "/notes/a"), ("Setup guide", "/guide/setup")]),
        "\"What links here\" lists the linking pages by title"
    );

    // The other direction: the linking pages list the rota as an outgoing link.
    let links = links_json(&wiki, "notes/a.md").await;
    assert_eq!(links["path"], "notes/a.md");
    assert_eq!(paths_of(&links["outgoing"]), ["team/rota.md"], "{links}");
    assert_eq!(links["outgoing"][0]["title"], "Team Rota", "{links}");
    assert_eq!(links["outgoing"][0]["url"], "/team/rota", "{links}");
    assert_eq!(links["broken"], json!([]), "{links}");
    assert_eq!(links["incoming"], json!([]), "{links}");
    let rota = links_json(&wiki, "team/rota").await;
    assert_eq!(rota["path"], "team/rota.md", "the API takes the path without .md too");
    assert_eq!(rota["outgoing"], json!([]), "{rota}");

    // Removing the links, one save at a time, removes the backlinks.
    save(&wiki, "notes/a.md", "# Notes A\n\nNothing to see.\n").await;
    assert_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;
    save(&wiki, "guide/setup.md", SETUP).await;
    assert_incoming(&wiki, "team/rota.md", &["index.md"]).await;
    assert_eq!(backlinks_on_page(&wiki, "/team/rota").await, pairs(&[("Home", "/index")]));
    save(&wiki, "index.md", HOME).await;
    assert_incoming(&wiki, "team/rota.md", &[]).await;
    let rota_page = wiki.get("/team/rota").await;
    assert!(!rota_page.text().contains("What links here"), "no backlinks section without backlinks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlinks_follow_commits_made_with_git_in_the_served_work_tree() {
    let fixture = Fixture::with_files(&[
        ("index.md", HOME),
        ("team/rota.md", ROTA),
        ("notes/a.md", NOTES),
        ("guide/setup.md", SETUP),
    ]);
    let wiki = fixture.serve().await;
    let work_tree = wiki.root().join("work");
    assert_incoming(&wiki, "team/rota.md", &[]).await;

    // One commit adds a wiki link by title, one by path and a relative link.
    commit_with_git(
        &work_tree,
        &[
            ("notes/a.md", Some("# Notes A\n\nSee [[Team Rota]].\n")),
            ("index.md", Some("# Home\n\nThe [[team/rota]] is here.\n")),
            ("guide/setup.md", Some("# Setup guide\n\nAsk [whoever is on call](../team/rota.md).\n")),
        ],
        "Link the rota",
    )
    .await;
    wait_for_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md", "notes/a.md"]).await;
    assert_eq!(
        backlinks_on_page(&wiki, "/team/rota").await,
        pairs(&[("Home", "/index"), ("Notes A", "/notes/a"), ("Setup guide", "/guide/setup")])
    );

    // Removing a link and deleting a linking page.
    commit_with_git(&work_tree, &[("notes/a.md", Some(NOTES))], "Unlink").await;
    wait_for_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;
    commit_with_git(&work_tree, &[("guide/setup.md", None)], "Delete the setup guide").await;
    wait_for_incoming(&wiki, "team/rota.md", &["index.md"]).await;
    assert_eq!(backlinks_on_page(&wiki, "/team/rota").await, pairs(&[("Home", "/index")]));

    // Renaming the rota's title breaks links by the old title (they become wanted), not links by path.
    commit_with_git(
        &work_tree,
        &[("notes/a.md", Some("# Notes A\n\nSee [[Team Rota]].\n")), ("team/rota.md", Some("# Duty Rota\n"))],
        "Retitle the rota",
    )
    .await;
    let links =
        poll_json(&wiki, "/-/api/links/notes/a.md", |it| it["broken"].as_array().is_some_and(|b| !b.is_empty())).await;
    assert_eq!(links["broken"][0]["target"], "Team Rota", "{links}");
    assert_eq!(links["outgoing"], json!([]), "{links}");
    assert_incoming(&wiki, "team/rota.md", &["index.md"]).await;
    assert_eq!(backlinks_on_page(&wiki, "/team/rota").await, pairs(&[("Home", "/index")]));

    commit_with_git(&work_tree, &[("index.md", Some(HOME))], "Unlink from home").await;
    wait_for_incoming(&wiki, "team/rota.md", &[]).await;
    assert!(!wiki.get("/team/rota").await.text().contains("What links here"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlinks_count_every_kind_of_link_once() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome.\n"),
        ("team/rota.md", "# Team Rota\n\n## On call\n\nAnn.\n"),
        ("notes/a.md", NOTES),
    ])
    .await;
    // An alias text, a section fragment, a file name, a folder link, and the same page linked several times.
    save(
        &wiki,
        "notes/a.md",
        "# Notes A\n\n[[Team Rota|the rota]], [[Team Rota#On call]], [[rota]], [again](../team/rota.md#on-call), \
         [the team](../team/).\n",
    )
    .await;
    let links = links_json(&wiki, "notes/a.md").await;
    assert_eq!(paths_of(&links["outgoing"]), ["team/index.md", "team/rota.md"], "each target once: {links}");
    assert_eq!(links["broken"], json!([]), "{links}");
    assert_incoming(&wiki, "team/rota.md", &["notes/a.md"]).await;
    assert_incoming(&wiki, "team/index.md", &["notes/a.md"]).await;
    assert_eq!(backlinks_on_page(&wiki, "/team/rota").await, pairs(&[("Notes A", "/notes/a")]), "listed once");
    assert_eq!(backlinks_on_page(&wiki, "/team/").await, pairs(&[("Notes A", "/notes/a")]));

    // Titles in "What links here" are text, not HTML.
    save(&wiki, "notes/b.md", "---\ntitle: Q&A <script>x</script>\n---\nSee [[Team Rota]].\n").await;
    let html = wiki.get("/team/rota").await.text();
    let section = between(&html, "<section class=\"backlinks\"", "</section>").expect("a backlinks section");
    assert!(!section.contains("<script>"), "{section}");
    assert!(section.contains("Q&amp;A &lt;script&gt;x&lt;/script&gt;"), "{section}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_a_deleted_page_become_wanted_and_come_back_when_it_returns() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n\nThe [[Team Rota]].\n"),
        ("team/rota.md", ROTA),
        ("guide/setup.md", "# Setup guide\n\nAsk [whoever is on call](../team/rota.md).\n"),
    ])
    .await;
    assert_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;
    assert_eq!(wanted_rows(&wiki.get("/-/links/broken").await.text()).len(), 0);

    let blob = wiki.blob_at_head("team/rota.md");
    let deleted = wiki.send("DELETE", "/-/api/pages/team/rota.md", &[("If-Match", &format!("\"{blob}\""))], "").await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let rows = wanted_rows(&wiki.get("/-/links/broken").await.text());
    assert_eq!(
        rows.iter().map(|it| (it.target.as_str(), it.linked_from.clone())).collect::<Vec<_>>(),
        [("Team Rota", pairs(&[("Home", "/index")])), ("team/rota.md", pairs(&[("Setup guide", "/guide/setup")]))],
        "both links to the deleted page are wanted"
    );
    assert_eq!(wiki.get("/-/api/links/team/rota.md").await.status, 404);

    save(&wiki, "team/rota.md", ROTA).await;
    assert_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;
    assert_eq!(wanted_rows(&wiki.get("/-/links/broken").await.text()).len(), 0);
    assert_eq!(
        backlinks_on_page(&wiki, "/team/rota").await,
        pairs(&[("Home", "/index"), ("Setup guide", "/guide/setup")])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlinks_follow_a_move_and_a_reset_made_with_git() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\nThe [[Team Rota]].\n"),
        ("team/rota.md", ROTA),
        ("guide/setup.md", "# Setup guide\n\nAsk [whoever is on call](../team/rota.md).\n"),
    ]);
    let wiki = fixture.serve().await;
    let work_tree = wiki.root().join("work");
    assert_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;

    // `git mv`: the link by title follows the page, the relative link to the old path is now wanted.
    let before_move = git_in(&work_tree, &["rev-parse", "HEAD"]);
    {
        let work_tree = work_tree.clone();
        tokio::task::spawn_blocking(move || {
            git_in(&work_tree, &["mv", "team/rota.md", "team/duty.md"]);
            git_in(&work_tree, &["-c", "user.name=Bob", "-c", "user.email=bob@example.com", "commit", "-qm", "Move"]);
        })
        .await
        .expect("git ran");
    }
    wait_for_incoming(&wiki, "team/duty.md", &["index.md"]).await;
    let rows = wanted_rows(&wiki.get("/-/links/broken").await.text());
    assert_eq!(
        rows.iter().map(|it| (it.target.as_str(), it.linked_from.clone())).collect::<Vec<_>>(),
        [("team/rota.md", pairs(&[("Setup guide", "/guide/setup")]))]
    );

    // Resetting the branch to before the move (history rewritten, not only added to) restores the old links.
    {
        let work_tree = work_tree.clone();
        tokio::task::spawn_blocking(move || git_in(&work_tree, &["reset", "--quiet", "--hard", &before_move]))
            .await
            .expect("git ran");
    }
    wait_for_incoming(&wiki, "team/rota.md", &["guide/setup.md", "index.md"]).await;
    assert_eq!(wiki.get("/-/api/links/team/duty.md").await.status, 404);
    assert_eq!(wanted_rows(&wiki.get("/-/links/broken").await.text()).len(), 0);
}

// Page metadata is cached by blob: two pages of one text in different folders (a page copied from one team's
// folder to another's) share a blob, and a relative link in it leads to a different page from each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlinks_of_a_page_copied_into_another_folder_follow_its_own_folder() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("team-a/handbook.md", "# Handbook A\n"),
        ("team-a/onboarding.md", "# Onboarding\n\nNothing yet.\n"),
        ("team-b/handbook.md", "# Handbook B\n"),
        // Deeper, so that a link two folders up leads somewhere from here and nowhere from team-a.
        ("team-c/new/onboarding.md", "# Onboarding\n\nNothing yet.\n"),
    ])
    .await;
    let text = "# Onboarding\n\nRead [the handbook](handbook.md) and [the home page](../../index.md).\n";
    save(&wiki, "team-a/onboarding.md", text).await;
    save(&wiki, "team-b/onboarding.md", text).await;
    save(&wiki, "team-c/new/onboarding.md", text).await;
    assert_incoming(&wiki, "team-a/handbook.md", &["team-a/onboarding.md"]).await;
    assert_incoming(&wiki, "team-b/handbook.md", &["team-b/onboarding.md"]).await;
    assert_incoming(&wiki, "index.md", &["team-c/new/onboarding.md"]).await;
    assert_eq!(
        backlinks_on_page(&wiki, "/team-b/handbook").await,
        pairs(&[("Onboarding", "/team-b/onboarding")]),
        "the copy's \"What links here\" is its own folder's"
    );
    // The copy in team-c links to a handbook that does not exist there, and to the home page.
    let links = links_json(&wiki, "team-c/new/onboarding.md").await;
    assert_eq!(paths_of(&links["outgoing"]), ["index.md"], "{links}");
    let broken: Vec<&str> =
        links["broken"].as_array().expect("a list").iter().filter_map(|it| it["target"].as_str()).collect();
    assert_eq!(broken, ["team-c/new/handbook.md"], "{links}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_api_answers_404_for_unknown_pages() {
    let wiki = TestWiki::with_files(&[("index.md", HOME)]).await;
    let reply = wiki.get("/-/api/links/no/such-page.md").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();
    let reply = wiki.raw_get("/-/api/links/../etc/passwd").await;
    assert!((400..500).contains(&reply.status), "{}: {}", reply.status, reply.text());
}

// ---------------------------------------------------------------------------------------------------------
// Wanted and orphan pages

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wanted_pages_list_missing_targets_with_their_sources_and_a_create_link() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n\nRead the [[Missing Page]] first.\n"),
        ("notes/a.md", "# Notes A\n\nSee [[Missing Page]] and [the plan](plan.md) and [[Home]].\n"),
        ("notes/b.md", "# Notes B\n\nAll links fine: [[Notes A]].\n"),
    ])
    .await;

    let reply = wiki.get("/-/links/broken").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/links/broken");
    let rows = wanted_rows(&reply.text());
    assert_eq!(
        rows.iter().map(|it| (it.target.as_str(), it.linked_from.clone())).collect::<Vec<_>>(),
        [
            ("Missing Page", pairs(&[("Home", "/index"), ("Notes A", "/notes/a")])),
            ("notes/plan.md", pairs(&[("Notes A", "/notes/a")])),
        ],
        "most wanted first, each with the pages linking to it"
    );
    assert_eq!(rows[1].create_url, "/-/edit/notes/plan.md");
    assert!(rows[0].create_url.starts_with("/-/edit/"), "{:?}", rows[0].create_url);

    // The same in the links API of the linking page.
    let links = links_json(&wiki, "notes/a.md").await;
    let broken: Vec<&str> = links["broken"]
        .as_array()
        .expect("broken is a list")
        .iter()
        .map(|it| it["target"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(broken, ["Missing Page", "notes/plan.md"], "{links}");
    assert_eq!(links["broken"][1]["create_url"], "/-/edit/notes/plan.md", "{links}");
    assert_eq!(paths_of(&links["outgoing"]), ["index.md"], "{links}");

    // The create link opens the editor; saving the page there turns the wanted page into backlinks.
    let create_url = rows[0].create_url.clone();
    let editor = wiki.get(&encode_path(&create_url)).await;
    assert_eq!(editor.status, 200, "{create_url}: {}", editor.text());
    let new_path = create_url.strip_prefix("/-/edit/").expect("an editor URL").to_string();
    let created =
        wiki.put_page(&encode_path(&new_path), &json!({"markdown": "# Missing Page\n\nHere now.\n"}), None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let rows = wanted_rows(&wiki.get("/-/links/broken").await.text());
    assert_eq!(
        rows.iter().map(|it| it.target.as_str()).collect::<Vec<_>>(),
        ["notes/plan.md"],
        "a created page is no longer wanted"
    );
    let new_links = links_json(&wiki, &encode_path(&new_path)).await;
    assert_eq!(paths_of(&new_links["incoming"]), ["index.md", "notes/a.md"], "{new_links}");
    // Pages that linked to it before it existed now link to it, not to the "create" address.
    let home = wiki.get("/").await.text();
    let link = link_with_text(&home, "Missing Page");
    assert!(!link.classes().contains(&"new".to_string()), "the link is no longer marked missing: {:?}", link.attrs);
    let target = wiki.get(&link.attr("href")).await;
    assert_eq!(target.status, 200, "{}: {}", link.attr("href"), target.text());
    assert!(target.text().contains("Here now."));

    save(&wiki, "notes/a.md", "# Notes A\n\nSee [the plan](plan.md).\n").await;
    save(&wiki, "notes/a.md", "# Notes A\n\nNo more plans.\n").await;
    let reply = wiki.get("/-/links/broken").await;
    assert_eq!(wanted_rows(&reply.text()).len(), 0, "{}", reply.text());
    assert!(reply.text().contains("Every link points to a page that exists."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wanted_page_create_link_creates_the_page_the_wiki_link_points_to() {
    let wiki =
        TestWiki::with_files(&[("index.md", "# Home\n\nRead the [[Missing Page]] and [[team/Other thing]].\n")]).await;
    let home = wiki.get("/").await.text();
    let rows = wanted_rows(&wiki.get("/-/links/broken").await.text());
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (name, row) in ["Missing Page", "team/Other thing"].into_iter().zip(&rows) {
        assert_eq!(row.target, name);
        // The red link in the page leads to the would-be page, which offers to create it.
        let red = link_with_text(&home, name);
        assert!(red.classes().contains(&"new".to_string()), "{:?}", red.attrs);
        let not_found = wiki.get(&red.attr("href")).await;
        assert_eq!(not_found.status, 404, "{}", red.attr("href"));
        let from_page = link_with_text(&not_found.text(), "Create this page").attr("href");
        // Both create links name the same page, so it does not matter which one a writer follows.
        assert_eq!(
            page_created_by(&row.create_url),
            page_created_by(&from_page),
            "\"Create\" on /-/links/broken ({}) and the red link's \"Create this page\" ({from_page}) for [[{name}]]",
            row.create_url
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphan_pages_list_pages_nothing_links_to() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n\nSee [[Linked page]].\n"),
        ("linked.md", "# Linked page\n\nBack [home](index.md).\n"),
        ("lonely.md", "# Lonely page\n\nNobody links here but [[Lonely page|itself]].\n"),
        ("team/index.md", "# Team Handbook\n\nAn index page nobody links to.\n"),
        ("team/README.md", "# Team readme\n"),
        ("team/rota.md", "# Team Rota\n\nSee [the handbook](index.md).\n"),
        ("_sidebar.md", "Sidebar: [[Team Rota]]\n"),
        ("_templates/meeting.md", "# Meeting template\n"),
    ])
    .await;
    let reply = wiki.get("/-/links/orphans").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/links/orphans");
    // The rota is linked only from the sidebar; the sidebar counts as a link, as it is one people follow.
    // A page that links only to itself is still an orphan.
    assert_eq!(orphans(&reply.text()), pairs(&[("Lonely page", "/lonely")]), "{}", reply.text());

    // Linking the lonely page takes it off the list; unlinking puts it back.
    save(&wiki, "linked.md", "# Linked page\n\nBack [home](index.md). Also [[Lonely page]].\n").await;
    let reply = wiki.get("/-/links/orphans").await;
    assert_eq!(orphans(&reply.text()), [] as [(String, String); 0]);
    assert!(reply.text().contains("Every page is linked from somewhere."), "{}", reply.text());
    save(&wiki, "linked.md", "# Linked page\n\nBack [home](index.md).\n").await;
    assert_eq!(orphans(&wiki.get("/-/links/orphans").await.text()), pairs(&[("Lonely page", "/lonely")]));
}

// ---------------------------------------------------------------------------------------------------------
// Incremental refresh

/// A refresh resolves links again only for the pages a change can affect (issue 3). After every kind of
/// change (new, edited, retitled, moved and deleted pages, names that clash, folder index pages, one commit
/// or two at a time), the snapshot's resolver and link graph equal ones built from scratch.
#[test]
fn refreshes_keep_links_equal_to_a_rebuild() {
    use lore::content::links::{LinkGraph, LinkResolver, LinkSource};

    let fixture = Fixture::with_files(&[("index.md", "# Home\n\nSee [[Alpha]].\n")]);
    let config = lore::config::Config {
        data: fixture.root().join("data"),
        repo: Some(fixture.work_tree().to_path_buf()),
        ..lore::config::Config::default()
    };
    let site = std::sync::Arc::new(lore::site::Site::open(config).expect("the site opens"));
    let names = ["a", "b", "x/a", "x/b", "y/c", "x/index", "y/README", "Alpha"];
    let titles = ["Alpha", "Beta", "A", "Team Rota", "b", "x/b", "/a"];
    let wiki_targets = ["a", "A", " /a", "/x/a", "Alpha", "beta", "Team-Rota", "x/a.md", "Nowhere#part", "c", "x/b"];
    let page_links = ["a.md", "x/", "../a.md", "y/", "c.md", "x/index.md", "b.md"];
    let mut seed = 7_u64;
    let mut pick = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    for step in 0..150 {
        // Mostly one commit per refresh, as saves make; sometimes two, as a push may bring.
        for _ in 0..1 + pick(4) / 3 {
            let name = names[pick(names.len())];
            let file = fixture.work_tree().join(format!("{name}.md"));
            match pick(5) {
                0 if file.exists() => std::fs::remove_file(&file).expect("delete a page"),
                1 if file.exists() => {
                    let to = fixture.work_tree().join(format!("{}.md", names[pick(names.len())]));
                    if !to.exists() {
                        std::fs::create_dir_all(to.parent().expect("a folder")).expect("create the folder");
                        std::fs::rename(&file, &to).expect("move a page");
                    }
                }
                _ => {
                    let mut text = String::new();
                    if pick(3) > 0 {
                        text += &format!("---\ntitle: {}\n", titles[pick(titles.len())]);
                        if pick(2) == 0 {
                            text += &format!("aliases: [\"{}\"]\n", wiki_targets[pick(wiki_targets.len())].trim());
                        }
                        text += "---\n";
                    }
                    for _ in 0..pick(4) {
                        text += &format!("See [[{}]] and ", wiki_targets[pick(wiki_targets.len())]);
                        text += &format!("[this]({}).\n", page_links[pick(page_links.len())]);
                    }
                    // Some text that differs, so that most writes are a change.
                    text += &format!("\nStep {step}.\n");
                    fixture.write(&format!("{name}.md"), text);
                }
            }
            fixture.commit(ANN, &format!("Step {step}"));
        }
        site.refresh().expect("the site refreshes");
        let reader = site.reader(&lore::auth::Access::unrestricted());
        let snapshot = reader.snapshot();
        let pages = || snapshot.pages.iter();
        let resolver = LinkResolver::new(
            pages().map(|(path, meta)| (path, meta.title.as_str(), meta.front_matter.aliases.as_slice())),
        );
        assert_eq!(*snapshot.resolver, resolver, "resolver after step {step}");
        let exists = |path: &str| snapshot.files.contains_key(path);
        let sources = pages().map(|(path, meta)| LinkSource { path, links: &meta.links });
        let links = LinkGraph::build(sources, &resolver, &exists);
        assert!(snapshot.links == links, "link graph after step {step}:\n{:?}\n!=\n{links:?}", snapshot.links);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Sidebars, headers, footers, breadcrumbs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_sidebar_wins() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("_sidebar.md", "Root sidebar: [[Home]]\n"),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome to the team.\n"),
        ("team/_sidebar.md", "Team sidebar: [[Team Rota]]\n"),
        ("team/rota.md", ROTA),
        ("team/other/page.md", "# Other page\n"),
        ("team/sub/_sidebar.md", "Sub sidebar: [[Deep page]]\n"),
        ("team/sub/deep.md", "# Deep page\n"),
        ("ops/runbook.md", "# Runbook\n"),
    ])
    .await;
    for (url, expected) in [
        ("/", "Root sidebar: Home"),
        ("/ops/runbook", "Root sidebar: Home"),
        ("/team/", "Team sidebar: Team Rota"),
        ("/team/rota", "Team sidebar: Team Rota"),
        ("/team/other/page", "Team sidebar: Team Rota"),
        ("/team/sub/deep", "Sub sidebar: Deep page"),
    ] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        let html = reply.text();
        assert_eq!(curated_sidebar(&html).as_deref(), Some(expected), "{url}");
        assert!(!html.contains("aria-label=\"Page tree\""), "{url}: a curated sidebar replaces the page tree");
    }
    // The sidebar is rendered like a page: its wiki links work.
    let html = wiki.get("/team/sub/deep").await.text();
    let sidebar = between(&html, "aria-label=\"Sidebar\">", "</nav>").expect("a sidebar");
    assert_eq!(link_with_text(&sidebar, "Deep page").attr("href"), "/team/sub/deep", "{sidebar}");

    // Without the sub folder's sidebar, its pages fall back to the team's.
    let blob = wiki.blob_at_head("team/sub/_sidebar.md");
    let deleted =
        wiki.send("DELETE", "/-/api/pages/team/sub/_sidebar.md", &[("If-Match", &format!("\"{blob}\""))], "").await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let html = wiki.get("/team/sub/deep").await.text();
    assert_eq!(curated_sidebar(&html).as_deref(), Some("Team sidebar: Team Rota"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_without_a_sidebar_show_the_page_tree() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome.\n"),
        ("team/_sidebar.md", "Team sidebar: [[Team Rota]]\n"),
        ("team/rota.md", ROTA),
        ("ops/runbook.md", "# Runbook\n"),
        ("ops/backups.md", "# Backups\n"),
        ("_templates/meeting.md", "# Meeting template\n"),
    ])
    .await;
    let html = wiki.get("/ops/runbook").await.text();
    assert_eq!(curated_sidebar(&html), None, "no sidebar applies to ops/");
    let tree = between(&html, "<nav aria-label=\"Page tree\">", "</nav>")
        .unwrap_or_else(|| panic!("no page tree on a page without a sidebar:\n{html}"));
    // The current page is highlighted; its folder is open, other folders load lazily.
    let current: Vec<Element> = links(&tree).into_iter().filter(|it| it.attr("aria-current") == "page").collect();
    assert_eq!(current.len(), 1, "{tree}");
    assert_eq!(current[0].attr("href"), "/ops/runbook");
    assert_eq!(current[0].text(), "Runbook");
    assert!(has_link_to(&tree, "/ops/backups"), "the open folder lists its pages: {tree}");
    assert!(tree.contains("data-tree-path=\"team/\""), "{tree}");
    assert!(link_with_text(&tree, "Team Handbook").attr("href") == "/team/", "folders show their index page's title");
    assert!(!has_link_to(&tree, "/team/rota"), "closed folders are loaded on demand: {tree}");
    assert!(!tree.contains("_templates") && !tree.contains("_sidebar"), "`_` files stay out of the tree: {tree}");
    // Pages in team/ use the team's sidebar.
    let html = wiki.get("/team/rota").await.text();
    assert_eq!(curated_sidebar(&html).as_deref(), Some("Team sidebar: Team Rota"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_header_and_footer_are_rendered_around_pages() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("_header.md", "**Company wiki**: be kind.\n"),
        ("_footer.md", "Root footer, see [[Home]].\n"),
        ("team/_footer.md", "Team footer.\n"),
        ("team/rota.md", ROTA),
        ("team/sub/deep.md", "# Deep page\n"),
        ("ops/runbook.md", "# Runbook\n"),
    ])
    .await;
    for (url, header, footer) in [
        ("/ops/runbook", "Company wiki : be kind.", "Root footer, see Home ."),
        ("/team/rota", "Company wiki : be kind.", "Team footer."),
        ("/team/sub/deep", "Company wiki : be kind.", "Team footer."),
    ] {
        let html = wiki.get(url).await.text();
        let found_header = between(&html, "<div class=\"page-body wiki-header\">", "</div>").map(|it| text_of(&it));
        let found_footer = between(&html, "<div class=\"page-body wiki-footer\">", "</div>").map(|it| text_of(&it));
        assert_eq!(found_header.as_deref(), Some(header), "{url}");
        assert_eq!(found_footer.as_deref(), Some(footer), "{url}");
        // The header comes before the page body, the footer after it.
        let body_at = html.find("<article class=\"page-body\">").expect("a page body");
        assert!(html.find("wiki-header").expect("a header") < body_at, "{url}");
        assert!(html.find("wiki-footer").expect("a footer") > body_at, "{url}");
    }
    let html = wiki.get("/ops/runbook").await.text();
    assert!(between(&html, "wiki-header\">", "</div>").is_some_and(|it| it.contains("<strong>Company wiki</strong>")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breadcrumbs_use_page_titles() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome.\n"),
        ("team/sub/deep.md", "# Deep page\n"),
        ("docs/README.md", "# Documentation\n"),
        ("docs/api.md", "# The API\n"),
    ])
    .await;
    let html = wiki.get("/team/sub/deep").await.text();
    assert_eq!(
        breadcrumbs(&html),
        pairs(&[("Home", "/"), ("Team Handbook", "/team/"), ("sub", "/team/sub/")]),
        "folders show their index page's title, or their name without one"
    );
    assert_eq!(breadcrumb_current(&html), "Deep page");
    let html = wiki.get("/docs/api").await.text();
    assert_eq!(breadcrumbs(&html), pairs(&[("Home", "/"), ("Documentation", "/docs/")]), "a README titles its folder");
    assert_eq!(breadcrumb_current(&html), "The API");

    // A folder without an index page lists its pages under the same crumbs.
    let html = wiki.get("/team/sub/").await.text();
    assert_eq!(breadcrumbs(&html), pairs(&[("Home", "/"), ("Team Handbook", "/team/")]));
    assert_eq!(breadcrumb_current(&html), "sub");

    // Retitling the index page retitles the crumb.
    save(&wiki, "team/index.md", "---\ntitle: People and Teams\n---\nWelcome.\n").await;
    let html = wiki.get("/team/sub/deep").await.text();
    assert_eq!(breadcrumbs(&html)[1], ("People and Teams".to_string(), "/team/".to_string()));
}

// ---------------------------------------------------------------------------------------------------------
// The tree API

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_api_lists_one_level_with_folders_first() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("zeta.md", "# Alpha title\n"),
        ("alpha.md", "# Zulu title\n"),
        ("_sidebar.md", "Sidebar\n"),
        ("_templates/meeting.md", "# Meeting template\n"),
        ("team/index.md", "---\ntitle: Team Handbook\n---\nWelcome.\n"),
        ("team/rota.md", ROTA),
        ("team/sub/deep.md", "# Deep page\n"),
        ("beta/page.md", "# Beta page\n"),
    ])
    .await;
    for query in ["", "?path=", "?path=/"] {
        let reply = wiki.get(&format!("/-/api/tree{query}")).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["path"], "", "{query}: {json}");
        assert_eq!(
            json["entries"],
            json!([
                {"name": "beta", "path": "beta/", "title": "beta", "url": "/beta/", "is_folder": true},
                {"name": "team", "path": "team/", "title": "Team Handbook", "url": "/team/", "is_folder": true},
                {"name": "zeta.md", "path": "zeta.md", "title": "Alpha title", "url": "/zeta", "is_folder": false},
                {"name": "index.md", "path": "index.md", "title": "Home", "url": "/index", "is_folder": false},
                {"name": "alpha.md", "path": "alpha.md", "title": "Zulu title", "url": "/alpha", "is_folder": false},
            ]),
            "{query}: folders first (without `_` folders), then pages by title (without `_` pages), one level only"
        );
    }
    for query in ["team", "team/", "/team/"] {
        let reply = wiki.get(&format!("/-/api/tree?path={}", query_value(query))).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["path"], "team/", "{json}");
        let entries: Vec<(String, bool)> = json["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|it| (it["path"].as_str().unwrap_or("").to_string(), it["is_folder"].as_bool().unwrap_or(false)))
            .collect();
        assert_eq!(
            entries,
            [
                ("team/sub/".to_string(), true),
                ("team/index.md".to_string(), false),
                ("team/rota.md".to_string(), false)
            ],
            "{json}"
        );
    }
    // The tree follows saves.
    save(&wiki, "team/new-page.md", "# A new page\n").await;
    let json = wiki.get("/-/api/tree?path=team").await.json();
    assert_eq!(json["entries"][1]["title"], "A new page", "{json}");

    for unknown in ["nope", "team/rota.md", "team/nope/"] {
        let reply = wiki.get(&format!("/-/api/tree?path={}", query_value(unknown))).await;
        assert_eq!(reply.status, 404, "{unknown}: {}", reply.text());
        reply.assert_json_error();
    }
    for traversal in ["..", "../etc", "team/../../etc", "team/../..", ".git", "team/.git"] {
        let reply = wiki.get(&format!("/-/api/tree?path={}", query_value(traversal))).await;
        assert_eq!(reply.status, 400, "{traversal}: {}", reply.text());
        reply.assert_json_error();
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tags

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_pages_and_api_count_and_sort() {
    let fixture = Fixture::new();
    fixture.write("index.md", HOME);
    fixture.write("alpha.md", "---\ntitle: Alpha\ntags: [onboarding, how-to]\n---\nFirst.\n");
    fixture.commit_dated(ANN, "Alpha", "10 days ago");
    fixture.write("middle.md", "---\ntitle: Middle\ntags: [Onboarding]\n---\nSecond.\n");
    fixture.commit_dated(ANN, "Middle", "5 days ago");
    fixture.write("zulu.md", "---\ntitle: Zulu\ntags: [onboarding]\n---\nThird.\n");
    fixture.commit_dated(ANN, "Zulu", "1 day ago");
    fixture.write(
        "questions/how-do-i-start.md",
        "---\ntitle: How do I start?\ntags: [onboarding]\nstatus: open\n---\nWhere do I begin?\n",
    );
    fixture.commit_dated(BOB, "Ask: How do I start?", "2 hours ago");
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;

    let json = wiki.get("/-/api/tags").await.json();
    assert_eq!(tag_counts(&json), BTreeMap::from([("how-to".to_string(), 1), ("onboarding".to_string(), 4)]), "{json}");

    let reply = wiki.get("/-/tags").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/tags");
    let html = reply.text();
    for (tag, count) in [("onboarding", "4"), ("how-to", "1")] {
        let link = link_with_text(&html, tag);
        let href = link.attr("href");
        let decoded = percent_encoding::percent_decode_str(&href).decode_utf8_lossy().into_owned();
        assert_eq!(decoded, format!("/-/tags/{tag}"), "{href}");
        assert_eq!(wiki.get(&href).await.status, 200, "{href}");
        let after = &html[html.find(&format!(">{tag}</a>")).expect("the tag")..];
        assert_eq!(between(after, "<span class=\"facet-count\">", "</span>").as_deref(), Some(count), "{tag}");
    }

    // By title (the default), and by last change, newest first.
    for (query, expected) in [
        ("", ["Alpha", "How do I start?", "Middle", "Zulu"]),
        ("?sort=title", ["Alpha", "How do I start?", "Middle", "Zulu"]),
        ("?sort=changed", ["How do I start?", "Zulu", "Middle", "Alpha"]),
    ] {
        let reply = wiki.get(&format!("/-/tags/onboarding{query}")).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        assert_safe_html_page(&reply, "/-/tags/onboarding");
        let html = reply.text();
        let list = between(&html, "<ul class=\"tagged-pages\">", "</ul>").expect("a list of tagged pages");
        let titles: Vec<String> = links(&list).iter().map(Element::text).collect();
        let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
        assert_eq!(titles, expected, "/-/tags/onboarding{query}");
        let api = wiki.get(&format!("/-/api/tags/onboarding{query}")).await;
        assert_eq!(api.status, 200, "{}", api.text());
        let api = api.json();
        assert_eq!(api["tag"], "onboarding");
        let api_titles: Vec<&str> =
            api["pages"].as_array().expect("pages").iter().map(|it| it["title"].as_str().unwrap_or("")).collect();
        assert_eq!(api_titles, expected, "/-/api/tags/onboarding{query}: {api}");
    }
    let api = wiki.get("/-/api/tags/onboarding").await.json();
    let question = api["pages"].as_array().expect("pages").iter().find(|it| it["title"] == "How do I start?").cloned();
    assert_eq!(question.as_ref().map(|it| it["kind"].clone()), Some(json!("question")), "{api}");
    assert_eq!(question.map(|it| it["path"].clone()), Some(json!("questions/how-do-i-start.md")));
    // Tags are case-insensitive.
    assert_eq!(wiki.get("/-/api/tags/Onboarding").await.status, 200);

    // Unknown tags are 404s, in the browser and in the API.
    let reply = wiki.get("/-/tags/no-such-tag").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert!(reply.content_type().starts_with("text/html"), "{}", reply.content_type());
    let reply = wiki.get("/-/api/tags/no-such-tag").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();

    // Counts follow saves: dropping the only `how-to` removes the tag.
    save(&wiki, "alpha.md", "---\ntitle: Alpha\ntags: [onboarding]\n---\nFirst.\n").await;
    let json = wiki.get("/-/api/tags").await.json();
    assert_eq!(tag_counts(&json), BTreeMap::from([("onboarding".to_string(), 4)]), "{json}");
    assert_eq!(wiki.get("/-/api/tags/how-to").await.status, 404);
    // Alpha is now the most recently changed.
    let api = wiki
        .get_until("/-/api/tags/onboarding?sort=changed", |it| it.json()["pages"][0]["title"] == "Alpha")
        .await
        .json();
    assert_eq!(api["pages"][0]["title"], "Alpha", "{api}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_with_spaces_and_accents_link_to_working_pages() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("menu.md", "---\ntitle: Menu\ntags: [getting started, café, C++]\n---\nCoffee.\n"),
    ])
    .await;
    let json = wiki.get("/-/api/tags").await.json();
    assert_eq!(
        tag_counts(&json),
        BTreeMap::from([("c++".to_string(), 1), ("café".to_string(), 1), ("getting started".to_string(), 1)]),
        "{json}"
    );
    let tags_html = wiki.get("/-/tags").await.text();
    let page_html = wiki.get("/menu").await.text();
    let chips = between(&page_html, "<nav class=\"page-tags\" aria-label=\"Tags\">", "</nav>").expect("tag chips");
    // `/-/tags` shows tags as indexed (lowercase), a page's chips as its writer spelled them.
    for tag in ["getting started", "café", "C++"] {
        for (what, html, text) in
            [("/-/tags", &tags_html, tag.to_lowercase()), ("the page's chips", &chips, tag.to_string())]
        {
            let href = link_with_text(html, &text).attr("href");
            let reply = wiki.get(&href).await;
            assert_eq!(reply.status, 200, "{tag} in {what}: {href}: {}", reply.text());
            assert!(has_link_to(&reply.text(), "/menu"), "{tag} in {what}: {href} lists the page");
        }
        let api = wiki.get(&format!("/-/api/tags/{}", query_value(tag))).await;
        assert_eq!(api.status, 200, "{tag}: {}", api.text());
        assert_eq!(api.json()["tag"], tag.to_lowercase());
    }
}

// ---------------------------------------------------------------------------------------------------------
// Random page

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_redirects_to_a_page() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("a.md", "# A\n"),
        ("team/b.md", "# B\n"),
        ("_sidebar.md", "Sidebar\n"),
        ("_templates/t.md", "# Template\n"),
    ])
    .await;
    let pages = ["/index", "/a", "/team/b"];
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let reply = wiki.get("/-/random").await;
        assert!(matches!(reply.status, 302 | 303 | 307), "expected a redirect, got {}: {}", reply.status, reply.text());
        let location = reply.header("location").expect("a Location header");
        assert!(pages.contains(&location.as_str()), "/-/random went to {location}");
        seen.insert(location);
    }
    assert!(seen.len() > 1, "40 random picks of 3 pages all went to {seen:?}");
    let location = seen.into_iter().next().expect("a location");
    assert_eq!(wiki.get(&location).await.status, 200, "{location}");
    // Every page links to it.
    assert!(has_link_to(&wiki.get("/a").await.text(), "/-/random"));
}

// ---------------------------------------------------------------------------------------------------------
// Formulas and diagrams

const MATH_PAGE: &str = "# Formulas\n\nEuler: $e^{i\\pi}+1=0$.\n\n$$\\int_0^1 x\\,dx = \\frac12$$\n\n```math\na < b\n```\n\n<script>alert(1)</script>\n";
const MERMAID_PAGE: &str = "# Diagrams\n\n```mermaid\ngraph TD; A-->B\n```\n";
const PLAIN_PAGE: &str = "# Plain\n\nLunch costs $5 and coffee $3.\n\n```rust\nlet price = \"$5\";\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn math_and_mermaid_blocks_produce_markup_for_the_browser() {
    let wiki =
        TestWiki::with_files(&[("math.md", MATH_PAGE), ("diagram.md", MERMAID_PAGE), ("plain.md", PLAIN_PAGE)]).await;
    let html = wiki.get("/math").await.text();
    let body = between(&html, "<article class=\"page-body\">", "</article>").expect("a page body");
    for expected in [
        "<span class=\"math math-inline\">e^{i\\pi}+1=0</span>",
        "<span class=\"math math-display\">\\int_0^1 x\\,dx = \\frac12</span>",
        "<div class=\"math math-display\">a &lt; b</div>",
    ] {
        assert!(body.contains(expected), "expected {expected:?} in:\n{body}");
    }
    let html = wiki.get("/diagram").await.text();
    let body = between(&html, "<article class=\"page-body\">", "</article>").expect("a page body");
    assert!(body.contains("<pre class=\"mermaid\">graph TD; A--&gt;B</pre>"), "{body}");
    let html = wiki.get("/plain").await.text();
    assert!(!html.contains("class=\"math"), "dollar amounts are not formulas:\n{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drawing_libraries_load_only_on_pages_that_use_them() {
    let both = format!("{MATH_PAGE}\n{}", MERMAID_PAGE.trim_start_matches("# Diagrams\n"));
    let wiki = TestWiki::with_files(&[
        ("math.md", MATH_PAGE),
        ("diagram.md", MERMAID_PAGE),
        ("both.md", &both),
        ("plain.md", PLAIN_PAGE),
    ])
    .await;
    let katex = ["/-/static/vendor/katex/katex.min.js", "/-/static/lore-math.js"];
    let mermaid = ["/-/static/vendor/mermaid/mermaid.min.js", "/-/static/lore-mermaid.js"];
    for (url, wants_katex, wants_mermaid) in
        [("/math", true, false), ("/diagram", false, true), ("/both", true, true), ("/plain", false, false)]
    {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        let html = reply.text();
        let scripts = script_sources(&html);
        for (wanted, sources) in [(wants_katex, &katex), (wants_mermaid, &mermaid)] {
            for source in sources {
                assert_eq!(scripts.contains(&source.to_string()), wanted, "{url} loads {source}: {scripts:?}");
            }
        }
        assert_eq!(html.contains("/-/static/vendor/katex/katex.min.css"), wants_katex, "{url}: KaTeX's CSS");
        if !wants_katex && !wants_mermaid {
            assert!(
                scripts
                    .iter()
                    .all(|it| !it.contains("/vendor/") && !it.contains("lore-math") && !it.contains("lore-mermaid")),
                "{url} loads no drawing script: {scripts:?}"
            );
            // A page without drawings keeps the strictest policy.
            assert_safe_html_page(&reply, url);
        }
        // Every page, with or without drawings: scripts only from Lore itself, none inline.
        let csp = reply.header("content-security-policy").unwrap_or_else(|| panic!("{url}: no CSP"));
        let script_src = csp_directive(&csp, "script-src").unwrap_or_else(|| panic!("{url}: no script-src in {csp}"));
        assert_eq!(script_src, ["'self'"], "{url}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{url}: {csp}");
        assert_eq!(csp_directive(&csp, "default-src").as_deref(), Some(&["'self'".to_string()][..]), "{url}: {csp}");
        // Drawings relax styles only: every other directive is the plain page's.
        let plain_csp = wiki.get("/plain").await.header("content-security-policy").expect("a CSP");
        for directive in csp.split(';').chain(plain_csp.split(';')).filter_map(|it| it.split_whitespace().next()) {
            if !matches!(directive, "style-src" | "font-src") {
                assert_eq!(csp_directive(&csp, directive), csp_directive(&plain_csp, directive), "{url}: {directive}");
            }
        }
        let style_src = csp_directive(&csp, "style-src").unwrap_or_default();
        let draws = wants_katex || wants_mermaid;
        assert_eq!(style_src.contains(&"'unsafe-inline'".to_string()), draws, "{url}: inline styles: {csp}");
        assert_no_inline_script(&html, url);
        assert!(!html.contains("alert(1)"), "{url}: raw <script> in Markdown is dropped");
        // Every script the page loads is served by Lore as JavaScript.
        for source in &scripts {
            assert!(source.starts_with("/-/static/"), "{url} loads {source} from elsewhere");
            let script = wiki.get(source).await;
            assert_eq!(script.status, 200, "{source}");
            assert!(is_javascript(&script.content_type()), "{source}: {}", script.content_type());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn math_and_diagrams_in_a_shared_header_or_sidebar_load_their_libraries() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        ("_header.md", "Our motto: $E = mc^2$.\n"),
        ("ops/_sidebar.md", "How ops works:\n\n```mermaid\ngraph TD; Alert-->Pager\n```\n"),
        ("ops/runbook.md", "# Runbook\n\nNo formulas here.\n"),
    ])
    .await;
    let reply = wiki.get("/ops/runbook").await;
    let html = reply.text();
    assert!(html.contains("<span class=\"math math-inline\">E = mc^2</span>"), "the header shows the formula");
    assert!(html.contains("<pre class=\"mermaid\">"), "the sidebar shows the diagram");
    let scripts = script_sources(&html);
    for source in ["/-/static/vendor/katex/katex.min.js", "/-/static/vendor/mermaid/mermaid.min.js"] {
        assert!(
            scripts.contains(&source.to_string()),
            "/ops/runbook draws its header and sidebar: {source} in {scripts:?}"
        );
    }
    let csp = reply.header("content-security-policy").expect("a CSP");
    assert!(
        csp_directive(&csp, "style-src").unwrap_or_default().contains(&"'unsafe-inline'".to_string()),
        "the drawings' inline styles are allowed: {csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn katex_and_mermaid_are_served_by_lore() {
    let wiki = TestWiki::with_files(&[("index.md", HOME)]).await;
    let katex_js = wiki.get("/-/static/vendor/katex/katex.min.js").await;
    assert_eq!(katex_js.status, 200, "{}", katex_js.text());
    assert!(is_javascript(&katex_js.content_type()), "{}", katex_js.content_type());
    assert!(katex_js.body.len() > 100_000 && katex_js.text().contains("katex"), "{} bytes", katex_js.body.len());

    let katex_css = wiki.get("/-/static/vendor/katex/katex.min.css").await;
    assert_eq!(katex_css.status, 200, "{}", katex_css.text());
    assert!(katex_css.content_type().starts_with("text/css"), "{}", katex_css.content_type());

    // Every woff2 font the stylesheet names (browsers pick woff2 first) is served beside it.
    let css = katex_css.text();
    let fonts: Vec<&str> = css
        .match_indices("url(fonts/")
        .map(|(at, it)| &css[at + it.len()..])
        .map(|rest| &rest[..rest.find(')').expect("a url() ends")])
        .filter(|name| name.ends_with(".woff2"))
        .collect();
    assert!(fonts.len() >= 10, "KaTeX's CSS names its fonts: {fonts:?}");
    for font in fonts {
        let url = format!("/-/static/vendor/katex/fonts/{font}");
        let reply = wiki.get(&url).await;
        assert_eq!(reply.status, 200, "{url}");
        assert_eq!(reply.content_type(), "font/woff2", "{url}");
        assert!(reply.body.starts_with(b"wOF2"), "{url} is a woff2 font");
    }

    let mermaid_js = wiki.get("/-/static/vendor/mermaid/mermaid.min.js").await;
    assert_eq!(mermaid_js.status, 200, "{}", mermaid_js.text());
    assert!(is_javascript(&mermaid_js.content_type()), "{}", mermaid_js.content_type());
    assert!(mermaid_js.body.len() > 500_000 && mermaid_js.text().contains("mermaid"), "{}", mermaid_js.body.len());

    for glue in ["/-/static/lore-math.js", "/-/static/lore-mermaid.js", "/-/static/lore.js"] {
        let reply = wiki.get(glue).await;
        assert_eq!(reply.status, 200, "{glue}");
        assert!(is_javascript(&reply.content_type()), "{glue}: {}", reply.content_type());
    }
    for missing in ["/-/static/vendor/katex/nope.js", "/-/static/vendor/../lore.js", "/-/static/vendor/"] {
        let reply = wiki.raw_get(missing).await;
        assert!(reply.status == 404 || reply.status == 400, "{missing}: {}", reply.status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_links_and_lazy_images_markup() {
    let wiki = TestWiki::with_files(&[
        ("index.md", HOME),
        (
            "guide/media.md",
            "# Media\n\nSee [Rust](https://www.rust-lang.org/) and [[Home]].\n\n![A cat on a mat](img/cat.png)\n",
        ),
        ("guide/img/cat.png", ""),
    ])
    .await;
    let html = wiki.get("/guide/media").await.text();
    let body = between(&html, "<article class=\"page-body\">", "</article>").expect("a page body");
    let external = link_with_text(&body, "Rust");
    assert_eq!(external.attr("href"), "https://www.rust-lang.org/");
    assert_eq!(external.attr("rel"), "noopener noreferrer", "{:?}", external.attrs);
    let internal = link_with_text(&body, "Home");
    assert_eq!(internal.attr("href"), "/index");
    // The theme marks links that leave the wiki.
    let css = wiki.get("/-/static/lore.css").await.text();
    assert!(css.contains(".page-body a[href^=\"https://\"]::after"), "lore.css marks external links");

    let img =
        body.find("<img").map(|at| &body[at..at + body[at..].find('>').expect("the tag ends")]).expect("an image");
    let img = elements(&format!("{img}></img>"), "img").remove(0);
    assert_eq!(img.attr("loading"), "lazy", "{:?}", img.attrs);
    assert_eq!(img.attr("alt"), "A cat on a mat");
    assert_eq!(img.attr("src"), "/guide/img/cat.png");
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// Saves `markdown` at `path` through the JSON API: with `If-Match` naming the current version when the page
/// exists. Panics unless the save succeeded.
async fn save(wiki: &TestWiki, path: &str, markdown: &str) {
    let current = wiki.get(&format!("/-/api/pages/{path}")).await;
    let blob = (current.status == 200).then(|| current.json()["blob"].as_str().expect("a blob").to_string());
    let reply = wiki.put_page(path, &json!({ "markdown": markdown }), blob.as_deref()).await;
    assert!(matches!(reply.status, 200 | 201), "saving {path}: {} {}", reply.status, reply.text());
}

/// Writes (`Some`) or deletes (`None`) files in the served work tree and commits them with the `git` command
/// line, as someone working in the repository would.
async fn commit_with_git(work_tree: &std::path::Path, files: &[(&str, Option<&str>)], message: &str) {
    let work_tree = work_tree.to_path_buf();
    let files: Vec<(String, Option<String>)> =
        files.iter().map(|(path, text)| (path.to_string(), text.map(str::to_string))).collect();
    let message = message.to_string();
    tokio::task::spawn_blocking(move || {
        for (path, text) in &files {
            match text {
                Some(text) => {
                    let full = work_tree.join(path);
                    std::fs::create_dir_all(full.parent().expect("a folder")).expect("create folders");
                    std::fs::write(full, text).expect("write a page");
                    git_in(&work_tree, &["add", path]);
                }
                None => {
                    git_in(&work_tree, &["rm", "--quiet", path]);
                }
            }
        }
        git_in(
            &work_tree,
            &["-c", "user.name=Bob Builder", "-c", "user.email=bob@example.com", "commit", "--quiet", "-m", &message],
        );
    })
    .await
    .expect("git ran");
}

/// `GET /-/api/links/<path>` as JSON; panics unless it answers 200.
async fn links_json(wiki: &TestWiki, path: &str) -> Value {
    let reply = wiki.get(&format!("/-/api/links/{path}")).await;
    assert_eq!(reply.status, 200, "/-/api/links/{path}: {}", reply.text());
    reply.json()
}

/// The paths of the pages in a list of `{path, url, title}`, sorted.
fn paths_of(list: &Value) -> Vec<String> {
    let mut res: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|it| it["path"].as_str().unwrap_or_default().to_string())
        .collect();
    res.sort();
    res
}

/// Asserts the pages linking to `page`, as the links API says right now.
async fn assert_incoming(wiki: &TestWiki, page: &str, expected: &[&str]) {
    let links = links_json(wiki, page).await;
    assert_eq!(paths_of(&links["incoming"]), expected, "pages linking to {page}: {links}");
}

/// Waits up to [`PATIENCE`] until the pages linking to `page` are `expected`.
async fn wait_for_incoming(wiki: &TestWiki, page: &str, expected: &[&str]) {
    let links = poll_json(wiki, &format!("/-/api/links/{page}"), |it| paths_of(&it["incoming"]) == expected).await;
    assert_eq!(paths_of(&links["incoming"]), expected, "pages linking to {page} after {PATIENCE:?}: {links}");
}

/// `GET path` as JSON until it answers 200 with JSON for which `done` holds, or [`PATIENCE`] has passed (a page
/// committed outside Lore is a 404 until the commit is picked up); returns the last answer, which must be a 200.
async fn poll_json(wiki: &TestWiki, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let reply = wiki.get(path).await;
        let finished = reply.status == 200 && done(&reply.json());
        if finished || started.elapsed() > PATIENCE {
            assert_eq!(reply.status, 200, "{path} after {PATIENCE:?}: {}", reply.text());
            return reply.json();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `(title, url)` pairs, for comparing lists of links.
fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(title, url)| (title.to_string(), url.to_string())).collect()
}

/// The links of the "What links here" section of the page at `url` (empty without one).
async fn backlinks_on_page(wiki: &TestWiki, url: &str) -> Vec<(String, String)> {
    let reply = wiki.get(url).await;
    assert_eq!(reply.status, 200, "{url}: {}", reply.text());
    let html = reply.text();
    let Some(section) = between(&html, "<section class=\"backlinks\"", "</section>") else { return Vec::new() };
    assert!(section.contains("What links here"), "{section}");
    links(&section).iter().map(|it| (it.text(), it.attr("href"))).collect()
}

/// One row of the wanted pages table.
#[derive(Debug)]
struct WantedRow {
    target: String,
    linked_from: Vec<(String, String)>,
    create_url: String,
}

fn wanted_rows(html: &str) -> Vec<WantedRow> {
    let Some(table) = between(html, "<tbody>", "</tbody>") else { return Vec::new() };
    elements(&table, "tr")
        .iter()
        .map(|row| {
            let cells = elements(&row.inner_html, "td");
            assert_eq!(cells.len(), 3, "a wanted page row has three cells: {}", row.inner_html);
            // Missing images and other files have nothing to create; pages have a Create link.
            let create_url = if cells[2].inner_html.trim().is_empty() {
                String::new()
            } else {
                link_with_text(&cells[2].inner_html, "Create").attr("href")
            };
            WantedRow {
                target: cells[0].text(),
                linked_from: links(&cells[1].inner_html).iter().map(|it| (it.text(), it.attr("href"))).collect(),
                create_url,
            }
        })
        .collect()
}

fn orphans(html: &str) -> Vec<(String, String)> {
    let main = between(html, "<main", "</main>").expect("a main element");
    let Some(list) = between(&main, "<ul>", "</ul>") else { return Vec::new() };
    links(&list).iter().map(|it| (it.text(), it.attr("href"))).collect()
}

/// The text of the curated sidebar, if the page shows one.
fn curated_sidebar(html: &str) -> Option<String> {
    between(html, "<nav class=\"curated-sidebar page-body\" aria-label=\"Sidebar\">", "</nav>").map(|it| text_of(&it))
}

/// The breadcrumb links above the page (the current page, which is not a link, left out).
fn breadcrumbs(html: &str) -> Vec<(String, String)> {
    let nav = between(html, "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\">", "</nav>")
        .unwrap_or_else(|| panic!("no breadcrumbs in:\n{html}"));
    links(&nav).iter().map(|it| (it.text(), it.attr("href"))).collect()
}

fn breadcrumb_current(html: &str) -> String {
    let nav = between(html, "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\">", "</nav>").expect("breadcrumbs");
    between(&nav, "<span aria-current=\"page\">", "</span>").map(|it| text_of(&it)).unwrap_or_default()
}

/// What lies between the first `start` and the next `end` after it.
fn between(html: &str, start: &str, end: &str) -> Option<String> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(html[from..to].to_string())
}

/// The page an editor address creates: `/-/edit/a/b c.md` and `/-/edit/a/b%20c` both name `a/b c.md`.
fn page_created_by(edit_url: &str) -> String {
    let path = edit_url.strip_prefix("/-/edit/").unwrap_or_else(|| panic!("not an editor address: {edit_url}"));
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
    if path.ends_with(".md") { path } else { format!("{path}.md") }
}

/// `{tag: count}` from `/-/api/tags`.
fn tag_counts(json: &Value) -> BTreeMap<String, u64> {
    json["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags list in {json}"))
        .iter()
        .map(|it| (it["tag"].as_str().unwrap_or_default().to_string(), it["count"].as_u64().unwrap_or_default()))
        .collect()
}

/// The `src` of every `<script>` in a page, in order.
/// The scripts a page loads, by address without the version Lore adds to theme files (`?v=<fingerprint>`).
fn script_sources(html: &str) -> Vec<String> {
    elements(html, "script")
        .iter()
        .map(|it| {
            let src = it.attr("src");
            match src.split_once("?v=") {
                Some((path, version)) if version.bytes().all(|b| b.is_ascii_hexdigit()) => path.to_string(),
                _ => src,
            }
        })
        .collect()
}

/// The sources of one directive of a Content-Security-Policy.
fn csp_directive(csp: &str, name: &str) -> Option<Vec<String>> {
    csp.split(';').map(str::trim).find_map(|directive| {
        let mut words = directive.split_whitespace();
        (words.next() == Some(name)).then(|| words.map(str::to_string).collect())
    })
}

#[track_caller]
fn assert_no_inline_script(html: &str, what: &str) {
    for script in elements(&html.to_ascii_lowercase(), "script") {
        assert!(!script.attr("src").is_empty(), "{what}: inline script {:?}", script.inner_html);
        assert!(script.inner_html.trim().is_empty(), "{what}: a script with a body: {:?}", script.inner_html);
    }
    for handler in [" onload=", " onclick=", " onerror=", "javascript:"] {
        assert!(!html.to_ascii_lowercase().contains(handler), "{what}: {handler} in the page");
    }
}

fn is_javascript(content_type: &str) -> bool {
    content_type.starts_with("text/javascript") || content_type.starts_with("application/javascript")
}

/// Percent-encodes the spaces of a path (the only character the tests put in paths that needs it).
fn encode_path(path: &str) -> String {
    path.replace(' ', "%20")
}

// ---------------------------------------------------------------------------------------------------------
// Keyboard shortcuts

/// Raw HTML a page may hold that imitates Lore's Edit button, in every spelling a script might select by.
const PLANTED_EDIT_LINKS: &str = "# Planted\n\n\
    <div class=\"page-actions\"><a class=\"button\" href=\"/-/edit/evil\">Edit</a></div>\n\n\
    <div class=\"page-actions\" id=\"page-actions\"><a class=\"button\" id=\"edit\" href=\"/-/edit/evil-id\">Edit</a></div>\n\n\
    <div data-lore-shortcut=\"edit\"><a data-lore-shortcut=\"edit\" class=\"button\" href=\"/-/edit/evil-data\">Edit</a></div>\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_content_cannot_plant_the_link_the_edit_shortcut_follows() {
    let question = format!("---\ntitle: Planted question\n---\n\n{PLANTED_EDIT_LINKS}");
    let wiki = TestWiki::with_files(&[("planted.md", PLANTED_EDIT_LINKS), ("questions/planted.md", &question)]).await;
    // The `e` shortcut follows the `data-lore-shortcut="edit"` element outside the rendered content.
    let shortcut_targets = |html: &str| -> Vec<String> {
        ["a", "div", "button", "span", "li"]
            .iter()
            .flat_map(|tag| elements(html, tag))
            .filter(|it| it.attrs.contains_key("data-lore-shortcut"))
            .map(|it| format!("{} -> {}", it.attr("data-lore-shortcut"), it.attr("href")))
            .collect()
    };
    for (url, expected) in
        [("/planted", vec!["edit -> /-/edit/planted.md".to_string()]), ("/questions/planted", Vec::new())]
    {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
        let html = reply.text();
        // The imitations are there, as harmless content.
        assert!(has_link_to(&html, "/-/edit/evil") && has_link_to(&html, "/-/edit/evil-data"), "{url}: {html}");
        assert_eq!(shortcut_targets(&html), expected, "{url}: only Lore's own Edit button is a shortcut target");
        assert_eq!(html.matches("data-lore-shortcut=\"edit\"").count(), expected.len(), "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_named_dot_dot_md_open_from_the_tree_links_and_raw() {
    let wiki = TestWiki::with_files(&[
        ("index.md", "# Home\n"),
        ("pages/common/..md", "# ..\n\nThe parent directory.\n"),
        ("pages/common/ls.md", "# ls\n\nSee [the parent](..md) and [[pages/common/..md]].\n"),
    ])
    .await;
    let tree = wiki.get("/-/pages").await.text();
    assert!(tree.contains("href=\"/pages/common/..md\""), "{tree}");
    assert!(!tree.contains("href=\"/pages/common/.\""), "{tree}");

    let page = wiki.get("/pages/common/..md").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("The parent directory."), "{}", page.text());
    let ls = wiki.get("/pages/common/ls").await.text();
    assert!(ls.contains("href=\"/pages/common/..md\""), "{ls}");

    let raw = wiki.get("/-/raw/pages/common/..md").await;
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.text(), "# ..\n\nThe parent directory.\n");
    for url in ["/-/history/pages/common/..md", "/-/api/pages/pages/common/..md", "/-/edit/pages/common/..md"] {
        let reply = wiki.get(url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text());
    }
    let links = wiki.get("/-/api/links/pages/common/ls.md").await.json();
    assert_eq!(links["broken"], serde_json::json!([]), "{links}");

    // `..` as a segment is still a traversal, not a file name.
    for target in ["/pages/common/../../etc/passwd", "/-/raw/pages/common/..", "/pages/common/%2e%2e/x"] {
        let reply = wiki.raw_get(target).await;
        assert!(matches!(reply.status, 400 | 404), "{target}: {} {}", reply.status, reply.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_links_report_and_lore_check_list_the_same_links() {
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n\nSee the [docs](docs/) and [[Docs A]].\n"),
        (
            "docs/a.md",
            "# Docs A\n\n[missing page](gone.md) [no extension](gone) [up](../nowhere)\n\
             [rooted](/rooted/missing) ![missing image](img/missing.png) [[Nowhere]]\n\
             [t](시간) [twice](gone.md)\n\n\
             Fine: [b](b) [b.md](b.md#part) ![ok](img/ok.png) [folder](../docs/) [root](/) [tags](/-/tags)\n\
             [rooted](/docs/b) <techops@example.com> [site](https://example.com/x.md) [here](#part)\n",
        ),
        ("docs/b.md", "# Docs B\n\nBack to [a](a.md), and [[Nowhere]] again.\n"),
        ("docs/img/ok.png", "png"),
    ]);
    let work_tree = fixture.work_tree().to_path_buf();
    let wiki = fixture.serve().await;

    let rows = wanted_rows(&wiki.get("/-/links/broken").await.text());
    let mut from_report: Vec<(String, String)> = rows
        .iter()
        .flat_map(|row| {
            row.linked_from.iter().map(|(_, url)| (format!("{}.md", url.trim_start_matches('/')), row.target.clone()))
        })
        .collect();
    from_report.sort();
    let expected: Vec<(String, String)> = [
        ("docs/a.md", "Nowhere"),
        ("docs/a.md", "docs/gone"),
        ("docs/a.md", "docs/gone.md"),
        ("docs/a.md", "docs/img/missing.png"),
        ("docs/a.md", "docs/시간"),
        ("docs/a.md", "nowhere"),
        ("docs/a.md", "rooted/missing"),
        ("docs/b.md", "Nowhere"),
    ]
    .iter()
    .map(|(page, target)| (page.to_string(), target.to_string()))
    .collect();
    assert_eq!(from_report, expected, "{rows:#?}");
    let image = rows.iter().find(|it| it.target == "docs/img/missing.png").expect("the image row");
    assert_eq!(image.create_url, "", "a missing image is uploaded, not created");

    let output = tokio::task::spawn_blocking(move || run_lore(&work_tree, &["check"])).await.expect("lore check ran");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut from_check: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|line| {
            let (page, rest) = line.split_once(':')?;
            let target = if let Some(wiki_link) = rest.split_once("wiki link [[") {
                wiki_link.1.split_once("]]")?.0.to_string()
            } else {
                rest.split_once(" points to ")?.1.strip_suffix(", which does not exist")?.to_string()
            };
            Some((page.to_string(), target))
        })
        .collect();
    from_check.sort();
    from_check.dedup();
    assert_eq!(from_check, expected, "lore check said:\n{stdout}");

    // The page's own list agrees, each target once.
    let links = links_json(&wiki, "docs/a.md").await;
    let mut targets: Vec<String> =
        links["broken"].as_array().expect("broken").iter().map(|it| it["target"].as_str().unwrap().into()).collect();
    targets.sort();
    let mut expected_targets: Vec<String> =
        expected.iter().filter(|it| it.0 == "docs/a.md").map(|it| it.1.clone()).collect();
    expected_targets.sort();
    assert_eq!(targets, expected_targets, "{links}");
}
