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
//! sockets, so no privileges are needed. A refused connection means closed and a connect timeout
//! means filtered; neither is reported.
//!
//! The probes say as little as they can: nothing is ever sent to the printer ports (9100 prints
//! whatever it receives) or to ADB (a connect request can pop up a dialog on the TV), and the MQTT
//! probe connects without credentials and disconnects politely.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use super::http;
use crate::model::OpenPort;
use crate::sanitize;

/// The longest banner kept, in characters (after cleaning).
pub const BANNER_CHARS: usize = 160;

/// How a port is probed once it accepts a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// `GET /` and a summary of the status line, the `Server` header and the page title.
    Http,
    /// A TLS 1.2 ClientHello; a handshake or alert record in reply means TLS. A plain HTTP answer
    /// is summarised like [`ProbeKind::Http`] instead.
    Tls,
    /// Reads what the server says first, with telnet option negotiation stripped (and refused).
    Telnet,
    /// Reads the `SSH-2.0-...` identification line.
    Ssh,
    /// Reads the `220 ...` greeting line.
    Ftp,
    /// `OPTIONS` and a summary of the status line and the `Server` and `Public` headers.
    Rtsp,
    /// An MQTT 3.1.1 CONNECT without credentials; the CONNACK code says whether a login is needed.
    Mqtt,
    /// Sends nothing; keeps whatever the server says first within the banner timeout.
    Passive,
}

impl ProbeKind {
    /// The service name used for a port that is not in [`RISKY_PORTS`] with this kind.
    pub fn default_service(self) -> &'static str {
        match self {
            ProbeKind::Http => "http",
            ProbeKind::Tls => "tls",
            ProbeKind::Telnet => "telnet",
            ProbeKind::Ssh => "ssh",
            ProbeKind::Ftp => "ftp",
            ProbeKind::Rtsp => "rtsp",
            ProbeKind::Mqtt => "mqtt",
            ProbeKind::Passive => "unknown",
        }
    }
}

/// A TCP port worth probing: its number, the service that usually runs there, and how to probe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RiskyPort {
    /// Port number.
    pub port: u16,
    /// What usually runs there (`telnet`, `http`, `rtsp`), as kept in [`OpenPort::service`].
    pub service: &'static str,
    /// How to read its banner.
    pub kind: ProbeKind,
}

impl RiskyPort {
    const fn new(port: u16, service: &'static str, kind: ProbeKind) -> Self {
        Self {
            port,
            service,
            kind,
        }
    }

    /// The entry of [`RISKY_PORTS`] for `port`, if it is one.
    pub fn lookup(port: u16) -> Option<&'static RiskyPort> {
        RISKY_PORTS.iter().find(|p| p.port == port)
    }
}

/// The risky TCP ports of the hardening facts (section 3), with their probes.
pub const RISKY_PORTS: &[RiskyPort] = &[
    RiskyPort::new(21, "ftp", ProbeKind::Ftp),
    RiskyPort::new(22, "ssh", ProbeKind::Ssh),
    RiskyPort::new(23, "telnet", ProbeKind::Telnet),
    RiskyPort::new(2323, "telnet", ProbeKind::Telnet),
    RiskyPort::new(80, "http", ProbeKind::Http),
    RiskyPort::new(8080, "http", ProbeKind::Http),
    // Also the Hikvision SDK port, which does not speak HTTP; the probe then reads no banner.
    RiskyPort::new(8000, "http", ProbeKind::Http),
    RiskyPort::new(8081, "http", ProbeKind::Http),
    RiskyPort::new(443, "https", ProbeKind::Tls),
    // Also Google Cast.
    RiskyPort::new(8443, "https", ProbeKind::Tls),
    RiskyPort::new(554, "rtsp", ProbeKind::Rtsp),
    RiskyPort::new(8554, "rtsp", ProbeKind::Rtsp),
    RiskyPort::new(1883, "mqtt", ProbeKind::Mqtt),
    RiskyPort::new(8883, "mqtt-tls", ProbeKind::Tls),
    RiskyPort::new(139, "smb", ProbeKind::Passive),
    RiskyPort::new(445, "smb", ProbeKind::Passive),
    // Passive on purpose: an ADB connect request can make the TV ask its owner to allow debugging.
    RiskyPort::new(5555, "adb", ProbeKind::Passive),
    RiskyPort::new(8008, "cast", ProbeKind::Http),
    RiskyPort::new(8009, "cast", ProbeKind::Tls),
    // Passive on purpose: a printer prints whatever arrives on 9100 (and usually on 515).
    RiskyPort::new(9100, "jetdirect", ProbeKind::Passive),
    RiskyPort::new(515, "lpd", ProbeKind::Passive),
    RiskyPort::new(631, "ipp", ProbeKind::Http),
    RiskyPort::new(7547, "tr-069", ProbeKind::Http),
    // Also the Synology admin page and macOS AirPlay.
    RiskyPort::new(5000, "upnp", ProbeKind::Http),
    RiskyPort::new(2869, "upnp", ProbeKind::Http),
    RiskyPort::new(49152, "upnp", ProbeKind::Http),
    RiskyPort::new(49153, "upnp", ProbeKind::Http),
    RiskyPort::new(49154, "upnp", ProbeKind::Http),
    RiskyPort::new(52869, "upnp", ProbeKind::Http),
    RiskyPort::new(3389, "rdp", ProbeKind::Passive),
    RiskyPort::new(5900, "vnc", ProbeKind::Passive),
    RiskyPort::new(37777, "dahua", ProbeKind::Passive),
    RiskyPort::new(9999, "kasa", ProbeKind::Passive),
    // The Synology admin page over HTTPS.
    RiskyPort::new(5001, "https", ProbeKind::Tls),
];

