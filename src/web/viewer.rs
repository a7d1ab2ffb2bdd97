//! Who is asking: the [`Viewer`] that the authentication middleware (`auth::authenticate`) puts into every
//! request, the author a browser edit is committed under, and the extractors that hand handlers the site as
//! this viewer may read it ([`Reader`]).

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use percent_encoding::percent_decode_str;
use serde::Deserialize;

use super::AppState;
use super::csrf;
use crate::auth::{Access, AuthMode, User};
use crate::i18n::UiLanguage;
use crate::site::{Reader, Writer};
use crate::store::Person;
use crate::{Error, Result};

/// Who is asking: an account (or nobody), what they may do, and how they proved it.
#[derive(Clone)]
pub struct Viewer {
    pub user: Option<User>,
    pub access: Access,
    pub mode: AuthMode,
    /// The request came over https (through a trusted proxy that says so).
    pub https: bool,
    /// The client's address (the proxy's client when the proxy is trusted).
    pub address: IpAddr,
    /// The session cookie this request carried, when it named a live session.
    pub session_cookie: Option<String>,
    /// The browser's CSRF token, for forms in the page header (logout).
    pub csrf_cookie: Option<String>,
    /// The interface language: the account's choice, else the browser's, else the site's.
    pub language: UiLanguage,
}

/// The response header that marks a page the service worker may keep as an offline copy, holding the
/// reader's [`Viewer::offline_key`]. Only wiki pages and folders carry it: nothing personal, no editor, no API.
/// A `HeaderName` made once: a name given as text is copied into a new one at every insert.
pub const OFFLINE_HEADER: HeaderName = HeaderName::from_static("lore-offline");

tokio::task_local! {
    // The viewer of the request being handled, for the page header (`Frame::new` has no request to ask).
    static CURRENT: Viewer;
}

impl Viewer {
    /// Who the pages this viewer reads are for, as an opaque key: the service worker keeps offline copies for
    /// one key at a time, so a page kept for one person is gone before another reads on the same device.
    /// `access_class` is `self.access.fingerprint()`, which page views have at hand already.
    pub fn offline_key(&self, access_class: &str) -> String {
        use sha2::Digest;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let username = self.user.as_ref().map_or("", |it| it.username.as_str());
        let seen = sha2::Sha256::new()
            .chain_update("lore-offline\0")
            .chain_update(username)
            .chain_update("\0")
            .chain_update(access_class);
        // Written out by hand: formatting each byte was 4 % of a cached page view's CPU.
        let mut res = String::with_capacity(24);
        for byte in &seen.finalize()[..12] {
            res.push(char::from(HEX[usize::from(byte >> 4)]));
            res.push(char::from(HEX[usize::from(byte & 15)]));
        }
        res
    }

    /// The viewer of the request being handled on this task, if any.
    pub fn current() -> Option<Viewer> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// Runs `work` with this viewer as the current one (on a blocking thread, say).
    pub fn scope<T>(self, work: impl FnOnce() -> T) -> T {
        CURRENT.sync_scope(self, work)
    }

    /// Runs the rest of a request with this viewer as the current one.
    pub async fn in_scope<F: std::future::Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    pub fn can_read(&self, path: &str) -> bool {
        self.access.can_read(path)
    }

    pub fn can_edit(&self, path: &str) -> bool {
        self.access.can_edit(path)
    }

