//! Register search as use cases that the web (`/register`) and the CLI (`opsog
//! register …`) both call: import an extract, dry-run, run and accept, review a link,
//! and the sweep that deletes extracts.
//!
//! The order of a run (G-5.3, G-5.5): the gate (`domain::plan::may_run_search`) and
//! the rules named by the approved plan; the selection over the newest extract of each
//! kind (on a blocking thread); the candidates and the review queue written in one
//! transaction; then the extracts deleted and the deletion logged.

mod extracts;
mod uploads;

pub use extracts::{ColumnReading, readings_of};
pub use uploads::{PendingUpload, TooLarge, Upload, clean_file_name, pending_upload, remove_pending, start_upload};

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::plan::SearchRefused;
use domain::policy::Action;
use domain::selection::{Overview, Rules};
use register::kinds::ExtractKind;
use register::mapping::Mapping;
use register::read;
use register::select::{self, Counts, ReviewLink, Selection, SourceFile};
use std::path::PathBuf;
use store::{
    JobKind, JobOutcome, LinkDecision, LinkReviewWrite, RegisterRunRecord, RegisterSourceRecord, RunCandidate,
    RunOutcome, SelectionRulesRecord,
};
use time::{Date, Duration};
use uuid::Uuid;

/// Uploaded extracts are deleted this many days after upload when no run has used
/// them first (G-5.5).
pub const KEEP_UPLOADS_DAYS: i64 = 30;

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |source| Error::unexpected(context, source)
}

/// Where uploaded extracts live: `<data_dir>/extracts`, pending uploads in `pending/`.
#[derive(Debug, Clone)]
pub struct ExtractDir(pub PathBuf);

impl ExtractDir {
    pub fn pending(&self) -> PathBuf {
        self.0.join("pending")
    }

    pub fn path_of(&self, stored_name: &str) -> PathBuf {
        self.0.join(stored_name)
    }

    /// A fresh place for an upload in progress.
    pub fn new_pending(&self) -> Result<(Uuid, PathBuf), Error> {
        let dir = self.pending();
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        let id = Uuid::new_v4();
        Ok((id, dir.join(id.to_string())))
    }
}

/// An extract to import: the file as uploaded (web) or named (CLI), its name as the
/// coordinator knows it, and the mapping of its columns.
#[derive(Debug, Clone)]
pub struct ImportInput {
    pub file: PathBuf,
    pub file_name: String,
    pub mapping: Mapping,
    /// Move the file into the extract folder (an upload) rather than copy it (a file
    /// the CLI was pointed at, which stays where it is).
    pub move_file: bool,
    /// The date the extract describes, as the coordinator gives it (`--as-of`, the
    /// mapping page); without it, the date in the file's title row or the latest date
    /// its rows hold.
    pub as_of: Option<Date>,
}

/// Reads a whole extract with its mapping and records it: the file is checked end to
/// end first (on a blocking thread), and on any error nothing is kept (file, row and
/// column named). The mapping is remembered for the kind.
pub async fn import(ctx: &Ctx, caller: &Caller, input: ImportInput) -> Result<RegisterSourceRecord, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let ImportInput { file, file_name, mapping, move_file, as_of } = input;
    let (path, name, m) = (file.clone(), file_name.clone(), mapping.clone());
    let summary = tokio::task::spawn_blocking(move || read::validate(&path, &name, &m))
        .await
        .map_err(|e| Error::unexpected("reading the extract", e))??;
    let reference_date = extracts::reference_date(mapping.kind, as_of, &file_name, &summary, ctx.clock.today())?;
    let readings = extracts::readings_json(&summary)?;
    let dir = ctx.extracts.clone();
    let id = Uuid::new_v4();
    let stored_name = format!("{id}.{}", extension(&file_name));
    let target = dir.path_of(&stored_name);
    let (from, to) = (file.clone(), target.clone());
    // A multi-GB copy must not hold an async worker.
    tokio::task::spawn_blocking(move || -> Result<(), Error> {
        std::fs::create_dir_all(&dir.0).map_err(io(format!("creating {}", dir.0.display())))?;
        if move_file {
            std::fs::rename(&from, &to).map_err(io(format!("moving the upload to {}", to.display())))
        } else {
            std::fs::copy(&from, &to).map(|_| ()).map_err(io(format!("copying {} to {}", from.display(), to.display())))
        }
    })
    .await
    .map_err(|e| Error::unexpected("storing the extract", e))??;
    let now = ctx.clock.now();
    let record = RegisterSourceRecord {
        id,
        initiative_id: initiative.id,
        kind: mapping.kind,
        file_name: file_name.clone(),
        stored_name,
        sha256: summary.sha256,
        bytes: summary.bytes,
        rows: summary.rows,
        mapping: mapping_json(&mapping)?,
        uploaded_by: caller.user.id,
        uploaded_at: now,
        delete_on: now.date() + Duration::days(KEEP_UPLOADS_DAYS),
        deleted_at: None,
        reference_date: Some(reference_date),
        readings,
    };
    let detail = format!("{} ({} rows, describes {reference_date})", file_name, record.rows);
    let audit = caller.audit(AuditAction::UploadExtract, vec![], detail);
    let saved = async {
        ctx.store.add_register_source(&record, &audit).await?;
        ctx.store.save_column_mapping(mapping.kind, &record.mapping, caller.user.id, &audit).await
    }
    .await;
    if let Err(e) = saved {
        // Nothing half-kept: the file goes when its record could not be written.
        let _ = std::fs::remove_file(&target);
        return Err(e.into());
    }
    Ok(record)
}

