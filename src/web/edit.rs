//! Browser editing: the editor and its preview, new pages from templates, move, delete, restore and
//! uploads. Every state-changing form carries a CSRF token (`csrf.rs`); failures keep the user's text.

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::csrf::{self, CsrfForm};
use super::error::{PageError, classify};
use super::paths::PagePath;
use super::query::encode;
use super::view::{self, Frame};
use super::viewer::Viewer;
use super::viewer::{author_cookie, remembered_author};
use super::{AppState, blocking};
use crate::content::RepoPath;
use crate::content::sections;
use crate::render::diff;
use crate::site::Reader;
use crate::site::{PageEdit, SaveOutcome};
use crate::store::ObjectId;
use crate::{Error, Result};

/// Query of `GET /-/edit/<path>`.
#[derive(Deserialize)]
pub struct EditQuery {
    section: Option<usize>,
    template: Option<String>,
}

/// The editor form.
#[derive(Deserialize)]
pub struct EditForm {
    markdown: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    base_blob: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_email: String,
    section: Option<usize>,
}

#[derive(Serialize)]
struct EditTemplate {
    #[serde(flatten)]
    frame: Frame,
    edit: EditContext,
}

#[derive(Serialize)]
struct EditContext {
    path: String,
    url: String,
    title: String,
    is_new: bool,
    markdown: String,
    base_blob: String,
    section: Option<usize>,
    message_placeholder: String,
    csrf_token: String,
    author_name: String,
    author_email: String,
    error: Option<String>,
    preview_html: String,
    conflict: Option<ConflictContext>,
    upload_url: String,
    preview_url: &'static str,
    cancel_url: String,
}

#[derive(Serialize)]
struct ConflictContext {
    theirs: String,
    diff_html: String,
    theirs_by: String,
}

