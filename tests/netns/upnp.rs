//! The router's miniupnpd in a [`TestHome`], made to forward for real and switched between its
//! secure mode (a device may only add or remove forwards to itself) and the open mode many
//! routers ship with: for the tests that list and remove port mappings.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{ROUTER_WAN_IP, TestHome, find_tool};

/// The nftables chains miniupnpd (nftables back end) writes its rules into; the Debian package
/// leaves creating them to the administrator.
const MINIUPNPD_NFT: &str = "table inet filter {
    chain forward {
        type filter hook forward priority 0; policy accept;
        jump miniupnpd
    }
    chain miniupnpd {
    }
    chain prerouting {
        type nat hook prerouting priority -100; policy accept;
        jump prerouting_miniupnpd
    }
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        jump postrouting_miniupnpd
    }
    chain prerouting_miniupnpd {
    }
    chain postrouting_miniupnpd {
    }
}
";

/// An address outside miniupnpd's list of reserved ranges (it refuses to forward while its
/// external address is private or reserved). It only ever exists on the veth pair inside the
/// router's own namespace; nothing is sent to it.
const ROUTER_PUBLIC_WAN: &str = "198.51.101.2/24";

/// Runs `cmd` and returns whether it succeeded and what it printed (standard output, then error).
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `upnpc` (miniupnpc) and `nft`, or `None` after printing why (a panic under CI).
pub fn tools() -> Option<(PathBuf, PathBuf)> {
    let found = (find_tool("upnpc"), find_tool("nft"));
    if let (Some(upnpc), Some(nft)) = found {
        return Some((upnpc, nft));
    }
    let why = "skipped: the UPnP removal tests need upnpc (miniupnpc) and nft (nftables)";
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{why}, and CI must run them");
    }
    eprintln!("{why}");
    None
}

impl TestHome {
    /// Lets the router's miniupnpd forward: the nftables chains it writes into, and an external
    /// address it accepts. Waits until it says port forwarding is on.
    pub fn enable_upnp_forwarding(&self, nft: &PathBuf) {
        let router = self.device("router").ns.clone();
        let (has_table, _) = run(self
            .in_ns(&router, nft)
            .args(["list", "table", "inet", "filter"]));
        if !has_table {
            let rules = self.dir().join("miniupnpd.nft");
            std::fs::write(&rules, MINIUPNPD_NFT).unwrap();
            let (ok, out) = run(self.in_ns(&router, nft).arg("-f").arg(&rules));
            assert!(ok, "nft: {out}");
        }
        if self
            .log("router", "miniupnpd")
            .contains("Port forwarding is impossible")
        {
            let script = format!(
                "ip addr add {ROUTER_PUBLIC_WAN} dev wan0 && ip addr del {ROUTER_WAN_IP}/24 dev wan0"
            );
            let (ok, out) = run(self.in_ns(&router, "sh").args(["-c", &script]));
            assert!(ok, "wan address: {out}");
            self.wait_for_log("Port forwarding is enabled");
        }
    }

    fn wait_for_log(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.log("router", "miniupnpd").contains(text) {
            assert!(
                Instant::now() < deadline,
                "miniupnpd never said {text:?}:\n{}",
                self.all_logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Restarts the router's miniupnpd with its secure mode on or off (the harness starts it
    /// on), and waits until it answers again. Its leases file keeps the mappings.
    pub fn set_upnp_secure_mode(&mut self, on: bool) {
        let conf = self.dir().join("router").join("miniupnpd.conf");
        let text = std::fs::read_to_string(&conf).unwrap();
        let text = text
            .replace("secure_mode=yes", "secure_mode=X")
            .replace("secure_mode=no", "secure_mode=X")
            .replace(
                "secure_mode=X",
                if on {
                    "secure_mode=yes"
                } else {
                    "secure_mode=no"
                },
            );
        std::fs::write(&conf, text).unwrap();
        let at = self
            .children
            .iter()
            .position(|(name, _)| name == "router/miniupnpd")
            .expect("the router runs miniupnpd");
        let (_, mut child) = self.children.remove(at);
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = child.wait();
        let router = self.device("router").clone();
        let port = router.upnp.as_ref().unwrap().http_port;
        let conf = conf.display().to_string();
        let pid = self
            .dir()
            .join("router")
            .join("miniupnpd.pid")
            .display()
            .to_string();
        let miniupnpd = super::tools().unwrap().miniupnpd.clone();
        // A fresh log: the waits below read it.
        self.spawn(
            "router",
            "miniupnpd",
            &router.ns,
            &miniupnpd,
            &["-f", &conf, "-d", "-P", &pid],
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.listening(&router.ns).0.contains(&port) {
            assert!(
                Instant::now() < deadline,
                "miniupnpd did not come back:\n{}",
                self.all_logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Adds a mapping from inside namespace `ns` (miniupnpd's secure mode lets a device map
    /// ports only to itself) with `upnpc`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_mapping(
        &self,
        upnpc: &PathBuf,
        ns: &str,
        to: Ipv4Addr,
        internal: u16,
        external: u16,
        proto: &str,
        name: &str,
    ) {
        let router = self.device("router");
        let location = router.upnp.as_ref().unwrap().location(router.ip);
        let (ok, out) = run(self.in_ns(ns, upnpc).args([
            "-u",
            &location,
            "-e",
            name,
            "-a",
            &to.to_string(),
            &internal.to_string(),
            &external.to_string(),
            proto,
        ]));
        assert!(
            ok && out.contains("is redirected to internal"),
            "upnpc could not add the mapping: {out}\n{}",
            self.all_logs()
        );
    }

    /// The router's mappings as `upnpc -l` lists them from the scanner: (external port,
    /// protocol) each.
    pub fn listed_mappings(&self, upnpc: &PathBuf) -> Vec<(u16, String)> {
        let router = self.device("router");
        let location = router.upnp.as_ref().unwrap().location(router.ip);
        let (ok, out) = run(self.in_scanner(upnpc).args(["-u", &location, "-l"]));
        assert!(ok, "upnpc -l: {out}");
        // Lines such as ` 0 TCP 18554->10.77.3.14:8554 'Camera' '' 604789`.
        out.lines()
            .filter_map(|l| {
                let mut fields = l.split_whitespace();
                fields.next()?.parse::<u32>().ok()?;
                let proto = fields.next()?;
                let external = fields.next()?.split("->").next()?.parse().ok()?;
                Some((external, proto.to_string()))
            })
            .collect()
    }
}
