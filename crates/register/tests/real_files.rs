//! Extracts in the shapes municipal systems really export (issue 12), not only the
//! shapes `synth` writes: a title and a blank row above the header, country names in
//! Danish (any case, with and without diacritics), stateless and unknown origins,
//! payment dates where a month is expected, and values that cannot be read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::selection::{Rules, template};
use register::error::{BAD_CELL_SAMPLE, ReadErrorKind};
use register::kinds::{ExtractKind, Field};
use register::mapping::suggest;
use register::read::{MAX_CELLS, Reader, inspect, inspect_at, validate_bytes};
use register::select::{SourceFile, check_reference_dates, select};
use rust_xlsxwriter::Workbook;
use std::path::PathBuf;
use time::macros::date;

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("register-real-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A population extract as a municipality's CPR export writes it: a title naming the
/// extract's date, a blank row, then the header. Every woman is of age and came long
/// ago, so only her origin (and one birthday) decides.
const POPULATION: &str = "\
Udtræk fra CPR pr. 30. september 2026;;;;;;
;;;;;;
CPR-nr.;Navn;Køn;Statsborgerskab;Vejnavn og husnr.;Postnr;Indrejsedato
010190-1234;Anna Jensen;K;Danmark;Vestergade 1;8000;
020290-1236;Bente Hansen;K;DANMARK;Vestergade 2;8000;
030390-1238;Ioana Popescu;K;RUMÆNIEN;Vestergade 3;8000;01-01-2010
040490-1240;Maria Ionescu;K;Rumaenien;Vestergade 4;8000;01-01-2010
050590-1242;Amal Haddad;K;Syrien;Vestergade 5;8000;01-01-2015
060690-1244;Ayşe Yılmaz;K;Türkiye;Vestergade 6;8000;01-01-2012
070790-1246;Elif Demir;K;Tyrkiet;Vestergade 7;8000;01-01-2012
080890-1248;Leila Nasser;K;Statsløs;Vestergade 8;8000;01-01-2012
090990-1250;Nour Saleh;K;Uoplyst;Vestergade 9;8000;01-01-2012
101090-1252;Amra Hodžić;K;Bosnien-Hercegovina;Vestergade 10;8000;01-01-2000
111190-1254;Rania Khalil;K;Palæstina;Vestergade 11;8000;01-01-2000
121290-1255;Omar Haddad;M;Syrien;Vestergade 12;8000;01-01-2015
151008-4256;Sara Ali;K;Syrien;Vestergade 13;8000;
";

fn population_rules() -> Rules {
    let mut rules = template("self_supporting_women").unwrap();
    rules.steps.clear();
    rules.population.more_than_years_in_denmark = None;
    rules
}

fn population_file(name: &str) -> SourceFile {
    let bytes = POPULATION.as_bytes();
    let ins = inspect(bytes, name, None).unwrap();
    let mapping = suggest(ExtractKind::Population, &ins.headers);
    SourceFile { kind: ExtractKind::Population, path: tmp(name, bytes), file_name: name.into(), mapping }
}

#[test]
fn the_header_below_a_title_and_the_date_the_title_names() {
    let ins = inspect(POPULATION.as_bytes(), "cpr.csv", None).unwrap();
    assert_eq!(ins.header_row, 3);
    assert_eq!(ins.headers[0], "CPR-nr.");
    assert_eq!(ins.title, vec!["Udtræk fra CPR pr. 30. september 2026".to_string()]);
    assert_eq!(ins.title_date, Some(date!(2026 - 09 - 30)));
    assert_eq!(ins.sample[0][1], "Anna Jensen");
    let m = suggest(ExtractKind::Population, &ins.headers);
    assert_eq!(m.columns.get(&Field::Street).map(String::as_str), Some("Vejnavn og husnr."));
    assert_eq!(m.columns.get(&Field::CountryOfOrigin).map(String::as_str), Some("Statsborgerskab"));
    assert_eq!(m.columns.get(&Field::ArrivalDate).map(String::as_str), Some("Indrejsedato"));
    let mut r = Reader::from_bytes(POPULATION.as_bytes().to_vec(), "cpr.csv", &m).unwrap();
    assert_eq!(r.next_row().unwrap().unwrap().number(), 4);
}

#[test]
fn the_dry_run_shows_how_each_country_was_read() {
    let f = population_file("cpr-summary.csv");
    let summary = validate_bytes(POPULATION.as_bytes().to_vec(), "cpr.csv", &f.mapping).unwrap();
    assert_eq!(summary.rows, 13);
    assert_eq!(summary.header_row, 3);
    assert_eq!(summary.reference_date(), Some(date!(2026 - 09 - 30)));
    let origin = summary.readings.iter().find(|r| r.field == Field::CountryOfOrigin).unwrap();
    assert_eq!(origin.column, "Statsborgerskab");
    assert_eq!(origin.read, 13);
    let shown: Vec<String> = origin.values.iter().map(ToString::to_string).collect();
    for line in [
        "Syrien → SY (ikke-vestligt): 3",
        "Danmark → DK (vestligt): 1",
        "DANMARK → DK (vestligt): 1",
        "RUMÆNIEN → RO (vestligt): 1",
        "Rumaenien → RO (vestligt): 1",
        "Türkiye → TR (ikke-vestligt): 1",
        "Statsløs → statsløs: 1",
        "Uoplyst → uoplyst: 1",
    ] {
        assert!(shown.contains(&line.to_string()), "{line} not in {shown:?}");
    }
    let sex = summary.readings.iter().find(|r| r.field == Field::Sex).unwrap();
    assert_eq!(sex.values[0].to_string(), "K → kvinde: 12");
    // Names and addresses are never listed.
    assert!(summary.readings.iter().all(|r| r.field != Field::Name && r.field != Field::Street));
    let arrival = summary.readings.iter().find(|r| r.field == Field::ArrivalDate).unwrap();
    assert_eq!((arrival.earliest, arrival.latest), (Some(date!(2000 - 01 - 01)), Some(date!(2015 - 01 - 01))));
}

#[test]
fn only_non_western_women_of_age_on_the_extracts_date_are_selected() {
    let f = population_file("cpr-select.csv");
    let ids = |reference| -> Vec<String> {
        let s = select(&population_rules(), std::slice::from_ref(&f), reference).unwrap();
        s.candidates.iter().map(|c| format!("{}:{}", c.given_name, c.country_of_origin)).collect()
    };
    // Danish- and Romanian-born women (names, any case) are not; stateless and unknown
    // are not taken for non-Western; the man is not; Sara turns 18 on 15 October 2026,
    // after the extract's date.
    assert_eq!(ids(date!(2026 - 09 - 30)), vec!["Amal:SY", "Ayşe:TR", "Elif:TR", "Amra:BA", "Rania:PS"]);
    // Run on the day of the run instead, she would have been selected.
    assert!(ids(date!(2026 - 11 - 25)).contains(&"Sara:SY".to_string()));
    // The rules decide about stateless and unknown.
    let mut rules = population_rules();
    rules.population.include_stateless = true;
    let s = select(&rules, std::slice::from_ref(&f), date!(2026 - 09 - 30)).unwrap();
    assert!(s.candidates.iter().any(|c| c.country_of_origin == "stateless"));
    assert!(s.candidates.iter().all(|c| c.country_of_origin != "unknown"));
    let stateless = s.candidates.iter().find(|c| c.country_of_origin == "stateless").unwrap();
    assert_eq!(stateless.details(None).country_of_origin, None);
}

#[test]
fn every_unreadable_value_is_counted_and_a_sample_named() {
    let mut text = String::from("CPR-nr;Navn;Oprindelsesland;Fødselsdato\n");
    for i in 0..30 {
        text.push_str(&format!("0101{:02}-12{:02};A B;Danmrk;01-01-19{:02}\n", 60 + i, 30 + i * 2, 60 + i));
    }
    text.push_str("320190-1234;C D;Syrien;01-01-1990\n");
    text.push_str("010190-1234;E F;SY;31-02-1990\n");
    let m = suggest(ExtractKind::Population, &inspect(text.as_bytes(), "p.csv", None).unwrap().headers);
    let e = validate_bytes(text.into_bytes(), "p.csv", &m).unwrap_err();
    let ReadErrorKind::Unreadable { total, sample } = &e.kind else { panic!("{e}") };
    assert_eq!(*total, 32);
    assert_eq!(sample.len(), BAD_CELL_SAMPLE);
    assert_eq!((sample[0].row, sample[0].column.as_str(), sample[0].value.as_str()), (2, "Oprindelsesland", "Danmrk"));
    assert_eq!(sample[0].kind, ReadErrorKind::Country);
    assert_eq!(e.code(), "unreadable-values");
    assert!(e.to_string().starts_with("p.csv: 32 cells cannot be read"), "{e}");
    // Both the bad CPR (its serial digits hidden) and the bad date are counted; the
    // sample holds the first twenty.
    let tail = "320190-1234;C D;Syrien;01-01-1990\n010190-1234;E F;SY;31-02-1990\n";
    let e = validate_bytes(format!("CPR-nr;Navn;Oprindelsesland;Fødselsdato\n{tail}").into_bytes(), "q.csv", &m)
        .unwrap_err();
    let ReadErrorKind::Unreadable { total, sample } = &e.kind else { panic!("{e}") };
    assert_eq!(*total, 2);
    assert_eq!((sample[0].row, sample[0].value.as_str(), &sample[0].kind), (2, "320190-••••", &ReadErrorKind::Cpr));
    assert_eq!((sample[1].row, sample[1].column.as_str(), &sample[1].kind), (3, "Fødselsdato", &ReadErrorKind::Date));
}

#[test]
fn a_file_that_does_not_fit_lists_its_headers_and_their_row() {
    let text = "Udtræk pr. 30-09-2026\nPersonnummer;Fulde navn;Land ID\n010190-1234;A B;SY\n";
    let mut m = suggest(ExtractKind::Population, &inspect(text.as_bytes(), "p.csv", None).unwrap().headers);
    m.columns.remove(&Field::CountryOfOrigin);
    let e = validate_bytes(text.as_bytes().to_vec(), "p.csv", &m).unwrap_err();
    assert_eq!(e.row, Some(2));
    assert_eq!(e.headers, vec!["Personnummer", "Fulde navn", "Land ID"]);
    assert!(
        e.to_string().contains("(the headers found, in row 2: \"Personnummer\", \"Fulde navn\", \"Land ID\")"),
        "{e}"
    );
}

#[test]
fn a_header_row_chosen_by_hand() {
    let text = "Ydelser;;\nperiode 2026;;\nCPR;Ydelse;Udbetalingsdato\n010190-1234;Kontanthjælp;15-03-2026\n";
    let ins = inspect_at(text.as_bytes(), "y.csv", None, Some(3)).unwrap();
    assert_eq!((ins.header_row, ins.headers[2].as_str()), (3, "Udbetalingsdato"));
    // A payment date where a month is expected: its month is read.
    let mut m = suggest(ExtractKind::Benefits, &ins.headers);
    assert_eq!(m.columns.get(&Field::Month).map(String::as_str), Some("Udbetalingsdato"));
    m.header_row = Some(3);
    let mut r = Reader::from_bytes(text.as_bytes().to_vec(), "y.csv", &m).unwrap();
    let row = r.next_row().unwrap().unwrap();
    assert_eq!(row.month().map(|m| m.to_string()), Some("2026-03".into()));
    let summary = validate_bytes(text.as_bytes().to_vec(), "y.csv", &m).unwrap();
    assert_eq!(summary.latest_in_rows, Some(date!(2026 - 03 - 31)));
    let e = inspect_at(text.as_bytes(), "y.csv", None, Some(9)).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::NoHeaderRow(9));
}

