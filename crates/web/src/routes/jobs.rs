//! Long work followed on a page of its own (issue 11, item 7): a letter batch or a
//! register run runs as a job recorded in the database, so its page — after a reload,
//! in a second tab, from another process — reads how far it has come. Counts only:
//! nothing about a woman is on these pages.

use super::{deny, render};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::CurrentUser;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{self, Action};
use store::{JobKind, JobOutcome, JobRecord};
use uuid::Uuid;

/// Who may follow a job: whoever may start one of its kind.
fn action(kind: JobKind) -> Action {
    match kind {
        JobKind::LetterBatch => Action::SendLetters,
        JobKind::RegisterRun => Action::RegisterSearch,
    }
}

/// The page a finished job leads to.
fn result_url(job: &JobRecord) -> Option<String> {
    match (job.outcome, job.result_id, job.kind) {
        (Some(JobOutcome::Done), Some(id), JobKind::LetterBatch) => Some(format!("/letters/batches/{id}")),
        (Some(JobOutcome::Done), Some(id), JobKind::RegisterRun) => Some(format!("/register/runs/{id}")),
        _ => None,
    }
}

/// The job, if the caller may follow it; a job of another initiative is not found.
async fn load(state: &AppState, cu: &CurrentUser, id: Uuid, origin: &str) -> AppResult<JobRecord> {
    let job = match state.store.get_job(id).await {
        Ok(j) => j,
        Err(store::StoreError::NotFound(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !policy::may(&cu.actor(), action(job.kind), None) {
        return Err(deny(state, cu, origin, None, AppError::Forbidden).await);
    }
    let initiative = super::current_initiative(state).await?.ok_or(AppError::NotFound)?;
    if job.initiative_id != initiative.id {
        return Err(AppError::NotFound);
    }
    Ok(job)
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    l: Layout,
    title: String,
    intro: String,
    progress_url: String,
    done: u64,
    total: u64,
    status: String,
    /// Why it failed, in words; `None` while it runs.
    failed: Option<String>,
    back: (String, String),
}

/// A job's page: progress while it runs (the page's script follows it and opens the
/// result when done), the result when done, why when it failed.
pub async fn page(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    let job = load(&state, &cu, id, "GET /jobs/{id}").await?;
    if let Some(url) = result_url(&job) {
        return Ok(Redirect::to(&url).into_response());
    }
    let (nav, key) = match job.kind {
        JobKind::LetterBatch => ("/letters", "batch"),
        JobKind::RegisterRun => ("/register", "run"),
    };
    let l = Layout::new(&state, &cu.ctx, nav);
    let failed = match job.outcome {
        None => None,
        Some(JobOutcome::Interrupted) => Some(l.t(&format!("job-{key}-interrupted"))),
        Some(_) => Some(match job.error_code.as_deref() {
            Some(code) if l.has(code) => l.t(code),
            _ => l.t(&format!("job-{key}-failed")),
        }),
    };
    let status =
        l.t_args2(&format!("job-{key}-status"), ("done", job.done.to_string()), ("total", job.total.to_string()));
    let back = match job.kind {
        JobKind::LetterBatch => ("/letters/batch".to_string(), l.t("batch-job-back")),
        JobKind::RegisterRun => ("/register".to_string(), l.t("job-run-back")),
    };
    render(&JobPage {
        title: l.t(&format!("job-{key}-title")),
        intro: l.t(&format!("job-{key}-intro")),
        progress_url: format!("/jobs/{id}/progress"),
        done: job.done,
        total: job.total,
        status,
        failed,
        back,
        l,
    })
}

/// How far a job has come, for its page's script.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    /// Where to go once it is done.
    pub result: Option<String>,
}

pub async fn progress(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    let job = load(&state, &cu, id, "GET /jobs/{id}/progress").await?;
    let p = Progress { running: job.finished_at.is_none(), done: job.done, total: job.total, result: result_url(&job) };
    let body = serde_json::to_string(&p).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(r)
}
