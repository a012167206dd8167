//! `porchlight scan`: drives the shared scan workflow ([`crate::session`]) in a plain loop, saves
//! while it runs, and prints the table, the problems the audit found and the re-checked steps (or
//! all of it as JSON, with the stable `findings` array).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use futures::StreamExt;
use jiff::Timestamp;
use serde::Serialize;

use super::args::{Cli, ScanArgs};
use super::output::{describe_event, stage_line, truncate, write_scan_table};
use super::summary::{HostIdentity, ScanSummary};
use crate::catalog::Catalog;
use crate::discovery::{Scan, ScanConfig, Scope};
use crate::identify::Fingerprints;
use crate::model::{FindingVerdict, Inventory};
use crate::session::{AuditMode, Effect, ScanWorkflow, run_audit};
use crate::store::Store;

/// Runs `porchlight scan`.
pub(super) fn scan(
    cli: &Cli,
    args: &ScanArgs,
    catalog: &Catalog,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    if cli.demo {
        bail!(
            "the demo home is simulated and cannot be scanned; run `porchlight scan` without --demo to scan your own network"
        );
    }
    let scope = Scope::from_system(&args.scope.options())?;
    let rules = Fingerprints::builtin()?;
    // Open the store before scanning, so a damaged file or an unwritable folder stops us early.
    let store = Arc::new(Store::open(dir)?);
    let mut inventory = store.load()?;
    if let Some(notice) = store.take_merge_notice() {
        eprintln!("porchlight: {notice}");
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start porchlight's runtime")?;
    let mut summary = ScanSummary::new(scope.describe());
    summary.notes.extend(scope.notes.iter().cloned());
    let show_stages = !args.json && std::io::stderr().is_terminal();
    let mode = if args.no_audit {
        AuditMode::SettledOnly
    } else {
        AuditMode::Full
    };
    // The separate-network checks ask about this computer's own networks, not what was scanned;
    // a device in the scanned networks that this scan misses counts a missed scan.
    let nets = scope.computer_nets.clone();
    let scanned = scope.subnets.iter().map(|s| s.net).collect();
    let mut workflow =
        ScanWorkflow::new(scope.describe(), nets, mode, Timestamp::now()).scanning(scanned);
    let clock = std::time::Instant::now();
    let config = ScanConfig::new(scope.clone()).remembering(&inventory);
    let interrupted = runtime.block_on(drive(
        config,
        &mut workflow,
        &Driven {
            catalog,
            rules: &rules,
            store: Arc::clone(&store),
            keyring: crate::secrets::Keyring::system().ok(),
        },
        &mut inventory,
        |event| {
            if args.verbose {
                eprintln!(
                    "[{:>6.1} ms] {}",
                    clock.elapsed().as_secs_f64() * 1000.0,
                    describe_event(event)
                );
            } else if show_stages && let Some(line) = stage_line(event) {
                eprintln!("{line}");
            }
            summary.absorb(event);
        },
        // Ctrl-C: what was found so far is saved before leaving.
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    ))?;
    if interrupted {
        bail!(
            "scan interrupted; the {} devices found so far are saved",
            workflow.hosts()
        );
    }
    if show_stages || args.verbose {
        eprintln!(
            "  {:<16} {} checks ({:.1} s)",
            "audit",
            workflow.checked().len(),
            clock.elapsed().as_secs_f64()
        );
    }
    for host in &mut summary.devices {
        if let Some(d) = inventory.devices.iter().find(|d| d.ip == Some(host.ip)) {
            host.identity = Some(HostIdentity {
                id: d.id.to_string(),
                name: d.name().to_string(),
                category: d.category().key().to_string(),
                vendor: d.vendor.clone(),
                model: d.model.clone(),
            });
        }
    }
    let findings = findings_of(&workflow, &inventory);
    let checks = checks_of(&workflow, &inventory);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &ScanJson {
                summary: &summary,
                findings: &findings,
                checks: &checks,
            },
        )?;
        writeln!(out)?;
    } else {
        write_scan_table(&mut out, &summary)?;
        write_problems(&mut out, catalog, &findings, args.no_audit)?;
        write_checks(&mut out, &checks)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// What a driven scan reads and writes besides the inventory.
pub(super) struct Driven<'a> {
    pub catalog: &'a Catalog,
    pub rules: &'a Fingerprints,
    pub store: Arc<Store>,
    /// Where the passwords of devices whose id changes are moved (none: no keyring here).
    pub keyring: Option<crate::secrets::Keyring>,
}

