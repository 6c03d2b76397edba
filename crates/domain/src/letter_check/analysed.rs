//! One part of the letter (headline, body, offer), cut into paragraphs, sentences
//! and words, with where a finding in it is.

use super::lix::{paragraphs, split_sentences};
use super::words::{Lexicon, Pattern, Token, tokens};
use super::{Part, Place};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sentence {
    pub(super) paragraph: usize,
    pub(super) index: usize,
    pub(super) range: Range<usize>,
}

pub(super) struct Analysed<'t> {
    pub(super) part: Part,
    pub(super) text: &'t str,
    pub(super) tokens: Vec<Token>,
    pub(super) paragraphs: Vec<Range<usize>>,
    pub(super) sentences: Vec<Sentence>,
}

impl<'t> Analysed<'t> {
    pub(super) fn new(part: Part, text: &'t str, lex: &Lexicon) -> Analysed<'t> {
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

    pub(super) fn slice(&self, range: &Range<usize>) -> &'t str {
        self.text.get(range.clone()).unwrap_or("")
    }

    /// Every match of `pattern`, as a range of token indices.
    pub(super) fn find<'a>(&'a self, pattern: &'a Pattern) -> impl Iterator<Item = Range<usize>> + 'a {
        (0..self.tokens.len())
            .filter(move |&i| pattern.matches_at_all(&self.tokens, i))
            .map(move |i| i..i + pattern.0.len())
    }

    pub(super) fn byte_range(&self, tokens: Range<usize>) -> Range<usize> {
        let start = self.tokens.get(tokens.start).map_or(0, |t| t.range.start);
        let end = tokens.end.checked_sub(1).and_then(|last| self.tokens.get(last)).map_or(start, |t| t.range.end);
        start..end
    }

    fn sentence_at(&self, byte: usize) -> Option<&Sentence> {
        self.sentences.iter().find(|s| s.range.start <= byte && byte < s.range.end)
    }

    pub(super) fn place(&self, range: Range<usize>) -> Place {
        let sentence = self.sentence_at(range.start);
        let paragraph = sentence
            .map(|s| s.paragraph)
            .or_else(|| self.paragraphs.iter().position(|p| p.start <= range.start && range.start < p.end));
        Place { part: self.part, paragraph, sentence: sentence.map(|s| s.index), range }
    }

    /// G-5.6, G-8.4: a jargon word (at token range `hit`) has a plain explanation in
    /// its sentence: it stands in brackets after the plain words, or after it come "(",
    /// a colon, a dash, or an explanation phrase.
    pub(super) fn explained(&self, hit: Range<usize>, explainers: &[&Pattern]) -> bool {
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
