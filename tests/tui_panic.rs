//! A panic never leaves the terminal broken: in a real pseudo-terminal (util-linux `script`), the
//! terminal UI's hook gives the terminal back (raw mode off, the normal screen back, mouse capture
//! off, cursor shown) before the panic message prints, and a panic that `porchlight::fault`
//! contains leaves the running UI alone and prints nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
// A pseudo-terminal through util-linux `script`: Unix only.
#![cfg(unix)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Set for the half that runs inside the pseudo-terminal.
const CHILD_VAR: &str = "PORCHLIGHT_PANIC_TEST_CHILD";

#[test]
fn a_worker_panic_restores_the_terminal_before_its_message() {
    let Ok(script) = which("script") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed under CI"
        );
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is not installed");
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let command = format!(
        "{} --exact the_ui_half_that_panics --ignored --nocapture --test-threads=1",
        exe.display()
    );
    for run in 0..3 {
        let out = Command::new(&script)
            .args(["-qefc", &command, "/dev/null"])
            .env(CHILD_VAR, "1")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("run {run}: no {needle:?} in:\n{text:?}"))
        };
        let entered = at("\x1b[?1049h");
        let contained = at("CONTAINED QUIET");
        let mouse_off = at("\x1b[?1000l");
        let left = at("\x1b[?1049l");
        let shown = at("\x1b[?25h");
        let message = at("boom from a worker");
        assert!(
            entered < contained && contained < left,
            "run {run}: {text:?}"
        );
        assert!(
            mouse_off < message && left < message && shown < message,
            "run {run}: {text:?}"
        );
        // The contained panic printed nothing.
        assert!(
            !text.contains("a contained parser bug"),
            "run {run}: {text:?}"
        );
        // After the hook the terminal is cooked again: line editing and echo are back.
        let stty = text
            .lines()
            .find(|l| l.contains("STTY "))
            .unwrap_or_else(|| panic!("run {run}: no stty line:\n{text:?}"));
        assert!(
            stty.contains(" icanon") && !stty.contains("-icanon"),
            "{stty}"
        );
        assert!(
            stty.contains(" echo ") && !stty.contains("-echo "),
            "{stty}"
        );
        assert!(text.contains("RESTORED true"), "run {run}: {text:?}");
    }
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(program))
                .find(|p| p.is_file())
        })
        .ok_or(())
}

/// The half that runs inside the pseudo-terminal: sets the terminal up as the UI does (with mouse
/// capture too), has a contained panic, then an uncontained one on a worker thread.
#[test]
#[ignore = "run inside a pseudo-terminal by a_worker_panic_restores_the_terminal_before_its_message"]
fn the_ui_half_that_panics() {
    if std::env::var_os(CHILD_VAR).is_none() {
        eprintln!("{CHILD_VAR} is not set: this half runs inside a pseudo-terminal only");
        return;
    }
    porchlight::fault::install_hook();
    let terminal = ratatui::try_init().unwrap();
    let mut out = std::io::stdout();
    crossterm::execute!(out, crossterm::event::EnableMouseCapture).unwrap();
    porchlight::tui::panic::install();

    let caught = porchlight::fault::contain_sync("a test reply", || -> u8 {
        panic!("a contained parser bug")
    });
    assert!(caught.is_err());
    assert!(!porchlight::tui::panic::restored());
    write!(out, "CONTAINED QUIET\r\n").unwrap();
    out.flush().unwrap();

    let worker = std::thread::spawn(|| panic!("boom from a worker"));
    assert!(worker.join().is_err());
    println!("RESTORED {}", porchlight::tui::panic::restored());
    let tty = std::fs::File::open("/dev/tty").unwrap();
    let stty = Command::new("stty").arg("-a").stdin(tty).output().unwrap();
    println!(
        "STTY {}",
        String::from_utf8_lossy(&stty.stdout).replace('\n', " ")
    );
    drop(terminal);
}
