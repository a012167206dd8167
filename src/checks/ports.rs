//! Checks on listening services: ports that should be closed (telnet, FTP, ADB, TR-069...), an
//! MQTT broker that should demand a login, and file sharing that should no longer speak SMB1.
//!
//! The port probes are discovery's ([`crate::discovery::ports`]), so a check sees exactly what a
//! scan sees, with the same care: nothing is ever sent to a printer's raw port or to ADB. The MQTT
//! probe connects without credentials and, if let in, disconnects politely; the SMB probe offers
//! only the SMB1 dialect and reads the answer's header, nothing more.

use std::net::SocketAddrV4;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::rules::{self, Heard};
use super::{CheckResult, Context, Target, Verdict, named_ports};
use crate::discovery::ports::{
    CONNECT_TRIES, MQTT_CONNECT, PortOptions, ProbeKind, Reach, RiskyPort, describe_connack,
    probe_host, reach,
};
use crate::model::OpenPort;

/// The MQTT port without TLS.
pub const MQTT_PORT: u16 = 1883;

/// The SMB port (direct TCP, no NetBIOS session).
pub const SMB_PORT: u16 = 445;

/// The probe options for a check: discovery's probes under the check's limits.
fn probe_options(ctx: &Context, ports: usize) -> PortOptions {
    PortOptions {
        connect_timeout: ctx.limits.connect_timeout,
        banner_timeout: ctx.limits.exchange_timeout,
        max_banner_bytes: ctx.limits.max_bytes.min(4096),
        per_host_concurrency: ports.max(1),
    }
}

/// Pass when the device refuses every port (a TCP RST from each: positive evidence); Fail naming
/// each port that accepts; Unknown when some stayed silent and none accepted (see [`rules`]).
///
/// Ports of [`RISKY_PORTS`](crate::discovery::ports::RISKY_PORTS) get discovery's probe for them;
/// any other port gets the telnet reader, which sends nothing unless the server negotiates
/// telnet options (and then only refusals).
pub async fn ports_closed(ports: &[u16], target: &Target, ctx: &Context) -> CheckResult {
    let probes: Vec<RiskyPort> = ports
        .iter()
        .map(|&port| {
            RiskyPort::lookup(port).copied().unwrap_or(RiskyPort {
                port,
                service: UNNAMED,
                kind: ProbeKind::Telnet,
            })
        })
        .collect();
    let opts = probe_options(ctx, probes.len());
    let mut scan = probe_host(target.ip, &probes, &opts).await;
    if !scan.host_answered() {
        // Not a word from the device: look once more (see [`reach_port`]).
        tokio::time::sleep(SECOND_LOOK).await;
        scan = probe_host(target.ip, &probes, &opts).await;
    }
    let ip = target.ip;
    let heard: Vec<Heard> = (scan.open.iter().map(|_| Heard::Problem))
        .chain(scan.closed.iter().map(|_| Heard::Absent))
        .chain(scan.silent.iter().map(|_| Heard::Silent))
        .collect();
    match rules::judge(&heard) {
        Verdict::Pass => CheckResult::pass(format!(
            "{} on {ip}: {} the connection",
            named_ports(ports),
            if ports.len() == 1 {
                "the device refuses"
            } else {
                "the device refuses each"
            }
        )),
        Verdict::Fail => open_ports_fail(ip, &scan.open),
        Verdict::Unknown | Verdict::NotApplicable => {
            let mut result = rules::no_answer(format!("{} on {ip}", named_ports(&scan.silent)));
            if !scan.closed.is_empty() {
                result.evidence = crate::sanitize::clean(
                    &format!(
                        "{} (refused: {})",
                        result.evidence,
                        named_ports(&scan.closed)
                    ),
                    super::EVIDENCE_CHARS,
                );
            }
            result
        }
    }
}

