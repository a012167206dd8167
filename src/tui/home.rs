//! The model every screen shares: the checklist, the devices and their progress (what gets saved),
//! the clock and time zone, and where the owner stands in the list and in a device's checklist.
//! Screens read and change it directly and return [`Effect`]s for what only the app does
//! (notices, saves, changing screens). It answers the questions screens ask: which steps apply to
//! a device, which are open, what needs the owner first.

use jiff::Timestamp;

use crate::catalog::{Catalog, Step};
use crate::model::{Device, DeviceId, FindingVerdict, Inventory, StepId, StepState};
use crate::reminders::Why;
use crate::session::FixKind as EngineKind;
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::fix_first::{
    FixEntry, FixItem, FixKind, kind_rank, looks_fine, open_problem, worst_threat,
};
use crate::tui::notice::Tone;

/// The shared model of the TUI.
#[derive(Debug, Clone)]
pub struct Home {
    /// The checklist.
    pub(crate) catalog: Catalog,
    /// Devices and progress; what gets saved.
    pub(crate) inventory: Inventory,
    /// What the header calls this inventory ("demo home", the data folder).
    pub(crate) place: String,
    /// The time as of the last message.
    pub(crate) now: Timestamp,
    /// The owner's time zone, for due dates.
    pub(crate) tz: jiff::tz::TimeZone,
    /// Whether this inventory can be scanned (not the simulated demo home).
    pub(crate) can_scan: bool,
    /// What `porchlight watch` found since the owner last looked, newest first.
    pub(crate) watch_news: Vec<crate::watch::WatchEvent>,
    /// Fingerprint rules, to tell what each device is.
    pub(crate) fingerprints: Option<std::sync::Arc<crate::identify::Fingerprints>>,
    /// Cursor in the device list (kept while other screens are open).
    pub(crate) list_cursor: usize,
    /// Cursor in the open device's checklist (the wizard moves it to the step it shows).
    pub(crate) step_cursor: usize,
    /// The household summary over the device list, worked out after a change (see
    /// [`Home::refresh_household`]), never while drawing: it weighs the whole home.
    pub(crate) household: Household,
}

/// The household summary as last worked out, and for which change.
#[derive(Debug, Clone, Default)]
pub(crate) struct Household {
    /// The save generation it was worked out for; `None`: to be worked out.
    pub(crate) generation: Option<u64>,
    /// How many devices there were (a scan adds them between saves).
    pub(crate) devices: usize,
    /// When it was worked out.
    pub(crate) at: Option<Timestamp>,
    /// Its three sentences.
    pub(crate) sentences: [String; 3],
}

/// How long the summary may go unrefreshed without a change (its dates and "due next" move on).
const HOUSEHOLD_REFRESH_SECONDS: i64 = 60;

impl Home {
    /// The model of `inventory` at `now`, at the top of the list.
    pub(crate) fn new(
        catalog: Catalog,
        inventory: Inventory,
        place: String,
        now: Timestamp,
    ) -> Self {
        let mut home = Self {
            catalog,
            inventory,
            place,
            now,
            tz: jiff::tz::TimeZone::UTC,
            can_scan: false,
            watch_news: Vec::new(),
            fingerprints: None,
            list_cursor: 0,
            step_cursor: 0,
            household: Household::default(),
        };
        home.refresh_household(0);
        home
    }

    /// Uses the owner's time zone `tz` (for due dates and the summary's dates).
    pub(crate) fn set_time_zone(&mut self, tz: jiff::tz::TimeZone) {
        self.tz = tz;
        self.household.generation = None;
        self.refresh_household(0);
    }

    /// Works the household summary out again when the inventory changed (the save `generation`
    /// moved on, a device came, or it was set aside) or a minute passed.
    pub(crate) fn refresh_household(&mut self, generation: u64) {
        let h = &self.household;
        let stale = h.generation != Some(generation)
            || h.devices != self.inventory.devices.len()
            || h.at.is_none_or(|at| {
                self.now.as_second() - at.as_second() >= HOUSEHOLD_REFRESH_SECONDS
            });
        if stale {
            self.household = Household {
                generation: Some(generation),
                devices: self.inventory.devices.len(),
                at: Some(self.now),
                sentences: crate::session::trend::household(
                    &self.catalog,
                    &self.inventory,
                    self.now,
                    &self.tz,
                ),
            };
        }
    }

    /// The device under the list cursor.
    pub fn selected_device(&self) -> Option<&Device> {
        self.inventory.devices.get(self.list_cursor)
    }

    /// The device a screen is about.
    pub fn device(&self, id: &DeviceId) -> Option<&Device> {
        self.inventory.device(id)
    }

    /// What needs the owner now, most urgent first.
    pub fn needs_you(&self) -> Vec<crate::reminders::Reminder> {
        let ctx = crate::reminders::DueContext::new(&self.inventory, self.tz.clone());
        crate::reminders::reminders(&self.catalog, &self.inventory, &ctx, self.now)
    }

