//! The operating system's neighbour (ARP) table and default gateway: hardware addresses for the
//! hosts on the local link, including hosts that ignore ping but answered the kernel's ARP request
//! during the sweep. The platform part is one function each ([`read_table`], [`default_gateway`]);
//! the parsers are pure and tested on captured files.

use std::net::Ipv4Addr;

use crate::model::MacAddr;

/// One entry of the neighbour table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// The host's address.
    pub ip: Ipv4Addr,
    /// Its hardware address.
    pub mac: MacAddr,
    /// The interface it was seen on.
    pub interface: String,
}

/// The most entries read (a home has far fewer; this bounds a hostile or huge table).
const MAX_ENTRIES: usize = 4096;

/// Reads the neighbour table.
///
/// # Errors
/// When the table cannot be read (or this system has no readable one), as one line.
pub fn read_table() -> Result<Vec<Neighbour>, String> {
    #[cfg(target_os = "linux")]
    {
        let text = std::fs::read_to_string("/proc/net/arp")
            .map_err(|e| format!("could not read /proc/net/arp: {e}"))?;
        Ok(parse_proc_arp(&text))
    }
    #[cfg(not(target_os = "linux"))]
    {
        super::platform::read_table()
    }
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

/// Parses Linux's `/proc/net/arp`: complete entries with a real hardware address.
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
    fn finds_the_default_gateway() {
        assert_eq!(parse_proc_route(ROUTE), Some(Ipv4Addr::new(192, 168, 1, 1)));
        assert_eq!(parse_proc_route("Iface\tDestination\n"), None);
    }
}
