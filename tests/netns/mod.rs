//! The test home: a small simulated home network built from Linux network namespaces, with real
//! Debian daemons acting as the devices, for integration tests and the scan benchmark.
//!
//! ```text
//!            hub namespace: bridge br0 (multicast snooping off, so mDNS and SSDP flood)
//!   ┌──────────┬──────────┬──────────┬─────┴────┬──────────┬───────────┐
//!  scanner   router     mqtt      printer    speaker     nas  camera doorcam  plain hosts...
//!   .2        .1        .10        .11        .12        .13   .14    .15      .20-.24
//! ```
//!
//! Every device lives in its own namespace with one veth (`eth0`) into the bridge, a fixed MAC and
//! an address on a private /24 (`10.77.N.0/24`, N different for every home of a process). The
//! scanner namespace has `scan0` at `.2`, a default route via the router at `.1`, and a
//! `ping_group_range` that lets unprivileged processes send ICMP echo. Nothing is connected to the
//! machine's own namespace: every packet stays between the namespaces of one home.
//!
//! The devices (see [`standard_devices`]): the router runs miniupnpd (UPnP IGD, SSDP on the LAN
//! side; its "external" side is a veth pair inside its own namespace with a TEST-NET address) and
//! an admin web page; the hub runs mosquitto on 1883 (anonymous allowed); the printer, speaker
//! and NAS each run their own avahi-daemon (no D-Bus) with static service files; small Python
//! responders (`responders.py`) stand in for HTTP pages, an SSH banner, telnet and RTSP; the
//! plain hosts only answer ping.
//!
//! ```ignore
//! mod netns;
//! #[test]
//! fn finds_the_printer() {
//!     if !netns::require_root() { return; }
//!     let home = netns::TestHome::build();
//!     let out = home.scan_command(env!("CARGO_BIN_EXE_porchlight")).output().unwrap();
//!     // ... home.device("printer").ip, .mac, .services ...
//! }   // dropped: daemons killed, namespaces deleted
//! ```
//!
//! Teardown is `Drop`: every daemon's process group is killed, every process left in the home's
//! namespaces too, then the namespaces and the temporary folder are removed. Namespaces are named
//! `plt<pid>h<n>-<device>`; building a home first removes those of processes that no longer run
//! (an earlier run that crashed or was killed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
#![allow(dead_code)] // each test file uses its own part of the harness

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt as _;

pub mod hostile;
pub mod sshd;
pub mod upnp;

/// Namespace names of every home start with this, then the owning process id.
pub const PREFIX: &str = "plt";

/// The scanner's interface inside its namespace.
pub const SCANNER_IFACE: &str = "scan0";

/// The scanner's hardware address.
pub const SCANNER_MAC: &str = "02:70:6c:00:00:02";

/// The router's "external" address, on a veth pair inside the router's own namespace (TEST-NET-2;
/// nothing is ever sent there from outside that namespace).
pub const ROUTER_WAN_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// How long a daemon may take to be ready.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The responder script run by the Python stand-ins.
const RESPONDERS_PY: &str = include_str!("responders.py");

/// The probe script the harness test runs in the scanner namespace.
pub const PROBE_PY: &str = include_str!("probe.py");

/// A TCP service a Python responder stands in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// TCP port.
    pub port: u16,
    /// `http`, `telnet`, `rtsp`, `ssh` or `silent` (accepts, says nothing).
    pub kind: &'static str,
    /// HTTP/RTSP `Server:` header, SSH banner line, or telnet greeting.
    pub banner: &'static str,
    /// HTTP page title.
    pub title: &'static str,
}

impl Listener {
    pub const fn new(
        port: u16,
        kind: &'static str,
        banner: &'static str,
        title: &'static str,
    ) -> Self {
        Self {
            port,
            kind,
            banner,
            title,
        }
    }
}

/// A service a device's avahi-daemon advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnsService {
    /// Instance name ("Office Printer").
    pub instance: &'static str,
    /// Service type ("_ipp._tcp").
    pub service_type: &'static str,
    /// Port in the SRV record.
    pub port: u16,
    /// TXT record, key and value.
    pub txt: Vec<(&'static str, &'static str)>,
}

impl MdnsService {
    /// The TXT value of `key`.
    pub fn txt(&self, key: &str) -> Option<&'static str> {
        self.txt.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// What miniupnpd says about the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upnp {
    /// Root device type of the description.
    pub device_type: &'static str,
    /// Friendly name.
    pub friendly_name: &'static str,
    /// Manufacturer.
    pub manufacturer: &'static str,
    /// Model name.
    pub model_name: &'static str,
    /// Model number.
    pub model_number: &'static str,
    /// Serial number.
    pub serial: &'static str,
    /// UUID (the UDN is `uuid:` and this).
    pub uuid: &'static str,
    /// Port of its HTTP server (description at `/rootDesc.xml`).
    pub http_port: u16,
}

impl Upnp {
    /// Where the root description is, on `ip`.
    pub fn location(&self, ip: Ipv4Addr) -> String {
        format!("http://{ip}:{}/rootDesc.xml", self.http_port)
    }
}

