//! The selection rules of a register search (G-5.2): who in the population extract is a
//! candidate, and which other registers include or exclude her.
//!
//! A rule set is kept as a TOML file a lawyer can read, review and version; the plan
//! names it by checksum (`Rules::reference`) and a run must use exactly the approved
//! file (G-5.3). The predicates here are the whole meaning of a rule: the engine in
//! `register` only streams rows through them, so what a rule means is decided once.
//!
//! Shape: a base filter on the population extract, then steps in order. A `require`
//! step keeps only women with a matching row in its source; an `exclude` step drops
//! them. The dry run reports the count after the base and after every step.

use crate::ambassador::{checkbox, optional, parse_whole};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Month};

/// How many steps a rule set may have; the form offers this many rows.
pub const MAX_STEPS: usize = 8;
const MAX_NAME: usize = 120;
const MAX_REASON: usize = 300;
const MAX_LIST: usize = 60;

/// The registers a step can consult (the population extract is the base, not a step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepSource {
    Income,
    Benefits,
    IntegrationProgramme,
    LanguageSchool,
    HousingBenefit,
    MaintenanceContracts,
    ReunificationDeposits,
}

impl StepSource {
    pub const ALL: &'static [StepSource] = &[
        StepSource::Income,
        StepSource::Benefits,
        StepSource::IntegrationProgramme,
        StepSource::LanguageSchool,
        StepSource::HousingBenefit,
        StepSource::MaintenanceContracts,
        StepSource::ReunificationDeposits,
    ];

    /// The same codes as the source kinds of `register`.
    pub fn code(self) -> &'static str {
        match self {
            StepSource::Income => "income",
            StepSource::Benefits => "benefits",
            StepSource::IntegrationProgramme => "integration_programme",
            StepSource::LanguageSchool => "language_school",
            StepSource::HousingBenefit => "housing_benefit",
            StepSource::MaintenanceContracts => "maintenance_contracts",
            StepSource::ReunificationDeposits => "reunification_deposits",
        }
    }

    pub fn from_code(code: &str) -> Option<StepSource> {
        StepSource::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// Sources whose rows have a month (income, benefits) rather than dates.
    pub fn is_monthly(self) -> bool {
        matches!(self, StepSource::Income | StepSource::Benefits)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Require,
    Exclude,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Require => "require",
            Action::Exclude => "exclude",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Danmarks Statistik's non-Western countries (`reference::is_non_western`).
    #[default]
    NonWestern,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SexFilter {
    #[default]
    Female,
    Any,
}

/// Who in the population extract is considered at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFilter {
    pub sex: SexFilter,
    /// Age in whole years on the run date, both ends included.
    pub min_age: u32,
    pub max_age: u32,
    pub origin: Origin,
    /// ISO 3166 codes; when not empty only these countries of origin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// She came to Denmark more than this many years before the run date (born here
    /// counts from birth). `None`: no condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_than_years_in_denmark: Option<u32>,
    /// Area codes; empty means the whole municipality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// Whether a stateless woman is admitted where the rule asks for an origin
    /// (non-Western or a list of countries). Stateless is its own value, never
    /// silently non-Western (issue 12, G-5.3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_stateless: bool,
    /// The same for a woman whose origin the extract gives as not stated ("Uoplyst").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_unknown_origin: bool,
}

/// One include/exclude condition on another register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub action: Action,
    pub source: StepSource,
    /// Only rows in the whole months before the run date (monthly sources) or dated
    /// within that many months (other sources). `None`: any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_months: Option<u32>,
    /// Only rows with an amount above this many kroner (income: a month of zero is a
    /// zero report, not income).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_above: Option<i64>,
    /// Only rows of these types (income or benefit type, course); empty = all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Contracts: only one in force on the run date (started, not yet ended).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_force: bool,
    /// Why, in words a lawyer and a colleague can check against the plan.
    pub reason: String,
}

/// A complete rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub name: String,
    pub population: PopulationFilter,
    #[serde(default, rename = "step")]
    pub steps: Vec<Step>,
}

/// A rule file that does not parse or breaks a rule; `line` where TOML knows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct RulesError {
    pub line: Option<usize>,
    pub message: String,
}

