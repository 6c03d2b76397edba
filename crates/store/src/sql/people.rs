//! Persons, their sources, and the funnel: events plus the projection, always written
//! together in one transaction.

use super::rows::{flag, fmt_ts, opt_uuid, parse_date, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::*;
use crate::{Result, Store, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{self, Channel, EventKind, FunnelRules, FunnelState, Stage, TransitionInput};
use domain::person::{Address, Education, Network, PersonDetails, Source, SourceKind, SpokenLanguage, WorkExperience};
use domain::person::{DanishLevel, Person, Segment};
use domain::policy::ListScope;
use domain::reference::MotivationFactor;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) type Tx = Transaction<'static, Any>;

pub(crate) const PERSON_COLUMNS: &str = "id, given_name, family_name, search_key, birth_date, cpr, phone, phone_is_hers_alone, \
    street, postcode, city, area_id, languages, first_language, country_of_origin, arrived_in_denmark, education, \
    work_experience, network, danish_level, motivation_note, motivation, safe_contact_only, safety_note, \
    interpreter_needed, digital_post_exempt, team_id, contact_user_id, created_at, updated_at";

fn languages_json(langs: &[SpokenLanguage]) -> String {
    serde_json::to_string(langs).unwrap_or_else(|_| "[]".into())
}

async fn insert_person(
    tx: &mut Tx,
    id: Uuid,
    d: &PersonDetails,
    team_id: Option<Uuid>,
    contact_user_id: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO persons ({PERSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"
    );
    let now = fmt_ts(at);
    bind_details(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()), d)
        .bind(team_id.map(|t| t.to_string()))
        .bind(contact_user_id.map(|t| t.to_string()))
        .bind(now.clone())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db("saving a person"))?;
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

/// Binds her details in the one order both the insert and the update list them
/// (given_name … digital_post_exempt).
fn bind_details<'q>(q: AnyQuery<'q>, d: &PersonDetails) -> AnyQuery<'q> {
    q.bind(d.given_name.clone())
        .bind(d.family_name.clone())
        .bind(d.search_key())
        .bind(d.birth_date.map(|b| b.to_string()))
        .bind(d.cpr.as_ref().map(|c| c.expose()))
        .bind(d.phone.as_ref().map(|p| p.as_e164().to_string()))
        .bind(flag(d.phone_is_hers_alone))
        .bind(d.address.as_ref().map(|a| a.street.clone()))
        .bind(d.address.as_ref().map(|a| a.postcode.clone()))
        .bind(d.address.as_ref().map(|a| a.city.clone()))
        .bind(d.area_id.map(|a| a.to_string()))
        .bind(languages_json(&d.languages))
        .bind(d.letter_language().map(str::to_string))
        .bind(d.country_of_origin.clone())
        .bind(d.arrived_in_denmark.map(|a| a.to_string()))
        .bind(d.segment.education.code())
        .bind(d.segment.work_experience.code())
        .bind(d.segment.network.code())
        .bind(d.segment.danish_level.code())
        .bind(d.segment.motivation_note.clone())
        .bind(d.motivation.iter().map(|m| m.code()).collect::<Vec<_>>().join(","))
        .bind(flag(d.safe_contact_only))
        .bind(d.safety_note.clone())
        .bind(flag(d.interpreter_needed))
        .bind(flag(d.digital_post_exempt))
}

