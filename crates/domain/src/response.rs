//! Her own answer to a letter (issue 4, item 4; G-5.6, G-2.2): every letter carries a
//! short, unguessable response code; on a public page, in her language and without a
//! login, she answers "yes, call me" (with a time and a language), "not now" or "no,
//! never contact me again". The page shows nothing about her.
//!
//! Only a SHA-256 of a code is stored. A code is single-purpose (it answers that one
//! letter, once) and expires. What each answer does to her funnel is decided here.

use crate::ambassador::BestTime;
use crate::code_enum;
use crate::funnel::EventKind;
use crate::validation::FieldErrors;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// Letters a code is written with: no 0/O, 1/I/L, so that a code read off paper is
/// typed right.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 31^10 ≈ 8·10^14 codes (about 49 bits): with the page's rate limit, guessing one of
/// a municipality's few thousand live codes takes far longer than a code lives.
pub const CODE_LEN: usize = 10;
/// How long a code answers its letter.
pub const VALID_DAYS: i64 = 90;

/// A new code from 16 random bytes (the caller's CSPRNG).
pub fn new_code(random: &[u8; 16]) -> String {
    let mut n = u128::from_le_bytes(*random);
    let base = ALPHABET.len() as u128;
    (0..CODE_LEN)
        .map(|_| {
            let c = ALPHABET[(n % base) as usize];
            n /= base;
            char::from(c)
        })
        .collect()
}

/// The code as printed: two groups of five.
pub fn display(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(5));
    format!("{a}-{b}")
}

/// A typed code, forgiving case, spaces and hyphens; `None` when it cannot be one.
pub fn normalise(input: &str) -> Option<String> {
    let code: String =
        input.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The plain SHA-256 of a code, as codes were stored before issue 13, item 9: still
/// looked up for rows not yet re-keyed (`keyed_code_hash`).
pub fn code_hash(code: &str) -> String {
    Sha256::digest(code.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What a keyed hash starts with in the store; a plain SHA-256 is 64 hex digits.
pub const KEYED_PREFIX: &str = "hmac:";

/// What is stored: a keyed hash (HMAC-SHA256 under the server key, which is kept
/// outside the database), so that a copy of the database alone cannot test guessed
/// codes (issue 13, item 9). It is taken over the plain hash, so an older row is
/// re-keyed without knowing its code (`rekeyed`).
pub fn keyed_code_hash(key: &crate::do_not_contact::DncKey, code: &str) -> String {
    rekeyed(key, &code_hash(code))
}

/// An older row's plain hash, keyed.
pub fn rekeyed(key: &crate::do_not_contact::DncKey, plain_hash: &str) -> String {
    format!("{KEYED_PREFIX}{}", key.mac("response-code", plain_hash.as_bytes()))
}

pub fn expires_at(issued_at: OffsetDateTime) -> OffsetDateTime {
    issued_at + Duration::days(VALID_DAYS)
}

/// Why a code does not answer. The page says which (none of it is about her).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    Unknown,
    Expired,
    Used,
    TooManyTries,
}

impl CodeRefused {
    /// The key of the page's text (`text`).
    pub fn text_key(self) -> &'static str {
        match self {
            CodeRefused::Unknown => "refused_unknown",
            CodeRefused::Expired => "refused_expired",
            CodeRefused::Used => "refused_used",
            CodeRefused::TooManyTries => "refused_too_many",
        }
    }
}

/// Whether a stored code may answer now.
pub fn may_answer(
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), CodeRefused> {
    if used_at.is_some() {
        return Err(CodeRefused::Used);
    }
    if now > expires_at {
        return Err(CodeRefused::Expired);
    }
    Ok(())
}

code_enum! {
    pub enum Choice {
        CallMe = "call_me",
        NotNow = "not_now",
        NeverAgain = "never",
    }
}

/// Her answer, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub choice: Choice,
    /// "Yes, call me": when suits her.
    pub best_time: BestTime,
    /// "Yes, call me": the language she wants to speak (ISO 639).
    pub language: Option<String>,
    /// "Yes, call me": the number to call, when she gives one. A woman found in the
    /// registers often has none on record, and without it no call list reaches her.
    pub phone: Option<crate::PhoneNumber>,
    /// She says the phone is hers alone (G-2.4: only such a number may be called for a
    /// woman who is safe contact only).
    pub phone_hers_alone: bool,
}

