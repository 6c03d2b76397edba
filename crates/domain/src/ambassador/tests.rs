//! Tests of the ambassador rules: the forms, the gate, registration and follow-ups.

use super::*;
use crate::org::ConsentPurpose;
use time::Date;
use time::macros::date;
use uuid::Uuid;

const TODAY: Date = date!(2026 - 03 - 10);
const AREA: &str = "0191c3a0-0000-7000-8000-000000000001";
const INITIATIVE: Uuid = Uuid::from_u128(0x10);

fn area() -> Uuid {
    Uuid::parse_str(AREA).unwrap()
}

fn profile_input() -> ProfileInput {
    ProfileInput {
        employment: "volunteer".into(),
        languages: "so, ar, so".into(),
        area_ids: vec![AREA.into(), AREA.into()],
        expected_hours_per_week: "8".into(),
        background: "neighbourhood_mother".into(),
        local_position: "Well known in the Somali mothers' group; not in the mosque's women's circle".into(),
        training_done: vec!["approach".into(), "confidentiality".into()],
        confidentiality_signed_on: "2026-03-01".into(),
        ..Default::default()
    }
}

fn ready_profile() -> AmbassadorProfile {
    AmbassadorProfile {
        user_id: Uuid::from_u128(1),
        details: profile_input().parse(TODAY).unwrap(),
        ethics_accepted: Some(EthicsAcceptance { initiative_id: INITIATIVE, version: 2, accepted_on: TODAY }),
    }
}

#[test]
fn codes_round_trip() {
    for t in TrainingTopic::ALL {
        assert_eq!(TrainingTopic::from_code(t.code()), Some(t));
        assert!(t.guide_id().starts_with("G-"));
    }
    for t in FollowUpTopic::ALL {
        assert_eq!(FollowUpTopic::from_code(t.code()), Some(t));
    }
    for p in PlaceKind::ALL {
        assert_eq!(PlaceKind::from_code(p.code()), Some(p));
    }
    assert_eq!(FollowUpTopic::ALL.len(), 7);
    assert_eq!(Employment::from_code("employed"), Some(Employment::Employed));
    assert_eq!(AmbassadorBackground::from_code("staff"), Some(AmbassadorBackground::Staff));
    assert_eq!(Outcome::from_code("maybe"), Some(Outcome::Maybe));
    assert_eq!(BestTime::from_code("evening"), Some(BestTime::Evening));
    assert_eq!(Outcome::from_code("Maybe"), None);
}

#[test]
fn a_valid_profile_form_becomes_details() {
    let d = profile_input().parse(TODAY).unwrap();
    assert_eq!(d.employment, Employment::Volunteer);
    assert_eq!(d.languages, vec!["so".to_string(), "ar".to_string()]);
    assert_eq!(d.area_ids, vec![area()]);
    assert_eq!(d.expected_hours_per_week, Some(8));
    assert_eq!(d.background, AmbassadorBackground::NeighbourhoodMother);
    assert!(d.assessment.local_position.contains("mothers' group"));
    assert_eq!(d.training_done, vec![TrainingTopic::Approach, TrainingTopic::Confidentiality]);
    assert_eq!(d.confidentiality_signed_on, Some(date!(2026 - 03 - 01)));
}

