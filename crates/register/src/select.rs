//! The selection engine: streams each extract once through the rules of
//! `domain::selection` and keeps, per woman still in the running, only her CPR and the
//! few fields outreach needs.
//!
//! Why not a general columnar engine (docs/architecture.md, "Register engine"): every
//! selection the guide describes is a filter on the population followed by semi- and
//! anti-joins on one key (the CPR). Streamed row by row against a hash set of the women
//! still in the running, memory is bounded by the number of women the base filter
//! admits, never by the size of an extract, and the build stays small.
//!
//! Lists without CPR (the language school's) are linked to the women in the running by
//! name, birth date and phone (`linkage`); certain links count as rows of that woman,
//! uncertain ones go to the review queue with her data, and the later steps apply to
//! them too, so a link confirmed later admits only a woman the rules would have kept.

use crate::error::ReadError;
use crate::kinds::Need;
use crate::kinds::{Field, SourceKind};
use crate::mapping::Mapping;
use crate::read::{Reader, Row};
use crate::value::Sex;
use domain::selection::{Action, Candidate, Resident, Rules, SourceRow, Step, StepSource};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use time::Date;

/// Women in the running by CPR (`Cpr::key`). The keys are CPR numbers, spread over
/// their digits already, so one multiply mixes them enough; SipHash took a tenth of a
/// run over a large income extract.
pub(crate) type ByCpr = HashMap<u64, usize, BuildHasherDefault<KeyHasher>>;

#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n ^ (n >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    }
}

/// An uploaded extract as the engine reads it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub kind: SourceKind,
    pub path: PathBuf,
    /// As the coordinator called it; errors name it.
    pub file_name: String,
    pub mapping: Mapping,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("no population extract has been uploaded")]
    NoPopulation,
    #[error("the rules need an extract of kind {0} and none has been uploaded")]
    MissingSource(&'static str),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("linking {file}: {message}")]
    Linkage { file: String, message: String },
}

impl SelectError {
    /// Stable code for the UI's messages.
    pub fn code(&self) -> &'static str {
        match self {
            SelectError::NoPopulation => "select-no-population",
            SelectError::MissingSource(_) => "select-missing-source",
            SelectError::Read(e) => e.code(),
            SelectError::Linkage { .. } => "select-linkage",
        }
    }
}

/// How many were left after each step: what the dry run shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepCount {
    pub action: String,
    pub source: String,
    pub reason: String,
    /// Women in the running that the step's rows matched.
    pub matched: u64,
    /// Left after the step.
    pub remaining: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub population_rows: u64,
    /// The same CPR twice in the population extract: counted once.
    pub population_duplicates: u64,
    pub after_base: u64,
    pub steps: Vec<StepCount>,
    /// List rows linked with certainty / sent for review / not linked.
    pub linked_certain: u64,
    pub linked_review: u64,
    pub unlinked: u64,
    pub candidates: u64,
}

/// A list row linked to a woman with too little certainty: the caseworker decides.
#[derive(Debug, Clone)]
pub struct ReviewLink {
    pub list_kind: SourceKind,
    pub list_file: String,
    pub list_row: u64,
    pub probability: f64,
    pub list_name: String,
    pub list_birth_date: Option<Date>,
    pub list_phone: Option<String>,
    pub candidate: Candidate,
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub candidates: Vec<Candidate>,
    pub reviews: Vec<ReviewLink>,
    pub counts: Counts,
}

/// The women still in the running, by CPR, with what is kept of them.
struct Pool {
    women: Vec<Candidate>,
    by_cpr: ByCpr,
    alive: Vec<bool>,
    /// In the review queue rather than the running (their link is uncertain); later
    /// steps still apply to them.
    review: HashMap<usize, ReviewLink>,
}

impl Pool {
    fn remaining(&self) -> u64 {
        self.alive.iter().filter(|a| **a).count() as u64
    }
}

