//! The initiative's plan (G-4) with its legal basis and impact assessment (G-5.3,
//! G-9.2): the coordinator answers the guide's planning questions, a second
//! coordinator approves the legal basis, and every save is a new version. The gate
//! that a register search asks is `domain::plan::may_run_search`; this page shows
//! what it would answer.

use super::{FormField, Opt, render, today, with_errors};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::plan::Approved;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::plan::{self, Method, PlanInput, PlanVersion};
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

struct VersionRow {
    version: u32,
    author: String,
    written: String,
    approval: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    l: Layout,
    initiative: String,
    current: Option<u32>,
    /// The gate's answer now: `None` when a search may run.
    gate: Option<String>,
    approved: Option<String>,
    gaps: Vec<String>,
    may_approve: bool,
    history: Vec<VersionRow>,
    fields: Vec<FormField>,
    form_error: Option<String>,
    message: Option<String>,
}

/// The form, grouped by the guide's questions; hints name the rule each answers.
fn fields(l: &Layout, areas: &[domain::org::Area], input: &PlanInput, errors: &FieldErrors) -> Vec<FormField> {
    let text = |name: &'static str, key: &str, hint: &str, value: &str| {
        let mut f = FormField::new(name, l.t(key), "textarea", value);
        f.hint = Some(l.t(hint));
        f
    };
    let methods = Method::ALL
        .iter()
        .map(|m| {
            let label = l.t(&format!("plan-method-{}", m.code().replace('_', "-")));
            Opt::new(m.code(), label, input.methods.iter().any(|c| c == m.code()))
        })
        .collect();
    let area_options = areas
        .iter()
        .map(|a| Opt::new(a.id.to_string(), a.name.clone(), input.area_ids.contains(&a.id.to_string())))
        .collect();
    let on = if input.dpia_exists.is_some() { "on" } else { "" };
    let list = vec![
        text("target_group", "plan-target-group", "plan-hint-target-group", &input.target_group),
        text("segments", "plan-segments", "plan-hint-segments", &input.segments),
        text("challenges", "plan-challenges", "plan-hint-challenges", &input.challenges),
        text("why", "plan-why", "plan-hint-why", &input.why),
        text("how", "plan-how", "plan-hint-how", &input.how),
        FormField::checkboxes("methods", l.t("plan-methods"), methods),
        text("methods_why", "plan-methods-why", "plan-hint-methods-why", &input.methods_why),
        text("ethics_frame", "plan-ethics-frame", "plan-hint-ethics-frame", &input.ethics_frame),
        text("resources", "plan-resources", "plan-hint-resources", &input.resources),
        FormField::new("programme_seats", l.t("plan-programme-seats"), "text", &input.programme_seats),
        text("capacity_note", "plan-capacity-note", "plan-hint-capacity", &input.capacity_note),
        text("legal_frame", "plan-legal-frame", "plan-hint-legal-frame", &input.legal_frame),
        FormField::checkboxes("area_ids", l.t("field-areas"), area_options),
        text("sources", "plan-sources", "plan-hint-sources", &input.sources),
        FormField::new("rules_ref", l.t("plan-rules-ref"), "text", &input.rules_ref),
        text("legal_basis_text", "plan-legal-basis-text", "plan-hint-legal-basis", &input.legal_basis_text),
        FormField::new(
            "legal_basis_reference",
            l.t("plan-legal-basis-reference"),
            "text",
            &input.legal_basis_reference,
        ),
        FormField::new(
            "legal_basis_recorded_on",
            l.t("plan-legal-basis-recorded-on"),
            "date",
            &input.legal_basis_recorded_on,
        ),
        FormField::new("dpia_exists", l.t("plan-dpia-exists"), "checkbox", on),
        FormField::new("dpia_reference", l.t("plan-dpia-reference"), "text", &input.dpia_reference),
        FormField::new("dpia_date", l.t("plan-dpia-date"), "date", &input.dpia_date),
        FormField::new("review_on", l.t("field-review-on"), "date", &input.review_on),
    ];
    with_errors(l, list, errors, &plan::REQUIRED_FIELDS)
}