fn extension(file_name: &str) -> &'static str {
    if file_name.to_ascii_lowercase().ends_with(".xlsx") { "xlsx" } else { "csv" }
}

pub fn mapping_json(mapping: &Mapping) -> Result<String, Error> {
    serde_json::to_string(mapping).map_err(|e| Error::unexpected("writing a mapping", e))
}

pub fn mapping_from_json(json: &str) -> Option<Mapping> {
    serde_json::from_str(json).ok()
}

/// A first look at a file (format, header row, headers, a sample, a title's date), on
/// a blocking thread: a workbook is unpacked to read it. `header_row` as chosen by
/// the coordinator, else found.
pub async fn inspect(
    file: PathBuf,
    file_name: String,
    sheet: Option<String>,
    header_row: Option<u64>,
) -> Result<read::Inspection, Error> {
    tokio::task::spawn_blocking(move || read::inspect_at(file.as_path(), &file_name, sheet.as_deref(), header_row))
        .await
        .map_err(|e| Error::unexpected("inspecting the extract", e))?
        .map_err(Error::File)
}

/// The mapping saved for `kind` if it fits these headers, else one suggested from them.
pub async fn mapping_for(ctx: &Ctx, kind: ExtractKind, headers: &[String]) -> Result<Mapping, Error> {
    let saved = ctx.store.column_mappings().await?;
    let reused = saved
        .iter()
        .filter(|(k, _)| *k == kind)
        .filter_map(|(_, json)| mapping_from_json(json))
        .find(|m| m.check(headers).is_ok());
    Ok(reused.unwrap_or_else(|| register::mapping::suggest(kind, headers)))
}

/// The newest extract of each kind that is still on disk: what a run reads.
pub async fn current_sources(ctx: &Ctx, initiative_id: Uuid) -> Result<Vec<(RegisterSourceRecord, SourceFile)>, Error> {
    let mut out: Vec<(RegisterSourceRecord, SourceFile)> = Vec::new();
    for s in ctx.store.register_sources(initiative_id).await? {
        if s.deleted_at.is_some() {
            continue;
        }
        let kind = s.kind;
        let mapping = serde_json::from_str(&s.mapping).map_err(|e| {
            Error::unexpected(format!("reading the column mapping kept with the extract {} ({})", s.file_name, s.id), e)
        })?;
        if out.iter().any(|(_, f)| f.kind == kind) {
            continue;
        }
        let file =
            SourceFile { kind, path: ctx.extracts.path_of(&s.stored_name), file_name: s.file_name.clone(), mapping };
        out.push((s, file));
    }
    Ok(out)
}

/// The current extracts a run under these rules reads (`select::kinds_read`): only
/// these are read, checked for their dates and deleted afterwards.
async fn sources_read(
    ctx: &Ctx,
    initiative_id: Uuid,
    rules: &Rules,
) -> Result<Vec<(RegisterSourceRecord, SourceFile)>, Error> {
    let kinds = select::kinds_read(rules);
    let mut sources = current_sources(ctx, initiative_id).await?;
    sources.retain(|(_, f)| kinds.contains(&f.kind));
    Ok(sources)
}

