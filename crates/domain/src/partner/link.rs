//! The one-time referral link (issue 5: a partner without an account refers through a
//! link the coordinator sends): its validity, its check, its token and hash.

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a link is valid after it was made.
pub const LINK_VALIDITY: Duration = Duration::days(14);

/// A link is stored by the hash of its token only: the token in the URL is not
/// personal data, and a copy of the database cannot be used to refer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralLink {
    /// Hex SHA-256 of the token (`link_token_hash`).
    pub token_hash: String,
    pub partner_org_id: Uuid,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

impl ReferralLink {
    /// A new, unused link valid for `LINK_VALIDITY` from `now`.
    pub fn new(token_hash: String, partner_org_id: Uuid, created_by: Uuid, now: OffsetDateTime) -> ReferralLink {
        // Only a clock at the end of time overflows; the link is then born expired.
        let expires_at = now.checked_add(LINK_VALIDITY).unwrap_or(now);
        ReferralLink { token_hash, partner_org_id, created_by, created_at: now, expires_at, used_at: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("no such referral link")]
    Unknown,
    #[error("the referral link has been used")]
    Used,
    #[error("the referral link has expired")]
    Expired,
}

impl LinkRefused {
    /// The Fluent message id that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            LinkRefused::Unknown => "error-link-unknown",
            LinkRefused::Used => "error-link-used",
            LinkRefused::Expired => "error-link-expired",
        }
    }
}

/// Whether a referral may be made through this link now: it exists, has not been
/// used, and `now` is before `expires_at` (at `expires_at` it has expired).
pub fn check_link(link: Option<&ReferralLink>, now: OffsetDateTime) -> Result<(), LinkRefused> {
    let Some(link) = link else {
        return Err(LinkRefused::Unknown);
    };
    if link.used_at.is_some() {
        Err(LinkRefused::Used)
    } else if now >= link.expires_at {
        Err(LinkRefused::Expired)
    } else {
        Ok(())
    }
}

/// The token for the URL and the hash to store, from 32 random bytes that the caller
/// draws from a cryptographic generator (the domain has no random source of its own).
/// The token is the bytes in lower-case hex, which is safe in a URL as it is.
pub fn new_link_token(random: [u8; 32]) -> (String, String) {
    let token = hex(&random);
    let hash = link_token_hash(&token);
    (token, hash)
}

/// The stored hash of a token, to look up the link a URL names.
pub fn link_token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
