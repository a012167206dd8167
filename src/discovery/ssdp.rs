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
use super::{EventSink, Sighting, Source, Stage, UpnpInfo, upnp_details};
use crate::model::{Service, ServiceSource};
use crate::sanitize::{DEFAULT_MAX_CHARS, clean};

/// The SSDP multicast group and port.
pub const SSDP_MULTICAST: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 1900);

/// The search target of home routers that offer UPnP port mapping.
pub const IGD_SEARCH_TARGET: &str = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";

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

/// Reads a UPnP device description (the XML at a LOCATION) into a [`UpnpInfo`], every field
/// cleaned, through the depth-bounded [`super::xml::parse`]. Elements are matched by local name in the UPnP device namespace (or no namespace), so
/// vendor extensions (`dlna:`, `sec:`, `pnpx:`) never shadow the standard fields. Embedded devices
/// are followed at most [`MAX_DEVICE_DEPTH`] deep and [`MAX_EMBEDDED_DEVICES`] in all. A DTD is
/// refused and the node count is capped.
///
/// # Errors
/// A one-line reason when the text is not XML, is not a UPnP device description (`<root>` with a
/// `<device>`), or the root device has no `deviceType`.
pub fn parse_description(xml: &str, location: &str) -> Result<UpnpInfo, String> {
    let xml = tolerate_control_characters(xml);
    let doc = super::xml::parse(&xml)?;
    let root = doc.root_element();
    if !is_upnp_element(root, "root") {
        return Err(format!(
            "not a UPnP device description (the root element is <{}>)",
            clean(root.tag_name().name(), 40)
        ));
    }
    let device =
        child(root, "device").ok_or("not a UPnP device description (no <device> element)")?;
    let device_type = text_of(device, "deviceType").ok_or("the root device has no deviceType")?;

    let mut embedded_devices = Vec::new();
    let mut services = Vec::new();
    let mut count = 0usize;
    walk_device(device, 0, &mut count, &mut embedded_devices, &mut services);

    Ok(UpnpInfo {
        device_type,
        friendly_name: text_of(device, "friendlyName"),
        manufacturer: text_of(device, "manufacturer"),
        model_name: text_of(device, "modelName"),
        model_number: text_of(device, "modelNumber"),
        serial_number: text_of(device, "serialNumber"),
        presentation_url: text_of(device, "presentationURL")
            .or_else(|| text_of(root, "presentationURL")),
        udn: text_of(device, "UDN"),
        location: clean(location, MAX_LOCATION_CHARS),
        embedded_devices,
        services,
    })
}

/// Makes a description with control characters parseable without letting them through.
///
/// XML 1.0 forbids most C0 control characters, yet sloppy firmware sends them (NUL-padded serial
/// numbers) and hostile devices send escape sequences. Rather than lose the whole description, each
/// 7-bit escape sequence introducer is rewritten to its 8-bit (C1) form, which XML allows and which
/// [`clean`] removes together with the sequence it starts (`ESC [` to CSI, `ESC ]` to OSC, BEL and
/// `ESC \` to ST); any other forbidden character becomes a space.
pub(crate) fn tolerate_control_characters(xml: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !xml.contains(forbidden) {
        return std::borrow::Cow::Borrowed(xml);
    }
    let mut out = String::with_capacity(xml.len());
    let mut chars = xml.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                let c1 = match chars.peek() {
                    Some('[') => '\u{9b}',
                    Some(']') => '\u{9d}',
                    Some('P') => '\u{90}',
                    Some('X') => '\u{98}',
                    Some('^') => '\u{9e}',
                    Some('_') => '\u{9f}',
                    Some('\\') => '\u{9c}',
                    // A two-character escape: drop both.
                    _ => {
                        chars.next();
                        continue;
                    }
                };
                chars.next();
                out.push(c1);
            }
            '\u{7}' => out.push('\u{9c}'),
            c if forbidden(c) => out.push(' '),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// True when `node` is an element called `name` in the UPnP device namespace or in none. Some
/// devices use a wrong UPnP namespace (`...:service-1-0`), so any `urn:schemas-upnp-org:` one is
/// accepted.
fn is_upnp_element(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node
            .tag_name()
            .namespace()
            .is_none_or(|ns| ns.starts_with("urn:schemas-upnp-org:"))
}

/// The first child element of `node` called `name`.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|c| is_upnp_element(*c, name))
}

/// The cleaned text of the child element `name`; `None` when missing or blank.
fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    let element = child(node, name)?;
    let mut raw = String::new();
    for text in element.descendants().filter(|n| n.is_text()) {
        raw.push_str(text.text().unwrap_or_default());
        if raw.len() > DEFAULT_MAX_CHARS * 8 {
            break;
        }
    }
    let cleaned = clean(&raw, DEFAULT_MAX_CHARS);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Collects the service types of `device` and the types (and services) of its embedded devices.
