//! Merging two writers' inventories: what this process saves (`mine`) with what another porchlight
//! wrote meanwhile (`disk`), given what this process last loaded or saved (`base`).
//!
//! Several porchlights may share one data folder (a `watch` in the background while the owner
//! works in the TUI), so each save re-reads the file under the lock and merges before writing.
//! The rules keep everything either side wrote:
//!
//! - Devices are matched by id. A device only one side has is kept, except one this process had
//!   (in `base`) and no longer has: this process renamed it (an address became a hardware
//!   address) and carries it under its new id.
//! - What the network showed (address, ports, services, names porchlight inferred) comes from the
//!   side that saw the device last; the first sighting is the earliest of both.
//! - The owner's marks (known, name, kind, login checks allowed, always on) are this process's
//!   when it changed them since `base`, otherwise the other side's.
//! - Progress, step by step: a step only one side changed since `base` takes that side's; a step
//!   both changed takes the newest change (this process's on a tie).
//! - Findings, step by step: the newest check wins.
//! - Scans and the score history: both sides', in time order, bounded as usual.
//! - Forgotten devices (tombstones): both sides' lists, the latest time per id. A device either
//!   side holds that was last seen no later than it was forgotten is left out, whichever side
//!   still had it; one a scan saw after it was forgotten comes back as a new device (the owner's
//!   answers and the findings from before are not brought back with it).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    Device, DeviceId, FORGOTTEN_LIMIT, Forgotten, Inventory, SCAN_HISTORY_LIMIT, StepId,
    StepProgress,
};

/// `mine` with everything `disk` holds that this process did not change since `base`.
pub fn merge(base: Option<&Inventory>, mine: &Inventory, disk: &Inventory) -> Inventory {
    let Some(base) = base else {
        // Nothing loaded before (a save without a load): every device either side has is kept.
        return merge_with(&Inventory::default(), mine, disk);
    };
    merge_with(base, mine, disk)
}

fn merge_with(base: &Inventory, mine: &Inventory, disk: &Inventory) -> Inventory {
    // Tombstones apply to each side's copy before the two are merged: a stale copy of a
    // forgotten device must not lend its old first sighting or answers to one seen again since.
    let forgotten = merge_forgotten(&mine.forgotten, &disk.forgotten);
    let (mine, disk) = (&honour(mine, &forgotten), &honour(disk, &forgotten));
    let mine_ids: BTreeSet<&DeviceId> = mine.devices.iter().map(|d| &d.id).collect();
    let mut devices: Vec<Device> = mine
        .devices
        .iter()
        .map(|m| match disk.device(&m.id) {
            Some(d) => merge_device(base.device(&m.id), m, d),
            None => m.clone(),
        })
        .collect();
    for d in &disk.devices {
        if mine_ids.contains(&d.id) || base.device(&d.id).is_some() {
            continue;
        }
        devices.push(d.clone());
    }
    let mut scans = mine.scans.clone();
    for s in &disk.scans {
        if !scans.contains(s) && !base.scans.contains(s) {
            scans.push(s.clone());
        }
    }
    scans.sort_by_key(|s| (s.started_at, s.finished_at));
    let excess = scans.len().saturating_sub(SCAN_HISTORY_LIMIT);
    scans.drain(..excess);
    Inventory {
        devices,
        scans,
        forgotten,
        history: crate::model::history::merge(&mine.history, &disk.history),
    }
}

/// Both sides' tombstones, the latest per id, oldest first, at most [`FORGOTTEN_LIMIT`].
fn merge_forgotten(mine: &[Forgotten], disk: &[Forgotten]) -> Vec<Forgotten> {
    let mut latest: BTreeMap<&DeviceId, jiff::Timestamp> = BTreeMap::new();
    for f in mine.iter().chain(disk) {
        let at = latest.entry(&f.id).or_insert(f.at);
        *at = (*at).max(f.at);
    }
    let mut out: Vec<Forgotten> = latest
        .into_iter()
        .map(|(id, at)| Forgotten { id: id.clone(), at })
        .collect();
    out.sort_by_key(|f| f.at);
    let excess = out.len().saturating_sub(FORGOTTEN_LIMIT);
    out.drain(..excess);
    out
}

/// `inventory` with the tombstones applied: a copy last seen before its device was forgotten is
/// dropped, and one seen again since comes back as new (without what the owner said before).
fn honour(inventory: &Inventory, forgotten: &[Forgotten]) -> Inventory {
    let devices = inventory
        .devices
        .iter()
        .filter_map(|d| match forgotten.iter().find(|f| f.id == d.id) {
            None => Some(d.clone()),
            Some(f) if d.last_seen <= f.at => None,
            Some(f) if d.first_seen <= f.at => Some(d.seen_anew()),
            Some(_) => Some(d.clone()),
        })
        .collect();
    Inventory {
        devices,
        ..inventory.clone()
    }
}

