//! Intro meetings an initiative plans (issue 5: the ambassador invites the women she
//! knows to one). Planning one is not about a woman; its audit entry names none.

use super::ambassadors::require_area;
use super::rows::{flag, fmt_ts, opt_uuid, parse_date, parse_uuid};
use super::{SqlStore, db, write_audit};
use crate::records::IntroMeetingRecord;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::meeting::IntroMeeting;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

fn fmt_time(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn parse_time(s: &str) -> Result<Time> {
    let corrupt = || StoreError::Corrupt(format!("time of day '{s}'"));
    let (h, m) = s.split_once(':').ok_or_else(corrupt)?;
    Time::from_hms(h.parse().map_err(|_| corrupt())?, m.parse().map_err(|_| corrupt())?, 0).map_err(|_| corrupt())
}

fn from_row(r: &AnyRow) -> Result<IntroMeetingRecord> {
    let e = || db("reading an intro meeting");
    let languages: String = r.try_get("languages").map_err(e())?;
    let spouse: i64 = r.try_get("spouse_welcome").map_err(e())?;
    let capacity: Option<i64> = r.try_get("capacity").map_err(e())?;
    Ok(IntroMeetingRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        meeting: IntroMeeting {
            date: parse_date(&r.try_get::<String, _>("meeting_date").map_err(e())?)?,
            time: parse_time(&r.try_get::<String, _>("meeting_time").map_err(e())?)?,
            place: r.try_get("place").map_err(e())?,
            area_id: opt_uuid(r.try_get("area_id").map_err(e())?)?,
            languages: languages.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            spouse_welcome: spouse != 0,
            capacity: capacity.and_then(|c| u32::try_from(c).ok()),
            note: r.try_get("note").map_err(e())?,
        },
    })
}

impl SqlStore {
    /// Plans an intro meeting of the initiative; `NotFound("area")` for an unknown area.
    pub async fn plan_intro_meeting(
        &self,
        initiative_id: Uuid,
        m: &IntroMeeting,
        by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        if let Some(area) = m.area_id {
            require_area(&mut tx, area).await?;
        }
        sqlx::query(
            "INSERT INTO intro_meetings (id, initiative_id, meeting_date, meeting_time, place, area_id, languages, \
             spouse_welcome, capacity, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id.to_string())
        .bind(initiative_id.to_string())
        .bind(m.date.to_string())
        .bind(fmt_time(m.time))
        .bind(&m.place)
        .bind(m.area_id.map(|a| a.to_string()))
        .bind(m.languages.join(","))
        .bind(flag(m.spouse_welcome))
        .bind(m.capacity.map(i64::from))
        .bind(&m.note)
        .bind(by.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("planning an intro meeting"))?;
        write_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing an intro meeting"))?;
        Ok(id)
    }

    /// The initiative's meetings on or after `from`, soonest first.
    pub async fn upcoming_intro_meetings(&self, initiative_id: Uuid, from: Date) -> Result<Vec<IntroMeetingRecord>> {
        sqlx::query(
            "SELECT * FROM intro_meetings WHERE initiative_id = $1 AND meeting_date >= $2 \
             ORDER BY meeting_date, meeting_time, id LIMIT 200",
        )
        .bind(initiative_id.to_string())
        .bind(from.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing intro meetings"))?
        .iter()
        .map(from_row)
        .collect()
    }
}
