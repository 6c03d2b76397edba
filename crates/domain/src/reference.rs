//! Reference data shipped with the domain: countries (with Danmarks Statistik's
//! Western/non-Western split, G-1.1), languages (ISO 639) and the six motivation
//! factors (G-3). Parsed once from the tables in `data/`.

use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name_da: &'static str,
    pub name_en: &'static str,
    pub western: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub code: &'static str,
    pub name_da: &'static str,
    pub name_en: &'static str,
    pub right_to_left: bool,
}

const COUNTRIES_TSV: &str = include_str!("data/countries.tsv");
const LANGUAGES_TSV: &str = include_str!("data/languages.tsv");

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

pub fn countries() -> &'static [Country] {
    static TABLE: OnceLock<Vec<Country>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows(COUNTRIES_TSV)
            .filter(|r| r.len() == 4)
            .map(|r| Country { code: r[0], name_da: r[1], name_en: r[2], western: r[3] == "1" })
            .collect()
    })
}

pub fn languages() -> &'static [Language] {
    static TABLE: OnceLock<Vec<Language>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows(LANGUAGES_TSV)
            .filter(|r| r.len() == 4)
            .map(|r| Language { code: r[0], name_da: r[1], name_en: r[2], right_to_left: r[3] == "rtl" })
            .collect()
    })
}

pub fn country(code: &str) -> Option<&'static Country> {
    countries().iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

pub fn language(code: &str) -> Option<&'static Language> {
    languages().iter().find(|l| l.code.eq_ignore_ascii_case(code))
}

/// The language a letter to a woman from `country_code` is most likely read in, where
/// one language is clearly the most spoken among people from there in Denmark; `None`
/// where that is not clear (Iraq: Arabic or Kurdish). Only ever an inference: a record
/// whose language came from here is marked "inferred" until someone confirms it.
pub fn likely_language(country_code: &str) -> Option<&'static str> {
    let lang = match country_code.to_ascii_uppercase().as_str() {
        "SY" | "LB" | "PS" | "MA" | "EG" | "JO" | "SD" | "YE" | "DZ" | "TN" | "LY" | "SA" | "KW" => "ar",
        "TR" => "tr",
        "PK" => "ur",
        "IR" => "fa",
        "AF" => "fa",
        "SO" => "so",
        "ER" => "ti",
        "ET" => "am",
        "BA" => "bs",
        "VN" => "vi",
        "TH" => "th",
        "LK" => "ta",
        _ => return None,
    };
    Some(lang)
}

/// Danmarks Statistik counts every country not on its Western list as non-Western,
/// including ones missing from our name table.
pub fn is_non_western(country_code: &str) -> bool {
    country(country_code).is_none_or(|c| !c.western)
}

/// G-3.1–G-3.6: what may motivate her, recorded per woman and spoken to in letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotivationFactor {
    Economy,
    PermanentResidence,
    UseEducation,
    SelfDevelopment,
    Network,
    RoleModel,
}

impl MotivationFactor {
    pub const ALL: [MotivationFactor; 6] = [
        MotivationFactor::Economy,
        MotivationFactor::PermanentResidence,
        MotivationFactor::UseEducation,
        MotivationFactor::SelfDevelopment,
        MotivationFactor::Network,
        MotivationFactor::RoleModel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MotivationFactor::Economy => "economy",
            MotivationFactor::PermanentResidence => "permanent_residence",
            MotivationFactor::UseEducation => "use_education",
            MotivationFactor::SelfDevelopment => "self_development",
            MotivationFactor::Network => "network",
            MotivationFactor::RoleModel => "role_model",
        }
    }

    pub fn guide_id(self) -> &'static str {
        match self {
            MotivationFactor::Economy => "G-3.1",
            MotivationFactor::PermanentResidence => "G-3.2",
            MotivationFactor::UseEducation => "G-3.3",
            MotivationFactor::SelfDevelopment => "G-3.4",
            MotivationFactor::Network => "G-3.5",
            MotivationFactor::RoleModel => "G-3.6",
        }
    }

    pub fn from_code(code: &str) -> Option<MotivationFactor> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn western_list_matches_danmarks_statistik() {
        let western: Vec<_> = countries().iter().filter(|c| c.western).map(|c| c.code).collect();
        // EU-28 (27 + UK) and the twelve others DST names.
        assert_eq!(western.len(), 28 + 12, "{western:?}");
        for code in ["DK", "GB", "NO", "US", "NZ", "VA"] {
            assert!(!is_non_western(code), "{code}");
        }
        for code in ["SY", "SO", "TR", "PK", "ER", "ZZ"] {
            assert!(is_non_western(code), "{code}");
        }
    }

    #[test]
    fn letter_languages_are_known_and_directions_right() {
        for code in ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"] {
            assert!(language(code).is_some(), "{code}");
        }
        assert!(language("ar").unwrap().right_to_left);
        assert!(language("ckb").unwrap().right_to_left);
        assert!(!language("ti").unwrap().right_to_left);
    }

    #[test]
    fn codes_are_unique() {
        let mut c: Vec<_> = countries().iter().map(|c| c.code).collect();
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), countries().len());
        let mut l: Vec<_> = languages().iter().map(|l| l.code).collect();
        l.sort_unstable();
        l.dedup();
        assert_eq!(l.len(), languages().len());
    }

    #[test]
    fn motivation_codes_round_trip() {
        for f in MotivationFactor::ALL {
            assert_eq!(MotivationFactor::from_code(f.code()), Some(f));
        }
    }
}
