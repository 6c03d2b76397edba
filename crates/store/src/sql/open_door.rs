//! Her own request to be contacted (G-8.5, the public open door): one transaction, as
//! a street registration is. One woman is one person: a known woman (same phone, same
//! first name) gets the request on her record; anyone else becomes a new person at
//! `interested` with herself as source.

use super::ambassadors::{find_known, lock_phone, recipients, with_detail};
use super::audit::naming;
use super::people::{self, Tx};
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

pub(crate) async fn self_referral(
    store: &SqlStore,
    w: &SelfReferralWrite,
    audit: &AuditRecord,
) -> Result<RegistrationOutcome> {
    let r = &w.request;
    let phone = r.phone.as_e164();
    let mut tx: Tx = store.begin().await?;
    lock_phone(&mut tx, store.backend_kind(), phone).await?;
    let source = Source {
        kind: SourceKind::SelfReferral,
        reference_id: None,
        label: "Selvhenvendelse (kontaktsiden)".into(),
        added_at: w.at,
    };
    let actor = EventActor { user_id: None, name: "Kontaktsiden".into() };
    let channel = Channel::SelfReferral;
    let note = r.note(w.declined_earlier);
    let (outcome, notify) = match find_known(&mut tx, phone, &r.given_name).await? {
        Some(known) => {
            people::insert_source(&mut tx, known.id, &source).await?;
            let event = |kind| NewEvent {
                person_id: known.id,
                initiative_id: w.initiative_id,
                input: TransitionInput { kind, at: w.at, channel, new_contact_data: false },
                actor: actor.clone(),
                language: Some(r.language.clone()),
                interpreter_used: false,
                note: note.clone(),
                do_not_contact: Vec::new(),
            };
            if people::load_state(&mut tx, known.id, w.initiative_id).await?.is_none() {
                people::enter_funnel(&mut tx, known.id, w.initiative_id, channel, &actor, w.at).await?;
                people::append_event(&mut tx, &event(EventKind::Note)).await?;
            } else {
                // "She gets in touch herself" moves her back to `interested` where the
                // funnel allows it (not_now, unreachable, paused, declined); anywhere
                // else her request is a note for whoever answers for her. The funnel
                // decides before anything is written, so the fallback is safe here.
                match people::append_event(&mut tx, &event(EventKind::GotInTouch)).await {
                    Ok(_) => {}
                    Err(StoreError::Funnel(_)) => {
                        people::append_event(&mut tx, &event(EventKind::Note)).await?;
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
        None => {
            let id = Uuid::new_v4();
            let new = NewPerson {
                details: r.person_details(),
                team_id: None,
                contact_user_id: None,
                source,
                initiative_id: w.initiative_id,
                channel,
                actor: actor.clone(),
                at: w.at,
            };
            people::insert_new_person(&mut tx, id, &new).await?;
            let event = NewEvent {
                person_id: id,
                initiative_id: w.initiative_id,
                input: TransitionInput { kind: EventKind::Note, at: w.at, channel, new_contact_data: false },
                actor,
                language: Some(r.language.clone()),
                interpreter_used: false,
                note,
                do_not_contact: Vec::new(),
            };
            people::append_event(&mut tx, &event).await?;
            set_best_time(&mut tx, id, w).await?;
            // No team yet: the coordinators hand her to someone who speaks her language.
            (RegistrationOutcome::Created(id), recipients(&mut tx, None, None).await?)
        }
    };
    let person_id = outcome.person_id();
    let message = if w.declined_earlier { NOTIFY_SELF_REFERRAL_DECLINED } else { NOTIFY_SELF_REFERRAL };
    for user_id in notify {
        insert_notification(&mut tx, user_id, message, Some(person_id)).await?;
    }
    let audit =
        with_detail(audit, || format!("self_referral={} declined_earlier={}", outcome.code(), w.declined_earlier));
    write_audit(&mut tx, &naming(&audit, person_id)).await?;
    tx.commit().await.map_err(db("committing a request to be contacted"))?;
    Ok(outcome)
}

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
