//! `porchlight watch`: a scan with the audit through the shared workflow (the same driver as
//! `scan`), then one line per change since the previous pass ([`crate::watch`]). `--once` does
//! one pass (exit 10 when a change needs the owner); without it, passes repeat every `--every`
//! and, between them, a passive mDNS listener starts a pass early when an address porchlight does
//! not know announces itself. Also marks devices "always on" and installs the user service.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::args::{Cli, RemindArgs, WatchArgs};
use super::data::data_dir;
use super::remind::DUE_EXIT_CODE;
use super::scan::{Driven, drive};
use crate::catalog::Catalog;
use crate::discovery::{ScanConfig, Scope};
use crate::identify::Fingerprints;
use crate::model::{DeviceId, Inventory};
use crate::session::{AuditMode, ScanWorkflow};
use crate::store::Store;
use crate::watch::{self, Change, Pass, WatchState};

/// The shortest `--every`.
const MIN_EVERY: Duration = Duration::from_secs(60);

/// The longest `--every` (a week).
const MAX_EVERY: Duration = Duration::from_secs(7 * 86_400);

/// The shortest gap between the end of one pass and a pass started by an announcement.
const ANNOUNCED_GAP: Duration = Duration::from_secs(20);

/// The most mDNS packets looked at per second; the rest are read and dropped unread.
const MDNS_PACKETS_PER_SECOND: u32 = 50;

/// The mDNS group and port.
const MDNS_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
const MDNS_PORT: u16 = 5353;

/// Runs `porchlight watch`.
pub(super) fn watch(
    cli: &Cli,
    args: &WatchArgs,
    catalog: &Catalog,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    if cli.demo {
        bail!(
            "the demo home is simulated and cannot be watched; run `porchlight watch` without --demo"
        );
    }
    let every = parse_every(&args.every)?;
    if let Some(device) = &args.always_on {
        return mark_always_on(dir, device, true);
    }
    if let Some(device) = &args.not_always_on {
        return mark_always_on(dir, device, false);
    }
    if args.install {
        return install(cli, args, every);
    }
    let scope = Scope::from_system(&args.scope.options())?;
    let store = Arc::new(Store::open(dir)?);
    // A damaged file stops us before any scan.
    store.load()?;
    WatchState::load(dir)?;
    let rules = Fingerprints::builtin()?;
    let runtime = tokio::runtime::Runtime::new().context("could not start porchlight's runtime")?;
    let stop = {
        let _inside = runtime.enter();
        StopSignal::listen()
    };
    let watcher = Watcher {
        stop,
        catalog,
        rules: &rules,
        store: Arc::clone(&store),
        scope: &scope,
        dir,
        notify: !args.no_notify && !args.once,
    };
    if args.once {
        let changes = runtime.block_on(watcher.pass())?;
        drop(runtime);
        if args.remind {
            let quiet = RemindArgs {
                by: None,
                quiet: true,
                json: false,
                exit_code: false,
                install: false,
                yes: false,
            };
            return super::remind::remind(cli, &quiet, catalog, dir);
        }
        return Ok(if changes.iter().any(|c| c.kind.needs_owner()) {
            ExitCode::from(DUE_EXIT_CODE)
        } else {
            ExitCode::SUCCESS
        });
    }
    runtime.block_on(watcher.run(every))?;
    Ok(ExitCode::SUCCESS)
}

/// What every pass uses.
struct Watcher<'a> {
    stop: StopSignal,
    catalog: &'a Catalog,
    rules: &'a Fingerprints,
    store: Arc<Store>,
    scope: &'a Scope,
    dir: &'a Path,
    notify: bool,
}

