//! The doors opened from outside the municipality's staff — an ambassador's street
//! registration, a partner's referral, her own request on the open door — taken in one
//! way (issue 13, item 2). Such a door knows a woman by a first name and a phone, which
//! anyone may know, so it never acts on a woman Opsøg already knows: the store makes a
//! new intake and queues a resemblance for a coordinator (`possible_matches`). Whoever
//! opened the door is answered the same whatever came of it — a new woman, a possible
//! match, a refusal because she is on the do-not-contact list (G-2.2) — so that the
//! answer tells nothing about a woman the caller may not see.

use crate::{Error, dnc};
use domain::PhoneNumber;
use domain::audit::{AuditAction, AuditRecord};
use store::{DoorOutcome, ReferralWrite, SelfReferralWrite, StreetRegistrationWrite};

/// A door from outside, with what it would write.
pub(crate) enum OutsideDoor<'a> {
    Street(&'a StreetRegistrationWrite),
    Referral(&'a ReferralWrite),
    OpenDoor(&'a SelfReferralWrite),
}

/// Her keyed do-not-contact hashes (G-2.2): the store checks them against the list in
/// the transaction that writes her.
pub(crate) fn dnc_hashes(ctx: &crate::Ctx, name: &str, phone: Option<&PhoneNumber>) -> Vec<String> {
    dnc::of_name_and_phone(&ctx.dnc_key, name.trim(), phone)
}

/// Takes her in through an outside door. `audit` is the door's own entry, written
/// with the intake; a refusal (she is on the do-not-contact list and the door is not
/// her own) writes nothing about her and is audited as a denial naming nobody. The
/// outcome is for the caller's records and tests; a page shows the same for each.
pub(crate) async fn take_in(ctx: &crate::Ctx, door: OutsideDoor<'_>, audit: AuditRecord) -> Result<DoorOutcome, Error> {
    let outcome = match door {
        OutsideDoor::Street(w) => ctx.store.register_from_street(w, &audit).await,
        OutsideDoor::Referral(w) => ctx.store.refer(w, &audit).await,
        OutsideDoor::OpenDoor(w) => ctx.store.self_referral(w, &audit).await,
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(store::StoreError::LinkRefused(reason)) => {
            let denied = AuditRecord { action: AuditAction::Denied, detail: format!("link={reason:?}"), ..audit };
            ctx.store.append_audit(&denied).await?;
            return Err(Error::Refused(crate::Refusal::Link(reason)));
        }
        Err(e) => return Err(e.into()),
    };
    if outcome == DoorOutcome::Refused {
        let denied =
            AuditRecord { action: AuditAction::Denied, detail: "do_not_contact".into(), persons: vec![], ..audit };
        ctx.store.append_audit(&denied).await?;
    }
    Ok(outcome)
}
