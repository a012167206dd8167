//! macOS (and the BSD `arp`/`route` it shares): the neighbour table from `arp -an` and the default
//! gateway from `route -n get default`. The parsers are pure and tested on captured outputs on
//! every platform; [`read_table`] and [`default_gateway`] run the tools under a time and byte bound.

use std::net::Ipv4Addr;
use std::path::Path;

use super::command::{TOOL_MAX_BYTES, TOOL_TIMEOUT, run_bounded};
use super::{MAX_ENTRIES, Neighbour, State, usable_mac};
use crate::model::MacAddr;

/// Parses `arp -an` (macOS 10.x to 15, FreeBSD): one entry a line,
/// `? (192.168.1.1) at a0:40:a0:5e:21:9c on en0 ifscope [ethernet]`. Incomplete entries
/// (`at (incomplete)`), broadcast and multicast addresses are left out. macOS drops leading zeros
/// in each byte (`0:1e:c2:9:a:5b`).
pub fn parse_arp_an(text: &str) -> Vec<Neighbour> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let ip = words.find(|w| w.starts_with('('))?;
            let ip: Ipv4Addr = ip
                .trim_start_matches('(')
                .trim_end_matches(')')
                .parse()
                .ok()?;
            if words.next()? != "at" {
                return None;
            }
            let mac = parse_short_mac(words.next()?)?;
            if !usable_mac(mac) {
                return None;
            }
            let interface = if words.next() == Some("on") {
                words.next().map(|i| crate::sanitize::clean(i, 32))
            } else {
                None
            };
            Some(Neighbour {
                ip,
                mac,
                interface: interface.unwrap_or_default(),
                state: State::Unknown,
                confirmed_ago: None,
            })
        })
        .take(MAX_ENTRIES)
        .collect()
}

/// A hardware address written with colons and one or two hex digits a byte.
fn parse_short_mac(text: &str) -> Option<MacAddr> {
    let mut bytes = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut bytes {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(MacAddr(bytes))
}

/// Parses `route -n get default` for the gateway's address: the `gateway:` line, when it holds an
/// IPv4 address (a default route through a VPN tunnel names no gateway, or a `link#N`).
pub fn parse_route_get(text: &str) -> Option<Ipv4Addr> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if key.trim() != "gateway" {
            return None;
        }
        let ip: Ipv4Addr = value.trim().parse().ok()?;
        (!ip.is_unspecified()).then_some(ip)
    })
}

/// Runs `arp -an` (at `/usr/sbin/arp`).
///
/// # Errors
/// When `arp` cannot be run, fails or runs too long, as one line.
#[cfg(target_os = "macos")]
pub fn read_table() -> Result<Vec<Neighbour>, String> {
    read_table_with(Path::new("/usr/sbin/arp"))
}

/// Runs `route -n get default` (at `/sbin/route`); `None` when there is no default route (the
/// tool fails then).
#[cfg(target_os = "macos")]
pub fn default_gateway() -> Option<Ipv4Addr> {
    default_gateway_with(Path::new("/sbin/route"))
}

/// Runs `arp -an` at `arp` under the time and byte bounds, and parses what it printed.
///
/// # Errors
/// When `arp` cannot be run, fails or runs too long, as one line.
pub fn read_table_with(arp: &Path) -> Result<Vec<Neighbour>, String> {
    let text = run_bounded(arp, &["-an"], TOOL_TIMEOUT, TOOL_MAX_BYTES)?;
    Ok(parse_arp_an(&text))
}

