//! Windows: the neighbour table from `arp -a` and the default gateway from `route print -4`. Both
//! tools translate their headings into the system language (and print them in the console's code
//! page), so the parsers look only at the shape of each line: addresses, hardware addresses with
//! dashes, numbers. They are pure and tested on captured outputs on every platform; [`read_table`]
//! and [`default_gateway`] run the tools under a time and byte bound.

use std::net::Ipv4Addr;
use std::path::Path;

use super::command::{TOOL_MAX_BYTES, TOOL_TIMEOUT, run_bounded};
use super::{MAX_ENTRIES, Neighbour, State, usable_mac};
use crate::model::MacAddr;

/// Parses `arp -a` in any language. A section starts with a line like
/// `Interface: 192.168.1.23 --- 0xb` (`Schnittstelle: ...` in German, `Interface : ...` in
/// French); its entries are `192.168.1.1   a0-40-a0-5e-21-9c   dynamic`. The interface is named by
/// its own address, as the tool does. Broadcast, multicast and all-zero (unresolved) entries are
/// left out.
pub fn parse_arp_a(text: &str) -> Vec<Neighbour> {
    let mut interface = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(at) = words.iter().position(|w| *w == "---") {
            // The interface heading: its address is the word before the dashes.
            interface = at
                .checked_sub(1)
                .and_then(|i| words.get(i))
                .and_then(|w| w.parse::<Ipv4Addr>().ok())
                .map(|ip| ip.to_string())
                .unwrap_or_default();
            continue;
        }
        let [ip, mac, ..] = words.as_slice() else {
            continue;
        };
        let (Ok(ip), Some(mac)) = (ip.parse::<Ipv4Addr>(), parse_dashed_mac(mac)) else {
            continue;
        };
        if usable_mac(mac) {
            out.push(Neighbour {
                ip,
                mac,
                interface: interface.clone(),
                state: State::Unknown,
                confirmed_ago: None,
            });
            if out.len() >= MAX_ENTRIES {
                break;
            }
        }
    }
    out
}

/// A hardware address written `a0-40-a0-5e-21-9c`.
fn parse_dashed_mac(text: &str) -> Option<MacAddr> {
    let mut bytes = [0u8; 6];
    let mut parts = text.split('-');
    for byte in &mut bytes {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(MacAddr(bytes))
}

/// Parses `route print` (or `route print -4`) in any language for the default gateway: among the
/// active IPv4 routes (`0.0.0.0  0.0.0.0  192.168.1.1  192.168.1.23  25`), the one with the lowest
/// metric whose gateway is an address (not `On-link`). Persistent routes (four columns, the metric
/// may read `Default`) are only what is configured, not what is used, and are skipped.
pub fn parse_route_print(text: &str) -> Option<Ipv4Addr> {
    text.lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [destination, mask, gateway, interface, metric] = words.as_slice() else {
                return None;
            };
            if *destination != "0.0.0.0" || *mask != "0.0.0.0" {
                return None;
            }
            let gateway: Ipv4Addr = gateway.parse().ok()?;
            interface.parse::<Ipv4Addr>().ok()?;
            let metric: u32 = metric.parse().ok()?;
            (!gateway.is_unspecified()).then_some((metric, gateway))
        })
        .min_by_key(|(metric, _)| *metric)
        .map(|(_, gateway)| gateway)
}

/// Where Windows keeps its tools (`%SystemRoot%\System32`), so that no other `arp.exe` on the
/// search path is run.
#[cfg(windows)]
fn system_tool(name: &str) -> std::path::PathBuf {
    let root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
    std::path::PathBuf::from(root).join("System32").join(name)
}

/// Runs `arp -a`.
///
/// # Errors
/// When `arp` cannot be run, fails or runs too long, as one line.
#[cfg(windows)]
pub fn read_table() -> Result<Vec<Neighbour>, String> {
    read_table_with(&system_tool("ARP.EXE"))
}

/// Runs `route print -4`.
#[cfg(windows)]
pub fn default_gateway() -> Option<Ipv4Addr> {
    default_gateway_with(&system_tool("ROUTE.EXE"))
}

