//! History handlers: page history, diffs between versions, whole commits, blame, recent changes and their
//! Atom feeds, and the JSON API for each. All read the change index; none walks history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, PageError};
use super::feed::{FeedEntry, atom, rfc3339};
use super::paths::PagePath;
use super::view::{self, CommitView, Frame};
use super::{AppState, blocking};
use crate::content::RepoPath;
use crate::history::{ChangeFilter, RecentChange};
use crate::i18n::{Arg, UiLanguage};
use crate::site::{FileDiff, Reader};
use crate::{Error, Result};

/// History entries per page of `/-/history` and `/-/changes`.
const PER_PAGE: usize = 50;

#[derive(Serialize)]
struct HistoryRow {
    #[serde(flatten)]
    commit: CommitView,
    path: String,
    added: usize,
    removed: usize,
    deleted: bool,
    view_url: String,
}

#[derive(Serialize)]
struct HistoryTemplate {
    #[serde(flatten)]
    frame: Frame,
    page: PageRef,
    rows: Vec<HistoryRow>,
    pager: Pager,
}

#[derive(Serialize)]
struct PageRef {
    path: String,
    title: String,
    url: String,
}

#[derive(Serialize, Default)]
struct Pager {
    page: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// `?page=N` of paginated lists.
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<usize>,
}

/// `GET /-/history/<path>`: every commit that changed the page, newest first, following moves.
pub async fn history_page(
    PagePath(path): PagePath,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let lookup = path.clone();
    let rows_reader = reader.clone();
    let (mut entries, n_total) =
        blocking(move || history_rows(&rows_reader, &lookup, (page - 1) * PER_PAGE, PER_PAGE)).await?;
    for entry in &mut entries {
        entry.commit = entry.commit.clone().with_pusher(&state);
    }
    let snapshot = reader.snapshot().clone();
    let title = snapshot.pages.get(&path).map_or_else(|| path.file_stem().to_string(), |it| it.title.clone());
    let base = format!("/-/history/{}", path.as_str());
    let pager = Pager {
        page,
        prev_url: (page > 1).then(|| format!("{base}?page={}", page - 1)),
        next_url: (page * PER_PAGE < n_total).then(|| format!("{base}?page={}", page + 1)),
    };
    let frame = Frame::new(
        &state,
        &view::host_of(&headers),
        &view::message(&state, "history-title", &[("title", Arg::Text(title.clone()))]),
    )
    .with_breadcrumbs(&snapshot, path.as_str());
    let view = HistoryTemplate {
        frame,
        page: PageRef { path: path.as_str().to_string(), title, url: path.url() },
        rows: entries,
        pager,
    };
    Ok(Html(state.theme.render("history.html", &view)?).into_response())
}

/// `GET /-/api/history/<path>`: `{commits: [{commit, author, date, message, added, removed, path}]}`.
pub async fn history_api(
    PagePath(path): PagePath,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<ApiPageQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(PER_PAGE).clamp(1, 500);
    let offset = query.offset.unwrap_or(0);
    let (rows, total) = blocking(move || history_rows(&reader, &path, offset, limit)).await?;
    let commits: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| {
            serde_json::json!({
                "commit": row.commit.commit, "author": row.commit.author, "date": row.commit.date,
                "message": row.commit.message_for_programs(), "added": row.added, "removed": row.removed,
                "path": row.path, "deleted": row.deleted,
                "pushed_by": row.commit.clone().with_pusher(&state).pushed_by,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "total": total, "commits": commits })).into_response())
}

/// `?offset=&limit=` of API lists.
#[derive(Deserialize)]
pub struct ApiPageQuery {
    offset: Option<usize>,
    limit: Option<usize>,
}

fn history_rows(reader: &Reader, path: &RepoPath, offset: usize, limit: usize) -> Result<(Vec<HistoryRow>, usize)> {
    let (rows, total) = reader.history_rows(path, offset, limit)?;
    let rows = rows
        .into_iter()
        .map(|row| HistoryRow {
            commit: CommitView::new(&row.entry.commit),
            deleted: row.entry.blob.is_none(),
            path: row.entry.path,
            added: row.added,
            removed: row.removed,
            // Old versions open at today's address, even from before a move (the reader finds them).
            view_url: format!("{}?rev={}", path.url(), row.entry.commit.id),
        })
        .collect();
    Ok((rows, total))
}

