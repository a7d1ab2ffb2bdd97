//! How a person hears from Lore by e-mail: the settings page `/-/account/notifications` and its API
//! (`GET`/`PUT /-/api/account/notifications`), and the signed one-click unsubscribe link e-mails carry
//! (`/-/unsubscribe`: `GET` shows a confirm page, `POST` unsubscribes; no login, the signature authorises it).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::csrf::CsrfForm;
use super::view::{Frame, host_of};
use super::viewer::Viewer;
use super::{ApiError, AppState, PageError, blocking, csrf};
use crate::delivery::{Frequency, Settings, Unsubscribe};
use crate::{Error, Result};

/// The settings as the API and the form speak them.
#[derive(Serialize)]
struct SettingsBody {
    email_for_me: &'static str,
    email_following: &'static str,
    auto_follow: bool,
}

impl From<Settings> for SettingsBody {
    fn from(settings: Settings) -> SettingsBody {
        SettingsBody {
            email_for_me: settings.email_for_me.as_str(),
            email_following: settings.email_following.as_str(),
            auto_follow: settings.auto_follow,
        }
    }
}

/// A change to the settings: any of the three; the others stay.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsChange {
    email_for_me: Option<String>,
    email_following: Option<String>,
    auto_follow: Option<bool>,
}

impl SettingsChange {
    fn apply(&self, settings: Settings) -> Result<Settings> {
        let mut res = settings;
        if let Some(value) = &self.email_for_me {
            res.email_for_me = Frequency::parse("email_for_me", value)?;
        }
        if let Some(value) = &self.email_following {
            res.email_following = Frequency::parse("email_following", value)?;
        }
        if let Some(value) = self.auto_follow {
            res.auto_follow = value;
        }
        Ok(res)
    }
}

// The account whose settings these are; open mode has none.
fn username(viewer: &Viewer) -> Result<String> {
    viewer.username().map(str::to_string).ok_or_else(|| {
        Error::bad_input("notification settings need a login: this wiki runs in open mode, which has no accounts")
    })
}

/// `GET /-/api/account/notifications`.
pub async fn settings_api(State(state): State<AppState>, viewer: Viewer) -> Result<Json<serde_json::Value>, ApiError> {
    let username = username(&viewer)?;
    let delivery = state.delivery.clone();
    let settings = blocking(move || delivery.settings(&username)).await?;
    Ok(Json(serde_json::to_value(SettingsBody::from(settings)).expect("settings serialise")))
}

/// `PUT /-/api/account/notifications` with any of `{email_for_me, email_following, auto_follow}`; answers the
/// settings now in force. A bad value is a 400 and changes nothing.
pub async fn put_settings_api(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let username = username(&viewer)?;
    let change: SettingsChange =
        serde_json::from_slice(&body).map_err(|err| Error::bad_input(format!("bad settings: {err}")))?;
    let delivery = state.delivery.clone();
    let settings = blocking(move || {
        let settings = change.apply(delivery.settings(&username)?)?;
        delivery.set_settings(&username, settings)?;
        Ok(settings)
    })
    .await?;
    Ok(Json(serde_json::to_value(SettingsBody::from(settings)).expect("settings serialise")))
}

#[derive(Serialize)]
struct SettingsTemplate {
    #[serde(flatten)]
    frame: Frame,
    csrf_token: String,
    /// `None` in open mode: the page then says a login is needed.
    settings: Option<SettingsBody>,
    frequencies: Vec<&'static str>,
    mail_enabled: bool,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    (saved, error): (bool, Option<String>),
    status: StatusCode,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(headers);
    let settings = match viewer.username() {
        Some(username) => Some(SettingsBody::from(state.delivery.settings(username)?)),
        None => None,
    };
    let view = SettingsTemplate {
        frame: Frame::new(state, &host_of(headers), "Notifications"),
        csrf_token,
        settings,
        frequencies: Frequency::ALL.iter().map(|it| it.as_str()).collect(),
        mail_enabled: state.delivery.mail_enabled(),
        saved,
        error,
    };
    let mut res = (status, Html(state.theme.render("notifications.html", &view)?)).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `GET /-/account/notifications`.
pub async fn settings_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    settings_page(&state, &viewer, &headers, (query.saved.is_some(), None), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SettingsForm {
    email_for_me: String,
    email_following: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    auto_follow: Option<String>,
}

/// `POST /-/account/notifications`.
pub async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let username = username(&viewer)?;
    let change = SettingsChange {
        email_for_me: Some(form.email_for_me),
        email_following: Some(form.email_following),
        auto_follow: Some(form.auto_follow.is_some()),
    };
    let delivery = state.delivery.clone();
    let saved = blocking(move || {
        let settings = change.apply(delivery.settings(&username)?)?;
        delivery.set_settings(&username, settings)
    })
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/-/account/notifications?saved=1").into_response()),
        Err(err) => {
            let (status, _, message) = super::error::classify(&err);
            settings_page(&state, &viewer, &headers, (false, Some(message)), status)
        }
    }
}

/// The signed link's query.
#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    sig: String,
}

impl UnsubscribeQuery {
    fn checked(&self, state: &AppState) -> Result<Unsubscribe> {
        let scope = Unsubscribe::parse(&self.list)?;
        state.delivery.check_unsubscribe(&self.user, scope, &self.sig)?;
        Ok(scope)
    }
}

#[derive(Serialize)]
struct UnsubscribeTemplate {
    #[serde(flatten)]
    frame: Frame,
    /// The form posts back to the same signed link.
    action: String,
    user: String,
    list: &'static str,
    done: bool,
}

fn unsubscribe_view(
    state: &AppState,
    headers: &HeaderMap,
    query: &UnsubscribeQuery,
    scope: Unsubscribe,
    done: bool,
) -> Result<Response, PageError> {
    let action = format!(
        "/-/unsubscribe?{}",
        serde_urlencoded::to_string([("user", &query.user), ("list", &query.list), ("sig", &query.sig)])
            .expect("strings encode")
    );
    let view = UnsubscribeTemplate {
        frame: Frame::new(state, &host_of(headers), "Unsubscribe"),
        action,
        user: query.user.clone(),
        list: scope.as_str(),
        done,
    };
    Ok(Html(state.theme.render("unsubscribe.html", &view)?).into_response())
}

/// `GET /-/unsubscribe?user=&list=&sig=`: asks to confirm (a link scanner's GET changes nothing).
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<UnsubscribeQuery>,
) -> Result<Response, PageError> {
    let scope = query.checked(&state)?;
    unsubscribe_view(&state, &headers, &query, scope, false)
}

/// `POST /-/unsubscribe?user=&list=&sig=`: the confirm page's button, or a mail client's one-click
/// unsubscribe (RFC 8058, body `List-Unsubscribe=One-Click`). No login and no CSRF token: the signature is the
/// authority, and it only ever turns e-mail off.
pub async fn unsubscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<UnsubscribeQuery>,
) -> Result<Response, PageError> {
    let scope = query.checked(&state)?;
    let delivery = state.delivery.clone();
    let (user, signature) = (query.user.clone(), query.sig.clone());
    blocking(move || delivery.unsubscribe(&user, scope, &signature)).await?;
    unsubscribe_view(&state, &headers, &query, scope, true)
}
