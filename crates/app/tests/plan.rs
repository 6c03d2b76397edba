//! The initiative plan at the `app` level: versions, the legal basis's recorder, the
//! four-eyes approval (G-5.3) and its audited refusals, on SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::plan::{self, ApproveInput, Approved, Saved};
use app::{Caller, Error, Refusal};
use common::{ctx, log};
use domain::audit::AuditAction;
use domain::plan::{ApprovalRefused, PlanInput};
use domain::policy::Role;
use store::testkit::{TestDb, initiative, user};
use time::OffsetDateTime;

fn plan_input(target_group: &str) -> PlanInput {
    let review = OffsetDateTime::now_utc().date() + time::Duration::days(180);
    PlanInput {
        target_group: target_group.into(),
        challenges: "Mange er isolerede og kender ikke tilbuddene.".into(),
        why: "Flere kvinder i job giver økonomisk selvstændighed.".into(),
        how: "Breve, ambassadører og samarbejdspartnere.".into(),
        methods: vec!["register_search".into(), "ambassadors".into()],
        methods_why: "Registre finder de isolerede; ambassadører når dem, brevet ikke når.".into(),
        ethics_frame: "Vi presser aldrig.".into(),
        resources: "To konsulenter".into(),
        programme_seats: "40".into(),
        legal_frame: "Lov om aktiv beskæftigelsesindsats.".into(),
        sources: "Folkeregister (CPR-udtræk)\nIndkomstregister".into(),
        rules_ref: "udsøgning-2026.toml sha256:ab12".into(),
        legal_basis_text: "Kommunen må behandle oplysningerne som led i myndighedsudøvelse.".into(),
        legal_basis_reference: "Databeskyttelseslovens § 6, jf. forordningens art. 6, stk. 1, litra e".into(),
        dpia_exists: Some("on".into()),
        dpia_reference: "DPIA 2026-14".into(),
        dpia_date: "2026-10-01".into(),
        review_on: review.to_string(),
        ..Default::default()
    }
}

#[tokio::test]
async fn only_a_coordinator_plans_and_a_refusal_is_audited() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.create_initiative(&initiative()).await.unwrap();
    let cw = user(s, "cw", Role::Caseworker, None).await;
    let ctx = ctx(&db);
    let caller = Caller::new(cw.clone(), "POST /plan");
    let e = plan::save(&ctx, &caller, &plan_input("Kvinder 18–64")).await.unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let e = plan::view(&ctx, &caller).await.err().expect("refused");
    assert!(matches!(e, Error::Refused(Refusal::Role)), "{e:?}");
    let e = plan::approve(&ctx, &caller, &ApproveInput { version: "1".into(), note: String::new() }).await;
    assert!(matches!(e, Err(Error::Refused(Refusal::Role))), "{e:?}");
    let denied = log(s).await.into_iter().filter(|a| a.action == AuditAction::Denied).count();
    assert_eq!(denied, 3, "every refusal is in the audit log");
    db.cleanup().await;
}

#[tokio::test]
async fn a_plan_that_does_not_parse_is_refused_field_by_field_with_nothing_written() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let koord = user(s, "koord", Role::Coordinator, None).await;
    let ctx = ctx(&db);
    let before = log(s).await.len();
    let input = PlanInput { programme_seats: "mange".into(), ..plan_input("") };
    let Err(Error::Invalid(fields)) = plan::save(&ctx, &Caller::new(koord, "POST /plan"), &input).await else {
        panic!("refused")
    };
    assert!(fields.for_field("target_group").is_some() && fields.for_field("programme_seats").is_some(), "{fields}");
    assert!(s.plan_versions(init.id).await.unwrap().is_empty());
    assert_eq!(log(s).await.len(), before, "nothing written");
    db.cleanup().await;
}

