//! The domain model: devices, their identity, what was found on them and the owner's progress on
//! each hardening step. Plain data with no IO, shared by the store, the catalog, the CLI and the TUI.

pub use crate::evidence::Evidence;
pub use device::Device;
pub use history::{HISTORY_LIMIT, HistoryPoint};
pub use progress::{CheckMark, StepProgress};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

mod device;
pub mod history;
mod progress;

/// A 48-bit hardware (MAC) address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// True when the address was made up by the device (the "locally administered" bit), as phones
    /// and many newer gadgets do for privacy. Such an address may change and says nothing of the maker.
    pub fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// True for group (multicast or broadcast) addresses, which never name one device.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddr({self})")
    }
}

/// Why a piece of text could not be read as one of the model's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: {expected}")]
pub struct ParseError {
    what: &'static str,
    value: String,
    expected: &'static str,
}

impl ParseError {
    fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            what,
            value: value.chars().take(64).collect(),
            expected,
        }
    }
}

impl FromStr for MacAddr {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ParseError::new(
                "MAC address",
                s,
                "expected six hex pairs like 3c:22:fb:01:02:03",
            )
        };
        let mut out = [0u8; 6];
        let parts: Vec<&str> = s.split([':', '-']).collect();
        if parts.len() != 6 {
            return Err(bad());
        }
        for (slot, part) in out.iter_mut().zip(parts) {
            if part.len() != 2 {
                return Err(bad());
            }
            *slot = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        }
        Ok(MacAddr(out))
    }
}

impl TryFrom<String> for MacAddr {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<MacAddr> for String {
    fn from(m: MacAddr) -> String {
        m.to_string()
    }
}

/// The stable identity of one physical device across scans.
///
/// The hardware address comes first; where it is unknown or randomised, the UPnP unique device name
/// or the mDNS host name stands in, and an address only as the last resort (addresses change).
/// Written as `mac:3c:22:fb:01:02:03`, `udn:uuid:...`, `host:printer.local` or `ip:192.168.1.20`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DeviceId {
    /// Hardware address.
    Mac(MacAddr),
    /// UPnP unique device name (UDN).
    Udn(String),
    /// mDNS host name.
    Host(String),
    /// IPv4 address, when nothing better is known.
    Ip(Ipv4Addr),
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceId::Mac(m) => write!(f, "mac:{m}"),
            DeviceId::Udn(u) => write!(f, "udn:{u}"),
            DeviceId::Host(h) => write!(f, "host:{h}"),
            DeviceId::Ip(ip) => write!(f, "ip:{ip}"),
        }
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({self})")
    }
}

