//! The conformance suite: ambassadors (G-6): the ethics frame, profiles, street conversations, follow-ups and street registration.
//! Every test runs against a fresh database of the backend the environment selects —
//! SQLite by default, PostgreSQL when TEST_DATABASE_URL is set (CI runs it both ways).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use domain::ambassador::{
    AmbassadorFollowUp, BestTime, EthicsAcceptance, FollowUpTopic, Outcome, PlaceKind, StreetConversation,
    StreetRegistration,
};
use domain::audit::AuditAction;
use domain::funnel::{Channel, EventKind, Stage};
use domain::person::SourceKind;
use domain::policy::{ListScope, Role};
use store::testkit::{TestDb, new_person, street_registration, user};
use store::*;
use time::macros::date;
use uuid::Uuid;

#[tokio::test]
async fn the_ethics_frame_gets_a_new_version_only_when_its_text_changes() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    assert_eq!(s.ethics_frame(init.id).await.unwrap(), None, "no frame yet");
    let before = audit_count(s).await;
    let text = "Vi går aldrig længere end kvinden ønsker.";
    assert_eq!(s.set_ethics_frame(init.id, text, &audit(AuditAction::UpdatePerson)).await.unwrap(), 1);
    assert_eq!(s.set_ethics_frame(init.id, text, &audit(AuditAction::UpdatePerson)).await.unwrap(), 1, "same text");
    let frame = s.ethics_frame(init.id).await.unwrap().unwrap();
    assert_eq!(frame, EthicsFrame { initiative_id: init.id, text: text.into(), version: 1 });
    let changed = format!("{text} Vi siger altid, at kontakten ikke er på hendes eget initiativ.");
    assert_eq!(s.set_ethics_frame(init.id, &changed, &audit(AuditAction::UpdatePerson)).await.unwrap(), 2);
    assert_eq!(s.ethics_frame(init.id).await.unwrap().unwrap().text, changed);
    assert_eq!(audit_count(s).await, before + 3, "every save is audited");
    assert!(matches!(
        s.set_ethics_frame(Uuid::new_v4(), text, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.ethics_frame(Uuid::new_v4()).await.unwrap(), None);
    // the cached initiatives are still readable after the change
    assert_eq!(s.list_initiatives().await.unwrap()[0].id, init.id);
    db.cleanup().await;
}

#[tokio::test]
async fn saving_a_profile_keeps_her_ethics_acceptance() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let area = s.create_area("vest", "Vest", &[]).await.unwrap();
    let amb = user(s, "hibo", Role::Ambassador, None).await;
    assert_eq!(s.ambassador_profile(amb.id).await.unwrap(), None);
    let details = profile(vec![area.id]);
    s.save_ambassador_profile(amb.id, &details, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let saved = s.ambassador_profile(amb.id).await.unwrap().unwrap();
    assert_eq!((saved.user_id, &saved.details, saved.ethics_accepted), (amb.id, &details, None));

    s.set_ethics_frame(init.id, "Etik", &audit(AuditAction::UpdatePerson)).await.unwrap();
    let accepted = EthicsAcceptance { initiative_id: init.id, version: 1, accepted_on: date!(2026 - 03 - 02) };
    s.accept_ethics(amb.id, &accepted, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let mut changed = details.clone();
    changed.expected_hours_per_week = None;
    changed.training_done = vec![];
    changed.confidentiality_signed_on = None;
    changed.languages = vec!["so".into()];
    s.save_ambassador_profile(amb.id, &changed, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let again = s.ambassador_profile(amb.id).await.unwrap().unwrap();
    assert_eq!(again.details, changed, "the form's fields are replaced");
    assert_eq!(again.ethics_accepted, Some(accepted), "the acceptance is kept");

    // a version the frame never had cannot have been read
    let future = EthicsAcceptance { version: 2, ..accepted };
    assert!(matches!(
        s.accept_ethics(amb.id, &future, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound(_))
    ));
    // profiles are for ambassadors, in areas that exist
    let cw = user(s, "mette", Role::Caseworker, None).await;
    assert!(matches!(
        s.save_ambassador_profile(cw.id, &details, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound("ambassador"))
    ));
    assert!(matches!(
        s.save_ambassador_profile(amb.id, &profile(vec![Uuid::new_v4()]), &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound("area"))
    ));
    assert_eq!(s.ambassador_profile(amb.id).await.unwrap().unwrap().details, changed, "the refused save wrote nothing");
    db.cleanup().await;
}

#[tokio::test]
async fn accepting_ethics_without_a_profile_is_not_found() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    s.set_ethics_frame(init.id, "Etik", &audit(AuditAction::UpdatePerson)).await.unwrap();
    let amb = user(s, "hibo", Role::Ambassador, None).await;
    let before = audit_count(s).await;
    let accepted = EthicsAcceptance { initiative_id: init.id, version: 1, accepted_on: date!(2026 - 03 - 02) };
    let r = s.accept_ethics(amb.id, &accepted, &audit(AuditAction::UpdatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("ambassador profile"))), "{r:?}");
    assert_eq!(s.ambassador_profile(amb.id).await.unwrap(), None);
    assert_eq!(audit_count(s).await, before, "nothing written, nothing audited");
    db.cleanup().await;
}

#[tokio::test]
async fn ambassadors_are_listed_by_name_with_their_profiles() {
    let db = TestDb::new().await;
    let s = &db.store;
    let zahra = user(s, "zahra", Role::Ambassador, None).await;
    let amal = user(s, "amal", Role::Ambassador, None).await;
    user(s, "mette", Role::Caseworker, None).await;
    s.save_ambassador_profile(zahra.id, &profile(vec![]), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let list = s.list_ambassadors().await.unwrap();
    let names: Vec<(&str, bool)> = list.iter().map(|(u, p)| (u.display_name.as_str(), p.is_some())).collect();
    assert_eq!(names, vec![("Amal", false), ("Zahra", true)]);
    assert_eq!(list[0].0, amal);
    assert_eq!(list[1].1.as_ref().unwrap().details, profile(vec![]));
    db.cleanup().await;
}

#[tokio::test]
async fn street_conversations_round_trip_and_hold_no_personal_data() {
    let db = TestDb::new().await;
    let s = &db.store;
    let area = s.create_area("vest", "Vest", &[]).await.unwrap();
    let hibo = user(s, "hibo", Role::Ambassador, None).await;
    let amal = user(s, "amal", Role::Ambassador, None).await;
    let older = StreetConversation {
        date: date!(2026 - 03 - 08),
        area_id: area.id,
        place: PlaceKind::Playground,
        language: "so".into(),
        outcome: Outcome::Maybe,
        count: 3,
    };
    let newer = StreetConversation {
        date: date!(2026 - 03 - 09),
        place: PlaceKind::BusStop,
        outcome: Outcome::Interested,
        count: 1,
        ..older.clone()
    };
    let before = audit_count(s).await;
    let first = s.record_conversation(hibo.id, &older, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let second = s.record_conversation(hibo.id, &newer, &audit(AuditAction::UpdatePerson)).await.unwrap();
    s.record_conversation(amal.id, &older, &audit(AuditAction::UpdatePerson)).await.unwrap();
    assert_eq!(audit_count(s).await, before + 3);
    let hers = s.list_conversations(Some(hibo.id), 0).await.unwrap();
    assert_eq!(hers.iter().map(|c| c.id).collect::<Vec<_>>(), vec![second, first], "newest first");
    assert_eq!((hers[0].ambassador_user_id, &hers[0].conversation), (hibo.id, &newer));
    assert_eq!(hers[1].conversation, older);
    assert_eq!(s.list_conversations(None, 0).await.unwrap().len(), 3);
    assert_eq!(s.list_conversations(None, 1).await.unwrap()[0].id, second);
    // only ambassadors log, only in areas that exist
    let cw = user(s, "mette", Role::Caseworker, None).await;
    assert!(matches!(
        s.record_conversation(cw.id, &older, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound("ambassador"))
    ));
    let nowhere = StreetConversation { area_id: Uuid::new_v4(), ..older.clone() };
    assert!(matches!(
        s.record_conversation(hibo.id, &nowhere, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound("area"))
    ));
    assert_eq!(s.list_conversations(None, 0).await.unwrap().len(), 3);

    // G-6: anonymous counts only. The table has exactly these columns; none can hold
    // a name, a phone number or a reference to a person.
    use sqlx::{Column, Row};
    let row = sqlx::query("SELECT * FROM street_conversations").fetch_one(s.pool()).await.unwrap();
    let mut columns: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
    columns.sort();
    assert_eq!(
        columns,
        vec![
            "ambassador_user_id",
            "area_id",
            "conversation_date",
            "count",
            "id",
            "language",
            "outcome",
            "place",
            "recorded_at"
        ]
    );
    assert!(columns.iter().all(|c| !["name", "phone", "person", "cpr"].iter().any(|p| c.contains(p))));
    db.cleanup().await;
}

#[tokio::test]
async fn follow_up_meetings_round_trip() {
    let db = TestDb::new().await;
    let s = &db.store;
    let hibo = user(s, "hibo", Role::Ambassador, None).await;
    let amal = user(s, "amal", Role::Ambassador, None).await;
    let coordinator = user(s, "karen", Role::Coordinator, None).await;
    let march = AmbassadorFollowUp {
        held_on: date!(2026 - 03 - 10),
        ambassador_user_id: hibo.id,
        topics_covered: vec![FollowUpTopic::Challenges, FollowUpTopic::TimeUse],
        notes: "To kvinder spurgte til dagtilbud.".into(),
        agreed_actions: "Invitere dem til informationsmødet.".into(),
        minutes_worked: 450,
    };
    let february = AmbassadorFollowUp {
        held_on: date!(2026 - 02 - 10),
        topics_covered: vec![],
        notes: String::new(),
        agreed_actions: String::new(),
        minutes_worked: 0,
        ..march.clone()
    };
    let before = audit_count(s).await;
    let m = s.record_ambassador_follow_up(&march, coordinator.id, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let f = s.record_ambassador_follow_up(&february, coordinator.id, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let amal_meeting = AmbassadorFollowUp { ambassador_user_id: amal.id, ..february.clone() };
    s.record_ambassador_follow_up(&amal_meeting, coordinator.id, &audit(AuditAction::UpdatePerson)).await.unwrap();
    assert_eq!(audit_count(s).await, before + 3);
    let hers = s.list_ambassador_follow_ups(Some(hibo.id)).await.unwrap();
    assert_eq!(hers.iter().map(|r| r.id).collect::<Vec<_>>(), vec![m, f], "newest first");
    assert_eq!((&hers[0].follow_up, hers[0].recorded_by), (&march, coordinator.id));
    assert_eq!(hers[1].follow_up, february);
    assert_eq!(s.list_ambassador_follow_ups(None).await.unwrap().len(), 3);
    assert!(s.list_ambassador_follow_ups(Some(coordinator.id)).await.unwrap().is_empty());
    let not_an_ambassador = AmbassadorFollowUp { ambassador_user_id: coordinator.id, ..march };
    assert!(matches!(
        s.record_ambassador_follow_up(&not_an_ambassador, coordinator.id, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound("ambassador"))
    ));
    db.cleanup().await;
}

#[tokio::test]
async fn a_street_registration_creates_her_at_interested_with_source_consent_notification_and_audit() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let reg = street_registration("Hodan", "12 34 56 78", w.area.id);
    let outcome = s
        .register_from_street(
            &registration_write(reg.clone(), &w.ambassador, w.init.id),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let DoorOutcome::Created(id) = outcome else { panic!("{outcome:?}") };
    assert_eq!(s.count_people().await.unwrap(), 1);

    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.person.details, reg.person_details());
    assert_eq!(rec.person.team_id, Some(w.team), "the ambassador's team");
    assert_eq!(rec.contact_user_id, None);
    assert_eq!(rec.best_time_to_call, Some(BestTime::Evening));
    assert_eq!(rec.area_name.as_deref(), Some("Vest"));
    assert_eq!(rec.sources.len(), 1);
    let source = &rec.sources[0];
    assert_eq!(
        (source.kind, source.reference_id, source.label.as_str()),
        (SourceKind::Ambassador, Some(w.ambassador.id), "Hibo")
    );
    let funnel = s.get_funnel(id, w.init.id).await.unwrap().unwrap();
    assert_eq!(funnel.state.stage, Stage::Interested, "she enters the funnel at interested");
    let events = s.list_events(id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind, events[0].channel), (EventKind::Entered, Channel::Ambassador));
    assert_eq!(events[0].recorded_by_name, "Hibo");

    let consents = s.list_consents(id).await.unwrap();
    assert_eq!(consents.len(), 1);
    let c = &consents[0];
    assert_eq!(
        (c.purpose.as_str(), c.text_version.as_str(), c.language.as_str(), c.recorded_by),
        ("contact", domain::ambassador::consent_text_version(), "so", w.ambassador.id)
    );

    assert_eq!(
        messages(&s.list_notifications(w.caseworker.id).await.unwrap()),
        vec![("notification-new-woman-registered", Some(id))]
    );
    assert!(s.list_notifications(w.other_caseworker.id).await.unwrap().is_empty(), "another team's caseworker");
    assert!(s.list_notifications(w.coordinator.id).await.unwrap().is_empty(), "the team has a caseworker");

    let entries = s.list_audit(&AuditQuery { person_id: Some(id), ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action.code(), "create_person");
    assert_eq!(entries[0].persons, vec![id], "the entry names her");
    assert!(!entries[0].detail.contains("Hodan") && !entries[0].detail.contains("12345678"));

    // she is in the ambassador's own list, and in no other ambassador's
    let mine = PeopleQuery {
        scope: ListScope::RegisteredBy(w.ambassador.id),
        filter: PeopleFilter::default(),
        initiative_id: w.init.id,
        page: 1,
        page_size: 25,
        by_family_name: true,
    };
    let page = s.list_people(&mine, &audit(AuditAction::ListPeople)).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| (r.id, r.stage)).collect::<Vec<_>>(), vec![(id, Some(Stage::Interested))]);
    let theirs = PeopleQuery { scope: ListScope::RegisteredBy(Uuid::new_v4()), ..mine };
    assert_eq!(s.list_people(&theirs, &audit(AuditAction::ListPeople)).await.unwrap().total, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn a_woman_registered_without_a_safe_phone_is_safe_contact_only() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let reg = StreetRegistration {
        phone_hers_alone: false,
        best_time_to_call: BestTime::Any,
        ..street_registration("Ayan", "+45 87654321", w.area.id)
    };
    let id = s
        .register_from_street(&registration_write(reg, &w.ambassador, w.init.id), &audit(AuditAction::CreatePerson))
        .await
        .unwrap()
        .person_id()
        .unwrap();
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert!(rec.person.details.safe_contact_only, "G-2.4");
    assert!(!rec.person.details.phone_is_hers_alone);
    assert_eq!(rec.best_time_to_call, Some(BestTime::Any));
    let page = s.read_person_page(id).await.unwrap().unwrap();
    assert_eq!(page.record.best_time_to_call, Some(BestTime::Any), "her page reads it too");
    db.cleanup().await;
}

#[tokio::test]
async fn registering_a_known_woman_again_never_touches_her_record_and_queues_the_new_intake() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let first = s
        .register_from_street(
            &registration_write(street_registration("Hodan", "12345678", w.area.id), &w.ambassador, w.init.id),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let DoorOutcome::Created(id) = first else { panic!("{first:?}") };
    let before = s.read_person(id).await.unwrap().unwrap();
    let people = s.count_people().await.unwrap();

    // the same phone written another way, the same name spelt another way: anyone may
    // know both, so the door does not act on her (issue 13, item 2)
    let again = StreetRegistration {
        phone_hers_alone: false,
        best_time_to_call: BestTime::Morning,
        ..street_registration(" HODAN ", "+45 12 34 56 78", w.area.id)
    };
    let outcome = s
        .register_from_street(&registration_write(again, &w.ambassador, w.init.id), &audit(AuditAction::CreatePerson))
        .await
        .unwrap();
    let DoorOutcome::Queued(intake) = outcome else { panic!("{outcome:?}") };
    assert_ne!(intake, id);
    assert_eq!(s.count_people().await.unwrap(), people + 1, "a new intake");
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.sources, before.sources);
    assert_eq!(rec.best_time_to_call, before.best_time_to_call, "her record is not written");
    assert_eq!(rec.person.details.safe_contact_only, before.person.details.safe_contact_only);
    assert_eq!(s.list_consents(id).await.unwrap().len(), 1);
    assert_eq!(s.list_events(id).await.unwrap().len(), 1);
    assert_eq!(store::testkit::audit_actions(s, id).await, vec!["create_person"]);
    let queue = s.open_possible_matches(w.init.id).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].intake_id, queue[0].known_id, queue[0].door), (intake, Some(id), SourceKind::Ambassador));
    assert_eq!(queue[0].reason, domain::intake::MatchReason::Resembles);
    assert_eq!(queue[0].known_stage, Some(Stage::Interested));
    assert_eq!(
        messages(&s.list_notifications(w.coordinator.id).await.unwrap()),
        vec![("notification-possible-match", Some(intake))]
    );
    assert!(s.check_projections().await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn a_known_woman_outside_the_initiative_is_not_brought_into_it() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let other = initiative(s).await;
    // known from a register run in another initiative
    let known = s
        .create_person(
            &new_person(other.id, None, details("Faduma", "Ali", "", "22334455"), SourceKind::RegisterRun, None),
            &[],
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let outcome = s
        .register_from_street(
            &registration_write(street_registration("Faduma", "22 33 44 55", w.area.id), &w.ambassador, w.init.id),
            &audit(AuditAction::UpdatePerson),
        )
        .await
        .unwrap();
    let DoorOutcome::Queued(intake) = outcome else { panic!("{outcome:?}") };
    assert_eq!(s.count_people().await.unwrap(), 2);
    assert!(s.get_funnel(known, w.init.id).await.unwrap().is_none(), "not entered by an outside door");
    assert_eq!(s.get_funnel(known, other.id).await.unwrap().unwrap().state.stage, Stage::Identified, "untouched");
    assert_eq!(s.get_funnel(intake, w.init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let queue = s.open_possible_matches(w.init.id).await.unwrap();
    assert_eq!((queue[0].known_id, queue[0].known_stage), (Some(known), None));
    assert!(s.check_projections().await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn a_different_name_on_the_same_phone_is_a_new_person() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let mut ids = Vec::new();
    for name in ["Hodan", "Sahra"] {
        let write = registration_write(street_registration(name, "12345678", w.area.id), &w.ambassador, w.init.id);
        let outcome = s.register_from_street(&write, &audit(AuditAction::CreatePerson)).await.unwrap();
        assert!(matches!(outcome, DoorOutcome::Created(_)), "{name}: {outcome:?}");
        ids.push(outcome.person_id().unwrap());
    }
    assert_ne!(ids[0], ids[1]);
    assert_eq!(s.count_people().await.unwrap(), 2, "a shared phone is not one woman (G-2.4)");
    db.cleanup().await;
}

#[tokio::test]
async fn a_failed_registration_leaves_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let before = audit_count(s).await;
    // an initiative that does not exist: her record and source are written inside the
    // transaction before the funnel step fails, and all of it is rolled back
    let write = registration_write(street_registration("Hodan", "12345678", w.area.id), &w.ambassador, Uuid::new_v4());
    let r = s.register_from_street(&write, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("initiative"))), "{r:?}");
    // an area that does not exist, and someone who is not an ambassador
    let nowhere =
        registration_write(street_registration("Hodan", "12345678", Uuid::new_v4()), &w.ambassador, w.init.id);
    assert!(matches!(
        s.register_from_street(&nowhere, &audit(AuditAction::CreatePerson)).await,
        Err(StoreError::NotFound("area"))
    ));
    let by_caseworker =
        registration_write(street_registration("Hodan", "12345678", w.area.id), &w.caseworker, w.init.id);
    assert!(matches!(
        s.register_from_street(&by_caseworker, &audit(AuditAction::CreatePerson)).await,
        Err(StoreError::NotFound("ambassador"))
    ));
    assert_eq!(s.count_people().await.unwrap(), 0);
    for u in [&w.caseworker, &w.coordinator, &w.other_caseworker] {
        assert!(s.list_notifications(u.id).await.unwrap().is_empty(), "{}", u.username);
    }
    assert_eq!(audit_count(s).await, before);
    let consents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM consents").fetch_one(s.pool()).await.unwrap();
    assert_eq!(consents, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn registrations_of_one_woman_at_the_same_moment_see_each_other() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let amal = user(s, "amal", Role::Ambassador, Some(w.team)).await;
    let a = registration_write(street_registration("Hodan", "12345678", w.area.id), &w.ambassador, w.init.id);
    let b = registration_write(street_registration("Hodan", "12345678", w.area.id), &amal, w.init.id);
    let record = audit(AuditAction::CreatePerson);
    let (ra, rb) = tokio::join!(s.register_from_street(&a, &record), s.register_from_street(&b, &record));
    let mut kinds = [ra.unwrap().code(), rb.unwrap().code()];
    kinds.sort_unstable();
    // Serialised on her phone: the second sees the first, and waits for a coordinator.
    assert_eq!(kinds, ["created", "queued"]);
    assert_eq!(s.count_people().await.unwrap(), 2);
    assert_eq!(s.open_possible_matches(w.init.id).await.unwrap().len(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn the_area_overview_counts_known_women_and_ambassadors_at_work() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let east = s.create_area("oest", "Øst", &[]).await.unwrap();
    let empty = s.create_area("aaa", "Aalykke", &[]).await.unwrap();
    for (name, phone) in [("Hodan", "11111111"), ("Sahra", "22222222")] {
        let write = registration_write(street_registration(name, phone, w.area.id), &w.ambassador, w.init.id);
        s.register_from_street(&write, &audit(AuditAction::CreatePerson)).await.unwrap();
    }
    let mut d = details("Amina", "Hassan", "", "");
    d.area_id = Some(east.id);
    s.create_person(
        &new_person(w.init.id, None, d, SourceKind::RegisterRun, None),
        &[],
        &audit(AuditAction::CreatePerson),
    )
    .await
    .unwrap();
    s.create_person(
        &new_person(w.init.id, None, details("Nour", "Khalil", "", ""), SourceKind::Other, None),
        &[],
        &audit(AuditAction::CreatePerson),
    )
    .await
    .unwrap();
    let zahra = user(s, "zahra", Role::Ambassador, None).await;
    user(s, "amal", Role::Ambassador, None).await; // no profile: works nowhere yet
    s.save_ambassador_profile(w.ambassador.id, &profile(vec![w.area.id]), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    s.save_ambassador_profile(zahra.id, &profile(vec![east.id, w.area.id]), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();

    let overview = s.area_overview().await.unwrap();
    let got: Vec<(&str, u64, Vec<&str>)> = overview
        .iter()
        .map(|o| (o.area.name.as_str(), o.known_women, o.ambassadors.iter().map(|(_, n)| n.as_str()).collect()))
        .collect();
    assert_eq!(
        got,
        vec![("Aalykke", 0, vec![]), ("Vest", 2, vec!["Hibo", "Zahra"]), ("Øst", 1, vec!["Zahra"])],
        "every area, by name; women without an area count nowhere"
    );
    assert_eq!(overview[0].area, empty);
    assert_eq!(overview[1].ambassadors[0].0, w.ambassador.id);
    db.cleanup().await;
}
