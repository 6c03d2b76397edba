//! Tests of the partner rules: the register, agreements, referrals, links,
//! follow-ups and what a partner sees.

use super::*;
use crate::ambassador::MAX_NOTE;
use crate::funnel::{CoarseStatus, Stage};
use crate::org::{Consent, ConsentPurpose};
use crate::phone::PhoneNumber;
use time::macros::{date, datetime};
use time::{Month, OffsetDateTime};

const TODAY: Date = date!(2026 - 03 - 10);
const AREA: &str = "0191c3a0-0000-7000-8000-000000000001";

#[test]
fn partner_kinds_are_internal_or_external() {
    let internal: Vec<_> = PartnerKind::ALL.iter().filter(|k| k.is_internal()).collect();
    assert_eq!(internal.len(), 4);
    assert!(PartnerKind::HealthVisitor.is_internal());
    assert!(!PartnerKind::LanguageSchool.is_internal());
    assert!(!PartnerKind::HousingSocialWork.is_internal());
    for k in PartnerKind::ALL {
        assert_eq!(PartnerKind::from_code(k.code()), Some(k));
    }
    for p in ContactPreference::ALL {
        assert_eq!(ContactPreference::from_code(p.code()), Some(p));
    }
}

#[test]
fn a_valid_partner_form_becomes_details() {
    let i = PartnerInput {
        name: " Sprogcenter Nord ".into(),
        kind: "language_school".into(),
        area_id: AREA.into(),
        contact_persons: "Lene Holm, 12 34 56 78\n\n  Ali Demir  \n".into(),
        active: Some("on".into()),
    };
    let d = i.parse(TODAY).unwrap();
    assert_eq!(d.name, "Sprogcenter Nord");
    assert_eq!(d.kind, PartnerKind::LanguageSchool);
    assert_eq!(d.area_id, Some(Uuid::parse_str(AREA).unwrap()));
    assert_eq!(d.contact_persons, vec!["Lene Holm, 12 34 56 78".to_string(), "Ali Demir".to_string()]);
    assert!(d.active);
    let inactive = PartnerInput { name: "x".into(), kind: "association".into(), ..Default::default() };
    let d = inactive.parse(TODAY).unwrap();
    assert!(!d.active);
    assert_eq!(d.area_id, None);
}

