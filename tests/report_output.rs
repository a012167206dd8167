//! `porchlight report -o FILE`, driven the way the owner runs it: the report lands whole and
//! owner-only, `-o -` is standard output, and nothing but a regular file is ever replaced (a
//! symlink, folder, FIFO or socket at that name is refused and left as it was).

#![cfg(unix)] // modes, FIFOs, sockets and device nodes are Unix's
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Command as StdCommand;

mod common;

use assert_cmd::Command;
use common::cli::{one_line_error, porchlight};

/// `porchlight --demo report` over the data folder `data`.
fn report(data: &Path) -> Command {
    let mut cmd = porchlight(data);
    cmd.arg("--demo").arg("report");
    cmd
}

/// The names in `dir` other than `keep`: no temporary file is left behind.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn a_report_file_is_written_whole_and_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let file = out.join("home.md");
    let done = report(&data).arg("-o").arg(&file).output().unwrap();
    assert!(done.status.success(), "{done:?}");
    assert!(String::from_utf8_lossy(&done.stderr).contains("Wrote"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# porchlight report"), "{text}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");

    // An older report, readable by all, is replaced and becomes owner-only too.
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    report(&data).arg("-o").arg(&file).assert().success();
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("# porchlight")
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        others(&out, &["home.md"]).is_empty(),
        "{:?}",
        others(&out, &["home.md"])
    );
}

#[test]
fn a_dash_writes_to_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    let done = report(tmp.path())
        .current_dir(tmp.path())
        .args(["-f", "json", "-o", "-"])
        .output()
        .unwrap();
    assert!(done.status.success());
    let json: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert!(json.get("devices").is_some());
    assert!(!tmp.path().join("-").exists());
}

/// Runs `report -o path` and returns its stderr, asserting a one-line refusal.
fn refused(data: &Path, path: &Path) -> String {
    let (_, err) = one_line_error(
        report(data).arg("-o").arg(path),
        1,
        &path.display().to_string(),
    );
    err
}

#[test]
fn a_symlink_at_the_name_is_refused_and_its_target_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("precious");
    std::fs::write(&target, "keep me").unwrap();
    let link = tmp.path().join("report.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = refused(&tmp.path().join("data"), &link);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(others(tmp.path(), &["precious", "report.md", "data"]).is_empty());
}

#[test]
fn a_folder_fifo_or_socket_at_the_name_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    let folder = tmp.path().join("folder.md");
    std::fs::create_dir(&folder).unwrap();
    assert!(refused(&data, &folder).contains("a folder"));
    assert!(folder.is_dir());

    let fifo = tmp.path().join("fifo.md");
    assert!(
        StdCommand::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    assert!(refused(&data, &fifo).contains("FIFO"));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let socket = tmp.path().join("socket.md");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    assert!(refused(&data, &socket).contains("a socket"));
    assert!(
        std::fs::symlink_metadata(&socket)
            .unwrap()
            .file_type()
            .is_socket()
    );

    assert!(others(tmp.path(), &["folder.md", "fifo.md", "socket.md", "data"]).is_empty());
}

#[test]
fn a_device_node_is_refused() {
    // A null device made in the test's own folder (never one in /dev): as root `mknod` works;
    // elsewhere the test says why it cannot run (and fails under CI).
    let tmp = tempfile::tempdir().unwrap();
    let node = tmp.path().join("null.md");
    let made = StdCommand::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .output()
        .unwrap();
    if !made.status.success() {
        let why = String::from_utf8_lossy(&made.stderr);
        assert!(
            std::env::var_os("CI").is_none(),
            "mknod is needed under CI: {why}"
        );
        eprintln!("skipped: mknod could not make a device node here: {why}");
        return;
    }
    let err = refused(&tmp.path().join("data"), &node);
    assert!(err.contains("a device"), "{err}");
    let kind = std::fs::symlink_metadata(&node).unwrap().file_type();
    assert!(kind.is_char_device());
}

#[test]
fn a_missing_folder_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("no-such-folder").join("r.md");
    let err = refused(&tmp.path().join("data"), &file);
    assert!(err.contains("could not write the report"), "{err}");
    assert!(!err.contains(".porchlight-report-"), "{err}");
}
