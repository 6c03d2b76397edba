//! A link's evidence: how each field of the pair agreed, and why a link is not certain —
//! with the rules no weight can outvote (issue 12).

use crate::compare::{self, DateAgreement, NameAgreement};
use crate::{FieldKind, model};
use std::fmt;

/// How one field of a linked pair agreed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEvidence {
    /// The schema field's name.
    pub field: String,
    pub agreement: Agreement,
    /// Bits of match weight this agreement adds (negative: it speaks against the link).
    pub weight: f64,
}

/// How two values of one field agreed, by the field's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// Missing on one side or both: no evidence either way.
    Missing,
    Name(NameAgreement),
    Date(DateAgreement),
    /// Codes and phone numbers: edits apart (0 = the same); `None` = further apart.
    Edits(Option<u8>),
    /// Free text, from the same (0) to different (3) (see [`FieldKind::Text`]).
    Text(u8),
}

impl Agreement {
    pub(crate) fn of(kind: FieldKind, level: u8) -> Self {
        if level == model::NULL {
            return Self::Missing;
        }
        match kind {
            FieldKind::Name => Self::Name(NameAgreement::from_level(level)),
            FieldKind::Date => Self::Date(DateAgreement::from_level(level)),
            FieldKind::Exact if level < 3 => Self::Edits(Some(level)),
            FieldKind::Phone if level < 2 => Self::Edits(Some(level)),
            FieldKind::Exact | FieldKind::Phone => Self::Edits(None),
            FieldKind::Text => Self::Text(level),
        }
    }
}

impl Agreement {
    /// A stable code for storing and translating the agreement (`name-exact`,
    /// `date-typo`, `edits-1`, `text-2`, `missing`): the English of `Display` is for
    /// logs and benchmarks, a page says it in its own language.
    pub fn code(&self) -> String {
        match self {
            Self::Missing => "missing".into(),
            Self::Name(n) => format!(
                "name-{}",
                match n {
                    NameAgreement::Exact => "exact",
                    NameAgreement::Transliteration => "transliteration",
                    NameAgreement::Close => "close",
                    NameAgreement::Weak => "weak",
                    NameAgreement::Partial => "partial",
                    NameAgreement::Different => "different",
                }
            ),
            Self::Date(d) => format!(
                "date-{}",
                match d {
                    DateAgreement::Exact => "exact",
                    DateAgreement::Typo => "typo",
                    DateAgreement::WithinYear => "within-year",
                    DateAgreement::YearTypo => "year-typo",
                    DateAgreement::YearsApart => "years-apart",
                }
            ),
            Self::Edits(Some(n)) => format!("edits-{}", (*n).min(2)),
            Self::Edits(None) => "edits-more".into(),
            Self::Text(n) => format!("text-{}", (*n).min(3)),
        }
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "missing",
            Self::Name(NameAgreement::Exact) => "the same name",
            Self::Name(NameAgreement::Transliteration) => "the same name in another spelling",
            Self::Name(NameAgreement::Close) => "names close (a slip or a name left out)",
            Self::Name(NameAgreement::Weak) => "names alike",
            Self::Name(NameAgreement::Partial) => "names agree only in part",
            Self::Name(NameAgreement::Different) => "different names",
            Self::Date(DateAgreement::Exact) => "the same date",
            Self::Date(DateAgreement::Typo) => "dates one slip apart",
            Self::Date(DateAgreement::WithinYear) => "dates less than a year apart",
            Self::Date(DateAgreement::YearTypo) => "dates more than a year apart (a slip in the year?)",
            Self::Date(DateAgreement::YearsApart) => "dates years apart",
            Self::Edits(Some(0)) | Self::Text(0) => "the same",
            Self::Edits(Some(1)) => "one character apart",
            Self::Edits(Some(_)) => "two characters apart",
            Self::Text(1) => "very similar",
            Self::Text(2) => "similar",
            Self::Edits(None) | Self::Text(_) => "different",
        })
    }
}

/// Why a link is not certain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Doubt {
    /// The probability is below [`crate::Config::upper`].
    Probability,
    /// Another candidate of the same record is within [`crate::Config::ambiguity_margin`] bits.
    Rival,
    /// This date field differs by more than one slip (see
    /// [`DateAgreement::at_most_one_slip`]): another person's birth date as often as not.
    DatesDiffer { field: String },
    /// This date field is missing on one side: the link rests on names alone.
    DateMissing { field: String },
    /// The names agree on fewer than two words, or a word of the shorter name has no
    /// partner: a common given name is shared by many.
    NamesInPart,
}

impl Doubt {
    /// A stable code for storing and translating the doubt; a field's doubt names the
    /// field after a colon (`dates-differ:birth_date`).
    pub fn code(&self) -> String {
        match self {
            Self::Probability => "probability".into(),
            Self::Rival => "rival".into(),
            Self::DatesDiffer { field } => format!("dates-differ:{field}"),
            Self::DateMissing { field } => format!("date-missing:{field}"),
            Self::NamesInPart => "names-in-part".into(),
        }
    }
}

impl fmt::Display for Doubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Probability => f.write_str("the probability is below the bar for certain links"),
            Self::Rival => f.write_str("another candidate is nearly as likely"),
            Self::DatesDiffer { field } => write!(f, "{field}: differs by more than one slip"),
            Self::DateMissing { field } => write!(f, "{field}: missing on one side"),
            Self::NamesInPart => f.write_str("the names agree only in part"),
        }
    }
}

/// The rules no weight can outvote (issue 12): a link is never certain when a date field
/// differs by more than one slip or is missing, or when the names do not agree on at
/// least two words with every word of the shorter name matched.
pub(crate) fn guard_doubts(
    kinds: &[FieldKind],
    evidence: &[FieldEvidence],
    left: &[compare::Prepared],
    right: &[compare::Prepared],
) -> Vec<Doubt> {
    let mut doubts = Vec::new();
    let mut name_tokens = 0;
    let mut names_in_part = false;
    for (f, (kind, e)) in kinds.iter().zip(evidence).enumerate() {
        match (kind, e.agreement) {
            (FieldKind::Date, Agreement::Missing) => doubts.push(Doubt::DateMissing { field: e.field.clone() }),
            (FieldKind::Date, Agreement::Date(d)) if !d.at_most_one_slip() => {
                doubts.push(Doubt::DatesDiffer { field: e.field.clone() });
            }
            (FieldKind::Name, Agreement::Name(n)) => {
                if let (compare::Prepared::Name(a), compare::Prepared::Name(b)) = (&left[f], &right[f]) {
                    name_tokens += compare::agreeing_tokens(a, b);
                }
                names_in_part |= n > NameAgreement::Weak;
            }
            _ => {}
        }
    }
    if kinds.contains(&FieldKind::Name) && (names_in_part || name_tokens < 2) {
        doubts.push(Doubt::NamesInPart);
    }
    doubts
}
