//! Who is asking, and may they: the middleware that turns a request's session cookie, token, or proxy headers
//! into a [`Viewer`], the one table of which routes need which role or folder access, and the login, logout,
//! account and token endpoints. Handlers that list pages filter them with `Viewer::can_read`.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::csrf::CsrfForm;
use super::error::Channel;
use super::paths::{PagePath, decode_path, page_after, safe_next};
use super::view::{self, Frame, TokenRow, host_of};
use super::viewer::Viewer;
use super::{ApiError, AppState, PageError, csrf, error};
use crate::auth::{AuthMode, Role, User};
use crate::content::RepoPath;
use crate::i18n::{Arg, UiLanguage};
use crate::{Error, Result};

const SESSION_COOKIE: &str = "lore_session";

// What a query-string value must escape: everything but RFC 3986's unreserved characters.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// What a route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Need {
    /// Anyone: static files, health, login, and unsubscribe links (their signature is the authority).
    Nothing,
    /// Read access (and, when a file path is given, read access to it).
    Read(Option<String>),
    /// Read access to this page, which the handler then takes as its [`PagePath`].
    ReadPage(RepoPath),
    /// Someone logged in (account pages, tokens), or in open mode anyone.
    Account,
    /// A logged-in reader or better: asking, accepting (the handler checks who may accept).
    Member,
    /// An editor (any editor: the handler's writer checks the paths it writes).
    Edit,
    /// An editor who may change this page, which the handler then takes as its [`PagePath`].
    EditPage(RepoPath),
    Admin,
    /// A replica of this wiki (the cluster token), or an admin: the cluster's own endpoints.
    Cluster,
    /// An address in `metrics_allow`, or an admin from anywhere.
    Metrics,
}

// The one table of what each route needs. A page a route names is parsed here, once, with the same function
// for every route, and handed to the handler as a `PagePath`: what is judged is what is acted on. Handlers
// add the checks only they can make (lists, move targets, the asker of a question), and the site's reader
// and writer check every path again by construction.
fn need(method: &Method, path: &str) -> Result<Need> {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    // The web app manifest and the service worker: the login page needs them as much as any other.
    if path.starts_with("/-/static/")
        || path == "/-/manifest.webmanifest"
        || path == "/-/sw.js"
        || path == "/-/healthz"
        || path == "/-/login"
        || path == "/-/logout"
        || path == "/-/hooks/refresh"
        || path == "/-/unsubscribe"
        || path.starts_with("/wiki.git/")
    {
        return Ok(Need::Nothing);
    }
    if path == "/-/admin" || path.starts_with("/-/admin/") {
        return Ok(Need::Admin);
    }
    if path.starts_with("/-/api/cluster/") {
        return Ok(Need::Cluster);
    }
    if path == "/-/metrics" {
        return Ok(Need::Metrics);
    }
    if path == "/-/account"
        || path.starts_with("/-/account/")
        || path.starts_with("/-/api/account/")
        || path.starts_with("/-/api/tokens")
        || path == "/-/follow"
        || path.starts_with("/-/api/follows")
        || path == "/-/inbox"
        || path.starts_with("/-/inbox/")
        || path == "/-/api/inbox"
        || path.starts_with("/-/api/inbox/")
    {
        return Ok(Need::Account);
    }
    if path == "/-/api/me" {
        return Ok(Need::Nothing);
    }
    let is_question_action = path.starts_with("/-/questions/") || path.starts_with("/-/api/questions/");
    if path == "/-/ask" || (path == "/-/api/questions" && !safe) || (is_question_action && path.ends_with("/accept")) {
        return Ok(Need::Member);
    }
    for prefix in ["/-/edit/", "/-/delete/", "/-/move/", "/-/restore/", "/-/upload/", "/-/verify/"] {
        if let Some(page) = path.strip_prefix(prefix) {
            return Ok(Need::EditPage(page_after(page)?));
        }
    }
    if path == "/-/new" || path == "/-/review/assign" {
        return Ok(Need::Edit);
    }
    if !safe && is_question_action {
        // Answer and promote; accept was matched above.
        return Ok(Need::Edit);
    }
    if let Some(page) = path.strip_prefix("/-/api/pages/") {
        if safe {
            return Ok(Need::ReadPage(page_after(page)?));
        }
        // Only a POST names an action, and only as the last segment: `PUT /-/api/pages/hr/move` writes the
        // page `hr/move.md`.
        let page = match *method {
            Method::POST => {
                ["/move", "/restore", "/verify"].iter().find_map(|it| page.strip_suffix(it)).unwrap_or(page)
            }
            _ => page,
        };
        return Ok(Need::EditPage(page_after(page)?));
    }
    for prefix in ["/-/history/", "/-/diff/", "/-/blame/", "/-/api/history/", "/-/api/diff/", "/-/api/links/"] {
        if let Some(page) = path.strip_prefix(prefix) {
            return Ok(Need::ReadPage(page_after(page)?));
        }
    }
    if let Some(file) = path.strip_prefix("/-/raw/") {
        return Ok(Need::Read(Some(page_file(&decode_path(file)?)?)));
    }
    if !path.starts_with("/-/") {
        return Ok(Need::Read(Some(page_file(&decode_path(path.trim_start_matches('/'))?)?)));
    }
    Ok(Need::Read(None))
}

