use super::SqlStore;
use super::db;
use super::rows::fmt_ts;
use super::write_audit;
use crate::Result;
use domain::audit::AuditRecord;
use sqlx::Any;
use sqlx::Row;
use sqlx::Transaction;
use time::OffsetDateTime;

impl SqlStore {
    pub async fn add_do_not_contact(&self, hashes: &[String], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_do_not_contact(&mut tx, hashes).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing the do-not-contact list"))
    }

    pub async fn on_do_not_contact(&self, hashes: &[String]) -> Result<bool> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting to the database"))?;
        dnc_contains(&mut conn, hashes).await
    }
}

/// Adds hashes to the do-not-contact list; one already there stays as it was.
pub(crate) async fn insert_do_not_contact(tx: &mut Transaction<'static, Any>, hashes: &[String]) -> Result<()> {
    let now = fmt_ts(OffsetDateTime::now_utc());
    for h in hashes {
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM do_not_contact WHERE identity_hash = $1")
            .bind(h)
            .fetch_one(&mut **tx)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("reading the do-not-contact list"))?;
        if exists == 0 {
            sqlx::query("INSERT INTO do_not_contact (identity_hash, added_at) VALUES ($1, $2)")
                .bind(h)
                .bind(&now)
                .execute(&mut **tx)
                .await
                .map_err(db("adding to the do-not-contact list"))?;
        }
    }
    Ok(())
}

/// Whether any of the hashes is on the do-not-contact list (inside the caller's
/// transaction or on a connection of its own).
pub(crate) async fn dnc_contains(conn: &mut sqlx::AnyConnection, hashes: &[String]) -> Result<bool> {
    for h in hashes {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM do_not_contact WHERE identity_hash = $1")
            .bind(h)
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("reading the do-not-contact list"))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
