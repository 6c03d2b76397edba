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

mod csv_out;
mod school;
mod shapes;

pub use school::{Outsider, Who};
pub use shapes::{
    BenefitDates, CountryForm, CourseList, CourseRow, PopulationFile, Shapes, course_list_with_outsiders,
    danish_country_name, with_twin_sisters, write_extracts_shaped, write_truth_shaped,
};

use crate::age_on;
use crate::pick::{chance, weighted};
use crate::population::{Resident, Sex};
use csv_out::{AmountForm, CsvOut, DateForm, Encoding, Layout, MonthForm, context, push_amount, push_cpr, push_date};
use csv_out::{push_month, push_padded};
use domain::Cpr;
use domain::reference::is_non_western;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;
use time::macros::date;
use time::{Date, Duration, Month};

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

/// The kind's code as `register::SourceKind::code` spells it.
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

/// Writes `truth/` under `dir`:
/// - `target.csv` (`cpr`): the women the guide's example selection must find — women
///   18–64 on `today`, non-Western origin, more than three years in Denmark
///   (`Resident::in_denmark_more_than(3, today)`), no income row with an amount above 0 and
///   no benefit row in the 12 months. Population order, ten digits.
/// - `language_school_links.csv` (`row,cpr`): each list row as a spreadsheet numbers it
///   (header = 1) and the resident's CPR, empty for a participant who moved away.
/// - `residents.csv`: per resident what the extracts say about them (income months and
///   total, benefit type and months, programme, reunification, list rows, target).
/// - `maintenance_truth.csv`: every reunified spouse with the supporter, the contract's
///   start and end, whether it is still running on `today`, and the deposit date.
/// - `moved_away.csv` (`cpr,months_before_moving`): the CPRs in the income and benefit
///   files that are not residents (none in the Plain style).
pub fn write_truth(population: &[Resident], options: &ExtractOptions, dir: &Path) -> io::Result<()> {
    let dir = dir.join("truth");
    std::fs::create_dir_all(&dir).map_err(|e| context("truth folder", e))?;
    let ctx = Ctx::new(population, options);
    let plain = Layout { separator: b',', encoding: Encoding::Utf8, crlf: false };
    let today = options.today;

    let list = school::participants(population, options.seed, today, options.style);
    let mut rows_of: HashMap<usize, u32> = HashMap::new();
    let mut links = CsvOut::create(&dir, "language_school_links.csv", plain, &["row", "cpr"])?;
    for (i, p) in list.iter().enumerate() {
        links.ascii(|b| push_padded(b, (i + 2) as u32, 1));
        match p.resident.and_then(|r| population.get(r).map(|res| (r, res))) {
            Some((r, res)) => {
                *rows_of.entry(r).or_default() += 1;
                links.ascii(|b| push_cpr(b, &digits(&res.cpr), false));
            }
            None => links.empty(),
        }
        links.end_row()?;
    }
    links.finish()?;

    let mut target = CsvOut::create(&dir, "target.csv", plain, &["cpr"])?;
    let mut residents = CsvOut::create(
        &dir,
        "residents.csv",
        plain,
        &[
            "cpr",
            "sex",
            "age",
            "country_of_origin",
            "non_western",
            "years_in_denmark",
            "income_months",
            "income_total",
            "benefit_type",
            "benefit_months",
            "in_integration_programme",
            "family_reunified",
            "language_school_rows",
            "target",
        ],
    )?;
    for (i, r) in population.iter().enumerate() {
        let (income, benefit) = ctx.plans(i, r);
        let cpr = digits(&r.cpr);
        let in_target = is_target(r, today, income.as_ref(), benefit.as_ref());
        if in_target {
            target.ascii(|b| push_cpr(b, &cpr, false));
            target.end_row()?;
        }
        let flag = |b: bool| if b { "1" } else { "0" };
        residents.ascii(|b| push_cpr(b, &cpr, false));
        residents.text(if r.sex == Sex::Female { "K" } else { "M" });
        residents.ascii(|b| push_padded(b, r.age_on(today).max(0).unsigned_abs(), 1));
        residents.text(&r.country_of_origin);
        residents.text(flag(is_non_western(&r.country_of_origin)));
        residents.ascii(|b| push_padded(b, r.years_in_denmark(today).max(0).unsigned_abs(), 1));
        residents.ascii(|b| push_padded(b, income.as_ref().map_or(0, Monthly::months) as u32, 1));
        residents.ascii(|b| push_amount(b, income.as_ref().map_or(0, Monthly::total), AmountForm::Dot));
        residents.text(benefit.as_ref().map_or("", |m| m.kind));
        residents.ascii(|b| push_padded(b, benefit.as_ref().map_or(0, Monthly::months) as u32, 1));
        residents.text(flag(r.in_integration_programme));
        residents.text(flag(r.family_reunified));
        residents.ascii(|b| push_padded(b, rows_of.get(&i).copied().unwrap_or(0), 1));
        residents.text(flag(in_target));
        residents.end_row()?;
    }
    target.finish()?;
    residents.finish()?;

    let mut contracts = CsvOut::create(
        &dir,
        "maintenance_truth.csv",
        plain,
        &["cpr", "supporter_cpr", "start_date", "end_date", "active_on_today", "deposit_date"],
    )?;
    for (i, r) in population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        contracts.ascii(|b| push_cpr(b, &digits(&r.cpr), false));
        contracts.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), false));
        contracts.ascii(|b| push_date(b, c.start, DateForm::Iso));
        contracts.ascii(|b| push_date(b, c.end, DateForm::Iso));
        contracts.text(if c.end > today { "1" } else { "0" });
        match c.deposit {
            Some(d) => contracts.ascii(|b| push_date(b, d, DateForm::Iso)),
            None => contracts.empty(),
        }
        contracts.end_row()?;
    }
    contracts.finish()?;

    let mut moved = CsvOut::create(&dir, "moved_away.csv", plain, &["cpr", "months_before_moving"])?;
    for f in &ctx.formers {
        moved.ascii(|b| push_cpr(b, &f.cpr, false));
        moved.ascii(|b| push_padded(b, f.months as u32, 1));
        moved.end_row()?;
    }
    moved.finish()?;
    Ok(())
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

