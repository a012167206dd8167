//! A hostile home: a router that attacks whoever scans it (see `tests/netns/hostile.py`): SSDP
//! floods, a description nested 5,000 deep, endless and trickled descriptions and SOAP replies,
//! escape codes in every header, field, title and banner.
//!
//! What the owner would notice is asserted, every run: `porchlight scan --json` exits 0 within a
//! bounded time, its peak memory (VmHWM of the scanning process, read from /proc while it runs)
//! stays small, and no control character reaches its output; the router checks that talk SOAP
//! (run directly inside the home, as `tests/checks.rs` does) end in time with a clear reason, in
//! bounded memory, and keep no control character. They need root (CI runs as root); elsewhere
//! they say why and pass without running.

#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod netns;

use std::net::Ipv4Addr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use netns::TestHome;
use netns::hostile::hostile_devices;
use porchlight::checks::{Check, CheckResult, Context, GatewayInfo, Target, port_mappings, verify};
use porchlight::discovery::http::Limits;
use porchlight::model::{Service, ServiceSource};
use serde_json::Value;

/// The longest a scan of the hostile home may take (the scan's own limits end it sooner).
const SCAN_WALL: Duration = Duration::from_secs(60);

/// The most memory the scanning process may use at its peak (an endless description once
/// drove it to 1.39 GiB).
const SCAN_PEAK_KIB: u64 = 96 * 1024;

/// The most memory the process running the router checks may use at its peak.
const CHECKS_PEAK_KIB: u64 = 64 * 1024;

/// How many times each test runs against the same home (floods and slow bodies race).
const RUNS: usize = 2;

/// Where the in-home half finds the home.
const HOME_VAR: &str = "PORCHLIGHT_HOSTILE_TEST_HOME";

fn hostile_home() -> TestHome {
    let mut home = TestHome::build_with(hostile_devices);
    home.start_hostile_router();
    home
}

