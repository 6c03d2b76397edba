//! The same municipality's extracts in other shapes (issue 12): what another
//! municipality's systems would write for the same people. Each shape changes one file
//! and leaves the people, the amounts and the truth of the target group as they are, so
//! that a register search must find exactly `truth/target.csv` on every shape:
//!
//! - [`PopulationFile::WorkbookWithTitle`]: `befolkning.xlsx` instead of
//!   `befolkning.csv`, sheet "Befolkning", a title row `Udtræk fra CPR pr. dd-mm-yyyy`
//!   (the extracts' reference date, `options.today`) and a blank row above the header;
//!   dates as date cells, CPR numbers as text with a hyphen.
//! - [`CountryForm::DanishName`]: the origin column holds Danish country names
//!   ("Danmark", "Tyskland", "Rumænien") instead of ISO codes.
//! - [`BenefitDates::PaymentDate`]: `ydelser.csv` has a column `Udbetalingsdato` with the
//!   month's last weekday (a payment date within the month) instead of a month.
//! - [`CourseList::WithOutsiders`]: `sprogskole.csv` lists women only, about a quarter
//!   of them not in the population (namesakes, women sharing a given name and birth
//!   date, strangers), some residents on two courses (see `school::Who`).
//!
//! CPR's numeric country codes are not written: their table could not be checked
//! against a public source.

use super::csv_out::context;
use super::moved_away::cpr_born;
use super::school::{self, Participant, Who};
use super::writers::{write_benefits, write_population, write_school_csv};
use super::{BenefitDates as Dates, Ctx, write_extracts, write_truth};
use super::{ExtractFile, ExtractFiles, ExtractOptions, KIND_POPULATION, POPULATION_HEADER, digits};
use crate::population::{Resident, Sex};
use domain::Cpr;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::io;
use std::path::Path;
use time::Date;

/// The header of `ydelser.csv` with payment dates.
pub(super) const BENEFITS_PAID_HEADER: &[&str] = &["CPR", "Udbetalingsdato", "Ydelsestype", "Beløb"];

/// The sheet of `befolkning.xlsx`.
pub const POPULATION_SHEET: &str = "Befolkning";

/// How the population extract is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PopulationFile {
    /// `befolkning.csv`, as [`write_extracts`] writes it.
    #[default]
    Csv,
    /// `befolkning.xlsx` with a title row and a blank row above the header.
    WorkbookWithTitle,
}

/// How the population extract writes the country of origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountryForm {
    /// ISO 3166 alpha-2 ("DK", "SY"), as [`write_extracts`] writes it.
    #[default]
    Iso,
    /// The Danish name ("Danmark", "Syrien"); see [`danish_country_name`].
    DanishName,
}

/// How the benefits extract dates a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BenefitDates {
    /// A month column (`Måned`), as [`write_extracts`] writes it.
    #[default]
    Month,
    /// A payment date (`Udbetalingsdato`): the month's last weekday.
    PaymentDate,
}

/// Which course list `sprogskole.csv` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CourseList {
    /// The language school's list as [`write_extracts`] writes it.
    #[default]
    Residents,
    /// Women only, partly outside the population: [`course_list_with_outsiders`].
    WithOutsiders,
}

/// The shape of each extract; `Shapes::default()` is what [`write_extracts`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shapes {
    pub population: PopulationFile,
    pub country: CountryForm,
    pub benefit_dates: BenefitDates,
    pub course_list: CourseList,
}

/// Writes every extract as [`write_extracts`] does, then the files `shapes` changes in
/// their shape (see the module documentation). With [`PopulationFile::WorkbookWithTitle`]
/// there is no `befolkning.csv`; with [`CourseList::WithOutsiders`] no `sprogskole.xlsx`.
/// Returns the files as they are in `dir`.
pub fn write_extracts_shaped(
    population: &[Resident],
    options: &ExtractOptions,
    shapes: &Shapes,
    dir: &Path,
) -> io::Result<ExtractFiles> {
    let mut files = write_extracts(population, options, dir)?;
    let ctx = Ctx::new(population, options);
    let mut replace = |old: &str, new: ExtractFile| -> io::Result<()> {
        if old != new.file_name {
            std::fs::remove_file(dir.join(old)).map_err(|e| context(old, e))?;
        }
        files.files.retain(|f| f.file_name != old && f.file_name != new.file_name);
        files.files.push(new);
        Ok(())
    };
    match shapes.population {
        PopulationFile::Csv if shapes.country != CountryForm::Iso => {
            let rows = write_population(&ctx, dir, shapes.country)?;
            replace("befolkning.csv", ExtractFile { file_name: "befolkning.csv".into(), kind: KIND_POPULATION, rows })?;
        }
        PopulationFile::Csv => {}
        PopulationFile::WorkbookWithTitle => {
            let rows = write_population_workbook(population, options, shapes.country, dir)?;
            let file = ExtractFile { file_name: "befolkning.xlsx".into(), kind: KIND_POPULATION, rows };
            replace("befolkning.csv", file)?;
        }
    }
    if shapes.benefit_dates == Dates::PaymentDate {
        let rows = write_benefits(&ctx, dir, Dates::PaymentDate)?;
        replace("ydelser.csv", ExtractFile { file_name: "ydelser.csv".into(), kind: super::KIND_BENEFITS, rows })?;
    }
    if shapes.course_list == CourseList::WithOutsiders {
        let list: Vec<Participant> = outsider_list(population, options).into_iter().map(|(p, _)| p).collect();
        let rows = write_school_csv(&ctx, &list, dir)?;
        if dir.join("sprogskole.xlsx").exists() {
            let file = ExtractFile { file_name: "sprogskole.csv".into(), kind: super::KIND_LANGUAGE_SCHOOL, rows };
            replace("sprogskole.xlsx", file)?;
        }
        let file = ExtractFile { file_name: "sprogskole.csv".into(), kind: super::KIND_LANGUAGE_SCHOOL, rows };
        replace("sprogskole.csv", file)?;
    }
    Ok(files)
}