fn approval_label(l: &Layout, names: &dyn Fn(Uuid) -> String, v: &PlanVersion) -> String {
    match &v.approval {
        Some(a) => l.t_args2(
            "plan-approved-by",
            ("name", names(a.approved_by)),
            ("date", crate::time_fmt::local(a.approved_at)),
        ),
        None => l.t("plan-not-approved"),
    }
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    view: app::plan::PlanView,
    input: Option<(PlanInput, FieldErrors)>,
    message: Option<String>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/plan");
    let app::plan::PlanView { initiative, versions, ethics_frame, viewer_sponsors } = view;
    let users = state.store.list_users().await?;
    let names = |id: Uuid| users.iter().find(|u| u.id == id).map(|u| u.display_name.clone()).unwrap_or_default();
    let current = versions.last();
    let gate = plan::may_run_search(current, today()).err().map(|refused| match refused {
        plan::SearchRefused::ReviewPassed { review_on } => {
            l.t1(refused.message_id(), "date", crate::time_fmt::text(l.locale, review_on))
        }
        other => l.t(other.message_id()),
    });
    let gaps = current.map(|v| plan::approval_gaps(&v.plan)).unwrap_or_default();
    let gaps = gaps.into_iter().map(|g| l.t(g.message_id())).collect();
    let may_approve = current
        .is_some_and(|v| plan::approve(v, &cu.actor(), &viewer_sponsors, time::OffsetDateTime::now_utc(), "").is_ok());
    let approved = current.and_then(|v| v.approval.as_ref().map(|_| approval_label(&l, &names, v)));
    let history = versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            author: names(v.author),
            written: crate::time_fmt::local(v.written_at),
            approval: approval_label(&l, &names, v),
        })
        .collect();
    let failed = input.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (input, errors) = match input {
        Some(given) => given,
        None => {
            let mut blank = match current {
                Some(v) => PlanInput::from_plan(&v.plan),
                None => PlanInput::default(),
            };
            // A first plan starts from the ethics frame ambassadors already accepted.
            if let Some(frame) = ethics_frame {
                blank.ethics_frame = frame;
            }
            (blank, FieldErrors::default())
        }
    };
    let areas = state.store.list_areas().await?;
    let fields = fields(&l, &areas, &input, &errors);
    let page = PlanPage {
        initiative: initiative.name,
        current: current.map(|v| v.version),
        gate,
        approved,
        gaps,
        may_approve,
        history,
        fields,
        form_error: failed.then(|| l.t("error-form-summary")),
        message,
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
    withdrawn: Option<String>,
    refused: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> AppResult<Response> {
    let view = app::plan::view(&state.app, &cu.caller("GET /plan")).await?;
    let l = Layout::new(&state, &cu.ctx, "/plan");
    // The query names only message ids and field names, never content.
    let message = match (q.saved, q.withdrawn, q.refused) {
        (_, Some(fields), _) => {
            let names: Vec<String> = fields
                .split(',')
                .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(|f| l.t(&format!("plan-{}", f.replace('_', "-"))))
                .collect();
            Some(l.t1("plan-approval-withdrawn", "fields", names.join(", ")))
        }
        (_, _, Some(key)) if key.starts_with("error-plan-") || key == "error-too-long" => Some(l.t(&key)),
        (Some(_), _, _) => Some(l.t("plan-saved")),
        _ => None,
    };
    page(&state, &cu, view, None, message).await
}

pub async fn save(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<PlanInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /plan";
    let caller = cu.caller(ORIGIN);
    let to = match app::plan::save(&state.app, &caller, &input).await {
        Ok(app::plan::Saved::Version { withdrawn, .. }) if withdrawn.is_empty() => "/plan?saved=1".to_string(),
        Ok(app::plan::Saved::Version { withdrawn, .. }) => format!("/plan?withdrawn={}", withdrawn.join(",")),
        // Another coordinator saved a version meanwhile: show hers and let this one retry.
        Ok(app::plan::Saved::Meanwhile) => "/plan".to_string(),
        Err(app::Error::Invalid(errors)) => {
            let view = app::plan::view(&state.app, &caller).await?;
            return page(&state, &cu, view, Some((input, errors)), None).await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    version: String,
    note: String,
}

pub async fn approve(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<ApproveForm>,
) -> AppResult<Response> {
    let input = app::plan::ApproveInput { version: form.version, note: form.note };
    let to = match app::plan::approve(&state.app, &cu.caller("POST /plan/approve"), &input).await? {
        Approved::Approved | Approved::Stale => "/plan".to_string(),
        Approved::Refused(refused) => format!("/plan?refused={}", refused.message_id()),
    };
    Ok(Redirect::to(&to).into_response())
}
