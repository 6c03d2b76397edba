//! The stages of a login after the password (issue 13, items 4 and 6): the code from
//! her authenticator app (or a recovery code), her own password in place of one an
//! admin set, and setting up a second factor where her role needs one. A session at
//! a stage opens only that stage's page; every other page sends her here.

use super::render;
use crate::AppState;
use crate::auth::safe_next;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, Ctx};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::login::LoginStage;
use domain::second_factor::TotpSecret;
use domain::validation::FieldErrors;
use serde::Deserialize;

/// The page of a stage.
pub(crate) fn stage_path(stage: LoginStage) -> &'static str {
    match stage {
        LoginStage::SecondFactor => "/login/code",
        LoginStage::NewPassword => "/login/password",
        LoginStage::EnrolSecondFactor => "/login/setup",
    }
}

/// Where a login goes after a stage: the next stage's page, or where she was going.
pub(crate) fn after_stage(stage: Option<LoginStage>, next: Option<&str>) -> String {
    let next = safe_next(next);
    match stage {
        Some(s) => format!("{}?next={}", stage_path(s), crate::session::url_encode(&next)),
        None => next,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login halfway at `stage`, or where this visitor belongs instead: logged in
/// already → on; no login → the login page; another stage → its page.
fn at_stage(ctx: &Ctx, stage: LoginStage, next: Option<&str>) -> Result<app::second_factor::Halfway, Redirect> {
    if ctx.user.is_some() {
        return Err(Redirect::to(&safe_next(next)));
    }
    match (&ctx.halfway, &ctx.session) {
        (Some(h), Some(s)) if h.stage == stage => {
            Ok(app::second_factor::Halfway { token_hash: s.token_hash.clone(), user: h.user.clone(), stage })
        }
        (Some(h), Some(_)) => Err(Redirect::to(&after_stage(Some(h.stage), next))),
        _ => Err(Redirect::to("/login")),
    }
}

fn error_of(l: &Layout, errors: &FieldErrors, field: &str) -> Option<String> {
    errors.for_field(field).map(|key| l.t(key))
}

// ------------------------------------------------------------------ the code

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    l: Layout,
    next: String,
    failed: bool,
    wait_minutes: Option<i64>,
}

pub async fn code_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if let Err(to) = at_stage(&ctx, LoginStage::SecondFactor, q.next.as_deref()) {
        return Ok(to.into_response());
    }
    let l = Layout::new(&state, &ctx, "/login");
    render(&CodePage { l, next: safe_next(q.next.as_deref()), failed: false, wait_minutes: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
}

pub async fn give_code(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    let halfway = match at_stage(&ctx, LoginStage::SecondFactor, form.next.as_deref()) {
        Ok(h) => h,
        Err(to) => return Ok(to.into_response()),
    };
    let rules = &state.config.second_factor;
    let (status, failed, wait_minutes) =
        match app::second_factor::give_code(&state.app, "POST /login/code", &halfway, &form.code, rules).await? {
            app::second_factor::Step::Next(next) => {
                return Ok(Redirect::to(&after_stage(next, form.next.as_deref())).into_response());
            }
            app::second_factor::Step::Refused => (StatusCode::UNAUTHORIZED, true, None),
            app::second_factor::Step::Throttled { minutes } => (StatusCode::TOO_MANY_REQUESTS, false, Some(minutes)),
        };
    let l = Layout::new(&state, &ctx, "/login");
    let mut r = render(&CodePage { l, next: safe_next(form.next.as_deref()), failed, wait_minutes })?;
    *r.status_mut() = status;
    Ok(r)
}

// ------------------------------------------------------------ her own password

#[derive(Template)]
#[template(path = "login_password.html")]
struct PasswordPage {
    l: Layout,
    next: String,
    password_error: Option<String>,
    repeat_error: Option<String>,
    min_chars: usize,
}

pub async fn password_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if let Err(to) = at_stage(&ctx, LoginStage::NewPassword, q.next.as_deref()) {
        return Ok(to.into_response());
    }
    let l = Layout::new(&state, &ctx, "/login");
    render(&PasswordPage {
        l,
        next: safe_next(q.next.as_deref()),
        password_error: None,
        repeat_error: None,
        min_chars: domain::org::MIN_PASSWORD_CHARS,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
    repeat: String,
    next: Option<String>,
}

pub async fn choose_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let halfway = match at_stage(&ctx, LoginStage::NewPassword, form.next.as_deref()) {
        Ok(h) => h,
        Err(to) => return Ok(to.into_response()),
    };
    let new = app::second_factor::NewPassword { password: form.password.clone(), repeat: form.repeat.clone() };
    let rules = &state.config.second_factor;
    match app::second_factor::choose_password_at_login(&state.app, "POST /login/password", &halfway, &new, rules).await
    {
        Ok(next) => Ok(Redirect::to(&after_stage(next, form.next.as_deref())).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let l = Layout::new(&state, &ctx, "/login");
            let mut r = render(&PasswordPage {
                password_error: error_of(&l, &errors, "password"),
                repeat_error: error_of(&l, &errors, "repeat"),
                l,
                next: safe_next(form.next.as_deref()),
                min_chars: domain::org::MIN_PASSWORD_CHARS,
            })?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ setting one up

/// The page that sets up an authenticator app: the secret as a QR code and as text,
/// and a field for the first code. Shared by the login's stage and her account page.
#[derive(Template)]
#[template(path = "second_factor_setup.html")]
pub(crate) struct SetupPage {
    pub l: Layout,
    /// Where the form posts.
    pub action: &'static str,
    pub next: String,
    pub secret: String,
    pub grouped: String,
    /// The QR code of the `otpauth://` address, as inline SVG.
    pub qr_svg: String,
    pub code_error: Option<String>,
    /// At login: she cannot go on without it.
    pub at_login: bool,
}

impl SetupPage {
    /// The page for `secret`, for the login `username`; an issuer names the
    /// municipality in her app's list.
    pub(crate) fn new(state: &AppState, l: Layout, secret: &TotpSecret, username: &str) -> AppResult<SetupPage> {
        let issuer = format!("Opsøg {}", state.config.municipality.name).trim().to_string();
        let uri = secret.otpauth_uri(&issuer, username);
        let qr = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| AppError::Internal(format!("a QR code of the TOTP secret: {e}")))?;
        let qr_svg = qr
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build();
        // The renderer writes an XML declaration before the <svg>; inline in HTML it
        // would be text.
        let qr_svg = qr_svg.find("<svg").map(|i| qr_svg[i..].to_string()).unwrap_or_default();
        Ok(SetupPage {
            l,
            action: "/login/setup",
            next: "/".into(),
            secret: secret.to_base32(),
            grouped: secret.grouped(),
            qr_svg,
            code_error: None,
            at_login: true,
        })
    }
}

impl SetupPage {
    /// The page shown again after a wrong code: the same key (her app may hold it
    /// already; a key that does not read gives a new one) and the error at the field.
    pub(crate) fn again(
        state: &AppState,
        l: Layout,
        typed_secret: &str,
        username: &str,
        errors: &FieldErrors,
    ) -> AppResult<SetupPage> {
        let secret = TotpSecret::from_base32(typed_secret).or_else(|_| app::second_factor::new_secret())?;
        let mut page = SetupPage::new(state, l, &secret, username)?;
        page.code_error = error_of(&page.l, errors, "code").or_else(|| error_of(&page.l, errors, "secret"));
        Ok(page)
    }

    /// The same page on her account (not a login's stage).
    pub(crate) fn on_account(self) -> SetupPage {
        SetupPage { action: "/account/second-factor", at_login: false, next: "/account/security".into(), ..self }
    }
}

/// Her recovery codes, shown once after she set up her app or asked for new ones.
#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub(crate) struct RecoveryCodesPage {
    pub l: Layout,
    pub codes: Vec<String>,
    /// Where she goes on to.
    pub next: String,
}

pub async fn setup_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let halfway = match at_stage(&ctx, LoginStage::EnrolSecondFactor, q.next.as_deref()) {
        Ok(h) => h,
        Err(to) => return Ok(to.into_response()),
    };
    let secret = app::second_factor::new_secret()?;
    let l = Layout::new(&state, &ctx, "/login");
    let mut page = SetupPage::new(&state, l, &secret, &halfway.user.username)?;
    page.next = safe_next(q.next.as_deref());
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    secret: String,
    code: String,
    next: Option<String>,
}

pub async fn setup(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> AppResult<Response> {
    let halfway = match at_stage(&ctx, LoginStage::EnrolSecondFactor, form.next.as_deref()) {
        Ok(h) => h,
        Err(to) => return Ok(to.into_response()),
    };
    let rules = &state.config.second_factor;
    let outcome =
        app::second_factor::enrol_at_login(&state.app, "POST /login/setup", &halfway, &form.secret, &form.code, rules)
            .await;
    match outcome {
        Ok((codes, next)) => {
            let next = after_stage(next, form.next.as_deref());
            // The stage is done, so the page is drawn as for the user she now is.
            let ctx = Ctx { user: Some(halfway.user.clone()), halfway: None, ..ctx };
            let l = Layout::new(&state, &ctx, "/login");
            render(&RecoveryCodesPage { l, codes, next })
        }
        Err(app::Error::Invalid(errors)) => {
            let l = Layout::new(&state, &ctx, "/login");
            let mut page = SetupPage::again(&state, l, &form.secret, &halfway.user.username, &errors)?;
            page.next = safe_next(form.next.as_deref());
            let mut r = render(&page)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
