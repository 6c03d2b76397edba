//! The conformance suite: every test runs against a fresh database of the backend the
//! environment selects — SQLite by default, PostgreSQL when TEST_DATABASE_URL is set
//! (CI runs the suite both ways).
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::funnel::{Channel, EventKind, FunnelError, Stage, TransitionInput};
use domain::org::{Initiative, Locale, NewUser};
use domain::person::{PersonInput, Source, SourceKind};
use domain::policy::{ListScope, Role};
use store::testkit::{TestDb, new_person, street_registration, user};
use store::*;
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

fn audit(action: AuditAction) -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

async fn initiative(s: &SqlStore) -> Initiative {
    let i = Initiative {
        id: Uuid::new_v4(),
        name: "Kvinder i job".into(),
        starts_on: date!(2026 - 01 - 01),
        ends_on: None,
        target_group: "Selvforsørgende kvinder".into(),
        methods: vec!["register".into()],
        area_ids: vec![],
        capacity: Some(40),
        cool_off_days: 90,
        cadence: Default::default(),
    };
    s.create_initiative(&i).await.unwrap();
    i
}

fn details(given: &str, family: &str, cpr: &str, phone: &str) -> domain::person::PersonDetails {
    PersonInput {
        given_name: given.into(),
        family_name: family.into(),
        cpr: cpr.into(),
        phone: phone.into(),
        languages: "ar".into(),
        country_of_origin: "SY".into(),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap()
}

fn event(person: Uuid, init: Uuid, kind: EventKind) -> NewEvent {
    NewEvent {
        person_id: person,
        initiative_id: init,
        input: TransitionInput {
            kind,
            at: OffsetDateTime::now_utc(),
            channel: Channel::Phone,
            new_contact_data: false,
        },
        actor: EventActor { user_id: None, name: "Mette".into() },
        language: Some("ar".into()),
        interpreter_used: true,
        note: format!("{kind:?}"),
        do_not_contact: vec![],
    }
}

/// Every entry, wherever the backend keeps it (SQLite has a second file for entries
/// that stand alone).
async fn audit_count(s: &SqlStore) -> i64 {
    let all = s.list_audit(&AuditQuery { limit: 100_000, ..Default::default() }).await.unwrap();
    i64::try_from(all.len()).unwrap()
}

#[tokio::test]
async fn migrations_run_once_and_unknown_urls_are_refused() {
    let db = TestDb::new().await;
    assert!(db.store.migrate().await.unwrap().is_empty(), "second run applies nothing");
    assert!(db.store.pending_migrations().await.unwrap().is_empty());
    for url in ["mysql://localhost/x", "opsog.db", "http://x"] {
        assert!(matches!(SqlStore::connect(url).await, Err(StoreError::UnsupportedUrl(_))), "{url}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn users_and_sessions_round_trip() {
    let db = TestDb::new().await;
    let s = &db.store;
    let team = s.create_team("Team Nord").await.unwrap();
    let nu = NewUser {
        username: "mette".into(),
        display_name: "Mette".into(),
        role: Role::Caseworker,
        team_id: Some(team.id),
    };
    let extra = UserExtra { languages: vec!["da".into(), "ar".into()], locale: Locale::En, ..Default::default() };
    let u = s.create_user(&nu, "hash", &extra, &audit(AuditAction::CreateUser)).await.unwrap();
    assert_eq!((u.role, u.team_id, u.locale), (Role::Caseworker, Some(team.id), Locale::En));
    assert_eq!(u.languages, vec!["da", "ar"]);
    let dup = s.create_user(&nu, "hash", &extra, &audit(AuditAction::CreateUser)).await;
    assert!(matches!(dup, Err(StoreError::Conflict { .. })), "{dup:?}");
    let (found, hash) = s.find_login(" METTE ").await.unwrap().unwrap();
    assert_eq!((found.id, hash.as_str()), (u.id, "hash"));
    assert!(s.find_login("nobody").await.unwrap().is_none());

    let now = OffsetDateTime::now_utc();
    let session = Session {
        token_hash: "h1".into(),
        user_id: Some(u.id),
        csrf_token: "c".into(),
        created_at: now,
        last_seen_at: now,
        data: "{}".into(),
    };
    s.create_session(&session).await.unwrap();
    // Read once so that any cached copy exists; every change below must still show at once.
    let (_, user) = s.session_with_user("h1").await.unwrap().unwrap();
    assert_eq!(user.map(|u| u.locale), Some(Locale::En));
    s.set_session_data("h1", "{\"page\":2}").await.unwrap();
    let got = s.get_session("h1").await.unwrap().unwrap();
    assert_eq!(got.data, "{\"page\":2}");
    assert_eq!(got.user_id, Some(u.id));
    let (cached, _) = s.session_with_user("h1").await.unwrap().unwrap();
    assert_eq!(cached.data, "{\"page\":2}");
    let later = now + time::Duration::minutes(5);
    s.touch_session("h1", later).await.unwrap();
    let (touched, _) = s.session_with_user("h1").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at.unix_timestamp(), later.unix_timestamp());
    s.set_user_locale(u.id, Locale::Da).await.unwrap();
    let (_, user) = s.session_with_user("h1").await.unwrap().unwrap();
    assert_eq!(user.map(|u| u.locale), Some(Locale::Da));
    assert_eq!(s.delete_idle_sessions(later + time::Duration::hours(1)).await.unwrap(), 1);
    assert!(s.get_session("h1").await.unwrap().is_none());
    assert!(s.session_with_user("h1").await.unwrap().is_none());
    s.create_session(&session).await.unwrap();
    assert!(s.session_with_user("h1").await.unwrap().is_some());
    s.delete_session("h1").await.unwrap();
    assert!(s.session_with_user("h1").await.unwrap().is_none());
    db.cleanup().await;
}

#[tokio::test]
async fn a_new_person_gets_source_entry_event_funnel_and_audit_together() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let before = audit_count(s).await;
    let id = s
        .create_person(
            &new_person(
                init.id,
                None,
                details("Amina", "Hassan", "070761-4286", "12345678"),
                SourceKind::RegisterRun,
                None,
            ),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    assert_eq!(audit_count(s).await, before + 1);
    let rec = s.get_person(id, &audit(AuditAction::ViewPerson)).await.unwrap();
    assert_eq!(rec.person.details.full_name(), "Amina Hassan");
    assert_eq!(rec.person.details.cpr.as_ref().unwrap().expose(), "070761-4286");
    assert_eq!(rec.sources.len(), 1);
    assert_eq!(rec.funnels[0].state.stage, Stage::Identified);
    assert_eq!(s.list_events(id).await.unwrap()[0].kind, EventKind::Entered);
    // the read itself was audited, naming her
    let entries = s.list_audit(&AuditQuery { person_id: Some(id), ..Default::default() }).await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["view_person", "create_person"]);

    // the same CPR twice is a conflict, and nothing of the second attempt remains
    let people_before = s.count_people().await.unwrap();
    let again = s
        .create_person(
            &new_person(init.id, None, details("Amina", "H", "0707614286", ""), SourceKind::Other, None),
            &audit(AuditAction::CreatePerson),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })));
    assert_eq!(s.count_people().await.unwrap(), people_before);
    db.cleanup().await;
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_half_written() {
    let db = TestDb::new().await;
    let s = &db.store;
    let before = audit_count(s).await;
    // an initiative that does not exist: the person insert succeeds inside the
    // transaction, the funnel step fails, and everything is rolled back
    let r = s
        .create_person(
            &new_person(Uuid::new_v4(), None, details("Sara", "Ali", "", ""), SourceKind::Other, None),
            &audit(AuditAction::CreatePerson),
        )
        .await;
    assert!(r.is_err());
    assert_eq!(s.count_people().await.unwrap(), 0);
    assert_eq!(audit_count(s).await, before);
    db.cleanup().await;
}

#[tokio::test]
async fn events_move_the_funnel_and_refused_events_write_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let id = s
        .create_person(
            &new_person(init.id, None, details("Nour", "Khalil", "", "22334455"), SourceKind::RegisterRun, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    for kind in [EventKind::LetterSent, EventKind::Reached, EventKind::Interested, EventKind::IntroMeetingHeld] {
        s.record_event(&event(id, init.id, kind), &audit(AuditAction::RecordEvent)).await.unwrap();
    }
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::Met);
    let events_before = s.list_events(id).await.unwrap().len();
    let audit_before = audit_count(s).await;
    let refused = s.record_event(&event(id, init.id, EventKind::Retained), &audit(AuditAction::RecordEvent)).await;
    assert!(
        matches!(refused, Err(StoreError::Funnel(FunnelError::NotAllowed { from: Stage::Met, .. }))),
        "{refused:?}"
    );
    assert_eq!(s.list_events(id).await.unwrap().len(), events_before);
    assert_eq!(audit_count(s).await, audit_before);
    let timeline = s.list_events(id).await.unwrap();
    assert_eq!(timeline[0].kind, EventKind::IntroMeetingHeld, "newest first");
    assert!(timeline[0].interpreter_used);
    assert!(s.check_projections().await.unwrap().is_empty());

    // "never contact me again" puts her identity on the list in the same transaction,
    // and without the hashes it is refused with nothing written (G-2.2)
    let mut never = event(id, init.id, EventKind::NeverContactAgain);
    let audit_before = audit_count(s).await;
    let refused = s.record_event(&never, &audit(AuditAction::RecordEvent)).await;
    assert!(matches!(refused, Err(StoreError::NeverAgainWithoutHashes)), "{refused:?}");
    let refused = s.record_events(std::slice::from_ref(&never), &audit(AuditAction::RecordEvent)).await;
    assert!(matches!(refused, Err(StoreError::NeverAgainWithoutHashes)), "{refused:?}");
    assert_eq!(s.list_events(id).await.unwrap().len(), timeline.len(), "nothing written");
    assert_eq!(audit_count(s).await, audit_before);
    never.do_not_contact = vec!["hash-of-nour".into()];
    s.record_event(&never, &audit(AuditAction::RecordEvent)).await.unwrap();
    assert!(s.on_do_not_contact(&["hash-of-nour".into()]).await.unwrap());
    db.cleanup().await;
}

