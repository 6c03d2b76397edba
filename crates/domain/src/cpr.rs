//! The Danish civil registration number (CPR).
//!
//! Rules from cpr.dk (see `shared/design/danish-conventions.md`): the 7th digit and the
//! two-digit year give the century; modulus 11 is no longer guaranteed since 2007, so a
//! failed check is a warning and never a rejection. CPR-loven § 54 forbids showing the
//! number where it need not be shown, so `Debug` and `Display` mask it.

use std::fmt;
use time::{Date, Month};

/// A syntactically valid CPR number whose first six digits are a real date.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("a CPR number has ten digits (DDMMYY-SSSS or DDMMYYSSSS)")]
    Format,
    #[error("the first six digits of the CPR number are not a date")]
    Date,
}

/// Something a caseworker should know about an otherwise accepted number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CprWarning {
    /// Numbers without the modulus-11 property have been issued since 2007.
    NoModulus11,
}

impl Cpr {
    /// Parses `DDMMYY-SSSS` or `DDMMYYSSSS` (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Cpr, CprError> {
        let trimmed = input.trim();
        let bytes = trimmed.as_bytes();
        // Register extracts parse millions of these: no allocation on the way.
        let (head, tail) = match bytes.len() {
            10 => (&bytes[..6], &bytes[6..]),
            11 if bytes[6] == b'-' => (&bytes[..6], &bytes[7..]),
            _ => return Err(CprError::Format),
        };
        let mut digits = [0u8; 10];
        for (slot, b) in digits.iter_mut().zip(head.iter().chain(tail)) {
            if !b.is_ascii_digit() {
                return Err(CprError::Format);
            }
            *slot = b - b'0';
        }
        let birth_date = birth_date_of(&digits).ok_or(CprError::Date)?;
        Ok(Cpr { digits, birth_date })
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    pub fn warnings(&self) -> Vec<CprWarning> {
        if self.has_modulus11() { Vec::new() } else { vec![CprWarning::NoModulus11] }
    }

    pub fn has_modulus11(&self) -> bool {
        const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = self.digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
        sum.is_multiple_of(11)
    }

    /// The full number, `DDMMYY-SSSS`. Call only where a role needs it and the use is
    /// audited (storage, an audited reveal, a Digital Post recipient).
    pub fn expose(&self) -> String {
        let mut s = String::with_capacity(11);
        for (i, d) in self.digits.iter().enumerate() {
            if i == 6 {
                s.push('-');
            }
            s.push(char::from(b'0' + d));
        }
        s
    }

    /// The ten digits as one number: a key for joining register extracts in memory.
    /// Never shown; it is the CPR number.
    pub fn key(&self) -> u64 {
        self.digits.iter().fold(0u64, |k, d| k * 10 + u64::from(*d))
    }

    /// The key ([`Cpr::key`]) of a number written `DDMMYY-SSSS` or `DDMMYYSSSS`,
    /// without checking its date: for looking up, among numbers already parsed, the
    /// rows of an extract that was checked whole before. `None` if it is not ten digits.
    pub fn key_of(written: &[u8]) -> Option<u64> {
        let (head, tail) = match written.len() {
            10 => (&written[..6], &written[6..]),
            11 if written[6] == b'-' => (&written[..6], &written[7..]),
            _ => return None,
        };
        head.iter().chain(tail).try_fold(0u64, |k, b| b.is_ascii_digit().then(|| k * 10 + u64::from(b - b'0')))
    }

