//! The start page: a greeting and the user's notifications (there is no e-mail).

use super::render;
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

pub struct NotificationView {
    pub id: Uuid,
    pub text: String,
    pub when: String,
    pub unread: bool,
    pub person_href: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    role_intro: String,
    notifications: Vec<NotificationView>,
}

pub async fn home(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let l = Layout::new(&state, &cu.ctx, "/");
    let notifications = state
        .store
        .list_notifications(cu.user.id)
        .await?
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            text: l.t(&n.message),
            when: time_fmt::local(n.created_at),
            unread: n.read_at.is_none(),
            person_href: n.person_id.map(|p| format!("/people/{p}")),
        })
        .collect();
    let page = HomePage { role_intro: format!("home-intro-{}", cu.user.role.code()), l, notifications };
    render(&page)
}

pub async fn mark_read(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    app::overview::mark_notification_read(&state.app, &cu.caller("POST /notifications/{id}/read"), id).await?;
    Ok(Redirect::to("/").into_response())
}
