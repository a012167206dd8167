//! The router's UPnP port mappings as the owner sees them, and removing one with their consent:
//! the one workflow that `porchlight upnp` and the TUI's mappings screen both drive.
//!
//! [`list`] reads the mappings (through the bounded SOAP client, from the router the last scan
//! found) and names the device each one points at; a mapping to an address no device holds is
//! stale. [`request`] says exactly what removing one sends; [`remove`] sends that one
//! `DeletePortMapping` and nothing else, reads the list again and re-runs the checks of the
//! steps that judge the mappings (for the device the mapping pointed at and for the router), so
//! the owner reads "removed, verified" only when the router's own list no longer holds it.
//! [`record`] folds the re-checks into the inventory without IO, so a front end's update can.

use std::net::Ipv4Addr;
use std::time::Duration;

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::checks::GatewayInfo;
use crate::checks::igd::{self, PortMapping};
use crate::checks::soap::{ActionError, Control};
use crate::discovery::Ipv4Net;
use crate::discovery::http::Limits;
use crate::model::{DeviceId, Inventory};
use crate::sanitize::clean;
use crate::verify::{Outcome, verify_step};

/// The bounds on one listing: every entry and the description, all within this time.
pub const LIST_LIMITS: Limits = Limits {
    timeout: Duration::from_secs(6),
    max_bytes: 256 * 1024,
};

/// The bounds on the one removal request.
pub const REMOVE_LIMITS: Limits = Limits {
    timeout: Duration::from_millis(1500),
    max_bytes: 64 * 1024,
};

/// One mapping with the device it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The mapping as the router listed it (cleaned).
    pub mapping: PortMapping,
    /// The device holding the address it forwards to, by its id and porchlight's name.
    pub device: Option<(DeviceId, String)>,
}

impl Row {
    /// True when no device holds the address it forwards to (a stale mapping).
    pub fn stale(&self) -> bool {
        self.device.is_none()
    }

    /// `TCP 18554 -> Hall camera (10.0.0.14:8554)`, for listings and confirmations.
    pub fn describe(&self) -> String {
        let m = &self.mapping;
        let to = match &self.device {
            Some((_, name)) => format!("{name} ({}:{})", m.internal_client, m.internal_port),
            None => format!(
                "{}:{} (no device has this address: stale)",
                m.internal_client, m.internal_port
            ),
        };
        format!("{} {} -> {to}", m.protocol, m.external_port)
    }
}

/// The router's mappings as read just now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The router's address.
    pub router: Ipv4Addr,
    /// Where it takes actions (on its own private address).
    pub(crate) control: Control,
    /// Its mappings, in the router's order.
    pub rows: Vec<Row>,
}

impl Listing {
    /// Exactly what removing `row` sends (see [`request`]).
    pub fn request_for(&self, row: &Row) -> Vec<String> {
        request(&self.control, &row.mapping)
    }

    /// The row of `external_port`/`protocol`, if the router lists it.
    pub fn find(&self, external_port: u16, protocol: &str) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.mapping.external_port == external_port
                && r.mapping.protocol.eq_ignore_ascii_case(protocol)
        })
    }
}

/// The rows of `mappings`, each named by the device of `inventory` holding its address.
pub fn rows(inventory: &Inventory, mappings: Vec<PortMapping>) -> Vec<Row> {
    mappings
        .into_iter()
        .map(|mapping| {
            let device = inventory
                .devices
                .iter()
                .find(|d| d.ip == Some(mapping.internal_client))
                .map(|d| (d.id.clone(), d.name().to_string()));
            Row { mapping, device }
        })
        .collect()
}

/// Reads the mappings of the router the last scan found in `inventory`.
///
/// # Errors
/// One line: no router known, it announced no UPnP port mapping in the last scan, or the listing
/// failed (see [`igd::port_mappings`]).
pub async fn list(inventory: &Inventory) -> Result<Listing, String> {
    let gateway = GatewayInfo::from_inventory(inventory).ok_or_else(|| {
        "porchlight does not know the router yet: scan the network first".to_string()
    })?;
    let location = gateway.igd_location()?;
    let (control, mappings) = igd::mappings_with_control(&location, LIST_LIMITS)
        .await
        .map_err(|e| format!("could not read the router's UPnP port mappings: {e}"))?;
    Ok(Listing {
        router: gateway.ip,
        control,
        rows: rows(inventory, mappings),
    })
}

/// Exactly what removing `mapping` sends, one line each: where, the SOAP action, its arguments.
pub(crate) fn request(control: &Control, mapping: &PortMapping) -> Vec<String> {
    let args: Vec<String> = igd::delete_arguments(mapping.external_port, &mapping.protocol)
        .iter()
        .map(|(name, value)| format!("{name}=\"{value}\""))
        .collect();
    vec![
        format!("POST http://{}{}", control.host, control.path),
        format!("SOAPAction: {}#DeletePortMapping", control.service_type),
        format!("DeletePortMapping {}", args.join(" ")),
    ]
}

