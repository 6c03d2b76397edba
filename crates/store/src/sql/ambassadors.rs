//! Ambassadors (issue 5, G-6): the initiative's ethics frame, her profile and records,
//! her anonymous street log, the follow-up meetings, the areas overview, and
//! registering a consenting woman from the street.
//!
//! Writes about an ambassador are not about a woman: their audit entries name no
//! person, but are written in the write's own transaction like every change. A street
//! registration is about a woman, and its entry names her.

use super::intake::{Admitted, Identity, Intake, admit};
use super::people::Tx;
use super::rows::{fmt_ts, opt_uuid, parse_date, parse_ts, parse_uuid};
use super::{SqlStore, USER_COLUMNS, db, insert_consent, insert_notification, naming, user_from_row, write_audit};
use crate::records::*;
use crate::{Result, StoreError};
use domain::ambassador::{
    AmbassadorBackground, AmbassadorFollowUp, AmbassadorProfile, Assessment, Employment, EthicsAcceptance,
    FollowUpTopic, Outcome, PlaceKind, ProfileDetails, REGISTRATION_CONSENT_PURPOSE, StreetConversation, TrainingTopic,
};
use domain::audit::AuditRecord;
use domain::org::{Consent, User};
use domain::person::{Source, SourceKind};
use domain::policy::Role;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

/// The message ids of the notifications a registration sends (Fluent, web's locales).
pub(crate) const NOTIFY_NEW_WOMAN: &str = "notification-new-woman-registered";

/// Her profile's columns, named apart from the user's (both have `languages`), so
/// that a profile can be read beside its user in one statement.
const PROFILE_COLUMNS: &str = "ap.user_id AS ap_user_id, ap.employment AS ap_employment, \
    ap.languages AS ap_languages, ap.area_ids AS ap_area_ids, ap.expected_hours_per_week AS ap_hours, \
    ap.background AS ap_background, ap.job_experience AS ap_job_experience, \
    ap.relational_skills AS ap_relational_skills, ap.availability AS ap_availability, \
    ap.local_position AS ap_local_position, ap.training_done AS ap_training_done, \
    ap.confidentiality_signed_on AS ap_confidentiality_signed_on, \
    ap.ethics_initiative_id AS ap_ethics_initiative_id, ap.ethics_version AS ap_ethics_version, \
    ap.ethics_accepted_on AS ap_ethics_accepted_on";

/// A comma-joined list as stored; empty text is the empty list.
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|s| !s.is_empty())
}

fn version_from(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("ethics version {v}")))
}

/// The profile in a row that selected `PROFILE_COLUMNS`; `None` when the (left-joined)
/// profile is missing.
fn profile_from_row(r: &AnyRow) -> Result<Option<AmbassadorProfile>> {
    let e = || db("reading an ambassador profile");
    let Some(user_id) = opt_uuid(r.try_get("ap_user_id").map_err(e())?)? else {
        return Ok(None);
    };
    let text = |c: &str| -> Result<String> { r.try_get::<String, _>(c).map_err(db("reading an ambassador profile")) };
    let opt_text = |c: &str| -> Result<Option<String>> { r.try_get(c).map_err(db("reading an ambassador profile")) };
    let employment = text("ap_employment")?;
    let background = text("ap_background")?;
    let hours: Option<i64> = r.try_get("ap_hours").map_err(e())?;
    let area_ids = split_list(&text("ap_area_ids")?).map(parse_uuid).collect::<Result<Vec<_>>>()?;
    let ethics_accepted = match (
        opt_uuid(opt_text("ap_ethics_initiative_id")?)?,
        r.try_get::<Option<i64>, _>("ap_ethics_version").map_err(e())?,
        opt_text("ap_ethics_accepted_on")?,
    ) {
        (Some(initiative_id), Some(version), Some(on)) => {
            Some(EthicsAcceptance { initiative_id, version: version_from(version)?, accepted_on: parse_date(&on)? })
        }
        _ => None,
    };
    Ok(Some(AmbassadorProfile {
        user_id,
        details: ProfileDetails {
            employment: Employment::from_code(&employment)
                .ok_or_else(|| StoreError::Corrupt(format!("employment {employment}")))?,
            languages: split_list(&text("ap_languages")?).map(str::to_string).collect(),
            area_ids,
            expected_hours_per_week: hours
                .map(|h| u32::try_from(h).map_err(|_| StoreError::Corrupt(format!("hours per week {h}"))))
                .transpose()?,
            background: AmbassadorBackground::from_code(&background)
                .ok_or_else(|| StoreError::Corrupt(format!("ambassador background {background}")))?,
            assessment: Assessment {
                job_experience: text("ap_job_experience")?,
                relational_skills: text("ap_relational_skills")?,
                availability: text("ap_availability")?,
                local_position: text("ap_local_position")?,
            },
            // A topic no longer offered is dropped rather than making her whole profile
            // unreadable, as with a person's motivation factors.
            training_done: split_list(&text("ap_training_done")?).filter_map(TrainingTopic::from_code).collect(),
            confidentiality_signed_on: opt_text("ap_confidentiality_signed_on")?.map(|d| parse_date(&d)).transpose()?,
        },
        ethics_accepted,
    }))
}

