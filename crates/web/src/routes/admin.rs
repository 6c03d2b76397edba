//! Users: the admin (and coordinators, for roles below admin) create logins, change
//! their roles, and confirm or withdraw the role grants that wait for a second person
//! (issue 13, item 6).

use super::{FormField, Opt, render};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::{self, Role};
use domain::validation::FieldErrors;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    waiting: Vec<WaitingRow>,
    fields: Vec<FormField>,
    message: Option<String>,
    /// Why a role change or a confirmation was not done.
    error: Option<String>,
}

/// A role grant that waits for a second person, as the user page lists it.
struct WaitingRow {
    id: Uuid,
    username: String,
    from: String,
    to: String,
    proposed_by: String,
    may_confirm: bool,
    may_withdraw: bool,
}

/// One login as the user page lists it.
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    team: String,
    active: bool,
    /// Whether the viewer may close or reopen it (never her own).
    may_toggle: bool,
    /// Whether the viewer may reset its password or second factor (`policy::may_reset_login`).
    may_reset: bool,
    /// The roles the viewer may change it to (none for her own login).
    role_options: Vec<Opt>,
    /// A grant to her waits for a second person: no other change until it ends.
    waiting: bool,
    /// Who created the login: a username, or the operator on the server.
    created_by: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    team: String,
    password: String,
    languages: String,
    direct_phone: String,
}

/// What the page says besides its lists: a done message, or why something was not done.
#[derive(Default)]
struct Notice {
    message: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    form: &UserForm,
    errors: &FieldErrors,
    notice: Notice,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/admin/users");
    let caller = cu.caller("GET /admin/users");
    let users = app::users::list(&state.app, &caller).await?;
    let grants = app::users::pending(&state.app, &caller).await?;
    let creators = app::users::creators(&state.app, &caller).await?;
    let teams = state.store.list_teams().await?;
    let team_name = |id: Option<Uuid>| {
        id.and_then(|id| teams.iter().find(|t| t.id == id)).map(|t| t.name.clone()).unwrap_or_default()
    };
    let username = |id: Option<Uuid>| {
        id.and_then(|id| users.iter().find(|u| u.id == id)).map(|u| u.username.clone()).unwrap_or_default()
    };
    let role_name = |r: Role| l.t(&format!("role-{}", r.code()));
    let actor = cu.user.policy_actor();
    let waiting = grants
        .iter()
        .map(|g| {
            let rules = app::users::as_pending(g);
            WaitingRow {
                id: g.id,
                username: username(Some(g.target_id)),
                from: match g.from_role {
                    Some(r) => role_name(r),
                    None => l.t("users-grant-new-login"),
                },
                to: role_name(g.to_role),
                proposed_by: username(g.proposed_by),
                may_confirm: rules.as_ref().is_some_and(|p| policy::may_confirm(&actor, p)),
                may_withdraw: rules.as_ref().is_some_and(|p| policy::may_withdraw(&actor, p)),
            }
        })
        .collect();
    let users = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            may_toggle: policy::may_set_active(&actor, u.id, u.role),
            may_reset: policy::may_reset_login(&actor, u.id, u.role),
            role_options: Role::ALL
                .iter()
                .filter(|r| **r == u.role || policy::may_change_role(&actor, u.id, u.role, **r))
                .map(|r| Opt::new(r.code(), role_name(*r), *r == u.role))
                .collect(),
            waiting: grants.iter().any(|g| g.target_id == u.id),
            created_by: match creators.get(&u.id) {
                Some(by) => username(Some(*by)),
                None => l.t("users-created-by-operator"),
            },
            role: role_name(u.role),
            team: team_name(u.team_id),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            active: u.active,
        })
        .map(|mut row| {
            // Her current role alone (her own login, an admin's for a coordinator) is
            // nothing to choose: no form.
            if row.role_options.len() < 2 || row.waiting {
                row.role_options.clear();
            }
            row
        })
        .collect();
    let mut fields = vec![
        FormField::new("username", l.t("login-username"), "text", form.username.clone()),
        FormField::new("display_name", l.t("field-display-name"), "text", form.display_name.clone()),
    ];
    let mut role = FormField::new("role", l.t("field-role"), "select", "");
    role.options = Role::ALL
        .iter()
        .filter(|r| policy::may_grant(cu.user.role, **r))
        .map(|r| Opt::new(r.code(), role_name(*r), form.role == r.code()))
        .collect();
    role.hint = Some(l.t("users-role-hint"));
    fields.push(role);
    let mut team = FormField::new("team", l.t("field-team"), "select", "");
    team.options =
        teams.iter().map(|t| Opt::new(t.id.to_string(), t.name.clone(), form.team == t.id.to_string())).collect();
    fields.push(team);
    fields.push(super::languages_field(&l, "languages", &form.languages));
    fields.push(FormField::new("direct_phone", l.t("field-direct-phone"), "tel", form.direct_phone.clone()));
    let mut pw = FormField::new("password", l.t("login-password"), "password", "");
    pw.hint = Some(l.t1("field-password-hint", "count", domain::org::MIN_PASSWORD_CHARS));
    fields.push(pw);
    for f in &mut fields {
        f.required = matches!(f.name, "username" | "display_name" | "role" | "password");
        if let Some(key) = errors.for_field(f.name) {
            f.error = Some(l.t(key));
        }
    }
    let failed = !errors.is_empty() || notice.error.is_some();
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let Notice { message, error } = notice;
    let mut r = render(&UsersPage { l, users, waiting, fields, message, error })?;
    *r.status_mut() = status;
    Ok(r)
}

