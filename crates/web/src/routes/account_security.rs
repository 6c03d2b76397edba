//! Her own login's safety (issue 13, items 4 and 6): her password, her authenticator
//! app and her recovery codes; and an admin's resets of another user's password or
//! second factor, for the day she has forgotten one or lost her phone.

use super::login_stages::{RecoveryCodesPage, SetupPage};
use super::render;
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "account_security.html")]
struct SecurityPage {
    l: Layout,
    status: app::second_factor::Status,
    message: Option<String>,
    current_error: Option<String>,
    password_error: Option<String>,
    repeat_error: Option<String>,
    /// The error of the code asked for by renewing codes or turning the app off.
    code_error: Option<String>,
    min_chars: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Shown {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    errors: &FieldErrors,
    message: Option<String>,
    origin: &str,
) -> AppResult<Response> {
    let status = app::second_factor::status(&state.app, &cu.caller(origin), &state.config.second_factor).await?;
    let l = Layout::new(state, &cu.ctx, "/account/security");
    let err = |f: &str| errors.for_field(f).map(|k| l.t(k));
    let page = SecurityPage {
        status,
        message,
        current_error: err("current"),
        password_error: err("password"),
        repeat_error: err("repeat"),
        code_error: err("code"),
        min_chars: domain::org::MIN_PASSWORD_CHARS,
        l,
    };
    let mut r = render(&page)?;
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser, Query(shown): Query<Shown>) -> AppResult<Response> {
    let l = Layout::new(&state, &cu.ctx, "/account/security");
    let message = match shown.done.as_deref() {
        Some("password") => Some(l.t("security-password-changed")),
        _ => None,
    };
    page(&state, &cu, &FieldErrors::default(), message, "GET /account/security").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    password: String,
    repeat: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /account/password";
    let new = app::second_factor::NewPassword { password: form.password, repeat: form.repeat };
    let caller = cu.caller(ORIGIN);
    match app::second_factor::change_password(&state.app, &caller, &cu.session.token_hash, &form.current, &new).await {
        Ok(()) => Ok(Redirect::to("/account/security?done=password").into_response()),
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &errors, None, ORIGIN).await,
        Err(e) => Err(e.into()),
    }
}

/// Setting up her app from her account page (where her role does not require one,
/// or to move to a new phone after an admin's reset).
pub async fn setup_page(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let secret = app::second_factor::new_secret()?;
    let l = Layout::new(&state, &cu.ctx, "/account/security");
    render(&SetupPage::new(&state, l, &secret, &cu.user.username)?.on_account())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    secret: String,
    code: String,
}

pub async fn setup(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /account/second-factor");
    match app::second_factor::enrol(&state.app, &caller, &form.secret, &form.code).await {
        Ok(codes) => {
            let l = Layout::new(&state, &cu.ctx, "/account/security");
            render(&RecoveryCodesPage { l, codes, next: "/account/security".into() })
        }
        Err(app::Error::Invalid(errors)) => {
            let l = Layout::new(&state, &cu.ctx, "/account/security");
            let page = SetupPage::again(&state, l, &form.secret, &cu.user.username, &errors)?.on_account();
            let mut r = render(&page)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn renew_codes(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /account/second-factor/renew";
    match app::second_factor::renew_recovery_codes(&state.app, &cu.caller(ORIGIN), &form.code).await {
        Ok(codes) => {
            let l = Layout::new(&state, &cu.ctx, "/account/security");
            render(&RecoveryCodesPage { l, codes, next: "/account/security".into() })
        }
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &errors, None, ORIGIN).await,
        Err(e) => Err(e.into()),
    }
}

/// Turns her app off (where her role allows); her sessions end, so she logs in again.
pub async fn remove(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /account/second-factor/remove";
    let rules = &state.config.second_factor;
    match app::second_factor::remove_own(&state.app, &cu.caller(ORIGIN), &form.code, rules).await {
        Ok(()) => Ok(Redirect::to("/login").into_response()),
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &errors, None, ORIGIN).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ an admin's resets

#[derive(Template)]
#[template(path = "one_time_password.html")]
struct OneTimePasswordPage {
    l: Layout,
    username: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Empty {}

/// Sets a one-time password for a user who forgot hers, shown once on this page to
/// pass on by a safe way; she must choose her own at her next login.
pub async fn reset_password(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/users/{id}/reset-password");
    let by = app::users::GrantedBy::User(&caller);
    let (user, password) =
        app::second_factor::reset_password(&state.app, by, app::second_factor::Target::Id(id)).await?;
    let l = Layout::new(&state, &cu.ctx, "/admin/users");
    render(&OneTimePasswordPage { l, username: user.username, password })
}

/// Removes a user's second factor (her phone is lost); she sets up a new one at her
/// next login.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/users/{id}/reset-second-factor");
    let by = app::users::GrantedBy::User(&caller);
    app::second_factor::reset_for(&state.app, by, app::second_factor::Target::Id(id)).await?;
    Ok(Redirect::to("/admin/users?reset=second-factor").into_response())
}
