//! Logging in and out and sessions at the `app` level: a failed login is refused
//! alike for an unknown user and a wrong password and audited, a login starts a new
//! session and ends the visitor's, an idle session expires; on SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::second_factor::Rules;
use app::sessions::{self, Login, LoginInput, Resolved};
use app::{Caller, Clock};
use common::{ctx, log};
use domain::audit::AuditAction;
use domain::policy::Role;
use store::SqlStore;
use store::testkit::TestDb;
use time::Duration;

use common::PASSWORD;

async fn leila(s: &SqlStore) -> domain::org::User {
    common::user_with_password(s, "leila", Role::Caseworker).await
}

fn login(username: &str, password: &str, replaces: Option<String>) -> LoginInput {
    LoginInput { username: username.into(), password: password.into(), replaces, address: None }
}

#[tokio::test]
async fn a_failed_login_is_refused_alike_and_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    leila(s).await;
    let ctx = ctx(&db);
    let dummy = app::auth::hash_password("dummy").unwrap();
    for input in [login("Leila ", "wrong password", None), login("nobody", PASSWORD, None)] {
        let outcome = sessions::login(&ctx, "POST /login", &input, &dummy, &Rules::default()).await.unwrap();
        assert!(matches!(outcome, Login::Refused));
    }
    let failed: Vec<_> =
        log(s).await.into_iter().filter(|e| e.action == AuditAction::LoginFailed).map(|e| e.username).collect();
    assert_eq!(failed.len(), 2);
    assert!(failed.contains(&"leila".to_string()) && failed.contains(&"nobody".to_string()), "{failed:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn a_login_starts_a_new_session_that_expires_when_idle_and_a_logout_ends_it() {
    let db = TestDb::new().await;
    let s = &db.store;
    let user = leila(s).await;
    let ctx = ctx(&db);
    let dummy = app::auth::hash_password("dummy").unwrap();
    let visitor = sessions::create(&ctx, None).await.unwrap();
    let idle = sessions::Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(12) };
    assert!(matches!(
        sessions::resolve(&ctx, &visitor.session.token_hash, idle).await.unwrap(),
        Resolved::Active(live) if live.user.is_none()
    ));

    let input = login("leila", PASSWORD, Some(visitor.session.token_hash.clone()));
    let Login::LoggedIn(done) = sessions::login(&ctx, "POST /login", &input, &dummy, &Rules::default()).await.unwrap()
    else {
        panic!("the right password logs in")
    };
    assert!(
        matches!(sessions::resolve(&ctx, &visitor.session.token_hash, idle).await.unwrap(), Resolved::None),
        "the visitor's session ended at login"
    );
    let hash = done.session.session.token_hash.clone();
    assert_eq!(hash, app::auth::token_hash(&done.session.token), "only the token's hash is stored");
    let Resolved::Active(live) = sessions::resolve(&ctx, &hash, idle).await.unwrap() else {
        panic!("the new session is live")
    };
    let found = live.user.expect("hers");
    assert_eq!(found.id, user.id);
    let entry = log(s).await.into_iter().find(|e| e.action == AuditAction::Login).expect("audited");
    assert_eq!((entry.user_id, entry.origin.as_str()), (Some(user.id), "POST /login"));

    sessions::logout(&ctx, &Caller::new(user.clone(), "POST /logout"), &hash).await.unwrap();
    assert!(matches!(sessions::resolve(&ctx, &hash, idle).await.unwrap(), Resolved::None));
    assert!(log(s).await.iter().any(|e| e.action == AuditAction::Logout && e.user_id == Some(user.id)));

    // An idle session ends, and says someone was logged in.
    let again = sessions::create(&ctx, Some(user.id)).await.unwrap();
    s.touch_session(&again.session.token_hash, time::OffsetDateTime::now_utc() - Duration::hours(2)).await.unwrap();
    assert!(matches!(
        sessions::resolve(&ctx, &again.session.token_hash, idle).await.unwrap(),
        Resolved::Expired { had_user: true }
    ));
    assert!(s.get_session(&again.session.token_hash).await.unwrap().is_none());
    db.cleanup().await;
}

#[tokio::test]
async fn only_who_manages_users_lists_them_and_a_refusal_is_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    let caseworker = leila(s).await;
    let admin = store::testkit::user(s, "admin", Role::Admin, None).await;
    let ctx = ctx(&db);
    let listed = app::users::list(&ctx, &Caller::new(admin, "GET /admin/users")).await.unwrap();
    assert_eq!(listed.len(), 2);
    let refused = app::users::list(&ctx, &Caller::new(caseworker.clone(), "GET /admin/users")).await;
    assert!(matches!(refused, Err(app::Error::Refused(app::Refusal::Role))));
    let denied = log(s).await.into_iter().find(|e| e.action == AuditAction::Denied).expect("audited");
    assert_eq!((denied.user_id, denied.origin.as_str()), (Some(caseworker.id), "GET /admin/users"));
    db.cleanup().await;
}

