//! Checks that need no new probe: what the scan already saw (the firmware version, what may
//! identify a device) and where devices sit relative to this computer's own network.
//!
//! The first two are informative on purpose: porchlight has no list of the newest firmware of
//! every maker, so a version it saw can only be shown, never judged. Network separation is
//! judged from addresses: a device on the same subnet as this computer shares its network.

use super::{CheckResult, Context, Target};
use crate::model::{Category, ServiceSource};

/// TXT keys (compared case-insensitively) that devices use for their firmware version.
const FIRMWARE_KEYS: &[&str] = &[
    "firmware",
    "firmwareversion",
    "firmware_version",
    "fw",
    "fwver",
    "fw_ver",
    "fwversion",
    "fw_version",
    "swversion",
    "sw_version",
    "softwareversion",
];

/// The firmware version and where it came from.
pub fn firmware_of(target: &Target) -> Option<(String, &'static str)> {
    if let Some(fw) = target.firmware.as_deref().filter(|f| !f.trim().is_empty()) {
        return Some((fw.to_string(), "the scan"));
    }
    for service in &target.services {
        for (key, value) in &service.txt {
            if FIRMWARE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k)) && !value.trim().is_empty()
            {
                let from = match service.source {
                    ServiceSource::Mdns => "mDNS",
                    ServiceSource::Upnp => "UPnP",
                };
                return Some((value.clone(), from));
            }
        }
    }
    None
}

/// Informative: the firmware version seen (Unknown, always).
pub fn firmware_seen(target: &Target) -> CheckResult {
    let advice = "Compare it with the newest version on the maker's support page, update if it is \
                  older, and turn on automatic updates where the settings offer them.";
    match firmware_of(target) {
        Some((version, from)) => {
            let model = target
                .model
                .as_deref()
                .map(|m| format!(" on {m}"))
                .unwrap_or_default();
            CheckResult::unknown(format!("firmware {version} seen{model} (from {from})"))
                .with_next(advice)
        }
        None => CheckResult::unknown(format!(
            "no firmware version seen over the network for {}",
            target.ip
        ))
        .with_next(
            "Look up the firmware version in the device's settings or app, compare it with the \
             newest on the maker's support page, and turn on automatic updates.",
        ),
    }
}

/// Informative: everything that may tell what the device is (Unknown, always).
pub fn identity_seen(target: &Target) -> CheckResult {
    let mut parts = Vec::new();
    if let Some(vendor) = &target.vendor {
        parts.push(format!("maker {vendor}"));
    }
    if let Some(model) = &target.model {
        parts.push(format!("model {model}"));
    }
    if !target.hostnames.is_empty() {
        parts.push(format!("name {}", target.hostnames.join(", ")));
    }
    let mut kinds: Vec<&str> = Vec::new();
    for s in &target.services {
        if !kinds.contains(&s.kind.as_str()) && kinds.len() < 8 {
            kinds.push(&s.kind);
        }
    }
    if !kinds.is_empty() {
        parts.push(format!("announces {}", kinds.join(", ")));
    }
    if !target.open_ports.is_empty() {
        let ports: Vec<String> = target
            .open_ports
            .iter()
            .take(8)
            .map(|p| match &p.banner {
                Some(b) => format!("{} {} ({b})", p.service, p.port),
                None => format!("{} {}", p.service, p.port),
            })
            .collect();
        parts.push(format!("open ports {}", ports.join(", ")));
    }
    let evidence = if parts.is_empty() {
        format!("{} answered, but said nothing about itself", target.ip)
    } else {
        format!("{}: {}", target.ip, parts.join("; "))
    };
    CheckResult::unknown(evidence).with_next(
        "If you recognise it, name it and set its kind; if not, look for it in the router's list \
         of connected devices, and block it or move it to the guest network.",
    )
}

/// Pass when the device is not on any of this computer's networks; Fail when it is. A device of
/// unknown kind is not judged: it may be a phone or a computer, which belong on the main network.
pub fn separate_network(target: &Target, ctx: &Context) -> CheckResult {
    if ctx.local_nets.is_empty() {
        return CheckResult::unknown(
            "porchlight does not know this computer's own networks, so it cannot tell",
        );
    }
    if !is_smart(target.category) {
        return CheckResult::unknown(format!(
            "not judged: porchlight does not know what {} is, and a phone or computer belongs on \
             the main network",
            target.ip
        ))
        .with_next(
            "If you know what it is, set its kind on its page: a smart gadget then gets this \
             step judged at the next scan.",
        );
    }
    match ctx.local_nets.iter().find(|n| n.contains(target.ip)) {
        Some(net) => CheckResult::fail(format!(
            "{} is on {net}, the same network as this computer",
            target.ip
        ))
        .with_next(
            "Connect the device to the router's guest or IoT network (its Wi-Fi name and password \
             are in the router's settings), then scan again.",
        ),
        None => {
            let nets: Vec<String> = ctx.local_nets.iter().map(ToString::to_string).collect();
            CheckResult::pass(format!(
                "{} is not on this computer's network ({})",
                target.ip,
                nets.join(", ")
            ))
        }
    }
}

