//! Links two CSV files with `linkage` and scores the result against a truth file.
//!
//! ```text
//! cargo run --release -p linkage --example evaluate -- \
//!   --left a.csv --right b.csv --truth truth.csv [--left-id rec_id] [--right-id rec_id] \
//!   --field SPEC ... [--block RULE ...] [--upper P] [--lower P] [--links out.csv]
//! ```
//!
//! `--field name:kind[:format][=left_columns[|right_columns]]`
//! - `kind`: `name`, `date`, `exact`, `phone` or `text`.
//! - `format` (dates only): strftime-like, `%Y`, `%m`, `%d` and literal characters, e.g.
//!   `%Y%m%d` or `%d-%m-%Y`. Without it, common forms are tried. A date that does not
//!   parse is kept as text and compared by its digits.
//! - columns: the field's value is these columns joined by a space (`+` between
//!   columns); before `|` for the left file, after it for the right; without `|` both
//!   sides use the same columns, without `=` the column is the field's name. So a
//!   one-column name on the left meets given and family name on the right with
//!   `--field name:name=Navn|Fornavn+Efternavn`.
//!
//! `--block field:part[+field:part...]` adds a blocking rule (`part`: `whole`, `year`
//! or `token`); without any, the schema's default rules apply.
//!
//! The truth file's first two columns are a left id and a right id (with a header row).
//! Output: a text summary and one `{"tool":"opsog",...}` JSON line. Timed: linkage only.

use std::collections::HashSet;
use std::error::Error;
use std::time::Instant;

use linkage::{BlockPart, Certainty, Config, FieldKind, FieldValue, Record, Schema};
use time::Date;
use time::format_description::OwnedFormatItem;

type Res<T> = Result<T, Box<dyn Error>>;

struct FieldSpec {
    name: String,
    kind: FieldKind,
    formats: Vec<OwnedFormatItem>,
    left: Vec<String>,
    right: Vec<String>,
}

fn strftime_to_time(f: &str) -> String {
    let mut out = String::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some('Y') => out.push_str("[year]"),
                Some('m') => out.push_str("[month]"),
                Some('d') => out.push_str("[day]"),
                Some(o) => {
                    out.push('%');
                    out.push(o);
                }
                None => out.push('%'),
            }
        } else if c == '[' {
            out.push_str("[[");
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_field(spec: &str) -> Res<FieldSpec> {
    let (head, cols) = match spec.split_once('=') {
        Some((h, c)) => (h, Some(c)),
        None => (spec, None),
    };
    let mut parts = head.splitn(3, ':');
    let name = parts.next().unwrap_or_default().to_owned();
    let kind = match parts.next().unwrap_or("text") {
        "name" => FieldKind::Name,
        "date" => FieldKind::Date,
        "exact" => FieldKind::Exact,
        "phone" => FieldKind::Phone,
        "text" => FieldKind::Text,
        other => return Err(format!("field `{name}`: unknown kind `{other}`").into()),
    };
    let formats = match parts.next() {
        Some(f) => vec![time::format_description::parse_owned::<2>(&strftime_to_time(f))?],
        None => ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d"]
            .iter()
            .map(|f| time::format_description::parse_owned::<2>(&strftime_to_time(f)))
            .collect::<Result<_, _>>()?,
    };
    let split = |s: &str| s.split('+').map(str::to_owned).collect::<Vec<_>>();
    let (left, right) = match cols {
        Some(c) => match c.split_once('|') {
            Some((l, r)) => (split(l), split(r)),
            None => (split(c), split(c)),
        },
        None => (vec![name.clone()], vec![name.clone()]),
    };
    Ok(FieldSpec { name, kind, formats, left, right })
}

fn parse_block(spec: &str) -> Res<Vec<(String, BlockPart)>> {
    spec.split('+')
        .map(|p| {
            let (field, part) = p.split_once(':').unwrap_or((p, "whole"));
            let part = match part {
                "whole" => BlockPart::Whole,
                "year" => BlockPart::Year,
                "token" => BlockPart::NameToken,
                other => return Err(format!("block rule `{spec}`: unknown part `{other}`").into()),
            };
            Ok((field.to_owned(), part))
        })
        .collect()
}

/// Reads one CSV into records (ids are positions) and the list of original ids.
fn read(path: &str, id_col: &str, fields: &[FieldSpec], left: bool) -> Res<(Vec<Record>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| -> Res<usize> {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| format!("{path}: no column `{name}`").into())
    };
    let id_idx = col(id_col)?;
    let mut cols = Vec::new();
    for f in fields {
        let names = if left { &f.left } else { &f.right };
        cols.push(names.iter().map(|n| col(n)).collect::<Res<Vec<_>>>()?);
    }
    let (mut records, mut ids) = (Vec::new(), Vec::new());
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("{path}: row {}: {e}", row + 2))?;
        let values = fields
            .iter()
            .zip(&cols)
            .map(|(f, idx)| {
                let joined = idx
                    .iter()
                    .filter_map(|&i| rec.get(i).map(str::trim).filter(|s| !s.is_empty()))
                    .collect::<Vec<_>>()
                    .join(" ");
                if joined.is_empty() {
                    return None;
                }
                Some(match f.kind {
                    FieldKind::Name => FieldValue::Name(joined),
                    FieldKind::Date => f
                        .formats
                        .iter()
                        .find_map(|fmt| Date::parse(&joined, fmt).ok())
                        .map_or(FieldValue::Text(joined), FieldValue::Date),
                    _ => FieldValue::Text(joined),
                })
            })
            .collect();
        records.push(Record { id: records.len() as u64, values });
        ids.push(rec.get(id_idx).unwrap_or_default().trim().to_owned());
    }
    Ok((records, ids))
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

