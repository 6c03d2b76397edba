//! The initiative plan (issue 3, G-4, G-5.3, G-9.2): the guide's planning questions,
//! the legal basis for register processing and its DPIA, versions of the plan, the
//! "four eyes" approval, and the gate that no register search passes without it.
//!
//! Pure rules: the caller stores every `PlanVersion` it gets from `next_version` (the
//! earlier ones are never changed) and asks `may_run_search` before every run, from
//! the web and from the CLI alike.

use crate::ambassador::{
    MAX_NOTE, MAX_TEXT, checkbox, optional, optional_text, past_date, required_count, required_date, required_text,
    required_uuid,
};
use crate::code_enum;
use crate::policy::{Action, Actor, may};
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------
// The plan (G-4.1–G-4.10) with its legal basis and DPIA (G-5.3)
// ---------------------------------------------------------------------------------

code_enum! {
    /// The guide's three ways to find the women (G-4.5). G-4.10 and G-5.5: they are
    /// meant to be combined, so a plan chooses a set of them.
    pub enum Method {
        /// G-5: register search.
        RegisterSearch = "register_search",
        /// G-6: street-level work through ambassadors.
        Ambassadors = "ambassadors",
        /// G-7: word of mouth through partners.
        Partners = "partners",
    }
}

/// The legal basis for processing the register extracts (G-5.3, G-9.2): what it is,
/// where it is found in the law, and who recorded it when (e.g. after the
/// municipality's lawyers or Datatilsynet were asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    /// The reasoning, in words.
    pub text: String,
    /// E.g. "Databeskyttelseslovens § 6, jf. databeskyttelsesforordningens art. 6,
    /// stk. 1, litra e, og art. 9, stk. 2, litra g".
    pub reference: String,
    pub recorded_by: Uuid,
    pub recorded_on: Date,
}

/// The data protection impact assessment. A plan has one or has none (`Option<Dpia>`
/// on the plan); when it has one, its reference and date are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dpia {
    /// The journal number or document name of the assessment.
    pub reference: String,
    pub date: Date,
}

/// A validated plan. Everything the form asks is here; the legal basis and the DPIA
/// may still be missing while the plan is a draft, and approval waits for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// G-4.1: which specific target group (vulnerable groups? certain areas?).
    pub target_group: String,
    /// G-4.1, G-1.3: the segments and the method chosen for each; may be empty.
    pub segments: String,
    /// G-4.2: challenges and opportunities.
    pub challenges: String,
    /// G-4.3: why this initiative.
    pub why: String,
    /// G-4.4: how it will be carried out.
    pub how: String,
    /// G-4.5: the methods chosen, in `Method::ALL` order, at least one.
    pub methods: Vec<Method>,
    /// G-4.5, G-4.10: why these methods, here.
    pub methods_why: String,
    /// G-4.6: how far outreach and contact may go, and why. This is the text
    /// ambassadors read and accept (G-6.3, G-6.7; `ethics_frame_version`).
    pub ethics_frame: String,
    /// G-4.7: resources, and who contributes.
    pub resources: String,
    /// G-4.8: programme seats the recruitment is sized to.
    pub programme_seats: u32,
    /// G-4.8: how the number was reached; may be empty.
    pub capacity_note: String,
    /// G-4.9: the administrative and legal framework.
    pub legal_frame: String,
    /// The areas the initiative works in (G-4.1, G-6.2); empty means the whole
    /// municipality.
    pub area_ids: Vec<Uuid>,
    /// The register extracts the search will use (G-5.1), e.g. "Befolkningsudtræk",
    /// "eIndkomst 12 mdr.". Part of what the approval covers.
    pub sources: Vec<String>,
    /// The selection rules the search will use (G-5.2), e.g. the rules file's name and
    /// checksum. Part of what the approval covers; a run must use exactly these.
    pub rules_ref: String,
    /// G-5.3; `None` until recorded.
    pub legal_basis: Option<LegalBasis>,
    /// `None` when no DPIA has been made.
    pub dpia: Option<Dpia>,
    /// The plan is reviewed by this date; after it, no search runs (G-9.2).
    pub review_on: Date,
}

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

impl Plan {
    pub fn uses(&self, method: Method) -> bool {
        self.methods.contains(&method)
    }

    /// G-4.10, G-5.5: one method alone seldom reaches the most vulnerable; the plan
    /// page shows a hint when this is false. Not an error: the guide advises.
    pub fn combines_methods(&self) -> bool {
        self.methods.len() > 1
    }
}

// ---------------------------------------------------------------------------------
// Versions (issue 3: "a change keeps the earlier version") and what withdraws the
// approval (G-5.3)
// ---------------------------------------------------------------------------------

