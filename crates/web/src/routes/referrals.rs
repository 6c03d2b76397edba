//! A partner refers a woman with her consent (G-7): from the partner's own account, or
//! through a one-time link the coordinator sent (no account needed). Either way she is
//! checked against the do-not-contact list and known persons (one woman, one person)
//! and enters the funnel at `interested`. An account sees its referrals' coarse status,
//! only where she agreed to that; a link gets a receipt and nothing more.

use super::{ConsentView, FormField, Opt, deny, language_label, render, today, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, Ctx, CurrentUser};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::consent_text::{self, PARTNER_STATUS_VERSION};
use domain::do_not_contact::identity_hashes;
use domain::org::User;
use domain::partner::{self, ContactPreference, LinkRefused, ReferralInput};
use domain::policy::{self, Action};
use domain::validation::FieldErrors;
use serde::Deserialize;
use store::{ReferralOutcome, ReferralWrite, Store, StoreError};
use uuid::Uuid;

async fn require(state: &AppState, cu: &CurrentUser, origin: &str) -> AppResult<Uuid> {
    match cu.user.partner_org_id {
        Some(org) if policy::may(&cu.actor(), Action::Refer, None) => Ok(org),
        _ => Err(deny(state, cu, origin, None, AppError::Forbidden).await),
    }
}

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
    let org = require(&state, &cu, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/referrals");
    let mut rows = Vec::new();
    if let Some(initiative) = super::current_initiative(&state).await? {
        let referrals = state.store.list_referrals(org, initiative.id).await?;
        // The list names women: it is audited like any list, with every woman shown.
        let shown = referrals.iter().map(|r| r.person_id).collect();
        state.store.append_audit(&super::audit(&cu, AuditAction::ListPeople, ORIGIN, shown, String::new())).await?;
        rows = referrals
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
    }
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
        FormField::new("phone", l.t("field-phone"), "text", &input.phone),
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
    require(&state, &cu, "GET /referrals/new").await?;
    let l = Layout::new(&state, &cu.ctx, "/referrals");
    let lang = q.lang.unwrap_or_default();
    let input = ReferralInput { language: lang.clone(), ..Default::default() };
    form_page(l, "/referrals/new".into(), &lang, &input, &FieldErrors::default(), None, None, StatusCode::OK)
}

/// What both ways of referring share once the form is read: the checks, the write,
/// and the refusal of a bad form (audited with the fields that failed, none of her data).
async fn refer(
    state: &AppState,
    actor: AuditActor,
    origin: &str,
    input: &ReferralInput,
    org: Uuid,
    referred_by: Option<User>,
    link_token_hash: Option<String>,
) -> AppResult<Result<ReferralOutcome, (FieldErrors, Option<&'static str>)>> {
    let record = |action: AuditAction, detail: String| AuditRecord {
        actor: actor.clone(),
        action,
        persons: vec![],
        origin: origin.to_string(),
        detail,
    };
    let referral = match input.parse(today()) {
        Ok(r) => r,
        Err(errors) => {
            let failed: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
            state.store.append_audit(&record(AuditAction::Denied, format!("invalid={}", failed.join(",")))).await?;
            return Ok(Err((errors, None)));
        }
    };
    let Some(initiative) = super::current_initiative(state).await? else {
        return Ok(Err((FieldErrors::default(), Some("error-no-initiative"))));
    };
    let name = referral.person_details().full_name();
    let hashes = identity_hashes(&state.dnc_key, None, &name, None, referral.phone.as_ref());
    if state.store.on_do_not_contact(&hashes).await? {
        state.store.append_audit(&record(AuditAction::Denied, "do_not_contact".into())).await?;
        return Ok(Err((FieldErrors::default(), Some("error-do-not-contact"))));
    }
    let write = ReferralWrite {
        referral,
        partner_org_id: org,
        referred_by,
        link_token_hash,
        initiative_id: initiative.id,
        at: time::OffsetDateTime::now_utc(),
    };
    match state.store.refer(&write, &record(AuditAction::Refer, format!("partner={org}"))).await {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(StoreError::LinkRefused(reason)) => {
            state.store.append_audit(&record(AuditAction::Denied, format!("link={reason:?}"))).await?;
            Ok(Err((FieldErrors::default(), Some(reason.message_id()))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<ReferralInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /referrals/new";
    let org = require(&state, &cu, ORIGIN).await?;
    match refer(&state, cu.audit_actor(), ORIGIN, &input, org, Some(cu.user.clone()), None).await? {
        Ok(_) => Ok(Redirect::to("/referrals?done=1").into_response()),
        Err((errors, message)) => {
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

/// The link's token is no personal data; only its hash is stored. A refused link is
/// audited as a public attempt.
async fn open_link(state: &AppState, token: &str, origin: &str) -> AppResult<Result<(Uuid, String), LinkRefused>> {
    let hash = partner::link_token_hash(token);
    let link = state.store.referral_link(&hash).await?;
    let checked = partner::check_link(link.as_ref(), time::OffsetDateTime::now_utc());
    let partner = match (&checked, &link) {
        (Ok(()), Some(link)) => state.store.get_partner(link.partner_org_id).await?.filter(|p| p.details.active),
        _ => None,
    };
    match (checked, partner) {
        (Ok(()), Some(p)) => Ok(Ok((p.id, p.details.name))),
        (result, _) => {
            let reason = result.err().unwrap_or(LinkRefused::Unknown);
            let record = AuditRecord {
                actor: AuditActor::public(),
                action: AuditAction::Denied,
                persons: vec![],
                origin: origin.to_string(),
                detail: format!("link={reason:?}"),
            };
            state.store.append_audit(&record).await?;
            Ok(Err(reason))
        }
    }
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
    Query(q): Query<Lang>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /r/{token}";
    let (_, partner_name) = match open_link(&state, &token, ORIGIN).await? {
        Ok(p) => p,
        Err(reason) => return refused(&state, &ctx, reason),
    };
    // The form needs a CSRF token, so a visitor gets an anonymous session (as at login).
    let (ctx, cookie) = match &ctx.session {
        Some(_) => (ctx.clone(), None),
        None => {
            let (token, s) = super::auth::new_session(&state, None).await?;
            (Ctx { session: Some(s), ..ctx.clone() }, Some(token))
        }
    };
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
    Ok(match cookie {
        Some(t) => super::auth::with_cookie(response, &t, state.config.secure_cookies),
        None => response,
    })
}

pub async fn link_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    CsrfForm(input): CsrfForm<ReferralInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /r/{token}";
    let (org, partner_name) = match open_link(&state, &token, ORIGIN).await? {
        Ok(p) => p,
        Err(reason) => return refused(&state, &ctx, reason),
    };
    let actor = AuditActor::system(&format!("henvisningslink {partner_name}"));
    let hash = Some(partner::link_token_hash(&token));
    match refer(&state, actor, ORIGIN, &input, org, None, hash).await? {
        Ok(_) => {
            let l = Layout::new(&state, &ctx, "/r");
            render(&LinkMessage { title: l.t("referral-receipt-title"), message: l.t("referral-receipt"), l })
        }
        Err((errors, message)) => {
            let l = Layout::new(&state, &ctx, "/r");
            let message = message.map(|m| l.t(m));
            let lang = input.language.clone();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(l, format!("/r/{token}"), &lang, &input, &errors, message, Some(partner_name), status)
        }
    }
}
