//! The command line: flags and subcommands (clap), and the plain-text and JSON listings. The binary
//! only parses and calls [`run`]; every command here is a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use jiff::Timestamp;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::discovery::DiscoveryEvent;
use crate::discovery::summary::ScanSummary;
use crate::identify::Fingerprints;
use crate::model::{Device, Inventory};
use crate::reminders::{DueContext, Reminder, Why, not_started, reminders};
use crate::store::{self, Store};
use crate::tui;
use crate::usage::UsageError;

mod scan;
mod watch;

/// porchlight finds the connected devices in your home and walks you, one step at a time, through
/// making each one safe. It remembers your progress on this machine.
#[derive(Debug, Parser)]
#[command(
    name = "porchlight",
    version,
    about,
    long_about = None,
    after_help = "Only `porchlight` with no command (or with just --demo or --data-dir) opens the \
interactive screen. Every command prints its answer and exits: none of them opens the screen.\n\
Exit status: 0 done, 1 failed (one line on standard error says why), 2 mistyped command line, \
10 from `remind --exit-code` when something is due."
)]
pub struct Cli {
    /// Keep porchlight's data in DIR instead of the usual place for your system.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Use the demo home: a simulated household, kept apart from your real data.
    #[arg(long, global = true)]
    pub demo: bool,

    /// With --demo and no command: throw the demo's progress away and open it fresh (says so).
    #[arg(long, requires = "demo")]
    pub reset_demo: bool,

    /// What to do. Without one, porchlight opens its interactive screen; with one, it prints and
    /// exits.
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Find the devices on your network and save them with your other devices.
    Scan(ScanArgs),
    /// Say what needs you now: checks that came undone, new devices, steps due for a look again.
    Remind(RemindArgs),
    /// Write the whole picture: every device, its findings, progress, accepted risks, score, what is due.
    Report(ReportArgs),
    /// Watch the network: scan every --every (or --once), say each change once, notify the desktop.
    Watch(watch::WatchArgs),
    /// List the saved devices and how far each one is along its checklist.
    Devices {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only the devices not yet marked as yours (new on the network).
        #[arg(long)]
        new: bool,
    },
    /// Print the tab-completion script for a shell (see the README to install it).
    Completions {
        /// bash, zsh, fish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print porchlight's manual page (roff) for `man`.
    Man,
}

/// Options of `porchlight remind`.
#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// What will be due by this date (YYYY-MM-DD, or a full RFC 3339 time) instead of now. What is
    /// overdue is always listed, even for a date in the past.
    #[arg(long, value_name = "DATE", value_parser = check_by)]
    pub by: Option<String>,

    /// Print nothing at all when nothing is due (for a shell profile or cron).
    #[arg(long, short)]
    pub quiet: bool,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,

    /// Exit with status 10 when something is due (0 when nothing is; 1 on errors).
    #[arg(long)]
    pub exit_code: bool,

    /// Run `porchlight remind` daily: a systemd user timer on Linux, a launchd agent on macOS, a
    /// scheduled task on Windows (shows what it will do and asks first).
    #[arg(long)]
    pub install: bool,

    /// With --install: do not ask.
    #[arg(long, requires = "install")]
    pub yes: bool,
}

/// Options of `porchlight report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// md (Markdown), html (one self-contained page, good on paper too) or json. Without it: from
    /// the extension of --output's FILE, else md.
    #[arg(long, short, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<crate::report::Format>,

    /// Write to FILE instead of standard output (`-`): written whole, readable by you only, then
    /// moved into place; only a regular file is ever replaced.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The exit status of `remind --exit-code` when something is due.
pub const DUE_EXIT_CODE: u8 = 10;

/// Options of `porchlight scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Scan this subnet (like 192.168.1.0/24) instead of your interfaces' own; may be repeated.
    #[arg(long, value_name = "CIDR", value_parser = check_subnet)]
    pub subnet: Vec<String>,

    /// Scan the network of this interface (like wlan0); may be repeated.
    #[arg(long, value_name = "NAME")]
    pub interface: Vec<String>,

    /// Allow a subnet that is not a private home range. Only for networks you own.
    #[arg(long)]
    pub allow_public: bool,

    /// Allow a subnet larger than a /22 (over 1,022 addresses).
    #[arg(long)]
    pub allow_large: bool,

    /// Print every discovery event to standard error as it happens, with its time.
    #[arg(long, short)]
    pub verbose: bool,

    /// Skip the audit: only re-check the steps you marked done (no findings for the others).
    #[arg(long)]
    pub no_audit: bool,
}

