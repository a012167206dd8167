//! IPv6 addresses of the devices found over IPv4: one ICMPv6 echo to all nodes (`ff02::1`) on each
//! scanned interface makes every IPv6 host there answer, so the IPv6 neighbour table then lists
//! its addresses (link-local and global); each is tied to a device by its hardware address. A
//! device with a global address is reachable from the internet unless the router's IPv6 firewall
//! says no: the owner is told, with the step that covers it (RT-15).

use std::collections::HashMap;
use std::net::{Ipv6Addr, SocketAddrV6};

use socket2::{Domain, Protocol, Socket, Type};

use super::neighbours::Neighbour;
use crate::model::MacAddr;

/// The most IPv6 addresses tied to one device.
pub const MAX_PER_DEVICE: usize = 16;

/// The most global addresses of one interface an echo is also sent from (besides its
/// link-local one).
pub const MAX_GLOBAL_SOURCES: usize = 4;

/// The all-nodes link-local multicast group.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// Sends one ICMPv6 echo request to all nodes on `interface` from its link-local address, and one
/// from each of its global addresses (hosts answer from the address of the same scope, so the
/// table then also holds their global addresses). Returns the sockets, to be dropped once the
/// answers had time to come.
///
/// # Errors
/// One line when the interface is unknown or ICMPv6 cannot be sent (no permission, no IPv6).
pub fn echo_all_nodes(interface: &str) -> Result<Vec<Socket>, String> {
    let all = if_addrs::get_if_addrs().unwrap_or_default();
    let index = all
        .iter()
        .find(|i| i.name == interface)
        .and_then(|i| i.index)
        .ok_or_else(|| format!("no interface {interface} for the IPv6 echo"))?;
    let globals = all
        .iter()
        .filter(|i| i.name == interface)
        .filter_map(|i| match i.ip() {
            std::net::IpAddr::V6(v6) if is_global(&v6) => Some(v6),
            _ => None,
        });
    let mut sockets = vec![echo_from(index, None)?];
    for global in globals.take(MAX_GLOBAL_SOURCES) {
        if let Ok(socket) = echo_from(index, Some(global)) {
            sockets.push(socket);
        }
    }
    Ok(sockets)
}

fn echo_from(index: u32, source: Option<Ipv6Addr>) -> Result<Socket, String> {
    let fail = |e: std::io::Error| format!("could not send the IPv6 all-nodes echo: {e}");
    // The raw socket as root, the ping socket where the system allows it.
    let socket = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))
        .or_else(|_| Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::ICMPV6)))
        .map_err(fail)?;
    if let Some(source) = source {
        socket
            .bind(&SocketAddrV6::new(source, 0, 0, 0).into())
            .map_err(fail)?;
    }
    socket.set_multicast_if_v6(index).map_err(fail)?;
    socket.set_multicast_hops_v6(1).map_err(fail)?;
    socket.set_nonblocking(true).map_err(fail)?;
    // Type 128 (echo request), code 0, checksum (the kernel fills it), identifier, sequence.
    let id: u16 = rand::random();
    let mut packet = vec![128, 0, 0, 0];
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&[0, 1]);
    packet.extend_from_slice(b"porchlight");
    let to = SocketAddrV6::new(ALL_NODES, 0, 0, index);
    socket.send_to(&packet, &to.into()).map_err(fail)?;
    Ok(socket)
}

/// The IPv6 addresses of each hardware address in `table`, link-local first, bounded per device.
pub fn by_mac(table: &[Neighbour<Ipv6Addr>]) -> HashMap<MacAddr, Vec<Ipv6Addr>> {
    let mut out: HashMap<MacAddr, Vec<Ipv6Addr>> = HashMap::new();
    for n in table {
        if n.ip.is_multicast() || n.ip.is_unspecified() || n.ip.is_loopback() {
            continue;
        }
        let list = out.entry(n.mac).or_default();
        if !list.contains(&n.ip) && list.len() < MAX_PER_DEVICE {
            list.push(n.ip);
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|ip| (!ip.is_unicast_link_local(), *ip));
    }
    out
}

/// True for a global unicast address (reachable from the internet, firewall permitting): not
/// link-local, unique-local (`fc00::/7`), documentation is still global here.
pub fn is_global(ip: &Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    (0x2000..=0x3fff).contains(&first)
}

/// The note for a device at `v4` with the global address `v6`.
pub fn global_note(v4: std::net::Ipv4Addr, v6: &Ipv6Addr) -> String {
    format!(
        "{v4} also has the global IPv6 address {v6}: it can be reached from the internet unless \
         the router's IPv6 firewall blocks unsolicited incoming connections (step RT-15)"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::discovery::neighbours::State;

    fn entry(ip: &str, mac: &str) -> Neighbour<Ipv6Addr> {
        Neighbour {
            ip: ip.parse().unwrap(),
            mac: mac.parse().unwrap(),
            interface: "eth0".into(),
            state: State::Stale,
            confirmed_ago: None,
        }
    }

    #[test]
    fn addresses_are_grouped_by_hardware_address_link_local_first() {
        let table = [
            entry("2001:db8::13", "00:11:32:00:00:0d"),
            entry("fe80::211:32ff:fe00:d", "00:11:32:00:00:0d"),
            entry("ff02::1", "00:11:32:00:00:0d"),
            entry("fe80::1", "50:c7:bf:00:00:01"),
            entry("2001:db8::13", "00:11:32:00:00:0d"),
        ];
        let grouped = by_mac(&table);
        let nas = &grouped[&"00:11:32:00:00:0d".parse().unwrap()];
        assert_eq!(nas.len(), 2);
        assert!(nas[0].is_unicast_link_local());
        assert!(is_global(&nas[1]));
        assert!(!is_global(&"fe80::1".parse().unwrap()));
        assert!(!is_global(&"fd12:3456::1".parse().unwrap()));
        let note = global_note("10.0.0.13".parse().unwrap(), &nas[1]);
        assert!(
            note.contains("RT-15") && note.contains("2001:db8::13"),
            "{note}"
        );
    }
}
