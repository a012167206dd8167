//! Verifiers for the hardening steps the network can prove: after the owner says "done",
//! porchlight probes the device again and says whether the fix took, with the evidence it saw.
//!
//! Each step of the catalog that is marked `verify = "network"` names one [`Check`] (data in
//! `assets/checklist.toml`); [`verify`] runs it against a [`Target`] (the device as the last scan
//! saw it) in a [`Context`] (the router, the home's other devices, the owner's consent, limits)
//! and returns a [`CheckResult`]: a [`Verdict`], one line of evidence and what to try next.
//!
//! Why verdicts are three-valued: a probe that gets no answer proves little, so anything porchlight
//! cannot tell for sure is [`Verdict::Unknown`] with the reason, never a guess. Informative checks
//! (the firmware version seen, what identifies a device) are always `Unknown`; a check that only
//! covers part of a step passes with a `next` line naming what porchlight cannot see.
//!
//! Safety rules, the same as discovery's: every probe is bounded in time and bytes (the whole
//! [`verify`] call by [`CheckLimits::overall`], the credential check by
//! [`CheckLimits::credentials_budget`]); everything a device says is cleaned with
//! [`crate::sanitize::clean`] before it reaches the evidence; a UPnP description is only read from
//! the router's own private address; and logins are only ever tried with the owner's consent for
//! that device, on a private or loopback address, with few tries and a pause between them.
//!
//! One file per family: `ports` (ports closed, MQTT, SMB1), `web` (HTTPS admin page, login on the
//! settings page), `rtsp` (video stream login), `upnp` (router UPnP, port mappings, WPS, uptime),
//! `matter` (commissioning adverts), `credentials` (factory logins) with `login_policy` (when they
//! may run), `info` (what was seen, network separation); `honesty` says what each check cannot see
//! (a pass that covers part of a step is "verified in part", see [`CheckResult::unconfirmed`]).

pub mod credentials;
mod digest;
pub mod honesty;
pub mod info;
pub mod login_policy;
pub mod matter;
pub mod ports;
pub mod rtsp;
pub mod soap;
pub mod upnp;
pub mod web;

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::discovery::scope::{self, Ipv4Net};
use crate::model::{Category, Device, Inventory, OpenPort, Service};
use crate::sanitize;

pub use upnp::{PortMapping, port_mappings};

/// The longest evidence or advice line kept, in characters.
pub const EVIDENCE_CHARS: usize = 400;

/// The most ports one `ports-closed` or `not-exposed-via-upnp` check may name.
pub const MAX_CHECK_PORTS: usize = 32;

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The fix took: what the step asks for is what the network shows.
    Pass,
    /// The fix did not take (or came undone): the evidence says what is still there.
    Fail,
    /// porchlight cannot tell (no answer, nothing to look at, or an informative check).
    Unknown,
}

impl Verdict {
    /// The verdict in the owner's words: `verified`, `failed` or `cannot check` (a pass that
    /// covers part of a step is "verified in part": see [`CheckResult::label`]).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "verified",
            Verdict::Fail => "failed",
            Verdict::Unknown => "cannot check",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The outcome of one check: a verdict, one line of evidence, and what to try next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// What the check concluded.
    pub verdict: Verdict,
    /// What porchlight saw, one cleaned line ("telnet still answers on 10.0.0.57:23 (banner:
    /// login:)").
    pub evidence: String,
    /// What the owner could try next, in plain words; also names what a passing check could not
    /// see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// For a pass: what the check could not see and the owner must still confirm ("manual port
    /// forwards and a DMZ host"); a pass with this is "verified in part".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
}

impl CheckResult {
    fn new(verdict: Verdict, evidence: impl AsRef<str>) -> Self {
        Self {
            verdict,
            evidence: sanitize::clean(evidence.as_ref(), EVIDENCE_CHARS),
            next: None,
            unconfirmed: None,
        }
    }

    /// Marks a pass as "verified in part": `what` the owner must still confirm (cleaned to one
    /// line). Kept on any verdict, but only a pass shows it as "verified in part".
    pub fn in_part(mut self, what: impl AsRef<str>) -> Self {
        let what = sanitize::clean(what.as_ref(), EVIDENCE_CHARS);
        self.unconfirmed = (!what.is_empty()).then_some(what);
        self
    }

