//! Login, logout and the user's UI language.

use super::render;
use crate::AppState;
use crate::auth::safe_next;
use crate::client::ClientAddress;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::public_form::{self, PublicForms};
use crate::session::{self, CsrfForm, Ctx, CurrentUser};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::org::Locale;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    failed: bool,
    expired: bool,
    /// Too many failures: minutes to wait (issue 13, item 4).
    wait_minutes: Option<i64>,
    /// Single sign-on is configured: the page offers it (issue 13, item 5).
    sso: bool,
    /// Where its button leads, with `next` (a link: a form's `form-action 'self'`
    /// would stop the redirect to the broker).
    sso_href: String,
    /// Why a single sign-on did not log her in (`domain::sso::SsoRefusal::code`).
    sso_refusal: Option<&'static str>,
}

impl LoginPage {
    /// The page as first shown, or after a single sign-on that did not log her in.
    pub(super) fn new(l: Layout, next: String, sso_refusal: Option<&'static str>) -> LoginPage {
        let sso = l.sso;
        let query = serde_html_form::to_string([("next", next.as_str())]).unwrap_or_default();
        let sso_href = format!("/login/sso?{query}");
        LoginPage {
            l,
            next,
            username: String::new(),
            failed: false,
            expired: false,
            wait_minutes: None,
            sso,
            sso_href,
            sso_refusal,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
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
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    // A login halfway goes on at its stage (issue 13, items 4 and 6).
    if let Some(h) = &ctx.halfway {
        return Ok(Redirect::to(&super::login_stages::after_stage(Some(h.stage), q.next.as_deref())).into_response());
    }
    // The form's CSRF token is a signed double submit, as on the public pages: loading
    // the login page writes no session row (issue 13, item 9).
    let (mut ctx, new) = public_form::for_page(&state, &ctx, &headers)?;
    ctx.expired |= q.expired.is_some();
    let mut page = LoginPage::new(Layout::new(&state, &ctx, "/login"), safe_next(q.next.as_deref()), None);
    page.expired = ctx.expired;
    Ok(public_form::with_cookie(render(&page)?, &state, new))
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
    address: ClientAddress,
    PublicForms(form, Empty {}, token): PublicForms<LoginForm, Empty>,
) -> AppResult<Response> {
    let ctx = public_form::with_token(&ctx, &token);
    let input = app::sessions::LoginInput {
        username: form.username.clone(),
        password: form.password.clone(),
        replaces: ctx.session.as_ref().map(|s| s.token_hash.clone()),
        address: address.0.map(|a| a.to_string()),
    };
    let (status, failed, wait_minutes) =
        match app::sessions::login(&state.app, "POST /login", &input, &state.dummy_hash, &state.config.second_factor)
            .await?
        {
            app::sessions::Login::LoggedIn(done) => {
                let to = super::login_stages::after_stage(done.stage, form.next.as_deref());
                return Ok(with_cookie(
                    Redirect::to(&to).into_response(),
                    &done.session.token,
                    state.config.secure_cookies,
                ));
            }
            app::sessions::Login::Refused => (StatusCode::UNAUTHORIZED, true, None),
            app::sessions::Login::Throttled { minutes } => (StatusCode::TOO_MANY_REQUESTS, false, Some(minutes)),
        };
    let mut page = LoginPage::new(Layout::new(&state, &ctx, "/login"), safe_next(form.next.as_deref()), None);
    page.username = form.username.clone();
    page.failed = failed;
    page.wait_minutes = wait_minutes;
    let mut r = render(&page)?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
pub struct Empty {}

/// Ends the session: a user's, or a login left halfway (her "cancel" at a stage).
pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /logout";
    let who = ctx.user.clone().or_else(|| ctx.halfway.as_ref().map(|h| h.user.clone()));
    match (who, &ctx.session) {
        (Some(user), Some(s)) => {
            app::sessions::logout(&state.app, &app::Caller::new(user, ORIGIN), &s.token_hash).await?;
        }
        _ => return Ok(Redirect::to("/login").into_response()),
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, session::clear_cookie(state.config.secure_cookies));
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
    app::sessions::set_locale(&state.app, &cu.caller("POST /settings/locale"), locale).await?;
    Ok(Redirect::to("/").into_response())
}
