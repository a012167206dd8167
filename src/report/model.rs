//! The report's value: everything [`build`](super::build) gathers, in the shape every format
//! renders and the JSON shows (documented and versioned by
//! [`FORMAT_VERSION`](super::FORMAT_VERSION)).

use std::net::Ipv4Addr;

use jiff::Timestamp;
use serde::Serialize;

use super::FoundProblem;
use crate::catalog;
use crate::model::{Category, DeviceId, MacAddr, ServiceSource, StepState};
use crate::reminders::Why;

/// The whole picture of the home: the value every format renders, and the JSON structure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The version of this structure ([`FORMAT_VERSION`](super::FORMAT_VERSION)).
    pub format_version: u32,
    /// The heading.
    pub title: String,
    /// The moment the report describes.
    pub generated_at: Timestamp,
    /// The owner's time zone (an IANA name such as `Europe/London`, or an offset).
    pub time_zone: String,
    /// The household summary: how safe the home is now and how that changed, the most
    /// dangerous open problem, what is due next (three plain sentences, as the TUI shows them).
    pub household: Vec<String>,
    /// The home after each finished scan, oldest first (bounded: one point a day past a month,
    /// at most 400): its score, problems found, steps open and devices.
    pub history: Vec<crate::model::HistoryPoint>,
    /// The problems the audit found, riskiest first (the report opens with them).
    pub found_problems: Vec<FoundProblem>,
    /// The home score and the counts beside it.
    pub summary: Summary,
    /// What needs the owner, most urgent first (as `porchlight remind` lists it).
    pub due: Vec<DueItem>,
    /// Every step whose risk the owner accepted, with their reason.
    pub accepted_risks: Vec<AcceptedRisk>,
    /// Every device, lowest score first, then by name.
    pub devices: Vec<DeviceReport>,
}

/// The home at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The home's safety score, 0 to 100 (see [`crate::score::home_score`]).
    pub home_score: u8,
    /// How many devices are known.
    pub devices: usize,
    /// Devices with every step settled (done, verified, not applicable or accepted).
    pub fully_hardened: usize,
    /// Steps whose check failed, over all devices.
    pub failed_checks: usize,
    /// Devices the owner has not recognised as theirs yet.
    pub new_devices: usize,
    /// Devices that did not answer the latest scan.
    pub offline_devices: usize,
    /// Steps never started, over all devices.
    pub steps_not_started: usize,
    /// Entries in [`Report::due`].
    pub due_now: usize,
}

/// One thing that needs the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// The device's id.
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// The step's id, unless the reminder is about the device itself.
    pub step: Option<String>,
    /// What to do.
    pub title: String,
    /// Why now.
    pub why: Why,
    /// Since when it is due.
    pub due: Timestamp,
}

/// A risk the owner chose to live with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedRisk {
    /// The device's id.
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// The step's id.
    pub step: String,
    /// The step's title.
    pub title: String,
    /// The owner's reason, in their words.
    pub reason: String,
    /// When they accepted it.
    pub accepted_at: Timestamp,
    /// When to think about it again (`None`: only when something changes).
    pub look_again: Option<Timestamp>,
}

/// One device, all of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceReport {
    /// Stable id (`mac:...`, `udn:...`, `host:...` or `ip:...`).
    pub id: DeviceId,
    /// Display name.
    pub name: String,
    /// The kind of device its checklist is for (the owner's choice where they made one).
    pub category: Category,
    /// Maker, when known.
    pub vendor: Option<String>,
    /// Model, when known.
    pub model: Option<String>,
    /// Firmware version, when known.
    pub firmware: Option<String>,
    /// Current IPv4 address.
    pub ip: Option<Ipv4Addr>,
    /// Hardware address.
    pub mac: Option<MacAddr>,
    /// Host names.
    pub hostnames: Vec<String>,
    /// Not yet recognised by the owner.
    pub new: bool,
    /// Did not answer the latest scan.
    pub offline: bool,
    /// It was the network's default gateway.
    pub gateway: bool,
    /// First seen.
    pub first_seen: Timestamp,
    /// Last seen.
    pub last_seen: Timestamp,
    /// Its safety score.
    pub score: DeviceScore,
    /// What porchlight thinks it is, and why (absent when no fingerprints were given).
    pub identification: Option<Identification>,
    /// TCP ports that answered.
    pub open_ports: Vec<PortFinding>,
    /// Services it announces.
    pub services: Vec<ServiceFinding>,
    /// Every step for its kind, in checklist order.
    pub checklist: Vec<StepReport>,
}