    /// A passing result with its evidence (cleaned to one line).
    pub fn pass(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Pass, evidence)
    }

    /// A failing result with its evidence (cleaned to one line).
    pub fn fail(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Fail, evidence)
    }

    /// An undecided result with its reason (cleaned to one line).
    pub fn unknown(evidence: impl AsRef<str>) -> Self {
        Self::new(Verdict::Unknown, evidence)
    }

    /// Adds what to try next (cleaned to one line).
    pub fn with_next(mut self, next: impl AsRef<str>) -> Self {
        let next = sanitize::clean(next.as_ref(), EVIDENCE_CHARS);
        self.next = (!next.is_empty()).then_some(next);
        self
    }
}

/// What porchlight can check over the network, as named by a step's `check` in the catalog
/// (`check = { kind = "ports-closed", ports = [23, 2323] }`).
///
/// Written as a table with a `kind` and the kind's parameters; a missing parameter, a parameter
/// the kind does not take, or an unknown kind is refused when the catalog is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCheck", into = "RawCheck")]
pub enum Check {
    /// Every one of `ports` refuses a TCP connection (or does not answer); fails naming each
    /// port that answers, with its banner.
    PortsClosed {
        /// TCP ports that must be closed.
        ports: Vec<u16>,
    },
    /// TLS answers on 443 or 8443, and every plain-HTTP admin port that answers redirects to
    /// `https://`.
    HttpsAdmin,
    /// The settings page on the plain-HTTP admin ports asks for a login (401 or a password field).
    AdminLogin,
    /// An RTSP `DESCRIBE` without credentials is refused with 401 on 554 and 8554.
    RtspAuth,
    /// An anonymous MQTT CONNECT on 1883 is refused.
    MqttAuth,
    /// The SMB server on 445 refuses the old SMB1 dialect.
    Smb1Off,
    /// The router does not answer a UPnP port-mapping (InternetGatewayDevice) search.
    UpnpIgdOff,
    /// Lists the router's UPnP port mappings for review; fails on one that points at an address
    /// where no device answered; otherwise informative.
    UpnpMappings,
    /// No UPnP port mapping on the router points at this device (at one of `ports`, when given).
    NotExposedViaUpnp {
        /// Internal ports that count; all when absent.
        #[serde(default)]
        ports: Option<Vec<u16>>,
    },
    /// The router's connection uptime (UPnP `GetStatusInfo`) is at most `max_days`.
    RouterUptime {
        /// The longest uptime that passes, in days.
        max_days: u32,
    },
    /// The router offers no WPS over UPnP (no `WFADevice`); partial: Wi-Fi WPS is not visible.
    NoWps,
    /// The device does not advertise Matter commissioning (`_matterc._udp`) over mDNS.
    MatterCommissioningClosed,
    /// No factory login (from `assets/default-credentials.toml`) opens the web page or telnet;
    /// only tried with the owner's consent for this device.
    DefaultCredentials,
    /// The device is not on this computer's own network (so it sits on a guest or IoT network).
    SeparateNetwork,
    /// No smart device of the home shares this computer's network.
    SmartDevicesSeparated,
    /// Informative: the firmware version seen, if any. Never passes.
    FirmwareSeen,
    /// Informative: what identifies the device (maker, names, services, ports). Never passes.
    IdentitySeen,
    /// Passes when every one of `checks` passes; fails when any fails.
    AllOf {
        /// The checks (at least two, none of them `all-of` or `any-of`).
        checks: Vec<Check>,
    },
    /// Passes when any of `checks` passes; fails when every one fails.
    AnyOf {
        /// The checks (at least two, none of them `all-of` or `any-of`).
        checks: Vec<Check>,
    },
}

