//! The command line as an owner uses it: help, listings, and clear one-line errors that leave
//! their files alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::cli::{one_line_error, porchlight, porchlight_anywhere, stdout_of};
use predicates::prelude::*;

#[test]
fn help_lists_the_commands_and_flags() {
    porchlight_anywhere()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("devices"))
        .stdout(predicate::str::contains("--demo"))
        .stdout(predicate::str::contains("--data-dir"));
    porchlight_anywhere()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("porchlight "));
}

#[test]
fn unknown_flags_fail_with_a_usage_error() {
    porchlight_anywhere()
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
    let out = stdout_of(porchlight(dir.path()).args(["--demo", "devices", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
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
    one_line_error(
        porchlight(dir.path()).arg("devices"),
        1,
        &state.display().to_string(),
    );
    assert_eq!(
        std::fs::read(&state).unwrap(),
        before,
        "the file must not change"
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_at_state_json_gives_one_clear_line_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&state)
        .status()
        .unwrap();
    assert!(made.success());
    let (_, line) = one_line_error(
        porchlight(dir.path())
            .arg("devices")
            .timeout(std::time::Duration::from_secs(20)),
        1,
        &state.display().to_string(),
    );
    assert!(line.contains("not a plain file"), "{line}");
    // (A pipe at watch.json is refused the same way: see src/watch/tests.rs.)
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
    one_line_error(
        porchlight(&file.join("sub")).args(["--demo", "devices"]),
        1,
        "not-a-folder",
    );
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
fn a_second_porchlight_works_beside_an_open_one_and_both_saves_land() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    // Another porchlight has the folder open (as the TUI or a running watch does).
    let open = porchlight::store::Store::open(&demo_dir).unwrap();
    let mut mine = open.load().unwrap();
    porchlight(dir.path())
        .args(["--demo", "devices"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Driveway camera"));
    // The open one saves from its own (empty) copy: the demo home the other wrote stays.
    let mut extra = porchlight::model::Device::new(
        "ip:192.168.1.99".parse().unwrap(),
        "Garden light",
        jiff::Timestamp::now(),
    );
    extra.known = true;
    mine.devices.push(extra);
    open.save(&mine).unwrap();
    porchlight(dir.path())
        .args(["--demo", "devices"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Driveway camera"))
        .stdout(predicate::str::contains("Garden light"));
}

/// Runs `porchlight scan` with `args`, which must be refused before anything is sent.
fn refused_scan(args: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    one_line_error(porchlight(dir.path()).arg("scan").args(args), 1, expected);
    assert!(!dir.path().join("state.json").exists(), "nothing saved");
}

#[test]
fn a_public_or_oversized_or_malformed_subnet_is_refused_with_the_reason() {
    refused_scan(&["--subnet", "8.8.8.0/24"], "not a private home range");
    refused_scan(&["--subnet", "8.8.8.0/24"], "--allow-public");
    refused_scan(&["--subnet", "10.0.0.0/16"], "more than a home network");
    refused_scan(
        &["--interface", "no-such-if0"],
        "no interface \"no-such-if0\"",
    );
}

#[test]
fn the_demo_home_cannot_be_scanned() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .args(["--demo", "scan"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("demo home is simulated"));
}

#[test]
fn remind_lists_what_is_due_and_can_signal_it_in_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout_of(porchlight(dir.path()).args(["--demo", "remind"]));
    assert!(text.contains("need you"), "{text}");
    assert!(text.contains("Unknown device"), "{text}");
    assert!(text.contains("new on your network"), "{text}");
    porchlight(dir.path())
        .args(["--demo", "remind", "--exit-code", "--quiet"])
        .assert()
        .code(10);
    let json = stdout_of(porchlight(dir.path()).args([
        "--demo",
        "remind",
        "--json",
        "--by",
        "2099-01-01",
    ]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let due = json["due"].as_array().unwrap();
    assert!(due.len() >= 6, "by 2099 every settled step is due again");
    // The demo home's audit found problems: they come first, then the new device.
    assert_eq!(due[0]["why"], "problem");
    let new = due.iter().position(|d| d["why"] == "new-device").unwrap();
    assert!(due[..new].iter().all(|d| d["why"] == "problem"), "{due:?}");
}

#[test]
fn remind_quiet_says_nothing_when_nothing_is_due() {
    let dir = tempfile::tempdir().unwrap();
    porchlight(dir.path())
        .args(["remind", "--quiet", "--exit-code"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    porchlight(dir.path())
        .args(["remind", "--by", "next week"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("write it as YYYY-MM-DD"));
}

// Linux only: on Windows `--yes` would register a real scheduled task on the machine running the
// tests (scripts/wine/smoke.sh shows the task there without creating it).
#[cfg(target_os = "linux")]
#[test]
fn remind_install_shows_and_writes_a_systemd_user_timer() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    // Without a terminal to answer the question, nothing is written.
    porchlight(dir.path())
        .args(["remind", "--install"])
        .env("XDG_CONFIG_HOME", &config)
        .assert()
        .failure()
        .stderr(predicate::str::contains("add --yes"));
    assert!(!config.exists());
    let shown = stdout_of(
        porchlight(dir.path())
            .args(["remind", "--install", "--yes"])
            .env("XDG_CONFIG_HOME", &config),
    );
    let units = config.join("systemd/user");
    let service = std::fs::read_to_string(units.join("porchlight-remind.service")).unwrap();
    let timer = std::fs::read_to_string(units.join("porchlight-remind.timer")).unwrap();
    assert!(
        shown.contains(&service) && shown.contains(&timer),
        "what was shown is what was written"
    );
    // The daily check looks at the network (a watch pass), then says what is due.
    assert!(service.contains(" watch --once --remind"), "{service}");
    assert!(service.contains(&format!("--data-dir {}", dir.path().display())));
    assert!(timer.contains("OnCalendar=daily"));
}
