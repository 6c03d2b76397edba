//! Her history in the initiative: a random walk over the funnel table.
//!
//! Every step proposes an event with weights that give a realistic funnel (many stay
//! early, few reach enrolled and retained) and lets `domain::funnel::transition` be the
//! judge, so the output can never disagree with the rules the application enforces.

use crate::pick::{chance, weighted};
use domain::funnel::{Channel, EventKind, FunnelRules, FunnelState, Stage, TransitionInput, transition};
use rand::Rng;
use store::{EventActor, LoadEvent};
use time::{Duration, OffsetDateTime, Time, Weekday};

/// What the walk needs to know about her.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    /// A number confirmed as hers alone (G-2.4: only such a number may be called).
    pub callable: bool,
    /// A letter may go to her (not safe-contact-only, and an address or CPR to send to).
    pub letterable: bool,
    pub interpreter_needed: bool,
    /// The language conversations with her are held in.
    pub spoken: String,
    pub letter_language: String,
    /// She came through an ambassador, who often passes messages on.
    pub via_ambassador: bool,
}

/// The initiative's calendar: when things can happen and how fast.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub now: OffsetDateTime,
    /// Gaps shrink for initiatives shorter than a typical one, so that the funnel still
    /// has its shape in a short demo.
    pub scale: f64,
    /// Office days and hours only; off for compressed calendars where it would distort.
    pub office_hours: bool,
}

/// Days a typical initiative is planned to run; gaps are sized for this.
pub(crate) const TYPICAL_SPAN_DAYS: f64 = 400.0;

impl Clock {
    pub fn new(start: OffsetDateTime, now: OffsetDateTime) -> Clock {
        let span_days = (now - start).as_seconds_f64().max(0.0) / 86_400.0;
        let scale = (span_days / TYPICAL_SPAN_DAYS).min(1.0);
        Clock { now, scale, office_hours: scale >= 0.5 }
    }

    /// A moment `lo..=hi` days after `t` (0 days: minutes later, the same conversation).
    pub fn after<R: Rng>(&self, rng: &mut R, t: OffsetDateTime, lo: u32, hi: u32) -> OffsetDateTime {
        let days = rng.random_range(lo..=hi.max(lo));
        if days == 0 {
            return t + Duration::minutes(rng.random_range(3..=40));
        }
        let minutes = (f64::from(days) * 1440.0 * self.scale) as i64;
        let target = t + Duration::minutes(minutes.max(1));
        if !self.office_hours {
            return target;
        }
        let at = self.office_time(rng, target);
        if at <= t { t + Duration::minutes(rng.random_range(5..=60)) } else { at }
    }

    /// The same or next working day, at a random time between 8 and 16.
    pub fn office_time<R: Rng>(&self, rng: &mut R, t: OffsetDateTime) -> OffsetDateTime {
        let mut date = t.date();
        while matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            match date.next_day() {
                Some(d) => date = d,
                None => break,
            }
        }
        let time = Time::from_hms(rng.random_range(8..16), rng.random_range(0..60), 0).unwrap_or(Time::MIDNIGHT);
        t.replace_date(date).replace_time(time)
    }
}

/// Where a steered walk should end: the path from `identified`, after `entered`.
pub(crate) fn script(target: Stage) -> &'static [EventKind] {
    use EventKind as E;
    match target {
        Stage::Identified => &[],
        Stage::Contacted => &[E::LetterSent],
        Stage::Reached => &[E::LetterSent, E::CallNoAnswer, E::Reached],
        Stage::Interested => &[E::LetterSent, E::Reached, E::Interested],
        Stage::Met => &[E::LetterSent, E::Reached, E::Interested, E::IntroMeetingHeld],
        Stage::Trial => &[E::LetterSent, E::Reached, E::Interested, E::IntroMeetingHeld, E::TrialStarted],
        Stage::Enrolled => {
            &[E::LetterSent, E::Reached, E::Interested, E::IntroMeetingHeld, E::TrialStarted, E::Enrolled]
        }
        Stage::Retained => &[E::LetterSent, E::Reached, E::Interested, E::IntroMeetingHeld, E::Enrolled, E::Retained],
        Stage::NotNow => &[E::LetterSent, E::Reached, E::NotNow],
        Stage::Unreachable => &[E::LetterSent, E::CallNoAnswer, E::CallNoAnswer, E::MarkedUnreachable],
        Stage::Paused => &[E::LetterSent, E::Reached, E::Interested, E::IntroMeetingHeld, E::Paused],
        Stage::Declined => &[E::LetterSent, E::NeverContactAgain],
    }
}

