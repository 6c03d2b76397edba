//! The selection engine on the synthetic municipality's extracts (synth::registers):
//! every file as a municipal system writes it is read with the mapping suggested from
//! its headers, and the guide's example selections (G-5.2) are compared with the truth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::selection::{Rules, template};
use register::kinds::ExtractKind;
use register::select::{SourceFile, select};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use synth::registers::{ExtractOptions, IncomeRows, Style};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 25);

struct Extracts {
    dir: PathBuf,
    files: Vec<SourceFile>,
}

/// One municipality of 6,000 residents for all tests here (written once).
fn extracts() -> &'static Extracts {
    static DONE: OnceLock<Extracts> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("opsog-register-select-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let population = synth::population::population(2026, 6_000, TODAY);
        let options = ExtractOptions {
            seed: 7,
            today: TODAY,
            style: Style::Municipal,
            income_rows: IncomeRows::EarnersOnly,
            xlsx: true,
        };
        let written = synth::registers::write_extracts(&population, &options, &dir).unwrap();
        synth::registers::write_truth(&population, &options, &dir).unwrap();
        let mut files = Vec::new();
        for f in &written.files {
            // The CSV list is used; the same list as XLSX is read in its own test.
            if f.file_name.ends_with(".xlsx") {
                continue;
            }
            let kind = ExtractKind::from_code(f.kind).unwrap();
            let path = dir.join(&f.file_name);
            let inspection = register::read::inspect(path.as_path(), &f.file_name, None).unwrap();
            let mapping = register::mapping::suggest(kind, &inspection.headers);
            mapping.check(&inspection.headers).unwrap_or_else(|p| panic!("{}: {p:?}", f.file_name));
            files.push(SourceFile { kind, path, file_name: f.file_name.clone(), mapping });
        }
        Extracts { dir, files }
    })
}

fn truth_cprs(dir: &Path, file: &str, column: usize) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join("truth").join(file))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(column).map(str::to_string))
        .filter(|c| !c.is_empty())
        .collect()
}

fn digits(cpr: &str) -> String {
    cpr.replace('-', "")
}

fn precision_recall(found: &BTreeSet<String>, truth: &BTreeSet<String>) -> (f64, f64) {
    let hits = found.intersection(truth).count() as f64;
    (hits / found.len().max(1) as f64, hits / truth.len().max(1) as f64)
}

#[test]
fn every_synthetic_extract_reads_without_error() {
    let e = extracts();
    assert_eq!(e.files.len(), 8);
    for f in &e.files {
        let summary = register::read::validate(&f.path, &f.file_name, &f.mapping)
            .unwrap_or_else(|err| panic!("{}: {err}", f.file_name));
        assert!(summary.rows > 0, "{}", f.file_name);
    }
}

#[test]
fn the_guide_s_first_selection_finds_the_target_group() {
    let e = extracts();
    let rules = template("self_supporting_women").unwrap();
    let selection = select(&rules, &e.files, TODAY).unwrap();
    let found: BTreeSet<String> = selection.candidates.iter().map(|c| digits(&c.cpr)).collect();
    let truth = truth_cprs(&e.dir, "target.csv", 0);
    assert!(truth.len() > 20, "the synthetic truth has a target group: {}", truth.len());
    let (precision, recall) = precision_recall(&found, &truth);
    eprintln!(
        "self_supporting_women: {} found, {} true, precision {precision:.4}, recall {recall:.4}",
        found.len(),
        truth.len()
    );
    assert!(precision >= 0.99 && recall >= 0.99, "precision {precision:.4}, recall {recall:.4}");
    // The counts narrow step by step, and the last is the number of candidates.
    let c = &selection.counts;
    assert!(c.after_base >= c.steps[0].remaining && c.steps[0].remaining >= c.steps[1].remaining);
    assert_eq!(c.steps[1].remaining, c.candidates);
    assert_eq!(c.candidates as usize, selection.candidates.len());
    // Only what outreach needs is kept (G-5.5): no income, benefit or spouse.
    let kept = serde_json::to_string(&selection.candidates[0]).unwrap();
    for field in ["amount", "income", "benefit", "spouse", "supporter"] {
        assert!(!kept.contains(field), "{kept}");
    }
}