impl FromStr for DeviceId {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ParseError::new(
                "device id",
                s,
                "expected mac:, udn:, host: or ip: and a value",
            )
        };
        let (kind, value) = s.split_once(':').ok_or_else(bad)?;
        if value.is_empty() {
            return Err(bad());
        }
        match kind {
            "mac" => Ok(DeviceId::Mac(value.parse()?)),
            "udn" => Ok(DeviceId::Udn(value.to_string())),
            "host" => Ok(DeviceId::Host(value.to_string())),
            "ip" => value.parse().map(DeviceId::Ip).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for DeviceId {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> String {
        id.to_string()
    }
}

/// What kind of device this is, which decides the steps that apply to it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Router or gateway (often with Wi-Fi built in).
    Router,
    /// IP camera, NVR or DVR.
    Camera,
    /// Video doorbell.
    Doorbell,
    /// Smart speaker or display.
    Speaker,
    /// TV, streaming stick or set-top box.
    Tv,
    /// Printer or scanner.
    Printer,
    /// Network storage.
    Nas,
    /// Smart plug, bulb or switch.
    Plug,
    /// Thermostat.
    Thermostat,
    /// Smart-home hub or bridge.
    Hub,
    /// Game console.
    Console,
    /// Baby monitor.
    BabyMonitor,
    /// Robot vacuum.
    Vacuum,
    /// Smart lock, garage-door opener or alarm: anything that decides who gets into the home.
    Lock,
    /// Energy device: EV charger, solar inverter, home battery or energy monitor.
    Energy,
    /// Computer, phone or tablet.
    Computer,
    /// Not identified yet.
    #[default]
    Unknown,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 17] = [
        Category::Router,
        Category::Camera,
        Category::Doorbell,
        Category::Speaker,
        Category::Tv,
        Category::Printer,
        Category::Nas,
        Category::Plug,
        Category::Thermostat,
        Category::Hub,
        Category::Console,
        Category::BabyMonitor,
        Category::Vacuum,
        Category::Lock,
        Category::Energy,
        Category::Computer,
        Category::Unknown,
    ];

    /// A short label for lists.
    pub fn label(self) -> &'static str {
        match self {
            Category::Router => "Router",
            Category::Camera => "Camera",
            Category::Doorbell => "Doorbell",
            Category::Speaker => "Speaker",
            Category::Tv => "TV",
            Category::Printer => "Printer",
            Category::Nas => "NAS",
            Category::Plug => "Plug/bulb",
            Category::Thermostat => "Thermostat",
            Category::Hub => "Hub",
            Category::Console => "Console",
            Category::BabyMonitor => "Baby monitor",
            Category::Vacuum => "Vacuum",
            Category::Lock => "Lock/alarm",
            Category::Energy => "Energy",
            Category::Computer => "Computer",
            Category::Unknown => "Unknown",
        }
    }

    /// The name used in files and on the command line (`baby-monitor`).
    pub fn key(self) -> &'static str {
        match self {
            Category::Router => "router",
            Category::Camera => "camera",
            Category::Doorbell => "doorbell",
            Category::Speaker => "speaker",
            Category::Tv => "tv",
            Category::Printer => "printer",
            Category::Nas => "nas",
            Category::Plug => "plug",
            Category::Thermostat => "thermostat",
            Category::Hub => "hub",
            Category::Console => "console",
            Category::BabyMonitor => "baby-monitor",
            Category::Vacuum => "vacuum",
            Category::Lock => "lock",
            Category::Energy => "energy",
            Category::Computer => "computer",
            Category::Unknown => "unknown",
        }
    }
}

impl FromStr for Category {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.key() == s)
            .ok_or_else(|| ParseError::new("category", s, "expected router, camera, doorbell, speaker, tv, printer, nas, plug, thermostat, hub, console, baby-monitor, vacuum, lock, energy, computer or unknown"))
    }
}

/// Where a service advertisement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceSource {
    /// Multicast DNS / DNS service discovery.
    Mdns,
    /// SSDP / UPnP.
    Upnp,
}

/// A service the device advertises on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// How it was advertised.
    pub source: ServiceSource,
    /// The service or device type, such as `_ipp._tcp` or `urn:schemas-upnp-org:device:MediaRenderer:1`.
    pub kind: String,
    /// The advertised instance or friendly name.
    pub name: String,
    /// The port it listens on, when advertised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Key/value details (mDNS TXT records, UPnP description fields).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub txt: BTreeMap<String, String>,
}

/// A TCP port that answered a connection attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPort {
    /// Port number.
    pub port: u16,
    /// What usually runs there (`telnet`, `http`, `rtsp`).
    pub service: String,
    /// The first bytes the service said, cleaned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Whether the port spoke TLS.
    #[serde(default)]
    pub tls: bool,
}

/// The id of a hardening step in the catalog, such as `RT-01`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(pub String);

impl StepId {
    /// Makes a step id from text.
    pub fn new(s: impl Into<String>) -> Self {
        StepId(s.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StepId({})", self.0)
    }
}

/// Where the owner stands on one step for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum StepState {
    /// Not done yet.
    #[default]
    Todo,
    /// The owner says it is done.
    Done,
    /// porchlight checked over the network that it took.
    Verified,
    /// porchlight checked and it did not take (or came undone).
    Failed,
    /// Does not apply to this device.
    NotApplicable,
    /// The owner knowingly accepts the risk, for the reason given.
    Accepted {
        /// The owner's reason, in their words.
        reason: String,
    },
}

impl StepState {
    /// A short label for lists.
    pub fn label(&self) -> &'static str {
        match self {
            StepState::Todo => "to do",
            StepState::Done => "done",
            StepState::Verified => "verified",
            StepState::Failed => "failed",
            StepState::NotApplicable => "n/a",
            StepState::Accepted { .. } => "accepted",
        }
    }

    /// True when the step needs nothing more from the owner for now.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            StepState::Done
                | StepState::Verified
                | StepState::NotApplicable
                | StepState::Accepted { .. }
        )
    }
}