/// What came of a removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// The router accepted, and its list read again no longer holds the mapping.
    Verified,
    /// The router accepted, but its list read again still holds it.
    StillListed,
    /// The router accepted, but its list could not be read again (why): not proven.
    Unconfirmed(String),
    /// The router refused or did not answer: its answer in plain words.
    Refused(String),
}

/// A removal and the checks re-run after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The router asked.
    pub router: Ipv4Addr,
    /// The mapping the owner chose.
    pub row: Row,
    /// What came of it.
    pub result: Removed,
    /// The list as read again afterwards (empty when it could not be read).
    pub after: Vec<Row>,
    /// The checks of the steps that judge mappings, re-run on the device the mapping pointed at
    /// and on the router.
    pub rechecks: Vec<Outcome>,
}

impl Removal {
    /// The outcome in one or two plain sentences, with how to remove it by hand when it was not.
    pub fn words(&self) -> String {
        let router = self.router;
        let what = self.row.describe();
        let by_hand = format!(
            "To remove it by hand, open the router's admin page (http://{router}/), find its UPnP \
             or port-forwarding page and delete {} port {}; or switch UPnP off there.",
            self.row.mapping.protocol, self.row.mapping.external_port
        );
        match &self.result {
            Removed::Verified => {
                format!("Removed, verified: the router's list, read again, no longer holds {what}.")
            }
            Removed::StillListed => format!(
                "The router said yes, but its list, read again, still holds {what}. {by_hand}"
            ),
            Removed::Unconfirmed(why) => format!(
                "The router said yes, but porchlight could not read its list again to prove it ({why}). {by_hand}"
            ),
            Removed::Refused(why) => format!("Not removed: {why}. {by_hand}"),
        }
    }
}

/// The router's refusal in plain words.
pub fn refusal_words(error: &ActionError) -> String {
    match error {
        ActionError::Fault {
            code: Some(606), ..
        } => "the router refused (UPnP error 606, action not authorized): it lets only the \
              device that made a forward remove it (miniupnpd's secure mode does this)"
            .to_string(),
        ActionError::Fault {
            code: Some(401), ..
        } => "the router refused (UPnP error 401, invalid action): it does not let UPnP remove \
              forwards"
            .to_string(),
        ActionError::Fault {
            code: Some(714), ..
        } => "the router has no such forward (UPnP error 714): it may have expired or been \
              removed meanwhile"
            .to_string(),
        ActionError::Fault { .. } => format!("the router refused ({error})"),
        ActionError::TimedOut => "the router did not answer in time".to_string(),
        ActionError::Failed(why) => format!("the request failed: {}", clean(why, 160)),
    }
}

/// A SOAP fault with UPnP error `code`, as a router sends it (for tests and examples).
pub fn fault(code: u32, description: &str) -> ActionError {
    ActionError::Fault {
        code: Some(code),
        description: description.to_string(),
    }
}

/// Sends the one `DeletePortMapping` for `row` (which must be in `listing`, read just before),
/// reads the list again and re-runs the mapping checks. Nothing else is sent to the router.
pub async fn remove(
    catalog: &Catalog,
    inventory: &Inventory,
    listing: &Listing,
    row: &Row,
    local_nets: Vec<Ipv4Net>,
) -> Removal {
    let m = &row.mapping;
    let sent = igd::delete_port_mapping(
        &listing.control,
        m.external_port,
        &m.protocol,
        REMOVE_LIMITS,
    )
    .await;
    let (result, after) = match sent {
        Err(e) => (Removed::Refused(refusal_words(&e)), Vec::new()),
        Ok(()) => match list(inventory).await {
            Err(why) => (Removed::Unconfirmed(why), Vec::new()),
            Ok(again) if again.find(m.external_port, &m.protocol).is_some() => {
                (Removed::StillListed, again.rows)
            }
            Ok(again) => (Removed::Verified, again.rows),
        },
    };
    let mut rechecks = Vec::new();
    let devices: Vec<&DeviceId> = row
        .device
        .iter()
        .map(|(id, _)| id)
        .chain(
            inventory
                .devices
                .iter()
                .filter(|d| d.gateway)
                .map(|d| &d.id),
        )
        .collect();
    for id in devices {
        let Some(device) = inventory.device(id) else {
            continue;
        };
        for step in catalog.steps_of(device) {
            if !step.check.as_ref().is_some_and(|c| c.needs_mappings()) {
                continue;
            }
            if let Some(outcome) =
                verify_step(catalog, inventory, id, &step.id, local_nets.clone()).await
            {
                rechecks.push(outcome);
            }
        }
    }
    Removal {
        router: listing.router,
        row: row.clone(),
        result,
        after,
        rechecks,
    }
}

/// Records the re-checks of `removal` in `inventory` as the audit records its findings (beside
/// the owner's answers; a settled step takes the verdict). No IO.
pub fn record(inventory: &mut Inventory, removal: &Removal, now: Timestamp) {
    for outcome in &removal.rechecks {
        if let Some(device) = inventory.device_mut(&outcome.device) {
            super::audit::record(device, &outcome.step, &outcome.result, now);
        }
    }
}

