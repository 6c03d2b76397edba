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
use crate::records::{AuditEntry, AuditLogFile, AuditQuery};
use crate::{Result, StoreError};
use domain::audit::{ActorRole, AuditAction, AuditRecord};
use domain::audit_chain::{ChainEntry, ChainHead, ChainReport, ChainVerifier};
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// A standalone entry on its way to the group-commit writer, and where to say it is
/// written.
pub(crate) type AuditJob = (AuditRecord, tokio::sync::oneshot::Sender<std::result::Result<(), String>>);

/// The tables an entry goes to, and the head of their hash chain (issue 13, item 10).
#[derive(Clone, Copy)]
struct Tables {
    log: &'static str,
    persons: &'static str,
    chain: &'static str,
}

const MAIN: Tables = Tables { log: "audit_log", persons: "audit_persons", chain: "audit_chain" };
/// The main tables named with their schema, beside the attached access file.
const MAIN_QUALIFIED: Tables =
    Tables { log: "main.audit_log", persons: "main.audit_persons", chain: "main.audit_chain" };
const ACCESS: Tables = Tables { log: "access.audit_log", persons: "access.audit_persons", chain: "access.audit_chain" };

fn file_tables(backend: Backend, file: AuditLogFile) -> Tables {
    match (backend, file) {
        (Backend::Postgres, _) => MAIN,
        (Backend::Sqlite, AuditLogFile::Main) => MAIN_QUALIFIED,
        (Backend::Sqlite, AuditLogFile::Access) => ACCESS,
    }
}

fn standalone_tables(backend: Backend) -> Tables {
    match backend {
        Backend::Sqlite => ACCESS,
        Backend::Postgres => MAIN,
    }
}

/// The access log's file for a SQLite URL: beside the main file, named after it.
/// An in-memory database has no file to put it beside, so it is refused.
pub(crate) fn access_log_path(url: &str) -> Result<String> {
    let path = main_db_path(url)?;
    let stem = path.strip_suffix(".db").unwrap_or(path);
    Ok(format!("{stem}-access.db"))
}

/// The main database's file for a SQLite URL.
pub(crate) fn main_db_path(url: &str) -> Result<&str> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::UnsupportedUrl(
            "an in-memory SQLite database (Opsøg needs a file for its audit log)".into(),
        ));
    }
    Ok(path)
}

/// Before any connection attaches (and so creates) the access log: a main database
/// that was bound to an access log whose file is gone is refused, naming the file
/// (issue 13, item 10). A new or not yet bound main database passes.
pub(crate) async fn refuse_missing_access_log(url: &str, access_log: &str) -> Result<()> {
    use sqlx::Connection;
    let main = main_db_path(url)?;
    if std::path::Path::new(access_log).exists() || !std::path::Path::new(main).exists() {
        return Ok(());
    }
    let mut conn = sqlx::AnyConnection::connect(url).await.map_err(db("opening the database"))?;
    // Before migration 0017 there is no binding table: such a database is not bound.
    let bound = sqlx::query("SELECT COUNT(*) FROM access_log_binding")
        .fetch_one(&mut conn)
        .await
        .and_then(|r| r.try_get::<i64, _>(0))
        .map(|n| n > 0)
        .unwrap_or(false);
    let _ = conn.close().await;
    if bound {
        return Err(StoreError::AccessLog { path: access_log.into(), problem: "is missing" });
    }
    Ok(())
}

