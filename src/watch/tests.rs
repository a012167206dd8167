#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::collections::BTreeSet;

use super::*;
use crate::model::{Device, Finding, OpenPort, ScanRecord, StepId};

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s).unwrap()
}

fn device(id: &str, name: &str, ip: &str, seen: i64) -> Device {
    let mut d = Device::new(id.parse().unwrap(), name, at(0));
    d.ip = Some(ip.parse().unwrap());
    d.last_seen = at(seen);
    d.known = true;
    d
}

fn home(devices: Vec<Device>) -> Inventory {
    let mut inv = Inventory {
        devices,
        ..Inventory::default()
    };
    inv.push_scan(ScanRecord {
        started_at: at(0),
        finished_at: at(1),
        devices_seen: 1,
        scope: "test".into(),
    });
    inv
}

fn pass(started: i64) -> Pass {
    Pass {
        scan_started: at(started),
        hosts_seen: 3,
        external: None,
    }
}

fn problem(evidence: &str, when: i64) -> Finding {
    Finding {
        verdict: FindingVerdict::Problem,
        evidence: evidence.into(),
        checked_at: at(when),
    }
}

/// One pass: the changes said, and the state remembered after it.
fn run(before: &Inventory, after: &Inventory, p: &Pass, state: &mut WatchState) -> Vec<Change> {
    let catalog = Catalog::builtin().unwrap();
    let out = changes(&catalog, before, after, p, state);
    let held = held_keys(after, p, state);
    state.remember(&out, held, p.external, p.scan_started);
    out
}

#[test]
fn a_new_device_is_said_once_and_names_it() {
    let router = device("mac:50:c7:bf:00:00:01", "Router", "10.0.0.1", 10);
    let before = home(vec![router.clone()]);
    let mut newcomer = device("mac:00:1b:a9:00:00:09", "Printer", "10.0.0.9", 100);
    newcomer.known = false;
    newcomer.vendor = Some("Brother".into());
    newcomer.mac = Some("00:1b:a9:00:00:09".parse().unwrap());
    let after = home(vec![router, newcomer]);
    let mut state = WatchState::default();
    let said = run(&before, &after, &pass(100), &mut state);
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].kind, ChangeKind::NewDevice);
    assert!(said[0].kind.needs_owner());
    assert_eq!(
        said[0].line,
        "new device: Printer (10.0.0.9), Brother, mac 00:1b:a9:00:00:09"
    );
    // The next pass sees the same device, still not marked as the owner's: nothing new.
    let again = run(&after, &after, &pass(200), &mut state);
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(state.events.len(), 1);
}

#[test]
fn old_conditions_are_not_news_on_the_first_pass_but_later_ones_are() {
    let mut camera = device("mac:00:12:34:00:00:05", "Camera", "10.0.0.5", 100);
    camera.known = false;
    camera
        .findings
        .insert(StepId::new("CA-01"), problem("telnet answers", 50));
    // RT-04 was checked and found fine; G-04 could not be judged (no answer).
    let judged = |verdict, evidence: &str| Finding {
        verdict,
        evidence: evidence.into(),
        checked_at: at(50),
    };
    camera.findings.insert(
        StepId::new("RT-04"),
        judged(FindingVerdict::Fine, "the device refuses telnet"),
    );
    camera.findings.insert(
        StepId::new("G-04"),
        judged(FindingVerdict::Unknown, "no answer from http 80"),
    );
    let before = home(vec![camera.clone()]);
    let mut state = WatchState::default();
    assert!(run(&before, &before, &pass(100), &mut state).is_empty());
    // A problem where the check had found the step fine is news; one where it could not tell
    // before is not (it may have been there all along).
    let mut after = before.clone();
    after.devices[0].findings.insert(
        StepId::new("RT-04"),
        problem("telnet answers on 10.0.0.5:23", 150),
    );
    after.devices[0].findings.insert(
        StepId::new("G-04"),
        problem("the admin page opens over plain http", 150),
    );
    let said = run(&before, &after, &pass(150), &mut state);
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].kind, ChangeKind::Problem);
    assert!(
        said[0].line.contains("telnet answers on 10.0.0.5:23"),
        "{}",
        said[0].line
    );
}

#[test]
fn a_fix_that_came_undone_is_said_once_across_passes() {
    let step = StepId::new("RT-04");
    let mut router = device("mac:50:c7:bf:00:00:01", "Router", "10.0.0.1", 100);
    router.set_step_state(&step, StepState::Verified, at(10));
    let before = home(vec![router.clone()]);
    let mut state = WatchState::default();
    run(&before, &before, &pass(100), &mut state);
    let mut undone = before.clone();
    undone.devices[0].set_step_state(&step, StepState::Failed, at(150));
    undone.devices[0]
        .findings
        .insert(step.clone(), problem("telnet answers again", 150));
    let said = run(&before, &undone, &pass(150), &mut state);
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].kind, ChangeKind::Undone);
    assert!(
        said[0]
            .line
            .starts_with("fix came undone: Router (10.0.0.1) RT-04")
    );
    // Still failing at the next pass: not said again.
    assert!(run(&undone, &undone, &pass(250), &mut state).is_empty());
}

