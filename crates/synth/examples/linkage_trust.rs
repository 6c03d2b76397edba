//! Linkage you can trust (issue 12): links synth's course list with women outside the
//! population and twin sisters to the population without CPR, and prints precision and
//! recall of certain links and of review, each kind of row, and calibration. A
//! measurement (see bench/linkage/trust.sh), deterministic from the seed.
//!
//! ```text
//! cargo run --release -p synth --example linkage_trust -- [--persons N] [--seed S]... [--twins-every K] [--show-wrong]
//! ```
//!
//! `--show-wrong` lists every wrong or review link with its evidence (synthetic names).

#![allow(clippy::print_stdout)]

#[path = "../tests/support/linkage_trust.rs"]
mod trust;

use std::time::Instant;
use time::macros::date;

fn main() -> Result<(), String> {
    let mut persons = 20_000usize;
    let mut seeds = Vec::new();
    let mut twins_every = 10usize;
    let mut show_wrong = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--persons" => persons = value()?.parse().map_err(|e| format!("--persons: {e}"))?,
            "--seed" => seeds.push(value()?.parse::<u64>().map_err(|e| format!("--seed: {e}"))?),
            "--twins-every" => twins_every = value()?.parse().map_err(|e| format!("--twins-every: {e}"))?,
            "--show-wrong" => show_wrong = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if seeds.is_empty() {
        seeds = vec![2026, 7, 41];
    }
    let today = date!(2026 - 11 - 25);
    for seed in seeds {
        let start = Instant::now();
        let population = synth::population::population(seed, persons, today);
        let population = synth::registers::with_twin_sisters(&population, seed, twins_every);
        let list = synth::registers::course_list_with_outsiders(&population, &trust::options(seed, today));
        let made = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let measured = trust::measure(&population, &list, &linkage::Config::default())?;
        println!("## seed {seed} (data {made:.1} s, linkage {:.1} s)\n", start.elapsed().as_secs_f64());
        println!("{}", trust::report(&measured));
        if show_wrong {
            for (l, t) in &measured.links {
                if *t == trust::Truth::Wrong || l.certainty == linkage::Certainty::Review {
                    let row = list.iter().find(|r| r.row == l.left).map(|r| (r.name.clone(), r.birth_date, r.who));
                    let p = &population[l.right as usize];
                    println!(
                        "{:?} -> {} {} {} p={:.4} w={:.2} prior={:.2} {:?} {:?}",
                        row,
                        p.given_name,
                        p.family_name,
                        p.birth_date,
                        l.probability,
                        l.weight,
                        l.prior_weight,
                        l.evidence
                            .iter()
                            .map(|e| (e.agreement, (e.weight * 100.0).round() / 100.0))
                            .collect::<Vec<_>>(),
                        l.doubts
                    );
                }
            }
        }
    }
    Ok(())
}
