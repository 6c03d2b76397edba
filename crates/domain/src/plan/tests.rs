//! Tests of the plan: the form, versions, the four-eyes approval and the search gate.

use super::*;
use crate::ambassador::{MAX_NOTE, MAX_TEXT};
use crate::policy::Actor;
use crate::policy::Role;
use time::OffsetDateTime;
use time::macros::{date, datetime};

const TODAY: Date = date!(2026 - 03 - 10);
const AREA: &str = "0191c3a0-0000-7000-8000-000000000001";
const ANNA: Uuid = Uuid::from_u128(1);
const BIRGIT: Uuid = Uuid::from_u128(2);
const AT: OffsetDateTime = datetime!(2026-03-10 09:00 UTC);
const LATER: OffsetDateTime = datetime!(2026-03-11 14:30 UTC);

fn input() -> PlanInput {
    PlanInput {
        target_group: "Selvforsørgende kvinder 18–64 med ikke-vestlig baggrund".into(),
        segments: "Familiesammenførte; kvinder med uddannelse fra hjemlandet".into(),
        challenges: "Mange er isolerede; sprogcentret kender mange af dem".into(),
        why: "Flere kvinder i job og uddannelse".into(),
        how: "Brev, opringning på modersmål, indledende møder i beboerhuset".into(),
        methods: vec!["partners".into(), "register_search".into(), "partners".into()],
        methods_why: "Registrene finder de ressourcestærke, partnerne de mere sårbare (G-5.5)".into(),
        ethics_frame: "Vi henvender os aldrig, når ægtefællen er til stede, uden at sige det er vores initiativ".into(),
        resources: "To jobkonsulenter 20 timer om ugen".into(),
        programme_seats: "40".into(),
        capacity_note: String::new(),
        legal_frame: "Beskæftigelsesindsatsloven; kommunens jurister er inddraget".into(),
        area_ids: vec![AREA.into(), AREA.into()],
        sources: "Befolkningsudtræk\n eIndkomst 12 mdr. \n\nBefolkningsudtræk".into(),
        rules_ref: "selvforsorgende.toml sha256:ab12".into(),
        legal_basis_text: "Behandlingen er nødvendig for kommunens myndighedsudøvelse".into(),
        legal_basis_reference: "Databeskyttelseslovens § 6, jf. forordningens art. 6, stk. 1, litra e".into(),
        legal_basis_recorded_by: ANNA.to_string(),
        legal_basis_recorded_on: "2026-03-01".into(),
        dpia_exists: Some("on".into()),
        dpia_reference: "KK-2026-0042".into(),
        dpia_date: "2026-02-20".into(),
        review_on: "2026-09-01".into(),
    }
}

fn plan() -> Plan {
    input().parse(TODAY).unwrap()
}

fn actor(user_id: Uuid, role: Role) -> Actor {
    Actor { user_id, role, team_id: None, partner_org_id: None }
}

/// Version 1 by Anna, approved by Birgit.
fn approved() -> PlanVersion {
    let mut v = next_version(None, plan(), ANNA, AT);
    v.approval = Some(approve(&v, &actor(BIRGIT, Role::Coordinator), &[], LATER, "Set med juristen").unwrap());
    v
}

#[test]
fn a_valid_form_becomes_a_plan() {
    let p = plan();
    assert_eq!(p.methods, vec![Method::RegisterSearch, Method::Partners], "ALL order, no duplicates");
    assert!(p.combines_methods());
    assert_eq!(p.programme_seats, 40);
    assert_eq!(p.area_ids, vec![Uuid::parse_str(AREA).unwrap()]);
    assert_eq!(p.sources, vec!["Befolkningsudtræk".to_string(), "eIndkomst 12 mdr.".to_string()]);
    assert!(p.ethics_frame.starts_with("Vi henvender os aldrig"));
    let legal = p.legal_basis.as_ref().unwrap();
    assert!(legal.reference.starts_with("Databeskyttelseslovens § 6"));
    assert_eq!((legal.recorded_by, legal.recorded_on), (ANNA, date!(2026 - 03 - 01)));
    assert_eq!(p.dpia, Some(Dpia { reference: "KK-2026-0042".into(), date: date!(2026 - 02 - 20) }));
    assert_eq!(p.review_on, date!(2026 - 09 - 01));
    assert!(approval_gaps(&p).is_empty());
}

