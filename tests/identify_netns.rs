//! The real-device table's served rows (`serve = true` in `tests/fixtures/real-devices.toml`)
//! announced from a namespace home, each from its own namespace with its real hardware-address
//! block: its mDNS services and host name from a real avahi-daemon, its SSDP replies (only to
//! the searches it answers: a Roku only to `roku:ecp`, a Fire TV only to DIAL) and UPnP
//! description from a stand-in, its open ports and web page titles from responders. Then
//! `porchlight scan` finds them, and the saved inventory must name each one's kind, maker, model
//! and name as the owner should see them: the whole path (discovery, identification, naming).
//! Skipped (saying why) without root, never under CI=true.
#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod netns;
mod real_devices;

use std::net::Ipv4Addr;

use netns::{Device, Listener, MdnsService, TestHome};
use porchlight::model::Category;
use real_devices::{RealDevice, load};

const BIN: &str = env!("CARGO_BIN_EXE_porchlight");

/// The port the SSDP stand-ins serve their descriptions on.
const DESCRIPTION_PORT: u16 = 49152;

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// A host name avahi takes: the row's own when it is one, else a neutral one.
fn avahi_host(d: &RealDevice, n: usize) -> &'static str {
    let own = d
        .hostnames
        .first()
        .map(|h| h.trim_end_matches('.').trim_end_matches(".local"))
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    leak(
        own.map_or_else(|| format!("host-{n}"), str::to_string)
            .as_str(),
    )
}

/// The namespace device standing in for row `d` at `ip`.
fn stand_in(d: &RealDevice, n: usize, ip: Ipv4Addr) -> Device {
    let mut device = Device::plain(leak(&format!("real{n}")), ip, leak(&d.mac));
    if !d.mdns.is_empty() {
        device.hostname = Some(avahi_host(d, n));
        device.services = d
            .mdns
            .iter()
            .map(|m| MdnsService {
                instance: leak(&m.name),
                service_type: leak(&m.kind),
                port: m.port,
                txt: m.txt.iter().map(|(k, v)| (leak(k), leak(v))).collect(),
            })
            .collect();
    }
    device.listeners = d
        .ports
        .iter()
        .filter(|p| **p != DESCRIPTION_PORT)
        .map(|p| match d.titles.get(&p.to_string()) {
            Some(title) => Listener::new(*p, "http", "", leak(title)),
            None => Listener::new(*p, "silent", "", ""),
        })
        .collect();
    device
}

#[test]
fn served_real_devices_are_found_and_named_through_the_whole_path() {
    if !netns::require_root() {
        return;
    }
    let rows: Vec<RealDevice> = load().into_iter().filter(|d| d.serve).collect();
    assert!(
        rows.len() >= 15,
        "at least 15 served devices: {}",
        rows.len()
    );
    let first_host = 10;
    let mut home = TestHome::build_with(|net| {
        let mut devices = vec![Device::plain(
            "router",
            Ipv4Addr::new(10, 77, net, 1),
            "50:c7:bf:00:00:01",
        )];
        for (n, d) in rows.iter().enumerate() {
            let ip = Ipv4Addr::new(10, 77, net, u8::try_from(first_host + n).unwrap());
            devices.push(stand_in(d, n, ip));
        }
        devices
    });
    for (n, d) in rows.iter().enumerate() {
        let (Some(ssdp), Some(xml)) = (&d.ssdp, d.description_xml()) else {
            continue;
        };
        let real = serde_json::json!({
            "server": ssdp.server,
            "st": ssdp.st,
            "usn": ssdp.usn,
            "only_when_named": ssdp.only_when_named,
        })
        .to_string();
        home.start_ssdp_device_as(&format!("real{n}"), DESCRIPTION_PORT, &xml, 1, Some(&real));
    }

    home.scan_json(BIN, &[]);
    let inventory = porchlight::store::read_inventory(&home.dir().join("porchlight-data")).unwrap();
    let mut problems = Vec::new();
    let (mut right, mut makers, mut models, mut wanted_models, mut names, mut wanted_names) =
        (0, 0, 0, 0, 0, 0);
    println!(
        "\n{:<28} {:<10} {:<10} {:<14} {:<30} name",
        "served device", "kind", "expected", "maker", "model"
    );
    for (n, d) in rows.iter().enumerate() {
        let ip = Ipv4Addr::new(10, 77, home.net, u8::try_from(first_host + n).unwrap());
        let Some(found) = inventory.devices.iter().find(|x| x.ip == Some(ip)) else {
            problems.push(format!("{} at {ip}: not found", d.family));
            continue;
        };
        let want: Category = d.kind.parse().unwrap();
        if found.category() == want {
            right += 1;
        } else {
            problems.push(format!(
                "{}: named {:?}, it is {want:?}",
                d.family,
                found.category()
            ));
        }
        if found
            .vendor
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case(&d.maker))
        {
            makers += 1;
        } else {
            problems.push(format!(
                "{}: maker {:?}, want {}",
                d.family, found.vendor, d.maker
            ));
        }
        if let Some(model) = &d.model {
            wanted_models += 1;
            if found.model.as_deref() == Some(model.as_str()) {
                models += 1;
            } else {
                problems.push(format!(
                    "{}: model {:?}, want {model}",
                    d.family, found.model
                ));
            }
        }
        if let Some(name) = &d.name {
            wanted_names += 1;
            if found.name() == name {
                names += 1;
            } else {
                problems.push(format!(
                    "{}: named {:?}, want {name}",
                    d.family,
                    found.name()
                ));
            }
        }
        println!(
            "{:<28} {:<10} {:<10} {:<14} {:<30} {}",
            d.family.chars().take(27).collect::<String>(),
            found.category().key(),
            d.kind,
            found.vendor.as_deref().unwrap_or("-"),
            found.model.as_deref().unwrap_or("-"),
            found.name()
        );
    }
    println!(
        "\nserved from the namespace home: {} devices; kinds {right} right; makers {makers} right; \
         models {models} of {wanted_models}; names {names} of {wanted_names}",
        rows.len()
    );
    assert!(
        problems.is_empty(),
        "\n{}\n{}",
        problems.join("\n"),
        home.all_logs()
    );
}