    /// `DDMMYY-XXXX`: safe for logs and pages.
    pub fn masked(&self) -> String {
        let mut s: String = self.digits[..6].iter().map(|d| char::from(b'0' + d)).collect();
        s.push_str("-XXXX");
        s
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The century rule of the 7th digit (cpr.dk "Opbygning af CPR-nummeret").
fn century(seventh: u8, yy: i32) -> i32 {
    match seventh {
        0..=3 => 1900,
        4 | 9 => {
            if yy <= 36 {
                2000
            } else {
                1900
            }
        }
        _ => {
            if yy <= 57 {
                2000
            } else {
                1800
            }
        }
    }
}

fn birth_date_of(d: &[u8; 10]) -> Option<Date> {
    let day = d[0] * 10 + d[1];
    let month = d[2] * 10 + d[3];
    let yy = i32::from(d[4] * 10 + d[5]);
    let year = century(d[6], yy) + yy;
    let month = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn the_key_of_a_written_number_is_the_key_of_the_parsed_one() {
        for written in ["070761-4286", "0707614286", "0101901234"] {
            assert_eq!(Cpr::key_of(written.as_bytes()), Some(Cpr::parse(written).unwrap().key()));
        }
        for bad in ["070761-428", "07076142861", "0707a14286", "070761+4286"] {
            assert_eq!(Cpr::key_of(bad.as_bytes()), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_both_forms_to_the_same_number() {
        let a = Cpr::parse("070761-4285").unwrap();
        let b = Cpr::parse("0707614285").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.expose(), "070761-4285");
    }

    #[test]
    fn century_follows_the_seventh_digit() {
        let cases = [
            ("010136-1234", 1936),
            ("010136-4234", 2036),
            ("010137-4234", 1937),
            ("010157-5234", 2057),
            ("010158-5234", 1858),
            ("010199-9234", 1999),
            ("010110-9234", 2010),
            ("010110-8234", 2010),
        ];
        for (cpr, year) in cases {
            assert_eq!(Cpr::parse(cpr).unwrap().birth_date().year(), year, "{cpr}");
        }
    }

    #[test]
    fn rejects_impossible_dates_and_bad_shapes() {
        assert_eq!(Cpr::parse("320190-1234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("290201-1234"), Err(CprError::Date)); // 1901 not a leap year
        assert!(Cpr::parse("290200-4234").is_ok()); // 2000 is
        for bad in ["", "12345", "0101901234x", "010190+1234", "01019-01234", "abcdefghij"] {
            assert_eq!(Cpr::parse(bad), Err(CprError::Format), "{bad}");
        }
    }

    #[test]
    fn failed_modulus_is_a_warning_not_an_error() {
        // 070761-4285 satisfies modulus 11 (the classic example); change the last digit.
        let good = Cpr::parse("070761-4285").unwrap();
        assert!(good.warnings().is_empty());
        let without = Cpr::parse("070761-4286").unwrap();
        assert_eq!(without.warnings(), vec![CprWarning::NoModulus11]);
    }

    #[test]
    fn debug_and_display_never_show_the_serial() {
        let cpr = Cpr::parse("070761-4285").unwrap();
        assert_eq!(format!("{cpr}"), "070761-XXXX");
        assert!(!format!("{cpr:?}").contains("4285"));
    }

    proptest! {
        #[test]
        fn any_real_date_round_trips(days in 0i64..(200 * 366), serial in 0u32..10_000) {
            let date = Date::from_calendar_date(1858, Month::January, 1).unwrap()
                + time::Duration::days(days);
            prop_assume!(date.year() <= 2057);
            let yy = date.year() % 100;
            // pick a 7th digit whose century rule yields this year
            let seventh = [0u8, 4, 5].into_iter()
                .find(|s| century(*s, yy) + yy == date.year());
            prop_assume!(seventh.is_some());
            let seventh = seventh.unwrap();
            let text = format!("{:02}{:02}{:02}-{}{:03}", date.day(), u8::from(date.month()), yy, seventh, serial % 1000);
            let cpr = Cpr::parse(&text).unwrap();
            prop_assert_eq!(cpr.birth_date(), date);
            prop_assert_eq!(cpr.expose(), text.clone());
            prop_assert_eq!(Cpr::parse(&text.replace('-', "")).unwrap(), cpr.clone());
            prop_assert_eq!(format!("{}", cpr), format!("{}-XXXX", &text[..6]));
            prop_assert_eq!(format!("{:?}", cpr), format!("Cpr({}-XXXX)", &text[..6]));
        }

        #[test]
        fn never_panics_on_arbitrary_input(s in "\\PC{0,14}") {
            let _ = Cpr::parse(&s);
        }
    }
}
