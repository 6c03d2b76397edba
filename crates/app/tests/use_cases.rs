//! The use cases at the `app` level, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
//! the policy check and its audited refusal, input parsed once, one job of a kind per
//! initiative enforced by the database, and scheduled work that runs once a day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::letter_batch::{self, Input};
use app::users::{GrantedBy, UserInput};
use app::{Caller, Error, Refusal};
use common::ctx;
use domain::audit::AuditAction;
use domain::policy::Role;
use store::testkit::{TestDb, initiative, user};
use store::{JobKind, JobOutcome};
use time::OffsetDateTime;

#[tokio::test]
async fn a_role_that_may_not_is_refused_and_the_refusal_is_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_initiative(&initiative()).await.unwrap();
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(cw.clone(), "opsog letters preview");
    let input = Input { meeting: "tirsdag kl. 10".into(), ..Default::default() };
    let e = letter_batch::preview(&ctx, &caller, &input).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let e = app::register_search::dry_run(&ctx, &caller, false).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let query = store::AuditQuery { person_id: None, user_id: Some(cw.id), limit: 100, ..Default::default() };
    let denied: Vec<_> =
        s.list_audit(&query).await.unwrap().into_iter().filter(|a| a.action == AuditAction::Denied).collect();
    assert_eq!(denied.len(), 2, "both refusals are in the audit log");
    assert!(denied.iter().any(|a| a.origin == "opsog letters preview"));
}

#[tokio::test]
async fn a_batch_input_is_refused_field_by_field_with_nothing_done() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_initiative(&initiative()).await.unwrap();
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(coordinator, "POST /letters/batch/preview");
    // No run yet, no meeting, an unknown contact: each field named.
    let input = Input { contact: "nobody".into(), ..Default::default() };
    let Err(Error::Invalid(fields)) = letter_batch::preview(&ctx, &caller, &input).await else {
        panic!("invalid input is refused")
    };
    for field in ["run", "meeting", "contact"] {
        assert!(fields.for_field(field).is_some(), "{field} in {fields}");
    }
}

#[tokio::test]
async fn one_job_of_a_kind_runs_per_initiative_and_a_busy_batch_is_refused() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let first = s.start_job(init.id, JobKind::LetterBatch, None, now).await.unwrap().expect("the first starts");
    assert_eq!(s.start_job(init.id, JobKind::LetterBatch, None, now).await.unwrap(), None, "a second waits");
    assert!(s.start_job(init.id, JobKind::RegisterRun, None, now).await.unwrap().is_some(), "another kind runs");

    // The use case meets the same wall: a busy batch is refused before anything is done.
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(coordinator, "opsog letters send");
    s.job_progress(first, 3, 10, now).await.unwrap();
    let running = s.latest_job(init.id, JobKind::LetterBatch).await.unwrap().unwrap();
    assert_eq!((running.done, running.total, running.finished_at), (3, 10, None));

    s.finish_job(first, JobOutcome::Done, None, None, now).await.unwrap();
    let again = s.start_job(init.id, JobKind::LetterBatch, None, now).await.unwrap();
    assert!(again.is_some(), "after the first finished, the next may start");
    // A job whose process died (no heartbeat for a while) does not block for ever.
    let later = now + time::Duration::minutes(10);
    let taken_over = s.start_job(init.id, JobKind::LetterBatch, None, later).await.unwrap();
    assert!(taken_over.is_some());
    let stale = s.get_job(again.unwrap()).await.unwrap();
    assert_eq!(stale.outcome, Some(JobOutcome::Interrupted));
    let input = Input { meeting: "tirsdag".into(), ..Default::default() };
    // No register run: the input is refused first (nothing to send), never a second job.
    assert!(matches!(letter_batch::send(&ctx, &caller, &input, &|_, _| {}).await, Err(Error::Invalid(_))));
}

#[tokio::test]
async fn scheduled_work_runs_once_a_day_across_restarts() {
    let db = TestDb::new().await;
    let s = &db.store;
    let today = time::macros::date!(2026 - 12 - 07);
    assert!(s.claim_scheduled_run("calls_due", today).await.unwrap());
    assert!(!s.claim_scheduled_run("calls_due", today).await.unwrap(), "a restart the same day runs nothing");
    assert!(s.claim_scheduled_run("extract_sweep", today).await.unwrap(), "each piece of work on its own");
    assert!(s.claim_scheduled_run("calls_due", today.next_day().unwrap()).await.unwrap());
}

#[tokio::test]
async fn the_web_and_the_cli_create_users_through_one_check() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_team("Team Nord").await.unwrap();
    let admin = user(s, "admin", Role::Admin, None).await;
    let ctx = ctx(&db);
    let input = UserInput {
        username: "leila".into(),
        display_name: "Leila".into(),
        role: "caseworker".into(),
        team: "team nord".into(),
        direct_phone: "12 34 56 78".into(),
        languages: "ar, da".into(),
        password: "en lang adgangskode".into(),
    };
    let bad = UserInput { direct_phone: "12".into(), languages: "xx".into(), team: "Team Syd".into(), ..input.clone() };
    let operator = GrantedBy::Operator { origin: "opsog user add" };
    let Err(Error::Invalid(fields)) = app::users::create(&ctx, operator, &bad).await else {
        panic!("the CLI checks phone, languages and team as the web does")
    };
    for field in ["direct_phone", "languages", "team"] {
        assert!(fields.for_field(field).is_some(), "{field} in {fields}");
    }
    let caller = Caller::new(admin, "POST /admin/users");
    let u = app::users::create(&ctx, GrantedBy::User(&caller), &input).await.unwrap().user;
    assert_eq!(u.languages, vec!["ar".to_string(), "da".to_string()]);
    assert!(u.team_id.is_some() && u.direct_phone.is_some());
    let Err(Error::Invalid(taken)) = app::users::create(&ctx, GrantedBy::User(&caller), &input).await else {
        panic!("a taken username is a field error")
    };
    assert_eq!(taken.for_field("username"), Some("error-username-taken"));
}
