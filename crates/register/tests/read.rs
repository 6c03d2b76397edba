//! The readers over whole files: each format and encoding, and every bad input named by
//! file, row and column.

// Test helpers outside #[test] functions may unwrap: a failure is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::Cpr;
use register::error::{ReadError, ReadErrorKind};
use register::kinds::{ExtractKind, Field};
use register::mapping::{EncodingChoice, Mapping, MappingProblem, suggest};
use register::read::{Encoding, Format, Reader, inspect, validate, validate_bytes};
use register::value::{Sex, YearMonth};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use time::{Date, Month};

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
}

fn cpr(s: &str) -> Cpr {
    Cpr::parse(s).unwrap()
}

fn headers(bytes: &[u8], name: &str) -> Vec<String> {
    inspect(bytes, name, None).unwrap().headers
}

fn mapping_for(kind: ExtractKind, bytes: &[u8], name: &str) -> Mapping {
    let m = suggest(kind, &headers(bytes, name));
    assert_eq!(m.check(&headers(bytes, name)), Ok(()), "{m:?}");
    m
}

/// Every row's chosen fields, or the first error.
fn read_all(bytes: &[u8], name: &str, mapping: &Mapping) -> Result<Vec<register::read::Row>, ReadError> {
    let mut r = Reader::from_bytes(bytes.to_vec(), name, mapping)?;
    let mut rows = Vec::new();
    while let Some(row) = r.next_row()? {
        rows.push(row.clone());
    }
    Ok(rows)
}

