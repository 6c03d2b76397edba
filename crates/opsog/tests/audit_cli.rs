//! `opsog audit verify` and the access log's binding through the real binary (issue 13,
//! item 10): exit 0 with a count when the log is whole, 6 naming the first broken link
//! when an entry was edited, deleted or inserted in the database file by hand, and
//! every command refusing to start when the access log is missing or replaced.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use store::AuditLogFile;
use store::testkit::{Tampering, audit_ids_sqlite, move_sqlite_db, tamper_sqlite};

const BIN: &str = env!("CARGO_BIN_EXE_opsog");

/// What the README's exit-code table gives `opsog audit verify` for a broken log.
const BROKEN: i32 = 6;

fn opsog(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("OPSOG__DATA_DIR", data)
        .env_remove("OPSOG_CONFIG")
        .env_remove("OPSOG__DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A data folder with a few entries in both files: `migrate` writes a standalone entry
/// each time, `user add` an entry with its change.
fn installation() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsog-audit-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    for _ in 0..3 {
        let m = opsog(&dir, &["migrate"]);
        assert!(m.status.success(), "{}", text(&m));
    }
    for name in ["lise", "mona", "nadia"] {
        let add = Command::new(BIN)
            .args(["user", "add", "--username", name, "--name", name, "--role", "caseworker"])
            .env("OPSOG__DATA_DIR", &dir)
            .env_remove("OPSOG_CONFIG")
            .env_remove("OPSOG__DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(b"Vandkande-Sommerfugl-47\n")?;
                c.wait_with_output()
            })
            .unwrap();
        assert!(add.status.success(), "{}", text(&add));
    }
    dir
}

fn verify(dir: &Path) -> Output {
    opsog(dir, &["audit", "verify"])
}

#[tokio::test]
async fn verify_counts_a_whole_log_and_names_the_first_edited_deleted_or_inserted_entry() {
    let dir = installation();
    let db = dir.join("opsog.db");
    // read before verifying: the check writes its own entry afterwards
    let access = audit_ids_sqlite(&db, AuditLogFile::Access).await;
    let main = audit_ids_sqlite(&db, AuditLogFile::Main).await;
    let count = access.len() + main.len();
    assert!(main.len() >= 3 && access.len() >= 3, "{main:?} {access:?}");
    let ok = verify(&dir);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let out = text(&ok);
    assert!(out.contains(&format!("audit log intact: {count} entries")), "{out}");
    // and its own entry is linked into the chain like any other
    let again = verify(&dir);
    assert!(text(&again).contains(&format!("audit log intact: {} entries", count + 1)), "{}", text(&again));

    // edited by hand in the file, its trigger dropped first
    tamper_sqlite(&db, AuditLogFile::Main, &Tampering::Edit { id: main[1].clone(), detail: "nothing".into() }).await;
    let edited = verify(&dir);
    assert_eq!(edited.status.code(), Some(BROKEN), "{}", text(&edited));
    let out = text(&edited);
    assert!(
        out.contains(&format!("first broken link: table audit_log, entry {}, position 2 (edited)", main[1])),
        "{out}"
    );

    // a second installation for each of the other two, so each is the first break
    let _ = std::fs::remove_dir_all(&dir);
    let dir = installation();
    let db = dir.join("opsog.db");
    let access = audit_ids_sqlite(&db, AuditLogFile::Access).await;
    tamper_sqlite(&db, AuditLogFile::Access, &Tampering::Delete { id: access[1].clone() }).await;
    let deleted = verify(&dir);
    assert_eq!(deleted.status.code(), Some(BROKEN), "{}", text(&deleted));
    let out = text(&deleted);
    assert!(
        out.contains(&format!("first broken link: table access.audit_log, entry {}, position 2 (deleted)", access[2])),
        "{out}"
    );

    let _ = std::fs::remove_dir_all(&dir);
    let dir = installation();
    let db = dir.join("opsog.db");
    let main = audit_ids_sqlite(&db, AuditLogFile::Main).await;
    tamper_sqlite(&db, AuditLogFile::Main, &Tampering::Insert { copy_of: main[0].clone(), detail: "forged".into() })
        .await;
    let inserted = verify(&dir);
    assert_eq!(inserted.status.code(), Some(BROKEN), "{}", text(&inserted));
    let out = text(&inserted);
    let forged = audit_ids_sqlite(&db, AuditLogFile::Main).await.pop().unwrap();
    assert!(!main.contains(&forged));
    assert!(
        out.contains(&format!(
            "first broken link: table audit_log, entry {forged}, position {} (inserted)",
            main.len() + 1
        )),
        "{out}"
    );
    assert!(out.contains("was inserted"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn commands_refuse_to_start_without_the_access_log_they_were_made_with() {
    let dir = installation();
    let access = dir.join("opsog-access.db");
    let saved = dir.join("saved.db");
    move_sqlite_db(&access, &saved, false);
    for args in [&["audit", "verify"][..], &["migrate"][..], &["contact", "due"][..]] {
        let refused = opsog(&dir, args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}: {}", text(&refused));
        let out = text(&refused);
        assert!(out.contains(&format!("the access log {} is missing", access.display())), "{out}");
    }
    // the server too: it stops before it binds its port
    let mut serve = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("OPSOG__DATA_DIR", &dir)
        .env_remove("OPSOG_CONFIG")
        .env_remove("OPSOG__DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = serve.kill();
            panic!("opsog serve started without its access log");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("is missing"), "{err}");
    assert!(!access.exists(), "no empty stand-in was made");

    // another installation's access log in its place
    let other = installation();
    move_sqlite_db(&other.join("opsog-access.db"), &access, true);
    let replaced = opsog(&dir, &["audit", "verify"]);
    assert_eq!(replaced.status.code(), Some(1), "{}", text(&replaced));
    assert!(text(&replaced).contains("was replaced"), "{}", text(&replaced));

    move_sqlite_db(&saved, &access, false);
    let ok = verify(&dir);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(other);
}
