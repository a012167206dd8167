//! Factory logins over SSH, through the computer's own OpenSSH client (`ssh`, also on macOS and
//! on Windows 10 and later as `ssh.exe`): porchlight carries no SSH code of its own.
//!
//! Each try is one `ssh -v -N` run that sends exactly one password by exactly one method, gets
//! the password from porchlight itself as its askpass program ([`crate::askpass`]), never runs
//! a command on the device (`-N`), ignores the owner's own SSH setup (`-F none`, no agent, no
//! keys, no known-hosts file read or written) and is killed as soon as its `-v` messages say
//! "Authenticated to" (the login worked) or after [`SSH_TRY`]. At most [`SSH_MAX_BYTES`] of its
//! messages are read. Its own messages are sent to its standard output (`-E /dev/stdout`), apart
//! from what the server has it show (a login banner, on standard error), so a banner saying
//! "Authenticated to" cannot pass for a login that worked.
//!
//! Before any password, one run with no password (the `none` method, which servers do not count
//! as a failed login) asks the server which methods it takes: `password` is used when offered,
//! else `keyboard-interactive`; a server taking only keys is not tried. The same run finds out
//! whether the device needs the old key exchanges of old embedded servers: only then are they
//! added, and a client that does not know them is asked with fewer, never failing every try.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{DefaultLogin, Try, lockout_sign};
use crate::askpass::{ASKPASS_VAR, PASSWORD_VAR};
use crate::sanitize::clean;

/// SSH ports tried.
pub const SSH_PORTS: &[u16] = &[22];

/// How long one `ssh` run may take before it is killed.
pub const SSH_TRY: Duration = Duration::from_secs(8);

/// The most bytes of `ssh`'s messages read per run.
pub const SSH_MAX_BYTES: usize = 64 * 1024;

/// The oldest OpenSSH that takes `SSH_ASKPASS_REQUIRE` (needed to hand it a password without a
/// terminal).
const MIN_OPENSSH: (u32, u32) = (8, 4);

/// The user name of the run that only asks which methods the server takes (a name every Unix
/// server has, so the server logs no unknown user).
pub(super) const PROBE_USER: &str = "root";

/// Old algorithms added, in this order, only for a device that offers nothing newer: the first
/// set this computer's `ssh` accepts is used.
const LEGACY: &[&[&str]] = &[
    &[
        "KexAlgorithms=+diffie-hellman-group14-sha1,diffie-hellman-group1-sha1",
        "HostKeyAlgorithms=+ssh-rsa,ssh-dss",
        "Ciphers=+aes128-cbc,aes256-cbc,3des-cbc",
    ],
    &[
        "KexAlgorithms=+diffie-hellman-group14-sha1",
        "HostKeyAlgorithms=+ssh-rsa",
        "Ciphers=+aes128-cbc",
    ],
];

/// The SSH client porchlight drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshClient {
    /// The `ssh` program (found on the `PATH` when not a full path).
    pub program: PathBuf,
    /// The program `ssh` asks for the password: porchlight's own executable (`None` when it
    /// cannot be found, and SSH is then not tried).
    pub askpass: Option<PathBuf>,
}

impl SshClient {
    /// The system's `ssh`, with this porchlight as its askpass program.
    pub fn system() -> Self {
        Self {
            program: PathBuf::from("ssh"),
            askpass: std::env::current_exe().ok(),
        }
    }
}

/// Where SSH logins can be tried on one device.
#[derive(Debug, Clone)]
pub(super) struct SshPlace {
    /// The server.
    pub(super) addr: SocketAddrV4,
    /// `password` or `keyboard-interactive`.
    method: &'static str,
    /// Old algorithms this device needs (options without `-o`).
    legacy: &'static [&'static str],
    /// The client and its askpass program.
    client: SshClient,
    askpass: PathBuf,
}

/// What SSH on a device allows.
pub(super) enum Found {
    /// Passwords can be tried.
    Login(SshPlace),
    /// SSH answers but no password is tried, and why.
    NotTried(String),
    /// The server let porchlight in with no password at all.
    Open(SocketAddrV4),
    /// The server already shows a sign of locking logins out.
    Lockout(SocketAddrV4, String),
}

/// What one `ssh` run said.
#[derive(Debug, Default)]
struct Run {
    /// Its own messages, line by line (not cleaned).
    lines: Vec<String>,
    /// What it showed from the server (a login banner) and said before its messages went to
    /// their own stream (a bad option), line by line: never taken as a sign of a login.
    shown: Vec<String>,
    /// It was killed at its time limit.
    timed_out: bool,
}

