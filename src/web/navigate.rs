//! Finding your way around: the page tree (lazy, one folder at a time), backlinks and link reports
//! (wanted pages, orphans), tags, and a random page. All read the snapshot's indexes.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, PageError};
use super::paths::PagePath;
use super::view::{self, Frame, PageLink, backlinks};
use super::viewer::Viewer;
use super::{AppState, blocking};
use crate::content::links::{LinkEnd, LinkKind};
use crate::content::{PageKind, RepoPath};
use crate::site::Reader;
use crate::site::{BrokenLink, Snapshot};
use crate::{Error, Result};

/// The editor of the page a missing link would have: the same address the red link in the page points to.
fn create_url(target: &str) -> String {
    let url = crate::content::links::missing_page_url(target);
    let decoded = percent_encoding::percent_decode_str(url.trim_start_matches('/')).decode_utf8_lossy().into_owned();
    match RepoPath::page(&decoded) {
        Ok(page) => format!("/-/edit/{}", page.as_str()),
        Err(_) => "/-/new".to_string(),
    }
}

/// Where to create what a broken link looks for: the page a wiki link names, or the page at a link's path
/// (`a/b` or `a/b.md`); `None` for an image or another kind of file, which is uploaded, not written.
fn create_url_for(link: &BrokenLink) -> Option<String> {
    match link.kind {
        LinkKind::Wiki => Some(create_url(&link.target)),
        LinkKind::Image => None,
        LinkKind::Link => {
            let name = link.target.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            let is_page = crate::content::path::has_markdown_extension(name) || !name.contains('.');
            is_page.then(|| RepoPath::page(&link.target).ok()).flatten().map(|it| format!("/-/edit/{}", it.as_str()))
        }
    }
}