fn is_target(r: &Resident, today: Date, income: Option<&Monthly>, benefit: Option<&Monthly>) -> bool {
    r.sex == Sex::Female
        && (18..=64).contains(&r.age_on(today))
        && is_non_western(&r.country_of_origin)
        && r.in_denmark_more_than(3, today)
        && income.is_none_or(|m| m.months() == 0)
        && benefit.is_none_or(|m| m.months() == 0)
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

/// What income and benefits depend on.
#[derive(Debug, Clone, Copy)]
struct Traits {
    age: i32,
    female: bool,
    /// Whole years since arriving; `None` for those born here.
    years_here: Option<i32>,
    arrived_as_child: bool,
    western: bool,
    employed: bool,
    on_benefit: bool,
}

impl Traits {
    fn of(r: &Resident, today: Date) -> Traits {
        Traits {
            age: r.age_on(today),
            female: r.sex == Sex::Female,
            years_here: r.arrived_in_denmark.map(|a| age_on(a, today)),
            arrived_as_child: r.arrived_in_denmark.is_some_and(|a| age_on(r.birth_date, a) < 18),
            western: !is_non_western(&r.country_of_origin),
            employed: r.employed,
            on_benefit: r.on_benefit,
        }
    }
}

/// Twelve monthly amounts in øre, of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Monthly {
    kind: &'static str,
    amounts: [i64; 12],
}

impl Monthly {
    fn months(&self) -> usize {
        self.amounts.iter().filter(|a| **a > 0).count()
    }

    fn total(&self) -> i64 {
        self.amounts.iter().sum()
    }
}

