//! Forms on the public pages (her answer page, the open door) without a server-side
//! session (issue 13, item 9): a visitor who is not logged in gets no session row,
//! so loading a page writes nothing and a flood of page loads cannot fill the
//! database or renew a per-visitor limit. The CSRF check is a signed double submit:
//! the page sets a cookie with a random value and the server's signature of it
//! (HMAC under the server key), and puts the same token in the form; a POST must
//! carry both, equal, with a valid signature. Another site can neither read the
//! cookie nor set one (SameSite, and the `__Host-` prefix over HTTPS), and cannot make
//! a token the server signed.

use crate::AppState;
use crate::auth::same_token;
use crate::error::AppError;
use crate::session::{Ctx, cookie_value};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

pub const COOKIE: &str = "opsog_form";
pub const SECURE_COOKIE: &str = "__Host-opsog_form";
const PURPOSE: &str = "public-form";

fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

fn sign(state: &AppState, nonce: &str) -> String {
    state.dnc_key.mac(PURPOSE, nonce.as_bytes())
}

/// Whether a token is one this server signed.
fn signed(state: &AppState, token: &str) -> bool {
    token.split_once('.').is_some_and(|(nonce, mac)| !nonce.is_empty() && same_token(&sign(state, nonce), mac))
}

/// A public page's context: for a visitor, with her form token (`Layout::csrf` reads
/// it) and, when it is new, the token the response must set as a cookie; staff who
/// are logged in keep their session's token, which the page's other forms (logout,
/// the locale) need too.
pub fn for_page(state: &AppState, ctx: &Ctx, headers: &HeaderMap) -> Result<(Ctx, Option<String>), AppError> {
    if ctx.session.is_some() {
        return Ok((ctx.clone(), None));
    }
    let (token, new) = token(state, headers)?;
    Ok((with_token(ctx, &token), new.then_some(token)))
}

/// Sets the cookie of a token `for_page` made.
pub fn with_cookie(response: Response, state: &AppState, new: Option<String>) -> Response {
    match new {
        Some(token) => set_cookie(response, state, &token, true),
        None => response,
    }
}

/// The visitor's token: the one her cookie holds if this server signed it, else a
/// new one (`true`: the response must set the cookie).
fn token(state: &AppState, headers: &HeaderMap) -> Result<(String, bool), AppError> {
    if let Some(t) = cookie_value(headers, cookie_name(state.config.secure_cookies))
        && signed(state, &t)
    {
        return Ok((t, false));
    }
    let nonce = app::auth::new_token().map_err(|e| AppError::Internal(format!("a form token: {e}")))?;
    let mac = sign(state, &nonce);
    Ok((format!("{nonce}.{mac}"), true))
}

/// The page's context with the form token (`Layout::csrf` reads it).
pub fn with_token(ctx: &Ctx, token: &str) -> Ctx {
    Ctx { form_token: Some(token.to_string()), ..ctx.clone() }
}

/// Sets the cookie on a page that made a new token.
fn set_cookie(mut response: Response, state: &AppState, token: &str, new: bool) -> Response {
    if !new {
        return response;
    }
    let secure = state.config.secure_cookies;
    let flag = if secure { "; Secure" } else { "" };
    let name = cookie_name(secure);
    if let Ok(v) = HeaderValue::from_str(&format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{flag}")) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(bytes).map_err(|e| {
        tracing::info!(error = %e, "public form did not deserialize");
        AppError::BadRequest("unreadable form")
    })
}

#[derive(serde::Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf: String,
}

/// A public page's form, read as two structs (the domain's input and the page's own
/// fields), after the double-submit check; with the token, for the page shown back.
pub struct PublicForms<A, B>(pub A, pub B, pub String);

impl<A: DeserializeOwned, B: DeserializeOwned> FromRequest<AppState> for PublicForms<A, B> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = cookie_value(req.headers(), cookie_name(state.config.secure_cookies)).unwrap_or_default();
        // Staff who are logged in (helping a woman at the desk) carry their session's
        // token, as on every other form.
        let session_token =
            req.extensions().get::<Ctx>().and_then(|c| c.session.as_ref()).map(|s| s.csrf_token.clone());
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::BadRequest("unreadable form"))?;
        let sent: TokenOnly =
            serde_html_form::from_bytes(&bytes).map_err(|_| AppError::BadRequest("unreadable form"))?;
        let by_session = session_token.is_some_and(|t| !t.is_empty() && same_token(&t, &sent.csrf));
        let by_cookie = !cookie.is_empty() && same_token(&cookie, &sent.csrf) && signed(state, &cookie);
        if !by_session && !by_cookie {
            return Err(AppError::Csrf);
        }
        Ok(PublicForms(parse(&bytes)?, parse(&bytes)?, sent.csrf))
    }
}
