//! The real system keyring, end to end, against a real Secret Service (gnome-keyring) in a
//! throw-away D-Bus session: each test runs itself again inside `dbus-run-session`, with its own
//! HOME and runtime folder, so it never touches the keyring of whoever runs it.
//!
//! - round trip: `gnome-keyring-daemon --unlock --components=secrets` fed a test password;
//! - frozen: the same daemon stopped with SIGSTOP (as a locked keyring waiting on a prompt would
//!   be): TimedOut, and the process still exits at once;
//! - no provider: a bus whose configuration activates nothing.
//!
//! They need `dbus-run-session` (Debian package dbus-daemon) and `gnome-keyring-daemon` (package
//! gnome-keyring); `.ci/run` installs both. Without them the tests say which package is missing
//! and skip, except under CI=true or CI=1, where they fail.
#![cfg(target_os = "linux")] // gnome-keyring and dbus-run-session
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use porchlight::model::DeviceId;
use porchlight::secrets::{self, Keyring, PasswordStyle, SecretError};

/// Set in the child that runs inside the throw-away session.
const CHILD: &str = "PORCHLIGHT_KEYRING_SESSION";

/// A device id no real device has.
fn test_device() -> DeviceId {
    "host:porchlight-keyring-test.invalid".parse().unwrap()
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `program` on PATH (or in sbin), or `None` after saying which package to install (a failure
/// under CI).
fn find(program: &str, package: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/sbin"].map(PathBuf::from));
    if let Some(found) = dirs.iter().map(|d| d.join(program)).find(|p| p.is_file()) {
        return Some(found);
    }
    let why = format!("`{program}` is not installed (apt-get install {package})");
    assert!(!in_ci(), "this test cannot run under CI: {why}");
    eprintln!("skipped: {why}");
    None
}

/// How the throw-away session's Secret Service is set up.
#[derive(Clone, Copy)]
enum Provider {
    /// gnome-keyring, unlocked with a test password.
    Unlocked,
    /// gnome-keyring, then stopped with SIGSTOP while the test runs.
    Frozen,
    /// No provider at all: the bus activates nothing.
    None,
}

/// Runs the test `name` of this file again inside a fresh D-Bus session set up as `provider`,
/// and fails when it fails. Returns false (after saying why) when the tools are missing.
fn run_in_session(name: &str, provider: Provider) -> bool {
    let Some(run_session) = find("dbus-run-session", "dbus-daemon") else {
        return false;
    };
    let daemon = match provider {
        Provider::None => None,
        _ => match find("gnome-keyring-daemon", "gnome-keyring") {
            Some(d) => Some(d),
            None => return false,
        },
    };
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let test = format!("\"$EXE\" --exact {name} --include-ignored --nocapture");
    let script = match provider {
        Provider::Unlocked => format!(
            "printf 'porchlight-test' | \"$DAEMON\" --unlock --components=secrets >/dev/null && {test}"
        ),
        Provider::Frozen => format!(
            "printf 'porchlight-test' | \"$DAEMON\" --foreground --unlock --components=secrets >/dev/null 2>&1 &
             pid=$!
             i=0; while [ $i -lt 50 ] && ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do sleep 0.1; i=$((i+1)); done
             kill -STOP $pid; {test}; status=$?; kill -CONT $pid; kill $pid; exit $status"
        ),
        Provider::None => test,
    };
    let mut cmd = Command::new(run_session);
    if let Provider::None = provider {
        let config = home.path().join("no-services.conf");
        std::fs::write(&config, NO_SERVICES).unwrap();
        cmd.arg(format!("--config-file={}", config.display()));
    }
    cmd.args(["--", "sh", "-c", &script])
        .env(CHILD, "1")
        .env("EXE", &exe)
        .env("DAEMON", daemon.as_deref().unwrap_or(Path::new("")))
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} in a throw-away session: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// A session bus that activates no services: no Secret Service provider can appear.
const NO_SERVICES: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn in_session() -> bool {
    std::env::var_os(CHILD).is_some()
}

#[test]
fn round_trip_through_the_secret_service() {
    if !in_session() {
        run_in_session("round_trip_through_the_secret_service", Provider::Unlocked);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let keyring = Keyring::system().unwrap();
        keyring.check().await.unwrap();
        let id = test_device();
        let password = secrets::generate(PasswordStyle::passphrase());
        keyring.store(&id, password.expose()).await.unwrap();
        assert_eq!(keyring.fetch(&id).await.unwrap(), Some(password.clone()));
        // The store was installed as keyring-core's default, under the same entry name.
        let entry = keyring_core::Entry::new("porchlight", &id.to_string()).unwrap();
        assert_eq!(entry.get_password().unwrap(), password.expose());
        keyring.delete(&id).await.unwrap();
        assert_eq!(keyring.fetch(&id).await.unwrap(), None);
        keyring.delete(&id).await.unwrap();
    });
    // Nothing of the password is in porchlight's own files: the keyring holds it (encrypted by
    // gnome-keyring under HOME, which is this session's own folder).
}

#[test]
fn no_provider_is_unavailable() {
    if !in_session() {
        run_in_session("no_provider_is_unavailable", Provider::None);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let keyring = Keyring::system().unwrap();
        let started = Instant::now();
        let err = keyring.fetch(&test_device()).await.unwrap_err();
        let took = started.elapsed();
        eprintln!("{took:?}: {err}");
        assert!(matches!(err, SecretError::Unavailable(_)), "{err:?}");
        assert!(took < Duration::from_secs(1), "took {took:?}");
        assert!(err.to_string().contains("nothing was written to disk"));
    });
}

