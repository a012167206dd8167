//! mDNS discovery against a real mDNS responder (mdns-sd) on the loopback interface only, on a
//! port of its own: runs unprivileged, sends nothing beyond this machine. Includes a hostile
//! device whose names and TXT values carry terminal escape sequences.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};
use porchlight::discovery::mdns::{MdnsOptions, browse};
use porchlight::discovery::{DiscoveryEvent, EventSink, Source};

const PORT: u16 = 5459;

fn responder() -> ServiceDaemon {
    let daemon = ServiceDaemon::new_with_port(PORT).unwrap();
    daemon.disable_interface(IfKind::All).unwrap();
    daemon.enable_interface(IfKind::LoopbackV4).unwrap();
    let printer = ServiceInfo::new(
        "_ipp._tcp.local.",
        "Office Printer",
        "office-printer.local.",
        "127.0.0.1",
        631,
        HashMap::from([
            ("ty".to_string(), "HP OfficeJet Pro 9010 series".to_string()),
            (
                "adminurl".to_string(),
                "http://office-printer.local./".to_string(),
            ),
        ]),
    )
    .unwrap();
    let hostile = ServiceInfo::new(
        "_googlecast._tcp.local.",
        "Kitchen\u{1b}]0;owned\u{7} speaker",
        "evil-cast.local.",
        "127.0.0.1",
        8009,
        HashMap::from([
            (
                "md".to_string(),
                "\u{1b}[2J\u{1b}[31mGoogle Nest Mini".to_string(),
            ),
            ("fn".to_string(), "Kitchen\u{9b}1;1H speaker".to_string()),
        ]),
    )
    .unwrap();
    daemon.register(printer).unwrap();
    daemon.register(hostile).unwrap();
    daemon
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_finds_services_and_cleans_what_devices_say() {
    let responder = responder();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink = EventSink::new(tx);
    let opts = MdnsOptions {
        port: PORT,
        loopback_only: true,
        window: Duration::from_millis(2500),
        ..MdnsOptions::default()
    };
    let started = std::time::Instant::now();
    let hosts = browse(&opts, |ip| ip.is_loopback(), &sink).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the window bounds the browse"
    );
    drop(sink);
    let _ = responder.shutdown();

    let mut services = Vec::new();
    while let Some(event) = rx.recv().await {
        if let DiscoveryEvent::Sighting(s) = event {
            assert_eq!(s.source, Source::Mdns);
            assert_eq!(s.ip, Ipv4Addr::LOCALHOST);
            services.extend(s.services.clone());
            let text = format!("{s:?}");
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{9b}'),
                "uncleaned: {text}"
            );
        }
    }
    assert_eq!(hosts, 1);
    let printer = services.iter().find(|s| s.kind == "_ipp._tcp").unwrap();
    assert_eq!(printer.name, "Office Printer");
    assert_eq!(printer.port, Some(631));
    assert_eq!(printer.txt["ty"], "HP OfficeJet Pro 9010 series");
    let cast = services
        .iter()
        .find(|s| s.kind == "_googlecast._tcp")
        .unwrap();
    assert_eq!(cast.name, "Kitchen speaker");
    assert_eq!(cast.txt["md"], "Google Nest Mini");
    assert_eq!(cast.txt["fn"], "Kitchen speaker");
}
