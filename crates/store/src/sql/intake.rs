//! Intake: the one way every door (a register run, a street registration, a partner's
//! referral, the open door) takes a woman in, inside the door's own transaction. It
//! reads what `domain::intake::decide` needs — the do-not-contact list (G-2.2), the
//! known woman, her sources and funnel — in that transaction, and writes what the rule
//! decides. What a door does besides (consents, notifications, her best time) stays
//! with the door. A door from outside never joins a known woman (issue 13, item 2): a
//! resemblance goes to the coordinators' queue of possible matches, written here.

use super::do_not_contact::dnc_contains;
use super::events;
use super::people::{Tx, insert_new_person, insert_source};
use super::rows::parse_uuid;
use super::{Backend, db};
use crate::Result;
use crate::records::NewPerson;
use domain::intake::{Decision, Found, MatchReason, decide};
use domain::policy::Role;
use sqlx::Row;
use uuid::Uuid;

/// How the door recognises a woman Opsøg already knows.
pub(crate) enum Identity<'a> {
    /// A register extract: by CPR number (as `Cpr::expose` writes it).
    Cpr(&'a str),
    /// A door without CPR: same phone, same normalised first name.
    PhoneAndName { phone_e164: &'a str, given_name: &'a str },
    /// Nothing to recognise her by (a referral without a phone): a new person.
    Unmatched,
}

pub(crate) struct Intake<'a> {
    pub identity: Identity<'a>,
    /// Her keyed identity hashes (`app::dnc`), checked against the list here.
    pub dnc_hashes: &'a [String],
    /// Her as a new person would be written; its source's kind is the door.
    pub new: &'a NewPerson,
}

/// The known woman a door matched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownWoman {
    pub id: Uuid,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Admitted {
    /// On the do-not-contact list and the door is not her own: nothing written.
    Refused,
    /// A new person; with a reason when she waits as a possible match.
    Created { id: Uuid, queued: Option<MatchReason> },
    /// The known woman (a register run only); `entered` when she entered the
    /// initiative just now.
    Joined { known: KnownWoman, entered: bool },
}

pub(crate) struct Intaken {
    pub admitted: Admitted,
}

/// Takes her in by the intake rule. A door without CPR first serialises on her phone
/// number (see `lock_phone`), so that two doors at once cannot make her two persons.
pub(crate) async fn admit(tx: &mut Tx, backend: Backend, intake: &Intake<'_>) -> Result<Intaken> {
    if let Identity::PhoneAndName { phone_e164, .. } = intake.identity {
        lock_phone(tx, backend, phone_e164).await?;
    }
    let on_do_not_contact = dnc_contains(tx, intake.dnc_hashes).await?;
    let new = intake.new;
    let known = match intake.identity {
        Identity::Cpr(cpr) => known_by_cpr(tx, cpr).await?,
        Identity::PhoneAndName { phone_e164, given_name } => known_by_phone(tx, phone_e164, given_name).await?,
        Identity::Unmatched => None,
    };
    let state = match &known {
        Some(k) => events::load_state(tx, k.id, new.initiative_id).await?.map(|(state, _)| state),
        None => None,
    };
    let found = match &known {
        None => None,
        Some(k) => Some(domain::intake::Known {
            has_this_source: has_source(tx, k.id, new.source.kind, new.source.reference_id).await?,
            in_initiative: state.is_some(),
            declined: state.is_some_and(|s| s.stage == domain::funnel::Stage::Declined),
        }),
    };
    let admitted = match (decide(new.source.kind, Found { on_do_not_contact, known: found }), known) {
        (Decision::Refuse, _) => Admitted::Refused,
        (Decision::Create { queue }, _) => {
            let id = Uuid::new_v4();
            insert_new_person(tx, id, new).await?;
            if let Some(reason) = queue {
                queue_possible_match(tx, id, known.map(|k| k.id), new, reason).await?;
            }
            Admitted::Created { id, queued: queue }
        }
        (Decision::Join { .. }, None) => {
            let id = Uuid::new_v4();
            insert_new_person(tx, id, new).await?;
            Admitted::Created { id, queued: None }
        }
        (Decision::Join { add_source, enter_funnel }, Some(known)) => {
            if add_source {
                insert_source(tx, known.id, &new.source).await?;
            }
            if enter_funnel {
                events::enter_funnel(tx, known.id, new.initiative_id, new.channel, &new.actor, new.at).await?;
            }
            Admitted::Joined { known, entered: enter_funnel }
        }
    };
    Ok(Intaken { admitted })
}

