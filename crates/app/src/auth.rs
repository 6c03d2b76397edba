//! Passwords and tokens: how a secret is hashed, checked and made. The web's login and
//! sessions and the CLI's `user add` use these, so neither owns them.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("no randomness available: {0}")]
    Random(String),
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Argon2 is slow by design: run it off the async workers.
pub async fn hash_password_blocking(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AuthError::Hash(e.to_string()))?
}

/// Verifies against `hash`. For an unknown user the caller passes the dummy hash so
/// that the answer takes as long as for a known one (no user enumeration by timing).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A new random token, 32 bytes as hex.
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(hex(&bytes))
}

/// Only the hash of a session token is stored, so a copy of the database holds no
/// usable session.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_wrong_ones_do_not() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let h = hash_password("correct horse battery").unwrap();
        assert!(rt.block_on(verify_password("correct horse battery".into(), h.clone())));
        assert!(!rt.block_on(verify_password("wrong".into(), h)));
        assert!(!rt.block_on(verify_password("x".into(), "not a hash".into())));
    }

    #[test]
    fn tokens_are_random() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        assert_ne!(token_hash(&a), a);
    }
}
