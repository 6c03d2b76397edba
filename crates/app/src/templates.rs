//! Letter templates per language (G-5.6, G-8.4) as use cases: the coordinator's
//! templates of the current initiative, a saved text (any language but Danish is a
//! draft until a qualified translator has checked it) and the mark that one has.

use crate::{Caller, Ctx, Error, current_initiative, require};
use domain::audit::AuditAction;
use domain::letter_template::{self, LetterTemplate, TemplateInput};
use domain::org::Initiative;
use domain::policy::Action;
use store::StoredLetterTemplate;

/// The current initiative's templates as saved; the shipped ones stand in for the rest.
pub struct Templates {
    pub initiative: Initiative,
    pub saved: Vec<StoredLetterTemplate>,
}

impl Templates {
    /// The template of `language`: the saved one (`true`), else the shipped one.
    pub fn current(&self, language: &str) -> Option<(LetterTemplate, bool)> {
        match self.saved.iter().find(|s| s.template.language == language) {
            Some(s) => Some((s.template.clone(), true)),
            None => letter_template::shipped(language).map(|t| (t, false)),
        }
    }

    /// Every shipped language, then any other saved one; a saved text replaces the
    /// shipped.
    pub fn all(&self) -> Vec<(LetterTemplate, bool)> {
        let mut all: Vec<(LetterTemplate, bool)> =
            letter_template::shipped_languages().into_iter().filter_map(|code| self.current(code)).collect();
        for s in &self.saved {
            if !all.iter().any(|(t, _)| t.language == s.template.language) {
                all.push((s.template.clone(), true));
            }
        }
        all
    }
}

/// The templates, for a coordinator who edits letters.
pub async fn view(ctx: &Ctx, caller: &Caller) -> Result<Templates, Error> {
    require(ctx, caller, Action::EditLetters).await?;
    let initiative = current_initiative(ctx).await?;
    let saved = ctx.store.letter_templates(initiative.id).await?;
    Ok(Templates { initiative, saved })
}

/// A language the letters may be written in (ISO 639); `NotFound` for any other.
fn known(language: &str) -> Result<(), Error> {
    domain::reference::language(language).map(|_| ()).ok_or(Error::NotFound("language"))
}

/// Saves the template of `language`, replacing an earlier one. Audited.
pub async fn save(ctx: &Ctx, caller: &Caller, language: &str, input: &TemplateInput) -> Result<(), Error> {
    require(ctx, caller, Action::EditLetters).await?;
    let initiative = current_initiative(ctx).await?;
    known(language)?;
    // `parse` marks any language but Danish unreviewed: a changed translation is a new
    // draft until a qualified translator has checked it.
    let template = input.parse(language)?;
    let detail = format!("initiative={} language={language}", initiative.id);
    let audit = caller.audit(AuditAction::SaveLetterTemplate, vec![], detail);
    ctx.store.save_letter_template(initiative.id, &template, caller.user.id, &audit).await?;
    Ok(())
}

/// Marks the template of `language` reviewed by a qualified translator (G-8.4). A
/// shipped draft is saved first, so that what was reviewed is what is kept. Audited.
pub async fn mark_reviewed(ctx: &Ctx, caller: &Caller, language: &str) -> Result<(), Error> {
    require(ctx, caller, Action::EditLetters).await?;
    let initiative = current_initiative(ctx).await?;
    let saved = ctx.store.letter_templates(initiative.id).await?;
    if !saved.iter().any(|s| s.template.language == language) {
        let shipped = letter_template::shipped(language).ok_or(Error::NotFound("letter template"))?;
        let detail = format!("initiative={} language={language}", initiative.id);
        let audit = caller.audit(AuditAction::SaveLetterTemplate, vec![], detail);
        ctx.store.save_letter_template(initiative.id, &shipped, caller.user.id, &audit).await?;
    }
    let detail = format!("initiative={} language={language} reviewed", initiative.id);
    let audit = caller.audit(AuditAction::SaveLetterTemplate, vec![], detail);
    ctx.store.mark_letter_template_reviewed(initiative.id, language, caller.user.id, &audit).await?;
    Ok(())
}