pub(crate) async fn insert_source(tx: &mut Tx, person_id: Uuid, s: &Source) -> Result<()> {
    sqlx::query("INSERT INTO person_sources (id, person_id, kind, reference_id, label, added_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::new_v4().to_string())
        .bind(person_id.to_string())
        .bind(s.kind.code())
        .bind(s.reference_id.map(|r| r.to_string()))
        .bind(&s.label)
        .bind(fmt_ts(s.added_at))
        .execute(&mut **tx)
        .await
        .map_err(db("saving a source"))?;
    Ok(())
}

async fn rules_for(tx: &mut Tx, initiative_id: Uuid) -> Result<FunnelRules> {
    let row = sqlx::query("SELECT cool_off_days FROM initiatives WHERE id = $1")
        .bind(initiative_id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading an initiative"))?
        .ok_or(StoreError::NotFound("initiative"))?;
    let days: i64 = row.try_get(0).map_err(db("reading an initiative"))?;
    Ok(FunnelRules::with_cool_off_days(days))
}

pub(crate) async fn load_state(
    tx: &mut Tx,
    person_id: Uuid,
    initiative_id: Uuid,
) -> Result<Option<(FunnelState, i64)>> {
    let row = sqlx::query("SELECT * FROM funnels WHERE person_id = $1 AND initiative_id = $2")
        .bind(person_id.to_string())
        .bind(initiative_id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a funnel"))?;
    match row {
        None => Ok(None),
        Some(r) => {
            let n: i64 = r.try_get("event_count").map_err(db("reading a funnel"))?;
            Ok(Some((state_from_row(&r)?, n)))
        }
    }
}

fn state_from_row(r: &AnyRow) -> Result<FunnelState> {
    let e = || db("reading a funnel");
    let stage: String = r.try_get("stage").map_err(e())?;
    let paused: Option<String> = r.try_get("paused_from").map_err(e())?;
    let attempts: i64 = r.try_get("attempts").map_err(e())?;
    let declined: i64 = r.try_get("declined_earlier").map_err(e())?;
    Ok(FunnelState {
        stage: Stage::from_code(&stage).ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?,
        paused_from: paused.as_deref().and_then(Stage::from_code),
        not_now_at: r.try_get::<Option<String>, _>("not_now_at").map_err(e())?.map(|t| parse_ts(&t)).transpose()?,
        declined_earlier: declined != 0,
        attempts: u32::try_from(attempts).unwrap_or(0),
    })
}

async fn save_state(
    tx: &mut Tx,
    person_id: Uuid,
    initiative_id: Uuid,
    state: &FunnelState,
    event_count: i64,
    exists: bool,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = if exists {
        "UPDATE funnels SET stage = $3, paused_from = $4, not_now_at = $5, declined_earlier = $6, attempts = $7, \
         event_count = $8, updated_at = $9 WHERE person_id = $1 AND initiative_id = $2"
    } else {
        "INSERT INTO funnels (person_id, initiative_id, stage, paused_from, not_now_at, declined_earlier, attempts, \
         event_count, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    };
    sqlx::query(sql)
        .bind(person_id.to_string())
        .bind(initiative_id.to_string())
        .bind(state.stage.code())
        .bind(state.paused_from.map(|s| s.code()))
        .bind(state.not_now_at.map(fmt_ts))
        .bind(flag(state.declined_earlier))
        .bind(i64::from(state.attempts))
        .bind(event_count)
        .bind(fmt_ts(at))
        .execute(&mut **tx)
        .await
        .map_err(db("saving the funnel"))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut Tx,
    id: Uuid,
    person_id: Uuid,
    initiative_id: Uuid,
    seq: i64,
    input: &TransitionInput,
    actor: &EventActor,
    language: Option<&str>,
    interpreter_used: bool,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (id, person_id, initiative_id, seq, kind, channel, occurred_at, recorded_by, recorded_by_name, \
         language, interpreter_used, new_contact_data, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(person_id.to_string())
    .bind(initiative_id.to_string())
    .bind(seq)
    .bind(input.kind.code())
    .bind(input.channel.code())
    .bind(fmt_ts(input.at))
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(&actor.name)
    .bind(language.map(str::to_string))
    .bind(flag(interpreter_used))
    .bind(flag(input.new_contact_data))
    .bind(note)
    .execute(&mut **tx)
    .await
    .map_err(db("saving an event"))?;
    Ok(())
}

pub(crate) async fn create_person(store: &SqlStore, new: &NewPerson, audit: &AuditRecord) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let mut tx = store.begin().await?;
    insert_new_person(&mut tx, id, new).await?;
    let mut audit = audit.clone();
    audit.persons = vec![id];
    write_audit(&mut tx, &audit).await?;
    tx.commit().await.map_err(db("committing a new person"))?;
    Ok(id)
}

/// A woman entering through a channel, inside the caller's transaction: her record,
/// her first source, her contact person, and the entry event with the funnel it
/// starts. Shared by `create_person` and the street registration, so that every way
/// in makes the same rows. The caller writes the audit entry.
pub(crate) async fn insert_new_person(tx: &mut Tx, id: Uuid, new: &NewPerson) -> Result<()> {
    insert_person(tx, id, &new.details, new.team_id, new.contact_user_id, new.at).await?;
    insert_source(tx, id, &new.source).await?;
    if let Some(contact) = new.contact_user_id {
        insert_assignment(tx, id, contact, new.actor.user_id.unwrap_or(contact), new.at).await?;
    }
    enter_funnel(tx, id, new.initiative_id, new.channel, &new.actor, new.at).await?;
    Ok(())
}

/// Her `entered` event in an initiative she is not in yet, and the funnel it starts
/// (at the channel's entry stage). `NotFound` for an unknown initiative; the funnel
/// refuses a second entry.
pub(crate) async fn enter_funnel(
    tx: &mut Tx,
    person_id: Uuid,
    initiative_id: Uuid,
    channel: Channel,
    actor: &EventActor,
    at: OffsetDateTime,
) -> Result<FunnelState> {
    let rules = rules_for(tx, initiative_id).await?;
    let input = TransitionInput { kind: EventKind::Entered, at, channel, new_contact_data: false };
    let state = funnel::transition(None, &input, &rules)?;
    insert_event(tx, Uuid::new_v4(), person_id, initiative_id, 1, &input, actor, None, false, "").await?;
    save_state(tx, person_id, initiative_id, &state, 1, false, at).await?;
    Ok(state)
}

pub(crate) async fn update_person(store: &SqlStore, id: Uuid, d: &PersonDetails, audit: &AuditRecord) -> Result<()> {
    let mut tx = store.begin().await?;
    let update = sqlx::query(
        "UPDATE persons SET given_name = $2, family_name = $3, search_key = $4, birth_date = $5, cpr = $6, phone = $7, \
         phone_is_hers_alone = $8, street = $9, postcode = $10, city = $11, area_id = $12, languages = $13, \
         first_language = $14, country_of_origin = $15, arrived_in_denmark = $16, education = $17, work_experience = $18, \
         network = $19, danish_level = $20, motivation_note = $21, motivation = $22, safe_contact_only = $23, \
         safety_note = $24, interpreter_needed = $25, digital_post_exempt = $26, updated_at = $27, \
         languages_inferred = 0 WHERE id = $1",
    );
    let r = bind_details(update.bind(id.to_string()), d)
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("updating a person"))?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("person"));
    }
    write_audit(&mut tx, &super::naming(audit, id)).await?;
    tx.commit().await.map_err(db("committing a person"))
}

pub(crate) async fn load_people(store: &SqlStore, people: &[LoadPerson], audit: &AuditRecord) -> Result<()> {
    let mut tx = store.begin().await?;
    let mut rules_cache: Vec<(Uuid, FunnelRules)> = Vec::new();
    for p in people {
        insert_person(&mut tx, p.id, &p.details, p.team_id, p.contact_user_id, p.created_at).await?;
        for s in &p.sources {
            insert_source(&mut tx, p.id, s).await?;
        }
        if let Some(contact) = p.contact_user_id {
            insert_assignment(&mut tx, p.id, contact, contact, p.created_at).await?;
        }
        let rules = match rules_cache.iter().find(|(id, _)| *id == p.initiative_id) {
            Some((_, r)) => *r,
            None => {
                let r = rules_for(&mut tx, p.initiative_id).await?;
                rules_cache.push((p.initiative_id, r));
                r
            }
        };
        let mut state: Option<FunnelState> = None;
        for (i, e) in p.events.iter().enumerate() {
            state = Some(funnel::transition(state.as_ref(), &e.input, &rules)?);
            let seq = i64::try_from(i + 1).unwrap_or(i64::MAX);
            insert_event(
                &mut tx,
                Uuid::new_v4(),
                p.id,
                p.initiative_id,
                seq,
                &e.input,
                &e.actor,
                e.language.as_deref(),
                e.interpreter_used,
                &e.note,
            )
            .await?;
        }
        if let (Some(state), Some(last)) = (state, p.events.last()) {
            let n = i64::try_from(p.events.len()).unwrap_or(i64::MAX);
            save_state(&mut tx, p.id, p.initiative_id, &state, n, false, last.input.at).await?;
        }
    }
    // The batch's entry names every woman it loaded.
    let mut audit = audit.clone();
    let loaded: Vec<Uuid> = people.iter().map(|p| p.id).filter(|id| !audit.persons.contains(id)).collect();
    audit.persons.extend(loaded);
    write_audit(&mut tx, &audit).await?;
    tx.commit().await.map_err(db("committing a bulk load"))
}

async fn insert_assignment(tx: &mut Tx, person_id: Uuid, user_id: Uuid, by: Uuid, at: OffsetDateTime) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_assignments (id, person_id, user_id, from_at, assigned_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(person_id.to_string())
    .bind(user_id.to_string())
    .bind(fmt_ts(at))
    .bind(by.to_string())
    .execute(&mut **tx)
    .await
    .map_err(db("saving a contact person"))?;
    Ok(())
}

pub(crate) async fn set_contact_person(
    store: &SqlStore,
    person_id: Uuid,
    user_id: Uuid,
    team_id: Option<Uuid>,
    by: Uuid,
    audit: &AuditRecord,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut tx = store.begin().await?;
    assign_contact(&mut tx, person_id, user_id, team_id, by, now).await?;
    write_audit(&mut tx, &super::naming(audit, person_id)).await?;
    tx.commit().await.map_err(db("committing a contact person"))
}

/// Makes `user_id` her contact person inside `tx`, closing the earlier assignment.
pub(crate) async fn assign_contact(
    tx: &mut Tx,
    person_id: Uuid,
    user_id: Uuid,
    team_id: Option<Uuid>,
    by: Uuid,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("UPDATE contact_assignments SET until_at = $1 WHERE person_id = $2 AND until_at IS NULL")
        .bind(fmt_ts(now))
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("closing a contact person"))?;
    insert_assignment(tx, person_id, user_id, by, now).await?;
    let r = sqlx::query("UPDATE persons SET contact_user_id = $1, team_id = $2 WHERE id = $3")
        .bind(user_id.to_string())
        .bind(team_id.map(|t| t.to_string()))
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("setting a contact person"))?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("person"));
    }
    Ok(())
}

