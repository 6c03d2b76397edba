//! The workbook side: one sheet streamed row by row.
//!
//! A sheet's declared size says nothing about the memory it needs: a crafted workbook
//! with one cell at A1 and one at XFD1048576 is a few kilobytes, and loading it as one
//! rectangular range (calamine's `worksheet_range`) would allocate for 17 billion cells.
//! So an XLSX sheet is read cell by cell on a thread of its own and handed over one
//! row at a time through a short queue; a row holds its cells up to its last one.
//! XLSB is streamed the same way. XLS and ODS can only be loaded as one rectangle,
//! so `workbook_guard` refuses them, as it refuses a workbook whose parts or declared
//! cells are beyond the budget, before calamine sees it (issue 13, item 3).

use super::workbook_guard::MAX_CELLS;
use crate::error::ReadErrorKind;
use calamine::{Data, Reader as _, Sheets};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Cursor;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Excel's row limit; a larger sheet can only be a crafted file.
pub(super) const MAX_ROWS: usize = 1_048_576;
/// Excel's column limit (XFD).
pub(super) const MAX_COLUMNS: usize = 16_384;
/// Rows waiting between the thread that reads the sheet and the reader.
const QUEUE: usize = 64;

/// Whether `prefix` starts like a workbook: a zip (XLSX, ODS) or an OLE compound file (XLS).
pub(super) fn is_workbook(prefix: &[u8]) -> bool {
    prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") || prefix.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Whether the file's name says it is a workbook.
pub(super) fn named_like_workbook(file_name: &str) -> bool {
    let lower = file_name.trim().to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"].iter().any(|ext| lower.ends_with(ext))
}

/// One row with content: its number on the sheet (1-based) and its cells from column A
/// to its last cell.
#[derive(Debug, Clone, Default)]
pub(super) struct SheetRow {
    pub number: u64,
    pub cells: Vec<Data>,
}

type Message = Result<SheetRow, ReadErrorKind>;

pub(super) struct XlsxSource {
    rows: Receiver<Message>,
    /// Rows read ahead (to find the header) and not yet handed out.
    pending: VecDeque<SheetRow>,
    current: SheetRow,
    pub sheets: Vec<String>,
}

impl XlsxSource {
    /// Opens the named sheet, or the first. `NoSuchSheet` carries the name asked for.
    pub fn open(bytes: Vec<u8>, sheet: Option<&str>) -> Result<XlsxSource, ReadErrorKind> {
        super::workbook_guard::check(&bytes)?;
        let book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| ReadErrorKind::NotAWorkbook)?;
        let sheets = book.sheet_names();
        let name = match sheet {
            Some(wanted) => sheets
                .iter()
                .find(|s| s.as_str() == wanted)
                .or_else(|| sheets.iter().find(|s| s.trim().eq_ignore_ascii_case(wanted.trim())))
                .ok_or_else(|| ReadErrorKind::NoSuchSheet(wanted.to_owned()))?
                .clone(),
            None => sheets.first().ok_or(ReadErrorKind::Empty)?.clone(),
        };
        let (tx, rows) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("opsog-xlsx".into())
            .spawn(move || {
                if let Err(kind) = stream(book, &name, &tx) {
                    // The reader may have stopped listening; then nobody needs to know.
                    let _ = tx.send(Err(kind));
                }
            })
            .map_err(|e| ReadErrorKind::Io(e.kind().to_string()))?;
        Ok(XlsxSource { rows, pending: VecDeque::new(), current: SheetRow::default(), sheets })
    }

    fn receive(&mut self) -> Result<Option<SheetRow>, ReadErrorKind> {
        match self.rows.recv() {
            Ok(Ok(row)) => Ok(Some(row)),
            Ok(Err(kind)) => Err(kind),
            // The thread has sent every row and ended.
            Err(_) => Ok(None),
        }
    }

    /// Reads ahead until `n` rows wait (fewer at the end of the sheet).
    pub fn look_ahead(&mut self, n: usize) -> Result<&VecDeque<SheetRow>, ReadErrorKind> {
        while self.pending.len() < n {
            match self.receive()? {
                Some(row) => self.pending.push_back(row),
                None => break,
            }
        }
        Ok(&self.pending)
    }

    /// The next row with any content, which [`XlsxSource::cell`] then reads; its sheet
    /// row number, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<u64>, ReadErrorKind> {
        let next = match self.pending.pop_front() {
            Some(row) => Some(row),
            None => self.receive()?,
        };
        Ok(next.map(|row| {
            self.current = row;
            self.current.number
        }))
    }

    /// A cell of the current row; past its last cell it is empty.
    pub fn cell(&self, column: usize) -> &Data {
        self.current.cells.get(column).unwrap_or(&Data::Empty)
    }
}

