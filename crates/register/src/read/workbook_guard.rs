//! What a workbook must keep before the spreadsheet reader is given it (issue 13, item 3).
//!
//! An XLSX or XLSB file is a zip of XML or binary parts. Its size on disk says nothing
//! about what reading it costs: a part may unpack to gigabytes (a zip bomb), a sheet may
//! declare 17 billion cells in a few bytes, and the zip's own size fields may lie. So
//! every part is unpacked once into nothing, counting the bytes it really yields, and
//! the file is refused before anything is allocated for its content when
//!
//! - it has more parts than any workbook a register system writes,
//! - a part the reader holds whole in memory (shared strings, styles, the workbook
//!   itself — everything but the sheets, which are streamed cell by cell) unpacks to
//!   more than the reader's memory budget (256 MiB),
//! - all parts together unpack to more than 8 GiB, or
//! - a sheet declares (`<dimension ref="A1:XFD1048576"/>`) more than `MAX_CELLS` cells.
//!
//! Formats the reader can only load as one rectangle (XLS, ODS) are refused with a
//! request to save the file as XLSX or CSV: their memory cannot be bounded beforehand.

use super::xlsx_file::{MAX_COLUMNS, MAX_ROWS};
use crate::error::ReadErrorKind;
use std::io::{self, Cursor, Read};

/// What a workbook may cost the reader.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// More parts than this is not a workbook a register system writes.
    pub parts: usize,
    /// The memory budget of one part held whole (shared strings, styles …).
    pub held_part: u64,
    /// All parts together, unpacked: bounds the time a file can make the reader spend.
    pub unpacked: u64,
    /// Cells a sheet may declare.
    pub cells: u64,
}

/// Cells a sheet may declare or hold: 1 million women × 50 columns.
pub const MAX_CELLS: u64 = 50_000_000;

pub(super) const LIMITS: Limits =
    Limits { parts: 1_000, held_part: 256 * 1024 * 1024, unpacked: 8 * 1024 * 1024 * 1024, cells: MAX_CELLS };

/// How much of a sheet part is searched for its `<dimension>` element.
const DIMENSION_WINDOW: usize = 4096;

/// Checks a workbook's parts before it is opened. `bytes` starts like a workbook
/// (`xlsx_file::is_workbook`).
pub(super) fn check(bytes: &[u8]) -> Result<(), ReadErrorKind> {
    check_within(bytes, LIMITS)
}

fn check_within(bytes: &[u8], limits: Limits) -> Result<(), ReadErrorKind> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ReadErrorKind::UnboundedWorkbook);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadErrorKind::NotAWorkbook)?;
    if zip.len() > limits.parts {
        return Err(ReadErrorKind::TooManyParts { found: zip.len(), max: limits.parts });
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| ReadErrorKind::NotAWorkbook)?;
        let name = part.name().map_err(|_| ReadErrorKind::NotAWorkbook)?.into_owned();
        if name == "content.xml" || (name == "mimetype" && is_ods(&mut part)) {
            return Err(ReadErrorKind::UnboundedWorkbook);
        }
        let streamed = is_sheet(&name);
        let limit = if streamed { limits.unpacked - total } else { limits.held_part.min(limits.unpacked - total) };
        let mut head = Vec::new();
        if streamed && name.ends_with(".xml") {
            (&mut part)
                .take(DIMENSION_WINDOW as u64)
                .read_to_end(&mut head)
                .map_err(|_| ReadErrorKind::NotAWorkbook)?;
            if let Some((rows, columns)) = declared_dimension(&head) {
                let cells = rows.saturating_mul(columns);
                if rows > MAX_ROWS as u64 || columns > MAX_COLUMNS as u64 || cells > limits.cells {
                    return Err(ReadErrorKind::DeclaresTooManyCells { rows, columns, max: limits.cells });
                }
            }
        }
        // The real unpacked size, whatever the zip's size fields say; a damaged part
        // (bad checksum, truncated) fails here rather than halfway through reading.
        let rest = io::copy(&mut (&mut part).take(limit.saturating_sub(head.len() as u64) + 1), &mut io::sink())
            .map_err(|_| ReadErrorKind::NotAWorkbook)?;
        let size = head.len() as u64 + rest;
        if size > limit {
            let max = if !streamed && size > limits.held_part { limits.held_part } else { limits.unpacked };
            return Err(ReadErrorKind::UnpacksTooLarge { part: name, max_mib: max >> 20 });
        }
        total += size;
    }
    Ok(())
}

/// Sheets are streamed, so only their total size and declared cells are bounded.
fn is_sheet(name: &str) -> bool {
    name.starts_with("xl/worksheets/") && (name.ends_with(".xml") || name.ends_with(".bin"))
}

