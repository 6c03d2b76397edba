//! A login's later stages and her second factor (issue 13, items 4 and 6): the code
//! from her authenticator app or a recovery code, setting one up (required for
//! coordinators and admins, `domain::second_factor::required`), new recovery codes,
//! and passwords — her own new one, or a one-time one an admin sets when she has
//! forgotten hers. Every step is audited; a wrong code counts towards the account's
//! throttling like a wrong password.

use crate::users::GrantedBy;
use crate::{Caller, Ctx, Error};
use domain::audit::AuditAction;
use domain::login::{self, LoginFacts, LoginStage};
use domain::org::User;
use domain::policy::{self, Role};
use domain::second_factor::{self as factor, TotpSecret};
use domain::validation::FieldErrors;
use store::StoreError;
use uuid::Uuid;

/// What configuration adds to the rules: the roles that must use a second factor
/// besides coordinators and admins.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub also_required: Vec<Role>,
}

impl Rules {
    pub fn required(&self, role: Role) -> bool {
        factor::required(role, &self.also_required)
    }
}

/// A login halfway: her password was right, a stage is left.
#[derive(Debug, Clone)]
pub struct Halfway {
    pub token_hash: String,
    pub user: User,
    pub stage: LoginStage,
}

impl Halfway {
    fn caller(&self, origin: &str) -> Caller {
        Caller::new(self.user.clone(), origin)
    }
}

/// What a step of the login came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Done with this stage: the next, or `None` when she is in.
    Next(Option<LoginStage>),
    /// A wrong or spent code; audited, and counted towards the account's wait.
    Refused,
    /// Too many failures: try again in this many minutes.
    Throttled { minutes: i64 },
}

/// The stage a login goes on to, stored with its session. `passed_second_factor`:
/// she has given her code in this login (or just set one up).
pub(crate) async fn advance(
    ctx: &Ctx,
    token_hash: &str,
    user: &User,
    passed_second_factor: bool,
    rules: &Rules,
) -> Result<Option<LoginStage>, Error> {
    let state = ctx.store.login_state(user.id).await?;
    let next = login::next_stage(LoginFacts {
        has_second_factor: state.totp_secret.is_some(),
        second_factor_given: passed_second_factor,
        must_change_password: state.must_change_password,
        second_factor_required: rules.required(user.role),
    });
    ctx.store.set_session_stage(token_hash, next).await?;
    Ok(next)
}

/// The code from her app (six digits) or one of her recovery codes, at the login's
/// second-factor stage.
pub async fn give_code(ctx: &Ctx, origin: &str, halfway: &Halfway, typed: &str, rules: &Rules) -> Result<Step, Error> {
    if halfway.stage != LoginStage::SecondFactor {
        return Err(Error::NotFound("login stage"));
    }
    let caller = halfway.caller(origin);
    let now = ctx.clock.now();
    let subject = crate::sessions::account_subject(&halfway.user.username);
    if let Some(wait) = crate::sessions::throttle_wait(ctx, &[(subject.as_str(), &login::ACCOUNT)], now).await? {
        let minutes = login::minutes_to_wait(wait);
        ctx.store
            .append_audit(&caller.audit(AuditAction::LoginThrottled, vec![], format!("wait {minutes} min")))
            .await?;
        return Ok(Step::Throttled { minutes });
    }
    let state = ctx.store.login_state(halfway.user.id).await?;
    let secret = match &state.totp_secret {
        Some(s) => TotpSecret::from_base32(s).map_err(|e| Error::unexpected("reading her TOTP secret", e))?,
        None => return Err(Error::NotFound("second factor")),
    };
    let passed = if factor::looks_like_code(typed) {
        match factor::verify(&secret, typed, now.unix_timestamp(), state.totp_last_step) {
            Some(step) => {
                let audit = caller.audit(AuditAction::SecondFactorPassed, vec![], "");
                ctx.store.take_totp_step(halfway.user.id, step, &audit).await?
            }
            None => false,
        }
    } else {
        match factor::normalize_recovery_code(typed) {
            Some(code) => {
                let left = state.recovery_codes_left - 1;
                let audit = caller.audit(AuditAction::RecoveryCodeUsed, vec![], format!("{left} left"));
                ctx.store.use_recovery_code(halfway.user.id, &crate::auth::token_hash(&code), now, &audit).await?
            }
            None => false,
        }
    };
    if !passed {
        ctx.store.record_login_failure(std::slice::from_ref(&subject), now, now - login::ACCOUNT.window).await?;
        ctx.store.append_audit(&caller.audit(AuditAction::SecondFactorFailed, vec![], "")).await?;
        return Ok(Step::Refused);
    }
    ctx.store.clear_login_failures(&subject).await?;
    Ok(Step::Next(advance(ctx, &halfway.token_hash, &halfway.user, true, rules).await?))
}

