//! Which column of an extract holds which field. A mapping is suggested from the headers,
//! confirmed by a person, saved per source kind (as JSON) and reused for the next upload.

use crate::kinds::{ExtractFields, ExtractKind, Field, Need};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub kind: ExtractKind,
    /// Field → the header text of its column, as the file writes it.
    pub columns: BTreeMap<Field, String>,
    /// XLSX: the sheet to read; `None` = the first.
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub encoding: EncodingChoice,
    /// The header's row number as the file counts rows, when chosen by hand; `None`:
    /// found (`read::inspect`), below any title and blank rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u64>,
}

/// The text encoding of a CSV file. A UTF-8 byte order mark always wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingChoice {
    /// UTF-8 if the text is valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Windows1252,
}

/// Why a mapping does not fit a kind or a file. Headers are column names, never cell
/// values, so they may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum MappingProblem {
    /// A required field has no column.
    RequiredNotMapped { field: Field },
    /// The kind needs a name: `Name`, or both `GivenName` and `FamilyName`.
    NameNotMapped,
    /// The mapped header is not in the file.
    NotInFile { field: Field, header: String },
    /// The file has the mapped header more than once, so the column is unclear.
    AmbiguousHeader { field: Field, header: String },
    /// One column is mapped to several fields.
    MappedTwice { header: String, fields: Vec<Field> },
    /// The field is not one this source kind has.
    NotAFieldOfKind { field: Field },
}

impl MappingProblem {
    /// Stable kebab-case code for the web's translated messages.
    pub fn code(&self) -> &'static str {
        match self {
            MappingProblem::RequiredNotMapped { .. } => "required-not-mapped",
            MappingProblem::NameNotMapped => "name-not-mapped",
            MappingProblem::NotInFile { .. } => "header-not-in-file",
            MappingProblem::AmbiguousHeader { .. } => "ambiguous-header",
            MappingProblem::MappedTwice { .. } => "mapped-twice",
            MappingProblem::NotAFieldOfKind { .. } => "not-a-field-of-kind",
        }
    }
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingProblem::RequiredNotMapped { field } => {
                write!(f, "the required field {} has no column", field.code())
            }
            MappingProblem::NameNotMapped => {
                f.write_str("a name column is needed (name, or given_name and family_name)")
            }
            MappingProblem::NotInFile { field, header } => {
                write!(f, "the column {header:?} for {} is not in the file", field.code())
            }
            MappingProblem::AmbiguousHeader { field, header } => {
                write!(f, "the file has more than one column {header:?} (mapped to {})", field.code())
            }
            MappingProblem::MappedTwice { header, fields } => {
                let names: Vec<&str> = fields.iter().map(|f| f.code()).collect();
                write!(f, "the column {header:?} is mapped to several fields ({})", names.join(", "))
            }
            MappingProblem::NotAFieldOfKind { field } => write!(f, "{} is not a field of this kind", field.code()),
        }
    }
}

/// The form in which headers are compared: lower case, `æ`→`ae`, `ø`→`oe`, `å`→`aa`,
/// other accents dropped, and everything but letters and digits removed (so spaces,
/// hyphens, underscores, dots and slashes do not count).
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where a header is among the file's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    At(usize),
    Missing,
    Ambiguous,
}

/// Finds `header` among `headers`: the exact text (trimmed) first, else the one header
/// that is equal after [`normalize_header`] — so a saved mapping survives next month's
/// export writing `CPR-Nr` for `CPR-nr`.
pub fn lookup(headers: &[String], header: &str) -> Lookup {
    let want = header.trim();
    let exact: Vec<usize> = (0..headers.len()).filter(|&i| headers[i].trim() == want).collect();
    match exact.as_slice() {
        [i] => return Lookup::At(*i),
        [_, _, ..] => return Lookup::Ambiguous,
        [] => {}
    }
    let norm = normalize_header(want);
    if norm.is_empty() {
        return Lookup::Missing;
    }
    let close: Vec<usize> = (0..headers.len()).filter(|&i| normalize_header(&headers[i]) == norm).collect();
    match close.as_slice() {
        [i] => Lookup::At(*i),
        [] => Lookup::Missing,
        _ => Lookup::Ambiguous,
    }
}

