//! Linux's neighbour table over netlink (RTM_GETNEIGH): each entry with its state and the age of
//! its last confirmation, which `/proc/net/arp` does not give (it lists STALE and DELAY entries as
//! complete, so hosts that left hours ago look present). Bounded: one dump, at most
//! [`super::MAX_ENTRIES`] entries, reads time out after a second.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use super::{MAX_ENTRIES, Neighbour, State};
use crate::model::MacAddr;

/// The kernel reports ages in clock ticks of 1/100 s (USER_HZ).
const TICK: Duration = Duration::from_millis(10);

/// The most datagrams read for one dump (each holds many entries).
const MAX_DATAGRAMS: usize = 4096;

/// Dumps the IPv4 and IPv6 neighbour tables.
pub(super) fn dump() -> Result<Vec<Neighbour<IpAddr>>, String> {
    let fail = |what: &str, e: std::io::Error| {
        format!("could not {what} the neighbour table over netlink: {e}")
    };
    let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| fail("open", e))?;
    socket.bind_auto().map_err(|e| fail("open", e))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(|e| fail("open", e))?;
    socket2::SockRef::from(&socket)
        .set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(|e| fail("open", e))?;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    let mut request = NetlinkMessage::new(
        header,
        NetlinkPayload::from(RouteNetlinkMessage::GetNeighbour(
            NeighbourMessage::default(),
        )),
    );
    request.finalize();
    let mut buf = vec![0; request.buffer_len()];
    request.serialize(&mut buf);
    socket.send(&buf, 0).map_err(|e| fail("ask for", e))?;

    let names = interface_names();
    let mut table = Vec::new();
    let mut datagram = vec![0u8; 64 * 1024];
    for _ in 0..MAX_DATAGRAMS {
        let size = socket
            .recv(&mut &mut datagram[..], 0)
            .map_err(|e| fail("read", e))?;
        let mut offset = 0;
        while offset < size {
            let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&datagram[offset..size])
                .map_err(|e| format!("the neighbour table came back garbled: {e}"))?;
            let length = msg.header.length as usize;
            match msg.payload {
                NetlinkPayload::Done(_) => return Ok(table),
                NetlinkPayload::Error(e) => {
                    return Err(format!("the kernel refused the neighbour dump: {e}"));
                }
                NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNeighbour(entry)) => {
                    if table.len() < MAX_ENTRIES
                        && let Some(n) = neighbour(&entry, &names)
                    {
                        table.push(n);
                    }
                }
                _ => {}
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
    }
    Ok(table)
}

/// One netlink entry as a [`Neighbour`], when it names an address and a real hardware address.
fn neighbour(entry: &NeighbourMessage, names: &HashMap<u32, String>) -> Option<Neighbour<IpAddr>> {
    let mut ip = None;
    let mut mac = None;
    let mut confirmed_ago = None;
    for attribute in &entry.attributes {
        match attribute {
            NeighbourAttribute::Destination(NeighbourAddress::Inet(a)) => ip = Some(IpAddr::V4(*a)),
            NeighbourAttribute::Destination(NeighbourAddress::Inet6(a)) => {
                ip = Some(IpAddr::V6(*a));
            }
            NeighbourAttribute::LinkLayerAddress(bytes) => {
                mac = <[u8; 6]>::try_from(bytes.as_slice()).ok().map(MacAddr);
            }
            NeighbourAttribute::CacheInfo(info) => {
                confirmed_ago = Some(TICK.saturating_mul(info.confirmed));
            }
            _ => {}
        }
    }
    if !matches!(
        entry.header.family,
        AddressFamily::Inet | AddressFamily::Inet6
    ) {
        return None;
    }
    let state = match entry.header.state {
        NeighbourState::Reachable => State::Reachable,
        NeighbourState::Stale => State::Stale,
        NeighbourState::Delay => State::Delay,
        NeighbourState::Probe => State::Probe,
        NeighbourState::Permanent | NeighbourState::Noarp => State::Permanent,
        // Incomplete and failed entries have no hardware address worth reading.
        _ => return None,
    };
    let mac = mac.filter(|m| m.0 != [0; 6] && !m.is_multicast())?;
    let interface = names
        .get(&entry.header.ifindex)
        .cloned()
        .unwrap_or_else(|| format!("if{}", entry.header.ifindex));
    Some(Neighbour {
        ip: ip?,
        mac,
        interface,
        state,
        confirmed_ago,
    })
}

/// Interface index to name, from the system's interface list.
fn interface_names() -> HashMap<u32, String> {
    if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| Some((i.index?, crate::sanitize::clean(&i.name, 32))))
        .collect()
}
