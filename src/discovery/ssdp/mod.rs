//! SSDP search and UPnP device descriptions: asks the network "who is there?" with M-SEARCH,
//! reports each device that answers as soon as it answers, then reads its UPnP description (friendly
//! name, maker, model, serial, admin page) with the bounded [`http`](super::http) client.
//!
//! We do the search ourselves rather than through rupnp because rupnp hides the address a reply came
//! from (so a LOCATION cannot be checked against it), lets a chatty device keep it open, and reads
//! descriptions without a size or time bound. Here everything is bounded:
//! - replies are read until one overall deadline (`wait` after the last search), each at most
//!   [`MAX_DATAGRAM_BYTES`]; at most [`MAX_DATAGRAMS`] from any one address (a flood from one host
//!   is capped and never ends listening for the others), from at most [`MAX_SOURCES`] addresses;
//! - at most [`MAX_HOSTS`] hosts, [`MAX_TYPES_PER_HOST`] types and [`MAX_LOCATIONS_PER_HOST`]
//!   description addresses per host, and [`MAX_FETCHES`] description reads in all, at most
//!   [`MAX_CONCURRENT_FETCHES`] at a time, each within `fetch` and all of them ending by
//!   `wait + fetch.timeout` (plus a short grace before stragglers are aborted);
//! - a LOCATION is read only when it is a plain `http://` address whose host is the very address
//!   that replied, and that address is private, loopback or link-local (never another host, never a
//!   public address: a device must not be able to point porchlight at someone else);
//! - every string a device sends is cleaned with [`crate::sanitize::clean`] before it is kept.
//!
//! The router is also asked directly, from a socket of its own (see `ask_the_router`), so a
//! device flooding the multicast search cannot crowd its answers out.
//!
//! This file sends the searches and listens; `reply` reads each datagram's headers and
//! `description` fetches and parses the XML a reply points to.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::http::{self, Limits};
use super::{EventSink, Sighting, Source, Stage};
use crate::model::{Service, ServiceSource};

mod description;
mod reply;

pub use description::parse_description;
pub(crate) use description::tolerate_control_characters;
use description::{FetchJob, fetch_description};
pub use reply::{ReplyKind, SsdpReply, parse_reply};

/// The SSDP multicast group and port.
pub const SSDP_MULTICAST: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 1900);

/// The search target of home routers that offer UPnP port mapping.
pub const IGD_SEARCH_TARGET: &str = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";

/// Every search porchlight sends, each twice: `ssdp:all`, the router, and the targets common
/// devices answer only when named, never to `ssdp:all`: Roku players (`roku:ecp`, Roku's External
/// Control Protocol documentation), DIAL casting receivers such as Fire TV and many smart TVs
/// (`urn:dial-multiscreen-org:service:dial:1`, the DIAL specification), Samsung TVs' remote
/// control receiver and LG webOS TVs' second-screen service (as their own apps search for them).
pub const SEARCH_TARGETS: [&str; 6] = [
    "ssdp:all",
    IGD_SEARCH_TARGET,
    "roku:ecp",
    "urn:dial-multiscreen-org:service:dial:1",
    "urn:samsung.com:device:RemoteControlReceiver:1",
    "urn:lge-com:service:webos-second-screen:1",
];

/// A failed description read is tried once more when at least this much of its time is left.
const RETRY_MIN_LEFT: Duration = Duration::from_millis(400);

/// The pause before that second try.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// The most datagrams taken from one address in one search; the rest from it are dropped.
pub const MAX_DATAGRAMS: usize = 200;

/// The most distinct addresses whose datagrams are counted in one search.
pub const MAX_SOURCES: usize = 1_024;

/// The largest datagram read; longer ones are cut.
pub const MAX_DATAGRAM_BYTES: usize = 8 * 1024;

/// The most distinct hosts tracked in one search.
pub const MAX_HOSTS: usize = 256;

