//! Creating logins from the CLI (`opsog user add`); the web's user page does the same
//! checks through the same domain function.

use crate::JobError;
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{User, parse_new_user};
use store::{Store, UserExtra};

pub struct AddUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub team: Option<&'a str>,
    pub password: &'a str,
}

pub async fn add_user(store: &impl Store, req: &AddUser<'_>, origin: &str) -> Result<User, JobError> {
    let new_user =
        parse_new_user(req.username, req.display_name, req.role, req.password).map_err(|e| JobError::Invalid {
            field: e.0.iter().map(|f| f.field).collect::<Vec<_>>().join(", "),
            message: e.0.iter().map(|f| f.message).collect::<Vec<_>>().join(", "),
        })?;
    let team_id = match req.team {
        None => None,
        Some(name) => Some(
            store
                .list_teams()
                .await?
                .into_iter()
                .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
                .map(|t| t.id)
                .ok_or_else(|| JobError::Invalid {
                    field: "team".into(),
                    message: format!("no team named '{name}'"),
                })?,
        ),
    };
    let hash = web::auth::hash_password_blocking(req.password.to_string()).await?;
    let audit = AuditRecord {
        actor: AuditActor::system("cli"),
        action: AuditAction::CreateUser,
        persons: vec![],
        origin: origin.to_string(),
        detail: new_user.username.clone(),
    };
    let extra = UserExtra { team_id, ..Default::default() };
    Ok(store.create_user(&new_user, &hash, &extra, &audit).await?)
}