/// A new secret for her to set up, shown as a QR code and as text; nothing is
/// stored until she confirms it with a code (`enrol`).
pub fn new_secret() -> Result<TotpSecret, Error> {
    let mut bytes = [0u8; factor::SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| Error::unexpected("a TOTP secret", e))?;
    Ok(TotpSecret::from_bytes(bytes))
}

fn new_recovery_codes() -> Result<Vec<String>, Error> {
    (0..factor::RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; factor::RECOVERY_CODE_BYTES];
            getrandom::fill(&mut bytes).map_err(|e| Error::unexpected("a recovery code", e))?;
            Ok(factor::format_recovery_code(&bytes))
        })
        .collect()
}

fn hashes(codes: &[String]) -> Vec<String> {
    codes.iter().filter_map(|c| factor::normalize_recovery_code(c)).map(|c| crate::auth::token_hash(&c)).collect()
}

fn invalid(field: &'static str, message: &'static str) -> Error {
    let mut e = FieldErrors::default();
    e.add(field, message);
    Error::Invalid(e)
}

/// Sets up her authenticator app: `secret` as the page showed it, confirmed by a code
/// her app computed from it, so a mistyped or unscanned secret is never stored.
/// Returns her recovery codes, to be shown once and never again.
pub async fn enrol(ctx: &Ctx, caller: &Caller, secret: &str, typed: &str) -> Result<Vec<String>, Error> {
    let secret = TotpSecret::from_base32(secret).map_err(|_| invalid("secret", "error-second-factor-secret"))?;
    let now = ctx.clock.now();
    let step = factor::verify(&secret, typed, now.unix_timestamp(), None)
        .ok_or_else(|| invalid("code", "error-code-wrong"))?;
    let codes = new_recovery_codes()?;
    let audit = caller.audit(AuditAction::SecondFactorEnrolled, vec![], "");
    ctx.store.enrol_second_factor(caller.user.id, &secret.to_base32(), step, &hashes(&codes), now, &audit).await?;
    Ok(codes)
}

/// Setting it up at the login's stage for it; the login goes on to its next stage.
pub async fn enrol_at_login(
    ctx: &Ctx,
    origin: &str,
    halfway: &Halfway,
    secret: &str,
    typed: &str,
    rules: &Rules,
) -> Result<(Vec<String>, Option<LoginStage>), Error> {
    if halfway.stage != LoginStage::EnrolSecondFactor {
        return Err(Error::NotFound("login stage"));
    }
    let codes = enrol(ctx, &halfway.caller(origin), secret, typed).await?;
    let next = advance(ctx, &halfway.token_hash, &halfway.user, true, rules).await?;
    Ok((codes, next))
}

/// Her second factor as her account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enrolled: bool,
    pub recovery_codes_left: i64,
    /// Her role needs one: she cannot turn it off.
    pub required: bool,
}

pub async fn status(ctx: &Ctx, caller: &Caller, rules: &Rules) -> Result<Status, Error> {
    let state = ctx.store.login_state(caller.user.id).await?;
    Ok(Status {
        enrolled: state.totp_secret.is_some(),
        recovery_codes_left: state.recovery_codes_left,
        required: rules.required(caller.user.role),
    })
}

