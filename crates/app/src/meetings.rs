//! Intro meetings as use cases.

use crate::{Caller, Ctx, Error, current_initiative, require};
use domain::audit::AuditAction;
use domain::meeting::IntroMeetingInput;
use domain::policy::Action;
use uuid::Uuid;

/// Plans an intro meeting in the current initiative. Every field that does not parse
/// is named (`domain::meeting`).
pub async fn plan(ctx: &Ctx, caller: &Caller, input: &IntroMeetingInput) -> Result<Uuid, Error> {
    require(ctx, caller, Action::PlanMeetings).await?;
    let initiative = current_initiative(ctx).await?;
    let meeting = input.parse(ctx.clock.today())?;
    let record = caller.audit(AuditAction::PlanMeeting, vec![], format!("initiative={}", initiative.id));
    Ok(ctx.store.plan_intro_meeting(initiative.id, &meeting, caller.user.id, &record).await?)
}
