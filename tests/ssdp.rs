//! SSDP search and UPnP descriptions: parsing captures written the way real devices send them
//! (tests/fixtures/ssdp/), and `discover` against responders and description servers on loopback,
//! friendly and hostile. Every `discover` run must end within `wait + fetch timeout + 2 s`.
//!
//! Traffic stays on 127.0.0.0/8 (distinct loopback addresses stand for distinct devices), except
//! the no-network test, which runs inside a network namespace of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use porchlight::discovery::http::Limits;
use porchlight::discovery::ssdp::{
    self, MAX_DEVICE_DEPTH, MAX_EMBEDDED_DEVICES, MAX_LOCATIONS_PER_HOST, MAX_TYPES_PER_HOST,
    ReplyKind, SsdpOptions, parse_description, parse_reply,
};
use porchlight::discovery::{DiscoveryEvent, EventSink, Sighting, Source, UpnpInfo};
use porchlight::model::ServiceSource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ssdp")
        .join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// `reply` with its LOCATION header replaced by `location`.
fn with_location(reply: &[u8], location: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(reply);
    let mut out = String::new();
    for line in text.split_inclusive("\r\n") {
        if line.to_ascii_lowercase().starts_with("location:") {
            out.push_str(&format!("LOCATION: {location}\r\n"));
        } else {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// Loopback address `n` (127.0.0.n), standing for one device.
fn lo(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, n)
}

/// A UDP responder on 127.0.0.1: answers every M-SEARCH with `replies`, each sent from the given
/// loopback address, `repeat` times over.
struct Responder {
    addr: SocketAddrV4,
    searches: Arc<AtomicUsize>,
}

async fn start_responder(replies: Vec<(Ipv4Addr, Vec<u8>)>, repeat: usize) -> Responder {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let SocketAddr::V4(addr) = socket.local_addr().unwrap() else {
        unreachable!()
    };
    let mut senders: HashMap<Ipv4Addr, UdpSocket> = HashMap::new();
    for (ip, _) in &replies {
        if *ip != Ipv4Addr::LOCALHOST && !senders.contains_key(ip) {
            senders.insert(*ip, UdpSocket::bind((*ip, 0)).await.unwrap());
        }
    }
    let searches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&searches);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            if !buf[..n].starts_with(b"M-SEARCH * HTTP/1.1\r\n") {
                continue;
            }
            counter.fetch_add(1, Ordering::SeqCst);
            for _ in 0..repeat {
                for (ip, datagram) in &replies {
                    let sender = senders.get(ip).unwrap_or(&socket);
                    let _ = sender.send_to(datagram, from).await;
                }
            }
        }
    });
    Responder { addr, searches }
}

/// How a test HTTP server answers.
#[derive(Clone)]
enum Behaviour {
    /// 200 with this body.
    Serve(Vec<u8>),
    /// Accepts and never says anything.
    Silent,
    /// Announces and streams 512 MiB.
    Endless,
}