#[test]
fn every_bad_partner_field_is_named() {
    let bad = PartnerInput {
        name: String::new(),
        kind: "church".into(),
        area_id: "north".into(),
        contact_persons: "x\n".repeat(MAX_CONTACT_PERSONS + 1),
        active: None,
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("name"), Some("error-required"));
    assert_eq!(e.for_field("kind"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("area_id"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("contact_persons"), Some("error-too-long"));
    let missing_kind = PartnerInput { name: "x".into(), ..Default::default() };
    assert_eq!(missing_kind.parse(TODAY).unwrap_err().for_field("kind"), Some("error-required"));
}

fn agreement() -> AgreementInput {
    AgreementInput {
        guidelines: "The teachers mention the offer in class once a term.".into(),
        core_task_benefit: "Students who work learn Danish faster.".into(),
        ethics: "Teachers never pass on what a student told them in confidence.".into(),
        confidentiality: "Only name and phone, only with her consent.".into(),
        review_on: "2026-09-01".into(),
    }
}

#[test]
fn a_valid_agreement_is_accepted() {
    let a = agreement().parse(TODAY).unwrap();
    assert_eq!(a.review_on, date!(2026 - 09 - 01));
    assert!(a.core_task_benefit.contains("Danish"));
    assert!(!agreement_due(a.review_on, TODAY));
    assert!(agreement_due(a.review_on, date!(2026 - 09 - 01)));
    assert!(agreement_due(a.review_on, date!(2026 - 09 - 02)));
}

#[test]
fn every_bad_agreement_field_is_named() {
    let bad = AgreementInput {
        guidelines: " ".into(),
        core_task_benefit: String::new(),
        ethics: String::new(),
        confidentiality: "x".repeat(MAX_AGREEMENT_TEXT + 1),
        review_on: "2026-03-10".into(),
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("guidelines"), Some("error-required"));
    assert_eq!(e.for_field("core_task_benefit"), Some("error-required"));
    assert_eq!(e.for_field("ethics"), Some("error-required"));
    assert_eq!(e.for_field("confidentiality"), Some("error-too-long"));
    assert_eq!(e.for_field("review_on"), Some("error-date-not-future"));
    let mut i = agreement();
    i.review_on = String::new();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-required"));
    i.review_on = "next year".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-date-format"));
}

fn referral() -> ReferralInput {
    ReferralInput {
        consent: Some("on".into()),
        given_name: "Zahra".into(),
        family_name: "Ahmadi".into(),
        phone: "+45 87 65 43 21".into(),
        phone_hers_alone: Some("on".into()),
        language: "fa".into(),
        contact_preference: "phone".into(),
        status_consent: Some("on".into()),
        note: "Speaks some Danish; prefers mornings.".into(),
    }
}

#[test]
fn a_consenting_woman_is_referred() {
    let r = referral().parse(TODAY).unwrap();
    assert_eq!(r.given_name, "Zahra");
    assert_eq!(r.family_name, "Ahmadi");
    assert_eq!(r.phone.as_ref().map(PhoneNumber::as_e164), Some("+4587654321"));
    assert_eq!(r.language, "fa");
    assert_eq!(r.contact_preference, ContactPreference::Phone);
    assert!(r.status_consent);
    assert!(!r.safe_contact_only());
    assert_eq!(r.consent_purposes(), vec![ConsentPurpose::Contact, ConsentPurpose::PartnerStatus]);
    assert!(!format!("{r:?}").contains("Zahra"));
    let p = r.person_details();
    assert_eq!(p.full_name(), "Zahra Ahmadi");
    assert!(p.phone_is_hers_alone);
    assert!(!p.safe_contact_only);
    assert!(!consent_text_version().is_empty());
}

#[test]
fn a_referral_needs_only_first_name_language_and_preference() {
    let i = ReferralInput {
        consent: Some("on".into()),
        given_name: "Zahra".into(),
        language: "fa".into(),
        contact_preference: "meeting".into(),
        ..Default::default()
    };
    let r = i.parse(TODAY).unwrap();
    assert_eq!(r.phone, None);
    assert_eq!(r.family_name, "");
    assert!(!r.status_consent);
    assert_eq!(r.consent_purposes(), vec![ConsentPurpose::Contact]);
    assert!(!r.person_details().phone_is_hers_alone);
}

#[test]
fn every_bad_referral_field_is_named() {
    let bad = ReferralInput {
        consent: None,
        given_name: String::new(),
        family_name: "x".repeat(MAX_TEXT + 1),
        phone: "12".into(),
        phone_hers_alone: None,
        language: "xx".into(),
        contact_preference: "pigeon".into(),
        status_consent: None,
        note: "n".repeat(MAX_REFERRAL_NOTE + 1),
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("consent"), Some("error-consent-required"));
    assert_eq!(e.for_field("given_name"), Some("error-required"));
    assert_eq!(e.for_field("family_name"), Some("error-too-long"));
    assert_eq!(e.for_field("phone"), Some("error-phone"));
    assert_eq!(e.for_field("language"), Some("error-unknown-language"));
    assert_eq!(e.for_field("contact_preference"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("note"), Some("error-too-long"));
}

#[test]
fn a_phone_preference_needs_a_phone() {
    let mut i = referral();
    i.phone = " ".into();
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("phone"), Some("error-phone-for-calls"));
    assert_eq!(e.0.len(), 1);
    i.contact_preference = "letter".into();
    assert_eq!(i.parse(TODAY).unwrap().contact_preference, ContactPreference::Letter);
    i.contact_preference = String::new();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("contact_preference"), Some("error-required"));
}

#[test]
fn contact_through_the_partner_only_is_safe_contact_only() {
    for (code, safe_only) in [("phone", false), ("letter", false), ("through_partner", true), ("meeting", false)] {
        let mut i = referral();
        i.contact_preference = code.into();
        let r = i.parse(TODAY).unwrap();
        assert_eq!(r.safe_contact_only(), safe_only, "{code}");
        assert_eq!(r.person_details().safe_contact_only, safe_only, "{code}");
    }
}

fn link(used_at: Option<OffsetDateTime>) -> ReferralLink {
    let mut l = ReferralLink::new(
        link_token_hash("t"),
        Uuid::from_u128(7),
        Uuid::from_u128(1),
        datetime!(2026-03-01 12:00 UTC),
    );
    l.used_at = used_at;
    l
}

#[test]
fn a_link_is_valid_for_fourteen_days() {
    let l = link(None);
    assert_eq!(l.expires_at, datetime!(2026-03-15 12:00 UTC));
    assert_eq!(l.created_at, datetime!(2026-03-01 12:00 UTC));
    assert_eq!(check_link(Some(&l), datetime!(2026-03-01 12:00 UTC)), Ok(()));
    assert_eq!(check_link(Some(&l), datetime!(2026-03-15 11:59:59 UTC)), Ok(()));
}

#[test]
fn a_link_expires_at_exactly_expires_at() {
    let l = link(None);
    assert_eq!(check_link(Some(&l), l.expires_at), Err(LinkRefused::Expired));
    assert_eq!(check_link(Some(&l), datetime!(2026-04-01 0:00 UTC)), Err(LinkRefused::Expired));
}

#[test]
fn an_unknown_or_used_link_is_refused() {
    assert_eq!(check_link(None, datetime!(2026-03-02 0:00 UTC)), Err(LinkRefused::Unknown));
    let used = link(Some(datetime!(2026-03-02 9:00 UTC)));
    assert_eq!(check_link(Some(&used), datetime!(2026-03-02 10:00 UTC)), Err(LinkRefused::Used));
    // Used and expired: "used" says more.
    assert_eq!(check_link(Some(&used), datetime!(2026-05-01 0:00 UTC)), Err(LinkRefused::Used));
    assert_eq!(LinkRefused::Used.message_id(), "error-link-used");
}

#[test]
fn only_the_hash_of_a_link_token_is_stored() {
    let (token, hash) = new_link_token([0xab; 32]);
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(hash, link_token_hash(&token));
    assert_ne!(hash, token);
    assert_eq!(hash.len(), 64);
    let (other, other_hash) = new_link_token([0xac; 32]);
    assert_ne!(other, token);
    assert_ne!(other_hash, hash);
    // SHA-256 of the empty string, so the hash is the standard one.
    assert_eq!(link_token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

fn follow_up() -> PartnerFollowUpInput {
    PartnerFollowUpInput {
        held_on: "2026-03-10".into(),
        partner_org_id: Uuid::from_u128(7).to_string(),
        women_talked_to: "6".into(),
        talked_to_note: "Mostly the Tuesday class.".into(),
        presentation_note: "A former participant's story works; the brochure does not.".into(),
        how_often_note: "Every other week.".into(),
        support_note: "An interpreter at the next class visit.".into(),
    }
}

#[test]
fn a_partner_follow_up_is_recorded() {
    let f = follow_up().parse(TODAY).unwrap();
    assert_eq!(f.held_on, TODAY);
    assert_eq!(f.partner_org_id, Uuid::from_u128(7));
    assert_eq!(f.women_talked_to, 6);
    assert!(f.presentation_note.contains("brochure"));
    let mut i = follow_up();
    i.women_talked_to = "0".into();
    assert_eq!(i.parse(TODAY).unwrap().women_talked_to, 0);
    i.women_talked_to = "1000".into();
    assert_eq!(i.parse(TODAY).unwrap().women_talked_to, 1000);
}

#[test]
fn every_bad_partner_follow_up_field_is_named() {
    let bad = PartnerFollowUpInput {
        held_on: "2026-03-11".into(),
        partner_org_id: "sprogcenter".into(),
        women_talked_to: "1001".into(),
        talked_to_note: "x".repeat(MAX_NOTE + 1),
        presentation_note: "x".repeat(MAX_NOTE + 1),
        how_often_note: "x".repeat(MAX_NOTE + 1),
        support_note: "x".repeat(MAX_NOTE + 1),
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("held_on"), Some("error-date-future"));
    assert_eq!(e.for_field("partner_org_id"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("women_talked_to"), Some("error-women-talked-to"));
    for f in ["talked_to_note", "presentation_note", "how_often_note", "support_note"] {
        assert_eq!(e.for_field(f), Some("error-too-long"), "{f}");
    }
    let empty = PartnerFollowUpInput::default().parse(TODAY).unwrap_err();
    for f in ["held_on", "partner_org_id", "women_talked_to"] {
        assert_eq!(empty.for_field(f), Some("error-required"), "{f}");
    }
    let mut i = follow_up();
    i.women_talked_to = "six".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("women_talked_to"), Some("error-women-talked-to"));
}

#[test]
fn talked_to_is_summed_by_month_in_order() {
    let meeting = |held_on: Date, n: u32| PartnerFollowUp {
        held_on,
        partner_org_id: Uuid::from_u128(7),
        women_talked_to: n,
        talked_to_note: String::new(),
        presentation_note: String::new(),
        how_often_note: String::new(),
        support_note: String::new(),
    };
    let meetings = [
        meeting(date!(2026 - 02 - 20), 4),
        meeting(date!(2025 - 12 - 03), 2),
        meeting(date!(2026 - 02 - 02), 3),
        meeting(date!(2026 - 01 - 15), 0),
    ];
    assert_eq!(
        talked_to_per_month(&meetings),
        vec![(2025, Month::December, 2), (2026, Month::January, 0), (2026, Month::February, 7)]
    );
    assert!(talked_to_per_month(&[]).is_empty());
}

#[test]
fn the_yield_puts_talks_and_referrals_side_by_side_by_month() {
    let talked = [(2026, Month::January, 5), (2026, Month::March, 2)];
    let referred = [(2025, Month::December, 1), (2026, Month::March, 1)];
    assert_eq!(
        yield_by_month(&talked, &referred),
        vec![(2025, Month::December, 0, 1), (2026, Month::January, 5, 0), (2026, Month::March, 2, 1)]
    );
    assert!(yield_by_month(&[], &[]).is_empty());
}

#[test]
fn her_status_consent_counts_for_the_partner_she_gave_it_to() {
    let ours = Uuid::from_u128(1);
    let theirs = Uuid::from_u128(2);
    let consent = |purpose: ConsentPurpose, partner: Option<Uuid>, withdrawn: bool| Consent {
        id: Uuid::new_v4(),
        person_id: Uuid::nil(),
        purpose: purpose.code().into(),
        text_version: "v".into(),
        language: "ar".into(),
        recorded_by: Uuid::nil(),
        recorded_at: time::OffsetDateTime::UNIX_EPOCH,
        withdrawn_at: withdrawn.then_some(time::OffsetDateTime::UNIX_EPOCH),
        partner_org_id: partner,
    };
    assert!(status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(ours), false)], ours));
    assert!(status_consent_given(&[consent(ConsentPurpose::PartnerStatus, None, false)], ours));
    assert!(!status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(theirs), false)], ours));
    assert!(!status_consent_given(&[consent(ConsentPurpose::PartnerStatus, Some(ours), true)], ours));
    assert!(!status_consent_given(&[consent(ConsentPurpose::Contact, Some(ours), false)], ours));
}

#[test]
fn a_partner_sees_a_coarse_status_only_with_her_consent() {
    assert_eq!(partner_sees_status(true, Stage::Interested), Some(CoarseStatus::Received));
    assert_eq!(partner_sees_status(true, Stage::Met), Some(CoarseStatus::Contacted));
    assert_eq!(partner_sees_status(true, Stage::Enrolled), Some(CoarseStatus::Started));
    assert_eq!(partner_sees_status(true, Stage::Declined), None);
    for stage in Stage::ALL {
        assert_eq!(partner_sees_status(false, stage), None, "{stage:?}");
    }
}