/// A proposed next step: the event (`None`: nothing more happens), its weight, and the
/// gap before it in days.
type Step = (Option<EventKind>, u32, (u32, u32));

const MAX_EVENTS: usize = 45;

pub(crate) struct Walk<'a> {
    pub profile: &'a Profile,
    pub clock: Clock,
    pub rules: FunnelRules,
    pub actor: &'a EventActor,
}

impl Walk<'_> {
    /// Her events from `entered` at `entry` on; `script` replaces the random choices.
    pub fn run<R: Rng>(
        &self,
        rng: &mut R,
        entry: OffsetDateTime,
        channel: Channel,
        script: Option<&[EventKind]>,
    ) -> Vec<LoadEvent> {
        let mut events = Vec::with_capacity(12);
        let entered = TransitionInput { kind: EventKind::Entered, at: entry, channel, new_contact_data: false };
        let Ok(mut state) = transition(None, &entered, &self.rules) else {
            return events;
        };
        let note = entered_note(rng, channel);
        events.push(self.event(rng, entered, note));
        let mut t = entry;
        let mut options: Vec<Step> = Vec::with_capacity(10);
        let mut scripted = script.map(|s| s.iter());
        for _ in 0..MAX_EVENTS * 2 {
            if events.len() >= MAX_EVENTS {
                break;
            }
            let (kind, gap) = match scripted.as_mut() {
                Some(steps) => match steps.next() {
                    Some(kind) => (*kind, default_gap(*kind)),
                    None => break,
                },
                None => {
                    self.options(&state, &mut options);
                    match weighted(rng, &options, |o| o.1) {
                        Some((Some(kind), _, gap)) => (*kind, *gap),
                        _ => break,
                    }
                }
            };
            let recontact = matches!(kind, EventKind::LetterSent | EventKind::CallNoAnswer);
            let base = match (state.stage, state.not_now_at) {
                // Approached again only after the cool-off.
                (Stage::NotNow, Some(said)) if recontact => t.max(said + self.rules.cool_off),
                _ => t,
            };
            let at = self.clock.after(rng, base, gap.0, gap.1);
            if at > self.clock.now {
                break;
            }
            let input = TransitionInput {
                kind,
                at,
                channel: event_channel(rng, kind, self.profile),
                new_contact_data: state.stage == Stage::Unreachable && recontact,
            };
            let Ok(next) = transition(Some(&state), &input, &self.rules) else {
                if scripted.is_some() {
                    break;
                }
                continue;
            };
            let met = events.iter().any(|e| e.input.kind == EventKind::IntroMeetingHeld);
            let note = note_for(rng, kind, NoteFacts { met, interpreter: self.profile.interpreter_needed });
            events.push(self.event(rng, input, note));
            state = next;
            t = at;
        }
        events
    }

    fn event<R: Rng>(&self, rng: &mut R, input: TransitionInput, note: &str) -> LoadEvent {
        let p = self.profile;
        let language = if input.kind == EventKind::LetterSent { &p.letter_language } else { &p.spoken };
        let conversation = is_conversation(input.kind, input.channel);
        LoadEvent {
            interpreter_used: conversation && p.interpreter_needed && language != "da" && chance(rng, 0.85),
            language: Some(language.clone()),
            input,
            actor: self.actor.clone(),
            note: note.to_string(),
        }
    }

    /// The weighted next steps from where she is. The table decides what is allowed;
    /// these weights decide what is likely.
    fn options(&self, state: &FunnelState, out: &mut Vec<Step>) {
        use EventKind as E;
        let p = self.profile;
        let call = u32::from(p.callable);
        let letter = u32::from(p.letterable);
        out.clear();
        let mut add = |kind: Option<EventKind>, weight: u32, gap: (u32, u32)| {
            if weight > 0 {
                out.push((kind, weight, gap));
            }
        };
        match state.stage {
            Stage::Identified => {
                // A register run is worked through in batches as capacity allows.
                add(Some(E::LetterSent), 70 * letter, (3, 120));
                add(Some(E::CallNoAnswer), 25 * call, (3, 120));
                add(Some(E::Note), 6, (1, 14));
                add(Some(E::NeverContactAgain), 1, (5, 30));
                // Not every woman a search finds gets a letter: capacity runs out.
                add(None, 10, (0, 0));
            }
            Stage::Contacted => {
                // The cadence: letter, calls, another letter; most take several attempts.
                let a = state.attempts;
                add(Some(E::CallNoAnswer), if a < 8 { 45 * call } else { 0 }, (2, 10));
                add(Some(E::LetterSent), if p.callable { 10 } else { 25 } * letter, (7, 21));
                add(Some(E::Note), 18, (1, 7));
                add(Some(E::Reached), if p.callable { 8 } else { 5 }, (1, 10));
                add(Some(E::Interested), 4, (2, 14));
                add(Some(E::NotNow), 3, (1, 10));
                add(Some(E::NeverContactAgain), 1, (1, 10));
                let give_up = match (a, p.callable) {
                    (a, true) if a >= 5 => 6 * (a - 4),
                    (a, false) if a >= 3 => 10,
                    _ => 0,
                };
                add(Some(E::MarkedUnreachable), give_up, (3, 14));
                add(None, 1, (0, 0));
            }
            Stage::Reached => {
                add(Some(E::Interested), 40, (0, 3));
                add(Some(E::NotNow), 22, (0, 2));
                add(Some(E::NeverContactAgain), 3, (0, 2));
                add(Some(E::Note), 35, (1, 10));
                add(None, 10, (0, 0));
            }
            Stage::Interested => {
                add(Some(E::IntroMeetingHeld), 35, (7, 30));
                add(Some(E::NotNow), 8, (3, 20));
                add(Some(E::Paused), 5, (7, 40));
                add(Some(E::NeverContactAgain), 1, (3, 20));
                // Meetings are planned, moved and reminded of: many notes per step.
                add(Some(E::Note), 150, (2, 14));
                add(None, 10, (0, 0));
            }
            Stage::Met => {
                add(Some(E::IntroMeetingHeld), 12, (7, 28));
                add(Some(E::TrialStarted), 20, (14, 45));
                add(Some(E::Enrolled), 10, (14, 60));
                add(Some(E::NotNow), 6, (3, 20));
                add(Some(E::Paused), 6, (7, 40));
                add(Some(E::NeverContactAgain), 1, (3, 20));
                add(Some(E::Note), 130, (3, 14));
                add(None, 10, (0, 0));
            }
            Stage::Trial => {
                add(Some(E::Enrolled), 30, (14, 60));
                add(Some(E::Paused), 10, (7, 40));
                add(Some(E::NeverContactAgain), 1, (3, 20));
                add(Some(E::Note), 130, (5, 21));
                add(None, 8, (0, 0));
            }
            Stage::Enrolled => {
                add(Some(E::Retained), 25, (60, 120));
                add(Some(E::Paused), 10, (14, 60));
                add(Some(E::NeverContactAgain), 1, (7, 30));
                add(Some(E::Note), 180, (7, 30));
                add(None, 6, (0, 0));
            }
            Stage::Retained => {
                // Attendance is followed up for as long as she is on the programme.
                add(Some(E::Note), 45, (14, 45));
                add(Some(E::Paused), 4, (30, 90));
                add(None, 4, (0, 0));
            }
            Stage::NotNow => {
                add(Some(E::LetterSent), 20 * letter, (1, 60));
                add(Some(E::CallNoAnswer), 20 * call, (1, 60));
                add(Some(E::GotInTouch), 8, (30, 200));
                add(Some(E::NeverContactAgain), 1, (14, 90));
                add(Some(E::Note), 25, (14, 60));
                add(None, 40, (0, 0));
            }
            Stage::Unreachable => {
                add(Some(E::CallNoAnswer), 12 * call, (30, 120));
                add(Some(E::LetterSent), 6 * letter, (30, 120));
                add(Some(E::GotInTouch), 8, (30, 200));
                add(Some(E::Note), 8, (14, 60));
                add(None, 60, (0, 0));
            }
            Stage::Paused => {
                add(Some(E::CameBack), 30, (14, 120));
                add(Some(E::GotInTouch), 4, (30, 150));
                add(Some(E::NeverContactAgain), 2, (14, 90));
                add(Some(E::Note), 40, (14, 45));
                add(None, 30, (0, 0));
            }
            Stage::Declined => {
                add(Some(E::GotInTouch), 4, (60, 300));
                add(None, 96, (0, 0));
            }
        }
    }
}

