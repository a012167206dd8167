//! Looking at the router's UPnP: one SSDP search of the router's own address (through
//! discovery's bounded [`ssdp::discover`]), repeated when nothing answered, its SSDP port's
//! refusal taken as evidence, and during a scan one look shared by every check (a router answers
//! one look, not one per check at once, and its few ICMP errors are not spent on several). A
//! scan that just found the router's IGD description reads it again at that address rather than
//! searching; a look ends once the router answered and was described.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use super::igd::{DESCRIPTION_LIMITS, read_description};
use super::{Context, GatewayInfo, is_home_address};
use crate::discovery::http;
use crate::discovery::ssdp::{self, SsdpOptions};
use crate::discovery::{DiscoveryEvent, EventSink, UpnpInfo};
use crate::sanitize::clean;
/// True for the UPnP InternetGatewayDevice type (any version).
pub fn is_igd_type(kind: &str) -> bool {
    kind.contains(":device:InternetGatewayDevice:")
}

/// Checks that a LOCATION is a plain `http://` address on the router `gateway` itself, which is
/// private or this machine.
///
/// # Errors
/// Why it is refused, in one line.
pub fn validate_location(location: &str, gateway: Ipv4Addr) -> Result<(), String> {
    let shown = clean(location, 120);
    let (addr, _, _) = http::parse_url(location).map_err(|_| {
        format!("the router's UPnP address {shown} is not a plain http:// address with a numeric IPv4 host")
    })?;
    if *addr.ip() != gateway {
        return Err(format!(
            "the router's UPnP address {shown} points at another host, not the router {gateway}"
        ));
    }
    if !is_home_address(gateway) {
        return Err(format!(
            "the router {gateway} is not on a private address; porchlight does not talk UPnP to it"
        ));
    }
    Ok(())
}

/// The router's UPnP as a live look saw it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouterUpnp {
    /// The router answered the SSDP search at all.
    pub answered: bool,
    /// The types it answered with.
    pub types: Vec<String>,
    /// Descriptions read.
    pub infos: Vec<UpnpInfo>,
    /// Its IGD, when it offers port mapping.
    pub igd: Option<Igd>,
    /// Why the search could not be sent, if it could not.
    pub error: Option<String>,
    /// The router refused the SSDP port (an ICMP port unreachable): positive evidence that no
    /// UPnP listens there, where silence would prove nothing.
    pub refused: bool,
}

impl RouterUpnp {
    /// True when the router said enough during this look for "no port mapping" to rest on
    /// evidence: it answered and its description was read (a reply alone may have lost its
    /// gateway datagram on the way), or it refused the SSDP port.
    pub fn heard(&self) -> bool {
        (self.answered && !self.infos.is_empty()) || self.refused
    }

    /// True when it announced an InternetGatewayDevice, whether or not its description was read.
    pub fn announces_igd(&self) -> bool {
        self.igd.is_some() || self.types.iter().any(|t| is_igd_type(t))
    }
}

/// SSDP searches of the router at most in one look (each a round of two M-SEARCH pairs and the
/// wait for answers): a look that heard nothing is repeated, since one lost datagram must not
/// read as "UPnP off".
pub(crate) const ROUTER_SEARCHES: usize = 3;

/// How long the SSDP port's refusal is waited for.
const REFUSAL_WAIT: Duration = Duration::from_millis(300);

/// A router's InternetGatewayDevice.
#[derive(Debug, Clone)]
pub(crate) struct Igd {
    /// Where its description is (validated: on the router, private).
    pub location: String,
    /// The description.
    pub info: UpnpInfo,
}

impl Igd {
    /// `TestGate 1000` or the friendly name, for evidence.
    pub(crate) fn name(&self) -> Option<&str> {
        self.info
            .model_name
            .as_deref()
            .or(self.info.friendly_name.as_deref())
    }
}

/// What a look at the router needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// Only its port-mapping device (IGD): during a scan, a description read now at the address
    /// the scan found answers that at once, with no search.
    Igd,
    /// Every device type it offers (WPS's WFADevice among them): always a search.
    AllTypes,
}

/// One search of the router per scan, shared by every check that needs it (the router's UPnP
/// checks, the mapping listing): a router answers one look, not one per check at once, and its
/// few ICMP errors are not spent on several. Empty until the first check looks.
#[derive(Debug, Clone, Default)]
pub struct SharedRouterLook(Arc<tokio::sync::OnceCell<RouterUpnp>>);

/// Asks the router (and only the router) which UPnP devices it offers: during a scan, once for
/// all the checks (see [`SharedRouterLook`]).
pub(crate) async fn look_at_router(gateway: &GatewayInfo, ctx: &Context, look: Look) -> RouterUpnp {
    if look == Look::Igd
        && ctx.in_scan
        && let Some(found) = igd_at_known_address(gateway).await
    {
        return found;
    }
    match &ctx.router_look {
        Some(shared) => shared
            .0
            .get_or_init(|| search_router(gateway, ctx))
            .await
            .clone(),
        None => search_router(gateway, ctx).await,
    }
}