/// The failing result naming each port that accepted.
fn open_ports_fail(ip: std::net::Ipv4Addr, open: &[OpenPort]) -> CheckResult {
    let banner = |p: &OpenPort| {
        p.banner
            .as_deref()
            .map(|b| format!(" (banner: {b})"))
            .unwrap_or_default()
    };
    let evidence = match open {
        [p] if p.service == UNNAMED => {
            format!("something still answers on {ip}:{}{}", p.port, banner(p))
        }
        [p] => format!(
            "{} still answers on {ip}:{}{}",
            p.service,
            p.port,
            banner(p)
        ),
        _ => format!(
            "{} ports still answer on {ip}: {}",
            open.len(),
            open.iter()
                .map(|p| {
                    let name = if p.service == UNNAMED {
                        format!("port {}", p.port)
                    } else {
                        format!("{} {}", p.service, p.port)
                    };
                    format!("{name}{}", banner(p))
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    CheckResult::fail(evidence).with_next(
        "Switch the service off in the device's settings (or its app), restart it, and check again; \
         if there is no such setting, ask the maker or keep the device on the IoT network.",
    )
}

/// The service name given to a port porchlight has no name for.
const UNNAMED: &str = "unknown";

/// Connects within the connect timeout, retransmitting ([`reach`]): open, refused or silent. A
/// port that stayed silent is tried once more after [`SECOND_LOOK`]: when the system had to ask
/// for the device's hardware address and the request (or its answer) was lost, every SYN waited
/// behind it, and the system asks again a second later.
pub(crate) async fn reach_port(addr: SocketAddrV4, ctx: &Context) -> Reach {
    match reach(addr, ctx.limits.connect_timeout, CONNECT_TRIES).await {
        Reach::Silent => {
            tokio::time::sleep(SECOND_LOOK).await;
            reach(addr, ctx.limits.connect_timeout, CONNECT_TRIES).await
        }
        answered => answered,
    }
}

/// How long after a look that heard nothing at all a check looks once more.
pub(crate) const SECOND_LOOK: std::time::Duration = std::time::Duration::from_secs(1);

/// True when the device answers now: one of the ports it had open (or the web port) accepts
/// or refuses a connection. For checks that listen for something the device would announce,
/// whose silence alone proves nothing.
pub(crate) async fn device_answers(target: &Target, ctx: &Context) -> bool {
    let mut ports: Vec<u16> = target.open_ports.iter().map(|p| p.port).take(2).collect();
    ports.push(80);
    crate::discovery::ping::tcp_alive(target.ip, &ports, ctx.limits.connect_timeout)
        .await
        .is_some()
}

/// Connects within the connect timeout, retransmitting; `None` when refused or silent.
pub(crate) async fn connect(addr: SocketAddrV4, ctx: &Context) -> Option<TcpStream> {
    reach_port(addr, ctx).await.open()
}

// Bounded reads and writes are the port probes' own: one deadline for the whole exchange.
pub(crate) use crate::discovery::ports::{read_bounded as read_until, write_bounded as write_all};

/// Connections the MQTT check opens at most (the second only when the first got no answer).
const MQTT_TRIES: usize = 2;

/// An MQTT DISCONNECT.
const MQTT_DISCONNECT: &[u8] = &[0xe0, 0x00];

/// Pass when an anonymous MQTT CONNECT on 1883 is refused (CONNACK 4 or 5) or the device refuses
/// the connection; Fail when it is accepted (CONNACK 0); Unknown on silence.
pub async fn mqtt_auth(target: &Target, ctx: &Context) -> CheckResult {
    mqtt_auth_on(SocketAddrV4::new(target.ip, MQTT_PORT), target, ctx).await
}

/// [`mqtt_auth`] against the broker at `addr` (tests use another port).
pub async fn mqtt_auth_on(addr: SocketAddrV4, target: &Target, ctx: &Context) -> CheckResult {
    let tls_note = target
        .open_ports
        .iter()
        .any(|p| p.port == 8883)
        .then_some(
            "porchlight cannot log in over the encrypted port 8883; check there that anonymous clients are refused too.",
        );
    // A broker that took the connection but said nothing in time is asked once more on a new
    // connection (its answer, or our request, may have been lost), within the check's time.
    let mut reply = Vec::new();
    let mut stream = None;
    for attempt in 0..MQTT_TRIES {
        let mut conn = match reach_port(addr, ctx).await {
            Reach::Open(conn) => conn,
            Reach::Refused if attempt == 0 => {
                let result = CheckResult::pass(format!(
                    "no MQTT broker listens on {addr}: the device refused the connection"
                ));
                return match tls_note {
                    Some(note) => result.with_next(note),
                    None => result,
                };
            }
            Reach::Silent if attempt == 0 => return rules::no_answer(format!("MQTT on {addr}")),
            Reach::Refused | Reach::Silent => break,
        };
        let deadline = Instant::now() + ctx.limits.exchange_timeout;
        if write_all(&mut conn, deadline, MQTT_CONNECT).await {
            reply = read_until(&mut conn, deadline, 64, |b| {
                b.len() >= 4 || b.first().is_some_and(|&t| t != 0x20)
            })
            .await;
        }
        stream = Some((conn, deadline));
        if !reply.is_empty() {
            break;
        }
    }
    let Some((mut stream, deadline)) = stream else {
        return rules::no_answer(format!("MQTT on {addr}"));
    };
    match reply.as_slice() {
        [0x20, 0x02, _, 0, ..] => {
            let _ = write_all(&mut stream, deadline, MQTT_DISCONNECT).await;
            CheckResult::fail(format!(
                "the MQTT broker on {addr} lets anyone in without a login ({})",
                describe_connack(0)
            ))
            .with_next(
                "Turn off anonymous access in the broker's settings (Mosquitto: allow_anonymous false \
                 and a password_file), give each device its own login, and restart the broker.",
            )
        }
        [0x20, 0x02, _, code @ (4 | 5), ..] => {
            let result = CheckResult::pass(format!(
                "the MQTT broker on {addr} refuses clients without a login ({})",
                describe_connack(*code)
            ));
            match tls_note {
                Some(note) => result.with_next(note),
                None => result,
            }
        }
        [0x20, 0x02, _, code, ..] => CheckResult::unknown(format!(
            "the MQTT broker on {addr} answered {}",
            describe_connack(*code)
        )),
        [] => CheckResult::unknown(format!(
            "something listens on {addr} but gave no MQTT answer: {}",
            rules::NO_ANSWER
        )),
        other => CheckResult::unknown(format!(
            "{addr} did not answer like an MQTT broker (first bytes: {})",
            hex(&other[..other.len().min(8)])
        )),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An SMB1 NEGOTIATE offering only the `NT LM 0.12` dialect, in a direct-TCP (port 445) frame.
pub fn smb1_negotiate() -> Vec<u8> {
    let dialects: &[u8] = b"\x02NT LM 0.12\x00";
    let mut smb = Vec::with_capacity(64);
    smb.extend_from_slice(b"\xffSMB");
    smb.push(0x72); // NEGOTIATE
    smb.extend_from_slice(&[0, 0, 0, 0]); // status
    smb.push(0x18); // flags: case-insensitive, canonical paths
    smb.extend_from_slice(&[0x01, 0xc0]); // flags2: long names, NT status, unicode
    smb.extend_from_slice(&[0; 2]); // PID high
    smb.extend_from_slice(&[0; 8]); // signature
    smb.extend_from_slice(&[0; 2]); // reserved
    smb.extend_from_slice(&[0; 2]); // TID
    smb.extend_from_slice(&[0xff, 0xfe]); // PID
    smb.extend_from_slice(&[0; 2]); // UID
    smb.extend_from_slice(&[0; 2]); // MID
    smb.push(0); // word count
    let count = u16::try_from(dialects.len()).unwrap_or(0);
    smb.extend_from_slice(&count.to_le_bytes());
    smb.extend_from_slice(dialects);
    let len = u32::try_from(smb.len()).unwrap_or(0).to_be_bytes();
    let mut frame = vec![0, len[1], len[2], len[3]];
    frame.extend_from_slice(&smb);
    frame
}

/// What an SMB server said to an SMB1-only NEGOTIATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmbReply {
    /// It picked the SMB1 dialect.
    Smb1Accepted,
    /// It answered in SMB1 but accepted no dialect, or with an error status.
    Smb1Refused(String),
    /// It answered in SMB2 or newer.
    Smb2,
    /// It closed the connection without a word.
    Closed,
    /// Something else.
    Other(String),
}

/// Reads the header of a reply to [`smb1_negotiate`].
pub fn classify_smb_reply(buf: &[u8]) -> SmbReply {
    if buf.is_empty() {
        return SmbReply::Closed;
    }
    let body = buf.get(4..).unwrap_or_default();
    if body.starts_with(b"\xfeSMB") {
        return SmbReply::Smb2;
    }
    if body.starts_with(b"\xffSMB") && body.get(4) == Some(&0x72) {
        let status = body
            .get(5..9)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .unwrap_or(0);
        if status != 0 {
            return SmbReply::Smb1Refused(format!("status 0x{status:08x}"));
        }
        return match (body.get(32), body.get(33..35)) {
            (Some(&words), Some(index)) if words > 0 => {
                if u16::from_le_bytes([index[0], index[1]]) == 0xffff {
                    SmbReply::Smb1Refused("no dialect accepted".into())
                } else {
                    SmbReply::Smb1Accepted
                }
            }
            _ => SmbReply::Smb1Refused("an empty answer".into()),
        };
    }
    SmbReply::Other(hex(&buf[..buf.len().min(8)]))
}

/// Pass when the device refuses 445, or the server refuses SMB1; Fail when it picks SMB1;
/// Unknown on silence.
pub async fn smb1_off(target: &Target, ctx: &Context) -> CheckResult {
    smb1_off_on(SocketAddrV4::new(target.ip, SMB_PORT), ctx).await
}

/// [`smb1_off`] against the server at `addr` (tests use another port).
pub async fn smb1_off_on(addr: SocketAddrV4, ctx: &Context) -> CheckResult {
    let mut stream = match reach_port(addr, ctx).await {
        Reach::Open(stream) => stream,
        Reach::Refused => {
            return CheckResult::pass(format!(
                "no file sharing (SMB) listens on {addr}: the device refused the connection"
            ));
        }
        Reach::Silent => return rules::no_answer(format!("file sharing (SMB) on {addr}")),
    };
    let deadline = Instant::now() + ctx.limits.exchange_timeout;
    if !write_all(&mut stream, deadline, &smb1_negotiate()).await {
        return CheckResult::pass(format!(
            "the file-sharing service on {addr} dropped the connection when offered only SMB1"
        ));
    }
    let reply = read_until(&mut stream, deadline, 256, |b| b.len() >= 4 + 35).await;
    let timed_out = Instant::now() >= deadline;
    match classify_smb_reply(&reply) {
        SmbReply::Smb1Accepted => CheckResult::fail(format!(
            "the file-sharing service on {addr} still speaks the old SMB1 (it accepted the NT LM 0.12 dialect)"
        ))
        .with_next(
            "Set the minimum SMB version to SMB2 or higher in the device's file-sharing settings, then check again.",
        ),
        SmbReply::Smb1Refused(why) => CheckResult::pass(format!(
            "the file-sharing service on {addr} refuses SMB1 ({why})"
        )),
        SmbReply::Smb2 => CheckResult::pass(format!(
            "the file-sharing service on {addr} answers only in SMB2 or newer"
        )),
        SmbReply::Closed if timed_out => CheckResult::unknown(format!(
            "the file-sharing service on {addr} did not answer in time"
        )),
        SmbReply::Closed => CheckResult::pass(format!(
            "the file-sharing service on {addr} closed the connection when offered only SMB1"
        )),
        SmbReply::Other(first) => CheckResult::unknown(format!(
            "{addr} did not answer like a file-sharing service (first bytes: {first})"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_smb1_negotiate_is_framed() {
        let frame = smb1_negotiate();
        let len = usize::from(frame[2]) << 8 | usize::from(frame[3]);
        assert_eq!(len, frame.len() - 4);
        assert_eq!(&frame[4..9], b"\xffSMB\x72");
        assert!(frame.ends_with(b"\x02NT LM 0.12\x00"));
    }

    #[test]
    fn smb_replies_are_classified() {
        let mut accepted = vec![0, 0, 0, 0x55];
        accepted.extend_from_slice(b"\xffSMB\x72");
        accepted.extend_from_slice(&[0; 27]);
        accepted.push(17); // word count
        accepted.extend_from_slice(&[0, 0]); // dialect index 0
        assert_eq!(classify_smb_reply(&accepted), SmbReply::Smb1Accepted);
        let mut none = accepted.clone();
        none[4 + 33] = 0xff;
        none[4 + 34] = 0xff;
        assert!(matches!(
            classify_smb_reply(&none),
            SmbReply::Smb1Refused(_)
        ));
        let mut error = accepted.clone();
        error[4 + 5] = 0x22;
        assert!(
            matches!(classify_smb_reply(&error), SmbReply::Smb1Refused(w) if w.contains("0x00000022"))
        );
        assert_eq!(classify_smb_reply(b"\0\0\0\x40\xfeSMB"), SmbReply::Smb2);
        assert_eq!(classify_smb_reply(b""), SmbReply::Closed);
        assert!(matches!(
            classify_smb_reply(b"HTTP/1.1 400"),
            SmbReply::Other(_)
        ));
    }
}
