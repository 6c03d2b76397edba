//! Street-level work through ambassadors (G-6): her profile and records, the gate
//! before she may log field work, anonymous street conversations, registering a woman
//! who consents, and the follow-up meetings.
//!
//! The small form helpers at the end are shared with `partner.rs`.

use crate::code_enum;
use crate::org::ConsentPurpose;
use crate::person::{PersonDetails, Segment, SpokenLanguage, parse_date};
use crate::phone::PhoneNumber;
use crate::reference;
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::Date;
use uuid::Uuid;

// ---------------------------------------------------------------------------------
// Who she is (G-6.4–G-6.6) and her records (G-6.7, G-6.8)
// ---------------------------------------------------------------------------------

code_enum! {
    /// G-6.4: volunteer or employed; either way with clear guidelines.
    pub enum Employment { Volunteer = "volunteer", Employed = "employed" }
}

code_enum! {
    /// G-6.5: how she was found.
    pub enum AmbassadorBackground {
        FormerParticipant = "former_participant",
        /// Trained neighbourhood mother (Bydelsmor) with work experience.
        NeighbourhoodMother = "neighbourhood_mother",
        /// Staff with the same or another minority background.
        Staff = "staff",
        /// Engaged locally, in an association or civil society.
        Association = "association",
        Other = "other",
    }
}

code_enum! {
    /// What her training covers (G-6.8), with the ethics of the approach (G-6.3,
    /// G-6.7) and her safety rules (G-2.4) as topics of their own.
    pub enum TrainingTopic {
        /// The initiative and the offer she recruits to (G-6.6: she knows the effort).
        InitiativeAndOffer = "initiative_and_offer",
        /// What counts as success (G-6.8).
        SuccessCriteria = "success_criteria",
        /// Where and how far she approaches, how and when she presents her errand, and
        /// that with the spouse or others present she says the contact is not at the
        /// woman's own request (G-6.3).
        Approach = "approach",
        /// The initiative's ethics frame, its values, and the boundary between her
        /// work and her private network (G-6.7, G-4.6).
        EthicsAndBoundaries = "ethics_and_boundaries",
        /// The duty of confidentiality (G-6.7, G-6.8).
        Confidentiality = "confidentiality",
        /// Negative social control and violence: never put her at risk, never take
        /// part in it; when a woman is `safe contact only` (G-2.4, G-6.7).
        SafetyAndSocialControl = "safety_and_social_control",
        /// Expected working time and how to use it (G-6.4, G-6.8).
        TimeUse = "time_use",
        /// Working with the caseworkers (job consultants) and when to hand a woman
        /// over to one (G-6.6, G-6.8).
        CooperationWithCaseworkers = "cooperation_with_caseworkers",
        /// Registering a woman who consents: the consent text, the minimal fields
        /// (issue 5, "In the street").
        RegistrationAndConsent = "registration_and_consent",
    }
}

impl TrainingTopic {
    pub fn guide_id(self) -> &'static str {
        match self {
            TrainingTopic::InitiativeAndOffer => "G-6.6",
            TrainingTopic::SuccessCriteria => "G-6.8",
            TrainingTopic::Approach => "G-6.3",
            TrainingTopic::EthicsAndBoundaries => "G-6.7",
            TrainingTopic::Confidentiality => "G-6.8",
            TrainingTopic::SafetyAndSocialControl => "G-2.4",
            TrainingTopic::TimeUse => "G-6.4",
            TrainingTopic::CooperationWithCaseworkers => "G-6.8",
            TrainingTopic::RegistrationAndConsent => "G-6.3",
        }
    }
}

/// The coordinator's assessment of her (G-6.6), in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assessment {
    /// Her own experience of getting a job.
    pub job_experience: String,
    /// Relational skills: open, listening, caring.
    pub relational_skills: String,
    pub availability: String,
    /// Her position locally: is she listened to, which networks is she in or
    /// outside (G-6.6).
    pub local_position: String,
}

/// That she read and accepted one version of one initiative's ethics frame (G-4.6,
/// G-6.3, G-6.7). A new version of the frame needs a new acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EthicsAcceptance {
    pub initiative_id: Uuid,
    /// The version of the plan's ethics text she accepted.
    pub version: u32,
    pub accepted_on: Date,
}

/// The longest ethics frame kept: a page or two of guidelines, not a manual.
pub const MAX_ETHICS_FRAME_CHARS: usize = 8000;

/// The initiative's ethics frame as the coordinator writes it (G-4.6, G-6.3): required,
/// trimmed, at most `MAX_ETHICS_FRAME_CHARS`. The field is `text`.
pub fn parse_ethics_frame(input: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = required_text(&mut errors, "text", input, MAX_ETHICS_FRAME_CHARS);
    errors.into_result(|| text)
}

/// What the coordinator's profile form sets. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileDetails {
    pub employment: Employment,
    /// ISO 639 codes (G-6.1: she shares the women's language).
    pub languages: Vec<String>,
    /// Where she works (G-6.2).
    pub area_ids: Vec<Uuid>,
    /// G-6.4: expected working time.
    pub expected_hours_per_week: Option<u32>,
    pub background: AmbassadorBackground,
    pub assessment: Assessment,
    pub training_done: Vec<TrainingTopic>,
    /// The day she signed the duty of confidentiality (G-6.7, G-6.8).
    pub confidentiality_signed_on: Option<Date>,
}

