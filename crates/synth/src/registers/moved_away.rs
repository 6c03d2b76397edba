//! People who moved away during the year (Municipal style only): their CPR numbers are
//! in the income and benefit files for the months before the move, not in the
//! population.

use super::csv_out::push_padded;
use super::monthly::{Monthly, Traits, benefit, income};
use super::{FORMER_EVERY, SALT_FORMER, digits, key, stream};
use crate::pick::chance;
use crate::population::Resident;
use domain::Cpr;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use time::{Date, Duration};

/// Someone who lived here part of the year and moved away before `today`.
pub(super) struct Former {
    pub(super) cpr: [u8; 10],
    /// Months of the year lived here, from the first.
    pub(super) months: usize,
    pub(super) income: Option<Monthly>,
    pub(super) benefit: Option<Monthly>,
}

/// CPR numbers no resident has, for the people who moved away.
pub(super) fn formers(population: &[Resident], seed: u64, today: Date) -> Vec<Former> {
    let mut taken: Vec<u64> = population.iter().map(|r| key(&digits(&r.cpr))).collect();
    taken.sort_unstable();
    let mut issued: HashSet<u64> = HashSet::new();
    let count = population.len() / FORMER_EVERY;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let mut rng = stream(seed, SALT_FORMER, k as u64);
        let rng = &mut rng;
        let age = rng.random_range(18..=75);
        let female = chance(rng, 0.5);
        let Some(cpr) = (0..20).find_map(|_| {
            let cpr = new_cpr(rng, today, age, female)?;
            let k = key(&cpr);
            (taken.binary_search(&k).is_err() && issued.insert(k)).then_some(cpr)
        }) else {
            continue;
        };
        let years_here = chance(rng, 0.3).then(|| rng.random_range(0..15));
        let employed = chance(rng, if age < 65 { 0.7 } else { 0.1 });
        let on_benefit = chance(
            rng,
            match (age, employed) {
                (65.., _) => 0.95,
                (_, true) => 0.08,
                (_, false) => 0.6,
            },
        );
        let t = Traits { age, female, years_here, arrived_as_child: false, western: false, employed, on_benefit };
        let months = rng.random_range(1..=11);
        let cut = |m: Option<Monthly>| {
            m.map(|mut m| {
                for a in m.amounts.iter_mut().skip(months) {
                    *a = 0;
                }
                m
            })
        };
        let income = cut(income(rng, &t));
        let benefit = cut(benefit(rng, &t, income.as_ref()));
        out.push(Former { cpr, months, income, benefit });
    }
    out
}

/// A valid CPR number for someone `age` years old (not checked against the issued).
fn new_cpr(rng: &mut ChaCha8Rng, today: Date, age: i32, female: bool) -> Option<[u8; 10]> {
    let birth = today.checked_sub(Duration::days(i64::from(age) * 365 + rng.random_range(0..365)))?;
    cpr_born(rng, birth, female)
}

/// A valid CPR number for someone born on `birth` (not checked against the issued).
pub(super) fn cpr_born(rng: &mut ChaCha8Rng, birth: Date, female: bool) -> Option<[u8; 10]> {
    let year = birth.year();
    let sevenths: &[u8] = match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1936 => &[0, 1, 2, 3],
        1937..=1999 => &[0, 1, 2, 3, 4, 9],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        _ => return None,
    };
    let seventh = *sevenths.get(rng.random_range(0..sevenths.len()))?;
    let yy = year.rem_euclid(100) as u32;
    let (d, m) = (u32::from(birth.day()), u32::from(u8::from(birth.month())));
    let serial: u32 = rng.random_range(0..100);
    let last = 2 * rng.random_range(0..5u32) + u32::from(!female);
    let mut text = Vec::with_capacity(10);
    for (n, w) in [(d, 2), (m, 2), (yy, 2), (u32::from(seventh), 1), (serial, 2), (last, 1)] {
        push_padded(&mut text, n, w);
    }
    let cpr: [u8; 10] = text.try_into().ok()?;
    Cpr::parse(std::str::from_utf8(&cpr).ok()?).ok().map(|_| cpr)
}
