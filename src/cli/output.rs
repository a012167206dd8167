//! What the commands print for people and scripts: the devices table and JSON, the scan table and
//! its progress lines, and the reminders list.

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use super::summary::ScanSummary;
use crate::catalog::Catalog;
use crate::discovery::DiscoveryEvent;
use crate::model::{Device, Inventory};
use crate::reminders::{DueContext, Reminder, Why};

/// Writes the inventory as a table for people.
///
/// # Errors
/// When the output cannot be written (a closed pipe).
pub fn write_devices_table(
    out: &mut impl Write,
    catalog: &Catalog,
    inventory: &Inventory,
    dir: &Path,
) -> std::io::Result<()> {
    if inventory.devices.is_empty() {
        if inventory.scans.is_empty() {
            writeln!(out, "No devices saved yet in {}.", dir.display())?;
            writeln!(
                out,
                "Scan your network with `porchlight scan`, or try the demo home: porchlight --demo"
            )?;
        } else {
            writeln!(out, "No devices to list.")?;
        }
        return Ok(());
    }
    let name_w = column_width(inventory.devices.iter().map(|d| d.name()), 4, 28);
    let maker_w = column_width(
        inventory
            .devices
            .iter()
            .map(|d| d.vendor.as_deref().unwrap_or("?")),
        5,
        20,
    );
    writeln!(
        out,
        "{:<name_w$}  {:<12}  {:<maker_w$}  {:<15}  {:<8}  STATUS",
        "NAME", "KIND", "MAKER", "ADDRESS", "PROGRESS"
    )?;
    for d in &inventory.devices {
        let p = catalog.progress(d, Timestamp::now());
        let mut status = p.status().to_string();
        if !d.known {
            status.push_str(", new");
        }
        if inventory.is_offline(d) {
            status.push_str(", offline");
        }
        writeln!(
            out,
            "{:<name_w$}  {:<12}  {:<maker_w$}  {:<15}  {:<8}  {status}",
            truncate(d.name(), name_w),
            d.category().label(),
            truncate(d.vendor.as_deref().unwrap_or("?"), maker_w),
            d.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "-".into()),
            p.to_string(),
        )?;
    }
    Ok(())
}

fn column_width<'a>(values: impl Iterator<Item = &'a str>, min: usize, max: usize) -> usize {
    values
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(min, max)
}

pub(super) fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[derive(Serialize)]
struct DevicesJson<'a> {
    devices: Vec<DeviceJson<'a>>,
}

#[derive(Serialize)]
struct DeviceJson<'a> {
    #[serde(flatten)]
    device: &'a Device,
    new: bool,
    online: bool,
    summary: SummaryJson,
    checklist: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
struct SummaryJson {
    total: usize,
    settled: usize,
    failed: usize,
    open: usize,
    postponed: usize,
    not_started: usize,
}

#[derive(Serialize)]
struct StepJson<'a> {
    id: &'a str,
    title: &'a str,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_at: Option<Timestamp>,
    due: Option<Timestamp>,
    due_now: bool,
}

