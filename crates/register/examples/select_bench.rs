//! The register search benchmark's Opsøg side (bench/register/run.sh). Not a test.
//!
//! ```text
//! select_bench generate --persons N --out DIR [--style plain|municipal] [--every-adult|--every-resident] [--seed S]
//! select_bench select --dir DIR [--template self_supporting_women] [--today 2026-11-25]
//! ```
//! `generate` writes the synthetic municipality's extracts and truth (synth::registers).
//! `select` reads every extract in DIR with the mapping suggested from its headers, runs
//! the template selection, and prints one JSON line: seconds, peak memory, candidates,
//! and precision and recall against `DIR/truth/target.csv` (for the first template).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use register::kinds::ExtractKind;
use register::select::{SourceFile, select};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use synth::registers::{ExtractOptions, IncomeRows, Style};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn today(args: &[String]) -> time::Date {
    let text = arg(args, "--today").unwrap_or_else(|| "2026-11-25".into());
    time::Date::parse(&text, &time::format_description::well_known::Iso8601::DATE).unwrap()
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn kind_of(file_name: &str) -> Option<ExtractKind> {
    let kind = match file_name {
        "befolkning.csv" => ExtractKind::Population,
        "eindkomst.csv" => ExtractKind::Income,
        "ydelser.csv" => ExtractKind::Benefits,
        "integrationsprogram.csv" => ExtractKind::IntegrationProgramme,
        "sprogskole.csv" => ExtractKind::LanguageSchool,
        "boligstoette.csv" => ExtractKind::HousingBenefit,
        "forsoergelsespligt.csv" => ExtractKind::MaintenanceContracts,
        "sikkerhedsstillelse.csv" => ExtractKind::ReunificationDeposits,
        _ => return None,
    };
    Some(kind)
}

fn files(dir: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(kind) = kind_of(&name) else { continue };
        let inspection = register::read::inspect(path.as_path(), &name, None).unwrap();
        let mapping = register::mapping::suggest(kind, &inspection.headers);
        out.push(SourceFile { kind, path, file_name: name, mapping });
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => {
            let persons: usize = arg(&args, "--persons").unwrap_or_else(|| "100000".into()).parse().unwrap();
            let out = PathBuf::from(arg(&args, "--out").expect("--out DIR"));
            let seed: u64 = arg(&args, "--seed").unwrap_or_else(|| "2026".into()).parse().unwrap();
            let style = match arg(&args, "--style").as_deref() {
                Some("municipal") => Style::Municipal,
                _ => Style::Plain,
            };
            let income_rows = if args.iter().any(|a| a == "--every-resident") {
                IncomeRows::EveryResident
            } else if args.iter().any(|a| a == "--every-adult") {
                IncomeRows::EveryAdult
            } else {
                IncomeRows::EarnersOnly
            };
            let started = Instant::now();
            let population = synth::population::population(seed, persons, today(&args));
            let options = ExtractOptions { seed, today: today(&args), style, income_rows, xlsx: false };
            let written = synth::registers::write_extracts(&population, &options, &out).unwrap();
            synth::registers::write_truth(&population, &options, &out).unwrap();
            for f in &written.files {
                eprintln!("  {:<26} {:>11} rows", f.file_name, f.rows);
            }
            eprintln!("generated {persons} persons in {:.1} s", started.elapsed().as_secs_f64());
        }
        Some("select") => {
            let dir = PathBuf::from(arg(&args, "--dir").expect("--dir DIR"));
            let name = arg(&args, "--template").unwrap_or_else(|| "self_supporting_women".into());
            let rules = domain::selection::template(&name).expect("a template name");
            let started = Instant::now();
            let files = files(&dir);
            let selection = select(&rules, &files, today(&args)).unwrap();
            let seconds = started.elapsed().as_secs_f64();
            let found: BTreeSet<String> = selection.candidates.iter().map(|c| c.cpr.replace('-', "")).collect();
            let (mut precision, mut recall) = (f64::NAN, f64::NAN);
            if name == "self_supporting_women"
                && let Ok(text) = std::fs::read_to_string(dir.join("truth").join("target.csv"))
            {
                let truth: BTreeSet<String> = text.lines().skip(1).map(str::to_string).collect();
                let hits = found.intersection(&truth).count() as f64;
                precision = hits / found.len().max(1) as f64;
                recall = hits / truth.len().max(1) as f64;
            }
            println!(
                "{{\"engine\":\"opsog\",\"template\":\"{name}\",\"seconds\":{seconds:.3},\"peak_mib\":{:.0},\"candidates\":{},\"reviews\":{},\"precision\":{precision:.4},\"recall\":{recall:.4}}}",
                peak_mib(),
                selection.candidates.len(),
                selection.reviews.len()
            );
        }
        _ => {
            eprintln!("usage: select_bench generate --persons N --out DIR | select --dir DIR [--template T]");
            std::process::exit(2);
        }
    }
}
