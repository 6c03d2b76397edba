//! The CSV side: sniffing separator and encoding, and a streaming record source that
//! decodes only the cells asked for.

use super::{Encoding, HashingRead};
use crate::error::ReadErrorKind;
use crate::mapping::EncodingChoice;
use csv::ByteRecord;
use std::collections::VecDeque;
use std::io::Read;

/// How much of a file is looked at to guess its separator and encoding.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What the first bytes of a CSV file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sniffed {
    pub separator: u8,
    pub encoding: Encoding,
    /// Every byte of the prefix is ASCII, so the encoding is still open.
    pub ascii_only: bool,
}

/// `prefix` is the file's beginning; `complete` when it is the whole file.
pub(super) fn sniff(prefix: &[u8], complete: bool) -> Result<Sniffed, ReadErrorKind> {
    if prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF") {
        return Err(ReadErrorKind::Encoding);
    }
    let bom = prefix.starts_with(UTF8_BOM);
    let body = if bom { &prefix[UTF8_BOM.len()..] } else { prefix };
    // UTF-16 without a BOM has a NUL beside every ASCII letter; no text export has NULs.
    if body.contains(&0) {
        return Err(ReadErrorKind::Encoding);
    }
    if body.iter().all(u8::is_ascii_whitespace) && complete {
        return Err(ReadErrorKind::Empty);
    }
    let ascii_only = body.is_ascii();
    let encoding = if bom {
        Encoding::Utf8Bom
    } else {
        match std::str::from_utf8(body) {
            Ok(_) => Encoding::Utf8,
            // The prefix may end inside a character; that is not an error.
            Err(e) if e.error_len().is_none() && !complete => Encoding::Utf8,
            Err(_) => Encoding::Windows1252,
        }
    };
    Ok(Sniffed { separator: separator_of(body), encoding, ascii_only })
}

/// How many non-blank lines the separator is guessed from.
const SNIFF_LINES: usize = 30;

/// The separator, counted outside quotes on each of the first non-blank lines: the one
/// that splits some line most often wins (a title row above the header, "Udtræk fra
/// CPR pr. 30. september 2026", splits on nothing; the header splits on its separator).
/// A tie goes to `;`, the Danish Excel default, then `,`.
fn separator_of(body: &[u8]) -> u8 {
    let mut best_per_line = [0usize; 3];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut seen_content = false;
    let mut lines = 0;
    for &c in body {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted && seen_content => {
                for i in 0..3 {
                    best_per_line[i] = best_per_line[i].max(counts[i]);
                }
                counts = [0; 3];
                seen_content = false;
                lines += 1;
                if lines == SNIFF_LINES {
                    break;
                }
            }
            b';' if !quoted => counts[0] += 1,
            b',' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            seen_content = true;
        }
    }
    for i in 0..3 {
        best_per_line[i] = best_per_line[i].max(counts[i]);
    }
    let candidates = [b';', b',', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if best_per_line[i] > best_per_line[best] {
            best = i;
        }
    }
    candidates[best]
}

/// How cells are decoded; `Undecided` while everything seen was ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decoding {
    Utf8,
    Windows1252,
    Undecided,
}

impl Decoding {
    pub fn choose(sniffed: Sniffed, choice: EncodingChoice) -> Decoding {
        match (sniffed.encoding, choice) {
            (Encoding::Utf8Bom, _) | (_, EncodingChoice::Utf8) => Decoding::Utf8,
            (_, EncodingChoice::Windows1252) => Decoding::Windows1252,
            (Encoding::Windows1252, EncodingChoice::Auto) => Decoding::Windows1252,
            (Encoding::Utf8, EncodingChoice::Auto) if sniffed.ascii_only => Decoding::Undecided,
            (Encoding::Utf8, EncodingChoice::Auto) => Decoding::Utf8,
        }
    }
}

/// One cell as text. ASCII (nearly every cell of a register) is borrowed as it is; only
/// Windows-1252 text beyond ASCII is copied, into `scratch`. While undecided, the first
/// non-ASCII cell settles the encoding: the cells before it were ASCII, which both
/// encodings read alike, so nothing already read changes meaning.
pub(super) fn decode<'a>(
    decoding: &mut Decoding,
    bytes: &'a [u8],
    scratch: &'a mut String,
) -> Result<&'a str, ReadErrorKind> {
    if bytes.contains(&0) {
        return Err(ReadErrorKind::Encoding);
    }
    if bytes.is_ascii() {
        return std::str::from_utf8(bytes).map_err(|_| ReadErrorKind::Encoding);
    }
    match *decoding {
        Decoding::Utf8 => std::str::from_utf8(bytes).map_err(|_| ReadErrorKind::Encoding),
        Decoding::Undecided => match std::str::from_utf8(bytes) {
            Ok(s) => {
                *decoding = Decoding::Utf8;
                Ok(s)
            }
            Err(_) => {
                *decoding = Decoding::Windows1252;
                Ok(decode_1252(bytes, scratch))
            }
        },
        Decoding::Windows1252 => Ok(decode_1252(bytes, scratch)),
    }
}

fn decode_1252<'a>(bytes: &[u8], scratch: &'a mut String) -> &'a str {
    let mut decoder = encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling();
    scratch.clear();
    // Every Windows-1252 byte decodes to one character of at most three UTF-8 bytes.
    scratch.reserve(decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3));
    let _ = decoder.decode_to_string(bytes, scratch, true);
    scratch.as_str()
}

pub(super) type Stream = HashingRead<Box<dyn Read + Send>>;

