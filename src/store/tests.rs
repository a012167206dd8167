//! Tests of the state file against real files in temp folders. The crash test, which needs a child
//! process, is in `tests/store_crash.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use jiff::Timestamp;

use super::*;
use crate::model::{
    Category, Device, DeviceId, MacAddr, OpenPort, ScanRecord, Service, ServiceSource, StepId,
    StepProgress, StepState,
};

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

/// A small household: a router half way through its checklist and a camera with an accepted risk.
fn household() -> Inventory {
    let mut router = {
        let mut device = Device::new(
            DeviceId::Mac(MacAddr([0x3c, 0x22, 0xfb, 0x01, 0x02, 0x03])),
            "Hallway router",
            at(1_700_000_000),
        );
        device.set_detected_category(Category::Router);
        device.vendor = Some("AVM".into());
        device.model = Some("FRITZ!Box 7590".into());
        device.firmware = Some("7.57".into());
        device.ip = Some(Ipv4Addr::new(192, 168, 1, 1));
        device.mac = Some(MacAddr([0x3c, 0x22, 0xfb, 0x01, 0x02, 0x03]));
        device.hostnames = vec!["fritz.box".into()];
        device.services = vec![Service {
            source: ServiceSource::Upnp,
            kind: "urn:schemas-upnp-org:device:InternetGatewayDevice:1".into(),
            name: "FRITZ!Box 7590".into(),
            port: Some(49000),
            txt: BTreeMap::from([("modelNumber".into(), "7590".into())]),
        }];
        device.open_ports = vec![OpenPort {
            port: 443,
            service: "https".into(),
            banner: None,
            tls: true,
        }];
        device.last_seen = at(1_700_086_400);
        device.known = true;
        device
    };
    router.set_step_state(
        &StepId::new("RT-01"),
        StepState::Verified,
        at(1_700_000_100),
    );
    router.set_step_state(&StepId::new("RT-02"), StepState::Done, at(1_700_000_200));
    router.snooze_step(&StepId::new("RT-03"), at(1_700_600_000), at(1_700_000_300));

    let mut camera = {
        let mut device = Device::new(
            DeviceId::Udn("uuid:2fac1234-31f8-11b4-a222-08002b34c003".into()),
            "Garden camera",
            at(1_700_000_000),
        );
        device.set_detected_category(Category::Camera);
        device.ip = Some(Ipv4Addr::new(192, 168, 1, 40));
        device.open_ports = vec![OpenPort {
            port: 554,
            service: "rtsp".into(),
            banner: Some("RTSP/1.0 401 Unauthorized".into()),
            tls: false,
        }];
        device.last_seen = at(1_700_000_000);
        device
    };
    camera.progress.insert(
        StepId::new("CAM-02"),
        StepProgress {
            state: StepState::Accepted {
                reason: "the \"cloud\" app needs it\u{1b}[31m".into(),
            },
            changed_at: at(1_700_000_500),
            snoozed_until: None,
            note: Some("ask the installer".into()),
            firmware: Some("V5.7.3".into()),
            evidence: Some("telnet still answers on 192.168.1.64:23".into()),
            unconfirmed: None,
            cannot_check: None,
            check: Some(crate::model::CheckMark {
                passed: false,
                at: at(1_700_000_600),
                since: Some(at(1_700_000_550)),
            }),
            seen_at: Some(at(1_700_000_600)),
        },
    );

    let mut inv = Inventory {
        devices: vec![router, camera],
        ..Inventory::default()
    };
    inv.push_scan(ScanRecord {
        started_at: at(1_700_000_000),
        finished_at: at(1_700_000_030),
        devices_seen: 2,
        scope: "192.168.1.0/24".into(),
    });
    inv
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn store_round_trips_devices_and_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = household();
    {
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(
            store.load_with_origin().unwrap(),
            (Inventory::default(), LoadedFrom::Nothing)
        );
        store.save(&inv).unwrap();
        assert_eq!(store.load().unwrap(), inv);
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(
        store.load_with_origin().unwrap(),
        (inv.clone(), LoadedFrom::StateFile)
    );
    assert_eq!(read_inventory(tmp.path()).unwrap(), inv);
    assert_eq!(
        names_in(tmp.path()),
        ["state.json", "state.lock"],
        "a first save makes no backup and leaves no temp files"
    );
}

#[test]
fn store_file_has_schema_time_and_inventory_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let before = Timestamp::now();
    store.save(&household()).unwrap();
    let value: serde_json::Value =
        serde_json::from_slice(&fs::read(store.state_path()).unwrap()).unwrap();
    assert_eq!(value["schema"], serde_json::json!(SCHEMA_VERSION));
    let saved_at: Timestamp = value["saved_at"].as_str().unwrap().parse().unwrap();
    assert!(saved_at >= before, "{saved_at} < {before}");
    assert_eq!(value["devices"].as_array().unwrap().len(), 2);
    assert_eq!(value["scans"].as_array().unwrap().len(), 1);
}

