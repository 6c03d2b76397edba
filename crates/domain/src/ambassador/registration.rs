//! Registering a woman who consents in the street (issue 5, "In the street"; G-6.3):
//! the consent, the minimal fields, when to call her.

use super::form::{MAX_TEXT, checkbox, optional, required_language, required_text, required_uuid};
use crate::code_enum;
use crate::org::ConsentPurpose;
use crate::person::{PersonDetails, Segment, SpokenLanguage};
use crate::phone::PhoneNumber;
use crate::reference;
use crate::validation::FieldErrors;
use time::Date;
use uuid::Uuid;

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
            Some(code) => match reference::language_typed(&code) {
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
