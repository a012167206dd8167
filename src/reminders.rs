//! What needs the owner, and when: due dates from each step's re-check interval and when it was
//! last confirmed, the "again when the firmware changes" and "again when a new device appears"
//! triggers, snoozes, regressions and new devices. Pure: the clock and the time zone are passed in.
//!
//! Steps never started are the checklist itself, not reminders: a reminder is something that was
//! settled and needs a look again, something that broke, a snooze that ran out, or a newcomer.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::Serialize;

use crate::catalog::{Catalog, Step, Trigger};
use crate::model::{Device, DeviceId, FindingVerdict, Inventory, StepId, StepState};

/// The calendar and what happened on the network, for working out due dates.
#[derive(Debug, Clone)]
pub struct DueContext {
    /// The owner's time zone: "every month" from 31 January is the end of February there.
    pub tz: TimeZone,
    /// When the most recently first-seen device joined.
    pub newest_device: Option<Timestamp>,
}

impl DueContext {
    /// The context of `inventory` in time zone `tz`.
    pub fn new(inventory: &Inventory, tz: TimeZone) -> Self {
        Self {
            tz,
            newest_device: inventory.devices.iter().map(|d| d.first_seen).max(),
        }
    }
}

/// Why something is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// The audit found the problem the step guards against (telnet answering, an open broker).
    Problem,
    /// A check failed: the fix came undone (or never took).
    Regression,
    /// A device the owner has not recognised joined the network.
    NewDevice,
    /// The firmware changed since the step was confirmed.
    FirmwareChanged,
    /// A new device joined since the step was confirmed.
    DeviceJoined,
    /// The step's re-check interval has passed.
    Recheck,
    /// A step put off with "later" is back.
    SnoozeOver,
}

impl Why {
    /// Plain words for the owner.
    pub fn label(self) -> &'static str {
        match self {
            Why::Problem => "found by the audit",
            Why::Regression => "came undone",
            Why::NewDevice => "new on your network",
            Why::FirmwareChanged => "firmware changed",
            Why::DeviceJoined => "a new device joined",
            Why::Recheck => "time to look again",
            Why::SnoozeOver => "put off until now",
        }
    }
}

/// One thing that needs the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// The device.
    pub device: DeviceId,
    /// Its name.
    pub device_name: String,
    /// The step, unless the reminder is about the device itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// What to do.
    pub title: String,
    /// Why now.
    pub why: Why,
    /// Since when (or from when) it is due.
    pub due: Timestamp,
}

/// When `step` of `device` next needs the owner, and why; `None` when it waits on nothing.
///
/// Steps never touched, and steps marked not applicable, are not reminders. A failed step is due
/// since it failed. A settled step is due at its last confirmation plus its interval (calendar
/// arithmetic in `ctx.tz`), or at once when a trigger fired. A snooze moves the date later.
pub fn due(step: &Step, device: &Device, ctx: &DueContext) -> Option<(Timestamp, Why)> {
    let progress = device.progress.get(&step.id)?;
    let snoozed = progress.snoozed_until;
    let found = match &progress.effective() {
        StepState::NotApplicable => None,
        StepState::Failed => progress.failed_since().map(|at| (at, Why::Regression)),
        StepState::Todo => snoozed.map(|until| (until, Why::SnoozeOver)),
        StepState::Done | StepState::Verified | StepState::Accepted { .. } => {
            let since = progress.confirmed_at();
            if step.triggers.contains(&Trigger::FirmwareChange)
                && progress.firmware.is_some()
                && device.firmware.is_some()
                && progress.firmware != device.firmware
            {
                Some((since, Why::FirmwareChanged))
            } else if step.triggers.contains(&Trigger::NewDevice)
                && ctx.newest_device.is_some_and(|t| t > since)
            {
                ctx.newest_device.map(|t| (t, Why::DeviceJoined))
            } else {
                step.recheck.interval().and_then(|span| {
                    let zoned: Zoned = since.to_zoned(ctx.tz.clone());
                    zoned
                        .checked_add(span)
                        .ok()
                        .map(|z| (z.timestamp(), Why::Recheck))
                })
            }
        }
    };
    match (found, snoozed) {
        (Some((at, why)), Some(until)) if until > at && why != Why::SnoozeOver => {
            Some((until, why))
        }
        (found, _) => found,
    }
}

