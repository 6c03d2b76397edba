//! Follow-up meetings with a partner (G-7.6) with the guide's four questions, and the
//! partner's yield over time.

use crate::ambassador::{MAX_NOTE, optional, optional_text, past_date, required_count, required_uuid};
use crate::validation::FieldErrors;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use time::{Date, Month};
use uuid::Uuid;

/// a number so the partner's yield over time can be seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFollowUp {
    pub held_on: Date,
    pub partner_org_id: Uuid,
    /// How many women they have talked to since last time.
    pub women_talked_to: u32,
    /// Whom they have talked to.
    pub talked_to_note: String,
    /// How they present the offer: what works, what doesn't.
    pub presentation_note: String,
    /// How often it comes up.
    pub how_often_note: String,
    /// How the municipality can support them.
    pub support_note: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PartnerFollowUpInput {
    pub held_on: String,
    pub partner_org_id: String,
    pub women_talked_to: String,
    pub talked_to_note: String,
    pub presentation_note: String,
    pub how_often_note: String,
    pub support_note: String,
}

pub const WOMEN_TALKED_TO: RangeInclusive<u32> = 0..=1000;

impl PartnerFollowUpInput {
    pub fn parse(&self, today: Date) -> Result<PartnerFollowUp, FieldErrors> {
        let mut errors = FieldErrors::default();
        // A meeting is recorded once it has been held.
        let held_on = match optional(&self.held_on) {
            None => {
                errors.add("held_on", "error-required");
                None
            }
            Some(text) => past_date(&mut errors, "held_on", &text, today),
        };
        let partner_org_id = required_uuid(&mut errors, "partner_org_id", &self.partner_org_id);
        let women_talked_to = required_count(
            &mut errors,
            "women_talked_to",
            &self.women_talked_to,
            WOMEN_TALKED_TO,
            "error-women-talked-to",
        );
        let talked_to_note = optional_text(&mut errors, "talked_to_note", &self.talked_to_note, MAX_NOTE);
        let presentation_note = optional_text(&mut errors, "presentation_note", &self.presentation_note, MAX_NOTE);
        let how_often_note = optional_text(&mut errors, "how_often_note", &self.how_often_note, MAX_NOTE);
        let support_note = optional_text(&mut errors, "support_note", &self.support_note, MAX_NOTE);
        let (Some(held_on), Some(partner_org_id), Some(women_talked_to)) = (held_on, partner_org_id, women_talked_to)
        else {
            return Err(errors);
        };
        errors.into_result(|| PartnerFollowUp {
            held_on,
            partner_org_id,
            women_talked_to,
            talked_to_note,
            presentation_note,
            how_often_note,
            support_note,
        })
    }
}

/// Women talked to, summed by the month of the meeting, oldest first: the partner's
/// reach over time (G-7.6, G-9.3).
pub fn talked_to_per_month(meetings: &[PartnerFollowUp]) -> Vec<(i32, Month, u32)> {
    let mut sums: BTreeMap<(i32, Month), u32> = BTreeMap::new();
    for m in meetings {
        let sum = sums.entry((m.held_on.year(), m.held_on.month())).or_insert(0);
        *sum = sum.saturating_add(m.women_talked_to);
    }
    sums.into_iter().map(|((year, month), n)| (year, month, n)).collect()
}

/// A partner's yield over time (G-7.6): per month, the women its staff talked to (from
/// the follow-up meetings) beside the women it referred, oldest first; a month with
/// only one of the two shows 0 for the other.
pub fn yield_by_month(talked: &[(i32, Month, u32)], referred: &[(i32, Month, u32)]) -> Vec<(i32, Month, u32, u32)> {
    let mut months: Vec<(i32, Month)> = talked.iter().chain(referred).map(|(y, m, _)| (*y, *m)).collect();
    months.sort_by_key(|(y, m)| (*y, u8::from(*m)));
    months.dedup();
    let count = |list: &[(i32, Month, u32)], y: i32, m: Month| {
        list.iter().filter(|(ly, lm, _)| (*ly, *lm) == (y, m)).map(|(_, _, n)| n).sum()
    };
    months.into_iter().map(|(y, m)| (y, m, count(talked, y, m), count(referred, y, m))).collect()
}
