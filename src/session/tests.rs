//! Unit tests of the scan workflow and the Fix first order.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::net::Ipv4Addr;

use jiff::Timestamp;

use super::*;
use crate::checks::CheckResult;
use crate::discovery::Sighting;
use crate::model::{Category, Device, Finding, FindingVerdict, MacAddr, OpenPort};
use crate::reminders::DueContext;

fn t(s: u32) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + i64::from(s)).unwrap()
}

fn sighting(source: Source, last: u8, mac: &str) -> DiscoveryEvent {
    let mut s = Sighting::new(source, Ipv4Addr::new(10, 0, 0, last));
    s.mac = Some(mac.parse().unwrap());
    DiscoveryEvent::Sighting(Box::new(s))
}

fn ports(last: u8, mac: &str, open: &[u16]) -> DiscoveryEvent {
    let mut s = Sighting::new(Source::Ports, Ipv4Addr::new(10, 0, 0, last));
    s.mac = Some(mac.parse().unwrap());
    s.open_ports = open
        .iter()
        .map(|&port| OpenPort {
            port,
            service: "tcp".into(),
            banner: None,
            tls: false,
        })
        .collect();
    DiscoveryEvent::Sighting(Box::new(s))
}

fn jobs(effects: &[Effect]) -> Vec<&AuditJob> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(job) => Some(job.as_ref()),
            _ => None,
        })
        .collect()
}

fn saves(effects: &[Effect]) -> usize {
    effects.iter().filter(|e| matches!(e, Effect::Save)).count()
}

const MAC: &str = "3c:22:fb:01:02:03";

#[test]
fn a_device_is_audited_once_its_ports_and_hardware_address_are_known() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::Full, t(0));
    let step = |wf: &mut ScanWorkflow, inv: &mut Inventory, e: DiscoveryEvent, at| {
        wf.on_event(&catalog, inv, None, &e, t(at)).1
    };
    step(
        &mut wf,
        &mut inv,
        DiscoveryEvent::StageStarted {
            stage: Stage::Neighbours,
        },
        0,
    );
    step(&mut wf, &mut inv, sighting(Source::Icmp, 9, MAC), 0);
    let fx = step(&mut wf, &mut inv, ports(9, MAC, &[23, 1883]), 1);
    assert!(
        jobs(&fx).is_empty(),
        "the neighbour table may still name it"
    );
    let fx = step(
        &mut wf,
        &mut inv,
        DiscoveryEvent::StageFinished {
            stage: Stage::Neighbours,
            hosts: 0,
            elapsed: std::time::Duration::from_secs(1),
        },
        2,
    );
    let job = jobs(&fx)[0].clone();
    let steps: Vec<&str> = job.checks.iter().map(|(s, _)| s.as_str()).collect();
    // An unknown device with telnet and MQTT open gets the telnet step by kind and the MQTT
    // step by evidence; the login check is never run, only noted.
    assert!(steps.contains(&"G-02"), "{steps:?}");
    assert!(steps.contains(&"H-02"), "{steps:?}");
    assert!(!job.checks.iter().any(|(_, c)| c.needs_consent()));
    assert!(job.needs_consent.iter().any(|s| s.as_str() == "G-01"));
    assert!(wf.running());
    // Discovery ends while the audit runs: saved, not finished.
    let fx = step(
        &mut wf,
        &mut inv,
        DiscoveryEvent::Done {
            elapsed: std::time::Duration::from_secs(3),
        },
        3,
    );
    assert_eq!(saves(&fx), 1);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Finished)));
    assert_eq!(inv.scans.len(), 1);
    assert_eq!(inv.scans[0].devices_seen, 1);
    assert!(inv.history.is_empty(), "kept only once the audit is over");
    let results = job
        .checks
        .iter()
        .map(|(s, _)| {
            let r = if s.as_str() == "G-02" {
                CheckResult::fail("telnet answers on 10.0.0.9:23")
            } else {
                CheckResult::pass("refused")
            };
            (s.clone(), r)
        })
        .chain(
            job.needs_consent
                .iter()
                .map(|s| (s.clone(), audit::consent_needed())),
        )
        .collect();
    let fx = wf.on_audited(
        &catalog,
        &mut inv,
        AuditDone {
            device: job.device.clone(),
            kind: None,
            results,
        },
        t(4),
    );
    assert_eq!(saves(&fx), 1);
    assert!(matches!(fx.last(), Some(Effect::Finished)));
    assert!(!wf.running());
    // The finished scan keeps the home's score, with the telnet problem it found.
    assert_eq!(inv.history.len(), 1);
    let point = inv.history[0];
    assert_eq!((point.at, point.devices, point.problems), (t(4), 1, 1));
    assert_eq!(point.score, crate::score::home_value(&catalog, &inv));
    assert!(point.steps_open > 0);
    let d = &inv.devices[0];
    assert_eq!(
        d.findings[&StepId::new("G-02")].verdict,
        FindingVerdict::Problem
    );
    assert_eq!(
        d.findings[&StepId::new("H-02")].verdict,
        FindingVerdict::Fine
    );
    let g01 = &d.findings[&StepId::new("G-01")];
    assert_eq!(g01.verdict, FindingVerdict::Unknown);
    assert!(g01.evidence.contains("consent"), "{}", g01.evidence);
    // The owner's answers are untouched by the audit.
    assert!(d.progress.is_empty());
    assert_eq!(wf.regressions().count(), 0);
}