fn default_gap(kind: EventKind) -> (u32, u32) {
    use EventKind as E;
    match kind {
        E::LetterSent => (3, 21),
        E::CallNoAnswer => (2, 10),
        E::Reached => (1, 10),
        E::Interested => (0, 3),
        E::NotNow | E::NeverContactAgain => (0, 10),
        E::IntroMeetingHeld => (5, 25),
        E::TrialStarted => (14, 45),
        E::Enrolled => (14, 60),
        E::Retained => (60, 120),
        E::MarkedUnreachable => (3, 14),
        E::Paused => (7, 40),
        E::CameBack | E::GotInTouch => (14, 120),
        E::Entered | E::Note => (1, 10),
    }
}

fn event_channel<R: Rng>(rng: &mut R, kind: EventKind, p: &Profile) -> Channel {
    use EventKind as E;
    let ambassador = p.via_ambassador && chance(rng, 0.2);
    match kind {
        E::LetterSent => Channel::Letter,
        E::CallNoAnswer | E::MarkedUnreachable => Channel::Phone,
        E::IntroMeetingHeld | E::TrialStarted | E::Enrolled | E::Retained => Channel::InPerson,
        E::Note => Channel::Other,
        _ if ambassador => Channel::Ambassador,
        E::Reached if !p.callable => Channel::InPerson,
        E::Interested if p.letterable && chance(rng, 0.15) => Channel::Letter,
        E::NeverContactAgain if p.letterable && chance(rng, 0.2) => Channel::Letter,
        E::GotInTouch if chance(rng, 0.2) => Channel::SelfReferral,
        _ if chance(rng, 0.7) => Channel::Phone,
        _ => Channel::InPerson,
    }
}

