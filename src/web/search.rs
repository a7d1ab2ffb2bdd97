//! Search handlers: the results page with facets, the JSON search API and search-box suggestions.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, PageError};
use super::query::encode;
use super::view::{self, Crumb, Frame};
use super::{AppState, blocking};
use crate::Result;
use crate::search::{FacetCount, Hit, SearchQuery, SearchResults, accepted_languages};
use crate::site::Reader;

/// Results per page of `/-/search`.
const PER_PAGE: usize = 20;

/// `?q=&kind=&tag=&in=&author=&lang=&limit=&offset=&page=`
#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    kind: Option<String>,
    tag: Option<String>,
    #[serde(rename = "in")]
    folder: Option<String>,
    author: Option<String>,
    lang: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    page: Option<usize>,
}

impl SearchParams {
    // Filters given as parameters join those typed into the query; the reader's languages (from
    // `Accept-Language`) rank first.
    fn query(&self, headers: &HeaderMap) -> SearchQuery {
        let mut query = SearchQuery::parse(&self.q);
        if let Some(lang) = self.lang.as_deref().filter(|it| !it.trim().is_empty()) {
            query.languages.extend(SearchQuery::parse(&format!("lang:{}", lang.trim())).languages);
        }
        let accepted = headers.get(ACCEPT_LANGUAGE).and_then(|it| it.to_str().ok()).unwrap_or_default();
        query.preferred_languages = accepted_languages(accepted);
        let param =
            |value: &Option<String>| value.as_deref().map(str::trim).filter(|it| !it.is_empty()).map(str::to_lowercase);
        query.kinds.extend(param(&self.kind));
        query.tags.extend(param(&self.tag));
        query.authors.extend(param(&self.author));
        if let Some(folder) = param(&self.folder) {
            query.folders.push(format!("{}/", folder.trim_matches('/')));
        }
        query
    }
}

#[derive(Serialize)]
struct HitView {
    #[serde(flatten)]
    hit: Hit,
    crumbs: Vec<Crumb>,
    /// RFC 3339, or empty when the change index has no date for the page yet.
    updated_iso: String,
}

#[derive(Serialize)]
struct FacetLink {
    value: String,
    count: u64,
    url: String,
    active: bool,
}

#[derive(Serialize)]
struct SearchTemplate {
    #[serde(flatten)]
    frame: Frame,
    query: String,
    total: usize,
    took_ms: u64,
    hits: Vec<HitView>,
    tags: Vec<FacetLink>,
    kinds: Vec<FacetLink>,
    folders: Vec<FacetLink>,
    languages: Vec<FacetLink>,
    showing_results_for: Option<String>,
    showing_results_url: Option<String>,
    did_you_mean: Option<String>,
    did_you_mean_url: Option<String>,
    ask_url: String,
    /// People who wrote most of the matching knowledge.
    experts: Vec<crate::site::Expert>,
    prev_url: Option<String>,
    next_url: Option<String>,
    indexing: bool,
}

