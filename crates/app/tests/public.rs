//! Her public pages at the `app` level: her answer to a letter (the code answers once,
//! refusals audited, "never again" on the do-not-contact list) and the open door (the
//! do-not-contact check by `app::dnc`), on SQLite and (with TEST_DATABASE_URL)
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::Error;
use app::public::{self, Answered};
use common::{ctx, log};
use domain::audit::{AuditAction, AuditRecord};
use domain::funnel::{Channel, EventKind, Stage, TransitionInput};
use domain::open_door::OpenDoorInput;
use domain::person::{PersonInput, SourceKind};
use domain::response::{AnswerInput, Choice, CodeRefused};
use store::testkit::{TestDb, initiative, issue_code, new_person};
use store::{EventActor, NewEvent, SqlStore};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn sys() -> AuditRecord {
    store::testkit::system_audit(AuditAction::BatchJob)
}

/// A woman a letter was sent to: she is at `contacted`.
async fn written_to(s: &SqlStore, initiative_id: Uuid, given: &str, phone: &str) -> Uuid {
    let now = OffsetDateTime::now_utc();
    let details = PersonInput {
        given_name: given.into(),
        family_name: "Hassan".into(),
        phone: phone.into(),
        languages: "ar".into(),
        ..Default::default()
    }
    .parse(now.date())
    .unwrap();
    let id =
        s.create_person(&new_person(initiative_id, None, details, SourceKind::RegisterRun, None), &[], &sys()).await;
    let id = id.unwrap();
    let ev = NewEvent {
        person_id: id,
        initiative_id,
        input: TransitionInput {
            kind: EventKind::LetterSent,
            at: now,
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
    id
}

fn answer(code: &str, choice: &str) -> AnswerInput {
    AnswerInput { code: code.into(), choice: choice.into(), ..Default::default() }
}

#[tokio::test]
async fn her_answer_is_recorded_once_and_audited_as_the_public() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let her = written_to(s, init.id, "Amina", "12345678").await;
    let code = issue_code(s, her, init.id, 1, OffsetDateTime::now_utc()).await;
    let ctx = ctx(&db);

    let input = AnswerInput { best_time: "evening".into(), language: "ar".into(), ..answer(&code, "call_me") };
    let done = public::answer_response_code(&ctx, "POST /svar", &input).await.unwrap();
    assert_eq!(done, Answered::Recorded(Choice::CallMe));
    assert_eq!(s.get_funnel(her, init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let entries = log(s).await;
    let recorded = entries.iter().find(|e| e.action == AuditAction::RecordEvent).expect("her answer is audited");
    assert_eq!((recorded.origin.as_str(), recorded.username.as_str()), ("POST /svar", "public"));
    assert_eq!(recorded.persons, vec![her]);

    // The code answers once; the second try is refused, audited naming her, and
    // changes nothing.
    let again = public::answer_response_code(&ctx, "POST /svar", &answer(&code, "not_now")).await.unwrap();
    assert_eq!(again, Answered::Refused(CodeRefused::Used));
    assert_eq!(s.get_funnel(her, init.id).await.unwrap().unwrap().state.stage, Stage::Interested);
    let denied: Vec<_> = log(s).await.into_iter().filter(|e| e.action == AuditAction::Denied).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].persons, vec![her]);
    db.cleanup().await;
}

#[tokio::test]
async fn a_code_that_is_unknown_or_expired_is_refused_and_a_bad_form_writes_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let her = written_to(s, init.id, "Sara", "22345678").await;
    let old = issue_code(s, her, init.id, 2, OffsetDateTime::now_utc() - Duration::days(100)).await;
    let ctx = ctx(&db);
    let before = log(s).await.len();

    // A form that does not parse: each field named, nothing written.
    let Err(Error::Invalid(fields)) = public::answer_response_code(&ctx, "POST /svar", &answer("x", "maybe")).await
    else {
        panic!("a bad form is refused")
    };
    assert!(fields.for_field("code").is_some() && fields.for_field("choice").is_some(), "{fields}");
    assert_eq!(log(s).await.len(), before, "nothing is written for a form that does not parse");

    let expired = public::answer_response_code(&ctx, "POST /svar", &answer(&old, "not_now")).await.unwrap();
    assert_eq!(expired, Answered::Refused(CodeRefused::Expired));
    let guess = domain::response::display(&domain::response::new_code(&[200; 16]));
    let unknown = public::answer_response_code(&ctx, "POST /svar", &answer(&guess, "not_now")).await.unwrap();
    assert_eq!(unknown, Answered::Refused(CodeRefused::Unknown));
    assert_eq!(s.get_funnel(her, init.id).await.unwrap().unwrap().state.stage, Stage::Contacted);
    let denied: Vec<_> = log(s).await.into_iter().filter(|e| e.action == AuditAction::Denied).collect();
    assert_eq!(denied.len(), 2, "both refusals are audited");
    assert!(denied.iter().any(|e| e.persons == vec![her]), "the expired code names her");
    assert!(denied.iter().any(|e| e.persons.is_empty()), "an unknown code names nobody");
    db.cleanup().await;
}

