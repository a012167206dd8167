//! `porchlight remind`: what is due now (or by a date), and `remind --install`, the daily job that
//! runs it.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::Timestamp;
use serde::Serialize;

use super::args::{Cli, RemindArgs, parse_by};
use super::data::{data_dir, read_for_listing};
use super::output::write_reminders;
use crate::catalog::Catalog;
use crate::reminders::{DueContext, Reminder, not_started, reminders};

/// The exit status of `remind --exit-code` when something is due.
pub const DUE_EXIT_CODE: u8 = 10;

/// `porchlight remind`: what is due now (or by a date), for people, scripts, cron and shells.
pub(super) fn remind(
    cli: &Cli,
    args: &RemindArgs,
    catalog: &Catalog,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
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
