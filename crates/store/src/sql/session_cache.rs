//! Sessions as last read, kept for a moment. Every request reads its session and
//! user; under load that one statement was a third of the database work of a list
//! page (measured with `bench/web-load.sh`). This process's own changes to a session
//! or a user drop the cached copy at once; the age limit bounds how long a change
//! made by another process (the CLI) can go unseen.

use crate::records::Session;
use domain::org::User;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const MAX_AGE: Duration = Duration::from_secs(2);
/// Past this many sessions the cache starts over rather than tracking ages per entry.
const MAX_ENTRIES: usize = 10_000;

type Entry = (Instant, Session, Option<User>);

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl SessionCache {
    pub(crate) fn get(&self, token_hash: &str) -> Option<(Session, Option<User>)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (read_at, session, user) = entries.get(token_hash)?;
        (read_at.elapsed() < MAX_AGE).then(|| (session.clone(), user.clone()))
    }

    pub(crate) fn put(&self, token_hash: &str, session: &Session, user: &Option<User>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token_hash.to_string(), (Instant::now(), session.clone(), user.clone()));
    }

    pub(crate) fn forget(&self, token_hash: &str) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(token_hash);
    }

    /// After a change to users, or to many sessions at once.
    pub(crate) fn forget_all(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;
    use uuid::Uuid;

    fn session() -> Session {
        let now = OffsetDateTime::now_utc();
        Session {
            token_hash: "h".into(),
            user_id: Some(Uuid::nil()),
            csrf_token: "c".into(),
            created_at: now,
            last_seen_at: now,
            data: String::new(),
            stage: None,
        }
    }

    #[test]
    fn a_forgotten_session_is_read_again() {
        let cache = SessionCache::default();
        cache.put("h", &session(), &None);
        assert!(cache.get("h").is_some());
        cache.forget("h");
        assert!(cache.get("h").is_none());
        cache.put("h", &session(), &None);
        cache.forget_all();
        assert!(cache.get("h").is_none());
    }
}
