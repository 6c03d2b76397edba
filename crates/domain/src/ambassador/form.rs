//! Form helpers, shared with the other form parsers of the crate (partner, plan,
//! meeting, selection). Each one that returns `None` has added an error, so a parse
//! that finds a `None` can return its errors.

use crate::person::parse_date;
use crate::reference;
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::Date;
use uuid::Uuid;

pub(crate) const MAX_TEXT: usize = 200;
pub(crate) const MAX_NOTE: usize = 2000;

pub(crate) fn checkbox(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| matches!(s, "on" | "true" | "1" | "yes"))
}

pub(crate) fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A whole number written with digits only (no sign, no separators).
pub(crate) fn parse_whole(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A whole number within `range`: missing is `error-required`, anything else outside
/// it is `message`.
pub(crate) fn required_count(
    errors: &mut FieldErrors,
    field: &'static str,
    input: &str,
    range: RangeInclusive<u32>,
    message: &'static str,
) -> Option<u32> {
    let Some(text) = optional(input) else {
        errors.add(field, "error-required");
        return None;
    };
    let n = parse_whole(&text).filter(|n| range.contains(n));
    if n.is_none() {
        errors.add(field, message);
    }
    n
}

/// Trimmed text, required, at most `max` characters. Empty on error.
pub(crate) fn required_text(errors: &mut FieldErrors, field: &'static str, input: &str, max: usize) -> String {
    let text = input.trim().to_string();
    if text.is_empty() {
        errors.add(field, "error-required");
    } else if text.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    text
}

/// Trimmed text, may be empty, at most `max` characters.
pub(crate) fn optional_text(errors: &mut FieldErrors, field: &'static str, input: &str, max: usize) -> String {
    let text = input.trim().to_string();
    if text.chars().count() > max {
        errors.add(field, "error-too-long");
    }
    text
}

/// The id of something chosen from a list (area, user, partner).
pub(crate) fn required_uuid(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Uuid> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(text) => Uuid::parse_str(&text).ok().or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        }),
    }
}

pub(crate) fn optional_uuid(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Uuid> {
    optional(input).and_then(|text| {
        Uuid::parse_str(&text).ok().or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        })
    })
}

pub(crate) fn required_choice<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    input: &str,
    from_code: fn(&str) -> Option<T>,
) -> Option<T> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(code) => from_code(&code).or_else(|| {
            errors.add(field, "error-unknown-choice");
            None
        }),
    }
}

/// An ISO 639 code, returned as the reference table spells it.
pub(crate) fn required_language(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<String> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(code) => match reference::language_typed(&code) {
            Some(lang) => Some(lang.code.to_string()),
            None => {
                errors.add(field, "error-unknown-language");
                None
            }
        },
    }
}

/// A date from `<input type=date>` (YYYY-MM-DD).
pub(crate) fn required_date(errors: &mut FieldErrors, field: &'static str, input: &str) -> Option<Date> {
    match optional(input) {
        None => {
            errors.add(field, "error-required");
            None
        }
        Some(text) => parse_date(&text).or_else(|| {
            errors.add(field, "error-date-format");
            None
        }),
    }
}

/// A date that has happened: today or before.
pub(crate) fn past_date(errors: &mut FieldErrors, field: &'static str, text: &str, today: Date) -> Option<Date> {
    match parse_date(text) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errors.add(field, "error-date-future");
            None
        }
        None => {
            errors.add(field, "error-date-format");
            None
        }
    }
}
