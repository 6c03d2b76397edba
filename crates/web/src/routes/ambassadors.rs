//! The coordinator's side of street work (G-6): ambassadors' profiles and records,
//! their follow-up meetings, the initiative's ethics frame, and where the target group
//! lives and ambassadors work.

use super::{FormField, Opt, render, today, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ambassador::{
    self, AmbassadorBackground, AmbassadorProfile, Employment, FollowUpInput, FollowUpTopic, ProfileInput,
    TrainingTopic,
};
use domain::policy::Action;
use domain::validation::FieldErrors;
use serde::Deserialize;
use store::EthicsFrame;
use uuid::Uuid;

/// The action-level check of the coordinator's pages; a refusal is audited.
async fn require(state: &AppState, cu: &CurrentUser, action: Action, origin: &str) -> AppResult<()> {
    Ok(app::require(&state.app, &cu.caller(origin), action).await?)
}

fn label(l: &Layout, prefix: &str, code: &str) -> String {
    l.t(&format!("{prefix}-{}", code.replace('_', "-")))
}

struct AmbassadorRow {
    id: Uuid,
    name: String,
    employment: String,
    areas: String,
    confidentiality: String,
    ethics: String,
    training: String,
    may_work: bool,
}

#[derive(Template)]
#[template(path = "ambassadors.html")]
struct ListPage {
    l: Layout,
    rows: Vec<AmbassadorRow>,
    frame: Option<EthicsFrame>,
}

/// The current initiative's frame as (initiative, version), as the gate wants it.
pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    require(&state, &cu, Action::ManageAmbassadors, "GET /ambassadors").await?;
    let l = Layout::new(&state, &cu.ctx, "/ambassadors");
    let areas = state.store.list_areas().await?;
    let frame = super::current_ethics_frame(&state).await?;
    let missing = l.t("missing");
    let rows = state
        .store
        .list_ambassadors()
        .await?
        .into_iter()
        .map(|(user, profile)| {
            let may_work =
                ambassador::may_do_field_work(profile.as_ref(), frame.as_ref().map(|f| (f.initiative_id, f.version)))
                    .is_ok();
            let (employment, area_names, confidentiality, ethics, training) = match &profile {
                None => (missing.clone(), String::new(), missing.clone(), missing.clone(), String::new()),
                Some(p) => (
                    label(&l, "employment", p.details.employment.code()),
                    p.details
                        .area_ids
                        .iter()
                        .filter_map(|id| areas.iter().find(|a| a.id == *id).map(|a| a.name.clone()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.details.confidentiality_signed_on.map(|d| d.to_string()).unwrap_or_else(|| missing.clone()),
                    p.ethics_accepted
                        .as_ref()
                        .map(|e| format!("{} ({})", e.accepted_on, l.t1("ethics-version", "version", e.version)))
                        .unwrap_or_else(|| missing.clone()),
                    format!("{}/{}", p.details.training_done.len(), TrainingTopic::ALL.len()),
                ),
            };
            AmbassadorRow {
                id: user.id,
                name: user.display_name,
                employment,
                areas: area_names,
                confidentiality,
                ethics,
                training,
                may_work,
            }
        })
        .collect();
    render(&ListPage { l, rows, frame })
}

struct FollowUpRow {
    held_on: String,
    topics: String,
    notes: String,
    actions: String,
    hours: String,
}

#[derive(Template)]
#[template(path = "ambassador.html")]
struct ProfilePage {
    l: Layout,
    id: Uuid,
    name: String,
    fields: Vec<FormField>,
    follow_up_fields: Vec<FormField>,
    follow_ups: Vec<FollowUpRow>,
    form_error: Option<String>,
    follow_up_error: Option<String>,
}

fn as_input(p: &AmbassadorProfile) -> ProfileInput {
    let d = &p.details;
    ProfileInput {
        employment: d.employment.code().into(),
        languages: domain::reference::language_names_da(d.languages.iter().map(String::as_str)),
        expected_hours_per_week: d.expected_hours_per_week.map(|h| h.to_string()).unwrap_or_default(),
        background: d.background.code().into(),
        job_experience: d.assessment.job_experience.clone(),
        relational_skills: d.assessment.relational_skills.clone(),
        availability: d.assessment.availability.clone(),
        local_position: d.assessment.local_position.clone(),
        confidentiality_signed_on: d.confidentiality_signed_on.map(|d| d.to_string()).unwrap_or_default(),
        area_ids: d.area_ids.iter().map(Uuid::to_string).collect(),
        training_done: d.training_done.iter().map(|t| t.code().to_string()).collect(),
    }
}

async fn profile_page(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    input: &ProfileInput,
    errors: &FieldErrors,
    follow_up: &FollowUpInput,
    follow_up_errors: &FieldErrors,
) -> AppResult<Response> {
    let user = app::ambassadors::ambassador(&state.app, id).await?;
    let l = Layout::new(state, &cu.ctx, "/ambassadors");
    let areas = state.store.list_areas().await?;
    let fields = vec![
        FormField::select(
            "employment",
            l.t("field-employment"),
            Employment::ALL
                .iter()
                .map(|e| Opt::new(e.code(), label(&l, "employment", e.code()), input.employment == e.code()))
                .collect(),
        ),
        FormField::select(
            "background",
            l.t("field-ambassador-background"),
            AmbassadorBackground::ALL
                .iter()
                .map(|b| Opt::new(b.code(), label(&l, "ambassador-background", b.code()), input.background == b.code()))
                .collect(),
        ),
        super::languages_field(&l, "languages", &input.languages),
        FormField::checkboxes(
            "area_ids",
            l.t("field-areas"),
            areas
                .iter()
                .map(|a| Opt::new(a.id.to_string(), a.name.clone(), input.area_ids.contains(&a.id.to_string())))
                .collect(),
        ),
        FormField::new(
            "expected_hours_per_week",
            l.t("field-expected-hours"),
            "text",
            input.expected_hours_per_week.clone(),
        ),
        FormField::new("job_experience", l.t("field-job-experience"), "textarea", input.job_experience.clone()),
        FormField::new(
            "relational_skills",
            l.t("field-relational-skills"),
            "textarea",
            input.relational_skills.clone(),
        ),
        FormField::new("availability", l.t("field-availability"), "textarea", input.availability.clone()),
        FormField::new("local_position", l.t("field-local-position"), "textarea", input.local_position.clone()),
        FormField::checkboxes(
            "training_done",
            l.t("field-training-done"),
            TrainingTopic::ALL
                .iter()
                .map(|tt| {
                    Opt::new(
                        tt.code(),
                        label(&l, "training-topic", tt.code()),
                        input.training_done.iter().any(|c| c == tt.code()),
                    )
                })
                .collect(),
        ),
        FormField::new(
            "confidentiality_signed_on",
            l.t("field-confidentiality-signed-on"),
            "date",
            input.confidentiality_signed_on.clone(),
        ),
    ];
    let fields = with_errors(&l, fields, errors, &["employment", "background", "languages"]);
    let held_on = if follow_up.held_on.is_empty() { today().to_string() } else { follow_up.held_on.clone() };
    let follow_up_fields = vec![
        FormField::new("held_on", l.t("field-held-on"), "date", held_on),
        FormField::checkboxes(
            "topics_covered",
            l.t("field-follow-up-topics"),
            FollowUpTopic::ALL
                .iter()
                .map(|ft| {
                    Opt::new(
                        ft.code(),
                        label(&l, "follow-up-topic", ft.code()),
                        follow_up.topics_covered.iter().any(|c| c == ft.code()),
                    )
                })
                .collect(),
        ),
        FormField::new("notes", l.t("field-notes"), "textarea", follow_up.notes.clone()),
        FormField::new("agreed_actions", l.t("field-agreed-actions"), "textarea", follow_up.agreed_actions.clone()),
        FormField::new("hours", l.t("field-hours-logged"), "text", follow_up.hours.clone()),
    ];
    let follow_up_fields = with_errors(&l, follow_up_fields, follow_up_errors, &["held_on"]);
    let follow_ups = state
        .store
        .list_ambassador_follow_ups(Some(id))
        .await?
        .into_iter()
        .map(|r| {
            let f = r.follow_up;
            FollowUpRow {
                held_on: crate::time_fmt::date(f.held_on),
                topics: f
                    .topics_covered
                    .iter()
                    .map(|t| label(&l, "follow-up-topic", t.code()))
                    .collect::<Vec<_>>()
                    .join(", "),
                notes: f.notes,
                actions: f.agreed_actions,
                hours: format!("{}:{:02}", f.minutes_worked / 60, f.minutes_worked % 60),
            }
        })
        .collect();
    let failed = !errors.is_empty() || !follow_up_errors.is_empty();
    let page = ProfilePage {
        id,
        name: user.display_name,
        fields,
        follow_up_fields,
        follow_ups,
        form_error: (!errors.is_empty()).then(|| l.t("error-form-summary")),
        follow_up_error: (!follow_up_errors.is_empty()).then(|| l.t("error-form-summary")),
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    require(&state, &cu, Action::ManageAmbassadors, "GET /ambassadors/{id}").await?;
    let input = state.store.ambassador_profile(id).await?.map(|p| as_input(&p)).unwrap_or_default();
    profile_page(&state, &cu, id, &input, &FieldErrors::default(), &FollowUpInput::default(), &FieldErrors::default())
        .await
}

pub async fn save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<ProfileInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /ambassadors/{id}";
    match app::ambassadors::save_profile(&state.app, &cu.caller(ORIGIN), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/ambassadors/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            profile_page(&state, &cu, id, &input, &errors, &FollowUpInput::default(), &FieldErrors::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn record_follow_up(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<FollowUpInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /ambassadors/{id}/follow-ups";
    match app::ambassadors::record_follow_up(&state.app, &cu.caller(ORIGIN), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/ambassadors/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let profile = state.store.ambassador_profile(id).await?.map(|p| as_input(&p)).unwrap_or_default();
            profile_page(&state, &cu, id, &profile, &FieldErrors::default(), &input, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "ethics_frame.html")]
struct FramePage {
    l: Layout,
    initiative: String,
    text: String,
    version: u32,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FrameForm {
    text: String,
}

pub async fn frame_page(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    require(&state, &cu, Action::EditPlan, "GET /plan/ethics").await?;
    let l = Layout::new(&state, &cu.ctx, "/plan/ethics");
    let Some(initiative) = super::current_initiative(&state).await? else {
        return Err(AppError::NotFound);
    };
    let frame = state.store.ethics_frame(initiative.id).await?;
    let (text, version) = frame.map(|f| (f.text, f.version)).unwrap_or_default();
    render(&FramePage { l, initiative: initiative.name, text, version, error: None })
}

pub async fn save_frame(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<FrameForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /plan/ethics";
    let errors = match app::ambassadors::set_ethics_frame(&state.app, &cu.caller(ORIGIN), &form.text).await {
        Ok(_) => return Ok(Redirect::to("/plan/ethics").into_response()),
        Err(app::Error::Invalid(errors)) => errors,
        Err(e) => return Err(e.into()),
    };
    let Some(initiative) = super::current_initiative(&state).await? else {
        return Err(AppError::NotFound);
    };
    let l = Layout::new(&state, &cu.ctx, "/plan/ethics");
    let version = state.store.ethics_frame(initiative.id).await?.map(|f| f.version).unwrap_or_default();
    let error = errors.for_field("text").map(|key| l.t(key));
    let page = FramePage { error, l, initiative: initiative.name, text: form.text, version };
    let mut r = render(&page)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

struct AreaRow {
    name: String,
    postcodes: String,
    known_women: u64,
    ambassadors: String,
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    l: Layout,
    rows: Vec<AreaRow>,
}

/// G-6.2: where the target group lives and where ambassadors work now, so the
/// coordinator can choose areas. Counts only; coordinators see them unsuppressed.
pub async fn areas(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    require(&state, &cu, Action::ViewAreas, "GET /areas").await?;
    let l = Layout::new(&state, &cu.ctx, "/areas");
    let rows = state
        .store
        .area_overview()
        .await?
        .into_iter()
        .map(|a| AreaRow {
            name: a.area.name,
            postcodes: a.area.postcodes.join(", "),
            known_women: a.known_women,
            ambassadors: a.ambassadors.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join(", "),
        })
        .collect();
    render(&AreasPage { l, rows })
}
