//! The agreement with a partner (G-7.5): written, and reviewed on a set date.

use crate::ambassador::{required_date, required_text};
use crate::validation::FieldErrors;
use time::Date;

/// A long-term, committed cooperation (G-7.5): every part is agreed in writing, and
/// it is reviewed on a set date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub guidelines: String,
    /// How the cooperation serves the partner's own core task.
    pub core_task_benefit: String,
    /// The ethics that protect the partner's relationship with the women.
    pub ethics: String,
    /// Confidentiality and disclosure rules.
    pub confidentiality: String,
    pub review_on: Date,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgreementInput {
    pub guidelines: String,
    pub core_task_benefit: String,
    pub ethics: String,
    pub confidentiality: String,
    pub review_on: String,
}

pub const MAX_AGREEMENT_TEXT: usize = 4000;

impl AgreementInput {
    pub fn parse(&self, today: Date) -> Result<Agreement, FieldErrors> {
        let mut errors = FieldErrors::default();
        // G-7.5 names all four as what is agreed; an agreement without one is not one.
        let guidelines = required_text(&mut errors, "guidelines", &self.guidelines, MAX_AGREEMENT_TEXT);
        let core_task_benefit =
            required_text(&mut errors, "core_task_benefit", &self.core_task_benefit, MAX_AGREEMENT_TEXT);
        let ethics = required_text(&mut errors, "ethics", &self.ethics, MAX_AGREEMENT_TEXT);
        let confidentiality = required_text(&mut errors, "confidentiality", &self.confidentiality, MAX_AGREEMENT_TEXT);
        let review_on = required_date(&mut errors, "review_on", &self.review_on).and_then(|d| {
            if d > today {
                Some(d)
            } else {
                errors.add("review_on", "error-date-not-future");
                None
            }
        });
        let Some(review_on) = review_on else {
            return Err(errors);
        };
        errors.into_result(|| Agreement { guidelines, core_task_benefit, ethics, confidentiality, review_on })
    }
}

/// The agreement is due for review on its date and after.
pub fn agreement_due(review_on: Date, today: Date) -> bool {
    review_on <= today
}
