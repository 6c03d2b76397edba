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
mod survey;
mod xlsx_file;

use crate::error::{ReadError, ReadErrorKind};
use crate::kinds::{Field, Need, SourceKind, ValueType};
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
use survey::Survey;
pub use survey::{FieldReading, MAX_DISTINCT, ValueReading, thousands};

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

/// Counts and hashes the bytes read through it, and notes where its line breaks are
/// (for row numbers: see `CsvSource::next_record`).
pub(crate) struct HashingRead<R> {
    inner: R,
    hasher: Option<Sha256>,
    bytes: u64,
    /// Bytes to hash and count but not pass on (a byte order mark).
    skip: usize,
    /// Bytes passed on so far (the csv reader's byte positions count these).
    passed: u64,
    /// Runs of CR/LF bytes not yet behind a record; bounded by the csv read-ahead.
    breaks: VecDeque<Breaks>,
}

/// A run of CR and LF bytes at `start..end` (offsets among the bytes passed on).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Breaks {
    start: u64,
    end: u64,
    line_feeds: u64,
}

impl<R> HashingRead<R> {
    fn new(inner: R, hash: bool, skip: usize) -> HashingRead<R> {
        HashingRead { inner, hasher: hash.then(Sha256::new), bytes: 0, skip, passed: 0, breaks: VecDeque::new() }
    }

    fn note_breaks(&mut self, out: &[u8]) {
        for i in memchr::memchr2_iter(b'\n', b'\r', out) {
            let at = self.passed + i as u64;
            let lf = u64::from(out[i] == b'\n');
            match self.breaks.back_mut() {
                Some(run) if run.end == at => {
                    run.end += 1;
                    run.line_feeds += lf;
                }
                _ => self.breaks.push_back(Breaks { start: at, end: at + 1, line_feeds: lf }),
            }
        }
        self.passed += out.len() as u64;
    }
}

impl<R: Read> Read for HashingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if let Some(h) = self.hasher.as_mut() {
                h.update(&buf[..n]);
            }
            self.bytes += n as u64;
            let dropped = self.skip.min(n);
            if dropped > 0 {
                self.skip -= dropped;
                buf.copy_within(dropped..n, 0);
            }
            let out = n - dropped;
            self.note_breaks(&buf[..out]);
            if out > 0 || n == 0 {
                return Ok(out);
            }
        }
    }
}

enum Source {
    // Boxed: the CSV state (reader buffers, record) is much larger than the sheet's.
    Csv(Box<CsvSource>),
    Xlsx(XlsxSource),
}

enum Bytes<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
}

impl Bytes<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Borrowed(b) => b,
        }
    }
}

/// How a file is opened.
#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    sheet: Option<&'a str>,
    encoding: EncodingChoice,
    /// Hash the bytes (a full pass that imports).
    hash: bool,
    /// The header's row number when chosen; `None`: found.
    header_row: Option<u64>,
}

impl<'a> Open<'a> {
    fn of(mapping: &'a Mapping, hash: bool) -> Open<'a> {
        Open { sheet: mapping.sheet.as_deref(), encoding: mapping.encoding, hash, header_row: mapping.header_row }
    }
}

/// A file opened up to and including its header row.
struct Opened {
    source: Source,
    headers: Vec<String>,
    header_row: u64,
    /// Rows with content above the header, as text.
    title: Vec<String>,
    /// Rows with content up to and including the header (a range of the file that
    /// starts at its beginning skips these).
    records_before_data: usize,
    format: Format,
    /// XLSX: the whole file's size and hash, known at once.
    xlsx_summary: Option<(u64, String)>,
}

/// The header among the probed rows: its cells, its row number, and the rows above it.
fn header_of(
    probes: &[ProbeRow],
    chosen: Option<u64>,
) -> Result<(usize, Vec<String>, u64, Vec<String>), ReadErrorKind> {
    let h = header::choose(probes, chosen)?;
    let row = &probes[h];
    let headers = row
        .cells
        .iter()
        .map(|c| c.text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_owned())
        .collect();
    let title = probes[..h]
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" "))
        .collect();
    Ok((h, headers, row.number, title))
}

