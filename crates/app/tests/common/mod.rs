//! What the app tests of the areas share: a `Ctx` on a test database.
#![allow(clippy::unwrap_used)]
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use app::Ctx;
use domain::do_not_contact::DncKey;
use store::testkit::TestDb;
use store::{AuditEntry, AuditQuery, SqlStore};
use uuid::Uuid;

/// A context on `db` with a fixed do-not-contact key and a folder of its own.
pub fn ctx(db: &TestDb) -> Ctx {
    let dir = std::env::temp_dir().join(format!("opsog-app-{}", Uuid::new_v4()));
    let settings = app::settings::letter_settings(
        &app::settings::Municipality::default(),
        None,
        "http://127.0.0.1:8080",
        dir.join("letters"),
    );
    Ctx::new(db.store.clone(), DncKey::new(vec![7; 32]).unwrap(), dir.join("extracts"), settings)
}

/// The audit log as the tests read it: the newest thousand entries.
pub async fn log(s: &SqlStore) -> Vec<AuditEntry> {
    s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap()
}

/// The password of `user_with_password`'s logins.
pub const PASSWORD: &str = "a long test passphrase";

/// A login of `role` whose password (`PASSWORD`) really hashes, for tests that log in.
pub async fn user_with_password(s: &SqlStore, username: &str, role: domain::policy::Role) -> domain::org::User {
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let new = domain::org::NewUser { username: username.into(), display_name: username.into(), role, team_id: None };
    s.create_user(
        &new,
        &hash,
        &store::UserExtra::default(),
        &store::testkit::system_audit(domain::audit::AuditAction::CreateUser),
    )
    .await
    .unwrap()
}