#[test]
fn store_creates_a_private_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a").join("porchlight");
    let store = Store::open(&dir).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&dir), 0o700);
    #[cfg(unix)]
    assert_eq!(mode(&dir.join(LOCK_FILE)), 0o600);
    assert_eq!(store.dir(), dir);
}

#[test]
fn store_saves_mode_0600_and_keeps_the_previous_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let first = household();
    let mut second = first.clone();
    second.devices[0].set_detected_name("Renamed router");
    let mut third = second.clone();
    third.devices.pop();

    store.save(&first).unwrap();
    store.save(&second).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(store.state_path()), 0o600);
    #[cfg(unix)]
    assert_eq!(mode(store.backup_path()), 0o600);
    assert_eq!(read_inventory(tmp.path()).unwrap(), second);
    let backup = format::decode(&fs::read(store.backup_path()).unwrap()).unwrap();
    assert_eq!(backup, first);

    store.save(&third).unwrap();
    let backup = format::decode(&fs::read(store.backup_path()).unwrap()).unwrap();
    assert_eq!(backup, second);
    assert_eq!(store.load().unwrap(), third);
    assert_eq!(
        names_in(tmp.path()),
        ["state.json", "state.json.bak", "state.lock"]
    );
}

#[test]
fn two_stores_on_one_folder_both_save_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let first = Store::open(tmp.path()).unwrap();
    let second = Store::open(tmp.path()).unwrap();
    let mut a = first.load().unwrap();
    let mut b = second.load().unwrap();
    a.devices
        .push(Device::new("ip:10.0.0.1".parse().unwrap(), "one", at(1)));
    b.devices
        .push(Device::new("ip:10.0.0.2".parse().unwrap(), "two", at(2)));
    first.save(&a).unwrap();
    let written = second.save_merged(&b).unwrap();
    assert_eq!(written.devices.len(), 2, "{written:?}");
    // The first, saving again from its own stale copy, keeps the second's device.
    a.devices[0].known = true;
    first.save(&a).unwrap();
    let on_disk = read_inventory(tmp.path()).unwrap();
    let names: Vec<&str> = on_disk.devices.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["one", "two"]);
    assert!(on_disk.devices[0].known);
    // The lock is free between saves: a third opens at once.
    assert!(Store::open(tmp.path()).is_ok());
}

#[test]
fn a_save_waits_for_the_lock_and_reports_a_stuck_holder_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let other = fs::OpenOptions::new()
        .write(true)
        .open(tmp.path().join(LOCK_FILE))
        .unwrap();
    other.lock().unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(other);
    });
    // Held for 0.3 s: the save waits and lands.
    store.save(&household()).unwrap();
    holder.join().unwrap();
    assert_eq!(read_inventory(tmp.path()).unwrap(), household());
    let message = StoreError::Locked {
        dir: tmp.path().to_path_buf(),
    }
    .to_string();
    assert!(message.contains("another porchlight"), "{message}");
    assert!(!message.contains('\n'), "{message}");
}

