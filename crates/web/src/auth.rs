//! What the web adds to `app::auth`: CSRF token comparison and safe redirects.

/// Constant-time comparison for CSRF tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `?next=` may only lead within the site: a path, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.contains("://") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_site() {
        assert_eq!(safe_next(Some("/people")), "/people");
        for evil in ["//evil.example", "https://evil.example", "/\\evil", "evil", "/x?u=https://e"] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn tokens_are_compared_in_full() {
        let a = app::auth::new_token().unwrap();
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &a[..63]));
    }
}
