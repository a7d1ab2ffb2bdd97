//! The JSON page API for scripts, the browser editor and tests.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, api_error};
use super::paths::PagePath;
use super::viewer::{AuthorInput, Viewer};
use super::{AppState, blocking};
use crate::site::{PageEdit, SaveOutcome};
use crate::store::{ObjectId, Person};
use crate::{Error, Result};

#[derive(Serialize)]
struct PageResponse {
    path: String,
    url: String,
    title: String,
    front_matter: serde_json::Value,
    warnings: Vec<String>,
    markdown: String,
    html: String,
    blob: ObjectId,
    commit: Option<ObjectId>,
    updated_by: Option<Person>,
    updated_at: Option<String>,
}

/// The body of `PUT /-/api/pages/<path>`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutPage {
    markdown: String,
    message: Option<String>,
    author: Option<AuthorInput>,
}

/// `GET /-/api/pages/<path>`: a page's source, metadata and rendered HTML, with its blob id as ETag.
pub async fn get_page(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let reader = viewer.reader(&state);
    let head = reader.snapshot().head;
    let (source, view) = blocking(move || {
        let source = reader.page_source(&path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
        let view = reader.page_view(&path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
        Ok((source, view))
    })
    .await?;
    let last_change = view.last_change.as_ref();
    let body = PageResponse {
        path: source.path.as_str().to_string(),
        url: source.path.url(),
        title: source.meta.title.clone(),
        front_matter: front_matter_json(&source.meta.front_matter),
        warnings: source.meta.warnings.clone(),
        markdown: source.text,
        // Section-edit links are the page view's controls, not content.
        html: crate::render::without_section_edit_links(&view.body.html),
        blob: source.blob,
        commit: head,
        updated_by: last_change.map(|it| Person::clone(&it.author)),
        updated_at: last_change.and_then(|it| DateTime::<Utc>::from_timestamp(it.time, 0)).map(|it| it.to_rfc3339()),
    };
    let etag = HeaderValue::from_str(&format!("\"{}\"", source.blob)).expect("hex ids are valid header values");
    Ok(([(header::ETAG, etag)], Json(body)).into_response())
}

/// `PUT /-/api/pages/<path>`: creates (201) or replaces (200) a page in one commit. Replacing needs
/// `If-Match: "<blob id>"`; a stale one is merged (200, `merged: true`) or answered 409 with both texts.
pub async fn put_page(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<PutPage>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
            return Ok(api_error(status, code, rejection.body_text()));
        }
    };
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let base_blob = if_match(&headers)?;
    let edit = PageEdit { path, markdown: body.markdown, message: body.message, base_blob };
    let writer = viewer.writer(&state, author);
    let outcome = blocking(move || writer.save_page(&edit)).await?;
    Ok(match outcome {
        SaveOutcome::Saved { commit, blob, created, merged_with } => {
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            let json = serde_json::json!({ "commit": commit, "blob": blob, "merged": merged_with.is_some(), "merged_with": merged_with });
            (status, [(header::ETAG, etag(blob))], Json(json)).into_response()
        }
        SaveOutcome::Unchanged { commit, blob } => {
            let json = serde_json::json!({ "commit": commit, "blob": blob, "merged": false, "unchanged": true });
            ([(header::ETAG, etag(blob))], Json(json)).into_response()
        }
        SaveOutcome::Conflict { yours, theirs, base, theirs_blob } => {
            let json = serde_json::json!({
                "error": "conflict",
                "detail": "the page changed since your edit started and the changes overlap; nothing was saved",
                "conflict": true, "yours": yours, "theirs": theirs, "base": base, "theirs_blob": theirs_blob,
            });
            (StatusCode::CONFLICT, Json(json)).into_response()
        }
    })
}

/// The body of `DELETE /-/api/pages/<path>` (optional).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeletePage {
    message: Option<String>,
    author: Option<AuthorInput>,
}

