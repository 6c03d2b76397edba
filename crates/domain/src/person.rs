//! The woman (`Person`) and the validated input that creates or changes her record.
//! A form becomes a `PersonDetails` here, once; everything after takes the valid type.

use crate::code_enum;
use crate::cpr::{Cpr, CprError};
use crate::phone::PhoneNumber;
use crate::reference::{self, MotivationFactor};
use crate::text::normalise_name;
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

code_enum! {
    /// Her Danish (G-1.3 language competence).
    #[derive(Default, Serialize, Deserialize)]
    pub enum DanishLevel {
        #[default]
        Unknown = "unknown",
        None = "none",
        Basic = "basic",
        Conversational = "conversational",
        Fluent = "fluent",
    }
}
code_enum! {
    /// G-1.3 education background.
    #[derive(Default, Serialize, Deserialize)]
    pub enum Education {
        #[default]
        Unknown = "unknown",
        None = "none",
        Primary = "primary",
        Secondary = "secondary",
        Vocational = "vocational",
        Higher = "higher",
    }
}
code_enum! {
    /// G-1.3 work background.
    #[derive(Default, Serialize, Deserialize)]
    pub enum WorkExperience {
        #[default]
        Unknown = "unknown",
        None = "none",
        AbroadOnly = "abroad",
        InDenmark = "denmark",
    }
}
code_enum! {
    /// G-1.3 social and professional network.
    #[derive(Default, Serialize, Deserialize)]
    pub enum Network {
        #[default]
        Unknown = "unknown",
        Isolated = "isolated",
        FamilyOnly = "family",
        Community = "community",
        Broad = "broad",
    }
}
code_enum! {
    /// How she came to be known; one woman may carry several (product.md).
    #[derive(Default, Serialize, Deserialize)]
    pub enum SourceKind {
        #[default]
        Other = "other",
        RegisterRun = "register_run",
        Ambassador = "ambassador",
        Partner = "partner",
        SelfReferral = "self_referral",
    }
}

impl SourceKind {
    /// The channel a woman from this source enters the funnel through (product.md,
    /// "Where each channel enters").
    pub fn entry_channel(self) -> crate::funnel::Channel {
        use crate::funnel::Channel;
        match self {
            SourceKind::RegisterRun => Channel::RegisterSearch,
            SourceKind::Ambassador => Channel::Ambassador,
            SourceKind::Partner => Channel::Partner,
            SourceKind::SelfReferral => Channel::SelfReferral,
            SourceKind::Other => Channel::Other,
        }
    }
}

/// The source of a woman recorded by hand, from how contact was made: she came
/// herself, or staff met her some other way.
pub fn manual_entry_source(channel: crate::funnel::Channel) -> SourceKind {
    match channel {
        crate::funnel::Channel::SelfReferral => SourceKind::SelfReferral,
        _ => SourceKind::Other,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// A language she speaks: ISO 639 code plus an optional dialect (Arabic dialects matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpokenLanguage {
    pub code: String,
    pub dialect: Option<String>,
}

/// G-1.3 segment fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Segment {
    pub education: Education,
    pub work_experience: WorkExperience,
    pub network: Network,
    pub danish_level: DanishLevel,
    /// Her own motivation in her words, short.
    pub motivation_note: Option<String>,
}

/// Everything about her that a form or an import sets. Valid by construction.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonDetails {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<Date>,
    pub cpr: Option<Cpr>,
    pub phone: Option<PhoneNumber>,
    /// G-2.4: only a number confirmed as hers alone may be called.
    pub phone_is_hers_alone: bool,
    pub address: Option<Address>,
    pub area_id: Option<Uuid>,
    pub languages: Vec<SpokenLanguage>,
    pub country_of_origin: Option<String>,
    pub arrived_in_denmark: Option<Date>,
    pub segment: Segment,
    pub motivation: Vec<MotivationFactor>,
    /// G-2.4: contact only through her contact person, ambassador or partner.
    pub safe_contact_only: bool,
    pub safety_note: Option<String>,
    pub interpreter_needed: bool,
    /// Exempt from Digital Post (fritaget): her letters go on paper.
    pub digital_post_exempt: bool,
}

impl std::fmt::Debug for PersonDetails {
    // Personal data stays out of logs: only what helps debugging without naming her.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonDetails")
            .field("cpr", &self.cpr)
            .field("phone", &self.phone)
            .field("languages", &self.languages.len())
            .field("safe_contact_only", &self.safe_contact_only)
            .finish_non_exhaustive()
    }
}

impl PersonDetails {
    pub fn full_name(&self) -> String {
        if self.family_name.is_empty() {
            self.given_name.clone()
        } else {
            format!("{} {}", self.given_name, self.family_name)
        }
    }

