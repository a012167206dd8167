//! The factory-login check over SSH against a real OpenSSH server (`sshd`) in a simulated home
//! (`tests/netns/`), driven through the machine's real `ssh` client with porchlight's own binary
//! as its askpass program, as on an owner's computer.
//!
//! The check runs inside the home's scanner namespace: the outer tests build the home, start
//! `sshd` in a device namespace (its users only there, see `tests/netns/sshd.rs`) and run this
//! same test binary there with `--ignored --exact` [`in_the_scanner_namespace`], which runs the
//! check and prints its result. What the owner would see is asserted on that result; what the
//! device went through (passwords sent, by which user name) is counted from `sshd`'s own log.
//!
//! Cases: the factory login works (named, with SSH); a changed password (a pass naming the
//! three defaults tried over SSH); `MaxAuthTries 1` (the first refusal is a lockout sign:
//! porchlight stops and records it); a server that starts refusing connections after one refusal
//! (nftables in the device namespace: porchlight stops and says so); a server offering only the
//! old algorithms of old embedded servers (SHA-1 key exchange, `ssh-rsa` host key), which a
//! current `ssh` refuses by default (porchlight adds them for that device only); a server taking
//! only keys (not tried, and the verdict says so); a server asking through PAM's
//! keyboard-interactive prompt (one password per try there too). Each case runs several
//! times in one home, so a flaky outcome shows.
//!
//! Traffic stays inside the namespaces the test builds. Needs root (skips with the reason
//! otherwise, never under `CI=true`).

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod netns;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use netns::sshd::{Sshd, require_sshd};
use netns::{Device, TestHome};
use porchlight::checks::credentials::{LoginPorts, default_credentials_on};
use porchlight::checks::{CheckLimits, CheckResult, Context, Peer, Target, Verdict};
use porchlight::model::Category;

/// The environment the inner run reads: the SSH server's address.
const ADDR_VAR: &str = "PLT_TEST_SSH_ADDR";

/// Marks the inner run's result in its output.
const RESULT_MARK: &str = "PORCHLIGHT_CHECK_RESULT ";

/// Marks the line with the evidence shown on screen only (never serialised with the result).
const SHOWN_MARK: &str = "PORCHLIGHT_CHECK_SHOWN ";

/// How many times each case runs.
const ROUNDS: usize = 3;

/// The device porchlight is told about: a Ubiquiti router (its maker's default is `ubnt/ubnt`,
/// tried over SSH first).
const MAKER: &str = "Ubiquiti";

