//! The call list (issue 4, items 5–7; G-5.7): the women due for a call in the
//! caseworker's scope, soonest first, grouped by language, with whether an interpreter
//! is needed and which colleagues speak her language. An outcome is one click (with a
//! note where the call changes where she is); who may not be called is left out and
//! counted (G-2.4).

use super::{deny, language_label, render, stage_label};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditAction;
use domain::calls::{self, CallOutcome, NotCalled};
use domain::do_not_contact::identity_hashes;
use domain::funnel::{Channel, TransitionInput};
use domain::policy::{self, Action};
use serde::Deserialize;
use store::{CallRow, EventActor, NewEvent, Store, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

const MAX_NOTE: usize = 2_000;

struct CallView {
    id: String,
    name: String,
    phone: String,
    stage: String,
    due: String,
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
    const ORIGIN: &str = "GET /calls";
    let actor = cu.actor();
    if !policy::may(&actor, Action::RecordEvent, None) || !policy::may(&actor, Action::ListPeople, None) {
        return Err(deny(&state, &cu, ORIGIN, None, AppError::Forbidden).await);
    }
    let initiative = super::current_initiative(&state).await?.ok_or(AppError::NotFound)?;
    let l = Layout::new(&state, &cu.ctx, "/calls");
    let rows = state.store.call_list(initiative.id, &policy::list_scope(&actor)).await?;
    let users = state.store.list_users().await?;
    let now = OffsetDateTime::now_utc();
    let (mut skipped_safe, mut skipped_no_phone) = (0, 0);
    let mut due: Vec<(OffsetDateTime, &CallRow)> = Vec::new();
    for r in &rows {
        match calls::due(&r.candidate(), &initiative.cadence) {
            Some(Ok(at)) => due.push((at, r)),
            Some(Err(NotCalled::SafeContactOnly)) => skipped_safe += 1,
            Some(Err(NotCalled::NoPhone)) => skipped_no_phone += 1,
            None => {}
        }
    }
    due.sort_by_key(|(at, r)| (*at, r.person_id));
    let mut groups: Vec<LanguageGroup> = Vec::new();
    for (at, r) in &due {
        let code = r.first_language.clone().unwrap_or_default();
        let language = if code.is_empty() { l.t("calls-language-unknown") } else { language_label(l.locale, &code) };
        let speakers: Vec<String> = users
            .iter()
            // Colleagues who could make the call: staff, not ambassadors or partners.
            .filter(|u| u.answers_for_women())
            .filter(|u| !code.is_empty() && u.languages.contains(&code))
            .map(|u| u.display_name.clone())
            .collect();
        let view = CallView {
            id: r.person_id.to_string(),
            name: format!("{} {}", r.given_name, r.family_name).trim().to_string(),
            phone: r.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            stage: stage_label(&l, r.stage),
            due: crate::time_fmt::local(*at),
            overdue: *at <= now,
            attempts: r.attempts,
            interpreter: r.interpreter_needed,
            speakers: speakers.join(", "),
        };
        match groups.iter_mut().find(|g| g.language == language) {
            Some(g) => g.calls.push(view),
            None => groups.push(LanguageGroup { language, calls: vec![view] }),
        }
    }
    // Every woman shown is a read of her data.
    let shown: Vec<Uuid> = due.iter().map(|(_, r)| r.person_id).collect();
    let detail = format!(
        "call list: {} due, {} safe contact only, {} without phone",
        shown.len(),
        skipped_safe,
        skipped_no_phone
    );
    state.store.append_audit(&super::audit(&cu, AuditAction::ListPeople, ORIGIN, shown, detail)).await?;
    let outcomes = CallOutcome::ALL
        .iter()
        .map(|o| (o.code(), l.t(&format!("call-outcome-{}", o.code().replace('_', "-"))), o.note_required()))
        .collect();
    let message = q.done.as_deref().map(|_| l.t("calls-recorded"));
    let error = q.error.as_deref().filter(|e| e.starts_with("calls-")).map(|e| l.t(e));
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
    const ORIGIN: &str = "POST /calls/{id}";
    super::person::scoped(&state, &cu, id, Action::RecordEvent, ORIGIN).await?;
    let initiative = super::current_initiative(&state).await?.ok_or(AppError::NotFound)?;
    let Some(outcome) = CallOutcome::from_code(form.outcome.trim()) else {
        return Err(AppError::BadRequest("unknown outcome"));
    };
    let note = form.note.trim().to_string();
    if outcome.note_required() && note.is_empty() {
        return Ok(Redirect::to("/calls?error=calls-note-required").into_response());
    }
    if note.chars().count() > MAX_NOTE {
        return Ok(Redirect::to("/calls?error=calls-note-too-long").into_response());
    }
    let funnel = state.store.get_funnel(id, initiative.id).await?.ok_or(AppError::NotFound)?;
    let do_not_contact = if outcome == CallOutcome::NeverAgain {
        let audit = super::audit(&cu, AuditAction::ViewPerson, ORIGIN, vec![id], "do-not-contact".into());
        let rec = state.store.get_person(id, &audit).await?;
        let d = &rec.person.details;
        identity_hashes(&state.dnc_key, d.cpr.as_ref(), &d.full_name(), d.birth_date, d.phone.as_ref())
    } else {
        Vec::new()
    };
    let now = OffsetDateTime::now_utc();
    let kinds = outcome.events(funnel.state.stage, funnel.state.attempts, &initiative.cadence);
    let last = kinds.len().saturating_sub(1);
    let events: Vec<NewEvent> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| NewEvent {
            person_id: id,
            initiative_id: initiative.id,
            input: TransitionInput { kind: *kind, at: now, channel: Channel::Phone, new_contact_data: false },
            actor: EventActor { user_id: Some(cu.user.id), name: cu.user.display_name.clone() },
            language: None,
            interpreter_used: false,
            // The note goes with the event that says what she said.
            note: if i == last { note_for(outcome, &note) } else { String::new() },
            do_not_contact: if i == last { do_not_contact.clone() } else { Vec::new() },
        })
        .collect();
    let detail = format!("call outcome {}", outcome.code());
    let audit = super::audit(&cu, AuditAction::RecordEvent, ORIGIN, vec![id], detail);
    match state.store.record_events(&events, &audit).await {
        Ok(()) => Ok(Redirect::to("/calls?done=1").into_response()),
        // Someone else moved her meanwhile: the list shows where she is now.
        Err(StoreError::Funnel(_)) => Ok(Redirect::to("/calls?error=calls-stage-changed").into_response()),
        Err(e) => Err(e.into()),
    }
}

fn note_for(outcome: CallOutcome, note: &str) -> String {
    match outcome {
        CallOutcome::WrongNumber if note.is_empty() => "Forkert nummer.".into(),
        CallOutcome::WantsMeeting => format!("Ønsker et møde. {note}").trim().to_string(),
        _ => note.to_string(),
    }
}
