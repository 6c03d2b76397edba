//! Blocking: which pairs are compared at all. Each rule makes keys from a record; two
//! records from different lists become a candidate pair when any rule gives them a
//! common key. Rules are OR-ed, so a pair missed by one (a typo in the birth date) is
//! found by another (name and birth year).
//!
//! A key shared by very many records on both sides (a state, a common street number)
//! says little and would make the comparison quadratic, so a key whose block holds more
//! than `max_block_pairs` pairs is skipped; other rules still reach those records.

use std::collections::HashMap;

use crate::compare::Prepared;

/// What a blocking rule takes from one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockPart {
    /// The whole normalised value: a date's digits, a code, a phone number, folded text;
    /// for a name, its token skeletons in sorted order.
    Whole,
    /// The first four digits (a date's year).
    Year,
    /// Each token skeleton of a name, one key per token. Within a rule the name tokens
    /// taken are sorted before they form the key, so given and family name may be
    /// swapped, and the same token is never taken twice.
    NameToken,
}

#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub parts: Vec<(usize, BlockPart)>,
}

fn part_values(value: &Prepared, part: BlockPart) -> Vec<(usize, String)> {
    match (value, part) {
        (Prepared::Missing, _) => Vec::new(),
        (Prepared::Name(tokens), BlockPart::NameToken) => {
            tokens.iter().enumerate().map(|(i, t)| (i, t.skeleton.clone())).collect()
        }
        (Prepared::Name(tokens), BlockPart::Whole | BlockPart::Year) => {
            let mut s: Vec<&str> = tokens.iter().map(|t| t.skeleton.as_str()).collect();
            s.sort_unstable();
            vec![(usize::MAX, s.join(" "))]
        }
        (Prepared::Code(s) | Prepared::Text(s) | Prepared::Date { digits: s, .. }, BlockPart::Year) => {
            if s.len() >= 4 && s.is_char_boundary(4) { vec![(usize::MAX, s[..4].to_owned())] } else { Vec::new() }
        }
        (Prepared::Code(s) | Prepared::Text(s) | Prepared::Date { digits: s, .. }, _) => {
            vec![(usize::MAX, s.clone())]
        }
    }
}

/// All keys one record gives under one rule.
fn keys(record: &[Prepared], rule: &Rule) -> Vec<String> {
    // (key parts so far, name tokens taken as (field, token index), name skeletons taken)
    type Partial = (Vec<String>, Vec<(usize, usize)>, Vec<String>);
    let mut partials: Vec<Partial> = vec![(Vec::new(), Vec::new(), Vec::new())];
    for &(field, part) in &rule.parts {
        let values = part_values(&record[field], part);
        if values.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::with_capacity(partials.len() * values.len());
        for (plain, taken, names) in &partials {
            for (idx, v) in &values {
                let (mut plain, mut taken, mut names) = (plain.clone(), taken.clone(), names.clone());
                if part == BlockPart::NameToken {
                    if taken.contains(&(field, *idx)) {
                        continue;
                    }
                    taken.push((field, *idx));
                    names.push(v.clone());
                } else {
                    plain.push(v.clone());
                }
                next.push((plain, taken, names));
            }
        }
        partials = next;
    }
    let mut out: Vec<String> = partials
        .into_iter()
        .map(|(plain, _, mut names)| {
            names.sort_unstable();
            let mut key = plain.join("\u{1f}");
            key.push('\u{1e}');
            key.push_str(&names.join("\u{1f}"));
            key
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Candidate pairs of each rule as (left index, right index), each sorted and without
/// repeats.
pub(crate) fn candidates_by_rule(
    left: &[Vec<Prepared>],
    right: &[Vec<Prepared>],
    rules: &[Rule],
    max_block_pairs: usize,
) -> Vec<Vec<(u32, u32)>> {
    rules
        .iter()
        .map(|rule| {
            let mut blocks: HashMap<String, (Vec<u32>, Vec<u32>)> = HashMap::new();
            for (i, rec) in left.iter().enumerate() {
                for k in keys(rec, rule) {
                    blocks.entry(k).or_default().0.push(i as u32);
                }
            }
            for (j, rec) in right.iter().enumerate() {
                for k in keys(rec, rule) {
                    if let Some(block) = blocks.get_mut(&k) {
                        block.1.push(j as u32);
                    }
                }
            }
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            for (l, r) in blocks.values() {
                if r.is_empty() || l.len().saturating_mul(r.len()) > max_block_pairs {
                    continue;
                }
                for &i in l {
                    pairs.extend(r.iter().map(|&j| (i, j)));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            pairs
        })
        .collect()
}
