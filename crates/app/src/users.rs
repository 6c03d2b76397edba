//! Creating logins: one use case for the web's user page and `opsog user add`, so both
//! check the same things — the fields (`domain::org::parse_new_user`), who may grant
//! which role (`policy::may_grant`), the team, the direct phone and the languages.

use crate::{Caller, Ctx, Error, require};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{User, parse_new_user};
use domain::policy::{self, Action};
use domain::validation::FieldErrors;
use store::{StoreError, UserExtra};
use uuid::Uuid;

/// A new login as the form and the command line give it.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// The team's id or name; empty for none.
    pub team: String,
    pub direct_phone: String,
    /// ISO 639 codes, comma-separated.
    pub languages: String,
    pub password: String,
}

/// Who grants the login: a user who manages users (checked: she may grant only roles
/// `policy::may_grant` allows), or the operator on the server's own machine (`opsog
/// user add` without `--as`, which creates the first admin; she holds the database
/// already).
pub enum GrantedBy<'a> {
    User(&'a Caller),
    Operator { origin: &'a str },
}

pub async fn create(ctx: &Ctx, by: GrantedBy<'_>, input: &UserInput) -> Result<User, Error> {
    if let GrantedBy::User(caller) = &by {
        require(ctx, caller, Action::ManageUsers).await?;
    }
    let mut errors = FieldErrors::default();
    let parsed = parse_new_user(&input.username, &input.display_name, &input.role, &input.password);
    if let Err(e) = &parsed {
        errors.0.extend(e.0.iter().cloned());
    }
    if parsed.is_ok()
        && crate::auth::is_weak_password(&input.password, &[input.username.trim(), input.display_name.trim()])
    {
        errors.add("password", "error-password-weak");
    }
    if let (Ok(nu), GrantedBy::User(caller)) = (&parsed, &by)
        && !policy::may_grant(caller.user.role, nu.role)
    {
        errors.add("role", "error-unknown-choice");
    }
    let team_id = match input.team.trim() {
        "" => None,
        raw => {
            let teams = ctx.store.list_teams().await?;
            let found = teams
                .iter()
                .find(|t| Uuid::parse_str(raw).is_ok_and(|id| id == t.id) || t.name.eq_ignore_ascii_case(raw))
                .map(|t| t.id);
            if found.is_none() {
                errors.add("team", "error-unknown-choice");
            }
            found
        }
    };
    let direct_phone = match input.direct_phone.trim() {
        "" => None,
        p => match domain::PhoneNumber::parse(p) {
            Ok(p) => Some(p),
            Err(_) => {
                errors.add("direct_phone", "error-phone");
                None
            }
        },
    };
    let mut languages = Vec::new();
    for code in input.languages.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match domain::reference::language(code) {
            Some(l) => languages.push(l.code.to_string()),
            None => errors.add("languages", "error-unknown-language"),
        }
    }
    let (Ok(new_user), true) = (parsed, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let hash = crate::auth::hash_password_blocking(input.password.clone())
        .await
        .map_err(|e| Error::unexpected("hashing the password", e))?;
    let extra = UserExtra { team_id, partner_org_id: None, languages, direct_phone, locale: Default::default() };
    let record = match &by {
        GrantedBy::User(caller) => caller.audit(AuditAction::CreateUser, vec![], new_user.username.clone()),
        GrantedBy::Operator { origin } => AuditRecord {
            actor: AuditActor::system("cli"),
            action: AuditAction::CreateUser,
            persons: vec![],
            origin: origin.to_string(),
            detail: new_user.username.clone(),
        },
    };
    match ctx.store.create_user(&new_user, &hash, &extra, &record).await {
        Ok(u) => Ok(u),
        Err(StoreError::Conflict { .. }) => {
            let mut taken = FieldErrors::default();
            taken.add("username", "error-username-taken");
            Err(Error::Invalid(taken))
        }
        Err(e) => Err(e.into()),
    }
}

/// Every login, for who manages users (the user page).
pub async fn list(ctx: &Ctx, caller: &Caller) -> Result<Vec<User>, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    Ok(ctx.store.list_users().await?)
}

/// Closes a login (`active = false`: her sessions end at once, she cannot log in) or
/// opens it again (issue 13, item 6). Who may grant her role may do this, never to her
/// own login; a refusal is audited.
pub async fn set_active(ctx: &Ctx, caller: &Caller, user_id: Uuid, active: bool) -> Result<User, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    let target = match ctx.store.get_user(user_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => return Err(Error::NotFound("user")),
        Err(e) => return Err(e.into()),
    };
    if !policy::may_set_active(&caller.actor(), target.id, target.role) {
        crate::record_refusal(ctx, caller, None, &format!("set_active user={}", target.username)).await?;
        return Err(Error::Refused(crate::Refusal::Role));
    }
    let action = if active { AuditAction::ReactivateUser } else { AuditAction::DeactivateUser };
    ctx.store.set_user_active(target.id, active, &caller.audit(action, vec![], target.username.clone())).await?;
    Ok(User { active, ..target })
}
