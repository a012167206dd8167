//! Factory logins on an FTP server: `USER`, `PASS`, `QUIT` on one connection per try, replies
//! read line by line, at most [`FTP_MAX_BYTES`] and [`FTP_TRY`] per try. `230` means the login
//! worked, `530` refused, `421` (or "locked" in a reply) that the server is shutting logins out.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{DefaultLogin, Try, lockout_sign};
use crate::checks::Context;
use crate::checks::ports::{connect, read_until, write_all};
use crate::sanitize::clean;

/// FTP ports tried.
pub const FTP_PORTS: &[u16] = &[21];

/// How long one FTP try may take.
const FTP_TRY: Duration = Duration::from_secs(4);

/// The most bytes read for one reply.
const FTP_MAX_BYTES: usize = 4096;

/// An FTP reply: its code and its text (cleaned), or `None` when none came.
async fn reply(stream: &mut TcpStream, deadline: Instant) -> Option<(u16, String)> {
    // A reply ends with a line starting with its code and a space (multi-line replies use `-`).
    let buf = read_until(stream, deadline, FTP_MAX_BYTES, |b| {
        let text = String::from_utf8_lossy(b);
        text.ends_with('\n')
            && text.lines().last().is_some_and(|l| {
                l.len() >= 4
                    && l.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                    && l.as_bytes()[3] == b' '
            })
    })
    .await;
    let text = String::from_utf8_lossy(&buf);
    let last = text.lines().last()?;
    let code = last.get(..3)?.parse().ok()?;
    Some((code, clean(&text, 120)))
}

/// What the FTP port shows.
pub(super) enum Found {
    /// A server greeting with 220.
    Server(SocketAddrV4),
    /// A server that refuses logins already.
    Lockout(SocketAddrV4, String),
}

/// Finds an FTP server that greets with 220.
pub(super) async fn find(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> Option<Found> {
    for &port in ports {
        let addr = SocketAddrV4::new(ip, port);
        let Some(mut stream) = connect(addr, ctx).await else {
            continue;
        };
        let deadline = Instant::now() + ctx.limits.exchange_timeout;
        match reply(&mut stream, deadline).await {
            Some((220, text)) => {
                let _ = write_all(&mut stream, deadline, b"QUIT\r\n").await;
                if let Some(sign) = lockout_sign(&text) {
                    return Some(Found::Lockout(addr, sign));
                }
                return Some(Found::Server(addr));
            }
            Some((421, text)) => return Some(Found::Lockout(addr, text)),
            _ => {}
        }
    }
    None
}

/// Tries one login on FTP.
pub(super) async fn try_login(addr: SocketAddrV4, login: &DefaultLogin, ctx: &Context) -> Try {
    let Some(mut stream) = connect(addr, ctx).await else {
        return Try::Unclear(format!("FTP on {addr} stopped answering"));
    };
    let deadline = Instant::now() + FTP_TRY;
    let judge = |code: u16, text: &str| -> Option<Try> {
        if code == 421 {
            return Some(Try::Lockout(format!("FTP on {addr} answered \"{text}\"")));
        }
        if let Some(sign) = lockout_sign(text) {
            return Some(Try::Lockout(format!("FTP on {addr} said \"{sign}\"")));
        }
        match code {
            230 => Some(Try::Works),
            530 => Some(Try::Refused),
            _ => None,
        }
    };
    match reply(&mut stream, deadline).await {
        Some((220, _)) => {}
        Some((code, text)) => {
            return judge(code, &text)
                .unwrap_or_else(|| Try::Unclear(format!("FTP on {addr} greeted with \"{text}\"")));
        }
        None => return Try::Unclear(format!("FTP on {addr} sent no greeting")),
    }
    let user = format!("USER {}\r\n", login.username);
    if !write_all(&mut stream, deadline, user.as_bytes()).await {
        return Try::Unclear(format!("FTP on {addr} closed"));
    }
    let outcome = match reply(&mut stream, deadline).await {
        Some((331, _)) => {
            let pass = format!("PASS {}\r\n", login.password);
            if !write_all(&mut stream, deadline, pass.as_bytes()).await {
                return Try::Unclear(format!("FTP on {addr} closed"));
            }
            match reply(&mut stream, deadline).await {
                Some((code, text)) => judge(code, &text).unwrap_or_else(|| {
                    Try::Unclear(format!(
                        "FTP on {addr} answered the password with \"{text}\""
                    ))
                }),
                None => Try::Unclear(format!("FTP on {addr} did not answer the password in time")),
            }
        }
        Some((code, text)) => judge(code, &text).unwrap_or_else(|| {
            Try::Unclear(format!(
                "FTP on {addr} answered the user name with \"{text}\""
            ))
        }),
        None => Try::Unclear(format!(
            "FTP on {addr} did not answer the user name in time"
        )),
    };
    let _ = write_all(&mut stream, deadline, b"QUIT\r\n").await;
    outcome
}