fn done(message: String) -> Notice {
    Notice { message: Some(message), error: None }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Shown {
    /// `second-factor` after an admin removed a user's app (issue 13, item 4).
    reset: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> AppResult<Response> {
    let notice = match shown.reset.as_deref() {
        Some("second-factor") => done(Layout::new(&state, &cu.ctx, "/admin/users").t("users-second-factor-reset")),
        _ => Notice::default(),
    };
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), notice).await
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /admin/users";
    let input = app::users::UserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        team: form.team.clone(),
        direct_phone: form.direct_phone.clone(),
        languages: form.languages.clone(),
        password: form.password.clone(),
    };
    let caller = cu.caller(ORIGIN);
    match app::users::create(&state.app, app::users::GrantedBy::User(&caller), &input).await {
        Ok(created) => {
            let l = Layout::new(&state, &cu.ctx, "/admin/users");
            let message = match created.waits_for {
                None => l.t1("users-created", "username", created.user.username),
                Some(role) => l.t_args2(
                    "users-created-waiting",
                    ("username", created.user.username),
                    ("role", l.t(&format!("role-{}", role.code()))),
                ),
            };
            page(&state, &cu, &UserForm::default(), &FieldErrors::default(), done(message)).await
        }
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &form, &errors, Notice::default()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    /// "1" opens the login, anything else closes it.
    active: String,
}

/// Closes a login (her sessions end at once) or opens it again (issue 13, item 6).
pub async fn set_active(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/users/{id}/active");
    let active = form.active.trim() == "1";
    let user = app::users::set_active(&state.app, &caller, id, active).await?;
    let l = Layout::new(&state, &cu.ctx, "/admin/users");
    let key = if active { "users-reactivated" } else { "users-deactivated" };
    let message = done(l.t1(key, "username", user.username));
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), message).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// Changes a login's role, at once or as a proposal that waits for a second person
/// (issue 13, item 6).
pub async fn change_role(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/users/{id}/role");
    let l = Layout::new(&state, &cu.ctx, "/admin/users");
    let notice = match app::users::change_role(&state.app, &caller, id, &form.role).await {
        Ok(app::users::RoleChange::Changed(u)) => done(l.t_args2(
            "users-role-changed",
            ("username", u.username),
            ("role", l.t(&format!("role-{}", u.role.code()))),
        )),
        Ok(app::users::RoleChange::Proposed(u)) => done(l.t_args2(
            "users-role-proposed",
            ("username", u.username),
            ("role", l.t(&format!("role-{}", form.role.trim()))),
        )),
        Err(app::Error::Invalid(errors)) => {
            Notice { message: None, error: Some(l.t(errors.for_field("role").unwrap_or("error-unknown-choice"))) }
        }
        Err(e) => return Err(e.into()),
    };
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), notice).await
}

/// Confirms a waiting role grant as the second person (issue 13, item 6).
pub async fn confirm_grant(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/grants/{id}/confirm");
    let user = app::users::confirm(&state.app, &caller, id).await?;
    let l = Layout::new(&state, &cu.ctx, "/admin/users");
    let message = done(l.t_args2(
        "users-grant-confirmed",
        ("username", user.username),
        ("role", l.t(&format!("role-{}", user.role.code()))),
    ));
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), message).await
}

/// Withdraws a waiting role grant (issue 13, item 6).
pub async fn withdraw_grant(
    State(state): State<AppState>,
    cu: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /admin/grants/{id}/withdraw");
    let user = app::users::withdraw(&state.app, &caller, id).await?;
    let l = Layout::new(&state, &cu.ctx, "/admin/users");
    let message = done(l.t1("users-grant-withdrawn", "username", user.username));
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), message).await
}