// Page URLs leave out `.md`: judge the Markdown file, which is what folder rules name. Validated like every
// other path, so a path Lore would refuse to serve is refused here first.
fn page_file(path: &str) -> Result<String> {
    let path = path.trim_matches('/');
    if path.is_empty() {
        return Ok(String::new());
    }
    let file = RepoPath::parse(path)?;
    let last = file.file_name();
    let mut res = String::with_capacity(file.as_str().len() + 3);
    res.push_str(file.as_str());
    // Not `format!`: every page view is judged here.
    if !last.contains('.') {
        res.push_str(".md");
    }
    Ok(res)
}

/// Middleware: works out the viewer, refuses what the route table forbids, and runs the rest of the request
/// with the viewer in its extensions (and in a task-local for page headers).
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let auth = &state.auth;
    let peer =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([127, 0, 0, 1]), |it| it.0.ip());
    // A replica forwarding a write vouches for its client's address (and its proxy's headers) as a trusted
    // proxy would (`forward.rs`).
    let trusted = auth.trusted_proxies.contains(peer) || from_replica(&state, request.headers());
    let headers = request.headers();
    let https = trusted && header_text(headers, "x-forwarded-proto").eq_ignore_ascii_case("https");
    let address = if trusted {
        header_text(headers, "x-forwarded-for").rsplit(',').next().and_then(|it| it.trim().parse().ok()).unwrap_or(peer)
    } else {
        peer
    };
    let path = request.uri().path().to_string();
    let channel = Channel::of(&path);
    let mut viewer = Viewer {
        user: None,
        access: auth.anonymous(),
        mode: auth.config.mode,
        https,
        address,
        session_cookie: None,
        csrf_cookie: csrf::cookie(headers, csrf::COOKIE),
        language: browser_language(&state, headers),
    };
    let mut clear_session = false;
    if cluster_bearer(&state, request.headers()) {
        // The cluster token identifies a replica on the paths replication uses, and nowhere else.
        if !(path.starts_with("/wiki.git/") || path.starts_with("/-/api/cluster/")) {
            let err = Error::Unauthorized("the cluster token works only for replication".into());
            return refuse(channel, &state, &viewer, request.headers(), &err);
        }
        viewer.access = crate::auth::Access::replica(auth.rules.clone());
    } else if auth.config.mode != AuthMode::Open {
        match identify(&state, request.headers(), trusted) {
            Ok(Identified::User(user, groups, session_cookie)) => {
                viewer.access = auth.access_of(&user, &groups);
                // The person's own choice beats what their browser asks for.
                if let Some(language) = user.language.as_deref().and_then(UiLanguage::parse) {
                    viewer.language = language;
                }
                viewer.user = Some(*user);
                viewer.session_cookie = session_cookie;
            }
            Ok(Identified::Anonymous { stale_session }) => clear_session = stale_session,
            Err(err) => return refuse(channel, &state, &viewer, request.headers(), &err),
        }
    }
    let method = request.method().clone();
    let need = match need(&method, &path) {
        Ok(need) => need,
        Err(err) => return refuse(channel, &state, &viewer, request.headers(), &err),
    };
    if need == Need::Metrics {
        let listed = state.site.config.metrics_allow.iter().any(|it| it.contains(viewer.address));
        if !listed && !viewer.access.is_admin() {
            // Monitoring clients follow no login redirect: a plain refusal says what to change.
            let err =
                Error::Forbidden("metrics are readable only from the addresses in metrics_allow, or by admins".into());
            return refuse(channel, &state, &viewer, request.headers(), &err);
        }
    }
    if let Err(err) = allowed(&viewer, &need) {
        let mut res = if viewer.user.is_none()
            && viewer.mode != AuthMode::Open
            && channel == Channel::Browser
            && method == Method::GET
        {
            // The login form judges `next` again; offering only a safe one keeps hostile paths out of the page.
            let target = safe_next(request.uri().path_and_query().map_or("/", |it| it.as_str()));
            let next = percent_encoding::utf8_percent_encode(&target, QUERY_VALUE).to_string();
            Redirect::to(&format!("/-/login?next={next}")).into_response()
        } else {
            refuse(channel, &state, &viewer, request.headers(), &err)
        };
        if clear_session {
            res.headers_mut().append(header::SET_COOKIE, expired_session_cookie());
        }
        return res;
    }
    if let Need::ReadPage(page) | Need::EditPage(page) = need {
        request.extensions_mut().insert(PagePath(page));
    }
    request.extensions_mut().insert(viewer.clone());
    let mut res = viewer.in_scope(next.run(request)).await;
    if clear_session {
        res.headers_mut().append(header::SET_COOKIE, expired_session_cookie());
    }
    res
}

