//! What changed between two versions of the initiative's plan, field by field (issue
//! 12, item 5): what a coordinator reads before she approves a version that is not the
//! one approved before (G-5.3), from the web or the command line alike.
//!
//! The fields are named as the plan form names them (`rules_ref`, `legal_basis_text`
//! …), so a caller labels them with the form's own texts. Whether a change withdraws
//! the approval is `plan::approval_withdrawn_by`'s to say; it is not decided twice.

use crate::plan::{Plan, approval_withdrawn_by};

/// One field whose value differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The plan form's field name, e.g. `rules_ref`.
    pub field: &'static str,
    /// The value as text; `None` where the version has none (no DPIA, no legal basis,
    /// an empty answer).
    pub before: Option<String>,
    pub after: Option<String>,
    /// The approval covers this field: the change alone withdraws it (G-5.3).
    pub withdraws_approval: bool,
}

/// Every field of `new` whose value differs from `old`, in the order the form asks
/// them. Empty when the two say the same.
pub fn plan_changes(old: &Plan, new: &Plan) -> Vec<FieldChange> {
    let withdrawn = approval_withdrawn_by(old, new);
    // The DPIA's presence is one item of the approval; its parts carry it.
    let covers =
        |field: &str| withdrawn.contains(&field) || (field.starts_with("dpia_") && withdrawn.contains(&"dpia_exists"));
    field_values(old)
        .into_iter()
        .zip(field_values(new))
        .filter(|((_, before), (_, after))| before != after)
        .map(|((field, before), (_, after))| FieldChange { field, before, after, withdraws_approval: covers(field) })
        .collect()
}

/// The plan as (form field, value as text), in the form's order. Lists are joined
/// with "; ", in the order the version keeps them.
fn field_values(p: &Plan) -> Vec<(&'static str, Option<String>)> {
    let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let list = |items: Vec<String>| Some(items.join("; ")).filter(|s| !s.is_empty());
    let basis = p.legal_basis.as_ref();
    let dpia = p.dpia.as_ref();
    vec![
        ("target_group", text(&p.target_group)),
        ("segments", text(&p.segments)),
        ("challenges", text(&p.challenges)),
        ("why", text(&p.why)),
        ("how", text(&p.how)),
        ("methods", list(p.methods.iter().map(|m| m.code().to_string()).collect())),
        ("methods_why", text(&p.methods_why)),
        ("ethics_frame", text(&p.ethics_frame)),
        ("resources", text(&p.resources)),
        ("programme_seats", Some(p.programme_seats.to_string())),
        ("capacity_note", text(&p.capacity_note)),
        ("legal_frame", text(&p.legal_frame)),
        ("area_ids", list(p.area_ids.iter().map(ToString::to_string).collect())),
        ("sources", list(p.sources.clone())),
        ("rules_ref", text(&p.rules_ref)),
        ("legal_basis_text", basis.map(|b| b.text.clone())),
        ("legal_basis_reference", basis.map(|b| b.reference.clone())),
        ("legal_basis_recorded_by", basis.map(|b| b.recorded_by.to_string())),
        ("legal_basis_recorded_on", basis.map(|b| b.recorded_on.to_string())),
        ("dpia_reference", dpia.map(|d| d.reference.clone())),
        ("dpia_date", dpia.map(|d| d.date.to_string())),
        ("review_on", Some(p.review_on.to_string())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Dpia, LegalBasis, Method};
    use time::macros::date;
    use uuid::Uuid;

    fn plan() -> Plan {
        Plan {
            target_group: "Selvforsørgende kvinder 18–64".into(),
            segments: String::new(),
            challenges: "Isolation".into(),
            why: "Job".into(),
            how: "Breve".into(),
            methods: vec![Method::RegisterSearch, Method::Partners],
            methods_why: "Begge når nogen".into(),
            ethics_frame: "Vi presser aldrig".into(),
            resources: "To konsulenter".into(),
            programme_seats: 40,
            capacity_note: String::new(),
            legal_frame: "LAB".into(),
            area_ids: vec![],
            sources: vec!["Befolkningsudtræk".into(), "eIndkomst".into()],
            rules_ref: "selvforsorgende sha256:ab12ab12ab12".into(),
            legal_basis: Some(LegalBasis {
                text: "Myndighedsudøvelse".into(),
                reference: "Databeskyttelseslovens § 6".into(),
                recorded_by: Uuid::from_u128(1),
                recorded_on: date!(2026 - 03 - 01),
            }),
            dpia: Some(Dpia { reference: "KK-2026-0042".into(), date: date!(2026 - 02 - 20) }),
            review_on: date!(2026 - 09 - 01),
        }
    }

    #[test]
    fn the_same_plan_has_no_changes() {
        assert_eq!(plan_changes(&plan(), &plan()), vec![]);
    }

    #[test]
    fn each_changed_field_is_named_with_both_values_and_whether_it_withdraws_the_approval() {
        let mut new = plan();
        new.rules_ref = "selvforsorgende sha256:cd34cd34cd34".into();
        new.resources = "Tre konsulenter".into();
        new.segments = "Familiesammenførte".into();
        let changes = plan_changes(&plan(), &new);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "segments",
                    before: None,
                    after: Some("Familiesammenførte".into()),
                    withdraws_approval: false,
                },
                FieldChange {
                    field: "resources",
                    before: Some("To konsulenter".into()),
                    after: Some("Tre konsulenter".into()),
                    withdraws_approval: false,
                },
                FieldChange {
                    field: "rules_ref",
                    before: Some("selvforsorgende sha256:ab12ab12ab12".into()),
                    after: Some("selvforsorgende sha256:cd34cd34cd34".into()),
                    withdraws_approval: true,
                },
            ]
        );
    }

    #[test]
    fn the_changes_that_withdraw_are_exactly_those_approval_withdrawn_by_names() {
        let mut new = plan();
        new.dpia = None;
        new.legal_basis = None;
        new.sources.reverse();
        new.methods = vec![Method::RegisterSearch];
        let changes = plan_changes(&plan(), &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            vec![
                "methods",
                "sources",
                "legal_basis_text",
                "legal_basis_reference",
                "legal_basis_recorded_by",
                "legal_basis_recorded_on",
                "dpia_reference",
                "dpia_date",
            ]
        );
        let withdrawing: Vec<&str> = changes.iter().filter(|c| c.withdraws_approval).map(|c| c.field).collect();
        // The same extracts in another order, and a method other than register search,
        // are changes the approval does not cover; who recorded the basis is not either.
        assert_eq!(withdrawing, vec!["legal_basis_text", "legal_basis_reference", "dpia_reference", "dpia_date"]);
        assert!(changes.iter().filter(|c| c.field.starts_with("dpia_")).all(|c| c.after.is_none()));
        let sources = changes.iter().find(|c| c.field == "sources").map(|c| c.after.clone());
        assert_eq!(sources, Some(Some("eIndkomst; Befolkningsudtræk".into())));
    }
}
