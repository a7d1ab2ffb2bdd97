//! History handlers: page history, diffs between versions, whole commits, blame, recent changes and their
//! Atom feeds, and the JSON API for each. All read the change index; none walks history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::error::{ApiError, PageError};
use super::feed::{FeedEntry, atom, rfc3339};
use super::paths::PagePath;
use super::view::{self, Frame};
use super::{AppState, blocking};
use crate::content::RepoPath;
use crate::history::{ChangeFilter, HistoryEntry, RecentChange};
use crate::render::diff::{self, Hunk, SplitRow};
use crate::site::{Site, Text};
use crate::store::{CommitInfo, ObjectId, Person};
use crate::{Error, Result};

/// History entries per page of `/-/history` and `/-/changes`.
const PER_PAGE: usize = 50;

/// Lines of diff shown at most; beyond that the page says the diff was cut.
const MAX_DIFF_LINES: usize = 5_000;

/// A commit as lists show it.
#[derive(Serialize, Clone)]
pub struct CommitView {
    pub commit: ObjectId,
    pub short: String,
    pub author: Person,
    pub date: String,
    pub date_relative: String,
    pub date_absolute: String,
    pub summary: String,
    pub message: String,
    pub url: String,
    /// The account that pushed this commit, when it came by an authenticated push by someone else.
    pub pushed_by: Option<String>,
}

impl CommitView {
    /// Notes who pushed the commit (from the push log), unless it was its author.
    pub fn with_pusher(mut self, state: &AppState) -> CommitView {
        self.pushed_by = state.auth.push_log.pusher(self.commit);
        self
    }