fn read_err(bytes: &[u8], name: &str, mapping: &Mapping) -> ReadError {
    let e = read_all(bytes, name, mapping).unwrap_err();
    // validate sees the same error: a cell's error as the first of its sample, the
    // others as they are.
    let full = validate_bytes(bytes.to_vec(), name, mapping).unwrap_err();
    match &full.kind {
        ReadErrorKind::Unreadable { total, sample } => {
            assert!(*total >= 1 && !sample.is_empty(), "{full}");
            assert_eq!(Some(sample[0].row), e.row, "{full}");
            assert_eq!(Some(&sample[0].column), e.column.as_ref(), "{full}");
            assert_eq!(sample[0].kind, e.kind, "{full}");
        }
        _ => assert_eq!(full, e),
    }
    e
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("register-read-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

const POPULATION_UTF8: &str = "\
CPR-nr;Fornavne;Efternavn;Oprindelsesland;Adresse;Postnr;By;Indrejsedato
070761-4286;Åse Søren;Ærø;Somalia;Vej 1;8000;Århus C;15-03-2015
0707614285;Ali;Hassan;Syrien;\"Gade 2; st. tv\";8200;Aarhus N;2016-01-31
;;;;;;;
 010190-1234 ;Fatima;Ahmed;Irak;;;;
";

#[test]
fn utf8_semicolon_population_with_quotes_and_blank_rows() {
    let bytes = POPULATION_UTF8.as_bytes();
    let ins = inspect(bytes, "befolkning.csv", None).unwrap();
    assert_eq!(ins.format, Format::Csv { separator: b';', encoding: Encoding::Utf8 });
    assert_eq!(ins.headers.len(), 8);
    assert_eq!(ins.sample.len(), 3, "the blank row is skipped");
    assert_eq!(ins.sample[1][4], "Gade 2; st. tv");
    assert!(!format!("{ins:?}").contains("Hassan"));

    let m = mapping_for(ExtractKind::Population, bytes, "befolkning.csv");
    let rows = read_all(bytes, "befolkning.csv", &m).unwrap();
    assert_eq!(rows.len(), 3);
    let first = &rows[0];
    assert_eq!(first.number(), 2);
    assert_eq!(first.cpr(), Some(&cpr("070761-4286")));
    assert_eq!(first.text(Field::GivenName), Some("Åse Søren"));
    assert_eq!(first.text(Field::FamilyName), Some("Ærø"));
    assert_eq!(first.text(Field::City), Some("Århus C"));
    assert_eq!(first.date(Field::ArrivalDate), Some(d(2015, 3, 15)));
    assert_eq!(first.sex(), Some(Sex::Female), "from the CPR's even last digit");
    assert_eq!(first.birth_date(), Some(d(1961, 7, 7)), "from the CPR");
    assert_eq!(first.full_name().as_deref(), Some("Åse Søren Ærø"));
    assert_eq!(rows[1].sex(), Some(Sex::Male));
    assert_eq!(rows[1].text(Field::Street), Some("Gade 2; st. tv"));
    assert_eq!(rows[1].date(Field::ArrivalDate), Some(d(2016, 1, 31)));
    assert_eq!(rows[2].number(), 5, "row numbers count the blank row as a spreadsheet does");
    assert_eq!(rows[2].cpr(), Some(&cpr("010190-1234")));
    assert_eq!(rows[2].text(Field::Street), None, "an empty optional cell is None");
    assert_eq!(rows[2].get(Field::Phone), None);
    let debug = format!("{:?}", rows[1]);
    assert!(!debug.contains("Hassan") && !debug.contains("4285"), "{debug}");
}

#[test]
fn utf8_bom_comma_and_windows_1252() {
    let text =
        "CPR,Navn,Fødselsdato,Telefon,Hold\n\"070761-4286\",\"Søren, Åse\",07.07.1961,12345678,\"Modul 2, hold B\"\n";
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    let ins = inspect(&with_bom, "sprogskole.csv", None).unwrap();
    assert_eq!(ins.format, Format::Csv { separator: b',', encoding: Encoding::Utf8Bom });
    assert_eq!(ins.headers[0], "CPR", "the BOM is not part of the first header");
    let m = mapping_for(ExtractKind::LanguageSchool, &with_bom, "sprogskole.csv");
    let rows = read_all(&with_bom, "sprogskole.csv", &m).unwrap();
    assert_eq!(rows[0].text(Field::Name), Some("Søren, Åse"));
    assert_eq!(rows[0].text(Field::Course), Some("Modul 2, hold B"));
    assert_eq!(rows[0].date(Field::BirthDate), Some(d(1961, 7, 7)));

    let (cp1252, _, lossy) = encoding_rs_free_1252(text);
    assert!(!lossy);
    let ins = inspect(&cp1252, "sprogskole.csv", None).unwrap();
    assert_eq!(ins.format, Format::Csv { separator: b',', encoding: Encoding::Windows1252 });
    assert_eq!(ins.headers[2], "Fødselsdato");
    let rows = read_all(&cp1252, "sprogskole.csv", &m).unwrap();
    assert_eq!(rows[0].text(Field::Name), Some("Søren, Åse"));

    // The same file forced to UTF-8 is an encoding error at the header row.
    let forced = Mapping { encoding: EncodingChoice::Utf8, ..m.clone() };
    let e = read_err(&cp1252, "sprogskole.csv", &forced);
    assert_eq!((e.kind.clone(), e.row), (ReadErrorKind::Encoding, Some(1)));
}

/// Windows-1252 bytes for text whose characters are all Latin-1 (where the two agree).
fn encoding_rs_free_1252(text: &str) -> (Vec<u8>, (), bool) {
    let mut out = Vec::new();
    let mut lossy = false;
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => lossy = true,
        }
    }
    (out, (), lossy)
}