/// One simulated device.
#[derive(Debug, Clone)]
pub struct Device {
    /// Short role name, also the end of its namespace's name ("router", "printer", ...).
    pub name: &'static str,
    /// Its namespace.
    pub ns: String,
    /// Its address.
    pub ip: Ipv4Addr,
    /// Further addresses on the same interface (one box on several addresses), or with
    /// `own_macs` each on a macvlan interface of its own (the crowd).
    pub extra_ips: Vec<Ipv4Addr>,
    /// Each further address has a hardware address of its own (`02:70:6c:01:00:NN`, NN the
    /// address's last byte), so each is a device of its own.
    pub own_macs: bool,
    /// Hardware address, lower case with colons.
    pub mac: &'static str,
    /// mDNS host name (without `.local`), when it runs avahi.
    pub hostname: Option<&'static str>,
    /// What its avahi-daemon advertises.
    pub services: Vec<MdnsService>,
    /// Python stand-ins for its TCP services.
    pub listeners: Vec<Listener>,
    /// miniupnpd, on the router.
    pub upnp: Option<Upnp>,
    /// mosquitto on 1883.
    pub mqtt: bool,
}

impl Device {
    pub fn plain(name: &'static str, ip: Ipv4Addr, mac: &'static str) -> Self {
        Self {
            name,
            ns: String::new(),
            ip,
            extra_ips: Vec::new(),
            own_macs: false,
            mac,
            hostname: None,
            services: Vec::new(),
            listeners: Vec::new(),
            upnp: None,
            mqtt: false,
        }
    }

    /// Every TCP port something listens on, sorted.
    pub fn tcp_ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.listeners.iter().map(|l| l.port).collect();
        if self.mqtt {
            ports.push(1883);
        }
        if let Some(u) = &self.upnp {
            ports.push(u.http_port);
        }
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// Its address and the extra ones.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        std::iter::once(self.ip)
            .chain(self.extra_ips.iter().copied())
            .collect()
    }

    /// The mDNS service of `service_type`.
    pub fn service(&self, service_type: &str) -> Option<&MdnsService> {
        self.services
            .iter()
            .find(|s| s.service_type == service_type)
    }

    /// The listener on `port`.
    pub fn listener(&self, port: u16) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.port == port)
    }
}

/// A guest tablet that is not in the standard home: for tests where a host joins (build the home
/// with it, take it off with [`TestHome::set_link`], bring it back). It announces itself over
/// mDNS and serves a web page.
pub fn newcomer(net: u8) -> Device {
    Device {
        hostname: Some("guest-tablet"),
        services: vec![MdnsService {
            instance: "Guest Tablet",
            service_type: "_http._tcp",
            port: 80,
            txt: vec![],
        }],
        listeners: vec![Listener::new(80, "http", "lighttpd/1.4", "Guest Tablet")],
        ..Device::plain("guest", Ipv4Addr::new(10, 77, net, 40), "00:0c:29:00:00:28")
    }
}

/// The devices of the standard home on `10.77.<net>.0/24`: eleven live hosts besides the
/// scanner. MAC prefixes are real vendors' (so vendor lookup can be tested), except the phone's,
/// which is a randomised (locally administered) one.
pub fn standard_devices(net: u8) -> Vec<Device> {
    let ip = |host: u8| Ipv4Addr::new(10, 77, net, host);
    let router = Device {
        listeners: vec![Listener::new(80, "http", "httpd", "TL-WR841N Admin")],
        upnp: Some(Upnp {
            device_type: "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
            friendly_name: "Porchlight Test Router",
            manufacturer: "Porchlight Labs",
            model_name: "TestGate 1000",
            model_number: "TG-1000",
            serial: "PL0001",
            uuid: "3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b",
            http_port: 5000,
        }),
        ..Device::plain("router", ip(1), "50:c7:bf:00:00:01")
    };
    let mqtt = Device {
        mqtt: true,
        ..Device::plain("mqtt", ip(10), "dc:a6:32:00:00:0a")
    };
    let printer = Device {
        hostname: Some("office-printer"),
        services: vec![
            MdnsService {
                instance: "Office Printer",
                service_type: "_ipp._tcp",
                port: 631,
                txt: vec![
                    ("txtvers", "1"),
                    ("ty", "Brother HL-L2350DW series"),
                    ("adminurl", "http://office-printer.local/"),
                    ("rp", "ipp/print"),
                    ("product", "(Brother HL-L2350DW series)"),
                ],
            },
            MdnsService {
                instance: "Office Printer",
                service_type: "_printer._tcp",
                port: 515,
                txt: vec![("ty", "Brother HL-L2350DW series"), ("rp", "BINARY_P1")],
            },
            MdnsService {
                instance: "Office Printer",
                service_type: "_http._tcp",
                port: 80,
                txt: vec![],
            },
        ],
        listeners: vec![
            Listener::new(80, "http", "debut/1.30", "Brother HL-L2350DW series"),
            Listener::new(631, "http", "CUPS/2.4 IPP/2.0", "IPP"),
            Listener::new(515, "silent", "", ""),
        ],
        ..Device::plain("printer", ip(11), "00:80:77:00:00:0b")
    };
    let speaker = Device {
        hostname: Some("kitchen-speaker"),
        services: vec![MdnsService {
            instance: "Google-Nest-Mini-5f2a1c0e",
            service_type: "_googlecast._tcp",
            port: 8009,
            txt: vec![
                ("id", "5f2a1c0e9b7d4e3f8a6c2d1b0e9f8a7c"),
                ("md", "Google Nest Mini"),
                ("fn", "Kitchen speaker"),
                ("ve", "05"),
                ("ca", "199172"),
                ("st", "0"),
            ],
        }],
        listeners: vec![
            Listener::new(8008, "http", "", "Cast"),
            Listener::new(8009, "silent", "", ""),
        ],
        ..Device::plain("speaker", ip(12), "f4:f5:d8:00:00:0c")
    };
    let nas = Device {
        hostname: Some("nas"),
        services: vec![MdnsService {
            instance: "Family NAS",
            service_type: "_smb._tcp",
            port: 445,
            txt: vec![],
        }],
        listeners: vec![
            Listener::new(22, "ssh", "SSH-2.0-OpenSSH_8.2p1", ""),
            Listener::new(445, "silent", "", ""),
            Listener::new(5000, "http", "nginx", "Synology DiskStation"),
        ],
        ..Device::plain("nas", ip(13), "00:11:32:00:00:0d")
    };
    let camera = Device {
        listeners: vec![
            Listener::new(23, "telnet", "IPCAM login", ""),
            Listener::new(554, "rtsp", "Hikvision RTSP Server", ""),
            Listener::new(80, "http", "App-webs/", "Web Client"),
        ],
        ..Device::plain("camera", ip(14), "44:19:b6:00:00:0e")
    };
    // A second camera done right: its stream asks for a password and telnet is off.
    let doorcam = Device {
        listeners: vec![
            Listener::new(554, "rtsp", "Hikvision RTSP Server", ""),
            Listener::new(80, "http", "App-webs/", "Web Client"),
        ],
        ..Device::plain("doorcam", ip(15), "44:19:b6:00:00:0f")
    };
    vec![
        router,
        mqtt,
        printer,
        speaker,
        nas,
        camera,
        doorcam,
        Device::plain("plug", ip(20), "24:0a:c4:00:00:14"),
        Device::plain("tv", ip(21), "8c:79:f5:00:00:15"),
        Device::plain("laptop", ip(22), "0c:8b:fd:00:00:16"),
        Device::plain("phone", ip(23), "3a:6d:7c:00:00:17"),
        Device::plain("tablet", ip(24), "f0:b4:79:00:00:18"),
    ]
}

