//! A sent letter batch and its files, as use cases: the report (audited as a list
//! naming every woman in it) and each download (audited naming the women in the file).
//! Only numbers come in — never a file name — so no path can be asked for.

use crate::{Caller, Ctx, Error, require};
use domain::audit::AuditAction;
use domain::letter_batch::Delivery;
use domain::policy::Action;
use store::{BatchLetterRecord, LetterBatchRecord};
use uuid::Uuid;

/// A batch of the current initiative, or `NotFound`.
async fn of_initiative(ctx: &Ctx, id: Uuid) -> Result<LetterBatchRecord, Error> {
    let initiative = crate::current_initiative(ctx).await?;
    ctx.store
        .letter_batch(id)
        .await?
        .filter(|b| b.initiative_id == initiative.id)
        .ok_or(Error::NotFound("letter batch"))
}

/// The batch and its letters, for its report page.
pub async fn report(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
) -> Result<(LetterBatchRecord, Vec<BatchLetterRecord>), Error> {
    require(ctx, caller, Action::SendLetters).await?;
    let batch = of_initiative(ctx, id).await?;
    let letters = ctx.store.batch_letters(id).await?;
    let shown: Vec<Uuid> = letters.iter().map(|x| x.person_id).collect();
    let detail = format!("letter batch {id}: {} letters", shown.len());
    ctx.store.append_audit(&caller.audit(AuditAction::ListPeople, shown, detail)).await?;
    Ok((batch, letters))
}

domain::code_enum! {
    /// Which file of a batch.
    pub enum FileKind {
        /// A print file of paper letters, numbered from 1.
        Print = "print",
        /// Her letter as its own PDF, by its number in the batch.
        Letter = "letters",
        /// Her Digital Post (MeMo) message, by its letter's number.
        Memo = "memo",
    }
}

/// A file to send: its bytes, its type and the name it is saved under.
#[derive(Debug)]
pub struct BatchFile {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub name: String,
}

/// One file of a batch: `Print` n (paper letters in print order), `Letter` n (her PDF)
/// or `Memo` n (her Digital Post message).
pub async fn file(ctx: &Ctx, caller: &Caller, id: Uuid, kind: FileKind, n: u32) -> Result<BatchFile, Error> {
    require(ctx, caller, Action::SendLetters).await?;
    let batch = of_initiative(ctx, id).await?;
    let letters = ctx.store.batch_letters(id).await?;
    let folder = ctx.letters.out_dir.join(id.to_string());
    let per_file = u32::try_from(crate::letter_batch::PER_PRINT_FILE).unwrap_or(u32::MAX);
    let letter = |n: u32| letters.iter().find(|x| x.seq == n).ok_or(Error::NotFound("letter"));
    let (path, women, mime, name) = match kind {
        FileKind::Print if (1..=batch.print_files).contains(&n) => {
            // Paper letters come first in a batch, in print order.
            let range = (n - 1) * per_file + 1..=n * per_file;
            let women = letters
                .iter()
                .filter(|x| x.delivery == Delivery::Paper && range.contains(&x.seq))
                .map(|x| x.person_id)
                .collect();
            let name = format!("print-{n:03}.pdf");
            (folder.join("print").join(&name), women, "application/pdf", name)
        }
        FileKind::Print => return Err(Error::NotFound("print file")),
        FileKind::Letter => {
            let x = letter(n)?;
            let name = format!("brev-{n:05}.pdf");
            (folder.join("letters").join(&name), vec![x.person_id], "application/pdf", name)
        }
        FileKind::Memo => {
            let x = letter(n)?;
            let uuid = x.message_uuid.ok_or(Error::NotFound("Digital Post message"))?;
            let name = format!("{uuid}.xml");
            (folder.join("memo").join(&name), vec![x.person_id], "application/xml", name)
        }
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NotFound("letter file")),
        Err(e) => return Err(Error::unexpected(format!("reading {}", path.display()), e)),
    };
    let detail = format!("letter batch {id}: {name}");
    ctx.store.append_audit(&caller.audit(AuditAction::DownloadLetters, women, detail)).await?;
    Ok(BatchFile { bytes, mime, name })
}