#[test]
fn moments_address_port_return_missing_and_internet_address() {
    let mut printer = device("mac:00:1b:a9:00:00:09", "Printer", "10.0.0.9", 0);
    let mut camera = device("mac:00:12:34:00:00:05", "Camera", "10.0.0.5", 90);
    camera.always_on = true;
    // The printer refused telnet when it was last probed.
    printer.closed_ports = vec![23];
    let before = home(vec![printer.clone(), camera.clone()]);
    // The camera missed this scan and the one before.
    camera.missed_scans = 2;
    printer.closed_ports.clear();
    printer.last_seen = at(4 * 86_400);
    printer.ip = Some("10.0.0.19".parse().unwrap());
    printer.open_ports.push(OpenPort {
        port: 23,
        service: "telnet".into(),
        banner: None,
        tls: false,
    });
    let after = home(vec![printer, camera]);
    let mut state = WatchState {
        external_address: Some("203.0.113.4".parse().unwrap()),
        last_pass: Some(at(50)),
        ..WatchState::default()
    };
    let p = Pass {
        external: Some("203.0.113.9".parse().unwrap()),
        ..pass(4 * 86_400)
    };
    let said = run(&before, &after, &p, &mut state);
    let kinds: Vec<ChangeKind> = said.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Back,
            ChangeKind::Address,
            ChangeKind::RiskyPort,
            ChangeKind::AlwaysOnMissing,
            ChangeKind::ExternalAddress
        ],
        "{said:#?}"
    );
    assert_eq!(said[0].line, "back after 4 days away: Printer (10.0.0.19)");
    assert_eq!(
        said[1].line,
        "address changed: Printer 10.0.0.9 → 10.0.0.19"
    );
    assert_eq!(
        said[2].line,
        "newly open risky port: Printer (10.0.0.19) 23/telnet"
    );
    assert!(
        said[3]
            .line
            .starts_with("always-on device missing: Camera (10.0.0.5)")
    );
    assert_eq!(
        said[4].line,
        "the router's internet address changed: 203.0.113.4 → 203.0.113.9"
    );
    // The camera still missing at the next pass: said once per absence.
    let later = run(&after, &after, &pass(5 * 86_400), &mut state);
    assert!(later.is_empty(), "{later:?}");
}

#[test]
fn a_scan_that_merely_missed_something_raises_no_alarm_after() {
    // The router's telnet was open all along, but the scan before this one missed it (a lost
    // frame: it was neither refused nor kept as closed), and the camera missed one scan.
    let mut router = device("mac:00:00:00:00:00:01", "Router", "10.0.0.1", 100);
    router.open_ports.push(OpenPort {
        port: 23,
        service: "telnet".into(),
        banner: None,
        tls: false,
    });
    let mut missed = router.clone();
    missed.open_ports.clear();
    let mut camera = device("mac:00:12:34:00:00:05", "Camera", "10.0.0.5", 10);
    camera.always_on = true;
    camera.missed_scans = 1;
    let mut state = WatchState {
        last_pass: Some(at(50)),
        ..WatchState::default()
    };
    let before = home(vec![missed, camera.clone()]);
    let after = home(vec![router, camera]);
    let said = run(&before, &after, &pass(100), &mut state);
    assert!(said.is_empty(), "{said:#?}");
}

#[test]
fn a_device_whose_hardware_address_is_learnt_later_is_not_new_again() {
    // The first pass saw the hub only by its address (its ARP answer was lost), with a problem.
    let mut by_ip = device("ip:10.0.0.10", "Hub", "10.0.0.10", 10);
    by_ip.known = false;
    let step = StepId::new("H-02");
    by_ip
        .findings
        .insert(step.clone(), problem("anyone may log in", 10));
    let mut state = WatchState::default();
    let first = home(vec![by_ip.clone()]);
    let said = run(&Inventory::default(), &first, &pass(10), &mut state);
    assert_eq!(said.len(), 2, "new device and its problem: {said:#?}");
    // The next pass learns its hardware address: the same device, nothing new to say.
    let mut by_mac = by_ip.clone();
    by_mac.id = "mac:dc:a6:32:00:00:0a".parse().unwrap();
    by_mac.mac = Some("dc:a6:32:00:00:0a".parse().unwrap());
    by_mac.last_seen = at(100);
    let second = home(vec![by_mac]);
    let said = run(&first, &second, &pass(100), &mut state);
    assert!(said.is_empty(), "{said:#?}");
    // And the pass after it is quiet too (the keys moved to the new id).
    assert!(run(&second, &second, &pass(200), &mut state).is_empty());
}

