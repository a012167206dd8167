//! Two porchlights change one data folder at the same time (a `watch` and the owner): each save
//! re-reads and merges under a short lock, so every change either process made is on disk at the
//! end. Two child processes (this test binary, run again) each add their own devices and mark
//! steps on a shared one, saving after every change.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::env;
use std::path::Path;
use std::process::{Command, Stdio};

use jiff::Timestamp;
use porchlight::model::{Device, StepId, StepState};
use porchlight::store::{Store, read_inventory};

const CHILD_TEST: &str = "store_shared_child_changes_the_state";
const DIR_ENV: &str = "PORCHLIGHT_SHARED_DIR";
const WHO_ENV: &str = "PORCHLIGHT_SHARED_WHO";
const ROUNDS: u8 = 40;

/// The child: loads once, then changes its own devices and a step of the shared device, saving
/// after each change, never loading again (like the TUI, which keeps its own copy).
#[test]
#[ignore = "the child half of two_processes_saving_at_once_lose_nothing, which runs it"]
fn store_shared_child_changes_the_state() {
    let (Some(dir), Some(who)) = (env::var_os(DIR_ENV), env::var(WHO_ENV).ok()) else {
        return;
    };
    let who: u8 = who.parse().unwrap();
    let store = Store::open(Path::new(&dir)).unwrap();
    let mut inv = store.load().unwrap();
    let shared: porchlight::model::DeviceId = "ip:10.0.0.1".parse().unwrap();
    for round in 0..ROUNDS {
        let id = format!("ip:10.{who}.0.{round}").parse().unwrap();
        inv.devices
            .push(Device::new(id, format!("p{who}-{round}"), Timestamp::now()));
        let device = inv.devices.iter_mut().find(|d| d.id == shared).unwrap();
        device.set_step_state(
            &StepId::new(format!("S{who}-{round}")),
            StepState::Done,
            Timestamp::now(),
        );
        store.save(&inv).unwrap();
    }
}

/// Runs this test binary again as the child `test` once per name in `who`, all at once on the
/// data folder `dir`, and asserts every one succeeded.
fn run_children(test: &str, dir: &Path, who: &[&str]) {
    let children: Vec<_> = who
        .iter()
        .map(|who| {
            Command::new(env::current_exe().unwrap())
                .args(["--exact", test, "--ignored", "--test-threads=1"])
                .env(DIR_ENV, dir)
                .env(WHO_ENV, who)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn two_processes_saving_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let store = Store::open(dir).unwrap();
    let mut inv = store.load().unwrap();
    inv.devices.push(Device::new(
        "ip:10.0.0.1".parse().unwrap(),
        "shared",
        Timestamp::now(),
    ));
    store.save(&inv).unwrap();
    run_children(CHILD_TEST, dir, &["1", "2"]);
    let on_disk = read_inventory(dir).unwrap();
    assert_eq!(
        on_disk.devices.len(),
        1 + 2 * usize::from(ROUNDS),
        "every device either process added is there"
    );
    let shared = &on_disk.devices[0];
    for who in [1, 2] {
        for round in 0..ROUNDS {
            assert_eq!(
                shared.step_state(&StepId::new(format!("S{who}-{round}"))),
                StepState::Done,
                "step S{who}-{round} of the shared device"
            );
        }
    }
}

const ANSWER_CHILD: &str = "store_shared_child_answers_or_rechecks";
const SAME_STEPS: [&str; 3] = ["G-02", "G-04", "H-02"];

/// The owner's answer to step `n % 3` in round `n`.
fn answer(round: u8) -> StepState {
    match round % 3 {
        0 => StepState::NotApplicable,
        1 => StepState::Accepted {
            reason: format!("round {round}"),
        },
        _ => StepState::Done,
    }
}

/// The child of `the_owners_answers_survive_a_watcher_rechecking_the_same_steps`: `owner` answers
/// one of the same three steps each round, like the TUI (one load, then its own copy); `watcher`
/// re-checks all three each round, loading afresh every other round like `watch --once` passes.
/// Both save after every change.
#[test]
#[ignore = "the child half of the_owners_answers_survive_a_watcher_rechecking_the_same_steps"]
fn store_shared_child_answers_or_rechecks() {
    let (Some(dir), Ok(who)) = (env::var_os(DIR_ENV), env::var(WHO_ENV)) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).unwrap();
    let shared: porchlight::model::DeviceId = "ip:10.0.0.1".parse().unwrap();
    let mut inv = store.load().unwrap();
    for round in 0..ROUNDS {
        if who == "owner" {
            let step = StepId::new(SAME_STEPS[usize::from(round) % SAME_STEPS.len()]);
            let device = inv.device_mut(&shared).unwrap();
            device.set_step_state(&step, answer(round), Timestamp::now());
        } else {
            if round % 2 == 0 {
                inv = store.load().unwrap();
            }
            let result = porchlight::checks::CheckResult {
                verdict: if round % 2 == 0 {
                    porchlight::checks::Verdict::Fail
                } else {
                    porchlight::checks::Verdict::Pass
                },
                evidence: format!("re-check {round}"),
                next: None,
                unconfirmed: None,
                on_screen: None,
            };
            let device = inv.device_mut(&shared).unwrap();
            for step in SAME_STEPS {
                porchlight::verify::apply_to(device, &StepId::new(step), &result, Timestamp::now());
            }
        }
        store.save(&inv).unwrap();
    }
}

/// Two processes on the same steps of the same device, 40 rounds each at once (three runs, so
/// three interleavings): every answer the owner gave last is on disk at the end, beside the
/// watcher's last check.
#[test]
fn the_owners_answers_survive_a_watcher_rechecking_the_same_steps() {
    for run in 0..3 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let store = Store::open(dir).unwrap();
        let mut inv = store.load().unwrap();
        let mut device = Device::new("ip:10.0.0.1".parse().unwrap(), "shared", Timestamp::now());
        for step in SAME_STEPS {
            device.set_step_state(&StepId::new(step), StepState::Done, Timestamp::now());
        }
        inv.devices.push(device);
        store.save(&inv).unwrap();
        run_children(ANSWER_CHILD, dir, &["owner", "watcher"]);
        let on_disk = read_inventory(dir).unwrap();
        let shared = &on_disk.devices[0];
        for (n, step) in SAME_STEPS.iter().enumerate() {
            // The owner's last answer to this step: the last round that answered it.
            let last = (0..ROUNDS)
                .rev()
                .find(|r| usize::from(*r) % SAME_STEPS.len() == n)
                .unwrap();
            let p = &shared.progress[&StepId::new(*step)];
            assert_eq!(
                p.state,
                answer(last),
                "run {run}: the owner's answer to {step}"
            );
            // What the watcher saw is kept beside the answer, unless the owner answered after
            // the watcher's last check (a new answer clears what was seen before it).
            let seen = p.seen_at.unwrap_or(p.changed_at);
            assert!(
                p.evidence
                    .as_deref()
                    .is_some_and(|e| e.starts_with("re-check"))
                    || (p.evidence.is_none() && seen == p.changed_at),
                "run {run}: {step}: {p:?}"
            );
        }
    }
}
