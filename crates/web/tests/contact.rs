//! Route tests: Contact (G-5.6, G-5.7, G-8.5): her answer, the call list, the letter batch, the cadence and the open door.
//! The whole app through `router().oneshot(…)`, a fresh database per test (SQLite by
//! default, PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use domain::funnel::{Channel, EventKind, Stage};
use domain::org::NewUser;
use domain::person::{PersonInput, SourceKind};
use domain::policy::Role;
use store::testkit::issue_code;
use store::{AuditQuery, UserExtra};
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

#[tokio::test]
async fn she_answers_her_letter_in_her_language_once_without_a_login() {
    let w = world().await;
    let s = &w.db.store;
    let now = OffsetDateTime::now_utc();
    // Her letter was sent: she is at "contacted".
    letter_sent(s, w.nord_person, w.initiative, 0).await;
    let code = issue_code(s, w.nord_person, w.initiative, 1, now).await;

    let mut her = Client::new(&w.app);
    let page = her.get("/svar?lang=ar").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dir=\"rtl\"") && page.body.contains("lang=\"ar\""), "{}", page.body);
    assert!(page.body.contains("data-testid=\"needs-review\""), "a machine draft says so");
    assert!(!page.body.contains("Amina") && !page.body.contains("Hassan"), "nothing about her on the page");
    let p = her
        .post(
            "/svar",
            &[
                ("code", &code.to_lowercase()),
                ("choice", "call_me"),
                ("best_time", "evening"),
                ("language", "ar"),
                ("page_lang", "ar"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-testid=\"answer-done\"") && p.body.contains("سنتصل"), "{}", p.body);
    let funnel = s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap();
    assert_eq!(funnel.state.stage, Stage::Interested);
    let events = s.list_events(w.nord_person).await.unwrap();
    let answer = events.iter().find(|e| e.kind == EventKind::Interested).expect("her answer is an event");
    assert!(answer.note.contains("aften"));
    assert_eq!(answer.channel, Channel::Letter);
    // Her caseworker is told.
    let cw = s.list_users().await.unwrap().into_iter().find(|u| u.username == "cw-nord").unwrap();
    assert!(s.list_notifications(cw.id).await.unwrap().iter().any(|n| n.message == "notification-letter-answered"));
    // The code answers once.
    her.get("/svar?lang=ar").await;
    let again = her.post("/svar", &[("code", &code), ("choice", "not_now"), ("page_lang", "ar")]).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Interested);
    // An expired code does not answer.
    let old = issue_code(s, w.syd_person, w.initiative, 2, now - time::Duration::days(100)).await;
    let p = her.post("/svar", &[("code", &old), ("choice", "not_now"), ("page_lang", "da")]).await;
    assert_eq!(p.status, StatusCode::GONE);
    assert!(p.body.contains("udløbet"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn never_again_puts_her_on_the_list_and_guessing_is_stopped() {
    let w = world().await;
    let s = &w.db.store;
    let code = issue_code(s, w.syd_person, w.initiative, 3, OffsetDateTime::now_utc()).await;
    let mut her = Client::new(&w.app);
    her.get("/svar").await;
    let p = her.post("/svar", &[("code", &code), ("choice", "never"), ("page_lang", "da")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(s.get_funnel(w.syd_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Declined);
    let rec = s.read_person(w.syd_person).await.unwrap().unwrap();
    let hashes = domain::do_not_contact::identity_hashes(
        &key(),
        rec.person.details.cpr.as_ref(),
        &rec.person.details.full_name(),
        rec.person.details.birth_date,
        rec.person.details.phone.as_ref(),
    );
    assert!(s.on_do_not_contact(&hashes).await.unwrap(), "never again is on the do-not-contact list");

    // Guesses: a few are answered "no such code", then the visitor must wait.
    let mut guesser = Client::new(&w.app);
    guesser.get("/svar").await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let guess = domain::response::display(&domain::response::new_code(&[100 + i; 16]));
        statuses
            .push(guesser.post("/svar", &[("code", &guess), ("choice", "not_now"), ("page_lang", "da")]).await.status);
    }
    assert_eq!(statuses[0], StatusCode::NOT_FOUND);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let log = s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(log.iter().filter(|e| e.origin == "POST /svar" && e.action.code() == "denied").count() >= 5);
    w.db.cleanup().await;
}

#[tokio::test]
async fn the_call_list_follows_the_cadence_skips_safe_contact_and_records_in_one_click() {
    let w = world().await;
    let s = &w.db.store;
    letter_sent(s, w.nord_person, w.initiative, 8).await;
    // Samira (team Nord) is safe contact only on a shared phone: never on the list.
    let mut d = s.read_person(w.ambassador_person).await.unwrap().unwrap().person.details;
    d.safe_contact_only = true;
    d.phone_is_hers_alone = false;
    s.update_person(w.ambassador_person, &d, &sys()).await.unwrap();
    s.get_funnel(w.ambassador_person, w.initiative).await.unwrap();
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let list = cw.get("/calls").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Amina") && list.body.contains("data-testid=\"call-row\""), "{}", list.body);
    assert!(!list.body.contains("Zahra"), "another team's woman is not on her list");
    // Issue 14, items 2 and 4: her card says how late the call is and the number is a
    // link the phone dials.
    assert!(list.body.contains("1 dag over tid"), "the card does not say the call is a day late: {}", list.body);
    assert!(list.body.contains("href=\"tel:+45"), "the number is not a tel: link: {}", list.body);
    // A stage-changing outcome needs a note; nothing is recorded without one.
    let p = cw.post(&format!("/calls/{}", w.nord_person), &[("outcome", "interested"), ("note", "")]).await;
    assert_eq!(p.location.as_deref(), Some("/calls?error=calls-note-required"));
    assert_eq!(s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Contacted);
    // The letter and two calls without an answer are three attempts: unreachable
    // (G-5.7), each attempt an event.
    for _ in 0..2 {
        cw.get("/calls").await;
        let p = cw.post(&format!("/calls/{}", w.nord_person), &[("outcome", "no_answer")]).await;
        assert_eq!(p.location.as_deref(), Some("/calls?done=1"));
    }
    let f = s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap();
    assert_eq!(f.state.stage, Stage::Unreachable);
    let kinds: Vec<EventKind> = s.list_events(w.nord_person).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == EventKind::CallNoAnswer).count(), 2);
    assert!(kinds.contains(&EventKind::MarkedUnreachable));
    // Zahra's caseworker reaches her after her letter: reached and interested, in one step.
    letter_sent(s, w.syd_person, w.initiative, 10).await;
    let mut syd = Client::login(&w.app, "cw-syd").await;
    let list = syd.get("/calls").await;
    assert!(list.body.contains("Zahra"), "{}", list.body);
    let p = syd
        .post(
            &format!("/calls/{}", w.syd_person),
            &[("outcome", "interested"), ("note", "Vil gerne høre om sprogpraktik.")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/calls?done=1"));
    let events = s.list_events(w.syd_person).await.unwrap();
    assert!(
        events.iter().any(|e| e.kind == EventKind::Reached) && events.iter().any(|e| e.kind == EventKind::Interested)
    );
    assert!(events.iter().any(|e| e.note.contains("sprogpraktik")));
    assert!(syd.get("/calls").await.body.contains("data-testid=\"calls-empty\""));
    // The list is audited, naming the women shown; other roles do not get it.
    let log = s.list_audit(&AuditQuery { person_id: Some(w.syd_person), ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.origin == "GET /calls"));
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/calls").await.status, StatusCode::FORBIDDEN);
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(
        partner.post(&format!("/calls/{}", w.syd_person), &[("outcome", "never")]).await.status,
        StatusCode::FORBIDDEN
    );
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_coordinator_sends_a_letter_batch_to_a_run_whole_with_safe_contact_and_never_again_skipped() {
    let w = world().await;
    let s = &w.db.store;
    let letters_dir = std::env::temp_dir().join(format!("opsog-web-letters-{}", Uuid::new_v4()));
    let config = web::WebConfig {
        secure_cookies: false,
        letters_dir: letters_dir.clone(),
        public_base_url: "https://opsoeg.soeby.dk".into(),
        ..Default::default()
    };
    let app = web::router(web::AppState::new(s.clone(), config, key()).unwrap());
    let coordinator = s.find_login("koordinator").await.unwrap().unwrap().0.id;
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let nu = NewUser {
        username: "mette".into(),
        display_name: "Mette Hansen".into(),
        role: Role::Caseworker,
        team_id: None,
    };
    let extra =
        UserExtra { direct_phone: Some(domain::PhoneNumber::parse("21 43 65 87").unwrap()), ..Default::default() };
    let mette = s.create_user(&nu, &hash, &extra, &sys()).await.unwrap().id;
    let run = register_run(s, w.initiative, coordinator).await;
    let amina = run_woman(s, w.initiative, run, "Amina", "120385-4312", "ar", "Vestergade 3", false).await;
    let hodan = run_woman(s, w.initiative, run, "Hodan", "", "so", "Østergade 8", false).await;
    let nomad = run_woman(s, w.initiative, run, "Zahra", "", "fa", "", false).await;
    let safe = run_woman(s, w.initiative, run, "Samira", "010190-1234", "ar", "Nørregade 1", true).await;
    let never = run_woman(s, w.initiative, run, "Nasrin", "020290-2345", "fa", "Søndergade 2", false).await;
    let d = s.read_person(never).await.unwrap().unwrap().person.details;
    let hashes = domain::do_not_contact::identity_hashes(&key(), d.cpr.as_ref(), &d.full_name(), d.birth_date, None);
    s.add_do_not_contact(&hashes, &sys()).await.unwrap();

    // Only a coordinator sends letters.
    let mut cw = Client::login(&app, "cw-nord").await;
    assert_eq!(cw.get("/letters/batch").await.status, StatusCode::FORBIDDEN);

    let mut c = Client::login(&app, "koordinator").await;
    let page = c.get("/letters/batch").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&run.to_string()), "the run is offered");
    let run_id = run.to_string();
    let mette_id = mette.to_string();
    let meeting = "tirsdag den 12. januar kl. 10 i Beboerhuset, Vestergade 10";

    // Bad input: no meeting text; the field is named and nothing is written.
    let p = c.post("/letters/batch/preview", &[("run", &run_id), ("contact", &mette_id), ("meeting", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Skriv mødested og tid"), "{}", p.body);

    let form = [("run", run_id.as_str()), ("contact", mette_id.as_str()), ("meeting", meeting)];
    let p = c.post("/letters/batch/preview", &form).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-testid=\"batch-letters\">2<"), "Amina and Hodan: {}", p.body);
    assert!(p.body.contains("data-testid=\"batch-digital\">1<") && p.body.contains("data-testid=\"batch-paper\">1<"));
    for reason in ["Kun sikker kontakt", "Papirbrev uden kendt adresse", "aldrig at blive kontaktet"] {
        let line = p.body.lines().find(|l| l.contains(reason)).unwrap_or_else(|| panic!("{reason}: {}", p.body));
        assert!(line.contains("<strong>1</strong>"), "one each: {line}");
    }
    assert!(p.body.contains("maskinudkast"), "the Arabic and Somali drafts are unreviewed");
    assert!(p.body.contains("Brevet på arabisk er kun tjekket"), "findings name the language: {}", p.body);

    // Without a reason the batch does not go: nothing is written, no file is left.
    let p = c.post("/letters/batch", &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("data-testid=\"batch-error\""), "{}", p.body);
    assert!(s.letter_batches(w.initiative).await.unwrap().is_empty());
    assert_eq!(s.get_funnel(amina, w.initiative).await.unwrap().unwrap().state.stage, Stage::Identified);
    assert!(!letters_dir.exists() || std::fs::read_dir(&letters_dir).unwrap().count() == 0);
    let p = c.post("/letters/batch", &[form[0], form[1], form[2], ("override_reason", "kort")]).await;
    assert!(p.body.contains("mindst 15 tegn"), "{}", p.body);

    let reason = "Oversættelserne er godkendt af tolkeservicen i telefonen";
    let p = c.post("/letters/batch", &[form[0], form[1], form[2], ("override_reason", reason)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The batch runs as a job in the background; its page opens the batch when done.
    let job_url = p.location.unwrap();
    let report_url = follow_job(&mut c, &job_url).await;
    assert!(report_url.starts_with("/letters/batches/"), "{report_url}");
    // A second tab's page names the running or last job; a caseworker sees none of it.
    assert_eq!(cw.get(&job_url).await.status, StatusCode::FORBIDDEN);
    let batch_id: Uuid = report_url.rsplit('/').next().unwrap().parse().unwrap();
    let b = s.letter_batch(batch_id).await.unwrap().unwrap();
    assert_eq!((b.letters, b.digital_post, b.paper, b.print_files), (2, 1, 1, 1));
    assert_eq!(b.override_reason.as_deref(), Some(reason));
    // The batch ran as a job recorded in the database: any page (a reload, another tab)
    // reads how it ended and what it made.
    let progress = c.get("/letters/batch/progress").await;
    assert!(progress.body.contains(r#""running":false"#), "{}", progress.body);
    assert!(progress.body.contains(&format!(r#""batch":"{batch_id}""#)), "{}", progress.body);
    assert!(
        b.skipped.contains(&(domain::letter_batch::Skip::SafeContactOnly, 1))
            && b.skipped.contains(&(domain::letter_batch::Skip::DoNotContact, 1))
    );

    // Each woman: a letter_sent event in her language, her new contact person, a code.
    let sent = s.batch_letters(batch_id).await.unwrap();
    assert_eq!(sent.iter().map(|x| x.person_id).collect::<Vec<_>>(), vec![hodan, amina], "paper first, in print order");
    for x in &sent {
        let f = s.get_funnel(x.person_id, w.initiative).await.unwrap().unwrap();
        assert_eq!(f.state.stage, Stage::Contacted);
        let events = s.list_events(x.person_id).await.unwrap();
        let letter = events.iter().find(|e| e.kind == EventKind::LetterSent).unwrap();
        assert_eq!(letter.id, x.event_id);
        assert_eq!(letter.language.as_deref(), Some(x.language.as_str()));
        assert_eq!(s.read_person(x.person_id).await.unwrap().unwrap().contact_user_id, Some(mette));
    }
    let by_digital = sent.iter().find(|x| x.person_id == amina).unwrap();
    assert_eq!(by_digital.delivery, domain::letter_batch::Delivery::DigitalPost);
    let uuid = by_digital.message_uuid.expect("the messageUUID is kept on her event");
    assert!(sent.iter().find(|x| x.person_id == hodan).unwrap().message_uuid.is_none());
    for untouched in [nomad, safe, never] {
        assert_eq!(s.get_funnel(untouched, w.initiative).await.unwrap().unwrap().state.stage, Stage::Identified);
    }

    // The files: one print file (the paper letter), a PDF per letter, MeMo for Digital Post.
    let folder = letters_dir.join(batch_id.to_string());
    assert!(folder.join("print/print-001.pdf").exists() && !folder.join("print/print-002.pdf").exists());
    assert!(folder.join("letters/brev-00001.pdf").exists() && folder.join("letters/brev-00002.pdf").exists());
    let memo = std::fs::read_to_string(folder.join(format!("memo/{uuid}.xml"))).unwrap();
    assert!(memo.contains(&uuid.to_string()) && memo.contains("1203854312"), "to her CPR");
    assert!(memo.contains("<memo:language>ar</memo:language>") || memo.contains(">ar<"), "her language");

    // The report, and its files: role-checked, audited naming the women in the file.
    let page = c.get(&report_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Amina Testesen") && page.body.contains(&uuid.to_string()), "{}", page.body);
    assert!(page.body.contains(reason));
    let pdf = c.get(&format!("{report_url}/print/1")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(c.get(&format!("{report_url}/memo/2")).await.status, StatusCode::OK);
    assert_eq!(c.get(&format!("{report_url}/memo/1")).await.status, StatusCode::NOT_FOUND, "paper has no MeMo");
    assert_eq!(c.get(&format!("{report_url}/print/2")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("{report_url}/secrets/1")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(cw.get(&format!("{report_url}/letters/1")).await.status, StatusCode::FORBIDDEN);
    let amina_audit = store::testkit::audit_actions(s, amina).await;
    assert!(amina_audit.contains(&"send_letter_batch".to_string()), "{amina_audit:?}");
    assert!(amina_audit.contains(&"download_letters".to_string()), "{amina_audit:?}");
    assert!(!store::testkit::audit_actions(s, safe).await.contains(&"send_letter_batch".to_string()));

    // Nothing is sent twice: the same batch again finds no one due.
    let p = c.post("/letters/batch", &[form[0], form[1], form[2], ("override_reason", reason)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Ingen af kørslens kvinder skal have et brev nu"), "{}", p.body);
    assert_eq!(s.letter_batches(w.initiative).await.unwrap().len(), 1);
    std::fs::remove_dir_all(&letters_dir).ok();
}

#[tokio::test]
async fn the_cadence_is_set_per_initiative_and_a_bad_value_is_named() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get("/letters/batch").await;
    let form = [
        ("call_after_letter_days", "10"),
        ("call_again_days", "3"),
        ("second_letter_after_days", "28"),
        ("max_attempts", "0"),
    ];
    let p = c.post("/letters/cadence", &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Skriv et helt tal"), "{}", p.body);
    assert_eq!(s.list_initiatives().await.unwrap()[0].cadence, domain::calls::Cadence::default(), "nothing saved");
    let p = c.post("/letters/cadence", &[form[0], form[1], form[2], ("max_attempts", "4")]).await;
    assert_eq!(p.location.as_deref(), Some("/letters/batch?saved=1"), "{}", p.body);
    let cadence = s.list_initiatives().await.unwrap()[0].cadence;
    assert_eq!(
        cadence,
        domain::calls::Cadence {
            call_after_letter_days: 10,
            call_again_days: 3,
            second_letter_after_days: 28,
            max_attempts: 4
        }
    );
    // The call list follows it: a letter sent 8 days ago is not yet due at 10 days,
    // and overdue at 5.
    letter_sent(s, w.nord_person, w.initiative, 8).await;
    let list = c.get("/calls").await;
    assert!(list.body.contains("Amina") && !list.body.contains("opsog-call-late"), "{}", list.body);
    assert!(list.body.contains("Fra "), "a call not yet due says from when: {}", list.body);
    c.post("/letters/cadence", &[("call_after_letter_days", "5"), form[1], form[2], ("max_attempts", "4")]).await;
    let list = c.get("/calls").await;
    assert!(list.body.contains("opsog-call-late") && list.body.contains("3 dage over tid"), "due now: {}", list.body);
    let mut cw = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw.post("/letters/cadence", &form).await.status, StatusCode::FORBIDDEN);
    // The batch's progress is counts only, and a coordinator's.
    let p = c.get("/letters/batch/progress").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.body, r#"{"running":false,"done":0,"total":0,"batch":null}"#);
    assert_eq!(cw.get("/letters/batch/progress").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn any_woman_asks_to_be_contacted_on_the_open_door_in_her_language() {
    let w = world().await;
    let s = &w.db.store;
    let mut her = Client::new(&w.app);
    let page = her.get("/kontakt?lang=ar").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dir=\"rtl\"") && page.body.contains("lang=\"ar\""), "{}", page.body);
    assert!(page.body.contains("data-testid=\"needs-review\""), "a machine draft says so");
    assert!(page.body.contains("data-testid=\"door-privacy\""), "Art. 13: what is kept and why");

    // Bad input: each field named, in her language, nothing written.
    let before = s.count_people().await.unwrap();
    let p = her.post("/kontakt", &[("name", ""), ("phone", "12"), ("language", "ar"), ("page_lang", "ar")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("اكتبي اسمك") && p.body.contains("8 أرقام"), "{}", p.body);
    assert_eq!(s.count_people().await.unwrap(), before);

    let p = her
        .post(
            "/kontakt",
            &[
                ("name", "Fatima"),
                ("phone", "61 23 45 67"),
                ("language", "ar"),
                ("best_time", "evening"),
                ("page_lang", "ar"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-testid=\"door-done\""), "{}", p.body);
    assert!(!p.body.contains("Fatima") && !p.body.contains("61 23 45 67"), "nothing about her is shown back");
    assert_eq!(s.count_people().await.unwrap(), before + 1);

    // She is a person at "interested" with herself as source; the coordinators are told.
    let koordinator = s.find_login("koordinator").await.unwrap().unwrap().0.id;
    let told = s.list_notifications(koordinator).await.unwrap();
    let note = told.iter().find(|n| n.message == "notification-self-referral").expect("the coordinators are told");
    let id = note.person_id.unwrap();
    let rec = s.read_person(id).await.unwrap().unwrap();
    assert_eq!(rec.person.details.given_name, "Fatima");
    assert_eq!(rec.person.details.letter_language(), Some("ar"));
    assert!(rec.sources.iter().any(|x| x.kind == SourceKind::SelfReferral));
    assert_eq!(s.get_funnel(id, w.initiative).await.unwrap().unwrap().state.stage, Stage::Interested);
    assert!(store::testkit::audit_actions(s, id).await.contains(&"self_referral".to_string()));

    // The same phone again within a day folds into her request: one record, not two.
    let again = [("name", "Fatima Ali"), ("phone", "+4561234567"), ("language", "ar"), ("page_lang", "da")];
    assert_eq!(her.post("/kontakt", &again).await.status, StatusCode::OK);
    assert_eq!(s.count_people().await.unwrap(), before + 1);

    // A woman on the do-not-contact list asking herself: a held intake, and the
    // coordinators are told to confirm it with her.
    let hashes = domain::do_not_contact::identity_hashes(
        &key(),
        None,
        "Hibo",
        None,
        Some(&domain::PhoneNumber::parse("71 11 22 33").unwrap()),
    );
    s.add_do_not_contact(&hashes, &sys()).await.unwrap();
    let mut other = Client::new(&w.app);
    other.get("/kontakt?lang=so").await;
    let p = other
        .post("/kontakt", &[("name", "Hibo"), ("phone", "71112233"), ("language", "so"), ("page_lang", "so")])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let told = s.list_notifications(koordinator).await.unwrap();
    assert!(told.iter().any(|n| n.message == "notification-self-referral-declined-earlier"), "{told:?}");

    // The same phone a fourth time in a day is refused, on any visitor's page.
    let mut third = Client::new(&w.app);
    third.get("/kontakt").await;
    assert_eq!(third.post("/kontakt", &again).await.status, StatusCode::OK);
    assert_eq!(s.count_people().await.unwrap(), before + 2, "folded again");
    let p = third.post("/kontakt", &again).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
    w.db.cleanup().await;
}

/// An app that believes `X-Forwarded-For`, so that a test can speak from several
/// addresses.
fn behind_proxy(w: &World) -> axum::Router {
    let config = web::WebConfig {
        secure_cookies: false,
        trusted_proxy_header: Some("X-Forwarded-For".into()),
        ..Default::default()
    };
    web::router(web::AppState::new(w.db.store.clone(), config, key()).unwrap())
}

fn from(app: &axum::Router, address: &str) -> Client {
    Client { address: Some(address.into()), ..Client::new(app) }
}

/// Issue 13, item 2, "Done when": the open door with the first name and phone of a
/// woman who said "never contact me again" leaves her stage and her place on the
/// do-not-contact list as they were, and the page she (or anyone) gets back is the page
/// an unknown woman gets.
#[tokio::test]
async fn the_open_door_never_moves_a_woman_who_said_never_and_answers_as_for_anyone() {
    let w = world().await;
    let s = &w.db.store;
    // Samira said "never contact me again" to her caseworker when her record held
    // another number; 12345678 is hers since, and not on the do-not-contact list: the
    // case the review found, where the open door moved her back to "interested".
    let details = PersonInput {
        given_name: "Samira".into(),
        family_name: "Yusuf".into(),
        phone: "22 33 44 55".into(),
        languages: "ar".into(),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap();
    let new = store::testkit::new_person(w.initiative, None, details, SourceKind::RegisterRun, None);
    let samira = s.create_person(&new, &[], &sys()).await.unwrap();
    let never = store::NewEvent {
        person_id: samira,
        initiative_id: w.initiative,
        input: domain::funnel::TransitionInput {
            kind: EventKind::NeverContactAgain,
            at: OffsetDateTime::now_utc(),
            channel: Channel::Phone,
            new_contact_data: false,
        },
        actor: store::EventActor { user_id: None, name: "Sagsbehandler".into() },
        language: None,
        interpreter_used: false,
        note: String::new(),
        do_not_contact: vec!["the-hash-of-her-older-identity".into()],
    };
    s.record_event(&never, &sys()).await.unwrap();
    let samira_events = s.list_events(samira).await.unwrap().len();
    let mut first = from(&behind_proxy(&w), "198.51.100.6");
    first.get("/kontakt").await;
    let declined = first
        .post("/kontakt", &[("name", "Samira"), ("phone", "22334455"), ("language", "da"), ("page_lang", "da")])
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(
        s.get_funnel(samira, w.initiative).await.unwrap().unwrap().state.stage,
        Stage::Declined,
        "never moved back by an outside door"
    );
    assert_eq!(s.list_events(samira).await.unwrap().len(), samira_events);

    // Zahra (Team Syd, phone 12345678) answered her letter "never contact me again".
    letter_sent(s, w.syd_person, w.initiative, 0).await;
    let code = issue_code(s, w.syd_person, w.initiative, 9, OffsetDateTime::now_utc()).await;
    let mut her = Client::new(&w.app);
    her.get("/svar").await;
    let p = her.post("/svar", &[("code", &code), ("choice", "never"), ("page_lang", "da")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let rec = s.read_person(w.syd_person).await.unwrap().unwrap();
    let hashes = domain::do_not_contact::identity_hashes(
        &key(),
        rec.person.details.cpr.as_ref(),
        &rec.person.details.full_name(),
        rec.person.details.birth_date,
        rec.person.details.phone.as_ref(),
    );
    assert!(s.on_do_not_contact(&hashes).await.unwrap());
    let events = s.list_events(w.syd_person).await.unwrap().len();
    let people = s.count_people().await.unwrap();

    // Someone who knows her first name and phone asks on the open door.
    let mut someone = from(&behind_proxy(&w), "198.51.100.7");
    someone.get("/kontakt").await;
    let known = someone
        .post("/kontakt", &[("name", "Zahra"), ("phone", "12 34 56 78"), ("language", "da"), ("page_lang", "da")])
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert_eq!(s.get_funnel(w.syd_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Declined);
    assert!(s.on_do_not_contact(&hashes).await.unwrap(), "still on the list");
    assert_eq!(s.list_events(w.syd_person).await.unwrap().len(), events, "nothing on her record");
    assert_eq!(s.count_people().await.unwrap(), people + 1, "a new intake instead");
    let queue = s.open_possible_matches(w.initiative).await.unwrap();
    assert_eq!(queue.iter().filter_map(|m| m.known_id).collect::<Vec<_>>(), [samira, w.syd_person]);

    // An unknown woman asks the same way: the page is the same, byte for byte, but for
    // the form token.
    let mut unknown = from(&behind_proxy(&w), "198.51.100.8");
    unknown.get("/kontakt").await;
    let fresh = unknown
        .post("/kontakt", &[("name", "Sagal"), ("phone", "87 65 43 21"), ("language", "da"), ("page_lang", "da")])
        .await;
    assert_eq!(fresh.status, known.status);
    let without_token = |p: &Page, c: &Client| p.body.replace(&c.csrf, "TOKEN");
    assert_eq!(without_token(&known, &someone), without_token(&fresh, &unknown));
    assert_eq!(without_token(&declined, &first), without_token(&fresh, &unknown));

    // The coordinator sees the possible match; a caseworker does not.
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let page = coordinator.get("/matches").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("data-testid=\"match-row\"").count(), 2, "{}", page.body);
    assert!(page.body.contains("Zahra Rahimi"), "the known woman is named to the coordinator");
    let mut caseworker = Client::login(&w.app, "cw-syd").await;
    assert_eq!(caseworker.get("/matches").await.status, StatusCode::FORBIDDEN);
    let settle = coordinator.post(&format!("/matches/{}", queue[0].id), &[("note", "Talt med hende")]).await;
    assert_eq!(settle.status, StatusCode::SEE_OTHER);
    let after = coordinator.get(settle.location.as_deref().unwrap()).await;
    assert!(after.body.contains("data-testid=\"matches-settled\""));
    assert_eq!(after.body.matches("data-testid=\"match-row\"").count(), 1, "the settled one is gone");
    w.db.cleanup().await;
}

/// Issue 13, item 2: an ambassador who registers a woman Opsøg knows, and one on the
/// do-not-contact list, is told what any registration tells her, and the known
/// woman's record is not touched.
#[tokio::test]
async fn a_street_registration_answers_the_same_for_a_known_woman_and_touches_nothing_of_hers() {
    let w = world().await;
    let s = &w.db.store;
    let (area, mut amb) = ambassador_at_work(&w).await;
    let area_id = area.to_string();
    let fields = |given: &'static str, phone: &'static str| {
        vec![
            ("consent", "on".to_string()),
            ("consent_language", "da".to_string()),
            ("given_name", given.to_string()),
            ("phone", phone.to_string()),
            ("language", "ar".to_string()),
            ("best_time_to_call", "evening".to_string()),
            ("area_id", area_id.clone()),
        ]
    };
    async fn send(amb: &mut Client, fields: Vec<(&'static str, String)>) -> Page {
        amb.get("/field/register").await;
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        amb.post("/field/register", &refs).await
    }
    let events = s.list_events(w.nord_person).await.unwrap().len();
    let known = send(&mut amb, fields("Amina", "12345678")).await;
    let fresh = send(&mut amb, fields("Warda", "87654321")).await;
    assert_eq!(known.status, StatusCode::SEE_OTHER, "{}", known.body);
    assert_eq!((known.status, known.location.clone()), (fresh.status, fresh.location.clone()));
    assert_eq!(s.list_events(w.nord_person).await.unwrap().len(), events, "nothing on the known woman's record");
    assert!(
        s.read_person(w.nord_person).await.unwrap().unwrap().sources.iter().all(|x| x.kind != SourceKind::Ambassador)
    );
    // On the do-not-contact list: nothing written, and the same answer.
    let phone = domain::PhoneNumber::parse("55 66 77 88").unwrap();
    s.add_do_not_contact(&domain::do_not_contact::identity_hashes(&key(), None, "Nasra", None, Some(&phone)), &sys())
        .await
        .unwrap();
    let people = s.count_people().await.unwrap();
    let listed = send(&mut amb, fields("Nasra", "55667788")).await;
    assert_eq!((listed.status, listed.location.clone()), (fresh.status, fresh.location.clone()));
    assert_eq!(s.count_people().await.unwrap(), people);
    w.db.cleanup().await;
}

/// Issue 13, item 9: a public page loaded or answered writes no session row, and its
/// form is checked by the signed double-submit token.
#[tokio::test]
async fn the_public_pages_keep_no_session_and_check_a_signed_token() {
    let w = world().await;
    let s = &w.db.store;
    let before = store::testkit::count_sessions(s).await;
    let mut her = Client::new(&w.app);
    // The login page too: its form is signed, so loading it writes nothing.
    for path in ["/svar", "/kontakt", "/svar?lang=ar", "/kontakt?lang=so", "/login", "/login?next=/people"] {
        assert_eq!(her.get(path).await.status, StatusCode::OK, "{path}");
    }
    // A wrong password writes no session either.
    let mut guesser = Client::new(&w.app);
    guesser.get("/login").await;
    let wrong = guesser.post("/login", &[("username", "koordinator"), ("password", "not the password")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(guesser.cookie.is_none());
    let p =
        her.post("/kontakt", &[("name", "Ubah"), ("phone", "23456789"), ("language", "so"), ("page_lang", "so")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(store::testkit::count_sessions(s).await, before, "no session row for a visitor");
    assert!(her.cookie.is_none() && her.form_cookie.is_some());

    // Without the cookie, with another token, or with a token the server did not sign:
    // refused, nothing written.
    let people = s.count_people().await.unwrap();
    let form = [("name", "Ubah"), ("phone", "23456780"), ("language", "so"), ("page_lang", "so")];
    let mut no_cookie = Client { csrf: her.csrf.clone(), ..Client::new(&w.app) };
    assert_eq!(no_cookie.post("/kontakt", &form).await.status, StatusCode::FORBIDDEN);
    let mut other_token = Client { form_cookie: her.form_cookie.clone(), csrf: "x.y".into(), ..Client::new(&w.app) };
    assert_eq!(other_token.post("/kontakt", &form).await.status, StatusCode::FORBIDDEN);
    let forged = format!("{}.{}", "a".repeat(64), "b".repeat(64));
    let mut unsigned = Client { form_cookie: Some(forged.clone()), csrf: forged, ..Client::new(&w.app) };
    assert_eq!(unsigned.post("/kontakt", &form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.count_people().await.unwrap(), people);

    // Staff at the desk keep their session's token on a public page: its form and the
    // page's own logout both take it.
    let mut desk = Client::login(&w.app, "koordinator").await;
    // (The login page's own form token is of no use once logged in.)
    desk.form_cookie = None;
    desk.get("/kontakt").await;
    assert!(desk.form_cookie.is_none(), "no form cookie beside a session");
    assert_eq!(desk.post("/kontakt", &form).await.status, StatusCode::OK);
    assert_eq!(desk.post("/logout", &[]).await.status, StatusCode::SEE_OTHER);
    w.db.cleanup().await;
}

/// Issue 13, item 9: guessing from one address never blocks a genuine answer from
/// another (a single budget for everyone used to give 429 to all).
#[tokio::test]
async fn guesses_from_one_address_never_block_her_answer_from_another() {
    let w = world().await;
    let s = &w.db.store;
    letter_sent(s, w.nord_person, w.initiative, 0).await;
    let code = issue_code(s, w.nord_person, w.initiative, 4, OffsetDateTime::now_utc()).await;
    let app = behind_proxy(&w);
    let mut statuses = Vec::new();
    // Guessers from many addresses: each spends its own budget only.
    for a in 0..4u8 {
        let mut guesser = from(&app, &format!("203.0.113.{a}"));
        guesser.get("/svar").await;
        for i in 0..11u8 {
            // (far from the one issued, which is `[4; 16]`)
            let guess = domain::response::display(&domain::response::new_code(&[100 + a * 16 + i; 16]));
            let p = guesser.post("/svar", &[("code", &guess), ("choice", "not_now"), ("page_lang", "da")]).await;
            statuses.push(p.status);
        }
        assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    }
    assert!(statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count() >= 40, "{statuses:?}");
    let mut her = from(&app, "192.0.2.44");
    her.get("/svar").await;
    let p = her.post("/svar", &[("code", &code), ("choice", "call_me"), ("page_lang", "da")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Interested);
    w.db.cleanup().await;
}

/// Issue 13, item 9: the open door turns a machine away by its trap field, and caps
/// requests per address.
#[tokio::test]
async fn the_open_door_turns_away_a_trap_and_caps_an_address() {
    let w = world().await;
    let s = &w.db.store;
    let app = behind_proxy(&w);
    let people = s.count_people().await.unwrap();
    let mut machine = from(&app, "203.0.113.50");
    machine.get("/kontakt").await;
    let trapped = machine
        .post(
            "/kontakt",
            &[("name", "Spam"), ("phone", "20202020"), ("language", "da"), ("page_lang", "da"), ("website", "x")],
        )
        .await;
    assert_eq!(trapped.status, StatusCode::OK, "the machine is thanked as anyone");
    assert!(trapped.body.contains("data-testid=\"door-done\""));
    assert_eq!(s.count_people().await.unwrap(), people, "and nothing is written");

    let mut flood = from(&app, "203.0.113.51");
    flood.get("/kontakt").await;
    let mut statuses = Vec::new();
    for i in 0..12u32 {
        let phone = format!("3{:07}", 1000 + i);
        let p = flood
            .post("/kontakt", &[("name", "Ayan"), ("phone", &phone), ("language", "da"), ("page_lang", "da")])
            .await;
        statuses.push(p.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 10, "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(s.count_people().await.unwrap(), people + 10);
    // Another address is not held up by it.
    let mut her = from(&app, "192.0.2.45");
    her.get("/kontakt").await;
    let p =
        her.post("/kontakt", &[("name", "Ayan"), ("phone", "40404040"), ("language", "da"), ("page_lang", "da")]).await;
    assert_eq!(p.status, StatusCode::OK);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_woman_without_a_number_on_record_gives_hers_with_her_answer_and_is_called() {
    let w = world().await;
    let s = &w.db.store;
    let now = OffsetDateTime::now_utc();
    // A woman from the registers: no phone on record.
    let details = PersonInput {
        given_name: "Rahma".into(),
        family_name: "Omar".into(),
        languages: "ar".into(),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap();
    let team = s.list_teams().await.unwrap().into_iter().find(|t| t.name == "Team Nord").unwrap().id;
    let her_id = s
        .create_person(
            &store::testkit::new_person(w.initiative, Some(team), details, SourceKind::RegisterRun, None),
            &[],
            &sys(),
        )
        .await
        .unwrap();
    letter_sent(s, her_id, w.initiative, 0).await;
    let code = issue_code(s, her_id, w.initiative, 1, now).await;
    let mut her = Client::new(&w.app);
    her.get("/svar?lang=ar").await;
    let answer = |phone: &'static str| {
        vec![
            ("code", code.clone()),
            ("choice", "call_me".to_string()),
            ("language", "ar".into()),
            ("phone", phone.into()),
            ("own_phone", "on".into()),
            ("page_lang", "ar".into()),
        ]
    };
    // A number that is no number is named, and the code is not used up.
    let bad = answer("12");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = her.post("/svar", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("8 أرقام"), "{}", p.body);
    let good = answer("61 23 45 67");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = her.post("/svar", &good).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let d = s.read_person(her_id).await.unwrap().unwrap().person.details;
    assert_eq!(d.phone.as_ref().map(|p| p.display()), Some(domain::PhoneNumber::parse("61234567").unwrap().display()));
    assert!(d.phone_is_hers_alone);
    // Her caseworker's call list now has her, due at once.
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let list = cw.get("/calls").await;
    assert!(list.body.contains("Rahma Omar"), "{}", list.body);
}

/// Issue 14: her pages are in her language as a whole document — its language and
/// direction, the skip link and the footer — and never carry the staff's tagline,
/// which would tell her she is the target of outreach.
#[tokio::test]
async fn her_pages_are_wholly_in_her_language_and_never_call_her_a_target() {
    let w = world().await;
    let mut her = Client::new(&w.app);
    let arabic = her.get("/svar?lang=ar").await;
    assert!(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\">"), "{}", &arabic.body[..300]);
    assert!(arabic.body.contains("انتقل إلى المحتوى"), "the skip link in Arabic");
    assert!(arabic.body.contains("مسؤول حماية البيانات"), "the footer in Arabic");
    let somali = her.get("/kontakt?lang=so").await;
    assert!(somali.body.contains("<html lang=\"so\" dir=\"ltr\">"));
    for page in [&arabic, &somali] {
        assert!(!page.body.contains("Opsøgende arbejde"), "no outreach tagline on her page");
    }
    let staff = her.get("/login").await;
    assert!(staff.body.contains("<html lang=\"da\" dir=\"ltr\">") && staff.body.contains("Opsøgende arbejde"));
    w.db.cleanup().await;
}

/// Issue 14, item 3: the start page says what waits today, each a link to the work —
/// for a caseworker her team's overdue call and the week's letters; an analyst sees no
/// calls; nothing waiting reads as such.
#[tokio::test]
async fn the_start_page_says_what_waits_today() {
    let w = world().await;
    let s = &w.db.store;
    letter_sent(s, w.nord_person, w.initiative, 9).await;
    letter_sent(s, w.syd_person, w.initiative, 2).await;
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let home = cw.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("data-testid=\"today-calls-overdue\""), "{}", home.body);
    assert!(home.body.contains("1 opkald er over tid"), "{}", home.body);
    assert!(home.body.contains("<a href=\"/calls\">"), "the overdue call links to the call list: {}", home.body);
    assert!(home.body.contains("data-testid=\"today-week\""), "{}", home.body);
    // Team Syd's letter is not in team Nord's week, nor its call on Nord's list.
    assert!(home.body.contains("<dt>Breve sendt</dt><dd>0</dd>"), "{}", home.body);
    let mut syd = Client::login(&w.app, "cw-syd").await;
    let home = syd.get("/").await;
    assert!(home.body.contains("<dt>Breve sendt</dt><dd>1</dd>"), "{}", home.body);
    assert!(
        home.body.contains("data-testid=\"today-nothing\""),
        "a call due in five days is not today's: {}",
        home.body
    );
    let mut analyst = Client::login(&w.app, "analytiker").await;
    let home = analyst.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("data-testid=\"today-calls") && !home.body.contains("data-testid=\"today-week\""));
    w.db.cleanup().await;
}
