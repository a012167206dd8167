//! The command line as an owner uses it: help, listings, and clear one-line errors that leave
//! their files alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use assert_cmd::Command;
use predicates::prelude::*;

fn porchlight(data: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("porchlight").unwrap();
    cmd.arg("--data-dir").arg(data).env_remove("RUST_LOG");
    cmd
}

#[test]
fn help_lists_the_commands_and_flags() {
    Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("devices"))
        .stdout(predicate::str::contains("--demo"))
        .stdout(predicate::str::contains("--data-dir"));
    Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("porchlight "));
}

#[test]
fn unknown_flags_fail_with_a_usage_error() {
    Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unexpected argument '--frobnicate'",
        ));
}

#[test]
fn devices_json_on_the_demo_home() {
    let dir = tempfile::tempdir().unwrap();
    let out = porchlight(dir.path())
        .args(["--demo", "devices", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let devices = json["devices"].as_array().unwrap();
    assert!(devices.len() >= 8);
    let router = devices.iter().find(|d| d["category"] == "router").unwrap();
    assert_eq!(router["name"], "Home router");
    assert_eq!(router["ip"], "192.168.1.1");
    assert!(router["mac"].as_str().unwrap().contains(':'));
    let checklist = router["checklist"].as_array().unwrap();
    let rt01 = checklist.iter().find(|s| s["id"] == "RT-01").unwrap();
    assert_eq!(rt01["state"], "done");
    let accepted = checklist.iter().find(|s| s["state"] == "accepted").unwrap();
    assert!(!accepted["reason"].as_str().unwrap().is_empty());
    assert_eq!(
        router["summary"]["total"].as_u64().unwrap(),
        checklist.len() as u64
    );
    // The demo lives apart from the real data folder, which stays empty.
    assert!(dir.path().join("demo").join("state.json").exists());
    assert!(!dir.path().join("state.json").exists());
}

#[test]
fn devices_table_on_an_empty_inventory_points_to_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .arg("devices")
        .assert()
        .success()
        .stdout(predicate::str::contains("No devices saved yet"))
        .stdout(predicate::str::contains("porchlight --demo"));
}

#[test]
fn devices_table_lists_each_device_with_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .args(["--demo", "devices"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME"))
        .stdout(predicate::str::contains("Driveway camera"))
        .stdout(predicate::str::contains("not started"));
}

#[test]
fn a_corrupt_state_file_gives_one_clear_line_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"{\"schema\": 1, \"devices\": [tru").unwrap();
    let before = std::fs::read(&state).unwrap();
    let assert = porchlight(dir.path())
        .arg("devices")
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    assert!(stderr.starts_with("porchlight: "), "{stderr}");
    assert!(stderr.contains(&state.display().to_string()), "{stderr}");
    assert_eq!(
        std::fs::read(&state).unwrap(),
        before,
        "the file must not change"
    );
}

#[test]
fn a_foreign_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.json"), br#"{"hello": "world"}"#).unwrap();
    porchlight(dir.path())
        .arg("devices")
        .assert()
        .failure()
        .stderr(predicate::str::contains("state.json"));
}

#[test]
fn the_interactive_screen_needs_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .arg("--demo")
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs a terminal"));
}

#[test]
fn an_unusable_data_folder_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let assert = porchlight(&file.join("sub"))
        .args(["--demo", "devices"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not-a-folder"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn reset_demo_needs_demo() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .args(["--reset-demo", "devices"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--demo"));
}

#[test]
fn a_second_porchlight_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let _held = porchlight::store::Store::open(&demo_dir).unwrap();
    let assert = porchlight(dir.path())
        .args(["--demo", "devices"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
}
