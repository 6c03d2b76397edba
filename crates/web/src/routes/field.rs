//! The ambassador in the street (G-6): her start page, logging conversations without
//! registering anyone, registering a woman who agrees, and accepting the initiative's
//! ethics frame. Made for a phone: one column, large buttons.
//!
//! Nothing here is possible before `ambassador::may_log_field_work` says so: her duty
//! of confidentiality signed and the current ethics frame accepted (G-6.7, G-4.6).

use super::{ConsentView, FormField, Opt, language_label, render, today, with_errors};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::Refusal;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ambassador::{self, BestTime, ConversationInput, FieldWorkBlocked, Outcome, PlaceKind, RegistrationInput};
use domain::consent_text;
use domain::org::Locale;
use domain::validation::FieldErrors;
use serde::Deserialize;
use store::EthicsFrame;

#[derive(Template)]
#[template(path = "field.html")]
struct FieldHome {
    l: Layout,
    blocked: Option<String>,
    needs_ethics: bool,
    message: Option<String>,
    conversations: Vec<(String, String, String, String, u32)>,
    women: Vec<(String, String)>,
    /// Intro meetings ahead, to invite her women to.
    meetings: Vec<super::meetings::MeetingView>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub async fn home(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<Done>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /field";
    let home = app::ambassadors::field_home(&state.app, &cu.caller(ORIGIN)).await?;
    let l = Layout::new(&state, &cu.ctx, "/field");
    let needs_ethics = home.status.needs_ethics();
    let blocked = home.status.blocked.map(|b| l.t(b.message_id()));
    let areas = state.store.list_areas().await?;
    let area_name = |id| areas.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default();
    let conversations = home
        .conversations
        .into_iter()
        .map(|c| {
            let c = c.conversation;
            (
                c.date.to_string(),
                area_name(c.area_id),
                l.t(&format!("place-kind-{}", c.place.code().replace('_', "-"))),
                l.t(&format!("outcome-{}", c.outcome.code().replace('_', "-"))),
                c.count,
            )
        })
        .collect();
    // Her own women: first name and next step only, never their case (G-6, row-level).
    let women = home
        .women
        .iter()
        .map(|r| {
            let step = r.stage.map(domain::funnel::next_step).unwrap_or("next-step-none");
            (r.given_name.clone(), l.t(step))
        })
        .collect();
    let message = q.done.as_deref().and_then(|d| match d {
        "conversation" => Some(l.t("field-conversation-saved")),
        "registered" => Some(l.t("field-registered")),
        "ethics" => Some(l.t("field-ethics-accepted")),
        _ => None,
    });
    let meetings = super::meetings::upcoming(&state, l.locale).await?;
    render(&FieldHome { l, blocked, needs_ethics, message, conversations, women, meetings })
}

#[derive(Template)]
#[template(path = "field_form.html")]
struct FieldForm {
    l: Layout,
    title: String,
    action: &'static str,
    intro: Option<String>,
    consent: Option<ConsentView>,
    fields: Vec<FormField>,
    form_error: Option<String>,
    submit: String,
}

async fn area_options(state: &AppState, selected: &str) -> AppResult<Vec<Opt>> {
    Ok(state
        .store
        .list_areas()
        .await?
        .into_iter()
        .map(|a| Opt::new(a.id.to_string(), a.name, a.id.to_string() == selected))
        .collect())
}

/// Her languages first: the letter languages, then the rest is not needed in the street.
fn street_languages(locale: Locale, selected: &str) -> Vec<Opt> {
    consent_text::languages(ambassador::consent_text_version())
        .into_iter()
        .map(|code| Opt::new(code, language_label(locale, code), code == selected))
        .collect()
}

async fn conversation_form(
    state: &AppState,
    cu: &CurrentUser,
    input: &ConversationInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/field");
    let date = if input.date.is_empty() { today().to_string() } else { input.date.clone() };
    let fields = vec![
        FormField::new("date", l.t("field-date"), "date", date),
        FormField::select("area_id", l.t("field-area"), area_options(state, &input.area_id).await?),
        FormField::select(
            "place",
            l.t("field-place-kind"),
            PlaceKind::ALL
                .iter()
                .map(|p| {
                    Opt::new(
                        p.code(),
                        l.t(&format!("place-kind-{}", p.code().replace('_', "-"))),
                        input.place == p.code(),
                    )
                })
                .collect(),
        ),
        FormField::select("language", l.t("field-language"), street_languages(l.locale, &input.language)),
        FormField::select(
            "outcome",
            l.t("field-outcome"),
            Outcome::ALL
                .iter()
                .map(|o| {
                    Opt::new(
                        o.code(),
                        l.t(&format!("outcome-{}", o.code().replace('_', "-"))),
                        input.outcome == o.code(),
                    )
                })
                .collect(),
        ),
        FormField::new("count", l.t("field-conversation-count"), "numeric", input.count.clone()),
    ];
    let fields = with_errors(&l, fields, errors, &["date", "area_id", "place", "language", "outcome"]);
    let form_error = (!errors.is_empty()).then(|| l.t("error-form-summary"));
    let page = FieldForm {
        title: l.t("field-log-conversation"),
        action: "/field/conversation",
        intro: Some(l.t("field-conversation-intro")),
        consent: None,
        fields,
        form_error,
        submit: l.t("save"),
        l,
    };
    let mut r = render(&page)?;
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// Refuses field work with the reason, as the page she sees (nothing is stored; the
/// use case audited the refusal).
fn blocked_page(state: &AppState, cu: &CurrentUser, b: FieldWorkBlocked) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/field");
    let page = FieldForm {
        title: l.t("field-title"),
        action: "/field",
        intro: None,
        consent: None,
        fields: vec![],
        form_error: Some(l.t(b.message_id())),
        submit: String::new(),
        l,
    };
    let mut r = render(&page)?;
    *r.status_mut() = StatusCode::FORBIDDEN;
    Ok(r)
}

/// The gate before a form of field work: the page with the reason when she may not
/// do field work yet, `None` when she may.
async fn gate(state: &AppState, cu: &CurrentUser, origin: &str) -> AppResult<Option<Response>> {
    match app::ambassadors::open_field_work(&state.app, &cu.caller(origin)).await {
        Ok(()) => Ok(None),
        Err(app::Error::Refused(Refusal::FieldWork(b))) => blocked_page(state, cu, b).map(Some),
        Err(e) => Err(e.into()),
    }
}

pub async fn conversation_page(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    const ORIGIN: &str = "GET /field/conversation";
    if let Some(page) = gate(&state, &cu, ORIGIN).await? {
        return Ok(page);
    }
    let area = app::ambassadors::own_area(&state.app, &cu.caller(ORIGIN)).await?;
    let input = ConversationInput { area_id: area.map(|a| a.to_string()).unwrap_or_default(), ..Default::default() };
    conversation_form(&state, &cu, &input, &FieldErrors::default()).await
}

pub async fn log_conversation(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<ConversationInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /field/conversation";
    match app::ambassadors::log_conversation(&state.app, &cu.caller(ORIGIN), &input).await {
        Ok(_) => Ok(Redirect::to("/field?done=conversation").into_response()),
        Err(app::Error::Invalid(errors)) => conversation_form(&state, &cu, &input, &errors).await,
        Err(app::Error::Refused(Refusal::FieldWork(b))) => blocked_page(&state, &cu, b),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ConsentLanguage {
    lang: Option<String>,
}

async fn registration_form(
    state: &AppState,
    cu: &CurrentUser,
    input: &RegistrationInput,
    errors: &FieldErrors,
    form_error: Option<String>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/field");
    let lang = if input.consent_language.is_empty() { &input.language } else { &input.consent_language };
    let versions = [ambassador::consent_text_version()];
    let consent = ConsentView::new(l.locale, "/field/register".into(), &versions, lang);
    let on = |v: &Option<String>| if v.is_some() { "on" } else { "" };
    let mut consent_box = FormField::new("consent", l.t("field-consent-given"), "checkbox", on(&input.consent));
    consent_box.hint = Some(l.t("field-consent-hint"));
    let fields = vec![
        consent_box,
        FormField::new("given_name", l.t("field-first-name"), "text", input.given_name.clone()),
        FormField::new("phone", l.t("field-phone"), "tel", input.phone.clone()),
        FormField::select("language", l.t("field-language"), street_languages(l.locale, &input.language)),
        FormField::select(
            "best_time_to_call",
            l.t("field-best-time"),
            BestTime::ALL
                .iter()
                .map(|b| {
                    Opt::new(b.code(), l.t(&format!("best-time-{}", b.code())), input.best_time_to_call == b.code())
                })
                .collect(),
        ),
        FormField::select("area_id", l.t("field-area"), area_options(state, &input.area_id).await?),
        FormField::new("letter_at_home_ok", l.t("field-letter-at-home-ok"), "checkbox", on(&input.letter_at_home_ok)),
        FormField::new("phone_hers_alone", l.t("field-phone-hers-alone"), "checkbox", on(&input.phone_hers_alone)),
    ];
    let fields = with_errors(&l, fields, errors, &["consent", "given_name", "phone", "language", "area_id"]);
    let form_error = form_error.or_else(|| (!errors.is_empty()).then(|| l.t("error-form-summary")));
    let failed = form_error.is_some();
    let page = FieldForm {
        title: l.t("field-register-woman"),
        action: "/field/register",
        intro: Some(l.t("field-register-intro")),
        consent,
        fields,
        form_error,
        submit: l.t("field-register-submit"),
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn register_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<ConsentLanguage>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /field/register";
    if let Some(page) = gate(&state, &cu, ORIGIN).await? {
        return Ok(page);
    }
    // The consent language is a choice on the page (not personal data), so it may be
    // in the URL: the ambassador picks it before the woman reads.
    let area = app::ambassadors::own_area(&state.app, &cu.caller(ORIGIN)).await?;
    let input = RegistrationInput {
        consent_language: q.lang.unwrap_or_default(),
        area_id: area.map(|a| a.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    registration_form(&state, &cu, &input, &FieldErrors::default(), None).await
}

pub async fn register(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<RegistrationInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /field/register";
    let form_error = match app::ambassadors::register_from_street(&state.app, &cu.caller(ORIGIN), &input).await {
        // The same answer whatever came of it — a new woman, a possible match with a
        // woman she may not see, a woman on the do-not-contact list (issue 13, item 2).
        Ok(_) => return Ok(Redirect::to("/field?done=registered").into_response()),
        Err(app::Error::Invalid(errors)) => return registration_form(&state, &cu, &input, &errors, None).await,
        Err(app::Error::Refused(Refusal::FieldWork(b))) => return blocked_page(&state, &cu, b),
        Err(app::Error::NotFound("initiative")) => "error-no-initiative",
        Err(e) => return Err(e.into()),
    };
    let l = Layout::new(&state, &cu.ctx, "/field");
    registration_form(&state, &cu, &input, &FieldErrors::default(), Some(l.t(form_error))).await
}

#[derive(Template)]
#[template(path = "field_ethics.html")]
struct EthicsPage {
    l: Layout,
    frame: Option<EthicsFrame>,
    accepted: bool,
}

pub async fn ethics_page(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    const ORIGIN: &str = "GET /field/ethics";
    let status = app::ambassadors::field_status(&state.app, &cu.caller(ORIGIN)).await?;
    let l = Layout::new(&state, &cu.ctx, "/field");
    let accepted = !status.needs_ethics() && status.frame.is_some();
    render(&EthicsPage { l, frame: status.frame, accepted })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    version: String,
}

pub async fn accept_ethics(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /field/ethics";
    match app::ambassadors::accept_ethics(&state.app, &cu.caller(ORIGIN), &form.version).await {
        Ok(_) => Ok(Redirect::to("/field?done=ethics").into_response()),
        // She accepts the version she read: if the frame changed meanwhile, she reads again.
        Err(app::Error::Conflict(_)) => Ok(Redirect::to("/field/ethics").into_response()),
        // No profile yet: the coordinator records her first (confidentiality included).
        Err(app::Error::NotFound(_)) => Ok(Redirect::to("/field").into_response()),
        Err(e) => Err(e.into()),
    }
}
