//! What a full pass over a file learns before anything is imported (issue 12): every
//! cell that cannot be read (a sample of [`BAD_CELL_SAMPLE`] and the count), and per
//! coded field the distinct values found and how each was read, for the dry run to show
//! ("Danmark → DK (vestligt): 14 212") before anyone is created.

use crate::error::{BAD_CELL_SAMPLE, BadCell, ReadErrorKind};
use crate::kinds::{Field, ValueType};
use crate::value::{Sex, Value};
use std::collections::HashMap;
use std::fmt;
use time::Date;

/// Distinct values listed per field; more are counted in [`FieldReading::other`].
pub const MAX_DISTINCT: usize = 200;

/// One distinct cell value of a coded field and what it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueReading {
    /// The cell as written (trimmed).
    pub raw: String,
    /// What it was read as, in the words the dry run shows: `DK (vestligt)`, `kvinde`,
    /// `2026-03`.
    pub read_as: String,
    pub count: u64,
}

impl fmt::Display for ValueReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}: {}", self.raw, self.read_as, thousands(self.count))
    }
}

/// A count as Danish text writes it in a table: `14 212`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// How one mapped column of a coded field was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReading {
    pub field: Field,
    /// The column's header as the file writes it.
    pub column: String,
    /// Cells read, and cells left empty.
    pub read: u64,
    pub empty: u64,
    /// Fields with few distinct codes (country, sex, month, types, area): each value,
    /// most frequent first. Dates, amounts and CPR numbers are not listed one by one.
    pub values: Vec<ValueReading>,
    /// Cells whose value is not listed because more than [`MAX_DISTINCT`] were found.
    pub other: u64,
    /// Dates and months: the earliest and the latest day read (a month counts from its
    /// first to its last day).
    pub earliest: Option<Date>,
    pub latest: Option<Date>,
    /// Dates and months: the cell that begins last (a month from its first day), which
    /// must not lie after the date the extract describes (issue 12, bad input).
    pub newest: Option<NewestCell>,
}

/// The cell of a date or month column that begins last: where it is and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewestCell {
    /// Its day, or its month's first day.
    pub begins: Date,
    pub row: u64,
    /// As read: `2026-12` or `2026-12-03`.
    pub value: String,
}

/// Whether a field's cells are listed value by value. Names, addresses and phone
/// numbers are never listed (they are not codes, and the dry run need not show them).
fn is_listed(field: Field) -> bool {
    matches!(
        field,
        Field::CountryOfOrigin
            | Field::Sex
            | Field::Month
            | Field::IncomeType
            | Field::BenefitType
            | Field::Course
            | Field::Area
    )
}

/// Whether a field is summarised at all.
fn is_coded(field: Field) -> bool {
    !matches!(
        field,
        Field::Name
            | Field::GivenName
            | Field::FamilyName
            | Field::Street
            | Field::Postcode
            | Field::City
            | Field::Phone
    )
}

struct Tally {
    field: Field,
    column: String,
    read: u64,
    empty: u64,
    values: HashMap<String, (String, u64)>,
    other: u64,
    earliest: Option<Date>,
    latest: Option<Date>,
    newest: Option<NewestCell>,
}

impl Tally {
    fn span(&mut self, row: u64, value: &Value, first: Date, last: Date) {
        self.earliest = Some(self.earliest.map_or(first, |d| d.min(first)));
        self.latest = Some(self.latest.map_or(last, |d| d.max(last)));
        if self.newest.as_ref().is_none_or(|n| first > n.begins) {
            self.newest = Some(NewestCell { begins: first, row, value: read_as(value) });
        }
    }
}

/// The survey of one file, filled row by row by the reader.
pub(super) struct Survey {
    /// Per planned column, in the plan's order; `None` for a field not summarised.
    tallies: Vec<Option<Tally>>,
    bad: Vec<BadCell>,
    bad_total: u64,
}

impl Survey {
    pub fn new(columns: impl Iterator<Item = (Field, String)>) -> Survey {
        let tallies = columns
            .map(|(field, column)| {
                is_coded(field).then(|| Tally {
                    field,
                    column,
                    read: 0,
                    empty: 0,
                    values: HashMap::new(),
                    other: 0,
                    earliest: None,
                    latest: None,
                    newest: None,
                })
            })
            .collect();
        Survey { tallies, bad: Vec::new(), bad_total: 0 }
    }

