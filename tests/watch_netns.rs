//! `porchlight watch` in the simulated home (see `tests/netns/mod.rs`): it needs root (CI runs as
//! root with `CI=true`); elsewhere the tests say why and pass without running.
//!
//! - `watch_once_names_a_host_that_joins_then_has_nothing_to_say`: status 10 naming the newcomer,
//!   then status 0 with nothing printed.
//! - `a_fix_undone_between_two_passes_is_said_once`.
//! - `a_running_watch_reports_a_joining_host_while_scan_and_the_owner_save_beside_it`: the
//!   foreground watch reports a host that joins; a `scan` and an owner's save (the TUI's save path,
//!   `Store::save`) made while it runs both land; SIGTERM stops it with its state saved.

#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod netns;

use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use netns::TestHome;
use porchlight::model::{StepId, StepState};

const BIN: &str = env!("CARGO_BIN_EXE_porchlight");

fn home_with_newcomer() -> TestHome {
    let home = TestHome::build_with(|net| {
        let mut devices = netns::standard_devices(net);
        devices.push(netns::newcomer(net));
        devices
    });
    home.set_link("guest", false);
    home
}

fn data(home: &TestHome) -> PathBuf {
    home.dir().join("porchlight-data")
}

/// `porchlight watch <args>` in the scanner's namespace, on the home's data folder.
fn watch_cmd(home: &TestHome, args: &[&str]) -> Command {
    let mut cmd = home.in_scanner(BIN);
    cmd.arg("--data-dir")
        .arg(data(home))
        .args(["watch", "--interface", home.scanner_iface, "--no-notify"])
        .args(args);
    cmd
}

fn once(home: &TestHome) -> (Option<i32>, String, String) {
    let out: Output = watch_cmd(home, &["--once"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ip_of(home: &TestHome, name: &str) -> Ipv4Addr {
    home.device(name).ip
}

#[test]
fn watch_once_names_a_host_that_joins_then_has_nothing_to_say() {
    if !netns::require_root() {
        return;
    }
    let home = home_with_newcomer();
    let tablet = ip_of(&home, "guest");
    // The first pass: the whole home is new to porchlight.
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(10), "{out}\n{err}");
    assert!(
        !out.contains(&format!("({tablet})")),
        "the tablet is away: {out}"
    );
    // Nothing changed: nothing to say, status 0.
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert_eq!(out, "", "{err}");
    // The tablet joins.
    home.set_link("guest", true);
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(10), "{out}\n{err}");
    let line = out
        .lines()
        .find(|l| l.contains("new device") && l.contains(&format!("({tablet})")))
        .unwrap_or_else(|| panic!("the tablet is not named as new:\n{out}\n{err}"));
    assert!(line.starts_with("+ "), "{line}");
    // Said once.
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(!out.contains("new device"), "{out}");
}

#[test]
fn a_fix_undone_between_two_passes_is_said_once() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build();
    let data = data(&home);
    let camera = ip_of(&home, "camera");
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(10), "{out}\n{err}");
    // The owner says telnet is off on the camera (it is not: it still answers on 23).
    let step = telnet_step(&data, camera);
    mark(&data, camera, &step, StepState::Done);
    let (code, out, err) = once(&home);
    assert_eq!(code, Some(10), "{out}\n{err}");
    let undone: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("fix came undone") && l.contains(&format!("({camera}) {step}")))
        .collect();
    assert_eq!(undone.len(), 1, "{out}\n{err}");
    assert!(undone[0].starts_with("✗ "), "{}", undone[0]);
    // The next pass: still failing, not said again.
    let (code, out, err) = once(&home);
    assert!(!out.contains("fix came undone"), "{out}\n{err}");
    assert_eq!(code, Some(0), "{out}\n{err}");
}

