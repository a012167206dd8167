//! The ping sweep: which addresses of the scope have a host behind them.
//!
//! One ICMP client (surge-ping: the unprivileged ICMP socket where the system allows it, the raw
//! socket as root) and one pinger per address. Requests in flight are capped and paced, because an
//! unbounded burst overflows the socket buffer and loses replies. A host whose hardware address the
//! system knows but that did not answer the echo (a device asleep on Wi-Fi, or a lost frame) gets
//! one more echo at once, and the late look ([`echo_known`], after the neighbour stage) one after
//! the kernel's second ARP request and, on a link that lost echoes, one after its third and one a
//! second later; an address nobody holds does not, because its first echo still sits in the kernel's queue waiting for ARP, holding
//! socket buffer space (a second round to every silent address blocked the sweep for seconds).
//! Only an echo reply from the address pinged counts: ICMP errors are no sighting.
//!
//! When ICMP is not permitted, the sweep falls back to TCP connections on a few common ports: an
//! answer or a refusal both prove that a host is there. The owner is told which was used. On
//! Windows, where replies to an administrator's raw socket can be filtered, it also falls back when
//! not a single echo came back.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use surge_ping::{Client, Config, ICMP, IcmpPacket, PingIdentifier, PingSequence};
use tokio::sync::Semaphore;

use super::neighbours::State;
use super::ports::{CONNECT_TRIES, Reach};
use super::{EventSink, Sighting, Source, Stage};

/// Requests sent back to back before a pause.
pub const PACE_BURST: usize = 16;

/// How the sweep is paced and bounded.
#[derive(Debug, Clone)]
pub struct PingOptions {
    /// Requests in flight at once.
    pub in_flight: usize,
    /// Pause after each burst of [`PACE_BURST`] requests.
    pub pace: Duration,
    /// How long each echo waits for its reply.
    pub echo_timeout: Duration,
    /// Ports tried by the TCP fallback.
    pub tcp_ports: Vec<u16>,
    /// Connect timeout of the TCP fallback.
    pub tcp_timeout: Duration,
    /// Send from this address (the interface's), when set.
    pub bind: Option<Ipv4Addr>,
    /// The most addresses swept (bounds a mistaken scope).
    pub max_targets: usize,
}

impl Default for PingOptions {
    fn default() -> Self {
        Self {
            in_flight: 256,
            pace: Duration::from_millis(1),
            echo_timeout: Duration::from_millis(500),
            tcp_ports: vec![80, 443, 22, 62078, 8080],
            tcp_timeout: Duration::from_millis(500),
            bind: None,
            max_targets: 4096,
        }
    }
}

/// What the sweep found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// The addresses that answered.
    pub answered: Vec<Ipv4Addr>,
    /// Echoes (or their replies) were lost: a retry found hosts the first round missed. ARP
    /// requests were then lost too, so the late look waits for the kernel's last one.
    pub lossy: bool,
}

/// The ICMP client for the sweep's options.
fn icmp_client(opts: &PingOptions) -> std::io::Result<Client> {
    let mut config = Config::builder().kind(ICMP::V4);
    if let Some(bind) = opts.bind {
        config = config.bind(SocketAddr::V4(SocketAddrV4::new(bind, 0)));
    }
    Client::new(&config.build())
}

/// Sweeps `targets`, reporting each live host as a sighting, and returns the addresses that
/// answered. Falls back to TCP (and says so) when ICMP cannot be used.
pub async fn sweep_hosts(targets: &[Ipv4Addr], opts: &PingOptions, events: &EventSink) -> Swept {
    let targets = &targets[..targets.len().min(opts.max_targets)];
    let tcp = |answered| Swept {
        answered,
        lossy: false,
    };
    match icmp_client(opts) {
        Ok(client) => {
            let swept = icmp_sweep(client, targets, opts, events).await;
            let answered = &swept.answered;
            // Windows gives administrators a raw ICMP socket, but a firewall or security suite
            // may swallow the replies: no answer at all (not even the router) means ICMP did not
            // work, so find the hosts the other way.
            if cfg!(windows) && answered.is_empty() && !targets.is_empty() && !events.is_closed() {
                events.note(
                    Stage::Ping,
                    "no ICMP echo came back; finding hosts with TCP connections instead",
                );
                return tcp(tcp_sweep(targets, opts, events).await);
            }
            swept
        }
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::PermissionDenied {
                super::platform::ICMP_DENIED.to_string()
            } else {
                format!("ICMP is unavailable ({})", first_line(&e.to_string()))
            };
            events.note(
                Stage::Ping,
                format!("{why}; finding hosts with TCP connections instead, which is slower"),
            );
            tcp(tcp_sweep(targets, opts, events).await)
        }
    }
}

