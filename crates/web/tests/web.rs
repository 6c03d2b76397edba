//! Route tests: the whole app through `router().oneshot(…)`, a fresh database per test
//! (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set).
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::funnel::{Channel, EventKind, Stage};
use domain::org::{Initiative, NewUser};
use domain::person::{PersonInput, SourceKind};
use domain::policy::Role;
use store::testkit::TestDb;
use store::{AuditQuery, SqlStore, Store, UserExtra};
use time::OffsetDateTime;
use time::macros::date;
use tower::ServiceExt;
use uuid::Uuid;

const PASSWORD: &str = "a long test passphrase";

struct World {
    db: TestDb,
    app: Router,
    initiative: Uuid,
    /// Team Nord's woman (CPR 070761-4286) and Team Syd's woman.
    nord_person: Uuid,
    syd_person: Uuid,
    ambassador_person: Uuid,
    partner_person: Uuid,
    ambassador: Uuid,
}

fn sys() -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action: AuditAction::BatchJob,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

fn key() -> DncKey {
    DncKey::new(vec![7; 32]).unwrap()
}

fn app_for(store: &SqlStore) -> Router {
    let config = web::WebConfig { secure_cookies: false, ..Default::default() };
    web::router(web::AppState::new(store.clone(), config, key()).unwrap())
}

