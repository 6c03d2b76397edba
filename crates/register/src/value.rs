//! Parsing one cell as the municipality's exports write it: Danish and ISO dates, Excel
//! serial numbers, months, amounts in kroner, sex codes and CPR numbers.
//!
//! Every function here is pure and allocation-free on its success path (the reader calls
//! them once per cell of files with tens of millions of rows).

use domain::Cpr;
use std::fmt;
use time::macros::date;
use time::{Date, Month};

/// One parsed cell.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Cpr(Cpr),
    Date(Date),
    Month(YearMonth),
    /// In øre.
    Amount(i64),
    Sex(Sex),
    Origin(domain::reference::Origin),
}

// Text cells hold names and addresses, so `Debug` shows only their length.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => write!(f, "Text(<{} chars>)", s.chars().count()),
            Value::Cpr(c) => write!(f, "{c:?}"),
            Value::Date(d) => write!(f, "Date({d})"),
            Value::Month(m) => write!(f, "Month({m})"),
            Value::Amount(a) => write!(f, "Amount({a})"),
            Value::Sex(s) => write!(f, "Sex({s:?})"),
            Value::Origin(o) => write!(f, "Origin({})", o.code()),
        }
    }
}

/// A calendar month, e.g. an eIndkomst income month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12.
    pub month: u8,
}

