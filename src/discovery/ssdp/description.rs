//! UPnP device descriptions: reading one from the address a device gave (bounded in bytes and
//! time, only from that very address) and parsing its XML into a [`UpnpInfo`], bounded in depth
//! and count, every field cleaned.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::{
    MAX_DESCRIPTION_SERVICES, MAX_DEVICE_DEPTH, MAX_EMBEDDED_DEVICES, MAX_LOCATION_CHARS,
    RETRY_MIN_LEFT, RETRY_PAUSE,
};
use crate::discovery::http::{self, Limits};
use crate::discovery::{EventSink, Sighting, Source, Stage, UpnpInfo, upnp_details};
use crate::model::{Service, ServiceSource};
use crate::sanitize::{DEFAULT_MAX_CHARS, clean};

/// Reads a UPnP device description (the XML at a LOCATION) into a [`UpnpInfo`], every field
/// cleaned, through the depth-bounded [`crate::discovery::xml::parse`]. Elements are matched by
/// local name in the UPnP device namespace (or no namespace), so vendor extensions (`dlna:`,
/// `sec:`, `pnpx:`) never shadow the standard fields. Embedded devices are followed at most
/// [`MAX_DEVICE_DEPTH`] deep and [`MAX_EMBEDDED_DEVICES`] in all. A DTD is refused and the node
/// count is capped.
///
/// # Errors
/// A one-line reason when the text is not XML, is not a UPnP device description (`<root>` with a
/// `<device>`), or the root device has no `deviceType`.
pub fn parse_description(xml: &str, location: &str) -> Result<UpnpInfo, String> {
    let xml = tolerate_control_characters(xml);
    let doc = crate::discovery::xml::parse(&xml)?;
    let root = doc.root_element();
    if !is_upnp_element(root, "root") {
        return Err(format!(
            "not a UPnP device description (the root element is <{}>)",
            clean(root.tag_name().name(), 40)
        ));
    }
    let device =
        child(root, "device").ok_or("not a UPnP device description (no <device> element)")?;
    let device_type = text_of(device, "deviceType").ok_or("the root device has no deviceType")?;

    let mut embedded_devices = Vec::new();
    let mut services = Vec::new();
    let mut count = 0usize;
    walk_device(device, 0, &mut count, &mut embedded_devices, &mut services);

    Ok(UpnpInfo {
        device_type,
        friendly_name: text_of(device, "friendlyName"),
        manufacturer: text_of(device, "manufacturer"),
        model_name: text_of(device, "modelName"),
        model_number: text_of(device, "modelNumber"),
        serial_number: text_of(device, "serialNumber"),
        presentation_url: text_of(device, "presentationURL")
            .or_else(|| text_of(root, "presentationURL")),
        udn: text_of(device, "UDN"),
        location: clean(location, MAX_LOCATION_CHARS),
        embedded_devices,
        services,
    })
}

/// Makes a description with control characters parseable without letting them through.
///
/// XML 1.0 forbids most C0 control characters, yet sloppy firmware sends them (NUL-padded serial
/// numbers) and hostile devices send escape sequences. Rather than lose the whole description, each
/// 7-bit escape sequence introducer is rewritten to its 8-bit (C1) form, which XML allows and which
/// [`clean`] removes together with the sequence it starts (`ESC [` to CSI, `ESC ]` to OSC, BEL and
/// `ESC \` to ST); any other forbidden character becomes a space.
pub(crate) fn tolerate_control_characters(xml: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !xml.contains(forbidden) {
        return std::borrow::Cow::Borrowed(xml);
    }
    let mut out = String::with_capacity(xml.len());
    let mut chars = xml.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                let c1 = match chars.peek() {
                    Some('[') => '\u{9b}',
                    Some(']') => '\u{9d}',
                    Some('P') => '\u{90}',
                    Some('X') => '\u{98}',
                    Some('^') => '\u{9e}',
                    Some('_') => '\u{9f}',
                    Some('\\') => '\u{9c}',
                    // A two-character escape: drop both.
                    _ => {
                        chars.next();
                        continue;
                    }
                };
                chars.next();
                out.push(c1);
            }
            '\u{7}' => out.push('\u{9c}'),
            c if forbidden(c) => out.push(' '),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// True when `node` is an element called `name` in the UPnP device namespace or in none. Some
/// devices use a wrong UPnP namespace (`...:service-1-0`), so any `urn:schemas-upnp-org:` one is
/// accepted.
fn is_upnp_element(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node
            .tag_name()
            .namespace()
            .is_none_or(|ns| ns.starts_with("urn:schemas-upnp-org:"))
}

