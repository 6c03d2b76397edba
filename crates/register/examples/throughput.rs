//! Rough throughput of `Reader` over a generated eIndkomst-style CSV.
//!
//!   cargo run -p register --release --example throughput -- [ROWS]
//!
//! Writes the file under the system temp dir, reads it twice (`validate`, which also
//! hashes it, and a plain `Reader` pass) and prints rows per second. A measurement to
//! run by hand, not a test.

use register::kinds::ExtractKind;
use register::mapping::suggest;
use register::read::{Reader, inspect, validate};
use std::io::{BufWriter, Write};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("register-throughput-{}.csv", std::process::id()));
    {
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        writeln!(w, "CPR-nr;Indkomstmåned;Beløb kr;Indkomsttype")?;
        for i in 0..rows {
            let day = 1 + i % 28;
            let month = 1 + (i / 28) % 12;
            let serial = 1000 + i % 9000;
            let (y, m) = (2020 + (i % 5), 1 + i % 12);
            writeln!(
                w,
                "{day:02}{month:02}80-{serial:04};{y}-{m:02};\"{}.{:03},{:02}\";Løn",
                10 + i % 40,
                i % 1000,
                i % 100
            )?;
        }
    }
    let bytes = std::fs::metadata(&path)?.len();
    let mapping = suggest(ExtractKind::Income, &inspect(&path, "eindkomst.csv", None)?.headers);

    let start = Instant::now();
    let summary = validate(&path, "eindkomst.csv", &mapping)?;
    let validate_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut reader = Reader::open(&path, "eindkomst.csv", &mapping)?;
    let mut total: i64 = 0;
    while let Some(row) = reader.next_row()? {
        total = total.wrapping_add(row.amount(register::kinds::Field::Amount).unwrap_or(0));
    }
    let read_secs = start.elapsed().as_secs_f64();
    std::fs::remove_file(&path)?;

    let mb = bytes as f64 / 1e6;
    println!("rows: {} ({mb:.0} MB), checksum {total}", summary.rows);
    println!(
        "validate (parse + sha256): {validate_secs:.2} s = {:.0} rows/s, {:.0} MB/s",
        summary.rows as f64 / validate_secs,
        mb / validate_secs
    );
    println!(
        "reader (parse only):       {read_secs:.2} s = {:.0} rows/s, {:.0} MB/s",
        summary.rows as f64 / read_secs,
        mb / read_secs
    );
    Ok(())
}
