//! mDNS / DNS-SD browsing: what devices announce about themselves (printers, speakers, TVs,
//! HomeKit accessories...), with their host names, ports and TXT records.
//!
//! One daemon (mdns-sd) for the scan: it asks for `_services._dns-sd._udp.local.` to learn which
//! service types are on the network, then browses each type and reports every resolved instance
//! whose address is in scope. The window is fixed (with a short grace for instances announced
//! but still being resolved), the number of types and instances is capped,
//! and every string is cleaned before it leaves this module.
//!
//! A type is browsed from the start, without waiting for the meta-query, when it is common in
//! homes ([`COMMON_TYPES`]) or was seen in recent scans ([`MdnsOptions::known_types`]): an answer
//! to the meta-query lost on a busy network then costs nothing. Announcements that arrive
//! unasked for a browsed type are taken like answers.

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{EventSink, Sighting, Source};
use crate::model::{Service, ServiceSource};
use crate::sanitize::clean;

/// The DNS-SD meta-query that lists the service types on the network.
pub const META_QUERY: &str = "_services._dns-sd._udp.local.";

/// Service types browsed in every scan from its first moment (common in homes).
pub const COMMON_TYPES: &[&str] = &[
    "_googlecast._tcp.local.",
    "_airplay._tcp.local.",
    "_raop._tcp.local.",
    "_ipp._tcp.local.",
    "_ipps._tcp.local.",
    "_printer._tcp.local.",
    "_pdl-datastream._tcp.local.",
    "_http._tcp.local.",
    "_smb._tcp.local.",
    "_hap._tcp.local.",
    "_spotify-connect._tcp.local.",
    "_sonos._tcp.local.",
    "_amzn-wplay._tcp.local.",
    "_device-info._tcp.local.",
    "_companion-link._tcp.local.",
];

/// How the browse is bounded.
#[derive(Debug, Clone)]
pub struct MdnsOptions {
    /// How long to listen.
    pub window: Duration,
    /// How long to keep listening past `window` while instances that were announced are still
    /// being resolved (a slow or busy device); never longer than this.
    pub grace: Duration,
    /// The mDNS port (5353; tests use another).
    pub port: u16,
    /// Interfaces to use (names); empty means every interface the daemon finds.
    pub interfaces: Vec<String>,
    /// Use the loopback interface only (tests).
    pub loopback_only: bool,
    /// The most service types browsed.
    pub max_types: usize,
    /// The most instances reported.
    pub max_instances: usize,
    /// The most TXT entries kept per instance.
    pub max_txt: usize,
    /// Service types seen in recent scans (`_ipp._tcp` or `_ipp._tcp.local.`), browsed from the
    /// start like [`COMMON_TYPES`].
    pub known_types: Vec<String>,
}

impl Default for MdnsOptions {
    fn default() -> Self {
        Self {
            window: Duration::from_millis(1300),
            grace: Duration::from_millis(1700),
            port: 5353,
            interfaces: Vec::new(),
            loopback_only: false,
            max_types: 64,
            max_instances: 1024,
            max_txt: 32,
            known_types: Vec::new(),
        }
    }
}

impl MdnsOptions {
    /// Browses the service types the inventory's devices announced from the first moment (at most
    /// `max_types`), so one lost answer to the meta-query does not lose them.
    pub fn remember(&mut self, inventory: &crate::model::Inventory) {
        let mut types: Vec<String> = inventory
            .devices
            .iter()
            .flat_map(|d| &d.services)
            .filter(|s| s.source == crate::model::ServiceSource::Mdns)
            .map(|s| s.kind.clone())
            .collect();
        types.sort();
        types.dedup();
        types.truncate(self.max_types);
        self.known_types = types;
    }
}

/// Browses for the window and reports each resolved instance in scope; returns how many distinct
/// hosts were seen.
///
/// # Errors
/// One line when the daemon cannot start (port 5353 unavailable, no multicast).
pub async fn browse(
    opts: &MdnsOptions,
    in_scope: impl Fn(Ipv4Addr) -> bool,
    events: &EventSink,
) -> Result<usize, String> {
    let daemon = ServiceDaemon::new_with_port(opts.port)
        .map_err(|e| format!("mDNS could not start: {}", clean(&e.to_string(), 120)))?;
    let outcome = run(&daemon, opts, &in_scope, events).await;
    // Stop the daemon and wait (briefly) until it has let go of its sockets.
    if let Ok(status) = daemon.shutdown() {
        let _ = tokio::time::timeout(Duration::from_millis(500), status.recv_async()).await;
    }
    outcome
}

