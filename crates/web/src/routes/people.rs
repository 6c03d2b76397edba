//! The people list: search and filters are POSTed and kept in the session, so no
//! name, phone or CPR ever appears in a URL; only the page number does.

use super::{Opt, deny, language_label, render, stage_label};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditAction;
use domain::funnel::Stage;
use domain::person::SourceKind;
use domain::policy::{self, Action, Field, Reach};
use domain::{Cpr, PhoneNumber};
use serde::{Deserialize, Serialize};
use store::{PeopleFilter, PeopleQuery, Store};
use uuid::Uuid;

/// The search as typed, kept server-side between requests.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeopleSearch {
    pub initiative: String,
    pub name: String,
    pub phone: String,
    pub cpr: String,
    pub stage: String,
    pub source: String,
    pub area: String,
    pub language: String,
    pub clear: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionData {
    pub people: PeopleSearch,
    pub audit_person: String,
    pub audit_user: String,
}

impl SessionData {
    pub fn of(cu: &CurrentUser) -> SessionData {
        serde_json::from_str(&cu.session.data).unwrap_or_default()
    }

    pub async fn save(&self, state: &AppState, cu: &CurrentUser) -> AppResult<()> {
        let json = serde_json::to_string(self).map_err(|e| AppError::Internal(e.to_string()))?;
        state.store.set_session_data(&cu.session.token_hash, &json).await?;
        Ok(())
    }
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
    let actor = cu.actor();
    if !policy::may(&actor, Action::ListPeople, None) {
        return Err(deny(&state, &cu, "GET /people", None, AppError::Forbidden).await);
    }
    let l = Layout::new(&state, &cu.ctx, "/people");
    let search = SessionData::of(&cu).people;
    let initiatives = state.store.list_initiatives().await?;
    let selected = initiatives
        .iter()
        .find(|i| i.id.to_string() == search.initiative)
        .or_else(|| initiatives.first())
        .map(|i| i.id);
    let show_phone = policy::field_reach(actor.role, Field::Phone) != Reach::No;
    let show_cpr = policy::field_reach(actor.role, Field::FullCpr) != Reach::No;
    let full_name = policy::field_reach(actor.role, Field::FullName) != Reach::No;
    // An ambassador sees her women's next step, a partner nothing of their case here
    // (its referral page shows a coarse status, and only with her consent).
    let show_details = policy::field_reach(actor.role, Field::Timeline) != Reach::No;
    let show_next_step = policy::field_reach(actor.role, Field::NextStep) != Reach::No;

    let mut filter = PeopleFilter::default();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    filter.name = text(&search.name);
    let mut phone_error = None;
    if show_phone && let Some(p) = text(&search.phone) {
        match PhoneNumber::parse(&p) {
            Ok(p) => filter.phone = Some(p),
            Err(_) => phone_error = Some("error-phone"),
        }
    }
    let mut cpr_error = None;
    if show_cpr && let Some(c) = text(&search.cpr) {
        match Cpr::parse(&c) {
            Ok(c) => filter.cpr = Some(c),
            Err(_) => cpr_error = Some("error-cpr-format"),
        }
    }
    filter.stage = Stage::from_code(&search.stage);
    filter.source = SourceKind::from_code(&search.source);
    filter.area_id = Uuid::parse_str(&search.area).ok();
    filter.language = domain::reference::language(&search.language).map(|l| l.code.to_string());

    let (rows, total, capped, page, page_count) = match (selected, phone_error.or(cpr_error)) {
        (Some(initiative_id), None) => {
            let searching = filter.name.is_some() || filter.phone.is_some() || filter.cpr.is_some();
            let action = if searching { AuditAction::SearchPeople } else { AuditAction::ListPeople };
            let query = PeopleQuery {
                scope: policy::list_scope(&actor),
                filter,
                initiative_id,
                page: q.page.unwrap_or(1),
                page_size: state.config.page_size,
            };
            let result = state
                .store
                .list_people(&query, &super::audit(&cu, action, "GET /people", vec![], String::new()))
                .await?;
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
        _ => (Vec::new(), 0, false, 1, 1),
    };

    let areas = state.store.list_areas().await?;
    let page = PeoplePage {
        initiatives: initiatives
            .iter()
            .map(|i| Opt::new(i.id.to_string(), i.name.clone(), Some(i.id) == selected))
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
        show_details,
        phone_error,
        cpr_error,
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
    let mut data = SessionData::of(&cu);
    data.people = if form.clear.is_some() {
        PeopleSearch { initiative: form.initiative, ..Default::default() }
    } else {
        PeopleSearch { clear: None, ..form }
    };
    data.save(&state, &cu).await?;
    Ok(Redirect::to("/people").into_response())
}
