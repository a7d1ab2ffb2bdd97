//! Accounts, roles, folder rules and tokens (docs/ACCOUNTS.md), end to end: the permissions matrix of every
//! role and action through the browser's forms, the JSON API and git; logging in and out, sessions, CSRF on
//! the login forms and login throttling; personal tokens from the account page, the API and the command line;
//! the admin page; proxy mode; authorship and the push log; folder rules wherever a page can surface; and
//! open mode's refusal to listen beyond loopback.
//!
//! Every wiki runs in local mode unless a test says otherwise. Its accounts are written to the data folder with
//! [`Accounts`], the store the `lore user` and `lore token` commands share with the running server. A
//! [`Browser`] plays a browser without JavaScript (cookies, `Origin`, form fields); API calls carry a Bearer
//! token; git runs the real command line. What landed is read back from the served repository with `git`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::common::browser::{Browser, Form, multipart_body, set_cookie, url_encode};
use crate::common::*;
use lore::auth::{Accounts, AuthMode, FolderRule, NewUser, Role};
use lore::config::Config;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The password of every account the tests create.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

const SESSION_COOKIE: &str = "lore_session";
const CSRF_COOKIE: &str = "lore_csrf";

/// What the login form says after any failed attempt, whatever the reason.
const WRONG_LOGIN: &str = "Wrong user name or password.";

/// An account a test creates, with [`PASSWORD`] and a token named `tests`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Account {
    pub(crate) username: &'static str,
    pub(crate) name: &'static str,
    pub(crate) email: &'static str,
    pub(crate) role: Role,
    pub(crate) groups: &'static [&'static str],
}

impl Account {
    /// `Name <email>`, as git writes an author.
    fn author(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

pub(crate) const RITA: Account =
    Account { username: "rita", name: "Rita Reader", email: "rita@example.com", role: Role::Reader, groups: &[] };
pub(crate) const RAJ: Account =
    Account { username: "raj", name: "Raj Reader", email: "raj@example.com", role: Role::Reader, groups: &[] };
pub(crate) const EDDIE: Account =
    Account { username: "eddie", name: "Eddie Editor", email: "eddie@example.com", role: Role::Editor, groups: &[] };
pub(crate) const ADA: Account =
    Account { username: "ada", name: "Ada Admin", email: "ada@example.com", role: Role::Admin, groups: &[] };
/// An editor whose account the matrix disables after she logged in.
pub(crate) const DORA: Account =
    Account { username: "dora", name: "Dora Disabled", email: "dora@example.com", role: Role::Editor, groups: &[] };
pub(crate) const HANNA: Account =
    Account { username: "hanna", name: "Hanna Human", email: "hanna@example.com", role: Role::Reader, groups: &["hr"] };
pub(crate) const HARRIET: Account = Account {
    username: "harriet",
    name: "Harriet Hiring",
    email: "harriet@example.com",
    role: Role::Editor,
    groups: &["hr"],
};
pub(crate) const LENA: Account = Account {
    username: "lena",
    name: "Lena Legal",
    email: "lena@example.com",
    role: Role::Editor,
    groups: &["hr", "legal"],
};

// ---------------------------------------------------------------------------------------------------------
// The permissions matrix: every role × action × channel, against the table in docs/ACCOUNTS.md

/// Who tries an action.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Reader,
    Editor,
    Admin,
    /// Logged in (and holding a token) before an admin disabled the account.
    Disabled,
}

impl Who {
    const ALL: [Who; 5] = [Who::Anonymous, Who::Reader, Who::Editor, Who::Admin, Who::Disabled];

    fn account(self) -> Option<Account> {
        match self {
            Who::Anonymous => None,
            Who::Reader => Some(RITA),
            Who::Editor => Some(EDDIE),
            Who::Admin => Some(ADA),
            Who::Disabled => Some(DORA),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Reader => "reader",
            Who::Editor => "editor",
            Who::Admin => "admin",
            Who::Disabled => "disabled",
        }
    }
}

/// What they try.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    View,
    Raw,
    Search,
    History,
    Edit,
    Delete,
    Move,
    Upload,
    Ask,
    Answer,
    Accept,
    Clone,
    Push,
    Admin,
}

impl Action {
    const ALL: [Action; 14] = [
        Action::View,
        Action::Raw,
        Action::Search,
        Action::History,
        Action::Edit,
        Action::Delete,
        Action::Move,
        Action::Upload,
        Action::Ask,
        Action::Answer,
        Action::Accept,
        Action::Clone,
        Action::Push,
        Action::Admin,
    ];

    /// Where the action can be tried.
    fn channels(self) -> &'static [Channel] {
        match self {
            Action::Raw | Action::Upload | Action::Admin => &[Channel::Browser],
            Action::Clone | Action::Push => &[Channel::Git],
            _ => &[Channel::Browser, Channel::Api],
        }
    }

    /// The least role the action needs; `None` for reading, which anonymous visitors may do with
    /// `anonymous_read`. Accepting needs an editor here: every matrix question was asked by someone else.
    fn needs(self) -> Option<Role> {
        match self {
            Action::View | Action::Raw | Action::Search | Action::History | Action::Clone => None,
            Action::Ask => Some(Role::Reader),
            Action::Admin => Some(Role::Admin),
            _ => Some(Role::Editor),
        }
    }

    /// Whether success makes a commit on the served branch.
    fn commits(self) -> bool {
        matches!(
            self,
            Action::Edit
                | Action::Delete
                | Action::Move
                | Action::Upload
                | Action::Ask
                | Action::Answer
                | Action::Accept
                | Action::Push
        )
    }

    /// Whether the browser tries it with a GET (a denial then leads to the login page instead of a 401).
    fn is_get(self) -> bool {
        matches!(self, Action::View | Action::Raw | Action::Search | Action::History | Action::Admin)
    }

    /// The answer when it is allowed, as [`attempt`] describes it.
    fn success(self, channel: Channel) -> &'static str {
        match (self, channel) {
            (_, Channel::Git) => "200 ok",
            (Action::Upload, _) | (Action::Ask | Action::Answer, Channel::Api) => "201",
            (
                Action::Edit | Action::Delete | Action::Move | Action::Ask | Action::Answer | Action::Accept,
                Channel::Browser,
            ) => "303",
            _ => "200",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Raw => "raw",
            Action::Search => "search",
            Action::History => "history",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Move => "move",
            Action::Upload => "upload",
            Action::Ask => "ask",
            Action::Answer => "answer",
            Action::Accept => "accept",
            Action::Clone => "clone",
            Action::Push => "push",
            Action::Admin => "admin",
        }
    }
}

/// How they try it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Channel {
    /// A browser form or page, with the session cookie.
    Browser,
    /// The JSON API, with `Authorization: Bearer <token>`.
    Api,
    /// The git command line, with the token as the HTTP Basic password.
    Git,
}

impl Channel {
    fn slug(self) -> &'static str {
        match self {
            Channel::Browser => "browser",
            Channel::Api => "api",
            Channel::Git => "git",
        }
    }
}

/// Who the server must take someone for.
enum Identity {
    Anonymous,
    /// Credentials that must be refused (a disabled account's token), never taken for anonymous.
    Refused,
    Role(Role),
}

