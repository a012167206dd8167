//! What clap parses: the global flags, the subcommands and their options, with the checks that
//! turn a malformed value into a usage error (status 2) while parsing.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::discovery::ScopeOptions;

/// porchlight finds the connected devices in your home and walks you, one step at a time, through
/// making each one safe. It remembers your progress on this machine.
#[derive(Debug, Parser)]
#[command(
    name = "porchlight",
    // Not the file's name: on Windows that is porchlight.exe, which help would show.
    bin_name = "porchlight",
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
    Watch(WatchArgs),
    /// List the saved devices and how far each one is along its checklist.
    Devices {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only the devices not yet marked as yours (new on the network).
        #[arg(long)]
        new: bool,
    },
    /// See the router's UPnP port mappings (forwards from the internet that devices asked it
    /// for), and remove one with your consent.
    Upnp {
        /// What to do with them.
        #[command(subcommand)]
        action: UpnpCmd,
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

/// `porchlight upnp` actions.
#[derive(Debug, Subcommand)]
pub enum UpnpCmd {
    /// List every mapping: external port, protocol, the device it points at (stale when no
    /// device has that address), its description and lease.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove one mapping: shows exactly what will be sent to the router and asks first, then
    /// reads the list again and re-checks the steps that judge it.
    Remove {
        /// The mapping, as EXTERNAL_PORT/PROTO (for example 18554/TCP).
        #[arg(value_name = "EXTERNAL_PORT/PROTO", value_parser = parse_mapping)]
        mapping: (u16, String),
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// Reads `18554/TCP` (or `18554/udp`) as a port and `TCP` or `UDP`.
fn parse_mapping(text: &str) -> Result<(u16, String), String> {
    let bad = || format!("{text:?} is not EXTERNAL_PORT/PROTO, such as 18554/TCP or 3074/UDP");
    let (port, proto) = text.split_once('/').ok_or_else(bad)?;
    let port: u16 = port.trim().parse().map_err(|_| bad())?;
    let proto = proto.trim().to_ascii_uppercase();
    if port == 0 || !matches!(proto.as_str(), "TCP" | "UDP") {
        return Err(bad());
    }
    Ok((port, proto))
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

    /// Write to FILE instead of standard output (`-`): written whole, readable by you only (on
    /// Windows: by whom its folder allows), then moved into place; only a regular file is ever
    /// replaced.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of `porchlight scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Which network to scan.
    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Print every discovery event to standard error as it happens, with its time.
    #[arg(long, short)]
    pub verbose: bool,

    /// Skip the audit: only re-check the steps you marked done (no findings for the others).
    #[arg(long)]
    pub no_audit: bool,
}

/// Which network `scan` and `watch` look at (both take the same flags).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScopeArgs {
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
}

impl ScopeArgs {
    /// The scope options these flags ask for.
    pub fn options(&self) -> ScopeOptions {
        ScopeOptions {
            subnets: self.subnet.clone(),
            interfaces: self.interface.clone(),
            allow_public: self.allow_public,
            allow_large: self.allow_large,
        }
    }

    /// The same flags again, for a command line porchlight writes (the watch service).
    pub fn to_argv(&self) -> Vec<String> {
        let mut argv = Vec::new();
        for subnet in &self.subnet {
            argv.extend(["--subnet".to_string(), subnet.clone()]);
        }
        for interface in &self.interface {
            argv.extend(["--interface".to_string(), interface.clone()]);
        }
        if self.allow_public {
            argv.push("--allow-public".into());
        }
        if self.allow_large {
            argv.push("--allow-large".into());
        }
        argv
    }
}

/// Options of `porchlight watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// One pass, then exit: 10 when a change needs you, 0 when nothing changed, 1 on an error.
    #[arg(long)]
    pub once: bool,

    /// With --once: then say what is due, as `remind --quiet` does, and exit 0 unless something
    /// failed (the daily timer of `remind --install` runs this).
    #[arg(long, requires = "once")]
    pub remind: bool,

    /// How often to scan: 15m, 1h, 90s... (at least 1m).
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub every: String,

    /// Which network to scan.
    #[command(flatten)]
    pub scope: ScopeArgs,

    /// No desktop notifications, only the lines on standard output.
    #[arg(long)]
    pub no_notify: bool,

    /// Mark a device (its id, like mac:3c:22:fb:01:02:03, or its name) as always on: watch says
    /// when a scan misses it. Then exit.
    #[arg(long, value_name = "DEVICE", conflicts_with_all = ["once", "install", "not_always_on"])]
    pub always_on: Option<String>,

    /// Take the "always on" mark off a device. Then exit.
    #[arg(long, value_name = "DEVICE", conflicts_with_all = ["once", "install"])]
    pub not_always_on: Option<String>,

    /// Write a user service that keeps `porchlight watch` running (shows it and asks first).
    #[arg(long, conflicts_with = "once")]
    pub install: bool,

    /// With --install: do not ask.
    #[arg(long, requires = "install")]
    pub yes: bool,
}

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

/// Reads `--by`: a date means the end of that day in `tz`.
///
/// # Errors
/// When `text` is neither a date nor a full RFC 3339 time, or the day's end does not exist in `tz`.
pub(super) fn parse_by(text: &str, tz: &jiff::tz::TimeZone) -> anyhow::Result<Timestamp> {
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
