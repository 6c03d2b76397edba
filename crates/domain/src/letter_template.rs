//! Letter templates per language (issue 4 item 1, G-5.6, G-8.4, GDPR Art. 14): the
//! invitation letter with placeholders such as `{name}` and `{contact_phone}`, the form
//! a coordinator edits it through, the shipped templates, and rendering one into the
//! [`Letter`] the letter check reads — the check needs the real names and numbers, so
//! it runs on a rendered letter (with [`sample_fill`] while editing).
//!
//! Shipped templates live in `data/letter_templates/<code>.txt` (format in the README
//! there). Danish and English are written by the project; Arabic, Somali, Turkish, Urdu,
//! Farsi, Tigrinya and Kurdish Sorani are drafts, marked as needing review by a qualified
//! translator until a coordinator marks the initiative's copy reviewed. The letter goes
//! out bilingual — her language and Danish — and its Danish half is the one the letter
//! check reads in full.
//!
//! Pure: no I/O.

use crate::letter_check::Letter;
use crate::reference;
use crate::validation::FieldErrors;
use std::sync::OnceLock;

/// The placeholders a template may use, each written in braces: `{name}`.
///
/// - `name`: her first name
/// - `contact_name`, `contact_phone`: her contact person and the direct number (G-8.5)
/// - `meeting`: the meeting's place and time, or the offer's when and where
/// - `response_code`: the code she answers with, without an account (issue 4 item 4)
/// - `municipality`: the municipality's name, from configuration
/// - `dpo`: the data protection officer's contact (GDPR Art. 14(1)(b))
/// - `source`: where her data came from (GDPR Art. 14(2)(f))
pub const PLACEHOLDERS: [&str; 8] =
    ["name", "contact_name", "contact_phone", "meeting", "response_code", "municipality", "dpo", "source"];

/// Must appear somewhere in the letter (headline, body or offer): her contact person
/// with a direct number (G-5.6, G-8.5) and her answer code.
pub const REQUIRED_PLACEHOLDERS: [&str; 3] = ["contact_name", "contact_phone", "response_code"];

/// Must appear in the body: the letter is addressed to her by name.
pub const REQUIRED_IN_BODY: [&str; 1] = ["name"];

/// Bounds of the form. The letter check holds the headline to far less (60 characters,
/// 8 words) and the offer to three short sentences; these only keep the form sane.
pub const MAX_HEADLINE_LEN: usize = 200;
pub const MAX_BODY_LEN: usize = 8000;
pub const MAX_OFFER_LEN: usize = 1500;

/// One language's letter, with placeholders.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LetterTemplate {
    /// ISO 639 code, lower case.
    pub language: String,
    pub headline: String,
    /// Paragraphs separated by blank lines: greeting, text, the GDPR paragraph,
    /// signature.
    pub body: String,
    /// The offer paragraph (G-8.4: at most three short sentences).
    pub offer: String,
    /// False for a draft that no qualified translator has checked yet.
    pub reviewed: bool,
}

impl LetterTemplate {
    /// Whether the language is written right to left (Arabic, Urdu, Farsi, Sorani …).
    pub fn right_to_left(&self) -> bool {
        reference::language(&self.language).is_some_and(|l| l.right_to_left)
    }
}

// ---------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------

/// The letter template form.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct TemplateInput {
    pub headline: String,
    pub body: String,
    pub offer: String,
}

impl From<&LetterTemplate> for TemplateInput {
    fn from(t: &LetterTemplate) -> TemplateInput {
        TemplateInput { headline: t.headline.clone(), body: t.body.clone(), offer: t.offer.clone() }
    }
}

