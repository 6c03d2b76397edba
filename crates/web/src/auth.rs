//! What the web adds to `app::auth`: CSRF token comparison and safe redirects.

pub use app::auth::same_token;

/// `?next=` may only lead within the site (issue 13, item 8): a path of printable
/// ASCII that starts with one `/`. Browsers drop tabs and newlines and read `\` as
/// `/`, so `/\t/evil.example` or `/\\evil` would reach another host; and a control
/// character cannot go into a `Location` header at all. Anything else is the start
/// page, never an error.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_site_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_site_path(n: &str) -> bool {
    let mut rest = n.bytes();
    rest.next() == Some(b'/')
        && !matches!(rest.next(), Some(b'/' | b'\\'))
        && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !n.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_site() {
        assert_eq!(safe_next(Some("/people")), "/people");
        assert_eq!(safe_next(Some("/people?page=2")), "/people?page=2");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/x?u=https://e",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\r\nSet-Cookie: x=1",
            "",
            "/ä",
        ] {
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