async fn person(
    s: &SqlStore,
    init: Uuid,
    team: Option<Uuid>,
    given: &str,
    family: &str,
    cpr: &str,
    source: SourceKind,
    reference: Option<Uuid>,
) -> Uuid {
    let details = PersonInput {
        given_name: given.into(),
        family_name: family.into(),
        cpr: cpr.into(),
        phone: "12345678".into(),
        languages: "ar".into(),
        country_of_origin: "SY".into(),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap();
    s.create_person(&store::testkit::new_person(init, team, details, source, reference), &sys()).await.unwrap()
}

async fn world() -> World {
    let db = TestDb::new().await;
    let s = db.store.clone();
    let nord = s.create_team("Team Nord").await.unwrap();
    let syd = s.create_team("Team Syd").await.unwrap();
    let org = s.create_partner_org("Sprogcenter").await.unwrap();
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let mut ids = std::collections::HashMap::new();
    for (username, role, team, partner) in [
        ("koordinator", Role::Coordinator, Some(nord.id), None),
        ("cw-nord", Role::Caseworker, Some(nord.id), None),
        ("cw-syd", Role::Caseworker, Some(syd.id), None),
        ("amb", Role::Ambassador, None, None),
        ("partner", Role::Partner, None, Some(org)),
        ("analytiker", Role::Analyst, None, None),
        ("admin", Role::Admin, None, None),
    ] {
        let nu = NewUser { username: username.into(), display_name: format!("Navn {username}"), role, team_id: team };
        let extra = UserExtra { team_id: team, partner_org_id: partner, ..Default::default() };
        let u = s.create_user(&nu, &hash, &extra, &sys()).await.unwrap();
        ids.insert(username, u.id);
    }
    let initiative = Initiative {
        id: Uuid::new_v4(),
        name: "Indsats".into(),
        starts_on: date!(2026 - 01 - 01),
        ends_on: None,
        target_group: String::new(),
        methods: vec![],
        area_ids: vec![],
        capacity: None,
        cool_off_days: 90,
        cadence: Default::default(),
    };
    s.create_initiative(&initiative).await.unwrap();
    let init = initiative.id;
    let nord_person =
        person(&s, init, Some(nord.id), "Amina", "Hassan", "070761-4286", SourceKind::RegisterRun, None).await;
    let syd_person = person(&s, init, Some(syd.id), "Zahra", "Rahimi", "", SourceKind::RegisterRun, None).await;
    let ambassador = ids["amb"];
    let ambassador_person =
        person(&s, init, Some(nord.id), "Samira", "Yusuf", "", SourceKind::Ambassador, Some(ambassador)).await;
    let partner_person = person(&s, init, Some(syd.id), "Leyla", "Aziz", "", SourceKind::Partner, Some(org)).await;
    let app = app_for(&s);
    World { db, app, initiative: init, nord_person, syd_person, ambassador_person, partner_person, ambassador }
}

/// A browser: keeps the session cookie and the last CSRF token it saw.
struct Client {
    app: Router,
    cookie: Option<String>,
    csrf: String,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Client {
    fn new(app: &Router) -> Client {
        Client { app: app.clone(), cookie: None, csrf: String::new() }
    }

    async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            if let Some(token) = pair.strip_prefix("opsog_session=") {
                self.cookie = (!token.is_empty()).then(|| token.to_string());
            }
        }
        let location = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[i + 19..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        Page { status, location, headers, body }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, format!("opsog_session={c}"));
        }
        b
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// POSTs a form with the current CSRF token (unless the fields carry their own).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf".into(), self.csrf.clone()));
        }
        let body = all.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn login(app: &Router, username: &str) -> Client {
        let mut c = Client::new(app);
        c.get("/login").await;
        let p = c.post("/login", &[("username", username), ("password", PASSWORD)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "login {username}: {}", p.body);
        c.get("/").await;
        c
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => char::from(b).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn audit_actions(s: &SqlStore, person: Uuid) -> Vec<String> {
    s.list_audit(&AuditQuery { person_id: Some(person), ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn login_rotates_the_session_and_refuses_bad_attempts_alike() {
    let w = world().await;
    let mut c = Client::new(&w.app);
    let page = c.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    let anonymous = c.cookie.clone().expect("a visitor gets a session for the form's token");

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
    assert_eq!(failed.iter().filter(|e| e.action == "login_failed").count(), 2);

    let ok = c.post("/login", &[("username", "CW-Nord"), ("password", PASSWORD), ("next", "/people")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/people"));
    let logged_in = c.cookie.clone().unwrap();
    assert_ne!(logged_in, anonymous, "the session id is rotated at login");
    // the old token is worth nothing now
    let mut stale = Client { app: w.app.clone(), cookie: Some(anonymous), csrf: String::new() };
    assert_eq!(stale.get("/people").await.status, StatusCode::SEE_OTHER);

    let home = c.get("/").await;
    assert!(home.body.contains("Navn cw-nord"));
    let out = c.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(c.cookie.is_none(), "logout clears the cookie");
    let mut after = Client { app: w.app.clone(), cookie: Some(logged_in), csrf: String::new() };
    let p = after.get("/people").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/login?next=/people"));
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
    w.db.cleanup().await;
}

#[tokio::test]
async fn sessions_survive_a_restart_and_expire_when_idle() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    // a new app on the same database: the session is still there
    let restarted = app_for(&w.db.store);
    let mut again = Client { app: restarted, cookie: c.cookie.clone(), csrf: String::new() };
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
    assert_eq!(audit_actions(&w.db.store, w.nord_person).await.iter().filter(|a| *a == "denied").count(), 2);
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
    let entry = listed.iter().find(|e| e.action == "list_people").unwrap();
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

    let actions = audit_actions(s, w.nord_person).await;
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
    assert!(audit_actions(&w.db.store, w.syd_person).await.contains(&"denied".to_string()));
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
                ("languages", "so, da"),
                ("motivation", "economy"),
                ("motivation", "network"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let id: Uuid = p.location.unwrap().trim_start_matches("/people/").parse().unwrap();
    let rec = s.get_person(id, &sys()).await.unwrap();
    assert_eq!(rec.person.details.motivation.len(), 2, "repeated checkbox fields arrive");
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
    assert!(audit_actions(&w.db.store, w.nord_person).await.contains(&"reveal_cpr".to_string()));
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
    assert!(page.body.contains("cw-nord") && page.body.contains("view_person"));
    assert!(!page.body.contains("Amina"), "the admin sees no personal data");
    let csv = admin.post("/audit/export", &[("person", &w.nord_person.to_string())]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.contains("cw-nord;caseworker;view_person"));
    assert!(audit_actions(&w.db.store, w.nord_person).await.contains(&"export_audit".to_string()));
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
    assert!(c.get("/people").await.body.contains("<html lang=\"da\">"));
    let p = c.post("/settings/locale", &[("locale", "en")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let page = c.get("/people").await;
    assert!(page.body.contains("<html lang=\"en\">") && page.body.contains("Residents"));
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
        used.push("notification-known-woman-referred".into());
        use domain::partner::{ContactPreference, LinkRefused, PartnerKind};
        used.extend(PartnerKind::ALL.iter().map(|v| kebab("partner-kind", v.code())));
        used.extend(ContactPreference::ALL.iter().map(|v| kebab("contact-preference", v.code())));
        for r in [LinkRefused::Unknown, LinkRefused::Used, LinkRefused::Expired] {
            used.push(r.message_id().to_string());
        }
        used.push("notification-known-woman-registered".into());
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
    // Register search: keys built from codes.
    for k in register::kinds::SourceKind::ALL {
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

/// Makes the ambassador ready for field work the way a coordinator does it: her profile
/// with the duty of confidentiality signed, and an ethics frame for the initiative.
async fn ready_for_field_work(w: &World, area: Uuid) {
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.get(&format!("/ambassadors/{}", w.ambassador)).await;
    let area = area.to_string();
    let p = coordinator
        .post(
            &format!("/ambassadors/{}", w.ambassador),
            &[
                ("employment", "volunteer"),
                ("background", "former_participant"),
                ("languages", "ar, da"),
                ("area_ids", &area),
                ("training_done", "confidentiality"),
                ("confidentiality_signed_on", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    coordinator.get("/plan/ethics").await;
    let p = coordinator.post("/plan/ethics", &[("text", "Vi presser aldrig. Vi går ikke ind i hjem.")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

#[tokio::test]
async fn an_ambassador_works_in_the_street_only_after_confidentiality_and_ethics() {
    let w = world().await;
    let s = &w.db.store;
    let area = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    let mut amb = Client::login(&w.app, "amb").await;
    let home = amb.get("/field").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("data-testid=\"field-blocked\""));
    // G-6.7: no field work before the duty of confidentiality is recorded; nothing stored
    let conversation = [
        ("date", "2026-11-20"),
        ("area_id", &*area.id.to_string()),
        ("place", "playground"),
        ("language", "ar"),
        ("outcome", "interested"),
        ("count", "2"),
    ]
    .map(|(k, v)| (k, v.to_string()));
    let fields: Vec<(&str, &str)> = conversation.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = amb.post("/field/conversation", &fields).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().is_empty());

    ready_for_field_work(&w, area.id).await;
    // the frame exists now, but she has not accepted it
    let home = amb.get("/field").await;
    assert!(home.body.contains("data-testid=\"field-read-ethics\""), "{}", home.body);
    assert_eq!(amb.post("/field/conversation", &fields).await.status, StatusCode::FORBIDDEN);
    let ethics = amb.get("/field/ethics").await;
    assert!(ethics.body.contains("Vi presser aldrig"));
    let p = amb.post("/field/ethics", &[("version", "1")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);

    // a bad count is named at its field, and nothing is stored
    let mut bad = fields.clone();
    bad[5] = ("count", "0");
    amb.get("/field/conversation").await;
    let p = amb.post("/field/conversation", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"count-error\""));
    assert!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().is_empty());
    let p = amb.post("/field/conversation", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let logged = s.list_conversations(Some(w.ambassador), 10).await.unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].conversation.count, 2);

    // a changed frame must be accepted again before more field work
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.get("/plan/ethics").await;
    coordinator.post("/plan/ethics", &[("text", "Ny ramme: vi presser aldrig.")]).await;
    amb.get("/field/conversation").await;
    assert_eq!(amb.post("/field/conversation", &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.list_conversations(Some(w.ambassador), 10).await.unwrap().len(), 1);

    // other roles do no field work, and the refusal is audited
    let mut cw = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw.get("/field").await.status, StatusCode::FORBIDDEN);
    assert_eq!(coordinator.get("/field/register").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn an_ambassador_registers_a_consenting_woman_once() {
    let w = world().await;
    let s = &w.db.store;
    let area = s.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    ready_for_field_work(&w, area.id).await;
    let mut amb = Client::login(&w.app, "amb").await;
    amb.get("/field/ethics").await;
    amb.post("/field/ethics", &[("version", "1")]).await;

    // her language's consent text is shown right-to-left, marked for review, with the Danish
    let form = amb.get("/field/register?lang=ar").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("lang=\"ar\" dir=\"rtl\""), "{}", form.body);
    assert!(form.body.contains("data-testid=\"needs-review\""));
    assert!(form.body.contains("Jeg siger ja til"));

    let area_id = area.id.to_string();
    let mut fields = vec![
        ("consent_language", "ar"),
        ("given_name", "Fadumo"),
        ("phone", "61 23 45 67"),
        ("language", "so"),
        ("best_time_to_call", "evening"),
        ("area_id", area_id.as_str()),
        ("phone_hers_alone", "on"),
    ];
    let people = s.count_people().await.unwrap();
    // no consent: nothing stored, the field named, the attempt audited
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"consent-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    // a phone that does not parse
    fields.push(("consent", "on"));
    fields[2] = ("phone", "12ab");
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"phone-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    let denied = s.list_audit(&AuditQuery { user_id: Some(w.ambassador), ..Default::default() }).await.unwrap();
    assert!(denied.iter().filter(|e| e.action == "denied" && e.detail.starts_with("invalid=")).count() >= 2);

    fields[2] = ("phone", "61 23 45 67");
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/field?done=registered"));
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    // she is in the ambassador's own list with her next step, not her case
    let home = amb.get("/field").await;
    assert!(home.body.contains("Fadumo"));
    // one woman is one person: the same woman again adds no one
    amb.get("/field/register").await;
    let p = amb.post("/field/register", &fields).await;
    assert_eq!(p.location.as_deref(), Some("/field?done=known"));
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    // letters at home not allowed: she is safe-contact-only (G-2.4); shown on her page
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    coordinator.post("/people/search", &[("name", "Fadumo")]).await;
    let list = coordinator.get("/people").await;
    assert!(list.body.contains("Fadumo"), "{}", list.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn coordinators_keep_ambassador_records_and_follow_ups() {
    let w = world().await;
    let s = &w.db.store;
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let list = coordinator.get("/ambassadors").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Navn amb"));
    // a follow-up meeting with a bad number of hours is refused at the field
    let path = format!("/ambassadors/{}/follow-ups", w.ambassador);
    coordinator.get(&format!("/ambassadors/{}", w.ambassador)).await;
    let p = coordinator.post(&path, &[("held_on", "2026-11-20"), ("hours", "mange"), ("notes", "God start")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"hours-error\""));
    assert!(s.list_ambassador_follow_ups(Some(w.ambassador)).await.unwrap().is_empty());
    let p = coordinator
        .post(
            &path,
            &[
                ("held_on", "2026-11-20"),
                ("hours", "7,5"),
                ("notes", "God start"),
                ("agreed_actions", "Legepladsen tirsdag"),
                ("topics_covered", "challenges"),
                ("topics_covered", "confidentiality"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let f = s.list_ambassador_follow_ups(Some(w.ambassador)).await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].follow_up.minutes_worked, 450);
    assert_eq!(f[0].follow_up.topics_covered.len(), 2);
    let page = coordinator.get(&format!("/ambassadors/{}", w.ambassador)).await;
    assert!(page.body.contains("Legepladsen tirsdag"));
    // a profile page for someone who is not an ambassador does not exist
    let cw = s.find_login("cw-nord").await.unwrap().unwrap().0.id;
    assert_eq!(coordinator.get(&format!("/ambassadors/{cw}")).await.status, StatusCode::NOT_FOUND);
    // ambassadors and caseworkers keep out of the coordinator's pages
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/ambassadors").await.status, StatusCode::FORBIDDEN);
    assert_eq!(amb.get("/areas").await.status, StatusCode::FORBIDDEN);
    assert_eq!(amb.get("/plan/ethics").await.status, StatusCode::FORBIDDEN);
    let mut cw_client = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw_client.get(&format!("/ambassadors/{}", w.ambassador)).await.status, StatusCode::FORBIDDEN);
    let areas = coordinator.get("/areas").await;
    assert_eq!(areas.status, StatusCode::OK);
    w.db.cleanup().await;
}

fn link_in(body: &str) -> String {
    let start = body.find("data-testid=\"referral-link\">").expect("the new link is shown") + 28;
    let rest = &body[start..];
    let url = &rest[..rest.find('<').unwrap()];
    url[url.find("/r/").unwrap()..].to_string()
}

#[tokio::test]
async fn coordinators_keep_a_partner_register_with_agreements_and_follow_ups() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get("/partners").await;
    let before = s.list_partners().await.unwrap().len();
    // a partner without a name or kind is refused at its fields, and nothing is stored
    let p = c.post("/partners", &[("name", ""), ("kind", "nonsense")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"name-error\"") && p.body.contains("id=\"kind-error\""));
    assert_eq!(s.list_partners().await.unwrap().len(), before);
    let p = c
        .post(
            "/partners",
            &[
                ("name", "Sundhedsplejen Vest"),
                ("kind", "health_visitor"),
                ("contact_persons", "Ida 11223344"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let path = p.location.unwrap();
    c.get(&path).await;
    // G-7.5: an agreement whose review date has passed is refused
    let agreement = |review: &'static str| {
        [
            ("guidelines", "Vi henviser kun med samtykke."),
            ("core_task_benefit", "Mødrene får hjælp til sprog og job."),
            ("ethics", "Vi presser ikke; relationen til sundhedsplejen går først."),
            ("confidentiality", "Kun navn, telefon og sprog gives videre."),
            ("review_on", review),
        ]
    };
    let p = c.post(&format!("{path}/agreement"), &agreement("2020-01-01")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"review_on-error\""));
    let p = c.post(&format!("{path}/agreement"), &agreement("2099-06-01")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let record =
        s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sundhedsplejen Vest").unwrap();
    assert_eq!(record.agreement.unwrap().review_on, date!(2099 - 06 - 01));
    // G-7.6: the four questions, with the count kept
    c.get(&path).await;
    let p = c.post(&format!("{path}/follow-ups"), &[("held_on", "2026-11-20"), ("women_talked_to", "mange")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"women_talked_to-error\""));
    let p = c
        .post(
            &format!("{path}/follow-ups"),
            &[
                ("held_on", "2026-11-20"),
                ("women_talked_to", "6"),
                ("presentation_note", "Det virker at nævne danskundervisning"),
                ("support_note", "Flere foldere på somali"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = c.get(&path).await;
    assert!(page.body.contains("data-testid=\"partner-yield\"") && page.body.contains("Flere foldere på somali"));
    // no one else manages partners
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/partners").await.status, StatusCode::FORBIDDEN);
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(partner.get(&path).await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_one_time_link_refers_one_woman_and_then_refuses() {
    let w = world().await;
    let s = &w.db.store;
    let org = s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sprogcenter").unwrap().id;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get(&format!("/partners/{org}")).await;
    let p = c.post(&format!("/partners/{org}/links"), &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let link = link_in(&p.body);

    // no account needed; her consent text in her language, right to left
    let mut visitor = Client::new(&w.app);
    let form = visitor.get(&format!("{link}?lang=ar")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(form.body.contains("Sprogcenter"));
    let people = s.count_people().await.unwrap();
    let mut fields =
        vec![("given_name", "Hibo"), ("phone", "31 22 33 44"), ("language", "so"), ("contact_preference", "phone")];
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "no consent");
    assert!(p.body.contains("id=\"consent-error\""));
    assert_eq!(s.count_people().await.unwrap(), people);
    fields.push(("consent", "on"));
    fields.push(("status_consent", "on"));
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-testid=\"referral-message\""));
    assert!(!p.body.contains("Modtaget"), "a link gets a receipt, no status");
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    // the link is used up: a second referral is refused and nothing is stored
    let again = visitor.get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    let p = visitor.post(&link, &fields).await;
    assert_eq!(p.status, StatusCode::GONE);
    assert_eq!(s.count_people().await.unwrap(), people + 1);
    assert_eq!(visitor.get("/r/not-a-real-token").await.status, StatusCode::NOT_FOUND);
    let refusals = s.list_audit(&AuditQuery::default()).await.unwrap();
    assert!(refusals.iter().filter(|e| e.action == "denied" && e.detail.starts_with("link=")).count() >= 3);

    // the partner's account sees her, with the status she agreed to share
    let mut partner = Client::login(&w.app, "partner").await;
    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Hibo") && list.body.contains("Modtaget"), "{}", list.body);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_partner_sees_its_own_referrals_and_a_status_only_with_her_consent() {
    let w = world().await;
    let s = &w.db.store;
    let mut partner = Client::login(&w.app, "partner").await;
    partner.get("/referrals/new").await;
    let base = [("consent", "on"), ("language", "ar"), ("contact_preference", "through_partner")];
    let with = [&base[..], &[("given_name", "Asha"), ("status_consent", "on")]].concat();
    let without = [&base[..], &[("given_name", "Warda")]].concat();
    assert_eq!(partner.post("/referrals/new", &with).await.status, StatusCode::SEE_OTHER);
    partner.get("/referrals/new").await;
    assert_eq!(partner.post("/referrals/new", &without).await.status, StatusCode::SEE_OTHER);
    // a phone is needed when she wants to be called
    partner.get("/referrals/new").await;
    let call_me = [("consent", "on"), ("language", "ar"), ("contact_preference", "phone"), ("given_name", "Nimo")];
    let p = partner.post("/referrals/new", &call_me).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"phone-error\""));

    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Asha") && list.body.contains("Warda"), "{}", list.body);
    assert!(list.body.contains("Modtaget"));
    assert!(list.body.contains("Deles ikke"));

    // the coordinator meets Asha: the partner then sees "contacted", and no more
    let asha = s
        .list_referrals(
            s.list_partners().await.unwrap().into_iter().find(|p| p.details.name == "Sprogcenter").unwrap().id,
            w.initiative,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.given_name == "Asha")
        .unwrap()
        .person_id;
    let mut c = Client::login(&w.app, "koordinator").await;
    c.get(&format!("/people/{asha}")).await;
    let initiative = w.initiative.to_string();
    let p = c
        .post(
            &format!("/people/{asha}/events"),
            &[
                ("initiative", initiative.as_str()),
                ("kind", "intro_meeting_held"),
                ("channel", "in_person"),
                ("language", "ar"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let list = partner.get("/referrals").await;
    assert!(list.body.contains("Kontaktet"), "{}", list.body);
    assert!(!list.body.contains("Mødt"), "no stage beyond the coarse status");

    // another partner sees none of them
    let other_org = s.create_partner_org("Beboerhuset").await.unwrap();
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let nu = NewUser { username: "partner2".into(), display_name: "P2".into(), role: Role::Partner, team_id: None };
    let extra = UserExtra { partner_org_id: Some(other_org), ..Default::default() };
    s.create_user(&nu, &hash, &extra, &sys()).await.unwrap();
    let mut other = Client::login(&w.app, "partner2").await;
    let theirs = other.get("/referrals").await;
    assert!(!theirs.body.contains("Asha") && !theirs.body.contains("Warda"));
    assert_eq!(other.get(&format!("/people/{asha}")).await.status, StatusCode::NOT_FOUND);
    // ambassadors and caseworkers do not refer through the partner pages
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/referrals/new").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn intro_meetings_are_planned_and_shown_to_ambassadors() {
    let w = world().await;
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let page = cw.get("/meetings").await;
    assert_eq!(page.status, StatusCode::OK);
    let ahead = (OffsetDateTime::now_utc().date() + time::Duration::days(7)).to_string();
    let mut fields =
        vec![("date", ahead.as_str()), ("time", "25.00"), ("place", "Beboerhuset"), ("languages", "so, da")];
    let p = cw.post("/meetings", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"time-error\""));
    assert!(
        w.db.store.upcoming_intro_meetings(w.initiative, OffsetDateTime::now_utc().date()).await.unwrap().is_empty()
    );
    fields[1] = ("time", "10.30");
    fields.push(("spouse_welcome", "on"));
    let p = cw.post("/meetings", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // the ambassador sees it among the meetings ahead, to invite her women
    let mut amb = Client::login(&w.app, "amb").await;
    let field = amb.get("/field").await;
    assert!(field.body.contains("data-testid=\"meetings\"") && field.body.contains("Beboerhuset"), "{}", field.body);
    assert!(field.body.contains("somali"));
    assert_eq!(amb.get("/meetings").await.status, StatusCode::FORBIDDEN);
    let mut partner = Client::login(&w.app, "partner").await;
    assert_eq!(partner.post("/meetings", &fields).await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

fn plan_form<'a>(target: &'a str, resources: &'a str, review: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("target_group", target),
        ("challenges", "Mange er isolerede og kender ikke tilbuddene."),
        ("why", "Flere kvinder i job giver økonomisk selvstændighed."),
        ("how", "Breve, ambassadører og samarbejdspartnere."),
        ("methods", "register_search"),
        ("methods", "ambassadors"),
        ("methods_why", "Registre finder de isolerede; ambassadører når dem, brevet ikke når."),
        ("ethics_frame", "Vi presser aldrig."),
        ("resources", resources),
        ("programme_seats", "40"),
        ("legal_frame", "Lov om aktiv beskæftigelsesindsats."),
        ("sources", "Folkeregister (CPR-udtræk)\nIndkomstregister"),
        ("rules_ref", "udsøgning-2026.toml sha256:ab12"),
        ("legal_basis_text", "Kommunen må behandle oplysningerne som led i myndighedsudøvelse."),
        ("legal_basis_reference", "Databeskyttelseslovens § 6, jf. forordningens art. 6, stk. 1, litra e"),
        ("dpia_exists", "on"),
        ("dpia_reference", "DPIA 2026-14"),
        ("dpia_date", "2026-10-01"),
        ("review_on", review),
    ]
}

#[tokio::test]
async fn a_plan_is_versioned_and_its_legal_basis_approved_by_a_second_coordinator() {
    let w = world().await;
    let s = &w.db.store;
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let nu =
        NewUser { username: "koordinator2".into(), display_name: "K2".into(), role: Role::Coordinator, team_id: None };
    s.create_user(&nu, &hash, &UserExtra::default(), &sys()).await.unwrap();
    let review = (OffsetDateTime::now_utc().date() + time::Duration::days(180)).to_string();

    let mut author = Client::login(&w.app, "koordinator").await;
    assert!(author.get("/plan").await.body.contains("data-testid=\"plan-gate-closed\""));
    // a plan without a target group is refused at the field, and nothing is stored
    let p = author.post("/plan", &plan_form("", "To konsulenter", &review)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"target_group-error\""));
    assert!(s.plan_versions(w.initiative).await.unwrap().is_empty());
    let p = author.post("/plan", &plan_form("Kvinder 18–64", "To konsulenter", &review)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // G-5.3: no search before a second coordinator approves; the author cannot
    let page = author.get("/plan").await;
    assert!(page.body.contains("data-testid=\"plan-gate-closed\""));
    assert!(!page.body.contains("data-testid=\"approve-form\""));
    let p = author.post("/plan/approve", &[("version", "1"), ("note", "")]).await;
    assert!(p.location.as_deref().unwrap_or_default().contains("refused=error-plan-approve-own-version"));
    assert!(s.plan_versions(w.initiative).await.unwrap()[0].approval.is_none());

    let mut second = Client::login(&w.app, "koordinator2").await;
    assert!(second.get("/plan").await.body.contains("data-testid=\"approve-form\""));
    let p = second.post("/plan/approve", &[("version", "1"), ("note", "Set af jurist")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(second.get("/plan").await.body.contains("data-testid=\"plan-gate-open\""));

    // a change to resources keeps the approval; a change of target group withdraws it
    let p = second.post("/plan", &plan_form("Kvinder 18–64", "Tre konsulenter", &review)).await;
    assert_eq!(p.location.as_deref(), Some("/plan?saved=1"));
    assert!(second.get("/plan").await.body.contains("data-testid=\"plan-gate-open\""));
    let p = second.post("/plan", &plan_form("Kvinder 25–64", "Tre konsulenter", &review)).await;
    assert!(p.location.as_deref().unwrap_or_default().starts_with("/plan?withdrawn=target_group"));
    let page = second.get(p.location.as_deref().unwrap()).await;
    assert!(page.body.contains("data-testid=\"plan-gate-closed\"") && page.body.contains("Målgruppen"));
    let versions = s.plan_versions(w.initiative).await.unwrap();
    assert_eq!(versions.len(), 3, "every save keeps the earlier versions");
    assert_eq!(versions[0].plan.target_group, "Kvinder 18–64");
    assert!(versions[1].approval.is_some() && versions[2].approval.is_none());

    // the ethics frame in the plan is the one ambassadors accept
    assert_eq!(s.ethics_frame(w.initiative).await.unwrap().unwrap().text, "Vi presser aldrig.");
    let mut cw = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw.get("/plan").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

#[tokio::test]
async fn letter_templates_are_checked_as_she_would_read_them_and_translations_reviewed() {
    let w = world().await;
    let s = &w.db.store;
    let mut c = Client::login(&w.app, "koordinator").await;
    let list = c.get("/letters").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("href=\"/letters/ar\"") && list.body.contains("href=\"/letters/da\""));
    // the shipped Danish letter passes the check; the preview has her sample name filled in
    let da = c.get("/letters/da").await;
    assert!(da.body.contains("data-testid=\"letter-clean\""), "{}", da.body);
    assert!(!da.body.contains("{contact_phone}</p>"));
    // a text without the contact person's phone cannot be saved, and nothing is stored
    let p = c
        .post(
            "/letters/da",
            &[("headline", "Et tilbud til dig"), ("body", "Kære {name}\n\nVi skriver til dig."), ("offer", "Kom.")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"body-error\""));
    assert!(s.letter_templates(w.initiative).await.unwrap().is_empty());
    // a letter that does not say it is voluntary is saved, but the check names the rule
    let body = "Kære {name}\n\n{municipality} skriver til dig. Ring til {contact_name} på {contact_phone}. Din kode er {response_code}.";
    let p = c
        .post(
            "/letters/da",
            &[("headline", "Et tilbud om job til dig"), ("body", body), ("offer", "Vi mødes {meeting}.")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = c.get("/letters/da").await;
    assert!(page.body.contains("opsog-finding-error") && page.body.contains("G-5.6"), "{}", page.body);
    assert!(page.body.contains("frivilligt"));
    // a machine-drafted translation needs review, is shown right to left, and is marked reviewed
    let ar = c.get("/letters/ar").await;
    assert!(ar.body.contains("data-testid=\"needs-review\"") && ar.body.contains("dir=\"rtl\""));
    let p = c.post("/letters/ar/reviewed", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(c.get("/letters/ar").await.body.contains("data-testid=\"letter-reviewed\""));
    let saved = s.letter_templates(w.initiative).await.unwrap();
    assert!(saved.iter().any(|t| t.template.language == "ar" && t.template.reviewed));
    // the live check answers with the findings for the text as typed, and stores nothing
    let before = s.letter_templates(w.initiative).await.unwrap();
    c.get("/letters/da").await;
    let live = c
        .post("/letters/da/check", &[("headline", "Et tilbud om job til dig"), ("body", body), ("offer", "Vi mødes.")])
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.body.contains("opsog-finding-error") && !live.body.contains("<html"), "{}", live.body);
    let typo =
        c.post("/letters/da/check", &[("headline", "Et tilbud"), ("body", "Kære {navn}"), ("offer", "Kom.")]).await;
    assert!(typo.body.contains("data-testid=\"letter-field-errors\""), "{}", typo.body);
    assert_eq!(s.letter_templates(w.initiative).await.unwrap(), before);
    assert_eq!(c.get("/letters/xx").await.status, StatusCode::NOT_FOUND);
    let mut cw = Client::login(&w.app, "cw-nord").await;
    assert_eq!(cw.get("/letters").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

// --- register search (issue 3)

fn multipart(csrf: &str, kind: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----opsogtestboundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("kind", kind)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    async fn upload(&mut self, kind: &str, file_name: &str, content: &[u8]) -> Page {
        let (content_type, body) = multipart(&self.csrf.clone(), kind, file_name, content);
        let req = self
            .request("POST", "/register/upload")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// Windows-1252, `;`, Danish dates: as a municipal system exports the population.
fn population_csv() -> Vec<u8> {
    let text = "CPR-nr;Fornavn;Efternavn;Køn;Fødselsdato;Oprindelsesland;Adresse;Postnr;By;Distrikt;Indrejsedato\r\n\
        120385-4312;Fatma;Yilmaz;K;12-03-1985;TR;Vestervej 4;5820;Søby;vestparken;01-02-2010\r\n\
        010190-4128;Leila;Ahmadi;K;01-01-1990;IR;Nørregade 2;5810;Søby;noerrevang;15-06-2012\r\n\
        020488-4320;Mariam;Yusuf;K;02-04-1988;SO;Østergade 9;5840;Søby;oestbyen;01-09-2024\r\n\
        030375-4311;Ali;Hassan;M;03-03-1975;SY;Vestervej 4;5820;Søby;vestparken;01-02-2010\r\n\
        050580-4128;Karen;Jensen;K;05-05-1980;DK;Strandvej 1;5860;Søby;strandby;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

fn income_csv(bad_date: bool) -> Vec<u8> {
    let month = if bad_date { "2026-13" } else { "2026-05" };
    format!("\u{feff}CPR;Måned;Beløb;Indkomsttype\r\n0101904128;2026-04;21.500,00;Løn\r\n0101904128;{month};21.500,00;Løn\r\n").into_bytes()
}

fn mapping_form(page: &Page) -> Vec<(String, String)> {
    // The selects as the page chose them: every `<option … selected>` of each select.
    let mut fields = Vec::new();
    for part in page.body.split("<select class=\"form-select\" id=\"").skip(1) {
        let name = &part[part.find("name=\"").unwrap() + 6..];
        let name = &name[..name.find('"').unwrap()];
        let chosen = part[..part.find("</select>").unwrap()]
            .split("<option value=\"")
            .skip(1)
            .find(|o| o.contains(" selected>"))
            .map(|o| o[..o.find('"').unwrap()].to_string())
            .unwrap_or_default();
        fields.push((name.to_string(), chosen.replace("&#x20;", " ")));
    }
    fields
}

#[tokio::test]
async fn a_coordinator_uploads_maps_dry_runs_and_runs_a_register_search_under_an_approved_plan() {
    let w = world().await;
    let s = &w.db.store;
    let extract_dir = std::env::temp_dir().join(format!("opsog-web-extracts-{}", Uuid::new_v4()));
    let config = web::WebConfig { secure_cookies: false, extract_dir: extract_dir.clone(), ..Default::default() };
    let app = web::router(web::AppState::new(s.clone(), config, key()).unwrap());
    s.create_area("vestparken", "Vestparken", &["5820".into()]).await.unwrap();
    let hash = app::auth::hash_password(PASSWORD).unwrap();
    let nu =
        NewUser { username: "koordinator2".into(), display_name: "K2".into(), role: Role::Coordinator, team_id: None };
    s.create_user(&nu, &hash, &UserExtra::default(), &sys()).await.unwrap();

    let mut c = Client::login(&app, "koordinator").await;
    let hub = c.get("/register").await;
    assert_eq!(hub.status, StatusCode::OK);
    assert!(hub.body.contains("data-testid=\"register-gate-closed\""));

    // Upload the population: the mapping page suggests every column and hides CPR numbers.
    let p = c.upload("population", "befolkning.csv", &population_csv()).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mapping_url = p.location.unwrap();
    let page = c.get(&mapping_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Oprindelsesland") && page.body.contains("Søby"), "Windows-1252 read: {}", page.body);
    assert!(!page.body.contains("120385-4312") && !page.body.contains("1203854312"), "CPR masked in the sample");
    let fields = mapping_form(&page);
    assert!(fields.iter().any(|(k, v)| k == "cpr" && v == "CPR-nr"), "{fields:?}");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let p = c.post(&mapping_url, &form).await;
    assert_eq!(p.location.as_deref(), Some("/register?imported=5"), "{}", p.body);

    // An income extract with an impossible month: file, row and column named, nothing kept.
    let p = c.upload("income", "eindkomst.csv", &income_csv(true)).await;
    let url = p.location.unwrap();
    let fields = mapping_form(&c.get(&url).await);
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let p = c.post(&url, &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("eindkomst.csv") && p.body.contains("Række 3") && p.body.contains("Måned"), "{}", p.body);
    assert!(p.body.contains("Intet fra filen er indlæst"));
    assert_eq!(s.register_sources(w.initiative).await.unwrap().len(), 1);
    assert_eq!(std::fs::read_dir(extract_dir.join("pending")).unwrap().count(), 0, "the failed upload is gone");
    // The file fixed is read (a failed import saved nothing, not even its mapping).
    let p = c.upload("income", "eindkomst.csv", &income_csv(false)).await;
    let url = p.location.unwrap();
    let fields = mapping_form(&c.get(&url).await);
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(c.post(&url, &form).await.location.as_deref(), Some("/register?imported=2"));
    // Benefits: `,`-separated UTF-8 with quoted Danish amounts.
    let benefits = "CPR,Måned,Ydelsestype,Beløb\r\n010190-4128,01.03.2026,Kontanthjælp,\"6.820,00\"\r\n";
    let p = c.upload("benefits", "ydelser.csv", benefits.as_bytes()).await;
    let url = p.location.unwrap();
    let fields = mapping_form(&c.get(&url).await);
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(c.post(&url, &form).await.location.as_deref(), Some("/register?imported=1"));

    // Rules: the guide's template, saved; a missing reason is refused at its row.
    c.get("/register/rules?template=self_supporting_women").await;
    let rules = domain::selection::template("self_supporting_women").unwrap();
    let input = rules.to_input(0);
    let mut form: Vec<(&str, String)> = vec![
        ("name", input.name.clone()),
        ("female_only", "on".into()),
        ("min_age", input.min_age.clone()),
        ("max_age", input.max_age.clone()),
        ("non_western_only", "on".into()),
        ("more_than_years_in_denmark", input.more_than_years_in_denmark.clone()),
    ];
    for i in 0..input.step_source.len() {
        form.push(("step_action", input.step_action[i].clone()));
        form.push(("step_source", input.step_source[i].clone()));
        form.push(("step_within_months", input.step_within_months[i].clone()));
        form.push(("step_amount_above", input.step_amount_above[i].clone()));
        form.push(("step_types", input.step_types[i].clone()));
        form.push(("step_in_force", input.step_in_force[i].clone()));
        form.push(("step_reason", if i == 1 { String::new() } else { input.step_reason[i].clone() }));
    }
    let bad: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = c.post("/register/rules", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(s.selection_rules(w.initiative).await.unwrap().is_empty());
    let missing = form.iter().rposition(|(k, v)| *k == "step_reason" && v.is_empty()).unwrap();
    form[missing].1 = input.step_reason[1].clone();
    let good: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = c.post("/register/rules", &good).await;
    assert_eq!(p.location.as_deref(), Some("/register?rules_saved=1"), "{}", p.body);
    let saved = s.selection_rules(w.initiative).await.unwrap();
    assert_eq!(domain::selection::Rules::from_toml(&saved[0].toml).unwrap(), rules);

    // Dry run: counts per step, nothing written.
    let people_before = s.count_people().await.unwrap();
    let p = c.post("/register/dry-run", &[]).await;
    assert!(p.body.contains("data-testid=\"dry-run-counts\""), "{}", p.body);
    // Women, non-Western, more than 3 years here: Fatma, Leila (Mariam came 2024); Leila has income.
    assert!(p.body.contains("1 kandidater"), "{}", p.body);
    assert_eq!(s.count_people().await.unwrap(), people_before);

    // Without an approved plan naming these rules the run is refused, and the refusal logged.
    let p = c.post("/register/run", &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count_people().await.unwrap(), people_before);
    let log = s.list_audit(&AuditQuery { limit: 1000, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.action == "denied" && e.origin == "POST /register/run"));
    let review = (OffsetDateTime::now_utc().date() + time::Duration::days(180)).to_string();
    let reference = format!("udvaelgelse.toml {}", domain::selection::Rules::reference(&saved[0].toml));
    let mut plan = plan_form("Kvinder 18–64", "To konsulenter", &review);
    plan.retain(|(k, _)| *k != "rules_ref");
    plan.push(("rules_ref", &reference));
    c.get("/plan").await;
    assert_eq!(c.post("/plan", &plan).await.status, StatusCode::SEE_OTHER);
    let mut second = Client::login(&app, "koordinator2").await;
    second.get("/plan").await;
    assert_eq!(second.post("/plan/approve", &[("version", "1"), ("note", "")]).await.status, StatusCode::SEE_OTHER);

    c.get("/register").await;
    let p = c.post("/register/run", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The run goes on in the background; its job's page opens the run when done.
    let run_url = follow_job(&mut c, &p.location.unwrap()).await;
    assert!(run_url.starts_with("/register/runs/"), "{run_url}");
    assert_eq!(s.count_people().await.unwrap(), people_before + 1);
    // The extracts are gone from disk, and the deletion is recorded.
    assert!(s.register_sources(w.initiative).await.unwrap().iter().all(|x| x.deleted_at.is_some()));
    assert_eq!(std::fs::read_dir(&extract_dir).unwrap().filter(|e| e.as_ref().unwrap().path().is_file()).count(), 0);
    let run = c.get(&run_url).await;
    assert!(run.body.contains("befolkning.csv") && run.body.contains("Databeskyttelseslovens"), "{}", run.body);
    // Fatma is in the people list, at "identified", with the run as her source, and her
    // letter language is Turkish, marked as only inferred from her country of origin.
    let list = c.get("/people").await;
    assert!(list.body.contains("Fatma"));
    let at = list.body.find(">Fatma").unwrap();
    let start = list.body[..at].rfind("href=\"").unwrap() + 6;
    let href = &list.body[start..start + list.body[start..].find('"').unwrap()];
    let fatma = c.get(href).await;
    assert!(fatma.body.contains("tyrkisk") && fatma.body.contains("udledt af oprindelsesland"), "{}", fatma.body);
    // Below coordinator level the overview goes through the suppression rule: one woman is hidden.
    let mut analyst = Client::login(&app, "analytiker").await;
    let page = analyst.get(&run_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"overview-suppressed\""));
    assert!(!page.body.contains("befolkning.csv"), "no file details below coordinator level");
    assert!(page.body.contains("skjult"));
    let mut cw = Client::login(&app, "cw-nord").await;
    assert_eq!(cw.get("/register").await.status, StatusCode::FORBIDDEN);
    assert_eq!(cw.post("/register/run", &[]).await.status, StatusCode::FORBIDDEN);
    let _ = std::fs::remove_dir_all(&extract_dir);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_caseworker_confirms_or_rejects_an_uncertain_link() {
    let w = world().await;
    let s = &w.db.store;
    let coordinator = s.list_users().await.unwrap().into_iter().find(|u| u.username == "koordinator").unwrap();
    let rules = s.save_selection_rules(w.initiative, "U", "name = \"x\"", coordinator.id, &sys()).await.unwrap();
    let candidate = |given: &str, cpr: &str| domain::selection::Candidate {
        given_name: given.into(),
        family_name: "Yusuf".into(),
        cpr: cpr.into(),
        birth_date: domain::Cpr::parse(cpr).unwrap().birth_date(),
        country_of_origin: "SO".into(),
        arrived_in_denmark: None,
        street: None,
        postcode: None,
        city: None,
        area_code: None,
        phone: Some("22334455".into()),
    };
    let review = |given: &str, cpr: &str, row: u64| store::LinkReviewWrite {
        list_kind: "language_school".into(),
        list_file: "sprogskole.csv".into(),
        list_row: row,
        probability: 0.7,
        list_name: format!("{given} Yussuf"),
        list_birth_date: None,
        list_phone: None,
        candidate: store::RunCandidate { candidate: candidate(given, cpr), dnc_hashes: vec![] },
    };
    let run = store::RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: w.initiative,
        plan_version: 1,
        legal_basis: "x".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum.clone(),
        sources: "[]".into(),
        counts: "{}".into(),
        overview: "{}".into(),
        run_by: coordinator.id,
        run_by_name: coordinator.display_name.clone(),
        run_at: OffsetDateTime::now_utc(),
    };
    s.accept_register_run(&run, &[], &[review("Mariam", "0204884320", 4), review("Hodan", "0305914322", 9)], &sys())
        .await
        .unwrap();
    let before = s.count_people().await.unwrap();
    let mut cw = Client::login(&w.app, "cw-nord").await;
    let page = cw.get("/register/review").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mariam Yussuf") && page.body.contains("Mariam Yusuf"), "{}", page.body);
    assert!(!page.body.contains("020488-4320"), "the CPR number is masked");
    let ids: Vec<String> =
        page.body.split("action=\"/register/review/").skip(1).map(|p| p[..p.find('"').unwrap()].to_string()).collect();
    assert_eq!(ids.len(), 2);
    let p = cw.post(&format!("/register/review/{}", ids[0]), &[("decision", "confirm")]).await;
    assert_eq!(p.location.as_deref(), Some("/register/review?decided=confirm"));
    cw.get("/register/review").await;
    let p = cw.post(&format!("/register/review/{}", ids[1]), &[("decision", "reject")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(s.count_people().await.unwrap(), before + 1, "a confirmed link becomes a person, a rejected one not");
    assert!(cw.get("/register/review").await.body.contains("data-testid=\"review-empty\""));
    let mut amb = Client::login(&w.app, "amb").await;
    assert_eq!(amb.get("/register/review").await.status, StatusCode::FORBIDDEN);
    w.db.cleanup().await;
}

// --- her answer (issue 4, item 4)

async fn issue_code(s: &SqlStore, person: Uuid, initiative: Uuid, random: u8, issued: OffsetDateTime) -> String {
    let code = domain::response::new_code(&[random; 16]);
    let record = store::ResponseCodeRecord {
        code_hash: domain::response::code_hash(&code),
        person_id: person,
        initiative_id: initiative,
        issued_at: issued,
        expires_at: domain::response::expires_at(issued),
        used_at: None,
    };
    s.issue_response_code(&record, &sys()).await.unwrap();
    domain::response::display(&code)
}

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

// --- the call list (issue 4, items 5–7)

/// Follows a job's page (`/jobs/…`) until it leads to what the job made, checking on
/// the way that it shows its progress; returns that address.
async fn follow_job(c: &mut Client, job_url: &str) -> String {
    assert!(job_url.starts_with("/jobs/"), "{job_url}");
    for _ in 0..600 {
        let j = c.get(job_url).await;
        if j.status == StatusCode::SEE_OTHER {
            return j.location.expect("a finished job leads somewhere");
        }
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        assert!(j.body.contains("data-job-progress"), "a running job shows its progress: {}", j.body);
        let p = c.get(&format!("{job_url}/progress")).await;
        assert!(p.body.contains(r#""running":"#), "{}", p.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the job at {job_url} did not finish within 30 s")
}

async fn letter_sent(s: &SqlStore, person: Uuid, initiative: Uuid, days_ago: i64) {
    let ev = store::NewEvent {
        person_id: person,
        initiative_id: initiative,
        input: domain::funnel::TransitionInput {
            kind: EventKind::LetterSent,
            at: OffsetDateTime::now_utc() - time::Duration::days(days_ago),
            channel: Channel::Letter,
            new_contact_data: false,
        },
        actor: store::EventActor { user_id: None, name: "brev".into() },
        language: None,
        interpreter_used: false,
        note: String::new(),
        do_not_contact: vec![],
    };
    s.record_event(&ev, &sys()).await.unwrap();
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

// --- the letter batch (issue 4, items 2, 3 and 7)

/// A register run with a rules version of its own, as a run leaves it.
async fn register_run(s: &SqlStore, initiative: Uuid, by: Uuid) -> Uuid {
    let rules = s.save_selection_rules(initiative, "test", "# rules\n", by, &sys()).await.unwrap();
    let run = store::RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id: initiative,
        plan_version: 1,
        legal_basis: "Lov om aktiv beskæftigelsesindsats".into(),
        rules_id: rules.id,
        rules_checksum: rules.checksum.clone(),
        sources: "[]".into(),
        counts: "[]".into(),
        overview: "{}".into(),
        run_by: by,
        run_by_name: "Navn koordinator".into(),
        run_at: OffsetDateTime::now_utc(),
    };
    s.accept_register_run(&run, &[], &[], &sys()).await.unwrap();
    run.id
}

/// A woman the run found, with or without CPR and address.
async fn run_woman(
    s: &SqlStore,
    initiative: Uuid,
    run: Uuid,
    given: &str,
    cpr: &str,
    language: &str,
    street: &str,
    safe_contact_only: bool,
) -> Uuid {
    let details = PersonInput {
        given_name: given.into(),
        family_name: "Testesen".into(),
        cpr: cpr.into(),
        languages: language.into(),
        street: street.into(),
        postcode: if street.is_empty() { String::new() } else { "5000".into() },
        city: if street.is_empty() { String::new() } else { "Odense C".into() },
        safe_contact_only: safe_contact_only.then(|| "on".into()),
        ..Default::default()
    }
    .parse(date!(2026 - 11 - 25))
    .unwrap();
    s.create_person(&store::testkit::new_person(initiative, None, details, SourceKind::RegisterRun, Some(run)), &sys())
        .await
        .unwrap()
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
        b.skipped.contains(&("safe_contact_only".to_string(), 1))
            && b.skipped.contains(&("do_not_contact".to_string(), 1))
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
    let amina_audit = audit_actions(s, amina).await;
    assert!(amina_audit.contains(&"send_letter_batch".to_string()), "{amina_audit:?}");
    assert!(amina_audit.contains(&"download_letters".to_string()), "{amina_audit:?}");
    assert!(!audit_actions(s, safe).await.contains(&"send_letter_batch".to_string()));

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

// --- the open door (issue 4, item 4; G-8.5)

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
    assert!(audit_actions(s, id).await.contains(&"self_referral".to_string()));

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
