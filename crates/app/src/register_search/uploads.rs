//! An extract uploaded from the web, between the file and its mapping (G-5.1; issue 13,
//! item 3): written to a pending place as it streams in, never past the configured
//! size, kept with what is known of it (its kind, its name, who uploaded it) once it
//! is whole, and deleted at once when it is refused, interrupted or empty. The web
//! only feeds it the request's chunks.

use super::{ExtractDir, io};
use crate::{Caller, Ctx, Error, require};
use domain::policy::Action;
use domain::validation::FieldErrors;
use register::kinds::ExtractKind;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// What is known of an upload between the file and its mapping, kept beside the file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingUpload {
    pub kind: ExtractKind,
    pub file_name: String,
    pub uploaded_by: Uuid,
}

fn paths(dir: &ExtractDir, id: Uuid) -> (PathBuf, PathBuf) {
    let pending = dir.pending();
    (pending.join(id.to_string()), pending.join(format!("{id}.json")))
}

/// Deletes an upload in progress or waiting for its mapping, file and description.
pub fn remove_pending(ctx: &Ctx, id: Uuid) {
    let (file, meta) = paths(&ctx.extracts, id);
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_file(meta);
}

/// Only the file's own name, never a path; short and printable.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() { "udtraek.csv".into() } else { cleaned }
}

/// An upload streaming in. Dropped without `keep`, its file stays until `abandon` or
/// the sweep; the web calls `abandon` on every way out.
pub struct Upload {
    pub id: Uuid,
    path: PathBuf,
    file: Option<tokio::fs::File>,
    written: u64,
    limit: u64,
}

/// The upload was larger than the limit; what was written is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// Starts an upload of at most `limit` bytes, for who may search the registers.
pub async fn start_upload(ctx: &Ctx, caller: &Caller, limit: u64) -> Result<Upload, Error> {
    require(ctx, caller, Action::RegisterSearch).await?;
    let (id, path) = ctx.extracts.new_pending()?;
    Ok(Upload { id, path, file: None, written: 0, limit })
}

impl Upload {
    /// Appends a chunk; past the limit, nothing more is written.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<Result<(), TooLarge>, Error> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            return Ok(Err(TooLarge));
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let created = tokio::fs::File::create(&self.path)
                    .await
                    .map_err(io(format!("creating {}", self.path.display())))?;
                self.file.insert(created)
            }
        };
        file.write_all(chunk).await.map_err(io(format!("writing {}", self.path.display())))?;
        Ok(Ok(()))
    }

    /// Deletes what was written (a refused or interrupted upload leaves nothing).
    pub fn abandon(self, ctx: &Ctx) {
        remove_pending(ctx, self.id);
    }

    /// Keeps the whole upload for its mapping: synced to disk, with its description.
    /// An empty file is refused (field `file`) and deleted, as is anything that fails.
    pub async fn keep(mut self, ctx: &Ctx, caller: &Caller, kind: ExtractKind, file_name: &str) -> Result<Uuid, Error> {
        let id = self.id;
        let kept = async {
            let Some(file) = self.file.take().filter(|_| self.written > 0) else {
                let mut e = FieldErrors::default();
                e.add("file", "read-error-empty-file");
                return Err(Error::Invalid(e));
            };
            file.sync_all().await.map_err(io(format!("writing {}", self.path.display())))?;
            let meta = PendingUpload { kind, file_name: clean_file_name(file_name), uploaded_by: caller.user.id };
            let json = serde_json::to_vec(&meta).map_err(|e| Error::unexpected("describing an upload", e))?;
            let (_, meta_path) = paths(&ctx.extracts, id);
            std::fs::write(&meta_path, json).map_err(io(format!("writing {}", meta_path.display())))?;
            Ok(id)
        }
        .await;
        if kept.is_err() {
            remove_pending(ctx, id);
        }
        kept
    }
}

/// An upload waiting for its mapping and its file — only the coordinator's who made
/// it; anyone else's is not found.
pub fn pending_upload(ctx: &Ctx, caller: &Caller, id: Uuid) -> Result<(PendingUpload, PathBuf), Error> {
    let (file, meta) = paths(&ctx.extracts, id);
    let meta: PendingUpload =
        std::fs::read(&meta).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or(Error::NotFound("upload"))?;
    if meta.uploaded_by != caller.user.id {
        return Err(Error::NotFound("upload"));
    }
    Ok((meta, file))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_is_its_own_name_only() {
        assert_eq!(super::clean_file_name("C:\\udtraek\\befolkning.csv"), "befolkning.csv");
        assert_eq!(super::clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(super::clean_file_name("a\u{0}b.csv"), "ab.csv");
        assert_eq!(super::clean_file_name("  "), "udtraek.csv");
    }
}