/// The peak resident memory of `pid` in KiB, from /proc (`None` once it has gone).
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// True when `text` holds a control character (other than line ends and tabs), a C1 control or
/// a bidirectional override.
fn has_control(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// Every string in a JSON value, keys too.
fn json_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| json_strings(v, out)),
        Value::Object(o) => {
            for (k, v) in o {
                out.push(k.clone());
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

/// What one measured scan gave.
struct Scanned {
    json: Value,
    stderr: String,
    peak_kib: u64,
    elapsed: Duration,
}

/// Runs `porchlight scan --json` in the home's scanner namespace, reading the scanning process's
/// VmHWM while it runs, and asserts what the owner would notice: status 0, bounded wall time and
/// peak memory, JSON on stdout, no control character anywhere in the output.
fn measured_scan(home: &TestHome, label: &str) -> Scanned {
    let fail = |what: String| -> ! { panic!("{label}: {what}\n{}", home.all_logs()) };
    let started = Instant::now();
    let mut child = home
        .scan_command(env!("CARGO_BIN_EXE_porchlight"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `ip netns exec` becomes porchlight (it execs), so the child's pid is the scanner's.
    let pid = child.id();
    let (out_pipe, err_pipe) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let (stdout, stderr) = (read(Box::new(out_pipe)), read(Box::new(err_pipe)));
    let mut peak_kib = 0u64;
    let status = loop {
        if let Some(kib) = vm_hwm(pid) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > SCAN_WALL + Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            fail("the scan did not end".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8(stdout.join().unwrap()).unwrap();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
    eprintln!(
        "{label}: {:.1} s, peak {peak_kib} KiB",
        elapsed.as_secs_f64()
    );
    if !status.success() {
        fail(format!("the scan failed ({status}): {stderr}"));
    }
    assert!(elapsed < SCAN_WALL, "{label}: the scan took {elapsed:?}");
    assert!(peak_kib > 0, "{label}: no memory figure was read");
    assert!(
        peak_kib < SCAN_PEAK_KIB,
        "{label}: peak memory {peak_kib} KiB (bound {SCAN_PEAK_KIB} KiB)"
    );
    assert!(!has_control(&stdout), "{label}: control bytes in stdout");
    assert!(
        !has_control(&stderr),
        "{label}: control bytes in stderr: {stderr:?}"
    );
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| fail(format!("no JSON ({e}): {stdout}\n{stderr}")));
    let mut strings = Vec::new();
    json_strings(&json, &mut strings);
    let dirty: Vec<&String> = strings.iter().filter(|s| has_control(s)).collect();
    assert!(dirty.is_empty(), "{label}: {dirty:?}");
    Scanned {
        json,
        stderr,
        peak_kib,
        elapsed,
    }
}

#[test]
fn a_hostile_router_cannot_crash_a_scan_or_run_up_its_memory() {
    if !netns::require_root() {
        return;
    }
    let home = hostile_home();
    let router = home.device("router").ip.to_string();
    for run in 0..RUNS {
        let scanned = measured_scan(&home, &format!("hostile scan run {run}"));
        // The router was still found, with what it said cleaned.
        let devices = scanned.json["devices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let found = devices
            .iter()
            .find(|d| d["ip"].as_str() == Some(router.as_str()))
            .unwrap_or_else(|| panic!("run {run}: the router is missing: {:#}", scanned.json));
        assert!(
            found.to_string().contains("friendlyName"),
            "run {run}: {found:#}\n{}",
            scanned.stderr
        );
    }
}

#[test]
fn a_scan_that_rechecks_the_router_over_hostile_soap_ends_clean() {
    use porchlight::model::StepState;
    if !netns::require_root() {
        return;
    }
    let home = hostile_home();
    let router = home.device("router").ip;
    let data = home.dir().join("porchlight-data");
    measured_scan(&home, "first scan");
    for run in 0..RUNS {
        // The owner says UPnP is off on the router (RT-05): the next scan re-checks it, over the
        // router's SOAP (escape codes in every value). The failed check undoes the mark, so it is
        // set again before every run.
        let store = porchlight::store::Store::open(&data).unwrap();
        let mut inventory = store.load().unwrap();
        let device = inventory
            .devices
            .iter_mut()
            .find(|d| d.ip == Some(router))
            .expect("the router is in the inventory");
        device.set_step_state(
            &porchlight::model::StepId::new("RT-05"),
            StepState::Done,
            jiff::Timestamp::now(),
        );
        store.save(&inventory).unwrap();
        drop(store);
        let scanned = measured_scan(&home, &format!("re-checking scan run {run}"));
        let check = scanned.json["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["step"] == "RT-05"))
            .unwrap_or_else(|| panic!("run {run}: RT-05 was not re-checked: {:#}", scanned.json));
        assert_eq!(check["verdict"], "fail", "run {run}: {check:#}");
        let evidence = check.to_string();
        assert!(
            evidence.contains("8554") && evidence.contains("Camera"),
            "run {run}: {check:#}"
        );
        assert!(scanned.elapsed < SCAN_WALL && scanned.peak_kib < SCAN_PEAK_KIB);
    }
}

/// The path of `program` on PATH.
fn which(program: &str) -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

#[test]
fn the_screen_survives_a_hostile_router_and_gives_the_terminal_back() {
    use std::io::Write;
    if !netns::require_root() {
        return;
    }
    let Some(script) = which("script") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed under CI"
        );
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is not installed");
        return;
    };
    let home = hostile_home();
    let router = home.device("router").ip.to_string();
    for run in 0..RUNS {
        // The interactive screen, in a pseudo-terminal, scans on start; the owner presses q.
        let data = home.dir().join(format!("tui-data-{run}"));
        // A pseudo-terminal starts at 0x0: give it a size first.
        let command = format!(
            "stty rows 40 cols 120 && exec {} --data-dir {}",
            env!("CARGO_BIN_EXE_porchlight"),
            data.display()
        );
        let mut child = home
            .in_scanner(&script)
            .args(["-qefc", &command, "/dev/null"])
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let out_pipe = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut pipe = out_pipe;
            let _ = std::io::Read::read_to_end(&mut pipe, &mut buf);
            buf
        });
        // Long enough for the whole scan (about 3 s here) to reach the screen.
        std::thread::sleep(Duration::from_secs(8));
        stdin.write_all(b"q").unwrap();
        stdin.flush().unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        drop(stdin);
        let transcript = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
        let status = status
            .unwrap_or_else(|| panic!("run {run}: the screen did not quit on q:\n{transcript:?}"));
        assert!(status.success(), "run {run}: {status}\n{transcript:?}");
        assert!(
            !transcript.contains("panicked"),
            "run {run}: {transcript:?}"
        );
        // The router is on the screen; what it sent to retitle the terminal is not.
        assert!(transcript.contains(&router), "run {run}: {transcript:?}");
        assert!(!transcript.contains("pwned"), "run {run}: {transcript:?}");
        // The terminal was given back: the alternate screen was left after it was entered.
        let entered = transcript.find("\x1b[?1049h").unwrap_or(usize::MAX);
        let left = transcript.rfind("\x1b[?1049l").unwrap_or(0);
        assert!(entered < left, "run {run}: {transcript:?}");
    }
}

#[test]
fn the_router_checks_end_in_time_on_hostile_soap_and_descriptions() {
    if !netns::require_root() {
        return;
    }
    let home = hostile_home();
    let router = home.device("router").ip;
    let spec = serde_json::json!({
        "router": router.to_string(),
        "camera": home.device("camera").ip.to_string(),
    });
    let exe = std::env::current_exe().unwrap();
    for run in 0..RUNS {
        let out = home
            .in_scanner(&exe)
            .args([
                "--exact",
                "router_checks_inside_the_hostile_home",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HOME_VAR, spec.to_string())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "run {run}: the checks inside the home failed:\n{text}\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            home.all_logs()
        );
        assert!(!has_control(&text), "run {run}: control bytes: {text:?}");
        let line = |label: &str| -> Value {
            let prefix = format!("RESULT {label} ");
            let rest = text
                .lines()
                .find_map(|l| l.split_once(&prefix).map(|(_, r)| r.to_string()))
                .unwrap_or_else(|| panic!("run {run}: no {label} in:\n{text}"));
            serde_json::from_str(&rest).unwrap()
        };
        for kind in ["endless", "slow", "deep"] {
            let r = line(&format!("soap-{kind}"));
            assert!(r["error"].is_string(), "run {run}: {kind}: {r}");
            assert!(r["secs"].as_f64().unwrap() < 4.0, "run {run}: {kind}: {r}");
        }
        assert!(
            line("soap-deep")["error"]
                .as_str()
                .unwrap()
                .contains("nested more than 64"),
            "{text}"
        );
        assert!(
            line("soap-endless")["error"]
                .as_str()
                .unwrap()
                .contains("larger than"),
            "{text}"
        );
        for kind in ["deep", "endless", "slow"] {
            let r = line(&format!("description-{kind}"));
            assert!(r["error"].is_string(), "run {run}: {kind}: {r}");
            assert!(r["secs"].as_f64().unwrap() < 4.0, "run {run}: {kind}: {r}");
        }
        let escape = line("soap-escape");
        let mappings = escape["mappings"].as_array().unwrap();
        assert_eq!(mappings.len(), 1, "{escape}");
        assert_eq!(mappings[0]["description"], "Camera", "{escape}");
        assert_eq!(mappings[0]["protocol"], "TCP", "{escape}");
        let igd_off = line("igd-off");
        assert_eq!(igd_off["verdict"], "fail", "{igd_off}");
        assert!(
            igd_off["evidence"].as_str().unwrap().contains("8554"),
            "{igd_off}"
        );
        let uptime = line("uptime");
        assert!(
            uptime["evidence"].as_str().unwrap().contains("1 day"),
            "{uptime}"
        );
        let peak = line("peak")["kib"].as_u64().unwrap();
        eprintln!("hostile checks run {run}: peak {peak} KiB");
        assert!(peak < CHECKS_PEAK_KIB, "run {run}: peak {peak} KiB");
    }
}

/// The half of [`the_router_checks_end_in_time_on_hostile_soap_and_descriptions`] that runs
/// inside the hostile home's scanner namespace; prints its results for the other half.
#[test]
#[ignore = "run inside the hostile home by the_router_checks_end_in_time_on_hostile_soap_and_descriptions"]
fn router_checks_inside_the_hostile_home() {
    let Ok(spec) = std::env::var(HOME_VAR) else {
        eprintln!("{HOME_VAR} is not set: this half runs inside a hostile home only");
        return;
    };
    let spec: Value = serde_json::from_str(&spec).unwrap();
    let ip = |key: &str| -> Ipv4Addr { spec[key].as_str().unwrap().parse().unwrap() };
    let router = ip("router");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let limits = Limits {
        timeout: Duration::from_secs(3),
        max_bytes: 256 * 1024,
    };
    runtime.block_on(async move {
        let print = |label: &str, v: Value| println!("RESULT {label} {v}");
        let timed = |label: String,
                     started: Instant,
                     r: Result<Vec<porchlight::checks::PortMapping>, String>| {
            let secs = started.elapsed().as_secs_f64();
            let v = match r {
                Ok(m) => serde_json::json!({ "mappings": m, "secs": secs }),
                Err(e) => serde_json::json!({ "error": e, "secs": secs }),
            };
            print(&label, v);
        };
        for kind in ["escape", "endless", "slow", "deep"] {
            let started = Instant::now();
            let r = port_mappings(&format!("http://{router}:5000/igd-{kind}.xml"), limits).await;
            timed(format!("soap-{kind}"), started, r);
        }
        for kind in ["deep", "endless", "slow"] {
            let started = Instant::now();
            let r = port_mappings(&format!("http://{router}:5000/{kind}.xml"), limits).await;
            timed(format!("description-{kind}"), started, r);
        }
        let gateway = GatewayInfo {
            ip: router,
            services: vec![Service {
                source: ServiceSource::Upnp,
                kind: "urn:schemas-upnp-org:device:InternetGatewayDevice:1".into(),
                name: "Hostile".into(),
                port: Some(5000),
                txt: [(
                    "location".to_string(),
                    format!("http://{router}:5000/igd-escape.xml"),
                )]
                .into(),
            }],
        };
        let ctx = Context {
            gateway: Some(gateway),
            ..Context::default()
        };
        let target = Target {
            is_gateway: true,
            ..Target::new(router)
        };
        let show = |r: &CheckResult| serde_json::to_value(r).unwrap();
        let r = verify(&Check::UpnpIgdOff, &target, &ctx).await;
        print("igd-off", show(&r));
        let r = verify(&Check::RouterUptime { max_days: 7 }, &target, &ctx).await;
        print("uptime", show(&r));
        let r = verify(&Check::NoWps, &target, &ctx).await;
        print("no-wps", show(&r));
    });
    let peak = vm_hwm(std::process::id()).unwrap_or(u64::MAX);
    println!("RESULT peak {}", serde_json::json!({ "kib": peak }));
}