/// `?from=&to=&view=&context=` of diffs.
#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
    view: Option<String>,
    context: Option<String>,
}

#[derive(Serialize)]
struct DiffTemplate {
    #[serde(flatten)]
    frame: Frame,
    page: PageRef,
    from: CommitView,
    to: CommitView,
    file: FileDiff,
    split: bool,
    unified_url: String,
    split_url: String,
    full_url: Option<String>,
}

/// `GET /-/diff/<path>?from=<rev>&to=<rev>`: what changed in the page between two versions.
pub async fn diff_page(
    PagePath(path): PagePath,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<DiffQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let split = query.view.as_deref() == Some("split");
    let full = query.context.as_deref() == Some("all");
    let diff_reader = reader.clone();
    let lookup = path.clone();
    let (from, to) = (query.from.clone(), query.to.clone());
    let resolved = blocking(move || diff_reader.diff(&lookup, from.as_deref(), to.as_deref(), !full)).await?;
    let snapshot = reader.snapshot().clone();
    let title = snapshot.pages.get(&path).map_or_else(|| path.file_stem().to_string(), |it| it.title.clone());
    let base = format!("/-/diff/{}?from={}&to={}", path.as_str(), resolved.from.id, resolved.to.id);
    let frame = Frame::new(
        &state,
        &view::host_of(&headers),
        &view::message(&state, "diff-title", &[("title", Arg::Text(title.clone()))]),
    )
    .with_breadcrumbs(&snapshot, path.as_str());
    let has_collapsed = !full && !resolved.file.hunks.is_empty();
    let view = DiffTemplate {
        frame,
        page: PageRef { path: path.as_str().to_string(), title, url: path.url() },
        from: CommitView::new(&resolved.from),
        to: CommitView::new(&resolved.to),
        file: resolved.file,
        split,
        unified_url: format!("{base}&view=unified{}", if full { "&context=all" } else { "" }),
        split_url: format!("{base}&view=split{}", if full { "&context=all" } else { "" }),
        full_url: has_collapsed.then(|| format!("{base}&view={}&context=all", if split { "split" } else { "unified" })),
    };
    Ok(Html(state.theme.render("diff.html", &view)?).into_response())
}

/// `GET /-/api/diff/<path>?from=&to=`: the structured hunks between two versions.
pub async fn diff_api(
    State(state): State<AppState>,
    PagePath(path): PagePath,
    reader: Reader,
    Query(query): Query<DiffQuery>,
) -> Result<Response, ApiError> {
    let lookup = path.clone();
    let full = query.context.as_deref() == Some("all");
    let resolved = blocking(move || reader.diff(&lookup, query.from.as_deref(), query.to.as_deref(), !full)).await?;
    Ok(Json(serde_json::json!({
        "path": path.as_str(),
        "from": resolved.from.id,
        "to": resolved.to.id,
        "status": resolved.file.status,
        // Programs read this: English, like the API's errors.
        "note": resolved.file.note.map(|it| view::diff_note(state.theme.messages().in_language(UiLanguage::En), it)),
        "truncated": resolved.file.truncated,
        "hunks": resolved.file.hunks,
    }))
    .into_response())
}

#[derive(Serialize)]
struct CommitTemplate {
    #[serde(flatten)]
    frame: Frame,
    commit: CommitView,
    parent: Option<String>,
    files: Vec<FileDiff>,
}

/// `GET /-/commit/<sha>`: a whole commit: message, author, and every file it touched that the viewer may read,
/// with its diff.
pub async fn commit_page(
    reader: Reader,
    State(state): State<AppState>,
    Path(revision): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let detail = blocking(move || reader.commit(&revision)).await?;
    let commit = CommitView::new(&detail.info).with_pusher(&state);
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Commit {}", commit.short));
    let view = CommitTemplate {
        frame,
        commit,
        parent: detail.parent.map(|it| format!("/-/commit/{it}")),
        files: detail.files,
    };
    Ok(Html(state.theme.render("commit.html", &view)?).into_response())
}

#[derive(Serialize)]
struct BlameGroup {
    commit: CommitView,
    lines: Vec<BlameRow>,
}

#[derive(Serialize)]
struct BlameRow {
    number: usize,
    text: String,
}

