//! Failed logins per subject, for the login throttle (issue 13, item 4;
//! `domain::login`). A subject is `account:<username>` or `address:<ip>`.

use super::rows::{fmt_ts, parse_ts};
use super::{SqlStore, db};
use crate::Result;
use sqlx::Row;
use time::OffsetDateTime;

impl SqlStore {
    /// The failures of `subject` since `since`, oldest first.
    pub async fn login_failures(&self, subject: &str, since: OffsetDateTime) -> Result<Vec<OffsetDateTime>> {
        let rows = sqlx::query("SELECT at FROM login_failures WHERE subject = $1 AND at > $2 ORDER BY at")
            .bind(subject)
            .bind(fmt_ts(since))
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading failed logins"))?;
        rows.iter().map(|r| parse_ts(&r.try_get::<String, _>("at").map_err(db("reading a failed login"))?)).collect()
    }

    /// Records one failure for each subject, and forgets every failure from before
    /// `forget_before`, so the table holds one window at most.
    pub async fn record_login_failure(
        &self,
        subjects: &[String],
        at: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(fmt_ts(forget_before))
            .execute(&mut *tx)
            .await
            .map_err(db("forgetting old failed logins"))?;
        for subject in subjects {
            sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)")
                .bind(subject.as_str())
                .bind(fmt_ts(at))
                .execute(&mut *tx)
                .await
                .map_err(db("recording a failed login"))?;
        }
        tx.commit().await.map_err(db("recording a failed login"))?;
        Ok(())
    }

    /// A login that succeeded clears its account's failures (not its address's: one
    /// user's success says nothing about the guesses of another at the same address).
    pub async fn clear_login_failures(&self, subject: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE subject = $1")
            .bind(subject)
            .execute(&self.writer)
            .await
            .map_err(db("clearing failed logins"))?;
        Ok(())
    }
}
