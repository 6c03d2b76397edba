//! The synthetic register extracts (synth::registers): bytes, headers, counts, and that
//! what the files say agrees with the population's truth.
// Test code: helpers outside #[test] fns may unwrap too — a failed step must stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use encoding_rs::WINDOWS_1252;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;
use synth::population::{Resident, Sex, population};
use synth::registers::{ExtractFiles, ExtractOptions, IncomeRows, Style, income_months, write_extracts, write_truth};
use time::macros::date;

const SEED: u64 = 2026;
const SIZE: usize = 3_000;

fn today() -> time::Date {
    date!(2026 - 11 - 25)
}

fn people() -> &'static [Resident] {
    static POP: OnceLock<Vec<Resident>> = OnceLock::new();
    POP.get_or_init(|| population(SEED, SIZE, today()))
}

fn options(style: Style, income_rows: IncomeRows) -> ExtractOptions {
    ExtractOptions { seed: SEED, today: today(), style, income_rows, xlsx: true }
}

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn write(style: Style, income_rows: IncomeRows, tag: &str) -> (TempDir, ExtractFiles) {
    write_for(people(), style, income_rows, tag)
}

fn write_for(pop: &[Resident], style: Style, income_rows: IncomeRows, tag: &str) -> (TempDir, ExtractFiles) {
    let dir = TempDir::new(tag);
    let opts = options(style, income_rows);
    let files = write_extracts(pop, &opts, &dir.0).unwrap();
    write_truth(pop, &opts, &dir.0).unwrap();
    (dir, files)
}

/// The language-school list is under 1 % of residents: a larger town for its shares.
fn town() -> &'static [Resident] {
    static POP: OnceLock<Vec<Resident>> = OnceLock::new();
    POP.get_or_init(|| population(SEED, 20_000, today()))
}

fn decode_1252(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 3 + 4];
    let (_, read, written, _) = WINDOWS_1252.new_decoder_without_bom_handling().decode_to_utf8(bytes, &mut out, true);
    assert_eq!(read, bytes.len());
    String::from_utf8(out[..written].to_vec()).unwrap()
}

/// A file as text: BOM dropped, Windows-1252 decoded where it is not UTF-8.
fn text_of(path: &Path) -> (String, bool /* BOM */, bool /* UTF-8 */) {
    let bytes = std::fs::read(path).unwrap();
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, &bytes[..]),
    };
    match std::str::from_utf8(body) {
        Ok(s) => (s.to_string(), bom, true),
        Err(_) => (decode_1252(body), bom, false),
    }
}

/// Records of a CSV without line breaks inside fields (true of these files).
fn records(text: &str, sep: char) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        field.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    c if c == sep && !quoted => fields.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            assert!(!quoted, "unbalanced quotes");
            fields.push(field);
            fields
        })
        .collect()
}

fn csv(dir: &Path, name: &str, sep: char) -> Vec<Vec<String>> {
    records(&text_of(&dir.join(name)).0, sep)
}

fn digits(cpr: &str) -> String {
    cpr.chars().filter(char::is_ascii_digit).collect()
}

fn cpr_of(r: &Resident) -> String {
    digits(&r.cpr.expose())
}

fn truth_column(dir: &Path, file: &str) -> Vec<String> {
    csv(&dir.join("truth"), file, ',').into_iter().skip(1).map(|r| r[0].clone()).collect()
}

const HEADERS: &[(&str, &str, char, &str)] = &[
    (
        "befolkning.csv",
        "population",
        ';',
        "CPR-nr;Fornavn;Efternavn;Køn;Fødselsdato;Oprindelsesland;Adresse;Postnr;By;Distrikt;Indrejsedato",
    ),
    ("eindkomst.csv", "income", ';', "CPR;Måned;Beløb;Indkomsttype"),
    ("ydelser.csv", "benefits", ',', "CPR;Måned;Ydelsestype;Beløb"),
    ("integrationsprogram.csv", "integration_programme", ';', "CPR;Navn;Startdato"),
    ("sprogskole.csv", "language_school", ';', "Navn;Fødselsdato;Telefon;Hold"),
    ("boligstoette.csv", "housing_benefit", ';', "CPR;Husstandsindkomst;Ansøgningsdato"),
    ("forsoergelsespligt.csv", "maintenance_contracts", ';', "CPR ægtefælle;CPR herboende;Startdato;Slutdato"),
    ("sikkerhedsstillelse.csv", "reunification_deposits", ';', "CPR ægtefælle;CPR herboende;Indbetalingsdato"),
];

