//! The operating system's neighbour (ARP and IPv6 neighbour) table and default gateway: hardware
//! addresses for the hosts on the local link, with each entry's state and the age of its last
//! confirmation. An entry proves a host is present only when it was confirmed during this scan
//! ([`Neighbour::confirmed_within`]); a STALE entry may be a phone that went home yesterday.
//! The platform part is one function each ([`read_all`], [`default_gateway`]), with async
//! forms that run them off the runtime for the scan; Linux reads over netlink (`linux.rs`). The parsers are pure and tested on captured data.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::MacAddr;

pub(crate) mod entry;
#[cfg(target_os = "linux")]
mod linux;

pub use entry::{Neighbour, State};

/// The most entries read (a home has far fewer; this bounds a hostile or huge table).
const MAX_ENTRIES: usize = 4096;

/// Reads the IPv4 neighbour table.
///
/// # Errors
/// When the table cannot be read (or this system has no readable one), as one line.
pub fn read_table() -> Result<Vec<Neighbour>, String> {
    Ok(read_all()?.0)
}

/// Reads the IPv4 and IPv6 neighbour tables at once.
///
/// # Errors
/// As [`read_table`].
pub fn read_all() -> Result<(Vec<Neighbour>, Vec<Neighbour<Ipv6Addr>>), String> {
    #[cfg(target_os = "linux")]
    {
        match linux::dump() {
            Ok(entries) => Ok(split(entries)),
            Err(netlink) => {
                // Without netlink (a sandbox), the old table: no states, so nothing it lists
                // counts as present on its own.
                let text = std::fs::read_to_string("/proc/net/arp")
                    .map_err(|e| format!("{netlink}; could not read /proc/net/arp either: {e}"))?;
                Ok((parse_proc_arp(&text), Vec::new()))
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        // macOS and Windows: `arp -a` gives no states (nothing counts as present on its own).
        Ok((super::platform::read_table()?, Vec::new()))
    }
}

/// [`read_all`] on a blocking thread, so a slow table (netlink, or `arp` on macOS) never holds up
/// the runtime the scan's other work and the checks' deadlines run on.
///
/// # Errors
/// As [`read_table`], or when the thread stopped.
pub async fn read_all_off_runtime() -> Result<(Vec<Neighbour>, Vec<Neighbour<Ipv6Addr>>), String> {
    tokio::task::spawn_blocking(read_all)
        .await
        .map_err(|e| format!("the neighbour table read stopped: {e}"))?
}

/// [`default_gateway`] on a blocking thread (see [`read_all_off_runtime`]).
pub async fn default_gateway_off_runtime() -> Option<Ipv4Addr> {
    tokio::task::spawn_blocking(default_gateway)
        .await
        .ok()
        .flatten()
}

/// Splits a mixed table into its IPv4 and IPv6 parts.
pub fn split(entries: Vec<Neighbour<IpAddr>>) -> (Vec<Neighbour>, Vec<Neighbour<Ipv6Addr>>) {
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for n in entries {
        let Neighbour {
            ip,
            mac,
            interface,
            state,
            confirmed_ago,
        } = n;
        match ip {
            IpAddr::V4(ip) => v4.push(Neighbour {
                ip,
                mac,
                interface,
                state,
                confirmed_ago,
            }),
            IpAddr::V6(ip) => v6.push(Neighbour {
                ip,
                mac,
                interface,
                state,
                confirmed_ago,
            }),
        }
    }
    (v4, v6)
}

/// The default gateway's address, when there is one.
pub fn default_gateway() -> Option<Ipv4Addr> {
    #[cfg(target_os = "linux")]
    {
        std::fs::read_to_string("/proc/net/route")
            .ok()
            .and_then(|t| parse_proc_route(&t))
    }
    #[cfg(not(target_os = "linux"))]
    {
        super::platform::default_gateway()
    }
}

/// Parses Linux's `/proc/net/arp`: complete entries with a real hardware address, state unknown
/// (the file shows STALE entries as complete).
pub fn parse_proc_arp(text: &str) -> Vec<Neighbour> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [ip, _hw_type, flags, mac, _mask, device] = f.as_slice() else {
                return None;
            };
            let flags = u32::from_str_radix(flags.trim_start_matches("0x"), 16).ok()?;
            // ATF_COM (0x2): the entry is complete.
            if flags & 0x2 == 0 {
                return None;
            }
            let mac: MacAddr = mac.parse().ok()?;
            if mac.0 == [0; 6] || mac.is_multicast() {
                return None;
            }
            Some(Neighbour {
                ip: ip.parse().ok()?,
                mac,
                interface: crate::sanitize::clean(device, 32),
                state: State::Unknown,
                confirmed_ago: None,
            })
        })
        .take(MAX_ENTRIES)
        .collect()
}

/// Parses Linux's `/proc/net/route` for the default route's gateway.
pub fn parse_proc_route(text: &str) -> Option<Ipv4Addr> {
    text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (destination, gateway, mask) = (f.get(1)?, f.get(2)?, f.get(7)?);
        if *destination != "00000000" || *mask != "00000000" {
            return None;
        }
        // The kernel writes the address in host byte order (little-endian here).
        let raw = u32::from_str_radix(gateway, 16).ok()?;
        let ip = Ipv4Addr::from(raw.swap_bytes());
        (!ip.is_unspecified()).then_some(ip)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use std::time::Duration;

    const ARP: &str = "\
IP address       HW type     Flags       HW address            Mask     Device
192.168.1.1      0x1         0x2         a0:40:a0:5e:21:9c     *        wlan0
192.168.1.64     0x1         0x2         bc:ad:28:4f:10:3a     *        wlan0
192.168.1.99     0x1         0x0         00:00:00:00:00:00     *        wlan0
192.168.1.87     0x1         0x6         da:a1:19:3e:77:02     *        wlan0
garbage line
";

    const ROUTE: &str = "\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
";

    #[test]
    fn reads_complete_entries_only() {
        let table = parse_proc_arp(ARP);
        let ips: Vec<String> = table.iter().map(|n| n.ip.to_string()).collect();
        assert_eq!(ips, ["192.168.1.1", "192.168.1.64", "192.168.1.87"]);
        assert_eq!(table[0].mac.to_string(), "a0:40:a0:5e:21:9c");
        assert_eq!(table[0].interface, "wlan0");
    }

    #[test]
    fn only_entries_confirmed_in_the_window_count_as_present() {
        let entry = |state, ago: Option<u64>| Neighbour {
            ip: Ipv4Addr::new(192, 168, 1, 5),
            mac: "bc:ad:28:4f:10:3a".parse().unwrap(),
            interface: "eth0".into(),
            state,
            confirmed_ago: ago.map(Duration::from_millis),
        };
        let scan = Duration::from_secs(3);
        assert!(entry(State::Reachable, Some(800)).confirmed_within(scan));
        assert!(
            !entry(State::Reachable, Some(20_000)).confirmed_within(scan),
            "before the scan"
        );
        assert!(!entry(State::Stale, Some(3_600_000)).confirmed_within(scan));
        assert!(!entry(State::Delay, Some(90_000)).confirmed_within(scan));
        assert!(
            !entry(State::Unknown, None).confirmed_within(scan),
            "/proc/net/arp proves nothing"
        );
        assert!(!entry(State::Permanent, Some(0)).confirmed_within(scan));
    }

    #[test]
    fn finds_the_default_gateway() {
        assert_eq!(parse_proc_route(ROUTE), Some(Ipv4Addr::new(192, 168, 1, 1)));
        assert_eq!(parse_proc_route("Iface\tDestination\n"), None);
    }
}