    /// What name search matches against.
    pub fn search_key(&self) -> String {
        normalise_name(&self.full_name())
    }

    pub fn letter_language(&self) -> Option<&str> {
        self.languages.first().map(|l| l.code.as_str())
    }
}

/// The raw form or import row, every field as text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    pub given_name: String,
    pub family_name: String,
    pub cpr: String,
    pub birth_date: String,
    pub phone: String,
    pub phone_is_hers_alone: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub area_id: String,
    /// ISO 639 codes separated by commas, first = letter language.
    pub languages: String,
    pub dialect: String,
    pub country_of_origin: String,
    pub arrived_in_denmark: String,
    pub education: String,
    pub work_experience: String,
    pub network: String,
    pub danish_level: String,
    pub motivation_note: String,
    pub motivation: Vec<String>,
    pub safe_contact_only: Option<String>,
    pub safety_note: String,
    pub interpreter_needed: Option<String>,
    pub digital_post_exempt: Option<String>,
}

const MAX_TEXT: usize = 200;
const MAX_NOTE: usize = 2000;

pub fn parse_date(input: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), format).ok()
}

fn checkbox(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| matches!(s, "on" | "true" | "1" | "yes"))
}

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl PersonInput {
    pub fn parse(&self, today: Date) -> Result<PersonDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given_name = self.given_name.trim().to_string();
        if given_name.is_empty() {
            errors.add("given_name", "error-required");
        } else if given_name.chars().count() > MAX_TEXT {
            errors.add("given_name", "error-too-long");
        }
        let family_name = self.family_name.trim().to_string();
        if family_name.chars().count() > MAX_TEXT {
            errors.add("family_name", "error-too-long");
        }
        let cpr = match optional(&self.cpr) {
            None => None,
            Some(text) => match Cpr::parse(&text) {
                Ok(c) => Some(c),
                Err(CprError::Format) => {
                    errors.add("cpr", "error-cpr-format");
                    None
                }
                Err(CprError::Date) => {
                    errors.add("cpr", "error-cpr-date");
                    None
                }
            },
        };
        let typed_birth = match optional(&self.birth_date) {
            None => None,
            Some(text) => match parse_date(&text) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    errors.add("birth_date", "error-date-future");
                    None
                }
                None => {
                    errors.add("birth_date", "error-date-format");
                    None
                }
            },
        };
        let birth_date = match (&cpr, typed_birth) {
            (Some(c), Some(d)) if c.birth_date() != d => {
                errors.add("birth_date", "error-birth-date-cpr-mismatch");
                None
            }
            (Some(c), _) => Some(c.birth_date()),
            (None, d) => d,
        };
        let phone = match optional(&self.phone) {
            None => None,
            Some(text) => match PhoneNumber::parse(&text) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("phone", "error-phone");
                    None
                }
            },
        };
        let address = match (optional(&self.street), optional(&self.postcode), optional(&self.city)) {
            (None, None, None) => None,
            (street, postcode, city) => {
                let postcode = postcode.unwrap_or_default();
                if postcode.len() != 4 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
                    errors.add("postcode", "error-postcode");
                }
                if street.is_none() {
                    errors.add("street", "error-required");
                }
                Some(Address { street: street.unwrap_or_default(), postcode, city: city.unwrap_or_default() })
            }
        };
        let area_id = match optional(&self.area_id) {
            None => None,
            Some(text) => match Uuid::parse_str(&text) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("area_id", "error-unknown-choice");
                    None
                }
            },
        };
        let mut languages = Vec::new();
        for code in self.languages.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match reference::language_typed(code) {
                Some(lang) => languages.push(SpokenLanguage { code: lang.code.to_string(), dialect: None }),
                None => {
                    errors.add("languages", "error-unknown-language");
                    break;
                }
            }
        }
        if let (Some(first), Some(dialect)) = (languages.first_mut(), optional(&self.dialect)) {
            first.dialect = Some(dialect);
        }
        let country_of_origin = match optional(&self.country_of_origin) {
            None => None,
            Some(code) => match reference::country(&code) {
                Some(c) => Some(c.code.to_string()),
                None => {
                    errors.add("country_of_origin", "error-unknown-country");
                    None
                }
            },
        };
        let arrived_in_denmark = match optional(&self.arrived_in_denmark) {
            None => None,
            Some(text) => match parse_date(&text) {
                Some(d) if d <= today => Some(d),
                _ => {
                    errors.add("arrived_in_denmark", "error-date-format");
                    None
                }
            },
        };
        let mut pick = |field: &'static str, code: &str| -> bool {
            let ok = code.trim().is_empty();
            if !ok {
                errors.add(field, "error-unknown-choice");
            }
            ok
        };
        let education = Education::from_code(self.education.trim()).unwrap_or_else(|| {
            pick("education", &self.education);
            Education::Unknown
        });
        let work_experience = WorkExperience::from_code(self.work_experience.trim()).unwrap_or_else(|| {
            pick("work_experience", &self.work_experience);
            WorkExperience::Unknown
        });
        let network = Network::from_code(self.network.trim()).unwrap_or_else(|| {
            pick("network", &self.network);
            Network::Unknown
        });
        let danish_level = DanishLevel::from_code(self.danish_level.trim()).unwrap_or_else(|| {
            pick("danish_level", &self.danish_level);
            DanishLevel::Unknown
        });
        let mut motivation = Vec::new();
        for code in &self.motivation {
            match MotivationFactor::from_code(code) {
                Some(f) if !motivation.contains(&f) => motivation.push(f),
                Some(_) => {}
                None => errors.add("motivation", "error-unknown-choice"),
            }
        }
        let safety_note = optional(&self.safety_note);
        let motivation_note = optional(&self.motivation_note);
        for (field, value) in [("safety_note", &safety_note), ("motivation_note", &motivation_note)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > MAX_NOTE) {
                errors.add(field, "error-too-long");
            }
        }
        errors.into_result(|| PersonDetails {
            given_name,
            family_name,
            birth_date,
            cpr,
            phone,
            phone_is_hers_alone: checkbox(&self.phone_is_hers_alone),
            address,
            area_id,
            languages,
            country_of_origin,
            arrived_in_denmark,
            segment: Segment { education, work_experience, network, danish_level, motivation_note },
            motivation,
            safe_contact_only: checkbox(&self.safe_contact_only),
            safety_note,
            interpreter_needed: checkbox(&self.interpreter_needed),
            digital_post_exempt: checkbox(&self.digital_post_exempt),
        })
    }
}