/// Binds the access log to the main database, or checks that it is the one they were
/// made with: a random id stored in both. The access file is written first, in a
/// transaction of its own, so that a start interrupted between the two finishes the
/// binding next time instead of refusing a new installation. Each step holds the main
/// file's write lock, so two processes starting at once bind one id.
pub(crate) async fn bind_access_log(writer: &AnyPool, access_log: &str) -> Result<()> {
    let e = || db("binding the access log to the database");
    for step in 0..2 {
        let mut tx = super::begin_on(writer, Backend::Sqlite).await?;
        let mut ids = Vec::with_capacity(2);
        for table in ["main.access_log_binding", "access.access_log_binding"] {
            let id = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} ORDER BY id LIMIT 1")))
                .fetch_optional(&mut *tx)
                .await
                .map_err(e())?
                .map(|r| r.try_get::<String, _>(0))
                .transpose()
                .map_err(e())?;
            ids.push(id);
        }
        let (table, id) = match (ids[0].take(), ids[1].take()) {
            (Some(m), Some(a)) if m == a => return Ok(()),
            (Some(_), _) => {
                return Err(StoreError::AccessLog {
                    path: access_log.into(),
                    problem: "was replaced: it is not the access log this database was made with",
                });
            }
            (None, Some(a)) => ("main.access_log_binding", a),
            (None, None) if step == 0 => ("access.access_log_binding", Uuid::new_v4().to_string()),
            (None, None) => return Err(StoreError::Corrupt("the access log's binding was not written".into())),
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {table} (id, created_at) VALUES ($1, $2)")))
            .bind(id)
            .bind(fmt_ts(OffsetDateTime::now_utc()))
            .execute(&mut *tx)
            .await
            .map_err(e())?;
        tx.commit().await.map_err(e())?;
    }
    Ok(())
}

/// Creates the access log's tables if they are missing, on SQLite. Run with the
/// migrations; the file is attached to every connection, so it may also be new.
pub(crate) async fn ensure_access_log(writer: &AnyPool, backend: Backend) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::raw_sql(include_str!("../../migrations/sqlite/access_log.sql"))
            .execute(writer)
            .await
            .map_err(db("creating the access log"))?;
        // A file made before the chain (issue 13, item 10) gets its two columns; its
        // entries stay unlinked, counted by the head made above.
        let linked: i64 =
            sqlx::query("SELECT COUNT(*) FROM pragma_table_info('audit_log', 'access') WHERE name = 'hash'")
                .fetch_one(writer)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db("reading the access log's columns"))?;
        if linked == 0 {
            sqlx::raw_sql(
                "ALTER TABLE access.audit_log ADD COLUMN prev_hash TEXT; \
                 ALTER TABLE access.audit_log ADD COLUMN hash TEXT;",
            )
            .execute(writer)
            .await
            .map_err(db("adding the chain to the access log"))?;
        }
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

/// Appends audit entries inside the caller's transaction, linked into the table's hash
/// chain (issue 13, item 10): every entry in one statement, and every person they name
/// in another (per chunk of bind parameters).
///
/// The chain's head is locked first and rewritten last, in the same transaction: two
/// writers (two processes on SQLite, two connections on PostgreSQL) take turns at the
/// head, so each links to the entry the other wrote and the chain cannot fork.
async fn write_audits(tx: &mut Transaction<'static, Any>, audits: &[&AuditRecord], tables: Tables) -> Result<()> {
    let at = fmt_ts(OffsetDateTime::now_utc());
    // Locks the head: on SQLite the first write of the transaction takes the file's
    // write lock; on PostgreSQL the row lock is held until commit.
    let head: String = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET length = length WHERE id = 1 RETURNING hash",
        tables.chain
    )))
    .fetch_one(&mut **tx)
    .await
    .and_then(|r| r.try_get(0))
    .map_err(db("reading the audit chain's head"))?;
    // Time-ordered, so that audit_persons is written at its end (see migration 0001),
    // and so that entries from both tables sort by it.
    let mut entries: Vec<ChainEntry> = audits
        .iter()
        .map(|audit| ChainEntry {
            seq: 0,
            id: Uuid::now_v7().to_string(),
            at: at.clone(),
            user_id: audit.actor.user_id.map(|u| u.to_string()),
            username: audit.actor.username.clone(),
            role: audit.actor.role.code().to_string(),
            action: audit.action.code().to_string(),
            origin: audit.origin.clone(),
            detail: audit.detail.clone(),
            persons: audit.persons.iter().map(Uuid::to_string).collect(),
            prev_hash: None,
            hash: None,
        })
        .collect();
    let new_head = domain::audit_chain::link(&head, &mut entries);
    const COLUMNS: usize = 10;
    for chunk in fixed_chunks(&entries) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let params: Vec<String> = (1..=COLUMNS).map(|k| format!("${}", i * COLUMNS + k)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} (id, at, user_id, username, role, action, origin, detail, prev_hash, hash) VALUES {}",
            tables.log,
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.id.clone())
                .bind(e.at.clone())
                .bind(e.user_id.clone())
                .bind(e.username.clone())
                .bind(e.role.clone())
                .bind(e.action.clone())
                .bind(e.origin.clone())
                .bind(e.detail.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone());
        }
        q.execute(&mut **tx).await.map_err(db("writing the audit log"))?;
    }
    let pairs: Vec<(&String, &String)> =
        entries.iter().flat_map(|e| e.persons.iter().map(move |p| (&e.id, p))).collect();
    for chunk in fixed_chunks(&pairs) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", i * 2 + 1, i * 2 + 2)).collect();
        let sql = format!("INSERT INTO {} (audit_id, person_id) VALUES {}", tables.persons, values.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, person) in chunk {
            q = q.bind((*id).clone()).bind((*person).clone());
        }
        q.execute(&mut **tx).await.map_err(db("writing the audit log's persons"))?;
    }
    if let Some(last) = entries.last() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET length = length + $1, head_id = $2, hash = $3 WHERE id = 1",
            tables.chain
        )))
        .bind(i64::try_from(entries.len()).unwrap_or(i64::MAX))
        .bind(last.id.clone())
        .bind(new_head)
        .execute(&mut **tx)
        .await
        .map_err(db("moving the audit chain's head"))?;
    }
    Ok(())
}

