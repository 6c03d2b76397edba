//! The call list and call outcomes (G-5.7, G-2.4) as use cases: the women due for a
//! call in the caller's reach, most urgent first (issue 14, item 4), and an outcome as
//! the events it is.

use crate::{Caller, Ctx, Error, current_initiative, require, require_person};
use domain::audit::AuditAction;
use domain::calls::{self, CallOutcome, Lateness, NotCalled, Urgency};
use domain::funnel::{Channel, FunnelError, TransitionInput};
use domain::policy::{self, Action};
use domain::validation::FieldErrors;
use store::{CallRow, NewEvent, StoreError};
use time::OffsetDateTime;

/// The longest note a call outcome takes.
pub const MAX_NOTE: usize = 2_000;

/// One woman due for a call.
pub struct DueCall {
    pub at: OffsetDateTime,
    pub urgency: Urgency,
    /// How late the call is, in Danish days.
    pub lateness: Lateness,
    pub row: CallRow,
    /// Colleagues who speak her first language and could make the call: staff, not
    /// ambassadors or partners.
    pub speakers: Vec<String>,
}

/// The call list: who is due, most urgent first (she asked for the call; overdue, the
/// longest first; later), and how many may not be called (G-2.4).
pub struct CallList {
    pub due: Vec<DueCall>,
    pub skipped_safe: usize,
    pub skipped_no_phone: usize,
}

/// The call list of the current initiative, in the caller's reach. Every woman shown
/// is a read of her data, audited as one list.
pub async fn call_list(ctx: &Ctx, caller: &Caller) -> Result<CallList, Error> {
    require(ctx, caller, Action::RecordEvent).await?;
    require(ctx, caller, Action::ListPeople).await?;
    let initiative = current_initiative(ctx).await?;
    let now = ctx.clock.now();
    let today = ctx.clock.today();
    let rows = ctx.store.call_list(initiative.id, &policy::list_scope(&caller.actor())).await?;
    let users = ctx.store.list_users().await?;
    let (mut skipped_safe, mut skipped_no_phone) = (0, 0);
    let mut due = Vec::new();
    for row in rows {
        match calls::due(&row.candidate(), &initiative.cadence) {
            Some(Ok(at)) => {
                let code = row.first_language.clone().unwrap_or_default();
                let speakers = users
                    .iter()
                    .filter(|u| u.answers_for_women())
                    .filter(|u| !code.is_empty() && u.languages.contains(&code))
                    .map(|u| u.display_name.clone())
                    .collect();
                let urgency = calls::urgency(&row.candidate(), at, now);
                let lateness = Lateness::between(domain::danish_time::date(at), today);
                due.push(DueCall { at, urgency, lateness, row, speakers });
            }
            Some(Err(NotCalled::SafeContactOnly)) => skipped_safe += 1,
            Some(Err(NotCalled::NoPhone)) => skipped_no_phone += 1,
            None => {}
        }
    }
    due.sort_by_key(|d| (d.urgency, d.at, d.row.person_id));
    let shown = due.iter().map(|d| d.row.person_id).collect::<Vec<_>>();
    let detail = format!(
        "call list: {} due, {} safe contact only, {} without phone",
        shown.len(),
        skipped_safe,
        skipped_no_phone
    );
    ctx.store.append_audit(&caller.audit(AuditAction::ListPeople, shown, detail)).await?;
    Ok(CallList { due, skipped_safe, skipped_no_phone })
}

/// A call's outcome as the list gives it.
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    /// A `CallOutcome` code.
    pub outcome: String,
    pub note: String,
}

/// Records what came of a call to her as the events it is, in one transaction. Refused
/// input names the field: `outcome` (unknown), `note` (`calls-note-required`,
/// `calls-note-too-long`). When someone moved her meanwhile, her funnel's refusal comes
/// back as `Ok(Err(..))`.
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    id: uuid::Uuid,
    input: &OutcomeInput,
) -> Result<Result<(), FunnelError>, Error> {
    require_person(ctx, caller, id, Action::RecordEvent).await?;
    let initiative = current_initiative(ctx).await?;
    let mut errors = FieldErrors::default();
    let Some(outcome) = CallOutcome::from_code(input.outcome.trim()) else {
        errors.add("outcome", "error-unknown-choice");
        return Err(Error::Invalid(errors));
    };
    let note = input.note.trim();
    if outcome.note_required() && note.is_empty() {
        errors.add("note", "calls-note-required");
    } else if note.chars().count() > MAX_NOTE {
        errors.add("note", "calls-note-too-long");
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let funnel = ctx.store.get_funnel(id, initiative.id).await?.ok_or(Error::NotFound("funnel"))?;
    let do_not_contact = if outcome == CallOutcome::NeverAgain {
        crate::people::never_again_hashes(ctx, caller, id).await?
    } else {
        Vec::new()
    };
    let now = ctx.clock.now();
    let kinds = outcome.events(funnel.state.stage, funnel.state.attempts, &initiative.cadence);
    let last = kinds.len().saturating_sub(1);
    let events: Vec<NewEvent> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| NewEvent {
            person_id: id,
            initiative_id: initiative.id,
            input: TransitionInput { kind: *kind, at: now, channel: Channel::Phone, new_contact_data: false },
            actor: caller.event_actor(),
            language: None,
            interpreter_used: false,
            // The note and the do-not-contact hashes go with the event that says what
            // she said.
            note: if i == last { outcome.event_note(note) } else { String::new() },
            do_not_contact: if i == last { do_not_contact.clone() } else { Vec::new() },
        })
        .collect();
    let record = caller.audit(AuditAction::RecordEvent, vec![id], format!("call outcome {}", outcome.code()));
    match ctx.store.record_events(&events, &record).await {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Funnel(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}