/// An ambassador: a user with the ambassador role, her profile, and her acceptance of
/// the ethics frame. The acceptance is not part of the profile form: it is recorded
/// when she accepts the text herself (G-6.7: involve her in the ethics), so saving the
/// form never erases it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbassadorProfile {
    pub user_id: Uuid,
    pub details: ProfileDetails,
    pub ethics_accepted: Option<EthicsAcceptance>,
}

/// The raw profile form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub employment: String,
    /// ISO 639 codes separated by commas, as on the person form.
    pub languages: String,
    pub area_ids: Vec<String>,
    pub expected_hours_per_week: String,
    pub background: String,
    pub job_experience: String,
    pub relational_skills: String,
    pub availability: String,
    pub local_position: String,
    pub training_done: Vec<String>,
    pub confidentiality_signed_on: String,
}

/// G-6.4: a week has room for a full-time job and no more.
pub const HOURS_PER_WEEK: RangeInclusive<u32> = 1..=60;

impl ProfileInput {
    pub fn parse(&self, today: Date) -> Result<ProfileDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let employment = required_choice(&mut errors, "employment", &self.employment, Employment::from_code);
        let mut languages = Vec::new();
        for code in self.languages.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match reference::language(code) {
                Some(lang) if !languages.iter().any(|l: &String| l.as_str() == lang.code) => {
                    languages.push(lang.code.to_string())
                }
                Some(_) => {}
                None => {
                    errors.add("languages", "error-unknown-language");
                    break;
                }
            }
        }
        // G-6.1: her language is why she reaches women the municipality does not.
        if languages.is_empty() && errors.for_field("languages").is_none() {
            errors.add("languages", "error-required");
        }
        let mut area_ids = Vec::new();
        for text in self.area_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match Uuid::parse_str(text) {
                Ok(id) if !area_ids.contains(&id) => area_ids.push(id),
                Ok(_) => {}
                Err(_) => {
                    errors.add("area_ids", "error-unknown-choice");
                    break;
                }
            }
        }
        let expected_hours_per_week = match optional(&self.expected_hours_per_week) {
            None => None,
            Some(text) => match parse_whole(&text) {
                Some(n) if HOURS_PER_WEEK.contains(&n) => Some(n),
                _ => {
                    errors.add("expected_hours_per_week", "error-hours-per-week");
                    None
                }
            },
        };
        let background = required_choice(&mut errors, "background", &self.background, AmbassadorBackground::from_code);
        let assessment = Assessment {
            job_experience: optional_text(&mut errors, "job_experience", &self.job_experience, MAX_NOTE),
            relational_skills: optional_text(&mut errors, "relational_skills", &self.relational_skills, MAX_NOTE),
            availability: optional_text(&mut errors, "availability", &self.availability, MAX_NOTE),
            local_position: optional_text(&mut errors, "local_position", &self.local_position, MAX_NOTE),
        };
        let mut training_done = Vec::new();
        for code in &self.training_done {
            match TrainingTopic::from_code(code.trim()) {
                Some(t) if !training_done.contains(&t) => training_done.push(t),
                Some(_) => {}
                None => errors.add("training_done", "error-unknown-choice"),
            }
        }
        let confidentiality_signed_on = match optional(&self.confidentiality_signed_on) {
            None => None,
            Some(text) => past_date(&mut errors, "confidentiality_signed_on", &text, today),
        };
        let (Some(employment), Some(background)) = (employment, background) else {
            return Err(errors);
        };
        errors.into_result(|| ProfileDetails {
            employment,
            languages,
            area_ids,
            expected_hours_per_week,
            background,
            assessment,
            training_done,
            confidentiality_signed_on,
        })
    }
}

// ---------------------------------------------------------------------------------
// The gate before field work (issue 5: "Until confidentiality and ethics are
// recorded she cannot log field work")
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldWorkBlocked {
    #[error("she has not signed the duty of confidentiality")]
    NoConfidentiality,
    #[error("the initiative has no ethics frame yet")]
    NoEthicsFrame,
    #[error("she has not accepted the initiative's ethics frame")]
    NoEthics,
    #[error("she accepted an earlier version of the ethics frame")]
    EthicsOutdated,
}

impl FieldWorkBlocked {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            FieldWorkBlocked::NoConfidentiality => "error-field-work-no-confidentiality",
            FieldWorkBlocked::NoEthicsFrame => "error-field-work-no-ethics-frame",
            FieldWorkBlocked::NoEthics => "error-field-work-no-ethics",
            FieldWorkBlocked::EthicsOutdated => "error-field-work-ethics-outdated",
        }
    }
}

/// The same for an ambassador who may have no profile yet: without one, nothing is
/// recorded, not even her duty of confidentiality.
pub fn may_do_field_work(
    profile: Option<&AmbassadorProfile>,
    current_ethics_version: Option<(Uuid, u32)>,
) -> Result<(), FieldWorkBlocked> {
    profile.map_or(Err(FieldWorkBlocked::NoConfidentiality), |p| may_log_field_work(p, current_ethics_version))
}