async fn icmp_sweep(
    client: Client,
    targets: &[Ipv4Addr],
    opts: &PingOptions,
    events: &EventSink,
) -> Swept {
    // One identifier for the whole sweep; addresses differ, so requests never collide.
    let ident = PingIdentifier(rand::random::<u16>());
    let total = targets.len();
    let answered = echo_round(&client, ident, targets, 0, opts, events, total).await;
    // A second echo only where it can help: hosts whose hardware address the system knows (they
    // answered its ARP request, now or before) but whose echo or reply was lost, or who dozed.
    // An address nobody holds gets no retry: its first echo is still queued in the kernel,
    // waiting for an ARP answer that will not come. Later echoes are the late look's
    // ([`echo_known`]), after the kernel's next ARP requests.
    let skip: HashSet<Ipv4Addr> = answered.iter().copied().collect();
    let left = known_silent(targets, &skip).await;
    let mut all = answered;
    let mut lossy = false;
    if !left.is_empty() && !events.is_closed() {
        let retried = echo_round(&client, ident, &left, 1, opts, events, left.len()).await;
        lossy = !retried.is_empty();
        all.extend(retried);
    }
    Swept {
        answered: all,
        lossy,
    }
}

/// The targets, besides `skip`, that the system has a hardware address for (read off the
/// runtime).
async fn known_silent(targets: &[Ipv4Addr], skip: &HashSet<Ipv4Addr>) -> Vec<Ipv4Addr> {
    super::neighbours::read_all_off_runtime()
        .await
        .map(|(v4, _)| v4)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.state != State::Permanent)
        .map(|n| n.ip)
        .filter(|ip| targets.contains(ip) && !skip.contains(ip))
        .collect()
}

/// One more echo (sequence `seq`) to each of `targets` the system now has a hardware address for
/// and that is not in `skip`: the late look's, after the kernel's next ARP request got its answer
/// (on Wi-Fi the first, or its answer, is lost now and then). Reports each answer as a sighting
/// and returns the addresses that answered; nothing when ICMP cannot be used.
pub async fn echo_known(
    targets: &[Ipv4Addr],
    skip: &HashSet<Ipv4Addr>,
    seq: u16,
    opts: &PingOptions,
    events: &EventSink,
) -> Vec<Ipv4Addr> {
    let left = known_silent(targets, skip).await;
    if left.is_empty() || events.is_closed() {
        return Vec::new();
    }
    let Ok(client) = icmp_client(opts) else {
        return Vec::new();
    };
    let ident = PingIdentifier(rand::random::<u16>());
    echo_round(&client, ident, &left, seq, opts, events, left.len()).await
}

/// When, after the scan began, the kernel has had the answer to its second ARP request (it sends
/// one a second, three at most): the late look's first moment.
pub const ARP_SECOND_TRY: Duration = Duration::from_millis(1150);

/// When the kernel has had the answer to its third and last ARP request: the late look's second
/// moment, on a link that lost frames.
pub const ARP_THIRD_TRY: Duration = Duration::from_millis(2150);

/// Sends one echo (sequence `seq`) to each address, with the in-flight cap and pacing, reporting
/// each answer as it comes; returns the addresses that answered.
async fn echo_round(
    client: &Client,
    ident: PingIdentifier,
    targets: &[Ipv4Addr],
    seq: u16,
    opts: &PingOptions,
    events: &EventSink,
    total: usize,
) -> Vec<Ipv4Addr> {
    let slots = Arc::new(Semaphore::new(opts.in_flight.max(1)));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = FuturesUnordered::new();
    let mut answered = Vec::new();
    let mut take = |joined: Result<(Ipv4Addr, Option<Duration>), tokio::task::JoinError>| {
        if let Ok((ip, answer)) = joined
            && report(ip, answer, Source::Icmp, events)
        {
            answered.push(ip);
        }
    };
    for (n, ip) in targets.iter().copied().enumerate() {
        if events.is_closed() {
            break;
        }
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let client = client.clone();
        let counter = done.clone();
        let timeout = opts.echo_timeout;
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let mut pinger = client.pinger(IpAddr::V4(ip), ident).await;
            pinger.timeout(timeout);
            let started = Instant::now();
            let answer = pinger
                .ping(PingSequence(seq), &[0u8; 16])
                .await
                .ok()
                .filter(|(packet, _)| is_echo_reply_from(packet, ip))
                .map(|_| started.elapsed());
            counter.fetch_add(1, Ordering::Relaxed);
            (ip, answer)
        }));
        // Pace in small bursts, so replies do not all land at once and overflow the socket.
        if n % PACE_BURST == PACE_BURST - 1 {
            events.progress(Stage::Ping, done.load(Ordering::Relaxed), total);
            tokio::time::sleep(opts.pace).await;
        }
        while let Some(Some(joined)) = futures::FutureExt::now_or_never(tasks.next()) {
            take(joined);
        }
    }
    while let Some(joined) = tasks.next().await {
        take(joined);
        events.progress(Stage::Ping, done.load(Ordering::Relaxed), total);
    }
    answered
}