/// Drives one scan of `config` through the shared workflow ([`crate::session`]): feeds it the
/// discovery events (each also shown to `on_event`), runs the audits it asks for, saves when it
/// asks, until it says it is finished, or `stop` resolves (then what was found is saved, and the
/// result is `true`). Used by `scan` and `watch`.
///
/// Nothing here blocks the runtime: saves run on a blocking thread (one at a time, the newest
/// inventory next) while events and audits go on, and keyring moves run on their own threads
/// under the keyring's timeout; both are awaited before the end.
pub(super) async fn drive(
    config: ScanConfig,
    workflow: &mut ScanWorkflow,
    with: &Driven<'_>,
    inventory: &mut Inventory,
    mut on_event: impl FnMut(&crate::discovery::DiscoveryEvent),
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<bool> {
    let mut scan = Scan::spawn(config);
    let mut audits = futures::stream::FuturesUnordered::new();
    let mut saves = Saves::new(Arc::clone(&with.store));
    let mut moves = tokio::task::JoinSet::new();
    let mut discovery_open = true;
    let mut stopped = false;
    tokio::pin!(stop);
    let outcome = loop {
        let effects = tokio::select! {
            event = scan.next(), if discovery_open => match event {
                Some(event) => {
                    on_event(&event);
                    workflow
                        .on_event(with.catalog, inventory, Some(with.rules), &event, Timestamp::now())
                        .1
                }
                None => {
                    discovery_open = false;
                    Vec::new()
                }
            },
            Some(done) = audits.next(), if !audits.is_empty() => {
                workflow.on_audited(with.catalog, inventory, done, Timestamp::now())
            }
            saved = saves.finished(), if saves.busy() => {
                saved?;
                saves.next(inventory);
                Vec::new()
            }
            () = &mut stop, if !stopped => {
                stopped = true;
                workflow.stop()
            }
            else => workflow.stop(),
        };
        let mut finished = false;
        for effect in effects {
            match effect {
                Effect::Audit(job) => audits.push(run_audit(*job)),
                Effect::Save => saves.request(inventory),
                Effect::MoveSecret { from, to } => {
                    if let Some(keyring) = with.keyring.clone() {
                        moves.spawn(async move { keyring.move_entry(&from, &to).await });
                    }
                }
                Effect::Finished => finished = true,
            }
        }
        if finished || !workflow.running() {
            break stopped;
        }
    };
    saves.flush(inventory).await?;
    while let Some(moved) = moves.join_next().await {
        match moved {
            // No keyring on this computer: nothing was kept to move.
            Ok(Ok(_) | Err(crate::secrets::SecretError::Unavailable(_))) => {}
            Ok(Err(e)) => eprintln!("porchlight: {e}"),
            Err(e) => eprintln!("porchlight: the keyring move stopped: {e}"),
        }
    }
    Ok(outcome)
}

/// The scan's saves, off the runtime: one on a blocking thread at a time; a save asked for
/// meanwhile writes the newest inventory once the running one is done.
struct Saves {
    store: Arc<Store>,
    running: Option<tokio::task::JoinHandle<Result<(), crate::store::StoreError>>>,
    pending: bool,
}

impl Saves {
    fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            running: None,
            pending: false,
        }
    }

    /// True while a save runs.
    fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// Saves `inventory` now, or after the running save.
    fn request(&mut self, inventory: &Inventory) {
        if self.running.is_some() {
            self.pending = true;
        } else {
            self.start(inventory);
        }
    }

    fn start(&mut self, inventory: &Inventory) {
        let (store, snapshot) = (Arc::clone(&self.store), inventory.clone());
        self.pending = false;
        self.running = Some(tokio::task::spawn_blocking(move || store.save(&snapshot)));
    }

    /// Waits for the running save (pending forever when none runs).
    async fn finished(&mut self) -> anyhow::Result<()> {
        let Some(running) = self.running.as_mut() else {
            return std::future::pending().await;
        };
        let result = running.await;
        self.running = None;
        result.context("the save stopped")?.map_err(Into::into)
    }

    /// After a save finished: starts the one asked for meanwhile.
    fn next(&mut self, inventory: &Inventory) {
        if self.pending {
            self.start(inventory);
        }
    }

    /// Waits for the running save and writes what was asked for since.
    async fn flush(&mut self, inventory: &Inventory) -> anyhow::Result<()> {
        if self.busy() {
            self.finished().await?;
        }
        if self.pending {
            self.start(inventory);
            self.finished().await?;
        }
        Ok(())
    }
}