async fn run(
    daemon: &ServiceDaemon,
    opts: &MdnsOptions,
    in_scope: &impl Fn(Ipv4Addr) -> bool,
    events: &EventSink,
) -> Result<usize, String> {
    let setup = |r: mdns_sd::Result<()>| {
        r.map_err(|e| {
            format!(
                "mDNS could not choose interfaces: {}",
                clean(&e.to_string(), 120)
            )
        })
    };
    setup(daemon.disable_interface(IfKind::IPv6))?;
    if opts.loopback_only {
        setup(daemon.disable_interface(IfKind::All))?;
        setup(daemon.enable_interface(IfKind::LoopbackV4))?;
    } else if !opts.interfaces.is_empty() {
        setup(daemon.disable_interface(IfKind::All))?;
        for name in &opts.interfaces {
            setup(daemon.enable_interface(IfKind::Name(name.clone())))?;
        }
    }

    let started = Instant::now();
    let window_end = started + opts.window;
    let hard_end = window_end + opts.grace;
    let (tx, mut rx) = mpsc::unbounded_channel::<ServiceEvent>();
    forward(daemon, META_QUERY, hard_end, tx.clone())?;

    let mut types = HashSet::new();
    let early = COMMON_TYPES
        .iter()
        .map(|t| (*t).to_string())
        .chain(opts.known_types.iter().filter_map(|t| type_domain(t)));
    for ty in early {
        if types.len() < opts.max_types && types.insert(ty.clone()) {
            let _ = forward(daemon, &ty, hard_end, tx.clone());
        }
    }
    let mut instances = HashSet::new();
    let mut hosts = HashSet::new();
    // Instances announced but not resolved yet: the browse waits for them, up to `hard_end`.
    let mut pending: HashSet<String> = HashSet::new();
    // Every type is asked again, with the meta-query, half way through the window and again at
    // four fifths of it. A responder does not multicast the same answer twice within a short
    // while (500 ms for avahi, a second by RFC 6762 6.), so a question that came just after
    // someone else's (another scan, a phone browsing for printers) goes unanswered: the answer
    // went out before this browse was listening. The later questions come after that while has
    // passed. (Asking again restarts mdns-sd's own repeats, hence two.) Answers already heard
    // are not reported twice.
    let mut requeries = [opts.window / 2, opts.window * 4 / 5]
        .into_iter()
        .map(|after| started + after);
    let mut requery_at = requeries.next();
    loop {
        let until = if pending.is_empty() {
            window_end
        } else {
            hard_end
        };
        let event = tokio::select! {
            event = rx.recv() => event,
            _ = tokio::time::sleep_until(requery_at.unwrap_or(until)), if requery_at.is_some() => {
                requery_at = requeries.next();
                for ty in types.iter().map(String::as_str).chain([META_QUERY]) {
                    let _ = forward(daemon, ty, hard_end, tx.clone());
                }
                continue;
            }
            _ = tokio::time::sleep_until(until) => None,
        };
        let Some(event) = event else { break };
        match event {
            ServiceEvent::ServiceFound(ty, fullname) if ty == META_QUERY => {
                // For the meta-query, the "instance" is a service type.
                let found = fullname.trim_end_matches('.').to_string() + ".";
                if types.len() < opts.max_types && types.insert(found.clone()) {
                    let _ = forward(daemon, &found, hard_end, tx.clone());
                }
            }
            ServiceEvent::ServiceFound(_, fullname)
                if !instances.contains(&fullname) && pending.len() < opts.max_instances =>
            {
                pending.insert(fullname);
            }
            ServiceEvent::ServiceResolved(info) => {
                pending.remove(&info.fullname);
                if instances.len() >= opts.max_instances {
                    continue;
                }
                if !instances.insert(info.fullname.clone()) {
                    continue;
                }
                for ip in info.addresses.iter().filter_map(|a| match a.to_ip_addr() {
                    IpAddr::V4(v4) => Some(v4),
                    IpAddr::V6(_) => None,
                }) {
                    if !in_scope(ip) {
                        continue;
                    }
                    hosts.insert(ip);
                    match crate::fault::contain_sync("an mDNS answer", || {
                        sighting(&info, ip, opts.max_txt)
                    }) {
                        Ok(s) => events.sighting(s),
                        Err(note) => events.note(super::Stage::Mdns, format!("{ip}: {note}")),
                    }
                }
            }
            _ => {}
        }
    }
    for ty in types.iter().map(String::as_str).chain([META_QUERY]) {
        let _ = daemon.stop_browse(ty);
    }
    Ok(hosts.len())
}

