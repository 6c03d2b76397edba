//! Who an ambassador is (G-6.4–G-6.6) and her records (G-6.7, G-6.8): employment,
//! background, training, the coordinator's assessment, her acceptance of the ethics
//! frame, and the profile form.

use super::form::{MAX_NOTE, optional, optional_text, parse_whole, past_date, required_choice, required_text};
use crate::code_enum;
use crate::reference;
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::Date;
use uuid::Uuid;

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
            match reference::language_typed(code) {
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