impl TemplateInput {
    /// Checks the form for `language` (an ISO 639 code).
    ///
    /// Per field: `error-required` when empty, `error-too-long` past its bound,
    /// `error-template-unknown-placeholder` for a `{…}` not in [`PLACEHOLDERS`] or a
    /// lone brace. On `body`: `error-template-missing-placeholder` when a
    /// [`REQUIRED_PLACEHOLDERS`] one is nowhere in the letter or `{name}` is not in the
    /// body ([`TemplateInput::missing_placeholders`] says which). An unknown language is
    /// `error-unknown-choice` on `language`.
    ///
    /// Line breaks are stored as `\n`. `reviewed` comes out true for Danish only — the
    /// municipality's own text, which the letter check reads in full. Any other language
    /// changed here is a new draft until a coordinator marks it reviewed.
    pub fn parse(&self, language: &str) -> Result<LetterTemplate, FieldErrors> {
        let mut errors = FieldErrors::default();
        let language = language.trim().to_lowercase();
        if reference::language(&language).is_none() {
            errors.add("language", "error-unknown-choice");
        }
        let headline = field(&mut errors, "headline", &self.headline, MAX_HEADLINE_LEN);
        let body = field(&mut errors, "body", &self.body, MAX_BODY_LEN);
        let offer = field(&mut errors, "offer", &self.offer, MAX_OFFER_LEN);
        if !body.is_empty() && !self.missing_placeholders().is_empty() {
            errors.add("body", "error-template-missing-placeholder");
        }
        let reviewed = language == "da";
        errors.into_result(|| LetterTemplate { language, headline, body, offer, reviewed })
    }

    /// The required placeholders the text lacks, in the order of [`PLACEHOLDERS`], for
    /// the editor to name beside `error-template-missing-placeholder`.
    pub fn missing_placeholders(&self) -> Vec<&'static str> {
        let in_body = placeholders_in(&self.body);
        let anywhere: Vec<&str> = placeholders_in(&self.headline)
            .into_iter()
            .chain(in_body.iter().copied())
            .chain(placeholders_in(&self.offer))
            .collect();
        PLACEHOLDERS
            .into_iter()
            .filter(|p| {
                (REQUIRED_PLACEHOLDERS.contains(p) && !anywhere.contains(p))
                    || (REQUIRED_IN_BODY.contains(p) && !in_body.contains(p))
            })
            .collect()
    }
}

/// Trimmed, with `\r\n` and `\r` as `\n` (a browser sends a textarea's lines with
/// `\r\n`); required, bounded, and with known placeholders only.
fn field(errors: &mut FieldErrors, name: &'static str, input: &str, max: usize) -> String {
    let text = input.replace("\r\n", "\n").replace('\r', "\n").trim().to_string();
    if text.is_empty() {
        errors.add(name, "error-required");
    } else if text.chars().count() > max {
        errors.add(name, "error-too-long");
    } else if !unknown_placeholders(&text).is_empty() {
        errors.add(name, "error-template-unknown-placeholder");
    }
    text
}

// ---------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------

/// A template text cut at its braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    /// `{…}` on one line with no brace inside: `name` is what is between the braces,
    /// `raw` the whole, braces included.
    Slot {
        name: &'a str,
        raw: &'a str,
    },
    /// A brace that opens or closes no placeholder.
    Stray(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pending = 0;
    let mut skip_to = 0;
    fn push_text<'a>(out: &mut Vec<Piece<'a>>, text: &'a str, from: usize, to: usize) {
        if to > from {
            out.push(Piece::Text(text.get(from..to).unwrap_or("")));
        }
    }
    // Braces are ASCII, so every index next to one is a char boundary.
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        match c {
            '{' => {
                let rest = text.get(i + 1..).unwrap_or("");
                let close = rest.find(['{', '}', '\n']).filter(|&j| rest.get(j..).is_some_and(|r| r.starts_with('}')));
                push_text(&mut out, text, pending, i);
                match close {
                    Some(j) => {
                        let end = i + j + 2;
                        out.push(Piece::Slot {
                            name: rest.get(..j).unwrap_or(""),
                            raw: text.get(i..end).unwrap_or(""),
                        });
                        pending = end;
                        skip_to = end;
                    }
                    None => {
                        out.push(Piece::Stray(text.get(i..i + 1).unwrap_or("")));
                        pending = i + 1;
                    }
                }
            }
            '}' => {
                push_text(&mut out, text, pending, i);
                out.push(Piece::Stray(text.get(i..i + 1).unwrap_or("")));
                pending = i + 1;
            }
            _ => {}
        }
    }
    push_text(&mut out, text, pending, text.len());
    out
}

