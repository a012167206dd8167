//! The risky TCP ports of the hardening facts (section 3): each port's usual service and how it is
//! probed once it accepts a connection. Plain data with no IO, so the check definitions (and
//! through them the catalog) can name ports without pulling in the probes.

/// How a port is probed once it accepts a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// `GET /` and a summary of the status line, the `Server` header and the page title.
    Http,
    /// A TLS 1.2 ClientHello; a handshake or alert record in reply means TLS. A plain HTTP answer
    /// is summarised like [`ProbeKind::Http`] instead.
    Tls,
    /// Reads what the server says first, with telnet option negotiation stripped (and refused).
    Telnet,
    /// Reads the `SSH-2.0-...` identification line.
    Ssh,
    /// Reads the `220 ...` greeting line.
    Ftp,
    /// `OPTIONS` and a summary of the status line and the `Server` and `Public` headers.
    Rtsp,
    /// An MQTT 3.1.1 CONNECT without credentials; the CONNACK code says whether a login is needed.
    Mqtt,
    /// Sends nothing; keeps whatever the server says first within the banner timeout.
    Passive,
}

impl ProbeKind {
    /// The service name used for a port that is not in [`RISKY_PORTS`] with this kind.
    pub fn default_service(self) -> &'static str {
        match self {
            ProbeKind::Http => "http",
            ProbeKind::Tls => "tls",
            ProbeKind::Telnet => "telnet",
            ProbeKind::Ssh => "ssh",
            ProbeKind::Ftp => "ftp",
            ProbeKind::Rtsp => "rtsp",
            ProbeKind::Mqtt => "mqtt",
            ProbeKind::Passive => "unknown",
        }
    }
}

/// A TCP port worth probing: its number, the service that usually runs there, and how to probe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RiskyPort {
    /// Port number.
    pub port: u16,
    /// What usually runs there (`telnet`, `http`, `rtsp`), as kept in [`OpenPort::service`].
    pub service: &'static str,
    /// How to read its banner.
    pub kind: ProbeKind,
}

impl RiskyPort {
    const fn new(port: u16, service: &'static str, kind: ProbeKind) -> Self {
        Self {
            port,
            service,
            kind,
        }
    }

    /// The entry of [`RISKY_PORTS`] for `port`, if it is one.
    pub fn lookup(port: u16) -> Option<&'static RiskyPort> {
        RISKY_PORTS.iter().find(|p| p.port == port)
    }
}

/// The risky TCP ports of the hardening facts (section 3), with their probes.
pub const RISKY_PORTS: &[RiskyPort] = &[
    RiskyPort::new(21, "ftp", ProbeKind::Ftp),
    RiskyPort::new(22, "ssh", ProbeKind::Ssh),
    RiskyPort::new(23, "telnet", ProbeKind::Telnet),
    RiskyPort::new(2323, "telnet", ProbeKind::Telnet),
    RiskyPort::new(80, "http", ProbeKind::Http),
    RiskyPort::new(8080, "http", ProbeKind::Http),
    // Also the Hikvision SDK port, which does not speak HTTP; the probe then reads no banner.
    RiskyPort::new(8000, "http", ProbeKind::Http),
    RiskyPort::new(8081, "http", ProbeKind::Http),
    RiskyPort::new(443, "https", ProbeKind::Tls),
    // Also Google Cast.
    RiskyPort::new(8443, "https", ProbeKind::Tls),
    RiskyPort::new(554, "rtsp", ProbeKind::Rtsp),
    RiskyPort::new(8554, "rtsp", ProbeKind::Rtsp),
    RiskyPort::new(1883, "mqtt", ProbeKind::Mqtt),
    RiskyPort::new(8883, "mqtt-tls", ProbeKind::Tls),
    RiskyPort::new(139, "smb", ProbeKind::Passive),
    RiskyPort::new(445, "smb", ProbeKind::Passive),
    // Passive on purpose: an ADB connect request can make the TV ask its owner to allow debugging.
    RiskyPort::new(5555, "adb", ProbeKind::Passive),
    RiskyPort::new(8008, "cast", ProbeKind::Http),
    RiskyPort::new(8009, "cast", ProbeKind::Tls),
    // Passive on purpose: a printer prints whatever arrives on 9100 (and usually on 515).
    RiskyPort::new(9100, "jetdirect", ProbeKind::Passive),
    RiskyPort::new(515, "lpd", ProbeKind::Passive),
    RiskyPort::new(631, "ipp", ProbeKind::Http),
    RiskyPort::new(7547, "tr-069", ProbeKind::Http),
    // Also the Synology admin page and macOS AirPlay.
    RiskyPort::new(5000, "upnp", ProbeKind::Http),
    RiskyPort::new(2869, "upnp", ProbeKind::Http),
    RiskyPort::new(49152, "upnp", ProbeKind::Http),
    RiskyPort::new(49153, "upnp", ProbeKind::Http),
    RiskyPort::new(49154, "upnp", ProbeKind::Http),
    RiskyPort::new(52869, "upnp", ProbeKind::Http),
    RiskyPort::new(3389, "rdp", ProbeKind::Passive),
    RiskyPort::new(5900, "vnc", ProbeKind::Passive),
    RiskyPort::new(37777, "dahua", ProbeKind::Passive),
    RiskyPort::new(9999, "kasa", ProbeKind::Passive),
    // The Synology admin page over HTTPS.
    RiskyPort::new(5001, "https", ProbeKind::Tls),
    // Ports that tell a kind of device (identification only; passive: connect, read nothing):
    // Tuya / Smart Life local control, Reolink's media port, Windows RPC.
    RiskyPort::new(6668, "tuya", ProbeKind::Passive),
    RiskyPort::new(9000, "reolink", ProbeKind::Passive),
    RiskyPort::new(135, "rpc", ProbeKind::Passive),
];