#[derive(Serialize)]
struct BlameTemplate {
    #[serde(flatten)]
    frame: Frame,
    page: PageRef,
    groups: Vec<BlameGroup>,
}

/// `GET /-/blame/<path>`: each line with the commit that last changed it, consecutive lines grouped.
pub async fn blame_page(
    PagePath(path): PagePath,
    reader: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let snapshot = reader.snapshot().clone();
    let meta = snapshot.pages.get(&path).cloned().ok_or_else(|| Error::NotFound(path.to_string()))?;
    let blame_path = path.clone();
    let lines = blocking(move || reader.blame(&blame_path)).await?;
    let mut groups: Vec<BlameGroup> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let row = BlameRow { number: i + 1, text: line.text.clone() };
        match groups.last_mut() {
            Some(group) if group.commit.commit == line.commit.id => group.lines.push(row),
            _ => groups.push(BlameGroup { commit: CommitView::new(&line.commit), lines: vec![row] }),
        }
    }
    let frame = Frame::new(
        &state,
        &view::host_of(&headers),
        &view::message(&state, "blame-title", &[("title", Arg::Text(meta.title.clone()))]),
    )
    .with_breadcrumbs(&snapshot, path.as_str());
    let view = BlameTemplate {
        frame,
        page: PageRef { path: path.as_str().to_string(), title: meta.title.clone(), url: path.url() },
        groups,
    };
    Ok(Html(state.theme.render("blame.html", &view)?).into_response())
}

/// Filters of `/-/changes`, its feed and its API.
#[derive(Deserialize, Default)]
pub struct ChangesQuery {
    author: Option<String>,
    folder: Option<String>,
    path: Option<String>,
    tag: Option<String>,
    page: Option<usize>,
    offset: Option<usize>,
    limit: Option<usize>,
}

impl ChangesQuery {
    fn filter(&self, reader: &Reader) -> ChangeFilter {
        let folder =
            self.folder.as_deref().or(self.path.as_deref()).map(str::trim).filter(|it| !it.is_empty()).map(|it| {
                let it = it.trim_start_matches('/');
                if it.ends_with('/') || it.is_empty() { it.to_string() } else { format!("{it}/") }
            });
        let paths = self.tag.as_deref().filter(|it| !it.is_empty()).map(|tag| {
            reader
                .snapshot()
                .pages
                .iter()
                .filter(|(_, meta)| meta.front_matter.tags.iter().any(|it| it.eq_ignore_ascii_case(tag)))
                .map(|(path, _)| path.as_str().to_string())
                .collect()
        });
        let author = self.author.clone().filter(|it| !it.trim().is_empty());
        // The reader adds itself: what it may not read is left out whatever the filter says.
        ChangeFilter { author, folder: folder.filter(|it| it != "/"), paths, reader: None }
    }
}

#[derive(Serialize)]
struct ChangeRow {
    #[serde(flatten)]
    commit: CommitView,
    files: Vec<FileRef>,
}

#[derive(Serialize)]
struct FileRef {
    path: String,
    url: String,
}

#[derive(Serialize)]
struct ChangesTemplate {
    #[serde(flatten)]
    frame: Frame,
    rows: Vec<ChangeRow>,
    author: String,
    folder: String,
    pager: Pager,
    feed_url: String,
}

fn change_rows(changes: Vec<RecentChange>) -> Vec<ChangeRow> {
    changes
        .into_iter()
        .map(|change| ChangeRow {
            commit: CommitView::new(&change.commit),
            files: change
                .paths
                .into_iter()
                .map(|path| {
                    let url = RepoPath::parse(&path).map_or_else(|_| String::new(), |it| it.url());
                    FileRef { path, url }
                })
                .collect(),
        })
        .collect()
}