/// Files that must be reported, never overwritten, with what the message must say.
fn bad_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "garbage",
            b"\x00\xff\x1b[2Jnot json at all\n\x07".to_vec(),
            "is damaged",
        ),
        ("empty", Vec::new(), "is damaged"),
        (
            "truncated",
            br#"{"schema": 1, "devices": [{"id": "mac:"#.to_vec(),
            "is damaged",
        ),
        (
            "foreign object",
            br#"{"hello": 1}"#.to_vec(),
            "is not a porchlight state file",
        ),
        (
            "array",
            b"[1, 2, 3]".to_vec(),
            "is not a porchlight state file",
        ),
        (
            "string schema",
            br#"{"schema": "1"}"#.to_vec(),
            "is not a porchlight state file",
        ),
        (
            "wrong shape",
            br#"{"schema": 1, "devices": "none"}"#.to_vec(),
            "is damaged",
        ),
        (
            "newer schema",
            br#"{"schema": 99, "saved_at": "2030-01-01T00:00:00Z", "things": []}"#.to_vec(),
            "newer porchlight (schema 99",
        ),
    ]
}

#[test]
fn store_reports_bad_files_and_never_overwrites_them() {
    for (case, bytes, says) in bad_files() {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join(STATE_FILE);
        fs::write(&state, &bytes).unwrap();

        let store = Store::open(tmp.path()).unwrap();
        let err = store.load().unwrap_err();
        let message = err.to_string();
        assert!(message.contains(says), "{case}: {message}");
        assert!(
            message.contains(&state.display().to_string()),
            "{case}: {message}"
        );
        assert!(message.contains("left untouched"), "{case}: {message}");
        assert!(
            !message.chars().any(char::is_control),
            "{case}: {message:?}"
        );
        if case != "newer schema" {
            assert!(
                message.contains("no good state.json.bak"),
                "{case}: {message}"
            );
        }
        assert!(read_inventory(tmp.path()).is_err(), "{case}");

        let refused = store.save(&household()).unwrap_err();
        assert!(
            matches!(&refused, StoreError::SaveRefused { path } if *path == state),
            "{case}: {refused:?}"
        );
        assert!(
            refused.to_string().contains(&state.display().to_string()),
            "{case}"
        );
        assert_eq!(
            fs::read(&state).unwrap(),
            bytes,
            "{case}: the file was changed"
        );
        assert_eq!(names_in(tmp.path()), ["state.json", "state.lock"], "{case}");
    }
}

#[test]
fn store_refuses_to_save_over_a_bad_file_it_never_loaded() {
    for (case, bytes, _) in bad_files() {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join(STATE_FILE);
        fs::write(&state, &bytes).unwrap();
        let store = Store::open(tmp.path()).unwrap();
        let refused = store.save(&household()).unwrap_err();
        assert!(
            matches!(refused, StoreError::SaveRefused { .. }),
            "{case}: {refused:?}"
        );
        assert_eq!(
            fs::read(&state).unwrap(),
            bytes,
            "{case}: the file was changed"
        );
    }
}

#[test]
fn store_offers_a_good_backup_for_a_damaged_file() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let older = household();
    store.save(&older).unwrap();
    store.save(&Inventory::default()).unwrap();
    drop(store);
    let state = tmp.path().join(STATE_FILE);
    let backup = tmp.path().join(BACKUP_FILE);
    fs::write(&state, b"{\"schema\": 1, \"devi").unwrap();

    let store = Store::open(tmp.path()).unwrap();
    let message = store.load().unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "{} is damaged (EOF while parsing a string at line 1 column 19); it was left untouched. \
             The previous good copy is {}: copy it over state.json to go back to it.",
            state.display(),
            backup.display()
        )
    );
    assert!(store.save(&Inventory::default()).is_err());

    // Doing what the message says works, and then saving is allowed again.
    fs::copy(&backup, &state).unwrap();
    assert_eq!(store.load().unwrap(), older);
    store.save(&older).unwrap();
}