/// Runs the rules over the extracts. Nothing is written anywhere: the caller decides
/// whether this was a dry run.
pub fn select(rules: &Rules, files: &[SourceFile], run_date: Date) -> Result<Selection, SelectError> {
    let population = files.iter().find(|f| f.kind == SourceKind::Population).ok_or(SelectError::NoPopulation)?;
    for source in rules.sources() {
        let kind = kind_of(source);
        if !files.iter().any(|f| f.kind == kind) {
            return Err(SelectError::MissingSource(kind.code()));
        }
    }
    let mut counts = Counts::default();
    let mut pool = read_population(rules, population, run_date, &mut counts)?;
    counts.after_base = pool.remaining();
    let steps = &rules.steps;
    let mut at = 0;
    while at < steps.len() {
        if steps[at].source == StepSource::LanguageSchool {
            let step = &steps[at];
            let mut matched: HashSet<usize> = HashSet::new();
            let mut new_review: HashSet<usize> = HashSet::new();
            for file in files.iter().filter(|f| f.kind == SourceKind::LanguageSchool) {
                let mut view = pool_view(&mut pool);
                new_review.extend(crate::link_lists::match_list(
                    step,
                    file,
                    run_date,
                    &mut view,
                    &mut matched,
                    &mut counts,
                )?);
            }
            let mut hits = vec![false; pool.women.len()];
            for i in matched {
                hits[i] = true;
            }
            finish_step(step, &hits, &new_review, &mut pool, &mut counts);
            at += 1;
            continue;
        }
        // Steps keyed by CPR read their extracts side by side: each matches against
        // the women in the running now, and is applied in order afterwards (a step
        // only ever removes women, so matching against more changes nothing).
        let end =
            steps[at..].iter().position(|s| s.source == StepSource::LanguageSchool).map_or(steps.len(), |p| at + p);
        let batch = &steps[at..end];
        let matched = match_batch(batch, files, run_date, &pool)?;
        for (step, hits) in batch.iter().zip(matched) {
            finish_step(step, &hits, &HashSet::new(), &mut pool, &mut counts);
        }
        at = end;
    }
    let mut candidates = Vec::new();
    let mut reviews = Vec::new();
    for (i, woman) in pool.women.into_iter().enumerate() {
        if pool.alive[i] {
            candidates.push(woman);
        } else if let Some(r) = pool.review.remove(&i) {
            reviews.push(r);
        }
    }
    reviews.sort_by_key(|r| r.list_row);
    counts.candidates = candidates.len() as u64;
    Ok(Selection { candidates, reviews, counts })
}

fn kind_of(source: StepSource) -> SourceKind {
    match source {
        StepSource::Income => SourceKind::Income,
        StepSource::Benefits => SourceKind::Benefits,
        StepSource::IntegrationProgramme => SourceKind::IntegrationProgramme,
        StepSource::LanguageSchool => SourceKind::LanguageSchool,
        StepSource::HousingBenefit => SourceKind::HousingBenefit,
        StepSource::MaintenanceContracts => SourceKind::MaintenanceContracts,
        StepSource::ReunificationDeposits => SourceKind::ReunificationDeposits,
    }
}

fn read_population(rules: &Rules, file: &SourceFile, run_date: Date, counts: &mut Counts) -> Result<Pool, SelectError> {
    let mut reader = Reader::open(&file.path, &file.file_name, &file.mapping)?;
    let mut pool = Pool { women: Vec::new(), by_cpr: ByCpr::default(), alive: Vec::new(), review: HashMap::new() };
    while let Some(row) = reader.next_row()? {
        counts.population_rows += 1;
        let Some(cpr) = row.cpr() else { continue };
        if pool.by_cpr.contains_key(&cpr.key()) {
            counts.population_duplicates += 1;
            continue;
        }
        let Some(birth_date) = row.birth_date() else { continue };
        let origin = row.text(Field::CountryOfOrigin).unwrap_or("");
        let resident = Resident {
            female: row.sex().map(|s| s == Sex::Female),
            birth_date,
            country_of_origin: origin,
            arrived_in_denmark: row.date(Field::ArrivalDate),
            area: row.text(Field::Area),
        };
        if !rules.population.admits(&resident, run_date) {
            continue;
        }
        let (given_name, family_name) = names(row);
        let woman = Candidate {
            given_name,
            family_name,
            cpr: cpr.expose(),
            birth_date,
            country_of_origin: origin.to_ascii_uppercase(),
            arrived_in_denmark: resident.arrived_in_denmark,
            street: row.text(Field::Street).map(str::to_string),
            postcode: row.text(Field::Postcode).map(str::to_string),
            city: row.text(Field::City).map(str::to_string),
            area_code: row.text(Field::Area).map(str::to_string),
            phone: None,
        };
        pool.by_cpr.insert(cpr.key(), pool.women.len());
        pool.women.push(woman);
        pool.alive.push(true);
    }
    Ok(pool)
}

/// Given and family name from a row that has them apart or in one column (the last
/// word taken as the family name, as Danish registers write names).
pub(crate) fn names(row: &Row) -> (String, String) {
    if let (Some(g), Some(f)) = (row.text(Field::GivenName), row.text(Field::FamilyName)) {
        return (g.trim().to_string(), f.trim().to_string());
    }
    let whole = row.text(Field::Name).unwrap_or("").trim();
    if let Some((family, given)) = whole.split_once(',') {
        return (given.trim().to_string(), family.trim().to_string());
    }
    match whole.rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_string(), family.trim().to_string()),
        None => (whole.to_string(), String::new()),
    }
}

fn source_row(row: &Row) -> SourceRow<'_> {
    SourceRow {
        month: row.month().map(|m| m.first_day()),
        date: row.date(Field::Date).or_else(|| row.date(Field::StartDate)),
        end_date: row.date(Field::EndDate),
        amount: row.amount(Field::Amount).or_else(|| row.amount(Field::HouseholdIncome)),
        kind: row.text(Field::IncomeType).or_else(|| row.text(Field::BenefitType)).or_else(|| row.text(Field::Course)),
    }
}

