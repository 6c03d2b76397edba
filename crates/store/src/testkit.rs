//! A fresh, migrated database for each test: a SQLite file in a temporary folder, or,
//! when `TEST_DATABASE_URL` names a PostgreSQL server, a schema of its own on it so
//! that tests running in parallel never share tables. On PostgreSQL the schema is
//! made and migrated by the server's owner, and the test's store connects as an
//! application role that may only insert and read the audit tables (README,
//! "PostgreSQL"; issue 13, item 10), so every test runs with the rights production has.
//!
//! `tamper` edits, deletes and inserts audit entries as an attacker with access to the
//! database files would: triggers dropped (or disabled) first.
//!
//! Test support only (feature `testkit`): a database that cannot be made must stop the
//! test on the spot, so panicking is the right answer here.
#![allow(clippy::panic)]

use crate::{AuditLogFile, EventActor, NewPerson, SqlStore, UserExtra};
use domain::ambassador::{BestTime, StreetRegistration};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::{NewUser, User};
use domain::partner::{ContactPreference, PartnerDetails, PartnerKind, Referral};
use domain::person::{PersonDetails, Source, SourceKind};
use domain::policy::Role;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct TestDb {
    pub store: SqlStore,
    /// The URL the store connected with: on PostgreSQL the application role's.
    pub url: String,
    dir: Option<PathBuf>,
    schema: Option<(String, String)>,
}

/// The role the tests' stores connect as on PostgreSQL. It has no password: the test
/// server trusts local connections (as CI's does).
pub const APP_ROLE: &str = "opsog_test_app";

/// The rights of the application role on a schema migrated by the owner (README,
/// "PostgreSQL"): everything on the ordinary tables, only INSERT and SELECT on the
/// audit tables, and on the chain's head SELECT and UPDATE (its trigger lets it only
/// move forward). No TRUNCATE anywhere, no DDL.
pub fn app_role_grants(schema: &str, role: &str) -> String {
    format!(
        "GRANT USAGE ON SCHEMA {schema} TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
         REVOKE UPDATE, DELETE ON {schema}.audit_log, {schema}.audit_persons FROM {role};
         REVOKE INSERT, DELETE ON {schema}.audit_chain FROM {role};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};"
    )
}

/// `base` with its user replaced by `role` (no password).
fn as_role(base: &str, role: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else { panic!("TEST_DATABASE_URL without a scheme") };
    let host_start = rest.find('/').unwrap_or(rest.len());
    let hostpart = &rest[..host_start];
    let host = hostpart.rsplit_once('@').map_or(hostpart, |(_, h)| h);
    format!("{scheme}://{role}@{host}{}", &rest[host_start..])
}

fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
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
        // The owner migrates; tests in parallel may both create the role.
        let owner = SqlStore::connect(&with_search_path(&base, &schema))
            .await
            .unwrap_or_else(|e| panic!("postgres test db: {e}"));
        owner.close().await;
        let grants = format!(
            "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; {}",
            app_role_grants(&schema, APP_ROLE)
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(grants))
            .execute(admin.pool())
            .await
            .unwrap_or_else(|e| panic!("granting the application role its rights: {e}"));
        admin.close().await;
        let url = with_search_path(&as_role(&base, APP_ROLE), &schema);
        let store = SqlStore::connect(&url).await.unwrap_or_else(|e| panic!("postgres test db as {APP_ROLE}: {e}"));
        TestDb { store, url, dir: None, schema: Some((base, schema)) }
    }

    /// The main SQLite file, when the test runs on SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("opsog.db"))
    }

    /// A connection with the owner's rights, on PostgreSQL: what a database
    /// administrator could do.
    async fn owner(&self) -> Option<sqlx::AnyPool> {
        let (base, schema) = self.schema.as_ref()?;
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&with_search_path(base, schema))
            .await
            .unwrap_or_else(|e| panic!("connecting as the owner: {e}"));
        Some(pool)
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
        .map(|e| e.action.code().to_string())
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

/// What an attacker does to the audit log in `tamper`.
#[derive(Debug, Clone)]
pub enum Tampering {
    /// Sets the entry's detail.
    Edit { id: String, detail: String },
    /// Deletes the entry and the persons it names.
    Delete { id: String },
    /// Copies the entry as a new one at the end, with a new id, the detail given and
    /// the copied entry's links.
    Insert { copy_of: String, detail: String },
}