/// Writes `truth/` as [`write_truth`] does; with [`CourseList::WithOutsiders`],
/// `truth/language_school_links.csv` (`row,cpr`) describes that list instead (empty
/// CPR for a woman outside the population), and `truth/language_school_rows.csv`
/// (`row,cpr,who`) says who each row is: `resident` or the [`Outsider`](super::Outsider)
/// kind in snake case. `residents.csv`'s `language_school_rows` column still counts the
/// rows of the default list. The target group does not depend on the shapes.
pub fn write_truth_shaped(
    population: &[Resident],
    options: &ExtractOptions,
    shapes: &Shapes,
    dir: &Path,
) -> io::Result<()> {
    write_truth(population, options, dir)?;
    if shapes.course_list != CourseList::WithOutsiders {
        return Ok(());
    }
    let truth = dir.join("truth");
    let mut links = String::from("row,cpr\n");
    let mut rows = String::from("row,cpr,who\n");
    for row in course_list_with_outsiders(population, options) {
        let cpr = match row.who {
            Who::Resident(i) => population.get(i).map(|r| String::from_utf8_lossy(&digits(&r.cpr)).into_owned()),
            Who::Outside(_) => None,
        }
        .unwrap_or_default();
        links.push_str(&format!("{},{cpr}\n", row.row));
        rows.push_str(&format!("{},{cpr},{}\n", row.row, who_code(row.who)));
    }
    let write = |name: &str, text: &str| std::fs::write(truth.join(name), text).map_err(|e| context(name, e));
    write("language_school_links.csv", &links)?;
    write("language_school_rows.csv", &rows)
}

fn who_code(who: Who) -> &'static str {
    use super::Outsider as O;
    match who {
        Who::Resident(_) => "resident",
        Who::Outside(O::NamesakeYearsApart) => "namesake_years_apart",
        Who::Outside(O::NamesakeSameYear) => "namesake_same_year",
        Who::Outside(O::SharesGivenName) => "shares_given_name",
        Who::Outside(O::Stranger) => "stranger",
    }
}

/// One row of [`course_list_with_outsiders`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRow {
    /// The row as a spreadsheet numbers it (header = 1).
    pub row: u64,
    /// The whole name in one column, as written on the list.
    pub name: String,
    pub birth_date: Date,
    pub phone: Option<String>,
    pub course: String,
    pub who: Who,
}

/// The course list of [`CourseList::WithOutsiders`] in file order, with who each row is:
/// female residents with the language school's noise (8 % of them on two courses), and
/// after about one in three a woman outside the population resembling a resident woman.
/// Deterministic from `options.seed` and `options.today`; the style does not matter.
pub fn course_list_with_outsiders(population: &[Resident], options: &ExtractOptions) -> Vec<CourseRow> {
    outsider_list(population, options)
        .into_iter()
        .zip(2u64..)
        .map(|((p, who), row)| CourseRow {
            row,
            name: p.name,
            birth_date: p.birth_date,
            phone: p.phone,
            course: p.course,
            who,
        })
        .collect()
}

fn outsider_list(population: &[Resident], options: &ExtractOptions) -> Vec<(Participant, Who)> {
    school::participants_with_outsiders(population, options.seed, options.today)
}

/// The Danish name of a country of origin the synthetic population has, by its ISO code.
pub fn danish_country_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "DK" => "Danmark",
        "PL" => "Polen",
        "RO" => "Rumænien",
        "DE" => "Tyskland",
        "GB" => "Storbritannien",
        "SE" => "Sverige",
        "NO" => "Norge",
        "IT" => "Italien",
        "SY" => "Syrien",
        "IQ" => "Irak",
        "LB" => "Libanon",
        "PS" => "Palæstina",
        "MA" => "Marokko",
        "SO" => "Somalia",
        "TR" => "Tyrkiet",
        "PK" => "Pakistan",
        "IR" => "Iran",
        "AF" => "Afghanistan",
        "ER" => "Eritrea",
        "ET" => "Etiopien",
        "BA" => "Bosnien-Hercegovina",
        "VN" => "Vietnam",
        "TH" => "Thailand",
        "LK" => "Sri Lanka",
        _ => return None,
    })
}