/// Limits of the port probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOptions {
    /// How long a connect may take before the port counts as filtered.
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
            connect_timeout: Duration::from_millis(300),
            banner_timeout: Duration::from_millis(400),
            max_banner_bytes: 4096,
            per_host_concurrency: RISKY_PORTS.len(),
        }
    }
}

/// Probes `ports` of `ip` in parallel (at most [`PortOptions::per_host_concurrency`] at a time) and
/// returns the open ones, sorted by port number, each port once.
///
/// With the concurrency at least the number of ports, the whole call takes at most one probe's
/// bound (see [`probe_port`]).
pub async fn probe_host(ip: Ipv4Addr, ports: &[RiskyPort], opts: &PortOptions) -> Vec<OpenPort> {
    let mut unique: Vec<RiskyPort> = ports.to_vec();
    unique.sort_by_key(|p| p.port);
    unique.dedup_by_key(|p| p.port);
    let mut open: Vec<OpenPort> = futures::stream::iter(unique)
        .map(|p| probe(SocketAddrV4::new(ip, p.port), p.kind, p.service, opts))
        .buffer_unordered(opts.per_host_concurrency.max(1))
        .filter_map(|found| async move { found })
        .collect()
        .await;
    open.sort_by_key(|p| p.port);
    open
}

/// Probes one port with the probe `kind`: `None` when the connection is refused (closed) or does
/// not complete within the connect timeout (filtered), else the open port with its banner.
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
    let service = RiskyPort::lookup(addr.port())
        .filter(|p| p.kind == kind)
        .map_or_else(|| kind.default_service(), |p| p.service);
    probe(addr, kind, service, opts).await
}

/// Connects, then runs the banner exchange of `kind` under one deadline.
async fn probe(
    addr: SocketAddrV4,
    kind: ProbeKind,
    service: &str,
    opts: &PortOptions,
) -> Option<OpenPort> {
    let mut stream = connect(addr, opts).await?;
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
    Some(OpenPort {
        port: addr.port(),
        service: service.to_string(),
        banner: banner.filter(|b| !b.is_empty()),
        tls,
    })
}

/// A TCP connect under the connect timeout; `None` for refused, unreachable or timed out.
async fn connect(addr: SocketAddrV4, opts: &PortOptions) -> Option<TcpStream> {
    match timeout(opts.connect_timeout, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Some(stream)
        }
        Ok(Err(_)) | Err(_) => None,
    }
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

// ---------------------------------------------------------------------------------------------
// TLS

/// Cipher suites offered: the common ECDHE AEAD and CBC suites, RSA key exchange for old firmware,
/// and the renegotiation SCSV.
const CIPHER_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035, 0x000a, 0x00ff,
];

/// Named groups offered: x25519, secp256r1, secp384r1.
const GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018];

/// Signature algorithms offered: ECDSA, RSA-PSS and RSA PKCS#1 with SHA-256/384/512, then SHA-1.
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0203, 0x0201,
];

