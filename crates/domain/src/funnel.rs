//! The woman's path through one initiative (product.md, "The person's path").
//!
//! `transition` is the whole event × from → to table; anything not in it is refused
//! with a typed error. The current stage is a projection of the (non-voided) events,
//! and `replay` rebuilds it so that stored projections can be checked.

use crate::code_enum;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

code_enum! {
    #[derive(Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    pub enum Stage {
        Identified = "identified",
        Contacted = "contacted",
        Reached = "reached",
        Interested = "interested",
        Met = "met",
        Trial = "trial",
        Enrolled = "enrolled",
        Retained = "retained",
        NotNow = "not_now",
        Unreachable = "unreachable",
        Paused = "paused",
        Declined = "declined",
    }
}

impl Stage {
    pub fn is_side_state(self) -> bool {
        matches!(self, Stage::NotNow | Stage::Unreachable | Stage::Paused | Stage::Declined)
    }
}

code_enum! {
    /// How she came to the initiative; decides the entry stage.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        RegisterSearch = "register_search",
        Letter = "letter",
        Phone = "phone",
        InPerson = "in_person",
        Ambassador = "ambassador",
        Partner = "partner",
        SelfReferral = "self_referral",
        Other = "other",
    }
}

impl Channel {
    /// A door from outside the office: an ambassador, a partner, her own request. The
    /// start page counts women entering through one as new referrals.
    pub fn is_referral(self) -> bool {
        matches!(self, Channel::Ambassador | Channel::Partner | Channel::SelfReferral)
    }

    /// Where each channel enters the funnel (product.md, "Where each channel enters").
    pub fn entry_stage(self) -> Stage {
        match self {
            Channel::RegisterSearch => Stage::Identified,
            Channel::Ambassador | Channel::Partner | Channel::SelfReferral => Stage::Interested,
            // Someone recorded by hand after a phone call or meeting has been reached;
            // a letter without a register run behind it is a contact made.
            Channel::Phone | Channel::InPerson | Channel::Other => Stage::Reached,
            Channel::Letter => Stage::Contacted,
        }
    }
}

code_enum! {
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum EventKind {
        /// She enters the initiative through a channel (first event of every funnel).
        Entered = "entered",
        LetterSent = "letter_sent",
        CallNoAnswer = "call_no_answer",
        /// The cadence's last attempt without reaching her.
        MarkedUnreachable = "marked_unreachable",
        Reached = "reached",
        Interested = "interested",
        NotNow = "not_now",
        IntroMeetingHeld = "intro_meeting_held",
        TrialStarted = "trial_started",
        Enrolled = "enrolled",
        Retained = "retained",
        Paused = "paused",
        CameBack = "came_back",
        /// She gets in touch herself after not now, unreachable, paused or declined.
        GotInTouch = "got_in_touch",
        NeverContactAgain = "never_contact_again",
        /// Any other contact, a note, a planned meeting: the stage is unchanged.
        Note = "note",
    }
}

/// What a partner with an account may see of her own referral (issue: partners see
/// "received", "contacted" or "started", never the stage itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoarseStatus {
    Received,
    Contacted,
    Started,
}

impl CoarseStatus {
    pub fn code(self) -> &'static str {
        match self {
            CoarseStatus::Received => "received",
            CoarseStatus::Contacted => "contacted",
            CoarseStatus::Started => "started",
        }
    }
}

pub fn coarse_status(stage: Stage) -> Option<CoarseStatus> {
    match stage {
        Stage::Interested => Some(CoarseStatus::Received),
        Stage::Reached | Stage::Met => Some(CoarseStatus::Contacted),
        Stage::Trial | Stage::Enrolled | Stage::Retained => Some(CoarseStatus::Started),
        _ => None,
    }
}

/// The next step at each stage, as a message id: what an ambassador sees of a woman
/// she brought in, instead of her case.
pub fn next_step(stage: Stage) -> &'static str {
    match stage {
        Stage::Identified => "next-step-letter",
        Stage::Contacted => "next-step-call",
        Stage::Reached => "next-step-interest",
        Stage::Interested => "next-step-intro-meeting",
        Stage::Met => "next-step-trial",
        Stage::Trial => "next-step-enrol",
        Stage::Enrolled => "next-step-attend",
        Stage::NotNow => "next-step-wait",
        Stage::Unreachable => "next-step-new-contact",
        Stage::Paused => "next-step-come-back",
        Stage::Retained | Stage::Declined => "next-step-none",
    }
}

