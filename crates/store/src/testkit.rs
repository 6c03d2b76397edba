//! A fresh, migrated database for each test: a SQLite file in a temporary folder, or,
//! when `TEST_DATABASE_URL` names a PostgreSQL server, a schema of its own on it so
//! that tests running in parallel never share tables.
//!
//! Test support only (feature `testkit`): a database that cannot be made must stop the
//! test on the spot, so panicking is the right answer here.
#![allow(clippy::panic)]

use crate::{EventActor, NewPerson, SqlStore, UserExtra};
use domain::ambassador::{BestTime, StreetRegistration};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{NewUser, User};
use domain::partner::{ContactPreference, PartnerDetails, PartnerKind, Referral};
use domain::person::{PersonDetails, Source, SourceKind};
use domain::policy::Role;
use std::path::PathBuf;
use time::OffsetDateTime;
use uuid::Uuid;

pub struct TestDb {
    pub store: SqlStore,
    pub url: String,
    dir: Option<PathBuf>,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => Self::postgres(base).await,
            _ => Self::sqlite().await,
        }
    }

    async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("opsog-test-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("opsog.db").display());
        let store = SqlStore::connect(&url).await.unwrap_or_else(|e| panic!("sqlite test db: {e}"));
        TestDb { store, url, dir: Some(dir), schema: None }
    }

    async fn postgres(base: String) -> TestDb {
        let schema = format!("t_{}", Uuid::new_v4().simple());
        let admin =
            SqlStore::connect_without_migrating(&base).await.unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(admin.pool())
            .await
            .unwrap_or_else(|e| panic!("creating schema: {e}"));
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = SqlStore::connect(&url).await.unwrap_or_else(|e| panic!("postgres test db: {e}"));
        TestDb { store, url, dir: None, schema: Some((base, schema)) }
    }

    pub fn backend(&self) -> crate::Backend {
        self.store.backend()
    }

    /// Drops the schema or deletes the folder. Call at the end of a test; a test that
    /// panics leaves its schema for inspection, and CI drops the whole database.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((base, schema)) = &self.schema
            && let Ok(admin) = SqlStore::connect_without_migrating(base).await
        {
            let _ =
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(admin.pool()).await;
            admin.close().await;
        }
    }
}

/// A woman entering now through her source's channel, recorded by "test".
pub fn new_person(
    initiative_id: Uuid,
    team_id: Option<Uuid>,
    details: PersonDetails,
    source: SourceKind,
    reference: Option<Uuid>,
) -> NewPerson {
    NewPerson {
        details,
        team_id,
        contact_user_id: None,
        source: Source {
            kind: source,
            reference_id: reference,
            label: "test".into(),
            added_at: OffsetDateTime::now_utc(),
        },
        initiative_id,
        channel: source.entry_channel(),
        actor: EventActor { user_id: None, name: "test".into() },
        at: OffsetDateTime::now_utc(),
    }
}

/// A login of the given role, in a team or in none; its display name is the username
/// capitalised.
pub async fn user(store: &SqlStore, username: &str, role: Role, team_id: Option<Uuid>) -> User {
    let mut chars = username.chars();
    let display_name = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let new = NewUser { username: username.into(), display_name, role, team_id };
    let audit = AuditRecord {
        actor: AuditActor::system("test"),
        action: AuditAction::CreateUser,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    };
    store
        .create_user(&new, "hash", &UserExtra::default(), &audit)
        .await
        .unwrap_or_else(|e| panic!("creating user {username}: {e}"))
}

/// A consenting woman as an ambassador registers her in the street: Somali, call in
/// the evening, the phone hers alone and letters at home ok (so not `safe contact
/// only`), the consent text shown in Somali.
pub fn street_registration(given_name: &str, phone: &str, area_id: Uuid) -> StreetRegistration {
    StreetRegistration {
        consent_language: "so".into(),
        given_name: given_name.into(),
        phone: domain::PhoneNumber::parse(phone).unwrap_or_else(|e| panic!("phone {phone}: {e:?}")),
        language: "so".into(),
        best_time_to_call: BestTime::Evening,
        area_id,
        letter_at_home_ok: true,
        phone_hers_alone: true,
    }
}

