//! The check runtime: the device a check looks at ([`Target`]), what else it may know
//! ([`Context`]: the router, the home's other devices, consent, limits, endpoints), and [`verify`],
//! which runs a [`Check`] over the network within its budget and combines `all-of` and `any-of`.

use std::net::Ipv4Addr;

use super::{
    Check, CheckLimits, CheckResult, PortMapping, Verdict, credentials, honesty, info, matter,
    port_mappings, ports, rtsp, upnp, web,
};
use crate::discovery::scope::{self, Ipv4Net};
use crate::model::{Category, Device, Inventory, OpenPort, Service};

/// The device a check looks at, as the last scan saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its current address.
    pub ip: Ipv4Addr,
    /// Its display name, for evidence ("Living-room camera").
    pub name: String,
    /// What it advertised (mDNS, SSDP/UPnP).
    pub services: Vec<Service>,
    /// The ports that answered in the scan.
    pub open_ports: Vec<OpenPort>,
    /// The firmware version, when known.
    pub firmware: Option<String>,
    /// The maker, when known.
    pub vendor: Option<String>,
    /// The model, when known.
    pub model: Option<String>,
    /// Host names (mDNS).
    pub hostnames: Vec<String>,
    /// It is the default gateway (the router).
    pub is_gateway: bool,
    /// Its kind, as the owner set it or the scan identified it.
    pub category: Category,
    /// Its hardware address, when known (some makers derive the factory password from it).
    pub mac: Option<crate::model::MacAddr>,
}

impl Target {
    /// A bare target at `ip`, nothing known about it.
    pub fn new(ip: Ipv4Addr) -> Self {
        Self {
            ip,
            name: ip.to_string(),
            services: Vec::new(),
            open_ports: Vec::new(),
            firmware: None,
            vendor: None,
            model: None,
            hostnames: Vec::new(),
            is_gateway: false,
            category: Category::Unknown,
            mac: None,
        }
    }

    /// The target for a device of the inventory; `None` when it has no current address.
    pub fn from_device(device: &Device) -> Option<Self> {
        Some(Self {
            ip: device.ip?,
            name: device.name().to_string(),
            services: device.services.clone(),
            open_ports: device.open_ports.clone(),
            firmware: device.firmware.clone(),
            vendor: device.vendor.clone(),
            model: device.model.clone(),
            hostnames: device.hostnames.clone(),
            is_gateway: device.gateway,
            category: device.category(),
            mac: device.mac,
        })
    }
}

/// What is known of the router (the default gateway) from the last scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayInfo {
    /// Its address.
    pub ip: Ipv4Addr,
    /// What it advertised (the UPnP entries hold `location` in their details).
    pub services: Vec<Service>,
}

impl GatewayInfo {
    /// The gateway info of a device; `None` without an address.
    pub fn from_device(device: &Device) -> Option<Self> {
        Some(Self {
            ip: device.ip?,
            services: device.services.clone(),
        })
    }

    /// The router of the inventory: the device last seen as the default gateway.
    pub fn from_inventory(inventory: &Inventory) -> Option<Self> {
        inventory
            .devices
            .iter()
            .filter(|d| d.gateway)
            .find_map(Self::from_device)
    }

    /// The LOCATION of its UPnP InternetGatewayDevice description as the scan saw it, validated:
    /// a plain `http://` address on the router itself, which is private or loopback.
    ///
    /// # Errors
    /// Why there is none: no IGD advertised, or its LOCATION points elsewhere.
    pub fn igd_location(&self) -> Result<String, String> {
        let mut refused = None;
        for service in &self.services {
            if !upnp::is_igd_type(&service.kind) {
                continue;
            }
            let Some(location) = service.txt.get("location") else {
                continue;
            };
            match upnp::validate_location(location, self.ip) {
                Ok(()) => return Ok(location.clone()),
                Err(e) => refused = Some(e),
            }
        }
        Err(refused.unwrap_or_else(|| {
            format!(
                "the router {} advertised no UPnP port mapping (InternetGatewayDevice) in the last scan",
                self.ip
            )
        }))
    }
}