/// The first child element of `node` called `name`.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|c| is_upnp_element(*c, name))
}

/// The cleaned text of the child element `name`; `None` when missing or blank.
fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    let element = child(node, name)?;
    let mut raw = String::new();
    for text in element.descendants().filter(|n| n.is_text()) {
        raw.push_str(text.text().unwrap_or_default());
        if raw.len() > DEFAULT_MAX_CHARS * 8 {
            break;
        }
    }
    let cleaned = clean(&raw, DEFAULT_MAX_CHARS);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Collects the service types of `device` and the types (and services) of its embedded devices.
fn walk_device(
    device: roxmltree::Node<'_, '_>,
    depth: usize,
    count: &mut usize,
    embedded: &mut Vec<String>,
    services: &mut Vec<String>,
) {
    if let Some(list) = child(device, "serviceList") {
        for service in list.children().filter(|c| is_upnp_element(*c, "service")) {
            if services.len() >= MAX_DESCRIPTION_SERVICES {
                break;
            }
            if let Some(kind) = text_of(service, "serviceType")
                && !services.contains(&kind)
            {
                services.push(kind);
            }
        }
    }
    if depth >= MAX_DEVICE_DEPTH {
        return;
    }
    let Some(list) = child(device, "deviceList") else {
        return;
    };
    for sub in list.children().filter(|c| is_upnp_element(*c, "device")) {
        if *count >= MAX_EMBEDDED_DEVICES {
            return;
        }
        *count += 1;
        if let Some(kind) = text_of(sub, "deviceType")
            && !embedded.contains(&kind)
        {
            embedded.push(kind);
        }
        walk_device(sub, depth + 1, count, embedded, services);
    }
}

/// A description to read.
pub(super) struct FetchJob {
    pub(super) ip: Ipv4Addr,
    pub(super) location: String,
    pub(super) addr: SocketAddrV4,
    pub(super) host: String,
    pub(super) path: String,
}

/// Reads and parses one description, reporting a sighting with it or a note saying why not.
pub(super) async fn fetch_description(
    job: FetchJob,
    limits: Limits,
    deadline: Instant,
    permits: Arc<Semaphore>,
    events: EventSink,
) {
    let FetchJob {
        ip,
        location,
        addr,
        host,
        path,
    } = job;
    let failed =
        |why: String| format!("could not read the UPnP description of {ip} at {location}: {why}");
    let _permit = match tokio::time::timeout_at(deadline, permits.acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            events.note(Stage::Ssdp, failed("out of time".into()));
            return;
        }
    };
    // A busy device (a router answering a whole scan) may drop the first connection: one more
    // try while this read's own budget lasts.
    let mut attempt = 0;
    let (response, limits) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let limits = Limits {
            timeout: limits.timeout.min(left),
            max_bytes: limits.max_bytes,
        };
        match http::get(addr, &host, &path, limits).await {
            Ok(response) => break (response, limits),
            Err(e) => {
                attempt += 1;
                let left = deadline.saturating_duration_since(Instant::now());
                if attempt >= 2 || left < RETRY_MIN_LEFT {
                    events.note(Stage::Ssdp, failed(e.to_string()));
                    return;
                }
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    };
    if response.status != 200 {
        events.note(
            Stage::Ssdp,
            failed(format!("the device answered HTTP {}", response.status)),
        );
        return;
    }
    if response.truncated {
        events.note(
            Stage::Ssdp,
            failed(format!(
                "it is larger than {} KiB or was cut short",
                limits.max_bytes / 1024
            )),
        );
        return;
    }
    let xml = String::from_utf8_lossy(&response.body);
    let parsed = crate::fault::contain_sync("this device's UPnP description", || {
        parse_description(&xml, &location)
    });
    match parsed.and_then(|parsed| parsed) {
        Ok(info) => {
            // Named as the inventory names the service it derives from `upnp`, so the two merge.
            let name = info.friendly_name.clone().unwrap_or_default();
            let mut sighting = Sighting::new(Source::Ssdp, ip);
            sighting.services.push(Service {
                source: ServiceSource::Upnp,
                kind: info.device_type.clone(),
                name,
                port: Some(addr.port()),
                txt: upnp_details(&info),
            });
            sighting.upnp = Some(info);
            events.sighting(sighting);
        }
        Err(e) => events.note(Stage::Ssdp, failed(e)),
    }
}
