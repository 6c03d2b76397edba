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

/// Argon2 costs 19 MiB and a core's time per hash, by design. A flood of logins would
/// otherwise fill the blocking pool (512 threads) and the memory with hashes; at most
/// this many run at once, the rest queue (issue 13, item 4).
const CONCURRENT_HASHES: usize = 4;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

/// Argon2 is slow by design: run it off the async workers, a few at a time.
pub async fn hash_password_blocking(password: String) -> Result<String, AuthError> {
    let _permit = HASHING.acquire().await.map_err(|e| AuthError::Hash(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AuthError::Hash(e.to_string()))?
}

/// Verifies against `hash`. For an unknown user the caller passes the dummy hash so
/// that the answer takes as long as for a known one (no user enumeration by timing).
pub async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// zxcvbn's score 3 of 4: "safely unguessable", about 10^10 guesses (issue 13, item 4).
/// Its lists are English (passwords, names, words): a Danish word is not known as
/// one, so the twelve characters of `domain::org::MIN_PASSWORD_CHARS` carry more.
const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// Is the password easy to guess — a common password, a word with digits, her own
/// username or name? The length rule is `domain::org::parse_new_user`'s; this is
/// the estimate on top of it, with what the account is called as hints.
pub fn is_weak_password(password: &str, hints: &[&str]) -> bool {
    // Each word of a hint on its own: "Leila Hansen" makes "hansen" guessable too.
    // zxcvbn compares them lowercased only on the password's side.
    let words: Vec<String> = hints
        .iter()
        .flat_map(|h| h.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() > 2)
        .map(str::to_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    zxcvbn::zxcvbn(password, &words).score() < MIN_STRENGTH
}

/// Constant-time comparison of two tokens (CSRF tokens, single sign-on's state).
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    #[test]
    fn common_and_personal_passwords_are_weak_passphrases_are_not() {
        for weak in ["password1234", "qwertyuiop12", "123456789012", "hansenhansen"] {
            assert!(super::is_weak_password(weak, &["leila", "Leila Hansen"]), "{weak}");
        }
        assert!(!super::is_weak_password("a long test passphrase", &["leila"]));
        assert!(!super::is_weak_password("kaffe-regnbue-cykel-17", &[]));
    }

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
