//! A login in stages (issue 13, items 4 and 6) at the `app` level: a coordinator must
//! set up an authenticator app before her first login is done, gives its code at
//! every later one (a code once used is spent), can use a recovery code once; an
//! admin's password reset makes her choose her own after the code; a login left
//! halfway ends; a caseworker needs none unless configured. On SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::second_factor::{self as factor, Halfway, NewPassword, Rules, Step, Target};
use app::sessions::{self, Login, LoginInput, Resolved};
use app::users::GrantedBy;
use app::{Caller, Clock, Ctx};
use common::{ctx, log};
use domain::audit::AuditAction;
use domain::login::LoginStage;
use domain::org::User;
use domain::policy::Role;
use domain::second_factor::{TotpSecret, code_at_step, step_at};
use store::SqlStore;
use store::testkit::TestDb;
use time::{Duration, OffsetDateTime};

use common::PASSWORD;
const LIFETIME: sessions::Lifetime = sessions::Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(12) };

async fn user(s: &SqlStore, username: &str, role: Role) -> User {
    common::user_with_password(s, username, role).await
}

/// Logs in with the password; the login and its stage, if any.
async fn password(ctx: &Ctx, username: &str, rules: &Rules) -> (Halfway, Option<LoginStage>) {
    let dummy = app::auth::hash_password("dummy").unwrap();
    let input = LoginInput { username: username.into(), password: PASSWORD.into(), replaces: None, address: None };
    let Login::LoggedIn(done) = sessions::login(ctx, "POST /login", &input, &dummy, rules).await.unwrap() else {
        panic!("{username}'s password is right")
    };
    let stage = done.stage;
    let halfway = Halfway {
        token_hash: done.session.session.token_hash.clone(),
        user: done.user,
        stage: stage.unwrap_or(LoginStage::SecondFactor),
    };
    (halfway, stage)
}

async fn stage_of(ctx: &Ctx, token_hash: &str) -> Option<LoginStage> {
    match sessions::resolve(ctx, token_hash, LIFETIME).await.unwrap() {
        Resolved::Active(live) => live.session.stage,
        _ => panic!("the session is live"),
    }
}

/// Sets up her app at the login's stage with a new secret, at the ctx's time; the
/// secret and the step whose code was used.
async fn set_up(ctx: &Ctx, halfway: &Halfway, rules: &Rules) -> (TotpSecret, i64) {
    let secret = factor::new_secret().unwrap();
    let step = step_at(ctx.clock.now().unix_timestamp());
    factor::enrol_at_login(ctx, "test", halfway, &secret.to_base32(), &code_at_step(&secret, step), rules)
        .await
        .unwrap();
    (secret, step)
}

fn at(ctx: &mut Ctx, t: OffsetDateTime) {
    ctx.clock = Clock::Fixed(t);
}

