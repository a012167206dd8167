//! The user service that keeps `porchlight watch` running: a systemd user unit on Linux, a
//! launchd agent on macOS. Only the files' text and where they go; the CLI shows them, asks, and
//! writes them.

use std::path::{Path, PathBuf};

/// The systemd user unit's file name.
pub const SYSTEMD_UNIT: &str = "porchlight-watch.service";

/// The launchd agent's label (and file name, with `.plist`).
pub const LAUNCHD_LABEL: &str = "org.porchlight.watch";

/// A user service to write: where, what, and how to start and stop it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFile {
    /// Where the file goes.
    pub path: PathBuf,
    /// Its contents.
    pub text: String,
    /// The command that starts it (and at each login after).
    pub start: String,
    /// The command that stops it for good.
    pub stop: String,
}

/// The service for this system that runs `argv` (the program and its arguments), with the unit
/// folders under `config_dir` (Linux: `~/.config`) or `home` (macOS: `~/Library/LaunchAgents`).
///
/// # Errors
/// One line when a word of `argv` holds a line break (a `--data-dir` named with one).
pub fn for_this_system(
    argv: &[String],
    config_dir: &Path,
    home: &Path,
) -> Result<ServiceFile, String> {
    crate::schedule::refuse_line_breaks(argv.iter().map(String::as_str))?;
    Ok(if cfg!(target_os = "macos") {
        launchd(argv, home)
    } else {
        systemd(argv, config_dir)
    })
}

/// The systemd user unit.
pub fn systemd(argv: &[String], config_dir: &Path) -> ServiceFile {
    let command: Vec<String> = argv
        .iter()
        .map(|a| crate::schedule::systemd_quote(a))
        .collect();
    let text = format!(
        "[Unit]\n\
         Description=porchlight watch: say what changed on the home network\n\
         Wants=network-online.target\n\
         After=network-online.target\n\n\
         [Service]\n\
         ExecStart={}\n\
         Restart=on-failure\n\
         RestartSec=60\n\n\
         [Install]\n\
         WantedBy=default.target\n",
        command.join(" ")
    );
    ServiceFile {
        path: config_dir.join("systemd").join("user").join(SYSTEMD_UNIT),
        text,
        start: format!(
            "systemctl --user daemon-reload && systemctl --user enable --now {SYSTEMD_UNIT}"
        ),
        stop: format!("systemctl --user disable --now {SYSTEMD_UNIT}"),
    }
}

/// The launchd agent.
pub fn launchd(argv: &[String], home: &Path) -> ServiceFile {
    let args: String = argv
        .iter()
        .map(|a| format!("    <string>{}</string>\n", xml_escape(a)))
        .collect();
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n<dict>\n\
         \x20 <key>Label</key>\n  <string>{LAUNCHD_LABEL}</string>\n\
         \x20 <key>ProgramArguments</key>\n  <array>\n{args}  </array>\n\
         \x20 <key>RunAtLoad</key>\n  <true/>\n\
         \x20 <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>\n  </dict>\n\
         </dict>\n</plist>\n"
    );
    let path = home
        .join("Library")
        .join("LaunchAgents")
        .join(format!("{LAUNCHD_LABEL}.plist"));
    ServiceFile {
        start: format!("launchctl load -w {}", path.display()),
        stop: format!("launchctl unload -w {}", path.display()),
        path,
        text,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn argv() -> Vec<String> {
        [
            "/opt/my tools/porchlight",
            "--data-dir",
            "/home/a/100%",
            "watch",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn systemd_unit_runs_watch_with_quoted_words_and_restarts_on_failure() {
        let s = systemd(&argv(), Path::new("/home/a/.config"));
        assert_eq!(
            s.path,
            Path::new("/home/a/.config/systemd/user/porchlight-watch.service")
        );
        assert!(
            s.text.contains(
                "ExecStart=\"/opt/my tools/porchlight\" --data-dir /home/a/100%% watch\n"
            ),
            "{}",
            s.text
        );
        assert!(s.text.contains("Restart=on-failure"), "{}", s.text);
        assert!(s.stop.contains("disable --now porchlight-watch.service"));
    }

    #[test]
    fn dollar_and_percent_in_the_data_folder_reach_watch_as_they_are_and_a_line_break_is_refused() {
        let argv: Vec<String> = [
            "/usr/bin/porchlight",
            "--data-dir",
            "/home/a/$HOME 100%",
            "watch",
        ]
        .map(String::from)
        .to_vec();
        let s = systemd(&argv, Path::new("/home/a/.config"));
        // systemd reads `$$` as `$` and `%%` as `%`: no variable or specifier is expanded.
        assert!(
            s.text.contains(
                "ExecStart=/usr/bin/porchlight --data-dir \"/home/a/$$HOME 100%%\" watch\n"
            ),
            "{}",
            s.text
        );
        let broken: Vec<String> = [
            "/usr/bin/porchlight",
            "--data-dir",
            "/home/a/x\nExecStartPre=/bin/rm",
            "watch",
        ]
        .map(String::from)
        .to_vec();
        let e = for_this_system(&broken, Path::new("/c"), Path::new("/h")).unwrap_err();
        assert!(e.contains("line break") && !e.contains('\n'), "{e}");
        assert!(e.contains("x\\nExecStartPre"), "{e}");
    }

    #[test]
    fn launchd_agent_lists_each_argument_escaped() {
        let s = launchd(&argv(), Path::new("/Users/a"));
        assert_eq!(
            s.path,
            Path::new("/Users/a/Library/LaunchAgents/org.porchlight.watch.plist")
        );
        assert!(s.text.contains("<string>/opt/my tools/porchlight</string>"));
        assert!(s.text.contains("<string>watch</string>"));
        assert!(s.text.contains("<key>RunAtLoad</key>"));
        assert!(s.start.starts_with("launchctl load -w "));
    }
}