/// The projection: where she is now, and what the table needs to remember.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelState {
    pub stage: Stage,
    /// The stage she left when she paused; `came back` returns her there.
    pub paused_from: Option<Stage>,
    /// When she said "not now"; she may be approached again after the cool-off.
    pub not_now_at: Option<OffsetDateTime>,
    /// She had declined and later got in touch herself (product.md footnote).
    pub declined_earlier: bool,
    /// Contact attempts without reaching her since she was last reached.
    pub attempts: u32,
}

/// What the table needs beyond the event itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionInput {
    pub kind: EventKind,
    pub at: OffsetDateTime,
    /// For `entered`.
    pub channel: Channel,
    /// New contact data makes an unreachable woman contactable again.
    pub new_contact_data: bool,
}

/// The initiative's rules that the table refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelRules {
    pub cool_off: Duration,
}

impl FunnelRules {
    /// The rules of an initiative whose "not now" lasts this many days.
    pub fn with_cool_off_days(days: i64) -> FunnelRules {
        FunnelRules { cool_off: Duration::days(days) }
    }
}

impl Default for FunnelRules {
    fn default() -> Self {
        FunnelRules { cool_off: Duration::days(90) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunnelError {
    #[error("she is already in this initiative's funnel")]
    AlreadyEntered,
    #[error("she is not in this initiative's funnel yet")]
    NotEntered,
    #[error("'{kind:?}' is not allowed from '{from:?}'")]
    NotAllowed { kind: EventKind, from: Stage },
    #[error("she said 'not now'; she may be approached again from {until}")]
    CoolingOff { until: OffsetDateTime },
    #[error("she is unreachable; a new attempt needs new contact data")]
    NeedsNewContactData,
    #[error("voiding that event would leave the later events invalid: {0}")]
    VoidBreaksHistory(Box<FunnelError>),
}

/// The event × from → to table. `current` is `None` before she has entered.
pub fn transition(
    current: Option<&FunnelState>,
    input: &TransitionInput,
    rules: &FunnelRules,
) -> Result<FunnelState, FunnelError> {
    use EventKind as E;
    use Stage as S;
    let Some(state) = current else {
        return match input.kind {
            E::Entered => Ok(FunnelState {
                stage: input.channel.entry_stage(),
                paused_from: None,
                not_now_at: None,
                declined_earlier: false,
                attempts: 0,
            }),
            _ => Err(FunnelError::NotEntered),
        };
    };
    let from = state.stage;
    let refuse = || Err(FunnelError::NotAllowed { kind: input.kind, from });
    let to = |stage: Stage| FunnelState { stage, ..*state };
    match input.kind {
        E::Entered => Err(FunnelError::AlreadyEntered),
        E::LetterSent | E::CallNoAnswer => {
            match from {
                S::Identified | S::Contacted => {}
                S::NotNow => {
                    let until = state.not_now_at.map(|t| t + rules.cool_off);
                    if let Some(until) = until.filter(|u| input.at < *u) {
                        return Err(FunnelError::CoolingOff { until });
                    }
                }
                S::Unreachable if !input.new_contact_data => {
                    return Err(FunnelError::NeedsNewContactData);
                }
                S::Unreachable => {}
                _ => return refuse(),
            }
            let attempts = if from == S::Unreachable { 1 } else { state.attempts + 1 };
            Ok(FunnelState { stage: S::Contacted, attempts, ..*state })
        }
        E::MarkedUnreachable => match from {
            S::Contacted => Ok(to(S::Unreachable)),
            _ => refuse(),
        },
        E::Reached => match from {
            S::Contacted => Ok(FunnelState { stage: S::Reached, attempts: 0, ..*state }),
            _ => refuse(),
        },
        E::Interested => match from {
            S::Contacted | S::Reached => Ok(FunnelState { stage: S::Interested, attempts: 0, ..*state }),
            _ => refuse(),
        },
        E::NotNow => match from {
            S::Contacted | S::Reached | S::Interested | S::Met => {
                Ok(FunnelState { stage: S::NotNow, not_now_at: Some(input.at), ..*state })
            }
            _ => refuse(),
        },
        E::IntroMeetingHeld => match from {
            S::Interested | S::Met => Ok(to(S::Met)),
            _ => refuse(),
        },
        E::TrialStarted => match from {
            S::Met => Ok(to(S::Trial)),
            _ => refuse(),
        },
        E::Enrolled => match from {
            S::Met | S::Trial => Ok(to(S::Enrolled)),
            _ => refuse(),
        },
        E::Retained => match from {
            S::Enrolled => Ok(to(S::Retained)),
            _ => refuse(),
        },
        E::Paused => match from {
            S::Interested | S::Met | S::Trial | S::Enrolled | S::Retained => {
                Ok(FunnelState { stage: S::Paused, paused_from: Some(from), ..*state })
            }
            _ => refuse(),
        },
        E::CameBack => match (from, state.paused_from) {
            (S::Paused, Some(back)) => Ok(FunnelState { stage: back, paused_from: None, ..*state }),
            _ => refuse(),
        },
        E::GotInTouch => match from {
            S::NotNow | S::Unreachable | S::Paused | S::Declined => Ok(FunnelState {
                stage: S::Interested,
                paused_from: None,
                attempts: 0,
                declined_earlier: state.declined_earlier || from == S::Declined,
                ..*state
            }),
            _ => refuse(),
        },
        E::NeverContactAgain => Ok(FunnelState { stage: S::Declined, paused_from: None, ..*state }),
        E::Note => match from {
            S::Declined => refuse(),
            _ => Ok(*state),
        },
    }
}

/// Rebuilds the projection from events in the order they happened.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a TransitionInput>,
    rules: &FunnelRules,
) -> Result<Option<FunnelState>, FunnelError> {
    let mut state = None;
    for input in events {
        state = Some(transition(state.as_ref(), input, rules)?);
    }
    Ok(state)
}

/// The events a person may record now, for the form on her page.
pub fn allowed_events(current: Option<&FunnelState>, at: OffsetDateTime, rules: &FunnelRules) -> Vec<EventKind> {
    EventKind::ALL
        .into_iter()
        .filter(|kind| *kind != EventKind::Entered)
        .filter(|kind| {
            let input = TransitionInput { kind: *kind, at, channel: Channel::Other, new_contact_data: false };
            transition(current, &input, rules).is_ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(day: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000 + day)
    }

    fn ev(kind: EventKind, day: i64) -> TransitionInput {
        TransitionInput { kind, at: at(day), channel: Channel::Other, new_contact_data: false }
    }

    fn entered(channel: Channel) -> TransitionInput {
        TransitionInput { kind: EventKind::Entered, at: at(0), channel, new_contact_data: false }
    }

    fn run(events: &[TransitionInput]) -> Result<Option<FunnelState>, FunnelError> {
        replay(events, &FunnelRules::default())
    }

    #[test]
    fn channels_enter_where_product_md_says() {
        assert_eq!(Channel::RegisterSearch.entry_stage(), Stage::Identified);
        for c in [Channel::Ambassador, Channel::Partner, Channel::SelfReferral] {
            assert_eq!(run(&[entered(c)]).unwrap().unwrap().stage, Stage::Interested);
        }
    }

    #[test]
    fn the_whole_happy_path() {
        use EventKind::*;
        let s = run(&[
            entered(Channel::RegisterSearch),
            ev(LetterSent, 1),
            ev(Reached, 8),
            ev(Interested, 8),
            ev(IntroMeetingHeld, 15),
            ev(IntroMeetingHeld, 22),
            ev(TrialStarted, 30),
            ev(Enrolled, 44),
            ev(Retained, 120),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(s.stage, Stage::Retained);
    }

    #[test]
    fn letter_answered_yes_goes_from_contacted_to_interested() {
        use EventKind::*;
        let s = run(&[entered(Channel::RegisterSearch), ev(LetterSent, 1), ev(Interested, 5)]).unwrap().unwrap();
        assert_eq!(s.stage, Stage::Interested);
    }

    #[test]
    fn skipping_stages_is_refused_with_a_typed_error() {
        use EventKind::*;
        let err = run(&[entered(Channel::RegisterSearch), ev(Enrolled, 1)]).unwrap_err();
        assert_eq!(err, FunnelError::NotAllowed { kind: Enrolled, from: Stage::Identified });
        assert_eq!(run(&[ev(Note, 0)]).unwrap_err(), FunnelError::NotEntered);
        assert_eq!(
            run(&[entered(Channel::Partner), entered(Channel::Ambassador)]).unwrap_err(),
            FunnelError::AlreadyEntered
        );
    }

    #[test]
    fn not_now_waits_for_the_cool_off() {
        use EventKind::*;
        let base = [entered(Channel::RegisterSearch), ev(LetterSent, 1), ev(NotNow, 10)];
        let early = [&base[..], &[ev(LetterSent, 50)]].concat();
        assert!(matches!(run(&early).unwrap_err(), FunnelError::CoolingOff { .. }));
        let late = [&base[..], &[ev(LetterSent, 101)]].concat();
        assert_eq!(run(&late).unwrap().unwrap().stage, Stage::Contacted);
    }

    #[test]
    fn unreachable_needs_new_contact_data() {
        use EventKind::*;
        let base =
            [entered(Channel::RegisterSearch), ev(LetterSent, 1), ev(CallNoAnswer, 8), ev(MarkedUnreachable, 30)];
        let again = [&base[..], &[ev(CallNoAnswer, 40)]].concat();
        assert_eq!(run(&again).unwrap_err(), FunnelError::NeedsNewContactData);
        let mut with_data = ev(CallNoAnswer, 40);
        with_data.new_contact_data = true;
        let s = run(&[&base[..], &[with_data]].concat()).unwrap().unwrap();
        assert_eq!((s.stage, s.attempts), (Stage::Contacted, 1));
    }

    #[test]
    fn paused_remembers_where_she_was() {
        use EventKind::*;
        let s = run(&[
            entered(Channel::Ambassador),
            ev(IntroMeetingHeld, 3),
            ev(TrialStarted, 9),
            ev(Paused, 12),
            ev(CameBack, 40),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(s.stage, Stage::Trial);
    }

    #[test]
    fn declined_is_final_except_when_she_gets_in_touch_herself() {
        use EventKind::*;
        let base = [entered(Channel::RegisterSearch), ev(LetterSent, 1), ev(NeverContactAgain, 3)];
        for kind in [LetterSent, CallNoAnswer, Reached, Interested, Note, CameBack, Paused] {
            let seq = [&base[..], &[ev(kind, 5)]].concat();
            assert!(run(&seq).is_err(), "{kind:?} after declined");
        }
        let s = run(&[&base[..], &[ev(GotInTouch, 60)]].concat()).unwrap().unwrap();
        assert_eq!(s.stage, Stage::Interested);
        assert!(s.declined_earlier);
    }

    #[test]
    fn never_contact_again_is_allowed_from_every_stage() {
        for stage in Stage::ALL {
            let state =
                FunnelState { stage, paused_from: None, not_now_at: None, declined_earlier: false, attempts: 0 };
            let s = transition(Some(&state), &ev(EventKind::NeverContactAgain, 1), &FunnelRules::default()).unwrap();
            assert_eq!(s.stage, Stage::Declined);
        }
    }

    #[test]
    fn partners_see_only_three_coarse_statuses() {
        assert_eq!(coarse_status(Stage::Interested), Some(CoarseStatus::Received));
        assert_eq!(coarse_status(Stage::Met), Some(CoarseStatus::Contacted));
        assert_eq!(coarse_status(Stage::Enrolled), Some(CoarseStatus::Started));
        assert_eq!(coarse_status(Stage::Declined), None);
        assert_eq!(coarse_status(Stage::Identified), None);
    }

    #[test]
    fn allowed_events_offer_only_what_the_table_allows() {
        let s = run(&[entered(Channel::RegisterSearch)]).unwrap();
        let allowed = allowed_events(s.as_ref(), at(1), &FunnelRules::default());
        assert!(allowed.contains(&EventKind::LetterSent));
        assert!(allowed.contains(&EventKind::NeverContactAgain));
        assert!(!allowed.contains(&EventKind::Enrolled));
        assert!(!allowed.contains(&EventKind::Interested));
    }

    proptest! {
        /// Every reachable state is reached by a sequence that replays to the same state
        /// and whose every prefix is accepted: the projection is a pure fold.
        #[test]
        fn replay_is_a_fold_of_transition(kinds in proptest::collection::vec(0usize..EventKind::ALL.len(), 0..30)) {
            let rules = FunnelRules::default();
            let mut accepted = vec![entered(Channel::RegisterSearch)];
            let mut state = transition(None, &accepted[0], &rules).unwrap();
            for (i, k) in kinds.into_iter().enumerate() {
                let input = ev(EventKind::ALL[k], 1 + i as i64 * 40);
                if let Ok(next) = transition(Some(&state), &input, &rules) {
                    accepted.push(input);
                    state = next;
                }
            }
            prop_assert_eq!(replay(&accepted, &rules).unwrap(), Some(state));
        }
    }
}