/// Run by the tests below inside the home's scanner namespace (not on its own): the login check
/// on the SSH server at `PLT_TEST_SSH_ADDR`, with the owner's consent, printing the result.
#[test]
#[ignore = "run inside a test namespace by the SSH login tests of this file"]
fn in_the_scanner_namespace() {
    let addr: SocketAddrV4 = std::env::var(ADDR_VAR)
        .expect("run by the SSH login tests, which set PLT_TEST_SSH_ADDR")
        .parse()
        .unwrap();
    let mut target = Target::new(*addr.ip());
    target.vendor = Some(MAKER.to_string());
    let ctx = Context {
        limits: CheckLimits {
            credential_pause: Duration::from_millis(50),
            ..CheckLimits::default()
        },
        peers: vec![Peer {
            ip: *addr.ip(),
            name: "access point".into(),
            category: Category::Router,
        }],
        credentials_consent: true,
        ..Context::default()
    };
    let mut ports = LoginPorts::none();
    ports.ssh = vec![addr.port()];
    ports.ssh_client.askpass = Some(env!("CARGO_BIN_EXE_porchlight").into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(default_credentials_on(&target, &ports, &ctx));
    println!("{RESULT_MARK}{}", serde_json::to_string(&result).unwrap());
    if let Some(shown) = &result.on_screen {
        println!("{SHOWN_MARK}{shown}");
    }
}

/// A home of one device, `ap` at `.30`, besides the scanner.
fn home() -> TestHome {
    TestHome::build_with(|net| {
        vec![Device {
            name: "ap",
            ns: String::new(),
            ip: Ipv4Addr::new(10, 77, net, 30),
            extra_ips: Vec::new(),
            own_macs: false,
            mac: "24:a4:3c:00:00:30",
            hostname: None,
            services: Vec::new(),
            listeners: Vec::new(),
            upnp: None,
            mqtt: false,
        }]
    })
}

/// Runs the check from the scanner namespace on the access point's SSH server.
fn check(home: &TestHome) -> CheckResult {
    let addr = SocketAddrV4::new(home.device("ap").ip, 22);
    let out = home
        .in_scanner(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "in_the_scanner_namespace",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ADDR_VAR, addr.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let Some(line) = stdout
        .lines()
        .find_map(|l| l.split_once(RESULT_MARK).map(|(_, json)| json))
    else {
        panic!(
            "the check did not run in the namespace ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut result: CheckResult = serde_json::from_str(line).unwrap();
    result.on_screen = stdout
        .lines()
        .find_map(|l| l.split_once(SHOWN_MARK).map(|(_, shown)| shown.to_string()));
    result
}

/// No user name got more than three passwords, and no more than three in all.
fn within_budget(sshd: &Sshd) {
    let refused = sshd.refused();
    assert!(refused.len() <= 3, "{refused:?}\n{}", sshd.log());
    for name in &refused {
        let n = refused.iter().filter(|r| *r == name).count();
        assert!(n <= 3, "{name} got {n} passwords: {refused:?}");
    }
}

fn ready() -> bool {
    netns::require_root() && require_sshd()
}

#[test]
fn a_factory_login_that_works_over_ssh_is_named() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    for round in 0..ROUNDS {
        let sshd = Sshd::start(&home, "ap", &[("ubnt", "ubnt")], "");
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Fail,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.shown_evidence().contains(&format!(
                "the factory login ubnt/ubnt still works on SSH {ip}:22"
            )),
            "round {round}: {}",
            r.shown_evidence()
        );
        assert!(
            r.next
                .as_deref()
                .unwrap_or_default()
                .contains("Change that password")
        );
        // The maker's default came first: one login, accepted, nothing refused.
        sshd.wait_for_log("Accepted ");
        assert_eq!(sshd.accepted(), ["ubnt"], "{}", sshd.log());
        assert!(sshd.refused().is_empty(), "{}", sshd.log());
    }
}

#[test]
fn a_banner_saying_authenticated_cannot_fake_a_working_login() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    let banner = home.dir().join("lying-banner");
    std::fs::write(
        &banner,
        format!(
            "Authenticated to {ip} ([{ip}]:22) using \"password\".\r\ndebug1: Authentication succeeded (password).\nAuthenticated to {ip} ([{ip}]:22) using \"keyboard-interactive\".\n"
        ),
    )
    .unwrap();
    let sshd = Sshd::start(
        &home,
        "ap",
        &[("ubnt", "a long passphrase of my own 7")],
        &format!("Banner {}\n", banner.display()),
    );
    let r = check(&home);
    assert_ne!(
        r.verdict,
        Verdict::Fail,
        "a banner faked a working factory login: {r:?}\n{}",
        sshd.log()
    );
    assert!(!r.shown_evidence().contains("still works"), "{r:?}");
    assert!(sshd.accepted().is_empty(), "{}", sshd.log());
    assert!(
        !sshd.refused().is_empty(),
        "the passwords were really tried: {}",
        sshd.log()
    );
}

#[test]
fn a_changed_password_passes_with_ssh_among_what_was_tried() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    for round in 0..ROUNDS {
        let sshd = Sshd::start(
            &home,
            "ap",
            &[
                ("ubnt", "a long passphrase of my own 7"),
                ("admin", "another one 9"),
            ],
            "",
        );
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Pass,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        for (user, password) in [("ubnt", "ubnt"), ("admin", "admin"), ("root", "root")] {
            assert!(
                r.evidence
                    .contains(&format!("{user} with its factory password on SSH {ip}:22")),
                "round {round}: {user} not named: {}",
                r.evidence
            );
            // Saved evidence names no password, not even a refused default.
            assert!(
                !r.evidence.contains(&format!("{user}/{password}")),
                "round {round}: {}",
                r.evidence
            );
        }
        assert!(
            r.evidence.starts_with("none of the 3 factory logins"),
            "{}",
            r.evidence
        );
        // "Verified in part": what a few defaults cannot prove is said.
        assert!(
            r.unconfirmed
                .as_deref()
                .unwrap_or_default()
                .contains("other logins"),
            "{r:?}"
        );
        assert!(sshd.accepted().is_empty(), "{}", sshd.log());
        assert_eq!(sshd.refused(), ["ubnt", "admin", "root"], "{}", sshd.log());
        within_budget(&sshd);
    }
}