#[tokio::test]
async fn never_again_puts_her_on_the_list_and_the_open_door_takes_her_request_without_moving_her() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let her = written_to(s, init.id, "Hodan", "31234567").await;
    let code = issue_code(s, her, init.id, 3, OffsetDateTime::now_utc()).await;
    let ctx = ctx(&db);

    let done = public::answer_response_code(&ctx, "POST /svar", &answer(&code, "never")).await.unwrap();
    assert_eq!(done, Answered::Recorded(Choice::NeverAgain));
    assert_eq!(s.get_funnel(her, init.id).await.unwrap().unwrap().state.stage, Stage::Declined);
    let details = s.read_person(her).await.unwrap().unwrap().person.details;
    assert!(s.on_do_not_contact(&app::dnc::of_person(&ctx.dnc_key, &details)).await.unwrap());

    // She comes back by herself: the open door's check (by name and phone) finds her
    // entry, and she is let in all the same (G-2.2, G-8.5).
    let phone = domain::PhoneNumber::parse("31234567").unwrap();
    let by_door = app::dnc::of_name_and_phone(&ctx.dnc_key, "Hodan Hassan", Some(&phone));
    assert!(s.on_do_not_contact(&by_door).await.unwrap(), "the door's hashes meet the answer's");
    let input = OpenDoorInput {
        name: "Hodan Hassan".into(),
        phone: "31234567".into(),
        language: "so".into(),
        best_time: "evening".into(),
    };
    let events = s.list_events(her).await.unwrap().len();
    let outcome = public::self_referral(&ctx, "POST /kontakt", &input).await.unwrap();
    // On the list, her own request does not move her, nor write on her record (G-2.2;
    // issue 13, item 2): it is a new intake, held, that a coordinator confirms with her.
    assert_eq!(s.get_funnel(her, init.id).await.unwrap().unwrap().state.stage, Stage::Declined);
    assert_eq!(s.list_events(her).await.unwrap().len(), events, "nothing on her record");
    assert!(s.on_do_not_contact(&app::dnc::of_person(&ctx.dnc_key, &details)).await.unwrap(), "still on the list");
    let store::DoorOutcome::Queued(intake) = outcome else { panic!("{outcome:?}") };
    assert_eq!(s.count_people().await.unwrap(), 2, "a new intake, not her record");
    assert!(s.read_person(intake).await.unwrap().unwrap().person.details.safe_contact_only);
    let queue = s.open_possible_matches(init.id).await.unwrap();
    assert_eq!(queue.iter().map(|m| (m.intake_id, m.known_id)).collect::<Vec<_>>(), [(intake, Some(her))]);
    assert_eq!(queue[0].reason, domain::intake::MatchReason::RenewedRequest);
    let entry = log(s).await.into_iter().find(|e| e.action == AuditAction::SelfReferral).expect("audited");
    assert_eq!((entry.origin.as_str(), entry.username.as_str()), ("POST /kontakt", "public"));
    db.cleanup().await;
}

#[tokio::test]
async fn the_open_door_refuses_a_bad_form_field_by_field_and_audits_a_flood() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let ctx = ctx(&db);
    let people = s.count_people().await.unwrap();
    let before = log(s).await.len();

    let input = OpenDoorInput { name: " ".into(), phone: "12".into(), ..Default::default() };
    let Err(Error::Invalid(fields)) = public::self_referral(&ctx, "POST /kontakt", &input).await else {
        panic!("a bad form is refused")
    };
    assert!(fields.for_field("name").is_some() && fields.for_field("phone").is_some(), "{fields}");
    assert_eq!(log(s).await.len(), before, "nothing written");

    let input = OpenDoorInput { name: "Rahma".into(), phone: "41234567".into(), language: "ar".into(), ..input };
    public::self_referral(&ctx, "POST /kontakt", &input).await.unwrap();
    assert_eq!(s.count_people().await.unwrap(), people + 1, "a new woman enters at interested");

    public::open_door_turned_away(&ctx, "POST /kontakt", public::Turned::TooMany).await.unwrap();
    public::open_door_turned_away(&ctx, "POST /kontakt", public::Turned::Trap).await.unwrap();
    let denied: Vec<_> = log(s).await.into_iter().filter(|e| e.action == AuditAction::Denied).collect();
    assert_eq!(denied.len(), 2, "both audited");
    assert!(denied.iter().all(|d| (d.origin.as_str(), d.username.as_str()) == ("POST /kontakt", "public")));
    assert!(
        denied.iter().any(|d| d.detail.contains("hidden field"))
            && denied.iter().any(|d| d.detail.contains("too many"))
    );
    assert_eq!(s.count_people().await.unwrap(), people + 1, "nothing written for either");
    db.cleanup().await;
}

