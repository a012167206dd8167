//! The scan in the TUI: feeds discovery events and audit results through the shared
//! [`crate::session::ScanWorkflow`], keeps the progress line ([`ScanView`]) and the list cursor in
//! step, turns the workflow's effects into the app's (audit a device, save) and says how the scan
//! and the audit went.

use jiff::Timestamp;

use crate::discovery::DiscoveryEvent;
use crate::model::DeviceId;
use crate::session::ScanWorkflow;
use crate::tui::effect::{Effect, Effects};
use crate::tui::home::Home;
use crate::tui::msg::Command;
use crate::tui::notice::Tone;
use crate::tui::screens::scan::ScanView;

/// The running or last scan.
#[derive(Debug, Clone, Default)]
pub struct Scanning {
    /// The progress line: the running scan, or the last one.
    pub(crate) view: Option<ScanView>,
    /// The running scan's workflow (discovery, audit, saves), shared with the command line.
    pub(crate) workflow: Option<ScanWorkflow>,
    /// This computer's own networks, for the audit's checks.
    pub(crate) local_nets: Vec<crate::discovery::Ipv4Net>,
}

impl Scanning {
    /// Asks for a scan: the command to run, or a notice saying why not.
    pub fn request(&self, home: &Home) -> Effects {
        if !home.can_scan {
            return vec![Effect::notice(
                Tone::Info,
                "The demo home is simulated, so there is nothing to scan. Run porchlight without --demo to scan your network.",
            )];
        }
        if self.view.as_ref().is_some_and(|s| s.running)
            || self.workflow.as_ref().is_some_and(|w| w.running())
        {
            return vec![Effect::notice(Tone::Info, "A scan is already running.")];
        }
        vec![Effect::Run(Command::StartScan)]
    }

    /// The scan started on `scope`.
    pub fn started(&mut self, scope: String, notes: Vec<String>, now: Timestamp) -> Effects {
        self.workflow = Some(ScanWorkflow::new(
            scope.clone(),
            self.local_nets.clone(),
            crate::session::AuditMode::Full,
            now,
        ));
        self.view = Some(ScanView::new(scope, now));
        if notes.is_empty() {
            Vec::new()
        } else {
            vec![Effect::notice(Tone::Info, notes.join("; "))]
        }
    }

    /// The scan could not start.
    pub fn failed(&mut self, error: &str) -> Effects {
        self.view = None;
        self.workflow = None;
        vec![Effect::notice(Tone::Error, format!("Cannot scan: {error}"))]
    }

    /// One event of the running scan.
    pub fn on_discovery(&mut self, home: &mut Home, event: DiscoveryEvent) -> Effects {
        let now = home.now;
        let Some(view) = self.view.as_mut() else {
            return Vec::new();
        };
        view.see(&event);
        let selected = home.selected_device().map(|d| d.id.clone());
        let rules = home.fingerprints.clone();
        let Some(workflow) = self.workflow.as_mut() else {
            return Vec::new();
        };
        let (merged, effects) = workflow.on_event(
            &home.catalog,
            &mut home.inventory,
            rules.as_deref(),
            &event,
            now,
        );
        let (hosts, new) = (workflow.hosts(), workflow.new_devices());
        view.new_devices = new;
        let mut out = Vec::new();
        if let Some(merged) = merged {
            out.extend(follow(home, &merged, selected));
        }
        if matches!(event, DiscoveryEvent::Done { .. }) {
            out.push(finished_notice(view, hosts, new));
        }
        out.extend(self.effects(home, effects));
        out
    }

    /// Folds one device's audit back through the workflow.
    pub fn on_audited(&mut self, home: &mut Home, done: crate::session::AuditDone) -> Effects {
        let now = home.now;
        let Some(workflow) = self.workflow.as_mut() else {
            return Vec::new();
        };
        let effects = workflow.on_audited(&home.catalog, &mut home.inventory, done, now);
        self.effects(home, effects)
    }

    /// Stops the running scan (the owner is leaving): what it found so far is saved.
    pub fn stop(&mut self, home: &Home) -> Effects {
        let stopped = self.workflow.as_mut().map(|w| w.stop()).unwrap_or_default();
        self.effects(home, stopped)
    }

    /// Turns the workflow's effects into the app's.
    fn effects(&self, home: &Home, effects: Vec<crate::session::Effect>) -> Effects {
        use crate::session::Effect as Work;
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                Work::Audit(job) => out.push(Effect::Run(Command::Audit(job))),
                Work::Save => out.push(Effect::Save),
                Work::MoveSecret { from, to } => {
                    out.push(Effect::Run(Command::MoveSecret { from, to }));
                }
                Work::Finished => out.extend(self.audit_notice(home)),
            }
        }
        out
    }

    /// After the audit: regressions first, else the problems found, else the re-checks.
    fn audit_notice(&self, home: &Home) -> Option<Effect> {
        let workflow = self.workflow.as_ref()?;
        let name = |id: &DeviceId| {
            home.device(id)
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
                home.device(&c.device)
                    .and_then(|d| d.findings.get(&c.step))
                    .is_some_and(|f| f.verdict == crate::model::FindingVerdict::Problem)
            })
            .count();
        let rechecked = workflow.checked().iter().filter(|c| c.settled).count();
        if !regressions.is_empty() {
            Some(Effect::notice(
                Tone::Error,
                format!(
                    "Came undone since last time: {}. n shows what to fix first.",
                    regressions.join(", ")
                ),
            ))
        } else if problems > 0 {
            Some(Effect::notice(
                Tone::Error,
                format!(
                    "The audit found {}. n shows what to fix first.",
                    plural(problems, "problem", "problems")
                ),
            ))
        } else if rechecked > 0 {
            Some(Effect::NoticeUnlessError(
                Tone::Good,
                format!("Re-checked {rechecked} finished steps: none came undone."),
            ))
        } else {
            None
        }
    }
}

/// Says how discovery went: devices answered and new, or which stages failed.
fn finished_notice(view: &ScanView, hosts: usize, new: usize) -> Effect {
    let failed = view.failures();
    if failed.is_empty() {
        Effect::notice(
            Tone::Good,
            format!(
                "Scan finished: {} answered, {new} new.",
                plural(hosts, "device", "devices")
            ),
        )
    } else {
        Effect::notice(
            Tone::Error,
            format!(
                "Scan finished with {}, but {}",
                plural(hosts, "device", "devices"),
                failed.join("; ")
            ),
        )
    }
}

/// Keeps the list cursor on its device after a merge, and has the open screens follow a device
/// whose id changed or that absorbed others.
fn follow(
    home: &mut Home,
    merged: &crate::inventory::Merged,
    selected: Option<DeviceId>,
) -> Effects {
    let mut out = Vec::new();
    if let Some(was) = &merged.was {
        out.push(Effect::Renamed {
            was: was.clone(),
            now_is: merged.id.clone(),
        });
    }
    // Records folded into this device (the same box, known by an address only) follow it.
    for gone in &merged.absorbed {
        out.push(Effect::Renamed {
            was: gone.clone(),
            now_is: merged.id.clone(),
        });
    }
    let selected = selected.map(|id| {
        if merged.was.as_ref() == Some(&id) || merged.absorbed.contains(&id) {
            merged.id.clone()
        } else {
            id
        }
    });
    if let Some(id) = selected
        && let Some(pos) = home.inventory.devices.iter().position(|d| d.id == id)
    {
        home.list_cursor = pos;
    }
    out
}

/// "1 device", "3 devices".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
