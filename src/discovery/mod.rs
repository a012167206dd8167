//! The scan engine: finds the devices on the home network and reports them as a stream of typed
//! [`DiscoveryEvent`]s. It knows nothing of the UI; the CLI prints the events and the TUI merges
//! them into its inventory as they arrive.
//!
//! Every source runs as its own task and fails alone: a source that cannot run (no ICMP permission,
//! no multicast route) reports `StageFailed` with its reason and the others go on. Every loop that
//! sends packets is bounded in count and time, and every read from a device is bounded in bytes and
//! time (see each source).

pub mod http;
pub(crate) mod ipv6;
pub mod mdns;
pub(crate) mod name_asker;
pub(crate) mod names;
pub mod neighbours;
pub(crate) mod ping;
pub mod platform;
pub mod ports;
pub(crate) mod presence;
pub(crate) mod scanner;
pub(crate) mod scope;
pub mod ssdp;
pub(crate) mod xml;

pub use scanner::{Scan, ScanConfig};
pub use scope::{Ipv4Net, Scope, ScopeError, ScopeOptions, Subnet};

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::Serialize;

use crate::model::{MacAddr, OpenPort, Service};

/// A part of the scan, each run by its own source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// ICMP echo sweep (or TCP connect sweep when ICMP is not permitted).
    Ping,
    /// The operating system's neighbour (ARP) table.
    Neighbours,
    /// mDNS / DNS-SD browsing.
    Mdns,
    /// SSDP search and UPnP device descriptions.
    Ssdp,
    /// TCP probes of the risky ports, with banners.
    Ports,
}

impl Stage {
    /// Every stage, in display order.
    pub const ALL: [Stage; 5] = [
        Stage::Ping,
        Stage::Neighbours,
        Stage::Mdns,
        Stage::Ssdp,
        Stage::Ports,
    ];

    /// A short name for progress displays.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Ping => "ping sweep",
            Stage::Neighbours => "neighbour table",
            Stage::Mdns => "mDNS",
            Stage::Ssdp => "SSDP/UPnP",
            Stage::Ports => "port probes",
        }
    }
}

impl Stage {
    /// A one-word name for the scan progress line.
    pub fn short(self) -> &'static str {
        match self {
            Stage::Ping => "ping",
            Stage::Neighbours => "arp",
            Stage::Mdns => "mDNS",
            Stage::Ssdp => "SSDP",
            Stage::Ports => "ports",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which source saw a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Answered an ICMP echo.
    Icmp,
    /// Answered (or refused) a TCP connection during the sweep.
    Tcp,
    /// Listed in the neighbour table.
    Arp,
    /// Announced over mDNS.
    Mdns,
    /// Answered an SSDP search.
    Ssdp,
    /// Had open ports.
    Ports,
    /// Answered a name query (reverse DNS, NetBIOS, LLMNR).
    Names,
}

/// What a UPnP device description says (every field cleaned).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct UpnpInfo {
    /// The root device type (`urn:schemas-upnp-org:device:InternetGatewayDevice:1`).
    pub device_type: String,
    /// Friendly name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// Manufacturer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Model number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_number: Option<String>,
    /// Serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Admin page address, as the device gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation_url: Option<String>,
    /// Unique device name (`uuid:...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udn: Option<String>,
    /// Where the description was read.
    pub location: String,
    /// Types of the embedded devices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub embedded_devices: Vec<String>,
    /// Types of the services of the root and embedded devices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// One source's view of one host. Sightings of the same host are merged by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sighting {
    /// Which source saw it.
    pub source: Source,
    /// The host's IPv4 address.
    pub ip: Ipv4Addr,
    /// Hardware address, when the source knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacAddr>,
    /// Host names (mDNS `.local` names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Names from reverse DNS, NetBIOS or LLMNR, by source (`dns`, `netbios`, `llmnr`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    /// IPv6 addresses of the same hardware (from the IPv6 neighbour table).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<std::net::Ipv6Addr>,
    /// Advertised services (mDNS instances, SSDP types).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// The UPnP description, when one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upnp: Option<UpnpInfo>,
    /// Ports that accepted a connection.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_ports: Vec<OpenPort>,
    /// Ports the host refused (positive evidence that they are closed). A port in neither list
    /// was not probed or did not answer: nothing is known of it from this sighting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closed_ports: Vec<u16>,
    /// Round-trip time of the probe that found it.
    #[serde(skip)]
    pub rtt: Option<Duration>,
    /// This host is the default gateway (the router).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gateway: bool,
}