/// The columns a step reads: the CPR, dates, and only what its conditions use. The
/// optional columns it does not use are not even parsed.
fn reading_mapping(step: &Step, file: &SourceFile) -> Mapping {
    let mut mapping = file.mapping.clone();
    mapping.columns.retain(|field, _| {
        let used = match field {
            Field::Cpr | Field::Month | Field::Date | Field::StartDate | Field::EndDate => true,
            Field::Amount | Field::HouseholdIncome => step.amount_above.is_some(),
            Field::IncomeType | Field::BenefitType | Field::Course => !step.types.is_empty(),
            _ => false,
        };
        used || file.kind.spec(*field).is_some_and(|s| s.need == Need::Required)
    });
    mapping
}

fn match_rows(
    step: &Step,
    file: &SourceFile,
    run_date: Date,
    pool: &Pool,
    hits: &mut [bool],
) -> Result<(), SelectError> {
    let mut reader = Reader::open(&file.path, &file.file_name, &reading_mapping(step, file))?;
    while let Some(row) = reader.next_row()? {
        let Some(cpr) = row.cpr() else { continue };
        let Some(&i) = pool.by_cpr.get(&cpr.key()) else { continue };
        if !hits[i] && (pool.alive[i] || pool.review.contains_key(&i)) && step.matches(&source_row(row), run_date) {
            hits[i] = true;
        }
    }
    Ok(())
}

/// Every (step, extract) pair of the batch on as many threads as there are cores.
fn match_batch(
    batch: &[Step],
    files: &[SourceFile],
    run_date: Date,
    pool: &Pool,
) -> Result<Vec<Vec<bool>>, SelectError> {
    let jobs: Vec<(usize, &SourceFile)> = batch
        .iter()
        .enumerate()
        .flat_map(|(i, step)| files.iter().filter(move |f| f.kind == kind_of(step.source)).map(move |f| (i, f)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len()).max(1);
    // Per worker: the (step, hits) pairs it finished.
    type Done = Result<Vec<(usize, Vec<bool>)>, SelectError>;
    let results: Vec<Done> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(step, file)) = jobs.get(j) else { break };
                        let mut hits = vec![false; pool.women.len()];
                        match_rows(&batch[step], file, run_date, pool, &mut hits)?;
                        done.push((step, hits));
                    }
                    Ok(done)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(SelectError::Linkage { file: String::new(), message: "a reader thread failed".into() })
                })
            })
            .collect()
    });
    let mut per_step: Vec<Vec<bool>> = vec![vec![false; pool.women.len()]; batch.len()];
    for result in results {
        for (step, hits) in result? {
            for (acc, hit) in per_step[step].iter_mut().zip(hits) {
                *acc |= hit;
            }
        }
    }
    Ok(per_step)
}

fn finish_step(step: &Step, hits: &[bool], new_review: &HashSet<usize>, pool: &mut Pool, counts: &mut Counts) {
    let matched =
        (0..pool.women.len()).filter(|&i| hits[i] && (pool.alive[i] || pool.review.contains_key(&i))).count() as u64;
    apply(step.action, hits, new_review, pool);
    counts.steps.push(StepCount {
        action: step.action.code().to_string(),
        source: step.source.code().to_string(),
        reason: step.reason.clone(),
        matched,
        remaining: pool.remaining(),
    });
}

/// Drops the women the step rules out. A woman this step sent for review leaves the
/// running but stays in the queue: whether she matches is the caseworker's call.
fn apply(action: Action, hits: &[bool], new_review: &HashSet<usize>, pool: &mut Pool) {
    for (i, &hit) in hits.iter().enumerate().take(pool.women.len()) {
        let drop = match action {
            Action::Require => !hit,
            Action::Exclude => hit,
        };
        if drop {
            pool.alive[i] = false;
            if !new_review.contains(&i) {
                pool.review.remove(&i);
            }
        } else if hit && new_review.contains(&i) {
            // A certain link outranks an uncertain one to the same woman.
            pool.review.remove(&i);
        }
    }
}

/// What list linking may see and change of the pool.
pub(crate) struct PoolView<'a> {
    pub women: &'a mut [Candidate],
    pub by_cpr: &'a ByCpr,
    pub alive: &'a [bool],
    pub review: &'a mut HashMap<usize, ReviewLink>,
}

fn pool_view(pool: &mut Pool) -> PoolView<'_> {
    PoolView { women: &mut pool.women, by_cpr: &pool.by_cpr, alive: &pool.alive, review: &mut pool.review }
}

pub(crate) fn source_row_of(row: &Row) -> SourceRow<'_> {
    source_row(row)
}