/// An interpreter is only ever used when someone talks with her.
fn is_conversation(kind: EventKind, channel: Channel) -> bool {
    use EventKind as E;
    match kind {
        E::LetterSent | E::CallNoAnswer | E::MarkedUnreachable | E::Note => false,
        E::Entered => !matches!(channel, Channel::RegisterSearch | Channel::Letter),
        _ => channel != Channel::Letter,
    }
}

fn entered_note<R: Rng>(rng: &mut R, channel: Channel) -> &'static str {
    let (p, notes): (f64, &[&str]) = match channel {
        Channel::RegisterSearch => (0.2, &["Fundet i registersøgning", "Med i første udtræk"]),
        Channel::Ambassador => (
            0.7,
            &[
                "Mødt af ambassadør ved legepladsen, har givet samtykke",
                "Ambassadøren mødte hende til kvindecafé",
                "Registreret efter samtale i opgangen",
                "Ambassadøren kender hende fra nabolaget",
            ],
        ),
        Channel::Partner => (
            0.7,
            &[
                "Henvist fra sprogskolen med samtykke",
                "Henvist af sundhedsplejersken",
                "Henvist fra frivilligcentret, vil gerne kontaktes",
                "Henvist af boligsocial medarbejder",
            ],
        ),
        Channel::SelfReferral => (
            0.6,
            &[
                "Har selv bedt om at blive kontaktet via hjemmesiden",
                "Ringede selv, havde hørt om projektet fra en veninde",
            ],
        ),
        _ => (
            0.6,
            &[
                "Kom selv forbi jobcentret",
                "Mødt til arrangement i beboerhuset",
                "Fortalt om projektet af skolens familiekonsulent",
            ],
        ),
    };
    one_of(rng, p, notes)
}

