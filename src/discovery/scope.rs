//! What a scan may touch: the private IPv4 subnets of this machine's own interfaces, or the subnets
//! and interfaces the owner names. Anything public, or larger than a /22, is refused unless the
//! owner passes the flag that allows it, because a home scan has no business there.
//!
//! [`Scope::resolve`] is pure (it takes the interface list), so the rules are table-tested;
//! [`Scope::from_system`] reads the interfaces and calls it.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// The largest subnet scanned without `--allow-large`: a /22 (1,022 hosts).
pub const MAX_PREFIX_WITHOUT_FLAG: u8 = 22;

/// An IPv4 network: an address and a prefix length, with the host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Net {
    network: Ipv4Addr,
    prefix: u8,
}

impl Ipv4Net {
    /// The network holding `ip` with `prefix` bits.
    pub fn new(ip: Ipv4Addr, prefix: u8) -> Option<Self> {
        (prefix <= 32).then(|| Self {
            network: Ipv4Addr::from(u32::from(ip) & mask(prefix)),
            prefix,
        })
    }

    /// The network address.
    pub fn network(&self) -> Ipv4Addr {
        self.network
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// True when `ip` is inside.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & mask(self.prefix) == u32::from(self.network)
    }

    /// The number of host addresses a sweep visits.
    pub fn host_count(&self) -> u64 {
        match self.prefix {
            32 => 1,
            31 => 2,
            p => (1u64 << (32 - p)) - 2,
        }
    }

    /// The host addresses, without the network and broadcast addresses (for /31 and /32, all).
    pub fn hosts(&self) -> impl Iterator<Item = Ipv4Addr> + use<> {
        let base = u64::from(u32::from(self.network));
        let size = 1u64 << (32 - u32::from(self.prefix));
        let (first, last) = if self.prefix >= 31 {
            (base, base + size - 1)
        } else {
            (base + 1, base + size - 2)
        };
        (first..=last).filter_map(|n| u32::try_from(n).ok().map(Ipv4Addr::from))
    }

    /// True when every address is private (RFC 1918, link-local or carrier-grade NAT space).
    pub fn is_private(&self) -> bool {
        let last = Ipv4Addr::from(u32::from(self.network) | !mask(self.prefix));
        is_private(self.network) && is_private(last) && self.prefix >= 8
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl FromStr for Ipv4Net {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| ScopeError::BadSubnet {
            text: crate::sanitize::clean(s, 40),
            reason: reason.to_string(),
        };
        let (ip, prefix) = s
            .split_once('/')
            .ok_or_else(|| bad("write it as an address and a prefix, like 192.168.1.0/24"))?;
        let ip: Ipv4Addr = ip
            .trim()
            .parse()
            .map_err(|_| bad("the address is not an IPv4 address"))?;
        let prefix: u8 = prefix
            .trim()
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| bad("the prefix must be a number from 0 to 32"))?;
        Ipv4Net::new(ip, prefix).ok_or_else(|| bad("the prefix must be a number from 0 to 32"))
    }
}

/// True for addresses a home network uses: RFC 1918, link-local and carrier-grade NAT (100.64/10).
pub fn is_private(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b))
}

/// One subnet to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    /// The network.
    pub net: Ipv4Net,
    /// The interface it is reached through, when known.
    pub interface: Option<String>,
    /// This machine's address on it, when it has one (probes are sent from it and it is not swept).
    pub local: Option<Ipv4Addr>,
}

/// An interface as the scope rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Its name (`eth0`, `wlan0`).
    pub name: String,
    /// Its IPv4 address.
    pub ip: Ipv4Addr,
    /// Its prefix length.
    pub prefix: u8,
    /// Operationally up (or unknown, as virtual links often report).
    pub up: bool,
    /// Loopback.
    pub loopback: bool,
    /// Point-to-point (VPN tunnels).
    pub p2p: bool,
}

