//! The phone follow-up (issue 4, items 5–7; G-5.7, G-2.4): who is due for a call and
//! when, who must not be called, and what each outcome of a call is in her funnel.
//!
//! The cadence (G-5.7) is the initiative's ([`Cadence`]); by default a call a week after
//! her letter; after a call without an answer, another two days later; a second letter
//! three weeks after the first when no one has reached her; after the third attempt
//! without reaching her (letters count, as the funnel counts them), she is marked
//! unreachable. A woman who answered her letter "yes, call me" is due at once.

use crate::code_enum;
use crate::funnel::{Channel, EventKind, Stage};
use crate::validation::FieldErrors;
use time::{Duration, OffsetDateTime};

/// An initiative's contact cadence (G-5.7: contact her several times, in writing and by
/// phone). Set by the coordinator on the letters page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// Days from her letter to the first call.
    pub call_after_letter_days: u32,
    /// Days between calls she did not answer.
    pub call_again_days: u32,
    /// Days from her last letter to a second one, while no one has reached her.
    pub second_letter_after_days: u32,
    /// Attempts without reaching her (letters and calls, `FunnelState::attempts`)
    /// before she is marked unreachable.
    pub max_attempts: u32,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence { call_after_letter_days: 7, call_again_days: 2, second_letter_after_days: 21, max_attempts: 3 }
    }
}

/// The cadence form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CadenceInput {
    pub call_after_letter_days: String,
    pub call_again_days: String,
    pub second_letter_after_days: String,
    pub max_attempts: String,
}

impl CadenceInput {
    pub fn from_cadence(c: &Cadence) -> CadenceInput {
        CadenceInput {
            call_after_letter_days: c.call_after_letter_days.to_string(),
            call_again_days: c.call_again_days.to_string(),
            second_letter_after_days: c.second_letter_after_days.to_string(),
            max_attempts: c.max_attempts.to_string(),
        }
    }

    /// Each field a whole number in its range; errors name the field.
    pub fn parse(&self) -> Result<Cadence, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut number = |field: &'static str, raw: &str, min: u32, max: u32| -> u32 {
            match raw.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.add(field, "error-cadence-number");
                    0
                }
            }
        };
        let c = Cadence {
            call_after_letter_days: number("call_after_letter_days", &self.call_after_letter_days, 1, 90),
            call_again_days: number("call_again_days", &self.call_again_days, 1, 30),
            second_letter_after_days: number("second_letter_after_days", &self.second_letter_after_days, 7, 180),
            max_attempts: number("max_attempts", &self.max_attempts, 1, 10),
        };
        errors.into_result(|| c)
    }
}

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

/// When the cadence next asks for a call to her, whether or not she may be called.
fn next_call_at(c: &CallCandidate, cadence: &Cadence) -> Option<OffsetDateTime> {
    let days = |d: u32| Duration::days(i64::from(d));
    match (c.stage, c.last_event) {
        (Stage::Interested, EventKind::Interested) if c.last_channel == Channel::Letter => Some(c.last_event_at),
        (Stage::Contacted, EventKind::LetterSent) => Some(c.last_event_at + days(cadence.call_after_letter_days)),
        (Stage::Contacted, EventKind::CallNoAnswer) => Some(c.last_event_at + days(cadence.call_again_days)),
        _ => None,
    }
}

/// G-5.7: a woman not reached after the cadence's attempts is unreachable, not called
/// again and again. The moment is when her next call would have fallen due, so a last
/// letter keeps its time to be answered. `None` while she is within the limit. (A
/// cadence lowered later, or a history from before it, leaves women past the limit; the
/// daily job marks them.)
pub fn unreachable_at(c: &CallCandidate, cadence: &Cadence) -> Option<OffsetDateTime> {
    if c.stage != Stage::Contacted || c.attempts < cadence.max_attempts {
        return None;
    }
    next_call_at(c, cadence)
}

