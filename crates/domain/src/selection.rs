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

// ---------------------------------------------------------------------------------
// What is kept of a candidate (G-5.5, data minimisation)
// ---------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------
// The overview of a run (G-5.4)
// ---------------------------------------------------------------------------------

/// Counts of the women a run found, by each of G-5.4's four characteristics. Only
/// aggregates: this is what a run keeps about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub total: u64,
    pub by_country: Vec<(String, u64)>,
    pub by_area: Vec<(String, u64)>,
    pub by_age: Vec<(String, u64)>,
    pub by_years_in_denmark: Vec<(String, u64)>,
}

pub const AGE_BANDS: &[(i32, i32, &str)] =
    &[(18, 29, "18-29"), (30, 39, "30-39"), (40, 49, "40-49"), (50, 64, "50-64")];

/// The years-in-Denmark bands end where the rule's "more than N years" begins
/// ([`more_than_years`]): "0-3" is at most three years, "over 3-9" more than three and
/// at most nine, and so on.
pub const YEAR_BOUNDS: [u32; 3] = [3, 9, 19];
pub const YEAR_BANDS: [&str; 4] = ["0-3", "over 3-9", "over 9-19", "over 19"];

fn band(value: i32, bands: &[(i32, i32, &'static str)]) -> &'static str {
    bands.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&value)).map_or("other", |(_, _, l)| l)
}

/// Her band of years in Denmark on `reference` (born here: since birth).
pub fn years_band(since: Date, reference: Date) -> &'static str {
    YEAR_BANDS[YEAR_BOUNDS.iter().filter(|&&b| more_than_years(since, reference, b)).count()]
}

fn tally(keys: impl Iterator<Item = String>, order: Option<&[&str]>) -> Vec<(String, u64)> {
    let mut map: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for k in keys {
        *map.entry(k).or_default() += 1;
    }
    let mut out: Vec<(String, u64)> = map.into_iter().collect();
    match order {
        // Bands in their natural order, every band shown (an empty band is a zero).
        Some(bands) => {
            let mut ordered: Vec<(String, u64)> = bands
                .iter()
                .map(|l| ((*l).to_string(), out.iter().find(|(k, _)| k == l).map_or(0, |(_, n)| *n)))
                .collect();
            ordered.extend(out.into_iter().filter(|(k, _)| !bands.contains(&k.as_str())));
            ordered
        }
        // Largest groups first, then by name.
        None => {
            out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out
        }
    }
}

/// The overview of a run's women on the date the extracts describe (the same date
/// the rules were applied on, so the bands agree with the rules).
pub fn overview(candidates: &[Candidate], reference: Date) -> Overview {
    let age_labels: Vec<&str> = AGE_BANDS.iter().map(|(_, _, l)| *l).collect();
    Overview {
        total: candidates.len() as u64,
        by_country: tally(candidates.iter().map(|c| c.country_of_origin.clone()), None),
        by_area: tally(candidates.iter().map(|c| c.area_code.clone().unwrap_or_else(|| "-".into())), None),
        by_age: tally(
            candidates.iter().map(|c| band(age_on(c.birth_date, reference), AGE_BANDS).to_string()),
            Some(&age_labels),
        ),
        by_years_in_denmark: tally(
            candidates.iter().map(|c| years_band(c.arrived_in_denmark.unwrap_or(c.birth_date), reference).to_string()),
            Some(&YEAR_BANDS),
        ),
    }
}

/// One table of the overview as a viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTable {
    pub rows: Vec<(String, Option<u64>)>,
    pub total: Option<u64>,
}

impl Overview {
    /// The tables as `viewer` may see them: coordinators see the counts; every other
    /// role sees them through the one suppression rule (`suppression::suppress_row`).
    /// Each table is suppressed on its own and all four share the same total, which
    /// is shown only when it is itself at or above the threshold, so no table's hidden
    /// cells follow from another's.
    pub fn shown(&self, suppress: bool) -> [ShownTable; 4] {
        let show = |rows: &[(String, u64)]| {
            if !suppress {
                return ShownTable {
                    rows: rows.iter().map(|(k, n)| (k.clone(), Some(*n))).collect(),
                    total: Some(self.total),
                };
            }
            let counts: Vec<u64> = rows.iter().map(|(_, n)| *n).collect();
            let s = crate::suppression::suppress_row(&counts, crate::suppression::THRESHOLD);
            ShownTable { rows: rows.iter().map(|(k, _)| k.clone()).zip(s.cells).collect(), total: s.total }
        };
        [show(&self.by_country), show(&self.by_area), show(&self.by_age), show(&self.by_years_in_denmark)]
    }
}

