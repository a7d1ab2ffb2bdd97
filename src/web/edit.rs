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
use super::query::{encode, encode_fragment};
use super::view::{self, Frame};
use super::viewer::Viewer;
use super::viewer::{author_cookie, remembered_author};
use super::{AppState, blocking};
use crate::content::front_matter::{self, FieldEdit, FieldValue};
use crate::content::page::fallback_title;
use crate::content::sections;
use crate::content::{RepoPath, page_slug, questions};
use crate::i18n::Arg;
use crate::render::diff;
use crate::site::{PageEdit, SaveOutcome};
use crate::site::{Reader, Snapshot};
use crate::store::{self, MergeRun, ObjectId};
use crate::{Error, Result};

/// Query of `GET /-/edit/<path>`.
#[derive(Deserialize)]
pub struct EditQuery {
    section: Option<usize>,
    template: Option<String>,
    /// The title a new page was given on the "New page" form.
    title: Option<String>,
}

/// The editor form. With `front_matter` present, `markdown` is the page's body and the front matter comes
/// from the fields (title, tags, owners) and the YAML box; without it (section edits, older clients),
/// `markdown` is the whole text.
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
    front_matter: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    owners: String,
    #[serde(default)]
    title_was: String,
    #[serde(default)]
    tags_was: String,
    #[serde(default)]
    owners_was: String,
}

impl EditForm {
    // The page's whole text as the form describes it, line breaks as `\n` (browsers send `\r\n`).
    fn page_text(&self) -> Result<String> {
        let body = self.markdown.replace("\r\n", "\n");
        let Some(yaml) = &self.front_matter else { return Ok(body) };
        if self.section.is_some() {
            return Err(Error::bad_input("a section edit has no front matter fields"));
        }
        let fields = [
            FieldEdit { key: "title", value: FieldValue::text(&self.title), was: FieldValue::text(&self.title_was) },
            FieldEdit { key: "tags", value: FieldValue::list(&self.tags), was: FieldValue::list(&self.tags_was) },
            FieldEdit { key: "owners", value: FieldValue::list(&self.owners), was: FieldValue::list(&self.owners_was) },
        ];
        front_matter::assemble(&yaml.replace("\r\n", "\n"), &fields, &body).map_err(Error::bad_input)
    }

