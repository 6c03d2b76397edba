//! Route tests: separation of duties (issue 13, item 6). Role changes and the grants
//! that wait for a second person on the user page, the walk-arounds the issue found —
//! an admin reading personal data through a login she makes herself, a coordinator
//! approving her own plan with an account she made — and what the audit log keeps.
//! The whole app through `router().oneshot(…)`, a fresh database per test (SQLite by
//! default, PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::*;
use domain::org::User;
use domain::policy::{GrantStatus, Role};
use store::{AuditQuery, SqlStore};
use time::OffsetDateTime;

async fn user(s: &SqlStore, username: &str) -> User {
    s.list_users().await.unwrap().into_iter().find(|u| u.username == username).expect(username)
}

/// The id of the one grant that waits for `username`.
async fn waiting_for(s: &SqlStore, username: &str) -> String {
    let target = user(s, username).await.id;
    let waiting = s.pending_role_grants().await.unwrap();
    let mine: Vec<_> = waiting.iter().filter(|g| g.target_id == target).collect();
    assert_eq!(mine.len(), 1, "one grant waits for {username}: {waiting:?}");
    mine[0].id.to_string()
}

fn new_login<'a>(username: &'a str, role: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("username", username), ("display_name", username), ("role", role), ("password", PASSWORD)]
}

async fn audit_details(s: &SqlStore, action: &str) -> Vec<String> {
    let log = s.list_audit(&AuditQuery::default()).await.unwrap();
    log.into_iter().filter(|e| e.action.code() == action).map(|e| e.detail).collect()
}