/// `_ipp._tcp` or `_ipp._tcp.local.` as `_ipp._tcp.local.`, when it looks like a service type.
fn type_domain(t: &str) -> Option<String> {
    let t = t.trim().trim_end_matches('.');
    let t = t.strip_suffix(".local").unwrap_or(t);
    let mut labels = t.split('.');
    let (Some(service), Some(proto), None) = (labels.next(), labels.next(), labels.next()) else {
        return None;
    };
    let valid = service.len() > 1
        && service.len() <= 64
        && service.starts_with('_')
        && service[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && matches!(proto, "_tcp" | "_udp");
    valid.then(|| format!("{service}.{proto}.local."))
}

/// Browses `ty` and forwards its events into `tx` until `deadline`.
fn forward(
    daemon: &ServiceDaemon,
    ty: &str,
    deadline: Instant,
    tx: mpsc::UnboundedSender<ServiceEvent>,
) -> Result<(), String> {
    let receiver = daemon
        .browse(ty)
        .map_err(|e| format!("mDNS browse failed: {}", clean(&e.to_string(), 120)))?;
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                next = receiver.recv_async() => next,
                _ = tokio::time::sleep_until(deadline) => break,
            };
            match next {
                Ok(event) => {
                    if tx.send(event).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    Ok(())
}

/// The sighting of one resolved instance at `ip`, every string cleaned.
pub(crate) fn sighting(info: &mdns_sd::ResolvedService, ip: Ipv4Addr, max_txt: usize) -> Sighting {
    let kind = service_type(&info.ty_domain);
    let name = instance_name(&info.fullname, &info.ty_domain);
    let mut txt = BTreeMap::new();
    for prop in info.txt_properties.iter().take(max_txt) {
        let key = clean(prop.key(), 40);
        if key.is_empty() {
            continue;
        }
        txt.insert(key, clean(prop.val_str(), 200));
    }
    let host = clean(info.host.trim_end_matches('.'), 100);
    let mut s = Sighting::new(Source::Mdns, ip);
    if !host.is_empty() {
        s.hostnames.push(host);
    }
    s.services.push(Service {
        source: ServiceSource::Mdns,
        kind,
        name,
        port: Some(info.port),
        txt,
    });
    s
}

/// `_ipp._tcp.local.` -> `_ipp._tcp`.
pub fn service_type(ty_domain: &str) -> String {
    clean(
        ty_domain
            .trim_end_matches('.')
            .trim_end_matches(".local")
            .trim_end_matches('.'),
        80,
    )
}

/// `Office Printer._ipp._tcp.local.` -> `Office Printer` (DNS-SD escapes like `\032` decoded).
pub fn instance_name(fullname: &str, ty_domain: &str) -> String {
    let raw = fullname
        .strip_suffix(ty_domain)
        .unwrap_or(fullname)
        .trim_end_matches('.');
    clean(&unescape(raw), 100)
}

/// Decodes DNS-SD name escapes: `\.` and `\\`, and `\DDD` decimal bytes.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let digits = bytes.get(i + 1..i + 4);
            if let Some(d) = digits.filter(|d| d.iter().all(u8::is_ascii_digit)) {
                let value = d.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
                if let Ok(byte) = u8::try_from(value) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
            if let Some(next) = bytes.get(i + 1) {
                out.push(*next);
                i += 2;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn names_and_types_are_trimmed_and_unescaped() {
        assert_eq!(service_type("_googlecast._tcp.local."), "_googlecast._tcp");
        assert_eq!(
            instance_name(
                "Kitchen\\032speaker._googlecast._tcp.local.",
                "_googlecast._tcp.local."
            ),
            "Kitchen speaker"
        );
        assert_eq!(
            instance_name("HP\\.Printer._ipp._tcp.local.", "_ipp._tcp.local."),
            "HP.Printer"
        );
        assert_eq!(
            instance_name("evil\\027[31mred._http._tcp.local.", "_http._tcp.local."),
            "evil red"
        );
    }

    #[test]
    fn known_types_are_checked_before_they_are_browsed() {
        assert_eq!(
            type_domain("_ipp._tcp").as_deref(),
            Some("_ipp._tcp.local.")
        );
        assert_eq!(
            type_domain("_googlecast._tcp.local.").as_deref(),
            Some("_googlecast._tcp.local.")
        );
        assert_eq!(
            type_domain("_ipp._tcp.local").as_deref(),
            Some("_ipp._tcp.local.")
        );
        for bad in [
            "ipp._tcp",
            "_ipp._sctp",
            "_a b._tcp",
            "_x._tcp.example.com",
            "",
            "_._tcp",
        ] {
            assert_eq!(type_domain(bad), None, "{bad}");
        }
        for common in COMMON_TYPES {
            assert_eq!(type_domain(common).as_deref(), Some(*common));
        }
    }
}
