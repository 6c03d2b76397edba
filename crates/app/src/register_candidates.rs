//! A register run's candidates written out whole (issue 12, item 5): who the run found,
//! with CPR, name, address and country of origin (G-5.4), for the coordinator to work
//! with in the municipality's own systems (`opsog register candidates`).
//!
//! One read, audited as one entry naming every woman listed, written before anything
//! is returned. The list is the coordinator's: the role must reach the full CPR number,
//! the name, the address and the origin of every woman, not only the search itself.
//!
//! Which of the rules' steps admitted a woman is not stored per woman (a run keeps its
//! step counts, not who passed which); every candidate passed the base filter and every
//! step, so the file's step column is headed as such and left empty.

use crate::{Caller, Ctx, Error, Refusal, current_initiative, record_refusal, require};
use domain::audit::AuditAction;
use domain::person::Person;
use domain::policy::{self, Action, Field, Reach};
use store::RegisterRunRecord;
use uuid::Uuid;

/// Which run: its id, or the newest when `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CandidatesInput {
    pub run: Option<Uuid>,
}

/// The run and the women it found, by family and given name.
pub struct RunCandidates {
    pub run: RegisterRunRecord,
    pub persons: Vec<Person>,
}

/// The fields the list shows of every woman; the caller's role must reach each of them
/// for every woman (G-5.4; the full CPR number is the coordinator's).
const FIELDS: [Field; 4] = [Field::FullCpr, Field::FullName, Field::Address, Field::CountryOfOrigin];

/// The candidates of a run, read and audited (`export_candidates`, naming each woman).
pub async fn candidates(ctx: &Ctx, caller: &Caller, input: CandidatesInput) -> Result<RunCandidates, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    if let Some(field) = FIELDS.into_iter().find(|f| policy::field_reach(caller.user.role, *f) != Reach::All) {
        record_refusal(ctx, caller, None, &format!("ExportCandidates: {field:?}")).await?;
        return Err(Error::Refused(Refusal::Role));
    }
    let initiative = current_initiative(ctx).await?;
    let runs = ctx.store.register_runs(initiative.id).await?;
    let run = match input.run {
        None => runs.into_iter().next(),
        Some(id) => runs.into_iter().find(|r| r.id == id),
    }
    .ok_or(Error::NotFound("register run"))?;
    let detail = format!("register_run={}", run.id);
    let audit = caller.audit(AuditAction::ExportCandidates, vec![], detail);
    let persons = ctx.store.register_run_persons(run.id, &audit).await?;
    Ok(RunCandidates { run, persons })
}

/// The header row. Danish, as the municipality's systems and Opsøg's own column
/// suggestions read them.
pub const CSV_HEADER: [&str; 9] = [
    "CPR",
    "Fornavn",
    "Efternavn",
    "Vejnavn og husnr.",
    "Postnr.",
    "By",
    "Oprindelsesland",
    "Oprindelsesland (navn)",
    "Udvælgelsestrin (gemmes ikke pr. kvinde)",
];

/// The list as CSV: UTF-8, `;`-separated as Danish systems expect, a header row, values
/// quoted where they need it, the CPR number in full (`DDMMYY-SSSS`).
pub fn write_csv(list: &RunCandidates, out: impl std::io::Write) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    let fail = |e: csv::Error| Error::unexpected("writing the candidates as CSV", e);
    w.write_record(CSV_HEADER).map_err(fail)?;
    for p in &list.persons {
        let d = &p.details;
        let address = d.address.as_ref();
        let origin = d.country_of_origin.clone().unwrap_or_default();
        let origin_name = domain::reference::country(&origin).map(|c| c.name_da).unwrap_or_default();
        w.write_record([
            d.cpr.as_ref().map(domain::Cpr::expose).unwrap_or_default().as_str(),
            &d.given_name,
            &d.family_name,
            address.map_or("", |a| a.street.as_str()),
            address.map_or("", |a| a.postcode.as_str()),
            address.map_or("", |a| a.city.as_str()),
            &origin,
            origin_name,
            "",
        ])
        .map_err(fail)?;
    }
    w.flush().map_err(|e| Error::unexpected("writing the candidates as CSV", e))
}
