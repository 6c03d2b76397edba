//! The municipality's clock (issue 14, item 1): times are stored in UTC and read in
//! Danish time, Europe/Copenhagen. The EU rule is fixed: summer time (CEST, UTC+2) from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October,
//! else CET (UTC+1). "Today", "overdue" and "meetings today" are Danish days, not UTC
//! days, so a call at 00:30 is not yesterday's.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let mut d = Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(d)
}

/// Denmark's offset from UTC at `t`.
pub fn offset(t: OffsetDateTime) -> UtcOffset {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer = match (last_sunday(year, Month::March), last_sunday(year, Month::October)) {
        (Some(start), Some(end)) => {
            let start = start.with_hms(1, 0, 0).map(|p| p.assume_utc()).ok();
            let end = end.with_hms(1, 0, 0).map(|p| p.assume_utc()).ok();
            matches!((start, end), (Some(s), Some(e)) if utc >= s && utc < e)
        }
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    UtcOffset::from_whole_seconds(hours * 3600).unwrap_or(UtcOffset::UTC)
}

/// `t` in Danish time.
pub fn local(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(offset(t))
}

/// The Danish calendar day of `t`.
pub fn date(t: OffsetDateTime) -> Date {
    local(t).date()
}

/// The moment a Danish calendar day begins. (The clocks change at 01:00 UTC, never at
/// Danish midnight, so the offset an hour before midnight is the day's own.)
pub fn start_of_day(d: Date) -> OffsetDateTime {
    let guess = d.midnight().assume_utc();
    let o = offset(guess);
    d.midnight().assume_offset(o).to_offset(UtcOffset::UTC)
}

/// A day as staff type it: `2026-12-07` (a date field) or `07-12-2026` / `7.12.2026`
/// (the Danish way).
pub fn parse_day(text: &str) -> Option<Date> {
    let text = text.trim();
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(text, iso) {
        return Some(d);
    }
    let parts: Vec<&str> = text.split(['-', '.', '/']).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn winter_and_summer_time() {
        assert_eq!(offset(datetime!(2026-01-15 12:00 UTC)).whole_hours(), 1);
        assert_eq!(offset(datetime!(2026-07-15 12:00 UTC)).whole_hours(), 2);
        // 2026: summer time starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
        assert_eq!(offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(), 1);
        assert_eq!(offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(), 2);
        assert_eq!(offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(), 2);
        assert_eq!(offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(), 1);
    }

    #[test]
    fn days_are_read_as_typed() {
        assert_eq!(parse_day("2026-12-07"), Some(date!(2026 - 12 - 07)));
        assert_eq!(parse_day(" 07-12-2026 "), Some(date!(2026 - 12 - 07)));
        assert_eq!(parse_day("7.12.2026"), Some(date!(2026 - 12 - 07)));
        assert_eq!(parse_day("31-02-2026"), None);
        assert_eq!(parse_day("i går"), None);
    }

    #[test]
    fn the_danish_day_starts_before_the_utc_day() {
        assert_eq!(date(datetime!(2026-12-07 23:30 UTC)), date!(2026 - 12 - 08));
        assert_eq!(date(datetime!(2026-07-07 22:30 UTC)), date!(2026 - 07 - 08));
        assert_eq!(date(datetime!(2026-12-07 22:30 UTC)), date!(2026 - 12 - 07));
        assert_eq!(start_of_day(date!(2026 - 12 - 08)), datetime!(2026-12-07 23:00 UTC));
        assert_eq!(start_of_day(date!(2026 - 07 - 08)), datetime!(2026-07-07 22:00 UTC));
    }
}
