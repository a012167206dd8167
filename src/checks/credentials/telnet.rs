//! Factory logins on a telnet login prompt: one connection per try, every option refused, at
//! most [`TELNET_MAX_BYTES`] read and [`TELNET_TRY`] spent per try.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::{DefaultLogin, Try, lockout_sign};
use crate::checks::Context;
use crate::checks::ports::{connect, write_all};
use crate::discovery::ports::TelnetDecoder;

/// Telnet ports tried.
pub const TELNET_PORTS: &[u16] = &[23, 2323];

/// How long one telnet try may take (devices often pause a few seconds after a wrong password).
const TELNET_TRY: Duration = Duration::from_secs(4);

/// The most bytes read in one telnet try.
const TELNET_MAX_BYTES: usize = 16 * 1024;

/// A telnet connection that refuses every option and keeps the text since the last send.
struct Telnet {
    stream: TcpStream,
    deadline: Instant,
    /// Decodes what the server says; its `data` is the text since the last line sent.
    decoder: TelnetDecoder,
    read: usize,
}

/// What the text read so far ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Prompt {
    Login,
    Password,
    Shell,
    Refusal,
    /// The device says it is locking logins out.
    Lockout(String),
}

/// Classifies the text a telnet server sent since the last input.
pub(super) fn prompt(text: &[u8]) -> Option<Prompt> {
    let lossy = String::from_utf8_lossy(text);
    if let Some(sign) = lockout_sign(&lossy) {
        return Some(Prompt::Lockout(sign));
    }
    let lower = lossy.to_ascii_lowercase();
    let trimmed = lower.trim_end();
    for refusal in [
        "incorrect",
        "login failed",
        "failed",
        "denied",
        "invalid",
        "wrong",
        "bad password",
    ] {
        if trimmed.contains(refusal) {
            return Some(Prompt::Refusal);
        }
    }
    if trimmed.ends_with("password:") || trimmed.ends_with("passwd:") {
        return Some(Prompt::Password);
    }
    if ["login:", "username:", "user name:", "user:"]
        .iter()
        .any(|p| trimmed.ends_with(p))
    {
        return Some(Prompt::Login);
    }
    match trimmed.chars().last() {
        Some('#' | '$' | '>' | '%') => Some(Prompt::Shell),
        _ => None,
    }
}

impl Telnet {
    async fn open(addr: SocketAddrV4, ctx: &Context) -> Option<Self> {
        let stream = connect(addr, ctx).await?;
        Some(Self {
            stream,
            deadline: Instant::now() + TELNET_TRY,
            decoder: TelnetDecoder::default(),
            read: 0,
        })
    }

    /// Reads until the text ends in a prompt; `None` at the end of input or the deadline.
    async fn wait_prompt(&mut self) -> Option<Prompt> {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(p) = prompt(&self.decoder.data) {
                return Some(p);
            }
            if self.read >= TELNET_MAX_BYTES {
                return None;
            }
            let n = match timeout_at(self.deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
                Ok(Ok(n)) => n,
            };
            self.read += n;
            self.decoder.feed(&chunk[..n]);
            let replies = std::mem::take(&mut self.decoder.replies);
            if !replies.is_empty() && !write_all(&mut self.stream, self.deadline, &replies).await {
                return None;
            }
        }
    }

    async fn send_line(&mut self, line: &str) -> bool {
        self.decoder.data.clear();
        write_all(
            &mut self.stream,
            self.deadline,
            format!("{line}\r\n").as_bytes(),
        )
        .await
    }

    fn timed_out(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// What the telnet ports show: a login prompt, or a sign that logins are locked out already.
pub(super) enum Found {
    Prompt(SocketAddrV4),
    Lockout(SocketAddrV4, String),
}

/// Finds a telnet port that shows a login prompt.
pub(super) async fn find(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> Option<Found> {
    for &port in ports {
        let addr = SocketAddrV4::new(ip, port);
        let Some(mut telnet) = Telnet::open(addr, ctx).await else {
            continue;
        };
        match telnet.wait_prompt().await {
            Some(Prompt::Login | Prompt::Password) => return Some(Found::Prompt(addr)),
            Some(Prompt::Lockout(sign)) => return Some(Found::Lockout(addr, sign)),
            _ => {}
        }
    }
    None
}

/// Tries one login on telnet.
pub(super) async fn try_login(addr: SocketAddrV4, login: &DefaultLogin, ctx: &Context) -> Try {
    let Some(mut t) = Telnet::open(addr, ctx).await else {
        return Try::Unclear(format!("telnet on {addr} stopped answering"));
    };
    let mut sent_user = false;
    let mut sent_password = false;
    loop {
        let Some(p) = t.wait_prompt().await else {
            return if t.timed_out() && sent_password {
                Try::Unclear(format!("telnet on {addr} did not answer the login in time"))
            } else if sent_password {
                // Closed after the password: refused.
                Try::Refused
            } else {
                Try::Unclear(format!("telnet on {addr} showed no login prompt"))
            };
        };
        match p {
            Prompt::Lockout(sign) => {
                return Try::Lockout(format!("telnet on {addr} said \"{sign}\""));
            }
            Prompt::Login if !sent_user && !sent_password => {
                if !t.send_line(&login.username).await {
                    return Try::Unclear(format!("telnet on {addr} closed"));
                }
                sent_user = true;
            }
            Prompt::Password if !sent_password => {
                if !t.send_line(&login.password).await {
                    return Try::Refused;
                }
                sent_password = true;
            }
            Prompt::Shell if sent_user || sent_password => {
                let _ = t.send_line("exit").await;
                return Try::Works;
            }
            Prompt::Refusal | Prompt::Login | Prompt::Password => return Try::Refused,
            Prompt::Shell => {
                return Try::Unclear(format!("telnet on {addr} opens a shell without any login"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telnet_prompts_are_recognised() {
        assert_eq!(prompt(b"\r\nIPCAM login: "), Some(Prompt::Login));
        assert_eq!(prompt(b"Password: "), Some(Prompt::Password));
        assert_eq!(
            prompt(b"\r\nLogin incorrect\r\n\r\nlogin: "),
            Some(Prompt::Refusal)
        );
        assert_eq!(
            prompt(b"\r\nBusyBox v1.19 built-in shell\r\n# "),
            Some(Prompt::Shell)
        );
        assert!(matches!(
            prompt(b"\r\nAccount locked for 10 minutes\r\nlogin: "),
            Some(Prompt::Lockout(s)) if s.contains("locked")
        ));
        assert_eq!(prompt(b"Last login: Mon\r\n"), None);
        assert_eq!(prompt(b"Welcome"), None);
    }
}