#[test]
fn devices_are_saved_every_few_seconds_while_the_scan_runs() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::Full, t(0));
    let mut total = 0;
    for n in 1..=10u8 {
        let mac = format!("02:00:00:00:00:{n:02x}");
        let (_, fx) = wf.on_event(
            &catalog,
            &mut inv,
            None,
            &sighting(Source::Arp, n, &mac),
            t(u32::from(n)),
        );
        total += saves(&fx);
    }
    assert_eq!(inv.devices.len(), 10);
    assert!((3..=4).contains(&total), "{total} saves in 10 s");
    // Quitting asks for the rest to be saved.
    wf.on_event(
        &catalog,
        &mut inv,
        None,
        &sighting(Source::Arp, 11, "02:00:00:00:00:0b"),
        t(10),
    );
    assert_eq!(saves(&wf.stop()), 1);
    assert!(!wf.running());
}

#[test]
fn without_the_audit_only_settled_steps_are_checked_and_a_failure_is_a_regression() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut d = Device::new(DeviceId::Mac(MAC.parse::<MacAddr>().unwrap()), "Plug", t(0));
    d.mac = MAC.parse().ok();
    d.ip = Some(Ipv4Addr::new(10, 0, 0, 9));
    d.set_detected_category(Category::Plug);
    d.known = true;
    d.set_step_state(&StepId::new("G-02"), StepState::Verified, t(0));
    inv.devices.push(d);
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::SettledOnly, t(1));
    let (_, mut fx) = wf.on_event(&catalog, &mut inv, None, &ports(9, MAC, &[23]), t(1));
    let (_, more) = wf.on_event(
        &catalog,
        &mut inv,
        None,
        &DiscoveryEvent::Done {
            elapsed: std::time::Duration::ZERO,
        },
        t(2),
    );
    fx.extend(more);
    let all = jobs(&fx);
    assert_eq!(all.len(), 1, "audited once");
    let steps: Vec<&str> = all[0].checks.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(steps, ["G-02"]);
    let device = all[0].device.clone();
    wf.on_audited(
        &catalog,
        &mut inv,
        AuditDone {
            device,
            kind: None,
            results: vec![(StepId::new("G-02"), CheckResult::fail("telnet answers"))],
        },
        t(3),
    );
    assert_eq!(
        inv.devices[0].step_state(&StepId::new("G-02")),
        StepState::Failed
    );
    let regressions: Vec<&Checked> = wf.regressions().collect();
    assert_eq!(regressions.len(), 1);
    assert!(regressions[0].settled);
}

fn device(n: u8, known: bool) -> Device {
    let mut d = Device::new(
        DeviceId::Ip(Ipv4Addr::new(10, 0, 0, n)),
        format!("Device {n}"),
        t(0),
    );
    d.ip = Some(Ipv4Addr::new(10, 0, 0, n));
    d.set_detected_category(Category::Camera);
    d.known = known;
    d
}

