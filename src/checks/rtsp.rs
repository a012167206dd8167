//! Whether a camera's video stream (RTSP) asks for a password: an RTSP `DESCRIBE` without
//! credentials must be answered `401 Unauthorized`; a `200` with the stream description means
//! anyone on the network can watch.
//!
//! Cameras publish their streams under maker-specific paths and many answer `404` for the root,
//! so when the root gives neither 401 nor 200 a few common paths are tried (at most
//! [`STREAM_PATHS`], one short connection each, under one deadline per port). Only the status
//! line and headers are read, at most `max_bytes`.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use tokio::time::Instant;

use super::buckets::{self, Seen};
use super::ports::{reach_port, read_until, write_all};
use super::rules;
use super::{CheckResult, Context, Target};
use crate::discovery::ports::Reach;
use crate::sanitize::clean;

/// The RTSP ports.
pub const RTSP_PORTS: &[u16] = &[554, 8554];

/// The paths asked for, in order: the root, then common stream paths of camera makers.
pub const STREAM_PATHS: &[&str] = &[
    "/",
    "/Streaming/Channels/101",
    "/cam/realmonitor?channel=1&subtype=0",
    "/live",
    "/stream1",
    "/h264",
];

/// How long all the requests to one port may take.
const PORT_BUDGET: Duration = Duration::from_secs(3);

/// An RTSP status line's code and the whole line (cleaned).
pub(crate) fn status(reply: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(reply);
    let line = text.lines().next()?;
    let rest = line.strip_prefix("RTSP/1.")?;
    let code: u16 = rest.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, clean(line, 80)))
}

/// The authentication scheme a 401 names (`Digest`, `Basic`).
pub(crate) fn auth_scheme(reply: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(reply);
    text.lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("www-authenticate")
                .then(|| clean(value.split_whitespace().next().unwrap_or_default(), 20))
        })
}

/// What one port said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Port {
    AsksLogin,
    Open,
    Unclear,
    /// The device refused the connection: no stream there.
    Refused,
    /// No answer at all.
    Silent,
}

/// One `DESCRIBE` on a new connection: the reply (possibly empty), or `Err` with how the
/// connection failed (refused or silent).
async fn describe(
    addr: SocketAddrV4,
    path: &str,
    deadline: Instant,
    ctx: &Context,
) -> Result<Vec<u8>, Port> {
    let reached = tokio::time::timeout_at(deadline, reach_port(addr, ctx)).await;
    let mut stream = match reached {
        Ok(Reach::Open(stream)) => stream,
        Ok(Reach::Refused) => return Err(Port::Refused),
        Ok(Reach::Silent) | Err(_) => return Err(Port::Silent),
    };
    let request = format!(
        "DESCRIBE rtsp://{addr}{path} RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: porchlight\r\nAccept: application/sdp\r\n\r\n"
    );
    let until = deadline.min(Instant::now() + ctx.limits.exchange_timeout);
    if !write_all(&mut stream, until, request.as_bytes()).await {
        return Ok(Vec::new());
    }
    Ok(
        read_until(&mut stream, until, ctx.limits.max_bytes.min(8192), |b| {
            b.windows(4).any(|w| w == b"\r\n\r\n") || b.windows(2).any(|w| w == b"\n\n")
        })
        .await,
    )
}