/// The placeholder names in `text`, in order, repeats kept — known or not: `"Kære
/// {name}, {navn}"` gives `["name", "navn"]`. A lone brace is not among them (see
/// [`unknown_placeholders`]).
pub fn placeholders_in(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Slot { name, .. } => Some(name),
            _ => None,
        })
        .collect()
}

/// What in `text` is not a known placeholder, as written: `"{navn}"`, `"{ name }"`, or
/// a lone `"{"` or `"}"` — a printed letter never shows a brace.
pub fn unknown_placeholders(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Slot { name, raw } if !PLACEHOLDERS.contains(&name) => Some(raw),
            Piece::Stray(raw) => Some(raw),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------

/// The values for one letter. They are put in as given: for her half of a bilingual
/// letter the caller may give `meeting` and `source` in her language.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Fill {
    /// Her first name.
    pub name: String,
    pub contact_name: String,
    /// The contact person's direct number, as it should be printed.
    pub contact_phone: String,
    /// Place and time of the meeting, or the offer's when and where.
    pub meeting: String,
    pub response_code: String,
    pub municipality: String,
    /// The data protection officer's contact, e.g. an e-mail address.
    pub dpo: String,
    /// Where her data came from, e.g. "CPR-registeret".
    pub source: String,
}

impl Fill {
    /// The value of a placeholder from [`PLACEHOLDERS`]; `None` for any other name.
    pub fn value(&self, placeholder: &str) -> Option<&str> {
        Some(match placeholder {
            "name" => &self.name,
            "contact_name" => &self.contact_name,
            "contact_phone" => &self.contact_phone,
            "meeting" => &self.meeting,
            "response_code" => &self.response_code,
            "municipality" => &self.municipality,
            "dpo" => &self.dpo,
            "source" => &self.source,
            _ => return None,
        })
    }
}

impl std::fmt::Debug for Fill {
    // Personal data: logs get neither her name nor her answer code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fill")
            .field("name", &"…")
            .field("contact_name", &self.contact_name)
            .field("contact_phone", &self.contact_phone)
            .field("meeting", &self.meeting)
            .field("response_code", &"…")
            .field("municipality", &self.municipality)
            .field("dpo", &self.dpo)
            .field("source", &self.source)
            .finish()
    }
}

/// U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// The letter as she reads it: every placeholder replaced by its value (in one pass, so
/// a value that itself holds braces is not read again), and the contact person's name
/// and number also in the [`Letter`]'s own fields for the letter check.
///
/// In a right-to-left language each value is wrapped in directional isolates (FSI …
/// PDI), so that a Latin name, a phone number or a case number keeps its order inside
/// Arabic-script text (letters-notes.md, "Right-to-left details"). A `{…}` that is not
/// a placeholder is left as it stands: [`TemplateInput::parse`] refuses those.
pub fn render(t: &LetterTemplate, fill: &Fill) -> Letter {
    let rtl = t.right_to_left();
    let fill_in = |text: &str| -> String {
        let mut out = String::with_capacity(text.len() + 64);
        for piece in pieces(text) {
            match piece {
                Piece::Text(s) | Piece::Stray(s) => out.push_str(s),
                Piece::Slot { name, raw } => match fill.value(name) {
                    Some(v) if rtl && !v.is_empty() => {
                        out.push(FSI);
                        out.push_str(v);
                        out.push(PDI);
                    }
                    Some(v) => out.push_str(v),
                    None => out.push_str(raw),
                },
            }
        }
        out
    };
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Letter {
        headline: fill_in(&t.headline),
        body: fill_in(&t.body),
        offer: fill_in(&t.offer),
        contact_name: given(&fill.contact_name),
        contact_phone: given(&fill.contact_phone),
        language: t.language.clone(),
    }
}

/// Realistic sample values for the live check and the preview while a template is
/// edited: the letter check needs a real name in the text and a valid number.
pub fn sample_fill(municipality: &str, dpo: &str) -> Fill {
    Fill {
        name: "Fatima".into(),
        contact_name: "Mette Hansen".into(),
        contact_phone: "12 34 56 78".into(),
        meeting: "tirsdag den 10. marts kl. 10.00 i Beboerhuset, Byvej 12".into(),
        response_code: "K7M-4QX".into(),
        municipality: municipality.trim().to_string(),
        dpo: dpo.trim().to_string(),
        source: "CPR-registeret".into(),
    }
}