/// What a note may speak of (issue 14, item 10): no "after the last meeting" for a
/// woman who has met no one, no interpreter for one who needs none.
#[derive(Clone, Copy)]
struct NoteFacts {
    met: bool,
    interpreter: bool,
}

impl NoteFacts {
    fn allow(self, note: &str) -> bool {
        let needs_meeting = note.contains("sidste møde") || note.starts_with("Anden samtale");
        let needs_interpreter = note.contains("tolk");
        (self.met || !needs_meeting) && (self.interpreter || !needs_interpreter)
    }
}

fn note_for<R: Rng>(rng: &mut R, kind: EventKind, facts: NoteFacts) -> &'static str {
    use EventKind as E;
    let (p, notes): (f64, &[&str]) = match kind {
        E::CallNoAnswer => (
            0.5,
            &[
                "Ringede, ingen svar",
                "Telefonsvarer, lagde ikke besked",
                "Ingen svar, prøver igen i næste uge",
                "Nummeret var optaget",
            ],
        ),
        E::LetterSent => {
            (0.4, &["Brev sendt på modersmål og dansk", "Brev med svarkode sendt", "Påmindelsesbrev sendt"])
        }
        E::MarkedUnreachable => {
            (0.5, &["Tre forsøg uden svar", "Nummeret virker ikke", "Ingen reaktion på brev og opkald"])
        }
        E::Reached => (
            0.4,
            &["Talte kort med hende i telefonen", "Mødte hende i beboerhuset", "Fik fat i hende med tolk på linjen"],
        ),
        E::Interested => (
            0.6,
            &[
                "Interesseret i sprogkursus, vil gerne mødes i beboerhuset",
                "Vil gerne høre mere om praktik",
                "Spurgte til job i køkken eller rengøring",
                "Vil gerne starte, når den yngste er i børnehave",
                "Svarede ja på brevet, vil gerne ringes op",
            ],
        ),
        E::NotNow => (
            0.7,
            &[
                "Har små børn, vil gerne kontaktes efter sommerferien",
                "Ikke nu, hun er gravid",
                "Manden er syg, har ikke overskud nu",
                "Skal til hjemlandet i tre måneder",
            ],
        ),
        E::IntroMeetingHeld => (
            0.7,
            &[
                "Introsamtale i beboerhuset, manden deltog i starten",
                "Introsamtale med tolk, god stemning",
                "Anden samtale, talte om hvad hun er god til",
                "Mødtes på biblioteket, hun tog en veninde med",
            ],
        ),
        E::TrialStarted => (
            0.6,
            &["Starter i praktik i kantine to dage om ugen", "Prøveforløb i butik", "Starter på sprog- og jobforløb"],
        ),
        E::Enrolled => (
            0.5,
            &["Tilmeldt forløbet, starter mandag", "Indskrevet på holdet i Nørrevang", "Starter i virksomhedspraktik"],
        ),
        E::Retained => (0.4, &["Har gennemført de første otte uger", "Fortsætter på forløbet og trives"]),
        E::Paused => (
            0.7,
            &[
                "Holder pause på grund af sygdom i familien",
                "Pause, barsel",
                "Stoppet midlertidigt, vil gerne vende tilbage",
            ],
        ),
        E::CameBack => (0.5, &["Er tilbage efter pausen", "Vil gerne fortsætte, hvor hun slap"]),
        E::GotInTouch => {
            (0.7, &["Ringede selv, vil gerne alligevel", "Kom selv forbi beboerhuset", "Skrev via hjemmesiden"])
        }
        E::NeverContactAgain => (0.4, &["Ønsker ikke at blive kontaktet igen", "Sagde tydeligt nej tak"]),
        E::Note => (
            1.0,
            &[
                "Planlagt møde i beboerhuset torsdag kl. 10",
                "Sendt sms med mødetidspunkt",
                "Talte med hendes ambassadør",
                "Husk tolk næste gang",
                "Aftalt opfølgning om to uger",
                "Har spurgt til børnepasning",
                "Mangler cykel, undersøg transport",
                "Fulgte op efter sidste møde",
            ],
        ),
        E::Entered => (0.0, &[]),
    };
    let fitting: Vec<&'static str> = notes.iter().copied().filter(|n| facts.allow(n)).collect();
    one_of(rng, p, &fitting)
}

