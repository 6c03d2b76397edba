//! The real `opsog` binary: the demo, user administration, migrations, configuration
//! checks — and a kill -9 in the middle of writes, after which the database must be
//! consistent.
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sqlx::Row;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use store::SqlStore;

const BIN: &str = env!("CARGO_BIN_EXE_opsog");

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("opsog-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs opsog with a clean OPSOG__ environment pointing at `data`.
fn opsog(data: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("OPSOG__DATA_DIR", data).env_remove("OPSOG_CONFIG").env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn demo_user_add_migrate_and_config_check() {
    let dir = temp_dir();
    let demo = opsog(&dir, &["demo", "--no-serve", "--size", "40", "--data-dir", dir.to_str().unwrap()], "", &[]);
    assert!(demo.status.success(), "{}", text(&demo));
    let out = text(&demo);
    for login in ["koordinator", "sagsbehandler", "ambassador", "partner", "analytiker", "admin", "opsog-demo"] {
        assert!(out.contains(login), "{login} in {out}");
    }
    assert!(dir.join("secrets/dnc.key").is_file(), "the do-not-contact key is created outside the database");
    let again = opsog(&dir, &["demo", "--no-serve", "--data-dir", dir.to_str().unwrap()], "", &[]);
    assert!(text(&again).contains("eksisterende"), "a second demo reuses the data: {}", text(&again));

    // the CLI writes to the same database the demo made (OPSOG__DATA_DIR)
    let data = dir.to_str().unwrap();
    let add = opsog(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "ny.sagsbehandler",
            "--name",
            "Ny",
            "--role",
            "caseworker",
            "--team",
            "team nord",
        ],
        "en lang adgangskode\n",
        &[("OPSOG__DATA_DIR", data)],
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(!text(&add).contains("en lang adgangskode"), "the password is never printed");
    let dup = opsog(
        &dir,
        &["user", "add", "--username", "ny.sagsbehandler", "--name", "Ny", "--role", "caseworker"],
        "en lang adgangskode\n",
        &[],
    );
    assert!(!dup.status.success());
    let bad = opsog(&dir, &["user", "add", "--username", "x", "--name", "", "--role", "boss"], "kort\n", &[]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("username"), "{}", text(&bad));
    let no_team = opsog(
        &dir,
        &["user", "add", "--username", "anden", "--name", "A", "--role", "caseworker", "--team", "Team Øst"],
        "en lang adgangskode\n",
        &[],
    );
    // The same checks as the web's user page: the field named, exit code 2 (bad input).
    assert!(text(&no_team).contains("--team:"), "{}", text(&no_team));
    assert_eq!(no_team.status.code(), Some(2));

    // Issue 13, item 6: the operator's first admin is made at once; through `--as` the
    // web's two-person rule holds — her coordinator login is created closed, as an
    // analyst, and cannot act until a coordinator confirms it on the user page.
    let pw = "en lang adgangskode\n";
    let admin = opsog(&dir, &["user", "add", "--username", "cli.admin", "--name", "A", "--role", "admin"], pw, &[]);
    assert!(admin.status.success() && text(&admin).contains("created cli.admin (admin)"), "{}", text(&admin));
    let args = ["user", "add", "--as", "cli.admin", "--username", "cli.koord", "--name", "K", "--role", "coordinator"];
    let proposed = opsog(&dir, &args, pw, &[]);
    assert!(proposed.status.success(), "{}", text(&proposed));
    assert!(text(&proposed).contains("closed as analyst"), "{}", text(&proposed));
    let args = ["user", "add", "--as", "cli.koord", "--username", "cli.cw", "--name", "C", "--role", "caseworker"];
    let acting = opsog(&dir, &args, pw, &[]);
    assert!(!acting.status.success() && text(&acting).contains("no active user cli.koord"), "{}", text(&acting));

    // A locked-out coordinator is reset by the operator on the server, never by an
    // admin (issue 13, items 4 and 6): a one-time password printed once, her app removed.
    let refused = opsog(&dir, &["user", "reset", "koordinator", "--password", "--as", "cli.admin"], "", &[]);
    assert!(!refused.status.success(), "{}", text(&refused));
    let nothing = opsog(&dir, &["user", "reset", "koordinator"], "", &[]);
    assert!(!nothing.status.success() && text(&nothing).contains("--password"), "{}", text(&nothing));
    let reset = opsog(&dir, &["user", "reset", "koordinator", "--password", "--second-factor"], "", &[]);
    assert!(reset.status.success(), "{}", text(&reset));
    let out = text(&reset);
    assert!(out.contains("koordinator: second factor removed"), "{out}");
    let one_time = between(&out, "one-time password ", " ").unwrap();
    assert!(one_time.len() >= 16, "{out}");
    let cfg = opsog(&dir, &["config", "check"], "", &[("OPSOG__SECOND_FACTOR_ROLES", "[caseworker, boss]")]);
    assert!(!cfg.status.success() && text(&cfg).contains("unknown role \"boss\""), "{}", text(&cfg));

    let migrate = opsog(&dir, &["migrate"], "", &[]);
    assert!(migrate.status.success() && text(&migrate).contains("up to date"), "{}", text(&migrate));

    let ok = opsog(&dir, &["config", "check"], "", &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("configuration OK"));
    let secret =
        opsog(&dir, &["config", "check"], "", &[("OPSOG__DATABASE_URL", "postgres://opsog:hemmelig@db/opsog")]);
    assert!(!text(&secret).contains("hemmelig"), "secrets never printed: {}", text(&secret));
    let bad_bind = opsog(&dir, &["config", "check"], "", &[("OPSOG__BIND", "not an address")]);
    assert!(!bad_bind.status.success());
    let bad_url = opsog(&dir, &["config", "check"], "", &[("OPSOG__DATABASE_URL", "mysql://x/y")]);
    assert!(!bad_url.status.success() && text(&bad_url).contains("unsupported database URL"));
    let unknown_key = opsog(&dir, &["config", "check"], "", &[("OPSOG__COLOUR", "blue")]);
    assert!(!unknown_key.status.success(), "unknown keys are refused");
    // Single sign-on (issue 13, item 5): named when set up, its secret never printed,
    // and rules without an assurance level refused.
    let sso = [
        ("OPSOG__SSO__ISSUER", "https://broker.example/realms/opsog"),
        ("OPSOG__SSO__CLIENT_ID", "opsog"),
        ("OPSOG__SSO__CLIENT_SECRET", "sso-hemmelighed"),
        ("OPSOG__SSO__ORGANISATION_CLAIM", "cvr"),
        ("OPSOG__SSO__ORGANISATION", "12345678"),
    ];
    let with_level = [&sso[..], &[("OPSOG__SSO__ACCEPTED_ACR", "[substantial, high]")]].concat();
    let good = opsog(&dir, &["config", "check"], "", &with_level);
    assert!(good.status.success(), "{}", text(&good));
    assert!(text(&good).contains("single sign-on: https://broker.example/realms/opsog as opsog"), "{}", text(&good));
    assert!(!text(&good).contains("sso-hemmelighed"), "{}", text(&good));
    let without_level = [&sso[..], &[("OPSOG__SSO__ACCEPTED_ACR", "[]")]].concat();
    let bad = opsog(&dir, &["config", "check"], "", &without_level);
    assert!(!bad.status.success() && text(&bad).contains("sso.accepted_acr"), "{}", text(&bad));
    let _ = std::fs::remove_dir_all(&dir);
}

/// One HTTP/1.1 exchange over a fresh connection.
fn http(port: u16, method: &str, path: &str, cookie: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let status = raw.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, raw))
}

