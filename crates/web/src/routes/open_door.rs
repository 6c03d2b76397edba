//! The open door (issue 4, item 4; G-8.5): a public page on which any woman asks to be
//! contacted — in her language, right to left where her script is, with no login and
//! nothing about anyone on it. What her request does is `app::public::self_referral`'s;
//! floods are refused per address and per phone (`rate_limit`), a machine filling in
//! the hidden trap field is turned away, and no session is made (`public_form`).

use super::answer::{Lang, Option2, Texts, language_options, time_options};
use super::render;
use crate::AppState;
use crate::client::ClientAddress;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::public_form::{self, PublicForms};
use crate::rate_limit::address_key;
use crate::session::Ctx;
use app::public::Turned;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
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
    // The whole page in her language, without the staff tagline (issue 14).
    let l = l.for_her(t.lang);
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
    headers: HeaderMap,
    Query(q): Query<Lang>,
) -> AppResult<Response> {
    let lang = q.lang.unwrap_or_else(|| "da".into());
    let input = OpenDoorInput { language: lang.clone(), ..Default::default() };
    let no_errors = FieldErrors::default();
    // No session for a visitor (issue 13, item 9): the form's token is signed instead.
    let (ctx, new) = public_form::for_page(&state, &ctx, &headers)?;
    let response = render(&page(Layout::new(&state, &ctx, PAGE), &lang, &input, &no_errors, None, false))?;
    Ok(public_form::with_cookie(response, &state, new))
}

/// The page's own fields: the language it was read in, and the trap field no person
/// sees (`website`), which a machine filling in every field fills in too.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DoorFields {
    page_lang: String,
    website: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    address: ClientAddress,
    PublicForms(input, DoorFields { page_lang, website }, token): PublicForms<OpenDoorInput, DoorFields>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /kontakt";
    let ctx = public_form::with_token(&ctx, &token);
    let lang = if page_lang.is_empty() { "da".to_string() } else { page_lang };
    let layout = || Layout::new(&state, &ctx, PAGE);
    let with_status = |p: DoorPage, status: StatusCode| -> AppResult<Response> {
        let mut r = render(&p)?;
        *r.status_mut() = status;
        Ok(r)
    };
    let thanks = || {
        let cleared = OpenDoorInput { language: input.language.clone(), ..Default::default() };
        render(&page(layout(), &lang, &cleared, &FieldErrors::default(), None, true))
    };
    // A machine gets the thanks a person gets, and nothing is written.
    if !website.trim().is_empty() {
        app::public::open_door_turned_away(&state.app, ORIGIN, Turned::Trap).await?;
        return thanks();
    }
    let limits = &state.limits;
    let by_address = address_key(address.0);
    // Her number as a budget's key: a hash, so the counts in memory hold no numbers.
    let by_phone = domain::PhoneNumber::parse(&input.phone).ok().map(|p| app::auth::token_hash(p.as_e164()));
    let phone_spent = by_phone.as_deref().is_some_and(|k| !limits.door_per_phone.allows(k));
    if !limits.door_per_address.allows(&by_address) || phone_spent {
        app::public::open_door_turned_away(&state.app, ORIGIN, Turned::TooMany).await?;
        let p = page(layout(), &lang, &input, &FieldErrors::default(), Some("door_too_many"), false);
        return with_status(p, StatusCode::TOO_MANY_REQUESTS);
    }
    let done = app::public::self_referral(&state.app, ORIGIN, &input).await;
    // Every request that parses counts, answered or not: the page creates records.
    if !matches!(done, Err(app::Error::Invalid(_))) {
        limits.door_per_address.spend(&by_address);
        if let Some(k) = &by_phone {
            limits.door_per_phone.spend(k);
        }
    }
    match done {
        // The same thanks whatever came of it: a new woman, one who resembles a woman
        // Opsøg knows, one on the do-not-contact list, the same number again (issue 13,
        // items 2 and 9). Nothing on the page tells them apart.
        Ok(_) => thanks(),
        Err(app::Error::Invalid(errors)) => {
            with_status(page(layout(), &lang, &input, &errors, None, false), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}