/// One stored version of an initiative's plan. Never changed once written, except
/// that `approval` is set once, by `approve`, on an unapproved version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    /// 1, 2, 3 … per initiative.
    pub version: u32,
    pub plan: Plan,
    pub author: Uuid,
    pub written_at: OffsetDateTime,
    pub approval: Option<Approval>,
}

/// A second coordinator's approval of the legal basis for register processing (G-5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub approved_by: Uuid,
    pub approved_at: OffsetDateTime,
    pub note: String,
}

/// The fields (form field names) whose change withdraws the approval, as the
/// approval covers them: who is searched for, in which registers, by which rules,
/// on which legal basis, after which impact assessment (G-5.3). Empty when the
/// approval still holds. Order does not matter in `sources` and `methods`; among the
/// methods only register search counts, for the others process no register data.
pub fn approval_withdrawn_by(old: &Plan, new: &Plan) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.target_group != new.target_group {
        changed.push("target_group");
    }
    if old.uses(Method::RegisterSearch) != new.uses(Method::RegisterSearch) {
        changed.push("methods");
    }
    let mut old_sources: Vec<&String> = old.sources.iter().collect();
    let mut new_sources: Vec<&String> = new.sources.iter().collect();
    old_sources.sort();
    new_sources.sort();
    if old_sources != new_sources {
        changed.push("sources");
    }
    if old.rules_ref != new.rules_ref {
        changed.push("rules_ref");
    }
    // Who recorded the basis, and when, is not what was approved; what it says is.
    let text = |p: &Plan| p.legal_basis.as_ref().map(|l| l.text.clone());
    let reference = |p: &Plan| p.legal_basis.as_ref().map(|l| l.reference.clone());
    if text(old) != text(new) {
        changed.push("legal_basis_text");
    }
    if reference(old) != reference(new) {
        changed.push("legal_basis_reference");
    }
    match (&old.dpia, &new.dpia) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            if a.reference != b.reference {
                changed.push("dpia_reference");
            }
            if a.date != b.date {
                changed.push("dpia_date");
            }
        }
        _ => changed.push("dpia_exists"),
    }
    changed
}

/// The next version of a plan. `previous` is left as it is: the caller stores the
/// new version beside it. The approval is carried over only when nothing it covers
/// changed (`approval_withdrawn_by` is empty); otherwise the new version waits for
/// a new approval (G-5.3, issue 3).
pub fn next_version(previous: Option<&PlanVersion>, plan: Plan, author: Uuid, at: OffsetDateTime) -> PlanVersion {
    let (version, approval) = match previous {
        None => (1, None),
        Some(prev) => {
            let kept = approval_withdrawn_by(&prev.plan, &plan).is_empty();
            (prev.version.saturating_add(1), prev.approval.clone().filter(|_| kept))
        }
    };
    PlanVersion { version, plan, author, written_at: at, approval }
}

/// The version whose ethics frame ambassadors accept (`ambassador::EthicsAcceptance`,
/// `may_log_field_work`): the first version of the newest unbroken run of the current
/// frame text. A version that changes only e.g. the resources does not ask them to
/// accept the same text again; a changed frame does (G-4.6, G-6.7). `None` without
/// versions.
pub fn ethics_frame_version(history: &[PlanVersion]) -> Option<u32> {
    let mut versions: Vec<&PlanVersion> = history.iter().collect();
    versions.sort_by_key(|v| v.version);
    let current = versions.last()?;
    versions.iter().rev().take_while(|v| v.plan.ethics_frame == current.plan.ethics_frame).last().map(|v| v.version)
}

// ---------------------------------------------------------------------------------
// Approval: a second coordinator, never the author (G-5.3, issue 3)
// ---------------------------------------------------------------------------------

/// What a plan still lacks before its legal basis can be approved, and before a
/// search may run under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanGap {
    #[error("the plan does not choose register search as a method")]
    NoRegisterSearch,
    #[error("the plan names no register extracts")]
    NoSources,
    #[error("the plan names no selection rules")]
    NoRules,
    #[error("the plan has no legal basis recorded")]
    NoLegalBasis,
    #[error("the plan has no data protection impact assessment")]
    NoDpia,
}

impl PlanGap {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            PlanGap::NoRegisterSearch => "error-plan-no-register-search",
            PlanGap::NoSources => "error-plan-no-sources",
            PlanGap::NoRules => "error-plan-no-rules",
            PlanGap::NoLegalBasis => "error-plan-no-legal-basis",
            PlanGap::NoDpia => "error-plan-no-dpia",
        }
    }
}

