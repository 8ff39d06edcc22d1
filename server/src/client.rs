//! Who a request comes from, and over what: the peer, unless the peer is a
//! proxy the operator trusts (`[connections] trusted-proxies`), whose
//! `X-Forwarded-For` and `X-Forwarded-Proto` then say it.
//!
//! Nobody is trusted by default: any client can write those headers, and a
//! server that believed them from anyone would let a guesser choose the
//! address the sign-in throttle counts.

use std::{fmt, net::IpAddr, sync::Arc};

use std::net::SocketAddr;

use axum::{
    extract::ConnectInfo,
    http::{header::HeaderName, Extensions, HeaderMap},
};
use ipnet::IpNet;
use serde::{de, Deserialize, Deserializer};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The proxies whose forwarding headers are believed: addresses
/// (`127.0.0.1`, `::1`) or networks (`10.0.0.0/8`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: impl IntoIterator<Item = IpNet>) -> TrustedProxies {
        TrustedProxies(networks.into_iter().collect())
    }

    /// Parses each of `entries`, an address or a network.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<TrustedProxies, InvalidProxy> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| InvalidProxy(entry.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies::new)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client's address: from the peer, each trusted proxy in turn is
    /// replaced by the address it says it forwards for (`X-Forwarded-For`,
    /// read from its end, where each proxy appends), up to the first
    /// address that is not a trusted proxy's. `None` without a peer.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        let mut forwarded = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .rev();
        while self.trusts(client) {
            match forwarded.next().map(|entry| entry.trim().parse::<IpAddr>()) {
                Some(Ok(next)) => client = next.to_canonical(),
                // Nothing more said, or something that is no address: the
                // last proxy is as far as can be known.
                _ => break,
            }
        }
        Some(client)
    }

    /// Whether the request reached the site over HTTPS, by a trusted
    /// proxy's word (`X-Forwarded-Proto`); `None` when nobody trusted
    /// says.
    pub fn forwarded_https(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<bool> {
        if !peer.is_some_and(|peer| self.trusts(peer)) {
            return None;
        }
        let proto = headers.get(X_FORWARDED_PROTO)?.to_str().ok()?;
        // A chain of proxies appends; the first is the client's side.
        let first = proto.split(',').next()?.trim();
        Some(first.eq_ignore_ascii_case("https"))
    }
}

/// The address of the peer a request came over, from its extensions (the
/// connection's, put there by `connections`); `None` without one.
pub fn peer(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is neither an IP address nor a network (like 10.0.0.0/8)")]
pub struct InvalidProxy(String);

/// A list of strings, or one string with commas (as an environment
/// variable gives it).
impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> de::Visitor<'de> for Entries {
            type Value = TrustedProxies;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of IP addresses or networks")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<TrustedProxies, E> {
                TrustedProxies::parse(text.split(',')).map_err(E::custom)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = seq.next_element::<String>()? {
                    entries.push(entry);
                }
                TrustedProxies::parse(entries.iter().map(String::as_str)).map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_any(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn nobody_is_trusted_by_default() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(none.client(ip("127.0.0.1"), &headers), ip("127.0.0.1"));
        assert_eq!(none.client(ip("192.168.1.5"), &headers), ip("192.168.1.5"));
        assert_eq!(none.client(None, &headers), None);
    }

    #[test]
    fn a_trusted_proxy_is_replaced_by_whom_it_forwards_for() {
        let proxies = TrustedProxies::parse(["127.0.0.1", "10.0.0.0/8"]).unwrap();
        // The client wrote an address of its own first; the proxy appended
        // the one it saw.
        let headers = forwarded(&["198.51.100.1, 203.0.113.9"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &headers), ip("203.0.113.9"));
        // Two trusted proxies in a row.
        let headers = forwarded(&["198.51.100.1", "203.0.113.9, 10.1.2.3"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &headers), ip("203.0.113.9"));
        // A peer that is not trusted is the client, whatever it says.
        assert_eq!(proxies.client(ip("192.0.2.4"), &headers), ip("192.0.2.4"));
        // A trusted proxy that says nothing, or nonsense, is the client.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        let headers = forwarded(&["not an address"]);
        assert_eq!(proxies.client(ip("10.0.0.2"), &headers), ip("10.0.0.2"));
        // IPv4 seen through an IPv6 socket.
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &headers),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn only_a_trusted_proxy_says_the_scheme() {
        let proxies = TrustedProxies::parse(["::1"]).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(X_FORWARDED_PROTO, "https".parse().unwrap());
        assert_eq!(proxies.forwarded_https(ip("::1"), &headers), Some(true));
        assert_eq!(proxies.forwarded_https(ip("192.0.2.4"), &headers), None);
        headers.insert(X_FORWARDED_PROTO, "http".parse().unwrap());
        assert_eq!(proxies.forwarded_https(ip("::1"), &headers), Some(false));
        assert_eq!(proxies.forwarded_https(ip("::1"), &HeaderMap::new()), None);
    }

    #[test]
    fn entries_are_addresses_or_networks() {
        assert!(TrustedProxies::parse(["127.0.0.1", "::1", "fd00::/8", " 10.0.0.0/8 "]).is_ok());
        let error = TrustedProxies::parse(["localhost"]).unwrap_err();
        assert!(error.to_string().contains("`localhost`"), "{error}");
        assert!(TrustedProxies::parse(["10.0.0.0/33"]).is_err());
    }
}