/// Refuses an id that is not an ambassador's: profiles, street logs and follow-ups
/// belong to ambassadors only.
async fn require_ambassador(tx: &mut Tx, user_id: Uuid) -> Result<()> {
    let role: Option<String> = sqlx::query("SELECT role FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading an ambassador"))?
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(db("reading an ambassador"))?;
    match role {
        Some(role) if role == Role::Ambassador.code() => Ok(()),
        _ => Err(StoreError::NotFound("ambassador")),
    }
}

pub(crate) async fn require_area(tx: &mut Tx, area_id: Uuid) -> Result<()> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM areas WHERE id = $1")
        .bind(area_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db("reading an area"))?;
    if n == 0 { Err(StoreError::NotFound("area")) } else { Ok(()) }
}

/// The caller's audit detail, or ours when it gave none: ids only, never content.
pub(crate) fn with_detail(audit: &AuditRecord, detail: impl FnOnce() -> String) -> AuditRecord {
    let mut audit = audit.clone();
    if audit.detail.is_empty() {
        audit.detail = detail();
    }
    audit
}

// ---------------------------------------------------------------------------------
// The ethics frame (G-4.6, G-6.3, G-6.7)
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// Her profile and records (G-6.4–G-6.8)
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// The street log: anonymous counts only (G-6)
// ---------------------------------------------------------------------------------

fn conversation_from_row(r: &AnyRow) -> Result<ConversationRecord> {
    let e = || db("reading a street conversation");
    let place: String = r.try_get("place").map_err(e())?;
    let outcome: String = r.try_get("outcome").map_err(e())?;
    let count: i64 = r.try_get("count").map_err(e())?;
    Ok(ConversationRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        ambassador_user_id: parse_uuid(&r.try_get::<String, _>("ambassador_user_id").map_err(e())?)?,
        conversation: StreetConversation {
            date: parse_date(&r.try_get::<String, _>("conversation_date").map_err(e())?)?,
            area_id: parse_uuid(&r.try_get::<String, _>("area_id").map_err(e())?)?,
            place: PlaceKind::from_code(&place).ok_or_else(|| StoreError::Corrupt(format!("place {place}")))?,
            language: r.try_get("language").map_err(e())?,
            outcome: Outcome::from_code(&outcome).ok_or_else(|| StoreError::Corrupt(format!("outcome {outcome}")))?,
            count: u32::try_from(count).map_err(|_| StoreError::Corrupt(format!("conversation count {count}")))?,
        },
        recorded_at: parse_ts(&r.try_get::<String, _>("recorded_at").map_err(e())?)?,
    })
}

// ---------------------------------------------------------------------------------
// Follow-up meetings (G-6.8)
// ---------------------------------------------------------------------------------