/// `GET /-/search?q=`: ranked results with snippets, facets, typo help and a way to ask.
pub async fn search_page(
    State(state): State<AppState>,
    reader: Reader,
    Query(params): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let query = params.query(&headers);
    // Deep pages add nothing a person reads; the cap also keeps the offset arithmetic small.
    let page = params.page.unwrap_or(1).clamp(1, 500);
    let (results, took_ms) = run(&reader, query.clone(), PER_PAGE, (page - 1) * PER_PAGE).await?;
    let mut frame =
        Frame::new(&state, &view::host_of(&headers), if params.q.is_empty() { "Search" } else { &params.q });
    frame.search_query = params.q.clone();
    let q = params.q.trim().to_string();
    let facet = |prefix: &str, counts: &[FacetCount], active: &[String]| -> Vec<FacetLink> {
        counts
            .iter()
            .map(|it| {
                let token =
                    format!("{prefix}:{}", if prefix == "in" { format!("{}/", it.value) } else { it.value.clone() });
                let is_active = active.iter().any(|a| a.trim_end_matches('/') == it.value);
                let url = if is_active {
                    format!("/-/search?q={}", encode(q.replace(&token, "").trim()))
                } else {
                    format!("/-/search?q={}", encode(format!("{q} {token}").trim()))
                };
                FacetLink { value: it.value.clone(), count: it.count, url, active: is_active }
            })
            .collect()
    };
    let hits = results
        .hits
        .iter()
        .cloned()
        .map(|hit| {
            let at = DateTime::<Utc>::from_timestamp(hit.updated_at, 0).unwrap_or_default();
            let segments: Vec<&str> = hit.path.split('/').collect();
            let crumbs = segments[..segments.len().saturating_sub(1)]
                .iter()
                .enumerate()
                .map(|(i, name)| Crumb { title: (*name).to_string(), url: format!("/{}/", segments[..=i].join("/")) })
                .collect();
            HitView { crumbs, updated_iso: if hit.updated_at > 0 { at.to_rfc3339() } else { String::new() }, hit }
        })
        .collect();
    let search_url = |text: &str| format!("/-/search?q={}", encode(text));
    // Who may know is a hint: a problem finding them leaves it out.
    let experts = if query.text().is_empty() {
        Vec::new()
    } else {
        let (reader, text) = (reader.clone(), query.text());
        blocking(move || reader.experts(&text, 3)).await.unwrap_or_default()
    };
    let view = SearchTemplate {
        frame,
        total: results.total,
        took_ms,
        hits,
        tags: facet("tag", &results.tags, &query.tags),
        kinds: facet("kind", &results.kinds, &query.kinds),
        folders: facet("in", &results.folders, &query.folders),
        // One language is no choice: the facet shows when results span several, or one is chosen.
        languages: if results.languages.len() > 1 || !query.languages.is_empty() {
            facet("lang", &results.languages, &query.languages)
        } else {
            Vec::new()
        },
        showing_results_url: results.showing_results_for.as_deref().map(search_url),
        showing_results_for: results.showing_results_for.clone(),
        did_you_mean_url: results.did_you_mean.as_deref().map(search_url),
        did_you_mean: results.did_you_mean.clone(),
        // The question as the person typed it, without the filters.
        ask_url: format!("/-/ask?title={}", encode(&without_filters(&params.q))),
        experts,
        prev_url: (page > 1).then(|| format!("/-/search?q={}&page={}", encode(&q), page - 1)),
        next_url: (page * PER_PAGE < results.total).then(|| format!("/-/search?q={}&page={}", encode(&q), page + 1)),
        query: q,
        // Every page is searchable once this is false; the author filter may still be filling in.
        indexing: !state.site.search_ready(),
    };
    Ok(Html(state.theme.render("search.html", &view)?).into_response())
}

/// `GET /-/api/search?q=&kind=&tag=&in=&lang=&limit=&offset=` → `{total, took_ms, hits, facets, …}`; pages in
/// the languages of `Accept-Language` rank first.
pub async fn search_api(
    State(state): State<AppState>,
    reader: Reader,
    Query(params): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let limit = params.limit.unwrap_or(10).clamp(1, 100);
    let offset = params.offset.unwrap_or(0).min(10_000);
    let (results, took_ms) = run(&reader, params.query(&headers), limit, offset).await?;
    Ok(Json(serde_json::json!({
        "total": results.total,
        "took_ms": took_ms,
        "hits": results.hits,
        "facets": {
            "tags": results.tags,
            "kinds": results.kinds,
            "folders": results.folders,
            "languages": results.languages,
        },
        "showing_results_for": results.showing_results_for,
        "did_you_mean": results.did_you_mean,
        "indexing": !state.site.search_complete(),
        "searchable": state.site.search_ready(),
    }))
    .into_response())
}

/// `?q=&limit=` of similar pages.
#[derive(Deserialize)]
pub struct SimilarParams {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// `GET /-/api/similar?q=&limit=` → `{hits}`: pages and questions like a question being asked, most similar
/// first (any word may match; titles sharing the question's words rank higher). The ask form's duplicate hints.
pub async fn similar_api(reader: Reader, Query(params): Query<SimilarParams>) -> Result<Response, ApiError> {
    let limit = params.limit.unwrap_or(5).clamp(1, 20);
    let results = blocking(move || reader.similar(&params.q, limit)).await?;
    Ok(Json(serde_json::json!({ "hits": results.hits })).into_response())
}

/// `?q=` of suggestions.
#[derive(Deserialize)]
pub struct SuggestParams {
    #[serde(default)]
    q: String,
}

/// `GET /-/api/suggest?q=`: titles that start with what was typed, then headings.
pub async fn suggest_api(reader: Reader, Query(params): Query<SuggestParams>) -> Result<Response, ApiError> {
    let suggestions = blocking(move || reader.suggest(&params.q, 8)).await?;
    Ok(Json(serde_json::json!({ "suggestions": suggestions })).into_response())
}

async fn run(reader: &Reader, query: SearchQuery, limit: usize, offset: usize) -> Result<(SearchResults, u64)> {
    let reader = reader.clone();
    blocking(move || {
        let started = std::time::Instant::now();
        let results = reader.search(&query, limit, offset)?;
        Ok((results, started.elapsed().as_millis() as u64))
    })
    .await
}

// `vpn tag:it "remote access"` → `vpn "remote access"`.
fn without_filters(typed: &str) -> String {
    typed
        .split_whitespace()
        .filter(|token| {
            let key = token.split_once(':').map(|it| it.0.to_ascii_lowercase());
            !matches!(key.as_deref(), Some("tag" | "kind" | "in" | "author" | "lang"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}
