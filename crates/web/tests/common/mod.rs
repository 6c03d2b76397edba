//! What the route tests of every area share: the world (two teams, their women, one
//! of each role), a browser-like client, and the helpers that build what a page needs.
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::funnel::{Channel, EventKind};
use domain::org::NewUser;
use domain::person::{PersonInput, SourceKind};
use domain::policy::Role;
use store::testkit::TestDb;
use store::{SqlStore, UserExtra};
use time::OffsetDateTime;
use time::macros::date;
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "a long test passphrase";

pub struct World {
    pub db: TestDb,
    pub app: Router,
    pub initiative: Uuid,
    /// Team Nord's woman (CPR 070761-4286) and Team Syd's woman.
    pub nord_person: Uuid,
    pub syd_person: Uuid,
    pub ambassador_person: Uuid,
    pub partner_person: Uuid,
    pub ambassador: Uuid,
}

pub fn sys() -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("test"),
        action: AuditAction::BatchJob,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    }
}

pub fn key() -> DncKey {
    DncKey::new(vec![7; 32]).unwrap()
}

pub fn app_for(store: &SqlStore) -> Router {
    let config = web::WebConfig { secure_cookies: false, ..Default::default() };
    web::router(web::AppState::new(store.clone(), config, key()).unwrap())
}

pub async fn person(
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
    s.create_person(&store::testkit::new_person(init, team, details, source, reference), &[], &sys()).await.unwrap()
}

