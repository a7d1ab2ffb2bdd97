//! Notification speed (issue 14), through the library: a question in a tag that 1,000 people follow reaches
//! all 1,000 inboxes (target ≤ 1 s); an inbox page out of 10,000 items (target p95 ≤ 5 ms); and what a save
//! costs with the notifier running (its work is off the request path).
//!
//! `cargo bench --bench notify` (release). Prints a table; figures go to docs/BENCHMARKS.md.

use std::sync::Arc;
use std::time::Instant;

use lore::auth::{Access, Auth, AuthConfig, AuthMode, NewUser, Role};
use lore::config::Config;
use lore::site::{PageEdit, Site};
use lore::state::{EventRecord, FollowRecord};
use lore::store::Person;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let auth_config = AuthConfig { mode: AuthMode::Local, ..AuthConfig::default() };
    let config = Config { data: data.clone(), auth: auth_config.clone(), ..Config::default() };
    let site = Arc::new(Site::open(config).expect("the site opens"));
    site.build_change_index().expect("the change index");
    let auth = Auth::open(&auth_config, &data).expect("the state database");

    // 1,000 followers of the tag `billing`, and one asker.
    let started = Instant::now();
    for i in 0..1_001 {
        let user = NewUser {
            username: format!("person{i}"),
            name: format!("Person {i}"),
            email: format!("person{i}@example.com"),
            role: Role::Editor,
            groups: Vec::new(),
            password: None,
        };
        auth.accounts.add_user(user).expect("an account");
    }
    auth.state
        .write(|tx| {
            for i in 1..1_001 {
                tx.follow(&FollowRecord {
                    username: format!("person{i}"),
                    kind: "tag".into(),
                    target: "billing".into(),
                    muted: false,
                    auto: false,
                    since: 0,
                })?;
            }
            Ok(())
        })
        .expect("the follows");
    println!("set-up: 1,001 accounts and 1,000 follows in {:?}", started.elapsed());
    site.notify_pending(&auth).expect("the cursor starts at the head");

    let asker = Person { name: "Person 0".into(), email: "person0@example.com".into() };
    let writer = site.writer(&Access::unrestricted(), asker.clone());
    let edit = PageEdit {
        path: lore::content::RepoPath::parse("questions/who-owns-billing.md").expect("a path"),
        markdown: "---\ntitle: Who owns billing?\ntags: [billing]\nstatus: open\n---\n\nAnyone?\n".into(),
        message: None,
        base_blob: None,
    };
    let saved = Instant::now();
    writer.save_page(&edit).expect("the question is saved");
    let save_time = saved.elapsed();
    let delivering = Instant::now();
    let delivered = site.notify_pending(&auth).expect("delivered");
    let delivery_time = delivering.elapsed();
    println!(
        "a question in a tag 1,000 people follow: saved in {save_time:?}, reached {delivered} inboxes in \
         {delivery_time:?} (target: 1,000 in ≤ 1 s)"
    );

    // One inbox of 10,000 items; its pages read as the API reads them.
    auth.state
        .write(|tx| {
            for i in 0..10_000 {
                let event = EventRecord {
                    id: format!("bench{i:05}"),
                    commit_id: format!("{i:040x}"),
                    kind: "page_changed".into(),
                    path: format!("pages/p{i}.md"),
                    title: format!("Page {i}"),
                    url: format!("/pages/p{i}"),
                    actor_name: "Person 0".into(),
                    actor_email: "person0@example.com".into(),
                    at: 1_700_000_000 + i,
                    summary: "Changed a line".into(),
                    tags: Vec::new(),
                };
                tx.insert_event(&event)?;
                tx.deliver("person1", &event, "follow:tag:billing", 0)?;
            }
            Ok(())
        })
        .expect("10,000 items");
    let mut samples = Vec::new();
    for round in 0..200 {
        let unread_only = round % 2 == 0;
        let started = Instant::now();
        let items = auth.state.inbox("person1", unread_only, 50, None).expect("a page");
        let unread = auth.state.unread_count("person1").expect("the count");
        samples.push(started.elapsed());
        assert!(items.len() == 50 && unread > 10_000);
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "inbox page of 50 and unread count over 10,000 items: p50 {:?}, p95 {:?}, max {:?} (target p95 ≤ 5 ms)",
        pct(0.5),
        pct(0.95),
        samples[samples.len() - 1]
    );
}
