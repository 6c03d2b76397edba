//! Role grants (issue 13, item 6): who created a login, and every role it was given —
//! proposed, confirmed or withdrawn — as records. Which grant waits for a second
//! person and who may confirm it is `domain::policy`'s; here only what is written.

use super::rows::{fmt_ts, opt_uuid, parse_ts, parse_uuid};
use super::users::insert_user;
use super::{SqlStore, db, write_audit};
use crate::records::UserExtra;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::org::{NewUser, User};
use domain::policy::{GrantStatus, Role};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

/// One role grant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub id: Uuid,
    pub target_id: Uuid,
    /// None: the login's first role, given when it was created.
    pub from_role: Option<Role>,
    pub to_role: Role,
    /// None: the operator on the server's machine.
    pub proposed_by: Option<Uuid>,
    pub proposer_role: Option<Role>,
    pub proposed_at: OffsetDateTime,
    pub status: GrantStatus,
    pub confirmed_by: Option<Uuid>,
    pub withdrawn_by: Option<Uuid>,
    /// The login was created closed for this grant and opens when it is confirmed.
    pub opens_login: bool,
}

/// How a new login gets its first role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginGrant {
    /// Who creates it (None: the operator).
    pub created_by: Option<Uuid>,
    pub creator_role: Option<Role>,
    /// The role granted. While `pending`, the login is stored closed with the role of
    /// its `NewUser`, and gets this one when a second person confirms.
    pub to_role: Role,
    pub pending: bool,
}

fn role(code: Option<String>) -> Result<Option<Role>> {
    code.map(|c| Role::from_code(&c).ok_or_else(|| StoreError::Corrupt(format!("role '{c}'")))).transpose()
}

fn grant_row(r: &AnyRow) -> Result<RoleGrant> {
    let e = || db("reading a role grant");
    let status: String = r.try_get("status").map_err(e())?;
    let opens: i64 = r.try_get("opens_login").map_err(e())?;
    Ok(RoleGrant {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        target_id: parse_uuid(&r.try_get::<String, _>("target_id").map_err(e())?)?,
        from_role: role(r.try_get("from_role").map_err(e())?)?,
        to_role: role(Some(r.try_get("to_role").map_err(e())?))?
            .ok_or_else(|| StoreError::Corrupt("a grant without a role".into()))?,
        proposed_by: opt_uuid(r.try_get("proposed_by").map_err(e())?)?,
        proposer_role: role(r.try_get("proposer_role").map_err(e())?)?,
        proposed_at: parse_ts(&r.try_get::<String, _>("proposed_at").map_err(e())?)?,
        status: GrantStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("grant status '{status}'")))?,
        confirmed_by: opt_uuid(r.try_get("confirmed_by").map_err(e())?)?,
        withdrawn_by: opt_uuid(r.try_get("withdrawn_by").map_err(e())?)?,
        opens_login: opens != 0,
    })
}

/// A grant row as inserted.
struct Insert {
    target: Uuid,
    from: Option<Role>,
    to: Role,
    by: Option<Uuid>,
    by_role: Option<Role>,
    pending: bool,
    opens_login: bool,
}

