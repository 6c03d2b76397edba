//! Splitting a large CSV file into byte ranges of whole records, so that a run can read
//! one extract on every core (a national income extract is 60–70 million rows).
//!
//! A cut is made only at a line end outside quotes: quotes are counted from the start
//! of the file (an escaped quote `""` counts twice, so the parity holds), and a line
//! end inside a quoted cell is never a cut. Line ends are counted on the way, so each
//! range knows the line its first record starts on and errors still name the row.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Bytes `start..end` of a file, holding whole records; `first_line` is the line the
/// first of them starts on (1 = the header line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: u64,
    pub end: u64,
    pub first_line: u64,
}

const BLOCK: usize = 1 << 20;

/// Ranges of about `target` bytes covering the whole file; one range (the whole file)
/// when it is smaller than two targets.
pub fn csv_chunks(path: &Path, target: u64) -> io::Result<Vec<Chunk>> {
    let len = std::fs::metadata(path)?.len();
    if len < target.saturating_mul(2) {
        return Ok(vec![Chunk { start: 0, end: len, first_line: 1 }]);
    }
    let mut file = File::open(path)?;
    let mut block = vec![0u8; BLOCK];
    let mut chunks = Vec::new();
    let (mut chunk_start, mut chunk_line) = (0u64, 1u64);
    let mut next_cut = target;
    let (mut offset, mut lines, mut in_quotes) = (0u64, 0u64, false);
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        let bytes = &block[..n];
        let block_end = offset + n as u64;
        let quoted = memchr::memchr(b'"', bytes).is_some();
        if !quoted && !in_quotes && block_end <= next_cut {
            // The common case: no quotes and no cut in this block.
            lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        } else {
            for (i, b) in bytes.iter().enumerate() {
                match b {
                    b'"' => in_quotes = !in_quotes,
                    b'\n' if !in_quotes => {
                        lines += 1;
                        let after = offset + i as u64 + 1;
                        if after >= next_cut && after < len {
                            chunks.push(Chunk { start: chunk_start, end: after, first_line: chunk_line });
                            chunk_start = after;
                            chunk_line = lines + 1;
                            next_cut = after + target;
                        }
                    }
                    b'\n' => lines += 1,
                    _ => {}
                }
            }
        }
        offset = block_end;
    }
    chunks.push(Chunk { start: chunk_start, end: len, first_line: chunk_line });
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks_of(text: &str, target: u64) -> Vec<Chunk> {
        let path = std::env::temp_dir().join(format!("opsog-chunks-{}-{target}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let c = csv_chunks(&path, target).unwrap();
        std::fs::remove_file(&path).unwrap();
        c
    }

    #[test]
    fn cuts_at_line_ends_outside_quotes_and_counts_lines() {
        let text = "h1;h2\na;\"x\ny\"\nb;c\nd;e\nf;g\n";
        let chunks = chunks_of(text, 4);
        // Covers the file without gaps, each cut right after a line end.
        assert_eq!(chunks.first().unwrap().start, 0);
        assert_eq!(chunks.last().unwrap().end, text.len() as u64);
        for w in chunks.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(text.as_bytes()[w[1].start as usize - 1], b'\n');
        }
        // Never inside the quoted cell "x\ny" (bytes 9..14).
        assert!(chunks.iter().all(|c| !(9..14).contains(&c.start)));
        // Each range knows its first line.
        for c in &chunks {
            let before = text.as_bytes()[..c.start as usize].iter().filter(|b| **b == b'\n').count() as u64;
            assert_eq!(c.first_line, before + 1);
        }
        assert_eq!(chunks_of(text, 1 << 20), vec![Chunk { start: 0, end: text.len() as u64, first_line: 1 }]);
    }
}