#[tokio::test]
async fn voiding_replays_and_refuses_to_break_history() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let id = s
        .create_person(
            &new_person(init.id, None, details("Leyla", "Aziz", "", ""), SourceKind::RegisterRun, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let letter =
        s.record_event(&event(id, init.id, EventKind::LetterSent), &audit(AuditAction::RecordEvent)).await.unwrap();
    let reached =
        s.record_event(&event(id, init.id, EventKind::Reached), &audit(AuditAction::RecordEvent)).await.unwrap();
    let void = |event_id| VoidEvent {
        event_id,
        person_id: id,
        actor: EventActor { user_id: None, name: "x".into() },
        reason: "wrong woman".into(),
        at: OffsetDateTime::now_utc(),
    };
    // voiding the letter would leave "reached" without "contacted" before it
    let broken = s.void_event(&void(letter.id), &audit(AuditAction::VoidEvent)).await;
    assert!(matches!(broken, Err(StoreError::Funnel(FunnelError::VoidBreaksHistory(_)))), "{broken:?}");
    s.void_event(&void(reached.id), &audit(AuditAction::VoidEvent)).await.unwrap();
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::Contacted);
    let events = s.list_events(id).await.unwrap();
    assert_eq!(events.len(), 3, "voided events are kept, never deleted");
    assert_eq!(events.iter().filter(|e| e.voided_at.is_some()).count(), 1);
    assert!(matches!(
        s.void_event(&void(reached.id), &audit(AuditAction::VoidEvent)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(s.check_projections().await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn the_projection_check_notices_a_tampered_funnel() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let id = s
        .create_person(
            &new_person(init.id, None, details("Hodan", "Warsame", "", ""), SourceKind::RegisterRun, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    assert!(s.check_projections().await.unwrap().is_empty());
    sqlx::query("UPDATE funnels SET stage = 'enrolled'").execute(s.pool()).await.unwrap();
    assert_eq!(s.check_projections().await.unwrap(), vec![(id, init.id)]);
    db.cleanup().await;
}

#[tokio::test]
async fn lists_apply_row_level_scope_filters_and_audit_every_person_shown() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let north = s.create_team("Nord").await.unwrap();
    let south = s.create_team("Syd").await.unwrap();
    let ambassador = Uuid::new_v4();
    let org = Uuid::new_v4();
    let mut north_ids = Vec::new();
    for (i, name) in ["Fatima Al-Sayed", "Fatma Alsayed", "Samira Omar"].iter().enumerate() {
        let (g, f) = name.split_once(' ').unwrap();
        let d = details(g, f, "", &format!("2000000{i}"));
        north_ids.push(
            s.create_person(
                &new_person(init.id, Some(north.id), d, SourceKind::Ambassador, Some(ambassador)),
                &audit(AuditAction::CreatePerson),
            )
            .await
            .unwrap(),
        );
    }
    let south_id = s
        .create_person(
            &new_person(init.id, Some(south.id), details("Zahra", "Haidari", "", ""), SourceKind::Partner, Some(org)),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let query = |scope: ListScope, filter: PeopleFilter| PeopleQuery {
        scope,
        filter,
        initiative_id: init.id,
        page: 1,
        page_size: 2,
    };
    let cw = ListScope::TeamOf { team_id: Some(north.id), user_id: Uuid::new_v4() };
    let page =
        s.list_people(&query(cw.clone(), PeopleFilter::default()), &audit(AuditAction::ListPeople)).await.unwrap();
    assert_eq!((page.total, page.rows.len(), page.page_count()), (3, 2, 2));
    assert!(page.rows.iter().all(|r| north_ids.contains(&r.id)));
    // name search is normalised: "al sayed" finds "Al-Sayed" but not "Alsayed"
    let filter = PeopleFilter { name: Some("AL SAYED".into()), ..Default::default() };
    let found = s.list_people(&query(cw.clone(), filter), &audit(AuditAction::SearchPeople)).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.family_name.as_str()).collect::<Vec<_>>(), vec!["Al-Sayed"]);
    let by_phone =
        PeopleFilter { phone: Some(domain::PhoneNumber::parse("+45 20000002").unwrap()), ..Default::default() };
    assert_eq!(
        s.list_people(&query(cw.clone(), by_phone), &audit(AuditAction::SearchPeople)).await.unwrap().rows[0]
            .given_name,
        "Samira"
    );
    let by_stage = PeopleFilter { stage: Some(Stage::Identified), ..Default::default() };
    assert_eq!(
        s.list_people(&query(ListScope::Everyone, by_stage), &audit(AuditAction::ListPeople)).await.unwrap().total,
        0
    );
    assert_eq!(
        s.list_people(
            &query(ListScope::RegisteredBy(ambassador), PeopleFilter::default()),
            &audit(AuditAction::ListPeople)
        )
        .await
        .unwrap()
        .total,
        3
    );
    assert_eq!(
        s.list_people(
            &query(ListScope::RegisteredBy(Uuid::new_v4()), PeopleFilter::default()),
            &audit(AuditAction::ListPeople)
        )
        .await
        .unwrap()
        .total,
        0
    );
    let partner = s
        .list_people(&query(ListScope::ReferredBy(Some(org)), PeopleFilter::default()), &audit(AuditAction::ListPeople))
        .await
        .unwrap();
    assert_eq!(partner.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![south_id]);
    assert_eq!(
        s.list_people(&query(ListScope::Nobody, PeopleFilter::default()), &audit(AuditAction::ListPeople))
            .await
            .unwrap()
            .total,
        0
    );
    // the first list's audit entry names exactly the two persons shown
    let entries = s.list_audit(&AuditQuery::default()).await.unwrap();
    let first_list = entries.iter().rev().find(|e| e.action == "list_people").unwrap();
    let mut shown: Vec<Uuid> = page.rows.iter().map(|r| r.id).collect();
    shown.sort();
    assert_eq!(first_list.persons, shown);
    assert!(first_list.detail.contains("total=3"));
    // the search's audit detail never holds the searched name or phone
    assert!(entries.iter().all(|e| !e.detail.to_lowercase().contains("sayed") && !e.detail.contains("20000002")));
    db.cleanup().await;
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let db = TestDb::new().await;
    let s = &db.store;
    // one entry that stands alone, one written with a change
    s.append_audit(&audit(AuditAction::CliCommand)).await.unwrap();
    let init = initiative(s).await;
    let person = new_person(init.id, None, details("Amina", "H", "", ""), SourceKind::Other, None);
    s.create_person(&person, &audit(AuditAction::CreatePerson)).await.unwrap();
    let mut tables = vec!["audit_log"];
    if db.backend() == Backend::Sqlite {
        tables.push("access.audit_log");
    }
    for t in tables {
        let update = format!("UPDATE {t} SET detail = 'x'");
        assert!(sqlx::query(sqlx::AssertSqlSafe(update)).execute(s.pool()).await.is_err(), "{t}");
        let delete = format!("DELETE FROM {t}");
        assert!(sqlx::query(sqlx::AssertSqlSafe(delete)).execute(s.pool()).await.is_err(), "{t}");
    }
    assert_eq!(audit_count(s).await, 2);
    db.cleanup().await;
}

#[tokio::test]
async fn do_not_contact_and_notifications() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.add_do_not_contact(&["abc".into()], &audit(AuditAction::AddDoNotContact)).await.unwrap();
    s.add_do_not_contact(&["abc".into()], &audit(AuditAction::AddDoNotContact)).await.unwrap();
    assert!(s.on_do_not_contact(&["zzz".into(), "abc".into()]).await.unwrap());
    assert!(!s.on_do_not_contact(&["zzz".into()]).await.unwrap());

    let nu = NewUser { username: "lise".into(), display_name: "Lise".into(), role: Role::Caseworker, team_id: None };
    let u = s.create_user(&nu, "h", &UserExtra::default(), &audit(AuditAction::CreateUser)).await.unwrap();
    s.notify(u.id, "notification-new-person", None).await.unwrap();
    let list = s.list_notifications(u.id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].read_at.is_none());
    s.mark_notification_read(u.id, list[0].id).await.unwrap();
    assert!(s.list_notifications(u.id).await.unwrap()[0].read_at.is_some());
    assert!(matches!(s.mark_notification_read(Uuid::new_v4(), list[0].id).await, Err(StoreError::NotFound(_))));
    db.cleanup().await;
}

#[tokio::test]
async fn contact_persons_keep_their_history_and_consents_can_be_withdrawn() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let mut ids = Vec::new();
    for name in ["anna", "berit"] {
        let nu =
            NewUser { username: name.into(), display_name: name.to_uppercase(), role: Role::Caseworker, team_id: None };
        ids.push(s.create_user(&nu, "h", &UserExtra::default(), &audit(AuditAction::CreateUser)).await.unwrap().id);
    }
    let person = s
        .create_person(
            &new_person(init.id, None, details("Faduma", "Ali", "", ""), SourceKind::Other, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    s.set_contact_person(person, ids[0], None, ids[0], &audit(AuditAction::UpdatePerson)).await.unwrap();
    s.set_contact_person(person, ids[1], None, ids[0], &audit(AuditAction::UpdatePerson)).await.unwrap();
    let history = s.contact_history(person).await.unwrap();
    assert_eq!(history.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), vec!["BERIT", "ANNA"]);
    assert!(history[0].0.until.is_none() && history[1].0.until.is_some(), "the old one is closed, not deleted");
    assert_eq!(s.person_scope(person).await.unwrap().unwrap().contact_user_id, Some(ids[1]));

    let consent = domain::org::Consent {
        id: Uuid::new_v4(),
        person_id: person,
        purpose: "kontakt".into(),
        text_version: "2026-1".into(),
        language: "so".into(),
        recorded_by: ids[0],
        recorded_at: OffsetDateTime::now_utc(),
        withdrawn_at: None,
        partner_org_id: None,
    };
    s.record_consent(&consent, &audit(AuditAction::UpdatePerson)).await.unwrap();
    s.withdraw_consent(person, consent.id, OffsetDateTime::now_utc(), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let consents = s.list_consents(person).await.unwrap();
    assert_eq!(consents.len(), 1);
    assert!(consents[0].withdrawn_at.is_some());
    assert!(matches!(
        s.withdraw_consent(person, consent.id, OffsetDateTime::now_utc(), &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound(_))
    ));
    db.cleanup().await;
}

#[tokio::test]
async fn broad_lists_stop_counting_at_the_cap() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let now = OffsetDateTime::now_utc();
    let cap = usize::try_from(store::COUNT_CAP).unwrap();
    let people: Vec<LoadPerson> = (0..=cap)
        .map(|i| LoadPerson {
            id: Uuid::new_v4(),
            details: details("Ayan", &format!("N{i:05}"), "", ""),
            team_id: None,
            contact_user_id: None,
            created_at: now,
            sources: vec![],
            initiative_id: init.id,
            events: vec![LoadEvent {
                input: TransitionInput {
                    kind: EventKind::Entered,
                    at: now,
                    channel: Channel::RegisterSearch,
                    new_contact_data: false,
                },
                actor: EventActor { user_id: None, name: "t".into() },
                language: None,
                interpreter_used: false,
                note: String::new(),
            }],
        })
        .collect();
    s.load_people(&people, &audit(AuditAction::BatchJob)).await.unwrap();
    assert!(
        audit_actions_of(s, people[cap].id).await.contains(&"batch_job".to_string()),
        "a bulk load names each woman"
    );
    let last_page = u32::try_from(cap / 25 + 1).unwrap();
    let q = PeopleQuery {
        scope: ListScope::Everyone,
        filter: PeopleFilter::default(),
        initiative_id: init.id,
        page: last_page,
        page_size: 25,
    };
    let page = s.list_people(&q, &audit(AuditAction::ListPeople)).await.unwrap();
    assert!(page.capped);
    assert_eq!(page.total, store::COUNT_CAP as u64);
    assert_eq!(page.rows.len(), 1, "the page itself is still served: the last row");
    assert_eq!(page.rows[0].family_name, format!("N{cap:05}"));
    let narrow =
        PeopleQuery { filter: PeopleFilter { name: Some("N00007".into()), ..Default::default() }, page: 1, ..q };
    let found = s.list_people(&narrow, &audit(AuditAction::SearchPeople)).await.unwrap();
    assert!(!found.capped);
    assert_eq!(found.total, 1);
    db.cleanup().await;
}

#[tokio::test]
async fn the_one_read_page_equals_the_separate_reads() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let nu = NewUser { username: "kb".into(), display_name: "KB".into(), role: Role::Caseworker, team_id: None };
    let cw = s.create_user(&nu, "h", &UserExtra::default(), &audit(AuditAction::CreateUser)).await.unwrap().id;
    let id = s
        .create_person(
            &new_person(
                init.id,
                None,
                details("Hawa", "Jama", "070761-4286", "12345678"),
                SourceKind::RegisterRun,
                None,
            ),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    s.add_source(
        id,
        &Source {
            kind: SourceKind::Ambassador,
            reference_id: Some(cw),
            label: "amb".into(),
            added_at: OffsetDateTime::now_utc(),
        },
        &audit(AuditAction::UpdatePerson),
    )
    .await
    .unwrap();
    for kind in [EventKind::LetterSent, EventKind::Reached, EventKind::Note] {
        s.record_event(&event(id, init.id, kind), &audit(AuditAction::RecordEvent)).await.unwrap();
    }
    s.set_contact_person(id, cw, None, cw, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let consent = domain::org::Consent {
        id: Uuid::new_v4(),
        person_id: id,
        purpose: "contact".into(),
        text_version: "1".into(),
        language: "so".into(),
        recorded_by: cw,
        recorded_at: OffsetDateTime::now_utc(),
        withdrawn_at: None,
        partner_org_id: None,
    };
    s.record_consent(&consent, &audit(AuditAction::UpdatePerson)).await.unwrap();

    let page = s.read_person_page(id).await.unwrap().unwrap();
    let record = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(page.record.person, record.person);
    assert_eq!(page.record.sources, record.sources);
    assert_eq!(page.record.funnels, record.funnels);
    assert_eq!(
        (page.record.contact_name.clone(), page.record.contact_user_id),
        (record.contact_name, record.contact_user_id)
    );
    assert_eq!(page.record.area_name, record.area_name);
    assert_eq!(page.events, s.list_events(id).await.unwrap());
    assert_eq!(page.events.len(), 4);
    assert_eq!(page.contacts, s.contact_history(id).await.unwrap());
    assert_eq!(page.consents, s.list_consents(id).await.unwrap());
    assert!(s.read_person_page(Uuid::new_v4()).await.unwrap().is_none());
    db.cleanup().await;
}

#[tokio::test]
async fn an_update_stores_every_detail_and_is_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let area = s.create_area("nord", "Nord", &["5800".into()]).await.unwrap();
    let id = s
        .create_person(
            &new_person(init.id, None, details("Sara", "Ali", "", ""), SourceKind::Other, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let full = PersonInput {
        given_name: "Sara Amal".into(),
        family_name: "Al-Ali".into(),
        cpr: "070761-4286".into(),
        phone: "22 33 44 55".into(),
        phone_is_hers_alone: Some("on".into()),
        street: "Engvej 4".into(),
        postcode: "5800".into(),
        city: "Søby".into(),
        area_id: area.id.to_string(),
        languages: "ar, da".into(),
        dialect: "levantinsk".into(),
        country_of_origin: "SY".into(),
        arrived_in_denmark: "2015-09-01".into(),
        education: "higher".into(),
        work_experience: "abroad".into(),
        network: "family".into(),
        danish_level: "basic".into(),
        motivation_note: "Vil bruge sin uddannelse".into(),
        motivation: vec!["use_education".into(), "economy".into()],
        safe_contact_only: Some("on".into()),
        safety_note: "Kun via kontaktperson".into(),
        interpreter_needed: Some("on".into()),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap();
    s.update_person(id, &full, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let back = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(back.person.details, full);
    assert_eq!(back.area_name.as_deref(), Some("Nord"));
    assert!(audit_actions_of(s, id).await.contains(&"update_person".to_string()));
    assert!(matches!(
        s.update_person(Uuid::new_v4(), &full, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound(_))
    ));
    db.cleanup().await;
}

async fn audit_actions_of(s: &SqlStore, person: Uuid) -> Vec<String> {
    s.list_audit(&AuditQuery { person_id: Some(person), ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

// ---------------------------------------------------------------------------------
// Ambassadors (issue 5, G-6)
// ---------------------------------------------------------------------------------

use domain::ambassador::{
    AmbassadorBackground, AmbassadorFollowUp, Assessment, BestTime, Employment, EthicsAcceptance, FollowUpTopic,
    Outcome, PlaceKind, ProfileDetails, StreetConversation, StreetRegistration, TrainingTopic,
};
use domain::org::User;

fn profile(areas: Vec<Uuid>) -> ProfileDetails {
    ProfileDetails {
        employment: Employment::Volunteer,
        languages: vec!["so".into(), "ar".into()],
        area_ids: areas,
        expected_hours_per_week: Some(8),
        background: AmbassadorBackground::NeighbourhoodMother,
        assessment: Assessment {
            job_experience: "Cleaning job, then a nursing assistant course".into(),
            relational_skills: "Listens".into(),
            availability: "Afternoons".into(),
            local_position: "Somali mothers' group".into(),
        },
        training_done: vec![TrainingTopic::Approach, TrainingTopic::Confidentiality],
        confidentiality_signed_on: Some(date!(2026 - 03 - 01)),
    }
}

fn registration_write(reg: StreetRegistration, ambassador: &User, initiative_id: Uuid) -> StreetRegistrationWrite {
    StreetRegistrationWrite {
        registration: reg,
        ambassador: ambassador.clone(),
        initiative_id,
        consent_text_version: domain::ambassador::consent_text_version().into(),
        at: OffsetDateTime::now_utc(),
    }
}

/// A team with a caseworker and an ambassador, a caseworker of another team, a
/// coordinator, an area and an initiative: the street registration's world.
struct Street {
    init: Initiative,
    area: domain::org::Area,
    team: Uuid,
    caseworker: User,
    other_caseworker: User,
    coordinator: User,
    ambassador: User,
}

async fn street(s: &SqlStore) -> Street {
    let init = initiative(s).await;
    let area = s.create_area("vest", "Vest", &["5000".into()]).await.unwrap();
    let team = s.create_team("Vest").await.unwrap().id;
    let other_team = s.create_team("Øst").await.unwrap().id;
    Street {
        init,
        area,
        team,
        caseworker: user(s, "mette", Role::Caseworker, Some(team)).await,
        other_caseworker: user(s, "lise", Role::Caseworker, Some(other_team)).await,
        coordinator: user(s, "karen", Role::Coordinator, None).await,
        ambassador: user(s, "hibo", Role::Ambassador, Some(team)).await,
    }
}

fn messages(list: &[domain::org::Notification]) -> Vec<(&str, Option<Uuid>)> {
    list.iter().map(|n| (n.message.as_str(), n.person_id)).collect()
}

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
    let RegistrationOutcome::Created(id) = outcome else { panic!("{outcome:?}") };
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
    assert_eq!(entries[0].action, "create_person");
    assert_eq!(entries[0].persons, vec![id], "the entry names her");
    assert!(!entries[0].detail.contains("Hodan") && !entries[0].detail.contains("12345678"));

    // she is in the ambassador's own list, and in no other ambassador's
    let mine = PeopleQuery {
        scope: ListScope::RegisteredBy(w.ambassador.id),
        filter: PeopleFilter::default(),
        initiative_id: w.init.id,
        page: 1,
        page_size: 25,
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
        .person_id();
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert!(rec.person.details.safe_contact_only, "G-2.4");
    assert!(!rec.person.details.phone_is_hers_alone);
    assert_eq!(rec.best_time_to_call, Some(BestTime::Any));
    let page = s.read_person_page(id).await.unwrap().unwrap();
    assert_eq!(page.record.best_time_to_call, Some(BestTime::Any), "her page reads it too");
    db.cleanup().await;
}

#[tokio::test]
async fn registering_the_same_woman_again_adds_no_person() {
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
    let RegistrationOutcome::Created(id) = first else { panic!("{first:?}") };
    let people = s.count_people().await.unwrap();

    // the same phone written another way, the same name spelt another way
    let again = StreetRegistration {
        phone_hers_alone: false,
        best_time_to_call: BestTime::Morning,
        ..street_registration(" HODAN ", "+45 12 34 56 78", w.area.id)
    };
    let outcome = s
        .register_from_street(&registration_write(again, &w.ambassador, w.init.id), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    assert_eq!(outcome, RegistrationOutcome::AddedToKnown(id));
    assert_eq!(s.count_people().await.unwrap(), people, "one woman is one person");
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.sources.len(), 1, "the same ambassador is not added twice");
    assert_eq!(s.list_consents(id).await.unwrap().len(), 2, "each consent she gave is kept");
    assert_eq!(s.list_events(id).await.unwrap().len(), 1, "her funnel is left to her caseworker");
    assert_eq!(rec.best_time_to_call, Some(BestTime::Morning), "her newest word");
    assert!(rec.person.details.safe_contact_only, "safety only tightens (G-2.4)");
    assert_eq!(
        messages(&s.list_notifications(w.caseworker.id).await.unwrap()),
        vec![("notification-known-woman-registered", Some(id)), ("notification-new-woman-registered", Some(id))]
    );
    assert_eq!(audit_actions_of(s, id).await, vec!["update_person", "create_person"]);

    // a second ambassador is a second source; her contact person is the one told
    let amal = user(s, "amal", Role::Ambassador, Some(w.team)).await;
    s.set_contact_person(id, w.other_caseworker.id, None, w.coordinator.id, &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    let third = s
        .register_from_street(
            &registration_write(street_registration("Hodan", "12345678", w.area.id), &amal, w.init.id),
            &audit(AuditAction::UpdatePerson),
        )
        .await
        .unwrap();
    assert_eq!(third, RegistrationOutcome::AddedToKnown(id));
    let rec = s.read_person(id).await.unwrap().unwrap();
    let mut registered_by = rec.scope().registered_by;
    registered_by.sort();
    let mut expected = vec![w.ambassador.id, amal.id];
    expected.sort();
    assert_eq!(registered_by, expected);
    assert!(rec.person.details.safe_contact_only, "a safe answer does not lift the flag");
    assert_eq!(
        messages(&s.list_notifications(w.other_caseworker.id).await.unwrap()),
        vec![("notification-known-woman-registered", Some(id))]
    );
    assert_eq!(s.list_notifications(w.caseworker.id).await.unwrap().len(), 2, "not the team, her contact person");
    assert_eq!(s.count_people().await.unwrap(), people);
    db.cleanup().await;
}

#[tokio::test]
async fn a_known_woman_outside_the_initiative_enters_it_at_interested() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let other = initiative(s).await;
    // known from a register run in another initiative
    let known = s
        .create_person(
            &new_person(other.id, None, details("Faduma", "Ali", "", "22334455"), SourceKind::RegisterRun, None),
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
    assert_eq!(outcome, RegistrationOutcome::AddedToKnown(known));
    assert_eq!(s.count_people().await.unwrap(), 1);
    assert_eq!(s.get_funnel(known, w.init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    assert_eq!(s.get_funnel(known, other.id).await.unwrap().unwrap().state.stage, Stage::Identified, "untouched");
    // she has no team and no contact person: the coordinators hear of her
    assert_eq!(
        messages(&s.list_notifications(w.coordinator.id).await.unwrap()),
        vec![("notification-known-woman-registered", Some(known))]
    );
    assert!(s.list_notifications(w.caseworker.id).await.unwrap().is_empty());
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
        assert!(matches!(outcome, RegistrationOutcome::Created(_)), "{name}: {outcome:?}");
        ids.push(outcome.person_id());
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
async fn registrations_of_one_woman_at_the_same_moment_make_one_person() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let amal = user(s, "amal", Role::Ambassador, Some(w.team)).await;
    let a = registration_write(street_registration("Hodan", "12345678", w.area.id), &w.ambassador, w.init.id);
    let b = registration_write(street_registration("Hodan", "12345678", w.area.id), &amal, w.init.id);
    let record = audit(AuditAction::CreatePerson);
    let (ra, rb) = tokio::join!(s.register_from_street(&a, &record), s.register_from_street(&b, &record));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.person_id(), rb.person_id());
    assert_eq!(s.count_people().await.unwrap(), 1);
    assert_eq!(s.read_person(ra.person_id()).await.unwrap().unwrap().sources.len(), 2);
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
    s.create_person(&new_person(w.init.id, None, d, SourceKind::RegisterRun, None), &audit(AuditAction::CreatePerson))
        .await
        .unwrap();
    s.create_person(
        &new_person(w.init.id, None, details("Nour", "Khalil", "", ""), SourceKind::Other, None),
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

// ---------------------------------------------------------------------------------
// Partners (issue 5, G-7)
// ---------------------------------------------------------------------------------

use domain::funnel::CoarseStatus;
use domain::partner::{
    Agreement, ContactPreference, LinkRefused, PartnerFollowUp, PartnerKind, ReferralLink, new_link_token,
};
use store::testkit::{partner_details, partner_user, referral};

/// A partner with an account, a second partner, a coordinator, a caseworker and an
/// initiative: the referral's world.
struct Partners {
    init: Initiative,
    org: Uuid,
    other_org: Uuid,
    coordinator: User,
    caseworker: User,
    account: User,
}

async fn partners(s: &SqlStore) -> Partners {
    let init = initiative(s).await;
    let org = s.create_partner(&partner_details("Sprogcenter Nord"), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let other_org =
        s.create_partner(&partner_details("Mødregruppen"), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let team = s.create_team("Nord").await.unwrap().id;
    Partners {
        init,
        org,
        other_org,
        coordinator: user(s, "karen", Role::Coordinator, None).await,
        caseworker: user(s, "mette", Role::Caseworker, Some(team)).await,
        account: partner_user(s, "lene", org).await,
    }
}

/// A fresh one-time link for `org`, made by `by` at `at`; returns its stored hash.
async fn make_link(s: &SqlStore, org: Uuid, by: Uuid, at: OffsetDateTime) -> String {
    let (_token, hash) = new_link_token(*Uuid::new_v4().as_bytes().repeat(2).first_chunk::<32>().unwrap());
    s.create_referral_link(&ReferralLink::new(hash.clone(), org, by, at), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    hash
}

fn through_link(r: domain::partner::Referral, org: Uuid, hash: &str, init: Uuid) -> ReferralWrite {
    ReferralWrite {
        referral: r,
        partner_org_id: org,
        referred_by: None,
        link_token_hash: Some(hash.to_string()),
        initiative_id: init,
        at: OffsetDateTime::now_utc(),
    }
}

fn from_account(r: domain::partner::Referral, account: &User, init: Uuid) -> ReferralWrite {
    ReferralWrite {
        referral: r,
        partner_org_id: account.partner_org_id.unwrap(),
        referred_by: Some(account.clone()),
        link_token_hash: None,
        initiative_id: init,
        at: OffsetDateTime::now_utc(),
    }
}

async fn count_rows(s: &SqlStore, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(s.pool()).await.unwrap()
}

/// Everything a referral writes, to show that a refused one wrote nothing.
async fn written(s: &SqlStore) -> Vec<i64> {
    let mut counts = vec![audit_count(s).await];
    for table in ["persons", "person_sources", "events", "funnels", "consents", "notifications"] {
        counts.push(count_rows(s, table).await);
    }
    counts
}

fn agreement() -> Agreement {
    Agreement {
        guidelines: "Lærerne nævner tilbuddet i klassen en gang pr. semester.".into(),
        core_task_benefit: "Kursister i job lærer hurtigere dansk.".into(),
        ethics: "Lærerne giver aldrig videre, hvad en kursist har fortalt i fortrolighed.".into(),
        confidentiality: "Kun navn og telefon, kun med hendes samtykke.".into(),
        review_on: date!(2026 - 09 - 01),
    }
}

#[tokio::test]
async fn partners_and_their_agreements_round_trip() {
    let db = TestDb::new().await;
    let s = &db.store;
    let area = s.create_area("nord", "Nord", &[]).await.unwrap();
    // made before the register had kinds: an active association without an area
    let legacy = s.create_partner_org("Boligsocialt Nord").await.unwrap();
    let before = audit_count(s).await;
    let details = domain::partner::PartnerDetails {
        kind: PartnerKind::HealthVisitor,
        area_id: Some(area.id),
        contact_persons: vec!["Lene Holm, 12 34 56 78".into(), "Ali Demir".into()],
        ..partner_details("Sundhedsplejen")
    };
    let id = s.create_partner(&details, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let school = s.create_partner(&partner_details("Sprogcenter"), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let got = s.get_partner(id).await.unwrap().unwrap();
    assert_eq!(got, PartnerRecord { id, details: details.clone(), agreement: None });

    let list = s.list_partners().await.unwrap();
    assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![legacy, school, id], "by name");
    assert_eq!(
        list[0].details,
        domain::partner::PartnerDetails {
            name: "Boligsocialt Nord".into(),
            kind: PartnerKind::Association,
            area_id: None,
            contact_persons: vec![],
            active: true,
        }
    );

    s.save_agreement(id, &agreement(), &audit(AuditAction::UpdatePerson)).await.unwrap();
    assert_eq!(s.get_partner(id).await.unwrap().unwrap().agreement, Some(agreement()));
    let revised = Agreement { review_on: date!(2027 - 03 - 01), ..agreement() };
    s.save_agreement(id, &revised, &audit(AuditAction::UpdatePerson)).await.unwrap();

    // G-7.4: no longer chosen, still on the map; the agreement is kept
    let inactive = domain::partner::PartnerDetails { active: false, area_id: None, contact_persons: vec![], ..details };
    s.update_partner(id, &inactive, &audit(AuditAction::UpdatePerson)).await.unwrap();
    assert_eq!(
        s.get_partner(id).await.unwrap().unwrap(),
        PartnerRecord { id, details: inactive.clone(), agreement: Some(revised) }
    );
    assert_eq!(audit_count(s).await, before + 5, "every write is audited");

    let r = s.update_partner(Uuid::new_v4(), &inactive, &audit(AuditAction::UpdatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "{r:?}");
    let r = s.save_agreement(Uuid::new_v4(), &agreement(), &audit(AuditAction::UpdatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "{r:?}");
    let nowhere = domain::partner::PartnerDetails { area_id: Some(Uuid::new_v4()), ..partner_details("Ny") };
    let r = s.create_partner(&nowhere, &audit(AuditAction::UpdatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("area"))), "{r:?}");
    let r = s.create_partner(&partner_details("Sprogcenter"), &audit(AuditAction::UpdatePerson)).await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "one name, one partner: {r:?}");
    assert_eq!(s.get_partner(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(s.list_partners().await.unwrap().len(), 3);
    assert_eq!(audit_count(s).await, before + 5, "refused writes are not audited here");
    db.cleanup().await;
}

#[tokio::test]
async fn a_link_is_stored_by_its_hash_only_for_an_active_partner() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let now = OffsetDateTime::now_utc();
    let hash = make_link(s, w.org, w.coordinator.id, now).await;
    let link = s.referral_link(&hash).await.unwrap().unwrap();
    assert_eq!((link.partner_org_id, link.created_by, link.used_at), (w.org, w.coordinator.id, None));
    assert_eq!(link.expires_at.unix_timestamp(), (now + domain::partner::LINK_VALIDITY).unix_timestamp());
    assert_eq!(s.referral_link("no-such-hash").await.unwrap(), None);

    let r = s
        .create_referral_link(
            &ReferralLink::new("h1".into(), Uuid::new_v4(), w.coordinator.id, now),
            &audit(AuditAction::UpdatePerson),
        )
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "{r:?}");
    let mut resting = partner_details("Mødregruppen");
    resting.active = false;
    s.update_partner(w.other_org, &resting, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let r = s
        .create_referral_link(
            &ReferralLink::new("h2".into(), w.other_org, w.coordinator.id, now),
            &audit(AuditAction::UpdatePerson),
        )
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "an inactive partner takes no links: {r:?}");
    assert_eq!(count_rows(s, "referral_links").await, 1);
    db.cleanup().await;
}

#[tokio::test]
async fn a_link_referral_creates_her_at_interested_with_the_partner_as_source() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let hash = make_link(s, w.org, w.coordinator.id, OffsetDateTime::now_utc()).await;
    let mut r = referral("Zahra", Some("+45 87 65 43 21"));
    r.status_consent = true;
    r.note = "Taler lidt dansk; foretrækker formiddage.".into();
    let write = through_link(r.clone(), w.org, &hash, w.init.id);
    let outcome = s.refer(&write, &audit(AuditAction::CreatePerson)).await.unwrap();
    let ReferralOutcome::Created(id) = outcome else { panic!("{outcome:?}") };
    assert_eq!(s.count_people().await.unwrap(), 1);

    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.person.details, r.person_details());
    assert_eq!((rec.person.team_id, rec.contact_user_id), (None, None));
    assert_eq!(rec.contact_preference, Some(ContactPreference::Phone));
    let page = s.read_person_page(id).await.unwrap().unwrap();
    assert_eq!(page.record.contact_preference, Some(ContactPreference::Phone), "her page reads it too");
    assert_eq!(rec.sources.len(), 1);
    let source = &rec.sources[0];
    assert_eq!(
        (source.kind, source.reference_id, source.label.as_str()),
        (SourceKind::Partner, Some(w.org), "Sprogcenter Nord")
    );
    assert_eq!(rec.scope().referred_by_orgs, vec![w.org]);
    let funnel = s.get_funnel(id, w.init.id).await.unwrap().unwrap();
    assert_eq!(funnel.state.stage, Stage::Interested, "the partner channel enters at interested");
    let events = s.list_events(id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind, events[0].channel), (EventKind::Entered, Channel::Partner));
    assert_eq!(events[0].recorded_by_name, "Sprogcenter Nord (henvisningslink)");
    assert_eq!(events[0].note, r.note, "the partner's note is on her timeline");

    let mut consents = s.list_consents(id).await.unwrap();
    consents.sort_by(|a, b| a.purpose.cmp(&b.purpose));
    let got: Vec<_> = consents
        .iter()
        .map(|c| (c.purpose.as_str(), c.text_version.as_str(), c.language.as_str(), c.recorded_by))
        .collect();
    let version = domain::partner::consent_text_version();
    assert_eq!(
        got,
        vec![("contact", version, "fa", w.coordinator.id), ("partner_status", version, "fa", w.coordinator.id)],
        "her consents, in her language, answered for by the coordinator who sent the link"
    );

    assert_eq!(
        messages(&s.list_notifications(w.coordinator.id).await.unwrap()),
        vec![("notification-new-woman-referred", Some(id))]
    );
    assert!(s.list_notifications(w.caseworker.id).await.unwrap().is_empty());

    let link = s.referral_link(&hash).await.unwrap().unwrap();
    assert_eq!(link.used_at.map(|t| t.unix_timestamp()), Some(write.at.unix_timestamp()), "the link is used up");
    let used_for: Option<String> = sqlx::query_scalar("SELECT person_id FROM referral_links WHERE token_hash = $1")
        .bind(&hash)
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(used_for, Some(id.to_string()));

    let entries = s.list_audit(&AuditQuery { person_id: Some(id), ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].action.as_str(), &entries[0].persons), ("create_person", &vec![id]), "names her");
    assert!(!entries[0].detail.contains("Zahra") && !entries[0].detail.contains(&hash));
    assert!(s.check_projections().await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn a_used_link_is_refused_and_nothing_is_written() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let hash = make_link(s, w.org, w.coordinator.id, OffsetDateTime::now_utc()).await;
    s.refer(&through_link(referral("Zahra", None), w.org, &hash, w.init.id), &audit(AuditAction::CreatePerson))
        .await
        .unwrap();
    let before = written(s).await;
    let again = through_link(referral("Maryam", Some("22334455")), w.org, &hash, w.init.id);
    let r = s.refer(&again, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::LinkRefused(LinkRefused::Used))), "{r:?}");
    assert_eq!(s.count_people().await.unwrap(), 1);
    assert_eq!(written(s).await, before, "nothing written, nothing audited");
    db.cleanup().await;
}

#[tokio::test]
async fn an_expired_link_is_refused_and_nothing_is_written() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let long_ago = OffsetDateTime::now_utc() - domain::partner::LINK_VALIDITY - time::Duration::minutes(1);
    let hash = make_link(s, w.org, w.coordinator.id, long_ago).await;
    let before = written(s).await;
    let r = s
        .refer(&through_link(referral("Zahra", None), w.org, &hash, w.init.id), &audit(AuditAction::CreatePerson))
        .await;
    assert!(matches!(r, Err(StoreError::LinkRefused(LinkRefused::Expired))), "{r:?}");
    assert_eq!(written(s).await, before);
    assert_eq!(s.referral_link(&hash).await.unwrap().unwrap().used_at, None, "still unused");
    db.cleanup().await;
}

#[tokio::test]
async fn another_partners_link_or_an_unknown_one_is_refused() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let theirs = make_link(s, w.other_org, w.coordinator.id, OffsetDateTime::now_utc()).await;
    let before = written(s).await;
    let r = s
        .refer(&through_link(referral("Zahra", None), w.org, &theirs, w.init.id), &audit(AuditAction::CreatePerson))
        .await;
    assert!(matches!(r, Err(StoreError::LinkRefused(LinkRefused::Unknown))), "{r:?}");
    assert_eq!(s.referral_link(&theirs).await.unwrap().unwrap().used_at, None, "their link is not used up");
    let r = s
        .refer(&through_link(referral("Zahra", None), w.org, "made-up", w.init.id), &audit(AuditAction::CreatePerson))
        .await;
    assert!(matches!(r, Err(StoreError::LinkRefused(LinkRefused::Unknown))), "{r:?}");
    // neither a link nor an account: nobody answers for her consent
    let mut nobody = through_link(referral("Zahra", None), w.org, "x", w.init.id);
    nobody.link_token_hash = None;
    let r = s.refer(&nobody, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::LinkRefused(LinkRefused::Unknown))), "{r:?}");
    assert_eq!(written(s).await, before);
    db.cleanup().await;
}

#[tokio::test]
async fn two_referrals_through_one_link_at_once_make_one() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let hash = make_link(s, w.org, w.coordinator.id, OffsetDateTime::now_utc()).await;
    let a = through_link(referral("Zahra", Some("11111111")), w.org, &hash, w.init.id);
    let b = through_link(referral("Maryam", Some("22222222")), w.org, &hash, w.init.id);
    let record = audit(AuditAction::CreatePerson);
    let (ra, rb) = tokio::join!(s.refer(&a, &record), s.refer(&b, &record));
    let refused = [&ra, &rb].iter().filter(|r| matches!(r, Err(StoreError::LinkRefused(LinkRefused::Used)))).count();
    assert_eq!((ra.is_ok() as usize + rb.is_ok() as usize, refused), (1, 1), "{ra:?} {rb:?}");
    assert_eq!(s.count_people().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn a_partner_account_refers_for_its_own_partner_only() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let r = referral("Zahra", None);
    let id = match s.refer(&from_account(r, &w.account, w.init.id), &audit(AuditAction::CreatePerson)).await.unwrap() {
        ReferralOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.get_funnel(id, w.init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let events = s.list_events(id).await.unwrap();
    assert_eq!(events[0].recorded_by_name, "Lene");
    let consents = s.list_consents(id).await.unwrap();
    assert_eq!(
        consents.iter().map(|c| (c.purpose.as_str(), c.recorded_by)).collect::<Vec<_>>(),
        vec![("contact", w.account.id)],
        "no status consent asked, none recorded"
    );
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.contact_preference, Some(ContactPreference::Meeting));
    assert!(rec.person.details.phone.is_none());
    assert_eq!(
        messages(&s.list_notifications(w.coordinator.id).await.unwrap()),
        vec![("notification-new-woman-referred", Some(id))]
    );

    // an account of another partner, and a staff user, do not refer for this one
    let before = written(s).await;
    let theirs = partner_user(s, "amira", w.other_org).await;
    let mut write = from_account(referral("Maryam", None), &theirs, w.init.id);
    write.partner_org_id = w.org;
    let r = s.refer(&write, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner account"))), "{r:?}");
    let mut write = from_account(referral("Maryam", None), &w.account, w.init.id);
    write.referred_by = Some(w.caseworker.clone());
    let r = s.refer(&write, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner account"))), "{r:?}");
    // an inactive partner takes no referrals (G-7.4); nor does an unknown initiative
    let write = from_account(referral("Maryam", None), &w.account, Uuid::new_v4());
    let r = s.refer(&write, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("initiative"))), "{r:?}");
    let mut resting = partner_details("Sprogcenter Nord");
    resting.active = false;
    s.update_partner(w.org, &resting, &audit(AuditAction::UpdatePerson)).await.unwrap();
    let before = {
        let mut b = before;
        b[0] += 2; // the partner account and the update above
        b
    };
    let write = from_account(referral("Maryam", None), &w.account, w.init.id);
    let r = s.refer(&write, &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "{r:?}");
    assert_eq!(written(s).await, before, "the refusals wrote nothing");
    db.cleanup().await;
}

#[tokio::test]
async fn a_known_woman_referred_gets_the_partner_as_a_source_not_a_second_record() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let other = initiative(s).await;
    // known from a register run in another initiative, with a caseworker
    let known = s
        .create_person(
            &new_person(other.id, None, details("Zahra", "Ahmadi", "", "87654321"), SourceKind::RegisterRun, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    s.set_contact_person(
        known,
        w.caseworker.id,
        w.caseworker.team_id,
        w.coordinator.id,
        &audit(AuditAction::UpdatePerson),
    )
    .await
    .unwrap();
    let people = s.count_people().await.unwrap();

    // the same phone written another way, the same first name spelt another way; she
    // asks to be reached through the partner only
    let mut r = referral(" ZAHRA ", Some("+45 87 65 43 21"));
    r.contact_preference = ContactPreference::ThroughPartner;
    r.phone_hers_alone = false;
    r.status_consent = true;
    let hash = make_link(s, w.org, w.coordinator.id, OffsetDateTime::now_utc()).await;
    let outcome = s.refer(&through_link(r.clone(), w.org, &hash, w.init.id), &audit(AuditAction::UpdatePerson)).await;
    assert_eq!(outcome.unwrap(), ReferralOutcome::AddedToKnown(known));
    assert_eq!(s.count_people().await.unwrap(), people, "one woman is one person");
    let rec = s.read_person(known).await.unwrap().unwrap();
    assert_eq!(rec.person.details.family_name, "Ahmadi", "her record is not overwritten");
    assert_eq!(
        rec.sources.iter().map(|s| s.kind).collect::<Vec<_>>(),
        vec![SourceKind::RegisterRun, SourceKind::Partner]
    );
    assert!(rec.person.details.safe_contact_only, "through the partner only: safe contact only (G-2.4)");
    assert!(!rec.person.details.phone_is_hers_alone);
    assert_eq!(rec.contact_preference, Some(ContactPreference::ThroughPartner));
    assert_eq!(s.get_funnel(known, w.init.id).await.unwrap().unwrap().state.stage, Stage::Interested, "enters");
    assert_eq!(s.get_funnel(known, other.id).await.unwrap().unwrap().state.stage, Stage::Identified, "untouched");
    assert_eq!(s.list_consents(known).await.unwrap().len(), 2);
    assert_eq!(
        messages(&s.list_notifications(w.caseworker.id).await.unwrap()),
        vec![("notification-known-woman-referred", Some(known))],
        "her contact person hears of it"
    );
    assert!(s.list_notifications(w.coordinator.id).await.unwrap().is_empty());
    assert!(s.referral_link(&hash).await.unwrap().unwrap().used_at.is_some());

    // referred again by the account, with a note and a safe answer: no second source,
    // the flags are not lifted, the note goes on her timeline as a note
    let mut again = referral("Zahra", Some("87654321"));
    again.note = "Spurgte igen efter timen.".into();
    let outcome = s.refer(&from_account(again, &w.account, w.init.id), &audit(AuditAction::UpdatePerson)).await;
    assert_eq!(outcome.unwrap(), ReferralOutcome::AddedToKnown(known));
    let rec = s.read_person(known).await.unwrap().unwrap();
    assert_eq!(rec.sources.len(), 2, "the same partner is not added twice");
    assert!(rec.person.details.safe_contact_only && !rec.person.details.phone_is_hers_alone, "safety only tightens");
    assert_eq!(rec.contact_preference, Some(ContactPreference::Phone), "her newest word");
    let events = s.list_events(known).await.unwrap();
    let in_init: Vec<_> =
        events.iter().filter(|e| e.initiative_id == w.init.id).map(|e| (e.kind, e.note.as_str())).collect();
    assert_eq!(in_init.len(), 2);
    assert!(in_init.contains(&(EventKind::Note, "Spurgte igen efter timen.")), "{in_init:?}");
    assert_eq!(s.get_funnel(known, w.init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    assert_eq!(
        audit_actions_of(s, known).await,
        vec!["update_person", "update_person", "update_person", "create_person"]
    );
    assert!(s.check_projections().await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn a_partner_sees_a_coarse_status_only_with_her_consent() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let refer = |r: domain::partner::Referral| {
        let write = from_account(r, &w.account, w.init.id);
        async move { s.refer(&write, &audit(AuditAction::CreatePerson)).await.unwrap().person_id() }
    };
    let mut agreed = referral("Zahra", Some("11111111"));
    agreed.status_consent = true;
    let zahra = refer(agreed).await;
    let maryam = refer(referral("Maryam", Some("22222222"))).await;
    let status = |rows: &[ReferralStatusRow]| -> Vec<(Uuid, String, bool, Option<CoarseStatus>)> {
        rows.iter().map(|r| (r.person_id, r.given_name.clone(), r.status_consent, r.status)).collect()
    };
    let list = s.list_referrals(w.org, w.init.id).await.unwrap();
    assert_eq!(
        status(&list),
        vec![(maryam, "Maryam".into(), false, None), (zahra, "Zahra".into(), true, Some(CoarseStatus::Received)),],
        "newest first; no status without her consent"
    );
    assert!(list[0].referred_at >= list[1].referred_at);

    // her caseworker meets her: "contacted"; enrolled: "started" (from `interested`
    // the funnel moves by the intro meeting; `reached` comes before interest)
    for who in [zahra, maryam] {
        s.record_event(&event(who, w.init.id, EventKind::IntroMeetingHeld), &audit(AuditAction::RecordEvent))
            .await
            .unwrap();
    }
    let list = s.list_referrals(w.org, w.init.id).await.unwrap();
    assert_eq!(list.iter().map(|r| r.status).collect::<Vec<_>>(), vec![None, Some(CoarseStatus::Contacted)]);
    s.record_event(&event(zahra, w.init.id, EventKind::Enrolled), &audit(AuditAction::RecordEvent)).await.unwrap();
    assert_eq!(s.list_referrals(w.org, w.init.id).await.unwrap()[1].status, Some(CoarseStatus::Started));

    // in an initiative she is not in, there is no status
    let other = initiative(s).await;
    let list = s.list_referrals(w.org, other.id).await.unwrap();
    assert_eq!(status(&list)[1], (zahra, "Zahra".into(), true, None));

    // another partner sees none of them; referred there too without the consent, it
    // still sees no status: her consent was for the partner that asked her
    assert!(s.list_referrals(w.other_org, w.init.id).await.unwrap().is_empty());
    let theirs = partner_user(s, "amira", w.other_org).await;
    s.refer(&from_account(referral("Zahra", Some("11111111")), &theirs, w.init.id), &audit(AuditAction::UpdatePerson))
        .await
        .unwrap();
    let list = s.list_referrals(w.other_org, w.init.id).await.unwrap();
    assert_eq!(status(&list), vec![(zahra, "Zahra".into(), false, None)]);

    // withdrawn, the status is hidden again
    let consent = s.list_consents(zahra).await.unwrap().into_iter().find(|c| c.purpose == "partner_status").unwrap();
    s.withdraw_consent(zahra, consent.id, OffsetDateTime::now_utc(), &audit(AuditAction::UpdatePerson)).await.unwrap();
    let list = s.list_referrals(w.org, w.init.id).await.unwrap();
    assert_eq!(status(&list)[1], (zahra, "Zahra".into(), false, None));
    db.cleanup().await;
}

#[tokio::test]
async fn partner_follow_up_meetings_round_trip() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let march = PartnerFollowUp {
        held_on: date!(2026 - 03 - 10),
        partner_org_id: w.org,
        women_talked_to: 6,
        talked_to_note: "Mest tirsdagsholdet.".into(),
        presentation_note: "En tidligere deltagers historie virker; brochuren gør ikke.".into(),
        how_often_note: "Hver anden uge.".into(),
        support_note: "En tolk ved næste klassebesøg.".into(),
    };
    let february = PartnerFollowUp {
        held_on: date!(2026 - 02 - 10),
        women_talked_to: 0,
        talked_to_note: String::new(),
        presentation_note: String::new(),
        how_often_note: String::new(),
        support_note: String::new(),
        ..march.clone()
    };
    let before = audit_count(s).await;
    let m = s.record_partner_follow_up(&march, w.coordinator.id, &audit(AuditAction::RecordFollowUp)).await.unwrap();
    let f = s.record_partner_follow_up(&february, w.coordinator.id, &audit(AuditAction::RecordFollowUp)).await.unwrap();
    let theirs = PartnerFollowUp { partner_org_id: w.other_org, ..march.clone() };
    s.record_partner_follow_up(&theirs, w.coordinator.id, &audit(AuditAction::RecordFollowUp)).await.unwrap();
    assert_eq!(audit_count(s).await, before + 3);
    let list = s.list_partner_follow_ups(w.org).await.unwrap();
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), vec![m, f], "newest first, this partner's only");
    assert_eq!((&list[0].follow_up, list[0].recorded_by), (&march, w.coordinator.id));
    assert_eq!(list[1].follow_up, february);
    let sums = domain::partner::talked_to_per_month(&list.iter().map(|r| r.follow_up.clone()).collect::<Vec<_>>());
    assert_eq!(sums, vec![(2026, time::Month::February, 0), (2026, time::Month::March, 6)]);
    let nobody = PartnerFollowUp { partner_org_id: Uuid::new_v4(), ..march };
    let r = s.record_partner_follow_up(&nobody, w.coordinator.id, &audit(AuditAction::RecordFollowUp)).await;
    assert!(matches!(r, Err(StoreError::NotFound("partner"))), "{r:?}");
    assert_eq!(audit_count(s).await, before + 3);
    assert!(s.list_partner_follow_ups(Uuid::new_v4()).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn referrals_are_counted_per_month() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    let at = |y: i32, m: time::Month, d: u8| time::Date::from_calendar_date(y, m, d).unwrap().midnight().assume_utc();
    let referrals = [
        ("Zahra", "11111111", at(2025, time::Month::December, 31)),
        ("Maryam", "22222222", at(2026, time::Month::February, 1)),
        ("Leila", "33333333", at(2026, time::Month::February, 28)),
        // Zahra again in March: already the partner's, so no new woman
        ("Zahra", "11111111", at(2026, time::Month::March, 3)),
    ];
    for (name, phone, when) in referrals {
        let mut write = from_account(referral(name, Some(phone)), &w.account, w.init.id);
        write.at = when;
        s.refer(&write, &audit(AuditAction::CreatePerson)).await.unwrap();
    }
    let theirs = partner_user(s, "amira", w.other_org).await;
    s.refer(&from_account(referral("Nour", None), &theirs, w.init.id), &audit(AuditAction::CreatePerson))
        .await
        .unwrap();
    assert_eq!(
        s.referrals_per_month(w.org).await.unwrap(),
        vec![(2025, time::Month::December, 1), (2026, time::Month::February, 2)]
    );
    assert_eq!(s.referrals_per_month(w.other_org).await.unwrap().len(), 1);
    assert!(s.referrals_per_month(Uuid::new_v4()).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn intro_meetings_are_planned_and_listed_soonest_first() {
    use domain::meeting::IntroMeeting;
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let area = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    let meeting = |d: time::Date, hour: u8| IntroMeeting {
        date: d,
        time: time::Time::from_hms(hour, 30, 0).unwrap(),
        place: "Beboerhuset".into(),
        area_id: Some(area.id),
        languages: vec!["ar".into(), "da".into()],
        spouse_welcome: true,
        capacity: Some(12),
        note: String::new(),
    };
    let by = Uuid::new_v4();
    let plan = async |m: IntroMeeting| s.plan_intro_meeting(init.id, &m, by, &audit(AuditAction::CliCommand)).await;
    let late = plan(meeting(date!(2026 - 12 - 10), 10)).await.unwrap();
    let early = plan(meeting(date!(2026 - 12 - 01), 9)).await.unwrap();
    plan(meeting(date!(2026 - 11 - 01), 9)).await.unwrap();
    let upcoming = s.upcoming_intro_meetings(init.id, date!(2026 - 11 - 25)).await.unwrap();
    assert_eq!(upcoming.iter().map(|m| m.id).collect::<Vec<_>>(), vec![early, late]);
    assert_eq!(upcoming[0].meeting, meeting(date!(2026 - 12 - 01), 9));
    // an unknown area is refused and nothing is stored
    let mut lost = meeting(date!(2026 - 12 - 05), 9);
    lost.area_id = Some(Uuid::new_v4());
    let r = plan(lost).await;
    assert!(matches!(r, Err(StoreError::NotFound("area"))), "{r:?}");
    assert_eq!(s.upcoming_intro_meetings(init.id, date!(2026 - 11 - 25)).await.unwrap().len(), 2);
    db.cleanup().await;
}

// --- the initiative plan (issue 3)

mod plan_versions {
    use super::*;
    use domain::plan::{Approval, Dpia, LegalBasis, Method, Plan, PlanVersion, next_version};
    use time::macros::datetime;

    const ANNA: Uuid = Uuid::from_u128(0xa11a);
    const BIRGIT: Uuid = Uuid::from_u128(0xb1b1);

    /// A complete plan: every field set, the legal basis and the DPIA recorded, text
    /// with Danish letters, commas and semicolons where the columns join lists.
    fn full_plan(areas: Vec<Uuid>) -> Plan {
        Plan {
            target_group: "Selvforsørgende kvinder 18–64 med ikke-vestlig oprindelse".into(),
            segments: "Gifte med forsørgelsespligt; sprogskoleelever uden indkomst".into(),
            challenges: "Kendes ikke af jobcentret, flere sprog".into(),
            why: "Mange står uden for arbejdsmarkedet".into(),
            how: "Registersøgning, så ambassadører og partnere".into(),
            methods: vec![Method::RegisterSearch, Method::Partners],
            methods_why: "Registret finder dem, partnerne når dem".into(),
            ethics_frame: "Vi kontakter hende højst tre gange.\nAldrig via ægtefællen.".into(),
            resources: "To jobkonsulenter, sprogskolen".into(),
            programme_seats: 40,
            capacity_note: "40 pladser i forløbet, 1 af 3 siger ja".into(),
            legal_frame: "LAB-loven, integrationsloven".into(),
            area_ids: areas,
            sources: vec!["Befolkningsudtræk".into(), "eIndkomst 12 mdr., 2025".into(), " Sprogskole; hold 3 ".into()],
            rules_ref: "selvforsorgende.toml sha256:ab12".into(),
            legal_basis: Some(LegalBasis {
                text: "Behandlingen er nødvendig for kommunens myndighedsudøvelse".into(),
                reference: "Databeskyttelseslovens § 6, jf. art. 6, stk. 1, litra e".into(),
                recorded_by: ANNA,
                recorded_on: date!(2026 - 03 - 01),
            }),
            dpia: Some(Dpia { reference: "KK-2026-0042".into(), date: date!(2026 - 02 - 27) }),
            review_on: date!(2026 - 09 - 01),
        }
    }

    /// A draft: no legal basis, no DPIA, no areas (the whole municipality), no
    /// extracts, and the optional texts empty.
    fn draft_plan() -> Plan {
        Plan {
            segments: String::new(),
            methods: vec![Method::Ambassadors],
            capacity_note: String::new(),
            area_ids: vec![],
            sources: vec![],
            rules_ref: String::new(),
            legal_basis: None,
            dpia: None,
            ..full_plan(vec![])
        }
    }

    fn version(n: u32, plan: Plan, author: Uuid, approval: Option<Approval>) -> PlanVersion {
        PlanVersion { version: n, plan, author, written_at: datetime!(2026-03-10 09:15:30.123456 UTC), approval }
    }

    fn approval(by: Uuid, note: &str) -> Approval {
        Approval { approved_by: by, approved_at: datetime!(2026-03-11 14:00:00.5 UTC), note: note.into() }
    }

    fn planning() -> AuditRecord {
        AuditRecord { detail: "plan".into(), ..audit(AuditAction::CliCommand) }
    }

    #[tokio::test]
    async fn versions_round_trip_exactly_oldest_first() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        let other = initiative(s).await;
        let a1 = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
        let a2 = s.create_area("0102", "Østbyen", &["5220".into()]).await.unwrap();
        let v1 = version(1, draft_plan(), ANNA, None);
        let mut v2 = version(2, full_plan(vec![a2.id, a1.id]), BIRGIT, None);
        v2.written_at = datetime!(2026-03-12 08:00:00 +02:00);
        let v3 = version(3, full_plan(vec![a1.id]), ANNA, Some(approval(BIRGIT, "")));
        let before = audit_count(s).await;
        for v in [&v1, &v2, &v3] {
            s.save_plan_version(init.id, v, &planning()).await.unwrap();
        }
        s.save_plan_version(other.id, &version(1, full_plan(vec![]), BIRGIT, None), &planning()).await.unwrap();
        let stored = s.plan_versions(init.id).await.unwrap();
        assert_eq!(stored, vec![v1.clone(), v2.clone(), v3.clone()]);
        // Field by field where a mistake would hide: the lists and the absent parts.
        assert_eq!(stored[0].plan.legal_basis, None);
        assert_eq!(stored[0].plan.dpia, None);
        assert!(stored[0].plan.area_ids.is_empty() && stored[0].plan.sources.is_empty());
        assert_eq!(stored[0].plan.methods, vec![Method::Ambassadors]);
        assert_eq!(stored[1].plan.area_ids, vec![a2.id, a1.id]);
        assert_eq!(stored[1].plan.sources[2], " Sprogskole; hold 3 ");
        assert_eq!(stored[1].written_at, datetime!(2026-03-12 06:00:00 UTC));
        assert_eq!(stored[2].approval, Some(approval(BIRGIT, "")));
        assert_eq!(s.plan_versions(other.id).await.unwrap().len(), 1);
        assert!(s.plan_versions(Uuid::new_v4()).await.unwrap().is_empty());
        // Each save wrote its audit entry, saying which version.
        assert_eq!(audit_count(s).await, before + 4);
        let newest = s.list_audit(&AuditQuery { limit: 1, ..Default::default() }).await.unwrap();
        assert_eq!((newest[0].action.as_str(), newest[0].detail.as_str()), ("cli_command", "plan"));
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_version_number_is_saved_once_and_the_first_stays() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        let first = version(1, full_plan(vec![]), ANNA, None);
        s.save_plan_version(init.id, &first, &planning()).await.unwrap();
        let before = (audit_count(s).await, count_rows(s, "plan_versions").await);
        let mut second = version(1, draft_plan(), BIRGIT, Some(approval(ANNA, "")));
        second.plan.target_group = "Alle kvinder".into();
        let r = s.save_plan_version(init.id, &second, &planning()).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        assert_eq!(s.plan_versions(init.id).await.unwrap(), vec![first.clone()]);
        // An unknown initiative, and an extract name that would not come back as it
        // went in, are refused too; none of the refusals wrote anything.
        let r = s.save_plan_version(Uuid::new_v4(), &version(1, full_plan(vec![]), ANNA, None), &planning()).await;
        assert!(matches!(r, Err(StoreError::NotFound("initiative"))), "{r:?}");
        let mut broken = version(2, full_plan(vec![]), ANNA, None);
        broken.plan.sources = vec!["To\nlinjer".into()];
        let r = s.save_plan_version(init.id, &broken, &planning()).await;
        assert!(matches!(r, Err(StoreError::Corrupt(_))), "{r:?}");
        assert_eq!((audit_count(s).await, count_rows(s, "plan_versions").await), before);
        assert_eq!(s.plan_versions(init.id).await.unwrap(), vec![first]);
        db.cleanup().await;
    }

    #[tokio::test]
    async fn two_saves_of_one_version_at_once_store_one() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        let a = version(1, full_plan(vec![]), ANNA, None);
        let b = version(1, draft_plan(), BIRGIT, None);
        let audit = planning();
        let (ra, rb) = tokio::join!(s.save_plan_version(init.id, &a, &audit), s.save_plan_version(init.id, &b, &audit));
        let stored = s.plan_versions(init.id).await.unwrap();
        match (ra, rb) {
            (Ok(()), Err(StoreError::Conflict { .. })) => assert_eq!(stored, vec![a]),
            (Err(StoreError::Conflict { .. }), Ok(())) => assert_eq!(stored, vec![b]),
            other => panic!("one save must win, the other conflict: {other:?}"),
        }
        db.cleanup().await;
    }

    #[tokio::test]
    async fn a_version_is_approved_once() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        let v1 = version(1, full_plan(vec![]), ANNA, None);
        s.save_plan_version(init.id, &v1, &planning()).await.unwrap();
        let before = audit_count(s).await;
        let first = approval(BIRGIT, "Set af juristen");
        s.approve_plan_version(init.id, 1, &first, &planning()).await.unwrap();
        assert_eq!(audit_count(s).await, before + 1);
        let stored = s.plan_versions(init.id).await.unwrap();
        assert_eq!(stored, vec![PlanVersion { approval: Some(first.clone()), ..v1.clone() }]);
        // A second approval is refused and the first stays as it was.
        let again = Approval { approved_by: ANNA, approved_at: datetime!(2026-03-12 10:00 UTC), note: "Igen".into() };
        let r = s.approve_plan_version(init.id, 1, &again, &planning()).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        assert_eq!(s.plan_versions(init.id).await.unwrap(), stored);
        // No such version, or no such initiative.
        let r = s.approve_plan_version(init.id, 2, &again, &planning()).await;
        assert!(matches!(r, Err(StoreError::NotFound("plan version"))), "{r:?}");
        let r = s.approve_plan_version(Uuid::new_v4(), 1, &again, &planning()).await;
        assert!(matches!(r, Err(StoreError::NotFound("plan version"))), "{r:?}");
        assert_eq!(audit_count(s).await, before + 1, "refusals write no audit entry");
        db.cleanup().await;
    }

    #[tokio::test]
    async fn two_approvals_at_once_store_one() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        s.save_plan_version(init.id, &version(1, full_plan(vec![]), ANNA, None), &planning()).await.unwrap();
        let (a, b) = (approval(BIRGIT, "B"), approval(Uuid::from_u128(0xc1c1), "C"));
        let audit = planning();
        let (ra, rb) = tokio::join!(
            s.approve_plan_version(init.id, 1, &a, &audit),
            s.approve_plan_version(init.id, 1, &b, &audit)
        );
        let stored = s.plan_versions(init.id).await.unwrap()[0].approval.clone();
        match (ra, rb) {
            (Ok(()), Err(StoreError::Conflict { .. })) => assert_eq!(stored, Some(a)),
            (Err(StoreError::Conflict { .. }), Ok(())) => assert_eq!(stored, Some(b)),
            other => panic!("one approval must win, the other conflict: {other:?}"),
        }
        db.cleanup().await;
    }

    #[tokio::test]
    async fn an_approval_carried_to_the_next_version_round_trips() {
        let db = TestDb::new().await;
        let s = &db.store;
        let init = initiative(s).await;
        s.save_plan_version(
            init.id,
            &next_version(None, full_plan(vec![]), ANNA, datetime!(2026-03-10 09:00 UTC)),
            &planning(),
        )
        .await
        .unwrap();
        s.approve_plan_version(init.id, 1, &approval(BIRGIT, "Set af juristen"), &planning()).await.unwrap();
        let v1 = s.plan_versions(init.id).await.unwrap().remove(0);
        // A change the approval does not cover keeps it.
        let mut p = full_plan(vec![]);
        p.resources = "Tre jobkonsulenter".into();
        let v2 = next_version(Some(&v1), p, BIRGIT, datetime!(2026-03-20 12:30:15.000001 UTC));
        assert_eq!((v2.version, v2.approval.clone()), (2, v1.approval.clone()));
        s.save_plan_version(init.id, &v2, &planning()).await.unwrap();
        // One it covers withdraws it; that version waits for its own approval.
        let mut p = full_plan(vec![]);
        p.target_group = "Alle kvinder 18–64".into();
        let v3 = next_version(Some(&v2), p, ANNA, datetime!(2026-03-21 08:00 UTC));
        assert_eq!(v3.approval, None);
        s.save_plan_version(init.id, &v3, &planning()).await.unwrap();
        assert_eq!(s.plan_versions(init.id).await.unwrap(), vec![v1.clone(), v2.clone(), v3.clone()]);
        // The carried approval is the version's own: approving it again is refused.
        let r = s.approve_plan_version(init.id, 2, &approval(ANNA, ""), &planning()).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        s.approve_plan_version(init.id, 3, &approval(BIRGIT, "Ny målgruppe set"), &planning()).await.unwrap();
        let stored = s.plan_versions(init.id).await.unwrap();
        assert_eq!(stored[..2], [v1, v2]);
        assert_eq!(stored[2].approval, Some(approval(BIRGIT, "Ny målgruppe set")));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn letter_templates_are_saved_per_language_and_a_change_asks_for_review_again() {
    use domain::letter_template::LetterTemplate;
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let by = Uuid::new_v4();
    let template = |headline: &str| LetterTemplate {
        language: "so".into(),
        headline: headline.into(),
        body: "Salaan {name}".into(),
        offer: "Kulan".into(),
        reviewed: false,
    };
    let missing = s.mark_letter_template_reviewed(init.id, "so", by, &audit(AuditAction::CliCommand)).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    s.save_letter_template(init.id, &template("Fursad shaqo"), by, &audit(AuditAction::CliCommand)).await.unwrap();
    s.mark_letter_template_reviewed(init.id, "so", by, &audit(AuditAction::CliCommand)).await.unwrap();
    let saved = s.letter_templates(init.id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert!(saved[0].template.reviewed && saved[0].reviewed_by == Some(by));
    assert_eq!(saved[0].template.headline, "Fursad shaqo");
    // a changed text is a new draft: the review no longer holds
    s.save_letter_template(init.id, &template("Fursad cusub"), by, &audit(AuditAction::CliCommand)).await.unwrap();
    let saved = s.letter_templates(init.id).await.unwrap();
    assert_eq!(saved.len(), 1, "one template per language");
    assert!(!saved[0].template.reviewed && saved[0].reviewed_by.is_none());
    assert_eq!(saved[0].template.headline, "Fursad cusub");
    db.cleanup().await;
}

// --- register search (issue 3)

fn candidate(given: &str, cpr: &str, area: Option<&str>) -> domain::selection::Candidate {
    domain::selection::Candidate {
        given_name: given.into(),
        family_name: "Hassan".into(),
        cpr: cpr.into(),
        birth_date: domain::Cpr::parse(cpr).unwrap().birth_date(),
        country_of_origin: "SY".into(),
        arrived_in_denmark: Some(date!(2015 - 03 - 01)),
        street: Some("Vestervej 4".into()),
        postcode: Some("5820".into()),
        city: Some("Søby".into()),
        area_code: area.map(str::to_string),
        phone: None,
    }
}

fn run_record(init: Uuid, rules: &SelectionRulesRecord, by: &domain::org::User) -> RegisterRunRecord {
    RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: init,
        plan_version: 1,
        legal_basis: "Databeskyttelseslovens § 6".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum.clone(),
        sources: "[]".into(),
        counts: "{}".into(),
        overview: "{}".into(),
        run_by: by.id,
        run_by_name: by.display_name.clone(),
        run_at: OffsetDateTime::now_utc(),
    }
}

#[tokio::test]
async fn a_run_writes_every_candidate_once_and_skips_the_do_not_contact_list() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let area = s.create_area("vestparken", "Vestparken", &["5820".into()]).await.unwrap();
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let rules = s
        .save_selection_rules(
            init.id,
            "Udvælgelse",
            "name = \"x\"",
            coordinator.id,
            &audit(AuditAction::SaveSelectionRules),
        )
        .await
        .unwrap();
    assert_eq!(rules.version, 1);
    assert_eq!(rules.checksum, domain::selection::Rules::checksum("name = \"x\""));
    let second = s
        .save_selection_rules(
            init.id,
            "Udvælgelse",
            "name = \"y\"",
            coordinator.id,
            &audit(AuditAction::SaveSelectionRules),
        )
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(s.selection_rules(init.id).await.unwrap().iter().map(|r| r.version).collect::<Vec<_>>(), vec![2, 1]);

    // Known already (by CPR, from another way in): she gets a source, not a second record.
    let known = s
        .create_person(
            &new_person(init.id, None, details("Amina", "Hassan", "070761-4286", ""), SourceKind::Ambassador, None),
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let people_before = s.count_people().await.unwrap();
    s.add_do_not_contact(&["hash-of-leila".into()], &audit(AuditAction::AddDoNotContact)).await.unwrap();
    let candidates = vec![
        RunCandidate { candidate: candidate("Amina", "0707614286", Some("vestparken")), dnc_hashes: vec!["a".into()] },
        RunCandidate { candidate: candidate("Fatma", "1203854312", Some("vestparken")), dnc_hashes: vec!["b".into()] },
        RunCandidate {
            candidate: candidate("Leila", "0101904128", None),
            dnc_hashes: vec!["x".into(), "hash-of-leila".into()],
        },
    ];
    let review = LinkReviewWrite {
        list_kind: "language_school".into(),
        list_file: "sprogskole.csv".into(),
        list_row: 7,
        probability: 0.8,
        list_name: "Mariam Yusuf".into(),
        list_birth_date: Some(date!(1988 - 04 - 02)),
        list_phone: Some("22334455".into()),
        candidate: RunCandidate { candidate: candidate("Mariam", "0204884320", None), dnc_hashes: vec!["c".into()] },
    };
    let run = run_record(init.id, &rules, &coordinator);
    let outcome = s
        .accept_register_run(&run, &candidates, std::slice::from_ref(&review), &audit(AuditAction::RegisterRun))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RunOutcome { created: 1, added_to_known: 0, already_in_initiative: 1, on_do_not_contact: 1, for_review: 1 }
    );
    assert_eq!(s.count_people().await.unwrap(), people_before + 1);
    let known_rec = s.read_person(known).await.unwrap().unwrap();
    assert!(
        known_rec.sources.iter().any(|src| src.kind == SourceKind::RegisterRun && src.reference_id == Some(run.id))
    );
    // The new woman: at identified, in her area, the run as her source.
    let page = s
        .list_people(
            &PeopleQuery {
                scope: ListScope::Everyone,
                filter: PeopleFilter::default(),
                initiative_id: init.id,
                page: 1,
                page_size: 50,
            },
            &audit(AuditAction::ListPeople),
        )
        .await
        .unwrap();
    let fatma = page.rows.iter().find(|r| r.given_name == "Fatma").expect("Fatma is a person now");
    let fatma = s.read_person(fatma.id).await.unwrap().unwrap();
    assert_eq!(fatma.person.details.area_id, Some(area.id));
    assert_eq!(fatma.funnels[0].state.stage, Stage::Identified);
    assert_eq!(fatma.sources[0].reference_id, Some(run.id));
    assert!(!fatma.person.details.phone_is_hers_alone);
    // Her letter language is inferred from her country of origin, and marked so until
    // staff save her record (issue 4, item 1).
    assert_eq!(fatma.person.details.letter_language(), Some("ar"));
    assert!(fatma.languages_inferred);
    s.update_person(fatma.person.id, &fatma.person.details, &audit(AuditAction::UpdatePerson)).await.unwrap();
    assert!(!s.read_person(fatma.person.id).await.unwrap().unwrap().languages_inferred);
    let known_page = s.read_person_page(known).await.unwrap().unwrap();
    assert!(!known_page.record.languages_inferred, "a known woman keeps the languages she gave");
    assert_eq!(s.register_runs(init.id).await.unwrap()[0].run_by_name, coordinator.display_name);

    // The review queue: confirm admits her; a second decision is a conflict; data cleared.
    let pending = s.pending_link_reviews(init.id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].list_name, "Mariam Yusuf");
    assert_eq!(pending[0].candidate.as_ref().unwrap().given_name, "Mariam");
    let actor = EventActor { user_id: Some(coordinator.id), name: coordinator.display_name.clone() };
    let person = s
        .decide_link_review(
            pending[0].id,
            init.id,
            LinkDecision::Confirm,
            &["c".into()],
            &actor,
            &audit(AuditAction::ReviewLink),
        )
        .await
        .unwrap();
    assert!(person.is_some());
    let again = s
        .decide_link_review(pending[0].id, init.id, LinkDecision::Reject, &[], &actor, &audit(AuditAction::ReviewLink))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })));
    assert!(s.pending_link_reviews(init.id).await.unwrap().is_empty());
    assert_eq!(s.count_people().await.unwrap(), people_before + 2);
    // The run's audit entry names every woman it touched.
    let entries = s.list_audit(&AuditQuery { person_id: Some(known), ..Default::default() }).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "register_run"));
    db.cleanup().await;
}

#[tokio::test]
async fn a_failed_run_writes_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let rules = s
        .save_selection_rules(init.id, "U", "name = \"x\"", coordinator.id, &audit(AuditAction::SaveSelectionRules))
        .await
        .unwrap();
    let before = s.count_people().await.unwrap();
    // The second candidate's CPR is not a CPR number, so she fails after the first
    // was written: the whole run must roll back.
    let mut bad = candidate("Bad", "0707614286", None);
    bad.cpr = "not a cpr".into();
    let candidates = vec![
        RunCandidate { candidate: candidate("Fatma", "1203854312", None), dnc_hashes: vec![] },
        RunCandidate { candidate: bad, dnc_hashes: vec![] },
    ];
    let run = run_record(init.id, &rules, &coordinator);
    assert!(s.accept_register_run(&run, &candidates, &[], &audit(AuditAction::RegisterRun)).await.is_err());
    assert_eq!(s.count_people().await.unwrap(), before);
    assert!(s.register_runs(init.id).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn uploaded_extracts_are_recorded_and_their_deletion_logged() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let coordinator = user(s, "koord", Role::Coordinator, None).await;
    let source = RegisterSourceRecord {
        id: Uuid::new_v4(),
        initiative_id: init.id,
        kind: "population".into(),
        file_name: "befolkning.csv".into(),
        stored_name: "x.csv".into(),
        sha256: "ab".repeat(32),
        bytes: 1234,
        rows: 10,
        mapping: "{}".into(),
        uploaded_by: coordinator.id,
        uploaded_at: OffsetDateTime::now_utc(),
        delete_on: date!(2026 - 12 - 25),
        deleted_at: None,
    };
    s.add_register_source(&source, &audit(AuditAction::UploadExtract)).await.unwrap();
    let listed = s.register_sources(init.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].rows, 10);
    assert!(s.sources_due_for_deletion(date!(2026 - 12 - 24)).await.unwrap().is_empty());
    assert_eq!(s.sources_due_for_deletion(date!(2026 - 12 - 25)).await.unwrap().len(), 1);
    s.mark_sources_deleted(&[source.id], None, &audit(AuditAction::DeleteExtracts)).await.unwrap();
    assert!(s.register_sources(init.id).await.unwrap()[0].deleted_at.is_some());
    assert!(s.sources_due_for_deletion(date!(2027 - 01 - 01)).await.unwrap().is_empty());
    let log = s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.action == "delete_extracts" && e.detail.contains(&source.id.to_string())));
    s.save_column_mapping(
        "population",
        "{\"kind\":\"population\"}",
        coordinator.id,
        &audit(AuditAction::UploadExtract),
    )
    .await
    .unwrap();
    s.save_column_mapping(
        "population",
        "{\"kind\":\"population\",\"v\":2}",
        coordinator.id,
        &audit(AuditAction::UploadExtract),
    )
    .await
    .unwrap();
    assert_eq!(
        s.column_mappings().await.unwrap(),
        vec![("population".to_string(), "{\"kind\":\"population\",\"v\":2}".to_string())]
    );
    db.cleanup().await;
}

