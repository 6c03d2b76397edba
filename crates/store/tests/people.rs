//! The conformance suite: people, events and the funnel, lists and their scope, the audit log, do-not-contact, contact persons and consents.
//! Every test runs against a fresh database of the backend the environment selects —
//! SQLite by default, PostgreSQL when TEST_DATABASE_URL is set (CI runs it both ways).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use domain::audit::AuditAction;
use domain::funnel::{Channel, EventKind, FunnelError, Stage, TransitionInput};
use domain::org::{Locale, NewUser};
use domain::person::{PersonInput, Source, SourceKind};
use domain::policy::{ListScope, Role};
use store::testkit::{TestDb, new_person};
use store::*;
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

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
        stage: None,
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
            &[],
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
    let actions: Vec<_> = entries.iter().map(|e| e.action.code()).collect();
    assert_eq!(actions, vec!["view_person", "create_person"]);

    // the same CPR twice is a conflict, and nothing of the second attempt remains
    let people_before = s.count_people().await.unwrap();
    let again = s
        .create_person(
            &new_person(init.id, None, details("Amina", "H", "0707614286", ""), SourceKind::Other, None),
            &[],
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
            &[],
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
            &[],
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
            &[],
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
            &[],
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
                &[],
                &audit(AuditAction::CreatePerson),
            )
            .await
            .unwrap(),
        );
    }
    let south_id = s
        .create_person(
            &new_person(init.id, Some(south.id), details("Zahra", "Haidari", "", ""), SourceKind::Partner, Some(org)),
            &[],
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
        by_family_name: true,
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
    let first_list = entries.iter().rev().find(|e| e.action.code() == "list_people").unwrap();
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
    s.create_person(&person, &[], &audit(AuditAction::CreatePerson)).await.unwrap();
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
            &[],
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
        store::testkit::audit_actions(s, people[cap].id).await.contains(&"batch_job".to_string()),
        "a bulk load names each woman"
    );
    let last_page = u32::try_from(cap / 25 + 1).unwrap();
    let q = PeopleQuery {
        scope: ListScope::Everyone,
        filter: PeopleFilter::default(),
        initiative_id: init.id,
        page: last_page,
        page_size: 25,
        by_family_name: true,
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
            &[],
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
            &[],
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
    assert!(store::testkit::audit_actions(s, id).await.contains(&"update_person".to_string()));
    assert!(matches!(
        s.update_person(Uuid::new_v4(), &full, &audit(AuditAction::UpdatePerson)).await,
        Err(StoreError::NotFound(_))
    ));
    db.cleanup().await;
}