/// Writes the inventory as JSON: every device with what was found, a summary and its checklist.
///
/// # Errors
/// When the output cannot be written.
pub fn write_devices_json(
    out: &mut impl Write,
    catalog: &Catalog,
    inventory: &Inventory,
    now: Timestamp,
) -> anyhow::Result<()> {
    let due_ctx = DueContext::new(inventory, jiff::tz::TimeZone::system());
    let devices = inventory
        .devices
        .iter()
        .map(|device| {
            let p = catalog.progress(device, now);
            let checklist = catalog
                .steps_of(device)
                .into_iter()
                .map(|step| {
                    let progress = device.progress.get(&step.id);
                    let state = device.step_state(&step.id);
                    let reason = progress.and_then(|p| match &p.state {
                        crate::model::StepState::Accepted { reason } => Some(reason.as_str()),
                        _ => None,
                    });
                    let due = crate::reminders::next_due(step, device, &due_ctx);
                    StepJson {
                        id: step.id.as_str(),
                        title: &step.title,
                        state: state_key(&state),
                        reason,
                        changed_at: progress.map(|p| p.changed_at),
                        due,
                        due_now: due.is_some_and(|d| d <= now),
                    }
                })
                .collect();
            DeviceJson {
                device,
                new: !device.known,
                online: !inventory.is_offline(device),
                summary: SummaryJson {
                    total: p.total,
                    settled: p.settled,
                    failed: p.failed,
                    open: p.open(),
                    postponed: p.postponed,
                    not_started: p.not_started,
                },
                checklist,
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &DevicesJson { devices })?;
    writeln!(out)?;
    Ok(())
}

fn state_key(state: &crate::model::StepState) -> &'static str {
    use crate::model::StepState::*;
    match state {
        Todo => "todo",
        Done => "done",
        Verified => "verified",
        Failed => "failed",
        NotApplicable => "not-applicable",
        Accepted { .. } => "accepted",
    }
}

/// A one-line account of an event, for `--verbose`.
pub(super) fn describe_event(event: &DiscoveryEvent) -> String {
    match event {
        DiscoveryEvent::StageStarted { stage } => format!("{stage} started"),
        DiscoveryEvent::Progress { stage, done, total } => format!("{stage} {done}/{total}"),
        DiscoveryEvent::Note { stage, message } => format!("{stage}: {message}"),
        DiscoveryEvent::Sighting(s) => format!("sighting {} by {:?}", s.ip, s.source),
        DiscoveryEvent::StageFinished {
            stage,
            hosts,
            elapsed,
        } => {
            format!(
                "{stage} finished: {hosts} hosts in {} ms",
                elapsed.as_millis()
            )
        }
        DiscoveryEvent::StageFailed { stage, reason } => format!("{stage} failed: {reason}"),
        DiscoveryEvent::Done { elapsed } => format!("done in {} ms", elapsed.as_millis()),
    }
}

/// The line a finished or failed stage gets on a terminal.
pub(super) fn stage_line(event: &DiscoveryEvent) -> Option<String> {
    match event {
        DiscoveryEvent::StageFinished {
            stage,
            hosts,
            elapsed,
        } => Some(format!(
            "  {:<16} {hosts} hosts ({:.1} s)",
            stage.label(),
            elapsed.as_secs_f64()
        )),
        DiscoveryEvent::StageFailed { stage, reason } => {
            Some(format!("  {:<16} failed: {reason}", stage.label()))
        }
        DiscoveryEvent::Note { stage, message } => {
            Some(format!("  {:<16} {message}", stage.label()))
        }
        _ => None,
    }
}

/// Writes a scan's hosts as a table for people.
///
/// # Errors
/// When the output cannot be written.
pub fn write_scan_table(out: &mut impl Write, summary: &ScanSummary) -> std::io::Result<()> {
    writeln!(
        out,
        "Scanned {} in {:.1} s: {} devices.",
        summary.scope,
        summary.elapsed_ms as f64 / 1000.0,
        summary.devices.len()
    )?;
    if summary.devices.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<15}  {:<17}  {:<28}  OPEN PORTS / SERVICES",
        "ADDRESS", "MAC", "NAME"
    )?;
    for host in &summary.devices {
        let mac = host
            .mac
            .map(|m| m.to_string())
            .unwrap_or_else(|| "-".into());
        let mut name = match &host.identity {
            Some(id) => format!("{} ({})", id.name, id.category),
            None => host.names.first().cloned().unwrap_or_else(|| "-".into()),
        };
        if host.gateway {
            name = format!("{name} (gateway)");
        }
        let mut what: Vec<String> = host
            .open_ports
            .iter()
            .map(|p| format!("{}/{}", p.port, p.service))
            .collect();
        what.extend(host.mdns.iter().map(|m| m.kind.clone()));
        if let Some(upnp) = &host.upnp {
            let model = [upnp.manufacturer.as_deref(), upnp.model_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            what.push(format!("UPnP {model}").trim().to_string());
        }
        writeln!(
            out,
            "{:<15}  {:<17}  {:<28}  {}",
            host.ip,
            mac,
            truncate(&name, 28),
            what.join(", ")
        )?;
    }
    Ok(())
}

/// Writes reminders for people.
///
/// # Errors
/// When the output cannot be written.
pub fn write_reminders(
    out: &mut impl Write,
    due: &[Reminder],
    not_started: usize,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> std::io::Result<()> {
    if due.is_empty() {
        writeln!(out, "Nothing needs you.")?;
    } else {
        let n = due.len();
        writeln!(
            out,
            "{n} {} you:",
            if n == 1 { "thing needs" } else { "things need" }
        )?;
        let name_w = column_width(due.iter().map(|r| r.device_name.as_str()), 6, 24);
        for r in due {
            let mark = match r.why {
                Why::Problem => "!",
                Why::Regression => "✗",
                Why::NewDevice => "+",
                _ => "↻",
            };
            let what = match &r.step {
                Some(step) => format!("{step} {}", r.title),
                None => r.title.clone(),
            };
            let date = r.due.to_zoned(tz.clone()).date();
            let when = if r.due > now { "due" } else { "since" };
            writeln!(
                out,
                "  {mark} {:<name_w$}  {}  ({}, {when} {date})",
                truncate(&r.device_name, name_w),
                what,
                r.why.label()
            )?;
        }
    }
    if not_started > 0 {
        writeln!(
            out,
            "{not_started} steps not started yet: open porchlight to work through them."
        )?;
    }
    Ok(())
}