/// When `step` of `device` next needs the owner, counting the checklist too: a step never started
/// (or still to do) is due since the device was first seen or the step was last touched.
pub fn next_due(step: &Step, device: &Device, ctx: &DueContext) -> Option<Timestamp> {
    if let Some((at, _)) = due(step, device, ctx) {
        return Some(at);
    }
    match device.progress.get(&step.id) {
        None => Some(device.first_seen),
        Some(p) if p.effective() == StepState::Todo => Some(p.changed_at),
        Some(_) => None,
    }
}

/// True when the owner accepted the step's risk, or put it off past `by`.
fn set_aside(device: &Device, step: &StepId, by: Timestamp) -> bool {
    device.progress.get(step).is_some_and(|p| {
        matches!(p.state, StepState::Accepted { .. }) || p.snoozed_until.is_some_and(|t| t > by)
    })
}

/// Everything due by `by`, most urgent first: problems the audit found (due at once), regressions,
/// new devices, then the rest by date.
pub fn reminders(
    catalog: &Catalog,
    inventory: &Inventory,
    ctx: &DueContext,
    by: Timestamp,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    for device in &inventory.devices {
        if !device.known {
            out.push(Reminder {
                device: device.id.clone(),
                device_name: device.name().to_string(),
                step: None,
                title: "Find out what it is, and mark it as yours or deal with it".into(),
                why: Why::NewDevice,
                due: device.first_seen,
            });
        }
        let mut found = Vec::new();
        for (id, finding) in &device.findings {
            let Some(step) = catalog.step(id) else {
                continue;
            };
            // A failed step found failing again stays a regression (it came undone).
            if finding.verdict != FindingVerdict::Problem
                || set_aside(device, id, by)
                || device.step_state(id) == StepState::Failed
            {
                continue;
            }
            found.push(id);
            out.push(Reminder {
                device: device.id.clone(),
                device_name: device.name().to_string(),
                step: Some(id.to_string()),
                title: step.title.clone(),
                why: Why::Problem,
                due: finding.checked_at.min(by),
            });
        }
        for step in catalog.steps_of(device) {
            if found.contains(&&step.id) {
                continue;
            }
            if let Some((at, why)) = due(step, device, ctx)
                && at <= by
            {
                out.push(Reminder {
                    device: device.id.clone(),
                    device_name: device.name().to_string(),
                    step: Some(step.id.to_string()),
                    title: step.title.clone(),
                    why,
                    due: at,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        let rank = |r: &Reminder| match r.why {
            Why::Problem => 0,
            Why::Regression => 1,
            Why::NewDevice => 2,
            _ => 3,
        };
        rank(a)
            .cmp(&rank(b))
            .then(a.due.cmp(&b.due))
            .then(a.device_name.cmp(&b.device_name))
    });
    out
}

/// How many steps were never started, over all devices (shown beside the reminders).
pub fn not_started(catalog: &Catalog, inventory: &Inventory) -> usize {
    inventory
        .devices
        .iter()
        .map(|d| {
            catalog
                .steps_of(d)
                .into_iter()
                .filter(|s| {
                    // Not started does not depend on the time: no answer, no snooze.
                    crate::standing::step_status(d, &s.id, Timestamp::UNIX_EPOCH)
                        == crate::standing::StepStatus::NotStarted
                })
                .count()
        })
        .sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::model::{Category, StepId};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn nas(first_seen: Timestamp) -> Device {
        let mut d = Device::new(
            DeviceId::Ip("192.168.1.10".parse().unwrap()),
            "NAS",
            first_seen,
        );
        d.set_detected_category(Category::Nas);
        d.known = true;
        d
    }

    fn ctx(tz: &str) -> DueContext {
        DueContext {
            tz: TimeZone::get(tz).unwrap(),
            newest_device: None,
        }
    }

    #[test]
    fn monthly_steps_fall_due_at_the_end_of_short_months_in_the_owners_zone() {
        let catalog = Catalog::builtin().unwrap();
        let step = catalog.step(&StepId::new("N-04")).unwrap(); // monthly backup test
        // 31 January, 23:30 in New York is already 1 February in UTC.
        let done = ts("2027-02-01T04:30:00Z");
        let mut d = nas(done);
        d.set_step_state(&step.id, StepState::Done, done);
        let (at, why) = due(step, &d, &ctx("America/New_York")).unwrap();
        assert_eq!(why, Why::Recheck);
        assert_eq!(
            at.to_zoned(TimeZone::get("America/New_York").unwrap())
                .to_string(),
            "2027-02-28T23:30:00-05:00[America/New_York]"
        );
        // Seen from UTC the same confirmation was on 1 February: due 1 March.
        let (at, _) = due(step, &d, &ctx("UTC")).unwrap();
        assert_eq!(at, ts("2027-03-01T04:30:00Z"));
    }

    #[test]
    fn yearly_and_quarterly_intervals_and_leap_days() {
        let catalog = Catalog::builtin().unwrap();
        let quarterly = catalog.step(&StepId::new("N-03")).unwrap();
        let leap = ts("2028-02-29T12:00:00Z");
        let mut d = nas(leap);
        d.set_step_state(&quarterly.id, StepState::Done, leap);
        assert_eq!(
            due(quarterly, &d, &ctx("UTC")).unwrap().0,
            ts("2028-05-29T12:00:00Z")
        );
        let yearly = catalog.step(&StepId::new("G-07")).unwrap();
        d.set_step_state(&yearly.id, StepState::Done, leap);
        assert_eq!(
            due(yearly, &d, &ctx("UTC")).unwrap().0,
            ts("2029-02-28T12:00:00Z")
        );
    }

    #[test]
    fn untouched_and_not_applicable_steps_are_not_reminders() {
        let catalog = Catalog::builtin().unwrap();
        let step = catalog.step(&StepId::new("N-04")).unwrap();
        let mut d = nas(ts("2027-01-01T00:00:00Z"));
        assert_eq!(due(step, &d, &ctx("UTC")), None);
        d.set_step_state(
            &step.id,
            StepState::NotApplicable,
            ts("2027-01-01T00:00:00Z"),
        );
        assert_eq!(due(step, &d, &ctx("UTC")), None);
    }

    #[test]
    fn a_firmware_change_makes_a_step_due_at_once() {
        let catalog = Catalog::builtin().unwrap();
        let step = catalog.step(&StepId::new("RT-02")).unwrap(); // quarterly + firmware change
        assert!(step.triggers.contains(&Trigger::FirmwareChange));
        let t = ts("2027-01-10T00:00:00Z");
        let mut router = nas(t);
        router.set_detected_category(Category::Router);
        router.firmware = Some("1.0.1".into());
        router.set_step_state(&step.id, StepState::Done, t);
        assert_eq!(due(step, &router, &ctx("UTC")).unwrap().1, Why::Recheck);
        router.firmware = Some("1.0.2".into());
        assert_eq!(
            due(step, &router, &ctx("UTC")),
            Some((t, Why::FirmwareChanged))
        );
    }

    #[test]
    fn a_new_device_makes_new_device_steps_due() {
        let catalog = Catalog::builtin().unwrap();
        let step = catalog
            .steps()
            .iter()
            .find(|s| s.triggers.contains(&Trigger::NewDevice) && s.applies(Category::Nas))
            .unwrap();
        let t = ts("2027-01-10T00:00:00Z");
        let mut d = nas(t);
        d.set_step_state(&step.id, StepState::Done, t);
        let joined = ts("2027-01-12T00:00:00Z");
        let c = DueContext {
            tz: TimeZone::UTC,
            newest_device: Some(joined),
        };
        assert_eq!(due(step, &d, &c), Some((joined, Why::DeviceJoined)));
    }

    #[test]
    fn snoozes_push_the_date_and_come_back() {
        let catalog = Catalog::builtin().unwrap();
        let step = catalog.step(&StepId::new("N-04")).unwrap();
        let t = ts("2027-01-10T00:00:00Z");
        let later = ts("2027-01-17T00:00:00Z");
        let mut d = nas(t);
        d.snooze_step(&step.id, later, t);
        assert_eq!(due(step, &d, &ctx("UTC")), Some((later, Why::SnoozeOver)));
        // A failed check snoozed for a week stays a regression, due when the snooze ends.
        d.progress.get_mut(&step.id).unwrap().state = StepState::Failed;
        assert_eq!(due(step, &d, &ctx("UTC")), Some((later, Why::Regression)));
    }

    #[test]
    fn reminders_put_regressions_and_new_devices_first() {
        let catalog = Catalog::builtin().unwrap();
        let t = ts("2027-01-01T00:00:00Z");
        let mut a = nas(t);
        a.set_step_state(&StepId::new("N-04"), StepState::Done, t); // due 1 February
        a.set_step_state(
            &StepId::new("N-01"),
            StepState::Failed,
            ts("2027-03-01T00:00:00Z"),
        );
        let mut stranger = nas(t);
        stranger.id = DeviceId::Ip("192.168.1.99".parse().unwrap());
        stranger.set_detected_name("Unnamed device");
        stranger.known = false;
        let inventory = Inventory {
            devices: vec![a, stranger],
            ..Inventory::default()
        };
        let c = DueContext::new(&inventory, TimeZone::UTC);
        let by = ts("2027-03-02T00:00:00Z");
        let list = reminders(&catalog, &inventory, &c, by);
        let whys: Vec<Why> = list.iter().map(|r| r.why).collect();
        assert_eq!(whys, vec![Why::Regression, Why::NewDevice, Why::Recheck]);
        // Before February, the backup check is not due yet.
        let early = reminders(&catalog, &inventory, &c, ts("2027-01-15T00:00:00Z"));
        assert!(early.iter().all(|r| r.step.as_deref() != Some("N-04")));
    }

    #[test]
    fn found_problems_are_due_at_once_and_first_unless_the_owner_set_them_aside() {
        let catalog = Catalog::builtin().unwrap();
        let t = ts("2027-01-01T00:00:00Z");
        let found = |d: &mut Device, step: &str| {
            d.findings.insert(
                StepId::new(step),
                crate::model::Finding {
                    verdict: FindingVerdict::Problem,
                    evidence: "telnet answers".into(),
                    checked_at: ts("2027-02-01T00:00:00Z"),
                },
            );
        };
        let mut a = nas(t);
        found(&mut a, "G-02");
        // Failed and found again: one reminder, as a regression.
        a.set_step_state(&StepId::new("N-01"), StepState::Failed, t);
        found(&mut a, "N-01");
        // Accepted: the owner's answer stands.
        a.set_step_state(
            &StepId::new("G-03"),
            StepState::Accepted {
                reason: "needed".into(),
            },
            t,
        );
        found(&mut a, "G-03");
        let inventory = Inventory {
            devices: vec![a],
            ..Inventory::default()
        };
        let c = DueContext::new(&inventory, TimeZone::UTC);
        let by = ts("2027-02-02T00:00:00Z");
        let list = reminders(&catalog, &inventory, &c, by);
        let got: Vec<(Why, Option<&str>)> =
            list.iter().map(|r| (r.why, r.step.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (Why::Problem, Some("G-02")),
                (Why::Regression, Some("N-01"))
            ]
        );
        assert!(list.iter().all(|r| r.due <= by), "due now");
    }
}
