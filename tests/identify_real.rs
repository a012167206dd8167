//! Identification of real devices from what they announce (`tests/fixtures/real-devices.toml`,
//! each row with its source), driven through the same path a scan takes: each announcement
//! becomes the sighting its discovery stage reports (an SSDP reply is parsed from the text the
//! device sends, and is only seen when porchlight's searches ask for what the device answers),
//! the sightings are merged into an inventory and identified, and the owner's view is read back:
//! kind, maker, model and name.
//!
//! Scored and printed (`cargo test --test identify_real -- --nocapture`): kinds right, kinds
//! unknown, kinds wrong (must be 0), makers right, models named, and no identifier or junk as a
//! name or model.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod real_devices;

use porchlight::identify::Fingerprints;
use porchlight::identify::naming::{is_id_like, is_junk};
use porchlight::inventory::{identify_device, merge};
use porchlight::model::{Category, Inventory};

use real_devices::{RealDevice, load, sightings};

/// What the owner sees of one device.
struct Outcome<'a> {
    device: &'a RealDevice,
    kind: Category,
    maker: Option<String>,
    model: Option<String>,
    name: String,
}

fn identify_all(devices: &[RealDevice]) -> Vec<Outcome<'_>> {
    let rules = Fingerprints::builtin().unwrap();
    let now = "2026-12-01T12:00:00Z".parse().unwrap();
    devices
        .iter()
        .enumerate()
        .map(|(n, device)| {
            let mut inventory = Inventory::default();
            let ip = std::net::Ipv4Addr::new(192, 168, 7, u8::try_from(n + 10).unwrap());
            for s in sightings(device, ip) {
                merge(&mut inventory, &s, now);
            }
            assert_eq!(inventory.devices.len(), 1, "{}", device.family);
            let d = &mut inventory.devices[0];
            identify_device(d, &rules);
            Outcome {
                device,
                kind: d.category(),
                maker: d.vendor.clone(),
                model: d.model.clone(),
                name: d.name().to_string(),
            }
        })
        .collect()
}

#[test]
fn real_devices_are_named_as_their_owners_know_them() {
    let devices = load();
    let outcomes = identify_all(&devices);
    let mut problems = Vec::new();
    let (mut right, mut unknown, mut wrong) = (0, 0, 0);
    let (mut makers, mut models, mut models_wanted) = (0, 0, 0);
    println!(
        "\n{:<34} {:<11} {:<11} {:<18} {:<30} name",
        "device (family)", "kind", "expected", "maker", "model"
    );
    for o in &outcomes {
        let d = o.device;
        let want: Category = d.kind.parse().unwrap();
        let verdict = if o.kind == want && want != Category::Unknown {
            right += 1;
            "right"
        } else if o.kind == Category::Unknown {
            unknown += 1;
            "unknown"
        } else {
            wrong += 1;
            problems.push(format!(
                "{}: named {:?}, it is {:?}",
                d.family, o.kind, want
            ));
            "WRONG"
        };
        let maker_right = o
            .maker
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(&d.maker));
        if maker_right {
            makers += 1;
        } else {
            problems.push(format!(
                "{}: maker {:?}, want {}",
                d.family, o.maker, d.maker
            ));
        }
        if let Some(model) = &d.model {
            models_wanted += 1;
            if o.model.as_deref() == Some(model.as_str()) {
                models += 1;
            } else {
                problems.push(format!("{}: model {:?}, want {model}", d.family, o.model));
            }
        }
        if let Some(name) = &d.name
            && &o.name != name
        {
            problems.push(format!("{}: named {:?}, want {name}", d.family, o.name));
        }
        for (what, text) in [
            ("name", Some(o.name.as_str())),
            ("model", o.model.as_deref()),
        ] {
            if let Some(text) = text
                && (is_id_like(text) || is_junk(text))
            {
                problems.push(format!("{}: {what} {text:?} is an id or junk", d.family));
            }
        }
        println!(
            "{:<34} {:<11} {:<11} {:<18} {:<30} {}",
            format!("{} ({})", short(&d.family, 20), verdict),
            o.kind.key(),
            d.kind,
            short(o.maker.as_deref().unwrap_or("-"), 17),
            short(o.model.as_deref().unwrap_or("-"), 29),
            o.name
        );
    }
    let total = outcomes.len();
    let families: std::collections::BTreeSet<&str> =
        devices.iter().map(|d| d.family.as_str()).collect();
    let kinds: std::collections::BTreeSet<&str> = devices
        .iter()
        .map(|d| d.kind.as_str())
        .filter(|k| *k != "unknown")
        .collect();
    println!(
        "\n{total} devices, {} families, {} kinds: kinds {right} right, {unknown} unknown, {wrong} wrong; \
         makers {makers} of {total} right; models {models} of {models_wanted} named",
        families.len(),
        kinds.len()
    );
    assert!(total >= 40, "at least 40 devices: {total}");
    assert!(families.len() >= 25, "at least 25 families");
    assert!(kinds.len() >= 12, "at least 12 kinds");
    assert_eq!(wrong, 0, "kinds wrong");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