    /// True when lists need no filtering for this viewer.
    pub fn sees_everything(&self) -> bool {
        self.access.sees_everything()
    }

    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|it| it.username.as_str())
    }

    /// Fails unless this viewer may read `path`.
    pub fn check_read(&self, path: &str) -> Result<()> {
        if self.can_read(path) { Ok(()) } else { Err(self.denied()) }
    }

    /// Fails unless this viewer may change `path`.
    pub fn check_edit(&self, path: &str) -> Result<()> {
        if self.can_edit(path) { Ok(()) } else { Err(self.denied()) }
    }

    /// The error for something this viewer may not do: log in first, or not allowed at all.
    pub fn denied(&self) -> Error {
        if self.user.is_none() && self.mode != AuthMode::Open {
            Error::Unauthorized("please log in first".into())
        } else {
            Error::Forbidden("you do not have access to this".into())
        }
    }

    /// The author of a browser edit: the account when logged in (forms cannot name anyone else); in open mode
    /// the name and e-mail the browser gave, once, and remembers.
    pub fn author(&self, name: &str, email: &str, headers: &HeaderMap) -> Result<Person> {
        match &self.user {
            Some(user) => Ok(Person { name: user.name.clone(), email: user.email.clone() }),
            None if self.mode == AuthMode::Open => form_author(name, email, headers),
            None => Err(self.denied()),
        }
    }

    /// The author of an API edit: the account when authenticated; naming someone else is refused.
    pub fn api_author(&self, given: Option<(String, String)>) -> Result<Person> {
        match (&self.user, given) {
            (Some(user), Some((name, email))) => {
                let given = Person::checked(&name, &email)?;
                if given.email.eq_ignore_ascii_case(&user.email) && given.name == user.name {
                    Ok(given)
                } else {
                    Err(Error::Forbidden(format!(
                        "you are logged in as {}: edits are committed under your own name",
                        user.username
                    )))
                }
            }
            (Some(user), None) => Ok(Person { name: user.name.clone(), email: user.email.clone() }),
            (None, Some((name, email))) if self.mode == AuthMode::Open => Person::checked(&name, &email),
            (None, None) if self.mode == AuthMode::Open => {
                Ok(Person { name: "Anonymous".into(), email: "anonymous@localhost".into() })
            }
            (None, _) => Err(self.denied()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Viewer, Self::Rejection> {
        // The middleware always runs first; a request that somehow skipped it may do nothing.
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or_else(|| Viewer {
            user: None,
            access: Access::new(None, Vec::new(), false, Default::default()),
            mode: AuthMode::Local,
            https: false,
            address: IpAddr::from([127, 0, 0, 1]),
            session_cookie: None,
            csrf_cookie: None,
            language: UiLanguage::default(),
        }))
    }
}

impl Viewer {
    /// The wiki as this viewer may read it.
    pub fn reader(&self, state: &AppState) -> Reader {
        state.site.reader(&self.access)
    }

    /// The wiki as this viewer may change it, committing as `author`; a logged-in viewer's account is recorded
    /// beside every commit.
    pub fn writer(&self, state: &AppState, author: Person) -> Writer {
        let writer = state.site.writer(&self.access, author);
        match &self.user {
            Some(user) => writer.recording_to(state.auth.push_log.clone(), &user.username),
            None => writer,
        }
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Reader, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        Ok(viewer.reader(state))
    }
}

const AUTHOR_COOKIE: &str = "lore_author";

// Until accounts exist (open mode), the browser says who it is and Lore remembers it in a cookie.
pub fn form_author(name: &str, email: &str, headers: &HeaderMap) -> Result<Person> {
    if !name.trim().is_empty() || !email.trim().is_empty() {
        return Person::checked(name, email);
    }
    Ok(remembered_author(headers)
        .unwrap_or_else(|| Person { name: "Anonymous".into(), email: "anonymous@localhost".into() }))
}

pub fn remembered_author(headers: &HeaderMap) -> Option<Person> {
    let value = csrf::cookie(headers, AUTHOR_COOKIE)?;
    let decoded = percent_decode_str(&value).decode_utf8().ok()?;
    let (name, email) = decoded.split_once('\n')?;
    Person::checked(name, email).ok()
}

pub fn author_cookie(author: &Person) -> HeaderValue {
    let value = super::query::encode(&format!("{}\n{}", author.name, author.email));
    let cookie = format!("{AUTHOR_COOKIE}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax");
    HeaderValue::from_str(&cookie).expect("percent-encoded cookies are valid header values")
}

/// An author named by an API client (honoured in open mode; must be the caller when logged in).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorInput {
    pub name: String,
    pub email: String,
}
