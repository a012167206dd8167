//! Folding what a scan saw into the saved inventory: one device per physical box across sources and
//! scans, its address changes followed, the owner's progress kept. No IO.
//!
//! Identity, strongest first: the hardware address; the UPnP unique device name; an mDNS host name;
//! the IPv4 address (only while nothing better is known). A device first known by address gets its
//! hardware address as soon as one is seen, and its id is upgraded without losing its progress.

use jiff::Timestamp;

use crate::discovery::{Sighting, Source, upnp_details};
use crate::identify::{Fingerprints, Identity, identify};
use crate::model::{Category, Device, DeviceId, Inventory, MacAddr, Service, ServiceSource};

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The device's id after the merge.
    pub id: DeviceId,
    /// The device was not in the inventory before.
    pub new: bool,
    /// The device's id before, when the merge upgraded it (from an address to a hardware address).
    pub was: Option<DeviceId>,
    /// Records this merge folded into the device: they were the same box, known by an address
    /// only, now that its hardware address answered on that address. They are gone from the
    /// inventory; their progress is the device's.
    pub absorbed: Vec<DeviceId>,
}

/// Merges one sighting into `inventory` at `now`.
pub fn merge(inventory: &mut Inventory, s: &Sighting, now: Timestamp) -> Merged {
    let index = find(inventory, s);
    let (mut index, new) = match index {
        Some(i) => (i, false),
        None => {
            inventory.devices.push(new_device(s, now));
            (inventory.devices.len() - 1, true)
        }
    };
    // A hardware address proves who holds the IP now. A record known by that address alone was
    // this box all along: it is folded in. A box with another hardware address no longer holds it.
    let mut absorbed = Vec::new();
    if let Some(mac) = s.mac {
        let mut same_box = Vec::new();
        for (i, other) in inventory.devices.iter_mut().enumerate() {
            if i == index {
                continue;
            }
            let holds = other.ip == Some(s.ip);
            if holds && other.mac.is_none_or(|m| m == mac) {
                same_box.push(i);
            } else if holds {
                other.ip = None;
            }
            other.evidence.other_ips.retain(|ip| *ip != s.ip);
        }
        for i in same_box.into_iter().rev() {
            let record = inventory.devices.remove(i);
            if i < index {
                index -= 1;
            }
            absorbed.push(record.id.clone());
            crate::duplicates::absorb(&mut inventory.devices[index], record);
        }
    }
    let device = &mut inventory.devices[index];
    let was = update(device, s, now);
    Merged {
        id: device.id.clone(),
        new,
        was,
        absorbed,
    }
}

/// The index of the device `s` is about, if the inventory has it.
fn find(inventory: &Inventory, s: &Sighting) -> Option<usize> {
    let devices = &inventory.devices;
    if let Some(mac) = s.mac
        && let Some(i) = devices.iter().position(|d| d.mac == Some(mac))
    {
        return Some(i);
    }
    // A UDN ties a sighting to a device at the same address, or to one whose hardware address is
    // not known yet: two boxes can announce one UDN (cloned firmware, an imitation).
    if let Some(udn) = s.upnp.as_ref().and_then(|u| u.udn.as_deref())
        && let Some(i) = devices.iter().position(|d| {
            device_udn(d) == Some(udn) && (d.ip == Some(s.ip) || d.mac.is_none() || s.mac == d.mac)
        })
    {
        return Some(i);
    }
    // A host name ties two sightings together unless their hardware addresses are both fixed and
    // differ; a phone or gadget with a private (randomised) address keeps its name across new ones.
    let private = |m: Option<MacAddr>| m.is_none_or(|m| m.is_locally_administered());
    if let Some(i) = devices.iter().position(|d| {
        s.hostnames.iter().any(|h| d.hostnames.contains(h))
            && (private(s.mac) || private(d.mac) || d.mac == s.mac)
    }) {
        return Some(i);
    }
    devices.iter().position(|d| {
        (d.ip == Some(s.ip) || d.evidence.other_ips.contains(&s.ip))
            && (s.mac.is_none() || d.mac.is_none())
    })
}

