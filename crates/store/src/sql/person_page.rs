//! Everything her page shows, in one statement. Under load each statement costs two
//! thread hand-offs in sqlx's SQLite driver, and the page needed seven; here her
//! sources, funnels, events, contact persons and consents come back as JSON arrays
//! from correlated subqueries. The JSON functions are the one place the dialects
//! differ; the order of each list is set in Rust, so neither dialect's aggregate order
//! matters.

use super::rows::{opt_uuid, parse_ts, parse_uuid};
use super::{Backend, SqlStore, db};
use crate::records::*;
use crate::{Result, StoreError};
use domain::funnel::{Channel, EventKind, FunnelRules, FunnelState, Stage};
use domain::org::{Consent, ContactAssignment};
use domain::person::{Source, SourceKind};
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

/// `SELECT json-array-of-rows FROM …` for this backend, empty lists as `[]`.
fn agg(backend: Backend, columns: &str, from: &str) -> String {
    match backend {
        Backend::Sqlite => format!("(SELECT json_group_array(json_array({columns})) {from})"),
        Backend::Postgres => {
            format!("COALESCE((SELECT json_agg(json_build_array({columns})) {from}), '[]'::json)::text")
        }
    }
}

fn sql(backend: Backend) -> String {
    let person_columns = super::people::person_read_columns("p.");
    let sources =
        agg(backend, "s.kind, s.reference_id, s.label, s.added_at", "FROM person_sources s WHERE s.person_id = p.id");
    let funnels = agg(
        backend,
        "f.initiative_id, i.name, i.cool_off_days, f.stage, f.paused_from, f.not_now_at, f.declined_earlier, \
         f.attempts, f.event_count, f.updated_at",
        "FROM funnels f JOIN initiatives i ON i.id = f.initiative_id WHERE f.person_id = p.id",
    );
    let events = agg(
        backend,
        "e.id, e.initiative_id, e.seq, e.kind, e.channel, e.occurred_at, e.recorded_by_name, e.language, \
         e.interpreter_used, e.new_contact_data, e.note, e.voided_at, e.void_reason",
        "FROM events e WHERE e.person_id = p.id",
    );
    let contacts = agg(
        backend,
        "c.user_id, c.from_at, c.until_at, c.assigned_by, cu.display_name",
        "FROM contact_assignments c JOIN users cu ON cu.id = c.user_id WHERE c.person_id = p.id",
    );
    let consents = agg(
        backend,
        "k.id, k.purpose, k.text_version, k.language, k.recorded_by, k.recorded_at, k.withdrawn_at, k.partner_org_id",
        "FROM consents k WHERE k.person_id = p.id",
    );
    format!(
        "SELECT {}, p.best_time_to_call, p.contact_preference, p.languages_inferred, u.display_name AS contact_name, a.name AS area_name, {sources} AS sources_json, \
         {funnels} AS funnels_json, {events} AS events_json, {contacts} AS contacts_json, {consents} AS consents_json \
         FROM persons p LEFT JOIN users u ON u.id = p.contact_user_id LEFT JOIN areas a ON a.id = p.area_id \
         WHERE p.id = $1",
        person_columns
    )
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("person page: {what}"))
}

fn text(v: &Value) -> Result<String> {
    v.as_str().map(str::to_string).ok_or_else(|| corrupt("expected text"))
}

fn opt_text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn int(v: &Value) -> Result<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).ok_or_else(|| corrupt("expected a number"))
}

fn rows(json: &str) -> Result<Vec<Vec<Value>>> {
    serde_json::from_str(json).map_err(|e| corrupt(&e.to_string()))
}

fn cell(row: &[Value], i: usize) -> &Value {
    row.get(i).unwrap_or(&Value::Null)
}