/// Everything the plan lacks for approval, in the order the form asks; empty when
/// it is complete. The approval is of register processing, so it needs the method,
/// the extracts and the rules it covers, the legal basis (G-5.3), and a DPIA: the
/// selection uses country of origin, data of the special-category kind (Art. 9), on
/// a large scale, which is where an impact assessment is due (G-5.3, G-9.2).
pub fn approval_gaps(plan: &Plan) -> Vec<PlanGap> {
    let mut gaps = Vec::new();
    if !plan.uses(Method::RegisterSearch) {
        gaps.push(PlanGap::NoRegisterSearch);
    }
    if plan.sources.is_empty() {
        gaps.push(PlanGap::NoSources);
    }
    if plan.rules_ref.is_empty() {
        gaps.push(PlanGap::NoRules);
    }
    if plan.legal_basis.is_none() {
        gaps.push(PlanGap::NoLegalBasis);
    }
    if plan.dpia.is_none() {
        gaps.push(PlanGap::NoDpia);
    }
    gaps
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefused {
    #[error("only a coordinator approves the legal basis")]
    NotCoordinator,
    #[error("the author of this version cannot approve it")]
    OwnVersion,
    #[error("this version is already approved")]
    AlreadyApproved,
    #[error("the plan is incomplete: {0}")]
    Incomplete(PlanGap),
    #[error("the note is too long")]
    NoteTooLong,
}

impl ApprovalRefused {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            ApprovalRefused::NotCoordinator => "error-plan-approve-not-coordinator",
            ApprovalRefused::OwnVersion => "error-plan-approve-own-version",
            ApprovalRefused::AlreadyApproved => "error-plan-approve-already-approved",
            ApprovalRefused::Incomplete(gap) => gap.message_id(),
            ApprovalRefused::NoteTooLong => "error-too-long",
        }
    }
}

/// Approve version `v`. Only a coordinator (the one who plans initiatives, product.md;
/// asked through the policy table like every other access question), never the
/// author of this very version — four eyes on the legal basis (issue 3) — and only
/// once the plan is complete (`approval_gaps`). The caller stores the approval on `v`.
pub fn approve(v: &PlanVersion, approver: &Actor, at: OffsetDateTime, note: &str) -> Result<Approval, ApprovalRefused> {
    if !may(approver, Action::EditPlan, None) {
        return Err(ApprovalRefused::NotCoordinator);
    }
    if v.approval.is_some() {
        return Err(ApprovalRefused::AlreadyApproved);
    }
    if v.author == approver.user_id {
        return Err(ApprovalRefused::OwnVersion);
    }
    if let Some(gap) = approval_gaps(&v.plan).first() {
        return Err(ApprovalRefused::Incomplete(*gap));
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(ApprovalRefused::NoteTooLong);
    }
    Ok(Approval { approved_by: approver.user_id, approved_at: at, note: note.to_string() })
}

// ---------------------------------------------------------------------------------
// The legal-basis gate (G-5.3: no search before an approved legal basis)
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SearchRefused {
    #[error("the initiative has no plan")]
    NoPlan,
    #[error("the plan's legal basis is not approved")]
    NotApproved,
    #[error("the plan was due for review on {review_on}")]
    ReviewPassed { review_on: Date },
    #[error("the plan is incomplete: {0}")]
    Incomplete(PlanGap),
    #[error("the selection rules are not the ones approved")]
    RulesNotApproved,
}

impl SearchRefused {
    /// The Fluent message id that explains it. `ReviewPassed` takes `$date`.
    pub fn message_id(self) -> &'static str {
        match self {
            SearchRefused::NoPlan => "error-search-no-plan",
            SearchRefused::NotApproved => "error-search-not-approved",
            SearchRefused::ReviewPassed { .. } => "error-search-review-passed",
            SearchRefused::Incomplete(gap) => gap.message_id(),
            SearchRefused::RulesNotApproved => "error-search-rules-not-approved",
        }
    }
}

/// What a search run records about the basis it ran under (issue 3, item 2), beside
/// who ran it and the files it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedBasis {
    pub plan_version: u32,
    pub legal_basis_text: String,
    pub legal_basis_reference: String,
    pub dpia_reference: String,
    pub approved_by: Uuid,
    pub approved_at: OffsetDateTime,
    /// The register extracts the approval covers.
    pub sources: Vec<String>,
    /// The selection rules the approval covers.
    pub rules_ref: String,
}

impl ApprovedBasis {
    /// A run must use the rules that were approved: others would slip past the
    /// approval (G-5.3). `rules_ref` is formed as the plan's (e.g. name and checksum).
    pub fn check_rules(&self, rules_ref: &str) -> Result<(), SearchRefused> {
        if rules_ref.trim() == self.rules_ref { Ok(()) } else { Err(SearchRefused::RulesNotApproved) }
    }
}