/// Applies what identification concluded to `d`: kind, maker, model and name, never overriding
/// what the owner set. The name is the owner's, else the UPnP friendlyName, else an mDNS name
/// ("fn", instance, host name), else a DNS/DHCP, NetBIOS or LLMNR name; a device still without a
/// name of its own is named after its kind and maker ("Hikvision camera").
pub fn apply_identity(d: &mut Device, id: &Identity) {
    d.set_detected_category(id.category);
    if id.vendor.is_some() {
        d.vendor.clone_from(&id.vendor);
    }
    if id.model.is_some() {
        d.model.clone_from(&id.model);
    }
    if !is_auto_name(d) {
        return;
    }
    // The device's own name (UPnP, then mDNS), else a host, DNS or NetBIOS name, else its kind.
    if let Some(name) = id
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| best_name(d))
    {
        d.set_detected_name(name);
    } else if d.detected_name() == FALLBACK_NAME && d.category() != Category::Unknown {
        let name = match &d.vendor {
            Some(v) => format!("{v} {}", d.category().label().to_lowercase()),
            None => d.category().label().to_string(),
        };
        d.set_detected_name(name);
    }
}

/// Identifies `d` with `rules` and applies the result (see [`apply_identity`]).
pub fn identify_device(d: &mut Device, rules: &Fingerprints) {
    let id = identify(d, rules);
    apply_identity(d, &id);
}

/// The UPnP unique device name a device announced, if any.
pub fn device_udn(d: &Device) -> Option<&str> {
    d.services
        .iter()
        .filter(|s| s.source == ServiceSource::Upnp)
        .find_map(|s| s.txt.get("UDN").map(String::as_str))
}

fn new_device(s: &Sighting, now: Timestamp) -> Device {
    let id = if let Some(mac) = s.mac {
        DeviceId::Mac(mac)
    } else if let Some(udn) = s.upnp.as_ref().and_then(|u| u.udn.clone()) {
        DeviceId::Udn(udn)
    } else if let Some(host) = s.hostnames.first() {
        DeviceId::Host(host.clone())
    } else {
        DeviceId::Ip(s.ip)
    };
    let mut device = Device::new(id, FALLBACK_NAME, now);
    device.ip = Some(s.ip);
    device.mac = s.mac;
    device
}

/// The name a device has until something better is known (the list shows its address beside it).
pub const FALLBACK_NAME: &str = "Unnamed device";

/// Applies the sighting's facts; returns the old id when the id was upgraded.
fn update(d: &mut Device, s: &Sighting, now: Timestamp) -> Option<DeviceId> {
    // A new address becomes the main one (a DHCP change, or one more address of the same box);
    // the one before is kept beside it. An address already known changes nothing.
    match d.ip {
        Some(ip) if ip == s.ip => {}
        Some(_) if d.evidence.other_ips.contains(&s.ip) => {}
        Some(old) => {
            d.evidence.add_ip(old);
            d.ip = Some(s.ip);
        }
        None => {
            d.evidence.other_ips.retain(|ip| *ip != s.ip);
            d.ip = Some(s.ip);
        }
    }
    d.last_seen = now;
    d.missed_scans = 0;
    let mut was = None;
    if let Some(mac) = s.mac {
        d.mac = Some(mac);
        if !matches!(d.id, DeviceId::Mac(_)) {
            was = Some(std::mem::replace(&mut d.id, DeviceId::Mac(mac)));
        }
    }
    for h in &s.hostnames {
        if !d.hostnames.contains(h) && d.hostnames.len() < Device::MAX_HOSTNAMES {
            d.hostnames.push(h.clone());
        }
    }
    for service in &s.services {
        upsert_service(d, service.clone());
    }
    for (source, name) in &s.names {
        d.evidence.add_name(source, name);
    }
    for ip in &s.ipv6 {
        d.evidence.add_ipv6(*ip);
    }
    if let Some(upnp) = &s.upnp {
        upsert_service(
            d,
            Service {
                source: ServiceSource::Upnp,
                kind: upnp.device_type.clone(),
                name: upnp.friendly_name.clone().unwrap_or_default(),
                port: crate::discovery::http::parse_url(&upnp.location)
                    .ok()
                    .map(|(addr, _, _)| addr.port()),
                txt: upnp_details(upnp),
            },
        );
        // A software author or stack (MiniDLNA's, Linux, OpenWrt) is not the maker.
        if d.vendor.is_none()
            && let Some(maker) = upnp.manufacturer.as_deref()
            && crate::makers::software_maker(maker).is_none()
        {
            d.vendor = Some(maker.to_string());
        }
        // Nor is the model of a software author's description the box's.
        let software = upnp
            .manufacturer
            .as_deref()
            .is_some_and(|m| crate::makers::software_maker(m).is_some());
        if d.model.is_none() && !software {
            d.model = upnp
                .model_name
                .clone()
                .or_else(|| upnp.model_number.clone());
        }
    }
    if s.source == Source::Ports {
        merge_ports(d, s);
    }
    // The neighbour-table stage says, for every host it lists, whether it is the gateway.
    if s.source == Source::Arp {
        d.gateway = s.gateway;
    }
    if is_auto_name(d)
        && let Some(better) = best_name(d)
    {
        d.set_detected_name(better);
    }
    was
}