#[test]
fn store_does_not_offer_a_damaged_backup() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join(STATE_FILE), b"oops").unwrap();
    fs::write(tmp.path().join(BACKUP_FILE), b"also oops").unwrap();
    let message = read_inventory(tmp.path()).unwrap_err().to_string();
    assert!(message.contains("no good state.json.bak"), "{message}");
}

#[test]
fn store_loads_the_backup_when_state_file_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let first = household();
    let second = Inventory::default();
    store.save(&first).unwrap();
    store.save(&second).unwrap();
    fs::remove_file(store.state_path()).unwrap();

    assert_eq!(read_inventory(tmp.path()).unwrap(), first);
    assert_eq!(
        store.load_with_origin().unwrap(),
        (first.clone(), LoadedFrom::Backup)
    );
    let mut third = first.clone();
    third.devices[1].known = true;
    store.save(&third).unwrap();
    assert_eq!(
        store.load_with_origin().unwrap(),
        (third, LoadedFrom::StateFile)
    );
    let backup = format::decode(&fs::read(store.backup_path()).unwrap()).unwrap();
    assert_eq!(
        backup, first,
        "with no state.json to keep, the backup stays"
    );
}

#[test]
fn store_reports_a_damaged_backup_when_it_is_all_there_is() {
    let tmp = tempfile::tempdir().unwrap();
    let backup = tmp.path().join(BACKUP_FILE);
    fs::write(&backup, b"{\"hello\": true}").unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let message = store.load().unwrap_err().to_string();
    assert!(
        message.starts_with(&backup.display().to_string()),
        "{message}"
    );
    assert!(message.contains("not a porchlight state file"), "{message}");
    let refused = store.save(&household()).unwrap_err();
    assert!(
        matches!(&refused, StoreError::SaveRefused { path } if *path == backup),
        "{refused:?}"
    );
    assert_eq!(fs::read(&backup).unwrap(), b"{\"hello\": true}");
}

#[test]
fn store_reports_a_folder_that_cannot_be_made() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("afile");
    fs::write(&file, b"not a folder").unwrap();
    let dir = file.join("sub");
    let err = Store::open(&dir).unwrap_err();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&dir.display().to_string()), "{message}");
    assert!(!message.contains('\n'), "{message}");
}

/// Set in the child that checks a read-only bind mount (see below).
#[cfg(unix)]
const READ_ONLY_DIR: &str = "PORCHLIGHT_READ_ONLY_DIR";

#[cfg(unix)]
fn assert_read_only_refused(dir: &Path) {
    let err = Store::open(dir).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
}

