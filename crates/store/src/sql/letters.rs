//! Letter templates per initiative and language (issue 4, G-5.6). A template is not
//! about a woman; its audit entries name none.

use super::rows::{flag, fmt_ts, opt_uuid, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::StoredLetterTemplate;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::letter_template::LetterTemplate;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

fn from_row(r: &AnyRow) -> Result<StoredLetterTemplate> {
    let e = || db("reading a letter template");
    let reviewed: i64 = r.try_get("reviewed").map_err(e())?;
    Ok(StoredLetterTemplate {
        template: LetterTemplate {
            language: r.try_get("language").map_err(e())?,
            headline: r.try_get("headline").map_err(e())?,
            body: r.try_get("body").map_err(e())?,
            offer: r.try_get("offer").map_err(e())?,
            reviewed: reviewed != 0,
        },
        updated_by: parse_uuid(&r.try_get::<String, _>("updated_by").map_err(e())?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at").map_err(e())?)?,
        reviewed_by: opt_uuid(r.try_get("reviewed_by").map_err(e())?)?,
        reviewed_at: r.try_get::<Option<String>, _>("reviewed_at").map_err(e())?.map(|t| parse_ts(&t)).transpose()?,
    })
}

impl SqlStore {
    /// Saves an initiative's template for one language, replacing an earlier one.
    ///
    /// One statement that inserts or replaces, written the same on both backends.
    pub async fn save_letter_template(
        &self,
        initiative_id: Uuid,
        t: &LetterTemplate,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = fmt_ts(OffsetDateTime::now_utc());
        sqlx::query(
            "INSERT INTO letter_templates (initiative_id, language, headline, body, offer, reviewed, reviewed_by, \
             reviewed_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8) \
             ON CONFLICT (initiative_id, language) DO UPDATE SET headline = excluded.headline, body = excluded.body, \
             offer = excluded.offer, reviewed = excluded.reviewed, reviewed_by = NULL, reviewed_at = NULL, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(initiative_id.to_string())
        .bind(&t.language)
        .bind(&t.headline)
        .bind(&t.body)
        .bind(&t.offer)
        .bind(flag(t.reviewed))
        .bind(by.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db("saving a letter template"))?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a letter template"))
    }

    /// The initiative's saved templates, by language.
    pub async fn letter_templates(&self, initiative_id: Uuid) -> Result<Vec<StoredLetterTemplate>> {
        sqlx::query("SELECT * FROM letter_templates WHERE initiative_id = $1 ORDER BY language")
            .bind(initiative_id.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(db("listing letter templates"))?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Marks a saved template reviewed by a qualified translator; `NotFound` if none is saved.
    pub async fn mark_letter_template_reviewed(
        &self,
        initiative_id: Uuid,
        language: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE letter_templates SET reviewed = 1, reviewed_by = $1, reviewed_at = $2 \
             WHERE initiative_id = $3 AND language = $4",
        )
        .bind(by.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(initiative_id.to_string())
        .bind(language)
        .execute(&mut *tx)
        .await
        .map_err(db("marking a letter template reviewed"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("letter template"));
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a review"))
    }
}
