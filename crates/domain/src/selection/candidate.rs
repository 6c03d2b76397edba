//! What is kept of a candidate (G-5.5, data minimisation).

use super::*;

/// Everything kept of a woman a run found: what outreach needs (who she is, where a
/// letter reaches her, what the overview counts) and nothing else from the extracts —
/// no income, benefits, household or spouse.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub given_name: String,
    pub family_name: String,
    /// Ten digits; parsed again by `details`.
    pub cpr: String,
    pub birth_date: Date,
    pub country_of_origin: String,
    pub arrived_in_denmark: Option<Date>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub area_code: Option<String>,
    /// Phone from a list (language school), not yet confirmed as hers alone.
    pub phone: Option<String>,
}

impl std::fmt::Debug for Candidate {
    // No personal data in logs (the CPR masked, no name).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cpr = crate::Cpr::parse(&self.cpr).map(|c| c.masked()).unwrap_or_default();
        f.debug_struct("Candidate")
            .field("cpr", &cpr)
            .field("country_of_origin", &self.country_of_origin)
            .finish_non_exhaustive()
    }
}

impl Candidate {
    /// Her record as it enters the funnel. `area_id` is the area with her code.
    pub fn details(&self, area_id: Option<uuid::Uuid>) -> crate::person::PersonDetails {
        use crate::person::{Address, PersonDetails, Segment};
        let address = match (&self.street, &self.postcode) {
            (Some(street), Some(postcode)) => Some(Address {
                street: street.clone(),
                postcode: postcode.clone(),
                city: self.city.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        PersonDetails {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_date: Some(self.birth_date),
            cpr: crate::Cpr::parse(&self.cpr).ok(),
            phone: self.phone.as_deref().and_then(|p| crate::PhoneNumber::parse(p).ok()),
            // G-2.4: a number from a list is not known to be hers alone.
            phone_is_hers_alone: false,
            address,
            area_id,
            // Inferred only (the store marks it so): a register knows no language.
            languages: crate::reference::likely_language(&self.country_of_origin)
                .filter(|code| crate::reference::language(code).is_some())
                .map(|code| vec![crate::person::SpokenLanguage { code: code.to_string(), dialect: None }])
                .unwrap_or_default(),
            // Stateless and unknown are kept on the run, not as a country on her record.
            country_of_origin: crate::reference::country(&self.country_of_origin).map(|c| c.code.to_string()),
            arrived_in_denmark: self.arrived_in_denmark,
            segment: Segment::default(),
            motivation: Vec::new(),
            safe_contact_only: false,
            safety_note: None,
            interpreter_needed: false,
            digital_post_exempt: false,
        }
    }
}
