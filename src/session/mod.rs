//! The scan workflow shared by the command line and the TUI: folds discovery events into the
//! inventory, identifies devices, audits each one as soon as its open ports and announcements are
//! known (while the scan goes on), re-checks the steps the owner settled, flags regressions and
//! asks for saves every few seconds and at the end. No terminal code and no IO here: the workflow
//! is a state machine that returns [`Effect`]s; the front ends carry them out ([`run_audit`] for
//! the checks, their own store for saves) and fold the results back through the same workflow.

pub(crate) mod audit;
pub(crate) mod fix_first;
pub mod groups;
pub mod mappings;
pub mod trend;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::Ipv4Addr;

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::checks::{Context, Target};
use crate::discovery::{DiscoveryEvent, Ipv4Net, Source, Stage};
use crate::identify::Fingerprints;
use crate::inventory::Merged;
use crate::model::{Category, DeviceId, Inventory, ScanRecord, StepId, StepState};

pub use audit::{AuditDone, AuditJob, AuditMode, audit_steps, run_audit};
pub use fix_first::{FixItem, FixKind, RiskRank, fix_first};

/// The longest the workflow lets found devices go unsaved while a scan runs, in seconds.
pub const SAVE_EVERY_SECONDS: i64 = 3;

/// How long the audit's UPnP checks listen for the router's answer to a unicast search.
pub const AUDIT_SSDP_WAIT: std::time::Duration = std::time::Duration::from_millis(400);

/// The most devices audited at once (each runs at most [`audit::CHECKS_PER_DEVICE`] checks).
pub const DEVICES_AT_ONCE: usize = 8;

/// Work the workflow asks its driver to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Run these checks ([`run_audit`]) and hand the result to [`ScanWorkflow::on_audited`].
    Audit(Box<AuditJob>),
    /// Save the inventory now.
    Save,
    /// A device's id changed (its hardware address was learnt, or another record of it was
    /// folded in): move the password kept in the keyring under `from` to `to`
    /// ([`crate::secrets::Keyring::move_entry`]), off the caller's task.
    MoveSecret {
        /// The id the password may be kept under.
        from: DeviceId,
        /// The device's id now.
        to: DeviceId,
    },
    /// Discovery and the audit are both over; the scan's record is in the inventory.
    Finished,
}

/// One (device, step) the audit checked during this scan, in the order results came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The device (its id when the scan ended).
    pub device: DeviceId,
    /// The step.
    pub step: StepId,
    /// The owner had settled the step as done or verified before the check (a re-check).
    pub settled: bool,
    /// The check turned a step the owner had settled into a failure.
    pub regression: bool,
}

/// One scan from start to finish: what it saw, what it audited, what it still waits for.
#[derive(Debug, Clone)]
pub struct ScanWorkflow {
    scope: String,
    started_at: Timestamp,
    mode: AuditMode,
    local_nets: Vec<Ipv4Net>,
    scanned: Vec<Ipv4Net>,
    hosts: BTreeSet<Ipv4Addr>,
    new_devices: BTreeSet<DeviceId>,
    seen: BTreeSet<DeviceId>,
    ports_known: BTreeSet<DeviceId>,
    audit_started: BTreeSet<DeviceId>,
    audited: BTreeSet<(DeviceId, StepId)>,
    kinds: BTreeMap<DeviceId, Category>,
    announcing: BTreeSet<Stage>,
    queue: VecDeque<AuditJob>,
    in_flight: usize,
    renamed: BTreeMap<DeviceId, DeviceId>,
    checked: Vec<Checked>,
    discovery_done: bool,
    finished: bool,
    dirty: bool,
    last_save: Timestamp,
    mappings: audit::SharedMappings,
    router_look: crate::checks::upnp::SharedRouterLook,
}

impl ScanWorkflow {
    /// A scan of `scope` starting at `now`; `local_nets` are this computer's networks (the checks
    /// refuse to send logins or UPnP requests anywhere else).
    pub fn new(
        scope: impl Into<String>,
        local_nets: Vec<Ipv4Net>,
        mode: AuditMode,
        now: Timestamp,
    ) -> Self {
        Self {
            scope: scope.into(),
            started_at: now,
            mode,
            local_nets,
            scanned: Vec::new(),
            hosts: BTreeSet::new(),
            new_devices: BTreeSet::new(),
            seen: BTreeSet::new(),
            ports_known: BTreeSet::new(),
            audit_started: BTreeSet::new(),
            audited: BTreeSet::new(),
            kinds: BTreeMap::new(),
            announcing: BTreeSet::new(),
            queue: VecDeque::new(),
            in_flight: 0,
            renamed: BTreeMap::new(),
            checked: Vec::new(),
            discovery_done: false,
            finished: false,
            dirty: false,
            last_save: now,
            mappings: audit::SharedMappings::default(),
            router_look: crate::checks::upnp::SharedRouterLook::default(),
        }
    }