fn between<'a>(hay: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = hay.find(start)? + start.len();
    let j = hay[i..].find(end)? + i;
    Some(&hay[i..j])
}

fn session_cookie(raw: &str) -> String {
    let v = between(raw, "opsog_session=", ";").unwrap();
    format!("opsog_session={v}")
}

/// `opsog demo` serving `dir` on a free port, once it answers.
fn serve_demo(dir: &Path) -> (std::process::Child, u16) {
    serve_demo_logging(dir, "warn", Stdio::null())
}

/// The same, its log at `level` written to `log`.
fn serve_demo_logging(dir: &Path, level: &str, log: impl Into<Stdio>) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Command::new(BIN)
        .args(["demo", "--data-dir", dir.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", level)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while http(port, "GET", "/health", "", "").map(|r| r.0).ok() != Some(200) {
        assert!(start.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

/// Logs in the way a browser does; returns the session cookie.
fn login(port: u16, username: &str) -> String {
    let (_, login) = http(port, "GET", "/login", "", "").unwrap();
    // The login form's token is a signed double submit (no session before login).
    let anon = format!("opsog_form={}", between(&login, "opsog_form=", ";").unwrap());
    let csrf = between(&login, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let (status, done) =
        http(port, "POST", "/login", &anon, &format!("username={username}&password=opsog-demo&csrf={csrf}")).unwrap();
    assert_eq!(status, 303, "{done}");
    let cookie = session_cookie(&done);
    let location = |raw: &str| {
        between(raw, "location: ", "\r\n").or_else(|| between(raw, "Location: ", "\r\n")).unwrap_or("").to_string()
    };
    // Coordinators and admins log in in two steps (issue 13, item 4): the first login
    // on this server sets up the app, a later one gives its code.
    let key = (port, username.to_string());
    let to = location(&done);
    if to.starts_with("/login/setup") {
        let (_, page) = http(port, "GET", &to, &cookie, "").unwrap();
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
        let shown = between(&page, "data-testid=\"totp-secret\">", "<").unwrap();
        let secret = domain::second_factor::TotpSecret::from_base32(shown).unwrap();
        let step = code_step(&key);
        let code = domain::second_factor::code_at_step(&secret, step);
        let body = format!("csrf={csrf}&secret={}&code={code}", secret.to_base32());
        let (status, raw) = http(port, "POST", "/login/setup", &cookie, &body).unwrap();
        assert_eq!(status, 200, "setting up {username}'s second factor: {raw}");
        SECRETS.lock().unwrap().insert(key, (secret.to_base32(), step));
    } else if to.starts_with("/login/code") {
        let (_, page) = http(port, "GET", &to, &cookie, "").unwrap();
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
        let secret = SECRETS.lock().unwrap().get(&key).map(|(s, _)| s.clone()).expect("set up at an earlier login");
        let step = code_step(&key);
        let code = domain::second_factor::code_at_step(
            &domain::second_factor::TotpSecret::from_base32(&secret).unwrap(),
            step,
        );
        let (status, raw) = http(port, "POST", "/login/code", &cookie, &format!("csrf={csrf}&code={code}")).unwrap();
        assert_eq!(status, 303, "{username}'s code: {raw}");
    }
    cookie
}

/// Second factors the logins set up, per server port and username: the secret and
/// the last time step whose code was given.
static SECRETS: std::sync::Mutex<std::collections::BTreeMap<(u16, String), (String, i64)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// A time step whose code this login has not given yet (a code is spent once used;
/// the server takes one step either side of now), waiting for the clock if need be.
fn code_step(key: &(u16, String)) -> i64 {
    loop {
        let now = domain::second_factor::step_at(time::OffsetDateTime::now_utc().unix_timestamp());
        let mut secrets = SECRETS.lock().unwrap();
        let step = secrets.get(key).map_or(now, |(_, last)| (last + 1).max(now - 1));
        if step <= now + 1 {
            if let Some((_, last)) = secrets.get_mut(key) {
                *last = step;
            }
            return step;
        }
        drop(secrets);
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn killed_during_writes_the_database_stays_consistent() {
    let dir = temp_dir();
    let data = dir.to_str().unwrap();
    let prep = opsog(&dir, &["demo", "--no-serve", "--size", "60", "--data-dir", data], "", &[]);
    assert!(prep.status.success(), "{}", text(&prep));
    let (mut server, port) = serve_demo(&dir);
    // log in as the caseworker, the way a browser does
    let cookie = login(port, "sagsbehandler");
    let (_, people) = http(port, "GET", "/people", &cookie, "").unwrap();
    let csrf = between(&people, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let ids: Vec<String> = people
        .split("href=\"/people/")
        .skip(1)
        .filter_map(|s| s.get(..36))
        .filter(|s| uuid::Uuid::parse_str(s).is_ok())
        .map(str::to_string)
        .collect();
    assert!(ids.len() >= 5, "{}", ids.len());
    // women whose event form offers a note (everyone but the declined)
    let mut targets = Vec::new();
    for id in &ids {
        let (_, page) = http(port, "GET", &format!("/people/{id}"), &cookie, "").unwrap();
        if page.contains("value=\"note\"") {
            let initiative = between(&page, "name=\"initiative\" value=\"", "\"").unwrap().to_string();
            targets.push((id.clone(), initiative));
        }
    }
    assert!(!targets.is_empty());

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (stop, written, cookie, csrf, targets) = (stop.clone(), written.clone(), cookie.clone(), csrf.clone(), targets.clone());
            std::thread::spawn(move || {
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let (id, initiative) = &targets[(i + w) % targets.len()];
                    let body = format!("csrf={csrf}&initiative={initiative}&kind=note&channel=phone&language=da&note=crash-test-{w}-{i}");
                    match http(port, "POST", &format!("/people/{id}/events"), &cookie, &body) {
                        Ok((303, _)) => {
                            written.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => break,
                    }
                    i += 1;
                }
            })
        })
        .collect();
    // let writes pile up, then pull the plug without warning
    let until = Instant::now() + Duration::from_secs(5);
    while written.load(Ordering::Relaxed) < 40 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = written.load(Ordering::Relaxed);
    assert!(acknowledged > 0, "no write happened before the kill");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rwc", dir.join("opsog.db").display());
        let store = SqlStore::connect(&url).await.unwrap();
        let integrity: String =
            sqlx::query("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap().try_get(0).unwrap();
        assert_eq!(integrity, "ok");
        assert!(store.check_projections().await.unwrap().is_empty(), "every funnel matches its events");
        let mismatched: i64 = sqlx::query(
            "SELECT COUNT(*) FROM funnels f WHERE f.event_count <> (SELECT COUNT(*) FROM events e \
             WHERE e.person_id = f.person_id AND e.initiative_id = f.initiative_id AND e.voided_at IS NULL)",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        assert_eq!(mismatched, 0);
        // every stored event has its audit entry and no audit entry lacks its event
        let events: i64 = sqlx::query("SELECT COUNT(*) FROM events WHERE note LIKE 'crash-test-%'")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        let audited: i64 = sqlx::query(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'record_event' AND origin = 'POST /people/{id}/events'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        assert_eq!(events, audited);
        assert!(events as usize >= acknowledged, "an acknowledged write was lost: {events} < {acknowledged}");
        store.close().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_register_search_from_the_command_line_is_gated_checked_and_audited() {
    let dir = temp_dir();
    let data = dir.to_str().unwrap();
    let demo = opsog(&dir, &["demo", "--no-serve", "--size", "20", "--data-dir", data], "", &[]);
    assert!(demo.status.success(), "{}", text(&demo));
    let extracts = dir.join("udtraek");
    let file = |name: &str| extracts.join(name).to_str().unwrap().to_string();
    // The demo's population CSV has no title row: its date is the coordinator's to give.
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let out = opsog(
        &dir,
        &["register", "import", "--kind", "population", "--file", &file("befolkning.csv"), "--as", "koordinator"],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for (kind, name) in [("population", "befolkning.csv"), ("income", "eindkomst.csv"), ("benefits", "ydelser.csv")] {
        let out = opsog(
            &dir,
            &["register", "import", "--kind", kind, "--file", &file(name), "--as-of", &today, "--as", "koordinator"],
            "",
            &[],
        );
        assert!(out.status.success(), "{name}: {}", text(&out));
        assert!(text(&out).contains("imported"), "{}", text(&out));
    }
    // A bad file: named with its row and column, and nothing kept.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "CPR;Måned;Beløb\n0101901234;2026-01;5\n0101901234;2026-13;5\n").unwrap();
    let out = opsog(
        &dir,
        &["register", "import", "--kind", "income", "--file", bad.to_str().unwrap(), "--as", "koordinator"],
        "",
        &[],
    );
    assert!(!out.status.success());
    // File, row, column and value named (issue 12: every unreadable cell, up to 20).
    for part in ["bad.csv", "row 3, column Måned", "\"2026-13\"", "nothing was imported"] {
        assert!(text(&out).contains(part), "{part}: {}", text(&out));
    }
    // A month after the date the extract describes (a month counts from its first day):
    // the value or the date is wrong, so nothing is kept (issue 12, bad input).
    let late = dir.join("late.csv");
    std::fs::write(&late, "CPR;Måned;Beløb\n0101901234;2026-01;5\n0101901234;2026-02;5\n0101901234;2026-03;5\n")
        .unwrap();
    let args = ["register", "import", "--kind", "income", "--file", late.to_str().unwrap(), "--as-of", "2026-02-10"];
    let out = opsog(&dir, &[&args[..], &["--as", "koordinator"]].concat(), "", &[]);
    assert!(!out.status.success());
    for part in ["late.csv", "row 4, column Måned", "2026-03 lies after 2026-02-10", "nothing was imported"] {
        assert!(text(&out).contains(part), "{part}: {}", text(&out));
    }
    // Only a coordinator may run it.
    let out = opsog(&dir, &["register", "dry-run", "--as", "sagsbehandler"], "", &[]);
    assert!(text(&out).contains("refused: your role may not"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(3), "a refusal has its own exit code");
    let out = opsog(&dir, &["register", "dry-run", "--as", "koordinator"], "", &[]);
    assert!(out.status.success(), "{}", text(&out));
    let found: u64 = text(&out).lines().find_map(|l| l.strip_prefix("candidates: ")).unwrap().trim().parse().unwrap();
    assert!(found > 0);
    // The demo's plan is not approved yet: the run is refused and writes nothing.
    let out = opsog(&dir, &["register", "run", "--as", "koordinator"], "", &[]);
    assert!(!out.status.success() && text(&out).contains("not approved"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        std::fs::read_dir(dir.join("extracts")).unwrap().filter(|e| e.as_ref().unwrap().path().is_file()).count(),
        3
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The demo's plan, approved by its second coordinator (`leder`), as on the web.
async fn approve_demo_plan(dir: &Path) {
    let store = SqlStore::connect(&format!("sqlite://{}", dir.join("opsog.db").display())).await.unwrap();
    let initiative = store.list_initiatives().await.unwrap().remove(0);
    let users = store.list_users().await.unwrap();
    let leder = users.iter().find(|u| u.username == "leder").unwrap();
    let actor =
        domain::policy::Actor { user_id: leder.id, role: leder.role, team_id: leder.team_id, partner_org_id: None };
    let versions = store.plan_versions(initiative.id).await.unwrap();
    let current = versions.last().unwrap();
    let approval = domain::plan::approve(current, &actor, &[], time::OffsetDateTime::now_utc(), "godkendt").unwrap();
    let audit = domain::audit::AuditRecord {
        actor: domain::audit::AuditActor::system("test"),
        action: domain::audit::AuditAction::ApprovePlan,
        persons: vec![],
        origin: "test".into(),
        detail: String::new(),
    };
    store.approve_plan_version(initiative.id, current.version, &approval, &audit).await.unwrap();
    store.close().await;
}

/// Imports the demo's population, income and benefits extracts from the command line.
fn import_demo_extracts(dir: &Path) {
    let extracts = dir.join("udtraek");
    for (kind, name) in [("population", "befolkning.csv"), ("income", "eindkomst.csv"), ("benefits", "ydelser.csv")] {
        let file = extracts.join(name);
        let today = time::OffsetDateTime::now_utc().date().to_string();
        let out = opsog(
            dir,
            &[
                "register",
                "import",
                "--kind",
                kind,
                "--file",
                file.to_str().unwrap(),
                "--as-of",
                &today,
                "--as",
                "koordinator",
            ],
            "",
            &[],
        );
        assert!(out.status.success(), "{name}: {}", text(&out));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A form value as a browser sends it.
fn form_value(v: &str) -> String {
    v.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Follows a job's progress (`/jobs/<id>/progress`) until it ends; returns its answer.
fn wait_for_job(port: u16, cookie: &str, job: &str) -> String {
    let start = Instant::now();
    loop {
        let (status, raw) = http(port, "GET", &format!("{job}/progress"), cookie, "").unwrap();
        assert_eq!(status, 200, "{raw}");
        if raw.contains(r#""running":false"#) {
            return raw;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the job at {job} did not end");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What a search and a batch leave in the database, without the ids and times that
/// differ by nature: women by CPR (or, for those who were there before, by id),
/// their funnels and events, the batch's letters, the run's counts and overview.
async fn stored(dir: &Path) -> Vec<(String, Vec<String>)> {
    let store = SqlStore::connect(&format!("sqlite://{}", dir.join("opsog.db").display())).await.unwrap();
    let queries = [
        (
            "persons",
            "SELECT COALESCE(cpr, id) || '|' || given_name || '|' || family_name || '|' || COALESCE(birth_date, '') || '|' || COALESCE(street, '') FROM persons",
        ),
        (
            "funnels",
            "SELECT COALESCE(p.cpr, p.id) || '|' || f.stage || '|' || CAST(f.event_count AS TEXT) FROM funnels f JOIN persons p ON p.id = f.person_id",
        ),
        (
            "events",
            "SELECT COALESCE(p.cpr, p.id) || '|' || e.kind || '|' || e.channel || '|' || e.recorded_by_name || '|' || COALESCE(e.language, '') || '|' || e.note FROM events e JOIN persons p ON p.id = e.person_id",
        ),
        (
            "sources",
            "SELECT COALESCE(p.cpr, p.id) || '|' || s.kind || '|' || s.label FROM person_sources s JOIN persons p ON p.id = s.person_id",
        ),
        (
            "contact persons",
            "SELECT COALESCE(p.cpr, p.id) || '|' || c.user_id || '|' || CASE WHEN c.until_at IS NULL THEN 'now' ELSE 'past' END FROM contact_assignments c JOIN persons p ON p.id = c.person_id",
        ),
        (
            "batch letters",
            "SELECT COALESCE(p.cpr, p.id) || '|' || CAST(b.seq AS TEXT) || '|' || b.delivery || '|' || b.language FROM batch_letters b JOIN persons p ON p.id = b.person_id",
        ),
        (
            "batches",
            "SELECT CAST(letters AS TEXT) || '|' || CAST(digital_post AS TEXT) || '|' || CAST(paper AS TEXT) || '|' || skipped || '|' || CAST(check_errors AS TEXT) || '|' || COALESCE(override_reason, '') || '|' || CAST(print_files AS TEXT) FROM letter_batches",
        ),
        (
            "runs",
            "SELECT CAST(plan_version AS TEXT) || '|' || legal_basis || '|' || rules_checksum || '|' || counts || '|' || overview FROM register_runs",
        ),
        ("response codes", "SELECT CAST(COUNT(*) AS TEXT) FROM response_codes"),
        ("do-not-contact", "SELECT CAST(COUNT(*) AS TEXT) FROM do_not_contact"),
        (
            "audited",
            "SELECT action || '|' || CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action IN ('register_run', 'send_letter_batch', 'delete_extracts') GROUP BY action",
        ),
    ];
    let mut out = Vec::new();
    for (name, sql) in queries {
        let mut rows: Vec<String> = sqlx::query(sql)
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .collect();
        rows.sort();
        out.push((name.to_string(), rows));
    }
    store.close().await;
    out
}

/// One road (issue 11): a register run and a letter batch started from the command
/// line and the same started from the web are the same use cases, so two copies of
/// one municipality, one worked from each door, hold the same women, funnels, events,
/// letters and run.
#[tokio::test(flavor = "multi_thread")]
async fn the_web_and_the_cli_run_the_same_search_and_batch_and_store_the_same() {
    let cli = temp_dir();
    let demo = opsog(&cli, &["demo", "--no-serve", "--size", "20", "--data-dir", cli.to_str().unwrap()], "", &[]);
    assert!(demo.status.success(), "{}", text(&demo));
    approve_demo_plan(&cli).await;
    import_demo_extracts(&cli);
    let web = temp_dir();
    copy_dir(&cli, &web);
    let meeting = "tirsdag den 12. januar kl. 10 i Beboerhuset";
    let reason = "Oversættelserne er læst igennem af tolkeservicen";

    let out = opsog(&cli, &["register", "run", "--as", "koordinator"], "", &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = opsog(
        &cli,
        &[
            "letters",
            "send",
            "--meeting",
            meeting,
            "--contact",
            "sagsbehandler",
            "--reason",
            reason,
            "--as",
            "koordinator",
        ],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));

    let (mut server, port) = serve_demo(&web);
    let cookie = login(port, "koordinator");
    let (_, page) = http(port, "GET", "/register", &cookie, "").unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let (status, raw) = http(port, "POST", "/register/run", &cookie, &format!("csrf={csrf}")).unwrap();
    assert_eq!(status, 303, "{raw}");
    let job = between(&raw, "location: ", "\r\n").or_else(|| between(&raw, "Location: ", "\r\n")).unwrap().to_string();
    assert!(wait_for_job(port, &cookie, &job).contains("/register/runs/"), "the run was made");
    let body = format!(
        "csrf={csrf}&run=&contact=sagsbehandler&meeting={}&source=&override_reason={}",
        form_value(meeting),
        form_value(reason)
    );
    let (status, raw) = http(port, "POST", "/letters/batch", &cookie, &body).unwrap();
    assert_eq!(status, 303, "{raw}");
    let job = between(&raw, "location: ", "\r\n").or_else(|| between(&raw, "Location: ", "\r\n")).unwrap().to_string();
    assert!(wait_for_job(port, &cookie, &job).contains("/letters/batches/"), "the batch was sent");
    server.kill().unwrap();
    server.wait().unwrap();

    let (from_cli, from_web) = (stored(&cli).await, stored(&web).await);
    for ((name, a), (_, b)) in from_cli.iter().zip(&from_web) {
        assert_eq!(a, b, "{name} differ between the CLI and the web");
    }
    let letters = &from_cli.iter().find(|(n, _)| n == "batch letters").unwrap().1;
    assert!(!letters.is_empty(), "the batch sent letters");
    assert_eq!(from_cli.iter().find(|(n, _)| n == "batches").unwrap().1.len(), 1);
    std::fs::remove_dir_all(&cli).unwrap();
    std::fs::remove_dir_all(&web).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_letter_batch_from_the_command_line_is_checked_sent_whole_and_audited() {
    let dir = temp_dir();
    let data = dir.to_str().unwrap();
    let demo = opsog(&dir, &["demo", "--no-serve", "--size", "20", "--data-dir", data], "", &[]);
    assert!(demo.status.success(), "{}", text(&demo));
    approve_demo_plan(&dir).await;
    import_demo_extracts(&dir);
    let out = opsog(&dir, &["register", "run", "--as", "koordinator"], "", &[]);
    assert!(out.status.success(), "{}", text(&out));

    let meeting = "tirsdag den 12. januar kl. 10 i Beboerhuset";
    // Only a coordinator sends letters; a bad contact person is named.
    let out = opsog(&dir, &["letters", "preview", "--meeting", meeting, "--as", "sagsbehandler"], "", &[]);
    assert!(text(&out).contains("refused: your role may not"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(3));
    let out = opsog(
        &dir,
        &["letters", "preview", "--meeting", meeting, "--contact", "admin", "--as", "koordinator"],
        "",
        &[],
    );
    assert!(text(&out).contains("--contact: Choose an active caseworker or coordinator"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(2));

    let base = ["letters", "send", "--meeting", meeting, "--contact", "sagsbehandler", "--as", "koordinator"];
    let out = opsog(
        &dir,
        &["letters", "preview", "--meeting", meeting, "--contact", "sagsbehandler", "--as", "koordinator"],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let letters: usize = text(&out)
        .lines()
        .find_map(|l| l.strip_prefix("letters: "))
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(letters > 0, "{}", text(&out));
    // The demo's translations are machine drafts: without a reason nothing is sent.
    let out = opsog(&dir, &base, "", &[]);
    assert!(!out.status.success() && text(&out).contains("nothing was sent"), "{}", text(&out));
    assert!(!dir.join("letters").exists() || std::fs::read_dir(dir.join("letters")).unwrap().count() == 0);
    let mut with_reason = base.to_vec();
    with_reason.extend(["--reason", "Tolkeservicen har læst oversættelserne igennem"]);
    let out = opsog(&dir, &with_reason, "", &[]);
    assert!(out.status.success(), "{}", text(&out));
    let line = text(&out).lines().find(|l| l.starts_with("sent batch ")).unwrap().to_string();
    assert!(line.contains(&format!("{letters} letters")), "{line}");
    let batch_id: uuid::Uuid = line["sent batch ".len()..].split(':').next().unwrap().parse().unwrap();
    let folder = dir.join("letters").join(batch_id.to_string());
    let pdfs = std::fs::read_dir(folder.join("letters")).unwrap().count();
    assert_eq!(pdfs, letters, "one PDF per letter");
    // Sent is sent: the same batch again finds no one due.
    let out = opsog(&dir, &with_reason, "", &[]);
    assert!(!out.status.success() && text(&out).contains("Empty"), "{}", text(&out));
    let store = SqlStore::connect(&format!("sqlite://{}", dir.join("opsog.db").display())).await.unwrap();
    let batch = store.letter_batch(batch_id).await.unwrap().unwrap();
    assert_eq!(batch.letters as usize, letters);
    assert!(batch.override_reason.is_some());
    let sent = store.batch_letters(batch_id).await.unwrap();
    let memos = std::fs::read_dir(folder.join("memo")).unwrap().count();
    assert_eq!(memos, sent.iter().filter(|l| l.message_uuid.is_some()).count());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Where a full CPR number stands in `text`: ten digits, as `DDMMYY-XXXX` or
/// `DDMMYYXXXX`, standing alone (not inside an id or a longer number).
fn full_cprs(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    for start in 0..b.len() {
        // A phone number in international form (+45…) is not a CPR number.
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'-' || b[start - 1] == b'+') {
            continue;
        }
        let digits = |from: usize, n: usize| b.get(from..from + n).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
        if !digits(start, 6) {
            continue;
        }
        // A CPR number begins with a date of birth (DDMMYY).
        let two = |at: usize| (b[at] - b'0') * 10 + (b[at + 1] - b'0');
        if !(1..=31).contains(&two(start)) || !(1..=12).contains(&two(start + 2)) {
            continue;
        }
        let (rest, end) =
            if b.get(start + 6) == Some(&b'-') { (start + 7, start + 11) } else { (start + 6, start + 10) };
        let alone = b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'-');
        if digits(rest, 4) && alone {
            found.push(text[start..end].to_string());
        }
    }
    found
}

/// Issue 13, item 7: the demo's pages and its log hold no full CPR number, except the
/// audited view of one woman's number that a coordinator asked for.
#[test]
fn the_demo_shows_no_full_cpr_outside_the_audited_view() {
    assert_eq!(
        full_cprs("cpr 070761-4286 and 0707614286, id 12345678-1234-…, +4520304050, 4520304050, 070761-XXXX"),
        ["070761-4286", "0707614286"]
    );
    let dir = temp_dir();
    let data = dir.to_str().unwrap();
    let prep = opsog(&dir, &["demo", "--no-serve", "--size", "40", "--data-dir", data], "", &[]);
    assert!(prep.status.success(), "{}", text(&prep));
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (mut server, port) = serve_demo_logging(&dir, "debug,sqlx=debug", log);
    let mut pages = Vec::new();
    for user in ["koordinator", "sagsbehandler", "ambassador", "partner", "analytiker", "admin"] {
        let cookie = login(port, user);
        let mut paths: Vec<String> = [
            "/",
            "/people",
            "/people?page=2",
            "/calls",
            "/figures",
            "/audit",
            "/meetings",
            "/letters/batch",
            "/register",
            "/register/review",
            "/referrals",
            "/field",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let (_, list) = http(port, "GET", "/people", &cookie, "").unwrap();
        let ids: Vec<String> = list
            .split("href=\"/people/")
            .skip(1)
            .filter_map(|s| s.get(..36))
            .filter(|s| uuid::Uuid::parse_str(s).is_ok())
            .map(str::to_string)
            .take(8)
            .collect();
        for id in &ids {
            paths.push(format!("/people/{id}"));
            paths.push(format!("/people/{id}/edit"));
        }
        // A search by CPR, as staff type it: the list and the kept search hold it masked.
        let csrf = between(&list, "name=\"csrf\" value=\"", "\"").map(str::to_string).unwrap_or_default();
        let _ = http(port, "POST", "/people/search", &cookie, &format!("csrf={csrf}&cpr=070761-4286"));
        for path in &paths {
            let (_, page) = http(port, "GET", path, &cookie, "").unwrap();
            pages.push((format!("{user} GET {path}"), page));
        }
    }
    for (what, page) in &pages {
        assert!(full_cprs(page).is_empty(), "{what} shows a full CPR: {:?}", full_cprs(page));
    }
    // The audited view does show one, so the search above can find one.
    let cookie = login(port, "koordinator");
    let (_, list) = http(port, "GET", "/people", &cookie, "").unwrap();
    let csrf = between(&list, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let mut revealed = 0;
    for id in
        list.split("href=\"/people/").skip(1).filter_map(|s| s.get(..36)).filter(|s| uuid::Uuid::parse_str(s).is_ok())
    {
        let (_, page) =
            http(port, "POST", &format!("/people/{id}/reveal-cpr"), &cookie, &format!("csrf={csrf}")).unwrap();
        revealed += full_cprs(&page).len();
    }
    assert!(revealed > 0, "some demo woman has a CPR number, shown on request");
    server.kill().unwrap();
    server.wait().unwrap();
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(logged.len() > 1000, "the server logged at debug level: {} bytes", logged.len());
    assert!(full_cprs(&logged).is_empty(), "the log holds a full CPR: {:?}", full_cprs(&logged));
    let _ = std::fs::remove_dir_all(&dir);
}
