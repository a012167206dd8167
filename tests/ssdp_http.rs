//! The bounded HTTP client against real servers on loopback: normal, chunked and hostile ones
//! (silent, trickling, endless, not HTTP at all). Every exchange must end within its limits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use porchlight::discovery::http::{HttpError, Limits, get, parse_url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts a server on 127.0.0.1 that hands each connection (after reading the request) to `serve`.
async fn server<F, Fut>(serve: F) -> SocketAddrV4
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            tokio::spawn(serve(stream));
        }
    });
    addr
}

fn limits(timeout_ms: u64, max_bytes: usize) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        max_bytes,
    }
}

/// The process's peak resident memory in KiB (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn reads_a_normal_response_and_sends_a_proper_request() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        tx.send(request).unwrap();
        let body = "<html><head><title>Router login</title></head></html>";
        let reply = format!(
            "HTTP/1.1 200 OK\r\nServer: GoAhead-Webs\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(reply.as_bytes()).await.unwrap();
    });
    let (url_addr, host, path) = parse_url(&format!("http://{addr}/login.htm")).unwrap();
    assert_eq!(url_addr, addr);
    let r = get(addr, &host, &path, limits(2000, 64 * 1024))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("server"), Some("GoAhead-Webs"));
    assert_eq!(r.title().as_deref(), Some("Router login"));
    assert!(!r.truncated);

    let request = String::from_utf8(rx.recv().await.unwrap()).unwrap();
    assert!(
        request.starts_with("GET /login.htm HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.contains(&format!("\r\nHost: {addr}\r\n")),
        "{request}"
    );
    assert!(request.contains("\r\nConnection: close\r\n"), "{request}");
    assert!(
        request.contains("\r\nUser-Agent: porchlight\r\n"),
        "{request}"
    );
}

#[tokio::test]
async fn reads_a_chunked_response_written_in_pieces() {
    let addr = server(|mut s| async move {
        let parts: [&[u8]; 6] = [
            b"HTTP/1.1 200 OK\r\nTransfer-",
            b"Encoding: chunked\r\n\r\n1",
            b"d\r\n<root>0123456789abcdef</",
            b"root>\r\n",
            b"0\r\n",
            b"\r\n",
        ];
        for part in parts {
            s.write_all(part).await.unwrap();
            s.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Keep the connection open: the chunked framing, not the close, must end the read.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let started = Instant::now();
    let r = get(addr, "127.0.0.1", "/", limits(5000, 64 * 1024))
        .await
        .unwrap();
    assert_eq!(r.body, b"<root>0123456789abcdef</root>");
    assert!(!r.truncated);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_server_that_never_answers_ends_at_the_deadline() {
    let addr = server(|s| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(s);
    })
    .await;
    let started = Instant::now();
    let result = get(addr, "127.0.0.1", "/", limits(300, 4096)).await;
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(HttpError::Timeout(_))), "{result:?}");
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn a_server_that_trickles_forever_ends_at_the_deadline() {
    let addr = server(|mut s| async move {
        if s.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
            return;
        }
        // One header byte every 20 ms: each read succeeds, so only an overall deadline stops it.
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if s.write_all(b"X").await.is_err() {
                return;
            }
        }
    })
    .await;
    let started = Instant::now();
    let result = get(addr, "127.0.0.1", "/", limits(400, 1 << 20)).await;
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(HttpError::Timeout(_))), "{result:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");

    // The same trickle in the body.
    let addr = server(|mut s| async move {
        if s.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if s.write_all(b"<").await.is_err() {
                return;
            }
        }
    })
    .await;
    let started = Instant::now();
    let result = get(addr, "127.0.0.1", "/", limits(400, 1 << 20)).await;
    assert!(matches!(result, Err(HttpError::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A server that sends 512 MiB (or until the client goes away).
async fn endless_server(chunked: bool) -> SocketAddrV4 {
    server(move |mut s| async move {
        let head: &[u8] = if chunked {
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 536870912\r\n\r\n"
        };
        if s.write_all(head).await.is_err() {
            return;
        }
        let block = vec![b'A'; 64 * 1024];
        let chunk_head = format!("{:x}\r\n", block.len());
        for _ in 0..(512 * 16) {
            if chunked && s.write_all(chunk_head.as_bytes()).await.is_err() {
                return;
            }
            if s.write_all(&block).await.is_err() {
                return;
            }
            if chunked && s.write_all(b"\r\n").await.is_err() {
                return;
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_512_mib_body_stops_at_the_cap() {
    let cap = 256 * 1024;
    for chunked in [false, true] {
        let addr = endless_server(chunked).await;
        let started = Instant::now();
        let r = get(addr, "127.0.0.1", "/", limits(10_000, cap))
            .await
            .unwrap();
        let elapsed = started.elapsed();
        assert!(r.truncated, "chunked={chunked}");
        assert!(r.body.len() <= cap, "chunked={chunked}: {}", r.body.len());
        assert!(
            r.body.len() > cap / 2,
            "chunked={chunked}: {}",
            r.body.len()
        );
        assert!(r.body.iter().all(|&b| b == b'A'));
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
    if let Some(peak) = peak_rss_kib() {
        assert!(peak < 200 * 1024, "peak resident memory {peak} KiB");
    }
}

#[tokio::test]
async fn a_server_that_is_not_http_is_an_error() {
    let addr = server(|mut s| async move {
        let _ = s
            .write_all(b"SSH-2.0-dropbear_2019.78\r\n\r\n\x1b]0;owned\x07")
            .await;
    })
    .await;
    let result = get(addr, "127.0.0.1", "/", limits(2000, 4096)).await;
    match result {
        Err(HttpError::BadStatusLine(text)) => {
            assert!(text.starts_with("SSH-2.0"), "{text}");
            assert!(!text.contains('\x1b'));
        }
        other => panic!("{other:?}"),
    }
    let message = get(addr, "127.0.0.1", "/", limits(2000, 4096))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        !message.contains('\n') && !message.contains('\x1b'),
        "{message}"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    // Bind then drop to get a port that is very likely closed.
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    drop(listener);
    let result = get(addr, "127.0.0.1", "/", limits(2000, 4096)).await;
    assert!(matches!(result, Err(HttpError::Connect(_))), "{result:?}");
}
