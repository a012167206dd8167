//! Whether a smart-home device is open for Matter pairing: a device in commissioning mode
//! announces `_matterc._udp` over mDNS, and anyone nearby with its setup code can then add it to
//! their own app.
//!
//! The check asks the network for that one service type, over IPv4 and IPv6 (Matter is an IPv6
//! protocol: many devices announce only IPv6 addresses), and listens for
//! [`CheckLimits::mdns_window`](super::CheckLimits::mdns_window), counting only adverts from the
//! target: its IPv4 address, one of its host names, the host name Matter derives from its hardware
//! address (twelve hex digits), or an IPv6 address formed from that hardware address.
//!
//! A `_matterc._udp` advert is not always an open window: a device in "extended discovery" keeps
//! announcing itself with `CM=0` after its window closed. Only `CM=1` (the basic window, opened on
//! the device) or `CM=2` (the enhanced window, opened by an app that already controls it) is open;
//! `CM=0` or no `CM` key is closed (Matter Core Specification 1.3, 4.3.1.3 "Commissioning Mode").
//! When no mDNS listener can be started (port 5353 taken, no multicast), it falls back to what the
//! last scan saw and says so.

use std::net::IpAddr;

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
use tokio::time::Instant;

use super::ports::device_answers;
use super::rules;
use super::{CheckResult, Context, Target};
use crate::discovery::mdns::instance_name;
use crate::model::{MacAddr, ServiceSource};
use crate::sanitize::clean;

/// The DNS-SD type a Matter device announces while it is open for commissioning.
pub const MATTER_COMMISSIONING: &str = "_matterc._udp.local.";

const CLOSE_ADVICE: &str = "Finish or cancel the pairing in your smart-home app, or restart the \
                            device if it stays in pairing mode; then check again.";

const INTEGRATIONS: &str = "porchlight cannot see which apps and integrations are linked: review \
                            them in your smart-home app.";

/// A commissionable advert heard from the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advert {
    /// Its instance name.
    pub name: String,
    /// Its `CM` TXT value, cleaned ("" when absent).
    pub cm: String,
}

impl Advert {
    /// True when the advert says a commissioning window is open: `CM=1` or `CM=2`.
    pub fn open(&self) -> bool {
        is_open_mode(&self.cm)
    }
}

/// True when a `CM` value names an open commissioning window (1 basic, 2 enhanced).
pub fn is_open_mode(cm: &str) -> bool {
    matches!(cm.trim(), "1" | "2")
}

/// The interface identifier a device forms from its hardware address (modified EUI-64).
fn eui64(mac: MacAddr) -> [u8; 8] {
    let m = mac.0;
    [m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]
}

/// True when `host` (an mDNS host name) or `address` belongs to `target`.
pub fn is_from_target(target: &Target, host: &str, addresses: &[IpAddr]) -> bool {
    if addresses.contains(&IpAddr::V4(target.ip)) {
        return true;
    }
    let stem = |h: &str| {
        let h = h.trim_end_matches('.');
        let h = h
            .strip_suffix(".local")
            .or_else(|| h.strip_suffix(".LOCAL"))
            .unwrap_or(h);
        h.to_ascii_lowercase()
    };
    let host = stem(host);
    if !host.is_empty() && target.hostnames.iter().any(|h| stem(h) == host) {
        return true;
    }
    let Some(mac) = target.mac else {
        return false;
    };
    let hex: String = mac.0.iter().map(|b| format!("{b:02x}")).collect();
    if host == hex {
        return true;
    }
    let id = eui64(mac);
    addresses.iter().any(|a| match a {
        IpAddr::V6(v6) => v6.octets()[8..] == id,
        IpAddr::V4(_) => false,
    })
}