/// The kinds that belong on an IoT network rather than beside the computers.
pub fn is_smart(category: Category) -> bool {
    !matches!(
        category,
        Category::Router | Category::Computer | Category::Nas | Category::Unknown
    )
}

/// Pass when none of the home's smart devices shares this computer's network; Fail naming those
/// that do; Unknown when no smart device is known.
pub fn smart_devices_separated(target: &Target, ctx: &Context) -> CheckResult {
    if ctx.local_nets.is_empty() {
        return CheckResult::unknown(
            "porchlight does not know this computer's own networks, so it cannot tell",
        );
    }
    let smart: Vec<_> = ctx
        .peers
        .iter()
        .filter(|p| is_smart(p.category) && p.ip != target.ip)
        .collect();
    if smart.is_empty() {
        return CheckResult::unknown("porchlight has not seen any smart device yet")
            .with_next("Scan again once your smart devices are switched on.");
    }
    let beside: Vec<String> = smart
        .iter()
        .filter(|p| ctx.local_nets.iter().any(|n| n.contains(p.ip)))
        .map(|p| format!("{} ({})", p.name, p.ip))
        .collect();
    if beside.is_empty() {
        return CheckResult::pass(format!(
            "none of the {} smart devices seen shares this computer's network",
            smart.len()
        ))
        .with_next(
            "porchlight cannot see the guest network for visitors: check it is on in the router.",
        );
    }
    let shown: Vec<&str> = beside.iter().take(6).map(String::as_str).collect();
    let more = beside.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    CheckResult::fail(format!(
        "{} smart device{} share{} the network with this computer: {}{more}",
        beside.len(),
        if beside.len() == 1 { "" } else { "s" },
        if beside.len() == 1 { "s" } else { "" },
        shown.join(", ")
    ))
    .with_next(
        "Turn on the router's guest or IoT network with client isolation and move smart devices \
         onto it, then scan again.",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::checks::{Peer, Verdict};
    use crate::discovery::scope::Ipv4Net;
    use crate::model::Service;

    fn target(ip: &str) -> Target {
        Target::new(ip.parse().unwrap())
    }

    fn camera(ip: &str) -> Target {
        Target {
            category: Category::Camera,
            ..target(ip)
        }
    }

    #[test]
    fn firmware_comes_from_the_device_or_its_txt_records() {
        let mut t = target("10.0.0.5");
        assert!(firmware_seen(&t).evidence.contains("no firmware version"));
        t.services.push(Service {
            source: ServiceSource::Mdns,
            kind: "_hap._tcp".into(),
            name: "Plug".into(),
            port: Some(80),
            txt: [("FW_Ver".to_string(), "2.1.3".to_string())].into(),
        });
        let r = firmware_seen(&t);
        assert_eq!(r.verdict, Verdict::Unknown);
        assert_eq!(r.evidence, "firmware 2.1.3 seen (from mDNS)");
        t.firmware = Some("V1.0.11".into());
        t.model = Some("R7000".into());
        assert_eq!(
            firmware_seen(&t).evidence,
            "firmware V1.0.11 seen on R7000 (from the scan)"
        );
    }

    #[test]
    fn separation_follows_the_local_networks() {
        let ctx = Context {
            local_nets: vec![Ipv4Net::new("192.168.1.7".parse().unwrap(), 24).unwrap()],
            peers: vec![
                Peer {
                    ip: "192.168.1.20".parse().unwrap(),
                    name: "Camera".into(),
                    category: Category::Camera,
                },
                Peer {
                    ip: "192.168.1.30".parse().unwrap(),
                    name: "Laptop".into(),
                    category: Category::Computer,
                },
            ],
            ..Context::default()
        };
        let r = separate_network(&camera("192.168.1.20"), &ctx);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.evidence.contains("192.168.1.0/24"), "{}", r.evidence);
        assert_eq!(
            separate_network(&camera("192.168.50.20"), &ctx).verdict,
            Verdict::Pass
        );
        // A device of unknown kind (maybe the owner's phone) is not judged, wherever it is.
        let r = separate_network(&target("192.168.1.40"), &ctx);
        assert_eq!(r.verdict, Verdict::Unknown);
        assert!(r.evidence.starts_with("not judged: "), "{}", r.evidence);
        let r = smart_devices_separated(&target("192.168.1.1"), &ctx);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(
            r.evidence,
            "1 smart device shares the network with this computer: Camera (192.168.1.20)"
        );
        assert_eq!(
            separate_network(&camera("192.168.1.20"), &Context::default()).verdict,
            Verdict::Unknown
        );
    }
}