impl YearMonth {
    /// `None` unless `month` is 1..=12 and the year is one `time::Date` can hold.
    pub fn new(year: i32, month: u8) -> Option<YearMonth> {
        let m = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, m, 1).ok()?;
        Some(YearMonth { year, month })
    }

    pub fn of(date: Date) -> YearMonth {
        YearMonth { year: date.year(), month: u8::from(date.month()) }
    }

    /// The first day of the month. The fields are public, so an out-of-range value is
    /// clamped rather than trusted.
    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.month.clamp(1, 12)).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(if self.year < 0 { Date::MIN } else { Date::MAX })
    }

    pub fn last_day(self) -> Date {
        let next = self.add_months(1).first_day();
        next.previous_day().unwrap_or(next)
    }

    /// `n` months later (earlier when negative); saturates at the ends of `i32` years.
    pub fn add_months(self, n: i32) -> YearMonth {
        let total = i64::from(self.year) * 12 + i64::from(self.month.clamp(1, 12)) - 1 + i64::from(n);
        let year = i32::try_from(total.div_euclid(12)).unwrap_or(if total < 0 { i32::MIN } else { i32::MAX });
        let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
        YearMonth { year, month }
    }

    /// Whole months from `self` to `other` (positive when `other` is later).
    pub fn months_until(self, other: YearMonth) -> i64 {
        (i64::from(other.year) - i64::from(self.year)) * 12 + i64::from(other.month) - i64::from(self.month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// The CPR rule: an even last digit is a woman.
    pub fn from_cpr_last_digit(digit: u8) -> Sex {
        if digit.is_multiple_of(2) { Sex::Female } else { Sex::Male }
    }
}

/// Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the 29 February 1900
/// that Lotus 1-2-3 invented and Excel kept. From 61 on, serial n is 1899-12-30 + n days.
const EXCEL_MAX_SERIAL: i64 = 2_958_465; // 9999-12-31
const EXCEL_FAKE_LEAP_DAY: i64 = 60;

/// The date of an Excel serial day number in the 1900 system. `None` for 60, which
/// names a day that never was, and outside 1..=2958465.
pub fn excel_serial_date(serial: i64) -> Option<Date> {
    let base = match serial {
        1..EXCEL_FAKE_LEAP_DAY => date!(1899 - 12 - 31),
        EXCEL_FAKE_LEAP_DAY => return None,
        61..=EXCEL_MAX_SERIAL => date!(1899 - 12 - 30),
        _ => return None,
    };
    let day = i32::try_from(i64::from(base.to_julian_day()) + serial).ok()?;
    Date::from_julian_day(day).ok()
}

fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    // Nearly every cell starts and ends with a visible ASCII character.
    if b.first().is_some_and(u8::is_ascii_graphic) && b.last().is_some_and(u8::is_ascii_graphic) {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Up to 9 ASCII digits as a number; `None` for anything else or empty.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

fn ymd(year: u32, month: u32, day: u32) -> Option<Date> {
    let year = i32::try_from(year).ok()?;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// An integer written without a leading zero (a zero-padded number is a code, not a
/// serial), optionally followed by `.0`/`.00` as spreadsheets print whole floats.
fn serial_number(b: &[u8]) -> Option<i64> {
    let b = match b.iter().position(|&c| c == b'.') {
        Some(dot) if dot > 0 && b[dot + 1..].iter().all(|&c| c == b'0') => &b[..dot],
        Some(_) => return None,
        None => b,
    };
    if b.first() == Some(&b'0') || b.len() > 7 {
        return None;
    }
    digits(b).map(i64::from)
}

/// A date. Accepted forms, always day before month unless the year comes first:
/// `dd-mm-yyyy`, `dd.mm.yyyy`, `dd/mm/yyyy` (day and month may have one digit; the two
/// separators must agree), `yyyy-mm-dd` (also with `/` or `.`), `ddmmyyyy` and
/// `yyyymmdd`, and an Excel serial day number (`45292`, `45292.0`). A time of day after a
/// space or `T` is ignored (`2024-01-31T00:00:00`, `31-01-2024 00:00`).
///
/// Eight digits are never ambiguous here: both readings need a year in 1800..=2199, and
/// `yyyymmdd` read as `ddmmyyyy` would put the month digits (01..12) where a year's
/// first two digits (18..21) must be. Two-digit years are refused: the century is a guess.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = strip_time_of_day(trim(s))?;
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        if b.len() == 8 {
            let plausible = |y: u32| (1800..=2199).contains(&y);
            let (dd, mm, yyyy) = (digits(&b[..2])?, digits(&b[2..4])?, digits(&b[4..])?);
            if plausible(yyyy)
                && let Some(d) = ymd(yyyy, mm, dd)
            {
                return Some(d);
            }
            let (yyyy, mm, dd) = (digits(&b[..4])?, digits(&b[4..6])?, digits(&b[6..])?);
            return if plausible(yyyy) { ymd(yyyy, mm, dd) } else { None };
        }
        return excel_serial_date(serial_number(b)?);
    }
    if let Some(serial) = serial_number(b) {
        return excel_serial_date(serial);
    }
    let sep_at = b.iter().position(|c| matches!(c, b'-' | b'.' | b'/'))?;
    let sep = b[sep_at];
    let rest = &b[sep_at + 1..];
    let second_at = rest.iter().position(|&c| c == sep)?;
    let (first, second, third) = (&b[..sep_at], &rest[..second_at], &rest[second_at + 1..]);
    let short = |p: &[u8]| (1..=2).contains(&p.len());
    if first.len() == 4 && short(second) && short(third) {
        ymd(digits(first)?, digits(second)?, digits(third)?)
    } else if short(first) && short(second) && third.len() == 4 {
        ymd(digits(third)?, digits(second)?, digits(first)?)
    } else {
        None
    }
}

/// Drops a time of day (`hh:mm[:ss[.fff]]`, optionally `Z`) after a space or `T`.
/// `None` when something else follows the date.
fn strip_time_of_day(s: &str) -> Option<&str> {
    let Some(at) = s.find([' ', 'T']) else { return Some(s) };
    let time = trim(&s[at + 1..]);
    let time = time.strip_suffix('Z').unwrap_or(time);
    let ok = time.contains(':')
        && time.bytes().all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
        && time.as_bytes().first().is_some_and(u8::is_ascii_digit);
    ok.then(|| trim(&s[..at]))
}

const MONTH_NAMES: [(&str, &str); 12] = [
    ("januar", "january"),
    ("februar", "february"),
    ("marts", "march"),
    ("april", "april"),
    ("maj", "may"),
    ("juni", "june"),
    ("juli", "july"),
    ("august", "august"),
    ("september", "september"),
    ("oktober", "october"),
    ("november", "november"),
    ("december", "december"),
];

/// A Danish or English month name or its abbreviation of at least three letters
/// (`jan`, `okt.`, `October`).
pub(crate) fn month_by_name(word: &str) -> Option<u8> {
    let w = word.strip_suffix('.').unwrap_or(word);
    if w.len() < 3 || !w.is_ascii() {
        return None;
    }
    let found = MONTH_NAMES.iter().position(|(da, en)| {
        let starts = |full: &str| full.len() >= w.len() && full[..w.len()].eq_ignore_ascii_case(w);
        starts(da) || starts(en)
    })?;
    u8::try_from(found + 1).ok()
}

/// A month. Accepted: `yyyy-mm` (also `/` or `.`), `yyyymm`, `mm-yyyy`, `mm.yyyy`,
/// `mm/yyyy` (month may have one digit), a month name with a four-digit year
/// (`januar 2024`, `jan-2024`), any date [`parse_date`] accepts (its month), and an
/// Excel serial day number. Six digits are always `yyyymm`: as a serial they would be
/// the years 2173–4637.
pub fn parse_month(s: &str) -> Option<YearMonth> {
    let s = trim(s);
    let b = s.as_bytes();
    if b.len() == 6 && b.iter().all(u8::is_ascii_digit) {
        return YearMonth::new(i32::try_from(digits(&b[..4])?).ok()?, u8::try_from(digits(&b[4..])?).ok()?);
    }
    if let Some(at) = b.iter().position(|c| matches!(c, b'-' | b'.' | b'/' | b' ')) {
        let (first, second) = (&s[..at], trim(&s[at + 1..]));
        let one_sep = !(second.contains(['-', '/', ' ']) || (b[at] == b'.' && second.contains('.')));
        if one_sep {
            let short = |p: &str| (1..=2).contains(&p.len());
            let as_month =
                |p: &str| digits(p.as_bytes()).and_then(|m| u8::try_from(m).ok()).or_else(|| month_by_name(p));
            let as_year = |p: &str| {
                if p.len() == 4 { digits(p.as_bytes()).and_then(|y| i32::try_from(y).ok()) } else { None }
            };
            if let Some(year) = as_year(first)
                && (short(second) || month_by_name(second).is_some())
            {
                return YearMonth::new(year, as_month(second)?);
            }
            if let Some(year) = as_year(second)
                && (short(first) || month_by_name(first).is_some())
            {
                return YearMonth::new(year, as_month(first)?);
            }
        }
    }
    parse_date(s).map(YearMonth::of)
}

/// An amount in kroner as øre.
///
/// Accepted: `12.345,67`, `12345,67`, `12345.67`, `-1.200`, `12 345`, `12345`,
/// `kr. 1.200,00`, `1.200,-`, `1.200 kr`, `DKK 5`, a trailing minus (`1.200-`).
///
/// Which mark is the decimal one:
/// - both `.` and `,`: the last one; the other groups thousands;
/// - only `,`: one comma is decimal (Danish), several group thousands;
/// - only `.`: several group thousands; a single dot followed by exactly three digits
///   groups thousands (`1.200` = 1,200 kr), otherwise it is decimal (`12345.67`).
///   Danish exports write thousands with a dot, and kroner never have three decimals,
///   so `1.200` as 1.2 kr would be the unlikely reading;
/// - spaces (also no-break spaces) always group thousands.
///
/// Groups after the first must have three digits, and at most two decimals are
/// accepted: `1,234` (a Danish 1.234 kr, or an English 1,234 kr?) is refused rather than
/// guessed, so the caseworker sees an error instead of an amount off by a factor 1000.
pub fn parse_amount(s: &str) -> Option<i64> {
    let mut t = trim(s);
    if let Some(ore) = plain_amount(t.as_bytes()) {
        return Some(ore);
    }
    let mut negative = false;
    let mut signs = 0;
    // Currency marks and signs may come in either order ("kr. -5", "-kr. 5", "5 kr-").
    for _ in 0..2 {
        t = strip_currency(t);
        if let Some(rest) = t.strip_prefix(['-', '\u{2212}']) {
            negative = true;
            signs += 1;
            t = trim(rest);
        } else if let Some(rest) = t.strip_prefix('+') {
            signs += 1;
            t = trim(rest);
        } else if let Some(rest) = t.strip_suffix('-').filter(|r| !r.ends_with(',')) {
            negative = true;
            signs += 1;
            t = trim(rest);
        }
    }
    if signs > 1 {
        return None;
    }
    // "1.200,-" is Danish for whole kroner.
    let t = t.strip_suffix(",-").unwrap_or(t);
    if t.is_empty() {
        return None;
    }
    let is_space = |c: char| c == ' ' || c == '\u{a0}' || c == '\u{202f}';
    let (mut commas, mut dots, mut last_comma, mut last_dot) = (0usize, 0usize, 0usize, 0usize);
    for (i, c) in t.char_indices() {
        match c {
            ',' => {
                commas += 1;
                last_comma = i;
            }
            '.' => {
                dots += 1;
                last_dot = i;
            }
            c if c.is_ascii_digit() || is_space(c) => {}
            _ => return None,
        }
    }
    let decimal_at = match (commas, dots) {
        (0, 0) => None,
        (_, 0) if commas == 1 => Some(last_comma),
        (_, 0) => None,
        (0, 1) if t.len() - last_dot - 1 == 3 => None,
        (0, 1) => Some(last_dot),
        (0, _) => None,
        _ => Some(last_comma.max(last_dot)),
    };
    let (int_part, frac_part) = match decimal_at {
        Some(at) => (&t[..at], &t[at + 1..]),
        None => (t, ""),
    };
    if decimal_at.is_some() && !(1..=2).contains(&frac_part.len()) {
        return None;
    }
    let mut kroner: i64 = 0;
    let mut group_len: Option<usize> = None; // digits since the last group mark
    let mut first_group = 0usize;
    let mut mark: Option<char> = None;
    for c in int_part.chars() {
        if let Some(d) = c.to_digit(10) {
            kroner = kroner.checked_mul(10)?.checked_add(i64::from(d))?;
            match group_len.as_mut() {
                Some(n) => *n += 1,
                None => first_group += 1,
            }
        } else {
            // A group mark: the previous group must be complete, and all marks alike.
            let c = if is_space(c) { ' ' } else { c };
            if mark.is_some_and(|m| m != c) {
                return None;
            }
            mark = Some(c);
            match group_len {
                Some(3) => {}
                Some(_) => return None,
                None if (1..=3).contains(&first_group) => {}
                None => return None,
            }
            group_len = Some(0);
        }
    }
    if first_group == 0 || group_len.is_some_and(|n| n != 3) {
        return None;
    }
    let mut ore: i64 = 0;
    for (i, c) in frac_part.chars().enumerate() {
        let d = i64::from(c.to_digit(10)?);
        ore += if i == 0 { d * 10 } else { d };
    }
    let total = kroner.checked_mul(100)?.checked_add(ore)?;
    Some(if negative { -total } else { total })
}

/// The common case, `-12345` or `-12345,67`/`-12345.67` (one or two decimals), parsed
/// without the general path's passes; the same result as the general rule.
fn plain_amount(b: &[u8]) -> Option<i64> {
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let int_len = b.iter().position(|c| !c.is_ascii_digit()).unwrap_or(b.len());
    if int_len == 0 || int_len > 15 {
        return None;
    }
    let frac = match &b[int_len..] {
        [] => 0,
        [b'.' | b',', d] if d.is_ascii_digit() => i64::from(d - b'0') * 10,
        [b'.' | b',', d, e] if d.is_ascii_digit() && e.is_ascii_digit() => {
            i64::from(d - b'0') * 10 + i64::from(e - b'0')
        }
        _ => return None,
    };
    let kroner = b[..int_len].iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    let ore = kroner * 100 + frac;
    Some(if negative { -ore } else { ore })
}

fn strip_currency(t: &str) -> &str {
    let mut t = t;
    for mark in ["kr.", "kr", "dkk"] {
        if t.len() >= mark.len() && t.is_char_boundary(mark.len()) && t[..mark.len()].eq_ignore_ascii_case(mark) {
            t = trim(&t[mark.len()..]);
        }
        let n = t.len();
        if n >= mark.len() && t.is_char_boundary(n - mark.len()) && t[n - mark.len()..].eq_ignore_ascii_case(mark) {
            t = trim(&t[..n - mark.len()]);
        }
    }
    t
}

/// `K`, `Kvinde`, `Kv`, `F`, `Female`, `W`, `Woman`, `2` → female; `M`, `Mand`, `Male`,
/// `Man`, `1` → male (the Danmarks Statistik codes are 1 = man, 2 = woman).
pub fn parse_sex(s: &str) -> Option<Sex> {
    const FEMALE: [&str; 8] = ["k", "kvinde", "kv", "f", "female", "w", "woman", "2"];
    const MALE: [&str; 5] = ["m", "mand", "male", "man", "1"];
    let t = trim(s);
    if FEMALE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(Sex::Female)
    } else if MALE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(Sex::Male)
    } else {
        None
    }
}