/// Another device of the home, for the checks that look at the whole network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its address.
    pub ip: Ipv4Addr,
    /// Its display name.
    pub name: String,
    /// Its kind.
    pub category: Category,
}

/// Where the multicast services are reached: the standard ports normally, others in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoints {
    /// The router's SSDP port (1900).
    pub ssdp_port: u16,
    /// The mDNS port (5353).
    pub mdns_port: u16,
    /// Listen for mDNS on the loopback interface only (tests).
    pub mdns_loopback_only: bool,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            ssdp_port: 1900,
            mdns_port: 5353,
            mdns_loopback_only: false,
        }
    }
}

/// What a check may know besides its target.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The router, when known.
    pub gateway: Option<GatewayInfo>,
    /// The router's UPnP port mappings, when already listed (saves listing them per device);
    /// `None` lets the checks list them themselves.
    pub mappings: Option<Vec<PortMapping>>,
    /// Why the router's mappings could not be listed once for all (it did not answer): the
    /// checks that need them say so instead of asking it again, each.
    pub mappings_error: Option<String>,
    /// The checks run during a scan that has just heard the router: its IGD description may be
    /// read at the address the scan found rather than searched for again. Off for a wizard's
    /// check, which always searches (the owner may have just turned UPnP off).
    pub in_scan: bool,
    /// The scan's one search of the router, shared by its checks (`None`: each searches).
    pub router_look: Option<upnp::SharedRouterLook>,
    /// This computer's own networks (the subnets of its interfaces).
    pub local_nets: Vec<Ipv4Net>,
    /// The home's devices with an address, the target among them.
    pub peers: Vec<Peer>,
    /// Bounds on the probes.
    pub limits: CheckLimits,
    /// Where SSDP and mDNS are reached.
    pub endpoints: Endpoints,
    /// The owner allowed porchlight to try factory logins on this device.
    pub credentials_consent: bool,
    /// The router offered no UPnP port mapping when [`Context::fetch_mappings`] listed them: the
    /// empty `mappings` then say nothing of forwards, and the checks say so.
    pub router_upnp_off: bool,
}

impl Context {
    /// A context for checks on the devices of `inventory`: its router, its devices as peers, and
    /// this computer's networks `local_nets`; no consent for logins.
    pub fn from_inventory(inventory: &Inventory, local_nets: Vec<Ipv4Net>) -> Self {
        Self {
            gateway: GatewayInfo::from_inventory(inventory),
            peers: inventory
                .devices
                .iter()
                .filter_map(|d| {
                    Some(Peer {
                        ip: d.ip?,
                        name: d.name().to_string(),
                        category: d.category(),
                    })
                })
                .collect(),
            local_nets,
            ..Self::default()
        }
    }

    /// Lists the router's UPnP port mappings once and keeps them, so that checks on several
    /// devices share one listing. Leaves `mappings` empty when the router offers no UPnP.
    ///
    /// # Errors
    /// Why the list could not be read (no router known, no answer, a broken reply).
    pub async fn fetch_mappings(&mut self) -> Result<usize, String> {
        let gateway = self
            .gateway
            .as_ref()
            .ok_or("the router is not known yet: scan first")?;
        let router = upnp::look_at_router(gateway, self, upnp::Look::Igd).await;
        if let Some(error) = &router.error {
            return Err(error.clone());
        }
        // Silence (or a gateway announced but not described) is no evidence that UPnP is off:
        // leave the mappings unknown, and each check asks the router itself.
        if router.igd.is_none() && (!router.heard() || router.announces_igd()) {
            return Err(format!(
                "the router {} did not answer a UPnP search",
                gateway.ip
            ));
        }
        self.router_upnp_off = router.igd.is_none();
        let list = match router.igd {
            None => Vec::new(),
            Some(igd) => port_mappings(&igd.location, upnp::listing_limits(&self.limits)).await?,
        };
        let n = list.len();
        self.mappings = Some(list);
        Ok(n)
    }
}

