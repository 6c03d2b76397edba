//! Follow-up meetings with the ambassador (G-6.8) and the hours she worked.

use super::form::{MAX_NOTE, optional, optional_text, parse_whole, required_date, required_uuid};
use crate::code_enum;
use crate::validation::FieldErrors;
use time::Date;
use uuid::Uuid;

code_enum! {
    /// The agenda of a follow-up meeting (G-6.8).
    pub enum FollowUpTopic {
        SuccessCriteria = "success_criteria",
        ApproachAndEthics = "approach_and_ethics",
        TimeUse = "time_use",
        CooperationWithCaseworkers = "cooperation_with_caseworkers",
        Confidentiality = "confidentiality",
        Challenges = "challenges",
        ParticipantFeedback = "participant_feedback",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbassadorFollowUp {
    pub held_on: Date,
    pub ambassador_user_id: Uuid,
    pub topics_covered: Vec<FollowUpTopic>,
    pub notes: String,
    pub agreed_actions: String,
    /// Her hours for the period since the last meeting, in minutes (G-6.4: time
    /// use); 0 when none were logged.
    pub minutes_worked: u32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FollowUpInput {
    pub held_on: String,
    pub ambassador_user_id: String,
    pub topics_covered: Vec<String>,
    pub notes: String,
    pub agreed_actions: String,
    /// Decimal hours, with a Danish decimal comma or a point: "7,5" or "7.5".
    pub hours: String,
}

/// More hours than this in one period is a typing error.
pub const MAX_HOURS_PER_PERIOD: u32 = 1000;

/// Decimal hours as minutes: "7,5" and "7.5" are 450. At most two decimals, rounded
/// to the nearest minute; `None` for anything else or more than `MAX_HOURS_PER_PERIOD`.
pub fn parse_hours(input: &str) -> Option<u32> {
    let text = input.trim().replace(',', ".");
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text.as_str(), ""),
    };
    let hours = parse_whole(whole)?;
    if text.contains('.') && fraction.is_empty() {
        return None;
    }
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Hundredths of an hour, so "7,5" and "7,50" are alike.
    let hundredths = match fraction.len() {
        0 => 0,
        1 => parse_whole(fraction)? * 10,
        _ => parse_whole(fraction)?,
    };
    if hours > MAX_HOURS_PER_PERIOD || (hours == MAX_HOURS_PER_PERIOD && hundredths > 0) {
        return None;
    }
    Some(hours * 60 + (hundredths * 60 + 50) / 100)
}

impl FollowUpInput {
    pub fn parse(&self, today: Date) -> Result<AmbassadorFollowUp, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = required_date(&mut errors, "held_on", &self.held_on).and_then(|d| {
            // A meeting is recorded once it has been held.
            if d > today {
                errors.add("held_on", "error-date-future");
                None
            } else {
                Some(d)
            }
        });
        let ambassador_user_id = required_uuid(&mut errors, "ambassador_user_id", &self.ambassador_user_id);
        let mut topics_covered = Vec::new();
        for code in &self.topics_covered {
            match FollowUpTopic::from_code(code.trim()) {
                Some(t) if !topics_covered.contains(&t) => topics_covered.push(t),
                Some(_) => {}
                None => errors.add("topics_covered", "error-unknown-choice"),
            }
        }
        let notes = optional_text(&mut errors, "notes", &self.notes, MAX_NOTE);
        let agreed_actions = optional_text(&mut errors, "agreed_actions", &self.agreed_actions, MAX_NOTE);
        let minutes_worked = match optional(&self.hours) {
            None => Some(0),
            Some(text) => parse_hours(&text).or_else(|| {
                errors.add("hours", "error-hours");
                None
            }),
        };
        let (Some(held_on), Some(ambassador_user_id), Some(minutes_worked)) =
            (held_on, ambassador_user_id, minutes_worked)
        else {
            return Err(errors);
        };
        errors.into_result(|| AmbassadorFollowUp {
            held_on,
            ambassador_user_id,
            topics_covered,
            notes,
            agreed_actions,
            minutes_worked,
        })
    }
}
