//! TCP connect probes of the ports that matter for home-network hardening (telnet, admin pages,
//! RTSP, MQTT, SMB, ADB, UPnP control, TR-069 and the rest of section 3 of the hardening facts),
//! each followed by one short, bounded exchange that reads a banner.
//!
//! Why a banner at all: "port 554 is open" says little, "RTSP/1.0 401 Unauthorized" says the camera
//! asks for a login, and "CONNACK 0 (accepted without login)" says the MQTT broker does not. The
//! banner is evidence for identification and for the checks.
//!
//! Every probe is bounded: the connect by [`PortOptions::connect_timeout`], the whole exchange after
//! it by [`PortOptions::banner_timeout`] (one deadline for every write and read), and what is read
//! by [`PortOptions::max_banner_bytes`]. Everything a device says goes through
//! [`sanitize::clean`] and is cut to [`BANNER_CHARS`] characters. Only TCP connects are used, no raw
//! sockets, so no privileges are needed. Each connect is retransmitted inside its window
//! ([`reach`]), and a port's outcome is kept as what it proves: open (accepted), closed (refused by
//! the host) or silent (no answer, which proves nothing: see [`PortScan`]).
//!
//! The probes say as little as they can: nothing is ever sent to the printer ports (9100 prints
//! whatever it receives) or to ADB (a connect request can pop up a dialog on the TV), and the MQTT
//! probe connects without credentials and disconnects politely.
//!
//! `table` holds the ports and how each is probed (plain data, which the check descriptions read
//! too); this file holds the bounded connect, read and write, and the plain greetings
//! and HTTP banners; `tls` and `banners` (telnet, RTSP, MQTT) hold the exchanges that speak more of
//! a protocol.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::http;
use crate::model::OpenPort;
use crate::sanitize;

pub(crate) mod banners;
pub(crate) mod reach;
pub(crate) mod table;
pub(crate) mod tls;

pub(crate) use banners::TelnetDecoder;
pub use banners::{MQTT_CONNECT, describe_connack, strip_telnet};
use banners::{mqtt_banner, rtsp_banner, telnet_banner};
pub use reach::{CONNECT_TRIES, Reach, reach};
pub use table::{ProbeKind, RISKY_PORTS, RiskyPort};
pub use tls::client_hello;
use tls::tls_probe;

/// The longest banner kept, in characters (after cleaning).
pub const BANNER_CHARS: usize = 160;

/// Limits of the port probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOptions {
    /// How long a port has to accept or refuse a connection (the connect is retransmitted
    /// inside it, see [`reach`]) before it counts as silent.
    pub connect_timeout: Duration,
    /// How long the whole exchange after the connect may take (every write and read together).
    pub banner_timeout: Duration,
    /// The most bytes read from one port.
    pub max_banner_bytes: usize,
    /// How many ports of one host are probed at once (at least one).
    pub per_host_concurrency: usize,
}

impl Default for PortOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_millis(500),
            banner_timeout: Duration::from_millis(400),
            max_banner_bytes: 4096,
            per_host_concurrency: RISKY_PORTS.len(),
        }
    }
}

/// What probing one host's ports showed, each port in one list, sorted by port number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortScan {
    /// Ports that accepted a connection, with their banners.
    pub open: Vec<OpenPort>,
    /// Ports the host refused (a TCP RST): positive evidence that nothing listens there.
    pub closed: Vec<u16>,
    /// Ports that neither accepted nor refused, every retransmission included: a firewall that
    /// drops, a host asleep or gone, or frames lost. Proves nothing either way.
    pub silent: Vec<u16>,
}

impl PortScan {
    /// True when the host answered on at least one port (accepted or refused).
    pub fn host_answered(&self) -> bool {
        !self.open.is_empty() || !self.closed.is_empty()
    }
}

/// What one port did.
#[derive(Debug)]
pub enum PortAnswer {
    /// It accepted, and this is what it said.
    Open(OpenPort),
    /// It refused the connection (TCP RST): nothing listens there.
    Closed(u16),
    /// No answer within the window: proves nothing.
    Silent(u16),
}

/// Probes `ports` of `ip` in parallel (at most [`PortOptions::per_host_concurrency`] at a time),
/// each port once, and sorts them into open, closed and silent.
///
/// With the concurrency at least the number of ports, the whole call takes at most one probe's
/// bound (see [`probe_port`]).
pub async fn probe_host(ip: Ipv4Addr, ports: &[RiskyPort], opts: &PortOptions) -> PortScan {
    let mut unique: Vec<RiskyPort> = ports.to_vec();
    unique.sort_by_key(|p| p.port);
    unique.dedup_by_key(|p| p.port);
    let answers: Vec<PortAnswer> = futures::stream::iter(unique)
        .map(|p| probe(SocketAddrV4::new(ip, p.port), p.kind, p.service, opts))
        .buffer_unordered(opts.per_host_concurrency.max(1))
        .collect()
        .await;
    let mut scan = PortScan::default();
    for answer in answers {
        match answer {
            PortAnswer::Open(p) => scan.open.push(p),
            PortAnswer::Closed(port) => scan.closed.push(port),
            PortAnswer::Silent(port) => scan.silent.push(port),
        }
    }
    scan.open.sort_by_key(|p| p.port);
    scan.closed.sort_unstable();
    scan.silent.sort_unstable();
    scan
}

