//! Register search from the web (G-5.1–G-5.5): upload an extract and map its columns,
//! write the selection rules, dry-run and run, review uncertain links, and read a
//! run's overview. The work itself is `app::register_search`'s, which the CLI calls too.

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
use register::kinds::{Field, Need, SourceKind};
use register::mapping::{EncodingChoice, Mapping};
use register::select::Counts;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use store::{LinkDecision, Store};
use tokio::io::AsyncWriteExt;
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
            if let register::error::ReadErrorKind::Mapping(problems) = &r.kind {
                for p in problems {
                    text.push_str(&format!(" {p}."));
                }
            }
            text.push(' ');
            text.push_str(&l.t("read-error-nothing-imported"));
            text
        }
        app::Error::Select(register::select::SelectError::MissingSource(kind)) => {
            l.t1("register-error-missing-source", "kind", kind_label(l, kind))
        }
        app::Error::Select(register::select::SelectError::NoPopulation) => l.t("register-error-no-population"),
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

fn extract_dir(state: &AppState) -> &search::ExtractDir {
    &state.app.extracts
}

// ---------------------------------------------------------------------------------
// The hub
// ---------------------------------------------------------------------------------

struct SourceRow {
    kind: String,
    file_name: String,
    rows: u64,
    checksum: String,
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
}

struct DryRunView {
    population_rows: u64,
    after_base: u64,
    steps: Vec<StepRow>,
    linked: String,
    candidates: u64,
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
            })
            .collect(),
        linked: l.t_args2(
            "register-linked",
            ("certain", c.linked_certain.to_string()),
            ("review", c.linked_review.to_string()),
        ),
        candidates: c.candidates,
    }
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
            kind: kind_label(&l, &s.kind),
            file_name: s.file_name,
            rows: s.rows,
            checksum: s.sha256.chars().take(12).collect(),
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
    let kinds = SourceKind::ALL.iter().map(|k| Opt::new(k.code(), kind_label(&l, k.code()), false)).collect();
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

#[derive(Deserialize, Default)]
pub struct Empty {}

pub async fn dry_run(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/dry-run";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    match search::dry_run(&state.app, &cu.caller(ORIGIN)).await {
        Ok(dry) => hub(&state, &cu, &initiative, Some(dry_view(&l, &dry.counts)), None, None).await,
        Err(e) => hub(&state, &cu, &initiative, None, Some(error_text(&l, &e)), None).await,
    }
}

pub async fn run(State(state): State<AppState>, cu: CurrentUser, CsrfForm(_): CsrfForm<Empty>) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/run";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    // The gate and the job's claim answer at once; the selection over the extracts
    // runs in the background, followed on the job's page (G-5.3: a refusal is shown
    // here, with its reason).
    match search::start_run(&state.app, &cu.caller(ORIGIN)).await {
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

// ---------------------------------------------------------------------------------
// Upload and mapping
// ---------------------------------------------------------------------------------

/// What is known of an upload between the file and its mapping, kept beside the file.
#[derive(serde::Serialize, Deserialize)]
struct Pending {
    kind: SourceKind,
    file_name: String,
    uploaded_by: Uuid,
}

fn pending_paths(state: &AppState, id: Uuid) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = extract_dir(state).pending();
    (dir.join(id.to_string()), dir.join(format!("{id}.json")))
}

fn remove_pending(state: &AppState, id: Uuid) {
    let (file, meta) = pending_paths(state, id);
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_file(meta);
}

/// Only the file's own name, never a path; short and printable.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() { "udtraek.csv".into() } else { cleaned }
}

