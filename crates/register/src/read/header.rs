//! Finding the header row where it is: exports put a title ("Udtræk fra CPR pr. 30.
//! september 2026") and blank rows above it, so the first row with content is not
//! always the header (issue 12). The header is a row of text cells — no numbers, dates
//! or amounts, no header twice — nearly as wide as the table, followed by data.

use crate::error::ReadErrorKind;
use crate::mapping::normalize_header;
use crate::value;
use std::collections::HashSet;
use time::Date;

/// How many rows with content are looked at for the header.
pub(super) const PROBE_ROWS: usize = 30;
/// How far a chosen header row may lie (rows with content).
pub(super) const MAX_CHOSEN_ROWS: usize = 10_000;

/// A row with content as the header search sees it.
#[derive(Debug, Clone)]
pub(super) struct ProbeRow {
    /// Its row number in the file (CSV: the line it starts on).
    pub number: u64,
    pub cells: Vec<ProbeCell>,
}

#[derive(Debug, Clone)]
pub(super) struct ProbeCell {
    pub text: String,
    /// A number, date or amount (a workbook's typed cell, or text that reads as one).
    pub data: bool,
}

/// Whether a text cell reads as a value rather than a header.
pub(super) fn looks_like_data(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && (value::parse_amount(t).is_some() || value::parse_date(t).is_some() || value::parse_cpr(t).is_some())
}

fn filled(row: &ProbeRow) -> usize {
    row.cells.iter().filter(|c| !c.text.trim().is_empty()).count()
}

/// Which of `rows` is the header: the chosen row number, else the first row that looks
/// like a header and is followed by a row with data, else the first that looks like a
/// header, else the first row.
pub(super) fn choose(rows: &[ProbeRow], chosen: Option<u64>) -> Result<usize, ReadErrorKind> {
    if let Some(n) = chosen {
        return rows.iter().position(|r| r.number == n).ok_or(ReadErrorKind::NoHeaderRow(n));
    }
    if rows.is_empty() {
        return Err(ReadErrorKind::Empty);
    }
    let widest = rows.iter().map(filled).max().unwrap_or(0);
    let header_like = |row: &ProbeRow| {
        let n = filled(row);
        let mut seen = HashSet::new();
        n >= widest.min(2)
            && 2 * n >= widest
            && row
                .cells
                .iter()
                .filter(|c| !c.text.trim().is_empty())
                .all(|c| !c.data && seen.insert(normalize_header(&c.text)))
    };
    let followed_by_data = |i: usize| rows.get(i + 1).is_some_and(|next| next.cells.iter().any(|c| c.data));
    let candidates: Vec<usize> = (0..rows.len()).filter(|&i| header_like(&rows[i])).collect();
    Ok(candidates.iter().copied().find(|&i| followed_by_data(i)).or(candidates.first().copied()).unwrap_or(0))
}

/// The date a title row names, in the forms Danish titles write it: `30. september
/// 2026`, `30. sep. 2026`, `30-09-2026`, `30.09.2026`, `30/9-2026`, `2026-09-30`.
/// Bare numbers are not dates here (a title may name a year or a count).
pub fn date_in_title(text: &str) -> Option<Date> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let w = word.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '"'));
        // "30." + "september" + "2026"
        if let (Some(day), Some(month), Some(year)) = (
            w.strip_suffix('.').unwrap_or(w).parse::<u8>().ok().filter(|_| w.len() <= 3),
            words.get(i + 1).and_then(|m| value::month_by_name(m.trim_end_matches([',', '.']))),
            words.get(i + 2).map(|y| y.trim_matches(|c: char| !c.is_ascii_digit())).and_then(|y| y.parse::<i32>().ok()),
        ) {
            let month = time::Month::try_from(month).ok()?;
            if let Ok(d) = Date::from_calendar_date(year, month, day) {
                return Some(d);
            }
        }
        let w = w.trim_end_matches('.');
        if w.chars().any(|c| matches!(c, '-' | '.' | '/'))
            && w.len() >= 8
            && let Some(d) = value::parse_date(&w.replace('/', "-"))
        {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(number: u64, cells: &[&str]) -> ProbeRow {
        ProbeRow {
            number,
            cells: cells.iter().map(|t| ProbeCell { text: (*t).into(), data: looks_like_data(t) }).collect(),
        }
    }

    #[test]
    fn the_header_below_a_title_and_blank_rows() {
        let rows = [
            row(1, &["Udtræk fra CPR pr. 30. september 2026"]),
            row(3, &["CPR-nr.", "Navn", "Køn", "Oprindelsesland", "Fødselsdato"]),
            row(4, &["010190-1234", "Fatima Ali", "K", "Syrien", "01-01-1990"]),
        ];
        assert_eq!(choose(&rows, None), Ok(1));
        // Chosen by hand, and a row that is not there.
        assert_eq!(choose(&rows, Some(1)), Ok(0));
        assert_eq!(choose(&rows, Some(2)), Err(ReadErrorKind::NoHeaderRow(2)));
        // A title of two cells is not as wide as the table.
        let rows = [
            row(1, &["Aarhus Kommune", "Udtræk 30-09-2026"]),
            row(2, &["CPR", "Navn", "Køn", "Land", "Postnr"]),
            row(3, &["0101901234", "A B", "K", "SY", "8000"]),
        ];
        assert_eq!(choose(&rows, None), Ok(1));
        // The first row is the header when nothing is above it.
        let rows = [row(1, &["cpr", "name"]), row(2, &["0101901234", "A"])];
        assert_eq!(choose(&rows, None), Ok(0));
        // A single column.
        let rows = [row(1, &["CPR"]), row(2, &["0101901234"])];
        assert_eq!(choose(&rows, None), Ok(0));
    }

    #[test]
    fn dates_in_titles() {
        for (title, want) in [
            ("Udtræk fra CPR pr. 30. september 2026", Some(date!(2026 - 09 - 30))),
            ("Befolkning 30. sep. 2026 (Aarhus)", Some(date!(2026 - 09 - 30))),
            ("Udtræk pr. 30-09-2026", Some(date!(2026 - 09 - 30))),
            ("Udtræk pr. 30.09.2026.", Some(date!(2026 - 09 - 30))),
            ("Dannet 2026-09-30 kl. 13:05", Some(date!(2026 - 09 - 30))),
            ("Ydelser, udtrukket 1/10-2026", Some(date!(2026 - 10 - 01))),
            ("Ydelser 2026", None),
            ("Borgere i alt: 45322", None),
            ("Udtræk fra CPR", None),
        ] {
            assert_eq!(date_in_title(title), want, "{title}");
        }
    }
}
