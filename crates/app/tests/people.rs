//! The use cases on the women (`app::people`, `app::calls`) at the `app` level, on
//! SQLite and (with TEST_DATABASE_URL) PostgreSQL: refusals audited, input refused
//! field by field with nothing written, and the work done and audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use app::calls::OutcomeInput;
use app::people::{ConsentInput, Created, EntryInput, EventInput, ListInput, PeopleSearch};
use app::{Caller, Ctx, Error, Refusal};
use domain::audit::AuditAction;
use domain::funnel::EventKind;
use domain::org::Initiative;
use domain::person::PersonInput;
use domain::policy::Role;
use store::testkit::{TestDb, initiative, user};
use store::{AuditEntry, AuditQuery, SqlStore};
use uuid::Uuid;

fn amina() -> PersonInput {
    PersonInput {
        given_name: "Amina".into(),
        family_name: "Hassan".into(),
        cpr: "070761-4286".into(),
        phone: "20 30 40 50".into(),
        ..Default::default()
    }
}

fn entry(init: &Initiative) -> EntryInput {
    EntryInput { initiative: init.id.to_string(), channel: "phone".into() }
}

async fn audit_of(s: &SqlStore, user_id: Uuid) -> Vec<AuditEntry> {
    s.list_audit(&AuditQuery { person_id: None, user_id: Some(user_id), limit: 1000, ..Default::default() })
        .await
        .unwrap()
}

/// An initiative, a team with a caseworker, and a woman she entered.
async fn world(db: &TestDb) -> (Ctx, Initiative, domain::org::User, Uuid) {
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let team = s.create_team("Nord").await.unwrap();
    let cw = user(s, "cw", Role::Caseworker, Some(team.id)).await;
    let ctx = common::ctx(db);
    let caller = Caller::new(cw.clone(), "POST /people/new");
    let Created::Person(id) = app::people::create(&ctx, &caller, &amina(), &entry(&init)).await.unwrap() else {
        panic!("she is not on the list yet")
    };
    (ctx, init, cw, id)
}

#[tokio::test]
async fn her_page_is_refused_to_a_role_that_may_never_and_hidden_from_another_team_both_audited() {
    let db = TestDb::new().await;
    let (ctx, _, cw, id) = world(&db).await;
    let s = &db.store;
    let analyst = user(s, "analyst", Role::Analyst, None).await;
    let e = app::people::view(&ctx, &Caller::new(analyst.clone(), "GET /people/{id}"), id).await.err().unwrap();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let other_team = s.create_team("Syd").await.unwrap();
    let other = user(s, "cw-syd", Role::Caseworker, Some(other_team.id)).await;
    let e = app::people::view(&ctx, &Caller::new(other.clone(), "GET /people/{id}"), id).await.err().unwrap();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    for who in [analyst.id, other.id] {
        let denied = audit_of(s, who).await;
        assert!(
            denied.iter().any(|a| a.action == AuditAction::Denied && a.persons == vec![id]),
            "the refusal names her: {denied:?}"
        );
    }
    // Her own caseworker sees her page, and the read is audited; so is the reveal.
    let seen = app::people::view(&ctx, &Caller::new(cw.clone(), "GET /people/{id}"), id).await.unwrap();
    assert!(!seen.full_cpr);
    assert_eq!(seen.page.record.person.id, id);
    let seen = app::people::reveal_cpr(&ctx, &Caller::new(cw.clone(), "POST reveal"), id).await.unwrap();
    assert!(seen.full_cpr);
    let log = audit_of(s, cw.id).await;
    assert!(log.iter().any(|a| a.action == AuditAction::ViewPerson && a.persons == vec![id]));
    assert!(log.iter().any(|a| a.action == AuditAction::RevealCpr && a.origin == "POST reveal"));
    db.cleanup().await;
}

