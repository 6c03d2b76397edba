//! The register extracts a municipality's systems export (G-5.1), made from the
//! synthetic population with the truth known, so that a register search (G-5.2–G-5.5)
//! can be checked against what it should find.
//!
//! Files, in the `Municipal` style (each as a different system would write it):
//!
//! | file | kind | bytes | CPR | dates |
//! |---|---|---|---|---|
//! | `befolkning.csv` | population | Windows-1252, `;`, CRLF | `ddmmyy-ssss` | `dd-mm-yyyy` |
//! | `eindkomst.csv` | income | UTF-8 BOM, `;`, CRLF | `ddmmyyssss` | month `yyyy-mm` or `mm-yyyy` (one per file, by seed) |
//! | `ydelser.csv` | benefits | UTF-8, `,`, CRLF | hyphen | month as `01.mm.yyyy`; amount quoted `"12.345,67"` |
//! | `integrationsprogram.csv` | integration_programme | Windows-1252, `;`, CRLF | hyphen | `dd.mm.yyyy` |
//! | `sprogskole.csv` (+ `.xlsx`) | language_school | UTF-8 BOM, `;`, CRLF | none | `dd-mm-yyyy` |
//! | `boligstoette.csv` | housing_benefit | UTF-8, `;`, LF | no hyphen | ISO |
//! | `forsoergelsespligt.csv` | maintenance_contracts | Windows-1252, `;`, CRLF | hyphen | `dd-mm-yyyy` |
//! | `sikkerhedsstillelse.csv` | reunification_deposits | UTF-8 BOM, `;`, CRLF | no hyphen | `d-m-yyyy` |
//!
//! Noise in that style: 0.5 % of rows carry the CPR in the file's other form and 1 % of
//! dates (0.5 % in the population and benefits) are ISO; 0.3 % of income and benefit
//! rows are written twice; for every 33 residents one person who moved away during the
//! year has income and benefit rows for the months before the move (their CPRs are not
//! in the population; `truth/moved_away.csv`). Names in Windows-1252 files lose what
//! that code page lacks (ş → s, ễ → e, anything left → `?`), as real exports do.
//! The `Plain` style is the same people and amounts as UTF-8, `,`, LF, ISO dates,
//! `yyyy-mm` months, `12345.67` amounts and ten-digit CPRs, with no duplicates and no
//! one who moved away — except on the language-school list, which has no CPR anyway.
//!
//! Consistency with the population's truth (the 12 months are the whole months before
//! `today`): a resident with `employed` has positive income in at least one month — 80 %
//! in all twelve, the others in a run of 1–11 months (a job begun or ended); every
//! other resident has no positive income. A resident with `on_benefit` has benefit rows
//! (Folkepension from 67, Efterløn 65–66, SU for the young who grew up here or came from
//! the West, Integrationsydelse in the first nine years after arriving as an adult,
//! Førtidspension, Kontanthjælp, Dagpenge, Sygedagpenge), others none. Income rows
//! carry 12 months for each earner (0 in the months outside the job), or with
//! [`IncomeRows::EveryAdult`] 12 months for everyone 15 or older (zero reports).
//!
//! Every draw comes from a ChaCha8 stream of the seed keyed by the resident, household
//! or file, so the output depends only on the population, the seed and `today`.
//!
//! Here: the options, the headers, `write_extracts` and what every writer shares
//! (`Ctx`). One writer per kind is in `writers`, income and benefits in `monthly`, the
//! people who moved away in `moved_away`, the truth in `truth`, the language-school
//! list in `school`, the other shapes in `shapes`, the CSV writing in `csv_out`.

mod csv_out;
mod monthly;
mod moved_away;
mod school;
mod shapes;
mod truth;
mod writers;

pub use school::{Outsider, Who};
pub use shapes::{
    BenefitDates, CountryForm, CourseList, CourseRow, PopulationFile, Shapes, course_list_with_outsiders,
    danish_country_name, with_twin_sisters, write_extracts_shaped, write_truth_shaped,
};
pub use truth::write_truth;