/// The most distinct search types kept per host.
pub const MAX_TYPES_PER_HOST: usize = 32;

/// The most distinct LOCATIONs considered per host.
pub const MAX_LOCATIONS_PER_HOST: usize = 4;

/// The most descriptions read in one search.
pub const MAX_FETCHES: usize = 64;

/// The most descriptions read at the same time.
pub const MAX_CONCURRENT_FETCHES: usize = 16;

/// The deepest nesting of embedded devices followed in a description.
pub const MAX_DEVICE_DEPTH: usize = 4;

/// The most embedded devices read from one description.
pub const MAX_EMBEDDED_DEVICES: usize = 32;

/// The most service types kept from one description.
pub const MAX_DESCRIPTION_SERVICES: usize = 64;

/// The most notes about ignored replies and addresses in one search (descriptions that fail to
/// read are at most [`MAX_FETCHES`] more).
const MAX_NOTES: usize = 32;

/// The longest LOCATION kept, in characters.
const MAX_LOCATION_CHARS: usize = 512;

/// How long stragglers get after the last fetch should have ended, before they are aborted.
const GRACE: Duration = Duration::from_millis(250);

/// The pause between the two rounds of searches.
const RESEND_GAP: Duration = Duration::from_millis(25);

/// Which replying hosts are in scope: a shared predicate over their address.
pub type AllowFn = Arc<dyn Fn(Ipv4Addr) -> bool + Send + Sync>;

/// How to search.
#[derive(Clone)]
pub struct SsdpOptions {
    /// The local address to send from: an interface address, or `0.0.0.0` to let the system pick.
    /// For a multicast target it also selects the outgoing interface.
    pub bind: Ipv4Addr,
    /// Where the searches go: [`SSDP_MULTICAST`] normally, a responder's unicast address in tests.
    pub target: SocketAddrV4,
    /// How long replies are collected after the last search (with `MX: 1`, about 1.2 s).
    pub wait: Duration,
    /// Bounds on each description read (2 s and 256 KiB by default).
    pub fetch: Limits,
    /// Which replying hosts are in scope (normally: inside the scanned subnets). Replies from other
    /// hosts are ignored, with a note. Independently of this, a description is only read from a
    /// private, loopback or link-local address (see [`is_local_address`]).
    pub allow: AllowFn,
}

impl SsdpOptions {
    /// Options for a multicast search sent from `bind`, in scope: every [`is_local_address`].
    pub fn new(bind: Ipv4Addr) -> Self {
        Self {
            bind,
            target: SSDP_MULTICAST,
            wait: Duration::from_millis(1_200),
            fetch: Limits {
                timeout: Duration::from_secs(2),
                max_bytes: 256 * 1024,
            },
            allow: Arc::new(is_local_address),
        }
    }
}

impl fmt::Debug for SsdpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsdpOptions")
            .field("bind", &self.bind)
            .field("target", &self.target)
            .field("wait", &self.wait)
            .field("fetch", &self.fetch)
            .finish_non_exhaustive()
    }
}

/// True for the addresses a description may be read from: private (RFC 1918), loopback and
/// link-local IPv4 addresses.
pub fn is_local_address(ip: Ipv4Addr) -> bool {
    ip.is_private() || ip.is_loopback() || ip.is_link_local()
}