#[test]
fn the_encoding_is_settled_by_the_first_non_ascii_cell_even_past_the_sniffed_prefix() {
    // 70,000 ASCII rows (past the 64 KiB sniff), then a Windows-1252 name.
    let mut body = String::from("CPR;Navn;Fødselsdato\n");
    body = body.replace('ø', "oe"); // keep the header ASCII too
    for i in 0..7000 {
        body.push_str(&format!("0101901{:03};Name{i};01-01-1990\n", i % 1000));
    }
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(b"0101901234;J\xF8rgen;01-01-1990\n");
    assert!(bytes.len() > 64 * 1024);
    let path = tmp("late-1252.csv", &bytes);
    let m = suggest(ExtractKind::LanguageSchool, &inspect(&path, "late.csv", None).unwrap().headers);
    let mut r = Reader::open(&path, "late.csv", &m).unwrap();
    let mut last = None;
    while let Some(row) = r.next_row().unwrap() {
        last = row.text(Field::Name).map(str::to_owned);
    }
    assert_eq!(last.as_deref(), Some("Jørgen"));
    let summary = validate(&path, "late.csv", &m).unwrap();
    assert_eq!(summary.rows, 7001);
    assert_eq!(summary.bytes, bytes.len() as u64);
    assert_eq!(summary.sha256, format!("{:x}", Sha256::digest(&bytes)));

    // UTF-8 in the sniffed prefix, then a Windows-1252 byte: that file mixes encodings.
    let mut mixed = b"CPR;Navn;F\xC3\xB8dselsdato\n0101901234;S\xC3\xB8ren;01-01-1990\n".to_vec();
    for _ in 0..3000 {
        mixed.extend_from_slice(b"0101901234;Soeren;01-01-1990\n");
    }
    mixed.extend_from_slice(b"0101901234;J\xF8rgen;01-01-1990\n");
    assert!(mixed.len() > 64 * 1024);
    let m = suggest(ExtractKind::LanguageSchool, &headers(&mixed, "mixed.csv"));
    let e = read_err(&mixed, "mixed.csv", &m);
    assert_eq!(e.kind, ReadErrorKind::Encoding);
    assert_eq!((e.row, e.column.as_deref()), (Some(3003), Some("Navn")));
    assert_eq!(e.code(), "encoding");
    std::fs::remove_file(path).unwrap();
}

#[test]
fn every_date_form_and_month_and_amount() {
    let csv = "\
CPR;Navn;Født
0101901234;A;31-01-2024
0101901234;B;31.01.2024
0101901234;C;31/01/2024
0101901234;D;2024-01-31
0101901234;E;1-2-2024
0101901234;F;45322
0101901234;G;45322.0
0101901234;H;31012024
";
    let m = mapping_for(ExtractKind::LanguageSchool, csv.as_bytes(), "s.csv");
    let dates: Vec<Date> =
        read_all(csv.as_bytes(), "s.csv", &m).unwrap().iter().map(|r| r.date(Field::BirthDate).unwrap()).collect();
    let jan31 = d(2024, 1, 31);
    assert_eq!(dates, vec![jan31, jan31, jan31, jan31, d(2024, 2, 1), jan31, jan31, jan31]);

    let income = "\
CPR-nummer,Indkomstmåned,Beløb kr,Indkomsttype
070761-4286,2024-01,\"12.345,67\",løn
0707614286,02-2024,12345.67,
0707614286,202403,-1.200,løn
0707614286,45383,\"kr. 1.200,00\",løn
";
    let m = mapping_for(ExtractKind::Income, income.as_bytes(), "eindkomst.csv");
    let rows = read_all(income.as_bytes(), "eindkomst.csv", &m).unwrap();
    let got: Vec<(YearMonth, i64)> =
        rows.iter().map(|r| (r.month().unwrap(), r.amount(Field::Amount).unwrap())).collect();
    let ym = |month| YearMonth { year: 2024, month };
    assert_eq!(got, vec![(ym(1), 1_234_567), (ym(2), 1_234_567), (ym(3), -120_000), (ym(4), 120_000)]);
    assert_eq!(rows[1].text(Field::IncomeType), None);
}

#[test]
fn spouse_kinds_read_both_cpr_numbers() {
    let csv = "CPR ægtefælle;CPR herboende;Startdato;Slutdato\n070761-4286;0101901234;01-01-2020;\n";
    let m = mapping_for(ExtractKind::MaintenanceContracts, csv.as_bytes(), "kontrakter.csv");
    let rows = read_all(csv.as_bytes(), "kontrakter.csv", &m).unwrap();
    assert_eq!(rows[0].cpr(), Some(&cpr("070761-4286")));
    assert_eq!(rows[0].supporter_cpr(), Some(&cpr("010190-1234")));
    assert_eq!(rows[0].date(Field::EndDate), None);
}

