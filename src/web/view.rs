//! View structs: what templates see. Small, serialisable, built from domain types so themes never
//! depend on them.

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::AppState;
use crate::Error;
use crate::content::path::url_for;
use crate::content::{PageMeta, RepoPath};
use crate::i18n::UiLanguage;
use crate::render::TocEntry;
use crate::site::{PageView, Snapshot};
use crate::store::{CommitInfo, ObjectId, Person};

/// What the layout needs on every page.
#[derive(Serialize, Clone)]
pub struct Frame {
    /// The interface language's code (`de`, `pt-BR`): `<html lang>`, and the language `t(…)` speaks.
    pub lang: &'static str,
    pub site_title: String,
    pub page_title: String,
    pub search_query: String,
    /// A one-line message after an action ("Saved.").
    pub notice: Option<String>,
    pub breadcrumbs: Vec<Crumb>,
    pub clone_url: String,
    pub nav: Nav,
    /// Questions waiting for an answer, shown in the header for experts.
    pub open_questions: usize,
    /// Who is looking, for hiding actions they may not take.
    pub account: AccountNav,
    /// The header's personal links (`_account_nav.html`), or [`ACCOUNT_SLOT`] in pages shared by many.
    pub account_nav: String,
    /// [`SAME_BEGIN`] and [`SAME_END`] in pages shared by many, else nothing.
    pub same_begin: &'static str,
    pub same_end: &'static str,
}

/// Marks where the header's personal links go in a page that everyone of an access class shares (the page
/// cache's copies); each response fills it with its viewer's [`account_nav`]. Rendered content cannot carry
/// it: the sanitiser drops comments, and the header comes before any content.
pub const ACCOUNT_SLOT: &str = "<!--lore:account-->";

/// Marks where a page's body goes in a page view made for the page cache, which keeps the body as the site's
/// render cache compressed it (`page_cache::SlotBody`). Rendered content cannot carry it either.
pub const BODY_SLOT: &str = "<!--lore:body-->";

/// Mark where a stretch that many views hold alike begins and ends (the head's links, the site's header, the
/// footer) in a page made for the page cache: it compresses such a stretch on its own and keeps one copy for
/// every view that holds it. Nothing else is in a view twice as often: about 1 KB of each view's 3 KB around
/// its body. The marks are never sent.
pub const SAME_BEGIN: &str = "<!--lore:same-->";
pub const SAME_END: &str = "<!--lore:/same-->";

/// The header's view of the visitor.
#[derive(Serialize, Default, Clone)]
pub struct AccountNav {
    pub mode: &'static str,
    pub username: Option<String>,
    pub name: Option<String>,
    pub can_edit: bool,
    pub can_ask: bool,
    pub is_admin: bool,
    /// For the logout form.
    pub csrf_token: Option<String>,
    /// Open mode on a network address: everyone who can reach the wiki may edit it.
    pub open_banner: bool,
}

/// The header's personal links for the viewer of the current request: name, admin link, logout form.
pub fn account_nav(state: &AppState) -> String {
    render_account_nav(state, &AccountNav::of(state))
}

/// The header's personal links for the viewer of the current request, and the same links when they are the
/// same for everyone of the viewer's access class (when nothing personal shows in them).
pub fn account_nav_for_sharing(state: &AppState) -> (String, Option<String>) {
    let account = AccountNav::of(state);
    let personal = render_account_nav(state, &account);
    let anonymous = render_account_nav(state, &account.anonymous());
    let shared = (anonymous == personal).then_some(anonymous);
    (personal, shared)
}

fn render_account_nav(state: &AppState, account: &AccountNav) -> String {
    #[derive(Serialize)]
    struct AccountNavTemplate<'a> {
        lang: &'static str,
        account: &'a AccountNav,
    }
    let lang = current_language(state).code();
    state.theme.render("_account_nav.html", &AccountNavTemplate { lang, account }).unwrap_or_else(|err| {
        tracing::error!(error = %err, "rendering the account links failed");
        String::new()
    })
}