/// Whether a register search may run under the initiative whose current (newest)
/// plan version is `current`. It needs a plan, an approval of that very version
/// (or carried over to it unchanged), and a review date not yet passed — on the date
/// itself the plan still holds; after it the plan must be reviewed (G-9.2) and saved
/// as a new version first. The completeness checks of `approve` are made again, so
/// that a version stored or loaded by another path cannot pass with less.
pub fn may_run_search(current: Option<&PlanVersion>, today: Date) -> Result<ApprovedBasis, SearchRefused> {
    let Some(v) = current else {
        return Err(SearchRefused::NoPlan);
    };
    let Some(approval) = &v.approval else {
        return Err(SearchRefused::NotApproved);
    };
    if let Some(gap) = approval_gaps(&v.plan).first() {
        return Err(SearchRefused::Incomplete(*gap));
    }
    let (Some(legal), Some(dpia)) = (&v.plan.legal_basis, &v.plan.dpia) else {
        // `approval_gaps` has ruled this out; refused all the same rather than assumed.
        return Err(SearchRefused::Incomplete(PlanGap::NoLegalBasis));
    };
    if today > v.plan.review_on {
        return Err(SearchRefused::ReviewPassed { review_on: v.plan.review_on });
    }
    Ok(ApprovedBasis {
        plan_version: v.version,
        legal_basis_text: legal.text.clone(),
        legal_basis_reference: legal.reference.clone(),
        dpia_reference: dpia.reference.clone(),
        approved_by: approval.approved_by,
        approved_at: approval.approved_at,
        sources: v.plan.sources.clone(),
        rules_ref: v.plan.rules_ref.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Role;
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
            ethics_frame: "Vi henvender os aldrig, når ægtefællen er til stede, uden at sige det er vores initiativ"
                .into(),
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
        v.approval = Some(approve(&v, &actor(BIRGIT, Role::Coordinator), LATER, "Set med juristen").unwrap());
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
            vec![
                PlanGap::NoRegisterSearch,
                PlanGap::NoSources,
                PlanGap::NoRules,
                PlanGap::NoLegalBasis,
                PlanGap::NoDpia
            ]
        );
    }

    #[test]
    fn every_missing_answer_is_named() {
        let e = PlanInput::default().parse(TODAY).unwrap_err();
        for field in REQUIRED_FIELDS {
            assert_eq!(e.for_field(field), Some("error-required"), "{field}");
        }
        // Optional parts of an empty form are no error.
        for field in
            ["segments", "capacity_note", "area_ids", "sources", "rules_ref", "legal_basis_text", "dpia_exists"]
        {
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
        let a = approve(&v, &actor(BIRGIT, Role::Coordinator), LATER, "  Set af juristen  ").unwrap();
        assert_eq!(a, Approval { approved_by: BIRGIT, approved_at: LATER, note: "Set af juristen".into() });
    }

    #[test]
    fn the_author_cannot_approve_her_own_version() {
        let v = next_version(None, plan(), ANNA, AT);
        assert_eq!(approve(&v, &actor(ANNA, Role::Coordinator), LATER, ""), Err(ApprovalRefused::OwnVersion));
        // The author of a later version is the one who cannot approve it, whoever
        // wrote the earlier ones.
        let mut p = plan();
        p.target_group = "Andre".into();
        let v2 = next_version(Some(&approved()), p, BIRGIT, LATER);
        assert_eq!(approve(&v2, &actor(BIRGIT, Role::Coordinator), LATER, ""), Err(ApprovalRefused::OwnVersion));
        assert!(approve(&v2, &actor(ANNA, Role::Coordinator), LATER, "").is_ok());
    }

    #[test]
    fn only_a_coordinator_approves() {
        let v = next_version(None, plan(), ANNA, AT);
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Coordinator) {
            assert_eq!(approve(&v, &actor(BIRGIT, role), LATER, ""), Err(ApprovalRefused::NotCoordinator), "{role:?}");
        }
    }

    #[test]
    fn approval_needs_a_complete_plan_and_happens_once() {
        let coordinator = actor(BIRGIT, Role::Coordinator);
        let refused = |change: fn(&mut Plan)| {
            let mut p = plan();
            change(&mut p);
            approve(&next_version(None, p, ANNA, AT), &coordinator, LATER, "")
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
        assert_eq!(approve(&approved(), &coordinator, LATER, ""), Err(ApprovalRefused::AlreadyApproved));
        let v = next_version(None, plan(), ANNA, AT);
        let long = "n".repeat(MAX_NOTE + 1);
        assert_eq!(approve(&v, &coordinator, LATER, &long), Err(ApprovalRefused::NoteTooLong));
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
        let mut changed = PlanInput {
            legal_basis_text: "En anden hjemmel".into(),
            legal_basis_recorded_on: String::new(),
            ..input()
        };
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
}
