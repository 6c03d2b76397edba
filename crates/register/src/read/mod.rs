//! Reading an extract: sniff its format, find its header row, then stream typed rows.
//!
//! CSV is streamed through one reused `csv::ByteRecord`; only the mapped columns are
//! decoded and parsed, and a row's values live in slots reused from row to row, so
//! reading a row allocates nothing for CPR, date, month, amount or sex cells (text cells
//! reuse their `String`'s buffer). XLSX sheets are streamed row by row too
//! (`xlsx_file`). The header is the row found below any title and blank rows
//! (`header`), or the one the mapping names.
//!
//! [`validate`] reads the whole file before any of it is imported: every cell that
//! cannot be read is collected (a sample and the count: [`ReadErrorKind::Unreadable`]),
//! and per coded field the distinct values and how each was read are summed up for
//! the dry run ([`FieldReading`]). Any other reader stops at the first bad cell.

mod chunks;
mod csv_file;
mod header;
mod open;
mod row;
mod survey;
mod workbook_guard;
mod xlsx_file;

use crate::error::{ReadError, ReadErrorKind};
use crate::kinds::{ExtractFields, ExtractKind, Field, Need, ValueType};
use crate::mapping::{EncodingChoice, Mapping, MappingProblem};
use crate::value::{self, Sex, Value, YearMonth};
use calamine::Data;
use csv_file::{CsvSource, Decoding, SNIFF_BYTES, UTF8_BOM};
use domain::Cpr;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use time::Date;
use xlsx_file::XlsxSource;

pub use chunks::{Chunk, csv_chunks};
pub use header::date_in_title;
use header::{ProbeCell, ProbeRow};
use open::*;
pub use row::Row;
use row::*;
use survey::Survey;
pub use survey::{FieldReading, MAX_DISTINCT, NewestCell, ValueReading, thousands};
pub use workbook_guard::MAX_CELLS;

/// A CSV file's text encoding as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv {
        separator: u8,
        encoding: Encoding,
    },
    /// A workbook (XLSX; XLS and ODS are read as well).
    Xlsx,
}

/// What the mapping page shows: the headers and the first rows.
#[derive(Clone, PartialEq, Eq)]
pub struct Inspection {
    pub format: Format,
    pub headers: Vec<String>,
    /// The header's row number as the file counts rows (CSV: its line).
    pub header_row: u64,
    /// The rows with content above the header (titles), each as its cells' text.
    pub title: Vec<String>,
    /// A date a title names ("Udtræk fra CPR pr. 30. september 2026"): the date the
    /// extract describes, as far as its title says.
    pub title_date: Option<Date>,
    /// The first [`SAMPLE_ROWS`] data rows, every column as text.
    pub sample: Vec<Vec<String>>,
    /// XLSX only: the workbook's sheets in order.
    pub sheets: Vec<String>,
}

pub const SAMPLE_ROWS: usize = 5;

/// How much of an in-memory CSV [`inspect`] looks at.
const INSPECT_BYTES: usize = 4 * 1024 * 1024;

// The sample is personal data (names, CPR numbers): `Debug` shows its size only.
impl fmt::Debug for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspection")
            .field("format", &self.format)
            .field("headers", &self.headers)
            .field("header_row", &self.header_row)
            .field("title_date", &self.title_date)
            .field("sample", &format_args!("<{} rows>", self.sample.len()))
            .field("sheets", &self.sheets)
            .finish()
    }
}

/// Where a file comes from: a path on disk or bytes in memory (an upload).
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Path(&'a Path),
    Bytes(&'a [u8]),
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(p: &'a Path) -> Self {
        Input::Path(p)
    }
}
impl<'a> From<&'a PathBuf> for Input<'a> {
    fn from(p: &'a PathBuf) -> Self {
        Input::Path(p)
    }
}
impl<'a> From<&'a [u8]> for Input<'a> {
    fn from(b: &'a [u8]) -> Self {
        Input::Bytes(b)
    }
}
impl<'a> From<&'a Vec<u8>> for Input<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        Input::Bytes(b)
    }
}

/// Sniffs the file and reads its headers and first rows. `sheet` picks a workbook's
/// sheet (`None` = the first); CSV ignores it. With `EncodingChoice::Auto`: a UTF-8 BOM
/// means UTF-8, valid UTF-8 in the first 64 KiB means UTF-8, anything else Windows-1252;
/// a UTF-16 BOM or NUL bytes are an encoding error.
pub fn inspect<'a>(input: impl Into<Input<'a>>, file_name: &str, sheet: Option<&str>) -> Result<Inspection, ReadError> {
    inspect_at(input, file_name, sheet, None)
}

