//! The router's UPnP: whether it still offers port mapping (InternetGatewayDevice), which of its
//! mappings point at which device, how long its connection has been up, and whether it offers
//! WPS over UPnP.
//!
//! How the router is asked, and why:
//! - A unicast SSDP search goes to the router's own address only (through discovery's bounded
//!   [`ssdp::discover`], so replies, descriptions and LOCATION rules are the scan's). A router
//!   that no longer answers is asked once more through the LOCATION the scan saw, if it was on the
//!   router itself, so a missed datagram is not taken for "UPnP off".
//! - The mappings are read with `GetGenericPortMappingEntry` from index 0 until the router answers
//!   with a fault (UPnP error 713, or a bare HTTP 500: the end of the list), at most
//!   [`super::igd::MAX_MAPPINGS`], by `igd` through porchlight's own SOAP ([`super::soap`]) over its bounded
//!   HTTP client: every description and reply is capped in bytes and time and parsed
//!   depth-bounded, and actions only go to a control address on the router's own private
//!   address. (rupnp read whole bodies with no byte limit, so it is never handed a device.)

use std::net::Ipv4Addr;
use std::time::Duration;

use super::igd::{DESCRIPTION_LIMITS, connection_uptime};
pub use super::igd::{PortMapping, external_address, port_mappings};
pub(crate) use super::router_look::{Igd, Look, ROUTER_SEARCHES, look_at_router};
pub use super::router_look::{SharedRouterLook, is_igd_type, validate_location};
use super::rules;
use super::{CheckResult, Context, GatewayInfo, Target};
use crate::discovery::http::Limits;
use crate::sanitize::clean;

/// The bounds on a mapping listing within a check: what is left of the check's time after the
/// search (at least a second).
pub(crate) fn listing_limits(limits: &super::CheckLimits) -> Limits {
    let left = limits
        .overall
        .saturating_sub(limits.ssdp_wait + DESCRIPTION_LIMITS.timeout);
    Limits {
        timeout: left.max(Duration::from_secs(1)),
        max_bytes: DESCRIPTION_LIMITS.max_bytes,
    }
}

/// The router to ask: the context's, or the target itself when it is the gateway.
fn gateway_for(target: &Target, ctx: &Context) -> Option<GatewayInfo> {
    ctx.gateway.clone().or_else(|| {
        target.is_gateway.then(|| GatewayInfo {
            ip: target.ip,
            services: target.services.clone(),
        })
    })
}

fn no_router() -> CheckResult {
    CheckResult::unknown("the router is not known yet, so porchlight cannot ask it about UPnP")
        .with_next("Scan the network first, so that porchlight finds the router.")
}

/// Asks the router (the context's, or the target when it is the gateway) for its UPnP
/// port-mapping device. When there is none to talk to, the result to give instead: the router is
/// not known, the search could not be sent, or (what `off` says for this check) the router offers
/// no UPnP port mapping.
async fn ask_router(
    target: &Target,
    ctx: &Context,
    off: impl FnOnce(&GatewayInfo) -> CheckResult,
) -> Result<(GatewayInfo, Igd), CheckResult> {
    let Some(gateway) = gateway_for(target, ctx) else {
        return Err(no_router());
    };
    let router = look_at_router(&gateway, ctx, Look::Igd).await;
    let heard = router.heard();
    let answered = router.answered;
    let announces = router.announces_igd();
    match (router.igd, router.error) {
        (Some(igd), _) => Ok((gateway, igd)),
        (None, Some(error)) => Err(CheckResult::unknown(format!(
            "porchlight could not ask the router: {error}"
        ))),
        (None, None) if announces => Err(CheckResult::unknown(format!(
            "the router {} announces UPnP port mapping (InternetGatewayDevice), but its description could not be read: {}",
            gateway.ip,
            rules::NO_ANSWER
        ))),
        (None, None) if heard => {
            let how = if answered {
                "it answered the UPnP search and lists no InternetGatewayDevice"
            } else {
                "it refuses the UPnP port (SSDP, UDP 1900)"
            };
            let mut result = off(&gateway);
            result.evidence = clean(
                &format!("{}; {how}", result.evidence),
                super::EVIDENCE_CHARS,
            );
            Err(result)
        }
        (None, None) => Err(rules::no_answer(format!(
            "the router {} to a UPnP search (asked {ROUTER_SEARCHES} times)",
            gateway.ip
        ))),
    }
}