/// Searches for UPnP devices and reads their descriptions, reporting to `events` as it goes: a
/// [`Sighting`] (source [`Source::Ssdp`], one [`Service`] per search type) as soon as a host first
/// answers, another with the types it added by the end of the search, and one with the
/// [`UpnpInfo`](super::UpnpInfo) for each description read. Ignored replies, refused LOCATIONs
/// and descriptions that fail to read become notes. Stage start and end events are the caller's
/// to send.
///
/// Sends `ssdp:all`, the router (`InternetGatewayDevice:1`) search and the searches common devices
/// answer only when named ([`SEARCH_TARGETS`]), each twice, with `MX: 1`,
/// then listens for `opts.wait`; the whole call ends within `opts.wait + opts.fetch.timeout` and a
/// fraction of a second, whatever the devices do. It ends early when nobody listens to `events`.
/// Returns how many hosts in scope answered.
///
/// # Errors
/// A one-line reason when the search cannot be sent at all: the socket cannot be opened, or (for a
/// multicast target) there is no route for multicast, as on a machine with no network.
pub async fn discover(opts: &SsdpOptions, events: &EventSink) -> Result<usize, String> {
    let socket = open_socket(opts)?;
    send_searches(&socket, opts).await?;
    let router = ask_the_router(opts).await;
    let mut router_buf = vec![
        0u8;
        if router.is_some() {
            MAX_DATAGRAM_BYTES
        } else {
            0
        }
    ];

    let collect_deadline = Instant::now() + opts.wait;
    let fetch_deadline = collect_deadline + opts.fetch.timeout;
    let mut search = Search::new(opts, events.clone());
    let mut fetches = JoinSet::new();
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_FETCHES));
    let mut buf = vec![0u8; MAX_DATAGRAM_BYTES];
    let mut per_source: HashMap<Ipv4Addr, usize> = HashMap::new();
    let mut receive_errors = 0usize;

    loop {
        if events.is_closed() {
            fetches.abort_all();
            return Ok(search.hosts.len());
        }
        let next = async {
            match &router {
                Some((direct, _)) => tokio::select! {
                    r = socket.recv_from(&mut buf) => (r, false),
                    r = direct.recv_from(&mut router_buf) => (r, true),
                },
                None => (socket.recv_from(&mut buf).await, false),
            }
        };
        let (n, from, direct) = match tokio::time::timeout_at(collect_deadline, next).await {
            Err(_) => break,
            Ok((Ok((n, from)), direct)) => (n, from, direct),
            Ok((Err(_), _)) => {
                // Transient (an ICMP error reported on the socket, say); give up if it persists.
                receive_errors += 1;
                if receive_errors > 16 {
                    break;
                }
                continue;
            }
        };
        let SocketAddr::V4(from) = from else {
            continue;
        };
        // The direct socket takes answers from the router only.
        if direct && router.as_ref().is_some_and(|(_, ip)| ip != from.ip()) {
            continue;
        }
        let datagram = if direct { &router_buf[..n] } else { &buf[..n] };
        // A flood from one address is capped there; listening goes on for everyone else.
        if !per_source.contains_key(from.ip()) && per_source.len() >= MAX_SOURCES {
            continue;
        }
        let count = per_source.entry(*from.ip()).or_insert(0);
        *count += 1;
        if *count > MAX_DATAGRAMS {
            if *count == MAX_DATAGRAMS + 1 {
                search.note(format!(
                    "{} sent more than {MAX_DATAGRAMS} SSDP replies; ignoring the rest from it",
                    from.ip()
                ));
            }
            continue;
        }
        let reply = crate::fault::contain_sync("an SSDP reply", || parse_reply(datagram));
        let Ok(Some(reply)) = reply else {
            continue;
        };
        if let Some(job) = search.handle(*from.ip(), reply) {
            let permits = Arc::clone(&permits);
            let events = events.clone();
            fetches.spawn(fetch_description(
                job,
                opts.fetch,
                fetch_deadline,
                permits,
                events,
            ));
        }
    }
    search.flush_late_types();

    let all_done = async { while fetches.join_next().await.is_some() {} };
    if tokio::time::timeout_at(fetch_deadline + GRACE, all_done)
        .await
        .is_err()
    {
        let left = fetches.len();
        fetches.abort_all();
        search.note(format!(
            "gave up on {left} UPnP description reads that did not finish in time"
        ));
    }
    Ok(search.hosts.len())
}

