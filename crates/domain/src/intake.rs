//! Intake: how a woman who reaches Opsøg through any door — a register run, an
//! ambassador on the street, a partner's referral, her own request on the open door —
//! is taken into an initiative. One set of rules for every door (issue 11, item 3),
//! applied by the store inside the transaction that writes her, so that the
//! do-not-contact list (G-2.2) is read in the same transaction as the write it guards.
//!
//! Only a register run, which knows her by CPR and is run by a coordinator, acts on a
//! woman Opsøg already knows. A door opened from outside (issue 13, item 2) knows her
//! by a first name and a phone, which anyone may know: it never moves, edits or
//! reveals a known woman. It makes a new intake, and a resemblance to a known woman
//! waits for a coordinator as a possible match.

use crate::person::SourceKind;

/// What the store found about her before writing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// One of her identity hashes is on the do-not-contact list.
    pub on_do_not_contact: bool,
    /// A known woman matched her (by CPR, or by phone and first name).
    pub known: Option<Known>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// She already has this very source (same kind, same run, ambassador or partner).
    pub has_this_source: bool,
    /// She already has a funnel in the initiative.
    pub in_initiative: bool,
    /// She said "never contact me again" (her funnel in the initiative is `declined`).
    pub declined: bool,
}

/// Why a new intake waits for a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchReason {
    /// She has the phone and first name of a known woman.
    Resembles,
    /// ... of a known woman who declined.
    ResemblesDeclined,
    /// Her own renewed request while her identity is on the do-not-contact list: to be
    /// confirmed with her in a safe way before anyone calls (someone else may have
    /// typed her name and number).
    RenewedRequest,
}

impl MatchReason {
    pub fn code(self) -> &'static str {
        match self {
            MatchReason::Resembles => "resembles",
            MatchReason::ResemblesDeclined => "resembles_declined",
            MatchReason::RenewedRequest => "renewed_request",
        }
    }

    pub fn from_code(code: &str) -> Option<MatchReason> {
        [MatchReason::Resembles, MatchReason::ResemblesDeclined, MatchReason::RenewedRequest]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// What the intake does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing is written about her: she asked never to be contacted again, and this
    /// door is not her own.
    Refuse,
    /// A new person, with the door as her source, entering the initiative where the
    /// door's channel enters (`SourceKind::entry_channel`); with a reason, she waits
    /// in the coordinators' queue of possible matches.
    Create { queue: Option<MatchReason> },
    /// The known woman: the source added unless she has it, the initiative entered
    /// unless she is in it. A register run's only.
    Join { add_source: bool, enter_funnel: bool },
}

/// Whether the door is opened from outside the municipality's staff: by the woman
/// herself, an ambassador or a partner. Such a door never acts on a known woman.
pub fn is_outside(door: SourceKind) -> bool {
    matches!(door, SourceKind::Ambassador | SourceKind::Partner | SourceKind::SelfReferral)
}

/// The intake rule. A woman on the do-not-contact list is never taken in by a door
/// someone else opened (a run, an ambassador, a partner): G-2.2. Her own request on the
/// open door is the one exception — she asked herself — and becomes a task for a
/// coordinator to confirm with her safely. A door from outside never joins a known
/// woman (issue 13, item 2): a resemblance is queued instead.
pub fn decide(door: SourceKind, found: Found) -> Decision {
    if found.on_do_not_contact && door != SourceKind::SelfReferral {
        return Decision::Refuse;
    }
    if !is_outside(door) {
        return match found.known {
            None => Decision::Create { queue: None },
            Some(k) => Decision::Join { add_source: !k.has_this_source, enter_funnel: !k.in_initiative },
        };
    }
    let queue = match (found.on_do_not_contact, found.known) {
        (true, _) => Some(MatchReason::RenewedRequest),
        (false, Some(k)) if k.declined => Some(MatchReason::ResemblesDeclined),
        (false, Some(_)) => Some(MatchReason::Resembles),
        (false, None) => None,
    };
    Decision::Create { queue }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOORS: [SourceKind; 4] =
        [SourceKind::RegisterRun, SourceKind::Ambassador, SourceKind::Partner, SourceKind::SelfReferral];

    fn known(declined: bool) -> Known {
        Known { has_this_source: false, in_initiative: true, declined }
    }

    #[test]
    fn nobody_else_brings_in_a_woman_on_the_do_not_contact_list() {
        for door in DOORS {
            for k in [None, Some(known(false)), Some(known(true))] {
                let d = decide(door, Found { on_do_not_contact: true, known: k });
                if door == SourceKind::SelfReferral {
                    assert_eq!(d, Decision::Create { queue: Some(MatchReason::RenewedRequest) }, "{k:?}");
                } else {
                    assert_eq!(d, Decision::Refuse, "{door:?} {k:?}");
                }
            }
        }
    }

    #[test]
    fn only_a_register_run_joins_a_known_woman() {
        for has_this_source in [false, true] {
            for in_initiative in [false, true] {
                let k = Known { has_this_source, in_initiative, declined: false };
                let d = decide(SourceKind::RegisterRun, Found { on_do_not_contact: false, known: Some(k) });
                assert_eq!(d, Decision::Join { add_source: !has_this_source, enter_funnel: !in_initiative });
            }
        }
        for door in DOORS {
            assert_eq!(decide(door, Found { on_do_not_contact: false, known: None }), Decision::Create { queue: None });
        }
    }

    #[test]
    fn an_outside_door_makes_a_new_intake_and_queues_a_resemblance() {
        for door in DOORS.into_iter().filter(|d| is_outside(*d)) {
            let d = decide(door, Found { on_do_not_contact: false, known: Some(known(false)) });
            assert_eq!(d, Decision::Create { queue: Some(MatchReason::Resembles) }, "{door:?}");
            let d = decide(door, Found { on_do_not_contact: false, known: Some(known(true)) });
            assert_eq!(d, Decision::Create { queue: Some(MatchReason::ResemblesDeclined) }, "{door:?}");
        }
        for r in [MatchReason::Resembles, MatchReason::ResemblesDeclined, MatchReason::RenewedRequest] {
            assert_eq!(MatchReason::from_code(r.code()), Some(r));
        }
    }
}