#[test]
fn every_bad_profile_field_is_named() {
    let bad = ProfileInput {
        employment: "boss".into(),
        languages: "xx".into(),
        area_ids: vec!["north".into()],
        expected_hours_per_week: "80".into(),
        background: String::new(),
        job_experience: "x".repeat(MAX_NOTE + 1),
        training_done: vec!["karate".into()],
        confidentiality_signed_on: "2026-03-11".into(),
        ..Default::default()
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("employment"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("languages"), Some("error-unknown-language"));
    assert_eq!(e.for_field("area_ids"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("expected_hours_per_week"), Some("error-hours-per-week"));
    assert_eq!(e.for_field("background"), Some("error-required"));
    assert_eq!(e.for_field("job_experience"), Some("error-too-long"));
    assert_eq!(e.for_field("training_done"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("confidentiality_signed_on"), Some("error-date-future"));
}

#[test]
fn a_profile_needs_a_language_and_a_readable_date() {
    let mut i = profile_input();
    i.languages = " , ".into();
    i.confidentiality_signed_on = "1/3/2026".into();
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("languages"), Some("error-required"));
    assert_eq!(e.for_field("confidentiality_signed_on"), Some("error-date-format"));
    assert_eq!(e.0.len(), 2);
}

#[test]
fn field_work_is_open_with_confidentiality_and_the_current_ethics() {
    assert_eq!(may_log_field_work(&ready_profile(), Some((INITIATIVE, 2))), Ok(()));
}

#[test]
fn field_work_is_blocked_without_confidentiality() {
    let mut p = ready_profile();
    p.details.confidentiality_signed_on = None;
    assert_eq!(may_log_field_work(&p, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoConfidentiality));
}

#[test]
fn without_a_profile_nothing_is_recorded_so_field_work_is_blocked() {
    assert_eq!(may_do_field_work(None, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoConfidentiality));
    assert_eq!(may_do_field_work(Some(&ready_profile()), Some((INITIATIVE, 2))), Ok(()));
}

#[test]
fn field_work_is_blocked_without_ethics() {
    let mut p = ready_profile();
    p.ethics_accepted = None;
    assert_eq!(may_log_field_work(&p, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoEthics));
    // Accepting another initiative's frame is not accepting this one's.
    let other = ready_profile();
    assert_eq!(may_log_field_work(&other, Some((Uuid::from_u128(0x11), 2))), Err(FieldWorkBlocked::NoEthics));
}

#[test]
fn field_work_is_blocked_when_the_frame_changed() {
    assert_eq!(may_log_field_work(&ready_profile(), Some((INITIATIVE, 3))), Err(FieldWorkBlocked::EthicsOutdated));
}

#[test]
fn field_work_is_blocked_when_the_initiative_has_no_frame() {
    assert_eq!(may_log_field_work(&ready_profile(), None), Err(FieldWorkBlocked::NoEthicsFrame));
    assert_eq!(FieldWorkBlocked::NoEthicsFrame.message_id(), "error-field-work-no-ethics-frame");
}

fn conversation() -> ConversationInput {
    ConversationInput {
        date: "2026-03-09".into(),
        area_id: AREA.into(),
        place: "playground".into(),
        language: "AR".into(),
        outcome: "maybe".into(),
        count: String::new(),
    }
}

#[test]
fn a_conversation_is_counted_once_by_default() {
    let c = conversation().parse(TODAY).unwrap();
    assert_eq!(c.count, 1);
    assert_eq!(c.language, "ar");
    assert_eq!(c.place, PlaceKind::Playground);
    assert_eq!(c.outcome, Outcome::Maybe);
    assert_eq!(c.area_id, area());
    let mut i = conversation();
    i.count = "50".into();
    assert_eq!(i.parse(TODAY).unwrap().count, 50);
}

#[test]
fn every_bad_conversation_field_is_named() {
    let bad = ConversationInput {
        date: "2026-03-11".into(),
        area_id: String::new(),
        place: "mosque".into(),
        language: "xx".into(),
        outcome: String::new(),
        count: "51".into(),
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("date"), Some("error-date-future"));
    assert_eq!(e.for_field("area_id"), Some("error-required"));
    assert_eq!(e.for_field("place"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("language"), Some("error-unknown-language"));
    assert_eq!(e.for_field("outcome"), Some("error-required"));
    assert_eq!(e.for_field("count"), Some("error-conversation-count"));
}

#[test]
fn a_conversation_may_be_logged_up_to_31_days_late() {
    let mut i = conversation();
    i.date = "2026-02-07".into();
    assert_eq!(i.parse(TODAY).unwrap().date, date!(2026 - 02 - 07));
    i.date = "2026-02-06".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("date"), Some("error-date-too-old"));
    i.date = "2026-03-10".into();
    i.count = "0".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("count"), Some("error-conversation-count"));
    i.count = "-1".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("count"), Some("error-conversation-count"));
}

fn registration() -> RegistrationInput {
    RegistrationInput {
        consent: Some("on".into()),
        consent_language: String::new(),
        given_name: " Hodan ".into(),
        phone: "12 34 56 78".into(),
        language: "so".into(),
        best_time_to_call: "evening".into(),
        area_id: AREA.into(),
        letter_at_home_ok: Some("on".into()),
        phone_hers_alone: Some("on".into()),
    }
}

#[test]
fn a_consenting_woman_is_registered() {
    let r = registration().parse(TODAY).unwrap();
    assert_eq!(r.given_name, "Hodan");
    assert_eq!(r.phone.as_e164(), "+4512345678");
    assert_eq!(r.language, "so");
    assert_eq!(r.consent_language, "so", "shown in her language unless said otherwise");
    assert_eq!(r.best_time_to_call, BestTime::Evening);
    assert_eq!(r.area_id, area());
    assert!(!r.safe_contact_only());
    assert!(!format!("{r:?}").contains("Hodan"));
    let p = r.person_details();
    assert_eq!(p.given_name, "Hodan");
    assert_eq!(p.letter_language(), Some("so"));
    assert_eq!(p.area_id, Some(area()));
    assert!(p.phone_is_hers_alone);
    assert!(!p.safe_contact_only);
    assert_eq!(REGISTRATION_CONSENT_PURPOSE, ConsentPurpose::Contact);
    assert!(!consent_text_version().is_empty());
}

#[test]
fn registration_best_time_defaults_to_any_and_consent_language_may_differ() {
    let mut i = registration();
    i.best_time_to_call = String::new();
    i.consent_language = "da".into();
    let r = i.parse(TODAY).unwrap();
    assert_eq!(r.best_time_to_call, BestTime::Any);
    assert_eq!(r.consent_language, "da");
}

