//! The start page (issue 14, item 3): what waits for this user today — each a link to
//! the work, as `app::today` counts it for her role — and her notifications (there is
//! no e-mail).

use super::render;
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use crate::time_fmt;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{self, Action};
use uuid::Uuid;

pub struct NotificationView {
    pub id: Uuid,
    pub text: String,
    pub when: String,
    pub unread: bool,
    pub person_href: Option<String>,
}

/// One line of "today": what waits, and where it is done (`None` when the role cannot
/// open that page).
pub struct TodoView {
    pub text: String,
    pub href: Option<&'static str>,
    /// Something late or waiting on this user: shown as a warning.
    pub urgent: bool,
    pub testid: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    role_intro: String,
    todo: Vec<TodoView>,
    nothing_waits: bool,
    week: Vec<(String, u64)>,
    week_href: Option<&'static str>,
    notifications: Vec<NotificationView>,
}

/// "Today" in words: only what waits (a zero is left out), most pressing first.
fn todo(l: &Layout, t: &app::today::Today, may: impl Fn(Action) -> bool) -> Vec<TodoView> {
    let line = |n: usize, key: &str, href: Option<&'static str>, urgent: bool, testid: &'static str| {
        (n > 0).then(|| TodoView { text: l.t1(key, "count", n), href, urgent, testid })
    };
    let mut v = Vec::new();
    if let Some(c) = t.calls {
        v.push(line(c.asked, "today-calls-asked", Some("/calls"), true, "today-calls-asked"));
        v.push(line(c.overdue, "today-calls-overdue", Some("/calls"), true, "today-calls-overdue"));
        v.push(line(c.due_today, "today-calls-due", Some("/calls"), false, "today-calls-due"));
    }
    if let Some(m) = &t.meetings {
        v.push(line(
            m.len(),
            "today-meetings",
            may(Action::PlanMeetings).then_some("/meetings"),
            false,
            "today-meetings",
        ));
    }
    if let Some(version) = t.plan_to_approve {
        v.push(Some(TodoView {
            text: l.t1("today-plan-approve", "version", version),
            href: may(Action::EditPlan).then_some("/plan"),
            urgent: true,
            testid: "today-plan",
        }));
    }
    v.push(line(t.grants_to_confirm.unwrap_or(0), "today-grants", Some("/admin/users"), true, "today-grants"));
    v.push(line(t.links_to_review.unwrap_or(0), "today-links", Some("/register/review"), false, "today-links"));
    v.push(line(t.matches_to_settle.unwrap_or(0), "today-matches", Some("/matches"), false, "today-matches"));
    v.into_iter().flatten().collect()
}

pub async fn home(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let l = Layout::new(&state, &cu.ctx, "/");
    let today = app::today::today(&state.app, &cu.caller("GET /")).await?;
    let actor = cu.actor();
    let may = |a| policy::may(&actor, a, None);
    let todo = todo(&l, &today, may);
    let week = today
        .week
        .map(|w| {
            vec![
                (l.t("today-week-letters"), w.letters),
                (l.t("today-week-reached"), w.reached),
                (l.t("today-week-referrals"), w.new_referrals),
                (l.t("today-week-meetings"), w.meetings_held),
                (l.t("today-week-enrolled"), w.enrolled),
            ]
        })
        .unwrap_or_default();
    let week_href = may(Action::ViewFigures).then_some("/figures");
    let nothing_waits = todo.is_empty() && (today.calls.is_some() || today.grants_to_confirm.is_some());
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
    let role_intro = format!("home-intro-{}", cu.user.role.code());
    let page = HomePage { role_intro, l, todo, nothing_waits, week, week_href, notifications };
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