    // The fields as typed, to show them again when the save did not happen.
    fn fields(&self) -> Option<FieldsContext> {
        let yaml = self.front_matter.as_ref()?;
        Some(FieldsContext {
            title: self.title.clone(),
            tags: self.tags.clone(),
            owners: self.owners.clone(),
            title_was: self.title_was.clone(),
            tags_was: self.tags_was.clone(),
            owners_was: self.owners_was.clone(),
            front_matter: yaml.replace("\r\n", "\n"),
            title_placeholder: String::new(),
            problems: Vec::new(),
            open_advanced: false,
        })
    }
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
    /// The body when `fields` are shown, otherwise the whole text (or the section's).
    markdown: String,
    fields: Option<FieldsContext>,
    base_blob: String,
    section: Option<usize>,
    message: String,
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

/// The front matter as the editor shows it: three fields, what they said when the editor opened (the save
/// writes only fields that changed), and the raw YAML under "Advanced".
#[derive(Serialize)]
struct FieldsContext {
    title: String,
    tags: String,
    owners: String,
    title_was: String,
    tags_was: String,
    owners_was: String,
    front_matter: String,
    /// The title the page shows without a `title` (its first heading or file name).
    title_placeholder: String,
    problems: Vec<String>,
    open_advanced: bool,
}

impl FieldsContext {
    // The fields of `yaml`, as the page has them now.
    fn of(yaml: &str, title_placeholder: String) -> FieldsContext {
        let (front_matter, problems) = front_matter::parse(yaml);
        let title = front_matter.title.unwrap_or_default();
        let tags = front_matter.tags.join(", ");
        let owners = front_matter.owners.join(", ");
        let open_advanced = !problems.is_empty();
        FieldsContext {
            title_was: title.clone(),
            tags_was: tags.clone(),
            owners_was: owners.clone(),
            title,
            tags,
            owners,
            front_matter: yaml.to_string(),
            title_placeholder,
            problems: problems.into_iter().map(|it| format!("line {}: {}", it.line, it.message)).collect(),
            open_advanced,
        }
    }
}

#[derive(Serialize)]
struct ConflictContext {
    theirs: String,
    diff_html: String,
    theirs_by: String,
    rows: Vec<ConflictRow>,
}

/// One passage both people changed: what each has there, where it sits in the editor's text, and the text
/// around it that finds it again after the person typed elsewhere.
#[derive(Serialize)]
struct ConflictRow {
    number: usize,
    /// `body` or `front_matter`: which text box holds it.
    target: &'static str,
    /// The line of that text where it starts (1-based).
    line: usize,
    /// Where it starts in that text, in UTF-16 units, as the browser counts.
    offset: usize,
    mine: String,
    theirs: String,
    before: String,
    after: String,
    mine_html: String,
    theirs_html: String,
    /// For a front matter row: what the title, tags and owners fields say with each choice (JSON), so the
    /// fields show what the choice puts in the YAML.
    fields: Option<String>,
    /// Whether "keep both" is offered: not where both versions together are not valid front matter (the
    /// same key twice).
    both_allowed: bool,
}

/// `GET /-/edit/<path>`: the editor for a page, a section of it (`?section=N`), or a new page
/// (`?template=NAME` starts from `_templates/NAME.md`, `?title=` fills in the title).
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
    let template_name = query.template.clone();
    let (source, template_text) = blocking(move || {
        let reader = lookup;
        let source = reader.page_source(&lookup_path)?;
        let template = match (&source, &template_name) {
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
    let (markdown, fields, base_blob, title) = match (&source, query.section) {
        (Some(source), Some(number)) => {
            let text = sections::section_text(&source.text, number)
                .ok_or_else(|| Error::NotFound(format!("section {number} of {path}")))?;
            (text.to_string(), None, source.blob.to_string(), source.meta.title.clone())
        }
        (Some(source), None) => {
            let doc = front_matter::split(&source.text);
            let fields = FieldsContext::of(doc.yaml.unwrap_or_default(), source.meta.title.clone());
            (doc.body.to_string(), Some(fields), source.blob.to_string(), source.meta.title.clone())
        }
        (None, _) => {
            let given = query.title.as_deref().map(str::trim).filter(|it| !it.is_empty()).map(str::to_string);
            let title = given.clone().unwrap_or_else(|| fallback_title(&path));
            // A blank page reached by its address (a link to a missing page) starts with its title as a
            // heading, as people write it.
            let text = match (template_text, &given) {
                (Some(text), _) => text,
                (None, Some(_)) => String::new(),
                (None, None) => format!("# {title}\n\n"),
            };
            let doc = front_matter::split(&text);
            let mut fields = FieldsContext::of(doc.yaml.unwrap_or_default(), fallback_title(&path));
            // The title given on the "New page" form goes into the field: as it differs from what the text had,
            // the save writes it.
            if let Some(given) = given {
                fields.title = given;
            }
            (doc.body.to_string(), Some(fields), String::new(), title)
        }
    };
    let author = remembered_author(&headers);
    let context = EditContext {
        is_new: source.is_none(),
        section: if source.is_some() { query.section } else { None },
        message_placeholder: if source.is_some() { format!("Update {title}") } else { format!("Create {title}") },
        author_name: author.as_ref().map(|it| it.name.clone()).unwrap_or_default(),
        author_email: author.as_ref().map(|it| it.email.clone()).unwrap_or_default(),
        fields,
        ..edit_context(&reader, &path, title, markdown, base_blob, csrf_token)
    };
    let mut res = render_editor(&state, &headers, context, StatusCode::OK)?;
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `POST /-/edit/<path>`: saves the editor's text in one commit; merges with concurrent edits, or shows the
/// conflict with the user's text intact, one row per passage both changed. After a section edit the page
/// opens at that section.
pub async fn save(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let (csrf_token, _) = csrf::token(&headers);
    let author = viewer.author(&form.author_name, &form.author_email, &headers)?;
    let reader = viewer.reader(&state);
    let writer = viewer.writer(&state, author.clone());
    let save_path = path.clone();
    let version_reader = reader.clone();
    let section = form.section;
    let message = Some(form.message.clone()).filter(|it| !it.trim().is_empty());
    let typed = form.page_text();
    let base_blob = parse_blob(&form.base_blob);
    let outcome = match (typed, base_blob) {
        (Ok(typed), Ok(base_blob)) => {
            blocking(move || {
                // A section edit becomes a whole-page edit of the version it started from, so the usual merge
                // applies.
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
            .await
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    };
    let title = reader.snapshot().pages.get(&path).map_or_else(|| form_title(&form, &path), |it| it.title.clone());
    let (outcome, full_text) = match outcome {
        Ok(it) => it,
        Err(err @ (Error::TooLarge { .. } | Error::BadInput(_) | Error::PreconditionRequired | Error::NotFound(_))) => {
            let (status, _, message) = classify(&err);
            let context = EditContext {
                error: Some(message),
                section: form.section,
                fields: form.fields(),
                message: form.message.clone(),
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
        SaveOutcome::Conflict { yours, theirs, base, theirs_blob } => {
            let theirs_by =
                reader.last_change(path.as_str()).map_or_else(|| "someone".to_string(), |it| it.author.name.clone());
            let merged = merge_for_editor(&path, &base, &yours, &theirs);
            let title = crate::content::page::read_meta(&path, &yours).title;
            let context = EditContext {
                conflict: Some(ConflictContext {
                    diff_html: diff::unified_html(&theirs, &full_text),
                    theirs,
                    theirs_by,
                    rows: merged.rows,
                }),
                fields: Some(merged.fields),
                message: form.message.clone(),
                author_name: author.name.clone(),
                author_email: author.email.clone(),
                ..edit_context(&reader, &path, title, merged.body, theirs_blob.to_string(), csrf_token)
            };
            return Ok(render_editor(&state, &headers, context, StatusCode::CONFLICT)?);
        }
    };
    let anchor = match section {
        Some(number) => section_anchor(&viewer.reader(&state), &path, number).await,
        None => String::new(),
    };
    let mut res = Redirect::to(&format!("{}?{notice}{anchor}", path.url())).into_response();
    res.headers_mut().append(header::SET_COOKIE, author_cookie(&author));
    Ok(res)
}

// `#id` of the heading of section `number` on the page as saved, or "" when it has none (the leading title
// heading, or a section the edit removed). Rendering here fills the cache the page view then reads.
async fn section_anchor(reader: &Reader, path: &RepoPath, number: usize) -> String {
    let reader = reader.clone();
    let path = path.clone();
    let view = blocking(move || reader.page_view(&path)).await;
    let id = view
        .ok()
        .flatten()
        .and_then(|view| view.body.toc.iter().find(|it| it.section == number).map(|it| it.id.clone()));
    id.map(|it| format!("#{}", encode_fragment(&it))).unwrap_or_default()
}

// The title of a page that does not exist yet, from the form.
fn form_title(form: &EditForm, path: &RepoPath) -> String {
    Some(form.title.trim()).filter(|it| !it.is_empty()).map_or_else(|| fallback_title(path), str::to_string)
}

/// What a conflict puts back in the editor: both versions combined, each passage both changed as mine, with
/// a row for each such passage.
struct EditorMerge {
    body: String,
    fields: FieldsContext,
    rows: Vec<ConflictRow>,
}

// Front matter and body are merged apart, since the editor shows them apart.
fn merge_for_editor(path: &RepoPath, base: &str, mine: &str, theirs: &str) -> EditorMerge {
    let parts = |text: &str| {
        let doc = front_matter::split(text);
        (doc.yaml.unwrap_or_default().to_string(), doc.body.to_string())
    };
    let (base_yaml, base_body) = parts(base);
    let (mine_yaml, mine_body) = parts(mine);
    let (theirs_yaml, theirs_body) = parts(theirs);
    let mut rows = Vec::new();
    let yaml_runs = store::merge_runs(&base_yaml, &mine_yaml, &theirs_yaml);
    conflict_rows(&yaml_runs, "front_matter", &mut rows);
    fields_of_choices(&yaml_runs, &mut rows);
    let body_runs = store::merge_runs(&base_body, &mine_body, &theirs_body);
    conflict_rows(&body_runs, "body", &mut rows);
    let body = store::mine_text(&body_runs);
    let title_placeholder = crate::content::page::read_meta(path, &body).title;
    let mut fields = FieldsContext::of(&store::mine_text(&yaml_runs), title_placeholder);
    fields.open_advanced |= rows.iter().any(|it| it.target == "front_matter");
    EditorMerge { body, fields, rows }
}

/// How many front matter rows tell the fields what each of their choices means; past that (front matter with
/// that many conflicts is rare) the fields are not updated as rows are chosen.
const MAX_FIELD_ROWS: usize = 20;

// For each front matter row: the fields when that row keeps mine, theirs or both, the others keeping mine.
fn fields_of_choices(runs: &[MergeRun<String>], rows: &mut [ConflictRow]) {
    let conflicts: Vec<usize> =
        runs.iter().enumerate().filter(|(_, it)| matches!(it, MergeRun::Conflict { .. })).map(|it| it.0).collect();
    for (row, at) in rows.iter_mut().zip(conflicts).take(MAX_FIELD_ROWS) {
        let MergeRun::Conflict { mine, theirs, .. } = &runs[at] else { continue };
        let mut choices = serde_json::Map::new();
        let mut n_problems = Vec::new();
        for (keep, text) in [("mine", mine.clone()), ("theirs", theirs.clone()), ("both", both_versions(mine, theirs))]
        {
            let yaml: String = runs
                .iter()
                .enumerate()
                .map(|(i, run)| match run {
                    _ if i == at => text.as_str(),
                    MergeRun::Agreed(agreed) => agreed.as_str(),
                    MergeRun::Conflict { mine, .. } => mine.as_str(),
                })
                .collect();
            let fields = FieldsContext::of(&yaml, String::new());
            n_problems.push(fields.problems.len());
            choices.insert(
                keep.into(),
                serde_json::json!({ "title": fields.title, "tags": fields.tags, "owners": fields.owners }),
            );
        }
        row.fields = Some(serde_json::Value::Object(choices).to_string());
        row.both_allowed = n_problems[2] <= n_problems[0];
    }
}

// "Keep both": mine, then theirs, each on lines of their own (as the editor's script does it).
fn both_versions(mine: &str, theirs: &str) -> String {
    if mine.is_empty() || theirs.is_empty() || mine.ends_with('\n') {
        format!("{mine}{theirs}")
    } else {
        format!("{mine}\n{theirs}")
    }
}

// How much text around a conflict the browser looks for, to find it again after typing elsewhere.
const CONTEXT_LINES: usize = 2;

fn conflict_rows(runs: &[MergeRun<String>], target: &'static str, rows: &mut Vec<ConflictRow>) {
    let (mut offset, mut line) = (0usize, 1usize);
    for (i, run) in runs.iter().enumerate() {
        match run {
            MergeRun::Agreed(text) => {
                offset += text.encode_utf16().count();
                line += text.matches('\n').count();
            }
            MergeRun::Conflict { mine, theirs, .. } => {
                let before = match i.checked_sub(1).map(|it| &runs[it]) {
                    Some(MergeRun::Agreed(text)) => last_lines(text, CONTEXT_LINES),
                    _ => "",
                };
                let after = match runs.get(i + 1) {
                    Some(MergeRun::Agreed(text)) => first_lines(text, CONTEXT_LINES),
                    _ => "",
                };
                let (theirs_html, mine_html) = diff::sides_html(theirs, mine);
                rows.push(ConflictRow {
                    number: rows.len() + 1,
                    target,
                    line,
                    offset,
                    mine: mine.clone(),
                    theirs: theirs.clone(),
                    before: before.to_string(),
                    after: after.to_string(),
                    mine_html,
                    theirs_html,
                    fields: None,
                    both_allowed: true,
                });
                offset += mine.encode_utf16().count();
                line += mine.matches('\n').count();
            }
        }
    }
}

// The last `n` lines of `text` (all of it when it has fewer).
fn last_lines(text: &str, n: usize) -> &str {
    let mut start = text.len();
    for _ in 0..n {
        let before = &text[..start];
        match before.strip_suffix('\n').unwrap_or(before).rfind('\n') {
            Some(at) => start = at + 1,
            None => return text,
        }
    }
    &text[start..]
}

// The first `n` lines of `text` (all of it when it has fewer).
fn first_lines(text: &str, n: usize) -> &str {
    let mut end = 0;
    for _ in 0..n {
        match text[end..].find('\n') {
            Some(at) => end += at + 1,
            None => return text,
        }
    }
    &text[..end]
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

/// Query of `GET /-/new`: the title, the folder and the name in the address (made from the title when
/// left empty), or a whole `path` as older links give it.
#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    path: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
}

#[derive(Serialize)]
struct NewTemplate {
    #[serde(flatten)]
    frame: Frame,
    templates: Vec<TemplateChoice>,
    title: String,
    folder: String,
    name: String,
    template: String,
    /// Existing folders, offered as the folder field's choices.
    folders: Vec<String>,
    error: Option<String>,
    /// An address that follows the hint, offered when the one given did not.
    suggestion: Option<String>,
    /// The page already at the address given.
    existing_url: Option<String>,
}

#[derive(Serialize)]
struct TemplateChoice {
    name: String,
    title: String,
}

/// How many existing folders the "New page" form offers.
const MAX_FOLDER_CHOICES: usize = 500;

/// `GET /-/new`: asks for a title first, makes the address from it in a folder the person may change, and
/// opens the editor there. An address against the hint (capitals, spaces) is refused with one that follows it.
pub async fn new_page(
    reader: Reader,
    State(state): State<AppState>,
    Query(query): Query<NewQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let snapshot = reader.snapshot().clone();
    let folder = query.folder.trim().trim_matches('/').to_string();
    let typed = if !query.path.trim().is_empty() {
        Some(query.path.trim().trim_matches('/').to_string())
    } else if !query.title.trim().is_empty() || !query.name.trim().is_empty() {
        let name = if query.name.trim().is_empty() { page_slug(&query.title) } else { query.name.trim().to_string() };
        if name.is_empty() { None } else { Some(if folder.is_empty() { name } else { format!("{folder}/{name}") }) }
    } else {
        None
    };
    let mut error = None;
    let mut suggestion = None;
    let mut existing_url = None;
    if let Some(typed) = typed {
        match checked_new_address(&snapshot, &typed) {
            Ok(path) if snapshot.pages.contains_key(&path) => {
                error = Some(view::message(&state, "new-page-exists", &[("url", Arg::text(path.url()))]));
                existing_url = Some(path.url());
            }
            Ok(path) => {
                let mut query_string = Vec::new();
                if !query.title.trim().is_empty() {
                    query_string.push(format!("title={}", encode(query.title.trim())));
                }
                if !query.template.is_empty() {
                    query_string.push(format!("template={}", encode(&query.template)));
                }
                let query_string =
                    if query_string.is_empty() { String::new() } else { format!("?{}", query_string.join("&")) };
                let editor = crate::content::path::url_for(path.as_str());
                return Ok(Redirect::to(&format!("/-/edit{editor}{query_string}")).into_response());
            }
            Err(NewAddressError::AgainstHint(better)) => {
                error = Some(view::message(
                    &state,
                    "new-page-against-hint",
                    &[("typed", Arg::text(&typed)), ("better", Arg::text(&better))],
                ));
                suggestion = Some(better);
            }
            Err(NewAddressError::Invalid(err)) => error = Some(err.to_string()),
        }
    } else if !query.title.is_empty() {
        error = Some(view::message(&state, "new-page-title-no-letters", &[]));
    }
    let templates = reader.templates().into_iter().map(|(name, title)| TemplateChoice { name, title }).collect();
    let frame = Frame::new(&state, &view::host_of(&headers), "New page");
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    // A suggested address goes into the fields as folder and name, ready to be accepted.
    let (folder, name) = match &suggestion {
        Some(better) => match better.rsplit_once('/') {
            Some((folder, name)) => (folder.to_string(), name.to_string()),
            None => (String::new(), better.clone()),
        },
        None => (folder, query.name.trim().to_string()),
    };
    let view = NewTemplate {
        frame,
        templates,
        title: query.title.trim().to_string(),
        folder,
        name,
        template: query.template,
        folders: folder_choices(&snapshot),
        error,
        suggestion,
        existing_url,
    };
    let html = state.theme.render("new.html", &view)?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Why a new page's address was refused.
enum NewAddressError {
    /// It does not follow the hint; this one, made from it, does.
    AgainstHint(String),
    Invalid(Error),
}

// A new page's address, as typed (`team/how-we-deploy`, `.md` optional). Folders that exist are taken as
// they are; new folders and the page's name must be lowercase words joined by hyphens.
fn checked_new_address(snapshot: &Snapshot, typed: &str) -> std::result::Result<RepoPath, NewAddressError> {
    let typed = typed.strip_suffix(".md").unwrap_or(typed);
    let segments: Vec<&str> = typed.split('/').collect();
    let mut better = Vec::with_capacity(segments.len());
    let mut folder = String::new();
    let mut follows_hint = true;
    for (i, segment) in segments.iter().enumerate() {
        let is_name = i + 1 == segments.len();
        let exists = !is_name && snapshot.is_folder(&format!("{folder}{segment}/"));
        let slug = page_slug(segment);
        if exists || slug == *segment {
            better.push(segment.to_string());
        } else {
            follows_hint = false;
            if slug.is_empty() {
                return Err(NewAddressError::Invalid(Error::bad_input(format!(
                    "“{segment}” has no letters or digits to make an address from"
                ))));
            }
            better.push(slug);
        }
        folder.push_str(segment);
        folder.push('/');
    }
    if !follows_hint {
        return Err(NewAddressError::AgainstHint(better.join("/")));
    }
    super::paths::typed_page(typed).map_err(NewAddressError::Invalid)
}

// The folders a new page may go into, in path order (the first few hundred): the templates folder, the
// questions folder and hidden ones left out.
fn folder_choices(snapshot: &Snapshot) -> Vec<String> {
    let mut res = Vec::new();
    let mut pending = vec![String::new()];
    while let Some(folder) = pending.pop() {
        for name in snapshot.children(&folder) {
            let path = format!("{folder}{name}/");
            let skipped = name.starts_with(['.', '_']) || (folder.is_empty() && name == questions::FOLDER);
            if skipped || !snapshot.is_folder(&path) {
                continue;
            }
            if res.len() >= MAX_FOLDER_CHOICES {
                pending.clear();
                break;
            }
            res.push(path.trim_end_matches('/').to_string());
            pending.push(path);
        }
    }
    res.sort();
    res
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

/// `POST /-/restore/<path>`: brings back the page as it was in `commit`, as a new commit. The page then
/// offers "Undo", a form that restores the version the page had just before.
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
    let restored = blocking(move || writer.restore_page(&restore_path, &form.commit)).await?;
    let undo = restored.previous.map(|it| format!("&undo={it}")).unwrap_or_default();
    Ok(Redirect::to(&format!("{}?restored=1{undo}", path.url())).into_response())
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
        fields: None,
        base_blob,
        section: None,
        message: String::new(),
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
    let id = if context.is_new { "edit-title-new" } else { "edit-title" };
    let title = view::message(state, id, &[("title", Arg::Text(context.title.clone()))]);
    let mut frame = Frame::new(state, &view::host_of(headers), &title);
    if let Some(reader) = &reader {
        frame = frame.with_breadcrumbs(reader.snapshot(), &context.path);
    }
    let html = state.theme.render("edit.html", &EditTemplate { frame, edit: context })?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
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
