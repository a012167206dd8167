//! UPnP's SOAP actions, spoken by porchlight itself over its bounded HTTP client.
//!
//! rupnp reads descriptions and replies whole, with no byte limit (an endless reply grew to
//! hundreds of MiB), so porchlight never hands it a device. Instead: the router's description is
//! read with [`http::get`] under [`Limits`], the control URL of the wanted service is found in it
//! ([`find_control`]; it must stay on the router's own address), each action is one
//! [`http::post`] under the same kind of limits, and the reply is parsed through the depth-bounded
//! [`xml::parse`] ([`parse_reply`]). Every value read is cleaned and capped.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddrV4;

use crate::discovery::http::{self, Limits};
use crate::discovery::xml;
use crate::sanitize::{DEFAULT_MAX_CHARS, clean};

/// The most output arguments kept from one reply.
pub const MAX_VALUES: usize = 64;

/// The longest argument value kept, in characters (after cleaning).
pub const MAX_VALUE_CHARS: usize = 1024;

/// The SOAP envelope's namespace.
const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Where a service's actions are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The router's address and port.
    pub addr: SocketAddrV4,
    /// The `Host` header.
    pub host: String,
    /// The path of the control URL.
    pub path: String,
    /// The service type (`urn:schemas-upnp-org:service:WANIPConnection:1`).
    pub service_type: String,
}

/// Why an action did not give values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// The device answered with a SOAP fault (HTTP 500), with its UPnP error code when it gave
    /// one.
    Fault {
        /// The UPnP error code (713: no such array index).
        code: Option<u32>,
        /// Its description, cleaned.
        description: String,
    },
    /// No complete reply came within the time allowed.
    TimedOut,
    /// Anything else, in one line.
    Failed(String),
}

impl ActionError {
    /// True for the fault that ends a list read by index: UPnP error 713 or 714, or a fault
    /// without a code (an HTTP 500).
    pub fn is_end_of_list(&self) -> bool {
        matches!(self, Self::Fault { code, .. } if code.is_none_or(|c| c == 713 || c == 714))
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fault { code, description } => {
                write!(f, "UPnP error")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                if !description.is_empty() {
                    write!(f, " ({description})")?;
                }
                Ok(())
            }
            Self::TimedOut => f.write_str("no complete reply in time"),
            Self::Failed(why) => f.write_str(why),
        }
    }
}

