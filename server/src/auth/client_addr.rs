//! The client address a request came from, for throttling sign-ins per address.
//!
//! By default it is the TCP peer's address: a header such as `X-Forwarded-For` is written by whoever sends the
//! request, so trusting it would let anyone pick a fresh address for every guess. Behind a reverse proxy every peer
//! is the proxy, so `WAYMARK_CLIENT_IP_HEADER` names the header the proxy sets; Waymark then takes the *last*
//! address in it (the one the proxy itself added, whatever the client wrote before it). Set it only when the
//! server can be reached through that proxy alone.
//!
//! IPv6 addresses are kept to their /64 network: one machine usually holds a whole /64.

use crate::state::AppState;
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, HeaderName, request::Parts},
};
use std::{
    convert::Infallible,
    net::{IpAddr, Ipv6Addr, SocketAddr},
};

/// The request's client address, as a throttling key (`"203.0.113.7"`, `"2001:db8:1:2::/64"`, or `"unknown"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(client_address(state.config.client_ip_header.as_ref(), &parts.headers, peer)))
    }
}

/// The throttling key for a request: the trusted header's last address when one is configured and readable,
/// otherwise the peer's address.
pub fn client_address(trusted_header: Option<&HeaderName>, headers: &HeaderMap, peer: Option<IpAddr>) -> String {
    let forwarded = trusted_header.and_then(|name| {
        // Several header lines count as one comma-separated list, in order.
        let last = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).last()?;
        parse_ip(last.trim())
    });
    match forwarded.or(peer) {
        Some(ip) => key_of(ip),
        None => "unknown".to_owned(),
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    // `1.2.3.4`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`, `1.2.3.4:5678`
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = s.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|r| r.parse::<Ipv6Addr>().ok()).map(IpAddr::V6)
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_peer_counts_unless_a_header_is_trusted() {
        let peer = Some("192.0.2.1".parse().unwrap());
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.9")]);
        assert_eq!(client_address(None, &spoofed, peer), "192.0.2.1", "an untrusted header is ignored");
        assert_eq!(client_address(None, &spoofed, None), "unknown");
        let xff = HeaderName::from_static("x-forwarded-for");
        // The proxy appends the address it saw: the last entry. Whatever the client wrote comes before it.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.9"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_address(Some(&xff), &chain, peer), "203.0.113.7");
        assert_eq!(client_address(Some(&xff), &headers(&[]), peer), "192.0.2.1", "no header: the peer");
        assert_eq!(client_address(Some(&xff), &headers(&[("x-forwarded-for", "garbage")]), peer), "192.0.2.1");
    }

    #[test]
    fn ipv6_is_kept_to_its_network() {
        let xri = HeaderName::from_static("x-real-ip");
        let h = |v: &str| headers(&[("x-real-ip", v)]);
        assert_eq!(client_address(Some(&xri), &h("2001:db8:1:2:aaaa::1"), None), "2001:db8:1:2::/64");
        assert_eq!(client_address(Some(&xri), &h("[2001:db8:1:2::ffff]:443"), None), "2001:db8:1:2::/64");
        assert_eq!(client_address(Some(&xri), &h("::ffff:192.0.2.8"), None), "192.0.2.8");
        assert_eq!(client_address(Some(&xri), &h("192.0.2.8:5000"), None), "192.0.2.8");
    }
}