/// Issue 13, item 4: 50 wrong passwords in a row were all answered "wrong" and the
/// right one worked right after. Now five mistypes are free, then the account waits —
/// for the right password too — and the wait grows; after it the right one works.
#[tokio::test]
async fn a_flood_of_wrong_passwords_makes_the_account_wait() {
    let db = TestDb::new().await;
    let s = &db.store;
    leila(s).await;
    let dummy = app::auth::hash_password("dummy").unwrap();
    let start = time::OffsetDateTime::now_utc();
    let mut ctx = ctx(&db);
    ctx.clock = Clock::Fixed(start);
    for _ in 0..5 {
        let outcome = sessions::login(&ctx, "POST /login", &login("leila", "guess", None), &dummy, &Rules::default())
            .await
            .unwrap();
        assert!(matches!(outcome, Login::Refused));
    }
    let right = login("Leila", PASSWORD, None);
    let Login::Throttled { minutes } =
        sessions::login(&ctx, "POST /login", &right, &dummy, &Rules::default()).await.unwrap()
    else {
        panic!("the sixth try waits, even with the right password")
    };
    assert_eq!(minutes, 1, "30 s, said as one minute");
    let throttled = log(s).await.into_iter().filter(|e| e.action == AuditAction::LoginThrottled).count();
    assert_eq!(throttled, 1, "the refused try is audited");
    // Another account from nowhere in particular is not held up by hers.
    let other =
        sessions::login(&ctx, "POST /login", &login("nobody", "guess", None), &dummy, &Rules::default()).await.unwrap();
    assert!(matches!(other, Login::Refused));

    // After the wait a guess is checked again, fails, and the next wait is longer.
    ctx.clock = Clock::Fixed(start + Duration::seconds(31));
    assert!(matches!(
        sessions::login(&ctx, "POST /login", &login("leila", "guess", None), &dummy, &Rules::default()).await.unwrap(),
        Login::Refused
    ));
    let Login::Throttled { minutes } =
        sessions::login(&ctx, "POST /login", &right, &dummy, &Rules::default()).await.unwrap()
    else {
        panic!("waits again")
    };
    assert_eq!(minutes, 1, "one minute now");
    ctx.clock = Clock::Fixed(start + Duration::seconds(31 + 61));
    assert!(matches!(
        sessions::login(&ctx, "POST /login", &right, &dummy, &Rules::default()).await.unwrap(),
        Login::LoggedIn(_)
    ));
    // The success clears the account's failures: the next mistype is free again.
    assert!(s.login_failures("account:leila", start - Duration::hours(1)).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn an_address_that_guesses_many_accounts_waits_too() {
    let db = TestDb::new().await;
    let s = &db.store;
    leila(s).await;
    let dummy = app::auth::hash_password("dummy").unwrap();
    let mut ctx = ctx(&db);
    ctx.clock = Clock::Fixed(time::OffsetDateTime::now_utc());
    let from = |username: &str, password: &str, address: &str| LoginInput {
        address: Some(address.into()),
        ..login(username, password, None)
    };
    for i in 0..20 {
        let outcome = sessions::login(
            &ctx,
            "POST /login",
            &from(&format!("user{i}"), "guess", "192.0.2.1"),
            &dummy,
            &Rules::default(),
        )
        .await
        .unwrap();
        assert!(matches!(outcome, Login::Refused), "try {i}");
    }
    let blocked =
        sessions::login(&ctx, "POST /login", &from("leila", PASSWORD, "192.0.2.1"), &dummy, &Rules::default())
            .await
            .unwrap();
    assert!(matches!(blocked, Login::Throttled { .. }), "the guessing address waits, whichever account");
    let elsewhere =
        sessions::login(&ctx, "POST /login", &from("leila", PASSWORD, "192.0.2.2"), &dummy, &Rules::default())
            .await
            .unwrap();
    assert!(matches!(elsewhere, Login::LoggedIn(_)), "her own address is not held up");
    db.cleanup().await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_busy() {
    let db = TestDb::new().await;
    let s = &db.store;
    let user = leila(s).await;
    let mut ctx = ctx(&db);
    let start = time::OffsetDateTime::now_utc();
    ctx.clock = Clock::Fixed(start);
    let lifetime = sessions::Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(12) };
    let session = sessions::create(&ctx, Some(user.id)).await.unwrap();
    let hash = session.session.token_hash;
    // busy all day: seen every 20 minutes
    for step in 1..=35 {
        ctx.clock = Clock::Fixed(start + Duration::minutes(20 * step));
        assert!(matches!(sessions::resolve(&ctx, &hash, lifetime).await.unwrap(), Resolved::Active(_)), "{step}");
    }
    ctx.clock = Clock::Fixed(start + Duration::hours(12) + Duration::minutes(1));
    assert!(matches!(sessions::resolve(&ctx, &hash, lifetime).await.unwrap(), Resolved::Expired { had_user: true }));
    db.cleanup().await;
}