pub async fn upload(State(state): State<AppState>, cu: CurrentUser, mut form: Multipart) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/upload";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let (id, path) = extract_dir(&state).new_pending()?;
    let mut csrf = String::new();
    let mut kind = None;
    let mut file_name = None;
    let mut bytes = 0u64;
    while let Some(mut field) = form.next_field().await.map_err(|_| AppError::BadRequest("unreadable upload"))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| AppError::BadRequest("unreadable upload"))?,
            Some("kind") => {
                let text = field.text().await.map_err(|_| AppError::BadRequest("unreadable upload"))?;
                kind = SourceKind::from_code(text.trim());
            }
            Some("file") => {
                // The token comes first in the form; nothing is written without it.
                crate::session::check_csrf(&cu.ctx, &csrf)?;
                file_name = Some(clean_file_name(field.file_name().unwrap_or("")));
                let mut out = tokio::fs::File::create(&path).await.map_err(|e| AppError::Internal(e.to_string()))?;
                while let Some(chunk) = field.chunk().await.map_err(|_| AppError::BadRequest("upload interrupted"))? {
                    bytes += chunk.len() as u64;
                    out.write_all(&chunk).await.map_err(|e| AppError::Internal(e.to_string()))?;
                }
                out.flush().await.map_err(|e| AppError::Internal(e.to_string()))?;
            }
            _ => {}
        }
    }
    crate::session::check_csrf(&cu.ctx, &csrf)?;
    let (Some(kind), Some(file_name)) = (kind, file_name) else {
        remove_pending(&state, id);
        return hub(&state, &cu, &initiative, None, Some(l.t("register-error-upload-incomplete")), None).await;
    };
    if bytes == 0 {
        remove_pending(&state, id);
        let text = l.t1("read-error-empty-file", "file", file_name) + " " + &l.t("read-error-nothing-imported");
        return hub(&state, &cu, &initiative, None, Some(text), None).await;
    }
    let meta = Pending { kind, file_name, uploaded_by: cu.user.id };
    let (_, meta_path) = pending_paths(&state, id);
    let json = serde_json::to_vec(&meta).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(meta_path, json).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to(&format!("/register/uploads/{id}")).into_response())
}

fn read_pending(state: &AppState, cu: &CurrentUser, id: Uuid) -> AppResult<(Pending, std::path::PathBuf)> {
    let (file, meta) = pending_paths(state, id);
    let meta: Pending =
        std::fs::read(&meta).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or(AppError::NotFound)?;
    // An upload belongs to the coordinator who made it.
    if meta.uploaded_by != cu.user.id {
        return Err(AppError::NotFound);
    }
    Ok((meta, file))
}

struct MappingRow {
    field: FormField,
}

#[derive(Template)]
#[template(path = "register_mapping.html")]
struct MappingPage {
    l: Layout,
    id: String,
    file_name: String,
    kind: String,
    format: String,
    headers: Vec<String>,
    sample: Vec<Vec<String>>,
    rows: Vec<MappingRow>,
    sheets: Vec<Opt>,
    encodings: Vec<Opt>,
    is_xlsx: bool,
    problems: Vec<String>,
}

/// A sample cell as shown: a CPR number masked (the page needs the columns' look,
/// not her number).
fn shown_cell(cell: &str) -> String {
    match domain::Cpr::parse(cell) {
        Ok(cpr) => cpr.masked(),
        Err(_) => cell.chars().take(40).collect(),
    }
}

