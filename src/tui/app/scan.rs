//! The scan in the TUI: feeds discovery events and audit results through the shared
//! [`crate::session::ScanWorkflow`], keeps the progress line and the cursor in step, turns the
//! workflow's effects into commands (audit a device, save) and says how the scan and audit went.

use super::{App, Command, StageState, Tone, plural};
use crate::discovery::DiscoveryEvent;
use crate::model::DeviceId;

impl App {
    pub(super) fn on_discovery(&mut self, event: DiscoveryEvent) -> Option<Command> {
        let now = self.now;
        let view = self.scan.as_mut()?;
        match &event {
            DiscoveryEvent::StageStarted { stage } => {
                view.set(*stage, StageState::Running { done: 0, total: 0 });
            }
            DiscoveryEvent::Progress { stage, done, total } => {
                view.set(
                    *stage,
                    StageState::Running {
                        done: *done,
                        total: *total,
                    },
                );
            }
            DiscoveryEvent::StageFinished { stage, hosts, .. } => {
                view.set(*stage, StageState::Finished { hosts: *hosts });
            }
            DiscoveryEvent::StageFailed { stage, reason } => {
                view.set(
                    *stage,
                    StageState::Failed {
                        reason: reason.clone(),
                    },
                );
            }
            DiscoveryEvent::Sighting(sighting) => {
                view.hosts.insert(sighting.ip);
            }
            DiscoveryEvent::Done { .. } => view.running = false,
            DiscoveryEvent::Note { .. } => {}
        }
        let selected = self.selected_device().map(|d| d.id.clone());
        let rules = self.fingerprints.clone();
        let workflow = self.workflow.as_mut()?;
        let (merged, effects) = workflow.on_event(
            &self.catalog,
            &mut self.inventory,
            rules.as_deref(),
            &event,
            now,
        );
        let (hosts, new) = (workflow.hosts(), workflow.new_devices());
        if let Some(view) = self.scan.as_mut() {
            view.new_devices = new;
        }
        if let Some(merged) = merged {
            self.follow(&merged, selected);
        }
        if matches!(event, DiscoveryEvent::Done { .. }) {
            self.scan_finished_notice(hosts, new);
        }
        self.effects(effects)
    }

    /// Says how discovery went: devices answered and new, or which stages failed.
    fn scan_finished_notice(&mut self, hosts: usize, new: usize) {
        let failed: Vec<String> = self
            .scan
            .iter()
            .flat_map(|view| &view.stages)
            .filter_map(|(stage, state)| match state {
                StageState::Failed { reason } => Some(format!("{stage}: {reason}")),
                _ => None,
            })
            .collect();
        if failed.is_empty() {
            self.notice(
                Tone::Good,
                format!(
                    "Scan finished: {} answered, {new} new.",
                    plural(hosts, "device", "devices")
                ),
            );
        } else {
            self.notice(
                Tone::Error,
                format!(
                    "Scan finished with {}, but {}",
                    plural(hosts, "device", "devices"),
                    failed.join("; ")
                ),
            );
        }
    }

    /// Turns the workflow's effects into the loop's commands.
    pub(super) fn effects(&mut self, effects: Vec<crate::session::Effect>) -> Option<Command> {
        use crate::session::Effect;
        let mut commands = Vec::new();
        for effect in effects {
            match effect {
                Effect::Audit(job) => commands.push(Command::Audit(job)),
                Effect::Save => commands.push(self.bump_save()),
                Effect::Finished => self.audit_notice(),
            }
        }
        match commands.len() {
            0 => None,
            1 => commands.pop(),
            _ => Some(Command::Batch(commands)),
        }
    }

    /// After the audit: regressions first, else the problems found, else the re-checks.
    fn audit_notice(&mut self) {
        let Some(workflow) = &self.workflow else {
            return;
        };
        let name = |id: &DeviceId| {
            self.device(id)
                .map(|d| d.name().to_string())
                .unwrap_or_default()
        };
        let regressions: Vec<String> = workflow
            .regressions()
            .map(|c| format!("{} {}", name(&c.device), c.step))
            .collect();
        let problems = workflow
            .checked()
            .iter()
            .filter(|c| {
                self.device(&c.device)
                    .and_then(|d| d.findings.get(&c.step))
                    .is_some_and(|f| f.verdict == crate::model::FindingVerdict::Problem)
            })
            .count();
        let rechecked = workflow.checked().iter().filter(|c| c.settled).count();
        if !regressions.is_empty() {
            self.notice(
                Tone::Error,
                format!(
                    "Came undone since last time: {}. n shows what to fix first.",
                    regressions.join(", ")
                ),
            );
        } else if problems > 0 {
            self.notice(
                Tone::Error,
                format!(
                    "The audit found {}. n shows what to fix first.",
                    plural(problems, "problem", "problems")
                ),
            );
        } else if rechecked > 0 && self.notice.as_ref().is_none_or(|n| n.tone != Tone::Error) {
            self.notice(
                Tone::Good,
                format!("Re-checked {rechecked} finished steps: none came undone."),
            );
        }
    }

    /// Folds one device's audit back through the workflow.
    pub(super) fn on_audited(&mut self, done: crate::session::AuditDone) -> Option<Command> {
        let now = self.now;
        let workflow = self.workflow.as_mut()?;
        let effects = workflow.on_audited(&self.catalog, &mut self.inventory, done, now);
        self.effects(effects)
    }

    /// Keeps the cursor and the open screen on their device after a merge.
    fn follow(&mut self, merged: &crate::inventory::Merged, selected: Option<DeviceId>) {
        if let Some(was) = &merged.was {
            self.rename_in_screens(was, &merged.id);
        }
        // Records folded into this device (the same box, known by an address only) follow it.
        for gone in &merged.absorbed {
            self.rename_in_screens(gone, &merged.id);
        }
        let selected = selected.map(|id| {
            if merged.was.as_ref() == Some(&id) || merged.absorbed.contains(&id) {
                merged.id.clone()
            } else {
                id
            }
        });
        if let Some(id) = selected
            && let Some(pos) = self.inventory.devices.iter().position(|d| d.id == id)
        {
            self.list_cursor = pos;
        }
    }
}
