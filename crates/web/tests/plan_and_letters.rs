//! Route tests: The initiative plan and its approval (G-4, G-5.3), and the letter templates (G-5.6).
//! The whole app through `router().oneshot(…)`, a fresh database per test (SQLite by
//! default, PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::*;
use domain::org::NewUser;
use domain::policy::Role;
use store::UserExtra;
use time::OffsetDateTime;

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
    // Issue 14, item 8: the body in a tall editor, the check and preview beside it.
    assert!(da.body.contains("class=\"form-input opsog-editor\" id=\"body\" name=\"body\" rows=\"24\""), "{}", da.body);
    assert!(da.body.contains("class=\"opsog-letter-side\""));
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