#[tokio::test]
async fn a_new_woman_is_refused_field_by_field_with_nothing_written_and_created_audited() {
    let db = TestDb::new().await;
    let (ctx, init, cw, _) = world(&db).await;
    let s = &db.store;
    let caller = Caller::new(cw.clone(), "POST /people/new");
    let before = s.count_people().await.unwrap();
    let bad = PersonInput { given_name: String::new(), cpr: "12345".into(), phone: "abc".into(), ..Default::default() };
    let Err(Error::Invalid(fields)) =
        app::people::create(&ctx, &caller, &bad, &EntryInput { initiative: "x".into(), channel: String::new() }).await
    else {
        panic!("invalid input is refused")
    };
    for field in ["given_name", "cpr", "phone", "initiative"] {
        assert!(fields.for_field(field).is_some(), "{field} in {fields}");
    }
    // The same CPR number twice is the field `cpr`.
    let Err(Error::Invalid(fields)) = app::people::create(&ctx, &caller, &amina(), &entry(&init)).await else {
        panic!("a CPR number on record is refused")
    };
    assert_eq!(fields.for_field("cpr"), Some("error-cpr-exists"));
    assert_eq!(s.count_people().await.unwrap(), before, "nothing was written");
    let other = PersonInput { given_name: "Fatima".into(), ..Default::default() };
    let Created::Person(id) = app::people::create(&ctx, &caller, &other, &entry(&init)).await.unwrap() else {
        panic!("created")
    };
    assert_eq!(s.count_people().await.unwrap(), before + 1);
    let log = audit_of(s, cw.id).await;
    assert!(log.iter().any(|a| a.action == AuditAction::CreatePerson && a.persons.contains(&id)));
    // A role that may not enter women is refused, audited.
    let analyst = user(s, "analyst", Role::Analyst, None).await;
    let e = app::people::create(&ctx, &Caller::new(analyst.clone(), "x"), &other, &entry(&init)).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    assert!(audit_of(s, analyst.id).await.iter().any(|a| a.action == AuditAction::Denied));
    db.cleanup().await;
}

#[tokio::test]
async fn never_contact_again_puts_her_hashes_on_the_list_and_she_cannot_be_entered_again() {
    let db = TestDb::new().await;
    let (ctx, init, cw, id) = world(&db).await;
    let s = &db.store;
    let caller = Caller::new(cw.clone(), "POST /people/{id}/events");
    // A kind that is not one, and a note too long: refused, nothing recorded.
    let events_before = s.list_events(id).await.unwrap().len();
    let input = EventInput { initiative: init.id.to_string(), kind: "entered".into(), ..Default::default() };
    let Err(Error::Invalid(fields)) = app::people::record_event(&ctx, &caller, id, &input).await else {
        panic!("entered is not recorded by hand")
    };
    assert_eq!(fields.for_field("kind"), Some("error-event-kind"));
    let input = EventInput {
        initiative: init.id.to_string(),
        kind: "never_contact_again".into(),
        note: "x".repeat(app::people::MAX_NOTE + 1),
        ..Default::default()
    };
    let Err(Error::Invalid(fields)) = app::people::record_event(&ctx, &caller, id, &input).await else {
        panic!("too long a note is refused")
    };
    assert_eq!(fields.for_field("note"), Some("error-too-long"));
    assert_eq!(s.list_events(id).await.unwrap().len(), events_before, "nothing recorded");

    let details = s.read_person(id).await.unwrap().unwrap().person.details;
    let hashes = app::dnc::of_person(&ctx.dnc_key, &details);
    assert!(!s.on_do_not_contact(&hashes).await.unwrap());
    let input = EventInput { note: "Ønsker ikke kontakt".into(), ..input };
    app::people::record_event(&ctx, &caller, id, &input).await.unwrap().unwrap();
    assert!(s.on_do_not_contact(&hashes).await.unwrap(), "her hashes are on the list");
    let events = s.list_events(id).await.unwrap();
    assert!(events.iter().any(|e| e.kind == EventKind::NeverContactAgain && e.recorded_by_name == cw.display_name));
    let log = audit_of(s, cw.id).await;
    assert!(log.iter().any(|a| a.action == AuditAction::RecordEvent && a.detail == "never_contact_again"));

    // Typed in again she is refused, and nothing is written.
    let before = s.count_people().await.unwrap();
    let created = app::people::create(&ctx, &Caller::new(cw, "x"), &amina(), &entry(&init)).await.unwrap();
    assert_eq!(created, Created::OnDoNotContact);
    assert_eq!(s.count_people().await.unwrap(), before);
    db.cleanup().await;
}