#[test]
fn unmapped_columns_are_never_parsed() {
    // The phone column holds garbage in an encoding the file does not use; unmapped, it
    // cannot fail the file.
    let mut bytes =
        b"CPR;Oprindelsesland;Navn;Noter\n0101901234;Irak;A;\xC3\xA6\n0101901234;Irak;B;\xFF\xFE\n".to_vec();
    bytes.extend_from_slice(b"0101901234;Irak;C;ok\n");
    let m = suggest(ExtractKind::Population, &headers(&bytes, "p.csv"));
    assert!(!m.columns.values().any(|h| h == "Noter"));
    assert_eq!(read_all(&bytes, "p.csv", &m).unwrap().len(), 3);
}

fn xlsx_fixture() -> Vec<u8> {
    let mut wb = Workbook::new();
    let date_format = XFormat::new().set_num_format("dd-mm-yyyy");
    let first = wb.add_worksheet();
    first.set_name("Forside").unwrap();
    first.write_string(0, 0, "Udtræk fra fagsystem").unwrap();
    let sheet = wb.add_worksheet();
    sheet.set_name("Elever").unwrap();
    for (col, h) in ["CPR", "Fornavn", "Efternavn", "Fødselsdato", "Mobil", "Hold"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(col).unwrap(), *h).unwrap();
    }
    // A CPR stored as a number lost its leading zero.
    sheet.write_number(1, 0, 707_614_286.0).unwrap();
    sheet.write_string(1, 1, "Åse").unwrap();
    sheet.write_string(1, 2, "Ærø").unwrap();
    sheet.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(1961, 7, 7).unwrap(), &date_format).unwrap();
    sheet.write_number(1, 4, 12_345_678.0).unwrap();
    sheet.write_number(1, 5, 3.0).unwrap();
    // Row 3 left blank; row 4 with text forms.
    sheet.write_string(3, 0, "010190-1234").unwrap();
    sheet.write_string(3, 1, "Ali").unwrap();
    sheet.write_string(3, 2, "Hassan").unwrap();
    sheet.write_string(3, 3, "01.01.1990").unwrap();
    sheet.write_number(4, 0, 101_901_234.0).unwrap();
    sheet.write_string(4, 1, "Nur").unwrap();
    sheet.write_string(4, 2, "Ali").unwrap();
    sheet.write_number(4, 3, 32_874.0).unwrap(); // an Excel serial without a date format
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_named_sheet_date_cells_and_numeric_cpr() {
    let bytes = xlsx_fixture();
    let ins = inspect(&bytes, "sprogskole.xlsx", Some("Elever")).unwrap();
    assert_eq!(ins.format, Format::Xlsx);
    assert_eq!(ins.sheets, vec!["Forside".to_owned(), "Elever".to_owned()]);
    assert_eq!(ins.headers, vec!["CPR", "Fornavn", "Efternavn", "Fødselsdato", "Mobil", "Hold"]);
    assert_eq!(ins.sample[0][0], "707614286", "whole numbers without .0");
    assert_eq!(ins.sample[0][3], "1961-07-07");
    assert_eq!(ins.sample.len(), 3);

    let mut m = suggest(ExtractKind::LanguageSchool, &ins.headers);
    m.sheet = Some("Elever".into());
    let rows = read_all(&bytes, "sprogskole.xlsx", &m).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].number(), 2);
    assert_eq!(rows[0].cpr(), Some(&cpr("070761-4286")));
    assert_eq!(rows[0].sex(), Some(Sex::Female));
    assert_eq!(rows[0].date(Field::BirthDate), Some(d(1961, 7, 7)));
    assert_eq!(rows[0].text(Field::Phone), Some("12345678"));
    assert_eq!(rows[0].text(Field::Course), Some("3"));
    assert_eq!(rows[0].text(Field::GivenName), Some("Åse"));
    assert_eq!(rows[1].number(), 4, "the blank sheet row is skipped, numbering kept");
    assert_eq!(rows[1].date(Field::BirthDate), Some(d(1990, 1, 1)));
    assert_eq!(rows[2].cpr(), Some(&cpr("010190-1234")));
    assert_eq!(rows[2].date(Field::BirthDate), Some(d(1990, 1, 1)));

    let path = tmp("elever.xlsx", &bytes);
    let summary = validate(&path, "elever.xlsx", &m).unwrap();
    assert_eq!(summary.rows, 3);
    assert_eq!(summary.sha256, format!("{:x}", Sha256::digest(&bytes)));
    assert_eq!(summary.bytes, bytes.len() as u64);
    std::fs::remove_file(path).unwrap();

    // The first sheet is the default; a missing sheet is named.
    let first = inspect(&bytes, "sprogskole.xlsx", None).unwrap();
    assert_eq!(first.headers, vec!["Udtræk fra fagsystem"]);
    let e = inspect(&bytes, "sprogskole.xlsx", Some("Kursister")).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::NoSuchSheet("Kursister".into()));
    assert_eq!(e.code(), "no-such-sheet");
    assert_eq!(e.file, "sprogskole.xlsx");
}

