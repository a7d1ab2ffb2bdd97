//! The installable app: the web app manifest (named after `site_title`, with the theme's icons) and the
//! service worker (the theme's `lore-sw.js`), which keeps the pages a person read last for reading offline.
//! The worker is served from `/-/sw.js` with `Service-Worker-Allowed: /`, so that its scope is the whole site,
//! and is never cached for long: browsers must see a new version at once.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::error_page;
use super::page_cache::if_none_match;
use crate::i18n::{Arg, UiLanguage};
use sha2::Digest;

/// The theme file that is the service worker.
const SERVICE_WORKER: &str = "lore-sw.js";

/// The ids of the service worker's messages start with this.
const OFFLINE_MESSAGES: &str = "js-offline-";

/// `GET /-/manifest.webmanifest`: what a phone needs to install the wiki as an app.
pub async fn manifest(State(state): State<AppState>) -> Response {
    let title = state.site.config.site_title.trim();
    let title = if title.is_empty() { "Lore" } else { title };
    // Home screens show about a dozen characters under an icon.
    let short_name: String = match title.chars().count() {
        0..=12 => title.to_string(),
        _ => title.split_whitespace().next().unwrap_or(title).chars().take(12).collect(),
    };
    let icon = |name: &str, size: u32, purpose: &str| {
        serde_json::json!({
            "src": state.theme.static_url(name),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": purpose,
        })
    };
    let manifest = serde_json::json!({
        "name": title,
        "short_name": short_name,
        "description": super::view::words(&state).say("manifest-description", &[("site", Arg::text(title))]),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#f6f8fa",
        "icons": [
            icon("icons/icon-192.png", 192, "any"),
            icon("icons/icon-512.png", 512, "any"),
            icon("icons/maskable-192.png", 192, "maskable"),
            icon("icons/maskable-512.png", 512, "maskable"),
        ],
    });
    let body = serde_json::to_vec_pretty(&manifest).expect("JSON values serialise");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json")),
            // The site's title may change with a restart.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // The description is in the reader's language.
            (header::VARY, HeaderValue::from_static("Accept-Language")),
        ],
        body,
    )
        .into_response()
}

/// `GET /-/sw.js`: the service worker, for the whole site's scope, with its words in every interface language
/// in front (`self.loreOfflineMessages`): a worker serves every page of the origin, whatever language each was
/// read in, and reads no `<html lang>` of its own.
pub async fn service_worker(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(file) = state.theme.static_file(SERVICE_WORKER) else {
        return error_page(StatusCode::NOT_FOUND, super::view::message(&state, "error-no-service-worker", &[]));
    };
    let messages = state.theme.messages();
    let by_language: Vec<String> = UiLanguage::ALL
        .iter()
        .map(|it| format!("\"{}\":{}", it.code(), messages.script_messages_starting(*it, OFFLINE_MESSAGES)))
        .collect();
    let body = format!(
        "self.loreOfflineMessages = {{{}}};\n{}",
        by_language.join(","),
        String::from_utf8_lossy(&file.content)
    );
    let digest = sha2::Sha256::digest(body.as_bytes());
    let fingerprint: String = digest.iter().take(8).map(|it| format!("{it:02x}")).collect();
    let etag = HeaderValue::from_str(&format!("\"{fingerprint}\"")).expect("hex digits are valid header values");
    let mut res =
        if if_none_match(&headers, &etag) { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let res_headers = res.headers_mut();
    res_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    res_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res_headers.insert(header::ETAG, etag);
    res_headers.insert(HeaderName::from_static("service-worker-allowed"), HeaderValue::from_static("/"));
    res
}
