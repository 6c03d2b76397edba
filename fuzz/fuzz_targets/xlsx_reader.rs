//! Any bytes as a workbook upload: inspect each sheet, read rows with suggested mappings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use register::kinds::SourceKind;
use register::mapping::suggest;
use register::read::{Reader, inspect};

fuzz_target!(|data: &[u8]| {
    let Ok(first) = inspect(data, "fuzz.xlsx", None) else { return };
    for sheet in first.sheets.iter().take(4) {
        let Ok(inspection) = inspect(data, "fuzz.xlsx", Some(sheet)) else { continue };
        for kind in [SourceKind::Population, SourceKind::Income, SourceKind::LanguageSchool] {
            let mut mapping = suggest(kind, &inspection.headers);
            mapping.sheet = Some(sheet.clone());
            let Ok(mut reader) = Reader::from_bytes(data.to_vec(), "fuzz.xlsx", &mapping) else { continue };
            while let Ok(Some(row)) = reader.next_row() {
                let _ = (row.number(), row.cpr(), row.birth_date(), row.month());
            }
        }
    }
});