/// The page's form, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AnswerInput {
    pub code: String,
    pub choice: String,
    pub best_time: String,
    pub language: String,
    pub phone: String,
    pub own_phone: String,
}

impl AnswerInput {
    /// The answer, or the fields to fix (`code` and `choice`, keys of `text`).
    pub fn parse(&self) -> Result<(String, Answer), FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = normalise(&self.code);
        if code.is_none() {
            errors.add("code", "refused_unknown");
        }
        let choice = Choice::from_code(self.choice.trim());
        if choice.is_none() {
            errors.add("choice", "choose");
        }
        let best_time = BestTime::from_code(self.best_time.trim()).unwrap_or(BestTime::Any);
        let language = crate::reference::language(self.language.trim()).map(|l| l.code.to_string());
        // Only "yes, call me" keeps a number: she asked to be called on it.
        let phone = match (choice, self.phone.trim()) {
            (Some(Choice::CallMe), raw) if !raw.is_empty() => match crate::PhoneNumber::parse(raw) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("phone", "door_error_phone");
                    None
                }
            },
            _ => None,
        };
        let phone_hers_alone = phone.is_some() && !self.own_phone.trim().is_empty();
        match (code, choice) {
            (Some(code), Some(choice)) if errors.is_empty() => {
                Ok((code, Answer { choice, best_time, language, phone, phone_hers_alone }))
            }
            _ => Err(errors),
        }
    }
}

impl Answer {
    /// The event her answer is in her funnel (product.md: "yes, call me" is
    /// `interested`, "never" is final).
    pub fn event_kind(&self) -> EventKind {
        match self.choice {
            Choice::CallMe => EventKind::Interested,
            Choice::NotNow => EventKind::NotNow,
            Choice::NeverAgain => EventKind::NeverContactAgain,
        }
    }

    /// The note on the event: what she said, in the staff's language (Danish).
    pub fn note(&self) -> String {
        match self.choice {
            Choice::CallMe => format!(
                "Svar på brev: ja, ring til mig. Bedst: {}. Sprog: {}.",
                self.best_time.danish(),
                self.language
                    .as_deref()
                    .map_or_else(|| "ikke oplyst".to_string(), crate::ambassador::language_in_danish)
            ),
            Choice::NotNow => "Svar på brev: ikke nu.".into(),
            Choice::NeverAgain => "Svar på brev: nej, kontakt mig aldrig igen.".into(),
        }
    }
}

// ---------------------------------------------------------------------------------
// The page's texts, in her language
// ---------------------------------------------------------------------------------

const TEXTS_TSV: &str = include_str!("data/response_texts.tsv");

/// The letter languages the page is written in.
pub const LANGUAGES: [&str; 9] = ["da", "en", "ar", "so", "tr", "ur", "fa", "ti", "ckb"];

