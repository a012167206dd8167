//! The port probes against fake servers on 127.0.0.1 (ephemeral ports, never any other address):
//! one per protocol, hostile ones (endless, silent, trickling, escape sequences), and real
//! `openssl s_server` and `mosquitto` when they are installed (required when `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
// The real servers are Debian's: their helpers go unused elsewhere.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use porchlight::discovery::ports::{
    self, BANNER_CHARS, PortOptions, ProbeKind, RiskyPort, probe_host, probe_port,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc;

const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// Slack for scheduling on a busy machine, on top of the bounds the probes promise.
const SLACK: Duration = Duration::from_millis(400);

fn opts() -> PortOptions {
    PortOptions {
        connect_timeout: Duration::from_millis(300),
        banner_timeout: Duration::from_millis(400),
        max_banner_bytes: 4096,
        per_host_concurrency: 16,
    }
}

fn v4(addr: SocketAddr) -> SocketAddrV4 {
    match addr {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(_) => panic!("loopback listener got an IPv6 address"),
    }
}

/// Serves every connection to a fresh 127.0.0.1 port with `handler`, until the test ends.
async fn serve<F, Fut>(handler: F) -> SocketAddrV4
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind((LOCALHOST, 0)).await.unwrap();
    let addr = v4(listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handler(stream));
        }
    });
    addr
}

/// A server that sends `bytes` first and then keeps the connection open, silent.
async fn says(bytes: &'static [u8]) -> SocketAddrV4 {
    serve(move |mut s| async move {
        let _ = s.write_all(bytes).await;
        hold(s).await;
    })
    .await
}

