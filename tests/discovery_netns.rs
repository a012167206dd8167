//! Discovery you can trust, in the test home (network namespaces with real daemons, see
//! `tests/netns`): hosts that left are not devices, one box on several addresses is one record
//! over many scans, every mDNS service is found in every scan, an SSDP flooder does not hide a
//! real device, a software author in a UPnP description does not replace the hardware maker, and
//! the router's UPnP description is read (and names it) with 250 hosts up.
//! Skipped (saying why) without root, never under CI=true.
#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod netns;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use netns::TestHome;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_porchlight");

/// A MiniDLNA root description, as MiniDLNA 1.3 serves it (its author as the manufacturer).
const MINIDLNA_XML: &str = r#"<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>
<friendlyName>DiskStation: minidlna</friendlyName>
<manufacturer>Justin Maggard</manufacturer>
<manufacturerURL>http://www.netgear.com/</manufacturerURL>
<modelDescription>MiniDLNA on Linux</modelDescription>
<modelName>Windows Media Connect compatible (MiniDLNA)</modelName>
<modelNumber>1</modelNumber>
<serialNumber>00000000</serialNumber>
<UDN>uuid:4d696e69-444c-164e-9d41-001132a5b6c7</UDN>
<serviceList>
<service><serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType>
<serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId><controlURL>/ctl/ContentDir</controlURL>
<eventSubURL>/evt/ContentDir</eventSubURL><SCPDURL>/ContentDir.xml</SCPDURL></service>
</serviceList>
</device>
</root>
"#;

fn devices(json: &Value) -> &Vec<Value> {
    json["devices"]
        .as_array()
        .unwrap_or_else(|| panic!("no devices: {json}"))
}

