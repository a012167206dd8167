//! The household view on real scans of the namespace homes (see `tests/netns/mod.rs`):
//!
//! - `the_same_home_gives_the_same_findings_and_one_household_entry`: 10 scans of the standard
//!   home give the same findings every time (the household step RT-13 waits for identification);
//!   the smart devices beside this computer are one Fix first entry for the whole home, which
//!   Enter opens into the router's step and each device's; a device of unknown kind is "not
//!   judged", and a device with no web page gets "does not apply (no web page found)".
//! - `a_crowd_shows_its_most_dangerous_problem_first`: a /24 with 250 devices that all answer
//!   telnet: telnet is one entry naming how many devices, on the first line, and the whole list
//!   fits one 80x24 screen.
//!
//! They need root (CI runs as root with `CI=true`); elsewhere they say why and pass without
//! running.

#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;
mod netns;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use common::tui::draw_text;
use crossterm::event::KeyCode;
use netns::{Listener, TestHome};
use porchlight::catalog::Catalog;
use porchlight::tui::app::App;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_porchlight");

/// Every finding of a scan: (address, step, verdict). The evidence may change between scans of
/// the same home (the router's uptime grows); the verdicts must not.
fn findings(json: &Value) -> BTreeSet<(String, String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("ip"), s("step"), s("verdict"))
        })
        .collect()
}

fn finding<'a>(json: &'a Value, ip: Ipv4Addr, step: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["ip"] == ip.to_string().as_str() && f["step"] == step)
        .unwrap_or_else(|| panic!("no finding for {step} on {ip}: {json:#}"))
}

/// The app over what the home's scans saved, as the owner opens it: on Fix first.
fn app_of(home: &TestHome) -> App {
    let inventory = porchlight::store::read_inventory(&home.dir().join("porchlight-data")).unwrap();
    App::new(
        Catalog::builtin().unwrap(),
        inventory,
        "test home",
        jiff::Timestamp::now(),
    )
    .open_needs_you_if_due()
}

fn press(app: &mut App, keys: &[KeyCode]) {
    common::press(app, keys);
}