impl AccountNav {
    // The same without the name and the CSRF token.
    fn anonymous(&self) -> AccountNav {
        AccountNav { username: None, name: None, csrf_token: None, ..self.clone() }
    }

    fn of(state: &AppState) -> AccountNav {
        let Some(viewer) = super::viewer::Viewer::current() else { return AccountNav::default() };
        let open = viewer.mode == crate::auth::AuthMode::Open;
        AccountNav {
            mode: viewer.mode.as_str(),
            username: viewer.user.as_ref().map(|it| it.username.clone()),
            name: viewer.user.as_ref().map(|it| it.name.clone()),
            can_edit: viewer.access.at_least(crate::auth::Role::Editor),
            can_ask: open || (viewer.user.is_some() && viewer.access.at_least(crate::auth::Role::Reader)),
            is_admin: viewer.access.is_admin(),
            csrf_token: viewer.csrf_cookie.clone(),
            open_banner: open && !state.site.config.listen.ip().is_loopback(),
        }
    }
}

/// The interface language of the request being handled (the viewer's), else the site's.
pub fn current_language(state: &AppState) -> UiLanguage {
    super::viewer::Viewer::current().map_or_else(|| state.site.config.interface_language(), |it| it.language)
}

/// The theme's messages in the current viewer's language, for words handlers build (feeds, review reasons).
pub fn words(state: &AppState) -> crate::i18n::Translator<'_> {
    state.theme.messages().in_language(current_language(state))
}

/// Why a diff shows no lines (or not all), in `words`' language.
pub fn diff_note(words: crate::i18n::Translator<'_>, note: crate::site::DiffNote) -> String {
    match note {
        crate::site::DiffNote::Long { max_lines } => {
            words.say("diff-note-long", &[("n", crate::i18n::Arg::count(max_lines))])
        }
        crate::site::DiffNote::Binary => words.say("diff-note-binary", &[]),
        crate::site::DiffNote::TooLarge => words.say("diff-note-too-large", &[]),
    }
}

/// The theme's message `id` in the current viewer's language, for what handlers tell people in HTML pages.
pub fn message(state: &AppState, id: &str, args: &[(&str, crate::i18n::Arg)]) -> String {
    state.theme.messages().format(current_language(state), id, args).unwrap_or_else(|| {
        tracing::error!(id, "a message the theme lacks");
        id.to_string()
    })
}

/// One step of the breadcrumb trail.
#[derive(Serialize, Clone)]
pub struct Crumb {
    pub title: String,
    pub url: String,
}

/// The application's own links.
#[derive(Serialize, Clone)]
pub struct Nav {
    pub home_url: &'static str,
    pub pages_url: &'static str,
    pub changes_url: &'static str,
    pub questions_url: &'static str,
    pub new_page_url: &'static str,
    pub ask_url: &'static str,
    pub people_url: &'static str,
    pub review_url: &'static str,
    pub tags_url: &'static str,
}

const NAV: Nav = Nav {
    home_url: "/",
    pages_url: "/-/pages",
    changes_url: "/-/changes",
    questions_url: "/-/questions",
    new_page_url: "/-/new",
    ask_url: "/-/ask",
    people_url: "/-/people",
    review_url: "/-/review",
    tags_url: "/-/tags",
};

impl Frame {
    /// The frame of a page titled `page_title`, without breadcrumbs.
    pub fn new(state: &AppState, host: &str, page_title: &str) -> Frame {
        let account = AccountNav::of(state);
        Frame {
            lang: current_language(state).code(),
            site_title: state.site.config.site_title.clone(),
            page_title: page_title.to_string(),
            search_query: String::new(),
            notice: None,
            breadcrumbs: Vec::new(),
            clone_url: format!("http://{host}/wiki.git"),
            nav: NAV,
            // Counted among the questions this viewer may read.
            open_questions: super::viewer::Viewer::current().map_or(0, |viewer| viewer.reader(state).open_questions()),
            account_nav: render_account_nav(state, &account),
            account,
            same_begin: "",
            same_end: "",
        }
    }

