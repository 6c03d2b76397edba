//! An audit log you can trust (issue 13, item 10): every audit table refuses UPDATE and
//! DELETE (and TRUNCATE on PostgreSQL) in the database itself, entries are
//! hash-chained so that an edited, deleted or inserted entry is found, concurrent
//! writers never fork the chain, and a main database refuses to open with its SQLite
//! access log missing or replaced. Runs on SQLite, and on PostgreSQL (as the
//! restricted application role) when TEST_DATABASE_URL is set. Who read a woman's
//! record must stay knowable (G-2.4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use domain::audit::AuditAction;
use domain::audit_chain::{Break, ChainReport};
use domain::person::SourceKind;
use sqlx::Row;
use store::testkit::{Tampering, TestDb, as_owner, audit_ids, move_sqlite_db, new_person, tamper};
use store::*;

/// One entry that stands alone and one written with a change, per call.
async fn write_entries(s: &SqlStore, n: usize) {
    let init = initiative(s).await;
    for i in 0..n {
        let mut standalone = audit(AuditAction::CliCommand);
        standalone.detail = format!("standalone {i}");
        standalone.persons = vec![uuid::Uuid::new_v4()];
        s.append_audit(&standalone).await.unwrap();
        let person = new_person(init.id, None, details("Amina", "H", "", ""), SourceKind::Other, None);
        s.create_person(&person, &[], &audit(AuditAction::CreatePerson)).await.unwrap();
    }
}

async fn check(s: &SqlStore, file: AuditLogFile) -> ChainReport {
    s.check_audit_chain(file).await.unwrap()
}

