//! The letter check ("lint", issue 4 item 2): holds a letter against the guide's letter
//! rules (G-5.6, G-8.4) and the information GDPR Art. 14 requires when her data did not
//! come from her. Shown live while a letter is written and run again before a batch is
//! sent; a batch with an Error finding is not sent unless a coordinator overrides it
//! with a recorded reason (that gate lives with the batch, not here).
//!
//! Pure: no I/O. Every finding names its rule (a G-id or a GDPR article), a Fluent
//! message id and where it is — part, paragraph, sentence and byte range — so that the
//! editor can highlight it.
//!
//! The text rules are phrase-based and written for Danish: `data/letter_phrases.tsv`
//! lists, per rule, what counts; `data/letter_jargon.tsv` the jargon and a plain
//! explanation for each; `data/letter_abbreviations.tsv` the abbreviations that do not
//! end a sentence. A letter in another language gets the language-independent rules
//! (headline present and short, contact person, no CPR number) and one Warning that the
//! rest was not checked: the letter goes out bilingual, and its Danish half is the one
//! checked in full (issue 4 item 1).

mod analysed;
mod cpr_in_clear;
mod lix;
mod rules;
#[cfg(test)]
mod tests;
mod words;

pub use lix::{Lix, lix};

use crate::code_enum;
use crate::reference::MotivationFactor;
use analysed::Analysed;
use rules::{
    check_art14, check_coercion, check_contact, check_cpr, check_headline, check_jargon, check_lix,
    check_long_sentences, check_motivation, check_offer, require,
};
use std::ops::Range;
use words::{lexicon, phrases};

/// G-5.6 plain language: LIX above 35 is "medium" (newspapers) in the Danish bands
/// (danish-conventions.md, "LIX").
pub const MAX_LIX: f64 = 35.0;
/// LIX counts a word as long from seven letters on.
pub const LONG_WORD_LETTERS: usize = 7;
/// G-5.6: "a headline that at once says what it is about" — short enough to take in at
/// a glance.
pub const MAX_HEADLINE_CHARS: usize = 60;
pub const MAX_HEADLINE_WORDS: usize = 8;
/// G-8.4: "describe the offer in short precise sentences, e.g. three sentences".
pub const MAX_OFFER_SENTENCES: usize = 3;
pub const MAX_OFFER_SENTENCE_WORDS: usize = 20;
/// G-8.4 "short precise sentences": longer ones elsewhere in the letter get a Warning,
/// as a hint where to cut when the LIX is too high.
pub const MAX_SENTENCE_WORDS: usize = 25;

// ---------------------------------------------------------------------------------
// What goes in and what comes out
// ---------------------------------------------------------------------------------

/// A letter as the editor holds it, before rendering.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    pub headline: String,
    /// Paragraphs separated by blank lines: greeting, text, the GDPR paragraph,
    /// signature.
    pub body: String,
    /// The offer paragraph (G-8.4: at most three short sentences).
    pub offer: String,
    /// Her contact person (G-5.6, G-8.5).
    pub contact_name: Option<String>,
    /// The contact person's direct number (G-8.5).
    pub contact_phone: Option<String>,
    /// ISO 639 code of the text; only Danish ("da") gets the phrase-based rules.
    pub language: String,
}

/// What the check needs to know beyond the letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckContext<'a> {
    /// The factors recorded for her (G-3); empty when none are recorded. The letter
    /// must speak to at least one of the six; when some are recorded and it speaks to
    /// none of those, that is a Warning.
    pub motivation_factors: &'a [MotivationFactor],
    /// E.g. "Søby Kommune": "Søby Kommune skriver til dig" says whose initiative it
    /// is, and the name alone does not make a headline specific.
    pub municipality_name: &'a str,
    /// The data protection officer's contact from configuration, e.g. an e-mail
    /// address. The letter names it (GDPR Art. 14(1)(b)).
    pub dpo_contact: &'a str,
    /// True when her data came from her (she asked to be contacted): then Art. 13 was
    /// met when she gave them, and the Art. 14 rules are not checked.
    pub data_from_her: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks sending unless a coordinator overrides it with a recorded reason.
    Error,
    Warning,
}

code_enum! {
    /// The rules, each with the guide id or article it serves.
    pub enum Rule {
        Headline = "headline",
        Lix = "lix",
        Voluntary = "voluntary",
        /// Issue 14, item 8: an order with a sanction, or a threat, in a letter about
        /// something voluntary.
        Coercion = "coercion",
        MunicipalityInitiative = "initiative",
        ContactPerson = "contact_person",
        Motivation = "motivation",
        Jargon = "jargon",
        Offer = "offer",
        LongSentence = "long_sentence",
        CprInClear = "cpr_in_clear",
        Art14Source = "gdpr_source",
        Art14Purpose = "gdpr_purpose",
        Art14LegalBasis = "gdpr_legal_basis",
        Art14Objection = "gdpr_objection",
        Art14Dpo = "gdpr_dpo",
        Art14Complaint = "gdpr_complaint",
        Art14StoragePeriod = "gdpr_storage",
        LanguageNotChecked = "language_not_checked",
    }
}

