//! Partners (G-7) as use cases: the coordinator's partner register, agreements,
//! one-time referral links and follow-ups; and a referral, from a partner's own
//! account or through a one-time link that needs no account.
//!
//! Either way of referring goes through the intake of every outside door
//! (`intake::take_in`, issue 13, item 2): the do-not-contact list (G-2.2) read in the
//! write, a new intake, and a resemblance to a known woman queued for a coordinator —
//! never the known woman's record, and the partner is told the same in every case.

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::org::User;
use domain::partner::{
    self, AgreementInput, LinkRefused, PartnerFollowUpInput, PartnerInput, ReferralInput, ReferralLink,
};
use domain::policy::{self, Action};
use store::{DoorOutcome, ReferralStatusRow, ReferralWrite};
use uuid::Uuid;

// ---------------------------------------------------------------- the partner register

/// Adds a partner to the register (G-7.1–G-7.4). `Conflict` for a name already there.
pub async fn create_partner(ctx: &Ctx, caller: &Caller, input: &PartnerInput) -> Result<Uuid, Error> {
    require(ctx, caller, Action::ManagePartners).await?;
    let details = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::SavePartner, vec![], "");
    Ok(ctx.store.create_partner(&details, &audit).await?)
}

/// Replaces a partner's register entry; its agreement is kept.
pub async fn update_partner(ctx: &Ctx, caller: &Caller, id: Uuid, input: &PartnerInput) -> Result<(), Error> {
    require(ctx, caller, Action::ManagePartners).await?;
    let details = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::SavePartner, vec![], format!("partner={id}"));
    Ok(ctx.store.update_partner(id, &details, &audit).await?)
}

/// The partner's agreement (G-7.5): guidelines, the benefit to its core task, ethics,
/// confidentiality, and a review date ahead.
pub async fn save_agreement(ctx: &Ctx, caller: &Caller, id: Uuid, input: &AgreementInput) -> Result<(), Error> {
    require(ctx, caller, Action::ManagePartners).await?;
    let agreement = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::SavePartner, vec![], format!("agreement partner={id}"));
    Ok(ctx.store.save_agreement(id, &agreement, &audit).await?)
}

/// A follow-up meeting with a partner (G-7.6: the guide's four questions). The partner
/// is the one named by `id`, whatever the input says.
pub async fn record_follow_up(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    input: &PartnerFollowUpInput,
) -> Result<Uuid, Error> {
    require(ctx, caller, Action::ManagePartners).await?;
    let input = PartnerFollowUpInput { partner_org_id: id.to_string(), ..input.clone() };
    let follow_up = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::RecordFollowUp, vec![], format!("partner={id}"));
    Ok(ctx.store.record_partner_follow_up(&follow_up, caller.user.id, &audit).await?)
}

/// A one-time referral link for an active partner (no account needed). Returns the
/// token, which exists only here: the store keeps its hash. `NotFound("partner")`
/// unless the partner exists and is active.
pub async fn create_link(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<String, Error> {
    require(ctx, caller, Action::ManagePartners).await?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| Error::unexpected_msg("random bytes for a link", e.to_string()))?;
    let (token, hash) = partner::new_link_token(random);
    let link = ReferralLink::new(hash, id, caller.user.id, ctx.clock.now());
    let audit = caller.audit(AuditAction::CreateReferralLink, vec![], format!("partner={id}"));
    ctx.store.create_referral_link(&link, &audit).await?;
    Ok(token)
}

// ---------------------------------------------------------------- a partner's account

/// The partner organisation a caller refers for: only a partner account may refer
/// (G-7); anyone else is refused, audited.
pub async fn may_refer(ctx: &Ctx, caller: &Caller) -> Result<Uuid, Error> {
    match caller.user.partner_org_id {
        Some(org) if policy::may(&caller.actor(), Action::Refer, None) => Ok(org),
        _ => {
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], format!("{:?}", Action::Refer))).await?;
            Err(Error::Refused(Refusal::Role))
        }
    }
}