#[test]
fn the_same_selection_gives_the_same_result_twice() {
    let e = extracts();
    let rules = template("self_supporting_women").unwrap();
    let a = select(&rules, &e.files, TODAY).unwrap();
    let b = select(&rules, &e.files, TODAY).unwrap();
    assert_eq!(a.candidates, b.candidates);
    assert_eq!(a.counts, b.counts);
}

#[test]
fn reunified_spouses_with_a_maintenance_contract() {
    let e = extracts();
    let rules = template("maintenance_spouses").unwrap();
    let selection = select(&rules, &e.files, TODAY).unwrap();
    let found: BTreeSet<String> = selection.candidates.iter().map(|c| digits(&c.cpr)).collect();
    // Truth: residents.csv has per resident the flags the rule reads.
    let text = std::fs::read_to_string(e.dir.join("truth").join("residents.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cpr, sex, age, nw, income, benefit, reunified) = (
        col("cpr"),
        col("sex"),
        col("age"),
        col("non_western"),
        col("income_months"),
        col("benefit_months"),
        col("family_reunified"),
    );
    let truth: BTreeSet<String> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| {
            let a: i32 = r[age].parse().unwrap();
            (r[sex] == "F" || r[sex] == "K")
                && (18..=64).contains(&a)
                && r[nw] == "1"
                && r[reunified] == "1"
                && r[income] == "0"
                && r[benefit] == "0"
        })
        .map(|r| r[cpr].to_string())
        .collect();
    assert!(!truth.is_empty());
    let (precision, recall) = precision_recall(&found, &truth);
    assert!(precision >= 0.99 && recall >= 0.99, "precision {precision:.4}, recall {recall:.4} of {}", truth.len());
}

#[test]
fn language_school_participants_are_linked_without_cpr() {
    let e = extracts();
    let rules = template("language_school_without_income").unwrap();
    let selection = select(&rules, &e.files, TODAY).unwrap();
    // Truth: women of the base on the list (by the list's true links) without income.
    let on_list = truth_cprs(&e.dir, "language_school_links.csv", 1);
    let text = std::fs::read_to_string(e.dir.join("truth").join("residents.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: HashMap<String, Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .map(|r| (r[col("cpr")].clone(), r))
        .collect();
    let truth: BTreeSet<String> = on_list
        .iter()
        .filter(|c| {
            let r = &rows[*c];
            let a: i32 = r[col("age")].parse().unwrap();
            (r[col("sex")] == "F" || r[col("sex")] == "K")
                && (18..=64).contains(&a)
                && r[col("non_western")] == "1"
                && r[col("income_months")] == "0"
        })
        .cloned()
        .collect();
    assert!(truth.len() >= 5, "{}", truth.len());
    // Certain links are candidates; uncertain ones wait for a caseworker. Together they
    // must find her, and the certain ones must be right.
    let certain: BTreeSet<String> = selection.candidates.iter().map(|c| digits(&c.cpr)).collect();
    let all: BTreeSet<String> =
        certain.iter().cloned().chain(selection.reviews.iter().map(|r| digits(&r.candidate.cpr))).collect();
    let (precision, _) = precision_recall(&certain, &truth);
    let (p_all, r_all) = precision_recall(&all, &truth);
    let f1 = 2.0 * p_all * r_all / (p_all + r_all);
    eprintln!(
        "language school: {} true, {} certain (precision {precision:.3}), {} for review; all: precision {p_all:.3}, recall {r_all:.3}, F1 {f1:.3}",
        truth.len(),
        certain.len(),
        selection.reviews.len()
    );
    assert!(precision >= 0.95, "certain links: precision {precision:.3}");
    assert!(f1 >= 0.95, "certain + review: precision {p_all:.3}, recall {r_all:.3}");
    assert!(selection.counts.linked_certain > 0);
    // A review carries what the caseworker compares: the list's name and her row.
    for r in &selection.reviews {
        assert!(!r.list_name.is_empty() && r.list_row >= 2);
        // And why (issue 12, item 6): each field's agreement, and what keeps it from certain.
        let fields: Vec<&str> = r.why.fields.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "birth_date", "phone"], "{:?}", r.why);
        assert!(!r.why.doubts.is_empty(), "a link for review has a doubt: {:?}", r.why);
    }
}

