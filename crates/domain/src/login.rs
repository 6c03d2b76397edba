//! How hard a login may be tried (issue 13, item 4): after a few wrong passwords an
//! account, or an address, waits before the next try, longer after each further
//! failure. The wait applies to the right password too, so a guesser learns nothing
//! from trying during it; the message says how long to wait, so a user who mistyped
//! knows what to do.

use time::{Duration, OffsetDateTime};

/// When a subject (an account or an address) must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures within `window` that cost nothing.
    pub free_failures: u32,
    /// The wait after the first failure past the free ones; it doubles with each more.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

/// One account: five mistypes, then 30 s, 1 min, 2 min … at most 15 min.
pub const ACCOUNT: Throttle = Throttle {
    free_failures: 5,
    first_wait: Duration::seconds(30),
    max_wait: Duration::minutes(15),
    window: Duration::hours(1),
};

/// One address: the town hall's staff may share one, so it is allowed more
/// failures before it waits; a guesser trying many accounts from it still does.
pub const ADDRESS: Throttle = Throttle {
    free_failures: 20,
    first_wait: Duration::seconds(30),
    max_wait: Duration::minutes(15),
    window: Duration::hours(1),
};

impl Throttle {
    /// How long the subject must still wait at `now`, given the times of its
    /// failures (any order; those outside the window are ignored). `None`: try.
    pub fn wait(&self, failures: &[OffsetDateTime], now: OffsetDateTime) -> Option<Duration> {
        let recent: Vec<OffsetDateTime> = failures.iter().copied().filter(|at| *at > now - self.window).collect();
        let count = u32::try_from(recent.len()).unwrap_or(u32::MAX);
        if count < self.free_failures {
            return None;
        }
        let last = recent.iter().max().copied()?;
        let doublings = (count - self.free_failures).min(16);
        let wait = self.first_wait.checked_mul(1_i32 << doublings).unwrap_or(self.max_wait).min(self.max_wait);
        let until = last + wait;
        (until > now).then(|| until - now)
    }
}

/// A wait as the message gives it: whole minutes, rounded up, at least one.
pub fn minutes_to_wait(wait: Duration) -> i64 {
    let secs = wait.whole_seconds().max(1);
    (secs + 59) / 60
}

/// What a login still needs once the password was right (issue 13, items 4 and 6).
/// Until none is left the session opens no page but the step's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStage {
    /// The code from her authenticator app, or a recovery code.
    SecondFactor,
    /// A password an admin set for her must be replaced by her own.
    NewPassword,
    /// Her role needs a second factor and she has none yet: she sets one up.
    EnrolSecondFactor,
}

impl LoginStage {
    pub const ALL: [LoginStage; 3] = [LoginStage::SecondFactor, LoginStage::NewPassword, LoginStage::EnrolSecondFactor];

    /// As stored with the session.
    pub fn code(self) -> &'static str {
        match self {
            LoginStage::SecondFactor => "second_factor",
            LoginStage::NewPassword => "new_password",
            LoginStage::EnrolSecondFactor => "enrol_second_factor",
        }
    }

    pub fn from_code(code: &str) -> Option<LoginStage> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What decides a login's next stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginFacts {
    /// She has an authenticator app set up.
    pub has_second_factor: bool,
    /// She gave its code (or a recovery code) in this login.
    pub second_factor_given: bool,
    /// An admin reset her password.
    pub must_change_password: bool,
    /// Her role needs a second factor (`second_factor::required`).
    pub second_factor_required: bool,
}

/// The next stage, or `None` when she is in. The second factor comes first: a
/// password an admin reset is no way past it. Setting one up comes last, after her
/// own password.
pub fn next_stage(f: LoginFacts) -> Option<LoginStage> {
    if f.has_second_factor && !f.second_factor_given {
        Some(LoginStage::SecondFactor)
    } else if f.must_change_password {
        Some(LoginStage::NewPassword)
    } else if f.second_factor_required && !f.has_second_factor {
        Some(LoginStage::EnrolSecondFactor)
    } else {
        None
    }
}

/// A login left halfway (the password given, the code not) ends after this long.
pub const STAGE_LIFETIME: Duration = Duration::minutes(10);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

    fn failures(n: i64, every: Duration) -> Vec<OffsetDateTime> {
        (0..n).map(|i| NOW - every * (n - 1 - i) as i32).collect()
    }

    #[test]
    fn five_mistypes_are_free_the_sixth_try_waits() {
        assert_eq!(ACCOUNT.wait(&failures(4, Duration::seconds(1)), NOW), None);
        assert_eq!(ACCOUNT.wait(&failures(5, Duration::seconds(1)), NOW), Some(Duration::seconds(30)));
        assert_eq!(ACCOUNT.wait(&failures(5, Duration::seconds(1)), NOW + Duration::seconds(31)), None);
    }

    #[test]
    fn each_further_failure_doubles_the_wait_up_to_fifteen_minutes() {
        assert_eq!(ACCOUNT.wait(&failures(6, Duration::seconds(1)), NOW), Some(Duration::minutes(1)));
        assert_eq!(ACCOUNT.wait(&failures(7, Duration::seconds(1)), NOW), Some(Duration::minutes(2)));
        assert_eq!(ACCOUNT.wait(&failures(50, Duration::seconds(1)), NOW), Some(Duration::minutes(15)));
        assert_eq!(ACCOUNT.wait(&failures(5000, Duration::milliseconds(1)), NOW), Some(Duration::minutes(15)));
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let old = failures(10, Duration::minutes(1)).into_iter().map(|t| t - Duration::hours(2)).collect::<Vec<_>>();
        assert_eq!(ACCOUNT.wait(&old, NOW), None);
    }

    #[test]
    fn an_address_gets_more_failures_than_an_account() {
        assert_eq!(ADDRESS.wait(&failures(19, Duration::seconds(1)), NOW), None);
        assert!(ADDRESS.wait(&failures(20, Duration::seconds(1)), NOW).is_some());
    }

    #[test]
    fn the_message_rounds_up_to_whole_minutes() {
        assert_eq!(minutes_to_wait(Duration::seconds(1)), 1);
        assert_eq!(minutes_to_wait(Duration::seconds(61)), 2);
        assert_eq!(minutes_to_wait(Duration::minutes(15)), 15);
    }

    #[test]
    fn the_code_comes_first_then_her_own_password_then_setting_one_up() {
        let f = LoginFacts {
            has_second_factor: true,
            second_factor_given: false,
            must_change_password: true,
            second_factor_required: true,
        };
        assert_eq!(next_stage(f), Some(LoginStage::SecondFactor));
        let f = LoginFacts { second_factor_given: true, ..f };
        assert_eq!(next_stage(f), Some(LoginStage::NewPassword));
        assert_eq!(next_stage(LoginFacts { must_change_password: false, ..f }), None);
        let none_yet = LoginFacts { second_factor_required: true, ..LoginFacts::default() };
        assert_eq!(next_stage(none_yet), Some(LoginStage::EnrolSecondFactor));
        assert_eq!(next_stage(LoginFacts { must_change_password: true, ..none_yet }), Some(LoginStage::NewPassword));
        assert_eq!(next_stage(LoginFacts::default()), None);
        for s in LoginStage::ALL {
            assert_eq!(LoginStage::from_code(s.code()), Some(s));
        }
    }
}
