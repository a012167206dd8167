//! Command-line conventions: a mistyped command line is one line and status 2, bad values
//! included; `remind --by` a past date still lists what is overdue; `report -o FILE` follows FILE's
//! extension; `--reset-demo` only where it means something; completions and a manual page.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::cli::{one_line_error, porchlight, porchlight_anywhere, stdout_of};

/// Runs `args`, which must be refused as a usage error: status 2, one line naming `expected`,
/// nothing saved.
fn usage_error(args: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = one_line_error(porchlight(dir.path()).args(args), 2, expected);
    assert!(stdout.is_empty(), "{args:?} printed to stdout");
    assert!(
        !dir.path().join("state.json").exists() && !dir.path().join("demo").exists(),
        "{args:?} saved something"
    );
}

#[test]
fn every_usage_error_is_one_line_and_status_2() {
    usage_error(&["--frobnicate"], "unexpected argument '--frobnicate'");
    usage_error(&["devicez"], "unrecognized subcommand 'devicez'");
    usage_error(
        &["report", "--format", "pdf"],
        "unknown report format \"pdf\"",
    );
    usage_error(&["remind", "--by", "tomorrow"], "is not a date");
    usage_error(&["remind", "--by"], "--by");
    usage_error(&["scan", "--subnet", "192.168.1.0"], "is not a subnet");
    usage_error(&["scan", "--subnet", "300.1.1.0/24"], "is not a subnet");
    usage_error(&["watch", "--subnet", "192.168.1.0"], "is not a subnet");
    usage_error(&["completions", "tcsh"], "invalid value 'tcsh'");
    usage_error(&["--reset-demo"], "--demo");
    usage_error(
        &["--demo", "--reset-demo", "devices"],
        "--reset-demo only applies",
    );
    usage_error(
        &["devices", "--reset-demo"],
        "unexpected argument '--reset-demo'",
    );
    usage_error(
        &["--demo", "report", "-o", "report.pdf"],
        "cannot tell the report format",
    );
}

#[test]
fn help_and_version_are_not_errors() {
    let help = stdout_of(porchlight_anywhere().arg("--help"));
    assert!(help.contains("none of them opens the screen"), "{help}");
    assert!(help.contains("completions"), "{help}");
    // The program is called porchlight, whatever its file is named (porchlight.exe on Windows).
    assert!(help.contains("Usage: porchlight [OPTIONS]"), "{help}");
    assert!(!help.contains("porchlight.exe"), "{help}");
    // --reset-demo is offered at the top only, not on each listing command.
    let devices_help = stdout_of(porchlight_anywhere().args(["devices", "--help"]));
    assert!(!devices_help.contains("--reset-demo"));
}

#[test]
fn remind_by_a_past_date_still_lists_what_is_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let now_list = stdout_of(porchlight(dir.path()).args(["--demo", "remind"]));
    assert!(now_list.contains("need you"), "{now_list}");
    let past = stdout_of(porchlight(dir.path()).args(["--demo", "remind", "--by", "2001-01-01"]));
    assert!(!past.contains("Nothing needs you"), "{past}");
    assert!(past.starts_with("2001-01-01 is in the past"), "{past}");
    // The same items as today. A step can fall due between the two runs (the demo's due dates
    // fall on day boundaries), so compare with a listing taken just before and one just after.
    let after = stdout_of(porchlight(dir.path()).args(["--demo", "remind"]));
    assert!(
        past.ends_with(&now_list) || past.ends_with(&after),
        "{past}\n---\n{now_list}\n---\n{after}"
    );
    porchlight(dir.path())
        .args([
            "--demo",
            "remind",
            "--by",
            "2001-01-01",
            "--exit-code",
            "--quiet",
        ])
        .assert()
        .code(10);
}

#[test]
fn report_to_a_file_takes_its_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.HTM", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.md", "# porchlight report"),
    ] {
        let path = dir.path().join(name);
        porchlight(dir.path())
            .args(["--demo", "report", "-o"])
            .arg(&path)
            .assert()
            .success();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(starts),
            "{name}: {}",
            &text[..40.min(text.len())]
        );
    }
    // `-o -` is standard output, in Markdown unless --format says otherwise.
    let out = stdout_of(porchlight(dir.path()).args(["--demo", "report", "-o", "-"]));
    assert!(out.starts_with("# porchlight report"));
    // --format wins over the extension.
    let path = dir.path().join("notes.txt");
    porchlight(dir.path())
        .args(["--demo", "report", "--format", "json", "-o"])
        .arg(&path)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&path).unwrap().starts_with('{'));
}

#[test]
fn completions_for_each_shell_and_a_manual_page() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef porchlight"),
        ("fish", "complete -c porchlight"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let text = stdout_of(porchlight_anywhere().args(["completions", shell]));
        assert!(text.contains(marker), "{shell}");
        assert!(text.contains("remind"), "{shell} completes the commands");
    }
    let man = stdout_of(porchlight_anywhere().arg("man"));
    assert!(
        man.contains(".TH porchlight"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("remind"));
}

/// A reader that stopped before the output came (`porchlight completions bash | true`): the pipe
/// is closed before porchlight starts, so its first write fails (EPIPE on Unix; 232 "the pipe is
/// being closed" on Windows). That is a quiet exit 0, not a panic (101) nor an error line.
#[test]
fn a_closed_pipe_ends_each_printing_command_quietly() {
    let data = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("porchlight");
    for args in [
        &["completions", "bash"][..],
        &["completions", "powershell"],
        &["man"],
        &["--help"],
        &["--demo", "devices"],
        &["--demo", "devices", "--json"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(&exe)
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env_remove("RUST_LOG")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
