//! Watch: what changed on the network since the previous pass, each change said once.
//!
//! `porchlight watch` runs a scan with the audit through the same workflow as `scan`
//! ([`crate::session`]), then hands the inventory before and after it to [`changes`], which names
//! every change the owner should hear about, one line each: a new device, a device back after a
//! long absence, an "always on" device missing, a changed address, a newly open risky port, a new
//! problem, a fix that came undone, the gateway's internet address changed. What was said is kept
//! in [`WatchState`] (`watch.json` in the data folder), so a change is reported once. No terminal
//! code here: the CLI prints the lines and raises the notifications.

pub(crate) mod notify;
pub(crate) mod service;
pub(crate) mod state;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use jiff::{SignedDuration, Timestamp};

use crate::catalog::Catalog;
use crate::discovery::ports::RiskyPort;
use crate::model::{Device, DeviceId, FindingVerdict, Inventory, StepState};
use crate::sanitize::clean;

pub use state::{WatchEvent, WatchState};

/// How long a device must have been away for its return to be worth a line: three days.
pub const LONG_ABSENCE: SignedDuration = SignedDuration::from_hours(72);

/// What kind of change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A device porchlight had never seen.
    NewDevice,
    /// A device back after more than [`LONG_ABSENCE`].
    Back,
    /// A device the owner marked "always on" did not answer.
    AlwaysOnMissing,
    /// A device answers on another address.
    Address,
    /// A risky port that was closed answers now.
    RiskyPort,
    /// The audit found a problem it had not found before.
    Problem,
    /// A step the owner had done fails its check now.
    Undone,
    /// The router's internet address changed.
    ExternalAddress,
}

impl ChangeKind {
    /// True when the owner should act (the exit status 10 of `watch --once`); the others are news.
    pub fn needs_owner(self) -> bool {
        !matches!(
            self,
            ChangeKind::Back | ChangeKind::Address | ChangeKind::ExternalAddress
        )
    }

    /// The mark before the line.
    pub fn mark(self) -> &'static str {
        match self {
            ChangeKind::NewDevice => "+",
            ChangeKind::Back => "↺",
            ChangeKind::AlwaysOnMissing | ChangeKind::RiskyPort | ChangeKind::Problem => "!",
            ChangeKind::Undone => "✗",
            ChangeKind::Address | ChangeKind::ExternalAddress => "~",
        }
    }
}

/// One change, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// What makes it this change and no other (kept once said, so it is said once).
    pub key: String,
    /// One cleaned line for people ("new device: Printer (10.0.0.4)").
    pub line: String,
}

/// What a pass looked at besides the two inventories.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    /// When its scan started: a device seen before then was not seen by it.
    pub scan_started: Timestamp,
    /// Addresses that answered the scan (none: the network was not reachable, so nobody is
    /// called missing).
    pub hosts_seen: usize,
    /// The router's internet address, when its UPnP said.
    pub external: Option<Ipv4Addr>,
}