impl Run {
    fn has(&self, text: &str) -> bool {
        self.lines.iter().any(|l| l.contains(text))
    }

    /// True when it logged in (the client says so before the session starts).
    fn authenticated(&self) -> bool {
        self.lines.iter().any(|l| l.starts_with("Authenticated to"))
    }

    /// The methods the server says it takes.
    fn methods(&self) -> Option<Vec<String>> {
        let line = self
            .lines
            .iter()
            .rev()
            .find_map(|l| l.split("Authentications that can continue:").nth(1))?;
        Some(line.trim().split(',').map(str::to_string).collect())
    }

    /// The client's last message that is not a debug line, cleaned.
    fn last_message(&self) -> String {
        self.lines
            .iter()
            .rev()
            .find(|l| !l.starts_with("debug") && !l.starts_with("Warning:") && !l.trim().is_empty())
            .map_or_else(|| "no message".to_string(), |l| clean(l, 100))
    }

    /// A sign that the server is locking logins out, in what it sent when it ended the
    /// connection (a login banner's words are not a sign).
    fn lockout(&self) -> Option<String> {
        self.lines.iter().find_map(|l| {
            if l.contains("Too many authentication failures") {
                Some("Too many authentication failures".to_string())
            } else if l.starts_with("Received disconnect") || l.starts_with("Disconnected") {
                lockout_sign(l)
            } else {
                None
            }
        })
    }

    /// The server refused to agree on algorithms with this client.
    fn needs_legacy(&self) -> bool {
        self.lines
            .iter()
            .chain(&self.shown)
            .any(|l| l.contains("Unable to negotiate") && l.contains("no matching"))
    }

    /// This client did not take one of the options given (an algorithm it does not know).
    fn bad_option(&self) -> bool {
        self.lines.iter().chain(&self.shown).any(|l| {
            l.contains("command-line line") || l.starts_with("Unsupported") || l.starts_with("Bad")
        })
    }
}

/// Where a run's own messages go: to standard output (`-E /dev/stdout`, see [`command`]), apart
/// from what the server has it show, or, where that cannot be done, to standard error with it.
const LOG_ON_STDOUT: bool = !cfg!(windows);

