//! Single sign-on's two pages (issue 13, item 5): `/login/sso` sends her to the
//! municipality's identity broker, `/login/sso/callback` takes her back. What the
//! login must find again (state, nonce, PKCE verifier, where she was going) waits in a
//! cookie sealed by `app::sso::Pending::seal` (signed with the server key, good for ten
//! minutes), so a visitor still gets no session row. The cookie is `SameSite=Lax`: the broker sends her back by a
//! top-level navigation from its own site, which a `Strict` cookie would not follow.

use super::auth::{LoginPage, with_cookie};
use super::render;
use crate::AppState;
use crate::auth::safe_next;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{Ctx, cookie_value};
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-opsog_sso" } else { "opsog_sso" }
}

fn settings(state: &AppState) -> Result<&app::sso::Settings, AppError> {
    state.config.sso.as_ref().ok_or(AppError::NotFound)
}

/// Sets the pending login's cookie (`None`: clears it once she is back).
fn pending_cookie(response: &mut Response, secure: bool, sealed: Option<&str>) {
    let flag = if secure { "; Secure" } else { "" };
    let max_age = if sealed.is_some() { app::sso::PENDING_LIFETIME.whole_seconds() } else { 0 };
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{flag}",
        cookie_name(secure),
        sealed.unwrap_or_default()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[derive(Deserialize, Default)]
pub struct StartQuery {
    next: Option<String>,
}

/// Sends her to the broker.
pub async fn start(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let settings = settings(&state)?;
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let started = app::sso::start(settings).await?;
    let sealed = started.pending.seal(&state.app, &safe_next(q.next.as_deref()));
    let mut response = Redirect::to(&started.authorize_url).into_response();
    pending_cookie(&mut response, state.config.secure_cookies, Some(&sealed));
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: String,
    error: Option<String>,
}

/// Takes her back from the broker: logged in, or the login page saying why not.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let settings = settings(&state)?;
    let secure = state.config.secure_cookies;
    let opened = cookie_value(&headers, cookie_name(secure)).and_then(|v| app::sso::Pending::open(&state.app, &v));
    let (pending, next) = match opened {
        Some((pending, next)) => (Some(pending), next),
        None => (None, safe_next(None)),
    };
    let input = app::sso::Callback {
        state: q.state,
        code: q.code,
        error: q.error,
        replaces: ctx.session.as_ref().map(|s| s.token_hash.clone()),
    };
    let mut response = match app::sso::finish(&state.app, settings, "GET /login/sso/callback", pending, &input).await? {
        app::sso::Finished::LoggedIn(done) => {
            with_cookie(Redirect::to(&safe_next(Some(&next))).into_response(), &done.session.token, secure)
        }
        app::sso::Finished::Refused(refusal) => {
            let (ctx, new) = crate::public_form::for_page(&state, &ctx, &headers)?;
            let l = Layout::new(&state, &ctx, "/login");
            let page = LoginPage::new(l, next, Some(refusal.code()));
            let mut r = crate::public_form::with_cookie(render(&page)?, &state, new);
            *r.status_mut() = StatusCode::FORBIDDEN;
            r
        }
    };
    pending_cookie(&mut response, secure, None);
    Ok(response)
}
