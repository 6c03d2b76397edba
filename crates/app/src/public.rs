//! Her public pages as use cases: her answer to a letter and the open door (G-8.5).
//! Nobody is logged in here: the actor is the public, and the caller names only the
//! origin (`POST /svar`). Failed guesses and floods are limited by the page itself,
//! which keeps the count per visitor; what the use cases say back tells it what counts.

use crate::{Ctx, Error, dnc};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::funnel::{Channel, TransitionInput};
use domain::open_door::OpenDoorInput;
use domain::response::{self, AnswerInput, Choice, CodeRefused};
use store::{EventActor, NewEvent, SelfReferralWrite, StoreError};

/// What her answer came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Recorded in her funnel, with the choice she made.
    Recorded(Choice),
    /// The code does not answer (unknown, expired, used); the refusal is audited.
    Refused(CodeRefused),
}

fn public(origin: &str, action: AuditAction, persons: Vec<uuid::Uuid>, detail: impl Into<String>) -> AuditRecord {
    AuditRecord { actor: AuditActor::public(), action, persons, origin: origin.to_string(), detail: detail.into() }
}

/// Her answer to a letter by the code printed on it (issue 4, item 4). A form that
/// does not parse is `Invalid` with nothing written (a `code` field error is a failed
/// guess for the page's limit, as is `Refused(Unknown)`). The code answers once.
pub async fn answer_response_code(ctx: &Ctx, origin: &str, input: &AnswerInput) -> Result<Answered, Error> {
    let (code, answer) = input.parse()?;
    let hash = response::code_hash(&code);
    let now = ctx.clock.now();
    let stored = ctx.store.response_code(&hash).await?;
    let refused = match &stored {
        None => Some(CodeRefused::Unknown),
        Some(c) => response::may_answer(c.expires_at, c.used_at, now).err(),
    };
    let code_record = match (stored, refused) {
        (Some(c), None) => c,
        (stored, refused) => {
            let reason = refused.unwrap_or(CodeRefused::Unknown);
            let persons = stored.map(|c| c.person_id).into_iter().collect();
            let detail = format!("response code refused: {}", reason.text_key());
            ctx.store.append_audit(&public(origin, AuditAction::Denied, persons, detail)).await?;
            return Ok(Answered::Refused(reason));
        }
    };
    // "Never again" puts her identity on the do-not-contact list (G-2.2): read here,
    // server-side, and never shown.
    let mut do_not_contact = Vec::new();
    if answer.choice == Choice::NeverAgain
        && let Some(p) = ctx.store.read_person(code_record.person_id).await?
    {
        do_not_contact = dnc::of_person(&ctx.dnc_key, &p.person.details);
    }
    let event = NewEvent {
        person_id: code_record.person_id,
        initiative_id: code_record.initiative_id,
        input: TransitionInput {
            kind: answer.event_kind(),
            at: now,
            channel: Channel::Letter,
            new_contact_data: answer.phone.is_some(),
        },
        actor: EventActor { user_id: None, name: "Svar på brev".into() },
        language: answer.language.clone(),
        interpreter_used: false,
        note: answer.note(),
        do_not_contact,
    };
    let audit = public(origin, AuditAction::RecordEvent, vec![code_record.person_id], "");
    let phone = answer.phone.as_ref().map(|p| (p, answer.phone_hers_alone));
    match ctx.store.answer_response_code(&hash, answer.choice.code(), &event, phone, &audit).await {
        Ok(_) => Ok(Answered::Recorded(answer.choice)),
        // Answered meanwhile (a second tab, a double click): the first answer stands.
        Err(StoreError::Conflict { .. }) => Ok(Answered::Refused(CodeRefused::Used)),
        Err(e) => Err(e.into()),
    }
}

/// Her own request to be contacted (G-8.5). A form that does not parse is `Invalid`
/// with nothing written; every other request counts towards the page's limit.
pub async fn self_referral(ctx: &Ctx, origin: &str, input: &OpenDoorInput) -> Result<(), Error> {
    let request = input.parse()?;
    let initiative = crate::current_initiative(ctx).await?;
    let name = format!("{} {}", request.given_name, request.family_name);
    // G-2.2 and product.md: "never" is final for us, not for her — she is let in, and
    // whoever answers for her is told she once said no (the store reads the list in the
    // transaction that writes her). Her entry stays on the list.
    let dnc_hashes = dnc::of_name_and_phone(&ctx.dnc_key, name.trim(), Some(&request.phone));
    let write = SelfReferralWrite { request, initiative_id: initiative.id, dnc_hashes, at: ctx.clock.now() };
    ctx.store.self_referral(&write, &public(origin, AuditAction::SelfReferral, vec![], "")).await?;
    Ok(())
}

/// A flood on the open door, refused by the page's limit before anything is read:
/// the refusal is audited all the same.
pub async fn open_door_flooded(ctx: &Ctx, origin: &str) -> Result<(), Error> {
    let record = public(origin, AuditAction::Denied, vec![], "open door: too many requests");
    ctx.store.append_audit(&record).await?;
    Ok(())
}