    /// The steps that apply to `device`: found problems first, then the rest in catalog order.
    /// A step the audit runs on this device by evidence (telnet open anywhere gets the telnet
    /// step), or has a finding for, is listed even when the kind of device does not call for it.
    pub fn steps_of(&self, device: &Device) -> Vec<&Step> {
        let mut steps = self.catalog.steps_of(device);
        let now = self.now;
        steps.sort_by_key(|s| open_problem(device, &s.id, now).is_none());
        steps
    }

    /// True when `step` still needs the owner on `device` now (to do or failed, and not snoozed).
    pub fn is_open(&self, device: &Device, step: &Step) -> bool {
        crate::standing::step_status(device, &step.id, self.now).needs_owner()
    }

    /// After a change to `step` of device `id`: go to the next open step (or back to the device),
    /// say what happened, and save.
    pub(crate) fn after_change(&mut self, id: DeviceId, step: StepId, message: String) -> Effects {
        let next = self.device(&id).and_then(|device| {
            let steps = self.steps_of(device);
            let here = steps.iter().position(|s| s.id == step).unwrap_or(0);
            let after = steps.iter().skip(here + 1);
            let before = steps.iter().take(here);
            after
                .chain(before)
                .find(|s| self.is_open(device, s))
                .map(|s| s.id.clone())
        });
        let name = self
            .device(&id)
            .map(|d| d.name().to_string())
            .unwrap_or_default();
        let mut effects = Vec::new();
        match next {
            Some(next) => {
                if let Some(pos) = self
                    .device(&id)
                    .map(|d| self.steps_of(d))
                    .and_then(|steps| steps.iter().position(|s| s.id == next))
                {
                    self.step_cursor = pos;
                }
                effects.push(Effect::Notice(
                    Tone::Good,
                    format!("{message} Next for {name}: {next}."),
                ));
                effects.push(Effect::Go(Go::Wizard(id, next)));
            }
            None => {
                effects.push(Effect::Notice(
                    Tone::Good,
                    format!("{message} Nothing else is open on {name}."),
                ));
                effects.push(Effect::Go(Go::Detail(id)));
            }
        }
        effects.push(Effect::Save);
        effects
    }

    /// How many found problems are open over the whole home, as Fix first lists them (the
    /// header's count): one problem found on several devices counts once.
    pub fn problems_found(&self) -> usize {
        self.fix_entries()
            .iter()
            .filter(|e| e.head().is_some_and(|h| h.kind == FixKind::Problem))
            .count()
    }

    /// How many found problems of its own are open on `device`: of steps that still apply to it,
    /// leaving out those said once for the whole home (G-09, listed under RT-13), which its
    /// checklist still shows.
    pub fn problems_on(&self, device: &Device) -> usize {
        let open: Vec<u16> = device.open_ports.iter().map(|p| p.port).collect();
        device
            .findings
            .keys()
            .filter(|s| open_problem(device, s, self.now).is_some())
            .filter(|s| {
                self.catalog.step(s).is_some_and(|step| {
                    step.household.is_none() && step.audited_for(device.category(), &open)
                })
            })
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
                    ip: item.ip,
                    rank: item.risk as u8,
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
                        ip: device.ip,
                        rank: crate::session::RiskRank::of(step) as u8,
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

    /// The Fix first list as entries: a problem found on several devices is one entry, and the
    /// household problem (smart devices beside this computer) one entry for the whole home.
    pub fn fix_entries(&self) -> Vec<FixEntry> {
        let items = self.fix_first();
        let catalog = &self.catalog;
        crate::session::groups::group(catalog, items, |i| {
            (kind_rank(i.kind), i.rank, i.step.as_ref())
        })
        .into_iter()
        .map(|g| {
            let title = match (&g.key.step, g.items.first()) {
                (Some(step), _) if g.household || g.items.len() > 1 => catalog
                    .step(step)
                    .map_or_else(|| step.to_string(), |s| s.title.clone()),
                (_, Some(head)) if g.items.len() == 1 => head.title.clone(),
                _ => "New on your network: find out what they are, and mark them as yours"
                    .to_string(),
            };
            FixEntry {
                key: g.key,
                household: g.household,
                title,
                items: g.items,
            }
        })
        .collect()
    }

    /// Marks `step` of `device` verified with the finding's evidence, when it is still to do and
    /// the last scan found it fine (from the wizard, it moves on to the next open step). Says why
    /// not otherwise.
    pub fn confirm_fine(&mut self, id: &DeviceId, step: &StepId, in_wizard: bool) -> Effects {
        let now = self.now;
        let Some(device) = self.inventory.device_mut(id) else {
            return Vec::new();
        };
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
            return vec![Effect::Notice(Tone::Info, text)];
        };
        device.set_step_state(step, StepState::Verified, now);
        if let Some(p) = device.progress.get_mut(step) {
            p.evidence = Some(finding.evidence.clone());
        }
        let message = format!(
            "{step} confirmed and marked verified: {}.",
            finding.evidence.trim_end_matches('.')
        );
        if in_wizard {
            return self.after_change(id.clone(), step.clone(), message);
        }
        vec![Effect::Notice(Tone::Good, message), Effect::Save]
    }
}