impl SqlStore {
    /// Her record with her timeline, contact persons and consents, in one read, for
    /// her page. Not audited, like `read_person`.
    pub async fn read_person_page(&self, id: Uuid) -> Result<Option<PersonPage>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sql(self.backend_kind())))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a person's page"))?;
        let Some(row) = row else { return Ok(None) };
        let e = || db("reading a person's page");
        let json =
            |col: &str| -> Result<String> { row.try_get::<String, _>(col).map_err(db("reading a person's page")) };
        let person = super::people::person_from_row(&row)?;

        let mut sources = rows(&json("sources_json")?)?
            .iter()
            .map(|r| {
                Ok(Source {
                    kind: SourceKind::from_code(&text(cell(r, 0))?).unwrap_or_default(),
                    reference_id: opt_uuid(opt_text(cell(r, 1)))?,
                    label: text(cell(r, 2))?,
                    added_at: parse_ts(&text(cell(r, 3))?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        sources.sort_by_key(|s| s.added_at);

        let mut funnels = rows(&json("funnels_json")?)?
            .iter()
            .map(|r| {
                let stage = text(cell(r, 3))?;
                Ok(FunnelRow {
                    initiative_id: parse_uuid(&text(cell(r, 0))?)?,
                    initiative_name: text(cell(r, 1))?,
                    rules: FunnelRules::with_cool_off_days(int(cell(r, 2))?),
                    state: FunnelState {
                        stage: Stage::from_code(&stage).ok_or_else(|| corrupt("stage"))?,
                        paused_from: opt_text(cell(r, 4)).as_deref().and_then(Stage::from_code),
                        not_now_at: opt_text(cell(r, 5)).map(|t| parse_ts(&t)).transpose()?,
                        declined_earlier: int(cell(r, 6))? != 0,
                        attempts: u32::try_from(int(cell(r, 7))?).unwrap_or(0),
                    },
                    event_count: u64::try_from(int(cell(r, 8))?).unwrap_or(0),
                    updated_at: parse_ts(&text(cell(r, 9))?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        funnels.sort_by_key(|f| std::cmp::Reverse(f.updated_at));

        let mut events = rows(&json("events_json")?)?
            .iter()
            .map(|r| {
                let kind = text(cell(r, 3))?;
                let channel = text(cell(r, 4))?;
                Ok(EventRecord {
                    id: parse_uuid(&text(cell(r, 0))?)?,
                    person_id: id,
                    initiative_id: parse_uuid(&text(cell(r, 1))?)?,
                    seq: int(cell(r, 2))?,
                    kind: EventKind::from_code(&kind).ok_or_else(|| corrupt("event kind"))?,
                    channel: Channel::from_code(&channel).ok_or_else(|| corrupt("channel"))?,
                    occurred_at: parse_ts(&text(cell(r, 5))?)?,
                    recorded_by_name: text(cell(r, 6))?,
                    language: opt_text(cell(r, 7)),
                    interpreter_used: int(cell(r, 8))? != 0,
                    new_contact_data: int(cell(r, 9))? != 0,
                    note: text(cell(r, 10))?,
                    voided_at: opt_text(cell(r, 11)).map(|t| parse_ts(&t)).transpose()?,
                    void_reason: opt_text(cell(r, 12)),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Newest first, as `list_events` gives them.
        events.sort_by(|a, b| b.occurred_at.cmp(&a.occurred_at).then(b.seq.cmp(&a.seq)));

        let mut contacts = rows(&json("contacts_json")?)?
            .iter()
            .map(|r| {
                Ok((
                    ContactAssignment {
                        person_id: id,
                        user_id: parse_uuid(&text(cell(r, 0))?)?,
                        from: parse_ts(&text(cell(r, 1))?)?,
                        until: opt_text(cell(r, 2)).map(|t| parse_ts(&t)).transpose()?,
                        assigned_by: parse_uuid(&text(cell(r, 3))?)?,
                    },
                    text(cell(r, 4))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        // The current one first, then the earlier ones, newest first.
        contacts.sort_by(|(a, _), (b, _)| a.until.is_some().cmp(&b.until.is_some()).then(b.from.cmp(&a.from)));

        let mut consents = rows(&json("consents_json")?)?
            .iter()
            .map(|r| {
                Ok(Consent {
                    id: parse_uuid(&text(cell(r, 0))?)?,
                    person_id: id,
                    purpose: text(cell(r, 1))?,
                    text_version: text(cell(r, 2))?,
                    language: text(cell(r, 3))?,
                    recorded_by: parse_uuid(&text(cell(r, 4))?)?,
                    recorded_at: parse_ts(&text(cell(r, 5))?)?,
                    withdrawn_at: opt_text(cell(r, 6)).map(|t| parse_ts(&t)).transpose()?,
                    partner_org_id: opt_text(cell(r, 7)).map(|t| parse_uuid(&t)).transpose()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        consents.sort_by_key(|c| std::cmp::Reverse(c.recorded_at));

        let record = PersonRecord {
            contact_user_id: opt_uuid(row.try_get("contact_user_id").map_err(e())?)?,
            contact_name: row.try_get("contact_name").map_err(e())?,
            area_name: row.try_get("area_name").map_err(e())?,
            best_time_to_call: super::people::best_time_from_row(&row)?,
            languages_inferred: row.try_get::<i64, _>("languages_inferred").map_err(e())? != 0,
            contact_preference: super::people::contact_preference_from_row(&row)?,
            person,
            sources,
            funnels,
        };
        Ok(Some(PersonPage { record, events, contacts, consents }))
    }
}
