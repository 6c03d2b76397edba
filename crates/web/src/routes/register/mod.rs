//! Register search from the web (G-5.1–G-5.5): upload an extract and map its columns,
//! write the selection rules, dry-run and run, review uncertain links, and read a
//! run's overview. The work itself is `app::register_search`'s, which the CLI calls too.

mod overview;
mod review;
mod rules;
mod upload;

pub use overview::run_page;
pub use review::{decide, review};
pub use rules::{rules_file, rules_save, rules_show};
pub use upload::{mapping_save, mapping_show, upload};

use super::{FormField, Opt, deny, render, today, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::register_search::{self as search, ImportInput};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use domain::org::Initiative;
use domain::policy::{self, Action};
use domain::selection::{self, Rules, RulesInput, StepSource};
use domain::validation::FieldErrors;
use register::kinds::{ExtractKind, Field, Need};
use register::mapping::{EncodingChoice, Mapping};
use register::select::Counts;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use store::LinkDecision;
use uuid::Uuid;

async fn require(state: &AppState, cu: &CurrentUser, action: Action, origin: &str) -> AppResult<Initiative> {
    if !policy::may(&cu.actor(), action, None) {
        return Err(deny(state, cu, origin, None, AppError::Forbidden).await);
    }
    super::current_initiative(state).await?.ok_or(AppError::NotFound)
}

fn kind_label(l: &Layout, kind: &str) -> String {
    l.t(&format!("register-kind-{}", kind.replace('_', "-")))
}

/// A failure the coordinator can act on, in her language: file, row and column named.
fn error_text(l: &Layout, e: &app::Error) -> String {
    match e {
        app::Error::File(r) | app::Error::Select(register::select::SelectError::Read(r)) => {
            let mut text = l.t1(&format!("read-error-{}", r.code()), "file", r.file.clone());
            if let Some(row) = r.row {
                text.push(' ');
                text.push_str(&l.t1("read-error-row", "row", row));
            }
            if let Some(column) = &r.column {
                text.push(' ');
                text.push_str(&l.t1("read-error-column", "column", column.clone()));
            }
            match &r.kind {
                register::error::ReadErrorKind::Mapping(problems) => {
                    for p in problems {
                        text.push_str(&format!(" {p}."));
                    }
                }
                // Every unreadable cell of the sample, with file, row, column and value.
                register::error::ReadErrorKind::Unreadable { total, sample } => {
                    for cell in sample {
                        text.push(' ');
                        text.push_str(&l.t_many(
                            "read-error-cell",
                            &[
                                ("row", cell.row.to_string()),
                                ("column", cell.column.clone()),
                                ("value", cell.value.clone()),
                            ],
                        ));
                    }
                    text.push(' ');
                    text.push_str(&l.t1("read-error-unreadable-total", "count", *total));
                }
                register::error::ReadErrorKind::AfterReferenceDate { value, reference } => {
                    text.push(' ');
                    text.push_str(&l.t_many(
                        "read-error-after-reference-date-value",
                        &[("value", value.clone()), ("reference", domain::text::danish_date(*reference))],
                    ));
                }
                _ => {}
            }
            if !r.headers.is_empty() {
                text.push(' ');
                text.push_str(&l.t1("read-error-headers-found", "headers", r.headers.join(" · ")));
            }
            text.push(' ');
            text.push_str(&l.t("read-error-nothing-imported"));
            text
        }
        app::Error::Select(register::select::SelectError::MissingSource(kind)) => {
            l.t1("register-error-missing-source", "kind", kind_label(l, kind))
        }
        app::Error::Select(register::select::SelectError::NoPopulation) => l.t("register-error-no-population"),
        app::Error::Select(register::select::SelectError::ReferenceDates(apart)) => l.t_many(
            "register-error-reference-dates",
            &[
                ("first", apart.first_file.clone()),
                ("first_date", domain::text::danish_date(apart.first_date)),
                ("second", apart.second_file.clone()),
                ("second_date", domain::text::danish_date(apart.second_date)),
            ],
        ),
        app::Error::Select(register::select::SelectError::NoReferenceDate { file }) => {
            l.t1("register-error-no-reference-date", "file", file.clone())
        }
        app::Error::Invalid(errors) => errors.0.iter().map(|e| l.t(e.message)).collect::<Vec<_>>().join(" "),
        app::Error::Refused(app::Refusal::Search(domain::plan::SearchRefused::ReviewPassed { review_on })) => {
            l.t1("error-search-review-passed", "date", *review_on)
        }
        app::Error::Refused(app::Refusal::Search(r)) => l.t(r.message_id()),
        app::Error::Refused(app::Refusal::NoRules) => l.t("register-error-no-rules"),
        other => {
            tracing::error!(error = %other, "register search failed");
            l.t("register-error-failed")
        }
    }
}

// ---------------------------------------------------------------------------------
// The hub
// ---------------------------------------------------------------------------------

struct SourceRow {
    kind: String,
    file_name: String,
    rows: u64,
    checksum: String,
    /// The date the extract describes.
    describes: String,
    uploaded: String,
    deletion: String,
    deleted: bool,
}

struct RunRow {
    id: String,
    at: String,
    by: String,
    found: u64,
}

struct StepRow {
    label: String,
    reason: String,
    matched: String,
    remaining: u64,
    /// The step's window in words, from the extracts' date (a dry run only).
    window: String,
}

/// One extract a dry run read, with how its coded columns were read at import.
struct ExtractView {
    file_name: String,
    kind: String,
    reference_date: String,
    columns: Vec<ColumnView>,
}

struct ColumnView {
    field: String,
    column: String,
    values: Vec<String>,
    other: String,
}

struct DryRunView {
    population_rows: u64,
    after_base: u64,
    steps: Vec<StepRow>,
    linked: String,
    candidates: u64,
    /// The date the extracts describe (a dry run only).
    reference: String,
    extracts: Vec<ExtractView>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct HubPage {
    l: Layout,
    gate: Option<String>,
    rules: Option<String>,
    sources: Vec<SourceRow>,
    kinds: Vec<Opt>,
    runs: Vec<RunRow>,
    pending_reviews: usize,
    dry: Option<DryRunView>,
    error: Option<String>,
    message: Option<String>,
}

fn dry_view(l: &Layout, c: &Counts) -> DryRunView {
    DryRunView {
        population_rows: c.population_rows,
        after_base: c.after_base,
        steps: c
            .steps
            .iter()
            .map(|s| StepRow {
                label: format!("{} {}", l.t(&format!("rules-action-{}", s.action)), kind_label(l, &s.source)),
                reason: s.reason.clone(),
                matched: s.matched.to_string(),
                remaining: s.remaining,
                window: String::new(),
            })
            .collect(),
        linked: l.t_args2(
            "register-linked",
            ("certain", c.linked_certain.to_string()),
            ("review", c.linked_review.to_string()),
        ),
        candidates: c.candidates,
        reference: String::new(),
        extracts: Vec::new(),
    }
}

/// A dry run as shown: the counts, and what it computed from and read (issue 12): the
/// extracts' date, each step's window in words, and how each coded value was read.
fn dry_run_view(l: &Layout, dry: &search::DryRun) -> DryRunView {
    let mut view = dry_view(l, &dry.counts);
    for (i, window) in &dry.windows {
        if let Some(step) = view.steps.get_mut(*i) {
            step.window = window.clone();
        }
    }
    view.reference = domain::text::danish_date(dry.reference);
    view.extracts = dry
        .extracts
        .iter()
        .map(|e| ExtractView {
            file_name: e.file_name.clone(),
            kind: kind_label(l, e.kind.code()),
            reference_date: e.reference_date.map(domain::text::danish_date).unwrap_or_default(),
            columns: e
                .readings
                .iter()
                .filter(|c| !c.values.is_empty())
                .map(|c| ColumnView {
                    field: l.t(&format!("register-field-{}", c.field.replace('_', "-"))),
                    column: c.column.clone(),
                    values: c.values.clone(),
                    other: if c.other > 0 { l.t1("register-reading-other", "count", c.other) } else { String::new() },
                })
                .collect(),
        })
        .collect();
    view
}

/// The dry run's and the run's form: the coordinator may confirm that extracts whose
/// dates lie more than a month apart are used together.
#[derive(Deserialize, Default)]
pub struct RunForm {
    #[serde(default)]
    confirm_dates: Option<String>,
}

async fn hub(
    state: &AppState,
    cu: &CurrentUser,
    initiative: &Initiative,
    dry: Option<DryRunView>,
    error: Option<String>,
    message: Option<String>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/register");
    let versions = state.store.plan_versions(initiative.id).await?;
    let rules = state.store.selection_rules(initiative.id).await?;
    let current_rules = rules.first();
    let gate = match domain::plan::may_run_search(versions.last(), today()) {
        Err(domain::plan::SearchRefused::ReviewPassed { review_on }) => {
            Some(l.t1("error-search-review-passed", "date", review_on))
        }
        Err(refused) => Some(l.t(refused.message_id())),
        Ok(basis) => match current_rules {
            None => Some(l.t("register-error-no-rules")),
            Some(r) if !selection::plan_names_rules(&basis.rules_ref, &r.toml) => {
                Some(l.t1("register-rules-not-in-plan", "reference", Rules::reference(&r.toml)))
            }
            Some(_) => None,
        },
    };
    let users = state.store.list_users().await?;
    let name = |id: Uuid| users.iter().find(|u| u.id == id).map(|u| u.display_name.clone()).unwrap_or_default();
    let sources = state
        .store
        .register_sources(initiative.id)
        .await?
        .into_iter()
        .map(|s| SourceRow {
            kind: kind_label(&l, s.kind.code()),
            file_name: s.file_name,
            rows: s.rows,
            checksum: s.sha256.chars().take(12).collect(),
            describes: s.reference_date.map(domain::text::danish_date).unwrap_or_default(),
            uploaded: format!("{} · {}", crate::time_fmt::local(s.uploaded_at), name(s.uploaded_by)),
            deletion: match s.deleted_at {
                Some(at) => l.t1("register-deleted-at", "date", crate::time_fmt::local(at)),
                None => l.t1("register-delete-on", "date", s.delete_on),
            },
            deleted: s.deleted_at.is_some(),
        })
        .collect();
    let runs = state
        .store
        .register_runs(initiative.id)
        .await?
        .into_iter()
        .map(|r| RunRow {
            id: r.id.to_string(),
            at: crate::time_fmt::local(r.run_at),
            by: r.run_by_name,
            found: serde_json::from_str::<Counts>(&r.counts).map(|c| c.candidates).unwrap_or(0),
        })
        .collect();
    let kinds = ExtractKind::ALL.iter().map(|k| Opt::new(k.code(), kind_label(&l, k.code()), false)).collect();
    let page = HubPage {
        gate,
        rules: current_rules.map(|r| {
            l.t_args2("register-rules-current", ("name", r.name.clone()), ("version", r.version.to_string()))
                + &format!(" · {}", Rules::reference(&r.toml))
        }),
        sources,
        kinds,
        runs,
        pending_reviews: state.store.pending_link_reviews(initiative.id).await?.len(),
        dry,
        error: error.clone(),
        message,
        l,
    };
    let mut r = render(&page)?;
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct HubQuery {
    imported: Option<u64>,
    rules_saved: Option<u32>,
}

pub async fn home(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<HubQuery>) -> AppResult<Response> {
    let initiative = require(&state, &cu, Action::RegisterSearch, "GET /register").await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let message = match (q.imported, q.rules_saved) {
        (Some(rows), _) => Some(l.t1("register-imported", "rows", rows)),
        (_, Some(v)) => Some(l.t1("rules-saved", "version", v)),
        _ => None,
    };
    hub(&state, &cu, &initiative, None, None, message).await
}

pub async fn dry_run(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<RunForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/dry-run";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    match search::dry_run(&state.app, &cu.caller(ORIGIN), form.confirm_dates.is_some()).await {
        Ok(dry) => hub(&state, &cu, &initiative, Some(dry_run_view(&l, &dry)), None, None).await,
        Err(e) => hub(&state, &cu, &initiative, None, Some(error_text(&l, &e)), None).await,
    }
}

pub async fn run(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<RunForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/run";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    // The gate and the job's claim answer at once; the selection over the extracts
    // runs in the background, followed on the job's page (G-5.3: a refusal is shown
    // here, with its reason).
    match search::start_run(&state.app, &cu.caller(ORIGIN), form.confirm_dates.is_some()).await {
        Ok(started) => {
            let job = started.job_id();
            let ctx = state.app.clone();
            tokio::spawn(async move {
                // The outcome is on the job's row; the error is logged by `finish_run`.
                let _ = search::finish_run(&ctx, started).await;
            });
            Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
        }
        Err(app::Error::Refused(app::Refusal::Busy)) => {
            hub(&state, &cu, &initiative, None, Some(l.t("register-error-busy")), None).await
        }
        Err(e) => hub(&state, &cu, &initiative, None, Some(error_text(&l, &e)), None).await,
    }
}
