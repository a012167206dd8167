//! Tests of forgotten devices (tombstones) across two stores on one data folder, as two
//! porchlights share it: a forget in one is not undone by the other's stale copy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use jiff::Timestamp;

use super::*;
use crate::model::{Device, DeviceId, StepId, StepState};

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

#[test]
fn a_device_forgotten_in_one_process_is_not_written_back_by_another() {
    let tmp = tempfile::tempdir().unwrap();
    let tui = Store::open(tmp.path()).unwrap();
    let watch = Store::open(tmp.path()).unwrap();
    let camera: DeviceId = "ip:10.0.0.7".parse().unwrap();
    let mut seed = tui.load().unwrap();
    let mut device = Device::new(camera.clone(), "Driveway camera", at(100));
    device.set_step_state(&StepId::new("CAM-01"), StepState::Done, at(110));
    seed.devices.push(device);
    seed.devices.push(Device::new(
        "ip:10.0.0.8".parse().unwrap(),
        "Printer",
        at(100),
    ));
    tui.save(&seed).unwrap();

    // Both load the camera; the owner forgets it in the TUI while the watcher holds its copy.
    let mut in_tui = tui.load().unwrap();
    let mut in_watch = watch.load().unwrap();
    assert!(in_tui.forget(&camera, at(200)).is_some());
    tui.save(&in_tui).unwrap();
    // The watcher changes something else and saves its stale copy, camera and all.
    in_watch.devices[1].known = true;
    watch.save(&in_watch).unwrap();
    let on_disk = read_inventory(tmp.path()).unwrap();
    let names: Vec<&str> = on_disk.devices.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["Printer"], "the forgotten camera came back");
    assert!(on_disk.devices[0].known, "the watcher's change is kept");
    assert_eq!(on_disk.forgotten.len(), 1);
    // Saving again from either side changes nothing.
    watch.save(&in_watch).unwrap();
    tui.save(&in_tui).unwrap();
    assert!(
        read_inventory(tmp.path())
            .unwrap()
            .device(&camera)
            .is_none()
    );

    // A later scan by the watcher sees the camera again: it comes back as a new device, without
    // the answers the owner gave before forgetting it.
    let camera_then = in_watch.device_mut(&camera).unwrap();
    camera_then.last_seen = at(300);
    watch.save(&in_watch).unwrap();
    let on_disk = read_inventory(tmp.path()).unwrap();
    let back = on_disk
        .device(&camera)
        .expect("seen again after the forget");
    assert!(back.progress.is_empty(), "{back:?}");
    assert_eq!(back.first_seen, at(300), "it is a new device");
    // And it stays: the tombstone no longer applies to a device first seen after it.
    tui.save(&in_tui).unwrap();
    assert!(
        read_inventory(tmp.path())
            .unwrap()
            .device(&camera)
            .is_some()
    );
}

#[test]
fn a_state_file_without_forgotten_devices_still_loads() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join(STATE_FILE),
        r#"{"schema":1,"saved_at":"2026-01-01T00:00:00Z","devices":[],"scans":[]}"#,
    )
    .unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert!(store.load().unwrap().forgotten.is_empty());
}
