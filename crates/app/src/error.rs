//! One error type for every use case. The web maps it once to pages and status codes
//! (`web::error`), the CLI once to messages and exit codes (`opsog`).

use domain::validation::FieldErrors;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller may not do this, or a rule of the guide stands in the way. Audited.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The input does not parse; each field named with a Fluent message id.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// A file does not read: file, row, column and value named.
    #[error(transparent)]
    File(#[from] register::error::ReadError),
    /// The extracts do not fit together for a selection.
    #[error(transparent)]
    Select(#[from] register::select::SelectError),
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// Someone changed what this depends on meanwhile; reload and try again.
    #[error("changed meanwhile: {0}")]
    Conflict(String),
    #[error("{context}: {source}")]
    Unexpected { context: String, source: Box<dyn std::error::Error + Send + Sync> },
}

/// Why a use case was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's role may not do this at all.
    Role,
    /// The letter batch's gate (G-5.6): check errors, missing or unreviewed letters …
    LetterBatch(domain::letter_batch::Refused),
    /// The register search's gate (G-5.3): no approved legal basis, rules not named.
    Search(domain::plan::SearchRefused),
    /// No selection rules have been saved yet.
    NoRules,
    /// A job of this kind is already running for the initiative.
    Busy,
    /// A one-time referral link that is unknown, used or expired.
    Link(domain::partner::LinkRefused),
    /// The gate before field work (G-6.7, G-4.6): her duty of confidentiality or the
    /// current ethics frame is missing.
    FieldWork(domain::ambassador::FieldWorkBlocked),
    /// She is on the do-not-contact list (G-2.2): nobody registers or refers her.
    DoNotContact,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Role => f.write_str("the role may not do this"),
            Refusal::LetterBatch(r) => write!(f, "the letter batch may not be sent ({})", r.message_id()),
            Refusal::Search(r) => write!(f, "the search may not run ({})", r.message_id()),
            Refusal::NoRules => f.write_str("no selection rules have been saved for the initiative"),
            Refusal::Busy => f.write_str("another job of this kind is running for the initiative"),
            Refusal::Link(r) => write!(f, "the referral link is refused ({r:?})"),
            Refusal::FieldWork(b) => write!(f, "no field work yet: {b}"),
            Refusal::DoNotContact => f.write_str("she is on the do-not-contact list"),
        }
    }
}

impl Error {
    pub fn unexpected(context: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Unexpected { context: context.into(), source: Box::new(source) }
    }

    /// The same, for failures that come as text (a task that stopped).
    pub fn unexpected_msg(context: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Unexpected { context: context.into(), source: message.into().into() }
    }

    /// A stable code for the UI's messages.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Refused(Refusal::Role) => "forbidden",
            Error::Refused(Refusal::LetterBatch(r)) => r.message_id(),
            Error::Refused(Refusal::Search(r)) => r.message_id(),
            Error::Refused(Refusal::NoRules) => "no-rules",
            Error::Refused(Refusal::Busy) => "busy",
            Error::Refused(Refusal::Link(_)) => "link-refused",
            Error::Refused(Refusal::FieldWork(b)) => b.message_id(),
            Error::Refused(Refusal::DoNotContact) => "error-do-not-contact",
            Error::Invalid(_) => "invalid",
            Error::File(e) => e.code(),
            Error::Select(e) => e.code(),
            Error::NotFound(_) => "not-found",
            Error::Conflict(_) => "conflict",
            Error::Unexpected { .. } => "unexpected",
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::NotFound(what) => Error::NotFound(what),
            StoreError::Conflict { constraint } => Error::Conflict(constraint),
            StoreError::Funnel(f) => Error::Conflict(format!("her funnel refuses it: {f}")),
            StoreError::LinkRefused(r) => Error::Refused(Refusal::Link(r)),
            other => Error::unexpected("storage", other),
        }
    }
}

impl From<FieldErrors> for Error {
    fn from(e: FieldErrors) -> Error {
        Error::Invalid(e)
    }
}

impl From<domain::selection::RulesError> for Error {
    fn from(e: domain::selection::RulesError) -> Error {
        Error::unexpected("the saved selection rules do not parse", e)
    }
}
