//! Letter templates at the `app` level: who may edit them, a text refused field by
//! field, a translation a draft until it is marked reviewed (G-8.4), each change
//! audited; on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::{Caller, Error, Refusal, templates};
use common::ctx;
use domain::audit::AuditAction;
use domain::letter_template::TemplateInput;
use domain::policy::Role;
use store::AuditQuery;
use store::testkit::{TestDb, initiative, user};

fn letter() -> TemplateInput {
    TemplateInput {
        headline: "Et tilbud om job til dig".into(),
        body: "Kære {name}\n\n{municipality} skriver til dig. Ring til {contact_name} på {contact_phone}. Din kode er {response_code}.".into(),
        offer: "Vi mødes {meeting}.".into(),
    }
}

#[tokio::test]
async fn only_who_edits_letters_may_and_a_refusal_is_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let amb = user(s, "amb", Role::Ambassador, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(amb.clone(), "POST /letters/{lang}");
    assert!(matches!(templates::save(&ctx, &caller, "da", &letter()).await, Err(Error::Refused(Refusal::Role))));
    assert!(matches!(templates::mark_reviewed(&ctx, &caller, "ar").await, Err(Error::Refused(Refusal::Role))));
    assert!(matches!(templates::view(&ctx, &caller).await, Err(Error::Refused(Refusal::Role))));
    assert!(s.letter_templates(init.id).await.unwrap().is_empty());
    let query = AuditQuery { person_id: None, user_id: Some(amb.id), limit: 100, ..Default::default() };
    let denied = s.list_audit(&query).await.unwrap().into_iter().filter(|a| a.action.code() == "denied").count();
    assert_eq!(denied, 3);
    db.cleanup().await;
}

#[tokio::test]
async fn a_template_is_refused_field_by_field_saved_and_a_translation_reviewed() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let koord = user(s, "koord", Role::Coordinator, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(koord.clone(), "POST /letters/{lang}");

    let bad = TemplateInput { headline: String::new(), body: "Kære {name}, {ukendt}".into(), ..letter() };
    let Err(Error::Invalid(fields)) = templates::save(&ctx, &caller, "da", &bad).await else { panic!("refused") };
    assert!(fields.for_field("headline").is_some() && fields.for_field("body").is_some(), "{fields}");
    assert!(matches!(templates::save(&ctx, &caller, "xx", &letter()).await, Err(Error::NotFound(_))));
    assert!(s.letter_templates(init.id).await.unwrap().is_empty(), "nothing written");

    templates::save(&ctx, &caller, "da", &letter()).await.unwrap();
    templates::save(&ctx, &caller, "ar", &letter()).await.unwrap();
    let view = templates::view(&ctx, &caller).await.unwrap();
    let (ar, saved) = view.current("ar").unwrap();
    assert!(saved && !ar.reviewed, "a changed translation is a draft");
    assert!(view.current("da").unwrap().0.reviewed, "the municipality's own Danish text is not");

    // A shipped draft never saved is saved as it is, then marked reviewed.
    let reviewer = Caller::new(koord.clone(), "POST /letters/{lang}/reviewed");
    templates::mark_reviewed(&ctx, &reviewer, "so").await.unwrap();
    let so = s.letter_templates(init.id).await.unwrap().into_iter().find(|t| t.template.language == "so").unwrap();
    assert!(so.template.reviewed && so.reviewed_by == Some(koord.id));
    let query = AuditQuery { person_id: None, user_id: Some(koord.id), limit: 100, ..Default::default() };
    let entries = s.list_audit(&query).await.unwrap();
    let saves = entries.iter().filter(|a| a.action == AuditAction::SaveLetterTemplate).count();
    assert_eq!(saves, 4, "two saves, and the shipped draft saved and marked reviewed");
    assert!(entries.iter().any(|a| a.origin == "POST /letters/{lang}/reviewed" && a.detail.ends_with("reviewed")));
    db.cleanup().await;
}
