//! The rules page's form: what the coordinator types, parsed into `Rules`.

use super::*;

/// One step row of the form, every field as text.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub action: String,
    pub source: String,
    pub within_months: String,
    pub amount_above: String,
    pub types: String,
    /// "yes" for a contract in force on the run date.
    pub in_force: String,
    pub reason: String,
}

/// The rules form. A browser form sends the step rows as parallel lists (one entry
/// per row and column); a row left without a source is simply not a step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RulesInput {
    pub name: String,
    pub female_only: Option<String>,
    pub min_age: String,
    pub max_age: String,
    pub non_western_only: Option<String>,
    /// Checkboxes: admit stateless women / women whose origin is not stated.
    pub include_stateless: Option<String>,
    pub include_unknown_origin: Option<String>,
    pub countries: String,
    pub more_than_years_in_denmark: String,
    pub areas: Vec<String>,
    pub step_action: Vec<String>,
    pub step_source: Vec<String>,
    pub step_within_months: Vec<String>,
    pub step_amount_above: Vec<String>,
    pub step_types: Vec<String>,
    pub step_in_force: Vec<String>,
    pub step_reason: Vec<String>,
}

impl RulesInput {
    /// The rows, padded where a column came shorter.
    pub fn steps(&self) -> Vec<StepInput> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..self.step_source.len())
            .map(|i| StepInput {
                action: at(&self.step_action, i),
                source: at(&self.step_source, i),
                within_months: at(&self.step_within_months, i),
                amount_above: at(&self.step_amount_above, i),
                types: at(&self.step_types, i),
                in_force: at(&self.step_in_force, i),
                reason: at(&self.step_reason, i),
            })
            .collect()
    }

    fn set_steps(&mut self, steps: Vec<StepInput>) {
        for s in steps {
            self.step_action.push(s.action);
            self.step_source.push(s.source);
            self.step_within_months.push(s.within_months);
            self.step_amount_above.push(s.amount_above);
            self.step_types.push(s.types);
            self.step_in_force.push(s.in_force);
            self.step_reason.push(s.reason);
        }
    }
}

/// Form field names for step `i` (errors name the row the coordinator must fix).
pub fn step_field(i: usize, part: &str) -> &'static str {
    const PARTS: [&str; 5] = ["source", "within_months", "amount_above", "reason", "types"];
    const NAMES: [[&str; 5]; MAX_STEPS] = [
        ["step0_source", "step0_within_months", "step0_amount_above", "step0_reason", "step0_types"],
        ["step1_source", "step1_within_months", "step1_amount_above", "step1_reason", "step1_types"],
        ["step2_source", "step2_within_months", "step2_amount_above", "step2_reason", "step2_types"],
        ["step3_source", "step3_within_months", "step3_amount_above", "step3_reason", "step3_types"],
        ["step4_source", "step4_within_months", "step4_amount_above", "step4_reason", "step4_types"],
        ["step5_source", "step5_within_months", "step5_amount_above", "step5_reason", "step5_types"],
        ["step6_source", "step6_within_months", "step6_amount_above", "step6_reason", "step6_types"],
        ["step7_source", "step7_within_months", "step7_amount_above", "step7_reason", "step7_types"],
    ];
    let p = PARTS.iter().position(|x| *x == part).unwrap_or(0);
    NAMES[i.min(MAX_STEPS - 1)][p]
}