#[test]
fn a_draft_without_legal_basis_dpia_sources_or_rules_is_a_plan_that_cannot_be_approved() {
    let mut i = input();
    i.methods = vec!["ambassadors".into()];
    i.sources = String::new();
    i.rules_ref = String::new();
    i.legal_basis_text = String::new();
    i.legal_basis_reference = String::new();
    // The form offers who and when; alone they are no basis.
    i.dpia_exists = None;
    i.dpia_reference = String::new();
    i.dpia_date = String::new();
    let p = i.parse(TODAY).unwrap();
    assert_eq!(p.legal_basis, None);
    assert_eq!(p.dpia, None);
    assert!(!p.combines_methods());
    assert_eq!(
        approval_gaps(&p),
        vec![PlanGap::NoRegisterSearch, PlanGap::NoSources, PlanGap::NoRules, PlanGap::NoLegalBasis, PlanGap::NoDpia]
    );
}

#[test]
fn every_missing_answer_is_named() {
    let e = PlanInput::default().parse(TODAY).unwrap_err();
    for field in REQUIRED_FIELDS {
        assert_eq!(e.for_field(field), Some("error-required"), "{field}");
    }
    // Optional parts of an empty form are no error.
    for field in ["segments", "capacity_note", "area_ids", "sources", "rules_ref", "legal_basis_text", "dpia_exists"] {
        assert_eq!(e.for_field(field), None, "{field}");
    }
    assert_eq!(e.0.len(), 11);
}

#[test]
fn every_bad_field_is_named() {
    let long = "x".repeat(MAX_PLAN_TEXT + 1);
    let bad = PlanInput {
        target_group: long.clone(),
        segments: long.clone(),
        challenges: long.clone(),
        why: long.clone(),
        how: long.clone(),
        methods: vec!["letters".into()],
        methods_why: long.clone(),
        ethics_frame: long.clone(),
        resources: long.clone(),
        programme_seats: "0".into(),
        capacity_note: long.clone(),
        legal_frame: long.clone(),
        area_ids: vec!["north".into()],
        sources: "y".repeat(MAX_TEXT + 1),
        rules_ref: "r".repeat(MAX_REFERENCE + 1),
        legal_basis_text: long,
        legal_basis_reference: "z".repeat(MAX_REFERENCE + 1),
        legal_basis_recorded_by: "anna".into(),
        legal_basis_recorded_on: "2026-03-11".into(),
        dpia_exists: Some("on".into()),
        dpia_reference: " ".into(),
        dpia_date: "20-02-2026".into(),
        review_on: "2026-03-10".into(),
    };
    let e = bad.parse(TODAY).unwrap_err();
    let expected = [
        ("target_group", "error-too-long"),
        ("segments", "error-too-long"),
        ("challenges", "error-too-long"),
        ("why", "error-too-long"),
        ("how", "error-too-long"),
        ("methods", "error-unknown-choice"),
        ("methods_why", "error-too-long"),
        ("ethics_frame", "error-too-long"),
        ("resources", "error-too-long"),
        ("programme_seats", "error-plan-seats"),
        ("capacity_note", "error-too-long"),
        ("legal_frame", "error-too-long"),
        ("area_ids", "error-unknown-choice"),
        ("sources", "error-too-long"),
        ("rules_ref", "error-too-long"),
        ("legal_basis_text", "error-too-long"),
        ("legal_basis_reference", "error-too-long"),
        ("legal_basis_recorded_by", "error-unknown-choice"),
        ("legal_basis_recorded_on", "error-date-future"),
        ("dpia_reference", "error-required"),
        ("dpia_date", "error-date-format"),
        ("review_on", "error-date-not-future"),
    ];
    for (field, message) in expected {
        assert_eq!(e.for_field(field), Some(message), "{field}");
    }
    assert_eq!(e.0.len(), expected.len());
}

