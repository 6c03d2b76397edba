//! An edit of her record by staff (issue 13, items 7 and 11): what the form could not
//! carry is kept, not cleared, and what changed is named — by field, never by value —
//! for the audit log and for a colleague whose form went stale meanwhile.

use crate::person::PersonDetails;

/// What the edit writes: the form's details, except what the form could not carry.
/// Her CPR number is never pre-filled (item 7), so an empty CPR field keeps the one on
/// record; a caller who may not see her safety note had no field for it, so it stays.
pub fn apply(stored: &PersonDetails, mut submitted: PersonDetails, sees_safety_note: bool) -> PersonDetails {
    if submitted.cpr.is_none() {
        submitted.cpr.clone_from(&stored.cpr);
    }
    if !sees_safety_note {
        submitted.safety_note.clone_from(&stored.safety_note);
    }
    submitted
}

/// The fields that differ, by the edit form's names.
pub fn changed_fields(before: &PersonDetails, after: &PersonDetails) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut check = |changed: bool, name: &'static str| {
        if changed {
            fields.push(name);
        }
    };
    check(before.given_name != after.given_name, "given_name");
    check(before.family_name != after.family_name, "family_name");
    check(before.birth_date != after.birth_date, "birth_date");
    check(before.cpr != after.cpr, "cpr");
    check(before.phone != after.phone, "phone");
    check(before.phone_is_hers_alone != after.phone_is_hers_alone, "phone_is_hers_alone");
    let part = |d: &PersonDetails, f: fn(&crate::person::Address) -> &String| d.address.as_ref().map(f).cloned();
    check(part(before, |a| &a.street) != part(after, |a| &a.street), "street");
    check(part(before, |a| &a.postcode) != part(after, |a| &a.postcode), "postcode");
    check(part(before, |a| &a.city) != part(after, |a| &a.city), "city");
    check(before.area_id != after.area_id, "area_id");
    check(before.languages != after.languages, "languages");
    check(before.country_of_origin != after.country_of_origin, "country_of_origin");
    check(before.arrived_in_denmark != after.arrived_in_denmark, "arrived_in_denmark");
    let (b, a) = (&before.segment, &after.segment);
    check(b.education != a.education, "education");
    check(b.work_experience != a.work_experience, "work_experience");
    check(b.network != a.network, "network");
    check(b.danish_level != a.danish_level, "danish_level");
    check(b.motivation_note != a.motivation_note, "motivation_note");
    check(before.motivation != after.motivation, "motivation");
    check(before.safe_contact_only != after.safe_contact_only, "safe_contact_only");
    check(before.safety_note != after.safety_note, "safety_note");
    check(before.interpreter_needed != after.interpreter_needed, "interpreter_needed");
    check(before.digital_post_exempt != after.digital_post_exempt, "digital_post_exempt");
    fields
}

/// The audit entry's detail of an edit: which fields, never what they hold.
pub fn audit_detail(fields: &[&str]) -> String {
    if fields.is_empty() { "no change".to_string() } else { format!("fields: {}", fields.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cpr;
    use crate::person::PersonInput;

    fn her() -> PersonDetails {
        let input = PersonInput {
            given_name: "Amina".into(),
            family_name: "Hassan".into(),
            cpr: "0101901234".into(),
            phone: "20 30 40 50".into(),
            safe_contact_only: Some("on".into()),
            safety_note: "Mand kontrollerer telefonen".into(),
            ..Default::default()
        };
        input.parse(time::macros::date!(2026 - 12 - 07)).unwrap()
    }

    #[test]
    fn an_empty_cpr_field_keeps_her_number_and_a_hidden_note_stays() {
        let stored = her();
        let form = PersonDetails { cpr: None, safety_note: None, ..stored.clone() };
        let kept = apply(&stored, form.clone(), false);
        assert_eq!(kept.cpr, stored.cpr);
        assert_eq!(kept.safety_note, stored.safety_note);
        // who sees the note may clear it; a typed CPR replaces the old one
        let cleared = apply(&stored, form, true);
        assert_eq!(cleared.safety_note, None);
        let other = Cpr::parse("0202901234").unwrap();
        let typed = PersonDetails { cpr: Some(other.clone()), ..stored.clone() };
        assert_eq!(apply(&stored, typed, true).cpr, Some(other));
    }

    #[test]
    fn changes_are_named_by_field_never_by_value() {
        let before = her();
        let after = PersonDetails { safe_contact_only: false, safety_note: None, ..before.clone() };
        let fields = changed_fields(&before, &after);
        assert_eq!(fields, vec!["safe_contact_only", "safety_note"]);
        let detail = audit_detail(&fields);
        assert_eq!(detail, "fields: safe_contact_only, safety_note");
        assert!(!detail.contains("Mand"));
        assert_eq!(audit_detail(&changed_fields(&before, &before)), "no change");
    }
}