/// The interface language for a request from no one in particular: the best of `Accept-Language`, else the
/// site's language (`language:` in `lore.yaml`) when Lore's interface comes in it, else English.
pub fn browser_language(state: &AppState, headers: &HeaderMap) -> UiLanguage {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|it| it.to_str().ok())
        .and_then(UiLanguage::negotiate)
        .unwrap_or_else(|| state.site.config.interface_language())
}

fn allowed(viewer: &Viewer, need: &Need) -> Result<()> {
    let ok = match need {
        Need::Nothing => true,
        Need::Read(None) => viewer.access.may_read,
        Need::Read(Some(file)) => viewer.can_read(file),
        Need::Account => viewer.user.is_some() || viewer.mode == AuthMode::Open,
        Need::Member => {
            viewer.access.at_least(Role::Reader) && (viewer.user.is_some() || viewer.mode == AuthMode::Open)
        }
        Need::ReadPage(page) => viewer.can_read(page.as_str()),
        Need::Edit => viewer.access.at_least(Role::Editor),
        Need::EditPage(page) => viewer.can_edit(page.as_str()),
        Need::Admin => viewer.access.is_admin() || (viewer.mode == AuthMode::Open && viewer.address.is_loopback()),
        Need::Cluster => viewer.access.is_replica() || viewer.access.is_admin(),
        // Judged by `authenticate`, which knows `metrics_allow`.
        Need::Metrics => true,
    };
    if ok { Ok(()) } else { Err(viewer.denied()) }
}

