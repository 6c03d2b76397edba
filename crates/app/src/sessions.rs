//! Logging in and out, and sessions, as use cases. A session lives in the database
//! (it survives a restart); only the hash of its token is stored. A login verifies the
//! password with `crate::auth`, against a dummy hash when the username is unknown, so
//! that a wrong username takes as long to refuse as a wrong password; both outcomes
//! are audited.

use crate::{Caller, Ctx, Error};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::login;
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
    create_at_stage(ctx, user_id, None).await
}

/// Starts a session whose login still waits at `stage` (issue 13, items 4 and 6).
pub(crate) async fn create_at_stage(
    ctx: &Ctx,
    user_id: Option<uuid::Uuid>,
    stage: Option<login::LoginStage>,
) -> Result<NewSession, Error> {
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
        stage,
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

/// A live session; `user` is `None` for an anonymous visitor's. A session whose
/// `stage` is set is a login halfway: it opens only that stage's page.
pub struct Live {
    pub session: Session,
    pub user: Option<User>,
}

/// Touching the session on every request would make every page view a database write.
const TOUCH_AFTER: Duration = Duration::seconds(60);

/// How long a session may last.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    /// Ended when idle this long.
    pub idle: Duration,
    /// Ended this long after it began, however busy (issue 13, item 4): a stolen
    /// token is not good forever.
    pub absolute: Duration,
}

/// The session of `token_hash`, ended when it has been idle too long or has lived
/// its absolute lifetime, and marked seen (at most once a minute).
pub async fn resolve(ctx: &Ctx, token_hash: &str, lifetime: Lifetime) -> Result<Resolved, Error> {
    let Some((session, user)) = ctx.store.session_with_user(token_hash).await? else {
        return Ok(Resolved::None);
    };
    let now = ctx.clock.now();
    let halfway_too_long = session.stage.is_some() && session.created_at + login::STAGE_LIFETIME < now;
    if session.last_seen_at + lifetime.idle < now || session.created_at + lifetime.absolute < now || halfway_too_long {
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
    /// Where the login comes from (the client's IP address), when known: an address
    /// that guesses waits too, whichever accounts it tries.
    pub address: Option<String>,
}

/// What a login came to.
pub enum Login {
    LoggedIn(Box<LoggedIn>),
    /// Unknown username, wrong password or an inactive user, alike; audited.
    Refused,
    /// Too many failures of this account or address: try again in this many minutes
    /// (issue 13, item 4). The password was not even checked; audited.
    Throttled {
        minutes: i64,
    },
}

pub struct LoggedIn {
    pub user: User,
    pub session: NewSession,
    /// What the login still needs (her app's code, her own password, setting up a
    /// second factor); `None` when she is in.
    pub stage: Option<login::LoginStage>,
}

/// Logs a user in: the account and the address may have to wait after failures
/// (`domain::login`), the password is checked (timing-safe, `dummy_hash` for an
/// unknown username), a new session is made, and the login, the failure or the wait
/// is audited.
pub async fn login(
    ctx: &Ctx,
    origin: &str,
    input: &LoginInput,
    dummy_hash: &str,
    rules: &crate::second_factor::Rules,
) -> Result<Login, Error> {
    let username = input.username.trim().to_lowercase();
    let account = account_subject(&username);
    let address = input.address.as_ref().map(|a| format!("address:{a}"));
    let now = ctx.clock.now();
    let subjects: Vec<(&str, &login::Throttle)> = std::iter::once((account.as_str(), &login::ACCOUNT))
        .chain(address.iter().map(|a| (a.as_str(), &login::ADDRESS)))
        .collect();
    let wait = throttle_wait(ctx, &subjects, now).await?;
    let anonymous = |action: AuditAction, detail: String| AuditRecord {
        actor: AuditActor::anonymous(&username),
        action,
        persons: vec![],
        origin: origin.into(),
        detail,
    };
    if let Some(wait) = wait {
        let minutes = login::minutes_to_wait(wait);
        ctx.store.append_audit(&anonymous(AuditAction::LoginThrottled, format!("wait {minutes} min"))).await?;
        return Ok(Login::Throttled { minutes });
    }
    let found = ctx.store.find_login(&input.username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, dummy_hash.to_string()),
    };
    let ok = crate::auth::verify_password(input.password.clone(), hash).await;
    let Some(user) = user.filter(|_| ok) else {
        let subjects: Vec<String> = std::iter::once(account).chain(address).collect();
        let window = login::ACCOUNT.window.max(login::ADDRESS.window);
        ctx.store.record_login_failure(&subjects, now, now - window).await?;
        ctx.store.append_audit(&anonymous(AuditAction::LoginFailed, String::new())).await?;
        return Ok(Login::Refused);
    };
    ctx.store.clear_login_failures(&account).await?;
    if let Some(old) = &input.replaces {
        ctx.store.delete_session(old).await?;
    }
    let state = ctx.store.login_state(user.id).await?;
    let stage = login::next_stage(login::LoginFacts {
        has_second_factor: state.totp_secret.is_some(),
        second_factor_given: false,
        must_change_password: state.must_change_password,
        second_factor_required: rules.required(user.role),
    });
    let session = create_at_stage(ctx, Some(user.id), stage).await?;
    // A login halfway is audited as such; its next step is audited on its own.
    let detail = stage.map(|s| format!("password ok, next: {}", s.code())).unwrap_or_default();
    ctx.store.append_audit(&Caller::new(user.clone(), origin).audit(AuditAction::Login, vec![], detail)).await?;
    Ok(Login::LoggedIn(Box::new(LoggedIn { user, session, stage })))
}

