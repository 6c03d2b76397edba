//! Word of mouth through partners (G-7): the partner register, the agreement, a
//! referral made with her consent, the one-time referral link, the follow-up meetings
//! with the guide's four questions, and what a partner may see of her.
//!
//! Here: the partner register (G-7.1–G-7.4). The rest has a module each
//! (`agreement`, `referral`, `link`, `follow_up`, `status`), all re-exported here.

mod agreement;
mod follow_up;
mod link;
mod referral;
mod status;
#[cfg(test)]
mod tests;

pub use agreement::*;
pub use follow_up::*;
pub use link::*;
pub use referral::*;
pub use status::*;

use crate::ambassador::{MAX_TEXT, checkbox, optional_uuid, required_choice, required_text};
use crate::code_enum;
use crate::validation::FieldErrors;
use time::Date;
use uuid::Uuid;

// ---------------------------------------------------------------------------------
// The partner register (G-7.1–G-7.4)
// ---------------------------------------------------------------------------------

code_enum! {
    /// Who the partner is. Health visitors are municipal staff in Denmark, so they are
    /// internal here although G-7.3 also names them among the external contacts.
    pub enum PartnerKind {
        /// G-7.2: colleagues in contact with the spouses (job centre).
        JobCentreSpouseContact = "job_centre_spouse_contact",
        /// G-7.2: family economy.
        HousingBenefit = "housing_benefit",
        /// G-7.2: other efforts for minority families.
        SocialServices = "social_services",
        /// G-7.2: health staff (pregnancy, maternity).
        HealthVisitor = "health_visitor",
        /// G-7.3: staff and students.
        LanguageSchool = "language_school",
        /// G-7.3: mothers' and women's groups.
        MothersGroup = "mothers_group",
        /// G-7.3: day care and schools.
        DaycareSchool = "daycare_school",
        /// G-7.3
        VolunteerCentre = "volunteer_centre",
        /// G-7.3: housing social workers.
        HousingSocialWork = "housing_social_work",
        /// G-7.3: local associations and civil society.
        Association = "association",
    }
}

impl PartnerKind {
    /// G-7.2 (internal, another municipal department) or G-7.3 (external).
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            PartnerKind::JobCentreSpouseContact
                | PartnerKind::HousingBenefit
                | PartnerKind::SocialServices
                | PartnerKind::HealthVisitor
        )
    }
}

/// A partner organisation as the coordinator registers it. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerDetails {
    pub name: String,
    pub kind: PartnerKind,
    pub area_id: Option<Uuid>,
    /// Names and phone numbers of the partner's staff, one per line.
    pub contact_persons: Vec<String>,
    /// G-7.4: a few partners are chosen; the others stay on the map, inactive.
    pub active: bool,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PartnerInput {
    pub name: String,
    pub kind: String,
    pub area_id: String,
    /// Free text, one contact person per line.
    pub contact_persons: String,
    pub active: Option<String>,
}

pub const MAX_CONTACT_PERSONS: usize = 20;

impl PartnerInput {
    pub fn parse(&self, _today: Date) -> Result<PartnerDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, MAX_TEXT);
        let kind = required_choice(&mut errors, "kind", &self.kind, PartnerKind::from_code);
        let area_id = optional_uuid(&mut errors, "area_id", &self.area_id);
        let contact_persons: Vec<String> =
            self.contact_persons.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        if contact_persons.len() > MAX_CONTACT_PERSONS || contact_persons.iter().any(|c| c.chars().count() > MAX_TEXT) {
            errors.add("contact_persons", "error-too-long");
        }
        let Some(kind) = kind else {
            return Err(errors);
        };
        errors.into_result(|| PartnerDetails { name, kind, area_id, contact_persons, active: checkbox(&self.active) })
    }
}
