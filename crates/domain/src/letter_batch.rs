//! The letter batch (issue 4, items 2, 3 and 7): which of a register run's women get a
//! letter now, whether on paper or by Digital Post, who is left out and why, and
//! whether a batch may go when the letter check found errors.
//!
//! - G-5.7: the first letter goes to a woman still at `identified`; a second one when
//!   the cadence's days since her last letter have passed and no one has reached her.
//! - G-2.4: a woman who is `safe contact only` gets no letter at home and no Digital
//!   Post (someone else may read either); she is left out and counted.
//! - Paper when she has no CPR, is exempt from Digital Post, or the coordinator chooses
//!   paper for the batch; a paper letter needs her address.
//! - G-5.6, G-8.4: a batch whose letters have check errors goes only with a
//!   coordinator's recorded reason.

use crate::calls::Cadence;
use crate::code_enum;
use crate::funnel::{EventKind, Stage};
use crate::letter_check::{Finding, Severity};
use crate::validation::FieldErrors;
use time::{Duration, OffsetDateTime};

code_enum! {
    /// How a letter reaches her.
    pub enum Delivery {
        DigitalPost = "digital_post",
        Paper = "paper",
    }
}

code_enum! {
    /// Why a woman due for a letter gets none in this batch. The batch page counts each.
    #[derive(PartialOrd, Ord)]
    pub enum Skip {
        /// G-2.4: only through her contact person, ambassador or partner.
        SafeContactOnly = "safe_contact_only",
        /// On paper, and no address is known.
        NoAddress = "no_address",
        /// "Never contact me again" (G-2.2): her keyed identity is on the list.
        DoNotContact = "do_not_contact",
    }
}

impl Skip {
    pub fn message_id(self) -> &'static str {
        match self {
            Skip::SafeContactOnly => "batch-skipped-safe-contact",
            Skip::NoAddress => "batch-skipped-no-address",
            Skip::DoNotContact => "batch-skipped-do-not-contact",
        }
    }
}

/// Which letter she is due for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    First,
    /// Another letter: the cadence's days since her last one have passed (G-5.7).
    Again,
}

/// What the batch must know of her.
#[derive(Debug, Clone, Copy)]
pub struct Recipient {
    pub stage: Stage,
    pub last_event: Option<EventKind>,
    /// Her latest letter in this initiative, if any.
    pub last_letter_at: Option<OffsetDateTime>,
    pub attempts: u32,
    pub safe_contact_only: bool,
    pub has_cpr: bool,
    pub digital_post_exempt: bool,
    pub has_address: bool,
}

/// The stages from which a letter can be the next step; `due` decides within them.
pub const LETTER_STAGES: [Stage; 2] = [Stage::Identified, Stage::Contacted];

/// Whether she is due for a letter at `now`; `None` when a letter is not the next step
/// (she answered, was reached, said no, or the cadence's attempts are spent).
pub fn due(r: &Recipient, cadence: &Cadence, now: OffsetDateTime) -> Option<Due> {
    match r.stage {
        Stage::Identified => Some(Due::First),
        Stage::Contacted => {
            let waited = r.last_letter_at? + Duration::days(i64::from(cadence.second_letter_after_days)) <= now;
            let unanswered = matches!(r.last_event, Some(EventKind::LetterSent | EventKind::CallNoAnswer));
            // The letter is an attempt too: the last one is left to a call, which marks
            // her unreachable when it does not reach her.
            let attempts_left = r.attempts + 1 < cadence.max_attempts;
            (waited && unanswered && attempts_left).then_some(Due::Again)
        }
        _ => None,
    }
}

/// How her letter goes, or why it cannot.
pub fn delivery(r: &Recipient, paper_for_all: bool) -> Result<Delivery, Skip> {
    if r.safe_contact_only {
        return Err(Skip::SafeContactOnly);
    }
    if r.has_cpr && !r.digital_post_exempt && !paper_for_all {
        return Ok(Delivery::DigitalPost);
    }
    if !r.has_address {
        return Err(Skip::NoAddress);
    }
    Ok(Delivery::Paper)
}

