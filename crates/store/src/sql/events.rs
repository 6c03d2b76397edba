//! The funnel: her events and their projection (`funnels`), always written together in
//! one transaction; a voided event rebuilds the projection from the events left.

use super::SqlStore;
use super::db;
use super::people::*;
use super::rows::flag;
use super::rows::fmt_ts;
use super::rows::parse_ts;
use super::rows::parse_uuid;
use super::write_audit;
use crate::Result;
use crate::StoreError;
use crate::records::*;
use domain::audit::AuditRecord;
use domain::funnel;
use domain::funnel::Channel;
use domain::funnel::EventKind;
use domain::funnel::FunnelRules;
use domain::funnel::FunnelState;
use domain::funnel::Stage;
use domain::funnel::TransitionInput;
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    pub async fn list_events(&self, person_id: Uuid) -> Result<Vec<EventRecord>> {
        list_events(&self.pool, person_id).await
    }

    pub async fn get_funnel(&self, person_id: Uuid, initiative_id: Uuid) -> Result<Option<FunnelRow>> {
        get_funnel(&self.pool, person_id, initiative_id).await
    }

    pub async fn stage_counts(&self, initiative_id: Uuid) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query("SELECT stage, COUNT(*) AS n FROM funnels WHERE initiative_id = $1 GROUP BY stage")
            .bind(initiative_id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db("counting stages"))?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n").map_err(db("reading stage counts"))?;
                Ok((r.try_get("stage").map_err(db("reading stage counts"))?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}

pub(crate) async fn rules_for(tx: &mut Tx, initiative_id: Uuid) -> Result<FunnelRules> {
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

pub(crate) async fn save_state(
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
pub(crate) async fn insert_event(
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

pub(crate) async fn list_funnels(pool: &AnyPool, person_id: Uuid) -> Result<Vec<FunnelRow>> {
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

/// One event, its do-not-contact hashes and its audit entry, committed in `tx`.
async fn record_event_in(mut tx: Tx, ev: &NewEvent, audit: &AuditRecord) -> Result<EventRecord> {
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

impl SqlStore {
    /// Records `ev` unless a submission with the same key already did, in one
    /// transaction with the key, so two retries racing each other record it once.
    pub async fn record_event_once(&self, submission: Uuid, ev: &NewEvent, audit: &AuditRecord) -> Result<Submitted> {
        let mut tx = self.begin().await?;
        // The key's primary key decides: a second insert is a conflict, and dropping
        // the transaction rolls it back.
        let inserted = sqlx::query("INSERT INTO event_submissions (submission_id, person_id) VALUES ($1, $2)")
            .bind(submission.to_string())
            .bind(ev.person_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("keeping an event form's key"));
        match inserted {
            Ok(_) => {}
            Err(StoreError::Conflict { .. }) => return Ok(Submitted::AlreadyRecorded),
            Err(e) => return Err(e),
        }
        let record = record_event_in(tx, ev, audit).await?;
        Ok(Submitted::Recorded(Box::new(record)))
    }

    pub async fn record_event(&self, ev: &NewEvent, audit: &AuditRecord) -> Result<EventRecord> {
        let tx = self.begin().await?;
        record_event_in(tx, ev, audit).await
    }

    pub async fn void_event(&self, v: &VoidEvent, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
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

    /// Rebuilds every projection from the events and returns the funnels that differ
    /// from what is stored (should be none).
    pub async fn check_projections(&self) -> Result<Vec<(Uuid, Uuid)>> {
        let mut tx = self.begin().await?;
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
}
