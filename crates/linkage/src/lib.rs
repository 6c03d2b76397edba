//! Record linkage without a shared key (G-5.1): links a list without CPR numbers (a
//! language school's course list) to the population register on name, birth date and,
//! where present, phone and address.
//!
//! # How
//!
//! A small Fellegi–Sunter linker, unsupervised:
//!
//! 1. **Prepare** every value once ([`normalize`]): names folded (case, diacritics,
//!    particles) into tokens with a transliteration skeleton, dates to `yyyymmdd`
//!    digits, phones to their last eight digits.
//! 2. **Block** (`blocking`): several rules, OR-ed, choose the candidate pairs, so two
//!    lists are never compared all against all.
//! 3. **Compare** (`compare`): each field of a candidate pair gets a level, from exact
//!    agreement down to disagreement, or "missing" (no evidence either way). Names are
//!    compared as sets of tokens, so swapped given and family names and a whole name in
//!    one column agree with the register's two columns.
//! 4. **Learn** (`model`): `u` per level from random pairs; `m` by EM, one session per
//!    blocking rule over the pairs that rule brings, each learning the fields the rule
//!    does not use and the session observes (as Splink does; a session with only one
//!    such field pins that field's weakest level at a small `m`, since one field alone
//!    cannot tell the share of matches from its `m`); then, with those `m` fixed, the share
//!    of matches among all candidate pairs and the `m` of fields no session learned. The
//!    share is at most one match per left record. The truth is never used.
//! 5. **Decide**: each left record is one person, who is one of its candidates or none
//!    of them; its link is its best candidate (ties to the lower id), and the
//!    probability shown is that candidate's posterior odds over one plus the odds of all
//!    its candidates, so two candidates the evidence cannot tell apart share it. Several
//!    left records may link to one right record (a woman on two courses). A link at or
//!    above [`Config::upper`] is [`Certainty::Certain`] unless a [`Doubt`] holds: a close
//!    rival (within [`Config::ambiguity_margin`] bits), birth dates that differ by more
//!    than one slip or are missing, or names that agree on fewer than two words. Below
//!    `upper` a link goes to a caseworker's review queue ([`Certainty::Review`]) when
//!    its probability, or that of its close rivals together, is at least
//!    [`Config::lower`]; else the record stays unlinked. Every link carries its evidence
//!    per field ([`Link::evidence`]) and its [`Link::doubts`].
//!
//! The prior is the share of matches among candidate pairs as EM estimates it, not
//! among all pairs. How well the probabilities are calibrated is measured on synthetic
//! truth by `bench/linkage/trust.sh`.
//!
//! The name rules are general spelling rules (see [`normalize`]); no table of name
//! variants is built in.

mod blocking;
mod compare;
mod error;
mod evidence;
mod model;
pub mod normalize;

use std::fmt;

pub use blocking::BlockPart;
pub use compare::{DateAgreement, NameAgreement};
pub use error::{LinkError, Side};
use evidence::guard_doubts;
pub use evidence::{Agreement, Doubt, FieldEvidence};

/// What a field holds, which decides how two values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A person's name, one or several words (a whole name, a given name, a family name).
    /// Levels: [`NameAgreement`].
    Name,
    /// A date. Levels: exact; one digit off or day and month swapped; two digits off; else.
    /// A value given as text (a date that did not parse) is compared by its digits.
    Date,
    /// A code: postcode, an id number, a house number. Levels: exact; one edit; two; else.
    Exact,
    /// A phone number: digits only, the last eight. Levels: exact; one edit; else.
    Phone,
    /// Free text such as an address line. Levels: exact after folding; Jaro-Winkler
    /// ≥ 0.92; ≥ 0.8; else.
    Text,
}

/// A field value. Personal data: its `Debug` shows only which variant it is.
#[derive(Clone, PartialEq, Eq)]
pub enum FieldValue {
    Name(String),
    Date(time::Date),
    Text(String),
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(_) => f.write_str("Name(..)"),
            Self::Date(_) => f.write_str("Date(..)"),
            Self::Text(_) => f.write_str("Text(..)"),
        }
    }
}