/// A description server on `ip`; returns its address and a count of the connections it took.
async fn http_server(ip: Ipv4Addr, behaviour: Behaviour) -> (SocketAddrV4, Arc<AtomicUsize>) {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let behaviour = behaviour.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                match behaviour {
                    Behaviour::Serve(body) => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(head.as_bytes()).await;
                        let _ = stream.write_all(&body).await;
                    }
                    Behaviour::Silent => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    Behaviour::Endless => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 536870912\r\n\r\n<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><!--";
                        if stream.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let block = vec![b'x'; 64 * 1024];
                        for _ in 0..(512 * 16) {
                            if stream.write_all(&block).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    (addr, connections)
}

/// Options for a search of the responder at `target`, sent from 127.0.0.1.
fn options(target: SocketAddrV4) -> SsdpOptions {
    let mut opts = SsdpOptions::new(Ipv4Addr::LOCALHOST);
    opts.target = target;
    opts.wait = Duration::from_millis(400);
    opts.fetch = Limits {
        timeout: Duration::from_millis(800),
        max_bytes: 256 * 1024,
    };
    opts
}

/// Runs `discover`, asserting it ends within `wait + fetch timeout + 2 s`; returns its result, all
/// the events it sent and how long it took.
async fn run(opts: &SsdpOptions) -> (Result<usize, String>, Vec<DiscoveryEvent>, Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink = EventSink::new(tx);
    let bound = opts.wait + opts.fetch.timeout + Duration::from_secs(2);
    let started = Instant::now();
    let result = tokio::time::timeout(bound, ssdp::discover(opts, &sink))
        .await
        .unwrap_or_else(|_| panic!("discover did not end within {bound:?}"));
    let elapsed = started.elapsed();
    drop(sink);
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    (result, events, elapsed)
}

fn sightings(events: &[DiscoveryEvent]) -> Vec<&Sighting> {
    events
        .iter()
        .filter_map(|e| match e {
            DiscoveryEvent::Sighting(s) => Some(s.as_ref()),
            _ => None,
        })
        .collect()
}

fn notes_of(events: &[DiscoveryEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            DiscoveryEvent::Note { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

/// The UPnP description reported for `ip`, and its position among the events.
fn upnp_of(events: &[DiscoveryEvent], ip: Ipv4Addr) -> Option<(usize, &UpnpInfo)> {
    events.iter().enumerate().find_map(|(i, e)| match e {
        DiscoveryEvent::Sighting(s) if s.ip == ip => s.upnp.as_ref().map(|u| (i, u)),
        _ => None,
    })
}

/// Position of the first sighting of `ip` without a description.
fn early_sighting_of(events: &[DiscoveryEvent], ip: Ipv4Addr) -> Option<usize> {
    events
        .iter()
        .position(|e| matches!(e, DiscoveryEvent::Sighting(s) if s.ip == ip && s.upnp.is_none()))
}

// ---------------------------------------------------------------------------------------------
// Parsing captures

#[test]
fn search_responses_from_real_devices_parse() {
    let igd = parse_reply(&fixture("miniupnpd-igd.reply")).unwrap();
    assert_eq!(igd.kind, ReplyKind::Response);
    assert_eq!(
        igd.location.as_deref(),
        Some("http://192.168.1.1:5000/rootDesc.xml")
    );
    assert_eq!(
        igd.search_target.as_deref(),
        Some("urn:schemas-upnp-org:device:InternetGatewayDevice:1")
    );
    assert_eq!(
        igd.server.as_deref(),
        Some("OpenWrt/23.05.3 UPnP/1.1 MiniUPnPd/2.3.3")
    );
    assert_eq!(igd.udn(), Some("uuid:a1b2c3d4-5e6f-4a0b-8c1d-2e3f4a5b6c7d"));

    let sonos = parse_reply(&fixture("sonos-zoneplayer.reply")).unwrap();
    // LOCATION.SMARTSPEAKER.AUDIO and SECURELOCATION.UPNP.ORG must not be taken for LOCATION.
    assert_eq!(
        sonos.location.as_deref(),
        Some("http://192.168.1.31:1400/xml/device_description.xml")
    );
    assert_eq!(
        sonos.search_target.as_deref(),
        Some("urn:schemas-upnp-org:device:ZonePlayer:1")
    );
    assert_eq!(sonos.udn(), Some("uuid:RINCON_48A6B8E2F3C401400"));

    let tv = parse_reply(&fixture("samsung-tv-dmr.reply")).unwrap();
    assert_eq!(tv.location.as_deref(), Some("http://192.168.1.42:9197/dmr"));
    assert_eq!(
        tv.server.as_deref(),
        Some("SHP, UPnP/1.0, Samsung UPnP SDK/1.0")
    );

    let hue = parse_reply(&fixture("hue-bridge.reply")).unwrap();
    assert_eq!(hue.search_target.as_deref(), Some("upnp:rootdevice"));
    assert_eq!(
        hue.location.as_deref(),
        Some("http://192.168.1.50:80/description.xml")
    );

    let nas = parse_reply(&fixture("synology-nas.reply")).unwrap();
    assert_eq!(nas.server.as_deref(), Some("Synology/DSM/192.168.1.20"));
    assert_eq!(
        nas.usn.as_deref(),
        Some("uuid:73796E6F-6473-6D00-0000-0011327a1b2c::upnp:rootdevice")
    );

    // Roku writes its headers in mixed case.
    let roku = parse_reply(&fixture("roku.reply")).unwrap();
    assert_eq!(roku.search_target.as_deref(), Some("roku:ecp"));
    assert_eq!(roku.location.as_deref(), Some("http://192.168.1.134:8060/"));
    assert_eq!(
        roku.server.as_deref(),
        Some("Roku/12.5.5 UPnP/1.0 Roku/12.5.5")
    );
    assert_eq!(roku.udn(), Some("uuid:roku:ecp:X00400ABCDEF"));
}

#[test]
fn announcements_parse_with_their_kind() {
    let alive = parse_reply(&fixture("hue-bridge-alive.notify")).unwrap();
    assert_eq!(alive.kind, ReplyKind::Alive);
    assert_eq!(
        alive.search_target.as_deref(),
        Some("uuid:2f402f80-da50-11e1-9b23-00178823bfc2")
    );
    let bye = parse_reply(&fixture("roku-byebye.notify")).unwrap();
    assert_eq!(bye.kind, ReplyKind::ByeBye);
    assert_eq!(bye.location, None);
}

#[test]
fn odd_but_valid_replies_parse_and_junk_does_not() {
    // Bare LF line ends, lower-case names, no space after the colon.
    let r = parse_reply(
        b"HTTP/1.1 200 OK\nlocation:http://10.0.0.5:49000/igd.xml\nst:upnp:rootdevice\n\n",
    )
    .unwrap();
    assert_eq!(r.location.as_deref(), Some("http://10.0.0.5:49000/igd.xml"));
    assert_eq!(r.search_target.as_deref(), Some("upnp:rootdevice"));

    for junk in [
        &b""[..],
        b"\r\n\r\n",
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\n\r\n",
        b"HTTP/1.1 404 Not Found\r\n\r\n",
        b"NOTIFY /path HTTP/1.1\r\n\r\n",
        b"\x00\x01\x02\xff\xfe",
    ] {
        assert_eq!(parse_reply(junk), None, "{junk:?}");
    }

    // Escape sequences and control characters are stripped from every value.
    let evil = parse_reply(b"HTTP/1.1 200 OK\r\nSERVER: \x1b]0;owned\x07Linux\x1b[2J UPnP/1.0\r\nST: urn:x\x1b[31m:device:y:1\r\nUSN: uuid:\x9b2Jabc\r\nLOCATION: http://127.0.0.1/\x1b[Kd.xml\r\n\r\n")
        .unwrap();
    let all = format!("{evil:?}");
    assert!(!all.contains("\\u{"), "{all}");
    assert_eq!(evil.server.as_deref(), Some("Linux UPnP/1.0"));
}

#[test]
fn the_router_description_lists_its_embedded_devices_and_services() {
    let info = parse_description(
        &fixture_text("miniupnpd-igd.xml"),
        "http://192.168.1.1:5000/rootDesc.xml",
    )
    .unwrap();
    assert_eq!(
        info.device_type,
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
    );
    assert_eq!(info.friendly_name.as_deref(), Some("OpenWrt router"));
    assert_eq!(info.manufacturer.as_deref(), Some("OpenWrt"));
    assert_eq!(info.model_number.as_deref(), Some("23.05.3"));
    assert_eq!(
        info.presentation_url.as_deref(),
        Some("http://192.168.1.1/")
    );
    assert_eq!(
        info.udn.as_deref(),
        Some("uuid:a1b2c3d4-5e6f-4a0b-8c1d-2e3f4a5b6c7d")
    );
    assert_eq!(info.location, "http://192.168.1.1:5000/rootDesc.xml");
    assert_eq!(
        info.embedded_devices,
        [
            "urn:schemas-upnp-org:device:WANDevice:1",
            "urn:schemas-upnp-org:device:WANConnectionDevice:1"
        ]
    );
    assert_eq!(
        info.services,
        [
            "urn:schemas-upnp-org:service:Layer3Forwarding:1",
            "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1",
            "urn:schemas-upnp-org:service:WANIPConnection:1",
        ]
    );
}

#[test]
fn consumer_device_descriptions_parse() {
    let sonos = parse_description(&fixture_text("sonos-zoneplayer.xml"), "http://x/").unwrap();
    assert_eq!(
        sonos.device_type,
        "urn:schemas-upnp-org:device:ZonePlayer:1"
    );
    assert_eq!(
        sonos.friendly_name.as_deref(),
        Some("192.168.1.31 - Sonos One - RINCON_48A6B8E2F3C401400")
    );
    assert_eq!(sonos.manufacturer.as_deref(), Some("Sonos, Inc."));
    assert_eq!(sonos.model_name.as_deref(), Some("Sonos One"));
    assert_eq!(sonos.model_number.as_deref(), Some("S18"));
    // Sonos calls it serialNum, which is not the standard field.
    assert_eq!(sonos.serial_number, None);
    assert_eq!(
        sonos.embedded_devices,
        [
            "urn:schemas-upnp-org:device:MediaServer:1",
            "urn:schemas-upnp-org:device:MediaRenderer:1"
        ]
    );
    assert!(
        sonos
            .services
            .contains(&"urn:schemas-upnp-org:service:AVTransport:1".to_string())
    );
    // ConnectionManager appears in both embedded devices but is listed once.
    assert_eq!(
        sonos
            .services
            .iter()
            .filter(|s| s.contains("ConnectionManager"))
            .count(),
        1
    );

    let tv = parse_description(&fixture_text("samsung-tv-dmr.xml"), "http://x/dmr").unwrap();
    assert_eq!(
        tv.device_type,
        "urn:schemas-upnp-org:device:MediaRenderer:1"
    );
    assert_eq!(
        tv.friendly_name.as_deref(),
        Some("[TV] Samsung Q60 Series (55)")
    );
    assert_eq!(tv.manufacturer.as_deref(), Some("Samsung Electronics"));
    assert_eq!(tv.model_name.as_deref(), Some("QE55Q60TAU"));
    assert_eq!(tv.serial_number.as_deref(), Some("20090804RCR"));
    assert_eq!(tv.services.len(), 3);
    assert!(tv.embedded_devices.is_empty());

    let hue = parse_description(&fixture_text("hue-bridge.xml"), "http://x/").unwrap();
    assert_eq!(hue.device_type, "urn:schemas-upnp-org:device:Basic:1");
    assert_eq!(hue.model_name.as_deref(), Some("Philips hue bridge 2015"));
    assert_eq!(hue.model_number.as_deref(), Some("BSB002"));
    assert_eq!(hue.manufacturer.as_deref(), Some("Signify"));
    assert_eq!(hue.presentation_url.as_deref(), Some("index.html"));
    assert!(hue.services.is_empty());

    let nas = parse_description(&fixture_text("synology-nas.xml"), "http://x/").unwrap();
    assert_eq!(nas.friendly_name.as_deref(), Some("homenas (DS920+)"));
    assert_eq!(nas.manufacturer.as_deref(), Some("Synology Inc"));
    assert_eq!(nas.model_name.as_deref(), Some("DS920+"));
    assert_eq!(
        nas.presentation_url.as_deref(),
        Some("http://192.168.1.20:5000/")
    );

    let roku = parse_description(&fixture_text("roku.xml"), "http://x/").unwrap();
    assert_eq!(roku.device_type, "urn:roku-com:device:player:1-0");
    assert_eq!(roku.friendly_name.as_deref(), Some("Kids' Room Roku"));
    assert_eq!(roku.model_name.as_deref(), Some("Roku Express"));
    assert_eq!(roku.serial_number.as_deref(), Some("X00400ABCDEF"));
    assert_eq!(
        roku.services,
        [
            "urn:roku-com:service:ecp:1",
            "urn:dial-multiscreen-org:service:dial:1"
        ]
    );
}

#[test]
fn vendor_namespaces_do_not_shadow_standard_fields() {
    let xml = r#"<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:x="http://vendor.example/ns">
  <device>
    <x:deviceType>urn:vendor:device:Fake:1</x:deviceType>
    <x:friendlyName>Not this one</x:friendlyName>
    <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>
    <friendlyName><![CDATA[Garage ]]>&amp; shed</friendlyName>
  </device>
</root>"#;
    let info = parse_description(xml, "http://x/").unwrap();
    assert_eq!(info.device_type, "urn:schemas-upnp-org:device:Basic:1");
    assert_eq!(info.friendly_name.as_deref(), Some("Garage & shed"));

    // No namespace at all, as some cheap devices send.
    let bare = "<root><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType></device></root>";
    assert!(parse_description(bare, "http://x/").is_ok());
}

#[test]
fn control_characters_in_a_description_do_not_spoil_it() {
    // C firmware that pads fields with NULs, and a name with a colour escape: both illegal in XML.
    let xml = "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>\
        <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>\
        <friendlyName>\u{1b}[1;31mFront door\u{1b}[0m</friendlyName>\
        <serialNumber>SN1234\u{0}\u{0}\u{0}\u{0}</serialNumber>\
        </device></root>";
    let info = parse_description(xml, "http://x/").unwrap();
    assert_eq!(info.friendly_name.as_deref(), Some("Front door"));
    assert_eq!(info.serial_number.as_deref(), Some("SN1234"));
}

#[test]
fn bad_descriptions_are_refused_with_one_line_reasons() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>&lol2;</deviceType></device></root>"#;
    for (xml, expect) in [
        ("", "XML"),
        ("this is not xml", "XML"),
        (
            "<html><body>It works!</body></html>",
            "root element is <html>",
        ),
        (
            "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion/></root>",
            "no <device>",
        ),
        (
            "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><friendlyName>x</friendlyName></device></root>",
            "deviceType",
        ),
        (laughs, "XML"),
        ("<root><device><deviceType>x</deviceType>", "XML"),
    ] {
        let err = parse_description(xml, "http://x/").unwrap_err();
        assert!(err.contains(expect), "{xml:?}: {err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn embedded_devices_are_bounded_in_depth_and_count() {
    // 30 levels of embedded devices (61 elements deep: under the XML depth bound).
    let nested = |levels: usize| {
        let mut deep = String::from("<root xmlns=\"urn:schemas-upnp-org:device-1-0\">");
        for level in 0..levels {
            deep.push_str(&format!(
                "<device><deviceType>urn:x:device:Level{level}:1</deviceType><serviceList><service><serviceType>urn:x:service:S{level}:1</serviceType></service></serviceList><deviceList>"
            ));
        }
        for _ in 0..levels {
            deep.push_str("</deviceList></device>");
        }
        deep.push_str("</root>");
        deep
    };
    let info = parse_description(&nested(30), "http://x/").unwrap();
    assert_eq!(info.device_type, "urn:x:device:Level0:1");
    assert_eq!(info.embedded_devices.len(), MAX_DEVICE_DEPTH);
    assert!(info.services.len() <= MAX_DEVICE_DEPTH + 1);
    // 40 levels (81 elements deep) are refused whole, before any tree is built.
    let err = parse_description(&nested(40), "http://x/").unwrap_err();
    assert!(err.contains("nested more than 64"), "{err}");

    // 5,000 side by side.
    let mut wide = String::from(
        "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><deviceType>urn:x:device:Hub:1</deviceType><deviceList>",
    );
    for n in 0..5000 {
        wide.push_str(&format!(
            "<device><deviceType>urn:x:device:Child{n}:1</deviceType></device>"
        ));
    }
    wide.push_str("</deviceList></device></root>");
    let info = parse_description(&wide, "http://x/").unwrap();
    assert_eq!(info.embedded_devices.len(), MAX_EMBEDDED_DEVICES);

    // A huge friendly name is capped.
    let long = format!(
        "<root><device><deviceType>t</deviceType><friendlyName>{}</friendlyName></device></root>",
        "A".repeat(100_000)
    );
    let info = parse_description(&long, "http://x/").unwrap();
    assert!(info.friendly_name.unwrap().chars().count() <= 200);
}

// ---------------------------------------------------------------------------------------------
// discover() on loopback

#[tokio::test]
async fn finds_a_home_of_devices_and_reads_their_descriptions() {
    let devices = [
        (lo(11), "miniupnpd-igd", "/rootDesc.xml"),
        (lo(12), "sonos-zoneplayer", "/xml/device_description.xml"),
        (lo(13), "hue-bridge", "/description.xml"),
    ];
    let mut replies = Vec::new();
    let mut servers = HashMap::new();
    for (ip, name, path) in devices {
        let body = fixture(&format!("{name}.xml"));
        let (addr, connections) = http_server(ip, Behaviour::Serve(body)).await;
        let reply = with_location(
            &fixture(&format!("{name}.reply")),
            &format!("http://{addr}{path}"),
        );
        replies.push((ip, reply));
        servers.insert(ip, (addr, connections));
    }
    // The Hue bridge also answers as a root device, and the Roku says goodbye (ignored).
    let extra = with_location(
        &fixture("hue-bridge-alive.notify"),
        &format!("http://{}/description.xml", servers[&lo(13)].0),
    );
    replies.push((lo(13), extra));
    replies.push((lo(14), fixture("roku-byebye.notify")));

    let responder = start_responder(replies, 1).await;
    let opts = options(responder.addr);
    let (result, events, _) = run(&opts).await;
    assert_eq!(result, Ok(3), "{:?}", notes_of(&events));
    assert_eq!(
        responder.searches.load(Ordering::SeqCst),
        2 * porchlight::discovery::ssdp::SEARCH_TARGETS.len(),
        "every search (ssdp:all, the router, and the targets devices answer only when named), each sent twice"
    );

    for (ip, name, _) in devices {
        let early = early_sighting_of(&events, ip).unwrap_or_else(|| panic!("{name}: no sighting"));
        let (late, info) = upnp_of(&events, ip).unwrap_or_else(|| panic!("{name}: no UPnP info"));
        assert!(
            early < late,
            "{name}: the host must be reported before its description"
        );
        // Each description was read once, although the host answered every search.
        assert_eq!(servers[&ip].1.load(Ordering::SeqCst), 1, "{name}");
        assert!(
            info.location
                .starts_with(&format!("http://{}", servers[&ip].0))
        );
    }
    let (_, igd) = upnp_of(&events, lo(11)).unwrap();
    assert_eq!(igd.embedded_devices.len(), 2);
    let (_, sonos) = upnp_of(&events, lo(12)).unwrap();
    assert_eq!(sonos.model_name.as_deref(), Some("Sonos One"));
    let (_, hue) = upnp_of(&events, lo(13)).unwrap();
    assert_eq!(hue.model_name.as_deref(), Some("Philips hue bridge 2015"));

    // The search types are services, with the description's port; the description sighting adds
    // the root device with its details.
    let igd_sightings: Vec<_> = sightings(&events)
        .into_iter()
        .filter(|s| s.ip == lo(11))
        .collect();
    assert!(igd_sightings.iter().all(|s| s.source == Source::Ssdp));
    let igd_port = servers[&lo(11)].0.port();
    let early_services = &igd_sightings[0].services;
    assert_eq!(early_services.len(), 1);
    assert_eq!(early_services[0].source, ServiceSource::Upnp);
    assert_eq!(
        early_services[0].kind,
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
    );
    assert_eq!(
        early_services[0].name,
        "OpenWrt/23.05.3 UPnP/1.1 MiniUPnPd/2.3.3"
    );
    assert_eq!(early_services[0].port, Some(igd_port));
    let described = igd_sightings.iter().find(|s| s.upnp.is_some()).unwrap();
    assert_eq!(described.services[0].name, "OpenWrt router");
    assert_eq!(
        described.services[0]
            .txt
            .get("manufacturer")
            .map(String::as_str),
        Some("OpenWrt")
    );

    // The Hue bridge answered with two types: the second comes in a later sighting.
    let hue_types: Vec<_> = sightings(&events)
        .into_iter()
        .filter(|s| s.ip == lo(13) && s.upnp.is_none())
        .flat_map(|s| s.services.iter().map(|x| x.kind.clone()))
        .collect();
    assert!(
        hue_types.contains(&"upnp:rootdevice".to_string()),
        "{hue_types:?}"
    );
    // The uuid: announcement names the device; it is not a service type.
    assert!(
        hue_types.iter().all(|t| !t.starts_with("uuid:")),
        "{hue_types:?}"
    );
    // Nobody is reported for a goodbye.
    assert!(sightings(&events).iter().all(|s| s.ip != lo(14)));
}

#[tokio::test]
async fn a_location_on_another_host_is_never_fetched() {
    // The reply comes from 127.0.0.1 but points at a server on 127.0.0.2.
    let (elsewhere, connections) =
        http_server(lo(2), Behaviour::Serve(fixture("hue-bridge.xml"))).await;
    let reply = with_location(
        &fixture("hue-bridge.reply"),
        &format!("http://{elsewhere}/description.xml"),
    );
    let responder = start_responder(vec![(Ipv4Addr::LOCALHOST, reply)], 1).await;
    let (result, events, _) = run(&options(responder.addr)).await;
    assert_eq!(result, Ok(1));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the other host was contacted"
    );
    assert!(early_sighting_of(&events, Ipv4Addr::LOCALHOST).is_some());
    assert!(upnp_of(&events, Ipv4Addr::LOCALHOST).is_none());
    let notes = notes_of(&events);
    assert!(
        notes.iter().any(|n| n.contains("another host (127.0.0.2)")),
        "{notes:?}"
    );

    // A host name, https or a public address are refused the same way.
    let replies = [
        "http://router.local:5000/rootDesc.xml",
        "https://127.0.0.1:5000/rootDesc.xml",
        "http://8.8.8.8/rootDesc.xml",
    ]
    .into_iter()
    .map(|l| {
        (
            Ipv4Addr::LOCALHOST,
            with_location(&fixture("miniupnpd-igd.reply"), l),
        )
    })
    .collect();
    let responder = start_responder(replies, 1).await;
    let (result, events, _) = run(&options(responder.addr)).await;
    assert_eq!(result, Ok(1));
    assert_eq!(notes_of(&events).len(), 3, "{:?}", notes_of(&events));
    assert!(upnp_of(&events, Ipv4Addr::LOCALHOST).is_none());
}

#[tokio::test]
async fn a_description_that_never_comes_is_a_note_not_a_failure() {
    let (addr, connections) = http_server(lo(21), Behaviour::Silent).await;
    let reply = with_location(
        &fixture("synology-nas.reply"),
        &format!("http://{addr}/ssdp/desc-DSM-eth0.xml"),
    );
    let responder = start_responder(vec![(lo(21), reply)], 1).await;
    let opts = options(responder.addr);
    let (result, events, elapsed) = run(&opts).await;
    assert_eq!(result, Ok(1));
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert!(early_sighting_of(&events, lo(21)).is_some());
    let notes = notes_of(&events);
    assert!(
        notes.iter().any(
            |n| n.contains("could not read the UPnP description of 127.0.0.21")
                && n.contains("no complete answer")
        ),
        "{notes:?}"
    );
    assert!(elapsed >= opts.wait);
}

#[tokio::test]
async fn a_512_mib_description_is_cut_at_the_cap() {
    let (addr, _) = http_server(lo(22), Behaviour::Endless).await;
    let reply = with_location(
        &fixture("samsung-tv-dmr.reply"),
        &format!("http://{addr}/dmr"),
    );
    let responder = start_responder(vec![(lo(22), reply)], 1).await;
    let mut opts = options(responder.addr);
    opts.fetch.timeout = Duration::from_secs(5);
    let (result, events, elapsed) = run(&opts).await;
    assert_eq!(result, Ok(1));
    assert!(upnp_of(&events, lo(22)).is_none());
    let notes = notes_of(&events);
    assert!(
        notes.iter().any(|n| n.contains("larger than 256 KiB")),
        "{notes:?}"
    );
    // The cap, not the timeout, ended it.
    assert!(elapsed < opts.wait + Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn escape_sequences_never_reach_the_events() {
    let evil_xml = "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>\
        <deviceType>urn:schemas-upnp-org:device:\u{1b}[31mBasic:1</deviceType>\
        <friendlyName>\u{1b}]0;pwned\u{7}Living room\u{1b}[2J\u{9b}1;1H camera</friendlyName>\
        <manufacturer>\u{1b}[5mACME&#x9;Corp</manufacturer>\
        <modelName>Cam\u{202e}3000</modelName>\
        <presentationURL>http://127.0.0.31/\u{1b}]8;;http://evil/\u{1b}\\</presentationURL>\
        </device></root>";
    let (addr, _) = http_server(lo(31), Behaviour::Serve(evil_xml.as_bytes().to_vec())).await;
    let reply = format!(
        "HTTP/1.1 200 OK\r\nSERVER: \u{1b}]0;owned\u{7}Linux UPnP/1.0 \u{1b}[41mEvilCam\r\nST: urn:schemas-upnp-org:device:\u{1b}[8mBasic:1\r\nUSN: uuid:\u{1b}[2Kdead::upnp:rootdevice\r\nLOCATION: http://{addr}/desc.xml\r\n\r\n"
    );
    // A second host whose LOCATION (with escapes) points elsewhere: the note quotes it.
    let elsewhere = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nLOCATION: http://127.0.0.99:1/\u{1b}]0;x\u{7}d.xml\u{1b}[2J\r\n\r\n";
    let responder = start_responder(
        vec![
            (lo(31), reply.into_bytes()),
            (lo(32), elsewhere.as_bytes().to_vec()),
        ],
        1,
    )
    .await;
    let (result, events, _) = run(&options(responder.addr)).await;
    assert_eq!(result, Ok(2));
    let (_, info) = upnp_of(&events, lo(31)).expect("the description still reads");
    assert_eq!(info.friendly_name.as_deref(), Some("Living room camera"));
    assert_eq!(info.manufacturer.as_deref(), Some("ACME Corp"));
    assert!(!notes_of(&events).is_empty());
    for event in &events {
        let text = format!("{event:?}");
        assert!(
            !text.contains('\u{1b}') && !text.contains("\\u{"),
            "control characters in {text}"
        );
    }
}

#[tokio::test]
async fn a_flood_of_replies_stays_bounded() {
    let (addr, connections) = http_server(lo(41), Behaviour::Serve(fixture("roku.xml"))).await;
    let replies: Vec<_> = (0..3000)
        .map(|n| {
            let reply = format!(
                "HTTP/1.1 200 OK\r\nST: urn:flood:device:D{n}:1\r\nUSN: uuid:{n}::urn:flood:device:D{n}:1\r\nSERVER: flood/{n}\r\nLOCATION: http://{addr}/desc{n}.xml\r\n\r\n"
            );
            (lo(41), reply.into_bytes())
        })
        .collect();
    let responder = start_responder(replies, 1).await;
    let opts = options(responder.addr);
    let (result, events, _) = run(&opts).await;
    assert_eq!(result, Ok(1));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let fetched = connections.load(Ordering::SeqCst);
    assert!(
        (1..=MAX_LOCATIONS_PER_HOST).contains(&fetched),
        "{fetched} descriptions read"
    );
    let plain: Vec<_> = sightings(&events)
        .into_iter()
        .filter(|s| s.upnp.is_none())
        .collect();
    assert!(plain.len() <= 2, "{} sightings", plain.len());
    assert!(plain.iter().all(|s| s.services.len() <= MAX_TYPES_PER_HOST));
    assert!(
        notes_of(&events).len() <= 40,
        "{} notes",
        notes_of(&events).len()
    );
    assert!(events.len() < 60, "{} events", events.len());
}

#[tokio::test]
async fn hosts_outside_the_scope_are_ignored() {
    let (addr, connections) =
        http_server(lo(51), Behaviour::Serve(fixture("hue-bridge.xml"))).await;
    let reply = with_location(
        &fixture("hue-bridge.reply"),
        &format!("http://{addr}/description.xml"),
    );
    let responder = start_responder(vec![(lo(51), reply)], 1).await;
    let mut opts = options(responder.addr);
    opts.allow = Arc::new(|ip: Ipv4Addr| ip != lo(51));
    let (result, events, _) = run(&opts).await;
    assert_eq!(result, Ok(0));
    assert!(sightings(&events).is_empty());
    assert_eq!(connections.load(Ordering::SeqCst), 0);
    let notes = notes_of(&events);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("127.0.0.51"), "{notes:?}");
}

#[tokio::test]
async fn a_silent_network_finishes_after_the_wait() {
    // A UDP socket that never answers.
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let SocketAddr::V4(target) = silent.local_addr().unwrap() else {
        unreachable!()
    };
    let opts = options(target);
    let (result, events, elapsed) = run(&opts).await;
    assert_eq!(result, Ok(0));
    assert!(events.is_empty(), "{events:?}");
    assert!(elapsed >= opts.wait, "{elapsed:?}");
    drop(silent);
}

#[tokio::test]
async fn a_cancelled_scan_stops_listening() {
    let responder = start_responder(vec![(lo(61), fixture("roku.reply"))], 1).await;
    let opts = options(responder.addr);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    drop(rx);
    let started = Instant::now();
    let result = ssdp::discover(&opts, &EventSink::new(tx)).await;
    assert!(result.is_ok());
    assert!(started.elapsed() < opts.wait, "{:?}", started.elapsed());
}

/// Without any network (a fresh network namespace has only a loopback that is down), the stage
/// fails at once with a clear reason. Runs itself again inside `unshare --net`; skipped where
/// namespaces are not permitted.
#[test]
fn without_a_multicast_route_the_stage_fails_at_once() {
    const INNER: &str = "PORCHLIGHT_TEST_IN_NETNS";
    if std::env::var_os(INNER).is_some() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let opts = SsdpOptions::new(Ipv4Addr::UNSPECIFIED);
            let started = Instant::now();
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let result = ssdp::discover(&opts, &EventSink::new(tx)).await;
            let reason = result.unwrap_err();
            assert!(
                reason.starts_with("multicast is not available on this network"),
                "{reason}"
            );
            assert!(!reason.contains('\n'));
            assert!(started.elapsed() < Duration::from_millis(500));
        });
        return;
    }
    let permitted = std::process::Command::new("unshare")
        .args(["--net", "--", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !permitted {
        let why = "cannot create a network namespace here (`unshare --net` needs root, package util-linux)";
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "under CI: {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new("unshare")
        .args(["--net", "--"])
        .arg(exe)
        .args([
            "--exact",
            "without_a_multicast_route_the_stage_fails_at_once",
            "--test-threads=1",
        ])
        .env(INNER, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_flood_from_one_host_never_hides_a_device_answering_after_it() {
    // 3,000 replies from one host (more than the per-host cap, as a flooder sends them), then a
    // real device's reply: both are found, and the device's description is read.
    let (flood_addr, _) = http_server(lo(42), Behaviour::Serve(fixture("roku.xml"))).await;
    let (nas_addr, nas_reads) =
        http_server(lo(43), Behaviour::Serve(fixture("synology-nas.xml"))).await;
    let mut replies: Vec<_> = (0..3000)
        .map(|n| {
            let reply = format!(
                "HTTP/1.1 200 OK\r\nST: urn:flood:device:D{n}:1\r\nUSN: uuid:{n}::urn:flood:device:D{n}:1\r\nSERVER: flood/{n}\r\nLOCATION: http://{flood_addr}/desc.xml\r\n\r\n"
            );
            (lo(42), reply.into_bytes())
        })
        .collect();
    let nas_reply = with_location(
        &fixture("synology-nas.reply"),
        &format!("http://{nas_addr}/description.xml"),
    );
    replies.push((lo(43), nas_reply));
    let responder = start_responder(replies, 1).await;
    let opts = options(responder.addr);
    let (result, events, _) = run(&opts).await;
    assert_eq!(result, Ok(2), "both hosts answered");
    let (_, info) = upnp_of(&events, lo(43)).expect("the device after the flood is described");
    assert!(info.manufacturer.is_some());
    assert_eq!(nas_reads.load(Ordering::SeqCst), 1);
    let notes = notes_of(&events);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("127.0.0.42") && n.contains("ignoring the rest from it")),
        "{notes:?}"
    );
}