fn every_file(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in [dir.to_path_buf(), dir.join("truth")] {
        for entry in std::fs::read_dir(&sub).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let (a, files_a) = write(Style::Municipal, IncomeRows::EveryAdult, "det-a");
    let (b, files_b) = write(Style::Municipal, IncomeRows::EveryAdult, "det-b");
    assert_eq!(files_a, files_b);
    let (fa, fb) = (every_file(&a.0), every_file(&b.0));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert!(fa.contains_key("sprogskole.xlsx") && fa.contains_key("truth/target.csv"), "{:?}", fa.keys());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between runs");
    }
    // Another seed: other noise and plans, same people.
    let c = TempDir::new("det-c");
    let other = ExtractOptions { seed: SEED + 1, ..options(Style::Municipal, IncomeRows::EveryAdult) };
    write_extracts(people(), &other, &c.0).unwrap();
    assert_ne!(std::fs::read(c.0.join("eindkomst.csv")).unwrap(), fa["eindkomst.csv"]);
}

#[test]
fn municipal_files_have_their_headers_counts_and_encodings() {
    let (dir, files) = write(Style::Municipal, IncomeRows::EarnersOnly, "municipal");
    let names: Vec<&str> = files.files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "befolkning.csv",
            "eindkomst.csv",
            "ydelser.csv",
            "integrationsprogram.csv",
            "sprogskole.csv",
            "sprogskole.xlsx",
            "boligstoette.csv",
            "forsoergelsespligt.csv",
            "sikkerhedsstillelse.csv"
        ]
    );
    for (name, kind, sep, header) in HEADERS {
        let file = files.files.iter().find(|f| f.file_name == *name).unwrap();
        assert_eq!(file.kind, *kind);
        let rows = csv(&dir.0, name, *sep);
        let expected: Vec<&str> = header.split(';').collect();
        assert_eq!(rows[0], expected, "{name}");
        assert_eq!(rows.len() as u64 - 1, file.rows, "{name}");
        assert!(file.rows > 0, "{name} is empty");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), expected.len(), "{name} row {}", i + 1);
        }
    }
    let count = |name: &str| files.files.iter().find(|f| f.file_name == name).unwrap().rows;
    assert_eq!(count("befolkning.csv"), SIZE as u64);
    assert_eq!(count("sprogskole.xlsx"), count("sprogskole.csv"));
    let integration = people().iter().filter(|r| r.in_integration_programme).count() as u64;
    assert_eq!(count("integrationsprogram.csv"), integration);
    let reunified = people().iter().filter(|r| r.family_reunified && r.spouse.is_some()).count() as u64;
    assert_eq!(count("forsoergelsespligt.csv"), reunified);
    assert!(count("sikkerhedsstillelse.csv") <= reunified);

    // Encodings: the population file is Windows-1252 (its header alone has ø), the
    // income file UTF-8 with a BOM, benefits UTF-8 without.
    let raw = std::fs::read(dir.0.join("befolkning.csv")).unwrap();
    assert!(std::str::from_utf8(&raw).is_err());
    assert!(raw.windows(3).any(|w| w == b"K\xF8n"));
    let decoded = decode_1252(&raw);
    assert!(decoded.starts_with("CPR-nr;Fornavn;Efternavn;Køn;Fødselsdato;"));
    assert!(decoded.contains("Søby"));
    let (_, bom, utf8) = text_of(&dir.0.join("eindkomst.csv"));
    assert!(bom && utf8);
    let (_, bom, utf8) = text_of(&dir.0.join("ydelser.csv"));
    assert!(!bom && utf8);
    let (_, _, utf8) = text_of(&dir.0.join("forsoergelsespligt.csv"));
    assert!(!utf8);
    assert!(raw.windows(2).any(|w| w == b"\r\n"));

    // Both CPR forms, within a file too; Danish amounts; the file's one month form.
    let pop = csv(&dir.0, "befolkning.csv", ';');
    let hyphenated = pop.iter().skip(1).filter(|r| r[0].len() == 11).count();
    assert!(hyphenated > SIZE * 95 / 100 && hyphenated < SIZE, "{hyphenated}");
    let income = csv(&dir.0, "eindkomst.csv", ';');
    assert!(income.iter().skip(1).all(|r| r[2].rsplit_once(',').is_some_and(|(_, cents)| cents.len() == 2)));
    assert!(income.iter().skip(1).any(|r| r[2].contains('.')), "no thousands separator");
    let year_first = income.iter().skip(1).filter(|r| r[1].len() == 7 && r[1].as_bytes()[4] == b'-').count();
    assert!(year_first == 0 || year_first == income.len() - 1, "{year_first}");
    let benefits = csv(&dir.0, "ydelser.csv", ',');
    assert!(benefits.iter().skip(1).any(|r| r[3].contains(',')), "amounts with decimal comma");
    assert!(benefits.iter().skip(1).filter(|r| r[1].starts_with("01.")).count() * 100 > (benefits.len() - 1) * 95);

    let xlsx = std::fs::read(dir.0.join("sprogskole.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"));
}