fn found(d: &mut Device, step: &str, verdict: FindingVerdict) {
    d.findings.insert(
        StepId::new(step),
        Finding {
            verdict,
            evidence: format!("{step} evidence"),
            checked_at: t(5),
        },
    );
}

#[test]
fn fix_first_puts_the_riskiest_found_problems_first() {
    let catalog = Catalog::builtin().unwrap();
    let mut a = device(1, true);
    found(&mut a, "C-03", FindingVerdict::Problem); // privacy
    found(&mut a, "C-01", FindingVerdict::Fine);
    let mut b = device(2, true);
    found(&mut b, "G-02", FindingVerdict::Problem); // botnet
    found(&mut b, "G-04", FindingVerdict::Problem); // eavesdropping: exposure
    // A settled step that failed: a regression, listed once (its finding is a problem).
    b.set_step_state(&StepId::new("G-03"), StepState::Failed, t(1));
    b.set_step_state(&StepId::new("C-02"), StepState::Failed, t(1));
    found(&mut b, "C-02", FindingVerdict::Problem);
    // The owner accepted this risk: not nagged.
    b.set_step_state(
        &StepId::new("G-05"),
        StepState::Accepted {
            reason: "needed".into(),
        },
        t(1),
    );
    found(&mut b, "G-05", FindingVerdict::Problem);
    let c = device(3, false);
    let inv = Inventory {
        devices: vec![a, b, c],
        ..Inventory::default()
    };
    let ctx = DueContext::new(&inv, jiff::tz::TimeZone::UTC);
    let list = fix_first(&catalog, &inv, &ctx, t(10));
    let got: Vec<(FixKind, String)> = list
        .iter()
        .map(|i| {
            (
                i.kind,
                i.step.as_ref().map_or("device".into(), |s| s.to_string()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (FixKind::Problem, "C-02".to_string()), // privacy and takeover: takeover rank, device 2
            (FixKind::Problem, "G-02".to_string()), // botnet, device 2
            (FixKind::Problem, "G-04".to_string()), // eavesdropping
            (FixKind::Problem, "C-03".to_string()), // privacy
            (FixKind::Regression, "G-03".to_string()),
            (FixKind::NewDevice, "device".to_string()),
        ]
    );
    assert_eq!(list[0].risk, RiskRank::Takeover);
    assert!(
        list[0].problem.contains("came undone"),
        "{}",
        list[0].problem
    );
    assert_eq!(list[1].evidence, "G-02 evidence");
    assert_eq!(list[1].ip, Some(Ipv4Addr::new(10, 0, 0, 2)));
    assert!(list[1].problem.contains("botnet"), "{}", list[1].problem);
}

#[test]
fn the_audit_waits_for_the_neighbour_table_read_after_the_sweep() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::Full, t(0));
    let mut feed = |e: DiscoveryEvent| wf.on_event(&catalog, &mut inv, None, &e, t(0)).1;
    feed(DiscoveryEvent::StageStarted { stage: Stage::Ping });
    feed(sighting(Source::Icmp, 1, MAC));
    assert!(
        jobs(&feed(ports(1, MAC, &[80]))).is_empty(),
        "the sweep runs"
    );
    let finished = |stage| DiscoveryEvent::StageFinished {
        stage,
        hosts: 1,
        elapsed: std::time::Duration::ZERO,
    };
    assert!(
        jobs(&feed(finished(Stage::Ping))).is_empty(),
        "the table is next"
    );
    feed(DiscoveryEvent::StageStarted {
        stage: Stage::Neighbours,
    });
    let fx = feed(finished(Stage::Neighbours));
    assert_eq!(jobs(&fx).len(), 1, "audited once the table is read");
}