/// A letter language's name in itself, for the language pickers she reads.
pub fn endonym(code: &str) -> &'static str {
    match code {
        "da" => "Dansk",
        "en" => "English",
        "ar" => "العربية",
        "so" => "Soomaali",
        "tr" => "Türkçe",
        "ur" => "اردو",
        "fa" => "فارسی",
        "ti" => "ትግርኛ",
        "ckb" => "کوردی (سۆرانی)",
        _ => "",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageText {
    pub text: &'static str,
    pub language: &'static str,
    pub right_to_left: bool,
    /// Checked by a qualified translator (Danish and English are the project's own).
    pub reviewed: bool,
}

/// Text `key` in `language`, or in Danish when the page is not written in it.
pub fn text(key: &str, language: &str) -> Option<PageText> {
    let find = |lang: &str| {
        TEXTS_TSV.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
            let mut cols = line.splitn(4, '\t');
            let (k, l, reviewed, text) = (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
            (k == key && l == lang).then(|| PageText {
                text: if text == "-" { "" } else { text },
                language: LANGUAGES.into_iter().find(|x| *x == l).unwrap_or("da"),
                right_to_left: crate::reference::language(l).is_some_and(|x| x.right_to_left),
                reviewed: reviewed == "yes",
            })
        })
    };
    find(language).or_else(|| find("da"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_are_typed_back_however_written_and_only_their_hash_is_kept() {
        let code = new_code(&[7; 16]);
        assert_eq!(code.len(), CODE_LEN);
        assert_ne!(code, new_code(&[8; 16]));
        let printed = display(&code);
        assert_eq!(normalise(&printed.to_lowercase()), Some(code.clone()));
        assert_eq!(normalise(&format!(" {} ", printed.replace('-', " "))), Some(code.clone()));
        assert_eq!(normalise("ABCDE-FGHI0"), None, "0 is not in the alphabet");
        assert_eq!(normalise("ABCDE"), None);
        assert_eq!(code_hash(&code).len(), 64);
        let key = crate::do_not_contact::DncKey::new(vec![3; 32]).unwrap();
        let other = crate::do_not_contact::DncKey::new(vec![4; 32]).unwrap();
        let keyed = keyed_code_hash(&key, &code);
        assert!(keyed.starts_with(KEYED_PREFIX) && !keyed.contains(&code_hash(&code)));
        assert_eq!(keyed, rekeyed(&key, &code_hash(&code)), "an old row re-keys to what a new one stores");
        assert_ne!(keyed, keyed_code_hash(&other, &code), "the key matters");
        assert!(!code_hash(&code).contains(&code));
    }

    #[test]
    fn a_code_answers_once_and_not_after_it_expires() {
        let issued = datetime!(2026-11-01 10:00 UTC);
        let until = expires_at(issued);
        assert_eq!(may_answer(until, None, issued), Ok(()));
        assert_eq!(may_answer(until, None, until + Duration::seconds(1)), Err(CodeRefused::Expired));
        assert_eq!(may_answer(until, Some(issued), issued), Err(CodeRefused::Used));
    }

    #[test]
    fn answers_become_the_product_s_events() {
        let input = |choice: &str| AnswerInput {
            code: "23456-789AB".into(),
            choice: choice.into(),
            best_time: "evening".into(),
            language: "ar".into(),
            ..Default::default()
        };
        let (_, call) = input("call_me").parse().unwrap();
        assert_eq!(call.event_kind(), EventKind::Interested);
        assert_eq!(call.phone, None);
        let with_phone = AnswerInput { phone: "61 23 45 67".into(), own_phone: "on".into(), ..input("call_me") };
        let (_, call_on) = with_phone.parse().unwrap();
        assert!(call_on.phone.is_some() && call_on.phone_hers_alone);
        let (_, never) = AnswerInput { choice: "never".into(), ..with_phone.clone() }.parse().unwrap();
        assert_eq!(never.phone, None, "a number is kept only to call her");
        let bad = AnswerInput { phone: "12".into(), ..input("call_me") }.parse().unwrap_err();
        assert_eq!(bad.for_field("phone"), Some("door_error_phone"));
        assert_eq!(call.best_time, BestTime::Evening);
        assert!(call.note().contains("aften") && call.note().contains("arabisk"), "{}", call.note());
        assert_eq!(input("not_now").parse().unwrap().1.event_kind(), EventKind::NotNow);
        assert_eq!(input("never").parse().unwrap().1.event_kind(), EventKind::NeverContactAgain);
        let errors = AnswerInput { code: "nope".into(), ..input("maybe") }.parse().unwrap_err();
        assert_eq!(errors.for_field("code"), Some("refused_unknown"));
        assert_eq!(errors.for_field("choice"), Some("choose"));
    }

    #[test]
    fn every_text_exists_in_every_letter_language_rtl_where_the_script_is() {
        let keys: Vec<&str> =
            TEXTS_TSV.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split('\t').next()).collect();
        for key in &keys {
            for lang in LANGUAGES {
                let t = text(key, lang).unwrap();
                assert_eq!(t.language, lang, "{key} in {lang}");
                assert_eq!(t.right_to_left, matches!(lang, "ar" | "ur" | "fa" | "ckb"), "{lang}");
                assert_eq!(t.reviewed, matches!(lang, "da" | "en"), "machine drafts are marked: {key} {lang}");
                if *key != "draft_note" || !t.reviewed {
                    assert!(!t.text.is_empty(), "{key} in {lang}");
                }
            }
        }
        assert_eq!(text("title", "xx").unwrap().language, "da");
        for r in [CodeRefused::Unknown, CodeRefused::Expired, CodeRefused::Used, CodeRefused::TooManyTries] {
            assert!(text(r.text_key(), "so").is_some());
        }
    }
}