async fn mapping_page(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    chosen: Option<(Mapping, Vec<String>)>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/register");
    let (meta, file) = read_pending(state, cu, id)?;
    let sheet = chosen.as_ref().and_then(|(m, _)| m.sheet.clone());
    let inspection = match register::read::inspect(file.as_path(), &meta.file_name, sheet.as_deref()) {
        Ok(i) => i,
        Err(e) => {
            remove_pending(state, id);
            let initiative = super::current_initiative(state).await?.ok_or(AppError::NotFound)?;
            return hub(state, cu, &initiative, None, Some(error_text(&l, &app::Error::File(e))), None).await;
        }
    };
    let failed = chosen.as_ref().is_some_and(|(_, p)| !p.is_empty());
    let (mapping, problems) = match chosen {
        Some(c) => c,
        None => (search::mapping_for(&state.app, meta.kind, &inspection.headers).await?, Vec::new()),
    };
    let rows = meta
        .kind
        .fields()
        .iter()
        .map(|spec| {
            let current = mapping.columns.get(&spec.field).cloned().unwrap_or_default();
            let mut options = vec![Opt::new("", l.t("register-not-mapped"), current.is_empty())];
            options.extend(inspection.headers.iter().map(|h| Opt::new(h.clone(), h.clone(), *h == current)));
            let mut f = FormField::select(
                spec.field.code(),
                l.t(&format!("register-field-{}", spec.field.code().replace('_', "-"))),
                options,
            );
            f.required = spec.need == Need::Required;
            if spec.need == Need::NameGroup {
                f.hint = Some(l.t("register-hint-name-group"));
            }
            MappingRow { field: f }
        })
        .collect();
    let is_xlsx = matches!(inspection.format, register::read::Format::Xlsx);
    let format = match inspection.format {
        register::read::Format::Xlsx => "XLSX".to_string(),
        register::read::Format::Csv { separator, encoding } => {
            format!("CSV · «{}» · {encoding:?}", char::from(separator))
        }
    };
    let encodings = [EncodingChoice::Auto, EncodingChoice::Utf8, EncodingChoice::Windows1252]
        .iter()
        .map(|e| {
            let code = match e {
                EncodingChoice::Auto => "auto",
                EncodingChoice::Utf8 => "utf8",
                EncodingChoice::Windows1252 => "windows1252",
            };
            Opt::new(code, l.t(&format!("register-encoding-{code}")), *e == mapping.encoding)
        })
        .collect();
    let sheets = inspection
        .sheets
        .iter()
        .map(|s| Opt::new(s.clone(), s.clone(), mapping.sheet.as_deref() == Some(s.as_str())))
        .collect();
    let page = MappingPage {
        id: id.to_string(),
        file_name: meta.file_name.clone(),
        kind: kind_label(&l, meta.kind.code()),
        format,
        headers: inspection.headers.clone(),
        sample: inspection.sample.iter().map(|r| r.iter().map(|c| shown_cell(c)).collect()).collect(),
        rows,
        sheets,
        encodings,
        is_xlsx,
        problems,
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn mapping_show(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    require(&state, &cu, Action::RegisterSearch, "GET /register/uploads/{id}").await?;
    mapping_page(&state, &cu, id, None).await
}

pub async fn mapping_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/uploads/{id}";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let (meta, file) = read_pending(&state, &cu, id)?;
    let mut columns = BTreeMap::new();
    for spec in meta.kind.fields() {
        if let Some(h) = form.get(spec.field.code()).map(|h| h.trim()).filter(|h| !h.is_empty()) {
            columns.insert(spec.field, h.to_string());
        }
    }
    let encoding = match form.get("encoding").map(String::as_str) {
        Some("utf8") => EncodingChoice::Utf8,
        Some("windows1252") => EncodingChoice::Windows1252,
        _ => EncodingChoice::Auto,
    };
    let sheet = form.get("sheet").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mapping = Mapping { kind: meta.kind, columns, sheet, encoding };
    let headers = register::read::inspect(file.as_path(), &meta.file_name, mapping.sheet.as_deref())
        .map(|i| i.headers)
        .unwrap_or_default();
    if let Err(problems) = mapping.check(&headers) {
        let texts = problems.iter().map(|p| mapping_problem_text(&l, p)).collect();
        return mapping_page(&state, &cu, id, Some((mapping, texts))).await;
    }
    let input = ImportInput { file: file.clone(), file_name: meta.file_name.clone(), mapping, move_file: true };
    let imported = search::import(&state.app, &cu.caller(ORIGIN), input).await;
    match imported {
        Ok(record) => {
            remove_pending(&state, id);
            Ok(Redirect::to(&format!("/register?imported={}", record.rows)).into_response())
        }
        Err(e) => {
            // Nothing from a file with an error is kept (issue 3, bad input).
            remove_pending(&state, id);
            hub(&state, &cu, &initiative, None, Some(error_text(&l, &e)), None).await
        }
    }
}

fn mapping_problem_text(l: &Layout, p: &register::mapping::MappingProblem) -> String {
    use register::mapping::MappingProblem as P;
    let field = |f: &Field| l.t(&format!("register-field-{}", f.code().replace('_', "-")));
    match p {
        P::RequiredNotMapped { field: f } => l.t1("mapping-required-not-mapped", "field", field(f)),
        P::NameNotMapped => l.t("mapping-name-not-mapped"),
        P::NotInFile { field: f, header } => {
            l.t_args2("mapping-header-not-in-file", ("field", field(f)), ("header", header.clone()))
        }
        P::AmbiguousHeader { header, .. } => l.t1("mapping-ambiguous-header", "header", header.clone()),
        P::MappedTwice { header, .. } => l.t1("mapping-mapped-twice", "header", header.clone()),
        P::NotAFieldOfKind { field: f } => l.t1("mapping-not-a-field-of-kind", "field", field(f)),
    }
}

// ---------------------------------------------------------------------------------
// Selection rules
// ---------------------------------------------------------------------------------

struct StepFormRow {
    index: usize,
    actions: Vec<Opt>,
    sources: Vec<Opt>,
    within_months: String,
    amount_above: String,
    types: String,
    in_force: Vec<Opt>,
    reason: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "register_rules.html")]