#[test]
fn a_workbook_with_a_title_row() {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "Udtræk fra CPR pr. 30. september 2026").unwrap();
    for (j, h) in ["CPR-nr.", "Navn", "Oprindelsesland", "Fødselsdato"].iter().enumerate() {
        sheet.write_string(2, j as u16, *h).unwrap();
    }
    sheet.write_string(3, 0, "050590-1242").unwrap();
    sheet.write_string(3, 1, "Amal Haddad").unwrap();
    sheet.write_string(3, 2, "SYRIEN").unwrap();
    sheet.write_string(3, 3, "05-05-1990").unwrap();
    sheet.write_number(4, 0, 101_901_234.0).unwrap();
    sheet.write_string(4, 1, "Ib Ibsen").unwrap();
    sheet.write_number(4, 2, 5100.0).unwrap();
    sheet.write_string(4, 3, "01-01-1990").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let ins = inspect(&bytes, "cpr.xlsx", None).unwrap();
    assert_eq!((ins.header_row, ins.title_date), (3, Some(date!(2026 - 09 - 30))));
    let m = suggest(ExtractKind::Population, &ins.headers);
    // A numeric code the table does not know is an error, not a guess.
    let e = validate_bytes(bytes.clone(), "cpr.xlsx", &m).unwrap_err();
    let ReadErrorKind::Unreadable { total, sample } = &e.kind else { panic!("{e}") };
    assert_eq!((*total, sample[0].row, sample[0].value.as_str()), (1, 5, "5100"));
    let mut r = Reader::from_bytes(bytes, "cpr.xlsx", &m).unwrap();
    let row = r.next_row().unwrap().unwrap();
    assert_eq!((row.number(), row.origin().map(|o| o.code())), (4, Some("SY")));
}

