//! A street conversation: anonymous, counts only (issue 5, "In the street").

use super::form::{optional, parse_whole, required_choice, required_date, required_language, required_uuid};
use crate::code_enum;
use crate::validation::FieldErrors;
use std::ops::RangeInclusive;
use time::Date;
use uuid::Uuid;

code_enum! {
    /// Where the approach happened (G-6.3).
    pub enum PlaceKind {
        Playground = "playground",
        Supermarket = "supermarket",
        BusStop = "bus_stop",
        Association = "association",
        Other = "other",
    }
}

code_enum! {
    /// How a conversation ended.
    pub enum Outcome { Interested = "interested", Maybe = "maybe", NotInterested = "not_interested" }
}

/// One line of her log: `count` conversations alike in day, area, place, language and
/// outcome. There is no name and no phone, ever: a woman who wants more is registered
/// with her consent instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetConversation {
    pub date: Date,
    pub area_id: Uuid,
    pub place: PlaceKind,
    /// ISO 639.
    pub language: String,
    pub outcome: Outcome,
    pub count: u32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConversationInput {
    pub date: String,
    pub area_id: String,
    pub place: String,
    pub language: String,
    pub outcome: String,
    /// Empty means one.
    pub count: String,
}

pub const CONVERSATION_COUNT: RangeInclusive<u32> = 1..=50;
/// A log is written the same day or soon after; older entries are guesses.
pub const MAX_CONVERSATION_AGE_DAYS: i64 = 31;

impl ConversationInput {
    pub fn parse(&self, today: Date) -> Result<StreetConversation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = required_date(&mut errors, "date", &self.date).and_then(|d| {
            if d > today {
                errors.add("date", "error-date-future");
                None
            } else if (today - d).whole_days() > MAX_CONVERSATION_AGE_DAYS {
                errors.add("date", "error-date-too-old");
                None
            } else {
                Some(d)
            }
        });
        let area_id = required_uuid(&mut errors, "area_id", &self.area_id);
        let place = required_choice(&mut errors, "place", &self.place, PlaceKind::from_code);
        let language = required_language(&mut errors, "language", &self.language);
        let outcome = required_choice(&mut errors, "outcome", &self.outcome, Outcome::from_code);
        let count = match optional(&self.count) {
            None => Some(1),
            Some(text) => match parse_whole(&text) {
                Some(n) if CONVERSATION_COUNT.contains(&n) => Some(n),
                _ => {
                    errors.add("count", "error-conversation-count");
                    None
                }
            },
        };
        let (Some(date), Some(area_id), Some(place), Some(language), Some(outcome), Some(count)) =
            (date, area_id, place, language, outcome, count)
        else {
            return Err(errors);
        };
        errors.into_result(|| StreetConversation { date, area_id, place, language, outcome, count })
    }
}
