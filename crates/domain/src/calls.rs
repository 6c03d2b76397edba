//! The phone follow-up (issue 4, items 5–7; G-5.7, G-2.4): who is due for a call and
//! when, who must not be called, and what each outcome of a call is in her funnel.
//!
//! The cadence (G-5.7): a call a week after her letter; after a call without an answer,
//! another two days later; after the third attempt without reaching her (the letter
//! counts, as the funnel counts it), she is marked unreachable. A woman who answered
//! her letter "yes, call me" is due at once.

use crate::funnel::{Channel, EventKind, Stage};
use time::{Duration, OffsetDateTime};

/// Days from her letter to the first call.
pub const CALL_AFTER_LETTER_DAYS: i64 = 7;
/// Days between calls she did not answer.
pub const CALL_AGAIN_DAYS: i64 = 2;
/// Attempts without reaching her (letters and calls, `FunnelState::attempts`) before
/// she is marked unreachable.
pub const MAX_ATTEMPTS: u32 = 3;

/// What the call list needs to know about her.
#[derive(Debug, Clone, Copy)]
pub struct CallCandidate {
    pub stage: Stage,
    pub attempts: u32,
    pub last_event_at: OffsetDateTime,
    pub last_event: EventKind,
    pub last_channel: Channel,
    pub has_phone: bool,
    pub phone_hers_alone: bool,
    pub safe_contact_only: bool,
}

/// Why a woman who is due is not on the call list: the list says so and counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCalled {
    /// G-2.4: only through her contact person, ambassador or partner, unless the number
    /// is confirmed as hers alone.
    SafeContactOnly,
    NoPhone,
}

impl NotCalled {
    pub fn message_id(self) -> &'static str {
        match self {
            NotCalled::SafeContactOnly => "calls-skipped-safe-contact",
            NotCalled::NoPhone => "calls-skipped-no-phone",
        }
    }
}

/// When she is due for a call, if at all; `Err` when she is due but must not be called.
pub fn due(c: &CallCandidate) -> Option<Result<OffsetDateTime, NotCalled>> {
    let at = match (c.stage, c.last_event) {
        (Stage::Interested, EventKind::Interested) if c.last_channel == Channel::Letter => c.last_event_at,
        (Stage::Contacted, EventKind::LetterSent) => c.last_event_at + Duration::days(CALL_AFTER_LETTER_DAYS),
        (Stage::Contacted, EventKind::CallNoAnswer) => c.last_event_at + Duration::days(CALL_AGAIN_DAYS),
        _ => return None,
    };
    if c.safe_contact_only && !c.phone_hers_alone {
        return Some(Err(NotCalled::SafeContactOnly));
    }
    if !c.has_phone {
        return Some(Err(NotCalled::NoPhone));
    }
    Some(Ok(at))
}