fn list(input: &str) -> Vec<String> {
    input.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl RulesInput {
    pub fn parse(&self) -> Result<Rules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.add("name", "error-required");
        } else if name.chars().count() > MAX_NAME {
            errors.add("name", "error-too-long");
        }
        let age = |errors: &mut FieldErrors, field: &'static str, s: &str| match parse_whole(s) {
            Some(v) if v <= 120 => v,
            _ => {
                errors.add(field, "error-whole-number");
                0
            }
        };
        let min_age = age(&mut errors, "min_age", &self.min_age);
        let max_age = age(&mut errors, "max_age", &self.max_age);
        if min_age > max_age {
            errors.add("max_age", "error-range");
        }
        let countries: Vec<String> = list(&self.countries).into_iter().map(|c| c.to_ascii_uppercase()).collect();
        if countries.len() > MAX_LIST
            || countries.iter().any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
        {
            errors.add("countries", "error-country-codes");
        }
        let more_than_years_in_denmark = match optional(&self.more_than_years_in_denmark) {
            None => None,
            Some(s) => match parse_whole(&s) {
                Some(v) if v <= 100 => Some(v),
                _ => {
                    errors.add("more_than_years_in_denmark", "error-whole-number");
                    None
                }
            },
        };
        let areas: Vec<String> = self.areas.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        let mut steps = Vec::new();
        let all = self.steps();
        let rows: Vec<&StepInput> = all.iter().filter(|s| !s.source.trim().is_empty()).collect();
        if rows.len() > MAX_STEPS {
            errors.add("steps", "error-too-many-steps");
        }
        for (i, s) in rows.iter().take(MAX_STEPS).enumerate() {
            let Some(source) = StepSource::from_code(s.source.trim()) else {
                errors.add(step_field(i, "source"), "error-unknown-choice");
                continue;
            };
            let action = match s.action.trim() {
                "exclude" => Action::Exclude,
                _ => Action::Require,
            };
            let within_months = match optional(&s.within_months) {
                None => None,
                Some(t) => match parse_whole(&t) {
                    Some(v) if (1..=120).contains(&v) => Some(v),
                    _ => {
                        errors.add(step_field(i, "within_months"), "error-whole-number");
                        None
                    }
                },
            };
            let amount_above = match optional(&s.amount_above) {
                None => None,
                Some(t) => match t.replace(['.', ' '], "").parse::<i64>() {
                    Ok(v) if v >= 0 => Some(v),
                    _ => {
                        errors.add(step_field(i, "amount_above"), "error-whole-number");
                        None
                    }
                },
            };
            let reason = s.reason.trim().to_string();
            if reason.is_empty() {
                errors.add(step_field(i, "reason"), "error-required");
            } else if reason.chars().count() > MAX_REASON {
                errors.add(step_field(i, "reason"), "error-too-long");
            }
            let in_force = s.in_force == "yes" && source == StepSource::MaintenanceContracts;
            steps.push(Step { action, source, within_months, amount_above, types: list(&s.types), in_force, reason });
        }
        let rules = Rules {
            name,
            population: PopulationFilter {
                sex: if checkbox(&self.female_only) { SexFilter::Female } else { SexFilter::Any },
                min_age,
                max_age,
                origin: if checkbox(&self.non_western_only) { Origin::NonWestern } else { Origin::Any },
                countries,
                more_than_years_in_denmark,
                areas,
                include_stateless: checkbox(&self.include_stateless),
                include_unknown_origin: checkbox(&self.include_unknown_origin),
            },
            steps,
        };
        errors.into_result(|| rules)
    }
}

impl Rules {
    /// The form filled in from these rules, with `blank_rows` empty step rows added.
    pub fn to_input(&self, blank_rows: usize) -> RulesInput {
        let on = || Some("on".to_string());
        let mut steps: Vec<StepInput> = self
            .steps
            .iter()
            .map(|s| StepInput {
                action: s.action.code().into(),
                source: s.source.code().into(),
                within_months: s.within_months.map(|m| m.to_string()).unwrap_or_default(),
                amount_above: s.amount_above.map(|a| a.to_string()).unwrap_or_default(),
                types: s.types.join(", "),
                in_force: if s.in_force { "yes".into() } else { "no".into() },
                reason: s.reason.clone(),
            })
            .collect();
        let room = MAX_STEPS.saturating_sub(steps.len()).min(blank_rows);
        steps.extend((0..room).map(|_| StepInput::default()));
        let mut input = RulesInput {
            name: self.name.clone(),
            female_only: (self.population.sex == SexFilter::Female).then(on).flatten(),
            min_age: self.population.min_age.to_string(),
            max_age: self.population.max_age.to_string(),
            non_western_only: (self.population.origin == Origin::NonWestern).then(on).flatten(),
            include_stateless: self.population.include_stateless.then(on).flatten(),
            include_unknown_origin: self.population.include_unknown_origin.then(on).flatten(),
            countries: self.population.countries.join(", "),
            more_than_years_in_denmark: self
                .population
                .more_than_years_in_denmark
                .map(|y| y.to_string())
                .unwrap_or_default(),
            areas: self.population.areas.clone(),
            ..RulesInput::default()
        };
        input.set_steps(steps);
        input
    }
}