    /// The frame as everyone of this viewer's access class sees it: nothing personal (no name, no CSRF
    /// token), and [`ACCOUNT_SLOT`] where the header's personal links go.
    pub fn shared(mut self) -> Frame {
        self.account = self.account.anonymous();
        self.account_nav = ACCOUNT_SLOT.to_string();
        self.same_begin = SAME_BEGIN;
        self.same_end = SAME_END;
        self
    }

    /// Adds breadcrumbs for the folders above `path` (a file path, or a folder ending in `/`).
    pub fn with_breadcrumbs(mut self, snapshot: &Snapshot, path: &str) -> Frame {
        self.breadcrumbs = breadcrumbs(snapshot, path);
        self
    }
}

/// The host clients used to reach us, for absolute URLs such as the clone URL.
pub fn host_of(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|it| it.to_str().ok())
        .filter(|it| !it.is_empty() && it.chars().all(|ch| ch.is_ascii_alphanumeric() || ".-:[]".contains(ch)))
        .unwrap_or("localhost")
        .to_string()
}

// Home, then each folder above the page, titled by the folder's index page when it has one.
fn breadcrumbs(snapshot: &Snapshot, path: &str) -> Vec<Crumb> {
    let mut res = vec![Crumb { title: "Home".into(), url: "/".into() }];
    let trimmed = path.trim_end_matches('/');
    let mut folder = String::new();
    let segments: Vec<&str> = trimmed.split('/').collect();
    for segment in &segments[..segments.len().saturating_sub(1)] {
        folder.push_str(segment);
        folder.push('/');
        res.push(Crumb { title: folder_title(snapshot, &folder), url: url_for(&folder[..folder.len() - 1]) + "/" });
    }
    res
}

/// A folder's title: its index page's title, else its name.
pub fn folder_title(snapshot: &Snapshot, folder: &str) -> String {
    match folder_index(snapshot, folder) {
        Some(meta) => meta.title.clone(),
        None => folder.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string(),
    }
}

/// The page template's view.
#[derive(Serialize)]
pub struct PageTemplate<'a> {
    #[serde(flatten)]
    pub frame: Frame,
    pub page: &'a PageContext,
}

/// A page as the page template sees it.
#[derive(Serialize)]
pub struct PageContext {
    pub title: String,
    pub path: String,
    pub url: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub tags: Vec<String>,
    pub owners: Vec<String>,
    pub warnings: Vec<String>,
    pub updated_by: Option<Person>,
    pub updated_at_iso: Option<String>,
    pub updated_at_absolute: Option<String>,
    pub edit_url: String,
    pub raw_url: String,
    pub history_url: String,
    pub blame_url: String,
    /// Set when showing an old version (`?rev=`).
    pub revision: Option<RevisionBanner>,
    /// Set right after a restore (`?restored=1&undo=<commit>`): the form that brings the previous version back.
    pub undo: Option<UndoForm>,
    /// The pages linking here.
    pub backlinks: Vec<PageLink>,
    /// The page's language, when declared (front matter, folder rule or translation pattern).
    pub lang: Option<String>,
    /// The pages that translate this one ("Also in: Deutsch, 中文").
    pub translations: Vec<TranslationLink>,
    /// The nearest `_sidebar.md`, rendered (safe HTML), if any.
    pub sidebar_html: Option<String>,
    /// The nearest `_header.md` and `_footer.md`, rendered (safe HTML), if any.
    pub header_html: Option<String>,
    pub footer_html: Option<String>,
    /// The page tree, opened along the way to this page.
    pub tree: super::tree::TreeLevelView,
    /// Owners, review state, contributors and incoming links.
    pub health: Option<crate::site::PageHealth>,
    /// Whether the page loads KaTeX (formulas) and mermaid (diagrams).
    pub has_math: bool,
    pub has_mermaid: bool,
}

/// A link to a translation of a page, named in its own language.
#[derive(Serialize)]
pub struct TranslationLink {
    pub url: String,
    /// The language's own name ("Deutsch"), or the page's title when its language is not declared.
    pub name: String,
    pub title: String,
    pub lang: Option<String>,
}

