//! Identification against devices modelled on real products (`tests/fixtures/devices/*.toml`), the
//! fingerprint asset's validation, hardware-address makers, and hostile strings from devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use porchlight::identify::{
    FingerprintError, Fingerprints, Identity, RuleKind, confidence, identify, vendor_from_mac,
};
use porchlight::model::{Category, Device, DeviceId, MacAddr, OpenPort, Service, ServiceSource};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    about: String,
    expect: Expect,
    device: Seen,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    category: Category,
    vendor: Option<String>,
    model: Option<String>,
    name: Option<String>,
    decisive: String,
    min_confidence: Option<u8>,
    #[serde(default)]
    private_mac: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seen {
    mac: Option<MacAddr>,
    #[serde(default)]
    gateway: bool,
    #[serde(default)]
    hostnames: Vec<String>,
    #[serde(default)]
    ports: Vec<u16>,
    #[serde(default)]
    services: Vec<Service>,
}

fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn device_from(seen: Seen, ip: &str) -> Device {
    let id = match seen.mac {
        Some(mac) => DeviceId::Mac(mac),
        None => DeviceId::Ip(ip.parse().unwrap()),
    };
    let mut device = Device::new(id, "Unnamed device", now());
    device.ip = Some(ip.parse().unwrap());
    device.mac = seen.mac;
    device.gateway = seen.gateway;
    device.hostnames = seen.hostnames;
    device.services = seen.services;
    device.open_ports = seen
        .ports
        .into_iter()
        .map(|port| OpenPort {
            port,
            service: "tcp".into(),
            banner: None,
            tls: false,
        })
        .collect();
    device
}

fn fixtures() -> Vec<(String, Fixture)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devices");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let fixture: Fixture = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, fixture)
        })
        .collect()
}

fn rules() -> Fingerprints {
    Fingerprints::builtin().unwrap()
}

/// A readable account of an identity for failure messages.
fn explain(id: &Identity) -> String {
    let mut out = format!(
        "{:?} {}% vendor={:?} model={:?} name={:?}\n",
        id.category, id.confidence, id.vendor, id.model, id.name
    );
    for e in &id.evidence {
        out.push_str(&format!(
            "  [{}] {} => {}\n",
            e.weight, e.signal, e.conclusion
        ));
    }
    out
}

