//! Questions and changes reach people (issue 14): follows, the inbox, mentions and experts, end to end through
//! the real server. Events come from commits, so browser saves, the API and pushes reach inboxes alike; nobody
//! hears of their own actions or of what they may not read; a crash loses and repeats nothing.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::accounts::{Account, EDDIE, HARRIET, LocalWiki, RITA, api, folder_rules, serve_local, small_fixture};
use crate::common::*;

const RAY: Account = Account {
    username: "ray",
    name: "Ray Reader",
    email: "ray@example.com",
    role: lore::auth::Role::Reader,
    groups: &[],
};

/// The inbox of `account` once it holds an item `wanted` accepts; panics after [`PATIENCE`].
async fn inbox_until(local: &LocalWiki, account: Account, wanted: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let reply = api(&local.wiki, "GET", "/-/api/inbox", Some(local.token(account)), None, &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let inbox = reply.json();
        if inbox["items"].as_array().is_some_and(|items| items.iter().any(&wanted)) {
            return inbox;
        }
        assert!(started.elapsed() < PATIENCE, "{}'s inbox never held the item: {inbox}", account.username);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The inbox of `account` as it is now.
async fn inbox_now(local: &LocalWiki, account: Account) -> Value {
    api(&local.wiki, "GET", "/-/api/inbox", Some(local.token(account)), None, &[]).await.json()
}

async fn follow(local: &LocalWiki, account: Account, kind: &str, target: &str) -> Reply {
    let body = json!({"kind": kind, "target": target});
    api(&local.wiki, "POST", "/-/api/follows", Some(local.token(account)), Some(&body), &[]).await
}

async fn save(local: &LocalWiki, account: Account, path: &str, markdown: &str) -> Reply {
    let blob = local.wiki.git(&["rev-parse", &format!("{}:{path}.md", local.wiki.branch_ref)]);
    let if_match = format!("\"{blob}\"");
    let headers: Vec<(&str, &str)> =
        if blob.starts_with("fatal") || blob.is_empty() { Vec::new() } else { vec![("If-Match", &if_match)] };
    let body = json!({ "markdown": markdown });
    api(&local.wiki, "PUT", &format!("/-/api/pages/{path}"), Some(local.token(account)), Some(&body), &headers).await
}

/// Waits until the notifier has read every commit up to the served head: the state store's cursor says so.
async fn wait_for_notifier(local: &LocalWiki) {
    let started = Instant::now();
    let head = local.wiki.head();
    loop {
        let state = lore::state::StateStore::open(&local.wiki.data_dir()).expect("the state database opens");
        if state.meta("notify_cursor").expect("the cursor reads").as_deref() == Some(head.as_str()) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "the notifier never reached {head}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn has(kind: &'static str, actor: &'static str) -> impl Fn(&Value) -> bool {
    move |item| item["event"] == kind && item["actor"]["email"] == actor
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_begins_notifying_at_its_head_before_it_answers_a_request() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    // No waiting for the notifier: its first round waits for the change index, and a save made before it
    // (the delivery test's first save, now and then) was never told to anyone.
    let state = lore::state::StateStore::open(&local.wiki.data_dir()).expect("the state database opens");
    let cursor = state.meta("notify_cursor").expect("the cursor reads");
    assert_eq!(cursor.as_deref(), Some(local.wiki.head().as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_reaches_the_followers_inbox_and_not_the_authors() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    wait_for_notifier(&local).await;
    let reply = follow(&local, RITA, "page", "pub/page").await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(follow(&local, RITA, "page", "pub/page.md").await.status, 200, "following again changes nothing");

    let reply = save(&local, EDDIE, "pub/page", "# Public page\n\nThe rota moved to Tuesdays.\n").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let inbox = inbox_until(&local, RITA, has("page_changed", EDDIE.email)).await;
    let item = &inbox["items"][0];
    assert_eq!(item["title"], "Public page");
    assert_eq!(item["url"], "/pub/page");
    assert_eq!(item["read"], false);
    assert!(item["summary"].as_str().unwrap_or_default().contains("Tuesdays"), "{item}");
    assert_eq!(inbox["unread"], 1);

    // Eddie hears nothing of his own save, and follows the page he edited from now on.
    wait_for_notifier(&local).await;
    assert_eq!(inbox_now(&local, EDDIE).await["items"], json!([]), "the author heard of his own save");
    let follows = api(&local.wiki, "GET", "/-/api/follows", Some(local.token(EDDIE)), None, &[]).await.json();
    assert_eq!(follows["follows"][0]["kind"], "page", "{follows}");
    assert_eq!(follows["follows"][0]["target"], "pub/page.md");
    assert_eq!(follows["follows"][0]["auto"], true);

    // Marking read, then mark all read.
    let id = item["id"].as_str().unwrap_or_default().to_string();
    let reply =
        api(&local.wiki, "POST", "/-/api/inbox/read", Some(local.token(RITA)), Some(&json!({"ids": [id]})), &[]).await;
    assert_eq!(reply.json()["unread"], 0, "{}", reply.text());
    let unread = api(&local.wiki, "GET", "/-/api/inbox/unread", Some(local.token(RITA)), None, &[]).await;
    assert_eq!(unread.json()["unread"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_within_ten_minutes_gather_into_one_item() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    wait_for_notifier(&local).await;
    assert_eq!(follow(&local, RITA, "page", "pub/page").await.status, 201);
    for n in 1..=3 {
        let reply = save(&local, EDDIE, "pub/page", &format!("# Public page\n\nVersion {n}.\n")).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    wait_for_notifier(&local).await;
    let inbox = inbox_until(&local, RITA, has("page_changed", EDDIE.email)).await;
    let items = inbox["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "three quick edits, one item: {inbox}");
    assert_eq!(items[0]["n_events"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_reaches_folder_followers_like_a_save() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    wait_for_notifier(&local).await;
    assert_eq!(follow(&local, RITA, "folder", "pub/").await.status, 201);
    // A commit pushed with git, by someone with no account at all.
    let clone = tempfile::tempdir().expect("a folder for the clone");
    let work = clone.path().join("work");
    let bare = local.wiki.git_dir.display().to_string();
    git_in(clone.path(), &["clone", "--quiet", &bare, "work"]);
    std::fs::write(work.join("pub/runbook.md"), "# Runbook\n\nStep one: breathe.\n").expect("write the page");
    git_in(&work, &["add", "."]);
    git_in(&work, &["-c", "user.name=Pat Pusher", "-c", "user.email=pat@example.com", "commit", "-q", "-m", "Runbook"]);
    let branch = local.wiki.branch_ref.trim_start_matches("refs/heads/").to_string();
    git_in(&work, &["push", "--quiet", "origin", &format!("HEAD:{branch}")]);
    let inbox = inbox_until(&local, RITA, has("page_created", "pat@example.com")).await;
    let item = inbox["items"].as_array().and_then(|it| it.iter().find(|it| it["event"] == "page_created")).cloned();
    let item = item.expect("the item");
    assert_eq!(item["title"], "Runbook");
    assert_eq!(item["url"], "/pub/runbook");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_reaches_the_person_named_and_code_mentions_nobody() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA, RAY], |_| {}).await;
    wait_for_notifier(&local).await;
    let text = "# Public page\n\nThanks @rita for the rota. Also `@ray` in code.\n";
    assert_eq!(save(&local, EDDIE, "pub/page", text).await.status, 200);
    let inbox = inbox_until(&local, RITA, has("mentioned", EDDIE.email)).await;
    assert_eq!(inbox["items"][0]["url"], "/pub/page");
    // The page links the mention to Rita's person page, by her account name.
    let page = api(&local.wiki, "GET", "/pub/page", Some(local.token(EDDIE)), None, &[]).await;
    assert!(page.text().contains("<a class=\"mention\" href=\"/-/people/@rita\""), "{}", page.text());
    let person = api(&local.wiki, "GET", "/-/people/@rita", Some(local.token(EDDIE)), None, &[]).await;
    assert_eq!(person.status, 303, "{}", person.text());
    assert_eq!(person.header("location").as_deref(), Some("/-/people/rita%40example%2Ecom"));
    wait_for_notifier(&local).await;
    assert_eq!(inbox_of(&local, RAY).await, json!([]), "a mention inside code reached someone");
    // The same mention saved again is not news.
    let again = "# Public page\n\nThanks @rita for the rota, again. Also `@ray` in code.\n";
    assert_eq!(save(&local, EDDIE, "pub/page", again).await.status, 200);
    wait_for_notifier(&local).await;
    let mentions = inbox_now(&local, RITA).await["items"]
        .as_array()
        .map_or(0, |items| items.iter().filter(|it| it["event"] == "mentioned").count());
    assert_eq!(mentions, 1, "an old mention notified again");
}

async fn inbox_of(local: &LocalWiki, account: Account) -> Value {
    inbox_now(local, account).await["items"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_question_reaches_the_people_who_know_the_answer() {
    let fixture = small_fixture();
    // Harriet wrote the deployment runbook; Eddie asks about deployments.
    fixture.write(
        "ops/deploy.md",
        "# Deploying the billing service\n\nThe billing service deploys with the blue-green runbook.\n\
         Run the canary first, then switch the billing traffic.\n",
    );
    fixture.commit(Author { name: HARRIET.name, email: HARRIET.email }, "Deployment runbook");
    let local = serve_local(fixture, &[EDDIE, HARRIET, RITA], |_| {}).await;
    crate::accounts::wait_until_indexed(&local.wiki, local.token(HARRIET)).await;
    wait_for_notifier(&local).await;
    let question = json!({"title": "How do I deploy the billing service?", "body": "Is there a runbook?"});
    let reply = api(&local.wiki, "POST", "/-/api/questions", Some(local.token(EDDIE)), Some(&question), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let inbox = inbox_until(&local, HARRIET, has("question_for_you", EDDIE.email)).await;
    assert_eq!(inbox["items"][0]["reason"], "expert");
    assert!(inbox["items"][0]["url"].as_str().unwrap_or_default().starts_with("/questions/"), "{inbox}");
    wait_for_notifier(&local).await;
    assert!(
        inbox_of(&local, EDDIE).await.as_array().is_none_or(|it| it.iter().all(|it| it["event"] != "question_for_you")),
        "the asker was asked"
    );
    assert_eq!(inbox_of(&local, RITA).await, json!([]), "someone who knows nothing was asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_question_goes_to_everyone_who_follows_its_tags_once() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA, RAY], |config| config.unanswered_after = "2s".into()).await;
    wait_for_notifier(&local).await;
    assert_eq!(follow(&local, RITA, "tag", "billing").await.status, 201);
    let question = json!({"title": "Who owns the invoice run?", "body": "Nobody knows.", "tags": ["billing"]});
    let reply = api(&local.wiki, "POST", "/-/api/questions", Some(local.token(EDDIE)), Some(&question), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    // Rita follows the tag: she hears of the question when it is asked, and again when it is still unanswered.
    inbox_until(&local, RITA, |item| item["event"] == "question_asked").await;
    let inbox = inbox_until(&local, RITA, |item| item["event"] == "question_for_you").await;
    let reminder = inbox["items"].as_array().and_then(|it| it.iter().find(|it| it["event"] == "question_for_you"));
    let reminder = reminder.expect("the reminder");
    assert!(reminder["summary"].as_str().unwrap_or_default().starts_with("Still unanswered"), "{reminder}");
    // Once: later sweeps find it delivered.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let items = inbox_of(&local, RITA).await;
    let n = items.as_array().map_or(0, |it| it.iter().filter(|it| it["event"] == "question_for_you").count());
    assert_eq!(n, 1, "{items}");
    assert_eq!(inbox_of(&local, RAY).await, json!([]), "someone who follows nothing was reminded");
    assert!(
        inbox_of(&local, EDDIE).await.as_array().is_none_or(|it| it.iter().all(|it| it["event"] != "question_for_you")),
        "the asker was reminded of his own question"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_hear_nothing_of_folders_they_may_not_read() {
    let fixture = small_fixture();
    fixture.write("hr/salaries.md", "# Salary bands\n\nThe zorblax bands.\n");
    fixture.commit(Author { name: HARRIET.name, email: HARRIET.email }, "Salary bands");
    let local = serve_local(fixture, &[HARRIET, RITA, EDDIE], |config| config.auth.rules = folder_rules()).await;
    wait_for_notifier(&local).await;
    // Someone who wrote only what Rita may not read is nobody she can follow.
    assert_eq!(follow(&local, RITA, "person", HARRIET.email).await.status, 400);
    assert_eq!(save(&local, HARRIET, "pub/page", "# Public page\n\nHarriet was here.\n").await.status, 200);
    wait_for_notifier(&local).await;
    // Rita follows everything, and Harriet herself; both reach into hr/.
    assert_eq!(follow(&local, RITA, "folder", "**").await.status, 201);
    assert_eq!(follow(&local, RITA, "person", HARRIET.email).await.status, 201);
    // Following a page one may not read is refused as if it did not exist.
    assert_eq!(follow(&local, RITA, "page", "hr/salaries").await.status, 404);
    assert_eq!(
        save(&local, HARRIET, "hr/salaries", "# Salary bands\n\nThe zorblax bands, raised.\n").await.status,
        200
    );
    assert_eq!(save(&local, HARRIET, "pub/page", "# Public page\n\nHarriet was here again.\n").await.status, 200);
    inbox_until(&local, RITA, |item| item["path"] == "pub/page.md").await;
    wait_for_notifier(&local).await;
    let items = inbox_of(&local, RITA).await;
    assert!(!items.to_string().contains("zorblax") && !items.to_string().contains("hr/"), "{items}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_link_on_a_shared_page_opens_the_persons_own_form() {
    let local = serve_local(small_fixture(), &[RITA], |_| {}).await;
    let mut browser = crate::common::browser::Browser::new(&local.wiki, "/-/login");
    let page = browser.get("/pub/page").await;
    // Anonymous readers see the link too (pages are shared); it leads through the login.
    assert!(page.text().contains("href=\"/-/follow?kind=page&amp;target=pub/page.md\""), "{}", page.text());
    let mut rita = <crate::common::browser::Browser as crate::accounts::Visitor>::logged_in(&local.wiki, RITA).await;
    let form = rita.get("/-/follow?kind=page&target=pub%2Fpage.md").await;
    assert_eq!(form.status, 200, "{}", form.text());
    let csrf = rita.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("kind", "page"), ("target", "pub/page.md"), ("action", "follow")];
    let reply = rita.post_form("/-/follow", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/pub/page"));
    let follows = api(&local.wiki, "GET", "/-/api/follows", Some(local.token(RITA)), None, &[]).await.json();
    assert_eq!(follows["follows"][0]["target"], "pub/page.md", "{follows}");
    assert_eq!(follows["follows"][0]["auto"], false);
    // Now the form offers to stop.
    let form = rita.get("/-/follow?kind=page&target=pub%2Fpage.md").await;
    assert!(form.text().contains("value=\"unfollow\""), "{}", form.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_follows_are_refused_and_change_nothing() {
    let local = serve_local(small_fixture(), &[RITA], |_| {}).await;
    for (kind, target, status) in [
        ("planet", "mars", 400),
        ("folder", "eng/[", 400),
        ("person", "nobody@example.com", 400),
        ("page", "", 400),
        ("page", "no/such/page/is/here", 201),
    ] {
        let reply = follow(&local, RITA, kind, target).await;
        assert_eq!(reply.status, status, "{kind} {target}: {}", reply.text());
    }
    let follows = api(&local.wiki, "GET", "/-/api/follows", Some(local.token(RITA)), None, &[]).await.json();
    assert_eq!(follows["follows"].as_array().map_or(0, Vec::len), 1, "{follows}");
    let reply = api(
        &local.wiki,
        "DELETE",
        "/-/api/follows",
        Some(local.token(RITA)),
        Some(&json!({"kind": "page", "target": "no/such/page/is/here"})),
        &[],
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_mode_says_following_needs_an_account() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let body = json!({"kind": "page", "target": "index"});
    let reply = wiki.send("POST", "/-/api/follows", &[("Content-Type", "application/json")], body.to_string()).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("open mode"), "{}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_mode_lists_no_empty_follow_item_among_the_page_actions() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n"), ("guide.md", "# Guide\n")]).await;
    let page = wiki.get("/guide").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    let actions = &html[html.find("class=\"page-actions\"").expect("page actions")..];
    let actions = &actions[..actions.find("</nav>").expect("the end of the page actions")];
    assert!(actions.contains("/-/history/guide.md"), "{actions}");
    assert!(!actions.contains("/-/follow"), "open mode has no one to follow for: {actions}");
    let items: Vec<&str> =
        actions.split("<li>").skip(1).map(|it| it.split("</li>").next().unwrap_or("").trim()).collect();
    assert!(items.iter().all(|it| !it.is_empty()), "an empty item among the page actions: {actions}");
}

/// `kill -9` during a storm of saves by five people whom twenty others follow: after a restart, every inbox
/// holds exactly one delivery per followed commit, checked against `git log`: no gaps, no duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_a_storm_of_saves_loses_and_repeats_nothing() {
    use lore::auth::{Accounts, NewUser, Role};
    let root = tempfile::tempdir().expect("a temporary folder");
    let data = root.path().join("data");
    std::fs::create_dir_all(&data).expect("the data folder");
    std::fs::write(root.path().join("lore.yaml"), "auth:\n  mode: local\n").expect("lore.yaml");
    let authors: Vec<String> = (0..5).map(|i| format!("author{i}")).collect();
    let followers: Vec<String> = (0..20).map(|i| format!("follower{i}")).collect();
    let mut tokens = std::collections::BTreeMap::new();
    {
        let accounts = Accounts::open(&data).expect("the account store");
        for name in authors.iter().chain(&followers) {
            let role = if name.starts_with("author") { Role::Editor } else { Role::Reader };
            let user = NewUser {
                username: name.clone(),
                name: format!("{name} Person"),
                email: format!("{name}@example.com"),
                role,
                groups: Vec::new(),
                password: None,
            };
            accounts.add_user(user).expect("an account");
            tokens.insert(name.clone(), accounts.create_token(name, "tests").expect("a token").1);
        }
    }
    let data_arg = data.display().to_string();
    let server = LoreProcess::serve(root.path(), &["--data", &data_arg]);
    let client = http_client();
    let base = server.base_url.clone();
    let cursor_is = |head: Option<String>| {
        let state = lore::state::StateStore::open(&data).expect("the state database");
        let cursor = state.meta("notify_cursor").expect("the cursor");
        cursor.is_some() && (head.is_none() || cursor == head)
    };
    let started = Instant::now();
    while !cursor_is(None) {
        assert!(started.elapsed() < PATIENCE, "the notifier never started:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let git_dir = data.join("wiki.git");
    let start_commit = git_in(root.path(), &["--git-dir", &git_dir.display().to_string(), "rev-parse", "HEAD"]);
    for follower in &followers {
        for author in &authors {
            // The authors have written nothing yet, so they are followed by the folder of their pages.
            let body = json!({"kind": "folder", "target": format!("{author}/")});
            let reply = client
                .post(format!("{base}/-/api/follows"))
                .bearer_auth(&tokens[follower])
                .json(&body)
                .send()
                .await
                .expect("a follow");
            assert_eq!(reply.status().as_u16(), 201, "{}", reply.text().await.unwrap_or_default());
        }
    }
    // The storm: each author saves their own pages; the server is killed when half the saves are in.
    let saved = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for author in authors.clone() {
        let (client, base, token, saved) = (client.clone(), base.clone(), tokens[&author].clone(), saved.clone());
        writers.push(tokio::spawn(async move {
            for n in 0..40 {
                let body = json!({"markdown": format!("# Page {n} of {author}\n\nSaved in the storm.\n")});
                let sent = client
                    .put(format!("{base}/-/api/pages/{author}/page-{n}"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(reply) if reply.status().is_success() => {
                        saved.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => return,
                }
            }
        }));
    }
    while saved.load(std::sync::atomic::Ordering::SeqCst) < 100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.stop();
    for writer in writers {
        let _ = writer.await;
    }
    let server = LoreProcess::serve(root.path(), &["--data", &data_arg]);
    let head = git_in(root.path(), &["--git-dir", &git_dir.display().to_string(), "rev-parse", "HEAD"]);
    let started = Instant::now();
    while !cursor_is(Some(head.clone())) {
        assert!(started.elapsed() < PATIENCE * 3, "the notifier never caught up after the restart:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every commit of the storm, as git tells it, by author e-mail.
    let range = format!("{start_commit}..{head}");
    let log = git_in(root.path(), &["--git-dir", &git_dir.display().to_string(), "log", "--format=%H %ae", &range]);
    let commits: Vec<(String, String)> =
        log.lines().filter_map(|it| it.split_once(' ')).map(|(c, a)| (c.to_string(), a.to_string())).collect();
    assert!(commits.len() >= 100, "the storm made {} commits", commits.len());
    let state = lore::state::StateStore::open(&data).expect("the state database");
    let mut expected: Vec<String> = commits.iter().map(|(commit, _)| commit.clone()).collect();
    expected.sort();
    for follower in &followers {
        let mut delivered = state.delivered_commits(follower).expect("the deliveries");
        delivered.sort();
        assert_eq!(delivered, expected, "{follower}'s inbox after the crash");
    }
    for author in &authors {
        let own: Vec<String> = state.delivered_commits(author).expect("the deliveries");
        assert!(own.is_empty(), "{author} heard of {} commits", own.len());
    }
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_hear_once_that_a_page_is_due_for_review_and_that_a_co_owner_left() {
    let fixture = small_fixture();
    let owned = "---\ntitle: Rota\nowners: [rita@example.com, Olga Owner <olga@example.com>]\nreview_every: 30d\n---\n\nWho is on call.\n";
    fixture.write("pub/rota.md", owned);
    fixture.write("hr/pay.md", "---\ntitle: Pay\nowners: [rita@example.com]\nreview_every: 30d\n---\n\nBands.\n");
    fixture.commit_dated(Author { name: EDDIE.name, email: EDDIE.email }, "Rota and pay", "60 days ago");
    let local = serve_local(fixture, &[EDDIE, RITA, RAY, HARRIET], |config| config.auth.rules = folder_rules()).await;
    wait_for_notifier(&local).await;

    // Rita owns the rota, which was last edited 60 days ago with a 30-day review period.
    let inbox = inbox_until(&local, RITA, |item| item["event"] == "review_due").await;
    let due: Vec<&Value> =
        inbox["items"].as_array().expect("items").iter().filter(|it| it["event"] == "review_due").collect();
    assert_eq!(due.len(), 1, "one reminder, and none for hr/ which Rita may not read: {inbox}");
    assert_eq!(due[0]["url"], "/pub/rota");
    assert_eq!(due[0]["title"], "Rota");
    assert!(due[0]["summary"].as_str().unwrap_or_default().starts_with("Due for review since"), "{inbox}");
    assert_eq!(follow(&local, RAY, "page", "pub/rota").await.status, 201);

    // Olga leaves: `people.yaml` says so, in a push like any other commit.
    let clone = tempfile::tempdir().expect("a folder for the clone");
    let work = clone.path().join("work");
    git_in(clone.path(), &["clone", "--quiet", &local.wiki.git_dir.display().to_string(), "work"]);
    let people = "people:\n  - email: olga@example.com\n    name: Olga Owner\n    status: departed\n";
    std::fs::write(work.join("people.yaml"), people).expect("write people.yaml");
    git_in(&work, &["add", "."]);
    git_in(
        &work,
        &["-c", "user.name=Ann Admin", "-c", "user.email=ann@example.com", "commit", "-q", "-m", "Olga left"],
    );
    let branch = local.wiki.branch_ref.trim_start_matches("refs/heads/").to_string();
    git_in(&work, &["push", "--quiet", "origin", &format!("HEAD:{branch}")]);

    // The remaining owner and the page's follower hear that it needs a new owner, from Olga.
    for account in [RITA, RAY] {
        let inbox = inbox_until(&local, account, |item| item["event"] == "owner_departed").await;
        let item = inbox["items"].as_array().and_then(|it| it.iter().find(|it| it["event"] == "owner_departed"));
        let item = item.expect("the item");
        assert_eq!(item["url"], "/pub/rota");
        assert_eq!(item["actor"]["email"], "olga@example.com");
        assert!(item["summary"].as_str().unwrap_or_default().contains("new owner"), "{item}");
    }
    // Later sweeps (the push moved the branch, and one more save moves it again) repeat nothing.
    assert_eq!(save(&local, EDDIE, "pub/page", "# Public page\n\nOne more.\n").await.status, 200);
    inbox_until(&local, RAY, |_| true).await;
    wait_for_notifier(&local).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let items = inbox_of(&local, RITA).await;
    let count = |kind: &str| items.as_array().map_or(0, |it| it.iter().filter(|it| it["event"] == kind).count());
    assert_eq!((count("review_due"), count("owner_departed")), (1, 1), "{items}");
    assert_eq!(inbox_of(&local, HARRIET).await, json!([]), "someone who owns and follows nothing heard of it");
    assert!(!items.to_string().contains("hr/"), "{items}");
}
