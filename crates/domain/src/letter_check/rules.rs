//! The checks themselves, one function per rule (G-5.6, G-8.4, GDPR Art. 14): each
//! pushes its findings, in reading order, for `check` to collect.

use super::analysed::{Analysed, Sentence};
use super::cpr_in_clear::cpr_ranges;
use super::lix::{lix, lix_words};
use super::words::{Lexicon, Pattern, mentions, phrases, tokens};
use super::{
    CheckContext, Finding, Letter, MAX_HEADLINE_CHARS, MAX_HEADLINE_WORDS, MAX_LIX, MAX_OFFER_SENTENCE_WORDS,
    MAX_OFFER_SENTENCES, MAX_SENTENCE_WORDS, Part, Place, Rule, Severity,
};
use crate::phone::PhoneNumber;
use crate::reference::MotivationFactor;
use std::ops::Range;

pub(super) fn check_headline(h: &Analysed, danish: bool, ctx: &CheckContext, lex: &Lexicon, out: &mut Vec<Finding>) {
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

pub(super) fn check_lix(body: &Analysed, offer: &Analysed, out: &mut Vec<Finding>) {
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

pub(super) fn check_contact(letter: &Letter, body: &Analysed, offer: &Analysed, danish: bool, out: &mut Vec<Finding>) {
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

pub(super) fn check_motivation(
    parts: &[&Analysed],
    body: &Analysed,
    ctx: &CheckContext,
    lex: &Lexicon,
    out: &mut Vec<Finding>,
) {
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

pub(super) fn check_jargon(parts: &[&Analysed], lex: &Lexicon, out: &mut Vec<Finding>) {
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

/// Words that, one or two words before a threat or right after it, turn it round: "du
/// mister ikke noget", "det har ikke nogen konsekvenser".
const NEGATIONS_BEFORE: [&str; 4] = ["ikke", "ingen", "intet", "aldrig"];
const NEGATIONS_AFTER: [&str; 3] = ["ikke", "intet", "aldrig"];

/// G-1.1, G-5.6, G-8.4 (issue 14, item 8): taking part is voluntary, so the letter
/// neither threatens ("mister", "trækkes i", "sanktion", unless negated) nor orders with
/// a sanction (an obligation word and "ellers" in one sentence: "Du SKAL møde op,
/// ellers …"). Case does not matter: the words are compared in lower case. Each is an
/// Error at the words, so the writer sees where.
pub(super) fn check_coercion(parts: &[&Analysed], lex: &Lexicon, out: &mut Vec<Finding>) {
    let threats = lex.phrases_of("coercion_threat").collect::<Vec<_>>();
    let orders = lex.phrases_of("coercion_order").collect::<Vec<_>>();
    let sanctions = lex.phrases_of("coercion_sanction").collect::<Vec<_>>();
    for p in parts {
        let word_at = |i: usize| p.tokens.get(i).map(|t| t.lower.as_str());
        // Two words in one clause: nothing but spaces between them ("Kommer du ikke,
        // mister du …" is a threat: the comma ends the negated clause).
        let joined = |a: usize, b: usize| match (p.tokens.get(a), p.tokens.get(b)) {
            (Some(x), Some(y)) => p.text.get(x.range.end..y.range.start).is_some_and(|gap| gap.trim().is_empty()),
            _ => false,
        };
        let negated = |hit: &Range<usize>| {
            let before = |back: usize| {
                hit.start.checked_sub(back).is_some_and(|i| {
                    (i + 1..=hit.start).all(|k| joined(k - 1, k))
                        && word_at(i).is_some_and(|w| NEGATIONS_BEFORE.contains(&w))
                })
            };
            let after = hit.end > 0
                && joined(hit.end - 1, hit.end)
                && word_at(hit.end).is_some_and(|w| NEGATIONS_AFTER.contains(&w));
            before(1) || before(2) || after
        };
        let mut threatened = Vec::new();
        for pattern in &threats {
            for hit in p.find(pattern).filter(|h| !negated(h)) {
                threatened.push(hit);
            }
        }
        threatened.sort_by_key(|h| h.start);
        for hit in &threatened {
            let bytes = p.byte_range(hit.clone());
            let word = p.text.get(bytes.clone()).unwrap_or("").to_string();
            out.push(error(Rule::Coercion, p.place(bytes), "lint-coercion-threat", vec![("word", word)]));
        }
        // An order with a sanction: both in one sentence, the sentence not already
        // flagged for a threat.
        for s in &p.sentences {
            let inside = |h: &Range<usize>| {
                p.byte_range(h.clone()).start >= s.range.start && p.byte_range(h.clone()).end <= s.range.end
            };
            if threatened.iter().any(inside) {
                continue;
            }
            let order = orders.iter().flat_map(|pat| p.find(pat)).find(|h| inside(h) && !negated(h));
            let sanction = sanctions.iter().flat_map(|pat| p.find(pat)).find(inside);
            if let (Some(order), Some(_)) = (order, sanction) {
                let bytes = p.byte_range(order);
                let word = p.text.get(bytes).unwrap_or("").to_string();
                out.push(error(Rule::Coercion, p.place(s.range.clone()), "lint-coercion-order", vec![("word", word)]));
            }
        }
    }
}

pub(super) fn check_offer(offer: &Analysed, out: &mut Vec<Finding>) {
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

pub(super) fn check_long_sentences(body: &Analysed, out: &mut Vec<Finding>) {
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

pub(super) fn check_cpr(parts: &[&Analysed], out: &mut Vec<Finding>) {
    for p in parts {
        for r in cpr_ranges(p.text) {
            // No arguments: the message must not repeat the number.
            out.push(error(Rule::CprInClear, p.place(r), "lint-cpr-in-clear", vec![]));
        }
    }
}

pub(super) fn check_art14(
    parts: &[&Analysed],
    body: &Analysed,
    ctx: &CheckContext,
    lex: &Lexicon,
    out: &mut Vec<Finding>,
) {
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

pub(super) fn require(
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
