//! Logins and their roles: one use case each for the web's user page and `opsog user
//! add`, so both check the same things — the fields (`domain::org::parse_new_user`),
//! who may grant which role (`policy::may_grant`), the team, the direct phone and the
//! languages — and the separation of duties (issue 13, item 6): a grant that
//! `policy::needs_confirmation` makes wait is proposed here and confirmed or withdrawn
//! by a second person (`policy::may_confirm`); every role given is recorded with who
//! proposed and who confirmed it.

use crate::{Caller, Ctx, Error, require};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{NewUser, User, parse_new_user};
use domain::policy::{self, Action, Role};
use domain::validation::FieldErrors;
use store::{LoginGrant, RoleGrant, StoreError, UserExtra};
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

/// A login created: at once with its role, or — when the role waits for a second
/// person — closed, with `policy::ROLE_UNTIL_CONFIRMED`, until she confirms.
#[derive(Debug, Clone)]
pub struct Created {
    pub user: User,
    /// The role proposed, while it waits for confirmation.
    pub waits_for: Option<Role>,
}

pub async fn create(ctx: &Ctx, by: GrantedBy<'_>, input: &UserInput) -> Result<Created, Error> {
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
        match domain::reference::language_typed(code) {
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
    let (grant, record) = match &by {
        GrantedBy::User(caller) => {
            let pending = policy::needs_confirmation(caller.user.role, new_user.role);
            let grant = LoginGrant {
                created_by: Some(caller.user.id),
                creator_role: Some(caller.user.role),
                to_role: new_user.role,
                pending,
            };
            let detail = if pending {
                format!(
                    "{} role={} waits for confirmation; closed as {} until then",
                    new_user.username,
                    new_user.role.code(),
                    policy::ROLE_UNTIL_CONFIRMED.code()
                )
            } else {
                format!("{} role={}", new_user.username, new_user.role.code())
            };
            (grant, caller.audit(AuditAction::CreateUser, vec![], detail))
        }
        // The operator holds the database already: her first admin needs nobody else.
        GrantedBy::Operator { origin } => (
            LoginGrant { created_by: None, creator_role: None, to_role: new_user.role, pending: false },
            AuditRecord {
                actor: AuditActor::system("cli"),
                action: AuditAction::CreateUser,
                persons: vec![],
                origin: origin.to_string(),
                detail: format!("{} role={}", new_user.username, new_user.role.code()),
            },
        ),
    };
    let stored = if grant.pending { NewUser { role: policy::ROLE_UNTIL_CONFIRMED, ..new_user } } else { new_user };
    match ctx.store.create_login(&stored, &hash, &extra, &grant, &record).await {
        Ok(user) => Ok(Created { user, waits_for: grant.pending.then_some(grant.to_role) }),
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

/// Who created each login (login → creator); a login the operator made on the server
/// has none (issue 13, item 6).
pub async fn creators(ctx: &Ctx, caller: &Caller) -> Result<std::collections::HashMap<Uuid, Uuid>, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    Ok(ctx.store.login_creators().await?)
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

async fn login(ctx: &Ctx, id: Uuid) -> Result<User, Error> {
    match ctx.store.get_user(id).await {
        Ok(u) => Ok(u),
        Err(StoreError::NotFound(_)) => Err(Error::NotFound("user")),
        Err(e) => Err(e.into()),
    }
}

/// What a role change came to.
#[derive(Debug, Clone)]
pub enum RoleChange {
    /// She has the new role now.
    Changed(User),
    /// The role waits for a second person; she keeps the one she had.
    Proposed(User),
}

/// Changes the role of an existing login (issue 13, item 6): never her own, only
/// between roles the caller may grant (`policy::may_change_role`; a refusal is
/// audited), at once or — where `policy::needs_confirmation` says — as a proposal
/// that waits for a second person. Audited with from → to.
pub async fn change_role(ctx: &Ctx, caller: &Caller, user_id: Uuid, role: &str) -> Result<RoleChange, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    let target = login(ctx, user_id).await?;
    let Some(to) = Role::from_code(role.trim()) else {
        let mut errors = FieldErrors::default();
        errors.add("role", "error-unknown-choice");
        return Err(Error::Invalid(errors));
    };
    let from = target.role;
    if to == from {
        let mut errors = FieldErrors::default();
        errors.add("role", "error-role-unchanged");
        return Err(Error::Invalid(errors));
    }
    if !policy::may_change_role(&caller.actor(), target.id, from, to) {
        let detail = format!("change_role user={} {} -> {}", target.username, from.code(), to.code());
        crate::record_refusal(ctx, caller, None, &detail).await?;
        return Err(Error::Refused(crate::Refusal::Role));
    }
    let detail = format!("{}: {} -> {}", target.username, from.code(), to.code());
    let by = caller.user.id;
    if policy::needs_confirmation(caller.user.role, to) {
        let audit = caller.audit(AuditAction::ProposeRole, vec![], detail);
        match ctx.store.propose_role(target.id, from, to, by, caller.user.role, &audit).await {
            Ok(_) => Ok(RoleChange::Proposed(target)),
            Err(StoreError::Conflict { .. }) => Err(pending_already()),
            Err(e) => Err(e.into()),
        }
    } else {
        let audit = caller.audit(AuditAction::ChangeRole, vec![], detail);
        match ctx.store.change_role(target.id, from, to, by, caller.user.role, &audit).await {
            Ok(()) => Ok(RoleChange::Changed(User { role: to, ..target })),
            // Either a grant to her waits (the form says so) or her role changed since
            // the page was read (reload).
            Err(StoreError::Conflict { constraint }) => {
                let waiting = ctx.store.pending_role_grants().await?;
                if waiting.iter().any(|g| g.target_id == target.id) {
                    Err(pending_already())
                } else {
                    Err(Error::Conflict(constraint))
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// One question at a time per login: a change while a grant to her waits is refused
/// at the field, so the form says why.
fn pending_already() -> Error {
    let mut errors = FieldErrors::default();
    errors.add("role", "error-role-grant-waiting");
    Error::Invalid(errors)
}

/// The grants that wait for a second person, for who manages users: the page shows
/// each with the buttons `policy::may_confirm` and `may_withdraw` allow the viewer.
pub async fn pending(ctx: &Ctx, caller: &Caller) -> Result<Vec<RoleGrant>, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    Ok(ctx.store.pending_role_grants().await?)
}

/// The rules' view of a stored waiting grant. The operator never proposes (her grants
/// are in force at once), so a waiting grant always names its proposer.
pub fn as_pending(g: &RoleGrant) -> Option<policy::PendingGrant> {
    Some(policy::PendingGrant { proposed_by: g.proposed_by?, proposer_role: g.proposer_role?, target: g.target_id })
}

async fn waiting_grant(ctx: &Ctx, grant_id: Uuid) -> Result<(RoleGrant, policy::PendingGrant), Error> {
    let grant = match ctx.store.role_grant(grant_id).await {
        Ok(g) => g,
        Err(StoreError::NotFound(_)) => return Err(Error::NotFound("role grant")),
        Err(e) => return Err(e.into()),
    };
    if grant.status != policy::GrantStatus::Pending {
        return Err(Error::Conflict("the grant no longer waits".into()));
    }
    let pending = as_pending(&grant).ok_or_else(|| Error::Conflict("a waiting grant without a proposer".into()))?;
    Ok((grant, pending))
}

/// Confirms a waiting grant as the second person (issue 13, item 6): the other side of
/// the proposer (an admin's proposal a coordinator, and the other way round), never
/// the proposer or the login it is for. The login gets the role, and opens when it was
/// created closed for it. Audited; a refusal too.
pub async fn confirm(ctx: &Ctx, caller: &Caller, grant_id: Uuid) -> Result<User, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    let (grant, pending) = waiting_grant(ctx, grant_id).await?;
    let target = login(ctx, grant.target_id).await?;
    if !policy::may_confirm(&caller.actor(), &pending) {
        let detail = format!("confirm_role user={} -> {}", target.username, grant.to_role.code());
        crate::record_refusal(ctx, caller, None, &detail).await?;
        return Err(Error::Refused(crate::Refusal::Role));
    }
    // The proposal stands only while its proposer still holds the side she proposed
    // from: a proposer closed or moved to another role meanwhile proposes nothing.
    if let Some(by) = grant.proposed_by {
        let proposer = login(ctx, by).await?;
        if !proposer.active || Some(proposer.role) != grant.proposer_role {
            return Err(Error::Conflict("the proposer no longer holds the role she proposed from".into()));
        }
    }
    // A new login waits with the stand-in role; an existing one with the role she had.
    let expected = grant.from_role.unwrap_or(policy::ROLE_UNTIL_CONFIRMED);
    let detail = format!("{}: {} -> {}", target.username, expected.code(), grant.to_role.code());
    let audit = caller.audit(AuditAction::ConfirmRole, vec![], detail);
    ctx.store.confirm_role_grant(grant.id, caller.user.id, expected, &audit).await?;
    login(ctx, grant.target_id).await
}

/// Withdraws a waiting grant: its proposer, or who could have confirmed it. The login
/// keeps what she had (a new one stays closed). Audited; a refusal too.
pub async fn withdraw(ctx: &Ctx, caller: &Caller, grant_id: Uuid) -> Result<User, Error> {
    require(ctx, caller, Action::ManageUsers).await?;
    let (grant, pending) = waiting_grant(ctx, grant_id).await?;
    let target = login(ctx, grant.target_id).await?;
    if !policy::may_withdraw(&caller.actor(), &pending) {
        let detail = format!("withdraw_role user={} -> {}", target.username, grant.to_role.code());
        crate::record_refusal(ctx, caller, None, &detail).await?;
        return Err(Error::Refused(crate::Refusal::Role));
    }
    let detail = format!("{}: -> {} withdrawn", target.username, grant.to_role.code());
    let audit = caller.audit(AuditAction::WithdrawRole, vec![], detail);
    ctx.store.withdraw_role_grant(grant.id, caller.user.id, &audit).await?;
    Ok(target)
}
