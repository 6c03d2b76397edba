//! The municipality's own structure: areas, teams, staff, initiatives, notifications.

use crate::code_enum;
use crate::funnel::FunnelRules;
use crate::phone::PhoneNumber;
use crate::policy::Role;
use crate::validation::FieldErrors;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A district the municipality works in, made of postcodes (G-6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub postcodes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
}

/// A login: staff, ambassador or partner contact. The profile carries what letters
/// and call lists need (her languages, her direct number — G-5.6, G-8.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub partner_org_id: Option<Uuid>,
    pub languages: Vec<String>,
    pub direct_phone: Option<PhoneNumber>,
    pub locale: Locale,
    pub active: bool,
}

impl User {
    /// Who she is to the policy (`domain::policy::may`).
    pub fn policy_actor(&self) -> crate::policy::Actor {
        crate::policy::Actor {
            user_id: self.id,
            role: self.role,
            team_id: self.team_id,
            partner_org_id: self.partner_org_id,
        }
    }

    /// Who she is in the audit log.
    pub fn audit_actor(&self) -> crate::audit::AuditActor {
        crate::audit::AuditActor {
            user_id: Some(self.id),
            username: self.username.clone(),
            role: crate::audit::ActorRole::Staff(self.role),
        }
    }

    /// Staff who may be a woman's contact person and call her: an active caseworker
    /// or coordinator — never an ambassador, a partner, an analyst or the admin.
    pub fn answers_for_women(&self) -> bool {
        self.active && matches!(self.role, Role::Caseworker | Role::Coordinator)
    }
}

code_enum! {
    #[derive(Default)]
    pub enum Locale {
        #[default]
        Da = "da",
        En = "en",
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;

/// A new login as typed by the admin or the CLI.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
}

pub fn parse_new_user(username: &str, display_name: &str, role: &str, password: &str) -> Result<NewUser, FieldErrors> {
    let mut errors = FieldErrors::default();
    let username = username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        errors.add("username", "error-username");
    }
    let display_name = display_name.trim().to_string();
    if display_name.is_empty() {
        errors.add("display_name", "error-required");
    }
    let role = Role::from_code(role.trim());
    if role.is_none() {
        errors.add("role", "error-unknown-choice");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add("password", "error-password-short");
    }
    match role {
        Some(role) if errors.is_empty() => Ok(NewUser { username, display_name, role, team_id: None }),
        _ => Err(errors),
    }
}

/// One municipality's recruitment effort. The plan (G-4) is filled in by the
/// initiative-plan module; the funnel needs its cool-off and cadence now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiative {
    pub id: Uuid,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub target_group: String,
    pub methods: Vec<String>,
    pub area_ids: Vec<Uuid>,
    pub capacity: Option<u32>,
    pub cool_off_days: u32,
    /// How often and how she is contacted (G-5.7).
    pub cadence: crate::calls::Cadence,
}

impl Initiative {
    pub fn funnel_rules(&self) -> FunnelRules {
        FunnelRules::with_cool_off_days(i64::from(self.cool_off_days))
    }
}

/// Her one named person (G-8.5), changeable when the chemistry is poor (G-8.6);
/// history is kept by closing the old assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAssignment {
    pub person_id: Uuid,
    pub user_id: Uuid,
    pub from: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
    pub assigned_by: Uuid,
}

/// What she agreed to, in which text version and language, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: Uuid,
    pub person_id: Uuid,
    pub purpose: String,
    pub text_version: String,
    pub language: String,
    pub recorded_by: Uuid,
    pub recorded_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    /// The partner she gave it to, for a consent given through a referral: her
    /// consent that "the partner" may see her status is for that partner only.
    pub partner_org_id: Option<Uuid>,
}

code_enum! {
    /// What a consent covers. Partners see a referral's status only with her consent
    /// to that (issue: partners), so it is a purpose of its own.
    pub enum ConsentPurpose {
        /// Being contacted by the municipality about the initiative.
        Contact = "contact",
        /// Her referring partner may see a coarse status.
        PartnerStatus = "partner_status",
        /// Her details may be shared with the programme's provider.
        ShareWithProvider = "share_with_provider",
    }
}

/// Something a user should act on. There is no e-mail: this list is the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    /// A Fluent message id, so it shows in the reader's language.
    pub message: String,
    pub person_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_user_fields_are_checked() {
        let e = parse_new_user("a b", "", "boss", "short").unwrap_err();
        for f in ["username", "display_name", "role", "password"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let ok = parse_new_user(" Mette.H ", "Mette H", "caseworker", "a long passphrase").unwrap();
        assert_eq!(ok.username, "mette.h");
        assert_eq!(ok.role, Role::Caseworker);
    }
}