/// A streaming CSV source: one reused record, cells decoded on demand.
pub(super) struct CsvSource {
    pub reader: csv::Reader<Stream>,
    pub record: ByteRecord,
    pub decoding: Decoding,
    pub scratch: String,
    /// Records read ahead (to find the header) and not yet handed out, with their lines.
    pub pending: VecDeque<(ByteRecord, u64)>,
    /// Line feeds before the last record read (see [`super::HashingRead`]).
    lines_before: u64,
}

impl CsvSource {
    pub fn new(stream: Stream, separator: u8, decoding: Decoding) -> CsvSource {
        let reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            // Ragged rows are reported by the reader with their row number.
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(stream);
        CsvSource {
            reader,
            record: ByteRecord::new(),
            decoding,
            scratch: String::new(),
            pending: VecDeque::new(),
            lines_before: 0,
        }
    }

    /// Reads ahead until `n` records wait in `pending` (fewer at the end of the file).
    pub fn look_ahead(&mut self, n: usize) -> Result<(), ReadErrorKind> {
        while self.pending.len() < n {
            match self.read_record()? {
                Some(line) => self.pending.push_back((self.record.clone(), line)),
                None => break,
            }
        }
        Ok(())
    }

    /// The next record that has any content (into `record`), and the line it starts on.
    pub fn next_record(&mut self) -> Result<Option<u64>, ReadErrorKind> {
        if let Some((record, line)) = self.pending.pop_front() {
            self.record = record;
            return Ok(Some(line));
        }
        self.read_record()
    }

    fn read_record(&mut self) -> Result<Option<u64>, ReadErrorKind> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => return Err(ReadErrorKind::Io(io_message(&e))),
            }
            // The csv crate's own line numbers skip blank lines and lag one behind on
            // CR LF files, and its byte position may point into the line break before
            // the record. Only line breaks lie between that position and the record, so
            // the record's line is one more than every line feed in the runs of CR/LF
            // that start at or before it.
            let at = self.record.position().map_or(0, csv::Position::byte);
            let runs = &mut self.reader.get_mut().breaks;
            while let Some(run) = runs.front().filter(|r| r.start <= at) {
                self.lines_before += run.line_feeds;
                runs.pop_front();
            }
            if self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            return Ok(Some(self.lines_before + 1));
        }
    }
}

/// The error's description without any of the file's content (`csv::Error` may quote
/// none, but only its I/O kind is certain to be free of it).
fn io_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => "malformed CSV".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_separator_outside_quotes() {
        assert_eq!(separator_of(b"a;b;c\n1,2;3;4"), b';');
        assert_eq!(separator_of(b"a,b,c\n"), b',');
        assert_eq!(separator_of(b"\"x;y;z\",b,c\n"), b',');
        assert_eq!(separator_of(b"a\tb\tc"), b'\t');
        assert_eq!(separator_of(b"single"), b';');
        assert_eq!(separator_of(b"\n\r\na,b\n"), b',');
        // A title row above the header, with a comma in its text.
        assert_eq!(
            separator_of("Udtræk fra CPR pr. 30. september 2026, Aarhus\n\nCPR;Navn;Køn\n1;2;3\n".as_bytes()),
            b';'
        );
    }

    #[test]
    fn sniffs_encoding() {
        let s = sniff(b"Navn;By\nS\xC3\xB8ren;\xC3\x85rhus\n", true).unwrap();
        assert_eq!((s.encoding, s.ascii_only), (Encoding::Utf8, false));
        let s = sniff(b"Navn;By\nS\xF8ren;\xC5rhus\n", true).unwrap();
        assert_eq!(s.encoding, Encoding::Windows1252);
        let s = sniff(b"\xEF\xBB\xBFa,b\n", true).unwrap();
        assert_eq!((s.encoding, s.separator), (Encoding::Utf8Bom, b','));
        assert!(sniff(b"a;b\nS\xC3", false).is_ok_and(|s| s.encoding == Encoding::Utf8));
        assert_eq!(sniff(b"a;b\nS\xC3", true).map(|s| s.encoding), Ok(Encoding::Windows1252));
        assert_eq!(sniff(b"\xFF\xFEa\0", true), Err(ReadErrorKind::Encoding));
        assert_eq!(sniff(b"a\0;\0b\0", true), Err(ReadErrorKind::Encoding));
        assert_eq!(sniff(b" \r\n\n", true), Err(ReadErrorKind::Empty));
        assert_eq!(sniff(b"", true), Err(ReadErrorKind::Empty));
    }

    #[test]
    fn undecided_settles_on_the_first_non_ascii_cell() {
        let mut scratch = String::new();
        let mut d = Decoding::Undecided;
        assert_eq!(decode(&mut d, b"abc", &mut scratch), Ok("abc"));
        assert_eq!(d, Decoding::Undecided);
        assert_eq!(decode(&mut d, b"\xC6blet", &mut scratch).map(str::to_owned), Ok("Æblet".to_owned()));
        assert_eq!(d, Decoding::Windows1252);
        let mut d = Decoding::Undecided;
        assert_eq!(decode(&mut d, "Ærø".as_bytes(), &mut scratch), Ok("Ærø"));
        assert_eq!(d, Decoding::Utf8);
        assert_eq!(decode(&mut d, b"\xC6", &mut scratch), Err(ReadErrorKind::Encoding));
        assert_eq!(decode(&mut d, b"a\0", &mut scratch), Err(ReadErrorKind::Encoding));
    }
}
