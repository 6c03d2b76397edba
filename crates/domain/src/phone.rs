//! Phone numbers, kept in one normalised form so that search and the do-not-contact
//! hash see the same number however it was typed.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a Danish phone number has 8 digits; a foreign one starts with + and the country code")]
    Invalid,
}

impl PhoneNumber {
    /// Accepts `12 34 56 78`, `+45 12345678`, `0045-12345678` and foreign `+…` numbers
    /// (8–15 digits in all). Stored as `+<country><number>`.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let trimmed = input.trim();
        if trimmed.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.'))) {
            return Err(PhoneError::Invalid);
        }
        let plus = trimmed.starts_with('+');
        if trimmed.rfind('+').is_some_and(|i| i > 0) {
            return Err(PhoneError::Invalid);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if digits.len() == 8 {
            format!("45{digits}")
        } else {
            return Err(PhoneError::Invalid);
        };
        let valid = if let Some(national) = international.strip_prefix("45") {
            national.len() == 8
        } else {
            (8..=15).contains(&international.len()) && !international.starts_with('0')
        };
        if valid { Ok(PhoneNumber(format!("+{international}"))) } else { Err(PhoneError::Invalid) }
    }

    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// Danish numbers as `12 34 56 78`, others as stored.
    pub fn display(&self) -> String {
        match self.0.strip_prefix("+45") {
            Some(n) if n.len() == 8 => {
                format!("{} {} {} {}", &n[0..2], &n[2..4], &n[4..6], &n[6..8])
            }
            _ => self.0.clone(),
        }
    }
}

impl fmt::Debug for PhoneNumber {
    // Personal data: logs get only the last two digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.0.get(self.0.len().saturating_sub(2)..).unwrap_or("");
        write!(f, "PhoneNumber(…{tail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn danish_forms_normalise_alike() {
        for input in ["12345678", "12 34 56 78", "+45 12 34 56 78", "0045-12345678", "+4512345678"] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_e164(), "+4512345678", "{input}");
        }
        assert_eq!(PhoneNumber::parse("12345678").unwrap().display(), "12 34 56 78");
    }

    #[test]
    fn foreign_numbers_keep_their_country_code() {
        assert_eq!(PhoneNumber::parse("+90 532 123 45 67").unwrap().as_e164(), "+905321234567");
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for bad in ["", "1234", "123456789", "+45 1234567", "12a45678", "12+345678", "+0123456789"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_number() {
        let p = PhoneNumber::parse("12345678").unwrap();
        assert!(!format!("{p:?}").contains("123456"));
    }

    proptest! {
        #[test]
        fn eight_digits_always_parse(n in 10_000_000u32..100_000_000) {
            let p = PhoneNumber::parse(&n.to_string()).unwrap();
            prop_assert_eq!(p.as_e164(), format!("+45{n}"));
            prop_assert_eq!(PhoneNumber::parse(&p.display()).unwrap(), p);
        }
    }
}
