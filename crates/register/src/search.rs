//! A register search as one piece of work that the web and the CLI both call: import
//! an extract, save rules, dry-run, run and accept, review a link, delete extracts.
//! (`jobs` would be its home, but `jobs` depends on `web`; this module depends only on
//! `store`, so both can call it.)
//!
//! The order of a run (G-5.3, G-5.5): the gate (`domain::plan::may_run_search`) and
//! the rules named by the approved plan; the selection over the newest extract of each
//! kind; the candidates and the review queue written in one transaction; then the
//! extracts deleted and the deletion logged.

use crate::mapping::Mapping;
use crate::read;
use crate::select::{self, Counts, ReviewLink, SelectError, Selection, SourceFile};
use crate::{error::ReadError, kinds::SourceKind};
use domain::audit::AuditRecord;
use domain::do_not_contact::{DncKey, identity_hashes};
use domain::org::User;
use domain::plan::SearchRefused;
use domain::selection::{Candidate, Overview, Rules};
use std::path::{Path, PathBuf};
use store::{
    LinkDecision, LinkReviewWrite, RegisterRunRecord, RegisterSourceRecord, RunCandidate, RunOutcome,
    SelectionRulesRecord, Store, StoreError,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Uploaded extracts are deleted this many days after upload when no run has used
/// them first (G-5.5).
pub const KEEP_UPLOADS_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error("the search may not run: {0}")]
    Refused(SearchRefused),
    #[error("no selection rules have been saved for the initiative")]
    NoRules,
    #[error("the saved selection rules do not parse: {0}")]
    Rules(#[from] domain::selection::RulesError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("the selection stopped unexpectedly: {0}")]
    Task(String),
}

impl SearchError {
    /// Stable code for the UI's messages (Fluent ids are `register-error-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Store(_) => "store",
            SearchError::Read(e) => e.code(),
            SearchError::Select(e) => e.code(),
            SearchError::Refused(r) => r.message_id(),
            SearchError::NoRules => "no-rules",
            SearchError::Rules(_) => "bad-rules",
            SearchError::Io { .. } => "io",
            SearchError::Task(_) => "task",
        }
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SearchError {
    let context = context.into();
    move |source| SearchError::Io { context, source }
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
    pub fn new_pending(&self) -> Result<(Uuid, PathBuf), SearchError> {
        let dir = self.pending();
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        let id = Uuid::new_v4();
        Ok((id, dir.join(id.to_string())))
    }
}