#[tokio::test]
async fn a_coordinator_sets_up_her_app_then_gives_a_fresh_code_at_every_login() {
    let db = TestDb::new().await;
    let s = &db.store;
    user(s, "leder", Role::Coordinator).await;
    let mut ctx = ctx(&db);
    let start = OffsetDateTime::now_utc();
    at(&mut ctx, start);
    let rules = Rules::default();

    // First login: the password alone leaves her at setting up an app.
    let (halfway, stage) = password(&ctx, "leder", &rules).await;
    assert_eq!(stage, Some(LoginStage::EnrolSecondFactor));
    assert_eq!(stage_of(&ctx, &halfway.token_hash).await, Some(LoginStage::EnrolSecondFactor));
    let secret = factor::new_secret().unwrap();
    let now_step = step_at(start.unix_timestamp());
    // A code of another secret (an app that scanned something else) is refused.
    let other = TotpSecret::from_bytes([9; 20]);
    let wrong =
        factor::enrol_at_login(&ctx, "test", &halfway, &secret.to_base32(), &code_at_step(&other, now_step), &rules)
            .await;
    assert!(matches!(wrong, Err(app::Error::Invalid(e)) if e.for_field("code").is_some()));
    assert_eq!(s.login_state(halfway.user.id).await.unwrap().totp_secret, None, "nothing stored");
    let (codes, next) =
        factor::enrol_at_login(&ctx, "test", &halfway, &secret.to_base32(), &code_at_step(&secret, now_step), &rules)
            .await
            .unwrap();
    assert_eq!(next, None, "she is in");
    assert_eq!(stage_of(&ctx, &halfway.token_hash).await, None);
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10, "recovery codes differ");
    assert_eq!(s.login_state(halfway.user.id).await.unwrap().recovery_codes_left, 10);

    // Next login: her app's code. The one she set up with is spent.
    let (halfway, stage) = password(&ctx, "leder", &rules).await;
    assert_eq!(stage, Some(LoginStage::SecondFactor));
    let spent = factor::give_code(&ctx, "test", &halfway, &code_at_step(&secret, now_step), &rules).await.unwrap();
    assert_eq!(spent, Step::Refused, "a code once used is spent");
    assert_eq!(stage_of(&ctx, &halfway.token_hash).await, Some(LoginStage::SecondFactor), "still halfway");
    let next = code_at_step(&secret, now_step + 1);
    assert_eq!(factor::give_code(&ctx, "test", &halfway, &next, &rules).await.unwrap(), Step::Next(None));
    assert_eq!(stage_of(&ctx, &halfway.token_hash).await, None);

    // A recovery code works once, typed however.
    let (halfway, _) = password(&ctx, "leder", &rules).await;
    let typed = codes[3].to_lowercase().replace('-', " ");
    assert_eq!(factor::give_code(&ctx, "test", &halfway, &typed, &rules).await.unwrap(), Step::Next(None));
    let (halfway, _) = password(&ctx, "leder", &rules).await;
    assert_eq!(factor::give_code(&ctx, "test", &halfway, &codes[3], &rules).await.unwrap(), Step::Refused);
    assert_eq!(s.login_state(halfway.user.id).await.unwrap().recovery_codes_left, 9);

    let actions: Vec<String> = log(s).await.into_iter().map(|e| e.action.code().to_string()).collect();
    for action in [
        AuditAction::SecondFactorEnrolled,
        AuditAction::SecondFactorPassed,
        AuditAction::SecondFactorFailed,
        AuditAction::RecoveryCodeUsed,
    ] {
        assert!(actions.contains(&action.code().to_string()), "{action:?} audited: {actions:?}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn wrong_codes_make_the_account_wait_and_a_halfway_login_ends() {
    let db = TestDb::new().await;
    let s = &db.store;
    user(s, "leder", Role::Coordinator).await;
    let mut ctx = ctx(&db);
    let start = OffsetDateTime::now_utc();
    at(&mut ctx, start);
    let rules = Rules::default();
    let (halfway, _) = password(&ctx, "leder", &rules).await;
    let (secret, step) = set_up(&ctx, &halfway, &rules).await;

    let (halfway, _) = password(&ctx, "leder", &rules).await;
    for _ in 0..5 {
        assert_eq!(factor::give_code(&ctx, "test", &halfway, "000000", &rules).await.unwrap(), Step::Refused);
    }
    // The sixth try waits, even with the right code.
    let right = code_at_step(&secret, step + 1);
    assert!(matches!(
        factor::give_code(&ctx, "test", &halfway, &right, &rules).await.unwrap(),
        Step::Throttled { minutes: 1 }
    ));
    // A login left halfway ends after ten minutes: the password alone is worth nothing.
    at(&mut ctx, start + Duration::minutes(11));
    assert!(matches!(sessions::resolve(&ctx, &halfway.token_hash, LIFETIME).await.unwrap(), Resolved::Expired { .. }));
    db.cleanup().await;
}

#[tokio::test]
async fn a_reset_password_is_replaced_after_the_code_and_ends_her_sessions() {
    let db = TestDb::new().await;
    let s = &db.store;
    let admin = user(s, "admin", Role::Admin).await;
    let coordinator = user(s, "leder", Role::Coordinator).await;
    user(s, "cw", Role::Caseworker).await;
    let mut ctx = ctx(&db);
    let start = OffsetDateTime::now_utc();
    at(&mut ctx, start);
    let rules = Rules::default();
    let (halfway, _) = password(&ctx, "leder", &rules).await;
    let (secret, step) = set_up(&ctx, &halfway, &rules).await;
    let open = halfway.token_hash.clone();

    // An admin resets it: a one-time password, her sessions end.
    // Nobody resets a coordinator alone (she could log in as her); the operator on
    // the server does.
    let by_admin = Caller::new(admin.clone(), "test");
    assert!(matches!(
        factor::reset_password(&ctx, GrantedBy::User(&by_admin), Target::Id(coordinator.id)).await,
        Err(app::Error::Refused(_))
    ));
    let operator = GrantedBy::Operator { origin: "opsog user reset" };
    let (_, one_time) = factor::reset_password(&ctx, operator, Target::Username("Leder")).await.unwrap();
    assert!(one_time.len() >= 16, "{one_time}");
    assert!(matches!(sessions::resolve(&ctx, &open, LIFETIME).await.unwrap(), Resolved::None), "her session ended");
    // Never her own, and a coordinator never an admin's.
    assert!(matches!(
        factor::reset_password(&ctx, GrantedBy::User(&by_admin), Target::Id(admin.id)).await,
        Err(app::Error::Refused(_))
    ));
    let by_coordinator = Caller::new(coordinator.clone(), "test");
    assert!(matches!(
        factor::reset_password(&ctx, GrantedBy::User(&by_coordinator), Target::Id(admin.id)).await,
        Err(app::Error::Refused(_))
    ));

    // Her next login: the code first (the reset is no way past it), then her own password.
    let dummy = app::auth::hash_password("dummy").unwrap();
    let input = LoginInput { username: "leder".into(), password: one_time.clone(), replaces: None, address: None };
    let Login::LoggedIn(done) = sessions::login(&ctx, "POST /login", &input, &dummy, &rules).await.unwrap() else {
        panic!("the one-time password works")
    };
    assert_eq!(done.stage, Some(LoginStage::SecondFactor));
    let mut halfway = Halfway {
        token_hash: done.session.session.token_hash.clone(),
        user: done.user,
        stage: LoginStage::SecondFactor,
    };
    let next = factor::give_code(&ctx, "test", &halfway, &code_at_step(&secret, step + 1), &rules).await.unwrap();
    assert_eq!(next, Step::Next(Some(LoginStage::NewPassword)));
    halfway.stage = LoginStage::NewPassword;
    let weak = NewPassword { password: "password1234".into(), repeat: "password1234".into() };
    assert!(matches!(
        factor::choose_password_at_login(&ctx, "test", &halfway, &weak, &rules).await,
        Err(app::Error::Invalid(e)) if e.for_field("password").is_some()
    ));
    let differ = NewPassword { password: "kaffe-regnbue-cykel-17".into(), repeat: "kaffe-regnbue-cykel-18".into() };
    assert!(matches!(
        factor::choose_password_at_login(&ctx, "test", &halfway, &differ, &rules).await,
        Err(app::Error::Invalid(e)) if e.for_field("repeat").is_some()
    ));
    let own = NewPassword { password: "kaffe-regnbue-cykel-17".into(), repeat: "kaffe-regnbue-cykel-17".into() };
    assert_eq!(factor::choose_password_at_login(&ctx, "test", &halfway, &own, &rules).await.unwrap(), None);
    assert_eq!(stage_of(&ctx, &halfway.token_hash).await, None, "she is in, in the same session");
    assert!(!s.login_state(coordinator.id).await.unwrap().must_change_password);
    let actions: Vec<String> = log(s).await.into_iter().map(|e| e.action.code().to_string()).collect();
    assert!(actions.contains(&AuditAction::PasswordReset.code().to_string()));
    assert!(actions.contains(&AuditAction::PasswordChanged.code().to_string()));
    db.cleanup().await;
}

#[tokio::test]
async fn a_caseworker_needs_a_second_factor_only_where_the_municipality_says_so() {
    let db = TestDb::new().await;
    let s = &db.store;
    user(s, "cw", Role::Caseworker).await;
    let admin = user(s, "admin", Role::Admin).await;
    let coordinator = user(s, "leder", Role::Coordinator).await;
    let ctx = ctx(&db);
    let (_, stage) = password(&ctx, "cw", &Rules::default()).await;
    assert_eq!(stage, None, "in with the password");
    let strict = Rules { also_required: vec![Role::Caseworker] };
    let (halfway, stage) = password(&ctx, "cw", &strict).await;
    assert_eq!(stage, Some(LoginStage::EnrolSecondFactor));

    // An admin resets a lost phone: her sessions end and she sets up a new one.
    set_up(&ctx, &halfway, &strict).await;
    // Not an admin: a caseworker's login sees women.
    let by_admin = Caller::new(admin, "test");
    assert!(matches!(
        factor::reset_for(&ctx, GrantedBy::User(&by_admin), Target::Id(halfway.user.id)).await,
        Err(app::Error::Refused(_))
    ));
    let by_coordinator = Caller::new(coordinator, "test");
    factor::reset_for(&ctx, GrantedBy::User(&by_coordinator), Target::Id(halfway.user.id)).await.unwrap();
    assert!(matches!(sessions::resolve(&ctx, &halfway.token_hash, LIFETIME).await.unwrap(), Resolved::None));
    let state = s.login_state(halfway.user.id).await.unwrap();
    assert_eq!((state.totp_secret, state.recovery_codes_left), (None, 0));
    let (_, stage) = password(&ctx, "cw", &strict).await;
    assert_eq!(stage, Some(LoginStage::EnrolSecondFactor));
    db.cleanup().await;
}

#[tokio::test]
async fn she_turns_her_own_app_off_with_a_code_only_where_her_role_allows() {
    let db = TestDb::new().await;
    let s = &db.store;
    let cw = user(s, "cw", Role::Caseworker).await;
    let coordinator = user(s, "leder", Role::Coordinator).await;
    let mut ctx = ctx(&db);
    let start = OffsetDateTime::now_utc();
    at(&mut ctx, start);
    let rules = Rules::default();
    let step = step_at(start.unix_timestamp());
    let mut secrets = Vec::new();
    for who in [&cw, &coordinator] {
        let secret = factor::new_secret().unwrap();
        let caller = Caller::new(who.clone(), "test");
        factor::enrol(&ctx, &caller, &secret.to_base32(), &code_at_step(&secret, step)).await.unwrap();
        secrets.push(secret);
    }
    at(&mut ctx, start + Duration::seconds(60));
    let later = step_at((start + Duration::seconds(60)).unix_timestamp());
    let by_coordinator = Caller::new(coordinator.clone(), "test");
    assert!(matches!(
        factor::remove_own(&ctx, &by_coordinator, &code_at_step(&secrets[1], later), &rules).await,
        Err(app::Error::Invalid(e)) if e.for_field("code").is_some()
    ));
    assert!(s.login_state(coordinator.id).await.unwrap().totp_secret.is_some(), "a coordinator keeps hers");
    let by_cw = Caller::new(cw.clone(), "test");
    factor::remove_own(&ctx, &by_cw, &code_at_step(&secrets[0], later), &rules).await.unwrap();
    assert_eq!(s.login_state(cw.id).await.unwrap().totp_secret, None);
    let (_, stage) = password(&ctx, "cw", &rules).await;
    assert_eq!(stage, None, "her password alone again");
    db.cleanup().await;
}
