//! What went wrong reading an extract, and where: file, row and column, never the cell's
//! value (it may be a CPR number, a name or an income).

use crate::mapping::MappingProblem;

/// An error that stops the import of one file. `row` counts as a spreadsheet user does:
/// the header is row 1 (for CSV it is the line on which the record starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{loc}: {kind}", loc = location(*.row, .column.as_deref()))]
pub struct ReadError {
    pub file: String,
    pub row: Option<u64>,
    /// The column's header as the file writes it.
    pub column: Option<String>,
    pub kind: ReadErrorKind,
}

fn location(row: Option<u64>, column: Option<&str>) -> String {
    match (row, column) {
        (Some(r), Some(c)) => format!(", row {r}, column {c}"),
        (Some(r), None) => format!(", row {r}"),
        (None, Some(c)) => format!(", column {c}"),
        (None, None) => String::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadErrorKind {
    #[error("the file is empty (no header row or no data rows)")]
    Empty,
    #[error("not a spreadsheet workbook (XLSX); the file may be damaged or of another type")]
    NotAWorkbook,
    #[error("the workbook has no sheet named {0:?}")]
    NoSuchSheet(String),
    #[error("the text encoding is not UTF-8 or Windows-1252 (save the file as CSV UTF-8)")]
    Encoding,
    #[error("the row has {found} columns, the header has {expected}")]
    Ragged { expected: usize, found: usize },
    #[error("the mapped column {0:?} is not in the file")]
    MissingColumn(String),
    #[error("the column mapping does not fit the file: {}", list(.0))]
    Mapping(Vec<MappingProblem>),
    #[error("not a date (expected dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd or an Excel date)")]
    Date,
    #[error("not a month (expected yyyy-mm, mm-yyyy, yyyymm or a date)")]
    Month,
    #[error("not an amount (expected e.g. 12.345,67 or 12345.67)")]
    Amount,
    #[error("not a CPR number (expected DDMMYY-SSSS or DDMMYYSSSS)")]
    Cpr,
    #[error("not a sex (expected K/M, Kvinde/Mand or 2/1)")]
    Sex,
    #[error("the cell is empty but the field is required")]
    RequiredEmpty,
    #[error("more rows than a workbook can hold")]
    TooManyRows,
    #[error("could not read the file: {0}")]
    Io(String),
}

fn list(problems: &[MappingProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl ReadErrorKind {
    /// Stable kebab-case code for the web's translated messages.
    pub fn code(&self) -> &'static str {
        match self {
            ReadErrorKind::Empty => "empty-file",
            ReadErrorKind::NotAWorkbook => "not-a-workbook",
            ReadErrorKind::NoSuchSheet(_) => "no-such-sheet",
            ReadErrorKind::Encoding => "encoding",
            ReadErrorKind::Ragged { .. } => "ragged-row",
            ReadErrorKind::MissingColumn(_) => "missing-column",
            ReadErrorKind::Mapping(_) => "bad-mapping",
            ReadErrorKind::Date => "bad-date",
            ReadErrorKind::Month => "bad-month",
            ReadErrorKind::Amount => "bad-amount",
            ReadErrorKind::Cpr => "bad-cpr",
            ReadErrorKind::Sex => "bad-sex",
            ReadErrorKind::RequiredEmpty => "required-empty",
            ReadErrorKind::TooManyRows => "too-many-rows",
            ReadErrorKind::Io(_) => "io",
        }
    }
}

impl ReadError {
    pub fn new(file: &str, kind: ReadErrorKind) -> ReadError {
        ReadError { file: file.to_owned(), row: None, column: None, kind }
    }

    pub fn at_row(mut self, row: u64) -> ReadError {
        self.row = Some(row);
        self
    }

    pub fn in_column(mut self, column: &str) -> ReadError {
        self.column = Some(column.to_owned());
        self
    }

    /// Shorthand for [`ReadErrorKind::code`].
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Field;

    #[test]
    fn display_names_file_row_and_column() {
        let e = ReadError::new("sprogskole.csv", ReadErrorKind::Date).at_row(17).in_column("Fødselsdato");
        assert_eq!(
            e.to_string(),
            "sprogskole.csv, row 17, column Fødselsdato: not a date (expected dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd or an Excel date)"
        );
        assert_eq!(
            ReadError::new("a.csv", ReadErrorKind::Empty).to_string(),
            "a.csv: the file is empty (no header row or no data rows)"
        );
        assert_eq!(
            ReadError::new("a.csv", ReadErrorKind::Ragged { expected: 3, found: 2 }).at_row(4).to_string(),
            "a.csv, row 4: the row has 2 columns, the header has 3"
        );
        let m = ReadError::new(
            "a.csv",
            ReadErrorKind::Mapping(vec![MappingProblem::RequiredNotMapped { field: Field::Cpr }]),
        );
        assert!(m.to_string().contains("cpr"), "{m}");
    }

    #[test]
    fn codes_are_distinct() {
        let kinds = [
            ReadErrorKind::Empty,
            ReadErrorKind::NotAWorkbook,
            ReadErrorKind::NoSuchSheet(String::new()),
            ReadErrorKind::Encoding,
            ReadErrorKind::Ragged { expected: 0, found: 0 },
            ReadErrorKind::MissingColumn(String::new()),
            ReadErrorKind::Mapping(Vec::new()),
            ReadErrorKind::Date,
            ReadErrorKind::Month,
            ReadErrorKind::Amount,
            ReadErrorKind::Cpr,
            ReadErrorKind::Sex,
            ReadErrorKind::RequiredEmpty,
            ReadErrorKind::TooManyRows,
            ReadErrorKind::Io(String::new()),
        ];
        let codes: std::collections::BTreeSet<_> = kinds.iter().map(ReadErrorKind::code).collect();
        assert_eq!(codes.len(), kinds.len());
    }
}
