//! The initiative plan (issue 3, G-4, G-5.3, G-9.2): the guide's planning questions,
//! the legal basis for register processing and its DPIA, versions of the plan, the
//! "four eyes" approval, and the gate that no register search passes without it.
//!
//! Pure rules: the caller stores every `PlanVersion` it gets from `next_version` (the
//! earlier ones are never changed) and asks `may_run_search` before every run, from
//! the web and from the CLI alike.
//!
//! Here: the plan itself (G-4.1–G-4.10) with its legal basis and DPIA. The form is in
//! `input`, versions in `versions`, the four-eyes approval in `approval`, and the
//! search gate in `gate`; all re-exported here.

mod approval;
mod gate;
mod input;
#[cfg(test)]
mod tests;
mod versions;

pub use approval::*;
pub use gate::*;
pub use input::*;
pub use versions::*;

use crate::code_enum;
use time::Date;
use uuid::Uuid;

// ---------------------------------------------------------------------------------
// The plan (G-4.1–G-4.10) with its legal basis and DPIA (G-5.3)
// ---------------------------------------------------------------------------------

code_enum! {
    /// The guide's three ways to find the women (G-4.5). G-4.10 and G-5.5: they are
    /// meant to be combined, so a plan chooses a set of them.
    pub enum Method {
        /// G-5: register search.
        RegisterSearch = "register_search",
        /// G-6: street-level work through ambassadors.
        Ambassadors = "ambassadors",
        /// G-7: word of mouth through partners.
        Partners = "partners",
    }
}

/// The legal basis for processing the register extracts (G-5.3, G-9.2): what it is,
/// where it is found in the law, and who recorded it when (e.g. after the
/// municipality's lawyers or Datatilsynet were asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    /// The reasoning, in words.
    pub text: String,
    /// E.g. "Databeskyttelseslovens § 6, jf. databeskyttelsesforordningens art. 6,
    /// stk. 1, litra e, og art. 9, stk. 2, litra g".
    pub reference: String,
    pub recorded_by: Uuid,
    pub recorded_on: Date,
}

/// The data protection impact assessment. A plan has one or has none (`Option<Dpia>`
/// on the plan); when it has one, its reference and date are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dpia {
    /// The journal number or document name of the assessment.
    pub reference: String,
    pub date: Date,
}

/// A validated plan. Everything the form asks is here; the legal basis and the DPIA
/// may still be missing while the plan is a draft, and approval waits for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// G-4.1: which specific target group (vulnerable groups? certain areas?).
    pub target_group: String,
    /// G-4.1, G-1.3: the segments and the method chosen for each; may be empty.
    pub segments: String,
    /// G-4.2: challenges and opportunities.
    pub challenges: String,
    /// G-4.3: why this initiative.
    pub why: String,
    /// G-4.4: how it will be carried out.
    pub how: String,
    /// G-4.5: the methods chosen, in `Method::ALL` order, at least one.
    pub methods: Vec<Method>,
    /// G-4.5, G-4.10: why these methods, here.
    pub methods_why: String,
    /// G-4.6: how far outreach and contact may go, and why. This is the text
    /// ambassadors read and accept (G-6.3, G-6.7; `ethics_frame_version`).
    pub ethics_frame: String,
    /// G-4.7: resources, and who contributes.
    pub resources: String,
    /// G-4.8: programme seats the recruitment is sized to.
    pub programme_seats: u32,
    /// G-4.8: how the number was reached; may be empty.
    pub capacity_note: String,
    /// G-4.9: the administrative and legal framework.
    pub legal_frame: String,
    /// The areas the initiative works in (G-4.1, G-6.2); empty means the whole
    /// municipality.
    pub area_ids: Vec<Uuid>,
    /// The register extracts the search will use (G-5.1), e.g. "Befolkningsudtræk",
    /// "eIndkomst 12 mdr.". Part of what the approval covers.
    pub sources: Vec<String>,
    /// The selection rules the search will use (G-5.2), e.g. the rules file's name and
    /// checksum. Part of what the approval covers; a run must use exactly these.
    pub rules_ref: String,
    /// G-5.3; `None` until recorded.
    pub legal_basis: Option<LegalBasis>,
    /// `None` when no DPIA has been made.
    pub dpia: Option<Dpia>,
    /// The plan is reviewed by this date; after it, no search runs (G-9.2).
    pub review_on: Date,
}

impl Plan {
    pub fn uses(&self, method: Method) -> bool {
        self.methods.contains(&method)
    }

    /// G-4.10, G-5.5: one method alone seldom reaches the most vulnerable; the plan
    /// page shows a hint when this is false. Not an error: the guide advises.
    pub fn combines_methods(&self) -> bool {
        self.methods.len() > 1
    }
}