/// One record: an id chosen by the caller (unique within its list) and one value per
/// schema field, in schema order; `None` where the value is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: u64,
    pub values: Vec<Option<FieldValue>>,
}

/// The fields both lists are described by, and the blocking rules.
#[derive(Clone, Debug)]
pub struct Schema {
    fields: Vec<(String, FieldKind)>,
    rules: Vec<blocking::Rule>,
}

impl Schema {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::default()
    }

    /// The fields, in the order a [`Record`]'s values follow.
    pub fn fields(&self) -> impl Iterator<Item = (&str, FieldKind)> {
        self.fields.iter().map(|(n, k)| (n.as_str(), *k))
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The position of a field in a record's values.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }
}

/// Builds a [`Schema`]. Without any [`SchemaBuilder::block_on`], the default blocking
/// rules are:
/// - each `Date`, `Exact`, `Phone` and `Text` field on its own (whole value);
/// - for each two `Name` fields, or a `Name` field with itself: any two name tokens
///   (skeletons, order ignored), so given and family name swapped, or written in one
///   column, still meet;
/// - each `Name` field's tokens with each `Date` field's year (a typo in the birth date).
#[derive(Clone, Debug, Default)]
pub struct SchemaBuilder {
    fields: Vec<(String, FieldKind)>,
    rules: Vec<Vec<(String, BlockPart)>>,
}

impl SchemaBuilder {
    pub fn field(mut self, name: impl Into<String>, kind: FieldKind) -> Self {
        self.fields.push((name.into(), kind));
        self
    }

    /// Adds a blocking rule: the key is made of these parts of these fields. Replaces
    /// the default rules.
    pub fn block_on(mut self, parts: &[(&str, BlockPart)]) -> Self {
        self.rules.push(parts.iter().map(|(n, p)| ((*n).to_owned(), *p)).collect());
        self
    }

    pub fn build(self) -> Result<Schema, LinkError> {
        if self.fields.is_empty() {
            return Err(LinkError::EmptySchema);
        }
        for (i, (name, _)) in self.fields.iter().enumerate() {
            if self.fields[..i].iter().any(|(n, _)| n == name) {
                return Err(LinkError::DuplicateField { name: name.clone() });
            }
        }
        let index = |name: &str| self.fields.iter().position(|(n, _)| n == name);
        let rules = if self.rules.is_empty() {
            default_rules(&self.fields)
        } else {
            let mut rules = Vec::with_capacity(self.rules.len());
            for (r, parts) in self.rules.iter().enumerate() {
                if parts.is_empty() {
                    return Err(LinkError::EmptyRule { rule: r });
                }
                let mut out = Vec::with_capacity(parts.len());
                for (name, part) in parts {
                    let i = index(name).ok_or_else(|| LinkError::UnknownField { rule: r, name: name.clone() })?;
                    out.push((i, *part));
                }
                rules.push(blocking::Rule { parts: out });
            }
            rules
        };
        Ok(Schema { fields: self.fields, rules })
    }
}

fn default_rules(fields: &[(String, FieldKind)]) -> Vec<blocking::Rule> {
    let of = |kind: FieldKind| -> Vec<usize> {
        fields.iter().enumerate().filter(|(_, (_, k))| *k == kind).map(|(i, _)| i).collect()
    };
    let (names, dates) = (of(FieldKind::Name), of(FieldKind::Date));
    let mut rules = Vec::new();
    for (i, (_, kind)) in fields.iter().enumerate() {
        if matches!(kind, FieldKind::Date | FieldKind::Exact | FieldKind::Phone | FieldKind::Text) {
            rules.push(blocking::Rule { parts: vec![(i, BlockPart::Whole)] });
        }
    }
    for (a, &x) in names.iter().enumerate() {
        for &y in &names[a..] {
            rules.push(blocking::Rule { parts: vec![(x, BlockPart::NameToken), (y, BlockPart::NameToken)] });
        }
        for &d in &dates {
            rules.push(blocking::Rule { parts: vec![(x, BlockPart::NameToken), (d, BlockPart::Year)] });
        }
    }
    rules
}