/// One device both sides hold.
fn merge_device(base: Option<&Device>, mine: &Device, disk: &Device) -> Device {
    let mut out = if disk.last_seen > mine.last_seen {
        disk.clone()
    } else {
        mine.clone()
    };
    out.first_seen = mine.first_seen.min(disk.first_seen);
    out.known = pick(base.map(|b| &b.known), &mine.known, &disk.known);
    out.set_owner_name(
        pick(
            base.map(Device::owner_name).as_ref(),
            &mine.owner_name(),
            &disk.owner_name(),
        )
        .map(str::to_string),
    );
    out.set_owner_category(pick(
        base.map(Device::owner_category).as_ref(),
        &mine.owner_category(),
        &disk.owner_category(),
    ));
    out.login_check_allowed = pick(
        base.map(|b| &b.login_check_allowed),
        &mine.login_check_allowed,
        &disk.login_check_allowed,
    );
    out.always_on = pick(base.map(|b| &b.always_on), &mine.always_on, &disk.always_on);
    out.progress = merge_progress(base.map(|b| &b.progress), &mine.progress, &disk.progress);
    out.findings = merge_steps(
        base.map(|b| &b.findings),
        &mine.findings,
        &disk.findings,
        |f| f.checked_at,
    );
    out
}

/// Progress, step by step, in two parts kept apart: the owner's answers as [`merge_steps`] does
/// (the side that changed a step's answer since `base`; both: the newest answer), and what
/// porchlight saw (check verdict, evidence) newest-first by when it was seen. So a re-check by one
/// process never overwrites an answer the owner gave in another, and the owner's answer never
/// drops a newer check.
fn merge_progress(
    base: Option<&BTreeMap<StepId, StepProgress>>,
    mine: &BTreeMap<StepId, StepProgress>,
    disk: &BTreeMap<StepId, StepProgress>,
) -> BTreeMap<StepId, StepProgress> {
    let answers = |m: &BTreeMap<StepId, StepProgress>| -> BTreeMap<StepId, StepProgress> {
        m.iter()
            .map(|(step, p)| {
                let mut owner = StepProgress::new(p.state.clone(), p.changed_at);
                owner.snoozed_until = p.snoozed_until;
                owner.note.clone_from(&p.note);
                owner.firmware.clone_from(&p.firmware);
                (step.clone(), owner)
            })
            .collect()
    };
    let base_answers = base.map(answers);
    let mut out = merge_steps(base_answers.as_ref(), &answers(mine), &answers(disk), |p| {
        p.changed_at
    });
    for (step, progress) in &mut out {
        match (mine.get(step), disk.get(step)) {
            (Some(m), Some(d)) => progress.take_newest_machine_part(m, d),
            (Some(one), None) | (None, Some(one)) => progress.take_machine_part(one),
            (None, None) => {}
        }
    }
    out
}

/// This side's value when it changed since `base`, otherwise the other side's.
fn pick<T: Clone + PartialEq>(base: Option<&T>, mine: &T, disk: &T) -> T {
    match base {
        Some(b) if b == mine => disk.clone(),
        _ => mine.clone(),
    }
}

