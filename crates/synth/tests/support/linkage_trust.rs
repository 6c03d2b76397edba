//! Links synth's course list with women outside the population (and twins) to the
//! population, as `register` links a list without CPR (name, birth date, phone), and
//! scores the links against the truth: precision and recall of certain links and of
//! review, what became of each kind of row, and calibration (predicted probability
//! against the share of links that are right). Shared by the test
//! `tests/linkage_trust.rs` and the bench `examples/linkage_trust.rs`.

use linkage::{Certainty, Config, Doubt, FieldKind, FieldValue, Link, Record, Schema};
use std::collections::{BTreeMap, HashMap, HashSet};
use synth::population::Resident;
use synth::registers::{CourseRow, ExtractOptions, IncomeRows, Outsider, Style, Who};
use time::Date;

/// What was measured on one population and list.
pub struct Trust {
    pub residents: usize,
    pub rows: usize,
    pub rows_in_population: usize,
    pub links: Vec<(Link, Truth)>,
    /// Per kind of row: rows, certain right, certain wrong, review right, review wrong, unlinked.
    pub by_kind: BTreeMap<&'static str, [usize; 6]>,
}

/// Whether a link is right, by the list row's truth.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    Right,
    Wrong,
}

/// The schema `register::link_lists` uses.
pub fn schema() -> Result<Schema, String> {
    Schema::builder()
        .field("name", FieldKind::Name)
        .field("birth_date", FieldKind::Date)
        .field("phone", FieldKind::Phone)
        .build()
        .map_err(|e| format!("schema: {e}"))
}

fn record(id: u64, name: &str, birth: Date, phone: Option<&str>) -> Record {
    Record {
        id,
        values: vec![
            Some(FieldValue::Name(name.to_owned())),
            Some(FieldValue::Date(birth)),
            phone.map(|p| FieldValue::Text(p.to_owned())),
        ],
    }
}

pub fn options(seed: u64, today: Date) -> ExtractOptions {
    ExtractOptions { seed, today, style: Style::Plain, income_rows: IncomeRows::EarnersOnly, xlsx: false }
}

/// A row's kind, for the table.
fn kind(row: &CourseRow, twins: &HashSet<usize>, second: &HashSet<u64>) -> &'static str {
    match row.who {
        Who::Resident(i) if twins.contains(&i) => "resident with a twin sister",
        Who::Resident(_) if second.contains(&row.row) => "resident, second course",
        Who::Resident(_) => "resident",
        Who::Outside(Outsider::NamesakeYearsApart) => "outside: namesake years apart",
        Who::Outside(Outsider::NamesakeSameYear) => "outside: namesake same year",
        Who::Outside(Outsider::SharesGivenName) => "outside: given name + birth date",
        Who::Outside(Outsider::Stranger) => "outside: stranger",
    }
}

/// Links the list to every resident (men and children too, as a list linked before any
/// other step would be) and scores it.
pub fn measure(population: &[Resident], list: &[CourseRow], config: &Config) -> Result<Trust, String> {
    let left: Vec<Record> = list.iter().map(|r| record(r.row, &r.name, r.birth_date, r.phone.as_deref())).collect();
    let right: Vec<Record> = population
        .iter()
        .enumerate()
        .map(|(i, r)| record(i as u64, &format!("{} {}", r.given_name, r.family_name), r.birth_date, None))
        .collect();
    let links = linkage::link(&schema()?, &left, &right, config).map_err(|e| format!("linkage: {e}"))?;
    // Twins: women sharing family name and birth date with another resident woman.
    let mut by_family_birth: HashMap<(&str, Date), Vec<usize>> = HashMap::new();
    for (i, r) in population.iter().enumerate() {
        by_family_birth.entry((r.family_name.as_str(), r.birth_date)).or_default().push(i);
    }
    let twins: HashSet<usize> = by_family_birth.values().filter(|v| v.len() > 1).flatten().copied().collect();
    let mut seen = HashSet::new();
    let second: HashSet<u64> = list
        .iter()
        .filter_map(|r| match r.who {
            Who::Resident(i) if !seen.insert(i) => Some(r.row),
            _ => None,
        })
        .collect();
    let link_of: HashMap<u64, &Link> = links.iter().map(|l| (l.left, l)).collect();
    let mut by_kind: BTreeMap<&'static str, [usize; 6]> = BTreeMap::new();
    let mut scored = Vec::new();
    for row in list {
        let counts = by_kind.entry(kind(row, &twins, &second)).or_default();
        counts[0] += 1;
        let Some(link) = link_of.get(&row.row) else {
            counts[5] += 1;
            continue;
        };
        let right = matches!(row.who, Who::Resident(i) if i as u64 == link.right);
        let truth = if right { Truth::Right } else { Truth::Wrong };
        let slot = match (link.certainty, truth) {
            (Certainty::Certain, Truth::Right) => 1,
            (Certainty::Certain, Truth::Wrong) => 2,
            (Certainty::Review, Truth::Right) => 3,
            (Certainty::Review, Truth::Wrong) => 4,
        };
        counts[slot] += 1;
        scored.push(((*link).clone(), truth));
    }
    Ok(Trust {
        residents: population.len(),
        rows: list.len(),
        rows_in_population: list.iter().filter(|r| matches!(r.who, Who::Resident(_))).count(),
        links: scored,
        by_kind,
    })
}

