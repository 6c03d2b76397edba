//! The call list (issue 4, items 5–7; issue 14, items 2 and 4; G-5.7): the women due
//! for a call in the caseworker's scope, most urgent first, grouped by language, as
//! cards a phone shows whole (the number a `tel:` link, how late the call is, the
//! outcome form folded), with whether an interpreter is needed and which colleagues
//! speak her language. An outcome is one click (with a
//! note where the call changes where she is); who may not be called is left out and
//! counted (G-2.4). The work and its audit are `app::calls`'s.

use super::{language_label, render, stage_label};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::calls::OutcomeInput;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::calls::{CallOutcome, Lateness, Urgency};
use serde::Deserialize;
use uuid::Uuid;

/// What the card says of the call's urgency.
fn urgency_label(l: &Layout, urgency: Urgency, lateness: Lateness) -> String {
    match (urgency, lateness) {
        (Urgency::AskedForCall, _) => l.t("calls-asked"),
        (Urgency::Upcoming, _) => String::new(),
        (Urgency::Overdue, Lateness::NotLate) => l.t("calls-due-today"),
        (Urgency::Overdue, Lateness::Days(n)) => l.t1("calls-late-days", "count", n),
        (Urgency::Overdue, Lateness::Weeks(n)) => l.t1("calls-late-weeks", "count", n),
        (Urgency::Overdue, Lateness::Months(n)) => l.t1("calls-late-months", "count", n),
    }
}

struct CallView {
    id: String,
    name: String,
    phone: String,
    /// The number for a `tel:` link, `+4512345678`.
    tel: String,
    stage: String,
    due: String,
    /// "3 dage over tid", "I dag", "Har bedt om et opkald", or empty when not yet due.
    urgency: String,
    overdue: bool,
    attempts: u32,
    interpreter: bool,
    speakers: String,
}

struct LanguageGroup {
    language: String,
    calls: Vec<CallView>,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    l: Layout,
    groups: Vec<LanguageGroup>,
    skipped_safe: usize,
    skipped_no_phone: usize,
    outcomes: Vec<(&'static str, String, bool)>,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
    error: Option<String>,
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<Done>) -> AppResult<Response> {
    let list = app::calls::call_list(&state.app, &cu.caller("GET /calls")).await?;
    let l = Layout::new(&state, &cu.ctx, "/calls");
    let mut groups: Vec<LanguageGroup> = Vec::new();
    for d in &list.due {
        let r = &d.row;
        let code = r.first_language.clone().unwrap_or_default();
        let language = if code.is_empty() { l.t("calls-language-unknown") } else { language_label(l.locale, &code) };
        let view = CallView {
            id: r.person_id.to_string(),
            name: format!("{} {}", r.given_name, r.family_name).trim().to_string(),
            phone: r.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            tel: r.phone.as_ref().map(|p| p.as_e164().to_string()).unwrap_or_default(),
            stage: stage_label(&l, r.stage),
            due: crate::time_fmt::local(d.at),
            urgency: urgency_label(&l, d.urgency, d.lateness),
            overdue: d.urgency != Urgency::Upcoming,
            attempts: r.attempts,
            interpreter: r.interpreter_needed,
            speakers: d.speakers.join(", "),
        };
        match groups.iter_mut().find(|g| g.language == language) {
            Some(g) => g.calls.push(view),
            None => groups.push(LanguageGroup { language, calls: vec![view] }),
        }
    }
    let outcomes = CallOutcome::ALL
        .iter()
        .map(|o| (o.code(), l.t(&format!("call-outcome-{}", o.code().replace('_', "-"))), o.note_required()))
        .collect();
    let message = q.done.as_deref().map(|_| l.t("calls-recorded"));
    let error = q.error.as_deref().filter(|e| e.starts_with("calls-")).map(|e| l.t(e));
    let (skipped_safe, skipped_no_phone) = (list.skipped_safe, list.skipped_no_phone);
    render(&CallsPage { l, groups, skipped_safe, skipped_no_phone, outcomes, message, error })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
    note: String,
}

pub async fn record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<OutcomeForm>,
) -> AppResult<Response> {
    let input = OutcomeInput { outcome: form.outcome, note: form.note };
    match app::calls::record(&state.app, &cu.caller("POST /calls/{id}"), id, &input).await {
        Ok(Ok(())) => Ok(Redirect::to("/calls?done=1").into_response()),
        // Someone else moved her meanwhile: the list shows where she is now.
        Ok(Err(_)) => Ok(Redirect::to("/calls?error=calls-stage-changed").into_response()),
        Err(app::Error::Invalid(errors)) => match errors.for_field("note") {
            Some(key) => Ok(Redirect::to(&format!("/calls?error={key}")).into_response()),
            None => Err(AppError::BadRequest("unknown outcome")),
        },
        Err(e) => Err(e.into()),
    }
}
