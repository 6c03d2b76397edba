//! CPR numbers in clear in a letter's text (GDPR Art. 5(1)(c), Art. 87): where they
//! are, in any digit script a letter may use.

use crate::cpr::Cpr;
use std::ops::Range;

/// ASCII digits, and the Arabic-Indic and Persian digits an Arabic-script letter may use.
fn digit_of(c: char) -> Option<char> {
    let n = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        _ => return None,
    };
    char::from_digit(n, 10)
}

/// Byte ranges of CPR numbers in clear: ten digits in a row, or six and four joined by
/// a hyphen or a space, that parse as a CPR (crate::cpr: a real date). A masked
/// "DDMMYY-XXXX" is not one. A ten-digit number that happens to be a valid date is
/// reported too: better one look too many than a number in clear.
pub(super) fn cpr_ranges(text: &str) -> Vec<Range<usize>> {
    let mut runs: Vec<(Range<usize>, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, c) in text.char_indices() {
        match digit_of(c) {
            Some(d) => current.get_or_insert_with(|| (i, String::new())).1.push(d),
            None => {
                if let Some((s, digits)) = current.take() {
                    runs.push((s..i, digits));
                }
            }
        }
    }
    if let Some((s, digits)) = current {
        runs.push((s..text.len(), digits));
    }
    let mut out = Vec::new();
    let mut k = 0;
    while let Some((range, digits)) = runs.get(k) {
        if digits.len() == 10 && Cpr::parse(digits).is_ok() {
            out.push(range.clone());
            k += 1;
            continue;
        }
        if let (6, Some((next, rest))) = (digits.len(), runs.get(k + 1)) {
            let gap = text.get(range.end..next.start).unwrap_or("");
            let joined = matches!(gap, "-" | " " | "\u{a0}" | "\u{2010}" | "\u{2011}" | "–");
            if joined && rest.len() == 4 && Cpr::parse(&format!("{digits}{rest}")).is_ok() {
                out.push(range.start..next.end);
                k += 2;
                continue;
            }
        }
        k += 1;
    }
    out
}
