//! Partners (issue 5, G-7): the partner register (G-7.1–G-7.4), the agreement
//! (G-7.5), one-time referral links, a referral made with her consent, what a partner
//! may see of the women it referred, and the follow-up meetings with the guide's four
//! questions (G-7.6).
//!
//! Writes about a partner are not about a woman: their audit entries name no person,
//! but are written in the write's own transaction like every change. A referral is
//! about a woman, and its entry names her.

use super::ambassadors::{active_users, require_area, with_detail};
use super::intake::{Admitted, Identity, Intake, admit};
use super::people::Tx;
use super::rows::{flag, fmt_ts, opt_uuid, parse_date, parse_ts, parse_uuid};
use super::{Backend, SqlStore, db, insert_consent, insert_notification, naming, write_audit};
use crate::records::*;
use crate::{Result, StoreError};
use domain::audit::AuditRecord;
use domain::funnel::Stage;
use domain::org::{Consent, ConsentPurpose};
use domain::partner::{
    Agreement, ContactPreference, LinkRefused, PartnerDetails, PartnerFollowUp, PartnerKind, ReferralLink, check_link,
    consent_text_version, partner_sees_status, status_consent_given,
};
use domain::person::{Source, SourceKind};
use domain::policy::Role;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Month, OffsetDateTime};
use uuid::Uuid;

/// The message ids of the notifications a referral sends (Fluent, web's locales).
pub(crate) const NOTIFY_NEW_WOMAN: &str = "notification-new-woman-referred";

/// Who recorded a referral made through a one-time link: nobody has an account, so
/// her timeline names the partner and the way in.
fn link_actor_name(org_name: &str) -> String {
    format!("{org_name} (henvisningslink)")
}

const PARTNER_COLUMNS: &str = "id, name, kind, area_id, contact_persons, active, guidelines, core_task_benefit, \
    agreement_ethics, confidentiality, review_on";

fn partner_from_row(r: &AnyRow) -> Result<PartnerRecord> {
    let e = || db("reading a partner");
    let text = |c: &str| -> Result<String> { r.try_get::<String, _>(c).map_err(db("reading a partner")) };
    let opt_text = |c: &str| -> Result<Option<String>> { r.try_get(c).map_err(db("reading a partner")) };
    let kind = text("kind")?;
    let active: i64 = r.try_get("active").map_err(e())?;
    let contact_persons = text("contact_persons")?;
    // The agreement's parts are written together (`save_agreement`); a partial one
    // was not written by this code.
    let agreement = match (
        opt_text("guidelines")?,
        opt_text("core_task_benefit")?,
        opt_text("agreement_ethics")?,
        opt_text("confidentiality")?,
        opt_text("review_on")?,
    ) {
        (None, None, None, None, None) => None,
        (Some(guidelines), Some(core_task_benefit), Some(ethics), Some(confidentiality), Some(review_on)) => {
            Some(Agreement {
                guidelines,
                core_task_benefit,
                ethics,
                confidentiality,
                review_on: parse_date(&review_on)?,
            })
        }
        _ => return Err(StoreError::Corrupt("a partner agreement with parts missing".into())),
    };
    Ok(PartnerRecord {
        id: parse_uuid(&text("id")?)?,
        details: PartnerDetails {
            name: text("name")?,
            kind: PartnerKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("partner kind {kind}")))?,
            area_id: opt_text("area_id")?.map(|a| parse_uuid(&a)).transpose()?,
            contact_persons: contact_persons
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            active: active != 0,
        },
        agreement,
    })
}

/// One contact person per line, as the form gives them (`PartnerInput::parse` has
/// already split on lines, so no entry holds a line break).
fn contact_persons_text(d: &PartnerDetails) -> String {
    d.contact_persons.join("\n")
}

