//! Who may open which route (issue 13, item 1; OWASP ASVS 5.0 ch. 8): the route
//! table as data, enforced on every request before the handler runs, and written
//! out as `docs/access.md` with the matrix of actions and fields it rests on.
//!
//! The rule of a route is the role-level gate only; which woman (her team, the
//! women an ambassador registered, a partner's referrals) and which of her fields
//! are the use case's, from the same `domain::policy`, and are named in the document
//! from there. A route missing from this table is refused for everyone: a new page is
//! closed until someone decides who may open it.

use crate::AppState;
use crate::error::AppError;
use crate::session::Ctx;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::policy::{self, Action, Field, Reach, Role};

/// Who may open a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without login: her answer page, the open door, a one-time link, assets.
    Public,
    /// Any logged-in user (her start page, her own session, a job she follows).
    Login,
    /// A login halfway: her password was right and this stage is left (her app's
    /// code, her own new password, setting up a second factor). The handler checks
    /// the session is at this stage; no other page opens to it (issue 13, item 4).
    /// Logging out is open to it too.
    Stage,
    /// A logged-in user whose role may do all of these actions (for some woman, where
    /// the action is about women: which ones is the use case's row-level rule).
    Actions(&'static [Action]),
}

/// One route of the router.
#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteRule {
    RouteRule { method, path, access }
}

const fn act(actions: &'static [Action]) -> Access {
    Access::Actions(actions)
}

use Access::{Login, Public, Stage};
use Action as A;