#[test]
fn devices_modelled_on_real_products_are_identified() {
    let rules = rules();
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 25,
        "only {} device fixtures",
        fixtures.len()
    );
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for (n, (name, fixture)) in fixtures.into_iter().enumerate() {
        let Fixture {
            about,
            expect,
            device,
        } = fixture;
        assert!(!about.trim().is_empty(), "{name}: say what it is");
        let device = device_from(device, &format!("192.168.1.{}", n + 2));
        let id = identify(&device, &rules);
        covered.insert(expect.category);
        let mut wrong = Vec::new();
        if id.category != expect.category {
            wrong.push(format!("category {:?}", id.category));
        }
        if id.vendor != expect.vendor {
            wrong.push(format!("vendor {:?}", id.vendor));
        }
        if id.model != expect.model {
            wrong.push(format!("model {:?}", id.model));
        }
        if id.name != expect.name {
            wrong.push(format!("name {:?}", id.name));
        }
        if id.private_mac != expect.private_mac {
            wrong.push(format!("private_mac {}", id.private_mac));
        }
        let floor = expect
            .min_confidence
            .unwrap_or(u8::from(expect.category != Category::Unknown));
        if id.confidence < floor {
            wrong.push(format!("confidence {} < {floor}", id.confidence));
        }
        if expect.category == Category::Unknown && id.confidence != 0 {
            wrong.push("an unknown device must have confidence 0".into());
        }
        // The decisive signal is quoted in evidence for the winning category.
        let prefix = format!("{}:", expect.category.key());
        let decisive = id.evidence.iter().any(|e| {
            e.signal.contains(&expect.decisive)
                && (expect.category == Category::Unknown || e.conclusion.starts_with(&prefix))
        });
        if !decisive {
            wrong.push(format!("no evidence quotes {:?}", expect.decisive));
        }
        if !wrong.is_empty() {
            failures.push(format!("{name}: {}\n{}", wrong.join(", "), explain(&id)));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    for c in Category::ALL {
        assert!(covered.contains(&c), "no fixture for {c:?}");
    }
}

#[test]
fn evidence_is_ordered_bounded_and_clean() {
    let rules = rules();
    for (name, fixture) in fixtures() {
        let id = identify(&device_from(fixture.device, "10.0.0.2"), &rules);
        assert!(id.confidence <= 100, "{name}");
        for pair in id.evidence.windows(2) {
            assert!(pair[0].weight >= pair[1].weight, "{name}: evidence order");
        }
        for e in &id.evidence {
            for text in [&e.signal, &e.conclusion] {
                assert!(!text.is_empty(), "{name}: empty evidence");
                assert!(!text.chars().any(char::is_control), "{name}: {text:?}");
                assert!(text.chars().count() <= 400, "{name}: {text:?}");
            }
        }
    }
}

#[test]
fn a_device_with_nothing_to_go_on_is_unknown() {
    let rules = rules();
    let bare = Device::new(DeviceId::Ip("10.0.0.9".parse().unwrap()), "x", now());
    let id = identify(&bare, &rules);
    assert_eq!(id.category, Category::Unknown);
    assert_eq!(id.confidence, 0);
    assert!(id.evidence.is_empty());
    assert_eq!(
        (id.vendor, id.model, id.name, id.private_mac),
        (None, None, None, false)
    );
}

#[test]
fn one_weak_hint_names_the_maker_but_not_the_kind() {
    // A TP-Link address alone: TP-Link makes routers, plugs and cameras. One kind of signal (and a
    // few points) never names a kind, so the category stays unknown, but the maker is shown.
    let rules = rules();
    let mut d = Device::new(DeviceId::Ip("10.0.0.7".parse().unwrap()), "x", now());
    d.mac = Some("50:c7:bf:00:00:01".parse().unwrap());
    let id = identify(&d, &rules);
    assert_eq!(id.category, Category::Unknown, "{}", explain(&id));
    assert_eq!(id.confidence, 0);
    assert_eq!(id.vendor.as_deref(), Some("TP-Link"));
    assert!(
        id.evidence
            .iter()
            .all(|e| e.signal.starts_with("hardware address registered to")),
        "{}",
        explain(&id)
    );
    let kinds: BTreeSet<&str> = id
        .evidence
        .iter()
        .filter_map(|e| e.conclusion.split(':').next())
        .collect();
    assert_eq!(kinds, BTreeSet::from(["camera", "plug", "router"]));
}

#[test]
fn a_private_address_supports_but_never_decides() {
    let rules = rules();
    let private: MacAddr = "da:a1:19:00:00:01".parse().unwrap();
    // Alone: unknown.
    let mut d = Device::new(DeviceId::Mac(private), "x", now());
    d.mac = Some(private);
    let alone = identify(&d, &rules);
    assert_eq!(alone.category, Category::Unknown);
    assert_eq!(alone.confidence, 0);
    assert!(alone.private_mac);
    assert_eq!(alone.vendor, None, "a made-up address has no maker");
    assert!(
        alone.evidence[0].conclusion.contains("phones"),
        "{}",
        explain(&alone)
    );
    // Beside Remote Desktop it is a second kind of signal for `computer`, and names it; without it,
    // one open port alone names nothing.
    d.open_ports.push(OpenPort {
        port: 3389,
        service: "rdp".into(),
        banner: None,
        tls: false,
    });
    let with = identify(&d, &rules);
    d.mac = None;
    let without = identify(&d, &rules);
    assert_eq!(with.category, Category::Computer, "{}", explain(&with));
    assert_eq!(without.category, Category::Unknown, "{}", explain(&without));
    assert_eq!(without.confidence, 0);
}

#[test]
fn a_close_call_has_low_confidence() {
    // A Google Cast receiver with its ports open: TV and speaker both plausible.
    let rules = rules();
    let mut d = Device::new(DeviceId::Ip("10.0.0.3".parse().unwrap()), "x", now());
    d.services.push(Service {
        source: ServiceSource::Mdns,
        kind: "_googlecast._tcp".into(),
        name: "Cast-1234".into(),
        port: Some(8009),
        txt: BTreeMap::new(),
    });
    // The service alone is too weak to say which (one kind of signal, no strong rule).
    let bare = identify(&d, &rules);
    assert_eq!(bare.category, Category::Unknown, "{}", explain(&bare));
    for port in [8008, 8009] {
        d.open_ports.push(OpenPort {
            port,
            service: "http".into(),
            banner: None,
            tls: false,
        });
    }
    let id = identify(&d, &rules);
    assert_eq!(id.category, Category::Tv, "{}", explain(&id));
    assert_eq!(id.confidence, confidence(35, 25));
    assert!(id.confidence < 35);
}

#[test]
fn the_builtin_asset_covers_every_category_and_every_kind_of_signal() {
    let rules = rules();
    let all = rules.rules();
    assert!(all.len() >= 150, "only {} rules", all.len());
    let categories: BTreeSet<Category> = all.iter().map(|r| r.category).collect();
    for c in Category::ALL {
        if c != Category::Unknown {
            assert!(categories.contains(&c), "no rule concludes {c:?}");
        }
    }
    let kinds: Vec<RuleKind> = all.iter().map(|r| r.kind()).collect();
    for kind in [
        RuleKind::MdnsService,
        RuleKind::MdnsTxt,
        RuleKind::Upnp,
        RuleKind::Ports,
        RuleKind::Name,
        RuleKind::MacVendor,
        RuleKind::Gateway,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} rule");
    }
    for rule in all {
        assert!((1..=100).contains(&rule.weight), "{}", rule.id);
        // Vendor hints are already the short names the aliases produce.
        if let Some(v) = &rule.vendor {
            assert_eq!(&rules.vendor_name(v), v, "{}: vendor hint", rule.id);
        }
        // Conclusions must fit beside the category in a detail pane.
        assert!(rule.phrase.chars().count() <= 100, "{}: phrase", rule.id);
    }
}

