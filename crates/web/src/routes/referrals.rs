//! A partner refers a woman with her consent (G-7): from the partner's own account, or
//! through a one-time link the coordinator sent (no account needed). Either way she is
//! a new intake at `interested` (a resemblance to a known woman waits for a
//! coordinator), and the partner is told the same whatever came of it (issue 13,
//! item 2). An account sees its referrals' coarse status,
//! only where she agreed to that; a link gets a receipt and nothing more.

use super::{ConsentView, FormField, Opt, language_label, render, with_errors};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::public_form::{self, PublicForms};
use crate::session::{CsrfForm, Ctx, CurrentUser};
use app::Refusal;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::consent_text::{self, PARTNER_STATUS_VERSION};
use domain::partner::{self, ContactPreference, LinkRefused, ReferralInput};
use domain::validation::FieldErrors;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "referrals.html")]
struct ListPage {
    l: Layout,
    rows: Vec<(String, String, String)>,
    done: bool,
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// The partner's own referrals with the status she agreed it may see.
pub async fn list(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<Done>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /referrals";
    let referrals = app::partners::referrals(&state.app, &cu.caller(ORIGIN)).await?;
    let l = Layout::new(&state, &cu.ctx, "/referrals");
    let rows = referrals
        .into_iter()
        .map(|r| {
            let status = match (r.status_consent, r.status) {
                (false, _) => l.t("referral-status-not-shared"),
                (true, Some(s)) => l.t(&format!("coarse-{}", s.code())),
                (true, None) => String::new(),
            };
            (r.given_name, crate::time_fmt::date(r.referred_at.date()), status)
        })
        .collect();
    render(&ListPage { l, rows, done: q.done.is_some() })
}

#[derive(Template)]
#[template(path = "referral_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    consent: Option<ConsentView>,
    fields: Vec<FormField>,
    form_error: Option<String>,
    /// For a link: the partner's name, so the referrer sees whose link it is.
    partner_name: Option<String>,
}