/// Why a batch may not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No woman is due for a letter.
    Empty,
    /// The letter check found errors and no reason to send anyway was given.
    CheckErrors { errors: usize },
    /// An override reason must say why: a few words are not a reason.
    ReasonTooShort,
    /// Women due who have no contact person, and none was chosen for them.
    NoContactPerson { women: usize },
    /// The chosen contact person has no direct phone number (G-5.6, G-8.5).
    ContactWithoutPhone,
    /// Her language has no letter: write one, or send her the Danish alone with a reason.
    MissingTranslation { languages: Vec<String> },
    /// A machine-drafted letter that no qualified translator has reviewed yet: mark it
    /// reviewed on its letter page, or send it with a reason.
    Unreviewed { languages: Vec<String> },
}

impl Refused {
    pub fn message_id(&self) -> &'static str {
        match self {
            Refused::Empty => "batch-refused-empty",
            Refused::CheckErrors { .. } => "batch-refused-check-errors",
            Refused::ReasonTooShort => "batch-refused-reason-short",
            Refused::NoContactPerson { .. } => "batch-refused-no-contact",
            Refused::ContactWithoutPhone => "batch-refused-contact-phone",
            Refused::MissingTranslation { .. } => "batch-refused-missing-translation",
            Refused::Unreviewed { .. } => "batch-refused-unreviewed",
        }
    }
}

/// The shortest override reason accepted, in characters.
pub const MIN_REASON_CHARS: usize = 15;

/// The longest meeting, source or reason text a batch takes, in characters.
pub const MAX_TEXT_CHARS: usize = 300;

/// Where her data came from, as the letter says it when the coordinator says nothing.
pub const DEFAULT_SOURCE: &str = "CPR-registeret og kommunens registre (registerbaseret udsøgning)";

/// The typed part of a batch request, parsed once for the web's form and the CLI's
/// flags alike (the run and the contact person are looked up by `app`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchText {
    /// The meeting place and time, or when and where the offer is (`{meeting}`).
    pub meeting: String,
    /// Where her data came from (`{source}`).
    pub source: String,
    /// Her reason to send despite the check's errors or missing translations.
    pub override_reason: Option<String>,
}

impl BatchText {
    pub fn parse(meeting: &str, source: &str, override_reason: &str) -> Result<BatchText, FieldErrors> {
        let mut errors = FieldErrors::default();
        let (meeting, source, reason) = (meeting.trim(), source.trim(), override_reason.trim());
        if meeting.is_empty() {
            errors.add("meeting", "batch-error-meeting");
        } else if meeting.chars().count() > MAX_TEXT_CHARS {
            errors.add("meeting", "batch-error-too-long");
        }
        if source.chars().count() > MAX_TEXT_CHARS {
            errors.add("source", "batch-error-too-long");
        }
        if reason.chars().count() > MAX_TEXT_CHARS {
            errors.add("override_reason", "batch-error-too-long");
        }
        errors.into_result(|| BatchText {
            meeting: meeting.to_string(),
            source: if source.is_empty() { DEFAULT_SOURCE.to_string() } else { source.to_string() },
            override_reason: Some(reason.to_string()).filter(|r| !r.is_empty()),
        })
    }
}

/// What the gate weighs.
#[derive(Debug, Clone, Default)]
pub struct Gate<'a> {
    pub letters: usize,
    pub check_errors: usize,
    /// Languages of women in the batch for which no letter exists.
    pub missing_languages: Vec<String>,
    /// Languages of the batch whose letter is a machine draft not yet reviewed.
    pub unreviewed_languages: Vec<String>,
    /// Women in the batch without a contact person of their own.
    pub without_contact: usize,
    /// A contact person was chosen for them; `Some(false)` when she has no direct phone.
    pub chosen_contact_has_phone: Option<bool>,
    /// The coordinator's reason to send despite errors or missing translations.
    pub override_reason: Option<&'a str>,
}

/// May the batch go? `Ok(Some(reason))` when it goes on an override, which the batch
/// records.
pub fn may_send(g: &Gate<'_>) -> Result<Option<String>, Refused> {
    if g.letters == 0 {
        return Err(Refused::Empty);
    }
    if g.without_contact > 0 {
        match g.chosen_contact_has_phone {
            None => return Err(Refused::NoContactPerson { women: g.without_contact }),
            Some(false) => return Err(Refused::ContactWithoutPhone),
            Some(true) => {}
        }
    }
    let reason = g.override_reason.map(str::trim).filter(|r| !r.is_empty());
    if g.check_errors == 0 && g.missing_languages.is_empty() && g.unreviewed_languages.is_empty() {
        return Ok(None);
    }
    match reason {
        Some(r) if r.chars().count() >= MIN_REASON_CHARS => Ok(Some(r.to_string())),
        Some(_) => Err(Refused::ReasonTooShort),
        None if !g.missing_languages.is_empty() => {
            Err(Refused::MissingTranslation { languages: g.missing_languages.clone() })
        }
        None if g.check_errors > 0 => Err(Refused::CheckErrors { errors: g.check_errors }),
        None => Err(Refused::Unreviewed { languages: g.unreviewed_languages.clone() }),
    }
}

