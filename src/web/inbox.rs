//! Reaching people on the web: following and muting (pages, folders, tags, questions, people), the list of
//! everything followed, and the inbox with its unread count. Everything here needs an account; in open mode
//! there are none, and the answers say so.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::csrf::{self, CsrfForm};
use super::error::{ApiError, PageError};
use super::view::{self, Frame};
use super::viewer::Viewer;
use super::{AppState, blocking};
use crate::auth::User;
use crate::content::RepoPath;
use crate::delivery;
use crate::i18n::{Arg, Translator};
use crate::site::Reader;
use crate::state::{FollowRecord, InboxRecord};
use crate::{Error, Result};

/// Inbox items per page.
const PER_PAGE: usize = 50;

/// A follow as the API and forms name it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    kind: String,
    target: String,
}

/// A follow as the API lists it.
#[derive(Serialize)]
struct FollowView {
    kind: String,
    target: String,
    since: String,
    auto: bool,
    muted: bool,
    url: Option<String>,
    label: String,
}

// The account behind a request, or the reason there is none.
fn account(viewer: &Viewer) -> Result<&User> {
    viewer.user.as_ref().ok_or_else(|| match viewer.mode {
        crate::auth::AuthMode::Open => {
            Error::bad_input("this wiki runs in open mode: there are no accounts, so nothing can be followed")
        }
        _ => Error::Unauthorized("please log in first".into()),
    })
}

/// A follow target checked and normalised: page and question paths as stored, folders as globs (`eng/` means
/// `eng/**`), tags and e-mails lowercased. Something the person may not read is refused as not found.
fn normalise(reader: &Reader, kind: &str, target: &str) -> Result<(String, String, Option<String>, String)> {
    let target = target.trim();
    if target.is_empty() {
        return Err(Error::bad_input("name what to follow"));
    }
    match kind {
        "page" => {
            let path = RepoPath::page(target.trim_matches('/'))?;
            if !reader.can_read(path.as_str()) {
                return Err(Error::NotFound(path.to_string()));
            }
            let label =
                reader.snapshot().pages.get(&path).map_or_else(|| path.page_name().to_string(), |it| it.title.clone());
            Ok(("page".into(), path.as_str().to_string(), Some(path.url()), label))
        }
        "question" => {
            let slug = target.trim_start_matches("questions/").trim_end_matches(".md").trim_start_matches('/');
            let path = crate::site::question_path(slug.trim_start_matches("questions/"))?;
            if !reader.snapshot().pages.contains_key(&path) {
                return Err(Error::NotFound(format!("question {slug}")));
            }
            let label = reader.snapshot().pages.get(&path).map_or_else(String::new, |it| it.title.clone());
            Ok(("question".into(), path.as_str().to_string(), Some(path.url()), label))
        }
        "folder" => {
            let trimmed = target.trim_start_matches('/');
            let glob = if trimmed.ends_with('/') { format!("{trimmed}**") } else { trimmed.to_string() };
            globset::Glob::new(&glob)
                .map_err(|err| Error::bad_input(format!("{glob} is not a folder pattern: {err}")))?;
            let folder = glob.trim_end_matches('*').to_string();
            let url = (!folder.contains(['*', '?', '[', '{'])).then(|| format!("/{folder}"));
            Ok(("folder".into(), glob.clone(), url, glob))
        }
        "tag" => {
            let tag = target.trim_start_matches('#').to_lowercase();
            if tag.chars().any(char::is_control) || tag.len() > 200 {
                return Err(Error::bad_input("not a tag"));
            }
            let url = format!("/-/tags/{}", super::query::encode(&tag));
            Ok(("tag".into(), tag.clone(), Some(url), format!("#{tag}")))
        }
        "person" => {
            let email = target.to_lowercase();
            let person =
                reader.person(&email)?.ok_or_else(|| Error::bad_input(format!("nobody here writes as {email}")))?;
            Ok(("person".into(), email.clone(), Some(view::person_url(&email)), person.name))
        }
        other => {
            Err(Error::bad_input(format!("unknown kind {other:?}: follow a page, folder, tag, question or person")))
        }
    }
}

