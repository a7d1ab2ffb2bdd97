//! Knowledge stewardship end to end: owners and review dates on pages, the authorship index (lines still
//! standing per author), people pages, "who knows about this", the review radar and its feed, verifying a
//! page and handing a departed person's pages over.
//!
//! Every test serves its own copy of one story, committed with the `git` command line at controlled dates
//! (counted back from today, so review dates stay meaningful whenever the tests run):
//!
//! | days ago | who   | what                                                                        |
//! |----------|-------|-----------------------------------------------------------------------------|
//! | 300      | Carol | the failover runbook (owner Carol, `review_every: 30d`, verified that day)  |
//! |          |       | and the legacy VPN gateway page (owners Carol Keeper and network-team)      |
//! | 200      | Bob   | changes one line of the runbook                                             |
//! | 100      | Ann   | the two VPN pages                                                           |
//! | 60       | Ann   | onboarding, linking to the runbook and to a page that does not exist        |
//! | 50       | Bob   | changes two lines of the VPN access page and adds one                       |
//! | 40       | Ann   | printers (owner Frank, who is inactive)                                     |
//! | 30       | Erin  | asks why the printer is offline (never answered)                            |
//! | 20-18    | Erin, | asks how to reset a VPN token; Dave answers; Erin accepts                   |
//! |          | Dave  |                                                                             |
//! | 10       | Ann   | marks VPN troubleshooting verified (short form `DATE by NAME <EMAIL>`)      |
//! | 5        | Ann   | `people.yaml`: Carol departed, Frank inactive                               |
//!
//! A line counts for the commit that last wrote it (front matter lines included), so every figure below is
//! derived from the fixture texts.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::browser::Browser;
use crate::common::*;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The page a [`Browser`] of these tests opens for a CSRF token: the review radar sets the cookie.
const CSRF_PAGE: &str = "/-/review";

const CAROL: Author = Author { name: "Carol Keeper", email: "carol@example.com" };
const DAVE: Author = Author { name: "Dave Answer", email: "dave@example.com" };
const ERIN: Author = Author { name: "Erin Asker", email: "erin@example.com" };

const RUNBOOK: &str = "ops/failover-runbook.md";
const LEGACY: &str = "it/vpn-legacy.md";
const ACCESS: &str = "it/vpn-access.md";
const TROUBLE: &str = "it/vpn-troubleshooting.md";
const ONBOARDING: &str = "team/onboarding.md";
const PRINTERS: &str = "it/printers.md";
const PRINTER_QUESTION: &str = "questions/why-is-the-printer-offline.md";
const VPN_QUESTION: &str = "questions/how-do-i-reset-my-vpn-token.md";

/// The lines Bob changes in the VPN access page 50 days ago, and what they become.
const ACCESS_BOB_FROM: [&str; 2] =
    ["Install the WireGuard client from the software centre.", "Report slow connections in the network channel."];
const ACCESS_BOB_TO: [&str; 2] =
    ["Install the WireGuard client, version 2 or later.", "Report slow connections to the network team."];
const ACCESS_BOB_ADDED: &str = "The guest Wi-Fi blocks the VPN port; use the office network.";

/// The line Bob changes in the runbook 200 days ago.
const RUNBOOK_BOB_FROM: &str = "Check replication lag on the dashboard.";
const RUNBOOK_BOB_TO: &str = "Check replication lag with the lag-check script.";

/// The story's dates and texts, counted back from the moment the test starts.
struct Story {
    now: DateTime<Utc>,
}

impl Story {
    fn new() -> Story {
        Story { now: Utc::now() }
    }

    fn ago(&self, days: i64) -> DateTime<Utc> {
        self.now - Duration::days(days)
    }

    /// The calendar day (UTC) `days` ago, as front matter and the pages write it.
    fn day(&self, days: i64) -> String {
        self.ago(days).date_naive().to_string()
    }

    fn today(&self) -> String {
        Utc::now().date_naive().to_string()
    }