/// How many rows with content to look at: enough to reach a chosen header row.
fn probe_depth(chosen: Option<u64>, looked: usize, last_number: Option<u64>, at_end: bool) -> Option<usize> {
    let reached = match chosen {
        None => true,
        Some(n) => last_number.is_some_and(|last| last >= n),
    };
    if reached || at_end || looked >= header::MAX_CHOSEN_ROWS { None } else { Some(looked * 4) }
}

impl Opened {
    fn from_path(path: &Path, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
        let io_err = |e: io::Error| ReadError::new(file_name, ReadErrorKind::Io(e.kind().to_string()));
        let mut file = File::open(path).map_err(io_err)?;
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut prefix).map_err(io_err)?;
        let complete = prefix.len() < SNIFF_BYTES;
        if xlsx_file::is_workbook(&prefix) {
            file.read_to_end(&mut prefix).map_err(io_err)?;
            return Opened::workbook(Bytes::Owned(prefix), file_name, how);
        }
        let rest: Box<dyn Read + Send> = if complete { Box::new(io::empty()) } else { Box::new(file) };
        Opened::csv(prefix, rest, complete, file_name, how)
    }

    fn from_bytes(bytes: Bytes<'_>, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
        if xlsx_file::is_workbook(bytes.as_slice()) {
            return Opened::workbook(bytes, file_name, how);
        }
        let (owned, complete) = match bytes {
            Bytes::Owned(v) => (v, true),
            // Only `inspect` borrows, and it needs the header and a few rows: copying a
            // multi-gigabyte upload for that would be waste.
            Bytes::Borrowed(b) if b.len() > INSPECT_BYTES => (b[..INSPECT_BYTES].to_vec(), false),
            Bytes::Borrowed(b) => (b.to_vec(), true),
        };
        Opened::csv(owned, Box::new(io::empty()), complete, file_name, how)
    }

    fn workbook(bytes: Bytes<'_>, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
        let err = |kind| ReadError::new(file_name, kind);
        let xlsx_summary = how.hash.then(|| (bytes.as_slice().len() as u64, hex(&Sha256::digest(bytes.as_slice()))));
        let owned = match bytes {
            Bytes::Owned(v) => v,
            Bytes::Borrowed(b) => b.to_vec(),
        };
        let mut source = XlsxSource::open(owned, how.sheet).map_err(err)?;
        let mut depth = header::PROBE_ROWS;
        let probes = loop {
            let rows = source.look_ahead(depth).map_err(err)?;
            let at_end = rows.len() < depth;
            match probe_depth(how.header_row, rows.len(), rows.back().map(|r| r.number), at_end) {
                Some(more) => depth = more,
                None => break rows.iter().map(xlsx_probe).collect::<Vec<ProbeRow>>(),
            }
        };
        let (h, headers, header_row, title) = header_of(&probes, how.header_row).map_err(err)?;
        for _ in 0..=h {
            source.next_row().map_err(err)?;
        }
        Ok(Opened {
            source: Source::Xlsx(source),
            headers,
            header_row,
            title,
            records_before_data: h + 1,
            format: Format::Xlsx,
            xlsx_summary,
        })
    }

    fn csv(
        prefix: Vec<u8>,
        rest: Box<dyn Read + Send>,
        complete: bool,
        file_name: &str,
        how: Open<'_>,
    ) -> Result<Opened, ReadError> {
        let (choice, hash) = (how.encoding, how.hash);
        let err = |kind| ReadError::new(file_name, kind);
        if xlsx_file::named_like_workbook(file_name) {
            return Err(err(ReadErrorKind::NotAWorkbook));
        }
        // In-memory files are sniffed like files on disk, by their first 64 KiB only.
        let sniff_len = prefix.len().min(SNIFF_BYTES);
        let sniffed = csv_file::sniff(&prefix[..sniff_len], complete && sniff_len == prefix.len()).map_err(err)?;
        let skip = if prefix.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
        let chained: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(rest));
        let stream = HashingRead::new(chained, hash, skip);
        let mut csv = CsvSource::new(stream, sniffed.separator, Decoding::choose(sniffed, choice));
        let mut depth = header::PROBE_ROWS;
        loop {
            csv.look_ahead(depth).map_err(err)?;
            let at_end = csv.pending.len() < depth;
            match probe_depth(how.header_row, csv.pending.len(), csv.pending.back().map(|(_, l)| *l), at_end) {
                Some(more) => depth = more,
                None => break,
            }
        }
        let mut probes = Vec::with_capacity(csv.pending.len());
        for (record, line) in &csv.pending {
            let mut cells = Vec::with_capacity(record.len());
            for bytes in record.iter() {
                let text = csv_file::decode(&mut csv.decoding, bytes.trim_ascii(), &mut csv.scratch)
                    .map_err(|k| err(k).at_row(*line))?;
                cells.push(ProbeCell { data: header::looks_like_data(text), text: text.to_owned() });
            }
            probes.push(ProbeRow { number: *line, cells });
        }
        let (h, headers, header_row, title) = header_of(&probes, how.header_row).map_err(err)?;
        for _ in 0..=h {
            csv.next_record().map_err(err)?;
        }
        let encoding = match (sniffed.encoding, csv.decoding) {
            (Encoding::Utf8Bom, _) => Encoding::Utf8Bom,
            (_, Decoding::Windows1252) => Encoding::Windows1252,
            _ => Encoding::Utf8,
        };
        let format = Format::Csv { separator: sniffed.separator, encoding };
        Ok(Opened {
            source: Source::Csv(Box::new(csv)),
            headers,
            header_row,
            title,
            records_before_data: h + 1,
            format,
            xlsx_summary: None,
        })
    }
}