fn short(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

#[test]
fn every_row_names_its_source_and_a_kind_porchlight_knows() {
    for d in load() {
        assert!(d.source.len() >= 20, "{}: give the source", d.family);
        let kind: Category = d.kind.parse().unwrap_or_else(|_| panic!("{}", d.kind));
        if kind == Category::Unknown {
            assert!(
                d.source.contains("nothing")
                    || d.source.contains("no ")
                    || d.source.contains("only"),
                "{}: an 'unknown' row says why it announces too little",
                d.family
            );
        }
    }
}

#[test]
fn a_reply_without_a_server_header_is_never_named_by_its_uuid() {
    // Some devices send no SERVER header: the SSDP entry is then known by its UDN alone. Before
    // the description is read, and after it, the owner never sees a "uuid:" as the name.
    let mut devices: Vec<RealDevice> = load()
        .into_iter()
        .filter(|d| d.ssdp.is_some() && !d.ssdp.as_ref().unwrap().only_when_named)
        .collect();
    assert!(devices.len() >= 5);
    for d in &mut devices {
        d.ssdp.as_mut().unwrap().server.clear();
    }
    let rules = Fingerprints::builtin().unwrap();
    let now = "2026-12-01T12:00:00Z".parse().unwrap();
    for d in &devices {
        let ip = std::net::Ipv4Addr::new(192, 168, 7, 200);
        let all = sightings(d, ip);
        let mut inventory = Inventory::default();
        for s in &all {
            // The reply alone (no description yet), then everything.
            if s.upnp.is_some() {
                let named = inventory.devices[0].name().to_string();
                assert!(
                    !is_id_like(&named),
                    "{}: named {named:?} from its reply",
                    d.family
                );
            }
            merge(&mut inventory, s, now);
        }
        let device = &mut inventory.devices[0];
        identify_device(device, &rules);
        assert!(
            !is_id_like(device.name()),
            "{}: {}",
            d.family,
            device.name()
        );
        if let Some(name) = &d.name {
            assert_eq!(device.name(), name, "{}", d.family);
        }
    }
}

#[test]
fn a_name_saved_by_an_older_porchlight_gives_way_but_the_owners_never_does() {
    let sonos = load()
        .into_iter()
        .find(|d| d.family == "Sonos" && d.ssdp.is_some())
        .unwrap();
    let rules = Fingerprints::builtin().unwrap();
    let now = "2026-12-01T12:00:00Z".parse().unwrap();
    let ip = std::net::Ipv4Addr::new(192, 168, 7, 201);
    let mut inventory = Inventory::default();
    for s in sightings(&sonos, ip) {
        merge(&mut inventory, &s, now);
    }
    let device = &mut inventory.devices[0];
    // Saved by an older porchlight: the raw friendlyName, or the UDN.
    for old in [
        "10.88.0.20 - Sonos One - RINCON_48A6B8E2F3C401400",
        "uuid:RINCON_48A6B8E2F3C401400",
    ] {
        device.set_detected_name(old);
        identify_device(device, &rules);
        assert_eq!(device.name(), "Dining Room", "was {old}");
    }
    // The owner's own name stays, whatever the device says.
    device.set_owner_name(Some("Kitchen Sonos".into()));
    identify_device(device, &rules);
    assert_eq!(device.name(), "Kitchen Sonos");
}