/// `GET /-/api/links/<path>` → `{outgoing, incoming, broken}`; `broken` lists each target once, with the first
/// link to it (`dest`, `line`), as `lore check` reports them.
pub async fn links_api(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    if !snapshot.pages.contains_key(&path) {
        return Err(Error::NotFound(path.to_string()).into());
    }
    let mut outgoing = Vec::new();
    for link in snapshot.links.outgoing(&path) {
        if let LinkEnd::Page(target) = link {
            outgoing.push(PageLink::new(&snapshot, target));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let broken: Vec<serde_json::Value> = snapshot
        .broken_links_of(&path)
        .into_iter()
        .filter(|it| seen.insert(it.target.clone()))
        .map(|it| {
            serde_json::json!({
                "target": it.target, "kind": it.kind, "dest": it.dest, "line": it.line,
                "create_url": create_url_for(&it),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "path": path.as_str(), "outgoing": outgoing, "incoming": backlinks(&snapshot, &path), "broken": broken })).into_response())
}

#[derive(Serialize)]
struct WantedRow {
    target: String,
    create_url: Option<String>,
    linked_from: Vec<PageLink>,
}

#[derive(Serialize)]
struct LinksTemplate {
    #[serde(flatten)]
    frame: Frame,
    kind: &'static str,
    wanted: Vec<WantedRow>,
    orphans: Vec<PageLink>,
}

/// `GET /-/links/broken`: every link that leads nowhere (wiki links to missing pages, links and images to paths
/// where nothing is served), grouped by what it looks for, most wanted first; the same links `lore check` reports,
/// among the pages this reader may read.
pub async fn broken_page(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let broken = blocking(move || Ok(snapshot.broken_links())).await?;
    let snapshot = reader.snapshot();
    let mut by_target: std::collections::BTreeMap<String, WantedRow> = std::collections::BTreeMap::new();
    for link in &broken {
        let row = by_target.entry(link.target.clone()).or_insert_with(|| WantedRow {
            target: link.target.clone(),
            create_url: create_url_for(link),
            linked_from: Vec::new(),
        });
        // Pages come in path order: a page linking twice is listed once.
        if row.linked_from.last().is_none_or(|it| it.path != link.page.as_str()) {
            row.linked_from.push(PageLink::new(snapshot, &link.page));
        }
    }
    let mut wanted: Vec<WantedRow> = by_target.into_values().collect();
    wanted.sort_by(|a, b| b.linked_from.len().cmp(&a.linked_from.len()).then_with(|| a.target.cmp(&b.target)));
    let frame = Frame::new(&state, &view::host_of(&headers), "Broken links");
    Ok(Html(state.theme.render("links.html", &LinksTemplate { frame, kind: "broken", wanted, orphans: Vec::new() })?)
        .into_response())
}

/// `GET /-/links/orphans`: pages no other page links to (home pages, templates and questions aside).
pub async fn orphans_page(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let orphans: Vec<PageLink> = snapshot
        .pages
        .keys()
        .filter(|path| snapshot.links.n_incoming(path) == 0)
        .filter(|path| {
            !matches!(path.file_name(), "index.md" | "README.md") && crate::site::is_searchable(path.as_str())
        })
        .filter(|path| PageKind::of(path.as_str()) == PageKind::Page)
        .map(|path| PageLink::new(&snapshot, path))
        .collect();
    let frame = Frame::new(&state, &view::host_of(&headers), "Orphan pages");
    Ok(Html(state.theme.render("links.html", &LinksTemplate { frame, kind: "orphans", wanted: Vec::new(), orphans })?)
        .into_response())
}

#[derive(Serialize)]
struct TagCount {
    tag: String,
    count: usize,
    url: String,
    /// 1 to 5, for a tag cloud.
    weight: usize,
}

fn tag_counts(snapshot: &Snapshot) -> Vec<TagCount> {
    let max = snapshot.tags.values().map(|it| it.len()).max().unwrap_or(1);
    snapshot
        .tags
        .iter()
        .map(|(tag, pages)| TagCount {
            tag: tag.clone(),
            count: pages.len(),
            url: format!("/-/tags/{}", super::query::encode(tag)),
            weight: 1 + pages.len() * 4 / max.max(1),
        })
        .collect()
}

#[derive(Serialize)]
struct TagsTemplate {
    #[serde(flatten)]
    frame: Frame,
    tags: Vec<TagCount>,
}

/// `GET /-/tags`: every tag with its number of pages.
pub async fn tags_page(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let frame = Frame::new(&state, &view::host_of(&headers), "Tags");
    Ok(Html(state.theme.render("tags.html", &TagsTemplate { frame, tags: tag_counts(&snapshot) })?).into_response())
}

/// `GET /-/api/tags` → `{tags: [{tag, count}]}`.
pub async fn tags_api(viewer: Viewer, State(state): State<AppState>) -> Response {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let tags: Vec<serde_json::Value> =
        snapshot.tags.iter().map(|(tag, pages)| serde_json::json!({ "tag": tag, "count": pages.len() })).collect();
    Json(serde_json::json!({ "tags": tags })).into_response()
}

/// `?sort=title|changed`
#[derive(Deserialize, Default)]
pub struct TagQuery {
    sort: Option<String>,
}

#[derive(Serialize)]
struct TaggedPage {
    #[serde(flatten)]
    page: PageLink,
    kind: &'static str,
    updated_at: i64,
}

fn tagged_pages(reader: &Reader, tag: &str, sort: Option<&str>) -> Vec<TaggedPage> {
    let snapshot = reader.snapshot();
    let mut res: Vec<TaggedPage> = snapshot
        .tags
        .get(&tag.to_lowercase())
        .into_iter()
        .flatten()
        .map(|path| {
            let updated_at = reader.last_change(path.as_str()).map_or(0, |it| it.time);
            TaggedPage { page: PageLink::new(snapshot, path), kind: PageKind::of(path.as_str()).as_str(), updated_at }
        })
        .collect();
    match sort {
        Some("changed") => res.sort_by_key(|it| std::cmp::Reverse(it.updated_at)),
        _ => res.sort_by_key(|it| it.page.title.to_lowercase()),
    }
    res
}

#[derive(Serialize)]
struct TagTemplate {
    #[serde(flatten)]
    frame: Frame,
    tag: String,
    sort: String,
    pages: Vec<TaggedPage>,
    feed_url: String,
}

/// `GET /-/tags/<tag>`: pages and questions with a tag, by title or by last change.
pub async fn tag_page(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(query): Query<TagQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let _snapshot = reader.snapshot().clone();
    let pages = tagged_pages(&reader, &tag, query.sort.as_deref());
    if pages.is_empty() {
        return Err(Error::NotFound(format!("tag {tag}")).into());
    }
    let frame = Frame::new(&state, &view::host_of(&headers), &format!("Tagged “{tag}”"));
    let feed_url = format!("/-/changes.atom?tag={}", super::query::encode(&tag));
    let view = TagTemplate { frame, sort: query.sort.unwrap_or_else(|| "title".into()), tag, pages, feed_url };
    Ok(Html(state.theme.render("tag.html", &view)?).into_response())
}

/// `GET /-/api/tags/<tag>` → `{tag, pages: [{path, url, title, kind, updated_at}]}`.
pub async fn tag_api(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(query): Query<TagQuery>,
) -> Result<Response, ApiError> {
    let reader = viewer.reader(&state);
    let _snapshot = reader.snapshot().clone();
    let pages = tagged_pages(&reader, &tag, query.sort.as_deref());
    if pages.is_empty() {
        return Err(Error::NotFound(format!("tag {tag}")).into());
    }
    Ok(Json(serde_json::json!({ "tag": tag.to_lowercase(), "pages": pages })).into_response())
}

/// `?path=<folder>&offset=<n>&limit=<n>` of the tree API.
#[derive(Deserialize, Default)]
pub struct TreeQuery {
    #[serde(default)]
    path: String,
    #[serde(default)]
    offset: usize,
    limit: Option<usize>,
}

/// `GET /-/api/tree?path=<folder>[&offset=&limit=]` → `{path, entries: [{name, path, title, url, is_folder}],
/// offset, total}`: the folder's entries in the sidebar's order, all of them or `limit` from `offset`.
pub async fn tree_api(
    viewer: Viewer,
    State(state): State<AppState>,
    Query(query): Query<TreeQuery>,
) -> Result<Response, ApiError> {
    let trimmed = query.path.trim().trim_matches('/');
    let folder = if trimmed.is_empty() {
        String::new()
    } else {
        RepoPath::parse(trimmed)?;
        format!("{trimmed}/")
    };
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    if !snapshot.is_folder(&folder) {
        return Err(Error::NotFound(format!("folder {folder}")).into());
    }
    let (entries, total) = state.tree_cache.page(&reader, &folder, query.offset, query.limit.unwrap_or(usize::MAX));
    Ok(Json(serde_json::json!({ "path": folder, "entries": entries, "offset": query.offset, "total": total }))
        .into_response())
}

/// `GET /-/random`: a random page.
pub async fn random_page(viewer: Viewer, State(state): State<AppState>) -> Result<Response, PageError> {
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let pages: Vec<&RepoPath> = snapshot
        .pages
        .keys()
        .filter(|it| crate::site::is_searchable(it.as_str()) && PageKind::of(it.as_str()) != PageKind::Answer)
        .collect();
    if pages.is_empty() {
        return Ok(Redirect::to("/").into_response());
    }
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).expect("the operating system provides randomness");
    let pick = pages[(u64::from_le_bytes(random) % pages.len() as u64) as usize];
    Ok(Redirect::to(&pick.url()).into_response())
}