use crate::pick::chance;
use crate::population::Resident;
use csv_out::context;
use domain::Cpr;
use monthly::{Monthly, Traits, benefit, income};
use moved_away::{Former, formers};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io;
use std::path::Path;
use time::macros::date;
use time::{Date, Duration, Month};
use writers::{
    write_benefits, write_deposits, write_housing, write_income, write_integration, write_maintenance,
    write_population, write_school_csv, write_school_xlsx,
};

/// How the files are written; the people in them are the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Mixed encodings, separators, date and CPR forms, duplicates, people who moved.
    Municipal,
    /// For benchmarks: UTF-8, `,`, ISO dates, ten-digit CPRs, no noise in the formats.
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomeRows {
    /// Twelve months for each resident with income.
    EarnersOnly,
    /// Twelve months for every resident 15 or older, 0 for those without income
    /// (eIndkomst's zero reports): ~59 million rows for 6 million residents.
    EveryAdult,
    /// Twelve months for every resident, children too: the national benchmark
    /// size (6 million residents × 12 months = 72 million rows).
    EveryResident,
}

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub seed: u64,
    /// The population's day; the income months are the 12 whole months before it.
    pub today: Date,
    pub style: Style,
    pub income_rows: IncomeRows,
    /// Also write the language-school list as XLSX (Municipal style only).
    pub xlsx: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractFiles {
    pub files: Vec<ExtractFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractFile {
    pub file_name: String,
    /// The source kind's code: "population", "income", "benefits", ...
    pub kind: &'static str,
    /// Data rows, the header not counted.
    pub rows: u64,
}

pub const POPULATION_HEADER: &[&str] = &[
    "CPR-nr",
    "Fornavn",
    "Efternavn",
    "Køn",
    "Fødselsdato",
    "Oprindelsesland",
    "Adresse",
    "Postnr",
    "By",
    "Distrikt",
    "Indrejsedato",
];
pub const INCOME_HEADER: &[&str] = &["CPR", "Måned", "Beløb", "Indkomsttype"];
pub const BENEFITS_HEADER: &[&str] = &["CPR", "Måned", "Ydelsestype", "Beløb"];
pub const INTEGRATION_HEADER: &[&str] = &["CPR", "Navn", "Startdato"];
pub const LANGUAGE_SCHOOL_HEADER: &[&str] = &["Navn", "Fødselsdato", "Telefon", "Hold"];
pub const HOUSING_HEADER: &[&str] = &["CPR", "Husstandsindkomst", "Ansøgningsdato"];
pub const MAINTENANCE_HEADER: &[&str] = &["CPR ægtefælle", "CPR herboende", "Startdato", "Slutdato"];
pub const DEPOSITS_HEADER: &[&str] = &["CPR ægtefælle", "CPR herboende", "Indbetalingsdato"];

/// The sheet of `sprogskole.xlsx`.
pub const LANGUAGE_SCHOOL_SHEET: &str = "Deltagere";

// One salt per kind of draw, so that no two draw from the same stream.
const SALT_INCOME: u64 = 0x1c0e_0000_a5a5_0001;
const SALT_BENEFIT: u64 = 0x1c0e_0000_a5a5_0002;
const SALT_POPULATION_ROWS: u64 = 0x1c0e_0000_a5a5_0003;
const SALT_INCOME_ROWS: u64 = 0x1c0e_0000_a5a5_0004;
const SALT_BENEFIT_ROWS: u64 = 0x1c0e_0000_a5a5_0005;
const SALT_FORMER: u64 = 0x1c0e_0000_a5a5_0006;
const SALT_HOUSING: u64 = 0x1c0e_0000_a5a5_0007;
const SALT_REUNIFICATION: u64 = 0x1c0e_0000_a5a5_0008;
const SALT_INTEGRATION: u64 = 0x1c0e_0000_a5a5_0009;
const SALT_FILES: u64 = 0x1c0e_0000_a5a5_000a;
const SALT_SCHOOL_ROWS: u64 = 0x1c0e_0000_a5a5_000b;

/// One person who moved away during the year per this many residents.
const FORMER_EVERY: usize = 33;

/// Security deposits for spousal reunification were required from this day.
const DEPOSITS_SINCE: Date = date!(2002 - 07 - 01);

/// The kind's code as `register::ExtractKind::code` spells it.
const KIND_POPULATION: &str = "population";
const KIND_INCOME: &str = "income";
const KIND_BENEFITS: &str = "benefits";
const KIND_INTEGRATION: &str = "integration_programme";
const KIND_LANGUAGE_SCHOOL: &str = "language_school";
const KIND_HOUSING: &str = "housing_benefit";
const KIND_MAINTENANCE: &str = "maintenance_contracts";
const KIND_DEPOSITS: &str = "reunification_deposits";

/// Writes every extract into `dir` (created if missing), streaming.
pub fn write_extracts(population: &[Resident], options: &ExtractOptions, dir: &Path) -> io::Result<ExtractFiles> {
    std::fs::create_dir_all(dir).map_err(|e| context("extract folder", e))?;
    let ctx = Ctx::new(population, options);
    let mut files = Vec::new();
    let mut add = |file_name: &str, kind: &'static str, rows: u64| {
        files.push(ExtractFile { file_name: file_name.to_string(), kind, rows });
    };
    add("befolkning.csv", KIND_POPULATION, write_population(&ctx, dir, CountryForm::Iso)?);
    add("eindkomst.csv", KIND_INCOME, write_income(&ctx, dir)?);
    add("ydelser.csv", KIND_BENEFITS, write_benefits(&ctx, dir, BenefitDates::Month)?);
    add("integrationsprogram.csv", KIND_INTEGRATION, write_integration(&ctx, dir)?);
    let list = school::participants(population, options.seed, options.today, options.style);
    add("sprogskole.csv", KIND_LANGUAGE_SCHOOL, write_school_csv(&ctx, &list, dir)?);
    if options.xlsx && options.style == Style::Municipal {
        add("sprogskole.xlsx", KIND_LANGUAGE_SCHOOL, write_school_xlsx(&ctx, &list, dir)?);
    }
    add("boligstoette.csv", KIND_HOUSING, write_housing(&ctx, dir)?);
    add("forsoergelsespligt.csv", KIND_MAINTENANCE, write_maintenance(&ctx, dir)?);
    add("sikkerhedsstillelse.csv", KIND_DEPOSITS, write_deposits(&ctx, dir)?);
    Ok(ExtractFiles { files })
}