#[test]
fn a_legal_basis_once_begun_needs_all_four_parts() {
    let mut i = input();
    i.legal_basis_reference = String::new();
    i.legal_basis_recorded_by = String::new();
    i.legal_basis_recorded_on = String::new();
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("legal_basis_reference"), Some("error-required"));
    assert_eq!(e.for_field("legal_basis_recorded_by"), Some("error-required"));
    assert_eq!(e.for_field("legal_basis_recorded_on"), Some("error-required"));
    assert_eq!(e.0.len(), 3);
    let mut i = input();
    i.legal_basis_text = " ".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("legal_basis_text"), Some("error-required"));
    let mut i = input();
    i.legal_basis_recorded_on = "1/3/2026".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("legal_basis_recorded_on"), Some("error-date-format"));
}

#[test]
fn a_dpia_is_ticked_with_its_reference_and_a_date_not_ahead() {
    let mut i = input();
    i.dpia_reference = String::new();
    i.dpia_date = String::new();
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("dpia_reference"), Some("error-required"));
    assert_eq!(e.for_field("dpia_date"), Some("error-required"));
    let mut i = input();
    i.dpia_date = "2026-03-11".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("dpia_date"), Some("error-date-future"));
    // A reference without the tick is a contradiction, not a DPIA.
    let mut i = input();
    i.dpia_exists = Some(String::new());
    let e = i.parse(TODAY).unwrap_err();
    assert_eq!(e.for_field("dpia_exists"), Some("error-plan-dpia-unchecked"));
    assert_eq!(e.0.len(), 1);
}

#[test]
fn seats_are_a_whole_number_in_range_and_review_is_ahead() {
    for bad in ["0", "10001", "-3", "4,5", "forty"] {
        let mut i = input();
        i.programme_seats = bad.into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("programme_seats"), Some("error-plan-seats"), "{bad}");
    }
    let mut i = input();
    i.programme_seats = "10000".into();
    i.review_on = "2026-03-11".into();
    assert_eq!(i.parse(TODAY).unwrap().programme_seats, 10_000);
    i.review_on = "2026-03-09".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-date-not-future"));
    i.review_on = "01-09-2026".into();
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("review_on"), Some("error-date-format"));
}

#[test]
fn too_many_sources_are_refused() {
    let mut i = input();
    i.sources = (0..=MAX_SOURCES).map(|n| format!("Udtræk {n}")).collect::<Vec<_>>().join("\n");
    assert_eq!(i.parse(TODAY).unwrap_err().for_field("sources"), Some("error-too-long"));
}

#[test]
fn the_form_refilled_from_a_plan_gives_the_same_plan() {
    let p = plan();
    assert_eq!(PlanInput::from_plan(&p).parse(TODAY).unwrap(), p);
    let mut i = input();
    i.dpia_exists = None;
    i.dpia_reference = String::new();
    i.dpia_date = String::new();
    i.legal_basis_text = String::new();
    i.legal_basis_reference = String::new();
    let draft = i.parse(TODAY).unwrap();
    assert_eq!(PlanInput::from_plan(&draft).parse(TODAY).unwrap(), draft);
}

#[test]
fn the_first_version_is_one_and_unapproved() {
    let v = next_version(None, plan(), ANNA, AT);
    assert_eq!(v.version, 1);
    assert_eq!(v.author, ANNA);
    assert_eq!(v.written_at, AT);
    assert_eq!(v.approval, None);
}

#[test]
fn a_change_outside_the_approval_keeps_it_and_the_earlier_version() {
    let v1 = approved();
    let before = v1.clone();
    let mut p = plan();
    p.resources = "Tre jobkonsulenter".into();
    p.ethics_frame = "Ny etisk ramme".into();
    p.programme_seats = 60;
    p.review_on = date!(2027 - 01 - 01);
    // Same extracts in another order, another method besides register search.
    p.sources.reverse();
    p.methods = vec![Method::RegisterSearch, Method::Ambassadors, Method::Partners];
    // Re-recorded by someone else on another day, with the same wording.
    if let Some(l) = p.legal_basis.as_mut() {
        l.recorded_by = BIRGIT;
        l.recorded_on = date!(2026 - 03 - 05);
    }
    assert!(approval_withdrawn_by(&v1.plan, &p).is_empty());
    let v2 = next_version(Some(&v1), p, BIRGIT, LATER);
    assert_eq!(v2.version, 2);
    assert_eq!(v2.approval, v1.approval, "carried over");
    assert_eq!(v2.plan.resources, "Tre jobkonsulenter");
    assert_eq!(v1, before, "the earlier version is untouched");
}

