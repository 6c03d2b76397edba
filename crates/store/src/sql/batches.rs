//! Letter batches (issue 4, items 2, 3 and 7): the women a batch weighs, and a sent
//! batch written whole — its response codes, `letter_sent` events (with the MeMo
//! messageUUID), new contact persons and the batch itself — or nothing.

use super::events;
use super::people::{self, Tx};
use super::rows::{fmt_ts, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::{BatchCandidate, BatchLetterRecord, LetterBatchRecord, LetterBatchWrite, NewEvent};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::letter_batch::{Delivery, LETTER_STAGES, Skip};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

const BATCH_COLUMNS: &str = "id, initiative_id, run_id, created_by_name, created_at, letters, digital_post, paper, \
    skipped, check_errors, override_reason, print_files";

/// Why women were left out, stored as `[[code, count], …]` (`Skip::code`); an unknown
/// code is corrupt data, not a silent zero.
fn skipped_from_json(json: &str) -> Result<Vec<(Skip, u32)>> {
    let coded: Vec<(String, u32)> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("letter_batches.skipped: {e}")))?;
    coded
        .into_iter()
        .map(|(code, n)| {
            Skip::from_code(&code)
                .map(|s| (s, n))
                .ok_or_else(|| StoreError::Corrupt(format!("letter_batches.skipped: unknown reason {code:?}")))
        })
        .collect()
}

fn skipped_json(skipped: &[(Skip, u32)]) -> Result<String> {
    let coded: Vec<(&str, u32)> = skipped.iter().map(|(s, n)| (s.code(), *n)).collect();
    serde_json::to_string(&coded).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn batch_row(r: &AnyRow) -> Result<LetterBatchRecord> {
    let e = || db("reading a letter batch");
    let n = |c: &'static str| -> Result<u32> {
        let v: i64 = r.try_get(c).map_err(db("reading a letter batch"))?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("letter_batches.{c} = {v}")))
    };
    let skipped: String = r.try_get("skipped").map_err(e())?;
    Ok(LetterBatchRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        run_id: r.try_get::<Option<String>, _>("run_id").map_err(e())?.as_deref().map(parse_uuid).transpose()?,
        created_by_name: r.try_get("created_by_name").map_err(e())?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
        letters: n("letters")?,
        digital_post: n("digital_post")?,
        paper: n("paper")?,
        skipped: skipped_from_json(&skipped)?,
        check_errors: n("check_errors")?,
        override_reason: r.try_get("override_reason").map_err(e())?,
        print_files: n("print_files")?,
    })
}

