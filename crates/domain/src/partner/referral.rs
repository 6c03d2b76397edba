//! A referral made with her consent (issue 5, "Referral"; G-7): what the partner
//! records, the consent text, and the form.

use crate::ambassador::{
    MAX_TEXT, checkbox, optional, optional_text, required_choice, required_language, required_text,
};
use crate::code_enum;
use crate::org::ConsentPurpose;
use crate::person::{PersonDetails, Segment, SpokenLanguage};
use crate::phone::PhoneNumber;
use crate::validation::FieldErrors;
use time::Date;

/// What her consent to the referral covers: being contacted by the municipality.
/// Letting the partner see her status is a consent of its own (`PartnerStatus`).
pub const REFERRAL_CONSENT_PURPOSE: ConsentPurpose = ConsentPurpose::Contact;

/// The version of the referral consent text the partner reads to her (message
/// `consent-partner-referral`). Change it whenever the text changes.
pub fn consent_text_version() -> &'static str {
    "partner-referral-1"
}

code_enum! {
    /// How she prefers to be contacted.
    pub enum ContactPreference {
        Phone = "phone",
        Letter = "letter",
        /// Only through the partner who knows her (G-7.1).
        ThroughPartner = "through_partner",
        /// A meeting in person, e.g. at the partner's.
        Meeting = "meeting",
    }
}

/// A referred woman. Valid by construction; she enters the funnel at `interested`
/// with the partner as source.
#[derive(Clone, PartialEq, Eq)]
pub struct Referral {
    pub given_name: String,
    /// Empty when not given.
    pub family_name: String,
    pub phone: Option<PhoneNumber>,
    /// G-2.4: only a number confirmed as hers alone may be called.
    pub phone_hers_alone: bool,
    /// ISO 639; also the language of her consent.
    pub language: String,
    pub contact_preference: ContactPreference,
    /// She agrees that the referring partner may see a coarse status.
    pub status_consent: bool,
    /// Empty when not given.
    pub note: String,
}

impl std::fmt::Debug for Referral {
    // Personal data stays out of logs, as for `PersonDetails`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Referral")
            .field("phone", &self.phone)
            .field("language", &self.language)
            .field("contact_preference", &self.contact_preference)
            .field("status_consent", &self.status_consent)
            .finish_non_exhaustive()
    }
}

impl Referral {
    /// G-2.4: when she asks to be reached only through the partner, the municipality
    /// must not write or call her directly. She need not say why, and the partner who
    /// knows her (G-7.1) may know of risks at home that she does not name; so she is
    /// `safe contact only`, the one flag every channel obeys (product.md).
    pub fn safe_contact_only(&self) -> bool {
        self.contact_preference == ContactPreference::ThroughPartner
    }

    /// The consents to record with the referral, each in her language.
    pub fn consent_purposes(&self) -> Vec<ConsentPurpose> {
        if self.status_consent {
            vec![REFERRAL_CONSENT_PURPOSE, ConsentPurpose::PartnerStatus]
        } else {
            vec![REFERRAL_CONSENT_PURPOSE]
        }
    }

    /// Her record as the person module keeps it; what the form does not ask is empty.
    pub fn person_details(&self) -> PersonDetails {
        PersonDetails {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_date: None,
            cpr: None,
            phone: self.phone.clone(),
            phone_is_hers_alone: self.phone.is_some() && self.phone_hers_alone,
            address: None,
            area_id: None,
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
pub struct ReferralInput {
    /// Checkbox: she agreed to be referred.
    pub consent: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    /// Checkbox: the phone is hers alone (G-2.4).
    pub phone_hers_alone: Option<String>,
    pub language: String,
    pub contact_preference: String,
    /// Checkbox: the partner may see a coarse status.
    pub status_consent: Option<String>,
    pub note: String,
}

pub const MAX_REFERRAL_NOTE: usize = 500;

impl ReferralInput {
    pub fn parse(&self, _today: Date) -> Result<Referral, FieldErrors> {
        let mut errors = FieldErrors::default();
        // Nothing about her is kept without her consent (issue 5, "Bad input").
        if !checkbox(&self.consent) {
            errors.add("consent", "error-consent-required");
        }
        let given_name = required_text(&mut errors, "given_name", &self.given_name, MAX_TEXT);
        let family_name = optional_text(&mut errors, "family_name", &self.family_name, MAX_TEXT);
        let language = required_language(&mut errors, "language", &self.language);
        let contact_preference =
            required_choice(&mut errors, "contact_preference", &self.contact_preference, ContactPreference::from_code);
        let phone = match optional(&self.phone) {
            None => {
                if contact_preference == Some(ContactPreference::Phone) {
                    errors.add("phone", "error-phone-for-calls");
                }
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
        let note = optional_text(&mut errors, "note", &self.note, MAX_REFERRAL_NOTE);
        let (Some(language), Some(contact_preference)) = (language, contact_preference) else {
            return Err(errors);
        };
        errors.into_result(|| Referral {
            given_name,
            family_name,
            phone,
            phone_hers_alone: checkbox(&self.phone_hers_alone),
            language,
            contact_preference,
            status_consent: checkbox(&self.status_consent),
            note,
        })
    }
}