/// What saving rules came to: the rules version, and the plan version that now names
/// it (none while the initiative has no plan, or when its plan named these rules
/// already).
#[derive(Debug, Clone)]
pub struct SavedRules {
    pub rules: SelectionRulesRecord,
    pub plan_version: Option<u32>,
}

/// Saves the selection rules as a new version (the web's form, a template or a TOML
/// file from the CLI — all parsed into `Rules` first), and writes the plan's next
/// version naming them (issue 12, item 5): the approval covers the rules, so a change
/// withdraws it, and a second coordinator approves the new version before a run may
/// use them (G-5.3).
pub async fn save_rules(ctx: &Ctx, caller: &Caller, rules: &Rules) -> Result<SavedRules, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let toml = rules.to_toml().map_err(|e| Error::unexpected("writing the rules as TOML", e))?;
    let audit = caller.audit(AuditAction::SaveSelectionRules, vec![], rules.name.clone());
    let saved = ctx.store.save_selection_rules(initiative.id, &rules.name, &toml, caller.user.id, &audit).await?;
    let versions = ctx.store.plan_versions(initiative.id).await?;
    let Some(current) = versions.last().filter(|v| !domain::selection::plan_names_rules(&v.plan.rules_ref, &toml))
    else {
        return Ok(SavedRules { rules: saved, plan_version: None });
    };
    let mut plan = current.plan.clone();
    plan.rules_ref = format!("{} v{} {}", saved.name, saved.version, domain::selection::Rules::reference(&toml));
    let next = domain::plan::next_version(Some(current), plan, caller.user.id, ctx.clock.now());
    let detail = format!("initiative={} version={} rules_version={}", initiative.id, next.version, saved.version);
    ctx.store.save_plan_version(initiative.id, &next, &caller.audit(AuditAction::SavePlan, vec![], detail)).await?;
    Ok(SavedRules { rules: saved, plan_version: Some(next.version) })
}

/// The rules in force: the newest saved version.
pub async fn current_rules(ctx: &Ctx, initiative_id: Uuid) -> Result<(SelectionRulesRecord, Rules), Error> {
    let record =
        ctx.store.selection_rules(initiative_id).await?.into_iter().next().ok_or(Error::Refused(Refusal::NoRules))?;
    let rules = Rules::from_toml(&record.toml)?;
    Ok((record, rules))
}

async fn select_blocking(rules: Rules, files: Vec<SourceFile>, reference: Date) -> Result<Selection, Error> {
    tokio::task::spawn_blocking(move || select::select(&rules, &files, reference))
        .await
        .map_err(|e| Error::unexpected("the selection stopped", e))?
        .map_err(Error::from)
}

/// What a dry run found: counts after every step, and the overview of the candidates.
#[derive(Debug, Clone)]
pub struct DryRun {
    pub counts: Counts,
    pub overview: Overview,
    /// The date the extracts describe, which ages and windows are computed from.
    pub reference: Date,
    /// Each extract read, with how its coded columns were read at import.
    pub extracts: Vec<ExtractRead>,
    /// The steps' windows in words, by step (0-based), e.g. "1. november 2025 –
    /// 31. oktober 2026".
    pub windows: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct ExtractRead {
    pub file_name: String,
    pub kind: ExtractKind,
    pub reference_date: Option<Date>,
    pub readings: Vec<ColumnReading>,
}

/// The dry run (G-5.2): counts after every step, nothing written but its audit entry.
/// Needs no approval: it shows what the rules would do, for the plan's approval to be
/// asked on.
///
/// `confirm_dates`: the coordinator confirms that extracts whose dates lie more than a
/// month apart may be used together (else refused, naming the two).
pub async fn dry_run(ctx: &Ctx, caller: &Caller, confirm_dates: bool) -> Result<DryRun, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let (_, rules) = current_rules(ctx, initiative.id).await?;
    let sources = sources_read(ctx, initiative.id, &rules).await?;
    let reference = extracts::run_reference(&sources, confirm_dates)?;
    let mut read = Vec::with_capacity(sources.len());
    for (record, file) in &sources {
        read.push(ExtractRead {
            file_name: record.file_name.clone(),
            kind: file.kind,
            reference_date: record.reference_date,
            readings: readings_of(record)?,
        });
    }
    let windows = rules
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.window(reference).map(|w| (i, domain::selection::window_da(w))))
        .collect();
    let files = sources.into_iter().map(|(_, f)| f).collect();
    let selection = select_blocking(rules, files, reference).await?;
    let overview = domain::selection::overview(&selection.candidates, reference);
    let detail =
        format!("initiative={} candidates={} reference_date={reference}", initiative.id, selection.counts.candidates);
    ctx.store.append_audit(&caller.audit(AuditAction::DryRun, vec![], detail)).await?;
    Ok(DryRun { counts: selection.counts, overview, reference, extracts: read, windows })
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_id: Uuid,
    pub counts: Counts,
    pub outcome: RunOutcome,
    pub overview: Overview,
    pub deleted_extracts: usize,
}