impl Rules {
    /// Reads a rules file and checks it as the form does.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError {
            line: e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1)),
            message: e.message().to_string(),
        })?;
        rules.check().map_err(|message| RulesError { line: None, message })?;
        Ok(rules)
    }

    /// The file as stored and shown: a comment that says what it is, then the rules.
    pub fn to_toml(&self) -> Result<String, RulesError> {
        let body = toml::to_string(self).map_err(|e| RulesError { line: None, message: e.to_string() })?;
        Ok(format!(
            "# Opsøg selection rules (G-5.2). Review with the plan's legal basis (G-5.3).\n\
             # `require` keeps only women with a matching row; `exclude` removes them.\n\n{body}"
        ))
    }

    fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_NAME {
            return Err("name must be 1–120 characters".into());
        }
        let p = &self.population;
        if p.min_age > p.max_age || p.max_age > 120 {
            return Err("population: min_age must not exceed max_age (at most 120)".into());
        }
        if p.countries.len() > MAX_LIST || p.areas.len() > MAX_LIST {
            return Err("population: too many countries or areas".into());
        }
        if p.countries.iter().any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
            return Err("population: countries are ISO 3166 codes such as \"SY\"".into());
        }
        if self.steps.len() > MAX_STEPS {
            return Err(format!("at most {MAX_STEPS} steps"));
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.reason.trim().is_empty() || s.reason.chars().count() > MAX_REASON {
                return Err(format!("step {}: a reason of 1–300 characters is required", i + 1));
            }
            if s.within_months.is_some_and(|m| m == 0 || m > 120) {
                return Err(format!("step {}: within_months must be 1–120", i + 1));
            }
            if s.types.len() > MAX_LIST {
                return Err(format!("step {}: too many types", i + 1));
            }
            if s.in_force && !matches!(s.source, StepSource::MaintenanceContracts) {
                return Err(format!("step {}: in_force applies to maintenance contracts only", i + 1));
            }
        }
        Ok(())
    }

    /// SHA-256 of the file text, hex.
    pub fn checksum(toml_text: &str) -> String {
        Sha256::digest(toml_text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What the plan's `rules_ref` must contain for a run to use this file: the
    /// first twelve hex digits of its checksum, e.g. `sha256:1a2b3c4d5e6f`.
    pub fn reference(toml_text: &str) -> String {
        format!("sha256:{}", &Rules::checksum(toml_text)[..12])
    }

    /// The sources a run needs uploaded: the population and every step's source.
    pub fn sources(&self) -> Vec<StepSource> {
        let mut out: Vec<StepSource> = Vec::new();
        for s in &self.steps {
            if !out.contains(&s.source) {
                out.push(s.source);
            }
        }
        out
    }
}

/// G-5.3: a run uses exactly the rules the approved plan names.
pub fn plan_names_rules(plan_rules_ref: &str, toml_text: &str) -> bool {
    plan_rules_ref.contains(&Rules::reference(toml_text))
}

// ---------------------------------------------------------------------------------
// The predicates the engine applies
// ---------------------------------------------------------------------------------

/// A population row as the engine sees it.
#[derive(Debug, Clone, Copy)]
pub struct Resident<'a> {
    pub female: Option<bool>,
    pub birth_date: Date,
    /// Read from the extract's cell (`reference::Origin::read`); a cell that cannot
    /// be read stops the import, so there is no "unreadable" here.
    pub origin: crate::reference::Origin,
    pub arrived_in_denmark: Option<Date>,
    pub area: Option<&'a str>,
}

pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

/// Whether more than `years` years have passed from `since` to `on`: three whole years
/// and a day more is "more than three years". The rule and the overview's bands both
/// use this, so a woman the rule admitted as "more than 3" is never in the band "0-3".
pub fn more_than_years(since: Date, on: Date, years: u32) -> bool {
    add_years(since, years as i32) < on
}

