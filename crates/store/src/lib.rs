//! Opsøg's storage: one SQL implementation (`SqlStore`) that serves SQLite (the
//! embedded default) and PostgreSQL, chosen by the database URL. Writes that belong
//! together — a change and its audit entry, an event and the funnel projection — are
//! one transaction.

mod records;
mod sql;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use records::*;
pub use sql::{Backend, COUNT_CAP, LoginGrant, RoleGrant, SqlStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict with an existing record ({constraint})")]
    Conflict { constraint: String },
    #[error("refused by the funnel: {0}")]
    Funnel(#[from] domain::funnel::FunnelError),
    #[error("unsupported database URL '{0}': use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("writing the audit log failed: {0}")]
    AuditFailed(String),
    /// The SQLite access log is not the file this database was made with (issue 13,
    /// item 10): the server does not start, so no entry is written to a stand-in.
    #[error(
        "the access log {path} {problem}; restore it from the backup taken with the main database \
         (Opsøg does not start without the access log it was made with)"
    )]
    AccessLog { path: String, problem: &'static str },
    /// A one-time referral link that is unknown, used or expired (or names another
    /// partner): the referral wrote nothing.
    #[error("referral link refused: {0:?}")]
    LinkRefused(domain::partner::LinkRefused),
    /// A "never contact me again" event without the hashes for the do-not-contact
    /// list (G-2.2): refused, nothing written.
    #[error("a never-contact-again event must carry her do-not-contact hashes")]
    NeverAgainWithoutHashes,
    /// A door someone else opened (a run, an ambassador, a partner) brought a woman
    /// who asked never to be contacted again (G-2.2): refused, nothing written.
    #[error("she is on the do-not-contact list")]
    OnDoNotContact,
    #[error("database error while {context}: {source}")]
    Database { context: &'static str, source: sqlx::Error },
}

pub type Result<T> = std::result::Result<T, StoreError>;
