//! Response codes (issue 4, item 4): issued with a letter, answered once on the public
//! page. What an answer means is `domain::response`'s; here it is written whole.

use super::ambassadors::with_detail;
use super::audit::naming;
use super::events;
use super::rows::{fmt_ts, parse_ts, parse_uuid};
use super::{SqlStore, db, insert_do_not_contact, insert_notification, write_audit};
use crate::records::{AnswerOutcome, NewEvent, ResponseCodeRecord};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{EventKind, TransitionInput};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

pub(crate) const NOTIFY_ANSWERED: &str = "notification-letter-answered";

fn row(r: &AnyRow) -> Result<ResponseCodeRecord> {
    let e = || db("reading a response code");
    let used: Option<String> = r.try_get("used_at").map_err(e())?;
    Ok(ResponseCodeRecord {
        code_hash: r.try_get("code_hash").map_err(e())?,
        person_id: parse_uuid(&r.try_get::<String, _>("person_id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        issued_at: parse_ts(&r.try_get::<String, _>("issued_at").map_err(e())?)?,
        expires_at: parse_ts(&r.try_get::<String, _>("expires_at").map_err(e())?)?,
        used_at: used.as_deref().map(parse_ts).transpose()?,
    })
}

const COLUMNS: &str = "code_hash, person_id, initiative_id, issued_at, expires_at, used_at";

impl SqlStore {
    /// Stores a letter's code (by its hash). Audited, naming her.
    pub async fn issue_response_code(&self, c: &ResponseCodeRecord, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO response_codes (code_hash, person_id, initiative_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&c.code_hash)
        .bind(c.person_id.to_string())
        .bind(c.initiative_id.to_string())
        .bind(fmt_ts(c.issued_at))
        .bind(fmt_ts(c.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db("saving a response code"))?;
        write_audit(&mut tx, &naming(&with_detail(audit, || "response_code issued".into()), c.person_id)).await?;
        tx.commit().await.map_err(db("committing a response code"))?;
        Ok(())
    }

    /// The codes still stored by their plain SHA-256 (before issue 13, item 9).
    pub async fn plain_response_code_hashes(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT code_hash FROM response_codes WHERE code_hash NOT LIKE 'hmac:%' ORDER BY code_hash")
                .fetch_all(self.pool())
                .await
                .map_err(db("reading the response codes to re-key"))?;
        rows.iter().map(|r| r.try_get::<String, _>(0).map_err(db("reading a response code"))).collect()
    }

    /// Replaces plain hashes by keyed ones, `(keyed, plain)` each, in one transaction
    /// with its audit entry: a row changed meanwhile (answered, re-keyed by another
    /// process) is left as it is.
    pub async fn rekey_response_codes(&self, pairs: &[(String, String)], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        for (keyed, plain) in pairs {
            sqlx::query("UPDATE response_codes SET code_hash = $1 WHERE code_hash = $2")
                .bind(keyed)
                .bind(plain)
                .execute(&mut *tx)
                .await
                .map_err(db("re-keying a response code"))?;
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing re-keyed response codes"))
    }

    pub async fn response_code(&self, code_hash: &str) -> Result<Option<ResponseCodeRecord>> {
        let r = sqlx::query("SELECT code_hash, person_id, initiative_id, issued_at, expires_at, used_at FROM response_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a response code"))?;
        r.as_ref().map(row).transpose()
    }

    /// Her answer, in one transaction: the code used (`Conflict` if it was already),
    /// the event in her funnel — or, when the funnel does not allow it from her stage,
    /// a note with what she said —, the do-not-contact hashes, and a notification to
    /// her contact person (else her team, else the coordinators). A phone number she
    /// gave to be called on (`(number, hers alone)`) becomes her number. Audited.
    pub async fn answer_response_code(
        &self,
        code_hash: &str,
        answer: &str,
        event: &NewEvent,
        phone: Option<(&domain::PhoneNumber, bool)>,
        audit: &AuditRecord,
    ) -> Result<AnswerOutcome> {
        let mut tx = self.begin().await?;
        let lock = if self.backend_kind() == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM response_codes WHERE code_hash = $1{lock}"
        )))
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading a response code"))?
        .ok_or(StoreError::NotFound("response code"))?;
        let code = row(&r)?;
        if code.used_at.is_some() || code.person_id != event.person_id {
            return Err(StoreError::Conflict { constraint: "response_codes.used_at".into() });
        }
        let now = OffsetDateTime::now_utc();
        if let Some((phone, hers_alone)) = phone {
            sqlx::query("UPDATE persons SET phone = $1, phone_is_hers_alone = $2, updated_at = $3 WHERE id = $4")
                .bind(phone.as_e164())
                .bind(super::rows::flag(hers_alone))
                .bind(fmt_ts(now))
                .bind(event.person_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("saving the number she gave"))?;
        }
        sqlx::query("UPDATE response_codes SET used_at = $1, answer = $2 WHERE code_hash = $3 AND used_at IS NULL")
            .bind(fmt_ts(now))
            .bind(answer)
            .bind(code_hash)
            .execute(&mut *tx)
            .await
            .map_err(db("using a response code"))?;
        // Her answer always reaches her caseworker: as the event when her stage allows it,
        // else as a note beside her stage.
        // (`append_event` asks the funnel before it writes anything, so a refusal leaves
        // the transaction as it was.)
        let outcome = {
            match events::append_event(&mut tx, event).await {
                Ok(_) => AnswerOutcome::Moved,
                Err(StoreError::Funnel(_)) => {
                    let note =
                        NewEvent { input: TransitionInput { kind: EventKind::Note, ..event.input }, ..event.clone() };
                    events::append_event(&mut tx, &note).await?;
                    AnswerOutcome::Noted
                }
                Err(e) => return Err(e),
            }
        };
        insert_do_not_contact(&mut tx, &event.do_not_contact).await?;
        for user in super::calls::responsible(&mut tx, event.person_id).await? {
            insert_notification(&mut tx, user, NOTIFY_ANSWERED, Some(event.person_id)).await?;
        }
        let audit = with_detail(audit, || format!("response_code answered={answer}"));
        write_audit(&mut tx, &naming(&audit, event.person_id)).await?;
        tx.commit().await.map_err(db("committing her answer"))?;
        Ok(outcome)
    }
}
