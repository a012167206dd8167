//! The check definitions: what porchlight can check over the network ([`Check`], as a step's
//! `check` names it in `assets/checklist.toml`), how a check is read and validated, what it does
//! and cannot see in the owner's words, and how long it may take ([`CheckLimits`]). Plain data
//! with no IO: the catalog depends on this file alone; running a check is `run`'s job.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::honesty;
use crate::discovery::ports::table::RiskyPort;
use crate::sanitize;

/// The most ports one `ports-closed` or `not-exposed-via-upnp` check may name.
pub const MAX_CHECK_PORTS: usize = 32;

/// What porchlight can check over the network, as named by a step's `check` in the catalog
/// (`check = { kind = "ports-closed", ports = [23, 2323] }`).
///
/// Written as a table with a `kind` and the kind's parameters; a missing parameter, a parameter
/// the kind does not take, or an unknown kind is refused when the catalog is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCheck", into = "RawCheck")]
pub enum Check {
    /// Every one of `ports` is refused by the device (a TCP reset); fails naming each port that
    /// accepts, with its banner; a port that stays silent leaves it unknown.
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
    /// The router offers no UPnP port mapping (InternetGatewayDevice): it answered the search and
    /// its description lists none, or it refused the UPnP port; silence is unknown.
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
        self.check_kind().name()
    }

    /// Which kind of check this is.
    pub fn check_kind(&self) -> CheckKind {
        match self {
            Check::PortsClosed { .. } => CheckKind::PortsClosed,
            Check::HttpsAdmin => CheckKind::HttpsAdmin,
            Check::AdminLogin => CheckKind::AdminLogin,
            Check::RtspAuth => CheckKind::RtspAuth,
            Check::MqttAuth => CheckKind::MqttAuth,
            Check::Smb1Off => CheckKind::Smb1Off,
            Check::UpnpIgdOff => CheckKind::UpnpIgdOff,
            Check::UpnpMappings => CheckKind::UpnpMappings,
            Check::NotExposedViaUpnp { .. } => CheckKind::NotExposedViaUpnp,
            Check::RouterUptime { .. } => CheckKind::RouterUptime,
            Check::NoWps => CheckKind::NoWps,
            Check::MatterCommissioningClosed => CheckKind::MatterCommissioningClosed,
            Check::DefaultCredentials => CheckKind::DefaultCredentials,
            Check::SeparateNetwork => CheckKind::SeparateNetwork,
            Check::SmartDevicesSeparated => CheckKind::SmartDevicesSeparated,
            Check::FirmwareSeen => CheckKind::FirmwareSeen,
            Check::IdentitySeen => CheckKind::IdentitySeen,
            Check::AllOf { .. } => CheckKind::AllOf,
            Check::AnyOf { .. } => CheckKind::AnyOf,
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
    /// checks with [`Context::fetch_mappings`](super::Context::fetch_mappings)).
    pub fn needs_mappings(&self) -> bool {
        match self {
            Check::UpnpIgdOff | Check::UpnpMappings | Check::NotExposedViaUpnp { .. } => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().any(Check::needs_mappings)
            }
            _ => false,
        }
    }

    /// True when the verdict depends on what the other devices of the home are (their kinds):
    /// judged once identification has settled for the scan, after discovery.
    pub fn judges_household(&self) -> bool {
        match self {
            Check::SmartDevicesSeparated => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().any(Check::judges_household)
            }
            _ => false,
        }
    }

    /// True when the verdict depends on the device's own kind (a gadget, or maybe a phone):
    /// judged again when the kind changes during a scan.
    pub fn depends_on_kind(&self) -> bool {
        match self {
            Check::SeparateNetwork => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => {
                checks.iter().any(Check::depends_on_kind)
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
                format!("porchlight tries to connect to {}", named_ports(ports))
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
                named_ports(ports)
            ),
            Check::RouterUptime { max_days } => format!(
                "porchlight asks the router over UPnP how long its connection has been up (at most {max_days} days passes)"
            ),
            Check::NoWps => "porchlight looks for WPS offered over UPnP, which fails the step when seen; most routers do not announce WPS that way even when it is on, so seeing none proves nothing and WPS over Wi-Fi (PIN or button) is for you to check".into(),
            Check::MatterCommissioningClosed => "porchlight listens for the device announcing that it is open for Matter pairing".into(),
            Check::DefaultCredentials => format!(
                "only if you allow it for this device, and only the first time, after a firmware change or when you ask: porchlight tries at most {} factory logins that fit its maker and kind (at most {} per user name) on its web page or login form, telnet, FTP, video stream or SSH (through this computer's own ssh client), and stops at the first sign of a lockout",
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

    /// The most time [`verify`](super::verify) takes for this check.
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

/// Declares [`CheckKind`] and [`CHECK_KINDS`] from one list of (variant, name as written in the
/// catalog): each kind's name is written here once, and parsing, display and validation derive
/// from it.
macro_rules! check_kinds {
    ($($variant:ident => $name:literal,)+) => {
        /// The kind of a [`Check`], without its parameters.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CheckKind {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )+
        }

        impl CheckKind {
            /// Every kind, in the catalog's order.
            pub const ALL: &[CheckKind] = &[$(CheckKind::$variant,)+];

            /// The kind's name as written in the catalog.
            pub fn name(self) -> &'static str {
                match self {
                    $(CheckKind::$variant => $name,)+
                }
            }

            /// The kind written as `name` in the catalog, if there is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(CheckKind::$variant),)+
                    _ => None,
                }
            }
        }

        /// Every check kind, as written in the catalog.
        pub const CHECK_KINDS: &[&str] = &[$($name,)+];
    };
}

