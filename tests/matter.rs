//! The Matter pairing check against adverts on loopback, as devices really send them: a window
//! opened on the device (`CM=1`) fails, a device in extended discovery after its window closed
//! (`CM=0`) passes, and a device that announces only IPv6 addresses (Matter is an IPv6 protocol)
//! is still recognised by its host name.
//!
//! Traffic stays on loopback, on mDNS ports of the test's own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::time::Duration;

use common::checks::{LOCALHOST, assert_verdict};
use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};
use porchlight::checks::{CheckLimits, Context, Endpoints, Target, Verdict, matter};

fn advertiser(port: u16, host: &str, address: &str, cm: &str) -> ServiceDaemon {
    let daemon = ServiceDaemon::new_with_port(port).unwrap();
    daemon.disable_interface(IfKind::All).unwrap();
    daemon.enable_interface(IfKind::LoopbackV4).unwrap();
    let _ = daemon.enable_interface(IfKind::LoopbackV6);
    let info = ServiceInfo::new(
        "_matterc._udp.local.",
        "5C1A9E3B2D4F6071",
        host,
        address,
        5540,
        &[("D", "3840"), ("CM", cm), ("VP", "4874+77")][..],
    )
    .unwrap();
    daemon.register(info).unwrap();
    daemon
}

fn listening_on(port: u16) -> Context {
    Context {
        limits: CheckLimits {
            connect_timeout: Duration::from_millis(500),
            mdns_window: Duration::from_secs(3),
            ..CheckLimits::default()
        },
        endpoints: Endpoints {
            mdns_port: port,
            mdns_loopback_only: true,
            ..Endpoints::default()
        },
        ..Context::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_opened_on_the_device_fails_and_extended_discovery_passes() {
    let open = advertiser(5471, "matter-plug.local.", "127.0.0.1", "1");
    let r = matter::commissioning_closed(&Target::new(LOCALHOST), &listening_on(5471)).await;
    assert_verdict(
        &r,
        Verdict::Fail,
        &["open for Matter pairing", "5C1A9E3B2D4F6071", "CM=1"],
    );
    let _ = open.shutdown();

    let closed = advertiser(5472, "matter-plug.local.", "127.0.0.1", "0");
    let r = matter::commissioning_closed(&Target::new(LOCALHOST), &listening_on(5472)).await;
    assert_verdict(
        &r,
        Verdict::Pass,
        &[
            "announces itself as a Matter device",
            "CM=0, so no pairing window is open",
        ],
    );
    let _ = closed.shutdown();
}

/// A DNS name in wire form (no compression).
fn name(out: &mut Vec<u8>, dotted: &str) {
    for label in dotted.trim_end_matches('.').split('.') {
        out.push(u8::try_from(label.len()).unwrap());
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

fn record(out: &mut Vec<u8>, owner: &str, kind: u16, data: &[u8]) {
    name(out, owner);
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&0x8001u16.to_be_bytes()); // IN, cache flush
    out.extend_from_slice(&120u32.to_be_bytes());
    out.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(data);
}

/// The mDNS answer a Matter device on Wi-Fi sends when only its IPv6 stack announces: PTR, SRV,
/// TXT and one AAAA record, no A record (as captured from Matter devices; Matter Core
/// Specification 4.3.1: "_matterc._udp", host named after the hardware address).
fn ipv6_only_answer(host: &str, v6: std::net::Ipv6Addr, cm: &str) -> Vec<u8> {
    let instance = "9F3A0C2B7E1D4A55._matterc._udp.local.";
    let mut p = vec![0, 0, 0x84, 0, 0, 0, 0, 4, 0, 0, 0, 0];
    let mut ptr = Vec::new();
    name(&mut ptr, instance);
    record(&mut p, "_matterc._udp.local.", 12, &ptr);
    let mut srv = vec![0, 0, 0, 0, 0x15, 0xa4]; // priority, weight, port 5540
    name(&mut srv, host);
    record(&mut p, instance, 33, &srv);
    let mut txt = Vec::new();
    for entry in [
        "D=3840".to_string(),
        format!("CM={cm}"),
        "VP=4447+8194".into(),
    ] {
        txt.push(u8::try_from(entry.len()).unwrap());
        txt.extend_from_slice(entry.as_bytes());
    }
    record(&mut p, instance, 16, &txt);
    record(&mut p, host, 28, &v6.octets());
    p
}

/// Sends `packet` to the mDNS listener on loopback at `port`, every 200 ms for `secs` seconds.
fn announce(port: u16, packet: Vec<u8>, secs: u64) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        // Straight to the listener's port on loopback (the group's traffic reaches it there).
        let socket = std::net::UdpSocket::bind((LOCALHOST, 0)).unwrap();
        for _ in 0..secs * 5 {
            let _ = socket.send_to(&packet, (LOCALHOST, port));
            std::thread::sleep(Duration::from_millis(200));
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_announcing_only_ipv6_is_recognised() {
    // Its host name is its hardware address, as Matter names Wi-Fi devices.
    let mac = porchlight::model::MacAddr([0xb0, 0xc7, 0xde, 0x1a, 0x2b, 0x3c]);
    let v6: std::net::Ipv6Addr = "fd00::1234".parse().unwrap();
    let sender = announce(5474, ipv6_only_answer("B0C7DE1A2B3C.local.", v6, "1"), 4);
    let mut target = Target::new(LOCALHOST);
    target.mac = Some(mac);
    let r = matter::commissioning_closed(&target, &listening_on(5474)).await;
    assert_verdict(&r, Verdict::Fail, &["open for Matter pairing", "CM=1"]);
    sender.join().unwrap();

    // The same IPv6-only advert, matched by an address formed from the hardware address, but
    // in extended discovery (CM=0): closed.
    let eui: std::net::Ipv6Addr = "fe80::b2c7:deff:fe1a:2b3c".parse().unwrap();
    let sender = announce(5475, ipv6_only_answer("matter-bulb.local.", eui, "0"), 4);
    let r = matter::commissioning_closed(&target, &listening_on(5475)).await;
    assert_verdict(
        &r,
        Verdict::Pass,
        &["announces itself as a Matter device", "CM=0"],
    );
    // Another device hears the same advert and does not take it for its own.
    let stranger = Target::new(LOCALHOST);
    let r = matter::commissioning_closed(&stranger, &listening_on(5475)).await;
    assert_verdict(&r, Verdict::Pass, &["did not announce Matter pairing"]);
    sender.join().unwrap();
}
