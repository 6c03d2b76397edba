//! Where the audit log is written and read.
//!
//! An entry about a change is written in the change's own transaction, in the main
//! database. An entry that stands alone — a page view, a list, a search, a login, a
//! refusal, a CLI command — goes through one group-commit writer.
//!
//! On SQLite those standalone entries live in a second database file beside the main
//! one, attached to every connection as `access`. A SQLite connection drops its whole
//! page cache whenever the file it reads has been written to; with every page view
//! writing an entry, every read started from an empty cache, which cost the list page
//! about half its time (measured with `bench/web-load.sh`: 1,100 µs of server CPU per
//! request with the entries in the main file, 566 µs with none written). Writing
//! them to a file of their own leaves the main file's caches alone. PostgreSQL keeps
//! one table; its caches are shared and not dropped on writes.

use super::rows::{fmt_ts, opt_uuid, parse_ts, parse_uuid};
use super::{Backend, SqlStore, db};
use crate::records::{AuditEntry, AuditQuery};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// A standalone entry on its way to the group-commit writer, and where to say it is
/// written.
pub(crate) type AuditJob = (AuditRecord, tokio::sync::oneshot::Sender<std::result::Result<(), String>>);

/// The pair of tables an entry goes to.
#[derive(Clone, Copy)]
struct Tables {
    log: &'static str,
    persons: &'static str,
}

const MAIN: Tables = Tables { log: "audit_log", persons: "audit_persons" };
/// The main tables named with their schema, beside the attached access file.
const MAIN_QUALIFIED: Tables = Tables { log: "main.audit_log", persons: "main.audit_persons" };
const ACCESS: Tables = Tables { log: "access.audit_log", persons: "access.audit_persons" };

fn standalone_tables(backend: Backend) -> Tables {
    match backend {
        Backend::Sqlite => ACCESS,
        Backend::Postgres => MAIN,
    }
}

/// The access log's file for a SQLite URL: beside the main file, named after it.
/// An in-memory database has no file to put it beside, so it is refused.
pub(crate) fn access_log_path(url: &str) -> Result<String> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::UnsupportedUrl(
            "an in-memory SQLite database (Opsøg needs a file for its audit log)".into(),
        ));
    }
    let stem = path.strip_suffix(".db").unwrap_or(path);
    Ok(format!("{stem}-access.db"))
}

/// Creates the access log's tables if they are missing, on SQLite. Run with the
/// migrations; the file is attached to every connection, so it may also be new.
pub(crate) async fn ensure_access_log(writer: &AnyPool, backend: Backend) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::raw_sql(include_str!("../../migrations/sqlite/access_log.sql"))
            .execute(writer)
            .await
            .map_err(db("creating the access log"))?;
    }
    Ok(())
}

/// Group commit for standalone entries. Every page view and list writes one entry;
/// one transaction each made the writer the bottleneck under load (about 900/s on
/// SQLite). This task takes whatever entries are waiting, writes them in one
/// transaction and then answers each caller, so an entry is stored before its page
/// is shown, and a failed batch fails every page in it.
pub(crate) async fn audit_writer(writer: AnyPool, backend: Backend, mut queue: tokio::sync::mpsc::Receiver<AuditJob>) {
    const MAX_BATCH: usize = 256;
    let tables = standalone_tables(backend);
    let mut batch: Vec<AuditJob> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let result = async {
            // A deferred transaction on SQLite: it writes only the access file, and
            // so takes only that file's write lock.
            let mut tx = super::begin_clean(&writer, None).await.map_err(db("starting a transaction"))?;
            let entries: Vec<&AuditRecord> = batch.iter().map(|(audit, _)| audit).collect();
            write_audits(&mut tx, &entries, tables).await?;
            tx.commit().await.map_err(db("committing the audit log"))
        }
        .await;
        let answer = result.map_err(|e| e.to_string());
        if let Err(e) = &answer {
            tracing::error!(error = %e, entries = batch.len(), "audit batch failed");
        }
        for (_, done) in batch.drain(..) {
            let _ = done.send(answer.clone());
        }
    }
}

/// The audit record of a write about one woman always names her, whatever the
/// caller passed: "who changed her data" must find every change.
pub(crate) fn naming(audit: &AuditRecord, person: Uuid) -> AuditRecord {
    let mut audit = audit.clone();
    if !audit.persons.contains(&person) {
        audit.persons.push(person);
    }
    audit
}

/// Appends the audit entry of a change inside the change's transaction.
pub(crate) async fn write_audit(tx: &mut Transaction<'static, Any>, audit: &AuditRecord) -> Result<()> {
    write_audits(tx, &[audit], MAIN).await
}