check_kinds! {
    PortsClosed => "ports-closed",
    HttpsAdmin => "https-admin",
    AdminLogin => "admin-login",
    RtspAuth => "rtsp-auth",
    MqttAuth => "mqtt-auth",
    Smb1Off => "smb1-off",
    UpnpIgdOff => "upnp-igd-off",
    UpnpMappings => "upnp-mappings",
    NotExposedViaUpnp => "not-exposed-via-upnp",
    RouterUptime => "router-uptime",
    NoWps => "no-wps",
    MatterCommissioningClosed => "matter-commissioning-closed",
    DefaultCredentials => "default-credentials",
    SeparateNetwork => "separate-network",
    SmartDevicesSeparated => "smart-devices-separated",
    FirmwareSeen => "firmware-seen",
    IdentitySeen => "identity-seen",
    AllOf => "all-of",
    AnyOf => "any-of",
}

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
        let Some(which) = CheckKind::from_name(&kind) else {
            return Err(format!(
                "unknown check kind `{}` (known: {})",
                sanitize::clean(&kind, 40),
                CHECK_KINDS.join(", ")
            ));
        };
        let check = match which {
            CheckKind::PortsClosed => Check::PortsClosed {
                ports: ports.take().ok_or_else(|| missing("ports"))?,
            },
            CheckKind::HttpsAdmin => Check::HttpsAdmin,
            CheckKind::AdminLogin => Check::AdminLogin,
            CheckKind::RtspAuth => Check::RtspAuth,
            CheckKind::MqttAuth => Check::MqttAuth,
            CheckKind::Smb1Off => Check::Smb1Off,
            CheckKind::UpnpIgdOff => Check::UpnpIgdOff,
            CheckKind::UpnpMappings => Check::UpnpMappings,
            CheckKind::NotExposedViaUpnp => Check::NotExposedViaUpnp {
                ports: ports.take(),
            },
            CheckKind::RouterUptime => Check::RouterUptime {
                max_days: max_days.take().ok_or_else(|| missing("max_days"))?,
            },
            CheckKind::NoWps => Check::NoWps,
            CheckKind::MatterCommissioningClosed => Check::MatterCommissioningClosed,
            CheckKind::DefaultCredentials => Check::DefaultCredentials,
            CheckKind::SeparateNetwork => Check::SeparateNetwork,
            CheckKind::SmartDevicesSeparated => Check::SmartDevicesSeparated,
            CheckKind::FirmwareSeen => Check::FirmwareSeen,
            CheckKind::IdentitySeen => Check::IdentitySeen,
            CheckKind::AllOf | CheckKind::AnyOf => {
                let list = checks
                    .take()
                    .ok_or_else(|| missing("checks"))?
                    .into_iter()
                    .map(Check::try_from)
                    .collect::<Result<Vec<_>, _>>()?;
                if which == CheckKind::AllOf {
                    Check::AllOf { checks: list }
                } else {
                    Check::AnyOf { checks: list }
                }
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

/// Bounds on the probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLimits {
    /// How long a port has to accept or refuse a connection (retransmitted inside it) before it
    /// counts as silent, which proves nothing.
    pub connect_timeout: Duration,
    /// How long one exchange after the connect may take.
    pub exchange_timeout: Duration,
    /// The most bytes read in one exchange.
    pub max_bytes: usize,
    /// The whole [`verify`](super::verify) call, for every check but the credential check.
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

/// `telnet 23`, or `port 12345` for a port porchlight has no name for.
pub fn port_name(port: u16) -> String {
    match RiskyPort::lookup(port) {
        Some(p) => format!("{} {port}", p.service),
        None => format!("port {port}"),
    }
}

/// `telnet 23 and telnet 2323`, `ftp 21, ssh 22 and telnet 23`.
pub fn named_ports(ports: &[u16]) -> String {
    let names: Vec<String> = ports.iter().map(|&p| port_name(p)).collect();
    match names.as_slice() {
        [] => "no ports".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
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
        // The one list of kinds: every name reads back as its kind, and no name is written twice.
        assert_eq!(CheckKind::ALL.len(), CHECK_KINDS.len());
        for (kind, name) in CheckKind::ALL.iter().zip(CHECK_KINDS) {
            assert_eq!(kind.name(), *name);
            assert_eq!(CheckKind::from_name(name), Some(*kind));
        }
        let unique: std::collections::HashSet<&str> = CHECK_KINDS.iter().copied().collect();
        assert_eq!(unique.len(), CHECK_KINDS.len());
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

    #[test]
    fn port_lists_read_naturally() {
        assert_eq!(named_ports(&[23]), "telnet 23");
        assert_eq!(named_ports(&[23, 2323]), "telnet 23 and telnet 2323");
        assert_eq!(
            named_ports(&[21, 22, 12345]),
            "ftp 21, ssh 22 and port 12345"
        );
    }
}
