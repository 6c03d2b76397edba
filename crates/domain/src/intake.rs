//! Intake: how a woman who reaches Opsøg through any door — a register run, an
//! ambassador on the street, a partner's referral, her own request on the open door —
//! is taken into an initiative. One set of rules for every door (issue 11, item 3),
//! applied by the store inside the transaction that writes her, so that the
//! do-not-contact list (G-2.2) is read in the same transaction as the write it guards.

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
}

/// What the intake does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing is written about her: she asked never to be contacted again.
    Refuse,
    /// A new person, with the door as her source, entering the initiative where the
    /// door's channel enters (`SourceKind::entry_channel`).
    Create,
    /// The known woman: the source added unless she has it, the initiative entered
    /// unless she is in it.
    Join { add_source: bool, enter_funnel: bool },
}

/// The intake rule. A woman on the do-not-contact list is never taken in by a door
/// someone else opened (a run, an ambassador, a partner): G-2.2. Her own request on the
/// open door is the one exception — she asked herself — and is taken in; the caller
/// marks it so that whoever answers for her confirms it with her first.
pub fn decide(door: SourceKind, found: Found) -> Decision {
    if found.on_do_not_contact && door != SourceKind::SelfReferral {
        return Decision::Refuse;
    }
    match found.known {
        None => Decision::Create,
        Some(k) => Decision::Join { add_source: !k.has_this_source, enter_funnel: !k.in_initiative },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOORS: [SourceKind; 4] =
        [SourceKind::RegisterRun, SourceKind::Ambassador, SourceKind::Partner, SourceKind::SelfReferral];

    #[test]
    fn nobody_else_brings_in_a_woman_on_the_do_not_contact_list() {
        for door in DOORS {
            for known in [None, Some(Known { has_this_source: false, in_initiative: false })] {
                let d = decide(door, Found { on_do_not_contact: true, known });
                if door == SourceKind::SelfReferral {
                    assert_ne!(d, Decision::Refuse, "her own request is taken in");
                } else {
                    assert_eq!(d, Decision::Refuse, "{door:?} {known:?}");
                }
            }
        }
    }

    #[test]
    fn a_known_woman_gets_the_source_and_the_initiative_she_lacks() {
        for door in DOORS {
            assert_eq!(decide(door, Found { on_do_not_contact: false, known: None }), Decision::Create);
            for has_this_source in [false, true] {
                for in_initiative in [false, true] {
                    let d = decide(
                        door,
                        Found { on_do_not_contact: false, known: Some(Known { has_this_source, in_initiative }) },
                    );
                    assert_eq!(d, Decision::Join { add_source: !has_this_source, enter_funnel: !in_initiative });
                }
            }
        }
    }
}
