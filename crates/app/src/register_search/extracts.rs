//! What an imported extract says about itself, recorded at import: the date it
//! describes (issue 12, item 4) and how each coded column was read (item 1), so that
//! the dry run shows the reading before anyone is created, and a run computes ages
//! and windows from the extracts' date, not from the day it runs.

use crate::Error;
use domain::validation::FieldErrors;
use register::error::{ReadError, ReadErrorKind};
use register::kinds::ExtractKind;
use register::read::{FieldReading, FileSummary};
use register::select::{self, SelectError, SourceFile};
use store::RegisterSourceRecord;
use time::Date;

/// One coded column as the import read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnReading {
    /// The field's code (`register::kinds::Field::code`).
    pub field: String,
    /// The column's header as the file writes it.
    pub column: String,
    pub read: u64,
    pub empty: u64,
    /// Each distinct value and how it was read, most frequent first, e.g.
    /// "Danmark → DK (vestligt): 14 212".
    pub values: Vec<String>,
    /// Cells of values not listed (too many distinct values to list).
    pub other: u64,
    pub earliest: Option<Date>,
    pub latest: Option<Date>,
}

impl From<&FieldReading> for ColumnReading {
    fn from(r: &FieldReading) -> ColumnReading {
        ColumnReading {
            field: r.field.code().to_string(),
            column: r.column.clone(),
            read: r.read,
            empty: r.empty,
            values: r.values.iter().map(ToString::to_string).collect(),
            other: r.other,
            earliest: r.earliest,
            latest: r.latest,
        }
    }
}

pub(crate) fn readings_json(summary: &FileSummary) -> Result<String, Error> {
    let readings: Vec<ColumnReading> = summary.readings.iter().map(ColumnReading::from).collect();
    serde_json::to_string(&readings).map_err(|e| Error::unexpected("writing how the extract was read", e))
}

/// How an imported extract's columns were read (none for one imported before this was
/// recorded).
pub fn readings_of(record: &RegisterSourceRecord) -> Result<Vec<ColumnReading>, Error> {
    serde_json::from_str(&record.readings)
        .map_err(|e| Error::unexpected(format!("reading how {} was read", record.file_name), e))
}

/// The date an import describes: the coordinator's own (`--as-of`, the mapping page),
/// else a date in the file's title row, else the latest date its rows hold (a month
/// to its last day). A file that
/// tells none is refused until the coordinator gives it; a date after today cannot be
/// the date of an extract.
///
/// A population extract's rows hold birth and arrival dates, which say nothing of the
/// day it was drawn: its date comes from the coordinator or its title, never its rows.
///
/// No date or month in the file may lie after it (a month from its first day): an
/// extract cannot hold what happened after it was drawn, so the value or the date is
/// wrong, and the file is refused naming the row, column and value (issue 12).
pub(crate) fn reference_date(
    kind: ExtractKind,
    as_of: Option<Date>,
    file_name: &str,
    summary: &FileSummary,
    today: Date,
) -> Result<Date, Error> {
    let mut errors = FieldErrors::default();
    let from_file = match kind {
        ExtractKind::Population => summary.title_date,
        _ => summary.reference_date(),
    };
    let date = as_of.or(from_file);
    match date {
        None => errors.add("as_of", "error-reference-date-unknown"),
        Some(d) if d > today => errors.add("as_of", "error-reference-date-future"),
        Some(_) => {}
    }
    let Some(date) = date.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let after =
        summary.readings.iter().filter_map(|r| r.newest.as_ref().map(|n| (r, n))).find(|(_, n)| n.begins > date);
    if let Some((reading, newest)) = after {
        let kind = ReadErrorKind::AfterReferenceDate { value: newest.value.clone(), reference: date };
        return Err(Error::File(ReadError::new(file_name, kind).at_row(newest.row).in_column(&reading.column)));
    }
    Ok(date)
}

/// The date a run computes from. Every extract it reads must have one, and they must
/// lie at most a month apart unless the coordinator confirms that they may; the
/// population extract's date is then the run's (the women are who the population was
/// on that day).
pub(crate) fn run_reference(sources: &[(RegisterSourceRecord, SourceFile)], confirm: bool) -> Result<Date, Error> {
    let mut dated: Vec<(&str, Date)> = Vec::with_capacity(sources.len());
    for (record, _) in sources {
        let Some(date) = record.reference_date else {
            return Err(Error::Select(SelectError::NoReferenceDate { file: record.file_name.clone() }));
        };
        dated.push((record.file_name.as_str(), date));
    }
    if !confirm {
        select::check_reference_dates(&dated).map_err(|e| Error::Select(e.into()))?;
    }
    let population = sources.iter().position(|(_, f)| f.kind == ExtractKind::Population);
    match population {
        Some(i) => Ok(dated[i].1),
        None => Err(Error::Select(SelectError::NoPopulation)),
    }
}
