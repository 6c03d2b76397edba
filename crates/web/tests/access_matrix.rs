//! The access matrix (issue 13, item 1): the route table is the router, `docs/access.md`
//! is generated from it and from `domain::policy`, and every route answers every role
//! as the table says — a refused role gets 403 before anything runs, an allowed one
//! gets past the gate, a visitor who is not logged in is sent to the login page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use domain::policy::Role;
use std::collections::BTreeSet;
use tower::ServiceExt;
use uuid::Uuid;
use web::access::{Access, ROUTES};

/// The routes `routes::routes` registers, read from its source: each `.route("path",
/// get(..).post(..))` with the methods named in its arguments.
fn registered_routes() -> BTreeSet<(String, String)> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/mod.rs")).unwrap();
    let table = &src[src.find("pub fn routes()").unwrap()..];
    let table = &table[..table.find(".fallback(").unwrap()];
    let mut out = BTreeSet::new();
    for part in table.split(".route(").skip(1) {
        let path = &part[part.find('"').unwrap() + 1..];
        let path = &path[..path.find('"').unwrap()];
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            let calls = part.match_indices(needle).filter(|(i, _)| {
                // `get(` but not `target(`: the name starts the call or follows `(` or `.`
                *i == 0 || matches!(part.as_bytes()[i - 1], b'(' | b'.' | b' ' | b'\n')
            });
            if calls.count() > 0 {
                out.insert((method.to_string(), path.to_string()));
            }
        }
    }
    out
}

#[test]
fn the_route_table_is_the_router() {
    let registered = registered_routes();
    let table: BTreeSet<(String, String)> = ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    assert_eq!(table.len(), ROUTES.len(), "a route is in the table twice");
    let missing: Vec<_> = registered.difference(&table).collect();
    let extra: Vec<_> = table.difference(&registered).collect();
    assert!(missing.is_empty(), "routes without an access rule: {missing:?}");
    assert!(extra.is_empty(), "rules for routes that do not exist: {extra:?}");
    assert!(registered.len() > 80, "the source was read: {}", registered.len());
}

#[test]
fn docs_access_md_is_generated_from_the_policy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md");
    let generated = web::access::markdown();
    if std::env::var_os("OPSOG_WRITE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/access.md is not what the policy says; rewrite it with \
         OPSOG_WRITE_DOCS=1 cargo test -p web --test access_matrix"
    );
}

/// A request path for a route: every parameter filled in with a value of its kind
/// that names nothing (a fresh id), so an allowed role gets past the gate and then
/// "not found" or a form error, never someone's data.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| match part {
            "{id}" | "{event}" | "{consent}" => Uuid::new_v4().to_string(),
            "{token}" | "{hash}" => "x".to_string(),
            "{lang}" => "so".to_string(),
            "{kind}" => "print".to_string(),
            "{n}" => "1".to_string(),
            "{*path}" => "x.css".to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A fresh session for `user` (no password: the login itself is tested elsewhere),
/// as the cookie and the form token a browser would send.
async fn session_for(w: &World, user: Option<Uuid>) -> (String, String) {
    let token = app::auth::new_token().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let session = store::Session {
        token_hash: app::auth::token_hash(&token),
        user_id: user,
        csrf_token: app::auth::new_token().unwrap(),
        created_at: now,
        last_seen_at: now,
        data: "{}".into(),
        stage: None,
    };
    w.db.store.create_session(&session).await.unwrap();
    (token, session.csrf_token)
}

async fn send(w: &World, method: &str, path: &str, session: Option<(String, String)>) -> (StatusCode, Option<String>) {
    let mut b = Request::builder().method(method).uri(path);
    let mut body = String::new();
    if let Some((token, csrf)) = session {
        b = b.header(header::COOKIE, format!("opsog_session={token}"));
        body = format!("csrf={csrf}");
    }
    let req = if method == "POST" {
        b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap()
    } else {
        b.body(Body::empty()).unwrap()
    };
    let res = w.app.clone().oneshot(req).await.unwrap();
    let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
    (res.status(), location)
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let w = world().await;
    let area = w.db.store.create_area("0101", "Vestbyen", &["5000".into()]).await.unwrap();
    ready_for_field_work(&w, area.id).await;
    // Her own gate before field work (G-6): she accepts the ethics frame.
    let mut amb = Client::login(&w.app, "amb").await;
    amb.get("/field/ethics").await;
    assert_eq!(amb.post("/field/ethics", &[("version", "1")]).await.status, StatusCode::SEE_OTHER);
    let users = w.db.store.list_users().await.unwrap();
    let login = |role: Role| users.iter().find(|u| u.role == role).map(|u| u.id).unwrap();
    let mut wrong = Vec::new();
    for route in ROUTES {
        let path = concrete(route.path);
        // Not logged in: only public routes answer; the rest lead to the login page.
        if route.access != Access::Public {
            let (status, location) = send(&w, route.method, &path, None).await;
            let to_login =
                status == StatusCode::SEE_OTHER && location.as_deref().is_some_and(|l| l.starts_with("/login"));
            // A login step's form posted without a session is refused by its CSRF check.
            let refused_step = route.access == Access::Stage && status == StatusCode::FORBIDDEN;
            if !to_login && !refused_step {
                wrong.push(format!("{} {} anonymous: {status} {location:?}", route.method, route.path));
            }
        }
        for role in Role::ALL {
            let session = session_for(&w, Some(login(role))).await;
            let (status, location) = send(&w, route.method, &path, Some(session)).await;
            let allowed = web::access::reach(route.access, role).is_some();
            let to_login = location.as_deref().is_some_and(|l| l.starts_with("/login?"));
            let ok =
                if allowed { status != StatusCode::FORBIDDEN && !to_login } else { status == StatusCode::FORBIDDEN };
            if !ok {
                let expected = if allowed { "allowed" } else { "403" };
                wrong.push(format!(
                    "{} {} {role:?}: {status} {location:?}, expected {expected}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the table:\n{}", wrong.len(), wrong.join("\n"));
    w.db.cleanup().await;
}