/// The router's mappings: the context's when already listed, else asked of the router (see
/// [`ask_router`] for `off`); a listing that fails is the Unknown result to give.
async fn router_mappings(
    target: &Target,
    ctx: &Context,
    off: impl FnOnce(&GatewayInfo) -> CheckResult,
) -> Result<Vec<PortMapping>, CheckResult> {
    if let Some(list) = &ctx.mappings {
        return Ok(list.clone());
    }
    if let Some(why) = &ctx.mappings_error {
        return Err(listing_failed(why));
    }
    let (_, igd) = ask_router(target, ctx, off).await?;
    port_mappings(&igd.location, listing_limits(&ctx.limits))
        .await
        .map_err(|e| {
            CheckResult::unknown(format!(
                "could not read the router's UPnP port mappings: {e}"
            ))
        })
}

/// The unknown result when the scan's one listing of the mappings failed.
fn listing_failed(why: &str) -> CheckResult {
    CheckResult::unknown(format!(
        "could not read the router's UPnP port mappings: {why}; {}",
        rules::NO_ANSWER
    ))
}

/// The mappings: the context's, or read from the IGD.
async fn mappings_of(igd: &Igd, ctx: &Context) -> Result<Vec<PortMapping>, String> {
    match &ctx.mappings {
        Some(list) => Ok(list.clone()),
        None => port_mappings(&igd.location, listing_limits(&ctx.limits)).await,
    }
}

const MANUAL_FORWARDS: &str = "Manual port forwards and a DMZ host are not visible over the \
                               network: check the router's port-forwarding and DMZ pages too.";

/// What a forward check leaves to the owner when the router has UPnP off.
const UPNP_OFF: &str = "everything but UPnP: with UPnP off on the router porchlight can see no \
                        forwards at all, so manual port forwards and a DMZ host set in the \
                        router's own pages are for you to check";

/// At most `n` mappings described, with a count of the rest.
fn list(mappings: &[&PortMapping], n: usize) -> String {
    let mut shown: Vec<String> = mappings.iter().take(n).map(|m| m.describe()).collect();
    if mappings.len() > n {
        shown.push(format!("and {} more", mappings.len() - n));
    }
    shown.join("; ")
}

/// Pass when the router offers no UPnP port mapping (see [`RouterUpnp::heard`]); Fail when it
/// does, with its mappings; Unknown when it did not answer.
pub async fn igd_off(target: &Target, ctx: &Context) -> CheckResult {
    let asked = ask_router(target, ctx, |gateway| {
        CheckResult::pass(format!(
            "the router {} offers no UPnP port mapping (InternetGatewayDevice)",
            gateway.ip
        ))
    });
    let (gateway, igd) = match asked.await {
        Ok(found) => found,
        Err(result) => return result,
    };
    let name = igd.name().map(|n| format!(" ({n})")).unwrap_or_default();
    let mut evidence = format!("UPnP port mapping is on at the router {}{name}", gateway.ip);
    match mappings_of(&igd, ctx).await {
        Ok(mappings) => {
            let all: Vec<&PortMapping> = mappings.iter().collect();
            if all.is_empty() {
                evidence.push_str(" with no mappings yet");
            } else {
                evidence.push_str(&format!(
                    ", {} mapping{}: {}",
                    all.len(),
                    if all.len() == 1 { "" } else { "s" },
                    list(&all, 5)
                ));
            }
            if !target.is_gateway {
                let own = mappings
                    .iter()
                    .filter(|m| m.internal_client == target.ip)
                    .count();
                if own > 0 {
                    evidence.push_str(&format!(
                        " ({own} of them to {} at {})",
                        target.name, target.ip
                    ));
                }
            }
        }
        Err(e) => evidence.push_str(&format!("; its mappings could not be read: {e}")),
    }
    CheckResult::fail(evidence).with_next(
        "Switch UPnP off in the router's settings (often under Advanced, NAT or WAN), restart the \
         router if it asks, and check again; give a console that needs it a manual port forward.",
    )
}

