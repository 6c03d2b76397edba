//! The versions of an initiative's plan (issue 3, items 1–2): the planning answers,
//! the legal basis for register processing, the DPIA, and the approval of a second
//! coordinator. The rules — what the next version is, whether the approval carries
//! over, who may approve — are `domain::plan`'s; this module stores what it decides.
//!
//! Append-only, in code (migration 0007 says why not by trigger): the only statements
//! on `plan_versions` are the INSERT of a new version, the SELECT of an initiative's
//! versions, and the approval's UPDATE, which sets the three approval columns and only
//! `WHERE approved_by IS NULL`. A version is therefore never changed after it is
//! written, except that an unapproved one is approved once; a second approval matches
//! no row and is refused as a `Conflict`, and the first stays as it was. Nothing
//! deletes a version. Plans name no woman, so their audit entries name none.

use super::ambassadors::with_detail;
use super::people::Tx;
use super::rows::{fmt_ts, parse_date, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::plan::{Approval, Dpia, LegalBasis, Method, Plan, PlanVersion};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// Register extracts are stored one per line, so a name must be one non-empty line
/// to come back as it went in (`PlanInput::parse` makes only such names). Refused
/// before anything is written rather than stored as something else.
fn sources_text(sources: &[String]) -> Result<String> {
    if let Some(bad) = sources.iter().find(|s| s.is_empty() || s.contains('\n')) {
        return Err(StoreError::Corrupt(format!(
            "register extract name {bad:?}: it must be one non-empty line to be stored"
        )));
    }
    Ok(sources.join("\n"))
}

fn split_nonempty(s: &str, sep: char) -> impl Iterator<Item = &str> {
    // `"".split(_)` yields one empty item; an empty column is an empty list.
    s.split(sep).filter(|_| !s.is_empty())
}

async fn require_initiative(tx: &mut Tx, initiative_id: Uuid) -> Result<()> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM initiatives WHERE id = $1")
        .bind(initiative_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db("reading an initiative"))?;
    if n == 0 { Err(StoreError::NotFound("initiative")) } else { Ok(()) }
}

fn from_row(r: &AnyRow) -> Result<PlanVersion> {
    let e = || db("reading a plan version");
    let text = |col: &'static str| r.try_get::<String, _>(col).map_err(e());
    let opt = |col: &'static str| r.try_get::<Option<String>, _>(col).map_err(e());
    let count = |col: &'static str| -> Result<u32> {
        let n: i64 = r.try_get(col).map_err(e())?;
        u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("plan {col} {n}")))
    };
    let methods = split_nonempty(&text("methods")?, ',')
        .map(|code| Method::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("plan method '{code}'"))))
        .collect::<Result<Vec<_>>>()?;
    let area_ids = split_nonempty(&text("area_ids")?, ',').map(parse_uuid).collect::<Result<Vec<_>>>()?;
    let sources = split_nonempty(&text("sources")?, '\n').map(str::to_string).collect();
    let legal_basis = match (
        opt("legal_basis_text")?,
        opt("legal_basis_reference")?,
        opt("legal_basis_recorded_by")?,
        opt("legal_basis_recorded_on")?,
    ) {
        (None, None, None, None) => None,
        (Some(text), Some(reference), Some(by), Some(on)) => {
            Some(LegalBasis { text, reference, recorded_by: parse_uuid(&by)?, recorded_on: parse_date(&on)? })
        }
        _ => return Err(StoreError::Corrupt("a plan version's legal basis is partly recorded".into())),
    };
    let dpia = match (opt("dpia_reference")?, opt("dpia_date")?) {
        (None, None) => None,
        (Some(reference), Some(date)) => Some(Dpia { reference, date: parse_date(&date)? }),
        _ => return Err(StoreError::Corrupt("a plan version's DPIA is partly recorded".into())),
    };
    let approval = match (opt("approved_by")?, opt("approved_at")?, opt("approval_note")?) {
        (None, None, None) => None,
        (Some(by), Some(at), Some(note)) => {
            Some(Approval { approved_by: parse_uuid(&by)?, approved_at: parse_ts(&at)?, note })
        }
        _ => return Err(StoreError::Corrupt("a plan version's approval is partly recorded".into())),
    };
    Ok(PlanVersion {
        version: count("version")?,
        plan: Plan {
            target_group: text("target_group")?,
            segments: text("segments")?,
            challenges: text("challenges")?,
            why: text("why")?,
            how: text("how")?,
            methods,
            methods_why: text("methods_why")?,
            ethics_frame: text("ethics_frame")?,
            resources: text("resources")?,
            programme_seats: count("programme_seats")?,
            capacity_note: text("capacity_note")?,
            legal_frame: text("legal_frame")?,
            area_ids,
            sources,
            rules_ref: text("rules_ref")?,
            legal_basis,
            dpia,
            review_on: parse_date(&text("review_on")?)?,
        },
        author: parse_uuid(&text("author")?)?,
        written_at: parse_ts(&text("written_at")?)?,
        approval,
    })
}

