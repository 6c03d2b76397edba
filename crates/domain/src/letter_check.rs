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

use crate::code_enum;
use crate::cpr::Cpr;
use crate::phone::PhoneNumber;
use crate::reference::MotivationFactor;
use std::ops::Range;
use std::sync::OnceLock;

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

fn check_headline(h: &Analysed, danish: bool, ctx: &CheckContext, lex: &Lexicon, out: &mut Vec<Finding>) {
    let text = h.text.trim();
    let place = Place::whole(Part::Headline, h.text);
    if text.is_empty() {
        out.push(error(Rule::Headline, place, "lint-headline-missing", vec![]));
        return;
    }
    let chars = text.chars().count();
    let words = lix_words(text).count();
    if chars > MAX_HEADLINE_CHARS || words > MAX_HEADLINE_WORDS {
        out.push(error(
            Rule::Headline,
            place.clone(),
            "lint-headline-too-long",
            vec![
                ("chars", chars.to_string()),
                ("words", words.to_string()),
                ("max_chars", MAX_HEADLINE_CHARS.to_string()),
                ("max_words", MAX_HEADLINE_WORDS.to_string()),
            ],
        ));
    }
    // Generic: nothing but filler words ("Vigtigt brev fra kommunen"), which say
    // nothing of what the letter is about (G-5.6). Danish filler words only.
    if danish {
        let municipality: Vec<String> = tokens(ctx.municipality_name).into_iter().map(|t| t.lower).collect();
        let generic = h.tokens.iter().all(|t| {
            municipality.contains(&t.lower) || lex.phrases_of("headline_filler").any(|p| p.matches_word(&t.lower))
        });
        if generic {
            out.push(error(Rule::Headline, place, "lint-headline-generic", vec![]));
        }
    }
}

fn check_lix(body: &Analysed, offer: &Analysed, out: &mut Vec<Finding>) {
    // The headline is left out, as LIX is measured on running text (danish-conventions.md:
    // "strip headings"); body and offer are read together.
    let l = lix(&format!("{}\n\n{}", body.text, offer.text));
    if l.value > MAX_LIX {
        out.push(error(
            Rule::Lix,
            Place::whole(Part::Body, body.text),
            "lint-lix-too-high",
            vec![
                ("lix", format!("{:.1}", l.value)),
                ("max", format!("{MAX_LIX:.0}")),
                ("words", l.words.to_string()),
                ("sentences", l.sentences.to_string()),
                ("long_words", l.long_words.to_string()),
            ],
        ));
    }
}

fn check_contact(letter: &Letter, body: &Analysed, offer: &Analysed, danish: bool, out: &mut Vec<Finding>) {
    let name = letter.contact_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    match name {
        None => out.push(error(
            Rule::ContactPerson,
            Place::whole(Part::ContactName, letter.contact_name.as_deref().unwrap_or("")),
            "lint-contact-name-missing",
            vec![],
        )),
        // G-5.6 "signed by, or referring to, a staff member she knows": the letter text
        // itself names her. Only checked in Danish: another script may spell the name
        // differently.
        Some(name) if danish => {
            let pattern = Pattern::parse(&format!("{name}*"));
            let named = [body, offer].iter().any(|p| p.find(&pattern).next().is_some());
            if !named {
                out.push(error(
                    Rule::ContactPerson,
                    Place::whole(Part::Body, body.text),
                    "lint-contact-name-not-in-text",
                    vec![("name", name.to_string())],
                ));
            }
        }
        Some(_) => {}
    }
    let phone_text = letter.contact_phone.as_deref().unwrap_or("");
    if phone_text.trim().is_empty() {
        out.push(error(
            Rule::ContactPerson,
            Place::whole(Part::ContactPhone, phone_text),
            "lint-contact-phone-missing",
            vec![],
        ));
    } else if PhoneNumber::parse(phone_text).is_err() {
        out.push(error(
            Rule::ContactPerson,
            Place::whole(Part::ContactPhone, phone_text),
            "lint-contact-phone-invalid",
            vec![],
        ));
    }
}

fn check_motivation(parts: &[&Analysed], body: &Analysed, ctx: &CheckContext, lex: &Lexicon, out: &mut Vec<Finding>) {
    let spoken: Vec<MotivationFactor> = MotivationFactor::ALL
        .into_iter()
        .filter(|f| mentions(parts, &phrases(lex, &format!("motivation:{}", f.code()), ctx)))
        .collect();
    let wanted: Vec<MotivationFactor> = if ctx.motivation_factors.is_empty() {
        MotivationFactor::ALL.to_vec()
    } else {
        ctx.motivation_factors.to_vec()
    };
    let ids = |fs: &[MotivationFactor]| fs.iter().map(|f| f.guide_id()).collect::<Vec<_>>().join(", ");
    if spoken.is_empty() {
        out.push(error(
            Rule::Motivation,
            Place::whole(Part::Body, body.text),
            "lint-motivation-missing",
            vec![("factors", ids(&wanted))],
        ));
    } else if !spoken.iter().any(|f| wanted.contains(f)) {
        // It speaks to motivation, only not to what she said matters to her (G-3).
        out.push(Finding {
            rule: Rule::Motivation,
            severity: Severity::Warning,
            place: Place::whole(Part::Body, body.text),
            message_id: "lint-motivation-not-hers",
            args: vec![("factors", ids(&wanted))],
        });
    }
}

fn check_jargon(parts: &[&Analysed], lex: &Lexicon, out: &mut Vec<Finding>) {
    let explainers = lex.phrases_of("explanation").collect::<Vec<_>>();
    for entry in &lex.jargon {
        let hits: Vec<(&Analysed, Range<usize>)> =
            parts.iter().flat_map(|p| p.find(&entry.pattern).map(move |r| (*p, r))).collect();
        // Explained once anywhere, the word may be used again.
        if hits.iter().any(|(p, r)| p.explained(r.clone(), &explainers)) {
            continue;
        }
        for (p, r) in hits {
            let bytes = p.byte_range(r);
            let word = p.text.get(bytes.clone()).unwrap_or("").to_string();
            out.push(error(
                Rule::Jargon,
                p.place(bytes),
                "lint-jargon-unexplained",
                vec![("word", word), ("explanation", entry.explanation.to_string())],
            ));
        }
    }
}