/// Keeps a connection open (reading and dropping whatever comes) until the peer goes.
async fn hold(mut s: TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = s.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Reads a request head (up to the blank line).
async fn read_head(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 8192 {
        match s.read(&mut byte).await {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The service name `probe_port` gives: the table's when it lists the port with that kind.
fn service_for(port: u16, kind: ProbeKind) -> &'static str {
    RiskyPort::lookup(port)
        .filter(|p| p.kind == kind)
        .map_or(kind.default_service(), |p| p.service)
}

async fn probe(addr: SocketAddrV4, kind: ProbeKind) -> porchlight::model::OpenPort {
    let open = probe_port(addr, kind, &opts())
        .await
        .unwrap_or_else(|| panic!("{addr} should be open for {kind:?}"));
    assert_eq!(open.port, addr.port());
    assert_eq!(open.service, service_for(addr.port(), kind));
    open
}

#[tokio::test]
async fn http_is_summarised_with_status_server_and_title() {
    let addr = serve(|mut s| async move {
        let head = read_head(&mut s).await;
        assert!(head.starts_with("GET / HTTP/1.1\r\n"), "{head}");
        let body = "<html><head><title>Login</title></head><body>x</body></html>";
        let reply = format!(
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(reply.as_bytes()).await;
    })
    .await;
    let open = probe(addr, ProbeKind::Http).await;
    assert_eq!(
        open.banner.as_deref(),
        Some("HTTP 200 OK · Server: nginx · <title>Login</title>")
    );
    assert!(!open.tls);
}

#[tokio::test]
async fn an_http_redirect_keeps_its_location() {
    let addr = serve(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.0 302 Found\r\nLocation: https://192.168.1.1/\r\n\r\n")
            .await;
    })
    .await;
    let open = probe(addr, ProbeKind::Http).await;
    assert_eq!(
        open.banner.as_deref(),
        Some("HTTP 302 Found · Location: https://192.168.1.1/")
    );
}

#[tokio::test]
async fn telnet_negotiation_is_stripped_so_the_login_prompt_survives() {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let addr = serve(move |mut s| {
        let tx = tx.clone();
        async move {
            // DO ECHO, WILL SUPPRESS-GO-AHEAD, a terminal-type subnegotiation, then the prompt.
            let mut hello = vec![
                0xff, 0xfd, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0,
            ];
            hello.extend_from_slice(b"\r\nBusyBox v1.19 router\r\n");
            hello.extend_from_slice(&[0xff, 0xfb, 0x01]);
            hello.extend_from_slice(b"login: ");
            let _ = s.write_all(&hello).await;
            let mut got = Vec::new();
            let mut buf = [0u8; 64];
            while let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await
            {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            let _ = tx.send(got);
        }
    })
    .await;
    let started = Instant::now();
    let open = probe(addr, ProbeKind::Telnet).await;
    assert_eq!(open.banner.as_deref(), Some("BusyBox v1.19 router login:"));
    // The prompt ends the read: no waiting for the whole banner timeout.
    assert!(
        started.elapsed() < opts().banner_timeout,
        "{:?}",
        started.elapsed()
    );
    // Every offer was refused: WONT ECHO for DO ECHO, DONT for each WILL.
    let replies = rx.recv().await.unwrap();
    assert!(
        replies.windows(3).any(|w| w == [0xff, 0xfc, 0x01]),
        "{replies:x?}"
    );
    assert!(
        replies.windows(3).any(|w| w == [0xff, 0xfe, 0x03]),
        "{replies:x?}"
    );
    assert!(
        replies.windows(3).any(|w| w == [0xff, 0xfe, 0x01]),
        "{replies:x?}"
    );
}

#[tokio::test]
async fn ssh_and_ftp_greetings_are_read() {
    let ssh = says(b"SSH-2.0-dropbear_2019.78\r\n").await;
    let open = probe(ssh, ProbeKind::Ssh).await;
    assert_eq!(open.banner.as_deref(), Some("SSH-2.0-dropbear_2019.78"));

    // RFC 4253 lets a server send other lines before its identification.
    let chatty = says(b"Authorised use only\r\nSSH-2.0-OpenSSH_8.4p1 Debian-5\r\n").await;
    let open = probe(chatty, ProbeKind::Ssh).await;
    assert_eq!(
        open.banner.as_deref(),
        Some("SSH-2.0-OpenSSH_8.4p1 Debian-5")
    );

    let ftp = says(b"220 (vsFTPd 3.0.3)\r\n").await;
    let open = probe(ftp, ProbeKind::Ftp).await;
    assert_eq!(open.banner.as_deref(), Some("220 (vsFTPd 3.0.3)"));
}

#[tokio::test]
async fn rtsp_options_is_summarised_with_server_and_public() {
    let addr = serve(|mut s| async move {
        let head = read_head(&mut s).await;
        let port = v4(s.local_addr().unwrap()).port();
        assert!(
            head.starts_with(&format!("OPTIONS rtsp://127.0.0.1:{port}/ RTSP/1.0\r\n")),
            "{head}"
        );
        assert!(head.contains("\r\nCSeq: 1\r\n"), "{head}");
        let _ = s
            .write_all(
                b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hipcam RealServer/V1.0\r\n\
                  Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY\r\n\r\n",
            )
            .await;
        hold(s).await;
    })
    .await;
    let open = probe(addr, ProbeKind::Rtsp).await;
    assert_eq!(
        open.banner.as_deref(),
        Some(
            "RTSP/1.0 200 OK · Server: Hipcam RealServer/V1.0 · \
             Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY"
        )
    );
}

/// A fake broker that checks the CONNECT, answers CONNACK `code` and reports what followed.
async fn broker(code: u8) -> (SocketAddrV4, mpsc::UnboundedReceiver<Vec<u8>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let addr = serve(move |mut s| {
        let tx = tx.clone();
        async move {
            let mut connect = [0u8; 24];
            s.read_exact(&mut connect).await.unwrap();
            assert_eq!(connect[0], 0x10, "CONNECT");
            assert_eq!(
                usize::from(connect[1]),
                connect.len() - 2,
                "remaining length"
            );
            assert_eq!(&connect[2..8], b"\x00\x04MQTT");
            assert_eq!(connect[8], 4, "protocol level 3.1.1");
            assert_eq!(connect[9], 0x02, "clean session, no user name, no password");
            assert_eq!(&connect[12..], b"\x00\x0aporchlight");
            s.write_all(&[0x20, 0x02, 0x00, code]).await.unwrap();
            let mut after = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_millis(300), s.read_to_end(&mut after)).await;
            let _ = tx.send(after);
        }
    })
    .await;
    (addr, rx)
}

#[tokio::test]
async fn mqtt_connack_says_whether_a_login_is_needed() {
    let (open_broker, mut after_open) = broker(0).await;
    let open = probe(open_broker, ProbeKind::Mqtt).await;
    assert_eq!(
        open.banner.as_deref(),
        Some("CONNACK 0 (accepted without login)")
    );
    // An accepted session is closed politely.
    assert_eq!(after_open.recv().await.unwrap(), vec![0xe0, 0x00]);

    let (closed_broker, mut after_closed) = broker(5).await;
    let open = probe(closed_broker, ProbeKind::Mqtt).await;
    assert_eq!(open.banner.as_deref(), Some("CONNACK 5 (not authorised)"));
    assert_eq!(after_closed.recv().await.unwrap(), Vec::<u8>::new());

    assert_eq!(
        ports::describe_connack(4),
        "CONNACK 4 (bad user name or password)"
    );
}

/// Reads one TLS record and checks it is a TLS 1.2 ClientHello.
async fn read_client_hello(s: &mut TcpStream) {
    let mut header = [0u8; 5];
    s.read_exact(&mut header).await.unwrap();
    assert_eq!(&header[..3], &[0x16, 0x03, 0x01], "handshake record");
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    assert_eq!(body[0], 0x01, "ClientHello");
    assert_eq!(&body[4..6], &[0x03, 0x03], "client version TLS 1.2");
}

#[tokio::test]
async fn tls_is_detected_from_a_handshake_or_an_alert() {
    let hello = serve(|mut s| async move {
        read_client_hello(&mut s).await;
        // The first bytes of a ServerHello: record header, handshake header, version.
        let _ = s
            .write_all(&[
                0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03,
            ])
            .await;
        hold(s).await;
    })
    .await;
    let open = probe(hello, ProbeKind::Tls).await;
    assert!(open.tls);
    assert_eq!(open.banner.as_deref(), Some("TLS ServerHello (TLS 1.2)"));

    let alert = serve(|mut s| async move {
        read_client_hello(&mut s).await;
        let _ = s
            .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
            .await;
    })
    .await;
    let open = probe(alert, ProbeKind::Tls).await;
    assert!(open.tls);
    assert_eq!(
        open.banner.as_deref(),
        Some("TLS alert 40 (handshake_failure)")
    );
}

#[tokio::test]
async fn plain_http_on_a_tls_port_is_not_tls_and_gets_the_http_banner() {
    let addr = serve(|mut s| async move {
        let mut first = [0u8; 1];
        if s.read_exact(&mut first).await.is_err() {
            return;
        }
        if first[0] == 0x16 {
            let _ = s
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nServer: lighttpd\r\nContent-Length: 0\r\n\r\n",
                )
                .await;
        } else {
            read_head(&mut s).await;
            let body = "<title>Camera</title>";
            let reply = format!(
                "HTTP/1.1 200 OK\r\nServer: lighttpd\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    })
    .await;
    let open = probe(addr, ProbeKind::Tls).await;
    assert!(!open.tls);
    assert_eq!(
        open.banner.as_deref(),
        Some("HTTP 200 OK · Server: lighttpd · <title>Camera</title>")
    );
}

#[tokio::test]
async fn a_closed_port_is_none_at_once() {
    let listener = TcpListener::bind((LOCALHOST, 0)).await.unwrap();
    let addr = v4(listener.local_addr().unwrap());
    drop(listener);
    let started = Instant::now();
    for kind in [ProbeKind::Http, ProbeKind::Tls, ProbeKind::Passive] {
        assert_eq!(probe_port(addr, kind, &opts()).await, None);
    }
    assert!(
        started.elapsed() < opts().connect_timeout,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connect_that_times_out_is_filtered_not_open() {
    // A listener that never accepts, with its accept queue full: Linux drops further SYNs, so the
    // next connect hangs like one to a firewalled port.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((LOCALHOST, 0))).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = v4(listener.local_addr().unwrap());
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    let started = Instant::now();
    let found = probe_port(addr, ProbeKind::Passive, &opts()).await;
    let elapsed = started.elapsed();
    if found.is_some() {
        // The kernel accepted after all (an unusually long queue); nothing to prove here. CI's
        // kernel must show the case, so there it is a failure.
        let why = "the kernel did not drop the SYN (accept queue not full)";
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "under CI: {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    assert!(elapsed >= opts().connect_timeout, "{elapsed:?}");
    assert!(elapsed < opts().connect_timeout + SLACK, "{elapsed:?}");
    drop(listener);
}

#[tokio::test]
async fn an_endless_banner_is_capped_in_bytes_and_time() {
    let addr = serve(|mut s| async move {
        let line = [b'A'; 1024];
        while s.write_all(&line).await.is_ok() {}
    })
    .await;
    for kind in [
        ProbeKind::Passive,
        ProbeKind::Telnet,
        ProbeKind::Http,
        ProbeKind::Rtsp,
    ] {
        let started = Instant::now();
        let open = probe_port(addr, kind, &opts()).await.unwrap();
        let elapsed = started.elapsed();
        assert!(
            elapsed < opts().banner_timeout + SLACK,
            "{kind:?}: {elapsed:?}"
        );
        if let Some(banner) = &open.banner {
            assert!(banner.chars().count() <= BANNER_CHARS, "{kind:?}: {banner}");
        }
    }
}

#[tokio::test]
async fn a_trickling_banner_ends_at_the_banner_timeout() {
    let addr = serve(|mut s| async move {
        loop {
            if s.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    for kind in [
        ProbeKind::Passive,
        ProbeKind::Telnet,
        ProbeKind::Ssh,
        ProbeKind::Tls,
    ] {
        let started = Instant::now();
        let open = probe_port(addr, kind, &opts()).await.unwrap();
        let elapsed = started.elapsed();
        assert!(elapsed >= opts().banner_timeout, "{kind:?}: {elapsed:?}");
        assert!(
            elapsed < opts().banner_timeout + SLACK,
            "{kind:?}: {elapsed:?}"
        );
        let banner = open.banner.unwrap_or_default();
        assert!(banner.starts_with("xxx"), "{kind:?}: {banner}");
        assert!(banner.chars().count() <= BANNER_CHARS);
    }
}

#[tokio::test]
async fn a_silent_server_is_open_without_a_banner_within_the_banner_timeout() {
    let addr = serve(hold).await;
    for kind in [
        ProbeKind::Passive,
        ProbeKind::Telnet,
        ProbeKind::Ssh,
        ProbeKind::Http,
        ProbeKind::Tls,
        ProbeKind::Rtsp,
        ProbeKind::Mqtt,
    ] {
        let started = Instant::now();
        let open = probe_port(addr, kind, &opts()).await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(open.banner, None, "{kind:?}");
        assert!(!open.tls, "{kind:?}");
        assert!(
            elapsed < opts().banner_timeout + SLACK,
            "{kind:?}: {elapsed:?}"
        );
    }
}

#[tokio::test]
async fn escape_sequences_and_control_characters_are_cleaned() {
    let nasty = says(b"\x1b[2J\x1b]0;pwned\x07Hello\x1b[31m red\x00\x08 router\x1b[0m\r\n").await;
    for kind in [ProbeKind::Passive, ProbeKind::Telnet, ProbeKind::Ssh] {
        let open = probe(nasty, kind).await;
        let banner = open.banner.unwrap();
        assert_eq!(banner, "Hello red router", "{kind:?}");
        assert!(!banner.contains('\x1b'));
    }

    let http = serve(|mut s| async move {
        read_head(&mut s).await;
        let body = "<title>\x1b[31mAdmin\u{9b}2J page\x1b]8;;http://evil/\x1b\\</title>";
        let reply = format!(
            "HTTP/1.1 200 \x1b[5mOK\r\nServer: evil\x1b]0;title\x07httpd\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(reply.as_bytes()).await;
    })
    .await;
    let banner = probe(http, ProbeKind::Http).await.banner.unwrap();
    assert!(!banner.contains('\x1b'), "{banner:?}");
    assert!(!banner.chars().any(char::is_control), "{banner:?}");
    assert_eq!(
        banner,
        "HTTP 200 OK · Server: evil httpd · <title>Admin page</title>"
    );
}

#[tokio::test]
async fn a_host_is_probed_in_parallel_and_reports_only_open_ports_in_order() {
    let silent_a = serve(hold).await;
    let silent_b = serve(hold).await;
    let ssh = says(b"SSH-2.0-OpenSSH_9.2\r\n").await;
    let closed = {
        let l = TcpListener::bind((LOCALHOST, 0)).await.unwrap();
        v4(l.local_addr().unwrap())
    };
    let list = [
        RiskyPort {
            port: silent_a.port(),
            service: "one",
            kind: ProbeKind::Passive,
        },
        RiskyPort {
            port: ssh.port(),
            service: "ssh",
            kind: ProbeKind::Ssh,
        },
        RiskyPort {
            port: closed.port(),
            service: "closed",
            kind: ProbeKind::Telnet,
        },
        RiskyPort {
            port: silent_b.port(),
            service: "two",
            kind: ProbeKind::Telnet,
        },
        // A duplicate is probed once.
        RiskyPort {
            port: ssh.port(),
            service: "ssh",
            kind: ProbeKind::Ssh,
        },
    ];
    let started = Instant::now();
    let scan = probe_host(LOCALHOST, &list, &opts()).await;
    let open = &scan.open;
    let elapsed = started.elapsed();
    assert_eq!(scan.closed, [closed.port()], "the refused port is closed");
    assert!(scan.silent.is_empty(), "every port answered: {scan:?}");
    // Two silent ports each take the whole banner timeout: in parallel that is one timeout.
    assert!(elapsed < opts().banner_timeout + SLACK, "{elapsed:?}");
    let mut expected = vec![
        (silent_a.port(), "one"),
        (ssh.port(), "ssh"),
        (silent_b.port(), "two"),
    ];
    expected.sort_unstable();
    let got: Vec<(u16, &str)> = open.iter().map(|p| (p.port, p.service.as_str())).collect();
    assert_eq!(got, expected);
    let ssh_banner = open.iter().find(|p| p.port == ssh.port()).unwrap();
    assert_eq!(ssh_banner.banner.as_deref(), Some("SSH-2.0-OpenSSH_9.2"));
}

#[test]
fn the_table_covers_the_risky_ports_of_the_hardening_facts() {
    let wanted = [
        21, 22, 23, 2323, 80, 8080, 8000, 8081, 443, 8443, 554, 8554, 1883, 8883, 139, 445, 5555,
        8008, 8009, 9100, 515, 631, 7547, 5000, 2869, 49152, 49153, 49154, 52869, 3389, 5900,
        37777, 9999, 5001, 6668, 9000, 135,
    ];
    for port in wanted {
        assert!(RiskyPort::lookup(port).is_some(), "{port} is missing");
    }
    assert_eq!(ports::RISKY_PORTS.len(), wanted.len());
    assert_eq!(RiskyPort::lookup(7547).map(|p| p.service), Some("tr-069"));
    assert_eq!(
        RiskyPort::lookup(1883).map(|p| p.kind),
        Some(ProbeKind::Mqtt)
    );
    assert_eq!(
        RiskyPort::lookup(8883).map(|p| p.kind),
        Some(ProbeKind::Tls)
    );
}

// -------------------------------------------------------------------------------------------------
// Real servers, when installed. Under CI=true a missing one is a failure, not a skip.

/// The program's path, or `None` (with the reason printed) when the test should be skipped.
fn require(program: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    // Daemons often live in sbin, which a non-root PATH may lack.
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    if let Some(found) = dirs.iter().map(|d| d.join(program)).find(|p| p.is_file()) {
        return Some(found);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "`{program}` is not installed, and CI requires this test to run (apt-get install {program})"
        );
    }
    eprintln!("skipped: `{program}` is not installed (apt-get install {program})");
    None
}

/// A child process killed and reaped when the test ends, however it ends.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free 127.0.0.1 port (there is a small race until the daemon binds it).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind((LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `command` (which listens on `port`) and waits until the port accepts connections.
async fn start(mut command: Command, port: u16) -> Daemon {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut daemon = Daemon(command.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = daemon.0.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = daemon.0.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("{command:?} exited with {status}: {err}");
        }
        if TcpStream::connect((LOCALHOST, port)).await.is_ok() {
            return daemon;
        }
        assert!(
            Instant::now() < deadline,
            "{command:?} did not listen on {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(target_os = "linux")] // runs Debian's openssl s_server
#[tokio::test]
async fn a_real_tls_server_answers_the_client_hello_with_a_server_hello() {
    let Some(openssl) = require("openssl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let made = Command::new(&openssl)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args([
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=porchlight-test",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success(), "openssl could not make a test certificate");
    let port = free_port();
    let mut server = Command::new(&openssl);
    server
        .args(["s_server", "-quiet", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key);
    let _daemon = start(server, port).await;
    let open = probe(SocketAddrV4::new(LOCALHOST, port), ProbeKind::Tls).await;
    assert!(open.tls);
    // A ServerHello, not an alert: the hand-built ClientHello is valid.
    assert_eq!(open.banner.as_deref(), Some("TLS ServerHello (TLS 1.2)"));
}

#[cfg(target_os = "linux")]
async fn mosquitto_answer(mosquitto: &PathBuf, anonymous: bool) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous {anonymous}\npersistence false\nlog_dest stderr\n"
        ),
    )
    .unwrap();
    let mut command = Command::new(mosquitto);
    command.arg("-c").arg(&conf);
    let _daemon = start(command, port).await;
    probe(SocketAddrV4::new(LOCALHOST, port), ProbeKind::Mqtt)
        .await
        .banner
}

#[cfg(target_os = "linux")] // runs Debian's mosquitto
#[tokio::test]
async fn a_real_mosquitto_says_whether_it_needs_a_login() {
    let Some(mosquitto) = require("mosquitto") else {
        return;
    };
    assert_eq!(
        mosquitto_answer(&mosquitto, true).await.as_deref(),
        Some("CONNACK 0 (accepted without login)")
    );
    assert_eq!(
        mosquitto_answer(&mosquitto, false).await.as_deref(),
        Some("CONNACK 5 (not authorised)")
    );
}
