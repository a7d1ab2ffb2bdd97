//! Handlers for what people browse: pages, folders, raw files, the page list, theme files and health.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::encoding;
use super::error::{PageError, error_page};
use super::page_cache::{self, KeyContext, PageKey, Rendered, SlotBody, page_cache_headers};
use super::paths::decode_path;
use super::raw::ByteRange;
use super::view::{
    self, FolderContext, FolderTemplate, Frame, NotFoundTemplate, PageContext, PageTemplate, PagesTemplate, TreeNode,
};
use super::viewer::{OFFLINE_HEADER, Viewer};
use super::{AppState, blocking};
use crate::content::path::url_for;
use crate::content::{PageKind, RepoPath};
use crate::site::Reader;
use crate::site::Snapshot;
use crate::store::ObjectId;
use crate::theme::{StaticFile, Theme};
use crate::{Error, Result};

/// `GET /-/healthz`: liveness and the served head.
pub async fn healthz(reader: Reader, State(state): State<AppState>) -> Response {
    let snapshot = reader.snapshot();
    let site_caches = state.site.cache_bytes();
    Json(serde_json::json!({
        "status": "ok",
        "head": snapshot.head,
        "pages": snapshot.pages.len(),
        "history_indexed": state.site.changes_ready(),
        // What the caches hold, by their own weighing (bytes). A page view's body is the render cache's own
        // copy, weighed by both.
        "page_cache_bytes": state.page_cache.weight(),
        // The head the page cache was last told of: until it is the head, views are made afresh.
        "page_cache_head": state.page_cache.head(),
        "tree_cache_bytes": state.tree_cache.weight(),
        "render_cache_bytes": site_caches.render,
        "meta_cache_bytes": site_caches.meta,
        "blame_cache_bytes": site_caches.blame,
        "line_stats_cache_bytes": site_caches.line_stats,
    }))
    .into_response()
}

/// `GET /-/static/<name>[?v=<fingerprint>]`: the theme's CSS, JavaScript and images. Addresses with the
/// file's fingerprint (what templates link to, through `static_url`) may be cached for good; others for a few
/// minutes. Text files go out compressed, each compressed once.
pub async fn static_file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(file) = state.theme.static_file(&name) else {
        return Ok(error_page(StatusCode::NOT_FOUND, view::message(&state, "error-no-theme-file", &[])));
    };
    let versioned = super::query::value(uri.query(), "v").is_some_and(|it| it == file.fingerprint);
    let etag = HeaderValue::from_str(&format!("\"{}\"", file.fingerprint)).expect("hex digits are valid header values");
    let encoding = encoding::Accepted::of(&headers).choose(true);
    let compressible = encoding::is_compressible(&file.content_type) && file.content.len() > 1024;
    let mut res = if page_cache::if_none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if compressible && encoding != encoding::Encoding::Identity {
        // Compressed already (the usual case): no trip to a blocking thread (lore.css to wrk -c8 with gzip:
        // 37,962 req/s with one per request, 60,983 without; brotli 37,797 and 65,641).
        let encoded = match state.static_cache.kept(&name, &file.fingerprint) {
            Some(encoded) => encoded,
            None => {
                let cache = state.static_cache.clone();
                blocking(move || Ok(cache.encoded(&name, file))).await?
            }
        };
        let body = if encoding == encoding::Encoding::Brotli { encoded.brotli.clone() } else { encoded.gzip.clone() };
        let mut res = ([(header::CONTENT_TYPE, encoded.content_type.clone())], body).into_response();
        if let Some(value) = encoding.header_value() {
            res.headers_mut().insert(header::CONTENT_ENCODING, value);
        }
        res
    } else {
        ([(header::CONTENT_TYPE, file.content_type)], Body::from(file.content.into_owned())).into_response()
    };
    let cache_control = if versioned { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let res_headers = res.headers_mut();
    res_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    res_headers.insert(header::ETAG, etag);
    res_headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(res)
}

/// Theme files compressed once, by name and fingerprint.
pub struct StaticCache(quick_cache::sync::Cache<(String, String), Arc<EncodedFile>>);

/// A theme file as gzip and brotli.
pub struct EncodedFile {
    pub content_type: String,
    pub gzip: Bytes,
    pub brotli: Bytes,
}

impl StaticCache {
    /// An empty cache (theme files are few).
    pub fn new() -> StaticCache {
        StaticCache(quick_cache::sync::Cache::new(256))
    }

