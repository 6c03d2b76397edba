//! The same municipality's extracts in other shapes (synth::registers::shapes, issue 12):
//! each shape changes only its own file, and says what the default file says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use synth::registers::{
    BenefitDates, CountryForm, CourseList, ExtractOptions, IncomeRows, PopulationFile, Shapes, Style, Who,
    course_list_with_outsiders, danish_country_name, write_extracts, write_extracts_shaped, write_truth,
    write_truth_shaped,
};
use time::macros::date;

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn options() -> ExtractOptions {
    ExtractOptions {
        seed: 11,
        today: date!(2026 - 11 - 25),
        style: Style::Municipal,
        income_rows: IncomeRows::EarnersOnly,
        xlsx: true,
    }
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn default_shapes_write_what_write_extracts_writes() {
    let pop = synth::population::population(11, 1_500, options().today);
    let (a, b) = (TempDir::new("plain-a"), TempDir::new("plain-b"));
    let files = write_extracts(&pop, &options(), &a.0).unwrap();
    let shaped = write_extracts_shaped(&pop, &options(), &Shapes::default(), &b.0).unwrap();
    assert_eq!(files, shaped);
    for f in &files.files {
        assert_eq!(read(&a.0, &f.file_name), read(&b.0, &f.file_name), "{}", f.file_name);
    }
    write_truth(&pop, &options(), &a.0).unwrap();
    write_truth_shaped(&pop, &options(), &Shapes::default(), &b.0).unwrap();
    assert_eq!(read(&a.0, "truth/target.csv"), read(&b.0, "truth/target.csv"));
    assert_eq!(read(&a.0, "truth/language_school_links.csv"), read(&b.0, "truth/language_school_links.csv"));
}

#[test]
fn every_shape_at_once_changes_only_its_own_files() {
    let pop = synth::population::population(11, 1_500, options().today);
    let (plain, shaped) = (TempDir::new("all-plain"), TempDir::new("all-shaped"));
    write_extracts(&pop, &options(), &plain.0).unwrap();
    let shapes = Shapes {
        population: PopulationFile::WorkbookWithTitle,
        country: CountryForm::DanishName,
        benefit_dates: BenefitDates::PaymentDate,
        course_list: CourseList::WithOutsiders,
    };
    let files = write_extracts_shaped(&pop, &options(), &shapes, &shaped.0).unwrap();
    write_truth_shaped(&pop, &options(), &shapes, &shaped.0).unwrap();
    let names: Vec<&str> = files.files.iter().map(|f| f.file_name.as_str()).collect();
    assert!(names.contains(&"befolkning.xlsx") && !names.contains(&"befolkning.csv"), "{names:?}");
    assert!(!shaped.0.join("befolkning.csv").exists() && !shaped.0.join("sprogskole.xlsx").exists());
    for unchanged in ["eindkomst.csv", "integrationsprogram.csv", "boligstoette.csv", "forsoergelsespligt.csv"] {
        assert_eq!(read(&plain.0, unchanged), read(&shaped.0, unchanged), "{unchanged}");
    }
    let population = files.files.iter().find(|f| f.file_name == "befolkning.xlsx").unwrap();
    assert_eq!(population.rows, pop.len() as u64);
    assert_eq!(&read(&shaped.0, "befolkning.xlsx")[..2], b"PK");

    // Payment dates: the same rows as the months, each the last weekday of its month.
    let months = String::from_utf8(read(&plain.0, "ydelser.csv")).unwrap();
    let paid = String::from_utf8(read(&shaped.0, "ydelser.csv")).unwrap();
    assert!(paid.starts_with("CPR,Udbetalingsdato,Ydelsestype,Beløb\r\n"), "{}", &paid[..60]);
    assert_eq!(months.lines().count(), paid.lines().count());
    for (m, p) in months.lines().zip(paid.lines()).skip(1) {
        let (m, p) = (m.split(',').nth(1).unwrap(), p.split(',').nth(1).unwrap());
        // `01.mm.yyyy` (or `yyyy-mm`) against `dd.mm.yyyy` (or ISO) of the same month.
        let month_of = |s: &str| if s.contains('.') { s[3..].to_string() } else { format!("{}.{}", &s[5..7], &s[..4]) };
        assert_eq!(month_of(m), month_of(p), "{m} / {p}");
        if p.contains('.') {
            let day: u8 = p[..2].parse().unwrap();
            assert!(day >= 26, "{p}");
        }
    }

    // The course list: rows and truth agree, some women outside, none of them a CPR.
    let list = course_list_with_outsiders(&pop, &options());
    let truth = String::from_utf8(read(&shaped.0, "truth/language_school_rows.csv")).unwrap();
    assert_eq!(truth.lines().count(), list.len() + 1);
    for (line, row) in truth.lines().skip(1).zip(&list) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], row.row.to_string());
        assert_eq!(cells[1].is_empty(), matches!(row.who, Who::Outside(_)), "{line}");
    }
    assert!(list.iter().any(|r| matches!(r.who, Who::Outside(_))));
    assert!(list.iter().all(|r| match r.who {
        Who::Resident(i) => pop[i].sex == synth::population::Sex::Female,
        Who::Outside(_) => true,
    }));
}

#[test]
fn danish_country_names_replace_every_code() {
    let pop = synth::population::population(11, 1_500, options().today);
    let dir = TempDir::new("countries");
    let shapes = Shapes { country: CountryForm::DanishName, ..Shapes::default() };
    write_extracts_shaped(&pop, &options(), &shapes, &dir.0).unwrap();
    let bytes = read(&dir.0, "befolkning.csv");
    // Windows-1252: æ is one byte, 0xE6.
    let text: String = bytes.iter().map(|&b| if b == 0xE6 { 'æ' } else { char::from(b) }).collect();
    let mut names = std::collections::BTreeSet::new();
    for line in text.lines().skip(1) {
        names.insert(line.split(';').nth(5).unwrap().to_string());
    }
    assert!(names.contains("Danmark"), "{names:?}");
    for r in &pop {
        assert!(danish_country_name(&r.country_of_origin).is_some(), "{}", r.country_of_origin);
    }
    assert!(names.iter().all(|n| n.len() > 3), "a code was left: {names:?}");
}

#[test]
fn twin_sisters_stand_next_to_their_sisters() {
    let pop = synth::population::population(11, 3_000, options().today);
    let twins = synth::registers::with_twin_sisters(&pop, 11, 5);
    assert!(twins.len() > pop.len());
    let mut found = 0;
    for w in twins.windows(2) {
        if w[0].birth_date == w[1].birth_date
            && w[0].family_name == w[1].family_name
            && w[0].household == w[1].household
        {
            assert_ne!(w[0].given_name, w[1].given_name);
            assert_ne!(w[0].cpr, w[1].cpr);
            found += 1;
        }
    }
    assert!(found >= twins.len() - pop.len());
    for (i, r) in twins.iter().enumerate() {
        if let Some(s) = r.spouse {
            assert_eq!(twins[s].spouse, Some(i), "spouses point at each other");
        }
    }
}
