use super::SqlStore;
use super::db;
use super::rows::fmt_ts;
use super::rows::opt_uuid;
use super::rows::parse_ts;
use super::rows::parse_uuid;
use crate::Result;
use crate::StoreError;
use domain::org::Notification;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    pub async fn notify(&self, user_id: Uuid, message: &str, person_id: Option<Uuid>) -> Result<()> {
        let mut conn = self.writer.acquire().await.map_err(db("connecting to the database"))?;
        insert_notification(&mut conn, user_id, message, person_id).await
    }

    pub async fn list_notifications(&self, user_id: Uuid) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT * FROM notifications WHERE user_id = $1 ORDER BY read_at IS NOT NULL, created_at DESC LIMIT 100",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing notifications"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a notification");
                Ok(Notification {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    user_id,
                    message: r.try_get("message").map_err(e())?,
                    person_id: opt_uuid(r.try_get("person_id").map_err(e())?)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
                    read_at: r
                        .try_get::<Option<String>, _>("read_at")
                        .map_err(e())?
                        .map(|t| parse_ts(&t))
                        .transpose()?,
                })
            })
            .collect()
    }

    pub async fn mark_notification_read(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let r = sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3")
            .bind(fmt_ts(OffsetDateTime::now_utc()))
            .bind(id.to_string())
            .bind(user_id.to_string())
            .execute(&self.writer)
            .await
            .map_err(db("marking a notification read"))?;
        if r.rows_affected() == 0 { Err(StoreError::NotFound("notification")) } else { Ok(()) }
    }
}

/// Adds a notification on the given connection, which may be a transaction's: a
/// registration's notifications are written with it or not at all.
pub(crate) async fn insert_notification(
    conn: &mut sqlx::AnyConnection,
    user_id: Uuid,
    message: &str,
    person_id: Option<Uuid>,
) -> Result<()> {
    sqlx::query("INSERT INTO notifications (id, user_id, message, person_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(Uuid::new_v4().to_string())
        .bind(user_id.to_string())
        .bind(message)
        .bind(person_id.map(|p| p.to_string()))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(conn)
        .await
        .map_err(db("adding a notification"))?;
    Ok(())
}