/// A mapping for `kind` from the headers' texts, by the kind's aliases. Each column is
/// used once; among the name fields, given and family name are preferred over a whole
/// name when both are there (the linkage compares them separately).
pub fn suggest(kind: ExtractKind, headers: &[String]) -> Mapping {
    let norm: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut columns = BTreeMap::new();
    let find = |aliases: &[&str], used: &[bool]| -> Option<usize> {
        aliases.iter().find_map(|alias| {
            let a = normalize_header(alias);
            (0..norm.len()).find(|&i| !used[i] && !a.is_empty() && norm[i] == a)
        })
    };
    for spec in kind.fields().iter().filter(|s| !s.field.is_name()) {
        if let Some(i) = find(spec.aliases, &used) {
            used[i] = true;
            columns.insert(spec.field, headers[i].trim().to_owned());
        }
    }
    let alias_of = |f: Field| kind.spec(f).map(|s| s.aliases).unwrap_or(&[]);
    let given = find(alias_of(Field::GivenName), &used);
    let family = find(alias_of(Field::FamilyName), &used);
    let chosen: Vec<(Field, usize)> = match (given, family) {
        (Some(g), Some(f)) if g != f => vec![(Field::GivenName, g), (Field::FamilyName, f)],
        _ => match find(alias_of(Field::Name), &used) {
            Some(n) => vec![(Field::Name, n)],
            // One half alone is still shown, so the page asks only for the other.
            None => {
                given.map(|g| (Field::GivenName, g)).into_iter().chain(family.map(|f| (Field::FamilyName, f))).collect()
            }
        },
    };
    for (field, i) in chosen {
        if kind.spec(field).is_some() && !used[i] {
            used[i] = true;
            columns.insert(field, headers[i].trim().to_owned());
        }
    }
    Mapping { kind, columns, sheet: None, encoding: EncodingChoice::Auto, header_row: None }
}

impl Mapping {
    /// Whether the mapping is complete for its kind and fits a file with these headers.
    pub fn check(&self, headers: &[String]) -> Result<(), Vec<MappingProblem>> {
        self.resolve(headers).map(|_| ())
    }

