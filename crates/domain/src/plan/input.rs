//! The plan form (`PlanInput`) and its parse into a `Plan`: the required fields, the
//! limits, the legal basis and DPIA fields (G-4, G-5.3).

use super::{Dpia, LegalBasis, Method, Plan};
use crate::ambassador::{
    MAX_TEXT, checkbox, optional, optional_text, past_date, required_count, required_date, required_text, required_uuid,
};
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::Date;
use uuid::Uuid;

/// The raw plan form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub target_group: String,
    pub segments: String,
    pub challenges: String,
    pub why: String,
    pub how: String,
    /// `Method` codes (checkboxes).
    pub methods: Vec<String>,
    pub methods_why: String,
    pub ethics_frame: String,
    pub resources: String,
    pub programme_seats: String,
    pub capacity_note: String,
    pub legal_frame: String,
    pub area_ids: Vec<String>,
    /// One register extract per line.
    pub sources: String,
    pub rules_ref: String,
    pub legal_basis_text: String,
    pub legal_basis_reference: String,
    /// The user who recorded the legal basis (the form offers the current user).
    pub legal_basis_recorded_by: String,
    pub legal_basis_recorded_on: String,
    /// Checkbox: a DPIA exists.
    pub dpia_exists: Option<String>,
    pub dpia_reference: String,
    pub dpia_date: String,
    pub review_on: String,
}

/// The answers a plan cannot be saved without (the form marks them).
pub const REQUIRED_FIELDS: [&str; 11] = [
    "target_group",
    "challenges",
    "why",
    "how",
    "methods",
    "methods_why",
    "ethics_frame",
    "resources",
    "programme_seats",
    "legal_frame",
    "review_on",
];

/// The planning answers are paragraphs, not lines.
pub const MAX_PLAN_TEXT: usize = 4000;
/// A law reference, a journal number, a rules file name with its checksum.
pub const MAX_REFERENCE: usize = 500;
/// More register extracts than this in one plan is a typing error.
pub const MAX_SOURCES: usize = 30;
/// G-4.8: programme seats; more than this is a typing error.
pub const PROGRAMME_SEATS: RangeInclusive<u32> = 1..=10_000;

impl PlanInput {
    pub fn parse(&self, today: Date) -> Result<Plan, FieldErrors> {
        let mut errors = FieldErrors::default();
        // G-4: the plan answers each of the nine questions before recruiting starts.
        let target_group = required_text(&mut errors, "target_group", &self.target_group, MAX_PLAN_TEXT);
        let segments = optional_text(&mut errors, "segments", &self.segments, MAX_PLAN_TEXT);
        let challenges = required_text(&mut errors, "challenges", &self.challenges, MAX_PLAN_TEXT);
        let why = required_text(&mut errors, "why", &self.why, MAX_PLAN_TEXT);
        let how = required_text(&mut errors, "how", &self.how, MAX_PLAN_TEXT);
        let methods = parse_methods(&mut errors, &self.methods);
        let methods_why = required_text(&mut errors, "methods_why", &self.methods_why, MAX_PLAN_TEXT);
        let ethics_frame = required_text(&mut errors, "ethics_frame", &self.ethics_frame, MAX_PLAN_TEXT);
        let resources = required_text(&mut errors, "resources", &self.resources, MAX_PLAN_TEXT);
        let programme_seats =
            required_count(&mut errors, "programme_seats", &self.programme_seats, PROGRAMME_SEATS, "error-plan-seats");
        let capacity_note = optional_text(&mut errors, "capacity_note", &self.capacity_note, MAX_PLAN_TEXT);
        let legal_frame = required_text(&mut errors, "legal_frame", &self.legal_frame, MAX_PLAN_TEXT);
        let area_ids = parse_area_ids(&mut errors, &self.area_ids);
        let sources = parse_sources(&mut errors, &self.sources);
        let rules_ref = optional_text(&mut errors, "rules_ref", &self.rules_ref, MAX_REFERENCE);
        let legal_basis = self.parse_legal_basis(&mut errors, today);
        let dpia = self.parse_dpia(&mut errors, today);
        // A plan is reviewed ahead; a review date already reached is no plan ahead.
        let review_on = required_date(&mut errors, "review_on", &self.review_on).and_then(|d| {
            if d > today {
                Some(d)
            } else {
                errors.add("review_on", "error-date-not-future");
                None
            }
        });
        let (Some(programme_seats), Some(review_on)) = (programme_seats, review_on) else {
            return Err(errors);
        };
        errors.into_result(|| Plan {
            target_group,
            segments,
            challenges,
            why,
            how,
            methods,
            methods_why,
            ethics_frame,
            resources,
            programme_seats,
            capacity_note,
            legal_frame,
            area_ids,
            sources,
            rules_ref,
            legal_basis: legal_basis.flatten(),
            dpia: dpia.flatten(),
            review_on,
        })
    }

    /// `Some(None)`: no legal basis recorded yet. `None`: an error was added. The basis
    /// is there once its text or reference is written; then all four parts are needed,
    /// so that the approver sees what it is, where it is in the law, and who said so
    /// when (G-5.3). Who and when alone (the form offers them) are no basis.
    fn parse_legal_basis(&self, errors: &mut FieldErrors, today: Date) -> Option<Option<LegalBasis>> {
        if optional(&self.legal_basis_text).is_none() && optional(&self.legal_basis_reference).is_none() {
            return Some(None);
        }
        let text = required_text(errors, "legal_basis_text", &self.legal_basis_text, MAX_PLAN_TEXT);
        let reference = required_text(errors, "legal_basis_reference", &self.legal_basis_reference, MAX_REFERENCE);
        let recorded_by = required_uuid(errors, "legal_basis_recorded_by", &self.legal_basis_recorded_by);
        let recorded_on = match optional(&self.legal_basis_recorded_on) {
            None => {
                errors.add("legal_basis_recorded_on", "error-required");
                None
            }
            // Recorded means it has been examined: today or before.
            Some(text) => past_date(errors, "legal_basis_recorded_on", &text, today),
        };
        let ok = errors.for_field("legal_basis_text").is_none() && errors.for_field("legal_basis_reference").is_none();
        match (recorded_by, recorded_on) {
            (Some(recorded_by), Some(recorded_on)) if ok => {
                Some(Some(LegalBasis { text, reference, recorded_by, recorded_on }))
            }
            _ => None,
        }
    }