/// [`inspect`] with the header row chosen by hand (`Some(row number)` as the file
/// counts rows), or found (`None`).
pub fn inspect_at<'a>(
    input: impl Into<Input<'a>>,
    file_name: &str,
    sheet: Option<&str>,
    header_row: Option<u64>,
) -> Result<Inspection, ReadError> {
    let err = |kind| ReadError::new(file_name, kind);
    let how = Open { sheet, encoding: EncodingChoice::Auto, hash: false, header_row };
    let opened = match input.into() {
        Input::Path(p) => Opened::from_path(p, file_name, how),
        Input::Bytes(b) => Opened::from_bytes(Bytes::Borrowed(b), file_name, how),
    }?;
    let Opened { mut source, headers, format, header_row, title, .. } = opened;
    let mut sample = Vec::new();
    match &mut source {
        Source::Csv(csv) => {
            while sample.len() < SAMPLE_ROWS {
                let Some(line) = csv.next_record().map_err(err)? else { break };
                let mut row = Vec::with_capacity(csv.record.len());
                for i in 0..csv.record.len() {
                    let bytes = csv.record.get(i).unwrap_or_default().trim_ascii();
                    let text = csv_file::decode(&mut csv.decoding, bytes, &mut csv.scratch)
                        .map_err(|k| err(k).at_row(line).in_column(headers.get(i).map_or("", String::as_str)))?;
                    row.push(text.trim().to_owned());
                }
                sample.push(row);
            }
        }
        Source::Xlsx(x) => {
            let mut text = String::new();
            while sample.len() < SAMPLE_ROWS {
                if x.next_row().map_err(err)?.is_none() {
                    break;
                }
                let row = (0..headers.len())
                    .map(|j| {
                        xlsx_file::cell_text(x.cell(j), &mut text);
                        text.clone()
                    })
                    .collect();
                sample.push(row);
            }
        }
    }
    let sheets = match &source {
        Source::Xlsx(x) => x.sheets.clone(),
        Source::Csv(_) => Vec::new(),
    };
    let title_date = title.iter().find_map(|t| date_in_title(t));
    Ok(Inspection { format, headers, header_row, title, title_date, sample, sheets })
}

// Rows hold personal data: `Debug` names the fields present, not their values.

/// Streaming typed rows of one file read with one mapping.
pub struct Reader {
    file: String,
    kind: ExtractKind,
    source: Source,
    plan: Vec<Planned>,
    headers: Vec<String>,
    format: Format,
    row: Row,
    rows: u64,
    scratch: String,
    xlsx_summary: Option<(u64, String)>,
    done: bool,
    /// The kind needs a name and a name column is mapped: each row must have one.
    needs_name: bool,
    /// Lines before this reader's first record (a range of the file; 0 otherwise).
    line_offset: u64,
    /// Rows with content up to and including the header.
    records_before_data: usize,
    header_row: u64,
    title_date: Option<Date>,
    /// A full pass ([`validate`]): bad cells are collected, not returned one by one,
    /// and coded values summed up.
    survey: Option<Box<Survey>>,
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("file", &self.file)
            .field("kind", &self.kind)
            .field("format", &self.format)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// What [`validate`] learnt about a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Data rows (blank rows not counted).
    pub rows: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub bytes: u64,
    /// The header's row number as the file counts rows.
    pub header_row: u64,
    /// A date a title row above the header names (see [`date_in_title`]).
    pub title_date: Option<Date>,
    /// The latest day any date or month column holds (a month counts to its last day):
    /// with `title_date`, what the caller proposes as the date the extract describes.
    pub latest_in_rows: Option<Date>,
    /// Per coded column, how its values were read (for the dry run).
    pub readings: Vec<FieldReading>,
}

impl Reader {
    /// Opens a file on disk. CSV is streamed; a workbook is read whole.
    pub fn open(path: &Path, file_name: &str, mapping: &Mapping) -> Result<Reader, ReadError> {
        Reader::open_inner(path, file_name, mapping, false)
    }

    /// Reads a file held in memory (an upload).
    pub fn from_bytes(bytes: Vec<u8>, file_name: &str, mapping: &Mapping) -> Result<Reader, ReadError> {
        Reader::from_bytes_inner(bytes, file_name, mapping, false)
    }

