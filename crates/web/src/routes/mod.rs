//! The pages, one module per area, and what they share.

mod account;
mod account_security;
mod admin;
mod ambassadors;
mod answer;
mod audit;
mod auth;
mod calls;
mod field;
mod figures;
mod home;
mod jobs;
mod letter_batch;
mod letters;
mod login_stages;
mod matches;
mod meetings;
mod open_door;
mod partners;
mod people;
mod person;
mod plan;
mod referrals;
mod register;
mod sso;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::CurrentUser;
use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::org::Locale;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/static/{hash}/{*path}", get(crate::assets::serve))
        .route("/logo", get(logo))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/login/sso", get(sso::start))
        .route("/login/sso/callback", get(sso::callback))
        .route("/login/code", get(login_stages::code_page).post(login_stages::give_code))
        .route("/login/password", get(login_stages::password_page).post(login_stages::choose_password))
        .route("/login/setup", get(login_stages::setup_page).post(login_stages::setup))
        .route("/logout", post(auth::logout))
        .route("/settings/locale", post(auth::set_locale))
        .route("/", get(home::home))
        .route("/notifications/{id}/read", post(home::mark_read))
        .route("/people", get(people::list))
        .route("/people/search", post(people::search))
        .route("/people/new", get(person::new_form).post(person::create))
        .route("/people/{id}", get(person::show))
        .route("/people/{id}/edit", get(person::edit_form).post(person::update))
        .route("/people/{id}/events", post(person::record_event))
        .route("/people/{id}/events/{event}/void", post(person::void_event))
        .route("/people/{id}/reveal-cpr", post(person::reveal_cpr))
        .route("/people/{id}/contact", post(person::set_contact))
        .route("/people/{id}/consents", post(person::record_consent))
        .route("/people/{id}/consents/{consent}/withdraw", post(person::withdraw_consent))
        .route("/figures", get(figures::show))
        .route("/audit", get(audit::list))
        .route("/audit/filter", post(audit::filter))
        .route("/audit/export", post(audit::export))
        .route("/account/sessions", get(account::sessions))
        .route("/account/sessions/end", post(account::end))
        .route("/account/security", get(account_security::show))
        .route("/account/password", post(account_security::change_password))
        .route("/account/second-factor", get(account_security::setup_page).post(account_security::setup))
        .route("/account/second-factor/renew", post(account_security::renew_codes))
        .route("/account/second-factor/remove", post(account_security::remove))
        .route("/admin/users", get(admin::list).post(admin::create))
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route("/admin/users/{id}/reset-password", post(account_security::reset_password))
        .route("/admin/users/{id}/reset-second-factor", post(account_security::reset_second_factor))
        .route("/admin/users/{id}/role", post(admin::change_role))
        .route("/admin/grants/{id}/confirm", post(admin::confirm_grant))
        .route("/admin/grants/{id}/withdraw", post(admin::withdraw_grant))
        .route("/field", get(field::home))
        .route("/field/conversation", get(field::conversation_page).post(field::log_conversation))
        .route("/field/register", get(field::register_page).post(field::register))
        .route("/field/ethics", get(field::ethics_page).post(field::accept_ethics))
        .route("/ambassadors", get(ambassadors::list))
        .route("/ambassadors/{id}", get(ambassadors::show).post(ambassadors::save))
        .route("/ambassadors/{id}/follow-ups", post(ambassadors::record_follow_up))
        .route("/plan", get(plan::show).post(plan::save))
        .route("/plan/approve", post(plan::approve))
        .route("/plan/ethics", get(ambassadors::frame_page).post(ambassadors::save_frame))
        .route("/areas", get(ambassadors::areas))
        .route("/partners", get(partners::list).post(partners::create))
        .route("/partners/{id}", get(partners::show).post(partners::update))
        .route("/partners/{id}/agreement", post(partners::save_agreement))
        .route("/partners/{id}/follow-ups", post(partners::record_follow_up))
        .route("/partners/{id}/links", post(partners::create_link))
        .route("/meetings", get(meetings::list).post(meetings::plan))
        .route("/letters", get(letters::list))
        .route("/letters/batch", get(letter_batch::show).post(letter_batch::send))
        .route("/letters/batch/preview", post(letter_batch::preview))
        .route("/letters/batch/progress", get(letter_batch::progress))
        .route("/jobs/{id}", get(jobs::page))
        .route("/jobs/{id}/progress", get(jobs::progress))
        .route("/letters/cadence", post(letter_batch::save_cadence))
        .route("/letters/batches/{id}", get(letter_batch::report))
        .route("/letters/batches/{id}/{kind}/{n}", get(letter_batch::file))
        .route("/letters/{lang}", get(letters::show).post(letters::save))
        .route("/letters/{lang}/reviewed", post(letters::mark_reviewed))
        .route("/letters/{lang}/check", post(letters::check_live))
        .route("/register", get(register::home))
        .route("/register/dry-run", post(register::dry_run))
        .route("/register/run", post(register::run))
        .route(
            "/register/upload",
            // National extracts are large; the upload streams to disk (G-5.1) and the
            // handler stops at the configured limit, deleting what it wrote.
            post(register::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/register/uploads/{id}", get(register::mapping_show).post(register::mapping_save))
        .route("/register/rules", get(register::rules_show).post(register::rules_save))
        .route("/register/rules.toml", get(register::rules_file))
        .route("/register/review", get(register::review))
        .route("/register/review/{id}", post(register::decide))
        .route("/register/runs/{id}", get(register::run_page))
        .route("/referrals", get(referrals::list))
        .route("/referrals/new", get(referrals::new_form).post(referrals::create))
        .route("/r/{token}", get(referrals::link_form).post(referrals::link_submit))
        .route("/svar", get(answer::form).post(answer::submit))
        .route("/kontakt", get(open_door::form).post(open_door::submit))
        .route("/matches", get(matches::list))
        .route("/matches/{id}", post(matches::settle))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", post(calls::record))
        .fallback(not_found)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn logo(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match &state.logo {
        Some(logo) => {
            let mut r = logo.1.clone().into_response();
            if let Ok(v) = HeaderValue::from_str(&logo.0) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// The initiative the work is for now: the newest (the store lists them newest first).
/// Field work, referrals, meetings, the plan and letters all belong to it.
pub async fn current_initiative(state: &AppState) -> AppResult<Option<domain::org::Initiative>> {
    Ok(state.store.list_initiatives().await?.into_iter().next())
}

/// The current initiative's ethics frame (G-4.6), if it has one.
pub async fn current_ethics_frame(state: &AppState) -> AppResult<Option<store::EthicsFrame>> {
    match current_initiative(state).await? {
        Some(i) => Ok(state.store.ethics_frame(i.id).await?),
        None => Ok(None),
    }
}

/// Today in Danish time: the date forms check against (`domain::danish_time`).
pub fn today() -> time::Date {
    domain::danish_time::date(time::OffsetDateTime::now_utc())
}

pub(crate) fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// An option of a select or checkbox group.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
        Opt { value: value.into(), label: label.into(), selected }
    }
}

/// One field of a generated form (see templates/form_fields.html).
#[derive(Debug, Clone)]
pub struct FormField {
    pub name: &'static str,
    pub label: String,
    /// text, date, password, tel (a phone number: the phone's number pad), numeric (a
    /// count: digits only), languages (text with a list of names), select, textarea,
    /// editor (a letter's body: a tall textarea), checkbox, checkboxes
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub required: bool,
}

impl FormField {
    pub fn new(name: &'static str, label: String, kind: &'static str, value: impl Into<String>) -> FormField {
        FormField {
            name,
            label,
            kind,
            value: value.into(),
            options: Vec::new(),
            error: None,
            hint: None,
            required: false,
        }
    }
}

impl FormField {
    pub fn select(name: &'static str, label: String, options: Vec<Opt>) -> FormField {
        FormField { options, ..FormField::new(name, label, "select", "") }
    }

    pub fn checkboxes(name: &'static str, label: String, options: Vec<Opt>) -> FormField {
        FormField { options, ..FormField::new(name, label, "checkboxes", "") }
    }
}

/// A consent text as the woman reads it (templates/consent_block.html): in her
/// language and script direction, marked when it is a machine draft, with the Danish
/// beside it, and a picker for another language that reloads `action`.
pub struct ConsentView {
    pub action: String,
    pub lang: &'static str,
    pub rtl: bool,
    pub paragraphs: Vec<&'static str>,
    pub needs_review: bool,
    pub danish: Vec<&'static str>,
    pub languages: Vec<Opt>,
}

impl ConsentView {
    /// The texts `versions` (paragraph by paragraph) in `lang`, or in Danish when
    /// the first version has not been written in that language.
    pub fn new(locale: Locale, action: String, versions: &[&str], lang: &str) -> Option<ConsentView> {
        use domain::consent_text::{consent_text, languages};
        let first = *versions.first()?;
        let text = consent_text(first, lang).or_else(|| consent_text(first, "da"))?;
        let in_lang = |code: &str| versions.iter().filter_map(|v| consent_text(v, code).map(|t| t.text)).collect();
        Some(ConsentView {
            action,
            lang: text.language,
            rtl: text.right_to_left,
            paragraphs: in_lang(text.language),
            needs_review: !text.reviewed,
            danish: if text.language == "da" { Vec::new() } else { in_lang("da") },
            languages: languages(first)
                .into_iter()
                .map(|code| Opt::new(code, language_label(locale, code), code == text.language))
                .collect(),
        })
    }
}

/// Marks the required fields and puts each error, translated, at its field.
pub fn with_errors(
    l: &Layout,
    mut fields: Vec<FormField>,
    errors: &domain::validation::FieldErrors,
    required: &[&str],
) -> Vec<FormField> {
    for f in &mut fields {
        f.required = required.contains(&f.name);
        if let Some(key) = errors.for_field(f.name) {
            f.error = Some(l.t(key));
        }
    }
    fields
}

/// A refusal is recorded too: who tried what, on whom.
pub async fn deny(state: &AppState, cu: &CurrentUser, origin: &str, person: Option<Uuid>, err: AppError) -> AppError {
    match app::record_refusal(&state.app, &cu.caller(origin), person, "").await {
        Ok(()) => err,
        Err(e) => e.into(),
    }
}

pub fn stage_label(l: &Layout, stage: domain::funnel::Stage) -> String {
    l.t(&format!("stage-{}", stage.code().replace('_', "-")))
}

/// The languages field (issue 14, item 6): names, not ISO codes, typed with the
/// browser's list of every language's name to pick from (`reference::language_typed`
/// reads them back).
pub fn languages_field(l: &crate::layout::Layout, name: &'static str, value: &str) -> FormField {
    let mut f = FormField::new(name, l.t("field-languages"), "languages", value.to_string());
    f.hint = Some(l.t("field-languages-hint"));
    f.options = domain::reference::languages()
        .iter()
        .map(|lang| Opt::new(lang.code, language_label(l.locale, lang.code), false))
        .collect();
    f
}

pub fn language_label(locale: Locale, code: &str) -> String {
    match domain::reference::language(code) {
        Some(lang) => match locale {
            Locale::Da => lang.name_da.to_string(),
            Locale::En => lang.name_en.to_string(),
        },
        None => code.to_string(),
    }
}

pub fn country_label(locale: Locale, code: &str) -> String {
    match domain::reference::country(code) {
        Some(c) => match locale {
            Locale::Da => c.name_da.to_string(),
            Locale::En => c.name_en.to_string(),
        },
        None => code.to_string(),
    }
}

pub fn language_options(locale: Locale, selected: &str) -> Vec<Opt> {
    let mut v: Vec<Opt> = domain::reference::languages()
        .iter()
        .map(|lang| Opt::new(lang.code, language_label(locale, lang.code), lang.code == selected))
        .collect();
    v.sort_by(|a, b| a.label.cmp(&b.label));
    v
}
