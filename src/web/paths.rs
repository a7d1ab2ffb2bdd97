//! Paths in URLs, decoded once and validated into a [`RepoPath`]. The route table (`auth::need`) parses the
//! page a route names and puts it in the request's extensions; handlers take that same value with the
//! [`PagePath`] extractor, so the path that was authorised is the path that is acted on.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use crate::content::RepoPath;
use crate::{Error, Result};

/// The page a route names (`/-/history/<page>`, `/-/api/pages/<page>`, …): parsed once by the route table,
/// which authorised exactly this path.
#[derive(Debug, Clone)]
pub struct PagePath(pub RepoPath);

/// The answer when a handler asks for a [`PagePath`] the route table did not provide (a routing mistake).
pub struct NoPagePath;

impl IntoResponse for NoPagePath {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, "this address names no page\n").into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PagePath {
    type Rejection = NoPagePath;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<PagePath, NoPagePath> {
        parts.extensions.get::<PagePath>().cloned().ok_or(NoPagePath)
    }
}

/// Percent-decodes a URL path once, refusing invalid UTF-8 and encodings that hide traversal (`%252e%252e`
/// decodes to `%2e%2e`).
pub fn decode_path(encoded: &str) -> Result<String> {
    let decoded = percent_decode_str(encoded).decode_utf8().map_err(|_| Error::InvalidPath {
        path: encoded.chars().take(200).collect(),
        reason: "path is not valid UTF-8",
    })?;
    if decoded.contains('%') {
        let twice = percent_decode_str(&decoded).decode_utf8_lossy();
        let hides_traversal = twice.contains(['\\', '\0'])
            || twice.split('/').any(|segment| {
                segment == ".." || segment == "." || segment.trim_end_matches(['.', ' ']).eq_ignore_ascii_case(".git")
            });
        if twice != decoded && hides_traversal {
            return Err(Error::InvalidPath { path: decoded.chars().take(200).collect(), reason: "encoded traversal" });
        }
    }
    Ok(decoded.into_owned())
}

/// The page named by the encoded rest of a URL after a route's prefix: `a/b` and `a/b.md` both name `a/b.md`.
pub fn page_after(encoded: &str) -> Result<RepoPath> {
    RepoPath::page(&decode_path(encoded)?)
}

/// The page a person typed into a form field (a move target, a new page's path): surrounding spaces are
/// dropped, as people type them by accident. Only for typed input, never for a URL.
pub fn typed_page(input: &str) -> Result<RepoPath> {
    RepoPath::page(input.trim())
}

/// Where to send the browser after logging in: `next` when it is a path on this site, otherwise `/`. The answer
/// is always a valid `Location` header value.
pub fn safe_next(next: &str) -> String {
    same_origin_path(next).unwrap_or_else(|| "/".into())
}

/// A path on this origin, as the URL parser serialises it, or `None` for anything a browser could take
/// elsewhere. Browsers remove tabs and line breaks from URLs and read `\` as `/`, so `/\t/evil.example` and
/// `/\evil.example` both lead to `//evil.example`: such characters are refused outright, raw or percent-encoded,
/// rather than cleaned up.
pub fn same_origin_path(next: &str) -> Option<String> {
    let decoded = percent_decode_str(next).decode_utf8_lossy();
    let refused = |text: &str| {
        !text.starts_with('/')
            || text.starts_with("//")
            || text.chars().any(|it| it.is_control() || it == '\\' || (it.is_whitespace() && it != ' '))
    };
    // A space is fine once decoded (`/my%20page`) but never raw: URLs carry it encoded, and browsers trim it.
    if refused(next) || refused(&decoded) || next.contains(' ') {
        return None;
    }
    let base = url::Url::parse("http://lore.invalid/").expect("a fixed absolute URL parses");
    let joined = base.join(next).ok()?;
    // Dot segments can still collapse into a scheme-relative path: `/.//evil.example` becomes `//evil.example`.
    let path = &joined[url::Position::BeforePath..];
    (joined.origin() == base.origin() && path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}