#[tokio::test]
async fn answer_codes_are_stored_keyed_and_an_old_plain_code_still_answers_and_is_rekeyed() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let ctx = ctx(&db);
    // Two letters sent before issue 13, item 9: their codes stored as plain SHA-256.
    let old = written_to(s, init.id, "Hodan", "31234567").await;
    let old_code = issue_code(s, old, init.id, 5, OffsetDateTime::now_utc()).await;
    let other = written_to(s, init.id, "Amal", "31234568").await;
    let other_code = issue_code(s, other, init.id, 6, OffsetDateTime::now_utc()).await;
    let plain = s.plain_response_code_hashes().await.unwrap();
    assert_eq!(plain.len(), 2);

    // Not yet re-keyed, an old code answers by its plain hash.
    let done = public::answer_response_code(&ctx, "POST /svar", &answer(&old_code, "call_me")).await.unwrap();
    assert_eq!(done, Answered::Recorded(Choice::CallMe));

    // Re-keyed at start: no plain hash is left, and the other old code still answers.
    assert_eq!(public::rekey_response_codes(&ctx).await.unwrap(), 2);
    assert!(s.plain_response_code_hashes().await.unwrap().is_empty());
    assert_eq!(public::rekey_response_codes(&ctx).await.unwrap(), 0, "once");
    let normalised = domain::response::normalise(&other_code).unwrap();
    assert!(s.response_code(&domain::response::code_hash(&normalised)).await.unwrap().is_none(), "plain gone");
    let keyed = domain::response::keyed_code_hash(&ctx.dnc_key, &normalised);
    assert_eq!(s.response_code(&keyed).await.unwrap().map(|c| c.person_id), Some(other));
    let done = public::answer_response_code(&ctx, "POST /svar", &answer(&other_code, "not_now")).await.unwrap();
    assert_eq!(done, Answered::Recorded(Choice::NotNow));
    // The used one stays used under its new hash.
    let again = public::answer_response_code(&ctx, "POST /svar", &answer(&old_code, "not_now")).await.unwrap();
    assert_eq!(again, Answered::Refused(CodeRefused::Used));
    db.cleanup().await;
}

#[tokio::test]
async fn a_coordinator_sees_and_settles_the_possible_matches_and_nobody_else_does() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let ctx = ctx(&db);
    let known = written_to(s, init.id, "Rahma", "41234567").await;
    let input =
        OpenDoorInput { name: "Rahma".into(), phone: "41234567".into(), language: "ar".into(), ..Default::default() };
    let store::DoorOutcome::Queued(intake) = public::self_referral(&ctx, "POST /kontakt", &input).await.unwrap() else {
        panic!("a resemblance is queued")
    };
    assert_eq!(s.get_funnel(known, init.id).await.unwrap().unwrap().state.stage, Stage::Contacted, "not moved");

    let coordinator = store::testkit::user(s, "koordinator", domain::policy::Role::Coordinator, None).await;
    let caseworker = store::testkit::user(s, "sagsbehandler", domain::policy::Role::Caseworker, None).await;
    let as_coordinator = app::Caller::new(coordinator, "GET /matches");
    let open = app::matches::open(&ctx, &as_coordinator).await.unwrap();
    assert_eq!(open.iter().map(|m| (m.intake_id, m.known_id)).collect::<Vec<_>>(), [(intake, Some(known))]);
    let listed = log(s).await.into_iter().find(|e| e.origin == "GET /matches").expect("the list is audited");
    assert!(listed.persons.contains(&intake) && listed.persons.contains(&known), "{:?}", listed.persons);

    let as_caseworker = app::Caller::new(caseworker, "GET /matches");
    assert!(matches!(app::matches::open(&ctx, &as_caseworker).await, Err(Error::Refused(_))));
    assert!(matches!(app::matches::settle(&ctx, &as_caseworker, open[0].id, "").await, Err(Error::Refused(_))));

    let too_long = "x".repeat(app::matches::MAX_NOTE_CHARS + 1);
    assert!(matches!(app::matches::settle(&ctx, &as_coordinator, open[0].id, &too_long).await, Err(Error::Invalid(_))));
    app::matches::settle(&ctx, &as_coordinator, open[0].id, "Ikke den samme kvinde").await.unwrap();
    assert!(app::matches::open(&ctx, &as_coordinator).await.unwrap().is_empty());
    let settled = log(s).await.into_iter().find(|e| e.action == AuditAction::ResolveMatch).expect("audited");
    assert!(settled.persons.contains(&intake) && settled.persons.contains(&known));
    db.cleanup().await;
}
