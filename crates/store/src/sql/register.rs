//! Register search (issue 3): selection rule versions, column mappings, uploaded
//! extracts, accepted runs and the review queue of uncertain links.
//!
//! What a rule means, which rows a run selects and whether a link is certain are
//! decided before anything reaches the store (`domain::selection`, `register`,
//! `jobs`). Here a run is written whole or not at all: the run row, every woman it
//! found (a new person at `identified`, or a source added to a woman already known —
//! one woman is one person) and its review queue, in one transaction.

use super::ambassadors::with_detail;
use super::do_not_contact::dnc_contains;
use super::intake::{self, Identity, Intake};
use super::people::Tx;
use super::rows::{fmt_ts, parse_date, parse_ts, parse_uuid};
use super::{Backend, SqlStore, db, write_audit};
use crate::records::{
    LinkDecision, LinkReviewRecord, LinkReviewWrite, RegisterRunRecord, RegisterSourceRecord, RunCandidate, RunOutcome,
    SelectionRulesRecord,
};
use crate::{EventActor, NewPerson, Result, StoreError};
use domain::audit::AuditRecord;
use domain::extract::{ExtractKind, LinkReviewStatus};
use domain::person::{Source, SourceKind};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

// --- selection rules

fn rules_row(r: &AnyRow) -> Result<SelectionRulesRecord> {
    let e = || db("reading selection rules");
    let version: i64 = r.try_get("version").map_err(e())?;
    Ok(SelectionRulesRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        version: u32::try_from(version).map_err(|_| StoreError::Corrupt(format!("rules version {version}")))?,
        name: r.try_get("name").map_err(e())?,
        toml: r.try_get("toml").map_err(e())?,
        checksum: r.try_get("checksum").map_err(e())?,
        created_by: parse_uuid(&r.try_get::<String, _>("created_by").map_err(e())?)?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
    })
}

// --- column mappings

// --- uploaded extracts

const SOURCE_COLUMNS: &str = "id, initiative_id, kind, file_name, stored_name, sha256, bytes, data_rows, mapping, \
    uploaded_by, uploaded_at, delete_on, deleted_at, reference_date, readings";

fn source_row(r: &AnyRow) -> Result<RegisterSourceRecord> {
    let e = || db("reading an uploaded extract");
    let deleted_at: Option<String> = r.try_get("deleted_at").map_err(e())?;
    let bytes: i64 = r.try_get("bytes").map_err(e())?;
    let rows: i64 = r.try_get("data_rows").map_err(e())?;
    Ok(RegisterSourceRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        kind: extract_kind(&r.try_get::<String, _>("kind").map_err(e())?)?,
        file_name: r.try_get("file_name").map_err(e())?,
        stored_name: r.try_get("stored_name").map_err(e())?,
        sha256: r.try_get("sha256").map_err(e())?,
        bytes: u64::try_from(bytes).unwrap_or(0),
        rows: u64::try_from(rows).unwrap_or(0),
        mapping: r.try_get("mapping").map_err(e())?,
        uploaded_by: parse_uuid(&r.try_get::<String, _>("uploaded_by").map_err(e())?)?,
        uploaded_at: parse_ts(&r.try_get::<String, _>("uploaded_at").map_err(e())?)?,
        delete_on: parse_date(&r.try_get::<String, _>("delete_on").map_err(e())?)?,
        deleted_at: deleted_at.as_deref().map(parse_ts).transpose()?,
        reference_date: r
            .try_get::<Option<String>, _>("reference_date")
            .map_err(e())?
            .as_deref()
            .map(parse_date)
            .transpose()?,
        readings: r.try_get("readings").map_err(e())?,
    })
}

// --- runs

async fn area_ids(tx: &mut Tx) -> Result<HashMap<String, Uuid>> {
    let rows = sqlx::query("SELECT id, code FROM areas").fetch_all(&mut **tx).await.map_err(db("reading areas"))?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id").map_err(db("reading an area"))?;
            Ok((r.try_get("code").map_err(db("reading an area"))?, parse_uuid(&id)?))
        })
        .collect()
}

enum Admitted {
    Created(Uuid),
    AddedToKnown(Uuid),
    AlreadyInInitiative(Uuid),
    OnDoNotContact,
}

struct RunContext<'a> {
    run_id: Uuid,
    label: String,
    initiative_id: Uuid,
    actor: EventActor,
    at: OffsetDateTime,
    areas: &'a HashMap<String, Uuid>,
}