pub(crate) async fn person_scope(store: &SqlStore, id: Uuid) -> Result<Option<PersonScopeRow>> {
    let row = sqlx::query("SELECT team_id, contact_user_id FROM persons WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await
        .map_err(db("reading a person's scope"))?;
    let Some(row) = row else { return Ok(None) };
    let sources = sqlx::query("SELECT kind, reference_id FROM person_sources WHERE person_id = $1")
        .bind(id.to_string())
        .fetch_all(store.pool())
        .await
        .map_err(db("reading a person's sources"))?;
    let mut scope = PersonScopeRow {
        team_id: opt_uuid(row.try_get("team_id").map_err(db("reading a person's scope"))?)?,
        contact_user_id: opt_uuid(row.try_get("contact_user_id").map_err(db("reading a person's scope"))?)?,
        ..Default::default()
    };
    for s in &sources {
        let kind: String = s.try_get("kind").map_err(db("reading a source"))?;
        let reference = opt_uuid(s.try_get("reference_id").map_err(db("reading a source"))?)?;
        match (SourceKind::from_code(&kind), reference) {
            (Some(SourceKind::Ambassador), Some(r)) => scope.registered_by.push(r),
            (Some(SourceKind::Partner), Some(r)) => scope.referred_by_orgs.push(r),
            _ => {}
        }
    }
    Ok(Some(scope))
}

pub(crate) fn person_from_row(r: &AnyRow) -> Result<Person> {
    let e = || db("reading a person");
    let s = |c: &str| -> Result<Option<String>> { r.try_get::<Option<String>, _>(c).map_err(db("reading a person")) };
    let i = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c).map_err(db("reading a person"))? != 0) };
    let cpr = s("cpr")?.map(|c| domain::Cpr::parse(&c).map_err(|_| StoreError::Corrupt("cpr".into()))).transpose()?;
    let languages: Vec<SpokenLanguage> = serde_json::from_str(&r.try_get::<String, _>("languages").map_err(e())?)
        .map_err(|_| StoreError::Corrupt("languages".into()))?;
    let address = match (s("street")?, s("postcode")?, s("city")?) {
        (None, None, None) => None,
        (street, postcode, city) => Some(Address {
            street: street.unwrap_or_default(),
            postcode: postcode.unwrap_or_default(),
            city: city.unwrap_or_default(),
        }),
    };
    let motivation: String = r.try_get("motivation").map_err(e())?;
    let code = |c: &str| -> Result<String> { r.try_get::<String, _>(c).map_err(db("reading a person")) };
    Ok(Person {
        id: parse_uuid(&code("id")?)?,
        details: PersonDetails {
            given_name: code("given_name")?,
            family_name: code("family_name")?,
            birth_date: s("birth_date")?.map(|d| parse_date(&d)).transpose()?,
            cpr,
            phone: s("phone")?.and_then(|p| domain::PhoneNumber::parse(&p).ok()),
            phone_is_hers_alone: i("phone_is_hers_alone")?,
            address,
            area_id: opt_uuid(s("area_id")?)?,
            languages,
            country_of_origin: s("country_of_origin")?,
            arrived_in_denmark: s("arrived_in_denmark")?.map(|d| parse_date(&d)).transpose()?,
            segment: Segment {
                education: Education::from_code(&code("education")?).unwrap_or_default(),
                work_experience: WorkExperience::from_code(&code("work_experience")?).unwrap_or_default(),
                network: Network::from_code(&code("network")?).unwrap_or_default(),
                danish_level: DanishLevel::from_code(&code("danish_level")?).unwrap_or_default(),
                motivation_note: s("motivation_note")?,
            },
            motivation: motivation.split(',').filter_map(MotivationFactor::from_code).collect(),
            safe_contact_only: i("safe_contact_only")?,
            safety_note: s("safety_note")?,
            interpreter_needed: i("interpreter_needed")?,
            digital_post_exempt: i("digital_post_exempt")?,
        },
        team_id: opt_uuid(s("team_id")?)?,
        created_at: parse_ts(&code("created_at")?)?,
        updated_at: parse_ts(&code("updated_at")?)?,
    })
}

