//! The person form: entering a woman by hand and editing her record. The work is
//! `app::people`'s; here the form is parsed, the use case called and the page rendered.

use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::routes::{FormField, Opt, country_label, render};
use crate::session::{CsrfForms, CurrentUser};
use app::people::{Created, EntryInput};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::funnel::Channel;
use domain::person::{DanishLevel, Education, Network, PersonInput, WorkExperience};
use domain::reference::MotivationFactor;
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    l: Layout,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<FormField>,
    form_error: Option<String>,
    /// The version of her record the edit form was read at (issue 13, item 11).
    version: Option<i64>,
    /// A stale save: each field where the form and her record now differ, as
    /// (label, yours, now).
    stale: Vec<(String, String, String)>,
}

/// The edit form's own field besides hers.
#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

/// Besides her fields, a new person's form says how she came and to which initiative.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    initiative: String,
    channel: String,
}

fn select(name: &'static str, label: String, options: Vec<Opt>) -> FormField {
    let mut f = FormField::new(name, label, "select", "");
    f.options = options;
    f
}

fn coded<T: Copy>(l: &Layout, all: &[T], code: fn(T) -> &'static str, prefix: &str, current: &str) -> Vec<Opt> {
    all.iter().map(|v| Opt::new(code(*v), l.t(&format!("{prefix}-{}", code(*v))), code(*v) == current)).collect()
}

async fn person_fields(
    state: &AppState,
    l: &Layout,
    input: &PersonInput,
    errors: &FieldErrors,
    show_safety_note: bool,
    new: Option<(&str, &str)>,
) -> AppResult<Vec<FormField>> {
    let mut fields = Vec::new();
    if let Some((initiative, channel)) = new {
        let initiatives = state.store.list_initiatives().await?;
        let mut f = select(
            "initiative",
            l.t("field-initiative"),
            initiatives
                .iter()
                .map(|i| Opt::new(i.id.to_string(), i.name.clone(), i.id.to_string() == initiative))
                .collect(),
        );
        f.required = true;
        fields.push(f);
        let channels = [Channel::Phone, Channel::InPerson, Channel::SelfReferral, Channel::Other];
        let mut f = select(
            "channel",
            l.t("field-channel"),
            channels
                .iter()
                .map(|c| {
                    Opt::new(c.code(), l.t(&format!("channel-{}", c.code().replace('_', "-"))), c.code() == channel)
                })
                .collect(),
        );
        f.hint = Some(l.t("field-channel-hint"));
        fields.push(f);
    }
    let text = |name: &'static str, label: &str, value: &str| FormField::new(name, l.t(label), "text", value);
    let mut given = text("given_name", "field-given-name", &input.given_name);
    given.required = true;
    fields.push(given);
    fields.push(text("family_name", "field-family-name", &input.family_name));
    let mut cpr = text("cpr", "field-cpr", &input.cpr);
    cpr.hint = Some(l.t("field-cpr-hint"));
    fields.push(cpr);
    let mut birth = FormField::new("birth_date", l.t("field-birth-date"), "date", input.birth_date.clone());
    birth.hint = Some(l.t("field-date-hint"));
    fields.push(birth);
    fields.push(FormField::new("phone", l.t("field-phone"), "tel", input.phone.clone()));
    fields.push(FormField::new(
        "phone_is_hers_alone",
        l.t("field-phone-hers-alone"),
        "checkbox",
        if input.phone_is_hers_alone.is_some() { "on" } else { "" },
    ));
    fields.push(text("street", "field-street", &input.street));
    fields.push(text("postcode", "field-postcode", &input.postcode));
    fields.push(text("city", "field-city", &input.city));
    let areas = state.store.list_areas().await?;
    fields.push(select(
        "area_id",
        l.t("field-area"),
        areas.iter().map(|a| Opt::new(a.id.to_string(), a.name.clone(), a.id.to_string() == input.area_id)).collect(),
    ));
    fields.push(super::super::languages_field(l, "languages", &input.languages));
    fields.push(text("dialect", "field-dialect", &input.dialect));
    let mut countries: Vec<Opt> = domain::reference::countries()
        .iter()
        .map(|c| Opt::new(c.code, country_label(l.locale, c.code), c.code == input.country_of_origin.to_uppercase()))
        .collect();
    countries.sort_by(|a, b| a.label.cmp(&b.label));
    fields.push(select("country_of_origin", l.t("field-country"), countries));
    fields.push(FormField::new("arrived_in_denmark", l.t("field-arrived"), "date", input.arrived_in_denmark.clone()));
    fields.push(select(
        "education",
        l.t("field-education"),
        coded(l, &Education::ALL, Education::code, "education", &input.education),
    ));
    fields.push(select(
        "work_experience",
        l.t("field-work-experience"),
        coded(l, &WorkExperience::ALL, WorkExperience::code, "work", &input.work_experience),
    ));
    fields.push(select(
        "network",
        l.t("field-network"),
        coded(l, &Network::ALL, Network::code, "network", &input.network),
    ));
    fields.push(select(
        "danish_level",
        l.t("field-danish-level"),
        coded(l, &DanishLevel::ALL, DanishLevel::code, "danish", &input.danish_level),
    ));
    let mut motivation = FormField::new("motivation", l.t("field-motivation"), "checkboxes", "");
    motivation.options = MotivationFactor::ALL
        .iter()
        .map(|f| {
            Opt::new(
                f.code(),
                format!("{} ({})", l.t(&format!("motivation-{}", f.code().replace('_', "-"))), f.guide_id()),
                input.motivation.iter().any(|m| m == f.code()),
            )
        })
        .collect();
    fields.push(motivation);
    fields.push(FormField::new(
        "motivation_note",
        l.t("field-motivation-note"),
        "textarea",
        input.motivation_note.clone(),
    ));
    fields.push(FormField::new(
        "interpreter_needed",
        l.t("field-interpreter-needed"),
        "checkbox",
        if input.interpreter_needed.is_some() { "on" } else { "" },
    ));
    fields.push(FormField::new(
        "digital_post_exempt",
        l.t("field-digital-post-exempt"),
        "checkbox",
        if input.digital_post_exempt.is_some() { "on" } else { "" },
    ));
    let mut safe = FormField::new(
        "safe_contact_only",
        l.t("safe-contact-only"),
        "checkbox",
        if input.safe_contact_only.is_some() { "on" } else { "" },
    );
    safe.hint = Some(l.t("safe-contact-explained"));
    fields.push(safe);
    if show_safety_note {
        fields.push(FormField::new("safety_note", l.t("field-safety-note"), "textarea", input.safety_note.clone()));
    }
    for f in &mut fields {
        if let Some(key) = errors.for_field(f.name) {
            f.error = Some(l.t(key));
        }
    }
    Ok(fields)
}