/// Issue 13, item 3: cells at A1 and XFD1048576 declare a sheet of 17 billion cells in a
/// file of a few kilobytes. It is refused, naming the file, before anything is allocated
/// for it; a sheet that declares little but holds a far cell is streamed row by row.
#[test]
fn a_workbook_declaring_the_whole_sheet_is_refused_before_it_is_read() {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "CPR").unwrap();
    sheet.write_string(0, 1, "Måned").unwrap();
    sheet.write_string(0, 2, "Beløb").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 20_000);
    let e = inspect(&bytes, "bomb.xlsx", None).unwrap_err();
    assert_eq!(e.file, "bomb.xlsx");
    assert_eq!(e.kind, ReadErrorKind::DeclaresTooManyCells { rows: 1_048_576, columns: 16_384, max: MAX_CELLS });
    let m = suggest(ExtractKind::Income, &["CPR".into(), "Måned".into(), "Beløb".into()]);
    let e = validate_bytes(bytes, "bomb.xlsx", &m).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::DeclaresTooManyCells { .. }), "{e}");
    assert!(e.to_string().starts_with("bomb.xlsx: the sheet declares 1048576 rows × 16384 columns"), "{e}");
}

#[test]
fn the_extracts_of_one_run_describe_dates_at_most_a_month_apart() {
    let a = ("befolkning.csv", date!(2026 - 09 - 30));
    assert_eq!(check_reference_dates(&[a, ("indkomst.csv", date!(2026 - 10 - 30))]), Ok(()));
    assert_eq!(check_reference_dates(&[("x", date!(2026 - 01 - 31)), ("y", date!(2026 - 02 - 28))]), Ok(()));
    let e =
        check_reference_dates(&[("ydelser.csv", date!(2026 - 11 - 01)), a, ("indkomst.csv", date!(2026 - 10 - 15))])
            .unwrap_err();
    assert_eq!((e.first_file.as_str(), e.second_file.as_str()), ("befolkning.csv", "ydelser.csv"));
    assert!(
        e.to_string().starts_with("befolkning.csv describes 2026-09-30 and ydelser.csv describes 2026-11-01"),
        "{e}"
    );
    assert_eq!(check_reference_dates(&[]), Ok(()));
}

