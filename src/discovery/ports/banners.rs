//! The banner exchanges that speak a little of a protocol: telnet (negotiation refused and
//! stripped, read up to the prompt), RTSP (`OPTIONS`, headers summarised) and MQTT (a CONNECT
//! without credentials, the CONNACK named, then a polite DISCONNECT).

use std::net::SocketAddrV4;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::{BANNER_CHARS, clean_banner, first_line, read_bounded, write_bounded};
use crate::sanitize;

// ---------------------------------------------------------------------------------------------
// Telnet

const IAC: u8 = 0xff;
const SB: u8 = 0xfa;
const SE: u8 = 0xf0;
const WILL: u8 = 0xfb;
const WONT: u8 = 0xfc;
const DO: u8 = 0xfd;
const DONT: u8 = 0xfe;

/// A streaming telnet decoder: keeps the data bytes, drops option negotiation and
/// subnegotiation, and collects the refusals to send back (`DONT` for `WILL`, `WONT` for `DO`).
#[derive(Debug, Default)]
pub(crate) struct TelnetDecoder {
    state: TelnetState,
    /// The text received so far, negotiation removed.
    pub(crate) data: Vec<u8>,
    /// Refusals to send back, since they were last taken.
    pub(crate) replies: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum TelnetState {
    #[default]
    Data,
    Iac,
    Option(u8),
    Sub,
    SubIac,
}

impl TelnetDecoder {
    /// Decodes `bytes`: data into `data`, option refusals into `replies`.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (TelnetState::Data, IAC) => TelnetState::Iac,
                (TelnetState::Data, _) => {
                    self.data.push(b);
                    TelnetState::Data
                }
                // An escaped 0xff is data.
                (TelnetState::Iac, IAC) => {
                    self.data.push(IAC);
                    TelnetState::Data
                }
                (TelnetState::Iac, SB) => TelnetState::Sub,
                (TelnetState::Iac, WILL..=DONT) => TelnetState::Option(b),
                // Two-byte commands (NOP, GA, AYT...).
                (TelnetState::Iac, _) => TelnetState::Data,
                (TelnetState::Option(cmd), option) => {
                    match cmd {
                        WILL => self.replies.extend_from_slice(&[IAC, DONT, option]),
                        DO => self.replies.extend_from_slice(&[IAC, WONT, option]),
                        _ => {}
                    }
                    TelnetState::Data
                }
                (TelnetState::Sub, IAC) => TelnetState::SubIac,
                (TelnetState::Sub, _) => TelnetState::Sub,
                (TelnetState::SubIac, SE) => TelnetState::Data,
                (TelnetState::SubIac, _) => TelnetState::Sub,
            };
        }
    }
}

/// Strips telnet negotiation (`IAC` commands, options and subnegotiations) from `bytes`.
pub fn strip_telnet(bytes: &[u8]) -> Vec<u8> {
    let mut decoder = TelnetDecoder::default();
    decoder.feed(bytes);
    decoder.data
}

/// True when the text so far ends in something that waits for input (`login:`, `>`, `#`).
fn ends_with_prompt(data: &[u8]) -> bool {
    let trimmed = data.trim_ascii_end();
    matches!(
        trimmed.last(),
        Some(b':' | b'>' | b'#' | b'$' | b'%' | b'?')
    )
}

