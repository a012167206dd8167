//! The real system keyring, end to end. Ignored by default: these tests write to the keyring of
//! whoever runs them, or need a keyring in a particular state. Run each in a throw-away D-Bus
//! session, for example on Linux with gnome-keyring installed:
//!
//! ```sh
//! # An unlocked Secret Service: a real round trip.
//! dbus-run-session -- sh -c \
//!   'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
//!    cargo test --test secrets_system -- --ignored round_trip'
//! # A provider that never answers (stopped with SIGSTOP, as a locked keyring waiting on a
//! # prompt would be): TimedOut, and the process still exits at once.
//! dbus-run-session -- sh -c \
//!   'printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
//!    pid=$!; sleep 1; kill -STOP $pid;
//!    cargo test --test secrets_system -- --ignored frozen; kill -CONT $pid; kill $pid'
//! # A bus with no Secret Service provider: a bus config without <servicedir> entries, so that
//! # nothing is activated (`dbus-run-session --config-file=no-services.conf -- ...`).
//! cargo test --test secrets_system -- --ignored no_provider
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use porchlight::model::DeviceId;
use porchlight::secrets::{self, Keyring, PasswordStyle, SecretError};

/// A device id no real device has.
fn test_device() -> DeviceId {
    "host:porchlight-keyring-test.invalid".parse().unwrap()
}

#[tokio::test]
#[ignore = "writes to the real keyring; run in a throw-away D-Bus session with a Secret Service"]
async fn round_trip_through_the_secret_service() {
    let keyring = Keyring::system().unwrap();
    keyring.check().await.unwrap();
    let id = test_device();
    let password = secrets::generate(PasswordStyle::passphrase());
    keyring.store(&id, password.expose()).await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), Some(password));
    // The store was installed as keyring-core's default, under the same entry name.
    let entry = keyring_core::Entry::new("porchlight", &id.to_string()).unwrap();
    assert!(entry.get_password().is_ok());
    keyring.delete(&id).await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), None);
    keyring.delete(&id).await.unwrap();
}

#[tokio::test]
#[ignore = "needs a D-Bus session bus without a Secret Service provider"]
async fn no_provider_is_unavailable() {
    let keyring = Keyring::system().unwrap();
    let started = Instant::now();
    let err = keyring.fetch(&test_device()).await.unwrap_err();
    let took = started.elapsed();
    eprintln!("{took:?}: {err}");
    assert!(matches!(err, SecretError::Unavailable(_)), "{err:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(err.to_string().contains("nothing was written to disk"));
}

#[tokio::test]
#[ignore = "needs a D-Bus session whose Secret Service provider is stopped"]
async fn frozen_provider_times_out() {
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
}