/// The partner's name and whether it is active; `None` for an unknown partner.
async fn partner_state(tx: &mut Tx, id: Uuid) -> Result<Option<(String, bool)>> {
    let row = sqlx::query("SELECT name, active FROM partner_orgs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a partner"))?;
    row.map(|r| {
        let name: String = r.try_get("name").map_err(db("reading a partner"))?;
        let active: i64 = r.try_get("active").map_err(db("reading a partner"))?;
        Ok((name, active != 0))
    })
    .transpose()
}

/// The name of a partner that may take referrals now: one that exists and is active.
/// G-7.4: the partners not chosen stay on the map, but do not refer.
async fn active_partner_name(tx: &mut Tx, id: Uuid) -> Result<String> {
    match partner_state(tx, id).await? {
        Some((name, true)) => Ok(name),
        _ => Err(StoreError::NotFound("partner")),
    }
}

// ---------------------------------------------------------------------------------
// The partner register (G-7.1–G-7.4) and the agreement (G-7.5)
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// One-time referral links
// ---------------------------------------------------------------------------------

fn link_from_row(r: &AnyRow) -> Result<ReferralLink> {
    let e = || db("reading a referral link");
    let ts = |c: &str| -> Result<OffsetDateTime> {
        parse_ts(&r.try_get::<String, _>(c).map_err(db("reading a referral link"))?)
    };
    Ok(ReferralLink {
        token_hash: r.try_get("token_hash").map_err(e())?,
        partner_org_id: parse_uuid(&r.try_get::<String, _>("partner_org_id").map_err(e())?)?,
        created_by: parse_uuid(&r.try_get::<String, _>("created_by").map_err(e())?)?,
        created_at: ts("created_at")?,
        expires_at: ts("expires_at")?,
        used_at: r.try_get::<Option<String>, _>("used_at").map_err(e())?.map(|t| parse_ts(&t)).transpose()?,
    })
}

const LINK_COLUMNS: &str = "token_hash, partner_org_id, created_by, created_at, expires_at, used_at";

/// Reads the link for this referral and checks it (`domain::partner::check_link`),
/// inside the referral's transaction. On PostgreSQL the row stays locked until the
/// referral commits, so a second referral through the same link waits and then finds
/// it used; on SQLite the one writer (`BEGIN IMMEDIATE`) already orders them. A link
/// of another partner than the referral names is refused as unknown: it says nothing
/// about whether such a link exists.
async fn take_link(tx: &mut Tx, backend: Backend, token_hash: &str, w: &ReferralWrite) -> Result<ReferralLink> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT {LINK_COLUMNS} FROM referral_links WHERE token_hash = $1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token_hash)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a referral link"))?;
    let link = row.as_ref().map(link_from_row).transpose()?;
    check_link(link.as_ref(), w.at).map_err(StoreError::LinkRefused)?;
    match link {
        Some(link) if link.partner_org_id == w.partner_org_id => Ok(link),
        _ => Err(StoreError::LinkRefused(LinkRefused::Unknown)),
    }
}

/// Uses the link up, naming the woman it brought in. The `used_at IS NULL` guard
/// repeats `take_link`'s check, so that a link can never be used twice even if the
/// two were ever separated.
async fn use_link(tx: &mut Tx, token_hash: &str, person_id: Option<Uuid>, at: OffsetDateTime) -> Result<()> {
    let r =
        sqlx::query("UPDATE referral_links SET used_at = $1, person_id = $2 WHERE token_hash = $3 AND used_at IS NULL")
            .bind(fmt_ts(at))
            .bind(person_id.map(|p| p.to_string()))
            .bind(token_hash)
            .execute(&mut **tx)
            .await
            .map_err(db("using a referral link"))?;
    if r.rows_affected() == 0 {
        return Err(StoreError::LinkRefused(LinkRefused::Used));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// A referral made with her consent (issue 5, "Referral")
// ---------------------------------------------------------------------------------

/// Only a partner's own account refers for it (`domain::policy`: only partners
/// refer), and only while the account is active: the store checks what it holds
/// rather than trusting the user the caller passed.
async fn require_partner_account(tx: &mut Tx, user_id: Uuid, partner_org_id: Uuid) -> Result<()> {
    let row = sqlx::query("SELECT role, partner_org_id, active FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a partner account"))?;
    let Some(row) = row else { return Err(StoreError::NotFound("partner account")) };
    let e = || db("reading a partner account");
    let role: String = row.try_get("role").map_err(e())?;
    let org: Option<String> = row.try_get("partner_org_id").map_err(e())?;
    let active: i64 = row.try_get("active").map_err(e())?;
    let own = org.as_deref() == Some(partner_org_id.to_string().as_str());
    if role == Role::Partner.code() && own && active != 0 {
        Ok(())
    } else {
        Err(StoreError::NotFound("partner account"))
    }
}

async fn set_contact_preference(tx: &mut Tx, person_id: Uuid, preference: ContactPreference) -> Result<()> {
    sqlx::query("UPDATE persons SET contact_preference = $1 WHERE id = $2")
        .bind(preference.code())
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("saving her contact preference"))?;
    Ok(())
}

