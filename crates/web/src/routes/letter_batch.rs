//! Letter batches (issue 4, items 2, 3, 6 and 7): the coordinator chooses a register
//! run, sees who gets a letter how and who is left out and why, sees the letter check
//! run again on every woman's own letter, and sends — with a recorded reason when the
//! check found errors. Also the initiative's contact cadence (G-5.7), and the batch's
//! files: print files of the paper letters, one PDF per letter, Digital Post (MeMo).
//!
//! What a batch does is `app::letter_batch`'s; who gets what is `domain::letter_batch`'s.

use super::{FormField, Opt, deny, language_label, render, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::letter_batch::{self as batch, Input, Plan};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::calls::CadenceInput;
use domain::letter_batch::{Delivery, Refused, Skip};
use domain::letter_check::Severity;
use domain::org::Initiative;
use domain::policy::{self, Action};
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

async fn require(state: &AppState, cu: &CurrentUser, origin: &str) -> AppResult<Initiative> {
    if !policy::may(&cu.actor(), Action::SendLetters, None) {
        return Err(deny(state, cu, origin, None, AppError::Forbidden).await);
    }
    super::current_initiative(state).await?.ok_or(AppError::NotFound)
}

/// The form, as typed; sent again with the preview so the send is what was previewed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BatchForm {
    run: String,
    contact: String,
    meeting: String,
    source: String,
    paper_for_all: Option<String>,
    override_reason: String,
}

impl BatchForm {
    /// The form as the use case's input: the same input the CLI gives.
    fn input(&self) -> Input {
        Input {
            run: self.run.clone(),
            contact: self.contact.clone(),
            meeting: self.meeting.clone(),
            source: self.source.clone(),
            paper_for_all: self.paper_for_all.is_some(),
            override_reason: self.override_reason.clone(),
        }
    }
}

pub struct CountView {
    pub label: String,
    pub count: u32,
}

pub struct FindingView {
    pub error: bool,
    pub language: String,
    pub rule: String,
    pub text: String,
    pub letters: usize,
}

pub struct PlanView {
    pub letters: usize,
    pub digital_post: usize,
    pub paper: usize,
    pub again: usize,
    pub skipped: Vec<CountView>,
    pub languages: Vec<CountView>,
    pub findings: Vec<FindingView>,
    pub check_errors: usize,
    pub notes: Vec<String>,
}

fn plan_view(l: &Layout, plan: &Plan, contact_chosen: bool) -> PlanView {
    let mut languages: Vec<CountView> = Vec::new();
    for p in &plan.letters {
        let label = match &p.own_language {
            Some(code) => format!("{} + {}", language_label(l.locale, code), language_label(l.locale, "da")),
            None => language_label(l.locale, "da"),
        };
        match languages.iter_mut().find(|c| c.label == label) {
            Some(c) => c.count += 1,
            None => languages.push(CountView { label, count: 1 }),
        }
    }
    let mut notes = Vec::new();
    if plan.without_contact > 0 {
        let key = if contact_chosen { "batch-without-contact-chosen" } else { "batch-without-contact" };
        notes.push(l.t1(key, "count", plan.without_contact));
    }
    let names = |codes: &[String]| codes.iter().map(|c| language_label(l.locale, c)).collect::<Vec<_>>().join(", ");
    if !plan.missing_languages.is_empty() {
        notes.push(l.t1("batch-missing-languages", "languages", names(&plan.missing_languages)));
    }
    if !plan.unreviewed_languages.is_empty() {
        notes.push(l.t1("batch-unreviewed-languages", "languages", names(&plan.unreviewed_languages)));
    }
    PlanView {
        letters: plan.letters.len(),
        digital_post: plan.count(Delivery::DigitalPost),
        paper: plan.count(Delivery::Paper),
        again: plan.letters.iter().filter(|p| p.due == domain::letter_batch::Due::Again).count(),
        skipped: Skip::ALL
            .iter()
            .map(|s| CountView { label: l.t(s.message_id()), count: plan.skipped.get(s).copied().unwrap_or(0) })
            .collect(),
        languages,
        findings: plan
            .findings
            .iter()
            .map(|b| FindingView {
                error: b.finding.severity == Severity::Error,
                language: language_label(l.locale, &b.language),
                rule: b.finding.rule.guide_ref().to_string(),
                text: super::letters::finding_text(l, &b.finding),
                letters: b.letters,
            })
            .collect(),
        check_errors: plan.check_errors,
        notes,
    }
}

