//! Factory logins on a camera's video stream (RTSP): a `DESCRIBE` of a stream that answered
//! `401`, sent again with HTTP-style Basic or Digest credentials. `200` means the login worked,
//! `401` refused; `403`, `429`, `503` or a challenge whose realm changed mean the camera is
//! locking logins out. One connection per request, headers only, at most [`RTSP_MAX_BYTES`].

use std::net::{Ipv4Addr, SocketAddrV4};

use tokio::time::Instant;

use super::http::{Challenge, authorization, parse_challenge};
use super::{DefaultLogin, Try, cnonce};
use crate::checks::Context;
use crate::checks::ports::{connect, read_until, write_all};
use crate::checks::rtsp::STREAM_PATHS;

/// The most bytes read for one RTSP reply (its headers).
const RTSP_MAX_BYTES: usize = 8192;

/// A stream that asks for a login.
#[derive(Debug, Clone)]
pub(super) struct Stream {
    pub addr: SocketAddrV4,
    pub path: String,
    /// The realm of its first challenge.
    pub realm: String,
}

impl Stream {
    pub(super) fn url(&self) -> String {
        format!("rtsp://{}{}", self.addr, self.path)
    }
}

/// The status code and the Basic/Digest challenges of one reply.
fn read_reply(reply: &[u8]) -> Option<(u16, Vec<Challenge>)> {
    let text = String::from_utf8_lossy(reply);
    let mut lines = text.lines();
    let code = lines
        .next()?
        .strip_prefix("RTSP/1.")?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let mut challenges: Vec<Challenge> = lines
        .take_while(|l| !l.trim().is_empty())
        .take(64)
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("www-authenticate")
                .then(|| parse_challenge(value))?
        })
        .filter(|c| c.scheme == "basic" || (c.scheme == "digest" && c.param("nonce").is_some()))
        .collect();
    challenges.sort_by_key(|c| c.scheme != "digest");
    Some((code, challenges))
}

async fn describe(
    addr: SocketAddrV4,
    path: &str,
    auth: Option<&str>,
    ctx: &Context,
) -> Option<Vec<u8>> {
    let mut stream = connect(addr, ctx).await?;
    let mut request = format!(
        "DESCRIBE rtsp://{addr}{path} RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: porchlight\r\nAccept: application/sdp\r\n"
    );
    if let Some(auth) = auth {
        request.push_str(&format!("Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    let deadline = Instant::now() + ctx.limits.exchange_timeout;
    if !write_all(&mut stream, deadline, request.as_bytes()).await {
        return None;
    }
    let reply = read_until(&mut stream, deadline, RTSP_MAX_BYTES, |b| {
        b.windows(4).any(|w| w == b"\r\n\r\n")
    })
    .await;
    (!reply.is_empty()).then_some(reply)
}

/// What the RTSP ports show.
pub(super) enum Found {
    Login(Stream),
    Lockout(SocketAddrV4, String),
}

/// Finds a stream that asks for a Basic or Digest login.
pub(super) async fn find(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> Option<Found> {
    for &port in ports {
        let addr = SocketAddrV4::new(ip, port);
        for path in STREAM_PATHS {
            let Some(reply) = describe(addr, path, None, ctx).await else {
                break;
            };
            match read_reply(&reply) {
                Some((401, challenges)) if !challenges.is_empty() => {
                    let realm = challenges[0].param("realm").unwrap_or_default().to_string();
                    return Some(Found::Login(Stream {
                        addr,
                        path: (*path).to_string(),
                        realm,
                    }));
                }
                Some((code @ (429 | 503), _)) => {
                    return Some(Found::Lockout(addr, format!("RTSP {code}")));
                }
                Some(_) => {}
                None => break,
            }
        }
    }
    None
}

/// Tries one login on the stream: a fresh challenge, then the request with credentials.
pub(super) async fn try_login(stream: &Stream, login: &DefaultLogin, ctx: &Context) -> Try {
    let url = stream.url();
    let Some(first) = describe(stream.addr, &stream.path, None, ctx).await else {
        return Try::Unclear(format!("the video stream {url} stopped answering"));
    };
    let challenge = match read_reply(&first) {
        Some((401, challenges)) if !challenges.is_empty() => challenges[0].clone(),
        Some((code @ (403 | 429 | 503), _)) => {
            return Try::Lockout(format!("the video stream {url} answered RTSP {code}"));
        }
        Some((code, _)) => {
            return Try::Unclear(format!(
                "the video stream {url} no longer asks for a login (RTSP {code})"
            ));
        }
        None => return Try::Unclear(format!("{url} answered something other than RTSP")),
    };
    let realm = challenge.param("realm").unwrap_or_default();
    if realm != stream.realm {
        return Try::Lockout(format!(
            "the login realm of {url} changed from \"{}\" to \"{realm}\"",
            stream.realm
        ));
    }
    let Some(header) = authorization(
        &challenge,
        &login.username,
        &login.password,
        "DESCRIBE",
        &url,
        &cnonce(),
    ) else {
        return Try::Unclear("unsupported login scheme".into());
    };
    let Some(reply) = describe(stream.addr, &stream.path, Some(&header), ctx).await else {
        return Try::Unclear(format!("the video stream {url} stopped answering"));
    };
    match read_reply(&reply) {
        Some((200, _)) => Try::Works,
        Some((401, challenges)) => match challenges.first().and_then(|c| c.param("realm")) {
            Some(r) if r != stream.realm => Try::Lockout(format!(
                "the login realm of {url} changed from \"{}\" to \"{r}\"",
                stream.realm
            )),
            _ => Try::Refused,
        },
        Some((code @ (403 | 429 | 503), _)) => {
            Try::Lockout(format!("the video stream {url} answered RTSP {code}"))
        }
        Some((code, _)) => Try::Unclear(format!("the video stream {url} answered RTSP {code}")),
        None => Try::Unclear(format!("{url} answered something other than RTSP")),
    }
}