/// Appends audit entries inside the caller's transaction: every entry in one
/// statement, and every person they name in another (per chunk of bind parameters).
async fn write_audits(tx: &mut Transaction<'static, Any>, audits: &[&AuditRecord], tables: Tables) -> Result<()> {
    let at = fmt_ts(OffsetDateTime::now_utc());
    // Time-ordered, so that audit_persons is written at its end (see migration 0001),
    // and so that entries from both tables sort by it.
    let ids: Vec<String> = audits.iter().map(|_| Uuid::now_v7().to_string()).collect();
    let entries: Vec<(&String, &&AuditRecord)> = ids.iter().zip(audits).collect();
    for chunk in fixed_chunks(&entries) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let params: Vec<String> = (1..=8).map(|k| format!("${}", i * 8 + k)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} (id, at, user_id, username, role, action, origin, detail) VALUES {}",
            tables.log,
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, audit) in chunk {
            q = q
                .bind((*id).clone())
                .bind(at.clone())
                .bind(audit.actor.user_id.map(|u| u.to_string()))
                .bind(audit.actor.username.clone())
                .bind(audit.actor.role.clone())
                .bind(audit.action.code())
                .bind(audit.origin.clone())
                .bind(audit.detail.clone());
        }
        q.execute(&mut **tx).await.map_err(db("writing the audit log"))?;
    }
    let pairs: Vec<(&String, &Uuid)> =
        audits.iter().zip(&ids).flat_map(|(audit, id)| audit.persons.iter().map(move |p| (id, p))).collect();
    for chunk in fixed_chunks(&pairs) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", i * 2 + 1, i * 2 + 2)).collect();
        let sql = format!("INSERT INTO {} (audit_id, person_id) VALUES {}", tables.persons, values.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, person) in chunk {
            q = q.bind((*id).clone()).bind(person.to_string());
        }
        q.execute(&mut **tx).await.map_err(db("writing the audit log's persons"))?;
    }
    Ok(())
}

/// Splits rows into chunks of a few fixed sizes (largest first), so that a multi-row
/// INSERT has one of a handful of texts and its prepared statement is reused, instead
/// of a new text (parsed anew) for every batch size.
fn fixed_chunks<T>(rows: &[T]) -> Vec<&[T]> {
    const SIZES: [usize; 4] = [256, 64, 16, 4];
    let mut chunks = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = SIZES.into_iter().find(|s| *s <= rest.len()).unwrap_or(1);
        let (chunk, tail) = rest.split_at(size);
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// Newest first, from both tables on SQLite. Entry ids are time-ordered, so they
/// order entries across the two tables, whose sequence numbers are separate.
pub(crate) async fn list_audit(pool: &AnyPool, backend: Backend, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let limit = i64::from(if q.limit == 0 { 200 } else { q.limit });
    let (filter, arg) = match (q.person_id, q.user_id) {
        (Some(p), _) => ("id IN (SELECT audit_id FROM {persons} WHERE person_id = $1)", Some(p)),
        (None, Some(u)) => ("user_id = $1", Some(u)),
        (None, None) => ("$1 IS NULL", None),
    };
    let select = |t: Tables| format!("SELECT * FROM {} WHERE {}", t.log, filter.replace("{persons}", t.persons));
    // One ordered arm per table, merged by the compound ORDER BY, so that each arm
    // reads its newest entries from the id index and stops at the limit.
    let arms = match backend {
        Backend::Sqlite => format!("{} UNION ALL {}", select(MAIN_QUALIFIED), select(ACCESS)),
        Backend::Postgres => select(MAIN),
    };
    let sql = format!("{arms} ORDER BY id DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(arg.map(|a| a.to_string()))
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db("reading the audit log"))?;
    let persons_sql = match backend {
        Backend::Sqlite => {
            "SELECT person_id FROM main.audit_persons WHERE audit_id = $1 \
             UNION ALL SELECT person_id FROM access.audit_persons WHERE audit_id = $1 ORDER BY person_id"
        }
        Backend::Postgres => "SELECT person_id FROM audit_persons WHERE audit_id = $1 ORDER BY person_id",
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = || db("reading an audit entry");
        let id: String = r.try_get("id").map_err(e())?;
        let persons = sqlx::query(persons_sql)
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(e())?
            .iter()
            .map(|p| parse_uuid(&p.try_get::<String, _>(0).map_err(db("reading an audit entry"))?))
            .collect::<Result<Vec<_>>>()?;
        out.push(AuditEntry {
            seq: r.try_get("seq").map_err(e())?,
            at: parse_ts(&r.try_get::<String, _>("at").map_err(e())?)?,
            user_id: opt_uuid(r.try_get("user_id").map_err(e())?)?,
            username: r.try_get("username").map_err(e())?,
            role: r.try_get("role").map_err(e())?,
            action: r.try_get("action").map_err(e())?,
            origin: r.try_get("origin").map_err(e())?,
            detail: r.try_get("detail").map_err(e())?,
            persons,
        });
    }
    Ok(out)
}

impl SqlStore {
    pub async fn append_audit(&self, audit: &AuditRecord) -> Result<()> {
        self.append_audit_grouped(audit.clone()).await
    }

    pub async fn list_audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        list_audit(&self.pool, self.backend, q).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_log_sits_beside_the_main_file() {
        assert_eq!(access_log_path("sqlite:///data/opsog.db?mode=rwc").unwrap(), "/data/opsog-access.db");
        assert_eq!(access_log_path("sqlite:rel/x.sqlite").unwrap(), "rel/x.sqlite-access.db");
        assert!(access_log_path("sqlite::memory:").is_err());
        assert!(access_log_path("sqlite://").is_err());
    }
}