/// Her best time to call (`p.best_time_to_call` in the row); unset for anyone not
/// registered in the street.
pub(crate) fn best_time_from_row(r: &AnyRow) -> Result<Option<domain::ambassador::BestTime>> {
    let code: Option<String> = r.try_get("best_time_to_call").map_err(db("reading a person"))?;
    code.map(|c| {
        domain::ambassador::BestTime::from_code(&c).ok_or_else(|| StoreError::Corrupt(format!("best time to call {c}")))
    })
    .transpose()
}

/// How she prefers to be contacted (`p.contact_preference` in the row); unset for
/// anyone not referred by a partner.
pub(crate) fn contact_preference_from_row(r: &AnyRow) -> Result<Option<domain::partner::ContactPreference>> {
    let code: Option<String> = r.try_get("contact_preference").map_err(db("reading a person"))?;
    code.map(|c| {
        domain::partner::ContactPreference::from_code(&c)
            .ok_or_else(|| StoreError::Corrupt(format!("contact preference {c}")))
    })
    .transpose()
}

pub(crate) async fn get_person(store: &SqlStore, id: Uuid, audit: &AuditRecord) -> Result<PersonRecord> {
    let rec = read_person(store, id).await?.ok_or(StoreError::NotFound("person"))?;
    // The read is recorded before anything is shown: no audit entry, no page.
    store.append_audit_for(audit, id).await?;
    Ok(rec)
}