/// What the owner asked to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeOptions {
    /// Subnets given with `--subnet`.
    pub subnets: Vec<String>,
    /// Interfaces given with `--interface`.
    pub interfaces: Vec<String>,
    /// `--allow-public`: public ranges may be scanned.
    pub allow_public: bool,
    /// `--allow-large`: subnets larger than a /22 may be scanned.
    pub allow_large: bool,
}

/// Why a scope was refused, in one line for the owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// `--subnet` text that is not a subnet.
    #[error("--subnet {text:?} is not a subnet: {reason}")]
    BadSubnet {
        /// What was given.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A public range without `--allow-public`.
    #[error(
        "{net} is not a private home range; porchlight only scans networks you own. If this really is yours, add --allow-public"
    )]
    Public {
        /// The range.
        net: Ipv4Net,
    },
    /// Larger than a /22 without `--allow-large`.
    #[error(
        "{net} has {hosts} addresses, more than a home network (a /22 at most); name a smaller --subnet or add --allow-large"
    )]
    TooLarge {
        /// The range.
        net: Ipv4Net,
        /// Its host count.
        hosts: u64,
    },
    /// `--interface` naming nothing usable.
    #[error("there is no interface {name:?} with an IPv4 address (available: {available})")]
    NoSuchInterface {
        /// What was given.
        name: String,
        /// What exists.
        available: String,
    },
    /// Nothing to scan.
    #[error(
        "no usable network found: no interface is up with a private IPv4 address{skipped}. Connect to your home network, or name one with --interface or --subnet"
    )]
    NoUsableInterface {
        /// Which interfaces were passed over, and why.
        skipped: String,
    },
    /// The interfaces could not be read.
    #[error("could not list the network interfaces: {0}")]
    Interfaces(String),
}

/// Interface names of VPN tunnels and container or VM bridges, skipped unless named.
const VIRTUAL_PREFIXES: &[&str] = &[
    "docker",
    "br-",
    "veth",
    "virbr",
    "vnet",
    "lxc",
    "lxd",
    "cni",
    "flannel",
    "cali",
    "podman",
    "tun",
    "tap",
    "wg",
    "tailscale",
    "zt",
    "utun",
    "ppp",
    "vboxnet",
    "vmnet",
    // macOS: Internet Sharing and VM bridges (bridge100...), IPsec, tunnels, Apple's peer links.
    "bridge1",
    "ipsec",
    "gif",
    "stf",
    "awdl",
    "llw",
    "anpi",
    // Windows names interfaces by their friendly names: Hyper-V and WSL switches, VM adapters, VPNs.
    "vEthernet",
    "VirtualBox",
    "VMware",
    "Tailscale",
    "ZeroTier",
    "OpenVPN",
    "Bluetooth",
];

/// The subnets to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The subnets, each with its interface and local address where known.
    pub subnets: Vec<Subnet>,
    /// Notes for the owner about what was passed over or narrowed.
    pub notes: Vec<String>,
    /// This computer's own networks: those of its interfaces, as a scan without options would
    /// take them, whatever `--subnet` or `--interface` chose. The separate-network checks ask
    /// whether a device shares one of these (scanning an IoT network by `--subnet` does not put
    /// its devices beside this computer).
    pub computer_nets: Vec<Ipv4Net>,
}

impl Scope {
    /// Reads this machine's interfaces and applies [`Scope::resolve`].
    ///
    /// # Errors
    /// As [`Scope::resolve`], or [`ScopeError::Interfaces`] when the interfaces cannot be read.
    pub fn from_system(opts: &ScopeOptions) -> Result<Scope, ScopeError> {
        let interfaces = if_addrs::get_if_addrs()
            .map_err(|e| ScopeError::Interfaces(e.to_string()))?
            .into_iter()
            .filter_map(|i| match &i.addr {
                if_addrs::IfAddr::V4(v4) => Some(InterfaceInfo {
                    name: i.name.clone(),
                    ip: v4.ip,
                    prefix: v4.prefixlen,
                    up: !matches!(
                        i.oper_status,
                        if_addrs::IfOperStatus::Down
                            | if_addrs::IfOperStatus::LowerLayerDown
                            | if_addrs::IfOperStatus::NotPresent
                    ),
                    loopback: i.is_loopback(),
                    p2p: i.is_p2p(),
                }),
                if_addrs::IfAddr::V6(_) => None,
            })
            .collect::<Vec<_>>();
        Scope::resolve(opts, &interfaces)
    }