/// Pass when no enabled UPnP mapping points at the target (at one of `ports` when given), or the
/// router offers no UPnP; Fail naming each mapping that does.
pub async fn not_exposed(ports: Option<&[u16]>, target: &Target, ctx: &Context) -> CheckResult {
    let ports_note = ports
        .map(|p| format!(" ({})", super::named_ports(p)))
        .unwrap_or_default();
    let asked = router_mappings(target, ctx, |gateway| {
        CheckResult::pass(format!(
            "the router {} offers no UPnP port mapping, so UPnP forwards nothing to {}",
            gateway.ip, target.ip
        ))
        .in_part(UPNP_OFF)
        .with_next(MANUAL_FORWARDS)
    });
    let mappings = match asked.await {
        Ok(list) => list,
        Err(result) => return result,
    };
    let hits: Vec<&PortMapping> = mappings
        .iter()
        .filter(|m| {
            m.enabled
                && m.internal_client == target.ip
                && ports.is_none_or(|p| p.contains(&m.internal_port))
        })
        .collect();
    if hits.is_empty() && ctx.router_upnp_off {
        return CheckResult::pass(format!(
            "the router offers no UPnP port mapping, so UPnP forwards nothing to {}",
            target.ip
        ))
        .in_part(UPNP_OFF)
        .with_next(MANUAL_FORWARDS);
    }
    if hits.is_empty() {
        return CheckResult::pass(format!(
            "none of the router's {} UPnP port mapping{} points at {}{ports_note}",
            mappings.len(),
            if mappings.len() == 1 { "" } else { "s" },
            target.ip
        ))
        .with_next(MANUAL_FORWARDS);
    }
    let evidence = match hits.as_slice() {
        [m] => {
            let rule = if m.description.is_empty() {
                String::new()
            } else {
                format!(": rule '{}'", m.description)
            };
            format!(
                "{} port {} on the internet is forwarded to {} ({}:{}) by UPnP{rule}",
                m.protocol, m.external_port, target.name, target.ip, m.internal_port
            )
        }
        _ => format!(
            "{} UPnP forwards reach {} from the internet: {}",
            hits.len(),
            target.name,
            list(&hits, 6)
        ),
    };
    CheckResult::fail(evidence).with_next(
        "Delete the forward in the router's UPnP list (or turn UPnP off), and turn off the \
         device's own automatic port forwarding (often called UPnP, Auto Port Mapping or Remote \
         Access), then check again.",
    )
}

/// Lists the mappings for review: Fail on one pointing at an address where no device answered
/// in the last scan; otherwise Unknown with the list (only the owner knows which they need).
pub async fn mappings_review(target: &Target, ctx: &Context) -> CheckResult {
    if gateway_for(target, ctx).is_none() {
        return no_router();
    }
    let asked = router_mappings(target, ctx, |gateway| {
        CheckResult::unknown(format!(
            "cannot check: the router {} offers no UPnP (it is off), so porchlight can read no port forwards or DMZ setting at all",
            gateway.ip
        ))
        .with_next(MANUAL_FORWARDS)
    });
    let mappings = match asked.await {
        Ok(list) => list,
        Err(result) => return result,
    };
    if mappings.is_empty() && ctx.router_upnp_off {
        return CheckResult::unknown(
            "cannot check: the router offers no UPnP (it is off), so porchlight can read no port forwards or DMZ setting at all",
        )
        .with_next(MANUAL_FORWARDS);
    }
    if mappings.is_empty() {
        return CheckResult::unknown("the router's UPnP list of port forwards is empty")
            .with_next(MANUAL_FORWARDS);
    }
    let known: Vec<Ipv4Addr> = ctx.peers.iter().map(|p| p.ip).collect();
    let orphans: Vec<&PortMapping> = mappings
        .iter()
        .filter(|m| m.enabled && !known.is_empty() && !known.contains(&m.internal_client))
        .collect();
    if !orphans.is_empty() {
        return CheckResult::fail(format!(
            "{} UPnP forward{} to an address where no device answered in the last scan: {}",
            orphans.len(),
            if orphans.len() == 1 {
                " points"
            } else {
                "s point"
            },
            list(&orphans, 6)
        ))
        .with_next(
            "Delete forwards you cannot explain in the router's port-forwarding or UPnP page.",
        );
    }
    let all: Vec<&PortMapping> = mappings.iter().collect();
    CheckResult::unknown(format!(
        "{} UPnP forward{} on the router: {}",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        list(&all, 6)
    ))
    .with_next(format!(
        "Check that you know and still need each one. {MANUAL_FORWARDS}"
    ))
}

/// `3 days 4 hours`, `5 hours`, `12 minutes`.
fn duration_words(secs: u64) -> String {
    let days = secs / 86_400;
    let hours = secs % 86_400 / 3600;
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) if secs < 60 => "less than a minute".into(),
        (0, 0) => plural(secs / 60, "minute"),
        (0, h) => plural(h, "hour"),
        (d, 0) => plural(d, "day"),
        (d, h) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    }
}