fn follow_view(reader: &Reader, follow: FollowRecord) -> FollowView {
    let (url, label) = match normalise(reader, &follow.kind, &follow.target) {
        Ok((_, _, url, label)) => (url, label),
        Err(_) => (None, follow.target.clone()),
    };
    let since = DateTime::<Utc>::from_timestamp(follow.since, 0).unwrap_or_default().to_rfc3339();
    FollowView { kind: follow.kind, target: follow.target, since, auto: follow.auto, muted: follow.muted, url, label }
}

/// `GET /-/api/follows` → `{follows: [{kind, target, since, auto, muted}]}`.
pub async fn follows_api(viewer: Viewer, reader: Reader, State(state): State<AppState>) -> Result<Response, ApiError> {
    let user = account(&viewer)?;
    let follows = state.auth.state.follows(&user.username)?;
    let follows: Vec<FollowView> = follows.into_iter().map(|it| follow_view(&reader, it)).collect();
    Ok(Json(serde_json::json!({ "follows": follows })).into_response())
}

/// `POST /-/api/follows` `{kind, target}` → 201, or 200 when already followed.
pub async fn follow_api(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    Json(body): Json<FollowBody>,
) -> Result<Response, ApiError> {
    let changed = change_follow(&viewer, &reader, &state, &body.kind, &body.target, FollowAction::Follow).await?;
    let status = if changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok(status.into_response())
}

/// `DELETE /-/api/follows` `{kind, target}` → 204.
pub async fn unfollow_api(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    Json(body): Json<FollowBody>,
) -> Result<Response, ApiError> {
    change_follow(&viewer, &reader, &state, &body.kind, &body.target, FollowAction::Unfollow).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FollowAction {
    Follow,
    Mute,
    Unfollow,
}

async fn change_follow(
    viewer: &Viewer,
    reader: &Reader,
    state: &AppState,
    kind: &str,
    target: &str,
    action: FollowAction,
) -> Result<bool> {
    let user = account(viewer)?.clone();
    let (kind, target, _, _) = normalise(reader, kind, target)?;
    let store = state.auth.state.clone();
    blocking(move || {
        store.write(|tx| match action {
            FollowAction::Unfollow => tx.unfollow(&user.username, &kind, &target),
            FollowAction::Follow | FollowAction::Mute => tx.follow(&FollowRecord {
                username: user.username.clone(),
                kind: kind.clone(),
                target: target.clone(),
                muted: action == FollowAction::Mute,
                auto: false,
                since: Utc::now().timestamp(),
            }),
        })
    })
    .await
}

/// `?kind=&target=` of the Follow link.
#[derive(Deserialize)]
pub struct FollowQuery {
    kind: String,
    target: String,
}

#[derive(Serialize)]
struct FollowTemplate {
    #[serde(flatten)]
    frame: Frame,
    kind: String,
    target: String,
    label: String,
    url: Option<String>,
    following: bool,
    muted: bool,
    csrf_token: String,
}

/// `GET /-/follow?kind=&target=`: what the Follow link on a shared page opens: the person's own form, with
/// Follow, Mute or Unfollow as it stands for them.
pub async fn follow_confirm(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<FollowQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let user = account(&viewer)?;
    let (kind, target, url, label) = normalise(&reader, &query.kind, &query.target)?;
    let existing =
        state.auth.state.follows(&user.username)?.into_iter().find(|it| it.kind == kind && it.target == target);
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let view = FollowTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), &format!("Follow {label}")),
        following: existing.as_ref().is_some_and(|it| !it.muted),
        muted: existing.as_ref().is_some_and(|it| it.muted),
        kind,
        target,
        label,
        url,
        csrf_token,
    };
    let mut res = Html(state.theme.render("follow.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The follow buttons' form: what, and whether to follow, mute or stop.
#[derive(Deserialize)]
pub struct FollowForm {
    kind: String,
    target: String,
    action: String,
    #[serde(default)]
    back: String,
}

/// `POST /-/follow`: the Follow / Mute / Unfollow buttons; goes back where the person was.
pub async fn follow_form(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Result<Response, PageError> {
    let action = match form.action.as_str() {
        "follow" => FollowAction::Follow,
        "mute" => FollowAction::Mute,
        "unfollow" => FollowAction::Unfollow,
        other => return Err(Error::bad_input(format!("unknown action {other:?}")).into()),
    };
    let (_, _, url, _) = normalise(&reader, &form.kind, &form.target)?;
    change_follow(&viewer, &reader, &state, &form.kind, &form.target, action).await?;
    let back = super::paths::same_origin_path(&form.back).or(url).unwrap_or_else(|| "/-/account/follows".into());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Serialize)]
struct FollowsTemplate {
    #[serde(flatten)]
    frame: Frame,
    follows: Vec<FollowView>,
    csrf_token: String,
}

/// `GET /-/account/follows`: everything the person follows or muted, with a button to stop.
pub async fn follows_page(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let user = account(&viewer)?;
    let follows = state.auth.state.follows(&user.username)?;
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let view = FollowsTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), "What you follow"),
        follows: follows.into_iter().map(|it| follow_view(&reader, it)).collect(),
        csrf_token,
    };
    let mut res = Html(state.theme.render("follows.html", &view)?).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `?unread=1&limit=&before=` of the inbox.
