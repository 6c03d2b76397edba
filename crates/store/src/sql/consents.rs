use super::SqlStore;
use super::db;
use super::naming;
use super::rows::fmt_ts;
use super::rows::opt_uuid;
use super::rows::parse_ts;
use super::rows::parse_uuid;
use super::write_audit;
use crate::Result;
use crate::StoreError;
use domain::audit::AuditRecord;
use domain::org::Consent;
use sqlx::Any;
use sqlx::Row;
use sqlx::Transaction;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    pub async fn record_consent(&self, c: &Consent, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_consent(&mut tx, c).await?;
        write_audit(&mut tx, &naming(audit, c.person_id)).await?;
        tx.commit().await.map_err(db("committing a consent"))
    }

    pub async fn list_consents(&self, person_id: Uuid) -> Result<Vec<Consent>> {
        let rows = sqlx::query("SELECT * FROM consents WHERE person_id = $1 ORDER BY recorded_at DESC")
            .bind(person_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading consents"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a consent");
                Ok(Consent {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    person_id,
                    purpose: r.try_get("purpose").map_err(e())?,
                    text_version: r.try_get("text_version").map_err(e())?,
                    language: r.try_get("language").map_err(e())?,
                    recorded_by: parse_uuid(&r.try_get::<String, _>("recorded_by").map_err(e())?)?,
                    recorded_at: parse_ts(&r.try_get::<String, _>("recorded_at").map_err(e())?)?,
                    withdrawn_at: r
                        .try_get::<Option<String>, _>("withdrawn_at")
                        .map_err(e())?
                        .map(|t| parse_ts(&t))
                        .transpose()?,
                    partner_org_id: opt_uuid(r.try_get("partner_org_id").map_err(e())?)?,
                })
            })
            .collect()
    }

    pub async fn withdraw_consent(
        &self,
        person_id: Uuid,
        consent_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE consents SET withdrawn_at = $1 WHERE id = $2 AND person_id = $3 AND withdrawn_at IS NULL",
        )
        .bind(fmt_ts(at))
        .bind(consent_id.to_string())
        .bind(person_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("withdrawing a consent"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("consent"));
        }
        write_audit(&mut tx, &naming(audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a withdrawal"))
    }
}

/// Records a consent inside the caller's transaction.
pub(crate) async fn insert_consent(tx: &mut Transaction<'static, Any>, c: &Consent) -> Result<()> {
    sqlx::query(
        "INSERT INTO consents (id, person_id, purpose, text_version, language, recorded_by, recorded_at, withdrawn_at, \
         partner_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id.to_string())
    .bind(c.person_id.to_string())
    .bind(&c.purpose)
    .bind(&c.text_version)
    .bind(&c.language)
    .bind(c.recorded_by.to_string())
    .bind(fmt_ts(c.recorded_at))
    .bind(c.withdrawn_at.map(fmt_ts))
    .bind(c.partner_org_id.map(|p| p.to_string()))
    .execute(&mut **tx)
    .await
    .map_err(db("recording a consent"))?;
    Ok(())
}