/// Sends the lines `from` gives (at most [`SSH_MAX_BYTES`]) to `tx`, each marked `own` or not;
/// ends when ssh's end of the pipe closes (it exited or was killed).
fn read_lines(from: impl Read + Send + 'static, own: bool, tx: mpsc::Sender<(bool, String)>) {
    std::thread::spawn(move || {
        let cap = u64::try_from(SSH_MAX_BYTES).unwrap_or(u64::MAX);
        let mut reader = BufReader::new(from.take(cap));
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    if tx.send((own, text)).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// Runs `cmd` with its messages read line by line, at most [`SSH_MAX_BYTES`] of them; kills it
/// at `deadline` or as soon as `stop` is true of one of its own messages. With `split`, its own
/// messages are on standard output and what it shows from the server on standard error (see
/// [`LOG_ON_STDOUT`]); without, everything is on standard error.
fn run_bounded(
    mut cmd: Command,
    deadline: Duration,
    stop: fn(&str) -> bool,
    split: bool,
) -> std::io::Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(if split { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        read_lines(stdout, true, tx.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        read_lines(stderr, !split, tx);
    } else {
        drop(tx);
    }
    let started = Instant::now();
    let mut run = Run::default();
    loop {
        let left = deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            run.timed_out = true;
            break;
        }
        match rx.recv_timeout(left) {
            Ok((false, line)) => run.shown.push(line),
            Ok((true, line)) => {
                let done = stop(&line);
                run.lines.push(line);
                if done {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                run.timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(run)
}

/// The OpenSSH version of `program` (`ssh -V`), or why SSH cannot be tried with it.
fn client_version(program: &Path) -> Result<(u32, u32), String> {
    let mut cmd = Command::new(program);
    cmd.arg("-V");
    let run = run_bounded(cmd, Duration::from_secs(3), |_| false, false).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "no SSH client (`ssh`, from OpenSSH) was found on this computer".to_string()
        } else {
            format!("the SSH client could not be started ({e})")
        }
    })?;
    let text = run.lines.join(" ");
    let version = parse_version(&text);
    let Some(version) = version else {
        return Err(format!(
            "this computer's SSH client is not OpenSSH ({}), and porchlight can only hand OpenSSH a password",
            clean(&text, 60)
        ));
    };
    if version < MIN_OPENSSH {
        return Err(format!(
            "this computer's OpenSSH is {}.{}, older than the {}.{} porchlight needs to hand it a password (SSH_ASKPASS_REQUIRE)",
            version.0, version.1, MIN_OPENSSH.0, MIN_OPENSSH.1
        ));
    }
    Ok(version)
}

/// The `ssh` command of one run: `user` at `addr` by `method` (`none` asks for no password),
/// with `password` handed over by the askpass program.
fn command(
    client: &SshClient,
    askpass: &Path,
    addr: SocketAddrV4,
    user: &str,
    method: &str,
    password: &str,
    legacy: &[&str],
) -> Command {
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut cmd = Command::new(&client.program);
    cmd.args(["-v", "-N", "-F", "none"]);
    if LOG_ON_STDOUT {
        // Its own messages apart from the server's banner, which stays on standard error.
        cmd.args(["-E", "/dev/stdout"]);
    }
    let port = addr.port().to_string();
    let known = format!("UserKnownHostsFile={null}");
    let global = format!("GlobalKnownHostsFile={null}");
    let preferred = format!("PreferredAuthentications={method}");
    for option in [
        "BatchMode=no",
        "StrictHostKeyChecking=no",
        known.as_str(),
        global.as_str(),
        "PubkeyAuthentication=no",
        "IdentityAgent=none",
        "IdentitiesOnly=yes",
        preferred.as_str(),
        "NumberOfPasswordPrompts=1",
        "ConnectTimeout=5",
        "ControlMaster=no",
        "ControlPath=none",
        "ClearAllForwardings=yes",
        "ForwardAgent=no",
        "ForwardX11=no",
    ]
    .into_iter()
    .chain(legacy.iter().copied())
    {
        cmd.arg("-o").arg(option);
    }
    cmd.args(["-p", &port, "-l", user])
        .arg(addr.ip().to_string());
    cmd.env("SSH_ASKPASS", askpass)
        .env("SSH_ASKPASS_REQUIRE", "force")
        .env(ASKPASS_VAR, "1")
        .env(PASSWORD_VAR, password)
        .env_remove("SSH_AUTH_SOCK");
    cmd
}

/// Runs one `ssh` on a blocking thread.
async fn run(cmd: Command) -> Result<Run, String> {
    tokio::task::spawn_blocking(move || {
        run_bounded(
            cmd,
            SSH_TRY,
            |l| l.starts_with("Authenticated to"),
            LOG_ON_STDOUT,
        )
    })
    .await
    .map_err(|e| format!("the SSH client did not finish ({e})"))?
    .map_err(|e| format!("the SSH client could not be started ({e})"))
}

/// Finds out whether passwords can be tried on the SSH server at `addr` (its banner was seen).
pub(super) async fn find(addr: SocketAddrV4, client: &SshClient) -> Found {
    let program = client.program.clone();
    let version = tokio::task::spawn_blocking(move || client_version(&program))
        .await
        .unwrap_or_else(|e| Err(format!("the SSH client did not finish ({e})")));
    if let Err(why) = version {
        return Found::NotTried(why);
    }
    let Some(askpass) = client.askpass.clone() else {
        return Found::NotTried(
            "porchlight could not find its own program to hand the SSH client a password".into(),
        );
    };
    let mut legacy: &'static [&'static str] = &[];
    let mut sets = LEGACY.iter();
    let probe = loop {
        let cmd = command(client, &askpass, addr, PROBE_USER, "none", "", legacy);
        let probe = match run(cmd).await {
            Ok(probe) => probe,
            Err(why) => return Found::NotTried(why),
        };
        let retry = if legacy.is_empty() {
            probe.needs_legacy()
        } else {
            probe.bad_option()
        };
        match (retry, sets.next()) {
            (true, Some(set)) => legacy = set,
            _ => break probe,
        }
    };
    if probe.authenticated() {
        return Found::Open(addr);
    }
    if let Some(sign) = probe.lockout() {
        return Found::Lockout(addr, sign);
    }
    if probe.needs_legacy() || (!legacy.is_empty() && probe.bad_option()) {
        return Found::NotTried(format!(
            "SSH on {addr} offers only algorithms this computer's SSH client does not take ({})",
            probe.last_message()
        ));
    }
    let Some(methods) = probe.methods() else {
        let why = if probe.timed_out {
            "no answer in time".to_string()
        } else {
            probe.last_message()
        };
        return Found::NotTried(format!(
            "SSH on {addr} did not say how it takes logins ({why})"
        ));
    };
    let method = if methods.iter().any(|m| m == "password") {
        "password"
    } else if methods.iter().any(|m| m == "keyboard-interactive") {
        "keyboard-interactive"
    } else {
        return Found::NotTried(format!(
            "SSH on {addr} takes no passwords (only {}), so no factory password can open it",
            clean(&methods.join(", "), 60)
        ));
    };
    Found::Login(SshPlace {
        addr,
        method,
        legacy,
        client: client.clone(),
        askpass,
    })
}

/// Tries one login over SSH.
pub(super) async fn try_login(place: &SshPlace, login: &DefaultLogin) -> Try {
    let addr = place.addr;
    let cmd = command(
        &place.client,
        &place.askpass,
        addr,
        &login.username,
        place.method,
        &login.password,
        place.legacy,
    );
    let outcome = match run(cmd).await {
        Ok(outcome) => outcome,
        Err(why) => return Try::Unclear(why),
    };
    if outcome.authenticated() {
        return Try::Works;
    }
    if let Some(sign) = outcome.lockout() {
        return Try::Lockout(format!("SSH on {addr} said \"{sign}\""));
    }
    // The server answered the methods question before: not getting as far as the password now
    // (refused, dropped or silent) is the server shutting this computer out.
    let asked = outcome.has("read_passphrase") || outcome.has("Next authentication method");
    if !asked {
        let why = if outcome.timed_out {
            "no answer in time".to_string()
        } else {
            outcome.last_message()
        };
        return Try::Lockout(format!(
            "SSH on {addr} stopped letting porchlight get as far as the password ({why})"
        ));
    }
    if outcome.has("Permission denied") || outcome.has("No more authentication methods") {
        return Try::Refused;
    }
    if outcome.timed_out {
        return Try::Unclear(format!("SSH on {addr} did not answer the password in time"));
    }
    Try::Lockout(format!(
        "SSH on {addr} dropped the connection after the password ({})",
        outcome.last_message()
    ))
}

/// The words for an SSH server in the evidence.
pub(super) fn describe(addr: SocketAddrV4) -> String {
    format!("SSH {addr}")
}

/// The OpenSSH version in `ssh -V` text (`OpenSSH_9.2p1 Debian...`,
/// `OpenSSH_for_Windows_8.6p1`).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let v = text
        .split("OpenSSH_")
        .nth(1)?
        .trim_start_matches("for_Windows_");
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn said(lines: &[&str]) -> Run {
        Run {
            lines: lines.iter().map(|l| (*l).to_string()).collect(),
            shown: Vec::new(),
            timed_out: false,
        }
    }

    #[test]
    fn openssh_versions_are_read_on_every_platform() {
        assert_eq!(
            parse_version("OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19"),
            Some((9, 2))
        );
        assert_eq!(
            parse_version("OpenSSH_for_Windows_8.6p1, LibreSSL 3.4.3"),
            Some((8, 6))
        );
        assert_eq!(parse_version("OpenSSH_7.4p1, OpenSSL 1.0.2k"), Some((7, 4)));
        assert!(parse_version("OpenSSH_7.4p1").unwrap() < MIN_OPENSSH);
        assert_eq!(parse_version("Dropbear SSH client v2022.83"), None);
    }

    #[test]
    fn the_messages_of_a_run_are_read_for_what_the_owner_needs() {
        let ok = said(&[
            "debug1: Authentications that can continue: publickey,password",
            "debug1: Next authentication method: password",
            "Authenticated to 10.0.0.2 ([10.0.0.2]:22) using \"password\".",
        ]);
        assert!(ok.authenticated());
        assert_eq!(ok.methods().unwrap(), ["publickey", "password"]);
        let locked = said(&[
            "debug1: read_passphrase: requested to askpass",
            "Received disconnect from 10.0.0.2 port 22:2: Too many authentication failures",
        ]);
        assert!(!locked.authenticated());
        assert_eq!(
            locked.lockout().as_deref(),
            Some("Too many authentication failures")
        );
        // A login banner saying "blocked" is not a lockout; a disconnect saying it is.
        let banner = said(&["Unauthorised access is blocked and logged"]);
        assert_eq!(banner.lockout(), None);
        let gone = said(&["Received disconnect from 10.0.0.2: 11: account locked"]);
        assert!(gone.lockout().unwrap().contains("account locked"));
        let old = said(&[
            "Unable to negotiate with 10.0.0.2 port 22: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1",
        ]);
        assert!(old.needs_legacy());
        assert!(old.last_message().starts_with("Unable to negotiate"));
        let bad = said(&["command-line line 0: Bad key types '+ssh-dss'."]);
        assert!(bad.bad_option());
    }
}
