//! Issuing CPR numbers: the century digit, modulus 11 or not (numbers issued from
//! 2007 may lack it), the sex digit, and no number twice.

use super::{Gen, Member, Sex};
use crate::pick::any;
use domain::Cpr;
use rand::Rng;
use std::collections::HashSet;
use time::{Date, Month};

/// Numbers without modulus 11 have been issued since this year.
const NO_MODULUS_SINCE: i32 = 2007;

impl Gen {
    pub(super) fn cpr(&mut self, m: &Member, issued: &mut HashSet<u64>) -> Option<Cpr> {
        // Numbered at birth here, or on arrival.
        let issued_in = m.arrived.unwrap_or(m.birth).year();
        let first_of_january = m.birth.month() == Month::January && m.birth.day() == 1;
        let without = match (issued_in >= NO_MODULUS_SINCE, first_of_january) {
            (false, _) => 0.0,
            // So many are registered as born on 1 January that its numbers ran out first.
            (true, true) => 0.8,
            (true, false) => 0.3,
        };
        let modulus11 = !self.chance(without);
        issue(&mut self.rng, m.birth, m.sex, modulus11, issued)
            .or_else(|| issue(&mut self.rng, m.birth, m.sex, !modulus11, issued))
    }
}

const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// 7th digits whose century rule gives this birth year.
fn seventh_digits(year: i32) -> &'static [u8] {
    match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1936 => &[0, 1, 2, 3],
        1937..=1999 => &[0, 1, 2, 3, 4, 9],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        2037..=2057 => &[5, 6, 7, 8],
        _ => &[],
    }
}

/// A new CPR number for `birth`: odd last digit for men, even for women, with or
/// without modulus 11. Random first; should a date run short, every serial in turn.
pub(super) fn issue<R: Rng>(
    rng: &mut R,
    birth: Date,
    sex: Sex,
    modulus11: bool,
    issued: &mut HashSet<u64>,
) -> Option<Cpr> {
    let sevenths = seventh_digits(birth.year());
    let yy = u8::try_from(birth.year().rem_euclid(100)).ok()?;
    let month = u8::from(birth.month());
    let head = [birth.day() / 10, birth.day() % 10, month / 10, month % 10, yy / 10, yy % 10];
    let parity = u8::from(sex == Sex::Male);
    let digits = |seventh: u8, serial: u8, last: u8| {
        let mut d = [0u8; 10];
        d[..6].copy_from_slice(&head);
        d[6] = seventh;
        d[7] = serial / 10;
        d[8] = serial % 10;
        d[9] = last;
        d
    };
    let sum = |d: &[u8; 10]| d.iter().zip(WEIGHTS).map(|(x, w)| u32::from(*x) * w).sum::<u32>();
    let take = |d: [u8; 10], issued: &mut HashSet<u64>| {
        let key = d.iter().fold(0u64, |acc, x| acc * 10 + u64::from(*x));
        if !issued.insert(key) {
            return None;
        }
        let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
        Cpr::parse(&text).ok()
    };
    for _ in 0..64 {
        let seventh = *any(rng, sevenths)?;
        let serial = rng.random_range(0..100u8);
        let partial = sum(&digits(seventh, serial, 0));
        let last = if modulus11 {
            let check = (11 - partial % 11) % 11;
            match u8::try_from(check) {
                Ok(c) if c <= 9 && c % 2 == parity => c,
                _ => continue,
            }
        } else {
            let last = 2 * rng.random_range(0..5u8) + parity;
            // Two apart cannot both make a multiple of 11.
            if (partial + u32::from(last)).is_multiple_of(11) { (last + 2) % 10 } else { last }
        };
        if let Some(cpr) = take(digits(seventh, serial, last), issued) {
            return Some(cpr);
        }
    }
    for &seventh in sevenths {
        for serial in 0..100u8 {
            for last in (parity..10).step_by(2) {
                let d = digits(seventh, serial, last);
                if sum(&d).is_multiple_of(11) == modulus11
                    && let Some(cpr) = take(d, issued)
                {
                    return Some(cpr);
                }
            }
        }
    }
    None
}
