//! The conformance suite: intake, the one way every door takes a woman in (issue 11,
//! item 3). The do-not-contact list (G-2.2) is read in the transaction that would
//! write her: a woman on it is refused by every door someone else opened, with nothing
//! written, and a hand-made record or a letter batch is refused the same way.
//! Every test runs against a fresh database of the backend the environment selects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use domain::audit::AuditAction;
use domain::person::SourceKind;
use store::testkit::{TestDb, new_person, referral, street_registration};
use store::*;

const HODAN: &str = "hash-of-hodan";

async fn on_the_list(s: &SqlStore) {
    s.add_do_not_contact(&[HODAN.into()], &audit(AuditAction::RecordEvent)).await.unwrap();
}

#[tokio::test]
async fn a_street_registration_of_a_woman_on_the_list_writes_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    on_the_list(s).await;
    let before = audit_count(s).await;
    let mut write = registration_write(street_registration("Hodan", "12345678", w.area.id), &w.ambassador, w.init.id);
    write.dnc_hashes = vec!["another-hash".into(), HODAN.into()];
    let r = s.register_from_street(&write, &audit(AuditAction::RegisterFromStreet)).await.unwrap();
    assert_eq!(r, DoorOutcome::Refused);
    assert_eq!(s.count_people().await.unwrap(), 0);
    assert_eq!(audit_count(s).await, before);
    assert!(s.list_notifications(w.caseworker.id).await.unwrap().is_empty());

    // Not on the list, the same registration goes through.
    write.dnc_hashes = vec!["another-hash".into()];
    let done = s.register_from_street(&write, &audit(AuditAction::RegisterFromStreet)).await.unwrap();
    assert!(matches!(done, DoorOutcome::Created(_)), "{done:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn a_referral_of_a_woman_on_the_list_writes_nothing_even_for_a_known_woman() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = partners(s).await;
    on_the_list(s).await;
    let before = audit_count(s).await;
    let mut write = from_account(referral("Hodan", Some("12345678")), &w.account, w.init.id);
    write.dnc_hashes = vec![HODAN.into()];
    let r = s.refer(&write, &audit(AuditAction::Refer)).await.unwrap();
    assert_eq!(r, DoorOutcome::Refused);
    assert_eq!(s.count_people().await.unwrap(), 0);
    assert_eq!(audit_count(s).await, before);

    // A known woman is refused too: the door does not reach her record.
    write.dnc_hashes = Vec::new();
    let DoorOutcome::Created(id) = s.refer(&write, &audit(AuditAction::Refer)).await.unwrap() else {
        panic!("a new woman")
    };
    let sources = s.read_person(id).await.unwrap().unwrap().sources.len();
    write.dnc_hashes = vec![HODAN.into()];
    let r = s.refer(&write, &audit(AuditAction::Refer)).await.unwrap();
    assert_eq!(r, DoorOutcome::Refused);
    assert_eq!(s.read_person(id).await.unwrap().unwrap().sources.len(), sources);
    assert_eq!(s.count_people().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn a_woman_on_the_list_is_not_created_by_hand_either() {
    let db = TestDb::new().await;
    let s = &db.store;
    let init = initiative(s).await;
    on_the_list(s).await;
    let new = new_person(init.id, None, details("Hodan", "Ali", "", ""), SourceKind::Other, None);
    let r = s.create_person(&new, &[HODAN.into()], &audit(AuditAction::CreatePerson)).await;
    assert!(matches!(r, Err(StoreError::OnDoNotContact)), "{r:?}");
    assert_eq!(s.count_people().await.unwrap(), 0);
    s.create_person(&new, &["someone-else".into()], &audit(AuditAction::CreatePerson)).await.unwrap();
    assert_eq!(s.count_people().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn a_letter_batch_is_refused_whole_when_a_woman_went_on_the_list_since_it_was_planned() {
    let db = TestDb::new().await;
    let s = &db.store;
    let w = street(s).await;
    let run = uuid::Uuid::new_v4();
    let a = s
        .create_person(
            &new_person(w.init.id, None, details("Hodan", "Ali", "", ""), SourceKind::RegisterRun, Some(run)),
            &[],
            &audit(AuditAction::CreatePerson),
        )
        .await
        .unwrap();
    let mut letter = batch_letter(a, w.init.id, "AAAAABBBBB", Some(w.caseworker.id), 1);
    letter.dnc_hashes = vec![HODAN.into()];
    on_the_list(s).await;
    let write = batch_write(w.init.id, run, &w.coordinator, vec![letter]);
    let r = s.record_letter_batch(&write, &audit(AuditAction::SendLetterBatch)).await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    assert!(s.letter_batches(w.init.id).await.unwrap().is_empty(), "nothing written");
    db.cleanup().await;
}