/// The changes between `before` (the inventory when the pass started) and `after` (once its scan
/// and audit are in), less those `state` says were reported already. On the first pass ever
/// (`state` has never recorded one), conditions that hold for old reasons (devices not yet marked
/// as the owner's, problems found by earlier scans) are not news: only what this scan changed is.
pub fn changes(
    catalog: &Catalog,
    before: &Inventory,
    after: &Inventory,
    pass: &Pass,
    state: &WatchState,
) -> Vec<Change> {
    let first_pass = state.last_pass.is_none();
    let mut out = Vec::new();
    for device in &after.devices {
        let old = earlier(before, device);
        // What was said of the device under the id it had before (an address or a host name,
        // until its hardware address was learnt) stays said.
        let said = |key: &str| {
            state.reported.contains(key)
                || old.is_some_and(|o| {
                    o.id != device.id
                        && state
                            .reported
                            .contains(&key.replace(&device.id.to_string(), &o.id.to_string()))
                })
        };
        let name = label(device);
        // Held conditions: said once while they hold.
        if !device.known && (old.is_none() || !first_pass) {
            let key = format!("new:{}", device.id);
            if !said(&key) {
                let what = device_what(device);
                out.push(Change {
                    kind: ChangeKind::NewDevice,
                    key,
                    line: format!("new device: {name}{what}"),
                });
            }
        }
        for (step, finding) in &device.findings {
            if finding.verdict != FindingVerdict::Problem {
                continue;
            }
            let state_now = device.step_state(step);
            let undone = matches!(state_now, StepState::Failed);
            let was = old.map(|o| o.step_state(step));
            if undone {
                let was_settled = matches!(was, Some(StepState::Done | StepState::Verified));
                let failed_at = device
                    .progress
                    .get(step)
                    .and_then(crate::model::StepProgress::failed_since);
                let key = format!(
                    "undone:{}:{step}:{}",
                    device.id,
                    failed_at.map(|t| t.as_second()).unwrap_or_default()
                );
                if (was_settled || !first_pass) && !state.reported.contains(&key) {
                    out.push(Change {
                        kind: ChangeKind::Undone,
                        key,
                        line: format!(
                            "fix came undone: {name} {step} {}: {}",
                            step_title(catalog, step),
                            clean(&finding.evidence, 160)
                        ),
                    });
                }
                continue;
            }
            if state_now.is_settled() {
                // Accepted, not applicable: the owner decided; done and verified: an undone fix
                // shows as failed above.
                continue;
            }
            // New only against proof that it was not there: the check found the step fine
            // before, or the device itself is new. A problem an earlier pass could not judge
            // (no answer, a timeout) or did not look for was there all along, as far as anyone
            // knows: not news (it is in Fix first and `remind`).
            let was = old.map(|o| o.findings.get(step).map(|f| f.verdict));
            let news = matches!(was, None | Some(Some(FindingVerdict::Fine)));
            let key = format!("problem:{}:{step}", device.id);
            if news && !said(&key) {
                out.push(Change {
                    kind: ChangeKind::Problem,
                    key,
                    line: format!(
                        "new problem: {name} {step} {}: {}",
                        step_title(catalog, step),
                        clean(&finding.evidence, 160)
                    ),
                });
            }
        }
        if device.always_on && is_missing(device, pass) {
            let key = format!("missing:{}:{}", device.id, device.last_seen.as_second());
            if !state.reported.contains(&key) {
                out.push(Change {
                    kind: ChangeKind::AlwaysOnMissing,
                    key,
                    line: format!(
                        "always-on device missing: {name}, last seen {}",
                        short_time(device.last_seen)
                    ),
                });
            }
        }
        // Moments: this scan against the one before.
        let Some(old) = old else {
            continue;
        };
        let seen_now = device.last_seen >= pass.scan_started;
        if seen_now && old.last_seen.duration_until(pass.scan_started) > LONG_ABSENCE {
            let away = old.last_seen.duration_until(pass.scan_started).as_hours() / 24;
            out.push(Change {
                kind: ChangeKind::Back,
                key: format!("back:{}:{}", device.id, old.last_seen.as_second()),
                line: format!("back after {away} days away: {name}"),
            });
        }
        if let (Some(was), Some(now)) = (old.ip, device.ip)
            && was != now
            && seen_now
        {
            out.push(Change {
                kind: ChangeKind::Address,
                key: format!("address:{}:{now}", device.id),
                line: format!(
                    "address changed: {} {was} → {now}",
                    clean(device.name(), 48)
                ),
            });
        }
        for port in &device.open_ports {
            // Newly open only against proof that it was closed: the device refused it when it
            // was last probed. A port an earlier scan merely missed is not news.
            let refused_before = old.closed_ports.contains(&port.port);
            let known_before = old.open_ports.iter().any(|p| p.port == port.port);
            if known_before || !refused_before || RiskyPort::lookup(port.port).is_none() {
                continue;
            }
            out.push(Change {
                kind: ChangeKind::RiskyPort,
                key: format!("port:{}:{}", device.id, port.port),
                line: format!(
                    "newly open risky port: {name} {}/{}",
                    port.port,
                    clean(&port.service, 24)
                ),
            });
        }
    }
    if let (Some(was), Some(now)) = (state.external_address, pass.external)
        && was != now
    {
        out.push(Change {
            kind: ChangeKind::ExternalAddress,
            key: format!("external:{now}"),
            line: format!("the router's internet address changed: {was} → {now}"),
        });
    }
    out
}

/// Every address a saved device answered on, its main one and the others the same hardware
/// answered on: an announcement from any of them is from a device porchlight knows, not a reason
/// to scan early.
pub fn known_addresses(inventory: &Inventory) -> BTreeSet<Ipv4Addr> {
    inventory
        .devices
        .iter()
        .flat_map(|d| d.ip.into_iter().chain(d.evidence.other_ips.iter().copied()))
        .collect()
}

