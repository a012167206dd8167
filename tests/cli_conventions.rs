//! Command-line conventions: a mistyped command line is one line and status 2, bad values
//! included; `remind --by` a past date still lists what is overdue; `report -o FILE` follows FILE's
//! extension; `--reset-demo` only where it means something; completions and a manual page.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use assert_cmd::Command;

fn porchlight(data: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("porchlight").unwrap();
    cmd.arg("--data-dir").arg(data).env_remove("RUST_LOG");
    cmd
}

/// Runs `args`, which must be refused as a usage error: status 2, one line naming `expected`,
/// nothing saved.
fn usage_error(args: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = porchlight(dir.path())
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("porchlight: "), "{stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
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
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    assert!(help.contains("none of them opens the screen"), "{help}");
    assert!(help.contains("completions"), "{help}");
    // --reset-demo is offered at the top only, not on each listing command.
    let devices_help = Command::cargo_bin("porchlight")
        .unwrap()
        .args(["devices", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        !String::from_utf8(devices_help)
            .unwrap()
            .contains("--reset-demo")
    );
}

#[test]
fn remind_by_a_past_date_still_lists_what_is_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let now_list = porchlight(dir.path())
        .args(["--demo", "remind"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let now_list = String::from_utf8(now_list).unwrap();
    assert!(now_list.contains("need you"), "{now_list}");
    let past = porchlight(dir.path())
        .args(["--demo", "remind", "--by", "2001-01-01"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let past = String::from_utf8(past).unwrap();
    assert!(!past.contains("Nothing needs you"), "{past}");
    assert!(past.starts_with("2001-01-01 is in the past"), "{past}");
    // The same items as today. A step can fall due between the two runs (the demo's due dates
    // fall on day boundaries), so compare with a listing taken just before and one just after.
    let after = porchlight(dir.path())
        .args(["--demo", "remind"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let after = String::from_utf8(after).unwrap();
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
    let out = porchlight(dir.path())
        .args(["--demo", "report", "-o", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("# porchlight report")
    );
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
        let out = Command::cargo_bin("porchlight")
            .unwrap()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(marker), "{shell}");
        assert!(text.contains("remind"), "{shell} completes the commands");
    }
    let man = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("man")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let man = String::from_utf8(man).unwrap();
    assert!(
        man.contains(".TH porchlight"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("remind"));
}