#[test]
fn xlsx_month_from_a_date_cell_and_amount_from_a_number() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = XFormat::new().set_num_format("yyyy-mm");
    for (c, h) in ["CPR", "Måned", "Beløb"].iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    ws.write_string(1, 0, "0707614286").unwrap();
    ws.write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2024, 5, 1).unwrap(), &f).unwrap();
    ws.write_number(1, 2, 1234.5).unwrap();
    ws.write_string(2, 0, "0707614286").unwrap();
    ws.write_string(2, 1, "2024-06").unwrap();
    ws.write_number(2, 2, 1234.567).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let m = suggest(ExtractKind::Income, &inspect(&bytes, "i.xlsx", None).unwrap().headers);
    let rows = read_all(&bytes, "i.xlsx", &m).unwrap();
    assert_eq!(rows[0].month(), Some(YearMonth { year: 2024, month: 5 }));
    assert_eq!(rows[0].amount(Field::Amount), Some(123_450));
    assert_eq!(rows[1].month(), Some(YearMonth { year: 2024, month: 6 }));
    assert_eq!(rows[1].amount(Field::Amount), Some(123_457), "a number cell is never re-read as text");

    // A text date in a Month column of a workbook, and a bad cell named by sheet row.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["CPR", "Måned", "Beløb"].iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    ws.write_string(1, 0, "0707614286").unwrap();
    ws.write_string(1, 1, "maj 2024").unwrap();
    ws.write_boolean(1, 2, true).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let e = read_err(&bytes, "i.xlsx", &m);
    assert_eq!((e.kind.clone(), e.row, e.column.as_deref()), (ReadErrorKind::Amount, Some(2), Some("Beløb")));
}

fn population_mapping() -> Mapping {
    suggest(ExtractKind::Population, &["CPR", "Navn", "Oprindelsesland", "Fødselsdato", "Køn"].map(String::from))
}