/// The keys of every held condition in `inventory` (devices not yet the owner's, unsettled
/// problems, undone fixes, missing always-on devices): what [`WatchState::remember`] keeps, so
/// each is said once while it holds and again if it comes back after it stopped. A problem said
/// before whose check could not tell this time (`unknown`: a timeout) stays said.
pub fn held_keys(inventory: &Inventory, pass: &Pass, previous: &WatchState) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for device in &inventory.devices {
        if !device.known {
            keys.insert(format!("new:{}", device.id));
        }
        for (step, finding) in &device.findings {
            if finding.verdict == FindingVerdict::Unknown {
                let key = format!("problem:{}:{step}", device.id);
                if previous.reported.contains(&key) {
                    keys.insert(key);
                }
                continue;
            }
            if finding.verdict != FindingVerdict::Problem {
                continue;
            }
            match device.step_state(step) {
                StepState::Failed => {
                    let at = device
                        .progress
                        .get(step)
                        .and_then(crate::model::StepProgress::failed_since)
                        .map(|t| t.as_second());
                    keys.insert(format!(
                        "undone:{}:{step}:{}",
                        device.id,
                        at.unwrap_or_default()
                    ));
                }
                s if s.is_settled() => {}
                _ => {
                    keys.insert(format!("problem:{}:{step}", device.id));
                }
            }
        }
        if device.always_on && is_missing(device, pass) {
            keys.insert(format!(
                "missing:{}:{}",
                device.id,
                device.last_seen.as_second()
            ));
        }
    }
    keys
}

/// The device as the inventory before the pass had it: by id, by hardware address, or (for one
/// whose hardware address was learnt only now, so its id changed) by the address or host name it
/// was known by.
fn earlier<'a>(before: &'a Inventory, device: &Device) -> Option<&'a Device> {
    before
        .device(&device.id)
        .or_else(|| {
            device
                .mac
                .and_then(|m| before.devices.iter().find(|d| d.mac == Some(m)))
        })
        .or_else(|| {
            before.devices.iter().find(|d| {
                d.mac.is_none()
                    && match &d.id {
                        DeviceId::Ip(ip) => device.ip == Some(*ip),
                        DeviceId::Host(host) => device.hostnames.contains(host),
                        DeviceId::Udn(udn) => {
                            crate::inventory::device_udn(device) == Some(udn.as_str())
                        }
                        DeviceId::Mac(_) => false,
                    }
            })
        })
}

/// True when the pass looked at the network (it saw hosts) and the device has missed
/// [`Device::OFFLINE_AFTER`] scans in a row, this one included: one scan on Wi-Fi misses a device
/// now and then.
fn is_missing(device: &Device, pass: &Pass) -> bool {
    pass.hosts_seen > 0
        && device.last_seen < pass.scan_started
        && device.missed_scans >= Device::OFFLINE_AFTER
}

/// The router's internet address, asked of its UPnP (`GetExternalIPAddress`) when the last scan
/// saw it offer an InternetGatewayDevice on its own private address; at most five seconds and
/// the description's byte cap. `None` when it has none or does not answer.
pub async fn external_address(inventory: &Inventory) -> Option<Ipv4Addr> {
    let gateway = crate::checks::GatewayInfo::from_inventory(inventory)?;
    let location = gateway.igd_location().ok()?;
    let limits = crate::discovery::http::Limits {
        timeout: std::time::Duration::from_secs(5),
        max_bytes: 64 * 1024,
    };
    crate::checks::upnp::external_address(&location, limits)
        .await
        .ok()
}

/// "Printer (10.0.0.4)", cleaned.
fn label(device: &Device) -> String {
    match device.ip {
        Some(ip) => format!("{} ({ip})", clean(device.name(), 48)),
        None => clean(device.name(), 48),
    }
}

/// ", Brother, mac 00:1b:a9:..." for a new device: what helps the owner tell which it is.
fn device_what(device: &Device) -> String {
    let mut parts = Vec::new();
    if let Some(v) = &device.vendor {
        parts.push(clean(v, 32));
    }
    if let Some(m) = device.mac {
        parts.push(format!("mac {m}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(", {}", parts.join(", "))
    }
}

fn step_title(catalog: &Catalog, step: &crate::model::StepId) -> String {
    catalog
        .step(step)
        .map(|s| clean(&s.title, 60))
        .unwrap_or_default()
}

/// "2026-11-29 23:10 UTC".
fn short_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests;
