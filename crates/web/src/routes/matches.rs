//! The coordinators' queue of possible matches (issue 13, item 2): new intakes from
//! doors opened outside that resemble a known woman, and renewed requests of a woman
//! on the do-not-contact list, each to be looked at (and, where it says so, confirmed
//! with her in a safe way) before anyone acts. What it may do is `app::matches`'.

use super::{render, stage_label};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

struct Row {
    id: String,
    intake_id: String,
    intake_name: String,
    intake_phone: String,
    known_id: Option<String>,
    known_name: String,
    known_stage: String,
    door: String,
    reason: String,
    received: String,
}

#[derive(Template)]
#[template(path = "matches.html")]
struct MatchesPage {
    l: Layout,
    rows: Vec<Row>,
    settled: bool,
}

#[derive(Deserialize, Default)]
pub struct MatchesQuery {
    settled: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<MatchesQuery>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /matches";
    let open = app::matches::open(&state.app, &cu.caller(ORIGIN)).await?;
    let l = Layout::new(&state, &cu.ctx, "/matches");
    let rows = open
        .into_iter()
        .map(|m| Row {
            id: m.id.to_string(),
            intake_id: m.intake_id.to_string(),
            intake_name: m.intake_name,
            intake_phone: m
                .intake_phone
                .as_deref()
                .and_then(|p| domain::PhoneNumber::parse(p).ok())
                .map(|p| p.display())
                .unwrap_or_default(),
            known_id: m.known_id.map(|k| k.to_string()),
            known_name: m.known_name.unwrap_or_else(|| l.t("matches-known-gone")),
            known_stage: m.known_stage.map(|s| stage_label(&l, s)).unwrap_or_default(),
            door: l.t(&format!("source-{}", m.door.code().replace('_', "-"))),
            reason: l.t(&format!("match-reason-{}", m.reason.code().replace('_', "-"))),
            received: crate::time_fmt::local(m.created_at),
        })
        .collect();
    render(&MatchesPage { l, rows, settled: q.settled.is_some() })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettleForm {
    note: String,
}

pub async fn settle(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<SettleForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /matches/{id}";
    app::matches::settle(&state.app, &cu.caller(ORIGIN), id, &form.note).await?;
    Ok(Redirect::to("/matches?settled=1").into_response())
}