fn follow_up_from_row(r: &AnyRow) -> Result<FollowUpRecord> {
    let e = || db("reading a follow-up meeting");
    let topics: String = r.try_get("topics").map_err(e())?;
    let minutes: i64 = r.try_get("minutes_worked").map_err(e())?;
    Ok(FollowUpRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        follow_up: AmbassadorFollowUp {
            held_on: parse_date(&r.try_get::<String, _>("held_on").map_err(e())?)?,
            ambassador_user_id: parse_uuid(&r.try_get::<String, _>("ambassador_user_id").map_err(e())?)?,
            // As for training topics: an agenda item no longer offered is dropped.
            topics_covered: split_list(&topics).filter_map(FollowUpTopic::from_code).collect(),
            notes: r.try_get("notes").map_err(e())?,
            agreed_actions: r.try_get("agreed_actions").map_err(e())?,
            minutes_worked: u32::try_from(minutes)
                .map_err(|_| StoreError::Corrupt(format!("minutes worked {minutes}")))?,
        },
        recorded_by: parse_uuid(&r.try_get::<String, _>("recorded_by").map_err(e())?)?,
        recorded_at: parse_ts(&r.try_get::<String, _>("recorded_at").map_err(e())?)?,
    })
}

// ---------------------------------------------------------------------------------
// Registering a woman from the street (issue 5; G-6, G-2.4)
// ---------------------------------------------------------------------------------

/// The active users of a role, in a team or (with `None`) in any team, by name.
pub(crate) async fn active_users(tx: &mut Tx, role: Role, team_id: Option<Uuid>) -> Result<Vec<Uuid>> {
    let rows = match team_id {
        Some(team) => {
            sqlx::query(
                "SELECT id FROM users WHERE team_id = $1 AND role = $2 AND active = 1 ORDER BY display_name, id",
            )
            .bind(team.to_string())
            .bind(role.code())
            .fetch_all(&mut **tx)
            .await
        }
        None => {
            sqlx::query("SELECT id FROM users WHERE role = $1 AND active = 1 ORDER BY display_name, id")
                .bind(role.code())
                .fetch_all(&mut **tx)
                .await
        }
    }
    .map_err(db("finding whom to notify"))?;
    rows.iter().map(|r| parse_uuid(&r.try_get::<String, _>(0).map_err(db("finding whom to notify"))?)).collect()
}

async fn is_active_user(tx: &mut Tx, user_id: Uuid) -> Result<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM users WHERE id = $1 AND active = 1")
        .bind(user_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db("reading a contact person"))?;
    Ok(n > 0)
}

/// Who hears of a registration: her contact person if she has an active one; else
/// the active caseworkers of her team; else, so that she is never left unseen, the
/// active coordinators (who assign the work).
pub(crate) async fn recipients(tx: &mut Tx, contact_user_id: Option<Uuid>, team_id: Option<Uuid>) -> Result<Vec<Uuid>> {
    if let Some(contact) = contact_user_id
        && is_active_user(tx, contact).await?
    {
        return Ok(vec![contact]);
    }
    if let Some(team) = team_id {
        let caseworkers = active_users(tx, Role::Caseworker, Some(team)).await?;
        if !caseworkers.is_empty() {
            return Ok(caseworkers);
        }
    }
    active_users(tx, Role::Coordinator, None).await
}

// ---------------------------------------------------------------------------------
// Where (G-6.2)
// ---------------------------------------------------------------------------------

