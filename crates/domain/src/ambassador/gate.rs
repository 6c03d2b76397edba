//! The gate before field work (issue 5: "Until confidentiality and ethics are
//! recorded she cannot log field work"; G-6.7, G-6.8, G-4.6).

use super::profile::AmbassadorProfile;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldWorkBlocked {
    #[error("she has not signed the duty of confidentiality")]
    NoConfidentiality,
    #[error("the initiative has no ethics frame yet")]
    NoEthicsFrame,
    #[error("she has not accepted the initiative's ethics frame")]
    NoEthics,
    #[error("she accepted an earlier version of the ethics frame")]
    EthicsOutdated,
}

impl FieldWorkBlocked {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            FieldWorkBlocked::NoConfidentiality => "error-field-work-no-confidentiality",
            FieldWorkBlocked::NoEthicsFrame => "error-field-work-no-ethics-frame",
            FieldWorkBlocked::NoEthics => "error-field-work-no-ethics",
            FieldWorkBlocked::EthicsOutdated => "error-field-work-ethics-outdated",
        }
    }
}

/// The same for an ambassador who may have no profile yet: without one, nothing is
/// recorded, not even her duty of confidentiality.
pub fn may_do_field_work(
    profile: Option<&AmbassadorProfile>,
    current_ethics_version: Option<(Uuid, u32)>,
) -> Result<(), FieldWorkBlocked> {
    profile.map_or(Err(FieldWorkBlocked::NoConfidentiality), |p| may_log_field_work(p, current_ethics_version))
}

/// Whether she may log conversations and register women. `current_ethics_version` is
/// the initiative's id and the version of its ethics frame, `None` when the plan has no
/// frame yet: then nobody may go out, for there is nothing agreed on how far to go
/// (G-4.6, G-6.3). She must have signed the duty of confidentiality (G-6.7, G-6.8) and
/// accepted exactly the current version: a changed frame must be read again.
pub fn may_log_field_work(
    profile: &AmbassadorProfile,
    current_ethics_version: Option<(Uuid, u32)>,
) -> Result<(), FieldWorkBlocked> {
    if profile.details.confidentiality_signed_on.is_none() {
        return Err(FieldWorkBlocked::NoConfidentiality);
    }
    let Some((initiative_id, version)) = current_ethics_version else {
        return Err(FieldWorkBlocked::NoEthicsFrame);
    };
    match profile.ethics_accepted {
        Some(a) if a.initiative_id != initiative_id => Err(FieldWorkBlocked::NoEthics),
        None => Err(FieldWorkBlocked::NoEthics),
        Some(a) if a.version != version => Err(FieldWorkBlocked::EthicsOutdated),
        Some(_) => Ok(()),
    }
}