#[derive(Deserialize, Default)]
pub struct InboxQuery {
    unread: Option<String>,
    limit: Option<usize>,
    /// `<time>:<id>` of the last item of the page before.
    before: Option<String>,
}

impl InboxQuery {
    fn cursor(&self) -> Result<Option<(i64, String)>> {
        let Some(before) = self.before.as_deref().filter(|it| !it.is_empty()) else { return Ok(None) };
        let (time, id) = before.split_once(':').ok_or_else(|| Error::bad_input("before is <time>:<id>"))?;
        let time = time.parse().map_err(|_| Error::bad_input("before is <time>:<id>"))?;
        Ok(Some((time, id.to_string())))
    }
}

/// An inbox item as the API and the page show it.
#[derive(Serialize)]
struct InboxItemView {
    id: String,
    event: String,
    title: String,
    url: String,
    path: String,
    actor: crate::store::Person,
    at: String,
    read: bool,
    summary: String,
    n_events: i64,
    reason: String,
    /// Why it reached the person, in words.
    why: String,
    says: String,
    cursor: String,
}

// The item in `words`' language (the viewer's).
fn item_view(words: Translator<'_>, item: InboxRecord) -> InboxItemView {
    let at = DateTime::<Utc>::from_timestamp(item.updated_at, 0).unwrap_or_default();
    let many = if item.event.kind == "page_changed" && item.n_events > 1 {
        format!(" {}", words.say("inbox-n-changes", &[("n", Arg::count(item.n_events))]))
    } else {
        String::new()
    };
    let says = format!("{}{many}", delivery::headline(words, &item.event));
    let why = delivery::why(words, &item.reason, &item.event.kind);
    let summary = delivery::summary(words, &item.event);
    InboxItemView {
        why,
        cursor: format!("{}:{}", item.updated_at, item.id),
        id: item.id,
        event: item.event.kind,
        title: item.event.title,
        url: item.event.url,
        path: item.event.path,
        actor: crate::store::Person { name: item.event.actor_name, email: item.event.actor_email },
        at: at.to_rfc3339(),
        read: item.read_at.is_some(),
        summary,
        n_events: item.n_events,
        reason: item.reason,
        says,
    }
}

// A page of the inbox, without items about what the person may no longer read (rules can change).
async fn inbox_items(
    state: &AppState,
    reader: &Reader,
    user: &User,
    query: &InboxQuery,
) -> Result<(Vec<InboxItemView>, usize)> {
    let unread_only = query.unread.as_deref().is_some_and(|it| it == "1" || it == "true");
    let limit = query.limit.unwrap_or(PER_PAGE).clamp(1, 200);
    let cursor = query.cursor()?;
    let (store, username, reader) = (state.auth.state.clone(), user.username.clone(), reader.clone());
    let (theme, language) = (state.theme.clone(), view::current_language(state));
    blocking(move || {
        let items = store.inbox(&username, unread_only, limit, cursor.as_ref())?;
        let unread = store.unread_count(&username)?;
        let words = theme.messages().in_language(language);
        let items =
            items.into_iter().filter(|it| reader.can_read(&it.event.path)).map(|it| item_view(words, it)).collect();
        Ok((items, unread))
    })
    .await
}

