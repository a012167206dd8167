//! The demo household: a simulated home (from `assets/demo-home.toml`) so that anyone can try
//! porchlight without a network, and every screen has real content to show.
//!
//! Times in the asset are relative ("first seen 120 days ago"), so the demo looks the same whenever
//! it is opened.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

use crate::model::{
    Category, Device, DeviceId, Finding, FindingVerdict, Inventory, MacAddr, OpenPort, ScanRecord,
    Service, ServiceSource, StepId, StepProgress, StepState,
};

/// The demo household shipped with porchlight.
pub const DEMO_HOME_TOML: &str = include_str!("../assets/demo-home.toml");

/// A problem with the demo asset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the demo household asset is broken: {0}")]
pub struct DemoError(String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    device: Vec<DemoDevice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoDevice {
    name: String,
    category: Category,
    vendor: Option<String>,
    model: Option<String>,
    firmware: Option<String>,
    ip: Ipv4Addr,
    mac: MacAddr,
    #[serde(default)]
    hostnames: Vec<String>,
    first_seen_days_ago: i64,
    #[serde(default)]
    known: bool,
    #[serde(default)]
    service: Vec<DemoService>,
    #[serde(default)]
    port: Vec<OpenPort>,
    #[serde(default)]
    progress: Vec<DemoProgress>,
    #[serde(default)]
    finding: Vec<DemoFinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFinding {
    step: String,
    verdict: FindingVerdict,
    evidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoService {
    source: ServiceSource,
    kind: String,
    name: String,
    port: Option<u16>,
    #[serde(default)]
    txt: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct DemoProgress {
    step: String,
    #[serde(flatten)]
    state: StepState,
    days_ago: i64,
}

/// Builds the demo household as it stands at `now`.
///
/// # Errors
/// A [`DemoError`] when the asset does not parse (the tests keep that from shipping).
pub fn household(now: Timestamp) -> Result<Inventory, DemoError> {
    let file: DemoFile =
        toml::from_str(DEMO_HOME_TOML).map_err(|e| DemoError(e.message().to_string()))?;
    let ago = |days: i64| {
        now.checked_sub(days.saturating_mul(24).hours())
            .map_err(|e| DemoError(e.to_string()))
    };
    let mut devices = Vec::with_capacity(file.device.len());
    for d in file.device {
        let first_seen = ago(d.first_seen_days_ago)?;
        let mut progress = BTreeMap::new();
        for p in d.progress {
            progress.insert(
                StepId::new(p.step),
                StepProgress::new(p.state, ago(p.days_ago)?),
            );
        }
        let mut device = Device::new(DeviceId::Mac(d.mac), d.name, first_seen);
        device.set_detected_category(d.category);
        device.vendor = d.vendor;
        device.model = d.model;
        device.firmware = d.firmware;
        device.ip = Some(d.ip);
        device.mac = Some(d.mac);
        device.hostnames = d.hostnames;
        device.services = d
            .service
            .into_iter()
            .map(|s| Service {
                source: s.source,
                kind: s.kind,
                name: s.name,
                port: s.port,
                txt: s.txt,
            })
            .collect();
        device.open_ports = d.port;
        device.last_seen = now;
        device.known = d.known;
        device.progress = progress;
        // The audit of the demo's last scan, made up like the rest: nothing is ever probed.
        device.findings = d
            .finding
            .into_iter()
            .map(|f| {
                let finding = Finding {
                    verdict: f.verdict,
                    evidence: f.evidence,
                    checked_at: now,
                };
                (StepId::new(f.step), finding)
            })
            .collect();
        devices.push(device);
    }
    let mut inventory = Inventory {
        devices,
        ..Inventory::default()
    };
    inventory.push_scan(ScanRecord {
        started_at: now,
        finished_at: now,
        devices_seen: inventory.devices.len(),
        scope: "demo home (simulated)".into(),
    });
    inventory.history = demo_history(&inventory, now);
    Ok(inventory)
}

/// The demo's score history: a scan every week for ten weeks and one now, each point the home as
/// it stood then (the devices seen by then, the answers given by then, today's findings).
fn demo_history(inventory: &Inventory, now: Timestamp) -> Vec<crate::model::HistoryPoint> {
    let Ok(catalog) = crate::catalog::Catalog::builtin() else {
        return Vec::new();
    };
    let mut points = Vec::new();
    for weeks_ago in (0..=10i64).rev() {
        let Ok(then) = now.checked_sub((weeks_ago * 7 * 24).hours()) else {
            continue;
        };
        let mut past = inventory.clone();
        past.devices.retain(|d| d.first_seen <= then);
        for device in &mut past.devices {
            device.progress.retain(|_, p| p.changed_at <= then);
        }
        points.push(crate::session::trend::snapshot(&catalog, &past, then));
    }
    let mut history = Vec::new();
    for point in points {
        history.push(point);
        crate::model::history::bound(&mut history);
    }
    history
}

/// What the wizard shows when a step with a network check is marked done in the demo home: the
/// demo's addresses belong to nobody, so nothing is sent, and the verdict says it is simulated.
pub fn simulated_check(step: &crate::catalog::Step) -> crate::checks::CheckResult {
    crate::checks::CheckResult {
        verdict: crate::checks::Verdict::Pass,
        evidence: format!(
            "Simulated: this is the demo home, not a real network, so porchlight sent nothing. \
             On your own network it would check now that: {}",
            step.done_when.trim()
        ),
        next: Some(
            "Run porchlight without --demo to scan your own network and check your real devices."
                .into(),
        ),
        unconfirmed: None,
        on_screen: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn demo_home_is_a_realistic_household() {
        let inv = household(Timestamp::UNIX_EPOCH.checked_add(24_000.hours()).unwrap()).unwrap();
        assert!(inv.devices.len() >= 8, "only {} devices", inv.devices.len());
        let cats: HashSet<Category> = inv.devices.iter().map(|d| d.category()).collect();
        for needed in [
            Category::Router,
            Category::Camera,
            Category::Speaker,
            Category::Tv,
            Category::Printer,
            Category::Nas,
            Category::Plug,
            Category::Unknown,
        ] {
            assert!(cats.contains(&needed), "no {needed:?} in the demo home");
        }
        let ids: HashSet<&DeviceId> = inv.devices.iter().map(|d| &d.id).collect();
        assert_eq!(ids.len(), inv.devices.len(), "duplicate device ids");
        for d in &inv.devices {
            assert!(!d.name().trim().is_empty());
            assert!(
                !d.services.is_empty() || !d.open_ports.is_empty(),
                "{} shows nothing found",
                d.name()
            );
        }
    }

    #[test]
    fn demo_findings_name_real_steps_and_show_every_verdict() {
        let catalog = Catalog::builtin().unwrap();
        let inv = household(Timestamp::UNIX_EPOCH.checked_add(24_000.hours()).unwrap()).unwrap();
        let mut verdicts = HashSet::new();
        for d in &inv.devices {
            for (id, f) in &d.findings {
                let step = catalog
                    .step(id)
                    .unwrap_or_else(|| panic!("{}: unknown step {id}", d.name()));
                // A check applies by evidence too: MQTT open makes the broker step apply anywhere.
                let by_evidence =
                    id.as_str() == "H-02" && d.open_ports.iter().any(|p| p.port == 1883);
                assert!(
                    step.applies(d.category()) || by_evidence,
                    "{id} does not apply to {}",
                    d.name()
                );
                assert!(
                    !f.evidence.trim().is_empty(),
                    "{}: {id} has no evidence",
                    d.name()
                );
                verdicts.insert(f.verdict);
            }
        }
        assert_eq!(
            verdicts.len(),
            4,
            "the demo shows problem, fine, unknown and does not apply"
        );
    }

    #[test]
    fn demo_progress_names_real_steps_that_fit_the_device() {
        let catalog = Catalog::builtin().unwrap();
        let inv = household(Timestamp::UNIX_EPOCH.checked_add(24_000.hours()).unwrap()).unwrap();
        for d in &inv.devices {
            for id in d.progress.keys() {
                let step = catalog
                    .step(id)
                    .unwrap_or_else(|| panic!("{}: unknown step {id}", d.name()));
                assert!(
                    step.applies(d.category()),
                    "{id} does not apply to {}",
                    d.name()
                );
            }
        }
    }
}
