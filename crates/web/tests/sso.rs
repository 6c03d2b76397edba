//! Route tests: single sign-on's pages (issue 13, item 5) without a broker: what is
//! decided before any request to it. The whole flow against a real OpenID Connect
//! provider is in the browser tests (`tests/browser/oidc.mjs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use store::AuditQuery;

fn sso() -> app::sso::Settings {
    app::sso::Settings {
        // Nothing listens there: a test that reached the broker would fail.
        issuer: "http://127.0.0.1:9".into(),
        client_id: "opsog".into(),
        client_secret: "secret".into(),
        redirect_url: "http://127.0.0.1:8080/login/sso/callback".into(),
        scopes: vec!["profile".into()],
        rules: domain::sso::SsoRules {
            accepted_acr: vec!["https://data.gov.dk/concept/core/nsis/loa/Substantial".into()],
            organisation_claim: "https://data.gov.dk/model/core/eid/professional/cvr".into(),
            organisation: "12345678".into(),
            user_claim: "preferred_username".into(),
        },
    }
}

#[tokio::test]
async fn the_login_page_offers_single_sign_on_only_where_it_is_configured() {
    let w = world().await;
    let plain = web::router(
        web::AppState::new(w.db.store.clone(), web::WebConfig { secure_cookies: false, ..Default::default() }, key())
            .unwrap(),
    );
    let mut c = Client::new(&plain);
    let page = c.get("/login?next=/people").await;
    assert!(!page.body.contains("data-testid=\"sso-login\""));
    assert_eq!(c.get("/login/sso").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/login/sso/callback?state=x&code=y").await.status, StatusCode::NOT_FOUND);

    let config = web::WebConfig { secure_cookies: false, sso: Some(sso()), ..Default::default() };
    let with_sso = web::router(web::AppState::new(w.db.store.clone(), config, key()).unwrap());
    let mut c = Client::new(&with_sso);
    let page = c.get("/login?next=/people").await;
    assert!(page.body.contains("href=\"/login/sso?next=%2Fpeople\""), "{}", page.body);
}

#[tokio::test]
async fn a_return_without_the_login_it_began_or_with_a_forged_one_is_refused_and_audited() {
    let w = world().await;
    let config = web::WebConfig { secure_cookies: false, sso: Some(sso()), ..Default::default() };
    let app = web::router(web::AppState::new(w.db.store.clone(), config, key()).unwrap());
    let mut c = Client::new(&app);
    // No cookie: the state cannot be one this server began (a login forced on her by
    // another site); nothing is asked of the broker.
    let page = c.get("/login/sso/callback?state=abc&code=def").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("data-testid=\"sso-refused\""), "{}", page.body);
    assert!(page.headers.get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap().starts_with("opsog_sso=;")));
    // A cookie the server did not sign.
    let forged = Request::builder()
        .uri("/login/sso/callback?state=abc&code=def")
        .header(header::COOKIE, "opsog_sso=61620a62630a64650a300a2f.deadbeef")
        .body(Body::empty())
        .unwrap();
    let page = c.send(forged).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(c.cookie.is_none(), "no session for a refused return");
    let log = w.db.store.list_audit(&AuditQuery { limit: 10, ..Default::default() }).await.unwrap();
    let refusals = log.iter().filter(|e| e.action.code() == "login_failed" && e.detail == "sso sso-expired").count();
    assert_eq!(refusals, 2, "{log:?}");
}
