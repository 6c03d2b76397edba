//! Persons: their details, sources and contact persons, the people list and her
//! scope. Her events and the funnel are in `events`.

use super::events::{enter_funnel, insert_event, list_funnels, rules_for, save_state};
use super::naming;
use super::rows::{flag, fmt_ts, opt_uuid, parse_date, parse_ts, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::*;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{self, FunnelRules, FunnelState, Stage};
use domain::org::ContactAssignment;
use domain::person::{Address, Education, Network, PersonDetails, Source, SourceKind, SpokenLanguage, WorkExperience};
use domain::person::{DanishLevel, Person, Segment};
use domain::policy::ListScope;
use domain::reference::MotivationFactor;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) type Tx = Transaction<'static, Any>;

pub(crate) const PERSON_COLUMNS: &str = "id, given_name, family_name, search_key, birth_date, cpr, phone, phone_is_hers_alone, \
    street, postcode, city, area_id, languages, first_language, country_of_origin, arrived_in_denmark, education, \
    work_experience, network, danish_level, motivation_note, motivation, safe_contact_only, safety_note, \
    interpreter_needed, digital_post_exempt, team_id, contact_user_id, created_at, updated_at";

/// What a read of her record selects: the written columns and her record's version.
pub(crate) fn person_read_columns(prefix: &str) -> String {
    PERSON_COLUMNS.split(", ").chain(["version"]).map(|c| format!("{prefix}{c}")).collect::<Vec<_>>().join(", ")
}

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

