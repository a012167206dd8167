//! Which neighbour-table entries count as devices present now. An entry counts when the host
//! confirmed it during this scan (netlink's confirmation age), when the address answered the
//! sweep, or when a unicast TCP probe to it is accepted or refused now. Any other entry (STALE,
//! DELAY, a phone that went home yesterday) is left out and counted in a note: it never becomes a
//! device nor marks one online. Each device reported gets its IPv6 addresses (same hardware
//! address in the IPv6 neighbour table, filled by the all-nodes echo of [`super::ipv6`]).

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::neighbours::{self, Neighbour};
use super::ping::{ARP_SECOND_TRY, ARP_THIRD_TRY, PingOptions, echo_known, tcp_alive};
use super::{EventSink, Scope, Sighting, Source, Stage};

/// The most notes about devices with a global IPv6 address.
const MAX_GLOBAL_NOTES: usize = 16;

/// The most unconfirmed entries probed (the rest are left out unprobed).
pub const MAX_CANDIDATES: usize = 1024;

/// Reports the neighbour-table entries in scope that are present, each with its hardware address,
/// and marks the default gateway. `answered` holds the addresses that answered the sweep; `since`
/// is when the scan began. Returns the addresses it reported.
///
/// # Errors
/// When the table cannot be read, as one line.
pub async fn report_present(
    scope: &Scope,
    answered: &HashSet<Ipv4Addr>,
    since: Instant,
    opts: &PingOptions,
    sink: &EventSink,
) -> Result<HashSet<Ipv4Addr>, String> {
    report(scope, answered, since, Some(opts), &HashSet::new(), sink).await
}

/// How long after the kernel's last ARP request the late look looks once more on a lossy link:
/// a host must also learn this computer's hardware address to answer at all, and its own
/// requests (a second apart) are lost as often, so it can stay mute a second longer.
const ARP_LATE_ANSWER: std::time::Duration = std::time::Duration::from_secs(1);

/// The late look, for Wi-Fi: the kernel asks for a hardware address once a second, three times,
/// and on a lossy link its first request (or the answer) is lost now and then, so a host can
/// answer ARP only after the sweep and the first read of the table. A second after the scan
/// began, the hosts the system now has a hardware address for get one more echo, and entries
/// confirmed since count as present; on a link that lost frames (`lossy`, or this look found
/// someone) the same once more after the third request and a last time a second later.
/// `reported` holds what was reported already. Bounded: three looks, one echo each to known
/// addresses only.
pub async fn late_look(
    scope: &Scope,
    mut reported: HashSet<Ipv4Addr>,
    mut answered: HashSet<Ipv4Addr>,
    mut lossy: bool,
    since: Instant,
    opts: &PingOptions,
    sink: &EventSink,
) {
    let targets = scope.targets();
    for (seq, at) in [
        (2, ARP_SECOND_TRY),
        (3, ARP_THIRD_TRY),
        (4, ARP_THIRD_TRY + ARP_LATE_ANSWER),
    ] {
        if seq > 2 && !lossy {
            break;
        }
        tokio::time::sleep_until(since + at).await;
        if sink.is_closed() {
            break;
        }
        let skip: HashSet<Ipv4Addr> = reported.union(&answered).copied().collect();
        let echoed = echo_known(&targets, &skip, seq, opts, sink).await;
        lossy |= !echoed.is_empty();
        answered.extend(echoed);
        let found = report(scope, &answered, since, None, &reported, sink)
            .await
            .unwrap_or_default();
        lossy |= !found.is_empty();
        reported.extend(found);
    }
}

/// [`report_present`] leaving out the addresses in `skip`; entries nobody confirmed get a TCP
/// knock only with `knock` options (the late look gives none: they had theirs).
async fn report(
    scope: &Scope,
    answered: &HashSet<Ipv4Addr>,
    since: Instant,
    knock: Option<&PingOptions>,
    skip: &HashSet<Ipv4Addr>,
    sink: &EventSink,
) -> Result<HashSet<Ipv4Addr>, String> {
    let (table, table_v6) = neighbours::read_all_off_runtime().await?;
    let ipv6 = super::ipv6::by_mac(&table_v6);
    let mut global_notes = 0;
    let gateway = neighbours::default_gateway_off_runtime()
        .await
        .filter(|ip| scope.contains(*ip));
    let window = since.elapsed();
    let (present, candidates): (Vec<Neighbour>, Vec<Neighbour>) = table
        .into_iter()
        .filter(|n| scope.contains(n.ip) && !skip.contains(&n.ip))
        .partition(|n| n.confirmed_within(window) || answered.contains(&n.ip));
    let (confirmed, left_out) = match knock {
        Some(opts) => {
            let unconfirmed = candidates.len();
            let confirmed = confirm(candidates, opts, sink).await;
            let left_out = unconfirmed - confirmed.len();
            (confirmed, left_out)
        }
        None => (Vec::new(), 0),
    };
    let mut hosts = HashSet::new();
    for n in present.iter().chain(&confirmed) {
        let mut s = Sighting::new(Source::Arp, n.ip);
        s.mac = Some(n.mac);
        s.gateway = Some(n.ip) == gateway;
        s.ipv6 = ipv6.get(&n.mac).cloned().unwrap_or_default();
        if let Some(global) = s.ipv6.iter().find(|ip| super::ipv6::is_global(ip))
            && global_notes < MAX_GLOBAL_NOTES
        {
            global_notes += 1;
            sink.note(Stage::Neighbours, super::ipv6::global_note(n.ip, global));
        }
        sink.sighting(s);
        hosts.insert(n.ip);
    }
    if let Some(gw) = gateway
        && answered.contains(&gw)
        && !skip.contains(&gw)
        && !present.iter().chain(&confirmed).any(|n| n.ip == gw)
    {
        let mut s = Sighting::new(Source::Arp, gw);
        s.gateway = true;
        sink.sighting(s);
    }
    if left_out > 0 {
        sink.note(
            Stage::Neighbours,
            format!(
                "{left_out} neighbour-table {} did not answer in this scan (hosts that left); not counted",
                if left_out == 1 { "entry" } else { "entries" }
            ),
        );
    }
    Ok(hosts)
}

/// The candidates that accept or refuse a TCP connection now (unicast, bounded in count, time and
/// connections at once).
async fn confirm(
    candidates: Vec<Neighbour>,
    opts: &PingOptions,
    sink: &EventSink,
) -> Vec<Neighbour> {
    let slots = Arc::new(Semaphore::new(opts.in_flight.max(1)));
    let mut probes = FuturesUnordered::new();
    for n in candidates.into_iter().take(MAX_CANDIDATES) {
        if sink.is_closed() {
            break;
        }
        let slots = slots.clone();
        let (ports, timeout) = (opts.tcp_ports.clone(), opts.tcp_timeout);
        probes.push(tokio::spawn(async move {
            let _permit = slots.acquire_owned().await.ok();
            tcp_alive(n.ip, &ports, timeout).await.map(|_| n)
        }));
    }
    let mut alive = Vec::new();
    while let Some(joined) = probes.next().await {
        if let Ok(Some(n)) = joined {
            alive.push(n);
        }
    }
    alive
}