    fn open_inner(path: &Path, file_name: &str, mapping: &Mapping, full: bool) -> Result<Reader, ReadError> {
        let opened = Opened::from_path(path, file_name, Open::of(mapping, full))?;
        Reader::with(opened, file_name, mapping, full)
    }

    fn from_bytes_inner(bytes: Vec<u8>, file_name: &str, mapping: &Mapping, full: bool) -> Result<Reader, ReadError> {
        let opened = Opened::from_bytes(Bytes::Owned(bytes), file_name, Open::of(mapping, full))?;
        Reader::with(opened, file_name, mapping, full)
    }

    fn with(opened: Opened, file_name: &str, mapping: &Mapping, full: bool) -> Result<Reader, ReadError> {
        let Opened { source, headers, header_row, title, records_before_data, format, xlsx_summary } = opened;
        let resolved = mapping.resolve(&headers).map_err(|problems| {
            let err =
                ReadError::new(file_name, ReadErrorKind::Mapping(Vec::new())).at_row(header_row).with_headers(&headers);
            let missing = problems.iter().find_map(|p| match p {
                MappingProblem::NotInFile { header, .. } => Some(header.clone()),
                _ => None,
            });
            let mut err = err;
            match missing {
                Some(h) => {
                    err.kind = ReadErrorKind::MissingColumn(h.clone());
                    err.in_column(&h)
                }
                None => {
                    err.kind = ReadErrorKind::Mapping(problems);
                    err
                }
            }
        })?;
        let plan: Vec<Planned> = resolved
            .into_iter()
            .map(|(field, column)| Planned {
                field,
                column,
                header: headers.get(column).cloned().unwrap_or_default(),
                required: mapping.kind.spec(field).is_some_and(|s| s.need == Need::Required),
                ty: field.value_type(),
            })
            .collect();
        let row = Row::new(&plan);
        let survey = full.then(|| Box::new(Survey::new(plan.iter().map(|p| (p.field, p.header.clone())))));
        Ok(Reader {
            header_row,
            title_date: title.iter().find_map(|t| date_in_title(t)),
            records_before_data,
            survey,
            file: file_name.to_owned(),
            kind: mapping.kind,
            source,
            plan,
            headers,
            format,
            row,
            rows: 0,
            scratch: String::new(),
            xlsx_summary,
            done: false,
            needs_name: mapping.kind.needs_name(),
            line_offset: 0,
        })
    }

    /// Reads only `chunk` of a CSV file (see [`csv_chunks`]), with the headers,
    /// encoding and separator of the whole file; rows keep their numbers in the file.
    /// A workbook is read whole (workbooks are small).
    pub fn open_chunk(path: &Path, file_name: &str, mapping: &Mapping, chunk: &Chunk) -> Result<Reader, ReadError> {
        let mut reader = Reader::open(path, file_name, mapping)?;
        let (Source::Csv(csv), Format::Csv { separator, .. }) = (&reader.source, reader.format) else {
            return Ok(reader);
        };
        let io_err = |e: io::Error| ReadError::new(file_name, ReadErrorKind::Io(e.kind().to_string()));
        let mut file = File::open(path).map_err(io_err)?;
        let mut skip = 0;
        if chunk.start == 0 {
            let mut bom = [0u8; 3];
            let n = (&mut file).take(3).read(&mut bom).map_err(io_err)?;
            skip = if bom[..n] == UTF8_BOM[..] { UTF8_BOM.len() } else { 0 };
        }
        io::Seek::seek(&mut file, io::SeekFrom::Start(chunk.start)).map_err(io_err)?;
        let limited: Box<dyn Read + Send> = Box::new(file.take(chunk.end - chunk.start));
        let mut source = CsvSource::new(HashingRead::new(limited, false, skip), separator, csv.decoding);
        if chunk.start == 0 {
            // Any title rows and the header, which `open` has read already.
            for _ in 0..reader.records_before_data {
                source.next_record().map_err(|k| ReadError::new(file_name, k))?;
            }
        }
        reader.source = Source::Csv(Box::new(source));
        reader.line_offset = chunk.first_line.saturating_sub(1);
        Ok(reader)
    }

    /// The file's headers as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Data rows returned so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The next data row; `Ok(None)` at the end. Blank rows are skipped. The row is
    /// borrowed and overwritten by the next call (its buffers are reused).
    pub fn next_row(&mut self) -> Result<Option<&Row>, ReadError> {
        self.next_row_inner(None)
    }

