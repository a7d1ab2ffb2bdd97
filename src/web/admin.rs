//! `/-/admin`: accounts and roles, every token, the auth settings in force, the health of the repository
//! and its indexes, and e-mail and webhook delivery (the last webhook posts with their status). Only admins get here (the route table in `web::auth` says so).

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::csrf::CsrfForm;
use super::view::{Frame, host_of};
use super::viewer::Viewer;
use super::{AppState, PageError, csrf};
use crate::Error;
use crate::auth::{AccountEdit, AuthMode, NewUser, Role, User};

/// Webhook posts the admin page lists.
const RECENT_DELIVERIES: usize = 50;

#[derive(Serialize)]
struct AdminTemplate {
    #[serde(flatten)]
    frame: Frame,
    csrf_token: String,
    mode: &'static str,
    local_mode: bool,
    anonymous_read: bool,
    default_role: &'static str,
    trusted_proxies: Vec<String>,
    rules: Vec<crate::auth::FolderRule>,
    users: Vec<UserRow>,
    tokens: Vec<super::view::TokenRow>,
    sessions: usize,
    health: Health,
    delivery: crate::delivery::DeliverySummary,
    webhook_deliveries: Vec<crate::delivery::WebhookDeliveryView>,
    error: Option<String>,
}

#[derive(Serialize)]
struct UserRow {
    username: String,
    name: String,
    email: String,
    role: &'static str,
    groups: String,
    disabled: bool,
    has_password: bool,
}

#[derive(Serialize)]
struct Health {
    repository: String,
    branch: String,
    head: Option<String>,
    pages: usize,
    files: usize,
    history_indexed: bool,
    search_indexed_head: Option<String>,
    search_current: bool,
    search_index_bytes: u64,
}

fn admin_view(
    state: &AppState,
    headers: &HeaderMap,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (csrf_token, set_cookie) = csrf::token(headers);
    let auth = &state.auth;
    let head = state.site.head().map(|it| it.to_string());
    let search_indexed_head = state.site.search_indexed_head();
    let users = auth
        .accounts
        .users()?
        .into_iter()
        .map(|user: User| UserRow {
            role: user.role.as_str(),
            groups: user.groups.join(", "),
            has_password: user.password_hash.is_some(),
            username: user.username,
            name: user.name,
            email: user.email,
            disabled: user.disabled,
        })
        .collect();
    let tokens = super::view::token_rows(auth.accounts.tokens(None)?);
    let view = AdminTemplate {
        frame: Frame::new(state, &host_of(headers), "Administration"),
        csrf_token,
        mode: auth.config.mode.as_str(),
        local_mode: auth.config.mode == AuthMode::Local,
        anonymous_read: auth.config.anonymous_read,
        default_role: auth.config.default_role.as_str(),
        trusted_proxies: auth.config.trusted_proxies.clone(),
        rules: auth.config.rules.clone(),
        users,
        tokens,
        sessions: auth.sessions.count()?,
        health: Health {
            repository: state.site.git_dir().display().to_string(),
            branch: state.site.branch_ref().to_string(),
            search_current: head.is_some() && search_indexed_head == head,
            head,
            pages: state.site.n_pages(),
            files: state.site.n_files(),
            history_indexed: state.site.changes_ready(),
            search_indexed_head,
            search_index_bytes: state.site.search_index_bytes(),
        },
        delivery: state.delivery.summary(),
        webhook_deliveries: state.delivery.recent_webhook_deliveries(RECENT_DELIVERIES)?,
        error,
    };
    let mut res = (status, Html(state.theme.render("admin.html", &view)?)).into_response();
    csrf::attach(&mut res, set_cookie);
    Ok(res)
}

/// `GET /-/admin`.
pub async fn admin_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    admin_view(&state, &headers, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct AddUserForm {
    username: String,
    name: String,
    email: String,
    role: String,
    #[serde(default)]
    groups: String,
    password: String,
}

/// `POST /-/admin/users`: a new local account.
pub async fn add_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<AddUserForm>,
) -> Result<Response, PageError> {
    let added = form.role.parse::<Role>().and_then(|role| {
        state.auth.accounts.add_user(NewUser {
            username: form.username.trim().to_string(),
            name: form.name,
            email: form.email,
            role,
            groups: split_groups(&form.groups),
            password: Some(form.password),
        })
    });
    match added {
        Ok(()) => Ok(Redirect::to("/-/admin").into_response()),
        Err(err) => {
            let (status, _, message) = super::error::classify(&err);
            admin_view(&state, &headers, Some(message), status)
        }
    }
}

#[derive(Deserialize)]
pub struct UpdateUserForm {
    /// Absent: the name stays (forms that change only role and groups).
    #[serde(default)]
    name: Option<String>,
    /// Absent: the e-mail address stays.
    #[serde(default)]
    email: Option<String>,
    role: String,
    #[serde(default)]
    groups: String,
    #[serde(default)]
    disabled: Option<String>,
}

/// `POST /-/admin/users/{username}`: name, e-mail, role, groups, disabled.
pub async fn update_user(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    UrlPath(username): UrlPath<String>,
    CsrfForm(form): CsrfForm<UpdateUserForm>,
) -> Result<Response, PageError> {
    let role: Role = form.role.parse()?;
    let disabled = form.disabled.is_some();
    if viewer.username() == Some(username.as_str()) && (disabled || role != Role::Admin) {
        return Err(Error::bad_input("you cannot disable yourself or give up your own admin role").into());
    }
    let edit = AccountEdit { name: form.name, email: form.email, role, groups: split_groups(&form.groups), disabled };
    match state.auth.accounts.edit(&username, edit) {
        Ok(()) => Ok(Redirect::to("/-/admin").into_response()),
        Err(err) => {
            let (status, _, message) = super::error::classify(&err);
            admin_view(&state, &headers, Some(format!("{username}: {message}")), status)
        }
    }
}

fn split_groups(text: &str) -> Vec<String> {
    text.split(',').map(|it| it.trim().to_string()).filter(|it| !it.is_empty()).collect()
}