    fn stamp(&self, days: i64) -> String {
        self.ago(days).to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The day the runbook fell due: Bob's edit (200 days ago, later than its verification 300 days ago)
    /// plus its 30-day period.
    fn runbook_due(&self) -> String {
        (self.ago(200).date_naive() + Duration::days(30)).to_string()
    }

    fn answer_id(&self) -> String {
        format!("{}-dave", self.ago(19).format("%Y%m%dT%H%M%SZ"))
    }

    fn answer_path(&self) -> String {
        format!("questions/how-do-i-reset-my-vpn-token/{}.md", self.answer_id())
    }

    fn runbook_v1(&self) -> String {
        format!(
            "---\ntitle: Database failover runbook\ntags: [ops, database]\nowners: [carol@example.com]\n\
             review_every: 30d\nverified:\n  date: {}\n  by: Carol Keeper <carol@example.com>\n---\n\
             Promote the replica with pg_ctl promote.\n\
             Point the service address at the new primary.\n\
             {RUNBOOK_BOB_FROM}\n\
             Tell the on-call channel what you did.\n\
             Open an incident ticket with the timeline.\n\
             Schedule a rebuild of the old primary.\n\
             Update the status page when writes work again.\n\
             Write the post-mortem within a week.\n",
            self.day(300)
        )
    }

    fn runbook_v2(&self) -> String {
        self.runbook_v1().replace(RUNBOOK_BOB_FROM, RUNBOOK_BOB_TO)
    }

    fn legacy(&self) -> String {
        let mut res = String::from(
            "---\ntitle: Legacy VPN gateway\ntags: [vpn, legacy]\nowners: [Carol Keeper, network-team]\n---\n",
        );
        for i in 1..=40 {
            res.push_str(&format!("Gateway setting {i}: kept for the old VPN clients.\n"));
        }
        res
    }

    fn access_v1(&self) -> String {
        "---\ntitle: Getting VPN access\ntags: [vpn, networking]\nowners: [\"Ann Author <ann@example.com>\"]\n\
         review_every: 90d\n---\n\
         To get on the VPN you need an account and the client.\n\
         Ask the service desk for a VPN account.\n\
         Install the WireGuard client from the software centre.\n\
         Import the profile the service desk sends you.\n\
         Connect and check that the intranet loads.\n\
         The VPN drops idle sessions after eight hours.\n\
         Reconnect when the client says the handshake failed.\n\
         Split tunnelling is off: all traffic goes through the VPN.\n\
         Your VPN account expires when your contract ends.\n\
         Contractors need a sponsor to request an account.\n\
         The VPN address range is 10.8.0.0/16.\n\
         Printing over the VPN is not supported.\n\
         Video calls work better without the VPN.\n\
         Report slow connections in the network channel.\n"
            .to_string()
    }

    fn access_v2(&self) -> String {
        let res = self
            .access_v1()
            .replace(ACCESS_BOB_FROM[0], ACCESS_BOB_TO[0])
            .replace(ACCESS_BOB_FROM[1], ACCESS_BOB_TO[1]);
        format!("{res}{ACCESS_BOB_ADDED}\n")
    }

    fn trouble_v1(&self) -> String {
        "---\ntitle: VPN troubleshooting\ntags: [vpn]\nowners: [\"Bob Builder <bob@example.com>\"]\n\
         review_every: 6m\n---\n\
         If the VPN client cannot connect, check your internet connection first.\n\
         A handshake timeout usually means the profile is outdated.\n\
         Download a fresh profile from the self-service portal.\n\
         If DNS names do not resolve, disconnect and connect again.\n\
         Hotel networks sometimes block the VPN port.\n\
         Try the fallback port 443 in the client settings.\n\
         A certificate error means your laptop clock is wrong.\n\
         Slow transfers improve with a wired connection.\n\
         The client log lives in the application support folder.\n\
         Attach the client log when you open a ticket.\n\
         Two-factor prompts expire after one minute.\n\
         A locked account unlocks itself after fifteen minutes.\n\
         The service desk can reset the VPN account for you.\n\
         Outages are announced on the status page.\n"
            .to_string()
    }

    fn trouble_v2(&self) -> String {
        self.trouble_v1().replace(
            "review_every: 6m\n",
            &format!("review_every: 6m\nverified: {} by Ann Author <ann@example.com>\n", self.day(10)),
        )
    }

    fn onboarding(&self) -> String {
        "---\ntitle: Onboarding\ntags: [team]\n---\n\
         Read the [[Database failover runbook]] before your first on-call shift.\n\
         Then read the [[Team handbook]].\n\
         Ask your buddy anything.\n"
            .to_string()
    }

    fn printers(&self) -> String {
        "---\ntitle: Printers\ntags: [office]\nowners: [\"Frank Idle <frank@example.com>\"]\n---\n\
         When the printer is offline, restart it from the front panel.\n\
         Toner lives in the cupboard by the kitchen.\n"
            .to_string()
    }

    fn printer_question(&self) -> String {
        // Asked exactly 30 days before the test started, so the radar says "unanswered for 30 days".
        format!(
            "---\ntitle: Why is the printer offline?\ntags: [office]\nasked_by: Erin Asker <erin@example.com>\n\
             asked_at: {}\nstatus: open\n---\n\
             The printer on the second floor says offline since Monday.\n",
            self.stamp(30)
        )
    }

    fn vpn_question_v1(&self) -> String {
        format!(
            "---\ntitle: How do I reset my VPN token?\ntags: [vpn]\nasked_by: Erin Asker <erin@example.com>\n\
             asked_at: {}\nstatus: open\n---\n\
             My VPN token expired while I was travelling.\n",
            self.stamp(20)
        )
    }

    fn vpn_question_v2(&self) -> String {
        self.vpn_question_v1().replace("status: open\n", &format!("status: answered\naccepted: {}\n", self.answer_id()))
    }

    fn answer(&self) -> String {
        format!(
            "---\nauthor: Dave Answer <dave@example.com>\nanswered_at: {}\n---\n\
             Open the self-service portal and choose Reset VPN token.\n\
             The new token arrives by text message.\n\
             Reconnect the VPN client with the new token.\n",
            self.stamp(19)
        )
    }

    fn people_yaml(&self) -> String {
        format!(
            "people:\n  - email: carol@example.com\n    name: Carol Keeper\n    status: departed\n    since: {}\n\
             \x20 - email: frank@example.com\n    name: Frank Idle\n    status: inactive\n    since: {}\n",
            self.day(30),
            self.day(60)
        )
    }

    /// The repository, commit by commit.
    fn fixture(&self) -> Fixture {
        let fixture = Fixture::new();
        fixture.write(RUNBOOK, self.runbook_v1()).write(LEGACY, self.legacy());
        fixture.commit_at(CAROL, "Add the failover runbook and the legacy gateway", &self.stamp(300));
        fixture.write(RUNBOOK, self.runbook_v2());
        fixture.commit_at(BOB, "Use the lag-check script", &self.stamp(200));
        fixture.write(ACCESS, self.access_v1()).write(TROUBLE, self.trouble_v1());
        fixture.commit_at(ANN, "Write up the VPN", &self.stamp(100));
        fixture.write(ONBOARDING, self.onboarding());
        fixture.commit_at(ANN, "Onboarding", &self.stamp(60));
        fixture.write(ACCESS, self.access_v2());
        fixture.commit_at(BOB, "VPN client version and guest Wi-Fi", &self.stamp(50));
        fixture.write(PRINTERS, self.printers());
        fixture.commit_at(ANN, "Printers", &self.stamp(40));
        fixture.write(PRINTER_QUESTION, self.printer_question());
        fixture.commit_at(ERIN, "Ask: Why is the printer offline?", &self.stamp(30));
        fixture.write(VPN_QUESTION, self.vpn_question_v1());
        fixture.commit_at(ERIN, "Ask: How do I reset my VPN token?", &self.stamp(20));
        fixture.write(&self.answer_path(), self.answer());
        fixture.commit_at(DAVE, "Answer: How do I reset my VPN token?", &self.stamp(19));
        fixture.write(VPN_QUESTION, self.vpn_question_v2());
        fixture.commit_at(ERIN, "Accept an answer", &self.stamp(18));
        fixture.write(TROUBLE, self.trouble_v2());
        fixture.commit_at(ANN, "Verify VPN troubleshooting", &self.stamp(10));
        fixture.write("people.yaml", self.people_yaml());
        fixture.commit_at(ANN, "Carol has left, Frank is on leave", &self.stamp(5));
        fixture
    }

    /// Serves the story and waits until history, search and authorship are indexed.
    async fn serve(&self) -> TestWiki {
        let wiki = self.fixture().serve().await;
        wiki.wait_for_history_index().await;
        wiki.wait_for_search_index().await;
        wait_for_authorship(&wiki).await;
        wiki
    }

    // Expected figures, from the texts.

    /// Ann's lines on the VPN access page: all but the two Bob changed.
    fn ann_access(&self) -> usize {
        n_lines(&self.access_v1()) - 2
    }

    fn ann_vpn(&self) -> usize {
        self.ann_access() + n_lines(&self.trouble_v2())
    }

    fn ann_total(&self) -> usize {
        self.ann_vpn() + n_lines(&self.onboarding()) + n_lines(&self.printers())
    }

    fn carol_runbook(&self) -> usize {
        n_lines(&self.runbook_v1()) - 1
    }

    fn erin_vpn(&self) -> usize {
        n_lines(&self.vpn_question_v2())
    }
}

/// How many lines the authorship index counts in `text`.
fn n_lines(text: &str) -> usize {
    text.lines().count()
}

/// Waits until the authorship index is built (the people page stops saying it is being indexed).
async fn wait_for_authorship(wiki: &TestWiki) {
    let reply = wiki
        .get_until("/-/people", |it| it.status == 200 && !it.text().contains("Authorship is still being indexed"))
        .await;
    assert_eq!(reply.status, 200, "/-/people: {}", reply.text());
    assert!(
        !reply.text().contains("Authorship is still being indexed"),
        "the authorship index was not built within {PATIENCE:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Owners and review states on pages

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_owners_review_state_contributors_and_incoming_links() {
    let story = Story::new();
    let wiki = story.serve().await;

    // The runbook: Carol owns it and has left; due 30 days after Bob's edit, which is later than its
    // verification; Carol and Bob wrote it; onboarding links to it.
    let runbook = stewardship_box(&wiki, "/ops/failover-runbook").await;
    assert!(runbook.contains("Owners: carol@example.com"), "{runbook}");
    assert!(runbook.contains("carol@example.com left"), "a departed owner is flagged: {runbook}");
    assert!(runbook.contains(&format!("Needs review since {}", story.runbook_due())), "{runbook}");
    assert!(!runbook.contains("Verified by"), "a page past its review date says so, not who verified it: {runbook}");
    assert!(runbook.contains("2 contributors"), "{runbook}");
    assert!(runbook.contains("1 page links here"), "{runbook}");

    // Verified ten days ago (short form), every six months: current, and it says who verified it.
    let trouble = stewardship_box(&wiki, "/it/vpn-troubleshooting").await;
    assert!(trouble.contains("Owners: Bob Builder <bob@example.com>"), "{trouble}");
    assert!(trouble.contains(&format!("Verified by Ann Author on {}", story.day(10))), "{trouble}");
    assert!(!trouble.contains("Needs review"), "{trouble}");
    assert!(!trouble.contains(" left"), "no owner of this page has left: {trouble}");

    // Edited 50 days ago, every 90 days, never verified: neither due nor verified.
    let access = stewardship_box(&wiki, "/it/vpn-access").await;
    assert!(access.contains("Owners: Ann Author <ann@example.com>"), "{access}");
    assert!(!access.contains("Needs review"), "{access}");
    assert!(!access.contains("Verified"), "{access}");
    assert!(access.contains("2 contributors"), "Ann and Bob: {access}");
    assert!(access.contains("0 pages link here"), "{access}");

    let onboarding = stewardship_box(&wiki, "/team/onboarding").await;
    assert!(onboarding.contains("No owner"), "{onboarding}");
    assert!(onboarding.contains("1 contributor "), "{onboarding}");

    // Every page offers the one-click verification.
    let page = wiki.get("/it/vpn-access").await;
    assert!(has_link_to(&page.text(), "/-/verify/it/vpn-access.md"), "no Mark as verified link");
}

/// The text of a page's stewardship box (`aside.stewardship`).
async fn stewardship_box(wiki: &TestWiki, url: &str) -> String {
    let reply = wiki.get(url).await;
    assert_eq!(reply.status, 200, "{url}: {}", reply.text());
    elements(&reply.text(), "aside")
        .into_iter()
        .find(|it| it.classes().iter().any(|class| class == "stewardship"))
        .unwrap_or_else(|| panic!("{url} has no stewardship box:\n{}", reply.text()))
        .text()
}

// ---------------------------------------------------------------------------------------------------------
// The review radar

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radar_lists_exactly_the_pages_needing_attention_with_their_reasons() {
    let story = Story::new();
    let wiki = story.serve().await;
    let carol_left = json!({"reason": "top_author_departed", "name": CAROL.name, "email": CAROL.email});
    let expected: BTreeMap<String, Value> = [
        (
            RUNBOOK,
            json!([
                {"reason": "past_review_date", "since": story.runbook_due()},
                {"reason": "owner_departed", "owner": "carol@example.com"},
                carol_left,
            ]),
        ),
        (LEGACY, json!([{"reason": "owner_departed", "owner": "Carol Keeper"}, carol_left])),
        (PRINTERS, json!([{"reason": "owner_inactive", "owner": "Frank Idle <frank@example.com>"}])),
        (PRINTER_QUESTION, json!([{"reason": "unanswered", "days": 30}])),
        (ONBOARDING, json!([{"reason": "broken_links", "n": 1}])),
    ]
    .into_iter()
    .map(|(path, reasons)| (path.to_string(), reasons))
    .collect();

    let radar = review_json(&wiki, "/-/api/review").await;
    assert_eq!(reasons_by_path(&radar), expected, "{radar:#}");
    let item = |path: &str| radar["items"].as_array().unwrap().iter().find(|it| it["path"] == path).unwrap().clone();
    assert_eq!(item(RUNBOOK)["title"], "Database failover runbook");
    assert_eq!(item(RUNBOOK)["owners"], json!(["carol@example.com"]));
    assert_eq!(item(RUNBOOK)["url"], "/ops/failover-runbook");
    assert_eq!(item(LEGACY)["owners"], json!(["Carol Keeper", "network-team"]));
    assert_eq!(item(PRINTER_QUESTION)["kind"], "question");
    assert_eq!(item(ONBOARDING)["owners"], json!([]));

    // Each reason filters.
    for (reason, pages) in [
        ("review", vec![RUNBOOK]),
        ("owner", vec![RUNBOOK, LEGACY, PRINTERS]),
        ("author", vec![RUNBOOK, LEGACY]),
        ("unanswered", vec![PRINTER_QUESTION]),
        ("links", vec![ONBOARDING]),
    ] {
        let json = review_json(&wiki, &format!("/-/api/review?reason={reason}")).await;
        let found: BTreeSet<String> = item_paths(&json).into_iter().collect();
        let pages: BTreeSet<String> = pages.into_iter().map(str::to_string).collect();
        assert_eq!(found, pages, "?reason={reason}");
    }

    // By owner, and sorted.
    assert_eq!(item_paths(&review_json(&wiki, "/-/api/review?owner=frank").await), [PRINTERS]);
    assert_eq!(
        item_paths(&review_json(&wiki, "/-/api/review?sort=title").await),
        [RUNBOOK, LEGACY, ONBOARDING, PRINTERS, PRINTER_QUESTION],
        "by title"
    );
    assert_eq!(
        item_paths(&review_json(&wiki, "/-/api/review?sort=edited").await),
        [LEGACY, RUNBOOK, ONBOARDING, PRINTERS, PRINTER_QUESTION],
        "least recently edited first"
    );
    assert_eq!(item_paths(&review_json(&wiki, "/-/api/review?sort=reasons").await)[..2], [RUNBOOK, LEGACY]);

    // The radar page: every page with its reasons, a verify and an edit action, and the people who left.
    let reply = wiki.get("/-/review").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/review");
    let html = reply.text();
    for url in ["/ops/failover-runbook", "/it/vpn-legacy", "/it/printers", "/questions/why-is-the-printer-offline"] {
        assert!(has_link_to(&html, url), "the radar links to {url}");
    }
    assert!(has_link_to(&html, "/team/onboarding"), "the radar links to the page with a broken link");
    assert!(has_link_to(&html, "/-/verify/ops/failover-runbook.md"), "one-click verify");
    assert!(has_link_to(&html, "/-/edit/ops/failover-runbook.md"), "one-click edit");
    let text = text_of(&html);
    assert!(text.contains(&format!("needs review since {}", story.runbook_due())), "{text}");
    assert!(text.contains("unanswered for 30 days"), "{text}");
    assert!(text.contains("1 broken link"), "{text}");
    assert!(text.contains("most of it was written by Carol Keeper, who has left"), "{text}");
    assert!(text.contains("owner Frank Idle <frank@example.com> is inactive"), "{text}");
    assert!(has_link_to(&html, "/-/review?orphaned=1&person=carol%40example.com"), "hand-over link for Carol");
    let filtered = wiki.get("/-/review?reason=unanswered").await;
    assert_eq!(filtered.status, 200);
    assert!(has_link_to(&filtered.text(), "/questions/why-is-the-printer-offline"));
    assert!(!has_link_to(&filtered.text(), "/ops/failover-runbook"), "?reason=unanswered leaves the runbook out");
}

/// A handbook as many wikis start: nobody owns a page, nobody set a review date, and most pages were last
/// touched long ago. Nothing is overdue (there are no review dates), yet it is not well kept, and the radar
/// must say so, with the way out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radar_of_a_wiki_nobody_owns_says_so_and_never_calls_it_well_kept() {
    let story = Story::new();
    let fixture = Fixture::new();
    for name in ["expenses", "holidays", "laptops", "parking", "travel"] {
        fixture.write(&format!("handbook/{name}.md"), format!("# {name}\n\nHow {name} work here.\n"));
    }
    fixture.write("index.md", "# Handbook\n\nStart here.\n");
    fixture.commit_at(ANN, "Import the handbook", &story.stamp(800));
    // Verified recently though edited long ago: kept. A two-year review period not yet due: kept too.
    fixture.write(
        "handbook/security.md",
        format!("---\nverified: {} by Bob Builder <bob@example.com>\n---\n# Security\n", story.day(10)),
    );
    fixture.write("handbook/offices.md", "---\nreview_every: 2y\n---\n# Offices\n");
    fixture.commit_at(ANN, "Security and offices", &story.stamp(500));
    fixture.write("index.md", "# Handbook\n\nStart here, then read the expenses page.\n");
    fixture.commit_at(BOB, "Point at expenses", &story.stamp(3));
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;

    let radar = review_json(&wiki, "/-/api/review").await;
    assert_eq!(radar["items"], json!([]), "nothing is overdue: no page has a review date that passed");
    assert_eq!(
        radar["upkeep"],
        json!({"n_pages": 8, "n_without_owner": 8, "n_without_review_date": 7, "n_untouched": 5}),
        "{radar:#}"
    );
    let unowned = review_json(&wiki, "/-/api/review?reason=unowned&sort=title").await;
    assert_eq!(item_paths(&unowned).len(), 8, "{unowned:#}");
    assert_eq!(unowned["items"][0]["reasons"], json!([{"reason": "no_owner"}]));
    let untouched = review_json(&wiki, "/-/api/review?reason=untouched&sort=title").await;
    let untouched_paths: BTreeSet<String> = item_paths(&untouched).into_iter().collect();
    let expected: BTreeSet<String> = ["expenses", "holidays", "laptops", "parking", "travel"]
        .iter()
        .map(|name| format!("handbook/{name}.md"))
        .collect();
    assert_eq!(
        untouched_paths, expected,
        "the five pages nobody touched for 800 days, not the verified or the reviewed"
    );
    assert_eq!(untouched["items"][0]["reasons"], json!([{"reason": "untouched", "since": story.day(800)}]));

    // The page says it in a sentence, offers the two lists and how to assign owners, and never "Well kept".
    let reply = wiki.get("/-/review").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/review");
    let html = reply.text();
    let text = text_of(&html);
    assert!(
        text.contains("None of the 8 pages has an owner; 5 were last edited over a year ago; 7 have no review date."),
        "{text}"
    );
    assert!(!text.contains("Well kept"), "an unowned wiki is not called well kept: {text}");
    assert!(has_link_to(&html, "/-/review?reason=unowned"), "a link to the pages without an owner");
    assert!(has_link_to(&html, "/-/review?reason=untouched&sort=edited"), "a link to the pages nobody touched");
    assert!(text.contains("owners: [Platform team]") && text.contains("review_every: 6m"), "how to add owners");

    // The list of unowned pages is the radar's form: choose pages, name an owner, one commit.
    let list = wiki.get("/-/review?reason=unowned").await.text();
    assert!(has_link_to(&list, "/handbook/parking"), "the unowned list shows the pages");
    assert!(text_of(&list).contains("no owner"), "{}", text_of(&list));
    assert!(list.contains("action=\"/-/review/assign\""), "pages can be given an owner from the list");
    let list = wiki.get("/-/review?reason=untouched").await.text();
    assert!(text_of(&list).contains(&format!("not edited or verified since {}", story.day(800))));
    assert!(!has_link_to(&list, "/handbook/security"), "the recently verified page is not listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radar_of_a_kept_wiki_is_well_kept() {
    let story = Story::new();
    let fixture = Fixture::new();
    fixture.write("index.md", "---\nowners: [Ann Author]\n---\n# Home\n");
    fixture.write("team/rota.md", "---\nowners: [Platform team]\nreview_every: 90d\n---\n# Rota\n");
    fixture.commit_at(ANN, "Pages with owners", &story.stamp(20));
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;
    let radar = review_json(&wiki, "/-/api/review").await;
    assert_eq!(
        radar["upkeep"],
        json!({"n_pages": 2, "n_without_owner": 0, "n_without_review_date": 1, "n_untouched": 0})
    );
    let text = text_of(&wiki.get("/-/review").await.text());
    assert!(text.contains("Nothing needs attention. Well kept!"), "{text}");
    assert!(!text.contains("How this wiki is kept"), "no summary when every page is owned and recent: {text}");
}

// ---------------------------------------------------------------------------------------------------------
// Who knows about this?

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experts_are_ranked_by_surviving_lines_without_the_departed_and_accepted_answers_count() {
    let story = Story::new();
    let wiki = story.serve().await;
    // Carol wrote the most VPN lines (the legacy page) but has left; Dave wrote fewer lines than Erin, but
    // his answer was accepted (worth 25 lines).
    assert!(n_lines(&story.legacy()) > story.ann_vpn(), "the fixture gives Carol the most VPN lines");
    let dave_lines = n_lines(&story.answer());
    assert!(dave_lines < story.erin_vpn(), "the fixture gives Dave fewer lines than Erin");
    let json = experts(&wiki, "vpn").await;
    assert_eq!(
        expert_rows(&json),
        [
            (ANN.email.to_string(), story.ann_vpn(), 0, story.ann_vpn()),
            (DAVE.email.to_string(), dave_lines, 1, dave_lines + 25),
            (ERIN.email.to_string(), story.erin_vpn(), 0, story.erin_vpn()),
            (BOB.email.to_string(), 3, 0, 3),
        ],
        "(email, surviving lines, accepted answers, score): {json:#}"
    );
    let first = &json["experts"][0];
    assert_eq!(first["name"], ANN.name);
    let profile = wiki.get(first["url"].as_str().unwrap()).await;
    assert_eq!(profile.status, 200, "the expert links to a people page: {}", profile.text());
    assert_eq!(h1_text(&profile.text()), ANN.name);

    // ?limit= caps the list.
    let json = wiki.get("/-/api/experts?q=vpn&limit=1").await.json();
    assert_eq!(expert_rows(&json).len(), 1, "{json}");

    // The search page asks "Who knows about this?" beside the results: the top three, linked.
    let reply = wiki.get("/-/search?q=vpn").await;
    assert_eq!(reply.status, 200);
    let aside = elements(&reply.text(), "section")
        .into_iter()
        .find(|it| it.classes().iter().any(|class| class == "experts"))
        .unwrap_or_else(|| panic!("no experts beside the results:\n{}", reply.text()));
    assert!(aside.text().contains("Who knows about this?"), "{}", aside.text());
    let names: Vec<String> = links(&aside.inner_html).iter().map(Element::text).collect();
    assert_eq!(names, [ANN.name, DAVE.name, ERIN.name]);
    assert!(!aside.text().contains(CAROL.name), "departed people are not suggested");

    // An answered question no longer asks for experts.
    let answered = wiki.get("/questions/how-do-i-reset-my-vpn-token").await;
    assert_eq!(answered.status, 200);
    assert!(!answered.text().contains("People who may know"), "the question is answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_question_suggests_the_authors_of_related_pages_not_the_asker() {
    let story = Story::new();
    let wiki = story.serve().await;
    // Ann wrote the printers page ("When the printer is offline, restart it ..."); Erin asked the question.
    let question = wiki.get("/questions/why-is-the-printer-offline").await;
    assert_eq!(question.status, 200, "{}", question.text());
    let suggestions = elements(&question.text(), "aside")
        .into_iter()
        .find(|it| it.text().contains("People who may know"))
        .unwrap_or_else(|| panic!("no experts on an open question:\n{}", question.text()));
    let names: Vec<String> = links(&suggestions.inner_html).iter().map(Element::text).collect();
    assert!(names.iter().any(|it| it == ANN.name), "Ann wrote the printers page: {names:?}");
    assert!(!names.iter().any(|it| it == ERIN.name), "the asker is not an expert to ask: {names:?}");
    for link in links(&suggestions.inner_html) {
        assert_eq!(wiki.get(&link.attr("href")).await.status, 200, "{}", link.attr("href"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorship_follows_saves_when_bob_rewrites_anns_vpn_pages() {
    let story = Story::new();
    let wiki = story.serve().await;
    assert_eq!(person(&wiki, ANN.email).await["surviving_lines"], story.ann_total());

    // Bob rewrites the body of both VPN pages through the API; the front matter stays Ann's.
    let front_matter = |text: &str| {
        let end = text[4..].find("\n---\n").expect("front matter") + 4 + 5;
        text[..end].to_string()
    };
    let access = format!(
        "{}{}",
        front_matter(&story.access_v2()),
        (1..=18).map(|i| format!("Bob's access step {i}: use the new VPN portal.\n")).collect::<String>()
    );
    let trouble = format!(
        "{}{}",
        front_matter(&story.trouble_v2()),
        (1..=18).map(|i| format!("Bob's fix {i}: the new VPN client repairs itself.\n")).collect::<String>()
    );
    for (path, markdown) in [(ACCESS, &access), (TROUBLE, &trouble)] {
        let blob = wiki.blob_at_head(path);
        let body = json!({"markdown": markdown, "message": "Rewrite for the new VPN", "author": {"name": BOB.name, "email": BOB.email}});
        let reply = wiki.put_page(path, &body, Some(&blob)).await;
        assert_eq!(reply.status, 200, "PUT {path}: {}", reply.text());
    }
    let ann_vpn = n_lines(&front_matter(&story.access_v2())) + n_lines(&front_matter(&story.trouble_v2()));
    let ann_total = ann_vpn + n_lines(&story.onboarding()) + n_lines(&story.printers());
    let bob_total = 36 + 1; // The new bodies, and his line in the runbook.

    let ann = person_until(&wiki, ANN.email, |it| it["surviving_lines"] == ann_total).await;
    assert_eq!(ann["surviving_lines"], ann_total, "{ann:#}");
    let bob = person_until(&wiki, BOB.email, |it| it["surviving_lines"] == bob_total).await;
    assert_eq!(bob["surviving_lines"], bob_total, "{bob:#}");
    assert_eq!(page_share(&bob, ACCESS)["lines"], 18);
    assert_eq!(page_share(&bob, ACCESS)["top_author"], true, "Bob now wrote most of the page");
    assert_eq!(page_share(&ann, ACCESS)["lines"], n_lines(&front_matter(&story.access_v2())));
    assert_eq!(page_share(&ann, ACCESS)["top_author"], false);
    assert_eq!(bob["n_commits"], 4);

    // Bob is now the one to ask; Ann falls behind Dave's accepted answer.
    let dave_lines = n_lines(&story.answer());
    let expected = [
        (BOB.email.to_string(), 36, 0, 36),
        (DAVE.email.to_string(), dave_lines, 1, dave_lines + 25),
        (ANN.email.to_string(), ann_vpn, 0, ann_vpn),
        (ERIN.email.to_string(), story.erin_vpn(), 0, story.erin_vpn()),
    ];
    let started = std::time::Instant::now();
    let json = loop {
        let json = experts(&wiki, "vpn").await;
        if expert_rows(&json) == expected || started.elapsed() > PATIENCE {
            break json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(expert_rows(&json), expected, "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experts_leave_out_lores_own_and_anonymous_identities() {
    let wiki = TestWiki::managed().await;
    wiki.wait_for_history_index().await;
    // The starter content (committed by Lore) explains Markdown; so do an anonymous page and Ann's page.
    let anonymous = json!({"markdown": "# Markdown tables\n\nMarkdown tables need a header row.\n"});
    assert_eq!(wiki.put_page("notes/markdown-tables.md", &anonymous, None).await.status, 201);
    let ann = json!({
        "markdown": "# Markdown tips\n\nMarkdown headings start with a hash.\n",
        "author": {"name": ANN.name, "email": ANN.email},
    });
    assert_eq!(wiki.put_page("notes/markdown-tips.md", &ann, None).await.status, 201);
    wiki.wait_for_search_index().await;
    wait_for_authorship(&wiki).await;
    let started = std::time::Instant::now();
    let json = loop {
        let json = experts(&wiki, "markdown").await;
        if !expert_rows(&json).is_empty() || started.elapsed() > PATIENCE {
            break json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let emails: Vec<String> = expert_rows(&json).into_iter().map(|it| it.0).collect();
    assert_eq!(emails, [ANN.email], "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_someone_departed_in_people_yaml_puts_their_pages_on_the_radar() {
    let story = Story::new();
    let wiki = story.serve().await;
    assert!(!reasons_by_path(&review_json(&wiki, "/-/api/review").await).contains_key(TROUBLE));

    // Someone outside Lore commits the news with git: Bob has left too.
    let work_tree = wiki.root().join("work");
    let people =
        format!("{}  - email: bob@example.com\n    name: Bob Builder\n    status: departed\n", story.people_yaml());
    std::fs::write(work_tree.join("people.yaml"), people).unwrap();
    git_in(&work_tree, &["add", "people.yaml"]);
    git_in(
        &work_tree,
        &["-c", "user.name=Ann Author", "-c", "user.email=ann@example.com", "commit", "-qm", "Bob has left"],
    );

    let radar = wiki
        .get_until("/-/api/review", |it| it.status == 200 && reasons_by_path(&it.json()).contains_key(TROUBLE))
        .await;
    let radar = reasons_by_path(&radar.json());
    assert_eq!(
        radar.get(TROUBLE),
        Some(&json!([{"reason": "owner_departed", "owner": "Bob Builder <bob@example.com>"}])),
        "Bob owns the troubleshooting page: {radar:#?}"
    );
    assert_eq!(radar.len(), 6, "the five pages from before, and Bob's: {radar:#?}");
    let orphaned = review_json(&wiki, "/-/api/review?orphaned=1&person=bob@example.com").await;
    assert_eq!(
        reasons_by_path(&orphaned),
        BTreeMap::from([(TROUBLE.to_string(), json!([{"reason": "owner_departed", "owner": BOB.email}]))]),
        "Bob owns the troubleshooting page and wrote most of no page"
    );
    assert_eq!(person(&wiki, BOB.email).await["status"]["status"], "departed");
    let emails: Vec<String> = expert_rows(&experts(&wiki, "vpn").await).into_iter().map(|it| it.0).collect();
    assert_eq!(emails, [ANN.email, DAVE.email, ERIN.email], "Bob has left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_over_list_of_someone_still_here_does_not_say_they_left() {
    let story = Story::new();
    let wiki = story.serve().await;
    // Bob has not left (people.yaml does not list him), but his pages can be handed over ahead of time.
    let orphaned = review_json(&wiki, "/-/api/review?orphaned=1&person=bob@example.com").await;
    assert_eq!(item_paths(&orphaned), [TROUBLE], "Bob owns the troubleshooting page");
    for (path, reasons) in reasons_by_path(&orphaned) {
        for reason in reasons.as_array().unwrap() {
            let kind = reason["reason"].as_str().unwrap_or_default();
            assert!(!kind.ends_with("_departed"), "{path}: Bob has not left, yet the list says {reason}");
        }
    }
    let page = wiki.get("/-/review?orphaned=1&person=bob%40example.com").await;
    assert_eq!(page.status, 200);
    assert!(!text_of(&page.text()).contains("has left"), "{}", text_of(&page.text()));
}

// ---------------------------------------------------------------------------------------------------------
// People

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_api_reports_surviving_lines_main_pages_tags_commits_activity_and_answers() {
    let story = Story::new();
    let wiki = story.serve().await;

    let ann = person(&wiki, ANN.email).await;
    assert_eq!(ann["email"], ANN.email);
    assert_eq!(ann["name"], ANN.name);
    assert_eq!(ann["surviving_lines"], story.ann_total());
    assert_eq!(
        shares(&ann),
        [
            (TROUBLE.to_string(), n_lines(&story.trouble_v2()), true),
            (ACCESS.to_string(), story.ann_access(), true),
            (PRINTERS.to_string(), n_lines(&story.printers()), true),
            (ONBOARDING.to_string(), n_lines(&story.onboarding()), true),
        ],
        "(page, lines, main author), most lines first: {ann:#}"
    );
    assert_eq!(page_share(&ann, ACCESS)["total_lines"], n_lines(&story.access_v2()));
    assert_eq!(page_share(&ann, ACCESS)["title"], "Getting VPN access");
    assert_eq!(
        ann["tags"],
        json!([
            ["vpn", story.ann_vpn()],
            ["networking", story.ann_access()],
            ["office", n_lines(&story.printers())],
            ["team", n_lines(&story.onboarding())],
        ])
    );
    assert_eq!(ann["n_commits"], 5);
    assert_eq!(ann["last_active"], story.ago(5).timestamp(), "the people.yaml commit");
    assert_eq!(ann["n_answers"], 0);
    assert_eq!(ann["n_accepted"], 0);
    assert_eq!(ann["status"], Value::Null);

    let bob = person(&wiki, BOB.email).await;
    assert_eq!(bob["surviving_lines"], 4);
    assert_eq!(shares(&bob), [(ACCESS.to_string(), 3, false), (RUNBOOK.to_string(), 1, false)]);
    assert_eq!(bob["n_commits"], 2);
    assert_eq!(bob["last_active"], story.ago(50).timestamp());

    let carol = person(&wiki, CAROL.email).await;
    assert_eq!(carol["surviving_lines"], n_lines(&story.legacy()) + story.carol_runbook());
    assert_eq!(
        shares(&carol),
        [(LEGACY.to_string(), n_lines(&story.legacy()), true), (RUNBOOK.to_string(), story.carol_runbook(), true)]
    );
    assert_eq!(carol["n_commits"], 1);
    assert_eq!(carol["last_active"], story.ago(300).timestamp());
    assert_eq!(carol["status"]["status"], "departed");
    assert_eq!(carol["status"]["name"], CAROL.name);
    assert_eq!(carol["status"]["since"], story.day(30));

    let dave = person(&wiki, DAVE.email).await;
    assert_eq!(dave["surviving_lines"], n_lines(&story.answer()));
    assert_eq!(dave["n_answers"], 1);
    assert_eq!(dave["n_accepted"], 1);
    assert_eq!(dave["n_commits"], 1);

    let erin = person(&wiki, ERIN.email).await;
    assert_eq!(erin["surviving_lines"], n_lines(&story.printer_question()) + story.erin_vpn());
    assert_eq!(erin["tags"], json!([["vpn", story.erin_vpn()], ["office", n_lines(&story.printer_question())]]));
    assert_eq!(erin["n_commits"], 3);
    assert_eq!(erin["n_answers"], 0);

    // E-mails are matched without regard to case; nobody else is known.
    assert_eq!(person(&wiki, "Ann@Example.COM").await["email"], ANN.email);
    let nobody = wiki.get("/-/api/people/nobody@example.com").await;
    assert_eq!(nobody.status, 404, "{}", nobody.text());
    nobody.assert_json_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_page_lists_every_contributor_and_links_to_their_pages() {
    let story = Story::new();
    let wiki = story.serve().await;
    let reply = wiki.get("/-/people").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_safe_html_page(&reply, "/-/people");
    let rows: Vec<Element> =
        elements(&reply.text(), "tbody").first().map(|it| elements(&it.inner_html, "tr")).expect("a table of people");
    let names: Vec<String> = rows.iter().map(|row| links(&row.inner_html)[0].text()).collect();
    // Most lines still standing first: Carol (60), Ann (53), Erin (17), Dave (7), Bob (4).
    assert_eq!(names, [CAROL.name, ANN.name, ERIN.name, DAVE.name, BOB.name]);
    let carol_row = rows[0].text();
    assert!(carol_row.contains("departed"), "{carol_row}");
    assert!(carol_row.contains(&(n_lines(&story.legacy()) + story.carol_runbook()).to_string()), "{carol_row}");
    assert!(!rows[1].text().contains("departed"), "{}", rows[1].text());

    for row in &rows {
        let link = &links(&row.inner_html)[0];
        let page = wiki.get(&link.attr("href")).await;
        assert_eq!(page.status, 200, "{}: {}", link.attr("href"), page.text());
        assert_eq!(h1_text(&page.text()), link.text());
    }

    // A departed person's page offers the hand-over.
    let carol = wiki.get(&links(&rows[0].inner_html)[0].attr("href")).await;
    let hand_over = link_with_text(&carol.text(), "Hand over their pages");
    let listed = wiki.get(&hand_over.attr("href")).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert!(has_link_to(&listed.text(), "/ops/failover-runbook"), "{}", listed.text());
    let ann = wiki.get("/-/people/ann%40example.com").await;
    assert_eq!(ann.status, 200);
    assert!(text_of(&ann.text()).contains(&format!("Lines still standing {}", story.ann_total())));
    assert!(text_of(&ann.text()).contains("Getting VPN access main author"), "{}", text_of(&ann.text()));
    assert_eq!(wiki.get("/-/people/nobody%40example.com").await.status, 404);
}

// ---------------------------------------------------------------------------------------------------------
// Verifying

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_through_the_api_commits_once_and_the_page_says_verified_by() {
    let story = Story::new();
    let wiki = story.serve().await;
    let before = wiki.file_at_head(ACCESS);
    let count = wiki.commit_count();
    let reply = wiki
        .send(
            "POST",
            "/-/api/pages/it/vpn-access.md/verify",
            &[("Content-Type", "application/json")],
            json!({"author": {"name": BOB.name, "email": BOB.email}}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let commit = reply.json()["commit"].as_str().expect("the commit id").to_string();
    assert_eq!(wiki.commit_count(), count + 1, "one commit");
    assert_eq!(wiki.head(), commit);
    assert_eq!(
        wiki.git(&["log", "-1", "--format=%an <%ae>|%s", &commit]),
        format!("{} <{}>|Verify Getting VPN access", BOB.name, BOB.email)
    );
    assert_eq!(changed_files(&wiki, &commit), [format!("M\t{ACCESS}")]);
    assert_verified(&wiki.file_at_head(ACCESS), &before, &story.today(), "Bob Builder <bob@example.com>");

    let page = stewardship_box(&wiki, "/it/vpn-access").await;
    assert!(page.contains(&format!("Verified by Bob Builder on {}", story.today())), "{page}");
    assert!(!page.contains("Needs review"), "{page}");

    // Without an author, the API verifies anonymously; the page still says when.
    let reply = wiki.send("POST", "/-/api/pages/it/printers/verify", &[], "").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(wiki.git(&["log", "-1", "--format=%s", &wiki.branch_ref]), "Verify Printers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_form_clears_the_stale_runbook_and_commits_once() {
    let story = Story::new();
    let wiki = story.serve().await;
    let before = wiki.file_at_head(RUNBOOK);
    let count = wiki.commit_count();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    browser.remember_author(ANN);

    let form_page = browser.get("/-/verify/ops/failover-runbook").await;
    assert_eq!(form_page.status, 200, "{}", form_page.text());
    assert_safe_html_page(&form_page, "/-/verify");
    let fields = form_fields(&form_page.text(), "/-/verify/ops/failover-runbook.md");
    assert_eq!(
        field(&fields, "csrf_token"),
        browser.cookie("lore_csrf").expect("a lore_csrf cookie"),
        "the form echoes the cookie"
    );
    let reply = browser.post_form_owned("/-/verify/ops/failover-runbook.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/ops/failover-runbook?saved=1"));

    assert_eq!(wiki.commit_count(), count + 1, "one commit");
    assert_eq!(
        wiki.git(&["log", "-1", "--format=%an <%ae>|%s", &wiki.branch_ref]),
        format!("{} <{}>|Verify Database failover runbook", ANN.name, ANN.email)
    );
    assert_eq!(changed_files(&wiki, &wiki.branch_ref), [format!("M\t{RUNBOOK}")]);
    assert_verified(&wiki.file_at_head(RUNBOOK), &before, &story.today(), "Ann Author <ann@example.com>");

    let page = stewardship_box(&wiki, "/ops/failover-runbook").await;
    assert!(page.contains(&format!("Verified by Ann Author on {}", story.today())), "{page}");
    assert!(!page.contains("Needs review"), "{page}");

    // The radar drops the review reason; Carol has still left.
    let radar = review_json(&wiki, "/-/api/review").await;
    let reasons = reasons_by_path(&radar);
    let kinds: Vec<&str> =
        reasons[RUNBOOK].as_array().unwrap().iter().map(|it| it["reason"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["owner_departed", "top_author_departed"]);
    assert!(item_paths(&review_json(&wiki, "/-/api/review?reason=review").await).is_empty());

    // From the radar, the form goes back to the radar.
    let mut fields = form_fields(&browser.get("/-/verify/it/printers").await.text(), "/-/verify/it/printers.md");
    set_field(&mut fields, "back", "/-/review?reason=owner");
    let reply = browser.post_form_owned("/-/verify/it/printers.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/review?reason=owner"));
    // Anywhere else, it goes back to the page.
    let mut fields = form_fields(&browser.get("/-/verify/it/printers").await.text(), "/-/verify/it/printers.md");
    set_field(&mut fields, "back", "https://elsewhere.example/");
    let reply = browser.post_form_owned("/-/verify/it/printers.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/it/printers?saved=1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_rewrites_only_the_verified_field_and_credits_the_verifier_with_only_those_lines() {
    let story = Story::new();
    let wiki = story.serve().await;
    let before = wiki.file_at_head(ACCESS);
    let reply = wiki
        .send(
            "POST",
            "/-/api/pages/it/vpn-access.md/verify",
            &[("Content-Type", "application/json")],
            json!({"author": {"name": BOB.name, "email": BOB.email}}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let after = wiki.file_at_head(ACCESS);
    // `tags: [vpn, networking]` and the other fields stay as the writer wrote them, line for line.
    let (kept, added) = without_field(&after, "verified");
    assert_eq!(kept, before, "only the `verified` field changed:\n{}", wiki.git(&["show", &wiki.branch_ref]));
    let bob = person_until(&wiki, BOB.email, |it| it["n_commits"] == 3).await;
    assert_eq!(page_share(&bob, ACCESS)["lines"], 3 + added, "Bob's 3 lines and the `verified` field: {bob:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_over_rewrites_only_the_owners_field() {
    let story = Story::new();
    let wiki = story.serve().await;
    let before = wiki.file_at_head(RUNBOOK);
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let fields = [("csrf_token", token.as_str()), ("page", RUNBOOK), ("owner", "Ann Author <ann@example.com>")];
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let reply = browser.post_form_owned("/-/review/assign", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let after = wiki.file_at_head(RUNBOOK);
    assert_eq!(
        without_field(&after, "owners").0,
        without_field(&before, "owners").0,
        "only the `owners` field changed:\n{}",
        wiki.git(&["show", &wiki.branch_ref])
    );
}

/// `text` without the top-level front matter field `name` (its line and the indented or `- ` lines under
/// it), and how many lines that field took.
fn without_field(text: &str, name: &str) -> (String, usize) {
    let mut kept = Vec::new();
    let mut n_removed = 0;
    let mut in_field = false;
    let mut in_front_matter = false;
    for (i, line) in text.lines().enumerate() {
        if line == "---" {
            in_front_matter = i == 0;
            in_field = false;
        } else if in_front_matter && line.starts_with(&format!("{name}:")) {
            in_field = true;
            n_removed += 1;
            continue;
        } else if in_field && (line.starts_with(' ') || line.starts_with("- ")) {
            n_removed += 1;
            continue;
        } else {
            in_field = false;
        }
        kept.push(line);
    }
    (kept.join("\n"), n_removed)
}

/// Asserts that `after` is `before` with `verified: {date, by}` in its front matter and nothing else changed.
#[track_caller]
fn assert_verified(after: &str, before: &str, today: &str, by: &str) {
    let (after_yaml, after_body) = split_front_matter(after);
    let (before_yaml, before_body) = split_front_matter(before);
    assert_eq!(after_body, before_body, "the body is unchanged");
    let mut after_yaml: serde_yaml::Mapping = serde_yaml::from_str(&after_yaml).expect("front matter");
    let mut before_yaml: serde_yaml::Mapping = serde_yaml::from_str(&before_yaml).expect("front matter");
    let verified = after_yaml.remove("verified").expect("a `verified` field");
    let expected: serde_yaml::Value = serde_yaml::from_str(&format!("date: '{today}'\nby: '{by}'\n")).unwrap();
    assert_eq!(verified, expected, "verified: {{date: today, by: NAME <EMAIL>}}");
    before_yaml.remove("verified");
    assert_eq!(after_yaml, before_yaml, "the other fields are unchanged");
}

// ---------------------------------------------------------------------------------------------------------
// Hand-over

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_over_lists_what_carol_owned_or_wrote_and_reassigns_it_in_one_commit() {
    let story = Story::new();
    let wiki = story.serve().await;
    let orphaned = review_json(&wiki, "/-/api/review?orphaned=1&person=carol@example.com").await;
    let found: BTreeSet<String> = item_paths(&orphaned).into_iter().collect();
    assert_eq!(found, BTreeSet::from([RUNBOOK.to_string(), LEGACY.to_string()]), "{orphaned:#}");

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    browser.remember_author(ANN);
    let page = browser.get("/-/review?orphaned=1&person=carol%40example.com").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let mut fields = form_fields(&page.text(), "/-/review/assign");
    let chosen: BTreeSet<String> = fields.iter().filter(|it| it.0 == "page").map(|it| it.1.clone()).collect();
    assert_eq!(chosen, found, "every listed page is chosen");
    assert_eq!(field(&fields, "from"), CAROL.email);
    let back = field(&fields, "back");
    assert_eq!(back, "/-/review?orphaned=1&person=carol%40example.com");
    set_field(&mut fields, "owner", "Ann Author <ann@example.com>");

    let before: Vec<(String, String)> =
        [RUNBOOK, LEGACY].iter().map(|it| (it.to_string(), wiki.file_at_head(it))).collect();
    let count = wiki.commit_count();
    let reply = browser.post_form_owned("/-/review/assign", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some(back));
    assert_eq!(wiki.commit_count(), count + 1, "exactly one commit");
    assert_eq!(
        wiki.git(&["log", "-1", "--format=%an|%s", &wiki.branch_ref]),
        format!("{}|Hand over 2 pages to Ann Author <ann@example.com>", ANN.name)
    );
    let mut changed = changed_files(&wiki, &wiki.branch_ref);
    changed.sort();
    assert_eq!(changed, [format!("M\t{LEGACY}"), format!("M\t{RUNBOOK}")]);

    for (path, before) in &before {
        let after = wiki.file_at_head(path);
        let (after_yaml, after_body) = split_front_matter(&after);
        let (before_yaml, before_body) = split_front_matter(before);
        assert_eq!(after_body, before_body, "{path}: the body is unchanged");
        let mut after_yaml: serde_yaml::Mapping = serde_yaml::from_str(&after_yaml).unwrap();
        let mut before_yaml: serde_yaml::Mapping = serde_yaml::from_str(&before_yaml).unwrap();
        let owners: Vec<String> = serde_yaml::from_value(after_yaml.remove("owners").expect("owners")).unwrap();
        let old_owners: Vec<String> = serde_yaml::from_value(before_yaml.remove("owners").unwrap()).unwrap();
        let expected: Vec<String> = old_owners
            .iter()
            .filter(|it| !it.to_lowercase().contains("carol"))
            .cloned()
            .chain(["Ann Author <ann@example.com>".to_string()])
            .collect();
        assert_eq!(
            owners.iter().collect::<BTreeSet<_>>(),
            expected.iter().collect::<BTreeSet<_>>(),
            "{path}: Carol replaced by Ann"
        );
        assert_eq!(owners.len(), expected.len(), "{path}: {owners:?}");
        assert_eq!(after_yaml, before_yaml, "{path}: the other fields are unchanged");
    }

    // Nothing is owned by someone who left any more; Carol still wrote most of both pages.
    let radar = review_json(&wiki, "/-/api/review?reason=owner").await;
    assert_eq!(item_paths(&radar), [PRINTERS], "only Frank's page still has an absent owner");
    let orphaned = review_json(&wiki, "/-/api/review?orphaned=1&person=carol@example.com").await;
    for (path, reasons) in reasons_by_path(&orphaned) {
        assert_eq!(
            reasons,
            json!([{"reason": "top_author_departed", "name": CAROL.name, "email": CAROL.email}]),
            "{path}"
        );
    }
    let runbook = stewardship_box(&wiki, "/ops/failover-runbook").await;
    assert!(runbook.contains("Owners: Ann Author <ann@example.com>"), "{runbook}");
    assert!(!runbook.contains(" left"), "{runbook}");
}

// ---------------------------------------------------------------------------------------------------------
// The review feed

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_feed_is_atom_listing_the_pages_needing_review_per_owner() {
    let story = Story::new();
    let wiki = story.serve().await;
    let reply = wiki.get("/-/review.atom").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type().starts_with("application/atom+xml"), "{}", reply.content_type());
    let feed = parse_feed(&reply.text());
    assert_eq!(feed.title, "Pages needing review");
    let titles: BTreeSet<&str> = feed.entries.iter().map(|it| it.title.as_str()).collect();
    assert_eq!(
        titles,
        BTreeSet::from([
            "Database failover runbook",
            "Legacy VPN gateway",
            "Printers",
            "Onboarding",
            "Why is the printer offline?"
        ])
    );
    let runbook = feed.entries.iter().find(|it| it.title == "Database failover runbook").unwrap();
    assert_eq!(runbook.link, wiki.url("/ops/failover-runbook"));
    assert!(runbook.summary.contains(&format!("needs review since {}", story.runbook_due())), "{}", runbook.summary);
    assert_eq!(runbook.updated, story.stamp(200), "the last edit");
    let ids: BTreeSet<&str> = feed.entries.iter().map(|it| it.id.as_str()).collect();
    assert_eq!(ids.len(), feed.entries.len(), "entry ids are unique");

    // Per owner.
    let carol = parse_feed(&wiki.get("/-/review.atom?owner=carol").await.text());
    assert_eq!(carol.title, "Pages owned by carol needing review");
    let titles: BTreeSet<&str> = carol.entries.iter().map(|it| it.title.as_str()).collect();
    assert_eq!(titles, BTreeSet::from(["Database failover runbook", "Legacy VPN gateway"]));
    let ann = parse_feed(&wiki.get("/-/review.atom?owner=ann%40example.com").await.text());
    assert!(ann.entries.is_empty(), "Ann's page is current: {:?}", ann.entries);

    // The radar page advertises the feed.
    let page = wiki.get("/-/review").await;
    let alternates = elements(&page.text(), "link");
    assert!(
        alternates.iter().any(|it| it.attr("type") == "application/atom+xml" && it.attr("href") == "/-/review.atom"),
        "{alternates:?}"
    );
}

struct Feed {
    title: String,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    title: String,
    id: String,
    link: String,
    updated: String,
    summary: String,
}

#[track_caller]
fn parse_feed(xml: &str) -> Feed {
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|err| panic!("not XML ({err}):\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(root.tag_name().namespace(), Some(ATOM));
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|it| it.has_tag_name((ATOM, name)))
            .and_then(|it| it.text())
            .unwrap_or_default()
            .to_string()
    };
    for required in ["id", "title", "updated"] {
        assert!(!child_text(root, required).is_empty(), "the feed has no {required}");
    }
    let entries = root
        .children()
        .filter(|it| it.has_tag_name((ATOM, "entry")))
        .map(|entry| Entry {
            title: child_text(entry, "title"),
            id: child_text(entry, "id"),
            link: entry
                .children()
                .find(|it| it.has_tag_name((ATOM, "link")))
                .and_then(|it| it.attribute("href"))
                .unwrap_or_default()
                .to_string(),
            updated: child_text(entry, "updated"),
            summary: child_text(entry, "summary"),
        })
        .collect();
    Feed { title: child_text(root, "title"), entries }
}

// ---------------------------------------------------------------------------------------------------------
// Bad input

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_of_an_unknown_page_is_not_found_and_commits_nothing() {
    let story = Story::new();
    let wiki = story.serve().await;
    let head = wiki.head();
    let reply = wiki.send("POST", "/-/api/pages/no/such-page.md/verify", &[], "").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    reply.assert_json_error();

    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let form = browser.get("/-/verify/no/such-page").await;
    assert_eq!(form.status, 404, "{}", form.text());
    let token = browser.csrf_token().await;
    let reply = browser.post_form_owned("/-/verify/no/such-page.md", &[("csrf_token".into(), token)]).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_without_pages_or_owner_is_refused_and_commits_nothing() {
    let story = Story::new();
    let wiki = story.serve().await;
    let head = wiki.head();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let form = |fields: &[(&str, &str)]| {
        let mut res: Vec<(String, String)> = vec![("csrf_token".into(), token.clone())];
        res.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        res
    };
    for (what, fields) in [
        ("no pages", form(&[("owner", "Ann Author <ann@example.com>")])),
        ("no owner", form(&[("page", RUNBOOK), ("page", LEGACY)])),
        ("an empty owner", form(&[("page", RUNBOOK), ("owner", "")])),
        ("a blank owner", form(&[("page", RUNBOOK), ("owner", "   ")])),
    ] {
        let reply = browser.post_form_owned("/-/review/assign", &fields).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text());
        wiki.assert_untouched(&head);
    }
    let reply = browser
        .post_form_owned(
            "/-/review/assign",
            &form(&[("page", "no/such-page.md"), ("owner", "Ann Author <ann@example.com>")]),
        )
        .await;
    assert_eq!(reply.status, 404, "an unknown page: {}", reply.text());
    wiki.assert_untouched(&head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_forms_without_the_csrf_token_are_forbidden() {
    let story = Story::new();
    let wiki = story.serve().await;
    let head = wiki.head();
    let mut browser = Browser::new(&wiki, CSRF_PAGE);
    let token = browser.csrf_token().await;
    let assign = |token: Option<&str>| {
        let mut res: Vec<(String, String)> =
            vec![("page".into(), RUNBOOK.into()), ("owner".into(), "Mallory <mallory@example.com>".into())];
        if let Some(token) = token {
            res.push(("csrf_token".into(), token.into()));
        }
        res
    };
    let reply = browser.post_form_owned("/-/review/assign", &assign(None)).await;
    assert_eq!(reply.status, 403, "assign without a token: {}", reply.text());
    let reply = browser.post_form_owned("/-/review/assign", &assign(Some("0123456789abcdef0123456789abcdef"))).await;
    assert_eq!(reply.status, 403, "assign with another token: {}", reply.text());
    let reply = Browser::new(&wiki, CSRF_PAGE).post_form_owned("/-/review/assign", &assign(Some(token.as_str()))).await;
    assert_eq!(reply.status, 403, "assign with a token but no cookie: {}", reply.text());
    let reply = browser
        .post_form_owned_from("/-/review/assign", &assign(Some(token.as_str())), &[("Origin", "https://evil.example")])
        .await;
    assert_eq!(reply.status, 403, "assign from another site: {}", reply.text());
    let reply = browser.post_form_owned("/-/verify/ops/failover-runbook.md", &[]).await;
    assert_eq!(reply.status, 403, "verify without a token: {}", reply.text());
    let reply =
        browser.post_form_owned("/-/verify/ops/failover-runbook.md", &[("csrf_token".into(), "forged".into())]).await;
    assert_eq!(reply.status, 403, "verify with a forged token: {}", reply.text());
    wiki.assert_untouched(&head);

    // The same browser with its token gets through.
    let reply = browser.post_form_owned("/-/review/assign", &assign(Some(token.as_str()))).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(wiki.commit_count(), wiki.git(&["rev-list", "--count", &head]).parse::<usize>().unwrap() + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// `GET path` of the review API, as JSON; panics unless it answers 200.
async fn review_json(wiki: &TestWiki, path: &str) -> Value {
    let reply = wiki.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

/// The `path` of every item in a review answer, in order.
fn item_paths(json: &Value) -> Vec<String> {
    json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {json}"))
        .iter()
        .map(|it| it["path"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Each item's reasons, by path.
fn reasons_by_path(json: &Value) -> BTreeMap<String, Value> {
    json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {json}"))
        .iter()
        .map(|it| (it["path"].as_str().unwrap_or_default().to_string(), it["reasons"].clone()))
        .collect()
}

/// `GET /-/api/experts?q=<query>` as JSON.
async fn experts(wiki: &TestWiki, query: &str) -> Value {
    let path = format!("/-/api/experts?q={}", query_value(query));
    let reply = wiki.get(&path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

/// (email, surviving lines, accepted answers, score) of each expert, best first.
fn expert_rows(json: &Value) -> Vec<(String, usize, usize, usize)> {
    let number = |it: &Value| it.as_u64().unwrap_or_else(|| panic!("not a number: {it}")) as usize;
    json["experts"]
        .as_array()
        .unwrap_or_else(|| panic!("no experts in {json}"))
        .iter()
        .map(|it| {
            (
                it["email"].as_str().unwrap_or_default().to_string(),
                number(&it["surviving_lines"]),
                number(&it["accepted_answers"]),
                number(&it["score"]),
            )
        })
        .collect()
}

/// `GET /-/api/people/<email>` as JSON; panics unless it answers 200.
async fn person(wiki: &TestWiki, email: &str) -> Value {
    person_until(wiki, email, |_| true).await
}

/// `GET /-/api/people/<email>` until `done` holds (authorship catches up with saves in the background).
async fn person_until(wiki: &TestWiki, email: &str, done: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/-/api/people/{}", query_value(email));
    let reply = wiki
        .get_until(&path, |it| {
            it.status == 200 && serde_json::from_slice::<Value>(&it.body).is_ok_and(|json| done(&json))
        })
        .await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.json()
}

/// (page, lines, main author) of each page a person wrote lines on, as the API orders them.
fn shares(person: &Value) -> Vec<(String, usize, bool)> {
    person["pages"]
        .as_array()
        .unwrap_or_else(|| panic!("no pages in {person}"))
        .iter()
        .map(|it| {
            (
                it["path"].as_str().unwrap_or_default().to_string(),
                it["lines"].as_u64().unwrap_or_default() as usize,
                it["top_author"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

/// A person's share of one page.
#[track_caller]
fn page_share(person: &Value, path: &str) -> Value {
    person["pages"]
        .as_array()
        .and_then(|pages| pages.iter().find(|it| it["path"] == path))
        .unwrap_or_else(|| panic!("{} has no lines on {path}: {person:#}", person["email"]))
        .clone()
}

/// (front matter YAML, body) of a page.
#[track_caller]
fn split_front_matter(text: &str) -> (String, String) {
    let rest = text.strip_prefix("---\n").unwrap_or_else(|| panic!("no front matter in {text:?}"));
    let end = rest.find("\n---\n").unwrap_or_else(|| panic!("unterminated front matter in {text:?}"));
    (rest[..end + 1].to_string(), rest[end + 5..].to_string())
}

/// `git show --name-status` of a commit: `M\tpath` lines.
#[track_caller]
fn changed_files(wiki: &TestWiki, revision: &str) -> Vec<String> {
    let out = wiki.git(&["show", "--no-renames", "--name-status", "--format=", revision]);
    out.lines().filter(|it| !it.is_empty()).map(str::to_string).collect()
}

/// The fields a browser would submit with the form posting to `action`: hidden and text inputs, and
/// checked checkboxes.
#[track_caller]
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = elements(html, "form")
        .into_iter()
        .find(|it| it.attr("action") == action)
        .unwrap_or_else(|| panic!("no form posting to {action}:\n{html}"));
    elements(&form.inner_html, "input")
        .into_iter()
        .filter(|it| !it.attr("name").is_empty())
        .filter(|it| it.attr("type") != "checkbox" || it.attrs.contains_key("checked"))
        .map(|it| (it.attr("name"), it.attr("value")))
        .collect()
}

/// The value of the first field `name`, or `""`.
fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|it| it.0 == name).map(|it| it.1.clone()).unwrap_or_default()
}

/// Sets the field `name` to `value`, adding it when the form has none.
fn set_field(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|it| it.0 == name) {
        Some(field) => field.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}
