//! The workbook side: one sheet loaded whole (a sheet holds at most 1,048,576 rows).

use crate::error::ReadErrorKind;
use calamine::{Data, Range, Reader as _};
use std::fmt::Write as _;
use std::io::Cursor;

/// Excel's row limit; a larger sheet can only be a crafted file.
pub(super) const MAX_ROWS: usize = 1_048_576;

/// Whether `prefix` starts like a workbook: a zip (XLSX, ODS) or an OLE compound file (XLS).
pub(super) fn is_workbook(prefix: &[u8]) -> bool {
    prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") || prefix.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Whether the file's name says it is a workbook.
pub(super) fn named_like_workbook(file_name: &str) -> bool {
    let lower = file_name.trim().to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"].iter().any(|ext| lower.ends_with(ext))
}

pub(super) struct XlsxSource {
    range: Range<Data>,
    /// Next row, relative to the range.
    next: usize,
    /// The sheet's row number (1-based) of the range's first row, minus one.
    offset: u64,
    pub sheets: Vec<String>,
}

impl XlsxSource {
    /// Opens the named sheet, or the first. `NoSuchSheet` carries the name asked for.
    pub fn open(bytes: &[u8], sheet: Option<&str>) -> Result<XlsxSource, ReadErrorKind> {
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| ReadErrorKind::NotAWorkbook)?;
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
        let range = book.worksheet_range(&name).map_err(|_| ReadErrorKind::NotAWorkbook)?;
        if range.height() > MAX_ROWS {
            return Err(ReadErrorKind::TooManyRows);
        }
        let offset = range.start().map_or(0, |(row, _)| u64::from(row));
        Ok(XlsxSource { range, next: 0, offset, sheets })
    }

    /// The next row with any content: its index in the range and its sheet row number.
    pub fn next_row(&mut self) -> Option<(usize, u64)> {
        let width = self.range.width();
        while self.next < self.range.height() {
            let i = self.next;
            self.next += 1;
            // `get` is O(1); `rows().nth(i)` would walk from the top every time.
            if (0..width).any(|j| self.range.get((i, j)).is_some_and(has_content)) {
                return Some((i, self.offset + u64::try_from(i).unwrap_or(u64::MAX) + 1));
            }
        }
        None
    }

    /// A cell by its index in the range; past the edge it is empty.
    pub fn cell(&self, row: usize, column: usize) -> &Data {
        self.range.get((row, column)).unwrap_or(&Data::Empty)
    }

    pub fn width(&self) -> usize {
        self.range.width()
    }
}

fn has_content(cell: &Data) -> bool {
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