#[test]
fn each_covered_change_withdraws_the_approval_and_is_named() {
    let v1 = approved();
    type Change = fn(&mut Plan);
    let cases: Vec<(Change, Vec<&str>)> = vec![
        (|p| p.target_group = "Alle kvinder 18–64".into(), vec!["target_group"]),
        (|p| p.sources.push("Boligstøtte".into()), vec!["sources"]),
        (|p| p.rules_ref = "selvforsorgende.toml sha256:cd34".into(), vec!["rules_ref"]),
        (|p| p.methods = vec![Method::Partners], vec!["methods"]),
        (
            |p| {
                if let Some(l) = p.legal_basis.as_mut() {
                    l.text = "Samtykke".into();
                }
            },
            vec!["legal_basis_text"],
        ),
        (
            |p| {
                if let Some(l) = p.legal_basis.as_mut() {
                    l.reference = "Databeskyttelseslovens § 7".into();
                }
            },
            vec!["legal_basis_reference"],
        ),
        (|p| p.legal_basis = None, vec!["legal_basis_text", "legal_basis_reference"]),
        (|p| p.dpia = None, vec!["dpia_exists"]),
        (
            |p| {
                if let Some(d) = p.dpia.as_mut() {
                    d.reference = "KK-2026-0099".into();
                    d.date = date!(2026 - 03 - 02);
                }
            },
            vec!["dpia_reference", "dpia_date"],
        ),
        (
            |p| {
                p.target_group = "Andre".into();
                p.rules_ref = "andre.toml".into();
            },
            vec!["target_group", "rules_ref"],
        ),
    ];
    for (change, fields) in cases {
        let mut p = plan();
        change(&mut p);
        assert_eq!(approval_withdrawn_by(&v1.plan, &p), fields);
        let v2 = next_version(Some(&v1), p, ANNA, LATER);
        assert_eq!(v2.version, 2);
        assert_eq!(v2.approval, None, "{fields:?} withdraws the approval");
        assert!(v1.approval.is_some(), "the earlier version keeps its approval");
        assert_eq!(may_run_search(Some(&v2), TODAY), Err(SearchRefused::NotApproved), "{fields:?}");
    }
}

#[test]
fn a_withdrawn_approval_is_not_revived_by_changing_back() {
    let v1 = approved();
    let mut p = plan();
    p.target_group = "Andre".into();
    let v2 = next_version(Some(&v1), p, ANNA, LATER);
    let v3 = next_version(Some(&v2), plan(), ANNA, LATER);
    assert_eq!(v3.version, 3);
    assert_eq!(v3.approval, None);
}

#[test]
fn a_second_coordinator_approves() {
    let v = next_version(None, plan(), ANNA, AT);
    let a = approve(&v, &actor(BIRGIT, Role::Coordinator), &[], LATER, "  Set af juristen  ").unwrap();
    assert_eq!(a, Approval { approved_by: BIRGIT, approved_at: LATER, note: "Set af juristen".into() });
}

#[test]
fn the_author_cannot_approve_her_own_version() {
    let v = next_version(None, plan(), ANNA, AT);
    assert_eq!(approve(&v, &actor(ANNA, Role::Coordinator), &[], LATER, ""), Err(ApprovalRefused::OwnVersion));
    // The author of a later version is the one who cannot approve it, whoever
    // wrote the earlier ones.
    let mut p = plan();
    p.target_group = "Andre".into();
    let v2 = next_version(Some(&approved()), p, BIRGIT, LATER);
    assert_eq!(approve(&v2, &actor(BIRGIT, Role::Coordinator), &[], LATER, ""), Err(ApprovalRefused::OwnVersion));
    assert!(approve(&v2, &actor(ANNA, Role::Coordinator), &[], LATER, "").is_ok());
}

