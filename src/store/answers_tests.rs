//! Tests that the owner's answers survive a watcher's re-checks across two stores on one data
//! folder, as a TUI and `watch` share it: machine results sit beside the answers and never
//! overwrite them, in whatever order the two save.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;

use super::*;
use crate::checks::{CheckResult, Verdict};
use crate::model::{Device, DeviceId, StepId, StepState};

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + second).unwrap()
}

/// The answers the owner cycles through.
fn answer(n: usize) -> StepState {
    match n % 4 {
        0 => StepState::Done,
        1 => StepState::NotApplicable,
        2 => StepState::Accepted {
            reason: format!("reason {n}"),
        },
        _ => StepState::Todo,
    }
}

#[test]
fn forty_rounds_of_answers_and_rechecks_lose_no_answer_in_any_order() {
    let steps: Vec<StepId> = ["G-02", "G-04", "H-02"].map(StepId::new).to_vec();
    let camera: DeviceId = "mac:44:19:b6:00:00:0e".parse().unwrap();
    // Interleavings: which side saves first each round, and whether the watcher reloads first
    // (a fresh copy) or saves a stale one: every combination, over and over.
    for order in 0..4usize {
        let tmp = tempfile::tempdir().unwrap();
        let tui = Store::open(tmp.path()).unwrap();
        let watch = Store::open(tmp.path()).unwrap();
        let mut seed = tui.load().unwrap();
        let mut device = Device::new(camera.clone(), "Camera", at(0));
        for step in &steps {
            device.set_step_state(step, StepState::Done, at(0));
        }
        seed.devices.push(device);
        tui.save(&seed).unwrap();
        let mut in_tui = tui.load().unwrap();
        let mut in_watch = watch.load().unwrap();
        let mut expected: Vec<StepState> = vec![StepState::Done; steps.len()];
        for round in 0..40usize {
            let t = i64::try_from(round).unwrap() * 10 + 10;
            let which = round % steps.len();
            // The owner answers one step in the TUI.
            let state = answer(round + order);
            in_tui
                .device_mut(&camera)
                .unwrap()
                .set_step_state(&steps[which], state.clone(), at(t));
            expected[which] = state;
            // The watcher re-checks every step a little later, on its own copy.
            if (round + order) % 2 == 0 {
                in_watch = watch.load().unwrap();
            }
            let verdict = if round % 3 == 0 {
                Verdict::Fail
            } else {
                Verdict::Pass
            };
            let result = CheckResult {
                verdict,
                evidence: format!("check {round}"),
                next: None,
                unconfirmed: None,
                on_screen: None,
            };
            let d = in_watch.device_mut(&camera).unwrap();
            for step in &steps {
                crate::verify::apply_to(d, step, &result, at(t + 1));
            }
            if (round / 2 + order) % 2 == 0 {
                tui.save(&in_tui).unwrap();
                watch.save(&in_watch).unwrap();
            } else {
                watch.save(&in_watch).unwrap();
                tui.save(&in_tui).unwrap();
            }
            let on_disk = read_inventory(tmp.path()).unwrap();
            let d = on_disk.device(&camera).unwrap();
            for (step, want) in steps.iter().zip(&expected) {
                let p = &d.progress[step];
                assert_eq!(
                    &p.state, want,
                    "order {order}, round {round}: the owner's answer to {step} was lost"
                );
            }
        }
    }
}

#[test]
fn a_recheck_in_another_process_keeps_not_applicable_and_brings_its_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let tui = Store::open(tmp.path()).unwrap();
    let watch = Store::open(tmp.path()).unwrap();
    let camera: DeviceId = "mac:44:19:b6:00:00:0e".parse().unwrap();
    let step = StepId::new("G-02");
    let mut seed = tui.load().unwrap();
    let mut device = Device::new(camera.clone(), "Camera", at(0));
    device.set_step_state(&step, StepState::Done, at(0));
    seed.devices.push(device);
    tui.save(&seed).unwrap();
    let mut in_tui = tui.load().unwrap();
    let mut in_watch = watch.load().unwrap();
    // The owner says "not applicable"; a watch pass re-checks a minute later on its old copy.
    in_tui
        .device_mut(&camera)
        .unwrap()
        .set_step_state(&step, StepState::NotApplicable, at(100));
    tui.save(&in_tui).unwrap();
    let fail = CheckResult {
        verdict: Verdict::Fail,
        evidence: "telnet still answers on 10.0.0.57:23".into(),
        next: None,
        unconfirmed: None,
        on_screen: None,
    };
    let regression =
        crate::verify::apply_to(in_watch.device_mut(&camera).unwrap(), &step, &fail, at(160));
    assert!(regression, "for the watcher's copy, done now fails");
    watch.save(&in_watch).unwrap();
    let d = read_inventory(tmp.path()).unwrap();
    let p = &d.device(&camera).unwrap().progress[&step];
    assert_eq!(
        p.state,
        StepState::NotApplicable,
        "the owner's answer stands"
    );
    assert_eq!(p.changed_at, at(100));
    assert_eq!(
        p.evidence.as_deref(),
        Some("telnet still answers on 10.0.0.57:23"),
        "what the check saw is kept beside it"
    );
    assert_eq!(
        d.device(&camera).unwrap().step_state(&step),
        StepState::NotApplicable
    );
}

#[test]
fn a_state_file_from_before_the_split_loads_as_it_read() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let old = r#"{"schema": 1, "devices": [{"id": "ip:10.0.0.7", "name": "Camera", "category": "camera",
        "first_seen": "2027-01-01T00:00:00Z", "last_seen": "2027-01-01T00:00:00Z",
        "progress": {"G-02": {"state": "verified", "changed_at": "2027-01-02T00:00:00Z"},
                     "G-04": {"state": "failed", "changed_at": "2027-01-03T00:00:00Z"}}}]}"#;
    std::fs::write(tmp.path().join("state.json"), old).unwrap();
    let inv = store.load().unwrap();
    let d = &inv.devices[0];
    assert_eq!(d.step_state(&StepId::new("G-02")), StepState::Verified);
    assert_eq!(d.step_state(&StepId::new("G-04")), StepState::Failed);
}