/// True for the addresses porchlight may send logins and UPnP requests to: private ranges and
/// this machine.
pub fn is_home_address(ip: Ipv4Addr) -> bool {
    scope::is_private(ip) || ip.is_loopback()
}

/// Runs `check` against `target` and says what it found, within [`Check::budget`].
///
/// Never fails: whatever goes wrong (no answer, a refused connection, a broken reply) becomes a
/// [`Verdict::Unknown`] or the verdict it proves, with the evidence.
pub async fn verify(check: &Check, target: &Target, ctx: &Context) -> CheckResult {
    let budget = check.budget(&ctx.limits);
    let run = async {
        match check {
            Check::AllOf { checks } => {
                all_of(futures::future::join_all(checks.iter().map(|c| leaf(c, target, ctx))).await)
            }
            Check::AnyOf { checks } => {
                any_of(futures::future::join_all(checks.iter().map(|c| leaf(c, target, ctx))).await)
            }
            _ => leaf(check, target, ctx).await,
        }
    };
    // A bug in reading this device's answers fails this check only (see `crate::fault`).
    let run = crate::fault::contain("this device's answers", run);
    match tokio::time::timeout(budget, run).await {
        Ok(Ok(result)) => result,
        Ok(Err(note)) => CheckResult::unknown(note),
        Err(_) => CheckResult::unknown(format!(
            "no complete answer from {} within {} s",
            target.ip,
            budget.as_secs_f32()
        ))
        .with_next("Check that the device is switched on and connected, then try again."),
    }
}

/// One check that is not a combination, with what it cannot see added to a pass.
async fn leaf(check: &Check, target: &Target, ctx: &Context) -> CheckResult {
    honesty::complete(check, leaf_result(check, target, ctx).await)
}

/// One check that is not a combination (those are refused inside combinations by validation;
/// here they are Unknown).
async fn leaf_result(check: &Check, target: &Target, ctx: &Context) -> CheckResult {
    match check {
        Check::PortsClosed { ports } => ports::ports_closed(ports, target, ctx).await,
        Check::HttpsAdmin => web::https_admin(target, ctx).await,
        Check::AdminLogin => web::admin_login(target, ctx).await,
        Check::RtspAuth => rtsp::rtsp_auth(target, ctx).await,
        Check::MqttAuth => ports::mqtt_auth(target, ctx).await,
        Check::Smb1Off => ports::smb1_off(target, ctx).await,
        Check::UpnpIgdOff => upnp::igd_off(target, ctx).await,
        Check::UpnpMappings => upnp::mappings_review(target, ctx).await,
        Check::NotExposedViaUpnp { ports } => {
            upnp::not_exposed(ports.as_deref(), target, ctx).await
        }
        Check::RouterUptime { max_days } => upnp::router_uptime(*max_days, target, ctx).await,
        Check::NoWps => upnp::no_wps(target, ctx).await,
        Check::MatterCommissioningClosed => matter::commissioning_closed(target, ctx).await,
        Check::DefaultCredentials => credentials::default_credentials(target, ctx).await,
        Check::SeparateNetwork => info::separate_network(target, ctx),
        Check::SmartDevicesSeparated => info::smart_devices_separated(target, ctx),
        Check::FirmwareSeen => info::firmware_seen(target),
        Check::IdentitySeen => info::identity_seen(target),
        Check::AllOf { .. } | Check::AnyOf { .. } => {
            CheckResult::unknown("a combined check cannot hold another combined check")
        }
    }
}