#[test]
fn frozen_provider_times_out() {
    if !in_session() {
        run_in_session("frozen_provider_times_out", Provider::Frozen);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let timeout = Duration::from_secs(1);
        let keyring = Keyring::system().unwrap().with_timeout(timeout);
        let started = Instant::now();
        let err = keyring.fetch(&test_device()).await.unwrap_err();
        let took = started.elapsed();
        eprintln!("{took:?}: {err}");
        assert_eq!(err, SecretError::TimedOut);
        assert!(took < timeout + Duration::from_millis(500), "took {took:?}");
        // A second call waits behind the first (the connection is shared) and times out as well.
        let err = keyring.store(&test_device(), "pw").await.unwrap_err();
        assert_eq!(err, SecretError::TimedOut);
    });
    // The runtime was dropped with the frozen call still out: the process still ends.
}

#[test]
fn a_kept_password_follows_its_device_and_goes_when_it_is_forgotten() {
    if !in_session() {
        run_in_session(
            "a_kept_password_follows_its_device_and_goes_when_it_is_forgotten",
            Provider::Unlocked,
        );
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let keyring = Keyring::system().unwrap();
        keyring.check().await.unwrap();
        let by_address: DeviceId = "ip:10.99.0.7".parse().unwrap();
        let by_hardware: DeviceId = "mac:02:00:5e:10:99:07".parse().unwrap();
        let password = secrets::generate(PasswordStyle::passphrase());
        keyring.store(&by_address, password.expose()).await.unwrap();

        // The device's hardware address is learnt: `s` on it still shows the password.
        assert!(keyring.move_entry(&by_address, &by_hardware).await.unwrap());
        assert_eq!(
            keyring.fetch(&by_hardware).await.unwrap(),
            Some(password.clone())
        );
        assert_eq!(keyring.fetch(&by_address).await.unwrap(), None);
        // Nothing kept under the old id: nothing to move, and nothing changes.
        assert!(!keyring.move_entry(&by_address, &by_hardware).await.unwrap());

        // A password already kept under the new id is never overwritten: both are kept.
        let other = secrets::generate(PasswordStyle::random());
        keyring.store(&by_address, other.expose()).await.unwrap();
        let err = keyring
            .move_entry(&by_address, &by_hardware)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("both were kept"), "{err}");
        assert_eq!(keyring.fetch(&by_hardware).await.unwrap(), Some(password));
        assert_eq!(keyring.fetch(&by_address).await.unwrap(), Some(other));

        // Forgetting the device removes its entry from the Secret Service.
        assert!(keyring.remove(&by_hardware).await.unwrap());
        assert_eq!(keyring.fetch(&by_hardware).await.unwrap(), None);
        let entry = keyring_core::Entry::new("porchlight", &by_hardware.to_string()).unwrap();
        assert!(matches!(
            entry.get_password(),
            Err(keyring_core::Error::NoEntry)
        ));
        assert!(!keyring.remove(&by_hardware).await.unwrap(), "already gone");
        keyring.remove(&by_address).await.unwrap();
    });
}
