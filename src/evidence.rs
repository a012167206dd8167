//! What the network said about a device beyond its main record: the further IPv4 addresses one
//! hardware address answered on, its IPv6 addresses, and names learnt from DNS, NetBIOS or LLMNR.
//! Kept on [`crate::model::Device`] as one field so that older state files read unchanged.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// The most addresses of each kind kept per device (bounds a chatty or hostile device).
pub const MAX_ADDRESSES: usize = 16;

/// The most names kept per device.
pub const MAX_NAMES: usize = 8;

/// Further facts about one device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// IPv4 addresses besides the device's main one that the same hardware answered on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_ips: Vec<Ipv4Addr>,
    /// IPv6 addresses (link-local and global) from the neighbour table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<Ipv6Addr>,
    /// Names by where they came from ("dns", "netbios", "llmnr"), each cleaned.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
}

impl Evidence {
    /// True when there is nothing to keep (the field is then left out of the file).
    pub fn is_empty(&self) -> bool {
        self.other_ips.is_empty() && self.ipv6.is_empty() && self.names.is_empty()
    }

    /// Adds an IPv4 address (bounded; no repeats).
    pub fn add_ip(&mut self, ip: Ipv4Addr) {
        if !self.other_ips.contains(&ip) && self.other_ips.len() < MAX_ADDRESSES {
            self.other_ips.push(ip);
        }
    }

    /// Adds an IPv6 address (bounded; no repeats).
    pub fn add_ipv6(&mut self, ip: Ipv6Addr) {
        if !self.ipv6.contains(&ip) && self.ipv6.len() < MAX_ADDRESSES {
            self.ipv6.push(ip);
        }
    }

    /// Records the name `source` gave (bounded; the latest name of a source wins).
    pub fn add_name(&mut self, source: &str, name: &str) {
        if self.names.contains_key(source) || self.names.len() < MAX_NAMES {
            self.names.insert(source.to_string(), name.to_string());
        }
    }

    /// Takes in everything `other` knows.
    pub fn absorb(&mut self, other: Evidence) {
        for ip in other.other_ips {
            self.add_ip(ip);
        }
        for ip in other.ipv6 {
            self.add_ipv6(ip);
        }
        for (source, name) in other.names {
            self.names.entry(source).or_insert(name);
        }
    }
}