fn check_offer(offer: &Analysed, out: &mut Vec<Finding>) {
    if offer.text.trim().is_empty() {
        out.push(error(Rule::Offer, Place::whole(Part::Offer, offer.text), "lint-offer-missing", vec![]));
        return;
    }
    let sentences: Vec<&Sentence> =
        offer.sentences.iter().filter(|s| lix_words(offer.slice(&s.range)).next().is_some()).collect();
    if sentences.len() > MAX_OFFER_SENTENCES {
        out.push(error(
            Rule::Offer,
            Place::whole(Part::Offer, offer.text),
            "lint-offer-too-many-sentences",
            vec![("count", sentences.len().to_string()), ("max", MAX_OFFER_SENTENCES.to_string())],
        ));
    }
    for s in sentences {
        let words = lix_words(offer.slice(&s.range)).count();
        if words > MAX_OFFER_SENTENCE_WORDS {
            out.push(error(
                Rule::Offer,
                offer.place(s.range.clone()),
                "lint-offer-sentence-too-long",
                vec![("words", words.to_string()), ("max", MAX_OFFER_SENTENCE_WORDS.to_string())],
            ));
        }
    }
}

fn check_long_sentences(body: &Analysed, out: &mut Vec<Finding>) {
    for s in &body.sentences {
        let words = lix_words(body.slice(&s.range)).count();
        if words > MAX_SENTENCE_WORDS {
            out.push(Finding {
                rule: Rule::LongSentence,
                severity: Severity::Warning,
                place: body.place(s.range.clone()),
                message_id: "lint-sentence-too-long",
                args: vec![("words", words.to_string()), ("max", MAX_SENTENCE_WORDS.to_string())],
            });
        }
    }
}

fn check_cpr(parts: &[&Analysed], out: &mut Vec<Finding>) {
    for p in parts {
        for r in cpr_ranges(p.text) {
            // No arguments: the message must not repeat the number.
            out.push(error(Rule::CprInClear, p.place(r), "lint-cpr-in-clear", vec![]));
        }
    }
}

fn check_art14(parts: &[&Analysed], body: &Analysed, ctx: &CheckContext, lex: &Lexicon, out: &mut Vec<Finding>) {
    // The items the issue names are Errors; Art. 14 also asks for the storage period and
    // the right to complain, which a letter may leave to the privacy notice it links to:
    // Warnings.
    let items = [
        ("source", Rule::Art14Source, Severity::Error, "lint-gdpr-source-missing"),
        ("purpose", Rule::Art14Purpose, Severity::Error, "lint-gdpr-purpose-missing"),
        ("legal_basis", Rule::Art14LegalBasis, Severity::Error, "lint-gdpr-legal-basis-missing"),
        ("objection", Rule::Art14Objection, Severity::Error, "lint-gdpr-objection-missing"),
    ];
    for (key, rule, severity, message_id) in items {
        if !mentions(parts, &phrases(lex, key, ctx)) {
            out.push(Finding { rule, severity, place: Place::whole(Part::Body, body.text), message_id, args: vec![] });
        }
    }
    if !mentions_dpo(parts, ctx, lex) {
        out.push(error(
            Rule::Art14Dpo,
            Place::whole(Part::Body, body.text),
            "lint-gdpr-dpo-missing",
            vec![("dpo", ctx.dpo_contact.trim().to_string())],
        ));
    }
    let warnings = [
        ("complaint", Rule::Art14Complaint, "lint-gdpr-complaint-missing"),
        ("storage", Rule::Art14StoragePeriod, "lint-gdpr-storage-missing"),
    ];
    for (key, rule, message_id) in warnings {
        if !mentions(parts, &phrases(lex, key, ctx)) {
            out.push(Finding {
                rule,
                severity: Severity::Warning,
                place: Place::whole(Part::Body, body.text),
                message_id,
                args: vec![],
            });
        }
    }
}

/// Art. 14(1)(b) asks for the officer's contact details, not only the role: the
/// configured contact appears in the letter, or a paragraph that names the officer
/// gives an e-mail address or a phone number (8 digits or more).
fn mentions_dpo(parts: &[&Analysed], ctx: &CheckContext, lex: &Lexicon) -> bool {
    let configured = squash(ctx.dpo_contact);
    if !configured.is_empty() && parts.iter().any(|p| squash(p.text).contains(&configured)) {
        return true;
    }
    let names = phrases(lex, "dpo", ctx);
    parts.iter().any(|p| {
        p.paragraphs.iter().any(|para| {
            let text = p.slice(para);
            let toks = tokens(text);
            let named = (0..toks.len()).any(|i| names.iter().any(|n| n.matches_at_all(&toks, i)));
            let digits = text.chars().filter(char::is_ascii_digit).count();
            named && (text.contains('@') || digits >= 8)
        })
    })
}

fn require(
    parts: &[&Analysed],
    patterns: &[Pattern],
    rule: Rule,
    message_id: &'static str,
    body: &Analysed,
    out: &mut Vec<Finding>,
) {
    if !mentions(parts, patterns) {
        out.push(error(rule, Place::whole(Part::Body, body.text), message_id, vec![]));
    }
}

fn error(rule: Rule, place: Place, message_id: &'static str, args: Vec<(&'static str, String)>) -> Finding {
    Finding { rule, severity: Severity::Error, place, message_id, args }
}

/// Lower case with every run of whitespace as one space, for comparing a configured
/// contact with the letter.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

// ---------------------------------------------------------------------------------
// LIX
// ---------------------------------------------------------------------------------

/// The LIX of a text: `words / sentences + 100 × long_words / words`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lix {
    pub words: usize,
    pub sentences: usize,
    pub long_words: usize,
    /// 0 for a text without words.
    pub value: f64,
}

/// Danish LIX (danish-conventions.md "LIX"), with these decisions:
///
/// - A word is a whitespace-separated token with at least one letter or digit, so
///   numbers ("10.00", "12") count as words, dashes and bullets do not.
/// - A word is long from 7 *letters* (Unicode letters: æ, ø, å count as one each;
///   digits and punctuation do not count). A hyphenated compound ("CPR-registeret",
///   "FGU-forløb") is one word with the letters of both halves, as Danish writes
///   compounds as one word. An e-mail or web address counts as a word but never as a
///   long one: it is copied, not read.
/// - A sentence ends at `.`, `!`, `?`, `:` or `…` (a run of them counts once, closing
///   quotes and brackets may follow) followed by whitespace and a capital letter, or by
///   the end of a paragraph. The colon counts because LIX counts it and because Danish
///   writes a capital after a colon only when a full sentence follows.
/// - So "kl. 10.00", "fx. 3. december", "ca. 5 km" never end a sentence. A dot after an
///   abbreviation from `data/letter_abbreviations.tsv` marked `inner` ("bl.a.", "f.eks.",
///   "tlf.", …), after a single capital letter (an initial, "Amina H. Hassan"; not "ø."
///   or "i.", Danish words) or after a number that begins the
///   sentence (a list item, "1.") does not end one even before a capital.
/// - A paragraph (blank-line separated) always ends a sentence, so a greeting or a
///   signature without a full stop is a sentence of its own.
pub fn lix(text: &str) -> Lix {
    let lex = lexicon();
    let (mut words, mut sentences, mut long_words) = (0, 0, 0);
    for para in paragraphs(text) {
        for s in split_sentences(text, para, lex) {
            let w: Vec<&str> = lix_words(text.get(s).unwrap_or("")).collect();
            if w.is_empty() {
                continue;
            }
            sentences += 1;
            words += w.len();
            long_words += w.iter().filter(|w| is_long(w)).count();
        }
    }
    let value =
        if words == 0 { 0.0 } else { words as f64 / sentences as f64 + 100.0 * long_words as f64 / words as f64 };
    Lix { words, sentences, long_words, value }
}

