//! Checks on a device's web pages: that its admin page is served over TLS with plain http
//! switching to https, and that its settings page asks for a login before showing anything.
//!
//! porchlight has no TLS client, so it can tell that TLS answers (with discovery's ClientHello
//! probe) but cannot read a page behind it; such pages are reported as "cannot tell", never
//! guessed. The plain-http reads use discovery's bounded HTTP parser under one deadline per
//! request, and follow at most [`MAX_HOPS`] redirects, only on the same device and only over
//! plain http.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddrV4};

use tokio::io::AsyncWriteExt;
use tokio::time::{Instant, timeout_at};

use super::buckets::{self, Seen};
use super::rules;
use super::{CheckResult, Context, Target};
use crate::discovery::http::{self, HttpError, Response};
use crate::discovery::ports::{PortAnswer, PortOptions, ProbeKind, probe_port_answer};
use crate::sanitize::clean;

/// Ports where a plain-http admin page usually is.
pub const PLAIN_ADMIN_PORTS: &[u16] = &[80, 8080];

/// Ports checked for a settings page that opens without a login.
pub const LOGIN_PAGE_PORTS: &[u16] = &[80, 8080, 8000, 8081];

/// Ports where an https admin page usually is.
pub const TLS_ADMIN_PORTS: &[u16] = &[443, 8443];

/// The most redirects followed from one page.
pub const MAX_HOPS: usize = 3;

/// The `Host` header value for `addr`.
fn host_header(addr: SocketAddrV4) -> String {
    if addr.port() == 80 {
        addr.ip().to_string()
    } else {
        addr.to_string()
    }
}

/// `http://10.0.0.1/` or `http://10.0.0.1:8080/path`.
pub(crate) fn url(addr: SocketAddrV4, path: &str) -> String {
    format!("http://{}{path}", host_header(addr))
}

