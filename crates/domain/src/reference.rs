//! Reference data shipped with the domain: countries (with Danmarks Statistik's
//! Western/non-Western split, G-1.1), languages (ISO 639) and the six motivation
//! factors (G-3). Parsed once from the tables in `data/`.

use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// ISO 3166-1 alpha-3.
    pub alpha3: &'static str,
    pub name_da: &'static str,
    pub name_en: &'static str,
    /// Danmarks Statistik's Western list (G-1.1); a territory counts as its sovereign.
    pub western: bool,
    /// The sovereign state of a territory that DST's list does not name itself.
    pub sovereign: Option<&'static str>,
    /// Further spellings an extract may use, `|`-separated.
    aliases: &'static str,
}

impl Country {
    pub fn aliases(&self) -> impl Iterator<Item = &'static str> {
        self.aliases.split('|').map(str::trim).filter(|a| !a.is_empty())
    }
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
        let raw: Vec<Vec<&'static str>> = rows(COUNTRIES_TSV).filter(|r| r.len() >= 5).collect();
        // `=XX`: the territory counts as XX does (checked by a test: XX is a state).
        let flag_of = |code: &str| raw.iter().find(|r| r[0] == code).is_some_and(|r| r[4] == "1");
        raw.iter()
            .map(|r| {
                let sovereign = r[4].strip_prefix('=');
                Country {
                    code: r[0],
                    alpha3: r[1],
                    name_da: r[2],
                    name_en: r[3],
                    western: sovereign.map_or(r[4] == "1", flag_of),
                    sovereign,
                    aliases: r.get(5).copied().unwrap_or(""),
                }
            })
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

/// The country with this ISO 3166-1 alpha-2 code (any case).
pub fn country(code: &str) -> Option<&'static Country> {
    countries().iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

pub fn language(code: &str) -> Option<&'static Language> {
    languages().iter().find(|l| l.code.eq_ignore_ascii_case(code))
}

/// A language as staff type it in a form (issue 14, item 6): its Danish or English
/// name ("arabisk", "Somali", "persisk (farsi)"), in any case, or its ISO 639 code.
/// Only forms read names; stored values are always codes (`language`).
pub fn language_typed(text: &str) -> Option<&'static Language> {
    let text = text.trim();
    let lower = text.to_lowercase();
    language(text)
        .or_else(|| languages().iter().find(|l| l.name_da.to_lowercase() == lower || l.name_en.to_lowercase() == lower))
}

/// Languages by code, as a form shows them: their Danish names, comma-separated, in
/// the order given (what `language_typed` reads back). An unknown code stays as it is.
pub fn language_names_da<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes
        .into_iter()
        .map(|c| language(c).map_or_else(|| c.to_string(), |l| l.name_da.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Whether the country with this alpha-2 code is on Danmarks Statistik's Western list;
/// `None` for a code that is not a country. Never guess for `None`: a value that cannot
/// be read is an error where it was read (G-5.3: selecting a woman outside the target
/// group is processing without a legal basis).
pub fn western(country_code: &str) -> Option<bool> {
    country(country_code).map(|c| c.western)
}

/// Whether `country_code` is a known non-Western country. An unknown code answers
/// `false` — it is not *known* to be non-Western; reading a value goes through
/// [`Origin::read`], which tells an unknown value from a country.
pub fn is_non_western(country_code: &str) -> bool {
    western(country_code) == Some(false)
}

/// A country of origin as an extract writes it, read: a country, stateless, or not
/// stated. Stateless and unknown are their own values, never silently non-Western:
/// the rules say whether they are admitted (`selection::PopulationFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Country(&'static Country),
    Stateless,
    Unknown,
}

/// The code a read origin is kept under when it is not a country.
pub const STATELESS: &str = "stateless";
pub const UNKNOWN_ORIGIN: &str = "unknown";

const STATELESS_WORDS: &[&str] = &["Statsløs", "Statsløse", "Stateless"];
const UNKNOWN_WORDS: &[&str] =
    &["Uoplyst", "Ikke oplyst", "Uoplyst land", "Ukendt", "Ukendt land", "Unknown", "Not stated"];

impl Origin {
    /// Reads a cell: ISO 3166-1 alpha-2 or alpha-3, the Danish or English name or an
    /// alias, in any case, with or without diacritics (`Rumænien`, `RUMÆNIEN`,
    /// `Rumaenien`, `Rumanien`), or one of the words for stateless and not stated.
    /// `None` when it is none of these: the caller reports the cell.
    pub fn read(raw: &str) -> Option<Origin> {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        if t.chars().all(|c| c.is_ascii_alphabetic()) && (t.len() == 2 || t.len() == 3) {
            let by_code = countries()
                .iter()
                .find(|c| c.code.eq_ignore_ascii_case(t) || c.alpha3.eq_ignore_ascii_case(t))
                .map(Origin::Country);
            if by_code.is_some() {
                return by_code;
            }
        }
        let index = names();
        let [rich, plain] = keys(t);
        index.get(&rich).or_else(|| index.get(&plain)).copied()
    }

    /// The code it is kept under: the alpha-2 code, `stateless` or `unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Origin::Country(c) => c.code,
            Origin::Stateless => STATELESS,
            Origin::Unknown => UNKNOWN_ORIGIN,
        }
    }

    /// The inverse of [`Origin::code`].
    pub fn from_code(code: &str) -> Option<Origin> {
        match code {
            STATELESS => Some(Origin::Stateless),
            UNKNOWN_ORIGIN => Some(Origin::Unknown),
            _ => country(code).map(Origin::Country),
        }
    }

    /// `Some(true)` Western, `Some(false)` non-Western, `None` stateless or unknown.
    pub fn western(self) -> Option<bool> {
        match self {
            Origin::Country(c) => Some(c.western),
            Origin::Stateless | Origin::Unknown => None,
        }
    }

    /// How a reading is shown to a coordinator, in Danish: `DK (vestligt)`,
    /// `SY (ikke-vestligt)`, `statsløs`, `uoplyst`.
    pub fn describe_da(self) -> String {
        match self {
            Origin::Country(c) if c.western => format!("{} (vestligt)", c.code),
            Origin::Country(c) => format!("{} (ikke-vestligt)", c.code),
            Origin::Stateless => "statsløs".into(),
            Origin::Unknown => "uoplyst".into(),
        }
    }
}