#[derive(serde::Serialize)]
struct SourceUsed<'a> {
    kind: ExtractKind,
    file_name: &'a str,
    sha256: &'a str,
    rows: u64,
    reference_date: Option<Date>,
}

/// A run the gate let through, with its job claimed: what [`finish_run`] selects and
/// writes. The web starts it in the request and finishes it in the background (a run
/// over millions of income rows takes a while); the CLI does both in turn ([`run`]).
#[derive(Debug)]
pub struct StartedRun {
    job_id: Uuid,
    caller: Caller,
    initiative_id: Uuid,
    basis: domain::plan::ApprovedBasis,
    rules: (SelectionRulesRecord, Rules),
    confirm_dates: bool,
}

impl StartedRun {
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }
}

/// The gate (G-5.3): refused with the reason (audited) unless the plan's legal basis is
/// approved and names the rules in force; then the initiative's one run job is claimed.
///
/// `confirm_dates` as for [`dry_run`].
pub async fn start_run(ctx: &Ctx, caller: &Caller, confirm_dates: bool) -> Result<StartedRun, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let gate = async {
        let versions = ctx.store.plan_versions(initiative.id).await?;
        let basis = domain::plan::may_run_search(versions.last(), ctx.clock.today())
            .map_err(|r| Error::Refused(Refusal::Search(r)))?;
        let (record, rules) = current_rules(ctx, initiative.id).await?;
        if !domain::selection::plan_names_rules(&basis.rules_ref, &record.toml) {
            return Err(Error::Refused(Refusal::Search(SearchRefused::RulesNotApproved)));
        }
        Ok((basis, (record, rules)))
    };
    let (basis, rules) = match gate.await {
        Ok(open) => open,
        Err(Error::Refused(r)) => {
            let detail = format!("register run refused: {}", Error::Refused(r.clone()).code());
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], detail)).await?;
            return Err(Error::Refused(r));
        }
        Err(e) => return Err(e),
    };
    // One run per initiative at a time, across processes: the database decides.
    let job_id = ctx
        .store
        .start_job(initiative.id, JobKind::RegisterRun, Some(caller.user.id), ctx.clock.now())
        .await?
        .ok_or(Error::Refused(Refusal::Busy))?;
    Ok(StartedRun { job_id, caller: caller.clone(), initiative_id: initiative.id, basis, rules, confirm_dates })
}

/// Selects over the newest extract of each kind, writes every candidate and the review
/// queue in one transaction, deletes the extracts it read (G-5.5), and ends the job.
pub async fn finish_run(ctx: &Ctx, started: StartedRun) -> Result<RunReport, Error> {
    let StartedRun { job_id, caller, initiative_id, basis, rules, confirm_dates } = started;
    let result = select_and_accept(ctx, &caller, initiative_id, basis, rules, confirm_dates).await;
    let (outcome, made, code) = match &result {
        Ok(r) => (JobOutcome::Done, Some(r.run_id), None),
        Err(e) => {
            tracing::error!(error = %e, job = %job_id, "register run failed");
            (JobOutcome::Failed, None, Some(e.code()))
        }
    };
    ctx.store.finish_job(job_id, outcome, made, code, ctx.clock.now()).await?;
    result
}

/// [`start_run`] and [`finish_run`] in one go: the CLI's `opsog register run`.
pub async fn run(ctx: &Ctx, caller: &Caller, confirm_dates: bool) -> Result<RunReport, Error> {
    let started = start_run(ctx, caller, confirm_dates).await?;
    finish_run(ctx, started).await
}