/// A minimal, valid TLS 1.2 ClientHello (no SNI: the probe only has an address, and SNI must not
/// carry an IP literal).
pub fn client_hello() -> Vec<u8> {
    fn u16s(out: &mut Vec<u8>, values: &[u16]) {
        for v in values {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    fn len16(n: usize) -> [u8; 2] {
        u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
    }
    fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&len16(body.len()));
        out.extend_from_slice(body);
    }

    let mut extensions = Vec::new();
    let mut groups = len16(GROUPS.len() * 2).to_vec();
    u16s(&mut groups, GROUPS);
    extension(&mut extensions, 0x000a, &groups);
    // ec_point_formats: uncompressed only.
    extension(&mut extensions, 0x000b, &[0x01, 0x00]);
    let mut algorithms = len16(SIGNATURE_ALGORITHMS.len() * 2).to_vec();
    u16s(&mut algorithms, SIGNATURE_ALGORITHMS);
    extension(&mut extensions, 0x000d, &algorithms);

    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&client_random());
    body.push(0); // no session id
    body.extend_from_slice(&len16(CIPHER_SUITES.len() * 2));
    u16s(&mut body, CIPHER_SUITES);
    body.extend_from_slice(&[0x01, 0x00]); // compression: null only
    body.extend_from_slice(&len16(extensions.len()));
    body.extend_from_slice(&extensions);

    let body_len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    let mut handshake = vec![0x01, body_len[1], body_len[2], body_len[3]];
    handshake.extend_from_slice(&body);

    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&len16(handshake.len()));
    record.extend_from_slice(&handshake);
    record
}

/// 32 bytes that differ per hello. The probe never completes a handshake, so they need not be
/// secret, only not constant.
fn client_random() -> [u8; 32] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // SplitMix64 over the clock.
    let mut state = u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or(0);
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_be_bytes()[..chunk.len()]);
    }
    out
}

async fn tls_probe(stream: &mut TcpStream, deadline: Instant, max: usize) -> Found {
    if !write_bounded(stream, deadline, &client_hello()).await {
        return Found::Plain(None);
    }
    let buf = read_bounded(stream, deadline, max, |b| match b.first() {
        // Enough for the ServerHello version, or the alert's level and description.
        Some(0x16) => b.len() >= 11,
        Some(0x15) => b.len() >= 7,
        _ => b.contains(&b'\n'),
    })
    .await;
    classify_tls_reply(&buf)
}

/// Sorts the reply to a ClientHello into TLS, HTTP or anything else.
pub(crate) fn classify_tls_reply(buf: &[u8]) -> Found {
    let is_record = |b: &[u8]| b.get(1).is_none_or(|&major| major == 0x03);
    match buf.first() {
        Some(0x16) if is_record(buf) => Found::Tls(Some(describe_handshake(buf))),
        Some(0x15) if is_record(buf) => Found::Tls(Some(describe_alert(buf))),
        _ if buf.starts_with(b"HTTP/") => Found::LooksLikeHttp(clean_banner(first_line(buf))),
        _ => Found::Plain(clean_banner(first_line(buf))),
    }
}

fn tls_version(major: u8, minor: u8) -> String {
    match (major, minor) {
        (3, 0) => "SSL 3.0".into(),
        (3, 1) => "TLS 1.0".into(),
        (3, 2) => "TLS 1.1".into(),
        (3, 3) => "TLS 1.2".into(),
        (3, 4) => "TLS 1.3".into(),
        _ => format!("version {major}.{minor}"),
    }
}

fn describe_handshake(buf: &[u8]) -> String {
    // Record header (5), handshake type (1), length (3), then the ServerHello's version (2).
    match (buf.get(5), buf.get(9), buf.get(10)) {
        (Some(0x02), Some(&major), Some(&minor)) => {
            format!("TLS ServerHello ({})", tls_version(major, minor))
        }
        _ => "TLS handshake".into(),
    }
}

fn describe_alert(buf: &[u8]) -> String {
    let Some(&code) = buf.get(6) else {
        return "TLS alert".into();
    };
    let name = match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        112 => "unrecognized_name",
        _ => "alert",
    };
    format!("TLS alert {code} ({name})")
}

// ---------------------------------------------------------------------------------------------
// Telnet

const IAC: u8 = 0xff;
const SB: u8 = 0xfa;
const SE: u8 = 0xf0;
const WILL: u8 = 0xfb;
const WONT: u8 = 0xfc;
const DO: u8 = 0xfd;
const DONT: u8 = 0xfe;

