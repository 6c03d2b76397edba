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
    for i in 0..7 {
        let guess = domain::response::display(&domain::response::new_code(&[100 + i; 16]));
        statuses
            .push(guesser.post("/svar", &[("code", &guess), ("choice", "not_now"), ("page_lang", "da")]).await.status);
    }
    assert_eq!(statuses[0], StatusCode::NOT_FOUND);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let log = s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(log.iter().filter(|e| e.origin == "POST /svar" && e.action == "denied").count() >= 5);
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
    assert!(list.body.contains("Amina") && !list.body.contains("<td><strong>"), "{}", list.body);
    c.post("/letters/cadence", &[("call_after_letter_days", "5"), form[1], form[2], ("max_attempts", "4")]).await;
    let list = c.get("/calls").await;
    assert!(list.body.contains("<td><strong>"), "due now: {}", list.body);
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

    // The same woman again is the same person: one woman is one person.
    let again = [("name", "Fatima Ali"), ("phone", "+4561234567"), ("language", "ar"), ("page_lang", "da")];
    assert_eq!(her.post("/kontakt", &again).await.status, StatusCode::OK);
    assert_eq!(s.count_people().await.unwrap(), before + 1);

    // A woman on the do-not-contact list is let in, and whoever answers for her is told.
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

    // A flood is refused: the third request a minute from one visitor is the last.
    let p = her.post("/kontakt", &again).await;
    assert_eq!(p.status, StatusCode::OK);
    let p = her.post("/kontakt", &again).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
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