impl SqlStore {
    /// Sets the initiative's ethics frame (G-4.6, G-6.3, G-6.7) and returns its
    /// version: one more than before when the text changed, the same when it did not
    /// (so an unchanged save does not make every ambassador accept it again). `NotFound`
    /// for an unknown initiative. Audited in the same transaction.
    pub async fn set_ethics_frame(&self, initiative_id: Uuid, text: &str, audit: &AuditRecord) -> Result<u32> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT ethics_frame, ethics_version FROM initiatives WHERE id = $1")
            .bind(initiative_id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading an ethics frame"))?
            .ok_or(StoreError::NotFound("initiative"))?;
        let current: String = row.try_get("ethics_frame").map_err(db("reading an ethics frame"))?;
        let version: i64 = row.try_get("ethics_version").map_err(db("reading an ethics frame"))?;
        // Only a changed text is a new version: an ambassador who accepted version n has
        // accepted this text, and saving the plan again must not send her back to read it.
        let version = if current == text {
            version
        } else {
            let next = version + 1;
            sqlx::query("UPDATE initiatives SET ethics_frame = $1, ethics_version = $2 WHERE id = $3")
                .bind(text)
                .bind(next)
                .bind(initiative_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("saving an ethics frame"))?;
            next
        };
        let audit = with_detail(audit, || format!("initiative={initiative_id} ethics_version={version}"));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing an ethics frame"))?;
        // Initiatives are cached (see `Reference`); the plan changed, so read it anew.
        self.forget_reference();
        version_from(version)
    }

    /// The initiative's ethics frame; `None` while it has none (version 0) or the
    /// initiative is unknown.
    pub async fn ethics_frame(&self, initiative_id: Uuid) -> Result<Option<EthicsFrame>> {
        let row = sqlx::query("SELECT ethics_frame, ethics_version FROM initiatives WHERE id = $1")
            .bind(initiative_id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading an ethics frame"))?;
        let Some(row) = row else { return Ok(None) };
        let version: i64 = row.try_get("ethics_version").map_err(db("reading an ethics frame"))?;
        if version == 0 {
            return Ok(None);
        }
        Ok(Some(EthicsFrame {
            initiative_id,
            text: row.try_get("ethics_frame").map_err(db("reading an ethics frame"))?,
            version: version_from(version)?,
        }))
    }

    /// Her profile, with her ethics acceptance; `None` when none has been saved.
    pub async fn ambassador_profile(&self, user_id: Uuid) -> Result<Option<AmbassadorProfile>> {
        let sql = format!("SELECT {PROFILE_COLUMNS} FROM ambassador_profiles ap WHERE ap.user_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading an ambassador profile"))?;
        match row {
            Some(r) => profile_from_row(&r),
            None => Ok(None),
        }
    }

