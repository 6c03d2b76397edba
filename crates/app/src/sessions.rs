//! Logging in and out, and sessions, as use cases. A session lives in the database
//! (it survives a restart); only the hash of its token is stored. A login verifies the
//! password with `crate::auth`, against a dummy hash when the username is unknown, so
//! that a wrong username takes as long to refuse as a wrong password; both outcomes
//! are audited.

use crate::{Caller, Ctx, Error};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{Locale, User};
use store::Session;
use time::Duration;

/// A new session: the token for the visitor's cookie, and what is stored of it.
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

/// Starts a session, for a user or (for a form's CSRF token) an anonymous visitor.
pub async fn create(ctx: &Ctx, user_id: Option<uuid::Uuid>) -> Result<NewSession, Error> {
    let token = crate::auth::new_token().map_err(|e| Error::unexpected("a session token", e))?;
    let csrf_token = crate::auth::new_token().map_err(|e| Error::unexpected("a CSRF token", e))?;
    let now = ctx.clock.now();
    let session = Session {
        token_hash: crate::auth::token_hash(&token),
        user_id,
        csrf_token,
        created_at: now,
        last_seen_at: now,
        data: "{}".into(),
    };
    ctx.store.create_session(&session).await?;
    Ok(NewSession { token, session })
}

/// What a request's session token comes to.
pub enum Resolved {
    /// No such session, or its user was deactivated or deleted (the session ends).
    None,
    /// Idle too long: the session ends. `had_user` when someone was logged in.
    Expired {
        had_user: bool,
    },
    Active(Box<Live>),
}

/// A live session; `user` is `None` for an anonymous visitor's.
pub struct Live {
    pub session: Session,
    pub user: Option<User>,
}

/// Touching the session on every request would make every page view a database write.
const TOUCH_AFTER: Duration = Duration::seconds(60);

/// The session of `token_hash`, ended when it has been idle longer than `idle`, and
/// marked seen (at most once a minute).
pub async fn resolve(ctx: &Ctx, token_hash: &str, idle: Duration) -> Result<Resolved, Error> {
    let Some((session, user)) = ctx.store.session_with_user(token_hash).await? else {
        return Ok(Resolved::None);
    };
    let now = ctx.clock.now();
    if session.last_seen_at + idle < now {
        ctx.store.delete_session(token_hash).await?;
        return Ok(Resolved::Expired { had_user: session.user_id.is_some() });
    }
    let user = match (session.user_id, user) {
        (None, _) => None,
        (Some(_), Some(u)) if u.active => Some(u),
        (Some(_), _) => {
            ctx.store.delete_session(token_hash).await?;
            return Ok(Resolved::None);
        }
    };
    if now - session.last_seen_at > TOUCH_AFTER {
        ctx.store.touch_session(token_hash, now).await?;
    }
    Ok(Resolved::Active(Box::new(Live { session, user })))
}

/// Keeps server-side state of the session (such as the current people search, JSON).
pub async fn set_data(ctx: &Ctx, token_hash: &str, data: &str) -> Result<(), Error> {
    ctx.store.set_session_data(token_hash, data).await?;
    Ok(())
}

/// A login as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    /// The visitor's session before the login (its token hash), which ends: a token
    /// planted before login is worth nothing after.
    pub replaces: Option<String>,
}

/// What a login came to.
pub enum Login {
    LoggedIn(Box<LoggedIn>),
    /// Unknown username, wrong password or an inactive user, alike; audited.
    Refused,
}

pub struct LoggedIn {
    pub user: User,
    pub session: NewSession,
}

/// Logs a user in: the password checked (timing-safe, `dummy_hash` for an unknown
/// username), a new session, and the login or the failure audited.
pub async fn login(ctx: &Ctx, origin: &str, input: &LoginInput, dummy_hash: &str) -> Result<Login, Error> {
    let found = ctx.store.find_login(&input.username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, dummy_hash.to_string()),
    };
    let ok = crate::auth::verify_password(input.password.clone(), hash).await;
    let Some(user) = user.filter(|_| ok) else {
        let actor =
            AuditActor { user_id: None, username: input.username.trim().to_lowercase(), role: "anonymous".into() };
        let record = AuditRecord {
            actor,
            action: AuditAction::LoginFailed,
            persons: vec![],
            origin: origin.into(),
            detail: "".into(),
        };
        ctx.store.append_audit(&record).await?;
        return Ok(Login::Refused);
    };
    if let Some(old) = &input.replaces {
        ctx.store.delete_session(old).await?;
    }
    let session = create(ctx, Some(user.id)).await?;
    ctx.store.append_audit(&Caller::new(user.clone(), origin).audit(AuditAction::Login, vec![], "")).await?;
    Ok(Login::LoggedIn(Box::new(LoggedIn { user, session })))
}

/// Ends the caller's session. Audited.
pub async fn logout(ctx: &Ctx, caller: &Caller, token_hash: &str) -> Result<(), Error> {
    ctx.store.delete_session(token_hash).await?;
    ctx.store.append_audit(&caller.audit(AuditAction::Logout, vec![], "")).await?;
    Ok(())
}

/// The caller's UI language.
pub async fn set_locale(ctx: &Ctx, caller: &Caller, locale: Locale) -> Result<(), Error> {
    ctx.store.set_user_locale(caller.user.id, locale).await?;
    Ok(())
}