// ---------------------------------------------------------------------------------
// The guide's example selections (G-5.2), shipped as templates
// ---------------------------------------------------------------------------------

pub const TEMPLATES: &[&str] = &["self_supporting_women", "maintenance_spouses", "language_school_without_income"];

fn base() -> PopulationFilter {
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

fn no_income() -> Step {
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

fn no_benefit() -> Step {
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

// ---------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------

/// One step row of the form, every field as text.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub action: String,
    pub source: String,
    pub within_months: String,
    pub amount_above: String,
    pub types: String,
    /// "yes" for a contract in force on the run date.
    pub in_force: String,
    pub reason: String,
}

/// The rules form. A browser form sends the step rows as parallel lists (one entry
/// per row and column); a row left without a source is simply not a step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RulesInput {
    pub name: String,
    pub female_only: Option<String>,
    pub min_age: String,
    pub max_age: String,
    pub non_western_only: Option<String>,
    /// Checkboxes: admit stateless women / women whose origin is not stated.
    pub include_stateless: Option<String>,
    pub include_unknown_origin: Option<String>,
    pub countries: String,
    pub more_than_years_in_denmark: String,
    pub areas: Vec<String>,
    pub step_action: Vec<String>,
    pub step_source: Vec<String>,
    pub step_within_months: Vec<String>,
    pub step_amount_above: Vec<String>,
    pub step_types: Vec<String>,
    pub step_in_force: Vec<String>,
    pub step_reason: Vec<String>,
}

impl RulesInput {
    /// The rows, padded where a column came shorter.
    pub fn steps(&self) -> Vec<StepInput> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..self.step_source.len())
            .map(|i| StepInput {
                action: at(&self.step_action, i),
                source: at(&self.step_source, i),
                within_months: at(&self.step_within_months, i),
                amount_above: at(&self.step_amount_above, i),
                types: at(&self.step_types, i),
                in_force: at(&self.step_in_force, i),
                reason: at(&self.step_reason, i),
            })
            .collect()
    }

    fn set_steps(&mut self, steps: Vec<StepInput>) {
        for s in steps {
            self.step_action.push(s.action);
            self.step_source.push(s.source);
            self.step_within_months.push(s.within_months);
            self.step_amount_above.push(s.amount_above);
            self.step_types.push(s.types);
            self.step_in_force.push(s.in_force);
            self.step_reason.push(s.reason);
        }
    }
}

/// Form field names for step `i` (errors name the row the coordinator must fix).
pub fn step_field(i: usize, part: &str) -> &'static str {
    const PARTS: [&str; 5] = ["source", "within_months", "amount_above", "reason", "types"];
    const NAMES: [[&str; 5]; MAX_STEPS] = [
        ["step0_source", "step0_within_months", "step0_amount_above", "step0_reason", "step0_types"],
        ["step1_source", "step1_within_months", "step1_amount_above", "step1_reason", "step1_types"],
        ["step2_source", "step2_within_months", "step2_amount_above", "step2_reason", "step2_types"],
        ["step3_source", "step3_within_months", "step3_amount_above", "step3_reason", "step3_types"],
        ["step4_source", "step4_within_months", "step4_amount_above", "step4_reason", "step4_types"],
        ["step5_source", "step5_within_months", "step5_amount_above", "step5_reason", "step5_types"],
        ["step6_source", "step6_within_months", "step6_amount_above", "step6_reason", "step6_types"],
        ["step7_source", "step7_within_months", "step7_amount_above", "step7_reason", "step7_types"],
    ];
    let p = PARTS.iter().position(|x| *x == part).unwrap_or(0);
    NAMES[i.min(MAX_STEPS - 1)][p]
}

