//! The one place that maps errors to HTTP status codes: as a themed HTML page or a JSON `{error, detail}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::Error;

/// An error shown to a person: the layout renders it as the theme's error page (see `web::render_error_pages`).
#[derive(Debug)]
pub struct PageError(pub Error);

/// An error answered to a program: JSON `{error, detail}`.
#[derive(Debug)]
pub struct ApiError(pub Error);

/// Marks a response whose body the error-page middleware replaces with the themed page.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub message: String,
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    detail: String,
}

impl<E: Into<Error>> From<E> for PageError {
    fn from(err: E) -> PageError {
        PageError(err.into())
    }
}

impl<E: Into<Error>> From<E> for ApiError {
    fn from(err: E) -> ApiError {
        ApiError(err.into())
    }
}

/// The status, a short machine-readable code, and the message clients may see for an error.
pub fn classify(err: &Error) -> (StatusCode, &'static str, String) {
    match err {
        Error::InvalidPath { .. } => (StatusCode::BAD_REQUEST, "invalid_path", err.to_string()),
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", err.to_string()),
        Error::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", err.to_string()),
        Error::BadInput(_) => (StatusCode::BAD_REQUEST, "bad_request", err.to_string()),
        Error::PreconditionRequired => (StatusCode::PRECONDITION_REQUIRED, "precondition_required", err.to_string()),
        Error::PreconditionFailed => (StatusCode::PRECONDITION_FAILED, "precondition_failed", err.to_string()),
        Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", err.to_string()),
        Error::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", err.to_string()),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", err.to_string()),
        Error::Conflict(_) => (StatusCode::CONFLICT, "conflict", err.to_string()),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", err.to_string()),
        Error::Contention { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy", err.to_string()),
        Error::Repository(_)
        | Error::Git(_)
        | Error::Database(_)
        | Error::NewerDatabase { .. }
        | Error::Io(_)
        | Error::Template(_) => {
            // Internal details go to the log, never to the client.
            tracing::error!(error = %err, "request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on the server".to_string())
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _, message) = classify(&self.0);
        error_page(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, detail) = classify(&self.0);
        let mut res = api_error(status, error, detail);
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"Lore\""),
            );
        }
        res
    }
}

/// Who a refusal is for, by the request's path: a browser (a themed page, which the caller renders), the JSON
/// API, or git (plain text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Browser,
    Api,
    Git,
}

impl Channel {
    pub fn of(path: &str) -> Channel {
        if path.starts_with("/-/api/") {
            Channel::Api
        } else if path.starts_with("/wiki.git/") {
            Channel::Git
        } else {
            Channel::Browser
        }
    }

    /// The refusal for the API (JSON) or git (a line of text); `None` for a browser.
    pub fn plain_refusal(self, status: StatusCode, code: &'static str, message: &str) -> Option<Response> {
        match self {
            Channel::Browser => None,
            Channel::Api => Some(api_error(status, code, message)),
            Channel::Git => Some((status, format!("{message}\n")).into_response()),
        }
    }
}

/// A JSON error response.
pub fn api_error(status: StatusCode, error: &'static str, detail: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error, detail: detail.into() })).into_response()
}

/// A response the error-page middleware turns into the themed error page.
pub fn error_page(status: StatusCode, message: impl Into<String>) -> Response {
    let mut res = status.into_response();
    res.extensions_mut().insert(ErrorPage { status, message: message.into() });
    res
}
