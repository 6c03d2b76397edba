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
mod consents;
mod do_not_contact;
mod events;
mod intake;
mod jobs;
mod letters;
mod login_failures;
mod matches;
mod meetings;
mod notifications;
mod open_door;
mod org;
mod partners;
mod people;
mod person_page;
mod plans;
mod register;
mod responses;
mod role_grants;
mod run_candidates;
mod second_factor;
pub use people::COUNT_CAP;
pub use role_grants::{LoginGrant, RoleGrant};
mod rows;
mod session_cache;
mod users;
pub(crate) use consents::insert_consent;
pub(crate) use do_not_contact::insert_do_not_contact;
pub(crate) use notifications::insert_notification;
pub(crate) use users::{USER_COLUMNS, user_from_row};

use crate::{Result, StoreError};
use audit::{AuditJob, audit_writer};
pub(crate) use audit::{naming, write_audit};
use domain::audit::AuditRecord;
use domain::org::{Area, Initiative};
use rows::fmt_ts;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Row, Transaction};
use std::time::Duration;
use time::OffsetDateTime;

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
/// `migrations/common/`; the first two differ (AUTOINCREMENT vs BIGSERIAL, triggers),
/// and so does 0017 (the audit chain's triggers, TRUNCATE).
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
    Migration {
        version: 14,
        name: "extract_reference_dates",
        sqlite: include_str!("../../migrations/common/0014_extract_reference_dates.sql"),
        postgres: include_str!("../../migrations/common/0014_extract_reference_dates.sql"),
    },
    Migration {
        version: 15,
        name: "login_failures_and_versions",
        sqlite: include_str!("../../migrations/common/0015_login_failures_and_versions.sql"),
        postgres: include_str!("../../migrations/common/0015_login_failures_and_versions.sql"),
    },
    Migration {
        version: 16,
        name: "event_submissions",
        sqlite: include_str!("../../migrations/common/0016_event_submissions.sql"),
        postgres: include_str!("../../migrations/common/0016_event_submissions.sql"),
    },
    // Triggers differ between the backends (and TRUNCATE is PostgreSQL's), so this one
    // has a file per backend again (issue 13, item 10).
    Migration {
        version: 17,
        name: "audit_chain",
        sqlite: include_str!("../../migrations/sqlite/0017_audit_chain.sql"),
        postgres: include_str!("../../migrations/postgres/0017_audit_chain.sql"),
    },
    Migration {
        version: 18,
        name: "outside_doors",
        sqlite: include_str!("../../migrations/common/0018_outside_doors.sql"),
        postgres: include_str!("../../migrations/common/0018_outside_doors.sql"),
    },
    Migration {
        version: 19,
        name: "second_factor",
        sqlite: include_str!("../../migrations/common/0019_second_factor.sql"),
        postgres: include_str!("../../migrations/common/0019_second_factor.sql"),
    },
    Migration {
        version: 20,
        name: "role_grants",
        sqlite: include_str!("../../migrations/common/0020_role_grants.sql"),
        postgres: include_str!("../../migrations/common/0020_role_grants.sql"),
    },
    Migration {
        version: 21,
        name: "link_evidence",
        sqlite: include_str!("../../migrations/common/0021_link_evidence.sql"),
        postgres: include_str!("../../migrations/common/0021_link_evidence.sql"),
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
    /// The access log's file on SQLite, bound to the main database at every start.
    access_log: Option<std::sync::Arc<str>>,
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
        if backend == Backend::Sqlite {
            // Before the first connection attaches the file, which would create it.
            audit::refuse_missing_access_log(url, &access_log).await?;
        }
        let options = |max: u32| {
            let o = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30)).max_connections(max);
            if backend != Backend::Sqlite {
                return o;
            }
            // A pooled SQLite connection is a local file on a thread of its own: pinging
            // it before each use (sqlx's default) only doubled the thread hand-offs of
            // every query, which the profile showed as the largest cost left.
            let o = o.test_before_acquire(false);
            // synchronous = FULL: a write acknowledged is on disk, even after a power
            // cut (NORMAL in WAL mode may lose the last commits then; issue 13, item 11).
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
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA access.journal_mode = WAL; PRAGMA access.synchronous = FULL; \
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
        let access_log = (backend == Backend::Sqlite).then_some(access_log);
        Ok(SqlStore {
            pool,
            reference: Default::default(),
            sessions: Default::default(),
            audits,
            writer,
            backend,
            access_log,
        })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        // Nothing pending, nothing written: an application role that may not create
        // tables (README, "PostgreSQL") still starts on a database migrated by the owner.
        let mut applied = Vec::new();
        if !self.pending_migrations().await?.is_empty() {
            self.apply_migrations(&mut applied).await?;
        }
        audit::ensure_access_log(&self.writer, self.backend).await?;
        if let Some(access_log) = &self.access_log {
            audit::bind_access_log(&self.writer, access_log).await?;
        }
        Ok(applied)
    }

    async fn apply_migrations(&self, applied: &mut Vec<i64>) -> Result<()> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.writer)
        .await
        .map_err(db("creating schema_migrations"))?;
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
        Ok(())
    }

    pub async fn pending_migrations(&self) -> Result<Vec<i64>> {
        let exists = sqlx::query("SELECT version FROM schema_migrations").fetch_all(&self.pool).await;
        let done: Vec<i64> = match exists {
            Ok(rows) => rows.iter().filter_map(|r| r.try_get(0).ok()).collect(),
            Err(_) => Vec::new(),
        };
        Ok(MIGRATIONS.iter().map(|m| m.version).filter(|v| !done.contains(v)).collect())
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
    let statement = match backend {
        Backend::Sqlite => Some("BEGIN IMMEDIATE"),
        Backend::Postgres => None,
    };
    begin_clean(writer, statement).await.map_err(db("starting a transaction"))
}