/// The origin column's value in `form`; a code without a Danish name stays a code.
pub(super) fn country_as(code: &str, form: CountryForm) -> &str {
    match form {
        CountryForm::Iso => code,
        CountryForm::DanishName => danish_country_name(code).unwrap_or(code),
    }
}

/// `befolkning.xlsx`: title row, blank row, header, then one row per resident.
fn write_population_workbook(
    population: &[Resident],
    options: &ExtractOptions,
    country: CountryForm,
    dir: &Path,
) -> io::Result<u64> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
    const NAME: &str = "befolkning.xlsx";
    let xlsx = |e: XlsxError| io::Error::other(format!("{NAME}: {e}"));
    let excel_date = |d: Date| ExcelDateTime::from_ymd(d.year().max(0) as u16, u8::from(d.month()), d.day());
    let mut book = Workbook::new();
    // A fixed creation time keeps the file a function of the seed.
    book.set_properties(&DocProperties::new().set_creation_datetime(&excel_date(options.today).map_err(xlsx)?));
    let date_format = Format::new().set_num_format("dd-mm-yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name(POPULATION_SHEET).map_err(xlsx)?;
    let title = format!(
        "Udtræk fra CPR pr. {:02}-{:02}-{:04}",
        options.today.day(),
        u8::from(options.today.month()),
        options.today.year()
    );
    sheet.write_string(0, 0, &title).map_err(xlsx)?;
    for (col, h) in (0u16..).zip(POPULATION_HEADER) {
        sheet.write_string(2, col, *h).map_err(xlsx)?;
    }
    let mut rows = 0u64;
    for (row, r) in (3u32..).zip(population) {
        let cpr = digits(&r.cpr);
        let cpr = format!("{}-{}", String::from_utf8_lossy(&cpr[..6]), String::from_utf8_lossy(&cpr[6..]));
        let texts: [(u16, &str); 8] = [
            (0, &cpr),
            (1, &r.given_name),
            (2, &r.family_name),
            (3, if r.sex == Sex::Female { "K" } else { "M" }),
            (5, country_as(&r.country_of_origin, country)),
            (6, &r.street),
            (7, &r.postcode),
            (8, crate::CITY),
        ];
        for (col, text) in texts {
            sheet.write_string(row, col, text).map_err(xlsx)?;
        }
        sheet.write_string(row, 9, r.area_code).map_err(xlsx)?;
        sheet
            .write_datetime_with_format(row, 4, excel_date(r.birth_date).map_err(xlsx)?, &date_format)
            .map_err(xlsx)?;
        if let Some(a) = r.arrived_in_denmark {
            sheet.write_datetime_with_format(row, 10, excel_date(a).map_err(xlsx)?, &date_format).map_err(xlsx)?;
        }
        rows += 1;
    }
    sheet.set_column_width(0, 14).map_err(xlsx)?;
    book.save(dir.join(NAME)).map_err(xlsx)?;
    Ok(rows)
}

const SALT_TWINS: u64 = 0x7714_5e55_0000_0001;

/// The population with a twin sister for every `every`-th woman of non-Western origin
/// who came to Denmark (1 for all of them): same family name, birth date, origin,
/// arrival, household and address, another given name of her origin and her own CPR
/// number. Each twin stands right after her sister, so households stay together; spouse
/// indices are moved along. For linkage tests: twins on a list without CPR differ only by
/// given name. Deterministic from `seed`.
pub fn with_twin_sisters(population: &[Resident], seed: u64, every: usize) -> Vec<Resident> {
    let mut issued: HashSet<[u8; 10]> = population.iter().map(|r| digits(&r.cpr)).collect();
    let mut out: Vec<Resident> = Vec::with_capacity(population.len() + population.len() / every.max(1) + 1);
    let mut new_index = Vec::with_capacity(population.len());
    let mut eligible = 0usize;
    for (i, r) in population.iter().enumerate() {
        new_index.push(out.len());
        out.push(r.clone());
        let origin = school::origin_of(r);
        let Some(origin) = origin.filter(|_| r.sex == Sex::Female && r.arrived_in_denmark.is_some()) else {
            continue;
        };
        eligible += 1;
        if !(eligible - 1).is_multiple_of(every.max(1)) {
            continue;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ SALT_TWINS);
        rng.set_stream(i as u64);
        let names: Vec<&str> = origin.given.iter().copied().filter(|g| *g != r.given_name).collect();
        let Some(given) = names.get(rng.random_range(0..names.len().max(1))) else { continue };
        let cpr = (0..20).find_map(|_| {
            let cpr = cpr_born(&mut rng, r.birth_date, true)?;
            issued.insert(cpr).then_some(cpr)
        });
        let Some(cpr) = cpr.and_then(|c| Cpr::parse(std::str::from_utf8(&c).ok()?).ok()) else { continue };
        out.push(Resident { cpr, given_name: (*given).to_string(), spouse: None, ..r.clone() });
    }
    for r in &mut out {
        r.spouse = r.spouse.and_then(|s| new_index.get(s).copied());
    }
    out
}