fn ips(json: &Value) -> BTreeSet<Ipv4Addr> {
    devices(json)
        .iter()
        .map(|d| d["ip"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn host(json: &Value, ip: Ipv4Addr) -> Option<&Value> {
    devices(json)
        .iter()
        .find(|d| d["ip"] == ip.to_string().as_str())
}

/// The saved inventory of the home's scans.
fn inventory(home: &TestHome) -> porchlight::model::Inventory {
    porchlight::store::read_inventory(&home.dir().join("porchlight-data")).unwrap()
}

#[test]
fn hosts_that_left_are_not_devices() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build();
    let plug = home.device("plug").clone();
    let ip = |n: u8| Ipv4Addr::new(10, 77, home.net, n);
    // Forty visitors join (extra addresses on the plug's interface) and are found.
    let visitors: Vec<Ipv4Addr> = (100..140).map(ip).collect();
    let add: String = visitors
        .iter()
        .map(|a| format!("ip addr add {a}/24 dev eth0\n"))
        .collect();
    home.sh(&plug.ns, &format!("set -e\n{add}"));
    let (first, stderr) = home.scan_json(BIN, &[]);
    let mut expected: BTreeSet<Ipv4Addr> = home.live_hosts().into_iter().collect();
    expected.extend(&visitors);
    assert_eq!(ips(&first), expected, "first scan\n{stderr}");

    // They go home. The scanner's neighbour table still lists them (REACHABLE for a while, then
    // STALE), and also a hundred older entries of hosts long gone.
    let del: String = visitors
        .iter()
        .map(|a| format!("ip addr del {a}/24 dev eth0\n"))
        .collect();
    home.sh(&plug.ns, &format!("set -e\n{del}"));
    let stale: String = (150..250u8)
        .map(|n| {
            format!(
                "ip neigh replace {} lladdr 02:aa:00:00:00:{n:02x} dev scan0 nud stale\n",
                ip(n)
            )
        })
        .collect();
    home.sh(&home.scanner_ns, &format!("set -e\n{stale}"));
    let table = home
        .in_scanner("ip")
        .args(["-4", "neigh", "show"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    assert!(table.contains(&format!("{} ", visitors[0])), "{table}");

    let (second, stderr) = home.scan_json(BIN, &[]);
    let live: BTreeSet<Ipv4Addr> = home.live_hosts().into_iter().collect();
    assert_eq!(
        ips(&second),
        live,
        "exactly the live hosts\n{stderr}\n{table}"
    );
    assert!(
        stderr.contains("did not answer in this scan")
            || second.to_string().contains("did not answer in this scan"),
        "the owner is told entries were left out\n{stderr}"
    );
    // And the inventory marks none of them as seen in the second scan.
    let inv = inventory(&home);
    let last = inv.devices.iter().map(|d| d.last_seen).max().unwrap();
    for d in &inv.devices {
        if d.last_seen == last {
            let ip = d.ip.unwrap();
            assert!(live.contains(&ip), "{ip} marked online");
        }
    }
}

#[test]
fn one_box_on_three_addresses_is_one_record_over_three_scans() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build_with(|net| {
        let mut devices = netns::standard_devices(net);
        let plug = devices.iter_mut().find(|d| d.name == "plug").unwrap();
        plug.extra_ips = vec![
            Ipv4Addr::new(10, 77, net, 30),
            Ipv4Addr::new(10, 77, net, 31),
        ];
        devices
    });
    let plug = home.device("plug").clone();
    let mac: porchlight::model::MacAddr = plug.mac.parse().unwrap();
    for n in 1..=3 {
        let (json, stderr) = home.scan_json(BIN, &[]);
        for a in plug.addresses() {
            assert!(host(&json, a).is_some(), "scan {n}: {a} missing\n{stderr}");
        }
        let inv = inventory(&home);
        let records: Vec<_> = inv.devices.iter().filter(|d| d.mac == Some(mac)).collect();
        assert_eq!(records.len(), 1, "scan {n}: {records:#?}");
        let mut all: Vec<Ipv4Addr> = records[0]
            .ip
            .into_iter()
            .chain(records[0].evidence.other_ips.iter().copied())
            .collect();
        all.sort();
        assert_eq!(
            all,
            plug.addresses(),
            "scan {n}: every address on the one record"
        );
        // One record per box: as many records as hardware addresses in the home, none without
        // both an address and a hardware address.
        assert_eq!(
            inv.devices.len(),
            home.devices.len(),
            "scan {n}: {:#?}",
            inv.devices
        );
        assert!(
            inv.devices
                .iter()
                .all(|d| d.ip.is_some() && d.mac.is_some()),
            "scan {n}"
        );
    }
}

#[test]
fn every_mdns_service_is_found_in_every_scan() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build();
    let mut announced = BTreeSet::new();
    for d in &home.devices {
        for s in &d.services {
            announced.insert((d.ip, s.service_type.to_string(), s.instance.to_string()));
        }
    }
    const SCANS: usize = 10;
    let started = Instant::now();
    for n in 1..=SCANS {
        let (json, stderr) = home.scan_json(BIN, &[]);
        let mut found = BTreeSet::new();
        for d in devices(&json) {
            let ip: Ipv4Addr = d["ip"].as_str().unwrap().parse().unwrap();
            for m in d["mdns"].as_array().into_iter().flatten() {
                found.insert((
                    ip,
                    m["type"].as_str().unwrap().to_string(),
                    m["instance"].as_str().unwrap().to_string(),
                ));
            }
        }
        let missing: Vec<_> = announced.difference(&found).collect();
        assert!(
            missing.is_empty(),
            "scan {n} of {SCANS} missed {missing:?}\n{stderr}"
        );
    }
    eprintln!(
        "{SCANS} scans, every mDNS service each time, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn an_ssdp_flooder_does_not_hide_the_router_and_minidlna_does_not_replace_synology() {
    if !netns::require_root() {
        return;
    }
    let mut home = TestHome::build();
    // The plug floods: 2,000 replies to every search. The NAS (a Synology hardware address) runs
    // MiniDLNA, whose description names MiniDLNA's author as the manufacturer.
    let flooder_xml = MINIDLNA_XML.replace(
        "4d696e69-444c-164e-9d41-001132a5b6c7",
        "f100d000-0000-4000-8000-000000000000",
    );
    home.start_ssdp_device("plug", 8200, &flooder_xml, 2000);
    home.start_ssdp_device("nas", 8200, MINIDLNA_XML, 1);
    let (json, stderr) = home.scan_json(BIN, &[]);
    let router = host(&json, home.gateway()).unwrap_or_else(|| panic!("no router\n{stderr}"));
    assert_eq!(
        router["upnp"]["friendly_name"], "Porchlight Test Router",
        "the router is found and described beside the flood\n{router:#}\n{stderr}"
    );
    let plug = host(&json, home.device("plug").ip).unwrap();
    assert!(
        plug["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "ssdp"),
        "{plug:#}"
    );
    let nas = host(&json, home.device("nas").ip).unwrap();
    assert_eq!(
        nas["upnp"]["manufacturer"], "Justin Maggard",
        "{nas:#}\n{stderr}"
    );
    assert_eq!(nas["identity"]["vendor"], "Synology", "{nas:#}");
    assert_eq!(nas["identity"]["category"], "nas", "{nas:#}");
    assert!(
        nas["identity"].get("model").is_none(),
        "MiniDLNA's model is not the box's: {nas:#}"
    );
}

#[test]
fn ipv6_addresses_come_with_the_device_and_a_global_one_is_flagged() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build();
    let nas = home.device("nas").clone();
    // IPv6 on for the scanner and the NAS (the home keeps it off elsewhere), with global addresses
    // from the documentation prefix.
    let v6_on = |iface: &str, global: &str| {
        format!(
            "set -e\n\
             sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0\n\
             sysctl -qw net.ipv6.conf.{iface}.accept_dad=0\n\
             sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0\n\
             sysctl -qw net.ipv6.conf.{iface}.disable_ipv6=0\n\
             ip -6 addr add {global}/64 dev {iface} nodad\n"
        )
    };
    home.sh(&home.scanner_ns, &v6_on("scan0", "2001:db8:77::2"));
    home.sh(&nas.ns, &v6_on("eth0", "2001:db8:77::13"));
    std::thread::sleep(Duration::from_millis(300));
    let (json, stderr) = home.scan_json(BIN, &[]);
    let found = host(&json, nas.ip).unwrap_or_else(|| panic!("no NAS\n{stderr}"));
    let shown = |args: &[&str]| {
        let out = home.in_scanner("ip").args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stderr = format!(
        "{stderr}\nscanner's IPv6 table:\n{}\nscanner's IPv6 addresses:\n{}",
        shown(&["-6", "neigh", "show"]),
        shown(&["-6", "addr", "show"])
    );
    let v6: Vec<&str> = found["ipv6"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        v6.iter().any(|a| a.starts_with("fe80::")),
        "link-local of the NAS: {found:#}\n{stderr}"
    );
    assert!(
        v6.contains(&"2001:db8:77::13"),
        "global address of the NAS: {found:#}\n{stderr}"
    );
    let all = format!("{json}\n{stderr}");
    assert!(
        all.contains("2001:db8:77::13: it can be reached from the internet"),
        "{all}"
    );
    assert!(all.contains("RT-15"), "{all}");
    // Devices without IPv6 get none.
    let plug = host(&json, home.device("plug").ip).unwrap();
    assert!(plug.get("ipv6").is_none(), "{plug:#}");
    // The inventory keeps them.
    let inv = inventory(&home);
    let mac: porchlight::model::MacAddr = nas.mac.parse().unwrap();
    let record = inv.devices.iter().find(|d| d.mac == Some(mac)).unwrap();
    assert!(
        record
            .evidence
            .ipv6
            .contains(&"2001:db8:77::13".parse().unwrap())
    );
}

/// A crowd home whose router runs miniupnpd: the standard home's router at `.1` beside `crowd`
/// live addresses from `.3` on.
fn crowd_with_upnp_router(net: u8, crowd: u8) -> Vec<netns::Device> {
    let mut devices = netns::crowd_devices(net, crowd);
    devices[0] = netns::standard_devices(net).remove(0);
    devices
}

#[test]
fn the_router_description_is_read_with_250_hosts_up_in_every_scan() {
    if !netns::require_root() {
        return;
    }
    let home = TestHome::build_with(|net| crowd_with_upnp_router(net, 250));
    let upnp = home.device("router").upnp.clone().unwrap();
    for run in 1..=3 {
        let (json, stderr) = home.scan_json(BIN, &[]);
        let missing: Vec<Ipv4Addr> = home
            .live_hosts()
            .into_iter()
            .filter(|a| !ips(&json).contains(a))
            .collect();
        assert!(
            missing.is_empty(),
            "scan {run}: the router and 250 hosts answer, missing {missing:?}\n{stderr}"
        );
        let router = host(&json, home.gateway())
            .unwrap_or_else(|| panic!("scan {run}: no router\n{stderr}"));
        assert_eq!(
            router["upnp"]["friendly_name"], upnp.friendly_name,
            "scan {run}: the router's description is read\n{router:#}\n{stderr}"
        );
        assert_eq!(
            router["upnp"]["model_name"], upnp.model_name,
            "scan {run}\n{router:#}"
        );
        let name = router["identity"]["name"].as_str().unwrap_or_default();
        assert_eq!(
            name, upnp.friendly_name,
            "scan {run}: the router is named from its description\n{router:#}"
        );
        assert!(
            !name.contains("MiniUPnPd") && !name.contains("UPnP/"),
            "scan {run}: never its SERVER header: {name}"
        );
    }
}