impl Rule {
    /// The guide id(s) or legal reference the rule serves, as shown to the writer.
    pub fn guide_ref(self) -> &'static str {
        match self {
            Rule::Headline => "G-5.6",
            Rule::Lix => "G-5.6",
            Rule::Voluntary => "G-5.6, G-8.4, G-1.1",
            Rule::Coercion => "G-1.1, G-5.6, G-8.4",
            Rule::MunicipalityInitiative => "G-5.6",
            Rule::ContactPerson => "G-5.6, G-8.5",
            Rule::Motivation => "G-5.6, G-3",
            Rule::Jargon => "G-5.6, G-8.4",
            Rule::Offer => "G-8.4",
            Rule::LongSentence => "G-8.4",
            // Data minimisation, and Art. 87 (national identification numbers) under
            // which Danish law limits showing the CPR number (danish-conventions.md).
            Rule::CprInClear => "GDPR Art. 5(1)(c), Art. 87",
            Rule::Art14Source => "GDPR Art. 14(2)(f)",
            Rule::Art14Purpose => "GDPR Art. 14(1)(c)",
            Rule::Art14LegalBasis => "GDPR Art. 14(1)(c)",
            Rule::Art14Objection => "GDPR Art. 14(2)(c), Art. 21(4)",
            Rule::Art14Dpo => "GDPR Art. 14(1)(b)",
            Rule::Art14Complaint => "GDPR Art. 14(2)(e)",
            Rule::Art14StoragePeriod => "GDPR Art. 14(2)(a)",
            Rule::LanguageNotChecked => "G-5.6",
        }
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Which part of the letter a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Headline,
    Body,
    Offer,
    ContactName,
    ContactPhone,
}

/// Where a finding is: `range` is a byte range into the part's text. Paragraph and
/// sentence are 0-based; the sentence is counted within its paragraph. A finding about
/// something missing points at the whole part, with no paragraph or sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    pub part: Part,
    pub paragraph: Option<usize>,
    pub sentence: Option<usize>,
    pub range: Range<usize>,
}

impl Place {
    fn whole(part: Part, text: &str) -> Place {
        Place { part, paragraph: None, sentence: None, range: 0..text.len() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub place: Place,
    /// A Fluent message id, e.g. `lint-lix-too-high`.
    pub message_id: &'static str,
    /// The Fluent arguments of the message. Never holds a CPR number.
    pub args: Vec<(&'static str, String)>,
}

/// Whether any finding blocks sending (issue 4 item 2: a batch with errors cannot be
/// sent without a coordinator's recorded override).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

// ---------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------

/// Checks `letter`. The findings come rule by rule — first the rules that hold in any
/// language, then the Danish ones — each rule's in reading order. No findings means the
/// letter passes every rule; see [`has_errors`] for whether it may be sent.
pub fn check(letter: &Letter, ctx: &CheckContext) -> Vec<Finding> {
    let lex = lexicon();
    let headline = Analysed::new(Part::Headline, &letter.headline, lex);
    let body = Analysed::new(Part::Body, &letter.body, lex);
    let offer = Analysed::new(Part::Offer, &letter.offer, lex);
    let parts = [&headline, &body, &offer];
    let danish = letter.language.trim().eq_ignore_ascii_case("da");
    let mut out = Vec::new();

    // Any language.
    check_headline(&headline, danish, ctx, lex, &mut out);
    check_contact(letter, &body, &offer, danish, &mut out);
    check_cpr(&parts, &mut out);
    if !danish {
        // The phrase lists and LIX are Danish; the letter's Danish half is checked in full.
        out.push(Finding {
            rule: Rule::LanguageNotChecked,
            severity: Severity::Warning,
            place: Place::whole(Part::Body, &letter.body),
            message_id: "lint-language-not-checked",
            args: vec![("language", letter.language.trim().to_string())],
        });
        return out;
    }

    // Danish only.
    check_lix(&body, &offer, &mut out);
    require(&parts, &phrases(lex, "voluntary", ctx), Rule::Voluntary, "lint-not-voluntary", &body, &mut out);
    check_coercion(&parts, lex, &mut out);
    require(
        &parts,
        &phrases(lex, "initiative", ctx),
        Rule::MunicipalityInitiative,
        "lint-no-initiative",
        &body,
        &mut out,
    );
    check_motivation(&parts, &body, ctx, lex, &mut out);
    check_jargon(&parts, lex, &mut out);
    check_offer(&offer, &mut out);
    check_long_sentences(&body, &mut out);
    if !ctx.data_from_her {
        check_art14(&parts, &body, ctx, lex, &mut out);
    }
    out
}
