use super::Backend;
use super::SqlStore;
use super::db;
use super::rows;
use super::rows::fmt_ts;
use super::rows::parse_uuid;
use super::{REFERENCE_MAX_AGE, Reference};
use crate::Result;
use crate::StoreError;
use domain::org::Area;
use domain::org::Initiative;
use domain::org::Team;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

impl SqlStore {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.map_err(db("pinging the database"))?;
        Ok(())
    }

    pub async fn create_team(&self, name: &str) -> Result<Team> {
        let team = Team { id: Uuid::new_v4(), name: name.to_string() };
        sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
            .bind(team.id.to_string())
            .bind(&team.name)
            .execute(&self.writer)
            .await
            .map_err(db("creating a team"))?;
        Ok(team)
    }

    pub async fn list_teams(&self) -> Result<Vec<Team>> {
        let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing teams"))?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(db("reading a team"))?)?,
                    name: r.try_get("name").map_err(db("reading a team"))?,
                })
            })
            .collect()
    }

    pub async fn create_area(&self, code: &str, name: &str, postcodes: &[String]) -> Result<Area> {
        let area =
            Area { id: Uuid::new_v4(), code: code.to_string(), name: name.to_string(), postcodes: postcodes.to_vec() };
        sqlx::query("INSERT INTO areas (id, code, name, postcodes) VALUES ($1, $2, $3, $4)")
            .bind(area.id.to_string())
            .bind(&area.code)
            .bind(&area.name)
            .bind(area.postcodes.join(","))
            .execute(&self.writer)
            .await
            .map_err(db("creating an area"))?;
        self.forget_reference();
        Ok(area)
    }

    pub async fn list_areas(&self) -> Result<Vec<Area>> {
        Ok(self.reference().await?.1)
    }

    pub async fn list_initiatives(&self) -> Result<Vec<Initiative>> {
        Ok(self.reference().await?.0)
    }

    pub async fn create_partner_org(&self, name: &str) -> Result<Uuid> {
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO partner_orgs (id, name) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(db("creating a partner organisation"))?;
        Ok(id)
    }

    pub async fn create_initiative(&self, i: &Initiative) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO initiatives (id, name, starts_on, ends_on, target_group, methods, capacity, cool_off_days, created_at, \
             call_after_letter_days, call_again_days, second_letter_after_days, max_attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(i.id.to_string())
        .bind(&i.name)
        .bind(i.starts_on.to_string())
        .bind(i.ends_on.map(|d| d.to_string()))
        .bind(&i.target_group)
        .bind(i.methods.join(","))
        .bind(i.capacity.map(i64::from))
        .bind(i64::from(i.cool_off_days))
        .bind(fmt_ts(OffsetDateTime::now_utc()))
        .bind(i64::from(i.cadence.call_after_letter_days))
        .bind(i64::from(i.cadence.call_again_days))
        .bind(i64::from(i.cadence.second_letter_after_days))
        .bind(i64::from(i.cadence.max_attempts))
        .execute(&mut *tx)
        .await
        .map_err(db("creating an initiative"))?;
        for area in &i.area_ids {
            sqlx::query("INSERT INTO initiative_areas (initiative_id, area_id) VALUES ($1, $2)")
                .bind(i.id.to_string())
                .bind(area.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db("linking an initiative to an area"))?;
        }
        tx.commit().await.map_err(db("committing an initiative"))?;
        self.forget_reference();
        Ok(())
    }
}

pub(crate) fn initiative_from_row(r: &AnyRow, area_ids: Vec<Uuid>) -> Result<Initiative> {
    let e = || db("reading an initiative");
    let capacity: Option<i64> = r.try_get("capacity").map_err(e())?;
    let cool: i64 = r.try_get("cool_off_days").map_err(e())?;
    let methods: String = r.try_get("methods").map_err(e())?;
    Ok(Initiative {
        id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
        name: r.try_get("name").map_err(e())?,
        starts_on: rows::parse_date(&r.try_get::<String, _>("starts_on").map_err(e())?)?,
        ends_on: r.try_get::<Option<String>, _>("ends_on").map_err(e())?.map(|d| rows::parse_date(&d)).transpose()?,
        target_group: r.try_get("target_group").map_err(e())?,
        methods: methods.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        area_ids,
        capacity: capacity.and_then(|c| u32::try_from(c).ok()),
        cool_off_days: u32::try_from(cool).unwrap_or(90),
        cadence: cadence_from_row(r)?,
    })
}

/// The initiative's contact cadence (migration 0012).
pub(crate) fn cadence_from_row(r: &AnyRow) -> Result<domain::calls::Cadence> {
    let n = |column: &'static str| -> Result<u32> {
        let v: i64 = r.try_get(column).map_err(db("reading an initiative's cadence"))?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("initiatives.{column} = {v}")))
    };
    Ok(domain::calls::Cadence {
        call_after_letter_days: n("call_after_letter_days")?,
        call_again_days: n("call_again_days")?,
        second_letter_after_days: n("second_letter_after_days")?,
        max_attempts: n("max_attempts")?,
    })
}

impl SqlStore {
    pub(crate) async fn load_areas(&self) -> Result<Vec<Area>> {
        let rows = sqlx::query("SELECT id, code, name, postcodes FROM areas ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing areas"))?;
        rows.iter()
            .map(|r| {
                let e = || db("reading an area");
                let postcodes: String = r.try_get("postcodes").map_err(e())?;
                Ok(Area {
                    id: parse_uuid(&r.try_get::<String, _>("id").map_err(e())?)?,
                    code: r.try_get("code").map_err(e())?,
                    name: r.try_get("name").map_err(e())?,
                    postcodes: postcodes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                })
            })
            .collect()
    }

    pub(crate) async fn load_initiatives(&self) -> Result<Vec<Initiative>> {
        let rows = sqlx::query("SELECT * FROM initiatives ORDER BY starts_on DESC, name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing initiatives"))?;
        let links = sqlx::query("SELECT initiative_id, area_id FROM initiative_areas")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing initiative areas"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id").map_err(db("reading an initiative"))?;
            let mut areas = Vec::new();
            for l in &links {
                let iid: String = l.try_get("initiative_id").map_err(db("reading an initiative area"))?;
                if iid == id {
                    areas.push(parse_uuid(
                        &l.try_get::<String, _>("area_id").map_err(db("reading an initiative area"))?,
                    )?);
                }
            }
            out.push(initiative_from_row(r, areas)?);
        }
        Ok(out)
    }

    pub(crate) fn forget_reference(&self) {
        let mut guard = self.reference.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = None;
    }

    pub(crate) async fn reference(&self) -> Result<(Vec<Initiative>, Vec<Area>)> {
        {
            let guard = self.reference.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(r) = guard.as_ref().filter(|r| r.loaded.elapsed() < REFERENCE_MAX_AGE) {
                return Ok((r.initiatives.clone(), r.areas.clone()));
            }
        }
        let initiatives = self.load_initiatives().await?;
        let areas = self.load_areas().await?;
        let mut guard = self.reference.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = Some(Reference {
            initiatives: initiatives.clone(),
            areas: areas.clone(),
            loaded: std::time::Instant::now(),
        });
        Ok((initiatives, areas))
    }
}