/// A partner in the register: an active language school without an area, with one
/// contact person.
pub fn partner_details(name: &str) -> PartnerDetails {
    PartnerDetails {
        name: name.into(),
        kind: PartnerKind::LanguageSchool,
        area_id: None,
        contact_persons: vec!["Lene Holm, 12 34 56 78".into()],
        active: true,
    }
}

/// A consenting woman as a partner refers her: Persian, to be called on her own
/// phone (when one is given; else met in person), the partner may not see her
/// status, no note.
pub fn referral(given_name: &str, phone: Option<&str>) -> Referral {
    let phone = phone.map(|p| domain::PhoneNumber::parse(p).unwrap_or_else(|e| panic!("phone {p}: {e:?}")));
    Referral {
        given_name: given_name.into(),
        family_name: String::new(),
        contact_preference: if phone.is_some() { ContactPreference::Phone } else { ContactPreference::Meeting },
        phone_hers_alone: phone.is_some(),
        phone,
        language: "fa".into(),
        status_consent: false,
        note: String::new(),
    }
}

/// A partner account of an organisation; its display name is the username
/// capitalised.
pub async fn partner_user(store: &SqlStore, username: &str, partner_org_id: Uuid) -> User {
    let mut chars = username.chars();
    let display_name = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let new = NewUser { username: username.into(), display_name, role: Role::Partner, team_id: None };
    let audit = AuditRecord {
        actor: AuditActor::system("test"),
        action: AuditAction::CreateUser,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    };
    let extra = UserExtra { partner_org_id: Some(partner_org_id), ..Default::default() };
    store
        .create_user(&new, "hash", &extra, &audit)
        .await
        .unwrap_or_else(|e| panic!("creating partner user {username}: {e}"))
}

/// An initiative as most tests need one: started 1 January 2026, 90 days' cool-off,
/// the default cadence.
pub fn initiative() -> domain::org::Initiative {
    domain::org::Initiative {
        id: Uuid::new_v4(),
        name: "Indsats".into(),
        starts_on: time::macros::date!(2026 - 01 - 01),
        ends_on: None,
        target_group: String::new(),
        methods: vec![],
        area_ids: vec![],
        capacity: None,
        cool_off_days: 90,
        cadence: Default::default(),
    }
}

/// The audit actions that name `person`, newest first: what a test asserts was logged.
pub async fn audit_actions(s: &SqlStore, person: Uuid) -> Vec<String> {
    s.list_audit(&crate::AuditQuery { person_id: Some(person), ..Default::default() })
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// An audit record of the system itself, as tests write one beside the step they test.
pub fn system_audit(action: AuditAction) -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

/// A response code issued to her (as a letter batch does), stored by its hash; returns
/// the code as her letter prints it. `random` picks the code, `issued` its day.
pub async fn issue_code(s: &SqlStore, person: Uuid, initiative: Uuid, random: u8, issued: OffsetDateTime) -> String {
    let code = domain::response::new_code(&[random; 16]);
    let record = crate::ResponseCodeRecord {
        code_hash: domain::response::code_hash(&code),
        person_id: person,
        initiative_id: initiative,
        issued_at: issued,
        expires_at: domain::response::expires_at(issued),
        used_at: None,
    };
    s.issue_response_code(&record, &system_audit(AuditAction::BatchJob))
        .await
        .unwrap_or_else(|e| panic!("issuing a response code: {e}"));
    domain::response::display(&code)
}

/// How many sessions the database holds (issue 13, item 9: a public page writes none).
pub async fn count_sessions(s: &SqlStore) -> i64 {
    use sqlx::Row;
    let row = sqlx::query("SELECT COUNT(*) FROM sessions")
        .fetch_one(s.pool())
        .await
        .unwrap_or_else(|e| panic!("counting sessions: {e}"));
    row.try_get(0).unwrap_or_else(|e| panic!("counting sessions: {e}"))
}