    /// The theme file `name` with `fingerprint` as compressed before, if it was.
    pub fn kept(&self, name: &str, fingerprint: &str) -> Option<Arc<EncodedFile>> {
        self.0.get(&(name.to_string(), fingerprint.to_string()))
    }

    /// A theme file compressed, compressing it the first time (others asking meanwhile wait for it).
    pub fn encoded(&self, name: &str, file: StaticFile) -> Arc<EncodedFile> {
        let key = (name.to_string(), file.fingerprint.clone());
        let compress = || {
            // The largest files (mermaid is megabytes) get a quicker brotli, still far smaller than gzip.
            let quality = if file.content.len() > 1024 * 1024 { 6 } else { 9 };
            Ok::<_, std::convert::Infallible>(Arc::new(EncodedFile {
                content_type: file.content_type.clone(),
                gzip: Bytes::from(encoding::gzip(&file.content)),
                brotli: Bytes::from(encoding::brotli(&file.content, quality)),
            }))
        };
        match self.0.get_or_insert_with(&key, compress) {
            Ok(encoded) => encoded,
            Err(never) => match never {},
        }
    }

    /// Compresses the theme files most pages load ahead of their first request (run on a thread of its own).
    /// Mermaid (5.5 MB) is not among them: compressing it at start kept 3 MiB of gzip and brotli and its 5.5 MB
    /// of the binary resident in every server, most of whose wikis draw no diagram; the first diagram after a
    /// start waits for it instead (about 0.4 s).
    pub fn warm_up(&self, theme: &Theme) {
        for name in ["vendor/katex/katex.min.js", "vendor/katex/katex.min.css", "lore.js", "lore.css"] {
            if let Some(file) = theme.static_file(name) {
                self.encoded(name, file);
            }
        }
    }
}

/// `GET /-/raw/<path>`: a page's Markdown source as plain text (`a/b.md` or `a/b`), or any other file as stored.
pub async fn raw(reader: Reader, uri: Uri, headers: HeaderMap) -> Result<Response, PageError> {
    let encoded = uri.path().strip_prefix("/-/raw/").unwrap_or_default();
    let decoded = decode_path(encoded)?;
    let path = RepoPath::parse(&decoded)?;
    let path = match reader.file(path.as_str()) {
        Some(_) => path,
        None => RepoPath::parse(&format!("{decoded}.md"))
            .ok()
            .filter(|it| reader.file(it.as_str()).is_some())
            .ok_or_else(|| Error::NotFound(decoded.clone()))?,
    };
    let as_text = path.is_markdown();
    serve_blob(reader, path, &headers, as_text).await
}

