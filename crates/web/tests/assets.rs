//! The design system is served whole (issue 14, item 1): every `url()` the DKFDS
//! stylesheet names — its fonts, icons and images — answers 200 from the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use axum::http::StatusCode;
use common::{Client, world};

#[tokio::test]
async fn every_file_the_stylesheet_names_is_served() {
    let w = world().await;
    let mut c = Client::new(&w.app);
    let login = c.get("/login").await;
    let start = login.body.find("href=\"/static/").expect("the page links its stylesheet") + 6;
    let href = &login.body[start..start + login.body[start..].find('"').unwrap()];
    assert!(href.ends_with("/dkfds/css/dkfds.min.css"), "{href}");
    let css = c.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    let base = &href[..href.rfind('/').unwrap()];
    let mut urls: Vec<String> = Vec::new();
    let mut rest = css.body.as_str();
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let end = rest.find(')').unwrap();
        let raw = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'');
        let clean = raw.split(['#', '?']).next().unwrap();
        if !clean.is_empty() && !clean.starts_with("data:") && !urls.iter().any(|u| u == clean) {
            urls.push(clean.to_string());
        }
        rest = &rest[end..];
    }
    assert!(urls.len() > 20, "the stylesheet names its fonts and icons: {urls:?}");
    assert!(urls.iter().any(|u| u.ends_with(".woff2")), "{urls:?}");
    let mut missing = Vec::new();
    for url in &urls {
        // `../fonts/x.woff2` from `/static/<hash>/dkfds/css/`.
        let mut path: Vec<&str> = base.split('/').collect();
        for part in url.split('/') {
            match part {
                ".." => {
                    path.pop();
                }
                "." => {}
                p => path.push(p),
            }
        }
        let page = c.get(&path.join("/")).await;
        if page.status != StatusCode::OK {
            missing.push(format!("{url}: {}", page.status));
        }
    }
    assert!(missing.is_empty(), "{} of {} not served:\n{}", missing.len(), urls.len(), missing.join("\n"));
    w.db.cleanup().await;
}
