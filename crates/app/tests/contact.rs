//! The daily contact job: a call that fell due in the last day is announced once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::audit::{AuditAction, AuditRecord};
use domain::funnel::{Channel, EventKind, TransitionInput};
use domain::person::{PersonInput, SourceKind};
use domain::policy::Role;
use store::testkit::{TestDb, initiative, new_person, user};
use store::{EventActor, NewEvent};
use time::{Duration, OffsetDateTime};

fn sys() -> AuditRecord {
    store::testkit::system_audit(AuditAction::BatchJob)
}

#[tokio::test]
async fn calls_that_fell_due_today_are_announced_once() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let team = s.create_team("Team Nord").await.unwrap();
    let cw = user(s, "cw", Role::Caseworker, Some(team.id)).await;
    let now = OffsetDateTime::now_utc();
    let mut people = Vec::new();
    for (given, phone, letter_days_ago) in
        [("Amina", "12345678", 7.0 + 1.0 / 24.0), ("Sara", "22345678", 20.0), ("Hodan", "", 7.5)]
    {
        let id = woman(s, init.id, team.id, given, phone).await;
        let at = now - Duration::seconds((letter_days_ago * 86_400.0) as i64);
        record(s, init.id, id, EventKind::LetterSent, at).await;
        people.push(id);
    }
    let r = app::contact::post_due_calls(s, now, "test").await.unwrap();
    assert_eq!((r.due, r.newly_due, r.skipped), (2, 1, 1), "Amina newly due, Sara due for long, Hodan has no phone");
    let told = s.list_notifications(cw.id).await.unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].person_id, Some(people[0]));
    // A day later nothing new fell due: nobody is told again.
    let r = app::contact::post_due_calls(s, now + Duration::days(1), "test").await.unwrap();
    assert_eq!(r.newly_due, 0);
    assert_eq!(s.list_notifications(cw.id).await.unwrap().len(), 1);
    db.cleanup().await;
}

/// A Somali-speaking woman of `team` from a register run.
async fn woman(s: &store::SqlStore, init: uuid::Uuid, team: uuid::Uuid, given: &str, phone: &str) -> uuid::Uuid {
    let details =
        PersonInput { given_name: given.into(), phone: phone.into(), languages: "so".into(), ..Default::default() }
            .parse(OffsetDateTime::now_utc().date())
            .unwrap();
    s.create_person(&new_person(init, Some(team), details, SourceKind::RegisterRun, None), &[], &sys()).await.unwrap()
}

/// Records one event of hers at `at`, by the system.
async fn record(s: &store::SqlStore, init: uuid::Uuid, id: uuid::Uuid, kind: EventKind, at: OffsetDateTime) {
    let channel = if kind == EventKind::LetterSent { Channel::Letter } else { Channel::Phone };
    let ev = NewEvent {
        person_id: id,
        initiative_id: init,
        input: TransitionInput { kind, at, channel, new_contact_data: false },
        actor: EventActor { user_id: None, name: "test".into() },
        language: None,
        interpreter_used: false,
        note: String::new(),
        do_not_contact: vec![],
    };
    s.record_event(&ev, &sys()).await.unwrap();
}

/// Records `kinds` for her, each at its age in days, oldest first.
async fn history(
    s: &store::SqlStore,
    init: uuid::Uuid,
    id: uuid::Uuid,
    now: OffsetDateTime,
    kinds: &[(EventKind, i64)],
) {
    for (kind, days_ago) in kinds {
        record(s, init, id, *kind, now - Duration::days(*days_ago)).await;
    }
}

/// Issue 14, item 4 (G-5.7): a woman past the cadence's attempts is marked unreachable
/// by the daily job, once, and a last letter keeps its week to be answered.
#[tokio::test]
async fn the_daily_job_marks_women_past_the_attempt_limit_unreachable() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let team = s.create_team("Team Syd").await.unwrap();
    let now = OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    for given in ["Leyla", "Maryam", "Nadia"] {
        ids.push(woman(s, init.id, team.id, given, "31234567").await);
    }
    use EventKind::{CallNoAnswer, LetterSent};
    // Five attempts, the last ten days ago: long past a limit of three.
    history(
        s,
        init.id,
        ids[0],
        now,
        &[(LetterSent, 60), (CallNoAnswer, 50), (CallNoAnswer, 30), (CallNoAnswer, 20), (CallNoAnswer, 10)],
    )
    .await;
    // A second letter as the third attempt two days ago: she has till the call is due.
    history(s, init.id, ids[1], now, &[(LetterSent, 40), (CallNoAnswer, 30), (LetterSent, 2)]).await;
    // Two attempts: within the limit, and due for a call.
    history(s, init.id, ids[2], now, &[(LetterSent, 20), (CallNoAnswer, 10)]).await;

    let r = app::contact::post_due_calls(s, now, "test").await.unwrap();
    assert_eq!(r.marked_unreachable, 1, "{r:?}");
    assert_eq!(r.due, 1, "only Nadia is a call to make: {r:?}");
    let stage = |id| async move { s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage };
    assert_eq!(stage(ids[0]).await, domain::funnel::Stage::Unreachable);
    assert_eq!(stage(ids[1]).await, domain::funnel::Stage::Contacted);
    assert_eq!(stage(ids[2]).await, domain::funnel::Stage::Contacted);

    // A week on, Maryam's letter has had its time; Leyla is not marked twice.
    let r = app::contact::post_due_calls(s, now + Duration::days(8), "test").await.unwrap();
    assert_eq!(r.marked_unreachable, 1, "{r:?}");
    assert_eq!(stage(ids[1]).await, domain::funnel::Stage::Unreachable);
    db.cleanup().await;
}
