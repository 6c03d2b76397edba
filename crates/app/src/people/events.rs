//! The events of her funnel (recording, voiding) and her consents.

use super::never_again_hashes;
use crate::{Caller, Ctx, Error, require_person};
use domain::audit::AuditAction;
use domain::funnel::{Channel, EventKind, FunnelError, TransitionInput};
use domain::org::{Consent, ConsentPurpose};
use domain::policy::Action;
use domain::validation::FieldErrors;
use store::{NewEvent, StoreError, VoidEvent};
use uuid::Uuid;

/// The longest note or reason an event takes.
pub const MAX_NOTE: usize = 2000;

/// Why an event was not recorded or voided although the input parsed: her funnel
/// refuses it (G-3), or someone voided the event meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRecorded {
    Funnel(FunnelError),
    AlreadyVoided,
}

/// An event as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    /// The initiative's id.
    pub initiative: String,
    /// An `EventKind` code; "entered" is not recorded by hand.
    pub kind: String,
    /// A `Channel` code; anything else is "other".
    pub channel: String,
    /// An ISO 639 code; anything else is none.
    pub language: String,
    pub interpreter_used: bool,
    pub new_contact_data: bool,
    pub note: String,
    /// The form's own key (a UUID): the same form sent twice — a retry after a lost
    /// answer — records the event once (issue 13, item 11). Empty for callers without
    /// a form.
    pub submission: String,
}

/// Records one event of her funnel. Refused input names the field (`kind`: kind or
/// initiative, `note`: too long) and writes nothing; a refusal of her funnel comes back
/// as `Ok(Err(..))`.
pub async fn record_event(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    input: &EventInput,
) -> Result<Result<(), NotRecorded>, Error> {
    require_person(ctx, caller, id, Action::RecordEvent).await?;
    let mut errors = FieldErrors::default();
    let kind = EventKind::from_code(input.kind.trim()).filter(|k| *k != EventKind::Entered);
    let initiative = Uuid::parse_str(input.initiative.trim()).ok();
    let (Some(kind), Some(initiative_id)) = (kind, initiative) else {
        errors.add("kind", "error-event-kind");
        return Err(Error::Invalid(errors));
    };
    if input.note.chars().count() > MAX_NOTE {
        errors.add("note", "error-too-long");
        return Err(Error::Invalid(errors));
    }
    let do_not_contact =
        if kind == EventKind::NeverContactAgain { never_again_hashes(ctx, caller, id).await? } else { Vec::new() };
    let event = NewEvent {
        person_id: id,
        initiative_id,
        input: TransitionInput {
            kind,
            at: ctx.clock.now(),
            channel: Channel::from_code(input.channel.trim()).unwrap_or(Channel::Other),
            new_contact_data: input.new_contact_data,
        },
        actor: caller.event_actor(),
        language: domain::reference::language(input.language.trim()).map(|lang| lang.code.to_string()),
        interpreter_used: input.interpreter_used,
        note: input.note.trim().to_string(),
        do_not_contact,
    };
    let audit = caller.audit(AuditAction::RecordEvent, vec![id], kind.code());
    let recorded = match Uuid::parse_str(input.submission.trim()) {
        // A retry of a form already recorded has the outcome the first one had.
        Ok(key) => ctx.store.record_event_once(key, &event, &audit).await.map(|_| ()),
        Err(_) => ctx.store.record_event(&event, &audit).await.map(|_| ()),
    };
    match recorded {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Funnel(e)) => Ok(Err(NotRecorded::Funnel(e))),
        Err(e) => Err(e.into()),
    }
}

/// Voids an event of hers with a reason (the event stays, marked void). An empty or
/// too long reason is refused as the field `reason`.
pub async fn void_event(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    event_id: Uuid,
    reason: &str,
) -> Result<Result<(), NotRecorded>, Error> {
    require_person(ctx, caller, id, Action::VoidEvent).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_NOTE {
        let mut errors = FieldErrors::default();
        errors.add("reason", "error-void-reason");
        return Err(Error::Invalid(errors));
    }
    let void = VoidEvent {
        event_id,
        person_id: id,
        actor: caller.event_actor(),
        reason: reason.to_string(),
        at: ctx.clock.now(),
    };
    match ctx.store.void_event(&void, &caller.audit(AuditAction::VoidEvent, vec![id], event_id.to_string())).await {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Funnel(e)) => Ok(Err(NotRecorded::Funnel(e))),
        Err(StoreError::Conflict { .. }) => Ok(Err(NotRecorded::AlreadyVoided)),
        Err(e) => Err(e.into()),
    }
}

/// A consent as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct ConsentInput {
    /// A `ConsentPurpose` code.
    pub purpose: String,
    /// The version of the text she agreed to.
    pub text_version: String,
    /// The ISO 639 code of the language she read it in.
    pub language: String,
}

/// Records her consent to a purpose. Each field that does not parse is named, all with
/// `error-consent`.
pub async fn record_consent(ctx: &Ctx, caller: &Caller, id: Uuid, input: &ConsentInput) -> Result<(), Error> {
    require_person(ctx, caller, id, Action::EditPerson).await?;
    let mut errors = FieldErrors::default();
    let purpose = ConsentPurpose::from_code(input.purpose.trim());
    if purpose.is_none() {
        errors.add("purpose", "error-consent");
    }
    let language = domain::reference::language(input.language.trim());
    if language.is_none() {
        errors.add("language", "error-consent");
    }
    let version = input.text_version.trim();
    if version.is_empty() || version.len() > 50 {
        errors.add("text_version", "error-consent");
    }
    let (Some(purpose), Some(language), true) = (purpose, language, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let consent = Consent {
        id: Uuid::new_v4(),
        person_id: id,
        purpose: purpose.code().into(),
        text_version: version.into(),
        language: language.code.into(),
        recorded_by: caller.user.id,
        recorded_at: ctx.clock.now(),
        withdrawn_at: None,
        partner_org_id: None,
    };
    let record = caller.audit(AuditAction::UpdatePerson, vec![id], format!("consent {}", purpose.code()));
    ctx.store.record_consent(&consent, &record).await?;
    Ok(())
}

/// Withdraws a consent of hers; it stays on record with the time of withdrawal.
pub async fn withdraw_consent(ctx: &Ctx, caller: &Caller, id: Uuid, consent_id: Uuid) -> Result<(), Error> {
    require_person(ctx, caller, id, Action::EditPerson).await?;
    let record = caller.audit(AuditAction::UpdatePerson, vec![id], format!("withdraw consent {consent_id}"));
    ctx.store.withdraw_consent(id, consent_id, ctx.clock.now(), &record).await?;
    Ok(())
}