/// The translations of the page at `path` that `reader` may read.
pub fn translations(reader: &crate::site::Reader, path: &RepoPath) -> Vec<TranslationLink> {
    reader
        .translations(path)
        .into_iter()
        .map(|it| TranslationLink {
            url: it.url,
            name: it.name,
            title: it.title,
            lang: it.language.map(|it| it.to_string()),
        })
        .collect()
}

impl PageContext {
    /// Builds the page template's view of a page.
    pub fn new(view: &PageView) -> PageContext {
        let changed_at = view.last_change.as_ref().and_then(|it| DateTime::<Utc>::from_timestamp(it.time, 0));
        PageContext {
            title: view.meta.title.clone(),
            path: view.path.as_str().to_string(),
            url: view.path.url(),
            html: view.body.html.clone(),
            toc: view.body.toc.clone(),
            tags: view.meta.front_matter.tags.clone(),
            owners: view.meta.front_matter.owners.clone(),
            warnings: view.meta.warnings.clone(),
            updated_by: view.last_change.as_ref().map(|it| Person::clone(&it.author)),
            updated_at_iso: changed_at.map(|it| it.to_rfc3339()),
            updated_at_absolute: changed_at.map(|it| it.format("%Y-%m-%d %H:%M UTC").to_string()),
            edit_url: format!("/-/edit/{}", view.path.as_str()),
            raw_url: format!("/-/raw/{}", view.path.as_str()),
            history_url: format!("/-/history/{}", view.path.as_str()),
            blame_url: format!("/-/blame/{}", view.path.as_str()),
            revision: None,
            undo: None,
            backlinks: Vec::new(),
            lang: None,
            translations: Vec::new(),
            sidebar_html: None,
            header_html: None,
            footer_html: None,
            tree: Default::default(),
            health: None,
            has_math: view.meta.has_math,
            has_mermaid: view.meta.has_mermaid,
        }
    }
}

/// The folder listing's view.
#[derive(Serialize)]
pub struct FolderTemplate<'a> {
    #[serde(flatten)]
    pub frame: Frame,
    pub folder: &'a FolderContext,
}

/// A folder without an index page.
#[derive(Serialize)]
pub struct FolderContext {
    pub title: String,
    pub path: String,
    pub url: String,
    pub entries: Vec<TreeNode>,
}

/// A page or folder in a listing or the page tree.
#[derive(Serialize)]
pub struct TreeNode {
    pub name: String,
    pub title: String,
    pub url: String,
    pub is_folder: bool,
    pub children: Vec<TreeNode>,
}

/// The all-pages view.
#[derive(Serialize)]
pub struct PagesTemplate {
    #[serde(flatten)]
    pub frame: Frame,
    pub tree: Vec<TreeNode>,
    pub n_pages: usize,
}

/// The not-found page's view.
#[derive(Serialize)]
pub struct NotFoundTemplate {
    #[serde(flatten)]
    pub frame: Frame,
    pub path: String,
    pub create_url: String,
}

/// The error page's view.
#[derive(Serialize)]
pub struct ErrorView {
    #[serde(flatten)]
    pub frame: Frame,
    pub status: u16,
    pub message: String,
}

/// When the relative time of `then` (`i18n::relative_time_unit`) next reads differently (Unix seconds), so a page that says "3 days ago"
/// can be kept until it would say "4 days ago".
pub fn relative_time_changes_at(now: DateTime<Utc>, then: DateTime<Utc>) -> i64 {
    let seconds = (now - then).num_seconds();
    // Each range of `relative_time_unit` with the length of its unit and the rounding it adds.
    let next = match seconds {
        ..=44 => 45,
        45..=5_399 => (((seconds + 30) / 60 + 1) * 60 - 30).min(5_400),
        5_400..=86_399 => (((seconds + 1_800) / 3_600 + 1) * 3_600 - 1_800).min(86_400),
        86_400..=2_591_999 => ((seconds / 86_400 + 1) * 86_400).min(2_592_000),
        2_592_000..=31_535_999 => ((seconds / 2_592_000 + 1) * 2_592_000).min(31_536_000),
        _ => (seconds / 31_536_000 + 1) * 31_536_000,
    };
    then.timestamp() + next
}