/// Whether she may log conversations and register women. `current_ethics_version` is
/// the initiative's id and the version of its ethics frame, `None` when the plan has no
/// frame yet: then nobody may go out, for there is nothing agreed on how far to go
/// (G-4.6, G-6.3). She must have signed the duty of confidentiality (G-6.7, G-6.8) and
/// accepted exactly the current version: a changed frame must be read again.
pub fn may_log_field_work(
    profile: &AmbassadorProfile,
    current_ethics_version: Option<(Uuid, u32)>,
) -> Result<(), FieldWorkBlocked> {
    if profile.details.confidentiality_signed_on.is_none() {
        return Err(FieldWorkBlocked::NoConfidentiality);
    }
    let Some((initiative_id, version)) = current_ethics_version else {
        return Err(FieldWorkBlocked::NoEthicsFrame);
    };
    match profile.ethics_accepted {
        Some(a) if a.initiative_id != initiative_id => Err(FieldWorkBlocked::NoEthics),
        None => Err(FieldWorkBlocked::NoEthics),
        Some(a) if a.version != version => Err(FieldWorkBlocked::EthicsOutdated),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------
// A street conversation: anonymous, counts only (issue 5, "In the street")
// ---------------------------------------------------------------------------------

code_enum! {
    /// Where the approach happened (G-6.3).
    pub enum PlaceKind {
        Playground = "playground",
        Supermarket = "supermarket",
        BusStop = "bus_stop",
        Association = "association",
        Other = "other",
    }
}

code_enum! {
    /// How a conversation ended.
    pub enum Outcome { Interested = "interested", Maybe = "maybe", NotInterested = "not_interested" }
}

/// One line of her log: `count` conversations alike in day, area, place, language and
/// outcome. There is no name and no phone, ever: a woman who wants more is registered
/// with her consent instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetConversation {
    pub date: Date,
    pub area_id: Uuid,
    pub place: PlaceKind,
    /// ISO 639.
    pub language: String,
    pub outcome: Outcome,
    pub count: u32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConversationInput {
    pub date: String,
    pub area_id: String,
    pub place: String,
    pub language: String,
    pub outcome: String,
    /// Empty means one.
    pub count: String,
}

pub const CONVERSATION_COUNT: RangeInclusive<u32> = 1..=50;
/// A log is written the same day or soon after; older entries are guesses.
pub const MAX_CONVERSATION_AGE_DAYS: i64 = 31;

impl ConversationInput {
    pub fn parse(&self, today: Date) -> Result<StreetConversation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = required_date(&mut errors, "date", &self.date).and_then(|d| {
            if d > today {
                errors.add("date", "error-date-future");
                None
            } else if (today - d).whole_days() > MAX_CONVERSATION_AGE_DAYS {
                errors.add("date", "error-date-too-old");
                None
            } else {
                Some(d)
            }
        });
        let area_id = required_uuid(&mut errors, "area_id", &self.area_id);
        let place = required_choice(&mut errors, "place", &self.place, PlaceKind::from_code);
        let language = required_language(&mut errors, "language", &self.language);
        let outcome = required_choice(&mut errors, "outcome", &self.outcome, Outcome::from_code);
        let count = match optional(&self.count) {
            None => Some(1),
            Some(text) => match parse_whole(&text) {
                Some(n) if CONVERSATION_COUNT.contains(&n) => Some(n),
                _ => {
                    errors.add("count", "error-conversation-count");
                    None
                }
            },
        };
        let (Some(date), Some(area_id), Some(place), Some(language), Some(outcome), Some(count)) =
            (date, area_id, place, language, outcome, count)
        else {
            return Err(errors);
        };
        errors.into_result(|| StreetConversation { date, area_id, place, language, outcome, count })
    }
}

// ---------------------------------------------------------------------------------
// Registering a woman who consents (issue 5, "In the street")
// ---------------------------------------------------------------------------------

/// What her consent covers: being contacted by the municipality about the initiative.
pub const REGISTRATION_CONSENT_PURPOSE: ConsentPurpose = ConsentPurpose::Contact;

/// The version of the consent text the registration page shows (message
/// `consent-street-registration` in her language). Change it whenever the text
/// changes, so that each consent record says what she was shown.
pub fn consent_text_version() -> &'static str {
    "street-registration-1"
}

code_enum! {
    /// When she would like to be called (G-8.6: flexible contact times).
    pub enum BestTime { Morning = "morning", Midday = "midday", Afternoon = "afternoon", Evening = "evening", Any = "any" }
}

impl BestTime {
    /// As a note in her record says it: the staff read the timeline in Danish.
    pub fn danish(self) -> &'static str {
        match self {
            BestTime::Morning => "formiddag",
            BestTime::Midday => "middag",
            BestTime::Afternoon => "eftermiddag",
            BestTime::Evening => "aften",
            BestTime::Any => "når som helst",
        }
    }
}

/// A language as a note in her record names it: its Danish name, else its code.
pub fn language_in_danish(code: &str) -> String {
    crate::reference::language(code).map_or_else(|| code.to_string(), |l| l.name_da.to_lowercase())
}