#[tokio::test]
async fn a_call_outcome_needs_its_note_and_never_again_reaches_the_list() {
    let db = TestDb::new().await;
    let (ctx, _, cw, id) = world(&db).await;
    let s = &db.store;
    let caller = Caller::new(cw.clone(), "POST /calls/{id}");
    let events_before = s.list_events(id).await.unwrap().len();
    let Err(Error::Invalid(fields)) =
        app::calls::record(&ctx, &caller, id, &OutcomeInput { outcome: "never".into(), note: " ".into() }).await
    else {
        panic!("never again without a note is refused")
    };
    assert_eq!(fields.for_field("note"), Some("calls-note-required"));
    let Err(Error::Invalid(fields)) =
        app::calls::record(&ctx, &caller, id, &OutcomeInput { outcome: "maybe".into(), note: String::new() }).await
    else {
        panic!("an unknown outcome is refused")
    };
    assert!(fields.for_field("outcome").is_some());
    assert_eq!(s.list_events(id).await.unwrap().len(), events_before, "nothing recorded");

    let input = OutcomeInput { outcome: "never".into(), note: "Vil ikke ringes op".into() };
    app::calls::record(&ctx, &caller, id, &input).await.unwrap().unwrap();
    let details = s.read_person(id).await.unwrap().unwrap().person.details;
    assert!(s.on_do_not_contact(&app::dnc::of_person(&ctx.dnc_key, &details)).await.unwrap());
    let log = audit_of(s, cw.id).await;
    assert!(log.iter().any(|a| a.action == AuditAction::RecordEvent && a.detail == "call outcome never"));
    db.cleanup().await;
}

#[tokio::test]
async fn the_list_audits_a_search_as_a_search_and_consents_are_refused_field_by_field() {
    let db = TestDb::new().await;
    let (ctx, _, cw, id) = world(&db).await;
    let s = &db.store;
    let caller = Caller::new(cw.clone(), "GET /people");
    let input =
        ListInput { search: PeopleSearch { name: "Amina".into(), ..Default::default() }, page: None, page_size: 25 };
    let list = app::people::list(&ctx, &caller, &input).await.unwrap();
    let rows = list.result.expect("the search parses").rows;
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    let input = ListInput { search: PeopleSearch { cpr: "nope".into(), ..Default::default() }, ..input };
    let list = app::people::list(&ctx, &caller, &input).await.unwrap();
    assert_eq!(list.cpr_error, Some("error-cpr-format"));
    assert!(list.result.is_none(), "a search that does not parse lists no one");
    let log = audit_of(s, cw.id).await;
    assert_eq!(log.iter().filter(|a| a.action == AuditAction::SearchPeople).count(), 1);

    let caller = Caller::new(cw.clone(), "POST /people/{id}/consents");
    let Err(Error::Invalid(fields)) = app::people::record_consent(&ctx, &caller, id, &ConsentInput::default()).await
    else {
        panic!("an empty consent is refused")
    };
    for field in ["purpose", "language", "text_version"] {
        assert!(fields.for_field(field).is_some(), "{field} in {fields}");
    }
    assert!(s.list_consents(id).await.unwrap().is_empty(), "nothing written");
    let purpose = domain::org::ConsentPurpose::ALL[0].code().to_string();
    let input = ConsentInput { purpose, text_version: "v1".into(), language: "so".into() };
    app::people::record_consent(&ctx, &caller, id, &input).await.unwrap();
    let consents = s.list_consents(id).await.unwrap();
    assert_eq!(consents.len(), 1);
    app::people::withdraw_consent(&ctx, &caller, id, consents[0].id).await.unwrap();
    assert!(s.list_consents(id).await.unwrap()[0].withdrawn_at.is_some());
    db.cleanup().await;
}
