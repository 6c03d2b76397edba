//! Register search's own states that the store keeps (G-5.1–G-5.5): which kind of
//! extract a file is, and what became of an uncertain link. `register::kinds` says
//! which fields each kind holds; these are only the names, so that the store can keep
//! them as types rather than as text (issue 11, item 4).

use crate::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// One kind of extract the municipality can upload. Not to be confused with
    /// `person::SourceKind`, how a woman came to be known.
    #[derive(PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ExtractKind {
        Population = "population",
        Income = "income",
        Benefits = "benefits",
        IntegrationProgramme = "integration_programme",
        LanguageSchool = "language_school",
        HousingBenefit = "housing_benefit",
        MaintenanceContracts = "maintenance_contracts",
        ReunificationDeposits = "reunification_deposits",
    }
}

code_enum! {
    /// Where an uncertain link stands in the review queue (G-5.5).
    pub enum LinkReviewStatus {
        /// Waiting for a coordinator.
        Pending = "pending",
        /// She is the woman the list means; she was added to the run's candidates.
        Confirmed = "confirmed",
        /// Not her.
        Rejected = "rejected",
        /// Her, but she is on the do-not-contact list (G-2.2), so nothing was added.
        DoNotContact = "do_not_contact",
    }
}
