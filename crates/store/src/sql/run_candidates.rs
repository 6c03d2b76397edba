//! The women a register run found, read whole for the coordinator's export
//! (`app::register_candidates`, issue 12 item 5). A run's women are the persons with a
//! `register_run` source naming the run (`accept_register_run` and a confirmed link
//! write it, for a new woman and for one already known alike); nothing else records
//! them, and which of the rules' steps admitted each is not stored.

use super::people::{person_from_row, person_read_columns};
use super::{SqlStore, db};
use crate::Result;
use domain::audit::AuditRecord;
use domain::person::{Person, SourceKind};
use uuid::Uuid;

impl SqlStore {
    /// Every woman `run_id` found, by family and given name, read and audited as one
    /// entry naming each of them. The entry is written before anything is returned: no
    /// audit entry, no list.
    pub async fn register_run_persons(&self, run_id: Uuid, audit: &AuditRecord) -> Result<Vec<Person>> {
        let columns = person_read_columns("p.");
        let sql = format!(
            "SELECT {columns} FROM persons p \
             WHERE EXISTS (SELECT 1 FROM person_sources s WHERE s.person_id = p.id AND s.kind = $1 AND s.reference_id = $2) \
             ORDER BY p.family_name, p.given_name, p.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(SourceKind::RegisterRun.code())
            .bind(run_id.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(db("reading a register run's women"))?;
        let persons = rows.iter().map(person_from_row).collect::<Result<Vec<_>>>()?;
        let mut audit = audit.clone();
        audit.persons.extend(persons.iter().map(|p| p.id).filter(|id| !audit.persons.contains(id)).collect::<Vec<_>>());
        self.append_audit(&audit).await?;
        Ok(persons)
    }
}