async fn select_and_accept(
    ctx: &Ctx,
    caller: &Caller,
    initiative_id: Uuid,
    basis: domain::plan::ApprovedBasis,
    (rules_record, rules): (SelectionRulesRecord, Rules),
    confirm_dates: bool,
) -> Result<RunReport, Error> {
    let now = ctx.clock.now();
    let sources = sources_read(ctx, initiative_id, &rules).await?;
    let reference = extracts::run_reference(&sources, confirm_dates)?;
    let files: Vec<SourceFile> = sources.iter().map(|(_, f)| f.clone()).collect();
    let selection = select_blocking(rules, files, reference).await?;
    let overview = domain::selection::overview(&selection.candidates, reference);
    let used: Vec<SourceUsed<'_>> = sources
        .iter()
        .map(|(s, _)| SourceUsed {
            kind: s.kind,
            file_name: &s.file_name,
            sha256: &s.sha256,
            rows: s.rows,
            reference_date: s.reference_date,
        })
        .collect();
    let run = RegisterRunRecord {
        id: Uuid::new_v4(),
        initiative_id,
        plan_version: basis.plan_version,
        legal_basis: format!("{} ({})", basis.legal_basis_reference, basis.legal_basis_text),
        rules_id: rules_record.id,
        rules_checksum: rules_record.checksum.clone(),
        sources: to_json(&used)?,
        counts: to_json(&selection.counts)?,
        overview: to_json(&overview)?,
        run_by: caller.user.id,
        run_by_name: caller.user.display_name.clone(),
        run_at: now,
    };
    let candidates: Vec<RunCandidate> = selection
        .candidates
        .iter()
        .map(|c| RunCandidate { candidate: c.clone(), dnc_hashes: crate::dnc::of_candidate(&ctx.dnc_key, c) })
        .collect();
    let reviews: Vec<LinkReviewWrite> = selection.reviews.iter().map(|r| review_write(&ctx.dnc_key, r)).collect();
    let audit = caller.audit(AuditAction::RegisterRun, vec![], format!("reference_date={reference}"));
    let outcome = ctx.store.accept_register_run(&run, &candidates, &reviews, &audit).await?;
    let used_records: Vec<RegisterSourceRecord> = sources.into_iter().map(|(s, _)| s).collect();
    let deleted_extracts = delete_extracts(ctx, &used_records, Some(caller.user.id), &audit).await?;
    Ok(RunReport { run_id: run.id, counts: selection.counts, outcome, overview, deleted_extracts })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::unexpected("writing the run's record", e))
}

fn review_write(key: &DncKey, r: &ReviewLink) -> LinkReviewWrite {
    LinkReviewWrite {
        list_kind: r.list_kind,
        list_file: r.list_file.clone(),
        list_row: r.list_row,
        probability: r.probability,
        list_name: r.list_name.clone(),
        list_birth_date: r.list_birth_date,
        list_phone: r.list_phone.clone(),
        evidence: r.why.encode(),
        candidate: RunCandidate {
            candidate: r.candidate.clone(),
            dnc_hashes: crate::dnc::of_candidate(key, &r.candidate),
        },
    }
}

/// Deletes the files, then records it (a file already gone counts as deleted).
async fn delete_extracts(
    ctx: &Ctx,
    sources: &[RegisterSourceRecord],
    by: Option<Uuid>,
    audit: &AuditRecord,
) -> Result<usize, Error> {
    let paths: Vec<(Uuid, PathBuf)> = sources.iter().map(|s| (s.id, ctx.extracts.path_of(&s.stored_name))).collect();
    let done = tokio::task::spawn_blocking(move || -> Result<Vec<Uuid>, Error> {
        let mut done = Vec::new();
        for (id, path) in paths {
            match std::fs::remove_file(&path) {
                Ok(()) => done.push(id),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => done.push(id),
                Err(e) => return Err(Error::unexpected(format!("deleting {}", path.display()), e)),
            }
        }
        Ok(done)
    })
    .await
    .map_err(|e| Error::unexpected("deleting extracts", e))??;
    if !done.is_empty() {
        ctx.store.mark_sources_deleted(&done, by, audit).await?;
    }
    Ok(done.len())
}