/// The router's IGD read now at the address the scan found (a search would wait for the
/// router's delayed reply); `None` when it is not known or does not answer there.
async fn igd_at_known_address(gateway: &GatewayInfo) -> Option<RouterUpnp> {
    if !is_home_address(gateway.ip) {
        return None;
    }
    let location = gateway.igd_location().ok()?;
    let info = read_description(&location).await.ok()?;
    if !is_igd_type(&info.device_type) {
        return None;
    }
    Some(RouterUpnp {
        answered: true,
        types: vec![info.device_type.clone()],
        infos: vec![info.clone()],
        igd: Some(Igd { location, info }),
        ..RouterUpnp::default()
    })
}

/// Searches the router (and only the router) for the UPnP devices it offers, up to
/// [`ROUTER_SEARCHES`] times.
async fn search_router(gateway: &GatewayInfo, ctx: &Context) -> RouterUpnp {
    let mut found = RouterUpnp::default();
    let ip = gateway.ip;
    if !is_home_address(ip) {
        found.error = Some(format!(
            "the router {ip} is not on a private address; porchlight does not talk UPnP to it"
        ));
        return found;
    }
    let opts = SsdpOptions {
        bind: Ipv4Addr::UNSPECIFIED,
        target: SocketAddrV4::new(ip, ctx.endpoints.ssdp_port),
        wait: ctx.limits.ssdp_wait,
        fetch: DESCRIPTION_LIMITS,
        allow: Arc::new(move |from| from == ip),
    };
    for _ in 0..ROUTER_SEARCHES {
        // The refusal probe goes first, beside the search: a router limits its ICMP errors (a
        // few, then one a second), and the search's own datagrams would use them up unheard.
        let refusal = tokio::spawn(ssdp_port_refused(opts.target));
        let refusal = async move { refusal.await.unwrap_or(false) };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = EventSink::new(tx);
        // The search waits its whole window for other hosts' answers; only the router's count
        // here, so once it answered and was described, a short grace for its last datagrams
        // (a router sends its answers in one burst) ends the look early.
        {
            let search = ssdp::discover(&opts, &sink);
            tokio::pin!(search);
            let mut grace_until: Option<tokio::time::Instant> = None;
            loop {
                tokio::select! {
                    done = &mut search => {
                        if let Err(e) = done {
                            found.error = Some(e);
                        }
                        break;
                    }
                    Some(event) = rx.recv() => {
                        absorb(&mut found, ip, event);
                        if grace_until.is_none() && found.answered && settled(&found) {
                            grace_until = Some(tokio::time::Instant::now() + SETTLED_GRACE);
                        }
                    }
                    () = sleep_until_some(grace_until) => break,
                }
            }
        }
        drop(sink);
        while let Ok(event) = rx.try_recv() {
            absorb(&mut found, ip, event);
        }
        if found.error.is_some() || (found.answered && settled(&found)) {
            break;
        }
        if !found.answered && refusal.await {
            found.refused = true;
            break;
        }
    }
    found.igd = found
        .infos
        .iter()
        .find(|i| is_igd_type(&i.device_type) && validate_location(&i.location, ip).is_ok())
        .map(|info| Igd {
            location: info.location.clone(),
            info: info.clone(),
        });
    if found.igd.is_none()
        && let Ok(location) = gateway.igd_location()
        && let Ok(info) = read_description(&location).await
        && is_igd_type(&info.device_type)
    {
        found.answered = true;
        found.igd = Some(Igd { location, info });
    }
    found
}

/// How long a look waits for the router's last datagrams once it answered and was described.
const SETTLED_GRACE: Duration = Duration::from_millis(150);

/// Sleeps until `at`, or forever without one.
async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Folds one event of a search into what the look found: only the router's answers count.
fn absorb(found: &mut RouterUpnp, ip: Ipv4Addr, event: DiscoveryEvent) {
    if let DiscoveryEvent::Sighting(s) = event
        && s.ip == ip
    {
        found.answered = true;
        for service in s.services {
            if !found.types.contains(&service.kind) {
                found.types.push(service.kind);
            }
        }
        if let Some(info) = s.upnp {
            found.infos.push(info);
        }
    }
}

/// Done once the router was described, unless it announced a gateway whose description was lost.
fn settled(found: &RouterUpnp) -> bool {
    let described = found.infos.iter().any(|i| is_igd_type(&i.device_type));
    let igd_announced = found.types.iter().any(|t| is_igd_type(t));
    described || (!igd_announced && !found.infos.is_empty())
}

/// Sends one M-SEARCH to `target` from a connected socket and waits briefly: true when the host
/// answered with an ICMP port unreachable (the system reports it as a refused connection).
async fn ssdp_port_refused(target: SocketAddrV4) -> bool {
    let Ok(socket) = tokio::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await else {
        return false;
    };
    if socket.connect(target).await.is_err() {
        return false;
    }
    let search = ssdp::m_search(target, ssdp::IGD_SEARCH_TARGET);
    if socket.send(search.as_bytes()).await.is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(
        tokio::time::timeout(REFUSAL_WAIT, socket.recv(&mut buf)).await,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}