    /// Whether the planned column `k` needs its raw text for [`Survey::read`].
    pub fn wants_text(&self, k: usize) -> bool {
        self.tallies.get(k).and_then(Option::as_ref).is_some_and(|t| is_listed(t.field))
    }

    pub fn empty(&mut self, k: usize) {
        if let Some(Some(t)) = self.tallies.get_mut(k) {
            t.empty += 1;
        }
    }

    /// Planned column `k` of `row` read `raw` as `value` (`raw` only where
    /// [`Survey::wants_text`]).
    pub fn read(&mut self, k: usize, row: u64, raw: &str, value: &Value) {
        let Some(Some(t)) = self.tallies.get_mut(k) else { return };
        t.read += 1;
        match value {
            Value::Date(d) => t.span(row, value, *d, *d),
            Value::Month(m) => t.span(row, value, m.first_day(), m.last_day()),
            _ => {}
        }
        if !is_listed(t.field) {
            return;
        }
        if let Some((_, n)) = t.values.get_mut(raw) {
            *n += 1;
        } else if t.values.len() < MAX_DISTINCT {
            t.values.insert(raw.to_owned(), (read_as(value), 1));
        } else {
            t.other += 1;
        }
    }

    /// A cell that cannot be read; `ty` says how much of it may be shown.
    pub fn bad(&mut self, row: u64, column: &str, raw: &str, ty: ValueType, kind: ReadErrorKind) {
        self.bad_total += 1;
        if self.bad.len() < BAD_CELL_SAMPLE {
            self.bad.push(BadCell { row, column: column.to_owned(), value: shown(raw, ty), kind });
        }
    }

    pub fn has_bad(&self) -> bool {
        self.bad_total > 0
    }

    /// The error for a file with cells that cannot be read.
    pub fn unreadable(&mut self) -> ReadErrorKind {
        ReadErrorKind::Unreadable { total: self.bad_total, sample: std::mem::take(&mut self.bad) }
    }

    pub fn readings(self) -> Vec<FieldReading> {
        self.tallies
            .into_iter()
            .flatten()
            .map(|t| {
                let mut values: Vec<ValueReading> =
                    t.values.into_iter().map(|(raw, (read_as, count))| ValueReading { raw, read_as, count }).collect();
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.raw.cmp(&b.raw)));
                FieldReading {
                    field: t.field,
                    column: t.column,
                    read: t.read,
                    empty: t.empty,
                    values,
                    other: t.other,
                    earliest: t.earliest,
                    latest: t.latest,
                    newest: t.newest,
                }
            })
            .collect()
    }
}

fn read_as(value: &Value) -> String {
    match value {
        Value::Origin(o) => o.describe_da(),
        Value::Sex(Sex::Female) => "kvinde".into(),
        Value::Sex(Sex::Male) => "mand".into(),
        Value::Month(m) => m.to_string(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.to_string(),
        Value::Amount(a) => format!("{a} øre"),
        Value::Cpr(_) => "CPR".into(),
    }
}

/// A bad cell as an error may show it: at most 40 characters, and of a CPR number only
/// the date part (the serial digits after the sixth digit are hidden).
fn shown(raw: &str, ty: ValueType) -> String {
    let mut out = String::new();
    let mut digits = 0;
    for c in raw.trim().chars().take(40) {
        if c.is_ascii_digit() {
            digits += 1;
            if ty == ValueType::Cpr && digits > 6 {
                out.push('•');
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpr_shows_its_date_only_and_counts_read_as_danish_tables_do() {
        assert_eq!(shown("320190-1234", ValueType::Cpr), "320190-••••");
        assert_eq!(shown("Danmrk", ValueType::Country), "Danmrk");
        assert_eq!(shown(&"x".repeat(60), ValueType::Date).len(), 40);
        assert_eq!(thousands(14_212), "14 212");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1 000 000");
        let v = ValueReading { raw: "Danmark".into(), read_as: "DK (vestligt)".into(), count: 14_212 };
        assert_eq!(v.to_string(), "Danmark → DK (vestligt): 14 212");
    }
}
