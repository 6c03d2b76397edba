//! The call list's reads (issue 4, item 5): the women of a scope in the stages a call
//! follows up, with their latest event. Who is due is `domain::calls`'s question.

use super::events;
use super::people::Tx;
use super::rows::{parse_ts, parse_uuid};
use super::{SqlStore, db, insert_do_not_contact, write_audit};
use crate::records::{CallRow, NewEvent};
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::{Channel, EventKind, Stage};
use domain::policy::ListScope;
use sqlx::Row;
use uuid::Uuid;

/// Whoever answers for her: her contact person, else her team's caseworkers, else the
/// coordinators.
pub(crate) async fn responsible(tx: &mut Tx, person_id: Uuid) -> Result<Vec<Uuid>> {
    let r = sqlx::query("SELECT contact_user_id, team_id FROM persons WHERE id = $1")
        .bind(person_id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading her contact person"))?
        .ok_or(StoreError::NotFound("person"))?;
    let contact: Option<String> = r.try_get("contact_user_id").map_err(db("reading her contact person"))?;
    let team: Option<String> = r.try_get("team_id").map_err(db("reading her team"))?;
    super::ambassadors::recipients(
        tx,
        contact.as_deref().map(parse_uuid).transpose()?,
        team.as_deref().map(parse_uuid).transpose()?,
    )
    .await
}

/// A staff scope as a fixed SQL fragment on `persons p` with its one bound value as
/// parameter `$n`. Ambassadors and partners reach nothing here: they neither call nor
/// follow the team's work.
fn staff_scope(scope: &ListScope, n: u8) -> (String, Option<String>) {
    match scope {
        ListScope::Nobody => ("AND 1 = 0".into(), None),
        ListScope::Everyone => (String::new(), None),
        ListScope::TeamOf { team_id: Some(team), .. } => (format!("AND p.team_id = ${n}"), Some(team.to_string())),
        ListScope::TeamOf { team_id: None, user_id } => {
            (format!("AND p.contact_user_id = ${n}"), Some(user_id.to_string()))
        }
        ListScope::RegisteredBy(_) | ListScope::ReferredBy(_) => ("AND 1 = 0".into(), None),
    }
}

impl SqlStore {
    /// How many events of each kind and channel the initiative's women in `scope` had
    /// at or after `since`, voided ones left out: the start page's figures (issue 14,
    /// item 3). Counts only, no woman named.
    pub async fn event_counts_since(
        &self,
        initiative_id: Uuid,
        since: time::OffsetDateTime,
        scope: &ListScope,
    ) -> Result<Vec<(EventKind, Channel, u64)>> {
        let (clause, bound) = staff_scope(scope, 3);
        let sql = format!(
            "SELECT e.kind, e.channel, COUNT(*) AS n FROM events e JOIN persons p ON p.id = e.person_id \
             WHERE e.initiative_id = $1 AND e.occurred_at >= $2 AND e.voided_at IS NULL {clause} \
             GROUP BY e.kind, e.channel"
        );
        let mut q =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(initiative_id.to_string()).bind(super::rows::fmt_ts(since));
        if let Some(b) = bound {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db("counting the week's events"))?;
        let e = || db("reading the week's events");
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind").map_err(e())?;
                let channel: String = r.try_get("channel").map_err(e())?;
                let n: i64 = r.try_get("n").map_err(e())?;
                Ok((
                    EventKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("event {kind}")))?,
                    Channel::from_code(&channel).ok_or_else(|| StoreError::Corrupt(format!("channel {channel}")))?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// The women of `scope` at `contacted` or `interested` in the initiative, with their
    /// latest event; `domain::calls::due` says who is due. Not audited here: the caller
    /// audits what it shows.
    pub async fn call_list(&self, initiative_id: Uuid, scope: &ListScope) -> Result<Vec<CallRow>> {
        let (clause, bound) = staff_scope(scope, 2);
        let sql = format!(
            "SELECT p.id, p.given_name, p.family_name, p.phone, p.phone_is_hers_alone, p.safe_contact_only, \
             p.first_language, p.interpreter_needed, f.stage, f.attempts, \
             (SELECT e.occurred_at || '|' || e.kind || '|' || e.channel FROM events e \
              WHERE e.person_id = p.id AND e.initiative_id = f.initiative_id AND e.voided_at IS NULL \
              ORDER BY e.seq DESC LIMIT 1) AS last_event \
             FROM persons p JOIN funnels f ON f.person_id = p.id AND f.initiative_id = $1 \
             WHERE f.stage IN ('contacted', 'interested') {clause}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(initiative_id.to_string());
        if let Some(b) = bound {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db("reading the call list"))?;
        let e = || db("reading a call list row");
        rows.iter()
            .map(|r| {
                let last: Option<String> = r.try_get("last_event").map_err(e())?;
                let last = last.unwrap_or_default();
                let mut parts = last.splitn(3, '|');
                let (at, kind, channel) =
                    (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let stage: String = r.try_get("stage").map_err(e())?;
                let phone: Option<String> = r.try_get("phone").map_err(e())?;
                let attempts: i64 = r.try_get("attempts").map_err(e())?;
                Ok(CallRow {
                    person_id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    given_name: r.try_get("given_name").map_err(e())?,
                    family_name: r.try_get("family_name").map_err(e())?,
                    phone: phone.as_deref().and_then(|p| domain::PhoneNumber::parse(p).ok()),
                    phone_hers_alone: r.try_get::<i64, _>("phone_is_hers_alone").map_err(e())? != 0,
                    safe_contact_only: r.try_get::<i64, _>("safe_contact_only").map_err(e())? != 0,
                    first_language: r.try_get("first_language").map_err(e())?,
                    interpreter_needed: r.try_get::<i64, _>("interpreter_needed").map_err(e())? != 0,
                    stage: Stage::from_code(&stage).ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?,
                    attempts: u32::try_from(attempts).unwrap_or(0),
                    last_event_at: parse_ts(at)?,
                    last_event: EventKind::from_code(kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("event {kind}")))?,
                    last_channel: Channel::from_code(channel)
                        .ok_or_else(|| StoreError::Corrupt(format!("channel {channel}")))?,
                })
            })
            .collect()
    }

    /// Notifies her contact person, else her team's caseworkers, else the
    /// coordinators; returns how many were told.
    pub async fn notify_responsible(&self, person_id: Uuid, message: &str) -> Result<usize> {
        let mut tx: Tx = self.begin().await?;
        let users = responsible(&mut tx, person_id).await?;
        for u in &users {
            super::insert_notification(&mut tx, *u, message, Some(person_id)).await?;
        }
        tx.commit().await.map_err(db("committing notifications"))?;
        Ok(users.len())
    }

    /// Events of one call in one transaction, all or none. Audited.
    ///
    /// Several events of one woman in one transaction (a call that reached her and found
    /// her interested is two), with their do-not-contact hashes; all or none.
    pub async fn record_events(&self, events: &[NewEvent], audit: &AuditRecord) -> Result<()> {
        let mut tx: Tx = self.begin().await?;
        let mut audit = audit.clone();
        for ev in events {
            events::append_event(&mut tx, ev).await?;
            insert_do_not_contact(&mut tx, &ev.do_not_contact).await?;
            if !audit.persons.contains(&ev.person_id) {
                audit.persons.push(ev.person_id);
            }
        }
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing events"))?;
        Ok(())
    }
}