/// `DELETE /-/api/pages/<path>` with `If-Match`: deletes the page in one commit.
pub async fn delete_page(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<DeletePage>>,
) -> Result<Response, ApiError> {
    let base = if_match(&headers)?.ok_or(Error::PreconditionRequired)?;
    let Json(body) = body.unwrap_or_default();
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let writer = viewer.writer(&state, author);
    let commit = blocking(move || writer.delete_page(&path, base, body.message)).await?;
    Ok(Json(serde_json::json!({ "commit": commit })).into_response())
}

/// The body of `POST /-/api/pages/<path>/move` and `/restore`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageAction {
    to: Option<String>,
    commit: Option<String>,
    author: Option<AuthorInput>,
}

/// `POST /-/api/pages/<path>/move` with `{to}` (and optional `If-Match`), and
/// `POST /-/api/pages/<path>/restore` with `{commit}`: the version to bring back.
pub async fn page_action(
    PagePath(path): PagePath,
    viewer: Viewer,
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Json<PageAction>, JsonRejection>,
) -> Result<Response, ApiError> {
    let full = uri.path();
    // The route table took the action's name off the page it judged; the same name is read here.
    let action = if full.ends_with("/move") {
        "move"
    } else if full.ends_with("/verify") {
        "verify"
    } else if full.ends_with("/restore") {
        "restore"
    } else {
        return Ok(api_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "POST goes to /-/api/pages/<path>/move or /restore",
        ));
    };
    if action == "verify" {
        // Verifying needs no body beyond an optional author.
        let author = match body {
            Ok(Json(body)) => viewer.api_author(body.author.map(|it| (it.name, it.email)))?,
            Err(_) => viewer.api_author(None)?,
        };
        let writer = viewer.writer(&state, author);
        let commit = blocking(move || writer.verify(&path)).await?;
        return Ok(Json(serde_json::json!({ "commit": commit })).into_response());
    }
    let Json(body) = body.map_err(|rejection| Error::bad_input(rejection.body_text()))?;
    let author = viewer.api_author(body.author.map(|it| (it.name, it.email)))?;
    let writer = viewer.writer(&state, author);
    match action {
        "move" => {
            let to = body.to.ok_or_else(|| Error::bad_input("missing `to`: the new path"))?;
            let to = super::paths::typed_page(&to)?;
            let base = if_match(&headers)?;
            let target = to.clone();
            let commit = blocking(move || writer.move_page(&path, &target, base)).await?;
            Ok((StatusCode::OK, Json(serde_json::json!({ "commit": commit, "path": to.as_str(), "url": to.url() })))
                .into_response())
        }
        _ => {
            let revision = body.commit.ok_or_else(|| Error::bad_input("missing `commit`: the version to restore"))?;
            let restored = blocking(move || writer.restore_page(&path, &revision)).await?;
            Ok(Json(serde_json::json!({ "commit": restored.commit })).into_response())
        }
    }
}

fn if_match(headers: &HeaderMap) -> Result<Option<ObjectId>> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().map_err(|_| Error::bad_input("If-Match must be a quoted blob id"))?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    let id = text.trim_matches('"');
    id.parse().map(Some).map_err(|_| Error::bad_input("If-Match must be a quoted blob id, as given in the ETag header"))
}

fn etag(blob: ObjectId) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{blob}\"")).expect("hex ids are valid header values")
}

fn front_matter_json(front_matter: &crate::content::FrontMatter) -> serde_json::Value {
    let mut res = serde_json::Map::new();
    for (key, value) in &front_matter.extra {
        res.insert(key.clone(), serde_json::to_value(value).unwrap_or(serde_json::Value::Null));
    }
    if let Some(title) = &front_matter.title {
        res.insert("title".into(), title.clone().into());
    }
    for (key, list) in
        [("tags", &front_matter.tags), ("aliases", &front_matter.aliases), ("owners", &front_matter.owners)]
    {
        if !list.is_empty() {
            res.insert(key.into(), list.clone().into());
        }
    }
    serde_json::Value::Object(res)
}
