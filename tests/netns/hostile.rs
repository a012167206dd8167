//! The hostile home: a router that attacks whoever scans it (`hostile.py`: SSDP floods, a
//! description nested 5,000 deep, endless and trickled descriptions and SOAP replies, escape codes
//! in every field), and a plain camera its port mapping points at. Used by `tests/hostile_home.rs`.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use super::{Device, TestHome, tools};

/// The hostile router's script.
const HOSTILE_PY: &str = include_str!("hostile.py");

/// The devices of the hostile home on `10.77.<net>.0/24`: the router at `.1` (started by
/// [`TestHome::start_hostile_router`], not by the harness) and a plain camera at `.14`.
pub fn hostile_devices(net: u8) -> Vec<Device> {
    let ip = |host: u8| Ipv4Addr::new(10, 77, net, host);
    vec![
        Device::plain("router", ip(1), "50:c7:bf:00:00:01"),
        Device::plain("camera", ip(14), "00:12:41:00:00:0e"),
    ]
}

impl TestHome {
    /// Starts `hostile.py` in the router's namespace and waits until it listens.
    pub fn start_hostile_router(&mut self) {
        let script = self.dir().join("hostile.py");
        std::fs::write(&script, HOSTILE_PY).unwrap();
        let router = self.device("router").clone();
        let camera = self.device("camera").ip.to_string();
        let python = tools().unwrap().python.clone();
        let script = script.display().to_string();
        let own = router.ip.to_string();
        self.spawn(
            "router",
            "hostile",
            &router.ns,
            &python,
            &[&script, &own, &camera],
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.log("router", "hostile").contains("listening") {
            assert!(
                Instant::now() < deadline,
                "the hostile router did not start:\n{}",
                self.all_logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