/// One woman a run found, taken in by `intake` (CPR identifies her): left out if on
/// the do-not-contact list; a source (and the funnel, if she is not in it) added when
/// she is known; else a new person entering at `identified` through the register-search
/// channel.
async fn admit(tx: &mut Tx, backend: Backend, c: &RunCandidate, ctx: &RunContext<'_>) -> Result<Admitted> {
    let source = Source {
        kind: SourceKind::RegisterRun,
        reference_id: Some(ctx.run_id),
        label: ctx.label.clone(),
        added_at: ctx.at,
    };
    // Stored as `Cpr::expose` writes it, whichever form the extract had.
    let cpr = domain::Cpr::parse(&c.candidate.cpr)
        .map_err(|e| StoreError::Corrupt(format!("a candidate's CPR number: {e}")))?
        .expose();
    let area = c.candidate.area_code.as_ref().and_then(|code| ctx.areas.get(code).copied());
    let new = NewPerson::through_door(c.candidate.details(area), source, ctx.initiative_id, ctx.actor.clone(), ctx.at);
    let intake = Intake { identity: Identity::Cpr(&cpr), dnc_hashes: &c.dnc_hashes, new: &new };
    let admitted = match intake::admit(tx, backend, &intake).await?.admitted {
        intake::Admitted::Refused => Admitted::OnDoNotContact,
        intake::Admitted::Joined { known, entered: false } => Admitted::AlreadyInInitiative(known.id),
        intake::Admitted::Joined { known, entered: true } => Admitted::AddedToKnown(known.id),
        intake::Admitted::Created { id, .. } => {
            if !new.details.languages.is_empty() {
                // A register knows no language: hers was inferred from her country of origin.
                sqlx::query("UPDATE persons SET languages_inferred = 1 WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await
                    .map_err(db("marking her language inferred"))?;
            }
            Admitted::Created(id)
        }
    };
    Ok(admitted)
}

fn count(outcome: &mut RunOutcome, persons: &mut Vec<Uuid>, a: Admitted) {
    match a {
        Admitted::Created(id) => {
            outcome.created += 1;
            persons.push(id);
        }
        Admitted::AddedToKnown(id) => {
            outcome.added_to_known += 1;
            persons.push(id);
        }
        Admitted::AlreadyInInitiative(id) => {
            outcome.already_in_initiative += 1;
            persons.push(id);
        }
        Admitted::OnDoNotContact => outcome.on_do_not_contact += 1,
    }
}

const RUN_COLUMNS: &str = "r.id, r.initiative_id, r.plan_version, r.legal_basis, r.rules_id, r.rules_checksum, \
    r.sources, r.counts, r.overview, r.run_by, u.display_name AS run_by_name, r.run_at";

fn run_row(r: &AnyRow) -> Result<RegisterRunRecord> {
    let e = || db("reading a register run");
    Ok(RegisterRunRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        plan_version: u32::try_from(r.try_get::<i64, _>("plan_version").map_err(e())?).unwrap_or(0),
        legal_basis: r.try_get("legal_basis").map_err(e())?,
        rules_id: parse_uuid(&r.try_get::<String, _>("rules_id").map_err(e())?)?,
        rules_checksum: r.try_get("rules_checksum").map_err(e())?,
        sources: r.try_get("sources").map_err(e())?,
        counts: r.try_get("counts").map_err(e())?,
        overview: r.try_get("overview").map_err(e())?,
        run_by: parse_uuid(&r.try_get::<String, _>("run_by").map_err(e())?)?,
        run_by_name: r.try_get("run_by_name").map_err(e())?,
        run_at: parse_ts(&r.try_get::<String, _>("run_at").map_err(e())?)?,
    })
}

// --- the review queue

const REVIEW_COLUMNS: &str = "id, run_id, list_kind, list_file, list_row, probability, list_name, list_birth_date, list_phone, candidate, status, evidence";

fn extract_kind(code: &str) -> Result<ExtractKind> {
    ExtractKind::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("extract kind '{code}'")))
}

fn review_row(r: &AnyRow) -> Result<LinkReviewRecord> {
    let e = || db("reading a link for review");
    let candidate: Option<String> = r.try_get("candidate").map_err(e())?;
    let birth: Option<String> = r.try_get("list_birth_date").map_err(e())?;
    let row: i64 = r.try_get("list_row").map_err(e())?;
    Ok(LinkReviewRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        run_id: parse_uuid(&r.try_get::<String, _>("run_id").map_err(e())?)?,
        list_kind: extract_kind(&r.try_get::<String, _>("list_kind").map_err(e())?)?,
        list_file: r.try_get("list_file").map_err(e())?,
        list_row: u64::try_from(row).unwrap_or(0),
        probability: r.try_get("probability").map_err(e())?,
        list_name: r.try_get("list_name").map_err(e())?,
        list_birth_date: birth.as_deref().map(parse_date).transpose()?,
        list_phone: r.try_get("list_phone").map_err(e())?,
        candidate: candidate
            .map(|c| serde_json::from_str(&c).map_err(|e| StoreError::Corrupt(format!("a candidate for review: {e}"))))
            .transpose()?,
        status: {
            let status: String = r.try_get("status").map_err(e())?;
            LinkReviewStatus::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("link review status '{status}'")))?
        },
        evidence: r.try_get("evidence").map_err(e())?,
    })
}