/// G-5.2's example selection computed from the Plain files alone, and from the flags.
#[test]
fn the_target_truth_is_what_the_files_and_the_flags_say() {
    let (dir, _) = write(Style::Plain, IncomeRows::EveryAdult, "target");
    let target: BTreeSet<String> = truth_column(&dir.0, "target.csv").into_iter().collect();
    let by_flags: BTreeSet<String> = people()
        .iter()
        .filter(|r| r.in_target_group(today()) && r.in_denmark_more_than(3, today()))
        .map(cpr_of)
        .collect();
    assert_eq!(target, by_flags);
    assert!(target.len() >= 5, "{}", target.len());
    assert!(target.iter().all(|c| c.len() == 10 && c.chars().all(|d| d.is_ascii_digit())));

    let earned: HashSet<String> = csv(&dir.0, "eindkomst.csv", ',')
        .into_iter()
        .skip(1)
        .filter(|r| r[2].parse::<f64>().unwrap() > 0.0)
        .map(|r| r[0].clone())
        .collect();
    let benefited: HashSet<String> =
        csv(&dir.0, "ydelser.csv", ',').into_iter().skip(1).map(|r| r[0].clone()).collect();
    let months = income_months(today());
    let (first, last) = (months[0], months[11]);
    let pop = csv(&dir.0, "befolkning.csv", ',');
    let from_files: BTreeSet<String> = pop
        .into_iter()
        .skip(1)
        .filter(|r| {
            let birth = time::Date::parse(&r[4], &time::format_description::well_known::Iso8601::DATE).unwrap();
            let age = synth::age_on(birth, today());
            // More than three years here, to the day: since + 3 years < today.
            let since = match r[10].as_str() {
                "" => birth,
                d => time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).unwrap(),
            };
            let third = time::Date::from_calendar_date(since.year() + 3, since.month(), since.day())
                .unwrap_or_else(|_| time::Date::from_calendar_date(since.year() + 3, time::Month::March, 1).unwrap());
            r[3] == "K"
                && (18..=64).contains(&age)
                && domain::reference::is_non_western(&r[5])
                && third < today()
                && !earned.contains(&r[0])
                && !benefited.contains(&r[0])
        })
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(from_files, target);

    // Every resident's income and benefits agree with the flags, in the twelve months.
    let mut income_rows: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    for r in csv(&dir.0, "eindkomst.csv", ',').into_iter().skip(1) {
        income_rows.entry(r[0].clone()).or_default().push((r[1].clone(), r[2].parse().unwrap()));
    }
    let month_texts: Vec<String> =
        months.iter().map(|m| format!("{:04}-{:02}", m.year(), u8::from(m.month()))).collect();
    assert_eq!(month_texts[0], format!("{:04}-{:02}", first.year(), u8::from(first.month())));
    assert_eq!(last, date!(2026 - 10 - 01));
    for r in people() {
        let cpr = cpr_of(r);
        let rows = income_rows.get(&cpr);
        if r.age_on(today()) >= 15 {
            let rows = rows.unwrap();
            let got: Vec<&String> = rows.iter().map(|(m, _)| m).collect();
            assert_eq!(got, month_texts.iter().collect::<Vec<_>>());
        } else {
            assert!(rows.is_none());
        }
        assert_eq!(earned.contains(&cpr), r.employed);
        assert_eq!(benefited.contains(&cpr), r.on_benefit);
    }
    let adults = people().iter().filter(|r| r.age_on(today()) >= 15).count();
    assert_eq!(csv(&dir.0, "eindkomst.csv", ',').len() - 1, adults * 12);
}

