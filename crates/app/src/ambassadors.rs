//! Ambassadors (G-6) as use cases: the ambassador's own field work (her start page,
//! anonymous conversations, registering a woman who agrees, accepting the ethics
//! frame) and the coordinator's side (profiles, follow-ups, the ethics frame).
//!
//! Field work is gated twice: the role (`Action::FieldWork`) and then
//! `domain::ambassador::may_do_field_work` — her duty of confidentiality signed and the
//! current ethics frame accepted (G-6.7, G-4.6). Both refusals are audited.

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::ambassador::{
    self, ConversationInput, EthicsAcceptance, FieldWorkBlocked, FollowUpInput, ProfileInput, RegistrationInput,
};
use domain::audit::AuditAction;
use domain::org::User;
use domain::policy::{self, Action, Field, Reach, Role};
use store::{ConversationRecord, DoorOutcome, EthicsFrame, PeopleQuery, PersonListRow, StreetRegistrationWrite};
use uuid::Uuid;

/// Where she stands before field work: what blocks her, if anything, and the frame
/// she is to accept.
#[derive(Debug, Clone)]
pub struct FieldStatus {
    pub blocked: Option<FieldWorkBlocked>,
    pub frame: Option<EthicsFrame>,
}

impl FieldStatus {
    /// Blocked only because she has not accepted the current frame: she can fix that
    /// herself by reading it.
    pub fn needs_ethics(&self) -> bool {
        matches!(self.blocked, Some(FieldWorkBlocked::NoEthics | FieldWorkBlocked::EthicsOutdated))
    }
}

/// The current initiative's ethics frame (G-4.6); `None` without an initiative or a frame.
async fn current_frame(ctx: &Ctx) -> Result<Option<EthicsFrame>, Error> {
    match crate::current_initiative(ctx).await {
        Ok(initiative) => Ok(ctx.store.ethics_frame(initiative.id).await?),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn status_of(ctx: &Ctx, user_id: Uuid) -> Result<FieldStatus, Error> {
    let frame = current_frame(ctx).await?;
    let profile = ctx.store.ambassador_profile(user_id).await?;
    let verdict = ambassador::may_do_field_work(profile.as_ref(), frame.as_ref().map(|f| (f.initiative_id, f.version)));
    Ok(FieldStatus { blocked: verdict.err(), frame })
}

/// Her gate, for the pages that show it (her start page, the ethics frame). Only
/// ambassadors do field work; anyone else is refused, audited.
pub async fn field_status(ctx: &Ctx, caller: &Caller) -> Result<FieldStatus, Error> {
    require(ctx, caller, Action::FieldWork).await?;
    status_of(ctx, caller.user.id).await
}

/// That she may do field work now (G-6.7, G-4.6): `Refused(FieldWork)` with the
/// reason otherwise, audited with it. The forms of field work ask this before they
/// are shown, and every write of field work before it is done.
pub async fn open_field_work(ctx: &Ctx, caller: &Caller) -> Result<(), Error> {
    let status = field_status(ctx, caller).await?;
    match status.blocked {
        None => Ok(()),
        Some(b) => {
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], b.message_id())).await?;
            Err(Error::Refused(Refusal::FieldWork(b)))
        }
    }
}

/// What her start page shows.
#[derive(Debug, Clone)]
pub struct FieldHome {
    pub status: FieldStatus,
    /// Her latest conversations, newest first.
    pub conversations: Vec<ConversationRecord>,
    /// The women she brought in; the page shows first name and next step only.
    pub women: Vec<PersonListRow>,
}

/// How many of her own conversations her start page shows.
const HOME_CONVERSATIONS: u32 = 20;
/// How many of her women her start page lists.
const HOME_WOMEN: u32 = 200;

/// Her start page: her gate, her latest conversations and her own women. Her women
/// come through the row-level list scope (G-6: an ambassador sees only the women she
/// brought in), and the list is audited like any list of women.
pub async fn field_home(ctx: &Ctx, caller: &Caller) -> Result<FieldHome, Error> {
    let status = field_status(ctx, caller).await?;
    let conversations = ctx.store.list_conversations(Some(caller.user.id), HOME_CONVERSATIONS).await?;
    let women = match crate::current_initiative(ctx).await {
        Ok(initiative) => {
            let query = PeopleQuery {
                scope: policy::list_scope(&caller.actor()),
                filter: Default::default(),
                initiative_id: initiative.id,
                page: 1,
                page_size: HOME_WOMEN,
                by_family_name: policy::field_reach(caller.user.role, Field::FullName) != Reach::No,
            };
            let audit = caller.audit(AuditAction::ListPeople, vec![], "");
            ctx.store.list_people(&query, &audit).await?.rows
        }
        Err(Error::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(FieldHome { status, conversations, women })
}

/// The area her forms start at (issue 14, item 2): the first of the areas her profile
/// names, where she works; none before a coordinator has written her profile.
pub async fn own_area(ctx: &Ctx, caller: &Caller) -> Result<Option<Uuid>, Error> {
    require(ctx, caller, Action::FieldWork).await?;
    let profile = ctx.store.ambassador_profile(caller.user.id).await?;
    Ok(profile.and_then(|p| p.details.area_ids.first().copied()))
}

/// Logs anonymous street conversations (G-6.3): counts only, no name, no phone.
pub async fn log_conversation(ctx: &Ctx, caller: &Caller, input: &ConversationInput) -> Result<Uuid, Error> {
    open_field_work(ctx, caller).await?;
    let conversation = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::LogConversation, vec![], "");
    Ok(ctx.store.record_conversation(caller.user.id, &conversation, &audit).await?)
}

/// Registers a woman who agrees, in the street (G-6): the gate, her form (a refused
/// form is audited with the fields that failed, none of her data), then the intake of
/// every outside door (`intake::take_in`): a new intake, a resemblance to a known woman
/// queued for a coordinator, nothing written when she is on the do-not-contact list
/// (G-2.2). The ambassador's page says the same for each (issue 13, item 2).
/// `NotFound("initiative")` when there is no initiative to register her in.
pub async fn register_from_street(ctx: &Ctx, caller: &Caller, input: &RegistrationInput) -> Result<DoorOutcome, Error> {
    open_field_work(ctx, caller).await?;
    let now = ctx.clock.now();
    let registration = match input.parse(domain::danish_time::date(now)) {
        Ok(r) => r,
        Err(errors) => {
            let detail = format!("invalid={}", errors.field_names());
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], detail)).await?;
            return Err(Error::Invalid(errors));
        }
    };
    let initiative = crate::current_initiative(ctx).await?;
    let dnc_hashes = crate::intake::dnc_hashes(ctx, &registration.given_name, Some(&registration.phone));
    let write = StreetRegistrationWrite {
        registration,
        ambassador: caller.user.clone(),
        initiative_id: initiative.id,
        consent_text_version: ambassador::consent_text_version().to_string(),
        dnc_hashes,
        at: now,
    };
    let audit = caller.audit(AuditAction::RegisterFromStreet, vec![], "");
    crate::intake::take_in(ctx, crate::intake::OutsideDoor::Street(&write), audit).await
}

