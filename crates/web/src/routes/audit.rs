//! The audit log for coordinators and admins: filtered by person or user, and a
//! per-person export (she has the right to see who looked her up).

use super::{deny, render};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::routes::people::SessionData;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditAction;
use domain::policy::{self, Action};
use serde::Deserialize;
use store::{AuditQuery, Store};
use uuid::Uuid;

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
    user: String,
    message: Option<String>,
    may_export: bool,
    entries: Vec<EntryView>,
}

async fn resolve_user(state: &AppState, username: &str) -> AppResult<Option<Uuid>> {
    let username = username.trim().to_lowercase();
    Ok(state.store.list_users().await?.into_iter().find(|u| u.username == username).map(|u| u.id))
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if !policy::may(&cu.actor(), Action::ViewAudit, None) {
        return Err(deny(&state, &cu, "GET /audit", None, AppError::Forbidden).await);
    }
    let l = Layout::new(&state, &cu.ctx, "/audit");
    let data = SessionData::of(&cu);
    let person = Uuid::parse_str(data.audit_person.trim()).ok();
    let mut message = None;
    if !data.audit_person.trim().is_empty() && person.is_none() {
        message = Some(l.t("error-person-id"));
    }
    let user = if data.audit_user.trim().is_empty() { None } else { resolve_user(&state, &data.audit_user).await? };
    if !data.audit_user.trim().is_empty() && user.is_none() {
        message = Some(l.t("error-unknown-user"));
    }
    let entries = if message.is_some() {
        Vec::new()
    } else {
        state.store.list_audit(&AuditQuery { person_id: person, user_id: user, limit: 200 }).await?
    };
    let detail =
        format!("person={} user={}", person.map(|p| p.to_string()).unwrap_or_default(), data.audit_user.trim());
    state
        .store
        .append_audit(&super::audit(&cu, AuditAction::ViewAudit, "GET /audit", person.into_iter().collect(), detail))
        .await?;
    let entries = entries
        .into_iter()
        .map(|e| EntryView {
            at: time_fmt::local(e.at),
            username: e.username,
            role: e.role,
            action: e.action,
            origin: e.origin,
            persons: if e.persons.len() > 3 {
                l.t1("audit-persons-count", "count", e.persons.len())
            } else {
                e.persons.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ")
            },
            detail: e.detail,
        })
        .collect();
    let page = AuditPage {
        may_export: person.is_some() && policy::may(&cu.actor(), Action::ExportAudit, None),
        person: data.audit_person,
        user: data.audit_user,
        message,
        entries,
        l,
    };
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    person: String,
    user: String,
    clear: Option<String>,
}

pub async fn filter(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<AuditFilter>,
) -> AppResult<Response> {
    let mut data = SessionData::of(&cu);
    if form.clear.is_some() {
        data.audit_person.clear();
        data.audit_user.clear();
    } else {
        data.audit_person = form.person;
        data.audit_user = form.user;
    }
    data.save(&state, &cu).await?;
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
    const ORIGIN: &str = "POST /audit/export";
    if !policy::may(&cu.actor(), Action::ExportAudit, None) {
        return Err(deny(&state, &cu, ORIGIN, None, AppError::Forbidden).await);
    }
    let person = Uuid::parse_str(form.person.trim()).map_err(|_| AppError::BadRequest("person id"))?;
    let entries =
        state.store.list_audit(&AuditQuery { person_id: Some(person), user_id: None, limit: 100_000 }).await?;
    state
        .store
        .append_audit(&super::audit(
            &cu,
            AuditAction::ExportAudit,
            ORIGIN,
            vec![person],
            format!("{} entries", entries.len()),
        ))
        .await?;
    // Semicolons and a BOM: what Danish Excel opens without a wizard.
    let mut out = String::from("\u{feff}tidspunkt;bruger;rolle;handling;hvorfra\r\n");
    for e in &entries {
        let row = [time_fmt::local(e.at), e.username.clone(), e.role.clone(), e.action.clone(), e.origin.clone()];
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