/// A contiguous run of months in the year, `(from, to)` exclusive.
fn run(rng: &mut ChaCha8Rng, shortest: usize, longest: usize) -> (usize, usize) {
    let len = rng.random_range(shortest..=longest.min(12));
    let from = rng.random_range(0..=12 - len);
    (from, from + len)
}

fn income(rng: &mut ChaCha8Rng, t: &Traits) -> Option<Monthly> {
    if !t.employed {
        return None;
    }
    let (lo, hi) = match t.age {
        ..18 => (1_500.0, 5_000.0),
        18..25 => (9_000.0, 24_000.0),
        25..30 => (22_000.0, 36_000.0),
        30..60 => (24_000.0, 52_000.0),
        60..65 => (26_000.0, 48_000.0),
        _ => (4_000.0, 22_000.0),
    };
    let mut level: f64 = rng.random_range(lo..hi);
    if t.female {
        level *= 0.88;
    }
    if t.years_here.is_some_and(|y| y < 10) && !t.arrived_as_child {
        level *= 0.8;
    }
    if chance(rng, 0.12) {
        level *= 0.55;
    }
    let kind = weighted(rng, &[("Løn", 93), ("B-indkomst", 4), ("Honorar", 3)], |k| k.1).map_or("Løn", |k| k.0);
    let (from, to) = if chance(rng, 0.8) {
        (0, 12)
    } else {
        // A job begun or ended during the year.
        let len = rng.random_range(1..=11);
        if chance(rng, 0.5) { (12 - len, 12) } else { (0, len) }
    };
    let mut amounts = [0i64; 12];
    for a in amounts.iter_mut().take(to).skip(from) {
        let f: f64 = rng.random_range(0.96..1.04);
        *a = ((level * f * 100.0).round() as i64).max(100);
    }
    Some(Monthly { kind, amounts })
}

fn benefit(rng: &mut ChaCha8Rng, t: &Traits, income: Option<&Monthly>) -> Option<Monthly> {
    if !t.on_benefit {
        return None;
    }
    let all = (0, 12);
    // Besides a job: the months without pay, or a short spell of it.
    let beside_work = |rng: &mut ChaCha8Rng| -> [bool; 12] {
        match income {
            Some(i) if i.amounts.contains(&0) => i.amounts.map(|a| a == 0),
            _ => mask(run(rng, 1, 4)),
        }
    };
    let adult_newcomer = t.years_here.is_some_and(|y| y < 9) && !t.arrived_as_child;
    let (kind, lo, hi, months): (&str, i64, i64, [bool; 12]) = if t.age >= 67 {
        ("Folkepension", 7_200, 14_600, mask(all))
    } else if t.age >= 65 {
        ("Efterløn", 17_000, 19_700, mask(all))
    } else if t.age < 30 && (t.years_here.is_none() || t.arrived_as_child || t.western) && chance(rng, 0.8) {
        // Living away from home or with the parents.
        let rate = if chance(rng, 0.7) { 6_820 } else { 3_040 };
        ("SU", rate, rate, mask(all))
    } else if adult_newcomer && !t.western {
        let months = if t.employed { beside_work(rng) } else { mask(all) };
        ("Integrationsydelse", 6_600, 13_200, months)
    } else if t.age >= 50 && !t.employed && chance(rng, 0.35) {
        ("Førtidspension", 15_000, 21_500, mask(all))
    } else if t.employed {
        let kind = if chance(rng, 0.8) { "Dagpenge" } else { "Sygedagpenge" };
        (kind, 9_000, 19_728, beside_work(rng))
    } else {
        let kinds = [
            ("Kontanthjælp", 55, 11_500, 16_800),
            ("Dagpenge", 35, 12_000, 19_728),
            ("Sygedagpenge", 10, 9_000, 19_728),
        ];
        let (kind, _, lo, hi) = weighted(rng, &kinds, |k| k.1).copied().unwrap_or(kinds[0]);
        let months = if chance(rng, 0.7) { mask(all) } else { mask(run(rng, 3, 11)) };
        (kind, lo, hi, months)
    };
    let base = rng.random_range(lo..=hi);
    let varies = matches!(kind, "Dagpenge" | "Sygedagpenge");
    let mut amounts = [0i64; 12];
    for (a, on) in amounts.iter_mut().zip(months) {
        if on {
            let kroner = if varies { base * rng.random_range(90..=110) / 100 } else { base };
            *a = kroner.max(1) * 100;
        }
    }
    if amounts.iter().all(|a| *a == 0)
        && let Some(last) = amounts.last_mut()
    {
        *last = base.max(1) * 100;
    }
    Some(Monthly { kind, amounts })
}

