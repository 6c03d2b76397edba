//! One woman: her page (`view`), creating and editing her record (`form`), recording
//! and voiding events, her contact person and consents, and the audited reveal of her
//! full CPR number. The work and its audit are `app::people`'s.

mod form;
mod view;

pub use form::{create, edit_form, new_form, update};
pub use view::event_label;

use super::{render, stage_label};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use app::people::{ConsentInput, EventInput, NotRecorded};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::funnel;
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

domain::code_enum! {
    /// What was just done on her page, for the confirmation above it (issue 14, item
    /// 7). The code travels in the address after a change (`?done=event`): a word of
    /// what happened, nothing of her.
    pub enum Done {
        Created = "created",
        Saved = "saved",
        Event = "event",
        Voided = "voided",
        Contact = "contact",
        Consent = "consent",
        ConsentWithdrawn = "consent-withdrawn",
    }
}

impl Done {
    /// Her page with the confirmation of `self`.
    pub fn to(self, id: Uuid) -> Redirect {
        Redirect::to(&format!("/people/{id}?done={}", self.code()))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    done: String,
}

/// Her page; with a message (a refused change) it answers 422.
async fn render_page(
    state: &AppState,
    cu: &CurrentUser,
    seen: &app::people::Seen,
    message: Option<String>,
    done: Option<Done>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/people");
    let v = view::view(state, cu, &l, seen).await?;
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let done = done.map(|d| l.t(&format!("person-done-{}", d.code())));
    let mut r = render(&view::PersonPage { l, v, message, done })?;
    *r.status_mut() = status;
    Ok(r)
}

/// Her page again, read and audited for `caller`, with why a change was refused.
async fn refused(
    state: &AppState,
    cu: &CurrentUser,
    caller: &app::Caller,
    id: Uuid,
    message: String,
) -> AppResult<Response> {
    let seen = app::people::view(&state.app, caller, id).await?;
    render_page(state, cu, &seen, Some(message), None).await
}

/// The first refused field's message.
fn first_error(l: &Layout, errors: &FieldErrors) -> String {
    l.t(errors.0.first().map(|e| e.message).unwrap_or("error-form-summary"))
}

pub async fn show(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let seen = app::people::view(&state.app, &cu.caller("GET /people/{id}"), id).await?;
    let done = Done::from_code(&q.done);
    render_page(&state, &cu, &seen, None, done).await
}

pub async fn reveal_cpr(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    let seen = app::people::reveal_cpr(&state.app, &cu.caller("POST /people/{id}/reveal-cpr"), id).await?;
    render_page(&state, &cu, &seen, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    initiative: String,
    kind: String,
    channel: String,
    language: String,
    interpreter_used: Option<String>,
    new_contact_data: Option<String>,
    note: String,
    submission: String,
}

pub async fn record_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/events");
    let input = EventInput {
        initiative: form.initiative,
        kind: form.kind,
        channel: form.channel,
        language: form.language,
        interpreter_used: form.interpreter_used.is_some(),
        new_contact_data: form.new_contact_data.is_some(),
        note: form.note,
        submission: form.submission,
    };
    let outcome = app::people::record_event(&state.app, &caller, id, &input).await;
    after_change(&state, &cu, &caller, id, outcome, Done::Event).await
}

/// Back to her page, confirming `done`, when the change was made; her page with why,
/// when it was not.
async fn after_change(
    state: &AppState,
    cu: &CurrentUser,
    caller: &app::Caller,
    id: Uuid,
    outcome: Result<Result<(), NotRecorded>, app::Error>,
    done: Done,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/people");
    let message = match outcome {
        Ok(Ok(())) => return Ok(done.to(id).into_response()),
        Ok(Err(NotRecorded::Funnel(e))) => funnel_message(&l, &e),
        Ok(Err(NotRecorded::AlreadyVoided)) => l.t("error-already-voided"),
        Err(app::Error::Invalid(errors)) => first_error(&l, &errors),
        Err(e) => return Err(e.into()),
    };
    refused(state, cu, caller, id, message).await
}

fn funnel_message(l: &Layout, e: &funnel::FunnelError) -> String {
    use funnel::FunnelError as F;
    match e {
        F::NotAllowed { kind, from } => {
            l.t_args2("error-funnel-not-allowed", ("event", event_label(l, *kind)), ("stage", stage_label(l, *from)))
        }
        F::CoolingOff { until } => l.t1("error-funnel-cooling-off", "until", time_fmt::local(*until)),
        F::NeedsNewContactData => l.t("error-funnel-new-contact-data"),
        F::VoidBreaksHistory(_) => l.t("error-funnel-void-breaks"),
        F::AlreadyEntered | F::NotEntered => l.t("error-funnel-not-entered"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoidForm {
    reason: String,
}

pub async fn void_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, event_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<VoidForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/events/{event}/void");
    let outcome = app::people::void_event(&state.app, &caller, id, event_id, &form.reason).await;
    after_change(&state, &cu, &caller, id, outcome, Done::Voided).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    user: String,
}

/// G-8.6: she can change contact person when the chemistry is poor.
pub async fn set_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/contact");
    let outcome = app::people::set_contact(&state.app, &caller, id, &form.user).await.map(Ok);
    after_change(&state, &cu, &caller, id, outcome, Done::Contact).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    purpose: String,
    text_version: String,
    language: String,
}

pub async fn record_consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/consents");
    let input = ConsentInput { purpose: form.purpose, text_version: form.text_version, language: form.language };
    let outcome = app::people::record_consent(&state.app, &caller, id, &input).await.map(Ok);
    after_change(&state, &cu, &caller, id, outcome, Done::Consent).await
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, consent_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/consents/{consent}/withdraw");
    app::people::withdraw_consent(&state.app, &caller, id, consent_id).await?;
    Ok(Done::ConsentWithdrawn.to(id).into_response())
}