/// The JSON of `porchlight scan`: what was found, the audit's findings and the re-run checks.
#[derive(Serialize)]
struct ScanJson<'a> {
    #[serde(flatten)]
    summary: &'a ScanSummary,
    findings: &'a [FindingJson],
    checks: &'a [CheckJson],
}

/// One audited (device, step): the stable contract documented in the README.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingJson {
    /// The device's id (`mac:...`).
    pub device: String,
    /// Its address when checked.
    pub ip: String,
    /// The step (`RT-04`).
    pub step: String,
    /// `problem`, `fine` or `unknown`.
    pub verdict: &'static str,
    /// One line: what porchlight saw, or why it could not tell.
    pub evidence: String,
}

/// The findings of every (device, step) this scan checked, in device then step order.
fn findings_of(workflow: &ScanWorkflow, inventory: &Inventory) -> Vec<FindingJson> {
    let mut out: Vec<FindingJson> = workflow
        .checked()
        .iter()
        .filter_map(|c| {
            let device = inventory.device(&c.device)?;
            let finding = device.findings.get(&c.step)?;
            Some(FindingJson {
                device: device.id.to_string(),
                ip: device.ip.map(|ip| ip.to_string()).unwrap_or_default(),
                step: c.step.to_string(),
                verdict: finding.verdict.key(),
                evidence: finding.evidence.clone(),
            })
        })
        .collect();
    // Each device's place in the inventory, looked up once (a crowd has 1,500 findings).
    let places: std::collections::HashMap<String, usize> = inventory
        .devices
        .iter()
        .enumerate()
        .map(|(n, d)| (d.id.to_string(), n))
        .collect();
    let position = |id: &str| places.get(id).copied();
    out.sort_by(|a, b| {
        position(&a.device)
            .cmp(&position(&b.device))
            .then(a.step.cmp(&b.step))
    });
    out.dedup_by(|a, b| a.device == b.device && a.step == b.step);
    out
}

/// One re-run check of a step the owner had settled, for `porchlight scan`.
#[derive(Serialize)]
struct CheckJson {
    device: String,
    device_name: String,
    step: String,
    verdict: crate::checks::Verdict,
    regression: bool,
    evidence: String,
}

/// The re-checks of settled steps in this scan.
fn checks_of(workflow: &ScanWorkflow, inventory: &Inventory) -> Vec<CheckJson> {
    use crate::checks::Verdict;
    workflow
        .checked()
        .iter()
        .filter(|c| c.settled)
        .filter_map(|c| {
            let device = inventory.device(&c.device)?;
            let finding = device.findings.get(&c.step)?;
            Some(CheckJson {
                device: device.id.to_string(),
                device_name: device.name().to_string(),
                step: c.step.to_string(),
                verdict: match finding.verdict {
                    FindingVerdict::Problem => Verdict::Fail,
                    FindingVerdict::Fine => Verdict::Pass,
                    FindingVerdict::Unknown => Verdict::Unknown,
                    FindingVerdict::NotApplicable => Verdict::NotApplicable,
                },
                regression: c.regression,
                evidence: finding.evidence.clone(),
            })
        })
        .collect()
}