    /// Creates or replaces her profile. Her ethics acceptance, which only she records
    /// (`accept_ethics`), is kept. `NotFound` unless `user_id` is an ambassador and
    /// every area exists.
    pub async fn save_ambassador_profile(&self, user_id: Uuid, d: &ProfileDetails, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        require_ambassador(&mut tx, user_id).await?;
        // Area ids come from a form; the list cannot carry a foreign key, so check here.
        for area in &d.area_ids {
            require_area(&mut tx, *area).await?;
        }
        // The ethics columns are neither inserted nor updated: her acceptance is hers to
        // record (G-6.7), and the coordinator's form must never erase it.
        sqlx::query(
            "INSERT INTO ambassador_profiles (user_id, employment, languages, area_ids, expected_hours_per_week, background, \
             job_experience, relational_skills, availability, local_position, training_done, confidentiality_signed_on, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (user_id) DO UPDATE SET employment = excluded.employment, languages = excluded.languages, \
             area_ids = excluded.area_ids, expected_hours_per_week = excluded.expected_hours_per_week, \
             background = excluded.background, job_experience = excluded.job_experience, \
             relational_skills = excluded.relational_skills, availability = excluded.availability, \
             local_position = excluded.local_position, training_done = excluded.training_done, \
             confidentiality_signed_on = excluded.confidentiality_signed_on, updated_at = excluded.updated_at",
        )
        .bind(user_id.to_string())
        .bind(d.employment.code())
        .bind(d.languages.join(","))
        .bind(d.area_ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","))
        .bind(d.expected_hours_per_week.map(i64::from))
        .bind(d.background.code())
        .bind(&d.assessment.job_experience)
        .bind(&d.assessment.relational_skills)
        .bind(&d.assessment.availability)
        .bind(&d.assessment.local_position)
        .bind(d.training_done.iter().map(|t| t.code()).collect::<Vec<_>>().join(","))
        .bind(d.confidentiality_signed_on.map(|d| d.to_string()))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("saving an ambassador profile"))?;
        write_audit(&mut tx, &with_detail(audit, || format!("ambassador={user_id}"))).await?;
        tx.commit().await.map_err(db("committing an ambassador profile"))
    }

    /// Records that she read and accepted a version of an initiative's ethics frame.
    /// `NotFound` if she has no profile, or the initiative has no such version (1 up
    /// to the current one).
    pub async fn accept_ethics(&self, user_id: Uuid, a: &EthicsAcceptance, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        let current: Option<i64> = sqlx::query("SELECT ethics_version FROM initiatives WHERE id = $1")
            .bind(a.initiative_id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading an ethics frame"))?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(db("reading an ethics frame"))?;
        // She can only have read a version that exists. An older one is recorded as what
        // she accepted; the gate (`may_log_field_work`) then asks her to read the new one.
        match current {
            Some(current) if a.version >= 1 && i64::from(a.version) <= current => {}
            _ => return Err(StoreError::NotFound("ethics frame")),
        }
        let r = sqlx::query(
            "UPDATE ambassador_profiles SET ethics_initiative_id = $1, ethics_version = $2, ethics_accepted_on = $3, \
             updated_at = $4 WHERE user_id = $5",
        )
        .bind(a.initiative_id.to_string())
        .bind(i64::from(a.version))
        .bind(a.accepted_on.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("recording an ethics acceptance"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("ambassador profile"));
        }
        let audit = with_detail(audit, || {
            format!("ambassador={user_id} initiative={} ethics_version={}", a.initiative_id, a.version)
        });
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing an ethics acceptance"))
    }

    /// Every user with the ambassador role (active or not), by display name, with her
    /// profile if one is saved.
    pub async fn list_ambassadors(&self) -> Result<Vec<(User, Option<AmbassadorProfile>)>> {
        let users = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {users}, {PROFILE_COLUMNS} FROM users u LEFT JOIN ambassador_profiles ap ON ap.user_id = u.id \
             WHERE u.role = $1 ORDER BY u.display_name, u.id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(Role::Ambassador.code())
            .fetch_all(self.pool())
            .await
            .map_err(db("listing ambassadors"))?
            .iter()
            .map(|r| Ok((user_from_row(r)?, profile_from_row(r)?)))
            .collect()
    }

    /// Logs anonymous street conversations (G-6). `NotFound` unless the user is an
    /// ambassador and the area exists. Whether she may log field work at all
    /// (`domain::ambassador::may_log_field_work`) is the caller's check.
    pub async fn record_conversation(
        &self,
        ambassador_user_id: Uuid,
        c: &StreetConversation,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        require_ambassador(&mut tx, ambassador_user_id).await?;
        require_area(&mut tx, c.area_id).await?;
        sqlx::query(
            "INSERT INTO street_conversations (id, ambassador_user_id, conversation_date, area_id, place, language, outcome, \
             count, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(ambassador_user_id.to_string())
        .bind(c.date.to_string())
        .bind(c.area_id.to_string())
        .bind(c.place.code())
        .bind(&c.language)
        .bind(c.outcome.code())
        .bind(i64::from(c.count))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("logging a street conversation"))?;
        write_audit(&mut tx, &with_detail(audit, || format!("ambassador={ambassador_user_id} count={}", c.count)))
            .await?;
        tx.commit().await.map_err(db("committing a street conversation"))?;
        Ok(id)
    }

    /// One ambassador's log or everyone's (`None`), newest first (by the day of the
    /// conversation, then when it was logged). `limit` 0 means 200; at most 1,000.
    pub async fn list_conversations(
        &self,
        ambassador_user_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ConversationRecord>> {
        let limit = i64::from(if limit == 0 { 200 } else { limit.min(1000) });
        let order = "ORDER BY conversation_date DESC, recorded_at DESC, id DESC";
        // Two statements rather than `$1 IS NULL OR …`, so that each is served by its index.
        let rows = match ambassador_user_id {
            Some(a) => {
                let sql = format!("SELECT * FROM street_conversations WHERE ambassador_user_id = $1 {order} LIMIT $2");
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(a.to_string()).bind(limit).fetch_all(self.pool()).await
            }
            None => {
                let sql = format!("SELECT * FROM street_conversations {order} LIMIT $1");
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(self.pool()).await
            }
        }
        .map_err(db("listing street conversations"))?;
        rows.iter().map(conversation_from_row).collect()
    }

    /// Records a follow-up meeting with an ambassador (G-6.8). `NotFound` unless
    /// `follow_up.ambassador_user_id` is an ambassador.
    pub async fn record_ambassador_follow_up(
        &self,
        f: &AmbassadorFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        require_ambassador(&mut tx, f.ambassador_user_id).await?;
        sqlx::query(
            "INSERT INTO ambassador_follow_ups (id, ambassador_user_id, held_on, topics, notes, agreed_actions, \
             minutes_worked, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(f.ambassador_user_id.to_string())
        .bind(f.held_on.to_string())
        .bind(f.topics_covered.iter().map(|t| t.code()).collect::<Vec<_>>().join(","))
        .bind(&f.notes)
        .bind(&f.agreed_actions)
        .bind(i64::from(f.minutes_worked))
        .bind(recorded_by.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("recording a follow-up meeting"))?;
        write_audit(&mut tx, &with_detail(audit, || format!("ambassador={}", f.ambassador_user_id))).await?;
        tx.commit().await.map_err(db("committing a follow-up meeting"))?;
        Ok(id)
    }

    /// One ambassador's follow-ups or everyone's (`None`), newest first (by the day
    /// held, then when it was recorded).
    pub async fn list_ambassador_follow_ups(&self, ambassador_user_id: Option<Uuid>) -> Result<Vec<FollowUpRecord>> {
        let order = "ORDER BY held_on DESC, recorded_at DESC, id DESC";
        let rows = match ambassador_user_id {
            Some(a) => {
                let sql = format!("SELECT * FROM ambassador_follow_ups WHERE ambassador_user_id = $1 {order}");
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(a.to_string()).fetch_all(self.pool()).await
            }
            None => {
                let sql = format!("SELECT * FROM ambassador_follow_ups {order}");
                sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await
            }
        }
        .map_err(db("listing follow-up meetings"))?;
        rows.iter().map(follow_up_from_row).collect()
    }

    /// Registers a consenting woman from the street, in one transaction: a new intake
    /// at `interested` with the ambassador as source, her consent, her best time to
    /// call, and a notification to her team's caseworkers. A door from outside never
    /// acts on a known woman (issue 13, item 2): one she resembles (same phone, same
    /// first name) waits for a coordinator as a possible match (`intake`). On the
    /// do-not-contact list: `Refused`, nothing written. Audited naming her. `NotFound`
    /// for an unknown ambassador, area or initiative, and then nothing is written.
    pub async fn register_from_street(&self, w: &StreetRegistrationWrite, audit: &AuditRecord) -> Result<DoorOutcome> {
        let r = &w.registration;
        let amb = &w.ambassador;
        let phone = r.phone.as_e164();
        let mut tx = self.begin().await?;
        require_ambassador(&mut tx, amb.id).await?;
        require_area(&mut tx, r.area_id).await?;
        let source = Source {
            kind: SourceKind::Ambassador,
            reference_id: Some(amb.id),
            label: amb.display_name.clone(),
            added_at: w.at,
        };
        let actor = EventActor { user_id: Some(amb.id), name: amb.display_name.clone() };
        // She enters where the ambassador channel enters: at `interested` (product.md).
        // Her team is the ambassador's.
        let new = NewPerson {
            team_id: amb.team_id,
            ..NewPerson::through_door(r.person_details(), source, w.initiative_id, actor, w.at)
        };
        let identity = Identity::PhoneAndName { phone_e164: phone, given_name: &r.given_name };
        let intake = Intake { identity, dnc_hashes: &w.dnc_hashes, new: &new };
        let outcome = match admit(&mut tx, self.backend_kind(), &intake).await?.admitted {
            // On the do-not-contact list (G-2.2): nothing written, in this transaction.
            Admitted::Refused => return Ok(DoorOutcome::Refused),
            Admitted::Created { id, queued } => {
                sqlx::query("UPDATE persons SET best_time_to_call = $1 WHERE id = $2")
                    .bind(r.best_time_to_call.code())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(db("saving her best time to call"))?;
                if queued.is_some() { DoorOutcome::Queued(id) } else { DoorOutcome::Created(id) }
            }
            Admitted::Joined { .. } => return Err(StoreError::Corrupt("an outside door joined a known woman".into())),
        };
        let Some(person_id) = outcome.person_id() else { return Ok(outcome) };
        let notify = recipients(&mut tx, None, amb.team_id).await?;
        insert_consent(
            &mut tx,
            &Consent {
                id: Uuid::new_v4(),
                person_id,
                purpose: REGISTRATION_CONSENT_PURPOSE.code().to_string(),
                text_version: w.consent_text_version.clone(),
                language: r.consent_language.clone(),
                recorded_by: amb.id,
                recorded_at: w.at,
                withdrawn_at: None,
                partner_org_id: None,
            },
        )
        .await?;
        for user_id in notify {
            insert_notification(&mut tx, user_id, NOTIFY_NEW_WOMAN, Some(person_id)).await?;
        }
        let audit = with_detail(audit, || format!("street_registration={} ambassador={}", outcome.code(), amb.id));
        write_audit(&mut tx, &naming(&audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a street registration"))?;
        Ok(outcome)
    }

    /// Every area with the number of known women living there and the ambassadors
    /// working there (G-6.2).
    pub async fn area_overview(&self) -> Result<Vec<AreaOverview>> {
        let areas = self.list_areas().await?;
        let counts =
            sqlx::query("SELECT area_id, COUNT(*) AS n FROM persons WHERE area_id IS NOT NULL GROUP BY area_id")
                .fetch_all(self.pool())
                .await
                .map_err(db("counting women per area"))?
                .iter()
                .map(|r| {
                    let e = || db("reading women per area");
                    let n: i64 = r.try_get("n").map_err(e())?;
                    Ok((parse_uuid(&r.try_get::<String, _>("area_id").map_err(e())?)?, u64::try_from(n).unwrap_or(0)))
                })
                .collect::<Result<Vec<(Uuid, u64)>>>()?;
        // Where ambassadors work now: active ones only. A handful of rows; the area lists
        // are comma-joined text, so they are matched here rather than in SQL.
        let working = sqlx::query(
            "SELECT u.id, u.display_name, ap.area_ids FROM users u JOIN ambassador_profiles ap ON ap.user_id = u.id \
             WHERE u.role = $1 AND u.active = 1 ORDER BY u.display_name, u.id",
        )
        .bind(Role::Ambassador.code())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing ambassadors' areas"))?
        .iter()
        .map(|r| {
            let e = || db("reading an ambassador's areas");
            let areas: String = r.try_get("area_ids").map_err(e())?;
            Ok((
                parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                r.try_get::<String, _>("display_name").map_err(e())?,
                split_list(&areas).map(parse_uuid).collect::<Result<Vec<_>>>()?,
            ))
        })
        .collect::<Result<Vec<(Uuid, String, Vec<Uuid>)>>>()?;
        Ok(areas
            .into_iter()
            .map(|area| AreaOverview {
                known_women: counts.iter().find(|(id, _)| *id == area.id).map_or(0, |(_, n)| *n),
                ambassadors: working
                    .iter()
                    .filter(|(_, _, areas)| areas.contains(&area.id))
                    .map(|(id, name, _)| (*id, name.clone()))
                    .collect(),
                area,
            })
            .collect())
    }
}
