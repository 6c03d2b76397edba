//! The guide's example selections (G-5.2), shipped as templates.

use super::*;

pub const TEMPLATES: &[&str] = &["self_supporting_women", "maintenance_spouses", "language_school_without_income"];

pub(super) fn base() -> PopulationFilter {
    PopulationFilter {
        sex: SexFilter::Female,
        min_age: 18,
        max_age: 64,
        origin: Origin::NonWestern,
        countries: Vec::new(),
        more_than_years_in_denmark: None,
        areas: Vec::new(),
        include_stateless: false,
        include_unknown_origin: false,
    }
}

pub(super) fn no_income() -> Step {
    Step {
        action: Action::Exclude,
        source: StepSource::Income,
        within_months: Some(12),
        amount_above: Some(0),
        types: Vec::new(),
        in_force: false,
        reason: "Har haft indkomst i indkomstregistret de seneste 12 måneder (G-1.1).".into(),
    }
}

pub(super) fn no_benefit() -> Step {
    Step {
        action: Action::Exclude,
        source: StepSource::Benefits,
        within_months: Some(12),
        amount_above: None,
        types: Vec::new(),
        in_force: false,
        reason: "Har modtaget en offentlig ydelse de seneste 12 måneder (G-1.1).".into(),
    }
}

/// A shipped template by code; `None` for an unknown code.
pub fn template(code: &str) -> Option<Rules> {
    match code {
        "self_supporting_women" => Some(Rules {
            name: "Kvinder 18–64 år, ikke-vestlig oprindelse, mere end 3 år i Danmark, uden indkomst og ydelse".into(),
            population: PopulationFilter { more_than_years_in_denmark: Some(3), ..base() },
            steps: vec![no_income(), no_benefit()],
        }),
        "maintenance_spouses" => Some(Rules {
            name: "Ægtefællesammenførte kvinder med forsørgelsespligt, uden indkomst og ydelse".into(),
            population: base(),
            steps: vec![
                Step {
                    action: Action::Require,
                    source: StepSource::MaintenanceContracts,
                    within_months: None,
                    amount_above: None,
                    types: Vec::new(),
                    in_force: false,
                    reason: "Kom til Danmark ved ægtefællesammenføring med forsørgelsespligt (G-1.2).".into(),
                },
                no_income(),
                no_benefit(),
            ],
        }),
        "language_school_without_income" => Some(Rules {
            name: "Kursister på sprogskolen uden indkomst".into(),
            population: base(),
            steps: vec![
                Step {
                    action: Action::Require,
                    source: StepSource::LanguageSchool,
                    within_months: None,
                    amount_above: None,
                    types: Vec::new(),
                    in_force: false,
                    reason: "Går på sprogskole og kan nås der (G-5.2).".into(),
                },
                no_income(),
            ],
        }),
        _ => None,
    }
}