/// The partner's note about her goes on her timeline, where her caseworker reads
/// before calling: on the `entered` event of her new intake.
async fn keep_note(tx: &mut Tx, person_id: Uuid, initiative_id: Uuid, note: &str) -> Result<()> {
    if note.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE events SET note = $1 WHERE person_id = $2 AND initiative_id = $3 AND seq = 1")
        .bind(note)
        .bind(person_id.to_string())
        .bind(initiative_id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("saving a referral's note"))?;
    Ok(())
}

/// Her consents, each in her language, each naming the partner that asked her: her
/// consent that "the partner" may see her status is for this partner only
/// (`list_referrals`).
async fn insert_referral_consents(tx: &mut Tx, person_id: Uuid, w: &ReferralWrite, recorded_by: Uuid) -> Result<()> {
    for purpose in w.referral.consent_purposes() {
        let id = Uuid::new_v4();
        insert_consent(
            tx,
            &Consent {
                id,
                person_id,
                purpose: purpose.code().to_string(),
                text_version: consent_text_version().to_string(),
                language: w.referral.language.clone(),
                recorded_by,
                recorded_at: w.at,
                withdrawn_at: None,
                partner_org_id: Some(w.partner_org_id),
            },
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Follow-up meetings (G-7.6)
// ---------------------------------------------------------------------------------

fn follow_up_from_row(r: &AnyRow) -> Result<PartnerFollowUpRecord> {
    let e = || db("reading a partner follow-up meeting");
    let n: i64 = r.try_get("women_talked_to").map_err(e())?;
    Ok(PartnerFollowUpRecord {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        follow_up: PartnerFollowUp {
            held_on: parse_date(&r.try_get::<String, _>("held_on").map_err(e())?)?,
            partner_org_id: parse_uuid(&r.try_get::<String, _>("partner_org_id").map_err(e())?)?,
            women_talked_to: u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("women talked to {n}")))?,
            talked_to_note: r.try_get("talked_to_note").map_err(e())?,
            presentation_note: r.try_get("presentation_note").map_err(e())?,
            how_often_note: r.try_get("how_often_note").map_err(e())?,
            support_note: r.try_get("support_note").map_err(e())?,
        },
        recorded_by: parse_uuid(&r.try_get::<String, _>("recorded_by").map_err(e())?)?,
        recorded_at: parse_ts(&r.try_get::<String, _>("recorded_at").map_err(e())?)?,
    })
}

impl SqlStore {
    /// Adds a partner to the register (G-7.1–G-7.4). `NotFound("area")` for an
    /// unknown area; `Conflict` for a name already registered. Audited.
    pub async fn create_partner(&self, d: &PartnerDetails, audit: &AuditRecord) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        // The area id comes from a form: say which one is missing rather than a bare
        // foreign-key conflict.
        if let Some(area) = d.area_id {
            require_area(&mut tx, area).await?;
        }
        sqlx::query(
            "INSERT INTO partner_orgs (id, name, kind, area_id, contact_persons, active) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(&d.name)
        .bind(d.kind.code())
        .bind(d.area_id.map(|a| a.to_string()))
        .bind(contact_persons_text(d))
        .bind(flag(d.active))
        .execute(&mut *tx)
        .await
        .map_err(db("creating a partner"))?;
        write_audit(&mut tx, &with_detail(audit, || format!("partner={id}"))).await?;
        tx.commit().await.map_err(db("committing a partner"))?;
        Ok(id)
    }

    /// Replaces a partner's register entry; its agreement is kept. `NotFound` for an
    /// unknown partner or area. Audited.
    pub async fn update_partner(&self, id: Uuid, d: &PartnerDetails, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some(area) = d.area_id {
            require_area(&mut tx, area).await?;
        }
        // The agreement's columns are left alone: it is saved on its own form.
        let r = sqlx::query(
            "UPDATE partner_orgs SET name = $1, kind = $2, area_id = $3, contact_persons = $4, active = $5 WHERE id = $6",
        )
        .bind(&d.name)
        .bind(d.kind.code())
        .bind(d.area_id.map(|a| a.to_string()))
        .bind(contact_persons_text(d))
        .bind(flag(d.active))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("updating a partner"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("partner"));
        }
        write_audit(&mut tx, &with_detail(audit, || format!("partner={id} active={}", d.active))).await?;
        tx.commit().await.map_err(db("committing a partner"))
    }

    /// Every partner, by name, active or not, including the ones `create_partner_org`
    /// made (active associations without an area).
    pub async fn list_partners(&self) -> Result<Vec<PartnerRecord>> {
        let sql = format!("SELECT {PARTNER_COLUMNS} FROM partner_orgs ORDER BY name, id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await
            .map_err(db("listing partners"))?
            .iter()
            .map(partner_from_row)
            .collect()
    }

    pub async fn get_partner(&self, id: Uuid) -> Result<Option<PartnerRecord>> {
        let sql = format!("SELECT {PARTNER_COLUMNS} FROM partner_orgs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a partner"))?;
        row.as_ref().map(partner_from_row).transpose()
    }

    /// Creates or replaces the partner's agreement (G-7.5). `NotFound` for an unknown
    /// partner. Audited.
    pub async fn save_agreement(&self, partner_id: Uuid, a: &Agreement, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        // Every part in one statement (G-7.5: the agreement is one written whole).
        let r = sqlx::query(
            "UPDATE partner_orgs SET guidelines = $1, core_task_benefit = $2, agreement_ethics = $3, confidentiality = $4, \
             review_on = $5, agreement_updated_at = $6 WHERE id = $7",
        )
        .bind(&a.guidelines)
        .bind(&a.core_task_benefit)
        .bind(&a.ethics)
        .bind(&a.confidentiality)
        .bind(a.review_on.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(partner_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("saving a partner agreement"))?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("partner"));
        }
        write_audit(&mut tx, &with_detail(audit, || format!("partner={partner_id} review_on={}", a.review_on))).await?;
        tx.commit().await.map_err(db("committing a partner agreement"))
    }

    /// Stores a one-time referral link (its token's hash only). `NotFound("partner")`
    /// unless the partner exists and is active. Audited.
    pub async fn create_referral_link(&self, link: &ReferralLink, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        // A link for a partner that may not refer would only fail later, in front of the
        // woman and the partner; refuse it now.
        active_partner_name(&mut tx, link.partner_org_id).await?;
        sqlx::query(
            "INSERT INTO referral_links (token_hash, partner_org_id, created_by, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&link.token_hash)
        .bind(link.partner_org_id.to_string())
        .bind(link.created_by.to_string())
        .bind(fmt_ts(link.created_at))
        .bind(fmt_ts(link.expires_at))
        .bind(link.used_at.map(fmt_ts))
        .execute(&mut *tx)
        .await
        .map_err(db("creating a referral link"))?;
        // Neither the token nor its hash goes in the log: the entry says for whom and
        // until when, which is what an auditor asks.
        let audit =
            with_detail(audit, || format!("partner={} expires_at={}", link.partner_org_id, fmt_ts(link.expires_at)));
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a referral link"))
    }

    pub async fn referral_link(&self, token_hash: &str) -> Result<Option<ReferralLink>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM referral_links WHERE token_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await
            .map_err(db("reading a referral link"))?;
        row.as_ref().map(link_from_row).transpose()
    }

    /// Records a referral made with her consent, in one transaction: the link (if
    /// any) is checked and used up; she becomes a new intake at `interested` with the
    /// partner as source, her consents and her contact preference, and the
    /// coordinators are told. A door from outside never acts on a known woman (issue
    /// 13, item 2): one she resembles waits for a coordinator as a possible match
    /// (`intake`); on the do-not-contact list she is `Refused` and nothing about her is
    /// written. Audited naming her.
    /// `LinkRefused` for a link that is unknown, used, expired or another partner's,
    /// and for a referral with neither link nor account; `NotFound` for an unknown or
    /// inactive partner, an unknown initiative, or a referring account that is not
    /// active or is another partner's. Refused, nothing is written (the caller audits
    /// the refusal).
    pub async fn refer(&self, w: &ReferralWrite, audit: &AuditRecord) -> Result<DoorOutcome> {
        let r = &w.referral;
        // Somebody must answer for her consent: the partner's account, or the coordinator
        // who sent the link. With neither there is no link to refer through.
        if w.referred_by.is_none() && w.link_token_hash.is_none() {
            return Err(StoreError::LinkRefused(LinkRefused::Unknown));
        }
        let mut tx = self.begin().await?;
        // 1. The link, first: a used or expired link is refused before anything else is
        //    looked at, and nothing is written (issue 5, "Bad input").
        let link = match &w.link_token_hash {
            Some(hash) => Some(take_link(&mut tx, self.backend_kind(), hash, w).await?),
            None => None,
        };
        // 2. The partner, which must be one that refers now (G-7.4).
        let org_name = active_partner_name(&mut tx, w.partner_org_id).await?;
        let (actor, recorded_by) = match (&w.referred_by, &link) {
            (Some(user), _) => {
                require_partner_account(&mut tx, user.id, w.partner_org_id).await?;
                (EventActor { user_id: Some(user.id), name: user.display_name.clone() }, user.id)
            }
            (None, Some(link)) => (EventActor { user_id: None, name: link_actor_name(&org_name) }, link.created_by),
            (None, None) => return Err(StoreError::LinkRefused(LinkRefused::Unknown)),
        };
        let source =
            Source { kind: SourceKind::Partner, reference_id: Some(w.partner_org_id), label: org_name, added_at: w.at };
        // 3. One woman, one person (`intake`): only a phone can tell that she is known
        //    (a first name alone is not her). A woman on the do-not-contact list is
        //    refused here, in this transaction (G-2.2).
        let new = NewPerson::through_door(r.person_details(), source, w.initiative_id, actor.clone(), w.at);
        let identity = match &r.phone {
            Some(phone) => Identity::PhoneAndName { phone_e164: phone.as_e164(), given_name: &r.given_name },
            None => Identity::Unmatched,
        };
        let intake = Intake { identity, dnc_hashes: &w.dnc_hashes, new: &new };
        let outcome = match admit(&mut tx, self.backend_kind(), &intake).await?.admitted {
            // On the do-not-contact list (G-2.2): nothing about her is written. A link is
            // used up all the same, so that it answers as after any referral (issue 13,
            // item 2: what the partner sees does not tell that she is on the list).
            Admitted::Refused => {
                if let Some(link) = &link {
                    use_link(&mut tx, &link.token_hash, None, w.at).await?;
                    let audit = with_detail(audit, || format!("referral=refused partner={} by=link", w.partner_org_id));
                    write_audit(&mut tx, &audit).await?;
                    tx.commit().await.map_err(db("committing a referral"))?;
                }
                return Ok(DoorOutcome::Refused);
            }
            // A new intake, also when she resembles a known woman (queued by `admit`):
            // no team and no contact person yet; the coordinators, who assign the work,
            // hear of her.
            Admitted::Created { id, queued } => {
                set_contact_preference(&mut tx, id, r.contact_preference).await?;
                if queued.is_some() { DoorOutcome::Queued(id) } else { DoorOutcome::Created(id) }
            }
            Admitted::Joined { .. } => return Err(StoreError::Corrupt("an outside door joined a known woman".into())),
        };
        let Some(person_id) = outcome.person_id() else { return Ok(outcome) };
        let notify = active_users(&mut tx, Role::Coordinator, None).await?;
        keep_note(&mut tx, person_id, w.initiative_id, &r.note).await?;
        insert_referral_consents(&mut tx, person_id, w, recorded_by).await?;
        if let Some(link) = &link {
            use_link(&mut tx, &link.token_hash, Some(person_id), w.at).await?;
        }
        for user_id in notify {
            insert_notification(&mut tx, user_id, NOTIFY_NEW_WOMAN, Some(person_id)).await?;
        }
        let audit = with_detail(audit, || {
            let what = outcome.code();
            let by = if link.is_some() { "link" } else { "account" };
            format!("referral={what} partner={} by={by}", w.partner_org_id)
        });
        write_audit(&mut tx, &naming(&audit, person_id)).await?;
        tx.commit().await.map_err(db("committing a referral"))?;
        Ok(outcome)
    }

    /// Every woman with this partner as a source, newest referral first, with the
    /// coarse status the partner may see in the initiative. Not audited: the caller
    /// audits the list with the women it shows.
    ///
    /// Her first name, when the partner referred her and the coarse status the partner
    /// may see: whether her consent lets this partner see it is
    /// `domain::partner::status_consent_given`.
    pub async fn list_referrals(&self, partner_org_id: Uuid, initiative_id: Uuid) -> Result<Vec<ReferralStatusRow>> {
        let referred = "SELECT person_id, MIN(added_at) AS referred_at FROM person_sources \
                        WHERE kind = $1 AND reference_id = $2 GROUP BY person_id";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.given_name, s.referred_at, f.stage FROM ({referred}) s \
             JOIN persons p ON p.id = s.person_id \
             LEFT JOIN funnels f ON f.person_id = p.id AND f.initiative_id = $3 \
             ORDER BY s.referred_at DESC, p.id"
        )))
        .bind(SourceKind::Partner.code())
        .bind(partner_org_id.to_string())
        .bind(initiative_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing a partner's referrals"))?;
        // The status consents of the women it referred, read once for the whole list.
        let consents = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.person_id, c.partner_org_id, c.withdrawn_at FROM consents c \
             WHERE c.purpose = $3 AND c.person_id IN (SELECT person_id FROM ({referred}) r)"
        )))
        .bind(SourceKind::Partner.code())
        .bind(partner_org_id.to_string())
        .bind(ConsentPurpose::PartnerStatus.code())
        .fetch_all(self.pool())
        .await
        .map_err(db("reading referrals' consents"))?
        .iter()
        .map(|r| {
            let e = || db("reading a referral's consent");
            let withdrawn = r.try_get::<Option<String>, _>("withdrawn_at").map_err(e())?;
            Ok(Consent {
                id: Uuid::nil(),
                person_id: parse_uuid(&r.try_get::<String, _>("person_id").map_err(e())?)?,
                purpose: ConsentPurpose::PartnerStatus.code().to_string(),
                text_version: String::new(),
                language: String::new(),
                recorded_by: Uuid::nil(),
                recorded_at: OffsetDateTime::UNIX_EPOCH,
                withdrawn_at: withdrawn.map(|t| parse_ts(&t)).transpose()?,
                partner_org_id: opt_uuid(r.try_get("partner_org_id").map_err(e())?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        rows.iter()
            .map(|r| {
                let e = || db("reading a referral");
                let person = parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?;
                let hers: Vec<Consent> = consents.iter().filter(|c| c.person_id == person).cloned().collect();
                let status_consent = status_consent_given(&hers, partner_org_id);
                let stage = r
                    .try_get::<Option<String>, _>("stage")
                    .map_err(e())?
                    .map(|s| Stage::from_code(&s).ok_or_else(|| StoreError::Corrupt(format!("stage {s}"))))
                    .transpose()?;
                Ok(ReferralStatusRow {
                    person_id: person,
                    given_name: r.try_get("given_name").map_err(e())?,
                    referred_at: parse_ts(&r.try_get::<String, _>("referred_at").map_err(e())?)?,
                    status_consent,
                    status: stage.and_then(|s| partner_sees_status(status_consent, s)),
                })
            })
            .collect()
    }

    /// Records a follow-up meeting with a partner (G-7.6). `NotFound("partner")` for
    /// an unknown partner. Audited.
    pub async fn record_partner_follow_up(
        &self,
        f: &PartnerFollowUp,
        recorded_by: Uuid,
        audit: &AuditRecord,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let mut tx = self.begin().await?;
        // A meeting with a partner no longer chosen is still a meeting held: any partner
        // in the register, active or not.
        if partner_state(&mut tx, f.partner_org_id).await?.is_none() {
            return Err(StoreError::NotFound("partner"));
        }
        sqlx::query(
            "INSERT INTO partner_follow_ups (id, partner_org_id, held_on, women_talked_to, talked_to_note, \
             presentation_note, how_often_note, support_note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(f.partner_org_id.to_string())
        .bind(f.held_on.to_string())
        .bind(i64::from(f.women_talked_to))
        .bind(&f.talked_to_note)
        .bind(&f.presentation_note)
        .bind(&f.how_often_note)
        .bind(&f.support_note)
        .bind(recorded_by.to_string())
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await
        .map_err(db("recording a partner follow-up meeting"))?;
        let audit = with_detail(audit, || {
            format!("partner={} follow_up={id} women_talked_to={}", f.partner_org_id, f.women_talked_to)
        });
        write_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db("committing a partner follow-up meeting"))?;
        Ok(id)
    }

    /// A partner's follow-up meetings, newest first (by the day held, then when it
    /// was recorded).
    pub async fn list_partner_follow_ups(&self, partner_org_id: Uuid) -> Result<Vec<PartnerFollowUpRecord>> {
        sqlx::query(
            "SELECT * FROM partner_follow_ups WHERE partner_org_id = $1 ORDER BY held_on DESC, recorded_at DESC, id DESC",
        )
        .bind(partner_org_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("listing partner follow-up meetings"))?
        .iter()
        .map(follow_up_from_row)
        .collect()
    }

    /// Women the partner brought in, by the month its source was added to her, oldest
    /// first: the yield over time beside the follow-ups' talked-to counts (G-7.6).
    pub async fn referrals_per_month(&self, partner_org_id: Uuid) -> Result<Vec<(i32, Month, u32)>> {
        // Times are fixed-width UTC text (`rows::fmt_ts`): the first seven characters are
        // the year and month on both backends.
        let rows = sqlx::query(
            "SELECT SUBSTR(added_at, 1, 7) AS month, COUNT(DISTINCT person_id) AS n FROM person_sources \
             WHERE kind = $1 AND reference_id = $2 GROUP BY SUBSTR(added_at, 1, 7) ORDER BY month",
        )
        .bind(SourceKind::Partner.code())
        .bind(partner_org_id.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db("counting a partner's referrals"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading referrals per month");
                let month: String = r.try_get("month").map_err(e())?;
                let n: i64 = r.try_get("n").map_err(e())?;
                let corrupt = || StoreError::Corrupt(format!("month '{month}'"));
                let (y, m) = month.split_once('-').ok_or_else(corrupt)?;
                let year: i32 = y.parse().map_err(|_| corrupt())?;
                let month = m.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok()).ok_or_else(corrupt)?;
                Ok((year, month, u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))?))
            })
            .collect()
    }
}