fn list(input: &str) -> Vec<String> {
    input.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl RulesInput {
    pub fn parse(&self) -> Result<Rules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.add("name", "error-required");
        } else if name.chars().count() > MAX_NAME {
            errors.add("name", "error-too-long");
        }
        let age = |errors: &mut FieldErrors, field: &'static str, s: &str| match parse_whole(s) {
            Some(v) if v <= 120 => v,
            _ => {
                errors.add(field, "error-whole-number");
                0
            }
        };
        let min_age = age(&mut errors, "min_age", &self.min_age);
        let max_age = age(&mut errors, "max_age", &self.max_age);
        if min_age > max_age {
            errors.add("max_age", "error-range");
        }
        let countries: Vec<String> = list(&self.countries).into_iter().map(|c| c.to_ascii_uppercase()).collect();
        if countries.len() > MAX_LIST
            || countries.iter().any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
        {
            errors.add("countries", "error-country-codes");
        }
        let more_than_years_in_denmark = match optional(&self.more_than_years_in_denmark) {
            None => None,
            Some(s) => match parse_whole(&s) {
                Some(v) if v <= 100 => Some(v),
                _ => {
                    errors.add("more_than_years_in_denmark", "error-whole-number");
                    None
                }
            },
        };
        let areas: Vec<String> = self.areas.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        let mut steps = Vec::new();
        let all = self.steps();
        let rows: Vec<&StepInput> = all.iter().filter(|s| !s.source.trim().is_empty()).collect();
        if rows.len() > MAX_STEPS {
            errors.add("steps", "error-too-many-steps");
        }
        for (i, s) in rows.iter().take(MAX_STEPS).enumerate() {
            let Some(source) = StepSource::from_code(s.source.trim()) else {
                errors.add(step_field(i, "source"), "error-unknown-choice");
                continue;
            };
            let action = match s.action.trim() {
                "exclude" => Action::Exclude,
                _ => Action::Require,
            };
            let within_months = match optional(&s.within_months) {
                None => None,
                Some(t) => match parse_whole(&t) {
                    Some(v) if (1..=120).contains(&v) => Some(v),
                    _ => {
                        errors.add(step_field(i, "within_months"), "error-whole-number");
                        None
                    }
                },
            };
            let amount_above = match optional(&s.amount_above) {
                None => None,
                Some(t) => match t.replace(['.', ' '], "").parse::<i64>() {
                    Ok(v) if v >= 0 => Some(v),
                    _ => {
                        errors.add(step_field(i, "amount_above"), "error-whole-number");
                        None
                    }
                },
            };
            let reason = s.reason.trim().to_string();
            if reason.is_empty() {
                errors.add(step_field(i, "reason"), "error-required");
            } else if reason.chars().count() > MAX_REASON {
                errors.add(step_field(i, "reason"), "error-too-long");
            }
            let in_force = s.in_force == "yes" && source == StepSource::MaintenanceContracts;
            steps.push(Step { action, source, within_months, amount_above, types: list(&s.types), in_force, reason });
        }
        let rules = Rules {
            name,
            population: PopulationFilter {
                sex: if checkbox(&self.female_only) { SexFilter::Female } else { SexFilter::Any },
                min_age,
                max_age,
                origin: if checkbox(&self.non_western_only) { Origin::NonWestern } else { Origin::Any },
                countries,
                more_than_years_in_denmark,
                areas,
                include_stateless: checkbox(&self.include_stateless),
                include_unknown_origin: checkbox(&self.include_unknown_origin),
            },
            steps,
        };
        errors.into_result(|| rules)
    }
}