/// A stored person: her details plus what the system keeps about her.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub details: PersonDetails,
    pub team_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Counts her record's edits: an edit form carries the version it was read at,
    /// and a save of an older one is refused (issue 13, item 11).
    pub version: i64,
}

/// Where she came from: which register run, ambassador, partner, or herself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    /// The register run, ambassador (user) or partner organisation.
    pub reference_id: Option<Uuid>,
    pub label: String,
    pub added_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> PersonInput {
        PersonInput {
            given_name: "Amina".into(),
            family_name: "Hassan".into(),
            cpr: "0707614286".into(),
            phone: "12 34 56 78".into(),
            languages: "so, ar".into(),
            country_of_origin: "so".into(),
            motivation: vec!["economy".into(), "network".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_details() {
        let d = input().parse(date!(2026 - 11 - 25)).unwrap();
        assert_eq!(d.full_name(), "Amina Hassan");
        assert_eq!(d.birth_date, Some(date!(1961 - 07 - 07)));
        assert_eq!(d.letter_language(), Some("so"));
        assert_eq!(d.country_of_origin.as_deref(), Some("SO"));
        assert_eq!(d.motivation, vec![MotivationFactor::Economy, MotivationFactor::Network]);
        assert!(!format!("{d:?}").contains("Amina"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = PersonInput {
            given_name: "  ".into(),
            cpr: "3201901234".into(),
            phone: "123".into(),
            postcode: "12".into(),
            languages: "xx".into(),
            country_of_origin: "Narnia".into(),
            motivation: vec!["fame".into()],
            ..Default::default()
        };
        let errors = bad.parse(date!(2026 - 11 - 25)).unwrap_err();
        assert_eq!(errors.for_field("given_name"), Some("error-required"));
        assert_eq!(errors.for_field("cpr"), Some("error-cpr-date"));
        assert_eq!(errors.for_field("phone"), Some("error-phone"));
        assert_eq!(errors.for_field("postcode"), Some("error-postcode"));
        assert_eq!(errors.for_field("street"), Some("error-required"));
        assert_eq!(errors.for_field("languages"), Some("error-unknown-language"));
        assert_eq!(errors.for_field("country_of_origin"), Some("error-unknown-country"));
        assert_eq!(errors.for_field("motivation"), Some("error-unknown-choice"));
    }

    #[test]
    fn birth_date_must_agree_with_cpr() {
        let mut i = input();
        i.birth_date = "1961-07-08".into();
        let e = i.parse(date!(2026 - 11 - 25)).unwrap_err();
        assert_eq!(e.for_field("birth_date"), Some("error-birth-date-cpr-mismatch"));
    }
}