/// Tuning of a linkage run. `Default` gives the documented values.
#[derive(Clone, Debug)]
pub struct Config {
    /// Probability at or above which a link is certain. Default 0.99: a wrong link means
    /// contacting the wrong woman, so "certain" must be rare to be wrong.
    pub upper: f64,
    /// Probability below which a record is not linked (its best candidate's, or that of
    /// its close rivals together). Default 0.5: between `lower` and `upper` a caseworker
    /// decides.
    pub lower: f64,
    /// A link whose record has another candidate within this many bits of match weight
    /// goes to review whatever its probability. Default 2.0 (the rival is at least a
    /// quarter as likely).
    pub ambiguity_margin: f64,
    /// Blocks larger than this many pairs are skipped (see `blocking`). Default 10,000.
    pub max_block_pairs: usize,
    /// Random pairs counted for `u`. Default 200,000 (all pairs if there are fewer).
    pub u_sample_pairs: usize,
    /// Upper bound on EM iterations. Default 100; it usually converges in far fewer.
    pub em_max_iterations: usize,
    /// Seed of the random pairs, so that a run is reproducible. Default 42.
    pub seed: u64,
    /// Weigh exact agreement on a name, date or code by how common that value is in the
    /// two lists, rather than by the average over values. Default true.
    pub term_frequencies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            upper: 0.99,
            lower: 0.5,
            ambiguity_margin: 2.0,
            max_block_pairs: 10_000,
            u_sample_pairs: 200_000,
            em_max_iterations: 100,
            seed: 42,
            term_frequencies: true,
        }
    }
}

/// How sure a link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Certainty {
    Certain,
    /// A caseworker must confirm or reject it.
    Review,
}

/// A link between a left and a right record, by their ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub left: u64,
    pub right: u64,
    /// Probability that the left record is this right record: the pair's posterior odds
    /// over one plus the odds of all the left record's candidates (see the crate
    /// documentation), so that candidates the evidence cannot tell apart share it.
    pub probability: f64,
    /// The pair's match weight, log2 of its posterior odds: [`Link::prior_weight`] plus
    /// the weights of [`Link::evidence`].
    pub weight: f64,
    pub certainty: Certainty,
    /// log2 of the prior odds of a match among candidate pairs.
    pub prior_weight: f64,
    /// Per schema field, in schema order: how the two values agreed and what that added
    /// to the weight (positive speaks for the link). For a person who decides.
    pub evidence: Vec<FieldEvidence>,
    /// Why the link is not certain; empty exactly when it is.
    pub doubts: Vec<Doubt>,
}

/// What a run found, with figures about the run itself.
#[derive(Clone, Debug)]
pub struct Linkage {
    /// Sorted by left id, then right id.
    pub links: Vec<Link>,
    /// Pairs compared after blocking.
    pub candidate_pairs: usize,
    /// EM's estimate of the share of matches among the candidate pairs.
    pub match_share: f64,
    pub em_iterations: usize,
}

/// How two names agree, for one name against another (each one or several words).
pub fn compare_names(a: &str, b: &str) -> NameAgreement {
    compare::names(&compare::tokens(a), &compare::tokens(b))
}

/// Links `left` to `right`. See the crate documentation for how.
pub fn link(schema: &Schema, left: &[Record], right: &[Record], config: &Config) -> Result<Vec<Link>, LinkError> {
    link_detailed(schema, left, right, config).map(|l| l.links)
}