impl SqlStore {
    /// Stores a new version; `Conflict` if that version number exists (someone saved
    /// first), and then nothing is written. The version is stored as given, with its
    /// approval when it has one (`domain::plan::next_version` carries an approval over
    /// when nothing it covers changed). `NotFound("initiative")` for an unknown
    /// initiative. A register extract's name must be one non-empty line (as
    /// `PlanInput::parse` makes them; they are stored one per line); another is refused
    /// as `Corrupt` before anything is written. Times are kept to the microsecond, like
    /// every time in the store. Audited in the same transaction.
    pub async fn save_plan_version(&self, initiative_id: Uuid, v: &PlanVersion, audit: &AuditRecord) -> Result<()> {
        let p = &v.plan;
        let sources = sources_text(&p.sources)?;
        let methods: Vec<&str> = p.methods.iter().map(|m| m.code()).collect();
        let area_ids: Vec<String> = p.area_ids.iter().map(Uuid::to_string).collect();
        let legal = p.legal_basis.as_ref();
        let dpia = p.dpia.as_ref();
        let approval = v.approval.as_ref();
        let mut tx = self.begin().await?;
        require_initiative(&mut tx, initiative_id).await?;
        sqlx::query(
            "INSERT INTO plan_versions (initiative_id, version, target_group, segments, challenges, why, how, methods, \
             methods_why, ethics_frame, resources, programme_seats, capacity_note, legal_frame, area_ids, sources, \
             rules_ref, legal_basis_text, legal_basis_reference, legal_basis_recorded_by, legal_basis_recorded_on, \
             dpia_reference, dpia_date, review_on, author, written_at, approved_by, approved_at, approval_note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
             $22, $23, $24, $25, $26, $27, $28, $29)",
        )
        .bind(initiative_id.to_string())
        .bind(i64::from(v.version))
        .bind(&p.target_group)
        .bind(&p.segments)
        .bind(&p.challenges)
        .bind(&p.why)
        .bind(&p.how)
        .bind(methods.join(","))
        .bind(&p.methods_why)
        .bind(&p.ethics_frame)
        .bind(&p.resources)
        .bind(i64::from(p.programme_seats))
        .bind(&p.capacity_note)
        .bind(&p.legal_frame)
        .bind(area_ids.join(","))
        .bind(sources)
        .bind(&p.rules_ref)
        .bind(legal.map(|l| l.text.clone()))
        .bind(legal.map(|l| l.reference.clone()))
        .bind(legal.map(|l| l.recorded_by.to_string()))
        .bind(legal.map(|l| l.recorded_on.to_string()))
        .bind(dpia.map(|d| d.reference.clone()))
        .bind(dpia.map(|d| d.date.to_string()))
        .bind(p.review_on.to_string())
        .bind(v.author.to_string())
        .bind(fmt_ts(v.written_at))
        .bind(approval.map(|a| a.approved_by.to_string()))
        .bind(approval.map(|a| fmt_ts(a.approved_at)))
        .bind(approval.map(|a| a.note.clone()))
        .execute(&mut *tx)
        .await
        .map_err(db("storing a plan version"))?;
        let audit = with_detail(audit, || format!("initiative={initiative_id} plan_version={}", v.version));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a plan version"))
    }

    /// Every version, oldest first; none for an unknown initiative.
    pub async fn plan_versions(&self, initiative_id: Uuid) -> Result<Vec<PlanVersion>> {
        sqlx::query("SELECT * FROM plan_versions WHERE initiative_id = $1 ORDER BY version")
            .bind(initiative_id.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(db("listing plan versions"))?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Approves one version once; `NotFound` for no such version, `Conflict` if it is
    /// approved already (the first approval stays). Versions are otherwise never
    /// changed (append-only, see `sql/plans.rs`). Who may approve — a second
    /// coordinator, never the author, a complete plan — is `domain::plan::approve`'s
    /// question, asked by the caller. Audited in the same transaction.
    ///
    /// Sets the approval of one version, once: the UPDATE matches only an unapproved
    /// version, so a second approval (also one racing the first) changes nothing.
    /// `NotFound("plan version")` when the initiative has no such version, `Conflict` when
    /// it is approved already; either way nothing is written.
    pub async fn approve_plan_version(
        &self,
        initiative_id: Uuid,
        version: u32,
        approval: &Approval,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE plan_versions SET approved_by = $1, approved_at = $2, approval_note = $3 \
             WHERE initiative_id = $4 AND version = $5 AND approved_by IS NULL",
        )
        .bind(approval.approved_by.to_string())
        .bind(fmt_ts(approval.approved_at))
        .bind(&approval.note)
        .bind(initiative_id.to_string())
        .bind(i64::from(version))
        .execute(&mut *tx)
        .await
        .map_err(db("approving a plan version"))?;
        if updated.rows_affected() == 0 {
            let exists: i64 =
                sqlx::query("SELECT COUNT(*) FROM plan_versions WHERE initiative_id = $1 AND version = $2")
                    .bind(initiative_id.to_string())
                    .bind(i64::from(version))
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get(0))
                    .map_err(db("reading a plan version"))?;
            return Err(if exists == 0 {
                StoreError::NotFound("plan version")
            } else {
                StoreError::Conflict { constraint: "plan_versions: approved already".into() }
            });
        }
        let audit = with_detail(audit, || format!("initiative={initiative_id} plan_version={version} approved"));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a plan approval"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_split_back_as_they_were_joined() {
        assert_eq!(split_nonempty("", ',').count(), 0);
        assert_eq!(split_nonempty("a,b", ',').collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(split_nonempty(" Udtræk 1 \nUdtræk;2", '\n').collect::<Vec<_>>(), vec![" Udtræk 1 ", "Udtræk;2"]);
    }

    #[test]
    fn an_extract_name_that_would_not_come_back_is_refused() {
        assert_eq!(sources_text(&[]).unwrap_or_default(), "");
        assert_eq!(sources_text(&["a".into(), "b, c".into()]).unwrap_or_default(), "a\nb, c");
        assert!(sources_text(&["a\nb".into()]).is_err());
        assert!(sources_text(&[String::new()]).is_err());
    }
}