pub struct BatchRow {
    pub id: String,
    pub when: String,
    pub by: String,
    pub letters: u32,
    pub digital_post: u32,
    pub paper: u32,
    pub overridden: bool,
}

#[derive(Template)]
#[template(path = "letter_batch.html")]
struct BatchPage {
    l: Layout,
    has_runs: bool,
    fields: Vec<FormField>,
    form: BatchForm,
    plan: Option<PlanView>,
    error: Option<String>,
    cadence: Vec<FormField>,
    cadence_saved: bool,
    batches: Vec<BatchRow>,
    /// A batch being sent now (from this tab or another, or another process): what it
    /// has done, and its job's page.
    running: Option<(String, String)>,
}

fn form_fields(
    l: &Layout,
    state_runs: &[store::RegisterRunRecord],
    users: &[domain::org::User],
    f: &BatchForm,
    errors: &FieldErrors,
) -> Vec<FormField> {
    let mut run = FormField::new("run", l.t("batch-run"), "select", &f.run);
    run.options = state_runs
        .iter()
        .map(|r| {
            let label = l.t_args2(
                "batch-run-option",
                ("when", crate::time_fmt::local(r.run_at)),
                ("by", r.run_by_name.clone()),
            );
            Opt::new(r.id.to_string(), label, r.id.to_string() == f.run)
        })
        .collect();
    let mut contact = FormField::new("contact", l.t("batch-contact"), "select", &f.contact);
    contact.hint = Some(l.t("batch-contact-hint"));
    contact.options = users
        .iter()
        .filter(|u| u.answers_for_women())
        .map(|u| {
            let label = match &u.direct_phone {
                Some(p) => format!("{} ({})", u.display_name, p.display()),
                _ => format!("{} ({})", u.display_name, l.t("batch-contact-no-phone")),
            };
            Opt::new(u.id.to_string(), label, u.id.to_string() == f.contact)
        })
        .collect();
    let mut meeting = FormField::new("meeting", l.t("batch-meeting"), "textarea", &f.meeting);
    meeting.hint = Some(l.t("batch-meeting-hint"));
    let source = FormField::new(
        "source",
        l.t("batch-source"),
        "text",
        if f.source.is_empty() { domain::letter_batch::DEFAULT_SOURCE } else { f.source.as_str() },
    );
    let paper = FormField::new(
        "paper_for_all",
        l.t("batch-paper-for-all"),
        "checkbox",
        f.paper_for_all.as_deref().unwrap_or(""),
    );
    with_errors(l, vec![run, contact, meeting, source, paper], errors, &["run", "meeting"])
}