pub(crate) async fn read_person(store: &SqlStore, id: Uuid) -> Result<Option<PersonRecord>> {
    let pool = store.pool();
    let sql = format!(
        "SELECT {}, p.best_time_to_call, p.contact_preference, p.languages_inferred, u.display_name AS contact_name, a.name AS area_name \
         FROM persons p \
         LEFT JOIN users u ON u.id = p.contact_user_id LEFT JOIN areas a ON a.id = p.area_id WHERE p.id = $1",
        PERSON_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db("reading a person"))?;
    let Some(row) = row else { return Ok(None) };
    let person = person_from_row(&row)?;
    let sources = sqlx::query(
        "SELECT kind, reference_id, label, added_at FROM person_sources WHERE person_id = $1 ORDER BY added_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db("reading sources"))?
    .iter()
    .map(|r| {
        let e = || db("reading a source");
        Ok(Source {
            kind: SourceKind::from_code(&r.try_get::<String, _>("kind").map_err(e())?).unwrap_or_default(),
            reference_id: opt_uuid(r.try_get("reference_id").map_err(e())?)?,
            label: r.try_get("label").map_err(e())?,
            added_at: parse_ts(&r.try_get::<String, _>("added_at").map_err(e())?)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let funnels = list_funnels(pool, id).await?;
    Ok(Some(PersonRecord {
        contact_user_id: opt_uuid(row.try_get("contact_user_id").map_err(db("reading a person"))?)?,
        contact_name: row.try_get("contact_name").map_err(db("reading a person"))?,
        area_name: row.try_get("area_name").map_err(db("reading a person"))?,
        best_time_to_call: best_time_from_row(&row)?,
        languages_inferred: row.try_get::<i64, _>("languages_inferred").map_err(db("reading a person"))? != 0,
        contact_preference: contact_preference_from_row(&row)?,
        person,
        sources,
        funnels,
    }))
}

impl SqlStore {
    async fn append_audit_for(&self, audit: &AuditRecord, person: Uuid) -> Result<()> {
        let mut audit = audit.clone();
        if !audit.persons.contains(&person) {
            audit.persons.push(person);
        }
        self.append_audit_grouped(audit).await
    }
}

fn funnel_from_row(r: &AnyRow) -> Result<FunnelRow> {
    let e = || db("reading a funnel");
    let n: i64 = r.try_get("event_count").map_err(e())?;
    Ok(FunnelRow {
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        initiative_name: r.try_get("initiative_name").map_err(e())?,
        rules: FunnelRules::with_cool_off_days(r.try_get::<i64, _>("cool_off_days").map_err(e())?),
        state: state_from_row(r)?,
        event_count: u64::try_from(n).unwrap_or(0),
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at").map_err(e())?)?,
    })
}

async fn list_funnels(pool: &AnyPool, person_id: Uuid) -> Result<Vec<FunnelRow>> {
    sqlx::query(
        "SELECT f.*, i.name AS initiative_name, i.cool_off_days FROM funnels f JOIN initiatives i ON i.id = f.initiative_id \
         WHERE f.person_id = $1 ORDER BY f.updated_at DESC",
    )
    .bind(person_id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db("reading funnels"))?
    .iter()
    .map(funnel_from_row)
    .collect()
}

pub(crate) async fn get_funnel(pool: &AnyPool, person_id: Uuid, initiative_id: Uuid) -> Result<Option<FunnelRow>> {
    Ok(list_funnels(pool, person_id).await?.into_iter().find(|f| f.initiative_id == initiative_id))
}

/// Where counting stops (see `list_people`).
pub const COUNT_CAP: i64 = 1000;

pub(crate) async fn list_people(store: &SqlStore, q: &PeopleQuery, audit: &AuditRecord) -> Result<PeoplePage> {
    // The WHERE clause is assembled from fixed fragments only; every value is bound.
    let mut clauses: Vec<String> = Vec::new();
    // Bound values in placeholder order. The filters only join her funnel when the stage
    // is filtered on, so that a count or a page of a plain filter reads one index.
    let mut args: Vec<Option<String>> = Vec::new();
    let arg = |v: String, args: &mut Vec<Option<String>>| {
        args.push(Some(v));
        format!("${}", args.len())
    };
    match &q.scope {
        ListScope::Nobody => clauses.push("1 = 0".into()),
        ListScope::Everyone => {}
        ListScope::TeamOf { team_id: Some(team), .. } => {
            let t = arg(team.to_string(), &mut args);
            clauses.push(format!("p.team_id = {t}"));
        }
        ListScope::TeamOf { team_id: None, user_id } => {
            let u = arg(user_id.to_string(), &mut args);
            clauses.push(format!("p.contact_user_id = {u}"));
        }
        ListScope::RegisteredBy(user) => {
            let u = arg(user.to_string(), &mut args);
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM person_sources s WHERE s.person_id = p.id AND s.kind = 'ambassador' AND s.reference_id = {u})"
            ));
        }
        ListScope::ReferredBy(org) => match org {
            None => clauses.push("1 = 0".into()),
            Some(org) => {
                let o = arg(org.to_string(), &mut args);
                clauses.push(format!(
                    "EXISTS (SELECT 1 FROM person_sources s WHERE s.person_id = p.id AND s.kind = 'partner' AND s.reference_id = {o})"
                ));
            }
        },
    }
    let f = &q.filter;
    if let Some(name) = &f.name {
        let n = arg(format!("%{}%", domain::text::normalise_name(name)), &mut args);
        clauses.push(format!("p.search_key LIKE {n}"));
    }
    if let Some(phone) = &f.phone {
        let n = arg(phone.as_e164().to_string(), &mut args);
        clauses.push(format!("p.phone = {n}"));
    }
    if let Some(cpr) = &f.cpr {
        let n = arg(cpr.expose(), &mut args);
        clauses.push(format!("p.cpr = {n}"));
    }
    if let Some(stage) = f.stage {
        let i = arg(q.initiative_id.to_string(), &mut args);
        let n = arg(stage.code().to_string(), &mut args);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM funnels fs WHERE fs.person_id = p.id AND fs.initiative_id = {i} AND fs.stage = {n})"
        ));
    }
    if let Some(source) = f.source {
        let n = arg(source.code().to_string(), &mut args);
        clauses.push(format!("EXISTS (SELECT 1 FROM person_sources s2 WHERE s2.person_id = p.id AND s2.kind = {n})"));
    }
    if let Some(area) = f.area_id {
        let n = arg(area.to_string(), &mut args);
        clauses.push(format!("p.area_id = {n}"));
    }
    if let Some(lang) = &f.language {
        let n = arg(lang.clone(), &mut args);
        clauses.push(format!("p.first_language = {n}"));
    }
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let from = "FROM persons p";
    // Counting every match of a broad filter over national-size data costs more than the
    // page itself; past COUNT_CAP the page says "more than" and asks for a narrower search.
    // The count rides along with the page as an uncorrelated subquery (its aliases shadow
    // the outer ones), so a page is one statement.
    let count_sql = format!("SELECT COUNT(*) FROM (SELECT 1 {from} {where_sql} LIMIT {}) AS matches", COUNT_CAP + 1);
    let page_size = q.page_size.clamp(1, 200);
    let page = q.page.max(1);
    let offset = i64::from(page - 1) * i64::from(page_size);
    // The page's ids come from the index alone; only those rows, and their stage in
    // this initiative, are then read. Reading whole rows while skipping the OFFSET read
    // every skipped row and its funnel too (measured).
    let order = "ORDER BY p.family_name, p.given_name, p.id";
    let initiative = format!("${}", args.len() + 1);
    let list_sql = format!(
        "SELECT p.id, p.given_name, p.family_name, p.phone, p.first_language, p.safe_contact_only, p.area_id, \
         f.stage, ({count_sql}) AS matched \
         FROM (SELECT p.id AS page_id {from} {where_sql} {order} LIMIT {page_size} OFFSET {offset}) AS page \
         JOIN persons p ON p.id = page.page_id \
         LEFT JOIN funnels f ON f.person_id = p.id AND f.initiative_id = {initiative} {order}"
    );
    let mut list_q = sqlx::query(sqlx::AssertSqlSafe(list_sql));
    for a in &args {
        list_q = list_q.bind(a.clone());
    }
    list_q = list_q.bind(Some(q.initiative_id.to_string()));
    let rows = list_q.fetch_all(store.pool()).await.map_err(db("listing persons"))?;
    let counted: i64 = match rows.first() {
        Some(r) => r.try_get("matched").map_err(db("counting persons"))?,
        // Past the last page there is no row to carry the count: ask for it alone.
        None => {
            let mut count_q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
            for a in &args {
                count_q = count_q.bind(a.clone());
            }
            count_q.fetch_one(store.pool()).await.and_then(|r| r.try_get(0)).map_err(db("counting persons"))?
        }
    };
    let capped = counted > COUNT_CAP;
    let total = counted.min(COUNT_CAP);
    // Area names from the cached reference data rather than a join per row.
    let areas = store.list_areas().await?;
    let area_name = |id: Option<Uuid>| id.and_then(|id| areas.iter().find(|a| a.id == id)).map(|a| a.name.clone());
    let rows = rows
        .iter()
        .map(|r| {
            let e = || db("reading a person row");
            let stage: Option<String> = r.try_get("stage").map_err(e())?;
            let safe: i64 = r.try_get("safe_contact_only").map_err(e())?;
            Ok(PersonListRow {
                id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                given_name: r.try_get("given_name").map_err(e())?,
                family_name: r.try_get("family_name").map_err(e())?,
                phone: r
                    .try_get::<Option<String>, _>("phone")
                    .map_err(e())?
                    .and_then(|p| domain::PhoneNumber::parse(&p).ok()),
                area_name: area_name(opt_uuid(r.try_get("area_id").map_err(e())?)?),
                first_language: r.try_get("first_language").map_err(e())?,
                stage: stage.as_deref().and_then(Stage::from_code),
                safe_contact_only: safe != 0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // A list records the query and every person shown.
    let mut audit = audit.clone();
    audit.persons = rows.iter().map(|r| r.id).collect();
    if audit.detail.is_empty() {
        audit.detail = format!("{} page={page} total={total}{}", f.describe(), if capped { "+" } else { "" });
    }
    store.append_audit(&audit).await?;
    Ok(PeoplePage { rows, total: u64::try_from(total).unwrap_or(0), capped, page, page_size })
}

fn event_from_row(r: &AnyRow) -> Result<EventRecord> {
    let e = || db("reading an event");
    let kind: String = r.try_get("kind").map_err(e())?;
    let channel: String = r.try_get("channel").map_err(e())?;
    let interp: i64 = r.try_get("interpreter_used").map_err(e())?;
    let ncd: i64 = r.try_get("new_contact_data").map_err(e())?;
    Ok(EventRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        person_id: parse_uuid(&r.try_get::<String, _>("person_id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        seq: r.try_get("seq").map_err(e())?,
        kind: EventKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("event kind {kind}")))?,
        channel: Channel::from_code(&channel).ok_or_else(|| StoreError::Corrupt(format!("channel {channel}")))?,
        occurred_at: parse_ts(&r.try_get::<String, _>("occurred_at").map_err(e())?)?,
        recorded_by_name: r.try_get("recorded_by_name").map_err(e())?,
        language: r.try_get("language").map_err(e())?,
        interpreter_used: interp != 0,
        new_contact_data: ncd != 0,
        note: r.try_get("note").map_err(e())?,
        voided_at: r.try_get::<Option<String>, _>("voided_at").map_err(e())?.map(|t| parse_ts(&t)).transpose()?,
        void_reason: r.try_get("void_reason").map_err(e())?,
    })
}

pub(crate) async fn list_events(pool: &AnyPool, person_id: Uuid) -> Result<Vec<EventRecord>> {
    sqlx::query("SELECT * FROM events WHERE person_id = $1 ORDER BY occurred_at DESC, seq DESC")
        .bind(person_id.to_string())
        .fetch_all(pool)
        .await
        .map_err(db("listing events"))?
        .iter()
        .map(event_from_row)
        .collect()
}

async fn funnel_events(tx: &mut Tx, person_id: Uuid, initiative_id: Uuid) -> Result<Vec<EventRecord>> {
    sqlx::query("SELECT * FROM events WHERE person_id = $1 AND initiative_id = $2 ORDER BY seq")
        .bind(person_id.to_string())
        .bind(initiative_id.to_string())
        .fetch_all(&mut **tx)
        .await
        .map_err(db("reading a funnel's events"))?
        .iter()
        .map(event_from_row)
        .collect()
}

fn as_input(e: &EventRecord) -> TransitionInput {
    TransitionInput { kind: e.kind, at: e.occurred_at, channel: e.channel, new_contact_data: e.new_contact_data }
}

pub(crate) async fn record_event(store: &SqlStore, ev: &NewEvent, audit: &AuditRecord) -> Result<EventRecord> {
    let mut tx = store.begin().await?;
    let (id, seq) = append_event(&mut tx, ev).await?;
    super::insert_do_not_contact(&mut tx, &ev.do_not_contact).await?;
    let mut audit = audit.clone();
    audit.persons = vec![ev.person_id];
    write_audit(&mut tx, &audit).await?;
    tx.commit().await.map_err(db("committing an event"))?;
    Ok(EventRecord {
        id,
        person_id: ev.person_id,
        initiative_id: ev.initiative_id,
        seq,
        kind: ev.input.kind,
        channel: ev.input.channel,
        occurred_at: ev.input.at,
        recorded_by_name: ev.actor.name.clone(),
        language: ev.language.clone(),
        interpreter_used: ev.interpreter_used,
        new_contact_data: ev.input.new_contact_data,
        note: ev.note.clone(),
        voided_at: None,
        void_reason: None,
    })
}

/// One event and the funnel it moves, inside the caller's transaction: the funnel
/// decides (`Funnel` error when it refuses), the event gets the next number. Returns
/// the event's id and number. The do-not-contact hashes and the audit entry are the
/// caller's.
pub(crate) async fn append_event(tx: &mut Tx, ev: &NewEvent) -> Result<(Uuid, i64)> {
    // G-2.2: "never contact me again" goes on the list with the event, always. Every
    // event passes here, so a caller that forgot the hashes cannot write it.
    if ev.input.kind == funnel::EventKind::NeverContactAgain && ev.do_not_contact.is_empty() {
        return Err(StoreError::NeverAgainWithoutHashes);
    }
    let rules = rules_for(tx, ev.initiative_id).await?;
    let current = load_state(tx, ev.person_id, ev.initiative_id).await?;
    let next = funnel::transition(current.as_ref().map(|(s, _)| s), &ev.input, &rules)?;
    let max_seq: Option<i64> = sqlx::query("SELECT MAX(seq) FROM events WHERE person_id = $1 AND initiative_id = $2")
        .bind(ev.person_id.to_string())
        .bind(ev.initiative_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db("numbering an event"))?;
    let seq = max_seq.unwrap_or(0) + 1;
    let id = Uuid::new_v4();
    insert_event(
        tx,
        id,
        ev.person_id,
        ev.initiative_id,
        seq,
        &ev.input,
        &ev.actor,
        ev.language.as_deref(),
        ev.interpreter_used,
        &ev.note,
    )
    .await?;
    let count = current.as_ref().map(|(_, n)| *n).unwrap_or(0) + 1;
    save_state(tx, ev.person_id, ev.initiative_id, &next, count, current.is_some(), ev.input.at).await?;
    Ok((id, seq))
}

pub(crate) async fn void_event(store: &SqlStore, v: &VoidEvent, audit: &AuditRecord) -> Result<()> {
    let mut tx = store.begin().await?;
    let row = sqlx::query("SELECT initiative_id, kind, voided_at FROM events WHERE id = $1 AND person_id = $2")
        .bind(v.event_id.to_string())
        .bind(v.person_id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading an event"))?
        .ok_or(StoreError::NotFound("event"))?;
    let initiative_id = parse_uuid(&row.try_get::<String, _>("initiative_id").map_err(db("reading an event"))?)?;
    if row.try_get::<Option<String>, _>("voided_at").map_err(db("reading an event"))?.is_some() {
        return Err(StoreError::Conflict { constraint: "event already voided".into() });
    }
    let rules = rules_for(&mut tx, initiative_id).await?;
    let events = funnel_events(&mut tx, v.person_id, initiative_id).await?;
    let remaining: Vec<TransitionInput> =
        events.iter().filter(|e| e.voided_at.is_none() && e.id != v.event_id).map(as_input).collect();
    let state = funnel::replay(&remaining, &rules)
        .map_err(|e| StoreError::Funnel(funnel::FunnelError::VoidBreaksHistory(Box::new(e))))?;
    sqlx::query("UPDATE events SET voided_at = $1, voided_by = $2, void_reason = $3 WHERE id = $4")
        .bind(fmt_ts(v.at))
        .bind(&v.actor.name)
        .bind(&v.reason)
        .bind(v.event_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("voiding an event"))?;
    match state {
        Some(state) => {
            let n = i64::try_from(remaining.len()).unwrap_or(i64::MAX);
            save_state(&mut tx, v.person_id, initiative_id, &state, n, true, v.at).await?;
        }
        None => {
            // Voiding her entry removes her from this initiative's funnel; the events stay.
            sqlx::query("DELETE FROM funnels WHERE person_id = $1 AND initiative_id = $2")
                .bind(v.person_id.to_string())
                .bind(initiative_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("removing a funnel"))?;
        }
    }
    let mut audit = audit.clone();
    audit.persons = vec![v.person_id];
    write_audit(&mut tx, &audit).await?;
    tx.commit().await.map_err(db("committing a void"))
}

pub(crate) async fn check_projections(store: &SqlStore) -> Result<Vec<(Uuid, Uuid)>> {
    let mut tx = store.begin().await?;
    let funnels = sqlx::query("SELECT * FROM funnels").fetch_all(&mut *tx).await.map_err(db("reading funnels"))?;
    let mut differing = Vec::new();
    for f in &funnels {
        let person = parse_uuid(&f.try_get::<String, _>("person_id").map_err(db("reading a funnel"))?)?;
        let initiative = parse_uuid(&f.try_get::<String, _>("initiative_id").map_err(db("reading a funnel"))?)?;
        let stored = state_from_row(f)?;
        let rules = rules_for(&mut tx, initiative).await?;
        let events = funnel_events(&mut tx, person, initiative).await?;
        let inputs: Vec<TransitionInput> = events.iter().filter(|e| e.voided_at.is_none()).map(as_input).collect();
        if funnel::replay(&inputs, &rules).ok().flatten() != Some(stored) {
            differing.push((person, initiative));
        }
    }
    tx.rollback().await.map_err(db("ending a check"))?;
    Ok(differing)
}
