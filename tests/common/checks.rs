//! Helpers shared by the check tests (`tests/checks.rs`, `tests/logins.rs`): TCP responders on
//! loopback that count what they were sent, reading one request, building an HTTP reply, Basic
//! credentials, and asserting a verdict with its evidence.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use porchlight::checks::{CheckResult, Verdict};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// The only address the responders listen on.
pub const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// What a responder saw and how it behaves.
#[derive(Default)]
pub struct State {
    /// Connections accepted.
    pub connections: AtomicUsize,
    /// Logins sent (requests with credentials, passwords typed, PASS commands).
    pub attempts: AtomicUsize,
    /// Logins refused so far (responders that lock accounts out count them).
    pub failures: AtomicUsize,
}

/// What a responder does with each connection.
pub type Handler =
    Arc<dyn Fn(TcpStream, Arc<State>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A TCP responder on loopback; stops when dropped.
pub struct Server {
    port: u16,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(LOCALHOST, self.port)
    }

    /// Logins it was sent.
    pub fn attempts(&self) -> usize {
        self.state.attempts.load(Ordering::SeqCst)
    }

    /// Connections it accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a responder on an ephemeral loopback port that runs `handler` for every connection.
pub async fn serve(handler: Handler) -> Server {
    let listener = TcpListener::bind((LOCALHOST, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(State::default());
    let shared = Arc::clone(&state);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            shared.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handler(stream, Arc::clone(&shared)));
        }
    });
    Server { port, state, task }
}

/// Reads one request, within 3 s and 16 KiB: the headers and a body of `Content-Length` bytes,
/// or one whole SMB frame.
pub async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let complete = match buf.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) => buf.len() >= end + 4 + content_length(&buf[..end]),
            None => {
                buf.len() >= 4
                    && buf[0] == 0
                    && buf.len() >= 4 + (usize::from(buf[2]) << 8 | usize::from(buf[3]))
            }
        };
        if complete || buf.len() > 16 * 1024 {
            return buf;
        }
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return buf,
        }
    }
}

/// [`read_request`] as text.
pub async fn read_request_text(stream: &mut TcpStream) -> String {
    String::from_utf8_lossy(&read_request(stream).await).into_owned()
}

/// The `Content-Length` of a request's headers; 0 without one.
fn content_length(headers: &[u8]) -> usize {
    String::from_utf8_lossy(headers)
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
}

/// An HTTP/1.1 reply with `status`, `headers` and `body`, closing the connection.
pub fn http(status: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    out.into_bytes()
}

/// Standard base64 with padding (for HTTP Basic credentials).
pub fn base64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Asserts the verdict, that the evidence mentions each of `words`, and that it is one clean
/// line.
pub fn assert_verdict(result: &CheckResult, verdict: Verdict, words: &[&str]) {
    assert_eq!(result.verdict, verdict, "{result:?}");
    for w in words {
        assert!(
            result.shown_evidence().contains(w),
            "evidence on screen should mention {w:?}: {result:?}"
        );
    }
    if result.on_screen.is_some() {
        // A working factory login: what files get names the user, never the password.
        assert!(
            result.evidence.contains("(its factory password)")
                || result.evidence.contains("(with no password)"),
            "{result:?}"
        );
    }
    for text in [&result.evidence[..], result.shown_evidence()] {
        assert!(!text.contains('\n') && !text.contains('\x1b'));
    }
}

/// Reads one line a telnet client sent (its option answers skipped), within 3 s per byte.
pub async fn telnet_line(stream: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    loop {
        match tokio::time::timeout(Duration::from_secs(3), stream.read(&mut b)).await {
            Ok(Ok(1)) => {}
            _ => return None,
        }
        match b[0] {
            b'\n' => return Some(String::from_utf8_lossy(&out).trim().to_string()),
            0xff => {
                // An option answer: skip its two bytes.
                let mut skip = [0u8; 2];
                let _ = stream.read_exact(&mut skip).await;
            }
            c => out.push(c),
        }
    }
}