fn lix_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric))
}

fn is_long(word: &str) -> bool {
    let lower = word.to_lowercase();
    let address = word.contains('@') || lower.starts_with("http") || lower.starts_with("www.");
    !address && word.chars().filter(|c| c.is_alphabetic()).count() >= LONG_WORD_LETTERS
}

/// Blank-line separated paragraphs as byte ranges, each without its surrounding
/// whitespace.
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        if content.trim_start().is_empty() {
            if let Some(p) = current.take() {
                out.push(p);
            }
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let end = start + content.len();
        current = Some(match current {
            Some(p) => p.start..end,
            None => start + lead..end,
        });
    }
    if let Some(p) = current {
        out.push(p);
    }
    out
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ':' | '…')
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»' | '«')
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '[' | '“' | '„' | '‘' | '«' | '»')
}

/// The sentences of one paragraph, as byte ranges into `text` (see [`lix`] for what ends
/// a sentence).
fn split_sentences(text: &str, para: Range<usize>, lex: &Lexicon) -> Vec<Range<usize>> {
    let p = text.get(para.clone()).unwrap_or("");
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        if start.is_none() && !c.is_whitespace() {
            start = Some(at);
        }
        if !is_terminator(c) {
            i += 1;
            continue;
        }
        let mut j = i;
        while chars.get(j).is_some_and(|(_, c)| is_terminator(*c)) {
            j += 1;
        }
        let mut k = j;
        while chars.get(k).is_some_and(|(_, c)| is_closing(*c)) {
            k += 1;
        }
        let single_dot = c == '.' && j == i + 1;
        let ends = match chars.get(k) {
            None => true,
            Some(_) => capital_follows(&chars, k) && !(single_dot && dot_continues(p, start.unwrap_or(0), at, lex)),
        };
        if ends {
            let end = chars.get(k).map_or(p.len(), |(b, _)| *b);
            if let Some(s) = start.take() {
                out.push(para.start + s..para.start + end);
            }
        }
        i = k.max(i + 1);
    }
    if let Some(s) = start {
        let end = p.trim_end().len();
        if end > s {
            out.push(para.start + s..para.start + end);
        }
    }
    out
}

/// Whitespace, then (after any opening quotes or brackets) a capital letter.
fn capital_follows(chars: &[(usize, char)], k: usize) -> bool {
    let mut k = k;
    if !chars.get(k).is_some_and(|(_, c)| c.is_whitespace()) {
        return false;
    }
    while chars.get(k).is_some_and(|(_, c)| c.is_whitespace() || is_opening(*c)) {
        k += 1;
    }
    chars.get(k).is_some_and(|(_, c)| c.is_uppercase())
}

/// Whether the dot at byte `dot` of paragraph `p` belongs to an abbreviation, an
/// initial or a leading list number, so that the sentence goes on.
fn dot_continues(p: &str, sentence_start: usize, dot: usize, lex: &Lexicon) -> bool {
    let before = p.get(..dot).unwrap_or("");
    let token_start = before.char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(b, c)| b + c.len_utf8());
    let token_start = token_start.max(sentence_start);
    let word = before.get(token_start..).unwrap_or("").trim_start_matches(is_opening);
    let abbreviation = format!("{}.", word.to_lowercase());
    let mut letters = word.chars();
    let initial = matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase());
    let list_number = token_start == sentence_start && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit());
    initial || list_number || lex.inner_abbreviations.contains(&abbreviation)
}

// ---------------------------------------------------------------------------------
// Words and phrases
// ---------------------------------------------------------------------------------

/// A word for phrase matching: a run of letters and digits (or a lone "§"), lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    range: Range<usize>,
    lower: String,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let token = |s: usize, e: usize| Token { range: s..e, lower: text.get(s..e).unwrap_or("").to_lowercase() };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(token(s, i));
        }
        if c == '§' {
            out.push(token(i, i + c.len_utf8()));
        }
    }
    if let Some(s) = start {
        out.push(token(s, text.len()));
    }
    out
}

/// A phrase from the data files: words, each matched whole or (`*`) as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern(Vec<(String, bool)>);

impl Pattern {
    fn parse(raw: &str) -> Pattern {
        let mut words = Vec::new();
        for word in raw.split_whitespace() {
            let prefix = word.ends_with('*');
            let toks = tokens(word.trim_end_matches('*'));
            let last = toks.len().saturating_sub(1);
            words.extend(toks.into_iter().enumerate().map(|(i, t)| (t.lower, prefix && i == last)));
        }
        Pattern(words)
    }

    /// Whether this one-word pattern matches `word` (the headline filler words).
    fn matches_word(&self, word: &str) -> bool {
        matches!(self.0.as_slice(), [(w, prefix)] if word_matches(w, *prefix, word))
    }

    fn matches_at_all(&self, toks: &[Token], i: usize) -> bool {
        !self.0.is_empty()
            && self
                .0
                .iter()
                .enumerate()
                .all(|(k, (w, prefix))| toks.get(i + k).is_some_and(|t| word_matches(w, *prefix, &t.lower)))
    }
}

fn word_matches(pattern: &str, prefix: bool, word: &str) -> bool {
    if prefix { word.starts_with(pattern) } else { word == pattern }
}

struct JargonEntry {
    pattern: Pattern,
    explanation: &'static str,
}

struct Lexicon {
    /// (key, raw phrase, parsed); a phrase with "{kommune}" is parsed again per check,
    /// with the name filled in (see `phrases`).
    phrases: Vec<(&'static str, &'static str, Pattern)>,
    jargon: Vec<JargonEntry>,
    /// Lower case, with their dots.
    inner_abbreviations: Vec<String>,
}