#[test]
fn a_scan_that_saw_nobody_calls_nobody_missing() {
    let mut camera = device("mac:00:12:34:00:00:05", "Camera", "10.0.0.5", 10);
    camera.always_on = true;
    camera.missed_scans = 5;
    let inv = home(vec![camera]);
    let p = Pass {
        hosts_seen: 0,
        ..pass(100)
    };
    let mut state = WatchState::default();
    assert!(run(&inv, &inv, &p, &mut state).is_empty());
}

#[test]
fn the_state_file_round_trips_and_a_damaged_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(WatchState::load(dir.path()).unwrap(), WatchState::default());
    let mut state = WatchState::default();
    state.remember(
        &[Change {
            kind: ChangeKind::NewDevice,
            key: "new:ip:10.0.0.9".into(),
            line: "new device: x".into(),
        }],
        ["new:ip:10.0.0.9".to_string()].into(),
        None,
        at(5),
    );
    state.save(dir.path()).unwrap();
    assert_eq!(WatchState::load(dir.path()).unwrap(), state);
    assert_eq!(state.since(Some(at(4))).count(), 1);
    assert_eq!(state.since(Some(at(5))).count(), 0);
    std::fs::write(dir.path().join(state::WATCH_FILE), "{ not json").unwrap();
    let e = WatchState::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("watch.json is damaged"), "{e}");
}

#[test]
fn the_tui_sees_each_change_once() {
    let dir = tempfile::tempdir().unwrap();
    assert!(state::unseen_and_mark(dir.path(), at(1), 10).is_empty());
    let mut state = WatchState::default();
    let change = |line: &str| Change {
        kind: ChangeKind::NewDevice,
        key: line.into(),
        line: line.into(),
    };
    state.remember(&[change("new device: a")], BTreeSet::new(), None, at(5));
    state.save(dir.path()).unwrap();
    let news = state::unseen_and_mark(dir.path(), at(6), 10);
    assert_eq!(news.len(), 1);
    assert_eq!(news[0].line, "new device: a");
    state.remember(&[change("new device: b")], BTreeSet::new(), None, at(7));
    state.save(dir.path()).unwrap();
    let news = state::unseen_and_mark(dir.path(), at(8), 10);
    let lines: Vec<&str> = news.iter().map(|e| e.line.as_str()).collect();
    assert_eq!(lines, ["new device: b"]);
    assert!(state::unseen_and_mark(dir.path(), at(9), 10).is_empty());
}

#[test]
fn two_watchers_marking_at_once_lose_no_mark() {
    // A watch service and a `watch --once` job, as threads: each marks 30 conditions as said,
    // one read-change-write at a time, with a pause inside the change as a slow pass has.
    let dir = tempfile::tempdir().unwrap();
    let threads: Vec<_> = ["service", "daily"]
        .into_iter()
        .map(|who| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                for round in 0..30 {
                    WatchState::update(&dir, |state| {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        state.reported.insert(format!("{who}-{round}"));
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let state = WatchState::load(dir.path()).unwrap();
    assert_eq!(state.reported.len(), 60, "marks lost: {:?}", state.reported);
}

#[cfg(unix)]
#[test]
fn a_pipe_at_watch_json_is_refused_in_one_line_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(state::WATCH_FILE);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let folder = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(WatchState::load(&folder).map_err(|e| e.to_string()));
    });
    let answer = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("loading watch.json hung on a pipe");
    let e = answer.unwrap_err();
    assert!(e.contains("not a plain file") && !e.contains('\n'), "{e}");
    // The TUI's "since you last looked" shows nothing rather than hang.
    std::fs::remove_file(&path).unwrap();
    let seen = dir.path().join(state::SEEN_FILE);
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&seen)
            .status()
            .unwrap()
            .success()
    );
    let folder = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(state::unseen_and_mark(&folder, at(1), 5).len());
    });
    assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(10)), Ok(0));
}

#[test]
fn a_devices_second_address_is_known_so_its_announcements_do_not_wake_watch() {
    // A printer answers on two addresses (wired and Wi-Fi): announcements from either are from
    // a device porchlight knows, so watch does not rescan early every 20 s.
    let mut printer = device("mac:00:11:22:33:44:55", "Printer", "192.168.1.20", 5);
    printer.evidence.add_ip("192.168.1.21".parse().unwrap());
    let inv = Inventory {
        devices: vec![printer],
        ..Inventory::default()
    };
    let known = known_addresses(&inv);
    assert!(known.contains(&"192.168.1.20".parse().unwrap()));
    assert!(
        known.contains(&"192.168.1.21".parse().unwrap()),
        "the second address is the same device"
    );
    assert!(!known.contains(&"192.168.1.22".parse().unwrap()));
}
