//! The conformance suite: meetings, letter templates, register runs and extracts, letter batches, the cadence and the open door.
//! Every test runs against a fresh database of the backend the environment selects —
//! SQLite by default, PostgreSQL when TEST_DATABASE_URL is set (CI runs it both ways).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use domain::audit::{AuditAction, AuditRecord};
use domain::extract::ExtractKind;
use domain::funnel::{EventKind, Stage};
use domain::person::SourceKind;
use domain::policy::{ListScope, Role};
use store::testkit::{TestDb, new_person, user};
use store::*;
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

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
            &[],
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
        list_kind: ExtractKind::LanguageSchool,
        list_file: "sprogskole.csv".into(),
        list_row: 7,
        probability: 0.8,
        list_name: "Mariam Yusuf".into(),
        list_birth_date: Some(date!(1988 - 04 - 02)),
        list_phone: Some("22334455".into()),
        evidence: "name=name-exact birth_date=date-typo doubt=probability".into(),
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
                by_family_name: true,
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
    assert_eq!(pending[0].evidence, review.evidence, "why it was linked is kept with it");
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
    assert!(entries.iter().any(|e| e.action.code() == "register_run"));
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
        kind: ExtractKind::Population,
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
        reference_date: Some(date!(2026 - 09 - 30)),
        readings: r#"[{"field":"sex"}]"#.into(),
    };
    s.add_register_source(&source, &audit(AuditAction::UploadExtract)).await.unwrap();
    let listed = s.register_sources(init.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].rows, 10);
    assert_eq!(listed[0].reference_date, Some(date!(2026 - 09 - 30)), "the date it describes round-trips");
    assert_eq!(listed[0].readings, source.readings);
    assert!(s.sources_due_for_deletion(date!(2026 - 12 - 24)).await.unwrap().is_empty());
    assert_eq!(s.sources_due_for_deletion(date!(2026 - 12 - 25)).await.unwrap().len(), 1);
    s.mark_sources_deleted(&[source.id], None, &audit(AuditAction::DeleteExtracts)).await.unwrap();
    assert!(s.register_sources(init.id).await.unwrap()[0].deleted_at.is_some());
    assert!(s.sources_due_for_deletion(date!(2027 - 01 - 01)).await.unwrap().is_empty());
    let log = s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.action == AuditAction::DeleteExtracts && e.detail.contains(&source.id.to_string())));
    s.save_column_mapping(
        ExtractKind::Population,
        "{\"kind\":\"population\"}",
        coordinator.id,
        &audit(AuditAction::UploadExtract),
    )
    .await
    .unwrap();
    s.save_column_mapping(
        ExtractKind::Population,
        "{\"kind\":\"population\",\"v\":2}",
        coordinator.id,
        &audit(AuditAction::UploadExtract),
    )
    .await
    .unwrap();
    assert_eq!(
        s.column_mappings().await.unwrap(),
        vec![(ExtractKind::Population, "{\"kind\":\"population\",\"v\":2}".to_string())]
    );
    db.cleanup().await;
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
    let a = s.create_person(&found("Amina", "120385-4312"), &[], &audit(AuditAction::CreatePerson)).await.unwrap();
    let b = s.create_person(&found("Hodan", "010190-1234"), &[], &audit(AuditAction::CreatePerson)).await.unwrap();
    // Someone not from this run is not among its candidates.
    s.create_person(
        &new_person(init.id, None, details("Zahra", "X", "", ""), SourceKind::RegisterRun, None),
        &[],
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
    assert_eq!(stored.skipped, vec![(domain::letter_batch::Skip::SafeContactOnly, 2)]);
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
    assert!(store::testkit::audit_actions(s, a).await.contains(&"send_letter_batch".to_string()));
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
async fn her_own_request_never_touches_a_known_woman_and_folds_the_same_phone() {
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
    let start = OffsetDateTime::now_utc();
    let write = |name: &str, phone: &str, dnc_hashes: &[&str], days: i64| SelfReferralWrite {
        request: request(name, phone),
        initiative_id: init.id,
        dnc_hashes: dnc_hashes.iter().map(|h| h.to_string()).collect(),
        at: start + time::Duration::days(days),
    };
    let new = s.self_referral(&write("Fatima", "61234567", &[], 0), &audit(AuditAction::SelfReferral)).await.unwrap();
    let DoorOutcome::Created(id) = new else { panic!("{new:?}") };
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.best_time_to_call, Some(domain::ambassador::BestTime::Evening));
    assert!(rec.sources.iter().any(|x| x.kind == SourceKind::SelfReferral));
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let told = s.list_notifications(coordinator.id).await.unwrap();
    assert_eq!(messages(&told), vec![("notification-self-referral", Some(id))]);

    // The same phone again within the window folds into her request: one record.
    let again = s.self_referral(&write("Fatma", "61 23 45 67", &[], 0), &audit(AuditAction::SelfReferral)).await;
    assert_eq!(again.unwrap(), DoorOutcome::Folded(id));
    assert_eq!(s.count_people().await.unwrap(), 1);
    assert!(s.list_events(id).await.unwrap().first().unwrap().note.contains("igen"));

    // She said "not now" since, and her hashes went on the do-not-contact list. Days
    // later a request with her first name and phone does not touch her record (anyone
    // may know both): a new intake, held (safe contact only) and queued for a
    // coordinator to confirm with her safely (issue 13, item 2).
    s.record_event(&event(id, init.id, EventKind::NotNow), &audit(AuditAction::RecordEvent)).await.unwrap();
    s.add_do_not_contact(&["hash-of-fatima".into()], &audit(AuditAction::RecordEvent)).await.unwrap();
    let known_events = s.list_events(id).await.unwrap().len();
    let renewed = s
        .self_referral(&write("fatima", "+45 61 23 45 67", &["hash-of-fatima"], 2), &audit(AuditAction::SelfReferral))
        .await
        .unwrap();
    let DoorOutcome::Queued(held) = renewed else { panic!("{renewed:?}") };
    assert_ne!(held, id);
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::NotNow);
    assert_eq!(s.list_events(id).await.unwrap().len(), known_events, "nothing on her record");
    let held_rec = s.read_person(held).await.unwrap().unwrap();
    assert!(held_rec.person.details.safe_contact_only, "held until confirmed with her");
    let queue = s.open_possible_matches(init.id).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].intake_id, queue[0].known_id), (held, Some(id)));
    assert_eq!(queue[0].reason, domain::intake::MatchReason::RenewedRequest);
    assert_eq!(queue[0].known_stage, Some(Stage::NotNow));
    let told = s.list_notifications(coordinator.id).await.unwrap();
    assert!(
        told.iter().any(|n| n.message == "notification-self-referral-declined-earlier" && n.person_id == Some(held))
    );
    assert!(told.iter().any(|n| n.message == "notification-possible-match" && n.person_id == Some(held)));

    // Not on the list, a resemblance is queued too, and she is not moved back.
    let resembles =
        s.self_referral(&write("Fatima", "61234567", &[], 4), &audit(AuditAction::SelfReferral)).await.unwrap();
    assert!(matches!(resembles, DoorOutcome::Queued(other) if other != id && other != held), "{resembles:?}");
    assert_eq!(s.get_funnel(id, init.id).await.unwrap().unwrap().state.stage, Stage::NotNow);
    assert_eq!(s.count_people().await.unwrap(), 3);

    // A coordinator settles an entry; it leaves the queue, audited naming both women.
    let coordinator_audit = audit(AuditAction::ResolveMatch);
    s.resolve_possible_match(queue[0].id, coordinator.id, "Talt med hende", start, &coordinator_audit).await.unwrap();
    assert_eq!(s.open_possible_matches(init.id).await.unwrap().len(), 1);
    let again = s.resolve_possible_match(queue[0].id, coordinator.id, "", start, &coordinator_audit).await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    assert!(s.check_projections().await.unwrap().is_empty());
}

