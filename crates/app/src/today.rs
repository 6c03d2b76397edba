//! The start page's "what to do today" (issue 14, item 3): for each role the work that
//! waits for this user — calls she asked for, overdue and due today, the intro meetings
//! of the day, a plan version or a role grant awaiting this user's approval, links and
//! possible matches awaiting a decision, and the last seven days' figures of the
//! caller's reach. Counts only: no woman is named, so nothing here is a read of her
//! data to audit; each figure is a link to the page where the work is done.

use crate::{Caller, Ctx, Error};
use domain::calls::{self, CallDay};
use domain::funnel::EventKind;
use domain::meeting::IntroMeeting;
use domain::policy::{self, Action, ListScope};
use time::Duration;

/// Calls in the caller's reach, by urgency (`domain::calls`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallsToday {
    pub asked: usize,
    /// Due before today.
    pub overdue: usize,
    pub due_today: usize,
}

/// The last seven days in the caller's reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Week {
    pub letters: u64,
    pub reached: u64,
    /// Women who came through a partner, an ambassador or the open door.
    pub new_referrals: u64,
    pub meetings_held: u64,
    pub enrolled: u64,
}

/// What waits for the caller today. `None` where her role has no part in it.
#[derive(Debug, Clone, Default)]
pub struct Today {
    pub calls: Option<CallsToday>,
    pub meetings: Option<Vec<IntroMeeting>>,
    /// The plan version waiting for this user's approval (G-5.3).
    pub plan_to_approve: Option<u32>,
    /// Role grants this user may confirm as the second person.
    pub grants_to_confirm: Option<usize>,
    /// Uncertain links of a list without CPR (G-5.1).
    pub links_to_review: Option<usize>,
    pub matches_to_settle: Option<usize>,
    pub week: Option<Week>,
}

/// The days the start page's figures cover.
pub const WEEK_DAYS: i64 = 7;

/// What waits for the caller today, each part only where her role may do that work.
/// A municipality without an initiative yet has nothing waiting.
pub async fn today(ctx: &Ctx, caller: &Caller) -> Result<Today, Error> {
    let actor = caller.actor();
    let may = |action| policy::may(&actor, action, None);
    let mut t = Today::default();
    // Role grants wait whether or not there is an initiative yet.
    if may(Action::ManageUsers) {
        let grants = ctx.store.pending_role_grants().await?;
        let mine = grants.iter().filter_map(crate::users::as_pending).filter(|g| policy::may_confirm(&actor, g));
        t.grants_to_confirm = Some(mine.count());
    }
    let initiative = match crate::current_initiative(ctx).await {
        Ok(i) => i,
        Err(Error::NotFound(_)) => return Ok(t),
        Err(e) => return Err(e),
    };
    let now = ctx.clock.now();
    let today = ctx.clock.today();
    let scope = policy::list_scope(&actor);
    let staff_reach = matches!(scope, ListScope::Everyone | ListScope::TeamOf { .. });

    if may(Action::RecordEvent) && staff_reach {
        let mut c = CallsToday::default();
        for row in ctx.store.call_list(initiative.id, &scope).await? {
            if let Some(Ok(at)) = calls::due(&row.candidate(), &initiative.cadence) {
                match calls::call_day(&row.candidate(), at, today) {
                    CallDay::Asked => c.asked += 1,
                    CallDay::Overdue => c.overdue += 1,
                    CallDay::Today => c.due_today += 1,
                    CallDay::Later => {}
                }
            }
        }
        t.calls = Some(c);
    }
    if (may(Action::PlanMeetings) || may(Action::RecordEvent)) && staff_reach {
        let meetings = ctx.store.upcoming_intro_meetings(initiative.id, today).await?;
        t.meetings = Some(meetings.into_iter().map(|m| m.meeting).filter(|m| m.date == today).collect());
    }
    if let Some(v) = ctx.store.plan_versions(initiative.id).await?.last() {
        let sponsors = ctx.store.sponsors_of(caller.user.id).await?;
        if v.approval.is_none() && domain::plan::approve(v, &actor, &sponsors, now, "").is_ok() {
            t.plan_to_approve = Some(v.version);
        }
    }
    if may(Action::ReviewLinks) {
        t.links_to_review = Some(ctx.store.pending_link_reviews(initiative.id).await?.len());
    }
    if may(Action::ReviewMatches) {
        t.matches_to_settle = Some(ctx.store.open_possible_matches(initiative.id).await?.len());
    }
    if may(Action::ListPeople) && staff_reach {
        let since = domain::danish_time::start_of_day(today - Duration::days(WEEK_DAYS - 1));
        let mut w = Week::default();
        for (kind, channel, n) in ctx.store.event_counts_since(initiative.id, since, &scope).await? {
            match kind {
                EventKind::LetterSent => w.letters += n,
                EventKind::Reached => w.reached += n,
                EventKind::IntroMeetingHeld => w.meetings_held += n,
                EventKind::Enrolled => w.enrolled += n,
                EventKind::Entered if channel.is_referral() => w.new_referrals += n,
                _ => {}
            }
        }
        t.week = Some(w);
    }
    Ok(t)
}