pub async fn world() -> World {
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
    let initiative = store::testkit::initiative();
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

/// A browser: keeps the session cookie, the public pages' form cookie and the last
/// CSRF token it saw.
pub struct Client {
    pub app: Router,
    pub cookie: Option<String>,
    pub form_cookie: Option<String>,
    pub csrf: String,
    /// Sent as `X-Forwarded-For` (for an app that trusts that header).
    pub address: Option<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Client {
    pub fn new(app: &Router) -> Client {
        Client { app: app.clone(), cookie: None, form_cookie: None, csrf: String::new(), address: None }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            if let Some(token) = pair.strip_prefix("opsog_session=") {
                self.cookie = (!token.is_empty()).then(|| token.to_string());
            }
            if let Some(token) = pair.strip_prefix("opsog_form=") {
                self.form_cookie = (!token.is_empty()).then(|| token.to_string());
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

    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        let mut cookies = Vec::new();
        if let Some(c) = &self.cookie {
            cookies.push(format!("opsog_session={c}"));
        }
        if let Some(c) = &self.form_cookie {
            cookies.push(format!("opsog_form={c}"));
        }
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(a) = &self.address {
            b = b.header("x-forwarded-for", a.as_str());
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// POSTs a form with the current CSRF token (unless the fields carry their own).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
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

    pub async fn login(app: &Router, username: &str) -> Client {
        let mut c = Client::new(app);
        c.get("/login").await;
        let p = c.post("/login", &[("username", username), ("password", PASSWORD)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "login {username}: {}", p.body);
        let key = (app as *const Router as usize, username.to_string());
        let mut to = p.location.unwrap_or_default();
        // Coordinators and admins log in in two steps (issue 13, item 4): the first
        // login sets up the app, later ones give its code.
        for _ in 0..3 {
            if to.starts_with("/login/setup") {
                let page = c.get(&to).await;
                let secret = totp_secret_on(&page.body);
                let step = next_code_step(&key, None);
                let code = domain::second_factor::code_at_step(&secret, step);
                let done = c.post("/login/setup", &[("secret", &secret.to_base32()), ("code", &code)]).await;
                assert_eq!(done.status, StatusCode::OK, "setting up {username}'s second factor: {}", done.body);
                SECRETS.lock().unwrap().insert(key.clone(), (secret.to_base32(), step));
                to = done
                    .body
                    .split("data-testid=\"recovery-continue\"")
                    .next()
                    .and_then(|b| b.rsplit("href=\"").next())
                    .and_then(|h| h.split('"').next())
                    .unwrap_or("/")
                    .to_string();
            } else if to.starts_with("/login/code") {
                let secret =
                    SECRETS.lock().unwrap().get(&key).map(|(s, _)| s.clone()).expect("a secret set up earlier");
                let secret = domain::second_factor::TotpSecret::from_base32(&secret).unwrap();
                let step = next_code_step(&key, Some(&secret));
                let code = domain::second_factor::code_at_step(&secret, step);
                c.get(&to).await;
                let done = c.post("/login/code", &[("code", &code)]).await;
                assert_eq!(done.status, StatusCode::SEE_OTHER, "{username}'s code: {}", done.body);
                to = done.location.unwrap_or_default();
            } else {
                break;
            }
        }
        c.get("/").await;
        c
    }
}

/// The second factors the test logins set up: per app (its address) and username,
/// the secret and the last time step whose code was given.
static SECRETS: std::sync::Mutex<std::collections::BTreeMap<(usize, String), (String, i64)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The secret a setup page shows (`data-testid="totp-secret"`).
pub fn totp_secret_on(body: &str) -> domain::second_factor::TotpSecret {
    let start = body.find("data-testid=\"totp-secret\">").expect("the setup page shows the secret") + 26;
    let text = &body[start..start + body[start..].find('<').unwrap()];
    domain::second_factor::TotpSecret::from_base32(text).unwrap()
}

/// A time step whose code has not been given yet for this login: a code is spent
/// once used, so a second login within 30 s takes the next step's code (the server
/// takes one step either side), and a fourth waits for the clock.
fn next_code_step(key: &(usize, String), secret: Option<&domain::second_factor::TotpSecret>) -> i64 {
    loop {
        let now = domain::second_factor::step_at(OffsetDateTime::now_utc().unix_timestamp());
        let last = if secret.is_some() { SECRETS.lock().unwrap().get(key).map(|(_, l)| *l) } else { None };
        let step = last.map_or(now, |l| (l + 1).max(now - 1));
        if step <= now + 1 {
            if let Some((_, last)) = SECRETS.lock().unwrap().get_mut(key) {
                *last = step;
            }
            return step;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => char::from(b).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An area, and the ambassador logged in and at work there: ready for field work, and
/// her own acceptance of the ethics frame (G-6).
pub async fn ambassador_at_work(w: &World) -> (Uuid, Client) {
    let area = w.db.store.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    ready_for_field_work(w, area.id).await;
    let mut amb = Client::login(&w.app, "amb").await;
    amb.get("/field/ethics").await;
    assert_eq!(amb.post("/field/ethics", &[("version", "1")]).await.status, StatusCode::SEE_OTHER);
    (area.id, amb)
}

/// Makes the ambassador ready for field work the way a coordinator does it: her profile
/// with the duty of confidentiality signed, and an ethics frame for the initiative.
pub async fn ready_for_field_work(w: &World, area: Uuid) {
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

pub fn link_in(body: &str) -> String {
    let start = body.find("data-testid=\"referral-link\">").expect("the new link is shown") + 28;
    let rest = &body[start..];
    let url = &rest[..rest.find('<').unwrap()];
    url[url.find("/r/").unwrap()..].to_string()
}

pub fn plan_form<'a>(target: &'a str, resources: &'a str, review: &'a str) -> Vec<(&'a str, &'a str)> {
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

pub fn multipart(csrf: &str, kind: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
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
    pub async fn upload(&mut self, kind: &str, file_name: &str, content: &[u8]) -> Page {
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
pub fn population_csv() -> Vec<u8> {
    let text = "CPR-nr;Fornavn;Efternavn;Køn;Fødselsdato;Oprindelsesland;Adresse;Postnr;By;Distrikt;Indrejsedato\r\n\
        120385-4312;Fatma;Yilmaz;K;12-03-1985;TR;Vestervej 4;5820;Søby;vestparken;01-02-2010\r\n\
        010190-4128;Leila;Ahmadi;K;01-01-1990;IR;Nørregade 2;5810;Søby;noerrevang;15-06-2012\r\n\
        020488-4320;Mariam;Yusuf;K;02-04-1988;SO;Østergade 9;5840;Søby;oestbyen;01-09-2024\r\n\
        030375-4311;Ali;Hassan;M;03-03-1975;SY;Vestervej 4;5820;Søby;vestparken;01-02-2010\r\n\
        050580-4128;Karen;Jensen;K;05-05-1980;DK;Strandvej 1;5860;Søby;strandby;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

pub fn income_csv(bad_date: bool) -> Vec<u8> {
    let month = if bad_date { "2026-13" } else { "2026-05" };
    format!("\u{feff}CPR;Måned;Beløb;Indkomsttype\r\n0101904128;2026-04;21.500,00;Løn\r\n0101904128;{month};21.500,00;Løn\r\n").into_bytes()
}

pub fn mapping_form(page: &Page) -> Vec<(String, String)> {
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
    // The date the extract describes, as the coordinator gives it: the fixtures' own
    // dates are birth and arrival dates, which say nothing of when they were drawn.
    fields.push(("as_of".into(), time::OffsetDateTime::now_utc().date().to_string()));
    fields
}

/// Follows a job's page (`/jobs/…`) until it leads to what the job made, checking on
/// the way that it shows its progress; returns that address.
pub async fn follow_job(c: &mut Client, job_url: &str) -> String {
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

pub async fn letter_sent(s: &SqlStore, person: Uuid, initiative: Uuid, days_ago: i64) {
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

/// A register run with a rules version of its own, as a run leaves it.
pub async fn register_run(s: &SqlStore, initiative: Uuid, by: Uuid) -> Uuid {
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
pub async fn run_woman(
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
    s.create_person(
        &store::testkit::new_person(initiative, None, details, SourceKind::RegisterRun, Some(run)),
        &[],
        &sys(),
    )
    .await
    .unwrap()
}