/// `GET /-/api/inbox[?unread=1&limit=&before=]` → `{unread, items: [{id, event, title, url, actor, at, read,
/// summary}], next}`.
pub async fn inbox_api(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<InboxQuery>,
) -> Result<Response, ApiError> {
    let user = account(&viewer)?;
    let (items, unread) = inbox_items(&state, &reader, user, &query).await?;
    let next = items.last().map(|it| it.cursor.clone());
    let res = Json(serde_json::json!({ "unread": unread, "items": items, "next": next }));
    Ok(([(header::CACHE_CONTROL, "no-store")], res).into_response())
}

/// `GET /-/api/inbox/unread` → `{unread}`: what the header's count asks for now and then.
pub async fn unread_api(viewer: Viewer, State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(user) = viewer.user.as_ref() else {
        return Ok(Json(serde_json::json!({ "unread": 0 })).into_response());
    };
    let (store, username) = (state.auth.state.clone(), user.username.clone());
    let unread = blocking(move || store.unread_count(&username)).await?;
    let res = Json(serde_json::json!({ "unread": unread }));
    Ok(([(header::CACHE_CONTROL, "no-store")], res).into_response())
}

/// The body of `POST /-/api/inbox/read`: some items, or all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    all: bool,
}

/// `POST /-/api/inbox/read` `{ids: [...]}` or `{all: true}` → `{marked, unread}`.
pub async fn read_api(
    viewer: Viewer,
    State(state): State<AppState>,
    Json(body): Json<ReadBody>,
) -> Result<Response, ApiError> {
    let user = account(&viewer)?;
    if !body.all && body.ids.is_empty() {
        return Err(Error::bad_input("name the items read (`ids`) or say `all: true`").into());
    }
    let (marked, unread) = mark_read(&state, user, body.all.then_some(()).map_or(Some(body.ids), |()| None)).await?;
    Ok(Json(serde_json::json!({ "marked": marked, "unread": unread })).into_response())
}

async fn mark_read(state: &AppState, user: &User, ids: Option<Vec<String>>) -> Result<(usize, usize)> {
    let (store, username) = (state.auth.state.clone(), user.username.clone());
    blocking(move || {
        let marked = store.write(|tx| tx.mark_read(&username, ids.as_deref(), Utc::now().timestamp()))?;
        Ok((marked, store.unread_count(&username)?))
    })
    .await
}

#[derive(Serialize)]
struct InboxTemplate {
    #[serde(flatten)]
    frame: Frame,
    items: Vec<InboxItemView>,
    unread: usize,
    only_unread: bool,
    next_url: Option<String>,
    csrf_token: String,
}

/// `GET /-/inbox`: the newest first, unread in bold, with "mark read" and "mark all read".
pub async fn inbox_page(
    viewer: Viewer,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<InboxQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let user = account(&viewer)?;
    let (items, unread) = inbox_items(&state, &reader, user, &query).await?;
    let only_unread = query.unread.as_deref().is_some_and(|it| it == "1" || it == "true");
    let next_url = (items.len() >= query.limit.unwrap_or(PER_PAGE).clamp(1, 200)).then(|| {
        let cursor = items.last().map(|it| super::query::encode(&it.cursor)).unwrap_or_default();
        format!("/-/inbox?before={cursor}{}", if only_unread { "&unread=1" } else { "" })
    });
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let view = InboxTemplate {
        frame: Frame::new(&state, &view::host_of(&headers), "Inbox"),
        items,
        unread,
        only_unread,
        next_url,
        csrf_token,
    };
    let mut res = Html(state.theme.render("inbox.html", &view)?).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The inbox page's form: one item, or all.
#[derive(Deserialize)]
pub struct InboxReadForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    all: String,
}

/// `POST /-/inbox/read`: marks one item (and opens it) or all items read.
pub async fn read_form(
    viewer: Viewer,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<InboxReadForm>,
) -> Result<Response, PageError> {
    let user = account(&viewer)?;
    let ids = if form.all.is_empty() { Some(vec![form.id]) } else { None };
    mark_read(&state, user, ids).await?;
    Ok(Redirect::to("/-/inbox").into_response())
}