/// How long finding the default gateway may take before the router is not asked directly.
const GATEWAY_LOOKUP: Duration = Duration::from_millis(500);

/// Asks the router directly as well, from a socket of its own, when the search is multicast: a
/// device flooding the multicast search with replies (thousands of them) can overflow the shared
/// socket's buffer so the router's few answers are dropped, and the router's description is the
/// one the checks need most. The flooder never sees this unicast search, so it cannot answer it.
/// Returns the socket and the router's address, or `None` (no gateway in scope, or it could not
/// be asked: the multicast search stands alone then).
async fn ask_the_router(opts: &SsdpOptions) -> Option<(UdpSocket, Ipv4Addr)> {
    if !opts.target.ip().is_multicast() {
        return None;
    }
    let lookup = tokio::task::spawn_blocking(super::neighbours::default_gateway);
    let gateway = tokio::time::timeout(GATEWAY_LOOKUP, lookup)
        .await
        .ok()?
        .ok()??;
    if !(opts.allow)(gateway) || !is_local_address(gateway) {
        return None;
    }
    let direct = SsdpOptions {
        target: SocketAddrV4::new(gateway, opts.target.port()),
        ..opts.clone()
    };
    let socket = open_socket(&direct).ok()?;
    send_searches(&socket, &direct).await.ok()?;
    Some((socket, gateway))
}

/// Opens the UDP socket the searches go out of.
fn open_socket(opts: &SsdpOptions) -> Result<UdpSocket, String> {
    let fail = |what: &str, e: io::Error| format!("could not open the SSDP socket: {what}: {e}");
    let no_multicast = |what: &str, e: io::Error| {
        format!("multicast is not available on this network: {what}: {e}")
    };
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| fail("socket", e))?;
    socket
        .set_nonblocking(true)
        .map_err(|e| fail("non-blocking mode", e))?;
    // Replies arrive in bursts; a larger buffer loses fewer. Best effort.
    let _ = socket.set_recv_buffer_size(1 << 20);
    socket
        .bind(&SocketAddrV4::new(opts.bind, 0).into())
        .map_err(|e| fail(&format!("bind to {}", opts.bind), e))?;
    if opts.target.ip().is_multicast() {
        socket
            .set_multicast_ttl_v4(2)
            .map_err(|e| no_multicast("multicast TTL", e))?;
        if !opts.bind.is_unspecified() {
            socket
                .set_multicast_if_v4(&opts.bind)
                .map_err(|e| no_multicast(&format!("interface {}", opts.bind), e))?;
        }
    }
    UdpSocket::from_std(socket.into()).map_err(|e| fail("async socket", e))
}

/// The M-SEARCH request for `st`.
pub(crate) fn m_search(target: SocketAddrV4, st: &str) -> String {
    format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: {target}\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: {st}\r\nUSER-AGENT: {} UPnP/1.1 porchlight/{}\r\n\r\n",
        std::env::consts::OS,
        env!("CARGO_PKG_VERSION"),
    )
}

/// Sends every search in [`SEARCH_TARGETS`] twice (UDP gets lost): twelve datagrams in all.
/// The first failure is fatal: nothing went out.
async fn send_searches(socket: &UdpSocket, opts: &SsdpOptions) -> Result<(), String> {
    let searches: Vec<String> = SEARCH_TARGETS
        .iter()
        .map(|st| m_search(opts.target, st))
        .collect();
    for round in 0..2 {
        if round > 0 {
            tokio::time::sleep(RESEND_GAP).await;
        }
        for search in &searches {
            let sent = socket.send_to(search.as_bytes(), opts.target).await;
            // Later failures are ignored: the first round went out.
            if let Err(e) = sent
                && round == 0
            {
                return Err(if opts.target.ip().is_multicast() {
                    format!("multicast is not available on this network: {e}")
                } else {
                    format!("could not send the SSDP search to {}: {e}", opts.target)
                });
            }
        }
    }
    Ok(())
}

