//! Jobs and scheduled runs (issue 11, item 7). Written once, as inherent methods of
//! `SqlStore`: the direction the store takes as it is split by area.

use super::rows::{fmt_ts, opt_uuid, parse_ts, parse_uuid};
use super::{SqlStore, db};
use crate::records::{JobKind, JobOutcome, JobRecord};
use crate::{Result, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// A running job whose progress has not moved for this long is taken to have died
/// with its process; a new one may start.
pub const STALE_AFTER: Duration = Duration::minutes(5);

fn running_key(initiative_id: Uuid, kind: JobKind) -> String {
    format!("{initiative_id}:{}", kind.code())
}

fn row(r: &AnyRow) -> Result<JobRecord> {
    let e = || db("reading a job");
    let kind: String = r.try_get("kind").map_err(e())?;
    let finished: Option<String> = r.try_get("finished_at").map_err(e())?;
    let started_by: Option<String> = r.try_get("started_by").map_err(e())?;
    let outcome: Option<String> = r.try_get("outcome").map_err(e())?;
    let result_id: Option<String> = r.try_get("result_id").map_err(e())?;
    Ok(JobRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        initiative_id: parse_uuid(&r.try_get::<String, _>("initiative_id").map_err(e())?)?,
        kind: JobKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("job kind {kind}")))?,
        started_by: opt_uuid(started_by)?,
        started_at: parse_ts(&r.try_get::<String, _>("started_at").map_err(e())?)?,
        heartbeat_at: parse_ts(&r.try_get::<String, _>("heartbeat_at").map_err(e())?)?,
        finished_at: finished.as_deref().map(parse_ts).transpose()?,
        done: u64::try_from(r.try_get::<i64, _>("done").map_err(e())?).unwrap_or(0),
        total: u64::try_from(r.try_get::<i64, _>("total").map_err(e())?).unwrap_or(0),
        outcome: match outcome.as_deref() {
            None => None,
            Some(code) => {
                Some(JobOutcome::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("job outcome {code}")))?)
            }
        },
        result_id: opt_uuid(result_id)?,
        error_code: r.try_get("error_code").map_err(e())?,
    })
}

impl SqlStore {
    /// Starts a job of `kind` for the initiative, unless one is running: `None` then.
    /// The database's unique index decides, so two processes cannot both start one. A
    /// running job whose heartbeat is older than [`STALE_AFTER`] is marked interrupted
    /// first.
    pub async fn start_job(
        &self,
        initiative_id: Uuid,
        kind: JobKind,
        started_by: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<Option<Uuid>> {
        let key = running_key(initiative_id, kind);
        sqlx::query(
            "UPDATE jobs SET running_key = NULL, finished_at = $1, outcome = $2 WHERE running_key = $3 AND heartbeat_at < $4",
        )
        .bind(fmt_ts(now))
        .bind(JobOutcome::Interrupted.code())
        .bind(&key)
        .bind(fmt_ts(now - STALE_AFTER))
        .execute(&self.writer)
        .await
        .map_err(db("releasing a stale job"))?;
        let id = Uuid::now_v7();
        let inserted = sqlx::query(
            "INSERT INTO jobs (id, initiative_id, kind, running_key, started_by, started_at, heartbeat_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id.to_string())
        .bind(initiative_id.to_string())
        .bind(kind.code())
        .bind(&key)
        .bind(started_by.map(|u| u.to_string()))
        .bind(fmt_ts(now))
        .execute(&self.writer)
        .await
        .map_err(db("starting a job"));
        match inserted {
            Ok(_) => Ok(Some(id)),
            Err(StoreError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// How far a running job has come; also its heartbeat.
    pub async fn job_progress(&self, id: Uuid, done: u64, total: u64, now: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE jobs SET done = $1, total = $2, heartbeat_at = $3 WHERE id = $4 AND finished_at IS NULL")
            .bind(i64::try_from(done).unwrap_or(i64::MAX))
            .bind(i64::try_from(total).unwrap_or(i64::MAX))
            .bind(fmt_ts(now))
            .bind(id.to_string())
            .execute(&self.writer)
            .await
            .map_err(db("recording a job's progress"))?;
        Ok(())
    }

    /// Ends a job: the next one of its kind may start.
    pub async fn finish_job(
        &self,
        id: Uuid,
        outcome: JobOutcome,
        result_id: Option<Uuid>,
        error_code: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET running_key = NULL, finished_at = $1, heartbeat_at = $1, outcome = $2, result_id = $3, \
             error_code = $5 WHERE id = $4 AND finished_at IS NULL",
        )
        .bind(fmt_ts(now))
        .bind(outcome.code())
        .bind(result_id.map(|u| u.to_string()))
        .bind(id.to_string())
        .bind(error_code.map(str::to_string))
        .execute(&self.writer)
        .await
        .map_err(db("finishing a job"))?;
        Ok(())
    }

    pub async fn get_job(&self, id: Uuid) -> Result<JobRecord> {
        let r = sqlx::query(
            "SELECT id, initiative_id, kind, started_by, started_at, heartbeat_at, finished_at, done, total, outcome, \
             error_code, result_id FROM jobs WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a job"))?
        .ok_or(StoreError::NotFound("job"))?;
        row(&r)
    }

    /// The newest job of `kind` for the initiative: the one running, or the last one.
    pub async fn latest_job(&self, initiative_id: Uuid, kind: JobKind) -> Result<Option<JobRecord>> {
        let r = sqlx::query(
            "SELECT id, initiative_id, kind, started_by, started_at, heartbeat_at, finished_at, done, total, outcome, \
             error_code, result_id FROM jobs WHERE initiative_id = $1 AND kind = $2 ORDER BY started_at DESC, id DESC LIMIT 1",
        )
        .bind(initiative_id.to_string())
        .bind(kind.code())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading the newest job"))?;
        r.as_ref().map(row).transpose()
    }

    /// Claims today's run of scheduled work `name`: true for the first caller of the
    /// day, false for every later one, across restarts and processes.
    pub async fn claim_scheduled_run(&self, name: &str, today: Date) -> Result<bool> {
        let day = today.to_string();
        let moved = sqlx::query("UPDATE scheduled_runs SET last_run_on = $1 WHERE name = $2 AND last_run_on < $1")
            .bind(&day)
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(db("claiming a scheduled run"))?;
        if moved.rows_affected() > 0 {
            return Ok(true);
        }
        let inserted = sqlx::query("INSERT INTO scheduled_runs (name, last_run_on) VALUES ($1, $2)")
            .bind(name)
            .bind(&day)
            .execute(&self.writer)
            .await
            .map_err(db("claiming a scheduled run"));
        match inserted {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
