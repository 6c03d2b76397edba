//! Intro meetings: coordinators and caseworkers plan them; ambassadors see the ones
//! ahead on their phone page, to invite the women they know (issue 5).

use super::{FormField, Opt, language_label, render, today, with_errors};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::meeting::{IntroMeeting, IntroMeetingInput};
use domain::org::{Area, Locale};
use domain::policy::Action;
use domain::validation::FieldErrors;

/// A meeting as every page shows it.
pub struct MeetingView {
    pub when: String,
    pub place: String,
    pub area: String,
    pub languages: String,
    pub spouse_welcome: bool,
    pub capacity: Option<u32>,
    pub note: String,
}

pub fn view(locale: Locale, areas: &[Area], m: &IntroMeeting) -> MeetingView {
    MeetingView {
        when: format!("{} {:02}.{:02}", crate::time_fmt::date(m.date), m.time.hour(), m.time.minute()),
        place: m.place.clone(),
        area: m.area_id.and_then(|id| areas.iter().find(|a| a.id == id)).map(|a| a.name.clone()).unwrap_or_default(),
        languages: m.languages.iter().map(|c| language_label(locale, c)).collect::<Vec<_>>().join(", "),
        spouse_welcome: m.spouse_welcome,
        capacity: m.capacity,
        note: m.note.clone(),
    }
}

/// The meetings ahead in the current (newest) initiative.
pub async fn upcoming(state: &AppState, locale: Locale) -> AppResult<Vec<MeetingView>> {
    let Some(initiative) = super::current_initiative(state).await? else {
        return Ok(Vec::new());
    };
    let areas = state.store.list_areas().await?;
    let meetings = state.store.upcoming_intro_meetings(initiative.id, today()).await?;
    Ok(meetings.iter().map(|r| view(locale, &areas, &r.meeting)).collect())
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    l: Layout,
    meetings: Vec<MeetingView>,
    fields: Vec<FormField>,
    form_error: Option<String>,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    input: &IntroMeetingInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/meetings");
    let areas = state.store.list_areas().await?;
    let area_options =
        areas.iter().map(|a| Opt::new(a.id.to_string(), a.name.clone(), input.area_id == a.id.to_string())).collect();
    let mut languages = FormField::new("languages", l.t("field-languages"), "text", &input.languages);
    languages.hint = Some(l.t("meeting-languages-hint"));
    let fields = vec![
        FormField::new("date", l.t("field-date"), "date", &input.date),
        FormField::new("time", l.t("field-time"), "text", &input.time),
        FormField::new("place", l.t("field-place"), "text", &input.place),
        FormField::select("area_id", l.t("field-area"), area_options),
        languages,
        FormField::new(
            "spouse_welcome",
            l.t("field-spouse-welcome"),
            "checkbox",
            if input.spouse_welcome.is_some() { "on" } else { "" },
        ),
        FormField::new("capacity", l.t("field-capacity"), "text", &input.capacity),
        FormField::new("note", l.t("field-notes"), "textarea", &input.note),
    ];
    let fields = with_errors(&l, fields, errors, &["date", "time", "place", "languages"]);
    let meetings = upcoming(state, l.locale).await?;
    let form_error = (!errors.is_empty()).then(|| l.t("error-form-summary"));
    let mut r = render(&MeetingsPage { l, meetings, fields, form_error })?;
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    app::require(&state.app, &cu.caller("GET /meetings"), Action::PlanMeetings).await?;
    page(&state, &cu, &IntroMeetingInput::default(), &FieldErrors::default()).await
}

pub async fn plan(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<IntroMeetingInput>,
) -> AppResult<Response> {
    match app::meetings::plan(&state.app, &cu.caller("POST /meetings"), &input).await {
        Ok(_) => Ok(Redirect::to("/meetings").into_response()),
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &input, &errors).await,
        Err(e) => Err(e.into()),
    }
}
