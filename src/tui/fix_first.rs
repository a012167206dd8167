//! The "Fix first" list and the findings as the TUI shows them: what the last scan found wrong
//! (most dangerous first), then what came undone, new devices and steps due for a look again, then
//! steps that still say "to do" although the scan found them fine ("looks fine already: confirm?").
//!
//! Findings never change the owner's answers by themselves: confirming a step that looks fine is
//! one key press of the owner's ([`App::confirm_fine`]), recorded as verified with the evidence.

use jiff::Timestamp;

use crate::catalog::{Step, Threat};
use crate::model::{Device, DeviceId, Finding, FindingVerdict, StepId, StepState};
use crate::reminders::Why;
use crate::session::FixKind as EngineKind;

use super::app::{App, Command, Screen, Tone};

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
fn worst_threat(step: &Step) -> Option<&'static str> {
    step.threats
        .iter()
        .min_by_key(|t| match t {
            Threat::Botnet | Threat::Takeover => 0,
            Threat::Spread | Threat::Eavesdropping | Threat::Unpatched => 1,
            Threat::Privacy => 2,
        })
        .map(|t| t.label())
}

impl App {
    /// How many found problems are open over the whole home (the header's count).
    pub fn problems_found(&self) -> usize {
        self.inventory
            .devices
            .iter()
            .map(|d| self.problems_on(d))
            .sum()
    }

    /// How many found problems are open on `device`.
    pub fn problems_on(&self, device: &Device) -> usize {
        device
            .findings
            .keys()
            .filter(|s| open_problem(device, s, self.now).is_some())
            .count()
    }

    /// The Fix first list: the engine's list (found problems by risk, regressions, new devices,
    /// steps due again), then the steps that look fine already and wait for the owner's word.
    pub fn fix_first(&self) -> Vec<FixItem> {
        let ctx = crate::reminders::DueContext::new(&self.inventory, self.tz.clone());
        let engine = crate::session::fix_first(&self.catalog, &self.inventory, &ctx, self.now);
        let mut items: Vec<FixItem> = engine
            .into_iter()
            .map(|item| {
                let step = item.step.as_ref().and_then(|s| self.catalog.step(s));
                let device = self.device(&item.device);
                let kind = match item.kind {
                    EngineKind::Problem => FixKind::Problem,
                    EngineKind::Regression => FixKind::Regression,
                    EngineKind::NewDevice => FixKind::NewDevice,
                    EngineKind::Due => FixKind::Due(
                        step.zip(device)
                            .and_then(|(s, d)| crate::reminders::due(s, d, &ctx))
                            .map_or(Why::Recheck, |(_, why)| why),
                    ),
                };
                let evidence = match kind {
                    FixKind::Problem | FixKind::Regression | FixKind::NewDevice => {
                        Some(item.evidence)
                    }
                    // A step due again shows what its last check saw, if it ran.
                    _ => item.step.as_ref().and_then(|s| {
                        device
                            .and_then(|d| d.progress.get(s))
                            .and_then(|p| p.evidence.clone())
                    }),
                };
                FixItem {
                    kind,
                    title: match (step, kind) {
                        (Some(s), _) => s.title.clone(),
                        (None, FixKind::NewDevice) => {
                            "Find out what it is, and mark it as yours".into()
                        }
                        (None, _) => item.problem,
                    },
                    risk: match kind {
                        FixKind::Problem | FixKind::Regression => step.and_then(worst_threat),
                        _ => None,
                    },
                    device: item.device,
                    device_name: item.device_name,
                    step: item.step,
                    evidence,
                    since: item.since,
                }
            })
            .collect();
        for device in &self.inventory.devices {
            for step in self.steps_of(device) {
                if let Some(finding) = looks_fine(device, &step.id) {
                    items.push(FixItem {
                        kind: FixKind::LooksFine,
                        device: device.id.clone(),
                        device_name: device.name().to_string(),
                        step: Some(step.id.clone()),
                        title: step.title.clone(),
                        evidence: Some(finding.evidence.clone()),
                        risk: None,
                        since: finding.checked_at,
                    });
                }
            }
        }
        items
    }

    /// Marks `step` of `device` verified with the finding's evidence, when it is still to do and
    /// the last scan found it fine. Says why not otherwise.
    pub(crate) fn confirm_fine(&mut self, id: &DeviceId, step: &StepId) -> Option<Command> {
        let now = self.now;
        let device = self.inventory.device_mut(id)?;
        let Some(finding) = looks_fine(device, step).cloned() else {
            let text = match device.findings.get(step).map(|f| f.verdict) {
                Some(FindingVerdict::Problem) => {
                    format!("{step} is not fine: the last scan found a problem.")
                }
                _ if device.step_state(step) != StepState::Todo => {
                    format!("{step} is already {}.", device.step_state(step).label())
                }
                _ => format!("The last scan did not find {step} fine; open it to decide yourself."),
            };
            self.notice(Tone::Info, text);
            return None;
        };
        device.set_step_state(step, StepState::Verified, now);
        if let Some(p) = device.progress.get_mut(step) {
            p.evidence = Some(finding.evidence.clone());
        }
        let message = format!(
            "{step} confirmed and marked verified: {}.",
            finding.evidence.trim_end_matches('.')
        );
        if matches!(self.screen, Screen::Wizard(_)) {
            return Some(self.after_change(id.clone(), step.clone(), message));
        }
        self.notice(Tone::Good, message);
        Some(self.bump_save())
    }
}
