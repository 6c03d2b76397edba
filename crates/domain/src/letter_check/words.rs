//! Words and phrases: tokens, the phrase patterns, and the lexicon read from the
//! shipped data files (`data/letter_phrases.tsv`, `letter_jargon.tsv`,
//! `letter_abbreviations.tsv`).

use super::CheckContext;
use super::analysed::Analysed;
use std::ops::Range;
use std::sync::OnceLock;

/// A word for phrase matching: a run of letters and digits (or a lone "§"), lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) range: Range<usize>,
    pub(super) lower: String,
}

pub(super) fn tokens(text: &str) -> Vec<Token> {
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
pub(super) struct Pattern(pub(super) Vec<(String, bool)>);

impl Pattern {
    pub(super) fn parse(raw: &str) -> Pattern {
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
    pub(super) fn matches_word(&self, word: &str) -> bool {
        matches!(self.0.as_slice(), [(w, prefix)] if word_matches(w, *prefix, word))
    }

    pub(super) fn matches_at_all(&self, toks: &[Token], i: usize) -> bool {
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

pub(super) struct JargonEntry {
    pub(super) pattern: Pattern,
    pub(super) explanation: &'static str,
}

pub(super) struct Lexicon {
    /// (key, raw phrase, parsed); a phrase with "{kommune}" is parsed again per check,
    /// with the name filled in (see `phrases`).
    pub(super) phrases: Vec<(&'static str, &'static str, Pattern)>,
    pub(super) jargon: Vec<JargonEntry>,
    /// Lower case, with their dots.
    pub(super) inner_abbreviations: Vec<String>,
}

impl Lexicon {
    /// The phrases of `key` that need no municipality name.
    pub(super) fn phrases_of<'l>(&'l self, key: &'l str) -> impl Iterator<Item = &'l Pattern> + 'l {
        self.phrases.iter().filter(move |(k, raw, _)| *k == key && !raw.contains("{kommune}")).map(|(_, _, p)| p)
    }
}

const PHRASES_TSV: &str = include_str!("../data/letter_phrases.tsv");
const JARGON_TSV: &str = include_str!("../data/letter_jargon.tsv");
const ABBREVIATIONS_TSV: &str = include_str!("../data/letter_abbreviations.tsv");

fn rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.trim(), b.trim()))
}

pub(super) fn lexicon() -> &'static Lexicon {
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
pub(super) fn phrases(lex: &Lexicon, key: &str, ctx: &CheckContext) -> Vec<Pattern> {
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
pub(super) fn mentions(parts: &[&Analysed], patterns: &[Pattern]) -> bool {
    parts.iter().any(|p| {
        patterns.iter().any(|pat| {
            p.find(pat).any(|hit| !(hit.start > 0 && p.tokens.get(hit.start - 1).is_some_and(|t| t.lower == "ikke")))
        })
    })
}
