//! More names for quiet devices: reverse DNS (PTR) through the system's resolver, which on most
//! home routers answers with the DHCP host names, and unicast NetBIOS (node status) and LLMNR
//! (reverse) name queries to the device itself. One datagram each, a bounded read, a short timeout;
//! every name is cleaned before it leaves this module.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;

use crate::sanitize::clean;

/// How the name queries are bounded.
#[derive(Debug, Clone)]
pub struct NameOptions {
    /// How long each query waits for its answer.
    pub timeout: Duration,
    /// The resolver asked for PTR records (`None`: the system's, [`system_resolver`]).
    pub resolver: Option<SocketAddr>,
    /// The NetBIOS name service port (137; tests use another).
    pub netbios_port: u16,
    /// The LLMNR port (5355; tests use another).
    pub llmnr_port: u16,
}

impl Default for NameOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(400),
            resolver: None,
            netbios_port: 137,
            llmnr_port: 5355,
        }
    }
}

/// The longest answer read.
const MAX_ANSWER: usize = 1500;
/// The most compression jumps followed in one DNS name.
const MAX_JUMPS: usize = 16;
/// The most answer records looked at.
const MAX_RECORDS: usize = 16;
/// The most NetBIOS names looked at in one node status answer.
const MAX_NETBIOS_NAMES: usize = 32;

/// Asks for the names of `ip` (PTR, NetBIOS, LLMNR at once); returns what answered, by source
/// ("dns", "netbios", "llmnr"). Ends within `opts.timeout` and a little.
pub async fn lookup(ip: Ipv4Addr, opts: &NameOptions) -> BTreeMap<String, String> {
    let resolver = opts.resolver.or_else(system_resolver);
    let dns = async {
        match resolver {
            Some(server) => ask(server, &ptr_query(ip, rand::random(), true), opts.timeout)
                .await
                .and_then(|a| parse_ptr(&a)),
            None => None,
        }
    };
    let llmnr = async {
        let server = SocketAddr::new(IpAddr::V4(ip), opts.llmnr_port);
        ask(server, &ptr_query(ip, rand::random(), false), opts.timeout)
            .await
            .and_then(|a| parse_ptr(&a))
    };
    let netbios = async {
        let server = SocketAddr::new(IpAddr::V4(ip), opts.netbios_port);
        ask(server, &nbstat_query(rand::random()), opts.timeout)
            .await
            .and_then(|a| parse_nbstat(&a))
    };
    let (dns, llmnr, netbios) = tokio::join!(dns, llmnr, netbios);
    let mut names = BTreeMap::new();
    for (source, name) in [("dns", dns), ("netbios", netbios), ("llmnr", llmnr)] {
        if let Some(name) = name.map(|n| clean(&n, 64)).filter(|n| !n.is_empty()) {
            names.insert(source.to_string(), name);
        }
    }
    names
}

/// How long the system's resolver, once read, is used before it is read again (a laptop moves
/// between networks; a scan asks for many names at once).
const RESOLVER_KEPT: Duration = Duration::from_secs(60);

/// The system's first IPv4 DNS server, on port 53: from /etc/resolv.conf on Linux and the BSDs,
/// from `scutil --dns` on macOS (its resolv.conf is not what the system uses; it is read only when
/// scutil gives nothing), from `ipconfig /all` on Windows. The tools run under a time and byte
/// bound; the answer is kept for a minute.
pub fn system_resolver() -> Option<SocketAddr> {
    static KEPT: std::sync::Mutex<Option<(std::time::Instant, Option<SocketAddr>)>> =
        std::sync::Mutex::new(None);
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((at, server)) = *kept
        && at.elapsed() < RESOLVER_KEPT
    {
        return server;
    }
    let server = read_system_resolver();
    *kept = Some((std::time::Instant::now(), server));
    server
}

