//! The legal-basis gate (G-5.3: no register search before an approved legal basis;
//! G-9.2: none after the review date).

use super::approval::{PlanGap, approval_gaps};
use super::versions::PlanVersion;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

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