#[test]
fn the_language_school_list_reads_the_same_from_xlsx() {
    let e = extracts();
    let csv = e.files.iter().find(|f| f.kind == ExtractKind::LanguageSchool).unwrap();
    let xlsx_path = e.dir.join("sprogskole.xlsx");
    let inspection = register::read::inspect(xlsx_path.as_path(), "sprogskole.xlsx", None).unwrap();
    assert_eq!(inspection.sheets, vec!["Deltagere".to_string()]);
    let mapping = register::mapping::suggest(ExtractKind::LanguageSchool, &inspection.headers);
    let xlsx =
        SourceFile { kind: ExtractKind::LanguageSchool, path: xlsx_path, file_name: "sprogskole.xlsx".into(), mapping };
    let files_csv: Vec<SourceFile> = e.files.clone();
    let files_xlsx: Vec<SourceFile> =
        e.files.iter().filter(|f| f.kind != ExtractKind::LanguageSchool).cloned().chain([xlsx]).collect();
    let rules = template("language_school_without_income").unwrap();
    let a = select(&rules, &files_csv, TODAY).unwrap();
    let b = select(&rules, &files_xlsx, TODAY).unwrap();
    assert_eq!(a.candidates, b.candidates, "{} vs {}", csv.file_name, "sprogskole.xlsx");
}

#[test]
fn rules_that_need_a_missing_extract_say_which() {
    let e = extracts();
    let population_only: Vec<SourceFile> =
        e.files.iter().filter(|f| f.kind == ExtractKind::Population).cloned().collect();
    let err = select(&template("self_supporting_women").unwrap(), &population_only, TODAY).unwrap_err();
    assert_eq!(err.code(), "select-missing-source");
    assert!(err.to_string().contains("income"));
    let none: Vec<SourceFile> = Vec::new();
    assert_eq!(
        select(&template("self_supporting_women").unwrap(), &none, TODAY).unwrap_err().code(),
        "select-no-population"
    );
    // A base-only rule set needs nothing else.
    let base = Rules { steps: Vec::new(), ..template("self_supporting_women").unwrap() };
    assert!(select(&base, &population_only, TODAY).unwrap().counts.candidates > 0);
}

#[test]
fn reading_in_ranges_gives_the_same_selection() {
    // Small ranges make every extract several ranges, read on every core.
    let e = extracts();
    for name in domain::selection::TEMPLATES {
        let rules = template(name).unwrap();
        let whole = select(&rules, &e.files, TODAY).unwrap();
        let ranged = register::select::select_in_ranges(&rules, &e.files, TODAY, 16 * 1024).unwrap();
        assert_eq!(whole.candidates, ranged.candidates, "{name}");
        assert_eq!(whole.counts, ranged.counts, "{name}");
    }
}

#[test]
fn a_bad_row_in_a_later_range_is_named_by_its_row_in_the_file() {
    let dir = std::env::temp_dir().join(format!("opsog-register-ranges-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("eindkomst.csv");
    let mut text = String::from("CPR;Måned;Beløb\r\n");
    for i in 0..5_000 {
        text.push_str(&format!("0101901234;2026-{:02};{i},00\r\n", i % 12 + 1));
    }
    text.push_str("0101901234;2026-13;5,00\r\n");
    std::fs::write(&path, &text).unwrap();
    let chunks = register::read::csv_chunks(&path, 4096).unwrap();
    assert!(chunks.len() > 10);
    let inspection = register::read::inspect(path.as_path(), "eindkomst.csv", None).unwrap();
    let mapping = register::mapping::suggest(ExtractKind::Income, &inspection.headers);
    let mut rows = 0;
    let mut error = None;
    for chunk in &chunks {
        let mut reader = register::read::Reader::open_chunk(&path, "eindkomst.csv", &mapping, chunk).unwrap();
        loop {
            match reader.next_row() {
                Ok(Some(_)) => rows += 1,
                Ok(None) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
    }
    assert_eq!(rows, 5_000, "every row read once across the ranges");
    let e = error.expect("the bad month is found");
    assert_eq!((e.row, e.column.as_deref(), e.code()), (Some(5_002), Some("Måned"), "bad-month"));
    std::fs::remove_dir_all(&dir).unwrap();
}
