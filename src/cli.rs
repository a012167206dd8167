//! The command line: flags and subcommands (clap), and the plain-text and JSON listings. The binary
//! only parses and calls [`run`]; every command here is a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use jiff::Timestamp;
use serde::Serialize;

use crate::catalog::{Catalog, Light};
use crate::model::{Device, Inventory};
use crate::store::{self, Store};
use crate::tui;

/// porchlight finds the connected devices in your home and walks you, one step at a time, through
/// making each one safe. It remembers your progress on this machine.
#[derive(Debug, Parser)]
#[command(name = "porchlight", version, about, long_about = None)]
pub struct Cli {
    /// Keep porchlight's data in DIR instead of the usual place for your system.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Use the demo home: a simulated household, kept apart from your real data.
    #[arg(long, global = true)]
    pub demo: bool,

    /// With --demo: throw the demo's progress away and start it over.
    #[arg(long, global = true, requires = "demo")]
    pub reset_demo: bool,

    /// What to do; without one, porchlight opens its interactive screen.
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// List the saved devices and how far each one is along its checklist.
    Devices {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the parsed command line.
///
/// # Errors
/// Any failure, as one line for the owner: an unusable data folder, a damaged state file, another
/// porchlight running, no terminal for the interactive screen.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let catalog = Catalog::builtin()?;
    let dir = data_dir(&cli)?;
    match cli.command {
        None => open_tui(&cli, catalog, &dir),
        Some(Cmd::Devices { json }) => {
            let inventory = read_for_listing(&cli, &dir)?;
            let mut out = std::io::stdout().lock();
            if json {
                write_devices_json(&mut out, &catalog, &inventory, Timestamp::now())?;
            } else {
                write_devices_table(&mut out, &catalog, &inventory, &dir)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The folder the command works in: the real data folder, or its `demo` subfolder.
fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    let base = match &cli.data_dir {
        Some(dir) if dir.as_os_str().is_empty() => bail!("--data-dir needs a folder name"),
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .context("could not tell the current folder to place --data-dir in")?
            .join(dir),
        None => store::default_data_dir()?,
    };
    Ok(if cli.demo { base.join("demo") } else { base })
}

/// Loads the inventory for a listing. The demo home is made (and saved) on first use.
fn read_for_listing(cli: &Cli, dir: &Path) -> anyhow::Result<Inventory> {
    if cli.demo {
        let mut store = Store::open(dir)?;
        return demo_inventory(cli, &mut store);
    }
    Ok(store::read_inventory(dir)?)
}

/// The demo's inventory: the saved one, or a fresh household when there is none or a reset was asked.
fn demo_inventory(cli: &Cli, store: &mut Store) -> anyhow::Result<Inventory> {
    let saved = if cli.reset_demo {
        Inventory::default()
    } else {
        store.load()?
    };
    if !saved.devices.is_empty() {
        return Ok(saved);
    }
    let fresh = crate::demo::household(Timestamp::now())?;
    store.save(&fresh)?;
    Ok(fresh)
}

fn open_tui(cli: &Cli, catalog: Catalog, dir: &Path) -> anyhow::Result<ExitCode> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(
            "porchlight's interactive screen needs a terminal; for plain output use `porchlight devices` (or `--json`)"
        );
    }
    let mut store = Store::open(dir)?;
    let (inventory, place) = if cli.demo {
        (demo_inventory(cli, &mut store)?, "demo home (simulated)".to_string())
    } else {
        (store.load()?, dir.display().to_string())
    };
    let app = tui::app::App::new(catalog, inventory, place, Timestamp::now());
    let runtime = tokio::runtime::Runtime::new().context("could not start porchlight's runtime")?;
    runtime.block_on(tui::run(app, store))?;
    Ok(ExitCode::SUCCESS)
}

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
        writeln!(out, "No devices saved yet in {}.", dir.display())?;
        writeln!(out, "Try the demo home: porchlight --demo")?;
        return Ok(());
    }
    let name_w = column_width(inventory.devices.iter().map(|d| d.name.as_str()), 4, 28);
    let maker_w = column_width(
        inventory.devices.iter().map(|d| d.vendor.as_deref().unwrap_or("?")),
        5,
        20,
    );
    writeln!(
        out,
        "{:<name_w$}  {:<12}  {:<maker_w$}  {:<15}  {:<8}  STATUS",
        "NAME", "KIND", "MAKER", "ADDRESS", "PROGRESS"
    )?;
    for d in &inventory.devices {
        let p = catalog.progress(d);
        let status = match p.light() {
            Light::Green => "all settled",
            Light::Amber => "under way",
            Light::Red if p.failed > 0 => "check failed",
            Light::Red => "not started",
        };
        writeln!(
            out,
            "{:<name_w$}  {:<12}  {:<maker_w$}  {:<15}  {:<8}  {status}",
            truncate(&d.name, name_w),
            d.category.label(),
            truncate(d.vendor.as_deref().unwrap_or("?"), maker_w),
            d.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "-".into()),
            p.to_string(),
        )?;
    }
    Ok(())
}

fn column_width<'a>(values: impl Iterator<Item = &'a str>, min: usize, max: usize) -> usize {
    values.map(|v| v.chars().count()).max().unwrap_or(0).clamp(min, max)
}

fn truncate(s: &str, width: usize) -> String {
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
    summary: SummaryJson,
    checklist: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
struct SummaryJson {
    total: usize,
    settled: usize,
    failed: usize,
    open: usize,
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
    let devices = inventory
        .devices
        .iter()
        .map(|device| {
            let p = catalog.progress(device);
            let checklist = catalog
                .steps_for(device.category)
                .map(|step| {
                    let progress = device.progress.get(&step.id);
                    let state = device.step_state(&step.id);
                    let reason = progress.and_then(|p| match &p.state {
                        crate::model::StepState::Accepted { reason } => Some(reason.as_str()),
                        _ => None,
                    });
                    let due = step.due(device);
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
                summary: SummaryJson {
                    total: p.total,
                    settled: p.settled,
                    failed: p.failed,
                    open: p.open(),
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
