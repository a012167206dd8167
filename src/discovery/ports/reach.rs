//! A TCP connect that holds on a lossy link (Wi-Fi loses a few percent of frames), and what its
//! outcome proves.
//!
//! One lost SYN or SYN-ACK makes a plain connect time out, and a timeout proves nothing: the
//! port may be open behind a lost frame. So [`reach`] sends up to [`CONNECT_TRIES`] connects,
//! staggered across the window (a new SYN every `window / (tries + 1)`, the earlier ones still
//! waiting), and the first that is accepted or refused decides. Only an accepted connection
//! proves the port open, and only a refusal (a TCP RST from the host) proves it closed; anything
//! else (every attempt timed out, or the host or network was unreachable) is [`Reach::Silent`].
//!
//! At 10% loss in each direction one attempt fails about 19% of the time; four fail together
//! about 0.13% of the time. The window is not lengthened: retransmitting inside it costs extra
//! SYNs (at most [`CONNECT_TRIES`] per port), never time.

use std::io::ErrorKind;
use std::net::SocketAddrV4;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until};

/// How many connects [`reach`] sends at most to one port.
pub const CONNECT_TRIES: u32 = 4;

/// What a port did when porchlight connected to it.
#[derive(Debug)]
pub enum Reach {
    /// It accepted the connection: positive evidence that something listens.
    Open(TcpStream),
    /// The host refused it (TCP RST): positive evidence that nothing listens.
    Refused,
    /// No attempt was accepted or refused within the window: proves nothing.
    Silent,
}

impl Reach {
    /// The open stream, if the port accepted.
    pub fn open(self) -> Option<TcpStream> {
        match self {
            Reach::Open(stream) => Some(stream),
            Reach::Refused | Reach::Silent => None,
        }
    }
}

/// Connects to `addr`, sending up to `tries` connects staggered across `window` (at least one);
/// the first accepted or refused decides. Takes at most `window`.
pub async fn reach(addr: SocketAddrV4, window: Duration, tries: u32) -> Reach {
    let tries = tries.clamp(1, 8);
    let start = Instant::now();
    let deadline = start + window;
    let gap = window / (tries + 1);
    let mut attempts = FuturesUnordered::new();
    let mut sent = 0;
    let mut next_at = start;
    loop {
        if sent < tries && Instant::now() >= next_at {
            attempts.push(TcpStream::connect(addr));
            sent += 1;
            next_at += gap;
        }
        tokio::select! {
            Some(outcome) = attempts.next(), if !attempts.is_empty() => match outcome {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Reach::Open(stream);
                }
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Reach::Refused,
                // Unreachable (ARP failed), no route, or any other error: no answer from the host.
                Err(_) => {}
            },
            () = sleep_until(next_at), if sent < tries => {}
            () = sleep_until(deadline) => return Reach::Silent,
        }
        if sent >= tries && attempts.is_empty() {
            return Reach::Silent;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_accept_is_open_and_a_refusal_is_refused() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let std::net::SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
            panic!("v4");
        };
        let window = Duration::from_millis(400);
        assert!(matches!(reach(addr, window, 4).await, Reach::Open(_)));
        drop(listener);
        let started = std::time::Instant::now();
        assert!(matches!(reach(addr, window, 4).await, Reach::Refused));
        assert!(started.elapsed() < window, "a refusal decides at once");
    }

    #[tokio::test]
    async fn silence_is_silent_within_the_window() {
        // A listener that never accepts, with its backlog full: Linux drops further SYNs without
        // an answer, as a lost frame would. Loopback only.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let std::net::SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
            panic!("v4");
        };
        let mut held = Vec::new();
        for _ in 0..4 {
            let window = Duration::from_millis(150);
            match reach(addr, window, 1).await {
                Reach::Open(stream) => held.push(stream),
                Reach::Silent => break,
                Reach::Refused => panic!("a listener never refuses"),
            }
        }
        assert!(held.len() < 4, "the backlog filled up");
        let window = Duration::from_millis(300);
        let started = std::time::Instant::now();
        assert!(matches!(reach(addr, window, 4).await, Reach::Silent));
        assert!(started.elapsed() >= window);
        assert!(started.elapsed() <= window + Duration::from_millis(150));
    }
}