// ---------------------------------------------------------------------------------
// Shipped templates
// ---------------------------------------------------------------------------------

/// The shipped templates, Danish first. Format: `data/letter_templates/README.md`.
const SHIPPED: [(&str, &str); 9] = [
    ("da", include_str!("data/letter_templates/da.txt")),
    ("en", include_str!("data/letter_templates/en.txt")),
    ("ar", include_str!("data/letter_templates/ar.txt")),
    ("so", include_str!("data/letter_templates/so.txt")),
    ("tr", include_str!("data/letter_templates/tr.txt")),
    ("ur", include_str!("data/letter_templates/ur.txt")),
    ("fa", include_str!("data/letter_templates/fa.txt")),
    ("ti", include_str!("data/letter_templates/ti.txt")),
    ("ckb", include_str!("data/letter_templates/ckb.txt")),
];

/// A shipped file as written: its header and its three texts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShippedFile {
    language: String,
    reviewed: bool,
    input: TemplateInput,
}

/// Reads one file; `None` when its header or layout is not as the README says.
fn read_shipped(text: &str) -> Option<ShippedFile> {
    let text = text.replace("\r\n", "\n");
    let (header, rest) = text.split_once("\n\n")?;
    let (mut language, mut reviewed, mut headline) = (None, None, None);
    for line in header.lines().filter(|l| !l.starts_with('#')) {
        let (key, value) = line.split_once(':')?;
        let value = value.trim();
        match key.trim() {
            "language" => language = Some(value.to_string()),
            "reviewed" => {
                reviewed = Some(match value {
                    "yes" => true,
                    "no" => false,
                    _ => return None,
                })
            }
            "headline" => headline = Some(value.to_string()),
            "note" => {}
            _ => return None,
        }
    }
    let mut body = Vec::new();
    let mut offer: Option<Vec<&str>> = None;
    for line in rest.lines() {
        match offer.as_mut() {
            Some(o) => o.push(line),
            None if line.trim() == "[offer]" => offer = Some(Vec::new()),
            None => body.push(line),
        }
    }
    Some(ShippedFile {
        language: language?,
        reviewed: reviewed?,
        input: TemplateInput { headline: headline?, body: body.join("\n"), offer: offer?.join("\n") },
    })
}

fn shipped_all() -> &'static [LetterTemplate] {
    static ALL: OnceLock<Vec<LetterTemplate>> = OnceLock::new();
    ALL.get_or_init(|| {
        SHIPPED
            .iter()
            .filter_map(|(code, text)| {
                let file = read_shipped(text).filter(|f| f.language == *code)?;
                let mut t = file.input.parse(code).ok()?;
                t.reviewed = file.reviewed;
                Some(t)
            })
            .collect()
    })
}

/// The shipped template of `language` (ISO 639 code), if one is shipped.
pub fn shipped(language: &str) -> Option<LetterTemplate> {
    let code = language.trim();
    shipped_all().iter().find(|t| t.language.eq_ignore_ascii_case(code)).cloned()
}

