//! Two records of one device become one: [`absorb`] folds a duplicate record into the one that
//! stays, keeping every step of the owner's progress, and [`merge_duplicates`] does it for every
//! pair of records that share an id or a hardware address (a file written by an older porchlight
//! that multiplied records). [`duplicate_id`] is the check the store runs before every save.
//! No IO.

use std::collections::HashSet;

use crate::model::{Device, DeviceId, Inventory};

/// Folds `from` into `into`: the owner's progress and findings per step (the most recent record
/// of each step wins; a note is never dropped), names and settings the owner gave, every address,
/// name and service. `into` keeps its id.
pub fn absorb(into: &mut Device, from: Device) {
    if into.owner_name().is_none() && from.owner_name().is_some() {
        into.set_owner_name(from.owner_name().map(str::to_string));
    }
    into.set_owner_category(into.owner_category().or(from.owner_category()));
    for (step, progress) in from.progress {
        match into.progress.get_mut(&step) {
            Some(kept) => {
                let note = kept.note.clone().or_else(|| progress.note.clone());
                // The owner's answer and what porchlight saw, each the newest of the two.
                let other = kept.clone();
                if progress.changed_at > kept.changed_at {
                    *kept = progress.clone();
                }
                kept.take_newest_machine_part(&other, &progress);
                if kept.note.is_none() {
                    kept.note = note;
                }
            }
            None => {
                into.progress.insert(step, progress);
            }
        }
    }
    for (step, finding) in from.findings {
        match into.findings.get(&step) {
            Some(kept) if kept.checked_at >= finding.checked_at => {}
            _ => {
                into.findings.insert(step, finding);
            }
        }
    }
    into.known |= from.known;
    into.login_check_allowed |= from.login_check_allowed;
    into.gateway |= from.gateway;
    into.first_seen = into.first_seen.min(from.first_seen);
    let from_is_newer = from.last_seen > into.last_seen;
    into.last_seen = into.last_seen.max(from.last_seen);
    into.mac = into.mac.or(from.mac);
    into.vendor = into.vendor.take().or(from.vendor);
    into.model = into.model.take().or(from.model);
    into.firmware = into.firmware.take().or(from.firmware);
    if from_is_newer && (!from.open_ports.is_empty() || !from.closed_ports.is_empty()) {
        into.open_ports = from.open_ports;
        into.closed_ports = from.closed_ports;
    }
    into.missed_scans = into.missed_scans.min(from.missed_scans);
    match (into.ip, from.ip) {
        (None, ip) => into.ip = ip,
        (Some(kept), Some(other)) if kept != other => into.evidence.add_ip(other),
        _ => {}
    }
    for h in from.hostnames {
        if !into.hostnames.contains(&h) && into.hostnames.len() < Device::MAX_HOSTNAMES {
            into.hostnames.push(h);
        }
    }
    for service in from.services {
        if !into.services.contains(&service) && into.services.len() < Device::MAX_SERVICES {
            into.services.push(service);
        }
    }
    into.evidence.absorb(from.evidence);
    if let Some(ip) = into.ip {
        into.evidence.other_ips.retain(|other| *other != ip);
    }
}

/// Merges every group of records that share an id or a hardware address into its first record;
/// returns how many records were folded away.
pub fn merge_duplicates(inventory: &mut Inventory) -> usize {
    let mut kept: Vec<Device> = Vec::with_capacity(inventory.devices.len());
    let mut folded = 0;
    for device in std::mem::take(&mut inventory.devices) {
        let same = kept
            .iter()
            .position(|k| k.id == device.id || (device.mac.is_some() && k.mac == device.mac));
        match same {
            Some(i) => {
                absorb(&mut kept[i], device);
                folded += 1;
            }
            None => kept.push(device),
        }
    }
    inventory.devices = kept;
    folded
}

/// The first id held by two records, if any.
pub fn duplicate_id(inventory: &Inventory) -> Option<&DeviceId> {
    let mut seen = HashSet::new();
    inventory
        .devices
        .iter()
        .map(|d| &d.id)
        .find(|id| !seen.insert(*id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::model::{MacAddr, StepId, StepState};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn duplicates_become_one_record_with_every_step_of_progress() {
        let mac: MacAddr = "00:11:32:9a:be:01".parse().unwrap();
        let t0 = at("2026-11-01T10:00:00Z");
        let mut a = Device::new(DeviceId::Mac(mac), "NAS", t0);
        a.mac = Some(mac);
        a.ip = Some("192.168.1.20".parse().unwrap());
        a.set_step_state(
            &StepId::new("G-01"),
            StepState::Done,
            at("2026-11-02T10:00:00Z"),
        );
        a.set_step_state(
            &StepId::new("G-02"),
            StepState::Todo,
            at("2026-11-02T10:00:00Z"),
        );
        let mut b = Device::new(DeviceId::Mac(mac), "NAS", t0);
        b.ip = Some("192.168.1.21".parse().unwrap());
        b.set_step_state(
            &StepId::new("G-02"),
            StepState::Done,
            at("2026-11-03T10:00:00Z"),
        );
        b.set_step_state(
            &StepId::new("G-03"),
            StepState::Done,
            at("2026-11-03T10:00:00Z"),
        );
        b.set_owner_name(Some("Family NAS".into()));
        b.known = true;
        let other = Device::new(DeviceId::Ip("192.168.1.9".parse().unwrap()), "x", t0);
        let mut inv = Inventory {
            devices: vec![a, other, b],
            ..Inventory::default()
        };
        assert!(duplicate_id(&inv).is_some());
        assert_eq!(merge_duplicates(&mut inv), 1);
        assert_eq!(inv.devices.len(), 2);
        assert_eq!(duplicate_id(&inv), None);
        let d = &inv.devices[0];
        for step in ["G-01", "G-02", "G-03"] {
            assert_eq!(d.step_state(&StepId::new(step)), StepState::Done, "{step}");
        }
        assert_eq!(d.owner_name(), Some("Family NAS"));
        assert!(d.known);
        assert_eq!(
            d.evidence.other_ips,
            ["192.168.1.21".parse::<std::net::Ipv4Addr>().unwrap()]
        );
    }
}