/// Runs `arp -a` at `arp` under the time and byte bounds, and parses what it printed.
///
/// # Errors
/// When `arp` cannot be run, fails or runs too long, as one line.
pub fn read_table_with(arp: &Path) -> Result<Vec<Neighbour>, String> {
    let text = run_bounded(arp, &["-a"], TOOL_TIMEOUT, TOOL_MAX_BYTES)?;
    Ok(parse_arp_a(&text))
}

/// Runs `route print -4` at `route` under the time and byte bounds, and parses it.
pub fn default_gateway_with(route: &Path) -> Option<Ipv4Addr> {
    run_bounded(route, &["print", "-4"], TOOL_TIMEOUT, TOOL_MAX_BYTES)
        .ok()
        .and_then(|text| parse_route_print(&text))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    /// A captured output; Windows tools print in the console's code page, so read bytes.
    fn read(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/platform/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn summary(table: &[Neighbour]) -> Vec<String> {
        table
            .iter()
            .map(|n| format!("{} {} {}", n.ip, n.mac, n.interface))
            .collect()
    }

    #[test]
    fn reads_arp_a_in_english_with_two_interfaces() {
        let table = parse_arp_a(&read("windows-11-en-arp-a.txt"));
        assert_eq!(
            summary(&table),
            [
                "192.168.1.1 a0:40:a0:5e:21:9c 192.168.1.23",
                "192.168.1.64 bc:ad:28:4f:10:3a 192.168.1.23",
                "192.168.1.87 da:a1:19:3e:77:02 192.168.1.23",
                "172.22.96.2 00:15:5d:8a:01:0f 172.22.96.1",
            ]
        );
    }

    #[test]
    fn reads_arp_a_in_german_and_french() {
        let table = parse_arp_a(&read("windows-10-de-arp-a.txt"));
        assert_eq!(
            summary(&table),
            [
                "192.168.178.1 2c:91:ab:12:34:56 192.168.178.20",
                "192.168.178.35 b8:27:eb:01:02:03 192.168.178.20",
            ]
        );
        let table = parse_arp_a(&read("windows-11-fr-arp-a.txt"));
        assert_eq!(
            summary(&table),
            ["192.168.0.254 f4:ca:e5:40:11:22 192.168.0.14"]
        );
    }

    #[test]
    fn dashed_macs_need_six_pairs() {
        assert_eq!(
            parse_dashed_mac("a0-40-a0-5e-21-9c").map(|m| m.to_string()),
            Some("a0:40:a0:5e:21:9c".into())
        );
        for bad in [
            "a0-40-a0-5e-21",
            "a0-40-a0-5e-21-9c-00",
            "a0-40-a0-5e-21-9",
            "a0:40:a0:5e:21:9c",
            "dynamic",
        ] {
            assert_eq!(parse_dashed_mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn finds_the_default_gateway_in_route_print() {
        assert_eq!(
            parse_route_print(&read("windows-11-en-route-print.txt")),
            Some(Ipv4Addr::new(192, 168, 1, 1))
        );
        assert_eq!(
            parse_route_print(&read("windows-10-de-route-print.txt")),
            Some(Ipv4Addr::new(192, 168, 178, 1))
        );
    }

    #[test]
    #[cfg(unix)]
    fn runs_the_tools_with_their_arguments_and_parses_them() {
        use crate::discovery::platform::macos::tests::fake_tool;
        let tmp = tempfile::tempdir().unwrap();
        let arp = fake_tool(tmp.path(), "-a", "windows-10-de-arp-a.txt");
        assert_eq!(read_table_with(&arp).unwrap().len(), 2);
        let route = fake_tool(tmp.path(), "print -4", "windows-10-de-route-print.txt");
        assert_eq!(
            default_gateway_with(&route),
            Some(Ipv4Addr::new(192, 168, 178, 1))
        );
    }

    #[test]
    fn the_lowest_metric_wins_and_on_link_defaults_are_not_gateways() {
        // Wired (metric 25) and Wi-Fi (metric 50) both up; a VPN's on-link default route.
        assert_eq!(
            parse_route_print(&read("windows-11-en-route-print-two-defaults.txt")),
            Some(Ipv4Addr::new(10, 1, 0, 1))
        );
        // No default route: only the persistent one, which is not in use.
        assert_eq!(
            parse_route_print(&read("windows-10-en-route-print-no-default.txt")),
            None
        );
    }
}