/// Writes her details and counts the version up; with `expected`, only over that
/// version. False when no row was written (no such person, or another version).
async fn write_details(tx: &mut Tx, id: Uuid, d: &PersonDetails, expected: Option<i64>) -> Result<bool> {
    let update = sqlx::query(
        "UPDATE persons SET given_name = $2, family_name = $3, search_key = $4, birth_date = $5, cpr = $6, phone = $7, \
         phone_is_hers_alone = $8, street = $9, postcode = $10, city = $11, area_id = $12, languages = $13, \
         first_language = $14, country_of_origin = $15, arrived_in_denmark = $16, education = $17, work_experience = $18, \
         network = $19, danish_level = $20, motivation_note = $21, motivation = $22, safe_contact_only = $23, \
         safety_note = $24, interpreter_needed = $25, digital_post_exempt = $26, updated_at = $27, \
         languages_inferred = 0, version = version + 1 WHERE id = $1 AND ($28 IS NULL OR version = $28)",
    );
    let r = bind_details(update.bind(id.to_string()), d)
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(expected)
        .execute(&mut **tx)
        .await
        .map_err(db("updating a person"))?;
    Ok(r.rows_affected() > 0)
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
        version: r.try_get("version").map_err(e())?,
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

impl SqlStore {
    async fn append_audit_for(&self, audit: &AuditRecord, person: Uuid) -> Result<()> {
        let mut audit = audit.clone();
        if !audit.persons.contains(&person) {
            audit.persons.push(person);
        }
        self.append_audit_grouped(audit).await
    }
}

/// Where counting stops (see `list_people`).
pub const COUNT_CAP: i64 = 1000;

impl SqlStore {
    /// A woman entered by hand. Her keyed do-not-contact hashes are checked against the
    /// list in this transaction (G-2.2): on it, `OnDoNotContact` and nothing written.
    pub async fn create_person(&self, new: &NewPerson, dnc_hashes: &[String], audit: &AuditRecord) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        if super::do_not_contact::dnc_contains(&mut tx, dnc_hashes).await? {
            return Err(StoreError::OnDoNotContact);
        }
        insert_new_person(&mut tx, id, new).await?;
        let mut audit = audit.clone();
        audit.persons = vec![id];
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a new person"))?;
        Ok(id)
    }

    /// Writes her details whatever version they were read at (imports, tests). An
    /// edit by staff goes through `edit_person`.
    pub async fn update_person(&self, id: Uuid, d: &PersonDetails, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        if !write_details(&mut tx, id, d, None).await? {
            return Err(StoreError::NotFound("person"));
        }
        write_audit(&mut tx, &super::naming(audit, id)).await?;
        tx.commit().await.map_err(db("committing a person"))
    }

    /// An edit by staff (issue 13, item 11): refused as stale when her record changed
    /// since the form was read — nothing written, her record as it is now returned —
    /// and otherwise written with what the form could not carry kept
    /// (`domain::person_edit::apply`), the audit entry naming the fields that changed.
    pub async fn edit_person(&self, edit: &PersonEdit, audit: &AuditRecord) -> Result<Edited> {
        let mut tx = self.begin().await?;
        let sql = format!("SELECT {} FROM persons WHERE id = $1", person_read_columns(""));
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(edit.id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading a person to edit"))?
            .ok_or(StoreError::NotFound("person"))?;
        let current = person_from_row(&row)?;
        if current.version != edit.read_version {
            return Ok(Edited::Stale(Box::new(current)));
        }
        let details = domain::person_edit::apply(&current.details, edit.details.clone(), edit.sees_safety_note);
        let fields = domain::person_edit::changed_fields(&current.details, &details);
        if !write_details(&mut tx, edit.id, &details, Some(edit.read_version)).await? {
            // Another writer got in between the read and this write (PostgreSQL).
            return Ok(Edited::Stale(Box::new(current)));
        }
        let audit = AuditRecord { detail: domain::person_edit::audit_detail(&fields), ..audit.clone() };
        write_audit(&mut tx, &super::naming(&audit, edit.id)).await?;
        tx.commit().await.map_err(db("committing a person"))?;
        Ok(Edited::Saved { fields })
    }

    /// Bulk load (synthetic municipality, imports): persons with their sources and
    /// event histories, all in one transaction, one audit entry for the batch.
    pub async fn load_people(&self, people: &[LoadPerson], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
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

    pub async fn person_scope(&self, id: Uuid) -> Result<Option<PersonScopeRow>> {
        let row = sqlx::query("SELECT team_id, contact_user_id FROM persons WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a person's scope"))?;
        let Some(row) = row else { return Ok(None) };
        let sources = sqlx::query("SELECT kind, reference_id FROM person_sources WHERE person_id = $1")
            .bind(id.to_string())
            .fetch_all(self.pool())
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

    pub async fn get_person(&self, id: Uuid, audit: &AuditRecord) -> Result<PersonRecord> {
        let rec = self.read_person(id).await?.ok_or(StoreError::NotFound("person"))?;
        // The read is recorded before anything is shown: no audit entry, no page.
        self.append_audit_for(audit, id).await?;
        Ok(rec)
    }

    /// Her record without an audit entry: for a handler that checks access on the
    /// record itself and then audits the view (see `PersonRecord::scope`).
    pub async fn read_person(&self, id: Uuid) -> Result<Option<PersonRecord>> {
        let pool = self.pool();
        let sql = format!(
            "SELECT {}, p.best_time_to_call, p.contact_preference, p.languages_inferred, u.display_name AS contact_name, a.name AS area_name \
             FROM persons p \
             LEFT JOIN users u ON u.id = p.contact_user_id LEFT JOIN areas a ON a.id = p.area_id WHERE p.id = $1",
            person_read_columns("p.")
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

    /// The ids of the women with this CPR number (one, unless a duplicate record is
    /// waiting to be merged). Not a read of her data: the list that uses them is
    /// audited as a search.
    pub async fn persons_with_cpr(&self, cpr: &domain::Cpr) -> Result<Vec<Uuid>> {
        let rows = sqlx::query("SELECT id FROM persons WHERE cpr = $1 ORDER BY id")
            .bind(cpr.expose())
            .fetch_all(self.pool())
            .await
            .map_err(db("finding persons by CPR"))?;
        rows.iter().map(|r| parse_uuid(&r.try_get::<String, _>("id").map_err(db("reading a person id"))?)).collect()
    }

    /// The names of these women, for the audit log's page (issue 14, item 6); the page
    /// that shows them audits what it shows. Unknown ids (a deleted record) are left out.
    pub async fn person_names(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
        let mut out = Vec::with_capacity(ids.len());
        // A fixed statement per id keeps one prepared text; a page holds few women.
        for id in ids {
            let row = sqlx::query("SELECT given_name, family_name FROM persons WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await
                .map_err(db("reading a name"))?;
            if let Some(r) = row {
                let given: String = r.try_get("given_name").map_err(db("reading a name"))?;
                let family: String = r.try_get("family_name").map_err(db("reading a name"))?;
                out.push((*id, format!("{given} {family}").trim().to_string()));
            }
        }
        Ok(out)
    }

    pub async fn list_people(&self, q: &PeopleQuery, audit: &AuditRecord) -> Result<PeoplePage> {
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
        if let Some(ids) = &f.cpr_ids {
            if ids.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let list: Vec<String> = ids.iter().map(|id| arg(id.to_string(), &mut args)).collect();
                clauses.push(format!("p.id IN ({})", list.join(", ")));
            }
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
            clauses
                .push(format!("EXISTS (SELECT 1 FROM person_sources s2 WHERE s2.person_id = p.id AND s2.kind = {n})"));
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
        let count_sql =
            format!("SELECT COUNT(*) FROM (SELECT 1 {from} {where_sql} LIMIT {}) AS matches", COUNT_CAP + 1);
        let page_size = q.page_size.clamp(1, 200);
        let page = q.page.max(1);
        let offset = i64::from(page - 1) * i64::from(page_size);
        // The page's ids come from the index alone; only those rows, and their stage in
        // this initiative, are then read. Reading whole rows while skipping the OFFSET read
        // every skipped row and its funnel too (measured).
        let order =
            if q.by_family_name { "ORDER BY p.family_name, p.given_name, p.id" } else { "ORDER BY p.given_name, p.id" };
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
        let rows = list_q.fetch_all(self.pool()).await.map_err(db("listing persons"))?;
        let counted: i64 = match rows.first() {
            Some(r) => r.try_get("matched").map_err(db("counting persons"))?,
            // Past the last page there is no row to carry the count: ask for it alone.
            None => {
                let mut count_q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
                for a in &args {
                    count_q = count_q.bind(a.clone());
                }
                count_q.fetch_one(self.pool()).await.and_then(|r| r.try_get(0)).map_err(db("counting persons"))?
            }
        };
        let capped = counted > COUNT_CAP;
        let total = counted.min(COUNT_CAP);
        // Area names from the cached reference data rather than a join per row.
        let areas = self.list_areas().await?;
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
        self.append_audit(&audit).await?;
        Ok(PeoplePage { rows, total: u64::try_from(total).unwrap_or(0), capped, page, page_size })
    }

    pub async fn add_source(&self, person_id: Uuid, source: &Source, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_source(&mut tx, person_id, source).await?;
        write_audit(&mut tx, &naming(audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a source"))
    }

    /// Makes `user_id` her contact person (closing the earlier assignment) and sets her
    /// team to `team_id` (see `domain::policy::team_after_contact_change`).
    pub async fn set_contact_person(
        &self,
        person_id: Uuid,
        user_id: Uuid,
        team_id: Option<Uuid>,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<()> {
        let now = OffsetDateTime::now_utc();
        let mut tx = self.begin().await?;
        assign_contact(&mut tx, person_id, user_id, team_id, by, now).await?;
        write_audit(&mut tx, &super::naming(audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a contact person"))
    }

    /// Her contact persons, the current one first, with the user's name.
    pub async fn contact_history(&self, person_id: Uuid) -> Result<Vec<(ContactAssignment, String)>> {
        let rows = sqlx::query(
            "SELECT c.*, u.display_name FROM contact_assignments c JOIN users u ON u.id = c.user_id \
             WHERE c.person_id = $1 ORDER BY c.until_at IS NOT NULL, c.from_at DESC",
        )
        .bind(person_id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading contact persons"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a contact person");
                Ok((
                    ContactAssignment {
                        person_id,
                        user_id: parse_uuid(&r.try_get::<String, _>("user_id").map_err(e())?)?,
                        from: parse_ts(&r.try_get::<String, _>("from_at").map_err(e())?)?,
                        until: r
                            .try_get::<Option<String>, _>("until_at")
                            .map_err(e())?
                            .map(|t| parse_ts(&t))
                            .transpose()?,
                        assigned_by: parse_uuid(&r.try_get::<String, _>("assigned_by").map_err(e())?)?,
                    },
                    r.try_get("display_name").map_err(e())?,
                ))
            })
            .collect()
    }

    pub async fn count_people(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM persons")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(db("counting persons"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
