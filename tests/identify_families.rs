//! Table tests of identification by family: for each family, a device as discovery would see it
//! (announcements, port sets, host names, address blocks) is named as its kind, and each look-alike
//! (a device that shares one signal with the family) is not. One open port, one chip maker's
//! address or one name never names a kind on its own; two kinds of signal or one strong
//! announcement do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use porchlight::identify::{Fingerprints, Identity, identify};
use porchlight::model::{Category, Device, DeviceId, OpenPort, Service, ServiceSource};

/// A device as discovery sees it, written compactly.
#[derive(Default, Clone)]
struct Seen {
    mac: Option<&'static str>,
    names: &'static [&'static str],
    ports: &'static [u16],
    /// mDNS service type, then TXT pairs.
    mdns: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// UPnP device type, manufacturer, model name.
    upnp: &'static [(&'static str, &'static str, &'static str)],
}

fn device(seen: &Seen) -> Device {
    let now = "2026-11-25T12:00:00Z".parse().unwrap();
    let mut d = Device::new(DeviceId::Ip("192.168.1.50".parse().unwrap()), "x", now);
    d.ip = Some("192.168.1.50".parse().unwrap());
    d.mac = seen.mac.map(|m| m.parse().unwrap());
    d.hostnames = seen.names.iter().map(|n| (*n).to_string()).collect();
    d.open_ports = seen
        .ports
        .iter()
        .map(|p| OpenPort {
            port: *p,
            service: "tcp".into(),
            banner: None,
            tls: false,
        })
        .collect();
    for (kind, txt) in seen.mdns {
        d.services.push(Service {
            source: ServiceSource::Mdns,
            kind: (*kind).into(),
            name: "device".into(),
            port: None,
            txt: txt
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        });
    }
    for (kind, maker, model) in seen.upnp {
        let mut txt = BTreeMap::new();
        txt.insert("manufacturer".to_string(), (*maker).to_string());
        txt.insert("modelName".to_string(), (*model).to_string());
        d.services.push(Service {
            source: ServiceSource::Upnp,
            kind: (*kind).into(),
            name: "device".into(),
            port: None,
            txt,
        });
    }
    d
}

fn explain(id: &Identity) -> String {
    let mut out = format!("{:?} {}%\n", id.category, id.confidence);
    for e in &id.evidence {
        out.push_str(&format!(
            "  [{}] {} => {}\n",
            e.weight, e.signal, e.conclusion
        ));
    }
    out
}

