use super::SqlStore;
use super::db;
use super::rows::fmt_ts;
use super::rows::opt_uuid;
use super::rows::parse_ts;
use super::rows::parse_uuid;
use super::write_audit;
use crate::Result;
use crate::StoreError;
use crate::records::*;
use domain::audit::AuditRecord;
use domain::org::Locale;
use domain::org::NewUser;
use domain::org::User;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    /// The session and its user in one read (every request needs both).
    pub async fn session_with_user(&self, token_hash: &str) -> Result<Option<(Session, Option<User>)>> {
        if let Some(hit) = self.sessions.get(token_hash) {
            return Ok(Some(hit));
        }
        let sql = format!(
            "SELECT s.*, {} FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a session"))?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row)?;
        let has_user = row.try_get::<Option<String>, _>("id").map_err(db("reading a session's user"))?.is_some();
        let user = if has_user { Some(user_from_row(&row)?) } else { None };
        self.sessions.put(token_hash, &session, &user);
        Ok(Some((session, user)))
    }

    pub async fn create_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        extra: &UserExtra,
        audit: &AuditRecord,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, user, password_hash, extra, None, true).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a user"))?;
        self.get_user(id).await
    }

    pub async fn find_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1 AND active = 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("finding a login"))?;
        match row {
            None => Ok(None),
            Some(r) => {
                let hash: String = r.try_get("password_hash").map_err(db("reading a login"))?;
                Ok(Some((user_from_row(&r)?, hash)))
            }
        }
    }

    pub async fn get_user(&self, id: Uuid) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a user"))?
            .ok_or(StoreError::NotFound("user"))?;
        user_from_row(&row)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(db("listing users"))?;
        rows.iter().map(user_from_row).collect()
    }

    /// Closes or reopens a login with its audit entry; closing deletes her sessions in
    /// the same transaction, so she is logged out at once (issue 13, item 6).
    pub async fn set_user_active(&self, id: Uuid, active: bool, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("closing or reopening a login"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("ending a closed login's sessions"))?;
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a login's state"))?;
        // The cache may hold her sessions and her user as active.
        self.sessions.forget_all();
        Ok(())
    }

    pub async fn set_user_locale(&self, id: Uuid, locale: Locale) -> Result<()> {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.code())
            .bind(id.to_string())
            .execute(&self.writer)
            .await
            .map_err(db("setting a user's language"))?;
        self.sessions.forget_all();
        Ok(())
    }

    pub async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, data, stage) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.map(|u| u.to_string()))
        .bind(&s.csrf_token)
        .bind(fmt_ts(s.created_at))
        .bind(fmt_ts(s.last_seen_at))
        .bind(&s.data)
        .bind(s.stage.map(|st| st.code()))
        .execute(&self.writer)
        .await
        .map_err(db("creating a session"))?;
        Ok(())
    }

    pub async fn get_session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a session"))?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn touch_session(&self, token_hash: &str, at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(fmt_ts(at))
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("touching a session"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    pub async fn set_session_data(&self, token_hash: &str, data: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET data = $1 WHERE token_hash = $2")
            .bind(data)
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("saving session data"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("deleting a session"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    /// A user's own sessions, the most recently used first.
    pub async fn user_sessions(&self, user_id: Uuid) -> Result<Vec<Session>> {
        let rows = sqlx::query("SELECT * FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC")
            .bind(user_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing a user's sessions"))?;
        rows.iter().map(session_from_row).collect()
    }

    /// Ends one of `user_id`'s own sessions, with its audit entry; `false` when she has
    /// no such session (ended meanwhile, or not hers).
    pub async fn end_user_session(&self, user_id: Uuid, token_hash: &str, audit: &AuditRecord) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2")
            .bind(user_id.to_string())
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .map_err(db("ending a session"))?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing the end of a session"))?;
        self.sessions.forget(token_hash);
        Ok(true)
    }

    pub async fn delete_idle_sessions(&self, idle_since: OffsetDateTime) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
            .bind(fmt_ts(idle_since))
            .execute(&self.writer)
            .await
            .map_err(db("deleting idle sessions"))?;
        self.sessions.forget_all();
        Ok(r.rows_affected())
    }
}

pub(crate) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role").map_err(db("reading a user"))?;
    let locale: String = r.try_get("locale").map_err(db("reading a user"))?;
    let languages: String = r.try_get("languages").map_err(db("reading a user"))?;
    let phone: Option<String> = r.try_get("direct_phone").map_err(db("reading a user"))?;
    let active: i64 = r.try_get("active").map_err(db("reading a user"))?;
    Ok(User {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(db("reading a user"))?)?,
        username: r.try_get("username").map_err(db("reading a user"))?,
        display_name: r.try_get("display_name").map_err(db("reading a user"))?,
        role: domain::policy::Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        team_id: opt_uuid(r.try_get("team_id").map_err(db("reading a user"))?)?,
        partner_org_id: opt_uuid(r.try_get("partner_org_id").map_err(db("reading a user"))?)?,
        languages: languages.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        direct_phone: phone.and_then(|p| domain::PhoneNumber::parse(&p).ok()),
        locale: Locale::from_code(&locale).unwrap_or_default(),
        active: active != 0,
    })
}

pub(crate) const USER_COLUMNS: &str =
    "id, username, display_name, role, team_id, partner_org_id, languages, direct_phone, locale, active";

pub(crate) fn session_from_row(r: &AnyRow) -> Result<Session> {
    let e = || db("reading a session");
    Ok(Session {
        token_hash: r.try_get("token_hash").map_err(e())?,
        user_id: opt_uuid(r.try_get("user_id").map_err(e())?)?,
        csrf_token: r.try_get("csrf_token").map_err(e())?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
        last_seen_at: parse_ts(&r.try_get::<String, _>("last_seen_at").map_err(e())?)?,
        data: r.try_get("data").map_err(e())?,
        stage: match r.try_get::<Option<String>, _>("stage").map_err(e())? {
            None => None,
            Some(code) => Some(
                domain::login::LoginStage::from_code(&code)
                    .ok_or_else(|| StoreError::Corrupt(format!("session stage {code}")))?,
            ),
        },
    })
}

/// Inserts a login: `created_by` is who created it (None: the operator), `active`
/// false for a login that waits for a second person's confirmation (issue 13, item 6).
pub(crate) async fn insert_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: &NewUser,
    password_hash: &str,
    extra: &UserExtra,
    created_by: Option<Uuid>,
    active: bool,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, team_id, partner_org_id, password_hash, languages, direct_phone, locale, active, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.code())
    .bind(extra.team_id.or(user.team_id).map(|t| t.to_string()))
    .bind(extra.partner_org_id.map(|t| t.to_string()))
    .bind(password_hash)
    .bind(extra.languages.join(","))
    .bind(extra.direct_phone.as_ref().map(|p| p.as_e164().to_string()))
    .bind(extra.locale.code())
    .bind(i64::from(active))
    .bind(fmt_ts(OffsetDateTime::now_utc()))
    .bind(created_by.map(|u| u.to_string()))
    .execute(&mut **tx)
    .await
    .map_err(db("creating a user"))?;
    Ok(id)
}