/// The 12 whole months before `today`, oldest first, each as its first day.
pub fn income_months(today: Date) -> [Date; 12] {
    let start = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - 12;
    std::array::from_fn(|i| {
        let n = start + i as i32;
        let month = Month::try_from((n.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
        Date::from_calendar_date(n.div_euclid(12), month, 1).unwrap_or(today)
    })
}

fn stream(seed: u64, salt: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ salt);
    rng.set_stream(n);
    rng
}

/// A CPR number's ten digits as ASCII.
fn digits(cpr: &Cpr) -> [u8; 10] {
    let mut out = [b'0'; 10];
    for (slot, b) in out.iter_mut().zip(cpr.expose().bytes().filter(u8::is_ascii_digit)) {
        *slot = b;
    }
    out
}

fn key(d: &[u8; 10]) -> u64 {
    d.iter().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
}

/// What every file writer shares.
struct Ctx<'a> {
    population: &'a [Resident],
    seed: u64,
    today: Date,
    style: Style,
    income_rows: IncomeRows,
    months: [Date; 12],
    /// People who moved away during the year (Municipal style only).
    formers: Vec<Former>,
}

impl<'a> Ctx<'a> {
    fn new(population: &'a [Resident], options: &ExtractOptions) -> Ctx<'a> {
        let formers = match options.style {
            Style::Municipal => formers(population, options.seed, options.today),
            Style::Plain => Vec::new(),
        };
        Ctx {
            population,
            seed: options.seed,
            today: options.today,
            style: options.style,
            income_rows: options.income_rows,
            months: income_months(options.today),
            formers,
        }
    }

    fn municipal(&self) -> bool {
        self.style == Style::Municipal
    }

    /// The resident's income and benefits over the 12 months.
    fn plans(&self, index: usize, r: &Resident) -> (Option<Monthly>, Option<Monthly>) {
        let t = Traits::of(r, self.today);
        let income = income(&mut stream(self.seed, SALT_INCOME, index as u64), &t);
        let benefit = benefit(&mut stream(self.seed, SALT_BENEFIT, index as u64), &t, income.as_ref());
        (income, benefit)
    }

    /// The former resident written after resident `index`, if any.
    fn former_after(&self, index: usize) -> Option<&Former> {
        if !(index + 1).is_multiple_of(FORMER_EVERY) {
            return None;
        }
        self.formers.get((index + 1) / FORMER_EVERY - 1)
    }

    fn reunification(&self, index: usize, r: &Resident) -> Option<Reunification<'a>> {
        if !r.family_reunified {
            return None;
        }
        let supporter = self.population.get(r.spouse?)?;
        let arrived = r.arrived_in_denmark?;
        let mut rng = stream(self.seed, SALT_REUNIFICATION, index as u64);
        let deposit = (arrived >= DEPOSITS_SINCE && chance(&mut rng, 0.9))
            .then(|| arrived.checked_sub(Duration::days(rng.random_range(14..=120))))
            .flatten();
        Some(Reunification { supporter, start: arrived, end: add_years(arrived, 3), deposit })
    }
}