fn mask((from, to): (usize, usize)) -> [bool; 12] {
    std::array::from_fn(|i| (from..to).contains(&i))
}

/// Someone who lived here part of the year and moved away before `today`.
struct Former {
    cpr: [u8; 10],
    /// Months of the year lived here, from the first.
    months: usize,
    income: Option<Monthly>,
    benefit: Option<Monthly>,
}

/// CPR numbers no resident has, for the people who moved away.
fn formers(population: &[Resident], seed: u64, today: Date) -> Vec<Former> {
    let mut taken: Vec<u64> = population.iter().map(|r| key(&digits(&r.cpr))).collect();
    taken.sort_unstable();
    let mut issued: HashSet<u64> = HashSet::new();
    let count = population.len() / FORMER_EVERY;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let mut rng = stream(seed, SALT_FORMER, k as u64);
        let rng = &mut rng;
        let age = rng.random_range(18..=75);
        let female = chance(rng, 0.5);
        let Some(cpr) = (0..20).find_map(|_| {
            let cpr = new_cpr(rng, today, age, female)?;
            let k = key(&cpr);
            (taken.binary_search(&k).is_err() && issued.insert(k)).then_some(cpr)
        }) else {
            continue;
        };
        let years_here = chance(rng, 0.3).then(|| rng.random_range(0..15));
        let employed = chance(rng, if age < 65 { 0.7 } else { 0.1 });
        let on_benefit = chance(
            rng,
            match (age, employed) {
                (65.., _) => 0.95,
                (_, true) => 0.08,
                (_, false) => 0.6,
            },
        );
        let t = Traits { age, female, years_here, arrived_as_child: false, western: false, employed, on_benefit };
        let months = rng.random_range(1..=11);
        let cut = |m: Option<Monthly>| {
            m.map(|mut m| {
                for a in m.amounts.iter_mut().skip(months) {
                    *a = 0;
                }
                m
            })
        };
        let income = cut(income(rng, &t));
        let benefit = cut(benefit(rng, &t, income.as_ref()));
        out.push(Former { cpr, months, income, benefit });
    }
    out
}

/// A valid CPR number for someone `age` years old (not checked against the issued).
fn new_cpr(rng: &mut ChaCha8Rng, today: Date, age: i32, female: bool) -> Option<[u8; 10]> {
    let birth = today.checked_sub(Duration::days(i64::from(age) * 365 + rng.random_range(0..365)))?;
    cpr_born(rng, birth, female)
}

/// A valid CPR number for someone born on `birth` (not checked against the issued).
fn cpr_born(rng: &mut ChaCha8Rng, birth: Date, female: bool) -> Option<[u8; 10]> {
    let year = birth.year();
    let sevenths: &[u8] = match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1936 => &[0, 1, 2, 3],
        1937..=1999 => &[0, 1, 2, 3, 4, 9],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        _ => return None,
    };
    let seventh = *sevenths.get(rng.random_range(0..sevenths.len()))?;
    let yy = year.rem_euclid(100) as u32;
    let (d, m) = (u32::from(birth.day()), u32::from(u8::from(birth.month())));
    let serial: u32 = rng.random_range(0..100);
    let last = 2 * rng.random_range(0..5u32) + u32::from(!female);
    let mut text = Vec::with_capacity(10);
    for (n, w) in [(d, 2), (m, 2), (yy, 2), (u32::from(seventh), 1), (serial, 2), (last, 1)] {
        push_padded(&mut text, n, w);
    }
    let cpr: [u8; 10] = text.try_into().ok()?;
    Cpr::parse(std::str::from_utf8(&cpr).ok()?).ok().map(|_| cpr)
}