/// What is known of one replying host.
#[derive(Default)]
struct HostState {
    /// SSDP services by search type, in the order first seen.
    services: Vec<Service>,
    /// Types were added after the first sighting was sent.
    dirty: bool,
    /// LOCATIONs already considered.
    locations: HashSet<String>,
    /// Told the owner that further LOCATIONs are ignored.
    location_overflow_noted: bool,
}

/// The state of one search: who answered, what was reported.
struct Search {
    allow: AllowFn,
    events: EventSink,
    hosts: HashMap<Ipv4Addr, HostState>,
    /// Hosts in the order they first answered.
    order: Vec<Ipv4Addr>,
    /// Out-of-scope hosts already noted.
    ignored: HashSet<Ipv4Addr>,
    host_overflow_noted: bool,
    fetches: usize,
    fetch_overflow_noted: bool,
    notes: usize,
}

impl Search {
    fn new(opts: &SsdpOptions, events: EventSink) -> Self {
        Self {
            allow: Arc::clone(&opts.allow),
            events,
            hosts: HashMap::new(),
            order: Vec::new(),
            ignored: HashSet::new(),
            host_overflow_noted: false,
            fetches: 0,
            fetch_overflow_noted: false,
            notes: 0,
        }
    }

    /// Sends a note, unless too many were sent already (the last one says so).
    fn note(&mut self, message: String) {
        self.notes += 1;
        if self.notes < MAX_NOTES {
            self.events.note(Stage::Ssdp, message);
        } else if self.notes == MAX_NOTES {
            self.events.note(
                Stage::Ssdp,
                "more SSDP replies and addresses were ignored; not listing them all",
            );
        }
    }

    /// Takes in one reply from `ip`; returns the description to read, if any.
    fn handle(&mut self, ip: Ipv4Addr, reply: SsdpReply) -> Option<FetchJob> {
        if reply.kind == ReplyKind::ByeBye {
            return None;
        }
        if !(self.allow)(ip) {
            if self.ignored.len() < MAX_HOSTS && self.ignored.insert(ip) {
                self.note(format!(
                    "ignored SSDP replies from {ip}: outside the scanned networks"
                ));
            }
            return None;
        }
        if !self.hosts.contains_key(&ip) && self.hosts.len() >= MAX_HOSTS {
            if !self.host_overflow_noted {
                self.host_overflow_noted = true;
                self.note(format!(
                    "more than {MAX_HOSTS} hosts answered the SSDP search; ignoring the rest"
                ));
            }
            return None;
        }
        let location_port = reply
            .location
            .as_deref()
            .and_then(|l| http::parse_url(l).ok())
            .map(|(addr, _, _)| addr.port());
        let first_reply = !self.hosts.contains_key(&ip);
        let host = self.hosts.entry(ip).or_default();
        if first_reply {
            self.order.push(ip);
        }
        let mut added = false;
        if let Some(kind) = reply.search_target.as_deref()
            && !kind.to_ascii_lowercase().starts_with("uuid:")
            && host.services.len() < MAX_TYPES_PER_HOST
            && !host.services.iter().any(|s| s.kind == kind)
        {
            host.services
                .push(ssdp_service(kind, &reply, location_port));
            added = true;
        }
        if first_reply {
            let mut sighting = Sighting::new(Source::Ssdp, ip);
            sighting.services = host.services.clone();
            self.events.sighting(sighting);
        } else if added {
            host.dirty = true;
        }

        let location = reply.location?;
        if host.locations.contains(&location) {
            return None;
        }
        if host.locations.len() >= MAX_LOCATIONS_PER_HOST {
            if !host.location_overflow_noted {
                host.location_overflow_noted = true;
                self.note(format!(
                    "{ip} gave more than {MAX_LOCATIONS_PER_HOST} UPnP description addresses; ignoring the rest"
                ));
            }
            return None;
        }
        host.locations.insert(location.clone());
        self.consider_location(ip, location)
    }

