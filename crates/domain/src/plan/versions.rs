//! Versions of the plan (issue 3: "a change keeps the earlier version"), what withdraws
//! the approval (G-5.3), and which version's ethics frame ambassadors accept.

use super::{Method, Plan};
use time::OffsetDateTime;
use uuid::Uuid;

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