async fn insert_grant(tx: &mut sqlx::Transaction<'static, sqlx::Any>, g: &Insert) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let now = fmt_ts(OffsetDateTime::now_utc());
    let (status, confirmed_by, confirmed_at) = if g.pending {
        (GrantStatus::Pending, None, None)
    } else {
        (GrantStatus::Confirmed, g.by.map(|u| u.to_string()), Some(now.clone()))
    };
    sqlx::query(
        "INSERT INTO role_grants (id, target_id, from_role, to_role, proposed_by, proposer_role, proposed_at, status, confirmed_by, confirmed_at, opens_login) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(g.target.to_string())
    .bind(g.from.map(|r| r.code()))
    .bind(g.to.code())
    .bind(g.by.map(|u| u.to_string()))
    .bind(g.by_role.map(|r| r.code()))
    .bind(now)
    .bind(status.code())
    .bind(confirmed_by)
    .bind(confirmed_at)
    .bind(i64::from(g.opens_login))
    .execute(&mut **tx)
    .await
    .map_err(db("recording a role grant"))?;
    Ok(id)
}

impl SqlStore {
    /// Creates a login with the record of its first role and who created it, and its
    /// audit entry, in one transaction. A pending grant leaves the login closed.
    pub async fn create_login(
        &self,
        user: &NewUser,
        password_hash: &str,
        extra: &UserExtra,
        grant: &LoginGrant,
        audit: &AuditRecord,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, user, password_hash, extra, grant.created_by, !grant.pending).await?;
        let insert = Insert {
            target: id,
            from: None,
            to: grant.to_role,
            by: grant.created_by,
            by_role: grant.creator_role,
            pending: grant.pending,
            opens_login: grant.pending,
        };
        insert_grant(&mut tx, &insert).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a login"))?;
        self.get_user(id).await
    }

    /// Changes a login's role at once, from `from` (a `Conflict` when she no longer
    /// has it, or a grant to her waits), with its record and audit entry.
    pub async fn change_role(
        &self,
        target: Uuid,
        from: Role,
        to: Role,
        by: Uuid,
        by_role: Role,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE users SET role = $1 WHERE id = $2 AND role = $3 \
             AND NOT EXISTS (SELECT 1 FROM role_grants WHERE target_id = $2 AND status = 'pending')",
        )
        .bind(to.code())
        .bind(target.to_string())
        .bind(from.code())
        .execute(&mut *tx)
        .await
        .map_err(db("changing a login's role"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict { constraint: "the login's role changed or a grant to her waits".into() });
        }
        let insert = Insert {
            target,
            from: Some(from),
            to,
            by: Some(by),
            by_role: Some(by_role),
            pending: false,
            opens_login: false,
        };
        insert_grant(&mut tx, &insert).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a role change"))?;
        // Cached sessions carry her user with the old role.
        self.sessions.forget_all();
        Ok(())
    }

    /// Records a proposal that waits for a second person; the login keeps her role.
    /// A `Conflict` when another proposal for her already waits.
    pub async fn propose_role(
        &self,
        target: Uuid,
        from: Role,
        to: Role,
        by: Uuid,
        by_role: Role,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        let mut tx = self.begin().await?;
        let insert = Insert {
            target,
            from: Some(from),
            to,
            by: Some(by),
            by_role: Some(by_role),
            pending: true,
            opens_login: false,
        };
        let id = insert_grant(&mut tx, &insert).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a role proposal"))?;
        Ok(id)
    }

    pub async fn role_grant(&self, id: Uuid) -> Result<RoleGrant> {
        let row = sqlx::query("SELECT * FROM role_grants WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a role grant"))?
            .ok_or(StoreError::NotFound("role grant"))?;
        grant_row(&row)
    }

    /// The grants that wait for a second person, oldest first.
    pub async fn pending_role_grants(&self) -> Result<Vec<RoleGrant>> {
        let rows = sqlx::query("SELECT * FROM role_grants WHERE status = 'pending' ORDER BY proposed_at, id")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing waiting role grants"))?;
        rows.iter().map(grant_row).collect()
    }

    /// Every grant a login was given, oldest first.
    pub async fn role_grants_of(&self, user_id: Uuid) -> Result<Vec<RoleGrant>> {
        let rows = sqlx::query("SELECT * FROM role_grants WHERE target_id = $1 ORDER BY proposed_at, id")
            .bind(user_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing a login's role grants"))?;
        rows.iter().map(grant_row).collect()
    }

    /// Confirms a waiting grant: the login gets its role (and opens, when it was
    /// created closed for it) — only while she still has `expected_role`; otherwise,
    /// or when the grant no longer waits, a `Conflict` and nothing written.
    pub async fn confirm_role_grant(&self, id: Uuid, by: Uuid, expected_role: Role, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT * FROM role_grants WHERE id = $1 AND status = 'pending'")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading a waiting role grant"))?
            .ok_or_else(|| StoreError::Conflict { constraint: "the grant no longer waits".into() })?;
        let grant = grant_row(&row)?;
        sqlx::query("UPDATE role_grants SET status = 'confirmed', confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
            .bind(by.to_string())
            .bind(fmt_ts(OffsetDateTime::now_utc()))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("confirming a role grant"))?;
        let sql = if grant.opens_login {
            "UPDATE users SET role = $1, active = 1 WHERE id = $2 AND role = $3"
        } else {
            "UPDATE users SET role = $1 WHERE id = $2 AND role = $3"
        };
        let r = sqlx::query(sql)
            .bind(grant.to_role.code())
            .bind(grant.target_id.to_string())
            .bind(expected_role.code())
            .execute(&mut *tx)
            .await
            .map_err(db("giving a confirmed role"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict { constraint: "the login's role changed meanwhile".into() });
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a confirmed role"))?;
        self.sessions.forget_all();
        Ok(())
    }

    /// Withdraws a waiting grant; a `Conflict` when it no longer waits.
    pub async fn withdraw_role_grant(&self, id: Uuid, by: Uuid, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE role_grants SET status = 'withdrawn', withdrawn_by = $1, withdrawn_at = $2 WHERE id = $3 AND status = 'pending'",
        )
        .bind(by.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("withdrawing a role grant"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict { constraint: "the grant no longer waits".into() });
        }
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a withdrawn grant"))?;
        Ok(())
    }

    /// Who created each login made by someone (not by the operator on the server):
    /// login → creator (issue 13, item 6: the user page shows it).
    pub async fn login_creators(&self) -> Result<std::collections::HashMap<Uuid, Uuid>> {
        let rows = sqlx::query("SELECT id, created_by FROM users WHERE created_by IS NOT NULL")
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading who created the logins"))?;
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get(0).map_err(db("reading who created the logins"))?;
            let by: String = r.try_get(1).map_err(db("reading who created the logins"))?;
            out.insert(parse_uuid(&id)?, parse_uuid(&by)?);
        }
        Ok(out)
    }

    /// Who created `user_id`'s login or proposed or confirmed a role she holds or
    /// held (confirmed grants only: a withdrawn one made nobody anything). What the
    /// plan approval needs (issue 13, item 6).
    pub async fn sponsors_of(&self, user_id: Uuid) -> Result<Vec<Uuid>> {
        let created: Option<Option<String>> = sqlx::query("SELECT created_by FROM users WHERE id = $1")
            .bind(user_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(db("reading who created a login"))?;
        let mut out: Vec<Uuid> = opt_uuid(created.flatten())?.into_iter().collect();
        for g in self.role_grants_of(user_id).await? {
            if g.status == GrantStatus::Confirmed {
                out.extend(g.proposed_by);
                out.extend(g.confirmed_by);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}
