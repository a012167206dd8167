//! Desktop notifications for watch: one per change, through the desktop's own `notify-send`
//! (Linux, freedesktop notifications) or `osascript` (macOS) when there is one. No session bus or
//! no such program: nothing happens and nothing is said (the line on standard output is the
//! record). Each call is bounded: a helper that does not finish in two seconds is killed.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sanitize::clean;

/// The longest a notification helper may take.
const HELPER_WAIT: Duration = Duration::from_secs(2);

/// True when a desktop session seems to be there to show notifications.
pub fn available() -> bool {
    if cfg!(target_os = "macos") {
        return true;
    }
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Shows `line` as a notification titled "porchlight", quietly doing nothing when the desktop
/// offers none.
pub fn send(line: &str) {
    if !available() {
        return;
    }
    let body = clean(line, 200);
    let mut cmd = if cfg!(target_os = "macos") {
        let escaped = body.replace('\\', "\\\\").replace('"', "\\\"");
        let mut c = Command::new("osascript");
        c.arg("-e").arg(format!(
            "display notification \"{escaped}\" with title \"porchlight\""
        ));
        c
    } else {
        let mut c = Command::new("notify-send");
        c.args(["--app-name=porchlight", "--", "porchlight"])
            .arg(body);
        c
    };
    let Ok(mut child) = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) if start.elapsed() >= HELPER_WAIT => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}