/// [`link`], with figures about the run.
pub fn link_detailed(
    schema: &Schema,
    left: &[Record],
    right: &[Record],
    config: &Config,
) -> Result<Linkage, LinkError> {
    let (lower, upper) = (config.lower, config.upper);
    if !(0.0..=1.0).contains(&lower) || !(0.0..=1.0).contains(&upper) || lower > upper {
        return Err(LinkError::Thresholds { lower, upper });
    }
    let kinds: Vec<FieldKind> = schema.fields.iter().map(|(_, k)| *k).collect();
    // Records are worked on in id order, so that the random pairs, the order of pairs
    // and thereby every floating-point sum do not depend on the order of the input.
    let (left_ids, l) = prepare_side(&kinds, left, Side::Left)?;
    let (right_ids, r) = prepare_side(&kinds, right, Side::Right)?;
    if left.is_empty() || right.is_empty() {
        return Ok(Linkage { links: Vec::new(), candidate_pairs: 0, match_share: 0.0, em_iterations: 0 });
    }
    let levels: Vec<usize> = kinds.iter().map(|&k| compare::levels(k)).collect();
    let width = kinds.len();
    let compare_pair = |i: usize, j: usize, out: &mut Vec<u8>| {
        for (f, &kind) in kinds.iter().enumerate() {
            out.push(compare::level(kind, &l[i][f], &r[j][f]).unwrap_or(model::NULL));
        }
    };

    // Comparing is the bulk of the work; split it over the cores in fixed, ordered
    // chunks so the result does not depend on how many there are.
    let compare_all = |pairs: &[(u32, u32)]| -> Result<Vec<u8>, LinkError> {
        // Small runs (a short list against a few candidates) are not worth a thread.
        let threads = if pairs.len() < 20_000 {
            1
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8)
        };
        let chunk = pairs.len().div_ceil(threads).max(1);
        let parts: Vec<Option<Vec<u8>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = pairs
                .chunks(chunk)
                .map(|part| {
                    let compare_pair = &compare_pair;
                    scope.spawn(move || {
                        let mut out = Vec::with_capacity(part.len() * width);
                        for &(i, j) in part {
                            compare_pair(i as usize, j as usize, &mut out);
                        }
                        out
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().ok()).collect()
        });
        let mut flat = Vec::with_capacity(pairs.len() * width);
        for part in parts {
            flat.extend(part.ok_or(LinkError::Internal)?);
        }
        Ok(flat)
    };

    let all_pairs = left.len().saturating_mul(right.len());
    let sample: Vec<(u32, u32)> = if all_pairs <= config.u_sample_pairs {
        (0..left.len() as u32).flat_map(|i| (0..right.len() as u32).map(move |j| (i, j))).collect()
    } else {
        let mut rng = SplitMix64(config.seed);
        (0..config.u_sample_pairs)
            .map(|_| ((rng.next() % left.len() as u64) as u32, (rng.next() % right.len() as u64) as u32))
            .collect()
    };
    let mut u_counts: Vec<Vec<u64>> = levels.iter().map(|&k| vec![0; k]).collect();
    for pattern in compare_all(&sample)?.chunks_exact(width) {
        for (f, &level) in pattern.iter().enumerate() {
            if level != model::NULL {
                u_counts[f][usize::from(level)] += 1;
            }
        }
    }
    let u = model::u_from_counts(&u_counts);

    let by_rule = blocking::candidates_by_rule(&l, &r, &schema.rules, config.max_block_pairs);
    let mut pairs: Vec<(u32, u32)> = by_rule.concat();
    pairs.sort_unstable();
    pairs.dedup();
    let flat = compare_all(&pairs)?;
    let (patterns, _) = model::distinct(&flat, width);

    // m by EM, one session per blocking rule, as Splink does: among the pairs one rule
    // brings, non-matches agree on the rule's own fields by construction but are random
    // pairs as far as the other fields go, which is what the fixed `u` assumes. So each
    // session learns `m` of the fields its rule does not use, and the estimates are
    // averaged. EM over all candidates at once mistakes the non-matches that blocking
    // made similar for matches. A session needs two fields: with `u` fixed, one field's
    // levels cannot separate the share of matches from their `m`.
    let start_lambda = |n: usize| {
        let n = n.max(1) as f64;
        (left.len().min(right.len()) as f64 / n, left.len() as f64 / n)
    };
    let mut m_sum: Vec<Vec<f64>> = levels.iter().map(|&k| vec![0.0; k]).collect();
    let mut m_sessions = vec![0usize; width];
    let mut em_iterations = 0;
    for (rule, rule_pairs) in schema.rules.iter().zip(&by_rule) {
        let free: Vec<bool> = (0..width).map(|f| rule.parts.iter().all(|&(i, _)| i != f)).collect();
        if rule_pairs.is_empty() {
            continue;
        }
        let mut masked: Vec<u8> = Vec::with_capacity(rule_pairs.len() * width);
        for pair in rule_pairs {
            let n = pairs.binary_search(pair).map_err(|_| LinkError::Internal)?;
            let pattern = &flat[n * width..(n + 1) * width];
            masked.extend(pattern.iter().zip(&free).map(|(&level, &f)| if f { level } else { model::NULL }));
        }
        let (session, _) = model::distinct(&masked, width);
        // Only fields the session observes count (a register without phone numbers
        // leaves the phone unobserved). A session with one such field anchors its
        // weakest level (see `model::em`); EM over all candidates instead would take
        // the non-matches blocking brought (namesakes born years apart) for matches.
        let observed: Vec<bool> =
            (0..width).map(|f| free[f] && session.iter().any(|(pattern, _)| pattern[f] != model::NULL)).collect();
        let anchor = match observed.iter().filter(|&&x| x).count() {
            0 => continue,
            1 => observed.iter().position(|&x| x),
            _ => None,
        };
        let p = model::em(
            &session,
            model::initial_m(&levels),
            u.clone(),
            start_lambda(rule_pairs.len()),
            &observed,
            anchor,
            config.em_max_iterations,
        );
        em_iterations += p.iterations;
        for f in (0..width).filter(|&f| observed[f]) {
            m_sessions[f] += 1;
            m_sum[f].iter_mut().zip(&p.m[f]).for_each(|(s, v)| *s += v);
        }
    }
    let initial = model::initial_m(&levels);
    let m: Vec<Vec<f64>> = (0..width)
        .map(|f| {
            if m_sessions[f] == 0 {
                initial[f].clone()
            } else {
                m_sum[f].iter().map(|s| s / m_sessions[f] as f64).collect()
            }
        })
        .collect();
    // With the learned `m` fixed, the share of matches among all candidates, and the
    // `m` of fields no session could learn (anchored by those that were).
    let unlearned: Vec<bool> = m_sessions.iter().map(|&n| n == 0).collect();
    let params = model::em(&patterns, m, u, start_lambda(pairs.len()), &unlearned, None, config.em_max_iterations);
    em_iterations += params.iterations;
    let term_freq = config.term_frequencies.then(|| term_frequencies(&kinds, &l, &r));

    // Each pair's evidence: per field, its level and what it adds to the match weight.
    let field_weight = |n: usize, i: usize, f: usize| -> f64 {
        let level = flat[n * width + f];
        let mut w = params.field_weight(f, level);
        if level == 0
            && let Some(Some(field_tf)) = term_freq.as_ref().map(|tf| &tf[f])
        {
            // Exact agreement on this value: its own u instead of the average.
            w += (params.u[f][0] / field_tf[i]).log2();
        }
        w
    };
    let prior = params.prior_weight();
    let weights: Vec<f64> = pairs
        .iter()
        .enumerate()
        .map(|(n, &(i, _))| prior + (0..width).map(|f| field_weight(n, i as usize, f)).sum::<f64>())
        .collect();

    // Each list row is one person, who is one of its candidates or none of them (not in
    // the other list, or not brought by blocking). So the probability of a candidate is
    // its posterior odds over one plus the odds of all the row's candidates: two
    // candidates the evidence cannot tell apart (twins, namesakes) share it. A right
    // record may be linked from several left rows (a woman on two courses).
    let mut links = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let i = pairs[start].0;
        let end = start + pairs[start..].iter().position(|p| p.0 != i).unwrap_or(pairs.len() - start);
        // Pairs are sorted by (left, right), so the first of equal weights has the lower id.
        let mut best = start;
        let mut rival = f64::NEG_INFINITY;
        for n in start + 1..end {
            if weights[n] > weights[best] {
                rival = rival.max(weights[best]);
                best = n;
            } else {
                rival = rival.max(weights[n]);
            }
        }
        let top = weights[best].max(0.0);
        let odds_sum: f64 = (-top).exp2() + weights[start..end].iter().map(|w| (w - top).exp2()).sum::<f64>();
        let share = |w: f64| (w - top).exp2() / odds_sum;
        let probability = share(weights[best]);
        // Candidates the evidence can hardly tell apart (twins with one name on the list)
        // each fall below `lower`, yet the row is surely one of them: a person decides.
        let close: f64 = weights[start..end]
            .iter()
            .filter(|&&w| w >= weights[best] - config.ambiguity_margin)
            .map(|&w| share(w))
            .sum();
        if probability > 0.0 && close >= lower {
            let j = pairs[best].1 as usize;
            let evidence: Vec<FieldEvidence> = (0..width)
                .map(|f| FieldEvidence {
                    field: schema.fields[f].0.clone(),
                    agreement: Agreement::of(kinds[f], flat[best * width + f]),
                    weight: field_weight(best, i as usize, f),
                })
                .collect();
            let mut doubts = guard_doubts(&kinds, &evidence, &l[i as usize], &r[j]);
            if probability < upper {
                doubts.insert(0, Doubt::Probability);
            }
            if rival >= weights[best] - config.ambiguity_margin {
                doubts.push(Doubt::Rival);
            }
            links.push(Link {
                left: left_ids[i as usize],
                right: right_ids[j],
                probability,
                weight: weights[best],
                certainty: if doubts.is_empty() { Certainty::Certain } else { Certainty::Review },
                prior_weight: prior,
                evidence,
                doubts,
            });
        }
        start = end;
    }
    links.sort_by(|a, b| a.left.cmp(&b.left).then(a.right.cmp(&b.right)));
    Ok(Linkage { links, candidate_pairs: pairs.len(), match_share: params.lambda, em_iterations })
}