#[test]
fn bad_cells_name_file_row_and_column() {
    let m = population_mapping();
    let head = "CPR;Navn;Oprindelsesland;Fødselsdato;Køn\n";
    let ok = "0101901234;A;Irak;01-01-1990;K\n";
    let cases: &[(&str, ReadErrorKind, &str, &str)] = &[
        ("0101901234;A;Irak;31-02-1990;K\n", ReadErrorKind::Date, "Fødselsdato", "bad-date"),
        ("3201901234;A;Irak;01-01-1990;K\n", ReadErrorKind::Cpr, "CPR", "bad-cpr"),
        ("01019-01234;A;Irak;;K\n", ReadErrorKind::Cpr, "CPR", "bad-cpr"),
        ("0101901234;A;Irak;;X\n", ReadErrorKind::Sex, "Køn", "bad-sex"),
        (";A;Irak;;K\n", ReadErrorKind::RequiredEmpty, "CPR", "required-empty"),
        ("0101901234;A; ;;K\n", ReadErrorKind::RequiredEmpty, "Oprindelsesland", "required-empty"),
        ("0101901234;;Irak;;K\n", ReadErrorKind::RequiredEmpty, "Navn", "required-empty"),
    ];
    for (bad, kind, column, code) in cases {
        let file = format!("{head}{ok}{ok}{bad}{ok}");
        let e = read_err(file.as_bytes(), "befolkning.csv", &m);
        assert_eq!(e.kind, *kind, "{bad}");
        assert_eq!(e.file, "befolkning.csv");
        assert_eq!(e.row, Some(4), "{bad}");
        assert_eq!(e.column.as_deref(), Some(*column), "{bad}");
        assert_eq!(e.code(), *code);
        let shown = e.to_string();
        assert!(shown.starts_with(&format!("befolkning.csv, row 4, column {column}: ")), "{shown}");
        assert!(!shown.contains("3201901234") && !shown.contains("01019-01234"), "{shown}");
    }
    // A bad cell in an optional column fails too; an empty one does not.
    let income = "CPR;Måned;Beløb;Art\n0101901234;2024-01;5;\n0101901234;2024-13;5;\n";
    let m = suggest(ExtractKind::Income, &headers(income.as_bytes(), "i.csv"));
    let e = read_err(income.as_bytes(), "i.csv", &m);
    assert_eq!((e.kind.clone(), e.row, e.column.as_deref()), (ReadErrorKind::Month, Some(3), Some("Måned")));
    let bad_amount = "CPR;Måned;Beløb\n0101901234;2024-01;1,234\n";
    let e = read_err(bad_amount.as_bytes(), "i.csv", &m_without_type(&m));
    assert_eq!((e.kind.clone(), e.row, e.column.as_deref()), (ReadErrorKind::Amount, Some(2), Some("Beløb")));
}

fn m_without_type(m: &Mapping) -> Mapping {
    let mut m = m.clone();
    m.columns.remove(&Field::IncomeType);
    m
}

#[test]
fn ragged_rows_and_multiline_quoted_cells() {
    let m = population_mapping();
    let file = "CPR;Navn;Oprindelsesland;Fødselsdato;Køn\n0101901234;\"Line\none\";Irak;;K\n0101901234;A;Irak;;\n0101901234;A;Irak\n";
    let e = read_err(file.as_bytes(), "p.csv", &m);
    assert_eq!(e.kind, ReadErrorKind::Ragged { expected: 5, found: 3 });
    assert_eq!((e.row, e.column.as_deref(), e.code()), (Some(5), None, "ragged-row"));
    assert_eq!(e.to_string(), "p.csv, row 5: the row has 3 columns, the header has 5");
}

#[test]
fn missing_columns_and_incomplete_mappings() {
    let file = "CPR;Navn;Oprindelsesland\n0101901234;A;Irak\n";
    let mut m = population_mapping();
    m.columns.insert(Field::Street, "Adresse".into());
    let e = read_err(file.as_bytes(), "p.csv", &m);
    // The first missing column in field order is named.
    assert_eq!(e.kind, ReadErrorKind::MissingColumn("Køn".into()));
    assert_eq!((e.row, e.column.as_deref(), e.code()), (Some(1), Some("Køn"), "missing-column"));

    let mut m = suggest(ExtractKind::Population, &headers(file.as_bytes(), "p.csv"));
    m.columns.remove(&Field::CountryOfOrigin);
    let e = read_err(file.as_bytes(), "p.csv", &m);
    assert_eq!(
        e.kind,
        ReadErrorKind::Mapping(vec![MappingProblem::RequiredNotMapped { field: Field::CountryOfOrigin }])
    );
    assert_eq!(e.code(), "bad-mapping");
}