impl Check {
    /// The kind's name as written in the catalog (`ports-closed`).
    pub fn kind(&self) -> &'static str {
        match self {
            Check::PortsClosed { .. } => "ports-closed",
            Check::HttpsAdmin => "https-admin",
            Check::AdminLogin => "admin-login",
            Check::RtspAuth => "rtsp-auth",
            Check::MqttAuth => "mqtt-auth",
            Check::Smb1Off => "smb1-off",
            Check::UpnpIgdOff => "upnp-igd-off",
            Check::UpnpMappings => "upnp-mappings",
            Check::NotExposedViaUpnp { .. } => "not-exposed-via-upnp",
            Check::RouterUptime { .. } => "router-uptime",
            Check::NoWps => "no-wps",
            Check::MatterCommissioningClosed => "matter-commissioning-closed",
            Check::DefaultCredentials => "default-credentials",
            Check::SeparateNetwork => "separate-network",
            Check::SmartDevicesSeparated => "smart-devices-separated",
            Check::FirmwareSeen => "firmware-seen",
            Check::IdentitySeen => "identity-seen",
            Check::AllOf { .. } => "all-of",
            Check::AnyOf { .. } => "any-of",
        }
    }

    /// Checks the parameters: port lists non-empty, without 0 or repeats and at most
    /// [`MAX_CHECK_PORTS`] long; `max_days` from 1 to 365; `all-of` and `any-of` with at least
    /// two checks and no nesting.
    ///
    /// # Errors
    /// One line naming the kind and what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Check::PortsClosed { ports } | Check::NotExposedViaUpnp { ports: Some(ports) } => {
                validate_ports(self.kind(), ports)
            }
            Check::RouterUptime { max_days } if !(1..=365).contains(max_days) => Err(format!(
                "`{}` needs max_days from 1 to 365, not {max_days}",
                self.kind()
            )),
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                if checks.len() < 2 {
                    return Err(format!("`{}` needs at least two checks", self.kind()));
                }
                for check in checks {
                    if matches!(check, Check::AllOf { .. } | Check::AnyOf { .. }) {
                        return Err(format!(
                            "`{}` cannot hold another `{}`",
                            self.kind(),
                            check.kind()
                        ));
                    }
                    check.validate()?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// True when the check tries logins, which needs the owner's consent for the device.
    pub fn needs_consent(&self) -> bool {
        match self {
            Check::DefaultCredentials => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().any(Check::needs_consent)
            }
            _ => false,
        }
    }

    /// True when the check reads the router's UPnP port mappings (worth listing once for many
    /// checks with [`Context::fetch_mappings`]).
    pub fn needs_mappings(&self) -> bool {
        match self {
            Check::UpnpIgdOff | Check::UpnpMappings | Check::NotExposedViaUpnp { .. } => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().any(Check::needs_mappings)
            }
            _ => false,
        }
    }

    /// True when the check only reports what it saw and never passes.
    pub fn is_informative(&self) -> bool {
        match self {
            Check::FirmwareSeen | Check::IdentitySeen => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().all(Check::is_informative)
            }
            _ => false,
        }
    }

    /// What porchlight does for this check and, where a pass covers only part of it, what it
    /// cannot see, in plain words for the wizard.
    pub fn describe(&self) -> String {
        let does = self.does();
        match honesty::blind_spot(self) {
            Some(spot) => format!("{does}; it cannot see {spot}"),
            None => does,
        }
    }

    /// What porchlight does for this check.
    fn does(&self) -> String {
        match self {
            Check::PortsClosed { ports } => {
                format!("porchlight tries to connect to {}", ports::named_ports(ports))
            }
            Check::HttpsAdmin => "porchlight looks for a secure (https) admin page on ports 443 and 8443, and checks that the plain http pages switch to it".into(),
            Check::AdminLogin => "porchlight opens the settings page over http and checks that it asks for a password".into(),
            Check::RtspAuth => "porchlight asks for the video stream (RTSP, ports 554 and 8554) without a password and checks that it is refused".into(),
            Check::MqttAuth => "porchlight connects to the MQTT broker (port 1883) without a login and checks that it is refused".into(),
            Check::Smb1Off => "porchlight offers the file-sharing service (port 445) only the old SMB1 dialect and checks that it is refused".into(),
            Check::UpnpIgdOff => "porchlight asks the router for UPnP port mapping and lists the mappings if it answers".into(),
            Check::UpnpMappings => "porchlight lists the router's UPnP port mappings and flags those that point at no device".into(),
            Check::NotExposedViaUpnp { ports: None } => "porchlight reads the router's UPnP port mappings and checks that none points at this device".into(),
            Check::NotExposedViaUpnp { ports: Some(ports) } => format!(
                "porchlight reads the router's UPnP port mappings and checks that none reaches {} on this device",
                ports::named_ports(ports)
            ),
            Check::RouterUptime { max_days } => format!(
                "porchlight asks the router over UPnP how long its connection has been up (at most {max_days} days passes)"
            ),
            Check::NoWps => "porchlight looks for WPS offered over UPnP, which fails the step when seen; most routers do not announce WPS that way even when it is on, so seeing none proves nothing and WPS over Wi-Fi (PIN or button) is for you to check".into(),
            Check::MatterCommissioningClosed => "porchlight listens for the device announcing that it is open for Matter pairing".into(),
            Check::DefaultCredentials => format!(
                "only if you allow it for this device, and only the first time, after a firmware change or when you ask: porchlight tries at most {} factory logins that fit its maker and kind (at most {} per user name) on its web page or login form, telnet, FTP or video stream, and stops at the first sign of a lockout; it does not try SSH",
                CheckLimits::default().max_credential_tries,
                CheckLimits::default().max_tries_per_user
            ),
            Check::SeparateNetwork => "porchlight checks whether the device is on the same network as this computer".into(),
            Check::SmartDevicesSeparated => "porchlight checks whether smart devices share this computer's network".into(),
            Check::FirmwareSeen => "porchlight shows the firmware version it saw, to compare with the maker's newest".into(),
            Check::IdentitySeen => "porchlight shows everything it saw that may tell what the device is".into(),
            Check::AllOf { checks } => checks
                .iter()
                .map(Check::describe)
                .collect::<Vec<_>>()
                .join("; and "),
            Check::AnyOf { checks } => checks
                .iter()
                .map(Check::describe)
                .collect::<Vec<_>>()
                .join("; or "),
        }
    }

    /// The most time [`verify`] takes for this check.
    pub fn budget(&self, limits: &CheckLimits) -> Duration {
        match self {
            Check::DefaultCredentials => limits.credentials_budget,
            Check::AllOf { checks } | Check::AnyOf { checks } => checks
                .iter()
                .map(|c| c.budget(limits))
                .max()
                .unwrap_or(limits.overall),
            _ => limits.overall,
        }
    }
}