/// A row's noise draws: the other CPR form, an ISO date, a second copy.
struct Noise {
    rng: ChaCha8Rng,
    on: bool,
}

impl Noise {
    fn new(ctx: &Ctx<'_>, salt: u64, n: u64) -> Noise {
        Noise { rng: stream(ctx.seed, salt, n), on: ctx.municipal() }
    }

    fn happens(&mut self, p: f64) -> bool {
        self.on && chance(&mut self.rng, p)
    }
}

fn layout(ctx: &Ctx<'_>, separator: u8, encoding: Encoding) -> Layout {
    match ctx.style {
        Style::Municipal => Layout { separator, encoding, crlf: true },
        Style::Plain => Layout { separator: b',', encoding: Encoding::Utf8, crlf: false },
    }
}

/// The file's CPR form, and the other one for a few rows.
fn cpr_form(ctx: &Ctx<'_>, hyphen: bool, noise: &mut Noise) -> bool {
    if !ctx.municipal() {
        return false;
    }
    if noise.happens(0.005) { !hyphen } else { hyphen }
}

fn date_form(ctx: &Ctx<'_>, form: DateForm, noise: &mut Noise, p_iso: f64) -> DateForm {
    if !ctx.municipal() || noise.happens(p_iso) { DateForm::Iso } else { form }
}

fn write_population(ctx: &Ctx<'_>, dir: &Path, country: CountryForm) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "befolkning.csv", layout, POPULATION_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let mut noise = Noise::new(ctx, SALT_POPULATION_ROWS, i as u64);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.005);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.text(&r.given_name);
        out.text(&r.family_name);
        out.text(if r.sex == Sex::Female { "K" } else { "M" });
        out.ascii(|b| push_date(b, r.birth_date, form));
        out.text(shapes::country_as(&r.country_of_origin, country));
        out.text(&r.street);
        out.text(&r.postcode);
        out.text(crate::CITY);
        out.text(r.area_code);
        match r.arrived_in_denmark {
            Some(a) => out.ascii(|b| push_date(b, a, form)),
            None => out.empty(),
        }
        out.end_row()?;
    }
    out.finish()
}

/// Writes one person's monthly rows: `cpr`, month, then `fields` in the file's order.
struct MonthRows<'o> {
    out: &'o mut CsvOut,
    month_form: MonthForm,
    amount_form: AmountForm,
    hyphen: bool,
    repeat: Vec<u8>,
}

impl MonthRows<'_> {
    fn income_row(
        &mut self,
        noise: &mut Noise,
        cpr: &[u8; 10],
        month: Date,
        amount: i64,
        kind: &str,
    ) -> io::Result<()> {
        let hyphen = if noise.happens(0.005) { !self.hyphen } else { self.hyphen };
        let (mf, af) = (self.month_form, self.amount_form);
        self.out.ascii(|b| push_cpr(b, cpr, hyphen));
        self.out.ascii(|b| push_month(b, month, mf));
        self.out.ascii(|b| push_amount(b, amount, af));
        self.out.text(kind);
        self.end(noise)
    }

    fn benefit_row(
        &mut self,
        noise: &mut Noise,
        cpr: &[u8; 10],
        month: Date,
        amount: i64,
        kind: &str,
    ) -> io::Result<()> {
        let hyphen = if noise.happens(0.005) { !self.hyphen } else { self.hyphen };
        let iso = match self.month_form {
            MonthForm::LastWeekday(_) => MonthForm::LastWeekday(DateForm::Iso),
            _ => MonthForm::YearMonth,
        };
        let (af, mf) = (self.amount_form, if noise.happens(0.005) { iso } else { self.month_form });
        self.out.ascii(|b| push_cpr(b, cpr, hyphen));
        self.out.ascii(|b| push_month(b, month, mf));
        self.out.text(kind);
        self.out.ascii(|b| push_amount(b, amount, af));
        self.end(noise)
    }

    fn end(&mut self, noise: &mut Noise) -> io::Result<()> {
        let twice = noise.happens(0.003);
        if twice {
            self.repeat.clear();
            self.repeat.extend_from_slice(self.out.current());
        }
        self.out.end_row()?;
        if twice {
            self.out.repeat_row(&self.repeat)?;
        }
        Ok(())
    }
}