#[test]
fn plain_style_is_utf8_with_iso_dates_and_bare_cprs() {
    let (dir, files) = write(Style::Plain, IncomeRows::EarnersOnly, "plain");
    assert!(!files.files.iter().any(|f| f.file_name.ends_with(".xlsx")));
    let iso = |s: &str| {
        s.len() == 10
            && time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE).is_ok()
            && s.as_bytes()[4] == b'-'
    };
    let bare = |s: &str| s.len() == 10 && s.chars().all(|c| c.is_ascii_digit());
    for (name, _, _, header) in HEADERS {
        let bytes = std::fs::read(dir.0.join(name)).unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{name}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains('\r'), "{name}");
        let rows = records(&text, ',');
        assert_eq!(rows[0], header.split(';').collect::<Vec<_>>(), "{name}");
        let data = &rows[1..];
        assert_eq!(data.iter().collect::<HashSet<_>>().len(), data.len(), "{name} has duplicate rows");
        for row in data {
            for (h, v) in rows[0].iter().zip(row) {
                match h.as_str() {
                    "CPR" | "CPR-nr" | "CPR ægtefælle" | "CPR herboende" => assert!(bare(v), "{name} {h}"),
                    "Fødselsdato" | "Startdato" | "Slutdato" | "Ansøgningsdato" | "Indbetalingsdato" => {
                        assert!(iso(v), "{name} {h}")
                    }
                    "Indrejsedato" => assert!(v.is_empty() || iso(v), "{name} {h}"),
                    "Måned" => assert!(v.len() == 7 && iso(&format!("{v}-01")), "{name} {h}"),
                    "Beløb" => assert!(v.parse::<f64>().is_ok() && v.contains('.'), "{name} {h}"),
                    _ => {}
                }
            }
        }
    }
    // No one who moved away, so every CPR is a resident's.
    let residents: HashSet<String> = people().iter().map(cpr_of).collect();
    for name in ["eindkomst.csv", "ydelser.csv", "boligstoette.csv"] {
        assert!(csv(&dir.0, name, ',').iter().skip(1).all(|r| residents.contains(&r[0])), "{name}");
    }
    assert!(truth_column(&dir.0, "moved_away.csv").is_empty());
    let earners = people().iter().filter(|r| r.employed).count();
    assert_eq!(files.files.iter().find(|f| f.kind == "income").unwrap().rows, earners as u64 * 12);
}

#[test]
fn the_language_school_list_links_to_residents_as_the_truth_says() {
    let (dir, files) = write_for(town(), Style::Municipal, IncomeRows::EarnersOnly, "school");
    let list = csv(&dir.0, "sprogskole.csv", ';');
    let links = csv(&dir.0.join("truth"), "language_school_links.csv", ',');
    assert_eq!(links[0], ["row", "cpr"]);
    assert_eq!(links.len(), list.len());
    let by_cpr: HashMap<String, &Resident> = town().iter().map(|r| (cpr_of(r), r)).collect();
    let mut moved = 0;
    let mut variants = 0;
    let mut women = 0;
    let mut in_target = 0;
    for (i, link) in links.iter().enumerate().skip(1) {
        assert_eq!(link[0], (i + 1).to_string());
        let row = &list[i];
        if link[1].is_empty() {
            moved += 1;
            continue;
        }
        let r = by_cpr.get(&link[1]).unwrap_or_else(|| panic!("row {} links to no resident", i + 1));
        let written = format!("{} {}", r.given_name, r.family_name);
        if row[0] != written {
            variants += 1;
        }
        women += usize::from(r.sex == Sex::Female);
        in_target += usize::from(r.in_target_group(today()) && r.in_denmark_more_than(3, today()));
        assert!(r.arrived_in_denmark.is_some());
    }
    let rows = links.len() - 1;
    assert_eq!(files.files.iter().find(|f| f.file_name == "sprogskole.csv").unwrap().rows as usize, rows);
    assert!(rows >= 100, "{rows}");
    assert!(moved * 100 >= rows * 2 && moved * 100 <= rows * 10, "{moved} of {rows}");
    assert!(variants * 100 >= rows * 30, "{variants} of {rows}");
    assert!(women * 2 > rows - moved, "{women} of {rows}");
    assert!(in_target > 0);
    let duplicates = rows - list[1..].iter().collect::<HashSet<_>>().len();
    assert!(duplicates > 0 || rows < 100, "{duplicates}");
    assert!(list[1..].iter().any(|r| r[0].contains(", ")), "no 'Efternavn, Fornavn'");
}