impl Rules {
    /// The form filled in from these rules, with `blank_rows` empty step rows added.
    pub fn to_input(&self, blank_rows: usize) -> RulesInput {
        let on = || Some("on".to_string());
        let mut steps: Vec<StepInput> = self
            .steps
            .iter()
            .map(|s| StepInput {
                action: s.action.code().into(),
                source: s.source.code().into(),
                within_months: s.within_months.map(|m| m.to_string()).unwrap_or_default(),
                amount_above: s.amount_above.map(|a| a.to_string()).unwrap_or_default(),
                types: s.types.join(", "),
                in_force: if s.in_force { "yes".into() } else { "no".into() },
                reason: s.reason.clone(),
            })
            .collect();
        let room = MAX_STEPS.saturating_sub(steps.len()).min(blank_rows);
        steps.extend((0..room).map(|_| StepInput::default()));
        let mut input = RulesInput {
            name: self.name.clone(),
            female_only: (self.population.sex == SexFilter::Female).then(on).flatten(),
            min_age: self.population.min_age.to_string(),
            max_age: self.population.max_age.to_string(),
            non_western_only: (self.population.origin == Origin::NonWestern).then(on).flatten(),
            include_stateless: self.population.include_stateless.then(on).flatten(),
            include_unknown_origin: self.population.include_unknown_origin.then(on).flatten(),
            countries: self.population.countries.join(", "),
            more_than_years_in_denmark: self
                .population
                .more_than_years_in_denmark
                .map(|y| y.to_string())
                .unwrap_or_default(),
            areas: self.population.areas.clone(),
            ..RulesInput::default()
        };
        input.set_steps(steps);
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RUN: Date = date!(2026 - 11 - 25);

    fn woman(birth: Date, origin: &'static str, arrived: Option<Date>) -> Resident<'static> {
        Resident {
            female: Some(true),
            birth_date: birth,
            origin: crate::reference::Origin::read(origin).unwrap(),
            arrived_in_denmark: arrived,
            area: Some("vestparken"),
        }
    }

    #[test]
    fn templates_round_trip_through_toml_and_check() {
        for code in TEMPLATES {
            let rules = template(code).unwrap();
            let text = rules.to_toml().unwrap();
            assert!(text.starts_with("# Opsøg selection rules"));
            assert_eq!(Rules::from_toml(&text).unwrap(), rules, "{code}");
        }
        assert!(template("nope").is_none());
    }

    #[test]
    fn a_bad_file_names_the_line() {
        let err = Rules::from_toml("name = \"x\"\n[population]\nsex = \"female\"\nmin_age = \"ten\"\n").unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        let unknown =
            Rules::from_toml(&template("self_supporting_women").unwrap().to_toml().unwrap().replace("reason", "why"));
        assert!(unknown.is_err());
    }

    #[test]
    fn a_checked_rule_refuses_nonsense() {
        let mut r = template("self_supporting_women").unwrap();
        r.population.min_age = 70;
        assert!(Rules::from_toml(&r.to_toml().unwrap()).unwrap_err().message.contains("min_age"));
        let mut r = template("self_supporting_women").unwrap();
        r.steps[0].reason = " ".into();
        assert!(Rules::from_toml(&r.to_toml().unwrap()).unwrap_err().message.contains("step 1"));
    }

    #[test]
    fn the_plan_must_name_the_exact_file() {
        let text = template("self_supporting_women").unwrap().to_toml().unwrap();
        let reference = Rules::reference(&text);
        assert!(plan_names_rules(&format!("udvaelgelse.toml {reference}"), &text));
        let changed = text.replace("18", "19");
        assert!(!plan_names_rules(&format!("udvaelgelse.toml {reference}"), &changed));
    }

    #[test]
    fn population_filter_ages_origin_and_years() {
        let f = template("self_supporting_women").unwrap().population;
        assert!(f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2015 - 05 - 01))), RUN));
        // 18 today is in, the day before is not; 64 until the 65th birthday.
        assert!(f.admits(&woman(date!(2008 - 11 - 25), "SY", Some(date!(2010 - 01 - 01))), RUN));
        assert!(!f.admits(&woman(date!(2008 - 11 - 26), "SY", Some(date!(2010 - 01 - 01))), RUN));
        assert!(f.admits(&woman(date!(1961 - 11 - 26), "SY", Some(date!(2010 - 01 - 01))), RUN));
        assert!(!f.admits(&woman(date!(1961 - 11 - 25), "SY", Some(date!(2010 - 01 - 01))), RUN));
        // Western origin and men are out.
        assert!(!f.admits(&woman(date!(1980 - 01 - 01), "DE", None), RUN));
        let mut man = woman(date!(1980 - 01 - 01), "SY", None);
        man.female = Some(false);
        assert!(!f.admits(&man, RUN));
        // More than three years: exactly three is not enough, three and a day is.
        assert!(!f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2023 - 11 - 25))), RUN));
        assert!(f.admits(&woman(date!(1980 - 01 - 01), "SY", Some(date!(2023 - 11 - 24))), RUN));
        // Born here counts from birth.
        assert!(f.admits(&woman(date!(2000 - 01 - 01), "TR", None), RUN));
    }

    #[test]
    fn stateless_and_unknown_are_admitted_only_where_the_rules_say() {
        let mut f = template("self_supporting_women").unwrap().population;
        let born = date!(1980 - 01 - 01);
        let arrived = Some(date!(2010 - 01 - 01));
        // Non-Western asked: neither stateless nor unknown is taken for it.
        assert!(!f.admits(&woman(born, "Statsløs", arrived), RUN));
        assert!(!f.admits(&woman(born, "Uoplyst", arrived), RUN));
        f.include_stateless = true;
        assert!(f.admits(&woman(born, "Statsløs", arrived), RUN));
        assert!(!f.admits(&woman(born, "Uoplyst", arrived), RUN));
        f.include_unknown_origin = true;
        assert!(f.admits(&woman(born, "Uoplyst", arrived), RUN));
        // Danish names are read as the country they name: Denmark is Western.
        assert!(!f.admits(&woman(born, "Danmark", arrived), RUN));
        assert!(!f.admits(&woman(born, "Rumænien", arrived), RUN));
        assert!(f.admits(&woman(born, "Syrien", arrived), RUN));
        // No origin condition at all: everyone.
        let mut any = template("self_supporting_women").unwrap().population;
        any.origin = Origin::Any;
        assert!(any.admits(&woman(born, "Uoplyst", arrived), RUN));
        assert!(any.admits(&woman(born, "Danmark", arrived), RUN));
        // A country list: only those countries.
        any.countries = vec!["SY".into()];
        assert!(!any.admits(&woman(born, "Uoplyst", arrived), RUN));
        assert!(!any.admits(&woman(born, "Irak", arrived), RUN));
        assert!(any.admits(&woman(born, "SYR", arrived), RUN));
        // The flags survive the TOML file and the form.
        let mut rules = template("self_supporting_women").unwrap();
        rules.population = f;
        let text = rules.to_toml().unwrap();
        assert!(text.contains("include_stateless = true"), "{text}");
        assert_eq!(Rules::from_toml(&text).unwrap(), rules);
        assert_eq!(rules.to_input(0).parse().unwrap(), rules);
        // A rule file without them (as saved before) reads as before, byte for byte.
        let old = template("self_supporting_women").unwrap().to_toml().unwrap();
        assert!(!old.contains("include_"));
    }

    #[test]
    fn years_bands_agree_with_the_rule_that_admitted_her() {
        // Every arrival day across three boundaries of each threshold: a woman the rule
        // admits as "more than N years" is never in a band that ends at N or before.
        for threshold in YEAR_BOUNDS {
            let mut f = template("self_supporting_women").unwrap().population;
            f.more_than_years_in_denmark = Some(threshold);
            let start = add_years(RUN, -(threshold as i32) - 1);
            for day in 0..(3 * 366) {
                let arrived = start + time::Duration::days(day);
                let w = woman(date!(1980 - 02 - 29), "SY", Some(arrived));
                let band = years_band(arrived, RUN);
                let at = YEAR_BANDS.iter().position(|b| *b == band).unwrap();
                let bound_at = YEAR_BOUNDS.iter().position(|b| *b == threshold).unwrap();
                assert_eq!(f.admits(&w, RUN), at > bound_at, "{threshold} years, arrived {arrived}: {band}");
            }
        }
        // The overview puts her where the band says, on the same reference date.
        let mut c = candidate("SY", "vestparken", date!(1980 - 01 - 01));
        c.arrived_in_denmark = Some(date!(2023 - 11 - 24));
        let o = overview(&[c], RUN);
        assert_eq!(o.by_years_in_denmark[1], ("over 3-9".to_string(), 1));
        assert_eq!(o.by_years_in_denmark[0], ("0-3".to_string(), 0));
    }

    #[test]
    fn windows_in_words_from_the_reference_date() {
        let step = no_income();
        assert_eq!(step.window(RUN), Some((date!(2025 - 11 - 01), date!(2026 - 10 - 31))));
        assert_eq!(window_da(step.window(RUN).unwrap()), "1. november 2025 – 31. oktober 2026");
        // From the date an extract describes, not the day of the run.
        assert_eq!(window_da(step.window(date!(2026 - 09 - 30)).unwrap()), "1. september 2025 – 31. august 2026");
        let mut dated = template("maintenance_spouses").unwrap().steps[0].clone();
        dated.within_months = Some(6);
        assert_eq!(window_da(dated.window(RUN).unwrap()), "1. maj 2026 – 25. november 2026");
        dated.within_months = None;
        assert_eq!(dated.window(RUN), None);
    }

    #[test]
    fn monthly_windows_are_whole_months_before_the_run() {
        let step = no_income();
        let row = |m: Date, oere: i64| SourceRow { month: Some(m), amount: Some(oere), ..Default::default() };
        // Run in November 2026: November 2025 – October 2026.
        assert!(step.matches(&row(date!(2025 - 11 - 01), 10_000), RUN));
        assert!(step.matches(&row(date!(2026 - 10 - 01), 10_000), RUN));
        assert!(!step.matches(&row(date!(2025 - 10 - 01), 10_000), RUN));
        assert!(!step.matches(&row(date!(2026 - 11 - 01), 10_000), RUN));
        // A zero report is not income.
        assert!(!step.matches(&row(date!(2026 - 03 - 01), 0), RUN));
        assert_eq!(months_before(date!(2026 - 01 - 15), 12), date!(2025 - 01 - 01));
        assert_eq!(months_before(date!(2026 - 01 - 15), 13), date!(2024 - 12 - 01));
    }

    #[test]
    fn contracts_in_force_and_types() {
        let mut step = template("maintenance_spouses").unwrap().steps[0].clone();
        step.in_force = true;
        let c = |start: Date, end: Option<Date>| SourceRow { date: Some(start), end_date: end, ..Default::default() };
        assert!(step.matches(&c(date!(2024 - 01 - 01), Some(date!(2027 - 01 - 01))), RUN));
        assert!(!step.matches(&c(date!(2020 - 01 - 01), Some(date!(2023 - 01 - 01))), RUN));
        assert!(step.matches(&c(date!(2024 - 01 - 01), None), RUN));
        let mut b = no_benefit();
        b.types = vec!["Kontanthjælp".into()];
        let r = |k: &'static str| SourceRow { month: Some(date!(2026 - 05 - 01)), kind: Some(k), ..Default::default() };
        assert!(b.matches(&r("kontanthjælp"), RUN));
        assert!(!b.matches(&r("SU"), RUN));
    }

    fn candidate(origin: &str, area: &str, birth: Date) -> Candidate {
        Candidate {
            given_name: "A".into(),
            family_name: "B".into(),
            cpr: "0707614286".into(),
            birth_date: birth,
            country_of_origin: origin.into(),
            arrived_in_denmark: Some(date!(2015 - 01 - 01)),
            street: None,
            postcode: None,
            city: None,
            area_code: Some(area.into()),
            phone: None,
        }
    }

    #[test]
    fn overview_counts_and_no_hidden_cell_can_be_recovered() {
        let mut cs = Vec::new();
        for _ in 0..12 {
            cs.push(candidate("SY", "vestparken", date!(1990 - 01 - 01)));
        }
        for _ in 0..7 {
            cs.push(candidate("IQ", "noerrevang", date!(1980 - 01 - 01)));
        }
        for _ in 0..2 {
            cs.push(candidate("SO", "vestparken", date!(1970 - 01 - 01)));
        }
        let o = overview(&cs, RUN);
        assert_eq!(o.total, 21);
        assert_eq!(o.by_country, vec![("SY".into(), 12), ("IQ".into(), 7), ("SO".into(), 2)]);
        assert_eq!(o.by_age.iter().map(|(_, n)| *n).sum::<u64>(), 21);
        let [country, area, age, years] = o.shown(true);
        // SO (2) is hidden, and so is a second cell, so that total − visible ≠ SO.
        let hidden: Vec<&String> = country.rows.iter().filter(|(_, n)| n.is_none()).map(|(k, _)| k).collect();
        assert!(hidden.len() >= 2, "{country:?}");
        let visible: u64 = country.rows.iter().filter_map(|(_, n)| *n).sum();
        let total = country.total.unwrap();
        // The attacker's best guess for the hidden cells is their sum: never a small group.
        assert!(total - visible >= crate::suppression::THRESHOLD);
        for t in [&area, &age, &years] {
            if let Some(total) = t.total {
                let visible: u64 = t.rows.iter().filter_map(|(_, n)| *n).sum();
                let n_hidden = t.rows.iter().filter(|(_, n)| n.is_none()).count();
                assert!(n_hidden != 1, "one hidden cell would follow from the total: {t:?}");
                assert!(n_hidden == 0 || total - visible >= crate::suppression::THRESHOLD || total - visible == 0);
            }
        }
        // Coordinators see everything.
        let [country, ..] = o.shown(false);
        assert!(country.rows.iter().all(|(_, n)| n.is_some()));
    }

    #[test]
    fn the_form_round_trips_and_names_the_bad_row() {
        for code in TEMPLATES {
            let rules = template(code).unwrap();
            assert_eq!(rules.to_input(2).parse().unwrap(), rules);
        }
        let mut input = template("self_supporting_women").unwrap().to_input(1);
        input.step_within_months[1] = "abc".into();
        input.step_reason[1] = String::new();
        input.min_age = "70".into();
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.for_field("step1_within_months"), Some("error-whole-number"));
        assert_eq!(errors.for_field("step1_reason"), Some("error-required"));
        assert_eq!(errors.for_field("max_age"), Some("error-range"));
    }
}