/// Folds a port probe into the device by what each port proved: an accepted port is open (with
/// its new banner), a refused one is closed, and a port that stayed silent keeps what was known
/// of it before, so a lost frame neither closes an open port nor opens it "anew" next time.
fn merge_ports(d: &mut Device, s: &Sighting) {
    let answered =
        |port: u16| s.closed_ports.contains(&port) || s.open_ports.iter().any(|p| p.port == port);
    d.open_ports.retain(|p| !answered(p.port));
    d.open_ports.extend(s.open_ports.iter().cloned());
    d.open_ports.sort_by_key(|p| p.port);
    d.closed_ports.retain(|&port| !answered(port));
    d.closed_ports.extend(s.closed_ports.iter().copied());
    d.closed_ports.sort_unstable();
    d.closed_ports.dedup();
}

/// Adds a service, or updates the one it repeats: an mDNS instance is its type and name; a UPnP
/// device type is one entry whatever name it was announced under.
fn upsert_service(d: &mut Device, service: Service) {
    let same = |x: &Service| {
        x.source == service.source
            && x.kind == service.kind
            && (service.source == ServiceSource::Upnp || x.name == service.name)
    };
    if let Some(existing) = d.services.iter_mut().find(|x| same(x)) {
        if !service.name.is_empty() {
            existing.name = service.name;
        }
        if service.port.is_some() {
            existing.port = service.port;
        }
        existing.txt.extend(service.txt);
    } else if d.services.len() < Device::MAX_SERVICES {
        d.services.push(service);
    }
}

/// True while the device's name is one porchlight made up (not the owner's, not the device's own).
fn is_auto_name(d: &Device) -> bool {
    let generic = d.category().label();
    let by_kind = d.detected_name() == generic
        || d.vendor
            .as_ref()
            .is_some_and(|v| d.detected_name() == format!("{v} {}", generic.to_lowercase()));
    d.owner_name().is_none()
        && (d.detected_name() == FALLBACK_NAME
            || by_kind
            || d.hostnames.iter().any(|h| short_host(h) == d.detected_name())
            || d.evidence.names.values().any(|n| *n == d.detected_name() || short_host(n) == d.detected_name())
            || announced_name(d)
            // An older porchlight named devices after their SSDP SERVER header.
            || d.services.iter().any(|s| s.txt.get("server").map(String::as_str) == Some(d.detected_name())))
}

/// True when the device's current name is one its announcements gave (a UPnP friendlyName, an
/// mDNS "fn" or instance name, raw or tidied) or an identifier an older porchlight used as a name:
/// identification may replace it with a better one (a speaker's room, a name without its "uuid:").
fn announced_name(d: &Device) -> bool {
    use crate::identify::naming::{is_id_like, room_of, tidy_name};
    let current = d.detected_name();
    if is_id_like(current) {
        return true;
    }
    d.services.iter().any(|s| {
        let fn_name = s.txt.get("fn").map(String::as_str).unwrap_or_default();
        [s.name.as_str(), room_of(&s.name), fn_name]
            .into_iter()
            .any(|n| !n.is_empty() && (n == current || tidy_name(n).as_deref() == Some(current)))
    })
}