#[tokio::test]
async fn a_second_coordinator_approves_and_a_change_of_what_was_approved_withdraws_it() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let author = Caller::new(user(s, "koord", Role::Coordinator, None).await, "POST /plan");
    let second = Caller::new(user(s, "leder", Role::Coordinator, None).await, "POST /plan/approve");
    let ctx = ctx(&db);

    let saved = plan::save(&ctx, &author, &plan_input("Kvinder 18–64")).await.unwrap();
    assert_eq!(saved, Saved::Version { version: 1, withdrawn: vec![] });
    // Issue 14, item 3: the start page tells the second coordinator, not the author.
    assert_eq!(app::today::today(&ctx, &second).await.unwrap().plan_to_approve, Some(1));
    assert_eq!(app::today::today(&ctx, &author).await.unwrap().plan_to_approve, None);
    let view = plan::view(&ctx, &author).await.unwrap();
    assert_eq!(view.versions.len(), 1);
    let basis = view.versions[0].plan.legal_basis.clone().expect("a legal basis");
    assert_eq!(basis.recorded_by, author.user.id, "the coordinator who wrote the basis recorded it");
    assert_eq!(s.ethics_frame(init.id).await.unwrap().unwrap().text, "Vi presser aldrig.");

    // Four eyes: the author may not approve her own version; the refusal is audited.
    let own = ApproveInput { version: "1".into(), note: String::new() };
    let refused = plan::approve(&ctx, &Caller::new(author.user.clone(), "POST /plan/approve"), &own).await.unwrap();
    assert_eq!(refused, Approved::Refused(ApprovalRefused::OwnVersion));
    assert!(s.plan_versions(init.id).await.unwrap()[0].approval.is_none());
    let entries = log(s).await;
    assert!(entries.iter().any(|e| e.action == AuditAction::Denied && e.detail.contains("own-version")));

    // A version she has not read is not approved.
    let unread = ApproveInput { version: "2".into(), note: String::new() };
    assert_eq!(plan::approve(&ctx, &second, &unread).await.unwrap(), Approved::Stale);
    let ok = ApproveInput { version: "1".into(), note: "Set af jurist".into() };
    assert_eq!(plan::approve(&ctx, &second, &ok).await.unwrap(), Approved::Approved);
    assert_eq!(app::today::today(&ctx, &second).await.unwrap().plan_to_approve, None, "approved: nothing waits");
    let approval = s.plan_versions(init.id).await.unwrap()[0].approval.clone().expect("approved");
    assert_eq!((approval.approved_by, approval.note.as_str()), (second.user.id, "Set af jurist"));
    let entry = log(s).await.into_iter().find(|e| e.action == AuditAction::ApprovePlan).expect("audited");
    assert_eq!((entry.user_id, entry.origin.as_str()), (Some(second.user.id), "POST /plan/approve"));

    // A new version by the second coordinator keeps who recorded the unchanged basis;
    // a changed target group withdraws the approval.
    let saved = plan::save(&ctx, &second, &plan_input("Kvinder 25–64")).await.unwrap();
    assert_eq!(saved, Saved::Version { version: 2, withdrawn: vec!["target_group"] });
    let versions = s.plan_versions(init.id).await.unwrap();
    assert!(versions[1].approval.is_none());
    assert_eq!(versions[1].plan.legal_basis.as_ref().unwrap().recorded_by, author.user.id);
    db.cleanup().await;
}

