//! Sessions (stored in the database, so they survive a restart), the logged-in user,
//! and CSRF-checked forms.

use crate::AppState;
use crate::auth;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::org::User;
use domain::policy::Actor;
use serde::de::DeserializeOwned;
use store::Session;

pub const COOKIE: &str = "opsog_session";
/// Over HTTPS the cookie carries the `__Host-` prefix: the browser then keeps it only
/// if it is Secure, for this host alone and for every path, so neither a sibling
/// subdomain nor plain HTTP can plant or read one (issue 13, item 4).
pub const SECURE_COOKIE: &str = "__Host-opsog_session";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

/// What the session middleware found for this request.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub session: Option<Session>,
    pub user: Option<User>,
    /// A session existed but had been idle too long.
    pub expired: bool,
    /// A public page's signed form token (`public_form`), for a visitor with no session.
    pub form_token: Option<String>,
    /// A login halfway (issue 13, items 4 and 6): her password was right, a stage is
    /// left. `user` stays `None` until it is done, so no other page opens.
    pub halfway: Option<Halfway>,
}

/// The user of a login halfway and the stage it waits at.
#[derive(Debug, Clone)]
pub struct Halfway {
    pub user: User,
    pub stage: domain::login::LoginStage,
}

impl Ctx {
    /// The token a page's forms carry: a public page's own, else the session's.
    pub fn csrf(&self) -> String {
        match &self.form_token {
            Some(t) => t.clone(),
            None => self.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default(),
        }
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(token: &str, secure: bool) -> Option<HeaderValue> {
    let name = cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax{flag}")).ok()
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("__Host-opsog_session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0")
    } else {
        HeaderValue::from_static("opsog_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut ctx = Ctx::default();
    if let Some(token) = cookie_value(req.headers(), cookie_name(state.config.secure_cookies)) {
        match resolve(&state, &app::auth::token_hash(&token)).await {
            Ok(found) => ctx = found,
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    req.extensions_mut().insert(ctx.clone());
    let mut response = next.run(req).await;
    response.extensions_mut().insert(ctx);
    response
}

async fn resolve(state: &AppState, hash: &str) -> Result<Ctx, app::Error> {
    let idle = time::Duration::try_from(state.config.session_idle).unwrap_or(time::Duration::minutes(30));
    let absolute = time::Duration::try_from(state.config.session_absolute).unwrap_or(time::Duration::hours(12));
    let lifetime = app::sessions::Lifetime { idle, absolute };
    Ok(match app::sessions::resolve(&state.app, hash, lifetime).await? {
        app::sessions::Resolved::None => Ctx::default(),
        app::sessions::Resolved::Expired { had_user } => Ctx { expired: had_user, ..Ctx::default() },
        app::sessions::Resolved::Active(live) => match (live.session.stage, live.user) {
            (Some(stage), Some(user)) => {
                Ctx { session: Some(live.session), halfway: Some(Halfway { user, stage }), ..Ctx::default() }
            }
            (_, user) => Ctx { session: Some(live.session), user, ..Ctx::default() },
        },
    })
}

/// The login page, to come back to `path` after. Only the path: never a query
/// string, which could hold a search.
pub fn to_login(path: &str, expired: bool) -> Response {
    let expired = if expired { "&expired=1" } else { "" };
    Redirect::to(&format!("/login?next={}{expired}", url_encode(path))).into_response()
}

/// A logged-in user; anyone else is sent to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
    pub ctx: Ctx,
}

impl CurrentUser {
    /// Who calls a use case from this page.
    pub fn caller(&self, origin: &str) -> app::Caller {
        app::Caller::new(self.user.clone(), origin)
    }

    pub fn actor(&self) -> Actor {
        self.user.policy_actor()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<Ctx>().cloned().unwrap_or_default();
        match (&ctx.user, &ctx.session) {
            (Some(user), Some(session)) => Ok(CurrentUser { user: user.clone(), session: session.clone(), ctx }),
            _ => Err(to_login(parts.uri.path(), ctx.expired)),
        }
    }
}

pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A POSTed form whose `csrf` field matches the session's token. Repeated fields
/// (checkbox groups) deserialize into `Vec`s.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Reads the body and checks its CSRF token against the session's.
async fn checked_body(req: Request, state: &AppState) -> Result<Bytes, AppError> {
    let ctx = req.extensions().get::<Ctx>().cloned().unwrap_or_default();
    let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::BadRequest("unreadable form"))?;
    let token: CsrfOnly = serde_html_form::from_bytes(&bytes).map_err(|_| AppError::BadRequest("unreadable form"))?;
    let expected = ctx.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or("");
    if expected.is_empty() || !auth::same_token(expected, &token.csrf) {
        return Err(AppError::Csrf);
    }
    Ok(bytes)
}

/// The CSRF check for a body read some other way (a multipart upload).
pub fn check_csrf(ctx: &Ctx, token: &str) -> Result<(), AppError> {
    let expected = ctx.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or("");
    if expected.is_empty() || !auth::same_token(expected, token) {
        return Err(AppError::Csrf);
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(bytes).map_err(|e| {
        tracing::info!(error = %e, "form did not deserialize");
        AppError::BadRequest("unreadable form")
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = checked_body(req, state).await?;
        parse(&bytes).map(CsrfForm)
    }
}

/// One form read as two structs (e.g. a domain input plus page-only fields), so that
/// neither needs to know the other's fields.
pub struct CsrfForms<A, B>(pub A, pub B);

impl<A: DeserializeOwned, B: DeserializeOwned> FromRequest<AppState> for CsrfForms<A, B> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = checked_body(req, state).await?;
        Ok(CsrfForms(parse(&bytes)?, parse(&bytes)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; opsog_session=abc; b=2"));
        assert_eq!(cookie_value(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, "zzz"), None);
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(url_encode("/people/abc"), "/people/abc");
        assert_eq!(url_encode("/a b?c"), "/a%20b%3Fc");
    }
}