/// The best name the device gives itself: its UPnP friendly name, an mDNS "fn" name, an mDNS
/// instance name, its host name, or a name from DNS, NetBIOS or LLMNR. Never an SSDP SERVER header.
pub fn best_name(d: &Device) -> Option<String> {
    use crate::identify::naming::{room_of, short_host as trimmed, tidy_name};
    // Identifiers (uuid:, RINCON_, a hardware address) and junk are never names.
    let upnp = d
        .services
        .iter()
        .filter(|s| s.source == ServiceSource::Upnp && s.txt.get("server") != Some(&s.name))
        .find_map(|s| tidy_name(&s.name));
    let mdns_fn = d
        .services
        .iter()
        .filter(|s| s.source == ServiceSource::Mdns)
        .filter_map(|s| s.txt.get("fn"))
        .find_map(|v| tidy_name(v));
    let mdns_instance = d
        .services
        .iter()
        .filter(|s| s.source == ServiceSource::Mdns)
        .find_map(|s| tidy_name(room_of(&s.name)));
    // Host and looked-up names without ".local" or the home's DNS domain ("HS110.fritz.box").
    let host = d
        .hostnames
        .first()
        .map(|h| trimmed(h))
        .filter(|h| !h.is_empty());
    let other = ["dns", "netbios", "llmnr"]
        .iter()
        .find_map(|source| d.evidence.names.get(*source))
        .map(|n| trimmed(n))
        .filter(|n| !n.is_empty());
    upnp.or(mdns_fn).or(mdns_instance).or(host).or(other)
}

