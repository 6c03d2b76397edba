//! Single sign-on's two pages (issue 13, item 5): `/login/sso` sends her to the
//! municipality's identity broker, `/login/sso/callback` takes her back. What the
//! login must find again (state, nonce, PKCE verifier, where she was going) waits in a
//! cookie signed with the server key and good for ten minutes, so a visitor still gets
//! no session row. The cookie is `SameSite=Lax`: the broker sends her back by a
//! top-level navigation from its own site, which a `Strict` cookie would not follow.

use super::auth::{LoginPage, with_cookie};
use super::render;
use crate::AppState;
use crate::auth::{safe_next, same_token};
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{Ctx, cookie_value};
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

const PURPOSE: &str = "sso-pending";
/// How long she may take at the broker.
const LIFETIME_SECS: i64 = 10 * 60;

fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-opsog_sso" } else { "opsog_sso" }
}

fn settings(state: &AppState) -> Result<&app::sso::Settings, AppError> {
    state.config.sso.as_ref().ok_or(AppError::NotFound)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// The cookie's value: the pending login, when it began and where she was going, as
/// hex, then the server's signature of it.
fn seal(state: &AppState, pending: &app::sso::Pending, next: &str, now: i64) -> String {
    let payload = [pending.state.as_str(), &pending.nonce, &pending.pkce_verifier, &now.to_string(), next].join("\n");
    let payload = hex(payload.as_bytes());
    let mac = state.dnc_key.mac(PURPOSE, payload.as_bytes());
    format!("{payload}.{mac}")
}

/// The pending login and where she was going, if the cookie is one this server signed
/// less than ten minutes ago.
fn open(state: &AppState, value: &str, now: i64) -> Option<(app::sso::Pending, String)> {
    let (payload, mac) = value.split_once('.')?;
    if !same_token(&state.dnc_key.mac(PURPOSE, payload.as_bytes()), mac) {
        return None;
    }
    let text = String::from_utf8(unhex(payload)?).ok()?;
    let mut parts = text.splitn(5, '\n');
    let (state_, nonce, verifier, at, next) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let at: i64 = at.parse().ok()?;
    if now < at || now - at > LIFETIME_SECS {
        return None;
    }
    let pending = app::sso::Pending { state: state_.into(), nonce: nonce.into(), pkce_verifier: verifier.into() };
    Some((pending, next.to_string()))
}

fn set_pending_cookie(response: &mut Response, secure: bool, value: &str) {
    let flag = if secure { "; Secure" } else { "" };
    let name = cookie_name(secure);
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={LIFETIME_SECS}{flag}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn clear_pending_cookie(response: &mut Response, secure: bool) {
    let flag = if secure { "; Secure" } else { "" };
    let cookie = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{flag}", cookie_name(secure));
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
    let now = state.app.clock.now().unix_timestamp();
    let value = seal(&state, &started.pending, &safe_next(q.next.as_deref()), now);
    let mut response = Redirect::to(&started.authorize_url).into_response();
    set_pending_cookie(&mut response, state.config.secure_cookies, &value);
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
    let now = state.app.clock.now().unix_timestamp();
    let opened = cookie_value(&headers, cookie_name(secure)).and_then(|v| open(&state, &v, now));
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
    clear_pending_cookie(&mut response, secure);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let text = "state\nnonce\n/people?x=1;y";
        assert_eq!(unhex(&hex(text.as_bytes())).as_deref(), Some(text.as_bytes()));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
