//! Letter templates per language (issue 4, G-5.6, G-8.4): the coordinator edits the
//! initiative's letter in Danish and in the letter languages, sees the letter check's
//! findings on a letter rendered with sample values, and marks a translation reviewed
//! once a qualified translator has checked it. Until then it says it needs review.

use super::{FormField, language_label, render, with_errors};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::{CsrfForm, CurrentUser};
use app::templates::Templates;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::letter_check::{self, CheckContext, Finding, Severity};
use domain::letter_template::{self, LetterTemplate, TemplateInput};
use domain::validation::FieldErrors;
use serde::Deserialize;

/// The DPO's contact as a letter gives it: the e-mail, else the phone.
fn dpo_contact(state: &AppState) -> String {
    state.config.municipality.dpo_contact()
}

/// The check runs on the letter as she would read it, with sample values filled in.
fn findings(state: &AppState, t: &LetterTemplate) -> Vec<Finding> {
    let m = &state.config.municipality;
    let dpo = dpo_contact(state);
    let letter = letter_template::render(t, &letter_template::sample_fill(&m.name, &dpo));
    let ctx =
        CheckContext { motivation_factors: &[], municipality_name: &m.name, dpo_contact: &dpo, data_from_her: false };
    letter_check::check(&letter, &ctx)
}

pub struct FindingView {
    pub error: bool,
    pub rule: String,
    pub text: String,
}

fn finding_views(l: &Layout, found: &[Finding]) -> Vec<FindingView> {
    found
        .iter()
        .map(|f| FindingView {
            error: f.severity == Severity::Error,
            rule: f.rule.guide_ref().to_string(),
            text: finding_text(l, f),
        })
        .collect()
}

/// A finding in the reader's words: a language named, not coded.
pub(super) fn finding_text(l: &Layout, f: &Finding) -> String {
    let args: Vec<(&str, String)> = f
        .args
        .iter()
        .map(|(k, v)| if *k == "language" { (*k, language_label(l.locale, v)) } else { (*k, v.clone()) })
        .collect();
    l.t_many(f.message_id, &args)
}

struct LanguageRow {
    code: String,
    name: String,
    saved: bool,
    reviewed: bool,
    errors: usize,
}

#[derive(Template)]
#[template(path = "letters.html")]
struct ListPage {
    l: Layout,
    rows: Vec<LanguageRow>,
}

pub async fn list(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let templates = app::templates::view(&state.app, &cu.caller("GET /letters")).await?;
    let l = Layout::new(&state, &cu.ctx, "/letters");
    let rows = templates
        .all()
        .into_iter()
        .map(|(t, saved)| LanguageRow {
            name: language_label(l.locale, &t.language),
            saved,
            reviewed: t.reviewed,
            errors: findings(&state, &t).iter().filter(|f| f.severity == Severity::Error).count(),
            code: t.language,
        })
        .collect();
    render(&ListPage { l, rows })
}

#[derive(Template)]
#[template(path = "letter.html")]
struct EditPage {
    l: Layout,
    code: String,
    name: String,
    rtl: bool,
    saved: bool,
    reviewed: bool,
    fields: Vec<FormField>,
    findings: Vec<FindingView>,
    field_errors: Vec<String>,
    preview: letter_check::Letter,
    danish: Option<letter_check::Letter>,
    form_error: Option<String>,
}

/// The check and the preview alone, for the live check while she types.
#[derive(Template)]
#[template(path = "letter_check_part.html")]
struct CheckPart {
    l: Layout,
    code: String,
    rtl: bool,
    findings: Vec<FindingView>,
    field_errors: Vec<String>,
    preview: letter_check::Letter,
}

/// What the check says of the text on the page, saved or not: its findings on the
/// letter rendered with sample values, or, while the placeholders are wrong, those
/// errors; and the preview.
fn checked(
    state: &AppState,
    l: &Layout,
    code: &str,
    input: &TemplateInput,
) -> (Vec<FindingView>, Vec<String>, letter_check::Letter) {
    let m = &state.config.municipality;
    let fill = letter_template::sample_fill(&m.name, &dpo_contact(state));
    match input.parse(code) {
        Ok(t) => (finding_views(l, &findings(state, &t)), Vec::new(), letter_template::render(&t, &fill)),
        Err(errors) => {
            let messages = errors.0.iter().map(|e| l.t(e.message)).collect();
            (Vec::new(), messages, letter_check::Letter { language: code.to_string(), ..Default::default() })
        }
    }
}

