//! Property tests of every parser of device input: SSDP headers, UPnP descriptions, SOAP replies,
//! mDNS names and TXT records, HTTP heads and titles, telnet/RTSP/SSH/TLS/SMB banners, the /proc
//! files and the state file.
//!
//! Each property feeds arbitrary (and near-valid) input and asserts what a user would notice: the
//! parser returns (no panic, no stack overflow), what it keeps holds no control character, and
//! the bounds hold (depth, byte caps). The case budget is fixed ([`CASES`] per property) so
//! `cargo test` stays fast; the cases found in the hostile-home tests (a description nested 5,000
//! deep, endless bodies, escape codes in every field) are always run as fixed seeds beside them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::net::Ipv4Addr;

use proptest::prelude::*;
use serde::Serialize;

use crate::checks::{rtsp, soap};
use crate::discovery::ports::{self, ProbeKind};
use crate::discovery::{http, mdns, neighbours, ssdp, xml};

/// Cases per property: fixed, so the suite's time is fixed.
const CASES: u32 = 96;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// True when `s` holds no control character, bidirectional override or zero-width mark.
fn is_clean(s: &str) -> bool {
    !s.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    })
}

/// Every string inside a serialisable value is clean.
fn all_clean(value: &impl Serialize) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => is_clean(s),
            serde_json::Value::Array(a) => a.iter().all(walk),
            serde_json::Value::Object(o) => o.iter().all(|(k, v)| is_clean(k) && walk(v)),
            _ => true,
        }
    }
    walk(&serde_json::to_value(value).unwrap())
}

/// Hostile text: escape sequences, C0/C1 controls, bidi overrides, markup, long runs.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\u{1b}[2J".to_string()),
        Just("\u{1b}]0;pwned\u{7}".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}evil".to_string()),
        Just("\u{0}\u{7}\u{8}\r\n\t".to_string()),
        Just("<script>".to_string()),
        Just("&amp;&#27;&lt;".to_string()),
        "[a-zA-Z0-9 ]{0,12}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

/// A UPnP description with `depth` nested embedded devices and `text` in every field.
fn description(depth: usize, text: &str) -> String {
    let field = |name: &str| format!("<{name}>{text}</{name}>");
    let mut device = String::new();
    for _ in 0..depth {
        device.push_str("<device><deviceType>urn:x:device:D:1</deviceType><deviceList>");
    }
    for _ in 0..depth {
        device.push_str("</deviceList></device>");
    }
    format!(
        "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>\
         <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>{}{}{}{}\
         <serviceList><service>{}<controlURL>/c</controlURL></service></serviceList>\
         <deviceList>{device}</deviceList></device></root>",
        field("friendlyName"),
        field("manufacturer"),
        field("modelName"),
        field("serialNumber"),
        field("serviceType")
    )
}

/// Reads an HTTP response from bytes with the client's parser.
fn read_http(bytes: &[u8], max: usize) -> Result<http::Response, http::HttpError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(http::read_response(bytes, max))
}

fn http_response_clean(r: &http::Response, max: usize) -> bool {
    r.body.len() <= max
        && is_clean(&r.reason)
        && r.headers.iter().all(|(n, v)| is_clean(n) && is_clean(v))
        && r.title().is_none_or(|t| is_clean(&t))
}

