//! The "Fix first" list and the findings as the TUI shows them: what the last scan found wrong
//! (most dangerous first), then what came undone, new devices and steps due for a look again, then
//! steps that still say "to do" although the scan found them fine ("looks fine already: confirm?").
//!
//! Findings never change the owner's answers by themselves: confirming a step that looks fine is
//! one key press of the owner's ([`crate::tui::home::Home::confirm_fine`]), recorded as verified
//! with the evidence. This file holds the list's items and the rules that pick them; `home.rs`
//! builds the list.

use jiff::Timestamp;

use crate::catalog::{Step, Threat};
use crate::model::{Device, DeviceId, Finding, FindingVerdict, StepId, StepState};
use crate::reminders::Why;
use crate::session::groups::{self, GroupKey};

/// What kind of line of the Fix first list this is, in the order the list shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// The last scan found the problem this step guards against.
    Problem,
    /// A step the owner had settled failed its check: the fix came undone.
    Regression,
    /// A device the owner has not recognised joined the network.
    NewDevice,
    /// A settled step is due for a look again, for this reason.
    Due(Why),
    /// The step is still to do, but the last scan found it fine: the owner may confirm it.
    LooksFine,
}

/// One line of the Fix first list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixItem {
    /// Why it is on the list.
    pub kind: FixKind,
    /// The device.
    pub device: DeviceId,
    /// Its name.
    pub device_name: String,
    /// Its address, when known (tells apart devices of the same name in an entry).
    pub ip: Option<std::net::Ipv4Addr>,
    /// How bad the worst outcome is, most urgent first (0: takeover); 0 for lines with no step.
    pub rank: u8,
    /// The step, unless the line is about the device itself (a new device).
    pub step: Option<StepId>,
    /// What to do, in the owner's words (the step's title).
    pub title: String,
    /// What porchlight saw, when a finding or a check backs the line.
    pub evidence: Option<String>,
    /// What could happen if it is left as it is ("joins a botnet"), for problems and regressions.
    pub risk: Option<&'static str>,
    /// Since when it needs the owner.
    pub since: Timestamp,
}

impl FixItem {
    /// A short label of why the line is here.
    pub fn why_label(&self) -> &'static str {
        match self.kind {
            FixKind::Problem => "found in the last scan",
            FixKind::Regression => Why::Regression.label(),
            FixKind::NewDevice => Why::NewDevice.label(),
            FixKind::Due(why) => why.label(),
            FixKind::LooksFine => "looks fine: confirm?",
        }
    }
}

/// The finding that makes `step` a found problem on `device` at `now`: the check said problem,
/// and the owner has neither accepted the risk nor put the step off (as the engine's list counts).
pub fn open_problem<'a>(device: &'a Device, step: &StepId, now: Timestamp) -> Option<&'a Finding> {
    let finding = device
        .findings
        .get(step)
        .filter(|f| f.verdict == FindingVerdict::Problem)?;
    let set_aside = device.progress.get(step).is_some_and(|p| {
        matches!(p.state, StepState::Accepted { .. }) || p.snoozed_until.is_some_and(|t| t > now)
    });
    (!set_aside).then_some(finding)
}

/// The finding that makes `step` "looks fine already" on `device`: still to do, checked fine.
pub fn looks_fine<'a>(device: &'a Device, step: &StepId) -> Option<&'a Finding> {
    let finding = device
        .findings
        .get(step)
        .filter(|f| f.verdict == FindingVerdict::Fine)?;
    (device.step_state(step) == StepState::Todo).then_some(finding)
}

/// The worst thing that could happen while `step` is left undone, in plain words.
pub fn worst_threat(step: &Step) -> Option<&'static str> {
    step.threats
        .iter()
        .min_by_key(|t| match t {
            Threat::Botnet | Threat::Takeover => 0,
            Threat::Spread | Threat::Eavesdropping | Threat::Unpatched => 1,
            Threat::Privacy => 2,
        })
        .map(|t| t.label())
}

/// One entry of the Fix first list: one line, or one problem found on several devices (then
/// Enter opens the list of them), or a household problem said once for the whole home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixEntry {
    /// What the lines share.
    pub key: GroupKey,
    /// The step the lines are listed under is a household step (RT-13).
    pub household: bool,
    /// The title of that step ("Give guests and smart devices their own network").
    pub title: String,
    /// The lines, most urgent first; never empty.
    pub items: Vec<FixItem>,
}

impl FixEntry {
    /// The first (most urgent) line.
    pub fn head(&self) -> Option<&FixItem> {
        self.items.first()
    }

    /// True when the entry stands for several lines (Enter lists them).
    pub fn is_group(&self) -> bool {
        self.items.len() > 1
    }

    /// What the entry says was seen: the household sentence, the devices it was found on, or
    /// the single line's evidence.
    pub fn summary(&self, shown: usize) -> Option<String> {
        let head = self.head()?;
        if self.household {
            let labels = self.labels();
            let gadgets: Vec<&str> = self
                .items
                .iter()
                .zip(&labels)
                .filter(|(i, _)| i.step.as_ref() != self.key.step.as_ref())
                .map(|(_, l)| l.as_str())
                .collect();
            if gadgets.is_empty() {
                return head.evidence.clone();
            }
            return Some(groups::household_line(&gadgets, shown));
        }
        if self.items.len() == 1 {
            return head.evidence.clone();
        }
        let labels = self.labels();
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        let on = match head.kind {
            FixKind::Problem => "found on",
            FixKind::Regression => "came undone on",
            FixKind::NewDevice => "new:",
            FixKind::Due(_) => "due on",
            FixKind::LooksFine => "looks fine on",
        };
        Some(format!("{on} {}", groups::names_line(&names, shown)))
    }

    /// Each line's device as the entry names it: its name, with its address where another
    /// device of the entry has the same name ("Unnamed device (10.0.0.7)").
    pub fn labels(&self) -> Vec<String> {
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for item in &self.items {
            *counts.entry(item.device_name.as_str()).or_default() += 1;
        }
        self.items
            .iter()
            .map(|i| match i.ip {
                Some(ip) if counts.get(i.device_name.as_str()).is_some_and(|&n| n > 1) => {
                    format!("{} ({ip})", i.device_name)
                }
                _ => i.device_name.clone(),
            })
            .collect()
    }

    /// How many devices the entry is about.
    pub fn devices(&self) -> usize {
        let mut ids: Vec<&DeviceId> = self.items.iter().map(|i| &i.device).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// The order of a line's kind in the list, for grouping.
pub fn kind_rank(kind: FixKind) -> u8 {
    match kind {
        FixKind::Problem => 0,
        FixKind::Regression => 1,
        FixKind::NewDevice => 2,
        FixKind::Due(_) => 3,
        FixKind::LooksFine => 4,
    }
}
