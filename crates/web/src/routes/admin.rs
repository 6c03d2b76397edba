//! Users: the admin (and coordinators, for roles below admin) create logins.

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
    fields: Vec<FormField>,
    message: Option<String>,
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

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    form: &UserForm,
    errors: &FieldErrors,
    message: Option<String>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/admin/users");
    let users = app::users::list(&state.app, &cu.caller("GET /admin/users")).await?;
    let teams = state.store.list_teams().await?;
    let team_name = |id: Option<Uuid>| {
        id.and_then(|id| teams.iter().find(|t| t.id == id)).map(|t| t.name.clone()).unwrap_or_default()
    };
    let actor = cu.user.policy_actor();
    let users = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            may_toggle: policy::may_set_active(&actor, u.id, u.role),
            role: l.t(&format!("role-{}", u.role.code())),
            team: team_name(u.team_id),
            username: u.username,
            display_name: u.display_name,
            active: u.active,
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
        .map(|r| Opt::new(r.code(), l.t(&format!("role-{}", r.code())), form.role == r.code()))
        .collect();
    fields.push(role);
    let mut team = FormField::new("team", l.t("field-team"), "select", "");
    team.options =
        teams.iter().map(|t| Opt::new(t.id.to_string(), t.name.clone(), form.team == t.id.to_string())).collect();
    fields.push(team);
    let mut langs = FormField::new("languages", l.t("field-languages"), "text", form.languages.clone());
    langs.hint = Some(l.t("field-languages-hint"));
    fields.push(langs);
    fields.push(FormField::new("direct_phone", l.t("field-direct-phone"), "text", form.direct_phone.clone()));
    let mut pw = FormField::new("password", l.t("login-password"), "password", "");
    pw.hint = Some(l.t1("field-password-hint", "count", domain::org::MIN_PASSWORD_CHARS));
    fields.push(pw);
    for f in &mut fields {
        f.required = matches!(f.name, "username" | "display_name" | "role" | "password");
        if let Some(key) = errors.for_field(f.name) {
            f.error = Some(l.t(key));
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&UsersPage { l, users, fields, message })?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), None).await
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
        Ok(u) => {
            let l = Layout::new(&state, &cu.ctx, "/admin/users");
            page(
                &state,
                &cu,
                &UserForm::default(),
                &FieldErrors::default(),
                Some(l.t1("users-created", "username", u.username)),
            )
            .await
        }
        Err(app::Error::Invalid(errors)) => page(&state, &cu, &form, &errors, None).await,
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
    page(&state, &cu, &UserForm::default(), &FieldErrors::default(), Some(l.t1(key, "username", user.username))).await
}