/// Probes one port with the probe `kind`: `None` when the connection is refused (closed) or
/// neither accepted nor refused within the connect timeout (silent), else the open port with its
/// banner.
///
/// The service name is the one [`RISKY_PORTS`] gives the port when it lists it with the same kind,
/// else [`ProbeKind::default_service`]. The call takes at most the connect timeout plus the banner
/// timeout; a TLS port that answers in plain HTTP gets one more connect and banner read for the
/// HTTP summary.
pub async fn probe_port(
    addr: SocketAddrV4,
    kind: ProbeKind,
    opts: &PortOptions,
) -> Option<OpenPort> {
    match probe_port_answer(addr, kind, opts).await {
        PortAnswer::Open(p) => Some(p),
        PortAnswer::Closed(_) | PortAnswer::Silent(_) => None,
    }
}

/// [`probe_port`], telling a port that refused from one that stayed silent.
pub async fn probe_port_answer(
    addr: SocketAddrV4,
    kind: ProbeKind,
    opts: &PortOptions,
) -> PortAnswer {
    let service = RiskyPort::lookup(addr.port())
        .filter(|p| p.kind == kind)
        .map_or_else(|| kind.default_service(), |p| p.service);
    probe(addr, kind, service, opts).await
}

/// Connects (retransmitting, see [`reach`]), then runs the banner exchange of `kind` under one
/// deadline.
async fn probe(
    addr: SocketAddrV4,
    kind: ProbeKind,
    service: &str,
    opts: &PortOptions,
) -> PortAnswer {
    let mut stream = match reach(addr, opts.connect_timeout, CONNECT_TRIES).await {
        Reach::Open(stream) => stream,
        Reach::Refused => return PortAnswer::Closed(addr.port()),
        Reach::Silent => return PortAnswer::Silent(addr.port()),
    };
    let deadline = Instant::now() + opts.banner_timeout;
    // Every read and write below stops at the deadline and keeps what it has; this backstop, a
    // little later, only guards against a step that does not.
    let found = timeout_at(
        deadline + BACKSTOP_GRACE,
        exchange(&mut stream, addr, kind, deadline, opts.max_banner_bytes),
    )
    .await
    .unwrap_or_default();
    drop(stream);
    let (banner, tls) = match found {
        Found::Tls(banner) => (banner, true),
        Found::Plain(banner) => (banner, false),
        Found::LooksLikeHttp(first_line) => {
            (http_get_banner(addr, opts).await.or(first_line), false)
        }
    };
    PortAnswer::Open(OpenPort {
        port: addr.port(),
        service: service.to_string(),
        banner: banner.filter(|b| !b.is_empty()),
        tls,
    })
}

/// How long after the banner deadline the backstop cuts an exchange off.
const BACKSTOP_GRACE: Duration = Duration::from_millis(50);

/// What the banner exchange found out.
#[derive(Debug)]
pub(crate) enum Found {
    /// The port spoke TLS; the banner summarises the reply.
    Tls(Option<String>),
    /// No TLS; the cleaned banner, if any.
    Plain(Option<String>),
    /// A TLS port answered in HTTP: worth a proper `GET`. Holds the cleaned first line.
    LooksLikeHttp(Option<String>),
}

impl Default for Found {
    fn default() -> Self {
        Found::Plain(None)
    }
}

async fn exchange(
    stream: &mut TcpStream,
    addr: SocketAddrV4,
    kind: ProbeKind,
    deadline: Instant,
    max: usize,
) -> Found {
    match kind {
        ProbeKind::Http => Found::Plain(http_banner(stream, addr, deadline, max).await),
        ProbeKind::Tls => tls_probe(stream, deadline, max).await,
        ProbeKind::Telnet => Found::Plain(telnet_banner(stream, deadline, max).await),
        ProbeKind::Ssh => {
            let buf = read_bounded(stream, deadline, max, has_ssh_ident).await;
            Found::Plain(greeting(&buf, kind))
        }
        ProbeKind::Ftp | ProbeKind::Passive => {
            let buf = read_bounded(stream, deadline, max, |b| b.contains(&b'\n')).await;
            Found::Plain(greeting(&buf, kind))
        }
        ProbeKind::Rtsp => Found::Plain(rtsp_banner(stream, addr, deadline, max).await),
        ProbeKind::Mqtt => Found::Plain(mqtt_banner(stream, deadline, max).await),
    }
}