fn run(cases: &[(&str, Seen, Category)], want: bool) {
    let rules = Fingerprints::builtin().unwrap();
    let mut failures = Vec::new();
    for (about, seen, category) in cases {
        let id = identify(&device(seen), &rules);
        if (id.category == *category) != want {
            let verb = if want { "should be" } else { "must not be" };
            failures.push(format!("{about}: {verb} {category:?}\n{}", explain(&id)));
        }
        if id.category == Category::Unknown {
            assert_eq!(id.confidence, 0, "{about}");
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const ESPRESSIF: &str = "24:0a:c4:11:22:33";
const TUYA: &str = "fc:67:1f:11:22:33";
const NEST_LABS: &str = "18:b4:30:11:22:33";
const TESLA: &str = "98:ed:5c:11:22:33";
const TP_LINK: &str = "50:c7:bf:11:22:33";
const APPLE: &str = "f8:ff:c2:11:22:33";
const RASPBERRY_PI: &str = "dc:a6:32:11:22:33";
const EERO: &str = "f8:bc:0e:11:22:33";
const VIZIO: &str = "f0:4f:e0:11:22:33";
const BOSE: &str = "e4:58:bc:11:22:33";
const SMARTTHINGS: &str = "24:fd:5b:11:22:33";
const NUKI: &str = "54:d2:72:11:22:33";
const CHAMBERLAIN: &str = "64:52:99:11:22:33";
const SIMPLISAFE: &str = "f8:51:28:11:22:33";
const SOLAREDGE: &str = "84:d6:c5:11:22:33";
const AUGUST: &str = "78:9c:85:11:22:33";

fn s() -> Seen {
    Seen::default()
}

#[test]
fn each_family_is_named_as_its_kind() {
    let cases: Vec<(&str, Seen, Category)> = vec![
        (
            "eero mesh router by name and address",
            Seen {
                mac: Some(EERO),
                names: &["eero-living-room"],
                ..s()
            },
            Category::Router,
        ),
        (
            "Nest camera by name beside a Nest Labs address",
            Seen {
                mac: Some(NEST_LABS),
                names: &["Nest-Cam-Garden"],
                ..s()
            },
            Category::Camera,
        ),
        (
            "Nest doorbell by name beside a Nest Labs address",
            Seen {
                mac: Some(NEST_LABS),
                names: &["Nest-Doorbell-Front"],
                ..s()
            },
            Category::Doorbell,
        ),
        (
            "Tesla Wall Connector by its default host name and Tesla's address",
            Seen {
                mac: Some(TESLA),
                names: &["teslawallconnector_112233"],
                ports: &[80],
                ..s()
            },
            Category::Energy,
        ),
        (
            "eufy camera by name and RTSP",
            Seen {
                names: &["eufyCam-2C"],
                ports: &[554],
                ..s()
            },
            Category::Camera,
        ),
        (
            "Tapo camera by default name, RTSP and a TP-Link address",
            Seen {
                mac: Some(TP_LINK),
                names: &["Tapo_C200_4F1A"],
                ports: &[554, 443],
                ..s()
            },
            Category::Camera,
        ),
        (
            "Tapo plug by default name and a TP-Link address",
            Seen {
                mac: Some(TP_LINK),
                names: &["Tapo_P100_9A3C"],
                ..s()
            },
            Category::Plug,
        ),
        (
            "Vizio TV announcing Cast with its model",
            Seen {
                mac: Some(VIZIO),
                mdns: &[("_googlecast._tcp", &[("md", "VIZIO M55Q7-J01")])],
                ports: &[8008, 8009],
                ..s()
            },
            Category::Tv,
        ),
        (
            "Vizio TV by its UPnP maker",
            Seen {
                upnp: &[(
                    "urn:dial-multiscreen-org:device:dial:1",
                    "VIZIO",
                    "P65Q9-J01",
                )],
                ..s()
            },
            Category::Tv,
        ),
        (
            "Bose SoundTouch speaker",
            Seen {
                mac: Some(BOSE),
                mdns: &[("_soundtouch._tcp", &[])],
                ..s()
            },
            Category::Speaker,
        ),
        (
            "Bose speaker by its UPnP maker",
            Seen {
                upnp: &[(
                    "urn:schemas-upnp-org:device:MediaRenderer:1",
                    "Bose Corporation",
                    "Bose Smart Speaker 500",
                )],
                ..s()
            },
            Category::Speaker,
        ),
        (
            "SmartThings hub by name and address",
            Seen {
                mac: Some(SMARTTHINGS),
                names: &["SmartThings-Hub-v3"],
                ..s()
            },
            Category::Hub,
        ),
        (
            "HomeKit door lock",
            Seen {
                mdns: &[("_hap._tcp", &[("ci", "6")])],
                ..s()
            },
            Category::Lock,
        ),
        (
            "HomeKit alarm",
            Seen {
                mdns: &[("_hap._udp", &[("ci", "11")])],
                ..s()
            },
            Category::Lock,
        ),
        (
            "Nuki bridge",
            Seen {
                mac: Some(NUKI),
                names: &["nuki_bridge_1A2B3C"],
                ..s()
            },
            Category::Lock,
        ),
        (
            "myQ garage hub",
            Seen {
                mac: Some(CHAMBERLAIN),
                names: &["myq-112233"],
                ..s()
            },
            Category::Lock,
        ),
        (
            "SimpliSafe base station",
            Seen {
                mac: Some(SIMPLISAFE),
                names: &["SimpliSafe-Base"],
                ..s()
            },
            Category::Lock,
        ),
        (
            "Enphase Envoy",
            Seen {
                mdns: &[("_enphase-envoy._tcp", &[("serialnum", "1222")])],
                ..s()
            },
            Category::Energy,
        ),
        (
            "SolarEdge inverter by name and address",
            Seen {
                mac: Some(SOLAREDGE),
                names: &["SE-Inverter-7E21"],
                ..s()
            },
            Category::Energy,
        ),
        (
            "Espressif board with ESPHome",
            Seen {
                mac: Some(ESPRESSIF),
                mdns: &[("_esphomelib._tcp", &[])],
                ..s()
            },
            Category::Plug,
        ),
        (
            "Espressif camera streaming RTSP",
            Seen {
                mac: Some(ESPRESSIF),
                ports: &[554],
                ..s()
            },
            Category::Camera,
        ),
        (
            "baby monitor by name and RTSP",
            Seen {
                names: &["BabyMonitor-01"],
                ports: &[80, 554],
                ..s()
            },
            Category::BabyMonitor,
        ),
        (
            "Owlet camera by name and RTSP",
            Seen {
                names: &["Owlet-Cam-2"],
                ports: &[554],
                ..s()
            },
            Category::BabyMonitor,
        ),
        (
            "network printer announcing IPP beside JetDirect",
            Seen {
                mdns: &[("_ipp._tcp", &[("ty", "Brother HL-L2350DW")])],
                ports: &[631, 9100],
                ..s()
            },
            Category::Printer,
        ),
        (
            "Synology NAS by its admin ports and file sharing",
            Seen {
                mdns: &[("_smb._tcp", &[])],
                ports: &[445, 5000, 5001],
                ..s()
            },
            Category::Nas,
        ),
    ];
    run(&cases, true);
}

#[test]
fn look_alikes_are_not_named_as_the_family() {
    let cases: Vec<(&str, Seen, Category)> = vec![
        (
            "an Espressif address alone is in plugs, cameras, locks and chargers",
            Seen {
                mac: Some(ESPRESSIF),
                ..s()
            },
            Category::Plug,
        ),
        (
            "an Espressif address beside port 49153 is still no plug",
            Seen {
                mac: Some(ESPRESSIF),
                ports: &[49153],
                ..s()
            },
            Category::Plug,
        ),
        (
            "port 49153 alone is any UPnP device",
            Seen {
                ports: &[49153],
                ..s()
            },
            Category::Plug,
        ),
        (
            "a Tuya address alone",
            Seen {
                mac: Some(TUYA),
                ..s()
            },
            Category::Plug,
        ),
        (
            "an Espressif camera is not a plug",
            Seen {
                mac: Some(ESPRESSIF),
                ports: &[554],
                ..s()
            },
            Category::Plug,
        ),
        (
            "a Nest Labs address alone is no thermostat (cameras and doorbells share it)",
            Seen {
                mac: Some(NEST_LABS),
                ..s()
            },
            Category::Thermostat,
        ),
        (
            "a Nest camera is no thermostat",
            Seen {
                mac: Some(NEST_LABS),
                names: &["Nest-Cam-Garden"],
                ..s()
            },
            Category::Thermostat,
        ),
        (
            "a Tesla address alone may be a car",
            Seen {
                mac: Some(TESLA),
                ..s()
            },
            Category::Energy,
        ),
        (
            "9100 alone is also node_exporter",
            Seen {
                ports: &[9100],
                ..s()
            },
            Category::Printer,
        ),
        (
            "node_exporter on a Raspberry Pi with SSH",
            Seen {
                mac: Some(RASPBERRY_PI),
                names: &["pi-monitor"],
                ports: &[22, 9100],
                ..s()
            },
            Category::Printer,
        ),
        (
            "CUPS on a Linux computer",
            Seen {
                mdns: &[("_workstation._tcp", &[]), ("_ssh._tcp", &[])],
                ports: &[22, 631],
                ..s()
            },
            Category::Printer,
        ),
        (
            "8554 alone is also go2rtc",
            Seen {
                ports: &[8554],
                ..s()
            },
            Category::Camera,
        ),
        (
            "a Frigate server (RTSP restream, web UI, MQTT)",
            Seen {
                mac: Some(RASPBERRY_PI),
                ports: &[22, 1883, 5000, 8554],
                ..s()
            },
            Category::Camera,
        ),
        (
            "a Mac with File Sharing and AirPlay",
            Seen {
                mac: Some(APPLE),
                names: &["Studio.local"],
                mdns: &[
                    ("_smb._tcp", &[]),
                    ("_airplay._tcp", &[("features", "0x4A7FDFD5,0xBC177FDE")]),
                    ("_raop._tcp", &[]),
                    ("_companion-link._tcp", &[]),
                ],
                ports: &[445, 5000],
                ..s()
            },
            Category::Nas,
        ),
        (
            "a Mac with File Sharing and AirPlay (no companion link announced)",
            Seen {
                mac: Some(APPLE),
                mdns: &[("_smb._tcp", &[]), ("_airplay._tcp", &[])],
                ports: &[445, 5000],
                ..s()
            },
            Category::Nas,
        ),
        (
            "an RTSP port alone is no baby monitor",
            Seen {
                ports: &[554],
                ..s()
            },
            Category::BabyMonitor,
        ),
        (
            "an August address alone (locks are also sold as bridges and keypads)",
            Seen {
                mac: Some(AUGUST),
                ..s()
            },
            Category::Lock,
        ),
        (
            "a bare Cast receiver is not sure enough to be a TV",
            Seen {
                mdns: &[("_googlecast._tcp", &[])],
                ..s()
            },
            Category::Tv,
        ),
        (
            "a Raspberry Pi with only an MQTT port is no hub by port alone",
            Seen {
                mac: Some(RASPBERRY_PI),
                ports: &[22, 1883],
                ..s()
            },
            Category::Hub,
        ),
    ];
    run(&cases, false);
}

#[test]
fn the_mac_look_alike_is_named_a_computer() {
    let rules = Fingerprints::builtin().unwrap();
    let mac = Seen {
        mac: Some(APPLE),
        mdns: &[
            ("_smb._tcp", &[]),
            ("_airplay._tcp", &[]),
            ("_raop._tcp", &[]),
            ("_companion-link._tcp", &[]),
        ],
        ports: &[445, 5000],
        ..s()
    };
    let id = identify(&device(&mac), &rules);
    assert_eq!(id.category, Category::Computer, "{}", explain(&id));
}