/// The ICMPv4 type of an echo reply.
const ICMP_ECHO_REPLY: u8 = 0;

/// True only for an echo reply from `ip` itself. surge-ping also hands the pinger an ICMP error
/// that quotes its request (destination or host unreachable, time exceeded), and the one the
/// scanning computer's own kernel sends when nobody answers ARP for an empty address would
/// otherwise become a device that does not exist.
pub(crate) fn is_echo_reply_from(packet: &IcmpPacket, ip: Ipv4Addr) -> bool {
    match packet {
        IcmpPacket::V4(p) => p.get_icmp_type().0 == ICMP_ECHO_REPLY && p.get_source() == ip,
        IcmpPacket::V6(_) => false,
    }
}

/// Sends the sighting of a host that answered; true when it did.
fn report(ip: Ipv4Addr, answer: Option<Duration>, source: Source, events: &EventSink) -> bool {
    let Some(rtt) = answer else {
        return false;
    };
    let mut sighting = Sighting::new(source, ip);
    sighting.rtt = Some(rtt);
    events.sighting(sighting);
    true
}

async fn tcp_sweep(targets: &[Ipv4Addr], opts: &PingOptions, events: &EventSink) -> Vec<Ipv4Addr> {
    let slots = Arc::new(Semaphore::new(opts.in_flight.max(1)));
    let total = targets.len();
    let mut tasks = FuturesUnordered::new();
    for ip in targets.iter().copied() {
        if events.is_closed() {
            break;
        }
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let ports = opts.tcp_ports.clone();
        let timeout = opts.tcp_timeout;
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            (ip, tcp_alive(ip, &ports, timeout).await)
        }));
        tokio::time::sleep(opts.pace).await;
    }
    let (mut done, mut found) = (0, Vec::new());
    while let Some(joined) = tasks.next().await {
        done += 1;
        if let Ok((ip, answer)) = joined
            && report(ip, answer, Source::Tcp, events)
        {
            found.push(ip);
        }
        if done % 16 == 0 || done == total {
            events.progress(Stage::Ping, done, total);
        }
    }
    found
}

/// True (with the time it took) when any port accepts or refuses a connection within `timeout`
/// (each connect retransmitted inside it).
pub async fn tcp_alive(ip: Ipv4Addr, ports: &[u16], timeout: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut attempts: FuturesUnordered<_> = ports
        .iter()
        .map(|port| super::ports::reach(SocketAddrV4::new(ip, *port), timeout, CONNECT_TRIES))
        .collect();
    while let Some(result) = attempts.next().await {
        match result {
            Reach::Open(_) | Reach::Refused => return Some(started.elapsed()),
            Reach::Silent => {}
        }
    }
    None
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[tokio::test]
    async fn tcp_fallback_finds_a_host_that_refuses_or_accepts() {
        // Loopback only: an open port and a closed one both prove the host is there.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().port();
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let ip = Ipv4Addr::LOCALHOST;
        assert!(
            tcp_alive(ip, &[open], Duration::from_millis(500))
                .await
                .is_some()
        );
        assert!(
            tcp_alive(ip, &[closed], Duration::from_millis(500))
                .await
                .is_some()
        );
    }

    #[tokio::test]
    async fn sweep_of_loopback_reports_live_hosts_once_each() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let events = EventSink::new(tx);
        let targets: Vec<Ipv4Addr> = (1..=20).map(|n| Ipv4Addr::new(127, 0, 0, n)).collect();
        let opts = PingOptions {
            tcp_ports: vec![1],
            ..PingOptions::default()
        };
        let found = sweep_hosts(&targets, &opts, &events).await.answered.len();
        drop(events);
        // Every 127/8 address answers, by ICMP (root or permitted) or by TCP refusal.
        assert_eq!(found, 20);
        let mut seen = Vec::new();
        while let Some(event) = rx.recv().await {
            if let super::super::DiscoveryEvent::Sighting(s) = event {
                assert!(matches!(s.source, Source::Icmp | Source::Tcp));
                seen.push(s.ip);
            }
        }
        seen.sort();
        assert_eq!(seen, targets);
    }
}
