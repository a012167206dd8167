//! The "Fix first" list: everything that needs the owner, ordered by risk. Found problems come
//! first (a botnet or takeover risk before exposure, spreading, eavesdropping or unpatched holes,
//! those before privacy), then checks that came undone, then devices new on the network, then steps
//! due for a look again. Shared by the TUI, `remind` and the reports. Pure: the clock is passed in.

use std::net::Ipv4Addr;

use jiff::Timestamp;
use serde::Serialize;

use crate::catalog::{Catalog, Step, Threat};
use crate::model::{Device, DeviceId, FindingVerdict, Inventory, StepId, StepState};
use crate::reminders::{DueContext, Why, due};

/// What kind of item a line of the Fix first list is, in the order the list shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    /// The audit found the problem the step guards against.
    Problem,
    /// A step the owner had settled failed its check: the fix came undone.
    Regression,
    /// A device the owner has not recognised joined the network.
    NewDevice,
    /// A settled step is due for a look again (interval, firmware change, snooze over...).
    Due,
}

/// How bad the worst outcome of a step is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskRank {
    /// Recruited into a botnet, or taken over.
    Takeover,
    /// Exposed, spreading to the rest of the home, snooped on, or left unpatched.
    Exposure,
    /// Private data leaks.
    Privacy,
}

impl RiskRank {
    /// The rank of a step: the worst of its threats.
    pub fn of(step: &Step) -> RiskRank {
        step.threats
            .iter()
            .map(|t| match t {
                Threat::Botnet | Threat::Takeover => RiskRank::Takeover,
                Threat::Spread | Threat::Eavesdropping | Threat::Unpatched => RiskRank::Exposure,
                Threat::Privacy => RiskRank::Privacy,
            })
            .min()
            .unwrap_or(RiskRank::Privacy)
    }
}

/// One line of the Fix first list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixItem {
    /// What kind of item it is.
    pub kind: FixKind,
    /// The device.
    pub device: DeviceId,
    /// Its display name.
    pub device_name: String,
    /// Its current address, when known.
    pub ip: Option<Ipv4Addr>,
    /// The step, unless the item is about the device itself (a new device).
    pub step: Option<StepId>,
    /// The worst outcome of the step (for a new device: takeover, since nothing is known of it).
    pub risk: RiskRank,
    /// The problem in plain words: the step and its risk ("Turn off telnet (risk: joins a botnet)").
    pub problem: String,
    /// What porchlight saw (the finding's evidence), or why the item is listed.
    pub evidence: String,
    /// Since when it needs the owner.
    pub since: Timestamp,
}

/// Everything that needs the owner at `now`, ordered by risk: found problems (by [`RiskRank`]),
/// regressions, new devices, due steps. Each (device, step) appears once: a found problem on a
/// step that also came undone is listed as a problem. A problem on a step whose risk the owner
/// accepted, or that they put off until later than `now`, is left out: the owner has answered.
pub fn fix_first(
    catalog: &Catalog,
    inventory: &Inventory,
    ctx: &DueContext,
    now: Timestamp,
) -> Vec<FixItem> {
    let mut out = Vec::new();
    for device in &inventory.devices {
        let item = |kind, step: Option<&Step>, problem: String, evidence: String, since| FixItem {
            kind,
            device: device.id.clone(),
            device_name: device.name().to_string(),
            ip: device.ip,
            step: step.map(|s| s.id.clone()),
            risk: step.map_or(RiskRank::Takeover, RiskRank::of),
            problem,
            evidence,
            since,
        };
        let mut listed: Vec<&StepId> = Vec::new();
        let open: Vec<u16> = device.open_ports.iter().map(|p| p.port).collect();
        for (step_id, finding) in &device.findings {
            if finding.verdict != FindingVerdict::Problem {
                continue;
            }
            // A finding of a step that no longer applies (the kind changed, the port it was
            // audited for now refuses) is history, not a problem.
            let Some(step) = catalog
                .step(step_id)
                .filter(|s| s.audited_for(device.category(), &open))
            else {
                continue;
            };
            if owner_set_aside(device, step_id, now) {
                continue;
            }
            listed.push(step_id);
            let undone = device.step_state(step_id) == StepState::Failed;
            out.push(item(
                FixKind::Problem,
                Some(step),
                problem_words(step, undone),
                finding.evidence.clone(),
                finding.checked_at,
            ));
        }
        if !device.known {
            out.push(item(
                FixKind::NewDevice,
                None,
                "New on your network: find out what it is, and mark it as yours or deal with it"
                    .into(),
                format!(
                    "first seen {}",
                    device
                        .ip
                        .map_or_else(|| "on your network".into(), |ip| format!("at {ip}"))
                ),
                device.first_seen,
            ));
        }
        for step in catalog.steps_of(device) {
            if listed.contains(&&step.id) {
                continue;
            }
            let Some((at, why)) = due(step, device, ctx) else {
                continue;
            };
            if at > now {
                continue;
            }
            let evidence = device
                .progress
                .get(&step.id)
                .and_then(|p| p.evidence.clone())
                .unwrap_or_else(|| why.label().to_string());
            let (kind, problem) = if why == Why::Regression {
                (FixKind::Regression, problem_words(step, true))
            } else {
                (FixKind::Due, format!("{} ({})", step.title, why.label()))
            };
            out.push(item(kind, Some(step), problem, evidence, at));
        }
    }
    let position = |id: &DeviceId| inventory.devices.iter().position(|d| &d.id == id);
    out.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(a.risk.cmp(&b.risk))
            .then(position(&a.device).cmp(&position(&b.device)))
            .then(a.since.cmp(&b.since))
            .then(a.step.cmp(&b.step))
    });
    out
}

/// True when the owner accepted the step's risk or put it off past `now`.
fn owner_set_aside(device: &Device, step: &StepId, now: Timestamp) -> bool {
    device.progress.get(step).is_some_and(|p| {
        matches!(p.state, StepState::Accepted { .. }) || p.snoozed_until.is_some_and(|t| t > now)
    })
}

/// The problem in plain words: what to do, and what could happen meanwhile.
fn problem_words(step: &Step, undone: bool) -> String {
    let threat = step
        .threats
        .iter()
        .min_by_key(|t| match t {
            Threat::Botnet | Threat::Takeover => 0,
            Threat::Spread | Threat::Eavesdropping | Threat::Unpatched => 1,
            Threat::Privacy => 2,
        })
        .map(|t| t.label())
        .unwrap_or("at risk");
    if undone {
        format!("{} (came undone; risk: {threat})", step.title)
    } else {
        format!("{} (risk: {threat})", step.title)
    }
}
