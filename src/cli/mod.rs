//! The command line's composition root: the binary parses [`Cli`] and calls [`run`], which picks
//! the command, or opens the interactive screen when no command is given. Every command is a thin
//! layer over the library, one file per command group: `args` (what clap parses), `data` (the data
//! folder, or the demo's), `scan`, `watch`, `remind`, `report`, `upnp`, and `output` for the listings and
//! tables they print (`summary` folds a scan's events per host for them).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::cli::usage::UsageError;
use crate::identify::Fingerprints;
use crate::store::Store;
use crate::tui;

mod args;
mod data;
mod output;
mod remind;
mod report;
mod scan;
mod summary;
mod upnp;
pub mod usage;
mod watch;

pub use args::{Cli, Cmd, RemindArgs, ReportArgs, ScanArgs, UpnpCmd, WatchArgs};
use data::{data_dir, demo_inventory, read_for_listing};
pub use output::{write_devices_json, write_devices_table, write_reminders, write_scan_table};
pub use remind::DUE_EXIT_CODE;

/// Runs the parsed command line.
///
/// # Errors
/// Any failure, as one line for the owner: an unusable data folder, a damaged state file, another
/// porchlight running, no terminal for the interactive screen.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Cmd::Completions { shell }) => {
            crate::cli::usage::write_completions(shell, &mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Cmd::Man) => {
            crate::cli::usage::write_man(&mut std::io::stdout().lock())?;
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
        Some(Cmd::Remind(ref args)) => remind::remind(&cli, args, &catalog, &dir),
        Some(Cmd::Report(ref args)) => report::report(&cli, args, &catalog, &dir),
        Some(Cmd::Watch(ref args)) => watch::watch(&cli, args, &catalog, &dir),
        Some(Cmd::Upnp { ref action }) => upnp::upnp(&cli, action, &catalog, &dir),
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