/// Issue 13, item 6: the second pair of eyes is not a second account of the author's
/// making — not one she created, nor one whose role she proposed or confirmed.
#[test]
fn a_coordinator_the_author_created_or_promoted_cannot_approve() {
    let v = next_version(None, plan(), ANNA, AT);
    let carla = Uuid::from_u128(3);
    let birgit = actor(BIRGIT, Role::Coordinator);
    assert_eq!(approve(&v, &birgit, &[ANNA], LATER, ""), Err(ApprovalRefused::SponsoredByAuthor));
    assert_eq!(approve(&v, &birgit, &[carla, ANNA], LATER, ""), Err(ApprovalRefused::SponsoredByAuthor));
    assert!(approve(&v, &birgit, &[carla], LATER, "").is_ok(), "made by someone else");
    assert_ne!(
        ApprovalRefused::SponsoredByAuthor.message_id(),
        ApprovalRefused::OwnVersion.message_id(),
        "its own message"
    );
}

#[test]
fn only_a_coordinator_approves() {
    let v = next_version(None, plan(), ANNA, AT);
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Coordinator) {
        assert_eq!(approve(&v, &actor(BIRGIT, role), &[], LATER, ""), Err(ApprovalRefused::NotCoordinator), "{role:?}");
    }
}

#[test]
fn approval_needs_a_complete_plan_and_happens_once() {
    let coordinator = actor(BIRGIT, Role::Coordinator);
    let refused = |change: fn(&mut Plan)| {
        let mut p = plan();
        change(&mut p);
        approve(&next_version(None, p, ANNA, AT), &coordinator, &[], LATER, "")
    };
    assert_eq!(refused(|p| p.dpia = None), Err(ApprovalRefused::Incomplete(PlanGap::NoDpia)));
    assert_eq!(refused(|p| p.legal_basis = None), Err(ApprovalRefused::Incomplete(PlanGap::NoLegalBasis)));
    assert_eq!(refused(|p| p.rules_ref.clear()), Err(ApprovalRefused::Incomplete(PlanGap::NoRules)));
    assert_eq!(refused(|p| p.sources.clear()), Err(ApprovalRefused::Incomplete(PlanGap::NoSources)));
    assert_eq!(
        refused(|p| p.methods = vec![Method::Ambassadors]),
        Err(ApprovalRefused::Incomplete(PlanGap::NoRegisterSearch))
    );
    assert_eq!(ApprovalRefused::Incomplete(PlanGap::NoDpia).message_id(), "error-plan-no-dpia");
    assert_eq!(approve(&approved(), &coordinator, &[], LATER, ""), Err(ApprovalRefused::AlreadyApproved));
    let v = next_version(None, plan(), ANNA, AT);
    let long = "n".repeat(MAX_NOTE + 1);
    assert_eq!(approve(&v, &coordinator, &[], LATER, &long), Err(ApprovalRefused::NoteTooLong));
}

#[test]
fn no_search_without_a_plan_or_an_approval() {
    assert_eq!(may_run_search(None, TODAY), Err(SearchRefused::NoPlan));
    let unapproved = next_version(None, plan(), ANNA, AT);
    assert_eq!(may_run_search(Some(&unapproved), TODAY), Err(SearchRefused::NotApproved));
}

#[test]
fn no_search_after_the_review_date() {
    let v = approved();
    assert!(may_run_search(Some(&v), date!(2026 - 09 - 01)).is_ok(), "the date itself still holds");
    let refused = may_run_search(Some(&v), date!(2026 - 09 - 02));
    assert_eq!(refused, Err(SearchRefused::ReviewPassed { review_on: date!(2026 - 09 - 01) }));
    assert_eq!(SearchRefused::ReviewPassed { review_on: TODAY }.message_id(), "error-search-review-passed");
}

#[test]
fn no_search_under_an_approved_version_that_lacks_a_part() {
    // A version stored by another path: approved, yet without DPIA or basis.
    let mut v = approved();
    v.plan.dpia = None;
    assert_eq!(may_run_search(Some(&v), TODAY), Err(SearchRefused::Incomplete(PlanGap::NoDpia)));
    let mut v = approved();
    v.plan.legal_basis = None;
    assert_eq!(may_run_search(Some(&v), TODAY), Err(SearchRefused::Incomplete(PlanGap::NoLegalBasis)));
}

