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
use super::ping::{PingOptions, tcp_alive};
use super::{EventSink, Scope, Sighting, Source, Stage};

/// The most notes about devices with a global IPv6 address.
const MAX_GLOBAL_NOTES: usize = 16;

/// The most unconfirmed entries probed (the rest are left out unprobed).
pub const MAX_CANDIDATES: usize = 1024;

/// Reports the neighbour-table entries in scope that are present, each with its hardware address,
/// and marks the default gateway. `answered` holds the addresses that answered the sweep; `since`
/// is when the scan began. Returns how many hosts it reported.
///
/// # Errors
/// When the table cannot be read, as one line.
pub async fn report_present(
    scope: &Scope,
    answered: &HashSet<Ipv4Addr>,
    since: Instant,
    opts: &PingOptions,
    sink: &EventSink,
) -> Result<usize, String> {
    let (table, table_v6) = neighbours::read_all_off_runtime().await?;
    let ipv6 = super::ipv6::by_mac(&table_v6);
    let mut global_notes = 0;
    let gateway = neighbours::default_gateway_off_runtime()
        .await
        .filter(|ip| scope.contains(*ip));
    let window = since.elapsed();
    let (present, candidates): (Vec<Neighbour>, Vec<Neighbour>) = table
        .into_iter()
        .filter(|n| scope.contains(n.ip))
        .partition(|n| n.confirmed_within(window) || answered.contains(&n.ip));
    let unconfirmed = candidates.len();
    let confirmed = confirm(candidates, opts, sink).await;
    let left_out = unconfirmed - confirmed.len();
    let mut hosts = 0;
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
        hosts += 1;
    }
    if let Some(gw) = gateway
        && answered.contains(&gw)
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