impl SqlStore {
    /// Saves the next version of the initiative's selection rules (the TOML text as
    /// given, with its SHA-256). Audited.
    pub async fn save_selection_rules(
        &self,
        initiative_id: Uuid,
        name: &str,
        toml: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<SelectionRulesRecord> {
        let mut tx = self.begin().await?;
        let last: Option<i64> = sqlx::query("SELECT MAX(version) FROM selection_rules WHERE initiative_id = $1")
            .bind(initiative_id.to_string())
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("reading the rules' last version"))?;
        let record = SelectionRulesRecord {
            id: Uuid::new_v4(),
            initiative_id,
            version: u32::try_from(last.unwrap_or(0) + 1).unwrap_or(u32::MAX),
            name: name.to_string(),
            toml: toml.to_string(),
            checksum: domain::selection::Rules::checksum(toml),
            created_by: by,
            created_at: OffsetDateTime::now_utc(),
        };
        sqlx::query(
            "INSERT INTO selection_rules (id, initiative_id, version, name, toml, checksum, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(record.id.to_string())
        .bind(initiative_id.to_string())
        .bind(i64::from(record.version))
        .bind(&record.name)
        .bind(&record.toml)
        .bind(&record.checksum)
        .bind(by.to_string())
        .bind(fmt_ts(record.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db("saving selection rules"))?;
        let audit =
            with_detail(audit, || format!("selection_rules version={} sha256={}", record.version, record.checksum));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing selection rules"))?;
        Ok(record)
    }

    /// Every version, newest first.
    pub async fn selection_rules(&self, initiative_id: Uuid) -> Result<Vec<SelectionRulesRecord>> {
        let rows = sqlx::query(
            "SELECT id, initiative_id, version, name, toml, checksum, created_by, created_at FROM selection_rules \
             WHERE initiative_id = $1 ORDER BY version DESC",
        )
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing selection rules"))?;
        rows.iter().map(rules_row).collect()
    }

    /// Keeps the mapping (JSON) for the next upload of that kind. Audited.
    pub async fn save_column_mapping(
        &self,
        kind: ExtractKind,
        mapping: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let at = fmt_ts(OffsetDateTime::now_utc());
        sqlx::query("DELETE FROM column_mappings WHERE kind = $1")
            .bind(kind.code())
            .execute(&mut *tx)
            .await
            .map_err(db("replacing a column mapping"))?;
        sqlx::query("INSERT INTO column_mappings (kind, mapping, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(kind.code())
            .bind(mapping)
            .bind(by.to_string())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(db("saving a column mapping"))?;
        write_audit(&mut tx, &with_detail(audit, || format!("column_mapping kind={}", kind.code()))).await?;
        tx.commit().await.map_err(db("committing a column mapping"))?;
        Ok(())
    }

    /// `(kind, mapping JSON)`.
    pub async fn column_mappings(&self) -> Result<Vec<(ExtractKind, String)>> {
        let rows = sqlx::query("SELECT kind, mapping FROM column_mappings ORDER BY kind")
            .fetch_all(self.pool())
            .await
            .map_err(db("listing column mappings"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    extract_kind(&r.try_get::<String, _>("kind").map_err(db("reading a mapping"))?)?,
                    r.try_get("mapping").map_err(db("reading a mapping"))?,
                ))
            })
            .collect()
    }

    /// Records an uploaded extract (the file is already in the extract folder). Audited.
    pub async fn add_register_source(&self, s: &RegisterSourceRecord, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO register_sources (id, initiative_id, kind, file_name, stored_name, sha256, bytes, data_rows, \
             mapping, uploaded_by, uploaded_at, delete_on, reference_date, readings) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(s.id.to_string())
        .bind(s.initiative_id.to_string())
        .bind(s.kind.code())
        .bind(&s.file_name)
        .bind(&s.stored_name)
        .bind(&s.sha256)
        .bind(i64::try_from(s.bytes).unwrap_or(i64::MAX))
        .bind(i64::try_from(s.rows).unwrap_or(i64::MAX))
        .bind(&s.mapping)
        .bind(s.uploaded_by.to_string())
        .bind(fmt_ts(s.uploaded_at))
        .bind(s.delete_on.to_string())
        .bind(s.reference_date.map(|d| d.to_string()))
        .bind(&s.readings)
        .execute(&mut *tx)
        .await
        .map_err(db("saving an uploaded extract"))?;
        let audit = with_detail(audit, || {
            format!("register_source kind={} file={} rows={} sha256={}", s.kind.code(), s.file_name, s.rows, s.sha256)
        });
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing an uploaded extract"))?;
        Ok(())
    }

    /// Newest first, deleted ones included (a run names them).
    pub async fn register_sources(&self, initiative_id: Uuid) -> Result<Vec<RegisterSourceRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM register_sources WHERE initiative_id = $1 ORDER BY uploaded_at DESC"
        )))
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing uploaded extracts"))?;
        rows.iter().map(source_row).collect()
    }

    /// Every extract not yet deleted whose date has come (all initiatives).
    pub async fn sources_due_for_deletion(&self, today: time::Date) -> Result<Vec<RegisterSourceRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM register_sources WHERE deleted_at IS NULL AND delete_on <= $1 ORDER BY uploaded_at"
        )))
        .bind(today.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing extracts due for deletion"))?;
        rows.iter().map(source_row).collect()
    }

    /// Records that these extracts' files were deleted (G-5.5). Audited.
    ///
    /// Records that the files are gone (G-5.5); the caller has deleted them first.
    pub async fn mark_sources_deleted(&self, ids: &[Uuid], by: Option<Uuid>, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let at = fmt_ts(OffsetDateTime::now_utc());
        for id in ids {
            sqlx::query(
                "UPDATE register_sources SET deleted_at = $1, deleted_by = $2 WHERE id = $3 AND deleted_at IS NULL",
            )
            .bind(&at)
            .bind(by.map(|u| u.to_string()))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("recording a deleted extract"))?;
        }
        let list = ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
        write_audit(&mut tx, &with_detail(audit, || format!("register_sources_deleted={list}"))).await?;
        tx.commit().await.map_err(db("committing deleted extracts"))?;
        Ok(())
    }

    /// Writes an accepted run whole, or nothing: the run, every candidate (left out if
    /// on the do-not-contact list; a known woman by CPR gets a source, never a second
    /// record; a new one enters at `identified`) and the links for review. Audited,
    /// naming every woman it touched.
    pub async fn accept_register_run(
        &self,
        run: &RegisterRunRecord,
        candidates: &[RunCandidate],
        reviews: &[LinkReviewWrite],
        audit: &AuditRecord,
    ) -> Result<RunOutcome> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO register_runs (id, initiative_id, plan_version, legal_basis, rules_id, rules_checksum, \
             sources, counts, overview, run_by, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(run.id.to_string())
        .bind(run.initiative_id.to_string())
        .bind(i64::from(run.plan_version))
        .bind(&run.legal_basis)
        .bind(run.rules_id.to_string())
        .bind(&run.rules_checksum)
        .bind(&run.sources)
        .bind(&run.counts)
        .bind(&run.overview)
        .bind(run.run_by.to_string())
        .bind(fmt_ts(run.run_at))
        .execute(&mut *tx)
        .await
        .map_err(db("saving a register run"))?;
        let areas = area_ids(&mut tx).await?;
        let ctx = RunContext {
            run_id: run.id,
            label: format!("Registersøgning {}", run.run_at.date()),
            initiative_id: run.initiative_id,
            actor: EventActor { user_id: Some(run.run_by), name: run.run_by_name.clone() },
            at: run.run_at,
            areas: &areas,
        };
        let mut outcome = RunOutcome::default();
        let mut persons = Vec::new();
        for c in candidates {
            let a = admit(&mut tx, self.backend_kind(), c, &ctx).await?;
            count(&mut outcome, &mut persons, a);
        }
        for r in reviews {
            if dnc_contains(&mut tx, &r.candidate.dnc_hashes).await? {
                outcome.on_do_not_contact += 1;
                continue;
            }
            let candidate = serde_json::to_string(&r.candidate.candidate)
                .map_err(|e| StoreError::Corrupt(format!("a candidate for review: {e}")))?;
            sqlx::query(
                "INSERT INTO link_reviews (id, run_id, initiative_id, list_kind, list_file, list_row, probability, \
                 list_name, list_birth_date, list_phone, candidate, evidence) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(run.id.to_string())
            .bind(run.initiative_id.to_string())
            .bind(r.list_kind.code())
            .bind(&r.list_file)
            .bind(i64::try_from(r.list_row).unwrap_or(i64::MAX))
            .bind(r.probability)
            .bind(&r.list_name)
            .bind(r.list_birth_date.map(|d| d.to_string()))
            .bind(r.list_phone.clone())
            .bind(candidate)
            .bind(&r.evidence)
            .execute(&mut *tx)
            .await
            .map_err(db("queueing a link for review"))?;
            outcome.for_review += 1;
        }
        let mut audit = with_detail(audit, || {
            format!(
                "register_run={} rules_sha256={} created={} added_to_known={} already={} do_not_contact={} review={}",
                run.id,
                run.rules_checksum,
                outcome.created,
                outcome.added_to_known,
                outcome.already_in_initiative,
                outcome.on_do_not_contact,
                outcome.for_review
            )
        });
        audit.persons.extend(persons);
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a register run"))?;
        Ok(outcome)
    }

    /// Newest first.
    pub async fn register_runs(&self, initiative_id: Uuid) -> Result<Vec<RegisterRunRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM register_runs r JOIN users u ON u.id = r.run_by \
             WHERE r.initiative_id = $1 ORDER BY r.run_at DESC"
        )))
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing register runs"))?;
        rows.iter().map(run_row).collect()
    }

    /// Pending uncertain links, most likely first.
    pub async fn pending_link_reviews(&self, initiative_id: Uuid) -> Result<Vec<LinkReviewRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REVIEW_COLUMNS} FROM link_reviews WHERE initiative_id = $1 AND status = 'pending' \
             ORDER BY probability DESC, list_row"
        )))
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing links for review"))?;
        rows.iter().map(review_row).collect()
    }

    /// Confirms or rejects a pending link; `Conflict` if decided already, `NotFound` if
    /// there is no such link. A confirmed link admits her as the run would have (the
    /// do-not-contact list checked again: it may have grown since). Either way both sides
    /// of the comparison are cleared. Returns her person id when she was admitted.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_link_review(
        &self,
        id: Uuid,
        initiative_id: Uuid,
        decision: LinkDecision,
        dnc_hashes: &[String],
        actor: &EventActor,
        audit: &AuditRecord,
    ) -> Result<Option<Uuid>> {
        let mut tx = self.begin().await?;
        let lock = if self.backend_kind() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REVIEW_COLUMNS} FROM link_reviews WHERE id = $1 AND initiative_id = $2{lock}"
        )))
        .bind(id.to_string())
        .bind(initiative_id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading a link for review"))?
        .ok_or(StoreError::NotFound("link review"))?;
        let review = review_row(&row)?;
        if review.status != LinkReviewStatus::Pending {
            return Err(StoreError::Conflict { constraint: "link_reviews.status".into() });
        }
        let at = OffsetDateTime::now_utc();
        let mut person = None;
        let mut status = LinkReviewStatus::Rejected;
        if decision == LinkDecision::Confirm {
            let candidate =
                review.candidate.clone().ok_or(StoreError::Corrupt("a pending link without a candidate".into()))?;
            let areas = area_ids(&mut tx).await?;
            let ctx = RunContext {
                run_id: review.run_id,
                label: format!("Registersøgning, bekræftet kobling {}", at.date()),
                initiative_id,
                actor: actor.clone(),
                at,
                areas: &areas,
            };
            let c = RunCandidate { candidate, dnc_hashes: dnc_hashes.to_vec() };
            status = LinkReviewStatus::Confirmed;
            match admit(&mut tx, self.backend_kind(), &c, &ctx).await? {
                Admitted::Created(id) | Admitted::AddedToKnown(id) | Admitted::AlreadyInInitiative(id) => {
                    person = Some(id)
                }
                Admitted::OnDoNotContact => status = LinkReviewStatus::DoNotContact,
            }
        }
        sqlx::query(
            "UPDATE link_reviews SET status = $1, decided_by = $2, decided_at = $3, person_id = $4, candidate = NULL, \
             list_name = '', list_birth_date = NULL, list_phone = NULL WHERE id = $5",
        )
        .bind(status.code())
        .bind(actor.user_id.map(|u| u.to_string()))
        .bind(fmt_ts(at))
        .bind(person.map(|p| p.to_string()))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("deciding a link"))?;
        let mut audit = with_detail(audit, || format!("link_review={id} decision={}", status.code()));
        audit.persons.extend(person);
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a link decision"))?;
        Ok(person)
    }
}