pub async fn new_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    app::require(&state.app, &cu.caller("GET /people/new"), domain::policy::Action::CreatePerson).await?;
    new_page(
        &state,
        &cu,
        &PersonInput::default(),
        &EntryForm { channel: "phone".into(), ..Default::default() },
        &FieldErrors::default(),
        None,
    )
    .await
}

/// The new person's form, fresh or with what was refused (422).
async fn new_page(
    state: &AppState,
    cu: &CurrentUser,
    person: &PersonInput,
    entry: &EntryForm,
    errors: &FieldErrors,
    form_error: Option<&str>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/people/new");
    let fields = person_fields(state, &l, person, errors, true, Some((&entry.initiative, &entry.channel))).await?;
    let form_error = form_error.map(|key| l.t(key));
    let status = if form_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&PersonFormPage {
        title: l.t("person-new-title"),
        action: "/people/new".into(),
        cancel: "/people".into(),
        fields,
        form_error,
        version: None,
        stale: Vec::new(),
        l,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForms(person, entry): CsrfForms<PersonInput, EntryForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/new");
    let input = EntryInput { initiative: entry.initiative.clone(), channel: entry.channel.clone() };
    match app::people::create(&state.app, &caller, &person, &input).await {
        Ok(Created::Person(id)) => Ok(super::Done::Created.to(id).into_response()),
        Ok(Created::OnDoNotContact) => {
            new_page(&state, &cu, &person, &entry, &FieldErrors::default(), Some("error-do-not-contact")).await
        }
        Err(app::Error::Invalid(errors)) => {
            new_page(&state, &cu, &person, &entry, &errors, Some("error-form-summary")).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The edit form, fresh, with the errors of a refused save, or again after a stale
/// save with what changed meanwhile.
async fn edit_page(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
    form: &app::people::EditForm,
    errors: &FieldErrors,
    differences: &[app::people::Difference],
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/people");
    let mut fields = person_fields(state, &l, &form.input, errors, form.show_safety_note, None).await?;
    if let Some(cpr) = fields.iter_mut().find(|f| f.name == "cpr") {
        cpr.hint = Some(match &form.cpr_masked {
            Some(masked) => l.t1("field-cpr-edit-hint", "cpr", masked),
            None => l.t("field-cpr-hint"),
        });
    }
    let stale: Vec<(String, String, String)> = differences
        .iter()
        .map(|d| {
            let label = fields.iter().find(|f| f.name == d.field).map(|f| f.label.clone()).unwrap_or_default();
            let shown = |v: &str| match v {
                "on" => l.t("yes"),
                "" => "—".to_string(),
                v => v.to_string(),
            };
            (label, shown(&d.yours), shown(&d.now))
        })
        .collect();
    let form_error = if !stale.is_empty() {
        Some(l.t("person-changed-meanwhile"))
    } else {
        (!errors.is_empty()).then(|| l.t("error-form-summary"))
    };
    let status = if !stale.is_empty() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PersonFormPage {
        title: l.t("person-edit"),
        action: format!("/people/{id}/edit"),
        cancel: format!("/people/{id}"),
        fields,
        form_error,
        version: Some(form.version),
        stale,
        l,
    };
    let mut r = render(&page)?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn edit_form(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    let form = app::people::edit_form(&state.app, &cu.caller("GET /people/{id}/edit"), id).await?;
    edit_page(&state, &cu, id, &form, &FieldErrors::default(), &[]).await
}

pub async fn update(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForms(input, version): CsrfForms<PersonInput, VersionForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /people/{id}/edit");
    match app::people::update(&state.app, &caller, id, version.version, &input).await {
        Ok(app::people::Saved::Done) => Ok(super::Done::Saved.to(id).into_response()),
        Ok(app::people::Saved::Stale(stale)) => {
            edit_page(&state, &cu, id, &stale.form, &FieldErrors::default(), &stale.differences).await
        }
        Err(app::Error::Invalid(errors)) => {
            let show_safety_note = app::people::shows_safety_note(&state.app, &caller, id).await?;
            // The typed CPR is not shown again; the version stays the one read.
            let form = app::people::EditForm {
                input: PersonInput { cpr: String::new(), ..input },
                show_safety_note,
                version: version.version,
                cpr_masked: None,
            };
            edit_page(&state, &cu, id, &form, &errors, &[]).await
        }
        Err(e) => Err(e.into()),
    }
}