    /// As `parse_legal_basis`. The checkbox says whether a DPIA exists; a reference or
    /// date without it is a contradiction the coordinator must resolve, not guess.
    fn parse_dpia(&self, errors: &mut FieldErrors, today: Date) -> Option<Option<Dpia>> {
        if !checkbox(&self.dpia_exists) {
            if optional(&self.dpia_reference).is_some() || optional(&self.dpia_date).is_some() {
                errors.add("dpia_exists", "error-plan-dpia-unchecked");
                return None;
            }
            return Some(None);
        }
        let reference = required_text(errors, "dpia_reference", &self.dpia_reference, MAX_REFERENCE);
        let date = match optional(&self.dpia_date) {
            None => {
                errors.add("dpia_date", "error-required");
                None
            }
            // An assessment that exists has been made: today or before.
            Some(text) => past_date(errors, "dpia_date", &text, today),
        };
        match date {
            Some(date) if errors.for_field("dpia_reference").is_none() => Some(Some(Dpia { reference, date })),
            _ => None,
        }
    }

    /// Who recorded the legal basis, and when, is not typed in (G-5.3): it stays with
    /// the earlier version while the basis (text and reference) is unchanged, and is
    /// `by`, today, when it changes. A date she typed is kept.
    pub fn record_legal_basis(&mut self, earlier: Option<&Plan>, by: Uuid, today: Date) {
        let earlier = earlier
            .and_then(|p| p.legal_basis.as_ref())
            .filter(|b| b.text == self.legal_basis_text.trim() && b.reference == self.legal_basis_reference.trim());
        self.legal_basis_recorded_by = earlier.map_or(by, |b| b.recorded_by).to_string();
        if self.legal_basis_recorded_on.trim().is_empty() {
            self.legal_basis_recorded_on = earlier.map_or(today, |b| b.recorded_on).to_string();
        }
    }

    /// The form filled with a stored plan, so that a new version starts from the
    /// current one.
    pub fn from_plan(plan: &Plan) -> PlanInput {
        let legal = plan.legal_basis.as_ref();
        let dpia = plan.dpia.as_ref();
        PlanInput {
            target_group: plan.target_group.clone(),
            segments: plan.segments.clone(),
            challenges: plan.challenges.clone(),
            why: plan.why.clone(),
            how: plan.how.clone(),
            methods: plan.methods.iter().map(|m| m.code().to_string()).collect(),
            methods_why: plan.methods_why.clone(),
            ethics_frame: plan.ethics_frame.clone(),
            resources: plan.resources.clone(),
            programme_seats: plan.programme_seats.to_string(),
            capacity_note: plan.capacity_note.clone(),
            legal_frame: plan.legal_frame.clone(),
            area_ids: plan.area_ids.iter().map(Uuid::to_string).collect(),
            sources: plan.sources.join("\n"),
            rules_ref: plan.rules_ref.clone(),
            legal_basis_text: legal.map(|l| l.text.clone()).unwrap_or_default(),
            legal_basis_reference: legal.map(|l| l.reference.clone()).unwrap_or_default(),
            legal_basis_recorded_by: legal.map(|l| l.recorded_by.to_string()).unwrap_or_default(),
            legal_basis_recorded_on: legal.map(|l| l.recorded_on.to_string()).unwrap_or_default(),
            dpia_exists: dpia.map(|_| "on".to_string()),
            dpia_reference: dpia.map(|d| d.reference.clone()).unwrap_or_default(),
            dpia_date: dpia.map(|d| d.date.to_string()).unwrap_or_default(),
            review_on: plan.review_on.to_string(),
        }
    }
}

/// At least one method (G-4.5), kept in `Method::ALL` order so that two plans with
/// the same methods compare equal.
fn parse_methods(errors: &mut FieldErrors, input: &[String]) -> Vec<Method> {
    let mut chosen = Vec::new();
    for code in input.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Method::from_code(code) {
            Some(m) => chosen.push(m),
            None => {
                errors.add("methods", "error-unknown-choice");
                return Vec::new();
            }
        }
    }
    if chosen.is_empty() {
        errors.add("methods", "error-required");
    }
    Method::ALL.iter().copied().filter(|m| chosen.contains(m)).collect()
}

fn parse_area_ids(errors: &mut FieldErrors, input: &[String]) -> Vec<Uuid> {
    let mut area_ids = Vec::new();
    for text in input.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match Uuid::parse_str(text) {
            Ok(id) if !area_ids.contains(&id) => area_ids.push(id),
            Ok(_) => {}
            Err(_) => {
                errors.add("area_ids", "error-unknown-choice");
                break;
            }
        }
    }
    area_ids
}

fn parse_sources(errors: &mut FieldErrors, input: &str) -> Vec<String> {
    let mut sources: Vec<String> = Vec::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !sources.iter().any(|s| s == line) {
            sources.push(line.to_string());
        }
    }
    if sources.len() > MAX_SOURCES || sources.iter().any(|s| s.chars().count() > MAX_TEXT) {
        errors.add("sources", "error-too-long");
    }
    sources
}