/// Issue 13, item 6: "admins never see personal data, even by granting themselves a
/// role". The admin makes herself a second login as coordinator: it is created closed,
/// as an analyst, and neither she nor another admin can confirm it; reopened, it reads
/// no woman. The same for a caseworker login, and for her own role.
#[tokio::test]
async fn an_admin_never_reaches_personal_data_through_a_login_she_makes() {
    let w = world().await;
    let s = &w.db.store;
    let mut admin = Client::login(&w.app, "admin").await;
    admin.get("/admin/users").await;
    let p = admin.post("/admin/users", &new_login("admin.privat", "coordinator")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("venter på en anden persons bekræftelse"), "{}", p.body);
    assert!(p.body.contains("data-testid=\"grant-admin.privat\""), "the proposal is listed");
    assert!(!p.body.contains("data-testid=\"confirm-admin.privat\""), "no confirm button for her own proposal");
    assert!(p.body.contains("data-testid=\"withdraw-admin.privat\""));
    let alt = user(s, "admin.privat").await;
    assert_eq!((alt.role, alt.active), (Role::Analyst, false), "closed, and no coordinator until confirmed");

    // she cannot log into it …
    let mut c = Client::new(&w.app);
    c.get("/login").await;
    let p = c.post("/login", &[("username", "admin.privat"), ("password", PASSWORD)]).await;
    assert_ne!(p.status, StatusCode::SEE_OTHER, "a login waiting for confirmation is closed");
    // … nor confirm her own proposal, even by forging the form
    let grant = waiting_for(s, "admin.privat").await;
    let p = admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(user(s, "admin.privat").await.role, Role::Analyst);

    // a second admin (an admin may make one alone) cannot confirm it either
    admin.get("/admin/users").await;
    let p = admin.post("/admin/users", &new_login("admin.to", "admin")).await;
    assert!(p.body.contains("Brugeren admin.to er oprettet."), "{}", p.body);
    // The user page says who created each login (issue 13, item 6).
    let page = admin.get("/admin/users").await;
    let cell = |name: &str| {
        let at = page.body.find(&format!("data-testid=\"created-by-{name}\">")).unwrap();
        let rest = &page.body[at..];
        rest[rest.find('>').unwrap() + 1..rest.find("</td>").unwrap()].to_string()
    };
    assert_eq!(cell("admin.to"), "admin");
    assert_eq!(cell("admin"), "driften (på serveren)");
    let mut second_admin = Client::login(&w.app, "admin.to").await;
    second_admin.get("/admin/users").await;
    let p = second_admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "two admins never make a coordinator");

    // reopened, it is the analyst it was created as: no woman to read
    admin.get("/admin/users").await;
    let p = admin.post(&format!("/admin/users/{}/active", alt.id), &[("active", "1")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let mut alt_client = Client::login(&w.app, "admin.privat").await;
    assert_eq!(alt_client.get("/people").await.status, StatusCode::FORBIDDEN);
    assert_eq!(alt_client.get(&format!("/people/{}", w.nord_person)).await.status, StatusCode::FORBIDDEN);

    // a caseworker login of her own making waits for a coordinator just the same
    admin.get("/admin/users").await;
    let p = admin.post("/admin/users", &new_login("admin.sagsbehandler", "caseworker")).await;
    assert!(p.body.contains("venter på en anden persons bekræftelse"), "{}", p.body);
    assert_eq!(user(s, "admin.sagsbehandler").await.role, Role::Analyst);

    // and her own role she never changes, nor the role of another login to one that waits
    let me = user(s, "admin").await;
    admin.get("/admin/users").await;
    let p = admin.post(&format!("/admin/users/{}/role", me.id), &[("role", "coordinator")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(user(s, "admin").await.role, Role::Admin);
    let p = admin.post(&format!("/admin/users/{}/role", alt.id), &[("role", "caseworker")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "one question at a time: {}", p.body);
    assert!(p.body.contains("venter allerede et forslag"), "{}", p.body);

    // only a coordinator's confirmation gives the role (and opens the login)
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let page = coordinator.get("/admin/users").await;
    assert!(page.body.contains("data-testid=\"confirm-admin.privat\""), "{}", page.body);
    let p = coordinator.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Bekræftet: admin.privat har nu rollen"), "{}", p.body);
    let confirmed = user(s, "admin.privat").await;
    assert_eq!((confirmed.role, confirmed.active), (Role::Coordinator, true));
    let record = s.role_grants_of(confirmed.id).await.unwrap();
    let last = record.last().unwrap();
    assert_eq!((last.from_role, last.to_role, last.status), (None, Role::Coordinator, GrantStatus::Confirmed));
    assert_eq!((last.proposed_by, last.confirmed_by), (Some(me.id), Some(user(s, "koordinator").await.id)));

    let denied = audit_details(s, "denied").await;
    assert!(denied.iter().any(|d| d.contains("confirm_role user=admin.privat")), "{denied:?}");
    assert!(denied.iter().any(|d| d.contains("change_role user=admin admin -> coordinator")), "{denied:?}");
    let confirms = audit_details(s, "confirm_role").await;
    assert_eq!(confirms, vec!["admin.privat: analyst -> coordinator".to_string()]);
    w.db.cleanup().await;
}

/// Issue 13, item 6: a role change is audited from → to; below coordinator a
/// coordinator changes a role at once; the coordinator role waits for an admin, who
/// may confirm it, and the proposer or the admin may withdraw it instead. Nobody
/// touches her own role, and a coordinator never an admin's.
#[tokio::test]
async fn role_changes_are_audited_and_the_coordinator_role_takes_two() {
    let w = world().await;
    let s = &w.db.store;
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let page = coordinator.get("/admin/users").await;
    assert!(page.body.contains("data-testid=\"role-form-cw-nord\""));
    assert!(!page.body.contains("data-testid=\"role-form-koordinator\""), "no form for her own role");
    assert!(!page.body.contains("data-testid=\"role-form-admin\""), "nor for an admin's");
    assert!(page.body.contains("data-testid=\"no-waiting-grants\""));

    let cw = user(s, "cw-nord").await;
    let p = coordinator.post(&format!("/admin/users/{}/role", cw.id), &[("role", "caseworker")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "the role she has is no change");
    assert!(p.body.contains("Vælg en anden rolle"), "{}", p.body);
    let p = coordinator.post(&format!("/admin/users/{}/role", cw.id), &[("role", "ambassador")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("cw-nord har nu rollen"), "{}", p.body);
    assert_eq!(user(s, "cw-nord").await.role, Role::Ambassador);
    assert_eq!(audit_details(s, "change_role").await, vec!["cw-nord: caseworker -> ambassador".to_string()]);

    // the coordinator role waits; she keeps hers, and her open session sees no more
    let mut syd = Client::login(&w.app, "cw-syd").await;
    let syd_user = user(s, "cw-syd").await;
    coordinator.get("/admin/users").await;
    let p = coordinator.post(&format!("/admin/users/{}/role", syd_user.id), &[("role", "coordinator")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("venter på en anden persons bekræftelse"), "{}", p.body);
    assert!(p.body.contains("data-testid=\"grant-cw-syd\"") && !p.body.contains("data-testid=\"confirm-cw-syd\""));
    assert!(p.body.contains("data-testid=\"role-waiting-cw-syd\"") && !p.body.contains("role-form-cw-syd"));
    assert_eq!(user(s, "cw-syd").await.role, Role::Caseworker);
    assert_eq!(syd.get("/plan").await.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_details(s, "propose_role").await, vec!["cw-syd: caseworker -> coordinator".to_string()]);
    let grant = waiting_for(s, "cw-syd").await;
    let p = coordinator.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "her own proposal");

    // the target herself never confirms, even once she could
    let mut admin = Client::login(&w.app, "admin").await;
    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("data-testid=\"confirm-cw-syd\""), "the admin confirms a coordinator's proposal");
    let p = admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(user(s, "cw-syd").await.role, Role::Coordinator);
    assert_eq!(syd.get("/plan").await.status, StatusCode::OK, "her session has the confirmed role at once");
    let p = admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "a grant is confirmed once");

    // withdrawn: the login keeps her role, and the proposal is gone from the page
    let amb = user(s, "amb").await;
    coordinator.get("/admin/users").await;
    let p = coordinator.post(&format!("/admin/users/{}/role", amb.id), &[("role", "coordinator")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let grant = waiting_for(s, "amb").await;
    let p = coordinator.post(&format!("/admin/grants/{grant}/withdraw"), &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Forslaget til amb er trukket tilbage"), "{}", p.body);
    assert!(!p.body.contains("data-testid=\"grant-amb\""));
    assert_eq!(user(s, "amb").await.role, Role::Ambassador);
    assert!(s.pending_role_grants().await.unwrap().is_empty());
    assert_eq!(audit_details(s, "withdraw_role").await.len(), 1);

    // nobody changes her own role; a coordinator never an admin's; an ambassador none
    let me = user(s, "koordinator").await;
    let admin_user = user(s, "admin").await;
    for (target, role) in [(me.id, "admin"), (admin_user.id, "analyst")] {
        let p = coordinator.post(&format!("/admin/users/{target}/role"), &[("role", role)]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{target} -> {role}");
    }
    assert_eq!((user(s, "koordinator").await.role, user(s, "admin").await.role), (Role::Coordinator, Role::Admin));
    let mut now_ambassador = Client::login(&w.app, "cw-nord").await;
    now_ambassador.get("/").await;
    let p = now_ambassador.post(&format!("/admin/users/{}/role", amb.id), &[("role", "caseworker")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(user(s, "amb").await.role, Role::Ambassador);
    w.db.cleanup().await;
}

/// Issue 13, item 6, the walk-around from the issue: a coordinator makes a second
/// coordinator account (an admin confirming) and approves her own plan with it. The
/// approval is refused with a clear message, in Danish and in English; a coordinator
/// whom the author neither created nor promoted approves.
#[tokio::test]
async fn a_coordinator_cannot_approve_her_plan_with_an_account_she_made() {
    let w = world().await;
    let s = &w.db.store;
    let review = (OffsetDateTime::now_utc().date() + time::Duration::days(180)).to_string();
    let mut author = Client::login(&w.app, "koordinator").await;
    let mut admin = Client::login(&w.app, "admin").await;

    author.get("/admin/users").await;
    let p = author.post("/admin/users", &new_login("koordinator.to", "coordinator")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    admin.get("/admin/users").await;
    let grant = waiting_for(s, "koordinator.to").await;
    assert_eq!(admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await.status, StatusCode::OK);
    // and a caseworker the author promotes, an admin confirming
    let cw = user(s, "cw-nord").await;
    author.get("/admin/users").await;
    author.post(&format!("/admin/users/{}/role", cw.id), &[("role", "coordinator")]).await;
    let grant = waiting_for(s, "cw-nord").await;
    admin.get("/admin/users").await;
    assert_eq!(admin.post(&format!("/admin/grants/{grant}/confirm"), &[]).await.status, StatusCode::OK);

    author.get("/plan").await;
    let p = author.post("/plan", &plan_form("Kvinder 18–64", "To konsulenter", &review)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    for made_by_her in ["koordinator.to", "cw-nord"] {
        let mut second = Client::login(&w.app, made_by_her).await;
        let page = second.get("/plan").await;
        assert!(!page.body.contains("data-testid=\"approve-form\""), "{made_by_her} is offered no approval");
        let p = second.post("/plan/approve", &[("version", "1"), ("note", "")]).await;
        let to = p.location.unwrap_or_default();
        assert!(to.contains("refused=error-plan-approve-sponsored-by-author"), "{made_by_her}: {to}");
        assert!(second.get(&to).await.body.contains("Din konto er oprettet eller forfremmet af den, der skrev"));
        second.post("/settings/locale", &[("locale", "en")]).await;
        let english = second.get(&to).await.body;
        assert!(english.contains("Your account was created or promoted by the author of this version"), "{english}");
    }
    assert!(s.plan_versions(w.initiative).await.unwrap()[0].approval.is_none());
    let denied = audit_details(s, "denied").await;
    assert_eq!(denied.iter().filter(|d| d.contains("error-plan-approve-sponsored-by-author")).count(), 2);

    // a coordinator the author did not make — proposed by an admin, confirmed by the
    // second account — approves
    let syd = user(s, "cw-syd").await;
    admin.get("/admin/users").await;
    admin.post(&format!("/admin/users/{}/role", syd.id), &[("role", "coordinator")]).await;
    let grant = waiting_for(s, "cw-syd").await;
    let mut second = Client::login(&w.app, "koordinator.to").await;
    second.get("/admin/users").await;
    assert_eq!(second.post(&format!("/admin/grants/{grant}/confirm"), &[]).await.status, StatusCode::OK);
    let mut independent = Client::login(&w.app, "cw-syd").await;
    assert!(independent.get("/plan").await.body.contains("data-testid=\"approve-form\""));
    let p = independent.post("/plan/approve", &[("version", "1"), ("note", "Set af jurist")]).await;
    assert_eq!(p.location.as_deref(), Some("/plan"));
    assert!(s.plan_versions(w.initiative).await.unwrap()[0].approval.is_some());
    w.db.cleanup().await;
}