fn read_system_resolver() -> Option<SocketAddr> {
    use crate::discovery::platform::command::{TOOL_MAX_BYTES, TOOL_TIMEOUT, run_bounded};
    if cfg!(windows) {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
        let ipconfig = std::path::PathBuf::from(root)
            .join("System32")
            .join("ipconfig.exe");
        let text = run_bounded(&ipconfig, &["/all"], TOOL_TIMEOUT, TOOL_MAX_BYTES).ok()?;
        return parse_ipconfig_all(&text);
    }
    if cfg!(target_os = "macos") {
        let scutil = std::path::Path::new("/usr/sbin/scutil");
        if let Some(server) = run_bounded(scutil, &["--dns"], TOOL_TIMEOUT, TOOL_MAX_BYTES)
            .ok()
            .and_then(|text| parse_scutil_dns(&text))
        {
            return Some(server);
        }
    }
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    parse_resolv_conf(&text)
}

/// The first IPv4 `nameserver` line of a resolv.conf.
pub fn parse_resolv_conf(text: &str) -> Option<SocketAddr> {
    text.lines().take(256).find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next()?.parse::<Ipv4Addr>().ok())
            .flatten()
            .map(|ip| SocketAddr::new(IpAddr::V4(ip), 53))
    })
}

/// The first IPv4 `nameserver[N] : ADDRESS` of macOS's `scutil --dns` (its first resolver is the
/// one used for names without a more specific domain).
pub fn parse_scutil_dns(text: &str) -> Option<SocketAddr> {
    text.lines().take(4096).find_map(|line| {
        let (label, value) = line.split_once(':')?;
        label
            .trim()
            .starts_with("nameserver[")
            .then(|| value.trim().parse::<Ipv4Addr>().ok())
            .flatten()
            .map(|ip| SocketAddr::new(IpAddr::V4(ip), 53))
    })
}

/// The first IPv4 DNS server of Windows' `ipconfig /all`, in any language. The tool translates
/// its labels (`DNS Servers`, `DNS-Server`, `Serveurs DNS`, `Servidores DNS`...), all of which hold
/// "DNS"; the servers are the value after ` : ` on that line and the lines under it that hold
/// only an address (an IPv6 server often comes first). Other labels holding "DNS" (the suffixes)
/// have names, not addresses, as values.
pub fn parse_ipconfig_all(text: &str) -> Option<SocketAddr> {
    let mut in_dns = false;
    for line in text.lines().take(4096) {
        let value = match line.split_once(" : ") {
            Some((label, value)) => {
                in_dns = label.to_ascii_uppercase().contains("DNS");
                value
            }
            // A line under a label, holding only its next value.
            None if in_dns && line.starts_with(char::is_whitespace) => line,
            None => {
                in_dns = false;
                continue;
            }
        };
        if !in_dns {
            continue;
        }
        // "192.168.1.1(Preferred)" is how some versions mark an address.
        let word = value.trim().split(['(', ' ']).next().unwrap_or_default();
        if let Ok(ip) = word.parse::<Ipv4Addr>() {
            return Some(SocketAddr::new(IpAddr::V4(ip), 53));
        }
    }
    None
}

/// Sends one datagram to `server` and reads one answer from it, within `timeout`.
async fn ask(server: SocketAddr, query: &[u8], timeout: Duration) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await.ok()?;
    socket.connect(server).await.ok()?;
    socket.send(query).await.ok()?;
    let mut buf = vec![0u8; MAX_ANSWER];
    let n = tokio::time::timeout(timeout, socket.recv(&mut buf))
        .await
        .ok()?
        .ok()?;
    buf.truncate(n);
    // The transaction id must match the question's.
    (buf.len() >= 12 && buf[..2] == query[..2]).then_some(buf)
}

/// A DNS (or LLMNR, without recursion) query for the PTR record of `ip`.
pub fn ptr_query(ip: Ipv4Addr, id: u16, recursion: bool) -> Vec<u8> {
    let mut q = Vec::with_capacity(48);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&(if recursion { 0x0100u16 } else { 0 }).to_be_bytes());
    q.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    let [a, b, c, d] = ip.octets();
    for label in [d.to_string(), c.to_string(), b.to_string(), a.to_string()]
        .iter()
        .map(String::as_str)
        .chain(["in-addr", "arpa"])
    {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&[0, 12, 0, 1]);
    q
}

