//! Her own request to be contacted (G-8.5, the public open door): one transaction, as
//! a street registration is. One woman is one person: a known woman (same phone, same
//! first name) gets the request on her record; anyone else becomes a new person at
//! `interested` with herself as source.

use super::ambassadors::{recipients, with_detail};
use super::audit::naming;
use super::events;
use super::intake::{Admitted, Identity, Intake, admit};
use super::people::Tx;
use super::rows::fmt_ts;
use super::{SqlStore, db, insert_notification, write_audit};
use crate::records::{EventActor, NewEvent, NewPerson, RegistrationOutcome, SelfReferralWrite};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::person::{Source, SourceKind};
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

impl SqlStore {
    /// Her own request to be contacted, in one transaction: a known woman (same phone,
    /// same normalised first name) gets herself as a source, a `got_in_touch` event
    /// where her funnel allows it (else a note) and her best time; anyone else becomes
    /// a new person at `interested` with herself as source and a note. Whoever answers
    /// for her (for a new woman: the coordinators) is told. Audited naming her. Taken
    /// in by `intake`, which reads the do-not-contact list in this transaction: a woman
    /// on it is not moved, her request is a note, and the notification says so.
    pub async fn self_referral(&self, w: &SelfReferralWrite, audit: &AuditRecord) -> Result<RegistrationOutcome> {
        let r = &w.request;
        let mut tx: Tx = self.begin().await?;
        let source = Source {
            kind: SourceKind::SelfReferral,
            reference_id: None,
            label: "Selvhenvendelse (kontaktsiden)".into(),
            added_at: w.at,
        };
        let actor = EventActor { user_id: None, name: "Kontaktsiden".into() };
        let channel = Channel::SelfReferral;
        let new = NewPerson::through_door(r.person_details(), source, w.initiative_id, actor.clone(), w.at);
        let identity = Identity::PhoneAndName { phone_e164: r.phone.as_e164(), given_name: &r.given_name };
        let intaken =
            admit(&mut tx, self.backend_kind(), &Intake { identity, dnc_hashes: &w.dnc_hashes, new: &new }).await?;
        // Her own request is taken in even when she once asked never to be contacted
        // (`domain::intake::decide`); whoever answers for her is told to confirm it.
        let declined_earlier = intaken.on_do_not_contact;
        let note = r.note(declined_earlier);
        let event = |person_id, kind| NewEvent {
            person_id,
            initiative_id: w.initiative_id,
            input: TransitionInput { kind, at: w.at, channel, new_contact_data: false },
            actor: actor.clone(),
            language: Some(r.language.clone()),
            interpreter_used: false,
            note: note.clone(),
            do_not_contact: Vec::new(),
        };
        let (outcome, notify) = match intaken.admitted {
            Admitted::Joined { known, entered } => {
                if entered {
                    events::append_event(&mut tx, &event(known.id, EventKind::Note)).await?;
                } else if declined_earlier {
                    // On the list she is not moved (G-2.2): her request is a note where her
                    // funnel takes one; a declined funnel takes none, and the notification
                    // below is then the coordinators' task to confirm it with her safely.
                    match events::append_event(&mut tx, &event(known.id, EventKind::Note)).await {
                        Ok(_) | Err(StoreError::Funnel(_)) => {}
                        Err(e) => return Err(e),
                    }
                } else {
                    // "She gets in touch herself" moves her back to `interested` where the
                    // funnel allows it (not_now, unreachable, paused, declined); anywhere
                    // else her request is a note for whoever answers for her. The funnel
                    // decides before anything is written, so the fallback is safe here.
                    match events::append_event(&mut tx, &event(known.id, EventKind::GotInTouch)).await {
                        Ok(_) => {}
                        Err(StoreError::Funnel(_)) => {
                            events::append_event(&mut tx, &event(known.id, EventKind::Note)).await?;
                        }
                        Err(e) => return Err(e),
                    }
                }
                set_best_time(&mut tx, known.id, w).await?;
                (
                    RegistrationOutcome::AddedToKnown(known.id),
                    recipients(&mut tx, known.contact_user_id, known.team_id).await?,
                )
            }
            Admitted::Created(id) => {
                events::append_event(&mut tx, &event(id, EventKind::Note)).await?;
                set_best_time(&mut tx, id, w).await?;
                // No team yet: the coordinators hand her to someone who speaks her language.
                (RegistrationOutcome::Created(id), recipients(&mut tx, None, None).await?)
            }
            // The rule never refuses her own request; should it ever, nothing is written.
            Admitted::Refused => return Err(StoreError::OnDoNotContact),
        };
        let person_id = outcome.person_id();
        let message = if declined_earlier { NOTIFY_SELF_REFERRAL_DECLINED } else { NOTIFY_SELF_REFERRAL };
        for user_id in notify {
            insert_notification(&mut tx, user_id, message, Some(person_id)).await?;
        }
        let audit =
            with_detail(audit, || format!("self_referral={} declined_earlier={declined_earlier}", outcome.code()));
        write_audit(&mut tx, &naming(&audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a request to be contacted"))?;
        Ok(outcome)
    }
}