/// A refusal: a themed page, JSON, or plain text with git's Basic challenge.
fn refuse(channel: Channel, state: &AppState, viewer: &Viewer, headers: &HeaderMap, err: &Error) -> Response {
    let (status, code, message) = error::classify(err);
    let mut res = channel.plain_refusal(status, code, &message).unwrap_or_else(|| {
        // In the viewer's scope, so the page is in their language.
        viewer.clone().scope(|| super::themed_error_page(state, &host_of(headers), error::error_page(status, message)))
    });
    if status == StatusCode::UNAUTHORIZED {
        let challenge = match channel {
            Channel::Git => "Basic realm=\"Lore\"",
            _ => "Bearer realm=\"Lore\"",
        };
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    res
}

enum Identified {
    /// An account, with groups the proxy adds, and the session cookie when that is how it came.
    User(Box<User>, Vec<String>, Option<String>),
    Anonymous {
        /// The request carried a session cookie that no longer works: clear it.
        stale_session: bool,
    },
}

// Credentials in order of precedence: the proxy's headers, a token, a session cookie.
fn identify(state: &AppState, headers: &HeaderMap, trusted: bool) -> Result<Identified> {
    let auth = &state.auth;
    let proxy = &auth.config.proxy;
    let spoofable = [&proxy.user_header, &proxy.email_header, &proxy.groups_header, &proxy.name_header];
    // Someone claiming an identity the way a proxy would, but not from a trusted proxy, is refused outright
    // (in local mode too: it is an attack or a misconfiguration, never something to ignore silently).
    if !trusted && spoofable.iter().any(|name| headers.contains_key(name.as_str())) {
        return Err(Error::Forbidden("identity headers are accepted only from the configured proxies".into()));
    }
    if auth.config.mode == AuthMode::Proxy {
        let username = header_text(headers, &proxy.user_header);
        if !username.is_empty() {
            let user = auth.accounts.proxy_user(
                username.trim(),
                header_text(headers, &proxy.name_header).trim(),
                header_text(headers, &proxy.email_header).trim(),
                auth.config.default_role,
            )?;
            if user.disabled {
                return Err(Error::Forbidden("this account is disabled".into()));
            }
            let groups = header_text(headers, &proxy.groups_header)
                .split(',')
                .map(|it| it.trim().to_string())
                .filter(|it| !it.is_empty())
                .collect();
            return Ok(Identified::User(Box::new(user), groups, None));
        }
    }
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let text = authorization.to_str().unwrap_or_default().trim();
        let token = if let Some(token) = strip_scheme(text, "bearer") {
            token.trim().to_string()
        } else if let Some(encoded) = strip_scheme(text, "basic") {
            // git sends the token as the password; the user name is not needed.
            let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).unwrap_or_default();
            let decoded = String::from_utf8_lossy(&decoded);
            decoded.split_once(':').map(|(_, password)| password.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        return match auth.accounts.user_for_token(&token)? {
            Some(user) => Ok(Identified::User(Box::new(user), Vec::new(), None)),
            None => Err(Error::Unauthorized(
                "this token is not valid (revoked, mistyped, or its account is disabled)".into(),
            )),
        };
    }
    if let Some(cookie) = csrf::cookie(headers, SESSION_COOKIE) {
        let user = match auth.sessions.get(&cookie)? {
            Some(session) => auth
                .accounts
                .user(&session.username)?
                .filter(|user| !user.disabled && user.session_epoch == session.epoch),
            None => None,
        };
        return Ok(match user {
            Some(user) => Identified::User(Box::new(user), Vec::new(), Some(cookie)),
            None => Identified::Anonymous { stale_session: true },
        });
    }
    Ok(Identified::Anonymous { stale_session: false })
}

// Whether the request carries this wiki's cluster token as its bearer token.
fn cluster_bearer(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(cluster) = state.site.config.cluster_token.as_ref() else { return false };
    let text = headers.get(header::AUTHORIZATION).and_then(|it| it.to_str().ok()).unwrap_or_default().trim();
    strip_scheme(text, "bearer")
        .is_some_and(|it| csrf::constant_time_eq(it.trim().as_bytes(), cluster.as_str().as_bytes()))
}

// Whether a replica of this wiki forwarded the request (it carries the cluster token in its own header).
fn from_replica(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(cluster) = state.site.config.cluster_token.as_ref() else { return false };
    headers
        .get(super::forward::CLUSTER_HEADER)
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| csrf::constant_time_eq(it.as_bytes(), cluster.as_str().as_bytes()))
}

fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    let (first, rest) = text.split_once(' ')?;
    first.eq_ignore_ascii_case(scheme).then_some(rest)
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|it| it.to_str().ok()).unwrap_or_default()
}

fn session_cookie(value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&cookie).expect("session cookies are hex")
}

fn expired_session_cookie() -> HeaderValue {
    session_cookie("", 0, false)
}

// ---- Login and logout ----

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Serialize)]
struct LoginTemplate {
    #[serde(flatten)]
    frame: Frame,
    csrf_token: String,
    next: String,
    username: String,
    error: Option<String>,
    proxy_mode: bool,
}