#[test]
#[cfg(unix)] // Unix modes; Windows keeps the profile folder's access list
fn store_reports_a_read_only_folder() {
    if let Some(dir) = std::env::var_os(READ_ONLY_DIR) {
        assert_read_only_refused(Path::new(&dir));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ro");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
    if fs::write(dir.join("probe"), b"").is_err() {
        // Not root: the permissions alone make the folder read-only.
        assert_read_only_refused(&dir);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        return;
    }
    // Root writes through permissions (CI runs as root): a read-only bind mount of the folder,
    // in a mount namespace of the test's own, stops root too. The test runs itself there.
    fs::remove_file(dir.join("probe")).unwrap();
    let script = r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" --exact store::tests::store_reports_a_read_only_folder --nocapture"#;
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&dir)
        .arg(&exe)
        .env(READ_ONLY_DIR, &dir)
        .output();
    let ran = match &out {
        // The test ran in the child: its verdict is the verdict.
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("running 1 test") => {
            assert!(
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains("1 passed"),
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            true
        }
        _ => false,
    };
    if !ran {
        let why = match &out {
            Ok(o) => format!(
                "a read-only bind mount was refused: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => format!("cannot run unshare (package util-linux): {e}"),
        };
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "this test cannot run under CI: {why}");
        eprintln!("skipped: {why}");
    }
    // Nothing was written into the folder.
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn store_open_removes_only_its_own_stale_temp_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for name in [".state.json.tmp-4242-0", ".state.json.bak.tmp-4242-1"] {
        fs::write(dir.join(name), b"{\"schema\": 1, \"dev").unwrap();
    }
    for name in ["notes.txt", "state.json.tmp-1", ".state.json.swp"] {
        fs::write(dir.join(name), b"keep me").unwrap();
    }
    fs::create_dir(dir.join(".state.json.tmp-folder")).unwrap();
    let _store = Store::open(dir).unwrap();
    assert_eq!(
        names_in(dir),
        [
            ".state.json.swp",
            ".state.json.tmp-folder",
            "notes.txt",
            "state.json.tmp-1",
            "state.lock"
        ]
    );
}

#[test]
fn store_read_inventory_of_a_missing_folder_is_empty_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("never-made");
    assert_eq!(read_inventory(&dir).unwrap(), Inventory::default());
    assert!(!dir.exists());
}

#[test]
fn store_default_data_dir_is_absolute_and_named_for_porchlight() {
    // HOME may be unset in odd CI sandboxes; then the error is the documented one.
    match default_data_dir() {
        Ok(dir) => {
            assert!(dir.is_absolute(), "{}", dir.display());
            // Windows keeps it in %APPDATA%\porchlight\data.
            let last = if cfg!(windows) {
                "porchlight/data"
            } else {
                "porchlight"
            };
            assert!(dir.ends_with(last), "{}", dir.display());
        }
        Err(e) => assert!(matches!(
            e,
            StoreError::NoHomeDir | StoreError::DataDirNotAbsolute { .. }
        )),
    }
}

#[test]
fn store_refuses_two_records_with_one_id_and_merges_them_on_load_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut inv = household();
    let mut twin = inv.devices[0].clone();
    twin.progress.clear();
    twin.set_step_state(&StepId::new("R-09"), StepState::Done, at(1_800_000_000));
    twin.ip = Some(Ipv4Addr::new(192, 168, 1, 254));
    inv.devices.push(twin);
    let store = Store::open(dir.path()).unwrap();
    let err = store.save(&inv).unwrap_err();
    assert!(matches!(err, StoreError::DuplicateId { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("share the id mac:3c:22:fb:01:02:03"),
        "{err}"
    );
    assert!(!dir.path().join(STATE_FILE).exists(), "nothing written");

    // A file written by an older porchlight with the duplicate in it.
    let bytes = format::encode(&inv, at(1_800_000_100)).unwrap();
    fs::write(dir.path().join(STATE_FILE), bytes).unwrap();
    let steps_before: usize = inv.devices.iter().map(|d| d.progress.len()).sum();
    let loaded = store.load().unwrap();
    assert_eq!(loaded.devices.len(), inv.devices.len() - 1);
    let router = &loaded.devices[0];
    assert_eq!(router.step_state(&StepId::new("R-09")), StepState::Done);
    let steps_after: usize = loaded.devices.iter().map(|d| d.progress.len()).sum();
    assert_eq!(steps_after, steps_before, "every step of progress kept");
    let notice = store.take_merge_notice().expect("said once");
    assert!(notice.contains("1 duplicate device record"), "{notice}");
    assert_eq!(store.take_merge_notice(), None, "only once");
    // Saved at once: the next load finds nothing to merge; the old file is the backup.
    assert_eq!(store.load().unwrap(), loaded);
    assert_eq!(store.take_merge_notice(), None);
    assert!(dir.path().join(BACKUP_FILE).exists());
}