/// `GET /-/changes`: recent changes, newest first, filtered by author and folder.
pub async fn changes_page(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let filter = query.filter(&reader);
    let changes = blocking(move || reader.recent_changes(&filter, (page - 1) * PER_PAGE, PER_PAGE + 1)).await?;
    let has_next = changes.len() > PER_PAGE;
    let mut rows = change_rows(changes);
    rows.truncate(PER_PAGE);
    let author = query.author.clone().unwrap_or_default();
    let folder = query.folder.clone().unwrap_or_default();
    let params = |page: usize| {
        let mut res = format!("/-/changes?page={page}");
        if !author.is_empty() {
            res.push_str(&format!("&author={}", super::query::encode(&author)));
        }
        if !folder.is_empty() {
            res.push_str(&format!("&folder={}", super::query::encode(&folder)));
        }
        res
    };
    let pager =
        Pager { page, prev_url: (page > 1).then(|| params(page - 1)), next_url: has_next.then(|| params(page + 1)) };
    let feed_url = if folder.is_empty() {
        "/-/changes.atom".to_string()
    } else {
        format!("/-/changes.atom?path={}", super::query::encode(&folder))
    };
    let frame = Frame::new(&state, &view::host_of(&headers), "Recent changes");
    let view = ChangesTemplate { frame, rows, author: author.clone(), folder: folder.clone(), pager, feed_url };
    Ok(Html(state.theme.render("changes.html", &view)?).into_response())
}

/// `GET /-/api/changes?author=&folder=&offset=&limit=`: recent commits with the files they touched.
pub async fn changes_api(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<ChangesQuery>,
) -> Result<Response, ApiError> {
    let filter = query.filter(&reader);
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(PER_PAGE).clamp(1, 500);
    let changes = blocking(move || reader.recent_changes(&filter, offset, limit)).await?;
    let changes: Vec<serde_json::Value> = changes
        .into_iter()
        .map(|change| {
            let view = CommitView::new(&change.commit).with_pusher(&state);
            serde_json::json!({
                "commit": view.commit, "author": view.author, "date": view.date, "message": view.message_for_programs(), "paths": change.paths,
                "pushed_by": view.pushed_by,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "changes": changes })).into_response())
}

/// `GET /-/changes.atom[?path=<folder>][&tag=<tag>]`: an Atom 1.0 feed of the newest changes.
pub async fn changes_feed(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let filter = query.filter(&reader);
    let changes = blocking(move || reader.recent_changes(&filter, 0, PER_PAGE)).await?;
    let host = view::host_of(&headers);
    let base = format!("http://{host}");
    let words = view::words(&state);
    let site = Arg::text(&state.site.config.site_title);
    let folder = query.path.as_deref().or(query.folder.as_deref()).filter(|it| !it.is_empty());
    let tag = query.tag.as_deref().filter(|it| !it.is_empty());
    let title = match (folder, tag) {
        (None, None) => words.say("feed-changes", &[("site", site)]),
        (Some(folder), None) => words.say("feed-changes-in", &[("site", site), ("folder", Arg::text(folder))]),
        (None, Some(tag)) => words.say("feed-changes-tagged", &[("site", site), ("tag", Arg::text(tag))]),
        (Some(folder), Some(tag)) => words
            .say("feed-changes-in-tagged", &[("site", site), ("folder", Arg::text(folder)), ("tag", Arg::text(tag))]),
    };
    let self_url = format!("{base}/-/changes.atom{}", uri_query(&query));
    let entries: Vec<FeedEntry> = changes
        .iter()
        .map(|change| {
            let info = &change.commit;
            let hidden = words.say("history-message-hidden", &[]);
            let message = if info.message == crate::site::HIDDEN_MESSAGE { hidden.as_str() } else { &info.message };
            let summary = message.lines().next().unwrap_or_default();
            FeedEntry {
                id: format!("urn:git:commit:{}", info.id),
                title: if summary.is_empty() { words.say("feed-no-message", &[]) } else { summary.to_string() },
                link: format!("{base}/-/commit/{}", info.id),
                updated: rfc3339(info.time),
                author_name: info.author.name.clone(),
                author_email: Some(info.author.email.clone()),
                summary: format!(
                    "{}\n{}",
                    message.trim(),
                    words.say("feed-changed-paths", &[("paths", Arg::text(change.paths.join(", ")))])
                ),
            }
        })
        .collect();
    Ok(atom(words.language(), &title, &self_url, &format!("{base}/-/changes"), &entries))
}

fn uri_query(query: &ChangesQuery) -> String {
    let mut parts = Vec::new();
    if let Some(path) = query.path.as_deref().filter(|it| !it.is_empty()) {
        parts.push(format!("path={}", super::query::encode(path)));
    }
    if let Some(tag) = query.tag.as_deref().filter(|it| !it.is_empty()) {
        parts.push(format!("tag={}", super::query::encode(tag)));
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}