    /// The next data row whose CPR number `keep` accepts; the other cells are parsed
    /// only for those rows. A run reads extracts that were checked whole at import,
    /// and most of their rows are of people not in the running (a national income
    /// extract has 72 million rows for a few hundred thousand women), so their months
    /// and amounts need not be parsed. Rows without a CPR are skipped; a workbook is
    /// filtered after parsing.
    /// `keep` is given the number's key (`Cpr::key`), read from the cell's digits.
    pub fn next_row_where(&mut self, keep: &dyn Fn(u64) -> bool) -> Result<Option<&Row>, ReadError> {
        loop {
            let gate = matches!(self.source, Source::Csv(_)).then_some(keep);
            let Some(row) = self.next_row_inner(gate)? else { return Ok(None) };
            if gate.is_some() || row.cpr().is_some_and(|c| keep(c.key())) {
                // Re-borrow: the loop may not hold `row` across iterations.
                return Ok(Some(&self.row));
            }
        }
    }

    fn next_row_inner(&mut self, gate: Option<&dyn Fn(u64) -> bool>) -> Result<Option<&Row>, ReadError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(number) = self.read_cells(gate)? else {
                self.done = true;
                return Ok(None);
            };
            self.row.number = number;
            if self.check_required(number)? {
                self.rows += 1;
                return Ok(Some(&self.row));
            }
        }
    }

    /// Reads the next record's mapped cells into the row; its number, or `None` at the
    /// end. A cell that cannot be read is an error, or (a full pass) noted, and the row
    /// is then passed over.
    fn read_cells(&mut self, gate: Option<&dyn Fn(u64) -> bool>) -> Result<Option<u64>, ReadError> {
        let file = self.file.as_str();
        let err = |kind, row: u64| ReadError::new(file, kind).at_row(row);
        loop {
            let mut bad = false;
            let number = match &mut self.source {
                Source::Csv(csv) => {
                    let Some(line) = csv.next_record().map_err(|k| ReadError::new(file, k))? else { return Ok(None) };
                    let line = line + self.line_offset;
                    let found = csv.record.len();
                    if found != self.headers.len() {
                        return Err(err(ReadErrorKind::Ragged { expected: self.headers.len(), found }, line));
                    }
                    self.row.cpr_sex = None;
                    let cpr_at =
                        if gate.is_some() { self.plan.iter().position(|p| p.field == Field::Cpr) } else { None };
                    if let (Some(keep), Some(k)) = (gate, cpr_at) {
                        // The digits alone decide; the cell is parsed below if she is kept.
                        let bytes = csv.record.get(self.plan[k].column).unwrap_or_default().trim_ascii();
                        if !Cpr::key_of(bytes).is_some_and(keep) {
                            continue;
                        }
                    }
                    for (k, (p, slot)) in self.plan.iter().zip(self.row.slots.iter_mut()).enumerate() {
                        let sex = (p.field == Field::Cpr).then_some(&mut self.row.cpr_sex);
                        slot.present = false;
                        let bytes = csv.record.get(p.column).unwrap_or_default().trim_ascii();
                        let text = if bytes.is_empty() {
                            ""
                        } else {
                            csv_file::decode(&mut csv.decoding, bytes, &mut csv.scratch)
                                .map_err(|k| err(k, line).in_column(&p.header))?
                                .trim()
                        };
                        if text.is_empty() {
                            if let Some(s) = self.survey.as_mut() {
                                s.empty(k);
                            }
                            continue;
                        }
                        match (parse_text(slot, text, p.ty, sex), self.survey.as_mut()) {
                            (Ok(()), Some(s)) => s.read(k, line, text, &slot.value),
                            (Ok(()), None) => {}
                            (Err(kind), Some(s)) => {
                                s.bad(line, &p.header, text, p.ty, kind);
                                bad = true;
                            }
                            (Err(kind), None) => return Err(err(kind, line).in_column(&p.header)),
                        }
                    }
                    line
                }
                Source::Xlsx(x) => {
                    let Some(number) = x.next_row().map_err(|k| ReadError::new(file, k))? else { return Ok(None) };
                    self.row.cpr_sex = None;
                    for (k, (p, slot)) in self.plan.iter().zip(self.row.slots.iter_mut()).enumerate() {
                        let sex = (p.field == Field::Cpr).then_some(&mut self.row.cpr_sex);
                        let cell = x.cell(p.column);
                        let parsed = parse_cell(slot, cell, p.ty, sex, &mut self.scratch);
                        let Some(s) = self.survey.as_mut() else {
                            slot.present = parsed.map_err(|kind| err(kind, number).in_column(&p.header))?;
                            continue;
                        };
                        match parsed {
                            Ok(true) => {
                                let raw = if s.wants_text(k) { cell_raw(cell, &mut self.scratch) } else { "" };
                                slot.present = true;
                                s.read(k, number, raw, &slot.value);
                            }
                            Ok(false) => {
                                slot.present = false;
                                s.empty(k);
                            }
                            Err(kind) => {
                                slot.present = false;
                                s.bad(number, &p.header, cell_raw(cell, &mut self.scratch), p.ty, kind);
                                bad = true;
                            }
                        }
                    }
                    number
                }
            };
            if !bad {
                return Ok(Some(number));
            }
        }
    }

    /// Required cells, and the name when the kind needs one, must not be empty: an
    /// error, or (a full pass) a noted bad cell and `false` for a row to pass over.
    fn check_required(&mut self, number: u64) -> Result<bool, ReadError> {
        let mut missing: Vec<&Planned> =
            self.plan.iter().zip(&self.row.slots).filter(|(p, s)| p.required && !s.present).map(|(p, _)| p).collect();
        if self.needs_name {
            let mut names = self.plan.iter().zip(&self.row.slots).filter(|(p, _)| p.field.is_name());
            if !names.clone().any(|(_, s)| s.present)
                && let Some((p, _)) = names.next()
            {
                missing.push(p);
            }
        }
        let Some(first) = missing.first() else { return Ok(true) };
        match self.survey.as_mut() {
            None => {
                Err(ReadError::new(&self.file, ReadErrorKind::RequiredEmpty).at_row(number).in_column(&first.header))
            }
            Some(s) => {
                for p in missing {
                    s.bad(number, &p.header, "", p.ty, ReadErrorKind::RequiredEmpty);
                }
                Ok(false)
            }
        }
    }

    /// Reads to the end and returns the file's summary. The hash is only known when the
    /// reader was opened by [`validate`]/[`validate_bytes`]; otherwise it is empty.
    pub fn finish(mut self) -> Result<FileSummary, ReadError> {
        while self.next_row()?.is_some() {}
        if let Some(s) = self.survey.as_mut().filter(|s| s.has_bad()) {
            return Err(ReadError::new(&self.file, s.unreadable()));
        }
        if self.rows == 0 {
            return Err(ReadError::new(&self.file, ReadErrorKind::Empty));
        }
        let (bytes, sha256) = match (self.xlsx_summary.take(), &mut self.source) {
            (Some(summary), _) => summary,
            (None, Source::Csv(csv)) => {
                let stream = csv.reader.get_mut();
                let sha = stream.hasher.take().map(|h| hex(&h.finalize())).unwrap_or_default();
                (stream.bytes, sha)
            }
            (None, Source::Xlsx(_)) => (0, String::new()),
        };
        let readings = self.survey.take().map(|s| s.readings()).unwrap_or_default();
        let latest_in_rows = readings.iter().filter_map(|r| r.latest).max();
        Ok(FileSummary {
            rows: self.rows,
            sha256,
            bytes,
            header_row: self.header_row,
            title_date: self.title_date,
            latest_in_rows,
            readings,
        })
    }
}

impl FileSummary {
    /// The date the extract describes, as far as the file says: the date in its title,
    /// else the latest date or month its rows hold. The caller shows it, lets the
    /// coordinator correct it, and passes the settled date to `select`.
    pub fn reference_date(&self) -> Option<Date> {
        self.title_date.or(self.latest_in_rows)
    }
}

/// A full pass over the file with the mapping: every row parsed, every cell that
/// cannot be read collected into one [`ReadErrorKind::Unreadable`] (a sample of 20 with
/// file, row, column and value, and the count), or else a summary with how each coded
/// value was read. Callers import nothing from a file that fails. A file with a header
/// but no data rows is [`ReadErrorKind::Empty`].
pub fn validate(path: &Path, file_name: &str, mapping: &Mapping) -> Result<FileSummary, ReadError> {
    Reader::open_inner(path, file_name, mapping, true)?.finish()
}

/// [`validate`] for a file held in memory.
pub fn validate_bytes(bytes: Vec<u8>, file_name: &str, mapping: &Mapping) -> Result<FileSummary, ReadError> {
    Reader::from_bytes_inner(bytes, file_name, mapping, true)?.finish()
}
