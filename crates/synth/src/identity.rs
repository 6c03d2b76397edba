//! CPR numbers and phone numbers, unique within one generated municipality (the store
//! keeps CPR unique, and a shared number would link two strangers).

use crate::pick::any;
use domain::{Cpr, PhoneNumber};
use rand::Rng;
use std::collections::HashSet;
use time::Date;

const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// The 7th digits whose century rule (cpr.dk) gives this birth year.
fn seventh_digits(year: i32) -> &'static [u8] {
    let yy = year % 100;
    match year {
        1900..=1999 if yy >= 37 => &[0, 1, 2, 3, 4, 9],
        1900..=1999 => &[0, 1, 2, 3],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        2037..=2057 => &[5, 6, 7, 8],
        1858..=1899 => &[5, 6, 7, 8],
        _ => &[],
    }
}

#[derive(Debug, Default)]
pub(crate) struct Issued {
    cprs: HashSet<u64>,
    phones: HashSet<u32>,
}

impl Issued {
    /// A woman's CPR number for `birth`: last digit even, and with the modulus-11
    /// property unless `modulus11` is false (possible since 2007).
    pub fn cpr<R: Rng>(&mut self, rng: &mut R, birth: Date, modulus11: bool) -> Option<Cpr> {
        let sevenths = seventh_digits(birth.year());
        let yy = u8::try_from(birth.year().rem_euclid(100)).ok()?;
        let prefix = [
            birth.day() / 10,
            birth.day() % 10,
            u8::from(birth.month()) / 10,
            u8::from(birth.month()) % 10,
            yy / 10,
            yy % 10,
        ];
        for _ in 0..200 {
            let mut d = [0u8; 10];
            d[..6].copy_from_slice(&prefix);
            d[6] = *any(rng, sevenths)?;
            d[7] = rng.random_range(0..10);
            d[8] = rng.random_range(0..10);
            let partial: u32 = d[..9].iter().zip(WEIGHTS).map(|(x, w)| u32::from(*x) * w).sum();
            if modulus11 {
                let check = (11 - partial % 11) % 11;
                if check > 9 || check % 2 == 1 {
                    continue;
                }
                d[9] = u8::try_from(check).ok()?;
            } else {
                d[9] = 2 * rng.random_range(0..5);
                if (partial + u32::from(d[9])).is_multiple_of(11) {
                    // Two apart cannot both be multiples of 11.
                    d[9] = (d[9] + 2) % 10;
                }
            }
            let key = d.iter().fold(0u64, |acc, x| acc * 10 + u64::from(*x));
            if !self.cprs.insert(key) {
                continue;
            }
            let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
            return Cpr::parse(&text).ok();
        }
        None
    }

    /// A Danish mobile number nobody else in this municipality has.
    pub fn phone<R: Rng>(&mut self, rng: &mut R) -> Option<PhoneNumber> {
        // Series in use for Danish mobiles.
        const PREFIXES: &[u32] =
            &[20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 40, 41, 42, 50, 51, 52, 53, 60, 61, 71, 81, 91, 93];
        for _ in 0..50 {
            let prefix = *any(rng, PREFIXES)?;
            let n = prefix * 1_000_000 + rng.random_range(0..1_000_000);
            if self.phones.insert(n) {
                return PhoneNumber::parse(&n.to_string()).ok();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use time::Month;

    #[test]
    fn numbers_carry_the_birth_date_and_the_requested_check() {
        let mut issued = Issued::default();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (y, m, d) in [(1961, 7, 7), (1999, 12, 31), (2004, 2, 29), (1936, 1, 1), (1970, 1, 1)] {
            let birth = Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap();
            for modulus in [true, false] {
                let cpr = issued.cpr(&mut rng, birth, modulus).unwrap();
                assert_eq!(cpr.birth_date(), birth);
                assert_eq!(cpr.has_modulus11(), modulus, "{birth}");
                let last = cpr.expose().chars().last().unwrap().to_digit(10).unwrap();
                assert_eq!(last % 2, 0, "women have an even last digit");
            }
        }
    }

    #[test]
    fn the_same_number_is_never_issued_twice() {
        let mut issued = Issued::default();
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let birth = Date::from_calendar_date(1980, Month::January, 1).unwrap();
        let mut seen = HashSet::new();
        // About 270 modulus-11 numbers exist per date and century for women; that
        // shortage is why numbers without it are issued.
        for i in 0..600 {
            let cpr = issued.cpr(&mut rng, birth, i % 4 == 0).unwrap();
            assert!(seen.insert(cpr.expose()));
        }
        let mut phones = HashSet::new();
        for _ in 0..5000 {
            assert!(phones.insert(issued.phone(&mut rng).unwrap()));
        }
    }
}