/// Runs `route -n get default` at `route` under the time and byte bounds, and parses it.
pub fn default_gateway_with(route: &Path) -> Option<Ipv4Addr> {
    run_bounded(
        route,
        &["-n", "get", "default"],
        TOOL_TIMEOUT,
        TOOL_MAX_BYTES,
    )
    .ok()
    .and_then(|text| parse_route_get(&text))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
pub(crate) mod tests {
    use super::*;

    fn read(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/platform/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn summary(table: &[Neighbour]) -> Vec<String> {
        table
            .iter()
            .map(|n| format!("{} {} {}", n.ip, n.mac, n.interface))
            .collect()
    }

    #[test]
    fn reads_arp_an_of_macos_sonoma_with_incomplete_entries() {
        let table = parse_arp_an(&read("macos-14-arp-an.txt"));
        assert_eq!(
            summary(&table),
            [
                "192.168.1.1 a0:40:a0:5e:21:9c en0",
                "192.168.1.23 00:1e:c2:09:0a:5b en0",
                "192.168.1.42 3c:22:fb:10:00:0e en0",
                "192.168.1.64 bc:ad:28:4f:10:3a en0",
            ]
        );
    }

    #[test]
    fn reads_arp_an_of_older_macos_and_freebsd() {
        let table = parse_arp_an(&read("macos-10.15-arp-an.txt"));
        assert_eq!(
            summary(&table),
            [
                "10.0.0.1 00:0d:b9:4a:11:02 en1",
                "10.0.0.7 f0:18:98:00:a1:b2 en1",
            ]
        );
        let table = parse_arp_an(&read("freebsd-14-arp-an.txt"));
        assert_eq!(
            summary(&table),
            [
                "192.168.0.1 00:0d:b9:4a:11:02 em0",
                "192.168.0.20 08:00:27:aa:bb:cc em0",
            ]
        );
    }

    #[test]
    fn short_macs_need_six_bytes_of_at_most_two_digits() {
        assert_eq!(
            parse_short_mac("0:1e:c2:9:a:5b").map(|m| m.to_string()),
            Some("00:1e:c2:09:0a:5b".into())
        );
        for bad in [
            "0:1e:c2:9:a",
            "0:1e:c2:9:a:5b:1",
            "0:1e:c2:9:a:5bb",
            "0::c2:9:a:5b",
            "(incomplete)",
        ] {
            assert_eq!(parse_short_mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn finds_the_gateway_in_route_get_default() {
        assert_eq!(
            parse_route_get(&read("macos-14-route-get-default.txt")),
            Some(Ipv4Addr::new(192, 168, 1, 1))
        );
        assert_eq!(
            parse_route_get(&read("macos-10.15-route-get-default.txt")),
            Some(Ipv4Addr::new(10, 0, 0, 1))
        );
    }

    /// A stand-in for a system tool that prints `fixture` when called with exactly `args`: a
    /// symlink to the committed `fake-tool.sh` (nothing is written and then run, which could race
    /// with another test's fork and fail with "text file busy").
    #[cfg(unix)]
    pub(crate) fn fake_tool(dir: &Path, args: &str, fixture: &str) -> std::path::PathBuf {
        let folder = dir.join(args);
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(fixture);
        let script = format!(
            "{}/tests/fixtures/platform/fake-tool.sh",
            env!("CARGO_MANIFEST_DIR")
        );
        std::os::unix::fs::symlink(script, &path).unwrap();
        path
    }

    #[test]
    #[cfg(unix)]
    fn runs_the_tools_with_their_arguments_and_parses_them() {
        let tmp = tempfile::tempdir().unwrap();
        let arp = fake_tool(tmp.path(), "-an", "macos-14-arp-an.txt");
        assert_eq!(read_table_with(&arp).unwrap().len(), 4);
        let route = fake_tool(
            tmp.path(),
            "-n get default",
            "macos-14-route-get-default.txt",
        );
        assert_eq!(
            default_gateway_with(&route),
            Some(Ipv4Addr::new(192, 168, 1, 1))
        );
        // Wrong arguments: the tool fails, and that is an error (no table), not an empty table.
        let arp = fake_tool(tmp.path(), "-a", "macos-14-arp-an.txt");
        let err = read_table_with(&arp).unwrap_err();
        assert!(err.starts_with("macos-14-arp-an.txt failed"), "{err}");
        assert_eq!(default_gateway_with(&tmp.path().join("missing")), None);
    }

    #[test]
    fn no_gateway_when_the_default_route_has_none() {
        // A VPN tunnel as the default route: an interface, no gateway line.
        assert_eq!(
            parse_route_get(&read("macos-14-route-get-default-vpn.txt")),
            None
        );
        // No default route at all: the tool prints only an error (on stderr, which is dropped).
        assert_eq!(parse_route_get(""), None);
        assert_eq!(parse_route_get("    gateway: link#4\n"), None);
    }
}