struct Reunification<'a> {
    supporter: &'a Resident,
    start: Date,
    end: Date,
    deposit: Option<Date>,
}

fn add_years(d: Date, years: i32) -> Date {
    Date::from_calendar_date(d.year() + years, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(d.year() + years, d.month(), d.day().saturating_sub(1)))
        .unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_twelve_months_are_the_whole_months_before_today() {
        let m = income_months(date!(2026 - 11 - 25));
        assert_eq!(m[0], date!(2025 - 11 - 01));
        assert_eq!(m[11], date!(2026 - 10 - 01));
        let m = income_months(date!(2026 - 01 - 01));
        assert_eq!(m[0], date!(2025 - 01 - 01));
        assert_eq!(m[11], date!(2025 - 12 - 01));
    }

    #[test]
    fn plans_follow_the_flags() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for age in [16, 22, 35, 58, 66, 80] {
            for (employed, on_benefit) in [(true, true), (true, false), (false, true), (false, false)] {
                let t = Traits {
                    age,
                    female: true,
                    years_here: Some(3),
                    arrived_as_child: false,
                    western: false,
                    employed,
                    on_benefit,
                };
                for _ in 0..50 {
                    let i = income(&mut rng, &t);
                    let b = benefit(&mut rng, &t, i.as_ref());
                    assert_eq!(i.as_ref().is_some_and(|m| m.months() > 0), employed);
                    assert_eq!(b.as_ref().is_some_and(|m| m.months() > 0), on_benefit);
                    assert!(i.iter().chain(b.iter()).all(|m| m.amounts.iter().all(|a| *a >= 0)));
                }
            }
        }
    }

    #[test]
    fn people_who_moved_away_have_numbers_no_resident_has() {
        let today = date!(2026 - 11 - 25);
        let pop = crate::population::population(4, 2_000, today);
        let f = formers(&pop, 4, today);
        assert_eq!(f.len(), 2_000 / FORMER_EVERY);
        let resident: HashSet<u64> = pop.iter().map(|r| key(&digits(&r.cpr))).collect();
        let mut own = HashSet::new();
        for former in &f {
            assert!(!resident.contains(&key(&former.cpr)));
            assert!(own.insert(key(&former.cpr)));
            assert!(Cpr::parse(std::str::from_utf8(&former.cpr).unwrap()).is_ok());
            assert!(
                former
                    .income
                    .iter()
                    .chain(former.benefit.iter())
                    .all(|m| m.amounts[former.months..].iter().all(|a| *a == 0))
            );
        }
    }
}
