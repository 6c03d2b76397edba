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
use crate::kinds::{ExtractFields, ExtractKind, Field};
use crate::mapping::Mapping;
use crate::read::{Chunk, Reader, Row};
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
    pub kind: ExtractKind,
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
    #[error("a reader thread stopped unexpectedly")]
    Worker,
    #[error(transparent)]
    ReferenceDates(#[from] ReferenceDatesApart),
    /// An extract imported before reference dates were recorded: a run cannot know
    /// which date it describes, and does not guess.
    #[error("{file} has no recorded reference date; import it again with the date it describes")]
    NoReferenceDate { file: String },
}

/// Two extracts of one run describe dates more than a month apart: a woman would be
/// judged on one date by one register and on another by the next. The coordinator may
/// still confirm the run (the caller then does not check).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{first_file} describes {first_date} and {second_file} describes {second_date}, more than a month apart; \
     upload extracts of the same date, or confirm that the run may use them"
)]
pub struct ReferenceDatesApart {
    pub first_file: String,
    pub first_date: Date,
    pub second_file: String,
    pub second_date: Date,
}

/// Checks that the reference dates of a run's extracts (file name, the date it
/// describes) lie at most a month apart: the latest no later than the earliest plus one
/// calendar month. The error names the earliest and the latest.
pub fn check_reference_dates(files: &[(&str, Date)]) -> Result<(), ReferenceDatesApart> {
    let (Some(first), Some(last)) = (files.iter().min_by_key(|f| f.1), files.iter().max_by_key(|f| f.1)) else {
        return Ok(());
    };
    if last.1 <= one_month_after(first.1) {
        return Ok(());
    }
    Err(ReferenceDatesApart {
        first_file: first.0.to_owned(),
        first_date: first.1,
        second_file: last.0.to_owned(),
        second_date: last.1,
    })
}

/// The same day a month later, or the month's last day when it has no such day.
fn one_month_after(d: Date) -> Date {
    let next = d.month().next();
    let year = if next == time::Month::January { d.year() + 1 } else { d.year() };
    let last = time::util::days_in_month(next, year);
    Date::from_calendar_date(year, next, d.day().min(last)).unwrap_or(d)
}

impl SelectError {
    /// Stable code for the UI's messages.
    pub fn code(&self) -> &'static str {
        match self {
            SelectError::NoPopulation => "select-no-population",
            SelectError::MissingSource(_) => "select-missing-source",
            SelectError::Read(e) => e.code(),
            SelectError::Linkage { .. } => "select-linkage",
            SelectError::Worker => "select-worker",
            SelectError::ReferenceDates(_) => "select-reference-dates",
            SelectError::NoReferenceDate { .. } => "select-no-reference-date",
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
    pub list_kind: ExtractKind,
    pub list_file: String,
    pub list_row: u64,
    pub probability: f64,
    pub list_name: String,
    pub list_birth_date: Option<Date>,
    pub list_phone: Option<String>,
    pub candidate: Candidate,
    /// Why the link was made and why it is not certain.
    pub why: LinkWhy,
}

/// Why a list row was linked to her, as the review page shows it (issue 12, item 6):
/// how each field agreed (`linkage::Agreement::code`) and why the link is not certain
/// (`linkage::Doubt::code`). Stored with the link as one line of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkWhy {
    /// The schema field and its agreement's code, e.g. `("birth_date", "date-typo")`.
    pub fields: Vec<(String, String)>,
    /// Doubt codes, e.g. `rival`, `dates-differ:birth_date`.
    pub doubts: Vec<String>,
}

impl LinkWhy {
    pub fn of(link: &linkage::Link) -> LinkWhy {
        LinkWhy {
            fields: link.evidence.iter().map(|e| (e.field.clone(), e.agreement.code())).collect(),
            doubts: link.doubts.iter().map(linkage::Doubt::code).collect(),
        }
    }

    /// `name=name-exact birth_date=date-typo doubt=rival`: codes and field names
    /// have no spaces or `=`.
    pub fn encode(&self) -> String {
        let fields = self.fields.iter().map(|(f, a)| format!("{f}={a}"));
        let doubts = self.doubts.iter().map(|d| format!("doubt={d}"));
        fields.chain(doubts).collect::<Vec<_>>().join(" ")
    }