struct RulesPage {
    l: Layout,
    fields: Vec<FormField>,
    steps: Vec<StepFormRow>,
    templates: Vec<Opt>,
    toml: Option<String>,
    reference: Option<String>,
    version: Option<u32>,
    form_error: Option<String>,
}

fn rules_fields(l: &Layout, areas: &[domain::org::Area], input: &RulesInput, errors: &FieldErrors) -> Vec<FormField> {
    let on = |v: &Option<String>| if v.is_some() { "on" } else { "" };
    let area_options =
        areas.iter().map(|a| Opt::new(a.code.clone(), a.name.clone(), input.areas.contains(&a.code))).collect();
    let mut years =
        FormField::new("more_than_years_in_denmark", l.t("rules-years"), "text", &input.more_than_years_in_denmark);
    years.hint = Some(l.t("rules-hint-years"));
    let mut countries = FormField::new("countries", l.t("rules-countries"), "text", &input.countries);
    countries.hint = Some(l.t("rules-hint-countries"));
    let list = vec![
        FormField::new("name", l.t("rules-name"), "text", &input.name),
        FormField::new("female_only", l.t("rules-female-only"), "checkbox", on(&input.female_only)),
        FormField::new("min_age", l.t("rules-min-age"), "text", &input.min_age),
        FormField::new("max_age", l.t("rules-max-age"), "text", &input.max_age),
        FormField::new("non_western_only", l.t("rules-non-western"), "checkbox", on(&input.non_western_only)),
        countries,
        years,
        FormField::checkboxes("areas", l.t("field-areas"), area_options),
    ];
    with_errors(l, list, errors, &["name", "min_age", "max_age"])
}

fn step_rows(l: &Layout, input: &RulesInput, errors: &FieldErrors) -> Vec<StepFormRow> {
    let mut steps = input.steps();
    // Always room for one more step.
    if steps.len() < selection::MAX_STEPS && steps.iter().all(|s| !s.source.is_empty()) {
        steps.push(selection::StepInput::default());
    }
    let mut filled = 0usize;
    steps
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let mut row_errors = Vec::new();
            if !s.source.trim().is_empty() {
                for part in ["source", "within_months", "amount_above", "reason", "types"] {
                    if let Some(key) = errors.for_field(selection::step_field(filled, part)) {
                        row_errors.push(format!(
                            "{}: {}",
                            l.t(&format!("rules-step-{}", part.replace('_', "-"))),
                            l.t(key)
                        ));
                    }
                }
                filled += 1;
            }
            let mut sources = vec![Opt::new("", l.t("rules-no-step"), s.source.is_empty())];
            sources.extend(
                StepSource::ALL.iter().map(|k| Opt::new(k.code(), kind_label(l, k.code()), s.source == k.code())),
            );
            StepFormRow {
                index: index + 1,
                actions: ["require", "exclude"]
                    .iter()
                    .map(|a| Opt::new(*a, l.t(&format!("rules-action-{a}")), s.action == *a))
                    .collect(),
                sources,
                within_months: s.within_months.clone(),
                amount_above: s.amount_above.clone(),
                types: s.types.clone(),
                in_force: ["no", "yes"]
                    .iter()
                    .map(|v| Opt::new(*v, l.t(&format!("rules-in-force-{v}")), s.in_force == *v))
                    .collect(),
                reason: s.reason.clone(),
                errors: row_errors,
            }
        })
        .collect()
}