/// Checks one audit table's hash chain, from one snapshot of the database: the entries
/// in row order, page by page, against the head (issue 13, item 10).
pub(crate) async fn check_chain(pool: &AnyPool, backend: Backend, file: AuditLogFile) -> Result<ChainReport> {
    const PAGE: i64 = 5000;
    let tables = file_tables(backend, file);
    let e = || db("reading the audit chain");
    let mut tx = pool.begin().await.map_err(e())?;
    if backend == Backend::Postgres {
        // One snapshot for every page and the head, so that entries written meanwhile
        // do not look inserted.
        sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await.map_err(e())?;
    }
    let head_row =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT length, hash, unchained FROM {} WHERE id = 1", tables.chain)))
            .fetch_optional(&mut *tx)
            .await
            .map_err(e())?;
    let head = match head_row {
        Some(r) => ChainHead {
            length: r.try_get("length").map_err(e())?,
            hash: r.try_get("hash").map_err(e())?,
            unchained: r.try_get("unchained").map_err(e())?,
        },
        // The head row is gone (its trigger dropped first): nothing can be trusted.
        None => ChainHead { length: i64::MAX, hash: "(the chain's head is missing)".into(), unchained: 0 },
    };
    let mut verifier = ChainVerifier::new(file.table_name(), head);
    let mut after = i64::MIN;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT seq, id, at, user_id, username, role, action, origin, detail, prev_hash, hash \
             FROM {} WHERE seq > $1 ORDER BY seq LIMIT $2",
            tables.log
        )))
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *tx)
        .await
        .map_err(e())?;
        let Some(last) = rows.last() else { break };
        let last: i64 = last.try_get("seq").map_err(e())?;
        let mut persons: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT audit_id, person_id FROM {} WHERE audit_id IN (SELECT id FROM {} WHERE seq > $1 AND seq <= $2)",
            tables.persons, tables.log
        )))
        .bind(after)
        .bind(last)
        .fetch_all(&mut *tx)
        .await
        .map_err(e())?
        {
            persons.entry(r.try_get(0).map_err(e())?).or_default().push(r.try_get(1).map_err(e())?);
        }
        for r in &rows {
            let id: String = r.try_get("id").map_err(e())?;
            verifier.push(ChainEntry {
                seq: r.try_get("seq").map_err(e())?,
                persons: persons.remove(&id).unwrap_or_default(),
                id,
                at: r.try_get("at").map_err(e())?,
                user_id: r.try_get("user_id").map_err(e())?,
                username: r.try_get("username").map_err(e())?,
                role: r.try_get("role").map_err(e())?,
                action: r.try_get("action").map_err(e())?,
                origin: r.try_get("origin").map_err(e())?,
                detail: r.try_get("detail").map_err(e())?,
                prev_hash: r.try_get("prev_hash").map_err(e())?,
                hash: r.try_get("hash").map_err(e())?,
            });
        }
        after = last;
    }
    // Rows of persons whose entry is not there: put in by hand, or left by a deletion.
    let orphans = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT p.audit_id FROM {} p WHERE NOT EXISTS (SELECT 1 FROM {} l WHERE l.id = p.audit_id) \
         ORDER BY p.audit_id LIMIT {}",
        tables.persons,
        tables.log,
        domain::audit_chain::MAX_FINDINGS
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(e())?;
    for r in &orphans {
        verifier.orphan_persons(r.try_get(0).map_err(e())?);
    }
    tx.rollback().await.map_err(e())?;
    Ok(verifier.finish())
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
    // Fixed fragments only; every value is bound, in order, as $1, $2, …
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    // `?` in a fragment becomes the next parameter's number.
    fn bind(conditions: &mut Vec<String>, values: &mut Vec<String>, fragment: &str, value: String) {
        values.push(value);
        conditions.push(fragment.replace('?', &format!("${}", values.len())));
    }
    if let Some(p) = q.person_id {
        bind(&mut conditions, &mut values, "id IN (SELECT audit_id FROM {persons} WHERE person_id = ?)", p.to_string());
    }
    if !q.any_person.is_empty() {
        let mut marks = Vec::new();
        for p in &q.any_person {
            values.push(p.to_string());
            marks.push(format!("${}", values.len()));
        }
        conditions.push(format!("id IN (SELECT audit_id FROM {{persons}} WHERE person_id IN ({}))", marks.join(", ")));
    }
    if let Some(u) = q.user_id {
        bind(&mut conditions, &mut values, "user_id = ?", u.to_string());
    }
    if let Some(t) = q.from {
        bind(&mut conditions, &mut values, "at >= ?", fmt_ts(t));
    }
    if let Some(t) = q.until {
        bind(&mut conditions, &mut values, "at < ?", fmt_ts(t));
    }
    if let Some(id) = &q.before_id {
        bind(&mut conditions, &mut values, "id < ?", id.clone());
    }
    let filter = if conditions.is_empty() { "1 = 1".to_string() } else { conditions.join(" AND ") };
    let select = |t: Tables| format!("SELECT * FROM {} WHERE {}", t.log, filter.replace("{persons}", t.persons));
    // One ordered arm per table, merged by the compound ORDER BY, so that each arm
    // reads its newest entries from the id index and stops at the limit.
    let arms = match backend {
        Backend::Sqlite => format!("{} UNION ALL {}", select(MAIN_QUALIFIED), select(ACCESS)),
        Backend::Postgres => select(MAIN),
    };
    let sql = format!("{arms} ORDER BY id DESC LIMIT ${}", values.len() + 1);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in values {
        query = query.bind(v);
    }
    let rows = query.bind(limit).fetch_all(pool).await.map_err(db("reading the audit log"))?;
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
            .bind(id.clone())
            .fetch_all(pool)
            .await
            .map_err(e())?
            .iter()
            .map(|p| parse_uuid(&p.try_get::<String, _>(0).map_err(db("reading an audit entry"))?))
            .collect::<Result<Vec<_>>>()?;
        let seq: i64 = r.try_get("seq").map_err(e())?;
        let role: String = r.try_get("role").map_err(e())?;
        let action: String = r.try_get("action").map_err(e())?;
        out.push(AuditEntry {
            id,
            seq,
            at: parse_ts(&r.try_get::<String, _>("at").map_err(e())?)?,
            user_id: opt_uuid(r.try_get("user_id").map_err(e())?)?,
            username: r.try_get("username").map_err(e())?,
            role: ActorRole::from_code(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("audit entry {seq}: role '{role}'")))?,
            action: AuditAction::from_code(&action)
                .ok_or_else(|| StoreError::Corrupt(format!("audit entry {seq}: action '{action}'")))?,
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

    /// The audit log's files: on SQLite the main database and the access log, on
    /// PostgreSQL the one table.
    pub fn audit_log_files(&self) -> Vec<AuditLogFile> {
        match self.backend {
            Backend::Sqlite => vec![AuditLogFile::Main, AuditLogFile::Access],
            Backend::Postgres => vec![AuditLogFile::Main],
        }
    }

    /// Checks the hash chain of one of the audit log's tables (issue 13, item 10).
    pub async fn check_audit_chain(&self, file: AuditLogFile) -> Result<ChainReport> {
        check_chain(&self.pool, self.backend, file).await
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