/// The devices of a crowd home: a plain router at `.1` and one namespace holding `crowd`
/// addresses from `.3` on (at most 252, so up to `.254`).
pub fn crowd_devices(net: u8, crowd: u8) -> Vec<Device> {
    let crowd = crowd.clamp(1, 252);
    let ip = |host: u8| Ipv4Addr::new(10, 77, net, host);
    let mut many = Device::plain("crowd", ip(3), "02:70:6c:00:00:fe");
    many.extra_ips = (4..3 + crowd).map(ip).collect();
    many.own_macs = true;
    vec![Device::plain("router", ip(1), "50:c7:bf:00:00:01"), many]
}

/// Paths of the external tools the homes use.
#[derive(Debug)]
struct Tools {
    ip: PathBuf,
    python: PathBuf,
    avahi: PathBuf,
    miniupnpd: PathBuf,
    mosquitto: PathBuf,
    nft: PathBuf,
}

fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
}

fn tools() -> Result<&'static Tools, String> {
    static TOOLS: OnceLock<Result<Tools, String>> = OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let mut missing = Vec::new();
            let mut get = |name: &str, package: &str| {
                find_tool(name).unwrap_or_else(|| {
                    missing.push(package.to_string());
                    PathBuf::new()
                })
            };
            let python = if Path::new("/usr/bin/python3").is_file() {
                PathBuf::from("/usr/bin/python3")
            } else {
                get("python3", "python3")
            };
            let tools = Tools {
                ip: get("ip", "iproute2"),
                python,
                avahi: get("avahi-daemon", "avahi-daemon"),
                miniupnpd: get("miniupnpd", "miniupnpd-nftables"),
                mosquitto: get("mosquitto", "mosquitto"),
                nft: get("nft", "nftables"),
            };
            for (tool, package) in [("ping", "iputils-ping"), ("nc", "netcat-openbsd")] {
                get(tool, package);
            }
            if missing.is_empty() {
                Ok(tools)
            } else {
                Err(format!(
                    "missing packages: apt-get install {}",
                    missing.join(" ")
                ))
            }
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Why the homes cannot be built here, or None when they can.
fn unavailable() -> Option<String> {
    if !running_as_root() {
        return Some("not running as root".into());
    }
    let tools = match tools() {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    let probe = format!(
        "{PREFIX}{}p{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let added = Command::new(&tools.ip)
        .args(["netns", "add", &probe])
        .stderr(Stdio::piped())
        .output();
    match added {
        Ok(out) if out.status.success() => {
            let _ = Command::new(&tools.ip)
                .args(["netns", "del", &probe])
                .output();
            None
        }
        Ok(out) => Some(format!(
            "`ip netns add` is not permitted: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run ip: {e}")),
    }
}

/// True when the test homes can be built here (root, the daemons installed, `ip netns add`
/// permitted). Otherwise prints why and returns false so the test can return early, except under
/// CI (`CI=true` or `CI=1`), where it panics: CI must run these tests.
pub fn require_root() -> bool {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    let Some(why) = WHY.get_or_init(unavailable) else {
        return true;
    };
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci {
        panic!("network-namespace tests cannot run under CI=true: {why}");
    }
    // The real reason: not root, a missing package by name, or namespaces not permitted.
    eprintln!("skipped: the network-namespace test home cannot be built here: {why}");
    false
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `ip -batch` on `lines` (in namespace `ns` when given), `-force` so that one failing line
/// does not stop the rest when `force`.
fn ip_batch(dir: &Path, ns: Option<&str>, lines: &str, force: bool) -> Output {
    static N: AtomicU32 = AtomicU32::new(0);
    let file = dir.join(format!("batch-{}.ip", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&file, lines).unwrap();
    let mut cmd = Command::new(&tools().unwrap().ip);
    if let Some(ns) = ns {
        cmd.args(["-n", ns]);
    }
    if force {
        cmd.arg("-force");
    }
    cmd.arg("-batch").arg(&file);
    if force {
        cmd.stdin(Stdio::null()).output().unwrap()
    } else {
        run(&mut cmd)
    }
}

/// Kills every process inside namespace `ns`.
fn kill_namespace_processes(ip: &Path, ns: &str) {
    for _ in 0..3 {
        let Ok(out) = Command::new(ip).args(["netns", "pids", ns]).output() else {
            return;
        };
        let pids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if pids.is_empty() {
            return;
        }
        let _ = Command::new("kill").arg("-KILL").args(&pids).output();
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Removes the namespaces (and what runs in them) of earlier processes that no longer run: an
/// earlier test run that crashed or was killed before its homes were dropped. Homes of processes
/// still running (tests in parallel) are left alone.
pub fn sweep_stale() {
    let Ok(tools) = tools() else { return };
    let Ok(out) = Command::new(&tools.ip).args(["netns", "list"]).output() else {
        return;
    };
    let own = std::process::id();
    let mut stale = String::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = owner_pid(name) else {
            continue;
        };
        if process_runs(pid, own) {
            continue;
        }
        kill_namespace_processes(&tools.ip, name);
        let _ = writeln!(stale, "netns del {name}");
    }
    if !stale.is_empty() {
        let dir = tempfile::tempdir().unwrap();
        ip_batch(dir.path(), None, &stale, true);
    }
    // Their temporary folders (`plt<pid>h<n>-XXXXXX`).
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        let home_dir = name[PREFIX.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        if home_dir.starts_with('h') && home_dir.contains('-') && !process_runs(pid, own) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The process id in a name `plt<pid>...`.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// True when `pid` is this process or one that still runs.
fn process_runs(pid: u32, own: u32) -> bool {
    pid == own || Path::new(&format!("/proc/{pid}")).exists()
}

/// A running simulated home. Dropping it tears everything down.
#[derive(Debug)]
pub struct TestHome {
    /// The start of every namespace name of this home (`plt<pid>h<n>`).
    pub tag: String,
    /// Third octet of the home's /24 (`10.77.<net>.0/24`).
    pub net: u8,
    /// The scanner's namespace: run porchlight there.
    pub scanner_ns: String,
    /// The scanner's interface there ([`SCANNER_IFACE`]).
    pub scanner_iface: &'static str,
    /// The scanner's address (`.2`).
    pub scanner_ip: Ipv4Addr,
    /// The scanner's MAC ([`SCANNER_MAC`]).
    pub scanner_mac: &'static str,
    /// Every device, the router first.
    pub devices: Vec<Device>,
    hub_ns: String,
    namespaces: Vec<String>,
    children: Vec<(String, Child)>,
    dir: tempfile::TempDir,
}

impl TestHome {
    /// Builds the standard home ([`standard_devices`]) and waits until every daemon is ready.
    /// Call [`require_root`] first.
    pub fn build() -> TestHome {
        Self::build_with(standard_devices)
    }

    /// Builds a home whose `crowd` namespace holds `crowd` live addresses from `.3` on, with a
    /// plain router at `.1`: the ping-sweep figure without hundreds of namespaces.
    pub fn crowd(crowd: u8) -> TestHome {
        Self::build_with(|net| crowd_devices(net, crowd))
    }

    /// Builds a home of the devices `devices(net)` gives for the home's third octet.
    pub fn build_with(devices: impl FnOnce(u8) -> Vec<Device>) -> TestHome {
        static SWEEP: OnceLock<()> = OnceLock::new();
        SWEEP.get_or_init(sweep_stale);
        let pid = std::process::id();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{PREFIX}{pid}h{n}");
        // Different homes of one process get different subnets (they could share one: the homes
        // are not connected, but distinct subnets make logs and failures easier to read).
        let net = u8::try_from(20 + (pid as usize % 200 + n as usize) % 200).unwrap();
        let dir = tempfile::Builder::new()
            .prefix(&format!("{tag}-"))
            .tempdir()
            .unwrap();
        let mut devices = devices(net);
        for d in &mut devices {
            d.ns = format!("{tag}-{}", d.name);
        }
        let mut home = TestHome {
            scanner_ns: format!("{tag}-scan"),
            hub_ns: format!("{tag}-hub"),
            tag,
            net,
            scanner_iface: SCANNER_IFACE,
            scanner_ip: Ipv4Addr::new(10, 77, net, 2),
            scanner_mac: SCANNER_MAC,
            devices,
            namespaces: Vec::new(),
            children: Vec::new(),
            dir,
        };
        let started = Instant::now();
        home.create_network();
        let network = started.elapsed();
        home.start_daemons();
        home.wait_until_ready();
        eprintln!(
            "test home {} on {}: network in {:.2} s, daemons ready in {:.2} s",
            home.tag,
            home.subnet(),
            network.as_secs_f64(),
            (started.elapsed() - network).as_secs_f64()
        );
        home
    }

    /// The home's subnet, `10.77.<net>.0/24`.
    pub fn subnet(&self) -> String {
        format!("10.77.{}.0/24", self.net)
    }

    /// The default gateway of the scanner: the router's address.
    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, self.net, 1)
    }

    /// The device named `name`. Panics when there is none.
    pub fn device(&self, name: &str) -> &Device {
        self.devices
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("the test home has no device named {name}"))
    }

    /// Every address that answers, besides the scanner's own, sorted.
    pub fn live_hosts(&self) -> Vec<Ipv4Addr> {
        let mut all: Vec<Ipv4Addr> = self.devices.iter().flat_map(Device::addresses).collect();
        all.sort_unstable();
        all
    }

    /// Takes device `name` off the home's network (`up` false: its cable is pulled at the hub, and
    /// the scanner forgets its hardware address) or puts it back.
    pub fn set_link(&self, name: &str, up: bool) {
        let d = self.device(name);
        let state = if up { "up" } else { "down" };
        let hub_end = format!("v{}", d.ip.octets()[3]);
        run(self
            .in_ns(&self.hub_ns, "ip")
            .args(["link", "set", &hub_end, state]));
        if !up {
            // "Nothing to flush" is fine.
            let _ = self
                .in_scanner("ip")
                .args(["neigh", "flush", "to", &d.ip.to_string()])
                .args(["dev", self.scanner_iface])
                .stdin(Stdio::null())
                .output();
        }
    }

    /// Makes the home's switch lossy: from now on it drops `percent` of the frames it forwards,
    /// at random and in each direction (an nftables `numgen random` rule on the bridge, in the
    /// hub's own namespace), as Wi-Fi loses frames. 0 takes the rule away.
    pub fn set_loss(&self, percent: u8) {
        assert!(percent < 100, "a switch that drops everything is no home");
        // Replacing the table whole keeps one rule, whatever was set before.
        let mut rules =
            String::from("table bridge porchlight_loss\ndelete table bridge porchlight_loss\n");
        if percent > 0 {
            rules.push_str(&format!(
                "table bridge porchlight_loss {{\n  chain forward {{\n    type filter hook forward priority -10;\n    numgen random mod 100 < {percent} drop\n  }}\n}}\n"
            ));
        }
        let file = self.dir.path().join("loss.nft");
        std::fs::write(&file, rules).unwrap();
        run(self
            .in_ns(&self.hub_ns, &tools().unwrap().nft)
            .arg("-f")
            .arg(&file));
    }

    /// The hub's namespace (the switch).
    pub fn hub_ns(&self) -> &str {
        &self.hub_ns
    }

    /// The home's temporary folder (configs and daemon logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A command that runs `program` inside the scanner's namespace.
    pub fn in_scanner(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        self.in_ns(&self.scanner_ns, program)
    }

    /// A command that runs `program` inside namespace `ns`.
    pub fn in_ns(&self, ns: &str, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(&tools().unwrap().ip);
        cmd.args(["netns", "exec", ns]).arg(program);
        cmd
    }

    /// `porchlight scan --json --interface scan0` inside the scanner's namespace, with a data
    /// folder of its own in the home's temporary folder. `porchlight` is the binary's path
    /// (`env!("CARGO_BIN_EXE_porchlight")`).
    pub fn scan_command(&self, porchlight: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.in_scanner(porchlight);
        cmd.arg("--data-dir")
            .arg(self.dir.path().join("porchlight-data"))
            .args(["scan", "--json", "--interface", self.scanner_iface]);
        cmd
    }

    /// Runs [`Self::scan_command`] with `extra` arguments (killed after 120 s), asserts it
    /// succeeded, and returns its JSON and standard error.
    pub fn scan_json(
        &self,
        porchlight: impl AsRef<std::ffi::OsStr>,
        extra: &[&str],
    ) -> (serde_json::Value, String) {
        let mut child = self
            .scan_command(porchlight)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read both pipes while it runs: a scan of hundreds of devices prints more JSON than a
        // pipe holds, and would wait for the reader forever.
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = child.wait().unwrap();
        let stdout = stdout.join().unwrap();
        let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
        assert!(status.success(), "scan failed ({status}): {stderr}");
        let json = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
            panic!(
                "scan printed no JSON ({e}): {}\n{stderr}",
                String::from_utf8_lossy(&stdout)
            )
        });
        (json, stderr)
    }

    /// Runs the probe script (`probe.py`) in the scanner's namespace and parses what it prints.
    pub fn probe(&self, args: &[&str]) -> serde_json::Value {
        let script = self.dir.path().join("probe.py");
        if !script.exists() {
            std::fs::write(&script, PROBE_PY).unwrap();
        }
        let out = run(self
            .in_scanner(&tools().unwrap().python)
            .arg(&script)
            .args(args));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "probe {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// The log (stdout and stderr) of the daemon `what` of device `device`
    /// (`what`: avahi, miniupnpd, mosquitto, responders).
    pub fn log(&self, device: &str, what: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(device).join(format!("{what}.log")))
            .unwrap_or_default()
    }

    /// Every daemon log, for a failure message.
    pub fn all_logs(&self) -> String {
        let mut all = String::new();
        for (label, _) in &self.children {
            let (device, what) = label.split_once('/').unwrap_or((label, ""));
            let _ = writeln!(all, "--- {label}\n{}", self.log(device, what));
        }
        all
    }

    /// A shell-sourceable description of the home (for scripts): `NAME_VAR=value` lines with
    /// `prefix` before each variable name.
    pub fn shell_vars(&self, prefix: &str) -> String {
        let hosts: Vec<String> = self.live_hosts().iter().map(Ipv4Addr::to_string).collect();
        let mut s = String::new();
        let mut var = |k: &str, v: &str| {
            let _ = writeln!(s, "{prefix}{k}='{v}'");
        };
        var("SCANNER_NS", &self.scanner_ns);
        var("IFACE", self.scanner_iface);
        var("SCANNER_IP", &self.scanner_ip.to_string());
        var("SUBNET", &self.subnet());
        var("GATEWAY", &self.gateway().to_string());
        var("LIVE_HOSTS", &hosts.join(" "));
        var("LIVE_COUNT", &hosts.len().to_string());
        var("DIR", &self.dir.path().display().to_string());
        s
    }

    fn create_network(&mut self) {
        let dir = self.dir.path().to_path_buf();
        // Namespaces.
        let mut all = vec![self.hub_ns.clone(), self.scanner_ns.clone()];
        all.extend(self.devices.iter().map(|d| d.ns.clone()));
        let mut batch = String::new();
        for ns in &all {
            let _ = writeln!(batch, "netns add {ns}");
            // Recorded before they exist, so that Drop removes whatever was made.
            self.namespaces.push(ns.clone());
        }
        ip_batch(&dir, None, &batch, false);

        // The hub: a bridge that floods multicast, and one veth per host.
        let mut hub = String::from(
            "link set lo up\n\
             link add br0 type bridge mcast_snooping 0\n\
             link set br0 multicast on\n\
             link set br0 up\n",
        );
        let mut ports: Vec<(String, &str, &str)> = vec![(
            "v2".to_string(),
            self.scanner_ns.as_str(),
            self.scanner_iface,
        )];
        for d in &self.devices {
            ports.push((format!("v{}", d.ip.octets()[3]), d.ns.as_str(), "eth0"));
        }
        for (hub_end, ns, name) in &ports {
            let _ = writeln!(
                hub,
                "link add {hub_end} type veth peer name {name} netns {ns}\n\
                 link set {hub_end} master br0\n\
                 link set {hub_end} up"
            );
        }
        ip_batch(&dir, Some(&self.hub_ns), &hub, false);

        // Each host: lo, MAC, address, routes, sysctls.
        let gw = self.gateway();
        let quiet_v6 =
            "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1";
        let scanner = format!(
            "set -e\n\
             ip link set lo up\n\
             ip link set {iface} address {mac}\n\
             ip addr add {ip}/24 dev {iface}\n\
             ip link set {iface} up\n\
             ip route add default via {gw}\n\
             {quiet_v6}\n\
             sysctl -qw net.ipv4.ping_group_range='0 2147483647'\n",
            iface = self.scanner_iface,
            mac = self.scanner_mac,
            ip = self.scanner_ip,
        );
        run(self.in_scanner("sh").args(["-c", &scanner]));
        for d in &self.devices {
            let mut script = format!(
                "set -e\n\
                 ip link set lo up\n\
                 ip link set eth0 address {mac}\n\
                 ip addr add {ip}/24 dev eth0\n\
                 ip link set eth0 up\n\
                 {quiet_v6}\n",
                mac = d.mac,
                ip = d.ip,
            );
            if d.ip == gw {
                // The router's "internet" side: a veth pair that stays inside its namespace.
                let _ = writeln!(
                    script,
                    "ip link add wan0 type veth peer name wan1\n\
                     ip addr add {ROUTER_WAN_IP}/24 dev wan0\n\
                     ip link set wan0 up\n\
                     ip link set wan1 up\n\
                     ip route add default via 198.51.100.1"
                );
            } else {
                let _ = writeln!(script, "ip route add default via {gw}");
            }
            if !d.extra_ips.is_empty() && !d.own_macs {
                let mut extra = String::new();
                for a in &d.extra_ips {
                    let _ = writeln!(extra, "addr add {a}/24 dev eth0");
                }
                let file = dir.join(format!("{}-addrs.ip", d.name));
                std::fs::write(&file, extra).unwrap();
                let _ = writeln!(script, "ip -batch {}", file.display());
            }
            if !d.extra_ips.is_empty() && d.own_macs {
                // One macvlan per address: each answers ARP for its own address only (arp_ignore)
                // with its own hardware address, as one device each does. Replies leave by eth0.
                let _ = writeln!(
                    script,
                    "sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2"
                );
                let mut extra = String::new();
                for (n, a) in d.extra_ips.iter().enumerate() {
                    let last = a.octets()[3];
                    let _ = writeln!(
                        extra,
                        "link add mv{n} link eth0 type macvlan mode bridge\n\
                         link set mv{n} address 02:70:6c:01:00:{last:02x}\n\
                         addr add {a}/32 dev mv{n}\n\
                         link set mv{n} up"
                    );
                }
                let file = dir.join(format!("{}-addrs.ip", d.name));
                std::fs::write(&file, extra).unwrap();
                let _ = writeln!(script, "ip -batch {}", file.display());
            }
            run(self.in_ns(&d.ns, "sh").args(["-c", &script]));
        }
    }

    fn spawn(&mut self, device: &str, what: &str, ns: &str, program: &Path, args: &[&str]) {
        let log_path = self.dir.path().join(device).join(format!("{what}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut cmd = self.in_ns(ns, program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Its own process group, killed whole on drop.
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what} for {device}: {e}"));
        self.children.push((format!("{device}/{what}"), child));
    }

    fn start_daemons(&mut self) {
        let tools = tools().unwrap();
        let devices = self.devices.clone();
        for d in &devices {
            let dir = self.dir.path().join(d.name);
            std::fs::create_dir_all(&dir).unwrap();
            if let Some(u) = &d.upnp {
                let conf = dir.join("miniupnpd.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "ext_ifname=wan0\n\
                         listening_ip=eth0\n\
                         port={port}\n\
                         enable_natpmp=no\n\
                         enable_upnp=yes\n\
                         secure_mode=yes\n\
                         system_uptime=no\n\
                         notify_interval=30\n\
                         clean_ruleset_interval=600\n\
                         lease_file={lease}\n\
                         uuid={uuid}\n\
                         serial={serial}\n\
                         friendly_name={friendly}\n\
                         manufacturer_name={manufacturer}\n\
                         model_name={model}\n\
                         model_number={number}\n\
                         presentation_url=http://{ip}/\n\
                         allow 1024-65535 10.77.{net}.0/24 1024-65535\n\
                         deny 0-65535 0.0.0.0/0 0-65535\n",
                        port = u.http_port,
                        lease = dir.join("upnp.leases").display(),
                        uuid = u.uuid,
                        serial = u.serial,
                        friendly = u.friendly_name,
                        manufacturer = u.manufacturer,
                        model = u.model_name,
                        number = u.model_number,
                        ip = d.ip,
                        net = self.net,
                    ),
                )
                .unwrap();
                let conf = conf.display().to_string();
                let pid = dir.join("miniupnpd.pid").display().to_string();
                self.spawn(
                    d.name,
                    "miniupnpd",
                    &d.ns,
                    &tools.miniupnpd,
                    &["-f", &conf, "-d", "-P", &pid],
                );
            }
            if d.mqtt {
                let conf = dir.join("mosquitto.conf");
                std::fs::write(
                    &conf,
                    "listener 1883 0.0.0.0\n\
                     allow_anonymous true\n\
                     persistence false\n\
                     log_dest stderr\n\
                     user root\n",
                )
                .unwrap();
                let conf = conf.display().to_string();
                self.spawn(d.name, "mosquitto", &d.ns, &tools.mosquitto, &["-c", &conf]);
            }
            if let Some(host) = d.hostname {
                let avahi = dir.join("avahi");
                write_avahi_config(&avahi, host, &d.services);
                // avahi-daemon reads /etc/avahi/services and keeps its pid file and socket in
                // /run/avahi-daemon, neither of which can be moved. `ip netns exec` runs the
                // command in a mount namespace of its own (a slave of the machine's), so mounts
                // made there are this instance's alone: a tmpfs over /run and its own folder
                // bind-mounted over /etc/avahi.
                let script = format!(
                    "set -e\n\
                     mount -t tmpfs -o size=1m,mode=0755 porchlight-test /run\n\
                     mkdir -p /run/avahi-daemon\n\
                     mount --bind '{avahi}' /etc/avahi\n\
                     exec '{daemon}' --no-drop-root --no-chroot --no-rlimits --no-proc-title \
                     -f /etc/avahi/avahi-daemon.conf",
                    avahi = avahi.display(),
                    daemon = tools.avahi.display(),
                );
                self.spawn(d.name, "avahi", &d.ns, Path::new("sh"), &["-c", &script]);
            }
            if !d.listeners.is_empty() {
                let script = self.dir.path().join("responders.py");
                if !script.exists() {
                    std::fs::write(&script, RESPONDERS_PY).unwrap();
                }
                let spec: Vec<serde_json::Value> = d
                    .listeners
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "port": l.port, "kind": l.kind, "banner": l.banner, "title": l.title
                        })
                    })
                    .collect();
                let spec = serde_json::Value::Array(spec).to_string();
                let script = script.display().to_string();
                self.spawn(
                    d.name,
                    "responders",
                    &d.ns,
                    &tools.python,
                    &["-u", &script, &spec],
                );
            }
        }
    }

    /// Panics with the logs when a daemon has exited.
    fn check_alive(&mut self) {
        let mut dead = Vec::new();
        for (label, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                dead.push(format!("{label} exited ({status})"));
            }
        }
        if !dead.is_empty() {
            panic!(
                "test home {}: {}\n{}",
                self.tag,
                dead.join(", "),
                self.all_logs()
            );
        }
    }

    /// Sockets listening in `ns`: (tcp ports, udp ports).
    fn listening(&self, ns: &str) -> (Vec<u16>, Vec<u16>) {
        let out = self.in_ns(ns, "ss").args(["-Hlntu"]).output().unwrap();
        let mut tcp = Vec::new();
        let mut udp = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(proto), Some(local)) = (fields.first(), fields.get(4)) else {
                continue;
            };
            let Some(port) = local.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()) else {
                continue;
            };
            match *proto {
                "tcp" => tcp.push(port),
                "udp" => udp.push(port),
                _ => {}
            }
        }
        (tcp, udp)
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        let devices = self.devices.clone();
        for d in &devices {
            let want_tcp = d.tcp_ports();
            let mut want_udp = Vec::new();
            if d.upnp.is_some() {
                want_udp.push(1900);
            }
            if d.hostname.is_some() {
                want_udp.push(5353);
            }
            loop {
                self.check_alive();
                let (tcp, udp) = if want_tcp.is_empty() && want_udp.is_empty() {
                    (Vec::new(), Vec::new())
                } else {
                    self.listening(&d.ns)
                };
                let sockets = want_tcp.iter().all(|p| tcp.contains(p))
                    && want_udp.iter().all(|p| udp.contains(p));
                // avahi has announced every service once it says each was established.
                let announced = d.hostname.is_none()
                    || self
                        .log(d.name, "avahi")
                        .matches("successfully established")
                        .count()
                        >= d.services.len();
                if sockets && announced {
                    break;
                }
                if Instant::now() > deadline {
                    panic!(
                        "test home {}: {} not ready after {READY_TIMEOUT:?} (tcp {tcp:?} of \
                         {want_tcp:?}, udp {udp:?} of {want_udp:?}, avahi announced: {announced})\n{}",
                        self.tag,
                        d.name,
                        self.all_logs()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for TestHome {
    fn drop(&mut self) {
        let Ok(tools) = tools() else { return };
        // Every daemon's process group.
        let groups: Vec<String> = self
            .children
            .iter()
            .map(|(_, c)| format!("-{}", c.id()))
            .collect();
        if !groups.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg("--")
                .args(&groups)
                .stderr(Stdio::null())
                .output();
        }
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Anything else still running inside (a test's own commands), then the namespaces.
        let mut batch = String::new();
        for ns in &self.namespaces {
            kill_namespace_processes(&tools.ip, ns);
            let _ = writeln!(batch, "netns del {ns}");
        }
        if !batch.is_empty() {
            ip_batch(self.dir.path(), None, &batch, true);
        }
        // The temporary folder goes with `self.dir`.
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes an avahi configuration folder (avahi-daemon.conf and services/) to `dir`.
fn write_avahi_config(dir: &Path, host: &str, services: &[MdnsService]) {
    std::fs::create_dir_all(dir.join("services")).unwrap();
    std::fs::write(
        dir.join("avahi-daemon.conf"),
        format!(
            "[server]\n\
             host-name={host}\n\
             domain-name=local\n\
             use-ipv4=yes\n\
             use-ipv6=no\n\
             allow-interfaces=eth0\n\
             enable-dbus=no\n\
             ratelimit-interval-usec=1000000\n\
             ratelimit-burst=1000\n\
             [wide-area]\n\
             enable-wide-area=no\n\
             [publish]\n\
             publish-hinfo=no\n\
             publish-workstation=no\n\
             publish-aaaa-on-ipv4=no\n\
             [reflector]\n\
             enable-reflector=no\n\
             [rlimits]\n"
        ),
    )
    .unwrap();
    for (i, s) in services.iter().enumerate() {
        let mut xml = format!(
            "<?xml version=\"1.0\" standalone='no'?>\n\
             <!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n\
             <service-group>\n  <name>{}</name>\n  <service>\n    <type>{}</type>\n    \
             <port>{}</port>\n",
            xml_escape(s.instance),
            xml_escape(s.service_type),
            s.port
        );
        for (k, v) in &s.txt {
            let _ = writeln!(
                xml,
                "    <txt-record>{}={}</txt-record>",
                xml_escape(k),
                xml_escape(v)
            );
        }
        xml.push_str("  </service>\n</service-group>\n");
        std::fs::write(dir.join("services").join(format!("{i}.service")), xml).unwrap();
    }
}

/// The UPnP device stand-in (`ssdp_device.py`).
const SSDP_DEVICE_PY: &str = include_str!("ssdp_device.py");

impl TestHome {
    /// Starts a UPnP device stand-in in device `device`'s namespace: it answers SSDP searches
    /// (each with `flood` replies when `flood` > 1) and serves `description` (XML) on `port`.
    /// Returns once it listens on both ports.
    pub fn start_ssdp_device(&mut self, device: &str, port: u16, description: &str, flood: usize) {
        self.start_ssdp_device_as(device, port, description, flood, None);
    }

    /// [`Self::start_ssdp_device`] answering as a real device does: `real` is the JSON the
    /// stand-in takes (its SERVER header, the search targets it answers, its USN, and whether it
    /// answers only searches that name a target; see `ssdp_device.py`).
    pub fn start_ssdp_device_as(
        &mut self,
        device: &str,
        port: u16,
        description: &str,
        flood: usize,
        real: Option<&str>,
    ) {
        let d = self.device(device).clone();
        let dir = self.dir.path().join(d.name);
        std::fs::create_dir_all(&dir).unwrap();
        let xml = dir.join("ssdp-description.xml");
        std::fs::write(&xml, description).unwrap();
        let script = self.dir.path().join("ssdp_device.py");
        if !script.exists() {
            std::fs::write(&script, SSDP_DEVICE_PY).unwrap();
        }
        let python = tools().unwrap().python.clone();
        let args = [
            "-u".to_string(),
            script.display().to_string(),
            d.ip.to_string(),
            port.to_string(),
            xml.display().to_string(),
            flood.to_string(),
        ];
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Some(real) = real {
            args.push(real);
        }
        self.spawn(d.name, "ssdp", &d.ns, &python, &args);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            self.check_alive();
            let (tcp, udp) = self.listening(&d.ns);
            if tcp.contains(&port) && udp.contains(&1900) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{device}: SSDP stand-in not ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `script` with `sh -c` in namespace `ns`; panics with its output when it fails.
    pub fn sh(&self, ns: &str, script: &str) {
        run(self.in_ns(ns, "sh").args(["-c", script]));
    }
}