/// Every check kind, as written in the catalog.
pub const CHECK_KINDS: &[&str] = &[
    "ports-closed",
    "https-admin",
    "admin-login",
    "rtsp-auth",
    "mqtt-auth",
    "smb1-off",
    "upnp-igd-off",
    "upnp-mappings",
    "not-exposed-via-upnp",
    "router-uptime",
    "no-wps",
    "matter-commissioning-closed",
    "default-credentials",
    "separate-network",
    "smart-devices-separated",
    "firmware-seen",
    "identity-seen",
    "all-of",
    "any-of",
];

/// A check as written in the catalog, before its kind and parameters are matched up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ports: Option<Vec<u16>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checks: Option<Vec<RawCheck>>,
}

impl TryFrom<RawCheck> for Check {
    type Error = String;

    fn try_from(raw: RawCheck) -> Result<Self, Self::Error> {
        let RawCheck {
            kind,
            mut ports,
            mut max_days,
            mut checks,
        } = raw;
        let missing = |name: &str| format!("check `{kind}` needs `{name}`");
        let check = match kind.as_str() {
            "ports-closed" => Check::PortsClosed {
                ports: ports.take().ok_or_else(|| missing("ports"))?,
            },
            "https-admin" => Check::HttpsAdmin,
            "admin-login" => Check::AdminLogin,
            "rtsp-auth" => Check::RtspAuth,
            "mqtt-auth" => Check::MqttAuth,
            "smb1-off" => Check::Smb1Off,
            "upnp-igd-off" => Check::UpnpIgdOff,
            "upnp-mappings" => Check::UpnpMappings,
            "not-exposed-via-upnp" => Check::NotExposedViaUpnp {
                ports: ports.take(),
            },
            "router-uptime" => Check::RouterUptime {
                max_days: max_days.take().ok_or_else(|| missing("max_days"))?,
            },
            "no-wps" => Check::NoWps,
            "matter-commissioning-closed" => Check::MatterCommissioningClosed,
            "default-credentials" => Check::DefaultCredentials,
            "separate-network" => Check::SeparateNetwork,
            "smart-devices-separated" => Check::SmartDevicesSeparated,
            "firmware-seen" => Check::FirmwareSeen,
            "identity-seen" => Check::IdentitySeen,
            "all-of" | "any-of" => {
                let list = checks
                    .take()
                    .ok_or_else(|| missing("checks"))?
                    .into_iter()
                    .map(Check::try_from)
                    .collect::<Result<Vec<_>, _>>()?;
                if kind == "all-of" {
                    Check::AllOf { checks: list }
                } else {
                    Check::AnyOf { checks: list }
                }
            }
            other => {
                return Err(format!(
                    "unknown check kind `{}` (known: {})",
                    sanitize::clean(other, 40),
                    CHECK_KINDS.join(", ")
                ));
            }
        };
        for (name, left) in [
            ("ports", ports.is_some()),
            ("max_days", max_days.is_some()),
            ("checks", checks.is_some()),
        ] {
            if left {
                return Err(format!("check `{kind}` takes no `{name}`"));
            }
        }
        Ok(check)
    }
}