    /// Decides whether the description at `location`, given by `ip`, may be read.
    fn consider_location(&mut self, ip: Ipv4Addr, location: String) -> Option<FetchJob> {
        let refused =
            |why: String| format!("not reading the UPnP description of {ip} at {location}: {why}");
        let (addr, host_header, path) = match http::parse_url(&location) {
            Ok(parts) => parts,
            Err(_) => {
                let message =
                    refused("it is not a plain http:// address with a numeric IPv4 host".into());
                self.note(message);
                return None;
            }
        };
        if *addr.ip() != ip {
            let message = refused(format!(
                "it points at another host ({}), not the one that answered",
                addr.ip()
            ));
            self.note(message);
            return None;
        }
        if !is_local_address(ip) {
            let message = refused("it is not a private address".into());
            self.note(message);
            return None;
        }
        if self.fetches >= MAX_FETCHES {
            if !self.fetch_overflow_noted {
                self.fetch_overflow_noted = true;
                self.note(format!(
                    "read {MAX_FETCHES} UPnP descriptions; skipping the rest"
                ));
            }
            return None;
        }
        self.fetches += 1;
        Some(FetchJob {
            ip,
            location,
            addr,
            host: host_header,
            path,
        })
    }

    /// Reports the hosts that announced more types after their first sighting.
    fn flush_late_types(&mut self) {
        for ip in &self.order {
            if let Some(host) = self.hosts.get_mut(ip)
                && host.dirty
            {
                host.dirty = false;
                let mut sighting = Sighting::new(Source::Ssdp, *ip);
                sighting.services = host.services.clone();
                self.events.sighting(sighting);
            }
        }
    }
}

/// The service entry for one search type a host answered.
/// The service an SSDP reply stands for: its search target, named after its SERVER header (or
/// its UDN, which naming never shows), with its LOCATION, USN and SERVER kept.
pub fn ssdp_service(kind: &str, reply: &SsdpReply, port: Option<u16>) -> Service {
    let name = reply
        .server
        .clone()
        .or_else(|| reply.udn().map(str::to_string))
        .unwrap_or_else(|| kind.to_string());
    let mut txt = BTreeMap::new();
    for (key, value) in [
        ("location", &reply.location),
        ("usn", &reply.usn),
        ("server", &reply.server),
    ] {
        if let Some(value) = value {
            txt.insert(key.to_string(), value.clone());
        }
    }
    Service {
        source: ServiceSource::Upnp,
        kind: kind.to_string(),
        name,
        port,
        txt,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_readme_names_every_search() {
        let readme = include_str!("../../../README.md").replace('\n', " ");
        assert_eq!(SEARCH_TARGETS.len(), 6);
        assert!(readme.contains("six SSDP searches each sent twice"));
        for st in SEARCH_TARGETS.iter().skip(2) {
            assert!(readme.contains(st), "the README should name {st}");
        }
    }

    #[test]
    fn the_search_request_is_well_formed() {
        let request = m_search(SSDP_MULTICAST, "ssdp:all");
        assert!(request.starts_with("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"));
        assert!(request.contains("\r\nMAN: \"ssdp:discover\"\r\n"));
        assert!(request.contains("\r\nMX: 1\r\n"));
        assert!(request.contains("\r\nST: ssdp:all\r\n"));
        assert!(request.ends_with("\r\n\r\n"));
    }

    #[test]
    fn local_addresses_are_private_loopback_and_link_local() {
        for ip in [
            "192.168.1.1",
            "10.0.0.7",
            "172.16.4.4",
            "127.0.0.1",
            "169.254.3.3",
        ] {
            assert!(is_local_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "100.64.0.1",
            "172.32.0.1",
            "239.255.255.250",
            "0.0.0.0",
        ] {
            assert!(!is_local_address(ip.parse().unwrap()), "{ip}");
        }
    }
}