/// A workbook row as the header search sees it: typed cells are data.
fn xlsx_probe(row: &xlsx_file::SheetRow) -> ProbeRow {
    let mut text = String::new();
    let cells = row
        .cells
        .iter()
        .map(|cell| {
            xlsx_file::cell_text(cell, &mut text);
            let data = match cell {
                Data::String(s) => header::looks_like_data(s),
                Data::Empty => false,
                _ => true,
            };
            ProbeCell { text: text.clone(), data }
        })
        .collect();
    ProbeRow { number: row.number, cells }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// One mapped column.
#[derive(Debug, Clone)]
struct Planned {
    field: Field,
    column: usize,
    header: String,
    required: bool,
    ty: ValueType,
}

#[derive(Clone, PartialEq, Eq)]
struct Slot {
    present: bool,
    value: Value,
}

const UNMAPPED: u8 = u8::MAX;

/// One data row: its number and the mapped fields' values. Unmapped columns are never
/// parsed or kept (data minimisation, G-5.5).
#[derive(Clone, PartialEq, Eq)]
pub struct Row {
    number: u64,
    index: [u8; Field::COUNT],
    slots: Vec<Slot>,
    /// The sex the CPR number's last digit gives (`Cpr` does not expose its digits).
    cpr_sex: Option<Sex>,
}

// Rows hold personal data: `Debug` names the fields present, not their values.
impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present: Vec<&str> = Field::ALL.iter().filter(|&&fl| self.get(fl).is_some()).map(|fl| fl.code()).collect();
        f.debug_struct("Row").field("number", &self.number).field("fields", &present).finish()
    }
}

impl Row {
    fn new(plan: &[Planned]) -> Row {
        let mut index = [UNMAPPED; Field::COUNT];
        let slots = plan
            .iter()
            .enumerate()
            .map(|(k, p)| {
                index[p.field.index()] = u8::try_from(k).unwrap_or(UNMAPPED);
                let value = match p.ty {
                    ValueType::Text => Value::Text(String::new()),
                    _ => Value::Amount(0),
                };
                Slot { present: false, value }
            })
            .collect();
        Row { number: 0, index, slots, cpr_sex: None }
    }