#[test]
fn the_hostile_home_cases_are_handled() {
    // A description nested 5,000 deep (35 KB): refused, not a stack overflow.
    let deep = format!(
        "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">{}{}</root>",
        "<d>".repeat(5000),
        "</d>".repeat(5000)
    );
    assert!(deep.len() < 40_000);
    let e = ssdp::parse_description(&deep, "http://10.0.0.9/d.xml").unwrap_err();
    assert!(e.contains("nested more than 64"), "{e}");
    let e = soap::parse_reply(200, deep.as_bytes(), "GetStatusInfo").unwrap_err();
    assert!(e.to_string().contains("nested more than 64"), "{e}");
    assert!(soap::find_control(&deep, "http://10.0.0.1/d.xml", &["WAN"]).is_err());
    // Escape codes in every field: parsed, and nothing of them kept.
    let info = ssdp::parse_description(
        &description(2, "Evil\u{1b}]0;title\u{7}\u{1b}[2JTV\u{202e}"),
        "http://10.0.0.9/d.xml",
    )
    .unwrap();
    assert!(all_clean(&info), "{info:?}");
    assert_eq!(info.friendly_name.as_deref(), Some("Evil TV"));
    // An endless body is cut at the cap.
    let endless = [b"HTTP/1.1 200 OK\r\n\r\n".as_slice(), &[b'x'; 100_000]].concat();
    let r = read_http(&endless, 4096).unwrap();
    assert!(r.truncated && r.body.len() <= 4096);
    // A 100 MB garbage state file is refused by size elsewhere (tests/store_size.rs); garbage of
    // any other size is refused by the decoder without a panic.
    assert!(crate::store::format::decode(&[0xff; 4096]).is_err());
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ssdp_headers_never_panic_and_keep_nothing_dirty(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        text in hostile_text(),
    ) {
        let _ = ssdp::parse_reply(&bytes);
        let datagram = format!(
            "HTTP/1.1 200 OK\r\nLOCATION: {text}\r\nST: {text}\r\nUSN: uuid:{text}\r\nSERVER: {text}\r\nNTS: {text}\r\n\r\n"
        );
        if let Some(r) = ssdp::parse_reply(datagram.as_bytes()) {
            for field in [&r.location, &r.search_target, &r.usn, &r.server].into_iter().flatten() {
                prop_assert!(is_clean(field), "{field:?}");
            }
        }
    }

    #[test]
    fn descriptions_are_bounded_in_depth_and_clean(
        depth in 0usize..120,
        text in hostile_text(),
        junk in any::<String>(),
    ) {
        let _ = ssdp::parse_description(&junk, "http://10.0.0.9/d.xml");
        let xml = description(depth, &text);
        match ssdp::parse_description(&xml, "http://10.0.0.9/d.xml") {
            Ok(info) => prop_assert!(all_clean(&info), "{info:?}"),
            Err(e) => prop_assert!(is_clean(&e) && !e.contains('\n'), "{e:?}"),
        }
        // Depth: the outer frame is 4 deep, each embedded device adds 2.
        if 4 + 2 * depth > xml::MAX_DEPTH {
            prop_assert!(xml::parse(&xml).is_err());
        }
    }

    #[test]
    fn xml_depth_is_never_underestimated(
        opens in proptest::collection::vec(0u8..4, 0..200),
    ) {
        // Random mixes of opening, closing, self-closing tags and comments: when the real parser
        // accepts the text, its depth is what the bound saw.
        let mut text = String::from("<r>");
        let mut open = 1usize;
        for op in opens {
            match op {
                0 => { text.push_str("<a x='/>'>"); open += 1; }
                1 if open > 1 => { text.push_str("</a>"); open -= 1; }
                2 => text.push_str("<b/><!-- <c> -->"),
                _ => text.push_str("<![CDATA[<d>]]>"),
            }
        }
        for _ in 1..open { text.push_str("</a>"); }
        text.push_str("</r>");
        let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX };
        // Shallow enough for the real parser to measure safely on the test thread.
        if let Ok(doc) = roxmltree::Document::parse_with_options(&text, options) {
            let real = doc.descendants().map(|n| n.ancestors().filter(|a| a.is_element()).count()).max().unwrap_or(0);
            // The bound counts elements that hold content (the ones the parser recurses into);
            // an empty element (`<b/>`) may sit one deeper.
            let seen = (0..=real).find(|m| xml::check_depth(&text, *m).is_ok());
            prop_assert!(seen.is_some(), "depth {real} refused in {text}");
            let seen = seen.unwrap_or_default();
            prop_assert!(seen + 1 >= real, "saw {seen} of {real} in {text}");
        }
    }

    #[test]
    fn soap_replies_never_panic_and_keep_nothing_dirty(
        status in prop_oneof![Just(200u16), Just(500u16), any::<u16>()],
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        text in hostile_text(),
        code in any::<u32>(),
    ) {
        let _ = soap::parse_reply(status, &bytes, "GetGenericPortMappingEntry");
        let _ = soap::find_control(&String::from_utf8_lossy(&bytes), "http://10.0.0.1/d.xml", &["WAN"]);
        let reply = format!(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
             <u:GetStatusInfoResponse><NewUptime>{text}</NewUptime><N{code}>{text}</N{code}>\
             </u:GetStatusInfoResponse></s:Body></s:Envelope>"
        );
        match soap::parse_reply(status, reply.as_bytes(), "GetStatusInfo") {
            Ok(values) => prop_assert!(values.iter().all(|(k, v)| is_clean(k) && is_clean(v))),
            Err(e) => prop_assert!(is_clean(&e.to_string())),
        }
        let fault = format!(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>\
             <detail><UPnPError><errorCode>{code}</errorCode><errorDescription>{text}\
             </errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"
        );
        if let Err(e) = soap::parse_reply(500, fault.as_bytes(), "X") {
            prop_assert!(is_clean(&e.to_string()));
        }
    }

    #[test]
    fn mdns_names_and_txt_are_clean(
        name in hostile_text(),
        host in hostile_text(),
        ty in hostile_text(),
        txt in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let ty_domain = format!("_{ty}._tcp.local.");
        let fullname = format!("{name}.{ty_domain}");
        prop_assert!(is_clean(&mdns::instance_name(&fullname, &ty_domain)));
        prop_assert!(is_clean(&mdns::service_type(&ty_domain)));
        let none: &[(&str, &str)] = &[];
        let mut info = mdns_sd::ServiceInfo::new("_http._tcp.local.", "x", "x.local.", "10.0.0.5", 80, none)
            .unwrap()
            .as_resolved_service();
        info.ty_domain = ty_domain;
        info.fullname = fullname;
        info.host = host;
        info.txt_properties = mdns_sd::TxtProperties::from(txt.as_slice());
        let sighting = mdns::sighting(&info, Ipv4Addr::new(10, 0, 0, 5), 32);
        prop_assert!(all_clean(&sighting));
    }

    #[test]
    fn http_heads_and_titles_are_bounded_and_clean(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        reason in hostile_text(),
        header in hostile_text(),
        title in hostile_text(),
        max in 16usize..8192,
    ) {
        if let Ok(r) = read_http(&bytes, max) {
            prop_assert!(http_response_clean(&r, max));
        }
        let page = format!(
            "HTTP/1.1 200 {reason}\r\nServer: {header}\r\nX-{header}: 1\r\n\r\n<html><title>{title}</title>"
        );
        if let Ok(r) = read_http(page.as_bytes(), max) {
            prop_assert!(http_response_clean(&r, max));
        }
        let chunked = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{header}\r\n{title}");
        if let Ok(r) = read_http(chunked.as_bytes(), max) {
            prop_assert!(http_response_clean(&r, max));
        }
    }

    #[test]
    fn banners_are_clean(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        text in hostile_text(),
    ) {
        let rtsp_reply = format!("RTSP/1.0 401 {text}\r\nServer: {text}\r\nWWW-Authenticate: {text}\r\nPublic: {text}\r\n\r\n");
        for input in [bytes.as_slice(), text.as_bytes(), rtsp_reply.as_bytes()] {
            for kind in [ProbeKind::Ssh, ProbeKind::Ftp, ProbeKind::Telnet] {
                if let Some(b) = ports::greeting(input, kind) {
                    prop_assert!(is_clean(&b), "{b:?}");
                }
            }
            if let Some(b) = ports::banners::summarise_rtsp(input) {
                prop_assert!(is_clean(&b), "{b:?}");
            }
            let telnet = ports::strip_telnet(input);
            if let Some(b) = ports::greeting(&telnet, ProbeKind::Telnet) {
                prop_assert!(is_clean(&b));
            }
            match ports::tls::classify_tls_reply(input) {
                ports::Found::Tls(b) | ports::Found::Plain(b) | ports::Found::LooksLikeHttp(b) => {
                    prop_assert!(b.is_none_or(|b| is_clean(&b)));
                }
            }
            if let Some((_, line)) = rtsp::status(input) {
                prop_assert!(is_clean(&line));
            }
            if let Some(scheme) = rtsp::auth_scheme(input) {
                prop_assert!(is_clean(&scheme));
            }
            if let crate::checks::ports::SmbReply::Smb1Refused(why) = crate::checks::ports::classify_smb_reply(input) {
                prop_assert!(is_clean(&why));
            }
        }
        let code = bytes.first().copied().unwrap_or(0);
        prop_assert!(is_clean(&ports::describe_connack(code)));
    }

    #[test]
    fn proc_files_never_panic(
        text in any::<String>(),
        fields in proptest::collection::vec("[0-9A-Fa-fx.:]{0,20}", 0..12),
    ) {
        let line = fields.join(" ");
        for input in [text.clone(), format!("IP address HW type Flags HW address Mask Device\n{line}\n{text}")] {
            for n in neighbours::parse_proc_arp(&input) {
                prop_assert!(is_clean(&n.interface));
            }
            let _ = neighbours::parse_proc_route(&input);
        }
    }

    #[test]
    fn state_files_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        cut in any::<prop::sample::Index>(),
        flip in any::<u8>(),
    ) {
        let _ = crate::store::format::decode(&bytes);
        // Damaged versions of a real state file: cut short, or one byte changed.
        let home = crate::demo::household(jiff::Timestamp::from_second(1_700_000_000).unwrap()).unwrap();
        let good = crate::store::format::encode(&home, jiff::Timestamp::from_second(1_700_000_000).unwrap()).unwrap();
        let at = cut.index(good.len());
        let _ = crate::store::format::decode(&good[..at]);
        let mut changed = good.clone();
        changed[at] = flip;
        let _ = crate::store::format::decode(&changed);
    }
}