/// Per step: the side that changed a step since `base` wins; both changed: the newest by `when`
/// (this side's on a tie).
fn merge_steps<T: Clone + PartialEq>(
    base: Option<&BTreeMap<StepId, T>>,
    mine: &BTreeMap<StepId, T>,
    disk: &BTreeMap<StepId, T>,
    when: impl Fn(&T) -> jiff::Timestamp,
) -> BTreeMap<StepId, T> {
    let steps: BTreeSet<&StepId> = mine.keys().chain(disk.keys()).collect();
    let mut out = BTreeMap::new();
    for step in steps {
        let b = base.and_then(|b| b.get(step));
        let (m, d) = (mine.get(step), disk.get(step));
        let chosen = if m == b {
            d
        } else if d == b {
            m
        } else {
            match (m, d) {
                (Some(m), Some(d)) if when(d) > when(m) => Some(d),
                (Some(m), _) => Some(m),
                (None, d) => d,
            }
        };
        if let Some(p) = chosen {
            out.insert(step.clone(), p.clone());
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::model::{Finding, FindingVerdict, ScanRecord, StepState};

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn device(id: &str, seen: i64) -> Device {
        let mut d = Device::new(id.parse().unwrap(), id, at(0));
        d.last_seen = at(seen);
        d
    }

    fn inv(devices: Vec<Device>) -> Inventory {
        Inventory {
            devices,
            ..Inventory::default()
        }
    }

    #[test]
    fn devices_either_side_added_are_both_kept() {
        let base = inv(vec![device("ip:10.0.0.1", 1)]);
        let mine = inv(vec![device("ip:10.0.0.1", 1), device("ip:10.0.0.2", 5)]);
        let disk = inv(vec![device("ip:10.0.0.1", 1), device("ip:10.0.0.3", 6)]);
        let out = merge(Some(&base), &mine, &disk);
        let ids: Vec<String> = out.devices.iter().map(|d| d.id.to_string()).collect();
        assert_eq!(ids, ["ip:10.0.0.1", "ip:10.0.0.2", "ip:10.0.0.3"]);
    }

    #[test]
    fn a_device_this_side_renamed_is_not_brought_back() {
        let base = inv(vec![device("ip:10.0.0.1", 1)]);
        let mine = inv(vec![device("mac:00:11:22:33:44:55", 2)]);
        let disk = base.clone();
        let out = merge(Some(&base), &mine, &disk);
        assert_eq!(out.devices.len(), 1);
        assert_eq!(out.devices[0].id.to_string(), "mac:00:11:22:33:44:55");
    }

    #[test]
    fn owner_progress_from_both_sides_is_kept_newest_wins_per_step() {
        let (a, b, c) = (
            StepId::new("RT-01"),
            StepId::new("RT-02"),
            StepId::new("RT-03"),
        );
        let base_dev = device("ip:10.0.0.1", 1);
        let mut mine_dev = base_dev.clone();
        mine_dev.set_step_state(&a, StepState::Done, at(10));
        mine_dev.set_step_state(&c, StepState::Done, at(10));
        mine_dev.set_owner_name(Some("Router".into()));
        let mut disk_dev = base_dev.clone();
        disk_dev.set_step_state(&b, StepState::NotApplicable, at(11));
        disk_dev.set_step_state(&c, StepState::Failed, at(12));
        disk_dev.always_on = true;
        disk_dev.last_seen = at(20);
        disk_dev.ip = Some("10.0.0.9".parse().unwrap());
        let out = merge(
            Some(&inv(vec![base_dev])),
            &inv(vec![mine_dev]),
            &inv(vec![disk_dev]),
        );
        let d = &out.devices[0];
        assert_eq!(d.step_state(&a), StepState::Done);
        assert_eq!(d.step_state(&b), StepState::NotApplicable);
        assert_eq!(d.step_state(&c), StepState::Failed, "the newer change wins");
        assert_eq!(d.owner_name(), Some("Router"));
        assert_eq!(d.name(), "Router");
        assert!(d.always_on);
        assert_eq!(d.ip, Some("10.0.0.9".parse().unwrap()), "seen last on disk");
    }

    #[test]
    fn stale_copy_does_not_undo_the_other_side() {
        // The other side marked the device known and a step done; this side changed nothing.
        let base_dev = device("ip:10.0.0.1", 1);
        let mut disk_dev = base_dev.clone();
        disk_dev.known = true;
        disk_dev.set_step_state(&StepId::new("RT-01"), StepState::Done, at(3));
        let mut mine_dev = base_dev.clone();
        mine_dev.last_seen = at(9);
        mine_dev.findings.insert(
            StepId::new("RT-04"),
            Finding {
                verdict: FindingVerdict::Problem,
                evidence: "telnet".into(),
                checked_at: at(9),
            },
        );
        let mut mine = inv(vec![mine_dev]);
        mine.scans.push(ScanRecord {
            started_at: at(8),
            finished_at: at(9),
            devices_seen: 1,
            scope: "x".into(),
        });
        let out = merge(Some(&inv(vec![base_dev])), &mine, &inv(vec![disk_dev]));
        let d = &out.devices[0];
        assert!(d.known);
        assert_eq!(d.step_state(&StepId::new("RT-01")), StepState::Done);
        assert_eq!(d.findings.len(), 1);
        assert_eq!(out.scans.len(), 1);
    }

    #[test]
    fn both_writers_score_histories_are_kept() {
        let point = |t: i64, score: u8| crate::model::HistoryPoint {
            at: at(t),
            score,
            problems: 1,
            steps_open: 2,
            devices: 1,
        };
        let mut base = inv(vec![device("ip:10.0.0.1", 1)]);
        base.history.push(point(1, 40));
        let mut mine = base.clone();
        mine.history.push(point(5, 55));
        let mut disk = base.clone();
        disk.history.push(point(3, 50));
        let out = merge(Some(&base), &mine, &disk);
        let scores: Vec<u8> = out.history.iter().map(|p| p.score).collect();
        assert_eq!(scores, [40, 50, 55]);
    }
}
