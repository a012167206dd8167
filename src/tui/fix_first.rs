//! The "Fix first" list and the findings as the TUI shows them: what the last scan found wrong
//! (most dangerous first), then what came undone, new devices and steps due for a look again, then
//! steps that still say "to do" although the scan found them fine ("looks fine already: confirm?").
//!
//! Findings never change the owner's answers by themselves: confirming a step that looks fine is
//! one key press of the owner's ([`App::confirm_fine`]), recorded as verified with the evidence.

use jiff::Timestamp;

use crate::catalog::Step;
use crate::model::{Device, DeviceId, Finding, FindingVerdict, StepId, StepState};
use crate::reminders::Why;

use super::app::{App, Command, Screen, Tone};

/// What kind of line of the Fix first list this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// The last scan found the problem this step guards against.
    Problem,
    /// A reminder: came undone, new device, or due for a look again.
    Reminder(Why),
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
    /// What porchlight saw, when a finding backs the line.
    pub evidence: Option<String>,
    /// What happens if it is left as it is ("taken over"), for found problems.
    pub risk: Option<&'static str>,
    /// Since when it is due, for reminders.
    pub due: Option<Timestamp>,
}

impl FixItem {
    /// A short label of why the line is here.
    pub fn why_label(&self) -> &'static str {
        match self.kind {
            FixKind::Problem => "found in the last scan",
            FixKind::Reminder(why) => why.label(),
            FixKind::LooksFine => "looks fine: confirm?",
        }
    }
}

/// The finding that makes `step` a found problem on `device`: the check said problem, and the
/// owner has neither ruled the step out nor accepted the risk.
pub fn open_problem<'a>(device: &'a Device, step: &StepId) -> Option<&'a Finding> {
    let finding = device
        .findings
        .get(step)
        .filter(|f| f.verdict == FindingVerdict::Problem)?;
    match device.step_state(step) {
        StepState::NotApplicable | StepState::Accepted { .. } => None,
        _ => Some(finding),
    }
}

/// The finding that makes `step` "looks fine already" on `device`: still to do, checked fine.
pub fn looks_fine<'a>(device: &'a Device, step: &StepId) -> Option<&'a Finding> {
    let finding = device
        .findings
        .get(step)
        .filter(|f| f.verdict == FindingVerdict::Fine)?;
    (device.step_state(step) == StepState::Todo).then_some(finding)
}

/// How many found problems `device` has open.
pub fn problems_on(device: &Device) -> usize {
    device
        .findings
        .keys()
        .filter(|step| open_problem(device, step).is_some())
        .count()
}

impl App {
    /// How many found problems are open over the whole home (the header's count).
    pub fn problems_found(&self) -> usize {
        self.inventory.devices.iter().map(problems_on).sum()
    }

    /// The Fix first list: found problems, most dangerous first; then regressions, new devices
    /// and steps due again; then steps that look fine already and wait for the owner's word.
    pub fn fix_first(&self) -> Vec<FixItem> {
        let mut items = Vec::new();
        for (device, step) in self.found_problems() {
            let Some(finding) = open_problem(device, &step.id) else {
                continue;
            };
            items.push(FixItem {
                kind: FixKind::Problem,
                device: device.id.clone(),
                device_name: device.name.clone(),
                step: Some(step.id.clone()),
                title: step.title.clone(),
                evidence: Some(finding.evidence.clone()),
                risk: step.threats.first().map(|t| t.label()),
                due: None,
            });
        }
        for r in self.needs_you() {
            let step = r.step.map(StepId::new);
            let shown = items
                .iter()
                .any(|i| i.device == r.device && i.step.is_some() && i.step == step);
            if shown {
                continue; // a regression the scan found again: already listed as a problem
            }
            let evidence = step.as_ref().and_then(|s| {
                self.device(&r.device)
                    .and_then(|d| d.progress.get(s))
                    .and_then(|p| p.evidence.clone())
            });
            items.push(FixItem {
                kind: FixKind::Reminder(r.why),
                device: r.device,
                device_name: r.device_name,
                step,
                title: r.title,
                evidence,
                risk: None,
                due: Some(r.due),
            });
        }
        for device in &self.inventory.devices {
            for step in self.steps_of(device) {
                if let Some(finding) = looks_fine(device, &step.id) {
                    items.push(FixItem {
                        kind: FixKind::LooksFine,
                        device: device.id.clone(),
                        device_name: device.name.clone(),
                        step: Some(step.id.clone()),
                        title: step.title.clone(),
                        evidence: Some(finding.evidence.clone()),
                        risk: None,
                        due: None,
                    });
                }
            }
        }
        items
    }

    /// Every (device, step) with a found problem, in the order to fix them.
    fn found_problems(&self) -> Vec<(&Device, &Step)> {
        let mut out = Vec::new();
        for device in &self.inventory.devices {
            for step in self.steps_of(device) {
                if open_problem(device, &step.id).is_some() {
                    out.push((device, step));
                }
            }
        }
        out
    }

    /// Marks `step` of `device` verified with the finding's evidence, when it is still to do and
    /// the last scan found it fine. Says why not otherwise.
    pub(crate) fn confirm_fine(&mut self, id: &DeviceId, step: &StepId) -> Option<Command> {
        let now = self.now;
        let Some(device) = self.inventory.device_mut(id) else {
            return None;
        };
        let Some(finding) = looks_fine(device, step).cloned() else {
            let text = match device.findings.get(step).map(|f| f.verdict) {
                Some(FindingVerdict::Problem) => {
                    format!("{step} is not fine: the last scan found a problem.")
                }
                _ if device.step_state(step) != StepState::Todo => {
                    format!("{step} is already {}.", device.step_state(step).label())
                }
                _ => format!(
                    "The last scan did not find {step} fine; open it to decide yourself."
                ),
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
