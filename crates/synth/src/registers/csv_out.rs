//! A small streaming CSV writer with the byte-level habits of municipal exports
//! (separator, encoding, BOM, line ends) and allocation-free number and date fields,
//! since the income file reaches ~72 million rows at national size.

use crate::names;
use encoding_rs::{EncoderResult, WINDOWS_1252};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

/// How one file is laid out on disk.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub separator: u8,
    pub encoding: Encoding,
    /// Windows systems end lines with CR LF.
    pub crlf: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateForm {
    /// `05-03-1990`
    DayMonthYearDash,
    /// `05.03.1990`
    DayMonthYearDot,
    /// `5-3-1990`, as some systems write without padding.
    DayMonthYearShort,
    /// `1990-03-05`
    Iso,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MonthForm {
    /// `2026-03`
    YearMonth,
    /// `03-2026`
    MonthYear,
    /// The month's first day as a date.
    FirstDay(DateForm),
    /// The month's last weekday (Monday to Friday) as a date: a payment date.
    LastWeekday(DateForm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AmountForm {
    /// `12.345,67`
    Danish,
    /// `12345.67`
    Dot,
    /// `12346`, rounded to whole kroner.
    WholeKroner,
}

pub(super) struct CsvOut {
    name: String,
    writer: BufWriter<File>,
    layout: Layout,
    line: Vec<u8>,
    scratch: Vec<u8>,
    fields_in_line: usize,
    rows: u64,
}

impl CsvOut {
    pub(super) fn create(dir: &Path, name: &str, layout: Layout, header: &[&str]) -> io::Result<CsvOut> {
        let file = File::create(dir.join(name)).map_err(|e| context(name, e))?;
        let mut out = CsvOut {
            name: name.to_string(),
            writer: BufWriter::with_capacity(1 << 20, file),
            layout,
            line: Vec::with_capacity(256),
            scratch: Vec::with_capacity(64),
            fields_in_line: 0,
            rows: 0,
        };
        if layout.encoding == Encoding::Utf8Bom {
            out.writer.write_all(b"\xEF\xBB\xBF").map_err(|e| context(name, e))?;
        }
        for h in header {
            out.text(h);
        }
        out.end_row()?;
        out.rows = 0;
        Ok(out)
    }

    fn separate(&mut self) {
        if self.fields_in_line > 0 {
            self.line.push(self.layout.separator);
        }
        self.fields_in_line += 1;
    }

    /// A text field: encoded for the file, quoted where the value needs it.
    pub(super) fn text(&mut self, value: &str) {
        self.scratch.clear();
        if self.layout.encoding == Encoding::Windows1252 && !value.is_ascii() {
            encode_1252(value, &mut self.scratch);
        } else {
            self.scratch.extend_from_slice(value.as_bytes());
        }
        self.push_scratch();
    }

    /// A field of ASCII produced by `fill` (numbers, dates, CPR numbers).
    pub(super) fn ascii(&mut self, fill: impl FnOnce(&mut Vec<u8>)) {
        self.scratch.clear();
        fill(&mut self.scratch);
        self.push_scratch();
    }

    pub(super) fn empty(&mut self) {
        self.separate();
    }

    fn push_scratch(&mut self) {
        self.separate();
        let sep = self.layout.separator;
        let quote = self.scratch.iter().any(|&b| b == sep || b == b'"' || b == b'\n' || b == b'\r');
        if quote {
            self.line.push(b'"');
            for &b in &self.scratch {
                if b == b'"' {
                    self.line.push(b'"');
                }
                self.line.push(b);
            }
            self.line.push(b'"');
        } else {
            self.line.extend_from_slice(&self.scratch);
        }
    }

    fn write_line(&mut self) -> io::Result<()> {
        let end: &[u8] = if self.layout.crlf { b"\r\n" } else { b"\n" };
        self.writer.write_all(&self.line).and_then(|()| self.writer.write_all(end)).map_err(|e| context(&self.name, e))
    }

    /// Ends the current row and writes it.
    pub(super) fn end_row(&mut self) -> io::Result<()> {
        self.write_line()?;
        self.rows += 1;
        self.line.clear();
        self.fields_in_line = 0;
        Ok(())
    }

    /// Writes the row just ended once more, as a double-run export does.
    pub(super) fn repeat_row(&mut self, row: &[u8]) -> io::Result<()> {
        self.line.clear();
        self.line.extend_from_slice(row);
        self.end_row()
    }

    /// The bytes of the row being built (before `end_row`), for a later `repeat_row`.
    pub(super) fn current(&self) -> &[u8] {
        &self.line
    }

    /// Flushes and returns the number of data rows written.
    pub(super) fn finish(mut self) -> io::Result<u64> {
        self.writer.flush().map_err(|e| context(&self.name, e))?;
        Ok(self.rows)
    }
}

pub(super) fn context(file: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{file}: {e}"))
}

/// Windows-1252 as a real export produces it: letters it lacks lose their diacritics
/// (Turkish, Vietnamese, Polish, Romanian names), and what is left over becomes `?`.
pub(super) fn encode_1252(value: &str, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    for ch in value.chars() {
        if let Some(b) = byte_1252(ch) {
            out.push(b);
            continue;
        }
        let folded = match extra_fold(ch) {
            Some(s) => s.to_string(),
            None => names::fold(ch.encode_utf8(&mut buf)),
        };
        for f in folded.chars() {
            out.push(byte_1252(f).unwrap_or(b'?'));
        }
    }
}

/// The code page's byte for `ch`, if it has one.
fn byte_1252(ch: char) -> Option<u8> {
    if ch.is_ascii() {
        return u8::try_from(ch).ok();
    }
    let mut src = [0u8; 4];
    let mut dst = [0u8; 4];
    let mut encoder = WINDOWS_1252.new_encoder();
    let (result, _, written) = encoder.encode_from_utf8_without_replacement(ch.encode_utf8(&mut src), &mut dst, true);
    match (result, written) {
        (EncoderResult::InputEmpty, 1) => Some(dst[0]),
        _ => None,
    }
}

/// Letters of the Western population's names that `names::fold` leaves alone.
fn extra_fold(ch: char) -> Option<&'static str> {
    Some(match ch {
        'ł' => "l",
        'Ł' => "L",
        'ś' | 'ș' | 'ş' => "s",
        'Ś' | 'Ș' | 'Ş' => "S",
        'ń' => "n",
        'ź' | 'ż' => "z",
        'Ż' | 'Ź' => "Z",
        'ą' | 'ă' => "a",
        'ę' => "e",
        'ț' => "t",
        'Ț' => "T",
        'İ' => "I",
        _ => return None,
    })
}

pub(super) fn push_padded(buf: &mut Vec<u8>, n: u32, width: usize) {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut rest = n;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 || len == digits.len() {
            break;
        }
    }
    for _ in len..width {
        buf.push(b'0');
    }
    buf.extend(digits[..len].iter().rev());
}

pub(super) fn push_date(buf: &mut Vec<u8>, date: Date, form: DateForm) {
    let (y, m, d) = (date.year().unsigned_abs(), u32::from(u8::from(date.month())), u32::from(date.day()));
    match form {
        DateForm::Iso => {
            push_padded(buf, y, 4);
            buf.push(b'-');
            push_padded(buf, m, 2);
            buf.push(b'-');
            push_padded(buf, d, 2);
        }
        DateForm::DayMonthYearDash | DateForm::DayMonthYearDot | DateForm::DayMonthYearShort => {
            let (sep, width) = match form {
                DateForm::DayMonthYearDot => (b'.', 2),
                DateForm::DayMonthYearShort => (b'-', 1),
                _ => (b'-', 2),
            };
            push_padded(buf, d, width);
            buf.push(sep);
            push_padded(buf, m, width);
            buf.push(sep);
            push_padded(buf, y, 4);
        }
    }
}

pub(super) fn push_month(buf: &mut Vec<u8>, month: Date, form: MonthForm) {
    let (y, m) = (month.year().unsigned_abs(), u32::from(u8::from(month.month())));
    match form {
        MonthForm::YearMonth => {
            push_padded(buf, y, 4);
            buf.push(b'-');
            push_padded(buf, m, 2);
        }
        MonthForm::MonthYear => {
            push_padded(buf, m, 2);
            buf.push(b'-');
            push_padded(buf, y, 4);
        }
        MonthForm::FirstDay(date_form) => push_date(buf, month, date_form),
        MonthForm::LastWeekday(date_form) => push_date(buf, last_weekday(month), date_form),
    }
}

/// The last Monday-to-Friday of `month`'s month.
pub(super) fn last_weekday(month: Date) -> Date {
    let mut day =
        Date::from_calendar_date(month.year(), month.month(), month.month().length(month.year())).unwrap_or(month);
    while matches!(day.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
        day = day.previous_day().unwrap_or(day);
    }
    day
}

/// `ore` is the amount in øre (hundredths of a krone).
pub(super) fn push_amount(buf: &mut Vec<u8>, ore: i64, form: AmountForm) {
    if ore < 0 {
        buf.push(b'-');
    }
    let ore = ore.unsigned_abs();
    let (kroner, cents) = (ore / 100, ore % 100);
    match form {
        AmountForm::WholeKroner => {
            let rounded = (ore + 50) / 100;
            push_u64(buf, rounded);
        }
        AmountForm::Dot => {
            push_u64(buf, kroner);
            buf.push(b'.');
            push_padded(buf, cents as u32, 2);
        }
        AmountForm::Danish => {
            // Thousands separated by dots, as Danish Excel shows them.
            let mut groups = [0u32; 7];
            let mut n = 0;
            let mut rest = kroner;
            loop {
                groups[n] = (rest % 1000) as u32;
                n += 1;
                rest /= 1000;
                if rest == 0 || n == groups.len() {
                    break;
                }
            }
            for (i, g) in groups[..n].iter().rev().enumerate() {
                if i == 0 {
                    push_padded(buf, *g, 1);
                } else {
                    buf.push(b'.');
                    push_padded(buf, *g, 3);
                }
            }
            buf.push(b',');
            push_padded(buf, cents as u32, 2);
        }
    }
}

fn push_u64(buf: &mut Vec<u8>, n: u64) {
    if let Ok(small) = u32::try_from(n) {
        push_padded(buf, small, 1);
    } else {
        buf.extend_from_slice(n.to_string().as_bytes());
    }
}

/// A CPR number's ten digits, with or without the hyphen after the sixth.
pub(super) fn push_cpr(buf: &mut Vec<u8>, digits: &[u8; 10], hyphen: bool) {
    buf.extend_from_slice(&digits[..6]);
    if hyphen {
        buf.push(b'-');
    }
    buf.extend_from_slice(&digits[6..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut b = Vec::new();
        f(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn numbers_and_dates_are_written_as_the_forms_say() {
        assert_eq!(s(|b| push_amount(b, 1_234_567, AmountForm::Danish)), "12.345,67");
        assert_eq!(s(|b| push_amount(b, 5, AmountForm::Danish)), "0,05");
        assert_eq!(s(|b| push_amount(b, 100_000_000, AmountForm::Danish)), "1.000.000,00");
        assert_eq!(s(|b| push_amount(b, -120_000, AmountForm::Danish)), "-1.200,00");
        assert_eq!(s(|b| push_amount(b, 1_234_567, AmountForm::Dot)), "12345.67");
        assert_eq!(s(|b| push_amount(b, 1_234_550, AmountForm::WholeKroner)), "12346");
        let d = date!(2026 - 03 - 05);
        assert_eq!(s(|b| push_date(b, d, DateForm::Iso)), "2026-03-05");
        assert_eq!(s(|b| push_date(b, d, DateForm::DayMonthYearDash)), "05-03-2026");
        assert_eq!(s(|b| push_date(b, d, DateForm::DayMonthYearDot)), "05.03.2026");
        assert_eq!(s(|b| push_date(b, d, DateForm::DayMonthYearShort)), "5-3-2026");
        assert_eq!(s(|b| push_month(b, d, MonthForm::MonthYear)), "03-2026");
        assert_eq!(s(|b| push_month(b, d, MonthForm::YearMonth)), "2026-03");
        assert_eq!(s(|b| push_cpr(b, b"0101901234", true)), "010190-1234");
        // 31 October 2026 is a Saturday: paid on Friday the 30th.
        assert_eq!(s(|b| push_month(b, date!(2026 - 10 - 01), MonthForm::LastWeekday(DateForm::Iso))), "2026-10-30");
        assert_eq!(s(|b| push_month(b, date!(2026 - 09 - 01), MonthForm::LastWeekday(DateForm::Iso))), "2026-09-30");
    }

    #[test]
    fn windows_1252_keeps_danish_letters_and_folds_the_rest() {
        let mut out = Vec::new();
        encode_1252("Søren Ayşe Wiśniewski Nguyễn 漢", &mut out);
        assert_eq!(out[1], 0xF8);
        let mut text = vec![0u8; out.len() * 3];
        let (_, _, written, _) = WINDOWS_1252.new_decoder().decode_to_utf8(&out, &mut text, true);
        assert_eq!(std::str::from_utf8(&text[..written]).unwrap(), "Søren Ayse Wisniewski Nguyen ?");
    }
}