const GOOD: &str = r#"
min_score = 10
strong_weight = 40
model_keys = ["md"]
vendor_keys = ["usb_MFG"]
name_keys = ["fn"]

[private_mac]
weight = 5
phrase = "phones make up their addresses"

[[alias]]
match = "Acme"
vendor = "Acme"

[[rule]]
id = "mdns-ipp"
category = "printer"
weight = 45
mdns_service = "_ipp._tcp"
phrase = "a network printer"
"#;

fn broken(find: &str, replace: &str) -> FingerprintError {
    let text = GOOD.replace(find, replace);
    assert_ne!(text, GOOD, "the test did not change anything");
    Fingerprints::from_toml(&text).unwrap_err()
}

#[test]
fn a_small_asset_loads_and_works() {
    let rules = Fingerprints::from_toml(GOOD).unwrap();
    assert_eq!(rules.rules().len(), 1);
    assert_eq!(rules.vendor_name("ACME Widgets, Inc."), "Acme");
    assert_eq!(rules.vendor_name("Foo Electronics"), "Foo Electronics");
}

#[test]
fn broken_rules_are_refused_naming_the_rule() {
    let e = broken(r#"category = "printer""#, r#"category = "fridge""#);
    assert_eq!(
        e.to_string(),
        "fingerprint rule mdns-ipp: unknown category `fridge`"
    );
    let e = broken(r#"category = "printer""#, r#"category = "unknown""#);
    assert!(
        e.to_string().starts_with("fingerprint rule mdns-ipp:"),
        "{e}"
    );
    let e = broken(r#"phrase = "a network printer""#, r#"phrase = "  ""#);
    assert_eq!(
        e.to_string(),
        "fingerprint rule mdns-ipp: `phrase` is empty"
    );
    let e = broken("weight = 45", "weight = 0");
    assert_eq!(
        e.to_string(),
        "fingerprint rule mdns-ipp: weight 0 is not in 1..=100"
    );
    let e = broken("weight = 45", "weight = 101");
    assert!(e.to_string().contains("mdns-ipp: weight 101"), "{e}");
    let e = broken(r#"id = "mdns-ipp""#, r#"id = """#);
    assert_eq!(e.to_string(), "fingerprint rule #1: the id is empty");
}

#[test]
fn a_duplicate_id_is_refused() {
    let rule = &GOOD[GOOD.find("[[rule]]").unwrap()..];
    let twice = format!("{GOOD}\n{rule}");
    let e = Fingerprints::from_toml(&twice).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fingerprint rule mdns-ipp: the id is used twice"
    );
}

#[test]
fn a_rule_needs_exactly_one_matcher() {
    let e = broken(r#"mdns_service = "_ipp._tcp""#, "");
    assert_eq!(
        e.to_string(),
        "fingerprint rule mdns-ipp: it has no matcher"
    );
    let e = broken(
        r#"mdns_service = "_ipp._tcp""#,
        "mdns_service = \"_ipp._tcp\"\nports_any = [631]",
    );
    assert!(e.to_string().contains("mixes matchers"), "{e}");
    let e = broken(
        r#"mdns_service = "_ipp._tcp""#,
        "txt_key = \"ty\"\ntxt_equals = \"a\"\ntxt_prefix = \"b\"",
    );
    assert!(e.to_string().contains("mdns-ipp: give one of"), "{e}");
    let e = broken(r#"mdns_service = "_ipp._tcp""#, r#"txt_equals = "9""#);
    assert!(e.to_string().contains("needs a `txt_key`"), "{e}");
    let e = broken(
        r#"mdns_service = "_ipp._tcp""#,
        "name_contains = \"hp\"\nname_hex_after = true",
    );
    assert!(e.to_string().contains("needs `name_prefix`"), "{e}");
    let e = broken(r#"mdns_service = "_ipp._tcp""#, "ports_none = [9100]");
    assert!(e.to_string().contains("mdns-ipp"), "{e}");
    let e = broken(r#"mdns_service = "_ipp._tcp""#, "gateway = false");
    assert!(e.to_string().contains("matches nothing"), "{e}");
}

#[test]
fn unknown_keys_and_bad_settings_are_refused() {
    let e = broken(
        r#"mdns_service = "_ipp._tcp""#,
        "mdns_service = \"_ipp._tcp\"\nregex = \"HP.*\"",
    );
    assert!(matches!(e, FingerprintError::Parse(_)), "{e}");
    let e = broken("min_score = 10", "min_score = 0");
    assert!(matches!(e, FingerprintError::Settings(_)), "{e}");
    let e = broken(r#"vendor = "Acme""#, r#"vendor = """#);
    assert!(e.to_string().contains("alias #1"), "{e}");
    let e = broken(r#"model_keys = ["md"]"#, r#"model_keys = ["md", ""]"#);
    assert!(e.to_string().contains("model_keys"), "{e}");
}

#[test]
fn known_address_blocks_give_short_vendor_names() {
    let rules = rules();
    for (mac, vendor) in [
        ("44:19:b6:00:00:01", "Hikvision"),
        ("3c:22:fb:00:00:01", "Apple"),
        ("b8:e9:37:00:00:01", "Sonos"),
        ("84:28:59:00:00:01", "Amazon"),
        ("f4:f5:d8:00:00:01", "Google"),
        ("dc:ef:09:00:00:01", "Netgear"),
        ("54:a7:03:00:00:01", "TP-Link"),
        ("00:11:32:00:00:01", "Synology"),
        ("9c:7b:ef:00:00:01", "HP"),
        ("3c:ef:8c:00:00:01", "Dahua"),
        ("3c:a6:2f:00:00:01", "AVM"),
        ("44:ea:54:00:00:01", "Nanit"),
        ("00:d9:d1:00:00:01", "Sony"),
        ("a4:c3:f0:00:00:01", "Intel"),
    ] {
        let mac: MacAddr = mac.parse().unwrap();
        assert_eq!(
            vendor_from_mac(mac, &rules).as_deref(),
            Some(vendor),
            "{mac}"
        );
    }
}

#[test]
fn private_and_group_addresses_have_no_vendor() {
    let rules = rules();
    // Apple's block with the locally administered bit set: made up, so no maker.
    let private: MacAddr = "3e:22:fb:00:00:01".parse().unwrap();
    assert!(private.is_locally_administered());
    assert_eq!(vendor_from_mac(private, &rules), None);
    let group: MacAddr = "01:00:5e:00:00:fb".parse().unwrap();
    assert_eq!(vendor_from_mac(group, &rules), None);
    let mut d = Device::new(DeviceId::Mac(private), "x", now());
    d.mac = Some(private);
    let id = identify(&d, &rules);
    assert!(id.private_mac);
    assert_eq!(id.vendor, None);
}

#[test]
fn hostile_strings_never_reach_the_result() {
    let rules = rules();
    let esc = "\u{1b}[31mGoogle Nest Mini\u{1b}[0m\u{1b}]0;owned\u{7}";
    let mut d = Device::new(DeviceId::Ip("10.0.0.66".parse().unwrap()), "x", now());
    d.hostnames
        .push("evil\u{1b}[2J\u{9b}1;1H-iPhone\r\n.local".into());
    d.services.push(Service {
        source: ServiceSource::Mdns,
        kind: "_googlecast._tcp".into(),
        name: format!("Cast\u{1b}[5m{}", "x".repeat(5000)),
        port: Some(8009),
        txt: BTreeMap::from([
            ("md".to_string(), esc.to_string()),
            (
                "fn".to_string(),
                "Kitchen\u{202e}\u{0} speaker\u{7}".to_string(),
            ),
        ]),
    });
    d.services.push(Service {
        source: ServiceSource::Upnp,
        kind: "urn:dial-multiscreen-org:device:dial:1\u{1b}P1;2|x\u{1b}\\".into(),
        name: "\u{1b}]8;;http://evil/\u{1b}\\link\u{1b}]8;;\u{1b}\\".into(),
        port: None,
        txt: BTreeMap::from([(
            "manufacturer".to_string(),
            format!("Google\u{1b}[1m {}", "Inc. ".repeat(200)),
        )]),
    });
    let id = identify(&d, &rules);
    assert_eq!(id.category, Category::Speaker, "{}", explain(&id));
    assert_eq!(id.model.as_deref(), Some("Google Nest Mini"));
    // A speaker is named after its own mDNS name ("fn") first, cleaned.
    assert_eq!(id.name.as_deref(), Some("Kitchen speaker"));
    // Without it, the UPnP friendlyName names it: the hyperlink escape is gone, its text is left.
    let mut upnp_named = d.clone();
    for s in &mut upnp_named.services {
        s.txt.remove("fn");
        if s.source == ServiceSource::Mdns {
            s.name.clear();
        }
    }
    assert_eq!(identify(&upnp_named, &rules).name.as_deref(), Some("link"));
    assert_eq!(id.vendor.as_deref(), Some("Google"));
    // Without it, the mDNS "fn" name does, cleaned.
    let mut mdns_only = d.clone();
    mdns_only
        .services
        .retain(|s| s.source == ServiceSource::Mdns);
    let fn_name = identify(&mdns_only, &rules).name;
    assert_eq!(fn_name.as_deref(), Some("Kitchen speaker"));
    let mut texts: Vec<&str> = vec![];
    texts.extend(id.vendor.as_deref());
    texts.extend(id.model.as_deref());
    texts.extend(id.name.as_deref());
    for e in &id.evidence {
        texts.push(&e.signal);
        texts.push(&e.conclusion);
    }
    for text in texts {
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
            "control character in {text:?}"
        );
        assert!(
            !text.contains("[31m") && !text.contains("owned"),
            "{text:?}"
        );
        assert!(text.chars().count() <= 400, "too long: {text:?}");
    }
    let signal = id
        .evidence
        .iter()
        .find(|e| e.signal.contains("md="))
        .unwrap();
    assert_eq!(
        signal.signal,
        "mDNS _googlecast._tcp with md=Google Nest Mini"
    );
}

#[test]
fn escapes_cannot_forge_or_hide_a_match() {
    let rules = rules();
    // An escape sequence inside a service type leaves a gap where it was, so a mangled type never
    // passes for the real one.
    let mut d = Device::new(DeviceId::Ip("10.0.0.67".parse().unwrap()), "x", now());
    d.services.push(Service {
        source: ServiceSource::Mdns,
        kind: "_ipp\u{1b}[0m._tcp".into(),
        name: "p".into(),
        port: None,
        txt: BTreeMap::new(),
    });
    let id = identify(&d, &rules);
    assert_eq!(id.category, Category::Unknown, "{}", explain(&id));
}

#[test]
fn a_software_author_as_upnp_manufacturer_never_replaces_the_hardware_maker() {
    let (_, fixture) = fixtures()
        .into_iter()
        .find(|(name, _)| name == "synology-minidlna")
        .unwrap();
    let id = identify(&device_from(fixture.device, "192.168.1.30"), &rules());
    assert_eq!(id.vendor.as_deref(), Some("Synology"), "{}", explain(&id));
    assert_eq!(id.model, None, "MiniDLNA's model string is not the box's");
    // Both makers are in the evidence, and why one was set aside.
    let both = id
        .evidence
        .iter()
        .find(|e| e.signal.contains("Justin Maggard"));
    let both = both.unwrap_or_else(|| panic!("{}", explain(&id)));
    assert!(both.conclusion.contains("MiniDLNA"), "{}", explain(&id));
    assert!(both.conclusion.contains("Synology"), "{}", explain(&id));
}

/// One level of the naming order: what it adds to a device, and the name it gives.
struct NameLevel {
    what: &'static str,
    name: &'static str,
    add: fn(&mut Device),
}

fn name_levels() -> Vec<NameLevel> {
    vec![
        NameLevel {
            what: "the owner's name",
            name: "Mum's camera",
            add: |d| {
                d.set_owner_name(Some("Mum's camera".into()));
                d.set_detected_name("Mum's camera");
            },
        },
        NameLevel {
            what: "the UPnP friendlyName",
            name: "Porch camera",
            add: |d| {
                d.services.push(Service {
                    source: ServiceSource::Upnp,
                    kind: "urn:schemas-upnp-org:device:Basic:1".into(),
                    name: "Porch camera".into(),
                    port: None,
                    txt: BTreeMap::from([("manufacturer".to_string(), "Dahua".to_string())]),
                });
            },
        },
        NameLevel {
            what: "the mDNS \"fn\" name",
            name: "Front door",
            add: |d| {
                let mdns = d
                    .services
                    .iter_mut()
                    .find(|s| s.source == ServiceSource::Mdns)
                    .unwrap();
                mdns.txt.insert("fn".into(), "Front door".into());
            },
        },
        NameLevel {
            what: "the mDNS instance name",
            name: "IPC-HDW2431T 4f2a",
            add: |d| {
                d.services.push(Service {
                    source: ServiceSource::Mdns,
                    kind: "_rtsp._tcp".into(),
                    name: "IPC-HDW2431T 4f2a".into(),
                    port: Some(554),
                    txt: BTreeMap::new(),
                });
            },
        },
        NameLevel {
            what: "the host name",
            name: "porchcam",
            add: |d| d.hostnames.push("porchcam.local".into()),
        },
        NameLevel {
            what: "a DNS/DHCP name",
            name: "dahua-cam",
            add: |d| {
                d.evidence.names.insert("dns".into(), "dahua-cam".into());
            },
        },
        NameLevel {
            what: "a NetBIOS name",
            name: "DAHUACAM",
            add: |d| {
                d.evidence.names.insert("netbios".into(), "DAHUACAM".into());
            },
        },
        NameLevel {
            what: "maker plus kind",
            name: "Dahua camera",
            add: |_| {},
        },
    ]
}

#[test]
fn each_naming_level_beats_the_ones_after_it() {
    let rules = rules();
    let levels = name_levels();
    for (i, level) in levels.iter().enumerate() {
        // A Dahua camera (hardware address and ports) with every level from this one on, plus an
        // SSDP reply named after its SERVER header, which never names a device.
        let mut d = device_from(
            Seen {
                mac: Some("3c:ef:8c:71:b0:2a".parse().unwrap()),
                gateway: false,
                hostnames: Vec::new(),
                ports: vec![80, 554, 37777],
                services: vec![Service {
                    source: ServiceSource::Upnp,
                    kind: "upnp:rootdevice".into(),
                    name: "Linux/3.10 UPnP/1.0 DH-IPC/1.0".into(),
                    port: None,
                    txt: BTreeMap::from([(
                        "server".to_string(),
                        "Linux/3.10 UPnP/1.0 DH-IPC/1.0".to_string(),
                    )]),
                }],
            },
            "10.0.0.40",
        );
        // Added from the last level up, so that the "fn" level finds the instance's service.
        for later in levels[i..].iter().rev() {
            (later.add)(&mut d);
        }
        porchlight::inventory::identify_device(&mut d, &rules);
        assert_eq!(
            d.name(),
            level.name,
            "{} beats the ones after it: {d:#?}",
            level.what
        );
        // Once named, another identification pass keeps the same name.
        porchlight::inventory::identify_device(&mut d, &rules);
        assert_eq!(d.name(), level.name, "{} is stable", level.what);
    }
}