/// Every route `routes::routes` registers, with its rule. A test checks that the two
/// lists are the same and walks every route × role against this table.
pub const ROUTES: &[RouteRule] = &[
    r("GET", "/health", Public),
    r("GET", "/static/{hash}/{*path}", Public),
    r("GET", "/logo", Public),
    r("GET", "/login", Public),
    r("POST", "/login", Public),
    r("GET", "/login/sso", Public),
    r("GET", "/login/sso/callback", Public),
    r("GET", "/login/code", Stage),
    r("POST", "/login/code", Stage),
    r("GET", "/login/password", Stage),
    r("POST", "/login/password", Stage),
    r("GET", "/login/setup", Stage),
    r("POST", "/login/setup", Stage),
    // Any session may end itself, a login halfway too (her "cancel" at a stage).
    r("POST", "/logout", Stage),
    r("POST", "/settings/locale", Login),
    r("GET", "/", Login),
    r("POST", "/notifications/{id}/read", Login),
    r("GET", "/people", act(&[A::ListPeople])),
    r("POST", "/people/search", act(&[A::ListPeople])),
    r("GET", "/people/new", act(&[A::CreatePerson])),
    r("POST", "/people/new", act(&[A::CreatePerson])),
    r("GET", "/people/{id}", act(&[A::ViewPerson])),
    r("GET", "/people/{id}/edit", act(&[A::EditPerson])),
    r("POST", "/people/{id}/edit", act(&[A::EditPerson])),
    r("POST", "/people/{id}/events", act(&[A::RecordEvent])),
    r("POST", "/people/{id}/events/{event}/void", act(&[A::VoidEvent])),
    r("POST", "/people/{id}/reveal-cpr", act(&[A::RevealFullCpr])),
    r("POST", "/people/{id}/contact", act(&[A::EditPerson])),
    r("POST", "/people/{id}/consents", act(&[A::EditPerson])),
    r("POST", "/people/{id}/consents/{consent}/withdraw", act(&[A::EditPerson])),
    r("GET", "/figures", act(&[A::ViewFigures])),
    r("GET", "/audit", act(&[A::ViewAudit])),
    r("POST", "/audit/filter", act(&[A::ViewAudit])),
    r("POST", "/audit/export", act(&[A::ExportAudit])),
    r("GET", "/account/sessions", Login),
    r("POST", "/account/sessions/end", Login),
    r("GET", "/account/security", Login),
    r("POST", "/account/password", Login),
    r("GET", "/account/second-factor", Login),
    r("POST", "/account/second-factor", Login),
    r("POST", "/account/second-factor/renew", Login),
    r("POST", "/account/second-factor/remove", Login),
    r("GET", "/admin/users", act(&[A::ManageUsers])),
    r("POST", "/admin/users", act(&[A::ManageUsers])),
    r("POST", "/admin/users/{id}/active", act(&[A::ManageUsers])),
    r("POST", "/admin/users/{id}/reset-password", act(&[A::ManageUsers])),
    r("POST", "/admin/users/{id}/reset-second-factor", act(&[A::ManageUsers])),
    r("POST", "/admin/users/{id}/role", act(&[A::ManageUsers])),
    r("POST", "/admin/grants/{id}/confirm", act(&[A::ManageUsers])),
    r("POST", "/admin/grants/{id}/withdraw", act(&[A::ManageUsers])),
    r("GET", "/field", act(&[A::FieldWork])),
    r("GET", "/field/conversation", act(&[A::FieldWork])),
    r("POST", "/field/conversation", act(&[A::FieldWork])),
    r("GET", "/field/register", act(&[A::FieldWork])),
    r("POST", "/field/register", act(&[A::FieldWork])),
    r("GET", "/field/ethics", act(&[A::FieldWork])),
    r("POST", "/field/ethics", act(&[A::FieldWork])),
    r("GET", "/ambassadors", act(&[A::ManageAmbassadors])),
    r("GET", "/ambassadors/{id}", act(&[A::ManageAmbassadors])),
    r("POST", "/ambassadors/{id}", act(&[A::ManageAmbassadors])),
    r("POST", "/ambassadors/{id}/follow-ups", act(&[A::ManageAmbassadors])),
    r("GET", "/plan", act(&[A::EditPlan])),
    r("POST", "/plan", act(&[A::EditPlan])),
    r("POST", "/plan/approve", act(&[A::EditPlan])),
    r("GET", "/plan/ethics", act(&[A::EditPlan])),
    r("POST", "/plan/ethics", act(&[A::EditPlan])),
    r("GET", "/areas", act(&[A::ViewAreas])),
    r("GET", "/partners", act(&[A::ManagePartners])),
    r("POST", "/partners", act(&[A::ManagePartners])),
    r("GET", "/partners/{id}", act(&[A::ManagePartners])),
    r("POST", "/partners/{id}", act(&[A::ManagePartners])),
    r("POST", "/partners/{id}/agreement", act(&[A::ManagePartners])),
    r("POST", "/partners/{id}/follow-ups", act(&[A::ManagePartners])),
    r("POST", "/partners/{id}/links", act(&[A::ManagePartners])),
    r("GET", "/meetings", act(&[A::PlanMeetings])),
    r("POST", "/meetings", act(&[A::PlanMeetings])),
    r("GET", "/letters", act(&[A::EditLetters])),
    r("GET", "/letters/batch", act(&[A::SendLetters])),
    r("POST", "/letters/batch", act(&[A::SendLetters])),
    r("POST", "/letters/batch/preview", act(&[A::SendLetters])),
    r("GET", "/letters/batch/progress", act(&[A::SendLetters])),
    r("GET", "/jobs/{id}", Login),
    r("GET", "/jobs/{id}/progress", Login),
    r("POST", "/letters/cadence", act(&[A::SendLetters])),
    r("GET", "/letters/batches/{id}", act(&[A::SendLetters])),
    r("GET", "/letters/batches/{id}/{kind}/{n}", act(&[A::SendLetters])),
    r("GET", "/letters/{lang}", act(&[A::EditLetters])),
    r("POST", "/letters/{lang}", act(&[A::EditLetters])),
    r("POST", "/letters/{lang}/reviewed", act(&[A::EditLetters])),
    r("POST", "/letters/{lang}/check", act(&[A::EditLetters])),
    r("GET", "/register", act(&[A::RegisterSearch])),
    r("POST", "/register/dry-run", act(&[A::RegisterSearch])),
    r("POST", "/register/run", act(&[A::RegisterSearch])),
    r("POST", "/register/upload", act(&[A::RegisterSearch])),
    r("GET", "/register/uploads/{id}", act(&[A::RegisterSearch])),
    r("POST", "/register/uploads/{id}", act(&[A::RegisterSearch])),
    r("GET", "/register/rules", act(&[A::RegisterSearch])),
    r("POST", "/register/rules", act(&[A::RegisterSearch])),
    r("GET", "/register/rules.toml", act(&[A::RegisterSearch])),
    r("GET", "/register/review", act(&[A::ReviewLinks])),
    r("POST", "/register/review/{id}", act(&[A::ReviewLinks])),
    r("GET", "/register/runs/{id}", act(&[A::ViewRunOverview])),
    r("GET", "/referrals", act(&[A::Refer])),
    r("GET", "/referrals/new", act(&[A::Refer])),
    r("POST", "/referrals/new", act(&[A::Refer])),
    r("GET", "/r/{token}", Public),
    r("POST", "/r/{token}", Public),
    r("GET", "/svar", Public),
    r("POST", "/svar", Public),
    r("GET", "/kontakt", Public),
    r("POST", "/kontakt", Public),
    r("GET", "/matches", act(&[A::ReviewMatches])),
    r("POST", "/matches/{id}", act(&[A::ReviewMatches])),
    r("GET", "/calls", act(&[A::RecordEvent, A::ListPeople])),
    r("POST", "/calls/{id}", act(&[A::RecordEvent])),
];

/// The rule of a matched route; `None` for a route nobody entered here.
pub fn rule(method: &Method, path: &str) -> Option<Access> {
    let method = if *method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|r| r.method == method && r.path == path).map(|r| r.access)
}

