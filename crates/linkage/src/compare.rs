//! Field comparisons: each kind turns a pair of prepared values into a *level*, a small
//! integer where 0 is the strongest agreement. The model learns how much each level of
//! each field says about a match; the levels themselves only need to be ordered and
//! few enough that each one is seen often.

use crate::normalize;
use crate::{FieldKind, FieldValue};

/// Jaro-Winkler similarity. Folded names and addresses are short ASCII strings, so the
/// common case runs on bytes with bit masks and no allocation; anything else goes to
/// `strsim`. Same definition as `strsim::jaro_winkler` (prefix boost above 0.7).
fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let range = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut x_flags, mut y_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in x.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = (i + range + 1).min(y.len());
        for (j, &d) in y.iter().enumerate().take(hi).skip(lo) {
            if y_flags & (1 << j) == 0 && d == c {
                x_flags |= 1 << i;
                y_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &c) in x.iter().enumerate() {
        if x_flags & (1 << i) == 0 {
            continue;
        }
        while y_flags & (1 << j) == 0 {
            j += 1;
        }
        if y[j] != c {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro = (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

/// Optimal-string-alignment distance (edits, with a swap of neighbours as one), capped:
/// the answer is exact up to `max` and `max + 1` for anything further. Only a band of
/// width `max` around the diagonal can hold such small distances, so short ASCII
/// strings are done in a few cells per row on the stack; others go to `strsim`.
fn osa_within(a: &str, b: &str, max: usize) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().abs_diff(y.len()) > max {
        return max + 1;
    }
    if !a.is_ascii() || !b.is_ascii() || y.len() > 63 || max > 8 {
        return strsim::osa_distance(a, b).min(max + 1);
    }
    const FAR: u32 = u32::MAX / 2;
    let n = y.len();
    let cap = max as u32 + 1;
    let mut rows = [[FAR; 64]; 3];
    for (j, v) in rows[0].iter_mut().enumerate().take(n.min(max) + 1) {
        *v = j as u32;
    }
    for i in 1..=x.len() {
        let (cur_i, prev_i, prev2_i) = (i % 3, (i - 1) % 3, (i + 1) % 3);
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(n);
        // Cells outside the band must read as far, also those left from two rows back.
        rows[cur_i][lo - 1] = if lo == 1 && i <= max { i as u32 } else { FAR };
        if hi < n {
            rows[cur_i][hi + 1] = FAR;
        }
        let mut row_min = rows[cur_i][lo - 1];
        for j in lo..=hi {
            let cost = u32::from(x[i - 1] != y[j - 1]);
            let mut v = (rows[prev_i][j] + 1).min(rows[cur_i][j - 1] + 1).min(rows[prev_i][j - 1] + cost);
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                v = v.min(rows[prev2_i][j - 2] + 1);
            }
            rows[cur_i][j] = v;
            row_min = row_min.min(v);
        }
        if row_min >= cap {
            return max + 1;
        }
    }
    (rows[x.len() % 3][n].min(cap)) as usize
}

/// A field value made ready for comparison once, before any pair is compared.
#[derive(Clone, Default)]
pub(crate) enum Prepared {
    #[default]
    Missing,
    Name(Vec<Token>),
    /// A date as `yyyymmdd` digits, with its day number when it is a calendar date (a
    /// value that did not parse has only its digits).
    Date {
        digits: String,
        day: Option<i32>,
    },
    /// Codes and phone numbers as their normalised string.
    Code(String),
    Text(String),
}

#[derive(Clone)]
pub(crate) struct Token {
    pub folded: String,
    pub skeleton: String,
}

/// How two person names agree, from strongest to weakest. Both names are compared as
/// *sets* of tokens, so word order (given/family name swapped, a whole name in one
/// column) does not matter; when one name has more tokens (a middle name left out),
/// every token of the shorter name must find a partner in the longer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameAgreement {
    /// The same tokens after folding (case, diacritics, particles, order).
    Exact,
    /// The same tokens up to transliteration (equal consonant skeletons).
    Transliteration,
    /// Every token of the shorter name matches closely: a typing slip (Jaro-Winkler ≥ 0.92
    /// or one edit), or a token left out on one side.
    Close,
    /// Every token of the shorter name matches loosely (Jaro-Winkler ≥ 0.8).
    Weak,
    /// At least one token matches exactly or by transliteration, others do not.
    Partial,
    /// Nothing in common.
    Different,
}

impl NameAgreement {
    pub(crate) const LEVELS: usize = 6;

    fn level(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_level(level: u8) -> Self {
        match level {
            0 => Self::Exact,
            1 => Self::Transliteration,
            2 => Self::Close,
            3 => Self::Weak,
            4 => Self::Partial,
            _ => Self::Different,
        }
    }
}

/// How two dates (birth dates) agree, from strongest to weakest. "A year" is 366 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateAgreement {
    /// The same date.
    Exact,
    /// At most a year apart, and one typing slip away: one digit off, two neighbouring
    /// digits swapped, or day and month swapped.
    Typo,
    /// At most a year apart otherwise.
    WithinYear,
    /// More than a year apart, but one digit off or two neighbouring digits swapped (a
    /// slip in the year); also any one-slip difference of a value that is not a date.
    YearTypo,
    /// More than a year apart: another person, or a date that is wrong altogether.
    YearsApart,
}

impl DateAgreement {
    pub(crate) const LEVELS: usize = 5;

    pub(crate) fn from_level(level: u8) -> Self {
        match level {
            0 => Self::Exact,
            1 => Self::Typo,
            2 => Self::WithinYear,
            3 => Self::YearTypo,
            _ => Self::YearsApart,
        }
    }

    /// Whether the two dates can be one person's birth date written twice with at most
    /// one slip of the fingers, within a year. A link whose dates differ more is never
    /// certain: a namesake born months or decades apart is another woman as often as not.
    pub fn at_most_one_slip(self) -> bool {
        self <= Self::Typo
    }
}

pub(crate) fn levels(kind: FieldKind) -> usize {
    match kind {
        FieldKind::Name => NameAgreement::LEVELS,
        FieldKind::Date => DateAgreement::LEVELS,
        FieldKind::Exact | FieldKind::Text => 4,
        FieldKind::Phone => 3,
    }
}

pub(crate) fn prepare(kind: FieldKind, value: Option<&FieldValue>) -> Prepared {
    let Some(value) = value else { return Prepared::Missing };
    let prepared = match (kind, value) {
        (FieldKind::Name, FieldValue::Name(s) | FieldValue::Text(s)) => Prepared::Name(tokens(s)),
        (FieldKind::Date, FieldValue::Date(d)) => {
            Prepared::Date { digits: date_digits(*d), day: Some(d.to_julian_day()) }
        }
        // A date that did not parse still carries its digits, which are compared by
        // typing slips only, since how far apart the dates are is not known.
        (FieldKind::Date, FieldValue::Name(s) | FieldValue::Text(s)) => {
            Prepared::Date { digits: normalize::digits(s), day: None }
        }
        (FieldKind::Exact, FieldValue::Name(s) | FieldValue::Text(s)) => {
            Prepared::Code(normalize::fold(s).replace(' ', ""))
        }
        (FieldKind::Phone, FieldValue::Name(s) | FieldValue::Text(s)) => {
            // The last eight digits: a Danish number without +45/0045, whatever the
            // spacing; shorter numbers are compared as they are.
            let d = normalize::digits(s);
            let start = d.len().saturating_sub(8);
            Prepared::Code(d[start..].to_owned())
        }
        (FieldKind::Text, FieldValue::Name(s) | FieldValue::Text(s)) => Prepared::Text(normalize::text(s)),
        (FieldKind::Name, FieldValue::Date(d)) => Prepared::Name(tokens(&date_digits(*d))),
        (FieldKind::Text, FieldValue::Date(d)) => Prepared::Text(date_digits(*d)),
        (FieldKind::Exact | FieldKind::Phone, FieldValue::Date(d)) => Prepared::Code(date_digits(*d)),
    };
    match &prepared {
        Prepared::Name(t) if t.is_empty() => Prepared::Missing,
        Prepared::Code(s) | Prepared::Text(s) | Prepared::Date { digits: s, .. } if s.is_empty() => Prepared::Missing,
        _ => prepared,
    }
}

/// The value exact agreement (level 0) is about, as a key for counting how common it is.
pub(crate) fn exact_key(value: &Prepared) -> Option<String> {
    match value {
        Prepared::Missing => None,
        Prepared::Name(tokens) => {
            let mut t: Vec<&str> = tokens.iter().map(|t| t.folded.as_str()).collect();
            t.sort_unstable();
            Some(t.join(" "))
        }
        Prepared::Code(s) | Prepared::Text(s) | Prepared::Date { digits: s, .. } => Some(s.clone()),
    }
}

fn date_digits(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Tokens a name is compared by; a longer "name" is not a person's name, and the cap
/// keeps the comparison on the stack.
const MAX_TOKENS: usize = 16;

pub(crate) fn tokens(name: &str) -> Vec<Token> {
    normalize::name_tokens(name)
        .into_iter()
        .take(MAX_TOKENS)
        .map(|folded| {
            let skeleton = normalize::skeleton(&folded);
            Token { folded, skeleton }
        })
        .collect()
}

/// The comparison level of two prepared values, `None` when either is missing (the
/// field then says nothing about the pair).
pub(crate) fn level(kind: FieldKind, a: &Prepared, b: &Prepared) -> Option<u8> {
    match (a, b) {
        (Prepared::Missing, _) | (_, Prepared::Missing) => None,
        (Prepared::Name(x), Prepared::Name(y)) => Some(names(x, y).level()),
        (Prepared::Date { digits: x, day: dx }, Prepared::Date { digits: y, day: dy }) => {
            Some(date_agreement(x, *dx, y, *dy) as u8)
        }
        (Prepared::Code(x), Prepared::Code(y)) => Some(match kind {
            FieldKind::Phone => edit_level(x, y, 1),
            _ => edit_level(x, y, 2),
        }),
        (Prepared::Text(x), Prepared::Text(y)) => Some(text_level(x, y)),
        // Mixed preparations cannot occur within one field; treat as disagreement.
        _ => Some(levels(kind).saturating_sub(1) as u8),
    }
}

/// Exact, then one edit, then (when `max` is 2) two edits, else disagreement. Edits are
/// optimal-string-alignment edits, so a swap of two neighbouring digits is one.
fn edit_level(a: &str, b: &str, max: usize) -> u8 {
    if a == b {
        return 0;
    }
    osa_within(a, b, max) as u8
}

/// Days in "a year" when telling a slip from another person's birth date.
const YEAR_DAYS: i32 = 366;

/// See [`DateAgreement`]. Digits alone say nothing about distance: 2000-03-15 and
/// 2021-03-15 are two digits apart and twenty-one years, so the distance in days
/// decides first and digit slips only refine it.
pub(crate) fn date_agreement(a: &str, day_a: Option<i32>, b: &str, day_b: Option<i32>) -> DateAgreement {
    if a == b {
        return DateAgreement::Exact;
    }
    let swapped = a.len() == 8 && b.len() == 8 && a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6];
    let slip = swapped || osa_within(a, b, 1) <= 1;
    match (day_a, day_b) {
        (Some(x), Some(y)) if (x - y).abs() <= YEAR_DAYS => {
            if slip {
                DateAgreement::Typo
            } else {
                DateAgreement::WithinYear
            }
        }
        _ if slip => DateAgreement::YearTypo,
        _ => DateAgreement::YearsApart,
    }
}

fn text_level(a: &str, b: &str) -> u8 {
    if a == b {
        return 0;
    }
    let jw = jaro_winkler(a, b);
    if jw >= 0.92 {
        1
    } else if jw >= 0.8 {
        2
    } else {
        3
    }
}

/// How many name tokens the two names share, when every token of the shorter name found
/// a partner (agreement `Weak` or better): that is the shorter name's length; else 0.
pub(crate) fn agreeing_tokens(a: &[Token], b: &[Token]) -> usize {
    if names(a, b) <= NameAgreement::Weak { a.len().min(b.len()) } else { 0 }
}

/// How strongly two single tokens agree: 4 exact, 3 same skeleton, 2 close, 1 weak, 0 not.
fn token_strength(a: &Token, b: &Token) -> u8 {
    if a.folded == b.folded {
        return 4;
    }
    if !a.skeleton.is_empty() && a.skeleton == b.skeleton {
        return 3;
    }
    let jw = jaro_winkler(&a.folded, &b.folded);
    if jw >= 0.92 || (a.folded.len().min(b.folded.len()) >= 4 && osa_within(&a.folded, &b.folded, 1) <= 1) {
        2
    } else if jw >= 0.8 {
        1
    } else {
        0
    }
}

pub(crate) fn names(a: &[Token], b: &[Token]) -> NameAgreement {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return NameAgreement::Different;
    }
    // At most MAX_TOKENS tokens each (see `tokens`), so everything fits on the stack.
    // Pairing by descending strength is the best assignment for names' few tokens.
    let mut pairs = [(0u8, 0u8, 0u8); MAX_TOKENS * MAX_TOKENS];
    let mut n = 0;
    for (i, s) in short.iter().enumerate() {
        for (j, l) in long.iter().enumerate() {
            let strength = token_strength(s, l);
            if strength > 0 {
                pairs[n] = (strength, i as u8, j as u8);
                n += 1;
            }
        }
    }
    let pairs = &mut pairs[..n];
    pairs.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut best = [0u8; MAX_TOKENS];
    let (mut short_used, mut long_used) = (0u32, 0u32);
    for &(strength, i, j) in pairs.iter() {
        if short_used & (1 << i) == 0 && long_used & (1 << j) == 0 {
            short_used |= 1 << i;
            long_used |= 1 << j;
            best[usize::from(i)] = strength;
        }
    }
    let best = &best[..short.len()];
    let min = best.iter().copied().min().unwrap_or(0);
    let max = best.iter().copied().max().unwrap_or(0);
    let same_count = short.len() == long.len();
    if same_count && min == 4 {
        NameAgreement::Exact
    } else if same_count && min >= 3 {
        NameAgreement::Transliteration
    } else if min >= 2 {
        NameAgreement::Close
    } else if min >= 1 {
        NameAgreement::Weak
    } else if max >= 3 {
        NameAgreement::Partial
    } else {
        NameAgreement::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_compared_by_distance_before_digits() {
        use DateAgreement as D;
        let of = |a: &str, b: &str| {
            let day = |s: &str| {
                let (y, m, d) = (s[..4].parse().ok()?, s[4..6].parse::<u8>().ok()?, s[6..].parse().ok()?);
                time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok().map(|d| d.to_julian_day())
            };
            date_agreement(a, day(a), b, day(b))
        };
        assert_eq!(of("20000315", "20000315"), D::Exact);
        assert_eq!(of("20000315", "20000316"), D::Typo);
        assert_eq!(of("20000305", "20000503"), D::Typo);
        assert_eq!(of("20000315", "20000728"), D::WithinYear);
        // Two digits apart, and twenty-one years.
        assert_eq!(of("20000315", "20210315"), D::YearsApart);
        assert_eq!(of("19850315", "19580315"), D::YearTypo);
        // A value that is not a date: slips only, the distance is unknown.
        assert_eq!(date_agreement("19850315", None, "1985031", None), D::YearTypo);
        assert_eq!(date_agreement("1985", None, "1985", None), D::Exact);
    }

    #[test]
    fn fast_string_measures_agree_with_strsim() {
        let words = [
            "",
            "a",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "dixon",
            "dicksonx",
            "hassan",
            "hussein",
            "19851203",
            "19850312",
            "ab",
            "ba",
            "abcdefghij",
            "jihgfedcba",
            "abdcefghij",
            "bacdefgh",
            "acbdefhg",
            "xabc",
            "abcx",
            "abxc",
        ];
        for a in words {
            for b in words {
                assert!((jaro_winkler(a, b) - strsim::jaro_winkler(a, b)).abs() < 1e-12, "jw {a} {b}");
                for max in 0..4 {
                    assert_eq!(osa_within(a, b, max), strsim::osa_distance(a, b).min(max + 1), "osa {a} {b} {max}");
                }
            }
        }
    }
}