    /// The networks this scan sweeps: a device there that the scan does not see counts a missed
    /// scan (without them, this computer's networks stand in).
    #[must_use]
    pub fn scanning(mut self, nets: Vec<Ipv4Net>) -> Self {
        self.scanned = nets;
        self
    }

    /// What is scanned ("192.168.1.0/24 on wlan0").
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// When the scan started.
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }

    /// Distinct addresses that answered: the count both front ends show and the record keeps.
    pub fn hosts(&self) -> usize {
        self.hosts.len()
    }

    /// Devices that were not in the inventory before this scan.
    pub fn new_devices(&self) -> usize {
        self.new_devices.len()
    }

    /// True until discovery and every audit are over.
    pub fn running(&self) -> bool {
        !self.finished
    }

    /// True once discovery is over (the audit may still run).
    pub fn discovery_done(&self) -> bool {
        self.discovery_done
    }

    /// Checks still running or waiting to run.
    pub fn audits_pending(&self) -> usize {
        self.in_flight + self.queue.len()
    }

    /// Every (device, step) checked so far.
    pub fn checked(&self) -> &[Checked] {
        &self.checked
    }

    /// The settled steps whose check failed in this scan.
    pub fn regressions(&self) -> impl Iterator<Item = &Checked> {
        self.checked.iter().filter(|c| c.regression)
    }

    /// Folds one discovery event into `inventory` (identifying devices with `rules`) and says what
    /// to do next. Returns the merge of a sighting, so a UI can follow a device whose id changed.
    pub fn on_event(
        &mut self,
        catalog: &Catalog,
        inventory: &mut Inventory,
        rules: Option<&Fingerprints>,
        event: &DiscoveryEvent,
        now: Timestamp,
    ) -> (Option<Merged>, Vec<Effect>) {
        let mut effects = Vec::new();
        let mut merged_out = None;
        match event {
            DiscoveryEvent::StageStarted { stage } if announces(*stage) => {
                self.announcing.insert(*stage);
            }
            DiscoveryEvent::StageFinished { stage, .. }
            | DiscoveryEvent::StageFailed { stage, .. }
                if announces(*stage) =>
            {
                self.announcing.remove(stage);
                // The neighbour table is read right after the sweep: wait for its first event.
                if *stage != Stage::Ping {
                    self.start_ready(catalog, inventory, &mut effects);
                }
            }
            DiscoveryEvent::Sighting(s) => {
                self.hosts.insert(s.ip);
                let merged = crate::inventory::merge(inventory, s, now);
                if let Some(was) = &merged.was {
                    self.rename(was, &merged.id);
                }
                for from in merged.was.iter().chain(&merged.absorbed) {
                    effects.push(Effect::MoveSecret {
                        from: from.clone(),
                        to: merged.id.clone(),
                    });
                }
                if let (Some(rules), Some(device)) = (rules, inventory.device_mut(&merged.id)) {
                    crate::inventory::identify_device(device, rules);
                }
                if merged.new {
                    self.new_devices.insert(merged.id.clone());
                }
                self.seen.insert(merged.id.clone());
                if s.source == Source::Ports {
                    self.ports_known.insert(merged.id.clone());
                }
                self.dirty = true;
                if self.audit_started.contains(&merged.id) {
                    // Already audited: check only what this sighting made apply (a new kind, a port).
                    self.plan(catalog, inventory, &merged.id, &mut effects);
                } else {
                    self.start_ready(catalog, inventory, &mut effects);
                }
                merged_out = Some(merged);
            }
            DiscoveryEvent::Done { .. } => {
                self.discovery_done = true;
                self.count_misses(inventory);
                inventory.push_scan(ScanRecord {
                    started_at: self.started_at,
                    finished_at: now,
                    devices_seen: self.hosts.len(),
                    scope: self.scope.clone(),
                });
                self.dirty = true;
                // Devices with no open port (or seen after the announcements) are audited now, and
                // the household checks (RT-13) of every device, now that every kind is settled.
                let seen: Vec<DeviceId> = self.seen.iter().cloned().collect();
                for id in seen {
                    self.audit_started.insert(id.clone());
                    self.plan(catalog, inventory, &id, &mut effects);
                }
                // What discovery found reaches the disk before the last checks finish.
                self.dirty = false;
                self.last_save = now;
                effects.push(Effect::Save);
            }
            _ => {}
        }
        self.after(catalog, inventory, now, &mut effects);
        (merged_out, effects)
    }

    /// Folds the results of one [`AuditJob`] into `inventory`: a finding per step, and a
    /// regression for a settled step whose check now fails.
    pub fn on_audited(
        &mut self,
        catalog: &Catalog,
        inventory: &mut Inventory,
        done: AuditDone,
        now: Timestamp,
    ) -> Vec<Effect> {
        self.in_flight = self.in_flight.saturating_sub(1);
        let id = self.current_id(&done.device);
        // Steps that no longer apply (an announcement changed the kind meanwhile) are dropped, and
        // so are verdicts that depend on a kind the device no longer has (a newer job judges them).
        let still: BTreeSet<StepId> = inventory
            .device(&id)
            .map(|d| {
                let kind_changed = done.kind.is_some_and(|k| k != d.category());
                audit_steps(catalog, d)
                    .into_iter()
                    .filter(|s| {
                        !(kind_changed && s.check.as_ref().is_some_and(|c| c.depends_on_kind()))
                    })
                    .map(|s| s.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(device) = inventory.device_mut(&id) {
            for (step, result) in done.results.iter().filter(|(s, _)| still.contains(s)) {
                let settled = matches!(
                    device.step_state(step),
                    StepState::Done | StepState::Verified
                );
                let regression = audit::record(device, step, result, now);
                self.checked.push(Checked {
                    device: id.clone(),
                    step: step.clone(),
                    settled,
                    regression,
                });
            }
            self.dirty = true;
        }
        let mut effects = Vec::new();
        self.after(catalog, inventory, now, &mut effects);
        effects
    }

    /// The scan is given up (the owner quit, or the scan task stopped): nothing more will arrive.
    /// Asks for a last save when anything found is not on disk yet.
    pub fn stop(&mut self) -> Vec<Effect> {
        self.finished = true;
        self.queue.clear();
        if std::mem::take(&mut self.dirty) {
            vec![Effect::Save]
        } else {
            Vec::new()
        }
    }

    /// Starts the audit of every device whose ports are known, once the announcements are in.
    fn start_ready(&mut self, catalog: &Catalog, inventory: &Inventory, effects: &mut Vec<Effect>) {
        if !self.announcing.is_empty() {
            return;
        }
        let ready: Vec<DeviceId> = self
            .ports_known
            .iter()
            .filter(|id| !self.audit_started.contains(*id))
            .cloned()
            .collect();
        for id in ready {
            self.audit_started.insert(id.clone());
            self.plan(catalog, inventory, &id, effects);
        }
    }

    /// Queues a job with the steps of `id` not yet audited in this scan.
    fn plan(
        &mut self,
        catalog: &Catalog,
        inventory: &Inventory,
        id: &DeviceId,
        effects: &mut Vec<Effect>,
    ) {
        if self.finished {
            return;
        }
        let Some(device) = inventory.device(id) else {
            return;
        };
        let Some(target) = Target::from_device(device) else {
            return;
        };
        // A kind that changed since this device's steps were judged: judge again the steps whose
        // verdict depends on it (is it a gadget, or maybe a phone?).
        let kind = device.category();
        if self
            .kinds
            .insert(id.clone(), kind)
            .is_some_and(|was| was != kind)
        {
            for step in catalog.steps() {
                if step.check.as_ref().is_some_and(|c| c.depends_on_kind()) {
                    self.audited.remove(&(id.clone(), step.id.clone()));
                }
            }
            // What this scan checked of steps the new kind does not have is not its finding: the
            // same home gives the same findings whichever came first, the audit or the kind.
            let applies: BTreeSet<&StepId> = audit_steps(catalog, device)
                .into_iter()
                .map(|s| &s.id)
                .collect();
            self.checked
                .retain(|c| &c.device != id || applies.contains(&c.step));
            self.audited.retain(|(d, s)| d != id || applies.contains(s));
        }
        let (mut checks, mut needs_consent) = (Vec::new(), Vec::new());
        for step in audit_steps(catalog, device) {
            // What depends on the other devices' kinds waits until discovery has settled them.
            if !self.discovery_done && step.check.as_ref().is_some_and(|c| c.judges_household()) {
                continue;
            }
            let settled = matches!(
                device.step_state(&step.id),
                StepState::Done | StepState::Verified
            );
            if self.mode == AuditMode::SettledOnly && !settled {
                continue;
            }
            if !self.audited.insert((id.clone(), step.id.clone())) {
                continue;
            }
            match &step.check {
                Some(check) if check.needs_consent() => needs_consent.push(step.id.clone()),
                Some(check) => checks.push((step.id.clone(), check.clone())),
                None => {}
            }
        }
        if checks.is_empty() && needs_consent.is_empty() {
            return;
        }
        let mut context = Context::from_inventory(inventory, self.local_nets.clone());
        // The scan's own SSDP search already waited for slow answers, and the router's UPnP
        // address it found is in the inventory (the checks fall back on it): a unicast search
        // to the router needs less.
        context.limits.ssdp_wait = AUDIT_SSDP_WAIT;
        context.in_scan = true;
        context.router_look = Some(self.router_look.clone());
        self.queue.push_back(AuditJob {
            device: id.clone(),
            target,
            checks,
            needs_consent,
            context,
            mappings: self.mappings.clone(),
        });
        self.release(effects);
    }

    /// Hands out queued jobs up to [`DEVICES_AT_ONCE`] running.
    fn release(&mut self, effects: &mut Vec<Effect>) {
        while self.in_flight < DEVICES_AT_ONCE {
            let Some(job) = self.queue.pop_front() else {
                break;
            };
            self.in_flight += 1;
            effects.push(Effect::Audit(Box::new(job)));
        }
    }

    /// Saves every few seconds while running, and finishes when everything is in (keeping the
    /// home's score in its history first).
    fn after(
        &mut self,
        catalog: &Catalog,
        inventory: &mut Inventory,
        now: Timestamp,
        effects: &mut Vec<Effect>,
    ) {
        if self.finished {
            return;
        }
        self.release(effects);
        let done = self.discovery_done && self.in_flight == 0 && self.queue.is_empty();
        let saving = effects.iter().any(|e| matches!(e, Effect::Save));
        // A scan that heard nobody (the network was not reachable) is no picture of the home.
        if done && !self.hosts.is_empty() {
            inventory.push_history(trend::snapshot(catalog, inventory, now));
            // A save already asked for writes the inventory as it is when it runs.
            self.dirty |= !saving;
        }
        let due = now.as_second() - self.last_save.as_second() >= SAVE_EVERY_SECONDS;
        if self.dirty && (done || due) && !saving {
            self.dirty = false;
            self.last_save = now;
            effects.push(Effect::Save);
        }
        if done {
            self.finished = true;
            effects.push(Effect::Finished);
        }
    }

    /// Counts a missed scan for every device in the scanned networks that this scan did not
    /// see, and clears the count of those it saw. A scan that saw nobody (the network was not
    /// reachable), or that does not know which networks it swept, counts no miss.
    fn count_misses(&self, inventory: &mut Inventory) {
        let nets = if self.scanned.is_empty() {
            &self.local_nets
        } else {
            &self.scanned
        };
        for device in &mut inventory.devices {
            if device.last_seen >= self.started_at {
                device.missed_scans = 0;
            } else if !self.hosts.is_empty()
                && device
                    .ip
                    .is_some_and(|ip| nets.iter().any(|n| n.contains(ip)))
            {
                device.missed_scans = device.missed_scans.saturating_add(1);
            }
        }
    }

    /// Follows a device whose id changed (an address became a hardware address).
    fn rename(&mut self, was: &DeviceId, now_is: &DeviceId) {
        self.renamed.insert(was.clone(), now_is.clone());
        if let Some(kind) = self.kinds.remove(was) {
            self.kinds.insert(now_is.clone(), kind);
        }
        for set in [
            &mut self.new_devices,
            &mut self.seen,
            &mut self.ports_known,
            &mut self.audit_started,
        ] {
            if set.remove(was) {
                set.insert(now_is.clone());
            }
        }
        let moved: Vec<StepId> = self
            .audited
            .iter()
            .filter(|(d, _)| d == was)
            .map(|(_, s)| s.clone())
            .collect();
        for step in moved {
            self.audited.remove(&(was.clone(), step.clone()));
            self.audited.insert((now_is.clone(), step));
        }
        for c in &mut self.checked {
            if &c.device == was {
                c.device = now_is.clone();
            }
        }
    }

    /// The id a device has now, following renames (bounded: ids never rename in a cycle, and the
    /// walk stops after as many steps as there are renames).
    fn current_id(&self, id: &DeviceId) -> DeviceId {
        let mut id = id.clone();
        for _ in 0..=self.renamed.len() {
            match self.renamed.get(&id) {
                Some(next) if next != &id => id = next.clone(),
                _ => break,
            }
        }
        id
    }
}

/// The stages awaited before an audit: the sweep, and the neighbour table read right after it
/// (hardware addresses: the maker, a stable id, which device is the router). Announcements (mDNS,
/// SSDP) are not awaited: a device that announces a new kind later gets the new kind's steps then.
fn announces(stage: Stage) -> bool {
    matches!(stage, Stage::Ping | Stage::Neighbours)
}

#[cfg(test)]
mod tests;
