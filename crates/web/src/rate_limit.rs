//! Budgets on the public pages (issue 13, item 9), kept per client address
//! (`client::ClientAddress`: the connection's, or the configured proxy header's) and,
//! on the open door, per phone number — never per session, which a client renews by
//! loading the page, and never one budget for everyone, which let a guesser anywhere
//! make every genuine answer wait.
//!
//! Her answer page keeps two budgets per address: failed guesses, and answers given
//! with a valid code. Guessing spends only the first, so a valid answer never waits
//! for guesses from another address. How much each budget allows is the domain's
//! rule (`domain::public_limits`); this module counts.
//!
//! Counts live in memory and start afresh each window: a restart forgets them, which
//! costs a guesser nothing he could not get by waiting a window.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A budget of `per_window` counts per key.
pub struct Budget {
    window: Duration,
    per_window: u32,
    state: Mutex<State>,
}

struct State {
    started: Instant,
    counts: HashMap<String, u32>,
}

impl Budget {
    pub fn new(window: Duration, per_window: u32) -> Budget {
        Budget { window, per_window, state: Mutex::new(State { started: Instant::now(), counts: HashMap::new() }) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        // A poisoned lock only means another request panicked mid-count; the counts
        // are still usable.
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.started.elapsed() >= self.window {
            *guard = State { started: Instant::now(), counts: HashMap::new() };
        }
        f(&mut guard)
    }

    /// Is there budget left for this key?
    pub fn allows(&self, key: &str) -> bool {
        self.with(|s| s.counts.get(key).copied().unwrap_or(0) < self.per_window)
    }

    /// Spends one of this key's budget.
    pub fn spend(&self, key: &str) {
        self.with(|s| *s.counts.entry(key.to_string()).or_insert(0) += 1);
    }
}

/// An address as a budget's key. Without one (no connection info, no proxy header)
/// every such request shares one key: the safe side.
pub fn address_key(address: Option<IpAddr>) -> String {
    address.map_or_else(|| "unknown".to_string(), |a| a.to_string())
}

/// The public pages' budgets.
pub struct PublicLimits {
    /// Failed guesses at her answer page, per address.
    pub answer_guesses: Budget,
    /// Answers with a valid code, per address (a community centre may help many).
    pub answer_valid: Budget,
    /// Requests on the open door, per address.
    pub door_per_address: Budget,
    /// Requests on the open door, per phone number (keyed by a hash, not the number).
    pub door_per_phone: Budget,
}

impl Default for PublicLimits {
    /// The allowances `domain::public_limits` sets.
    fn default() -> Self {
        use domain::public_limits as rule;
        let budget = |a: rule::Allowance| Budget::new(a.window, a.per_window);
        PublicLimits {
            answer_guesses: budget(rule::ANSWER_GUESSES),
            answer_valid: budget(rule::ANSWER_VALID),
            door_per_address: budget(rule::DOOR_PER_ADDRESS),
            door_per_phone: budget(rule::DOOR_PER_PHONE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_s_budget_is_its_own_and_reopens_with_the_window() {
        let b = Budget::new(Duration::from_millis(50), 2);
        assert!(b.allows("a"));
        b.spend("a");
        b.spend("a");
        assert!(!b.allows("a"), "a's budget is spent");
        assert!(b.allows("b"), "b's is not");
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allows("a"), "a new window");
        assert_eq!(address_key(None), "unknown");
        assert_eq!(address_key(Some("192.0.2.1".parse().unwrap())), "192.0.2.1");
    }
}