/// True for bytes that may go in a request line or header value.
fn is_header_byte(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

/// Sends `GET path` with `headers` to `addr` and reads the response, connect and exchange under
/// one deadline (the connect timeout plus the exchange timeout), at most `max_bytes` read.
///
/// # Errors
/// The HTTP client's errors: a bad path or header, no connection, a timeout, a broken reply.
pub(crate) async fn get(
    addr: SocketAddrV4,
    path: &str,
    headers: &[(&str, String)],
    ctx: &Context,
) -> Result<Response, HttpError> {
    send(addr, "GET", path, headers, None, ctx).await
}

/// Sends `method path` with `headers` and, for a POST, `form` as an
/// `application/x-www-form-urlencoded` body; bounded as [`get`].
///
/// # Errors
/// As [`get`]; also a form body that is not visible ASCII.
pub(crate) async fn send(
    addr: SocketAddrV4,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    form: Option<&str>,
    ctx: &Context,
) -> Result<Response, HttpError> {
    if !path.starts_with('/') || !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HttpError::BadRequest(
            "the path must start with / and contain only visible ASCII",
        ));
    }
    if headers
        .iter()
        .any(|(n, v)| !n.bytes().all(|b| b.is_ascii_graphic()) || !v.bytes().all(is_header_byte))
    {
        return Err(HttpError::BadRequest(
            "a header contains invalid characters",
        ));
    }
    if form.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_graphic())) {
        return Err(HttpError::BadRequest(
            "a form body contains invalid characters",
        ));
    }
    let budget = ctx.limits.connect_timeout + ctx.limits.exchange_timeout;
    let deadline = Instant::now() + budget;
    let exchange = async {
        let mut stream = http::connect(addr, ctx.limits.connect_timeout).await?;
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: porchlight\r\nAccept: */*\r\nConnection: close\r\n",
            host_header(addr)
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = form {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(HttpError::Io)?;
        http::read_response(stream, ctx.limits.max_bytes).await
    };
    match timeout_at(deadline, exchange).await {
        Ok(result) => result,
        Err(_) => Err(HttpError::Timeout(budget)),
    }
}

/// `HTTP 200 OK`, with the page title when there is one.
fn summary(response: &Response) -> String {
    let status = format!("HTTP {} {}", response.status, response.reason);
    match response.title() {
        Some(title) => format!("{}, title \"{title}\"", status.trim_end()),
        None => status.trim_end().to_string(),
    }
}

/// Where a page sends the browser: the `Location` of a 3xx, or a `<meta http-equiv="refresh">`
/// or a `location.href = "..."` script in a small page.
pub(crate) fn redirect_target(response: &Response) -> Option<String> {
    if (300..400).contains(&response.status) {
        return response.header("location").map(str::to_string);
    }
    if response.body.len() > 4096 {
        return None;
    }
    let body = String::from_utf8_lossy(&response.body);
    let lower = body.to_ascii_lowercase();
    if let Some(at) = lower
        .find("http-equiv=\"refresh\"")
        .or_else(|| lower.find("http-equiv='refresh'"))
        .or_else(|| lower.find("http-equiv=refresh"))
    {
        let tag_start = lower[..at].rfind('<').unwrap_or(at);
        let tag_end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
        let tag = &body[tag_start..tag_end];
        let tag_lower = &lower[tag_start..tag_end];
        if let Some(u) = tag_lower.find("url=") {
            let value = tag[u + 4..]
                .trim_start_matches(['\'', '"', ' '])
                .split(['\'', '"', '>', ' '])
                .next()
                .unwrap_or_default();
            if !value.is_empty() {
                return Some(clean(value, 200));
            }
        }
    }
    for needle in ["location.href", "location.replace(", "location ="] {
        if let Some(at) = lower.find(needle) {
            let rest = &body[at + needle.len()..];
            let rest = rest.trim_start_matches(['=', ' ', '(']);
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let value = rest[1..].split(quote).next().unwrap_or_default();
                if !value.is_empty() {
                    return Some(clean(value, 200));
                }
            }
        }
    }
    None
}

/// Where a redirect leads, relative to the page at `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hop {
    /// To `https://`.
    Https(String),
    /// To a plain-http path on the same device (address, path).
    Same(SocketAddrV4, String),
    /// Somewhere else (another host, another scheme).
    Elsewhere(String),
}

pub(crate) fn resolve_hop(from: SocketAddrV4, location: &str) -> Hop {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Hop::Https(location.to_string());
    }
    if lower.starts_with("http://") {
        return match http::parse_url(location) {
            Ok((addr, _, path)) if addr.ip() == from.ip() => Hop::Same(addr, path),
            _ => Hop::Elsewhere(location.to_string()),
        };
    }
    if location.starts_with("//") {
        return Hop::Elsewhere(location.to_string());
    }
    if location.starts_with('/') {
        return Hop::Same(from, location.to_string());
    }
    if location.contains(':') {
        return Hop::Elsewhere(location.to_string());
    }
    // A relative path: from the root (the pages read here are all at the root).
    Hop::Same(from, format!("/{location}"))
}

/// True when the HTML has a password field.
pub(crate) fn has_password_field(body: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(body).to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<input") {
        let tag = &rest[at..];
        let end = tag.find('>').unwrap_or(tag.len());
        let compact: String = tag[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("type=\"password\"")
            || compact.contains("type='password'")
            || compact.contains("type=password")
        {
            return true;
        }
        rest = &tag[end.min(tag.len())..];
        if rest.len() == tag.len() {
            break;
        }
    }
    false
}

/// Words that suggest a page leads to a login.
fn mentions_login(body: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(body).to_ascii_lowercase();
    [
        "password", "passwd", "login", "log in", "sign in", "signin", "logon",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// The length of the text a browser would show, roughly (tags, scripts and styles dropped).
fn visible_text_len(body: &[u8]) -> usize {
    let lower = String::from_utf8_lossy(body).to_ascii_lowercase();
    let mut count = 0usize;
    let mut rest = lower.as_str();
    loop {
        let Some(open) = rest.find('<') else {
            count += rest.split_whitespace().map(str::len).sum::<usize>();
            break;
        };
        count += rest[..open].split_whitespace().map(str::len).sum::<usize>();
        let tag = &rest[open..];
        let close = if tag.starts_with("<script") {
            tag.find("</script")
        } else if tag.starts_with("<style") {
            tag.find("</style")
        } else {
            Some(0)
        };
        let skip_to = close.and_then(|c| tag[c..].find('>').map(|e| c + e + 1));
        match skip_to {
            Some(n) => rest = &tag[n.min(tag.len())..],
            None => break,
        }
    }
    count
}

/// What one admin port showed (nothing, or not a web page, says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// A page that asks for a login (401, or a password field).
    Login,
    /// A page served without a login.
    Open,
    /// It moves to https.
    Https,
    /// A page porchlight cannot judge (built by scripts, or an error page).
    Unclear,
}

/// Reads the page at `addr` `/`, following redirects on the same device over plain http.
async fn read_page(addr: SocketAddrV4, ctx: &Context) -> Seen<Page> {
    let mut at = addr;
    let mut path = "/".to_string();
    for _ in 0..=MAX_HOPS {
        let here = url(at, &path);
        let response = match get(at, &path, &[], ctx).await {
            Ok(r) => r,
            // Nothing there, or not a web server.
            Err(_) if at == addr && path == "/" => return None,
            Err(e) => {
                return Some((
                    Page::Unclear,
                    format!("{here} did not answer properly ({e})"),
                ));
            }
        };
        if response.status == 401 {
            let scheme = response
                .header("www-authenticate")
                .and_then(|v| v.split_whitespace().next())
                .map(|s| format!(", {s}"))
                .unwrap_or_default();
            return Some((
                Page::Login,
                format!("{here} asks for a login (HTTP 401{scheme})"),
            ));
        }
        if let Some(location) = redirect_target(&response) {
            match resolve_hop(at, &location) {
                Hop::Https(to) => return Some((Page::Https, format!("{here} moves to {to}"))),
                Hop::Same(next, next_path) => {
                    at = next;
                    path = next_path;
                    continue;
                }
                Hop::Elsewhere(to) => {
                    return Some((Page::Unclear, format!("{here} sends the browser to {to}")));
                }
            }
        }
        if !(200..300).contains(&response.status) {
            return Some((
                Page::Unclear,
                format!("{here} answered {}", summary(&response)),
            ));
        }
        if has_password_field(&response.body) {
            return Some((
                Page::Login,
                format!("{here} shows a login form ({})", summary(&response)),
            ));
        }
        if mentions_login(&response.body) {
            return Some((
                Page::Unclear,
                format!(
                    "{here} mentions a login but shows no password field ({})",
                    summary(&response)
                ),
            ));
        }
        if response
            .body
            .windows(7)
            .any(|w| w.eq_ignore_ascii_case(b"<script"))
            && visible_text_len(&response.body) < 300
        {
            return Some((
                Page::Unclear,
                format!(
                    "{here} is built by scripts porchlight does not run ({})",
                    summary(&response)
                ),
            ));
        }
        return Some((
            Page::Open,
            format!(
                "the settings page {here} opens without asking for a password ({})",
                summary(&response)
            ),
        ));
    }
    Some((
        Page::Unclear,
        format!("{} redirects more than {MAX_HOPS} times", url(addr, "/")),
    ))
}

/// Pass when the settings page asks for a login; Fail when one opens without; Unknown when no
/// page answers, or it is only on https, or porchlight cannot judge it.
pub async fn admin_login(target: &Target, ctx: &Context) -> CheckResult {
    admin_login_on(target.ip, LOGIN_PAGE_PORTS, ctx).await
}

/// [`admin_login`] on the given ports (tests use others).
pub async fn admin_login_on(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> CheckResult {
    let pages = futures::future::join_all(
        ports
            .iter()
            .map(|&port| read_page(SocketAddrV4::new(ip, port), ctx)),
    )
    .await;
    let [open, login, https, unclear] = buckets::sort(
        &pages,
        [Page::Open, Page::Login, Page::Https, Page::Unclear],
    );
    if !open.is_empty() {
        return CheckResult::fail(open.join("; ")).with_next(
            "Set an admin password in the device's settings (often under Security, System or \
             Administrator), save, and check again.",
        );
    }
    if !login.is_empty() {
        return CheckResult::pass(login.join("; "));
    }
    if !https.is_empty() {
        return CheckResult::unknown(format!(
            "{}; porchlight cannot read pages over https",
            https.join("; ")
        ))
        .with_next("Open the page in a browser and check that it asks for a password first.");
    }
    if !unclear.is_empty() {
        return CheckResult::unknown(unclear.join("; "))
            .with_next("Open the page in a browser and check that it asks for a password first.");
    }
    CheckResult::unknown(format!(
        "no web page answered on {ip} (ports {})",
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// What a plain-http admin port does (a refusal, or an answer that is no web page, says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    ToHttps,
    Serves,
    /// No answer: a page may be there behind a lost frame.
    Silent,
}

async fn plain_port(addr: SocketAddrV4, ctx: &Context) -> Seen<Plain> {
    let here = url(addr, "/");
    let response = match get(addr, "/", &[], ctx).await {
        Ok(response) => response,
        Err(HttpError::Connect(e)) if e.kind() == ErrorKind::ConnectionRefused => return None,
        // No answer, or a connection dropped before one: a page may be there all the same.
        Err(
            HttpError::Connect(_) | HttpError::Timeout(_) | HttpError::Io(_) | HttpError::Closed,
        ) => {
            return Some((Plain::Silent, here));
        }
        Err(_) => return None,
    };
    if let Some(location) = redirect_target(&response) {
        return match resolve_hop(addr, &location) {
            Hop::Https(to) => Some((Plain::ToHttps, format!("{here} moves to {to}"))),
            Hop::Same(..) | Hop::Elsewhere(_) => Some((
                Plain::Serves,
                format!("{here} stays on plain http (it sends the browser to {location})"),
            )),
        };
    }
    match response.status {
        200..=299 | 401 => Some((
            Plain::Serves,
            format!(
                "the admin page {here} opens over plain http ({})",
                summary(&response)
            ),
        )),
        _ => None,
    }
}

/// Pass when TLS answers on 443 or 8443 (or plain http moves to https) and every plain-http
/// admin port refuses or moves to https; Fail when one serves a page; Unknown when no admin page
/// answers at all or a plain port stayed silent.
pub async fn https_admin(target: &Target, ctx: &Context) -> CheckResult {
    https_admin_on(target.ip, PLAIN_ADMIN_PORTS, TLS_ADMIN_PORTS, ctx).await
}

/// [`https_admin`] on the given ports (tests use others).
pub async fn https_admin_on(
    ip: Ipv4Addr,
    plain_ports: &[u16],
    tls_ports: &[u16],
    ctx: &Context,
) -> CheckResult {
    let opts = PortOptions {
        connect_timeout: ctx.limits.connect_timeout,
        banner_timeout: ctx.limits.exchange_timeout,
        max_banner_bytes: 4096,
        per_host_concurrency: 1,
    };
    let tls =
        futures::future::join_all(
            tls_ports.iter().map(|&port| {
                let opts = opts.clone();
                async move {
                    probe_port_answer(SocketAddrV4::new(ip, port), ProbeKind::Tls, &opts).await
                }
            }),
        );
    let plain = futures::future::join_all(
        plain_ports
            .iter()
            .map(|&port| plain_port(SocketAddrV4::new(ip, port), ctx)),
    );
    let (tls_answers, plain) = futures::join!(tls, plain);
    let mut tls: Vec<String> = Vec::new();
    let (mut tls_silent, mut tls_other) = (Vec::new(), false);
    for answer in tls_answers {
        match answer {
            PortAnswer::Open(p) if p.tls => {
                let banner = p.banner.map(|b| format!(" ({b})")).unwrap_or_default();
                tls.push(format!("TLS answers on {ip}:{}{banner}", p.port));
            }
            PortAnswer::Open(_) => tls_other = true,
            PortAnswer::Closed(_) => {}
            PortAnswer::Silent(port) => tls_silent.push(format!("port {port}")),
        }
    }
    let [serves, moves, silent] =
        buckets::sort(&plain, [Plain::Serves, Plain::ToHttps, Plain::Silent]);
    let mut seen: Vec<String> = serves.clone();
    seen.extend(moves.iter().cloned());
    seen.extend(tls.iter().cloned());
    if !serves.is_empty() {
        let advice = if tls.is_empty() {
            "Look for an HTTPS, Secure Login or Authentication Method setting and choose HTTPS only \
             (or HTTP redirected to HTTPS); if there is none, update the firmware."
        } else {
            "The secure page exists: choose HTTPS only, or HTTP redirected to HTTPS, in the admin \
             settings, and use the https:// address from now on."
        };
        return CheckResult::fail(seen.join("; ")).with_next(advice);
    }
    if !silent.is_empty() || (tls.is_empty() && moves.is_empty() && !tls_silent.is_empty()) {
        // A plain page may be served behind the silence: a pass needs every plain port heard.
        // With no secure page heard either, a silent TLS port may hide the only page there is.
        let mut silent = silent;
        silent.extend(tls_silent.iter().map(|p| format!("{ip} {p}")));
        let mut result = rules::no_answer(silent.join(", "));
        if !seen.is_empty() {
            result.evidence = crate::sanitize::clean(
                &format!("{}; {}", seen.join("; "), result.evidence),
                super::EVIDENCE_CHARS,
            );
        }
        return result;
    }
    if !tls.is_empty() || !moves.is_empty() {
        return CheckResult::pass(seen.join("; "));
    }
    let all: Vec<String> = plain_ports
        .iter()
        .chain(tls_ports)
        .map(u16::to_string)
        .collect();
    if tls_other {
        return CheckResult::unknown(format!(
            "no admin page answered on {ip} (ports {}): a port answered but spoke neither HTTP nor TLS",
            all.join(", ")
        ))
        .with_next("If the device has a settings page at another address, open it and check that it uses https://.");
    }
    // Every web port refused the connection: positive evidence that there is no page to secure.
    CheckResult::not_applicable(format!(
        "no web page found on {ip}: the device refuses ports {}",
        all.join(", ")
    ))
    .with_next("If the device has a settings page at another address, open it and check that it uses https://.")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn password_fields_are_found() {
        assert!(has_password_field(
            b"<form><INPUT name=p TYPE = \"Password\"></form>"
        ));
        assert!(has_password_field(b"<input type=password name=x>"));
        assert!(has_password_field(b"<input id=a><input type='password'>"));
        assert!(!has_password_field(b"<input type=\"text\"> password"));
        assert!(!has_password_field(b"<input type=\"text\""));
    }

    #[test]
    fn redirects_are_found_in_headers_meta_and_scripts() {
        let r = Response::made_up(301, &[("Location", "https://10.0.0.1/")], "");
        assert_eq!(redirect_target(&r).as_deref(), Some("https://10.0.0.1/"));
        let r = Response::made_up(
            200,
            &[],
            "<html><meta http-equiv=\"refresh\" content=\"0; URL=/login.htm\"></html>",
        );
        assert_eq!(redirect_target(&r).as_deref(), Some("/login.htm"));
        let r = Response::made_up(
            200,
            &[],
            "<script>window.location.href = 'https://x/';</script>",
        );
        assert_eq!(redirect_target(&r).as_deref(), Some("https://x/"));
        assert_eq!(
            redirect_target(&Response::made_up(200, &[], "<p>hello</p>")),
            None
        );
    }

    #[test]
    fn hops_stay_on_the_device() {
        let from: SocketAddrV4 = "10.0.0.1:80".parse().unwrap();
        assert!(matches!(
            resolve_hop(from, "HTTPS://10.0.0.1/"),
            Hop::Https(_)
        ));
        assert_eq!(
            resolve_hop(from, "/login.htm"),
            Hop::Same(from, "/login.htm".into())
        );
        assert_eq!(
            resolve_hop(from, "login.htm"),
            Hop::Same(from, "/login.htm".into())
        );
        assert_eq!(
            resolve_hop(from, "http://10.0.0.1:8080/x"),
            Hop::Same("10.0.0.1:8080".parse().unwrap(), "/x".into())
        );
        assert!(matches!(
            resolve_hop(from, "http://10.0.0.9/"),
            Hop::Elsewhere(_)
        ));
        assert!(matches!(resolve_hop(from, "//evil/"), Hop::Elsewhere(_)));
        assert!(matches!(resolve_hop(from, "ftp://x/"), Hop::Elsewhere(_)));
    }

    #[test]
    fn script_pages_have_little_visible_text() {
        let spa = b"<html><head><script src=app.js></script><style>body{}</style></head><body><div id=app></div></body></html>";
        assert_eq!(visible_text_len(spa), 0);
        assert_eq!(visible_text_len(b"<p>Status: online</p>"), 13);
    }
}
