//! A login's stages and second factor (issue 13, items 4 and 6): the stage a session
//! waits at, her TOTP secret with the last step taken, her recovery codes (hashes
//! only), and passwords set by an admin or by herself. Every change that is an event
//! of her account is written with its audit entry in one transaction.

use super::SqlStore;
use super::db;
use super::rows::fmt_ts;
use super::write_audit;
use crate::Result;
use crate::StoreError;
use crate::records::LoginState;
use domain::audit::AuditRecord;
use domain::login::LoginStage;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    /// What the login's stages need to know of her account.
    pub async fn login_state(&self, user_id: Uuid) -> Result<LoginState> {
        let row = sqlx::query(
            "SELECT must_change_password, totp_secret, totp_last_step, \
             (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS left_codes \
             FROM users u WHERE u.id = $1",
        )
        .bind(user_id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a login's state"))?
        .ok_or(StoreError::NotFound("user"))?;
        let e = || db("reading a login's state");
        Ok(LoginState {
            must_change_password: row.try_get::<i64, _>("must_change_password").map_err(e())? != 0,
            totp_secret: row.try_get("totp_secret").map_err(e())?,
            totp_last_step: row.try_get("totp_last_step").map_err(e())?,
            recovery_codes_left: row.try_get("left_codes").map_err(e())?,
        })
    }

    /// Moves a session to its login's next stage (`None`: the login is done).
    pub async fn set_session_stage(&self, token_hash: &str, stage: Option<LoginStage>) -> Result<()> {
        sqlx::query("UPDATE sessions SET stage = $1 WHERE token_hash = $2")
            .bind(stage.map(|s| s.code()))
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("moving a login to its next stage"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    /// Takes the code of `step` for her: `false` when a code of this step or a later
    /// one was taken already (the check and the write are one statement, so two
    /// logins racing with one code cannot both pass).
    pub async fn take_totp_step(&self, user_id: Uuid, step: i64, audit: &AuditRecord) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("taking a one-time code"))?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a one-time code"))?;
        Ok(true)
    }

    /// Spends one of her recovery codes: `false` when she has no unused code with this hash.
    pub async fn use_recovery_code(
        &self,
        user_id: Uuid,
        code_hash: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(fmt_ts(at))
        .bind(user_id.to_string())
        .bind(code_hash)
        .execute(&mut *tx)
        .await
        .map_err(db("using a recovery code"))?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a recovery code"))?;
        Ok(true)
    }

    /// Sets up her second factor: the secret, the step of the code she confirmed it
    /// with (spent), and new recovery codes in place of any old ones.
    pub async fn enrol_second_factor(
        &self,
        user_id: Uuid,
        secret_base32: &str,
        step: i64,
        recovery_hashes: &[String],
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
            .bind(secret_base32)
            .bind(step)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("setting up a second factor"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        replace_codes(&mut tx, user_id, recovery_hashes, at).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a second factor"))?;
        self.sessions.forget_all();
        Ok(())
    }

    /// Replaces her recovery codes with new ones.
    pub async fn renew_recovery_codes(
        &self,
        user_id: Uuid,
        recovery_hashes: &[String],
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        replace_codes(&mut tx, user_id, recovery_hashes, at).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing new recovery codes"))?;
        Ok(())
    }

    /// Removes her second factor and recovery codes and ends her sessions: a lost
    /// phone, reset by an admin; at her next login she sets up a new one if her role
    /// needs it.
    pub async fn remove_second_factor(&self, user_id: Uuid, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let id = user_id.to_string();
        let r = sqlx::query("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db("removing a second factor"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        for sql in ["DELETE FROM recovery_codes WHERE user_id = $1", "DELETE FROM sessions WHERE user_id = $1"] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await.map_err(db("removing a second factor"))?;
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing the removal of a second factor"))?;
        self.sessions.forget_all();
        Ok(())
    }

    /// Sets her password. `must_change`: an admin's one-time password, which she must
    /// replace at her next login; her sessions end. Otherwise her own choice: her
    /// other sessions end, `keep_session` (the one she chose it in) stays.
    pub async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let id = user_id.to_string();
        let r = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(i64::from(must_change))
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db("setting a password"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(&id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await
            .map_err(db("ending sessions after a new password"))?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a password"))?;
        self.sessions.forget_all();
        Ok(())
    }
}

async fn replace_codes(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: Uuid,
    hashes: &[String],
    at: OffsetDateTime,
) -> Result<()> {
    let id = user_id.to_string();
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await
        .map_err(db("replacing recovery codes"))?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(hash)
            .bind(fmt_ts(at))
            .execute(&mut **tx)
            .await
            .map_err(db("storing a recovery code"))?;
    }
    Ok(())
}