impl Lexicon {
    /// The phrases of `key` that need no municipality name.
    fn phrases_of<'l>(&'l self, key: &'l str) -> impl Iterator<Item = &'l Pattern> + 'l {
        self.phrases.iter().filter(move |(k, raw, _)| *k == key && !raw.contains("{kommune}")).map(|(_, _, p)| p)
    }
}

const PHRASES_TSV: &str = include_str!("data/letter_phrases.tsv");
const JARGON_TSV: &str = include_str!("data/letter_jargon.tsv");
const ABBREVIATIONS_TSV: &str = include_str!("data/letter_abbreviations.tsv");

fn rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.trim(), b.trim()))
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon {
        phrases: rows(PHRASES_TSV).map(|(key, raw)| (key, raw, Pattern::parse(raw))).collect(),
        jargon: rows(JARGON_TSV)
            .map(|(word, explanation)| JargonEntry { pattern: Pattern::parse(word), explanation })
            .filter(|e| !e.pattern.0.is_empty())
            .collect(),
        inner_abbreviations: rows(ABBREVIATIONS_TSV)
            .filter(|(_, kind)| *kind == "inner")
            .map(|(abbreviation, _)| abbreviation.to_lowercase())
            .collect(),
    })
}

/// The phrases of `key`, with "{kommune}" filled in from the context.
fn phrases(lex: &Lexicon, key: &str, ctx: &CheckContext) -> Vec<Pattern> {
    let name = ctx.municipality_name.trim();
    lex.phrases
        .iter()
        .filter(|(k, _, _)| *k == key)
        .filter_map(|(_, raw, pattern)| {
            if !raw.contains("{kommune}") {
                Some(pattern.clone())
            } else if name.is_empty() {
                None
            } else {
                Some(Pattern::parse(&raw.replace("{kommune}", name)))
            }
        })
        .filter(|p| !p.0.is_empty())
        .collect()
}

/// Whether any part says any of `patterns`. A match right after "ikke" does not count:
/// "det er ikke frivilligt" does not say that it is voluntary.
fn mentions(parts: &[&Analysed], patterns: &[Pattern]) -> bool {
    parts.iter().any(|p| {
        patterns.iter().any(|pat| {
            p.find(pat).any(|hit| !(hit.start > 0 && p.tokens.get(hit.start - 1).is_some_and(|t| t.lower == "ikke")))
        })
    })
}

// ---------------------------------------------------------------------------------
// One part of the letter, cut into paragraphs, sentences and words
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Sentence {
    paragraph: usize,
    index: usize,
    range: Range<usize>,
}

struct Analysed<'t> {
    part: Part,
    text: &'t str,
    tokens: Vec<Token>,
    paragraphs: Vec<Range<usize>>,
    sentences: Vec<Sentence>,
}

impl<'t> Analysed<'t> {
    fn new(part: Part, text: &'t str, lex: &Lexicon) -> Analysed<'t> {
        let paragraphs = paragraphs(text);
        let sentences = paragraphs
            .iter()
            .enumerate()
            .flat_map(|(pi, para)| {
                split_sentences(text, para.clone(), lex).into_iter().enumerate().map(move |(index, range)| Sentence {
                    paragraph: pi,
                    index,
                    range,
                })
            })
            .collect();
        Analysed { part, text, tokens: tokens(text), paragraphs, sentences }
    }

    fn slice(&self, range: &Range<usize>) -> &'t str {
        self.text.get(range.clone()).unwrap_or("")
    }

    /// Every match of `pattern`, as a range of token indices.
    fn find<'a>(&'a self, pattern: &'a Pattern) -> impl Iterator<Item = Range<usize>> + 'a {
        (0..self.tokens.len())
            .filter(move |&i| pattern.matches_at_all(&self.tokens, i))
            .map(move |i| i..i + pattern.0.len())
    }

    fn byte_range(&self, tokens: Range<usize>) -> Range<usize> {
        let start = self.tokens.get(tokens.start).map_or(0, |t| t.range.start);
        let end = tokens.end.checked_sub(1).and_then(|last| self.tokens.get(last)).map_or(start, |t| t.range.end);
        start..end
    }

    fn sentence_at(&self, byte: usize) -> Option<&Sentence> {
        self.sentences.iter().find(|s| s.range.start <= byte && byte < s.range.end)
    }

    fn place(&self, range: Range<usize>) -> Place {
        let sentence = self.sentence_at(range.start);
        let paragraph = sentence
            .map(|s| s.paragraph)
            .or_else(|| self.paragraphs.iter().position(|p| p.start <= range.start && range.start < p.end));
        Place { part: self.part, paragraph, sentence: sentence.map(|s| s.index), range }
    }

    /// G-5.6, G-8.4: a jargon word (at token range `hit`) has a plain explanation in
    /// its sentence: it stands in brackets after the plain words, or after it come "(",
    /// a colon, a dash, or an explanation phrase.
    fn explained(&self, hit: Range<usize>, explainers: &[&Pattern]) -> bool {
        let bytes = self.byte_range(hit.clone());
        let sentence_end = self.sentence_at(bytes.start).map_or(self.text.len(), |s| s.range.end);
        let before = self.text.get(..bytes.start).unwrap_or("").trim_end();
        if before.ends_with('(') {
            return true;
        }
        let after = self.text.get(bytes.end..sentence_end.max(bytes.end)).unwrap_or("");
        if after.starts_with(':')
            || after.contains('(')
            || after.contains('–')
            || after.contains('—')
            || after.contains(" - ")
        {
            return true;
        }
        (hit.end..self.tokens.len())
            .take_while(|&i| self.tokens.get(i).is_some_and(|t| t.range.start < sentence_end))
            .any(|i| explainers.iter().any(|p| p.matches_at_all(&self.tokens, i)))
    }
}

// ---------------------------------------------------------------------------------
// CPR numbers in clear
// ---------------------------------------------------------------------------------

/// ASCII digits, and the Arabic-Indic and Persian digits an Arabic-script letter may use.
fn digit_of(c: char) -> Option<char> {
    let n = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        _ => return None,
    };
    char::from_digit(n, 10)
}