/// Reads a whole extract with its mapping and records it: the file is checked end to
/// end first, and on any error nothing is kept (file, row and column named). The file
/// is moved (web: from `pending/`) or copied (CLI) into the extract folder.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    store: &impl Store,
    dir: &ExtractDir,
    initiative_id: Uuid,
    file: &Path,
    file_name: &str,
    mapping: &Mapping,
    move_file: bool,
    user: &User,
    audit: &AuditRecord,
) -> Result<RegisterSourceRecord, SearchError> {
    let (path, name, m) = (file.to_path_buf(), file_name.to_string(), mapping.clone());
    let summary = tokio::task::spawn_blocking(move || read::validate(&path, &name, &m))
        .await
        .map_err(|e| SearchError::Task(e.to_string()))??;
    std::fs::create_dir_all(&dir.0).map_err(io(format!("creating {}", dir.0.display())))?;
    let id = Uuid::new_v4();
    let stored_name = format!("{id}.{}", extension(file_name));
    let target = dir.path_of(&stored_name);
    if move_file {
        std::fs::rename(file, &target).map_err(io(format!("moving the upload to {}", target.display())))?;
    } else {
        std::fs::copy(file, &target).map_err(io(format!("copying {} to {}", file.display(), target.display())))?;
    }
    let now = OffsetDateTime::now_utc();
    let record = RegisterSourceRecord {
        id,
        initiative_id,
        kind: mapping.kind.code().to_string(),
        file_name: file_name.to_string(),
        stored_name,
        sha256: summary.sha256,
        bytes: summary.bytes,
        rows: summary.rows,
        mapping: mapping_json(mapping)?,
        uploaded_by: user.id,
        uploaded_at: now,
        delete_on: now.date() + Duration::days(KEEP_UPLOADS_DAYS),
        deleted_at: None,
    };
    let saved = async {
        store.add_register_source(&record, audit).await?;
        store.save_column_mapping(mapping.kind.code(), &record.mapping, user.id, audit).await
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

pub fn mapping_json(mapping: &Mapping) -> Result<String, SearchError> {
    serde_json::to_string(mapping).map_err(|e| SearchError::Task(format!("writing a mapping: {e}")))
}

pub fn mapping_from_json(json: &str) -> Option<Mapping> {
    serde_json::from_str(json).ok()
}

/// The mapping saved for `kind` if it fits these headers, else one suggested from them.
pub async fn mapping_for(store: &impl Store, kind: SourceKind, headers: &[String]) -> Result<Mapping, SearchError> {
    let saved = store.column_mappings().await?;
    let reused = saved
        .iter()
        .filter(|(k, _)| k == kind.code())
        .filter_map(|(_, json)| mapping_from_json(json))
        .find(|m| m.check(headers).is_ok());
    Ok(reused.unwrap_or_else(|| crate::mapping::suggest(kind, headers)))
}

/// The newest extract of each kind that is still on disk: what a run reads.
pub async fn current_sources(
    store: &impl Store,
    dir: &ExtractDir,
    initiative_id: Uuid,
) -> Result<Vec<(RegisterSourceRecord, SourceFile)>, SearchError> {
    let mut out: Vec<(RegisterSourceRecord, SourceFile)> = Vec::new();
    for s in store.register_sources(initiative_id).await? {
        if s.deleted_at.is_some() {
            continue;
        }
        let (Some(kind), Some(mapping)) = (SourceKind::from_code(&s.kind), mapping_from_json(&s.mapping)) else {
            continue;
        };
        if out.iter().any(|(_, f)| f.kind == kind) {
            continue;
        }
        let file = SourceFile { kind, path: dir.path_of(&s.stored_name), file_name: s.file_name.clone(), mapping };
        out.push((s, file));
    }
    Ok(out)
}

/// The rules in force: the newest saved version.
pub async fn current_rules(
    store: &impl Store,
    initiative_id: Uuid,
) -> Result<(SelectionRulesRecord, Rules), SearchError> {
    let record = store.selection_rules(initiative_id).await?.into_iter().next().ok_or(SearchError::NoRules)?;
    let rules = Rules::from_toml(&record.toml)?;
    Ok((record, rules))
}

async fn select_blocking(rules: Rules, files: Vec<SourceFile>, run_date: Date) -> Result<Selection, SearchError> {
    tokio::task::spawn_blocking(move || select::select(&rules, &files, run_date))
        .await
        .map_err(|e| SearchError::Task(e.to_string()))?
        .map_err(SearchError::from)
}

/// The dry run (G-5.2): counts after every step, nothing written. Needs no approval:
/// it shows what the rules would do, for the plan's approval to be asked on.
pub async fn dry_run(
    store: &impl Store,
    dir: &ExtractDir,
    initiative_id: Uuid,
    run_date: Date,
) -> Result<(Counts, Overview), SearchError> {
    let (_, rules) = current_rules(store, initiative_id).await?;
    let files = current_sources(store, dir, initiative_id).await?.into_iter().map(|(_, f)| f).collect();
    let selection = select_blocking(rules, files, run_date).await?;
    let overview = domain::selection::overview(&selection.candidates, run_date);
    Ok((selection.counts, overview))
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_id: Uuid,
    pub counts: Counts,
    pub outcome: RunOutcome,
    pub overview: Overview,
    pub deleted_extracts: usize,
}

fn dnc_hashes(key: &DncKey, c: &Candidate) -> Vec<String> {
    let cpr = domain::Cpr::parse(&c.cpr).ok();
    let phone = c.phone.as_deref().and_then(|p| domain::PhoneNumber::parse(p).ok());
    let name =
        if c.family_name.is_empty() { c.given_name.clone() } else { format!("{} {}", c.given_name, c.family_name) };
    identity_hashes(key, cpr.as_ref(), &name, Some(c.birth_date), phone.as_ref())
}

#[derive(serde::Serialize)]
struct SourceUsed<'a> {
    kind: &'a str,
    file_name: &'a str,
    sha256: &'a str,
    rows: u64,
}

/// Runs the search and accepts its result: refused with the reason unless the plan's
/// legal basis is approved and names these rules (G-5.3). Writes every candidate and
/// the review queue in one transaction, then deletes the extracts it read (G-5.5).
pub async fn run(
    store: &impl Store,
    dir: &ExtractDir,
    dnc_key: &DncKey,
    initiative_id: Uuid,
    user: &User,
    run_date: Date,
    audit: &AuditRecord,
) -> Result<RunReport, SearchError> {
    let versions = store.plan_versions(initiative_id).await?;
    let basis = domain::plan::may_run_search(versions.last(), run_date).map_err(SearchError::Refused)?;
    let (rules_record, rules) = current_rules(store, initiative_id).await?;
    if !domain::selection::plan_names_rules(&basis.rules_ref, &rules_record.toml) {
        return Err(SearchError::Refused(SearchRefused::RulesNotApproved));
    }
    let sources = current_sources(store, dir, initiative_id).await?;
    let files: Vec<SourceFile> = sources.iter().map(|(_, f)| f.clone()).collect();
    let selection = select_blocking(rules, files, run_date).await?;
    let overview = domain::selection::overview(&selection.candidates, run_date);
    let used: Vec<SourceUsed<'_>> = sources
        .iter()
        .map(|(s, _)| SourceUsed { kind: &s.kind, file_name: &s.file_name, sha256: &s.sha256, rows: s.rows })
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
        run_by: user.id,
        run_by_name: user.display_name.clone(),
        run_at: OffsetDateTime::now_utc(),
    };
    let candidates: Vec<RunCandidate> = selection
        .candidates
        .iter()
        .map(|c| RunCandidate { candidate: c.clone(), dnc_hashes: dnc_hashes(dnc_key, c) })
        .collect();
    let reviews: Vec<LinkReviewWrite> = selection.reviews.iter().map(|r| review_write(dnc_key, r)).collect();
    let outcome = store.accept_register_run(&run, &candidates, &reviews, audit).await?;
    let used_records: Vec<RegisterSourceRecord> = sources.into_iter().map(|(s, _)| s).collect();
    let deleted_extracts = delete_extracts(store, dir, &used_records, Some(user.id), audit).await?;
    Ok(RunReport { run_id: run.id, counts: selection.counts, outcome, overview, deleted_extracts })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, SearchError> {
    serde_json::to_string(value).map_err(|e| SearchError::Task(format!("writing the run's record: {e}")))
}

fn review_write(key: &DncKey, r: &ReviewLink) -> LinkReviewWrite {
    LinkReviewWrite {
        list_kind: r.list_kind.code().to_string(),
        list_file: r.list_file.clone(),
        list_row: r.list_row,
        probability: r.probability,
        list_name: r.list_name.clone(),
        list_birth_date: r.list_birth_date,
        list_phone: r.list_phone.clone(),
        candidate: RunCandidate { candidate: r.candidate.clone(), dnc_hashes: dnc_hashes(key, &r.candidate) },
    }
}

/// Deletes the files, then records it (a file already gone counts as deleted).
pub async fn delete_extracts(
    store: &impl Store,
    dir: &ExtractDir,
    sources: &[RegisterSourceRecord],
    by: Option<Uuid>,
    audit: &AuditRecord,
) -> Result<usize, SearchError> {
    let mut done = Vec::new();
    for s in sources {
        let path = dir.path_of(&s.stored_name);
        match std::fs::remove_file(&path) {
            Ok(()) => done.push(s.id),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => done.push(s.id),
            Err(e) => return Err(SearchError::Io { context: format!("deleting {}", path.display()), source: e }),
        }
    }
    if !done.is_empty() {
        store.mark_sources_deleted(&done, by, audit).await?;
    }
    Ok(done.len())
}

/// The daily sweep: extracts whose date has come are deleted, and the deletion logged;
/// so are uploads left unmapped for a day (a coordinator who went away from the mapping
/// page leaves a file of personal data that no record names).
pub async fn delete_due(
    store: &impl Store,
    dir: &ExtractDir,
    today: Date,
    audit: &AuditRecord,
) -> Result<usize, SearchError> {
    let due = store.sources_due_for_deletion(today).await?;
    let deleted = delete_extracts(store, dir, &due, None, audit).await?;
    let abandoned = delete_abandoned_uploads(dir, std::time::Duration::from_secs(24 * 3600))?;
    if abandoned > 0 {
        let mut record = audit.clone();
        record.detail = format!("abandoned uploads deleted: {abandoned}");
        store.append_audit(&record).await?;
    }
    Ok(deleted + abandoned)
}

/// Pending uploads older than `age`; returns how many were deleted.
pub fn delete_abandoned_uploads(dir: &ExtractDir, age: std::time::Duration) -> Result<usize, SearchError> {
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

/// A caseworker's decision on an uncertain link.
pub async fn decide(
    store: &impl Store,
    dnc_key: &DncKey,
    initiative_id: Uuid,
    review_id: Uuid,
    decision: LinkDecision,
    user: &User,
    audit: &AuditRecord,
) -> Result<Option<Uuid>, SearchError> {
    let pending = store.pending_link_reviews(initiative_id).await?;
    let hashes = pending
        .iter()
        .find(|r| r.id == review_id)
        .and_then(|r| r.candidate.as_ref())
        .map(|c| dnc_hashes(dnc_key, c))
        .unwrap_or_default();
    let actor = store::EventActor { user_id: Some(user.id), name: user.display_name.clone() };
    Ok(store.decide_link_review(review_id, initiative_id, decision, &hashes, &actor, audit).await?)
}
