//! Helpers for the tests that run the `porchlight` binary the way the owner does: the command with
//! a data folder of the test's own, what it printed as text, and the one-line refusal every error
//! must be.

use std::path::Path;

use assert_cmd::Command;

/// The `porchlight` binary with `--data-dir DATA` and no logging settings from the environment.
pub fn porchlight(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("porchlight").unwrap();
    cmd.arg("--data-dir").arg(data).env_remove("RUST_LOG");
    cmd
}

/// The `porchlight` binary with no data folder: for help, version, completions and the manual.
pub fn porchlight_anywhere() -> Command {
    Command::cargo_bin("porchlight").unwrap()
}

/// Runs `cmd`, which must succeed, and returns what it printed on standard output.
pub fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

/// Runs `cmd`, which must exit with status `code` and say why in one line on standard error,
/// starting `porchlight: ` and containing `expected`. Returns the whole standard output and that
/// line.
pub fn one_line_error(cmd: &mut Command, code: i32, expected: &str) -> (Vec<u8>, String) {
    let out = cmd.assert().code(code).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    assert!(stderr.starts_with("porchlight: "), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    (out.stdout, stderr)
}