#[test]
fn every_bad_registration_field_is_named() {
    let bad = RegistrationInput {
        consent: None,
        consent_language: "xx".into(),
        given_name: "  ".into(),
        phone: "123".into(),
        language: String::new(),
        best_time_to_call: "night".into(),
        area_id: "somewhere".into(),
        letter_at_home_ok: None,
        phone_hers_alone: None,
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("consent"), Some("error-consent-required"));
    assert_eq!(e.for_field("consent_language"), Some("error-unknown-language"));
    assert_eq!(e.for_field("given_name"), Some("error-required"));
    assert_eq!(e.for_field("phone"), Some("error-phone"));
    assert_eq!(e.for_field("language"), Some("error-required"));
    assert_eq!(e.for_field("best_time_to_call"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("area_id"), Some("error-unknown-choice"));
}

#[test]
fn no_consent_alone_refuses_the_registration() {
    let mut i = registration();
    i.consent = Some(String::new());
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("consent"), Some("error-consent-required"));
    assert_eq!(e.0.len(), 1);
    i.consent = Some("on".into());
    i.phone = " ".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("phone"), Some("error-required"));
}

#[test]
fn she_is_safe_contact_only_unless_phone_and_letters_are_both_safe() {
    for (phone_alone, letter_ok, safe_only) in
        [(true, true, false), (false, true, true), (true, false, true), (false, false, true)]
    {
        let mut i = registration();
        i.phone_hers_alone = phone_alone.then(|| "on".into());
        i.letter_at_home_ok = letter_ok.then(|| "on".into());
        let r = i.parse(TODAY).unwrap();
        assert_eq!(r.safe_contact_only(), safe_only, "phone alone {phone_alone}, letter ok {letter_ok}");
        assert_eq!(r.person_details().safe_contact_only, safe_only);
        assert_eq!(r.person_details().phone_is_hers_alone, phone_alone);
    }
}

#[test]
fn hours_accept_a_danish_comma() {
    assert_eq!(parse_hours("7,5"), Some(450));
    assert_eq!(parse_hours("7.5"), Some(450));
    assert_eq!(parse_hours(" 7,50 "), Some(450));
    assert_eq!(parse_hours("7,25"), Some(435));
    assert_eq!(parse_hours("0,33"), Some(20));
    assert_eq!(parse_hours("12"), Some(720));
    assert_eq!(parse_hours("1000"), Some(60_000));
    for bad in ["", "7,", ",5", "7,555", "7.5.1", "-1", "+7", "7 t", "1000,5", "1001", "7,-5"] {
        assert_eq!(parse_hours(bad), None, "{bad}");
    }
}

fn follow_up() -> FollowUpInput {
    FollowUpInput {
        held_on: "2026-03-10".into(),
        ambassador_user_id: Uuid::from_u128(1).to_string(),
        topics_covered: vec!["challenges".into(), "time_use".into(), "challenges".into()],
        notes: "Two women asked about day care.".into(),
        agreed_actions: "Invite them to the intro meeting.".into(),
        hours: "7,5".into(),
    }
}

#[test]
fn a_follow_up_meeting_is_recorded_with_minutes() {
    let f = follow_up().parse(TODAY).unwrap();
    assert_eq!(f.held_on, TODAY);
    assert_eq!(f.ambassador_user_id, Uuid::from_u128(1));
    assert_eq!(f.topics_covered, vec![FollowUpTopic::Challenges, FollowUpTopic::TimeUse]);
    assert_eq!(f.minutes_worked, 450);
    let mut i = follow_up();
    i.hours = String::new();
    assert_eq!(i.parse(TODAY).unwrap().minutes_worked, 0);
}

#[test]
fn every_bad_follow_up_field_is_named() {
    let bad = FollowUpInput {
        held_on: "2026-03-11".into(),
        ambassador_user_id: String::new(),
        topics_covered: vec!["gossip".into()],
        notes: "x".repeat(MAX_NOTE + 1),
        agreed_actions: "y".repeat(MAX_NOTE + 1),
        hours: "7½".into(),
    };
    let e = bad.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("held_on"), Some("error-date-future"));
    assert_eq!(e.for_field("ambassador_user_id"), Some("error-required"));
    assert_eq!(e.for_field("topics_covered"), Some("error-unknown-choice"));
    assert_eq!(e.for_field("notes"), Some("error-too-long"));
    assert_eq!(e.for_field("agreed_actions"), Some("error-too-long"));
    assert_eq!(e.for_field("hours"), Some("error-hours"));
    let mut i = follow_up();
    i.held_on = "10-03-2026".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("held_on"), Some("error-date-format"));
}

#[test]
fn an_ethics_frame_is_required_and_kept_short() {
    assert_eq!(parse_ethics_frame("  Vi presser aldrig.  ").unwrap(), "Vi presser aldrig.");
    assert_eq!(parse_ethics_frame("   ").unwrap_err().for_field("text"), Some("error-required"));
    let long = "x".repeat(MAX_ETHICS_FRAME_CHARS + 1);
    assert_eq!(parse_ethics_frame(&long).unwrap_err().for_field("text"), Some("error-too-long"));
}