/// A streaming telnet decoder: keeps the data bytes, drops option negotiation and
/// subnegotiation, and collects the refusals to send back (`DONT` for `WILL`, `WONT` for `DO`).
#[derive(Debug, Default)]
pub(crate) struct TelnetDecoder {
    state: TelnetState,
    /// The text received so far, negotiation removed.
    pub(crate) data: Vec<u8>,
    /// Refusals to send back, since they were last taken.
    pub(crate) replies: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum TelnetState {
    #[default]
    Data,
    Iac,
    Option(u8),
    Sub,
    SubIac,
}

impl TelnetDecoder {
    /// Decodes `bytes`: data into `data`, option refusals into `replies`.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (TelnetState::Data, IAC) => TelnetState::Iac,
                (TelnetState::Data, _) => {
                    self.data.push(b);
                    TelnetState::Data
                }
                // An escaped 0xff is data.
                (TelnetState::Iac, IAC) => {
                    self.data.push(IAC);
                    TelnetState::Data
                }
                (TelnetState::Iac, SB) => TelnetState::Sub,
                (TelnetState::Iac, WILL..=DONT) => TelnetState::Option(b),
                // Two-byte commands (NOP, GA, AYT...).
                (TelnetState::Iac, _) => TelnetState::Data,
                (TelnetState::Option(cmd), option) => {
                    match cmd {
                        WILL => self.replies.extend_from_slice(&[IAC, DONT, option]),
                        DO => self.replies.extend_from_slice(&[IAC, WONT, option]),
                        _ => {}
                    }
                    TelnetState::Data
                }
                (TelnetState::Sub, IAC) => TelnetState::SubIac,
                (TelnetState::Sub, _) => TelnetState::Sub,
                (TelnetState::SubIac, SE) => TelnetState::Data,
                (TelnetState::SubIac, _) => TelnetState::Sub,
            };
        }
    }
}

/// Strips telnet negotiation (`IAC` commands, options and subnegotiations) from `bytes`.
pub fn strip_telnet(bytes: &[u8]) -> Vec<u8> {
    let mut decoder = TelnetDecoder::default();
    decoder.feed(bytes);
    decoder.data
}

/// True when the text so far ends in something that waits for input (`login:`, `>`, `#`).
fn ends_with_prompt(data: &[u8]) -> bool {
    let trimmed = data.trim_ascii_end();
    matches!(
        trimmed.last(),
        Some(b':' | b'>' | b'#' | b'$' | b'%' | b'?')
    )
}

async fn telnet_banner(stream: &mut TcpStream, deadline: Instant, max: usize) -> Option<String> {
    let mut decoder = TelnetDecoder::default();
    let mut chunk = [0u8; 1024];
    let mut read = 0usize;
    while read < max {
        let want = chunk.len().min(max - read);
        let n = match timeout_at(deadline, stream.read(&mut chunk[..want])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        read += n;
        decoder.feed(&chunk[..n]);
        if !decoder.replies.is_empty() {
            let replies = std::mem::take(&mut decoder.replies);
            // Some servers wait for the answers before they show the prompt; a failed write
            // leaves what was read so far.
            if !write_bounded(stream, deadline, &replies).await {
                break;
            }
        }
        if ends_with_prompt(&decoder.data) {
            break;
        }
    }
    clean_banner(&decoder.data)
}

// ---------------------------------------------------------------------------------------------
// RTSP

/// End of the header block of an RTSP or HTTP message.
fn has_header_end(buf: &[u8]) -> bool {
    buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n")
}

async fn rtsp_banner(
    stream: &mut TcpStream,
    addr: SocketAddrV4,
    deadline: Instant,
    max: usize,
) -> Option<String> {
    let request =
        format!("OPTIONS rtsp://{addr}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: porchlight\r\n\r\n");
    if !write_bounded(stream, deadline, request.as_bytes()).await {
        return None;
    }
    let buf = read_bounded(stream, deadline, max, has_header_end).await;
    summarise_rtsp(&buf)
}

/// `RTSP/1.0 200 OK · Server: ... · Public: OPTIONS, DESCRIBE, ...`, or the cleaned first line
/// when the reply is not RTSP.
pub(crate) fn summarise_rtsp(buf: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(buf);
    let mut lines = text.lines();
    let status = lines.next()?;
    if !status.starts_with("RTSP/") {
        return clean_banner(first_line(buf));
    }
    let mut parts = vec![sanitize::clean(status, BANNER_CHARS)];
    let mut server = None;
    let mut public = None;
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("server") && server.is_none() {
                server = Some(value.trim());
            } else if name.eq_ignore_ascii_case("public") && public.is_none() {
                public = Some(value.trim());
            }
        }
    }
    if let Some(server) = server {
        parts.push(format!("Server: {}", sanitize::clean(server, BANNER_CHARS)));
    }
    if let Some(public) = public {
        parts.push(format!("Public: {}", sanitize::clean(public, BANNER_CHARS)));
    }
    clean_banner(parts.join(" · ").as_bytes())
}

// ---------------------------------------------------------------------------------------------
// MQTT

