//! How much the public pages take from one client (issue 13, item 9): the rule, here;
//! the counting, in the web (`web::rate_limit`). Budgets are per client address (and,
//! on the open door, per phone number), never per session and never one for everyone.

use std::time::Duration;

/// A number of requests allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub window: Duration,
    pub per_window: u32,
}

const TEN_MINUTES: Duration = Duration::from_secs(600);

/// Failed guesses at her answer page, per address: a response code is about 49 bits,
/// so ten guesses in ten minutes leave nothing to find.
pub const ANSWER_GUESSES: Allowance = Allowance { window: TEN_MINUTES, per_window: 10 };

/// Answers with a valid code, per address: a community centre or a language school may
/// help many women answer; more than this is not helping.
pub const ANSWER_VALID: Allowance = Allowance { window: TEN_MINUTES, per_window: 60 };

/// Requests on the open door, per address.
pub const DOOR_PER_ADDRESS: Allowance = Allowance { window: Duration::from_secs(3600), per_window: 10 };

/// Requests on the open door, per phone number: she may change her mind about the
/// language or the time; more is someone else's doing.
pub const DOOR_PER_PHONE: Allowance = Allowance { window: Duration::from_secs(24 * 3600), per_window: 3 };

// Valid answers have a budget of their own, larger than guesses', in the same window;
// a phone gets fewer requests than an address, which many may share. Checked when
// this compiles.
const _: () = assert!(ANSWER_VALID.per_window > ANSWER_GUESSES.per_window);
const _: () = assert!(ANSWER_VALID.window.as_secs() == ANSWER_GUESSES.window.as_secs());
const _: () = assert!(DOOR_PER_PHONE.per_window < DOOR_PER_ADDRESS.per_window);