/// Every name, alias and word, by both of its keys.
fn names() -> &'static std::collections::HashMap<String, Origin> {
    static INDEX: OnceLock<std::collections::HashMap<String, Origin>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = std::collections::HashMap::new();
        for c in countries() {
            for name in [c.name_da, c.name_en].into_iter().chain(c.aliases()) {
                for key in keys(name) {
                    index.entry(key).or_insert(Origin::Country(c));
                }
            }
        }
        for (words, origin) in [(STATELESS_WORDS, Origin::Stateless), (UNKNOWN_WORDS, Origin::Unknown)] {
            for key in words.iter().flat_map(|w| keys(w)) {
                index.entry(key).or_insert(origin);
            }
        }
        index.remove("");
        index
    })
}

/// Two comparison keys of a name, lower-cased with Unicode rules and stripped of
/// everything but letters and digits: `rich` writes æ ø å ä ö ü as ae oe aa ae oe ue
/// (as Danish is typed without them), `plain` drops their marks (a o a a o u).
/// Other Latin accents are dropped in both.
fn keys(name: &str) -> [String; 2] {
    let mut rich = String::with_capacity(name.len());
    let mut plain = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let (r, p) = match c {
            'æ' | 'ä' => ("ae", "a"),
            'ø' | 'ö' => ("oe", "o"),
            'å' => ("aa", "a"),
            'ü' => ("ue", "u"),
            'ß' => ("ss", "ss"),
            'á' | 'à' | 'â' | 'ã' | 'ā' => ("a", "a"),
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ě' => ("e", "e"),
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => ("i", "i"),
            'ó' | 'ò' | 'ô' | 'õ' | 'ō' | 'ő' => ("o", "o"),
            'ú' | 'ù' | 'û' | 'ū' | 'ű' => ("u", "u"),
            'ç' | 'č' | 'ć' => ("c", "c"),
            'ş' | 'š' => ("s", "s"),
            'ž' => ("z", "z"),
            'ñ' => ("n", "n"),
            'ğ' => ("g", "g"),
            'đ' => ("d", "d"),
            'ř' => ("r", "r"),
            'ł' => ("l", "l"),
            'ý' | 'ÿ' => ("y", "y"),
            c if c.is_alphanumeric() => {
                rich.push(c);
                plain.push(c);
                continue;
            }
            _ => continue,
        };
        rich.push_str(r);
        plain.push_str(p);
    }
    [rich, plain]
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
        let western: Vec<_> =
            countries().iter().filter(|c| c.western && c.sovereign.is_none()).map(|c| c.code).collect();
        // EU-28 (27 + UK) and the twelve others DST names.
        assert_eq!(western.len(), 28 + 12, "{western:?}");
        for code in ["DK", "GB", "NO", "US", "NZ", "VA"] {
            assert!(!is_non_western(code), "{code}");
        }
        for code in ["SY", "SO", "TR", "PK", "ER"] {
            assert!(is_non_western(code), "{code}");
        }
        // An unknown code is not silently non-Western (issue 12).
        assert!(!is_non_western("ZZ"));
        assert_eq!(super::western("ZZ"), None);
    }

    #[test]
    fn the_whole_iso_list_with_territories_counted_as_their_state() {
        // 249 ISO 3166-1 entries and Kosovo.
        assert_eq!(countries().len(), 250);
        for c in countries() {
            assert_eq!(c.code.len(), 2, "{c:?}");
            assert_eq!(c.alpha3.len(), 3, "{c:?}");
            if let Some(s) = c.sovereign {
                let state = country(s).unwrap_or_else(|| panic!("{} names {s}", c.code));
                assert!(state.sovereign.is_none(), "{}", c.code);
                assert_eq!(c.western, state.western, "{}", c.code);
            }
        }
        assert_eq!(western("GL"), Some(true));
        assert_eq!(western("FO"), Some(true));
        assert_eq!(western("HK"), Some(false));
    }

    fn read(s: &str) -> Option<&'static str> {
        Origin::read(s).map(Origin::code)
    }

    #[test]
    fn origins_as_extracts_write_them() {
        for (raw, code) in [
            ("DK", "DK"),
            ("dnk", "DK"),
            ("Danmark", "DK"),
            ("DANMARK", "DK"),
            (" denmark ", "DK"),
            ("Tyskland", "DE"),
            ("Rumænien", "RO"),
            ("RUMÆNIEN", "RO"),
            ("RUMæNIEN", "RO"),
            ("Rumaenien", "RO"),
            ("Rumanien", "RO"),
            ("Tyrkiet", "TR"),
            ("Türkiye", "TR"),
            ("Turkiye", "TR"),
            ("TÜRKIYE", "TR"),
            ("Turkey", "TR"),
            ("Bosnien-Hercegovina", "BA"),
            ("Bosnien og Hercegovina", "BA"),
            ("bosnien hercegovina", "BA"),
            ("Palæstina", "PS"),
            ("Palaestina", "PS"),
            ("Palestine", "PS"),
            ("Syrien", "SY"),
            ("SYR", "SY"),
            ("Somalia", "SO"),
            ("Côte d'Ivoire", "CI"),
            ("Cote dIvoire", "CI"),
            ("Færøerne", "FO"),
            ("Faeroeerne", "FO"),
            ("Grønland", "GL"),
            ("São Tomé og Príncipe", "ST"),
            ("Statsløs", STATELESS),
            ("STATSLØS", STATELESS),
            ("Statslos", STATELESS),
            ("Stateless", STATELESS),
            ("Uoplyst", UNKNOWN_ORIGIN),
            ("Unknown", UNKNOWN_ORIGIN),
            ("ukendt", UNKNOWN_ORIGIN),
        ] {
            assert_eq!(read(raw), Some(code), "{raw}");
        }
        // Not a country: an error for the caller, never a guess. "Congo" and "Korea"
        // name two countries each; Yugoslavia is no longer one.
        for raw in ["", "ZZ", "XYZ", "Congo", "Korea", "Jugoslavien", "Danmrk", "5100", "1", "-"] {
            assert_eq!(read(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn origin_codes_round_trip_and_say_what_they_are() {
        for raw in ["Danmark", "Syrien", "Statsløs", "Uoplyst"] {
            let o = Origin::read(raw).unwrap();
            assert_eq!(Origin::from_code(o.code()), Some(o));
        }
        assert_eq!(Origin::read("Danmark").unwrap().describe_da(), "DK (vestligt)");
        assert_eq!(Origin::read("Syrien").unwrap().describe_da(), "SY (ikke-vestligt)");
        assert_eq!(Origin::read("Statsløs").unwrap().western(), None);
        assert_eq!(Origin::read("Uoplyst").unwrap().western(), None);
    }

    #[test]
    fn no_spelling_names_two_countries() {
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for c in countries() {
            for name in [c.name_da, c.name_en].into_iter().chain(c.aliases()) {
                for key in keys(name) {
                    if let Some(other) = seen.insert(key.clone(), c.code) {
                        assert_eq!(other, c.code, "{key:?} names {other} and {}", c.code);
                    }
                }
            }
            // A name must not read as another country's code.
            for code in [c.code, c.alpha3] {
                assert_eq!(read(code), Some(c.code), "{code}");
            }
        }
    }

    #[test]
    fn every_language_is_read_back_from_its_names() {
        for l in languages() {
            for name in [l.name_da, l.name_en] {
                assert_eq!(language_typed(name).map(|x| x.code), Some(l.code), "{name:?} reads as another language");
            }
        }
        assert_eq!(language_names_da(["so", "ar", "xx"]), "somali, arabisk, xx");
        assert!(language_typed("klingon").is_none());
    }

    #[test]
    fn letter_languages_are_known_and_directions_right() {
        for code in ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"] {
            assert!(language(code).is_some(), "{code}");
            let l = language(code).unwrap();
            assert_eq!(language_typed(&l.name_en.to_uppercase()).map(|x| x.code), Some(l.code), "{code} in capitals");
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