// --- letter batches, the cadence and the open door (issue 4)

async fn run_of(s: &SqlStore, init: Uuid, by: Uuid) -> Uuid {
    let rules = s.save_selection_rules(init, "r", "# r\n", by, &audit(AuditAction::SaveSelectionRules)).await.unwrap();
    let run = RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: init,
        plan_version: 1,
        legal_basis: "LAB".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum,
        sources: "[]".into(),
        counts: "[]".into(),
        overview: "{}".into(),
        run_by: by,
        run_by_name: "K".into(),
        run_at: OffsetDateTime::now_utc(),
    };
    s.accept_register_run(&run, &[], &[], &audit(AuditAction::RegisterRun)).await.unwrap();
    run.id
}

fn batch_letter(person: Uuid, init: Uuid, code: &str, contact: Option<Uuid>, seen_events: u64) -> BatchLetterWrite {
    let now = OffsetDateTime::now_utc();
    BatchLetterWrite {
        person_id: person,
        delivery: domain::letter_batch::Delivery::DigitalPost,
        language: "ar".into(),
        message_uuid: Some(Uuid::new_v4()),
        code: ResponseCodeRecord {
            code_hash: domain::response::code_hash(code),
            person_id: person,
            initiative_id: init,
            issued_at: now,
            expires_at: domain::response::expires_at(now),
            used_at: None,
        },
        new_contact: contact.map(|c| (c, None)),
        note: "Brev på arabisk og dansk (Digital Post).".into(),
        seen_events,
    }
}

