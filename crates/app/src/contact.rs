//! The daily contact job (issue 4, item 6; issue 14, item 4; G-5.7): a woman past the
//! cadence's attempts is marked unreachable, so she leaves the call list; every woman
//! whose call fell due in the last day is put before whoever answers for her (a
//! notification; the call list shows her). `opsog serve` runs it once a day and
//! `opsog contact due` on demand.

use crate::Error;
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::calls;
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::policy::ListScope;
use store::{EventActor, NewEvent, SqlStore, StoreError};
use time::{Duration, OffsetDateTime};

pub const NOTIFY_CALL_DUE: &str = "notification-call-due";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DueReport {
    /// Due in the last day, and told.
    pub newly_due: usize,
    /// Due now in all (the call lists).
    pub due: usize,
    /// Due but not to be called (safe contact only, no phone).
    pub skipped: usize,
    /// Past the cadence's attempts, and marked unreachable now.
    pub marked_unreachable: usize,
}

/// Looks at every initiative's women; a woman whose call fell due in `(now - 1 day,
/// now]` is announced once, so a daily run tells each due call once.
pub async fn post_due_calls(store: &SqlStore, now: OffsetDateTime, origin: &str) -> Result<DueReport, Error> {
    let mut report = DueReport::default();
    let mut told = Vec::new();
    for initiative in store.list_initiatives().await? {
        for r in store.call_list(initiative.id, &ListScope::Everyone).await? {
            if let Some(at) = calls::unreachable_at(&r.candidate(), &initiative.cadence) {
                if at <= now
                    && mark_unreachable(store, &r, initiative.id, initiative.cadence.max_attempts, now, origin).await?
                {
                    report.marked_unreachable += 1;
                }
                continue;
            }
            match calls::due(&r.candidate(), &initiative.cadence) {
                Some(Ok(at)) if at <= now => {
                    report.due += 1;
                    if at > now - Duration::days(1) {
                        store.notify_responsible(r.person_id, NOTIFY_CALL_DUE).await?;
                        report.newly_due += 1;
                        told.push(r.person_id);
                    }
                }
                Some(Err(_)) => report.skipped += 1,
                _ => {}
            }
        }
    }
    let record = AuditRecord {
        actor: AuditActor::system("contact"),
        action: AuditAction::BatchJob,
        persons: told,
        origin: origin.to_string(),
        detail: format!(
            "calls due: {} now, {} newly, {} skipped; {} marked unreachable",
            report.due, report.newly_due, report.skipped, report.marked_unreachable
        ),
    };
    store.append_audit(&record).await?;
    Ok(report)
}

/// Marks one woman unreachable (G-5.7), in a transaction of her own with its audit
/// entry. `false` when someone moved her meanwhile: her funnel refuses, and she is left
/// as she now is.
async fn mark_unreachable(
    store: &SqlStore,
    r: &store::CallRow,
    initiative_id: uuid::Uuid,
    max_attempts: u32,
    now: OffsetDateTime,
    origin: &str,
) -> Result<bool, Error> {
    let event = NewEvent {
        person_id: r.person_id,
        initiative_id,
        input: TransitionInput {
            kind: EventKind::MarkedUnreachable,
            at: now,
            channel: Channel::Phone,
            new_contact_data: false,
        },
        actor: EventActor { user_id: None, name: "Kontaktkadencen".into() },
        language: None,
        interpreter_used: false,
        note: format!("Ikke truffet efter {} forsøg; kadencen siger {max_attempts}.", r.attempts),
        do_not_contact: Vec::new(),
    };
    let audit = AuditRecord {
        actor: AuditActor::system("contact"),
        action: AuditAction::RecordEvent,
        persons: vec![r.person_id],
        origin: origin.to_string(),
        detail: format!("marked unreachable after {} attempts (cadence {max_attempts})", r.attempts),
    };
    match store.record_events(&[event], &audit).await {
        Ok(()) => Ok(true),
        Err(StoreError::Funnel(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Sets the initiative's contact cadence (G-5.7) from the form as typed: each field a
/// whole number in its range, or the fields named.
pub async fn set_cadence(
    ctx: &crate::Ctx,
    caller: &crate::Caller,
    input: &domain::calls::CadenceInput,
) -> Result<domain::calls::Cadence, Error> {
    crate::require(ctx, caller, domain::policy::Action::SendLetters).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let c = input.parse()?;
    let detail = format!(
        "cadence: call after {} days, again after {}, second letter after {}, {} attempts",
        c.call_after_letter_days, c.call_again_days, c.second_letter_after_days, c.max_attempts
    );
    let audit = caller.audit(AuditAction::SetCadence, vec![], detail);
    ctx.store.set_cadence(initiative.id, &c, &audit).await?;
    Ok(c)
}