/// Begins a transaction on a connection of `pool`, with `statement` or the backend's
/// plain BEGIN. SQLite rolls a transaction back by itself when the disk is full; sqlx
/// then still counts it as open, and every later BEGIN on that connection failed
/// ("non-zero transaction depth") or, worse, became a savepoint inside the dead
/// transaction, so that audit entries reported as written never were (issue 13, item
/// 11). Such a connection is closed and a fresh one taken: writes resume as soon as
/// there is space, without a restart.
pub(crate) async fn begin_clean(
    pool: &AnyPool,
    statement: Option<&'static str>,
) -> std::result::Result<Transaction<'static, Any>, sqlx::Error> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a write connection was left inside a failed transaction; it is closed");
        if let Err(e) = conn.close().await {
            tracing::warn!(error = %e, "closing the broken write connection failed");
        }
        conn = pool.acquire().await?;
    }
    Transaction::begin(conn, statement.map(sqlx::SqlSafeStr::into_sql_str)).await
}

#[cfg(test)]
mod migration_list_tests {
    #![allow(clippy::unwrap_used)]
    use super::MIGRATIONS;

    /// The numbered files of one migrations folder (`access_log.sql`, run at every
    /// start, has no number): version, name and text.
    fn numbered(folder: &str) -> Vec<(i64, String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Ok(version) = name.split('_').next().unwrap().parse::<i64>() else { continue };
            out.push((version, name, std::fs::read_to_string(&path).unwrap()));
        }
        out.sort();
        out
    }

    /// A migration file that is not in the list is never run: every file in
    /// `migrations/common` is listed under its number, with its own text, and so is
    /// every pair of per-backend files (0001, 0002, 0017) with each backend's text.
    #[test]
    fn every_migration_file_is_listed() {
        let common = numbered("common");
        for (version, name, text) in &common {
            let listed = MIGRATIONS.iter().find(|m| m.version == *version);
            assert!(
                listed.is_some_and(|m| m.sqlite == *text && m.postgres == *text),
                "{name} is not listed as {version}"
            );
        }
        let (sqlite, postgres) = (numbered("sqlite"), numbered("postgres"));
        let versions = |files: &[(i64, String, String)]| files.iter().map(|f| f.0).collect::<Vec<_>>();
        assert_eq!(versions(&sqlite), versions(&postgres), "each backend has its own file of the same number");
        for ((version, name, lite), (_, _, pg)) in sqlite.iter().zip(&postgres) {
            let listed = MIGRATIONS.iter().find(|m| m.version == *version);
            assert!(
                listed.is_some_and(|m| m.sqlite == *lite && m.postgres == *pg),
                "{name} is not listed as {version}"
            );
        }
        assert_eq!(MIGRATIONS.len(), common.len() + sqlite.len(), "no version listed twice or without a file");
    }
}