/// Issue 13, item 3: the crafted workbooks of the fuzz corpus (`scripts/fuzz-seeds.py`)
/// are each refused before anything is allocated for them, or read within bounds.
#[test]
fn the_crafted_workbooks_of_the_fuzz_corpus_are_refused_or_read_within_bounds() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/xlsx_reader");
    let refused = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        inspect(&bytes, name, None).map(|i| i.headers).unwrap_err().kind.clone()
    };
    assert!(matches!(refused("crafted-whole-sheet.xlsx"), ReadErrorKind::DeclaresTooManyCells { .. }));
    assert!(matches!(refused("crafted-many-parts.xlsx"), ReadErrorKind::TooManyParts { found: 1205, .. }));
    assert_eq!(refused("crafted-ods.ods"), ReadErrorKind::UnboundedWorkbook);
    assert_eq!(refused("crafted-lying-sizes.xlsx"), ReadErrorKind::NotAWorkbook);
    // A dimension that lies about a far cell: streamed, the far row named, nothing
    // allocated for the gap.
    let bytes = std::fs::read(dir.join("crafted-far-cell-small-dimension.xlsx")).unwrap();
    let ins = inspect(&bytes, "far.xlsx", None).unwrap();
    assert_eq!(ins.headers, vec!["CPR", "Måned", "Beløb"]);
    let m = suggest(ExtractKind::Income, &ins.headers);
    let e = validate_bytes(bytes, "far.xlsx", &m).unwrap_err();
    let ReadErrorKind::Unreadable { sample, .. } = &e.kind else { panic!("{e}") };
    assert_eq!((sample[0].row, &sample[0].kind), (1_048_576, &ReadErrorKind::RequiredEmpty));
    // 64 MiB of shared strings in 66 KB: under the memory budget, read.
    let bytes = std::fs::read(dir.join("crafted-shared-strings-bomb.xlsx")).unwrap();
    assert_eq!(inspect(&bytes, "bomb.xlsx", None).unwrap().headers, vec!["CPR", "Måned", "Beløb"]);
}