/// An MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, client id `porchlight`, no credentials.
pub const MQTT_CONNECT: &[u8] = &[
    0x10, 22, // CONNECT, remaining length
    0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name
    0x04, // protocol level 3.1.1
    0x02, // flags: clean session, no user name, no password
    0x00, 60, // keep-alive
    0x00, 10, b'p', b'o', b'r', b'c', b'h', b'l', b'i', b'g', b'h', b't', // client id
];

/// An MQTT DISCONNECT, sent after an accepted CONNECT so the broker logs a clean goodbye.
const MQTT_DISCONNECT: &[u8] = &[0xe0, 0x00];

async fn mqtt_banner(stream: &mut TcpStream, deadline: Instant, max: usize) -> Option<String> {
    if !write_bounded(stream, deadline, MQTT_CONNECT).await {
        return None;
    }
    let buf = read_bounded(stream, deadline, max.max(4), |b| {
        b.len() >= 4 || b.first().is_some_and(|&t| t != 0x20)
    })
    .await;
    match buf.as_slice() {
        [0x20, 0x02, _flags, code, ..] => {
            if *code == 0 {
                let _ = write_bounded(stream, deadline, MQTT_DISCONNECT).await;
            }
            Some(describe_connack(*code))
        }
        _ => clean_banner(first_line(&buf)),
    }
}

/// `CONNACK 0 (accepted without login)` and the other MQTT 3.1.1 return codes.
pub fn describe_connack(code: u8) -> String {
    let meaning = match code {
        0 => "accepted without login",
        1 => "unacceptable protocol version",
        2 => "identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorised",
        _ => "unknown return code",
    };
    format!("CONNACK {code} ({meaning})")
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

    #[test]
    fn the_client_hello_lengths_add_up() {
        let hello = client_hello();
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let hs_len =
            usize::from(hello[6]) << 16 | usize::from(hello[7]) << 8 | usize::from(hello[8]);
        assert_eq!(hs_len, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x03]);
        // Session id, then the cipher suites.
        assert_eq!(hello[43], 0);
        let suites = usize::from(u16::from_be_bytes([hello[44], hello[45]]));
        assert_eq!(suites, CIPHER_SUITES.len() * 2);
        let after_suites = 46 + suites;
        assert_eq!(&hello[after_suites..after_suites + 2], &[0x01, 0x00]);
        let ext_len = usize::from(u16::from_be_bytes([
            hello[after_suites + 2],
            hello[after_suites + 3],
        ]));
        assert_eq!(after_suites + 4 + ext_len, hello.len());
    }

    #[test]
    fn telnet_negotiation_is_stripped_and_refused() {
        let mut d = TelnetDecoder::default();
        let mut input = vec![IAC, DO, 1, IAC, WILL, 3, IAC, SB, 24, 1, IAC, SE];
        input.extend_from_slice(b"login");
        // A split sequence across reads.
        d.feed(&input);
        d.feed(&[IAC]);
        d.feed(&[DONT]);
        d.feed(&[31, b':', b' ', IAC, IAC, IAC, 0xf9]);
        assert_eq!(d.data, b"login: \xff");
        assert_eq!(d.replies, vec![IAC, WONT, 1, IAC, DONT, 3]);
        assert_eq!(strip_telnet(&[IAC, WILL, 1, b'o', b'k']), b"ok");
    }

    #[test]
    fn tls_replies_are_classified() {
        let hello = [
            0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x01,
        ];
        assert!(
            matches!(classify_tls_reply(&hello), Found::Tls(Some(b)) if b == "TLS ServerHello (TLS 1.0)")
        );
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
        assert!(
            matches!(classify_tls_reply(&alert), Found::Tls(Some(b)) if b.contains("protocol_version"))
        );
        assert!(matches!(
            classify_tls_reply(b"HTTP/1.1 400 Bad Request\r\n"),
            Found::LooksLikeHttp(Some(b)) if b == "HTTP/1.1 400 Bad Request"
        ));
        assert!(matches!(classify_tls_reply(b""), Found::Plain(None)));
        assert!(matches!(
            classify_tls_reply(b"\x16junk"),
            Found::Plain(Some(_))
        ));
    }

    #[test]
    fn rtsp_replies_are_summarised() {
        let reply = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Rtsp Server/3.0\r\nPublic: OPTIONS, DESCRIBE, PLAY\r\n\r\n";
        assert_eq!(
            summarise_rtsp(reply).as_deref(),
            Some("RTSP/1.0 200 OK · Server: Rtsp Server/3.0 · Public: OPTIONS, DESCRIBE, PLAY")
        );
        assert_eq!(summarise_rtsp(b"").as_deref(), None);
    }
}