    /// The row as a spreadsheet user counts it (the header is row 1; for CSV, the line
    /// the record starts on).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The field's value; `None` when unmapped or the cell is empty.
    pub fn get(&self, f: Field) -> Option<&Value> {
        let k = self.index[f.index()];
        self.slots.get(usize::from(k)).filter(|s| s.present).map(|s| &s.value)
    }

    pub fn cpr(&self) -> Option<&Cpr> {
        match self.get(Field::Cpr) {
            Some(Value::Cpr(c)) => Some(c),
            _ => None,
        }
    }

    pub fn supporter_cpr(&self) -> Option<&Cpr> {
        match self.get(Field::SupporterCpr) {
            Some(Value::Cpr(c)) => Some(c),
            _ => None,
        }
    }

    pub fn text(&self, f: Field) -> Option<&str> {
        match self.get(f) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    pub fn date(&self, f: Field) -> Option<Date> {
        match self.get(f) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn month(&self) -> Option<YearMonth> {
        match self.get(Field::Month) {
            Some(Value::Month(m)) => Some(*m),
            _ => None,
        }
    }

    /// The country of origin, read (`domain::reference::Origin`).
    pub fn origin(&self) -> Option<domain::reference::Origin> {
        match self.get(Field::CountryOfOrigin) {
            Some(Value::Origin(o)) => Some(*o),
            _ => None,
        }
    }

    /// `Amount` or `HouseholdIncome`, in øre.
    pub fn amount(&self, f: Field) -> Option<i64> {
        match self.get(f) {
            Some(Value::Amount(a)) => Some(*a),
            _ => None,
        }
    }

    /// The `Sex` column, else the CPR number's last digit (even = female).
    pub fn sex(&self) -> Option<Sex> {
        match self.get(Field::Sex) {
            Some(Value::Sex(s)) => Some(*s),
            _ => self.cpr_sex,
        }
    }

    /// The `BirthDate` column, else the CPR number's date.
    pub fn birth_date(&self) -> Option<Date> {
        self.date(Field::BirthDate).or_else(|| self.cpr().map(Cpr::birth_date))
    }

    /// `Name`, else `GivenName` and `FamilyName` joined by a space (allocates).
    pub fn full_name(&self) -> Option<String> {
        if let Some(n) = self.text(Field::Name) {
            return Some(n.to_owned());
        }
        match (self.text(Field::GivenName), self.text(Field::FamilyName)) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }
}

/// Puts a non-empty, trimmed text cell into its slot. Text reuses the slot's buffer.
fn parse_text(
    slot: &mut Slot,
    text: &str,
    ty: ValueType,
    cpr_sex: Option<&mut Option<Sex>>,
) -> Result<(), ReadErrorKind> {
    let value = match ty {
        ValueType::Text => {
            if let Value::Text(buf) = &mut slot.value {
                buf.clear();
                buf.push_str(text);
            } else {
                slot.value = Value::Text(text.to_owned());
            }
            slot.present = true;
            return Ok(());
        }
        ValueType::Cpr => {
            let (cpr, sex) = value::parse_cpr_and_sex(text).ok_or(ReadErrorKind::Cpr)?;
            if let Some(out) = cpr_sex {
                *out = Some(sex);
            }
            Value::Cpr(cpr)
        }
        ValueType::Date => Value::Date(value::parse_date(text).ok_or(ReadErrorKind::Date)?),
        ValueType::Month => Value::Month(value::parse_month(text).ok_or(ReadErrorKind::Month)?),
        ValueType::Amount => Value::Amount(value::parse_amount(text).ok_or(ReadErrorKind::Amount)?),
        ValueType::Sex => Value::Sex(value::parse_sex(text).ok_or(ReadErrorKind::Sex)?),
        ValueType::Country => Value::Origin(domain::reference::Origin::read(text).ok_or(ReadErrorKind::Country)?),
    };
    slot.value = value;
    slot.present = true;
    Ok(())
}

fn type_error(ty: ValueType) -> ReadErrorKind {
    match ty {
        ValueType::Cpr => ReadErrorKind::Cpr,
        ValueType::Date => ReadErrorKind::Date,
        ValueType::Month => ReadErrorKind::Month,
        ValueType::Amount => ReadErrorKind::Amount,
        ValueType::Sex => ReadErrorKind::Sex,
        ValueType::Country => ReadErrorKind::Country,
        // A text cell can always be read; only an error cell (#N/A) fails, see below.
        ValueType::Text => ReadErrorKind::RequiredEmpty,
    }
}

/// Puts a workbook cell into its slot; `Ok(false)` when the cell is empty.
fn parse_cell(
    slot: &mut Slot,
    cell: &Data,
    ty: ValueType,
    cpr_sex: Option<&mut Option<Sex>>,
    scratch: &mut String,
) -> Result<bool, ReadErrorKind> {
    match cell {
        Data::Empty => Ok(false),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(false);
            }
            parse_text(slot, t, ty, cpr_sex).map(|()| true)
        }
        Data::Int(i) => match ty {
            ValueType::Amount => {
                slot.value = Value::Amount(i.checked_mul(100).ok_or(ReadErrorKind::Amount)?);
                slot.present = true;
                Ok(true)
            }
            ValueType::Date | ValueType::Month => serial_cell(slot, *i, ty).map(|()| true),
            _ => {
                scratch.clear();
                use std::fmt::Write as _;
                let _ = write!(scratch, "{i}");
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
        },
        Data::Float(f) => match ty {
            ValueType::Amount => {
                let ore = (f * 100.0).round();
                // i64 holds ±9.2e18; stay well inside so the cast is exact.
                if !ore.is_finite() || ore.abs() > 9.0e18 {
                    return Err(ReadErrorKind::Amount);
                }
                slot.value = Value::Amount(ore as i64);
                slot.present = true;
                Ok(true)
            }
            ValueType::Date | ValueType::Month => {
                if !f.is_finite() || f.fract() != 0.0 || f.abs() > 1e9 {
                    return Err(type_error(ty));
                }
                serial_cell(slot, *f as i64, ty).map(|()| true)
            }
            _ => {
                xlsx_file::write_number(scratch, *f);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
        },
        Data::DateTime(dt) => match ty {
            ValueType::Date | ValueType::Month => {
                let date = xlsx_file::cell_date(dt).ok_or(type_error(ty))?;
                slot.value = if ty == ValueType::Month { Value::Month(YearMonth::of(date)) } else { Value::Date(date) };
                slot.present = true;
                Ok(true)
            }
            ValueType::Text => {
                xlsx_file::cell_text(cell, scratch);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
            _ => Err(type_error(ty)),
        },
        Data::Bool(_) => match ty {
            ValueType::Text => {
                xlsx_file::cell_text(cell, scratch);
                parse_text(slot, scratch, ty, cpr_sex).map(|()| true)
            }
            _ => Err(type_error(ty)),
        },
        // #N/A, #REF! …: no value. A text field treats it as empty, so a required one
        // fails as empty rather than importing "#N/A" as a name.
        Data::Error(_) => match ty {
            ValueType::Text => Ok(false),
            _ => Err(type_error(ty)),
        },
    }
}

/// A workbook cell's text, for a survey (in `scratch`).
fn cell_raw<'a>(cell: &Data, scratch: &'a mut String) -> &'a str {
    xlsx_file::cell_text(cell, scratch);
    scratch.as_str()
}

fn serial_cell(slot: &mut Slot, serial: i64, ty: ValueType) -> Result<(), ReadErrorKind> {
    let date = value::excel_serial_date(serial).ok_or(type_error(ty))?;
    slot.value = if ty == ValueType::Month { Value::Month(YearMonth::of(date)) } else { Value::Date(date) };
    slot.present = true;
    Ok(())
}

/// Streaming typed rows of one file read with one mapping.
pub struct Reader {
    file: String,
    kind: SourceKind,
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
                            (Ok(()), Some(s)) => s.read(k, text, &slot.value),
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
                                s.read(k, raw, &slot.value);
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