fn cadence_fields(l: &Layout, input: &CadenceInput, errors: &FieldErrors) -> Vec<FormField> {
    with_errors(
        l,
        vec![
            FormField::new(
                "call_after_letter_days",
                l.t("cadence-call-after-letter"),
                "text",
                &input.call_after_letter_days,
            ),
            FormField::new("call_again_days", l.t("cadence-call-again"), "text", &input.call_again_days),
            FormField::new(
                "second_letter_after_days",
                l.t("cadence-second-letter"),
                "text",
                &input.second_letter_after_days,
            ),
            FormField::new("max_attempts", l.t("cadence-max-attempts"), "text", &input.max_attempts),
        ],
        errors,
        &["call_after_letter_days", "call_again_days", "second_letter_after_days", "max_attempts"],
    )
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    cu: &CurrentUser,
    initiative: &Initiative,
    form: BatchForm,
    errors: &FieldErrors,
    plan: Option<PlanView>,
    error: Option<String>,
    cadence: Option<(CadenceInput, FieldErrors)>,
    cadence_saved: bool,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/letters");
    let runs = state.store.register_runs(initiative.id).await?;
    let users = state.store.list_users().await?;
    let mut form = form;
    if form.run.is_empty()
        && let Some(newest) = runs.first()
    {
        form.run = newest.id.to_string();
    }
    let fields = form_fields(&l, &runs, &users, &form, errors);
    let (cadence_input, cadence_errors) =
        cadence.unwrap_or_else(|| (CadenceInput::from_cadence(&initiative.cadence), FieldErrors::default()));
    let cadence_failed = !cadence_errors.is_empty();
    let batches = state
        .store
        .letter_batches(initiative.id)
        .await?
        .into_iter()
        .map(|b| BatchRow {
            id: b.id.to_string(),
            when: crate::time_fmt::local(b.created_at),
            by: b.created_by_name,
            letters: b.letters,
            digital_post: b.digital_post,
            paper: b.paper,
            overridden: b.override_reason.is_some(),
        })
        .collect();
    let running = match state.store.latest_job(initiative.id, store::JobKind::LetterBatch).await? {
        Some(j) if j.finished_at.is_none() => Some((
            l.t_args2("batch-running", ("done", j.done.to_string()), ("total", j.total.to_string())),
            format!("/jobs/{}", j.id),
        )),
        _ => None,
    };
    let failed = !errors.is_empty() || error.is_some() || cadence_failed;
    let page = BatchPage {
        has_runs: !runs.is_empty(),
        cadence: cadence_fields(&l, &cadence_input, &cadence_errors),
        cadence_saved,
        fields,
        form,
        plan,
        error,
        batches,
        running,
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> AppResult<Response> {
    let initiative = require(&state, &cu, "GET /letters/batch").await?;
    page(&state, &cu, &initiative, BatchForm::default(), &FieldErrors::default(), None, None, None, q.saved.is_some())
        .await
}

pub async fn preview(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<BatchForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /letters/batch/preview";
    let initiative = require(&state, &cu, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/letters");
    let caller = cu.caller(ORIGIN);
    match batch::preview(&state.app, &caller, &form.input()).await {
        Ok((request, plan)) => {
            let view = plan_view(&l, &plan, request.contact.is_some());
            page(&state, &cu, &initiative, form, &FieldErrors::default(), Some(view), None, None, false).await
        }
        Err(app::Error::Invalid(errors)) => {
            page(&state, &cu, &initiative, form, &errors, None, None, None, false).await
        }
        Err(e) => {
            let text = error_text(&l, &e)?;
            page(&state, &cu, &initiative, form, &FieldErrors::default(), None, Some(text), None, false).await
        }
    }
}

/// A refusal or failure in words, naming what to do; anything else is the error page's.
fn error_text(l: &Layout, e: &app::Error) -> AppResult<String> {
    Ok(match e {
        app::Error::Refused(app::Refusal::LetterBatch(r)) => match r {
            Refused::CheckErrors { errors } => l.t1(r.message_id(), "count", errors),
            Refused::NoContactPerson { women } => l.t1(r.message_id(), "count", women),
            Refused::MissingTranslation { languages } | Refused::Unreviewed { languages } => {
                let names: Vec<String> = languages.iter().map(|c| language_label(l.locale, c)).collect();
                l.t1(r.message_id(), "languages", names.join(", "))
            }
            Refused::ReasonTooShort => l.t1(r.message_id(), "min", domain::letter_batch::MIN_REASON_CHARS),
            Refused::Empty | Refused::ContactWithoutPhone => l.t(r.message_id()),
        },
        app::Error::Refused(app::Refusal::Busy) => l.t("batch-busy"),
        app::Error::Conflict(_) => l.t("batch-failed-changed"),
        app::Error::Unexpected { .. } => {
            tracing::error!(error = %e, "letter batch failed");
            l.t("batch-failed")
        }
        _ => return Err(AppError::Internal(e.to_string())),
    })
}

pub async fn send(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<BatchForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /letters/batch";
    let initiative = require(&state, &cu, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/letters");
    let caller = cu.caller(ORIGIN);
    // The gate and the job's claim answer at once; a batch of thousands of letters
    // takes minutes, so it is finished in the background and followed on its job's
    // page (its progress is in the database: a reload or a second tab sees it).
    match batch::start(&state.app, &caller, &form.input()).await {
        Ok(started) => {
            let job = started.job_id();
            let ctx = state.app.clone();
            tokio::spawn(async move {
                // The outcome is on the job's row; the error is logged by `finish`.
                let _ = batch::finish(&ctx, started, &|_, _| {}).await;
            });
            Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            page(&state, &cu, &initiative, form, &errors, None, None, None, false).await
        }
        Err(e) => {
            let text = error_text(&l, &e)?;
            // Show the preview again, so she sees what stands in the way.
            let view = match batch::preview(&state.app, &caller, &form.input()).await {
                Ok((request, plan)) => Some(plan_view(&l, &plan, request.contact.is_some())),
                Err(_) => None,
            };
            page(&state, &cu, &initiative, form, &FieldErrors::default(), view, Some(text), None, false).await
        }
    }
}

/// How far the newest batch has come, as the page's script reads it: counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchProgress {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    /// The batch it made, once done.
    pub batch: Option<String>,
}

/// How far the batch being sent has come, for the page's progress bar. Counts only.
pub async fn progress(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let initiative = require(&state, &cu, "GET /letters/batch/progress").await?;
    let job = state.store.latest_job(initiative.id, store::JobKind::LetterBatch).await?;
    let p = match job {
        Some(j) => BatchProgress {
            running: j.finished_at.is_none(),
            done: j.done,
            total: j.total,
            batch: j.result_id.map(|id| id.to_string()),
        },
        None => BatchProgress::default(),
    };
    let body = serde_json::to_string(&p).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(r)
}

pub async fn save_cadence(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<CadenceInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /letters/cadence";
    let initiative = require(&state, &cu, ORIGIN).await?;
    match app::contact::set_cadence(&state.app, &cu.caller(ORIGIN), &input).await {
        Ok(_) => Ok(Redirect::to("/letters/batch?saved=1").into_response()),
        Err(app::Error::Invalid(errors)) => {
            page(
                &state,
                &cu,
                &initiative,
                BatchForm::default(),
                &FieldErrors::default(),
                None,
                None,
                Some((input, errors)),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// A sent batch and its files
// ---------------------------------------------------------------------------------

pub struct LetterRow {
    pub seq: u32,
    pub person_id: String,
    pub name: String,
    pub digital: bool,
    pub language: String,
    pub message_uuid: String,
}

#[derive(Template)]
#[template(path = "letter_batch_report.html")]
struct ReportPage {
    l: Layout,
    id: String,
    intro: String,
    letters: u32,
    digital_post: u32,
    paper: u32,
    print_files: Vec<u32>,
    skipped: Vec<CountView>,
    check_errors: u32,
    override_reason: Option<String>,
    rows: Vec<LetterRow>,
}

pub async fn report(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /letters/batches/{id}";
    require(&state, &cu, ORIGIN).await?;
    let (b, letters) = app::sent_batches::report(&state.app, &cu.caller(ORIGIN), id).await?;
    let l = Layout::new(&state, &cu.ctx, "/letters");
    let skipped = Skip::ALL
        .iter()
        .map(|s| CountView {
            label: l.t(s.message_id()),
            count: b.skipped.iter().find(|(skip, _)| skip == s).map_or(0, |(_, n)| *n),
        })
        .collect();
    let rows = letters
        .into_iter()
        .map(|x| LetterRow {
            seq: x.seq,
            person_id: x.person_id.to_string(),
            name: x.name,
            digital: x.delivery == Delivery::DigitalPost,
            language: language_label(l.locale, &x.language),
            message_uuid: x.message_uuid.map(|u| u.to_string()).unwrap_or_default(),
        })
        .collect();
    render(&ReportPage {
        id: b.id.to_string(),
        intro: l.t_args2(
            "batch-report-intro",
            ("when", crate::time_fmt::local(b.created_at)),
            ("by", b.created_by_name.clone()),
        ),
        letters: b.letters,
        digital_post: b.digital_post,
        paper: b.paper,
        print_files: (1..=b.print_files).collect(),
        skipped,
        check_errors: b.check_errors,
        override_reason: b.override_reason,
        rows,
        l,
    })
}

/// One file of a batch: `print` n (paper letters in print order), `letters` seq (her
/// PDF) or `memo` seq (her Digital Post message). Only numbers come in from the path,
/// never a file name; the download is audited naming the women in the file.
pub async fn file(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, kind, n)): Path<(Uuid, String, u32)>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /letters/batches/{id}/{kind}/{n}";
    require(&state, &cu, ORIGIN).await?;
    let kind = app::sent_batches::FileKind::from_code(&kind).ok_or(AppError::NotFound)?;
    let app::sent_batches::BatchFile { bytes, mime, name } =
        app::sent_batches::file(&state.app, &cu.caller(ORIGIN), id, kind, n).await?;
    let mut r = bytes.into_response();
    let headers = r.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