#[test]
fn a_server_that_disconnects_after_one_failure_stops_the_tries() {
    if !ready() {
        return;
    }
    let home = home();
    for round in 0..ROUNDS {
        let sshd = Sshd::start(
            &home,
            "ap",
            &[("ubnt", "a long passphrase of my own 7")],
            "MaxAuthTries 1",
        );
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Unknown,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.evidence
                .starts_with("stopped: the device showed a sign of locking logins out")
                && r.evidence.contains("Too many authentication failures")
                && r.evidence.contains("porchlight tried no more"),
            "round {round}: {}",
            r.evidence
        );
        assert!(
            r.next.as_deref().unwrap_or_default().contains("wait"),
            "{r:?}"
        );
        // One password reached the server, then porchlight stopped.
        assert_eq!(sshd.refused(), ["ubnt"], "{}", sshd.log());
        within_budget(&sshd);
    }
}

#[test]
fn a_server_that_starts_refusing_stops_the_tries() {
    if !ready() {
        return;
    }
    let home = home();
    let ns = home.device("ap").ns.clone();
    for round in 0..ROUNDS {
        let sshd = Sshd::start(
            &home,
            "ap",
            &[("ubnt", "a long passphrase of my own 7")],
            "",
        );
        // Like a device that shuts out an address after a failure: three new connections (its
        // banner read, the question of which methods it takes, one password), then every further
        // one is refused.
        home.sh(
            &ns,
            "nft -f - <<'EOF'\n\
             table inet plt_ssh {\n\
               chain input {\n\
                 type filter hook input priority 0; policy accept;\n\
                 tcp dport 22 ct state new limit rate over 1/hour burst 3 packets reject with tcp reset\n\
               }\n\
             }\n\
             EOF",
        );
        let r = check(&home);
        home.sh(&ns, "nft delete table inet plt_ssh");
        assert_eq!(
            r.verdict,
            Verdict::Unknown,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.evidence
                .contains("after 1 refused (ubnt with its factory password on SSH")
                && r.evidence
                    .contains("stopped letting porchlight get as far as the password")
                && r.evidence.contains("porchlight tried no more"),
            "round {round}: {}",
            r.evidence
        );
        assert_eq!(sshd.refused(), ["ubnt"], "{}", sshd.log());
        within_budget(&sshd);
    }
}

#[test]
fn a_server_with_only_old_algorithms_is_still_tried() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    for round in 0..ROUNDS {
        let sshd = Sshd::start(
            &home,
            "ap",
            &[("ubnt", "ubnt")],
            "KexAlgorithms diffie-hellman-group14-sha1\nHostKeyAlgorithms ssh-rsa\nCiphers aes128-cbc",
        );
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Fail,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.shown_evidence().contains(&format!(
                "the factory login ubnt/ubnt still works on SSH {ip}:22"
            )),
            "round {round}: {}",
            r.shown_evidence()
        );
        sshd.wait_for_log("Accepted ");
        assert_eq!(sshd.accepted(), ["ubnt"], "{}", sshd.log());
        assert!(sshd.refused().is_empty(), "{}", sshd.log());
    }
}

#[test]
fn a_server_taking_only_keys_is_not_tried_and_says_so() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    for round in 0..ROUNDS {
        let sshd = Sshd::start(
            &home,
            "ap",
            &[("ubnt", "ubnt")],
            "PasswordAuthentication no\nKbdInteractiveAuthentication no",
        );
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Unknown,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.evidence.starts_with("cannot check")
                && r.evidence.contains(&format!(
                    "SSH answers on {ip}:22, but was not tried: SSH on {ip}:22 takes no passwords (only publickey)"
                )),
            "round {round}: {}",
            r.evidence
        );
        assert!(
            sshd.accepted().is_empty() && sshd.refused().is_empty(),
            "{}",
            sshd.log()
        );
    }
}

#[test]
fn a_server_asking_through_keyboard_interactive_gets_one_password_per_try() {
    if !ready() {
        return;
    }
    let home = home();
    let ip = home.device("ap").ip;
    for round in 0..ROUNDS {
        // The password asked through PAM's prompt, as many OpenSSH servers with PAM do.
        let sshd = Sshd::start(
            &home,
            "ap",
            &[
                ("ubnt", "a long passphrase of my own 7"),
                ("admin", "admin"),
            ],
            "UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication yes",
        );
        let r = check(&home);
        assert_eq!(
            r.verdict,
            Verdict::Fail,
            "round {round}: {r:?}\n{}",
            sshd.log()
        );
        assert!(
            r.shown_evidence().contains(&format!(
                "the factory login admin/admin still works on SSH {ip}:22"
            )),
            "round {round}: {}",
            r.shown_evidence()
        );
        sshd.wait_for_log("Accepted ");
        assert_eq!(sshd.accepted(), ["admin"], "{}", sshd.log());
        // One password per try: the maker's default refused once, then the next one worked.
        assert_eq!(sshd.refused(), ["ubnt"], "{}", sshd.log());
    }
}