/// The throttle's subject for an account (its failures, password or code alike).
pub(crate) fn account_subject(username: &str) -> String {
    format!("account:{username}")
}

/// How long the longest wait of these subjects still is at `now` (`domain::login`).
pub(crate) async fn throttle_wait(
    ctx: &Ctx,
    subjects: &[(&str, &login::Throttle)],
    now: time::OffsetDateTime,
) -> Result<Option<Duration>, Error> {
    let mut wait = None;
    for (subject, rule) in subjects {
        let failures = ctx.store.login_failures(subject, now - rule.window).await?;
        wait = wait.max(rule.wait(&failures, now));
    }
    Ok(wait)
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

/// One of her own sessions as her sessions page shows it (issue 13, item 4). `key` names
/// it in the form to end it: a prefix of the token's hash, never the token.
#[derive(Debug, Clone)]
pub struct OwnSession {
    pub key: String,
    pub created_at: time::OffsetDateTime,
    pub last_seen_at: time::OffsetDateTime,
    /// The session this page is shown in.
    pub current: bool,
}

/// Enough of a token hash to tell her sessions apart, and too little to be one.
const SESSION_KEY_CHARS: usize = 16;

/// Her own open sessions, so she can see where she is logged in.
pub async fn own_sessions(ctx: &Ctx, caller: &Caller, current_token_hash: &str) -> Result<Vec<OwnSession>, Error> {
    let sessions = ctx.store.user_sessions(caller.user.id).await?;
    Ok(sessions
        .into_iter()
        .map(|s| OwnSession {
            key: s.token_hash.chars().take(SESSION_KEY_CHARS).collect(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.token_hash == current_token_hash,
        })
        .collect())
}

/// Ends one of her own sessions (one she left open on another machine, say); audited.
/// Another user's session, or one ended meanwhile, is `NotFound`.
pub async fn end_own_session(ctx: &Ctx, caller: &Caller, key: &str) -> Result<(), Error> {
    let key = key.trim();
    let sessions = ctx.store.user_sessions(caller.user.id).await?;
    let found = sessions
        .iter()
        .find(|s| key.len() == SESSION_KEY_CHARS && s.token_hash.starts_with(key))
        .ok_or(Error::NotFound("session"))?;
    let audit = caller.audit(AuditAction::EndOwnSession, vec![], key.to_string());
    if ctx.store.end_user_session(caller.user.id, &found.token_hash, &audit).await? {
        Ok(())
    } else {
        Err(Error::NotFound("session"))
    }
}