impl Tampering {
    fn sql(&self, log: &str, persons: &str) -> String {
        let q = |s: &str| s.replace('\'', "''");
        match self {
            Tampering::Edit { id, detail } => {
                format!("UPDATE {log} SET detail = '{}' WHERE id = '{}'", q(detail), q(id))
            }
            Tampering::Delete { id } => {
                format!("DELETE FROM {persons} WHERE audit_id = '{0}'; DELETE FROM {log} WHERE id = '{0}'", q(id))
            }
            Tampering::Insert { copy_of, detail } => format!(
                "INSERT INTO {log} (id, at, user_id, username, role, action, origin, detail, prev_hash, hash) \
                 SELECT '{}', at, user_id, username, role, action, origin, '{}', prev_hash, hash FROM {log} \
                 WHERE id = '{}'",
                Uuid::now_v7(),
                q(detail),
                q(copy_of)
            ),
        }
    }
}

/// The SQLite file an audit table lives in: the main file or the access log beside it.
fn sqlite_audit_file(main: &Path, file: AuditLogFile) -> PathBuf {
    match file {
        AuditLogFile::Main => main.to_path_buf(),
        AuditLogFile::Access => main.with_file_name(format!(
            "{}-access.db",
            main.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
        )),
    }
}

async fn sqlite_file_pool(path: &Path) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", path.display());
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move { sqlx::raw_sql("PRAGMA busy_timeout = 10000").execute(conn).await.map(|_| ()) })
        })
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()))
}

/// Tampers with an audit table in a SQLite file by hand, as someone with access to the
/// file would: the append-only triggers dropped first (and left dropped).
pub async fn tamper_sqlite(main: &Path, file: AuditLogFile, what: &Tampering) {
    let path = sqlite_audit_file(main, file);
    let pool = sqlite_file_pool(&path).await;
    let sql = format!(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; \
         DROP TRIGGER IF EXISTS audit_persons_no_update; DROP TRIGGER IF EXISTS audit_persons_no_delete; {}",
        what.sql("audit_log", "audit_persons")
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("tampering with {}: {e}", path.display()));
    pool.close().await;
}

/// The ids of an audit table's entries in row order, read from a SQLite file.
pub async fn audit_ids_sqlite(main: &Path, file: AuditLogFile) -> Vec<String> {
    let path = sqlite_audit_file(main, file);
    let pool = sqlite_file_pool(&path).await;
    let ids = ids_in(&pool, "audit_log").await;
    pool.close().await;
    ids
}

async fn ids_in(pool: &sqlx::AnyPool, log: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT id FROM {log} ORDER BY seq")))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("reading {log}: {e}"))
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap_or_else(|e| panic!("reading an id: {e}")))
        .collect()
}

/// Tampers with the test database's audit table: on SQLite in the file by hand, on
/// PostgreSQL as its owner with the tables' triggers disabled meanwhile.
pub async fn tamper(db: &TestDb, file: AuditLogFile, what: &Tampering) {
    if let Some(main) = db.sqlite_file() {
        return tamper_sqlite(&main, file, what).await;
    }
    let Some(owner) = db.owner().await else { panic!("neither a SQLite file nor a PostgreSQL schema") };
    let sql = format!(
        "ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_persons DISABLE TRIGGER USER; {}; \
         ALTER TABLE audit_log ENABLE TRIGGER USER; ALTER TABLE audit_persons ENABLE TRIGGER USER;",
        what.sql("audit_log", "audit_persons")
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&owner).await.unwrap_or_else(|e| panic!("tampering: {e}"));
    owner.close().await;
}

/// The ids of the test database's audit table in row order.
pub async fn audit_ids(db: &TestDb, file: AuditLogFile) -> Vec<String> {
    if let Some(main) = db.sqlite_file() {
        return audit_ids_sqlite(&main, file).await;
    }
    ids_in(db.store.pool(), "audit_log").await
}

/// Runs `sql` with the owner's rights on PostgreSQL (what the application role may
/// not); `None` on SQLite, where there are no roles.
pub async fn as_owner(db: &TestDb, sql: &str) -> Option<Result<(), sqlx::Error>> {
    let owner = db.owner().await?;
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&owner).await.map(|_| ());
    owner.close().await;
    Some(result)
}

/// Moves (or copies) a SQLite database to `to`: its file and, in WAL mode, the `-wal`
/// and `-shm` files beside it, as a backup or an attacker would; whatever was at `to`
/// is replaced.
pub fn move_sqlite_db(from: &Path, to: &Path, copy: bool) {
    for suffix in ["", "-wal", "-shm"] {
        let (f, t) = (format!("{}{suffix}", from.display()), format!("{}{suffix}", to.display()));
        let _ = std::fs::remove_file(&t);
        if !Path::new(&f).exists() {
            continue;
        }
        let done = if copy { std::fs::copy(&f, &t).map(|_| ()) } else { std::fs::rename(&f, &t) };
        done.unwrap_or_else(|e| panic!("moving {f} to {t}: {e}"));
    }
}
