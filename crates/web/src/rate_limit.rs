//! A limit on failed guesses at the public answer page (issue 4, item 4): a response
//! code is about 49 bits, and this keeps guessing at a handful a minute, for the whole
//! server and for one visitor's session. A flood of guesses can make real answers wait
//! a minute too; that is the price of not knowing who is guessing (no IP addresses are
//! kept about visitors).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    window: Duration,
    per_window: u32,
    per_session: u32,
    state: Mutex<State>,
}

struct State {
    started: Instant,
    failures: u32,
    by_session: HashMap<String, u32>,
}

impl Limiter {
    pub fn new(window: Duration, per_window: u32, per_session: u32) -> Limiter {
        let state = State { started: Instant::now(), failures: 0, by_session: HashMap::new() };
        Limiter { window, per_window, per_session, state: Mutex::new(state) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        // A poisoned lock only means another request panicked mid-count; the counts
        // are still usable.
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.started.elapsed() >= self.window {
            *guard = State { started: Instant::now(), failures: 0, by_session: HashMap::new() };
        }
        f(&mut guard)
    }

    /// May this session try a code now?
    pub fn allows(&self, session: &str) -> bool {
        self.with(|s| {
            s.failures < self.per_window && s.by_session.get(session).copied().unwrap_or(0) < self.per_session
        })
    }

    /// A guess that named no live code.
    pub fn failed(&self, session: &str) {
        self.with(|s| {
            s.failures = s.failures.saturating_add(1);
            *s.by_session.entry(session.to_string()).or_insert(0) += 1;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_close_the_session_then_the_server_then_reopen() {
        let l = Limiter::new(Duration::from_millis(50), 3, 2);
        assert!(l.allows("a"));
        l.failed("a");
        l.failed("a");
        assert!(!l.allows("a"), "the session's limit");
        assert!(l.allows("b"));
        l.failed("b");
        assert!(!l.allows("c"), "the server's limit");
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.allows("a"), "a new window");
    }
}
