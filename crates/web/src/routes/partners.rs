//! The coordinator's side of word of mouth (G-7): the partner register (internal and
//! external, G-7.1–7.4), each partner's agreement (G-7.5), one-time referral links,
//! and the follow-up meetings with the guide's four questions (G-7.6), beside the
//! partner's referrals per month so that its yield over time can be seen.

use super::{FormField, Opt, render, today, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::partner::{self, AgreementInput, PartnerDetails, PartnerFollowUpInput, PartnerInput, PartnerKind};
use domain::policy::Action;
use domain::validation::FieldErrors;
use store::PartnerRecord;
use uuid::Uuid;

/// The action-level check of the pages that only read; a refusal is audited.
async fn require(state: &AppState, cu: &CurrentUser, origin: &str) -> AppResult<()> {
    Ok(app::require(&state.app, &cu.caller(origin), Action::ManagePartners).await?)
}

fn kind_label(l: &Layout, kind: PartnerKind) -> String {
    l.t(&format!("partner-kind-{}", kind.code().replace('_', "-")))
}

fn partner_fields(
    l: &Layout,
    areas: &[domain::org::Area],
    input: &PartnerInput,
    errors: &FieldErrors,
) -> Vec<FormField> {
    let kinds = PartnerKind::ALL
        .iter()
        .map(|k| {
            let group = if k.is_internal() { l.t("partner-internal") } else { l.t("partner-external") };
            Opt::new(k.code(), format!("{} ({group})", kind_label(l, *k)), input.kind == k.code())
        })
        .collect();
    let area_options =
        areas.iter().map(|a| Opt::new(a.id.to_string(), a.name.clone(), input.area_id == a.id.to_string())).collect();
    let mut contacts =
        FormField::new("contact_persons", l.t("field-contact-persons"), "textarea", &input.contact_persons);
    contacts.hint = Some(l.t("field-contact-persons-hint"));
    let fields = vec![
        FormField::new("name", l.t("field-partner-name"), "text", &input.name),
        FormField::select("kind", l.t("field-partner-kind"), kinds),
        FormField::select("area_id", l.t("field-area"), area_options),
        contacts,
        FormField::new(
            "active",
            l.t("field-partner-active"),
            "checkbox",
            if input.active.is_some() { "on" } else { "" },
        ),
    ];
    with_errors(l, fields, errors, &["name", "kind"])
}

struct PartnerRow {
    id: Uuid,
    name: String,
    kind: String,
    area: String,
    active: bool,
    review: String,
}

#[derive(Template)]
#[template(path = "partners.html")]
struct ListPage {
    l: Layout,
    rows: Vec<PartnerRow>,
    fields: Vec<FormField>,
    form_error: Option<String>,
}

async fn list_page(
    state: &AppState,
    cu: &CurrentUser,
    input: &PartnerInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/partners");
    let areas = state.store.list_areas().await?;
    let area_name = |id: Option<Uuid>| {
        id.and_then(|id| areas.iter().find(|a| a.id == id)).map(|a| a.name.clone()).unwrap_or_default()
    };
    let rows = state
        .store
        .list_partners()
        .await?
        .into_iter()
        .map(|p| PartnerRow {
            id: p.id,
            kind: kind_label(&l, p.details.kind),
            area: area_name(p.details.area_id),
            active: p.details.active,
            review: match &p.agreement {
                None => l.t("partner-no-agreement"),
                Some(a) if partner::agreement_due(a.review_on, today()) => {
                    l.t1("partner-review-due", "date", crate::time_fmt::text(l.locale, a.review_on))
                }
                Some(a) => crate::time_fmt::date(a.review_on),
            },
            name: p.details.name,
        })
        .collect();
    let fields = partner_fields(&l, &areas, input, errors);
    let form_error = (!errors.is_empty()).then(|| l.t("error-form-summary"));
    let mut r = render(&ListPage { l, rows, fields, form_error })?;
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    require(&state, &cu, "GET /partners").await?;
    let input = PartnerInput { active: Some("on".into()), ..Default::default() };
    list_page(&state, &cu, &input, &FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<PartnerInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /partners";
    match app::partners::create_partner(&state.app, &cu.caller(ORIGIN), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/partners/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => list_page(&state, &cu, &input, &errors).await,
        Err(e) => Err(e.into()),
    }
}

struct FollowUpRow {
    held_on: String,
    talked_to: u32,
    notes: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    l: Layout,
    id: Uuid,
    name: String,
    fields: Vec<FormField>,
    agreement_fields: Vec<FormField>,
    follow_up_fields: Vec<FormField>,
    follow_ups: Vec<FollowUpRow>,
    /// (month, women talked to, referrals) — the partner's yield over time.
    yield_rows: Vec<(String, u32, u32)>,
    new_link: Option<String>,
    form_error: Option<String>,
}

fn as_input(d: &PartnerDetails) -> PartnerInput {
    PartnerInput {
        name: d.name.clone(),
        kind: d.kind.code().into(),
        area_id: d.area_id.map(|a| a.to_string()).unwrap_or_default(),
        contact_persons: d.contact_persons.join("\n"),
        active: d.active.then(|| "on".to_string()),
    }
}

fn agreement_input(p: &PartnerRecord) -> AgreementInput {
    match &p.agreement {
        None => AgreementInput::default(),
        Some(a) => AgreementInput {
            guidelines: a.guidelines.clone(),
            core_task_benefit: a.core_task_benefit.clone(),
            ethics: a.ethics.clone(),
            confidentiality: a.confidentiality.clone(),
            review_on: a.review_on.to_string(),
        },
    }
}

/// What the page shows besides the forms; each form keeps its own input and errors.
#[derive(Default)]
struct Forms {
    partner: Option<(PartnerInput, FieldErrors)>,
    agreement: Option<(AgreementInput, FieldErrors)>,
    follow_up: Option<(PartnerFollowUpInput, FieldErrors)>,
    new_link: Option<String>,
}

async fn partner_page(state: &AppState, cu: &CurrentUser, id: Uuid, forms: Forms) -> AppResult<Response> {
    let Some(record) = state.store.get_partner(id).await? else {
        return Err(AppError::NotFound);
    };
    let l = Layout::new(state, &cu.ctx, "/partners");
    let areas = state.store.list_areas().await?;
    let failed = [
        forms.partner.as_ref().map(|f| !f.1.is_empty()),
        forms.agreement.as_ref().map(|f| !f.1.is_empty()),
        forms.follow_up.as_ref().map(|f| !f.1.is_empty()),
    ]
    .into_iter()
    .flatten()
    .any(|b| b);
    let (partner_in, partner_err) =
        forms.partner.unwrap_or_else(|| (as_input(&record.details), FieldErrors::default()));
    let fields = partner_fields(&l, &areas, &partner_in, &partner_err);
    let (a, a_err) = forms.agreement.unwrap_or_else(|| (agreement_input(&record), FieldErrors::default()));
    let agreement_fields = with_errors(
        &l,
        vec![
            FormField::new("guidelines", l.t("field-agreement-guidelines"), "textarea", &a.guidelines),
            FormField::new("core_task_benefit", l.t("field-agreement-core-task"), "textarea", &a.core_task_benefit),
            FormField::new("ethics", l.t("field-agreement-ethics"), "textarea", &a.ethics),
            FormField::new("confidentiality", l.t("field-agreement-confidentiality"), "textarea", &a.confidentiality),
            FormField::new("review_on", l.t("field-review-on"), "date", &a.review_on),
        ],
        &a_err,
        &["guidelines", "core_task_benefit", "ethics", "confidentiality", "review_on"],
    );
    let (f, f_err) = forms.follow_up.unwrap_or_default();
    let held_on = if f.held_on.is_empty() { today().to_string() } else { f.held_on.clone() };
    let follow_up_fields = with_errors(
        &l,
        vec![
            FormField::new("held_on", l.t("field-held-on"), "date", held_on),
            FormField::new("women_talked_to", l.t("field-women-talked-to"), "text", &f.women_talked_to),
            FormField::new("talked_to_note", l.t("field-talked-to-note"), "textarea", &f.talked_to_note),
            FormField::new("presentation_note", l.t("field-presentation-note"), "textarea", &f.presentation_note),
            FormField::new("how_often_note", l.t("field-how-often-note"), "textarea", &f.how_often_note),
            FormField::new("support_note", l.t("field-support-note"), "textarea", &f.support_note),
        ],
        &f_err,
        &["held_on", "women_talked_to"],
    );
    let follow_up_records = state.store.list_partner_follow_ups(id).await?;
    let meetings: Vec<_> = follow_up_records.iter().map(|r| r.follow_up.clone()).collect();
    let talked = partner::talked_to_per_month(&meetings);
    let referred = state.store.referrals_per_month(id).await?;
    let yield_rows = partner::yield_by_month(&talked, &referred)
        .into_iter()
        .map(|(y, m, t, r)| (format!("{y}-{:02}", u8::from(m)), t, r))
        .collect();
    let follow_ups = follow_up_records
        .into_iter()
        .map(|r| {
            let f = r.follow_up;
            FollowUpRow {
                held_on: crate::time_fmt::date(f.held_on),
                talked_to: f.women_talked_to,
                notes: vec![
                    (l.t("field-talked-to-note"), f.talked_to_note),
                    (l.t("field-presentation-note"), f.presentation_note),
                    (l.t("field-how-often-note"), f.how_often_note),
                    (l.t("field-support-note"), f.support_note),
                ]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            }
        })
        .collect();
    let page = PartnerPage {
        id,
        name: record.details.name,
        fields,
        agreement_fields,
        follow_up_fields,
        follow_ups,
        yield_rows,
        new_link: forms.new_link,
        form_error: failed.then(|| l.t("error-form-summary")),
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    require(&state, &cu, "GET /partners/{id}").await?;
    partner_page(&state, &cu, id, Forms::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<PartnerInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /partners/{id}";
    match app::partners::update_partner(&state.app, &cu.caller(ORIGIN), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/partners/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            partner_page(&state, &cu, id, Forms { partner: Some((input, errors)), ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_agreement(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<AgreementInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /partners/{id}/agreement";
    match app::partners::save_agreement(&state.app, &cu.caller(ORIGIN), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/partners/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            partner_page(&state, &cu, id, Forms { agreement: Some((input, errors)), ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn record_follow_up(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(input): CsrfForm<PartnerFollowUpInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /partners/{id}/follow-ups";
    match app::partners::record_follow_up(&state.app, &cu.caller(ORIGIN), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/partners/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            partner_page(&state, &cu, id, Forms { follow_up: Some((input, errors)), ..Default::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NoFields {}

/// A one-time link the coordinator sends the partner: no account needed (issue 5).
/// The token is shown once, here; only its hash is stored.
pub async fn create_link(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /partners/{id}/links";
    let token = app::partners::create_link(&state.app, &cu.caller(ORIGIN), id).await?;
    let address = format!("{}/r/{token}", state.config.public_base_url.trim_end_matches('/'));
    partner_page(&state, &cu, id, Forms { new_link: Some(address), ..Default::default() }).await
}