fn walk_device(
    device: roxmltree::Node<'_, '_>,
    depth: usize,
    count: &mut usize,
    embedded: &mut Vec<String>,
    services: &mut Vec<String>,
) {
    if let Some(list) = child(device, "serviceList") {
        for service in list.children().filter(|c| is_upnp_element(*c, "service")) {
            if services.len() >= MAX_DESCRIPTION_SERVICES {
                break;
            }
            if let Some(kind) = text_of(service, "serviceType")
                && !services.contains(&kind)
            {
                services.push(kind);
            }
        }
    }
    if depth >= MAX_DEVICE_DEPTH {
        return;
    }
    let Some(list) = child(device, "deviceList") else {
        return;
    };
    for sub in list.children().filter(|c| is_upnp_element(*c, "device")) {
        if *count >= MAX_EMBEDDED_DEVICES {
            return;
        }
        *count += 1;
        if let Some(kind) = text_of(sub, "deviceType")
            && !embedded.contains(&kind)
        {
            embedded.push(kind);
        }
        walk_device(sub, depth + 1, count, embedded, services);
    }
}

/// Searches for UPnP devices and reads their descriptions, reporting to `events` as it goes: a
/// [`Sighting`] (source [`Source::Ssdp`], one [`Service`] per search type) as soon as a host first
/// answers, another with the types it added by the end of the search, and one with the
/// [`UpnpInfo`] for each description read. Ignored replies, refused LOCATIONs and descriptions that
/// fail to read become notes. Stage start and end events are the caller's to send.
///
/// Sends `ssdp:all` and the router (`InternetGatewayDevice:1`) search, each twice, with `MX: 1`,
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
        let (n, from) =
            match tokio::time::timeout_at(collect_deadline, socket.recv_from(&mut buf)).await {
                Err(_) => break,
                Ok(Ok(received)) => received,
                Ok(Err(_)) => {
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
        let reply = crate::fault::contain_sync("an SSDP reply", || parse_reply(&buf[..n]));
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
fn m_search(target: SocketAddrV4, st: &str) -> String {
    format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: {target}\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: {st}\r\nUSER-AGENT: {} UPnP/1.1 porchlight/{}\r\n\r\n",
        std::env::consts::OS,
        env!("CARGO_PKG_VERSION"),
    )
}

/// Sends both searches twice (UDP gets lost). The first failure is fatal: nothing went out.
async fn send_searches(socket: &UdpSocket, opts: &SsdpOptions) -> Result<(), String> {
    let searches = [
        m_search(opts.target, "ssdp:all"),
        m_search(opts.target, IGD_SEARCH_TARGET),
    ];
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

/// A description to read.
struct FetchJob {
    ip: Ipv4Addr,
    location: String,
    addr: SocketAddrV4,
    host: String,
    path: String,
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
fn ssdp_service(kind: &str, reply: &SsdpReply, port: Option<u16>) -> Service {
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

/// Reads and parses one description, reporting a sighting with it or a note saying why not.
async fn fetch_description(
    job: FetchJob,
    limits: Limits,
    deadline: Instant,
    permits: Arc<Semaphore>,
    events: EventSink,
) {
    let FetchJob {
        ip,
        location,
        addr,
        host,
        path,
    } = job;
    let failed =
        |why: String| format!("could not read the UPnP description of {ip} at {location}: {why}");
    let _permit = match tokio::time::timeout_at(deadline, permits.acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            events.note(Stage::Ssdp, failed("out of time".into()));
            return;
        }
    };
    // A busy device (a router answering a whole scan) may drop the first connection: one more
    // try while this read's own budget lasts.
    let mut attempt = 0;
    let (response, limits) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let limits = Limits {
            timeout: limits.timeout.min(left),
            max_bytes: limits.max_bytes,
        };
        match http::get(addr, &host, &path, limits).await {
            Ok(response) => break (response, limits),
            Err(e) => {
                attempt += 1;
                let left = deadline.saturating_duration_since(Instant::now());
                if attempt >= 2 || left < RETRY_MIN_LEFT {
                    events.note(Stage::Ssdp, failed(e.to_string()));
                    return;
                }
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    };
    if response.status != 200 {
        events.note(
            Stage::Ssdp,
            failed(format!("the device answered HTTP {}", response.status)),
        );
        return;
    }
    if response.truncated {
        events.note(
            Stage::Ssdp,
            failed(format!(
                "it is larger than {} KiB or was cut short",
                limits.max_bytes / 1024
            )),
        );
        return;
    }
    let xml = String::from_utf8_lossy(&response.body);
    let parsed = crate::fault::contain_sync("this device's UPnP description", || {
        parse_description(&xml, &location)
    });
    match parsed.and_then(|parsed| parsed) {
        Ok(info) => {
            // Named as the inventory names the service it derives from `upnp`, so the two merge.
            let name = info.friendly_name.clone().unwrap_or_default();
            let mut sighting = Sighting::new(Source::Ssdp, ip);
            sighting.services.push(Service {
                source: ServiceSource::Upnp,
                kind: info.device_type.clone(),
                name,
                port: Some(addr.port()),
                txt: upnp_details(&info),
            });
            sighting.upnp = Some(info);
            events.sighting(sighting);
        }
        Err(e) => events.note(Stage::Ssdp, failed(e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

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
