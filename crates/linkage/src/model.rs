//! The Fellegi–Sunter model: for each field and level, `m` (how often a true match
//! shows that level) and `u` (how often a non-match does). A pair's match weight is
//! the sum of `log2(m/u)` over its fields plus the prior's log-odds.
//!
//! `u` is counted on random pairs of the two lists, where matches are too rare to
//! matter; it is fixed from then on. `m` and the share of matches among the candidate
//! pairs (`lambda`) come from expectation–maximisation over the candidate pairs, so no
//! labelled data is needed. EM runs over *distinct comparison patterns* with their
//! counts, which makes it cheap whatever the number of pairs.

use std::collections::HashMap;

/// A field that says nothing about a pair (missing on either side).
pub(crate) const NULL: u8 = u8::MAX;

/// Smallest `m` EM may assign, so that no level ever becomes impossible for a match.
const M_FLOOR: f64 = 1e-6;

/// The `m` of a field's weakest level (names with nothing in common, dates years apart)
/// when that field is a session's only evidence: see [`em`].
pub(crate) const ANCHOR_M: f64 = 1e-3;

/// Matches EM adds, spread over a field's levels, when it learns that field's `m`.
const PSEUDO_MATCHES: f64 = 1.0;

pub(crate) struct Params {
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub iterations: usize,
}

impl Params {
    /// The match weight (log2 of the posterior odds) of one comparison pattern.
    pub fn weight(&self, pattern: &[u8]) -> f64 {
        let mut w = self.prior_weight();
        for (f, &level) in pattern.iter().enumerate() {
            w += self.field_weight(f, level);
        }
        w
    }

    /// log2 of the prior odds of a match among candidate pairs.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// What one field's level adds to the match weight (0 when it is missing).
    pub fn field_weight(&self, field: usize, level: u8) -> f64 {
        if level == NULL {
            return 0.0;
        }
        let k = usize::from(level);
        (self.m[field][k] / self.u[field][k]).log2()
    }
}

/// `u` from level counts on random pairs, smoothed so that a level never seen among
/// random pairs (an identical social-security number) still has a small, finite `u`.
pub(crate) fn u_from_counts(counts: &[Vec<u64>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|c| {
            let total: u64 = c.iter().sum();
            let denom = total as f64 + 0.5 * c.len() as f64;
            c.iter().map(|&n| (n as f64 + 0.5) / denom).collect()
        })
        .collect()
}

/// Distinct patterns of a flat pattern array (`width` levels per pair) and, for every
/// pair, the index of its pattern.
pub(crate) fn distinct(flat: &[u8], width: usize) -> (Vec<(Vec<u8>, u64)>, Vec<u32>) {
    let mut index: HashMap<&[u8], u32> = HashMap::new();
    let mut patterns: Vec<(Vec<u8>, u64)> = Vec::new();
    let mut of_pair = Vec::with_capacity(flat.len() / width.max(1));
    for chunk in flat.chunks_exact(width.max(1)) {
        let id = *index.entry(chunk).or_insert_with(|| {
            patterns.push((chunk.to_vec(), 0));
            (patterns.len() - 1) as u32
        });
        patterns[id as usize].1 += 1;
        of_pair.push(id);
    }
    (patterns, of_pair)
}

/// The starting `m`: "a match mostly agrees exactly"; the top level gets most of the
/// mass and each weaker level half of the one before.
pub(crate) fn initial_m(levels: &[usize]) -> Vec<Vec<f64>> {
    levels
        .iter()
        .map(|&k| {
            let mut v: Vec<f64> = (0..k).map(|i| 0.5f64.powi(i as i32 + 1)).collect();
            v[0] = 0.9;
            let s: f64 = v.iter().sum();
            v.iter().map(|x| x / s).collect()
        })
        .collect()
}

/// EM for `lambda` and for the `m` of the fields `learn` marks; `u` and the other
/// fields' `m` stay as given. Fields that are `NULL` in every pattern keep their `m`.
/// `lambda` never exceeds `max_lambda`: each left record is at most one match, so the
/// matches among the pairs are at most as many as the left records.
///
/// With `anchor`, that field's weakest level keeps `m` = [`ANCHOR_M`]: one field alone
/// cannot tell the share of matches from its own `m` (any mixture fits), but "a match
/// nearly never shows the weakest level" makes it identifiable — the pairs at that
/// level are then non-matches, and `u` says how many non-matches there are in all.
pub(crate) fn em(
    patterns: &[(Vec<u8>, u64)],
    m: Vec<Vec<f64>>,
    u: Vec<Vec<f64>>,
    (lambda0, max_lambda): (f64, f64),
    learn: &[bool],
    anchor: Option<usize>,
    max_iterations: usize,
) -> Params {
    let levels: Vec<usize> = m.iter().map(Vec::len).collect();
    let max_lambda = max_lambda.clamp(1e-9, 1.0 - 1e-9);
    let mut p = Params { lambda: lambda0.clamp(1e-6, 0.5).min(max_lambda), m, u, iterations: 0 };
    let total: f64 = patterns.iter().map(|(_, n)| *n as f64).sum();
    if total == 0.0 {
        return p;
    }
    for it in 0..max_iterations {
        let mut m_acc: Vec<Vec<f64>> = levels.iter().map(|&k| vec![0.0; k]).collect();
        let mut match_mass = 0.0;
        for (pattern, n) in patterns {
            let w = p.weight(pattern);
            let post = 1.0 / (1.0 + (-w).exp2());
            let mass = post * *n as f64;
            match_mass += mass;
            for (f, &level) in pattern.iter().enumerate() {
                if level != NULL {
                    m_acc[f][usize::from(level)] += mass;
                }
            }
        }
        let mut change: f64 = 0.0;
        let new_lambda = (match_mass / total).clamp(1e-9, max_lambda);
        change = change.max((new_lambda - p.lambda).abs() / p.lambda);
        p.lambda = new_lambda;
        for (f, acc) in m_acc.iter_mut().enumerate() {
            let anchored = anchor == Some(f) && acc.len() > 1;
            if anchored && let Some(last) = acc.last_mut() {
                *last = 0.0;
            }
            let s: f64 = acc.iter().sum();
            if !learn.get(f).copied().unwrap_or(false) || s <= 0.0 {
                continue;
            }
            let (scale, last) = if anchored { (1.0 - ANCHOR_M, acc.len() - 1) } else { (1.0, usize::MAX) };
            // One pseudo-match spread evenly over the levels, so that a level a short
            // list happens not to show (a swapped birth date) keeps a plausible `m`.
            let pseudo = PSEUDO_MATCHES / acc.len() as f64;
            let s = s + PSEUDO_MATCHES;
            for (k, a) in acc.iter().enumerate() {
                let v = if k == last { ANCHOR_M } else { (scale * (a + pseudo) / s).max(M_FLOOR) };
                change = change.max((v - p.m[f][k]).abs());
                p.m[f][k] = v;
            }
        }

        p.iterations = it + 1;
        if change < 1e-6 {
            break;
        }
    }
    p
}