async fn count(s: &SqlStore, table: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(s.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// The audit tables of the backend, with the prefix of the file they live in.
fn tables(db: &TestDb) -> Vec<String> {
    let mut prefixes = vec![""];
    if db.backend() == Backend::Sqlite {
        prefixes.push("access.");
    }
    let mut out = Vec::new();
    for p in prefixes {
        for t in ["audit_log", "audit_persons", "audit_chain"] {
            out.push(format!("{p}{t}"));
        }
        if db.backend() == Backend::Sqlite {
            out.push(format!("{p}access_log_binding"));
        }
    }
    out
}

#[tokio::test]
async fn every_audit_table_refuses_update_delete_and_truncate() {
    let db = TestDb::new().await;
    let s = &db.store;
    write_entries(s, 2).await;
    for t in tables(&db) {
        let before = count(s, &t).await;
        assert!(before > 0, "{t} has rows to protect");
        // The chain's head may move forward, never back.
        let set = match t.rsplit('.').next().unwrap() {
            "audit_log" => "detail = 'x'",
            "audit_persons" => "person_id = 'x'",
            "audit_chain" => "length = length - 1",
            _ => "id = 'x'",
        };
        let update = format!("UPDATE {t} SET {set}");
        let err = sqlx::query(sqlx::AssertSqlSafe(update.clone())).execute(s.pool()).await;
        assert!(err.is_err(), "{update}");
        let delete = format!("DELETE FROM {t}");
        assert!(sqlx::query(sqlx::AssertSqlSafe(delete.clone())).execute(s.pool()).await.is_err(), "{delete}");
        if db.backend() == Backend::Postgres {
            let truncate = format!("TRUNCATE {t}");
            assert!(
                sqlx::raw_sql(sqlx::AssertSqlSafe(truncate.clone())).execute(s.pool()).await.is_err(),
                "{truncate}"
            );
            // The owner has every right on the tables: the triggers still refuse, so
            // the refusal is the database's rule, not only the role's rights.
            for sql in [update.clone(), delete.clone(), truncate] {
                let refused = as_owner(&db, &sql).await.unwrap();
                let e = refused.expect_err(&sql).to_string();
                assert!(e.contains("append-only") || e.contains("only moves forward"), "{sql}: {e}");
            }
        }
        assert_eq!(count(s, &t).await, before, "{t}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn on_postgresql_the_tests_run_as_the_restricted_application_role() {
    let db = TestDb::new().await;
    if db.backend() != Backend::Postgres {
        // SQLite has no roles; the triggers above are its whole protection.
        assert!(db.url.starts_with("sqlite:"));
        db.cleanup().await;
        return;
    }
    let s = &db.store;
    let user: String =
        sqlx::query("SELECT CAST(current_user AS TEXT)").fetch_one(s.pool()).await.unwrap().try_get(0).unwrap();
    assert_eq!(user, store::testkit::APP_ROLE);
    write_entries(s, 1).await;
    // what the role may: write and read its entries, and the store works
    assert!(count(s, "audit_log").await >= 2);
    // what it may not, by its rights alone
    for sql in [
        "CREATE TABLE t (x TEXT)",
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
    ] {
        let e = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(s.pool()).await.expect_err(sql).to_string();
        assert!(e.contains("permission denied") || e.contains("must be owner"), "{sql}: {e}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn an_intact_log_verifies_with_every_entry_counted() {
    let db = TestDb::new().await;
    let s = &db.store;
    write_entries(s, 3).await;
    let mut total = 0;
    for file in s.audit_log_files() {
        let r = check(s, file).await;
        assert!(r.intact(), "{r:?}");
        assert_eq!(r.unchained, 0, "a new database has no entries from before the chain");
        assert_eq!(i64::try_from(r.entries).unwrap(), count(s, file_table(&db, file)).await);
        assert_eq!(r.head_hash.len(), 64, "a SHA-256 head");
        total += r.entries;
    }
    assert!(total >= 6, "{total}");
    db.cleanup().await;
}

fn file_table(db: &TestDb, file: AuditLogFile) -> &'static str {
    match (db.backend(), file) {
        (Backend::Sqlite, AuditLogFile::Access) => "access.audit_log",
        _ => "audit_log",
    }
}

#[tokio::test]
async fn concurrent_writers_never_fork_the_chain() {
    let db = TestDb::new().await;
    let s = db.store.clone();
    let init = initiative(&s).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let mut a = audit(AuditAction::ViewPerson);
                a.detail = format!("view {i}");
                s.append_audit(&a).await.unwrap();
            } else {
                let person = new_person(init.id, None, details("Sahra", "A", "", ""), SourceKind::Other, None);
                s.create_person(&person, &[], &audit(AuditAction::CreatePerson)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // a second store (a second process: the CLI beside the server) writes too
    let other = SqlStore::connect(&db.url).await.unwrap();
    let person = new_person(init.id, None, details("Zahra", "B", "", ""), SourceKind::Other, None);
    other.create_person(&person, &[], &audit(AuditAction::CreatePerson)).await.unwrap();
    other.append_audit(&audit(AuditAction::CliCommand)).await.unwrap();
    other.close().await;
    let mut entries = 0;
    for file in s.audit_log_files() {
        let r = check(&s, file).await;
        assert!(r.intact(), "{r:?}");
        entries += r.entries;
    }
    assert!(entries >= 26, "{entries}");
    db.cleanup().await;
}

/// Writes five entries to `file`'s table, tampers with the third, and returns what
/// verify reports and the entries' ids.
async fn tampered(file: AuditLogFile, what: impl Fn(&[String]) -> Tampering) -> (ChainReport, Vec<String>, TestDb) {
    let db = TestDb::new().await;
    let s = &db.store;
    write_entries(s, 5).await;
    let ids = audit_ids(&db, file).await;
    assert!(ids.len() >= 5, "{ids:?}");
    assert!(check(s, file).await.intact());
    tamper(&db, file, &what(&ids)).await;
    (check(s, file).await, ids, db)
}

/// The audit tables of the backend the environment selects.
async fn audit_log_files() -> Vec<AuditLogFile> {
    let db = TestDb::new().await;
    let files = db.store.audit_log_files();
    db.cleanup().await;
    files
}

fn only(r: &ChainReport) -> (Break, Option<String>, u64) {
    assert_eq!(r.breaks, 1, "{r:?}");
    let f = r.first_break().unwrap();
    (f.kind, f.entry_id.clone(), f.position)
}

#[tokio::test]
async fn an_entry_edited_by_hand_is_found() {
    for file in audit_log_files().await {
        let (r, ids, db) =
            tampered(file, |ids| Tampering::Edit { id: ids[2].clone(), detail: "nothing happened".into() }).await;
        assert_eq!(only(&r), (Break::Edited, Some(ids[2].clone()), 3), "{file:?}");
        assert_eq!(r.table, file.table_name());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_entry_deleted_by_hand_is_found_at_the_entry_after_it() {
    for file in audit_log_files().await {
        let (r, ids, db) = tampered(file, |ids| Tampering::Delete { id: ids[2].clone() }).await;
        assert_eq!(only(&r), (Break::Deleted, Some(ids[3].clone()), 3), "{file:?}");
        db.cleanup().await;
        // the last entry deleted: the head still names it
        let (r, ids, db) = tampered(file, |ids| Tampering::Delete { id: ids[ids.len() - 1].clone() }).await;
        assert_eq!(only(&r), (Break::Deleted, None, u64::try_from(ids.len()).unwrap()), "{file:?}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_entry_inserted_by_hand_is_found() {
    for file in audit_log_files().await {
        let (r, ids, db) =
            tampered(file, |ids| Tampering::Insert { copy_of: ids[2].clone(), detail: "forged".into() }).await;
        let (kind, id, position) = only(&r);
        assert_eq!((kind, position), (Break::Inserted, u64::try_from(ids.len()).unwrap() + 1), "{file:?}");
        assert!(id.is_some_and(|id| !ids.contains(&id)), "the new entry is named");
        // new entries after the forged one still link to the real chain, and the
        // forged one is still found
        write_entries(&db.store, 1).await;
        let r = check(&db.store, file).await;
        assert_eq!(r.breaks, 1, "{r:?}");
        assert_eq!(r.first_break().map(|f| f.kind), Some(Break::Inserted));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_main_database_refuses_to_open_without_its_access_log() {
    // SQLite only, whatever the environment: PostgreSQL has no second file.
    let dir = std::env::temp_dir().join(format!("opsog-binding-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.join(name).display());
    let first = SqlStore::connect(&url("opsog.db")).await.unwrap();
    first.append_audit(&audit(AuditAction::CliCommand)).await.unwrap();
    first.close().await;
    // a fresh install made both, bound: it opens again
    SqlStore::connect(&url("opsog.db")).await.unwrap().close().await;
    let access = dir.join("opsog-access.db");
    let saved = dir.join("saved-access.db");
    move_sqlite_db(&access, &saved, false);

    let missing = SqlStore::connect(&url("opsog.db")).await.unwrap_err();
    assert!(matches!(missing, StoreError::AccessLog { problem: "is missing", .. }), "{missing}");
    assert!(missing.to_string().contains(&access.display().to_string()), "names the file: {missing}");
    assert!(!access.exists(), "the refusal does not create a stand-in");

    // another installation's access log put in its place
    let other = SqlStore::connect(&url("other.db")).await.unwrap();
    other.close().await;
    move_sqlite_db(&dir.join("other-access.db"), &access, true);
    let replaced = SqlStore::connect(&url("opsog.db")).await.unwrap_err();
    assert!(matches!(replaced, StoreError::AccessLog { .. }), "{replaced}");
    assert!(replaced.to_string().contains("was replaced"), "{replaced}");

    // the right one restored: it opens
    move_sqlite_db(&saved, &access, false);
    SqlStore::connect(&url("opsog.db")).await.unwrap().close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
