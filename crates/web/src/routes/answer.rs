//! Her answer to a letter (issue 4, item 4): a public page, in her language and
//! right-to-left where her script is, with no login and nothing about her on it. The
//! code from the letter answers once; failed guesses are limited per client address,
//! apart from valid answers (`rate_limit`); no session is made (`public_form`).

use super::render;
use crate::AppState;
use crate::client::ClientAddress;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::public_form::{self, PublicForms};
use crate::rate_limit::address_key;
use crate::session::Ctx;
use app::public::Answered;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::ambassador::BestTime;
use domain::response::{self, AnswerInput, Choice, CodeRefused};

const PAGE: &str = "/svar";

/// The page's texts in one language (the open door's page shares them).
pub(super) struct Texts {
    pub(super) lang: &'static str,
    pub(super) rtl: bool,
    pub(super) draft: bool,
}

impl Texts {
    pub(super) fn new(lang: &str) -> Texts {
        let t = response::text("title", lang);
        Texts {
            lang: t.map_or("da", |t| t.language),
            rtl: t.is_some_and(|t| t.right_to_left),
            draft: t.is_some_and(|t| !t.reviewed),
        }
    }

    pub(super) fn get(&self, key: &str) -> &'static str {
        response::text(key, self.lang).map_or("", |t| t.text)
    }
}

pub(super) struct Option2 {
    pub(super) value: &'static str,
    pub(super) label: &'static str,
    pub(super) selected: bool,
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    l: Layout,
    t: Texts,
    code: String,
    phone: String,
    own_phone: bool,
    choices: Vec<Option2>,
    times: Vec<Option2>,
    languages: Vec<(String, String, bool)>,
    page_languages: Vec<(String, String, bool)>,
    error: Option<&'static str>,
    done: Option<&'static str>,
}

/// When to call her, in the page's language; `selected` is a `BestTime` code.
pub(super) fn time_options(t: &Texts, selected: &str) -> Vec<Option2> {
    BestTime::ALL
        .iter()
        .map(|b| Option2 {
            value: b.code(),
            label: t.get(&format!("time_{}", b.code())),
            selected: selected == b.code(),
        })
        .collect()
}

/// The letter languages by their own names, `selected` chosen.
pub(super) fn language_options(selected: &str) -> Vec<(String, String, bool)> {
    response::LANGUAGES.iter().map(|c| (c.to_string(), language_name(c), *c == selected)).collect()
}

pub(super) fn language_name(code: &str) -> String {
    response::endonym(code).to_string()
}

fn page(
    l: Layout,
    lang: &str,
    input: &AnswerInput,
    error: Option<&'static str>,
    done: Option<&'static str>,
) -> AnswerPage {
    let t = Texts::new(lang);
    // The whole page in her language, without the staff tagline (issue 14).
    let l = l.for_her(t.lang);
    let choices = Choice::ALL
        .iter()
        .map(|c| Option2 {
            value: c.code(),
            label: t.get(&format!("choice_{}", c.code())),
            selected: input.choice == c.code(),
        })
        .collect();
    let times = time_options(&t, &input.best_time);
    let spoken = if input.language.is_empty() { t.lang } else { input.language.as_str() };
    let languages = language_options(spoken);
    let page_languages = language_options(t.lang);
    AnswerPage {
        l,
        t,
        code: input.code.clone(),
        phone: input.phone.clone(),
        own_phone: !input.own_phone.is_empty(),
        choices,
        times,
        languages,
        page_languages,
        error,
        done,
    }
}

/// The language a public page is asked for in (`?lang=ar`).
#[derive(serde::Deserialize, Default)]
pub struct Lang {
    pub(super) lang: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Query(q): Query<Lang>,
) -> AppResult<Response> {
    let lang = q.lang.unwrap_or_else(|| "da".into());
    let input = AnswerInput { language: lang.clone(), ..Default::default() };
    // No session for a visitor (issue 13, item 9): the form's token is signed instead.
    let (ctx, new) = public_form::for_page(&state, &ctx, &headers)?;
    let response = render(&page(Layout::new(&state, &ctx, PAGE), &lang, &input, None, None))?;
    Ok(public_form::with_cookie(response, &state, new))
}

/// The language a public page was read in, sent with its form.
#[derive(serde::Deserialize, Default)]
pub struct PageLang {
    #[serde(default)]
    pub(super) page_lang: String,
}

fn answered(
    state: &AppState,
    ctx: &Ctx,
    lang: &str,
    input: &AnswerInput,
    error: Option<&'static str>,
    status: StatusCode,
) -> AppResult<Response> {
    let mut r = render(&page(Layout::new(state, ctx, PAGE), lang, input, error, None))?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    address: ClientAddress,
    PublicForms(input, PageLang { page_lang }, token): PublicForms<AnswerInput, PageLang>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /svar";
    let ctx = public_form::with_token(&ctx, &token);
    let lang = if page_lang.is_empty() { "da".to_string() } else { page_lang };
    let limits = &state.limits;
    let by_address = address_key(address.0);
    // Guesses from this address have spent its budget, or it has answered more than
    // anyone helping women answer would: wait. Guesses elsewhere never count here.
    if !limits.answer_guesses.allows(&by_address) || !limits.answer_valid.allows(&by_address) {
        let key = CodeRefused::TooManyTries.text_key();
        return answered(&state, &ctx, &lang, &input, Some(key), StatusCode::TOO_MANY_REQUESTS);
    }
    let choice = match app::public::answer_response_code(&state.app, ORIGIN, &input).await {
        Ok(Answered::Recorded(choice)) => {
            limits.answer_valid.spend(&by_address);
            choice
        }
        Ok(Answered::Refused(reason)) => {
            if reason == CodeRefused::Unknown {
                limits.answer_guesses.spend(&by_address);
            }
            let status = match reason {
                CodeRefused::Unknown => StatusCode::NOT_FOUND,
                _ => StatusCode::GONE,
            };
            return answered(&state, &ctx, &lang, &input, Some(reason.text_key()), status);
        }
        Err(app::Error::Invalid(errors)) => {
            if errors.for_field("code").is_some() {
                limits.answer_guesses.spend(&by_address);
            }
            let key =
                errors.for_field("code").or_else(|| errors.for_field("choice")).or_else(|| errors.for_field("phone"));
            return answered(&state, &ctx, &lang, &input, key, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    let done = match choice {
        Choice::CallMe => "thanks_call_me",
        Choice::NotNow => "thanks_not_now",
        Choice::NeverAgain => "thanks_never",
    };
    let cleared = AnswerInput { language: input.language.clone(), ..Default::default() };
    render(&page(Layout::new(&state, &ctx, PAGE), &lang, &cleared, None, Some(done)))
}