/// Finds the control URL of the first service of `xml` (a device description read from
/// `location`) whose type contains one of `wanted` (tried in order), resolved against the
/// description's `URLBase` or `location`. The control URL must be a plain `http://` address on
/// the same host as `location`.
///
/// # Errors
/// One line: the description does not parse, has no such service or no control URL, or the
/// control URL points elsewhere.
pub fn find_control(xml: &str, location: &str, wanted: &[&str]) -> Result<Control, String> {
    let text = crate::discovery::ssdp::tolerate_control_characters(xml);
    let doc = xml::parse(&text)?;
    let upnp =
        |n: &roxmltree::Node<'_, '_>, name: &str| n.is_element() && n.tag_name().name() == name;
    let child_text = |n: roxmltree::Node<'_, '_>, name: &str| -> Option<String> {
        n.children()
            .find(|c| upnp(c, name))
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let services: Vec<roxmltree::Node<'_, '_>> =
        doc.descendants().filter(|n| upnp(n, "service")).collect();
    let (service_type, control) = wanted
        .iter()
        .find_map(|want| {
            services.iter().find_map(|s| {
                let kind = child_text(*s, "serviceType")?;
                kind.contains(want)
                    .then(|| child_text(*s, "controlURL").map(|c| (kind, c)))
                    .flatten()
            })
        })
        .ok_or_else(|| {
            format!(
                "the router's UPnP description has no {} service with a control address",
                wanted.join(" or ")
            )
        })?;
    let base = doc
        .root_element()
        .children()
        .find(|c| upnp(c, "URLBase"))
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or(location);
    let url = resolve(base, &control)?;
    let (addr, host, path) = http::parse_url(&url).map_err(|e| e.to_string())?;
    let (origin, _, _) = http::parse_url(location).map_err(|e| e.to_string())?;
    if addr.ip() != origin.ip() {
        return Err(format!(
            "the router's UPnP control address {} points at another host",
            clean(&url, 120)
        ));
    }
    if !service_type
        .bytes()
        .all(|b| (0x21..=0x7e).contains(&b) && b != b'"')
    {
        return Err("the router's UPnP service type has unusable characters".into());
    }
    Ok(Control {
        addr,
        host,
        path,
        service_type,
    })
}

/// `reference` resolved against `base` (both `http://` URLs or paths).
fn resolve(base: &str, reference: &str) -> Result<String, String> {
    if reference
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    {
        return Ok(reference.to_string());
    }
    let (_, host, path) = http::parse_url(base).map_err(|e| e.to_string())?;
    if reference.starts_with('/') {
        return Ok(format!("http://{host}{reference}"));
    }
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let dir = if dir.is_empty() { "/" } else { dir };
    Ok(format!("http://{host}{dir}{reference}"))
}

/// Escapes text for an XML element or attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The SOAP request body calling `action` of `service_type` with `args` (name, value).
pub fn envelope(service_type: &str, action: &str, args: &[(&str, String)]) -> String {
    let mut body = String::new();
    for (name, value) in args {
        body.push_str(&format!("<{name}>{}</{name}>", escape(value)));
    }
    format!(
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"{ENVELOPE_NS}\" \
         s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>\
         <u:{action} xmlns:u=\"{}\">{body}</u:{action}></s:Body></s:Envelope>\r\n",
        escape(service_type)
    )
}

/// Reads a SOAP reply to `action`: the output arguments (local name to cleaned, trimmed value;
/// at most [`MAX_VALUES`]), or the fault it carries.
///
/// # Errors
/// [`ActionError::Fault`] for a SOAP fault (any status); [`ActionError::Failed`] for another
/// non-200 status, a body that is not a SOAP envelope with the action's response, or too deep.
pub fn parse_reply(
    status: u16,
    body: &[u8],
    action: &str,
) -> Result<HashMap<String, String>, ActionError> {
    let text = String::from_utf8_lossy(body);
    let text = crate::discovery::ssdp::tolerate_control_characters(&text);
    let parsed = xml::parse(&text);
    let doc = match parsed {
        Ok(doc) => doc,
        Err(_) if status == 500 => {
            return Err(ActionError::Fault {
                code: None,
                description: String::new(),
            });
        }
        Err(e) if status == 200 => return Err(ActionError::Failed(format!("a bad reply: {e}"))),
        Err(_) => {
            return Err(ActionError::Failed(format!(
                "the router answered HTTP {status}"
            )));
        }
    };
    let body = doc
        .root_element()
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Body");
    let first = body.and_then(|b| b.children().find(roxmltree::Node::is_element));
    if let Some(fault) = first.filter(|n| n.tag_name().name() == "Fault") {
        let find = |name: &str| {
            fault
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(str::trim)
        };
        return Err(ActionError::Fault {
            code: find("errorCode").and_then(|c| c.parse().ok()),
            description: clean(
                find("errorDescription").unwrap_or_default(),
                DEFAULT_MAX_CHARS,
            ),
        });
    }
    if status == 500 {
        return Err(ActionError::Fault {
            code: None,
            description: String::new(),
        });
    }
    if status != 200 {
        return Err(ActionError::Failed(format!(
            "the router answered HTTP {status}"
        )));
    }
    let response = first
        .filter(|n| n.tag_name().name() == format!("{action}Response"))
        .ok_or_else(|| ActionError::Failed(format!("the reply holds no {action}Response")))?;
    let mut values = HashMap::new();
    for arg in response
        .children()
        .filter(roxmltree::Node::is_element)
        .take(MAX_VALUES)
    {
        let mut raw = String::new();
        for text in arg.descendants().filter(|n| n.is_text()) {
            raw.push_str(text.text().unwrap_or_default());
            if raw.len() > MAX_VALUE_CHARS * 4 {
                break;
            }
        }
        values.insert(
            clean(arg.tag_name().name(), DEFAULT_MAX_CHARS),
            clean(raw.trim(), MAX_VALUE_CHARS),
        );
    }
    Ok(values)
}

/// Calls `action` with `args` at `control`, within `limits` (time and bytes of the reply).
///
/// # Errors
/// See [`parse_reply`]; also [`ActionError::Failed`] when the exchange fails or the reply was cut
/// at the byte limit.
pub async fn call(
    control: &Control,
    action: &str,
    args: &[(&str, String)],
    limits: Limits,
) -> Result<HashMap<String, String>, ActionError> {
    let body = envelope(&control.service_type, action, args);
    let soap_action = format!("\"{}#{action}\"", control.service_type);
    let headers = [
        ("Content-Type", "text/xml; charset=\"utf-8\""),
        ("SOAPAction", soap_action.as_str()),
    ];
    let response = http::post(
        control.addr,
        &control.host,
        &control.path,
        &headers,
        body.as_bytes(),
        limits,
    )
    .await
    .map_err(|e| match e {
        http::HttpError::Timeout(_) => ActionError::TimedOut,
        e => ActionError::Failed(e.to_string()),
    })?;
    if response.truncated {
        return Err(ActionError::Failed(format!(
            "the reply to {action} is larger than {} KiB or was cut short",
            limits.max_bytes / 1024
        )));
    }
    parse_reply(response.status, &response.body, action)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    const DESCRIPTION: &str = r#"<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
 <device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
  <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
   <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
    <serviceList><service>
     <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
     <controlURL>/ctl/IPConn</controlURL>
    </service></serviceList>
   </device></deviceList>
  </device></deviceList>
 </device>
</root>"#;

    #[test]
    fn the_control_url_is_found_and_resolved() {
        let c = find_control(
            DESCRIPTION,
            "http://10.0.0.1:5000/rootDesc.xml",
            &["WANIPConnection"],
        )
        .unwrap();
        assert_eq!(c.addr, "10.0.0.1:5000".parse().unwrap());
        assert_eq!(c.path, "/ctl/IPConn");
        assert_eq!(
            c.service_type,
            "urn:schemas-upnp-org:service:WANIPConnection:1"
        );
        let relative = DESCRIPTION.replace("/ctl/IPConn", "ctl?x=1");
        let c = find_control(
            &relative,
            "http://10.0.0.1/desc/root.xml",
            &["WANIPConnection"],
        )
        .unwrap();
        assert_eq!(c.path, "/desc/ctl?x=1");
        assert_eq!(c.host, "10.0.0.1");
        let elsewhere = DESCRIPTION.replace("/ctl/IPConn", "http://10.0.0.66/ctl");
        let e =
            find_control(&elsewhere, "http://10.0.0.1/d.xml", &["WANIPConnection"]).unwrap_err();
        assert!(e.contains("another host"), "{e}");
        let e =
            find_control(DESCRIPTION, "http://10.0.0.1/d.xml", &["WANPPPConnection"]).unwrap_err();
        assert!(e.contains("no WANPPPConnection service"), "{e}");
    }

    #[test]
    fn replies_give_values_or_faults() {
        let ok = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetStatusInfoResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewConnectionStatus>Connected</NewConnectionStatus><NewUptime> 1234 </NewUptime><NewLastConnectionError>Bad ESC[2J</NewLastConnectionError></u:GetStatusInfoResponse></s:Body></s:Envelope>"#
            .replace("ESC", "\u{1b}");
        let values = parse_reply(200, ok.as_bytes(), "GetStatusInfo").unwrap();
        assert_eq!(values["NewUptime"], "1234");
        assert_eq!(values["NewConnectionStatus"], "Connected");
        assert!(!values["NewLastConnectionError"].contains('\u{1b}'));
        let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"#;
        let e = parse_reply(500, fault.as_bytes(), "GetGenericPortMappingEntry").unwrap_err();
        assert!(e.is_end_of_list());
        assert_eq!(e.to_string(), "UPnP error 713 (SpecifiedArrayIndexInvalid)");
        let refused = fault.replace("713", "606");
        assert!(
            !parse_reply(500, refused.as_bytes(), "X")
                .unwrap_err()
                .is_end_of_list()
        );
        assert!(parse_reply(500, b"oops", "X").unwrap_err().is_end_of_list());
        let deep = format!(
            "<s:Envelope xmlns:s='x'>{}</s:Envelope>",
            "<a>".repeat(5000)
        );
        let e = parse_reply(200, deep.as_bytes(), "X").unwrap_err();
        assert!(e.to_string().contains("nested more than 64"), "{e}");
        let wrong = ok.replace("GetStatusInfoResponse", "OtherResponse");
        assert!(parse_reply(200, wrong.as_bytes(), "GetStatusInfo").is_err());
    }

    #[test]
    fn requests_escape_their_arguments() {
        let body = envelope("urn:x:service:S:1", "Act", &[("NewA", "<&>".to_string())]);
        assert!(
            body.contains(
                "<u:Act xmlns:u=\"urn:x:service:S:1\"><NewA>&lt;&amp;&gt;</NewA></u:Act>"
            )
        );
        let doc = xml::parse(&body).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "Envelope");
    }
}
