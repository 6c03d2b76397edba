//! Intro meetings (product.md: `met` is "an intro meeting held"): the meetings an
//! initiative plans, so that an ambassador or a caseworker can invite the women they
//! know to one in their language and near them (G-6, G-8). The programmes module
//! will add venues and sessions; this is the meeting itself.

use crate::ambassador::{optional_text, optional_uuid, parse_whole, required_date, required_text};
use crate::reference;
use crate::validation::FieldErrors;
use time::{Date, Time};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroMeeting {
    pub date: Date,
    pub time: Time,
    /// Where, in words she knows: "Beboerhuset, Nørrevang 12".
    pub place: String,
    pub area_id: Option<Uuid>,
    /// ISO 639 codes: the languages spoken at the meeting (an interpreter counts).
    pub languages: Vec<String>,
    /// Whether she may bring her spouse at the start (product.md, G-8).
    pub spouse_welcome: bool,
    pub capacity: Option<u32>,
    pub note: String,
}

/// The intro meeting form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct IntroMeetingInput {
    pub date: String,
    pub time: String,
    pub place: String,
    pub area_id: String,
    /// ISO 639 codes separated by commas.
    pub languages: String,
    pub spouse_welcome: Option<String>,
    pub capacity: String,
    pub note: String,
}

const MAX_PLACE: usize = 200;
const MAX_NOTE: usize = 1000;
pub const CAPACITY: std::ops::RangeInclusive<u32> = 1..=200;

fn parse_time(input: &str) -> Option<Time> {
    let (h, m) = input.trim().split_once(['.', ':'])?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

impl IntroMeetingInput {
    /// A meeting is planned ahead: its date may not have passed.
    pub fn parse(&self, today: Date) -> Result<IntroMeeting, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = required_date(&mut errors, "date", &self.date);
        if date.is_some_and(|d| d < today) {
            errors.add("date", "error-date-past");
        }
        let time = parse_time(&self.time);
        if time.is_none() {
            errors.add("time", if self.time.trim().is_empty() { "error-required" } else { "error-time-format" });
        }
        let place = required_text(&mut errors, "place", &self.place, MAX_PLACE);
        let area_id = optional_uuid(&mut errors, "area_id", &self.area_id);
        let mut languages = Vec::new();
        for code in self.languages.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match reference::language_typed(code) {
                Some(l) if !languages.iter().any(|x| x == l.code) => languages.push(l.code.to_string()),
                Some(_) => {}
                None => errors.add("languages", "error-unknown-language"),
            }
        }
        if languages.is_empty() && errors.for_field("languages").is_none() {
            errors.add("languages", "error-required");
        }
        let capacity = match self.capacity.trim() {
            "" => None,
            text => match parse_whole(text).filter(|n| CAPACITY.contains(n)) {
                Some(n) => Some(n),
                None => {
                    errors.add("capacity", "error-capacity");
                    None
                }
            },
        };
        let note = optional_text(&mut errors, "note", &self.note, MAX_NOTE);
        let spouse_welcome = crate::ambassador::checkbox(&self.spouse_welcome);
        match (date, time, errors.is_empty()) {
            (Some(date), Some(time), true) => {
                Ok(IntroMeeting { date, time, place, area_id, languages, spouse_welcome, capacity, note })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    fn input() -> IntroMeetingInput {
        IntroMeetingInput {
            date: "2026-12-03".into(),
            time: "10.00".into(),
            place: "Beboerhuset, Nørrevang 12".into(),
            languages: "ar, da".into(),
            spouse_welcome: Some("on".into()),
            capacity: "12".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_planned_meeting_parses_with_danish_or_iso_times() {
        let m = input().parse(date!(2026 - 11 - 25)).unwrap();
        assert_eq!((m.date, m.time), (date!(2026 - 12 - 03), time!(10:00)));
        assert_eq!(m.languages, vec!["ar", "da"]);
        assert!(m.spouse_welcome);
        assert_eq!(m.capacity, Some(12));
        let iso = IntroMeetingInput { time: "13:30".into(), ..input() }.parse(date!(2026 - 11 - 25)).unwrap();
        assert_eq!(iso.time, time!(13:30));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = IntroMeetingInput {
            date: "2026-11-01".into(),
            time: "25.00".into(),
            place: " ".into(),
            area_id: "nope".into(),
            languages: "xx".into(),
            capacity: "0".into(),
            ..Default::default()
        };
        let e = bad.parse(date!(2026 - 11 - 25)).unwrap_err();
        assert_eq!(e.for_field("date"), Some("error-date-past"));
        assert_eq!(e.for_field("time"), Some("error-time-format"));
        assert_eq!(e.for_field("place"), Some("error-required"));
        assert!(e.for_field("area_id").is_some());
        assert_eq!(e.for_field("languages"), Some("error-unknown-language"));
        assert_eq!(e.for_field("capacity"), Some("error-capacity"));
        let empty = IntroMeetingInput::default().parse(date!(2026 - 11 - 25)).unwrap_err();
        assert_eq!(empty.for_field("languages"), Some("error-required"));
        assert_eq!(empty.for_field("time"), Some("error-required"));
    }
}
