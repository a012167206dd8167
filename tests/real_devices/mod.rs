//! The real-device table (`tests/fixtures/real-devices.toml`): loading it, and turning a row into
//! the sightings porchlight's discovery stages report for such a device. Shared by
//! `identify_real.rs` (rules and naming) and `identify_netns.rs` (the whole path, served from a
//! namespace home).

#![allow(dead_code)] // each test target uses its own part

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use porchlight::discovery::ssdp::{SEARCH_TARGETS, parse_reply, ssdp_service};
use porchlight::discovery::{Sighting, Source, UpnpInfo};
use porchlight::model::{MacAddr, OpenPort, Service, ServiceSource};
use serde::Deserialize;

pub const TABLE: &str = include_str!("../fixtures/real-devices.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    device: Vec<RealDevice>,
}

/// One real product as it announces itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealDevice {
    pub family: String,
    pub source: String,
    pub kind: String,
    pub maker: String,
    pub model: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub serve: bool,
    pub mac: String,
    #[serde(default)]
    pub gateway: bool,
    #[serde(default)]
    pub hostnames: Vec<String>,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    #[serde(default)]
    pub ports: Vec<u16>,
    #[serde(default)]
    pub titles: BTreeMap<String, String>,
    #[serde(default)]
    pub mdns: Vec<Mdns>,
    pub ssdp: Option<Ssdp>,
    pub upnp: Option<Upnp>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mdns {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub port: u16,
    #[serde(default)]
    pub txt: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ssdp {
    pub st: Vec<String>,
    pub server: String,
    pub usn: String,
    #[serde(default)]
    pub only_when_named: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upnp {
    #[serde(rename = "type")]
    pub kind: String,
    pub friendly: String,
    pub manufacturer: String,
    pub model_name: String,
    pub model_number: Option<String>,
}

pub fn load() -> Vec<RealDevice> {
    let file: File = toml::from_str(TABLE).unwrap();
    file.device
}

impl RealDevice {
    /// The search targets this device answers among those porchlight sends.
    pub fn answered_targets(&self) -> Vec<String> {
        let Some(ssdp) = &self.ssdp else {
            return Vec::new();
        };
        let mut answered = Vec::new();
        for search in SEARCH_TARGETS {
            if search == "ssdp:all" {
                if !ssdp.only_when_named {
                    answered.extend(ssdp.st.iter().cloned());
                }
            } else if ssdp.st.iter().any(|st| st == search) {
                answered.push(search.to_string());
            }
        }
        answered.dedup();
        answered
    }

    /// The SSDP reply it sends for `st`, as text.
    pub fn ssdp_reply(&self, st: &str, location: &str) -> String {
        let ssdp = self.ssdp.as_ref().unwrap();
        let server = if ssdp.server.is_empty() {
            String::new()
        } else {
            format!("SERVER: {}\r\n", ssdp.server)
        };
        format!(
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {location}\r\n{server}ST: {st}\r\nUSN: {}::{st}\r\n\r\n",
            ssdp.usn
        )
    }

    /// Its UPnP description, as XML.
    pub fn description_xml(&self) -> Option<String> {
        let u = self.upnp.as_ref()?;
        let ssdp = self.ssdp.as_ref()?;
        let number = u
            .model_number
            .as_deref()
            .map(|n| format!("<modelNumber>{}</modelNumber>", xml(n)))
            .unwrap_or_default();
        let udn = ssdp.usn.split("::").next().unwrap_or(&ssdp.usn);
        Some(format!(
            "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major><minor>0</minor></specVersion>\
             <device><deviceType>{}</deviceType><friendlyName>{}</friendlyName><manufacturer>{}</manufacturer>\
             <modelName>{}</modelName>{number}<UDN>{}</UDN></device></root>\n",
            xml(&u.kind),
            xml(&u.friendly),
            xml(&u.manufacturer),
            xml(&u.model_name),
            xml(udn)
        ))
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The sightings discovery reports for `d` at `ip`: the neighbour table's, mDNS's, SSDP's (only
/// for the targets porchlight's searches reach), the UPnP description's, the port probe's and
/// the name lookups'.
pub fn sightings(d: &RealDevice, ip: Ipv4Addr) -> Vec<Sighting> {
    let mac: MacAddr = d.mac.parse().unwrap();
    let mut out = Vec::new();
    let mut arp = Sighting::new(Source::Arp, ip);
    arp.mac = Some(mac);
    arp.gateway = d.gateway;
    out.push(arp);
    if !d.mdns.is_empty() || !d.hostnames.is_empty() {
        let mut s = Sighting::new(Source::Mdns, ip);
        s.hostnames.clone_from(&d.hostnames);
        for m in &d.mdns {
            s.services.push(Service {
                source: ServiceSource::Mdns,
                kind: m.kind.clone(),
                name: m.name.clone(),
                port: Some(m.port),
                txt: m.txt.clone(),
            });
        }
        out.push(s);
    }
    let answered = d.answered_targets();
    if !answered.is_empty() {
        let location = format!("http://{ip}:49152/description.xml");
        let mut s = Sighting::new(Source::Ssdp, ip);
        for st in &answered {
            let reply = parse_reply(d.ssdp_reply(st, &location).as_bytes()).unwrap();
            s.services.push(ssdp_service(st, &reply, Some(49152)));
        }
        out.push(s);
        if let (Some(u), Some(ssdp)) = (&d.upnp, &d.ssdp) {
            let mut s = Sighting::new(Source::Ssdp, ip);
            s.upnp = Some(UpnpInfo {
                device_type: u.kind.clone(),
                friendly_name: Some(u.friendly.clone()),
                manufacturer: Some(u.manufacturer.clone()),
                model_name: Some(u.model_name.clone()),
                model_number: u.model_number.clone(),
                udn: ssdp.usn.split("::").next().map(str::to_string),
                location,
                ..UpnpInfo::default()
            });
            out.push(s);
        }
    }
    if !d.ports.is_empty() {
        let mut s = Sighting::new(Source::Ports, ip);
        for port in &d.ports {
            let banner = d
                .titles
                .get(&port.to_string())
                .filter(|t| !t.is_empty())
                .map(|t| format!("HTTP 200 OK · <title>{t}</title>"));
            s.open_ports.push(OpenPort {
                port: *port,
                service: "tcp".into(),
                banner,
                tls: false,
            });
        }
        out.push(s);
    }
    if !d.names.is_empty() {
        let mut s = Sighting::new(Source::Names, ip);
        s.names.clone_from(&d.names);
        out.push(s);
    }
    out
}