/// The partner's own referrals in the current initiative, each with the coarse status
/// she agreed it may see. The list names women, so it is audited with each of them.
pub async fn referrals(ctx: &Ctx, caller: &Caller) -> Result<Vec<ReferralStatusRow>, Error> {
    let org = may_refer(ctx, caller).await?;
    let initiative = match crate::current_initiative(ctx).await {
        Ok(i) => i,
        Err(Error::NotFound(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let rows = ctx.store.list_referrals(org, initiative.id).await?;
    let shown = rows.iter().map(|r| r.person_id).collect();
    ctx.store.append_audit(&caller.audit(AuditAction::ListPeople, shown, "")).await?;
    Ok(rows)
}

/// A referral from the partner's own account.
pub async fn refer(ctx: &Ctx, caller: &Caller, input: &ReferralInput) -> Result<DoorOutcome, Error> {
    let org = may_refer(ctx, caller).await?;
    let by = Referrer { actor: caller.audit_actor(), origin: &caller.origin };
    refer_as(ctx, &by, input, org, Some(caller.user.clone()), None).await
}

// ---------------------------------------------------------------- one-time links

/// An open link: whose it is.
#[derive(Debug, Clone)]
pub struct OpenLink {
    pub partner_id: Uuid,
    pub partner_name: String,
}

/// Opens a one-time link from its token (no login: the link is the key). Refused
/// (`Refusal::Link`) when unknown, used, expired or its partner inactive, and the
/// refusal audited as a public attempt. The token is no personal data; only its hash
/// is looked up.
pub async fn open_link(ctx: &Ctx, origin: &str, token: &str) -> Result<OpenLink, Error> {
    let link = ctx.store.referral_link(&partner::link_token_hash(token)).await?;
    let checked = partner::check_link(link.as_ref(), ctx.clock.now());
    let active = match (&checked, &link) {
        (Ok(()), Some(link)) => ctx.store.get_partner(link.partner_org_id).await?.filter(|p| p.details.active),
        _ => None,
    };
    match (checked, active) {
        (Ok(()), Some(p)) => Ok(OpenLink { partner_id: p.id, partner_name: p.details.name }),
        (result, _) => {
            let reason = result.err().unwrap_or(LinkRefused::Unknown);
            let by = Referrer { actor: AuditActor::public(), origin };
            ctx.store.append_audit(&by.record(AuditAction::Denied, format!("link={reason:?}"))).await?;
            Err(Error::Refused(Refusal::Link(reason)))
        }
    }
}

/// A referral through a one-time link: the link opened (as `open_link`), the referral
/// made in the partner's name, and the link used up in the same transaction — a link
/// used meanwhile is refused (`Refusal::Link`) and nothing is written.
pub async fn refer_by_link(ctx: &Ctx, origin: &str, token: &str, input: &ReferralInput) -> Result<DoorOutcome, Error> {
    let link = open_link(ctx, origin, token).await?;
    let by = Referrer { actor: AuditActor::system(&format!("henvisningslink {}", link.partner_name)), origin };
    refer_as(ctx, &by, input, link.partner_id, None, Some(partner::link_token_hash(token))).await
}

// ---------------------------------------------------------------- what both ways share

/// Who refers, as the audit log names them: a partner account, or a link in the
/// partner's name.
struct Referrer<'a> {
    actor: AuditActor,
    origin: &'a str,
}

impl Referrer<'_> {
    fn record(&self, action: AuditAction, detail: impl Into<String>) -> AuditRecord {
        AuditRecord {
            actor: self.actor.clone(),
            action,
            persons: vec![],
            origin: self.origin.to_string(),
            detail: detail.into(),
        }
    }
}

/// The checks and the write both ways share: her form (a refused form is audited with
/// the fields that failed, none of her data), the current initiative, then the
/// referral through the outside doors' intake.
async fn refer_as(
    ctx: &Ctx,
    by: &Referrer<'_>,
    input: &ReferralInput,
    org: Uuid,
    referred_by: Option<User>,
    link_token_hash: Option<String>,
) -> Result<DoorOutcome, Error> {
    let now = ctx.clock.now();
    let referral = match input.parse(now.date()) {
        Ok(r) => r,
        Err(errors) => {
            let detail = format!("invalid={}", errors.field_names());
            ctx.store.append_audit(&by.record(AuditAction::Denied, detail)).await?;
            return Err(Error::Invalid(errors));
        }
    };
    let initiative = crate::current_initiative(ctx).await?;
    let name = referral.person_details().full_name();
    let dnc_hashes = crate::intake::dnc_hashes(ctx, &name, referral.phone.as_ref());
    let write = ReferralWrite {
        referral,
        partner_org_id: org,
        referred_by,
        link_token_hash,
        initiative_id: initiative.id,
        dnc_hashes,
        at: now,
    };
    let audit = by.record(AuditAction::Refer, format!("partner={org}"));
    crate::intake::take_in(ctx, crate::intake::OutsideDoor::Referral(&write), audit).await
}