pub(super) async fn telnet_banner(
    stream: &mut TcpStream,
    deadline: Instant,
    max: usize,
) -> Option<String> {
    let mut decoder = TelnetDecoder::default();
    let mut chunk = [0u8; 1024];
    let mut read = 0usize;
    while read < max {
        let want = chunk.len().min(max - read);
        let n = match timeout_at(deadline, stream.read(&mut chunk[..want])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        read += n;
        decoder.feed(&chunk[..n]);
        if !decoder.replies.is_empty() {
            let replies = std::mem::take(&mut decoder.replies);
            // Some servers wait for the answers before they show the prompt; a failed write
            // leaves what was read so far.
            if !write_bounded(stream, deadline, &replies).await {
                break;
            }
        }
        if ends_with_prompt(&decoder.data) {
            break;
        }
    }
    clean_banner(&decoder.data)
}

// ---------------------------------------------------------------------------------------------
// RTSP

/// End of the header block of an RTSP or HTTP message.
fn has_header_end(buf: &[u8]) -> bool {
    buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n")
}

pub(super) async fn rtsp_banner(
    stream: &mut TcpStream,
    addr: SocketAddrV4,
    deadline: Instant,
    max: usize,
) -> Option<String> {
    let request =
        format!("OPTIONS rtsp://{addr}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: porchlight\r\n\r\n");
    if !write_bounded(stream, deadline, request.as_bytes()).await {
        return None;
    }
    let buf = read_bounded(stream, deadline, max, has_header_end).await;
    summarise_rtsp(&buf)
}

/// `RTSP/1.0 200 OK · Server: ... · Public: OPTIONS, DESCRIBE, ...`, or the cleaned first line
/// when the reply is not RTSP.
pub(crate) fn summarise_rtsp(buf: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(buf);
    let mut lines = text.lines();
    let status = lines.next()?;
    if !status.starts_with("RTSP/") {
        return clean_banner(first_line(buf));
    }
    let mut parts = vec![sanitize::clean(status, BANNER_CHARS)];
    let mut server = None;
    let mut public = None;
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("server") && server.is_none() {
                server = Some(value.trim());
            } else if name.eq_ignore_ascii_case("public") && public.is_none() {
                public = Some(value.trim());
            }
        }
    }
    if let Some(server) = server {
        parts.push(format!("Server: {}", sanitize::clean(server, BANNER_CHARS)));
    }
    if let Some(public) = public {
        parts.push(format!("Public: {}", sanitize::clean(public, BANNER_CHARS)));
    }
    clean_banner(parts.join(" · ").as_bytes())
}

// ---------------------------------------------------------------------------------------------
// MQTT

/// An MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, client id `porchlight`, no credentials.
pub const MQTT_CONNECT: &[u8] = &[
    0x10, 22, // CONNECT, remaining length
    0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name
    0x04, // protocol level 3.1.1
    0x02, // flags: clean session, no user name, no password
    0x00, 60, // keep-alive
    0x00, 10, b'p', b'o', b'r', b'c', b'h', b'l', b'i', b'g', b'h', b't', // client id
];

/// An MQTT DISCONNECT, sent after an accepted CONNECT so the broker logs a clean goodbye.
const MQTT_DISCONNECT: &[u8] = &[0xe0, 0x00];

pub(super) async fn mqtt_banner(
    stream: &mut TcpStream,
    deadline: Instant,
    max: usize,
) -> Option<String> {
    if !write_bounded(stream, deadline, MQTT_CONNECT).await {
        return None;
    }
    let buf = read_bounded(stream, deadline, max.max(4), |b| {
        b.len() >= 4 || b.first().is_some_and(|&t| t != 0x20)
    })
    .await;
    match buf.as_slice() {
        [0x20, 0x02, _flags, code, ..] => {
            if *code == 0 {
                let _ = write_bounded(stream, deadline, MQTT_DISCONNECT).await;
            }
            Some(describe_connack(*code))
        }
        _ => clean_banner(first_line(&buf)),
    }
}

/// `CONNACK 0 (accepted without login)` and the other MQTT 3.1.1 return codes.
pub fn describe_connack(code: u8) -> String {
    let meaning = match code {
        0 => "accepted without login",
        1 => "unacceptable protocol version",
        2 => "identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorised",
        _ => "unknown return code",
    };
    format!("CONNACK {code} ({meaning})")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn telnet_negotiation_is_stripped_and_refused() {
        let mut d = TelnetDecoder::default();
        let mut input = vec![IAC, DO, 1, IAC, WILL, 3, IAC, SB, 24, 1, IAC, SE];
        input.extend_from_slice(b"login");
        // A split sequence across reads.
        d.feed(&input);
        d.feed(&[IAC]);
        d.feed(&[DONT]);
        d.feed(&[31, b':', b' ', IAC, IAC, IAC, 0xf9]);
        assert_eq!(d.data, b"login: \xff");
        assert_eq!(d.replies, vec![IAC, WONT, 1, IAC, DONT, 3]);
        assert_eq!(strip_telnet(&[IAC, WILL, 1, b'o', b'k']), b"ok");
    }

    #[test]
    fn rtsp_replies_are_summarised() {
        let reply = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Rtsp Server/3.0\r\nPublic: OPTIONS, DESCRIBE, PLAY\r\n\r\n";
        assert_eq!(
            summarise_rtsp(reply).as_deref(),
            Some("RTSP/1.0 200 OK · Server: Rtsp Server/3.0 · Public: OPTIONS, DESCRIBE, PLAY")
        );
        assert_eq!(summarise_rtsp(b"").as_deref(), None);
    }
}