async fn rules_page(
    state: &AppState,
    cu: &CurrentUser,
    initiative: &Initiative,
    given: Option<(RulesInput, FieldErrors)>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/register");
    let saved = state.store.selection_rules(initiative.id).await?;
    let current = saved.first();
    let failed = given.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (input, errors) = match given {
        Some(g) => g,
        None => {
            let rules = current
                .and_then(|r| Rules::from_toml(&r.toml).ok())
                .or_else(|| selection::template(selection::TEMPLATES[0]));
            (rules.map(|r| r.to_input(1)).unwrap_or_default(), FieldErrors::default())
        }
    };
    let areas = state.store.list_areas().await?;
    let page = RulesPage {
        fields: rules_fields(&l, &areas, &input, &errors),
        steps: step_rows(&l, &input, &errors),
        templates: selection::TEMPLATES
            .iter()
            .map(|t| Opt::new(*t, l.t(&format!("rules-template-{}", t.replace('_', "-"))), false))
            .collect(),
        toml: current.map(|r| r.toml.clone()),
        reference: current.map(|r| Rules::reference(&r.toml)),
        version: current.map(|r| r.version),
        form_error: failed.then(|| l.t("error-form-summary")),
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct TemplateQuery {
    template: Option<String>,
}

pub async fn rules_show(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<TemplateQuery>,
) -> AppResult<Response> {
    let initiative = require(&state, &cu, Action::RegisterSearch, "GET /register/rules").await?;
    // A template fills the form; nothing is saved until the coordinator saves.
    let given = q.template.as_deref().and_then(selection::template).map(|r| (r.to_input(1), FieldErrors::default()));
    rules_page(&state, &cu, &initiative, given).await
}

pub async fn rules_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<RulesInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/rules";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let rules = match input.parse() {
        Ok(r) => r,
        Err(errors) => return rules_page(&state, &cu, &initiative, Some((input, errors))).await,
    };
    let saved = search::save_rules(&state.app, &cu.caller(ORIGIN), &rules).await?;
    Ok(Redirect::to(&format!("/register?rules_saved={}", saved.version)).into_response())
}

