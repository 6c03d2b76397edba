//! The letter batch (issue 4, items 2, 3 and 7): a register run's women who are due
//! for a letter get one, in her language and Danish, on paper or by Digital Post.
//!
//! [`plan`] is the preview: who gets which letter how, who is left out and why
//! (`domain::letter_batch`), and the letter check run again on every woman's own
//! letter. [`send`] plans again, asks the gate, issues the response codes, renders
//! every letter once (print files of the paper letters, one PDF per letter, MeMo for
//! Digital Post), writes the files, and records the batch in one transaction. It is all
//! or nothing: any failure writes no event and leaves no file, so no letter is sent
//! twice or half.
//!
//! The web (`/letters/batch`) and the CLI (`opsog letters preview|send`) call these
//! functions with the same input ([`Input`]), parsed once.

mod files;

use crate::{Caller, Ctx, Error, Refusal, require};
use domain::audit::AuditAction;
use domain::calls::Cadence;
use domain::letter_batch::{self, BatchFinding, BatchText, Delivery, Due, Gate, Recipient, Refused, Skip};
use domain::letter_check::{self, CheckContext};
use domain::letter_template::{self, Fill, LetterTemplate};
use domain::policy::Action;
use domain::response;
use domain::validation::FieldErrors;
use files::{DigitalRecipient, Files, render_and_write};
use letters::{Identity, Letter, Part, Sender};
use std::collections::BTreeMap;
use std::path::PathBuf;
use store::{BatchCandidate, BatchLetterWrite, JobKind, JobOutcome, LetterBatchWrite, ResponseCodeRecord};
use time::OffsetDateTime;
use uuid::Uuid;

/// Letters per print file (issue 4: e.g. one PDF per 500 letters).
pub const PER_PRINT_FILE: usize = 500;

/// What every letter of the municipality shares, from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub identity: Identity,
    /// The public answer page, printed on the letter and in its QR code.
    pub answer_url: String,
    /// Where batches are written: one folder per batch.
    pub out_dir: PathBuf,
    pub threads: usize,
}

impl Settings {
    /// The DPO's contact as the letter names it (GDPR Art. 14(1)(b)).
    fn dpo(&self) -> &str {
        &self.identity.dpo
    }
}

/// The contact person chosen for women who have none.
#[derive(Debug, Clone)]
pub struct ChosenContact {
    pub user_id: Uuid,
    pub name: String,
    pub direct_phone: Option<String>,
    pub team_id: Option<Uuid>,
}

impl ChosenContact {
    /// Only staff who answer for women (`User::answers_for_women`); her direct number
    /// as the letter prints it.
    pub fn from_user(u: &domain::org::User) -> Option<ChosenContact> {
        u.answers_for_women().then(|| ChosenContact {
            user_id: u.id,
            name: u.display_name.clone(),
            direct_phone: u.direct_phone.as_ref().map(|p| p.display()),
            team_id: u.team_id,
        })
    }
}

/// What the coordinator chose, as the web's form and the CLI's flags give it: text,
/// parsed once by [`Input::resolve`].
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The register run's id; the newest run when empty.
    pub run: String,
    /// The contact person for women who have none: her user id or username.
    pub contact: String,
    pub meeting: String,
    pub source: String,
    pub paper_for_all: bool,
    pub override_reason: String,
}

