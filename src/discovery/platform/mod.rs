//! The neighbour table and default gateway outside Linux (Linux reads the kernel directly, in
//! [`super::neighbours`]): macOS and Windows run their own `arp` and `route` tools under a time and
//! byte bound ([`command`]) and parse what they print with pure functions ([`macos`], [`windows`]),
//! which are compiled and tested everywhere on captured outputs.

pub mod command;
pub mod macos;
pub mod windows;

use std::net::Ipv4Addr;

pub use super::neighbours::entry::{Neighbour, State};
use crate::model::MacAddr;

/// Why ICMP was refused, in this system's terms (the ping sweep then falls back to TCP).
#[cfg(target_os = "linux")]
pub const ICMP_DENIED: &str =
    "this user may not send ICMP (see net.ipv4.ping_group_range, or run as root)";

/// Why ICMP was refused, in this system's terms. macOS lets every user send echoes through a
/// datagram ICMP socket, so this is rare there.
#[cfg(target_os = "macos")]
pub const ICMP_DENIED: &str = "this user may not send ICMP (a firewall or a sandbox refused it)";

/// Why ICMP was refused, in this system's terms: Windows offers ICMP sockets only to
/// administrators.
#[cfg(windows)]
pub const ICMP_DENIED: &str = "only an administrator may send ICMP on Windows";

/// Why ICMP was refused, in this system's terms.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub const ICMP_DENIED: &str = "this user may not send ICMP (run as root)";

/// The most entries read from a tool's table (a home has far fewer).
const MAX_ENTRIES: usize = 4096;

/// An address a device can hold: not all zeros (unresolved) and not broadcast or multicast.
fn usable_mac(mac: MacAddr) -> bool {
    mac.0 != [0; 6] && !mac.is_multicast()
}

/// Reads this system's neighbour table with its own tool.
///
/// # Errors
/// When the tool fails, or on a system porchlight has no reader for, as one line.
pub fn read_table() -> Result<Vec<Neighbour>, String> {
    #[cfg(target_os = "macos")]
    {
        macos::read_table()
    }
    #[cfg(windows)]
    {
        windows::read_table()
    }
    #[cfg(not(any(target_os = "macos", windows)))]
    {
        Err("reading the neighbour table is supported on Linux, macOS and Windows only".into())
    }
}

/// This system's default gateway, found with its own tool; `None` when there is none or the tool
/// fails.
pub fn default_gateway() -> Option<Ipv4Addr> {
    #[cfg(target_os = "macos")]
    {
        macos::default_gateway()
    }
    #[cfg(windows)]
    {
        windows::default_gateway()
    }
    #[cfg(not(any(target_os = "macos", windows)))]
    {
        None
    }
}
