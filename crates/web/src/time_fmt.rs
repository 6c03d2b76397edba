//! Times are stored in UTC and shown in Danish time (CET/CEST). The EU rule is fixed:
//! summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//! Sunday of October.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let mut d = Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(d)
}

pub fn danish_offset(t: OffsetDateTime) -> UtcOffset {
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
    UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// `25-11-2026 16:41`, the Danish way.
pub fn local(t: OffsetDateTime) -> String {
    let l = t.to_offset(danish_offset(t));
    format!("{:02}-{:02}-{} {:02}:{:02}", l.day(), u8::from(l.month()), l.year(), l.hour(), l.minute())
}

pub fn date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn winter_and_summer_time() {
        assert_eq!(local(datetime!(2026-01-15 12:00 UTC)), "15-01-2026 13:00");
        assert_eq!(local(datetime!(2026-07-15 12:00 UTC)), "15-07-2026 14:00");
        // 2026: summer time starts 29 March 01:00 UTC, ends 25 October 01:00 UTC
        assert_eq!(local(datetime!(2026-03-29 00:59 UTC)), "29-03-2026 01:59");
        assert_eq!(local(datetime!(2026-03-29 01:00 UTC)), "29-03-2026 03:00");
        assert_eq!(local(datetime!(2026-10-25 00:59 UTC)), "25-10-2026 02:59");
        assert_eq!(local(datetime!(2026-10-25 01:00 UTC)), "25-10-2026 02:00");
    }
}