    /// Decides the subnets from the owner's options and the interfaces.
    ///
    /// - `--subnet` ranges are taken as given (after the public and size rules), each matched to
    ///   the interface that holds it, if any.
    /// - `--interface` names are taken even when they are tunnels or bridges (the owner asked).
    /// - With neither, every interface that is up, not loopback, not a tunnel or container bridge,
    ///   and has a private address is used. An interface network larger than a /22 is narrowed to
    ///   the /24 around this machine's address, and a note says so.
    ///
    /// # Errors
    /// A [`ScopeError`] naming the first problem.
    pub fn resolve(opts: &ScopeOptions, interfaces: &[InterfaceInfo]) -> Result<Scope, ScopeError> {
        let (subnets, notes) = Self::subnets_of(opts, interfaces)?;
        let computer_nets = Self::subnets_of(&ScopeOptions::default(), interfaces)
            .map(|(own, _)| own.iter().map(|s| s.net).collect())
            .unwrap_or_default();
        Ok(Scope {
            subnets,
            notes,
            computer_nets,
        })
    }

    /// The subnets `opts` chooses among `interfaces`, with the notes (see [`Scope::resolve`]).
    fn subnets_of(
        opts: &ScopeOptions,
        interfaces: &[InterfaceInfo],
    ) -> Result<(Vec<Subnet>, Vec<String>), ScopeError> {
        let mut notes = Vec::new();
        let mut chosen: Vec<&InterfaceInfo> = Vec::new();
        for name in &opts.interfaces {
            let found: Vec<&InterfaceInfo> =
                interfaces.iter().filter(|i| &i.name == name).collect();
            if found.is_empty() {
                let mut available: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
                available.dedup();
                return Err(ScopeError::NoSuchInterface {
                    name: crate::sanitize::clean(name, 40),
                    available: if available.is_empty() {
                        "none".into()
                    } else {
                        available.join(", ")
                    },
                });
            }
            chosen.extend(found);
        }

        let mut subnets = Vec::new();
        if !opts.subnets.is_empty() {
            for text in &opts.subnets {
                let net: Ipv4Net = text.parse()?;
                check(net, opts)?;
                let via = chosen
                    .iter()
                    .copied()
                    .chain(interfaces.iter())
                    .find(|i| net.contains(i.ip));
                push_unique(
                    &mut subnets,
                    Subnet {
                        net,
                        interface: via.map(|i| i.name.clone()),
                        local: via.map(|i| i.ip),
                    },
                );
            }
            return Ok((subnets, notes));
        }

        let named = !opts.interfaces.is_empty();
        let mut skipped = Vec::new();
        let candidates: Vec<&InterfaceInfo> = if named {
            chosen
        } else {
            interfaces.iter().collect()
        };
        for i in candidates {
            let why_not = if i.loopback {
                Some("loopback")
            } else if !named && !i.up {
                Some("down")
            } else if !named && (i.p2p || VIRTUAL_PREFIXES.iter().any(|p| i.name.starts_with(p))) {
                Some("a tunnel or virtual bridge")
            } else if !named && !is_private(i.ip) {
                Some("not a private address")
            } else {
                None
            };
            if let Some(reason) = why_not {
                skipped.push(format!("{} ({reason})", i.name));
                continue;
            }
            let Some(mut net) = Ipv4Net::new(i.ip, i.prefix) else {
                continue;
            };
            if named {
                check(net, opts)?;
            } else if net.prefix() < MAX_PREFIX_WITHOUT_FLAG && !opts.allow_large {
                let narrow = Ipv4Net::new(i.ip, 24).unwrap_or(net);
                notes.push(format!(
                    "{} is on {net}, larger than a home network; scanning only {narrow} around this machine (--subnet or --allow-large to change)",
                    i.name
                ));
                net = narrow;
            }
            push_unique(
                &mut subnets,
                Subnet {
                    net,
                    interface: Some(i.name.clone()),
                    local: Some(i.ip),
                },
            );
        }
        if subnets.is_empty() {
            let skipped = if skipped.is_empty() {
                String::new()
            } else {
                format!(" (passed over: {})", skipped.join(", "))
            };
            return Err(ScopeError::NoUsableInterface { skipped });
        }
        if !skipped.is_empty() && !named {
            notes.push(format!("passed over {}", skipped.join(", ")));
        }
        Ok((subnets, notes))
    }

