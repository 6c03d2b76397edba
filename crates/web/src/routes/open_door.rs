//! The open door (issue 4, item 4; G-8.5): a public page on which any woman asks to be
//! contacted — in her language, right to left where her script is, with no login and
//! nothing about anyone on it. What her request does is `app::public::self_referral`'s;
//! floods are refused (`rate_limit`).

use super::answer::{Lang, Option2, PageLang, Texts, language_options, time_options};
use super::render;
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::Ctx;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::open_door::OpenDoorInput;
use domain::validation::FieldErrors;

const PAGE: &str = "/kontakt";

#[derive(Template)]
#[template(path = "open_door.html")]
struct DoorPage {
    l: Layout,
    t: Texts,
    name: String,
    phone: String,
    times: Vec<Option2>,
    languages: Vec<(String, String, bool)>,
    page_languages: Vec<(String, String, bool)>,
    name_error: Option<&'static str>,
    phone_error: Option<&'static str>,
    language_error: Option<&'static str>,
    error: Option<&'static str>,
    done: bool,
}

fn page(
    l: Layout,
    lang: &str,
    input: &OpenDoorInput,
    errors: &FieldErrors,
    error: Option<&'static str>,
    done: bool,
) -> DoorPage {
    let t = Texts::new(lang);
    let times = time_options(&t, &input.best_time);
    let spoken = if input.language.is_empty() { t.lang } else { input.language.as_str() };
    let languages = language_options(spoken);
    let page_languages = language_options(t.lang);
    DoorPage {
        l,
        t,
        name: input.name.clone(),
        phone: input.phone.clone(),
        times,
        languages,
        page_languages,
        name_error: errors.for_field("name"),
        phone_error: errors.for_field("phone"),
        language_error: errors.for_field("language"),
        error,
        done,
    }
}

pub async fn form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Lang>,
) -> AppResult<Response> {
    let lang = q.lang.unwrap_or_else(|| "da".into());
    let input = OpenDoorInput { language: lang.clone(), ..Default::default() };
    let no_errors = FieldErrors::default();
    super::answer::for_visitor(&state, &ctx, |ctx| {
        render(&page(Layout::new(&state, ctx, PAGE), &lang, &input, &no_errors, None, false))
    })
    .await
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    crate::session::CsrfForms(input, PageLang { page_lang }): crate::session::CsrfForms<OpenDoorInput, PageLang>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /kontakt";
    let session = ctx.session.as_ref().map(|s| s.token_hash.clone()).unwrap_or_default();
    let lang = if page_lang.is_empty() { "da".to_string() } else { page_lang };
    let layout = || Layout::new(&state, &ctx, PAGE);
    let with_status = |p: DoorPage, status: StatusCode| -> AppResult<Response> {
        let mut r = render(&p)?;
        *r.status_mut() = status;
        Ok(r)
    };
    if !state.open_door_limiter.allows(&session) {
        app::public::open_door_flooded(&state.app, ORIGIN).await?;
        let p = page(layout(), &lang, &input, &FieldErrors::default(), Some("door_too_many"), false);
        return with_status(p, StatusCode::TOO_MANY_REQUESTS);
    }
    let done = app::public::self_referral(&state.app, ORIGIN, &input).await;
    // Every request that parses counts towards the limit, answered or not: the page
    // creates records.
    if !matches!(done, Err(app::Error::Invalid(_))) {
        state.open_door_limiter.failed(&session);
    }
    match done {
        Ok(()) => {}
        Err(app::Error::Invalid(errors)) => {
            return with_status(page(layout(), &lang, &input, &errors, None, false), StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    }
    let cleared = OpenDoorInput { language: input.language.clone(), ..Default::default() };
    render(&page(layout(), &lang, &cleared, &FieldErrors::default(), None, true))
}
