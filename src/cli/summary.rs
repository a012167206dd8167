//! A scan's results gathered per host, for `porchlight scan` (table or JSON): every source's
//! sightings of one address folded together, plus how each stage went.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::Serialize;

use crate::discovery::{DiscoveryEvent, Sighting, Source, Stage, UpnpInfo};
use crate::model::{MacAddr, OpenPort, ServiceSource};

/// One mDNS instance, as the JSON shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MdnsEntry {
    /// Service type (`_ipp._tcp`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Instance name.
    pub instance: String,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// TXT record.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub txt: BTreeMap<String, String>,
}

/// Everything seen of one address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostSummary {
    /// The address.
    pub ip: Ipv4Addr,
    /// Hardware address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacAddr>,
    /// Names it goes by (host names, friendly names).
    pub names: Vec<String>,
    /// mDNS instances.
    pub mdns: Vec<MdnsEntry>,
    /// IPv6 addresses of the same hardware.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<std::net::Ipv6Addr>,
    /// SSDP search types it answered for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ssdp: Vec<String>,
    /// UPnP description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upnp: Option<UpnpInfo>,
    /// Open ports.
    pub open_ports: Vec<OpenPort>,
    /// Which sources saw it.
    pub sources: BTreeSet<Source>,
    /// It is the default gateway.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gateway: bool,
    /// Fastest reply, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    /// What the device was identified as, once merged into the inventory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<HostIdentity>,
}

/// What the inventory concluded about a scanned host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostIdentity {
    /// The device's id in the inventory.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind (`camera`).
    pub category: String,
    /// Its maker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Its model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl HostSummary {
    fn new(ip: Ipv4Addr) -> Self {
        Self {
            ip,
            mac: None,
            names: Vec::new(),
            mdns: Vec::new(),
            ipv6: Vec::new(),
            ssdp: Vec::new(),
            upnp: None,
            open_ports: Vec::new(),
            sources: BTreeSet::new(),
            gateway: false,
            rtt_ms: None,
            identity: None,
        }
    }

    fn absorb(&mut self, s: &Sighting) {
        self.sources.insert(s.source);
        self.gateway |= s.gateway;
        if s.mac.is_some() {
            self.mac = s.mac;
        }
        if let Some(rtt) = s.rtt {
            let ms = rtt.as_secs_f64() * 1000.0;
            self.rtt_ms = Some(self.rtt_ms.map_or(ms, |old| old.min(ms)));
        }
        for h in &s.hostnames {
            push_name(&mut self.names, h);
        }
        for name in s.names.values() {
            push_name(&mut self.names, name);
        }
        for ip in &s.ipv6 {
            if !self.ipv6.contains(ip) {
                self.ipv6.push(*ip);
            }
        }
        for service in &s.services {
            match service.source {
                ServiceSource::Mdns => {
                    let entry = MdnsEntry {
                        kind: service.kind.clone(),
                        instance: service.name.clone(),
                        port: service.port,
                        txt: service.txt.clone(),
                    };
                    if !self.mdns.contains(&entry) {
                        self.mdns.push(entry);
                    }
                }
                ServiceSource::Upnp => {
                    if !self.ssdp.contains(&service.kind) {
                        self.ssdp.push(service.kind.clone());
                    }
                }
            }
        }
        if let Some(upnp) = &s.upnp {
            if let Some(name) = &upnp.friendly_name {
                push_name(&mut self.names, name);
            }
            self.upnp = Some(upnp.clone());
        }
        if s.source == Source::Ports {
            self.open_ports.clone_from(&s.open_ports);
        }
    }
}

fn push_name(names: &mut Vec<String>, name: &str) {
    if !name.is_empty() && !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

/// How one stage went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageSummary {
    /// Which.
    pub stage: Stage,
    /// `ok`, `failed` or `running` (cut off by the scan's limit).
    pub status: &'static str,
    /// Hosts it saw.
    pub hosts: usize,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The whole scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanSummary {
    /// What was scanned.
    pub scope: String,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
    /// Each stage.
    pub stages: Vec<StageSummary>,
    /// Things worth knowing.
    pub notes: Vec<String>,
    /// Every host, by address.
    pub devices: Vec<HostSummary>,
}

impl ScanSummary {
    /// An empty summary of a scan of `scope`.
    pub fn new(scope: String) -> Self {
        Self {
            scope,
            ..Self::default()
        }
    }

    /// Folds one event in.
    pub fn absorb(&mut self, event: &DiscoveryEvent) {
        match event {
            DiscoveryEvent::Sighting(s) => {
                let at = match self.devices.binary_search_by_key(&s.ip, |h| h.ip) {
                    Ok(i) => i,
                    Err(i) => {
                        self.devices.insert(i, HostSummary::new(s.ip));
                        i
                    }
                };
                self.devices[at].absorb(s);
            }
            DiscoveryEvent::StageStarted { stage } => {
                self.index(*stage);
            }
            DiscoveryEvent::StageFinished {
                stage,
                hosts,
                elapsed,
            } => {
                let at = self.index(*stage);
                let entry = &mut self.stages[at];
                entry.status = "ok";
                entry.hosts = *hosts;
                entry.elapsed_ms = millis(*elapsed);
            }
            DiscoveryEvent::StageFailed { stage, reason } => {
                let at = self.index(*stage);
                self.stages[at].status = "failed";
                self.stages[at].reason = Some(reason.clone());
            }
            DiscoveryEvent::Note { stage, message } => {
                self.notes.push(format!("{stage}: {message}"));
            }
            DiscoveryEvent::Done { elapsed } => self.elapsed_ms = millis(*elapsed),
            DiscoveryEvent::Progress { .. } => {}
        }
    }

    /// The position of `stage` in the list, adding it as running when new.
    fn index(&mut self, stage: Stage) -> usize {
        if let Some(i) = self.stages.iter().position(|s| s.stage == stage) {
            return i;
        }
        self.stages.push(StageSummary {
            stage,
            status: "running",
            hosts: 0,
            elapsed_ms: 0,
            reason: None,
        });
        self.stages.len() - 1
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn sightings_of_one_address_fold_into_one_host() {
        let ip: Ipv4Addr = "10.0.0.7".parse().unwrap();
        let mut sum = ScanSummary::new("10.0.0.0/24".into());
        sum.absorb(&DiscoveryEvent::StageStarted { stage: Stage::Ping });
        let mut ping = Sighting::new(Source::Icmp, ip);
        ping.rtt = Some(Duration::from_micros(1500));
        sum.absorb(&DiscoveryEvent::Sighting(Box::new(ping)));
        let mut arp = Sighting::new(Source::Arp, ip);
        arp.mac = Some("02:00:00:00:00:07".parse().unwrap());
        sum.absorb(&DiscoveryEvent::Sighting(Box::new(arp)));
        sum.absorb(&DiscoveryEvent::StageFailed {
            stage: Stage::Mdns,
            reason: "no multicast".into(),
        });
        assert_eq!(sum.devices.len(), 1);
        let host = &sum.devices[0];
        assert_eq!(host.sources.len(), 2);
        assert_eq!(host.mac.unwrap().to_string(), "02:00:00:00:00:07");
        assert_eq!(host.rtt_ms, Some(1.5));
        assert_eq!(sum.stages[1].status, "failed");
        let json = serde_json::to_value(&sum).unwrap();
        assert_eq!(json["devices"][0]["sources"][0], "icmp");
    }
}
