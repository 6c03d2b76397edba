//! Opening an extract: its bytes hashed as they are read, its format and encoding,
//! and where its header row is (below title and blank rows, or as chosen).

use super::*;

/// Counts and hashes the bytes read through it, and notes where its line breaks are
/// (for row numbers: see `CsvSource::next_record`).
pub(crate) struct HashingRead<R> {
    pub(super) inner: R,
    pub(super) hasher: Option<Sha256>,
    pub(super) bytes: u64,
    /// Bytes to hash and count but not pass on (a byte order mark).
    pub(super) skip: usize,
    /// Bytes passed on so far (the csv reader's byte positions count these).
    pub(super) passed: u64,
    /// Runs of CR/LF bytes not yet behind a record; bounded by the csv read-ahead.
    pub(super) breaks: VecDeque<Breaks>,
}

/// A run of CR and LF bytes at `start..end` (offsets among the bytes passed on).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Breaks {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) line_feeds: u64,
}

pub(super) enum Source {
    // Boxed: the CSV state (reader buffers, record) is much larger than the sheet's.
    Csv(Box<CsvSource>),
    Xlsx(XlsxSource),
}

pub(super) enum Bytes<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
}

/// How a file is opened.
#[derive(Debug, Clone, Copy)]
pub(super) struct Open<'a> {
    pub(super) sheet: Option<&'a str>,
    pub(super) encoding: EncodingChoice,
    /// Hash the bytes (a full pass that imports).
    pub(super) hash: bool,
    /// The header's row number when chosen; `None`: found.
    pub(super) header_row: Option<u64>,
}

/// A file opened up to and including its header row.
pub(super) struct Opened {
    pub(super) source: Source,
    pub(super) headers: Vec<String>,
    pub(super) header_row: u64,
    /// Rows with content above the header, as text.
    pub(super) title: Vec<String>,
    /// Rows with content up to and including the header (a range of the file that
    /// starts at its beginning skips these).
    pub(super) records_before_data: usize,
    pub(super) format: Format,
    /// XLSX: the whole file's size and hash, known at once.
    pub(super) xlsx_summary: Option<(u64, String)>,
}

/// The header among the probed rows: its cells, its row number, and the rows above it.
pub(super) fn header_of(
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
pub(super) fn probe_depth(chosen: Option<u64>, looked: usize, last_number: Option<u64>, at_end: bool) -> Option<usize> {
    let reached = match chosen {
        None => true,
        Some(n) => last_number.is_some_and(|last| last >= n),
    };
    if reached || at_end || looked >= header::MAX_CHOSEN_ROWS { None } else { Some(looked * 4) }
}

/// A workbook row as the header search sees it: typed cells are data.
pub(super) fn xlsx_probe(row: &xlsx_file::SheetRow) -> ProbeRow {
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

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

impl<R> HashingRead<R> {
    pub(super) fn new(inner: R, hash: bool, skip: usize) -> HashingRead<R> {
        HashingRead { inner, hasher: hash.then(Sha256::new), bytes: 0, skip, passed: 0, breaks: VecDeque::new() }
    }

    pub(super) fn note_breaks(&mut self, out: &[u8]) {
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

impl Bytes<'_> {
    pub(super) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Borrowed(b) => b,
        }
    }
}

impl<'a> Open<'a> {
    pub(super) fn of(mapping: &'a Mapping, hash: bool) -> Open<'a> {
        Open { sheet: mapping.sheet.as_deref(), encoding: mapping.encoding, hash, header_row: mapping.header_row }
    }
}

impl Opened {
    pub(super) fn from_path(path: &Path, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
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

    pub(super) fn from_bytes(bytes: Bytes<'_>, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
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

    pub(super) fn workbook(bytes: Bytes<'_>, file_name: &str, how: Open<'_>) -> Result<Opened, ReadError> {
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

    pub(super) fn csv(
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