// Whole minutes to wait, at least one, for messages.
fn minutes(wait: std::time::Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

/// `GET /-/login?next=`.
pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<NextQuery>,
) -> Result<Response, PageError> {
    login_page(&state, &headers, safe_next(&query.next), String::new(), None, StatusCode::OK)
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    username: String,
    error_message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(headers);
    let view = LoginTemplate {
        frame: Frame::new(state, &host_of(headers), "Log in"),
        csrf_token,
        next,
        username,
        error: error_message,
        proxy_mode: state.auth.config.mode == AuthMode::Proxy,
    };
    let mut res = (status, Html(state.theme.render("login.html", &view)?)).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /-/login`: checks the password (throttled), starts a session, and goes where the user was headed.
pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, PageError> {
    let auth = state.auth.clone();
    if auth.config.mode != AuthMode::Local {
        return Err(Error::NotFound(match auth.config.mode {
            AuthMode::Proxy => "this wiki signs you in through your company's login".into(),
            _ => "this wiki has no accounts (open mode)".into(),
        })
        .into());
    }
    let next = safe_next(&form.next);
    let username = form.username.trim().to_string();
    // Counted as a failure before the password is checked, so simultaneous attempts cannot overrun the limit.
    let attempt = match auth.throttle.begin(&username, viewer.address) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let message = view::message(&state, "login-too-many", &[("minutes", Arg::Number(minutes(wait) as f64))]);
            return login_page(&state, &headers, next, username, Some(message), StatusCode::TOO_MANY_REQUESTS);
        }
    };
    let (checked_username, password) = (username.clone(), form.password);
    let checking = auth.clone();
    let user = super::blocking(move || checking.accounts.verify_password(&checked_username, &password)).await?;
    let Some(user) = user else {
        attempt.failed();
        let message = view::message(&state, "login-wrong", &[]);
        return login_page(&state, &headers, next, username, Some(message), StatusCode::UNAUTHORIZED);
    };
    attempt.succeeded();
    // A session cookie from before the login is ended: a new login gets a new id (no session fixation).
    if let Some(old) = &viewer.session_cookie {
        auth.sessions.end(old)?;
    }
    let hours = auth.config.session_hours;
    let cookie = auth.sessions.create(&user.username, user.session_epoch, hours)?;
    tracing::info!(user = user.username, "logged in");
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().append(header::SET_COOKIE, session_cookie(&cookie, i64::from(hours) * 3600, viewer.https));
    Ok(res)
}

/// A form with nothing in it but its CSRF token (which the extractor checks).
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /-/logout`: ends this session.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    if let Some(cookie) = csrf::cookie(&headers, SESSION_COOKIE) {
        state.auth.sessions.end(&cookie)?;
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(header::SET_COOKIE, session_cookie("", 0, viewer.https));
    Ok(res)
}

// ---- The account page: profile, password, tokens ----

#[derive(Serialize)]
struct AccountTemplate {
    #[serde(flatten)]
    frame: Frame,
    csrf_token: String,
    user: Option<User>,
    role: &'static str,
    groups: Vec<String>,
    mode: &'static str,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    error: Option<String>,
    /// The interface language the person chose (a code), or empty: their browser's.
    language: String,
    /// The languages to choose from: code and name in itself.
    languages: Vec<(&'static str, &'static str)>,
}

fn account_page(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    new_token: Option<String>,
    error_message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(headers);
    let tokens = match viewer.username() {
        Some(username) => view::token_rows(state.auth.accounts.tokens(Some(username))?),
        None => Vec::new(),
    };
    let view = AccountTemplate {
        frame: Frame::new(state, &host_of(headers), "Your account"),
        csrf_token,
        user: viewer.user.clone().map(|mut it| {
            it.password_hash = None;
            it
        }),
        role: viewer.access.role.map_or("anonymous", Role::as_str),
        groups: viewer.access.groups.clone(),
        mode: viewer.mode.as_str(),
        tokens,
        new_token,
        error: error_message,
        language: viewer.user.as_ref().and_then(|it| it.language.clone()).unwrap_or_default(),
        languages: UiLanguage::ALL.iter().map(|it| (it.code(), it.native_name())).collect(),
    };
    let mut res = (status, Html(state.theme.render("account.html", &view)?)).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `GET /-/account`.
pub async fn account(State(state): State<AppState>, viewer: Viewer, headers: HeaderMap) -> Result<Response, PageError> {
    account_page(&state, &viewer, &headers, None, None, StatusCode::OK)
}

fn logged_in(viewer: &Viewer) -> Result<&User> {
    viewer.user.as_ref().ok_or_else(|| Error::bad_input("this wiki runs in open mode: there are no accounts"))
}

#[derive(Deserialize)]
pub struct ProfileForm {
    name: String,
    /// Not on the form any more (an admin sets it); a request that sends it may only repeat the current one.
    #[serde(default)]
    email: Option<String>,
}

/// `POST /-/account/profile`: the display name commits are signed with. The e-mail address is not the
/// person's to change: commits and questions are tied to it, so an admin sets it.
pub async fn update_profile(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let user = logged_in(&viewer)?;
    if state.auth.config.mode == AuthMode::Proxy {
        return Err(Error::bad_input("your name and e-mail come from your company's login").into());
    }
    let email_changes = form.email.as_deref().is_some_and(|it| it.trim().to_lowercase() != user.email.to_lowercase());
    let changed = if email_changes {
        Err(Error::Forbidden("your e-mail address is set by an admin: ask one to change it".into()))
    } else {
        state.auth.accounts.set_own_name(&user.username, &form.name)
    };
    match changed {
        Ok(()) => Ok(Redirect::to("/-/account").into_response()),
        Err(err) => {
            let (status, _, message) = error::classify(&err);
            account_page(&state, &viewer, &headers, None, Some(message), status)
        }
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    /// A shipped language's code, or empty for "as my browser asks".
    language: String,
}

/// `POST /-/account/language`: the interface language a person reads Lore in, whatever their browser asks
/// for. Only the shipped languages are accepted.
pub async fn update_language(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, PageError> {
    let user = logged_in(&viewer)?;
    let language = match form.language.trim() {
        "" => None,
        code => Some(UiLanguage::parse(code).ok_or_else(|| {
            Error::bad_input(format!(
                "Lore's interface comes in {}; not in {code:?}",
                UiLanguage::ALL.map(UiLanguage::code).join(", ")
            ))
        })?),
    };
    state.auth.accounts.set_language(&user.username, language)?;
    Ok(Redirect::to("/-/account").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /-/account/password`: every other session ends; this browser gets a fresh one.
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let user = logged_in(&viewer)?.clone();
    let auth = state.auth.clone();
    if auth.config.mode != AuthMode::Local {
        return Err(Error::bad_input("passwords are managed by your company's login").into());
    }
    if form.new != form.confirm {
        let message = Some(view::message(&state, "password-mismatch", &[]));
        return account_page(&state, &viewer, &headers, None, message, StatusCode::BAD_REQUEST);
    }
    // The same throttle as logins: a stolen session must not become a way to guess the password.
    let attempt = match auth.throttle.begin(&user.username, viewer.address) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let message = view::message(&state, "password-too-many", &[("minutes", Arg::Number(minutes(wait) as f64))]);
            return account_page(&state, &viewer, &headers, None, Some(message), StatusCode::TOO_MANY_REQUESTS);
        }
    };
    let checking = auth.clone();
    let (username, current) = (user.username.clone(), form.current);
    let verified = super::blocking(move || checking.accounts.verify_password(&username, &current)).await?;
    if verified.is_none() {
        attempt.failed();
        let message = Some(view::message(&state, "password-wrong", &[]));
        return account_page(&state, &viewer, &headers, None, message, StatusCode::FORBIDDEN);
    }
    attempt.succeeded();
    let (username, new) = (user.username.clone(), form.new);
    let changing = auth.clone();
    if let Err(err) = super::blocking(move || changing.accounts.set_password(&username, &new)).await {
        return account_page(&state, &viewer, &headers, None, Some(err.to_string()), StatusCode::BAD_REQUEST);
    }
    if let Some(old) = &viewer.session_cookie {
        auth.sessions.end(old)?;
    }
    let epoch = auth.accounts.user(&user.username)?.map_or(0, |it| it.session_epoch);
    let cookie = auth.sessions.create(&user.username, epoch, auth.config.session_hours)?;
    let mut res = Redirect::to("/-/account").into_response();
    let max_age = i64::from(auth.config.session_hours) * 3600;
    res.headers_mut().append(header::SET_COOKIE, session_cookie(&cookie, max_age, viewer.https));
    Ok(res)
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// `POST /-/account/tokens`: shows the new token once.
pub async fn create_token_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let user = logged_in(&viewer)?;
    match state.auth.accounts.create_token(&user.username, &form.name) {
        Ok((_, token)) => account_page(&state, &viewer, &headers, Some(token), None, StatusCode::OK),
        Err(err) => account_page(&state, &viewer, &headers, None, Some(err.to_string()), StatusCode::BAD_REQUEST),
    }
}

/// `POST /-/account/tokens/{id}/revoke`.
pub async fn revoke_token_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let user = logged_in(&viewer)?;
    // Admins may revoke anyone's token (from the admin page); others only their own.
    let owner = if viewer.access.is_admin() { None } else { Some(user.username.as_str()) };
    state.auth.accounts.revoke_token_of(&id, owner)?;
    let back = if owner.is_none() && headers.get(header::REFERER).is_some_and(|it| it.as_bytes().ends_with(b"/-/admin"))
    {
        "/-/admin"
    } else {
        "/-/account"
    };
    Ok(Redirect::to(back).into_response())
}

// ---- The API: who am I, tokens ----

/// `GET /-/api/me`.
pub async fn me_api(viewer: Viewer) -> Result<Response, ApiError> {
    match &viewer.user {
        Some(user) => Ok(Json(serde_json::json!({
            "username": user.username, "name": user.name, "email": user.email,
            "role": viewer.access.role.map(Role::as_str), "groups": viewer.access.groups, "mode": viewer.mode.as_str(),
        }))
        .into_response()),
        None if viewer.mode == AuthMode::Open => Ok(Json(serde_json::json!({
            "username": null, "name": null, "email": null, "role": "editor", "groups": [], "mode": "open",
        }))
        .into_response()),
        None => Err(Error::Unauthorized("not logged in".into()).into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
}

/// `GET /-/api/tokens`: the caller's tokens, never their secrets.
pub async fn tokens_api(State(state): State<AppState>, viewer: Viewer) -> Result<Response, ApiError> {
    let user = logged_in(&viewer)?;
    let tokens: Vec<serde_json::Value> = state
        .auth
        .accounts
        .tokens(Some(&user.username))?
        .into_iter()
        .map(|it| serde_json::json!({"id": it.id, "name": it.name, "created_at": it.created_at, "last_used_at": it.last_used_at}))
        .collect();
    Ok(Json(tokens).into_response())
}

/// `POST /-/api/tokens` `{name}` → 201 `{id, name, token}`.
pub async fn create_token_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Json(body): Json<TokenBody>,
) -> Result<Response, ApiError> {
    let user = logged_in(&viewer)?;
    let (id, token) = state.auth.accounts.create_token(&user.username, &body.name)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id, "name": body.name.trim(), "token": token})))
        .into_response())
}

/// `DELETE /-/api/tokens/{id}`.
pub async fn revoke_token_api(
    State(state): State<AppState>,
    viewer: Viewer,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let user = logged_in(&viewer)?;
    let owner = if viewer.access.is_admin() { None } else { Some(user.username.as_str()) };
    state.auth.accounts.revoke_token_of(&id, owner)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn page(path: &str) -> RepoPath {
        RepoPath::parse(path).unwrap()
    }

    #[test]
    fn route_table() {
        let need = |method: &Method, path: &str| need(method, path).unwrap();
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(need(&get, "/hr/pay"), Need::Read(Some("hr/pay.md".into())));
        assert_eq!(need(&get, "/hr/logo.png"), Need::Read(Some("hr/logo.png".into())));
        assert_eq!(need(&get, "/-/raw/hr/pay.md"), Need::Read(Some("hr/pay.md".into())));
        assert_eq!(need(&get, "/-/edit/hr/pay"), Need::EditPage(page("hr/pay.md")));
        assert_eq!(need(&Method::PUT, "/-/api/pages/hr%2Fpay"), Need::EditPage(page("hr/pay.md")));
        assert_eq!(need(&post, "/-/api/pages/hr/pay/move"), Need::EditPage(page("hr/pay.md")));
        assert_eq!(need(&get, "/-/api/pages/hr/pay"), Need::ReadPage(page("hr/pay.md")));
        assert_eq!(need(&post, "/-/questions/why/answer"), Need::Edit);
        assert_eq!(need(&post, "/-/questions/why/accept"), Need::Member);
        assert_eq!(need(&post, "/-/api/questions/why/accept"), Need::Member);
        // A page that happens to be named `accept` is still judged by its folder's rules.
        assert_eq!(need(&get, "/hr/accept"), Need::Read(Some("hr/accept.md".into())));
        assert_eq!(need(&post, "/-/api/questions"), Need::Member);
        assert_eq!(need(&get, "/-/api/questions"), Need::Read(None));
        assert_eq!(need(&get, "/-/admin"), Need::Admin);
        assert_eq!(need(&get, "/-/metrics"), Need::Metrics);
        assert_eq!(need(&get, "/-/static/lore.css"), Need::Nothing);
        assert_eq!(need(&get, "/-/search"), Need::Read(None));
        assert_eq!(need(&get, "/"), Need::Read(Some(String::new())));
    }

    #[test]
    fn pages_named_move_or_restore_are_judged_as_themselves() {
        let need = |method: &Method, path: &str| need(method, path).unwrap();
        assert_eq!(need(&Method::PUT, "/-/api/pages/hr/move"), Need::EditPage(page("hr/move.md")));
        assert_eq!(need(&Method::DELETE, "/-/api/pages/hr/restore"), Need::EditPage(page("hr/restore.md")));
        assert_eq!(need(&Method::GET, "/-/api/pages/hr/move"), Need::ReadPage(page("hr/move.md")));
        assert_eq!(need(&Method::POST, "/-/api/pages/hr/move/move"), Need::EditPage(page("hr/move.md")));
    }

    #[test]
    fn leading_or_trailing_whitespace_is_refused_not_trimmed() {
        for path in [
            "/-/diff/%20hr/pay",
            "/-/history/%09hr/pay",
            "/-/api/diff/%C2%A0hr/pay",
            "/-/api/pages/hr/pay%20",
            "/-/edit/%20hr/pay",
            "/-/upload/%0Bhr/pay",
            "/%20hr/pay",
            "/-/raw/%20hr/pay.md",
        ] {
            assert!(need(&Method::GET, path).is_err(), "{path} should be refused");
            assert!(need(&Method::PUT, path).is_err(), "{path} should be refused");
        }
    }

    #[test]
    fn safe_next_refuses_other_origins() {
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/hr/pay?x=1"), "/hr/pay?x=1");
    }

    #[track_caller]
    fn check_next(next: &str, expected: &str) {
        assert_eq!(safe_next(next), expected, "next={next:?}");
        assert!(HeaderValue::from_str(&safe_next(next)).is_ok(), "next={next:?} is no valid Location");
    }

    #[test]
    fn login_next_with_a_tab_that_browsers_strip_is_an_open_redirect() {
        check_next("/%09/evil.example", "/");
        check_next("/\t/evil.example", "/");
        check_next("/\t\t//evil.example", "/");
        check_next("/%0D%0A/evil.example", "/");
    }

    #[test]
    fn login_next_with_a_backslash_is_an_open_redirect() {
        check_next("/\\evil.example", "/");
        check_next("/%5Cevil.example", "/");
        check_next("/%5cevil.example", "/");
        check_next("/a/b\\c", "/");
    }

    #[test]
    fn login_next_that_is_scheme_relative_or_absolute_is_an_open_redirect() {
        check_next("//evil.example", "/");
        check_next("/%2F/evil.example", "/");
        check_next("/%2f%2fevil.example", "/");
        check_next("/.//evil.example", "/");
        check_next("/a/..//evil.example", "/");
        check_next("/%2e//evil.example", "/");
        check_next("https://evil.example", "/");
        check_next("javascript:alert(1)", "/");
        check_next("evil.example", "/");
        check_next("", "/");
    }

    #[test]
    fn login_next_with_a_line_break_or_vertical_tab_was_a_server_error() {
        for next in ["/\n", "/%0A", "\u{b}", "/\u{b}x", "/x\u{0}", "/\u{c}", "/\u{7f}", "/\u{85}", "/\u{2028}", "/ x"] {
            check_next(next, "/");
        }
    }

    #[test]
    fn login_next_keeps_paths_on_this_site() {
        check_next("/", "/");
        check_next("/-/admin", "/-/admin");
        check_next("/pub/page?tab=history", "/pub/page?tab=history");
        check_next("/my%20page", "/my%20page");
        // Non-ASCII is percent-encoded, so the Location header stays valid.
        check_next("/caf\u{e9}", "/caf%C3%A9");
        check_next("/a/../b", "/b");
    }
}