impl From<Check> for RawCheck {
    fn from(check: Check) -> Self {
        let kind = check.kind().to_string();
        let mut raw = RawCheck {
            kind,
            ports: None,
            max_days: None,
            checks: None,
        };
        match check {
            Check::PortsClosed { ports } => raw.ports = Some(ports),
            Check::NotExposedViaUpnp { ports } => raw.ports = ports,
            Check::RouterUptime { max_days } => raw.max_days = Some(max_days),
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                raw.checks = Some(checks.into_iter().map(RawCheck::from).collect());
            }
            _ => {}
        }
        raw
    }
}

fn validate_ports(kind: &str, ports: &[u16]) -> Result<(), String> {
    if ports.is_empty() {
        return Err(format!("`{kind}` needs at least one port"));
    }
    if ports.len() > MAX_CHECK_PORTS {
        return Err(format!("`{kind}` names more than {MAX_CHECK_PORTS} ports"));
    }
    if ports.contains(&0) {
        return Err(format!("`{kind}` names port 0"));
    }
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("`{kind}` names port {} twice", w[0]));
    }
    Ok(())
}

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
        }
    }

    /// The target for a device of the inventory; `None` when it has no current address.
    pub fn from_device(device: &Device) -> Option<Self> {
        Some(Self {
            ip: device.ip?,
            name: device.name.clone(),
            services: device.services.clone(),
            open_ports: device.open_ports.clone(),
            firmware: device.firmware.clone(),
            vendor: device.vendor.clone(),
            model: device.model.clone(),
            hostnames: device.hostnames.clone(),
            is_gateway: device.gateway,
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

/// Bounds on the probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLimits {
    /// How long a TCP connect may take before the port counts as closed (filtered).
    pub connect_timeout: Duration,
    /// How long one exchange after the connect may take.
    pub exchange_timeout: Duration,
    /// The most bytes read in one exchange.
    pub max_bytes: usize,
    /// The whole [`verify`] call, for every check but the credential check.
    pub overall: Duration,
    /// The whole credential check.
    pub credentials_budget: Duration,
    /// The most logins tried on one device.
    pub max_credential_tries: usize,
    /// The most logins tried with one user name on one device (accounts lock per name).
    pub max_tries_per_user: usize,
    /// The pause between two login tries.
    pub credential_pause: Duration,
    /// How long to listen for SSDP answers from the router.
    pub ssdp_wait: Duration,
    /// How long to listen for mDNS adverts.
    pub mdns_window: Duration,
}

impl Default for CheckLimits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_millis(600),
            exchange_timeout: Duration::from_millis(1500),
            max_bytes: 64 * 1024,
            overall: Duration::from_secs(5),
            credentials_budget: Duration::from_secs(30),
            max_credential_tries: 3,
            max_tries_per_user: 3,
            credential_pause: Duration::from_secs(1),
            ssdp_wait: Duration::from_millis(900),
            mdns_window: Duration::from_millis(1500),
        }
    }
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
                        name: d.name.clone(),
                        category: d.owner_category.unwrap_or(d.category),
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
        let router = upnp::look_at_router(gateway, self).await;
        self.router_upnp_off = router.igd.is_none() && router.error.is_none();
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

/// Fail when any fails, else Unknown when any is unknown, else Pass.
fn all_of(results: Vec<CheckResult>) -> CheckResult {
    let verdict = if results.iter().any(|r| r.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if results.iter().any(|r| r.verdict == Verdict::Unknown) || results.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Pass
    };
    combine(verdict, &results)
}