/// When she is due for a call, if at all; `Err` when she is due but must not be called.
/// A woman past the attempt limit is not due (G-5.7; [`unreachable_at`]).
pub fn due(c: &CallCandidate, cadence: &Cadence) -> Option<Result<OffsetDateTime, NotCalled>> {
    if unreachable_at(c, cadence).is_some() {
        return None;
    }
    let at = next_call_at(c, cadence)?;
    if c.safe_contact_only && !c.phone_hers_alone {
        return Some(Err(NotCalled::SafeContactOnly));
    }
    if !c.has_phone {
        return Some(Err(NotCalled::NoPhone));
    }
    Some(Ok(at))
}

/// How urgent a call is, most urgent first: she asked for the call herself; the call is
/// overdue; it falls due later. The call list sorts by this, then by the due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    AskedForCall,
    Overdue,
    Upcoming,
}

/// How late a due call is, in the unit a caller reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    /// Due today or later: not late.
    NotLate,
    Days(i64),
    Weeks(i64),
    Months(i64),
}

impl Lateness {
    /// Whole days from the due day to `today`, both days in the municipality's time.
    pub fn between(due: time::Date, today: time::Date) -> Lateness {
        let days = (today - due).whole_days();
        match days {
            d if d <= 0 => Lateness::NotLate,
            d if d < 14 => Lateness::Days(d),
            d if d < 60 => Lateness::Weeks(d / 7),
            d => Lateness::Months(d / 30),
        }
    }
}

/// She answered her letter "yes, call me" and has not been called since.
fn asked_for_call(c: &CallCandidate) -> bool {
    c.stage == Stage::Interested && c.last_event == EventKind::Interested
}

/// Her call's urgency at `now`, given when it is due.
pub fn urgency(c: &CallCandidate, at: OffsetDateTime, now: OffsetDateTime) -> Urgency {
    if asked_for_call(c) {
        Urgency::AskedForCall
    } else if at <= now {
        Urgency::Overdue
    } else {
        Urgency::Upcoming
    }
}

/// Where a due call stands on a given day, as the start page counts it (issue 14,
/// item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDay {
    /// She asked for the call herself: whenever it fell due.
    Asked,
    /// Due on a day before `today`.
    Overdue,
    /// Due today, earlier or later in the day.
    Today,
    Later,
}

/// Where her call, due `at`, stands on `today` (a Danish day).
pub fn call_day(c: &CallCandidate, at: OffsetDateTime, today: time::Date) -> CallDay {
    if asked_for_call(c) {
        return CallDay::Asked;
    }
    match crate::danish_time::date(at).cmp(&today) {
        std::cmp::Ordering::Less => CallDay::Overdue,
        std::cmp::Ordering::Equal => CallDay::Today,
        std::cmp::Ordering::Greater => CallDay::Later,
    }
}

code_enum! {
    /// What came of a call: one click each on the call list.
    pub enum CallOutcome {
        NoAnswer = "no_answer",
        WrongNumber = "wrong_number",
        Interested = "interested",
        WantsMeeting = "wants_meeting",
        NotNow = "not_now",
        NeverAgain = "never",
    }
}

impl CallOutcome {
    /// The duty to take notes: what she said must be written down when the call
    /// changes where she is.
    pub fn note_required(self) -> bool {
        matches!(
            self,
            CallOutcome::Interested | CallOutcome::WantsMeeting | CallOutcome::NotNow | CallOutcome::NeverAgain
        )
    }