/// What the audit found for one step of one device, independent of the owner's answer: the
/// owner's [`StepState`] is theirs; a finding only sits beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingVerdict {
    /// The network shows what the step guards against (telnet answering, an open MQTT broker).
    Problem,
    /// The network shows the step's concern is handled already.
    Fine,
    /// porchlight could not tell: not reachable, needs the owner's consent, timed out.
    Unknown,
    /// The device has no such service, and said so ("no web page found": every web port refused).
    NotApplicable,
}

impl FindingVerdict {
    /// The word used in JSON and reports: `problem`, `fine`, `unknown` or `not-applicable`.
    pub fn key(self) -> &'static str {
        match self {
            FindingVerdict::Problem => "problem",
            FindingVerdict::Fine => "fine",
            FindingVerdict::Unknown => "unknown",
            FindingVerdict::NotApplicable => "not-applicable",
        }
    }
}

/// One audit finding: a verdict for one step of one device, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What the check concluded.
    pub verdict: FindingVerdict,
    /// What porchlight saw, one cleaned line ("telnet answers on 192.168.1.1:23 (banner: login:)"),
    /// or why it could not tell.
    pub evidence: String,
    /// When the check ran.
    pub checked_at: Timestamp,
}

/// When porchlight last tried factory logins on one device: logins lock accounts out when tried
/// too often, so they are tried on a new device, after a firmware change, or when the owner asks,
/// never on every scan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoginCheckRecord {
    /// When the logins were last tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<Timestamp>,
    /// The firmware version seen then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// The owner asked for the logins to be tried at the next check (marking a password step
    /// done asks for it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requested: bool,
}

impl LoginCheckRecord {
    /// True when nothing was ever recorded (kept out of the state file).
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A short record of one scan, kept for history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRecord {
    /// When the scan started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Timestamp,
    /// How many devices answered.
    pub devices_seen: usize,
    /// What was scanned ("192.168.1.0/24", "demo home").
    pub scope: String,
}

/// How many scans the state file keeps.
pub const SCAN_HISTORY_LIMIT: usize = 50;

/// Everything porchlight remembers: the saved inventory with each device's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Inventory {
    /// Devices, in the order they were first seen.
    pub devices: Vec<Device>,
    /// Recent scans, newest last, at most [`SCAN_HISTORY_LIMIT`].
    #[serde(default)]
    pub scans: Vec<ScanRecord>,
    /// Devices the owner forgot, and when (a tombstone each), so that another porchlight whose
    /// copy still holds one cannot write it back (see `store/merge.rs`); at most
    /// [`FORGOTTEN_LIMIT`], newest kept. Absent from older state files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forgotten: Vec<Forgotten>,
    /// The home after each finished scan, oldest first, bounded (see [`history`]). Absent from
    /// older state files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPoint>,
}

/// How many forgotten devices the state file remembers.
pub const FORGOTTEN_LIMIT: usize = 500;

/// A device the owner forgot: its id and when. A copy of the device last seen before then is
/// not brought back; a scan that sees it afterwards brings it back as a new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forgotten {
    /// The device's id.
    pub id: DeviceId,
    /// When the owner forgot it.
    pub at: Timestamp,
}

impl Inventory {
    /// Forgets the device with this id and its progress, remembering when (see [`Forgotten`]);
    /// returns the device forgotten.
    pub fn forget(&mut self, id: &DeviceId, now: Timestamp) -> Option<Device> {
        let at = self.devices.iter().position(|d| &d.id == id)?;
        let device = self.devices.remove(at);
        self.forgotten.retain(|f| &f.id != id);
        self.forgotten.push(Forgotten {
            id: id.clone(),
            at: now,
        });
        let excess = self.forgotten.len().saturating_sub(FORGOTTEN_LIMIT);
        self.forgotten.drain(..excess);
        Some(device)
    }

    /// The device with this id.
    pub fn device(&self, id: &DeviceId) -> Option<&Device> {
        self.devices.iter().find(|d| &d.id == id)
    }

    /// The device with this id, to change.
    pub fn device_mut(&mut self, id: &DeviceId) -> Option<&mut Device> {
        self.devices.iter_mut().find(|d| &d.id == id)
    }