/// A woman registered in the street. Valid by construction; she enters the funnel at
/// `interested` with the ambassador as source.
#[derive(Clone, PartialEq, Eq)]
pub struct StreetRegistration {
    /// The language of the consent text she was shown (ISO 639).
    pub consent_language: String,
    /// First name only: the ambassador needs no more.
    pub given_name: String,
    pub phone: PhoneNumber,
    /// ISO 639.
    pub language: String,
    pub best_time_to_call: BestTime,
    pub area_id: Uuid,
    /// She may be contacted by letter or Digital Post at home.
    pub letter_at_home_ok: bool,
    pub phone_hers_alone: bool,
}

impl std::fmt::Debug for StreetRegistration {
    // Personal data stays out of logs, as for `PersonDetails`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreetRegistration")
            .field("phone", &self.phone)
            .field("language", &self.language)
            .field("safe_contact_only", &self.safe_contact_only())
            .finish_non_exhaustive()
    }
}

impl StreetRegistration {
    /// G-2.4: a phone that is not hers alone may be answered by the spouse, so she is
    /// `safe contact only`. So is she when letters at home are not ok: a letter or
    /// Digital Post may be read by someone else, and `safe contact only` is the one
    /// flag every channel obeys (product.md: no letter, no Digital Post, no call to a
    /// number not hers alone; contact through her contact person, ambassador or
    /// partner). Only both answers "yes" open the direct channels.
    pub fn safe_contact_only(&self) -> bool {
        !(self.phone_hers_alone && self.letter_at_home_ok)
    }

    /// Her record as the person module keeps it; what the form does not ask is empty.
    pub fn person_details(&self) -> PersonDetails {
        PersonDetails {
            given_name: self.given_name.clone(),
            family_name: String::new(),
            birth_date: None,
            cpr: None,
            phone: Some(self.phone.clone()),
            phone_is_hers_alone: self.phone_hers_alone,
            address: None,
            area_id: Some(self.area_id),
            languages: vec![SpokenLanguage { code: self.language.clone(), dialect: None }],
            country_of_origin: None,
            arrived_in_denmark: None,
            segment: Segment::default(),
            motivation: Vec::new(),
            safe_contact_only: self.safe_contact_only(),
            safety_note: None,
            interpreter_needed: false,
            digital_post_exempt: false,
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    /// Checkbox: she agreed, after the consent text was shown.
    pub consent: Option<String>,
    /// Empty means the text was shown in her language (`language`).
    pub consent_language: String,
    pub given_name: String,
    pub phone: String,
    pub language: String,
    /// Empty means any time.
    pub best_time_to_call: String,
    pub area_id: String,
    pub letter_at_home_ok: Option<String>,
    pub phone_hers_alone: Option<String>,
}

impl RegistrationInput {
    pub fn parse(&self, _today: Date) -> Result<StreetRegistration, FieldErrors> {
        let mut errors = FieldErrors::default();
        // Nothing about her is kept without her consent (issue 5, "Bad input").
        if !checkbox(&self.consent) {
            errors.add("consent", "error-consent-required");
        }
        let given_name = required_text(&mut errors, "given_name", &self.given_name, MAX_TEXT);
        let phone = match optional(&self.phone) {
            None => {
                errors.add("phone", "error-required");
                None
            }
            Some(text) => match PhoneNumber::parse(&text) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("phone", "error-phone");
                    None
                }
            },
        };
        let language = required_language(&mut errors, "language", &self.language);
        let consent_language = match optional(&self.consent_language) {
            None => language.clone(),
            Some(code) => match reference::language(&code) {
                Some(lang) => Some(lang.code.to_string()),
                None => {
                    errors.add("consent_language", "error-unknown-language");
                    None
                }
            },
        };
        let best_time_to_call = match optional(&self.best_time_to_call) {
            None => Some(BestTime::Any),
            Some(code) => BestTime::from_code(&code).or_else(|| {
                errors.add("best_time_to_call", "error-unknown-choice");
                None
            }),
        };
        let area_id = required_uuid(&mut errors, "area_id", &self.area_id);
        let (Some(phone), Some(language), Some(consent_language), Some(best_time_to_call), Some(area_id)) =
            (phone, language, consent_language, best_time_to_call, area_id)
        else {
            return Err(errors);
        };
        errors.into_result(|| StreetRegistration {
            consent_language,
            given_name,
            phone,
            language,
            best_time_to_call,
            area_id,
            letter_at_home_ok: checkbox(&self.letter_at_home_ok),
            phone_hers_alone: checkbox(&self.phone_hers_alone),
        })
    }
}

// ---------------------------------------------------------------------------------
// Follow-up meetings with the ambassador (G-6.8)
// ---------------------------------------------------------------------------------