fn batch_write(init: Uuid, run: Uuid, by: &User, letters: Vec<BatchLetterWrite>) -> LetterBatchWrite {
    LetterBatchWrite {
        id: Uuid::now_v7(),
        initiative_id: init,
        run_id: Some(run),
        actor: EventActor { user_id: Some(by.id), name: by.display_name.clone() },
        created_at: OffsetDateTime::now_utc(),
        skipped: vec![("safe_contact_only".into(), 2)],
        check_errors: 0,
        override_reason: None,
        print_files: 0,
        letters,
    }
}

#[tokio::test]
async fn a_letter_batch_is_written_whole_or_not_at_all() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let coordinator = user(s, "koordinator", Role::Coordinator, None).await;
    let mette = user(s, "mette", Role::Caseworker, None).await;
    let run = run_of(s, init.id, coordinator.id).await;
    let found = |given: &str, cpr: &str| {
        new_person(init.id, None, details(given, "Run", cpr, ""), SourceKind::RegisterRun, Some(run))
    };
    let a = s.create_person(&found("Amina", "120385-4312"), &audit(AuditAction::CreatePerson)).await.unwrap();
    let b = s.create_person(&found("Hodan", "010190-1234"), &audit(AuditAction::CreatePerson)).await.unwrap();
    // Someone not from this run is not among its candidates.
    s.create_person(
        &new_person(init.id, None, details("Zahra", "X", "", ""), SourceKind::RegisterRun, None),
        &audit(AuditAction::CreatePerson),
    )
    .await
    .unwrap();
    let candidates = s.letter_batch_candidates(init.id, run).await.unwrap();
    assert_eq!(candidates.iter().map(|c| c.record.person.id).collect::<Vec<_>>().len(), 2);
    assert!(candidates.iter().all(|c| c.state.stage == Stage::Identified && c.last_letter_at.is_none()));

    // B was reached meanwhile: a letter_sent from `reached` is refused, and the whole
    // batch with it — A's code, event, contact person and the batch are not written.
    s.record_event(&event(b, init.id, EventKind::LetterSent), &audit(AuditAction::RecordEvent)).await.unwrap();
    s.record_event(&event(b, init.id, EventKind::Reached), &audit(AuditAction::RecordEvent)).await.unwrap();
    let failing = batch_write(
        init.id,
        run,
        &coordinator,
        vec![
            batch_letter(a, init.id, "AAAAABBBBB", Some(mette.id), 1),
            batch_letter(b, init.id, "CCCCCDDDDD", Some(mette.id), 3),
        ],
    );
    let before = audit_count(s).await;
    assert!(matches!(
        s.record_letter_batch(&failing, &audit(AuditAction::SendLetterBatch)).await,
        Err(StoreError::Funnel(_))
    ));
    assert!(s.letter_batches(init.id).await.unwrap().is_empty());
    assert!(s.response_code(&domain::response::code_hash("AAAAABBBBB")).await.unwrap().is_none());
    assert_eq!(s.get_funnel(a, init.id).await.unwrap().unwrap().state.stage, Stage::Identified);
    assert_eq!(s.read_person(a).await.unwrap().unwrap().contact_user_id, None);
    assert_eq!(audit_count(s).await, before);

    // A batch planned before someone else wrote to her is refused whole.
    let stale =
        batch_write(init.id, run, &coordinator, vec![batch_letter(a, init.id, "AAAAABBBBB", Some(mette.id), 0)]);
    assert!(matches!(
        s.record_letter_batch(&stale, &audit(AuditAction::SendLetterBatch)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(s.letter_batches(init.id).await.unwrap().is_empty());
    let ok = batch_write(init.id, run, &coordinator, vec![batch_letter(a, init.id, "AAAAABBBBB", Some(mette.id), 1)]);
    let uuid = ok.letters[0].message_uuid;
    s.record_letter_batch(&ok, &audit(AuditAction::SendLetterBatch)).await.unwrap();
    let stored = s.letter_batch(ok.id).await.unwrap().unwrap();
    assert_eq!((stored.letters, stored.digital_post, stored.paper), (1, 1, 0));
    assert_eq!(stored.skipped, vec![("safe_contact_only".to_string(), 2)]);
    assert_eq!(s.letter_batches(init.id).await.unwrap(), vec![stored]);
    let letters = s.batch_letters(ok.id).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].message_uuid, uuid, "read back from her letter_sent event");
    assert_eq!(letters[0].name, "Amina Run");
    let events = s.list_events(a).await.unwrap(); // newest first
    assert_eq!(events.first().unwrap().kind, EventKind::LetterSent);
    assert_eq!(events.first().unwrap().id, letters[0].event_id);
    assert!(s.response_code(&domain::response::code_hash("AAAAABBBBB")).await.unwrap().is_some());
    assert_eq!(s.read_person(a).await.unwrap().unwrap().contact_user_id, Some(mette.id));
    assert!(audit_actions_of(s, a).await.contains(&"send_letter_batch".to_string()));
    // After the letter, her candidate row knows it.
    let after = s.letter_batch_candidates(init.id, run).await.unwrap();
    let her = after.iter().find(|c| c.record.person.id == a).unwrap();
    assert_eq!((her.state.stage, her.last_event), (Stage::Contacted, Some(EventKind::LetterSent)));
    assert!(her.last_letter_at.is_some());
    assert_eq!(her.contact_phone, None, "mette has no direct number");
}