fn is_known(code: &str) -> bool {
    domain::reference::language(code).is_some()
}

async fn edit_page(
    state: &AppState,
    cu: &CurrentUser,
    templates: &Templates,
    code: &str,
    input: Option<(TemplateInput, FieldErrors)>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/letters");
    let stored = templates.current(code);
    let (saved, reviewed) = stored.as_ref().map(|(t, s)| (*s, t.reviewed)).unwrap_or((false, false));
    let (input, errors) = match input {
        Some(given) => given,
        None => {
            let t = stored.map(|(t, _)| t);
            let input = TemplateInput {
                headline: t.as_ref().map(|t| t.headline.clone()).unwrap_or_default(),
                body: t.as_ref().map(|t| t.body.clone()).unwrap_or_default(),
                offer: t.as_ref().map(|t| t.offer.clone()).unwrap_or_default(),
            };
            (input, FieldErrors::default())
        }
    };
    let (findings, field_errors, preview) = checked(state, &l, code, &input);
    let m = &state.config.municipality;
    let fill = letter_template::sample_fill(&m.name, &dpo_contact(state));
    // The letter goes out in her language and in Danish.
    let danish =
        if code == "da" { None } else { templates.current("da").map(|(t, _)| letter_template::render(&t, &fill)) };
    // The body in a tall editor beside its preview (issue 14, item 8).
    let mut hint = FormField::new("body", l.t("letter-body"), "editor", &input.body);
    hint.hint = Some(l.t("letter-placeholders"));
    let fields = with_errors(
        &l,
        vec![
            FormField::new("headline", l.t("letter-headline"), "text", &input.headline),
            hint,
            FormField::new("offer", l.t("letter-offer"), "textarea", &input.offer),
        ],
        &errors,
        &["headline", "body", "offer"],
    );
    let failed = !errors.is_empty();
    let page = EditPage {
        code: code.to_string(),
        name: language_label(l.locale, code),
        rtl: domain::reference::language(code).is_some_and(|x| x.right_to_left),
        saved,
        reviewed,
        findings,
        field_errors,
        preview,
        danish,
        form_error: failed.then(|| l.t("error-form-summary")),
        fields,
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser, Path(code): Path<String>) -> AppResult<Response> {
    let templates = app::templates::view(&state.app, &cu.caller("GET /letters/{lang}")).await?;
    if !is_known(&code) {
        return Err(AppError::NotFound);
    }
    edit_page(&state, &cu, &templates, &code, None).await
}

pub async fn save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(input): CsrfForm<TemplateInput>,
) -> AppResult<Response> {
    let caller = cu.caller("POST /letters/{lang}");
    match app::templates::save(&state.app, &caller, &code, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{code}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let templates = app::templates::view(&state.app, &caller).await?;
            edit_page(&state, &cu, &templates, &code, Some((input, errors))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

pub async fn mark_reviewed(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    app::templates::mark_reviewed(&state.app, &cu.caller("POST /letters/{lang}/reviewed"), &code).await?;
    Ok(Redirect::to(&format!("/letters/{code}")).into_response())
}

/// The live check (issue 4: "shown live while editing"): the page posts the text as
/// it is typed and shows what comes back. Nothing is stored and nothing is audited,
/// as no woman's data is involved.
pub async fn check_live(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(input): CsrfForm<TemplateInput>,
) -> AppResult<Response> {
    // The check reads nothing stored, but only who edits letters may ask it.
    app::templates::view(&state.app, &cu.caller("POST /letters/{lang}/check")).await?;
    if !is_known(&code) {
        return Err(AppError::NotFound);
    }
    let l = Layout::new(&state, &cu.ctx, "/letters");
    let (findings, field_errors, preview) = checked(&state, &l, &code, &input);
    let rtl = domain::reference::language(&code).is_some_and(|x| x.right_to_left);
    render(&CheckPart { l, code, rtl, findings, field_errors, preview })
}
