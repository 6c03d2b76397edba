//! Why a linkage run could not start. Errors name positions and field names, never
//! values: the records are personal data.

use std::fmt;

/// Which list a record belongs to, in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Left => "left",
            Self::Right => "right",
        })
    }
}

/// Why a run could not start. Names positions and field names, never values.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    EmptySchema,
    DuplicateField {
        name: String,
    },
    UnknownField {
        rule: usize,
        name: String,
    },
    EmptyRule {
        rule: usize,
    },
    /// A record has a different number of values than the schema has fields.
    WrongArity {
        side: Side,
        index: usize,
        expected: usize,
        found: usize,
    },
    /// Two records of one list share an id.
    DuplicateId {
        side: Side,
        index: usize,
    },
    TooManyRecords {
        side: Side,
    },
    /// `lower` and `upper` must satisfy 0 ≤ lower ≤ upper ≤ 1.
    Thresholds {
        lower: f64,
        upper: f64,
    },
    /// A worker thread failed; a bug, reported rather than hidden.
    Internal,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySchema => write!(f, "linkage schema has no fields"),
            Self::DuplicateField { name } => write!(f, "linkage schema names field `{name}` twice"),
            Self::UnknownField { rule, name } => {
                write!(f, "blocking rule {rule} refers to `{name}`, which is not a schema field")
            }
            Self::EmptyRule { rule } => write!(f, "blocking rule {rule} has no parts"),
            Self::WrongArity { side, index, expected, found } => {
                write!(f, "{side} record at position {index} has {found} values, the schema has {expected} fields")
            }
            Self::DuplicateId { side, index } => {
                write!(f, "{side} record at position {index} repeats the id of an earlier record")
            }
            Self::TooManyRecords { side } => write!(f, "the {side} list has more records than can be linked"),
            Self::Internal => write!(f, "a linkage worker thread failed"),
            Self::Thresholds { lower, upper } => {
                write!(f, "thresholds must satisfy 0 <= lower <= upper <= 1, got lower {lower} and upper {upper}")
            }
        }
    }
}

impl std::error::Error for LinkError {}
