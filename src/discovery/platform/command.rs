//! Runs a system tool, bounded in time: the thin platform part under the pure parsers in
//! [`super::macos`] and [`super::windows`], and under `remind --install` on Windows.
//!
//! [`run_bounded`] is for tools read by porchlight (`arp`, `route`): no input, errors discarded,
//! output read on a helper thread up to a byte cap, the tool killed when it runs past its time.
//! Output is decoded leniently (Windows tools print in the console's code page; the parsers only
//! need the ASCII parts). [`run_visible`] is for a tool whose messages are for the owner
//! (`schtasks`): its output goes to the terminal, and it too is stopped after its time.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a tool may run.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(3);

/// The most output read from a tool (a home's tables are a few kilobytes).
pub const TOOL_MAX_BYTES: usize = 1 << 20;

/// How often a running tool is checked for having finished.
const POLL: Duration = Duration::from_millis(10);

/// Runs `program` with `args` and returns what it printed, at most `max_bytes` of it.
///
/// # Errors
/// A one-line reason when the tool cannot be started, runs longer than `timeout` (it is killed),
/// or exits with a failure status.
pub fn run_bounded(
    program: &Path,
    args: &[&str],
    timeout: Duration,
    max_bytes: usize,
) -> Result<String, String> {
    let name = tool_name(program);
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run {name}: {e}"))?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("could not read the output of {name}"));
    };
    let cap = u64::try_from(max_bytes).unwrap_or(u64::MAX);
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut limited = stdout.take(cap);
        let read = limited.read_to_end(&mut out);
        // Past the cap, keep draining so the tool is not blocked on a full pipe; drop the rest.
        let mut rest = limited.into_inner();
        let _ = std::io::copy(&mut rest, &mut std::io::sink());
        read.map(|_| out)
    });
    let status = wait_at_most(&mut child, &name, timeout);
    // The tool has exited or was killed, so its end of the pipe is closed and the reader ends
    // (unless a grandchild kept it open: then the reader is left behind rather than waited for).
    let status = status?;
    let output = if reader.is_finished() || wait_briefly(&reader) {
        reader
            .join()
            .map_err(|_| format!("reading the output of {name} failed"))?
            .map_err(|e| format!("could not read the output of {name}: {e}"))?
    } else {
        return Err(format!("the output of {name} did not end"));
    };
    if !status.success() {
        return Err(format!("{name} failed ({status})"));
    }
    Ok(String::from_utf8_lossy(&output).into_owned())
}

/// Runs `program` with `args` where the owner sees its output and messages (its own terminal), and
/// stops it after `timeout`.
///
/// # Errors
/// A one-line reason when it cannot be started, runs too long, or exits with a failure status.
pub fn run_visible(program: &Path, args: &[&str], timeout: Duration) -> Result<(), String> {
    let name = tool_name(program);
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run {name}: {e}"))?;
    let status = wait_at_most(&mut child, &name, timeout)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// The name a tool is called by in messages: its file name.
fn tool_name(program: &Path) -> String {
    program.file_name().map_or_else(
        || program.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Waits for `child` to exit, killing it (and reaping it) when it runs past `timeout`.
fn wait_at_most(child: &mut Child, name: &str, timeout: Duration) -> Result<ExitStatus, String> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{name} did not finish within {} s and was stopped",
                    timeout.as_secs_f32()
                ));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("could not wait for {name}: {e}"));
            }
        }
    }
}

/// Waits up to a quarter second for `reader` to finish.
fn wait_briefly<T>(reader: &std::thread::JoinHandle<T>) -> bool {
    let until = Instant::now() + Duration::from_millis(250);
    while Instant::now() < until {
        if reader.is_finished() {
            return true;
        }
        std::thread::sleep(POLL);
    }
    reader.is_finished()
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    const SH: &str = "/bin/sh";

    #[test]
    fn returns_what_the_tool_printed() {
        let out = run_bounded(
            Path::new(SH),
            &["-c", "echo one; echo two"],
            TOOL_TIMEOUT,
            1024,
        );
        assert_eq!(out.unwrap(), "one\ntwo\n");
    }

    #[test]
    fn stops_a_tool_that_runs_too_long() {
        let started = Instant::now();
        let out = run_bounded(
            Path::new(SH),
            &["-c", "exec sleep 30"],
            Duration::from_millis(200),
            1024,
        );
        let err = out.unwrap_err();
        assert!(err.contains("did not finish within 0.2 s"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn keeps_only_the_first_bytes_of_endless_output() {
        let started = Instant::now();
        // `head` ends the stream after 5 MB, well past the cap of 4 KiB.
        let out = run_bounded(
            Path::new(SH),
            &["-c", "yes 0123456789 | head -c 5000000"],
            TOOL_TIMEOUT,
            4096,
        )
        .unwrap();
        assert_eq!(out.len(), 4096);
        assert!(out.starts_with("0123456789\n"));
        assert!(started.elapsed() < TOOL_TIMEOUT);
    }

    #[test]
    fn a_visible_tool_succeeds_fails_or_is_stopped() {
        assert_eq!(
            run_visible(Path::new(SH), &["-c", "exit 0"], TOOL_TIMEOUT),
            Ok(())
        );
        let err = run_visible(Path::new(SH), &["-c", "exit 2"], TOOL_TIMEOUT).unwrap_err();
        assert!(err.starts_with("sh failed"), "{err}");
        let started = Instant::now();
        let err = run_visible(
            Path::new(SH),
            &["-c", "exec sleep 30"],
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_failing_tool_is_an_error_with_its_name() {
        let err = run_bounded(Path::new(SH), &["-c", "exit 3"], TOOL_TIMEOUT, 1024).unwrap_err();
        assert!(err.starts_with("sh failed"), "{err}");
        let err = run_bounded(Path::new("/nonexistent/arp"), &[], TOOL_TIMEOUT, 1024).unwrap_err();
        assert!(err.starts_with("could not run arp:"), "{err}");
    }
}