#[cfg(test)]
mod tests {
    use super::*;

    // What `i18n` writes for a time `then` seen at `now`: the message and its count.
    fn relative_time(now: DateTime<Utc>, then: DateTime<Utc>) -> (&'static str, i64) {
        crate::i18n::relative_time_unit((now - then).num_seconds())
    }

    #[test]
    fn relative_times_say_when_they_change() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        for seconds_ago in [0, 10, 44, 45, 89, 90, 3_000, 5_399, 5_400, 86_000, 86_400, 200_000, 2_600_000, 40_000_000]
        {
            let then = now - chrono::Duration::seconds(seconds_ago);
            let changes_at = relative_time_changes_at(now, then);
            assert!(changes_at > now.timestamp(), "{seconds_ago}");
            let at = |t: i64| relative_time(DateTime::<Utc>::from_timestamp(t, 0).unwrap(), then);
            assert_eq!(at(changes_at - 1), relative_time(now, then), "{seconds_ago}: the same until then");
            assert_ne!(at(changes_at), relative_time(now, then), "{seconds_ago}: different from then on");
        }
    }
}

/// The notice a page shows after an action, from the query string the action redirected with, in the
/// viewer's language.
pub fn notice_from_query(state: &AppState, query: Option<&str>) -> Option<String> {
    let pairs = super::query::pairs(query?);
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let language = current_language(state);
    let messages = state.theme.messages();
    if let Some(name) = get("merged") {
        return messages.format(language, "notice-merged", &[("name", crate::i18n::Arg::Text(name))]);
    }
    let id = if get("saved").is_some() {
        "notice-saved"
    } else if get("unchanged").is_some() {
        "notice-unchanged"
    } else if get("moved").is_some() {
        "notice-moved"
    } else if get("restored").is_some() {
        "notice-restored"
    } else {
        return None;
    };
    Some(messages.text(language, id))
}

/// The deleted page's view.
#[derive(Serialize)]
pub struct DeletedTemplate {
    #[serde(flatten)]
    pub frame: Frame,
    pub deleted: DeletedContext,
    pub csrf_token: String,
}

/// What the deleted page shows.
#[derive(Serialize)]
pub struct DeletedContext {
    pub path: String,
    pub title: String,
    pub by_name: String,
    /// When, as RFC 3339 (templates show it with `ago` and `date`).
    pub at_iso: String,
    pub at_absolute: String,
    pub restore_commit: ObjectId,
    pub history_url: String,
}

impl DeletedContext {
    /// The view of a deletion, with times relative to now.
    pub fn new(path: &RepoPath, deletion: &crate::site::Deletion) -> DeletedContext {
        let at = chrono::DateTime::<Utc>::from_timestamp(deletion.deleted_by.time, 0).unwrap_or_default();
        DeletedContext {
            path: path.as_str().to_string(),
            title: path.file_stem().replace(['-', '_'], " "),
            by_name: deletion.deleted_by.author.name.clone(),
            at_iso: at.to_rfc3339(),
            at_absolute: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            restore_commit: deletion.last_version.id,
            history_url: format!("/-/history/{}", path.as_str()),
        }
    }
}

/// A commit as lists show it.
#[derive(Serialize, Clone)]
pub struct CommitView {
    pub commit: ObjectId,
    pub short: String,
    pub author: Person,
    pub date: String,
    pub date_absolute: String,
    pub summary: String,
    pub message: String,
    /// The commit also changed what this reader may not read, so its message is withheld (`summary` and
    /// `message` are empty; templates say so in the reader's language).
    pub message_hidden: bool,
    pub url: String,
    /// The account that pushed this commit, when it came by an authenticated push by someone else.
    pub pushed_by: Option<String>,
}

impl CommitView {
    /// The message as the JSON API gives it: English, like its errors, also when it is withheld.
    pub fn message_for_programs(&self) -> &str {
        if self.message_hidden { crate::site::HIDDEN_MESSAGE } else { &self.message }
    }