#[tokio::test]
async fn the_cadence_is_the_initiative_s_and_survives_a_reload() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    assert_eq!(s.list_initiatives().await.unwrap()[0].cadence, domain::calls::Cadence::default());
    let c = domain::calls::Cadence {
        call_after_letter_days: 5,
        call_again_days: 1,
        second_letter_after_days: 14,
        max_attempts: 4,
    };
    s.set_cadence(init.id, &c, &audit(AuditAction::SetCadence)).await.unwrap();
    assert_eq!(s.list_initiatives().await.unwrap()[0].cadence, c);
    assert!(matches!(
        s.set_cadence(Uuid::new_v4(), &c, &audit(AuditAction::SetCadence)).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn her_own_request_makes_one_person_and_moves_a_known_woman_back_to_interested() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    let coordinator = user(s, "koordinator", Role::Coordinator, None).await;
    let request = |name: &str, phone: &str| {
        domain::open_door::OpenDoorInput {
            name: name.into(),
            phone: phone.into(),
            language: "ar".into(),
            best_time: "evening".into(),
        }
        .parse()
        .unwrap()
    };
    let write = |name: &str, phone: &str, declined_earlier: bool| SelfReferralWrite {
        request: request(name, phone),
        initiative_id: init.id,
        declined_earlier,
        at: OffsetDateTime::now_utc(),
    };
    let new = s.self_referral(&write("Fatima", "61234567", false), &audit(AuditAction::SelfReferral)).await.unwrap();
    let RegistrationOutcome::Created(id) = new else { panic!("{new:?}") };
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.best_time_to_call, Some(domain::ambassador::BestTime::Evening));
    assert!(rec.sources.iter().any(|x| x.kind == SourceKind::SelfReferral));
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let told = s.list_notifications(coordinator.id).await.unwrap();
    assert_eq!(messages(&told), vec![("notification-self-referral", Some(id))]);

    // She said "not now" since; asking again herself brings her back to interested.
    s.record_event(&event(id, init.id, EventKind::NotNow), &audit(AuditAction::RecordEvent)).await.unwrap();
    let again =
        s.self_referral(&write("fatima", "+45 61 23 45 67", true), &audit(AuditAction::SelfReferral)).await.unwrap();
    assert_eq!(again, RegistrationOutcome::AddedToKnown(id));
    let f = s.get_funnel(id, init.id).await.unwrap().unwrap();
    assert_eq!(f.state.stage, Stage::Interested);
    let events = s.list_events(id).await.unwrap();
    assert!(events.first().unwrap().note.contains("tidligere bedt om aldrig"));
    assert!(
        s.list_notifications(coordinator.id)
            .await
            .unwrap()
            .iter()
            .any(|n| n.message == "notification-self-referral-declined-earlier")
    );
    // At `interested` already, a third request is a note.
    s.self_referral(&write("Fatima", "61234567", false), &audit(AuditAction::SelfReferral)).await.unwrap();
    assert_eq!(s.list_events(id).await.unwrap().first().unwrap().kind, EventKind::Note);
    assert_eq!(s.count_people().await.unwrap(), 1);
    assert!(s.check_projections().await.unwrap().is_empty());
}