/// Writes the problems the audit found, after the scan table: one line each, the riskiest first.
fn write_problems(
    out: &mut impl Write,
    catalog: &Catalog,
    findings: &[FindingJson],
    skipped: bool,
) -> std::io::Result<()> {
    if skipped {
        writeln!(out)?;
        writeln!(out, "Audit skipped (--no-audit).")?;
        return Ok(());
    }
    if findings.is_empty() {
        return Ok(());
    }
    let mut problems: Vec<&FindingJson> = findings
        .iter()
        .filter(|f| f.verdict == FindingVerdict::Problem.key())
        .collect();
    let rank = |f: &FindingJson| {
        catalog
            .step(&crate::model::StepId::new(f.step.clone()))
            .map(crate::session::RiskRank::of)
    };
    problems.sort_by_key(|f| rank(f));
    let fine = findings
        .iter()
        .filter(|f| f.verdict == FindingVerdict::Fine.key())
        .count();
    let absent = findings
        .iter()
        .filter(|f| f.verdict == FindingVerdict::NotApplicable.key())
        .count();
    let unknown = findings.len() - problems.len() - fine - absent;
    let steps: Vec<crate::model::StepId> = problems
        .iter()
        .map(|f| crate::model::StepId::new(f.step.clone()))
        .collect();
    let groups = crate::session::groups::group(
        catalog,
        problems.iter().zip(&steps).collect::<Vec<_>>(),
        |(_, step)| {
            let rank = catalog
                .step(step)
                .map_or(2, |s| crate::session::RiskRank::of(s) as u8);
            (0, rank, Some(*step))
        },
    );
    let mut devices: Vec<&str> = problems.iter().map(|f| f.device.as_str()).collect();
    devices.sort_unstable();
    devices.dedup();
    writeln!(out)?;
    writeln!(
        out,
        "Audit: {} checks, {} found on {} devices, {fine} fine, {absent} do not apply, {unknown} could not tell.",
        findings.len(),
        match groups.len() {
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        },
        devices.len()
    )?;
    for g in groups {
        let Some(step) = g.key.step.as_ref() else {
            continue;
        };
        let title = catalog
            .step(step)
            .map(|s| s.title.clone())
            .unwrap_or_default();
        let (who, evidence) = match g.items.as_slice() {
            [(f, _)] if !g.household => (f.ip.clone(), f.evidence.clone()),
            items => {
                let ips: Vec<&str> = items
                    .iter()
                    .filter(|(_, s)| !g.household || *s != step)
                    .map(|(f, _)| f.ip.as_str())
                    .collect();
                let said = if g.household && !ips.is_empty() {
                    crate::session::groups::household_line(&ips, 12)
                } else if g.household {
                    items
                        .first()
                        .map(|(f, _)| f.evidence.clone())
                        .unwrap_or_default()
                } else {
                    format!("found on {}", crate::session::groups::names_line(&ips, 12))
                };
                let who = if g.household {
                    "whole home".to_string()
                } else {
                    format!("{} devices", items.len())
                };
                (who, said)
            }
        };
        writeln!(
            out,
            "  ! {who:<15} {step} {}: {evidence}",
            truncate(&title, 48),
        )?;
    }
    Ok(())
}

/// Writes the re-run checks: regressions first, named.
fn write_checks(out: &mut impl Write, checks: &[CheckJson]) -> std::io::Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    let verified = checks
        .iter()
        .filter(|c| c.verdict == crate::checks::Verdict::Pass)
        .count();
    let undone: Vec<&CheckJson> = checks.iter().filter(|c| c.regression).collect();
    writeln!(out)?;
    writeln!(
        out,
        "Re-checked {} finished steps: {verified} verified, {} came undone.",
        checks.len(),
        undone.len()
    )?;
    for c in undone {
        writeln!(out, "  ✗ {} {}: {}", c.device_name, c.step, c.evidence)?;
    }
    Ok(())
}
