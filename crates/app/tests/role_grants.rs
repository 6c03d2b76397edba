//! Role grants at the `app` level (issue 13, item 6), on SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL: what is recorded of who made whom, and the grants
//! that no longer stand when they are confirmed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use app::users::{self, GrantedBy, RoleChange, UserInput};
use app::{Caller, Error};
use common::ctx;
use domain::policy::{GrantStatus, Role};
use store::testkit::{TestDb, user};

fn input(username: &str, role: &str) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: username.into(),
        role: role.into(),
        password: "en lang adgangskode".into(),
        ..Default::default()
    }
}

/// Who created a login and who proposed and confirmed each of her roles is what the
/// plan approval asks (`sponsors_of`); a withdrawn grant made nobody anything, and the
/// operator's first admin names nobody.
#[tokio::test]
async fn who_created_and_promoted_a_login_is_recorded() {
    let db = TestDb::new().await;
    let s = &db.store;
    let ctx = ctx(&db);
    let operator = GrantedBy::Operator { origin: "opsog user add" };
    let first = users::create(&ctx, operator, &input("drift", "admin")).await.unwrap();
    assert_eq!(first.waits_for, None);
    assert!(s.sponsors_of(first.user.id).await.unwrap().is_empty(), "the operator is nobody's sponsor");
    let grants = s.role_grants_of(first.user.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].from_role, grants[0].to_role, grants[0].proposed_by), (None, Role::Admin, None));

    let admin = Caller::new(first.user.clone(), "POST /admin/users");
    let coordinator = Caller::new(user(s, "koordinator", Role::Coordinator, None).await, "POST /admin/users");
    let made = users::create(&ctx, GrantedBy::User(&coordinator), &input("sagsbehandler", "caseworker")).await.unwrap();
    assert_eq!((made.waits_for, made.user.role, made.user.active), (None, Role::Caseworker, true));
    assert_eq!(s.sponsors_of(made.user.id).await.unwrap(), vec![coordinator.user.id]);

    // promoted: proposed by the admin, withdrawn — nothing; proposed again, confirmed
    let RoleChange::Proposed(_) = users::change_role(&ctx, &admin, made.user.id, "coordinator").await.unwrap() else {
        panic!("the coordinator role waits")
    };
    let waiting = s.pending_role_grants().await.unwrap();
    users::withdraw(&ctx, &admin, waiting[0].id).await.unwrap();
    assert_eq!(s.role_grant(waiting[0].id).await.unwrap().status, GrantStatus::Withdrawn);
    assert_eq!(s.sponsors_of(made.user.id).await.unwrap(), vec![coordinator.user.id]);
    users::change_role(&ctx, &admin, made.user.id, "coordinator").await.unwrap();
    // Issue 14, item 3: the start page tells the other side, not the proposer.
    assert_eq!(app::today::today(&ctx, &coordinator).await.unwrap().grants_to_confirm, Some(1));
    assert_eq!(app::today::today(&ctx, &admin).await.unwrap().grants_to_confirm, Some(0));
    let waiting = s.pending_role_grants().await.unwrap();
    let promoted = users::confirm(&ctx, &coordinator, waiting[0].id).await.unwrap();
    assert_eq!(app::today::today(&ctx, &coordinator).await.unwrap().grants_to_confirm, Some(0));
    assert_eq!(promoted.role, Role::Coordinator);
    let mut expected = vec![coordinator.user.id, admin.user.id];
    expected.sort();
    assert_eq!(s.sponsors_of(made.user.id).await.unwrap(), expected);
    let record = s.role_grants_of(made.user.id).await.unwrap();
    let statuses: Vec<GrantStatus> = record.iter().map(|g| g.status).collect();
    assert_eq!(statuses, vec![GrantStatus::Confirmed, GrantStatus::Withdrawn, GrantStatus::Confirmed]);
    assert_eq!(record[2].from_role, Some(Role::Caseworker));
    db.cleanup().await;
}

/// A proposal stands only while its proposer does: closed meanwhile, her proposal is
/// confirmed by nobody ("changed meanwhile"), and the login keeps her role.
#[tokio::test]
async fn a_proposal_whose_proposer_was_closed_is_not_confirmed() {
    let db = TestDb::new().await;
    let s = &db.store;
    let ctx = ctx(&db);
    let admin = Caller::new(user(s, "admin", Role::Admin, None).await, "POST /admin/users");
    let coordinator = Caller::new(user(s, "koordinator", Role::Coordinator, None).await, "POST /admin/users");
    let cw = user(s, "cw", Role::Caseworker, None).await;
    users::change_role(&ctx, &coordinator, cw.id, "coordinator").await.unwrap();
    let grant = s.pending_role_grants().await.unwrap()[0].id;
    users::set_active(&ctx, &admin, coordinator.user.id, false).await.unwrap();
    let e = users::confirm(&ctx, &admin, grant).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert_eq!(s.get_user(cw.id).await.unwrap().role, Role::Caseworker);
    assert_eq!(s.role_grant(grant).await.unwrap().status, GrantStatus::Pending);
    // an unknown role is a field error, not a refusal
    let Err(Error::Invalid(fields)) = users::change_role(&ctx, &admin, cw.id, "boss").await else {
        panic!("an unknown role is refused at the field")
    };
    assert_eq!(fields.for_field("role"), Some("error-unknown-choice"));
    db.cleanup().await;
}