/// Runs the parsed command line.
///
/// # Errors
/// Any failure, as one line for the owner: an unusable data folder, a damaged state file, another
/// porchlight running, no terminal for the interactive screen.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Cmd::Completions { shell }) => {
            crate::usage::write_completions(shell, &mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Cmd::Man) => {
            crate::usage::write_man(&mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(_) if cli.reset_demo => {
            return Err(UsageError(
                "--reset-demo only applies when opening the demo's screen: run `porchlight --demo --reset-demo` on its own".into(),
            )
            .into());
        }
        _ => {}
    }
    let catalog = Catalog::builtin()?;
    let dir = data_dir(&cli)?;
    match cli.command {
        None => open_tui(&cli, catalog, &dir),
        Some(Cmd::Scan(ref args)) => scan::scan(&cli, args, &catalog, &dir),
        Some(Cmd::Remind(ref args)) => remind(&cli, args, &catalog, &dir),
        Some(Cmd::Report(ref args)) => report(&cli, args, &catalog, &dir),
        Some(Cmd::Watch(ref args)) => watch::watch(&cli, args, &catalog, &dir),
        Some(Cmd::Completions { .. } | Cmd::Man) => Ok(ExitCode::SUCCESS),
        Some(Cmd::Devices { json, new }) => {
            let mut inventory = read_for_listing(&cli, &dir)?;
            if new {
                inventory.devices.retain(|d| !d.known);
            }
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
    // The demo home is made on first use (which needs the lock); after that, listings only read,
    // so they work while porchlight is open on the demo.
    if cli.demo && (cli.reset_demo || !dir.join(store::STATE_FILE).exists()) {
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
        (
            demo_inventory(cli, &mut store)?,
            "demo home (simulated)".to_string(),
        )
    } else {
        let inventory = store.load()?;
        if let Some(notice) = store.take_merge_notice() {
            eprintln!("porchlight: {notice}");
        }
        (inventory, dir.display().to_string())
    };
    let mut app = tui::app::App::new(catalog, inventory, place, Timestamp::now())
        .with_fingerprints(Fingerprints::builtin()?)
        .with_scanning(!cli.demo)
        .with_time_zone(jiff::tz::TimeZone::system())
        .with_watch_news(if cli.demo {
            Vec::new()
        } else {
            crate::watch::state::unseen_and_mark(dir, Timestamp::now(), 20)
        })
        .open_needs_you_if_due();
    if cli.reset_demo {
        app = app.with_notice(tui::app::Notice {
            text: "The demo home was reset: its progress was thrown away and it starts over."
                .into(),
            tone: tui::app::Tone::Info,
            at: Timestamp::now(),
        });
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start porchlight's runtime")?;
    runtime.block_on(tui::run(app, store, !cli.demo))?;
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
    let name_w = column_width(inventory.devices.iter().map(|d| d.name.as_str()), 4, 28);
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
    values
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(min, max)
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
                .steps_for(device.category)
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
fn describe_event(event: &DiscoveryEvent) -> String {
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
fn stage_line(event: &DiscoveryEvent) -> Option<String> {
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

/// `porchlight remind`: what is due now (or by a date), for people, scripts, cron and shells.
fn remind(cli: &Cli, args: &RemindArgs, catalog: &Catalog, dir: &Path) -> anyhow::Result<ExitCode> {
    if args.install {
        return install_timer(cli, args.yes);
    }
    let tz = jiff::tz::TimeZone::system();
    let now = Timestamp::now();
    let by = match &args.by {
        Some(text) => parse_by(text, &tz)?,
        None => now,
    };
    let inventory = read_for_listing(cli, dir)?;
    let ctx = DueContext::new(&inventory, tz.clone());
    // What is overdue still needs the owner, whatever date was asked about.
    let due = reminders(catalog, &inventory, &ctx, by.max(now));
    if by < now && !args.json && !(due.is_empty() && args.quiet) {
        writeln!(
            std::io::stdout().lock(),
            "{} is in the past: everything due by then is overdue now, so this lists all that is due now.",
            by.to_zoned(tz.clone()).date()
        )?;
    }
    let waiting = not_started(catalog, &inventory);
    let mut out = std::io::stdout().lock();
    if args.json {
        #[derive(Serialize)]
        struct RemindJson<'a> {
            by: Timestamp,
            due: &'a [Reminder],
            not_started: usize,
        }
        serde_json::to_writer_pretty(
            &mut out,
            &RemindJson {
                by,
                due: &due,
                not_started: waiting,
            },
        )?;
        writeln!(out)?;
    } else if !(due.is_empty() && args.quiet) {
        write_reminders(&mut out, &due, waiting, &tz, now)?;
    }
    Ok(if args.exit_code && !due.is_empty() {
        ExitCode::from(DUE_EXIT_CODE)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads `--by`: a date means the end of that day in `tz`.
/// Checks `--by` while parsing the command line, so a bad date is a usage error (status 2).
fn check_by(text: &str) -> Result<String, String> {
    parse_by(text, &jiff::tz::TimeZone::UTC)
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

/// Checks `--subnet` while parsing the command line, so a malformed one is a usage error.
fn check_subnet(text: &str) -> Result<String, String> {
    text.parse::<crate::discovery::Ipv4Net>()
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

/// Reads `--format` while parsing the command line, so an unknown one is a usage error.
fn parse_format(text: &str) -> Result<crate::report::Format, String> {
    text.parse()
        .map_err(|e: crate::report::UnknownFormat| e.to_string())
}

fn parse_by(text: &str, tz: &jiff::tz::TimeZone) -> anyhow::Result<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        anyhow::anyhow!(
            "--by {:?} is not a date: write it as YYYY-MM-DD (like 2027-01-31)",
            crate::sanitize::clean(text, 40)
        )
    })?;
    let end = date
        .to_datetime(jiff::civil::Time::MAX)
        .to_zoned(tz.clone())
        .map_err(|e| anyhow::anyhow!("--by {text}: {e}"))?;
    Ok(end.timestamp())
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

/// The daily job, with this run's data folder: `porchlight watch --once --remind` (a scan that
/// says what changed, then what is due), or `remind --quiet` on the simulated demo home.
fn remind_job(cli: &Cli) -> anyhow::Result<crate::schedule::Job> {
    let program =
        std::env::current_exe().context("could not tell where porchlight is installed")?;
    let mut args: Vec<String> = if cli.demo {
        vec!["remind".into(), "--quiet".into()]
    } else {
        vec!["watch".into(), "--once".into(), "--remind".into()]
    };
    if cli.data_dir.is_some() {
        // The resolved, absolute folder (less `demo`, which --demo adds back).
        let dir = data_dir(cli)?;
        let base = if cli.demo {
            dir.parent().unwrap_or(&dir).to_path_buf()
        } else {
            dir
        };
        args.push("--data-dir".into());
        args.push(base.to_string_lossy().into_owned());
    }
    if cli.demo {
        args.push("--demo".into());
    }
    Ok(crate::schedule::Job {
        name: "remind".into(),
        description: "say what needs you".into(),
        program,
        args,
    })
}

/// `remind --install`: shows the daily job for this system (a systemd user timer, a launchd agent
/// or a scheduled task), asks, then sets it up.
fn install_timer(cli: &Cli, yes: bool) -> anyhow::Result<ExitCode> {
    let plan =
        crate::schedule::plan_for_this_system(&remind_job(cli)?).map_err(anyhow::Error::msg)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", plan.describe())?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("--install asks first; run it in a terminal, or add --yes");
        }
        write!(out, "Go ahead? [y/N] ")?;
        out.flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            writeln!(out, "Nothing done.")?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    out.flush()?;
    crate::schedule::carry_out(&plan, &mut out).map_err(anyhow::Error::msg)?;
    Ok(ExitCode::SUCCESS)
}

/// `porchlight report`: the whole picture as Markdown, HTML or JSON.
fn report(cli: &Cli, args: &ReportArgs, catalog: &Catalog, dir: &Path) -> anyhow::Result<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, None) => crate::report::Format::Markdown,
        (None, Some(path)) if path.as_os_str() == "-" => crate::report::Format::Markdown,
        (None, Some(path)) => crate::report::Format::for_path(path).ok_or_else(|| {
            UsageError(format!(
                "cannot tell the report format from {:?}: name it .md, .html or .json, or add --format",
                crate::sanitize::clean(&path.display().to_string(), 80)
            ))
        })?,
    };
    let inventory = read_for_listing(cli, dir)?;
    let rules = Fingerprints::builtin()?;
    let title = if cli.demo {
        "porchlight report: demo home (simulated)".to_string()
    } else {
        "porchlight report".to_string()
    };
    let text = crate::report::render(
        format,
        &crate::report::ReportInput {
            catalog,
            fingerprints: Some(&rules),
            inventory: &inventory,
            now: Timestamp::now(),
            tz: jiff::tz::TimeZone::system(),
            title,
        },
    )?;
    if let Some(path) = crate::report::output::write(args.output.as_deref(), text.as_bytes())? {
        eprintln!("Wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
