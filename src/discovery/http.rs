//! A minimal, bounded HTTP/1.x client for talking to devices: UPnP description fetches, UPnP's
//! SOAP actions (POST) and HTTP banner reads.
//!
//! Devices are untrusted and often broken, so this client does only what those jobs need and
//! bounds everything: one overall deadline covers connecting, sending and reading (a server that
//! never answers, or trickles a byte a second, ends at the deadline, not later), at most
//! `max_bytes` are read from the socket (status line, headers and body together; a longer body is
//! cut and marked `truncated`), and the header section is capped in size and count. It speaks plain
//! TCP to an IPv4 address only: no TLS, no redirects, no proxies, no keep-alive, no compression.
//!
//! Header names and values, and the reason phrase, are cleaned with [`crate::sanitize::clean`] as
//! they are parsed, so a [`Response`] can be stored or shown as is; the body is raw bytes.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::ports::reach::{CONNECT_TRIES, Reach, reach};
use crate::sanitize::{DEFAULT_MAX_CHARS, clean, clean_bytes};

/// The longest a connect may take, retransmissions included, before the host counts as silent.
const CONNECT_WINDOW: Duration = Duration::from_secs(1);

/// Connects within `window`, retransmitting ([`reach`]): a refusal is
/// [`HttpError::Connect`] of kind `ConnectionRefused`, silence of kind `TimedOut`.
pub(crate) async fn connect(addr: SocketAddrV4, window: Duration) -> Result<TcpStream, HttpError> {
    match reach(addr, window, CONNECT_TRIES).await {
        Reach::Open(stream) => Ok(stream),
        Reach::Refused => Err(HttpError::Connect(io::ErrorKind::ConnectionRefused.into())),
        Reach::Silent => Err(HttpError::Connect(io::ErrorKind::TimedOut.into())),
    }
}

/// The largest header section read (status line and headers), in bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The most header lines accepted in one response.
pub const MAX_HEADERS: usize = 100;

/// The longest kept header value, in characters (after cleaning).
const MAX_HEADER_VALUE_CHARS: usize = 1024;

/// The longest chunk-size or trailer line accepted in a chunked body, in bytes.
const MAX_CHUNK_LINE: usize = 1024;

/// How many interim (1xx) responses are skipped before giving up.
const MAX_INTERIM: usize = 4;

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 8 * 1024;

/// Bounds on one HTTP exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole exchange (connect, send, read) must end within this time.
    pub timeout: Duration,
    /// At most this many bytes are read from the server, headers and body together.
    pub max_bytes: usize,
}

/// An HTTP response, with its header values cleaned and its body capped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code (`200`).
    pub status: u16,
    /// Reason phrase (`OK`), cleaned; may be empty.
    pub reason: String,
    /// Headers in the order received, names and values cleaned.
    pub headers: Vec<(String, String)>,
    /// The body, decoded from chunked transfer encoding when it was chunked.
    pub body: Vec<u8>,
    /// The body is not whole: it was cut at the byte cap, or the server closed the connection
    /// before the length it announced.
    pub truncated: bool,
}

