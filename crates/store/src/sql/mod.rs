//! The SQL implementation of `Store` over sqlx's `Any` driver.
//!
//! Why one implementation for two backends: the schema is kept to types both share
//! (UUID and time as text, flags as integers), so every query is written once; the
//! backends differ only in their migration files, how a write transaction begins, the
//! JSON aggregates of her page (`person_page`), and the locks a street registration or
//! a referral takes on PostgreSQL (`ambassadors::lock_phone`, and `SELECT … FOR UPDATE`
//! on a referral link in `partners`; SQLite's one writer needs neither).

mod ambassadors;
mod audit;
mod batches;
mod calls;
mod jobs;
mod letters;
mod meetings;
mod open_door;
mod partners;
mod people;
mod person_page;
mod plans;
mod register;
mod responses;
pub use people::COUNT_CAP;
mod rows;
mod session_cache;

use crate::records::*;
use crate::{Result, Store, StoreError};
use audit::{AuditJob, audit_writer};
pub(crate) use audit::{naming, write_audit};
use domain::ambassador::{AmbassadorFollowUp, AmbassadorProfile, EthicsAcceptance, ProfileDetails, StreetConversation};
use domain::audit::AuditRecord;
use domain::org::{Area, Consent, ContactAssignment, Initiative, Locale, NewUser, Notification, Team, User};
use domain::partner::{Agreement, PartnerDetails, PartnerFollowUp, ReferralLink};
use domain::person::{PersonDetails, Source};
use rows::{fmt_ts, opt_uuid, parse_ts, parse_uuid};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.split('@').next_back().unwrap_or("").to_string()))
        }
    }
}

/// One embedded migration: applied in order, each in its own transaction. Since 0003
/// the schema uses only what both backends share, so both fields name the one file in
/// `migrations/common/`; the first two differ (AUTOINCREMENT vs BIGSERIAL, triggers).
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "list_indexes",
        sqlite: include_str!("../../migrations/sqlite/0002_list_indexes.sql"),
        postgres: include_str!("../../migrations/postgres/0002_list_indexes.sql"),
    },
    Migration {
        version: 3,
        name: "funnel_stage_index",
        sqlite: include_str!("../../migrations/common/0003_funnel_stage_index.sql"),
        postgres: include_str!("../../migrations/common/0003_funnel_stage_index.sql"),
    },
    Migration {
        version: 4,
        name: "ambassadors",
        sqlite: include_str!("../../migrations/common/0004_ambassadors.sql"),
        postgres: include_str!("../../migrations/common/0004_ambassadors.sql"),
    },
    Migration {
        version: 5,
        name: "partners",
        sqlite: include_str!("../../migrations/common/0005_partners.sql"),
        postgres: include_str!("../../migrations/common/0005_partners.sql"),
    },
    Migration {
        version: 6,
        name: "intro_meetings",
        sqlite: include_str!("../../migrations/common/0006_intro_meetings.sql"),
        postgres: include_str!("../../migrations/common/0006_intro_meetings.sql"),
    },
    Migration {
        version: 7,
        name: "plan_versions",
        sqlite: include_str!("../../migrations/common/0007_plan_versions.sql"),
        postgres: include_str!("../../migrations/common/0007_plan_versions.sql"),
    },
    Migration {
        version: 8,
        name: "letter_templates",
        sqlite: include_str!("../../migrations/common/0008_letter_templates.sql"),
        postgres: include_str!("../../migrations/common/0008_letter_templates.sql"),
    },
    Migration {
        version: 9,
        name: "register_search",
        sqlite: include_str!("../../migrations/common/0009_register_search.sql"),
        postgres: include_str!("../../migrations/common/0009_register_search.sql"),
    },
    Migration {
        version: 10,
        name: "response_codes",
        sqlite: include_str!("../../migrations/common/0010_response_codes.sql"),
        postgres: include_str!("../../migrations/common/0010_response_codes.sql"),
    },
    Migration {
        version: 11,
        name: "languages_inferred",
        sqlite: include_str!("../../migrations/common/0011_languages_inferred.sql"),
        postgres: include_str!("../../migrations/common/0011_languages_inferred.sql"),
    },
    Migration {
        version: 12,
        name: "letter_batches",
        sqlite: include_str!("../../migrations/common/0012_letter_batches.sql"),
        postgres: include_str!("../../migrations/common/0012_letter_batches.sql"),
    },
    Migration {
        version: 13,
        name: "jobs",
        sqlite: include_str!("../../migrations/common/0013_jobs.sql"),
        postgres: include_str!("../../migrations/common/0013_jobs.sql"),
    },
];

/// Initiatives and areas: read on nearly every page, changed a few times a year.
struct Reference {
    initiatives: Vec<Initiative>,
    areas: Vec<Area>,
    loaded: std::time::Instant,
}

/// This process's own writes clear the cache at once; the age limit covers another
/// process (the CLI) changing them.
const REFERENCE_MAX_AGE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    reference: std::sync::Arc<std::sync::RwLock<Option<Reference>>>,
    sessions: std::sync::Arc<session_cache::SessionCache>,
    /// Audit entries of reads (page views, lists) go here; see `audit_writer`.
    audits: tokio::sync::mpsc::Sender<AuditJob>,
    /// Where writes go. On SQLite a pool of one connection: writers then queue here, in
    /// order and without sleeping, instead of in SQLite's busy handler, which backs off
    /// with sleeps of up to 100 ms and made the slowest requests very slow under load.
    /// On PostgreSQL the same pool as reads.
    writer: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlStore({:?})", self.backend)
    }
}

pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| match &source {
        sqlx::Error::Database(e) if e.is_unique_violation() || e.is_foreign_key_violation() => {
            StoreError::Conflict { constraint: e.constraint().unwrap_or(context).to_string() }
        }
        _ => StoreError::Database { context, source },
    }
}

impl SqlStore {
    /// Connects and runs pending migrations. An unrecognised URL is refused.
    pub async fn connect(url: &str) -> Result<SqlStore> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect_without_migrating(url: &str) -> Result<SqlStore> {
        let backend = Backend::from_url(url)?;
        sqlx::any::install_default_drivers();
        let access_log: std::sync::Arc<str> = match backend {
            Backend::Sqlite => audit::access_log_path(url)?.into(),
            Backend::Postgres => "".into(),
        };
        let options = |max: u32| {
            let o = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30)).max_connections(max);
            if backend != Backend::Sqlite {
                return o;
            }
            // A pooled SQLite connection is a local file on a thread of its own: pinging
            // it before each use (sqlx's default) only doubled the thread hand-offs of
            // every query, which the profile showed as the largest cost left.
            let o = o.test_before_acquire(false);
            // WAL lets readers work while one writer writes; busy_timeout covers other
            // processes (the CLI); foreign keys are off in SQLite by default; a larger
            // page cache (32 MB per connection) spares re-reading hot pages. The access
            // log's file is attached to every connection (see `audit`).
            let access_log = access_log.clone();
            o.after_connect(move |conn, _| {
                let access_log = access_log.clone();
                Box::pin(async move {
                    sqlx::raw_sql("PRAGMA busy_timeout = 10000;").execute(&mut *conn).await?;
                    sqlx::query("ATTACH DATABASE $1 AS access")
                        .bind(access_log.to_string())
                        .execute(&mut *conn)
                        .await?;
                    sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA access.journal_mode = WAL; PRAGMA access.synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA cache_size = -32000;",
                    )
                    .execute(conn)
                    .await
                    .map(|_| ())
                })
            })
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let pool = options(8).connect(url).await.map_err(db("connecting to the database"))?;
                let writer = options(1).connect(url).await.map_err(db("connecting to the database"))?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = options(16).connect(url).await.map_err(db("connecting to the database"))?;
                (pool.clone(), pool)
            }
        };
        let (audits, queue) = tokio::sync::mpsc::channel(4096);
        tokio::spawn(audit_writer(writer.clone(), backend, queue));
        Ok(SqlStore { pool, reference: Default::default(), sessions: Default::default(), audits, writer, backend })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.writer)
        .await
        .map_err(db("creating schema_migrations"))?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let mut tx = self.begin().await?;
            let done: i64 = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_one(&mut *tx)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db("reading schema_migrations"))?;
            if done > 0 {
                continue;
            }
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(db("applying a migration"))?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(fmt_ts(OffsetDateTime::now_utc()))
                .execute(&mut *tx)
                .await
                .map_err(db("recording a migration"))?;
            tx.commit().await.map_err(db("committing a migration"))?;
            applied.push(m.version);
        }
        audit::ensure_access_log(&self.writer, self.backend).await?;
        Ok(applied)
    }

    pub async fn pending_migrations(&self) -> Result<Vec<i64>> {
        let exists = sqlx::query("SELECT version FROM schema_migrations").fetch_all(&self.pool).await;
        let done: Vec<i64> = match exists {
            Ok(rows) => rows.iter().filter_map(|r| r.try_get(0).ok()).collect(),
            Err(_) => Vec::new(),
        };
        Ok(MIGRATIONS.iter().map(|m| m.version).filter(|v| !done.contains(v)).collect())
    }

    async fn load_areas(&self) -> Result<Vec<Area>> {
        let rows = sqlx::query("SELECT id, code, name, postcodes FROM areas ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing areas"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading an area");
                let postcodes: String = r.try_get("postcodes").map_err(e())?;
                Ok(Area {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    code: r.try_get("code").map_err(e())?,
                    name: r.try_get("name").map_err(e())?,
                    postcodes: postcodes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                })
            })
            .collect()
    }

    async fn load_initiatives(&self) -> Result<Vec<Initiative>> {
        let rows = sqlx::query("SELECT * FROM initiatives ORDER BY starts_on DESC, name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing initiatives"))?;
        let links = sqlx::query("SELECT initiative_id, area_id FROM initiative_areas")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing initiative areas"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id").map_err(db("reading an initiative"))?;
            let mut areas = Vec::new();
            for l in &links {
                let iid: String = l.try_get("initiative_id").map_err(db("reading an initiative area"))?;
                if iid == id {
                    areas.push(parse_uuid(
                        &l.try_get::<String, _>("area_id").map_err(db("reading an initiative area"))?,
                    )?);
                }
            }
            out.push(initiative_from_row(r, areas)?);
        }
        Ok(out)
    }

    fn forget_reference(&self) {
        let mut guard = self.reference.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = None;
    }

    async fn reference(&self) -> Result<(Vec<Initiative>, Vec<Area>)> {
        {
            let guard = self.reference.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(r) = guard.as_ref().filter(|r| r.loaded.elapsed() < REFERENCE_MAX_AGE) {
                return Ok((r.initiatives.clone(), r.areas.clone()));
            }
        }
        let initiatives = self.load_initiatives().await?;
        let areas = self.load_areas().await?;
        let mut guard = self.reference.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = Some(Reference {
            initiatives: initiatives.clone(),
            areas: areas.clone(),
            loaded: std::time::Instant::now(),
        });
        Ok((initiatives, areas))
    }

    pub(crate) fn backend_kind(&self) -> Backend {
        self.backend
    }

    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Any>> {
        begin_on(&self.writer, self.backend).await
    }

    /// Appends an audit entry through the group-commit writer and waits until it is
    /// committed: the caller shows nothing before its entry is stored.
    pub(crate) async fn append_audit_grouped(&self, audit: AuditRecord) -> Result<()> {
        let (done, written) = tokio::sync::oneshot::channel();
        self.audits
            .send((audit, done))
            .await
            .map_err(|_| StoreError::AuditFailed("the audit writer has stopped".into()))?;
        written
            .await
            .map_err(|_| StoreError::AuditFailed("the audit writer has stopped".into()))?
            .map_err(StoreError::AuditFailed)
    }

    #[doc(hidden)]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Refreshes the query planner's statistics, after a bulk load changed the data's
    /// shape (SQLite's planner otherwise guesses, and guesses badly at 100,000 rows).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::raw_sql("ANALYZE").execute(&self.writer).await.map_err(db("analysing the database"))?;
        Ok(())
    }
}