/// She accepts the version of the ethics frame she read (G-6.7: she is involved in
/// the ethics, not told). `Conflict` when the frame changed meanwhile (she reads it
/// again); `NotFound("ambassador profile")` while the coordinator has not recorded her
/// profile (her duty of confidentiality comes first). Returns the version accepted.
pub async fn accept_ethics(ctx: &Ctx, caller: &Caller, version: &str) -> Result<u32, Error> {
    let status = field_status(ctx, caller).await?;
    let Some(frame) = status.frame.filter(|f| f.version.to_string() == version.trim()) else {
        return Err(Error::Conflict("the ethics frame changed since she read it".into()));
    };
    let acceptance =
        EthicsAcceptance { initiative_id: frame.initiative_id, version: frame.version, accepted_on: ctx.clock.today() };
    let audit = caller.audit(AuditAction::AcceptEthics, vec![], format!("version={}", frame.version));
    ctx.store.accept_ethics(caller.user.id, &acceptance, &audit).await?;
    Ok(frame.version)
}

/// The user behind an ambassador's page: `NotFound` for anyone who is not an
/// ambassador, so the pages exist only for ambassadors.
pub async fn ambassador(ctx: &Ctx, id: Uuid) -> Result<User, Error> {
    let user = ctx.store.get_user(id).await?;
    if user.role != Role::Ambassador {
        return Err(Error::NotFound("ambassador"));
    }
    Ok(user)
}

/// The coordinator records her profile (G-6.1–G-6.8): employment, languages, areas,
/// the assessment, training and the duty of confidentiality. Her acceptance of the
/// ethics frame is hers and is kept.
pub async fn save_profile(ctx: &Ctx, caller: &Caller, ambassador_id: Uuid, input: &ProfileInput) -> Result<(), Error> {
    require(ctx, caller, Action::ManageAmbassadors).await?;
    ambassador(ctx, ambassador_id).await?;
    let details = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::SaveAmbassadorProfile, vec![], format!("user={ambassador_id}"));
    Ok(ctx.store.save_ambassador_profile(ambassador_id, &details, &audit).await?)
}

/// A follow-up meeting with an ambassador (G-6.8). She is the one named by
/// `ambassador_id`, whatever the input says.
pub async fn record_follow_up(
    ctx: &Ctx,
    caller: &Caller,
    ambassador_id: Uuid,
    input: &FollowUpInput,
) -> Result<Uuid, Error> {
    require(ctx, caller, Action::ManageAmbassadors).await?;
    ambassador(ctx, ambassador_id).await?;
    let input = FollowUpInput { ambassador_user_id: ambassador_id.to_string(), ..input.clone() };
    let follow_up = input.parse(ctx.clock.today())?;
    let audit = caller.audit(AuditAction::RecordFollowUp, vec![], format!("ambassador={ambassador_id}"));
    Ok(ctx.store.record_ambassador_follow_up(&follow_up, caller.user.id, &audit).await?)
}

/// Sets the current initiative's ethics frame (G-4.6, G-6.3) and returns its version.
/// The frame is part of the plan: with a plan, a changed frame is first saved as a new
/// version of the plan (which keeps its approval: the frame is not what is approved).
/// The field of a refused text is `text`.
pub async fn set_ethics_frame(ctx: &Ctx, caller: &Caller, input: &str) -> Result<u32, Error> {
    require(ctx, caller, Action::EditPlan).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let text = ambassador::parse_ethics_frame(input)?;
    let versions = ctx.store.plan_versions(initiative.id).await?;
    if let Some(last) = versions.last().filter(|v| v.plan.ethics_frame != text) {
        let plan = domain::plan::Plan { ethics_frame: text.clone(), ..last.plan.clone() };
        let version = domain::plan::next_version(Some(last), plan, caller.user.id, ctx.clock.now());
        let detail = format!("initiative={} version={}", initiative.id, version.version);
        ctx.store
            .save_plan_version(initiative.id, &version, &caller.audit(AuditAction::SavePlan, vec![], detail))
            .await?;
    }
    let audit = caller.audit(AuditAction::SetEthicsFrame, vec![], format!("initiative={}", initiative.id));
    Ok(ctx.store.set_ethics_frame(initiative.id, &text, &audit).await?)
}