/// Reads until `done` says so, the peer closes, `max` bytes have come, an error, or the deadline.
/// Returns what came (possibly nothing).
pub(crate) async fn read_bounded<F>(
    stream: &mut TcpStream,
    deadline: Instant,
    max: usize,
    done: F,
) -> Vec<u8>
where
    F: Fn(&[u8]) -> bool,
{
    let mut buf = Vec::with_capacity(max.min(1024));
    let mut chunk = [0u8; 1024];
    while buf.len() < max {
        let want = chunk.len().min(max - buf.len());
        match timeout_at(deadline, stream.read(&mut chunk[..want])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                buf.extend_from_slice(&chunk[..n]);
                if done(&buf) {
                    break;
                }
            }
        }
    }
    buf
}

/// Writes all of `bytes` before the deadline; false when that failed.
pub(crate) async fn write_bounded(stream: &mut TcpStream, deadline: Instant, bytes: &[u8]) -> bool {
    matches!(
        timeout_at(deadline, stream.write_all(bytes)).await,
        Ok(Ok(()))
    )
}

/// Cleans bytes into a banner, `None` when nothing printable is left.
fn clean_banner(bytes: &[u8]) -> Option<String> {
    Some(sanitize::clean_bytes(bytes, BANNER_CHARS)).filter(|s| !s.is_empty())
}

/// The first line of `bytes` (without the line end).
fn first_line(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// True once a whole `SSH-...` identification line has come (other lines may precede it).
fn has_ssh_ident(buf: &[u8]) -> bool {
    let mut start = 0;
    while let Some(end) = buf[start..].iter().position(|&b| b == b'\n') {
        if buf[start..].starts_with(b"SSH-") {
            return true;
        }
        start += end + 1;
    }
    false
}

/// The greeting line of SSH or FTP (or whatever a passive port said first).
pub(crate) fn greeting(buf: &[u8], kind: ProbeKind) -> Option<String> {
    if kind == ProbeKind::Ssh {
        // RFC 4253 allows other lines before the identification string.
        if let Some(line) = buf
            .split(|&b| b == b'\n')
            .find(|line| line.starts_with(b"SSH-"))
        {
            return clean_banner(line);
        }
    }
    clean_banner(first_line(buf))
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// The `Host` header value for `addr`: the bare address on port 80, else with the port.
fn host_header(addr: SocketAddrV4) -> String {
    if addr.port() == 80 {
        addr.ip().to_string()
    } else {
        addr.to_string()
    }
}

/// `GET /` on the open connection, read with [`http::read_response`] and summarised by
/// [`summarise_http`].
async fn http_banner(
    stream: &mut TcpStream,
    addr: SocketAddrV4,
    deadline: Instant,
    max: usize,
) -> Option<String> {
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nUser-Agent: porchlight\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        host_header(addr)
    );
    if !write_bounded(stream, deadline, request.as_bytes()).await {
        return None;
    }
    let response = timeout_at(deadline, http::read_response(&mut *stream, max))
        .await
        .ok()?
        .ok()?;
    Some(summarise_http(&response))
}

/// `GET /` on a new connection with [`http::get`], for a TLS port that answered in plain HTTP;
/// bounded by the connect timeout plus the banner timeout.
async fn http_get_banner(addr: SocketAddrV4, opts: &PortOptions) -> Option<String> {
    let limits = http::Limits {
        timeout: opts.connect_timeout + opts.banner_timeout,
        max_bytes: opts.max_banner_bytes,
    };
    let response = http::get(addr, &host_header(addr), "/", limits)
        .await
        .ok()?;
    Some(summarise_http(&response))
}

/// `HTTP 200 OK · Server: nginx · <title>Login</title>`, with `Location:` on a redirect.
fn summarise_http(response: &http::Response) -> String {
    let mut parts = vec![format!("HTTP {} {}", response.status, response.reason)];
    if let Some(server) = response.header("server") {
        parts.push(format!("Server: {server}"));
    }
    if (300..400).contains(&response.status)
        && let Some(location) = response.header("location")
    {
        parts.push(format!("Location: {location}"));
    }
    if let Some(title) = response.title() {
        parts.push(format!("<title>{title}</title>"));
    }
    // The parts are cleaned by the HTTP client already; this caps the whole.
    sanitize::clean(&parts.join(" · "), BANNER_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_each_port_once_with_a_name() {
        let mut ports: Vec<u16> = RISKY_PORTS.iter().map(|p| p.port).collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), RISKY_PORTS.len());
        assert!(RISKY_PORTS.iter().all(|p| !p.service.is_empty()));
        assert_eq!(
            RiskyPort::lookup(23).map(|p| p.kind),
            Some(ProbeKind::Telnet)
        );
        // Nothing may ever be sent to a printer's raw port.
        assert_eq!(
            RiskyPort::lookup(9100).map(|p| p.kind),
            Some(ProbeKind::Passive)
        );
        assert_eq!(
            RiskyPort::lookup(5555).map(|p| p.kind),
            Some(ProbeKind::Passive)
        );
    }
}