/// Checks a current code of hers (spending it), for a change to her second factor:
/// whoever sits at an open session must still hold her phone.
async fn confirm_code(ctx: &Ctx, caller: &Caller, typed: &str) -> Result<(), Error> {
    let state = ctx.store.login_state(caller.user.id).await?;
    let Some(secret) = state.totp_secret else {
        return Err(Error::NotFound("second factor"));
    };
    let secret = TotpSecret::from_base32(&secret).map_err(|e| Error::unexpected("reading her TOTP secret", e))?;
    let step = factor::verify(&secret, typed, ctx.clock.now().unix_timestamp(), state.totp_last_step);
    let audit = caller.audit(AuditAction::SecondFactorPassed, vec![], "");
    match step {
        Some(step) if ctx.store.take_totp_step(caller.user.id, step, &audit).await? => Ok(()),
        _ => {
            ctx.store.append_audit(&caller.audit(AuditAction::SecondFactorFailed, vec![], "")).await?;
            Err(invalid("code", "error-code-wrong"))
        }
    }
}

/// New recovery codes in place of her old ones (all used, or seen by someone);
/// confirmed with a current code. Shown once.
pub async fn renew_recovery_codes(ctx: &Ctx, caller: &Caller, typed: &str) -> Result<Vec<String>, Error> {
    confirm_code(ctx, caller, typed).await?;
    let codes = new_recovery_codes()?;
    let audit = caller.audit(AuditAction::RecoveryCodesRenewed, vec![], "");
    ctx.store.renew_recovery_codes(caller.user.id, &hashes(&codes), ctx.clock.now(), &audit).await?;
    Ok(codes)
}

/// Turns her own second factor off, confirmed with a current code — only where her
/// role does not need one. Her sessions end; she logs in again with her password.
pub async fn remove_own(ctx: &Ctx, caller: &Caller, typed: &str, rules: &Rules) -> Result<(), Error> {
    if rules.required(caller.user.role) {
        crate::record_refusal(ctx, caller, None, "remove own second factor: required for her role").await?;
        return Err(invalid("code", "error-second-factor-required"));
    }
    confirm_code(ctx, caller, typed).await?;
    let audit = caller.audit(AuditAction::SecondFactorRemoved, vec![], caller.user.username.clone());
    ctx.store.remove_second_factor(caller.user.id, &audit).await?;
    Ok(())
}