/// The name in the first PTR answer of a DNS or LLMNR response.
pub fn parse_ptr(msg: &[u8]) -> Option<String> {
    let flags = u16::from_be_bytes([*msg.get(2)?, *msg.get(3)?]);
    if flags & 0x8000 == 0 || flags & 0x000f != 0 {
        return None; // not a response, or an error
    }
    let questions = u16::from_be_bytes([*msg.get(4)?, *msg.get(5)?]);
    let answers = u16::from_be_bytes([*msg.get(6)?, *msg.get(7)?]);
    let mut at = 12;
    for _ in 0..questions.min(4) {
        at = skip_name(msg, at)? + 4;
    }
    for _ in 0..usize::from(answers).min(MAX_RECORDS) {
        at = skip_name(msg, at)?;
        let kind = u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]);
        let len = usize::from(u16::from_be_bytes([*msg.get(at + 8)?, *msg.get(at + 9)?]));
        let data = at + 10;
        if kind == 12 {
            let name = read_name(msg, data)?;
            return Some(name.trim_end_matches('.').to_string());
        }
        at = data + len;
    }
    None
}

/// Where the name starting at `at` ends.
fn skip_name(msg: &[u8], mut at: usize) -> Option<usize> {
    for _ in 0..128 {
        let len = *msg.get(at)?;
        if len == 0 {
            return Some(at + 1);
        }
        if len & 0xc0 == 0xc0 {
            return Some(at + 2);
        }
        at += 1 + usize::from(len);
    }
    None
}

/// Reads the (possibly compressed) name at `at`.
fn read_name(msg: &[u8], mut at: usize) -> Option<String> {
    let mut labels: Vec<String> = Vec::new();
    let mut jumps = 0;
    let mut total = 0;
    loop {
        let len = *msg.get(at)?;
        if len == 0 {
            break;
        }
        if len & 0xc0 == 0xc0 {
            jumps += 1;
            if jumps > MAX_JUMPS {
                return None;
            }
            at = usize::from(u16::from_be_bytes([len, *msg.get(at + 1)?]) & 0x3fff);
            continue;
        }
        let label = msg.get(at + 1..at + 1 + usize::from(len))?;
        total += label.len() + 1;
        if total > 255 {
            return None;
        }
        labels.push(String::from_utf8_lossy(label).into_owned());
        at += 1 + usize::from(len);
    }
    Some(labels.join("."))
}

/// A NetBIOS node status (NBSTAT) query for the wildcard name.
pub fn nbstat_query(id: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(50);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    q.push(32);
    // "*" and fifteen NULs, in NetBIOS first-level encoding.
    q.extend_from_slice(b"CK");
    q.extend_from_slice(&[b'A'; 30]);
    q.push(0);
    q.extend_from_slice(&[0, 0x21, 0, 1]);
    q
}