/// The daily sweep (a system job, `opsog serve` and `opsog register sweep`): extracts
/// whose date has come are deleted, and the deletion logged; so are uploads left
/// unmapped for a day (a coordinator who went away from the mapping page leaves a file
/// of personal data that no record names).
pub async fn sweep(ctx: &Ctx, origin: &str) -> Result<usize, Error> {
    let audit = AuditRecord {
        actor: AuditActor::system("register-sweep"),
        action: AuditAction::DeleteExtracts,
        persons: vec![],
        origin: origin.to_string(),
        detail: "extracts past their deletion date".into(),
    };
    let due = ctx.store.sources_due_for_deletion(ctx.clock.today()).await?;
    let deleted = delete_extracts(ctx, &due, None, &audit).await?;
    let dir = ctx.extracts.clone();
    let abandoned =
        tokio::task::spawn_blocking(move || delete_abandoned_uploads(&dir, std::time::Duration::from_secs(24 * 3600)))
            .await
            .map_err(|e| Error::unexpected("deleting abandoned uploads", e))??;
    if abandoned > 0 {
        let mut record = audit.clone();
        record.detail = format!("abandoned uploads deleted: {abandoned}");
        ctx.store.append_audit(&record).await?;
    }
    Ok(deleted + abandoned)
}

/// Pending uploads older than `age`; returns how many were deleted.
pub fn delete_abandoned_uploads(dir: &ExtractDir, age: std::time::Duration) -> Result<usize, Error> {
    let pending = dir.pending();
    let Ok(entries) = std::fs::read_dir(&pending) else { return Ok(0) };
    let mut n = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let old =
            entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|e| e >= age);
        if old && path.is_file() {
            std::fs::remove_file(&path).map_err(io(format!("deleting {}", path.display())))?;
            n += 1;
        }
    }
    Ok(n)
}

/// A decision on an uncertain link (G-5.2, lists without CPR). A review decided
/// meanwhile by someone else is a conflict.
pub async fn decide(
    ctx: &Ctx,
    caller: &Caller,
    review_id: Uuid,
    decision: LinkDecision,
) -> Result<Option<Uuid>, Error> {
    require(ctx, caller, Action::ReviewLinks).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let pending = ctx.store.pending_link_reviews(initiative.id).await?;
    let hashes = pending
        .iter()
        .find(|r| r.id == review_id)
        .and_then(|r| r.candidate.as_ref())
        .map(|c| crate::dnc::of_candidate(&ctx.dnc_key, c))
        .unwrap_or_default();
    let audit = caller.audit(AuditAction::ReviewLink, vec![], String::new());
    Ok(ctx.store.decide_link_review(review_id, initiative.id, decision, &hashes, &caller.event_actor(), &audit).await?)
}

/// The links waiting for a decision (lists without CPR, G-5.2). Their data is read,
/// so the view is audited (no person ids yet: they are not persons in the system).
pub async fn review_queue(ctx: &Ctx, caller: &Caller) -> Result<Vec<store::LinkReviewRecord>, Error> {
    require(ctx, caller, Action::ReviewLinks).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let pending = ctx.store.pending_link_reviews(initiative.id).await?;
    let detail = format!("initiative={} pending_links={}", initiative.id, pending.len());
    ctx.store.append_audit(&caller.audit(AuditAction::ReviewLink, vec![], detail)).await?;
    Ok(pending)
}

/// A run as recorded, for its overview page (G-5.4); the view is audited.
pub async fn run_overview(ctx: &Ctx, caller: &Caller, run_id: Uuid) -> Result<RegisterRunRecord, Error> {
    require(ctx, caller, Action::ViewRunOverview).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let run = ctx
        .store
        .register_runs(initiative.id)
        .await?
        .into_iter()
        .find(|r| r.id == run_id)
        .ok_or(Error::NotFound("register run"))?;
    let detail = format!("register_run={}", run.id);
    ctx.store.append_audit(&caller.audit(AuditAction::ViewRunOverview, vec![], detail)).await?;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_left_unmapped_are_deleted_by_the_sweep() {
        let dir = ExtractDir(std::env::temp_dir().join(format!("opsog-abandoned-{}", std::process::id())));
        let (_, path) = dir.new_pending().unwrap();
        std::fs::write(&path, "CPR;Navn\n").unwrap();
        assert_eq!(delete_abandoned_uploads(&dir, std::time::Duration::from_secs(3600)).unwrap(), 0);
        assert!(path.exists(), "a fresh upload waits for its mapping");
        assert_eq!(delete_abandoned_uploads(&dir, std::time::Duration::ZERO).unwrap(), 1);
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir.0).unwrap();
    }
}
