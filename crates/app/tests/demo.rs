//! The demo municipality (issue 14, item 10): what a team opening it finds is
//! coherent — every partner that refers has an agreement, and about half of the women
//! a partner referred agreed that it may see how far she has come.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::do_not_contact::DncKey;
use store::testkit::TestDb;

#[tokio::test]
async fn the_demo_s_partners_have_agreements_and_half_their_referrals_share_status() {
    let db = TestDb::new().await;
    let s = &db.store;
    let key = DncKey::new(vec![7; 32]).unwrap();
    let settings = app::demo::DemoSettings { seed: 42, size: 400, now: time::OffsetDateTime::now_utc() };
    app::demo::seed(s, &settings, &key, &app::Quiet).await.unwrap();
    let partners = s.list_partners().await.unwrap();
    assert!(!partners.is_empty());
    let initiative = s.list_initiatives().await.unwrap()[0].id;
    let (mut referred, mut sharing) = (0, 0);
    for p in &partners {
        let rows = s.list_referrals(p.id, initiative).await.unwrap();
        if !rows.is_empty() {
            assert!(p.agreement.is_some(), "{} refers without an agreement", p.details.name);
        }
        referred += rows.len();
        sharing += rows.iter().filter(|r| r.status_consent).count();
    }
    assert!(referred >= 20, "only {referred} referrals in a demo of 400");
    let share = sharing as f64 / referred as f64;
    assert!((0.3..=0.7).contains(&share), "{sharing} of {referred} referrals share their status");
    db.cleanup().await;
}
