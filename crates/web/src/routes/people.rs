//! The people list: search and filters are POSTed and kept in the session, so no
//! name, phone or CPR ever appears in a URL; only the page number does. The list and
//! its audit entry are `app::people::list`'s.

use super::{Opt, language_label, render, stage_label};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::people::{ListInput, PeopleSearch, SessionData};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::PhoneNumber;
use domain::funnel::Stage;
use domain::person::SourceKind;
use domain::policy::{self, Field, ListFilter, Reach};
use serde::Deserialize;
use uuid::Uuid;

/// The session's remembered searches, read from this login's session.
pub fn session_data(cu: &CurrentUser) -> SessionData {
    SessionData::of(&cu.session.data)
}

/// Remembers the searches in this login's session.
pub async fn keep(state: &AppState, cu: &CurrentUser, data: &SessionData) -> AppResult<()> {
    Ok(app::people::keep(&state.app, &cu.session.token_hash, data).await?)
}

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub area: String,
    pub language: String,
    pub stage: String,
    pub safe_contact_only: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    l: Layout,
    filter: PeopleSearch,
    initiatives: Vec<Opt>,
    stages: Vec<Opt>,
    sources: Vec<Opt>,
    areas: Vec<Opt>,
    languages: Vec<Opt>,
    show_phone: bool,
    show_cpr: bool,
    /// The filters her role may use (issue 13, item 1): stage, source, area, language.
    filter_stage: bool,
    filter_source: bool,
    filter_area: bool,
    filter_language: bool,
    /// Area, language and stage; roles without them see the next step only.
    show_details: bool,
    phone_error: Option<&'static str>,
    cpr_error: Option<&'static str>,
    rows: Vec<Row>,
    total: u64,
    capped: bool,
    page: u32,
    page_count: u32,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<u32>,
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let search = session_data(&cu).people;
    let input = ListInput { search: search.clone(), page: q.page, page_size: state.config.page_size };
    let list = app::people::list(&state.app, &cu.caller("GET /people"), &input).await?;
    let role = cu.user.role;
    let l = Layout::new(&state, &cu.ctx, "/people");
    let show_phone = policy::may_filter(role, ListFilter::Phone);
    let show_cpr = policy::may_filter(role, ListFilter::Cpr);
    let full_name = policy::field_reach(role, Field::FullName) != Reach::No;
    // An ambassador sees her women's next step, a partner nothing of their case here
    // (its referral page shows a coarse status, and only with her consent).
    let show_details = policy::field_reach(role, Field::Timeline) != Reach::No;
    let show_next_step = policy::field_reach(role, Field::NextStep) != Reach::No;
    let (rows, total, capped, page, page_count) = match &list.result {
        Some(result) => {
            let rows = result
                .rows
                .iter()
                .map(|r| Row {
                    id: r.id,
                    name: if full_name && !r.family_name.is_empty() {
                        format!("{} {}", r.given_name, r.family_name)
                    } else {
                        r.given_name.clone()
                    },
                    phone: r.phone.as_ref().map(PhoneNumber::display).unwrap_or_default(),
                    area: r.area_name.clone().unwrap_or_default(),
                    language: r.first_language.as_deref().map(|c| language_label(l.locale, c)).unwrap_or_default(),
                    stage: match r.stage {
                        Some(s) if show_details => stage_label(&l, s),
                        Some(s) if show_next_step => l.t(domain::funnel::next_step(s)),
                        _ => String::new(),
                    },
                    safe_contact_only: r.safe_contact_only,
                })
                .collect();
            (rows, result.total, result.capped, result.page, result.page_count())
        }
        None => (Vec::new(), 0, false, 1, 1),
    };

    let areas = state.store.list_areas().await?;
    let page = PeoplePage {
        initiatives: list
            .initiatives
            .iter()
            .map(|i| Opt::new(i.id.to_string(), i.name.clone(), Some(i.id) == list.selected))
            .collect(),
        stages: Stage::ALL.iter().map(|s| Opt::new(s.code(), stage_label(&l, *s), search.stage == s.code())).collect(),
        sources: SourceKind::ALL
            .iter()
            .map(|s| {
                Opt::new(s.code(), l.t(&format!("source-{}", s.code().replace('_', "-"))), search.source == s.code())
            })
            .collect(),
        areas: areas
            .iter()
            .map(|a| Opt::new(a.id.to_string(), a.name.clone(), search.area == a.id.to_string()))
            .collect(),
        languages: super::language_options(l.locale, &search.language),
        filter: search,
        show_phone,
        show_cpr,
        filter_stage: policy::may_filter(role, ListFilter::Stage),
        filter_source: policy::may_filter(role, ListFilter::Source),
        filter_area: policy::may_filter(role, ListFilter::Area),
        filter_language: policy::may_filter(role, ListFilter::Language),
        show_details,
        phone_error: list.phone_error,
        cpr_error: list.cpr_error,
        rows,
        total,
        capped,
        page,
        page_count,
        l,
    };
    render(&page)
}

pub async fn search(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<PeopleSearch>,
) -> AppResult<Response> {
    let mut data = session_data(&cu);
    data.people = app::people::search(&state.app, &cu.caller("POST /people/search"), &data.people, form).await?;
    keep(&state, &cu, &data).await?;
    Ok(Redirect::to("/people").into_response())
}