/// How far a role reaches on a route: `None` when refused.
pub fn reach(access: Access, role: Role) -> Option<Reach> {
    match access {
        Public | Login | Stage => Some(Reach::All),
        Access::Actions(actions) => {
            let reaches: Vec<Reach> = actions.iter().map(|a| policy::action_reach(role, *a)).collect();
            if reaches.contains(&Reach::No) {
                None
            } else {
                reaches.into_iter().find(|r| *r != Reach::All).or(Some(Reach::All))
            }
        }
    }
}

/// Enforces the table on every matched route, before its handler: a visitor who is
/// not logged in is sent to the login page, a role the table refuses gets 403 (the
/// refusal audited by `app::require`), and a route not in the table is refused.
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()) else {
        return next.run(req).await;
    };
    let Some(access) = rule(req.method(), &path) else {
        tracing::error!(route = %path, method = %req.method(), "a route without an access rule was refused");
        return AppError::Forbidden.into_response();
    };
    let actions = match access {
        Public | Stage => return next.run(req).await,
        Login => &[][..],
        Access::Actions(actions) => actions,
    };
    let ctx = req.extensions().get::<Ctx>().cloned().unwrap_or_default();
    let Some(user) = ctx.user else {
        return crate::session::to_login(req.uri().path(), ctx.expired);
    };
    let caller = app::Caller::new(user, format!("{} {path}", req.method()));
    let person = person_in_path(&path, req.uri().path());
    for action in actions {
        if let Err(e) = app::require_about(&state.app, &caller, *action, person).await {
            return AppError::from(e).into_response();
        }
    }
    next.run(req).await
}

/// The woman a `/people/{id}/…` request is about, so that a refused request is
/// audited against her (who tried to read whom).
fn person_in_path(pattern: &str, path: &str) -> Option<uuid::Uuid> {
    if !pattern.starts_with("/people/{id}") {
        return None;
    }
    path.strip_prefix("/people/")?.split('/').next().and_then(|id| uuid::Uuid::parse_str(id).ok())
}

// ---------------------------------------------------------------- the document

fn reach_words(reach: Reach) -> &'static str {
    match reach {
        Reach::No => "—",
        Reach::All => "yes",
        Reach::Team => "her team's women",
        Reach::Assigned => "women she is contact person for",
        Reach::OwnRegistered => "women she registered",
        Reach::OwnReferrals => "its own referrals",
    }
}

fn header(out: &mut String, first: &str) {
    out.push_str(&format!("| {first} |"));
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.code()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str("---|");
    }
    out.push('\n');
}

/// `docs/access.md`, generated from the route table and `domain::policy`. A test
/// checks the committed file is this; `OPSOG_WRITE_DOCS=1` on that test rewrites it.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Who may do what\n\n\
         Generated from `crates/web/src/access.rs` and `crates/domain/src/policy.rs` by the test \
         `access_matrix` (`OPSOG_WRITE_DOCS=1 cargo test -p web --test access_matrix` rewrites it); \
         do not edit by hand. Issue 13, item 1; OWASP ASVS 5.0 chapter 8.\n\n\
         ## Routes\n\n\
         Each route's role-level rule, enforced before its handler runs (`web::access::enforce`). \
         \"public\": no login; \"login\": any logged-in user; \"login step\": a login \
         halfway, at that step (her app's code, her own password, setting up a second factor), \
         or any session ending itself (logout); otherwise the reach of the route's \
         action(s). Where a reach names women, the route reaches only those (the use case's \
         row-level rule: a woman outside it is \"not found\"). A route missing from the table is \
         refused for everyone.\n\n",
    );
    header(&mut out, "route");
    for route in ROUTES {
        out.push_str(&format!("| `{} {}` |", route.method, route.path));
        for role in Role::ALL {
            let cell = match route.access {
                Public => "public",
                Login => "login",
                Stage => "login step",
                access => reach(access, role).map_or("—", reach_words),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str("\n## Actions\n\n`domain::policy::action_reach`: what each role may do, and to which women.\n\n");
    header(&mut out, "action");
    for action in Action::ALL {
        out.push_str(&format!("| `{}` |", action.code()));
        for role in Role::ALL {
            out.push_str(&format!(" {} |", reach_words(policy::action_reach(role, action))));
        }
        out.push('\n');
    }
    out.push_str(
        "\n## Fields\n\n`domain::policy::field_reach`: which of her fields each role sees, for which \
         women. A role neither filters, sorts nor counts by a field it does not see \
         (`policy::may_filter`). Her full CPR number is shown only on an audited request; a \
         partner sees a coarse status only where she agreed to it (G-7).\n\n",
    );
    header(&mut out, "field");
    for field in Field::ALL {
        out.push_str(&format!("| `{}` |", field.code()));
        for role in Role::ALL {
            out.push_str(&format!(" {} |", reach_words(policy::field_reach(role, field))));
        }
        out.push('\n');
    }
    out
}