    /// Each mapped field with the index of its column, in field order.
    pub fn resolve(&self, headers: &[String]) -> Result<Vec<(Field, usize)>, Vec<MappingProblem>> {
        let mut problems = Vec::new();
        for spec in self.kind.fields() {
            if spec.need == Need::Required && !self.columns.contains_key(&spec.field) {
                problems.push(MappingProblem::RequiredNotMapped { field: spec.field });
            }
        }
        let has = |f: Field| self.columns.contains_key(&f);
        let named = has(Field::Name) || (has(Field::GivenName) && has(Field::FamilyName));
        if self.kind.needs_name() && !named {
            problems.push(MappingProblem::NameNotMapped);
        }
        let mut resolved = Vec::with_capacity(self.columns.len());
        let mut by_column: BTreeMap<usize, Vec<Field>> = BTreeMap::new();
        for (&field, header) in &self.columns {
            if self.kind.spec(field).is_none() {
                problems.push(MappingProblem::NotAFieldOfKind { field });
                continue;
            }
            match lookup(headers, header) {
                Lookup::At(i) => {
                    by_column.entry(i).or_default().push(field);
                    resolved.push((field, i));
                }
                Lookup::Missing => problems.push(MappingProblem::NotInFile { field, header: header.clone() }),
                Lookup::Ambiguous => problems.push(MappingProblem::AmbiguousHeader { field, header: header.clone() }),
            }
        }
        for (i, fields) in by_column {
            if fields.len() > 1 {
                let header = headers.get(i).map(|h| h.trim().to_owned()).unwrap_or_default();
                problems.push(MappingProblem::MappedTwice { header, fields });
            }
        }
        if problems.is_empty() { Ok(resolved) } else { Err(problems) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn normalizing_ignores_case_spaces_hyphens_and_diacritics() {
        assert_eq!(normalize_header("CPR-nr."), "cprnr");
        assert_eq!(normalize_header(" Fødselsdato "), "foedselsdato");
        assert_eq!(normalize_header("Beløb_kr"), "beloebkr");
        assert_eq!(normalize_header("Område"), "omraade");
        assert_eq!(normalize_header("CPR ÆGTEFÆLLE"), "cpraegtefaelle");
        assert_eq!(normalize_header("Statsborgerskab/oprindelse"), "statsborgerskaboprindelse");
        assert_eq!(normalize_header("Café"), "cafe");
    }

    #[test]
    fn suggests_population_from_danish_headers() {
        let headers =
            h(&["CPR-nr", "Fornavne", "Efternavn", "Køn", "Oprindelsesland", "Adresse", "Postnr", "By", "Telefon"]);
        let m = suggest(ExtractKind::Population, &headers);
        assert_eq!(m.columns.get(&Field::Cpr).map(String::as_str), Some("CPR-nr"));
        assert_eq!(m.columns.get(&Field::GivenName).map(String::as_str), Some("Fornavne"));
        assert_eq!(m.columns.get(&Field::FamilyName).map(String::as_str), Some("Efternavn"));
        assert_eq!(m.columns.get(&Field::CountryOfOrigin).map(String::as_str), Some("Oprindelsesland"));
        assert_eq!(m.columns.get(&Field::Name), None);
        // Phone is not a population field: never mapped, never read.
        assert!(!m.columns.values().any(|v| v == "Telefon"));
        assert_eq!(m.check(&headers), Ok(()));
    }

    #[test]
    fn suggests_whole_name_and_english_headers() {
        let headers = h(&["cpr", "name", "birth_date", "country_of_origin", "sex"]);
        let m = suggest(ExtractKind::Population, &headers);
        assert_eq!(m.columns.get(&Field::Name).map(String::as_str), Some("name"));
        assert_eq!(m.columns.get(&Field::Sex).map(String::as_str), Some("sex"));
        assert_eq!(m.check(&headers), Ok(()));
        let income = h(&["CPR", "Indkomstmåned", "Beløb kr", "Art"]);
        let m = suggest(ExtractKind::Income, &income);
        assert_eq!(m.columns.len(), 4);
        assert_eq!(m.check(&income), Ok(()));
    }

    #[test]
    fn spouse_kinds_tell_her_from_the_supporter() {
        let headers = h(&["CPR herboende", "CPR ægtefælle", "Indbetalingsdato"]);
        let m = suggest(ExtractKind::ReunificationDeposits, &headers);
        assert_eq!(m.columns.get(&Field::Cpr).map(String::as_str), Some("CPR ægtefælle"));
        assert_eq!(m.columns.get(&Field::SupporterCpr).map(String::as_str), Some("CPR herboende"));
        assert_eq!(m.columns.get(&Field::Date).map(String::as_str), Some("Indbetalingsdato"));
        assert_eq!(m.check(&headers), Ok(()));
    }

    #[test]
    fn check_names_every_problem() {
        let headers = h(&["CPR", "CPR", "Navn", "Måned"]);
        let mut m = Mapping {
            kind: ExtractKind::Income,
            columns: BTreeMap::new(),
            sheet: None,
            encoding: EncodingChoice::Auto,
            header_row: None,
        };
        m.columns.insert(Field::Cpr, "CPR".into());
        m.columns.insert(Field::Month, "måned".into()); // found by its normalized form
        m.columns.insert(Field::Amount, "Beløb".into());
        m.columns.insert(Field::IncomeType, "Måned".into());
        m.columns.insert(Field::Name, "Navn".into());
        let problems = m.check(&headers).unwrap_err();
        assert!(problems.contains(&MappingProblem::AmbiguousHeader { field: Field::Cpr, header: "CPR".into() }));
        assert!(problems.contains(&MappingProblem::NotInFile { field: Field::Amount, header: "Beløb".into() }));
        assert!(problems.contains(&MappingProblem::MappedTwice {
            header: "Måned".into(),
            fields: vec![Field::Month, Field::IncomeType]
        }));
        assert!(problems.contains(&MappingProblem::NotAFieldOfKind { field: Field::Name }));
        assert_eq!(problems.len(), 4, "{problems:?}");

        let empty = Mapping {
            kind: ExtractKind::Population,
            columns: BTreeMap::new(),
            sheet: None,
            encoding: EncodingChoice::Auto,
            header_row: None,
        };
        let problems = empty.check(&headers).unwrap_err();
        assert!(problems.contains(&MappingProblem::RequiredNotMapped { field: Field::Cpr }));
        assert!(problems.contains(&MappingProblem::RequiredNotMapped { field: Field::CountryOfOrigin }));
        assert!(problems.contains(&MappingProblem::NameNotMapped));
        let mut half = empty.clone();
        half.columns.insert(Field::GivenName, "Navn".into());
        assert!(half.check(&headers).unwrap_err().contains(&MappingProblem::NameNotMapped));
    }

    #[test]
    fn round_trips_through_json() {
        let headers = h(&["CPR-nr", "Navn", "Fødselsdato", "Mobil", "Hold"]);
        let mut m = suggest(ExtractKind::LanguageSchool, &headers);
        m.sheet = Some("Elever".into());
        m.encoding = EncodingChoice::Windows1252;
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            json.contains("\"language_school\"") && json.contains("\"birth_date\"") && json.contains("windows1252"),
            "{json}"
        );
        let back: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        // Saved before `sheet`/`encoding` existed: defaults apply.
        let old: Mapping = serde_json::from_str(r#"{"kind":"income","columns":{"cpr":"CPR"}}"#).unwrap();
        assert_eq!(old.encoding, EncodingChoice::Auto);
        let p = MappingProblem::MappedTwice { header: "A".into(), fields: vec![Field::Cpr] };
        let back: MappingProblem = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