impl Response {
    /// A whole response as a device might send it, for unit tests of what reads responses.
    #[cfg(test)]
    pub(crate) fn made_up(status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        Self {
            status,
            reason: String::new(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    /// The value of the first header called `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `<title>` of an HTML body, cleaned, with the common character entities decoded; `None`
    /// when there is no title or it is empty.
    pub fn title(&self) -> Option<String> {
        html_title(&self.body)
    }
}

/// Why an HTTP exchange failed. Messages are one line; any text from the server in them is
/// cleaned.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The address is not a plain `http://` URL with an IPv4 host.
    #[error("unsupported address {0:?}: only http:// with an IPv4 host is fetched")]
    BadUrl(String),
    /// The host or path would not make a valid request line.
    #[error("invalid request: {0}")]
    BadRequest(&'static str),
    /// The TCP connection could not be made.
    #[error("could not connect: {0}")]
    Connect(io::Error),
    /// Sending or reading failed after connecting.
    #[error("connection failed: {0}")]
    Io(io::Error),
    /// The exchange did not finish within the time allowed.
    #[error("no complete answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The server closed the connection before a complete header section.
    #[error("the server closed the connection before answering")]
    Closed,
    /// The first line is not an HTTP/1.x status line.
    #[error("not an HTTP status line: {0:?}")]
    BadStatusLine(String),
    /// The header section is larger than allowed.
    #[error("header section larger than {0} bytes")]
    HeadersTooLarge(usize),
    /// The response has more header lines than allowed.
    #[error("more than {0} header lines")]
    TooManyHeaders(usize),
    /// The `Content-Length` header is not a single number.
    #[error("invalid Content-Length: {0:?}")]
    BadContentLength(String),
    /// The chunked body is malformed.
    #[error("malformed chunked body")]
    BadChunk,
}

/// Sends `GET path` with the given `Host` header to `addr` and reads the response, within `limits`.
///
/// # Errors
/// [`HttpError::BadRequest`] when `host` or `path` contain characters that cannot go in a request
/// (spaces, control characters, non-ASCII; `path` must start with `/`); `Connect` or `Io` on
/// socket errors; `Timeout` when the whole exchange does not finish within `limits.timeout`; and the
/// parse errors of [`read_response`].
pub async fn get(
    addr: SocketAddrV4,
    host: &str,
    path: &str,
    limits: Limits,
) -> Result<Response, HttpError> {
    request("GET", addr, host, path, &[], &[], limits).await
}

/// Sends `POST path` with the given `Host` header, extra `headers` (name, value: visible ASCII
/// and spaces only) and `body` to `addr`, and reads the response within `limits`: the same bounds
/// as [`get`], for UPnP's SOAP actions.
///
/// # Errors
/// As [`get`]; [`HttpError::BadRequest`] also for a header with characters that cannot go in one.
pub async fn post(
    addr: SocketAddrV4,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    limits: Limits,
) -> Result<Response, HttpError> {
    request("POST", addr, host, path, headers, body, limits).await
}

/// One bounded request and its response (see [`get`] and [`post`]).
async fn request(
    method: &str,
    addr: SocketAddrV4,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    limits: Limits,
) -> Result<Response, HttpError> {
    if host.is_empty() || !host.bytes().all(is_request_byte) {
        return Err(HttpError::BadRequest(
            "the host contains invalid characters",
        ));
    }
    if !path.starts_with('/') || !path.bytes().all(is_request_byte) {
        return Err(HttpError::BadRequest(
            "the path must start with / and contain only visible ASCII",
        ));
    }
    let mut extra = String::new();
    for (name, value) in headers {
        let ok = !name.is_empty()
            && name.bytes().all(|b| is_request_byte(b) && b != b':')
            && value.bytes().all(|b| is_request_byte(b) || b == b' ');
        if !ok {
            return Err(HttpError::BadRequest(
                "a header contains invalid characters",
            ));
        }
        extra.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" {
        extra.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    let deadline = Instant::now() + limits.timeout;
    let exchange = async {
        // Retransmitted inside its share of the time: a lost SYN must not cost the whole read.
        let mut stream = connect(addr, (limits.timeout / 2).min(CONNECT_WINDOW)).await?;
        // Best effort: the request is small anyway.
        let _ = stream.set_nodelay(true);
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: porchlight\r\nAccept: */*\r\n{extra}Connection: close\r\n\r\n"
        )
        .into_bytes();
        request.extend_from_slice(body);
        stream.write_all(&request).await.map_err(HttpError::Io)?;
        read_response(stream, limits.max_bytes).await
    };
    match tokio::time::timeout_at(deadline, exchange).await {
        Ok(result) => result,
        Err(_) => Err(HttpError::Timeout(limits.timeout)),
    }
}

/// Reads one HTTP/1.x response from `reader`, reading at most `max_bytes` in all, and stops.
///
/// Handles `Content-Length`, chunked transfer encoding and read-to-close bodies; skips interim
/// (1xx) responses. This function sets no deadline: the caller bounds the time (as [`get`] does).
///
/// # Errors
/// `Closed` when the input ends before a complete header section; `BadStatusLine`,
/// `HeadersTooLarge` (the cap is the smaller of [`MAX_HEAD_BYTES`] and `max_bytes`),
/// `TooManyHeaders`, `BadContentLength` and `BadChunk` on malformed input; `Io` on read errors.
pub async fn read_response<R: AsyncRead + Unpin>(
    reader: R,
    max_bytes: usize,
) -> Result<Response, HttpError> {
    let mut conn = Conn::new(reader, max_bytes);
    let mut interim = 0usize;
    let head = loop {
        let head = read_head(&mut conn).await?;
        if (100..200).contains(&head.status) && head.status != 101 && interim < MAX_INTERIM {
            interim += 1;
            continue;
        }
        break head;
    };
    let mut body = Vec::new();
    let complete = if !has_body(head.status) {
        true
    } else if is_chunked(&head.headers) {
        read_chunked(&mut conn, &mut body).await?
    } else if let Some(length) = content_length(&head.headers)? {
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        conn.take(length, &mut body).await? == length
    } else {
        conn.take(usize::MAX, &mut body).await?;
        !conn.capped
    };
    Ok(Response {
        status: head.status,
        reason: head.reason,
        headers: head.headers,
        body,
        truncated: !complete,
    })
}

/// Splits an `http://a.b.c.d[:port]/path` URL into the socket address, the `Host` header value and
/// the path (with its query; `/` when empty; the fragment dropped).
///
/// # Errors
/// [`HttpError::BadUrl`] for any other scheme, a host name or IPv6 host, user information, a bad
/// or zero port, or characters that cannot go in a request line.
pub fn parse_url(url: &str) -> Result<(SocketAddrV4, String, String), HttpError> {
    let bad = || HttpError::BadUrl(clean(url, 120));
    let scheme_len = "http://".len();
    let scheme = url.get(..scheme_len).ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("http://") {
        return Err(bad());
    }
    let rest = &url[scheme_len..];
    let rest = rest.split('#').next().unwrap_or_default();
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.contains('@') {
        return Err(bad());
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let port: u16 = port.parse().map_err(|_| bad())?;
            (host, Some(port))
        }
        None => (authority, None),
    };
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    let ip: Ipv4Addr = host.parse().map_err(|_| bad())?;
    let port = port.unwrap_or(80);
    if port == 0 {
        return Err(bad());
    }
    let path = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    if !path.bytes().all(is_request_byte) {
        return Err(bad());
    }
    let host_header = if port == 80 {
        ip.to_string()
    } else {
        format!("{ip}:{port}")
    };
    Ok((SocketAddrV4::new(ip, port), host_header, path))
}

/// Visible ASCII: what may go in a request line or `Host` header unescaped.
fn is_request_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// A reader that never reads more than its cap in all.
struct Conn<R> {
    reader: R,
    /// Bytes read but not consumed yet.
    pending: Vec<u8>,
    /// Bytes read from the reader so far.
    read_total: usize,
    /// The most bytes that may be read.
    cap: usize,
    /// The cap was reached (there may have been more).
    capped: bool,
    /// The reader ended.
    eof: bool,
}

impl<R: AsyncRead + Unpin> Conn<R> {
    fn new(reader: R, cap: usize) -> Self {
        Self {
            reader,
            pending: Vec::new(),
            read_total: 0,
            cap,
            capped: false,
            eof: false,
        }
    }

    /// Reads more into `pending`; false when nothing more can be read (end of input or the cap).
    async fn more(&mut self) -> Result<bool, HttpError> {
        if self.eof || self.capped {
            return Ok(false);
        }
        let room = self.cap.saturating_sub(self.read_total);
        if room == 0 {
            self.capped = true;
            return Ok(false);
        }
        let mut buf = [0u8; READ_CHUNK];
        let want = room.min(READ_CHUNK);
        let n = self
            .reader
            .read(&mut buf[..want])
            .await
            .map_err(HttpError::Io)?;
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.read_total += n;
        self.pending.extend_from_slice(&buf[..n]);
        Ok(true)
    }

    /// Moves up to `n` bytes into `out`; returns how many were moved (fewer at the end of input or
    /// at the cap).
    async fn take(&mut self, n: usize, out: &mut Vec<u8>) -> Result<usize, HttpError> {
        let mut moved = 0usize;
        loop {
            let step = (n - moved).min(self.pending.len());
            out.extend(self.pending.drain(..step));
            moved += step;
            if moved == n || !self.more().await? {
                return Ok(moved);
            }
        }
    }

    /// Reads one line ending in `\n` (returned without the line ending); `None` at the end of input
    /// or the cap.
    ///
    /// # Errors
    /// `BadChunk` when no line end comes within `max` bytes.
    async fn line(&mut self, max: usize) -> Result<Option<Vec<u8>>, HttpError> {
        let mut searched = 0usize;
        loop {
            if let Some(i) = self.pending[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + i;
                let mut line: Vec<u8> = self.pending.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            searched = self.pending.len();
            if searched > max {
                return Err(HttpError::BadChunk);
            }
            if !self.more().await? {
                return Ok(None);
            }
        }
    }
}

/// A parsed status line and header section.
struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
}

/// Reads and parses one status line and header section.
async fn read_head<R: AsyncRead + Unpin>(conn: &mut Conn<R>) -> Result<Head, HttpError> {
    let head_cap = MAX_HEAD_BYTES.min(conn.cap);
    let mut searched = 0usize;
    let end = loop {
        if let Some(end) = find_head_end(&conn.pending, searched.saturating_sub(3)) {
            break end;
        }
        searched = conn.pending.len();
        if searched >= head_cap {
            return Err(HttpError::HeadersTooLarge(head_cap));
        }
        if !conn.more().await? {
            if conn.capped {
                return Err(HttpError::HeadersTooLarge(head_cap));
            }
            // A server that closes after a bare status line and headers without the blank line
            // still said something: parse what came, if it has a status line at all.
            if conn.pending.is_empty() {
                return Err(HttpError::Closed);
            }
            let end = conn.pending.len();
            break end;
        }
    };
    if end > head_cap {
        return Err(HttpError::HeadersTooLarge(head_cap));
    }
    let raw: Vec<u8> = conn.pending.drain(..end).collect();
    parse_head(&raw)
}

/// Where the header section ends (just past the blank line), searching from `from`.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// Parses a status line and headers (lines ending in CRLF or LF; folded lines joined).
fn parse_head(raw: &[u8]) -> Result<Head, HttpError> {
    let mut lines = raw
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let (status, reason) = parse_status_line(status_line)?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // Obsolete line folding: the line continues the previous header's value.
            if let Some((_, value)) = headers.last_mut() {
                let more = clean_bytes(line, MAX_HEADER_VALUE_CHARS);
                if !more.is_empty() {
                    let joined = format!("{value} {more}");
                    *value = clean(&joined, MAX_HEADER_VALUE_CHARS);
                }
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            // Not a header line; broken devices send these. Skip it.
            continue;
        };
        if headers.len() >= MAX_HEADERS {
            return Err(HttpError::TooManyHeaders(MAX_HEADERS));
        }
        let name = clean_bytes(&line[..colon], DEFAULT_MAX_CHARS);
        let value = clean_bytes(&line[colon + 1..], MAX_HEADER_VALUE_CHARS);
        headers.push((name, value));
    }
    Ok(Head {
        status,
        reason,
        headers,
    })
}

/// Parses `HTTP/1.x NNN reason`.
fn parse_status_line(line: &[u8]) -> Result<(u16, String), HttpError> {
    let bad = || HttpError::BadStatusLine(clean_bytes(line, 60));
    let rest = line
        .strip_prefix(b"HTTP/1.1")
        .or_else(|| line.strip_prefix(b"HTTP/1.0"))
        .ok_or_else(bad)?;
    let rest = rest.strip_prefix(b" ").ok_or_else(bad)?;
    let code = rest.get(..3).ok_or_else(bad)?;
    if !code.iter().all(u8::is_ascii_digit) || code[0] == b'0' {
        return Err(bad());
    }
    let status = code
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    let after = &rest[3..];
    let reason = match after.first() {
        None => String::new(),
        Some(b' ') => clean_bytes(&after[1..], DEFAULT_MAX_CHARS),
        Some(_) => return Err(bad()),
    };
    Ok((status, reason))
}

/// Whether a response with this status carries a body (to a GET).
fn has_body(status: u16) -> bool {
    !((100..200).contains(&status) || status == 204 || status == 304)
}

/// True when the last transfer coding is `chunked`.
fn is_chunked(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .rfind(|c| !c.is_empty())
        .is_some_and(|c| c.eq_ignore_ascii_case("chunked"))
}

/// The announced body length; repeated equal values are accepted.
fn content_length(headers: &[(String, String)]) -> Result<Option<u64>, HttpError> {
    let mut length: Option<u64> = None;
    for (_, value) in headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        for part in value.split(',') {
            let part = part.trim();
            let bad = || HttpError::BadContentLength(clean(value, 40));
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let n: u64 = part.parse().map_err(|_| bad())?;
            if length.is_some_and(|l| l != n) {
                return Err(bad());
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// Decodes a chunked body into `body`; returns whether it ended properly (false when cut at the cap
/// or by the end of input).
async fn read_chunked<R: AsyncRead + Unpin>(
    conn: &mut Conn<R>,
    body: &mut Vec<u8>,
) -> Result<bool, HttpError> {
    loop {
        let Some(line) = conn.line(MAX_CHUNK_LINE).await? else {
            return Ok(false);
        };
        let size_field = line.split(|&b| b == b';').next().unwrap_or_default();
        let size_field = size_field.trim_ascii();
        if size_field.is_empty() || size_field.len() > 15 {
            return Err(HttpError::BadChunk);
        }
        let mut size = 0usize;
        for &b in size_field {
            let digit = char::from(b).to_digit(16).ok_or(HttpError::BadChunk)?;
            size = size * 16 + digit as usize;
        }
        if size == 0 {
            // Trailers, then a blank line; a server that closes instead has still sent everything.
            loop {
                match conn.line(MAX_CHUNK_LINE).await? {
                    Some(line) if !line.is_empty() => continue,
                    _ => return Ok(true),
                }
            }
        }
        if conn.take(size, body).await? < size {
            return Ok(false);
        }
        match conn.line(MAX_CHUNK_LINE).await? {
            Some(line) if line.is_empty() => {}
            Some(_) => return Err(HttpError::BadChunk),
            None => return Ok(false),
        }
    }
}

/// Finds the `<title>` in an HTML body.
fn html_title(body: &[u8]) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let open = find(&lower, b"<title")?;
    let after_open = open + b"<title".len();
    // `<title>` or `<title lang=..>`, but not `<titlebar>`.
    match lower.get(after_open) {
        Some(b'>' | b' ' | b'\t' | b'\r' | b'\n') => {}
        _ => return None,
    }
    let start = after_open + find(&lower[after_open..], b">")? + 1;
    let end = find(&lower[start..], b"</title")
        .map(|e| start + e)
        .unwrap_or(body.len());
    let text = String::from_utf8_lossy(&body[start..end]);
    let title = clean(&decode_entities(&text), DEFAULT_MAX_CHARS);
    (!title.is_empty()).then_some(title)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decodes the few character entities common in titles.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    async fn parse(raw: &[u8], max: usize) -> Result<Response, HttpError> {
        read_response(raw, max).await
    }

    #[tokio::test]
    async fn content_length_body_is_read_exactly() {
        let raw = b"HTTP/1.1 200 OK\r\nServer: lighttpd\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.reason, "OK");
        assert_eq!(r.header("server"), Some("lighttpd"));
        assert_eq!(r.header("SERVER"), Some("lighttpd"));
        assert_eq!(r.body, b"hello");
        assert!(!r.truncated);
    }

    #[tokio::test]
    async fn chunked_body_is_decoded() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.body, b"Wikipedia in\r\n\r\nchunks.");
        assert!(!r.truncated);
    }

    #[tokio::test]
    async fn chunked_wins_over_content_length() {
        let raw =
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.body, b"abc");
    }

    #[tokio::test]
    async fn bad_chunk_size_is_an_error() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
        assert!(matches!(parse(raw, 1024).await, Err(HttpError::BadChunk)));
        let huge = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n";
        assert!(matches!(parse(huge, 1024).await, Err(HttpError::BadChunk)));
    }

    #[tokio::test]
    async fn read_to_close_and_lf_only_lines() {
        let raw = b"HTTP/1.0 200 OK\nServer: old\n\n<html>body</html>";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.header("Server"), Some("old"));
        assert_eq!(r.body, b"<html>body</html>");
        assert!(!r.truncated);
    }

    #[tokio::test]
    async fn body_past_the_cap_is_cut() {
        let mut raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n".to_vec();
        let head_len = raw.len();
        raw.extend(std::iter::repeat_n(b'x', 10_000));
        let r = parse(&raw, 1000).await.unwrap();
        assert_eq!(r.body.len(), 1000 - head_len);
        assert!(r.truncated);

        let mut close = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        close.extend(std::iter::repeat_n(b'y', 5000));
        let r = parse(&close, 100).await.unwrap();
        assert!(r.truncated);
        assert!(r.body.len() < 100);

        let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..100 {
            chunked.extend_from_slice(b"10\r\n0123456789abcdef\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let r = parse(&chunked, 300).await.unwrap();
        assert!(r.truncated);
        assert!(r.body.len() < 300);
    }

    #[tokio::test]
    async fn short_body_is_marked_truncated() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.body, b"only this");
        assert!(r.truncated);
    }

    #[tokio::test]
    async fn bad_status_lines_are_rejected() {
        for raw in [
            &b"SSH-2.0-dropbear\r\n\r\n"[..],
            b"HTTP/1.1 20 OK\r\n\r\n",
            b"HTTP/1.1 abc OK\r\n\r\n",
            b"HTTP/2 200 OK\r\n\r\n",
            b"HTTP/1.1 2000 OK\r\n\r\n",
            b"\x1b[2JHTTP/1.1 200 OK\r\n\r\n",
        ] {
            match parse(raw, 1024).await {
                Err(HttpError::BadStatusLine(text)) => assert!(!text.contains('\x1b')),
                other => panic!("{raw:?} gave {other:?}"),
            }
        }
        let r = parse(b"HTTP/1.1 404\r\n\r\n", 1024).await.unwrap();
        assert_eq!((r.status, r.reason.as_str()), (404, ""));
    }

    #[tokio::test]
    async fn empty_input_is_closed() {
        assert!(matches!(parse(b"", 1024).await, Err(HttpError::Closed)));
    }

    #[tokio::test]
    async fn header_section_is_bounded() {
        let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..2000 {
            raw.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "a".repeat(20)).as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        assert!(matches!(
            parse(&raw, 1 << 20).await,
            Err(HttpError::HeadersTooLarge(_))
        ));

        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..150 {
            many.extend_from_slice(format!("X-{i}: a\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert!(matches!(
            parse(&many, 1 << 20).await,
            Err(HttpError::TooManyHeaders(MAX_HEADERS))
        ));
    }

    #[tokio::test]
    async fn header_values_are_cleaned_and_folded() {
        let raw = b"HTTP/1.1 200 \x1b]0;pwned\x07OK\r\nServer: evil\x1b[31m red\r\nX-Long: first\r\n second\r\nContent-Length: 0\r\n\r\n";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.reason, "OK");
        assert_eq!(r.header("server"), Some("evil red"));
        assert_eq!(r.header("x-long"), Some("first second"));
    }

    #[tokio::test]
    async fn interim_responses_are_skipped_and_no_body_statuses_respected() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\ntrailing junk";
        let r = parse(raw, 1024).await.unwrap();
        assert_eq!(r.status, 204);
        assert!(r.body.is_empty());
    }

    #[tokio::test]
    async fn conflicting_content_lengths_are_rejected() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!";
        assert!(matches!(
            parse(raw, 1024).await,
            Err(HttpError::BadContentLength(_))
        ));
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n";
        assert!(matches!(
            parse(raw, 1024).await,
            Err(HttpError::BadContentLength(_))
        ));
    }

    #[test]
    fn titles_are_found_cleaned_and_decoded() {
        let r = |body: &[u8]| Response {
            status: 200,
            reason: String::new(),
            headers: Vec::new(),
            body: body.to_vec(),
            truncated: false,
        };
        assert_eq!(
            r(b"<html><head><TITLE>Router &amp; Modem</TITLE></head>").title(),
            Some("Router & Modem".into())
        );
        assert_eq!(
            r(b"<title lang=\"en\">\n  NETGEAR\x1b[2J Router \n</title>").title(),
            Some("NETGEAR Router".into())
        );
        assert_eq!(r(b"<title></title>").title(), None);
        assert_eq!(r(b"<titlebar>x</titlebar>").title(), None);
        assert_eq!(r(b"no html").title(), None);
        assert_eq!(r(b"<title>cut off").title(), Some("cut off".into()));
        assert_eq!(
            r(b"<title>&#72;&#x69; &bogus;</title>").title(),
            Some("Hi &bogus;".into())
        );
    }

    #[test]
    fn urls_parse_to_address_host_and_path() {
        let (addr, host, path) = parse_url("http://192.168.1.1:49152/rootDesc.xml").unwrap();
        assert_eq!(addr, "192.168.1.1:49152".parse().unwrap());
        assert_eq!(host, "192.168.1.1:49152");
        assert_eq!(path, "/rootDesc.xml");

        let (addr, host, path) = parse_url("HTTP://10.0.0.2").unwrap();
        assert_eq!(addr, "10.0.0.2:80".parse().unwrap());
        assert_eq!(host, "10.0.0.2");
        assert_eq!(path, "/");

        let (_, _, path) = parse_url("http://10.0.0.2:8080?a=b#frag").unwrap();
        assert_eq!(path, "/?a=b");
        let (_, _, path) = parse_url("http://10.0.0.2/desc.xml?x=1#top").unwrap();
        assert_eq!(path, "/desc.xml?x=1");

        for bad in [
            "https://192.168.1.1/",
            "http://router.local/",
            "http://[fe80::1]/",
            "http://user@192.168.1.1/",
            "http://192.168.1.1:0/",
            "http://192.168.1.1:99999/",
            "http://192.168.1.1:/",
            "http://192.168.1.1:+80/",
            "http://192.168.1.1/a b",
            "http://192.168.1.1/a\r\nX-Injected: 1",
            "http://192.168.1.256/",
            "http://0x7f.0.0.1/",
            "ftp://192.168.1.1/",
            "",
            "http://",
        ] {
            assert!(parse_url(bad).is_err(), "{bad:?} should be refused");
        }
    }

    fn limits(ms: u64, max: usize) -> Limits {
        Limits {
            timeout: Duration::from_millis(ms),
            max_bytes: max,
        }
    }

    #[tokio::test]
    async fn request_injection_is_refused() {
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9);
        for (host, path) in [("a\r\nb", "/"), ("h", "/a b"), ("h", "x"), ("", "/")] {
            assert!(matches!(
                get(addr, host, path, limits(100, 100)).await,
                Err(HttpError::BadRequest(_))
            ));
        }
    }
}