#[test]
fn an_approved_current_plan_lets_the_search_run_and_says_what_to_record() {
    let v1 = approved();
    let mut p = plan();
    p.resources = "Tre jobkonsulenter".into();
    let v2 = next_version(Some(&v1), p, ANNA, LATER);
    let basis = may_run_search(Some(&v2), TODAY).unwrap();
    assert_eq!(basis.plan_version, 2);
    assert_eq!(basis.legal_basis_text, "Behandlingen er nødvendig for kommunens myndighedsudøvelse");
    assert!(basis.legal_basis_reference.starts_with("Databeskyttelseslovens § 6"));
    assert_eq!(basis.dpia_reference, "KK-2026-0042");
    assert_eq!(basis.approved_by, BIRGIT);
    assert_eq!(basis.approved_at, LATER);
    assert_eq!(basis.sources, vec!["Befolkningsudtræk".to_string(), "eIndkomst 12 mdr.".to_string()]);
    assert_eq!(basis.check_rules(" selvforsorgende.toml sha256:ab12 "), Ok(()));
    assert_eq!(basis.check_rules("selvforsorgende.toml sha256:ffff"), Err(SearchRefused::RulesNotApproved));
}

#[test]
fn ambassadors_accept_the_version_where_the_current_frame_began() {
    assert_eq!(ethics_frame_version(&[]), None);
    let v1 = approved();
    let mut p = plan();
    p.resources = "Mere tid".into();
    let v2 = next_version(Some(&v1), p.clone(), ANNA, LATER);
    assert_eq!(ethics_frame_version(&[v1.clone(), v2.clone()]), Some(1));
    p.ethics_frame = "Ny ramme".into();
    let v3 = next_version(Some(&v2), p.clone(), ANNA, LATER);
    p.capacity_note = "Uændret ramme".into();
    let v4 = next_version(Some(&v3), p, ANNA, LATER);
    assert_eq!(ethics_frame_version(&[v4.clone(), v1.clone(), v3.clone(), v2.clone()]), Some(3));
    // Changing back to an earlier text is a change too: read it again.
    let v5 = next_version(Some(&v4), plan(), ANNA, LATER);
    assert_eq!(ethics_frame_version(&[v1, v2, v3, v4, v5]), Some(5));
}

#[test]
fn codes_round_trip_and_message_ids_are_distinct() {
    for m in Method::ALL {
        assert_eq!(Method::from_code(m.code()), Some(m));
    }
    assert_eq!(Method::from_code("Register_Search"), None);
    let gaps =
        [PlanGap::NoRegisterSearch, PlanGap::NoSources, PlanGap::NoRules, PlanGap::NoLegalBasis, PlanGap::NoDpia];
    let mut ids: Vec<&str> = gaps.iter().map(|g| g.message_id()).collect();
    ids.extend(
        [ApprovalRefused::NotCoordinator, ApprovalRefused::OwnVersion, ApprovalRefused::AlreadyApproved]
            .map(ApprovalRefused::message_id),
    );
    ids.extend(
        [
            SearchRefused::NoPlan,
            SearchRefused::NotApproved,
            SearchRefused::ReviewPassed { review_on: TODAY },
            SearchRefused::RulesNotApproved,
        ]
        .map(SearchRefused::message_id),
    );
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count);
    assert!(ids.iter().all(|id| id.starts_with("error-plan-") || id.starts_with("error-search-")));
}

#[test]
fn the_legal_basis_stays_with_its_recorder_until_it_changes() {
    let earlier = plan();
    let mut same =
        PlanInput { legal_basis_recorded_by: String::new(), legal_basis_recorded_on: String::new(), ..input() };
    same.record_legal_basis(Some(&earlier), BIRGIT, TODAY);
    assert_eq!(
        (same.legal_basis_recorded_by.as_str(), same.legal_basis_recorded_on.as_str()),
        (ANNA.to_string().as_str(), "2026-03-01")
    );
    let mut changed =
        PlanInput { legal_basis_text: "En anden hjemmel".into(), legal_basis_recorded_on: String::new(), ..input() };
    changed.record_legal_basis(Some(&earlier), BIRGIT, TODAY);
    assert_eq!(changed.legal_basis_recorded_by, BIRGIT.to_string());
    assert_eq!(changed.legal_basis_recorded_on, TODAY.to_string());
    let mut first = PlanInput { legal_basis_recorded_on: "2026-02-01".into(), ..input() };
    first.record_legal_basis(None, BIRGIT, TODAY);
    assert_eq!(
        (first.legal_basis_recorded_by, first.legal_basis_recorded_on),
        (BIRGIT.to_string(), "2026-02-01".to_string())
    );
}