/// An OpenDocument file names its type in its first part.
fn is_ods(part: &mut impl Read) -> bool {
    let mut head = Vec::new();
    let _ = part.take(100).read_to_end(&mut head);
    head.starts_with(b"application/vnd.oasis.opendocument")
}

/// The rows and columns a sheet's `<dimension ref="A1:C10"/>` declares, if it has one
/// in its first few kilobytes (writers put it before the cells).
fn declared_dimension(head: &[u8]) -> Option<(u64, u64)> {
    let at = find(head, b"<dimension")?;
    let rest = &head[at..];
    let r = find(rest, b"ref=\"")? + 5;
    let end = rest[r..].iter().position(|b| *b == b'"')?;
    let text = std::str::from_utf8(&rest[r..r + end]).ok()?;
    let (from, to) = text.split_once(':').unwrap_or((text, text));
    let (c1, r1) = cell_ref(from)?;
    let (c2, r2) = cell_ref(to)?;
    Some((r2.abs_diff(r1) + 1, c2.abs_diff(c1) + 1))
}

/// "XFD1048576" → (16384, 1048576), 1-based.
fn cell_ref(text: &str) -> Option<(u64, u64)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let column = letters.bytes().fold(0u64, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1));
    let row = digits.parse::<u64>().ok().filter(|r| *r > 0)?;
    Some((column, row))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use zip::write::SimpleFileOptions;

    fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in parts {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const SMALL: Limits = Limits { parts: 4, held_part: 1000, unpacked: 5000, cells: 100 };

    #[test]
    fn a_part_held_whole_is_measured_by_what_it_unpacks_to() {
        let strings = vec![b' '; 1001];
        let bomb = zipped(&[("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", &strings)]);
        assert!(bomb.len() < 400, "compressed to {} bytes", bomb.len());
        assert_eq!(
            check_within(&bomb, SMALL),
            Err(ReadErrorKind::UnpacksTooLarge { part: "xl/sharedStrings.xml".into(), max_mib: 0 })
        );
        let fits = zipped(&[("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", &strings[..1000])]);
        assert_eq!(check_within(&fits, SMALL), Ok(()));
    }

    #[test]
    fn sheets_are_bounded_by_the_total_and_their_declared_cells() {
        let big_sheet = vec![b' '; 3000];
        let ok = zipped(&[("xl/worksheets/sheet1.xml", &big_sheet)]);
        assert_eq!(check_within(&ok, SMALL), Ok(()), "a sheet is streamed, not held whole");
        let too_much = zipped(&[("xl/worksheets/sheet1.xml", &big_sheet), ("xl/worksheets/sheet2.xml", &big_sheet)]);
        assert!(matches!(check_within(&too_much, SMALL), Err(ReadErrorKind::UnpacksTooLarge { .. })));
        let declared = zipped(&[("xl/worksheets/sheet1.xml", br#"<worksheet><dimension ref="A1:K10"/>"#)]);
        assert_eq!(
            check_within(&declared, SMALL),
            Err(ReadErrorKind::DeclaresTooManyCells { rows: 10, columns: 11, max: 100 })
        );
    }

    #[test]
    fn parts_beyond_the_limit_and_unbounded_formats_are_refused() {
        let parts: Vec<(String, &[u8])> = (0..5).map(|i| (format!("p{i}.xml"), &b"x"[..])).collect();
        let named: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        assert_eq!(check_within(&zipped(&named), SMALL), Err(ReadErrorKind::TooManyParts { found: 5, max: 4 }));
        let ods = zipped(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]);
        assert_eq!(check(&ods), Err(ReadErrorKind::UnboundedWorkbook));
        assert_eq!(check(b"\xD0\xCF\x11\xE0 an OLE file"), Err(ReadErrorKind::UnboundedWorkbook));
        assert_eq!(check(b"PK\x03\x04 not really a zip"), Err(ReadErrorKind::NotAWorkbook));
    }

    #[test]
    fn a_dimension_is_read_as_rows_and_columns() {
        let sheet = br#"<?xml version="1.0"?><worksheet><dimension ref="A1:XFD1048576"/><sheetData>"#;
        assert_eq!(declared_dimension(sheet), Some((1_048_576, 16_384)));
        assert_eq!(declared_dimension(br#"<dimension ref="B2:D11"/>"#), Some((10, 3)));
        assert_eq!(declared_dimension(br#"<dimension ref="A1"/>"#), Some((1, 1)));
        assert_eq!(declared_dimension(b"<sheetData>"), None);
        assert_eq!(cell_ref("$AA$3"), Some((27, 3)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("ABCD1"), None);
    }
}