#[test]
fn a_device_whose_id_changes_has_its_kept_password_moved() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::Full, t(0));
    let bare = DiscoveryEvent::Sighting(Box::new(Sighting::new(
        Source::Icmp,
        Ipv4Addr::new(10, 0, 0, 9),
    )));
    let fx = wf.on_event(&catalog, &mut inv, None, &bare, t(0)).1;
    assert!(!fx.iter().any(|e| matches!(e, Effect::MoveSecret { .. })));
    let was = inv.devices[0].id.clone();
    assert_eq!(was.to_string(), "ip:10.0.0.9");
    let fx = wf
        .on_event(
            &catalog,
            &mut inv,
            None,
            &sighting(Source::Arp, 9, MAC),
            t(1),
        )
        .1;
    let moves: Vec<(String, String)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::MoveSecret { from, to } => Some((from.to_string(), to.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(moves, [("ip:10.0.0.9".to_string(), format!("mac:{MAC}"))]);
}

#[test]
fn household_steps_wait_for_discovery_and_a_new_kind_is_judged_again() {
    let catalog = Catalog::builtin().unwrap();
    let mut inv = Inventory::default();
    let mut wf = ScanWorkflow::new("10.0.0.0/24", vec![], AuditMode::Full, t(0));
    let mut step =
        |inv: &mut Inventory, e: DiscoveryEvent, at| wf.on_event(&catalog, inv, None, &e, t(at)).1;
    let mut router = Sighting::new(Source::Ports, Ipv4Addr::new(10, 0, 0, 1));
    router.mac = Some("50:c7:bf:00:00:01".parse().unwrap());
    router.gateway = true;
    step(
        &mut inv,
        DiscoveryEvent::Sighting(Box::new(router.clone())),
        0,
    );
    let router_id = inv.devices[0].id.clone();
    inv.device_mut(&router_id)
        .unwrap()
        .set_owner_category(Some(Category::Router));
    let fx = step(&mut inv, DiscoveryEvent::Sighting(Box::new(router)), 0);
    let planned: Vec<String> = jobs(&fx)
        .iter()
        .flat_map(|j| j.checks.iter().map(|(s, _)| s.to_string()))
        .collect();
    assert!(planned.iter().any(|s| s.starts_with("RT-")), "{planned:?}");
    assert!(
        !planned.contains(&"RT-13".to_string()),
        "RT-13 waits until every device is identified: {planned:?}"
    );
    // A gadget of unknown kind: G-09 runs (and says "not judged"); once identified as a camera,
    // G-09 is judged again, and the first job's result, for the old kind, is dropped.
    let fx = step(&mut inv, ports(9, MAC, &[80]), 1);
    let first = jobs(&fx)
        .into_iter()
        .find(|j| j.target.ip == Ipv4Addr::new(10, 0, 0, 9))
        .unwrap()
        .clone();
    assert!(first.checks.iter().any(|(s, _)| s.as_str() == "G-09"));
    let id = first.device.clone();
    inv.device_mut(&id)
        .unwrap()
        .set_owner_category(Some(Category::Camera));
    let fx = step(&mut inv, ports(9, MAC, &[80]), 2);
    let again: Vec<&str> = jobs(&fx)
        .iter()
        .flat_map(|j| j.checks.iter().map(|(s, _)| s.as_str()))
        .collect();
    assert!(
        again.contains(&"G-09"),
        "judged again as a camera: {again:?}"
    );
    let stale = AuditDone {
        device: id.clone(),
        results: vec![(
            StepId::new("G-09"),
            CheckResult::unknown("not judged: old kind"),
        )],
        kind: Some(Category::Unknown),
    };
    wf.on_audited(&catalog, &mut inv, stale, t(3));
    assert!(
        !inv.device(&id)
            .unwrap()
            .findings
            .contains_key(&StepId::new("G-09")),
        "a verdict for a kind the device no longer has is dropped"
    );
    // Discovery is over: now RT-13 is judged, with every kind known.
    let fx = wf
        .on_event(
            &catalog,
            &mut inv,
            None,
            &DiscoveryEvent::Done {
                elapsed: std::time::Duration::from_secs(2),
            },
            t(4),
        )
        .1;
    let rt13 = jobs(&fx)
        .into_iter()
        .find(|j| j.checks.iter().any(|(s, _)| s.as_str() == "RT-13"))
        .expect("RT-13 after discovery");
    assert!(
        rt13.context
            .peers
            .iter()
            .any(|p| p.category == Category::Camera),
        "RT-13 sees the camera as a camera"
    );
}