fn write_income(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "eindkomst.csv", layout, INCOME_HEADER)?;
    let month_form = match ctx.style {
        Style::Municipal if chance(&mut stream(ctx.seed, SALT_FILES, 0), 0.5) => MonthForm::MonthYear,
        _ => MonthForm::YearMonth,
    };
    let amount_form = if ctx.municipal() { AmountForm::Danish } else { AmountForm::Dot };
    let mut rows = MonthRows { out: &mut out, month_form, amount_form, hyphen: false, repeat: Vec::new() };
    let former_zero_reports = ctx.income_rows != IncomeRows::EarnersOnly;
    for (i, r) in ctx.population.iter().enumerate() {
        let t = Traits::of(r, ctx.today);
        let plan = income(&mut stream(ctx.seed, SALT_INCOME, i as u64), &t);
        let zero_reports = match ctx.income_rows {
            IncomeRows::EarnersOnly => false,
            IncomeRows::EveryAdult => t.age >= 15,
            IncomeRows::EveryResident => true,
        };
        if plan.is_some() || zero_reports {
            let mut noise = Noise::new(ctx, SALT_INCOME_ROWS, i as u64);
            let cpr = digits(&r.cpr);
            let (kind, amounts) = plan.map_or(("Løn", [0; 12]), |p| (p.kind, p.amounts));
            for (month, amount) in ctx.months.iter().zip(amounts) {
                rows.income_row(&mut noise, &cpr, *month, amount, kind)?;
            }
        }
        if let Some(f) = ctx.former_after(i) {
            let mut noise = Noise::new(ctx, SALT_INCOME_ROWS, (ctx.population.len() + i) as u64);
            if f.income.is_some() || former_zero_reports {
                let (kind, amounts) = f.income.as_ref().map_or(("Løn", [0; 12]), |p| (p.kind, p.amounts));
                for (month, amount) in ctx.months.iter().zip(amounts).take(f.months) {
                    rows.income_row(&mut noise, &f.cpr, *month, amount, kind)?;
                }
            }
        }
    }
    out.finish()
}

fn write_benefits(ctx: &Ctx<'_>, dir: &Path, dates: BenefitDates) -> io::Result<u64> {
    let layout = layout(ctx, b',', Encoding::Utf8);
    let header = match dates {
        BenefitDates::Month => BENEFITS_HEADER,
        BenefitDates::PaymentDate => shapes::BENEFITS_PAID_HEADER,
    };
    let mut out = CsvOut::create(dir, "ydelser.csv", layout, header)?;
    let (month_form, amount_form) = match (ctx.style, dates) {
        (Style::Municipal, BenefitDates::Month) => (MonthForm::FirstDay(DateForm::DayMonthYearDot), AmountForm::Danish),
        (Style::Plain, BenefitDates::Month) => (MonthForm::YearMonth, AmountForm::Dot),
        (Style::Municipal, BenefitDates::PaymentDate) => {
            (MonthForm::LastWeekday(DateForm::DayMonthYearDot), AmountForm::Danish)
        }
        (Style::Plain, BenefitDates::PaymentDate) => (MonthForm::LastWeekday(DateForm::Iso), AmountForm::Dot),
    };
    let hyphen = ctx.municipal();
    let mut rows = MonthRows { out: &mut out, month_form, amount_form, hyphen, repeat: Vec::new() };
    for (i, r) in ctx.population.iter().enumerate() {
        if r.on_benefit {
            let (_, plan) = ctx.plans(i, r);
            if let Some(plan) = plan {
                let mut noise = Noise::new(ctx, SALT_BENEFIT_ROWS, i as u64);
                let cpr = digits(&r.cpr);
                for (month, amount) in ctx.months.iter().zip(plan.amounts) {
                    if amount > 0 {
                        rows.benefit_row(&mut noise, &cpr, *month, amount, plan.kind)?;
                    }
                }
            }
        }
        if let Some(f) = ctx.former_after(i)
            && let Some(plan) = &f.benefit
        {
            let mut noise = Noise::new(ctx, SALT_BENEFIT_ROWS, (ctx.population.len() + i) as u64);
            for (month, amount) in ctx.months.iter().zip(plan.amounts) {
                if amount > 0 {
                    rows.benefit_row(&mut noise, &f.cpr, *month, amount, plan.kind)?;
                }
            }
        }
    }
    out.finish()
}