impl SqlStore {
    /// The women `run_id` found who are at a stage a letter can follow
    /// (`domain::letter_batch::LETTER_STAGES`), with their records; `domain::letter_batch` decides who gets a
    /// letter. Not audited here: the caller audits what it shows or sends.
    pub async fn letter_batch_candidates(&self, initiative_id: Uuid, run_id: Uuid) -> Result<Vec<BatchCandidate>> {
        let rows = sqlx::query(
            "SELECT p.id, u.direct_phone, \
               (SELECT e.kind FROM events e WHERE e.person_id = p.id AND e.initiative_id = $2 AND e.voided_at IS NULL \
                  ORDER BY e.seq DESC LIMIT 1) AS last_kind, \
               (SELECT MAX(e.occurred_at) FROM events e WHERE e.person_id = p.id AND e.initiative_id = $2 \
                  AND e.voided_at IS NULL AND e.kind = 'letter_sent') AS last_letter \
             FROM person_sources s \
             JOIN persons p ON p.id = s.person_id \
             JOIN funnels f ON f.person_id = p.id AND f.initiative_id = $2 \
             LEFT JOIN users u ON u.id = p.contact_user_id \
             WHERE s.kind = 'register_run' AND s.reference_id = $1 AND f.stage IN ($3, $4) \
             ORDER BY p.family_name, p.given_name, p.id",
        )
        .bind(run_id.to_string())
        .bind(initiative_id.to_string())
        .bind(LETTER_STAGES[0].code())
        .bind(LETTER_STAGES[1].code())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing a run's women for a letter batch"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let e = || db("reading a run's woman for a letter batch");
            let id = parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?;
            let kind: Option<String> = r.try_get("last_kind").map_err(e())?;
            let last_letter: Option<String> = r.try_get("last_letter").map_err(e())?;
            let Some(record) = self.read_person(id).await? else { continue };
            let Some(funnel) = record.funnels.iter().find(|f| f.initiative_id == initiative_id) else { continue };
            let state = funnel.state;
            let event_count = funnel.event_count;
            out.push(BatchCandidate {
                event_count,
                // As the letter prints it; a number that no longer parses is no number.
                contact_phone: r
                    .try_get::<Option<String>, _>("direct_phone")
                    .map_err(e())?
                    .and_then(|p| domain::PhoneNumber::parse(&p).ok())
                    .map(|p| p.display()),
                state,
                last_event: kind
                    .as_deref()
                    .map(|k| EventKind::from_code(k).ok_or_else(|| StoreError::Corrupt(format!("event kind {k}"))))
                    .transpose()?,
                last_letter_at: last_letter.as_deref().map(parse_ts).transpose()?,
                record,
            });
        }
        Ok(out)
    }

    /// A sent batch, in one transaction: the batch, each letter's response code, its
    /// `letter_sent` event with the MeMo messageUUID, a contact person for a woman who
    /// had none. All or nothing: a `Funnel` error (someone moved her meanwhile) or any
    /// other writes no letter of it. Audited, naming every woman.
    ///
    /// The batch whole, or nothing: a letter whose event the funnel refuses, or whose funnel
    /// has events the batch did not see (another batch or a call since it was planned),
    /// fails the batch, and no letter of it counts as sent.
    pub async fn record_letter_batch(&self, b: &LetterBatchWrite, audit: &AuditRecord) -> Result<()> {
        let mut tx: Tx = self.begin().await?;
        let count =
            |d: Delivery| i64::try_from(b.letters.iter().filter(|l| l.delivery == d).count()).unwrap_or(i64::MAX);
        let skipped = skipped_json(&b.skipped)?;
        sqlx::query(
            "INSERT INTO letter_batches (id, initiative_id, run_id, created_by, created_by_name, created_at, letters, \
             digital_post, paper, skipped, check_errors, override_reason, print_files) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(b.id.to_string())
        .bind(b.initiative_id.to_string())
        .bind(b.run_id.map(|r| r.to_string()))
        .bind(b.actor.user_id.map(|u| u.to_string()))
        .bind(&b.actor.name)
        .bind(fmt_ts(b.created_at))
        .bind(i64::try_from(b.letters.len()).unwrap_or(i64::MAX))
        .bind(count(Delivery::DigitalPost))
        .bind(count(Delivery::Paper))
        .bind(skipped)
        .bind(i64::from(b.check_errors))
        .bind(b.override_reason.clone())
        .bind(i64::from(b.print_files))
        .execute(&mut *tx)
        .await
        .map_err(db("saving a letter batch"))?;
        let by = b.actor.user_id.ok_or(StoreError::NotFound("user"))?;
        for (seq, l) in b.letters.iter().enumerate() {
            let now_seen = events::load_state(&mut tx, l.person_id, b.initiative_id).await?.map(|(_, n)| n);
            if now_seen != i64::try_from(l.seen_events).ok() {
                return Err(StoreError::Conflict {
                    constraint: "her funnel changed since the batch was planned".into(),
                });
            }
            if super::do_not_contact::dnc_contains(&mut tx, &l.dnc_hashes).await? {
                return Err(StoreError::Conflict {
                    constraint: "she asked not to be contacted since the batch was planned".into(),
                });
            }
            if let Some((contact, team)) = l.new_contact {
                people::assign_contact(&mut tx, l.person_id, contact, team, by, b.created_at).await?;
            }
            sqlx::query(
                "INSERT INTO response_codes (code_hash, person_id, initiative_id, issued_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&l.code.code_hash)
            .bind(l.person_id.to_string())
            .bind(l.code.initiative_id.to_string())
            .bind(fmt_ts(l.code.issued_at))
            .bind(fmt_ts(l.code.expires_at))
            .execute(&mut *tx)
            .await
            .map_err(db("saving a letter's response code"))?;
            let event = NewEvent {
                person_id: l.person_id,
                initiative_id: b.initiative_id,
                input: TransitionInput {
                    kind: EventKind::LetterSent,
                    at: b.created_at,
                    channel: Channel::Letter,
                    new_contact_data: false,
                },
                actor: b.actor.clone(),
                language: Some(l.language.clone()),
                interpreter_used: false,
                note: l.note.clone(),
                do_not_contact: Vec::new(),
            };
            let (event_id, _) = events::append_event(&mut tx, &event).await?;
            sqlx::query("UPDATE events SET message_uuid = $1 WHERE id = $2")
                .bind(l.message_uuid.map(|u| u.to_string()))
                .bind(event_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("keeping a letter's messageUUID"))?;
            sqlx::query(
                "INSERT INTO batch_letters (batch_id, seq, person_id, delivery, language, message_uuid, event_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(b.id.to_string())
            .bind(i64::try_from(seq + 1).unwrap_or(i64::MAX))
            .bind(l.person_id.to_string())
            .bind(l.delivery.code())
            .bind(&l.language)
            .bind(l.message_uuid.map(|u| u.to_string()))
            .bind(event_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("saving a batch's letter"))?;
        }
        // Every woman written to is named; a woman is in a batch once.
        let mut audit = audit.clone();
        let named: std::collections::HashSet<Uuid> = audit.persons.iter().copied().collect();
        audit.persons.extend(b.letters.iter().map(|l| l.person_id).filter(|p| !named.contains(p)));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a letter batch"))
    }

    /// The initiative's batches, newest first.
    pub async fn letter_batches(&self, initiative_id: Uuid) -> Result<Vec<LetterBatchRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {BATCH_COLUMNS} FROM letter_batches WHERE initiative_id = $1 ORDER BY created_at DESC, id"
        )))
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing letter batches"))?;
        rows.iter().map(batch_row).collect()
    }

    pub async fn letter_batch(&self, id: Uuid) -> Result<Option<LetterBatchRecord>> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {BATCH_COLUMNS} FROM letter_batches WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a letter batch"))?;
        r.as_ref().map(batch_row).transpose()
    }

    /// The batch's letters in order, with the messageUUID as her event keeps it. Not
    /// audited: the caller audits the women it shows.
    pub async fn batch_letters(&self, batch_id: Uuid) -> Result<Vec<BatchLetterRecord>> {
        let rows = sqlx::query(
            "SELECT b.seq, b.person_id, p.given_name, p.family_name, b.delivery, b.language, e.message_uuid, b.event_id \
             FROM batch_letters b JOIN persons p ON p.id = b.person_id JOIN events e ON e.id = b.event_id \
             WHERE b.batch_id = $1 ORDER BY b.seq",
        )
        .bind(batch_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing a batch's letters"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a batch's letter");
                let given: String = r.try_get("given_name").map_err(e())?;
                let family: String = r.try_get("family_name").map_err(e())?;
                let delivery: String = r.try_get("delivery").map_err(e())?;
                let seq: i64 = r.try_get("seq").map_err(e())?;
                Ok(BatchLetterRecord {
                    seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt(format!("batch_letters.seq = {seq}")))?,
                    person_id: parse_uuid(&r.try_get::<String, _>("person_id").map_err(e())?)?,
                    name: format!("{given} {family}").trim().to_string(),
                    delivery: Delivery::from_code(&delivery)
                        .ok_or_else(|| StoreError::Corrupt(format!("batch_letters.delivery = {delivery}")))?,
                    language: r.try_get("language").map_err(e())?,
                    message_uuid: r
                        .try_get::<Option<String>, _>("message_uuid")
                        .map_err(e())?
                        .as_deref()
                        .map(parse_uuid)
                        .transpose()?,
                    event_id: parse_uuid(&r.try_get::<String, _>("event_id").map_err(e())?)?,
                })
            })
            .collect()
    }

    /// Sets the initiative's contact cadence (G-5.7). `NotFound` for an unknown
    /// initiative. Audited.
    pub async fn set_cadence(
        &self,
        initiative_id: Uuid,
        c: &domain::calls::Cadence,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx: Tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE initiatives SET call_after_letter_days = $2, call_again_days = $3, second_letter_after_days = $4, \
             max_attempts = $5 WHERE id = $1",
        )
        .bind(initiative_id.to_string())
        .bind(i64::from(c.call_after_letter_days))
        .bind(i64::from(c.call_again_days))
        .bind(i64::from(c.second_letter_after_days))
        .bind(i64::from(c.max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db("saving the contact cadence"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("initiative"));
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing the contact cadence"))?;
        self.forget_reference();
        Ok(())
    }
}
