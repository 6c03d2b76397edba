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
        let details =
            PersonInput { given_name: given.into(), phone: phone.into(), languages: "so".into(), ..Default::default() }
                .parse(now.date())
                .unwrap();
        let id = s
            .create_person(&new_person(init.id, Some(team.id), details, SourceKind::RegisterRun, None), &[], &sys())
            .await
            .unwrap();
        let at = now - Duration::seconds((letter_days_ago * 86_400.0) as i64);
        let ev = NewEvent {
            person_id: id,
            initiative_id: init.id,
            input: TransitionInput {
                kind: EventKind::LetterSent,
                at,
                channel: Channel::Letter,
                new_contact_data: false,
            },
            actor: EventActor { user_id: None, name: "brev".into() },
            language: None,
            interpreter_used: false,
            note: String::new(),
            do_not_contact: vec![],
        };
        s.record_event(&ev, &sys()).await.unwrap();
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
