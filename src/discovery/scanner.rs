//! The scan as a whole: runs every source at once on a scope, probes the ports of each host as
//! soon as any source sees it, and streams the events. Dropping the [`Scan`] cancels it.
//!
//! Timeline of a scan: ping sweep, mDNS and SSDP start together; the neighbour table is read when
//! the sweep ends (the sweep fills it); every newly seen address joins the port-probe queue at
//! once. The whole scan is bounded by [`ScanConfig::limit`] whatever the network does.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::mdns::MdnsOptions;
use super::names::NameOptions;
use super::ping::PingOptions;
use super::ports::{PortOptions, RISKY_PORTS};
use super::ssdp::SsdpOptions;
use super::{DiscoveryEvent, EventSink, Scope, Sighting, Source, Stage};

/// Everything a scan needs.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// What to scan.
    pub scope: Scope,
    /// Ping sweep settings.
    pub ping: PingOptions,
    /// mDNS settings.
    pub mdns: MdnsOptions,
    /// SSDP settings.
    pub ssdp: SsdpOptions,
    /// Port probe settings.
    pub ports: PortOptions,
    /// Name queries (reverse DNS, NetBIOS, LLMNR) for each host seen, with their own budget.
    pub names: NameOptions,
    /// Hosts whose names are asked at once (over the scan's three shared sockets; at most
    /// [`NAMES_AT_ONCE_ALONE`] when each lookup must bind sockets of its own).
    pub names_at_once: usize,
    /// Hosts whose ports are probed at once.
    pub hosts_at_once: usize,
    /// The stages to run.
    pub stages: Vec<Stage>,
    /// The whole scan ends by then, finished or not.
    pub limit: Duration,
}

impl ScanConfig {
    /// The usual settings for `scope`: every stage, sending from the scope's own addresses.
    pub fn new(scope: Scope) -> Self {
        let bind = scope.local_addresses().next();
        let interfaces: Vec<String> = scope
            .subnets
            .iter()
            .filter_map(|s| s.interface.clone())
            .collect();
        let mut ssdp = SsdpOptions::new(bind.unwrap_or(Ipv4Addr::UNSPECIFIED));
        let in_scope = scope.clone();
        ssdp.allow = Arc::new(move |ip| in_scope.contains(ip));
        // Multicast (mDNS, SSDP) and the neighbour table only reach networks this machine is on;
        // for a routed --subnet they would search the wrong network, so they are left out.
        let on_link = !interfaces.is_empty();
        let stages = if on_link {
            Stage::ALL.to_vec()
        } else {
            vec![Stage::Ping, Stage::Ports]
        };
        Self {
            ping: PingOptions {
                bind,
                ..PingOptions::default()
            },
            mdns: MdnsOptions {
                interfaces,
                ..MdnsOptions::default()
            },
            ssdp,
            ports: PortOptions::default(),
            names: NameOptions::default(),
            names_at_once: 256,
            hosts_at_once: 32,
            stages,
            limit: Duration::from_secs(20),
            scope,
        }
    }
}

impl ScanConfig {
    /// Takes what recent scans found into account: the mDNS service types the inventory's devices
    /// announced are browsed from the first moment, so one lost answer does not lose them.
    pub fn remembering(mut self, inventory: &crate::model::Inventory) -> Self {
        self.mdns.remember(inventory);
        self
    }
}

/// A running scan. Events arrive through [`Scan::next`]; dropping it stops the scan.
#[derive(Debug)]
pub struct Scan {
    events: mpsc::UnboundedReceiver<DiscoveryEvent>,
    task: JoinHandle<()>,
}

impl Scan {
    /// Starts a scan on the current tokio runtime.
    pub fn spawn(config: ScanConfig) -> Scan {
        let (tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(config, EventSink::new(tx)));
        Scan { events, task }
    }

