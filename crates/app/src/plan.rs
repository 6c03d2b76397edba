//! The initiative plan (G-4, G-5.3) as use cases: versions and their approval. Every
//! save is a new version (`domain::plan::next_version` keeps an approval only while
//! nothing it covers changed); a second coordinator approves the legal basis
//! (`domain::plan::approve`: four eyes, never of the author's making, a complete plan), and a refused approval is
//! audited like any refusal.

use crate::{Caller, Ctx, Error, current_initiative, require};
use domain::audit::AuditAction;
use domain::org::Initiative;
use domain::plan::{self, ApprovalRefused, PlanInput, PlanVersion};
use domain::plan_diff::{FieldChange, plan_changes};
use domain::policy::Action;
use store::StoreError;

/// What the plan page shows: the initiative and every version, oldest first.
pub struct PlanView {
    pub initiative: Initiative,
    pub versions: Vec<PlanVersion>,
    /// The ethics frame ambassadors already accepted, which a first plan starts from.
    pub ethics_frame: Option<String>,
    /// Who created or promoted the viewer's account: whether she may approve a
    /// version depends on it (issue 13, item 6).
    pub viewer_sponsors: Vec<uuid::Uuid>,
}

impl PlanView {
    /// The newest version: the one in force, and the one an approval is asked for.
    pub fn current(&self) -> Option<&PlanVersion> {
        self.versions.iter().max_by_key(|v| v.version)
    }

    /// The newest version that carries an approval (its own, or one carried over).
    pub fn last_approved(&self) -> Option<&PlanVersion> {
        self.versions.iter().filter(|v| v.approval.is_some()).max_by_key(|v| v.version)
    }

    /// What an approver reads before approving (G-5.3): when the current version is
    /// not approved, the last approved version and every field changed since, in the
    /// form's order. `None` when the current version is approved, or none ever was.
    pub fn changes_since_approval(&self) -> Option<(&PlanVersion, Vec<FieldChange>)> {
        let current = self.current().filter(|v| v.approval.is_none())?;
        let approved = self.last_approved()?;
        Some((approved, plan_changes(&approved.plan, &current.plan)))
    }
}

/// A saved version of the selection rules, as a plan names it by checksum (G-5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRules {
    pub version: u32,
    pub name: String,
    /// `sha256:` and the first twelve hex digits: what the plan's `rules_ref` holds.
    pub reference: String,
    /// The newest saved version: the one a run would use.
    pub in_force: bool,
}

/// The saved selection rules `plan` names, newest first (empty when its `rules_ref`
/// names none of them: a run would then be refused, G-5.3).
pub async fn named_rules(ctx: &Ctx, caller: &Caller, plan: &domain::plan::Plan) -> Result<Vec<NamedRules>, Error> {
    require(ctx, caller, Action::EditPlan).await?;
    let initiative = current_initiative(ctx).await?;
    let saved = ctx.store.selection_rules(initiative.id).await?;
    let newest = saved.iter().map(|r| r.version).max();
    Ok(saved
        .iter()
        .filter(|r| domain::selection::plan_names_rules(&plan.rules_ref, &r.toml))
        .map(|r| NamedRules {
            version: r.version,
            name: r.name.clone(),
            reference: domain::selection::Rules::reference(&r.toml),
            in_force: Some(r.version) == newest,
        })
        .collect())
}

/// The plan of the current initiative, for a coordinator.
pub async fn view(ctx: &Ctx, caller: &Caller) -> Result<PlanView, Error> {
    require(ctx, caller, Action::EditPlan).await?;
    let initiative = current_initiative(ctx).await?;
    let versions = ctx.store.plan_versions(initiative.id).await?;
    let ethics_frame =
        if versions.is_empty() { ctx.store.ethics_frame(initiative.id).await?.map(|f| f.text) } else { None };
    let viewer_sponsors = ctx.store.sponsors_of(caller.user.id).await?;
    Ok(PlanView { initiative, versions, ethics_frame, viewer_sponsors })
}

