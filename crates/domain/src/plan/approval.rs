//! Approval: a second coordinator, never the author (G-5.3, issue 3), and what a plan
//! still lacks before it can be approved.

use super::versions::{Approval, PlanVersion};
use super::{Method, Plan};
use crate::ambassador::MAX_NOTE;
use crate::policy::{Action, Actor, may};
use time::OffsetDateTime;
use uuid::Uuid;

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
    #[error("the author of this version created or promoted the approver's account")]
    SponsoredByAuthor,
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
            ApprovalRefused::SponsoredByAuthor => "error-plan-approve-sponsored-by-author",
            ApprovalRefused::AlreadyApproved => "error-plan-approve-already-approved",
            ApprovalRefused::Incomplete(gap) => gap.message_id(),
            ApprovalRefused::NoteTooLong => "error-too-long",
        }
    }
}

/// Approve version `v`. Only a coordinator (the one who plans initiatives, product.md;
/// asked through the policy table like every other access question), never the
/// author of this very version — four eyes on the legal basis (issue 3) — nor a
/// coordinator whose account the author created or promoted (`sponsors`: who created
/// the approver's login, and who proposed or confirmed any role she was granted), so
/// that the second pair of eyes cannot be a second account of the author's making
/// (issue 13, item 6); and only once the plan is complete (`approval_gaps`). The
/// caller stores the approval on `v`.
pub fn approve(
    v: &PlanVersion,
    approver: &Actor,
    sponsors: &[Uuid],
    at: OffsetDateTime,
    note: &str,
) -> Result<Approval, ApprovalRefused> {
    if !may(approver, Action::EditPlan, None) {
        return Err(ApprovalRefused::NotCoordinator);
    }
    if v.approval.is_some() {
        return Err(ApprovalRefused::AlreadyApproved);
    }
    if v.author == approver.user_id {
        return Err(ApprovalRefused::OwnVersion);
    }
    if sponsors.contains(&v.author) {
        return Err(ApprovalRefused::SponsoredByAuthor);
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
