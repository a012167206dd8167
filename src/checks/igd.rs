//! Talking to the router's InternetGatewayDevice once it is found: its description read with the
//! bounded client, the control address of its WAN connection service, and the SOAP actions
//! porchlight asks of it (the port mappings one by one, the connection's status, the internet
//! address). Every read is capped in bytes and time; actions only go to a control address on
//! the router's own private address. `upnp` decides what the answers mean for each check.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::{Instant, timeout_at};

use super::is_home_address;
use super::soap::{self, ActionError, Control};
use crate::discovery::UpnpInfo;
use crate::discovery::http::{self, Limits};
use crate::discovery::ssdp;
use crate::sanitize::clean;

/// The most port mappings read from one router.
pub const MAX_MAPPINGS: usize = 256;

/// The longest one UPnP action may take.
const ACTION_TIMEOUT: Duration = Duration::from_millis(1500);

/// The most bytes read of one action's reply (a port mapping entry is under 1 KiB).
const ACTION_MAX_BYTES: usize = 64 * 1024;

/// The WAN connection services that hold the port mappings, in the order they are looked for.
const WAN_SERVICES: [&str; 2] = [":service:WANIPConnection:", ":service:WANPPPConnection:"];

/// The bounds on a description read.
pub(crate) const DESCRIPTION_LIMITS: Limits = Limits {
    timeout: Duration::from_millis(1200),
    max_bytes: 256 * 1024,
};

/// One UPnP port mapping of the router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMapping {
    /// The port on the internet side.
    pub external_port: u16,
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// The device it forwards to.
    pub internal_client: Ipv4Addr,
    /// The port on that device.
    pub internal_port: u16,
    /// The name the device gave the rule (cleaned).
    pub description: String,
    /// Whether the rule is active.
    pub enabled: bool,
    /// How long the rule lasts, in seconds (0: until removed).
    pub lease_secs: u32,
}

impl PortMapping {
    /// `TCP 8554 -> 10.0.0.14:554 'Camera'`.
    pub fn describe(&self) -> String {
        let name = if self.description.is_empty() {
            String::new()
        } else {
            format!(" '{}'", self.description)
        };
        let off = if self.enabled { "" } else { " (disabled)" };
        format!(
            "{} {} -> {}:{}{name}{off}",
            self.protocol, self.external_port, self.internal_client, self.internal_port
        )
    }