/// What a save came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Stored as `version`; `withdrawn` names the fields whose change withdrew the
    /// earlier version's approval (empty when it holds or there was none).
    Version { version: u32, withdrawn: Vec<&'static str> },
    /// Another coordinator saved a version meanwhile; nothing was written, and hers is
    /// to be read before this one is tried again.
    Meanwhile,
}

/// Saves the next version of the plan, and its ethics frame for the ambassadors to
/// accept (G-4.6, G-6.7; only a changed text asks them again). Both audited.
pub async fn save(ctx: &Ctx, caller: &Caller, input: &PlanInput) -> Result<Saved, Error> {
    require(ctx, caller, Action::EditPlan).await?;
    let initiative = current_initiative(ctx).await?;
    let now = ctx.clock.now();
    let versions = ctx.store.plan_versions(initiative.id).await?;
    let previous = versions.last();
    let mut input = input.clone();
    input.record_legal_basis(previous.map(|v| &v.plan), caller.user.id, now.date());
    let plan = input.parse(now.date())?;
    let withdrawn = match previous {
        Some(v) if v.approval.is_some() => plan::approval_withdrawn_by(&v.plan, &plan),
        _ => Vec::new(),
    };
    let version = plan::next_version(previous, plan, caller.user.id, now);
    let detail = format!("initiative={} version={}", initiative.id, version.version);
    let audit = caller.audit(AuditAction::SavePlan, vec![], detail.clone());
    match ctx.store.save_plan_version(initiative.id, &version, &audit).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Ok(Saved::Meanwhile),
        Err(e) => return Err(e.into()),
    }
    let audit = caller.audit(AuditAction::SetEthicsFrame, vec![], detail);
    ctx.store.set_ethics_frame(initiative.id, &version.plan.ethics_frame, &audit).await?;
    Ok(Saved::Version { version: version.version, withdrawn })
}

/// The approval as the form gives it: the version the coordinator read, and a note.
#[derive(Debug, Clone, Default)]
pub struct ApproveInput {
    pub version: String,
    pub note: String,
}

/// What an approval came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approved {
    Approved,
    /// The version read is no longer the current one, or was approved meanwhile: the
    /// newer one needs reading first. Nothing written.
    Stale,
    /// `domain::plan::approve` refuses (the author, an incomplete plan …); audited.
    Refused(ApprovalRefused),
}

/// Approves the legal basis of the current version (G-5.3), once, by a second
/// coordinator — not the author, nor one whose account the author created or
/// promoted.
pub async fn approve(ctx: &Ctx, caller: &Caller, input: &ApproveInput) -> Result<Approved, Error> {
    require(ctx, caller, Action::EditPlan).await?;
    let initiative = current_initiative(ctx).await?;
    let versions = ctx.store.plan_versions(initiative.id).await?;
    // Only the version the coordinator read may be approved: a newer one needs reading.
    let Some(current) = versions.last().filter(|v| v.version.to_string() == input.version.trim()) else {
        return Ok(Approved::Stale);
    };
    // Who made the approver's account what it is: her approval is no second pair of
    // eyes when the author created or promoted her (issue 13, item 6).
    let sponsors = ctx.store.sponsors_of(caller.user.id).await?;
    match plan::approve(current, &caller.actor(), &sponsors, ctx.clock.now(), &input.note) {
        Ok(approval) => {
            let detail = format!("initiative={} version={}", initiative.id, current.version);
            let audit = caller.audit(AuditAction::ApprovePlan, vec![], detail);
            match ctx.store.approve_plan_version(initiative.id, current.version, &approval, &audit).await {
                Ok(()) => Ok(Approved::Approved),
                // Approved by another meanwhile: the first approval stays.
                Err(StoreError::Conflict { .. }) => Ok(Approved::Stale),
                Err(e) => Err(e.into()),
            }
        }
        Err(refused) => {
            let detail = format!("plan approval refused: {}", refused.message_id());
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], detail)).await?;
            Ok(Approved::Refused(refused))
        }
    }
}