/// Sends the sheet's rows with content, in order. Stops quietly when the reader is gone.
fn stream(mut book: Sheets<Cursor<Vec<u8>>>, name: &str, tx: &SyncSender<Message>) -> Result<(), ReadErrorKind> {
    let send = |row: SheetRow| -> Result<(), ReadErrorKind> {
        if !row.cells.iter().any(has_content) {
            return Ok(());
        }
        tx.send(Ok(row)).map_err(|_| ReadErrorKind::Io("stopped".into()))
    };
    let mut row = SheetRow::default();
    let mut held = 0u64;
    let mut take = |r: u32, c: u32, value: Data| -> Result<(), ReadErrorKind> {
        let (r, c) = (r as usize, c as usize);
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            return Err(ReadErrorKind::TooManyRows);
        }
        let number = r as u64 + 1;
        if number != row.number {
            send(std::mem::take(&mut row))?;
            row.number = number;
        }
        if !has_content(&value) {
            return Ok(());
        }
        held += 1;
        if held > MAX_CELLS {
            return Err(ReadErrorKind::TooManyCells { max: MAX_CELLS });
        }
        if row.cells.len() <= c {
            row.cells.resize(c + 1, Data::Empty);
        }
        row.cells[c] = value;
        Ok(())
    };
    match &mut book {
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx.worksheet_cells_reader(name).map_err(|_| ReadErrorKind::NotAWorkbook)?;
            while let Some(cell) = cells.next_cell().map_err(|_| ReadErrorKind::NotAWorkbook)? {
                let (r, c) = cell.get_position();
                take(r, c, Data::from(cell.get_value().clone()))?;
            }
        }
        Sheets::Xlsb(xlsb) => {
            let mut cells = xlsb.worksheet_cells_reader(name).map_err(|_| ReadErrorKind::NotAWorkbook)?;
            while let Some(cell) = cells.next_cell().map_err(|_| ReadErrorKind::NotAWorkbook)? {
                let (r, c) = cell.get_position();
                take(r, c, Data::from(cell.get_value().clone()))?;
            }
        }
        // Loaded as one rectangle, which no budget bounds; the guard refuses them first.
        _ => return Err(ReadErrorKind::UnboundedWorkbook),
    }
    send(row)
}

pub(super) fn has_content(cell: &Data) -> bool {
    match cell {
        Data::Empty => false,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => !s.trim().is_empty(),
        _ => true,
    }
}

/// A date cell's calendar date (any time of day dropped); `None` for a duration or a
/// day that does not exist (Excel's 29 February 1900).
pub(super) fn cell_date(dt: &calamine::ExcelDateTime) -> Option<time::Date> {
    if dt.is_duration() {
        return None;
    }
    let value = dt.as_f64();
    if !value.is_finite() || !(1.0..2_958_466.0).contains(&value) {
        return None;
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    let month = time::Month::try_from(m).ok()?;
    time::Date::from_calendar_date(i32::from(y), month, d).ok()
}

/// A whole number as a spreadsheet user reads it (no `.0`), else the float as Rust
/// prints it.
pub(super) fn write_number(out: &mut String, f: f64) {
    out.clear();
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

/// Any cell as the text a preview shows.
pub(super) fn cell_text(cell: &Data, out: &mut String) {
    out.clear();
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s.trim()),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => write_number(out, *f),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => match cell_date(dt) {
            Some(d) => {
                let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
            }
            None => write_number(out, dt.as_f64()),
        },
        Data::Error(e) => {
            let _ = write!(out, "#{e}");
        }
    }
}