/// The expected outcome of `who` trying `action` through `channel`, in the words of [`attempt`]: the status,
/// `login` for a redirect to the login page that returns to the page asked for, `ok` or `refused` for what git
/// did, and `committed` when the served branch moved.
fn expected(who: Who, action: Action, channel: Channel, anonymous_read: bool) -> String {
    let identity = match (who, channel) {
        // A disabled account's session ends: its browser is logged out. Its token is refused.
        (Who::Anonymous, _) | (Who::Disabled, Channel::Browser) => Identity::Anonymous,
        (Who::Disabled, _) => Identity::Refused,
        (Who::Reader, _) => Identity::Role(Role::Reader),
        (Who::Editor, _) => Identity::Role(Role::Editor),
        (Who::Admin, _) => Identity::Role(Role::Admin),
    };
    let allowed = match identity {
        Identity::Anonymous => action.needs().is_none() && anonymous_read,
        Identity::Refused => false,
        Identity::Role(role) => action.needs().is_none_or(|needed| role >= needed),
    };
    if allowed {
        let success = action.success(channel);
        return if action.commits() { format!("{success} committed") } else { success.to_string() };
    }
    let status = match identity {
        Identity::Role(_) => "403",
        _ if channel == Channel::Browser && action.is_get() => "303 login",
        _ => "401",
    };
    if channel == Channel::Git { format!("{status} refused") } else { status.to_string() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_matrix_with_anonymous_read() {
    check_matrix(true, &Who::ALL, &Action::ALL).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_matrix_without_anonymous_read() {
    let actions = [
        Action::View,
        Action::Raw,
        Action::Search,
        Action::History,
        Action::Ask,
        Action::Edit,
        Action::Clone,
        Action::Push,
        Action::Admin,
    ];
    check_matrix(false, &[Who::Anonymous, Who::Reader, Who::Disabled], &actions).await;
}

/// Tries every one of `actions` on each of its channels as each of `whos`, on a wiki of its own, and asserts
/// the outcomes against [`expected`] all at once, listing every row that differs.
async fn check_matrix(anonymous_read: bool, whos: &[Who], actions: &[Action]) {
    let local = serve_local(matrix_fixture(), &[RITA, EDDIE, ADA, DORA], |config| {
        config.auth.anonymous_read = anonymous_read;
    })
    .await;
    let wiki = &local.wiki;
    wait_until_indexed(wiki, local.token(ADA)).await;

    // Everyone logs in before Dora's account is disabled: her session must end with it.
    let mut browsers = Vec::new();
    for who in whos {
        let mut browser = Browser::new(wiki, CSRF_PAGE);
        match who.account() {
            Some(account) => browser.log_in(account).await,
            None => {
                browser.csrf_token().await;
            }
        }
        browsers.push((*who, browser));
    }
    let mut admin = Browser::logged_in(wiki, ADA).await;
    let csrf = admin.csrf_token().await;
    let disabled = admin
        .post_form(
            &format!("/-/admin/users/{}", DORA.username),
            &[("csrf_token", &csrf), ("role", "editor"), ("groups", ""), ("disabled", "on")],
        )
        .await;
    assert_eq!(disabled.status, 303, "disabling Dora on the admin page: {}", disabled.text());

    let mut table = Vec::new();
    let mut mismatches = Vec::new();
    for (who, browser) in &mut browsers {
        for action in actions {
            for channel in action.channels() {
                let expected = expected(*who, *action, *channel, anonymous_read);
                let actual = attempt(&local, browser, *who, *action, *channel).await;
                let line = format!(
                    "{:<10} {:<8} {:<8} expected {:<22} got {actual}",
                    who.slug(),
                    action.slug(),
                    channel.slug(),
                    expected
                );
                if actual != expected {
                    mismatches.push(line.clone());
                }
                table.push(line);
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ from docs/ACCOUNTS.md (anonymous_read: {anonymous_read}):\n{}\n\nThe whole table:\n{}",
        mismatches.len(),
        table.len(),
        mismatches.join("\n"),
        table.join("\n")
    );
    wiki.git(&["fsck", "--no-progress"]);
}

const ANSWER_ID: &str = "20250102T100000Z-abcd";
const MATRIX_EDIT: &str = "# Matrix page\n\nEdited in the matrix.\n";

/// The matrix wiki: a public page, a question to answer, and a page or question of its own for every
/// mutation row, so each row can succeed for editors whatever ran before it.
fn matrix_fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n\nWelcome.\n");
    fixture.write("pub/page.md", "# Public page\n\nThe word quagmire is only here.\n");
    fixture.write("questions/open-question.md", question_text("Who waters the plants?", ANN));
    for who in Who::ALL {
        for action in [Action::Edit, Action::Delete, Action::Move] {
            for channel in [Channel::Browser, Channel::Api] {
                let path = format!("m/{}-{}-{}.md", who.slug(), action.slug(), channel.slug());
                fixture.write(&path, "# Matrix page\n\nText.\n");
            }
        }
        for channel in [Channel::Browser, Channel::Api] {
            let slug = format!("accept-{}-{}", who.slug(), channel.slug());
            fixture.write(&format!("questions/{slug}.md"), question_text(&format!("Question {slug}"), ANN));
            fixture.write(&format!("questions/{slug}/{ANSWER_ID}.md"), answer_text(BOB, "Water them on Fridays."));
        }
    }
    fixture.commit(ANN, "Add the matrix pages");
    fixture
}

/// Tries one row of the matrix and describes what happened (see [`expected`]).
async fn attempt(local: &LocalWiki, browser: &mut Browser<'_>, who: Who, action: Action, channel: Channel) -> String {
    let wiki = &local.wiki;
    let token = who.account().map(|it| local.token(it).to_string());
    let token = token.as_deref();
    let page = format!("m/{}-{}-{}", who.slug(), action.slug(), channel.slug());
    let question = format!("accept-{}-{}", who.slug(), channel.slug());
    let head = wiki.head();
    let outcome = match (action, channel) {
        (Action::View, Channel::Browser) => browser_get(browser, "/pub/page").await,
        (Action::View, _) => api_outcome(&api(wiki, "GET", "/-/api/pages/pub/page", token, None, &[]).await),
        (Action::Raw, _) => browser_get(browser, "/-/raw/pub/page.md").await,
        (Action::Search, Channel::Browser) => browser_get(browser, "/-/search?q=quagmire").await,
        (Action::Search, _) => api_outcome(&api(wiki, "GET", "/-/api/search?q=quagmire", token, None, &[]).await),
        (Action::History, Channel::Browser) => browser_get(browser, "/-/history/pub/page").await,
        (Action::History, _) => api_outcome(&api(wiki, "GET", "/-/api/history/pub/page.md", token, None, &[]).await),
        (Action::Edit, Channel::Browser) => {
            let blob = wiki.blob_at_head(&format!("{page}.md"));
            let csrf = browser.csrf_token().await;
            let fields = [
                ("markdown", MATRIX_EDIT),
                ("message", "Edit in the matrix"),
                ("base_blob", &blob),
                ("csrf_token", &csrf),
            ];
            browser_outcome(&browser.post_form(&format!("/-/edit/{page}.md"), &fields).await, "")
        }
        (Action::Edit, _) => {
            let if_match = format!("\"{}\"", wiki.blob_at_head(&format!("{page}.md")));
            let body = json!({"markdown": MATRIX_EDIT});
            api_outcome(
                &api(wiki, "PUT", &format!("/-/api/pages/{page}"), token, Some(&body), &[("If-Match", &if_match)])
                    .await,
            )
        }
        (Action::Delete, Channel::Browser) => {
            let blob = wiki.blob_at_head(&format!("{page}.md"));
            let csrf = browser.csrf_token().await;
            let fields = [("base_blob", blob.as_str()), ("csrf_token", &csrf)];
            browser_outcome(&browser.post_form(&format!("/-/delete/{page}.md"), &fields).await, "")
        }
        (Action::Delete, _) => {
            let if_match = format!("\"{}\"", wiki.blob_at_head(&format!("{page}.md")));
            api_outcome(
                &api(wiki, "DELETE", &format!("/-/api/pages/{page}"), token, None, &[("If-Match", &if_match)]).await,
            )
        }
        (Action::Move, Channel::Browser) => {
            let blob = wiki.blob_at_head(&format!("{page}.md"));
            let csrf = browser.csrf_token().await;
            let to = format!("moved/{}-browser", who.slug());
            let fields = [("to", to.as_str()), ("base_blob", &blob), ("csrf_token", &csrf)];
            browser_outcome(&browser.post_form(&format!("/-/move/{page}.md"), &fields).await, "")
        }
        (Action::Move, _) => {
            let body = json!({"to": format!("moved/{}-api", who.slug())});
            api_outcome(&api(wiki, "POST", &format!("/-/api/pages/{page}/move"), token, Some(&body), &[]).await)
        }
        (Action::Upload, _) => {
            let csrf = browser.csrf_token().await;
            let file_name = format!("{}.png", who.slug());
            let body =
                multipart_body(&[("csrf_token", None, csrf.as_bytes()), ("file", Some(file_name.as_str()), PNG_1X1)]);
            browser_outcome(&browser.post_multipart("/-/upload/pub/page.md", body).await, "")
        }
        (Action::Ask, Channel::Browser) => {
            let csrf = browser.csrf_token().await;
            let title = format!("Asked by {} in the browser", who.slug());
            let fields =
                [("title", title.as_str()), ("body", "Where is it?"), ("tags", "matrix"), ("csrf_token", &csrf)];
            browser_outcome(&browser.post_form("/-/ask", &fields).await, "")
        }
        (Action::Ask, _) => {
            let body = json!({"title": format!("Asked by {} through the API", who.slug()), "body": "Where is it?"});
            api_outcome(&api(wiki, "POST", "/-/api/questions", token, Some(&body), &[]).await)
        }
        (Action::Answer, Channel::Browser) => {
            let csrf = browser.csrf_token().await;
            let fields = [("body", "The gardener does."), ("csrf_token", csrf.as_str())];
            browser_outcome(&browser.post_form("/-/questions/open-question/answer", &fields).await, "")
        }
        (Action::Answer, _) => {
            let body = json!({"body": "The gardener does."});
            api_outcome(&api(wiki, "POST", "/-/api/questions/open-question/answers", token, Some(&body), &[]).await)
        }
        (Action::Accept, Channel::Browser) => {
            let csrf = browser.csrf_token().await;
            let fields = [("answer", ANSWER_ID), ("csrf_token", csrf.as_str())];
            browser_outcome(&browser.post_form(&format!("/-/questions/{question}/accept"), &fields).await, "")
        }
        (Action::Accept, _) => {
            let body = json!({"answer": ANSWER_ID});
            let path = format!("/-/api/questions/{question}/accept");
            api_outcome(&api(wiki, "POST", &path, token, Some(&body), &[]).await)
        }
        (Action::Clone, _) => {
            let probe = git_probe(wiki, "git-upload-pack", token).await;
            let (_dir, clone) = try_clone_sending(wiki, token).await;
            format!("{} {}", probe_outcome(&probe), if clone.success { "ok" } else { "refused" })
        }
        (Action::Push, _) => {
            let probe = git_probe(wiki, "git-receive-pack", token).await;
            let writer = Writer::clone_sending(wiki, Some(local.token(ADA))).await;
            writer.write(&format!("pushed/{}.md", who.slug()), "# Pushed\n\nFrom the matrix.\n");
            let commit = writer.commit_as(ANN, "Push from the matrix").await;
            let push = writer.push_sending(wiki, token).await;
            let landed = wiki.head() == commit;
            let outcome = match (push.success, landed) {
                (true, true) => "ok",
                (false, false) => "refused",
                (true, false) => "accepted by git but not on the branch",
                (false, true) => "failed but landed",
            };
            format!("{} {outcome}", probe_outcome(&probe))
        }
        (Action::Admin, _) => browser_get(browser, "/-/admin").await,
    };
    if action.commits() && wiki.head() != head { format!("{outcome} committed") } else { outcome }
}

async fn browser_get(browser: &mut Browser<'_>, path: &str) -> String {
    browser_outcome(&browser.get(path).await, path)
}

/// The status; for a redirect to the login page, `303 login` when it returns to `requested` afterwards.
fn browser_outcome(reply: &Reply, requested: &str) -> String {
    let location = reply.header("location").unwrap_or_default();
    if reply.status == 303 && location.starts_with("/-/login") {
        return if is_login_redirect(&location, requested) { "303 login".into() } else { format!("303 to {location}") };
    }
    reply.status.to_string()
}

/// Whether `location` is `/-/login?next=<requested, percent-encoded>`.
fn is_login_redirect(location: &str, requested: &str) -> bool {
    location
        .strip_prefix("/-/login?next=")
        .is_some_and(|next| !next.contains(['/', '?', '&', '=', '#']) && percent_decode(next) == requested)
}

/// The status, and what a refusal lacks: a JSON `{"error": ...}` body, and with a 401 a Bearer challenge.
fn api_outcome(reply: &Reply) -> String {
    let mut res = reply.status.to_string();
    if matches!(reply.status, 401 | 403) && !is_json_error(reply) {
        res.push_str(" without a JSON error");
    }
    if reply.status == 401 && !reply.header("www-authenticate").is_some_and(|it| it.starts_with("Bearer")) {
        res.push_str(" without a Bearer challenge");
    }
    res
}

/// The status of git's ref discovery, and whether a 401 carries the Basic challenge git needs to ask for
/// credentials.
fn probe_outcome(reply: &Reply) -> String {
    let mut res = reply.status.to_string();
    if reply.status == 401 && !reply.header("www-authenticate").is_some_and(|it| it.starts_with("Basic")) {
        res.push_str(" without a Basic challenge");
    }
    res
}

fn is_json_error(reply: &Reply) -> bool {
    reply.content_type().starts_with("application/json")
        && serde_json::from_slice::<Value>(&reply.body).is_ok_and(|it| it["error"].is_string())
}

// ---------------------------------------------------------------------------------------------------------
// Logging in and out

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_sets_a_session_cookie_and_returns_to_the_page_asked_for() {
    let local = serve_local(small_fixture(), &[EDDIE], |config| {
        config.auth.anonymous_read = false;
        config.auth.session_hours = 2;
    })
    .await;
    let wiki = &local.wiki;
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let page = browser.get("/-/login?next=/pub/page").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_safe_html_page(&page, "/-/login");
    let html = page.text();
    let form = form_posting_to(&html, "/-/login");
    assert_eq!(form.attr("method").to_ascii_lowercase(), "post");
    let csrf = set_cookie(&page, CSRF_COOKIE).expect("the login page sets the CSRF cookie");
    let token_field = input_named(&form, "csrf_token");
    assert_eq!(token_field.attr("type"), "hidden");
    assert_eq!(token_field.attr("value"), csrf.value, "the form echoes the cookie (double submit)");
    let next_field = input_named(&form, "next");
    assert_eq!(next_field.attr("type"), "hidden");
    assert_eq!(next_field.attr("value"), "/pub/page");
    input_named(&form, "username");
    assert_eq!(input_named(&form, "password").attr("type"), "password");

    let fields = [("username", "eddie"), ("password", PASSWORD), ("csrf_token", &csrf.value), ("next", "/pub/page")];
    let reply = browser.post_form("/-/login", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/pub/page"));
    let session = set_cookie(&reply, SESSION_COOKIE).expect("logging in sets lore_session");
    assert!(session.value.len() >= 32, "a session id of 256 random bits and a signature: {:?}", session.value);
    assert_eq!(session.attribute("path"), Some("/"), "{session:?}");
    assert!(session.has("httponly"), "{session:?}");
    assert_eq!(session.attribute("samesite").map(str::to_ascii_lowercase).as_deref(), Some("lax"), "{session:?}");
    let max_age: i64 = session.attribute("max-age").and_then(|it| it.parse().ok()).unwrap_or_default();
    assert!((2 * 3600 - 120..=2 * 3600).contains(&max_age), "session_hours is 2: {session:?}");
    assert!(!session.has("secure"), "plain http from a client that is no proxy: no Secure: {session:?}");

    let page = browser.get("/pub/page").await;
    assert_eq!(page.status, 200, "the session lets Eddie read: {}", page.text());
    // The cookie is signed: change one character of it and it names nobody.
    let last = session.value.chars().last().expect("a cookie value");
    let forged = format!("{}{}", &session.value[..session.value.len() - 1], if last == '0' { '1' } else { '0' });
    let reply = Browser::with_session(wiki, &forged).get("/-/api/me").await;
    assert_eq!(reply.status, 401, "a mangled session cookie was accepted: {}", reply.text());
    let me = browser.get("/-/api/me").await;
    assert_eq!(me.status, 200, "{}", me.text());
    let me = me.json();
    assert_eq!(me["username"], "eddie", "{me}");
    assert_eq!(me["name"], EDDIE.name, "{me}");
    assert_eq!(me["email"], EDDIE.email, "{me}");
    assert_eq!(me["role"], "editor", "{me}");
    assert_eq!(me["groups"], json!([]), "{me}");
    assert_eq!(me["mode"], "local", "{me}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_returns_only_to_paths_on_this_wiki() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let cases = [
        ("/-/admin", "/-/admin"),
        ("/pub/page?tab=history", "/pub/page?tab=history"),
        ("", "/"),
        ("//evil.example/steal", "/"),
        ("http://evil.example/", "/"),
        ("https://evil.example/steal", "/"),
        ("evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ];
    let mut problems = Vec::new();
    for (next, expected) in cases {
        let mut browser = Browser::new(&local.wiki, CSRF_PAGE);
        let reply = browser.login("eddie", PASSWORD, next).await;
        let location = reply.header("location");
        if reply.status != 303 || location.as_deref() != Some(expected) {
            problems.push(format!("next={next:?}: {} {location:?}, expected 303 {expected:?}", reply.status));
        }
    }
    assert!(problems.is_empty(), "login redirects:\n{}", problems.join("\n"));
}

/// `next` values that a browser could take to another site, or that once made the login answer 500.
const HOSTILE_NEXT: &[&str] = &[
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "//evil.example",
    "/%2F/evil.example",
    "/.//evil.example",
    "/%2e//evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "/%0A",
    "/%0D%0ALocation:%20https://evil.example",
    "\u{b}",
    "/\u{b}/evil.example",
    "/\u{c}/evil.example",
    "/\u{0}/evil.example",
    "/\u{7f}",
    "/\u{2028}/evil.example",
    "/\u{a0}/evil.example",
    " /evil.example",
    "\t//evil.example",
    "javascript:alert(1)",
    "data:text/html,hello",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_next_that_browsers_read_as_another_site_was_an_open_redirect() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let mut problems = Vec::new();
    for next in HOSTILE_NEXT {
        // Posted straight to the login form.
        let mut browser = Browser::new(&local.wiki, CSRF_PAGE);
        let reply = browser.login("eddie", PASSWORD, next).await;
        let location = reply.header("location");
        if reply.status != 303 || location.as_deref() != Some("/") {
            problems.push(format!("POST next={next:?}: {} {location:?}, expected 303 \"/\"", reply.status));
        }
        // Through the login page, which puts `next` into its form.
        let mut browser = Browser::new(&local.wiki, CSRF_PAGE);
        let page = browser.get(&format!("/-/login?next={}", query_value(next))).await;
        if page.status != 200 {
            problems.push(format!("GET /-/login?next={next:?}: {}", page.status));
            continue;
        }
        let offered = input_named(&form_posting_to(&page.text(), "/-/login"), "next").attr("value");
        if offered != "/" {
            problems.push(format!("GET /-/login?next={next:?} offers next={offered:?}"));
        }
        let reply = browser.login("eddie", PASSWORD, &offered).await;
        if reply.status != 303 || reply.header("location").as_deref() != Some("/") {
            problems.push(format!(
                "the login page's form for {next:?}: {} {:?}",
                reply.status,
                reply.header("location")
            ));
        }
    }
    assert!(problems.is_empty(), "hostile next values:\n{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_redirect_of_a_hostile_path_offered_it_as_next() {
    let local = serve_local(small_fixture(), &[EDDIE], |config| config.auth.anonymous_read = false).await;
    let wiki = &local.wiki;
    let mut problems = Vec::new();
    for target in
        ["//evil.example", "//evil.example/pub/page", "/%5Cevil.example", "/%2F/evil.example", "/.//evil.example"]
    {
        let reply = wiki.raw_get(target).await;
        let location = reply.header("location").unwrap_or_default();
        // Either the login page, offered no hostile `next`, or a path refused outright as invalid (a
        // backslash, an empty or `.` segment) before anyone is asked to log in.
        let refused_as_invalid = reply.status == 400 && reply.header("location").is_none();
        if !refused_as_invalid && (reply.status != 303 || location != "/-/login?next=%2F") {
            problems.push(format!(
                "GET {target}: {} {location:?}, expected 303 \"/-/login?next=%2F\" or 400",
                reply.status
            ));
        }
    }
    let reply = wiki.raw_get("/pub/page?tab=history").await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/login?next=%2Fpub%2Fpage%3Ftab%3Dhistory"));
    assert!(problems.is_empty(), "the login redirect offers hostile next values:\n{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_secure_only_behind_a_trusted_https_proxy() {
    let trusted = serve_local(small_fixture(), &[EDDIE], |config| {
        config.auth.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let mut browser = Browser::new(&trusted.wiki, CSRF_PAGE);
    let reply = browser.login_with_headers("eddie", PASSWORD, &[("X-Forwarded-Proto", "https")]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let session = set_cookie(&reply, SESSION_COOKIE).expect("a session cookie");
    assert!(session.has("secure"), "https through a trusted proxy: {session:?}");

    let untrusted = serve_local(small_fixture(), &[EDDIE], |config| {
        config.auth.trusted_proxies = vec!["10.9.9.9".into()];
    })
    .await;
    let mut browser = Browser::new(&untrusted.wiki, CSRF_PAGE);
    let reply = browser.login_with_headers("eddie", PASSWORD, &[("X-Forwarded-Proto", "https")]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let session = set_cookie(&reply, SESSION_COOKIE).expect("a session cookie");
    assert!(!session.has("secure"), "X-Forwarded-Proto from an address that is no trusted proxy: {session:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_and_out_need_the_csrf_token() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let csrf = browser.csrf_token().await;
    let forged = "0".repeat(csrf.len());
    let credentials = [("username", "eddie"), ("password", PASSWORD), ("next", "/")];
    let with_token = |token: &str| {
        let mut fields: Vec<(String, String)> =
            credentials.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        fields.push(("csrf_token".into(), token.into()));
        fields
    };

    let reply = browser.post_form("/-/login", &credentials).await;
    assert_eq!(reply.status, 403, "login without a token: {}", reply.text());
    assert!(set_cookie(&reply, SESSION_COOKIE).is_none(), "no session without a token");
    let reply = browser.post_form_owned("/-/login", &with_token(&forged)).await;
    assert_eq!(reply.status, 403, "login with a wrong token: {}", reply.text());
    assert!(set_cookie(&reply, SESSION_COOKIE).is_none(), "no session with a wrong token");
    let mut stranger = Browser::new(wiki, CSRF_PAGE);
    let reply = stranger.post_form_owned("/-/login", &with_token(&csrf)).await;
    assert_eq!(reply.status, 403, "a token without its cookie (a forged page): {}", reply.text());
    assert!(set_cookie(&reply, SESSION_COOKIE).is_none());

    browser.log_in(EDDIE).await;
    let reply = browser.post_form("/-/logout", &[]).await;
    assert_eq!(reply.status, 403, "logout without a token: {}", reply.text());
    let reply = browser.post_form("/-/logout", &[("csrf_token", &forged)]).await;
    assert_eq!(reply.status, 403, "logout with a wrong token: {}", reply.text());
    assert_eq!(browser.get("/-/api/me").await.status, 200, "a refused logout leaves the session alone");
}

/// Regression (issue 15): the page cache kept the HTML the first browser was shown, with that browser's CSRF
/// token in the header's logout form and its name in the header; every other browser then got a logout form
/// that did not match its own cookie (and someone else's name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_pages_carry_each_browsers_own_csrf_token_and_name() {
    let local = serve_local(small_fixture(), &[RITA, RAJ], |_| {}).await;
    let wiki = &local.wiki;
    let mut rita = Browser::logged_in(wiki, RITA).await;
    let mut ritas_phone = Browser::logged_in(wiki, RITA).await;
    let mut raj = Browser::logged_in(wiki, RAJ).await;
    let mut stranger = Browser::new(wiki, CSRF_PAGE);
    let rita_token = rita.csrf_token().await;
    let phone_token = ritas_phone.csrf_token().await;
    let raj_token = raj.csrf_token().await;
    assert!(rita_token != phone_token && rita_token != raj_token && phone_token != raj_token);
    // Rita's two browsers, and Raj, who reads the wiki the same way (both are readers), share the cached page.
    // Each views it several times, in turns, plain and compressed, so most views come from the cache.
    for round in 0..4 {
        for (browser, token, me, other) in [
            (&mut rita, &rita_token, RITA, RAJ),
            (&mut ritas_phone, &phone_token, RITA, RAJ),
            (&mut raj, &raj_token, RAJ, RITA),
        ] {
            let reply = if round % 2 == 0 {
                browser.get("/pub/page").await
            } else {
                let reply = browser.request("GET", "/pub/page", &[("Accept-Encoding", "gzip")], Vec::new()).await;
                assert_eq!(reply.header("content-encoding").as_deref(), Some("gzip"), "round {round}");
                let mut html = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&reply.body[..]), &mut html).unwrap();
                Reply { body: html, ..reply }
            };
            assert_eq!(reply.status, 200, "{}", reply.text());
            let html = reply.text();
            let logout = Form::with_action(&html, "/-/logout");
            assert_eq!(&logout.value("csrf_token"), token, "round {round}: each browser's logout form has its token");
            assert!(html.contains(me.name), "round {round}: the header names {}", me.name);
            assert!(!html.contains(other.name), "round {round}: {}'s page names {}", me.name, other.name);
        }
        let html = stranger.get("/pub/page").await.text();
        assert!(!html.contains("/-/logout") && !html.contains(RITA.name) && !html.contains(RAJ.name), "{html}");
        assert!(![&rita_token, &phone_token, &raj_token].iter().any(|it| html.contains(it.as_str())), "{html}");
    }
    // The form each browser got works for that browser.
    let html = ritas_phone.get("/pub/page").await.text();
    let reply = ritas_phone.submit(&Form::with_action(&html, "/-/logout")).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(rita.get("/-/api/me").await.status, 200, "Rita's laptop is still logged in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_ends_that_session_only() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut laptop = Browser::logged_in(wiki, EDDIE).await;
    let mut phone = Browser::logged_in(wiki, EDDIE).await;
    let old_session = laptop.session().expect("a session");

    let csrf = laptop.csrf_token().await;
    let reply = laptop.post_form("/-/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/"));

    let mut replay = Browser::with_session(wiki, &old_session);
    let me = replay.get("/-/api/me").await;
    assert_eq!(me.status, 401, "the old session cookie still works after logout: {}", me.text());
    let me = laptop.get("/-/api/me").await;
    assert_eq!(me.status, 401, "{}", me.text());
    let me = phone.get("/-/api/me").await;
    assert_eq!(me.status, 200, "logging out on one device ends only that session: {}", me.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_unknown_user_and_disabled_account_get_the_same_answer() {
    let local = serve_local(small_fixture(), &[EDDIE, DORA], |_| {}).await;
    let wiki = &local.wiki;
    Accounts::open(&wiki.data_dir()).expect("the account store").set_disabled("dora", true).expect("disable dora");
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let wrong = browser.login("eddie", "not the password", "/").await;
    let unknown = browser.login("nobody-here", "not the password", "/").await;
    let disabled = browser.login("dora", PASSWORD, "/").await;
    for (what, reply) in [("wrong password", &wrong), ("unknown user", &unknown), ("disabled account", &disabled)] {
        assert_eq!(reply.status, 401, "{what}: {}", reply.text());
        assert!(text_of(&reply.text()).contains(WRONG_LOGIN), "{what}: {}", reply.text());
        assert!(set_cookie(reply, SESSION_COOKIE).is_none(), "{what}: a session cookie");
    }
    let wrong_text = text_of(&wrong.text()).replace("eddie", "USERNAME");
    let unknown_text = text_of(&unknown.text()).replace("nobody-here", "USERNAME");
    let disabled_text = text_of(&disabled.text()).replace("dora", "USERNAME");
    assert_eq!(wrong_text, unknown_text, "the answers to a wrong password and an unknown user differ");
    assert_eq!(wrong_text, disabled_text, "the answers to a wrong password and a disabled account differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_per_account() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    for attempt in 1..=5 {
        let reply = browser.login("eddie", "guessing", "/").await;
        assert_eq!(reply.status, 401, "failure {attempt} of 5: {}", reply.text());
    }
    // Whether the sixth failure is still answered 401 or already 429, the account is locked after it.
    let sixth = browser.login("eddie", "guessing", "/").await;
    assert!(matches!(sixth.status, 401 | 429), "a sixth failure: {} {}", sixth.status, sixth.text());
    let right = browser.login("eddie", PASSWORD, "/").await;
    assert_eq!(right.status, 429, "the right password after six failures: {}", right.text());
    assert!(set_cookie(&right, SESSION_COOKIE).is_none(), "a throttled login made a session");
    assert!(text_of(&right.text()).contains("minute"), "the answer says how many minutes to wait: {}", right.text());

    let mut other = Browser::new(wiki, CSRF_PAGE);
    let reply = other.login("rita", PASSWORD, "/").await;
    assert_eq!(reply.status, 303, "another account from the same address is not locked: {}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_per_address() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let mut browser = Browser::new(&local.wiki, CSRF_PAGE);
    // Twenty user names, one failure each: no account reaches its own limit.
    for n in 1..=20 {
        let reply = browser.login(&format!("ghost-{n}"), "guessing", "/").await;
        assert_eq!(reply.status, 401, "failure {n} of 20: {}", reply.text());
    }
    let next = browser.login("ghost-21", "guessing", "/").await;
    assert!(matches!(next.status, 401 | 429), "a 21st failure: {} {}", next.status, next.text());
    let right = browser.login("eddie", PASSWORD, "/").await;
    assert_eq!(right.status, 429, "a good login from an address with 21 failures: {}", right.text());
    assert!(set_cookie(&right, SESSION_COOKIE).is_none(), "a throttled login made a session");
}

/// How many simultaneous attempts the race tests fire from one address.
const SIMULTANEOUS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_logins_raced_past_the_per_account_throttle() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let csrf = browser.csrf_token().await;
    let statuses = post_at_once(wiki, "/-/login", &browser, |_| {
        vec![("username", "eddie".into()), ("password", "guessing".into()), ("csrf_token", csrf.clone())]
    })
    .await;
    let checked = statuses.get(&401).copied().unwrap_or_default();
    let throttled = statuses.get(&429).copied().unwrap_or_default();
    assert!(
        (1..=lore::auth::throttle::PER_ACCOUNT).contains(&checked),
        "{checked} of {SIMULTANEOUS} simultaneous wrong passwords were checked; the limit is 5: {statuses:?}"
    );
    assert_eq!(checked + throttled, SIMULTANEOUS, "every other attempt is answered 429: {statuses:?}");
    let right = browser.login("eddie", PASSWORD, "/").await;
    assert_eq!(right.status, 429, "the right password while the account is paused: {}", right.text());
    assert!(set_cookie(&right, SESSION_COOKIE).is_none(), "a throttled login made a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_logins_raced_past_the_per_address_throttle() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let csrf = browser.csrf_token().await;
    // A different user name each time: only the address's limit can stop them.
    let statuses = post_at_once(wiki, "/-/login", &browser, |n| {
        vec![("username", format!("ghost-{n}")), ("password", "guessing".into()), ("csrf_token", csrf.clone())]
    })
    .await;
    let checked = statuses.get(&401).copied().unwrap_or_default();
    let throttled = statuses.get(&429).copied().unwrap_or_default();
    assert!(
        (1..=lore::auth::throttle::PER_ADDRESS).contains(&checked),
        "{checked} of {SIMULTANEOUS} simultaneous guesses were checked; the limit is 20: {statuses:?}"
    );
    assert_eq!(checked + throttled, SIMULTANEOUS, "every other attempt is answered 429: {statuses:?}");
    let right = browser.login("eddie", PASSWORD, "/").await;
    assert_eq!(right.status, 429, "the right password from a paused address: {}", right.text());
    assert!(set_cookie(&right, SESSION_COOKIE).is_none(), "a throttled login made a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_form_let_anyone_with_a_session_guess_the_password_unthrottled() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let csrf = browser.csrf_token().await;
    let new_password = "a much better passphrase";
    let statuses = post_at_once(wiki, "/-/account/password", &browser, |n| {
        vec![
            ("current", format!("guess number {n}")),
            ("new", new_password.into()),
            ("confirm", new_password.into()),
            ("csrf_token", csrf.clone()),
        ]
    })
    .await;
    let checked = statuses.get(&403).copied().unwrap_or_default();
    let throttled = statuses.get(&429).copied().unwrap_or_default();
    assert!(
        (1..=lore::auth::throttle::PER_ACCOUNT).contains(&checked),
        "{checked} of {SIMULTANEOUS} simultaneous wrong current passwords were checked; the limit is 5: {statuses:?}"
    );
    assert_eq!(checked + throttled, SIMULTANEOUS, "every other attempt is answered 429: {statuses:?}");

    let fields = [("current", PASSWORD), ("new", new_password), ("confirm", new_password), ("csrf_token", &csrf)];
    let right = browser.post_form("/-/account/password", &fields).await;
    assert_eq!(right.status, 429, "the right current password while paused: {}", right.text());
    assert!(text_of(&right.text()).contains("minute"), "the answer says how long to wait: {}", right.text());
    let accounts = Accounts::open(&wiki.data_dir()).expect("the account store");
    let (old, new) = blocking(move || {
        (
            accounts.verify_password("eddie", PASSWORD).expect("the account store reads").is_some(),
            accounts.verify_password("eddie", new_password).expect("the account store reads").is_some(),
        )
    })
    .await;
    assert!(old && !new, "a throttled password change went through (old works: {old}, new works: {new})");
    assert_eq!(browser.get("/-/api/me").await.status, 200, "a throttled change ended the session");
}

/// Posts [`SIMULTANEOUS`] forms to `path` at once, each from its own task, with `browser`'s cookies (one address,
/// one CSRF token); `fields(n)` gives the n-th form. Returns how many answers had each status.
async fn post_at_once(
    wiki: &TestWiki,
    path: &str,
    browser: &Browser<'_>,
    fields: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> BTreeMap<u16, usize> {
    let cookies: Vec<String> = [CSRF_COOKIE, SESSION_COOKIE]
        .into_iter()
        .filter_map(|name| browser.cookie(name).map(|value| format!("{name}={value}")))
        .collect();
    let cookies = cookies.join("; ");
    // Every request is built before any is sent, so they arrive together.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(SIMULTANEOUS));
    let tasks: Vec<_> = (0..SIMULTANEOUS)
        .map(|n| {
            let owned = fields(n);
            let form: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let request = wiki
                .client
                .post(wiki.url(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", &wiki.base_url)
                .header("Cookie", &cookies)
                .body(url_encode(&form));
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                request.send().await.map(|it| it.status().as_u16())
            })
        })
        .collect();
    let mut res = BTreeMap::new();
    for task in tasks {
        let status = task.await.expect("the task ran").unwrap_or_else(|err| panic!("POST {path}: {err}"));
        *res.entry(status).or_default() += 1;
    }
    res
}

// ---------------------------------------------------------------------------------------------------------
// Sessions end with the password and the account

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_every_other_session() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    let wiki = &local.wiki;
    let mut laptop = Browser::logged_in(wiki, EDDIE).await;
    let mut phone = Browser::logged_in(wiki, EDDIE).await;
    let mut rita = Browser::logged_in(wiki, RITA).await;
    let page = laptop.get("/-/account").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_safe_html_page(&page, "/-/account");
    form_posting_to(&page.text(), "/-/account/password");
    form_posting_to(&page.text(), "/-/account/tokens");

    let new_password = "a much better passphrase";
    let csrf = laptop.csrf_token().await;
    let refusals = [
        ("a wrong current password", [("current", "not it"), ("new", new_password), ("confirm", new_password)]),
        ("a new password under 8 characters", [("current", PASSWORD), ("new", "short7!"), ("confirm", "short7!")]),
        ("a confirmation that differs", [("current", PASSWORD), ("new", new_password), ("confirm", "something else")]),
    ];
    for (what, fields) in refusals {
        let mut all = fields.to_vec();
        all.push(("csrf_token", &csrf));
        let reply = laptop.post_form("/-/account/password", &all).await;
        assert!((400..500).contains(&reply.status), "{what}: {} {}", reply.status, reply.text());
        assert_eq!(phone.get("/-/api/me").await.status, 200, "{what} ended another session");
    }
    let fields = [("current", PASSWORD), ("new", new_password), ("confirm", new_password)];
    let reply = laptop.post_form("/-/account/password", &fields).await;
    assert_eq!(reply.status, 403, "a password change without the CSRF token: {}", reply.text());

    let old_session = laptop.session().expect("a session");
    let mut all = fields.to_vec();
    all.push(("csrf_token", &csrf));
    let reply = laptop.post_form("/-/account/password", &all).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/account"));
    let new_session = set_cookie(&reply, SESSION_COOKIE).expect("a new session cookie for the device that changed it");
    assert_ne!(new_session.value, old_session);

    assert_eq!(laptop.get("/-/api/me").await.status, 200, "the device that changed the password stays logged in");
    let me = phone.get("/-/api/me").await;
    assert_eq!(me.status, 401, "the other session outlived the password change: {}", me.text());
    assert_eq!(rita.get("/-/api/me").await.status, 200, "another account's session ended");

    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let old = browser.login("eddie", PASSWORD, "/").await;
    assert_eq!(old.status, 401, "the old password still works: {}", old.text());
    let new = browser.login("eddie", new_password, "/").await;
    assert_eq!(new.status, 303, "the new password does not work: {}", new.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_an_account_ends_its_sessions_and_tokens_at_once() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let token = local.token(EDDIE);
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    assert_eq!(browser.get("/-/api/me").await.status, 200);
    assert_eq!(me(wiki, Some(token)).await.status, 200);

    // As `lore user disable eddie` does while the server runs.
    let accounts = Accounts::open(&wiki.data_dir()).expect("the account store");
    accounts.set_disabled("eddie", true).expect("disable eddie");
    let session = browser.get("/-/api/me").await;
    assert_eq!(session.status, 401, "the session of a disabled account: {}", session.text());
    let api = me(wiki, Some(token)).await;
    assert_eq!(api.status, 401, "the token of a disabled account: {}", api.text());
    let page = api_get(wiki, "/-/api/pages/pub/page", Some(token)).await;
    assert_eq!(page.status, 401, "a disabled account's token is refused, not taken for anonymous: {}", page.text());
    let git = git_probe(wiki, "git-upload-pack", Some(token)).await;
    assert_eq!(git.status, 401, "git with a disabled account's token: {}", git.text());
    let login = Browser::new(wiki, CSRF_PAGE).login("eddie", PASSWORD, "/").await;
    assert_eq!(login.status, 401, "a disabled account logged in: {}", login.text());

    accounts.set_disabled("eddie", false).expect("enable eddie");
    let login = Browser::new(wiki, CSRF_PAGE).login("eddie", PASSWORD, "/").await;
    assert_eq!(login.status, 303, "an enabled account cannot log in: {}", login.text());
}

// ---------------------------------------------------------------------------------------------------------
// Personal tokens

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_tokens_and_sessions_are_stored_only_as_hashes() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let browser = Browser::logged_in(wiki, EDDIE).await;
    let session = browser.session().expect("a session");
    let session_id = session.split('.').next().unwrap_or_default();
    // Every byte of the state database and its write-ahead log, free pages included: a secret in the clear
    // anywhere in them is a leak, whatever table or leftover holds it.
    let mut stored = Vec::new();
    for name in ["lore.db", "lore.db-wal"] {
        stored.extend(std::fs::read(wiki.data_dir().join(name)).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains(PASSWORD), "lore.db holds a password in the clear");
    assert!(stored.contains("$argon2id$"), "lore.db holds no argon2id hash");
    assert!(!stored.contains(local.token(EDDIE)), "lore.db holds a token in the clear");
    assert!(!session_id.is_empty() && !stored.contains(session_id), "lore.db holds a session id in the clear");
    for old in ["accounts.json", "sessions.json", "token-usage.json", "pushlog.jsonl"] {
        assert!(!wiki.data_dir().join(old).exists(), "{old} is still written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_made_on_the_account_page_work_until_revoked_there() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let csrf = browser.csrf_token().await;
    let reply = browser.post_form("/-/account/tokens", &[("csrf_token", &csrf), ("name", "laptop")]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let html = reply.text();
    let token = elements(&html, "code")
        .into_iter()
        .find(|it| it.attr("id") == "new-token")
        .map(|it| it.text())
        .unwrap_or_else(|| panic!("no <code id=\"new-token\"> on the page:\n{html}"));
    assert_token_format(&token);

    let me = me(wiki, Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["username"], "eddie");
    let page = browser.get("/-/account").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(text_of(&page.text()).contains("laptop"), "the account page lists the token by name");
    assert!(!page.text().contains(&token), "the token is shown once, not on every visit to the account page");

    let id = token_id(wiki, &token, "laptop").await;
    let reply = browser.post_form(&format!("/-/account/tokens/{id}/revoke"), &[("csrf_token", &csrf)]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let me = self::me(wiki, Some(&token)).await;
    assert_eq!(me.status, 401, "a revoked token still works: {}", me.text());
    let git = git_probe(wiki, "git-upload-pack", Some(&token)).await;
    assert_eq!(git.status, 401, "git with a revoked token: {}", git.text());
    assert_eq!(browser.get("/-/api/me").await.status, 200, "revoking a token leaves the session alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_through_the_api_list_only_the_callers_own_and_never_the_secret() {
    let local = serve_local(small_fixture(), &[EDDIE, RITA], |_| {}).await;
    let wiki = &local.wiki;
    let eddie = local.token(EDDIE);
    let rita = local.token(RITA);
    let created = api(wiki, "POST", "/-/api/tokens", Some(eddie), Some(&json!({"name": "script"})), &[]).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    assert_eq!(created["name"], "script", "{created}");
    let id = created["id"].as_str().unwrap_or_else(|| panic!("no id in {created}")).to_string();
    let script = created["token"].as_str().unwrap_or_else(|| panic!("no token in {created}")).to_string();
    assert_token_format(&script);
    assert_eq!(me(wiki, Some(&script)).await.json()["username"], "eddie");

    let listed = api_get(wiki, "/-/api/tokens", Some(eddie)).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert!(!listed.text().contains(&script) && !listed.text().contains(eddie), "a listing shows a secret");
    let list = listed.json();
    let entries = list.as_array().unwrap_or_else(|| panic!("not a list: {list}"));
    let names: Vec<&str> = entries.iter().filter_map(|it| it["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "Eddie's two tokens and nobody else's: {list}");
    assert!(names.contains(&"tests") && names.contains(&"script"), "{list}");
    for entry in entries {
        for key in ["id", "name", "created_at", "last_used_at"] {
            assert!(entry.get(key).is_some(), "no {key} in {entry}");
        }
        assert!(entry.get("token").is_none(), "a listed token carries its secret: {entry}");
    }
    let ritas = api_get(wiki, "/-/api/tokens", Some(rita)).await;
    assert_eq!(ritas.status, 200, "{}", ritas.text());
    assert!(
        !ritas.text().contains(&id) && !ritas.text().contains("script"),
        "Rita sees Eddie's token: {}",
        ritas.text()
    );

    let reply = api(wiki, "DELETE", &format!("/-/api/tokens/{id}"), Some(rita), None, &[]).await;
    assert!(matches!(reply.status, 403 | 404), "Rita revoking Eddie's token: {} {}", reply.status, reply.text());
    assert_eq!(me(wiki, Some(&script)).await.status, 200, "someone else revoked Eddie's token");

    let reply = api(wiki, "DELETE", &format!("/-/api/tokens/{id}"), Some(eddie), None, &[]).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let reply = me(wiki, Some(&script)).await;
    assert_eq!(reply.status, 401, "a revoked token still works: {}", reply.text());
    assert_eq!(me(wiki, Some(eddie)).await.status, 200, "revoking one token revoked another");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_the_command_line_work_and_revoking_one_stops_it_at_once() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let data = wiki.data_dir().display().to_string();

    let created = lore(wiki.root(), &["token", "create", "eddie", "--name", "cli", "--data", &data]).await;
    let token = created.stdout.lines().rev().map(str::trim).find(|it| !it.is_empty()).unwrap_or_default().to_string();
    assert_token_format(&token);
    let me = me(wiki, Some(&token)).await;
    assert_eq!(me.status, 200, "a token made on the command line while the server runs: {}", me.text());
    assert_eq!(me.json()["username"], "eddie");

    let listed = lore(wiki.root(), &["token", "list", "eddie", "--data", &data]).await;
    assert!(listed.stdout.contains("cli"), "lore token list does not name the token:\n{}", listed.stdout);
    assert!(!listed.stdout.contains(&token), "lore token list prints the secret:\n{}", listed.stdout);
    let id = token_id(wiki, &token, "cli").await;
    assert!(listed.stdout.contains(&id), "lore token list does not show the id {id}:\n{}", listed.stdout);

    lore(wiki.root(), &["token", "revoke", &id, "--data", &data]).await;
    let reply = self::me(wiki, Some(&token)).await;
    assert_eq!(reply.status, 401, "a token revoked on the command line still works: {}", reply.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_or_unknown_token_is_refused_not_taken_for_anonymous() {
    let local = serve_local(small_fixture(), &[EDDIE], |config| config.auth.anonymous_read = true).await;
    let wiki = &local.wiki;
    assert_eq!(api_get(wiki, "/-/api/pages/pub/page", None).await.status, 200, "anonymous visitors may read");
    let unknown = format!("lore_{}", "0".repeat(40));
    let mut problems = Vec::new();
    for bad in [unknown.as_str(), "garbage"] {
        for path in ["/-/api/pages/pub/page", "/-/api/me", "/-/api/search?q=page"] {
            let reply = api(wiki, "GET", path, None, None, &[("Authorization", &format!("Bearer {bad}"))]).await;
            let outcome = api_outcome(&reply);
            if outcome != "401" {
                problems.push(format!("GET {path} with Bearer {bad:?}: {outcome}"));
            }
        }
        let git = git_probe(wiki, "git-upload-pack", Some(bad)).await;
        if probe_outcome(&git) != "401" {
            problems.push(format!("git with token {bad:?}: {}", probe_outcome(&git)));
        }
    }
    assert!(problems.is_empty(), "bad credentials not refused with 401:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------
// The command line

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_added_on_the_command_line_can_log_in_and_be_changed_while_the_server_runs() {
    let local = serve_local(small_fixture(), &[ADA], |config| config.auth.anonymous_read = false).await;
    let wiki = &local.wiki;
    let data = wiki.data_dir().display().to_string();
    let first_password = "carol's first password";
    let args = [
        "user",
        "add",
        "carol",
        "--name",
        "Carol Clerk",
        "--email",
        "carol@example.com",
        "--role",
        "reader",
        "--groups",
        "hr,legal",
        "--password-stdin",
        "--data",
        &data,
    ];
    lore_with_input(wiki.root(), &args, &format!("{first_password}\n")).await;

    let mut browser = Browser::new(wiki, CSRF_PAGE);
    let reply = browser.login("carol", first_password, "/").await;
    assert_eq!(reply.status, 303, "an account added while the server runs cannot log in: {}", reply.text());
    let me = browser.get("/-/api/me").await.json();
    assert_eq!(me["username"], "carol", "{me}");
    assert_eq!(me["name"], "Carol Clerk", "{me}");
    assert_eq!(me["email"], "carol@example.com", "{me}");
    assert_eq!(me["role"], "reader", "{me}");
    assert_eq!(me["groups"], json!(["hr", "legal"]), "{me}");
    let listed = lore(wiki.root(), &["user", "list", "--data", &data]).await;
    assert!(listed.stdout.contains("carol") && listed.stdout.contains("ada"), "lore user list:\n{}", listed.stdout);

    lore(wiki.root(), &["user", "role", "carol", "editor", "--data", &data]).await;
    assert_eq!(browser.get("/-/api/me").await.json()["role"], "editor", "the new role applies at once");
    lore(wiki.root(), &["user", "groups", "carol", "ops", "--data", &data]).await;
    assert_eq!(browser.get("/-/api/me").await.json()["groups"], json!(["ops"]), "the new groups apply at once");

    let second_password = "carol's second password";
    lore_with_input(
        wiki.root(),
        &["user", "passwd", "carol", "--password-stdin", "--data", &data],
        &format!("{second_password}\n"),
    )
    .await;
    let me = browser.get("/-/api/me").await;
    assert_eq!(me.status, 401, "a session outlived `lore user passwd`: {}", me.text());
    assert_eq!(
        Browser::new(wiki, CSRF_PAGE).login("carol", first_password, "/").await.status,
        401,
        "the old password works"
    );
    browser.log_in_with("carol", second_password).await;

    lore(wiki.root(), &["user", "disable", "carol", "--data", &data]).await;
    let me = browser.get("/-/api/me").await;
    assert_eq!(me.status, 401, "a session outlived `lore user disable`: {}", me.text());
    assert_eq!(
        Browser::new(wiki, CSRF_PAGE).login("carol", second_password, "/").await.status,
        401,
        "a disabled account logged in"
    );
    lore(wiki.root(), &["user", "enable", "carol", "--data", &data]).await;
    assert_eq!(
        Browser::new(wiki, CSRF_PAGE).login("carol", second_password, "/").await.status,
        303,
        "an enabled account"
    );
}

// ---------------------------------------------------------------------------------------------------------
// The admin page and /-/api/me

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_page_is_for_admins_and_changes_accounts() {
    let local = serve_local(small_fixture(), &[RITA, EDDIE, ADA], |_| {}).await;
    let wiki = &local.wiki;
    let reply = Browser::new(wiki, CSRF_PAGE).get("/-/admin").await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location").as_deref(), Some("/-/login?next=%2F-%2Fadmin"));
    let mut rita = Browser::logged_in(wiki, RITA).await;
    let mut eddie = Browser::logged_in(wiki, EDDIE).await;
    assert_eq!(rita.get("/-/admin").await.status, 403, "a reader on the admin page");
    assert_eq!(eddie.get("/-/admin").await.status, 403, "an editor on the admin page");

    let mut ada = Browser::logged_in(wiki, ADA).await;
    let page = ada.get("/-/admin").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_safe_html_page(&page, "/-/admin");
    let text = text_of(&page.text());
    for expected in ["rita", "eddie", "ada", "local", "tests"] {
        assert!(text.contains(expected), "the admin page does not mention {expected:?}: {text}");
    }

    let csrf = eddie.csrf_token().await;
    let fields = [("csrf_token", csrf.as_str()), ("role", "admin"), ("groups", "")];
    let reply = eddie.post_form("/-/admin/users/eddie", &fields).await;
    assert_eq!(reply.status, 403, "an editor made himself admin: {}", reply.text());
    assert_eq!(eddie.get("/-/api/me").await.json()["role"], "editor");

    let csrf = ada.csrf_token().await;
    let reply =
        ada.post_form("/-/admin/users/rita", &[("csrf_token", &csrf), ("role", "editor"), ("groups", "hr,ops")]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let me = rita.get("/-/api/me").await.json();
    assert_eq!(me["role"], "editor", "{me}");
    assert_eq!(me["groups"], json!(["hr", "ops"]), "{me}");
    let fields = [("csrf_token", csrf.as_str()), ("role", "editor"), ("groups", "hr,ops"), ("disabled", "on")];
    let reply = ada.post_form("/-/admin/users/rita", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(rita.get("/-/api/me").await.status, 401, "a session outlived disabling on the admin page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_answers_who_is_calling() {
    let local = serve_local(small_fixture(), &[HANNA], |_| {}).await;
    let wiki = &local.wiki;
    let reply = me(wiki, Some(local.token(HANNA))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let me = reply.json();
    for (key, expected) in [
        ("username", json!("hanna")),
        ("name", json!(HANNA.name)),
        ("email", json!(HANNA.email)),
        ("role", json!("reader")),
        ("groups", json!(["hr"])),
        ("mode", json!("local")),
    ] {
        assert_eq!(me[key], expected, "{key} in {me}");
    }
    let anonymous = self::me(wiki, None).await;
    assert_eq!(api_outcome(&anonymous), "401", "{}", anonymous.text());

    let open = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let reply = self::me(&open, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["username"], Value::Null, "{}", reply.text());
    assert_eq!(reply.json()["mode"], "open", "{}", reply.text());
}

// ---------------------------------------------------------------------------------------------------------
// Questions: the asker may accept

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_who_asked_may_accept_an_answer_and_other_readers_may_not() {
    let local = serve_local(small_fixture(), &[RITA, RAJ, EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let body = json!({"title": "Where are the spare keys?", "body": "For the bike shed."});
    let asked = api(wiki, "POST", "/-/api/questions", Some(local.token(RITA)), Some(&body), &[]).await;
    assert_eq!(asked.status, 201, "a reader asking: {}", asked.text());
    let slug = asked.json()["slug"].as_str().expect("a slug").to_string();
    let path = format!("/-/api/questions/{slug}/answers");
    let mut answers = Vec::new();
    for text in ["In the top drawer.", "Ask the caretaker."] {
        let answered = api(wiki, "POST", &path, Some(local.token(EDDIE)), Some(&json!({"body": text})), &[]).await;
        assert_eq!(answered.status, 201, "{}", answered.text());
        answers.push(answered.json()["id"].as_str().expect("an answer id").to_string());
    }

    let head = wiki.head();
    let accept = format!("/-/api/questions/{slug}/accept");
    let reply = api(wiki, "POST", &accept, Some(local.token(RAJ)), Some(&json!({"answer": answers[0]})), &[]).await;
    assert_eq!(api_outcome(&reply), "403", "another reader accepting: {}", reply.text());
    assert_eq!(wiki.head(), head, "a refused accept committed");
    let reply = api(wiki, "POST", &accept, Some(local.token(RITA)), Some(&json!({"answer": answers[0]})), &[]).await;
    assert_eq!(reply.status, 200, "the asker accepting through the API: {}", reply.text());

    let mut rita = Browser::logged_in(wiki, RITA).await;
    let csrf = rita.csrf_token().await;
    let fields = [("answer", answers[1].as_str()), ("csrf_token", &csrf)];
    let reply = rita.post_form(&format!("/-/questions/{slug}/accept"), &fields).await;
    assert_eq!(reply.status, 303, "the asker accepting in the browser: {}", reply.text());
    let question = wiki.file_at_head(&format!("questions/{slug}.md"));
    assert!(question.contains(&format!("accepted: {}", answers[1])), "{question}");
}

// ---------------------------------------------------------------------------------------------------------
// Identity: an e-mail address is one account's, and only admins set it

/// Rita's address as someone typing it to pass for her would: other case, stray spaces.
const RITAS_EMAIL_DISGUISED: &str = " Rita@Example.COM ";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_could_take_another_accounts_email_and_commit_as_them() {
    let local = serve_local(small_fixture(), &[RITA, EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut eddie = Browser::logged_in(wiki, EDDIE).await;

    let page = eddie.get("/-/account").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let form = form_posting_to(&page.text(), "/-/account/profile");
    let shown = elements(&form.inner_html, "input")
        .into_iter()
        .find(|it| it.attr("id") == "profile-email")
        .unwrap_or_else(|| panic!("the profile shows no e-mail:\n{}", form.inner_html));
    assert_eq!(shown.attr("value"), EDDIE.email);
    assert!(shown.attrs.contains_key("readonly"), "the e-mail is editable on the account page: {:?}", shown.attrs);
    assert_eq!(shown.attr("name"), "", "the e-mail is still a field of the profile form: {:?}", shown.attrs);
    assert!(text_of(&form.inner_html).contains("admin"), "no word on who changes the e-mail: {}", form.inner_html);

    let csrf = eddie.csrf_token().await;
    for email in [RITA.email, RITAS_EMAIL_DISGUISED, "eddie.new@example.com"] {
        let fields = [("name", EDDIE.name), ("email", email), ("csrf_token", &csrf)];
        let reply = eddie.post_form("/-/account/profile", &fields).await;
        assert!((400..500).contains(&reply.status), "setting the e-mail {email:?}: {} {}", reply.status, reply.text());
    }
    // Nor through the API, whatever the method.
    let body = json!({"name": RITA.name, "email": RITA.email});
    for method in ["PUT", "PATCH", "POST"] {
        let reply = api(wiki, method, "/-/api/me", Some(local.token(EDDIE)), Some(&body), &[]).await;
        assert!((400..500).contains(&reply.status), "{method} /-/api/me: {} {}", reply.status, reply.text());
    }
    let me = eddie.get("/-/api/me").await.json();
    assert_eq!((me["name"].as_str(), me["email"].as_str()), (Some(EDDIE.name), Some(EDDIE.email)), "{me}");

    // Repeating one's own address (an old form) is fine: only the name changes.
    let fields = [("name", "Eddie E."), ("email", EDDIE.email), ("csrf_token", &csrf)];
    let reply = eddie.post_form("/-/account/profile", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let reply = eddie.post_form("/-/account/profile", &[("name", EDDIE.name), ("csrf_token", &csrf)]).await;
    assert_eq!(reply.status, 303, "{}", reply.text());

    // What he commits through the page API carries his own identity.
    let token = local.token(EDDIE);
    let if_match = format!("\"{}\"", wiki.blob_at_head("pub/page.md"));
    let body = json!({"markdown": "# Public page\n\nWho wrote this?\n"});
    let reply = api(wiki, "PUT", "/-/api/pages/pub/page", Some(token), Some(&body), &[("If-Match", &if_match)]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author(), "an API save is not signed as the account");
    let body = json!({"title": "Who signs this?", "body": "Just asking."});
    let reply = api(wiki, "POST", "/-/api/questions", Some(token), Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author(), "a question is not signed as the account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_name_could_copy_another_accounts_name() {
    let local = serve_local(small_fixture(), &[RITA, EDDIE], |_| {}).await;
    let mut eddie = Browser::logged_in(&local.wiki, EDDIE).await;
    let csrf = eddie.csrf_token().await;
    for name in [RITA.name, "rita reader", "  RITA READER "] {
        let reply = eddie.post_form("/-/account/profile", &[("name", name), ("csrf_token", &csrf)]).await;
        assert_eq!(reply.status, 409, "taking the name {name:?}: {}", reply.text());
        assert!(text_of(&reply.text()).contains("another account"), "{}", reply.text());
    }
    assert_eq!(eddie.get("/-/api/me").await.json()["name"], EDDIE.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_with_another_accounts_email_could_accept_answers_on_their_question() {
    let local = serve_local(small_fixture(), &[RITA, RAJ, EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let body = json!({"title": "Where is the ladder?", "body": "For the attic."});
    let asked = api(wiki, "POST", "/-/api/questions", Some(local.token(RITA)), Some(&body), &[]).await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    let slug = asked.json()["slug"].as_str().expect("a slug").to_string();
    let answered = api(
        wiki,
        "POST",
        &format!("/-/api/questions/{slug}/answers"),
        Some(local.token(EDDIE)),
        Some(&json!({"body": "In the garage."})),
        &[],
    )
    .await;
    assert_eq!(answered.status, 201, "{}", answered.text());
    let answer = answered.json()["id"].as_str().expect("an answer id").to_string();

    let mut raj = Browser::logged_in(wiki, RAJ).await;
    let csrf = raj.csrf_token().await;
    for email in [RITA.email, RITAS_EMAIL_DISGUISED] {
        let fields = [("name", RITA.name), ("email", email), ("csrf_token", &csrf)];
        let reply = raj.post_form("/-/account/profile", &fields).await;
        assert!((400..500).contains(&reply.status), "Raj taking {email:?}: {} {}", reply.status, reply.text());
    }
    assert_eq!(raj.get("/-/api/me").await.json()["email"], RAJ.email);

    let head = wiki.head();
    let fields = [("answer", answer.as_str()), ("csrf_token", &csrf)];
    let reply = raj.post_form(&format!("/-/questions/{slug}/accept"), &fields).await;
    assert_eq!(reply.status, 403, "Raj accepting on Rita's question in the browser: {}", reply.text());
    let accept = format!("/-/api/questions/{slug}/accept");
    let reply = api(wiki, "POST", &accept, Some(local.token(RAJ)), Some(&json!({"answer": answer})), &[]).await;
    assert_eq!(api_outcome(&reply), "403", "Raj accepting on Rita's question through the API: {}", reply.text());
    assert_eq!(wiki.head(), head, "a refused accept committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_could_give_two_accounts_one_email() {
    let local = serve_local(small_fixture(), &[RITA, RAJ, ADA], |_| {}).await;
    let wiki = &local.wiki;
    let mut ada = Browser::logged_in(wiki, ADA).await;
    let page = ada.get("/-/admin").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let form = form_posting_to(&page.text(), "/-/admin/users/raj");
    assert_eq!(input_named(&form, "email").attr("value"), RAJ.email);
    assert_eq!(input_named(&form, "name").attr("value"), RAJ.name);

    let csrf = ada.csrf_token().await;
    let change = |name: &'static str, email: &'static str| {
        [("csrf_token", csrf.clone()), ("name", name.into()), ("email", email.into()), ("role", "reader".into())]
            .map(|(k, v)| (k.to_string(), v))
    };
    let reply = ada.post_form_owned("/-/admin/users/raj", &change(RAJ.name, RITAS_EMAIL_DISGUISED)).await;
    assert_eq!(reply.status, 409, "an admin giving Raj Rita's e-mail: {}", reply.text());
    assert!(text_of(&reply.text()).contains("e-mail"), "the refusal does not say why: {}", reply.text());
    let reply = ada
        .post_form(
            "/-/admin/users",
            &[
                ("csrf_token", &csrf),
                ("username", "rita2"),
                ("name", "Rita Again"),
                ("email", RITA.email),
                ("role", "reader"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, 409, "an admin adding an account with Rita's e-mail: {}", reply.text());
    let me = me(wiki, Some(local.token(RAJ))).await.json();
    assert_eq!(me["email"], RAJ.email, "{me}");

    let reply = ada.post_form_owned("/-/admin/users/raj", &change("Raj Renamed", "raj.new@example.com")).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let me = self::me(wiki, Some(local.token(RAJ))).await.json();
    assert_eq!((me["name"].as_str(), me["email"].as_str()), (Some("Raj Renamed"), Some("raj.new@example.com")), "{me}");

    // The command line keeps to the same rule.
    let data = wiki.data_dir().display().to_string();
    let root = wiki.root().to_path_buf();
    let refused = blocking({
        let (root, data) = (root.clone(), data.clone());
        move || run_lore(&root, &["user", "email", "raj", "RITA@example.com", "--data", &data])
    })
    .await;
    assert!(!refused.status.success(), "lore user email gave Raj Rita's address");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("e-mail address"), "lore user email does not say why: {stderr}");
    let args =
        ["user", "add", "rita3", "--name", "Rita Three", "--email", RITA.email, "--no-password", "--data", &data];
    let refused = blocking({
        let (root, args) = (root.clone(), args.map(String::from));
        move || run_lore(&root, &args.each_ref().map(String::as_str))
    })
    .await;
    assert!(!refused.status.success(), "lore user add made a second account with Rita's address");
    lore(&root, &["user", "email", "raj", "raj@example.org", "--data", &data]).await;
    assert_eq!(self::me(wiki, Some(local.token(RAJ))).await.json()["email"], "raj@example.org");
}

// ---------------------------------------------------------------------------------------------------------
// Proxy mode

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_mode_believes_identity_headers_from_a_trusted_proxy() {
    let local = serve_local(small_fixture(), &[], |config| {
        config.auth.mode = AuthMode::Proxy;
        config.auth.trusted_proxies = vec!["127.0.0.1".into()];
        config.auth.proxy.group_roles = BTreeMap::from([("wiki-admins".to_string(), Role::Admin)]);
    })
    .await;
    let wiki = &local.wiki;
    let carol = [
        ("X-Forwarded-User", "carol"),
        ("X-Forwarded-Email", "carol@example.com"),
        ("X-Forwarded-Groups", "hr,wiki-admins"),
    ];
    let reply = api(wiki, "GET", "/-/api/me", None, None, &carol).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let me = reply.json();
    assert_eq!(me["username"], "carol", "{me}");
    assert_eq!(me["email"], "carol@example.com", "{me}");
    assert_eq!(me["role"], "admin", "the wiki-admins group maps to admin: {me}");
    assert_eq!(me["mode"], "proxy", "{me}");
    let groups: Vec<&str> =
        me["groups"].as_array().map(|it| it.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert!(groups.contains(&"hr") && groups.contains(&"wiki-admins"), "{me}");
    let admin = wiki.send("GET", "/-/admin", &carol, "").await;
    assert_eq!(admin.status, 200, "an admin through the proxy: {}", admin.text());

    let dave = [("X-Forwarded-User", "dave"), ("X-Forwarded-Email", "dave@example.com")];
    let reply = api(wiki, "GET", "/-/api/me", None, None, &dave).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["role"], "editor", "first sight gives default_role: {}", reply.text());
    assert_eq!(wiki.send("GET", "/-/admin", &dave, "").await.status, 403, "an editor through the proxy on /-/admin");

    let anonymous = self::me(wiki, None).await;
    assert_eq!(api_outcome(&anonymous), "401", "no headers: {}", anonymous.text());
    let login = wiki.get("/-/login").await;
    assert_eq!(login.status, 200, "{}", login.text());
    // The page sends people to the proxy's sign-in (its wording is the theme's): it asks for no password.
    let password_fields =
        elements(&login.text(), "input").into_iter().filter(|it| it.attr("type") == "password").count();
    assert_eq!(password_fields, 0, "the login page asks for a password in proxy mode:\n{}", login.text());

    let data = wiki.data_dir().display().to_string();
    let listed = lore(wiki.root(), &["user", "list", "--data", &data]).await;
    assert!(
        listed.stdout.contains("carol") && listed.stdout.contains("dave"),
        "first sight creates the accounts:\n{}",
        listed.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_headers_from_an_address_that_is_no_trusted_proxy_are_refused() {
    let proxy = serve_local(small_fixture(), &[], |config| {
        config.auth.mode = AuthMode::Proxy;
        config.auth.trusted_proxies = vec!["10.9.9.9".into()];
    })
    .await;
    let carol = [
        ("X-Forwarded-User", "carol"),
        ("X-Forwarded-Email", "carol@example.com"),
        ("X-Forwarded-Groups", "hr,wiki-admins"),
    ];
    let mut problems = Vec::new();
    for path in ["/-/api/me", "/pub/page", "/-/admin"] {
        let reply = proxy.wiki.send("GET", path, &carol, "").await;
        if reply.status != 403 {
            problems.push(format!("proxy mode, GET {path} claiming to be carol: {}", reply.status));
        }
    }
    let anonymous = me(&proxy.wiki, None).await;
    if anonymous.status != 401 {
        problems.push(format!("proxy mode, no headers: /-/api/me answered {}", anonymous.status));
    }
    assert!(problems.is_empty(), "spoofed identity headers were not refused with 403:\n{}", problems.join("\n"));
}

// docs/ACCOUNTS.md, Hardening: identity headers from an address not in `trusted_proxies` are refused with 403,
// whatever the mode. In local mode no address is trusted by default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_headers_are_refused_in_local_mode_too() {
    let local = serve_local(small_fixture(), &[ADA], |_| {}).await;
    let ada = [("X-Forwarded-User", "ada"), ("X-Forwarded-Email", ADA.email)];
    let mut problems = Vec::new();
    for path in ["/-/api/me", "/-/admin"] {
        let reply = local.wiki.send("GET", path, &ada, "").await;
        if reply.status == 200 {
            problems.push(format!("GET {path} claiming to be ada was believed: {}", reply.text()));
        } else if reply.status != 403 {
            problems.push(format!("GET {path} claiming to be ada: {}, expected 403", reply.status));
        }
    }
    assert!(problems.is_empty(), "spoofed identity headers in local mode:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------
// Authorship and the push log

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_commit_made_through_lore_records_its_account() {
    let local = serve_local(small_fixture(), &[EDDIE, HARRIET], |_| {}).await;
    let wiki = &local.wiki;
    let mut commits = Vec::new();
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let csrf = browser.csrf_token().await;
    let blob = wiki.blob_at_head("pub/page.md");
    let fields =
        [("markdown", "# Public page\n\nSaved in the browser.\n"), ("base_blob", &blob), ("csrf_token", &csrf)];
    let reply = browser.post_form("/-/edit/pub/page.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    commits.push(("eddie", "a browser save", wiki.head()));
    let body = json!({"markdown": "# Harriet's page\n"});
    let reply = api(wiki, "PUT", "/-/api/pages/pub/harriet", Some(local.token(HARRIET)), Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    commits.push(("harriet", "an API save", wiki.head()));
    let question = json!({"title": "Where is the rota?", "body": "I cannot find it."});
    let reply = api(wiki, "POST", "/-/api/questions", Some(local.token(HARRIET)), Some(&question), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    commits.push(("harriet", "a question", wiki.head()));
    let state = lore::state::StateStore::open(&wiki.data_dir()).expect("the state database opens");
    let log = lore::auth::PushLog::new(std::sync::Arc::new(state));
    for (account, what, commit) in commits {
        let commit: lore::store::ObjectId = commit.parse().expect("a commit id");
        assert_eq!(log.pusher(commit).as_deref(), Some(account), "{what} records no account");
    }
    // Commits whose author is the account show no "pushed by": only pushes of someone else's commits do.
    let history = api(wiki, "GET", "/-/api/history/pub/page", Some(local.token(EDDIE)), None, &[]).await.json();
    assert_eq!(history["commits"][0]["pushed_by"], Value::Null, "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_committed_as_the_logged_in_account_and_other_authors_are_refused() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let token = local.token(EDDIE);
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let csrf = browser.csrf_token().await;
    let blob = wiki.blob_at_head("pub/page.md");
    let fields = [
        ("markdown", "# Public page\n\nSaved in the browser.\n"),
        ("message", "Save in the browser"),
        ("base_blob", &blob),
        ("csrf_token", &csrf),
        ("author_name", BOB.name),
        ("author_email", BOB.email),
    ];
    let reply = browser.post_form("/-/edit/pub/page.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author(), "a browser save names the form's author instead of the account");

    let if_match = format!("\"{}\"", wiki.blob_at_head("pub/page.md"));
    let body = json!({"markdown": "# Public page\n\nSaved through the API.\n"});
    let reply = api(wiki, "PUT", "/-/api/pages/pub/page", Some(token), Some(&body), &[("If-Match", &if_match)]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author(), "an API save is not committed as the account");

    let head = wiki.head();
    let if_match = format!("\"{}\"", wiki.blob_at_head("pub/page.md"));
    let forged = json!({"markdown": "# Forged\n", "author": {"name": BOB.name, "email": BOB.email}});
    let reply = api(wiki, "PUT", "/-/api/pages/pub/page", Some(token), Some(&forged), &[("If-Match", &if_match)]).await;
    assert_eq!(api_outcome(&reply), "403", "an API save naming another author: {}", reply.text());
    assert_eq!(wiki.head(), head, "a refused save committed");
    let forged = json!({"title": "Forged question", "body": "Who?", "author": {"name": BOB.name, "email": BOB.email}});
    let reply = api(wiki, "POST", "/-/api/questions", Some(token), Some(&forged), &[]).await;
    assert_eq!(api_outcome(&reply), "403", "a question naming another author: {}", reply.text());
    assert_eq!(wiki.head(), head, "a refused question committed");

    let own =
        json!({"markdown": "# Public page\n\nMy own name.\n", "author": {"name": EDDIE.name, "email": EDDIE.email}});
    let reply = api(wiki, "PUT", "/-/api/pages/pub/page", Some(token), Some(&own), &[("If-Match", &if_match)]).await;
    assert_eq!(reply.status, 200, "an API save naming the account itself: {}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author());

    let body = json!({"title": "Who has the projector?", "body": "For Friday."});
    let reply = api(wiki, "POST", "/-/api/questions", Some(token), Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(last_author(wiki), EDDIE.author());
    let path = reply.json()["path"].as_str().expect("a path").to_string();
    let question = wiki.file_at_head(&path);
    assert!(question.contains(&format!("asked_by: {}", EDDIE.author())), "{question}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_record_who_pushed_and_history_shows_it() {
    let local = serve_local(small_fixture(), &[EDDIE], |config| config.auth.anonymous_read = false).await;
    let wiki = &local.wiki;
    let token = local.token(EDDIE);
    // The documented way: the token as the password in the URL, sent after git's first request is refused.
    let writer = Writer::clone_url(&token_url(wiki, token)).await;
    writer.write("notes/pushed.md", "# Pushed\n\nWritten by Ann, pushed by Eddie.\n");
    let commit = writer.commit_as(ANN, "Add a note Ann wrote").await;
    let push = writer.git(&["push", "origin", &format!("HEAD:{}", wiki.branch_ref)]).await;
    assert!(push.success, "Eddie's push was refused:\n{}", push.output);
    assert_eq!(wiki.head(), commit, "the push did not land");

    let history = wait_for_history(wiki, token, "notes/pushed.md", &commit).await;
    let entry = history_entry(&history, &commit);
    assert_eq!(entry["author"]["name"], ANN.name, "git's own author line is kept: {entry}");
    assert_eq!(entry["pushed_by"], "eddie", "{entry}");

    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let page = browser.get("/-/history/notes/pushed").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(text_of(&page.text()).to_lowercase().contains("pushed by"), "the history page does not say who pushed");

    let csrf = browser.csrf_token().await;
    let blob = wiki.blob_at_head("notes/pushed.md");
    let fields =
        [("markdown", "# Pushed\n\nThen edited in the browser.\n"), ("base_blob", &blob), ("csrf_token", &csrf)];
    let reply = browser.post_form("/-/edit/notes/pushed.md", &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    let saved = wiki.head();
    let history = wait_for_history(wiki, token, "notes/pushed.md", &saved).await;
    let entry = history_entry(&history, &saved);
    assert!(entry["pushed_by"].is_null(), "a browser save has no pusher: {entry}");
}

// ---------------------------------------------------------------------------------------------------------
// Folder rules

/// `hr/` may be read by the hr group only; `policies/` edited by the legal group only.
pub(crate) fn folder_rules() -> Vec<FolderRule> {
    vec![
        FolderRule { path: "hr/**".into(), read: Some(vec!["hr".into()]), edit: None },
        FolderRule { path: "policies/**".into(), read: None, edit: Some(vec!["legal".into()]) },
    ]
}

/// Lists that name the hr page to those who may read it (it is tagged, linked from nowhere, links out, and has a
/// broken link), and so must not to anyone else.
const LISTS_NAMING_THE_HR_PAGE: [&str; 10] = [
    "/-/api/suggest?q=Salary",
    "/-/links/broken",
    "/-/api/similar?q=What%20are%20the%20salary%20bands",
    "/-/changes.atom",
    "/-/api/changes",
    "/-/api/links/pub/page.md",
    "/-/pages",
    "/-/links/orphans",
    "/-/api/tags/pay",
    "/-/tags/pay",
];

/// Public pages by Ann, then a restricted hr page, which links to a public page, in a commit of its own.
fn rules_fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n\nWelcome.\n");
    fixture.write("pub/page.md", "# Public page\n\nOpen to everyone.\n");
    fixture.write("policies/travel.md", "# Travel policy\n\nTake the train.\n");
    fixture.commit(ANN, "Add the public pages");
    fixture.write(
        "hr/salaries.md",
        "---\ntitle: Salary bands\ntags: [pay]\n---\n\nThe zorblax bands. See [[pub/page]] and [the old ones](old-bands.md).\n",
    );
    fixture.commit(BOB, "Add the salary bands");
    fixture
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_rules_hide_restricted_pages_wherever_they_could_surface() {
    let local = serve_local(rules_fixture(), &[RITA, EDDIE, HANNA, ADA], |config| {
        config.auth.rules = folder_rules();
    })
    .await;
    let wiki = &local.wiki;
    wait_until_indexed(wiki, local.token(ADA)).await;
    let mut problems = Vec::new();
    for outsider in [RITA, EDDIE] {
        let mut browser = Browser::logged_in(wiki, outsider).await;
        let who = outsider.username;
        for path in [
            "/hr/salaries",
            "/hr/does-not-exist",
            "/-/raw/hr/salaries.md",
            "/-/history/hr/salaries",
            "/-/blame/hr/salaries",
            "/-/api/pages/hr/salaries",
            "/-/api/history/hr/salaries.md",
        ] {
            let reply = browser.get(path).await;
            if reply.status != 403 {
                problems.push(format!("{who}: GET {path} answered {}, expected 403", reply.status));
            }
        }
        let hits = browser.get("/-/api/search?q=zorblax").await;
        if hits.status != 200 || !hit_paths(&hits.json()).is_empty() {
            problems.push(format!("{who}: searching a word only the hr page holds: {} {}", hits.status, hits.text()));
        }
        for path in LISTS_NAMING_THE_HR_PAGE {
            let reply = browser.get(path).await;
            // A tag only hidden pages carry does not exist for outsiders.
            let answered = reply.status == 200 || (path.contains("/tags/") && reply.status == 404);
            if !answered || reply.text().contains("hr/salaries") {
                problems.push(format!(
                    "{who}: GET {path} answered {} mentioning hr/salaries: {}",
                    reply.status,
                    reply.text()
                ));
            }
        }
        let policy = browser.get("/policies/travel").await;
        if policy.status != 200 {
            problems.push(format!("{who}: an edit rule hid /policies/travel from a reader: {}", policy.status));
        }
    }

    // Members of hr, and admins, who are never limited by rules, see it all.
    for insider in [HANNA, ADA] {
        let mut browser = Browser::logged_in(wiki, insider).await;
        let who = insider.username;
        for (path, status) in [
            ("/hr/salaries", 200),
            ("/hr/does-not-exist", 404),
            ("/-/raw/hr/salaries.md", 200),
            ("/-/history/hr/salaries", 200),
            ("/-/api/pages/hr/salaries", 200),
            ("/-/api/history/hr/salaries.md", 200),
        ] {
            let reply = browser.get(path).await;
            if reply.status != status {
                problems.push(format!("{who}: GET {path} answered {}, expected {status}", reply.status));
            }
        }
        let hits = browser.get("/-/api/search?q=zorblax").await;
        if hits.status != 200 || hit_paths(&hits.json()) != ["hr/salaries.md"] {
            problems.push(format!("{who}: searching zorblax: {} {}", hits.status, hits.text()));
        }
        for path in LISTS_NAMING_THE_HR_PAGE {
            let reply = browser.get(path).await;
            if reply.status != 200 || !reply.text().contains("hr/salaries") {
                problems.push(format!(
                    "{who}: GET {path} answered {} without hr/salaries: {}",
                    reply.status,
                    reply.text()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "folder rules:\n{}", problems.join("\n"));
}

// Regression tests of the adversarial run (issue 16), each named after the bug it pins.

/// The hostile spellings of `hr/salaries` that a trimming parser judged as a path no rule matches.
const WHITESPACE_SPELLINGS: [&str; 5] =
    ["%20hr/salaries", "%09hr/salaries", "%C2%A0hr/salaries", "hr/salaries%20", "%0Bhr/salaries"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leading_whitespace_bypasses_no_folder_rule() {
    let local = serve_local(rules_fixture(), &[RITA, EDDIE, ADA], |config| config.auth.rules = folder_rules()).await;
    let wiki = &local.wiki;
    wait_until_indexed(wiki, local.token(ADA)).await;
    let head = wiki.head();
    let blob = wiki.blob_at_head("hr/salaries.md");
    let mut problems = Vec::new();
    let mut check = |who: &str, what: String, reply: &Reply| {
        // Refused as a bad path (400) or as a forbidden one (403): never served, never acted on.
        if !matches!(reply.status, 400 | 403) || reply.text().contains("zorblax") {
            problems.push(format!("{who}: {what} answered {}: {}", reply.status, reply.text()));
        }
    };
    for spelling in WHITESPACE_SPELLINGS {
        for outsider in [RITA, EDDIE] {
            let token = Some(local.token(outsider));
            for path in [
                format!("/-/diff/{spelling}"),
                format!("/-/api/diff/{spelling}"),
                format!("/-/history/{spelling}"),
                format!("/-/api/history/{spelling}"),
                format!("/-/blame/{spelling}"),
                format!("/-/raw/{spelling}.md"),
                format!("/-/api/pages/{spelling}"),
                format!("/{spelling}?rev={head}"),
                format!("/{spelling}"),
                format!("/-/edit/{spelling}"),
            ] {
                let reply = api(wiki, "GET", &path, token, None, &[]).await;
                check(outsider.username, format!("GET {path}"), &reply);
            }
        }
        let eddie = Some(local.token(EDDIE));
        let if_match = format!("\"{blob}\"");
        let body = json!({"markdown": "# Overwritten by Eddie\n"});
        let path = format!("/-/api/pages/{spelling}");
        let reply = api(wiki, "PUT", &path, eddie, Some(&body), &[("If-Match", &if_match)]).await;
        check("eddie", format!("PUT {path}"), &reply);
        let path = format!("/-/api/pages/{}", spelling.replace("salaries", "new-band"));
        let reply = api(wiki, "PUT", &path, eddie, Some(&body), &[]).await;
        check("eddie", format!("PUT {path}"), &reply);
        let path = format!("/-/api/pages/{spelling}/move");
        let reply =
            api(wiki, "POST", &path, eddie, Some(&json!({"to": "pub/moved"})), &[("If-Match", &if_match)]).await;
        check("eddie", format!("POST {path}"), &reply);
        let path = format!("/-/api/pages/{spelling}");
        let reply = api(wiki, "DELETE", &path, eddie, None, &[("If-Match", &if_match)]).await;
        check("eddie", format!("DELETE {path}"), &reply);
    }
    assert!(problems.is_empty(), "whitespace spellings of a hidden page:\n{}", problems.join("\n"));
    assert_eq!(wiki.head(), head, "nothing was committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_answer_reads_no_blob_of_another_path() {
    let local = serve_local(rules_fixture(), &[EDDIE, ADA], |config| config.auth.rules = folder_rules()).await;
    let wiki = &local.wiki;
    wait_until_indexed(wiki, local.token(ADA)).await;
    let head = wiki.head();
    // Eddie knows the id of the hidden page's blob (ids travel in logs and links) and names it as the version
    // his edit of a public page started from.
    let hidden_blob = wiki.blob_at_head("hr/salaries.md");
    let if_match = format!("\"{hidden_blob}\"");
    let body = json!({"markdown": "# Public page\n\nEddie's words.\n"});
    let reply =
        api(wiki, "PUT", "/-/api/pages/pub/page", Some(local.token(EDDIE)), Some(&body), &[("If-Match", &if_match)])
            .await;
    assert!(
        reply.status == 400 || reply.status == 412,
        "a base that is no version of the page is refused: {} {}",
        reply.status,
        reply.text()
    );
    assert!(!reply.text().contains("zorblax"), "the answer holds the hidden page: {}", reply.text());
    assert_eq!(wiki.head(), head, "nothing was committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_named_move_or_restore_keep_their_folder_rules() {
    let local = serve_local(rules_fixture(), &[EDDIE, HARRIET], |config| config.auth.rules = folder_rules()).await;
    let wiki = &local.wiki;
    let head = wiki.head();
    let body = json!({"markdown": "# Planted by Eddie\n"});
    for name in ["move", "restore", "verify"] {
        let path = format!("/-/api/pages/hr/{name}");
        let reply = api(wiki, "PUT", &path, Some(local.token(EDDIE)), Some(&body), &[]).await;
        assert_eq!(api_outcome(&reply), "403", "eddie: PUT {path}: {}", reply.text());
    }
    assert_eq!(wiki.head(), head, "nothing was written into hr/");
    // Someone in hr may create a page of that name; it is a page like any other.
    let reply = api(wiki, "PUT", "/-/api/pages/hr/move", Some(local.token(HARRIET)), Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "harriet: PUT /-/api/pages/hr/move: {}", reply.text());
    assert_eq!(wiki.file_at_head("hr/move.md"), "# Planted by Eddie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_rules_limit_who_may_edit() {
    let local = serve_local(rules_fixture(), &[RITA, EDDIE, LENA], |config| config.auth.rules = folder_rules()).await;
    let wiki = &local.wiki;
    let head = wiki.head();
    let mut problems = Vec::new();
    let eddie = local.token(EDDIE);
    for (path, blob) in [
        ("policies/travel", Some(wiki.blob_at_head("policies/travel.md"))),
        ("policies/new-rule", None),
        ("hr/salaries", Some(wiki.blob_at_head("hr/salaries.md"))),
        ("hr/new-band", None),
    ] {
        let if_match = blob.map(|it| format!("\"{it}\""));
        let headers: Vec<(&str, &str)> = if_match.iter().map(|it| ("If-Match", it.as_str())).collect();
        let body = json!({"markdown": "# Changed by Eddie\n"});
        let reply = api(wiki, "PUT", &format!("/-/api/pages/{path}"), Some(eddie), Some(&body), &headers).await;
        if api_outcome(&reply) != "403" {
            problems.push(format!("eddie: PUT {path}: {}", api_outcome(&reply)));
        }
    }
    let mut browser = Browser::logged_in(wiki, EDDIE).await;
    let csrf = browser.csrf_token().await;
    let blob = wiki.blob_at_head("policies/travel.md");
    let fields = [("markdown", "# Changed by Eddie\n"), ("base_blob", &blob), ("csrf_token", &csrf)];
    let reply = browser.post_form("/-/edit/policies/travel.md", &fields).await;
    if reply.status != 403 {
        problems.push(format!("eddie: browser save of policies/travel: {}", reply.status));
    }
    if wiki.head() != head {
        problems.push("a refused edit moved the branch".to_string());
    }
    let reply = api_get(wiki, "/-/api/pages/policies/travel", Some(local.token(RITA))).await;
    if reply.status != 200 {
        problems.push(format!("rita: reading policies/travel: {}", reply.status));
    }
    let reply = api(
        wiki,
        "PUT",
        "/-/api/pages/policies/travel",
        Some(local.token(LENA)),
        Some(&json!({"markdown": "# Travel policy\n\nTake the night train.\n"})),
        &[("If-Match", &format!("\"{}\"", wiki.blob_at_head("policies/travel.md")))],
    )
    .await;
    if reply.status != 200 {
        problems.push(format!("lena (legal): PUT policies/travel: {} {}", reply.status, reply.text()));
    }
    assert!(problems.is_empty(), "folder edit rules:\n{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_clones_and_pushes_need_access_to_every_folder() {
    let local = serve_local(rules_fixture(), &[RITA, HANNA, HARRIET, LENA, ADA], |config| {
        config.auth.rules = folder_rules();
        config.auth.anonymous_read = true;
    })
    .await;
    let wiki = &local.wiki;
    let mut problems = Vec::new();
    for (who, token, status, cloned) in [
        ("anonymous", None, 401, false),
        ("rita (reader, not in hr)", Some(local.token(RITA)), 403, false),
        ("hanna (reader in hr)", Some(local.token(HANNA)), 200, true),
    ] {
        let probe = git_probe(wiki, "git-upload-pack", token).await;
        let url = token.map_or_else(|| wiki.url("/wiki.git"), |it| token_url(wiki, it));
        let clone = Writer::try_clone_url(&url).await;
        if probe_outcome(&probe) != status.to_string() || clone.is_ok() != cloned {
            problems.push(format!(
                "{who}: ref discovery {}, clone {}; expected {status} and {}",
                probe_outcome(&probe),
                if clone.is_ok() { "made" } else { "refused" },
                if cloned { "made" } else { "refused" }
            ));
        }
    }

    let writer = Writer::clone_url(&token_url(wiki, local.token(ADA))).await;
    writer.write("notes/from-git.md", "# From git\n\nOutside every restricted folder.\n");
    let commit = writer.commit_as(ANN, "Add a note").await;
    let head = wiki.head();
    let push =
        writer.git(&["push", &token_url(wiki, local.token(HARRIET)), &format!("HEAD:{}", wiki.branch_ref)]).await;
    if push.success || wiki.head() != head {
        problems.push(format!("harriet (editor, not in legal) pushed:\n{}", push.output));
    }
    let probe = git_probe(wiki, "git-receive-pack", Some(local.token(HARRIET))).await;
    if probe.status != 403 {
        problems.push(format!("harriet: receive-pack discovery answered {}, expected 403", probe.status));
    }
    let push = writer.git(&["push", &token_url(wiki, local.token(LENA)), &format!("HEAD:{}", wiki.branch_ref)]).await;
    if !push.success || wiki.head() != commit {
        problems.push(format!("lena (editor in hr and legal) could not push:\n{}", push.output));
    }
    assert!(problems.is_empty(), "git and folder rules:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------
// Anonymous visitors when anonymous_read is off

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_page_and_its_styles_are_public_when_anonymous_read_is_off() {
    let local = serve_local(small_fixture(), &[EDDIE], |config| config.auth.anonymous_read = false).await;
    let wiki = &local.wiki;
    let page = wiki.get("/-/login").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let styles: Vec<String> = elements(&page.text(), "link")
        .into_iter()
        .filter(|it| it.attr("rel") == "stylesheet")
        .map(|it| it.attr("href"))
        .collect();
    assert!(!styles.is_empty(), "the login page has no stylesheet: {}", page.text());
    for href in styles {
        let reply = wiki.get(&href).await;
        assert_eq!(reply.status, 200, "{href} is not served to someone who has not logged in yet");
    }
    let home = wiki.get("/").await;
    assert_eq!(home.status, 303, "{}", home.text());
    assert_eq!(home.header("location").as_deref(), Some("/-/login?next=%2F"));
}

// ---------------------------------------------------------------------------------------------------------
// Open mode

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_mode_still_lets_anyone_edit_on_loopback() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let body = json!({"markdown": "# Anyone\n", "author": {"name": BOB.name, "email": BOB.email}});
    let reply = api(&wiki, "PUT", "/-/api/pages/notes/anyone", None, Some(&body), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(last_author(&wiki), format!("{} <{}>", BOB.name, BOB.email));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_mode_refuses_to_listen_beyond_loopback_without_allow_open() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let port = free_loopback_addr().port();
    let everywhere = format!("0.0.0.0:{port}");
    let cwd = dir.path().to_path_buf();
    let listen = everywhere.clone();
    let output = blocking(move || run_lore(&cwd, &["serve", "--listen", &listen, "--data", "data"])).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "open mode started on {everywhere}:\n{stderr}");
    assert!(stderr.contains("--allow-open"), "the refusal does not mention --allow-open:\n{stderr}");

    let listen: std::net::SocketAddr = everywhere.parse().expect("an address");
    let lore = LoreProcess::serve_at(dir.path(), listen, &["--data", "data", "--allow-open"]);
    let home = get_url(&format!("{}/", lore.base_url)).await;
    assert_eq!(home.status, 200, "{}", home.text());
    assert!(text_of(&home.text()).to_lowercase().contains("open mode"), "no open-mode banner:\n{}", home.text());
    lore.stop();

    let config = dir.path().join("lore.yaml");
    std::fs::write(&config, "auth:\n  allow_open: true\n").expect("write lore.yaml");
    let config = config.display().to_string();
    let lore = LoreProcess::serve_at(dir.path(), listen, &["--data", "data", "--config", &config]);
    let home = get_url(&format!("{}/", lore.base_url)).await;
    assert_eq!(home.status, 200, "auth.allow_open in lore.yaml: {}", home.text());
    assert!(text_of(&home.text()).to_lowercase().contains("open mode"), "no open-mode banner:\n{}", home.text());
}

// ---------------------------------------------------------------------------------------------------------
// Serving a wiki with accounts

/// A wiki in local mode with accounts, and each account's `tests` token.
pub(crate) struct LocalWiki {
    pub(crate) wiki: TestWiki,
    tokens: BTreeMap<&'static str, String>,
    // Owns the bare repository the wiki serves.
    _fixture: Fixture,
}

impl LocalWiki {
    /// The secret of `account`'s `tests` token.
    #[track_caller]
    pub(crate) fn token(&self, account: Account) -> &str {
        self.tokens.get(account.username).unwrap_or_else(|| panic!("no account {}", account.username))
    }
}

/// Serves a bare clone of `fixture` (so pushes land) in local mode, with hooks that run the real `lore`;
/// `configure` adjusts the settings, then `accounts` are written to the data folder before the server starts.
pub(crate) async fn serve_local(
    fixture: Fixture,
    accounts: &[Account],
    configure: impl FnOnce(&mut Config),
) -> LocalWiki {
    let bare = fixture.bare_clone();
    let mut tokens = BTreeMap::new();
    let wiki = TestWiki::managed_with(|config| {
        config.repo = Some(bare);
        config.lore_binary = Some(PathBuf::from(env!("CARGO_BIN_EXE_lore")));
        config.auth.mode = AuthMode::Local;
        configure(config);
        std::fs::create_dir_all(&config.data).expect("create the data folder");
        let store = Accounts::open(&config.data).expect("the account store opens");
        for account in accounts {
            let user = NewUser {
                username: account.username.into(),
                name: account.name.into(),
                email: account.email.into(),
                role: account.role,
                groups: account.groups.iter().map(|it| it.to_string()).collect(),
                password: Some(PASSWORD.into()),
            };
            store.add_user(user).unwrap_or_else(|err| panic!("add {}: {err}", account.username));
            let (_, token) = store
                .create_token(account.username, "tests")
                .unwrap_or_else(|err| panic!("a token for {}: {err}", account.username));
            tokens.insert(account.username, token);
        }
    })
    .await;
    LocalWiki { wiki, tokens, _fixture: fixture }
}

/// A home page and a public page.
pub(crate) fn small_fixture() -> Fixture {
    Fixture::with_files(&[("index.md", "# Home\n\nWelcome.\n"), ("pub/page.md", "# Public page\n\nHello.\n")])
}

/// A question file asked by `asked_by`, dated 2025-01-01.
fn question_text(title: &str, asked_by: Author) -> String {
    format!(
        "---\ntitle: {title}\ntags: [matrix]\nasked_by: {} <{}>\nasked_at: 2025-01-01T09:00:00Z\nstatus: open\n---\n\nDetails.\n",
        asked_by.name, asked_by.email
    )
}

/// An answer file by `author`.
fn answer_text(author: Author, body: &str) -> String {
    format!("---\nauthor: {} <{}>\nanswered_at: 2025-01-02T10:00:00Z\n---\n\n{body}\n", author.name, author.email)
}

/// Waits until the change index is built and search has caught up, asking as the owner of `token` (anonymous
/// visitors may not be allowed to ask); panics after [`PATIENCE`].
pub(crate) async fn wait_until_indexed(wiki: &TestWiki, token: &str) {
    let started = Instant::now();
    loop {
        let health = api_get(wiki, "/-/healthz", Some(token)).await;
        let search = api_get(wiki, "/-/api/search?q=page", Some(token)).await;
        let indexed = health.status == 200
            && serde_json::from_slice::<Value>(&health.body).is_ok_and(|it| it["history_indexed"] == true)
            && search.status == 200
            && serde_json::from_slice::<Value>(&search.body).is_ok_and(|it| it["indexing"] == false);
        if indexed {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "not indexed within {PATIENCE:?}: healthz {} {}; search {} {}",
            health.status,
            health.text(),
            search.status,
            search.text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Polls `/-/api/history/<path>` as the owner of `token` until it lists `commit`; panics after [`PATIENCE`].
async fn wait_for_history(wiki: &TestWiki, token: &str, path: &str, commit: &str) -> Value {
    let started = Instant::now();
    loop {
        let reply = api_get(wiki, &format!("/-/api/history/{path}?limit=50"), Some(token)).await;
        let listed = reply.status == 200
            && serde_json::from_slice::<Value>(&reply.body)
                .is_ok_and(|it| it["commits"].as_array().is_some_and(|c| c.iter().any(|e| e["commit"] == commit)));
        if listed {
            return reply.json();
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the history of {path} does not list {commit} within {PATIENCE:?}: {} {}",
            reply.status,
            reply.text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The entry of `commit` in a history answer.
#[track_caller]
fn history_entry<'a>(history: &'a Value, commit: &str) -> &'a Value {
    history["commits"]
        .as_array()
        .and_then(|it| it.iter().find(|entry| entry["commit"] == commit))
        .unwrap_or_else(|| panic!("no {commit} in {history}"))
}

/// `Name <email>` of the last commit on the served branch.
#[track_caller]
fn last_author(wiki: &TestWiki) -> String {
    wiki.git(&["log", "-1", "--format=%an <%ae>", &wiki.branch_ref])
}

// ---------------------------------------------------------------------------------------------------------
// The API and tokens

/// A request to the JSON API, with `Authorization: Bearer <token>` when a token is given.
pub(crate) async fn api(
    wiki: &TestWiki,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Reply {
    let authorization = token.map(|it| format!("Bearer {it}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(authorization) = &authorization {
        headers.push(("Authorization", authorization));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    headers.extend_from_slice(extra);
    wiki.send(method, path, &headers, body.map(Value::to_string).unwrap_or_default()).await
}

pub(crate) async fn api_get(wiki: &TestWiki, path: &str, token: Option<&str>) -> Reply {
    api(wiki, "GET", path, token, None, &[]).await
}

/// `GET /-/api/me`.
async fn me(wiki: &TestWiki, token: Option<&str>) -> Reply {
    api_get(wiki, "/-/api/me", token).await
}

/// The id of the caller's token called `name`, from `GET /-/api/tokens`.
async fn token_id(wiki: &TestWiki, token: &str, name: &str) -> String {
    let reply = api_get(wiki, "/-/api/tokens", Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let list = reply.json();
    list.as_array()
        .and_then(|it| it.iter().find(|entry| entry["name"] == name))
        .and_then(|entry| entry["id"].as_str())
        .unwrap_or_else(|| panic!("no token {name:?} in {list}"))
        .to_string()
}

/// Asserts the documented token format: `lore_` and 40 hex characters.
#[track_caller]
fn assert_token_format(token: &str) {
    let hex = token.strip_prefix("lore_").unwrap_or_else(|| panic!("a token without the lore_ prefix: {token:?}"));
    assert!(hex.len() == 40 && hex.bytes().all(|it| it.is_ascii_hexdigit()), "not lore_ and 40 hex: {token:?}");
}

// ---------------------------------------------------------------------------------------------------------
// git

/// What a finished `git` command did.
struct GitRun {
    success: bool,
    /// Standard output and error.
    output: String,
}

/// Runs `git args` in `dir` on a blocking thread (the server runs in this process).
async fn run_git(dir: &Path, args: &[&str]) -> GitRun {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|it| it.to_string()).collect();
    blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = git_command(&dir, &args).output().expect("git is installed");
        GitRun {
            success: output.status.success(),
            output: format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
        }
    })
    .await
}

/// `http://x:TOKEN@127.0.0.1:PORT/wiki.git`, as docs/ACCOUNTS.md tells people to clone.
fn token_url(wiki: &TestWiki, token: &str) -> String {
    format!("http://x:{token}@127.0.0.1:{}/wiki.git", wiki.addr.port())
}

/// `-c http.extraHeader=Authorization: Basic ...`: git then sends the token with its very first request, so
/// the server judges the token even where an anonymous visitor would be let in.
fn auth_args(token: Option<&str>) -> Vec<String> {
    match token {
        Some(token) => vec!["-c".into(), format!("http.extraHeader=Authorization: {}", basic_auth(token))],
        None => Vec::new(),
    }
}

fn basic_auth(token: &str) -> String {
    format!("Basic {}", base64(format!("x:{token}").as_bytes()))
}

/// git's ref discovery (`GET /wiki.git/info/refs?service=<service>`), with the token as the Basic password.
async fn git_probe(wiki: &TestWiki, service: &str, token: Option<&str>) -> Reply {
    let authorization = token.map(basic_auth);
    let headers: Vec<(&str, &str)> = authorization.iter().map(|it| ("Authorization", it.as_str())).collect();
    wiki.send("GET", &format!("/wiki.git/info/refs?service={service}"), &headers, "").await
}

/// Clones the wiki sending `token` from the first request; the folder is kept as long as the result.
async fn try_clone_sending(wiki: &TestWiki, token: Option<&str>) -> (TempDir, GitRun) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut args = auth_args(token);
    args.extend(["clone".into(), "--quiet".into(), wiki.url("/wiki.git"), "work".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let clone = run_git(dir.path(), &args).await;
    (dir, clone)
}

/// A writer's clone of the wiki, in a temporary folder of its own.
struct Writer {
    _dir: TempDir,
    work_tree: PathBuf,
}

impl Writer {
    /// Clones `url` (credentials in it are sent once the server asks); panics when the clone fails.
    async fn clone_url(url: &str) -> Writer {
        Writer::try_clone_url(url).await.unwrap_or_else(|output| panic!("git clone {url} failed:\n{output}"))
    }

    /// Clones `url`; git's output when the clone fails.
    async fn try_clone_url(url: &str) -> Result<Writer, String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let clone = run_git(dir.path(), &["clone", "--quiet", url, "work"]).await;
        if !clone.success {
            return Err(clone.output);
        }
        let work_tree = dir.path().join("work");
        Ok(Writer { _dir: dir, work_tree })
    }

    /// Clones the wiki sending `token` from the first request; panics when the clone fails.
    async fn clone_sending(wiki: &TestWiki, token: Option<&str>) -> Writer {
        let (dir, clone) = try_clone_sending(wiki, token).await;
        assert!(clone.success, "git clone failed:\n{}", clone.output);
        let work_tree = dir.path().join("work");
        Writer { _dir: dir, work_tree }
    }

    fn write(&self, path: &str, content: &str) {
        let full = self.work_tree.join(path);
        std::fs::create_dir_all(full.parent().expect("a file has a folder")).expect("create folders");
        std::fs::write(full, content).expect("write a file");
    }

    async fn git(&self, args: &[&str]) -> GitRun {
        run_git(&self.work_tree, args).await
    }

    /// Commits everything as `author`; returns the commit id.
    async fn commit_as(&self, author: Author, message: &str) -> String {
        let name = format!("user.name={}", author.name);
        let email = format!("user.email={}", author.email);
        for args in [vec!["add", "--all"], vec!["-c", &name, "-c", &email, "commit", "--quiet", "-m", message]] {
            let run = self.git(&args).await;
            assert!(run.success, "git {args:?} failed:\n{}", run.output);
        }
        let head = self.git(&["rev-parse", "HEAD"]).await;
        head.output.trim().to_string()
    }

    /// Pushes HEAD to the served branch, sending `token` from the first request.
    async fn push_sending(&self, wiki: &TestWiki, token: Option<&str>) -> GitRun {
        let mut args = auth_args(token);
        args.extend(["push".into(), wiki.url("/wiki.git"), format!("HEAD:{}", wiki.branch_ref)]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.git(&args).await
    }
}

// ---------------------------------------------------------------------------------------------------------
// The command line

/// What a finished `lore` command printed.
struct LoreRun {
    stdout: String,
}

/// Runs `lore args` in `cwd` on a blocking thread; panics with its output when it fails.
async fn lore(cwd: &Path, args: &[&str]) -> LoreRun {
    lore_with_input(cwd, args, "").await
}

/// Runs `lore args` in `cwd` with `input` on standard input; panics with its output when it fails.
async fn lore_with_input(cwd: &Path, args: &[&str], input: &str) -> LoreRun {
    let cwd = cwd.to_path_buf();
    let owned: Vec<String> = args.iter().map(|it| it.to_string()).collect();
    let input = input.to_string();
    let output = blocking(move || {
        let args: Vec<&str> = owned.iter().map(String::as_str).collect();
        run_lore_with_input(&cwd, &args, &input)
    })
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "lore {args:?} failed ({}):\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    LoreRun { stdout }
}

/// Runs blocking work (git, the `lore` binary) off the runtime, so the in-process server keeps serving.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.expect("the blocking task finished")
}

// ---------------------------------------------------------------------------------------------------------
// A browser without JavaScript

/// The page a [`Browser`] of these tests opens for a CSRF token: the login page sets the cookie.
const CSRF_PAGE: &str = "/-/login";

/// Logging in and out with the shared [`Browser`].
pub(crate) trait Visitor<'a>: Sized {
    /// A browser that only holds the session cookie `session` (replaying a cookie someone kept).
    fn with_session(wiki: &'a TestWiki, session: &str) -> Self;

    /// A browser logged in as `account`.
    async fn logged_in(wiki: &'a TestWiki, account: Account) -> Self;

    /// Logs in as `account`; panics unless that works.
    async fn log_in(&mut self, account: Account);

    /// Logs in; panics unless that works.
    async fn log_in_with(&mut self, username: &str, password: &str);

    /// Submits the login form.
    async fn login(&mut self, username: &str, password: &str, next: &str) -> Reply;

    /// Submits the login form with `extra` headers (as a proxy in front of Lore would add).
    async fn login_with_headers(&mut self, username: &str, password: &str, extra: &[(&str, &str)]) -> Reply;

    /// The session cookie, if the browser holds one.
    fn session(&self) -> Option<String>;
}

impl<'a> Visitor<'a> for Browser<'a> {
    fn with_session(wiki: &'a TestWiki, session: &str) -> Browser<'a> {
        let mut res = Browser::new(wiki, CSRF_PAGE);
        res.insert_cookie(SESSION_COOKIE, session);
        res
    }

    async fn logged_in(wiki: &'a TestWiki, account: Account) -> Browser<'a> {
        let mut res = Browser::new(wiki, CSRF_PAGE);
        res.log_in(account).await;
        res
    }

    async fn log_in(&mut self, account: Account) {
        self.log_in_with(account.username, PASSWORD).await;
    }

    async fn log_in_with(&mut self, username: &str, password: &str) {
        let reply = self.login(username, password, "/").await;
        assert_eq!(reply.status, 303, "logging in as {username}: {}", reply.text());
        assert!(self.session().is_some(), "no {SESSION_COOKIE} cookie after logging in as {username}");
    }

    async fn login(&mut self, username: &str, password: &str, next: &str) -> Reply {
        let csrf = self.csrf_token().await;
        let fields = [("username", username), ("password", password), ("csrf_token", &csrf), ("next", next)];
        self.post_form("/-/login", &fields).await
    }

    async fn login_with_headers(&mut self, username: &str, password: &str, extra: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf_token().await;
        let fields = [("username", username), ("password", password), ("csrf_token", &csrf), ("next", "/")];
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
        headers.extend_from_slice(extra);
        self.request("POST", "/-/login", &headers, url_encode(&fields).into_bytes()).await
    }

    fn session(&self) -> Option<String> {
        self.cookie(SESSION_COOKIE)
    }
}

/// The form posting to `action`; panics with the forms found when there is none.
#[track_caller]
fn form_posting_to(html: &str, action: &str) -> Element {
    let forms = elements(html, "form");
    let found: Vec<String> = forms.iter().map(|it| it.attr("action")).collect();
    forms.into_iter().find(|it| it.attr("action") == action).unwrap_or_else(|| {
        panic!("no form posting to {action}; forms post to {found:?}\n{html}");
    })
}

/// The `<input>` called `name` in `form`; panics when there is none.
#[track_caller]
fn input_named(form: &Element, name: &str) -> Element {
    elements(&form.inner_html, "input")
        .into_iter()
        .find(|it| it.attr("name") == name)
        .unwrap_or_else(|| panic!("no input {name:?} in the form:\n{}", form.inner_html))
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Standard base64 with padding (HTTP Basic credentials).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut res = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= chunk.len() {
                res.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                res.push('=');
            }
        }
    }
    res
}

#[test]
fn base64_matches_rfc_4648() {
    for (input, expected) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
        assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
    }
}
