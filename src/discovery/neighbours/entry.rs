//! One entry of a neighbour table and its reachability state: the shape every platform's reader
//! returns (Linux's netlink reader beside it, the macOS and Windows parsers in `platform`).

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::model::MacAddr;

/// What the system knows of an entry's reachability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Confirmed recently.
    Reachable,
    /// Not confirmed for a while; the host may have left.
    Stale,
    /// In use, waiting for a confirmation.
    Delay,
    /// Being probed.
    Probe,
    /// Set by hand; never confirmed.
    Permanent,
    /// The table gives no state (`/proc/net/arp`, other systems).
    Unknown,
}

/// One entry of the neighbour table (IPv4 unless said otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour<A = Ipv4Addr> {
    /// The host's address.
    pub ip: A,
    /// Its hardware address.
    pub mac: MacAddr,
    /// The interface it was seen on.
    pub interface: String,
    /// The entry's state.
    pub state: State,
    /// How long ago the host last confirmed it, when the system says.
    pub confirmed_ago: Option<Duration>,
}

impl<A> Neighbour<A> {
    /// True when the host confirmed this entry within `window` (for a scan: since it began).
    pub fn confirmed_within(&self, window: Duration) -> bool {
        self.state != State::Permanent && self.confirmed_ago.is_some_and(|age| age <= window)
    }
}