impl Watcher<'_> {
    /// One pass: a scan with the audit, then the changes, printed (and shown on the desktop),
    /// remembered. Ctrl-C during the scan saves what it found and stops.
    async fn pass(&self) -> anyhow::Result<Vec<Change>> {
        let store = Arc::clone(&self.store);
        let before = tokio::task::spawn_blocking(move || store.load()).await??;
        let mut inventory = before.clone();
        let nets = self.scope.computer_nets.clone();
        let scanned = self.scope.subnets.iter().map(|s| s.net).collect();
        let started = Timestamp::now();
        let mut workflow = ScanWorkflow::new(self.scope.describe(), nets, AuditMode::Full, started)
            .scanning(scanned);
        let with = Driven {
            catalog: self.catalog,
            rules: self.rules,
            store: Arc::clone(&self.store),
            keyring: crate::secrets::Keyring::system().ok(),
        };
        let config = ScanConfig::new(self.scope.clone()).remembering(&inventory);
        let stopped = drive(
            config,
            &mut workflow,
            &with,
            &mut inventory,
            |_| {},
            self.stop.wait(),
        )
        .await?;
        if stopped {
            // The workflow saved what the scan found.
            return Err(Stopped.into());
        }
        let external = tokio::select! {
            ip = watch::external_address(&inventory) => ip,
            () = self.stop.wait() => return Err(Stopped.into()),
        };
        let pass = Pass {
            scan_started: started,
            hosts_seen: workflow.hosts(),
            external,
        };
        // What was already said, what changed and what is remembered: read, decided and written
        // under the folder's lock, off the runtime (another watch may hold the lock a while).
        let (catalog, dir) = (self.catalog.clone(), self.dir.to_path_buf());
        let changes = tokio::task::spawn_blocking(move || {
            WatchState::update(&dir, |state| {
                let changes = watch::changes(&catalog, &before, &inventory, &pass, state);
                let held = watch::held_keys(&inventory, &pass, state);
                state.remember(&changes, held, external, Timestamp::now());
                changes
            })
        })
        .await??;
        let mut out = std::io::stdout().lock();
        for change in &changes {
            writeln!(out, "{} {}", change.kind.mark(), change.line)?;
        }
        out.flush()?;
        drop(out);
        if self.notify {
            for change in &changes {
                let line = change.line.clone();
                let _ = tokio::task::spawn_blocking(move || watch::notify::send(&line)).await;
            }
        }
        Ok(changes)
    }

    /// Passes every `every` until Ctrl-C (or SIGTERM), early when an unknown address announces
    /// itself over mDNS.
    async fn run(&self, every: Duration) -> anyhow::Result<()> {
        let mut listener = MdnsListener::open(self.scope);
        loop {
            match self.pass().await {
                Ok(_) => {}
                Err(e) if e.is::<Stopped>() => return Ok(()),
                Err(e) => return Err(e),
            }
            let known = self.known_addresses()?;
            let next = tokio::time::Instant::now() + every;
            let gap_over = tokio::time::Instant::now() + ANNOUNCED_GAP;
            let woke = tokio::select! {
                () = tokio::time::sleep_until(next) => Wake::Timer,
                () = self.stop.wait() => Wake::Stop,
                () = listener.unknown_announces(&known, self.scope, gap_over) => Wake::Announced,
            };
            if woke == Wake::Stop {
                return Ok(());
            }
        }
    }

    /// The addresses of every saved device (each one it answered on) and of this machine.
    fn known_addresses(&self) -> anyhow::Result<BTreeSet<Ipv4Addr>> {
        let inventory = crate::store::read_inventory(self.dir)?;
        let mut known = watch::known_addresses(&inventory);
        known.extend(self.scope.local_addresses());
        Ok(known)
    }
}

/// Why the wait between passes ended.
#[derive(Debug, PartialEq, Eq)]
enum Wake {
    Timer,
    Stop,
    Announced,
}

/// Ctrl-C or SIGTERM arrived: everything is saved, stop.
#[derive(Debug, thiserror::Error)]
#[error("stopped")]
struct Stopped;

/// Ctrl-C or SIGTERM, listened to from the start (so one arriving between two waits is not
/// lost): [`StopSignal::wait`] resolves once either has arrived.
#[derive(Clone)]
struct StopSignal(tokio::sync::watch::Receiver<bool>);