/// Precision and recall of a set of links (recall over the rows in the population).
pub fn precision_recall(trust: &Trust, keep: impl Fn(&Link) -> bool) -> (usize, f64, f64) {
    let kept: Vec<&(Link, Truth)> = trust.links.iter().filter(|(l, _)| keep(l)).collect();
    let right = kept.iter().filter(|(_, t)| *t == Truth::Right).count();
    let precision = if kept.is_empty() { 1.0 } else { right as f64 / kept.len() as f64 };
    let recall = if trust.rows_in_population == 0 { 1.0 } else { right as f64 / trust.rows_in_population as f64 };
    (kept.len(), precision, recall)
}

/// Bins of predicted probability: (from, to, links, mean predicted, share right).
pub fn calibration(trust: &Trust) -> Vec<(f64, f64, usize, f64, f64)> {
    const EDGES: &[f64] = &[0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.000_001];
    EDGES
        .windows(2)
        .map(|w| {
            let inside: Vec<&(Link, Truth)> =
                trust.links.iter().filter(|(l, _)| l.probability >= w[0] && l.probability < w[1]).collect();
            let n = inside.len();
            let mean = inside.iter().map(|(l, _)| l.probability).sum::<f64>() / n.max(1) as f64;
            let right = inside.iter().filter(|(_, t)| *t == Truth::Right).count() as f64 / n.max(1) as f64;
            (w[0], w[1].min(1.0), n, mean, right)
        })
        .collect()
}

/// Certain links that break a rule no weight may outvote: dates differing by more than
/// one slip, or names agreeing only in part. Must be none.
pub fn certain_against_the_rules(trust: &Trust) -> usize {
    trust
        .links
        .iter()
        .filter(|(l, _)| l.certainty == Certainty::Certain)
        .filter(|(l, _)| {
            l.evidence.iter().any(|e| match e.agreement {
                linkage::Agreement::Date(d) => !d.at_most_one_slip(),
                linkage::Agreement::Name(n) => n > linkage::NameAgreement::Weak,
                _ => false,
            })
        })
        .count()
}

/// How often each doubt held among review links.
pub fn doubts(trust: &Trust) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (l, _) in &trust.links {
        for d in &l.doubts {
            let key = match d {
                Doubt::DatesDiffer { .. } => "dates differ by more than one slip".to_owned(),
                Doubt::DateMissing { .. } => "date missing".to_owned(),
                other => other.to_string(),
            };
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

/// The whole report as text, for the bench and for a failing test.
pub fn report(trust: &Trust) -> String {
    let mut s = format!(
        "{} residents, {} list rows ({} of women in the population, {} outside)\n\n",
        trust.residents,
        trust.rows,
        trust.rows_in_population,
        trust.rows - trust.rows_in_population
    );
    let certain = precision_recall(trust, |l| l.certainty == Certainty::Certain);
    let review = precision_recall(trust, |l| l.certainty == Certainty::Review);
    let all = precision_recall(trust, |_| true);
    s.push_str("| links | count | precision | recall |\n|---|---|---|---|\n");
    for (name, (n, p, r)) in [("certain", certain), ("review", review), ("certain + review", all)] {
        s.push_str(&format!("| {name} | {n} | {p:.4} | {r:.4} |\n"));
    }
    s.push_str(
        "\n| row kind | rows | certain right | certain wrong | review right | review wrong | unlinked |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (kind, c) in &trust.by_kind {
        s.push_str(&format!("| {kind} | {} | {} | {} | {} | {} | {} |\n", c[0], c[1], c[2], c[3], c[4], c[5]));
    }
    s.push_str("\n| predicted | links | mean predicted | share right |\n|---|---|---|---|\n");
    for (from, to, n, mean, right) in calibration(trust) {
        if n > 0 {
            s.push_str(&format!("| {from:.3}–{to:.3} | {n} | {mean:.4} | {right:.4} |\n"));
        }
    }
    s.push_str(&format!("\ncertain links against the rules: {}\n", certain_against_the_rules(trust)));
    s.push_str("doubts of links: ");
    s.push_str(&doubts(trust).iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "));
    s.push('\n');
    s
}
