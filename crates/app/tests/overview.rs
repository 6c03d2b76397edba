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
    let log = s
        .list_audit(&AuditQuery { person_id: None, user_id: Some(ambassador.id), limit: 10, ..Default::default() })
        .await
        .unwrap();
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
    let log = app::overview::audit_log(&ctx, &caller, &AuditFilter { user: "nobody".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(log.error, Some("error-unknown-user"));
    assert!(log.entries.is_empty());
    let her = Uuid::new_v4();
    let log = app::overview::audit_log(
        &ctx,
        &caller,
        &AuditFilter { person: her.to_string(), user: "admin".into(), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!((log.person, log.error), (Some(her), None));
    let Err(Error::Invalid(fields)) = app::overview::export_audit(&ctx, &caller, "not an id").await else {
        panic!("an id that does not parse is refused")
    };
    assert!(fields.for_field("person").is_some());
    let entries = app::overview::export_audit(&ctx, &caller, &her.to_string()).await.unwrap();
    assert_eq!(entries.len(), 1, "the read that named her");
    let mine = s
        .list_audit(&AuditQuery { person_id: None, user_id: Some(admin.id), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(mine.iter().filter(|a| a.action == AuditAction::ViewAudit).count(), 2);
    assert!(mine.iter().any(|a| a.action == AuditAction::ExportAudit && a.persons == vec![her]));
    // A caseworker may not read the log; the refusal is audited.
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let e = app::overview::audit_log(&ctx, &Caller::new(cw.clone(), "GET /audit"), &AuditFilter::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let log = s
        .list_audit(&AuditQuery { person_id: None, user_id: Some(cw.id), limit: 10, ..Default::default() })
        .await
        .unwrap();
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
    let log = s
        .list_audit(&AuditQuery { person_id: None, user_id: Some(cw.id), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(log.iter().any(|a| a.action == AuditAction::PlanMeeting && a.origin == "POST /meetings"));
    db.cleanup().await;
}

/// Issue 14, item 6: the audit log is filtered by a woman's name, a user and days,
/// and paged; names show for a coordinator, never for an admin.
#[tokio::test]
async fn the_audit_log_is_filtered_by_name_user_and_day_and_paged() {
    use domain::person::{PersonInput, SourceKind};
    use store::testkit::new_person;
    let db = TestDb::new().await;
    let s = &db.store;
    let ctx = common::ctx(&db);
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let koord = user(s, "koord", Role::Coordinator, None).await;
    let admin = user(s, "admin", Role::Admin, None).await;
    let sys = store::testkit::system_audit(AuditAction::BatchJob);
    let mut ids = Vec::new();
    for (given, family) in [("Amina", "Hassan"), ("Amina", "Ali"), ("Sara", "Jensen")] {
        let details = PersonInput { given_name: given.into(), family_name: family.into(), ..Default::default() }
            .parse(time::OffsetDateTime::now_utc().date())
            .unwrap();
        let id =
            s.create_person(&new_person(init.id, None, details, SourceKind::Other, None), &[], &sys).await.unwrap();
        ids.push(id);
    }
    let caller = Caller::new(koord.clone(), "GET /audit");
    let log = |f: AuditFilter| {
        let (ctx, caller) = (&ctx, &caller);
        async move { app::overview::audit_log(ctx, caller, &f).await.unwrap() }
    };

    // A name two women share: the log shows both, and names them.
    let both = log(AuditFilter { person: "Amina".into(), ..Default::default() }).await;
    assert_eq!((both.person, both.found.len(), both.error), (None, 2, None));
    assert!(both.entries.iter().all(|e| e.persons.iter().any(|p| ids[..2].contains(p))));
    assert!(both.entries.iter().any(|e| e.persons.contains(&ids[1])));
    assert_eq!(both.names.get(&ids[0]).map(String::as_str), Some("Amina Hassan"));
    // A whole name: one woman, whom the export may take.
    let one = log(AuditFilter { person: "Amina Hassan".into(), ..Default::default() }).await;
    assert_eq!((one.person, one.found.len()), (Some(ids[0]), 0));
    assert!(!one.entries.is_empty() && one.entries.iter().all(|e| e.persons.contains(&ids[0])));
    assert_eq!(
        log(AuditFilter { person: "Fatima".into(), ..Default::default() }).await.error,
        Some("audit-no-woman-named")
    );
    // Days: nothing from tomorrow on; today's entries to and with today.
    let tomorrow = ctx.clock.today().next_day().unwrap().to_string();
    let today = ctx.clock.today().to_string();
    assert!(log(AuditFilter { from: tomorrow, ..Default::default() }).await.entries.is_empty());
    assert!(!log(AuditFilter { from: today.clone(), to: today, ..Default::default() }).await.entries.is_empty());
    assert_eq!(log(AuditFilter { to: "i morgen".into(), ..Default::default() }).await.error, Some("audit-bad-day"));
    // A user, by the list's id.
    let by_koord = log(AuditFilter { user: koord.id.to_string(), ..Default::default() }).await;
    assert!(by_koord.error.is_none() && by_koord.entries.iter().all(|e| e.user_id == Some(koord.id)));

    // Pages of 50, newest first, none twice.
    for _ in 0..60 {
        s.append_audit(&caller.audit(AuditAction::ViewAudit, vec![], String::new())).await.unwrap();
    }
    let first = log(AuditFilter { user: "koord".into(), ..Default::default() }).await;
    assert_eq!(first.entries.len(), app::overview::AUDIT_PAGE as usize);
    let older = first.older.clone().expect("a second page");
    let second = log(AuditFilter { user: "koord".into(), before: Some(older), ..Default::default() }).await;
    assert!(!second.entries.is_empty());
    assert!(second.entries.iter().all(|e| first.entries.iter().all(|f| f.id != e.id)), "a page repeats an entry");
    assert!(second.entries.first().unwrap().id < first.entries.last().unwrap().id);

    // An admin sees no names: a name is refused, an id is not.
    let as_admin = Caller::new(admin, "GET /audit");
    let refused =
        app::overview::audit_log(&ctx, &as_admin, &AuditFilter { person: "Amina".into(), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(refused.error, Some("error-person-id"));
    let by_id =
        app::overview::audit_log(&ctx, &as_admin, &AuditFilter { person: ids[2].to_string(), ..Default::default() })
            .await
            .unwrap();
    assert!(by_id.names.is_empty() && !by_id.entries.is_empty());
    db.cleanup().await;
}