    /// True when the device missed the latest scans ([`Device::OFFLINE_AFTER`] in a row: one
    /// scan on Wi-Fi misses a device now and then). It is kept, never dropped silently.
    pub fn is_offline(&self, device: &Device) -> bool {
        device.missed_scans >= Device::OFFLINE_AFTER
            && self
                .scans
                .last()
                .is_some_and(|scan| device.last_seen < scan.started_at)
    }

    /// Devices the owner has not yet recognised as theirs.
    pub fn new_devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(|d| !d.known)
    }

    /// Adds the home's state after a finished scan, bounding the history (see [`history`]).
    pub fn push_history(&mut self, point: HistoryPoint) {
        self.history.push(point);
        history::bound(&mut self.history);
    }

    /// Adds a scan record, dropping the oldest beyond the limit.
    pub fn push_scan(&mut self, record: ScanRecord) {
        self.scans.push(record);
        let excess = self.scans.len().saturating_sub(SCAN_HISTORY_LIMIT);
        self.scans.drain(..excess);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn mac_round_trips_and_rejects_junk() {
        let m: MacAddr = "3C:22:FB:01:02:0a".parse().unwrap();
        assert_eq!(m.to_string(), "3c:22:fb:01:02:0a");
        assert!(!m.is_locally_administered());
        let r: MacAddr = "da:a1:19:00:00:01".parse().unwrap();
        assert!(r.is_locally_administered());
        for bad in [
            "",
            "3c:22:fb:01:02",
            "3c:22:fb:01:02:0g",
            "3c:22:fb:01:02:0aa",
        ] {
            assert!(bad.parse::<MacAddr>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn device_ids_round_trip_through_text() {
        for text in [
            "mac:3c:22:fb:01:02:03",
            "udn:uuid:2fac1234-31f8-11b4-a222-08002b34c003",
            "host:printer.local",
            "ip:192.168.1.20",
        ] {
            let id: DeviceId = text.parse().unwrap();
            assert_eq!(id.to_string(), text);
        }
        assert!("ip:999.1.1.1".parse::<DeviceId>().is_err());
        assert!("serial:123".parse::<DeviceId>().is_err());
        assert!("mac:".parse::<DeviceId>().is_err());
    }

    #[test]
    fn step_state_serialises_with_its_reason() {
        let p = StepProgress::new(
            StepState::Accepted {
                reason: "ISP locks this setting".into(),
            },
            Timestamp::UNIX_EPOCH,
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""state":"accepted""#), "{json}");
        assert!(json.contains("ISP locks this setting"), "{json}");
        let back: StepProgress = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn categories_parse_from_their_keys() {
        for c in Category::ALL {
            assert_eq!(c.key().parse::<Category>().unwrap(), c);
        }
        assert!("fridge".parse::<Category>().is_err());
    }

    #[test]
    fn state_files_from_before_the_login_record_and_verdict_details_still_load() {
        let old = r#"{"id":"ip:10.0.0.9","name":"Camera","category":"camera",
            "first_seen":"2026-01-01T00:00:00Z","last_seen":"2026-01-02T00:00:00Z",
            "login_check_allowed":true,
            "progress":{"G-01":{"state":"verified","changed_at":"2026-01-02T00:00:00Z",
                "evidence":"none of the factory logins tried worked"}}}"#;
        let d: Device = serde_json::from_str(old).unwrap();
        assert!(d.login_check_allowed);
        assert!(d.login_check.is_empty());
        let p = &d.progress[&StepId::new("G-01")];
        assert_eq!(
            (p.unconfirmed.as_ref(), p.cannot_check.as_ref()),
            (None, None)
        );
        // And an empty record is not written back.
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("login_check\""), "{json}");
        assert!(!json.contains("unconfirmed"), "{json}");
    }

    #[test]
    fn scan_history_is_bounded() {
        let mut inv = Inventory::default();
        for n in 0..(SCAN_HISTORY_LIMIT + 7) {
            inv.push_scan(ScanRecord {
                started_at: Timestamp::UNIX_EPOCH,
                finished_at: Timestamp::UNIX_EPOCH,
                devices_seen: n,
                scope: "test".into(),
            });
        }
        assert_eq!(inv.scans.len(), SCAN_HISTORY_LIMIT);
        assert_eq!(
            inv.scans.last().map(|s| s.devices_seen),
            Some(SCAN_HISTORY_LIMIT + 6)
        );
    }
}