    /// Notes which account made the commit (from the push log) when that is not the person its author line
    /// names: someone pushing a colleague's commits. A save through the browser or the API is recorded too,
    /// but its author is the account itself, so nothing is added.
    pub fn with_pusher(mut self, state: &AppState) -> CommitView {
        self.pushed_by = state.auth.push_log.pusher(self.commit).filter(|account| {
            let account_email = state.auth.accounts.user(account).ok().flatten().map(|it| it.email.to_lowercase());
            account_email.as_deref() != Some(self.author.email.to_lowercase().as_str())
        });
        self
    }

    /// The view of a commit, with times relative to now.
    pub fn new(info: &CommitInfo) -> CommitView {
        let at = DateTime::<Utc>::from_timestamp(info.time, 0).unwrap_or_default();
        let hidden = info.message == crate::site::HIDDEN_MESSAGE;
        CommitView {
            commit: info.id,
            short: info.id.short(),
            author: Person::clone(&info.author),
            date: at.to_rfc3339(),
            date_absolute: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            summary: if hidden { String::new() } else { info.message.lines().next().unwrap_or_default().to_string() },
            message: if hidden { String::new() } else { info.message.trim_end().to_string() },
            message_hidden: hidden,
            url: format!("/-/commit/{}", info.id),
            pushed_by: None,
        }
    }
}

/// The banner above an old version of a page.
#[derive(Serialize)]
pub struct RevisionBanner {
    pub commit: CommitView,
    pub current_url: String,
    pub compare_url: String,
    pub restore_url: String,
    pub csrf_token: String,
}

/// "Undo" after a restore: restores the version the page had in `commit`, the one the restore replaced.
#[derive(Serialize)]
pub struct UndoForm {
    pub restore_url: String,
    pub commit: String,
    pub csrf_token: String,
}

/// Status for a revision that does not hold the page.
pub fn missing_revision(path: &RepoPath, revision: &str) -> Error {
    Error::NotFound(format!("{path} did not exist in revision {}", revision.chars().take(40).collect::<String>()))
}

/// A page as lists show it.
#[derive(Serialize, Clone)]
pub struct PageLink {
    pub path: String,
    pub url: String,
    pub title: String,
}

impl PageLink {
    /// The list entry of a page of the snapshot.
    pub fn new(snapshot: &Snapshot, path: &RepoPath) -> PageLink {
        let title = snapshot.pages.get(path).map_or_else(|| path.file_stem().to_string(), |it| it.title.clone());
        PageLink { path: path.as_str().to_string(), url: path.url(), title }
    }
}

/// "What links here" for a page, sorted by title.
pub fn backlinks(snapshot: &Snapshot, path: &RepoPath) -> Vec<PageLink> {
    let mut res: Vec<PageLink> = snapshot.links.incoming(path).map(|it| PageLink::new(snapshot, it)).collect();
    res.sort_by_key(|it| it.title.to_lowercase());
    res
}

// A folder's index page (`index.md`, else `README.md`).
fn folder_index<'a>(snapshot: &'a Snapshot, folder: &str) -> Option<&'a PageMeta> {
    ["index.md", "README.md"]
        .iter()
        .find_map(|index| snapshot.pages.get(format!("{folder}{index}").as_str()))
        .map(|it| &**it)
}

/// The URL of a person's page.
pub fn person_url(email: &str) -> String {
    format!("/-/people/{}", super::query::encode(email))
}

/// A token as the account and admin pages list it.
#[derive(Serialize)]
pub struct TokenRow {
    id: String,
    username: String,
    name: String,
    created: String,
    last_used: String,
}

/// The rows of a token table.
pub fn token_rows(tokens: Vec<crate::auth::TokenInfo>) -> Vec<TokenRow> {
    let date = |time: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp(time, 0).map(|it| it.format("%Y-%m-%d %H:%M UTC").to_string())
    };
    tokens
        .into_iter()
        .map(|token| TokenRow {
            id: token.id,
            username: token.username,
            name: token.name,
            created: date(token.created_at).unwrap_or_default(),
            last_used: token.last_used_at.and_then(date).unwrap_or_else(|| "never".into()),
        })
        .collect()
}