/// Listens for a commissionable advert from `target`; `Err` when no listener could start. An
/// open advert (CM=1/2) ends the listening; a closed one is kept, in case the window opens.
async fn listen(target: &Target, ctx: &Context) -> Result<Option<Advert>, String> {
    let fail = |e: mdns_sd::Error| clean(&format!("mDNS could not start: {e}"), 160);
    let daemon = ServiceDaemon::new_with_port(ctx.endpoints.mdns_port).map_err(fail)?;
    let outcome = async {
        if ctx.endpoints.mdns_loopback_only {
            daemon.disable_interface(IfKind::All).map_err(fail)?;
            daemon.enable_interface(IfKind::LoopbackV4).map_err(fail)?;
            // IPv6 on loopback where the system has it; IPv4 alone otherwise.
            let _ = daemon.enable_interface(IfKind::LoopbackV6);
        }
        let receiver = daemon.browse(MATTER_COMMISSIONING).map_err(fail)?;
        let deadline = Instant::now() + ctx.limits.mdns_window;
        let mut found: Option<Advert> = None;
        loop {
            let event = tokio::select! {
                event = receiver.recv_async() => event,
                _ = tokio::time::sleep_until(deadline) => break,
            };
            match event {
                Ok(ServiceEvent::ServiceResolved(info)) => {
                    let addresses: Vec<IpAddr> =
                        info.addresses.iter().map(|a| a.to_ip_addr()).collect();
                    if is_from_target(target, &info.host, &addresses) {
                        let cm = info
                            .txt_properties
                            .get_property_val_str("CM")
                            .map(|v| clean(v, 8))
                            .unwrap_or_default();
                        let advert = Advert {
                            name: instance_name(&info.fullname, &info.ty_domain),
                            cm,
                        };
                        let open = advert.open();
                        found = Some(advert);
                        if open {
                            break;
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = daemon.stop_browse(MATTER_COMMISSIONING);
        Ok(found)
    }
    .await;
    if let Ok(status) = daemon.shutdown() {
        let _ =
            tokio::time::timeout(std::time::Duration::from_millis(300), status.recv_async()).await;
    }
    outcome
}

/// How an advert's `CM` value reads in evidence.
fn mode_words(cm: &str) -> String {
    match cm.trim() {
        "1" => "CM=1, the pairing window opened on the device".into(),
        "2" => "CM=2, a pairing window opened by an app that already controls it".into(),
        "" => "no CM value, so no pairing window is open".into(),
        other => format!("CM={other}, so no pairing window is open"),
    }
}

/// Pass when no commissioning advert from the device is heard; Fail when one is.
pub async fn commissioning_closed(target: &Target, ctx: &Context) -> CheckResult {
    let window = ctx.limits.mdns_window.as_secs_f32();
    // No advert is evidence only from a device that answers meanwhile.
    let (heard, alive) = futures::join!(listen(target, ctx), device_answers(target, ctx));
    match heard {
        Ok(None) if !alive => rules::no_answer(format!(
            "{} (no Matter pairing advert within {window} s, and the device did not answer a connection)",
            target.ip
        )),
        Ok(Some(advert)) if advert.open() => CheckResult::fail(format!(
            "{} announces that it is open for Matter pairing (_matterc._udp \"{}\" with {})",
            target.ip,
            advert.name,
            mode_words(&advert.cm)
        ))
        .with_next(CLOSE_ADVICE),
        Ok(Some(advert)) => CheckResult::pass(format!(
            "{} announces itself as a Matter device (_matterc._udp \"{}\") with {}",
            target.ip,
            advert.name,
            mode_words(&advert.cm)
        ))
        .with_next(INTEGRATIONS),
        Ok(None) => CheckResult::pass(format!(
            "{} answers, and did not announce Matter pairing (_matterc._udp) within {window} s",
            target.ip
        ))
        .with_next(INTEGRATIONS),
        Err(e) => {
            let seen = target
                .services
                .iter()
                .find(|s| s.source == ServiceSource::Mdns && s.kind == "_matterc._udp");
            match seen {
                Some(s) => {
                    let cm = s.txt.get("CM").map(|v| clean(v, 8)).unwrap_or_default();
                    if is_open_mode(&cm) {
                        CheckResult::fail(format!(
                            "{} announced Matter pairing (_matterc._udp \"{}\" with {}) in the last scan; porchlight could not listen again: {e}",
                            target.ip, s.name, mode_words(&cm)
                        ))
                        .with_next(CLOSE_ADVICE)
                    } else {
                        CheckResult::unknown(format!(
                            "{} announced itself as a Matter device with {} in the last scan; porchlight could not listen again: {e}",
                            target.ip,
                            mode_words(&cm)
                        ))
                    }
                }
                None => CheckResult::unknown(format!(
                    "porchlight could not listen for Matter pairing adverts: {e}"
                )),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn only_cm_1_and_2_are_open_windows() {
        assert!(is_open_mode("1"));
        assert!(is_open_mode("2"));
        assert!(!is_open_mode("0"));
        assert!(!is_open_mode(""));
        assert!(!is_open_mode("3"));
    }

    #[test]
    fn adverts_are_matched_by_address_host_name_or_hardware_address() {
        let mut t = Target::new(Ipv4Addr::new(192, 168, 1, 30));
        t.mac = Some(MacAddr([0xb0, 0xc7, 0xde, 0x1a, 0x2b, 0x3c]));
        t.hostnames = vec!["plug-kitchen.local.".into()];
        let v6 = |s: &str| IpAddr::V6(s.parse::<Ipv6Addr>().unwrap());
        assert!(is_from_target(&t, "x.local.", &[IpAddr::V4(t.ip)]));
        assert!(is_from_target(&t, "PLUG-KITCHEN.local.", &[v6("fd00::1")]));
        // Matter names a Wi-Fi device's host after its hardware address.
        assert!(is_from_target(&t, "B0C7DE1A2B3C.local.", &[v6("fd00::1")]));
        // An address formed from the hardware address (modified EUI-64).
        assert!(is_from_target(
            &t,
            "other.local.",
            &[v6("fe80::b2c7:deff:fe1a:2b3c")]
        ));
        assert!(!is_from_target(&t, "other.local.", &[v6("fe80::1")]));
        assert!(!is_from_target(
            &t,
            "other.local.",
            &[IpAddr::V4(Ipv4Addr::new(192, 168, 1, 31))]
        ));
    }
}