impl StopSignal {
    /// Starts listening; call inside the runtime.
    fn listen() -> Self {
        let (tx, rx) = tokio::sync::watch::channel(false);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let int = signal(SignalKind::interrupt()).ok();
            let term = signal(SignalKind::terminate()).ok();
            tokio::spawn(async move {
                let one = |s: Option<tokio::signal::unix::Signal>| async move {
                    match s {
                        Some(mut s) => {
                            s.recv().await;
                        }
                        None => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    () = one(int) => {}
                    () = one(term) => {}
                }
                let _ = tx.send(true);
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
        });
        Self(rx)
    }

    /// Resolves once a stop signal has arrived (at once if one already has).
    async fn wait(&self) {
        let mut rx = self.0.clone();
        if rx.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A passive listener on the mDNS group: reads what devices announce (it sends nothing), to
/// notice an address porchlight does not know.
struct MdnsListener {
    socket: Option<tokio::net::UdpSocket>,
}

impl MdnsListener {
    /// Joins the mDNS group on the scope's interfaces. Without it (the port cannot be shared, no
    /// multicast), watch still scans every `--every`.
    fn open(scope: &Scope) -> Self {
        let socket = Self::bind(scope)
            .inspect_err(|e| {
                eprintln!("porchlight: not listening for mDNS announcements between scans: {e}");
            })
            .ok();
        Self { socket }
    }

    fn bind(scope: &Scope) -> std::io::Result<tokio::net::UdpSocket> {
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        socket.set_reuse_address(true)?;
        #[cfg(unix)]
        socket.set_reuse_port(true)?;
        socket.bind(&SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, MDNS_PORT).into())?;
        let mut joined = false;
        for local in scope.local_addresses() {
            joined |= socket.join_multicast_v4(&MDNS_GROUP, &local).is_ok();
        }
        if !joined {
            socket.join_multicast_v4(&MDNS_GROUP, &Ipv4Addr::UNSPECIFIED)?;
        }
        socket.set_nonblocking(true)?;
        tokio::net::UdpSocket::from_std(socket.into())
    }

    /// Resolves once a packet from an address in `scope` that is not in `known` has arrived, no
    /// sooner than `not_before`. At most [`MDNS_PACKETS_PER_SECOND`] packets are looked at per
    /// second, each read into a fixed buffer (its contents are not parsed: the sender is enough).
    async fn unknown_announces(
        &mut self,
        known: &BTreeSet<Ipv4Addr>,
        scope: &Scope,
        not_before: tokio::time::Instant,
    ) {
        let Some(socket) = &self.socket else {
            return std::future::pending().await;
        };
        let mut buf = [0u8; 1500];
        let mut window = tokio::time::Instant::now();
        let mut seen_in_window = 0u32;
        let mut heard = false;
        loop {
            if heard && tokio::time::Instant::now() >= not_before {
                return;
            }
            let recv = if heard {
                tokio::time::timeout_at(not_before, socket.recv_from(&mut buf))
                    .await
                    .ok()
            } else {
                Some(socket.recv_from(&mut buf).await)
            };
            let Some(Ok((_, from))) = recv else {
                if recv.is_some() {
                    // A read error: wait a little rather than spin.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                continue;
            };
            if window.elapsed() >= Duration::from_secs(1) {
                window = tokio::time::Instant::now();
                seen_in_window = 0;
            }
            seen_in_window += 1;
            if seen_in_window > MDNS_PACKETS_PER_SECOND {
                continue;
            }
            if let std::net::SocketAddr::V4(from) = from
                && scope.contains(*from.ip())
                && !known.contains(from.ip())
            {
                heard = true;
            }
        }
    }
}

/// Reads `--every`: a number with s, m, h or d, or several (1h30m); at least a minute.
fn parse_every(text: &str) -> anyhow::Result<Duration> {
    let bad = || {
        anyhow::anyhow!(
            "--every {:?} is not a duration: write it like 15m, 1h or 1h30m",
            crate::sanitize::clean(text, 40)
        )
    };
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            if number.len() >= 9 {
                return Err(bad());
            }
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any {
        return Err(bad());
    }
    let every = Duration::from_secs(total);
    if every < MIN_EVERY {
        bail!("--every {text} is too often: porchlight scans at most once a minute");
    }
    if every > MAX_EVERY {
        bail!("--every {text} is longer than a week");
    }
    Ok(every)
}

/// `--always-on DEVICE` / `--not-always-on DEVICE`: sets the mark and saves.
fn mark_always_on(dir: &Path, wanted: &str, on: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open(dir)?;
    let mut inventory = store.load()?;
    let index = find_device(&inventory, wanted)?;
    let device = &mut inventory.devices[index];
    device.always_on = on;
    let name = crate::sanitize::clean(device.name(), 48);
    store.save(&inventory)?;
    if on {
        println!("{name} is marked always on: watch says when a scan misses it.");
    } else {
        println!("{name} is no longer marked always on.");
    }
    Ok(ExitCode::SUCCESS)
}

/// The device named `wanted`: by id, else by name (ignoring case); one match or a clear error.
fn find_device(inventory: &Inventory, wanted: &str) -> anyhow::Result<usize> {
    if let Ok(id) = wanted.parse::<DeviceId>()
        && let Some(i) = inventory.devices.iter().position(|d| d.id == id)
    {
        return Ok(i);
    }
    let matches: Vec<usize> = inventory
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.name().eq_ignore_ascii_case(wanted.trim()))
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [i] => Ok(*i),
        [] => bail!(
            "no saved device is called {:?}; `porchlight devices --json` lists their names and ids",
            crate::sanitize::clean(wanted, 60)
        ),
        _ => bail!(
            "{} devices are called {:?}; name it by its id (`porchlight devices --json`)",
            matches.len(),
            crate::sanitize::clean(wanted, 60)
        ),
    }
}

/// `watch --install`: shows the user service (a scheduled task on Windows), asks, sets it up.
fn install(cli: &Cli, args: &WatchArgs, every: Duration) -> anyhow::Result<ExitCode> {
    let base = directories::BaseDirs::new()
        .context("cannot find your home folder to put the service in")?;
    let exe = std::env::current_exe().context("could not tell where porchlight is installed")?;
    let mut argv = vec![exe.display().to_string()];
    if cli.data_dir.is_some() {
        argv.push("--data-dir".into());
        argv.push(data_dir(cli)?.display().to_string());
    }
    argv.push("watch".into());
    argv.push("--every".into());
    argv.push(format!("{}m", every.as_secs().div_ceil(60)));
    argv.extend(args.scope.to_argv());
    if args.no_notify {
        argv.push("--no-notify".into());
    }
    let service = watch::service::for_this_system(
        &argv,
        base.config_dir(),
        base.home_dir(),
        base.data_local_dir(),
    )
    .map_err(anyhow::Error::msg)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", service.plan.describe())?;
    if !args.yes {
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
    crate::schedule::carry_out(&service.plan, &mut out).map_err(anyhow::Error::msg)?;
    if let Some(after) = &service.after {
        writeln!(out, "{after}")?;
    }
    writeln!(out, "To stop it for good: {}", service.stop)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn every_reads_human_durations_and_refuses_too_often() {
        assert_eq!(parse_every("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_every("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_every("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_every("90s").unwrap(), Duration::from_secs(90));
        for bad in ["", "15", "m", "15x", "-5m", "1.5h", "99999999999m"] {
            let e = parse_every(bad).unwrap_err().to_string();
            assert!(e.contains("--every"), "{bad}: {e}");
        }
        assert!(
            parse_every("30s")
                .unwrap_err()
                .to_string()
                .contains("once a minute")
        );
        assert!(parse_every("8d").is_err());
    }
}
