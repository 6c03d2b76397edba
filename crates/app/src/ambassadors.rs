//! Ambassadors (G-6) as use cases: profiles, ethics, conversations, street registration, follow-ups.