#[test]
fn empty_files_and_files_that_are_not_what_they_claim() {
    let m = population_mapping();
    for (bytes, name, kind) in [
        (&b""[..], "p.csv", ReadErrorKind::Empty),
        (b" \r\n\r\n", "p.csv", ReadErrorKind::Empty),
        (b"\xFF\xFEC\0P\0R\0", "p.csv", ReadErrorKind::Encoding),
        (b"C\0P\0R\0;\0", "p.csv", ReadErrorKind::Encoding),
        (b"PK\x03\x04 this is no zip at all", "p.xlsx", ReadErrorKind::NotAWorkbook),
        (b"PK\x03\x04 named csv but a zip", "p.csv", ReadErrorKind::NotAWorkbook),
        (b"CPR;Navn\n0101901234;A\n", "p.xlsx", ReadErrorKind::NotAWorkbook),
        (b"\xD0\xCF\x11\xE0garbage", "p.xls", ReadErrorKind::UnboundedWorkbook),
    ] {
        let e = read_err(bytes, name, &m);
        assert_eq!(e.kind, kind, "{name} {bytes:?}");
        assert_eq!((e.file.as_str(), e.row, e.column.as_deref()), (name, None, None));
        assert_eq!(inspect(bytes, name, None).unwrap_err(), e);
    }
    assert_eq!(ReadErrorKind::NotAWorkbook.code(), "not-a-workbook");
    assert_eq!(ReadErrorKind::Empty.code(), "empty-file");

    // A header and no rows: the reader ends at once, validation calls the file empty.
    let header_only = b"CPR;Navn;Oprindelsesland;F\xC3\xB8dselsdato;K\xC3\xB8n\n";
    assert_eq!(read_all(header_only, "p.csv", &m).unwrap().len(), 0);
    assert_eq!(validate_bytes(header_only.to_vec(), "p.csv", &m).unwrap_err().kind, ReadErrorKind::Empty);

    // An empty workbook.
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let empty = wb.save_to_buffer().unwrap();
    assert_eq!(inspect(&empty, "tom.xlsx", None).unwrap_err().kind, ReadErrorKind::Empty);

    let e = validate(std::path::Path::new("/nonexistent/p.csv"), "p.csv", &m).unwrap_err();
    assert_eq!(e.code(), "io");
}

#[test]
fn a_saved_mapping_survives_a_json_round_trip_and_a_renamed_header_case() {
    let m = population_mapping();
    let json = serde_json::to_string(&m).unwrap();
    let back: Mapping = serde_json::from_str(&json).unwrap();
    let file = "cpr;NAVN;oprindelsesland;Fødselsdato;køn\n0101901234;A;Irak;;\n";
    assert_eq!(read_all(file.as_bytes(), "p.csv", &back).unwrap().len(), 1);
}

#[test]
fn a_reader_can_move_to_a_worker_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Reader>();
    assert_send::<register::read::Row>();
}

#[test]
fn windows_line_endings_number_rows_as_lf_files_do() {
    // The csv crate reports a CR LF record on the line before its own; rows named in
    // errors must be where the coordinator finds them.
    for ending in ["\n", "\r\n"] {
        let file = ["CPR;Måned;Beløb", "0101901234;2024-01;5", "0101901234;2024-13;5", ""].join(ending);
        let m = suggest(ExtractKind::Income, &headers(file.as_bytes(), "i.csv"));
        let e = read_err(file.as_bytes(), "i.csv", &m);
        assert_eq!((e.kind.clone(), e.row), (ReadErrorKind::Month, Some(3)), "{ending:?}");
        // Blank lines and a cell spanning two lines still count as the lines they are.
        let file = ["", "CPR;Måned;Beløb", "", "0101901234;\"2024-01\";\"5", "\"", "", "", "0101901234;2024-13;5"]
            .join(ending);
        let e = read_err(file.as_bytes(), "i.csv", &m_without_type(&m));
        assert_eq!((e.kind.clone(), e.row), (ReadErrorKind::Month, Some(8)), "{ending:?}");
        let file = file.replace("\"5", "5").replace(&format!("{ending}\"{ending}"), ending);
        let e = read_err(file.as_bytes(), "i.csv", &m_without_type(&m));
        assert_eq!((e.kind.clone(), e.row), (ReadErrorKind::Month, Some(7)), "{ending:?} {file:?}");
    }
}
