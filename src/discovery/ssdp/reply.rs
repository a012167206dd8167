//! SSDP messages: a search response or a `NOTIFY` announcement read into its few interesting
//! headers, bounded in bytes and lines, every value cleaned.

use super::{MAX_DATAGRAM_BYTES, MAX_LOCATION_CHARS};
use crate::sanitize::{DEFAULT_MAX_CHARS, clean};

/// What kind of SSDP message a datagram was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// An answer to a search (`HTTP/1.1 200 OK`).
    Response,
    /// An announcement that a device is up (`NOTIFY`, `ssdp:alive`).
    Alive,
    /// An announcement that a device changed (`NOTIFY`, `ssdp:update`).
    Update,
    /// An announcement that a device is leaving (`NOTIFY`, `ssdp:byebye`).
    ByeBye,
}

/// The interesting headers of an SSDP reply or announcement, cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsdpReply {
    /// Response or announcement.
    pub kind: ReplyKind,
    /// Where the device description is (`LOCATION`).
    pub location: Option<String>,
    /// The type the message is about (`ST` of a response, `NT` of an announcement).
    pub search_target: Option<String>,
    /// Unique service name (`USN`: `uuid:...::urn:...`).
    pub usn: Option<String>,
    /// The `SERVER` header (`Linux/4.9 UPnP/1.0 MiniUPnPd/2.1`).
    pub server: Option<String>,
}

impl SsdpReply {
    /// The device's unique name from the USN (`uuid:...`), when there is one.
    pub fn udn(&self) -> Option<&str> {
        let usn = self.usn.as_deref()?;
        let udn = usn.split("::").next().unwrap_or(usn);
        udn.get(..5)
            .filter(|p| p.eq_ignore_ascii_case("uuid:"))
            .map(|_| udn)
    }
}

/// Parses an SSDP datagram: a search response (`HTTP/1.x 200`) or a `NOTIFY` announcement, with
/// header names compared case-insensitively. Every value is cleaned. `None` for anything else
/// (other status codes, searches, garbage).
pub fn parse_reply(datagram: &[u8]) -> Option<SsdpReply> {
    const MAX_LINES: usize = 64;
    let datagram = &datagram[..datagram.len().min(MAX_DATAGRAM_BYTES)];
    let text = String::from_utf8_lossy(datagram);
    let mut lines = text.lines().map(str::trim);
    let first = lines.next()?;
    let mut words = first.split_ascii_whitespace();
    let method = words.next()?;
    let is_response =
        if method.eq_ignore_ascii_case("HTTP/1.1") || method.eq_ignore_ascii_case("HTTP/1.0") {
            if words.next()? != "200" {
                return None;
            }
            true
        } else if method.eq_ignore_ascii_case("NOTIFY") {
            if words.next()? != "*" {
                return None;
            }
            false
        } else {
            return None;
        };

    let mut location = None;
    let mut st = None;
    let mut nt = None;
    let mut usn = None;
    let mut server = None;
    let mut nts = None;
    for line in lines.take(MAX_LINES) {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let slot = if name.eq_ignore_ascii_case("location") {
            &mut location
        } else if name.eq_ignore_ascii_case("st") {
            &mut st
        } else if name.eq_ignore_ascii_case("nt") {
            &mut nt
        } else if name.eq_ignore_ascii_case("usn") {
            &mut usn
        } else if name.eq_ignore_ascii_case("server") {
            &mut server
        } else if name.eq_ignore_ascii_case("nts") {
            &mut nts
        } else {
            continue;
        };
        if slot.is_none() {
            let max = if name.eq_ignore_ascii_case("location") {
                MAX_LOCATION_CHARS
            } else {
                DEFAULT_MAX_CHARS
            };
            let cleaned = clean(value, max);
            if !cleaned.is_empty() {
                *slot = Some(cleaned);
            }
        }
    }

    let kind = if is_response {
        ReplyKind::Response
    } else {
        match nts.as_deref() {
            Some(n) if n.eq_ignore_ascii_case("ssdp:byebye") => ReplyKind::ByeBye,
            Some(n) if n.eq_ignore_ascii_case("ssdp:update") => ReplyKind::Update,
            _ => ReplyKind::Alive,
        }
    };
    let search_target = if is_response { st.or(nt) } else { nt.or(st) };
    Some(SsdpReply {
        kind,
        location,
        search_target,
        usn,
        server,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn udn_comes_from_the_usn() {
        let reply = SsdpReply {
            kind: ReplyKind::Response,
            location: None,
            search_target: None,
            usn: Some("uuid:abc-123::urn:schemas-upnp-org:device:Basic:1".into()),
            server: None,
        };
        assert_eq!(reply.udn(), Some("uuid:abc-123"));
        let other = SsdpReply {
            usn: Some("something-else".into()),
            ..reply
        };
        assert_eq!(other.udn(), None);
    }
}