struct Score {
    precision: f64,
    recall: f64,
    f1: f64,
    links: usize,
}

fn score(found: &HashSet<(String, String)>, truth: &HashSet<(String, String)>) -> Score {
    let tp = found.intersection(truth).count() as f64;
    let precision = if found.is_empty() { 0.0 } else { tp / found.len() as f64 };
    let recall = if truth.is_empty() { 0.0 } else { tp / truth.len() as f64 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Score { precision, recall, f1, links: found.len() }
}

fn json(s: &Score) -> String {
    format!(
        "{{\"precision\": {:.6}, \"recall\": {:.6}, \"f1\": {:.6}, \"links\": {}}}",
        s.precision, s.recall, s.f1, s.links
    )
}

fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let (mut left, mut right, mut truth, mut links_out) = (None, None, None, None);
    let (mut left_id, mut right_id) = ("rec_id".to_owned(), "rec_id".to_owned());
    let (mut fields, mut blocks) = (Vec::new(), Vec::new());
    let mut config = Config::default();
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--left" => left = Some(val()?),
            "--right" => right = Some(val()?),
            "--truth" => truth = Some(val()?),
            "--left-id" => left_id = val()?,
            "--right-id" => right_id = val()?,
            "--field" => fields.push(parse_field(&val()?)?),
            "--block" => blocks.push(parse_block(&val()?)?),
            "--upper" => config.upper = val()?.parse()?,
            "--lower" => config.lower = val()?.parse()?,
            "--links" => links_out = Some(val()?),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let (left, right, truth) = match (left, right, truth) {
        (Some(l), Some(r), Some(t)) => (l, r, t),
        _ => return Err("--left, --right and --truth are required".into()),
    };
    if fields.is_empty() {
        return Err("at least one --field is required".into());
    }
    let mut builder = Schema::builder();
    for f in &fields {
        builder = builder.field(f.name.clone(), f.kind);
    }
    for b in &blocks {
        let parts: Vec<(&str, BlockPart)> = b.iter().map(|(n, p)| (n.as_str(), *p)).collect();
        builder = builder.block_on(&parts);
    }
    let schema = builder.build()?;

    let read_start = Instant::now();
    let (lrec, lids) = read(&left, &left_id, &fields, true)?;
    let (rrec, rids) = read(&right, &right_id, &fields, false)?;
    let mut truth_set = HashSet::new();
    let mut rdr = csv::Reader::from_path(&truth).map_err(|e| format!("{truth}: {e}"))?;
    for rec in rdr.records() {
        let rec = rec?;
        truth_set.insert((
            rec.get(0).unwrap_or_default().trim().to_owned(),
            rec.get(1).unwrap_or_default().trim().to_owned(),
        ));
    }
    let read_secs = read_start.elapsed().as_secs_f64();

    let start = Instant::now();
    let result = linkage::link_detailed(&schema, &lrec, &rrec, &config)?;
    let secs = start.elapsed().as_secs_f64();

    let pair = |l: &linkage::Link| (lids[l.left as usize].clone(), rids[l.right as usize].clone());
    let certain: HashSet<_> = result.links.iter().filter(|l| l.certainty == Certainty::Certain).map(pair).collect();
    let all: HashSet<_> = result.links.iter().map(pair).collect();
    let (sc, sa) = (score(&certain, &truth_set), score(&all, &truth_set));
    if let Some(path) = links_out {
        let mut w = csv::Writer::from_path(&path)?;
        w.write_record(["left", "right", "probability", "weight", "certainty"])?;
        for l in &result.links {
            let (a, b) = pair(l);
            let c = if l.certainty == Certainty::Certain { "certain" } else { "review" };
            w.write_record([a, b, format!("{:.6}", l.probability), format!("{:.3}", l.weight), c.to_owned()])?;
        }
        w.flush()?;
    }
    println!(
        "opsog: {} x {} records, {} candidate pairs, {} EM iterations, match share {:.4}; read {:.3} s, linked in {:.3} s",
        lrec.len(),
        rrec.len(),
        result.candidate_pairs,
        result.em_iterations,
        result.match_share,
        read_secs,
        secs
    );
    println!(
        "{{\"tool\": \"opsog\", \"seconds\": {secs:.4}, \"read_seconds\": {read_secs:.4}, \"peak_rss_mib\": {:.1}, \"upper\": {}, \"lower\": {}, \"candidate_pairs\": {}, \"certain\": {}, \"certain_and_review\": {}}}",
        peak_rss_mib(),
        config.upper,
        config.lower,
        result.candidate_pairs,
        json(&sc),
        json(&sa)
    );
    Ok(())
}