code_enum! {
    /// The agenda of a follow-up meeting (G-6.8).
    pub enum FollowUpTopic {
        SuccessCriteria = "success_criteria",
        ApproachAndEthics = "approach_and_ethics",
        TimeUse = "time_use",
        CooperationWithCaseworkers = "cooperation_with_caseworkers",
        Confidentiality = "confidentiality",
        Challenges = "challenges",
        ParticipantFeedback = "participant_feedback",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbassadorFollowUp {
    pub held_on: Date,
    pub ambassador_user_id: Uuid,
    pub topics_covered: Vec<FollowUpTopic>,
    pub notes: String,
    pub agreed_actions: String,
    /// Her hours for the period since the last meeting, in minutes (G-6.4: time
    /// use); 0 when none were logged.
    pub minutes_worked: u32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FollowUpInput {
    pub held_on: String,
    pub ambassador_user_id: String,
    pub topics_covered: Vec<String>,
    pub notes: String,
    pub agreed_actions: String,
    /// Decimal hours, with a Danish decimal comma or a point: "7,5" or "7.5".
    pub hours: String,
}

/// More hours than this in one period is a typing error.
pub const MAX_HOURS_PER_PERIOD: u32 = 1000;

/// Decimal hours as minutes: "7,5" and "7.5" are 450. At most two decimals, rounded
/// to the nearest minute; `None` for anything else or more than `MAX_HOURS_PER_PERIOD`.
pub fn parse_hours(input: &str) -> Option<u32> {
    let text = input.trim().replace(',', ".");
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text.as_str(), ""),
    };
    let hours = parse_whole(whole)?;
    if text.contains('.') && fraction.is_empty() {
        return None;
    }
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Hundredths of an hour, so "7,5" and "7,50" are alike.
    let hundredths = match fraction.len() {
        0 => 0,
        1 => parse_whole(fraction)? * 10,
        _ => parse_whole(fraction)?,
    };
    if hours > MAX_HOURS_PER_PERIOD || (hours == MAX_HOURS_PER_PERIOD && hundredths > 0) {
        return None;
    }
    Some(hours * 60 + (hundredths * 60 + 50) / 100)
}

impl FollowUpInput {
    pub fn parse(&self, today: Date) -> Result<AmbassadorFollowUp, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = required_date(&mut errors, "held_on", &self.held_on).and_then(|d| {
            // A meeting is recorded once it has been held.
            if d > today {
                errors.add("held_on", "error-date-future");
                None
            } else {
                Some(d)
            }
        });
        let ambassador_user_id = required_uuid(&mut errors, "ambassador_user_id", &self.ambassador_user_id);
        let mut topics_covered = Vec::new();
        for code in &self.topics_covered {
            match FollowUpTopic::from_code(code.trim()) {
                Some(t) if !topics_covered.contains(&t) => topics_covered.push(t),
                Some(_) => {}
                None => errors.add("topics_covered", "error-unknown-choice"),
            }
        }
        let notes = optional_text(&mut errors, "notes", &self.notes, MAX_NOTE);
        let agreed_actions = optional_text(&mut errors, "agreed_actions", &self.agreed_actions, MAX_NOTE);
        let minutes_worked = match optional(&self.hours) {
            None => Some(0),
            Some(text) => parse_hours(&text).or_else(|| {
                errors.add("hours", "error-hours");
                None
            }),
        };
        let (Some(held_on), Some(ambassador_user_id), Some(minutes_worked)) =
            (held_on, ambassador_user_id, minutes_worked)
        else {
            return Err(errors);
        };
        errors.into_result(|| AmbassadorFollowUp {
            held_on,
            ambassador_user_id,
            topics_covered,
            notes,
            agreed_actions,
            minutes_worked,
        })
    }
}

// ---------------------------------------------------------------------------------
// Form helpers, shared with partner.rs. Each one that returns `None` has added an
// error, so a parse that finds a `None` can return its errors.
// ---------------------------------------------------------------------------------

pub(crate) const MAX_TEXT: usize = 200;
pub(crate) const MAX_NOTE: usize = 2000;

pub(crate) fn checkbox(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| matches!(s, "on" | "true" | "1" | "yes"))
}

pub(crate) fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A whole number written with digits only (no sign, no separators).
pub(crate) fn parse_whole(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Trimmed text, required, at most `max` characters. Empty on error.
/// A whole number within `range`: missing is `error-required`, anything else outside
/// it is `message`.
pub(crate) fn required_count(
    errors: &mut FieldErrors,
    field: &'static str,
    input: &str,
    range: RangeInclusive<u32>,
    message: &'static str,
) -> Option<u32> {
    let Some(text) = optional(input) else {
        errors.add(field, "error-required");
        return None;
    };
    let n = parse_whole(&text).filter(|n| range.contains(n));
    if n.is_none() {
        errors.add(field, message);
    }
    n
}

pub(crate) fn required_text(errors: &mut FieldErrors, field: &'static str, input: &str, max: usize) -> String {
    let text = input.trim().to_string();
    if text.is_empty() {
        errors.add(field, "error-required");
    } else if text.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    text
}

/// Trimmed text, may be empty, at most `max` characters.
pub(crate) fn optional_text(errors: &mut FieldErrors, field: &'static str, input: &str, max: usize) -> String {
    let text = input.trim().to_string();
    if text.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    text
}

/// The id of something chosen from a list (area, user, partner).
pub(crate) fn required_uuid(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Uuid> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(text) => Uuid::parse_str(&text).ok().or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        }),
    }
}

pub(crate) fn optional_uuid(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Uuid> {
    optional(input).and_then(|text| {
        Uuid::parse_str(&text).ok().or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        })
    })
}

pub(crate) fn required_choice<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    input: &str,
    from_code: fn(&str) -> Option<T>,
) -> Option<T> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(code) => from_code(&code).or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        }),
    }
}

