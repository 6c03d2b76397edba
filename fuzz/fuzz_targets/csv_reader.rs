//! Any bytes as a CSV upload: inspect, then read every row with the suggested mapping of
//! each source kind. Errors are fine; panics, hangs and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use register::kinds::SourceKind;
use register::mapping::suggest;
use register::read::{Reader, inspect};

fuzz_target!(|data: &[u8]| {
    let Ok(inspection) = inspect(data, "fuzz.csv", None) else { return };
    for kind in SourceKind::ALL {
        let mapping = suggest(*kind, &inspection.headers);
        let Ok(mut reader) = Reader::from_bytes(data.to_vec(), "fuzz.csv", &mapping) else { continue };
        while let Ok(Some(row)) = reader.next_row() {
            let _ = (row.number(), row.cpr(), row.sex(), row.birth_date(), row.month(), row.full_name());
        }
    }
});