fn write_integration(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "integrationsprogram.csv", layout, INTEGRATION_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        if !r.in_integration_programme {
            continue;
        }
        let Some(arrived) = r.arrived_in_denmark else { continue };
        let mut noise = Noise::new(ctx, SALT_INTEGRATION, i as u64);
        // The municipality takes over within three months of arrival.
        let start =
            arrived.checked_add(Duration::days(noise.rng.random_range(0..=90))).unwrap_or(arrived).min(ctx.today);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDot, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.text(&format!("{} {}", r.given_name, r.family_name));
        out.ascii(|b| push_date(b, start, form));
        out.end_row()?;
    }
    out.finish()
}

fn write_school_csv(ctx: &Ctx<'_>, list: &[school::Participant], dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "sprogskole.csv", layout, LANGUAGE_SCHOOL_HEADER)?;
    let mut noise = Noise::new(ctx, SALT_SCHOOL_ROWS, 0);
    for p in list {
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.01);
        out.text(&p.name);
        out.ascii(|b| push_date(b, p.birth_date, form));
        match &p.phone {
            Some(phone) => out.text(phone),
            None => out.empty(),
        }
        out.text(&p.course);
        out.end_row()?;
    }
    out.finish()
}

fn write_school_xlsx(ctx: &Ctx<'_>, list: &[school::Participant], dir: &Path) -> io::Result<u64> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
    const NAME: &str = "sprogskole.xlsx";
    let xlsx = |e: XlsxError| io::Error::other(format!("{NAME}: {e}"));
    let excel_date = |d: Date| ExcelDateTime::from_ymd(d.year().max(0) as u16, u8::from(d.month()), d.day());
    let mut book = Workbook::new();
    // A fixed creation time keeps the file a function of the seed.
    let created = excel_date(ctx.today).map_err(xlsx)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let date_format = Format::new().set_num_format("dd-mm-yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name(LANGUAGE_SCHOOL_SHEET).map_err(xlsx)?;
    for (col, h) in (0u16..).zip(LANGUAGE_SCHOOL_HEADER) {
        sheet.write_string(0, col, *h).map_err(xlsx)?;
    }
    let mut rows = 0u64;
    for (row, p) in (1u32..).zip(list) {
        sheet.write_string(row, 0, &p.name).map_err(xlsx)?;
        sheet
            .write_datetime_with_format(row, 1, excel_date(p.birth_date).map_err(xlsx)?, &date_format)
            .map_err(xlsx)?;
        if let Some(phone) = &p.phone {
            sheet.write_string(row, 2, phone).map_err(xlsx)?;
        }
        sheet.write_string(row, 3, &p.course).map_err(xlsx)?;
        rows += 1;
    }
    sheet.set_column_width(0, 28).map_err(xlsx)?;
    sheet.set_column_width(1, 12).map_err(xlsx)?;
    sheet.set_column_width(2, 14).map_err(xlsx)?;
    sheet.set_column_width(3, 20).map_err(xlsx)?;
    book.save(dir.join(NAME)).map_err(xlsx)?;
    Ok(rows)
}

/// One row per household that applied for housing benefit, with the household's income
/// (every member's income-register income and benefits over the 12 months, whole
/// kroner): pensioners and low-income households, as in boligstøtte.
fn write_housing(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = Layout { crlf: false, ..layout(ctx, b';', Encoding::Utf8) };
    let mut out = CsvOut::create(dir, "boligstoette.csv", layout, HOUSING_HEADER)?;
    let pop = ctx.population;
    let mut start = 0;
    while let Some(first) = pop.get(start) {
        let end = pop[start..].iter().position(|r| r.household != first.household).map_or(pop.len(), |n| start + n);
        let members = &pop[start..end];
        let mut total = 0i64;
        for (offset, r) in members.iter().enumerate() {
            let (income, benefit) = ctx.plans(start + offset, r);
            total += income.map_or(0, |m| m.total()) + benefit.map_or(0, |m| m.total());
        }
        let kroner = total / 100;
        let pensioner = members.iter().any(|r| r.age_on(ctx.today) >= 67);
        let children = members.iter().any(|r| r.age_on(ctx.today) < 18);
        let applicant = members.iter().position(|r| r.age_on(ctx.today) >= 18);
        let mut rng = stream(ctx.seed, SALT_HOUSING, first.household as u64);
        let p = match (pensioner, kroner) {
            (true, ..300_000) => 0.3,
            (true, _) => 0.05,
            (false, ..250_000) => 0.2,
            (false, ..450_000) if children => 0.12,
            _ => 0.01,
        };
        if let Some(a) = applicant
            && chance(&mut rng, p)
            && let Some(r) = members.get(a)
        {
            let mut noise = Noise::new(ctx, SALT_HOUSING, (pop.len() + start) as u64);
            let applied = ctx.today.checked_sub(Duration::days(rng.random_range(30..=1_000))).unwrap_or(ctx.today);
            let hyphen = cpr_form(ctx, false, &mut noise);
            out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
            out.ascii(|b| push_amount(b, kroner * 100, AmountForm::WholeKroner));
            out.ascii(|b| push_date(b, applied, DateForm::Iso));
            out.end_row()?;
        }
        start = end;
    }
    out.finish()
}

fn write_maintenance(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Windows1252);
    let mut out = CsvOut::create(dir, "forsoergelsespligt.csv", layout, MAINTENANCE_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        let mut noise = Noise::new(ctx, SALT_REUNIFICATION, (ctx.population.len() + i) as u64);
        let hyphen = cpr_form(ctx, true, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearDash, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), hyphen));
        out.ascii(|b| push_date(b, c.start, form));
        out.ascii(|b| push_date(b, c.end, form));
        out.end_row()?;
    }
    out.finish()
}

fn write_deposits(ctx: &Ctx<'_>, dir: &Path) -> io::Result<u64> {
    let layout = layout(ctx, b';', Encoding::Utf8Bom);
    let mut out = CsvOut::create(dir, "sikkerhedsstillelse.csv", layout, DEPOSITS_HEADER)?;
    for (i, r) in ctx.population.iter().enumerate() {
        let Some(c) = ctx.reunification(i, r) else { continue };
        let Some(paid) = c.deposit else { continue };
        let mut noise = Noise::new(ctx, SALT_REUNIFICATION, (2 * ctx.population.len() + i) as u64);
        let hyphen = cpr_form(ctx, false, &mut noise);
        let form = date_form(ctx, DateForm::DayMonthYearShort, &mut noise, 0.01);
        out.ascii(|b| push_cpr(b, &digits(&r.cpr), hyphen));
        out.ascii(|b| push_cpr(b, &digits(&c.supporter.cpr), hyphen));
        out.ascii(|b| push_date(b, paid, form));
        out.end_row()?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