/// For each field whose exact agreement is adjusted (names, dates, codes), the share of
/// all records of both lists holding each left record's value. Two records agreeing on
/// a value that a tenth of the population shares (1 January as a placeholder birth
/// date, a very common name) prove less than agreeing on a rare one; the level's `u`
/// is an average over values, this is the value's own.
fn term_frequencies(
    kinds: &[FieldKind],
    l: &[Vec<compare::Prepared>],
    r: &[Vec<compare::Prepared>],
) -> Vec<Option<Vec<f64>>> {
    let total = (l.len() + r.len()) as f64;
    kinds
        .iter()
        .enumerate()
        .map(|(f, kind)| {
            if !matches!(kind, FieldKind::Name | FieldKind::Date | FieldKind::Exact) {
                return None;
            }
            let mut counts: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
            for rec in l.iter().chain(r) {
                if let Some(key) = compare::exact_key(&rec[f]) {
                    *counts.entry(key).or_default() += 1;
                }
            }
            Some(
                l.iter()
                    .map(|rec| {
                        let n = compare::exact_key(&rec[f]).and_then(|k| counts.get(&k).copied()).unwrap_or(1);
                        f64::from(n) / total
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Checks one list and prepares its values; returns ids and values sorted by id.
fn prepare_side(
    kinds: &[FieldKind],
    records: &[Record],
    side: Side,
) -> Result<(Vec<u64>, Vec<Vec<compare::Prepared>>), LinkError> {
    if records.len() > u32::MAX as usize {
        return Err(LinkError::TooManyRecords { side });
    }
    if let Some(index) = records.iter().position(|r| r.values.len() != kinds.len()) {
        let found = records[index].values.len();
        return Err(LinkError::WrongArity { side, index, expected: kinds.len(), found });
    }
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| (records[i].id, i));
    if let Some(w) = order.windows(2).find(|w| records[w[0]].id == records[w[1]].id) {
        return Err(LinkError::DuplicateId { side, index: w[1] });
    }
    let ids = order.iter().map(|&i| records[i].id).collect();
    let prepared = order
        .iter()
        .map(|&i| kinds.iter().zip(&records[i].values).map(|(&k, v)| compare::prepare(k, v.as_ref())).collect())
        .collect();
    Ok((ids, prepared))
}

/// A tiny deterministic generator for sampling random pairs; quality needs are modest.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