    /// The next event, or `None` once the scan is over.
    pub async fn next(&mut self) -> Option<DiscoveryEvent> {
        self.events.recv().await
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Hosts whose names are asked at once when the shared sockets could not be bound (each lookup
/// then holds three sockets of its own).
pub const NAMES_AT_ONCE_ALONE: usize = 32;

/// How long after a probe that heard nothing from a host its ports are probed once more.
const REPROBE_AFTER: Duration = Duration::from_millis(1000);

/// What a port probe task gives back: the host, and its ports (or why they could not be probed).
type ProbeDone = (Ipv4Addr, Result<super::ports::PortScan, String>);

/// Probes the risky ports of `ip` after `after`, once one of the `slots` is free.
fn spawn_probe(
    ip: Ipv4Addr,
    after: Duration,
    slots: &Arc<Semaphore>,
    opts: &PortOptions,
) -> JoinHandle<ProbeDone> {
    let (slots, opts) = (slots.clone(), opts.clone());
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let _permit = slots.acquire_owned().await.ok();
        let probe = super::ports::probe_host(ip, RISKY_PORTS, &opts);
        (
            ip,
            crate::fault::contain("this device's open ports", probe).await,
        )
    })
}

async fn run(config: ScanConfig, out: EventSink) {
    let started = Instant::now();
    let deadline = started + config.limit;
    let (inner_tx, mut inner) = mpsc::unbounded_channel();
    let sink = EventSink::new(inner_tx);
    let wants = |stage| config.stages.contains(&stage);
    let scope = Arc::new(config.scope.clone());
    let locals: HashSet<Ipv4Addr> = scope.local_addresses().collect();

    let mut sources: Vec<JoinHandle<()>> = Vec::new();
    if wants(Stage::Ping) || wants(Stage::Neighbours) {
        let (sink, scope, opts) = (sink.clone(), scope.clone(), config.ping.clone());
        let (ping, neigh) = (wants(Stage::Ping), wants(Stage::Neighbours));
        let interfaces: Vec<String> = scope
            .subnets
            .iter()
            .filter_map(|s| s.interface.clone())
            .collect();
        sources.push(tokio::spawn(async move {
            // IPv6 hosts answer the all-nodes echo during the sweep; the neighbour stage reads
            // their addresses. Where IPv6 is off, there is simply nothing to add.
            let _echoes: Vec<_> = if neigh {
                interfaces
                    .iter()
                    .filter_map(|i| super::ipv6::echo_all_nodes(i).ok())
                    .flatten()
                    .collect()
            } else {
                Vec::new()
            };
            let mut answered = HashSet::new();
            let mut lossy = false;
            if ping {
                let targets = scope.targets();
                stage(Stage::Ping, &sink, async {
                    let swept = super::ping::sweep_hosts(&targets, &opts, &sink).await;
                    answered.extend(swept.answered);
                    lossy = swept.lossy;
                    Ok(answered.len())
                })
                .await;
            }
            if neigh {
                let mut reported = HashSet::new();
                stage(Stage::Neighbours, &sink, async {
                    reported =
                        super::presence::report_present(&scope, &answered, started, &opts, &sink)
                            .await?;
                    Ok(reported.len())
                })
                .await;
                // After the stage: the audit of what was found starts meanwhile.
                if ping {
                    super::presence::late_look(
                        &scope, reported, answered, lossy, started, &opts, &sink,
                    )
                    .await;
                }
            }
        }));
    }
    if wants(Stage::Mdns) {
        let (sink, scope, opts) = (sink.clone(), scope.clone(), config.mdns.clone());
        sources.push(tokio::spawn(async move {
            stage(Stage::Mdns, &sink, async {
                super::mdns::browse(&opts, |ip| scope.contains(ip), &sink).await
            })
            .await;
        }));
    }
    if wants(Stage::Ssdp) {
        let (sink, opts) = (sink.clone(), config.ssdp.clone());
        sources.push(tokio::spawn(async move {
            stage(Stage::Ssdp, &sink, async {
                super::ssdp::discover(&opts, &sink).await
            })
            .await;
        }));
    }
    drop(sink);

    let probe_ports = wants(Stage::Ports);
    if probe_ports {
        out.send(DiscoveryEvent::StageStarted {
            stage: Stage::Ports,
        });
    }
    let slots = Arc::new(Semaphore::new(config.hosts_at_once.max(1)));
    let mut probes = FuturesUnordered::new();
    // One asker for every name query of the scan (three shared sockets); without it, each lookup
    // binds its own, and fewer run at once.
    let asker = if probe_ports {
        super::name_asker::NameAsker::new(config.names.clone())
            .await
            .ok()
            .map(Arc::new)
    } else {
        None
    };
    let names_at_once = match asker {
        Some(_) => config.names_at_once,
        None => config.names_at_once.min(NAMES_AT_ONCE_ALONE),
    };
    let name_slots = Arc::new(Semaphore::new(names_at_once.max(1)));
    let mut names = FuturesUnordered::new();
    let mut queued: HashSet<Ipv4Addr> = HashSet::new();
    let mut reprobed: HashSet<Ipv4Addr> = HashSet::new();
    let (mut probed, mut with_ports) = (0usize, 0usize);
    let ports_started = Instant::now();
    let mut sources_open = true;
    loop {
        if !sources_open && probes.is_empty() && names.is_empty() {
            break;
        }
        tokio::select! {
            event = inner.recv(), if sources_open => match event {
                Some(event) => {
                    if let DiscoveryEvent::Sighting(s) = &event {
                        let ip = s.ip;
                        if probe_ports && scope.contains(ip) && !locals.contains(&ip) && queued.insert(ip) {
                            probes.push(spawn_probe(ip, Duration::ZERO, &slots, &config.ports));
                            // Names have their own budget: they never wait behind port probes.
                            let slots = name_slots.clone();
                            let opts = config.names.clone();
                            let asker = asker.clone();
                            names.push(tokio::spawn(async move {
                                let _permit = slots.acquire_owned().await.ok();
                                let found = match asker {
                                    Some(asker) => asker.lookup(ip).await,
                                    None => super::names::lookup(ip, &opts).await,
                                };
                                (ip, found)
                            }));
                        }
                    }
                    out.send(event);
                }
                None => sources_open = false,
            },
            Some(joined) = probes.next(), if !probes.is_empty() => {
                // A host that answered on no port at all is probed once more a second later: its
                // hardware address may not have been known yet, and the ARP request (or its
                // answer) was lost, so every SYN waited behind it.
                if let Ok((ip, Ok(scan))) = &joined
                    && !scan.host_answered()
                    && !scan.silent.is_empty()
                    && reprobed.insert(*ip)
                {
                    probes.push(spawn_probe(*ip, REPROBE_AFTER, &slots, &config.ports));
                    continue;
                }
                probed += 1;
                let joined = match joined {
                    Ok((ip, Err(note))) => {
                        out.send(DiscoveryEvent::Note { stage: Stage::Ports, message: format!("{ip}: {note}") });
                        None
                    }
                    Ok((ip, Ok(scan))) => Some((ip, scan)),
                    Err(_) => None,
                };
                // A host that accepted or refused on some port is reported with what each port
                // proved; ports that stayed silent are left out, so what an earlier scan saw of
                // them stands (a lost frame never closes a port).
                if let Some((ip, scan)) = joined
                    && scan.host_answered()
                {
                    if !scan.open.is_empty() {
                        with_ports += 1;
                    }
                    let mut s = Sighting::new(Source::Ports, ip);
                    s.open_ports = scan.open;
                    s.closed_ports = scan.closed;
                    out.sighting(s);
                }
                out.progress(Stage::Ports, probed, queued.len());
            },
            Some(joined) = names.next(), if !names.is_empty() => {
                if let Ok((ip, found)) = joined
                    && !found.is_empty()
                {
                    let mut s = Sighting::new(Source::Names, ip);
                    s.names = found;
                    out.sighting(s);
                }
            },
            _ = tokio::time::sleep_until(deadline) => {
                out.send(DiscoveryEvent::Note {
                    stage: Stage::Ports,
                    message: format!("the scan reached its {}-second limit and stopped", config.limit.as_secs()),
                });
                break;
            },
        }
        if out.is_closed() {
            break;
        }
    }
    for source in &sources {
        source.abort();
    }
    if probe_ports {
        out.send(DiscoveryEvent::StageFinished {
            stage: Stage::Ports,
            hosts: with_ports,
            elapsed: ports_started.elapsed(),
        });
    }
    out.send(DiscoveryEvent::Done {
        elapsed: started.elapsed(),
    });
}

/// Runs one stage: started, then finished with its host count or failed with its reason.
async fn stage(stage: Stage, sink: &EventSink, work: impl Future<Output = Result<usize, String>>) {
    sink.send(DiscoveryEvent::StageStarted { stage });
    let started = Instant::now();
    match work.await {
        Ok(hosts) => sink.send(DiscoveryEvent::StageFinished {
            stage,
            hosts,
            elapsed: started.elapsed(),
        }),
        Err(reason) => sink.send(DiscoveryEvent::StageFailed { stage, reason }),
    }
}