/// What `opsog plan show` and an approver read (issue 12, item 5): the current version
/// unapproved, the last approved one, and every field changed since, with whether the
/// approval covers it; and the saved selection rules the plan names by checksum.
#[tokio::test]
async fn the_view_says_what_changed_since_the_last_approval_and_which_rules_the_plan_names() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let author = Caller::new(user(s, "koord", Role::Coordinator, None).await, "opsog plan show");
    let second = Caller::new(user(s, "leder", Role::Coordinator, None).await, "opsog plan approve");
    let ctx = ctx(&db);
    let rules =
        app::register_search::save_rules(&ctx, &author, &domain::selection::template("self_supporting_women").unwrap())
            .await
            .unwrap()
            .rules;
    let reference = domain::selection::Rules::reference(&rules.toml);

    let mut first = plan_input("Kvinder 18–64");
    first.rules_ref = format!("udvaelgelse.toml {reference}");
    plan::save(&ctx, &author, &first).await.unwrap();
    let view = plan::view(&ctx, &author).await.unwrap();
    assert_eq!(view.current().map(|v| v.version), Some(1));
    assert!(view.last_approved().is_none());
    assert!(view.changes_since_approval().is_none(), "nothing was approved to compare with");
    let named = plan::named_rules(&ctx, &author, &view.current().unwrap().plan).await.unwrap();
    assert_eq!(
        named,
        vec![plan::NamedRules { version: 1, name: rules.name.clone(), reference: reference.clone(), in_force: true }]
    );
    let ok = ApproveInput { version: "1".into(), note: String::new() };
    assert_eq!(plan::approve(&ctx, &second, &ok).await.unwrap(), Approved::Approved);
    assert!(plan::view(&ctx, &author).await.unwrap().changes_since_approval().is_none(), "approved: nothing to read");

    // Version 2 names other rules and other resources: the approval is withdrawn, and
    // the view names both changes, only the rules as covered.
    let mut next = first.clone();
    next.rules_ref = "andre.toml sha256:000000000000".into();
    next.resources = "Tre konsulenter".into();
    plan::save(&ctx, &author, &next).await.unwrap();
    let view = plan::view(&ctx, &second).await.unwrap();
    let (approved, changes) = view.changes_since_approval().expect("changes since version 1");
    assert_eq!(approved.version, 1);
    let fields: Vec<(&str, bool)> = changes.iter().map(|c| (c.field, c.withdraws_approval)).collect();
    assert_eq!(fields, vec![("resources", false), ("rules_ref", true)]);
    let rules_change = &changes[1];
    assert_eq!(rules_change.before.as_deref(), Some(first.rules_ref.as_str()));
    assert_eq!(rules_change.after.as_deref(), Some("andre.toml sha256:000000000000"));
    assert!(plan::named_rules(&ctx, &second, &view.current().unwrap().plan).await.unwrap().is_empty());
    db.cleanup().await;
}

/// Saving rules writes the plan version that names them (issue 12, item 5): the
/// approval covered the old rules, so it is withdrawn, and the run is refused until a
/// second coordinator approves the new version; the same rules saved again change
/// nothing.
#[tokio::test]
async fn saving_rules_makes_the_plan_version_that_names_them_and_withdraws_the_approval() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative();
    s.create_initiative(&init).await.unwrap();
    let author = Caller::new(user(s, "koord", Role::Coordinator, None).await, "opsog register rules");
    let second = Caller::new(user(s, "leder", Role::Coordinator, None).await, "opsog plan approve");
    let ctx = ctx(&db);
    let first_rules = domain::selection::template("self_supporting_women").unwrap();
    let saved = app::register_search::save_rules(&ctx, &author, &first_rules).await.unwrap();
    assert_eq!(saved.plan_version, None, "no plan yet: nothing to name them");
    let mut first = plan_input("Kvinder 18–64");
    first.rules_ref = format!("udvaelgelse.toml {}", domain::selection::Rules::reference(&saved.rules.toml));
    plan::save(&ctx, &author, &first).await.unwrap();
    let ok = ApproveInput { version: "1".into(), note: String::new() };
    assert_eq!(plan::approve(&ctx, &second, &ok).await.unwrap(), Approved::Approved);

    let other = domain::selection::template("maintenance_spouses").unwrap();
    let saved = app::register_search::save_rules(&ctx, &author, &other).await.unwrap();
    assert_eq!(saved.plan_version, Some(2));
    let view = plan::view(&ctx, &author).await.unwrap();
    let current = view.current().unwrap();
    assert!(domain::selection::plan_names_rules(&current.plan.rules_ref, &saved.rules.toml), "{current:?}");
    assert!(current.approval.is_none(), "the approval covered the old rules");
    assert_eq!(current.plan.target_group, "Kvinder 18–64", "the rest of the plan is kept");
    let refused = app::register_search::run(&ctx, &author, false).await.unwrap_err();
    assert!(matches!(refused, Error::Refused(Refusal::Search(_))), "{refused:?}");

    // The same rules again: the plan names them already, no version is written.
    let again = app::register_search::save_rules(&ctx, &author, &other).await.unwrap();
    assert_eq!(again.plan_version, None);
    assert_eq!(plan::view(&ctx, &author).await.unwrap().current().unwrap().version, 2);
    db.cleanup().await;
}