fn one_of<R: Rng>(rng: &mut R, p: f64, notes: &[&'static str]) -> &'static str {
    if notes.is_empty() || !chance(rng, p) {
        return "";
    }
    notes[rng.random_range(0..notes.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::funnel::replay;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn profile() -> Profile {
        Profile {
            callable: true,
            letterable: true,
            interpreter_needed: true,
            spoken: "ar".into(),
            letter_language: "ar".into(),
            via_ambassador: false,
        }
    }

    fn start() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000)
    }

    #[test]
    fn every_script_replays_to_its_stage() {
        let p = profile();
        let actor = EventActor { user_id: None, name: "Test".into() };
        let now = start() + Duration::days(500);
        let walk = Walk { profile: &p, clock: Clock::new(start(), now), rules: FunnelRules::default(), actor: &actor };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for stage in Stage::ALL {
            let events = walk.run(&mut rng, start(), Channel::RegisterSearch, Some(script(stage)));
            assert_eq!(events.len(), script(stage).len() + 1, "{stage:?}");
            let inputs: Vec<_> = events.iter().map(|e| e.input).collect();
            let state = replay(&inputs, &FunnelRules::default()).unwrap().unwrap();
            assert_eq!(state.stage, stage);
            assert!(inputs.windows(2).all(|w| w[0].at < w[1].at));
        }
    }

    /// Issue 14, item 10: notes agree with her history and her needs.
    #[test]
    fn notes_speak_only_of_meetings_held_and_interpreters_needed() {
        let actor = EventActor { user_id: None, name: "Test".into() };
        let now = start() + Duration::days(500);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut meeting_notes, mut interpreter_notes) = (0, 0);
        for needs in [false, true] {
            let p = Profile { interpreter_needed: needs, ..profile() };
            let walk =
                Walk { profile: &p, clock: Clock::new(start(), now), rules: FunnelRules::default(), actor: &actor };
            for _ in 0..400 {
                let events = walk.run(&mut rng, start(), Channel::RegisterSearch, None);
                for (i, e) in events.iter().enumerate() {
                    if e.note.contains("sidste møde") {
                        meeting_notes += 1;
                        assert!(events[..i].iter().any(|x| x.input.kind == EventKind::IntroMeetingHeld), "{events:?}");
                    }
                    if e.note.contains("tolk") {
                        interpreter_notes += 1;
                        assert!(needs, "an interpreter note for a woman who needs none: {}", e.note);
                    }
                }
            }
        }
        assert!(meeting_notes > 0 && interpreter_notes > 0, "{meeting_notes} {interpreter_notes}");
    }

    #[test]
    fn a_short_initiative_compresses_the_calendar() {
        let now = start() + Duration::days(20);
        let clock = Clock::new(start(), now);
        assert!(clock.scale < 0.1 && !clock.office_hours);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut t = start();
        for kind in script(Stage::Retained) {
            let (lo, hi) = default_gap(*kind);
            t = clock.after(&mut rng, t, lo, hi);
        }
        assert!(t <= now, "{t} after {now}");
    }

    #[test]
    fn office_hours_are_weekdays_between_eight_and_four() {
        let clock = Clock::new(start(), start() + Duration::days(600));
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut t = start();
        for _ in 0..200 {
            let next = clock.after(&mut rng, t, 1, 9);
            assert!(next > t);
            assert!(!matches!(next.weekday(), Weekday::Saturday | Weekday::Sunday));
            assert!((8..16).contains(&next.hour()));
            t = next;
        }
    }
}