/// The login a reset is for, when the one resetting may (`policy::may_reset_login`);
/// a refusal is audited. The operator on the server may reset any login.
async fn login_to_reset(ctx: &Ctx, by: &GrantedBy<'_>, username_or_id: Target<'_>, what: &str) -> Result<User, Error> {
    if let GrantedBy::User(caller) = by {
        crate::require(ctx, caller, policy::Action::ManageUsers).await?;
    }
    let found = match username_or_id {
        Target::Id(id) => match ctx.store.get_user(id).await {
            Ok(u) => Some(u),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        Target::Username(name) => {
            let name = name.trim().to_lowercase();
            ctx.store.list_users().await?.into_iter().find(|u| u.username == name)
        }
    };
    let target = found.ok_or(Error::NotFound("user"))?;
    if let GrantedBy::User(caller) = by
        && !policy::may_reset_login(&caller.actor(), target.id, target.role)
    {
        crate::record_refusal(ctx, caller, None, &format!("{what} user={}", target.username)).await?;
        return Err(Error::Refused(crate::Refusal::Role));
    }
    Ok(target)
}

/// Which login a reset is for: by id from the user page, by username on the server.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Id(Uuid),
    Username(&'a str),
}

fn reset_audit(by: &GrantedBy<'_>, action: AuditAction, username: &str) -> domain::audit::AuditRecord {
    match by {
        GrantedBy::User(caller) => caller.audit(action, vec![], username.to_string()),
        GrantedBy::Operator { origin } => domain::audit::AuditRecord {
            actor: domain::audit::AuditActor::system("cli"),
            action,
            persons: vec![],
            origin: origin.to_string(),
            detail: username.to_string(),
        },
    }
}

/// Removes a user's second factor (her phone is lost); her sessions end and at her
/// next login she sets up a new one, if her role needs it. Audited.
pub async fn reset_for(ctx: &Ctx, by: GrantedBy<'_>, target: Target<'_>) -> Result<User, Error> {
    let user = login_to_reset(ctx, &by, target, "reset second factor").await?;
    ctx.store
        .remove_second_factor(user.id, &reset_audit(&by, AuditAction::SecondFactorRemoved, &user.username))
        .await?;
    Ok(user)
}

/// Characters of a one-time password: base32, 80 bits — no estimator calls it weak.
const ONE_TIME_PASSWORD_BYTES: usize = 10;

/// Sets a one-time password for a user who forgot hers: shown once to whoever reset it,
/// to pass on, it must be replaced at her next login; her sessions end. Her second
/// factor stays: the new password is no way around it. Audited.
pub async fn reset_password(ctx: &Ctx, by: GrantedBy<'_>, target: Target<'_>) -> Result<(User, String), Error> {
    let user = login_to_reset(ctx, &by, target, "reset password").await?;
    let mut bytes = [0u8; ONE_TIME_PASSWORD_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| Error::unexpected("a one-time password", e))?;
    let password = factor::format_recovery_code(&bytes).to_lowercase();
    let hash = crate::auth::hash_password_blocking(password.clone())
        .await
        .map_err(|e| Error::unexpected("hashing the password", e))?;
    let audit = reset_audit(&by, AuditAction::PasswordReset, &user.username);
    ctx.store.set_password(user.id, &hash, true, None, &audit).await?;
    Ok((user, password))
}

/// A new password as she types it twice.
#[derive(Debug, Clone, Default)]
pub struct NewPassword {
    pub password: String,
    pub repeat: String,
}

/// Checks a password she chose: long enough, not easy to guess, typed the same twice.
async fn check_new_password(user: &User, new: &NewPassword) -> Result<String, Error> {
    let mut errors = FieldErrors::default();
    if new.password.chars().count() < domain::org::MIN_PASSWORD_CHARS {
        errors.add("password", "error-password-short");
    } else if crate::auth::is_weak_password(&new.password, &[&user.username, &user.display_name]) {
        errors.add("password", "error-password-weak");
    }
    if new.password != new.repeat {
        errors.add("repeat", "error-password-repeat");
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    crate::auth::hash_password_blocking(new.password.clone())
        .await
        .map_err(|e| Error::unexpected("hashing the password", e))
}

/// Her own password in place of the one an admin set, at the login's stage for it.
/// Her other sessions end; the login goes on to its next stage.
pub async fn choose_password_at_login(
    ctx: &Ctx,
    origin: &str,
    halfway: &Halfway,
    new: &NewPassword,
    rules: &Rules,
) -> Result<Option<LoginStage>, Error> {
    if halfway.stage != LoginStage::NewPassword {
        return Err(Error::NotFound("login stage"));
    }
    let hash = check_new_password(&halfway.user, new).await?;
    let audit = halfway.caller(origin).audit(AuditAction::PasswordChanged, vec![], "");
    ctx.store.set_password(halfway.user.id, &hash, false, Some(&halfway.token_hash), &audit).await?;
    advance(ctx, &halfway.token_hash, &halfway.user, true, rules).await
}

/// Changes her password from her account page: her current one first (a session
/// left open is not enough). Her other sessions end.
pub async fn change_password(
    ctx: &Ctx,
    caller: &Caller,
    token_hash: &str,
    current: &str,
    new: &NewPassword,
) -> Result<(), Error> {
    let Some((_, hash)) = ctx.store.find_login(&caller.user.username).await? else {
        return Err(Error::NotFound("user"));
    };
    if !crate::auth::verify_password(current.to_string(), hash).await {
        ctx.store.append_audit(&caller.audit(AuditAction::LoginFailed, vec![], "change password")).await?;
        return Err(invalid("current", "error-password-current"));
    }
    let hash = check_new_password(&caller.user, new).await?;
    let audit = caller.audit(AuditAction::PasswordChanged, vec![], "");
    ctx.store.set_password(caller.user.id, &hash, false, Some(token_hash), &audit).await?;
    Ok(())
}
