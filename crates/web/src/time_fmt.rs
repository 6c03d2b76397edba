//! Times are stored in UTC and shown in Danish time (CET/CEST, `domain::danish_time`).

use time::{Date, OffsetDateTime};

/// `25-11-2026 16:41`, the Danish way.
pub fn local(t: OffsetDateTime) -> String {
    let l = domain::danish_time::local(t);
    format!("{:02}-{:02}-{} {:02}:{:02}", l.day(), u8::from(l.month()), l.year(), l.hour(), l.minute())
}

/// A day in running text (issue 14, item 1): `7. dec. 2026` in Danish, `7 Dec 2026` in
/// English. Tables and fields use [`date`], `07-12-2026`.
pub fn text(locale: domain::org::Locale, d: Date) -> String {
    let month = u8::from(d.month());
    match locale {
        domain::org::Locale::Da => {
            const DA: [&str; 12] =
                ["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."];
            format!("{}. {} {}", d.day(), DA[usize::from(month - 1)], d.year())
        }
        domain::org::Locale::En => {
            const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            format!("{} {} {}", d.day(), EN[usize::from(month - 1)], d.year())
        }
    }
}

/// A day in a table or a field: `07-12-2026`.
pub fn date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_day_in_text_and_in_a_table() {
        use time::macros::date;
        assert_eq!(text(domain::org::Locale::Da, date!(2026 - 12 - 07)), "7. dec. 2026");
        assert_eq!(text(domain::org::Locale::Da, date!(2026 - 05 - 01)), "1. maj 2026");
        assert_eq!(text(domain::org::Locale::En, date!(2026 - 12 - 07)), "7 Dec 2026");
        assert_eq!(date(date!(2026 - 12 - 07)), "07-12-2026");
    }

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
