//! Her own request to be contacted (G-8.5, the public open door): one transaction, as
//! a street registration is. Anyone may type a name and a phone, so the request never
//! acts on a woman Opsøg already knows (issue 13, item 2): it is a new intake at
//! `interested` with herself as source, and a resemblance to a known woman waits for a
//! coordinator (`intake`). The same phone again within a day folds into that intake
//! (issue 13, item 9), so a flood makes one record, not many.

use super::ambassadors::{recipients, with_detail};
use super::audit::naming;
use super::events;
use super::intake::{Admitted, Identity, Intake, admit};
use super::people::Tx;
use super::rows::fmt_ts;
use super::rows::parse_uuid;
use super::{SqlStore, db, insert_notification, write_audit};
use crate::records::{DoorOutcome, EventActor, NewEvent, NewPerson, SelfReferralWrite};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::intake::MatchReason;
use domain::person::{Source, SourceKind};
use sqlx::Row;
use uuid::Uuid;

pub(crate) const NOTIFY_SELF_REFERRAL: &str = "notification-self-referral";
pub(crate) const NOTIFY_SELF_REFERRAL_DECLINED: &str = "notification-self-referral-declined-earlier";

async fn set_best_time(tx: &mut Tx, person_id: Uuid, w: &SelfReferralWrite) -> Result<()> {
    sqlx::query("UPDATE persons SET best_time_to_call = $1, updated_at = $2 WHERE id = $3")
        .bind(w.request.best_time.code())
        .bind(fmt_ts(w.at))
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("saving her best time to call"))?;
    Ok(())
}

/// The open door's own intake for this phone within the fold window, if any.
async fn recent_request(tx: &mut Tx, w: &SelfReferralWrite) -> Result<Option<Uuid>> {
    let since = w.at - domain::open_door::FOLD_WINDOW;
    let row = sqlx::query(
        "SELECT p.id FROM persons p JOIN person_sources s ON s.person_id = p.id \
         WHERE p.phone = $1 AND s.kind = $2 AND s.added_at >= $3 ORDER BY s.added_at DESC, p.id LIMIT 1",
    )
    .bind(w.request.phone.as_e164())
    .bind(SourceKind::SelfReferral.code())
    .bind(fmt_ts(since))
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("looking for an earlier request"))?;
    row.map(|r| r.try_get::<String, _>("id").map_err(db("reading an earlier request")).and_then(|id| parse_uuid(&id)))
        .transpose()
}

/// A request that may not be hers (she said "never" before, or someone typed her name
/// and number) is held: safe contact only until a coordinator has confirmed it with her
/// in a safe way (G-2.4; the possible-match queue names the task).
async fn hold(tx: &mut Tx, person_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE persons SET safe_contact_only = 1, safety_note = $1 WHERE id = $2")
        .bind(domain::open_door::HELD_NOTE)
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("holding a request until it is confirmed"))?;
    Ok(())
}

impl SqlStore {
    /// Her own request to be contacted, in one transaction. The same phone within
    /// `FOLD_WINDOW` folds into the open door's own intake (a note where its funnel
    /// takes one). Otherwise a new intake at `interested` with herself as source, a
    /// note and her best time; the coordinators are told. Taken in by `intake`, which
    /// reads the do-not-contact list in this transaction and never touches a known
    /// woman: a resemblance is queued; on the list, or resembling a woman who declined,
    /// the intake is held (safe contact only) as a coordinator's task to confirm with
    /// her safely. Audited naming the intake.
    pub async fn self_referral(&self, w: &SelfReferralWrite, audit: &AuditRecord) -> Result<DoorOutcome> {
        let r = &w.request;
        let mut tx: Tx = self.begin().await?;
        let actor = EventActor { user_id: None, name: "Kontaktsiden".into() };
        let channel = Channel::SelfReferral;
        let event = |person_id, note: String| NewEvent {
            person_id,
            initiative_id: w.initiative_id,
            input: TransitionInput { kind: EventKind::Note, at: w.at, channel, new_contact_data: false },
            actor: actor.clone(),
            language: Some(r.language.clone()),
            interpreter_used: false,
            note,
            do_not_contact: Vec::new(),
        };
        if let Some(earlier) = recent_request(&mut tx, w).await? {
            // Her own intake, made by this page: a note where its funnel takes one
            // (staff may have moved it meanwhile; a declined funnel takes none).
            match events::append_event(&mut tx, &event(earlier, r.note_again())).await {
                Ok(_) | Err(StoreError::Funnel(_)) => {}
                Err(e) => return Err(e),
            }
            let audit = with_detail(audit, || "self_referral=folded".into());
            write_audit(&mut tx, &naming(&audit, earlier)).await?;
            tx.commit().await.map_err(db("committing a request to be contacted"))?;
            return Ok(DoorOutcome::Folded(earlier));
        }
        let source = Source {
            kind: SourceKind::SelfReferral,
            reference_id: None,
            label: "Selvhenvendelse (kontaktsiden)".into(),
            added_at: w.at,
        };
        let new = NewPerson::through_door(r.person_details(), source, w.initiative_id, actor.clone(), w.at);
        let identity = Identity::PhoneAndName { phone_e164: r.phone.as_e164(), given_name: &r.given_name };
        let intaken =
            admit(&mut tx, self.backend_kind(), &Intake { identity, dnc_hashes: &w.dnc_hashes, new: &new }).await?;
        let (id, queued) = match intaken.admitted {
            Admitted::Created { id, queued } => (id, queued),
            // The rule never refuses her own request nor joins a known woman on an
            // outside door; should it ever, nothing is written.
            Admitted::Refused => return Err(StoreError::OnDoNotContact),
            Admitted::Joined { .. } => return Err(StoreError::Corrupt("the open door joined a known woman".into())),
        };
        let held = matches!(queued, Some(MatchReason::RenewedRequest | MatchReason::ResemblesDeclined));
        events::append_event(&mut tx, &event(id, r.note(held))).await?;
        set_best_time(&mut tx, id, w).await?;
        if held {
            hold(&mut tx, id).await?;
        }
        // No team yet: the coordinators hand her to someone who speaks her language.
        let message = if held { NOTIFY_SELF_REFERRAL_DECLINED } else { NOTIFY_SELF_REFERRAL };
        for user_id in recipients(&mut tx, None, None).await? {
            insert_notification(&mut tx, user_id, message, Some(id)).await?;
        }
        let outcome = if queued.is_some() { DoorOutcome::Queued(id) } else { DoorOutcome::Created(id) };
        let reason = queued.map_or("none", MatchReason::code);
        let audit = with_detail(audit, || format!("self_referral={} queued={reason}", outcome.code()));
        write_audit(&mut tx, &naming(&audit, id)).await?;
        tx.commit().await.map_err(db("committing a request to be contacted"))?;
        Ok(outcome)
    }
}
