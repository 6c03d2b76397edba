//! Her own account: the sessions she has open, and ending one she left open elsewhere
//! (issue 13, item 4).

use super::render;
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct SessionRow {
    pub key: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    l: Layout,
    sessions: Vec<SessionRow>,
    ended: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Shown {
    ended: Option<String>,
}

pub async fn sessions(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> AppResult<Response> {
    let caller = cu.caller("GET /account/sessions");
    let own = app::sessions::own_sessions(&state.app, &caller, &cu.session.token_hash).await?;
    let sessions = own
        .into_iter()
        .map(|s| SessionRow {
            key: s.key,
            started: time_fmt::local(s.created_at),
            last_seen: time_fmt::local(s.last_seen_at),
            current: s.current,
        })
        .collect();
    let l = Layout::new(&state, &cu.ctx, "/account/sessions");
    render(&SessionsPage { l, sessions, ended: shown.ended.is_some() })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    session: String,
}

pub async fn end(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<EndForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /account/sessions/end");
    app::sessions::end_own_session(&state.app, &caller, &form.session).await?;
    Ok(Redirect::to("/account/sessions?ended=1").into_response())
}
