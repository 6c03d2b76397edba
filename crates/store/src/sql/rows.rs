//! Conversions between stored text and domain values. Times are stored as fixed-width
//! UTC text (`2026-11-25T15:41:48.123456Z`) so that text order is time order on both
//! backends.

use crate::{Result, StoreError};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

const TS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn fmt_ts(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(TS).unwrap_or_default()
}

pub fn parse_ts(s: &str) -> Result<OffsetDateTime> {
    PrimitiveDateTime::parse(s, TS).map(|p| p.assume_utc()).map_err(|_| StoreError::Corrupt(format!("timestamp '{s}'")))
}

pub fn parse_date(s: &str) -> Result<Date> {
    Date::parse(s, DATE).map_err(|_| StoreError::Corrupt(format!("date '{s}'")))
}

pub fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt(format!("id '{s}'")))
}

pub fn opt_uuid(s: Option<String>) -> Result<Option<Uuid>> {
    s.map(|s| parse_uuid(&s)).transpose()
}

pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
