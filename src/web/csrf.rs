//! Cross-site request forgery protection for browser forms: a random token in a SameSite cookie that every
//! state-changing form must echo (double submit), checked once by the [`CsrfForm`] extractor, plus an Origin
//! check on every unsafe request (`web::mod`).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::PageError;
use crate::{Error, Result};

/// A browser form whose CSRF token (its `csrf_token` field) matched the browser's cookie: handlers that take
/// one never see a forged form, and never repeat the check.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<CsrfForm<T>, PageError> {
        let headers = request.headers().clone();
        let body = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge { what: "the form", size: 0, limit: 0 }
            } else {
                Error::bad_input(rejection.body_text())
            }
        })?;
        let fields = super::query::pairs(&String::from_utf8_lossy(&body));
        let token = fields.iter().find(|(name, _)| name == "csrf_token").map_or("", |(_, value)| value.as_str());
        verify(&headers, token)?;
        let form = serde_urlencoded::from_bytes(&body).map_err(|err| Error::bad_input(format!("bad form: {err}")))?;
        Ok(CsrfForm(form))
    }
}

pub const COOKIE: &str = "lore_csrf";

/// The browser's CSRF token, and the `Set-Cookie` header to send when it is new.
pub fn token(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(existing) =
        cookie(headers, COOKIE).filter(|it| it.len() == 32 && it.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return (existing, None);
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let token: String = bytes.iter().map(|it| format!("{it:02x}")).collect();
    let set_cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    (token, Some(HeaderValue::from_str(&set_cookie).expect("hex tokens are valid header values")))
}

/// Adds the `Set-Cookie` of a new token (from `token`) to a response.
pub fn attach(res: &mut axum::response::Response, set_cookie: Option<HeaderValue>) {
    if let Some(cookie) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

/// Checks that a form's token matches the browser's cookie.
pub fn verify(headers: &HeaderMap, form_token: &str) -> Result<()> {
    match cookie(headers, COOKIE) {
        Some(expected) if !expected.is_empty() && constant_time_eq(expected.as_bytes(), form_token.as_bytes()) => {
            Ok(())
        }
        _ => Err(Error::Forbidden(
            "this form has expired or did not come from this wiki; reload the page and try again".into(),
        )),
    }
}

/// The value of a cookie sent by the browser (the first of that name).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|it| it.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(|it| it.ok())
        .find(|it| it.name() == name)
        .map(|it| it.value().to_string())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