#[test]
fn people_who_moved_away_appear_only_in_income_and_benefits() {
    let (dir, _) = write(Style::Municipal, IncomeRows::EarnersOnly, "moved");
    let residents: HashSet<String> = people().iter().map(cpr_of).collect();
    let moved: HashSet<String> = truth_column(&dir.0, "moved_away.csv").into_iter().collect();
    assert_eq!(moved.len(), SIZE / 33);
    assert!(moved.is_disjoint(&residents));
    let mut strangers = HashSet::new();
    let mut rows = 0;
    for (name, sep) in [("eindkomst.csv", ';'), ("ydelser.csv", ',')] {
        for r in csv(&dir.0, name, sep).into_iter().skip(1) {
            rows += 1;
            let cpr = digits(&r[0]);
            if !residents.contains(&cpr) {
                assert!(moved.contains(&cpr), "{name}: a CPR neither resident nor moved away");
                strangers.insert(cpr);
            }
        }
    }
    assert!(strangers.len() * 2 > moved.len(), "{}", strangers.len());
    assert!(rows > 0);
    for name in ["befolkning.csv", "integrationsprogram.csv", "forsoergelsespligt.csv"] {
        assert!(csv(&dir.0, name, ';').iter().skip(1).all(|r| residents.contains(&digits(&r[0]))), "{name}");
    }
    // Maintenance contracts run three years from arrival.
    let truth = csv(&dir.0.join("truth"), "maintenance_truth.csv", ',');
    assert!(truth.len() > 1);
    for r in &truth[1..] {
        let start = time::Date::parse(&r[2], &time::format_description::well_known::Iso8601::DATE).unwrap();
        let end = time::Date::parse(&r[3], &time::format_description::well_known::Iso8601::DATE).unwrap();
        assert_eq!(end.year() - start.year(), 3);
        assert_eq!(r[4] == "1", end > today());
    }
}

/// Prints the time to write `SYNTH_REGISTERS_SIZE` residents (3,000 unless set), e.g.
/// `SYNTH_REGISTERS_SIZE=100000 cargo test -p synth --release --test registers timing -- --nocapture`;
/// with `SYNTH_REGISTERS_OUT=<folder>` the files (and truth) are kept there to look at.
#[test]
fn timing_of_a_larger_run() {
    let size: usize = std::env::var("SYNTH_REGISTERS_SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(SIZE);
    let started = Instant::now();
    let pop = population(SEED, size, today());
    let made = started.elapsed();
    let temp = TempDir::new("timing");
    let dir = std::env::var_os("SYNTH_REGISTERS_OUT").map_or_else(|| temp.0.clone(), PathBuf::from);
    let opts = options(Style::Municipal, IncomeRows::EveryAdult);
    let started = Instant::now();
    let files = write_extracts(&pop, &opts, &dir).unwrap();
    let written = started.elapsed();
    let started = Instant::now();
    write_truth(&pop, &opts, &dir).unwrap();
    println!("truth {:.2?}", started.elapsed());
    let mut bytes = 0;
    for f in &files.files {
        let len = std::fs::metadata(dir.join(&f.file_name)).unwrap().len();
        bytes += len;
        println!("{:<26} {:>12} rows {:>14} bytes", f.file_name, f.rows, len);
    }
    println!("{size} residents: population {made:.2?}, extracts {written:.2?}, {bytes} bytes");
    let adults = pop.iter().filter(|r| r.age_on(today()) >= 15).count() as u64;
    let income = files.files.iter().find(|f| f.kind == "income").unwrap().rows;
    assert!(income >= adults * 12, "{income} < {adults} × 12");
}