impl Input {
    /// The input as a request, or every field it refuses (field errors, nothing done).
    pub async fn resolve(&self, ctx: &Ctx, initiative: &domain::org::Initiative) -> Result<Request, Error> {
        let mut errors = FieldErrors::default();
        let text = BatchText::parse(&self.meeting, &self.source, &self.override_reason);
        if let Err(e) = &text {
            errors.0.extend(e.0.iter().cloned());
        }
        let runs = ctx.store.register_runs(initiative.id).await?;
        let run_id = match self.run.trim() {
            "" => runs.first().map(|r| r.id),
            raw => Uuid::parse_str(raw).ok().filter(|id| runs.iter().any(|r| r.id == *id)),
        };
        if run_id.is_none() {
            errors.add("run", "batch-error-run");
        }
        let contact = match self.contact.trim() {
            "" => None,
            raw => {
                let users = ctx.store.list_users().await?;
                let found = users
                    .iter()
                    .filter(|u| u.active)
                    .find(|u| Uuid::parse_str(raw).is_ok_and(|id| id == u.id) || u.username == raw)
                    .and_then(ChosenContact::from_user);
                if found.is_none() {
                    errors.add("contact", "batch-error-contact");
                }
                found
            }
        };
        match (run_id, text) {
            (Some(run_id), Ok(text)) if errors.is_empty() => Ok(Request {
                initiative: initiative.clone(),
                run_id,
                paper_for_all: self.paper_for_all,
                contact,
                meeting: text.meeting,
                source: text.source,
                override_reason: text.override_reason,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// What the coordinator chose, looked up and checked.
#[derive(Debug, Clone)]
pub struct Request {
    pub initiative: domain::org::Initiative,
    pub run_id: Uuid,
    /// Paper for everyone, even women Digital Post would reach.
    pub paper_for_all: bool,
    pub contact: Option<ChosenContact>,
    /// The meeting place and time, or when and where the offer is (`{meeting}`).
    pub meeting: String,
    /// Where her data came from (`{source}`), as the letter says it.
    pub source: String,
    /// Her reason to send despite the check's errors, a missing or unreviewed letter.
    pub override_reason: Option<String>,
}

/// One woman who gets a letter.
#[derive(Debug, Clone)]
pub struct Planned {
    pub candidate: BatchCandidate,
    pub delivery: Delivery,
    pub due: Due,
    /// Her half of the letter, when she reads another language than Danish and a
    /// letter in it exists.
    pub own_language: Option<String>,
    /// Her keyed do-not-contact hashes, checked again when the batch is recorded.
    pub dnc_hashes: Vec<String>,
}

/// The preview of a batch.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub letters: Vec<Planned>,
    pub skipped: BTreeMap<Skip, u32>,
    pub findings: Vec<BatchFinding>,
    pub check_errors: usize,
    /// Languages of women due for which there is no letter (they would get Danish alone).
    pub missing_languages: Vec<String>,
    /// Languages of the batch whose letter is an unreviewed machine draft.
    pub unreviewed_languages: Vec<String>,
    /// Women due who have no contact person.
    pub without_contact: usize,
    /// The letters the plan was checked with, by language; `send` prints these.
    pub templates: BTreeMap<String, LetterTemplate>,
}

impl Plan {
    pub fn count(&self, d: Delivery) -> usize {
        self.letters.iter().filter(|p| p.delivery == d).count()
    }

    pub fn gate<'a>(&self, request: &'a Request) -> Gate<'a> {
        Gate {
            letters: self.letters.len(),
            check_errors: self.check_errors,
            missing_languages: self.missing_languages.clone(),
            unreviewed_languages: self.unreviewed_languages.clone(),
            without_contact: self.without_contact,
            chosen_contact_has_phone: request.contact.as_ref().map(|c| c.direct_phone.is_some()),
            override_reason: request.override_reason.as_deref(),
        }
    }
}

/// What a sent batch did.
#[derive(Debug, Clone)]
pub struct Report {
    pub batch_id: Uuid,
    pub letters: usize,
    pub digital_post: usize,
    pub paper: usize,
    pub print_files: usize,
    pub skipped: BTreeMap<Skip, u32>,
    pub folder: PathBuf,
}

/// The initiative's letters by language: a saved template replaces the shipped one.
pub async fn templates(ctx: &Ctx, initiative_id: Uuid) -> Result<BTreeMap<String, LetterTemplate>, Error> {
    let mut all: BTreeMap<String, LetterTemplate> = letter_template::shipped_languages()
        .into_iter()
        .filter_map(|code| letter_template::shipped(code).map(|t| (code.to_string(), t)))
        .collect();
    for s in ctx.store.letter_templates(initiative_id).await? {
        all.insert(s.template.language.clone(), s.template);
    }
    Ok(all)
}

/// A sample code for the preview's check: the real ones are issued when the batch goes.
const PREVIEW_CODE: &str = "KXMPQ-RTVWY";

fn fill(settings: &Settings, request: &Request, c: &BatchCandidate, code: &str) -> Fill {
    let (contact_name, contact_phone) = match (&c.record.contact_name, &request.contact) {
        (Some(name), _) if c.record.contact_user_id.is_some() => (name.clone(), c.contact_phone.clone()),
        (_, Some(chosen)) => (chosen.name.clone(), chosen.direct_phone.clone()),
        _ => (String::new(), None),
    };
    Fill {
        name: c.record.person.details.given_name.clone(),
        contact_name,
        contact_phone: contact_phone.unwrap_or_default(),
        meeting: request.meeting.trim().to_string(),
        response_code: code.to_string(),
        municipality: settings.identity.name.clone(),
        dpo: settings.dpo().to_string(),
        source: request.source.trim().to_string(),
    }
}

fn recipient(c: &BatchCandidate) -> Recipient {
    let d = &c.record.person.details;
    Recipient {
        stage: c.state.stage,
        last_event: c.last_event,
        last_letter_at: c.last_letter_at,
        attempts: c.state.attempts,
        safe_contact_only: d.safe_contact_only,
        has_cpr: d.cpr.is_some(),
        digital_post_exempt: d.digital_post_exempt,
        has_address: d.address.as_ref().is_some_and(|a| !a.street.trim().is_empty() && !a.postcode.trim().is_empty()),
    }
}

/// The preview: who of the run gets a letter now, how, who is left out and why, and
/// what the check says of their letters. Audited as a list naming the women weighed.
pub async fn preview(ctx: &Ctx, caller: &Caller, input: &Input) -> Result<(Request, Plan), Error> {
    require(ctx, caller, Action::SendLetters).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let request = input.resolve(ctx, &initiative).await?;
    let plan = plan(ctx, &request).await?;
    let shown: Vec<Uuid> = plan.letters.iter().map(|x| x.candidate.record.person.id).collect();
    let detail = format!("letter batch preview: {} letters", shown.len());
    ctx.store.append_audit(&caller.audit(AuditAction::ListPeople, shown, detail)).await?;
    Ok((request, plan))
}

/// Who of the run gets a letter now, how, and what the check says of their letters.
async fn plan(ctx: &Ctx, request: &Request) -> Result<Plan, Error> {
    let (store, key, settings, now) = (&ctx.store, &ctx.dnc_key, &*ctx.letters, ctx.clock.now());
    let templates = templates(ctx, request.initiative.id).await?;
    let cadence: Cadence = request.initiative.cadence;
    let mut plan = Plan::default();
    for c in store.letter_batch_candidates(request.initiative.id, request.run_id).await? {
        let r = recipient(&c);
        let Some(due) = letter_batch::due(&r, &cadence, now) else { continue };
        let delivery = match letter_batch::delivery(&r, request.paper_for_all) {
            Ok(d) => d,
            Err(skip) => {
                *plan.skipped.entry(skip).or_default() += 1;
                continue;
            }
        };
        let d = &c.record.person.details;
        // G-2.2: "never contact me again" is final, whatever a later import says.
        let hashes = crate::dnc::of_person(key, d);
        if store.on_do_not_contact(&hashes).await? {
            *plan.skipped.entry(Skip::DoNotContact).or_default() += 1;
            continue;
        }
        let own_language = match d.letter_language() {
            None | Some("da") => None,
            Some(code) if templates.contains_key(code) => Some(code.to_string()),
            Some(code) => {
                if !plan.missing_languages.iter().any(|m| m == code) {
                    plan.missing_languages.push(code.to_string());
                }
                None
            }
        };
        if c.record.contact_user_id.is_none() {
            plan.without_contact += 1;
        }
        plan.letters.push(Planned { candidate: c, delivery, due, own_language, dnc_hashes: hashes });
    }
    // The check again, on each woman's own letter (G-5.6, G-8.4).
    for p in &plan.letters {
        let f = fill(settings, request, &p.candidate, PREVIEW_CODE);
        let factors = &p.candidate.record.person.details.motivation;
        let ctx = CheckContext {
            motivation_factors: factors,
            municipality_name: &settings.identity.name,
            dpo_contact: settings.dpo(),
            data_from_her: false,
        };
        for language in std::iter::once("da").chain(p.own_language.as_deref()) {
            if let Some(t) = templates.get(language) {
                letter_batch::tally(
                    &mut plan.findings,
                    language,
                    letter_check::check(&letter_template::render(t, &f), &ctx),
                );
                if !t.reviewed && language != "da" && !plan.unreviewed_languages.iter().any(|u| u == language) {
                    plan.unreviewed_languages.push(language.to_string());
                }
            }
        }
    }
    plan.check_errors = letter_batch::error_count(&plan.findings);
    plan.templates = templates;
    Ok(plan)
}

/// A batch the gate let through, with its job claimed: what [`finish`] renders,
/// writes and records. The web starts it in the request and finishes it in the
/// background; the CLI does both in turn ([`send`]).
#[derive(Debug)]
pub struct Started {
    job_id: Uuid,
    caller: Caller,
    request: Request,
    plan: Plan,
    override_reason: Option<String>,
}

impl Started {
    /// The job the batch runs as: its progress and outcome are in the database.
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }
}

/// Plans, asks the gate (a refusal is audited) and claims the initiative's one
/// letter-batch job (G-5.6: a batch with check errors goes only with a reason).
pub async fn start(ctx: &Ctx, caller: &Caller, input: &Input) -> Result<Started, Error> {
    require(ctx, caller, Action::SendLetters).await?;
    let initiative = crate::current_initiative(ctx).await?;
    let request = input.resolve(ctx, &initiative).await?;
    let plan = plan(ctx, &request).await?;
    let override_reason = match letter_batch::may_send(&plan.gate(&request)) {
        Ok(reason) => reason,
        Err(r) => {
            let detail = format!("letter batch refused: {}", r.message_id());
            ctx.store.append_audit(&caller.audit(AuditAction::Denied, vec![], detail)).await?;
            return Err(Error::Refused(Refusal::LetterBatch(r)));
        }
    };
    // One batch at a time per initiative, across processes: the database decides.
    let job_id = ctx
        .store
        .start_job(initiative.id, JobKind::LetterBatch, Some(caller.user.id), ctx.clock.now())
        .await?
        .ok_or(Error::Refused(Refusal::Busy))?;
    Ok(Started { job_id, caller: caller.clone(), request, plan, override_reason })
}

/// Renders, writes and records a started batch, then ends its job with the outcome
/// (and, on failure, a code the job page explains). `progress(done, total)` is called
/// as letters are rendered; the job's row gets the same counts.
pub async fn finish(ctx: &Ctx, started: Started, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Report, Error> {
    let Started { job_id, caller, request, plan, override_reason } = started;
    let result = write_batch(ctx, &caller, &request, plan, override_reason, job_id, progress).await;
    let (outcome, made, code) = match &result {
        Ok(r) => (JobOutcome::Done, Some(r.batch_id), None),
        // Someone moved one of her women meanwhile: nothing was sent; preview again.
        Err(Error::Conflict(_)) => (JobOutcome::Failed, None, Some("batch-failed-changed")),
        Err(e) => {
            tracing::error!(error = %e, job = %job_id, "letter batch failed");
            (JobOutcome::Failed, None, Some("batch-failed"))
        }
    };
    ctx.store.finish_job(job_id, outcome, made, code, ctx.clock.now()).await?;
    result
}

/// [`start`] and [`finish`] in one go: the CLI's `opsog letters send`.
pub async fn send(
    ctx: &Ctx,
    caller: &Caller,
    input: &Input,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Report, Error> {
    let started = start(ctx, caller, input).await?;
    finish(ctx, started, progress).await
}

/// Renders, writes and records a batch the gate let through, as job `job`.
async fn write_batch(
    ctx: &Ctx,
    caller: &Caller,
    request: &Request,
    plan: Plan,
    override_reason: Option<String>,
    job: Uuid,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Report, Error> {
    let (store, settings, now) = (&ctx.store, &*ctx.letters, ctx.clock.now());
    let audit = caller.audit(AuditAction::SendLetterBatch, vec![], format!("run {}", request.run_id));
    let actor = caller.event_actor();
    let templates = &plan.templates;
    let batch_id = Uuid::now_v7();

    // Paper letters first, so that the print files hold only them.
    let mut order: Vec<&Planned> = plan.letters.iter().collect();
    order.sort_by_key(|p| p.delivery != Delivery::Paper);
    let mut codes = Vec::with_capacity(order.len());
    let mut letters = Vec::with_capacity(order.len());
    for (seq, p) in order.iter().enumerate() {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| Error::unexpected("no random numbers for the response codes", e))?;
        let code = response::new_code(&random);
        let letter = compose(settings, request, templates, p, &response::display(&code), batch_id, seq, now)?;
        codes.push(code);
        letters.push(letter);
    }

    let paper = order.iter().take_while(|p| p.delivery == Delivery::Paper).count();
    // Who each Digital Post message goes to, and its inbox title: her letter's Danish
    // headline, which every reader of the inbox understands the same.
    let digital: Vec<Option<DigitalRecipient>> = order
        .iter()
        .zip(&letters)
        .map(|(p, l)| {
            let cpr = p.candidate.record.person.details.cpr.clone()?;
            (p.delivery == Delivery::DigitalPost).then(|| DigitalRecipient {
                person_id: p.candidate.record.person.id,
                cpr,
                language: l.own.as_ref().unwrap_or(&l.danish).language.clone(),
                label: l.danish.headline.chars().take(letters::memo::MAX_LABEL_LEN).collect(),
            })
        })
        .collect();
    let sender = Sender {
        myndigheds_id: Some(settings.identity.myndigheds_id.clone().unwrap_or_default())
            .filter(|m| !m.trim().is_empty()),
        cvr: settings.identity.cvr.clone(),
        label: settings.identity.name.clone(),
    };
    let partial = settings.out_dir.join(format!(".{batch_id}.partial"));
    let folder = settings.out_dir.join(batch_id.to_string());
    let person_ids: Vec<Uuid> = order.iter().map(|p| p.candidate.record.person.id).collect();
    let job_id = job;
    let files = Files { dir: partial.clone(), letters, paper, digital, person_ids, sender, now };
    let (print_files, uuids) = match render_and_write(ctx, job_id, settings.threads, files, progress).await {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };

    let expires = response::expires_at(now);
    let write = LetterBatchWrite {
        id: batch_id,
        initiative_id: request.initiative.id,
        run_id: Some(request.run_id),
        actor: actor.clone(),
        created_at: now,
        skipped: plan.skipped.iter().map(|(s, n)| (*s, *n)).collect(),
        check_errors: u32::try_from(plan.check_errors).unwrap_or(u32::MAX),
        override_reason,
        print_files: u32::try_from(print_files).unwrap_or(u32::MAX),
        letters: order
            .iter()
            .zip(&codes)
            .zip(&uuids)
            .map(|((p, code), uuid)| {
                let person_id = p.candidate.record.person.id;
                BatchLetterWrite {
                    person_id,
                    delivery: p.delivery,
                    language: p.own_language.clone().unwrap_or_else(|| "da".into()),
                    message_uuid: *uuid,
                    code: ResponseCodeRecord {
                        code_hash: response::keyed_code_hash(&ctx.dnc_key, code),
                        person_id,
                        initiative_id: request.initiative.id,
                        issued_at: now,
                        expires_at: expires,
                        used_at: None,
                    },
                    new_contact: match (&p.candidate.record.contact_user_id, &request.contact) {
                        (None, Some(c)) => Some((c.user_id, c.team_id)),
                        _ => None,
                    },
                    note: event_note(p),
                    seen_events: p.candidate.event_count,
                    dnc_hashes: p.dnc_hashes.clone(),
                }
            })
            .collect(),
    };
    if let Err(e) = store.record_letter_batch(&write, &audit).await {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e.into());
    }
    std::fs::rename(&partial, &folder)
        .map_err(|e| Error::unexpected(format!("moving the batch into {}", folder.display()), e))?;
    Ok(Report {
        batch_id,
        letters: order.len(),
        digital_post: order.len() - paper,
        paper,
        print_files,
        skipped: plan.skipped,
        folder,
    })
}

fn event_note(p: &Planned) -> String {
    let which = match p.due {
        Due::First => "Brev",
        Due::Again => "Nyt brev",
    };
    let how = match p.delivery {
        Delivery::DigitalPost => "Digital Post",
        Delivery::Paper => "papirbrev",
    };
    match &p.own_language {
        Some(l) => format!("{which} på {} og dansk ({how}).", domain::ambassador::language_in_danish(l)),
        None => format!("{which} på dansk ({how})."),
    }
}

/// Her letter as the renderer takes it.
#[allow(clippy::too_many_arguments)]
fn compose(
    settings: &Settings,
    request: &Request,
    templates: &BTreeMap<String, LetterTemplate>,
    p: &Planned,
    code: &str,
    batch_id: Uuid,
    seq: usize,
    now: OffsetDateTime,
) -> Result<Letter, Error> {
    let c = &p.candidate;
    let f = fill(settings, request, c, code);
    let part = |language: &str| -> Option<Part> {
        templates.get(language).map(|t| Part::from_domain(&letter_template::render(t, &f), t.right_to_left()))
    };
    let danish = part("da")
        .ok_or(Error::Refused(Refusal::LetterBatch(Refused::MissingTranslation { languages: vec!["da".into()] })))?;
    let d = &c.record.person.details;
    let mut address_block = vec![d.full_name()];
    match &d.address {
        Some(a) if !a.street.trim().is_empty() => {
            address_block.push(a.street.trim().to_string());
            address_block.push(format!("{} {}", a.postcode.trim(), a.city.trim()).trim().to_string());
        }
        // Digital Post needs no address; the window shows her name and how it came.
        _ => address_block.push("Digital Post".into()),
    }
    Ok(Letter {
        identity: settings.identity.clone(),
        address_block,
        date: domain::danish_time::date(now),
        // The batch's own numbering, never anything of her (CPR-loven § 54); the
        // letters keep any run of digits short of what could pass for a CPR number.
        reference: reference(batch_id, seq),
        danish,
        own: p.own_language.as_deref().and_then(part),
        response_code: code.to_string(),
        response_url: settings.answer_url.clone(),
    })
}

/// `B<8 hex of the batch>-L<00001>`: which batch and which letter in it.
fn reference(batch_id: Uuid, seq: usize) -> String {
    let hex = batch_id.simple().to_string();
    format!("B{}-L{:05}", &hex[..8.min(hex.len())].to_ascii_uppercase(), seq + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_never_looks_like_a_cpr_number() {
        // A UUIDv7 begins with the time, often eight digits in a row.
        let all_digits = Uuid::parse_str("01234567-89ab-7def-8123-456789abcdef").unwrap_or_default();
        for seq in [0, 9, 99_998] {
            let r = reference(all_digits, seq);
            assert!(!letters::escape::has_cpr_like_run(&r), "{r}");
            assert!(r.starts_with("B01234567-L"), "{r}");
        }
    }
}