impl Sighting {
    /// A bare sighting of `ip` by `source`.
    pub fn new(source: Source, ip: Ipv4Addr) -> Self {
        Self {
            source,
            ip,
            mac: None,
            hostnames: Vec::new(),
            names: BTreeMap::new(),
            ipv6: Vec::new(),
            services: Vec::new(),
            upnp: None,
            open_ports: Vec::new(),
            closed_ports: Vec::new(),
            rtt: None,
            gateway: false,
        }
    }
}

/// What the scanner reports, in order of happening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryEvent {
    /// A stage began.
    StageStarted {
        /// Which.
        stage: Stage,
    },
    /// A stage moved on: `done` of `total` units (addresses, hosts).
    Progress {
        /// Which.
        stage: Stage,
        /// Units done.
        done: usize,
        /// Units in all.
        total: usize,
    },
    /// Something worth telling the owner that is not a failure ("ICMP is not permitted; using TCP").
    Note {
        /// Which stage says it.
        stage: Stage,
        /// The words.
        message: String,
    },
    /// A source saw a host.
    Sighting(Box<Sighting>),
    /// A stage finished.
    StageFinished {
        /// Which.
        stage: Stage,
        /// How many hosts it saw.
        hosts: usize,
        /// How long it took.
        elapsed: Duration,
    },
    /// A stage could not run; the others go on.
    StageFailed {
        /// Which.
        stage: Stage,
        /// Why, in one line.
        reason: String,
    },
    /// The scan is over.
    Done {
        /// How long it took.
        elapsed: Duration,
    },
}

/// The key-value details of a UPnP description worth keeping on the device's service entry.
pub fn upnp_details(info: &UpnpInfo) -> BTreeMap<String, String> {
    let mut txt = BTreeMap::new();
    let fields = [
        ("manufacturer", &info.manufacturer),
        ("modelName", &info.model_name),
        ("modelNumber", &info.model_number),
        ("serialNumber", &info.serial_number),
        ("presentationURL", &info.presentation_url),
        ("UDN", &info.udn),
    ];
    for (key, value) in fields {
        if let Some(v) = value {
            txt.insert(key.to_string(), v.clone());
        }
    }
    txt.insert("location".into(), info.location.clone());
    txt
}

/// Where a source sends its events. Cheap to clone; sending never blocks and never fails loudly
/// (a scan whose listener went away simply has nobody to tell).
#[derive(Debug, Clone)]
pub struct EventSink {
    tx: tokio::sync::mpsc::UnboundedSender<DiscoveryEvent>,
}

impl EventSink {
    /// A sink sending into `tx`.
    pub fn new(tx: tokio::sync::mpsc::UnboundedSender<DiscoveryEvent>) -> Self {
        Self { tx }
    }

    /// Sends any event.
    pub fn send(&self, event: DiscoveryEvent) {
        let _ = self.tx.send(event);
    }

    /// Reports a sighting.
    pub fn sighting(&self, sighting: Sighting) {
        self.send(DiscoveryEvent::Sighting(Box::new(sighting)));
    }

    /// Reports progress of `stage`.
    pub fn progress(&self, stage: Stage, done: usize, total: usize) {
        self.send(DiscoveryEvent::Progress { stage, done, total });
    }

    /// Tells the owner something about `stage`.
    pub fn note(&self, stage: Stage, message: impl Into<String>) {
        self.send(DiscoveryEvent::Note {
            stage,
            message: message.into(),
        });
    }

    /// True when nobody listens any more (the scan was cancelled).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}