fn fields(l: &Layout, input: &ReferralInput, errors: &FieldErrors) -> Vec<FormField> {
    let on = |v: &Option<String>| if v.is_some() { "on" } else { "" };
    let mut consent_box = FormField::new("consent", l.t("referral-consent-given"), "checkbox", on(&input.consent));
    consent_box.hint = Some(l.t("field-consent-hint"));
    let languages = consent_text::languages(partner::consent_text_version())
        .into_iter()
        .map(|code| Opt::new(code, language_label(l.locale, code), input.language == code))
        .collect();
    let preferences = ContactPreference::ALL
        .iter()
        .map(|p| {
            let label = l.t(&format!("contact-preference-{}", p.code().replace('_', "-")));
            Opt::new(p.code(), label, input.contact_preference == p.code())
        })
        .collect();
    let list = vec![
        consent_box,
        FormField::new("status_consent", l.t("referral-status-consent"), "checkbox", on(&input.status_consent)),
        FormField::new("given_name", l.t("field-first-name"), "text", &input.given_name),
        FormField::new("family_name", l.t("field-family-name"), "text", &input.family_name),
        FormField::new("phone", l.t("field-phone"), "tel", &input.phone),
        FormField::new("phone_hers_alone", l.t("field-phone-hers-alone"), "checkbox", on(&input.phone_hers_alone)),
        FormField::select("language", l.t("field-language"), languages),
        FormField::select("contact_preference", l.t("field-contact-preference"), preferences),
        FormField::new("note", l.t("referral-note"), "textarea", &input.note),
    ];
    with_errors(l, list, errors, &["consent", "given_name", "language", "contact_preference"])
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    l: Layout,
    action: String,
    lang: &str,
    input: &ReferralInput,
    errors: &FieldErrors,
    form_error: Option<String>,
    partner_name: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let versions = [partner::consent_text_version(), PARTNER_STATUS_VERSION];
    let consent = ConsentView::new(l.locale, action.clone(), &versions, lang);
    let fields = fields(&l, input, errors);
    let form_error = form_error.or_else(|| (!errors.is_empty()).then(|| l.t("error-form-summary")));
    let mut r = render(&FormPage { l, action, consent, fields, form_error, partner_name })?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct Lang {
    lang: Option<String>,
}

pub async fn new_form(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<Lang>) -> AppResult<Response> {
    app::partners::may_refer(&state.app, &cu.caller("GET /referrals/new")).await?;
    let l = Layout::new(&state, &cu.ctx, "/referrals");
    let lang = q.lang.unwrap_or_default();
    let input = ReferralInput { language: lang.clone(), ..Default::default() };
    form_page(l, "/referrals/new".into(), &lang, &input, &FieldErrors::default(), None, None, StatusCode::OK)
}

/// A refused referral as the form shows it: the fields that failed, or a message for
/// the whole form. Anything else is no form error.
fn form_errors(e: app::Error) -> AppResult<(FieldErrors, Option<&'static str>)> {
    match e {
        app::Error::Invalid(errors) => Ok((errors, None)),
        app::Error::NotFound("initiative") => Ok((FieldErrors::default(), Some("error-no-initiative"))),
        app::Error::Refused(Refusal::Link(reason)) => Ok((FieldErrors::default(), Some(reason.message_id()))),
        e => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<ReferralInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /referrals/new";
    match app::partners::refer(&state.app, &cu.caller(ORIGIN), &input).await {
        Ok(_) => Ok(Redirect::to("/referrals?done=1").into_response()),
        Err(e) => {
            let (errors, message) = form_errors(e)?;
            let l = Layout::new(&state, &cu.ctx, "/referrals");
            let message = message.map(|m| l.t(m));
            let lang = input.language.clone();
            form_page(
                l,
                "/referrals/new".into(),
                &lang,
                &input,
                &errors,
                message,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

// ---------------------------------------------------------------- one-time links

#[derive(Template)]
#[template(path = "referral_done.html")]
struct LinkMessage {
    l: Layout,
    title: String,
    message: String,
}

fn refused(state: &AppState, ctx: &Ctx, reason: LinkRefused) -> AppResult<Response> {
    let l = Layout::new(state, ctx, "/r");
    let page = LinkMessage { title: l.t("referral-link-title"), message: l.t(reason.message_id()), l };
    let mut r = render(&page)?;
    *r.status_mut() = match reason {
        LinkRefused::Unknown => StatusCode::NOT_FOUND,
        LinkRefused::Used | LinkRefused::Expired => StatusCode::GONE,
    };
    Ok(r)
}

pub async fn link_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Query(q): Query<Lang>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /r/{token}";
    let partner_name = match app::partners::open_link(&state.app, ORIGIN, &token).await {
        Ok(link) => link.partner_name,
        Err(app::Error::Refused(Refusal::Link(reason))) => return refused(&state, &ctx, reason),
        Err(e) => return Err(e.into()),
    };
    // No session for a visitor (issue 13, item 9): the form's token is signed instead.
    let (ctx, new) = public_form::for_page(&state, &ctx, &headers)?;
    let l = Layout::new(&state, &ctx, "/r");
    let lang = q.lang.unwrap_or_default();
    let input = ReferralInput { language: lang.clone(), ..Default::default() };
    let response = form_page(
        l,
        format!("/r/{token}"),
        &lang,
        &input,
        &FieldErrors::default(),
        None,
        Some(partner_name),
        StatusCode::OK,
    )?;
    Ok(public_form::with_cookie(response, &state, new))
}

/// The link's form has no fields of the page's own.
#[derive(serde::Deserialize, Default)]
pub struct NoMore {}

pub async fn link_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    PublicForms(input, NoMore {}, form_token): PublicForms<ReferralInput, NoMore>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /r/{token}";
    let ctx = public_form::with_token(&ctx, &form_token);
    // Opened first, so that a link refused before the form is read gets the link's
    // own page (gone, not found), and a bad form is shown again with the partner's name.
    let partner_name = match app::partners::open_link(&state.app, ORIGIN, &token).await {
        Ok(link) => link.partner_name,
        Err(app::Error::Refused(Refusal::Link(reason))) => return refused(&state, &ctx, reason),
        Err(e) => return Err(e.into()),
    };
    match app::partners::refer_by_link(&state.app, ORIGIN, &token, &input).await {
        Ok(_) => {
            let l = Layout::new(&state, &ctx, "/r");
            render(&LinkMessage { title: l.t("referral-receipt-title"), message: l.t("referral-receipt"), l })
        }
        Err(e) => {
            let (errors, message) = form_errors(e)?;
            let l = Layout::new(&state, &ctx, "/r");
            let message = message.map(|m| l.t(m));
            let lang = input.language.clone();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(l, format!("/r/{token}"), &lang, &input, &errors, message, Some(partner_name), status)
        }
    }
}