/// Pass when any passes, else Fail when every one fails, else Unknown.
fn any_of(results: Vec<CheckResult>) -> CheckResult {
    let verdict = if results.iter().any(|r| r.verdict == Verdict::Pass) {
        Verdict::Pass
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

    fn parse(text: &str) -> Result<Check, String> {
        #[derive(Deserialize)]
        struct Holder {
            check: Check,
        }
        toml::from_str::<Holder>(text)
            .map(|h| h.check)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn checks_parse_from_toml_by_kind() {
        assert_eq!(
            parse("check = { kind = \"ports-closed\", ports = [23, 2323] }").unwrap(),
            Check::PortsClosed {
                ports: vec![23, 2323]
            }
        );
        assert_eq!(
            parse("check = { kind = \"not-exposed-via-upnp\" }").unwrap(),
            Check::NotExposedViaUpnp { ports: None }
        );
        assert_eq!(
            parse("check = { kind = \"mqtt-auth\" }").unwrap(),
            Check::MqttAuth
        );
        let both = parse(
            "check = { kind = \"any-of\", checks = [{ kind = \"ports-closed\", ports = [9999] }, { kind = \"separate-network\" }] }",
        )
        .unwrap();
        assert!(matches!(both, Check::AnyOf { ref checks } if checks.len() == 2));
        assert!(parse("check = { kind = \"telnet-off\" }").is_err());
        assert!(parse("check = { kind = \"mqtt-auth\", port = 1883 }").is_err());
        let e = parse("check = { kind = \"ports-closed\" }").unwrap_err();
        assert!(e.contains("needs `ports`"), "{e}");
        let e = parse("check = { kind = \"mqtt-auth\", ports = [1883] }").unwrap_err();
        assert!(e.contains("takes no `ports`"), "{e}");
        let e = parse("check = { kind = \"telnet-off\" }").unwrap_err();
        assert!(e.contains("unknown check kind `telnet-off`"), "{e}");
        // Every kind round-trips through its written form.
        for kind in CHECK_KINDS {
            let text = match *kind {
                "ports-closed" => format!("check = {{ kind = \"{kind}\", ports = [23] }}"),
                "router-uptime" => format!("check = {{ kind = \"{kind}\", max_days = 7 }}"),
                "all-of" | "any-of" => format!(
                    "check = {{ kind = \"{kind}\", checks = [{{ kind = \"mqtt-auth\" }}, {{ kind = \"no-wps\" }}] }}"
                ),
                _ => format!("check = {{ kind = \"{kind}\" }}"),
            };
            let check = parse(&text).unwrap();
            assert_eq!(check.kind(), *kind);
            let json = serde_json::to_string(&check).unwrap();
            assert_eq!(serde_json::from_str::<Check>(&json).unwrap(), check);
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let bad = [
            (Check::PortsClosed { ports: vec![] }, "at least one port"),
            (Check::PortsClosed { ports: vec![0] }, "port 0"),
            (
                Check::PortsClosed {
                    ports: vec![23, 23],
                },
                "twice",
            ),
            (
                Check::NotExposedViaUpnp {
                    ports: Some(vec![]),
                },
                "at least one port",
            ),
            (Check::RouterUptime { max_days: 0 }, "max_days"),
            (
                Check::AllOf {
                    checks: vec![Check::MqttAuth],
                },
                "at least two",
            ),
            (
                Check::AnyOf {
                    checks: vec![
                        Check::MqttAuth,
                        Check::AllOf {
                            checks: vec![Check::MqttAuth, Check::RtspAuth],
                        },
                    ],
                },
                "cannot hold",
            ),
            (
                Check::AllOf {
                    checks: vec![Check::MqttAuth, Check::PortsClosed { ports: vec![] }],
                },
                "at least one port",
            ),
        ];
        for (check, words) in bad {
            let e = check.validate().unwrap_err();
            assert!(e.contains(words), "{check:?}: {e}");
        }
        assert!(
            Check::PortsClosed {
                ports: (1..=33).collect()
            }
            .validate()
            .is_err()
        );
        assert!(Check::RouterUptime { max_days: 7 }.validate().is_ok());
    }

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
    fn evidence_is_one_clean_line() {
        let r = CheckResult::fail("banner:\r\n\x1b[31mlogin:\x1b[0m  \n").with_next("try\tagain\n");
        assert_eq!(r.evidence, "banner: login:");
        assert_eq!(r.next.as_deref(), Some("try again"));
        let long = CheckResult::unknown("x".repeat(1000));
        assert!(long.evidence.chars().count() <= EVIDENCE_CHARS);
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

    #[test]
    fn consent_and_informative_flags_follow_the_parts() {
        let combo = Check::AllOf {
            checks: vec![
                Check::DefaultCredentials,
                Check::PortsClosed { ports: vec![23] },
            ],
        };
        assert!(combo.needs_consent());
        assert!(!Check::MqttAuth.needs_consent());
        assert!(Check::FirmwareSeen.is_informative());
        assert!(!combo.is_informative());
        let limits = CheckLimits::default();
        assert_eq!(combo.budget(&limits), limits.credentials_budget);
        assert_eq!(Check::MqttAuth.budget(&limits), limits.overall);
        assert!(combo.describe().contains("factory logins"));
    }
}
