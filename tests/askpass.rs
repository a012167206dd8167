//! porchlight as `ssh`'s askpass program (`src/askpass.rs`): started the way `ssh` starts it (the
//! prompt as its only argument, the private variables set), it prints the password of the try and
//! nothing else, before any command-line parsing; without those variables the prompt is just a bad
//! argument.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use assert_cmd::Command;
use porchlight::askpass::{ASKPASS_VAR, PASSWORD_VAR};

#[test]
fn started_by_ssh_it_prints_the_password_and_nothing_else() {
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("ubnt@192.168.1.20's password: ")
        .env(ASKPASS_VAR, "1")
        .env(PASSWORD_VAR, "ubnt")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ubnt\n");
    assert!(out.stderr.is_empty(), "{out:?}");

    // An empty factory password is a line of its own too.
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("Password: ")
        .env(ASKPASS_VAR, "1")
        .env(PASSWORD_VAR, "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "\n");
}

#[test]
fn without_a_password_or_the_marker_it_answers_nothing() {
    // The marker without a password: a failure, nothing printed (ssh then sends no password).
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("Password: ")
        .env(ASKPASS_VAR, "1")
        .env_remove(PASSWORD_VAR)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "{out:?}");

    // A password in the environment is never printed by an ordinary start.
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("Password: ")
        .env_remove(ASKPASS_VAR)
        .env(PASSWORD_VAR, "ubnt")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a prompt is not a porchlight command"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ubnt"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("ubnt"));
}
