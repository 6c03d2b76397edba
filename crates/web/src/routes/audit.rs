//! The audit log for coordinators and admins: filtered by a woman's name (or id), a
//! user and days, paged, in words (issue 14, item 6); and a per-person export (she has
//! the right to see who looked her up). The reads and
//! their audit entries are `app::overview`'s.

use super::people::{keep, session_data};
use super::{Opt, render};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{self, Action};
use serde::Deserialize;

pub struct EntryView {
    pub at: String,
    pub username: String,
    pub role: String,
    pub action: String,
    pub origin: String,
    pub persons: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    person: String,
    users: Vec<Opt>,
    from: String,
    to: String,
    /// The women a name matched, when it matched several.
    found: String,
    message: Option<String>,
    may_export: bool,
    export_person: String,
    entries: Vec<EntryView>,
    older: Option<String>,
    first_page: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    /// An audit entry's id (not anything of hers): the page after it.
    before: Option<String>,
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let data = session_data(&cu);
    let filter = app::overview::AuditFilter {
        person: data.audit_person.clone(),
        user: data.audit_user.clone(),
        from: data.audit_from.clone(),
        to: data.audit_to.clone(),
        before: q.before.clone().filter(|b| !b.is_empty()),
    };
    let log = app::overview::audit_log(&state.app, &cu.caller("GET /audit"), &filter).await?;
    let l = Layout::new(&state, &cu.ctx, "/audit");
    let name_of = |id: &uuid::Uuid| log.names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let entries = log
        .entries
        .iter()
        .map(|e| EntryView {
            at: time_fmt::local(e.at),
            username: e.username.clone(),
            // In words (issue 14, item 6): "Sagsbehandler", "Så en borger", her name.
            role: l.t(&format!("role-{}", e.role.code())),
            action: l.t(&format!("audit-action-{}", e.action.code().replace('_', "-"))),
            origin: e.origin.clone(),
            persons: if e.persons.len() > 3 {
                l.t1("audit-persons-count", "count", e.persons.len())
            } else {
                e.persons.iter().map(name_of).collect::<Vec<_>>().join(", ")
            },
            detail: e.detail.clone(),
        })
        .collect();
    let users = log
        .users
        .iter()
        .map(|(id, name, username)| {
            let chosen = data.audit_user == id.to_string() || data.audit_user.eq_ignore_ascii_case(username);
            Opt::new(id.to_string(), format!("{name} ({username})"), chosen)
        })
        .collect();
    let found = log.found.iter().map(|(_, name)| name.clone()).collect::<Vec<_>>().join(", ");
    let page = AuditPage {
        may_export: log.person.is_some() && policy::may(&cu.actor(), Action::ExportAudit, None),
        export_person: log.person.map(|p| p.to_string()).unwrap_or_default(),
        person: data.audit_person,
        users,
        from: data.audit_from,
        to: data.audit_to,
        found,
        message: log.error.map(|key| l.t(key)),
        entries,
        older: log.older,
        first_page: filter.before.is_none(),
        l,
    };
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    person: String,
    user: String,
    from: String,
    to: String,
    clear: Option<String>,
}

pub async fn filter(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<AuditFilter>,
) -> AppResult<Response> {
    let mut data = session_data(&cu);
    if form.clear.is_some() {
        data.audit_person.clear();
        data.audit_user.clear();
        data.audit_from.clear();
        data.audit_to.clear();
    } else {
        data.audit_person = form.person;
        data.audit_user = form.user;
        data.audit_from = form.from;
        data.audit_to = form.to;
    }
    keep(&state, &cu, &data).await?;
    Ok(Redirect::to("/audit").into_response())
}

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The log of who has read or changed one woman's data, for her access request.
pub async fn export(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<AuditFilter>,
) -> AppResult<Response> {
    let entries = match app::overview::export_audit(&state.app, &cu.caller("POST /audit/export"), &form.person).await {
        Ok(entries) => entries,
        Err(app::Error::Invalid(_)) => return Err(AppError::BadRequest("person id")),
        Err(e) => return Err(e.into()),
    };
    // Semicolons and a BOM: what Danish Excel opens without a wizard.
    let mut out = String::from("\u{feff}tidspunkt;bruger;rolle;handling;hvorfra\r\n");
    for e in &entries {
        let row =
            [time_fmt::local(e.at), e.username.clone(), e.role.code().into(), e.action.code().into(), e.origin.clone()];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"opslag-i-personens-data.csv\""),
    );
    Ok(r)
}
