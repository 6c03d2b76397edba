//! What a partner sees of her (product.md, "Who sees what"): her coarse status, and
//! only with her consent.

use crate::funnel::{CoarseStatus, Stage, coarse_status};
use crate::org::{Consent, ConsentPurpose};
use uuid::Uuid;

/// Whether she lets partner `org` see her status: an unwithdrawn consent of that
/// purpose given to `org`, or to no partner in particular (recorded on her page).
/// Another partner's consent does not count.
pub fn status_consent_given(consents: &[Consent], org: Uuid) -> bool {
    consents.iter().any(|c| {
        c.purpose == ConsentPurpose::PartnerStatus.code()
            && c.withdrawn_at.is_none()
            && c.partner_org_id.is_none_or(|p| p == org)
    })
}

/// The coarse status the referring partner may see: nothing unless she consented to
/// it, and nothing for the stages `coarse_status` keeps private.
pub fn partner_sees_status(status_consent_given: bool, stage: Stage) -> Option<CoarseStatus> {
    if status_consent_given { coarse_status(stage) } else { None }
}
