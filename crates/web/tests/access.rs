//! Route tests: Logins, sessions, headers, menus, her page and its rules, users, the audit log, figures, the UI language.
//! The whole app through `router().oneshot(…)`, a fresh database per test (SQLite by
//! default, PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use domain::funnel::{Channel, Stage};
use domain::person::SourceKind;
use domain::policy::Role;
use store::AuditQuery;
use time::OffsetDateTime;
use uuid::Uuid;

#[tokio::test]
async fn login_rotates_the_session_and_refuses_bad_attempts_alike() {
    let w = world().await;
    let mut c = Client::new(&w.app);
    let page = c.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    // The form's token is signed (issue 13, item 9): loading the page makes no session.
    assert!(c.cookie.is_none() && c.form_cookie.is_some());
    // A session planted before the login (an attacker's, say) ends at login.
    let anonymous = app::auth::new_token().unwrap();
    let now = OffsetDateTime::now_utc();
    let planted = store::Session {
        token_hash: app::auth::token_hash(&anonymous),
        user_id: None,
        csrf_token: app::auth::new_token().unwrap(),
        created_at: now,
        last_seen_at: now,
        data: "{}".into(),
        stage: None,
    };
    w.db.store.create_session(&planted).await.unwrap();
    c.cookie = Some(anonymous.clone());

    // missing CSRF token: refused, nothing logged in
    let p = c.post("/login", &[("username", "cw-nord"), ("password", PASSWORD), ("csrf", "")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("Formularen er udløbet"), "{}", p.body);

    // wrong password and unknown user get the same answer
    let wrong = c.post("/login", &[("username", "cw-nord"), ("password", "nope nope nope")]).await;
    let unknown = c.post("/login", &[("username", "nobody"), ("password", PASSWORD)]).await;
    for p in [&wrong, &unknown] {
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains("Brugernavn eller adgangskode er forkert"));
    }
    let failed = w.db.store.list_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(failed.iter().filter(|e| e.action.code() == "login_failed").count(), 2);

    let ok = c.post("/login", &[("username", "CW-Nord"), ("password", PASSWORD), ("next", "/people")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/people"));
    let logged_in = c.cookie.clone().unwrap();
    assert_ne!(logged_in, anonymous, "the session id is rotated at login");
    assert!(w.db.store.get_session(&planted.token_hash).await.unwrap().is_none(), "the planted session ended");
    // the old token is worth nothing now
    let mut stale =
        Client { app: w.app.clone(), cookie: Some(anonymous), csrf: String::new(), form_cookie: None, address: None };
    assert_eq!(stale.get("/people").await.status, StatusCode::SEE_OTHER);

    let home = c.get("/").await;
    assert!(home.body.contains("Navn cw-nord"));
    let out = c.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(c.cookie.is_none(), "logout clears the cookie");
    let mut after =
        Client { app: w.app.clone(), cookie: Some(logged_in), csrf: String::new(), form_cookie: None, address: None };
    let p = after.get("/people").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/login?next=/people"));
    w.db.cleanup().await;
}

/// Issue 13, item 4: 50 wrong passwords in 4 s were all answered 401 and the right
/// one worked right after. Now the sixth try waits, with a message that says so.
#[tokio::test]
async fn a_login_flood_is_slowed_with_a_clear_message() {
    let w = world().await;
    let mut c = Client::new(&w.app);
    c.get("/login").await;
    for i in 0..5 {
        let p = c.post("/login", &[("username", "cw-nord"), ("password", "guess guess guess")]).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let p = c.post("/login", &[("username", "cw-nord"), ("password", PASSWORD)]).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "the right password waits too");
    assert!(p.body.contains("For mange forkerte forsøg. Prøv igen om ét minut"), "{}", p.body);
    assert!(c.get("/people").await.location.is_some(), "not logged in");
    w.db.cleanup().await;
}

#[tokio::test]
async fn next_only_leads_within_the_site() {
    let w = world().await;
    for (next, expected) in [("//evil.example/x", "/"), ("https://evil.example", "/"), ("/people", "/people")] {
        let mut c = Client::new(&w.app);
        c.get("/login").await;
        let p = c.post("/login", &[("username", "cw-nord"), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(p.location.as_deref(), Some(expected), "{next}");
    }
    // Issue 13, item 8: a browser drops the tab and reads `//evil.example`; a newline
    // cannot go into a Location header (it gave a 500).
    let mut c = Client::login(&w.app, "cw-nord").await;
    for raw in ["/%09/evil.example", "/%0a/evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "/%20/evil"] {
        let p = c.get(&format!("/login?next={raw}")).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{raw}");
        assert_eq!(p.location.as_deref(), Some("/"), "{raw}");
    }
    assert_eq!(c.get("/login?next=/people").await.location.as_deref(), Some("/people"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn sessions_survive_a_restart_and_expire_when_idle() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    // a new app on the same database: the session is still there
    let restarted = app_for(&w.db.store);
    let mut again =
        Client { app: restarted, cookie: c.cookie.clone(), csrf: String::new(), form_cookie: None, address: None };
    assert_eq!(again.get("/people").await.status, StatusCode::OK);
    // idle past the timeout: logged out with a message
    let hash = app::auth::token_hash(c.cookie.as_deref().unwrap());
    w.db.store.touch_session(&hash, OffsetDateTime::now_utc() - time::Duration::hours(2)).await.unwrap();
    let p = c.get("/people").await;
    assert_eq!(p.location.as_deref(), Some("/login?next=/people&expired=1"));
    let login = c.get("/login?expired=1").await;
    assert!(login.body.contains("inaktiv for længe"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    for path in ["/login", "/", "/people", "/no-such-page"] {
        let p = c.get(path).await;
        let h = &p.headers;
        assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'"), "{path}");
        assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(h.contains_key(header::REFERRER_POLICY));
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
    }
    w.db.cleanup().await;
}

#[tokio::test]
async fn errors_get_a_friendly_page_with_a_request_id() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    let p = c.get("/no-such-page").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let id = p.headers["x-request-id"].to_str().unwrap().to_string();
    assert!(!id.is_empty());
    assert!(p.body.contains(&id), "the page shows the request id");
    assert!(p.body.contains("Siden findes ikke"));
    // A malformed id in the path and a form that does not parse are refused before any
    // handler runs; they get the same page in Danish, not axum's English text (issue 14).
    let p = c.get("/people/not-an-id").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("<html") && p.body.contains("Forespørgslen kunne ikke læses"), "{}", p.body);
    assert!(!p.body.contains("Invalid URL"), "{}", p.body);
    let p = c.post("/people/filter", &[("stage", "no-such-stage"), ("page", "x")]).await;
    if p.status.is_client_error() {
        assert!(p.body.contains("<html"), "a {} answers in plain text: {}", p.status, p.body);
    }
    w.db.cleanup().await;
}

#[tokio::test]
async fn each_role_gets_its_own_menu_and_nothing_more() {
    let w = world().await;
    let expect: [(&str, &[&str], &[&str]); 7] = [
        (
            "koordinator",
            &[
                "nav-people",
                "nav-new-person",
                "nav-figures",
                "nav-audit",
                "nav-users",
                "nav-ambassadors",
                "nav-areas",
                "nav-partners",
                "nav-plan",
                "nav-letters",
            ],
            &["nav-field", "nav-referrals"],
        ),
        (
            "cw-nord",
            &["nav-people", "nav-new-person", "nav-figures", "nav-meetings"],
            &["nav-audit", "nav-users", "nav-field", "nav-partners", "nav-plan"],
        ),
        ("amb", &["nav-people", "nav-field"], &["nav-new-person", "nav-figures", "nav-audit", "nav-ambassadors"]),
        (
            "partner",
            &["nav-referrals"],
            &["nav-people", "nav-new-person", "nav-figures", "nav-audit", "nav-users", "nav-field", "nav-partners"],
        ),
        ("analytiker", &["nav-figures"], &["nav-people", "nav-new-person", "nav-audit", "nav-users"]),
        ("admin", &["nav-audit", "nav-users"], &["nav-people", "nav-new-person", "nav-figures"]),
        ("cw-syd", &["nav-people"], &["nav-audit"]),
    ];
    for (user, has, lacks) in expect {
        let mut c = Client::login(&w.app, user).await;
        let home = c.get("/").await;
        for id in has {
            assert!(home.body.contains(&format!("data-testid=\"{id}\"")), "{user} should have {id}");
        }
        for id in lacks {
            assert!(!home.body.contains(&format!("data-testid=\"{id}\"")), "{user} should lack {id}");
        }
    }
    // the analyst and the admin see no person and no name, and the refusal is audited
    for user in ["analytiker", "admin"] {
        let mut c = Client::login(&w.app, user).await;
        assert_eq!(c.get("/people").await.status, StatusCode::FORBIDDEN);
        let p = c.get(&format!("/people/{}", w.nord_person)).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(!p.body.contains("Amina"));
    }
    assert_eq!(
        store::testkit::audit_actions(&w.db.store, w.nord_person).await.iter().filter(|a| *a == "denied").count(),
        2
    );
    let mut analyst = Client::login(&w.app, "analytiker").await;
    let figures = analyst.get("/figures").await;
    assert_eq!(figures.status, StatusCode::OK);
    assert!(!figures.body.contains("Amina") && !figures.body.contains("Hassan"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_caseworker_finds_opens_and_moves_a_woman_and_every_step_is_audited() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "cw-nord").await;
    let list = c.get("/people").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Amina Hassan") && list.body.contains("Samira Yusuf"));
    assert!(!list.body.contains("Zahra"), "another team's woman is not listed");
    let listed = s.list_audit(&AuditQuery::default()).await.unwrap();
    let entry = listed.iter().find(|e| e.action.code() == "list_people").unwrap();
    assert!(entry.persons.contains(&w.nord_person) && !entry.persons.contains(&w.syd_person));

    // search is POSTed and kept in the session: the redirect carries no name
    let p = c.post("/people/search", &[("name", "amina"), ("initiative", &w.initiative.to_string())]).await;
    assert_eq!(p.location.as_deref(), Some("/people"));
    let found = c.get("/people").await;
    assert!(found.body.contains("Amina Hassan") && !found.body.contains("Samira"));

    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("070761-XXXX"), "CPR masked");
    assert!(!page.body.contains("070761-4286"));
    assert!(page.body.contains("data-testid=\"funnel-stage\">Udsøgt<"));

    let p = c
        .post(
            &format!("/people/{}/events", w.nord_person),
            &[
                ("initiative", &w.initiative.to_string()),
                ("kind", "letter_sent"),
                ("channel", "letter"),
                ("language", "ar"),
                ("note", "Brev på arabisk og dansk"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    assert!(page.body.contains("Brev på arabisk og dansk"));
    assert!(page.body.contains("data-testid=\"funnel-stage\">Kontaktet<"));
    assert_eq!(s.get_funnel(w.nord_person, w.initiative).await.unwrap().unwrap().state.stage, Stage::Contacted);

    // an event the funnel does not allow: a clear message, nothing stored
    let before = s.list_events(w.nord_person).await.unwrap().len();
    let p = c
        .post(
            &format!("/people/{}/events", w.nord_person),
            &[("initiative", &w.initiative.to_string()), ("kind", "enrolled"), ("note", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("kan ikke registreres"), "{}", p.body);
    assert_eq!(s.list_events(w.nord_person).await.unwrap().len(), before);

    let actions = store::testkit::audit_actions(s, w.nord_person).await;
    for expected in ["list_people", "search_people", "view_person", "record_event"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
    assert!(s.check_projections().await.unwrap().is_empty());
    w.db.cleanup().await;
}

#[tokio::test]
async fn row_level_rules_hide_other_womens_pages() {
    let w = world().await;
    let mut nord = Client::login(&w.app, "cw-nord").await;
    let p = nord.get(&format!("/people/{}", w.syd_person)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "row-level: she must not learn the woman exists");
    assert!(!p.body.contains("Zahra"));
    assert!(store::testkit::audit_actions(&w.db.store, w.syd_person).await.contains(&"denied".to_string()));
    let p = nord
        .post(
            &format!("/people/{}/events", w.syd_person),
            &[("initiative", &w.initiative.to_string()), ("kind", "note"), ("note", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    let mut amb = Client::login(&w.app, "amb").await;
    let mine = amb.get(&format!("/people/{}", w.ambassador_person)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Samira") && !mine.body.contains("Yusuf"), "first name only");
    assert!(!mine.body.contains("data-testid=\"timeline\""));
    assert!(mine.body.contains("data-testid=\"next-step\""));
    assert!(!mine.body.contains("Oprindelsesland"));
    assert_eq!(amb.get(&format!("/people/{}", w.nord_person)).await.status, StatusCode::NOT_FOUND);
    let list = amb.get("/people").await;
    assert!(list.body.contains("Samira") && !list.body.contains("Amina"));

    let mut partner = Client::login(&w.app, "partner").await;
    let referral = partner.get(&format!("/people/{}", w.partner_person)).await;
    assert_eq!(referral.status, StatusCode::OK);
    assert!(referral.body.contains("Leyla Aziz"));
    assert!(referral.body.contains("Modtaget") || !referral.body.contains("funnel-stage"), "coarse status only");
    assert!(!referral.body.contains("12 34 56 78"), "no phone for partners");
    assert_eq!(partner.get(&format!("/people/{}", w.syd_person)).await.status, StatusCode::NOT_FOUND);
    let _ = w.ambassador;
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_bad_person_form_names_each_field_and_stores_nothing() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "cw-nord").await;
    c.get("/people/new").await;
    let before = s.count_people().await.unwrap();
    let init = w.initiative.to_string();
    let p = c
        .post(
            "/people/new",
            &[("initiative", &init), ("given_name", " "), ("cpr", "3201901234"), ("phone", "123"), ("postcode", "12")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in ["Skal udfyldes", "ikke en gyldig dato", "8 cifre", "4 cifre"] {
        assert!(p.body.contains(msg), "{msg}");
    }
    assert!(p.body.contains("id=\"cpr-error\""), "the message sits at the field");
    assert_eq!(s.count_people().await.unwrap(), before);

    let p = c
        .post(
            "/people/new",
            &[
                ("initiative", &init),
                ("channel", "phone"),
                ("given_name", "Hibo"),
                ("family_name", "Ali"),
                ("phone", "+45 22 33 44 55"),
                ("languages", "Somali, da"),
                ("motivation", "economy"),
                ("motivation", "network"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let location = p.location.unwrap();
    let id: Uuid = location.trim_start_matches("/people/").trim_end_matches("?done=created").parse().unwrap();
    let rec = s.get_person(id, &sys()).await.unwrap();
    assert_eq!(rec.person.details.motivation.len(), 2, "repeated checkbox fields arrive");
    // Issue 14, item 6: languages are typed by name (or code) and shown by name.
    let codes: Vec<&str> = rec.person.details.languages.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["so", "da"]);
    let edit = c.get(&format!("/people/{id}/edit")).await;
    assert!(
        edit.body.contains("value=\"somali, dansk\"") && edit.body.contains("<datalist id=\"languages-names\">"),
        "{}",
        edit.body
    );
    assert_eq!(rec.funnels[0].state.stage, Stage::Reached);
    // the same CPR twice: a field error, not a crash
    let p = c.post("/people/new", &[("initiative", &init), ("given_name", "Amina"), ("cpr", "0707614286")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("findes allerede"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn never_contact_again_reaches_the_do_not_contact_list() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    c.get(&format!("/people/{}", w.nord_person)).await;
    let p = c
        .post(
            &format!("/people/{}/events", w.nord_person),
            &[
                ("initiative", &w.initiative.to_string()),
                ("kind", "never_contact_again"),
                ("note", "Ønsker ikke kontakt"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // the same woman typed in again is refused
    c.get("/people/new").await;
    let p = c
        .post(
            "/people/new",
            &[
                ("initiative", &w.initiative.to_string()),
                ("given_name", "Amina"),
                ("family_name", "Hassan"),
                ("cpr", "070761-4286"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("bedt om ikke at blive kontaktet"), "{}", p.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn the_full_cpr_is_shown_only_on_request_and_the_request_is_audited() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    assert!(!page.body.contains("070761-4286"));
    let p = c.post(&format!("/people/{}/reveal-cpr", w.nord_person), &[]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("070761-4286"));
    assert!(store::testkit::audit_actions(&w.db.store, w.nord_person).await.contains(&"reveal_cpr".to_string()));
    let mut amb = Client::login(&w.app, "amb").await;
    amb.get(&format!("/people/{}", w.ambassador_person)).await;
    assert_eq!(
        amb.post(&format!("/people/{}/reveal-cpr", w.ambassador_person), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_and_admins_read_and_export_the_audit_log() {
    let w = world().await;
    let mut cw = Client::login(&w.app, "cw-nord").await;
    cw.get(&format!("/people/{}", w.nord_person)).await;
    assert_eq!(cw.get("/audit").await.status, StatusCode::FORBIDDEN);

    let mut admin = Client::login(&w.app, "admin").await;
    admin.get("/audit").await;
    let p = admin.post("/audit/filter", &[("person", &w.nord_person.to_string())]).await;
    assert_eq!(p.location.as_deref(), Some("/audit"));
    let page = admin.get("/audit").await;
    // Actions and roles in words (issue 14, item 6), not codes.
    assert!(page.body.contains("cw-nord") && page.body.contains("Så en borger"), "{}", page.body);
    assert!(page.body.contains("Sagsbehandler") && !page.body.contains(">view_person<"), "{}", page.body);
    assert!(!page.body.contains("Amina"), "the admin sees no personal data");
    let csv = admin.post("/audit/export", &[("person", &w.nord_person.to_string())]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.contains("cw-nord;caseworker;view_person"));
    assert!(store::testkit::audit_actions(&w.db.store, w.nord_person).await.contains(&"export_audit".to_string()));
    // A coordinator filters by her name and a user from the list, and reads names.
    let mut koord = Client::login(&w.app, "koordinator").await;
    koord.get("/audit").await;
    let cw_id = w.db.store.list_users().await.unwrap().into_iter().find(|u| u.username == "cw-nord").unwrap().id;
    let p = koord
        .post("/audit/filter", &[("person", "Amina"), ("user", &cw_id.to_string()), ("from", ""), ("to", "")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/audit"));
    let page = koord.get("/audit").await;
    assert!(page.body.contains("Så en borger") && page.body.contains("Amina"), "{}", page.body);
    assert!(page.body.contains(&format!("<option value=\"{cw_id}\" selected>")), "the user chosen stays chosen");
    // Her id only in the export form's hidden field; the table names her.
    assert_eq!(page.body.matches(&w.nord_person.to_string()).count(), 1, "her name, not her id: {}", page.body);
    let p = koord.post("/audit/filter", &[("person", ""), ("user", ""), ("from", "31-02-2026"), ("to", "")]).await;
    assert_eq!(p.location.as_deref(), Some("/audit"));
    assert!(koord.get("/audit").await.body.contains("Skriv dagen som dd-mm-åååå."));
    // Paged: each view of the log is an entry, so 60 views fill more than a page.
    koord.post("/audit/filter", &[("clear", "1")]).await;
    for _ in 0..60 {
        koord.get("/audit").await;
    }
    let first = koord.get("/audit").await;
    let older = first.body.split("href=\"/audit?before=").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let second = koord.get(&format!("/audit?before={older}")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("data-testid=\"audit-newest\""), "{}", second.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn figures_are_suppressed_below_coordinator_level() {
    let w = world().await;
    let mut analyst = Client::login(&w.app, "analytiker").await;
    let p = analyst.get("/figures").await;
    // four women, all "identified": 4 is under 5, so the analyst sees no count of 4
    assert!(p.body.contains("under 5"));
    assert!(!p.body.contains(">4<"));
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let p = coordinator.get("/figures").await;
    assert!(p.body.contains(">4<"));
    w.db.cleanup().await;
}

#[tokio::test]
async fn the_ui_language_is_chosen_per_user() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    assert!(c.get("/people").await.body.contains("<html lang=\"da\" dir=\"ltr\">"));
    let p = c.post("/settings/locale", &[("locale", "en")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let page = c.get("/people").await;
    assert!(page.body.contains("<html lang=\"en\" dir=\"ltr\">") && page.body.contains("Residents"));
    let mut other = Client::login(&w.app, "cw-syd").await;
    assert!(other.get("/people").await.body.contains("Borgere"), "another user keeps Danish");
    w.db.cleanup().await;
}

#[tokio::test]
async fn users_are_created_with_checked_fields() {
    let w = world().await;
    let mut admin = Client::login(&w.app, "admin").await;
    admin.get("/admin/users").await;
    let p = admin
        .post("/admin/users", &[("username", "x"), ("display_name", ""), ("role", "boss"), ("password", "short")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("3–64 tegn") && p.body.contains("for kort"));
    let p = admin
        .post(
            "/admin/users",
            &[
                ("username", "ny.bruger"),
                ("display_name", "Ny Bruger"),
                ("role", "caseworker"),
                ("password", "en lang adgangskode"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("ny.bruger"));
    let p = admin
        .post(
            "/admin/users",
            &[
                ("username", "ny.bruger"),
                ("display_name", "Igen"),
                ("role", "caseworker"),
                ("password", "en lang adgangskode"),
            ],
        )
        .await;
    assert!(p.body.contains("optaget"));
    // a coordinator may not create an admin
    let mut coord = Client::login(&w.app, "koordinator").await;
    coord.get("/admin/users").await;
    let p = coord
        .post(
            "/admin/users",
            &[("username", "ny.admin"), ("display_name", "A"), ("role", "admin"), ("password", "en lang adgangskode")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(w.db.store.find_login("ny.admin").await.unwrap().is_none());
    w.db.cleanup().await;
}

#[test]
fn both_locales_define_the_same_messages_and_every_key_used_exists() {
    let da = web::i18n::message_ids(web::i18n::DA_FTL);
    let en = web::i18n::message_ids(web::i18n::EN_FTL);
    let mut a = da.clone();
    a.sort();
    let mut b = en.clone();
    b.sort();
    assert_eq!(a, b, "da and en differ");
    let mut dedup = a.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), a.len(), "a message id is defined twice");

    let i18n = web::i18n::I18n::load().unwrap();
    let mut used: Vec<String> = Vec::new();
    let dirs = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
    ];
    for dir in dirs {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for pat in ["l.t(\"", "l.t1(\"", "t_args2(\"", "l.t(&\"", ".t(\""] {
                let mut rest = text.as_str();
                while let Some(i) = rest.find(pat) {
                    rest = &rest[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    used.push(key.to_string());
                }
            }
        }
    }
    // keys built from codes
    for r in Role::ALL {
        used.push(format!("role-{}", r.code()));
        used.push(format!("home-intro-{}", r.code()));
    }
    for s in Stage::ALL {
        used.push(format!("stage-{}", s.code().replace('_', "-")));
        used.push(domain::funnel::next_step(s).to_string());
    }
    for k in domain::funnel::EventKind::ALL {
        used.push(format!("event-{}", k.code().replace('_', "-")));
    }
    for c in Channel::ALL {
        used.push(format!("channel-{}", c.code().replace('_', "-")));
    }
    for s in SourceKind::ALL {
        used.push(format!("source-{}", s.code().replace('_', "-")));
    }
    {
        use domain::ambassador::*;
        let kebab = |prefix: &str, code: &str| format!("{prefix}-{}", code.replace('_', "-"));
        used.extend(PlaceKind::ALL.iter().map(|v| kebab("place-kind", v.code())));
        used.extend(Outcome::ALL.iter().map(|v| kebab("outcome", v.code())));
        used.extend(BestTime::ALL.iter().map(|v| kebab("best-time", v.code())));
        used.extend(Employment::ALL.iter().map(|v| kebab("employment", v.code())));
        used.extend(AmbassadorBackground::ALL.iter().map(|v| kebab("ambassador-background", v.code())));
        used.extend(TrainingTopic::ALL.iter().map(|v| kebab("training-topic", v.code())));
        used.extend(FollowUpTopic::ALL.iter().map(|v| kebab("follow-up-topic", v.code())));
        for b in [
            FieldWorkBlocked::NoConfidentiality,
            FieldWorkBlocked::NoEthicsFrame,
            FieldWorkBlocked::NoEthics,
            FieldWorkBlocked::EthicsOutdated,
        ] {
            used.push(b.message_id().to_string());
        }
        used.push("notification-new-woman-registered".into());
        used.push("notification-new-woman-referred".into());
        used.push("notification-possible-match".into());
        for r in [
            domain::intake::MatchReason::Resembles,
            domain::intake::MatchReason::ResemblesDeclined,
            domain::intake::MatchReason::RenewedRequest,
        ] {
            used.push(kebab("match-reason", r.code()));
        }
        use domain::partner::{ContactPreference, LinkRefused, PartnerKind};
        used.extend(PartnerKind::ALL.iter().map(|v| kebab("partner-kind", v.code())));
        used.extend(ContactPreference::ALL.iter().map(|v| kebab("contact-preference", v.code())));
        for r in [LinkRefused::Unknown, LinkRefused::Used, LinkRefused::Expired] {
            used.push(r.message_id().to_string());
        }
        used.push("notification-letter-answered".into());
        used.push("notification-call-due".into());
    }
    for f in domain::reference::MotivationFactor::ALL {
        used.push(format!("motivation-{}", f.code().replace('_', "-")));
    }
    for e in domain::person::Education::ALL {
        used.push(format!("education-{}", e.code()));
    }
    for e in domain::person::WorkExperience::ALL {
        used.push(format!("work-{}", e.code()));
    }
    for e in domain::person::Network::ALL {
        used.push(format!("network-{}", e.code()));
    }
    for e in domain::person::DanishLevel::ALL {
        used.push(format!("danish-{}", e.code()));
    }
    for p in domain::org::ConsentPurpose::ALL {
        used.push(format!("consent-{}", p.code().replace('_', "-")));
    }
    for c in ["received", "contacted", "started"] {
        used.push(format!("coarse-{c}"));
    }
    // The audit log names actions and roles in words (issue 14, item 6).
    for a in domain::audit::AuditAction::ALL {
        used.push(format!("audit-action-{}", a.code().replace('_', "-")));
    }
    for r in ["system", "public", "anonymous"] {
        assert!(domain::audit::ActorRole::from_code(r).is_some());
        used.push(format!("role-{r}"));
    }
    // Register search: keys built from codes.
    for k in register::kinds::ExtractKind::ALL {
        use register::kinds::ExtractFields as _;
        used.push(format!("register-kind-{}", k.code().replace('_', "-")));
        for spec in k.fields() {
            used.push(format!("register-field-{}", spec.field.code().replace('_', "-")));
        }
    }
    {
        use register::error::ReadErrorKind as K;
        for kind in [
            K::Empty,
            K::NotAWorkbook,
            K::NoSuchSheet(String::new()),
            K::Encoding,
            K::Ragged { expected: 0, found: 0 },
            K::MissingColumn(String::new()),
            K::Mapping(Vec::new()),
            K::Date,
            K::Month,
            K::Amount,
            K::Cpr,
            K::Sex,
            K::RequiredEmpty,
            K::TooManyRows,
            K::Io(String::new()),
        ] {
            used.push(format!("read-error-{}", kind.code()));
        }
    }
    for t in domain::selection::TEMPLATES {
        used.push(format!("rules-template-{}", t.replace('_', "-")));
    }
    for k in ["rules-action-require", "rules-action-exclude", "rules-in-force-no", "rules-in-force-yes"] {
        used.push(k.into());
    }
    for part in ["source", "within-months", "amount-above", "reason", "types"] {
        used.push(format!("rules-step-{part}"));
    }
    for o in domain::calls::CallOutcome::ALL {
        used.push(format!("call-outcome-{}", o.code().replace('_', "-")));
    }
    for k in ["calls-note-required", "calls-note-too-long", "calls-stage-changed"] {
        used.push(k.into());
    }
    for e in ["auto", "utf8", "windows1252"] {
        used.push(format!("register-encoding-{e}"));
    }
    for t in ["overview-by-country", "overview-by-area", "overview-by-age", "overview-by-years"] {
        used.push(t.into());
    }
    used.retain(|k| !k.is_empty() && !k.contains('{'));
    assert!(used.len() > 150, "the scan found the keys ({})", used.len());
    for key in &used {
        for locale in [domain::org::Locale::Da, domain::org::Locale::En] {
            assert!(i18n.has(locale, key), "missing {key} in {locale:?}");
        }
    }
}

#[tokio::test]
async fn changing_her_contact_person_keeps_history_and_tells_the_new_one() {
    let w = world().await;
    let s = &w.db.store;
    let mut nord = Client::login(&w.app, "cw-nord").await;
    nord.get(&format!("/people/{}", w.nord_person)).await;
    let users = s.list_users().await.unwrap();
    let syd = users.iter().find(|u| u.username == "cw-syd").unwrap();
    let admin = users.iter().find(|u| u.username == "admin").unwrap();
    // only caseworkers and ambassadors can be her contact person
    let p = nord.post(&format!("/people/{}/contact", w.nord_person), &[("user", &admin.id.to_string())]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let me = users.iter().find(|u| u.username == "cw-nord").unwrap();
    let p = nord.post(&format!("/people/{}/contact", w.nord_person), &[("user", &me.id.to_string())]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = nord.post(&format!("/people/{}/contact", w.nord_person), &[("user", &syd.id.to_string())]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // her team follows her contact person: Team Nord handed her over and no longer sees her
    assert_eq!(nord.get(&format!("/people/{}", w.nord_person)).await.status, StatusCode::NOT_FOUND);
    // the new contact person is told, and her team now has her
    let mut other = Client::login(&w.app, "cw-syd").await;
    let home = other.get("/").await;
    assert!(home.body.contains("En ny borger er tildelt dig"));
    assert!(home.body.contains(&format!("/people/{}", w.nord_person)));
    let page = other.get(&format!("/people/{}", w.nord_person)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"contact-person\">Navn cw-syd<"), "{}", page.body);
    assert!(page.body.contains("Tidligere kontaktpersoner"), "the earlier contact person is kept");
    assert!(page.body.contains("<li>Navn cw-nord: "), "{}", page.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn consents_are_recorded_and_withdrawn() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "cw-nord").await;
    c.get(&format!("/people/{}", w.nord_person)).await;
    let bad = c
        .post(
            &format!("/people/{}/consents", w.nord_person),
            &[("purpose", "everything"), ("text_version", ""), ("language", "xx")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(s.list_consents(w.nord_person).await.unwrap().is_empty(), "nothing stored");
    let ok = c
        .post(
            &format!("/people/{}/consents", w.nord_person),
            &[("purpose", "partner_status"), ("text_version", "2026-1"), ("language", "ar")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let consents = s.list_consents(w.nord_person).await.unwrap();
    assert_eq!((consents[0].purpose.as_str(), consents[0].language.as_str()), ("partner_status", "ar"));
    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    assert!(page.body.contains("Samarbejdspartneren må se status"));
    let p = c.post(&format!("/people/{}/consents/{}/withdraw", w.nord_person, consents[0].id), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(s.list_consents(w.nord_person).await.unwrap()[0].withdrawn_at.is_some());
    // someone outside her team cannot touch her consents
    let mut syd = Client::login(&w.app, "cw-syd").await;
    syd.get("/").await;
    let p = syd
        .post(
            &format!("/people/{}/consents", w.nord_person),
            &[("purpose", "contact"), ("text_version", "1"), ("language", "da")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_eq!(s.list_consents(w.nord_person).await.unwrap().len(), 1);
    w.db.cleanup().await;
}

/// The values a browser would send back for a page's form: text, date and hidden
/// inputs, checked boxes, selected options and textareas.
fn form_values(body: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        Some(tag[start..start + tag[start..].find('"')?].to_string())
    };
    let unescape = |v: &str| v.replace("&#x20;", " ").replace("&amp;", "&").replace("&#x2d;", "-");
    let mut out = Vec::new();
    for part in body.split("<input ").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type").unwrap_or_default()) else { continue };
        if kind == "checkbox" && !tag.contains(" checked") {
            continue;
        }
        out.push((name, unescape(&attr(tag, "value").unwrap_or_default())));
    }
    for part in body.split("<select ").skip(1) {
        let name = attr(&part[..part.find('>').unwrap()], "name").unwrap();
        let options = &part[..part.find("</select>").unwrap()];
        let chosen = options.split("<option ").skip(1).find(|o| o.contains(" selected>"));
        out.push((name, chosen.and_then(|o| attr(&format!(" {o}"), "value")).unwrap_or_default()));
    }
    for part in body.split("<textarea ").skip(1) {
        let name = attr(&part[..part.find('>').unwrap()], "name").unwrap();
        let text = &part[part.find('>').unwrap() + 1..part.find("</textarea>").unwrap()];
        out.push((name, unescape(text)));
    }
    out
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields.iter().filter(|(n, _)| n != name).cloned().collect();
    if !value.is_empty() {
        out.push((name.into(), value.into()));
    }
    out
}

async fn post_form(c: &mut Client, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> =
        fields.iter().filter(|(n, _)| n != "csrf").map(|(n, v)| (n.as_str(), v.as_str())).collect();
    c.post(path, &refs).await
}

/// Issue 13, item 11: two colleagues edit one woman. The later save used to win field
/// by field, and a stale form cleared her safe-contact-only flag and its note without
/// a word. Now the stale save is refused with both values shown, and nothing changes.
#[tokio::test]
async fn a_stale_edit_is_refused_and_never_clears_her_safety_flag() {
    let w = world().await;
    let id = w.nord_person;
    let path = format!("/people/{id}/edit");
    let mut a = Client::login(&w.app, "cw-nord").await;
    let mut b = Client::login(&w.app, "koordinator").await;
    let form_a = form_values(&a.get(&path).await.body);
    // Her colleague marks her safe-contact-only, with a note, and a new address.
    let form_b = form_values(&b.get(&path).await.body);
    let mut changed = with(&form_b, "safe_contact_only", "on");
    changed = with(&changed, "safety_note", "Mand kontrollerer telefonen");
    changed = with(&changed, "street", "Nyvej 2");
    changed = with(&changed, "postcode", "8000");
    changed = with(&changed, "city", "Aarhus C");
    let saved = post_form(&mut b, &path, &changed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The first caseworker's form is stale: it still has no flag, no note, the old street.
    let stale = post_form(&mut a, &path, &with(&form_a, "phone", "+45 20 30 40 50")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("En kollega har ændret hendes oplysninger"), "{}", stale.body);
    assert!(stale.body.contains("data-testid=\"changed-meanwhile\""));
    assert!(stale.body.contains("Nyvej 2"), "what is stored now is shown");
    let rec = w.db.store.get_person(id, &sys()).await.unwrap().person.details;
    assert!(rec.safe_contact_only, "the flag stays");
    assert_eq!(rec.safety_note.as_deref(), Some("Mand kontrollerer telefonen"));
    assert_eq!(rec.address.as_ref().map(|a| a.street.as_str()), Some("Nyvej 2"));
    assert!(rec.phone.is_none() || rec.phone.as_ref().unwrap().display() != "+45 20 30 40 50", "nothing written");
    // The form shown again is her record now: saving it with the phone keeps all.
    let again = form_values(&stale.body);
    let ok = post_form(&mut a, &path, &with(&again, "phone", "20 30 40 50")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let rec = w.db.store.get_person(id, &sys()).await.unwrap().person.details;
    assert!(rec.safe_contact_only && rec.phone.is_some());
    // The edit's audit entry names the fields, never their content.
    let entries = w.db.store.list_audit(&AuditQuery { limit: 100, ..Default::default() }).await.unwrap();
    let edits: Vec<&str> =
        entries.iter().filter(|e| e.action.code() == "update_person").map(|e| e.detail.as_str()).collect();
    assert!(edits.contains(&"fields: phone"), "{edits:?}");
    assert!(edits.iter().any(|d| d.contains("safe_contact_only") && d.contains("safety_note") && d.contains("street")));
    assert!(!edits.iter().any(|d| d.contains("Mand") || d.contains("Nyvej")), "{edits:?}");
    w.db.cleanup().await;
}

/// Issue 13, item 7: the edit form pre-filled the full CPR number, unaudited. Now it
/// shows it masked, an empty field keeps it, and a typed one replaces it.
#[tokio::test]
async fn the_edit_form_never_holds_her_cpr_number() {
    let w = world().await;
    let id = w.nord_person;
    let path = format!("/people/{id}/edit");
    let mut c = Client::login(&w.app, "cw-nord").await;
    let page = c.get(&path).await;
    assert!(!page.body.contains("0707614286") && !page.body.contains("070761-4286"), "never the number");
    assert!(page.body.contains("070761-XXXX"), "masked, to say one is on record");
    let form = form_values(&page.body);
    assert_eq!(post_form(&mut c, &path, &form).await.status, StatusCode::SEE_OTHER);
    let cpr = |d: &domain::person::PersonDetails| d.cpr.as_ref().map(|c| c.expose());
    let rec = w.db.store.get_person(id, &sys()).await.unwrap().person.details;
    assert_eq!(cpr(&rec).as_deref(), Some("070761-4286"), "an empty field keeps it");
    let form = form_values(&c.get(&path).await.body);
    assert_eq!(post_form(&mut c, &path, &with(&form, "cpr", "070761-1234")).await.status, StatusCode::SEE_OTHER);
    let rec = w.db.store.get_person(id, &sys()).await.unwrap().person.details;
    assert_eq!(cpr(&rec).as_deref(), Some("070761-1234"));
    w.db.cleanup().await;
}

/// Issue 13, item 1: a partner opened `/people` (only the menu hid it) and, filtering
/// on stage, learnt which of her referred women declined; ambassadors could filter on
/// stage, source, area and language too. Now a partner has no people list, and a
/// filter a role may not use neither shows nor applies.
#[tokio::test]
async fn no_role_filters_by_what_it_may_not_see() {
    let w = world().await;
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(partner.get("/people").await.status, StatusCode::FORBIDDEN);
    assert_eq!(partner.post("/people/search", &[("stage", "declined")]).await.status, StatusCode::FORBIDDEN);

    let mut amb = Client::login(&w.app, "amb").await;
    let list = amb.get("/people").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Samira"));
    for select in ["id=\"stage\"", "id=\"source\"", "id=\"area\"", "id=\"language\""] {
        assert!(!list.body.contains(select), "{select} is not offered to an ambassador");
    }
    // A stage she is not in, posted by hand: the filter does not apply, so the
    // answer says nothing of her stage.
    for (field, value) in [("stage", "declined"), ("source", "partner"), ("language", "so")] {
        amb.post("/people/search", &[(field, value)]).await;
        let page = amb.get("/people").await;
        assert!(page.body.contains("Samira"), "{field}={value} narrowed her list");
    }
    // The coordinator's stage filter works as before.
    let mut co = Client::login(&w.app, "koordinator").await;
    co.post("/people/search", &[("stage", "declined")]).await;
    assert!(!co.get("/people").await.body.contains("Samira"));
    w.db.cleanup().await;
}

/// Issue 13, item 7: a CPR number typed into the search was kept in clear in the
/// session. Now the session holds it masked, with the women it found.
#[tokio::test]
async fn a_cpr_search_is_not_kept_in_clear() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    c.post("/people/search", &[("cpr", "070761-4286")]).await;
    let page = c.get("/people").await;
    assert!(page.body.contains("Amina"), "found");
    assert!(!page.body.contains("0707614286") && !page.body.contains("070761-4286"));
    let hash = app::auth::token_hash(c.cookie.as_deref().unwrap());
    let data = w.db.store.get_session(&hash).await.unwrap().unwrap().data;
    assert!(!data.contains("0707614286") && !data.contains("070761-4286") && !data.contains("4286"), "{data}");
    assert!(data.contains("070761-XXXX"), "{data}");
    // Sending the masked number back (the field shows it) keeps the same search.
    c.post("/people/search", &[("cpr", "070761-XXXX")]).await;
    assert!(c.get("/people").await.body.contains("Amina"));
    c.post("/people/search", &[("cpr", "010190-XXXX")]).await;
    let refused = c.get("/people").await;
    assert!(refused.body.contains("Et CPR-nummer har 10 cifre"), "a masked number not searched does not parse");
    assert!(!refused.body.contains("Amina"));
    w.db.cleanup().await;
}

/// Issue 13, item 11: her page's event form carries a key of its own; the same form
/// sent twice — a retry after a lost answer, a double click — records the event once,
/// and a new form (a new key) records a new one.
#[tokio::test]
async fn an_event_form_sent_twice_records_the_event_once() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "cw-nord").await;
    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    let key = page.body.split("name=\"submission\" value=\"").nth(1).and_then(|r| r.get(..36)).unwrap().to_string();
    assert!(Uuid::parse_str(&key).is_ok(), "{key}");
    let before = s.list_events(w.nord_person).await.unwrap().len();
    let initiative = w.initiative.to_string();
    let form = [
        ("initiative", initiative.as_str()),
        ("kind", "letter_sent"),
        ("channel", "letter"),
        ("note", "Brev sendt"),
        ("submission", key.as_str()),
    ];
    for _ in 0..2 {
        let p = c.post(&format!("/people/{}/events", w.nord_person), &form).await;
        assert_eq!(p.location.as_deref(), Some(format!("/people/{}?done=event", w.nord_person).as_str()), "{}", p.body);
    }
    assert_eq!(s.list_events(w.nord_person).await.unwrap().len(), before + 1);
    // Issue 14, item 7: her page confirms what was done; an unknown code confirms nothing.
    let confirmed = c.get(&format!("/people/{}?done=event", w.nord_person)).await;
    assert!(
        confirmed.body.contains("data-testid=\"person-done\"") && confirmed.body.contains("Hændelsen er registreret")
    );
    let page = c.get(&format!("/people/{}?done=bogus", w.nord_person)).await;
    assert!(!page.body.contains("data-testid=\"person-done\""), "{}", page.body);
    let page = c.get(&format!("/people/{}", w.nord_person)).await;
    let second = page.body.split("name=\"submission\" value=\"").nth(1).and_then(|r| r.get(..36)).unwrap();
    assert_ne!(second, key, "every form gets a key of its own");
    let again =
        [("initiative", initiative.as_str()), ("kind", "reached"), ("channel", "phone"), ("submission", second)];
    let p = c.post(&format!("/people/{}/events", w.nord_person), &again).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(s.list_events(w.nord_person).await.unwrap().len(), before + 2);
    w.db.cleanup().await;
}

/// Issue 13, item 6: a coordinator closes a caseworker's login — her open session ends
/// at once and she cannot log in — and opens it again; nobody closes her own login, and
/// a coordinator cannot close an admin's. Each change is audited.
#[tokio::test]
async fn a_closed_login_ends_its_sessions_at_once_and_opens_again() {
    let w = world().await;
    let s = &w.db.store;
    let users = s.list_users().await.unwrap();
    let id_of = |name: &str| users.iter().find(|u| u.username == name).unwrap().id.to_string();
    let mut caseworker = Client::login(&w.app, "cw-nord").await;
    assert_eq!(caseworker.get("/people").await.status, StatusCode::OK);

    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.get("/admin/users").await;
    let path = format!("/admin/users/{}/active", id_of("cw-nord"));
    let p = coordinator.post(&path, &[("active", "0")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Brugeren cw-nord er lukket"), "{}", p.body);

    let after = caseworker.get("/people").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "her open session has ended");
    assert!(after.location.unwrap().starts_with("/login"));
    let mut again = Client::new(&w.app);
    again.get("/login").await;
    let p = again.post("/login", &[("username", "cw-nord"), ("password", PASSWORD)]).await;
    assert_ne!(p.status, StatusCode::SEE_OTHER, "a closed login cannot log in");

    for (target, who) in [("admin", "an admin's login"), ("koordinator", "her own login")] {
        let p = coordinator.post(&format!("/admin/users/{}/active", id_of(target)), &[("active", "0")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{who}");
    }

    coordinator.get("/admin/users").await;
    let p = coordinator.post(&path, &[("active", "1")]).await;
    assert!(p.body.contains("Brugeren cw-nord kan logge ind igen"), "{}", p.body);
    let mut back = Client::login(&w.app, "cw-nord").await;
    assert_eq!(back.get("/people").await.status, StatusCode::OK);

    let log = s.list_audit(&AuditQuery::default()).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.code()).collect();
    assert!(actions.contains(&"deactivate_user") && actions.contains(&"reactivate_user"), "{actions:?}");
    w.db.cleanup().await;
}

/// Issue 13, item 4: a user sees where she is logged in and ends a session she left
/// open on another machine; that session ends at once, hers goes on, and the end is
/// audited. She cannot end another user's session.
#[tokio::test]
async fn a_user_sees_and_ends_her_own_sessions() {
    let w = world().await;
    let s = &w.db.store;
    let mut left_open = Client::login(&w.app, "cw-nord").await;
    let mut here = Client::login(&w.app, "cw-nord").await;
    let mut colleague = Client::login(&w.app, "cw-syd").await;
    let page = here.get("/account/sessions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("data-testid=\"session-row\"").count(), 2, "{}", page.body);
    assert_eq!(page.body.matches("data-testid=\"session-current\"").count(), 1);
    let key =
        page.body.split("name=\"session\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    assert_eq!(key.len(), 16, "a prefix of the token's hash names it, never the token");

    // A colleague cannot end it, even knowing its key.
    colleague.get("/account/sessions").await;
    assert_eq!(colleague.post("/account/sessions/end", &[("session", &key)]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(left_open.get("/people").await.status, StatusCode::OK);

    let p = here.post("/account/sessions/end", &[("session", &key)]).await;
    assert_eq!(p.location.as_deref(), Some("/account/sessions?ended=1"));
    assert_eq!(left_open.get("/people").await.status, StatusCode::SEE_OTHER, "the other session ended at once");
    let page = here.get("/account/sessions").await;
    assert_eq!(page.status, StatusCode::OK, "hers goes on");
    assert_eq!(page.body.matches("data-testid=\"session-row\"").count(), 1);
    let log = s.list_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action.code() == "end_own_session").count(), 1);
    w.db.cleanup().await;
}