/// What came of a call: one click each on the call list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    NoAnswer,
    WrongNumber,
    Interested,
    WantsMeeting,
    NotNow,
    NeverAgain,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 6] = [
        CallOutcome::NoAnswer,
        CallOutcome::WrongNumber,
        CallOutcome::Interested,
        CallOutcome::WantsMeeting,
        CallOutcome::NotNow,
        CallOutcome::NeverAgain,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::WrongNumber => "wrong_number",
            CallOutcome::Interested => "interested",
            CallOutcome::WantsMeeting => "wants_meeting",
            CallOutcome::NotNow => "not_now",
            CallOutcome::NeverAgain => "never",
        }
    }

    pub fn from_code(code: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The duty to take notes: what she said must be written down when the call
    /// changes where she is.
    pub fn note_required(self) -> bool {
        matches!(
            self,
            CallOutcome::Interested | CallOutcome::WantsMeeting | CallOutcome::NotNow | CallOutcome::NeverAgain
        )
    }

    /// The events the outcome is, in order, for a woman at `stage` with `attempts`
    /// unanswered so far. The third unanswered attempt also marks her unreachable.
    pub fn events(self, stage: Stage, attempts: u32) -> Vec<EventKind> {
        match self {
            CallOutcome::NoAnswer if attempts + 1 >= MAX_ATTEMPTS => {
                vec![EventKind::CallNoAnswer, EventKind::MarkedUnreachable]
            }
            CallOutcome::NoAnswer => vec![EventKind::CallNoAnswer],
            // A wrong number is no attempt at her; the note says so for the next try.
            CallOutcome::WrongNumber => vec![EventKind::Note],
            CallOutcome::Interested | CallOutcome::WantsMeeting if stage == Stage::Contacted => {
                vec![EventKind::Reached, EventKind::Interested]
            }
            // She said "yes, call me" already: the call itself is the contact.
            CallOutcome::Interested | CallOutcome::WantsMeeting => vec![EventKind::Note],
            CallOutcome::NotNow => vec![EventKind::NotNow],
            CallOutcome::NeverAgain => vec![EventKind::NeverContactAgain],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn her(stage: Stage, last: EventKind, channel: Channel) -> CallCandidate {
        CallCandidate {
            stage,
            attempts: 0,
            last_event_at: datetime!(2026-11-01 10:00 UTC),
            last_event: last,
            last_channel: channel,
            has_phone: true,
            phone_hers_alone: true,
            safe_contact_only: false,
        }
    }

    #[test]
    fn the_cadence_puts_her_on_the_list() {
        let letter = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        assert_eq!(due(&letter), Some(Ok(datetime!(2026-11-08 10:00 UTC))));
        let missed = her(Stage::Contacted, EventKind::CallNoAnswer, Channel::Phone);
        assert_eq!(due(&missed), Some(Ok(datetime!(2026-11-03 10:00 UTC))));
        let answered = her(Stage::Interested, EventKind::Interested, Channel::Letter);
        assert_eq!(due(&answered), Some(Ok(datetime!(2026-11-01 10:00 UTC))));
        assert_eq!(due(&her(Stage::Interested, EventKind::Interested, Channel::Ambassador)), None);
        assert_eq!(due(&her(Stage::Identified, EventKind::Entered, Channel::RegisterSearch)), None);
        assert_eq!(due(&her(Stage::Declined, EventKind::NeverContactAgain, Channel::Letter)), None);
    }

    #[test]
    fn safe_contact_only_is_never_called_on_a_shared_phone() {
        let mut c = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        c.safe_contact_only = true;
        c.phone_hers_alone = false;
        assert_eq!(due(&c), Some(Err(NotCalled::SafeContactOnly)));
        c.phone_hers_alone = true;
        assert!(matches!(due(&c), Some(Ok(_))), "a number confirmed as hers alone may be called");
        c.has_phone = false;
        assert_eq!(due(&c), Some(Err(NotCalled::NoPhone)));
    }

    #[test]
    fn outcomes_are_the_funnel_s_events() {
        assert_eq!(CallOutcome::NoAnswer.events(Stage::Contacted, 0), vec![EventKind::CallNoAnswer]);
        assert_eq!(
            CallOutcome::NoAnswer.events(Stage::Contacted, MAX_ATTEMPTS - 1),
            vec![EventKind::CallNoAnswer, EventKind::MarkedUnreachable]
        );
        assert_eq!(
            CallOutcome::Interested.events(Stage::Contacted, 1),
            vec![EventKind::Reached, EventKind::Interested]
        );
        assert_eq!(CallOutcome::WantsMeeting.events(Stage::Interested, 0), vec![EventKind::Note]);
        assert_eq!(CallOutcome::NeverAgain.events(Stage::Interested, 0), vec![EventKind::NeverContactAgain]);
        assert!(CallOutcome::NotNow.note_required() && !CallOutcome::NoAnswer.note_required());
        for o in CallOutcome::ALL {
            assert_eq!(CallOutcome::from_code(o.code()), Some(o));
        }
    }
}
