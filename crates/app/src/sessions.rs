//! Logging in and out, and sessions, as use cases.
