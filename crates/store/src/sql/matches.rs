//! The coordinators' queue of possible matches (issue 13, item 2): what the doors
//! from outside leave instead of acting on a known woman (`intake` writes it). Settling
//! an entry records who and when; the matching and merging itself is the
//! person-matching issue's.

use super::audit::naming;
use super::rows::{fmt_ts, opt_uuid, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::PossibleMatch;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::Stage;
use domain::intake::MatchReason;
use domain::person::SourceKind;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

fn row(r: &AnyRow) -> Result<PossibleMatch> {
    let e = || db("reading a possible match");
    let given: String = r.try_get("i_given").map_err(e())?;
    let family: String = r.try_get("i_family").map_err(e())?;
    let known_given: Option<String> = r.try_get("k_given").map_err(e())?;
    let known_family: Option<String> = r.try_get("k_family").map_err(e())?;
    let stage: Option<String> = r.try_get("k_stage").map_err(e())?;
    let reason: String = r.try_get("reason").map_err(e())?;
    let door: String = r.try_get("door").map_err(e())?;
    Ok(PossibleMatch {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        intake_id: parse_uuid(&r.try_get::<String, _>("intake_person_id").map_err(e())?)?,
        intake_name: format!("{given} {family}").trim().to_string(),
        intake_phone: r.try_get("i_phone").map_err(e())?,
        known_id: opt_uuid(r.try_get("known_person_id").map_err(e())?)?,
        known_name: known_given.map(|g| format!("{g} {}", known_family.unwrap_or_default()).trim().to_string()),
        known_stage: stage.as_deref().and_then(Stage::from_code),
        door: SourceKind::from_code(&door).ok_or_else(|| StoreError::Corrupt(format!("door '{door}'")))?,
        reason: MatchReason::from_code(&reason).ok_or_else(|| StoreError::Corrupt(format!("reason '{reason}'")))?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
    })
}

impl SqlStore {
    /// The open entries, oldest first, with both women's names and the known woman's
    /// stage in the initiative. Not audited: the caller audits the list naming them.
    pub async fn open_possible_matches(&self, initiative_id: Uuid) -> Result<Vec<PossibleMatch>> {
        let rows = sqlx::query(
            "SELECT m.id, m.intake_person_id, m.known_person_id, m.door, m.reason, m.created_at, \
             i.given_name AS i_given, i.family_name AS i_family, i.phone AS i_phone, \
             k.given_name AS k_given, k.family_name AS k_family, f.stage AS k_stage \
             FROM possible_matches m JOIN persons i ON i.id = m.intake_person_id \
             LEFT JOIN persons k ON k.id = m.known_person_id \
             LEFT JOIN funnels f ON f.person_id = m.known_person_id AND f.initiative_id = $1 \
             WHERE m.resolved_at IS NULL ORDER BY m.created_at, m.id",
        )
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing possible matches"))?;
        rows.iter().map(row).collect()
    }

    /// Settles an open entry: who, when and her note. `NotFound` for an unknown or
    /// already settled entry. Audited naming both women, in the same transaction.
    pub async fn resolve_possible_match(
        &self,
        id: Uuid,
        by: Uuid,
        note: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let found = sqlx::query(
            "SELECT intake_person_id, known_person_id FROM possible_matches WHERE id = $1 AND resolved_at IS NULL",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading a possible match"))?
        .ok_or(StoreError::NotFound("possible match"))?;
        let intake =
            parse_uuid(&found.try_get::<String, _>("intake_person_id").map_err(db("reading a possible match"))?)?;
        let known = opt_uuid(found.try_get("known_person_id").map_err(db("reading a possible match"))?)?;
        let done = sqlx::query(
            "UPDATE possible_matches SET resolved_at = $1, resolved_by = $2, resolution_note = $3 \
             WHERE id = $4 AND resolved_at IS NULL",
        )
        .bind(fmt_ts(at))
        .bind(by.to_string())
        .bind(note)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("settling a possible match"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("possible match"));
        }
        let mut audit = naming(audit, intake);
        audit.persons.extend(known);
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a settled possible match"))?;
        Ok(())
    }
}
