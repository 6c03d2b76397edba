//! What went wrong reading an extract, and where: file, row and column. A single error
//! never carries the cell's value (it may be a CPR number, a name or an income); the
//! sample of cells a whole file could not read ([`ReadErrorKind::Unreadable`]) does,
//! for coded fields only and with a CPR number's serial digits hidden, because the
//! coordinator must see what the file says to correct it (issue 12).

use crate::mapping::MappingProblem;

/// An error that stops the import of one file; its details ([`ReadErrorDetail`]) are
/// read through it. Boxed, because it travels inside every use case's error and a
/// large error makes every `Result` on the way large.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ReadError(Box<ReadErrorDetail>);

impl std::ops::Deref for ReadError {
    type Target = ReadErrorDetail;
    fn deref(&self) -> &ReadErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for ReadError {
    fn deref_mut(&mut self) -> &mut ReadErrorDetail {
        &mut self.0
    }
}

/// Where and why a file does not read. `row` counts as a spreadsheet user does: the
/// header is row 1 (for CSV it is the line on which the record starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{loc}: {kind}{found}", loc = location(*.row, .column.as_deref()), found = found(*.row, .headers))]
pub struct ReadErrorDetail {
    pub file: String,
    pub row: Option<u64>,
    /// The column's header as the file writes it.
    pub column: Option<String>,
    pub kind: ReadErrorKind,
    /// When the file does not fit its kind: every header found, in `row`.
    pub headers: Vec<String>,
}

fn found(row: Option<u64>, headers: &[String]) -> String {
    if headers.is_empty() {
        return String::new();
    }
    let list: Vec<String> = headers.iter().map(|h| format!("{h:?}")).collect();
    match row {
        Some(r) => format!(" (the headers found, in row {r}: {})", list.join(", ")),
        None => format!(" (the headers found: {})", list.join(", ")),
    }
}

/// One cell a file could not read: where, what it says, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCell {
    pub row: u64,
    pub column: String,
    /// The cell as written (a CPR number's last four digits hidden).
    pub value: String,
    pub kind: ReadErrorKind,
}

impl std::fmt::Display for BadCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, column {}: {:?} — {}", self.row, self.column, self.value, self.kind)
    }
}

/// How many bad cells an error lists; the count says how many there are in all.
pub const BAD_CELL_SAMPLE: usize = 20;

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
    #[error("not a country (expected an ISO 3166 code, a country's name in Danish or English, Statsløs or Uoplyst)")]
    Country,
    #[error("{total} cells cannot be read, so nothing is imported: {}", cells(.sample))]
    Unreadable { total: u64, sample: Vec<BadCell> },
    #[error("row {0} is empty or not in the file, so it cannot be the header row")]
    NoHeaderRow(u64),
    #[error("the cell is empty but the field is required")]
    RequiredEmpty,
    #[error("more rows than a workbook can hold")]
    TooManyRows,
    #[error(
        "an XLS (Excel 97–2003) or ODS workbook, which cannot be read within a memory budget: save it as XLSX or CSV UTF-8"
    )]
    UnboundedWorkbook,
    #[error("the workbook has {found} parts, more than the {max} a workbook of an extract has")]
    TooManyParts { found: usize, max: usize },
    #[error("the workbook's part {part} unpacks to more than {max_mib} MiB")]
    UnpacksTooLarge { part: String, max_mib: u64 },
    #[error(
        "the sheet declares {rows} rows × {columns} columns, more than the {max} cells an extract may have (a stray cell far from the data?)"
    )]
    DeclaresTooManyCells { rows: u64, columns: u64, max: u64 },
    #[error("the sheet holds more than {max} cells")]
    TooManyCells { max: u64 },
    #[error("could not read the file: {0}")]
    Io(String),
    /// A date or month later than the date the extract describes: the extract cannot
    /// know it, so either the value or the date given for the extract is wrong.
    #[error("{value} lies after {reference}, the date the extract describes")]
    AfterReferenceDate { value: String, reference: time::Date },
}

fn cells(sample: &[BadCell]) -> String {
    sample.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
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
            ReadErrorKind::Country => "bad-country",
            ReadErrorKind::Unreadable { .. } => "unreadable-values",
            ReadErrorKind::NoHeaderRow(_) => "no-header-row",
            ReadErrorKind::RequiredEmpty => "required-empty",
            ReadErrorKind::TooManyRows => "too-many-rows",
            ReadErrorKind::UnboundedWorkbook => "unbounded-workbook",
            ReadErrorKind::TooManyParts { .. } => "too-many-parts",
            ReadErrorKind::UnpacksTooLarge { .. } => "unpacks-too-large",
            ReadErrorKind::DeclaresTooManyCells { .. } => "declares-too-many-cells",
            ReadErrorKind::TooManyCells { .. } => "too-many-cells",
            ReadErrorKind::Io(_) => "io",
            ReadErrorKind::AfterReferenceDate { .. } => "after-reference-date",
        }
    }
}

impl ReadError {
    pub fn new(file: &str, kind: ReadErrorKind) -> ReadError {
        ReadError(Box::new(ReadErrorDetail {
            file: file.to_owned(),
            row: None,
            column: None,
            kind,
            headers: Vec::new(),
        }))
    }

    pub fn at_row(mut self, row: u64) -> ReadError {
        self.row = Some(row);
        self
    }

    pub fn in_column(mut self, column: &str) -> ReadError {
        self.column = Some(column.to_owned());
        self
    }

    /// The headers the file has, for an error that says it does not fit its kind.
    pub fn with_headers(mut self, headers: &[String]) -> ReadError {
        self.headers = headers.to_vec();
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
        let m = m.at_row(3).with_headers(&["Personnummer".into(), "Navn".into()]);
        assert!(m.to_string().ends_with("(the headers found, in row 3: \"Personnummer\", \"Navn\")"), "{m}");
        let bad =
            BadCell { row: 7, column: "Oprindelsesland".into(), value: "Danmrk".into(), kind: ReadErrorKind::Country };
        let e = ReadError::new("befolkning.csv", ReadErrorKind::Unreadable { total: 31, sample: vec![bad] });
        assert!(
            e.to_string().starts_with(
                "befolkning.csv: 31 cells cannot be read, so nothing is imported: row 7, column Oprindelsesland: \"Danmrk\" — not a country"
            ),
            "{e}"
        );
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
            ReadErrorKind::Country,
            ReadErrorKind::Unreadable { total: 0, sample: Vec::new() },
            ReadErrorKind::NoHeaderRow(0),
            ReadErrorKind::RequiredEmpty,
            ReadErrorKind::TooManyRows,
            ReadErrorKind::Io(String::new()),
        ];
        let codes: std::collections::BTreeSet<_> = kinds.iter().map(ReadErrorKind::code).collect();
        assert_eq!(codes.len(), kinds.len());
    }
}
