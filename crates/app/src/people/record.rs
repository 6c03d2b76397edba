//! Her record: creating and editing her, and her contact person.

use crate::{Caller, Ctx, Error, require, require_person};
use domain::audit::AuditAction;
use domain::funnel::Channel;
use domain::person::{PersonDetails, PersonInput, Source};
use domain::policy::{self, Action, Field};
use domain::validation::FieldErrors;
use store::{Edited, NewPerson, PersonEdit, StoreError};
use uuid::Uuid;

/// Besides her fields, a new person's form says to which initiative she comes and how.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    /// The initiative's id.
    pub initiative: String,
    /// A `Channel` code; anything else is "other".
    pub channel: String,
}

/// What creating her came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Person(Uuid),
    /// She is on the do-not-contact list (G-2.2): nothing was written.
    OnDoNotContact,
}

/// Enters a woman by hand. Every field that does not parse is named; a CPR number
/// already on record is the field `cpr`.
pub async fn create(ctx: &Ctx, caller: &Caller, person: &PersonInput, entry: &EntryInput) -> Result<Created, Error> {
    require(ctx, caller, Action::CreatePerson).await?;
    let now = ctx.clock.now();
    let mut errors = FieldErrors::default();
    let initiative = Uuid::parse_str(entry.initiative.trim()).ok();
    if initiative.is_none() {
        errors.add("initiative", "error-required");
    }
    let parsed = person.parse(now.date());
    if let Err(e) = &parsed {
        errors.0.extend(e.0.iter().cloned());
    }
    let (Ok(details), Some(initiative_id), true) = (parsed, initiative, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    // G-2.2: checked against the list in the transaction that would write her.
    let dnc_hashes = crate::dnc::of_person(&ctx.dnc_key, &details);
    let channel = Channel::from_code(entry.channel.trim()).unwrap_or(Channel::Other);
    let user = &caller.user;
    let new = NewPerson {
        team_id: user.team_id,
        contact_user_id: policy::becomes_contact_person_on_entry(user.role).then_some(user.id),
        source: Source {
            kind: domain::person::manual_entry_source(channel),
            reference_id: Some(user.id),
            label: user.display_name.clone(),
            added_at: now,
        },
        initiative_id,
        channel,
        actor: caller.event_actor(),
        at: now,
        details,
    };
    match ctx.store.create_person(&new, &dnc_hashes, &caller.audit(AuditAction::CreatePerson, vec![], "")).await {
        Ok(id) => Ok(Created::Person(id)),
        Err(StoreError::OnDoNotContact) => Ok(Created::OnDoNotContact),
        Err(StoreError::Conflict { .. }) => Err(cpr_exists()),
        Err(e) => Err(e.into()),
    }
}

fn cpr_exists() -> Error {
    let mut e = FieldErrors::default();
    e.add("cpr", "error-cpr-exists");
    Error::Invalid(e)
}

/// Her record as the edit form shows it.
pub struct EditForm {
    pub input: PersonInput,
    /// The caller may see (and so edit) her safety note.
    pub show_safety_note: bool,
    /// The version read: the form carries it back (issue 13, item 11).
    pub version: i64,
    /// Her CPR number masked, when she has one: the form never holds the number
    /// itself (item 7); typing a new one changes it, leaving the field empty keeps it.
    pub cpr_masked: Option<String>,
}

/// Her stored details for the edit form; the read is audited as a view. The safety
/// note is left out for a caller who may not see it, and her CPR number always.
pub async fn edit_form(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<EditForm, Error> {
    let scope = require_person(ctx, caller, id, Action::EditPerson).await?;
    let rec = ctx.store.get_person(id, &caller.audit(AuditAction::ViewPerson, vec![id], "")).await?;
    let show_safety_note = policy::may_see(&caller.actor(), Field::SafetyNote, &scope);
    let d = &rec.person.details;
    let input = form_input(d, show_safety_note);
    Ok(EditForm {
        input,
        show_safety_note,
        version: rec.person.version,
        cpr_masked: d.cpr.as_ref().map(domain::Cpr::masked),
    })
}

/// Whether the caller's form for her carries the safety note (a read of her scope
/// only, not of her data).
pub async fn shows_safety_note(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<bool, Error> {
    let scope = ctx.store.person_scope(id).await?.ok_or(Error::NotFound("person"))?;
    Ok(policy::may_see(&caller.actor(), Field::SafetyNote, &scope))
}

/// What a save came to.
pub enum Saved {
    Done,
    /// Her record changed since the form was read: nothing was written.
    Stale(Box<StaleEdit>),
}

/// A save refused as stale (issue 13, item 11): where the caller's form and her
/// record now differ, both values, and the form to show again — her record as it is
/// now, at its current version. The caller enters again what should still change, so
/// neither a colleague's change nor her safety flag is undone by an old form.
pub struct StaleEdit {
    pub form: EditForm,
    pub differences: Vec<Difference>,
}

/// One field where the caller's form and her record now differ.
pub struct Difference {
    /// The form's field name.
    pub field: &'static str,
    pub yours: String,
    pub now: String,
}

/// Saves her edited record, over the version the form was read at. Every field that
/// does not parse is named; a CPR number already on record is the field `cpr`. The
/// audit entry names the fields that changed.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    read_version: i64,
    input: &PersonInput,
) -> Result<Saved, Error> {
    let scope = require_person(ctx, caller, id, Action::EditPerson).await?;
    let details = input.parse(ctx.clock.today())?;
    let sees_safety_note = policy::may_see(&caller.actor(), Field::SafetyNote, &scope);
    let edit = PersonEdit { id, read_version, details: details.clone(), sees_safety_note };
    let current = match ctx.store.edit_person(&edit, &caller.audit(AuditAction::UpdatePerson, vec![id], "")).await {
        Ok(Edited::Saved { .. }) => return Ok(Saved::Done),
        Ok(Edited::Stale(current)) => current,
        Err(StoreError::Conflict { .. }) => return Err(cpr_exists()),
        Err(e) => return Err(e.into()),
    };
    // Showing her record as it is now is a read of it.
    ctx.store.append_audit(&caller.audit(AuditAction::ViewPerson, vec![id], "changed meanwhile")).await?;
    let theirs = domain::person_edit::apply(&current.details, details, sees_safety_note);
    let (yours, now) = (form_input(&theirs, sees_safety_note), form_input(&current.details, sees_safety_note));
    let masked = |d: &PersonDetails| d.cpr.as_ref().map(domain::Cpr::masked).unwrap_or_default();
    let differences = domain::person_edit::changed_fields(&current.details, &theirs)
        .into_iter()
        .map(|field| match field {
            "cpr" => Difference { field, yours: masked(&theirs), now: masked(&current.details) },
            _ => Difference { field, yours: form_value(&yours, field), now: form_value(&now, field) },
        })
        .collect();
    Ok(Saved::Stale(Box::new(StaleEdit {
        form: EditForm {
            input: now,
            show_safety_note: sees_safety_note,
            version: current.version,
            cpr_masked: current.details.cpr.as_ref().map(domain::Cpr::masked),
        },
        differences,
    })))
}

/// Her details as the edit form holds them: never her CPR number, and her safety
/// note only for who may see it.
fn form_input(d: &PersonDetails, show_safety_note: bool) -> PersonInput {
    let mut input = as_input(d);
    input.cpr.clear();
    if !show_safety_note {
        input.safety_note.clear();
    }
    input
}

/// A field's value as the form holds it, by the form's name.
fn form_value(input: &PersonInput, field: &str) -> String {
    let flag = |v: &Option<String>| if v.is_some() { "on" } else { "" }.to_string();
    match field {
        "given_name" => input.given_name.clone(),
        "family_name" => input.family_name.clone(),
        "birth_date" => input.birth_date.clone(),
        "phone" => input.phone.clone(),
        "phone_is_hers_alone" => flag(&input.phone_is_hers_alone),
        "street" => input.street.clone(),
        "postcode" => input.postcode.clone(),
        "city" => input.city.clone(),
        "area_id" => input.area_id.clone(),
        "languages" if input.dialect.is_empty() => input.languages.clone(),
        "languages" => format!("{} ({})", input.languages, input.dialect),
        "country_of_origin" => input.country_of_origin.clone(),
        "arrived_in_denmark" => input.arrived_in_denmark.clone(),
        "education" => input.education.clone(),
        "work_experience" => input.work_experience.clone(),
        "network" => input.network.clone(),
        "danish_level" => input.danish_level.clone(),
        "motivation_note" => input.motivation_note.clone(),
        "motivation" => input.motivation.join(", "),
        "safe_contact_only" => flag(&input.safe_contact_only),
        "safety_note" => input.safety_note.clone(),
        "interpreter_needed" => flag(&input.interpreter_needed),
        "digital_post_exempt" => flag(&input.digital_post_exempt),
        _ => String::new(),
    }
}

/// G-8.6: she can change contact person when the chemistry is poor; the old
/// assignment is closed, not erased, her team follows the new contact person, and he
/// or she is told. `user` is the new contact person's id; one who is not an active
/// caseworker or ambassador is refused as the field `user`.
pub async fn set_contact(ctx: &Ctx, caller: &Caller, id: Uuid, user: &str) -> Result<(), Error> {
    let scope = require_person(ctx, caller, id, Action::EditPerson).await?;
    let chosen = match Uuid::parse_str(user.trim()) {
        Ok(user_id) => match ctx.store.get_user(user_id).await {
            Ok(u) if u.active && policy::may_be_contact_person(u.role) => Some(u),
            Ok(_) | Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let Some(user) = chosen else {
        let mut errors = FieldErrors::default();
        errors.add("user", "error-contact-person");
        return Err(Error::Invalid(errors));
    };
    let record = caller.audit(AuditAction::UpdatePerson, vec![id], format!("contact person {}", user.username));
    let team = policy::team_after_contact_change(scope.team_id, user.team_id);
    ctx.store.set_contact_person(id, user.id, team, caller.user.id, &record).await?;
    if user.id != caller.user.id {
        ctx.store.notify(user.id, "notification-new-person", Some(id)).await?;
    }
    Ok(())
}

/// Her stored details as the form shows them.
fn as_input(d: &PersonDetails) -> PersonInput {
    let on = |b: bool| b.then(|| "on".to_string());
    PersonInput {
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        cpr: d.cpr.as_ref().map(|c| c.expose()).unwrap_or_default(),
        birth_date: d.birth_date.map(|b| b.to_string()).unwrap_or_default(),
        phone: d.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
        phone_is_hers_alone: on(d.phone_is_hers_alone),
        street: d.address.as_ref().map(|a| a.street.clone()).unwrap_or_default(),
        postcode: d.address.as_ref().map(|a| a.postcode.clone()).unwrap_or_default(),
        city: d.address.as_ref().map(|a| a.city.clone()).unwrap_or_default(),
        area_id: d.area_id.map(|a| a.to_string()).unwrap_or_default(),
        languages: domain::reference::language_names_da(d.languages.iter().map(|l| l.code.as_str())),
        dialect: d.languages.first().and_then(|l| l.dialect.clone()).unwrap_or_default(),
        country_of_origin: d.country_of_origin.clone().unwrap_or_default(),
        arrived_in_denmark: d.arrived_in_denmark.map(|a| a.to_string()).unwrap_or_default(),
        education: d.segment.education.code().into(),
        work_experience: d.segment.work_experience.code().into(),
        network: d.segment.network.code().into(),
        danish_level: d.segment.danish_level.code().into(),
        motivation_note: d.segment.motivation_note.clone().unwrap_or_default(),
        motivation: d.motivation.iter().map(|m| m.code().to_string()).collect(),
        safe_contact_only: on(d.safe_contact_only),
        safety_note: d.safety_note.clone().unwrap_or_default(),
        interpreter_needed: on(d.interpreter_needed),
        digital_post_exempt: on(d.digital_post_exempt),
    }
}