/// `GET /-/edit/<path>`: the editor for a page, a section of it (`?section=N`), or a new page
/// (`?template=NAME` starts from `_templates/NAME.md`).
pub async fn editor(
    PagePath(path): PagePath,
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<EditQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let lookup_path = path.clone();
    let lookup = reader.clone();
    let (source, template_text) = blocking(move || {
        let reader = lookup;
        let source = reader.page_source(&lookup_path)?;
        let template = match (&source, &query.template) {
            (None, Some(name)) if !name.is_empty() => {
                let template_path = RepoPath::parse(&format!("_templates/{name}.md"))?;
                Some(
                    reader
                        .page_source(&template_path)?
                        .ok_or_else(|| Error::NotFound(format!("template {name}")))?
                        .text,
                )
            }
            _ => None,
        };
        Ok((source, template))
    })
    .await?;
    let (markdown, base_blob, title) = match (&source, query.section) {
        (Some(source), Some(number)) => {
            let text = sections::section_text(&source.text, number)
                .ok_or_else(|| Error::NotFound(format!("section {number} of {path}")))?;
            (text.to_string(), source.blob.to_string(), source.meta.title.clone())
        }
        (Some(source), None) => (source.text.clone(), source.blob.to_string(), source.meta.title.clone()),
        (None, _) => {
            let title = title_from_path(&path);
            (template_text.unwrap_or_else(|| format!("# {title}\n\n")), String::new(), title)
        }
    };
    let author = remembered_author(&headers);
    let context = EditContext {
        is_new: source.is_none(),
        section: if source.is_some() { query.section } else { None },
        message_placeholder: if source.is_some() { format!("Update {title}") } else { format!("Create {title}") },
        author_name: author.as_ref().map(|it| it.name.clone()).unwrap_or_default(),
        author_email: author.as_ref().map(|it| it.email.clone()).unwrap_or_default(),
        ..edit_context(&reader, &path, title, markdown, base_blob, csrf_token)
    };
    let mut res = render_editor(&state, &headers, context, StatusCode::OK)?;
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `POST /-/edit/<path>`: saves the editor's text in one commit; merges with concurrent edits, or shows the
/// conflict with the user's text intact.
pub async fn save(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let (csrf_token, _) = csrf::token(&headers);
    let author = viewer.author(&form.author_name, &form.author_email, &headers)?;
    let base_blob = parse_blob(&form.base_blob)?;
    let reader = viewer.reader(&state);
    let writer = viewer.writer(&state, author.clone());
    let save_path = path.clone();
    let version_reader = reader.clone();
    let section = form.section;
    let typed = form.markdown.replace("\r\n", "\n");
    let message = Some(form.message.clone()).filter(|it| !it.trim().is_empty());
    let outcome = blocking(move || {
        // A section edit becomes a whole-page edit of the version it started from, so the usual merge applies.
        let markdown = match (section, base_blob) {
            (Some(number), Some(base)) => {
                let base_text = version_reader.version_text(&save_path, base)?;
                sections::replace_section(&base_text, number, &typed)
                    .ok_or_else(|| Error::NotFound(format!("section {number}")))?
            }
            _ => typed,
        };
        let edit = PageEdit { path: save_path, markdown, message, base_blob };
        writer.save_page(&edit).map(|outcome| (outcome, edit.markdown))
    })
    .await;
    let title = title_from_path(&path);
    let (outcome, full_text) = match outcome {
        Ok(it) => it,
        Err(err @ (Error::TooLarge { .. } | Error::BadInput(_) | Error::PreconditionRequired | Error::NotFound(_))) => {
            let (status, _, message) = classify(&err);
            let context = EditContext {
                error: Some(message),
                section: form.section,
                author_name: form.author_name.clone(),
                author_email: form.author_email.clone(),
                ..edit_context(&reader, &path, title, form.markdown.clone(), form.base_blob.clone(), csrf_token)
            };
            return Ok(render_editor(&state, &headers, context, status)?);
        }
        Err(err) => return Err(err.into()),
    };
    let notice = match outcome {
        SaveOutcome::Saved { merged_with: Some(other), .. } => format!("merged={}", encode(&other.name)),
        SaveOutcome::Saved { .. } => "saved=1".to_string(),
        SaveOutcome::Unchanged { .. } => "unchanged=1".to_string(),
        SaveOutcome::Conflict { yours: _, theirs, base: _, theirs_blob } => {
            let theirs_by =
                reader.last_change(path.as_str()).map_or_else(|| "someone".to_string(), |it| it.author.name.clone());
            let context = EditContext {
                conflict: Some(ConflictContext {
                    diff_html: diff::unified_html(&theirs, &full_text),
                    theirs,
                    theirs_by,
                }),
                author_name: author.name.clone(),
                author_email: author.email.clone(),
                ..edit_context(&reader, &path, title, full_text, theirs_blob.to_string(), csrf_token)
            };
            return Ok(render_editor(&state, &headers, context, StatusCode::CONFLICT)?);
        }
    };
    let mut res = Redirect::to(&format!("{}?{notice}", path.url())).into_response();
    res.headers_mut().append(header::SET_COOKIE, author_cookie(&author));
    Ok(res)
}

/// The preview form: the text being edited and the page it belongs to.
#[derive(Deserialize)]
pub struct PreviewForm {
    markdown: String,
    #[serde(default)]
    path: String,
}

/// `POST /-/preview`: the editor's text rendered by the server's own renderer, as a sanitised fragment, its
/// wiki links resolved among the pages the viewer may read.
/// Renders run a few at a time (`AppState::preview_permits`): one whose client went away cannot be stopped, but
/// it holds a permit until it ends, so disconnecting clients cannot pile renders up.
pub async fn preview(
    reader: Reader,
    State(state): State<AppState>,
    Form(form): Form<PreviewForm>,
) -> Result<Response, PageError> {
    let size = form.markdown.len() as u64;
    let limit = reader.config().max_page_bytes;
    if size > limit {
        return Err(Error::TooLarge { what: "the page", size, limit }.into());
    }
    let path = RepoPath::parse(&form.path).or_else(|_| RepoPath::parse("preview.md"))?;
    let permit = state.preview_permits.acquire().await?;
    let html = blocking(move || {
        let _permit = permit;
        Ok(reader.render_preview(&path, &form.markdown).1.html)
    })
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// Query of `GET /-/new`.
#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    path: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    folder: String,
}

#[derive(Serialize)]
struct NewTemplate {
    #[serde(flatten)]
    frame: Frame,
    templates: Vec<TemplateChoice>,
    folder: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct TemplateChoice {
    name: String,
    title: String,
}

/// `GET /-/new`: choose a path and a template; with `path` given, opens the editor there.
pub async fn new_page(
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<NewQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let mut error = None;
    if !query.path.trim().is_empty() {
        match super::paths::typed_page(&query.path) {
            Ok(path) => {
                let template = if query.template.is_empty() {
                    String::new()
                } else {
                    format!("?template={}", encode(&query.template))
                };
                return Ok(Redirect::to(&format!("/-/edit/{}{template}", path.as_str())).into_response());
            }
            Err(err) => error = Some(err.to_string()),
        }
    }
    let templates = reader.templates().into_iter().map(|(name, title)| TemplateChoice { name, title }).collect();
    let frame = Frame::new(&state, &view::host_of(&headers), "New page");
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let html = state.theme.render("new.html", &NewTemplate { frame, templates, folder: query.folder, error })?;
    Ok((status, Html(html)).into_response())
}

#[derive(Serialize)]
struct PageActionTemplate {
    #[serde(flatten)]
    frame: Frame,
    page: PageSummary,
    csrf_token: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct PageSummary {
    path: String,
    title: String,
    url: String,
    blob: ObjectId,
}

/// `GET /-/delete/<path>` and `GET /-/move/<path>`: the confirmation forms.
pub async fn confirm_form(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let template = if uri.path().starts_with("/-/delete/") { "delete.html" } else { "move.html" };
    let reader = viewer.reader(&state);
    let snapshot = reader.snapshot().clone();
    let meta = snapshot.pages.get(&path).ok_or_else(|| Error::NotFound(path.to_string()))?;
    let blob = meta.blob;
    let (csrf_token, set_cookie) = csrf::token(&headers);
    let frame = Frame::new(&state, &view::host_of(&headers), &meta.title).with_breadcrumbs(&snapshot, path.as_str());
    let page = PageSummary { path: path.as_str().to_string(), title: meta.title.clone(), url: path.url(), blob };
    let html = state.theme.render(template, &PageActionTemplate { frame, page, csrf_token, error: None })?;
    let mut res = Html(html).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// The delete form.
#[derive(Deserialize)]
pub struct DeleteForm {
    base_blob: String,
    #[serde(default)]
    message: String,
}

/// `POST /-/delete/<path>`: deletes the page in one commit; its URL then offers to restore it.
pub async fn delete(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, PageError> {
    let base = parse_blob(&form.base_blob)?
        .ok_or_else(|| Error::bad_input("the form does not say which version to delete"))?;
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let delete_path = path.clone();
    let message = Some(form.message).filter(|it| !it.trim().is_empty());
    blocking(move || writer.delete_page(&delete_path, base, message)).await?;
    Ok(Redirect::to(&path.url()).into_response())
}

/// The move form.
#[derive(Deserialize)]
pub struct MoveForm {
    to: String,
    #[serde(default)]
    base_blob: String,
}

/// `POST /-/move/<path>`: moves the page; the old URL redirects to the new one.
pub async fn move_page(
    PagePath(from): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let to = super::paths::typed_page(&form.to)?;
    let base = parse_blob(&form.base_blob)?;
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let target = to.clone();
    blocking(move || writer.move_page(&from, &target, base)).await?;
    Ok(Redirect::to(&format!("{}?moved=1", to.url())).into_response())
}

/// The restore form.
#[derive(Deserialize)]
pub struct RestoreForm {
    commit: String,
}

/// `POST /-/restore/<path>`: brings back the page as it was in `commit`, as a new commit.
pub async fn restore(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<RestoreForm>,
) -> Result<Response, PageError> {
    let author = viewer.author("", "", &headers)?;
    let writer = viewer.writer(&state, author);
    let restore_path = path.clone();
    blocking(move || writer.restore_page(&restore_path, &form.commit)).await?;
    Ok(Redirect::to(&format!("{}?restored=1", path.url())).into_response())
}

/// `POST /-/upload/<page path>`: stores an uploaded file next to the page in one commit and answers
/// `{path, url, markdown}` with the Markdown that links it.
pub async fn upload(
    PagePath(page): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let res = async {
        let mut token = String::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        let limit = state.site.config.max_upload_bytes;
        while let Some(field) =
            multipart.next_field().await.map_err(|err| multipart_error(&err.body_text(), err.status()))?
        {
            match field.name() {
                Some("csrf_token") => {
                    token = field.text().await.map_err(|err| multipart_error(&err.body_text(), err.status()))?
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("upload").to_string();
                    let bytes = field.bytes().await.map_err(|err| multipart_error(&err.body_text(), err.status()))?;
                    if bytes.len() as u64 > limit {
                        return Err(Error::TooLarge { what: "the upload", size: bytes.len() as u64, limit });
                    }
                    file = Some((name, bytes.to_vec()));
                }
                _ => {}
            }
        }
        csrf::verify(&headers, &token)?;
        let (name, content) = file.ok_or_else(|| Error::bad_input("no file in the upload"))?;
        let author = viewer.author("", "", &headers)?;
        let writer = viewer.writer(&state, author);
        let stored = blocking(move || writer.upload(&page, &sanitize_file_name(&name), content)).await?;
        let file_name = stored.file_name().to_string();
        let link = crate::content::path::url_for(&file_name).trim_start_matches('/').to_string();
        // Images show, and recordings play, where they are inserted: both are Markdown images.
        let shows_inline = mime_guess::from_path(&file_name).first().is_some_and(|it| {
            [mime_guess::mime::IMAGE, mime_guess::mime::AUDIO, mime_guess::mime::VIDEO].contains(&it.type_())
        });
        let markdown = if shows_inline { format!("![{file_name}]({link})") } else { format!("[{file_name}]({link})") };
        Ok(serde_json::json!({ "path": stored.as_str(), "url": stored.url(), "markdown": markdown }))
    }
    .await;
    match res {
        Ok(json) => (StatusCode::CREATED, axum::Json(json)).into_response(),
        Err(err) => super::error::ApiError(err).into_response(),
    }
}

fn multipart_error(text: &str, status: StatusCode) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge { what: "the upload", size: 0, limit: 0 }
    } else {
        Error::bad_input(format!("could not read the upload: {text}"))
    }
}

/// A safe file name for an upload: its last path segment, with only letters, digits, `.`, `-` and `_`.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut res = String::with_capacity(last.len());
    for ch in last.chars() {
        let keep = ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' || ch == '-';
        let ch = if keep { ch } else { '-' };
        if !(ch == '-' && res.ends_with('-')) {
            res.push(ch);
        }
    }
    let trimmed = res.trim_start_matches(['.', '-']).trim_end_matches(['.', '-']);
    let mut name: String = trimmed.chars().take(100).collect();
    if name.is_empty() || name.eq_ignore_ascii_case("git") {
        name = "upload".into();
    }
    name
}

fn edit_context(
    reader: &Reader,
    path: &RepoPath,
    title: String,
    markdown: String,
    base_blob: String,
    csrf_token: String,
) -> EditContext {
    let preview_html = reader.render_preview(path, &markdown).1.html;
    EditContext {
        path: path.as_str().to_string(),
        url: path.url(),
        message_placeholder: format!("Update {title}"),
        title,
        is_new: base_blob.is_empty(),
        markdown,
        base_blob,
        section: None,
        csrf_token,
        author_name: String::new(),
        author_email: String::new(),
        error: None,
        preview_html,
        conflict: None,
        upload_url: format!("/-/upload/{}", path.as_str()),
        preview_url: "/-/preview",
        cancel_url: path.url(),
    }
}

fn render_editor(state: &AppState, headers: &HeaderMap, context: EditContext, status: StatusCode) -> Result<Response> {
    let reader = super::viewer::Viewer::current().map(|viewer| viewer.reader(state));
    let title = if context.is_new { format!("Create {}", context.title) } else { format!("Edit {}", context.title) };
    let mut frame = Frame::new(state, &view::host_of(headers), &title);
    if let Some(reader) = &reader {
        frame = frame.with_breadcrumbs(reader.snapshot(), &context.path);
    }
    let html = state.theme.render("edit.html", &EditTemplate { frame, edit: context })?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

fn title_from_path(path: &RepoPath) -> String {
    path.file_stem().replace(['-', '_'], " ")
}

fn parse_blob(text: &str) -> Result<Option<ObjectId>> {
    let text = text.trim();
    if text.is_empty() { Ok(None) } else { text.parse().map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(raw: &str, expected: &str) {
        assert_eq!(sanitize_file_name(raw), expected);
    }

    #[test]
    fn upload_names_cannot_escape() {
        check("../../.git/config", "config");
        check("..\\evil.png", "evil.png");
        check(".git", "upload");
        check("My Photo (1).PNG", "My-Photo-1-.PNG");
        check("", "upload");
        check("-rf", "rf");
    }
}
