//! The login in stages through the pages (issue 13, items 4 and 6): a coordinator's
//! password alone opens no page; she sets up her app from a QR code and a typed key,
//! gets recovery codes once, and later gives a code; an admin's password reset shows
//! a one-time password and makes her choose her own (a coordinator's reset: an
//! admin's would hand her a way into personal data); a caseworker may set one up
//! from her account page and turn it off again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use axum::http::StatusCode;
use common::{Client, PASSWORD, totp_secret_on, world};
use domain::second_factor::{code_at_step, step_at};
use time::OffsetDateTime;

fn now_step() -> i64 {
    step_at(OffsetDateTime::now_utc().unix_timestamp())
}

#[tokio::test]
async fn the_password_alone_opens_no_page_for_a_coordinator() {
    let w = world().await;
    let mut c = Client::new(&w.app);
    c.get("/login").await;
    let p = c.post("/login", &[("username", "koordinator"), ("password", PASSWORD), ("next", "/people")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/login/setup?next=/people"));
    // Every other page sends her back to her step; none shows data.
    for path in ["/people", "/", "/admin/users", "/account/security"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location.as_deref().unwrap().starts_with("/login"), "{path}: {:?}", page.location);
    }
    // She may give up halfway: the session ends and the login page is plain again.
    let mut quitter = Client::new(&w.app);
    quitter.get("/login").await;
    quitter.post("/login", &[("username", "koordinator"), ("password", PASSWORD)]).await;
    quitter.get("/login/setup").await;
    let out = quitter.post("/logout", &[]).await;
    assert_eq!((out.status, out.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    assert_eq!(quitter.get("/login").await.status, StatusCode::OK, "no stage left to go back to");

    let login = c.get("/login?next=/people").await;
    assert_eq!(login.location.as_deref(), Some("/login/setup?next=/people"));
    assert_eq!(c.get("/login/code").await.location.as_deref(), Some("/login/setup?next=/"), "not her stage");

    let setup = c.get("/login/setup?next=/people").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("<svg"), "a QR code");
    assert!(!setup.body.contains("<?xml"), "inline, without an XML declaration");
    let secret = totp_secret_on(&setup.body);
    assert!(setup.body.contains(&format!("value=\"{}\"", secret.to_base32())), "the form carries the secret");
    // A wrong code is named at the field; nothing is stored.
    let wrong = c.post("/login/setup", &[("secret", &secret.to_base32()), ("code", "123"), ("next", "/people")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("data-testid=\"form-error\""), "{}", wrong.body);
    let code = code_at_step(&secret, now_step());
    let done = c.post("/login/setup", &[("secret", &secret.to_base32()), ("code", &code), ("next", "/people")]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body.matches("data-testid=\"recovery-code\"").count(), 10, "ten recovery codes, shown once");
    assert!(done.body.contains("href=\"/people\" data-testid=\"recovery-continue\""));
    assert_eq!(c.get("/people").await.status, StatusCode::OK, "she is in");

    // The next login asks for a code: a spent one is refused, a fresh one lets her in.
    let mut again = Client::new(&w.app);
    again.get("/login").await;
    let p = again.post("/login", &[("username", "koordinator"), ("password", PASSWORD)]).await;
    assert_eq!(p.location.as_deref(), Some("/login/code?next=/"));
    let page = again.get("/login/code").await;
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    let spent = again.post("/login/code", &[("code", &code)]).await;
    assert_eq!(spent.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.get("/people").await.status, StatusCode::SEE_OTHER, "still out");
    let fresh = code_at_step(&secret, now_step() + 1);
    let ok = again.post("/login/code", &[("code", &fresh)]).await;
    assert_eq!((ok.status, ok.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    assert_eq!(again.get("/people").await.status, StatusCode::OK);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_coordinator_resets_a_forgotten_password_and_she_chooses_her_own() {
    let w = world().await;
    let users = w.db.store.list_users().await.unwrap();
    let cw = users.iter().find(|u| u.username == "cw-nord").unwrap();
    // An admin may not: she could log in as the caseworker and read her team's women.
    let mut admin = Client::login(&w.app, "admin").await;
    let users_page = admin.get("/admin/users").await;
    assert!(!users_page.body.contains("data-testid=\"reset-password-cw-nord\""));
    assert!(users_page.body.contains("data-testid=\"reset-password-analytiker\""));
    assert_eq!(admin.post(&format!("/admin/users/{}/reset-password", cw.id), &[]).await.status, StatusCode::FORBIDDEN);
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let users_page = coordinator.get("/admin/users").await;
    assert!(users_page.body.contains("data-testid=\"reset-password-cw-nord\""));
    assert!(!users_page.body.contains("data-testid=\"reset-password-koordinator\""), "never her own");
    let reset = coordinator.post(&format!("/admin/users/{}/reset-password", cw.id), &[]).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let marker = "data-testid=\"one-time-password\">";
    let start = reset.body.find(marker).unwrap() + marker.len();
    let one_time = reset.body[start..start + reset.body[start..].find('<').unwrap()].to_string();
    assert!(one_time.len() >= 16, "{one_time}");
    // Her own login is no admin's to reset.
    let own = users.iter().find(|u| u.username == "admin").unwrap();
    assert_eq!(admin.post(&format!("/admin/users/{}/reset-password", own.id), &[]).await.status, StatusCode::FORBIDDEN);

    let mut c = Client::new(&w.app);
    c.get("/login").await;
    assert_eq!(
        c.post("/login", &[("username", "cw-nord"), ("password", PASSWORD)]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let p = c.post("/login", &[("username", "cw-nord"), ("password", &one_time)]).await;
    assert_eq!(p.location.as_deref(), Some("/login/password?next=/"));
    assert_eq!(c.get("/people").await.status, StatusCode::SEE_OTHER, "not before her own password");
    c.get("/login/password").await;
    let short = c.post("/login/password", &[("password", "kort"), ("repeat", "kort")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("id=\"password-error\""));
    let chosen = "kaffe-regnbue-cykel-17";
    let done = c.post("/login/password", &[("password", chosen), ("repeat", chosen)]).await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    assert_eq!(c.get("/people").await.status, StatusCode::OK);
    w.db.cleanup().await;
}

#[tokio::test]
async fn a_caseworker_sets_up_her_app_from_her_account_and_turns_it_off() {
    let w = world().await;
    let mut c = Client::login(&w.app, "cw-nord").await;
    let account = c.get("/account/security").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("data-testid=\"second-factor-off\""));
    let setup = c.get("/account/second-factor").await;
    let secret = totp_secret_on(&setup.body);
    let step = now_step();
    let done = c
        .post("/account/second-factor", &[("secret", &secret.to_base32()), ("code", &code_at_step(&secret, step))])
        .await;
    assert_eq!(done.body.matches("data-testid=\"recovery-code\"").count(), 10);
    let account = c.get("/account/security").await;
    assert!(account.body.contains("data-testid=\"second-factor-on\""));
    // New recovery codes need a current code; a wrong one is named.
    let wrong = c.post("/account/second-factor/renew", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let renewed = c.post("/account/second-factor/renew", &[("code", &code_at_step(&secret, step + 1))]).await;
    assert_eq!(renewed.body.matches("data-testid=\"recovery-code\"").count(), 10);
    // Turning it off ends her sessions; she logs in with her password alone again.
    let off = c.post("/account/second-factor/remove", &[("code", &code_at_step(&secret, step - 1))]).await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY, "an older code than one used is spent");
    let off = c.post("/account/second-factor/remove", &[("code", &code_at_step(&secret, step + 1))]).await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY, "the same code twice is spent");
    assert_eq!(c.get("/people").await.status, StatusCode::OK);

    // A coordinator's page offers no way to turn it off.
    let mut coordinator = Client::login(&w.app, "koordinator").await;
    let page = coordinator.get("/account/security").await;
    assert!(page.body.contains("data-testid=\"second-factor-on\""));
    assert!(!page.body.contains("data-testid=\"remove-second-factor\""));
    w.db.cleanup().await;
}
