//! Login, logout and the user's UI language.

use super::render;
use crate::AppState;
use crate::auth::safe_next;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{self, CsrfForm, Ctx, CurrentUser};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::Locale;
use serde::Deserialize;
use store::{Session, Store};
use time::OffsetDateTime;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    failed: bool,
    expired: bool,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

pub(super) async fn new_session(state: &AppState, user_id: Option<uuid::Uuid>) -> AppResult<(String, Session)> {
    let token = app::auth::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let session = Session {
        token_hash: app::auth::token_hash(&token),
        user_id,
        csrf_token: app::auth::new_token().map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now,
        last_seen_at: now,
        data: "{}".into(),
    };
    state.store.create_session(&session).await?;
    Ok((token, session))
}

pub(super) fn with_cookie(mut response: Response, token: &str, secure: bool) -> Response {
    if let Some(v) = session::set_cookie(token, secure) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

pub async fn login_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    // The login form needs a CSRF token, so a visitor gets an anonymous session.
    let (mut ctx, token) = match &ctx.session {
        Some(_) => (ctx.clone(), None),
        None => {
            let (token, s) = new_session(&state, None).await?;
            (Ctx { session: Some(s), ..ctx.clone() }, Some(token))
        }
    };
    ctx.expired |= q.expired.is_some();
    let page = LoginPage {
        l: Layout::new(&state, &ctx, "/login"),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        failed: false,
        expired: ctx.expired,
    };
    let response = render(&page)?;
    Ok(match token {
        Some(t) => with_cookie(response, &t, state.config.secure_cookies),
        None => response,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let found = state.store.find_login(&form.username).await?;
    let (user, hash) = match &found {
        Some((u, h)) => (Some(u), h.clone()),
        None => (None, state.dummy_hash.as_ref().clone()),
    };
    let ok = app::auth::verify_password(form.password.clone(), hash).await && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        let record = AuditRecord {
            actor: AuditActor {
                user_id: None,
                username: form.username.trim().to_lowercase(),
                role: "anonymous".into(),
            },
            action: AuditAction::LoginFailed,
            persons: vec![],
            origin: "POST /login".into(),
            detail: String::new(),
        };
        state.store.append_audit(&record).await?;
        let page = LoginPage {
            l: Layout::new(&state, &ctx, "/login"),
            next: safe_next(form.next.as_deref()),
            username: form.username.clone(),
            failed: true,
            expired: false,
        };
        let mut r = render(&page)?;
        *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(r);
    };
    // A new session id at login: a token planted before login is worth nothing after.
    if let Some(old) = &ctx.session {
        state.store.delete_session(&old.token_hash).await?;
    }
    let (token, _) = new_session(&state, Some(user.id)).await?;
    let record = AuditRecord {
        actor: AuditActor { user_id: Some(user.id), username: user.username.clone(), role: user.role.code().into() },
        action: AuditAction::Login,
        persons: vec![],
        origin: "POST /login".into(),
        detail: String::new(),
    };
    state.store.append_audit(&record).await?;
    let to = safe_next(form.next.as_deref());
    Ok(with_cookie(Redirect::to(&to).into_response(), &token, state.config.secure_cookies))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    state.store.delete_session(&cu.session.token_hash).await?;
    state.store.append_audit(&super::audit(&cu, AuditAction::Logout, "POST /logout", vec![], String::new())).await?;
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, session::clear_cookie());
    Ok(r)
}

#[derive(Deserialize)]
pub struct LocaleForm {
    locale: String,
}

pub async fn set_locale(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::from_code(&form.locale).ok_or(AppError::BadRequest("unknown locale"))?;
    state.store.set_user_locale(cu.user.id, locale).await?;
    Ok(Redirect::to("/").into_response())
}