/// `GET /-/pages`: every page, as a tree of folders.
pub async fn all_pages(
    reader: Reader,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, PageError> {
    let snapshot = reader.snapshot();
    let tree = page_tree(snapshot, "");
    let frame = Frame::new(&state, &view::host_of(&headers), "All pages");
    let html = state.theme.render("pages.html", &PagesTemplate { frame, tree, n_pages: snapshot.pages.len() })?;
    Ok(Html(html))
}

/// Everything else: a page, a folder, a file from the repository, or a not-found page offering to create it.
pub async fn content(
    viewer: Viewer,
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if method != Method::GET && method != Method::HEAD {
        return Ok(error_page(StatusCode::METHOD_NOT_ALLOWED, view::message(&state, "error-get-only", &[])));
    }
    let encoded = uri.path().strip_prefix('/').unwrap_or_default();
    if encoded == "-" || encoded.starts_with("-/") {
        return Ok(error_page(StatusCode::NOT_FOUND, view::message(&state, "error-nothing-here", &[])));
    }
    let decoded = decode_path(encoded)?;
    // Pages and folders (plain views, without a query) may be kept by the service worker for reading offline.
    let access_class = viewer.access.fingerprint();
    let offline_key =
        HeaderValue::from_str(&viewer.offline_key(&access_class)).expect("hex digits are valid header values");
    let offline = |mut res: Response| {
        if uri.query().is_none() && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
            res.headers_mut().insert(OFFLINE_HEADER, offline_key.clone());
        }
        res
    };
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let head = snapshot.head;
    let now = Utc::now();
    let notice = view::notice_from_query(&state, uri.query());
    let host = view::host_of(&headers);
    let changes_ready = state.site.changes_ready();
    let context = KeyContext { logged_in: viewer.user.is_some(), language: viewer.language, changes_ready };
    // Folder rules change what lists show, and roles which actions the page offers.
    let key = PageKey::new(&decoded, &host, &access_class, context);
    // Views with a query string (old versions, notices) are built fresh; plain views come from the cache.
    let cacheable = uri.query().is_none();
    if cacheable && let Some(page) = state.page_cache.get(&key, head, now.timestamp()) {
        let mut res = page.respond(&headers, || view::account_nav(&state));
        allow_inline_styles(&state, &mut res, page.inline_styles);
        return Ok(offline(res));
    }
    // A view is kept, until a move changes it, only when made with the change index at its head: made while
    // the index catches up to a save (or, at the start, to commits made while it was built), its "last edited"
    // would be the page's change before, and stay so. Such a view is sent, and made again the next time.
    let keep = cacheable && (!changes_ready || state.site.changes_head() == head);
    let target = locate(&snapshot, &decoded)?;
    if let Some(revision) = super::query::value(uri.query(), "rev") {
        let path = match &target {
            Target::Page(path) => path.clone(),
            Target::NotFound(path) => RepoPath::page(path)?,
            _ => return Err(Error::bad_input("?rev= applies to pages only").into()),
        };
        // An old address of a moved page shows its old versions with today's page as "current".
        let current = if snapshot.pages.contains_key(&path) {
            path.clone()
        } else {
            reader.moved_to(&path).unwrap_or_else(|| path.clone())
        };
        return old_version(state, reader, path, current, revision, host, headers).await;
    }
    match target {
        Target::Redirect(url) => {
            let url = match uri.query() {
                Some(query) => format!("{url}?{query}"),
                None => url,
            };
            Ok(Redirect::permanent(&url).into_response())
        }
        Target::File(path) => serve_blob(reader, path, &headers, false).await,
        Target::NotFound(path) => {
            if let Some(url) = snapshot.resolver.find_by_path(&path).map(RepoPath::url) {
                return Ok(Redirect::permanent(&url).into_response());
            }
            if let Ok(page) = RepoPath::page(&path)
                && let Some(moved) = reader.moved_to(&page)
            {
                return Ok(Redirect::permanent(&moved.url()).into_response());
            }
            if let Ok(page) = RepoPath::parse(&format!("{}.md", path.trim_end_matches('/')))
                && let Some(deletion) = reader.deletion(&page)
            {
                let (csrf_token, set_cookie) = super::csrf::token(&headers);
                let frame = Frame::new(&state, &host, &path).with_breadcrumbs(&snapshot, &path);
                let deleted = view::DeletedContext::new(&page, &deletion);
                let html = state.theme.render("deleted.html", &view::DeletedTemplate { frame, deleted, csrf_token })?;
                let mut res = (StatusCode::GONE, Html(html)).into_response();
                super::csrf::attach(&mut res, set_cookie);
                return Ok(res);
            }
            let frame = Frame::new(&state, &host, &path).with_breadcrumbs(&snapshot, &path);
            let create_url = format!("/-/edit/{}", path.trim_end_matches('/'));
            let html = state.theme.render("not_found.html", &NotFoundTemplate { frame, path, create_url })?;
            Ok((StatusCode::NOT_FOUND, Html(html)).into_response())
        }
        Target::Page(path) if PageKind::of(path.as_str()) == PageKind::Question => {
            // Questions have a route of their own (`questions::question_page`); this is the way there from
            // an address that names the file.
            Ok(Redirect::permanent(&path.url()).into_response())
        }
        Target::Page(path) if PageKind::of(path.as_str()) == PageKind::Answer => {
            let question =
                crate::content::questions::question_of_answer(path.as_str()).and_then(|it| RepoPath::parse(&it).ok());
            match question {
                Some(question) => {
                    Ok(Redirect::to(&format!("{}#answer-{}", question.url(), path.file_stem())).into_response())
                }
                None => Err(Error::NotFound(path.to_string()).into()),
            }
        }
        Target::Page(path) => {
            // Right after a restore the page offers to undo it. Only shown on this uncached view, so the form's
            // CSRF token reaches no one else; the restore handler judges the commit like any other.
            let undo_commit = super::query::value(uri.query(), "undo")
                .filter(|it| (7..=40).contains(&it.len()) && it.bytes().all(|byte| byte.is_ascii_hexdigit()));
            let (csrf_token, set_cookie) = super::csrf::token(&headers);
            let undo = undo_commit.filter(|_| viewer.can_edit(path.as_str())).map(|commit| view::UndoForm {
                restore_url: format!("/-/restore/{}", path.as_str()),
                commit,
                csrf_token,
            });
            let set_cookie = set_cookie.filter(|_| undo.is_some());
            let cache_state = state.clone();
            let (rendered, inline_styles, fresh_until) = blocking(move || {
                let view = reader.page_view(&path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
                let mut frame = Frame::new(&state, &host, &view.meta.title).with_breadcrumbs(&snapshot, path.as_str());
                let mut page = PageContext::new(&view);
                decorate(&state, &reader, &mut page)?;
                page.undo = undo;
                let inline_styles = page.has_math || page.has_mermaid;
                frame.notice = notice;
                // The body goes in apart: the page cache keeps the render cache's compressed copy of it.
                let body_html = std::mem::replace(&mut page.html, view::BODY_SLOT.to_string());
                let body = SlotBody { html: body_html, kept: view.kept_html.clone() };
                let rendered = render_for_sharing(&state, frame, |frame| {
                    state.theme.render("page.html", &PageTemplate { frame, page: &page })
                })?
                .with_body(body);
                // Relative times ("3 days ago") and the review state ("needs review") age.
                let changed_at = view.last_change.as_ref().and_then(|it| DateTime::<Utc>::from_timestamp(it.time, 0));
                let fresh_until = changed_at.map_or(i64::MAX, |it| view::relative_time_changes_at(now, it));
                Ok((rendered, inline_styles, fresh_until.min(next_midnight(now))))
            })
            .await?;
            let mut res = offline(respond_and_keep(
                cache_state,
                keep.then_some((key, head)),
                rendered,
                inline_styles,
                fresh_until,
            ));
            super::csrf::attach(&mut res, set_cookie);
            Ok(res)
        }
        Target::Folder(folder) => {
            let entries = folder_entries(&snapshot, &folder);
            let title = if folder.is_empty() {
                state.site.config.site_title.clone()
            } else {
                view::folder_title(&snapshot, &folder)
            };
            let frame = Frame::new(&state, &host, &title).with_breadcrumbs(&snapshot, &folder);
            let url = if folder.is_empty() { "/".to_string() } else { url_for(folder.trim_end_matches('/')) + "/" };
            let folder_view = FolderContext { title, path: folder.clone(), url, entries };
            let rendered = render_for_sharing(&state, frame, |frame| {
                state.theme.render("folder.html", &FolderTemplate { frame, folder: &folder_view })
            })?;
            Ok(offline(respond_and_keep(state, keep.then_some((key, head)), rendered, false, i64::MAX)))
        }
    }
}

// Renders a view to share through the page cache: without anything personal, the header's personal links
// rendered apart. A theme whose layout shows the account itself (no slot) gets the visitor's own page.
fn render_for_sharing(state: &AppState, frame: Frame, render: impl Fn(Frame) -> Result<String>) -> Result<Rendered> {
    let (personal, anonymous) = view::account_nav_for_sharing(state);
    let shared_html = render(frame.clone().shared())?;
    if anonymous.is_none() && !shared_html.contains(view::ACCOUNT_SLOT) {
        return Ok(Rendered { shared_html: render(frame)?, personal, anonymous, body: None });
    }
    Ok(Rendered { shared_html, personal, anonymous, body: None })
}

// Sends a freshly rendered view, and compresses and keeps it for the next ones off the request's path.
fn respond_and_keep(
    state: AppState,
    key: Option<(PageKey, Option<ObjectId>)>,
    rendered: Rendered,
    inline_styles: bool,
    fresh_until: i64,
) -> Response {
    let mut res = html_response(&state, Bytes::from(rendered.personal_html()), inline_styles);
    page_cache_headers(res.headers_mut());
    if let Some((key, head)) = key {
        tokio::spawn(async move {
            let Some(turn) = state.page_cache.compress_turn(&rendered).await else { return };
            super::connections::spawn_blocking(move || {
                state.page_cache.insert(key, head, &rendered, inline_styles, fresh_until);
                drop(turn);
            });
        });
    }
    res
}

// The start of the next day (UTC), when review states may change.
fn next_midnight(now: DateTime<Utc>) -> i64 {
    (now.timestamp() / 86_400 + 1) * 86_400
}

/// A page as it was in an older commit, under a banner saying so.
async fn old_version(
    state: AppState,
    reader: Reader,
    path: RepoPath,
    current: RepoPath,
    revision: String,
    host: String,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = super::csrf::token(&headers);
    let policy_state = state.clone();
    let html = blocking(move || {
        let view = reader.page_view_at(&path, &revision)?.ok_or_else(|| view::missing_revision(&path, &revision))?;
        let info = view.last_change.clone().expect("old versions carry their commit");
        let frame = Frame::new(&state, &host, &view.meta.title).with_breadcrumbs(reader.snapshot(), path.as_str());
        let mut page = PageContext::new(&view);
        decorate(&state, &reader, &mut page)?;
        let inline_styles = page.has_math || page.has_mermaid;
        page.revision = Some(view::RevisionBanner {
            commit: view::CommitView::new(&info),
            current_url: current.url(),
            compare_url: format!("/-/diff/{}?from={}", current.as_str(), info.id),
            restore_url: format!("/-/restore/{}", current.as_str()),
            csrf_token,
        });
        Ok((state.theme.render("page.html", &PageTemplate { frame, page: &page })?, inline_styles))
    })
    .await?;
    let mut res = html_response(&policy_state, Bytes::from(html.0), html.1);
    super::csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// Adds what surrounds a page: backlinks, the page tree, and the nearest `_sidebar.md`, `_header.md` and
/// `_footer.md` (each rendered like a page, so cached by blob id).
fn decorate(state: &AppState, reader: &Reader, page: &mut PageContext) -> Result<()> {
    let snapshot = reader.snapshot();
    let path = RepoPath::parse(&page.path)?;
    page.backlinks = view::backlinks(snapshot, &path);
    page.translations = view::translations(reader, &path);
    page.lang = reader.language_of(&path).map(|it| it.to_string());
    page.tree = state.tree_cache.tree_for(reader, path.as_str());
    page.health = reader.health(&path);
    let nearest = |name: &str| -> Result<Option<crate::site::PageView>> {
        let mut folder = path.folder().to_string();
        loop {
            if let Ok(candidate) = RepoPath::parse(&format!("{folder}{name}"))
                && let Some(found) = reader.page_view(&candidate)?
            {
                return Ok(Some(found));
            }
            if folder.is_empty() {
                return Ok(None);
            }
            folder.pop();
            folder.truncate(folder.rfind('/').map_or(0, |it| it + 1));
        }
    };
    let frame_parts = [nearest("_sidebar.md")?, nearest("_header.md")?, nearest("_footer.md")?];
    // Formulas and diagrams in the frame need their libraries as much as the page's own.
    for part in frame_parts.iter().flatten() {
        page.has_math |= part.meta.has_math;
        page.has_mermaid |= part.meta.has_mermaid;
    }
    let [sidebar, header, footer] = frame_parts.map(|it| it.map(|view| view.body.html.clone()));
    page.sidebar_html = sidebar;
    page.header_html = header;
    page.footer_html = footer;
    Ok(())
}

enum Target {
    Page(RepoPath),
    Folder(String),
    File(RepoPath),
    Redirect(String),
    NotFound(String),
}

// Maps a decoded URL path to what it shows. See README "URLs" for the scheme.
fn locate(snapshot: &Snapshot, decoded: &str) -> Result<Target> {
    if decoded.is_empty() || decoded.ends_with('/') {
        if !decoded.is_empty() {
            RepoPath::parse(decoded.trim_end_matches('/'))?;
        }
        if !snapshot.is_folder(decoded) {
            let page = RepoPath::parse(&format!("{}.md", decoded.trim_end_matches('/')));
            return Ok(match page {
                Ok(page) if snapshot.pages.contains_key(&page) => Target::Redirect(page.url()),
                _ => Target::NotFound(decoded.to_string()),
            });
        }
        for index in ["index.md", "README.md"] {
            let page = RepoPath::parse(&format!("{decoded}{index}"))?;
            if snapshot.pages.contains_key(&page) {
                return Ok(Target::Page(page));
            }
        }
        return Ok(Target::Folder(decoded.to_string()));
    }
    let path = RepoPath::parse(decoded)?;
    if path.is_markdown() && snapshot.pages.contains_key(&path) {
        // `/a/b.md` redirects to `/a/b`; a page whose URL keeps its extension (`/pages/common/..md`) is here.
        return Ok(if path.url() == url_for(decoded) { Target::Page(path) } else { Target::Redirect(path.url()) });
    }
    if let Ok(page) = RepoPath::parse(&format!("{decoded}.md"))
        && snapshot.pages.contains_key(&page)
    {
        return Ok(Target::Page(page));
    }
    if snapshot.file(decoded).is_some() {
        return Ok(Target::File(path));
    }
    if snapshot.is_folder(&format!("{decoded}/")) {
        return Ok(Target::Redirect(url_for(decoded) + "/"));
    }
    Ok(Target::NotFound(decoded.to_string()))
}

async fn serve_blob(reader: Reader, path: RepoPath, headers: &HeaderMap, as_text: bool) -> Result<Response, PageError> {
    let blob = reader.file(path.as_str()).ok_or_else(|| Error::NotFound(path.to_string()))?;
    let etag = format!("\"{blob}\"");
    let mut res = if headers.get(header::IF_NONE_MATCH).and_then(|it| it.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let file = path.clone();
        let content = blocking(move || reader.read_file(&file)).await?;
        let len = content.len() as u64;
        // Audio and video seek with ranges; one range at a time is what browsers ask for.
        match ByteRange::of(headers, &etag, len) {
            ByteRange::Whole => Body::from(content).into_response(),
            ByteRange::Part(range) => {
                let content_range = format!("bytes {}-{}/{len}", range.start(), range.end());
                let (start, end) = (*range.start() as usize, *range.end() as usize);
                let part = Bytes::from(content).slice(start..=end);
                let mut res = (StatusCode::PARTIAL_CONTENT, part).into_response();
                res.headers_mut().insert(
                    header::CONTENT_RANGE,
                    HeaderValue::from_str(&content_range).expect("digits are valid header values"),
                );
                res
            }
            ByteRange::Unsatisfiable => {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                res.headers_mut().insert(
                    header::CONTENT_RANGE,
                    HeaderValue::from_str(&format!("bytes */{len}")).expect("digits are valid header values"),
                );
                res
            }
        }
    };
    super::raw::RawServing::of(path.as_str(), as_text).apply(res.headers_mut());
    let res_headers = res.headers_mut();
    res_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    res_headers.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex ids are valid header values"));
    res_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

fn html_response(state: &AppState, html: Bytes, inline_styles: bool) -> Response {
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    allow_inline_styles(state, &mut res, inline_styles);
    res
}

fn allow_inline_styles(state: &AppState, res: &mut Response, inline_styles: bool) {
    if inline_styles {
        // KaTeX and mermaid position what they draw with style attributes; scripts stay 'self' only.
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, state.policies.with_drawings.clone());
    }
}

// The folders and files under `folder`, nested. Pages show their titles; other files their names.
fn page_tree(snapshot: &Snapshot, folder: &str) -> Vec<TreeNode> {
    let mut res = folder_entries(snapshot, folder);
    for node in res.iter_mut().filter(|it| it.is_folder) {
        node.children = page_tree(snapshot, &format!("{folder}{}/", node.name));
    }
    res
}

// The folders and files directly in `folder`: folders first by name, then files by title.
fn folder_entries(snapshot: &Snapshot, folder: &str) -> Vec<TreeNode> {
    let mut nodes: Vec<TreeNode> = Vec::new();
    let mut subfolders: BTreeSet<String> = BTreeSet::new();
    for (file, _) in snapshot.files_under(folder) {
        let rest = &file[folder.len()..];
        match rest.split_once('/') {
            Some((subfolder, _)) => {
                subfolders.insert(subfolder.to_string());
            }
            None => {
                let Ok(path) = RepoPath::parse(file) else { continue };
                let title = snapshot.pages.get(&path).map_or_else(|| rest.to_string(), |it| it.title.clone());
                nodes.push(TreeNode {
                    name: rest.to_string(),
                    title,
                    url: path.url(),
                    is_folder: false,
                    children: Vec::new(),
                });
            }
        }
    }
    let mut folders: Vec<TreeNode> = subfolders
        .into_iter()
        .filter(|name| !name.starts_with('.') && !name.starts_with('-'))
        .map(|name| {
            let sub = format!("{folder}{name}/");
            TreeNode {
                title: view::folder_title(snapshot, &sub),
                url: url_for(&sub[..sub.len() - 1]) + "/",
                children: Vec::new(),
                name,
                is_folder: true,
            }
        })
        .collect();
    nodes.sort_by_cached_key(|it| it.title.to_lowercase());
    folders.append(&mut nodes);
    folders
}