/// A device's score, in brief; each open step's worth is on its [`StepReport::points`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceScore {
    /// 0 to 100.
    pub value: u8,
    /// Weight of the done and verified steps.
    pub earned: u32,
    /// Weight of every counted step.
    pub possible: u32,
    /// Steps that need the owner now (see [`crate::standing::StepStatus`]): not settled, not put off.
    pub open: usize,
    /// Steps put off until later.
    pub postponed: usize,
    /// Steps whose check failed.
    pub failed: usize,
    /// Steps settled (done, verified, not applicable or accepted), out of `total`.
    pub settled: usize,
    /// Steps that apply to the device.
    pub total: usize,
    /// Steps not counted: not applicable, or risk accepted.
    pub excluded: usize,
}

/// What porchlight concluded about a device from what it announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identification {
    /// The kind it looks like ([`Category::Unknown`] when the evidence is thin).
    pub category: Category,
    /// How sure, 0 to 100.
    pub confidence: u8,
    /// The kind the owner set, which beats the guess.
    pub owner_category: Option<Category>,
    /// Its hardware address is randomised, so it names no maker.
    pub private_mac: bool,
    /// The strongest signals, at most [`EVIDENCE_SHOWN`](super::EVIDENCE_SHOWN).
    pub evidence: Vec<EvidenceLine>,
    /// How many weaker signals were left out.
    pub more_evidence: usize,
}

/// One reason behind an identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLine {
    /// What was seen.
    pub signal: String,
    /// What it suggests.
    pub conclusion: String,
    /// Points it is worth.
    pub weight: u8,
}

/// A TCP port that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortFinding {
    /// Port number.
    pub port: u16,
    /// What usually runs there.
    pub service: String,
    /// It spoke TLS.
    pub tls: bool,
    /// The first words it said, cleaned.
    pub banner: Option<String>,
}

/// A service the device announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFinding {
    /// How it was announced (`mdns` or `upnp`).
    pub source: ServiceSource,
    /// The service or device type.
    pub kind: String,
    /// The announced name.
    pub name: String,
    /// Its port, when announced.
    pub port: Option<u16>,
}

/// Where a step stands, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// Not done yet.
    Todo,
    /// The owner says it is done.
    Done,
    /// porchlight checked over the network that it took.
    Verified,
    /// porchlight checked and it did not take, or came undone: a regression.
    Failed,
    /// Does not apply to this device.
    NotApplicable,
    /// The owner accepts the risk (see [`StepReport::reason`]).
    Accepted,
}

impl StepStatus {
    pub(super) fn of(state: &StepState) -> Self {
        match state {
            StepState::Todo => StepStatus::Todo,
            StepState::Done => StepStatus::Done,
            StepState::Verified => StepStatus::Verified,
            StepState::Failed => StepStatus::Failed,
            StepState::NotApplicable => StepStatus::NotApplicable,
            StepState::Accepted { .. } => StepStatus::Accepted,
        }
    }

    /// Words for the owner.
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Todo => "to do",
            StepStatus::Done => "done",
            StepStatus::Verified => "verified",
            StepStatus::Failed => "failed: regression",
            StepStatus::NotApplicable => "not applicable",
            StepStatus::Accepted => "accepted",
        }
    }

    /// A mark that carries the meaning without colour (for print and for plain text).
    pub fn mark(self) -> &'static str {
        match self {
            StepStatus::Todo => "○",
            StepStatus::Done | StepStatus::Verified => "✓",
            StepStatus::Failed => "✗",
            StepStatus::NotApplicable => "–",
            StepStatus::Accepted => "!",
        }
    }

    pub(super) fn is_open(self) -> bool {
        matches!(self, StepStatus::Todo | StepStatus::Failed)
    }
}

impl StepReport {
    /// The state in the owner's words: `verified in part` for a step verified in part.
    pub fn state_label(&self) -> &'static str {
        if self.unconfirmed.is_some() {
            "verified in part"
        } else {
            self.state.label()
        }
    }
}

/// One step of one device's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// The step's id (`RT-01`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub state: StepStatus,
    /// The owner's reason, for an accepted risk.
    pub reason: Option<String>,
    /// The owner's note.
    pub note: Option<String>,
    /// For a step porchlight verified in part: what the owner must still confirm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
    /// For a done step whose network check could not tell: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_check: Option<String>,
    /// When the state was set (`None`: never touched).
    pub set_at: Option<Timestamp>,
    /// When it is next due (`None`: not applicable, or only when something changes).
    pub due: Option<Timestamp>,
    /// Why it is due then (`None` for a step simply not done yet).
    pub due_why: Option<Why>,
    /// It is due now (at or before [`Report::generated_at`]).
    pub due_now: bool,
    /// How often it is looked at again once settled.
    pub recheck: catalog::Recheck,
    /// For an open step: the points doing it would add to the device's score.
    pub points: Option<f64>,
    /// The standards and guidance it comes from.
    pub standards: Vec<String>,
    /// Pages with help (https addresses).
    pub help: Vec<HelpLink>,
}

/// A page with help on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelpLink {
    /// What the page is.
    pub title: String,
    /// Its https address.
    pub url: String,
}