/// Byte ranges of CPR numbers in clear: ten digits in a row, or six and four joined by
/// a hyphen or a space, that parse as a CPR (crate::cpr: a real date). A masked
/// "DDMMYY-XXXX" is not one. A ten-digit number that happens to be a valid date is
/// reported too: better one look too many than a number in clear.
fn cpr_ranges(text: &str) -> Vec<Range<usize>> {
    let mut runs: Vec<(Range<usize>, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, c) in text.char_indices() {
        match digit_of(c) {
            Some(d) => current.get_or_insert_with(|| (i, String::new())).1.push(d),
            None => {
                if let Some((s, digits)) = current.take() {
                    runs.push((s..i, digits));
                }
            }
        }
    }
    if let Some((s, digits)) = current {
        runs.push((s..text.len(), digits));
    }
    let mut out = Vec::new();
    let mut k = 0;
    while let Some((range, digits)) = runs.get(k) {
        if digits.len() == 10 && Cpr::parse(digits).is_ok() {
            out.push(range.clone());
            k += 1;
            continue;
        }
        if let (6, Some((next, rest))) = (digits.len(), runs.get(k + 1)) {
            let gap = text.get(range.end..next.start).unwrap_or("");
            let joined = matches!(gap, "-" | " " | "\u{a0}" | "\u{2010}" | "\u{2011}" | "–");
            if joined && rest.len() == 4 && Cpr::parse(&format!("{digits}{rest}")).is_ok() {
                out.push(range.start..next.end);
                k += 2;
                continue;
            }
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    const DPO: &str = "dpo@soeby.dk";

    fn ctx(factors: &[MotivationFactor]) -> CheckContext<'_> {
        CheckContext {
            motivation_factors: factors,
            municipality_name: "Søby Kommune",
            dpo_contact: DPO,
            data_from_her: false,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // ----- LIX against hand-computed values ---------------------------------------

    #[test]
    fn lix_of_small_texts_matches_hand_computation() {
        // 8 words, 2 sentences, no long word ("Søby" has 6 letters): 8/2 + 0 = 4.
        let l = lix("Jeg bor i Søby. Jeg har tre børn.");
        assert_eq!((l.words, l.sentences, l.long_words), (8, 2, 0));
        assert!(close(l.value, 4.0), "{l:?}");

        // 6 words, 2 sentences, 3 long (Kommunen 8, tilbyder 8, undervisning 12):
        // 6/2 + 100·3/6 = 53.
        let l = lix("Kommunen tilbyder undervisning. Det er gratis.");
        assert_eq!((l.words, l.sentences, l.long_words), (6, 2, 3));
        assert!(close(l.value, 53.0), "{l:?}");

        // "kl." and "7.00" end nothing; "Børnehaven" (10) and "velkommen" (9) are long:
        // 8 words, 2 sentences, 2 long: 4 + 25 = 29.
        let l = lix("Børnehaven åbner kl. 7.00 i morgen. Vær velkommen.");
        assert_eq!((l.words, l.sentences, l.long_words), (8, 2, 2));
        assert!(close(l.value, 29.0), "{l:?}");

        // One sentence of 3 words, one long: 3/1 + 100·1/3.
        let l = lix("Vi ringer tirsdag");
        assert_eq!((l.words, l.sentences, l.long_words), (3, 1, 1));
        assert!(close(l.value, 3.0 + 100.0 / 3.0), "{l:?}");
    }

    #[test]
    fn long_words_count_letters_not_bytes() {
        // Six letters in twelve bytes is short; seven letters is long.
        assert_eq!(lix("Øæåøæå").long_words, 0);
        assert_eq!(lix("Ææøøååa").long_words, 1);
        // Digits and punctuation are not letters.
        assert_eq!(lix("12345678 1.234.567").long_words, 0);
        // Hyphenated compounds are one word with the letters of both halves.
        let l = lix("Vi har det fra CPR-registeret. Skriv en e-mail.");
        assert_eq!((l.words, l.long_words), (8, 1), "{l:?}");
        // Addresses are words but never long.
        assert_eq!(lix("Skriv til databeskyttelse@soeby.dk eller www.soeby.dk.").long_words, 0);
    }

    #[test]
    fn abbreviations_and_numbers_do_not_end_sentences() {
        let cases = [
            ("Vi ses kl. 10.00 i huset.", 1),
            ("Vi ses fx. 3. december.", 1),
            ("Der er ca. 5 km. Bussen kører hver time.", 2),
            ("Kontakt f.eks. Sara eller Mona.", 1),
            ("Vi samarbejder bl.a. med Sprogcenter Søby.", 1),
            ("Ring på tlf. 12 34 56 78. Vi svarer.", 2),
            ("Spørg evt. Mona. Hun ved det.", 2),
            ("Der er 5.678 kvinder i Søby. Mange vil arbejde.", 2),
            ("Vi ses i uge 12. Du er velkommen.", 2),
            ("Amina H. Hassan ringer til dig.", 1),
            ("Vi bor på en ø. Den er lille.", 2),
            ("1. Du møder os. 2. Du prøver et job.", 2),
            ("Vi taler om job, sprog osv. Du vælger selv.", 2),
        ];
        for (text, sentences) in cases {
            assert_eq!(lix(text).sentences, sentences, "{text}");
        }
    }

    #[test]
    fn what_ends_a_sentence() {
        let cases = [
            ("", 0),
            ("   \n\n  ", 0),
            ("Hej", 1),
            ("Kommer du? Ja! Godt.", 3),
            ("Hvad?! Nej.", 2),
            // A colon ends a sentence only before a capital (a full sentence follows).
            ("Husk: Du bestemmer selv.", 2),
            ("Du kan vælge: sprog eller job.", 1),
            // Closing quotes and brackets may follow the stop.
            ("Hun sagde: \"Kom.\" Det gjorde jeg.", 3),
            ("Vi ses (kl. 10.) Tag en ven med.", 2),
            // A paragraph ends a sentence; a single line break does not.
            ("Kære Amina\n\nVi skriver til dig.", 2),
            ("Med venlig hilsen\nSara Jensen\nSøby Kommune", 1),
            // A lower-case word after a dot does not start a sentence.
            ("Vi ses den 3. marts kl. 9.", 1),
            // Dashes and bullets are not words; a sentence of none is not counted.
            ("– . Vi ses.", 1),
        ];
        for (text, sentences) in cases {
            assert_eq!(lix(text).sentences, sentences, "{text:?}");
        }
    }

    #[test]
    fn empty_text_has_lix_zero() {
        assert_eq!(lix(""), Lix { words: 0, sentences: 0, long_words: 0, value: 0.0 });
    }

    fn word() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec!['a', 'e', 'i', 'o', 'u', 'n', 's', 't', 'r', 'æ', 'ø', 'å']),
            2..10,
        )
        .prop_map(|cs| cs.into_iter().collect::<String>())
        // A word that is itself an abbreviation ("nr", "st") would not end its sentence.
        .prop_filter("not an abbreviation", |w| !lexicon().inner_abbreviations.contains(&format!("{w}.")))
    }

    fn capitalised(w: &str) -> String {
        let mut cs = w.chars();
        cs.next().map(|c| c.to_uppercase().chain(cs).collect()).unwrap_or_default()
    }

    fn sentences_strategy() -> impl Strategy<Value = Vec<Vec<String>>> {
        proptest::collection::vec(proptest::collection::vec(word(), 1..8), 1..6)
    }

    fn render(sentences: &[Vec<String>]) -> String {
        sentences
            .iter()
            .map(|s| {
                let mut words = s.clone();
                if let Some(first) = words.first_mut() {
                    *first = capitalised(first);
                }
                format!("{}.", words.join(" "))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn inner_abbreviations() -> Vec<String> {
        lexicon().inner_abbreviations.clone()
    }

    proptest! {
        #[test]
        fn lix_never_panics_and_stays_sane(text in any::<String>()) {
            let l = lix(&text);
            prop_assert!(l.value.is_finite() && l.value >= 0.0);
            prop_assert!(l.sentences <= l.words && l.long_words <= l.words);
        }

        #[test]
        fn lix_never_panics_on_letter_like_text(text in "[a-zA-ZæøåÆØÅ0-9 .,:;!?()\"«»–\n-]{0,300}") {
            let l = lix(&text);
            prop_assert!(l.value.is_finite());
        }

        #[test]
        fn a_sentence_per_full_stop(sentences in sentences_strategy()) {
            let l = lix(&render(&sentences));
            prop_assert_eq!(l.sentences, sentences.len());
            prop_assert_eq!(l.words, sentences.iter().map(Vec::len).sum::<usize>());
        }

        #[test]
        fn abbreviations_do_not_change_the_sentence_count(
            sentences in sentences_strategy(),
            which in any::<proptest::sample::Index>(),
            abbreviation in any::<proptest::sample::Index>(),
            name in word(),
        ) {
            let before = lix(&render(&sentences));
            let mut changed = sentences.clone();
            let i = which.index(changed.len());
            let abbreviations = inner_abbreviations();
            let a = abbreviation.get(&abbreviations).clone();
            // "… bl.a. Mona …": a capital after an inner abbreviation.
            if let Some(s) = changed.get_mut(i) {
                s.push(a);
                s.push(capitalised(&name));
            }
            let after = lix(&render(&changed));
            prop_assert_eq!(after.sentences, before.sentences);
            prop_assert_eq!(after.words, before.words + 2);
        }

        #[test]
        fn numbers_with_dots_do_not_change_the_sentence_count(
            sentences in sentences_strategy(),
            which in any::<proptest::sample::Index>(),
            hour in 0u32..24,
            day in 1u32..32,
        ) {
            let before = lix(&render(&sentences));
            let mut changed = sentences.clone();
            let i = which.index(changed.len());
            if let Some(s) = changed.get_mut(i) {
                s.extend(["den".to_string(), format!("{day}."), "marts".to_string(), "kl.".to_string(), format!("{hour}.00")]);
            }
            prop_assert_eq!(lix(&render(&changed)).sentences, before.sentences);
        }

        #[test]
        fn check_never_panics(headline in any::<String>(), body in any::<String>(), offer in any::<String>(),
                              name in proptest::option::of(any::<String>()), phone in proptest::option::of(any::<String>()),
                              danish in any::<bool>()) {
            let letter = Letter { headline, body, offer, contact_name: name, contact_phone: phone,
                                  language: if danish { "da".into() } else { "ar".into() } };
            for f in check(&letter, &ctx(&[])) {
                let text = match f.place.part {
                    Part::Headline => &letter.headline,
                    Part::Body => &letter.body,
                    Part::Offer => &letter.offer,
                    Part::ContactName => letter.contact_name.as_ref().unwrap_or(&letter.headline),
                    Part::ContactPhone => letter.contact_phone.as_ref().unwrap_or(&letter.headline),
                };
                // Every place is a valid slice of its part.
                prop_assert!(text.get(f.place.range.clone()).is_some() || f.place.range == (0..0));
            }
        }
    }

    // ----- the corpus ----------------------------------------------------------------

    struct CorpusLetter {
        file: String,
        letter: Letter,
        factors: Vec<MotivationFactor>,
        expect_errors: BTreeSet<String>,
        expect_warnings: BTreeSet<String>,
    }

    fn corpus_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("letters")
    }

    fn parse_corpus_letter(file: &str, text: &str) -> CorpusLetter {
        let (header, rest) =
            text.split_once("\n\n").unwrap_or_else(|| panic!("{file}: no blank line after the header"));
        let (body, offer) = rest.split_once("[tilbud]\n").unwrap_or_else(|| panic!("{file}: no [tilbud] line"));
        let mut letter = Letter { body: body.to_string(), offer: offer.to_string(), ..Letter::default() };
        let mut c = CorpusLetter {
            file: file.to_string(),
            letter: Letter::default(),
            factors: Vec::new(),
            expect_errors: BTreeSet::new(),
            expect_warnings: BTreeSet::new(),
        };
        for line in header.lines() {
            let (key, value) = line.split_once(':').unwrap_or_else(|| panic!("{file}: bad header line {line:?}"));
            let value = value.trim().to_string();
            match key.trim() {
                "note" => {}
                "headline" => letter.headline = value,
                "contact" => letter.contact_name = Some(value),
                "phone" => letter.contact_phone = Some(value),
                "language" => letter.language = value,
                "factors" => {
                    c.factors = value
                        .split(',')
                        .map(|f| MotivationFactor::from_code(f.trim()).unwrap_or_else(|| panic!("{file}: factor {f}")))
                        .collect()
                }
                "expect-error" => {
                    assert!(Rule::from_code(&value).is_some(), "{file}: unknown rule {value}");
                    c.expect_errors.insert(value);
                }
                "expect-warning" => {
                    assert!(Rule::from_code(&value).is_some(), "{file}: unknown rule {value}");
                    c.expect_warnings.insert(value);
                }
                other => panic!("{file}: unknown header {other}"),
            }
        }
        c.letter = letter;
        c
    }

    fn corpus() -> Vec<CorpusLetter> {
        let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                parse_corpus_letter(&name, &std::fs::read_to_string(p).unwrap())
            })
            .collect()
    }

    fn codes(findings: &[Finding], severity: Severity) -> BTreeSet<String> {
        findings.iter().filter(|f| f.severity == severity).map(|f| f.rule.code().to_string()).collect()
    }

    fn good() -> CorpusLetter {
        corpus().into_iter().find(|c| c.file == "good.txt").unwrap()
    }

    #[test]
    fn corpus_good_letter_passes_every_rule() {
        let good = good();
        let findings = check(&good.letter, &ctx(&good.factors));
        assert!(findings.is_empty(), "{findings:#?}");
        let l = lix(&format!("{}\n\n{}", good.letter.body, good.letter.offer));
        assert!(l.value <= MAX_LIX, "{l:?}");
        // Also the factors recorded for her are spoken to.
        let hers = [MotivationFactor::Economy, MotivationFactor::RoleModel];
        assert!(check(&good.letter, &ctx(&hers)).is_empty());
    }

    #[test]
    fn corpus_each_letter_breaks_exactly_its_rule() {
        let corpus = corpus();
        assert!(corpus.len() > 20, "corpus too small: {}", corpus.len());
        for c in &corpus {
            let findings = check(&c.letter, &ctx(&c.factors));
            let errors = codes(&findings, Severity::Error);
            assert_eq!(errors, c.expect_errors, "{}: {findings:#?}", c.file);
            let warnings = codes(&findings, Severity::Warning);
            assert!(
                c.expect_warnings.is_subset(&warnings),
                "{}: expected warnings {:?}, got {findings:#?}",
                c.file,
                c.expect_warnings
            );
            assert_eq!(has_errors(&findings), !c.expect_errors.is_empty(), "{}", c.file);
        }
    }

    #[test]
    fn corpus_has_a_bad_letter_for_every_rule() {
        let corpus = corpus();
        let covered: BTreeSet<String> =
            corpus.iter().flat_map(|c| c.expect_errors.iter().chain(&c.expect_warnings).cloned()).collect();
        // LongSentence fires with bad_lix.txt; only the language rule needs a non-Danish
        // letter and is tested below.
        for rule in Rule::ALL {
            if rule != Rule::LanguageNotChecked {
                assert!(covered.contains(rule.code()), "no bad letter for {}", rule.code());
            }
        }
        for c in corpus.iter().filter(|c| c.file.starts_with("bad_")) {
            assert_eq!(c.expect_errors.len(), 1, "{} must break exactly one rule", c.file);
        }
    }

    // ----- single rules ------------------------------------------------------------

    fn good_letter() -> Letter {
        good().letter
    }

    fn errors_of(letter: &Letter) -> Vec<Finding> {
        check(letter, &ctx(&[])).into_iter().filter(|f| f.severity == Severity::Error).collect()
    }

    #[test]
    fn findings_point_at_the_text() {
        let mut letter = good_letter();
        letter.body = letter
            .body
            .replace("Et job giver dig din egen løn.", "Et job giver dig din egen løn, så du ikke får ydelser.");
        letter.body = letter.body.replace("Kære Amina", "Kære Amina (CPR 0707614285)");
        let errors = errors_of(&letter);
        let jargon = errors.iter().find(|f| f.rule == Rule::Jargon).unwrap();
        assert_eq!(&letter.body[jargon.place.range.clone()], "ydelser");
        assert_eq!((jargon.place.part, jargon.place.paragraph, jargon.place.sentence), (Part::Body, Some(2), Some(1)));
        assert_eq!(jargon.message_id, "lint-jargon-unexplained");
        assert!(jargon.args.iter().any(|(k, v)| *k == "word" && v == "ydelser"));
        let cpr = errors.iter().find(|f| f.rule == Rule::CprInClear).unwrap();
        assert_eq!(&letter.body[cpr.place.range.clone()], "0707614285");
        assert_eq!((cpr.place.paragraph, cpr.place.sentence), (Some(0), Some(0)));
        assert!(cpr.args.is_empty(), "the number must not be repeated in a message");
    }

    #[test]
    fn cpr_numbers_in_every_form_are_found_and_masked_ones_are_not() {
        for (text, found) in [
            ("070761-4285", true),
            ("0707614285", true),
            ("070761 4285", true),
            ("CPR: ٠٧٠٧٦١-٤٢٨٥", true),
            ("070761-XXXX", false),
            ("12 34 56 78", false),
            ("+4512345678", false),
            ("320190-1234", false),
            ("kl. 10.00 den 07.07.61", false),
            ("07076142851", false),
        ] {
            assert_eq!(!cpr_ranges(text).is_empty(), found, "{text}");
        }
    }

    #[test]
    fn jargon_with_a_plain_explanation_passes() {
        let explained = [
            "Du er selvforsørgende, det vil sige at du ikke får penge fra kommunen.",
            "Du er selvforsørgende (du får ikke penge fra kommunen).",
            "Du får ikke penge fra kommunen (selvforsørgende).",
            "Du er selvforsørgende – du får ikke penge fra kommunen.",
            "Selvforsørgende: du får ikke penge fra kommunen.",
            "Du er selvforsørgende, dvs. du klarer dig selv.",
        ];
        for sentence in explained {
            let mut letter = good_letter();
            letter.body = letter
                .body
                .replace("Et job giver dig din egen løn.", &format!("Et job giver dig din egen løn. {sentence}"));
            assert!(errors_of(&letter).is_empty(), "{sentence}: {:#?}", errors_of(&letter));
        }
        // Explained once, the word may be used again.
        let mut letter = good_letter();
        letter.body = letter.body.replace(
            "Et job giver dig din egen løn.",
            "Du er selvforsørgende (du får ikke penge fra kommunen). Mange selvforsørgende vil arbejde.",
        );
        assert!(errors_of(&letter).is_empty());
        // Unexplained in the headline too.
        let mut letter = good_letter();
        letter.headline = "Tilbud om aktivering".into();
        let errors = errors_of(&letter);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!((errors[0].rule, errors[0].place.part), (Rule::Jargon, Part::Headline));
    }

    #[test]
    fn a_negated_phrase_does_not_count() {
        let mut letter = good_letter();
        letter.body = letter
            .body
            .replace("Det er helt frivilligt, om du vil være med. Du bestemmer selv.", "Det er ikke frivilligt.");
        let errors = errors_of(&letter);
        assert_eq!(errors.iter().map(|f| f.rule).collect::<Vec<_>>(), vec![Rule::Voluntary]);
    }

    #[test]
    fn negation_does_not_hide_jargon() {
        let mut letter = good_letter();
        letter.body = letter
            .body
            .replace("Et job giver dig din egen løn.", "Et job giver dig din egen løn. Du er ikke selvforsørgende.");
        let errors = errors_of(&letter);
        assert_eq!(errors.iter().map(|f| f.rule).collect::<Vec<_>>(), vec![Rule::Jargon]);
    }

    #[test]
    fn other_voluntary_and_initiative_phrases_count() {
        let mut letter = good_letter();
        letter.body = letter
            .body
            .replace("Det er helt frivilligt, om du vil være med. Du bestemmer selv.", "Du kan sige nej.")
            .replace(
                "Søby Kommune skriver til dig, fordi vi har et nyt tilbud til kvinder i Søby. Du har ikke selv bedt om at få dette brev.",
                "Vi skriver til dig på kommunens initiativ.",
            );
        assert!(errors_of(&letter).is_empty(), "{:#?}", errors_of(&letter));
    }

    #[test]
    fn headline_rules() {
        for (headline, message) in [
            ("", "lint-headline-missing"),
            ("   ", "lint-headline-missing"),
            ("Information", "lint-headline-generic"),
            ("Brev til dig fra Søby Kommune", "lint-headline-generic"),
            ("Vigtigt!", "lint-headline-generic"),
            ("Et tilbud til dig om hjælp til at finde et arbejde i Søby", "lint-headline-too-long"),
        ] {
            let mut letter = good_letter();
            letter.headline = headline.into();
            let errors = errors_of(&letter);
            assert_eq!(errors.iter().map(|f| f.message_id).collect::<Vec<_>>(), vec![message], "{headline:?}");
        }
        let mut letter = good_letter();
        letter.headline = "Information om job og danskkursus".into();
        assert!(errors_of(&letter).is_empty());
    }

    #[test]
    fn the_dpo_may_be_named_with_another_contact() {
        let mut letter = good_letter();
        letter.body = letter.body.replace("dpo@soeby.dk", "databeskyttelse@soeby.dk");
        assert!(errors_of(&letter).is_empty());
        letter.body = letter.body.replace("på databeskyttelse@soeby.dk", "på telefon 89 40 20 00");
        assert!(errors_of(&letter).is_empty());
        letter.body = letter.body.replace(" på telefon 89 40 20 00", "");
        let errors = errors_of(&letter);
        assert_eq!(errors.iter().map(|f| f.rule).collect::<Vec<_>>(), vec![Rule::Art14Dpo]);
        assert_eq!(errors[0].args, vec![("dpo", DPO.to_string())]);
    }

    #[test]
    fn art14_is_not_checked_when_her_data_came_from_her() {
        let mut letter = good_letter();
        let start = letter.body.find("Om dine oplysninger").unwrap();
        let end = letter.body.find("Med venlig hilsen").unwrap();
        letter.body.replace_range(start..end, "");
        let from_her = CheckContext { data_from_her: true, ..ctx(&[]) };
        assert!(check(&letter, &from_her).is_empty());
        let rules: BTreeSet<&str> = check(&letter, &ctx(&[])).iter().map(|f| f.rule.code()).collect();
        let art14: BTreeSet<&str> = [
            "gdpr_source",
            "gdpr_purpose",
            "gdpr_legal_basis",
            "gdpr_objection",
            "gdpr_dpo",
            "gdpr_complaint",
            "gdpr_storage",
        ]
        .into();
        assert_eq!(rules, art14);
    }

    #[test]
    fn each_art14_item_cites_its_article() {
        assert_eq!(Rule::Art14Source.guide_ref(), "GDPR Art. 14(2)(f)");
        assert_eq!(Rule::Art14Purpose.guide_ref(), "GDPR Art. 14(1)(c)");
        assert_eq!(Rule::Art14LegalBasis.guide_ref(), "GDPR Art. 14(1)(c)");
        assert!(Rule::Art14Objection.guide_ref().starts_with("GDPR Art. 14(2)(c)"));
        assert_eq!(Rule::Art14Dpo.guide_ref(), "GDPR Art. 14(1)(b)");
        for r in Rule::ALL {
            assert_eq!(Rule::from_code(r.code()), Some(r));
        }
    }

    #[test]
    fn a_letter_in_another_language_gets_the_language_independent_rules() {
        let letter = Letter {
            headline: "عرض للمساعدة في إيجاد عمل".into(),
            body: "عزيزتي أمينة\n\nرقمك ٠٧٠٧٦١-٤٢٨٥".into(),
            offer: "نلتقي كل ثلاثاء.".into(),
            contact_name: Some("Sara Jensen".into()),
            contact_phone: Some("12 34 56 78".into()),
            language: "ar".into(),
        };
        let findings = check(&letter, &ctx(&[]));
        let rules: Vec<(Rule, Severity)> = findings.iter().map(|f| (f.rule, f.severity)).collect();
        assert_eq!(rules, vec![(Rule::CprInClear, Severity::Error), (Rule::LanguageNotChecked, Severity::Warning)]);
        let warning = findings.iter().find(|f| f.rule == Rule::LanguageNotChecked).unwrap();
        assert_eq!(warning.args, vec![("language", "ar".to_string())]);
    }

    #[test]
    fn long_sentences_in_the_body_are_a_warning() {
        let mut letter = good_letter();
        letter.body = letter.body.replace(
            "Vi ringer også til dig om en uge.",
            "Vi ringer også til dig om en uge, og hvis du ikke tager telefonen, så ringer vi igen en anden dag, og du kan også selv ringe til os, når det passer dig.",
        );
        let findings = check(&letter, &ctx(&[]));
        assert!(!has_errors(&findings), "{findings:#?}");
        let long = findings.iter().find(|f| f.rule == Rule::LongSentence).unwrap();
        assert_eq!(long.severity, Severity::Warning);
        assert!(letter.body[long.place.range.clone()].starts_with("Vi ringer også"));
        assert_eq!((long.place.paragraph, long.place.sentence), (Some(3), Some(3)));
    }

    #[test]
    fn every_data_file_row_is_used() {
        let lex = lexicon();
        let keys: BTreeSet<&str> = lex.phrases.iter().map(|(k, _, _)| *k).collect();
        let mut expected: BTreeSet<String> = [
            "voluntary",
            "initiative",
            "source",
            "purpose",
            "legal_basis",
            "objection",
            "dpo",
            "complaint",
            "storage",
            "explanation",
            "headline_filler",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        expected.extend(MotivationFactor::ALL.iter().map(|f| format!("motivation:{}", f.code())));
        assert_eq!(keys.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(), expected);
        assert!(lex.phrases.iter().all(|(_, _, p)| !p.0.is_empty()));
        assert!(lex.jargon.len() >= 30);
        for word in
            ["beskæftigelsesrettet", "selvforsørgende", "ydelse", "målgruppe", "aktivering", "integrationsydelse"]
        {
            assert!(
                lex.jargon
                    .iter()
                    .any(|j| j.pattern.0.len() == 1 && j.pattern.0[0].1 && word.starts_with(&j.pattern.0[0].0)),
                "{word}"
            );
        }
        for a in ["fx.", "f.eks.", "bl.a.", "dvs.", "ca.", "kl.", "nr.", "tlf.", "jf.", "evt."] {
            assert!(lex.inner_abbreviations.iter().any(|x| x == a), "{a}");
        }
    }
}
