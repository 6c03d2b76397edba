//! A full disk (issue 13, item 11). Seen on the demo: after one failed commit every
//! later write failed with "non-zero transaction depth" until a restart, and pages
//! with personal data were served while no audit entry was written (it had become a
//! savepoint inside the dead transaction). Here the database lives on a small disk
//! of its own: writes fail with a clear error, a page whose audit entry cannot be
//! written is refused (no audit, no page), and once space is freed writes resume on
//! the same store, without a restart, and no phantom audit entry appears.
//!
//! The small disk is a tmpfs mounted in a user and mount namespace of the test's own
//! (`unshare`, from util-linux): the test runs itself again inside one, so it needs
//! neither root nor anything left mounted afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app::people::{Created, EntryInput};
use app::{Caller, Ctx};
use domain::audit::AuditAction;
use domain::person::PersonInput;
use domain::policy::Role;
use std::io::Write;
use std::path::Path;
use store::testkit::{initiative, user};
use store::{AuditQuery, SqlStore};

const INSIDE: &str = "OPSOG_FULL_DISK_DIR";
const TEST: &str = "writes_fail_clearly_and_resume_when_the_disk_has_room_again";

fn woman(given: &str) -> PersonInput {
    PersonInput { given_name: given.into(), family_name: "Hassan".into(), ..Default::default() }
}

/// Writes a file until the disk is full, and says how much went in.
fn fill(dir: &Path) -> u64 {
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    let mut written = 0;
    while f.write_all(&chunk).and_then(|()| f.sync_all()).is_ok() {
        written += chunk.len() as u64;
    }
    written
}

#[tokio::test]
async fn writes_fail_clearly_and_resume_when_the_disk_has_room_again() {
    let Ok(dir) = std::env::var(INSIDE) else {
        // Outside: run this very test again, in a namespace with an 8 MB disk at `dir`.
        let dir = std::env::temp_dir().join(format!("opsog-full-disk-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = std::env::current_exe().unwrap();
        let script = format!(
            "mount -t tmpfs -o size=8m opsog-full-disk \"$1\" && exec \"$2\" --exact {TEST} --nocapture --test-threads=1"
        );
        let out = std::process::Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script, "sh"])
            .arg(&dir)
            .arg(&exe)
            .env(INSIDE, &dir)
            .env_remove("TEST_DATABASE_URL")
            .output()
            .expect("unshare (util-linux) runs the test on a small disk of its own");
        let _ = std::fs::remove_dir_all(&dir);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "the run on a small disk failed:\n{text}");
        assert!(text.contains("1 passed"), "the test ran inside: {text}");
        return;
    };
    let dir = Path::new(&dir);
    let url = format!("sqlite://{}?mode=rwc", dir.join("opsog.db").display());
    let s = SqlStore::connect(&url).await.unwrap();
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let coordinator = user(&s, "koordinator", Role::Coordinator, None).await;
    let settings = app::settings::letter_settings(&Default::default(), None, "http://127.0.0.1", dir.join("letters"));
    let key = domain::do_not_contact::DncKey::new(vec![7; 32]).unwrap();
    let ctx = Ctx::new(s.clone(), key, dir.join("extracts"), settings);
    let entry = EntryInput { initiative: init.id.to_string(), channel: "phone".into() };
    let caller = Caller::new(coordinator.clone(), "POST /people/new");
    let Created::Person(amina) = app::people::create(&ctx, &caller, &woman("Amina"), &entry).await.unwrap() else {
        panic!("written")
    };

    // Every later write must grow a file: the write-ahead logs start empty.
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA access.wal_checkpoint(TRUNCATE);")
        .execute(s.pool())
        .await
        .unwrap();
    assert!(fill(dir) > 0, "the disk had room before");

    for attempt in 0..3 {
        let err = app::people::create(&ctx, &caller, &woman(&format!("Zahra{attempt}")), &entry).await.unwrap_err();
        assert!(err.to_string().contains("full"), "a clear error, attempt {attempt}: {err}");
        let viewer = Caller::new(coordinator.clone(), "GET /people/{id}");
        let seen = app::people::view(&ctx, &viewer, amina).await;
        assert!(seen.is_err(), "no audit entry, no page (attempt {attempt})");
    }

    std::fs::remove_file(dir.join("filler")).unwrap();
    let Created::Person(leyla) = app::people::create(&ctx, &caller, &woman("Leyla"), &entry).await.unwrap() else {
        panic!("written once there is room")
    };
    let viewer = Caller::new(coordinator.clone(), "GET /people/{id}");
    let seen = app::people::view(&ctx, &viewer, amina).await.unwrap();
    assert_eq!(seen.page.record.person.id, amina);
    // Exactly one view of her was recorded: the one served after the disk had room.
    let views = s
        .list_audit(&AuditQuery { person_id: Some(amina), user_id: None, limit: 100, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::ViewPerson)
        .count();
    assert_eq!(views, 1, "no page was served, and no entry written, while the disk was full");
    // The refused writes left nothing: she and Leyla are the only women.
    let query = store::PeopleQuery {
        scope: domain::policy::ListScope::Everyone,
        filter: Default::default(),
        initiative_id: init.id,
        page: 1,
        page_size: 25,
        by_family_name: true,
    };
    let listed = s.list_people(&query, &viewer.audit(AuditAction::ListPeople, vec![], "")).await.unwrap();
    let mut ids: Vec<_> = listed.rows.iter().map(|r| r.id).collect();
    ids.sort();
    let mut expected = vec![amina, leyla];
    expected.sort();
    assert_eq!(ids, expected);
}