/// Pass when the router's connection has been up at most `max_days`; Fail when longer; Unknown
/// when the router offers no UPnP to ask.
pub async fn router_uptime(max_days: u32, target: &Target, ctx: &Context) -> CheckResult {
    let asked = ask_router(target, ctx, |gateway| {
        CheckResult::unknown(format!(
            "the router {} offers no UPnP, so porchlight cannot ask how long it has been up",
            gateway.ip
        ))
        .with_next(
            "Confirm the last restart yourself, or set a weekly restart schedule in the router.",
        )
    });
    let igd = match asked.await {
        Ok((_, igd)) => igd,
        Err(result) => return result,
    };
    match connection_uptime(&igd.location, listing_limits(&ctx.limits)).await {
        Ok(secs) if secs > u64::from(max_days) * 86_400 => CheckResult::fail(format!(
            "the router says its connection has been up for {} (UPnP GetStatusInfo)",
            duration_words(secs)
        ))
        .with_next("Restart the router, or set a weekly restart schedule in its settings."),
        Ok(secs) => CheckResult::pass(format!(
            "the router says its connection has been up for {} (UPnP GetStatusInfo)",
            duration_words(secs)
        ))
        .with_next(
            "This is the connection's uptime: it also starts again when the line reconnects \
             without a restart.",
        ),
        Err(e) => CheckResult::unknown(format!(
            "could not ask the router how long it has been up: {e}"
        )),
    }
}

/// True when a type is WPS over UPnP.
fn is_wfa(kind: &str) -> bool {
    kind.contains(":device:WFADevice:")
}

const WPS_RADIO: &str = "WPS by PIN or button over Wi-Fi cannot be seen from here: check that WPS \
                         is off in the router's Wi-Fi settings.";

/// Fail when the router offers WPS over UPnP; otherwise Unknown: most routers do not announce
/// WPS over UPnP even with WPS on, so seeing none proves nothing.
pub async fn no_wps(target: &Target, ctx: &Context) -> CheckResult {
    let Some(gateway) = gateway_for(target, ctx) else {
        return no_router();
    };
    let router = look_at_router(&gateway, ctx, Look::AllTypes).await;
    if let Some(error) = &router.error {
        let stale = gateway.services.iter().any(|s| is_wfa(&s.kind));
        if stale {
            return CheckResult::fail(format!(
                "the router {} offered WPS over UPnP (WFADevice) in the last scan; porchlight could not ask again: {error}",
                gateway.ip
            ))
            .with_next("Switch WPS off in the router's Wi-Fi settings, then check again.");
        }
        return CheckResult::unknown(format!("porchlight could not ask the router: {error}"));
    }
    let wps = router.types.iter().any(|t| is_wfa(t))
        || router
            .infos
            .iter()
            .any(|i| is_wfa(&i.device_type) || i.embedded_devices.iter().any(|d| is_wfa(d)));
    if wps {
        return CheckResult::fail(format!(
            "the router {} offers WPS over UPnP (WFADevice)",
            gateway.ip
        ))
        .with_next("Switch WPS off in the router's Wi-Fi settings (both PIN and push button), then check again.");
    }
    let evidence = if router.answered {
        format!(
            "cannot check: the router {} offers no WPS over UPnP (WFADevice), but most routers do not announce WPS that way even when it is on",
            gateway.ip
        )
    } else {
        format!(
            "cannot check: the router {} answers no UPnP search, and WPS over Wi-Fi cannot be seen from here",
            gateway.ip
        )
    };
    CheckResult::unknown(evidence).with_next(WPS_RADIO)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn mappings_are_read_from_action_values() {
        let values: HashMap<String, String> = [
            ("NewRemoteHost", ""),
            ("NewExternalPort", "8554"),
            ("NewProtocol", "tcp"),
            ("NewInternalPort", "554"),
            ("NewInternalClient", "10.0.0.14"),
            ("NewEnabled", "1"),
            ("NewPortMappingDescription", "Camera\x1b[2J"),
            ("NewLeaseDuration", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let m = PortMapping::from_values(&values).unwrap();
        assert_eq!(m.describe(), "TCP 8554 -> 10.0.0.14:554 'Camera'");
        let mut broken = values.clone();
        broken.insert("NewInternalClient".into(), "camera.local".into());
        assert!(PortMapping::from_values(&broken).is_none());
    }

    #[test]
    fn locations_must_be_on_the_private_router() {
        let gw: Ipv4Addr = "192.168.1.1".parse().unwrap();
        assert!(validate_location("http://192.168.1.1:5000/rootDesc.xml", gw).is_ok());
        assert!(validate_location("http://192.168.1.9:5000/rootDesc.xml", gw).is_err());
        assert!(validate_location("http://[::1]/", gw).is_err());
        let public: Ipv4Addr = "203.0.113.1".parse().unwrap();
        assert!(
            validate_location("http://203.0.113.1/", public)
                .unwrap_err()
                .contains("private")
        );
    }

    #[test]
    fn uptimes_read_as_words() {
        assert_eq!(duration_words(59), "less than a minute");
        assert_eq!(duration_words(3 * 60), "3 minutes");
        assert_eq!(duration_words(3600), "1 hour");
        assert_eq!(duration_words(86_400 * 23 + 7200), "23 days 2 hours");
    }
}