#[test]
fn a_running_watch_reports_a_joining_host_while_scan_and_the_owner_save_beside_it() {
    if !netns::require_root() {
        return;
    }
    let home = home_with_newcomer();
    let data = data(&home);
    let tablet = ip_of(&home, "guest");
    let printer = ip_of(&home, "printer");
    // Scans every 10 minutes: a host reported within a minute was heard over mDNS.
    let mut child = watch_cmd(&home, &["--every", "10m"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The first pass has ended when watch.json says so.
    let first = Instant::now();
    while !data.join("watch.json").exists() {
        assert!(
            first.elapsed() < Duration::from_secs(90),
            "no first pass in 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut seen: Vec<String> = lines.try_iter().collect();

    // Beside the running watch: the owner names the printer (the TUI saves through Store::save)
    // and runs a scan.
    let store = porchlight::store::Store::open(&data).unwrap();
    let mut inventory = store.load().unwrap();
    let device = inventory
        .devices
        .iter_mut()
        .find(|d| d.ip == Some(printer))
        .unwrap();
    device.set_owner_name(Some("Hall printer".into()));
    device.set_detected_name("Hall printer");
    device.known = true;
    store.save(&inventory).unwrap();
    let scans_before = porchlight::store::read_inventory(&data)
        .unwrap()
        .scans
        .len();
    let scan = home
        .scan_command(BIN)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        scan.status.success(),
        "scan beside watch: {}",
        String::from_utf8_lossy(&scan.stderr)
    );

    // The tablet joins and announces itself over mDNS, as a device does when it connects: the
    // watch hears it and says so within a minute.
    home.set_link("guest", true);
    let joined = Instant::now();
    let announce = home
        .in_ns(&home.device("guest").ns, "python3")
        .args(["-c", ANNOUNCE_PY, &tablet.to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        announce.status.success(),
        "{}",
        String::from_utf8_lossy(&announce.stderr)
    );
    let wanted = format!("({tablet})");
    let mut found = false;
    while joined.elapsed() < Duration::from_secs(60) {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(500)) {
            found |= line.contains("new device") && line.contains(&wanted);
            seen.push(line);
            if found {
                eprintln!(
                    "the joining host was reported {:.1} s after it joined",
                    joined.elapsed().as_secs_f64()
                );
                break;
            }
        }
    }
    // SIGTERM: it stops, with everything saved.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if stopped.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("watch did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    reader.join().unwrap();
    assert!(
        found,
        "the joining tablet was not reported:\n{seen:#?}\n{err}"
    );
    assert!(status.success(), "{status}: {err}");

    // Both the owner's save and the scan landed, and so did the watch's passes.
    let after = porchlight::store::read_inventory(&data).unwrap();
    let named = after
        .devices
        .iter()
        .find(|d| d.ip == Some(printer))
        .unwrap();
    assert_eq!(named.owner_name(), Some("Hall printer"));
    assert!(named.known);
    assert!(after.scans.len() > scans_before, "{:?}", after.scans);
    assert!(after.devices.iter().any(|d| d.ip == Some(tablet)));
}

/// The step of the camera's checklist whose finding names telnet on port 23.
fn telnet_step(data: &Path, ip: Ipv4Addr) -> String {
    let inventory = porchlight::store::read_inventory(data).unwrap();
    let device = inventory.devices.iter().find(|d| d.ip == Some(ip)).unwrap();
    device
        .findings
        .iter()
        .find(|(_, f)| {
            f.verdict == porchlight::model::FindingVerdict::Problem && f.evidence.contains(":23")
        })
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| panic!("no telnet problem on {ip}: {:#?}", device.findings))
}

/// Sets `step` of the device at `ip` to `state`, as the wizard would.
fn mark(data: &Path, ip: Ipv4Addr, step: &str, state: StepState) {
    let store = porchlight::store::Store::open(data).unwrap();
    let mut inventory = store.load().unwrap();
    let device = inventory
        .devices
        .iter_mut()
        .find(|d| d.ip == Some(ip))
        .unwrap();
    device.set_step_state(&StepId::new(step), state, jiff::Timestamp::now());
    store.save(&inventory).unwrap();
}

/// Sends one unsolicited mDNS answer (an A record for guest-tablet.local) to the mDNS group, as
/// avahi does when a device connects.
const ANNOUNCE_PY: &str = r#"
import socket, struct, sys
ip = socket.inet_aton(sys.argv[1])
name = b"".join(bytes([len(p)]) + p for p in [b"guest-tablet", b"local"]) + b"\0"
packet = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + name + struct.pack("!HHIH", 1, 0x8001, 120, 4) + ip
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, ip)
for _ in range(2):
    s.sendto(packet, ("224.0.0.251", 5353))
"#;
