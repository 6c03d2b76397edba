//! The selection rules (G-5.2): the guide's examples as templates, edited as steps,
//! kept as TOML.

use super::*;

// ---------------------------------------------------------------------------------
// Selection rules
// ---------------------------------------------------------------------------------

struct StepFormRow {
    index: usize,
    actions: Vec<Opt>,
    sources: Vec<Opt>,
    within_months: String,
    amount_above: String,
    types: String,
    in_force: Vec<Opt>,
    reason: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "register_rules.html")]
struct RulesPage {
    l: Layout,
    fields: Vec<FormField>,
    steps: Vec<StepFormRow>,
    templates: Vec<Opt>,
    toml: Option<String>,
    reference: Option<String>,
    version: Option<u32>,
    form_error: Option<String>,
}

fn rules_fields(l: &Layout, areas: &[domain::org::Area], input: &RulesInput, errors: &FieldErrors) -> Vec<FormField> {
    let on = |v: &Option<String>| if v.is_some() { "on" } else { "" };
    let area_options =
        areas.iter().map(|a| Opt::new(a.code.clone(), a.name.clone(), input.areas.contains(&a.code))).collect();
    let mut years =
        FormField::new("more_than_years_in_denmark", l.t("rules-years"), "text", &input.more_than_years_in_denmark);
    years.hint = Some(l.t("rules-hint-years"));
    let mut countries = FormField::new("countries", l.t("rules-countries"), "text", &input.countries);
    countries.hint = Some(l.t("rules-hint-countries"));
    let list = vec![
        FormField::new("name", l.t("rules-name"), "text", &input.name),
        FormField::new("female_only", l.t("rules-female-only"), "checkbox", on(&input.female_only)),
        FormField::new("min_age", l.t("rules-min-age"), "text", &input.min_age),
        FormField::new("max_age", l.t("rules-max-age"), "text", &input.max_age),
        FormField::new("non_western_only", l.t("rules-non-western"), "checkbox", on(&input.non_western_only)),
        // A register's "stateless" and "unknown" are no country: the rules say whether
        // such women are taken (issue 12), never a silent guess.
        FormField::new("include_stateless", l.t("rules-include-stateless"), "checkbox", on(&input.include_stateless)),
        FormField::new(
            "include_unknown_origin",
            l.t("rules-include-unknown-origin"),
            "checkbox",
            on(&input.include_unknown_origin),
        ),
        countries,
        years,
        FormField::checkboxes("areas", l.t("field-areas"), area_options),
    ];
    with_errors(l, list, errors, &["name", "min_age", "max_age"])
}

fn step_rows(l: &Layout, input: &RulesInput, errors: &FieldErrors) -> Vec<StepFormRow> {
    let mut steps = input.steps();
    // Always room for one more step.
    if steps.len() < selection::MAX_STEPS && steps.iter().all(|s| !s.source.is_empty()) {
        steps.push(selection::StepInput::default());
    }
    let mut filled = 0usize;
    steps
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let mut row_errors = Vec::new();
            if !s.source.trim().is_empty() {
                for part in ["source", "within_months", "amount_above", "reason", "types"] {
                    if let Some(key) = errors.for_field(selection::step_field(filled, part)) {
                        row_errors.push(format!(
                            "{}: {}",
                            l.t(&format!("rules-step-{}", part.replace('_', "-"))),
                            l.t(key)
                        ));
                    }
                }
                filled += 1;
            }
            let mut sources = vec![Opt::new("", l.t("rules-no-step"), s.source.is_empty())];
            sources.extend(
                StepSource::ALL.iter().map(|k| Opt::new(k.code(), kind_label(l, k.code()), s.source == k.code())),
            );
            StepFormRow {
                index: index + 1,
                actions: ["require", "exclude"]
                    .iter()
                    .map(|a| Opt::new(*a, l.t(&format!("rules-action-{a}")), s.action == *a))
                    .collect(),
                sources,
                within_months: s.within_months.clone(),
                amount_above: s.amount_above.clone(),
                types: s.types.clone(),
                in_force: ["no", "yes"]
                    .iter()
                    .map(|v| Opt::new(*v, l.t(&format!("rules-in-force-{v}")), s.in_force == *v))
                    .collect(),
                reason: s.reason.clone(),
                errors: row_errors,
            }
        })
        .collect()
}

async fn rules_page(
    state: &AppState,
    cu: &CurrentUser,
    initiative: &Initiative,
    given: Option<(RulesInput, FieldErrors)>,
) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/register");
    let saved = state.store.selection_rules(initiative.id).await?;
    let current = saved.first();
    let failed = given.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (input, errors) = match given {
        Some(g) => g,
        None => {
            let rules = current
                .and_then(|r| Rules::from_toml(&r.toml).ok())
                .or_else(|| selection::template(selection::TEMPLATES[0]));
            (rules.map(|r| r.to_input(1)).unwrap_or_default(), FieldErrors::default())
        }
    };
    let areas = state.store.list_areas().await?;
    let page = RulesPage {
        fields: rules_fields(&l, &areas, &input, &errors),
        steps: step_rows(&l, &input, &errors),
        templates: selection::TEMPLATES
            .iter()
            .map(|t| Opt::new(*t, l.t(&format!("rules-template-{}", t.replace('_', "-"))), false))
            .collect(),
        toml: current.map(|r| r.toml.clone()),
        reference: current.map(|r| Rules::reference(&r.toml)),
        version: current.map(|r| r.version),
        form_error: failed.then(|| l.t("error-form-summary")),
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct TemplateQuery {
    template: Option<String>,
}

pub async fn rules_show(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<TemplateQuery>,
) -> AppResult<Response> {
    let initiative = require(&state, &cu, Action::RegisterSearch, "GET /register/rules").await?;
    // A template fills the form; nothing is saved until the coordinator saves.
    let given = q.template.as_deref().and_then(selection::template).map(|r| (r.to_input(1), FieldErrors::default()));
    rules_page(&state, &cu, &initiative, given).await
}

pub async fn rules_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    CsrfForm(input): CsrfForm<RulesInput>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/rules";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let rules = match input.parse() {
        Ok(r) => r,
        Err(errors) => return rules_page(&state, &cu, &initiative, Some((input, errors))).await,
    };
    let saved = search::save_rules(&state.app, &cu.caller(ORIGIN), &rules).await?;
    Ok(Redirect::to(&format!("/register?rules_saved={}", saved.rules.version)).into_response())
}

/// The rules file itself, for the lawyer's review and the plan's reference.
pub async fn rules_file(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let initiative = require(&state, &cu, Action::RegisterSearch, "GET /register/rules.toml").await?;
    let saved = state.store.selection_rules(initiative.id).await?;
    let current = saved.first().ok_or(AppError::NotFound)?;
    let name = format!("attachment; filename=\"udvaelgelse-v{}.toml\"", current.version);
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        current.toml.clone(),
    )
        .into_response())
}