/// A CPR number, and the sex its last digit gives.
///
/// Besides `DDMMYY-SSSS` and `DDMMYYSSSS`, accepts nine digits not starting with `0`
/// (optionally with `.0`): a spreadsheet that stored the number as a number dropped the
/// leading zero of days 1–9. Nine digits that start with `0` cannot come from there, so
/// they are refused rather than padded into someone else's number.
pub fn parse_cpr_and_sex(s: &str) -> Option<(Cpr, Sex)> {
    let t = trim(s);
    let t = match t.find('.') {
        Some(dot) if t[dot + 1..].bytes().all(|c| c == b'0') && t[..dot].bytes().all(|c| c.is_ascii_digit()) => {
            &t[..dot]
        }
        _ => t,
    };
    let b = t.as_bytes();
    let mut padded = [b'0'; 10];
    let text = if b.len() == 9 && b[0] != b'0' && b.iter().all(u8::is_ascii_digit) {
        padded[1..].copy_from_slice(b);
        std::str::from_utf8(&padded).ok()?
    } else {
        t
    };
    let cpr = Cpr::parse(text).ok()?;
    let last = text.as_bytes().last().copied()?.wrapping_sub(b'0');
    Some((cpr, Sex::from_cpr_last_digit(last)))
}

/// A CPR number; see [`parse_cpr_and_sex`].
pub fn parse_cpr(s: &str) -> Option<Cpr> {
    parse_cpr_and_sex(s).map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    #[test]
    fn dates_in_every_form() {
        let want = d(2024, 1, 31);
        for s in [
            "31-01-2024",
            "31.01.2024",
            "31/01/2024",
            "2024-01-31",
            "2024/01/31",
            "31012024",
            "20240131",
            "45322",
            "45322.0",
            " 31-01-2024 ",
            "2024-01-31T00:00:00",
            "2024-01-31T00:00:00Z",
            "31-01-2024 00:00",
            "31.01.2024 13:45:10.123",
        ] {
            assert_eq!(parse_date(s), Some(want), "{s}");
        }
        assert_eq!(parse_date("1-2-2024"), Some(d(2024, 2, 1)));
        assert_eq!(parse_date("01.2.1961"), Some(d(1961, 2, 1)));
        assert_eq!(parse_date("02011961"), Some(d(1961, 1, 2)));
    }

    #[test]
    fn bad_dates_are_refused() {
        for s in [
            "",
            "31-02-2024",
            "2024-13-01",
            "31-01-24",
            "31-01.2024",
            "31 januar 2024",
            "60",
            "0",
            "045322",
            "2958466",
            "45322.5",
            "99999999",
            "13012024x",
            "2024-01-31 abc",
            "2024-01-31T",
            "--",
            "1-1-1",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn excel_serials_keep_the_1900_leap_bug() {
        assert_eq!(excel_serial_date(1), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(59), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_date(60), None);
        assert_eq!(excel_serial_date(61), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(25569), Some(d(1970, 1, 1)));
        assert_eq!(excel_serial_date(45292), Some(d(2024, 1, 1)));
        assert_eq!(excel_serial_date(2_958_465), Some(d(9999, 12, 31)));
        assert_eq!(excel_serial_date(2_958_466), None);
        assert_eq!(excel_serial_date(0), None);
        assert_eq!(excel_serial_date(-5), None);
    }

    #[test]
    fn months_in_every_form() {
        let want = YearMonth { year: 2024, month: 3 };
        for s in [
            "2024-03",
            "2024-3",
            "2024/03",
            "2024.03",
            "202403",
            "03-2024",
            "3-2024",
            "03.2024",
            "03/2024",
            "marts 2024",
            "Mar 2024",
            "mar-2024",
            "MARCH 2024",
            "2024 marts",
            "15-03-2024",
            "2024-03-15",
            "45366",
            "15.03.2024",
        ] {
            assert_eq!(parse_month(s), Some(want), "{s}");
        }
        assert_eq!(parse_month("okt. 2023"), Some(YearMonth { year: 2023, month: 10 }));
        for s in ["", "2024-13", "202413", "13-2024", "ma 2024", "2024-03-1-1", "03.2024.1", "hello"] {
            assert_eq!(parse_month(s), None, "{s:?}");
        }
    }

    #[test]
    fn year_month_arithmetic() {
        let m = YearMonth { year: 2024, month: 11 };
        assert_eq!(m.add_months(2), YearMonth { year: 2025, month: 1 });
        assert_eq!(m.add_months(-11), YearMonth { year: 2023, month: 12 });
        assert_eq!(m.add_months(0), m);
        assert_eq!(m.first_day(), d(2024, 11, 1));
        assert_eq!(YearMonth { year: 2024, month: 2 }.last_day(), d(2024, 2, 29));
        assert_eq!(m.months_until(YearMonth { year: 2025, month: 2 }), 3);
        assert_eq!(m.to_string(), "2024-11");
        assert_eq!(YearMonth::new(2024, 13), None);
        // Public fields can hold nonsense; it must not panic.
        let _ = YearMonth { year: i32::MAX, month: 200 }.first_day();
        let _ = YearMonth { year: i32::MAX, month: 12 }.add_months(i32::MAX);
        assert!(YearMonth { year: 2024, month: 1 } < YearMonth { year: 2024, month: 2 });
    }

    #[test]
    fn amounts_follow_the_documented_rule() {
        let cases: &[(&str, i64)] = &[
            ("12.345,67", 1_234_567),
            ("12345,67", 1_234_567),
            ("12345.67", 1_234_567),
            ("-1.200", -120_000),
            ("12 345", 1_234_500),
            ("12\u{a0}345,5", 1_234_550),
            ("12345", 1_234_500),
            ("kr. 1.200,00", 120_000),
            ("1.200,-", 120_000),
            ("1.200 kr", 120_000),
            ("1.200 kr.", 120_000),
            ("DKK 5", 500),
            ("1.200-", -120_000),
            ("kr. -5,50", -550),
            ("-kr. 5,50", -550),
            ("+7", 700),
            ("1,234,567.89", 123_456_789),
            ("1.234.567", 123_456_700),
            ("0", 0),
            ("0,5", 50),
            ("1.2", 120),
            ("\u{2212}3", -300),
        ];
        for (s, want) in cases {
            assert_eq!(parse_amount(s), Some(*want), "{s}");
        }
        for s in [
            "",
            "kr.",
            "-",
            "1,234",
            "12,345",
            "1.23.4",
            "12.34,5.6",
            "1 2",
            "1.2,3.4",
            "abc",
            "12,",
            ",5",
            "1.0000,00",
            "1,2,3",
            "1 234.567,0",
            "1e5",
            "99999999999999999999",
            "1.200.",
            "--5",
            "1.2345",
            "-5-",
        ] {
            assert_eq!(parse_amount(s), None, "{s:?}");
        }
    }

    #[test]
    fn sex_codes() {
        for s in ["K", "kvinde", "F", "Female", "W", "2", " k "] {
            assert_eq!(parse_sex(s), Some(Sex::Female), "{s}");
        }
        for s in ["M", "Mand", "male", "1"] {
            assert_eq!(parse_sex(s), Some(Sex::Male), "{s}");
        }
        for s in ["", "x", "3", "kvind"] {
            assert_eq!(parse_sex(s), None, "{s}");
        }
    }

    #[test]
    fn cpr_with_and_without_hyphen_and_from_a_number_cell() {
        let want = Cpr::parse("070761-4285").unwrap();
        for s in ["070761-4285", "0707614285", " 0707614285 ", "707614285", "707614285.0", "0707614285.0"] {
            assert_eq!(parse_cpr(s).as_ref(), Some(&want), "{s}");
        }
        assert_eq!(parse_cpr_and_sex("070761-4285").map(|(_, s)| s), Some(Sex::Male));
        assert_eq!(parse_cpr_and_sex("070761-4286").map(|(_, s)| s), Some(Sex::Female));
        assert_eq!(parse_cpr_and_sex("707614286").map(|(_, s)| s), Some(Sex::Female));
        for s in ["", "070761428", "07076142", "707614285.5", "320190-1234", "0707614285x", "1.5"] {
            assert_eq!(parse_cpr(s), None, "{s:?}");
        }
    }

    #[test]
    fn debug_of_a_text_value_hides_it() {
        let v = Value::Text("Fatima Hassan".into());
        assert_eq!(format!("{v:?}"), "Text(<13 chars>)");
        let c = Value::Cpr(Cpr::parse("070761-4285").unwrap());
        assert!(!format!("{c:?}").contains("4285"));
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (0i32..(400 * 365)).prop_map(|n| d(1800, 1, 1) + time::Duration::days(i64::from(n)))
    }

    proptest! {
        #[test]
        fn parse_date_round_trips_every_form(date in any_date()) {
            let (y, m, dd) = (date.year(), u8::from(date.month()), date.day());
            let forms = [
                format!("{dd:02}-{m:02}-{y}"),
                format!("{dd:02}.{m:02}.{y}"),
                format!("{dd:02}/{m:02}/{y}"),
                format!("{dd}-{m}-{y}"),
                format!("{dd}.{m}.{y}"),
                format!("{y}-{m:02}-{dd:02}"),
                format!("{dd:02}{m:02}{y}"),
                format!("{y}{m:02}{dd:02}"),
                format!("{y}-{m:02}-{dd:02}T12:30:00"),
            ];
            for s in &forms {
                prop_assert_eq!(parse_date(s), Some(date), "{}", s);
            }
            if date >= d(1900, 3, 1) {
                let serial = i64::from(date.to_julian_day() - d(1899, 12, 30).to_julian_day());
                prop_assert_eq!(parse_date(&serial.to_string()), Some(date));
                prop_assert_eq!(parse_date(&format!("{serial}.0")), Some(date));
            }
            prop_assert_eq!(parse_month(&format!("{y}-{m:02}")), Some(YearMonth::of(date)));
            prop_assert_eq!(parse_month(&format!("{m:02}.{y}")), Some(YearMonth::of(date)));
        }

        #[test]
        fn parse_amount_round_trips_formatted_ore(ore in -1_000_000_000_000i64..1_000_000_000_000) {
            let sign = if ore < 0 { "-" } else { "" };
            let kr = ore.unsigned_abs() / 100;
            let frac = ore.unsigned_abs() % 100;
            let grouped = |mark: &str| {
                let digits = kr.to_string();
                let mut out = String::new();
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && (digits.len() - i) % 3 == 0 {
                        out.push_str(mark);
                    }
                    out.push(c);
                }
                out
            };
            let forms = [
                format!("{sign}{}{},{frac:02}", grouped("."), ""),
                format!("{sign}{kr},{frac:02}"),
                format!("{sign}{kr}.{frac:02}"),
                format!("{sign}{},{frac:02}", grouped(" ")),
                format!("kr. {sign}{},{frac:02}", grouped(".")),
                format!("{sign}{}.{frac:02}", grouped(",")),
            ];
            for s in &forms {
                prop_assert_eq!(parse_amount(s), Some(ore), "{}", s);
            }
            if frac == 0 {
                let whole = i64::try_from(kr).unwrap() * 100 * if ore < 0 { -1 } else { 1 };
                prop_assert_eq!(parse_amount(&format!("{sign}{}", grouped("."))), Some(whole));
                prop_assert_eq!(parse_amount(&format!("{sign}{kr}")), Some(whole));
            }
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
            let _ = parse_month(&s);
            let _ = parse_amount(&s);
            let _ = parse_sex(&s);
            let _ = parse_cpr(&s);
        }
    }
}