async fn check_port(addr: SocketAddrV4, ctx: &Context) -> Seen<Port> {
    let deadline = Instant::now() + PORT_BUDGET;
    let mut last = None;
    for (n, path) in STREAM_PATHS.iter().enumerate() {
        let reply = match describe(addr, path, deadline, ctx).await {
            Ok(reply) => reply,
            Err(Port::Refused) if n == 0 => {
                return Some((Port::Refused, format!("{addr} refuses RTSP connections")));
            }
            Err(_) if n == 0 => {
                return Some((Port::Silent, format!("RTSP on {addr}")));
            }
            Err(_) => {
                return Some((
                    Port::Unclear,
                    format!(
                        "RTSP on {addr} stopped answering ({})",
                        last.unwrap_or_default()
                    ),
                ));
            }
        };
        let stream = format!("rtsp://{addr}{path}");
        match status(&reply) {
            Some((401, line)) => {
                let scheme = auth_scheme(&reply)
                    .map(|s| format!(", {s}"))
                    .unwrap_or_default();
                return Some((
                    Port::AsksLogin,
                    format!("the video stream {stream} asks for a login ({line}{scheme})"),
                ));
            }
            Some((200, line)) => {
                return Some((
                    Port::Open,
                    format!("the video stream {stream} opens without a password ({line})"),
                ));
            }
            Some((_, line)) => last = Some(format!("{stream}: {line}")),
            None if reply.is_empty() => {
                last = Some(format!("{stream}: no answer"));
            }
            None => {
                return Some((
                    Port::Unclear,
                    format!(
                        "{addr} answered something other than RTSP: {}",
                        clean(&String::from_utf8_lossy(&reply[..reply.len().min(60)]), 60)
                    ),
                ));
            }
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    Some((
        Port::Unclear,
        format!(
            "RTSP answers on {addr} but porchlight found no stream to ask for (last: {})",
            last.unwrap_or_default()
        ),
    ))
}

/// Pass when RTSP asks for a login; does not apply when the device refuses every RTSP port (no
/// stream to protect); Fail when a stream opens without one; Unknown when a port stayed silent or
/// answered something unreadable.
pub async fn rtsp_auth(target: &Target, ctx: &Context) -> CheckResult {
    rtsp_auth_on(target.ip, RTSP_PORTS, ctx).await
}

/// [`rtsp_auth`] on the given ports (tests use others).
pub async fn rtsp_auth_on(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> CheckResult {
    let results = futures::future::join_all(
        ports
            .iter()
            .map(|&port| check_port(SocketAddrV4::new(ip, port), ctx)),
    )
    .await;
    let [open, login, unclear, refused, silent] = buckets::sort(
        &results,
        [
            Port::Open,
            Port::AsksLogin,
            Port::Unclear,
            Port::Refused,
            Port::Silent,
        ],
    );
    if !open.is_empty() {
        return CheckResult::fail(open.join("; ")).with_next(
            "Turn on authentication for RTSP (sometimes called RTSP Authentication or Stream \
             Password) in the camera's settings, set a strong password, and check again.",
        );
    }
    if !silent.is_empty() && unclear.is_empty() {
        let mut result = rules::no_answer(silent.join(", "));
        if !login.is_empty() {
            result.evidence = clean(
                &format!("{}; {}", login.join("; "), result.evidence),
                super::EVIDENCE_CHARS,
            );
        }
        return result;
    }
    if !login.is_empty() && unclear.is_empty() {
        return CheckResult::pass(login.join("; "));
    }
    if !unclear.is_empty() {
        let mut seen = login;
        seen.extend(unclear);
        return CheckResult::unknown(seen.join("; ")).with_next(
            "Open the stream in a video player (such as VLC) without a password to see whether it plays.",
        );
    }
    // Every port refused the connection: positive evidence that no stream is served there, so
    // there is no stream to protect.
    debug_assert_eq!(refused.len(), ports.len());
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    CheckResult::not_applicable(format!(
        "no video stream (RTSP) found on {ip}: the device refuses ports {}",
        list.join(", ")
    ))
    .with_next(
        "porchlight cannot see streams in the maker's app or over ONVIF: check those need a login too.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read() {
        assert_eq!(
            status(b"RTSP/1.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=x\r\n\r\n"),
            Some((401, "RTSP/1.0 401 Unauthorized".into()))
        );
        assert_eq!(status(b"HTTP/1.1 200 OK\r\n"), None);
        assert_eq!(
            auth_scheme(b"RTSP/1.0 401 Unauthorized\r\nwww-authenticate: Digest realm=x\r\n\r\n")
                .as_deref(),
            Some("Digest")
        );
    }
}