#[test]
fn the_same_home_gives_the_same_findings_and_one_household_entry() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build();
    let router = home.device("router").ip;
    let laptop = home.device("laptop").ip;
    let mut first: Option<BTreeSet<(String, String, String)>> = None;
    for run in 1..=10 {
        let (json, stderr) = home.scan_json(BIN, &[]);
        let now = findings(&json);
        match &first {
            None => first = Some(now),
            Some(was) => {
                let gone: Vec<_> = was.difference(&now).collect();
                let new: Vec<_> = now.difference(was).collect();
                assert!(
                    gone.is_empty() && new.is_empty(),
                    "scan {run} differs from scan 1:\nonly in scan 1: {gone:#?}\nonly in scan {run}: {new:#?}\n{stderr}"
                );
            }
        }
        // The household step speaks for every smart device beside this computer, every time.
        let rt13 = finding(&json, router, "RT-13");
        assert_eq!(rt13["verdict"], "problem", "{rt13}");
        assert!(
            rt13["evidence"]
                .as_str()
                .unwrap()
                .contains("smart devices share the network with this computer"),
            "{rt13}"
        );
        // A host that says nothing about itself may be the owner's laptop: not judged.
        let g09 = finding(&json, laptop, "G-09");
        assert_eq!(g09["verdict"], "unknown", "{g09}");
        assert!(
            g09["evidence"]
                .as_str()
                .unwrap()
                .starts_with("not judged: "),
            "{g09}"
        );
        // It refuses every web port: the secure-page step does not apply, with why.
        let g04 = finding(&json, laptop, "G-04");
        assert_eq!(g04["verdict"], "not-applicable", "{g04}");
        assert!(
            g04["evidence"]
                .as_str()
                .unwrap()
                .contains("no web page found"),
            "{g04}"
        );
    }

    // The owner opens porchlight: the gadgets' G-09 are one entry for the whole home.
    let mut app = app_of(&home);
    let gadgets: Vec<String> = app
        .inventory()
        .devices
        .iter()
        .filter(|d| {
            d.findings
                .get(&porchlight::model::StepId::new("G-09"))
                .is_some_and(|f| f.verdict == porchlight::model::FindingVerdict::Problem)
        })
        .map(|d| d.name().to_string())
        .collect();
    assert!(gadgets.len() >= 3, "the home's gadgets: {gadgets:?}");
    let listed: Vec<Vec<(String, Option<String>)>> = app
        .fix_entries()
        .iter()
        .map(|e| {
            e.items
                .iter()
                .map(|i| {
                    (
                        i.device_name.clone(),
                        i.step.as_ref().map(ToString::to_string),
                    )
                })
                .collect()
        })
        .collect();
    for (w, h) in [(80, 24), (200, 50)] {
        let text = draw_text(&app, w, h);
        let household: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("whole home") && l.contains("RT-13"))
            .collect();
        assert_eq!(household.len(), 1, "{w}x{h}: one household entry\n{text}");
        assert!(
            text.contains(&format!(
                "{} smart devices share the network with this computer",
                gadgets.len()
            )),
            "{w}x{h}: {gadgets:?}\n{listed:#?}\n{text}"
        );
        assert!(
            !text.contains("G-09"),
            "{w}x{h}: G-09 is said as RT-13\n{text}"
        );
        // The most dangerous problem is on the first line of the list.
        let first = text.lines().nth(2).unwrap();
        assert!(
            first.contains('✗') && (first.contains("botnet") || first.contains("taken over")),
            "{w}x{h}: {first}\n{text}"
        );
    }
    // Enter on the household entry lists the router's step and each gadget's; Enter on the
    // router's line opens RT-13's wizard.
    let at = app
        .fix_entries()
        .iter()
        .position(|e| e.household)
        .expect("a household entry");
    press(&mut app, &vec![KeyCode::Down; at]);
    press(&mut app, &[KeyCode::Enter]);
    let open = draw_text(&app, 200, 50);
    for name in &gadgets {
        assert!(
            open.lines()
                .any(|l| l.contains(&format!("└ {name}")) && l.contains("G-09")),
            "{name} is listed under the household entry\n{open}"
        );
    }
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let wizard = draw_text(&app, 100, 30);
    assert!(
        wizard.contains("RT-13 Give guests and smart devices their own network"),
        "{wizard}"
    );
}

/// A crowd: the standard home's router beside 250 devices of their own (a macvlan each) that all
/// answer telnet.
fn crowd_with_telnet(net: u8) -> Vec<netns::Device> {
    let mut devices = netns::crowd_devices(net, 250);
    devices[0] = netns::standard_devices(net).remove(0);
    devices[1].listeners = vec![Listener::new(23, "telnet", "BusyBox v1.31 login:", "")];
    devices
}

#[test]
fn a_crowd_shows_its_most_dangerous_problem_first() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build_with(crowd_with_telnet);
    let (json, stderr) = home.scan_json(BIN, &[]);
    let telnet = findings(&json)
        .into_iter()
        .filter(|(_, step, verdict)| step == "G-02" && verdict == "problem")
        .count();
    assert!(telnet >= 245, "telnet on the crowd: {telnet}\n{stderr}");
    let app = app_of(&home);
    let entries = app.fix_entries();
    assert!(
        entries.len() <= 9,
        "a few entries, not one per device: {}",
        entries.len()
    );
    let text = draw_text(&app, 80, 24);
    let first = text.lines().nth(2).unwrap();
    assert!(
        first.contains("✗") && first.contains("devices") && first.contains("G-02 Turn off telnet"),
        "telnet, on every device, is the first line: {first}\n{text}"
    );
    assert!(
        text.contains(&format!("{telnet} devices")) || text.contains("devices          G-02"),
        "{text}"
    );
    // Every problem is on the first screen.
    for entry in entries
        .iter()
        .filter(|e| e.head().unwrap().kind == porchlight::tui::app::FixKind::Problem)
    {
        let step = entry.key.step.as_ref().unwrap().to_string();
        assert!(
            text.contains(&step),
            "{step} is on the first screen\n{text}"
        );
    }
    let wide = draw_text(&app, 200, 50);
    assert!(wide.contains("G-02 Turn off telnet"), "{wide}");
}