/// The rules file itself, for the lawyer's review and the plan's reference.
pub async fn rules_file(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let initiative = require(&state, &cu, Action::RegisterSearch, "GET /register/rules.toml").await?;
    let saved = state.store.selection_rules(initiative.id).await?;
    let current = saved.first().ok_or(AppError::NotFound)?;
    let name = format!("attachment; filename=\"udvaelgelse-v{}.toml\"", current.version);
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        current.toml.clone(),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------
// Review queue
// ---------------------------------------------------------------------------------

struct ReviewRow {
    id: String,
    probability: String,
    list: String,
    list_name: String,
    list_birth: String,
    list_phone: String,
    name: String,
    birth: String,
    cpr: String,
    address: String,
}

#[derive(Template)]
#[template(path = "register_review.html")]
struct ReviewPage {
    l: Layout,
    rows: Vec<ReviewRow>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    decided: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /register/review";
    require(&state, &cu, Action::ReviewLinks, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register/review");
    let pending = search::review_queue(&state.app, &cu.caller(ORIGIN)).await?;
    let rows = pending
        .into_iter()
        .map(|r| {
            let c = r.candidate.as_ref();
            ReviewRow {
                id: r.id.to_string(),
                probability: format!("{:.0} %", r.probability * 100.0),
                list: format!("{} · {}", r.list_file, l.t1("read-error-row", "row", r.list_row)),
                list_name: r.list_name,
                list_birth: r.list_birth_date.map(|d| d.to_string()).unwrap_or_default(),
                list_phone: r.list_phone.unwrap_or_default(),
                name: c.map(|c| format!("{} {}", c.given_name, c.family_name)).unwrap_or_default(),
                birth: c.map(|c| c.birth_date.to_string()).unwrap_or_default(),
                cpr: c.and_then(|c| domain::Cpr::parse(&c.cpr).ok()).map(|c| c.masked()).unwrap_or_default(),
                address: c
                    .map(|c| {
                        [c.street.clone(), c.postcode.clone(), c.city.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let message = match q.decided.as_deref() {
        Some("confirm") => Some(l.t("review-confirmed")),
        Some("reject") => Some(l.t("review-rejected")),
        _ => None,
    };
    render(&ReviewPage { l, rows, message })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/review/{id}";
    require(&state, &cu, Action::ReviewLinks, ORIGIN).await?;
    let decision = match form.decision.as_str() {
        "confirm" => LinkDecision::Confirm,
        "reject" => LinkDecision::Reject,
        _ => return Err(AppError::BadRequest("unknown decision")),
    };
    match search::decide(&state.app, &cu.caller(ORIGIN), id, decision).await {
        // Decided meanwhile by a colleague: the queue shows what is left.
        Ok(_) | Err(app::Error::Conflict(_)) => {
            Ok(Redirect::to(&format!("/register/review?decided={}", form.decision)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------
// A run and its overview (G-5.4)
// ---------------------------------------------------------------------------------

struct TableView {
    title: String,
    rows: Vec<(String, String)>,
    total: String,
}

#[derive(serde::Deserialize)]
struct UsedSource {
    kind: String,
    file_name: String,
    sha256: String,
    rows: u64,
}

#[derive(Template)]
#[template(path = "register_run.html")]
struct RunPage {
    l: Layout,
    at: String,
    by: String,
    legal_basis: String,
    plan_version: u32,
    rules_checksum: String,
    sources: Vec<(String, String, String, u64)>,
    dry: Option<DryRunView>,
    tables: Vec<TableView>,
    suppressed: bool,
    show_details: bool,
}

pub async fn run_page(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /register/runs/{id}";
    require(&state, &cu, Action::ViewRunOverview, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let run = search::run_overview(&state.app, &cu.caller(ORIGIN), id).await?;
    let overview: selection::Overview = serde_json::from_str(&run.overview).unwrap_or_default();
    // One rule for every aggregate below coordinator level (G-5.4, product.md).
    let suppressed = cu.user.role != domain::policy::Role::Coordinator;
    let shown = overview.shown(suppressed);
    let titles = ["overview-by-country", "overview-by-area", "overview-by-age", "overview-by-years"];
    let areas = state.store.list_areas().await?;
    let hidden = l.t("overview-hidden");
    let tables = titles
        .iter()
        .zip(shown.iter())
        .enumerate()
        .map(|(i, (title, t))| TableView {
            title: l.t(title),
            rows: t
                .rows
                .iter()
                .map(|(k, n)| {
                    let label = match i {
                        0 => domain::reference::country(k).map_or_else(|| k.clone(), |c| c.name_da.to_string()),
                        1 => areas.iter().find(|a| a.code == *k).map_or_else(|| k.clone(), |a| a.name.clone()),
                        _ => k.clone(),
                    };
                    (label, n.map_or_else(|| hidden.clone(), |n| n.to_string()))
                })
                .collect(),
            total: t.total.map_or_else(|| hidden.clone(), |n| n.to_string()),
        })
        .collect();
    let show_details = !suppressed;
    let sources: Vec<UsedSource> = serde_json::from_str(&run.sources).unwrap_or_default();
    let counts: Option<Counts> = serde_json::from_str(&run.counts).ok();
    let page = RunPage {
        at: crate::time_fmt::local(run.run_at),
        by: run.run_by_name,
        legal_basis: run.legal_basis,
        plan_version: run.plan_version,
        rules_checksum: run.rules_checksum.chars().take(12).collect(),
        sources: sources
            .into_iter()
            .map(|s| (kind_label(&l, &s.kind), s.file_name, s.sha256.chars().take(12).collect(), s.rows))
            .collect(),
        dry: counts.filter(|_| show_details).map(|c| dry_view(&l, &c)),
        tables,
        suppressed,
        show_details,
        l,
    };
    render(&page)
}
