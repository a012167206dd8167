//! `porchlight watch` from the command line, where no network is needed: its service file, the
//! "always on" mark, and the one-line refusals of bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

#[cfg(target_os = "linux")]
use common::cli::stdout_of;
use common::cli::{one_line_error, porchlight};
use predicates::prelude::*;

/// Without a terminal to answer, `watch --install` shows what it would set up and does nothing.
/// On Windows that is a scheduled task (the next test writes a systemd unit, on Linux only: on
/// Windows `--yes` would create a real task on the machine running the tests).
#[test]
fn install_shows_the_service_for_this_system_and_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let (shown, _) = one_line_error(
        porchlight(dir.path())
            .args(["watch", "--install", "--every", "30m"])
            .env("XDG_CONFIG_HOME", &config),
        1,
        "add --yes",
    );
    let shown = String::from_utf8(shown).unwrap();
    assert!(!config.exists(), "nothing written without an answer");
    assert!(shown.contains(" watch --every 30m"), "{shown}");
    if cfg!(windows) {
        assert!(
            shown.contains(r#"/SC MINUTE /MO 5 /TN "porchlight watch""#),
            "{shown}"
        );
        assert!(!shown.contains("systemd"), "{shown}");
    } else if cfg!(target_os = "linux") {
        assert!(shown.contains("porchlight-watch.service"), "{shown}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn install_shows_the_user_service_asks_and_writes_what_it_showed() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let shown = stdout_of(
        porchlight(dir.path())
            .args(["watch", "--install", "--yes", "--every", "30m"])
            .env("XDG_CONFIG_HOME", &config),
    );
    let unit =
        std::fs::read_to_string(config.join("systemd/user/porchlight-watch.service")).unwrap();
    assert!(shown.contains(&unit), "what was shown is what was written");
    assert!(unit.contains(" watch --every 30m"), "{unit}");
    assert!(
        unit.contains(&format!("--data-dir {}", dir.path().display())),
        "{unit}"
    );
    assert!(unit.contains("WantedBy=default.target"), "{unit}");
    assert!(shown.contains("systemctl --user disable --now porchlight-watch.service"));
}

#[cfg(target_os = "linux")]
#[test]
fn the_service_watches_the_network_the_owner_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    stdout_of(
        porchlight(dir.path())
            .args(["watch", "--install", "--yes", "--subnet", "10.1.0.0/20"])
            .args(["--interface", "wlan0", "--allow-large"])
            .env("XDG_CONFIG_HOME", &config),
    );
    let unit =
        std::fs::read_to_string(config.join("systemd/user/porchlight-watch.service")).unwrap();
    assert!(
        unit.contains("--subnet 10.1.0.0/20 --interface wlan0 --allow-large"),
        "the service scans what the owner asked for: {unit}"
    );
}

#[test]
fn bad_durations_and_the_demo_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    one_line_error(
        porchlight(dir.path()).args(["watch", "--once", "--every", "30s"]),
        1,
        "at most once a minute",
    );
    one_line_error(
        porchlight(dir.path()).args(["watch", "--every", "soon"]),
        1,
        "not a duration",
    );
    one_line_error(
        porchlight(dir.path()).args(["--demo", "watch", "--once"]),
        1,
        "cannot be watched",
    );
    assert!(!dir.path().join("state.json").exists(), "nothing saved");
}

#[test]
fn always_on_marks_a_saved_device_by_name_and_refuses_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = porchlight::store::Store::open(dir.path()).unwrap();
    let mut inventory = store.load().unwrap();
    inventory.devices.push(porchlight::model::Device::new(
        "ip:192.168.1.31".parse().unwrap(),
        "Driveway camera",
        jiff::Timestamp::now(),
    ));
    store.save(&inventory).unwrap();
    porchlight(dir.path())
        .args(["watch", "--always-on", "driveway camera"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Driveway camera is marked always on",
        ));
    let saved = porchlight::store::read_inventory(dir.path()).unwrap();
    assert!(saved.devices[0].always_on);
    porchlight(dir.path())
        .args(["watch", "--not-always-on", "ip:192.168.1.31"])
        .assert()
        .success();
    assert!(
        !porchlight::store::read_inventory(dir.path())
            .unwrap()
            .devices[0]
            .always_on
    );
    one_line_error(
        porchlight(dir.path()).args(["watch", "--always-on", "Fridge"]),
        1,
        "no saved device is called \"Fridge\"",
    );
}