    /// The view of a commit, with times relative to now.
    pub fn new(info: &CommitInfo) -> CommitView {
        let at = DateTime::<Utc>::from_timestamp(info.time, 0).unwrap_or_default();
        CommitView {
            commit: info.id,
            short: info.id.short(),
            author: info.author.clone(),
            date: at.to_rfc3339(),
            date_relative: view::relative_time(Utc::now(), at),
            date_absolute: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            summary: info.message.lines().next().unwrap_or_default().to_string(),
            message: info.message.trim_end().to_string(),
            url: format!("/-/commit/{}", info.id),
            pushed_by: None,
        }
    }
}

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
    viewer: Viewer,
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let site = state.site.clone();
    let lookup = path.clone();
    let (mut entries, n_total) =
        blocking(move || history_rows(&site, &lookup, (page - 1) * PER_PAGE, PER_PAGE)).await?;
    for entry in &mut entries {
        entry.commit.pushed_by = state.auth.push_log.pusher(entry.commit.commit);
    }
    let snapshot = state.snapshot_for(&viewer);
    let title = snapshot.pages.get(&path).map_or_else(|| path.file_stem().to_string(), |it| it.title.clone());
    let base = format!("/-/history/{}", path.as_str());
    let pager = Pager {
        page,
        prev_url: (page > 1).then(|| format!("{base}?page={}", page - 1)),
        next_url: (page * PER_PAGE < n_total).then(|| format!("{base}?page={}", page + 1)),
    };
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("History of {title}"))
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
    State(state): State<AppState>,
    Query(query): Query<ApiPageQuery>,
) -> Result<Response, ApiError> {
    let site = state.site.clone();
    let limit = query.limit.unwrap_or(PER_PAGE).clamp(1, 500);
    let offset = query.offset.unwrap_or(0);
    let (rows, total) = blocking(move || history_rows(&site, &path, offset, limit)).await?;
    let commits: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| {
            serde_json::json!({
                "commit": row.commit.commit, "author": row.commit.author, "date": row.commit.date,
                "message": row.commit.message, "added": row.added, "removed": row.removed,
                "path": row.path, "deleted": row.deleted,
                "pushed_by": state.auth.push_log.pusher(row.commit.commit),
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

fn history_rows(site: &Site, path: &RepoPath, offset: usize, limit: usize) -> Result<(Vec<HistoryRow>, usize)> {
    let history = site.history(path)?;
    if history.is_empty() {
        return Err(Error::NotFound(format!("no history for {path}")));
    }
    let total = history.len();
    let mut rows = Vec::new();
    for entry in history.into_iter().skip(offset).take(limit) {
        let (added, removed) = site.line_stats(entry.previous_blob, entry.blob)?;
        // Old versions open at today's address, even from before a move (`Site::version_at` finds them).
        let view_url = format!("{}?rev={}", path.url(), entry.commit.id);
        rows.push(HistoryRow {
            commit: CommitView::new(&entry.commit),
            deleted: entry.blob.is_none(),
            path: entry.path,
            added,
            removed,
            view_url,
        });
    }
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
struct FileDiff {
    path: String,
    old_path: Option<String>,
    status: &'static str,
    /// Why no lines are shown (binary, too large), if so.
    note: Option<String>,
    hunks: Vec<Hunk>,
    rows: Vec<Vec<SplitRow>>,
    truncated: bool,
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

struct ResolvedDiff {
    from: CommitInfo,
    to: CommitInfo,
    file: FileDiff,
}

/// `GET /-/diff/<path>?from=<rev>&to=<rev>`: what changed in the page between two versions.
pub async fn diff_page(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    Query(query): Query<DiffQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let split = query.view.as_deref() == Some("split");
    let full = query.context.as_deref() == Some("all");
    let site = state.site.clone();
    let lookup = path.clone();
    let (from, to) = (query.from.clone(), query.to.clone());
    let resolved = blocking(move || resolve_diff(&site, &lookup, from.as_deref(), to.as_deref(), !full)).await?;
    let snapshot = state.snapshot_for(&viewer);
    let title = snapshot.pages.get(&path).map_or_else(|| path.file_stem().to_string(), |it| it.title.clone());
    let base = format!("/-/diff/{}?from={}&to={}", path.as_str(), resolved.from.id, resolved.to.id);
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Changes to {title}"))
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
    PagePath(path): PagePath,
    State(state): State<AppState>,
    Query(query): Query<DiffQuery>,
) -> Result<Response, ApiError> {
    let site = state.site.clone();
    let lookup = path.clone();
    let full = query.context.as_deref() == Some("all");
    let resolved =
        blocking(move || resolve_diff(&site, &lookup, query.from.as_deref(), query.to.as_deref(), !full)).await?;
    Ok(Json(serde_json::json!({
        "path": path.as_str(),
        "from": resolved.from.id,
        "to": resolved.to.id,
        "status": resolved.file.status,
        "note": resolved.file.note,
        "truncated": resolved.file.truncated,
        "hunks": resolved.file.hunks,
    }))
    .into_response())
}

// `to` defaults to the newest version; `from` to the version before `to` in the page's history.
fn resolve_diff(
    site: &Site,
    path: &RepoPath,
    from: Option<&str>,
    to: Option<&str>,
    collapse: bool,
) -> Result<ResolvedDiff> {
    let history = site.history(path)?;
    if history.is_empty() {
        return Err(Error::NotFound(format!("no history for {path}")));
    }
    let to_commit = match to.filter(|it| !it.is_empty()) {
        Some(revision) => site.store().resolve_commit(revision)?,
        None => history[0].commit.id,
    };
    let to_blob = version_at(site, path, &history, to_commit)?;
    let from_commit = match from.filter(|it| !it.is_empty()) {
        Some(revision) => site.store().resolve_commit(revision)?,
        None => {
            let position = history.iter().position(|it| it.commit.id == to_commit);
            let older = position.and_then(|it| history.get(it + 1));
            match older {
                Some(entry) => entry.commit.id,
                None => site.store().first_parent(to_commit)?.unwrap_or(to_commit),
            }
        }
    };
    let from_blob = version_at(site, path, &history, from_commit).unwrap_or(None);
    if from_blob.is_none() && to_blob.is_none() {
        return Err(Error::NotFound(format!("{path} did not exist in either revision")));
    }
    let file = file_diff(site, path.as_str(), None, from_blob, to_blob, collapse)?;
    Ok(ResolvedDiff { from: site.store().commit_info(from_commit)?, to: site.store().commit_info(to_commit)?, file })
}

// The page's blob in `commit`: at its path then, even if it has moved since.
fn version_at(site: &Site, path: &RepoPath, history: &[HistoryEntry], commit: ObjectId) -> Result<Option<ObjectId>> {
    if let Some(blob) = site.store().blob_at(commit, path.as_str())? {
        return Ok(Some(blob));
    }
    for entry in history {
        if entry.path != path.as_str()
            && let Some(blob) = site.store().blob_at(commit, &entry.path)?
        {
            return Ok(Some(blob));
        }
    }
    Ok(None)
}

fn file_diff(
    site: &Site,
    path: &str,
    old_path: Option<String>,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    collapse: bool,
) -> Result<FileDiff> {
    let status = match (old, new) {
        (None, Some(_)) => "added",
        (Some(_), None) => "deleted",
        _ if old_path.is_some() => "moved",
        _ => "modified",
    };
    let mut res = FileDiff {
        path: path.to_string(),
        old_path,
        status,
        note: None,
        hunks: Vec::new(),
        rows: Vec::new(),
        truncated: false,
    };
    let old_text = site.diff_text(old)?;
    let new_text = site.diff_text(new)?;
    let as_lines = |text: &Option<Text>| match text {
        None => Some(String::new()),
        Some(Text::Lines(lines)) => Some(lines.clone()),
        Some(_) => None,
    };
    match (as_lines(&old_text), as_lines(&new_text)) {
        (Some(old), Some(new)) => {
            let mut hunks = diff::hunks(&old, &new, collapse.then_some(diff::CONTEXT_LINES));
            let mut n_lines = 0;
            hunks.retain_mut(|hunk| {
                if n_lines >= MAX_DIFF_LINES {
                    res.truncated = true;
                    return false;
                }
                n_lines += hunk.lines.len();
                if n_lines > MAX_DIFF_LINES {
                    hunk.lines.truncate(hunk.lines.len() - (n_lines - MAX_DIFF_LINES));
                    res.truncated = true;
                }
                true
            });
            if res.truncated {
                res.note = Some(format!("This diff is long: only the first {MAX_DIFF_LINES} lines are shown."));
            }
            res.rows = hunks.iter().map(diff::split_rows).collect();
            res.hunks = hunks;
        }
        _ => {
            let binary = matches!(old_text, Some(Text::Binary)) || matches!(new_text, Some(Text::Binary));
            res.note = Some(if binary {
                "Binary file: no line diff.".into()
            } else {
                "This file is too large to diff here.".into()
            });
        }
    }
    Ok(res)
}

#[derive(Serialize)]
struct CommitTemplate {
    #[serde(flatten)]
    frame: Frame,
    commit: CommitView,
    parent: Option<String>,
    files: Vec<FileDiff>,
}

/// `GET /-/commit/<sha>`: a whole commit: message, author, and every file it touched with its diff.
pub async fn commit_page(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(revision): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let site = state.site.clone();
    let viewer_for_files = viewer.clone();
    let (info, parent, files) = blocking(move || {
        let commit = site.store().resolve_commit(&revision)?;
        let info = site.store().commit_info(commit)?;
        let parent = site.store().first_parent(commit)?;
        let mut files = Vec::new();
        for change in site.store().commit_changes(commit)? {
            files.push(file_diff(
                &site,
                &change.path,
                change.renamed_from.clone(),
                change.old_blob,
                change.blob,
                true,
            )?);
        }
        // A move shows once, as the new path; the delete half of it is implied.
        let renamed: Vec<String> = files.iter().filter_map(|it| it.old_path.clone()).collect();
        files.retain(|it| !(it.status == "deleted" && renamed.contains(&it.path)));
        let n_files = files.len();
        files.retain(|it| viewer_for_files.can_read(&it.path));
        if n_files > 0 && files.is_empty() {
            return Err(viewer_for_files.denied());
        }
        Ok((info, parent, files))
    })
    .await?;
    let commit = CommitView::new(&info).with_pusher(&state);
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Commit {}", commit.short));
    let view = CommitTemplate { frame, commit, parent: parent.map(|it| format!("/-/commit/{it}")), files };
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
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let snapshot = state.snapshot_for(&viewer);
    let meta = snapshot.pages.get(&path).cloned().ok_or_else(|| Error::NotFound(path.to_string()))?;
    let site = state.site.clone();
    let blame_snapshot = snapshot.clone();
    let blame_path = path.clone();
    let lines = blocking(move || site.blame(&blame_snapshot, &blame_path)).await?;
    let mut groups: Vec<BlameGroup> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let row = BlameRow { number: i + 1, text: line.text.clone() };
        match groups.last_mut() {
            Some(group) if group.commit.commit == line.commit.id => group.lines.push(row),
            _ => groups.push(BlameGroup { commit: CommitView::new(&line.commit), lines: vec![row] }),
        }
    }
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Blame of {}", meta.title))
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
    fn filter(&self, site: &Site, viewer: &Viewer) -> ChangeFilter {
        let folder =
            self.folder.as_deref().or(self.path.as_deref()).map(str::trim).filter(|it| !it.is_empty()).map(|it| {
                let it = it.trim_start_matches('/');
                if it.ends_with('/') || it.is_empty() { it.to_string() } else { format!("{it}/") }
            });
        let paths = self.tag.as_deref().filter(|it| !it.is_empty()).map(|tag| {
            let snapshot = site.snapshot();
            snapshot
                .pages
                .iter()
                .filter(|(_, meta)| meta.front_matter.tags.iter().any(|it| it.eq_ignore_ascii_case(tag)))
                .map(|(path, _)| path.as_str().to_string())
                .collect()
        });
        let author = self.author.clone().filter(|it| !it.trim().is_empty());
        let reader = (!viewer.sees_everything()).then(|| viewer.access.clone());
        ChangeFilter { author, folder: folder.filter(|it| it != "/"), paths, reader }
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
    viewer: Viewer,
    Query(query): Query<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let filter = query.filter(&state.site, &viewer);
    let site = state.site.clone();
    let changes = blocking(move || site.recent_changes(&filter, (page - 1) * PER_PAGE, PER_PAGE + 1)).await?;
    let has_next = changes.len() > PER_PAGE;
    let mut rows = change_rows(changes);
    rows.truncate(PER_PAGE);
    let author = query.author.clone().unwrap_or_default();
    let folder = query.folder.clone().unwrap_or_default();
    let params = |page: usize| {
        let mut res = format!("/-/changes?page={page}");
        if !author.is_empty() {
            res.push_str(&format!("&author={}", super::edit::encode(&author)));
        }
        if !folder.is_empty() {
            res.push_str(&format!("&folder={}", super::edit::encode(&folder)));
        }
        res
    };
    let pager =
        Pager { page, prev_url: (page > 1).then(|| params(page - 1)), next_url: has_next.then(|| params(page + 1)) };
    let feed_url = if folder.is_empty() {
        "/-/changes.atom".to_string()
    } else {
        format!("/-/changes.atom?path={}", super::edit::encode(&folder))
    };
    let frame = Frame::new(&state, &view::host_of(&headers), "Recent changes");
    let view = ChangesTemplate { frame, rows, author: author.clone(), folder: folder.clone(), pager, feed_url };
    Ok(Html(state.theme.render("changes.html", &view)?).into_response())
}

/// `GET /-/api/changes?author=&folder=&offset=&limit=`: recent commits with the files they touched.
pub async fn changes_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ChangesQuery>,
) -> Result<Response, ApiError> {
    let filter = query.filter(&state.site, &viewer);
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(PER_PAGE).clamp(1, 500);
    let site = state.site.clone();
    let changes = blocking(move || site.recent_changes(&filter, offset, limit)).await?;
    let changes: Vec<serde_json::Value> = changes
        .into_iter()
        .map(|change| {
            let view = CommitView::new(&change.commit).with_pusher(&state);
            serde_json::json!({
                "commit": view.commit, "author": view.author, "date": view.date, "message": view.message, "paths": change.paths,
                "pushed_by": view.pushed_by,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "changes": changes })).into_response())
}

/// `GET /-/changes.atom[?path=<folder>][&tag=<tag>]`: an Atom 1.0 feed of the newest changes.
pub async fn changes_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let filter = query.filter(&state.site, &viewer);
    let site = state.site.clone();
    let changes = blocking(move || site.recent_changes(&filter, 0, PER_PAGE)).await?;
    let host = view::host_of(&headers);
    let base = format!("http://{host}");
    let mut title = format!("{}: recent changes", state.site.config.site_title);
    if let Some(folder) = query.path.as_deref().or(query.folder.as_deref()).filter(|it| !it.is_empty()) {
        title.push_str(&format!(" in {folder}"));
    }
    if let Some(tag) = query.tag.as_deref().filter(|it| !it.is_empty()) {
        title.push_str(&format!(" tagged {tag}"));
    }
    let self_url = format!("{base}/-/changes.atom{}", uri_query(&query));
    let entries: Vec<FeedEntry> = changes
        .iter()
        .map(|change| {
            let info = &change.commit;
            let summary = info.message.lines().next().unwrap_or_default();
            FeedEntry {
                id: format!("urn:git:commit:{}", info.id),
                title: if summary.is_empty() { "(no message)".to_string() } else { summary.to_string() },
                link: format!("{base}/-/commit/{}", info.id),
                updated: rfc3339(info.time),
                author_name: info.author.name.clone(),
                author_email: Some(info.author.email.clone()),
                summary: format!("{}\nChanged: {}", info.message.trim(), change.paths.join(", ")),
            }
        })
        .collect();
    Ok(atom(&title, &self_url, &format!("{base}/-/changes"), &entries))
}

fn uri_query(query: &ChangesQuery) -> String {
    let mut parts = Vec::new();
    if let Some(path) = query.path.as_deref().filter(|it| !it.is_empty()) {
        parts.push(format!("path={}", super::edit::encode(path)));
    }
    if let Some(tag) = query.tag.as_deref().filter(|it| !it.is_empty()) {
        parts.push(format!("tag={}", super::edit::encode(tag)));
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
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

/// Status for a revision that does not hold the page.
pub fn missing_revision(path: &RepoPath, revision: &str) -> Error {
    Error::NotFound(format!("{path} did not exist in revision {}", revision.chars().take(40).collect::<String>()))
}