    /// The events the outcome is, in order, for a woman at `stage` with `attempts`
    /// unanswered so far. The cadence's last unanswered attempt also marks her
    /// unreachable.
    pub fn events(self, stage: Stage, attempts: u32, cadence: &Cadence) -> Vec<EventKind> {
        match self {
            CallOutcome::NoAnswer if attempts + 1 >= cadence.max_attempts => {
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

    /// The note that goes with the outcome's last event (the one that says what she
    /// said): the caller's note, and what the outcome itself tells the next caller.
    pub fn event_note(self, note: &str) -> String {
        match self {
            CallOutcome::WrongNumber if note.is_empty() => "Forkert nummer.".into(),
            CallOutcome::WantsMeeting => format!("Ønsker et møde. {note}").trim().to_string(),
            _ => note.to_string(),
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
        let d = Cadence::default();
        assert_eq!(due(&letter, &d), Some(Ok(datetime!(2026-11-08 10:00 UTC))));
        let missed = her(Stage::Contacted, EventKind::CallNoAnswer, Channel::Phone);
        assert_eq!(due(&missed, &d), Some(Ok(datetime!(2026-11-03 10:00 UTC))));
        let answered = her(Stage::Interested, EventKind::Interested, Channel::Letter);
        assert_eq!(due(&answered, &d), Some(Ok(datetime!(2026-11-01 10:00 UTC))));
        assert_eq!(due(&her(Stage::Interested, EventKind::Interested, Channel::Ambassador), &d), None);
        assert_eq!(due(&her(Stage::Identified, EventKind::Entered, Channel::RegisterSearch), &d), None);
        assert_eq!(due(&her(Stage::Declined, EventKind::NeverContactAgain, Channel::Letter), &d), None);
    }

    #[test]
    fn past_the_attempt_limit_she_is_unreachable_not_called_again() {
        let d = Cadence::default();
        let mut missed = her(Stage::Contacted, EventKind::CallNoAnswer, Channel::Phone);
        missed.attempts = d.max_attempts - 1;
        assert_eq!(unreachable_at(&missed, &d), None);
        assert!(matches!(due(&missed, &d), Some(Ok(_))));
        missed.attempts = 6;
        assert_eq!(unreachable_at(&missed, &d), Some(datetime!(2026-11-03 10:00 UTC)));
        assert_eq!(due(&missed, &d), None, "six attempts against a limit of three is not a call to make");
        // A second letter as the last attempt keeps its week to be answered.
        let mut letter = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        letter.attempts = d.max_attempts;
        assert_eq!(unreachable_at(&letter, &d), Some(datetime!(2026-11-08 10:00 UTC)));
        // Only women still being contacted can be past the limit.
        let mut asked = her(Stage::Interested, EventKind::Interested, Channel::Letter);
        asked.attempts = 5;
        assert_eq!(unreachable_at(&asked, &d), None);
        assert!(matches!(due(&asked, &d), Some(Ok(_))));
    }

    #[test]
    fn lateness_and_urgency_order_the_list() {
        use time::macros::date;
        let today = date!(2026 - 12 - 07);
        assert_eq!(Lateness::between(date!(2026 - 12 - 07), today), Lateness::NotLate);
        assert_eq!(Lateness::between(date!(2026 - 12 - 09), today), Lateness::NotLate);
        assert_eq!(Lateness::between(date!(2026 - 12 - 04), today), Lateness::Days(3));
        assert_eq!(Lateness::between(date!(2026 - 11 - 16), today), Lateness::Weeks(3));
        assert_eq!(Lateness::between(date!(2025 - 07 - 07), today), Lateness::Months(17));
        let now = datetime!(2026-11-05 10:00 UTC);
        let asked = her(Stage::Interested, EventKind::Interested, Channel::Letter);
        let letter = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        assert_eq!(urgency(&asked, datetime!(2026-11-04 10:00 UTC), now), Urgency::AskedForCall);
        assert_eq!(urgency(&letter, datetime!(2026-11-04 10:00 UTC), now), Urgency::Overdue);
        assert_eq!(urgency(&letter, datetime!(2026-11-06 10:00 UTC), now), Urgency::Upcoming);
        assert!(Urgency::AskedForCall < Urgency::Overdue && Urgency::Overdue < Urgency::Upcoming);
    }

    #[test]
    fn a_call_s_day_is_the_danish_day() {
        use time::macros::date;
        let letter = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        let asked = her(Stage::Interested, EventKind::Interested, Channel::Letter);
        let today = date!(2026 - 12 - 08);
        // 23:30 UTC on the 7th is already the 8th in Copenhagen.
        assert_eq!(call_day(&letter, datetime!(2026-12-07 23:30 UTC), today), CallDay::Today);
        assert_eq!(call_day(&letter, datetime!(2026-12-07 22:30 UTC), today), CallDay::Overdue);
        assert_eq!(call_day(&letter, datetime!(2026-12-09 10:00 UTC), today), CallDay::Later);
        assert_eq!(call_day(&asked, datetime!(2026-12-01 10:00 UTC), today), CallDay::Asked);
    }

    #[test]
    fn safe_contact_only_is_never_called_on_a_shared_phone() {
        let mut c = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        c.safe_contact_only = true;
        let d = Cadence::default();
        c.phone_hers_alone = false;
        assert_eq!(due(&c, &d), Some(Err(NotCalled::SafeContactOnly)));
        c.phone_hers_alone = true;
        assert!(matches!(due(&c, &d), Some(Ok(_))), "a number confirmed as hers alone may be called");
        c.has_phone = false;
        assert_eq!(due(&c, &d), Some(Err(NotCalled::NoPhone)));
    }

    #[test]
    fn outcomes_are_the_funnel_s_events() {
        let d = Cadence::default();
        assert_eq!(CallOutcome::NoAnswer.events(Stage::Contacted, 0, &d), vec![EventKind::CallNoAnswer]);
        assert_eq!(
            CallOutcome::NoAnswer.events(Stage::Contacted, d.max_attempts - 1, &d),
            vec![EventKind::CallNoAnswer, EventKind::MarkedUnreachable]
        );
        assert_eq!(
            CallOutcome::Interested.events(Stage::Contacted, 1, &d),
            vec![EventKind::Reached, EventKind::Interested]
        );
        assert_eq!(CallOutcome::WantsMeeting.events(Stage::Interested, 0, &d), vec![EventKind::Note]);
        assert_eq!(CallOutcome::NeverAgain.events(Stage::Interested, 0, &d), vec![EventKind::NeverContactAgain]);
        assert!(CallOutcome::NotNow.note_required() && !CallOutcome::NoAnswer.note_required());
        for o in CallOutcome::ALL {
            assert_eq!(CallOutcome::from_code(o.code()), Some(o));
        }
        let patient = Cadence { max_attempts: 5, ..d };
        assert_eq!(CallOutcome::NoAnswer.events(Stage::Contacted, 2, &patient), vec![EventKind::CallNoAnswer]);
    }

    #[test]
    fn the_cadence_is_the_initiative_s() {
        let slow = Cadence { call_after_letter_days: 10, call_again_days: 3, ..Cadence::default() };
        let letter = her(Stage::Contacted, EventKind::LetterSent, Channel::Letter);
        assert_eq!(due(&letter, &slow), Some(Ok(datetime!(2026-11-11 10:00 UTC))));
        let missed = her(Stage::Contacted, EventKind::CallNoAnswer, Channel::Phone);
        assert_eq!(due(&missed, &slow), Some(Ok(datetime!(2026-11-04 10:00 UTC))));
    }

    #[test]
    fn a_cadence_form_names_the_field_it_refuses() {
        let ok = CadenceInput::from_cadence(&Cadence::default()).parse();
        assert_eq!(ok, Ok(Cadence::default()));
        let bad = CadenceInput {
            max_attempts: "0".into(),
            call_again_days: "to".into(),
            ..CadenceInput::from_cadence(&Cadence::default())
        };
        let errors = bad.parse().unwrap_err();
        assert!(
            errors.for_field("max_attempts").is_some() && errors.for_field("call_again_days").is_some(),
            "{errors:?}"
        );
        assert!(errors.for_field("call_after_letter_days").is_none());
    }

    #[test]
    fn the_outcome_adds_to_the_note_what_the_next_caller_must_know() {
        assert_eq!(CallOutcome::WrongNumber.event_note(""), "Forkert nummer.");
        assert_eq!(CallOutcome::WrongNumber.event_note("Ny: 2030"), "Ny: 2030");
        assert_eq!(CallOutcome::WantsMeeting.event_note(""), "Ønsker et møde.");
        assert_eq!(CallOutcome::WantsMeeting.event_note("Tirsdag"), "Ønsker et møde. Tirsdag");
        assert_eq!(CallOutcome::NotNow.event_note("Efter sommer"), "Efter sommer");
    }
}