fn short_host(h: &str) -> String {
    crate::identify::naming::short_host(h)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::discovery::UpnpInfo;
    use crate::model::{MacAddr, StepId, StepState};

    fn now() -> Timestamp {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    fn mac(s: &str) -> MacAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_host_seen_by_ping_then_arp_is_one_device_keyed_by_mac() {
        let mut inv = Inventory::default();
        let ip = "192.168.1.64".parse().unwrap();
        let first = merge(&mut inv, &Sighting::new(Source::Icmp, ip), now());
        assert!(first.new);
        assert_eq!(first.id, DeviceId::Ip(ip));
        let step = StepId::new("G-02");
        inv.devices[0].set_step_state(&step, StepState::Done, now());
        let mut arp = Sighting::new(Source::Arp, ip);
        arp.mac = Some(mac("bc:ad:28:4f:10:3a"));
        let second = merge(&mut inv, &arp, now());
        assert!(!second.new);
        assert_eq!(second.was, Some(DeviceId::Ip(ip)));
        assert_eq!(second.id.to_string(), "mac:bc:ad:28:4f:10:3a");
        assert_eq!(inv.devices.len(), 1);
        assert_eq!(
            inv.devices[0].step_state(&step),
            StepState::Done,
            "progress kept"
        );
    }

    #[test]
    fn a_dhcp_address_change_follows_the_mac() {
        let mut inv = Inventory::default();
        let mut s = Sighting::new(Source::Arp, "192.168.1.20".parse().unwrap());
        s.mac = Some(mac("3c:d9:2b:6e:04:b1"));
        merge(&mut inv, &s, now());
        s.ip = "192.168.1.57".parse().unwrap();
        merge(&mut inv, &s, now());
        assert_eq!(inv.devices.len(), 1);
        assert_eq!(inv.devices[0].ip, Some("192.168.1.57".parse().unwrap()));
        // Another box now holds the old address: a new device, and nobody else claims that IP.
        let mut other = Sighting::new(Source::Arp, "192.168.1.57".parse().unwrap());
        other.mac = Some(mac("00:11:32:9a:be:01"));
        merge(&mut inv, &other, now());
        assert_eq!(inv.devices.len(), 2);
        assert_eq!(inv.devices[0].ip, None);
    }

    #[test]
    fn one_box_seen_through_mdns_and_ssdp_is_one_device_with_its_own_name() {
        let mut inv = Inventory::default();
        let ip = "192.168.1.23".parse().unwrap();
        let mut m = Sighting::new(Source::Mdns, ip);
        m.hostnames.push("nest-mini.local".into());
        m.services.push(Service {
            source: ServiceSource::Mdns,
            kind: "_googlecast._tcp".into(),
            name: "Google-Nest-Mini-5b1c".into(),
            port: Some(8009),
            txt: BTreeMap::from([("fn".to_string(), "Kitchen speaker".to_string())]),
        });
        merge(&mut inv, &m, now());
        let mut u = Sighting::new(Source::Ssdp, ip);
        u.upnp = Some(UpnpInfo {
            device_type: "urn:dial-multiscreen-org:device:dial:1".into(),
            friendly_name: Some("Kitchen speaker".into()),
            manufacturer: Some("Google Inc.".into()),
            model_name: Some("Google Nest Mini".into()),
            udn: Some("uuid:1234".into()),
            location: "http://192.168.1.23:8008/ssdp/device-desc.xml".into(),
            ..UpnpInfo::default()
        });
        merge(&mut inv, &u, now());
        assert_eq!(inv.devices.len(), 1);
        let d = &inv.devices[0];
        assert_eq!(d.name(), "Kitchen speaker");
        assert_eq!(d.vendor.as_deref(), Some("Google Inc."));
        assert_eq!(d.model.as_deref(), Some("Google Nest Mini"));
        assert_eq!(d.services.len(), 2);
        assert_eq!(device_udn(d), Some("uuid:1234"));
    }

    #[test]
    fn a_phone_with_a_new_private_address_is_the_same_device() {
        let mut inv = Inventory::default();
        let mut s = Sighting::new(Source::Mdns, "192.168.1.40".parse().unwrap());
        s.mac = Some(mac("da:a1:19:00:00:01"));
        s.hostnames.push("sams-iphone.local".into());
        let first = merge(&mut inv, &s, now());
        inv.devices[0].set_step_state(&StepId::new("G-08"), StepState::Done, now());
        // Next week it joins with another randomised address and another IP.
        s.mac = Some(mac("5e:02:7a:11:22:33"));
        s.ip = "192.168.1.77".parse().unwrap();
        let again = merge(&mut inv, &s, now());
        assert_eq!(inv.devices.len(), 1);
        assert_eq!(again.id, first.id, "the identity stays put");
        let d = &inv.devices[0];
        assert_eq!(d.mac, Some(mac("5e:02:7a:11:22:33")));
        assert_eq!(d.ip, Some("192.168.1.77".parse().unwrap()));
        assert_eq!(d.step_state(&StepId::new("G-08")), StepState::Done);
        // Two boxes with fixed, different addresses are never merged by name alone.
        let mut other = Sighting::new(Source::Mdns, "192.168.1.50".parse().unwrap());
        other.mac = Some(mac("3c:d9:2b:6e:04:b1"));
        other.hostnames.push("printer.local".into());
        merge(&mut inv, &other, now());
        other.mac = Some(mac("00:11:32:9a:be:01"));
        other.ip = "192.168.1.51".parse().unwrap();
        merge(&mut inv, &other, now());
        assert_eq!(inv.devices.len(), 3);
    }

    #[test]
    fn one_mac_on_three_addresses_over_three_scans_is_one_record() {
        let mut inv = Inventory::default();
        let box_mac = mac("00:11:32:9a:be:01");
        let ips: Vec<std::net::Ipv4Addr> = ["10.0.0.20", "10.0.0.21", "10.0.0.22"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let step = StepId::new("G-02");
        for scan in 0..3 {
            // Every scan: the sweep first (no hardware address), then the neighbour table, in an
            // order that changes from scan to scan.
            let mut order = ips.clone();
            order.rotate_left(scan);
            for ip in &order {
                merge(&mut inv, &Sighting::new(Source::Icmp, *ip), now());
            }
            for ip in order.iter().rev() {
                let mut arp = Sighting::new(Source::Arp, *ip);
                arp.mac = Some(box_mac);
                merge(&mut inv, &arp, now());
            }
            if scan == 0 {
                inv.devices[0].set_step_state(&step, StepState::Done, now());
            }
            assert_eq!(inv.devices.len(), 1, "scan {scan}: {:#?}", inv.devices);
        }
        let d = &inv.devices[0];
        assert_eq!(d.mac, Some(box_mac));
        let mut all: Vec<_> =
            d.ip.into_iter()
                .chain(d.evidence.other_ips.clone())
                .collect();
        all.sort();
        assert_eq!(all, ips, "every address of the box");
        assert_eq!(d.step_state(&step), StepState::Done, "progress kept");
    }

    #[test]
    fn a_server_header_never_names_a_device_and_a_software_author_is_not_the_maker() {
        let mut inv = Inventory::default();
        let ip = "192.168.1.1".parse().unwrap();
        let mut reply = Sighting::new(Source::Ssdp, ip);
        let server = "Debian/12 UPnP/1.1 MiniUPnPd/2.3.3";
        reply.services.push(Service {
            source: ServiceSource::Upnp,
            kind: "urn:schemas-upnp-org:device:InternetGatewayDevice:1".into(),
            name: server.into(),
            port: Some(5000),
            txt: BTreeMap::from([("server".to_string(), server.to_string())]),
        });
        merge(&mut inv, &reply, now());
        assert_eq!(inv.devices[0].name(), FALLBACK_NAME);
        // An older file named it after the header: the description's name replaces it.
        inv.devices[0].set_detected_name(server);
        let mut described = Sighting::new(Source::Ssdp, ip);
        described.upnp = Some(UpnpInfo {
            device_type: "urn:schemas-upnp-org:device:MediaServer:1".into(),
            friendly_name: Some("DiskStation".into()),
            manufacturer: Some("Justin Maggard".into()),
            location: "http://192.168.1.1:8200/rootDesc.xml".into(),
            ..UpnpInfo::default()
        });
        merge(&mut inv, &described, now());
        let d = &inv.devices[0];
        assert_eq!(d.name(), "DiskStation");
        assert_eq!(d.vendor, None, "MiniDLNA's author is not the maker");
        assert_eq!(d.model, None, "nor is MiniDLNA's model the box's");
    }

    #[test]
    fn two_boxes_announcing_one_udn_stay_two_devices() {
        let mut inv = Inventory::default();
        for (ip, hw) in [
            ("10.0.0.13", "00:11:32:00:00:0d"),
            ("10.0.0.20", "24:0a:c4:00:00:14"),
        ] {
            let ip = ip.parse().unwrap();
            let mut arp = Sighting::new(Source::Arp, ip);
            arp.mac = Some(mac(hw));
            merge(&mut inv, &arp, now());
            let mut described = Sighting::new(Source::Ssdp, ip);
            described.upnp = Some(UpnpInfo {
                device_type: "urn:schemas-upnp-org:device:MediaServer:1".into(),
                udn: Some("uuid:4d696e69-444c-164e-9d41-001132a5b6c7".into()),
                location: format!("http://{ip}:8200/rootDesc.xml"),
                ..UpnpInfo::default()
            });
            merge(&mut inv, &described, now());
        }
        assert_eq!(inv.devices.len(), 2, "{:#?}", inv.devices);
        assert!(inv.devices.iter().all(|d| device_udn(d).is_some()));
    }

    #[test]
    fn a_port_closes_only_when_refused_and_silence_keeps_what_was_known() {
        let mut inv = Inventory::default();
        let ip = "10.0.0.5".parse().unwrap();
        let telnet = crate::model::OpenPort {
            port: 23,
            service: "telnet".into(),
            banner: None,
            tls: false,
        };
        let mut p = Sighting::new(Source::Ports, ip);
        p.open_ports.push(telnet.clone());
        p.closed_ports.push(21);
        merge(&mut inv, &p, now());
        assert_eq!(inv.devices[0].open_ports, std::slice::from_ref(&telnet));
        assert_eq!(inv.devices[0].closed_ports, [21]);
        // A probe where telnet stayed silent (a lost frame) and ssh was refused.
        let mut silent = Sighting::new(Source::Ports, ip);
        silent.closed_ports.push(22);
        merge(&mut inv, &silent, now());
        assert_eq!(
            inv.devices[0].open_ports,
            [telnet],
            "silence closes nothing"
        );
        assert_eq!(inv.devices[0].closed_ports, [21, 22]);
        // Telnet refused now, ftp open now.
        let mut later = Sighting::new(Source::Ports, ip);
        later.closed_ports.push(23);
        later.open_ports.push(crate::model::OpenPort {
            port: 21,
            service: "ftp".into(),
            banner: None,
            tls: false,
        });
        merge(&mut inv, &later, now());
        let d = &inv.devices[0];
        assert_eq!(
            d.open_ports.iter().map(|p| p.port).collect::<Vec<_>>(),
            [21]
        );
        assert_eq!(d.closed_ports, [22, 23], "telnet closed since");
    }

    #[test]
    fn a_name_the_owner_gave_is_never_replaced() {
        let mut inv = Inventory::default();
        let ip = "10.0.0.9".parse().unwrap();
        merge(&mut inv, &Sighting::new(Source::Icmp, ip), now());
        inv.devices[0].set_detected_name("ipc-1234");
        inv.devices[0].set_owner_name(Some("ipc-1234".into()));
        let mut m = Sighting::new(Source::Mdns, ip);
        m.hostnames.push("ipc-1234.local".into());
        merge(&mut inv, &m, now());
        assert_eq!(
            inv.devices[0].name(),
            "ipc-1234",
            "even when it equals a host name"
        );
    }
}
