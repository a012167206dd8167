//! The state file survives porchlight being killed at any moment of a save.
//!
//! The parent test re-runs this test binary as a child that saves in a loop, kills it with SIGKILL
//! after a short random delay, and checks that the file still loads and holds at least the last
//! save the child reported as finished. Killing also tests that the kernel releases the lock and
//! that the next open sweeps up the temp files a killed save leaves behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use porchlight::model::{
    Category, Device, DeviceId, Inventory, MacAddr, ScanRecord, StepId, StepState,
};
use porchlight::store::Store;

/// Set (to the data folder) only in the child process.
const CHILD_DIR_ENV: &str = "PORCHLIGHT_STORE_CRASH_CHILD_DIR";
const CHILD_TEST: &str = "store_crash_child_saves_in_a_loop";
const ROUNDS: usize = 200;
const MAX_DELAY_MICROS: u64 = 15_000;

/// Where the child keeps its save counter: the history's only scan record.
fn counter(inv: &Inventory) -> u64 {
    inv.scans.first().map_or(0, |s| s.devices_seen as u64)
}

/// A household big enough that a save takes a moment, so kills land inside saves.
fn household(count: u64) -> Inventory {
    let now = Timestamp::from_second(1_700_000_000).unwrap();
    let devices = (0..60u8)
        .map(|n| {
            let mac = MacAddr([0x3c, 0x22, 0xfb, 0, 1, n]);
            let mut d = {
                let mut device = Device::new(DeviceId::Mac(mac), format!("Device {n}"), now);
                device.set_detected_category(Category::Plug);
                device.vendor = Some("Acme".into());
                device.ip = Some(Ipv4Addr::new(192, 168, 1, n));
                device.mac = Some(mac);
                device.hostnames = vec![format!("plug-{n}.local")];
                device.last_seen = now;
                device.known = true;
                device
            };
            d.set_step_state(&StepId::new("PL-01"), StepState::Done, now);
            d
        })
        .collect();
    Inventory {
        devices,
        scans: vec![ScanRecord {
            started_at: now,
            finished_at: now,
            devices_seen: usize::try_from(count).unwrap(),
            scope: "crash test".into(),
        }],
        ..Inventory::default()
    }
}

/// The child: opens the store, then saves forever, announcing each finished save on stdout.
#[test]
#[ignore = "the child half of store_survives_sigkill_during_saves, which runs it"]
fn store_crash_child_saves_in_a_loop() {
    let Some(dir) = env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).unwrap();
    let mut inv = store.load().unwrap();
    let mut n = counter(&inv);
    let mut out = std::io::stdout().lock();
    writeln!(out, "\n@@ready {n}").unwrap();
    out.flush().unwrap();
    loop {
        n += 1;
        inv = household(n);
        store.save(&inv).unwrap();
        writeln!(out, "\n@@saved {n}").unwrap();
        out.flush().unwrap();
    }
}

/// A small xorshift generator: random enough for delays, and its seed is printed for replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn store_survives_sigkill_during_saves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let exe = env::current_exe().unwrap();
    let seed = env::var("PORCHLIGHT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test seed {seed} (set PORCHLIGHT_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut expected = 0;
    let mut kills_mid_run = 0;
    let mut killed_inside_a_save = 0;

    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                CHILD_TEST,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_ENV, dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());

        // Wait until the child holds the lock and has loaded, so the kill lands among saves.
        let mut line = String::new();
        loop {
            line.clear();
            let read = lines.read_line(&mut line).unwrap();
            assert!(
                read > 0,
                "round {round}: the child ended before it was ready"
            );
            if let Some(n) = line.trim().strip_prefix("@@ready ") {
                assert_eq!(
                    n.parse::<u64>().unwrap(),
                    expected,
                    "round {round}: child loaded"
                );
                break;
            }
        }
        // Let at least one save land each round, so that every round tests a kill among saves
        // however slow the machine is; the random delay then places the kill.
        let first_saved = loop {
            line.clear();
            let read = lines.read_line(&mut line).unwrap();
            assert!(read > 0, "round {round}: the child ended before saving");
            if let Some(n) = line.trim().strip_prefix("@@saved ") {
                break n.parse::<u64>().unwrap();
            }
        };
        let reader = thread::spawn(move || {
            let mut last = Some(first_saved);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                // A line cut short by the kill is not a report of a finished save.
                if line.ends_with('\n')
                    && let Some(n) = line.trim().strip_prefix("@@saved ")
                {
                    last = Some(n.parse::<u64>().unwrap());
                }
                line.clear();
            }
            last
        });

        thread::sleep(Duration::from_micros(rng.next() % MAX_DELAY_MICROS));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let last_reported = reader.join().unwrap();
        // Unix: death by SIGKILL (no exit code). Windows: TerminateProcess, which gives exit code
        // 1; the child never exits on its own (it saves until it is killed).
        let killed = if cfg!(unix) {
            status.code().is_none()
        } else {
            status.code() == Some(1)
        };
        if killed {
            kills_mid_run += 1;
        }

        let leftovers = fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".tmp-")
            })
            .count();
        if leftovers > 0 {
            killed_inside_a_save += 1;
        }

        // The dead child's lock is gone; the file loads and holds every reported save.
        let store = Store::open(dir)
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): open after kill: {e}"));
        let inv = store
            .load()
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): load after kill: {e}"));
        let found = counter(&inv);
        let floor = last_reported.unwrap_or(expected);
        assert!(
            found == floor || found == floor + 1,
            "round {round} (seed {seed}): file holds save {found}, child last reported {floor}"
        );
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "state.json.bak")
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["state.json", "state.lock"],
            "round {round}: temp files left"
        );
        expected = found;
        drop(store);
    }

    assert_eq!(
        kills_mid_run, ROUNDS,
        "every child should have died by the kill"
    );
    assert!(
        expected >= ROUNDS as u64,
        "every round saves at least once, so {expected} saves is too few"
    );
    eprintln!(
        "crash test: {ROUNDS} kills ({killed_inside_a_save} left a save half done), \
         {expected} saves, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