    /// True when `ip` is inside one of the subnets.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        self.subnets.iter().any(|s| s.net.contains(ip))
    }

    /// This machine's own addresses on the scanned subnets.
    pub fn local_addresses(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.subnets.iter().filter_map(|s| s.local)
    }

    /// Every address a sweep visits, without this machine's own, deduplicated, in order.
    pub fn targets(&self) -> Vec<Ipv4Addr> {
        let locals: Vec<Ipv4Addr> = self.local_addresses().collect();
        let mut seen = std::collections::HashSet::new();
        self.subnets
            .iter()
            .flat_map(|s| s.net.hosts())
            .filter(|ip| !locals.contains(ip) && seen.insert(*ip))
            .collect()
    }

    /// The subnets as text, for notes and records ("192.168.1.0/24 on wlan0").
    pub fn describe(&self) -> String {
        self.subnets
            .iter()
            .map(|s| match &s.interface {
                Some(i) => format!("{} on {i}", s.net),
                None => s.net.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn check(net: Ipv4Net, opts: &ScopeOptions) -> Result<(), ScopeError> {
    if !net.is_private() && !opts.allow_public {
        return Err(ScopeError::Public { net });
    }
    if net.prefix() < MAX_PREFIX_WITHOUT_FLAG && !opts.allow_large {
        return Err(ScopeError::TooLarge {
            net,
            hosts: net.host_count(),
        });
    }
    Ok(())
}

fn push_unique(subnets: &mut Vec<Subnet>, subnet: Subnet) {
    if !subnets.iter().any(|s| s.net == subnet.net) {
        subnets.push(subnet);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn iface(name: &str, ip: &str, prefix: u8) -> InterfaceInfo {
        InterfaceInfo {
            name: name.into(),
            ip: ip.parse().unwrap(),
            prefix,
            up: true,
            loopback: ip.starts_with("127."),
            p2p: false,
        }
    }

    fn home() -> Vec<InterfaceInfo> {
        let mut down = iface("eth1", "192.168.50.7", 24);
        down.up = false;
        let mut vpn = iface("corpvpn", "10.8.0.6", 24);
        vpn.p2p = true;
        vec![
            iface("lo", "127.0.0.1", 8),
            iface("wlan0", "192.168.1.23", 24),
            down,
            vpn,
            iface("docker0", "172.17.0.1", 16),
            iface("wg0", "10.9.0.2", 24),
            iface("eth2", "203.0.113.5", 24),
        ]
    }

    #[test]
    fn this_computers_networks_are_its_interfaces_whatever_was_scanned() {
        let iot = ScopeOptions {
            subnets: vec!["192.168.30.0/24".into()],
            ..ScopeOptions::default()
        };
        let scope = Scope::resolve(&iot, &home()).unwrap();
        let scanned: Vec<String> = scope.subnets.iter().map(|s| s.net.to_string()).collect();
        assert_eq!(scanned, ["192.168.30.0/24"]);
        let own: Vec<String> = scope
            .computer_nets
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(own, ["192.168.1.0/24"], "the Wi-Fi this computer is on");
        // So a device on the scanned IoT network is not "on the same network as this computer".
        let ctx = crate::checks::Context {
            local_nets: scope.computer_nets.clone(),
            ..crate::checks::Context::default()
        };
        let camera = crate::checks::Target {
            category: crate::model::Category::Camera,
            ..crate::checks::Target::new(Ipv4Addr::new(192, 168, 30, 5))
        };
        let r = crate::checks::info::separate_network(&camera, &ctx);
        assert_eq!(r.verdict, crate::checks::Verdict::Pass, "{r:?}");
        // The same answer as a scan without options gives.
        let plain = Scope::resolve(&ScopeOptions::default(), &home()).unwrap();
        assert_eq!(plain.computer_nets, scope.computer_nets);
    }

    #[test]
    fn parses_and_normalises_cidr() {
        let net: Ipv4Net = "192.168.1.77/24".parse().unwrap();
        assert_eq!(net.to_string(), "192.168.1.0/24");
        assert_eq!(net.host_count(), 254);
        assert_eq!(net.hosts().count(), 254);
        assert_eq!(net.hosts().next(), Some(Ipv4Addr::new(192, 168, 1, 1)));
        assert_eq!(net.hosts().last(), Some(Ipv4Addr::new(192, 168, 1, 254)));
        let one: Ipv4Net = "10.0.0.5/32".parse().unwrap();
        assert_eq!(
            one.hosts().collect::<Vec<_>>(),
            vec![Ipv4Addr::new(10, 0, 0, 5)]
        );
        for bad in [
            "192.168.1.0",
            "192.168.1.0/33",
            "nonsense/24",
            "1.2.3/24",
            "10.0.0.0/x",
        ] {
            let e = bad.parse::<Ipv4Net>().unwrap_err();
            assert!(e.to_string().starts_with("--subnet"), "{e}");
        }
    }

    #[test]
    fn private_ranges() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.1",
            "169.254.3.3",
            "100.64.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "203.0.113.5"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
        assert!(!"10.0.0.0/7".parse::<Ipv4Net>().unwrap().is_private());
    }

    #[test]
    fn picks_the_home_network_among_macos_interfaces() {
        // A Mac on Wi-Fi with Internet Sharing on, a VPN, and Apple's peer-to-peer link.
        let ifs = vec![
            iface("lo0", "127.0.0.1", 8),
            iface("en0", "192.168.1.40", 24),
            iface("bridge100", "192.168.2.1", 24),
            iface("utun4", "10.8.0.6", 24),
            iface("ipsec0", "10.9.0.2", 24),
            iface("awdl0", "169.254.10.2", 16),
        ];
        let scope = Scope::resolve(&ScopeOptions::default(), &ifs).unwrap();
        assert_eq!(scope.describe(), "192.168.1.0/24 on en0");
        let note = scope.notes.join(" ");
        for skipped in ["bridge100 (a tunnel", "utun4", "ipsec0", "awdl0"] {
            assert!(note.contains(skipped), "{note} lacks {skipped}");
        }
    }

    #[test]
    fn picks_the_home_network_among_windows_interfaces() {
        // Windows names interfaces by their friendly names: WSL's switch, VirtualBox, a VPN.
        let ifs = vec![
            iface("Loopback Pseudo-Interface 1", "127.0.0.1", 8),
            iface("Wi-Fi", "192.168.178.20", 24),
            iface("vEthernet (WSL)", "172.22.96.1", 20),
            iface("VirtualBox Host-Only Network", "192.168.56.1", 24),
            iface("Tailscale", "100.101.102.103", 32),
        ];
        let scope = Scope::resolve(&ScopeOptions::default(), &ifs).unwrap();
        assert_eq!(scope.describe(), "192.168.178.0/24 on Wi-Fi");
        let note = scope.notes.join(" ");
        for skipped in [
            "vEthernet (WSL) (a tunnel",
            "VirtualBox Host-Only",
            "Tailscale",
        ] {
            assert!(note.contains(skipped), "{note} lacks {skipped}");
        }
    }

    #[test]
    fn picks_only_up_private_physical_interfaces() {
        let scope = Scope::resolve(&ScopeOptions::default(), &home()).unwrap();
        assert_eq!(scope.describe(), "192.168.1.0/24 on wlan0");
        assert_eq!(scope.subnets[0].local, Some(Ipv4Addr::new(192, 168, 1, 23)));
        let note = scope.notes.join(" ");
        for skipped in [
            "eth1 (down)",
            "corpvpn (a tunnel",
            "docker0",
            "wg0",
            "eth2 (not a private",
        ] {
            assert!(note.contains(skipped), "{note} lacks {skipped}");
        }
        let targets = scope.targets();
        assert_eq!(targets.len(), 253, "254 hosts less this machine");
        assert!(!targets.contains(&Ipv4Addr::new(192, 168, 1, 23)));
    }

    #[test]
    fn a_named_interface_is_used_even_when_virtual() {
        let opts = ScopeOptions {
            interfaces: vec!["wg0".into()],
            ..Default::default()
        };
        let scope = Scope::resolve(&opts, &home()).unwrap();
        assert_eq!(scope.describe(), "10.9.0.0/24 on wg0");
        let opts = ScopeOptions {
            interfaces: vec!["eth9".into()],
            ..Default::default()
        };
        let e = Scope::resolve(&opts, &home()).unwrap_err();
        assert!(e.to_string().contains("no interface \"eth9\""), "{e}");
        assert!(e.to_string().contains("wlan0"), "{e}");
    }

    #[test]
    fn public_and_large_subnets_need_their_flags() {
        let opts = |s: &str, public: bool, large: bool| ScopeOptions {
            subnets: vec![s.into()],
            allow_public: public,
            allow_large: large,
            ..Default::default()
        };
        let e = Scope::resolve(&opts("8.8.8.0/24", false, false), &home()).unwrap_err();
        assert!(matches!(e, ScopeError::Public { .. }), "{e}");
        assert!(e.to_string().contains("--allow-public"));
        assert!(Scope::resolve(&opts("8.8.8.0/24", true, false), &home()).is_ok());
        let e = Scope::resolve(&opts("10.0.0.0/16", false, false), &home()).unwrap_err();
        assert!(e.to_string().contains("65534 addresses"), "{e}");
        assert!(Scope::resolve(&opts("10.0.0.0/16", false, true), &home()).is_ok());
        let ok = Scope::resolve(&opts("192.168.1.0/22", false, false), &home()).unwrap();
        assert_eq!(ok.subnets[0].interface.as_deref(), Some("wlan0"));
    }

    #[test]
    fn a_large_interface_network_is_narrowed_with_a_note() {
        let ifs = vec![iface("eth0", "10.20.30.40", 16)];
        let scope = Scope::resolve(&ScopeOptions::default(), &ifs).unwrap();
        assert_eq!(scope.describe(), "10.20.30.0/24 on eth0");
        assert!(scope.notes[0].contains("larger than a home network"));
    }

    #[test]
    fn no_usable_interface_says_what_was_passed_over() {
        let ifs = vec![
            iface("lo", "127.0.0.1", 8),
            iface("docker0", "172.17.0.1", 16),
        ];
        let e = Scope::resolve(&ScopeOptions::default(), &ifs).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("no usable network found"), "{text}");
        assert!(
            text.contains("docker0 (a tunnel or virtual bridge)"),
            "{text}"
        );
    }
}
