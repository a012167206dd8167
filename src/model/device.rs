//! One device of the home ([`Device`]): what is known of it, the owner's progress on it, and its
//! name and kind as detected beside the owner's overrides, read through accessors that give the
//! one value to go by.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    Category, DeviceId, Evidence, Finding, LoginCheckRecord, MacAddr, OpenPort, Service, StepId,
    StepProgress, StepState,
};

/// One physical device in the home, with what is known of it and the owner's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Stable identity.
    pub id: DeviceId,
    /// The name porchlight found or made up ("Living-room TV"); the owner's beats it, see
    /// [`Device::name`].
    name: String,
    /// The kind porchlight detected; the owner's beats it, see [`Device::category`].
    category: Category,
    /// Maker, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Model, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Firmware version, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// Current IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// Hardware address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacAddr>,
    /// Host names (mDNS, DHCP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Advertised services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// Ports that accepted a connection when last probed with an answer (a port that stayed
    /// silent keeps what was known of it before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_ports: Vec<OpenPort>,
    /// Risky ports the device refused when last probed: positive evidence that they were closed,
    /// which is what lets a later scan call one of them "newly open".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_ports: Vec<u16>,
    /// Scans in a row that looked for the device in its network and did not see it (reset when
    /// it is seen). A device counts as offline only after [`Device::OFFLINE_AFTER`] of them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub missed_scans: u32,
    /// First time porchlight saw it.
    pub first_seen: Timestamp,
    /// Last time porchlight saw it.
    pub last_seen: Timestamp,
    /// The owner recognises this device as theirs.
    #[serde(default)]
    pub known: bool,
    /// Progress per step.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub progress: BTreeMap<StepId, StepProgress>,
    /// The name the owner gave it; beats any name porchlight infers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner_name: Option<String>,
    /// The category the owner set; beats any inference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner_category: Option<Category>,
    /// It was the default gateway (the router) when last seen.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gateway: bool,
    /// The owner allowed porchlight to try factory logins on this device (a few tries, only the
    /// defaults that fit its maker and kind).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub login_check_allowed: bool,
    /// When the factory logins were last tried, so they run again only after a firmware change
    /// or when the owner asks (see `checks::login_policy`).
    #[serde(default, skip_serializing_if = "LoginCheckRecord::is_empty")]
    pub login_check: LoginCheckRecord,
    /// The audit's latest finding per step (problem, fine, unknown), beside the owner's progress.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub findings: BTreeMap<StepId, Finding>,
    /// The owner marked it as always on: `porchlight watch` says so when a scan misses it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub always_on: bool,
    /// Further addresses and names the network gave.
    #[serde(default, skip_serializing_if = "Evidence::is_empty")]
    pub evidence: Evidence,
}