/// One finding of the check across the batch's letters: the same rule in the same
/// language counted once, with how many letters have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFinding {
    pub language: String,
    pub finding: Finding,
    pub letters: usize,
}

/// Adds one letter's findings to the batch's.
pub fn tally(into: &mut Vec<BatchFinding>, language: &str, findings: Vec<Finding>) {
    for f in findings {
        match into.iter_mut().find(|b| b.language == language && b.finding.message_id == f.message_id) {
            Some(b) => b.letters += 1,
            None => into.push(BatchFinding { language: language.to_string(), finding: f, letters: 1 }),
        }
    }
}

/// The number of letters with an error: a letter with two errors counts once per rule,
/// which is what the coordinator has to weigh.
pub fn error_count(findings: &[BatchFinding]) -> usize {
    findings.iter().filter(|b| b.finding.severity == Severity::Error).map(|b| b.letters).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

    fn her() -> Recipient {
        Recipient {
            stage: Stage::Identified,
            last_event: Some(EventKind::Entered),
            last_letter_at: None,
            attempts: 0,
            safe_contact_only: false,
            has_cpr: true,
            digital_post_exempt: false,
            has_address: true,
        }
    }

    #[test]
    fn the_first_letter_goes_to_a_woman_found_and_the_second_after_the_cadence_s_days() {
        let c = Cadence::default();
        assert_eq!(due(&her(), &c, NOW), Some(Due::First));
        let sent = |days_ago: i64, last: EventKind, attempts: u32| Recipient {
            stage: Stage::Contacted,
            last_event: Some(last),
            last_letter_at: Some(NOW - Duration::days(days_ago)),
            attempts,
            ..her()
        };
        assert_eq!(due(&sent(20, EventKind::LetterSent, 1), &c, NOW), None, "not yet");
        assert_eq!(due(&sent(21, EventKind::LetterSent, 1), &c, NOW), Some(Due::Again));
        assert_eq!(due(&sent(30, EventKind::CallNoAnswer, 1), &c, NOW), Some(Due::Again));
        assert_eq!(due(&sent(30, EventKind::CallNoAnswer, 2), &c, NOW), None, "the last attempt is a call");
        assert_eq!(due(&sent(30, EventKind::Note, 1), &c, NOW), None, "someone talked about her since");
        let patient = Cadence { second_letter_after_days: 40, ..c };
        assert_eq!(due(&sent(30, EventKind::LetterSent, 1), &patient, NOW), None);
        for stage in [Stage::Reached, Stage::Interested, Stage::Declined, Stage::NotNow, Stage::Unreachable] {
            assert_eq!(due(&Recipient { stage, ..her() }, &c, NOW), None, "{stage:?}");
        }
    }

    #[test]
    fn safe_contact_only_gets_no_letter_and_no_digital_post() {
        let r = Recipient { safe_contact_only: true, ..her() };
        assert_eq!(delivery(&r, false), Err(Skip::SafeContactOnly));
        assert_eq!(delivery(&r, true), Err(Skip::SafeContactOnly));
    }

    #[test]
    fn paper_without_cpr_when_exempt_or_chosen_and_only_with_an_address() {
        assert_eq!(delivery(&her(), false), Ok(Delivery::DigitalPost));
        assert_eq!(delivery(&her(), true), Ok(Delivery::Paper));
        assert_eq!(delivery(&Recipient { has_cpr: false, ..her() }, false), Ok(Delivery::Paper));
        assert_eq!(delivery(&Recipient { digital_post_exempt: true, ..her() }, false), Ok(Delivery::Paper));
        let homeless = Recipient { has_address: false, ..her() };
        assert_eq!(delivery(&homeless, false), Ok(Delivery::DigitalPost), "Digital Post needs no address");
        assert_eq!(delivery(&homeless, true), Err(Skip::NoAddress));
        assert_eq!(delivery(&Recipient { has_cpr: false, ..homeless }, false), Err(Skip::NoAddress));
    }

    #[test]
    fn a_batch_with_errors_goes_only_with_a_reason() {
        let clean = Gate { letters: 3, ..Gate::default() };
        assert_eq!(may_send(&clean), Ok(None));
        assert_eq!(may_send(&Gate { letters: 0, ..Gate::default() }), Err(Refused::Empty));
        let errors = Gate { check_errors: 2, ..clean.clone() };
        assert_eq!(may_send(&errors), Err(Refused::CheckErrors { errors: 2 }));
        assert_eq!(may_send(&Gate { override_reason: Some("  ok  "), ..errors.clone() }), Err(Refused::ReasonTooShort));
        let reason = "Overskriften er godkendt af juristen";
        assert_eq!(may_send(&Gate { override_reason: Some(reason), ..errors }), Ok(Some(reason.to_string())));
        let missing = Gate { missing_languages: vec!["ps".into()], ..clean.clone() };
        assert_eq!(may_send(&missing), Err(Refused::MissingTranslation { languages: vec!["ps".into()] }));
        assert!(may_send(&Gate { override_reason: Some(reason), ..missing }).is_ok());
        let draft = Gate { unreviewed_languages: vec!["so".into()], ..clean.clone() };
        assert_eq!(may_send(&draft), Err(Refused::Unreviewed { languages: vec!["so".into()] }));
        assert_eq!(may_send(&Gate { override_reason: Some(reason), ..draft }), Ok(Some(reason.to_string())));
        assert_eq!(may_send(&Gate { override_reason: Some(reason), ..clean }), Ok(None), "no reason needed, none kept");
    }

    #[test]
    fn women_without_a_contact_person_need_one_with_a_direct_number() {
        let g = Gate { letters: 2, without_contact: 1, ..Gate::default() };
        assert_eq!(may_send(&g), Err(Refused::NoContactPerson { women: 1 }));
        assert_eq!(
            may_send(&Gate { chosen_contact_has_phone: Some(false), ..g.clone() }),
            Err(Refused::ContactWithoutPhone)
        );
        assert_eq!(may_send(&Gate { chosen_contact_has_phone: Some(true), ..g }), Ok(None));
    }

    #[test]
    fn findings_are_counted_per_language_and_rule() {
        let letter = crate::letter_template::render(
            &crate::letter_template::shipped("da").unwrap_or_else(|| unreachable!()),
            &crate::letter_template::Fill {
                contact_phone: String::new(),
                ..crate::letter_template::sample_fill("Søby Kommune", "dpo@soeby.dk")
            },
        );
        let ctx = crate::letter_check::CheckContext {
            motivation_factors: &[],
            municipality_name: "Søby Kommune",
            dpo_contact: "dpo@soeby.dk",
            data_from_her: false,
        };
        let mut all = Vec::new();
        for _ in 0..3 {
            tally(&mut all, "da", crate::letter_check::check(&letter, &ctx));
        }
        assert!(!all.is_empty(), "a letter without the contact's number has a finding");
        assert!(all.iter().all(|b| b.letters == 3 && b.language == "da"));
        assert_eq!(error_count(&all), 3 * all.iter().filter(|b| b.finding.severity == Severity::Error).count());
        assert!(error_count(&all) > 0);
    }

    #[test]
    fn codes_round_trip() {
        for d in [Delivery::DigitalPost, Delivery::Paper] {
            assert_eq!(Delivery::from_code(d.code()), Some(d));
        }
    }

    #[test]
    fn a_batch_text_is_parsed_once_with_its_limits() {
        let t = BatchText::parse("  tirsdag kl. 10 ", "", " ").unwrap();
        assert_eq!(
            (t.meeting.as_str(), t.source.as_str(), t.override_reason),
            ("tirsdag kl. 10", DEFAULT_SOURCE, None)
        );
        let e = BatchText::parse("", "x", "").unwrap_err();
        assert_eq!(e.for_field("meeting"), Some("batch-error-meeting"));
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        let e = BatchText::parse("m", "s", &long).unwrap_err();
        assert_eq!(e.for_field("override_reason"), Some("batch-error-too-long"));
        assert!(BatchText::parse(&long, "s", "").is_err());
    }
}