pub(crate) const NOTIFY_POSSIBLE_MATCH: &str = "notification-possible-match";

/// A new intake waits for a coordinator: the queue row, and a word to every active
/// coordinator (who sees the queue), naming the new intake only.
async fn queue_possible_match(
    tx: &mut Tx,
    intake_id: Uuid,
    known_id: Option<Uuid>,
    new: &NewPerson,
    reason: MatchReason,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO possible_matches (id, intake_person_id, known_person_id, door, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(intake_id.to_string())
    .bind(known_id.map(|k| k.to_string()))
    .bind(new.source.kind.code())
    .bind(reason.code())
    .bind(super::rows::fmt_ts(new.at))
    .execute(&mut **tx)
    .await
    .map_err(db("queueing a possible match"))?;
    for user_id in super::ambassadors::active_users(tx, Role::Coordinator, None).await? {
        super::insert_notification(tx, user_id, NOTIFY_POSSIBLE_MATCH, Some(intake_id)).await?;
    }
    Ok(())
}

async fn known_by_cpr(tx: &mut Tx, cpr: &str) -> Result<Option<KnownWoman>> {
    let row = sqlx::query("SELECT id FROM persons WHERE cpr = $1")
        .bind(cpr)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("looking for a known person"))?;
    row.as_ref().map(known_from_row).transpose()
}

async fn known_by_phone(tx: &mut Tx, phone_e164: &str, given_name: &str) -> Result<Option<KnownWoman>> {
    let wanted = domain::text::normalise_name(given_name);
    let rows = sqlx::query("SELECT id, given_name FROM persons WHERE phone = $1 ORDER BY created_at, id")
        .bind(phone_e164)
        .fetch_all(&mut **tx)
        .await
        .map_err(db("looking for a known person"))?;
    for r in &rows {
        let name: String = r.try_get("given_name").map_err(db("reading a known person"))?;
        if domain::text::normalise_name(&name) == wanted {
            return known_from_row(r).map(Some);
        }
    }
    Ok(None)
}

fn known_from_row(r: &sqlx::any::AnyRow) -> Result<KnownWoman> {
    let e = || db("reading a known person");
    Ok(KnownWoman { id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)? })
}

/// Whether she already has this source: same kind and same reference (a run, an
/// ambassador, a partner; none for the open door).
async fn has_source(
    tx: &mut Tx,
    person_id: Uuid,
    kind: domain::person::SourceKind,
    reference_id: Option<Uuid>,
) -> Result<bool> {
    let q = match reference_id {
        Some(r) => {
            sqlx::query("SELECT COUNT(*) FROM person_sources WHERE person_id = $1 AND kind = $2 AND reference_id = $3")
                .bind(person_id.to_string())
                .bind(kind.code())
                .bind(r.to_string())
        }
        None => sqlx::query(
            "SELECT COUNT(*) FROM person_sources WHERE person_id = $1 AND kind = $2 AND reference_id IS NULL",
        )
        .bind(person_id.to_string())
        .bind(kind.code()),
    };
    let n: i64 = q.fetch_one(&mut **tx).await.and_then(|r| r.try_get(0)).map_err(db("reading a person's sources"))?;
    Ok(n > 0)
}

/// Serialises the intakes of one phone number on PostgreSQL, so that two ambassadors
/// (or an ambassador and a partner) bringing in the same woman at the same moment
/// cannot both miss the other and make her two persons. On SQLite every write
/// transaction already holds the one write lock (`BEGIN IMMEDIATE`).
async fn lock_phone(tx: &mut Tx, backend: Backend, phone_e164: &str) -> Result<()> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    // FNV-1a: a stable key from the number (std's hasher may change between builds,
    // and a key must mean the same to every process). The lock ends with the
    // transaction.
    let key =
        phone_e164.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let key = i64::from_ne_bytes(key.to_ne_bytes());
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(&mut **tx)
        .await
        .map_err(db("locking a phone number"))?;
    Ok(())
}