/// Joins the evidence of `results` (those deciding first), and takes the first advice.
fn joined(results: &[&CheckResult]) -> (String, Option<String>) {
    let evidence = results
        .iter()
        .map(|r| r.evidence.as_str())
        .filter(|e| !e.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let next = results.iter().find_map(|r| r.next.clone());
    (evidence, next)
}

/// Fail when any fails, else Unknown when any is unknown, else does not apply when none applies,
/// else Pass.
fn all_of(results: Vec<CheckResult>) -> CheckResult {
    let verdict = if results.iter().any(|r| r.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if results.iter().any(|r| r.verdict == Verdict::Unknown) || results.is_empty() {
        Verdict::Unknown
    } else if results.iter().all(|r| r.verdict == Verdict::NotApplicable) {
        Verdict::NotApplicable
    } else {
        Verdict::Pass
    };
    combine(verdict, &results)
}

/// Pass when any passes, else does not apply when any does not, else Fail when every one fails,
/// else Unknown.
fn any_of(results: Vec<CheckResult>) -> CheckResult {
    let verdict = if results.iter().any(|r| r.verdict == Verdict::Pass) {
        Verdict::Pass
    } else if results.iter().any(|r| r.verdict == Verdict::NotApplicable) {
        Verdict::NotApplicable
    } else if !results.is_empty() && results.iter().all(|r| r.verdict == Verdict::Fail) {
        Verdict::Fail
    } else {
        Verdict::Unknown
    };
    combine(verdict, &results)
}

fn combine(verdict: Verdict, results: &[CheckResult]) -> CheckResult {
    let mut ordered: Vec<&CheckResult> = results.iter().filter(|r| r.verdict == verdict).collect();
    ordered.extend(results.iter().filter(|r| r.verdict != verdict));
    let (evidence, next) = joined(&ordered);
    let mut result = CheckResult::new(verdict, evidence);
    if verdict == Verdict::Pass {
        // A pass is only as complete as its passing parts together.
        let unconfirmed: Vec<&str> = results
            .iter()
            .filter(|r| r.verdict == Verdict::Pass)
            .filter_map(|r| r.unconfirmed.as_deref())
            .collect();
        if !unconfirmed.is_empty() {
            result = result.in_part(unconfirmed.join("; and "));
        }
    }
    match next {
        Some(next) => result.with_next(next),
        None => result,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn combinations_decide_as_documented() {
        let p = || CheckResult::pass("p");
        let f = || CheckResult::fail("f").with_next("fix f");
        let u = || CheckResult::unknown("u");
        assert_eq!(all_of(vec![p(), p()]).verdict, Verdict::Pass);
        assert_eq!(all_of(vec![p(), u()]).verdict, Verdict::Unknown);
        let r = all_of(vec![p(), f(), u()]);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.evidence, "f; p; u");
        assert_eq!(r.next.as_deref(), Some("fix f"));
        assert_eq!(any_of(vec![f(), p()]).verdict, Verdict::Pass);
        assert_eq!(any_of(vec![f(), f()]).verdict, Verdict::Fail);
        assert_eq!(any_of(vec![f(), u()]).verdict, Verdict::Unknown);
    }

    #[test]
    fn the_gateway_igd_location_must_be_on_the_router() {
        let service = |location: &str| Service {
            source: crate::model::ServiceSource::Upnp,
            kind: "urn:schemas-upnp-org:device:InternetGatewayDevice:1".into(),
            name: "router".into(),
            port: None,
            txt: [("location".to_string(), location.to_string())].into(),
        };
        let gw = |location: &str| GatewayInfo {
            ip: "192.168.1.1".parse().unwrap(),
            services: vec![service(location)],
        };
        assert_eq!(
            gw("http://192.168.1.1:5000/rootDesc.xml")
                .igd_location()
                .unwrap(),
            "http://192.168.1.1:5000/rootDesc.xml"
        );
        for bad in [
            "http://192.168.1.2:5000/rootDesc.xml",
            "https://192.168.1.1/rootDesc.xml",
            "http://router.local/rootDesc.xml",
        ] {
            assert!(gw(bad).igd_location().is_err(), "{bad}");
        }
        let public = GatewayInfo {
            ip: "8.8.8.8".parse().unwrap(),
            services: vec![service("http://8.8.8.8/rootDesc.xml")],
        };
        assert!(public.igd_location().unwrap_err().contains("private"));
        let none = GatewayInfo {
            ip: "192.168.1.1".parse().unwrap(),
            services: vec![],
        };
        assert!(none.igd_location().unwrap_err().contains("no UPnP"));
    }
}
