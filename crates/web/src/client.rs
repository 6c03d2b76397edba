//! Who is on the other end: the client's IP address, for the limits on logins and on
//! the public pages (issue 13, items 4 and 9). Behind a reverse proxy every
//! connection comes from the proxy, so the address is taken from the header the
//! configuration names — and only then: a header a client may set itself is never
//! believed otherwise.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The client's address, when it can be known.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let Some(header) = state.config.trusted_proxy_header.as_deref() else {
            return Ok(ClientAddress(peer));
        };
        Ok(ClientAddress(from_proxy_header(parts.headers.get_all(header).iter().filter_map(|v| v.to_str().ok()))))
    }
}

/// The proxy appends the address it saw to whatever the client sent, so the last
/// entry is the one to believe (`X-Forwarded-For: forged, real`).
fn from_proxy_header<'a>(values: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
    values.flat_map(|v| v.split(',')).last().and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_s_own_entry_is_believed_not_the_client_s() {
        let got = from_proxy_header(["203.0.113.9, 198.51.100.7"].into_iter());
        assert_eq!(got, Some("198.51.100.7".parse().unwrap()));
        let got = from_proxy_header(["203.0.113.9", "2001:db8::1"].into_iter());
        assert_eq!(got, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(from_proxy_header(["not an address"].into_iter()), None);
        assert_eq!(from_proxy_header(std::iter::empty()), None);
    }
}
