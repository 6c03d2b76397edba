//! The figures, the audit log and intro meetings (`app::overview`, `app::meetings`) at
//! the `app` level, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use app::overview::AuditFilter;
use app::{Caller, Error, Refusal};
use domain::audit::AuditAction;
use domain::meeting::IntroMeetingInput;
use domain::policy::Role;
use store::AuditQuery;
use store::testkit::{TestDb, initiative, user};
use uuid::Uuid;

#[tokio::test]
async fn figures_are_for_roles_that_see_all_and_suppressed_below_coordinator() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_initiative(&initiative()).await.unwrap();
    let ctx = common::ctx(&db);
    let ambassador = user(s, "amb", Role::Ambassador, None).await;
    let e = app::overview::figures(&ctx, &Caller::new(ambassador.clone(), "GET /figures")).await.err().unwrap();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let log = s.list_audit(&AuditQuery { person_id: None, user_id: Some(ambassador.id), limit: 10 }).await.unwrap();
    assert!(log.iter().any(|a| a.action == AuditAction::Denied && a.origin == "GET /figures"));

    let analyst = user(s, "analyst", Role::Analyst, None).await;
    let figures = app::overview::figures(&ctx, &Caller::new(analyst, "GET /figures")).await.unwrap();
    assert!(figures.suppressed);
    assert_eq!(figures.tables.len(), 1);
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let figures = app::overview::figures(&ctx, &Caller::new(coordinator, "GET /figures")).await.unwrap();
    assert!(!figures.suppressed);
    assert_eq!(figures.tables[0].total, Some(0), "no one yet, and nothing hidden");
    db.cleanup().await;
}

#[tokio::test]
async fn reading_the_audit_log_is_audited_even_when_the_filter_does_not_apply() {
    let db = TestDb::new().await;
    let s = &db.store;
    let ctx = common::ctx(&db);
    let admin = user(s, "admin", Role::Admin, None).await;
    let caller = Caller::new(admin.clone(), "GET /audit");
    let log = app::overview::audit_log(&ctx, &caller, &AuditFilter { person: String::new(), user: "nobody".into() })
        .await
        .unwrap();
    assert_eq!(log.error, Some("error-unknown-user"));
    assert!(log.entries.is_empty());
    let her = Uuid::new_v4();
    let log = app::overview::audit_log(&ctx, &caller, &AuditFilter { person: her.to_string(), user: "admin".into() })
        .await
        .unwrap();
    assert_eq!((log.person, log.error), (Some(her), None));
    let Err(Error::Invalid(fields)) = app::overview::export_audit(&ctx, &caller, "not an id").await else {
        panic!("an id that does not parse is refused")
    };
    assert!(fields.for_field("person").is_some());
    let entries = app::overview::export_audit(&ctx, &caller, &her.to_string()).await.unwrap();
    assert_eq!(entries.len(), 1, "the read that named her");
    let mine = s.list_audit(&AuditQuery { person_id: None, user_id: Some(admin.id), limit: 10 }).await.unwrap();
    assert_eq!(mine.iter().filter(|a| a.action == AuditAction::ViewAudit).count(), 2);
    assert!(mine.iter().any(|a| a.action == AuditAction::ExportAudit && a.persons == vec![her]));
    // A caseworker may not read the log; the refusal is audited.
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let e = app::overview::audit_log(&ctx, &Caller::new(cw.clone(), "GET /audit"), &AuditFilter::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let log = s.list_audit(&AuditQuery { person_id: None, user_id: Some(cw.id), limit: 10 }).await.unwrap();
    assert!(log.iter().any(|a| a.action == AuditAction::Denied));
    db.cleanup().await;
}

#[tokio::test]
async fn a_meeting_is_refused_field_by_field_with_nothing_written_and_planned_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let ctx = common::ctx(&db);
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let caller = Caller::new(cw.clone(), "POST /meetings");
    let today = time::OffsetDateTime::now_utc().date();
    let Err(Error::Invalid(fields)) = app::meetings::plan(&ctx, &caller, &IntroMeetingInput::default()).await else {
        panic!("an empty meeting is refused")
    };
    for field in ["date", "time", "place", "languages"] {
        assert!(fields.for_field(field).is_some(), "{field} in {fields}");
    }
    assert!(s.upcoming_intro_meetings(init.id, today).await.unwrap().is_empty(), "nothing written");
    let input = IntroMeetingInput {
        date: (today + time::Duration::days(7)).to_string(),
        time: "10:00".into(),
        place: "Biblioteket".into(),
        languages: "so, ar".into(),
        ..Default::default()
    };
    app::meetings::plan(&ctx, &caller, &input).await.unwrap();
    assert_eq!(s.upcoming_intro_meetings(init.id, today).await.unwrap().len(), 1);
    let log = s.list_audit(&AuditQuery { person_id: None, user_id: Some(cw.id), limit: 10 }).await.unwrap();
    assert!(log.iter().any(|a| a.action == AuditAction::PlanMeeting && a.origin == "POST /meetings"));
    db.cleanup().await;
}