mod plan_versions {
    use super::*;
    use domain::plan::{Approval, Dpia, LegalBasis, Method, Plan, PlanVersion, next_version};
    use time::macros::datetime;

    const ANNA: Uuid = Uuid::from_u128(0xa11a);
    const BIRGIT: Uuid = Uuid::from_u128(0xb1b1);

    /// A complete plan: every field set, the legal basis and the DPIA recorded, text
    /// with Danish letters, commas and semicolons where the columns join lists.
    pub fn full_plan(areas: Vec<Uuid>) -> Plan {
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
    pub fn draft_plan() -> Plan {
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

    pub fn version(n: u32, plan: Plan, author: Uuid, approval: Option<Approval>) -> PlanVersion {
        PlanVersion { version: n, plan, author, written_at: datetime!(2026-03-10 09:15:30.123456 UTC), approval }
    }

    pub fn approval(by: Uuid, note: &str) -> Approval {
        Approval { approved_by: by, approved_at: datetime!(2026-03-11 14:00:00.5 UTC), note: note.into() }
    }

    pub fn planning() -> AuditRecord {
        AuditRecord { detail: "plan".into(), ..audit(AuditAction::CliCommand) }
    }

    #[tokio::test]
    pub async fn versions_round_trip_exactly_oldest_first() {
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
        assert_eq!((newest[0].action.code(), newest[0].detail.as_str()), ("cli_command", "plan"));
        db.cleanup().await;
    }

    #[tokio::test]
    pub async fn a_version_number_is_saved_once_and_the_first_stays() {
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
    pub async fn two_saves_of_one_version_at_once_store_one() {
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
    pub async fn a_version_is_approved_once() {
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
    pub async fn two_approvals_at_once_store_one() {
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
    pub async fn an_approval_carried_to_the_next_version_round_trips() {
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