/// For serde: leave a zero count out of the file.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Device {
    /// Scans in a row a device must miss before it counts as offline: one scan on a lossy
    /// network misses a device now and then, and a device asleep misses one too.
    pub const OFFLINE_AFTER: u32 = 2;
    /// The most host names kept per device (bounds a chatty or hostile device).
    pub const MAX_HOSTNAMES: usize = 8;
    /// The most services kept per device (bounds a chatty or hostile device).
    pub const MAX_SERVICES: usize = 64;

    /// The name to show: the owner's when they gave one, else the one porchlight found.
    pub fn name(&self) -> &str {
        self.owner_name.as_deref().unwrap_or(&self.name)
    }

    /// This device as a new one, first seen when it was last seen: what the network showed of
    /// it, without the owner's answers, marks and the findings from before (a forgotten device a
    /// scan saw again).
    pub fn seen_anew(&self) -> Device {
        let mut d = Device::new(self.id.clone(), self.name.clone(), self.last_seen);
        d.category = self.category;
        d.vendor = self.vendor.clone();
        d.model = self.model.clone();
        d.firmware = self.firmware.clone();
        d.ip = self.ip;
        d.mac = self.mac;
        d.hostnames = self.hostnames.clone();
        d.services = self.services.clone();
        d.open_ports = self.open_ports.clone();
        d.gateway = self.gateway;
        d.evidence = self.evidence.clone();
        d
    }

    /// The name porchlight found or made up, whatever the owner set.
    pub fn detected_name(&self) -> &str {
        &self.name
    }

    /// The name the owner gave, if any.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner_name.as_deref()
    }

    /// Sets (or with `None` clears) the owner's name, which beats the detected one.
    pub fn set_owner_name(&mut self, name: Option<String>) {
        self.owner_name = name;
    }

    /// Records the name porchlight found or made up (the owner's, if set, still wins).
    pub fn set_detected_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The kind to go by: the owner's when they set one, else the one porchlight detected.
    pub fn category(&self) -> Category {
        self.owner_category.unwrap_or(self.category)
    }

    /// The kind porchlight detected, whatever the owner set.
    pub fn detected_category(&self) -> Category {
        self.category
    }

    /// The kind the owner set, if any.
    pub fn owner_category(&self) -> Option<Category> {
        self.owner_category
    }

    /// Sets (or with `None` clears) the owner's kind, which beats the detected one.
    pub fn set_owner_category(&mut self, category: Option<Category>) {
        self.owner_category = category;
    }

    /// Records the kind porchlight detected (the owner's, if set, still wins).
    pub fn set_detected_category(&mut self, category: Category) {
        self.category = category;
    }

    /// A device known only by its id, first seen at `now`.
    pub fn new(id: DeviceId, name: impl Into<String>, now: Timestamp) -> Self {
        Self {
            id,
            name: name.into(),
            category: Category::Unknown,
            vendor: None,
            model: None,
            firmware: None,
            ip: None,
            mac: None,
            hostnames: Vec::new(),
            services: Vec::new(),
            open_ports: Vec::new(),
            closed_ports: Vec::new(),
            missed_scans: 0,
            first_seen: now,
            last_seen: now,
            known: false,
            progress: BTreeMap::new(),
            owner_name: None,
            owner_category: None,
            gateway: false,
            login_check_allowed: false,
            login_check: LoginCheckRecord::default(),
            findings: BTreeMap::new(),
            always_on: false,
            evidence: Evidence::default(),
        }
    }

    /// The state of `step` for this device (to do when never touched).
    pub fn step_state(&self, step: &StepId) -> StepState {
        self.progress
            .get(step)
            .map(StepProgress::effective)
            .unwrap_or_default()
    }

    /// Records the owner's answer for `step` at `now`, clearing any snooze and noting the
    /// firmware. What porchlight saw of the step before is cleared too (as of `now`, so a merge
    /// does not bring it back over the new answer); a verdict seen later goes beside the answer.
    /// `Verified` is the owner's "done" confirmed by what porchlight saw just now (`y` on a step
    /// the scan found fine); `Failed` likewise.
    pub fn set_step_state(&mut self, step: &StepId, state: StepState, now: Timestamp) {
        let check = match state {
            StepState::Verified => Some(true),
            StepState::Failed => Some(false),
            _ => None,
        };
        let answer = if check.is_some() {
            StepState::Done
        } else {
            state
        };
        let mut progress = StepProgress::new(answer, now);
        progress.firmware.clone_from(&self.firmware);
        progress.seen_at = Some(now);
        if let Some(passed) = check {
            progress.check = Some(crate::model::CheckMark::after(None, passed, now));
            progress.seen_at = Some(now);
        }
        self.progress.insert(step.clone(), progress);
    }

    /// Puts `step` off until `until` without changing its state.
    pub fn snooze_step(&mut self, step: &StepId, until: Timestamp, now: Timestamp) {
        let entry = self
            .progress
            .entry(step.clone())
            .or_insert_with(|| StepProgress::new(StepState::Todo, now));
        entry.snoozed_until = Some(until);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn camera() -> Device {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut d = Device::new(DeviceId::Ip(Ipv4Addr::new(10, 0, 0, 9)), "ipc-1234", now);
        d.set_detected_category(Category::Camera);
        d
    }

    #[test]
    fn the_owners_name_and_kind_beat_the_detected_ones_until_cleared() {
        let mut d = camera();
        assert_eq!((d.name(), d.category()), ("ipc-1234", Category::Camera));
        d.set_owner_name(Some("Garden camera".into()));
        d.set_owner_category(Some(Category::Doorbell));
        // A later scan detects something else: the owner's values still win.
        d.set_detected_name("IPC Pro");
        d.set_detected_category(Category::Camera);
        assert_eq!(
            (d.name(), d.category()),
            ("Garden camera", Category::Doorbell)
        );
        assert_eq!(d.detected_name(), "IPC Pro");
        assert_eq!(d.detected_category(), Category::Camera);
        assert_eq!(d.owner_name(), Some("Garden camera"));
        assert_eq!(d.owner_category(), Some(Category::Doorbell));
        d.set_owner_name(None);
        d.set_owner_category(None);
        assert_eq!((d.name(), d.category()), ("IPC Pro", Category::Camera));
    }

    #[test]
    fn state_files_keep_their_field_names_both_ways() {
        let mut d = camera();
        d.set_owner_name(Some("Garden camera".into()));
        d.set_owner_category(Some(Category::Doorbell));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["name"], "ipc-1234");
        assert_eq!(json["category"], "camera");
        assert_eq!(json["owner_name"], "Garden camera");
        assert_eq!(json["owner_category"], "doorbell");
        assert_eq!(serde_json::from_value::<Device>(json).unwrap(), d);
        // A file from before the accessors, which wrote the owner's values into both fields.
        let old = r#"{"id":"ip:10.0.0.9","name":"Garden camera","category":"doorbell",
            "owner_name":"Garden camera","owner_category":"doorbell",
            "first_seen":"2026-01-01T00:00:00Z","last_seen":"2026-01-02T00:00:00Z"}"#;
        let d: Device = serde_json::from_str(old).unwrap();
        assert_eq!(
            (d.name(), d.category()),
            ("Garden camera", Category::Doorbell)
        );
    }
}