/// The languages a template is shipped in, Danish first.
pub fn shipped_languages() -> Vec<&'static str> {
    shipped_all().iter().map(|t| t.language.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letter_check::{self, CheckContext, Rule, Severity, check, has_errors};
    use crate::reference::MotivationFactor;

    const LANGUAGES: [&str; 9] = ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"];
    const MUNICIPALITY: &str = "Søby Kommune";
    const DPO: &str = "dpo@soeby.dk";

    fn ctx<'a>(factors: &'a [MotivationFactor], municipality: &'a str, dpo: &'a str) -> CheckContext<'a> {
        CheckContext {
            motivation_factors: factors,
            municipality_name: municipality,
            dpo_contact: dpo,
            data_from_her: false,
        }
    }

    fn danish() -> LetterTemplate {
        shipped("da").unwrap()
    }

    fn input(headline: &str, body: &str, offer: &str) -> TemplateInput {
        TemplateInput { headline: headline.into(), body: body.into(), offer: offer.into() }
    }

    #[test]
    fn every_letter_language_is_shipped_and_parses_back() {
        assert_eq!(shipped_languages(), LANGUAGES.to_vec(), "a shipped file failed to read or parse");
        for code in LANGUAGES {
            let t = shipped(code).unwrap_or_else(|| panic!("no {code} template"));
            assert_eq!(t.language, code);
            let back = TemplateInput::from(&t).parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!((&back.headline, &back.body, &back.offer), (&t.headline, &t.body, &t.offer), "{code}");
            for text in [&t.headline, &t.body, &t.offer] {
                assert!(unknown_placeholders(text).is_empty(), "{code}: {:?}", unknown_placeholders(text));
            }
            assert!(TemplateInput::from(&t).missing_placeholders().is_empty(), "{code}");
            // Every shipped letter says where she meets and where her data came from.
            let all = format!("{} {} {}", t.headline, t.body, t.offer);
            for p in PLACEHOLDERS {
                assert!(placeholders_in(&all).contains(&p), "{code} lacks {{{p}}}");
            }
            assert!(placeholders_in(&t.offer).contains(&"meeting"), "{code}: the offer says when and where");
        }
        assert!(shipped("xx").is_none());
        assert_eq!(shipped(" DA ").map(|t| t.language), Some("da".into()));
    }

    #[test]
    fn the_danish_letter_passes_the_letter_check() {
        let letter = render(&danish(), &sample_fill(MUNICIPALITY, DPO));
        let findings = check(&letter, &ctx(&[], MUNICIPALITY, DPO));
        assert!(!has_errors(&findings), "{findings:#?}\n\n{}\n\n{}", letter.body, letter.offer);
        // Not even a Warning: long sentence, storage period and complaint are all there.
        assert!(findings.is_empty(), "{findings:#?}");
        let l = letter_check::lix(&format!("{}\n\n{}", letter.body, letter.offer));
        assert!(l.value <= letter_check::MAX_LIX, "{l:?}");
        // With another municipality and a DPO phone number as well.
        let (m, dpo) = ("Vestby Kommune", "70 20 30 40");
        let letter = render(&danish(), &sample_fill(m, dpo));
        let findings = check(&letter, &ctx(&[], m, dpo));
        assert!(!has_errors(&findings), "{findings:#?}");
    }

    #[test]
    fn the_danish_letter_speaks_to_several_motivation_factors() {
        // G-5.6 names economy, community and network; G-3 lists six. The letter speaks to
        // all but permanent residence, which a general letter should not promise.
        let letter = render(&danish(), &sample_fill(MUNICIPALITY, DPO));
        for f in MotivationFactor::ALL.into_iter().filter(|f| *f != MotivationFactor::PermanentResidence) {
            let findings = check(&letter, &ctx(&[f], MUNICIPALITY, DPO));
            assert!(!findings.iter().any(|x| x.rule == Rule::Motivation), "{}: {findings:#?}", f.code());
        }
    }

    #[test]
    fn the_english_letter_is_complete_and_reviewed() {
        let t = shipped("en").unwrap();
        assert!(t.reviewed);
        assert!(!t.headline.is_empty() && t.headline.chars().count() <= letter_check::MAX_HEADLINE_CHARS);
        assert!(t.offer.contains("{meeting}"));
        for phrase in ["voluntary", "did not ask", "Datatilsynet", "object", "{source}", "{dpo}", "Article 6(1)(e)"] {
            assert!(t.body.contains(phrase), "{phrase}");
        }
    }

    #[test]
    fn drafts_are_unreviewed_and_right_to_left_follows_the_script() {
        for code in LANGUAGES {
            let t = shipped(code).unwrap();
            assert_eq!(t.reviewed, matches!(code, "da" | "en"), "{code}");
            let rtl = reference::language(code).unwrap().right_to_left;
            assert_eq!(rtl, matches!(code, "ar" | "ur" | "fa" | "ckb"), "{code}");
            assert_eq!(t.right_to_left(), rtl, "{code}");
        }
    }

    #[test]
    fn every_rendered_letter_has_no_placeholder_left_and_no_error() {
        let fill = sample_fill(MUNICIPALITY, DPO);
        for code in LANGUAGES {
            let letter = render(&shipped(code).unwrap(), &fill);
            for text in [&letter.headline, &letter.body, &letter.offer] {
                assert!(!text.contains('{') && !text.contains('}'), "{code}: {text}");
            }
            assert!(letter.body.contains("Fatima") && letter.body.contains("K7M-4QX"), "{code}");
            assert_eq!(letter.contact_name.as_deref(), Some("Mette Hansen"));
            assert_eq!(letter.contact_phone.as_deref(), Some("12 34 56 78"));
            assert_eq!(letter.language, code);
            // Other languages get the language-independent rules: none may fail.
            let findings = check(&letter, &ctx(&[], MUNICIPALITY, DPO));
            assert!(!has_errors(&findings), "{code}: {findings:#?}");
            if code != "da" {
                assert!(findings.iter().all(|f| f.rule == Rule::LanguageNotChecked && f.severity == Severity::Warning));
            }
        }
    }

    #[test]
    fn values_are_isolated_in_right_to_left_letters_only() {
        let fill = sample_fill(MUNICIPALITY, DPO);
        let ar = render(&shipped("ar").unwrap(), &fill);
        assert!(ar.body.contains("\u{2068}12 34 56 78\u{2069}"));
        assert!(ar.body.contains("\u{2068}Fatima\u{2069}"));
        let da = render(&danish(), &fill);
        assert!(!da.body.contains('\u{2068}') && da.body.contains("Kære Fatima"));
    }

    #[test]
    fn render_fills_in_one_pass_and_leaves_what_is_not_a_placeholder() {
        let t = LetterTemplate {
            language: "da".into(),
            headline: "Til {name}".into(),
            body: "Kære {name}, {navn} {".into(),
            offer: "{meeting}".into(),
            reviewed: true,
        };
        let fill = Fill { name: "{meeting}".into(), meeting: "i morgen".into(), ..Fill::default() };
        let l = render(&t, &fill);
        assert_eq!(l.headline, "Til {meeting}");
        assert_eq!(l.body, "Kære {meeting}, {navn} {");
        assert_eq!(l.offer, "i morgen");
        assert_eq!((l.contact_name, l.contact_phone), (None, None));
    }

    #[test]
    fn placeholders_are_found_as_written() {
        assert_eq!(
            placeholders_in("Kære {name}, ring til {contact_name}. {name}"),
            vec!["name", "contact_name", "name"]
        );
        assert_eq!(placeholders_in("{navn} og { name }"), vec!["navn", " name "]);
        assert_eq!(unknown_placeholders("Kære {navn}, { name } {name}"), vec!["{navn}", "{ name }"]);
        assert_eq!(unknown_placeholders("a { b {name} c } d"), vec!["{", "}"]);
        assert_eq!(unknown_placeholders("{name\n}"), vec!["{", "}"]);
        assert_eq!(unknown_placeholders("{}"), vec!["{}"]);
        assert!(unknown_placeholders("Kære {name}, ring på {contact_phone}").is_empty());
        for p in PLACEHOLDERS {
            assert_eq!(sample_fill("K", "d").value(p).map(str::is_empty), Some(false), "{p}");
        }
        assert_eq!(Fill::default().value("navn"), None);
    }

    #[test]
    fn unknown_placeholders_are_refused_on_their_field() {
        let good = TemplateInput::from(&danish());
        let mut bad = good.clone();
        bad.headline = "Hej {navn}".into();
        bad.offer = format!("{} {{tid}}", good.offer);
        let e = bad.parse("da").unwrap_err();
        assert_eq!(e.for_field("headline"), Some("error-template-unknown-placeholder"));
        assert_eq!(e.for_field("offer"), Some("error-template-unknown-placeholder"));
        assert_eq!(e.for_field("body"), None);
        let mut stray = good.clone();
        stray.body = format!("{}\n\nRing {{contact_phone", good.body);
        assert_eq!(stray.parse("da").unwrap_err().for_field("body"), Some("error-template-unknown-placeholder"));
    }

    #[test]
    fn missing_placeholders_are_named() {
        let good = TemplateInput::from(&danish());
        let mut no_phone = good.clone();
        no_phone.body = good.body.replace("{contact_phone}", "12 34 56 78");
        assert_eq!(no_phone.missing_placeholders(), vec!["contact_phone"]);
        let e = no_phone.parse("da").unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert_eq!(e.for_field("body"), Some("error-template-missing-placeholder"));
        // The code may stand in the offer instead.
        let mut moved = good.clone();
        moved.body = good.body.replace("{response_code}", "koden");
        assert_eq!(moved.missing_placeholders(), vec!["response_code"]);
        moved.offer = format!("{} Din kode er {{response_code}}.", good.offer);
        assert!(moved.parse("da").is_ok());
        // Her name belongs in the body, not only the headline.
        let mut name = good.clone();
        name.body = good.body.replace("{name}", "borger");
        name.headline = "Til {name}".into();
        assert_eq!(name.missing_placeholders(), vec!["name"]);
        assert_eq!(name.parse("da").unwrap_err().for_field("body"), Some("error-template-missing-placeholder"));
        let bare = input("Job", "Kære dig", "Vi mødes.");
        assert_eq!(bare.missing_placeholders(), vec!["name", "contact_name", "contact_phone", "response_code"]);
    }

    #[test]
    fn empty_and_overlong_fields_are_refused() {
        let e = TemplateInput::default().parse("da").unwrap_err();
        for f in ["headline", "body", "offer"] {
            assert_eq!(e.for_field(f), Some("error-required"), "{f}");
        }
        assert_eq!(e.0.len(), 3, "an empty body is only required, not also missing placeholders: {e}");
        let e = input("  ", "\n \r\n", "x").parse("da").unwrap_err();
        assert_eq!((e.for_field("headline"), e.for_field("body")), (Some("error-required"), Some("error-required")));
        let good = TemplateInput::from(&danish());
        let long = |n: usize| "a".repeat(n + 1);
        for (f, n) in [("headline", MAX_HEADLINE_LEN), ("body", MAX_BODY_LEN), ("offer", MAX_OFFER_LEN)] {
            let mut i = good.clone();
            match f {
                "headline" => i.headline = long(n),
                "body" => i.body = format!("{}{}", good.body, long(n)),
                _ => i.offer = long(n),
            }
            assert_eq!(i.parse("da").unwrap_err().for_field(f), Some("error-too-long"), "{f}");
        }
        assert_eq!(good.parse("xx").unwrap_err().for_field("language"), Some("error-unknown-choice"));
    }

    #[test]
    fn parse_normalises_and_marks_only_danish_reviewed() {
        let mut i = TemplateInput::from(&danish());
        i.body = format!("  {}  ", i.body.replace('\n', "\r\n"));
        let t = i.parse(" DA ").unwrap();
        assert_eq!(t, danish());
        assert!(t.reviewed);
        let en = TemplateInput::from(&shipped("en").unwrap()).parse("en").unwrap();
        assert!(!en.reviewed, "an edited translation is a draft again");
    }

    #[test]
    fn shipped_files_follow_their_format() {
        for (code, text) in SHIPPED {
            let f = read_shipped(text).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(f.language, code);
            assert!(!f.input.offer.trim().is_empty(), "{code}: no [offer]");
            assert!(!f.input.body.contains("[offer]"), "{code}");
        }
        assert!(read_shipped("language: da\nreviewed: maybe\nheadline: x\n\nb\n[offer]\no").is_none());
        assert!(read_shipped("language: da\nreviewed: no\nheadline: x\n\nb").is_none(), "no offer");
        assert!(read_shipped("language: da\nreviewed: no\nmood: x\nheadline: x\n\nb\n[offer]\no").is_none());
        let f =
            read_shipped("# c\nlanguage: da\nreviewed: no\nheadline: H\n\nKære {name}\n\nTekst\n[offer]\nO").unwrap();
        assert_eq!((f.input.body.as_str(), f.input.offer.as_str(), f.reviewed), ("Kære {name}\n\nTekst", "O", false));
    }

    #[test]
    fn fill_debug_hides_her_name_and_code() {
        let s = format!("{:?}", sample_fill(MUNICIPALITY, DPO));
        assert!(!s.contains("Fatima") && !s.contains("K7M-4QX"), "{s}");
        assert!(s.contains("Mette Hansen"));
    }
}