    pub(super) fn from_values(values: &HashMap<String, String>) -> Option<Self> {
        let get = |key: &str| values.get(key).map(|v| v.trim());
        Some(Self {
            external_port: get("NewExternalPort")?.parse().ok()?,
            protocol: clean(get("NewProtocol").unwrap_or("?"), 8).to_ascii_uppercase(),
            internal_client: get("NewInternalClient")?.parse().ok()?,
            internal_port: get("NewInternalPort")?.parse().ok()?,
            description: clean(get("NewPortMappingDescription").unwrap_or_default(), 80),
            enabled: get("NewEnabled").is_none_or(|v| v == "1" || v.eq_ignore_ascii_case("true")),
            lease_secs: get("NewLeaseDuration")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }
}

/// Reads the description at a validated LOCATION with the bounded client, as text.
async fn read_description_text(location: &str) -> Result<String, String> {
    let (addr, host, path) = http::parse_url(location).map_err(|e| e.to_string())?;
    let response = http::get(addr, &host, &path, DESCRIPTION_LIMITS)
        .await
        .map_err(|e| e.to_string())?;
    if response.status != 200 {
        return Err(format!("the router answered HTTP {}", response.status));
    }
    if response.truncated {
        return Err("the router's UPnP description is too large or was cut short".into());
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

/// Reads and parses the description at a validated LOCATION with the bounded client.
pub(super) async fn read_description(location: &str) -> Result<UpnpInfo, String> {
    ssdp::parse_description(&read_description_text(location).await?, location)
}

/// Reads the IGD's description at a validated `location` (bounded) and finds where its WAN
/// connection service takes actions (on the router itself).
async fn connect_igd(location: &str, deadline: Instant) -> Result<Control, String> {
    let (addr, _, _) = http::parse_url(location).map_err(|e| e.to_string())?;
    if !is_home_address(*addr.ip()) {
        return Err(format!(
            "{} is not on a private address; porchlight does not talk UPnP to it",
            addr.ip()
        ));
    }
    let text = timeout_at(deadline, read_description_text(location))
        .await
        .map_err(|_| "the router's UPnP description did not arrive in time".to_string())??;
    soap::find_control(&text, location, &WAN_SERVICES)
}

/// The limits of one action: its share of the time left, the description's byte cap.
fn action_limits(deadline: Instant) -> Limits {
    Limits {
        timeout: deadline
            .saturating_duration_since(Instant::now())
            .min(ACTION_TIMEOUT),
        max_bytes: ACTION_MAX_BYTES,
    }
}

/// Lists the UPnP port mappings of the IGD described at `igd_location` with
/// `GetGenericPortMappingEntry`, index 0 on until the router answers with a fault (HTTP 500: the
/// end of the list), at most [`MAX_MAPPINGS`], all within `limits.timeout`; the description is
/// read at most `limits.max_bytes` long first.
///
/// Only call this with a LOCATION on the router's own private address (see
/// [`GatewayInfo::igd_location`]); anything else is refused.
///
/// # Errors
/// One line: the LOCATION is refused, the description does not read, the router has no WAN
/// connection service, an entry fails in another way than the end of the list, or the time runs
/// out before the end of the list.
pub async fn port_mappings(igd_location: &str, limits: Limits) -> Result<Vec<PortMapping>, String> {
    mappings_with_control(igd_location, limits)
        .await
        .map(|(_, list)| list)
}

/// [`port_mappings`], with where the router takes its WAN connection's actions (the control
/// address a later [`delete_port_mapping`] goes to).
///
/// # Errors
/// As [`port_mappings`].
pub async fn mappings_with_control(
    igd_location: &str,
    limits: Limits,
) -> Result<(Control, Vec<PortMapping>), String> {
    let deadline = Instant::now() + limits.timeout;
    let control = connect_igd(igd_location, deadline).await?;
    let mut mappings = Vec::new();
    for index in 0..MAX_MAPPINGS {
        if deadline.saturating_duration_since(Instant::now()).is_zero() {
            return Err(format!(
                "the router listed {index} port mappings but did not finish in time"
            ));
        }
        let args = [("NewPortMappingIndex", index.to_string())];
        let reply = soap::call(
            &control,
            "GetGenericPortMappingEntry",
            &args,
            action_limits(deadline),
        )
        .await;
        match reply {
            Ok(values) => {
                if let Some(mapping) = PortMapping::from_values(&values) {
                    mappings.push(mapping);
                }
            }
            Err(e) if e.is_end_of_list() => break,
            Err(ActionError::TimedOut) => {
                return Err(format!(
                    "the router stopped answering after {index} port mappings"
                ));
            }
            Err(e) => {
                return Err(format!(
                    "the router would not list its port mappings: {}",
                    clean(&e.to_string(), 160)
                ));
            }
        }
    }
    Ok((control, mappings))
}

/// The arguments of the one `DeletePortMapping` request that removes the mapping of
/// `external_port`/`protocol` (any remote host: the empty `NewRemoteHost`, as listed).
pub fn delete_arguments(external_port: u16, protocol: &str) -> [(&'static str, String); 3] {
    [
        ("NewRemoteHost", String::new()),
        ("NewExternalPort", external_port.to_string()),
        ("NewProtocol", protocol.to_string()),
    ]
}

/// Asks the router at `control` to remove the one mapping of `external_port`/`protocol` with a
/// single `DeletePortMapping` (see [`delete_arguments`]), within `limits` (time and reply bytes).
/// The protocol must be `TCP` or `UDP`; the control address must be on a private address.
///
/// # Errors
/// The router's refusal ([`ActionError::Fault`] with its UPnP error code: 606 "not authorized",
/// 714 "no such entry"...), no reply in time, or a protocol or address porchlight refuses.
pub async fn delete_port_mapping(
    control: &Control,
    external_port: u16,
    protocol: &str,
    limits: Limits,
) -> Result<(), ActionError> {
    if protocol != "TCP" && protocol != "UDP" {
        return Err(ActionError::Failed(format!(
            "{} is not TCP or UDP",
            clean(protocol, 8)
        )));
    }
    if !is_home_address(*control.addr.ip()) {
        return Err(ActionError::Failed(format!(
            "{} is not on a private address; porchlight does not talk UPnP to it",
            control.addr.ip()
        )));
    }
    soap::call(
        control,
        "DeletePortMapping",
        &delete_arguments(external_port, protocol),
        Limits {
            timeout: limits.timeout.min(ACTION_TIMEOUT),
            max_bytes: limits.max_bytes.min(ACTION_MAX_BYTES),
        },
    )
    .await
    .map(|_| ())
}

/// One value of the router's answer to an `action` without arguments, asked of the IGD described
/// at `igd_location` (on the router's own private address) within `limits`: the value of `key`,
/// parsed. `what` names the answer in the error when the action fails ("its status"), `missing`
/// is the error when the value is absent or does not parse.
async fn ask_value<T: std::str::FromStr>(
    igd_location: &str,
    limits: Limits,
    action: &str,
    key: &str,
    what: &str,
    missing: &str,
) -> Result<T, String> {
    let deadline = Instant::now() + limits.timeout;
    let control = connect_igd(igd_location, deadline).await?;
    let values = soap::call(&control, action, &[], action_limits(deadline))
        .await
        .map_err(|e| {
            format!(
                "the router would not say {what}: {}",
                clean(&e.to_string(), 160)
            )
        })?;
    values
        .get(key)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| missing.to_string())
}

/// How long the router's WAN connection has been up, from `GetStatusInfo`.
pub(super) async fn connection_uptime(igd_location: &str, limits: Limits) -> Result<u64, String> {
    ask_value(
        igd_location,
        limits,
        "GetStatusInfo",
        "NewUptime",
        "its status",
        "the router's status has no uptime",
    )
    .await
}

/// The router's internet address, from `GetExternalIPAddress` on the IGD described at
/// `igd_location` (which must be on the router's own private address), all within `limits`.
///
/// # Errors
/// One line: the description or the action failed, or the answer is not an IPv4 address.
pub async fn external_address(igd_location: &str, limits: Limits) -> Result<Ipv4Addr, String> {
    ask_value(
        igd_location,
        limits,
        "GetExternalIPAddress",
        "NewExternalIPAddress",
        "its internet address",
        "the router's answer holds no internet address",
    )
    .await
}
