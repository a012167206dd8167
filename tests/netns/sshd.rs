//! A real OpenSSH server (`sshd`) inside one device namespace of a [`TestHome`], with test users
//! of its own: for the SSH factory-login tests.
//!
//! The users live only in the namespace: `ip netns exec NS` bind-mounts the files of
//! `/etc/netns/NS/` over `/etc/`, so `passwd`, `group` and `shadow` written there (the machine's
//! own, plus the test users with passwords hashed by `openssl passwd -6`) are what `sshd` sees,
//! and the machine's own files are never touched. `sshd` runs in the foreground (`-D -e`) with a
//! config, host key and pid file in the home's temporary folder, logging every login to a file
//! the tests read. Dropping the [`Sshd`] kills it and removes `/etc/netns/NS` (only what it
//! made); the home's teardown then removes the namespace.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TestHome;

/// Where the OpenSSH server is installed (Debian's `openssh-server`).
const SSHD: &str = "/usr/sbin/sshd";

/// True when an SSH server can be run here (the test home's own needs are checked by
/// [`super::require_root`]): prints why not and returns false, except under CI (`CI=true` or
/// `CI=1`), where it panics.
pub fn require_sshd() -> bool {
    let mut missing = Vec::new();
    if !Path::new(SSHD).is_file() {
        missing.push("openssh-server");
    }
    if super::find_tool("ssh").is_none() {
        missing.push("openssh-client");
    }
    if super::find_tool("openssl").is_none() {
        missing.push("openssl");
    }
    if missing.is_empty() {
        return true;
    }
    let why = format!("missing packages: apt-get install {}", missing.join(" "));
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci {
        panic!("the SSH login tests cannot run under CI=true: {why}");
    }
    eprintln!("skipped: the SSH login tests need a real SSH server: {why}");
    false
}

/// A running `sshd` in one device's namespace. Dropping it stops it and removes its users.
pub struct Sshd {
    child: Child,
    etc: PathBuf,
    log: PathBuf,
}

/// `password` hashed for `/etc/shadow`.
fn hash(password: &str) -> String {
    let out = Command::new("openssl")
        .args(["passwd", "-6", password])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl passwd failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

impl Sshd {
    /// Starts `sshd` on port 22 of device `device` with `users` (name, password) and `extra`
    /// lines of configuration (`MaxAuthTries 1`); returns when it listens.
    pub fn start(home: &TestHome, device: &str, users: &[(&str, &str)], extra: &str) -> Sshd {
        let d = home.device(device);
        let etc = PathBuf::from("/etc/netns").join(&d.ns);
        assert!(
            !etc.exists(),
            "{} exists already: another SSH server runs in this namespace",
            etc.display()
        );
        std::fs::create_dir_all(&etc).unwrap();
        let mut passwd = std::fs::read_to_string("/etc/passwd").unwrap();
        let mut group = std::fs::read_to_string("/etc/group").unwrap();
        let mut shadow = std::fs::read_to_string("/etc/shadow").unwrap();
        for (n, (user, password)) in users.iter().enumerate() {
            let id = 42420 + n;
            passwd.push_str(&format!("{user}:x:{id}:{id}::/tmp:/bin/sh\n"));
            group.push_str(&format!("{user}:x:{id}:\n"));
            shadow.push_str(&format!("{user}:{}:19000:0:99999:7:::\n", hash(password)));
        }
        std::fs::write(etc.join("passwd"), passwd).unwrap();
        std::fs::write(etc.join("group"), group).unwrap();
        std::fs::write(etc.join("shadow"), shadow).unwrap();

        // Privilege separation needs this folder (the package makes it at boot).
        std::fs::create_dir_all("/run/sshd").unwrap();
        let dir = home.dir().join(format!("sshd-{device}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // An Ed25519 key, and an RSA one for old algorithms (`HostKeyAlgorithms ssh-rsa`).
        let mut keys = String::new();
        for (kind, bits) in [("ed25519", "256"), ("rsa", "2048")] {
            let key = dir.join(format!("host_key_{kind}"));
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", kind, "-b", bits, "-N", "", "-f"])
                .arg(&key)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(out.status.success(), "ssh-keygen failed: {out:?}");
            keys.push_str(&format!("HostKey {}\n", key.display()));
        }
        // sshd keeps the first value it reads of each keyword: the test's own lines come first.
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "{extra}\nListenAddress {ip}:22\n{keys}PidFile {pid}\nUsePAM no\n\
                 PasswordAuthentication yes\nKbdInteractiveAuthentication no\n\
                 PermitRootLogin yes\nPermitEmptyPasswords no\nLogLevel INFO\n",
                ip = d.ip,
                pid = dir.join("sshd.pid").display(),
            ),
        )
        .unwrap();
        let log = dir.join("sshd.log");
        let child = home
            .in_ns(&d.ns, SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .process_group(0)
            .spawn()
            .unwrap();
        let sshd = Sshd { child, etc, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sshd.log().contains("Server listening on") {
            assert!(
                Instant::now() < deadline,
                "sshd did not start: {}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    /// Waits up to 5 s for `text` in `sshd`'s log (a login is logged by another `sshd` process
    /// than the one answering the client, and can reach the log a moment after the client knows).
    pub fn wait_for_log(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.log().contains(text) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What `sshd` logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The user name of every password `sshd` refused, in order ("Failed password for NAME",
    /// "Failed password for invalid user NAME", and through PAM "PAM: Authentication failure for
    /// NAME").
    pub fn refused(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|l| {
                l.split("Failed password for ")
                    .nth(1)
                    .or_else(|| l.split("PAM: Authentication failure for ").nth(1))
            })
            .filter_map(|rest| {
                rest.trim_start_matches("invalid user ")
                    .split_whitespace()
                    .next()
                    .map(str::to_string)
            })
            .collect()
    }

    /// The user names `sshd` let in ("Accepted password for NAME", "Accepted
    /// keyboard-interactive/pam for NAME").
    pub fn accepted(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|l| l.split("Accepted ").nth(1))
            .filter_map(|rest| rest.split(" for ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next().map(str::to_string))
            .collect()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .stderr(Stdio::null())
            .output();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.etc);
    }
}