    /// Reads `encode`'s text back; a token it does not know is left out (an older
    /// link stored none).
    pub fn parse(text: &str) -> LinkWhy {
        let mut why = LinkWhy::default();
        for (key, value) in text.split_whitespace().filter_map(|t| t.split_once('=')) {
            if key == "doubt" {
                why.doubts.push(value.to_string());
            } else {
                why.fields.push((key.to_string(), value.to_string()));
            }
        }
        why
    }
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
///
/// `reference` is the date the extracts describe (see [`check_reference_dates`]), not
/// the day of the run: age, years in Denmark and every "within N months" window are
/// computed from it, so a woman who turned 18 after the extract was drawn is not
/// selected, and "the last 12 months" are the twelve months the extracts hold.
pub fn select(rules: &Rules, files: &[SourceFile], reference: Date) -> Result<Selection, SelectError> {
    select_in_ranges(rules, files, reference, CHUNK_BYTES)
}

/// [`select`], reading each CSV extract in ranges of about `chunk_bytes` (tests use
/// small ranges to show that the result does not depend on them).
pub fn select_in_ranges(
    rules: &Rules,
    files: &[SourceFile],
    run_date: Date,
    chunk_bytes: u64,
) -> Result<Selection, SelectError> {
    let population = files.iter().find(|f| f.kind == ExtractKind::Population).ok_or(SelectError::NoPopulation)?;
    for source in rules.sources() {
        let kind = kind_of(source);
        if !files.iter().any(|f| f.kind == kind) {
            return Err(SelectError::MissingSource(kind.code()));
        }
    }
    let mut counts = Counts::default();
    let mut pool = read_population(rules, population, run_date, chunk_bytes, &mut counts)?;
    counts.after_base = pool.remaining();
    let steps = &rules.steps;
    let mut at = 0;
    while at < steps.len() {
        if steps[at].source == StepSource::LanguageSchool {
            let step = &steps[at];
            let mut matched: HashSet<usize> = HashSet::new();
            let mut new_review: HashSet<usize> = HashSet::new();
            for file in files.iter().filter(|f| f.kind == ExtractKind::LanguageSchool) {
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
        let matched = match_batch(batch, files, run_date, chunk_bytes, &pool)?;
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

/// The extract kinds a run under these rules reads: the population and each step's
/// source. Only these are deleted after the run (G-5.5); an extract the rules never
/// read stays until its own deletion date.
pub fn kinds_read(rules: &Rules) -> Vec<ExtractKind> {
    let mut kinds = vec![ExtractKind::Population];
    for source in rules.sources() {
        let kind = kind_of(source);
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

fn kind_of(source: StepSource) -> ExtractKind {
    match source {
        StepSource::Income => ExtractKind::Income,
        StepSource::Benefits => ExtractKind::Benefits,
        StepSource::IntegrationProgramme => ExtractKind::IntegrationProgramme,
        StepSource::LanguageSchool => ExtractKind::LanguageSchool,
        StepSource::HousingBenefit => ExtractKind::HousingBenefit,
        StepSource::MaintenanceContracts => ExtractKind::MaintenanceContracts,
        StepSource::ReunificationDeposits => ExtractKind::ReunificationDeposits,
    }
}

/// Bytes per range when an extract is read on several cores (`read::csv_chunks`).
const CHUNK_BYTES: u64 = 8 << 20;

/// The extract's ranges: CSV in ranges of whole records, a workbook whole.
fn chunks_of(file: &SourceFile, chunk_bytes: u64) -> Result<Vec<Chunk>, SelectError> {
    let io = |e: std::io::Error| {
        SelectError::Read(ReadError::new(&file.file_name, crate::error::ReadErrorKind::Io(e.kind().to_string())))
    };
    let mut magic = [0u8; 4];
    let n = std::io::Read::read(&mut std::fs::File::open(&file.path).map_err(io)?, &mut magic).map_err(io)?;
    if magic[..n] == *b"PK\x03\x04" {
        let len = std::fs::metadata(&file.path).map_err(io)?.len();
        return Ok(vec![Chunk { start: 0, end: len, first_line: 1 }]);
    }
    crate::read::csv_chunks(&file.path, chunk_bytes).map_err(io)
}

/// Runs `job(0..n)` on as many threads as there are cores; results in job order.
fn parallel<T: Send>(n: usize, job: impl Fn(usize) -> Result<T, SelectError> + Sync) -> Result<Vec<T>, SelectError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |c| c.get()).min(n).max(1);
    let mut done: Vec<(usize, T)> = Vec::with_capacity(n);
    let results: Vec<Result<Vec<(usize, T)>, SelectError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return Ok(mine);
                        }
                        mine.push((i, job(i)?));
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(Err(SelectError::Worker))).collect()
    });
    for r in results {
        done.extend(r?);
    }
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}

/// The women of one range of the population extract whom the base filter admits, in
/// file order, and the rows read.
fn admitted_in(
    rules: &Rules,
    file: &SourceFile,
    chunk: &Chunk,
    run_date: Date,
) -> Result<(Vec<(u64, Candidate)>, u64), SelectError> {
    let mut reader = Reader::open_chunk(&file.path, &file.file_name, &file.mapping, chunk)?;
    let mut admitted = Vec::new();
    let mut rows = 0u64;
    while let Some(row) = reader.next_row()? {
        rows += 1;
        let Some(cpr) = row.cpr() else { continue };
        let Some(birth_date) = row.birth_date() else { continue };
        // A required column: every row read has it (a cell that cannot be read stopped
        // the import).
        let Some(origin) = row.origin() else { continue };
        let resident = Resident {
            female: row.sex().map(|s| s == Sex::Female),
            birth_date,
            origin,
            arrived_in_denmark: row.date(Field::ArrivalDate),
            area: row.text(Field::Area),
        };
        if !rules.population.admits(&resident, run_date) {
            continue;
        }
        let (given_name, family_name) = names(row);
        admitted.push((
            cpr.key(),
            Candidate {
                given_name,
                family_name,
                cpr: cpr.expose(),
                birth_date,
                country_of_origin: origin.code().to_string(),
                arrived_in_denmark: resident.arrived_in_denmark,
                street: row.text(Field::Street).map(str::to_string),
                postcode: row.text(Field::Postcode).map(str::to_string),
                city: row.text(Field::City).map(str::to_string),
                area_code: row.text(Field::Area).map(str::to_string),
                phone: None,
            },
        ));
    }
    Ok((admitted, rows))
}

fn read_population(
    rules: &Rules,
    file: &SourceFile,
    run_date: Date,
    chunk_bytes: u64,
    counts: &mut Counts,
) -> Result<Pool, SelectError> {
    let chunks = chunks_of(file, chunk_bytes)?;
    let parts = parallel(chunks.len(), |i| admitted_in(rules, file, &chunks[i], run_date))?;
    let mut pool = Pool { women: Vec::new(), by_cpr: ByCpr::default(), alive: Vec::new(), review: HashMap::new() };
    // In file order: the first row of a CPR that is there twice counts.
    for (admitted, rows) in parts {
        counts.population_rows += rows;
        for (key, woman) in admitted {
            if pool.by_cpr.contains_key(&key) {
                counts.population_duplicates += 1;
                continue;
            }
            pool.by_cpr.insert(key, pool.women.len());
            pool.women.push(woman);
            pool.alive.push(true);
        }
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

pub(crate) fn source_row(row: &Row) -> SourceRow<'_> {
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
    chunk: &Chunk,
    run_date: Date,
    pool: &Pool,
    hits: &mut [bool],
) -> Result<(), SelectError> {
    let mut reader = Reader::open_chunk(&file.path, &file.file_name, &reading_mapping(step, file), chunk)?;
    // Only rows of women still in the running are parsed beyond their CPR.
    let wanted = |key: u64| pool.by_cpr.get(&key).is_some_and(|&i| pool.alive[i] || pool.review.contains_key(&i));
    while let Some(row) = reader.next_row_where(&wanted)? {
        let Some(&i) = row.cpr().and_then(|cpr| pool.by_cpr.get(&cpr.key())) else { continue };
        if !hits[i] && step.matches(&source_row(row), run_date) {
            hits[i] = true;
        }
    }
    Ok(())
}

/// Every range of every extract of the batch's steps, on as many threads as there are
/// cores; per step, the women any of its rows matched.
fn match_batch(
    batch: &[Step],
    files: &[SourceFile],
    run_date: Date,
    chunk_bytes: u64,
    pool: &Pool,
) -> Result<Vec<Vec<bool>>, SelectError> {
    let mut jobs: Vec<(usize, &SourceFile, Chunk)> = Vec::new();
    for (i, step) in batch.iter().enumerate() {
        for file in files.iter().filter(|f| f.kind == kind_of(step.source)) {
            jobs.extend(chunks_of(file, chunk_bytes)?.into_iter().map(|c| (i, file, c)));
        }
    }
    let found = parallel(jobs.len(), |j| {
        let (step, file, chunk) = &jobs[j];
        let mut hits = vec![false; pool.women.len()];
        match_rows(&batch[*step], file, chunk, run_date, pool, &mut hits)?;
        Ok(hits)
    })?;
    let mut per_step: Vec<Vec<bool>> = vec![vec![false; pool.women.len()]; batch.len()];
    for ((step, _, _), hits) in jobs.iter().zip(found) {
        for (acc, hit) in per_step[*step].iter_mut().zip(hits) {
            *acc |= hit;
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

#[cfg(test)]
mod tests {
    use super::LinkWhy;

    #[test]
    fn why_a_link_was_made_round_trips_through_its_text() {
        let why = LinkWhy {
            fields: vec![("name".into(), "name-close".into()), ("birth_date".into(), "date-typo".into())],
            doubts: vec!["rival".into(), "dates-differ:birth_date".into()],
        };
        let text = why.encode();
        assert_eq!(text, "name=name-close birth_date=date-typo doubt=rival doubt=dates-differ:birth_date");
        assert_eq!(LinkWhy::parse(&text), why);
        assert_eq!(LinkWhy::parse(""), LinkWhy::default(), "a link stored before evidence was kept");
    }
}
