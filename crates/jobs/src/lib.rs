//! Batch work as plain library functions: `fn(&Store, settings, progress) -> Result`.
//! The CLI and the web call the same functions, and each audits what it does.

pub mod contact;
pub mod demo;
pub mod users;

/// Reports how far a long job has come; the CLI prints it, tests ignore it.
pub trait Progress {
    fn step(&self, what: &str, done: u64, total: u64);
}

/// Progress for callers that do not show it.
pub struct Quiet;

impl Progress for Quiet {
    fn step(&self, _: &str, _: u64, _: u64) {}
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error(transparent)]
    Auth(#[from] web::auth::AuthError),
}