/// An ISO 639 code, returned as the reference table spells it.
pub(crate) fn required_language(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<String> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(code) => match reference::language(&code) {
            Some(lang) => Some(lang.code.to_string()),
            None => {
                errors.add(field, "error-unknown-language");
                None
            }
        },
    }
}

/// A date from `<input type=date>` (YYYY-MM-DD).
pub(crate) fn required_date(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Date> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(text) => parse_date(&text).or_else(|| {
            errors.add(field, "error-date-format");
            None
        }),
    }
}

/// A date that has happened: today or before.
pub(crate) fn past_date(errors: &mut FieldErrors, field: &'static str, text: &str, today: Date) -> Option<Date> {
    match parse_date(text) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errors.add(field, "error-date-future");
            None
        }
        None => {
            errors.add(field, "error-date-format");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 10);
    const AREA: &str = "0191c3a0-0000-7000-8000-000000000001";
    const INITIATIVE: Uuid = Uuid::from_u128(0x10);

    fn area() -> Uuid {
        Uuid::parse_str(AREA).unwrap()
    }

    fn profile_input() -> ProfileInput {
        ProfileInput {
            employment: "volunteer".into(),
            languages: "so, ar, so".into(),
            area_ids: vec![AREA.into(), AREA.into()],
            expected_hours_per_week: "8".into(),
            background: "neighbourhood_mother".into(),
            local_position: "Well known in the Somali mothers' group; not in the mosque's women's circle".into(),
            training_done: vec!["approach".into(), "confidentiality".into()],
            confidentiality_signed_on: "2026-03-01".into(),
            ..Default::default()
        }
    }

    fn ready_profile() -> AmbassadorProfile {
        AmbassadorProfile {
            user_id: Uuid::from_u128(1),
            details: profile_input().parse(TODAY).unwrap(),
            ethics_accepted: Some(EthicsAcceptance { initiative_id: INITIATIVE, version: 2, accepted_on: TODAY }),
        }
    }

    #[test]
    fn codes_round_trip() {
        for t in TrainingTopic::ALL {
            assert_eq!(TrainingTopic::from_code(t.code()), Some(t));
            assert!(t.guide_id().starts_with("G-"));
        }
        for t in FollowUpTopic::ALL {
            assert_eq!(FollowUpTopic::from_code(t.code()), Some(t));
        }
        for p in PlaceKind::ALL {
            assert_eq!(PlaceKind::from_code(p.code()), Some(p));
        }
        assert_eq!(FollowUpTopic::ALL.len(), 7);
        assert_eq!(Employment::from_code("employed"), Some(Employment::Employed));
        assert_eq!(AmbassadorBackground::from_code("staff"), Some(AmbassadorBackground::Staff));
        assert_eq!(Outcome::from_code("maybe"), Some(Outcome::Maybe));
        assert_eq!(BestTime::from_code("evening"), Some(BestTime::Evening));
        assert_eq!(Outcome::from_code("Maybe"), None);
    }

    #[test]
    fn a_valid_profile_form_becomes_details() {
        let d = profile_input().parse(TODAY).unwrap();
        assert_eq!(d.employment, Employment::Volunteer);
        assert_eq!(d.languages, vec!["so".to_string(), "ar".to_string()]);
        assert_eq!(d.area_ids, vec![area()]);
        assert_eq!(d.expected_hours_per_week, Some(8));
        assert_eq!(d.background, AmbassadorBackground::NeighbourhoodMother);
        assert!(d.assessment.local_position.contains("mothers' group"));
        assert_eq!(d.training_done, vec![TrainingTopic::Approach, TrainingTopic::Confidentiality]);
        assert_eq!(d.confidentiality_signed_on, Some(date!(2026 - 03 - 01)));
    }

    #[test]
    fn every_bad_profile_field_is_named() {
        let bad = ProfileInput {
            employment: "boss".into(),
            languages: "xx".into(),
            area_ids: vec!["north".into()],
            expected_hours_per_week: "80".into(),
            background: String::new(),
            job_experience: "x".repeat(MAX_NOTE + 1),
            training_done: vec!["karate".into()],
            confidentiality_signed_on: "2026-03-11".into(),
            ..Default::default()
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("employment"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("languages"), Some("error-unknown-language"));
        assert_eq!(e.for_field("area_ids"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("expected_hours_per_week"), Some("error-hours-per-week"));
        assert_eq!(e.for_field("background"), Some("error-required"));
        assert_eq!(e.for_field("job_experience"), Some("error-too-long"));
        assert_eq!(e.for_field("training_done"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("confidentiality_signed_on"), Some("error-date-future"));
    }

    #[test]
    fn a_profile_needs_a_language_and_a_readable_date() {
        let mut i = profile_input();
        i.languages = " , ".into();
        i.confidentiality_signed_on = "1/3/2026".into();
        let e = i.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("languages"), Some("error-required"));
        assert_eq!(e.for_field("confidentiality_signed_on"), Some("error-date-format"));
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn field_work_is_open_with_confidentiality_and_the_current_ethics() {
        assert_eq!(may_log_field_work(&ready_profile(), Some((INITIATIVE, 2))), Ok(()));
    }

    #[test]
    fn field_work_is_blocked_without_confidentiality() {
        let mut p = ready_profile();
        p.details.confidentiality_signed_on = None;
        assert_eq!(may_log_field_work(&p, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoConfidentiality));
    }

    #[test]
    fn without_a_profile_nothing_is_recorded_so_field_work_is_blocked() {
        assert_eq!(may_do_field_work(None, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoConfidentiality));
        assert_eq!(may_do_field_work(Some(&ready_profile()), Some((INITIATIVE, 2))), Ok(()));
    }

    #[test]
    fn field_work_is_blocked_without_ethics() {
        let mut p = ready_profile();
        p.ethics_accepted = None;
        assert_eq!(may_log_field_work(&p, Some((INITIATIVE, 2))), Err(FieldWorkBlocked::NoEthics));
        // Accepting another initiative's frame is not accepting this one's.
        let other = ready_profile();
        assert_eq!(may_log_field_work(&other, Some((Uuid::from_u128(0x11), 2))), Err(FieldWorkBlocked::NoEthics));
    }

    #[test]
    fn field_work_is_blocked_when_the_frame_changed() {
        assert_eq!(may_log_field_work(&ready_profile(), Some((INITIATIVE, 3))), Err(FieldWorkBlocked::EthicsOutdated));
    }

    #[test]
    fn field_work_is_blocked_when_the_initiative_has_no_frame() {
        assert_eq!(may_log_field_work(&ready_profile(), None), Err(FieldWorkBlocked::NoEthicsFrame));
        assert_eq!(FieldWorkBlocked::NoEthicsFrame.message_id(), "error-field-work-no-ethics-frame");
    }

    fn conversation() -> ConversationInput {
        ConversationInput {
            date: "2026-03-09".into(),
            area_id: AREA.into(),
            place: "playground".into(),
            language: "AR".into(),
            outcome: "maybe".into(),
            count: String::new(),
        }
    }

    #[test]
    fn a_conversation_is_counted_once_by_default() {
        let c = conversation().parse(TODAY).unwrap();
        assert_eq!(c.count, 1);
        assert_eq!(c.language, "ar");
        assert_eq!(c.place, PlaceKind::Playground);
        assert_eq!(c.outcome, Outcome::Maybe);
        assert_eq!(c.area_id, area());
        let mut i = conversation();
        i.count = "50".into();
        assert_eq!(i.parse(TODAY).unwrap().count, 50);
    }

    #[test]
    fn every_bad_conversation_field_is_named() {
        let bad = ConversationInput {
            date: "2026-03-11".into(),
            area_id: String::new(),
            place: "mosque".into(),
            language: "xx".into(),
            outcome: String::new(),
            count: "51".into(),
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("date"), Some("error-date-future"));
        assert_eq!(e.for_field("area_id"), Some("error-required"));
        assert_eq!(e.for_field("place"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("language"), Some("error-unknown-language"));
        assert_eq!(e.for_field("outcome"), Some("error-required"));
        assert_eq!(e.for_field("count"), Some("error-conversation-count"));
    }

    #[test]
    fn a_conversation_may_be_logged_up_to_31_days_late() {
        let mut i = conversation();
        i.date = "2026-02-07".into();
        assert_eq!(i.parse(TODAY).unwrap().date, date!(2026 - 02 - 07));
        i.date = "2026-02-06".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("date"), Some("error-date-too-old"));
        i.date = "2026-03-10".into();
        i.count = "0".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("count"), Some("error-conversation-count"));
        i.count = "-1".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("count"), Some("error-conversation-count"));
    }

    fn registration() -> RegistrationInput {
        RegistrationInput {
            consent: Some("on".into()),
            consent_language: String::new(),
            given_name: " Hodan ".into(),
            phone: "12 34 56 78".into(),
            language: "so".into(),
            best_time_to_call: "evening".into(),
            area_id: AREA.into(),
            letter_at_home_ok: Some("on".into()),
            phone_hers_alone: Some("on".into()),
        }
    }

    #[test]
    fn a_consenting_woman_is_registered() {
        let r = registration().parse(TODAY).unwrap();
        assert_eq!(r.given_name, "Hodan");
        assert_eq!(r.phone.as_e164(), "+4512345678");
        assert_eq!(r.language, "so");
        assert_eq!(r.consent_language, "so", "shown in her language unless said otherwise");
        assert_eq!(r.best_time_to_call, BestTime::Evening);
        assert_eq!(r.area_id, area());
        assert!(!r.safe_contact_only());
        assert!(!format!("{r:?}").contains("Hodan"));
        let p = r.person_details();
        assert_eq!(p.given_name, "Hodan");
        assert_eq!(p.letter_language(), Some("so"));
        assert_eq!(p.area_id, Some(area()));
        assert!(p.phone_is_hers_alone);
        assert!(!p.safe_contact_only);
        assert_eq!(REGISTRATION_CONSENT_PURPOSE, ConsentPurpose::Contact);
        assert!(!consent_text_version().is_empty());
    }

    #[test]
    fn registration_best_time_defaults_to_any_and_consent_language_may_differ() {
        let mut i = registration();
        i.best_time_to_call = String::new();
        i.consent_language = "da".into();
        let r = i.parse(TODAY).unwrap();
        assert_eq!(r.best_time_to_call, BestTime::Any);
        assert_eq!(r.consent_language, "da");
    }

    #[test]
    fn every_bad_registration_field_is_named() {
        let bad = RegistrationInput {
            consent: None,
            consent_language: "xx".into(),
            given_name: "  ".into(),
            phone: "123".into(),
            language: String::new(),
            best_time_to_call: "night".into(),
            area_id: "somewhere".into(),
            letter_at_home_ok: None,
            phone_hers_alone: None,
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("consent"), Some("error-consent-required"));
        assert_eq!(e.for_field("consent_language"), Some("error-unknown-language"));
        assert_eq!(e.for_field("given_name"), Some("error-required"));
        assert_eq!(e.for_field("phone"), Some("error-phone"));
        assert_eq!(e.for_field("language"), Some("error-required"));
        assert_eq!(e.for_field("best_time_to_call"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("area_id"), Some("error-unknown-choice"));
    }

    #[test]
    fn no_consent_alone_refuses_the_registration() {
        let mut i = registration();
        i.consent = Some(String::new());
        let e = i.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("consent"), Some("error-consent-required"));
        assert_eq!(e.0.len(), 1);
        i.consent = Some("on".into());
        i.phone = " ".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("phone"), Some("error-required"));
    }

    #[test]
    fn she_is_safe_contact_only_unless_phone_and_letters_are_both_safe() {
        for (phone_alone, letter_ok, safe_only) in
            [(true, true, false), (false, true, true), (true, false, true), (false, false, true)]
        {
            let mut i = registration();
            i.phone_hers_alone = phone_alone.then(|| "on".into());
            i.letter_at_home_ok = letter_ok.then(|| "on".into());
            let r = i.parse(TODAY).unwrap();
            assert_eq!(r.safe_contact_only(), safe_only, "phone alone {phone_alone}, letter ok {letter_ok}");
            assert_eq!(r.person_details().safe_contact_only, safe_only);
            assert_eq!(r.person_details().phone_is_hers_alone, phone_alone);
        }
    }

    #[test]
    fn hours_accept_a_danish_comma() {
        assert_eq!(parse_hours("7,5"), Some(450));
        assert_eq!(parse_hours("7.5"), Some(450));
        assert_eq!(parse_hours(" 7,50 "), Some(450));
        assert_eq!(parse_hours("7,25"), Some(435));
        assert_eq!(parse_hours("0,33"), Some(20));
        assert_eq!(parse_hours("12"), Some(720));
        assert_eq!(parse_hours("1000"), Some(60_000));
        for bad in ["", "7,", ",5", "7,555", "7.5.1", "-1", "+7", "7 t", "1000,5", "1001", "7,-5"] {
            assert_eq!(parse_hours(bad), None, "{bad}");
        }
    }

    fn follow_up() -> FollowUpInput {
        FollowUpInput {
            held_on: "2026-03-10".into(),
            ambassador_user_id: Uuid::from_u128(1).to_string(),
            topics_covered: vec!["challenges".into(), "time_use".into(), "challenges".into()],
            notes: "Two women asked about day care.".into(),
            agreed_actions: "Invite them to the intro meeting.".into(),
            hours: "7,5".into(),
        }
    }

    #[test]
    fn a_follow_up_meeting_is_recorded_with_minutes() {
        let f = follow_up().parse(TODAY).unwrap();
        assert_eq!(f.held_on, TODAY);
        assert_eq!(f.ambassador_user_id, Uuid::from_u128(1));
        assert_eq!(f.topics_covered, vec![FollowUpTopic::Challenges, FollowUpTopic::TimeUse]);
        assert_eq!(f.minutes_worked, 450);
        let mut i = follow_up();
        i.hours = String::new();
        assert_eq!(i.parse(TODAY).unwrap().minutes_worked, 0);
    }

    #[test]
    fn every_bad_follow_up_field_is_named() {
        let bad = FollowUpInput {
            held_on: "2026-03-11".into(),
            ambassador_user_id: String::new(),
            topics_covered: vec!["gossip".into()],
            notes: "x".repeat(MAX_NOTE + 1),
            agreed_actions: "y".repeat(MAX_NOTE + 1),
            hours: "7½".into(),
        };
        let e = bad.parse(TODAY).unwrap_err();
        assert_eq!(e.for_field("held_on"), Some("error-date-future"));
        assert_eq!(e.for_field("ambassador_user_id"), Some("error-required"));
        assert_eq!(e.for_field("topics_covered"), Some("error-unknown-choice"));
        assert_eq!(e.for_field("notes"), Some("error-too-long"));
        assert_eq!(e.for_field("agreed_actions"), Some("error-too-long"));
        assert_eq!(e.for_field("hours"), Some("error-hours"));
        let mut i = follow_up();
        i.held_on = "10-03-2026".into();
        assert_eq!(i.parse(TODAY).unwrap_err().for_field("held_on"), Some("error-date-format"));
    }

    #[test]
    fn an_ethics_frame_is_required_and_kept_short() {
        assert_eq!(parse_ethics_frame("  Vi presser aldrig.  ").unwrap(), "Vi presser aldrig.");
        assert_eq!(parse_ethics_frame("   ").unwrap_err().for_field("text"), Some("error-required"));
        let long = "x".repeat(MAX_ETHICS_FRAME_CHARS + 1);
        assert_eq!(parse_ethics_frame(&long).unwrap_err().for_field("text"), Some("error-too-long"));
    }
}
