//! Writers with git: clone, fetch, pull and push over HTTP against a running Lore; the pre- and
//! post-receive hooks Lore installs (and a repository's own hook they chain to); commits made straight
//! into the repository; `lore check`; and pushes racing API saves. Everything runs the real `git` command
//! line, and what landed is proved from the served repository, not from Lore's answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use lore::config::Config;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Text that must never appear in an answer: files outside the repository, or the repository's own config.
const OUTSIDE_MARKERS: &[&str] = &["root:x:0:0", "[core]", "repositoryformatversion"];

// ---------------------------------------------------------------------------------------------------------
// Discovery and the protocol

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_footer_shows_the_clone_url() {
    let wiki = managed_wiki().await;
    let home = wiki.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text());
    let expected = format!("git clone http://{}/wiki.git", wiki.addr);
    let footers = elements(&home.text(), "footer");
    assert!(
        footers.iter().any(|it| it.text().contains(&expected)),
        "no footer says {expected:?}; footers: {:#?}",
        footers.iter().map(Element::text).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_edit_menu_shows_the_git_recipe() {
    let wiki = managed_wiki().await;
    let page = wiki.get("/guide/markdown").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let expected = format!("git clone http://{}/wiki.git", wiki.addr);
    let recipes: Vec<Element> =
        elements(&page.text(), "details").into_iter().filter(|it| it.text().contains("Edit with git")).collect();
    assert!(
        recipes.iter().any(|it| it.text().contains(&expected) && it.text().contains("git push")),
        "no \"Edit with git\" recipe with {expected:?} on the page: {:#?}",
        recipes.iter().map(Element::text).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_url_follows_the_host_the_reader_used() {
    let wiki = managed_wiki().await;
    let request = "GET / HTTP/1.1\r\nHost: wiki.example.com:8080\r\nConnection: close\r\n\r\n";
    let home = raw_request(wiki.addr, request).await;
    assert_eq!(home.status, 200, "{}", home.text());
    assert!(home.text().contains("git clone http://wiki.example.com:8080/wiki.git"), "{}", home.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_pack_is_advertised_on_loopback() {
    let wiki = managed_wiki().await;
    for service in ["git-receive-pack", "git-upload-pack"] {
        let reply = wiki.get(&format!("/wiki.git/info/refs?service={service}")).await;
        assert_eq!(reply.status, 200, "{service}: {}", reply.text());
        assert_eq!(reply.content_type(), format!("application/x-{service}-advertisement"), "{service}");
        let first_line = format!("# service={service}\n");
        assert!(reply.text().contains(&first_line), "{service}: {:?}", reply.text());
        assert!(reply.text().contains(&wiki.head()), "{service} does not advertise the branch: {:?}", reply.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_endpoint_answers_hostile_paths_with_400_not_500() {
    let wiki = managed_wiki().await;
    for target in [
        "/wiki.git//etc/passwd",
        "/wiki.git/.",
        "/wiki.git/./info/refs",
        "/wiki.git/./",
        "/wiki.git/..",
        "/wiki.git/../wiki.git/info/refs",
        "/wiki.git/info/../config",
        "/wiki.git/%2e%2e/config",
        "/wiki.git/%2E%2E/%2e%2e/etc/passwd",
        "/wiki.git/info/refs/",
        "/wiki.git/info//refs",
        "/wiki.git/info%2frefs",
        "/wiki.git/info\\refs",
        "/wiki.git/info/refs%00",
        "/wiki.git/info/refs?service=git-upload-pack/../../x",
    ] {
        let reply = wiki.raw_get(target).await;
        // A query is passed on as it is and the backend refuses an unknown service itself; the rest are Lore's.
        let expected = if target.contains('?') { 403 } else { 400 };
        assert_eq!(reply.status, expected, "GET {target}: {}", reply.text());
        for marker in OUTSIDE_MARKERS {
            assert!(!reply.text().contains(marker), "GET {target} shows {marker:?}: {}", reply.text());
        }
        if expected == 400 {
            assert!(reply.text().starts_with("invalid repository path: "), "GET {target}: {:?}", reply.text());
        }
    }
    // A clean path git does not use is simply not there.
    assert_eq!(wiki.raw_get("/wiki.git/config").await.status, 404);
    // And the server still serves git.
    let refs = wiki.get("/wiki.git/info/refs?service=git-upload-pack").await;
    assert_eq!(refs.status, 200, "{}", refs.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_hook_endpoint_answers_loopback_callers() {
    let wiki = managed_wiki().await;
    let reply = wiki.send("POST", "/-/hooks/refresh", &[], "").await;
    assert_eq!(reply.status, 204, "{}", reply.text());
}

// ---------------------------------------------------------------------------------------------------------
// Clone, fetch, pull and push

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_has_the_served_branch() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    assert_eq!(writer.git(&["rev-parse", "HEAD"]).await, wiki.head());
    assert_eq!(writer.git(&["status", "--porcelain"]).await, "", "a fresh clone is clean");
    let index = std::fs::read_to_string(writer.work_tree.join("index.md")).expect("the clone has index.md");
    assert_eq!(index.trim_end(), wiki.file_at_head("index.md"));
    let served = wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref]);
    let cloned = writer.git(&["ls-tree", "-r", "--name-only", "HEAD"]).await;
    assert_eq!(cloned, served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_and_pull_bring_in_pushes_and_browser_saves() {
    let wiki = managed_wiki().await;
    let ann = WriterClone::of(&wiki).await;
    let bob = WriterClone::of(&wiki).await;

    ann.write("notes/from-ann.md", "# From Ann\n\nPushed by Ann.\n");
    let pushed = ann.commit("Add a note from Ann").await;
    ann.push_ok(&wiki).await;

    bob.git(&["fetch", "--quiet", "origin"]).await;
    assert_eq!(bob.git(&["rev-parse", "origin/main"]).await, pushed, "fetch brings Ann's commit");
    assert!(!bob.work_tree.join("notes/from-ann.md").exists(), "fetch does not touch the work tree");

    let saved = wiki.put_page("notes/from-browser.md", &json!({"markdown": "# From the browser\n"}), None).await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    let saved_commit = saved.json()["commit"].as_str().expect("a commit").to_string();

    bob.pull().await;
    assert_eq!(bob.git(&["rev-parse", "HEAD"]).await, saved_commit);
    assert_eq!(bob.read("notes/from-ann.md"), "# From Ann\n\nPushed by Ann.\n");
    assert_eq!(bob.read("notes/from-browser.md").trim_end(), "# From the browser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_page_is_rendered_in_history_and_in_search() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/pushed-page.md", "---\ntitle: Pushed page\ntags: [git]\n---\n\nThe quokkaberry recipe.\n");
    let commit = writer.commit("Add the pushed page").await;
    writer.push_ok(&wiki).await;
    assert_eq!(wiki.head(), commit, "the served branch is the pushed commit");

    let page = wait_for_page(&wiki, "/notes/pushed-page", "quokkaberry", PATIENCE).await;
    assert_eq!(h1_text(&page.text()), "Pushed page");
    let history = wait_for_history(&wiki, "notes/pushed-page.md", &commit, PATIENCE).await;
    let row = &history["commits"][0];
    assert_eq!(row["commit"], commit.as_str(), "{history}");
    assert_eq!(row["author"]["name"], ANN.name, "{history}");
    assert_eq!(row["message"].as_str().map(str::trim), Some("Add the pushed page"), "{history}");
    wait_for_search_hit(&wiki, "quokkaberry", "notes/pushed-page.md", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_add_change_move_and_delete_files() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;

    // Add two pages in one push.
    writer.write("push/first.md", "# First\n\nThe first page mentions marmalade.\n");
    writer.write("push/second.md", "# Second\n\nThe second page mentions brambleford.\n");
    let added = writer.commit("Add two pages").await;
    writer.push_ok(&wiki).await;
    wait_for_page(&wiki, "/push/first", "marmalade", PATIENCE).await;
    wait_for_page(&wiki, "/push/second", "brambleford", PATIENCE).await;
    wait_for_search_hit(&wiki, "marmalade", "push/first.md", PATIENCE).await;

    // Change one.
    writer.write("push/first.md", "# First\n\nThe first page now mentions gooseberry.\n");
    let changed = writer.commit("Change the first page").await;
    writer.push_ok(&wiki).await;
    wait_for_page(&wiki, "/push/first", "gooseberry", PATIENCE).await;
    wait_for_history(&wiki, "push/first.md", &changed, PATIENCE).await;
    wait_for_search_hit(&wiki, "gooseberry", "push/first.md", PATIENCE).await;
    wait_for_search_miss(&wiki, "marmalade", "push/first.md", PATIENCE).await;

    // Move the other with `git mv` (which needs the target folder to exist).
    std::fs::create_dir_all(writer.work_tree.join("moved")).expect("create the target folder");
    writer.git(&["mv", "push/second.md", "moved/second.md"]).await;
    let moved = writer.commit("Move the second page").await;
    writer.push_ok(&wiki).await;
    wait_for_page(&wiki, "/moved/second", "brambleford", PATIENCE).await;
    let old_url = wiki.get("/push/second").await;
    let redirected_to_new =
        matches!(old_url.status, 301 | 308) && old_url.header("location").as_deref() == Some("/moved/second");
    assert!(
        redirected_to_new || matches!(old_url.status, 404 | 410),
        "the old URL of a moved page answered {} {:?}",
        old_url.status,
        old_url.header("location")
    );
    let history = wait_for_history(&wiki, "moved/second.md", &moved, PATIENCE).await;
    let commits = history_commits(&history);
    assert!(commits.contains(&added), "the moved page's history follows the move back to {added}: {history}");
    wait_for_search_hit(&wiki, "brambleford", "moved/second.md", PATIENCE).await;
    wait_for_search_miss(&wiki, "brambleford", "push/second.md", PATIENCE).await;

    // Delete the first.
    writer.git(&["rm", "--quiet", "push/first.md"]).await;
    writer.commit("Delete the first page").await;
    writer.push_ok(&wiki).await;
    let gone = poll(&wiki, "/push/first", PATIENCE, |it| it.status != 200).await;
    assert!(matches!(gone.status, 404 | 410), "a deleted page answered {}", gone.status);
    wait_for_search_miss(&wiki, "gooseberry", "push/first.md", PATIENCE).await;

    assert_eq!(wiki.head(), writer.git(&["rev-parse", "HEAD"]).await);
    let tree = wiki.git(&["ls-tree", "-r", "--name-only", &wiki.branch_ref]);
    assert!(tree.lines().any(|it| it == "moved/second.md"), "{tree}");
    assert!(!tree.lines().any(|it| it.starts_with("push/")), "{tree}");
    wiki.git(&["fsck", "--strict", "--no-progress"]);
}

// ---------------------------------------------------------------------------------------------------------
// Rejected pushes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_broken_front_matter_is_rejected_naming_file_and_line() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/fine.md", "# Fine\n");
    writer.write("notes/broken.md", "---\ntitle: a: b\n---\n\nBody.\n");
    let rejected = writer.commit("Add a page with broken front matter").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/broken.md:2:");
    assert!(!push.stderr.contains("notes/fine.md"), "the good file is not blamed:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);
    assert_eq!(wiki.get("/notes/broken").await.status, 404);
    assert_eq!(wiki.get("/notes/fine").await.status, 404, "a rejected push changes nothing, good files included");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_a_reserved_path_is_rejected_naming_it() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("-reserved/page.md", "# Looks like a Lore route\n");
    let rejected = writer.commit("Add a page under a reserved folder").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "-reserved/page.md");
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_a_control_character_in_a_path_is_rejected_naming_it() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/bell\u{7}page.md", "# A bell in the name\n");
    let rejected = writer.commit("Add a page with a control character in its name").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/bell");
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_invalid_utf8_is_rejected_naming_file_and_line() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/latin1.md", b"# Caf\xe9\n\nNot UTF-8 at all.\n".as_slice());
    let rejected = writer.commit("Add a Latin-1 page").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/latin1.md:1:");
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_a_page_over_the_size_limit_is_rejected_naming_it() {
    let (_fixture, wiki) = bare_wiki_with(&[("index.md", "# Home\n")], |config| config.max_page_bytes = 1_000).await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/small.md", "# Small\n");
    writer.write("notes/huge.md", format!("# Huge\n\n{}\n", "words ".repeat(500)));
    let rejected = writer.commit("Add a page over the limit").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/huge.md");
    assert!(!push.stderr.contains("notes/small.md"), "the small file is not blamed:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);

    // Under the limit, the same writer's push goes through.
    writer.git(&["reset", "--quiet", "--hard", "HEAD~1"]).await;
    writer.write("notes/small.md", "# Small\n");
    writer.commit("Add a small page").await;
    writer.push_ok(&wiki).await;
    wait_for_page(&wiki, "/notes/small", "Small", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_a_file_over_the_upload_limit_is_rejected_naming_it() {
    let (_fixture, wiki) = bare_wiki_with(&[("index.md", "# Home\n")], |config| config.max_upload_bytes = 2_000).await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("media/photo.png", pseudo_random_bytes(5_000));
    let rejected = writer.commit("Add a picture over the limit").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "media/photo.png");
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_of_a_tree_with_duplicate_entries_is_rejected_naming_the_path() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let blob = writer.hash_blob("# Twice\n").await;
    let tree = writer.root_tree_with(&[("100644", "twice.md", &blob), ("100644", "twice.md", &blob)]).await;
    let rejected = writer.commit_tree(&tree, "A folder holding twice.md twice").await;
    let head = wiki.head();

    let push = writer.push_commit(&wiki, &rejected).await;
    assert_rejected(&push, "twice.md");
    assert!(push.stderr.contains("two entries with this name"), "the rejection says what is wrong:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);
    wiki.git(&["fsck", "--full", "--strict", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_of_a_tree_entry_named_with_a_slash_is_rejected_naming_the_path() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let blob = writer.hash_blob("# Not in a folder\n").await;
    // One entry named `a/b.md` in the root folder, not a file `b.md` in a folder `a` (beside a folder of the
    // same name it would also be out of git's order, which git's own fsck refuses first).
    let tree = writer.root_tree_with(&[("100644", "a/b.md", &blob)]).await;
    let rejected = writer.commit_tree(&tree, "An entry whose name holds a slash").await;
    let head = wiki.head();

    let push = writer.push_commit(&wiki, &rejected).await;
    assert_rejected(&push, "lore: a/b.md");
    assert!(push.stderr.contains("slash"), "the rejection says what is wrong:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);
    wiki.git(&["fsck", "--full", "--strict", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_of_a_malformed_tree_over_the_filesystem_is_rejected_by_lores_hook() {
    // Over the file system no fsck option of Lore's applies: the pre-receive hook alone must refuse it.
    let wiki = managed_wiki().await;
    let writer = WriterClone::of_url(&wiki.git_dir.to_string_lossy()).await;
    let blob = writer.hash_blob("# Twice\n").await;
    let tree = writer
        .root_tree_with(&[("100644", "twice.md", &blob), ("100644", "twice.md", &blob), ("100644", "a/b.md", &blob)])
        .await;
    let rejected = writer.commit_tree(&tree, "A malformed tree, pushed to a path").await;
    let head = wiki.head();

    let push = writer.push_commit(&wiki, &rejected).await;
    assert_rejected(&push, "lore: twice.md");
    assert_rejected(&push, "lore: a/b.md");
    assert_nothing_landed(&wiki, &head, &rejected);
    wiki.git(&["fsck", "--full", "--strict", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_of_a_tree_git_fsck_refuses_is_rejected_over_http() {
    // Entries out of git's order: a malformed tree Lore's own check does not look for. git's fsck of pushed
    // objects (receive.fsckObjects) refuses it before any hook runs.
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let blob = writer.hash_blob("# Unsorted\n").await;
    let tree = writer.raw_tree(&[("100644", "z.md", &blob), ("100644", "a.md", &blob)]).await;
    let rejected = writer.commit_tree(&tree, "An unsorted tree").await;
    let head = wiki.head();

    let push = writer.push_commit(&wiki, &rejected).await;
    assert_rejected(&push, "treeNotSorted");
    assert_nothing_landed(&wiki, &head, &rejected);
    wiki.git(&["fsck", "--full", "--strict", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_windows_reserved_names_is_rejected_naming_them() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let reserved = ["CON.md", "notes/aux.md", "notes/nul", "LPT1/page.md", "notes/com3.txt", "notes/dot./page.md"];
    for path in reserved {
        writer.write(path, "# Reserved on Windows\n");
    }
    writer.write("notes/trailing space ", "a name ending in a space\n");
    writer.write("notes/console.md", "# Console is not CON\n");
    let rejected = writer.commit("Add names Windows cannot check out").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    for named in ["lore: CON.md", "lore: notes/aux.md", "lore: notes/nul", "lore: LPT1", "lore: notes/com3.txt"] {
        assert_rejected(&push, named);
    }
    assert_rejected(&push, "lore: notes/dot.");
    assert_rejected(&push, "lore: notes/trailing space ");
    assert!(push.stderr.contains("reserved"), "the rejection says why:\n{}", push.stderr);
    assert!(!push.stderr.contains("console.md"), "a name that only starts like one is fine:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_names_differing_only_in_case_is_rejected_naming_them() {
    let files = [("index.md", "# Home\n"), ("README.md", "# Read me\n"), ("docs/a.md", "# A\n")];
    let (_fixture, wiki) = bare_wiki_with(&files, |_| {}).await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("Readme.md", "# Another read me\n");
    writer.write("Docs/b.md", "# B, in a second docs folder\n");
    writer.write("notes/Plan.md", "# Plan\n");
    writer.write("notes/plan.md", "# plan\n");
    let rejected = writer.commit("Add names that clash on macOS and Windows").await;
    let head = wiki.head();

    let push = writer.push(&wiki).await;
    assert_rejected(&push, "lore: Readme.md: error: differs from README.md only in letter case");
    assert_rejected(&push, "lore: Docs: error: differs from docs only in letter case");
    assert_rejected(&push, "lore: notes/plan.md: error: differs from notes/Plan.md only in letter case");
    assert!(
        !push.stderr.contains("lore: Docs/b.md"),
        "the files in a clashing folder are not blamed:\n{}",
        push.stderr
    );
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_with_unportable_names_stays_servable_and_pushable() {
    // Names a push may no longer introduce, committed before Lore served the repository.
    let fixture = Fixture::with_files(&[
        ("index.md", "# Home\n"),
        ("CON.md", "# Console\n\nAn old page: kiwano.\n"),
        ("README.md", "# Read me\n"),
        ("Readme.md", "# Read me too\n"),
    ]);
    let bare = fixture.bare_clone();
    let wiki = serve_repo(&bare, |_| {}).await;
    assert_eq!(wiki.get("/CON").await.status, 200);
    assert_eq!(wiki.get("/Readme").await.status, 200);

    // A push that changes those files and adds others is judged only on what it adds.
    let writer = WriterClone::of(&wiki).await;
    writer.write("CON.md", "# Console\n\nStill here, changed: kiwano.\n");
    writer.write("Readme.md", "# Read me too, changed\n");
    writer.write("notes/new.md", "# New\n");
    let commit = writer.commit("Change old pages, add a new one").await;
    writer.push_ok(&wiki).await;
    assert_eq!(wiki.head(), commit);
    wait_for_page(&wiki, "/CON", "Still here", PATIENCE).await;
    wiki.git(&["fsck", "--full", "--strict", "--no-progress"]);
    drop(fixture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_push_and_clone_stream_through() {
    // Incompressible, so the pack is as large as the file: a request body far bigger than any pipe buffer.
    let big = pseudo_random_bytes(12 * 1024 * 1024);
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("media/big.bin", &big);
    for n in 0..200 {
        writer.write(&format!("bulk/page-{n:03}.md"), format!("# Bulk page {n}\n\nOne of many in a large push.\n"));
    }
    let commit = writer.commit("A large push").await;
    writer.push_ok(&wiki).await;
    assert_eq!(wiki.head(), commit);
    wait_for_page(&wiki, "/bulk/page-199", "Bulk page 199", PATIENCE).await;

    let again = WriterClone::of(&wiki).await;
    assert_eq!(again.git(&["rev-parse", "HEAD"]).await, commit);
    assert!(std::fs::read(again.work_tree.join("media/big.bin")).expect("the big file") == big, "the big file differs");
    wiki.git(&["fsck", "--strict", "--no-progress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_push_is_refused_when_listening_beyond_loopback() {
    // Listening on every interface is not loopback; the test still reaches the server at 127.0.0.1. Open
    // mode there needs `allow_open` (everyone may edit in the browser), and still refuses anonymous pushes.
    let wiki = TestWiki::managed_with(|config| {
        config.listen = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
        config.auth.allow_open = true;
        run_hooks_with_lore(config);
    })
    .await;
    let url = format!("http://127.0.0.1:{}/wiki.git", wiki.addr.port());
    let advertisement = get_url(&format!("{url}/info/refs?service=git-receive-pack")).await;
    assert_eq!(advertisement.status, 401, "{}", advertisement.text());
    assert!(advertisement.header("www-authenticate").is_some(), "git needs a challenge to ask for credentials");

    let writer = WriterClone::of_url(&url).await;
    writer.write("notes/anonymous.md", "# Anonymous\n");
    let rejected = writer.commit("An anonymous push").await;
    let head = wiki.head();
    let push = writer.git_output(&["push", "origin", &format!("HEAD:{}", wiki.branch_ref)]).await;
    assert!(!push.success, "an anonymous push was accepted:\n{}", push.stderr);
    assert_nothing_landed(&wiki, &head, &rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_push_is_refused() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/kept.md", "# Kept\n");
    writer.commit("Add a page").await;
    writer.push_ok(&wiki).await;
    let head = wiki.head();

    // Rewrite the pushed commit and force it over the server's branch.
    writer.write("notes/kept.md", "# Rewritten\n");
    let rewritten = writer.amend("Rewritten").await;
    let push = writer.git_output(&["push", "--force", "origin", &format!("HEAD:{}", wiki.branch_ref)]).await;
    assert_rejected(&push, "lore:");
    assert_nothing_landed(&wiki, &head, &rewritten);

    // Rewinding the branch to an older commit is a rewrite as well.
    let push = writer.git_output(&["push", "--force", "origin", &format!("HEAD~1:{}", wiki.branch_ref)]).await;
    assert_rejected(&push, "lore:");
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_branch_is_refused() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let head = wiki.head();
    let push = writer.git_output(&["push", "origin", &format!(":{}", wiki.branch_ref)]).await;
    assert_rejected(&push, "lore:");
    wiki.assert_untouched(&head);
    let remote = writer.git(&["ls-remote", "origin", &wiki.branch_ref]).await;
    assert!(remote.starts_with(&head), "the branch is still advertised: {remote:?}");
    assert_eq!(wiki.get("/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_and_branch_pushes_are_not_blamed_for_history_already_accepted() {
    // The repository's history holds a page that was broken before Lore served it and fixed since.
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    fixture.write("old.md", "---\ntitle: a: b\n---\n");
    fixture.commit(BOB, "Broken before Lore served the repository");
    fixture.write("old.md", "---\ntitle: Fixed\n---\n");
    fixture.commit(BOB, "Fix the front matter");
    let bare = fixture.bare_clone();
    let wiki = serve_repo(&bare, |_| {}).await;
    let writer = WriterClone::of(&wiki).await;
    let head = wiki.head();

    // A tag of the served head brings no new commit at all.
    let push = writer.git_output(&["push", "origin", "HEAD:refs/tags/v1"]).await;
    assert!(push.success, "tagging the served head was rejected:\n{}", push.stderr);
    assert_eq!(wiki.git(&["rev-parse", "refs/tags/v1"]), head);

    // A new branch brings one good commit; only that commit is the push's to answer for.
    writer.write("notes/draft.md", "# Draft\n");
    let draft = writer.commit("Start a draft").await;
    let push = writer.git_output(&["push", "origin", "HEAD:refs/heads/drafts"]).await;
    assert!(push.success, "a new branch with one good commit was rejected:\n{}", push.stderr);
    assert_eq!(wiki.git(&["rev-parse", "refs/heads/drafts"]), draft);
    wiki.assert_untouched(&head);
    drop(fixture);
}

// ---------------------------------------------------------------------------------------------------------
// Commits made outside Lore's HTTP

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_in_a_served_work_tree_is_picked_up() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let wiki = fixture.serve_with(run_hooks_with_lore).await;
    wait_until_indexed(&wiki).await;
    let work_tree = wiki.root().join("work");

    let commit = blocking(move || {
        std::fs::write(work_tree.join("outside.md"), "# Outside\n\nCommitted with plain git: tamarillo.\n")
            .expect("write a page");
        git_in(&work_tree, &["add", "outside.md"]);
        git_in(
            &work_tree,
            &[
                "-c",
                "user.name=Bob Builder",
                "-c",
                "user.email=bob@example.com",
                "commit",
                "--quiet",
                "-m",
                "Commit outside Lore",
            ],
        );
        git_in(&work_tree, &["rev-parse", "HEAD"])
    })
    .await;

    wait_for_page(&wiki, "/outside", "tamarillo", PATIENCE).await;
    let history = wait_for_history(&wiki, "outside.md", &commit, PATIENCE).await;
    assert_eq!(history["commits"][0]["author"]["name"], BOB.name, "{history}");
    wait_for_search_hit(&wiki, "tamarillo", "outside.md", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plumbing_commit_in_the_bare_repository_is_picked_up() {
    let wiki = managed_wiki().await;
    let git_dir = wiki.git_dir.clone();
    let branch_ref = wiki.branch_ref.clone();
    let commit = blocking(move || {
        let blob = git_with_input(
            &git_dir,
            &["hash-object", "-w", "--stdin"],
            "# Plumbed\n\nWritten with hash-object: yuzuquat.\n",
        );
        let mut listing = git_in(&git_dir, &["ls-tree", &branch_ref]);
        listing.push_str(&format!("\n100644 blob {blob}\tplumbed.md\n"));
        let tree = git_with_input(&git_dir, &["mktree"], &listing);
        let old = git_in(&git_dir, &["rev-parse", &branch_ref]);
        let commit = git_in(
            &git_dir,
            &[
                "-c",
                "user.name=Bob Builder",
                "-c",
                "user.email=bob@example.com",
                "commit-tree",
                &tree,
                "-p",
                &old,
                "-m",
                "Plumbing commit",
            ],
        );
        git_in(&git_dir, &["update-ref", &branch_ref, &commit, &old]);
        commit
    })
    .await;

    wait_for_page(&wiki, "/plumbed", "yuzuquat", PATIENCE).await;
    wait_for_history(&wiki, "plumbed.md", &commit, PATIENCE).await;
    wait_for_search_hit(&wiki, "yuzuquat", "plumbed.md", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_from_a_mirror_into_the_repository_is_picked_up() {
    let wiki = managed_wiki().await;
    // The mirror moves ahead; the served repository then fetches from it, as a mirroring job would.
    let mirror = WriterClone::of(&wiki).await;
    mirror.write("mirrored.md", "# Mirrored\n\nFetched from a mirror: salmonberry.\n");
    let commit = mirror.commit("Commit on the mirror").await;
    let git_dir = wiki.git_dir.clone();
    let root = wiki.root().to_path_buf();
    let source = mirror.work_tree.to_string_lossy().into_owned();
    let refspec = format!("HEAD:{}", wiki.branch_ref);
    blocking(move || {
        let git_dir = format!("--git-dir={}", git_dir.display());
        git_in(&root, &[&git_dir, "fetch", "--quiet", &source, &refspec]);
    })
    .await;
    assert_eq!(wiki.head(), commit);

    wait_for_page(&wiki, "/mirrored", "salmonberry", PATIENCE).await;
    wait_for_history(&wiki, "mirrored.md", &commit, PATIENCE).await;
    wait_for_search_hit(&wiki, "salmonberry", "mirrored.md", PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_over_the_filesystem_is_checked_and_picked_up() {
    let wiki = managed_wiki().await;
    let repo_path = wiki.git_dir.to_string_lossy().into_owned();
    let writer = WriterClone::of_url(&repo_path).await;

    writer.write("notes/from-disk.md", "# From disk\n\nPushed to a path: cloudberry.\n");
    let commit = writer.commit("Push over the filesystem").await;
    writer.push_ok(&wiki).await;
    assert_eq!(wiki.head(), commit);
    wait_for_page(&wiki, "/notes/from-disk", "cloudberry", PATIENCE).await;
    wait_for_history(&wiki, "notes/from-disk.md", &commit, PATIENCE).await;

    // The same checks run as for HTTP pushes.
    writer.write("notes/disk-broken.md", "---\ntitle: a: b\n---\n");
    let rejected = writer.commit("Broken front matter over the filesystem").await;
    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/disk-broken.md:2:");
    assert_nothing_landed(&wiki, &commit, &rejected);
}

// ---------------------------------------------------------------------------------------------------------
// The repository's own hooks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_own_hooks_are_kept_and_still_run() {
    let fixture = Fixture::with_files(&[("index.md", "# Home\n")]);
    let bare = fixture.bare_clone();
    let own_hook = "#!/bin/sh\n\
        # The team's own rule: no forbidden.txt anywhere.\n\
        while read old new ref; do\n\
          case \"$new\" in 0000000000000000000000000000000000000000) continue ;; esac\n\
          if git ls-tree -r --name-only \"$new\" | grep -qE '(^|/)forbidden\\.txt$'; then\n\
            echo \"team rule: forbidden.txt may not be pushed\" >&2\n\
            exit 1\n\
          fi\n\
        done\n\
        exit 0\n";
    let hooks = bare.join("hooks");
    std::fs::write(hooks.join("pre-receive"), own_hook).expect("write the hook");
    make_executable(&hooks.join("pre-receive"));
    let post_receive_log = fixture.root().join("post-receive.log");
    let own_post_hook = format!("#!/bin/sh\ncat >> '{}'\n", post_receive_log.display());
    std::fs::write(hooks.join("post-receive"), &own_post_hook).expect("write the hook");
    make_executable(&hooks.join("post-receive"));

    let wiki = serve_repo(&bare, |_| {}).await;
    let installed = std::fs::read_to_string(hooks.join("pre-receive")).expect("Lore's hook");
    assert!(installed.contains("hook pre-receive"), "Lore installed its hook:\n{installed}");
    let kept =
        std::fs::read_to_string(hooks.join("pre-receive.local")).expect("the own hook is kept as pre-receive.local");
    assert_eq!(kept, own_hook);

    let writer = WriterClone::of(&wiki).await;
    writer.write("notes/forbidden.txt", "nope\n");
    let rejected = writer.commit("Add a forbidden file").await;
    let head = wiki.head();
    let push = writer.push(&wiki).await;
    assert_rejected(&push, "team rule: forbidden.txt may not be pushed");
    assert_nothing_landed(&wiki, &head, &rejected);

    // Lore's own checks still run.
    writer.git(&["reset", "--quiet", "--hard", "HEAD~1"]).await;
    writer.write("notes/broken.md", "---\ntitle: a: b\n---\n");
    writer.commit("Broken front matter").await;
    let push = writer.push(&wiki).await;
    assert_rejected(&push, "notes/broken.md:2:");
    wiki.assert_untouched(&head);

    // And a push both accept goes through.
    writer.git(&["reset", "--quiet", "--hard", "HEAD~1"]).await;
    writer.write("notes/allowed.md", "# Allowed\n");
    let allowed = writer.commit("Add an allowed page").await;
    writer.push_ok(&wiki).await;
    wait_for_page(&wiki, "/notes/allowed", "Allowed", PATIENCE).await;

    // The team's post-receive hook is kept too, and gets the pushed refs after Lore's.
    let kept = std::fs::read_to_string(hooks.join("post-receive.local")).expect("kept as post-receive.local");
    assert_eq!(kept, own_post_hook);
    let log = std::fs::read_to_string(&post_receive_log).expect("the team's post-receive hook ran");
    assert_eq!(log.lines().collect::<Vec<_>>(), [format!("{head} {allowed} {}", wiki.branch_ref)], "{log:?}");

    // Starting Lore again, with other limits, refreshes its hooks and leaves the team's alone.
    drop(wiki);
    let wiki = serve_repo(&bare, |config| config.max_page_bytes = 1_000).await;
    assert_eq!(std::fs::read_to_string(hooks.join("pre-receive.local")).expect("still kept"), own_hook);
    assert_eq!(std::fs::read_to_string(hooks.join("post-receive.local")).expect("still kept"), own_post_hook);
    let installed = std::fs::read_to_string(hooks.join("pre-receive")).expect("Lore's hook");
    assert!(installed.contains("--max-page-bytes 1000"), "the hook follows the new settings:\n{installed}");
    writer.git(&["remote", "set-url", "origin", &wiki.url("/wiki.git")]).await;
    writer.pull().await;
    writer.write("forbidden.txt", "still nope\n");
    writer.commit("Try again after a restart").await;
    let head = wiki.head();
    let push = writer.push(&wiki).await;
    assert_rejected(&push, "team rule: forbidden.txt may not be pushed");
    wiki.assert_untouched(&head);
    drop(fixture);
}

// ---------------------------------------------------------------------------------------------------------
// `lore check`

#[test]
fn lore_check_prints_file_and_line_for_each_problem() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let files = [
        ("index.md", "# Home\n\nSee [the guide](guide/setup.md).\n"),
        ("guide/setup.md", "---\ntitle: Setup\n---\n\n# Setup\n\nBack [home](../index.md).\n"),
        ("notes/broken.md", "---\ntitle: a: b\n---\n\nBody.\n"),
        ("notes/links.md", "# Links\n\nFine: [setup](../guide/setup.md).\n\nBroken: [gone](../guide/gone.md).\n"),
    ];
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a folder")).expect("create folders");
        std::fs::write(full, content).expect("write a file");
    }
    let folder = dir.path().to_string_lossy().into_owned();
    let output = run_lore(dir.path(), &["check", &folder]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "lore check passed a broken wiki:\n{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().any(|it| it.starts_with("notes/broken.md:2: ")), "front matter problem:\n{stdout}");
    assert!(
        lines.iter().any(|it| it.starts_with("notes/links.md:5: ") && it.contains("gone.md")),
        "broken relative link:\n{stdout}"
    );
    assert!(
        !stdout.contains("index.md") && !stdout.contains("guide/setup.md"),
        "clean files are not blamed:\n{stdout}"
    );
    assert_eq!(lines.len(), 2, "one line per problem:\n{stdout}");

    // Fixed, the same folder passes.
    std::fs::write(dir.path().join("notes/broken.md"), "---\ntitle: Fixed\n---\n\nBody.\n").expect("fix");
    std::fs::write(dir.path().join("notes/links.md"), "# Links\n\nFine: [setup](../guide/setup.md).\n").expect("fix");
    let output = run_lore(dir.path(), &["check", &folder]);
    assert!(output.status.success(), "lore check failed a clean wiki:\n{}", String::from_utf8_lossy(&output.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lore_check_passes_a_clean_clone_of_the_starter_wiki() {
    let wiki = managed_wiki().await;
    let writer = WriterClone::of(&wiki).await;
    let work_tree = writer.work_tree.clone();
    let output = blocking(move || run_lore(&work_tree, &["check"])).await;
    assert!(
        output.status.success(),
        "lore check failed the starter wiki:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------------------------------------------------
// Pushes racing browser saves

const N_PUSHERS: usize = 10;
const N_CREATES: usize = 50;
const N_UPDATES: usize = 10;
const MAX_PUSH_ATTEMPTS: usize = 40;

/// One pusher's outcome: the file it added and, once accepted, the commit that added it.
#[derive(Debug)]
struct PushRecord {
    path: String,
    content: String,
    accepted_commit: Option<String>,
    rejections: Vec<String>,
}

/// One API save's outcome.
#[derive(Debug)]
struct SaveRecord {
    path: String,
    markdown: String,
    status: u16,
    answer: String,
}

impl SaveRecord {
    fn acknowledged(&self) -> bool {
        self.status == 200 || self.status == 201
    }

    fn commit(&self) -> String {
        let answer: Value = serde_json::from_str(&self.answer).unwrap_or_else(|err| panic!("{err}: {self:#?}"));
        answer["commit"].as_str().unwrap_or_else(|| panic!("no commit in {self:#?}")).to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_racing_api_saves_lose_nothing() {
    let wiki = Arc::new(managed_wiki().await);
    let seed_commits = wiki.commit_count();

    // Pages the API updates during the race, one client each, with If-Match of the version it read.
    let mut update_bases = Vec::new();
    for n in 0..N_UPDATES {
        let path = format!("race/update-{n}.md");
        let reply =
            wiki.put_page(&path, &json!({"markdown": format!("# Update {n}\n\nBefore the race.\n")}), None).await;
        assert_eq!(reply.status, 201, "{path}: {}", reply.text());
        update_bases.push(reply.json()["blob"].as_str().expect("a blob").to_string());
    }
    let mut writers = Vec::new();
    for _ in 0..N_PUSHERS {
        writers.push(WriterClone::of(&wiki).await);
    }

    let mut pushers = Vec::new();
    for (n, writer) in writers.into_iter().enumerate() {
        let wiki = wiki.clone();
        pushers.push(tokio::spawn(async move { push_until_accepted(&wiki, writer, n).await }));
    }
    let mut savers = Vec::new();
    for n in 0..N_CREATES {
        let wiki = wiki.clone();
        let path = format!("race/page-{n}.md");
        let markdown = format!("# Race page {n}\n\nCreated through the API during the race.\n");
        savers.push(tokio::spawn(async move { save(&wiki, path, markdown, None).await }));
    }
    for (n, base) in update_bases.into_iter().enumerate() {
        let wiki = wiki.clone();
        let path = format!("race/update-{n}.md");
        let markdown = format!("# Update {n}\n\nUpdated through the API during the race.\n");
        savers.push(tokio::spawn(async move { save(&wiki, path, markdown, Some(base)).await }));
    }
    let mut pushes = Vec::new();
    for pusher in pushers {
        pushes.push(pusher.await.expect("a pusher finished"));
    }
    let mut saves = Vec::new();
    for saver in savers {
        saves.push(saver.await.expect("a saver finished"));
    }

    let n_rejections: usize = pushes.iter().map(|it| it.rejections.len()).sum();
    eprintln!("{n_rejections} push rejections during the race");
    // A push that lost the race gets git's own rejection: the branch moved (seen by the client, or at the
    // server's ref update), never a complaint about its content.
    for push in &pushes {
        for rejection in &push.rejections {
            assert!(
                ["(fetch first)", "(non-fast-forward)", "(failed to update ref)"]
                    .iter()
                    .any(|it| rejection.contains(it)),
                "a push that lost the race was rejected for another reason ({}):\n{rejection}",
                push.path
            );
        }
    }

    // Every acknowledged change is in the final tree.
    let head = wiki.head();
    for push in pushes.iter().filter(|it| it.accepted_commit.is_some()) {
        assert_eq!(wiki.file_at_head(&push.path), push.content.trim_end(), "{}", push.path);
    }
    for save in saves.iter().filter(|it| it.acknowledged()) {
        assert_eq!(wiki.file_at_head(&save.path), save.markdown.trim_end(), "{}", save.path);
    }

    // And in history: an ancestor of the head, listed in the file's history.
    let acknowledged: Vec<(String, String)> = pushes
        .iter()
        .filter_map(|it| it.accepted_commit.clone().map(|commit| (it.path.clone(), commit)))
        .chain(saves.iter().filter(|it| it.acknowledged()).map(|it| (it.path.clone(), it.commit())))
        .collect();
    for (path, commit) in &acknowledged {
        assert!(is_ancestor(&wiki, commit, &head), "{path}: {commit} is not in the branch's history");
        wait_for_history(&wiki, path, commit, PATIENCE).await;
    }
    let n_merges = wiki.git(&["rev-list", "--count", "--min-parents=2", &wiki.branch_ref]);
    assert_eq!(n_merges, "0", "pushes were rebased and saves rebuilt: no merge commits");
    assert_eq!(
        wiki.commit_count(),
        seed_commits + N_UPDATES + acknowledged.len(),
        "the history holds the seed, the pre-race pages and exactly one commit per acknowledged change"
    );
    wiki.git(&["fsck", "--strict", "--no-progress"]);

    // Nothing may be lost: a push that lost the race is pulled and pushed again until it lands, and a
    // save that lost the race is rebuilt on the new head.
    let failed_pushes: Vec<&PushRecord> = pushes.iter().filter(|it| it.accepted_commit.is_none()).collect();
    assert!(failed_pushes.is_empty(), "pushes never accepted: {failed_pushes:#?}");
    let failed_saves: Vec<&SaveRecord> = saves.iter().filter(|it| !it.acknowledged()).collect();
    assert!(failed_saves.is_empty(), "saves not acknowledged: {failed_saves:#?}");
    for save in &saves {
        let expected = if save.path.contains("update-") { 200 } else { 201 };
        assert_eq!(save.status, expected, "{save:#?}");
    }
}

/// Adds the pusher's own file, commits and pushes; after each rejection pulls with rebase and pushes again.
async fn push_until_accepted(wiki: &TestWiki, writer: WriterClone, n: usize) -> PushRecord {
    let path = format!("race/pushed-{n}.md");
    let content = format!("# Pushed {n}\n\nPushed from clone {n} during the race.\n");
    writer.write(&path, &content);
    writer.commit(&format!("Push {n} during the race")).await;
    let mut rejections = Vec::new();
    for _ in 0..MAX_PUSH_ATTEMPTS {
        let push = writer.push(wiki).await;
        if push.success {
            let accepted = writer.git(&["rev-parse", "HEAD"]).await;
            return PushRecord { path, content, accepted_commit: Some(accepted), rejections };
        }
        rejections.push(push.stderr);
        writer.pull().await;
    }
    PushRecord { path, content, accepted_commit: None, rejections }
}

/// `PUT /-/api/pages/<path>`, recorded.
async fn save(wiki: &TestWiki, path: String, markdown: String, base: Option<String>) -> SaveRecord {
    let body = json!({
        "markdown": markdown,
        "message": format!("Save {path} during the race"),
        "author": {"name": "Browser Writer", "email": "browser@example.com"},
    });
    let reply = wiki.put_page(&path, &body, base.as_deref()).await;
    SaveRecord { path, markdown, status: reply.status, answer: reply.text() }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// Lore's installed hooks must run the real `lore` binary, not the test binary running these tests.
fn run_hooks_with_lore(config: &mut Config) {
    config.lore_binary = Some(PathBuf::from(env!("CARGO_BIN_EXE_lore")));
}

/// A managed wiki (a bare repository seeded with the starter content) whose hooks run `lore`, once its
/// history and search indexes are built.
async fn managed_wiki() -> TestWiki {
    let wiki = TestWiki::managed_with(run_hooks_with_lore).await;
    wait_until_indexed(&wiki).await;
    wiki
}

/// Serves the existing repository at `repo` (with a data folder of its own) with hooks that run `lore`.
async fn serve_repo(repo: &Path, configure: impl FnOnce(&mut Config)) -> TestWiki {
    let repo = repo.to_path_buf();
    let wiki = TestWiki::managed_with(move |config| {
        config.repo = Some(repo);
        run_hooks_with_lore(config);
        configure(config);
    })
    .await;
    wait_until_indexed(&wiki).await;
    wiki
}

/// A bare repository holding `files`, served; the fixture owns the repository's folder, so keep it.
async fn bare_wiki_with(files: &[(&str, &str)], configure: impl FnOnce(&mut Config)) -> (Fixture, TestWiki) {
    let fixture = Fixture::with_files(files);
    let bare = fixture.bare_clone();
    let wiki = serve_repo(&bare, configure).await;
    (fixture, wiki)
}

/// Waits until the change index is built and search has caught up with the branch.
async fn wait_until_indexed(wiki: &TestWiki) {
    wiki.wait_for_history_index().await;
    let reply = wiki
        .get_until("/-/api/search?q=wiki", |it| it.status == 200 && it.json()["indexing"] == Value::Bool(false))
        .await;
    assert_eq!(reply.json()["indexing"], false, "search did not catch up within {PATIENCE:?}: {}", reply.text());
}

/// Runs blocking work (git, the `lore` binary) off the runtime, so the in-process server keeps serving.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.expect("the blocking task finished")
}

/// What a finished `git` command printed.
#[derive(Debug)]
struct GitOutput {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `git args` in `dir` on a blocking thread.
async fn run_git(dir: &Path, args: &[&str]) -> GitOutput {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|it| it.to_string()).collect();
    blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = git_command(&dir, &args).output().expect("git is installed");
        GitOutput {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
}

/// Runs `git args` in `dir` with `input` on standard input; panics when it fails, else returns its output.
#[track_caller]
fn git_with_input(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = git_command(dir, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git is installed");
    child.stdin.take().expect("stdin is piped").write_all(input.as_bytes()).expect("write to git");
    let output = child.wait_with_output().expect("git finishes");
    assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `n` bytes that do not compress (xorshift), the same in every run.
fn pseudo_random_bytes(n: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut res = Vec::with_capacity(n);
    while res.len() < n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        res.extend_from_slice(&state.to_le_bytes());
    }
    res.truncate(n);
    res
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) {}

/// A writer's clone of the wiki, in a temporary folder of its own.
struct WriterClone {
    _dir: TempDir,
    work_tree: PathBuf,
}

impl WriterClone {
    /// Clones the wiki over HTTP: `git clone http://HOST:PORT/wiki.git`.
    async fn of(wiki: &TestWiki) -> WriterClone {
        WriterClone::of_url(&wiki.url("/wiki.git")).await
    }

    /// Clones `url`, which may also be a path on this machine.
    async fn of_url(url: &str) -> WriterClone {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let clone = run_git(dir.path(), &["clone", "--quiet", url, "work"]).await;
        assert!(clone.success, "git clone {url} failed:\n{}{}", clone.stdout, clone.stderr);
        let work_tree = dir.path().join("work");
        WriterClone { _dir: dir, work_tree }
    }

    /// Writes a file into the work tree.
    fn write(&self, path: &str, content: impl AsRef<[u8]>) {
        let full = self.work_tree.join(path);
        std::fs::create_dir_all(full.parent().expect("a file has a folder")).expect("create folders");
        std::fs::write(full, content).expect("write a file");
    }

    /// Reads a file from the work tree.
    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.work_tree.join(path)).unwrap_or_else(|err| panic!("read {path}: {err}"))
    }

    /// Runs git in the work tree and panics when it fails; returns its trimmed output.
    async fn git(&self, args: &[&str]) -> String {
        let output = self.git_output(args).await;
        assert!(output.success, "git {args:?} failed:\n{}{}", output.stdout, output.stderr);
        output.stdout.trim().to_string()
    }

    /// Runs git in the work tree.
    async fn git_output(&self, args: &[&str]) -> GitOutput {
        run_git(&self.work_tree, args).await
    }

    /// Commits everything in the work tree as Ann; returns the commit id.
    async fn commit(&self, message: &str) -> String {
        self.git(&["add", "--all"]).await;
        let name = format!("user.name={}", ANN.name);
        let email = format!("user.email={}", ANN.email);
        self.git(&["-c", &name, "-c", &email, "commit", "--quiet", "-m", message]).await;
        self.git(&["rev-parse", "HEAD"]).await
    }

    /// Amends the last commit with everything in the work tree, as Ann; returns the new commit id.
    async fn amend(&self, message: &str) -> String {
        self.git(&["add", "--all"]).await;
        let name = format!("user.name={}", ANN.name);
        let email = format!("user.email={}", ANN.email);
        self.git(&["-c", &name, "-c", &email, "commit", "--quiet", "--amend", "-m", message]).await;
        self.git(&["rev-parse", "HEAD"]).await
    }

    /// Pushes HEAD to the served branch.
    async fn push(&self, wiki: &TestWiki) -> GitOutput {
        self.git_output(&["push", "origin", &format!("HEAD:{}", wiki.branch_ref)]).await
    }

    /// Pushes HEAD to the served branch and panics when the push is rejected.
    async fn push_ok(&self, wiki: &TestWiki) {
        let push = self.push(wiki).await;
        assert!(push.success, "the push was rejected:\n{}{}", push.stdout, push.stderr);
    }

    /// Writes `content` as a blob into the clone's object store; returns its id.
    async fn hash_blob(&self, content: &str) -> String {
        let work_tree = self.work_tree.clone();
        let content = content.to_string();
        blocking(move || git_with_input(&work_tree, &["hash-object", "-w", "--stdin"], &content)).await
    }

    /// Writes a tree object holding exactly `entries` (mode, name, id), in the order given, as raw bytes:
    /// git's own tools refuse to build malformed trees, so the object is hashed with `--literally`.
    async fn raw_tree(&self, entries: &[(&str, &str, &str)]) -> String {
        let mut bytes = Vec::new();
        for (mode, name, id) in entries {
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            bytes.extend((0..id.len()).step_by(2).map(|i| u8::from_str_radix(&id[i..i + 2], 16).expect("a hex id")));
        }
        let file = self._dir.path().join(format!("tree-{}", entries.len()));
        std::fs::write(&file, bytes).expect("write the tree's bytes");
        let file = file.to_string_lossy().into_owned();
        self.git(&["hash-object", "-t", "tree", "--literally", "-w", &file]).await
    }

    /// The root tree of HEAD with `extra` entries added, all in git's order (a well-sorted tree, malformed only
    /// by what `extra` holds).
    async fn root_tree_with(&self, extra: &[(&str, &str, &str)]) -> String {
        let listing = self.git(&["ls-tree", "HEAD"]).await;
        let mut entries: Vec<(String, String, String)> = listing
            .lines()
            .map(|line| {
                let (meta, name) = line.split_once('\t').expect("mode type id<TAB>name");
                let fields: Vec<&str> = meta.split(' ').collect();
                // ls-tree pads folder modes to 040000; a tree object stores 40000.
                (fields[0].trim_start_matches('0').to_string(), name.to_string(), fields[2].to_string())
            })
            .collect();
        entries.extend(extra.iter().map(|(mode, name, id)| (mode.to_string(), name.to_string(), id.to_string())));
        // git's order: by name, a folder's name compared as if it ended in `/`.
        entries.sort_by_key(|(mode, name, _)| if mode == "40000" { format!("{name}/") } else { name.clone() });
        let borrowed: Vec<(&str, &str, &str)> =
            entries.iter().map(|(mode, name, id)| (mode.as_str(), name.as_str(), id.as_str())).collect();
        self.raw_tree(&borrowed).await
    }

    /// A commit of `tree` on HEAD, as Ann (HEAD itself does not move); returns its id.
    async fn commit_tree(&self, tree: &str, message: &str) -> String {
        let name = format!("user.name={}", ANN.name);
        let email = format!("user.email={}", ANN.email);
        self.git(&["-c", &name, "-c", &email, "commit-tree", tree, "-p", "HEAD", "-m", message]).await
    }

    /// Pushes `commit` to the served branch.
    async fn push_commit(&self, wiki: &TestWiki, commit: &str) -> GitOutput {
        self.git_output(&["push", "origin", &format!("{commit}:{}", wiki.branch_ref)]).await
    }

    /// `git pull --rebase`, as Ann.    /// `git pull --rebase`, as Ann.
    async fn pull(&self) {
        let name = format!("user.name={}", ANN.name);
        let email = format!("user.email={}", ANN.email);
        self.git(&["-c", &name, "-c", &email, "pull", "--quiet", "--rebase"]).await;
    }
}

/// Asserts that a push failed and that git's output says `expected`.
#[track_caller]
fn assert_rejected(push: &GitOutput, expected: &str) {
    assert!(!push.success, "the push was accepted:\n{}{}", push.stdout, push.stderr);
    assert!(push.stderr.contains(expected), "the rejection does not say {expected:?}:\n{}", push.stderr);
}

/// Asserts that the served branch is still at `head`, that the repository is intact, and that the rejected
/// commit did not even reach the object store.
#[track_caller]
fn assert_nothing_landed(wiki: &TestWiki, head: &str, rejected_commit: &str) {
    wiki.assert_untouched(head);
    let git_dir = format!("--git-dir={}", wiki.git_dir.display());
    let found = git_command(wiki.root(), &[&git_dir, "cat-file", "-e", rejected_commit]).output().expect("git runs");
    assert!(!found.status.success(), "the rejected commit {rejected_commit} is in the served repository");
}

/// Whether `commit` is `head` or one of its ancestors in the served repository.
fn is_ancestor(wiki: &TestWiki, commit: &str, head: &str) -> bool {
    let git_dir = format!("--git-dir={}", wiki.git_dir.display());
    git_command(wiki.root(), &[&git_dir, "merge-base", "--is-ancestor", commit, head])
        .status()
        .expect("git runs")
        .success()
}

/// `GET path` again and again until `done` holds or `deadline` has passed; returns the last answer.
async fn poll(wiki: &TestWiki, path: &str, deadline: Duration, done: impl Fn(&Reply) -> bool) -> Reply {
    let started = Instant::now();
    loop {
        let reply = wiki.get(path).await;
        if done(&reply) || started.elapsed() > deadline {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the page at `url` renders with `text` in it.
async fn wait_for_page(wiki: &TestWiki, url: &str, text: &str, deadline: Duration) -> Reply {
    let reply = poll(wiki, url, deadline, |it| it.status == 200 && it.text().contains(text)).await;
    assert_eq!(reply.status, 200, "{url} is not served within {deadline:?}: {}", reply.text());
    assert!(reply.text().contains(text), "{url} does not show {text:?} within {deadline:?}");
    reply
}

/// The commit ids in a `/-/api/history/<path>` answer.
fn history_commits(history: &Value) -> Vec<String> {
    history["commits"]
        .as_array()
        .map(|it| it.iter().filter_map(|row| row["commit"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Waits until `/-/api/history/<path>` lists `commit`; returns the history.
async fn wait_for_history(wiki: &TestWiki, path: &str, commit: &str, deadline: Duration) -> Value {
    let url = format!("/-/api/history/{path}?limit=500");
    let listed = |reply: &Reply| {
        reply.status == 200
            && serde_json::from_slice::<Value>(&reply.body)
                .is_ok_and(|it| history_commits(&it).iter().any(|c| c == commit))
    };
    let reply = poll(wiki, &url, deadline, listed).await;
    assert!(
        listed(&reply),
        "the history of {path} does not list {commit} within {deadline:?}: {} {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

/// The paths of the hits of `/-/api/search?q=<query>`.
fn hit_paths(reply: &Reply) -> Vec<String> {
    serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|it| it["hits"].as_array().cloned())
        .map(|hits| hits.iter().filter_map(|hit| hit["path"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Waits until searching for `query` finds `path`.
async fn wait_for_search_hit(wiki: &TestWiki, query: &str, path: &str, deadline: Duration) {
    let url = format!("/-/api/search?q={query}&limit=100");
    let reply = poll(wiki, &url, deadline, |it| it.status == 200 && hit_paths(it).iter().any(|p| p == path)).await;
    assert!(
        hit_paths(&reply).iter().any(|p| p == path),
        "searching {query:?} does not find {path} within {deadline:?}: {}",
        reply.text()
    );
}

/// Waits until searching for `query` no longer finds `path`.
async fn wait_for_search_miss(wiki: &TestWiki, query: &str, path: &str, deadline: Duration) {
    let url = format!("/-/api/search?q={query}&limit=100");
    let reply = poll(wiki, &url, deadline, |it| it.status == 200 && !hit_paths(it).iter().any(|p| p == path)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        !hit_paths(&reply).iter().any(|p| p == path),
        "searching {query:?} still finds {path} after {deadline:?}: {}",
        reply.text()
    );
}