/// The computer name in a node status answer: the first unique name of type 0x00.
pub fn parse_nbstat(msg: &[u8]) -> Option<String> {
    let flags = u16::from_be_bytes([*msg.get(2)?, *msg.get(3)?]);
    if flags & 0x8000 == 0 || flags & 0x000f != 0 {
        return None;
    }
    let mut at = skip_name(msg, 12)?;
    let kind = u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]);
    if kind != 0x21 {
        return None;
    }
    at += 10;
    let count = usize::from(*msg.get(at)?);
    at += 1;
    for _ in 0..count.min(MAX_NETBIOS_NAMES) {
        let entry = msg.get(at..at + 18)?;
        let (name, suffix, flags) = (&entry[..15], entry[15], entry[16]);
        if suffix == 0 && flags & 0x80 == 0 {
            let name = String::from_utf8_lossy(name).trim_end().to_string();
            return (!name.is_empty()).then_some(name);
        }
        at += 18;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
pub(crate) mod tests {
    use super::*;

    /// A DNS answer to `query` with one PTR record naming `name` (compressed against the question).
    pub(crate) fn ptr_answer(query: &[u8], name: &str) -> Vec<u8> {
        let mut a = query.to_vec();
        a[2] = 0x81;
        a[3] = 0x80;
        a[7] = 1;
        a.extend_from_slice(&[0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 60]);
        let mut rdata = Vec::new();
        for label in name.split('.') {
            rdata.push(label.len() as u8);
            rdata.extend_from_slice(label.as_bytes());
        }
        rdata.push(0);
        a.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        a.extend_from_slice(&rdata);
        a
    }

    pub(crate) fn nbstat_answer(id: u16, names: &[(&str, u8, u8)]) -> Vec<u8> {
        let mut a = nbstat_query(id);
        a[2] = 0x84;
        a[5] = 0;
        a[7] = 1;
        a.extend_from_slice(&[0, 0, 0, 0]);
        let mut rdata = vec![names.len() as u8];
        for (name, suffix, flags) in names {
            let mut padded = format!("{name:<15}").into_bytes();
            padded.truncate(15);
            rdata.extend_from_slice(&padded);
            rdata.extend_from_slice(&[*suffix, *flags, 0]);
        }
        a.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        a.extend_from_slice(&rdata);
        a
    }

    #[test]
    fn ptr_queries_and_answers_round_trip() {
        let q = ptr_query(Ipv4Addr::new(192, 168, 1, 23), 0x1234, true);
        assert!(q.windows(9).any(|w| w == b"\x0223\x011\x03168"));
        let a = ptr_answer(&q, "kitchen-speaker.lan");
        assert_eq!(parse_ptr(&a).as_deref(), Some("kitchen-speaker.lan"));
        // A question is not an answer; an error answer has no name.
        assert_eq!(parse_ptr(&q), None);
        let mut refused = a.clone();
        refused[3] = 0x83;
        assert_eq!(parse_ptr(&refused), None);
    }

    #[test]
    fn hostile_answers_stay_bounded() {
        let q = ptr_query(Ipv4Addr::new(10, 0, 0, 1), 1, false);
        let mut a = ptr_answer(&q, "x");
        // A pointer loop instead of the name.
        let at = a.len() - 3;
        a[at] = 0xc0;
        a[at + 1] = u8::try_from(at).unwrap();
        assert_eq!(parse_ptr(&a), None);
        for cut in 0..a.len() {
            let _ = parse_ptr(&a[..cut]);
            let _ = parse_nbstat(&a[..cut]);
        }
    }

    #[test]
    fn netbios_gives_the_unique_computer_name() {
        let a = nbstat_answer(
            7,
            &[
                ("WORKGROUP", 0, 0x80),
                ("LIVINGROOM-PC", 0, 0),
                ("LIVINGROOM-PC", 0x20, 0),
            ],
        );
        assert_eq!(parse_nbstat(&a).as_deref(), Some("LIVINGROOM-PC"));
        assert_eq!(
            parse_nbstat(&nbstat_answer(7, &[("WORKGROUP", 0, 0x80)])),
            None
        );
    }

    #[test]
    fn the_resolver_comes_from_resolv_conf() {
        let conf = "# comment\nsearch lan\nnameserver fe80::1\nnameserver 192.168.1.1\n";
        assert_eq!(
            parse_resolv_conf(conf),
            Some("192.168.1.1:53".parse().unwrap())
        );
        assert_eq!(parse_resolv_conf("search lan\n"), None);
    }

    #[test]
    fn the_resolver_comes_from_scutil_on_macos() {
        let text = "DNS configuration\n\nresolver #1\n  search domain[0] : lan\n  \
            nameserver[0] : fd00::1\n  nameserver[1] : 192.168.1.1\n  if_index : 6 (en0)\n  \
            flags    : Request A records\n  reach    : 0x00020002 (Reachable,Directly Reachable Address)\n\n\
            resolver #2\n  domain   : local\n  options  : mdns\n";
        assert_eq!(
            parse_scutil_dns(text),
            Some("192.168.1.1:53".parse().unwrap())
        );
        assert_eq!(
            parse_scutil_dns("DNS configuration\n\nresolver #1\n  domain : local\n"),
            None
        );
    }

    #[test]
    fn the_resolver_comes_from_ipconfig_in_any_language() {
        let english = "\r\nWindows IP Configuration\r\n\r\n   Host Name . . . . . . . . . . . . : DESK\r\n   \
            Primary Dns Suffix  . . . . . . . : \r\n   DNS Suffix Search List. . . . . . : lan\r\n\r\n\
            Ethernet adapter Ethernet:\r\n\r\n   Connection-specific DNS Suffix  . : lan\r\n   \
            IPv4 Address. . . . . . . . . . . : 192.168.1.23(Preferred) \r\n   \
            Default Gateway . . . . . . . . . : 192.168.1.254\r\n   \
            DHCP Server . . . . . . . . . . . : 192.168.1.254\r\n   \
            DNS Servers . . . . . . . . . . . : fd00::1\r\n                                       192.168.1.1\r\n   \
            NetBIOS over Tcpip. . . . . . . . : Enabled\r\n";
        assert_eq!(
            parse_ipconfig_all(english),
            Some("192.168.1.1:53".parse().unwrap()),
            "the IPv4 server under the IPv6 one, not the gateway or DHCP server"
        );
        let german = "   Standardgateway . . . . . . . . . : 10.0.0.138\r\n   \
            DHCP-Server . . . . . . . . . . . : 10.0.0.138\r\n   \
            DNS-Server  . . . . . . . . . . . : 10.0.0.53\r\n   \
            NetBIOS über TCP/IP . . . . . . . : Aktiviert\r\n";
        assert_eq!(
            parse_ipconfig_all(german),
            Some("10.0.0.53:53".parse().unwrap())
        );
        let french = "   Serveurs DNS. . .  . . . . . . . . . . : 172.16.0.1\r\n";
        assert_eq!(
            parse_ipconfig_all(french),
            Some("172.16.0.1:53".parse().unwrap())
        );
        let none = "   Default Gateway . . . . . . . . . : 192.168.1.254\r\n   \
            Connection-specific DNS Suffix  . : lan\r\n   \
            Media State . . . . . . . . . . . : Media disconnected\r\n";
        assert_eq!(parse_ipconfig_all(none), None);
    }

    #[tokio::test]
    async fn lookup_asks_each_source_once_and_keeps_what_answered() {
        // A resolver and a NetBIOS responder on loopback; LLMNR stays silent.
        let resolver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let netbios = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let opts = NameOptions {
            timeout: Duration::from_millis(300),
            resolver: Some(resolver.local_addr().unwrap()),
            netbios_port: netbios.local_addr().unwrap().port(),
            llmnr_port: silent.local_addr().unwrap().port(),
        };
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let (n, from) = resolver.recv_from(&mut buf).await.unwrap();
            let answer = ptr_answer(&buf[..n], "nas.lan\u{1b}[31m");
            resolver.send_to(&answer, from).await.unwrap();
        });
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let (n, from) = netbios.recv_from(&mut buf).await.unwrap();
            let id = u16::from_be_bytes([buf[0], buf[1]]);
            assert_eq!(n, nbstat_query(id).len());
            netbios
                .send_to(&nbstat_answer(id, &[("DISKSTATION", 0, 0)]), from)
                .await
                .unwrap();
        });
        let started = std::time::Instant::now();
        let names = lookup(Ipv4Addr::LOCALHOST, &opts).await;
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(names.get("dns").map(String::as_str), Some("nas.lan"));
        assert_eq!(
            names.get("netbios").map(String::as_str),
            Some("DISKSTATION")
        );
        assert_eq!(names.get("llmnr"), None);
        drop(silent);
    }
}
