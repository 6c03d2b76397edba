//! Her public pages as use cases: her answer to a letter and the open door (G-8.5).
//! Nobody is logged in here: the actor is the public, and the caller names only the
//! origin (`POST /svar`). Failed guesses and floods are limited by the page itself,
//! which keeps the count per visitor; what the use cases say back tells it what counts.

use crate::{Ctx, Error, dnc};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::funnel::{Channel, TransitionInput};
use domain::open_door::OpenDoorInput;
use domain::response::{self, AnswerInput, Choice, CodeRefused};
use store::DoorOutcome;
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
    let now = ctx.clock.now();
    // Stored by its keyed hash (issue 13, item 9); a row not yet re-keyed
    // (`rekey_response_codes`) by its plain one.
    let keyed = response::keyed_code_hash(&ctx.dnc_key, &code);
    let (hash, stored) = match ctx.store.response_code(&keyed).await? {
        Some(c) => (keyed, Some(c)),
        None => {
            let plain = response::code_hash(&code);
            let stored = ctx.store.response_code(&plain).await?;
            (plain, stored)
        }
    };
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

/// Re-keys the answer codes stored as a plain SHA-256 before issue 13, item 9: each
/// becomes the keyed hash of its plain hash (`domain::response::rekeyed`), so a letter
/// already sent still answers. Run by `opsog serve` at start; audited when it changed
/// anything. Returns how many were re-keyed.
pub async fn rekey_response_codes(ctx: &Ctx) -> Result<usize, Error> {
    let plain = ctx.store.plain_response_code_hashes().await?;
    if plain.is_empty() {
        return Ok(0);
    }
    let pairs: Vec<(String, String)> = plain.into_iter().map(|h| (response::rekeyed(&ctx.dnc_key, &h), h)).collect();
    let record = AuditRecord {
        actor: AuditActor::system("opsog serve"),
        action: AuditAction::BatchJob,
        persons: vec![],
        origin: "opsog serve".into(),
        detail: format!("response codes re-keyed: {}", pairs.len()),
    };
    ctx.store.rekey_response_codes(&pairs, &record).await?;
    Ok(pairs.len())
}

/// Her own request to be contacted (G-8.5). A form that does not parse is `Invalid`
/// with nothing written; every other request counts towards the page's limit. It goes
/// through the intake of every outside door (issue 13, item 2): a new intake, never a
/// change to a woman Opsøg knows — not even one on the do-not-contact list, whose own
/// renewed request waits for a coordinator to confirm with her safely (product.md:
/// "never" is final for us, not for her; her list entry stays). The page answers the
/// same whatever the outcome.
pub async fn self_referral(ctx: &Ctx, origin: &str, input: &OpenDoorInput) -> Result<DoorOutcome, Error> {
    let request = input.parse()?;
    let initiative = crate::current_initiative(ctx).await?;
    let name = format!("{} {}", request.given_name, request.family_name);
    let dnc_hashes = crate::intake::dnc_hashes(ctx, &name, Some(&request.phone));
    let write = SelfReferralWrite { request, initiative_id: initiative.id, dnc_hashes, at: ctx.clock.now() };
    let audit = public(origin, AuditAction::SelfReferral, vec![], "");
    crate::intake::take_in(ctx, crate::intake::OutsideDoor::OpenDoor(&write), audit).await
}

/// Why the open door turned a request away before reading it (issue 13, item 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turned {
    /// Too many requests from this address, or for this phone, in the window.
    TooMany,
    /// The hidden field a person never sees was filled in: a machine.
    Trap,
}

/// A request on the open door refused by the page before anything is read: the
/// refusal is audited all the same, naming nobody.
pub async fn open_door_turned_away(ctx: &Ctx, origin: &str, why: Turned) -> Result<(), Error> {
    let detail = match why {
        Turned::TooMany => "open door: too many requests",
        Turned::Trap => "open door: hidden field filled in",
    };
    ctx.store.append_audit(&public(origin, AuditAction::Denied, vec![], detail)).await?;
    Ok(())
}