/// A write transaction. SQLite's must take the write lock at once: a deferred one
/// that reads first can fail with "database is locked" when it later writes.
async fn begin_on(writer: &AnyPool, backend: Backend) -> Result<Transaction<'static, Any>> {
    match backend {
        Backend::Sqlite => writer.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => writer.begin().await,
    }
    .map_err(db("starting a transaction"))
}

/// Adds hashes to the do-not-contact list; one already there stays as it was.
pub(crate) async fn insert_do_not_contact(tx: &mut Transaction<'static, Any>, hashes: &[String]) -> Result<()> {
    let now = fmt_ts(OffsetDateTime::now_utc());
    for h in hashes {
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM do_not_contact WHERE identity_hash = $1")
            .bind(h)
            .fetch_one(&mut **tx)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("reading the do-not-contact list"))?;
        if exists == 0 {
            sqlx::query("INSERT INTO do_not_contact (identity_hash, added_at) VALUES ($1, $2)")
                .bind(h)
                .bind(&now)
                .execute(&mut **tx)
                .await
                .map_err(db("adding to the do-not-contact list"))?;
        }
    }
    Ok(())
}

/// Records a consent inside the caller's transaction.
pub(crate) async fn insert_consent(tx: &mut Transaction<'static, Any>, c: &Consent) -> Result<()> {
    sqlx::query(
        "INSERT INTO consents (id, person_id, purpose, text_version, language, recorded_by, recorded_at, withdrawn_at, \
         partner_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id.to_string())
    .bind(c.person_id.to_string())
    .bind(&c.purpose)
    .bind(&c.text_version)
    .bind(&c.language)
    .bind(c.recorded_by.to_string())
    .bind(fmt_ts(c.recorded_at))
    .bind(c.withdrawn_at.map(fmt_ts))
    .bind(c.partner_org_id.map(|p| p.to_string()))
    .execute(&mut **tx)
    .await
    .map_err(db("recording a consent"))?;
    Ok(())
}

/// Adds a notification on the given connection, which may be a transaction's: a
/// registration's notifications are written with it or not at all.
/// Whether any of the hashes is on the do-not-contact list (inside the caller's
/// transaction or on a connection of its own).
pub(crate) async fn dnc_contains(conn: &mut sqlx::AnyConnection, hashes: &[String]) -> Result<bool> {
    for h in hashes {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM do_not_contact WHERE identity_hash = $1")
            .bind(h)
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("reading the do-not-contact list"))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) async fn insert_notification(
    conn: &mut sqlx::AnyConnection,
    user_id: Uuid,
    message: &str,
    person_id: Option<Uuid>,
) -> Result<()> {
    sqlx::query("INSERT INTO notifications (id, user_id, message, person_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(Uuid::new_v4().to_string())
        .bind(user_id.to_string())
        .bind(message)
        .bind(person_id.map(|p| p.to_string()))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(conn)
        .await
        .map_err(db("adding a notification"))?;
    Ok(())
}

fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role").map_err(db("reading a user"))?;
    let locale: String = r.try_get("locale").map_err(db("reading a user"))?;
    let languages: String = r.try_get("languages").map_err(db("reading a user"))?;
    let phone: Option<String> = r.try_get("direct_phone").map_err(db("reading a user"))?;
    let active: i64 = r.try_get("active").map_err(db("reading a user"))?;
    Ok(User {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(db("reading a user"))?)?,
        username: r.try_get("username").map_err(db("reading a user"))?,
        display_name: r.try_get("display_name").map_err(db("reading a user"))?,
        role: domain::policy::Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        team_id: opt_uuid(r.try_get("team_id").map_err(db("reading a user"))?)?,
        partner_org_id: opt_uuid(r.try_get("partner_org_id").map_err(db("reading a user"))?)?,
        languages: languages.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        direct_phone: phone.and_then(|p| domain::PhoneNumber::parse(&p).ok()),
        locale: Locale::from_code(&locale).unwrap_or_default(),
        active: active != 0,
    })
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, team_id, partner_org_id, languages, direct_phone, locale, active";

fn session_from_row(r: &AnyRow) -> Result<Session> {
    let e = || db("reading a session");
    Ok(Session {
        token_hash: r.try_get("token_hash").map_err(e())?,
        user_id: opt_uuid(r.try_get("user_id").map_err(e())?)?,
        csrf_token: r.try_get("csrf_token").map_err(e())?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
        last_seen_at: parse_ts(&r.try_get::<String, _>("last_seen_at").map_err(e())?)?,
        data: r.try_get("data").map_err(e())?,
    })
}

fn initiative_from_row(r: &AnyRow, area_ids: Vec<Uuid>) -> Result<Initiative> {
    let e = || db("reading an initiative");
    let capacity: Option<i64> = r.try_get("capacity").map_err(e())?;
    let cool: i64 = r.try_get("cool_off_days").map_err(e())?;
    let methods: String = r.try_get("methods").map_err(e())?;
    Ok(Initiative {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        name: r.try_get("name").map_err(e())?,
        starts_on: rows::parse_date(&r.try_get::<String, _>("starts_on").map_err(e())?)?,
        ends_on: r.try_get::<Option<String>, _>("ends_on").map_err(e())?.map(|d| rows::parse_date(&d)).transpose()?,
        target_group: r.try_get("target_group").map_err(e())?,
        methods: methods.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        area_ids,
        capacity: capacity.and_then(|c| u32::try_from(c).ok()),
        cool_off_days: u32::try_from(cool).unwrap_or(90),
        cadence: cadence_from_row(r)?,
    })
}

/// The initiative's contact cadence (migration 0012).
fn cadence_from_row(r: &AnyRow) -> Result<domain::calls::Cadence> {
    let n = |column: &'static str| -> Result<u32> {
        let v: i64 = r.try_get(column).map_err(db("reading an initiative's cadence"))?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("initiatives.{column} = {v}")))
    };
    Ok(domain::calls::Cadence {
        call_after_letter_days: n("call_after_letter_days")?,
        call_again_days: n("call_again_days")?,
        second_letter_after_days: n("second_letter_after_days")?,
        max_attempts: n("max_attempts")?,
    })
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.map_err(db("pinging the database"))?;
        Ok(())
    }

    async fn create_team(&self, name: &str) -> Result<Team> {
        let team = Team { id: Uuid::new_v4(), name: name.to_string() };
        sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
            .bind(team.id.to_string())
            .bind(&team.name)
            .execute(&self.writer)
            .await
            .map_err(db("creating a team"))?;
        Ok(team)
    }

    async fn list_teams(&self) -> Result<Vec<Team>> {
        let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing teams"))?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(db("reading a team"))?)?,
                    name: r.try_get("name").map_err(db("reading a team"))?,
                })
            })
            .collect()
    }

    async fn create_area(&self, code: &str, name: &str, postcodes: &[String]) -> Result<Area> {
        let area =
            Area { id: Uuid::new_v4(), code: code.to_string(), name: name.to_string(), postcodes: postcodes.to_vec() };
        sqlx::query("INSERT INTO areas (id, code, name, postcodes) VALUES ($1, $2, $3, $4)")
            .bind(area.id.to_string())
            .bind(&area.code)
            .bind(&area.name)
            .bind(area.postcodes.join(","))
            .execute(&self.writer)
            .await
            .map_err(db("creating an area"))?;
        self.forget_reference();
        Ok(area)
    }

    async fn list_areas(&self) -> Result<Vec<Area>> {
        Ok(self.reference().await?.1)
    }

    async fn list_initiatives(&self) -> Result<Vec<Initiative>> {
        Ok(self.reference().await?.0)
    }

    async fn session_with_user(&self, token_hash: &str) -> Result<Option<(Session, Option<User>)>> {
        if let Some(hit) = self.sessions.get(token_hash) {
            return Ok(Some(hit));
        }
        let sql = format!(
            "SELECT s.*, {} FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a session"))?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row)?;
        let has_user = row.try_get::<Option<String>, _>("id").map_err(db("reading a session's user"))?.is_some();
        let user = if has_user { Some(user_from_row(&row)?) } else { None };
        self.sessions.put(token_hash, &session, &user);
        Ok(Some((session, user)))
    }

    async fn create_partner_org(&self, name: &str) -> Result<Uuid> {
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO partner_orgs (id, name) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(db("creating a partner organisation"))?;
        Ok(id)
    }

    async fn create_initiative(&self, i: &Initiative) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO initiatives (id, name, starts_on, ends_on, target_group, methods, capacity, cool_off_days, created_at, \
             call_after_letter_days, call_again_days, second_letter_after_days, max_attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(i.id.to_string())
        .bind(&i.name)
        .bind(i.starts_on.to_string())
        .bind(i.ends_on.map(|d| d.to_string()))
        .bind(&i.target_group)
        .bind(i.methods.join(","))
        .bind(i.capacity.map(i64::from))
        .bind(i64::from(i.cool_off_days))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(i64::from(i.cadence.call_after_letter_days))
        .bind(i64::from(i.cadence.call_again_days))
        .bind(i64::from(i.cadence.second_letter_after_days))
        .bind(i64::from(i.cadence.max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db("creating an initiative"))?;
        for area in &i.area_ids {
            sqlx::query("INSERT INTO initiative_areas (initiative_id, area_id) VALUES ($1, $2)")
                .bind(i.id.to_string())
                .bind(area.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("linking an initiative to an area"))?;
        }
        tx.commit().await.map_err(db("committing an initiative"))?;
        self.forget_reference();
        Ok(())
    }

    async fn create_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        extra: &UserExtra,
        audit: &AuditRecord,
    ) -> Result<User> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, team_id, partner_org_id, password_hash, languages, direct_phone, locale, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)",
        )
        .bind(id.to_string())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.code())
        .bind(extra.team_id.or(user.team_id).map(|t| t.to_string()))
        .bind(extra.partner_org_id.map(|t| t.to_string()))
        .bind(password_hash)
        .bind(extra.languages.join(","))
        .bind(extra.direct_phone.as_ref().map(|p| p.as_e164().to_string()))
        .bind(extra.locale.code())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("creating a user"))?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a user"))?;
        self.get_user(id).await
    }

    async fn find_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1 AND active = 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("finding a login"))?;
        match row {
            None => Ok(None),
            Some(r) => {
                let hash: String = r.try_get("password_hash").map_err(db("reading a login"))?;
                Ok(Some((user_from_row(&r)?, hash)))
            }
        }
    }

    async fn get_user(&self, id: Uuid) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a user"))?
            .ok_or(StoreError::NotFound("user"))?;
        user_from_row(&row)
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(db("listing users"))?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_locale(&self, id: Uuid, locale: Locale) -> Result<()> {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.code())
            .bind(id.to_string())
            .execute(&self.writer)
            .await
            .map_err(db("setting a user's language"))?;
        self.sessions.forget_all();
        Ok(())
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, data) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.map(|u| u.to_string()))
        .bind(&s.csrf_token)
        .bind(fmt_ts(s.created_at))
        .bind(fmt_ts(s.last_seen_at))
        .bind(&s.data)
        .execute(&self.writer)
        .await
        .map_err(db("creating a session"))?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a session"))?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn touch_session(&self, token_hash: &str, at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(fmt_ts(at))
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("touching a session"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    async fn set_session_data(&self, token_hash: &str, data: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET data = $1 WHERE token_hash = $2")
            .bind(data)
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("saving session data"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db("deleting a session"))?;
        self.sessions.forget(token_hash);
        Ok(())
    }

    async fn delete_idle_sessions(&self, idle_since: OffsetDateTime) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
            .bind(fmt_ts(idle_since))
            .execute(&self.writer)
            .await
            .map_err(db("deleting idle sessions"))?;
        self.sessions.forget_all();
        Ok(r.rows_affected())
    }

    async fn create_person(&self, new: &NewPerson, audit: &AuditRecord) -> Result<Uuid> {
        people::create_person(self, new, audit).await
    }

    async fn update_person(&self, id: Uuid, details: &PersonDetails, audit: &AuditRecord) -> Result<()> {
        people::update_person(self, id, details, audit).await
    }

    async fn load_people(&self, people_in: &[LoadPerson], audit: &AuditRecord) -> Result<()> {
        people::load_people(self, people_in, audit).await
    }

    async fn person_scope(&self, id: Uuid) -> Result<Option<PersonScopeRow>> {
        people::person_scope(self, id).await
    }

    async fn get_person(&self, id: Uuid, audit: &AuditRecord) -> Result<PersonRecord> {
        people::get_person(self, id, audit).await
    }

    async fn read_person_page(&self, id: Uuid) -> Result<Option<PersonPage>> {
        person_page::read_person_page(self, id).await
    }

    async fn read_person(&self, id: Uuid) -> Result<Option<PersonRecord>> {
        people::read_person(self, id).await
    }

    async fn list_people(&self, query: &PeopleQuery, audit: &AuditRecord) -> Result<PeoplePage> {
        people::list_people(self, query, audit).await
    }

    async fn add_source(&self, person_id: Uuid, source: &Source, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        people::insert_source(&mut tx, person_id, source).await?;
        write_audit(&mut tx, &naming(audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a source"))
    }

    async fn set_contact_person(
        &self,
        person_id: Uuid,
        user_id: Uuid,
        team_id: Option<Uuid>,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        people::set_contact_person(self, person_id, user_id, team_id, by, audit).await
    }

    async fn contact_history(&self, person_id: Uuid) -> Result<Vec<(ContactAssignment, String)>> {
        let rows = sqlx::query(
            "SELECT c.*, u.display_name FROM contact_assignments c JOIN users u ON u.id = c.user_id \
             WHERE c.person_id = $1 ORDER BY c.until_at IS NOT NULL, c.from_at DESC",
        )
        .bind(person_id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading contact persons"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a contact person");
                Ok((
                    ContactAssignment {
                        person_id,
                        user_id: parse_uuid(&r.try_get::<String, _>("user_id").map_err(e())?)?,
                        from: parse_ts(&r.try_get::<String, _>("from_at").map_err(e())?)?,
                        until: r
                            .try_get::<Option<String>, _>("until_at")
                            .map_err(e())?
                            .map(|t| parse_ts(&t))
                            .transpose()?,
                        assigned_by: parse_uuid(&r.try_get::<String, _>("assigned_by").map_err(e())?)?,
                    },
                    r.try_get("display_name").map_err(e())?,
                ))
            })
            .collect()
    }

    async fn record_consent(&self, c: &Consent, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_consent(&mut tx, c).await?;
        write_audit(&mut tx, &naming(audit, c.person_id)).await?;
        tx.commit().await.map_err(db("committing a consent"))
    }

    async fn list_consents(&self, person_id: Uuid) -> Result<Vec<Consent>> {
        let rows = sqlx::query("SELECT * FROM consents WHERE person_id = $1 ORDER BY recorded_at DESC")
            .bind(person_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading consents"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a consent");
                Ok(Consent {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    person_id,
                    purpose: r.try_get("purpose").map_err(e())?,
                    text_version: r.try_get("text_version").map_err(e())?,
                    language: r.try_get("language").map_err(e())?,
                    recorded_by: parse_uuid(&r.try_get::<String, _>("recorded_by").map_err(e())?)?,
                    recorded_at: parse_ts(&r.try_get::<String, _>("recorded_at").map_err(e())?)?,
                    withdrawn_at: r
                        .try_get::<Option<String>, _>("withdrawn_at")
                        .map_err(e())?
                        .map(|t| parse_ts(&t))
                        .transpose()?,
                    partner_org_id: opt_uuid(r.try_get("partner_org_id").map_err(e())?)?,
                })
            })
            .collect()
    }

    async fn withdraw_consent(
        &self,
        person_id: Uuid,
        consent_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE consents SET withdrawn_at = $1 WHERE id = $2 AND person_id = $3 AND withdrawn_at IS NULL",
        )
        .bind(fmt_ts(at))
        .bind(consent_id.to_string())
        .bind(person_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("withdrawing a consent"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("consent"));
        }
        write_audit(&mut tx, &naming(audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a withdrawal"))
    }

    async fn record_event(&self, event: &NewEvent, audit: &AuditRecord) -> Result<EventRecord> {
        people::record_event(self, event, audit).await
    }

    async fn void_event(&self, void: &VoidEvent, audit: &AuditRecord) -> Result<()> {
        people::void_event(self, void, audit).await
    }

    async fn list_events(&self, person_id: Uuid) -> Result<Vec<EventRecord>> {
        people::list_events(&self.pool, person_id).await
    }

    async fn get_funnel(&self, person_id: Uuid, initiative_id: Uuid) -> Result<Option<FunnelRow>> {
        people::get_funnel(&self.pool, person_id, initiative_id).await
    }

    async fn check_projections(&self) -> Result<Vec<(Uuid, Uuid)>> {
        people::check_projections(self).await
    }

    async fn stage_counts(&self, initiative_id: Uuid) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query("SELECT stage, COUNT(*) AS n FROM funnels WHERE initiative_id = $1 GROUP BY stage")
            .bind(initiative_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("counting stages"))?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n").map_err(db("reading stage counts"))?;
                Ok((r.try_get("stage").map_err(db("reading stage counts"))?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    async fn count_people(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM persons")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("counting persons"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn add_do_not_contact(&self, hashes: &[String], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_do_not_contact(&mut tx, hashes).await?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing the do-not-contact list"))
    }

    async fn on_do_not_contact(&self, hashes: &[String]) -> Result<bool> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting to the database"))?;
        dnc_contains(&mut conn, hashes).await
    }

    async fn notify(&self, user_id: Uuid, message: &str, person_id: Option<Uuid>) -> Result<()> {
        let mut conn = self.writer.acquire().await.map_err(db("connecting to the database"))?;
        insert_notification(&mut conn, user_id, message, person_id).await
    }

    async fn list_notifications(&self, user_id: Uuid) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT * FROM notifications WHERE user_id = $1 ORDER BY read_at IS NOT NULL, created_at DESC LIMIT 100",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing notifications"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a notification");
                Ok(Notification {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    user_id,
                    message: r.try_get("message").map_err(e())?,
                    person_id: opt_uuid(r.try_get("person_id").map_err(e())?)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(e())?)?,
                    read_at: r
                        .try_get::<Option<String>, _>("read_at")
                        .map_err(e())?
                        .map(|t| parse_ts(&t))
                        .transpose()?,
                })
            })
            .collect()
    }

    async fn mark_notification_read(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let r = sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3")
            .bind(fmt_ts(OffsetDateTime::now_utc()))
            .bind(id.to_string())
            .bind(user_id.to_string())
            .execute(&self.writer)
            .await
            .map_err(db("marking a notification read"))?;
        if r.rows_affected() == 0 { Err(StoreError::NotFound("notification")) } else { Ok(()) }
    }

    async fn set_ethics_frame(&self, initiative_id: Uuid, text: &str, audit: &AuditRecord) -> Result<u32> {
        let version = ambassadors::set_ethics_frame(self, initiative_id, text, audit).await?;
        // Initiatives are cached (see `Reference`); the plan changed, so read it anew.
        self.forget_reference();
        Ok(version)
    }

    async fn ethics_frame(&self, initiative_id: Uuid) -> Result<Option<EthicsFrame>> {
        ambassadors::ethics_frame(self, initiative_id).await
    }

    async fn ambassador_profile(&self, user_id: Uuid) -> Result<Option<AmbassadorProfile>> {
        ambassadors::ambassador_profile(self, user_id).await
    }

    async fn save_ambassador_profile(
        &self,
        user_id: Uuid,
        details: &ProfileDetails,
        audit: &AuditRecord,
    ) -> Result<()> {
        ambassadors::save_ambassador_profile(self, user_id, details, audit).await
    }

    async fn accept_ethics(&self, user_id: Uuid, acceptance: &EthicsAcceptance, audit: &AuditRecord) -> Result<()> {
        ambassadors::accept_ethics(self, user_id, acceptance, audit).await
    }

    async fn list_ambassadors(&self) -> Result<Vec<(User, Option<AmbassadorProfile>)>> {
        ambassadors::list_ambassadors(self).await
    }

    async fn record_conversation(
        &self,
        ambassador_user_id: Uuid,
        conversation: &StreetConversation,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        ambassadors::record_conversation(self, ambassador_user_id, conversation, audit).await
    }

    async fn list_conversations(
        &self,
        ambassador_user_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ConversationRecord>> {
        ambassadors::list_conversations(self, ambassador_user_id, limit).await
    }

    async fn record_ambassador_follow_up(
        &self,
        follow_up: &AmbassadorFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        ambassadors::record_follow_up(self, follow_up, recorded_by, audit).await
    }

    async fn list_ambassador_follow_ups(&self, ambassador_user_id: Option<Uuid>) -> Result<Vec<FollowUpRecord>> {
        ambassadors::list_follow_ups(self, ambassador_user_id).await
    }

    async fn register_from_street(
        &self,
        write: &StreetRegistrationWrite,
        audit: &AuditRecord,
    ) -> Result<RegistrationOutcome> {
        ambassadors::register_from_street(self, write, audit).await
    }

    async fn area_overview(&self) -> Result<Vec<AreaOverview>> {
        ambassadors::area_overview(self).await
    }

    async fn create_partner(&self, details: &PartnerDetails, audit: &AuditRecord) -> Result<Uuid> {
        partners::create_partner(self, details, audit).await
    }

    async fn update_partner(&self, id: Uuid, details: &PartnerDetails, audit: &AuditRecord) -> Result<()> {
        partners::update_partner(self, id, details, audit).await
    }

    async fn list_partners(&self) -> Result<Vec<PartnerRecord>> {
        partners::list_partners(self).await
    }

    async fn get_partner(&self, id: Uuid) -> Result<Option<PartnerRecord>> {
        partners::get_partner(self, id).await
    }

    async fn save_agreement(&self, partner_id: Uuid, agreement: &Agreement, audit: &AuditRecord) -> Result<()> {
        partners::save_agreement(self, partner_id, agreement, audit).await
    }

    async fn create_referral_link(&self, link: &ReferralLink, audit: &AuditRecord) -> Result<()> {
        partners::create_referral_link(self, link, audit).await
    }

    async fn referral_link(&self, token_hash: &str) -> Result<Option<ReferralLink>> {
        partners::referral_link(self, token_hash).await
    }

    async fn refer(&self, write: &ReferralWrite, audit: &AuditRecord) -> Result<ReferralOutcome> {
        partners::refer(self, write, audit).await
    }

    async fn list_referrals(&self, partner_org_id: Uuid, initiative_id: Uuid) -> Result<Vec<ReferralStatusRow>> {
        partners::list_referrals(self, partner_org_id, initiative_id).await
    }

    async fn record_partner_follow_up(
        &self,
        follow_up: &PartnerFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        partners::record_follow_up(self, follow_up, recorded_by, audit).await
    }

    async fn list_partner_follow_ups(&self, partner_org_id: Uuid) -> Result<Vec<PartnerFollowUpRecord>> {
        partners::list_follow_ups(self, partner_org_id).await
    }

    async fn referrals_per_month(&self, partner_org_id: Uuid) -> Result<Vec<(i32, time::Month, u32)>> {
        partners::referrals_per_month(self, partner_org_id).await
    }

    async fn plan_intro_meeting(
        &self,
        initiative_id: Uuid,
        meeting: &domain::meeting::IntroMeeting,
        planned_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        meetings::plan(self, initiative_id, meeting, planned_by, audit).await
    }

    async fn save_letter_template(
        &self,
        initiative_id: Uuid,
        template: &domain::letter_template::LetterTemplate,
        updated_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        letters::save(self, initiative_id, template, updated_by, audit).await
    }

    async fn letter_templates(&self, initiative_id: Uuid) -> Result<Vec<StoredLetterTemplate>> {
        letters::list(self, initiative_id).await
    }

    async fn mark_letter_template_reviewed(
        &self,
        initiative_id: Uuid,
        language: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        letters::mark_reviewed(self, initiative_id, language, by, audit).await
    }

    async fn upcoming_intro_meetings(&self, initiative_id: Uuid, from: time::Date) -> Result<Vec<IntroMeetingRecord>> {
        meetings::upcoming(self, initiative_id, from).await
    }

    async fn save_selection_rules(
        &self,
        initiative_id: Uuid,
        name: &str,
        toml: &str,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<SelectionRulesRecord> {
        register::save_selection_rules(self, initiative_id, name, toml, by, audit).await
    }

    async fn selection_rules(&self, initiative_id: Uuid) -> Result<Vec<SelectionRulesRecord>> {
        register::selection_rules(self, initiative_id).await
    }

    async fn save_column_mapping(&self, kind: &str, mapping: &str, by: Uuid, audit: &AuditRecord) -> Result<()> {
        register::save_column_mapping(self, kind, mapping, by, audit).await
    }

    async fn column_mappings(&self) -> Result<Vec<(String, String)>> {
        register::column_mappings(self).await
    }

    async fn add_register_source(&self, source: &RegisterSourceRecord, audit: &AuditRecord) -> Result<()> {
        register::add_register_source(self, source, audit).await
    }

    async fn register_sources(&self, initiative_id: Uuid) -> Result<Vec<RegisterSourceRecord>> {
        register::register_sources(self, initiative_id).await
    }

    async fn sources_due_for_deletion(&self, today: time::Date) -> Result<Vec<RegisterSourceRecord>> {
        register::sources_due_for_deletion(self, today).await
    }

    async fn mark_sources_deleted(&self, ids: &[Uuid], by: Option<Uuid>, audit: &AuditRecord) -> Result<()> {
        register::mark_sources_deleted(self, ids, by, audit).await
    }

    async fn accept_register_run(
        &self,
        run: &RegisterRunRecord,
        candidates: &[RunCandidate],
        reviews: &[LinkReviewWrite],
        audit: &AuditRecord,
    ) -> Result<RunOutcome> {
        register::accept_register_run(self, run, candidates, reviews, audit).await
    }

    async fn register_runs(&self, initiative_id: Uuid) -> Result<Vec<RegisterRunRecord>> {
        register::register_runs(self, initiative_id).await
    }

    async fn pending_link_reviews(&self, initiative_id: Uuid) -> Result<Vec<LinkReviewRecord>> {
        register::pending_link_reviews(self, initiative_id).await
    }

    async fn decide_link_review(
        &self,
        id: Uuid,
        initiative_id: Uuid,
        decision: LinkDecision,
        dnc_hashes: &[String],
        actor: &EventActor,
        audit: &AuditRecord,
    ) -> Result<Option<Uuid>> {
        register::decide_link_review(self, id, initiative_id, decision, dnc_hashes, actor, audit).await
    }

    async fn call_list(&self, initiative_id: Uuid, scope: &domain::policy::ListScope) -> Result<Vec<CallRow>> {
        calls::call_list(self, initiative_id, scope).await
    }

    async fn notify_responsible(&self, person_id: Uuid, message: &str) -> Result<usize> {
        calls::notify_responsible(self, person_id, message).await
    }

    async fn self_referral(&self, write: &SelfReferralWrite, audit: &AuditRecord) -> Result<RegistrationOutcome> {
        open_door::self_referral(self, write, audit).await
    }

    async fn letter_batch_candidates(&self, initiative_id: Uuid, run_id: Uuid) -> Result<Vec<BatchCandidate>> {
        batches::candidates(self, initiative_id, run_id).await
    }

    async fn record_letter_batch(&self, batch: &LetterBatchWrite, audit: &AuditRecord) -> Result<()> {
        batches::record(self, batch, audit).await
    }

    async fn letter_batches(&self, initiative_id: Uuid) -> Result<Vec<LetterBatchRecord>> {
        batches::list(self, initiative_id).await
    }

    async fn letter_batch(&self, id: Uuid) -> Result<Option<LetterBatchRecord>> {
        batches::get(self, id).await
    }

    async fn batch_letters(&self, batch_id: Uuid) -> Result<Vec<BatchLetterRecord>> {
        batches::letters(self, batch_id).await
    }

    async fn set_cadence(
        &self,
        initiative_id: Uuid,
        cadence: &domain::calls::Cadence,
        audit: &AuditRecord,
    ) -> Result<()> {
        batches::set_cadence(self, initiative_id, cadence, audit).await
    }

    async fn record_events(&self, events: &[NewEvent], audit: &AuditRecord) -> Result<()> {
        calls::record_events(self, events, audit).await
    }

    async fn issue_response_code(&self, code: &ResponseCodeRecord, audit: &AuditRecord) -> Result<()> {
        responses::issue(self, code, audit).await
    }

    async fn response_code(&self, code_hash: &str) -> Result<Option<ResponseCodeRecord>> {
        responses::find(self, code_hash).await
    }

    async fn answer_response_code(
        &self,
        code_hash: &str,
        answer: &str,
        event: &NewEvent,
        phone: Option<(&domain::PhoneNumber, bool)>,
        audit: &AuditRecord,
    ) -> Result<AnswerOutcome> {
        responses::answer(self, code_hash, answer, event, phone, audit).await
    }

    async fn save_plan_version(
        &self,
        initiative_id: Uuid,
        v: &domain::plan::PlanVersion,
        audit: &AuditRecord,
    ) -> Result<()> {
        plans::save(self, initiative_id, v, audit).await
    }

    async fn plan_versions(&self, initiative_id: Uuid) -> Result<Vec<domain::plan::PlanVersion>> {
        plans::versions(self, initiative_id).await
    }

    async fn approve_plan_version(
        &self,
        initiative_id: Uuid,
        version: u32,
        approval: &domain::plan::Approval,
        audit: &AuditRecord,
    ) -> Result<()> {
        plans::approve(self, initiative_id, version, approval, audit).await
    }

    async fn append_audit(&self, audit: &AuditRecord) -> Result<()> {
        self.append_audit_grouped(audit.clone()).await
    }

    async fn list_audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        audit::list_audit(&self.pool, self.backend, q).await
    }
}
