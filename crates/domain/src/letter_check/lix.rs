//! LIX (G-5.6 plain language) and what ends a sentence: paragraphs, sentence ends,
//! abbreviations, initials and list numbers, as Danish writes them.

use super::LONG_WORD_LETTERS;
use super::words::{Lexicon, lexicon};
use std::ops::Range;

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

pub(super) fn lix_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric))
}

fn is_long(word: &str) -> bool {
    let lower = word.to_lowercase();
    let address = word.contains('@') || lower.starts_with("http") || lower.starts_with("www.");
    !address && word.chars().filter(|c| c.is_alphabetic()).count() >= LONG_WORD_LETTERS
}

/// Blank-line separated paragraphs as byte ranges, each without its surrounding
/// whitespace.
pub(super) fn paragraphs(text: &str) -> Vec<Range<usize>> {
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
pub(super) fn split_sentences(text: &str, para: Range<usize>, lex: &Lexicon) -> Vec<Range<usize>> {
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