/// The demo home's mappings, made up like the rest of it (nothing is ever sent): one forward to
/// its first camera and a stale one to an address no device holds.
pub fn simulated_listing(inventory: &Inventory) -> Listing {
    let router = inventory
        .devices
        .iter()
        .find(|d| d.category() == crate::model::Category::Router)
        .and_then(|d| d.ip)
        .unwrap_or(Ipv4Addr::new(192, 168, 1, 1));
    let mut mappings = Vec::new();
    if let Some(camera) = inventory
        .devices
        .iter()
        .find(|d| d.category() == crate::model::Category::Camera)
        .and_then(|d| d.ip)
    {
        mappings.push(PortMapping {
            external_port: 8554,
            protocol: "TCP".into(),
            internal_client: camera,
            internal_port: 554,
            description: "IPCamera RTSP".into(),
            enabled: true,
            lease_secs: 0,
        });
    }
    let octets = router.octets();
    mappings.push(PortMapping {
        external_port: 3074,
        protocol: "UDP".into(),
        internal_client: Ipv4Addr::new(octets[0], octets[1], octets[2], 199),
        internal_port: 3074,
        description: "Xbox".into(),
        enabled: true,
        lease_secs: 3 * 86_400 + 5 * 3600,
    });
    Listing {
        router,
        control: Control {
            addr: std::net::SocketAddrV4::new(router, 5000),
            host: format!("{router}:5000"),
            path: "/ctl/IPConn".into(),
            service_type: "urn:schemas-upnp-org:service:WANIPConnection:1".into(),
        },
        rows: rows(inventory, mappings),
    }
}

/// The demo home's removal: accepted and verified, the re-checks simulated
/// ([`crate::demo::simulated_check`]); nothing is sent.
pub fn simulated_removal(
    catalog: &Catalog,
    inventory: &Inventory,
    listing: &Listing,
    row: &Row,
) -> Removal {
    let after: Vec<Row> = listing.rows.iter().filter(|r| *r != row).cloned().collect();
    let mut rechecks = Vec::new();
    for device in inventory.devices.iter().filter(|d| {
        d.gateway
            || d.category() == crate::model::Category::Router
            || row.device.as_ref().is_some_and(|(id, _)| id == &d.id)
    }) {
        for step in catalog.steps_of(device) {
            if step.check.as_ref().is_some_and(|c| c.needs_mappings()) {
                rechecks.push(Outcome {
                    device: device.id.clone(),
                    step: step.id.clone(),
                    result: crate::demo::simulated_check(step),
                    tried_logins: false,
                });
            }
        }
    }
    Removal {
        router: listing.router,
        row: row.clone(),
        result: Removed::Verified,
        after,
        rechecks,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn mapping(port: u16, to: &str) -> PortMapping {
        PortMapping {
            external_port: port,
            protocol: "TCP".into(),
            internal_client: to.parse().unwrap(),
            internal_port: 554,
            description: "Camera".into(),
            enabled: true,
            lease_secs: 3600,
        }
    }

    #[test]
    fn rows_name_the_device_and_mark_stale_mappings() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let inventory = crate::demo::household(now).unwrap();
        let device = inventory.devices.iter().find(|d| d.ip.is_some()).unwrap();
        let ip = device.ip.unwrap().to_string();
        let rows = rows(
            &inventory,
            vec![mapping(8554, &ip), mapping(9000, "10.99.0.1")],
        );
        assert!(!rows[0].stale());
        assert!(
            rows[0].describe().contains(device.name()),
            "{}",
            rows[0].describe()
        );
        assert!(rows[1].stale());
        assert!(rows[1].describe().contains("stale"));
    }

    #[test]
    fn the_request_shown_is_the_one_sent() {
        let control = Control {
            addr: "10.0.0.1:5000".parse().unwrap(),
            host: "10.0.0.1:5000".into(),
            path: "/ctl/IPConn".into(),
            service_type: "urn:schemas-upnp-org:service:WANIPConnection:1".into(),
        };
        let lines = request(&control, &mapping(18554, "10.0.0.14"));
        assert_eq!(
            lines,
            [
                "POST http://10.0.0.1:5000/ctl/IPConn",
                "SOAPAction: urn:schemas-upnp-org:service:WANIPConnection:1#DeletePortMapping",
                "DeletePortMapping NewRemoteHost=\"\" NewExternalPort=\"18554\" NewProtocol=\"TCP\"",
            ]
        );
    }

    #[test]
    fn refusals_read_as_plain_words() {
        let fault = |code| ActionError::Fault {
            code: Some(code),
            description: "Action not authorized".into(),
        };
        assert!(refusal_words(&fault(606)).contains("only the device that made a forward"));
        assert!(refusal_words(&fault(401)).contains("does not let UPnP remove"));
        assert!(refusal_words(&ActionError::TimedOut).contains("did not answer"));
    }
}
