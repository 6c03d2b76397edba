//! Income and benefits over the twelve months: what they depend on (`Traits`), the
//! monthly amounts of a type (`Monthly`), and how they are drawn from the resident's
//! flags.

use crate::age_on;
use crate::pick::{chance, weighted};
use crate::population::{Resident, Sex};
use domain::reference::is_non_western;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::Date;

/// What income and benefits depend on.
#[derive(Debug, Clone, Copy)]
pub(super) struct Traits {
    pub(super) age: i32,
    pub(super) female: bool,
    /// Whole years since arriving; `None` for those born here.
    pub(super) years_here: Option<i32>,
    pub(super) arrived_as_child: bool,
    pub(super) western: bool,
    pub(super) employed: bool,
    pub(super) on_benefit: bool,
}

impl Traits {
    pub(super) fn of(r: &Resident, today: Date) -> Traits {
        Traits {
            age: r.age_on(today),
            female: r.sex == Sex::Female,
            years_here: r.arrived_in_denmark.map(|a| age_on(a, today)),
            arrived_as_child: r.arrived_in_denmark.is_some_and(|a| age_on(r.birth_date, a) < 18),
            western: !is_non_western(&r.country_of_origin),
            employed: r.employed,
            on_benefit: r.on_benefit,
        }
    }
}

/// Twelve monthly amounts in øre, of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Monthly {
    pub(super) kind: &'static str,
    pub(super) amounts: [i64; 12],
}

impl Monthly {
    pub(super) fn months(&self) -> usize {
        self.amounts.iter().filter(|a| **a > 0).count()
    }

    pub(super) fn total(&self) -> i64 {
        self.amounts.iter().sum()
    }
}

/// A contiguous run of months in the year, `(from, to)` exclusive.
pub(super) fn run(rng: &mut ChaCha8Rng, shortest: usize, longest: usize) -> (usize, usize) {
    let len = rng.random_range(shortest..=longest.min(12));
    let from = rng.random_range(0..=12 - len);
    (from, from + len)
}

pub(super) fn income(rng: &mut ChaCha8Rng, t: &Traits) -> Option<Monthly> {
    if !t.employed {
        return None;
    }
    let (lo, hi) = match t.age {
        ..18 => (1_500.0, 5_000.0),
        18..25 => (9_000.0, 24_000.0),
        25..30 => (22_000.0, 36_000.0),
        30..60 => (24_000.0, 52_000.0),
        60..65 => (26_000.0, 48_000.0),
        _ => (4_000.0, 22_000.0),
    };
    let mut level: f64 = rng.random_range(lo..hi);
    if t.female {
        level *= 0.88;
    }
    if t.years_here.is_some_and(|y| y < 10) && !t.arrived_as_child {
        level *= 0.8;
    }
    if chance(rng, 0.12) {
        level *= 0.55;
    }
    let kind = weighted(rng, &[("Løn", 93), ("B-indkomst", 4), ("Honorar", 3)], |k| k.1).map_or("Løn", |k| k.0);
    let (from, to) = if chance(rng, 0.8) {
        (0, 12)
    } else {
        // A job begun or ended during the year.
        let len = rng.random_range(1..=11);
        if chance(rng, 0.5) { (12 - len, 12) } else { (0, len) }
    };
    let mut amounts = [0i64; 12];
    for a in amounts.iter_mut().take(to).skip(from) {
        let f: f64 = rng.random_range(0.96..1.04);
        *a = ((level * f * 100.0).round() as i64).max(100);
    }
    Some(Monthly { kind, amounts })
}

pub(super) fn benefit(rng: &mut ChaCha8Rng, t: &Traits, income: Option<&Monthly>) -> Option<Monthly> {
    if !t.on_benefit {
        return None;
    }
    let all = (0, 12);
    // Besides a job: the months without pay, or a short spell of it.
    let beside_work = |rng: &mut ChaCha8Rng| -> [bool; 12] {
        match income {
            Some(i) if i.amounts.contains(&0) => i.amounts.map(|a| a == 0),
            _ => mask(run(rng, 1, 4)),
        }
    };
    let adult_newcomer = t.years_here.is_some_and(|y| y < 9) && !t.arrived_as_child;
    let (kind, lo, hi, months): (&str, i64, i64, [bool; 12]) = if t.age >= 67 {
        ("Folkepension", 7_200, 14_600, mask(all))
    } else if t.age >= 65 {
        ("Efterløn", 17_000, 19_700, mask(all))
    } else if t.age < 30 && (t.years_here.is_none() || t.arrived_as_child || t.western) && chance(rng, 0.8) {
        // Living away from home or with the parents.
        let rate = if chance(rng, 0.7) { 6_820 } else { 3_040 };
        ("SU", rate, rate, mask(all))
    } else if adult_newcomer && !t.western {
        let months = if t.employed { beside_work(rng) } else { mask(all) };
        ("Integrationsydelse", 6_600, 13_200, months)
    } else if t.age >= 50 && !t.employed && chance(rng, 0.35) {
        ("Førtidspension", 15_000, 21_500, mask(all))
    } else if t.employed {
        let kind = if chance(rng, 0.8) { "Dagpenge" } else { "Sygedagpenge" };
        (kind, 9_000, 19_728, beside_work(rng))
    } else {
        let kinds = [
            ("Kontanthjælp", 55, 11_500, 16_800),
            ("Dagpenge", 35, 12_000, 19_728),
            ("Sygedagpenge", 10, 9_000, 19_728),
        ];
        let (kind, _, lo, hi) = weighted(rng, &kinds, |k| k.1).copied().unwrap_or(kinds[0]);
        let months = if chance(rng, 0.7) { mask(all) } else { mask(run(rng, 3, 11)) };
        (kind, lo, hi, months)
    };
    let base = rng.random_range(lo..=hi);
    let varies = matches!(kind, "Dagpenge" | "Sygedagpenge");
    let mut amounts = [0i64; 12];
    for (a, on) in amounts.iter_mut().zip(months) {
        if on {
            let kroner = if varies { base * rng.random_range(90..=110) / 100 } else { base };
            *a = kroner.max(1) * 100;
        }
    }
    if amounts.iter().all(|a| *a == 0)
        && let Some(last) = amounts.last_mut()
    {
        *last = base.max(1) * 100;
    }
    Some(Monthly { kind, amounts })
}

fn mask((from, to): (usize, usize)) -> [bool; 12] {
    std::array::from_fn(|i| (from..to).contains(&i))
}