impl PopulationFilter {
    /// Whether the filter admits her, on the date the extracts describe (`reference`,
    /// not the day of the run: a woman who turned 18 after the extract was drawn is not
    /// in it as an adult).
    pub fn admits(&self, r: &Resident<'_>, reference: Date) -> bool {
        if self.sex == SexFilter::Female && r.female != Some(true) {
            return false;
        }
        let age = age_on(r.birth_date, reference);
        if age < self.min_age as i32 || age > self.max_age as i32 {
            return false;
        }
        if !self.admits_origin(r.origin) {
            return false;
        }
        if let Some(years) = self.more_than_years_in_denmark {
            let since = r.arrived_in_denmark.unwrap_or(r.birth_date);
            if !more_than_years(since, reference, years) {
                return false;
            }
        }
        if !self.areas.is_empty() && !r.area.is_some_and(|a| self.areas.iter().any(|x| x == a)) {
            return false;
        }
        true
    }
}

impl PopulationFilter {
    fn admits_origin(&self, origin: crate::reference::Origin) -> bool {
        use crate::reference::Origin as Read;
        let asks_origin = self.origin == Origin::NonWestern || !self.countries.is_empty();
        match origin {
            Read::Country(c) => {
                (self.origin == Origin::Any || !c.western)
                    && (self.countries.is_empty() || self.countries.iter().any(|x| x.eq_ignore_ascii_case(c.code)))
            }
            Read::Stateless => !asks_origin || self.include_stateless,
            Read::Unknown => !asks_origin || self.include_unknown_origin,
        }
    }
}

/// A row of a step's source, as the engine sees it. `month` is the first day of the
/// month for monthly sources.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceRow<'a> {
    pub month: Option<Date>,
    pub date: Option<Date>,
    pub end_date: Option<Date>,
    /// In øre.
    pub amount: Option<i64>,
    pub kind: Option<&'a str>,
}

impl Step {
    /// The days a row must fall within to count, both ends included, from the date the
    /// extracts describe; `None` when the step has no window. Monthly sources: the
    /// whole months before the reference date's month; dated rows: from the first of
    /// the month `within_months` before, up to the reference date itself.
    pub fn window(&self, reference: Date) -> Option<(Date, Date)> {
        let months = self.within_months?;
        let from = months_before(reference, months);
        let to = if self.source.is_monthly() {
            first_of_month(reference).previous_day().unwrap_or(reference)
        } else {
            reference
        };
        Some((from, to))
    }

    /// Whether this row counts for the step (the woman it belongs to then matches),
    /// on the date the extracts describe.
    pub fn matches(&self, row: &SourceRow<'_>, run_date: Date) -> bool {
        if let Some((from, to)) = self.window(run_date) {
            let when = if self.source.is_monthly() { row.month } else { row.date.or(row.month) };
            let Some(when) = when else { return false };
            if !(from..=to).contains(&when) {
                return false;
            }
        }
        if let Some(kroner) = self.amount_above {
            match row.amount {
                Some(oere) if oere > kroner.saturating_mul(100) => {}
                _ => return false,
            }
        }
        if !self.types.is_empty() && !row.kind.is_some_and(|k| self.types.iter().any(|t| t.eq_ignore_ascii_case(k))) {
            return false;
        }
        if self.in_force {
            let started = row.date.is_none_or(|d| d <= run_date);
            let not_ended = row.end_date.is_none_or(|d| d >= run_date);
            if !(started && not_ended) {
                return false;
            }
        }
        true
    }
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// A step's window in words for the rules page: `1. november 2025 – 31. oktober 2026`.
pub fn window_da((from, to): (Date, Date)) -> String {
    format!("{} – {}", crate::text::danish_date(from), crate::text::danish_date(to))
}

/// The first day of the month `months` whole months before `run_date`'s month.
pub fn months_before(run_date: Date, months: u32) -> Date {
    let index = run_date.year() * 12 + (run_date.month() as i32 - 1) - months as i32;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1).unwrap_or(run_date)
}

fn add_years(d: Date, years: i32) -> Date {
    let year = d.year() + years;
    Date::from_calendar_date(year, d.month(), d.day())
        // 29 February in a year without one: the day after 28 February.
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(d)
}

mod candidate;
mod form;
mod overview;
mod templates;
#[cfg(test)]
mod tests;

pub use candidate::*;
pub use form::*;
pub use overview::*;
pub use templates::*;
