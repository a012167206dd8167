//! The user service that keeps `porchlight watch` running: a systemd user unit on Linux, a
//! launchd agent on macOS, a scheduled task on Windows. Each is a [`Plan`] (shown whole, asked,
//! then carried out by [`crate::schedule::carry_out`]) with the command that stops it for good.

use std::path::{Path, PathBuf};

use crate::schedule::{Job, Plan};

/// The systemd user unit's file name.
pub const SYSTEMD_UNIT: &str = "porchlight-watch.service";

/// The launchd agent's label (and file name, with `.plist`).
pub const LAUNCHD_LABEL: &str = "org.porchlight.watch";

/// The scheduled task's name (Windows).
pub const TASK_NAME: &str = "porchlight watch";

/// How often Task Scheduler tries to start the task, in minutes. A try while watch runs does
/// nothing (Task Scheduler's default for a running task is to leave it be), so watch starts this
/// long after sign-in at most, and again this long after it stops.
pub const TASK_EVERY_MINUTES: u32 = 5;

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

impl ServiceFile {
    /// As a plan to show and carry out: its folder, then the file.
    pub fn into_service(self) -> Service {
        let folders = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .into_iter()
            .collect();
        Service {
            plan: Plan::Files {
                files: vec![(self.path, self.text)],
                folders,
                start: self.start,
            },
            after: None,
            stop: self.stop,
        }
    }
}

/// What `watch --install` does on this system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// What is shown, then done.
    pub plan: Plan,
    /// Said once it is done, when the plan does not say how it starts.
    pub after: Option<String>,
    /// The command that stops it for good.
    pub stop: String,
}

/// The service for this system that runs `argv` (the program and its arguments), with the unit
/// folders under `config_dir` (Linux: `~/.config`) or `home` (macOS: `~/Library/LaunchAgents`),
/// the task's log under `data_local_dir` (Windows: `%LOCALAPPDATA%`).
///
/// # Errors
/// One line when a word of `argv` holds a line break (a `--data-dir` named with one), or (Windows)
/// cannot be carried by a scheduled task.
pub fn for_this_system(
    argv: &[String],
    config_dir: &Path,
    home: &Path,
    data_local_dir: &Path,
) -> Result<Service, String> {
    crate::schedule::refuse_line_breaks(argv.iter().map(String::as_str))?;
    if cfg!(target_os = "macos") {
        Ok(launchd(argv, home).into_service())
    } else if cfg!(windows) {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
        let system32 = PathBuf::from(root).join("System32");
        scheduled_task(argv, &data_local_dir.join("porchlight"), &system32)
    } else {
        Ok(systemd(argv, config_dir).into_service())
    }
}

/// The scheduled task (Windows) for the signed-in user: Task Scheduler tries to start it every
/// [`TASK_EVERY_MINUTES`] minutes and leaves a running one be, so watch runs while the owner is
/// signed in and comes back after it stops; its output is appended to `log_dir`\\watch.log.
///
/// # Errors
/// One line when the task's command would be too long for Task Scheduler, or a word holds a
/// character its `cmd` cannot carry (see [`crate::schedule::schtasks_plan`]).
pub fn scheduled_task(argv: &[String], log_dir: &Path, system32: &Path) -> Result<Service, String> {
    let (program, args) = argv
        .split_first()
        .ok_or("the service has no program to run")?;
    let job = Job {
        name: "watch".into(),
        description: "say what changed on the home network".into(),
        program: PathBuf::from(program),
        args: args.to_vec(),
    };
    let every = TASK_EVERY_MINUTES.to_string();
    let plan = crate::schedule::schtasks_plan_when(
        &job,
        log_dir,
        system32,
        &["/SC", "MINUTE", "/MO", &every],
    )?;
    let schtasks = system32.join("schtasks.exe");
    let schtasks = schtasks.display();
    Ok(Service {
        plan,
        after: Some(format!(
            "It starts within {TASK_EVERY_MINUTES} minutes (and again within {TASK_EVERY_MINUTES} minutes whenever it stops, while you are signed in). To start it now: \"{schtasks}\" /Run /TN \"{TASK_NAME}\""
        )),
        stop: format!(
            "\"{schtasks}\" /End /TN \"{TASK_NAME}\" & \"{schtasks}\" /Delete /TN \"{TASK_NAME}\" /F"
        ),
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
        let e = for_this_system(&broken, Path::new("/c"), Path::new("/h"), Path::new("/l"))
            .unwrap_err();
        assert!(e.contains("line break") && !e.contains('\n'), "{e}");
        assert!(e.contains("x\\nExecStartPre"), "{e}");
    }

    #[test]
    fn the_scheduled_task_starts_watch_every_five_minutes_and_logs_its_output() {
        let argv: Vec<String> = [
            r"C:\Program Files\porchlight\porchlight.exe",
            "--data-dir",
            r"C:\Users\jo\porch data",
            "watch",
            "--every",
            "30m",
        ]
        .map(String::from)
        .to_vec();
        let s = scheduled_task(
            &argv,
            Path::new(r"C:\Users\jo\AppData\Local\porchlight"),
            Path::new(r"C:\Windows\System32"),
        )
        .unwrap();
        let Plan::Command {
            program,
            args,
            folders,
            shown,
        } = &s.plan
        else {
            panic!("a task is created by a command: {:?}", s.plan);
        };
        // Built on Linux, paths join with '/'; on Windows with '\'.
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(
            program.to_string_lossy(),
            format!(r"C:\Windows\System32{sep}schtasks.exe")
        );
        assert_eq!(
            &args[..8],
            [
                "/Create",
                "/F",
                "/SC",
                "MINUTE",
                "/MO",
                "5",
                "/TN",
                "porchlight watch"
            ]
        );
        assert_eq!(
            args[9],
            format!(
                r#"C:\Windows\System32{sep}cmd.exe /c ""C:\Program Files\porchlight\porchlight.exe" --data-dir "C:\Users\jo\porch data" watch --every 30m >> "C:\Users\jo\AppData\Local\porchlight{sep}watch.log" 2>&1""#
            )
        );
        assert_eq!(
            folders,
            &[PathBuf::from(r"C:\Users\jo\AppData\Local\porchlight")]
        );
        assert!(s.plan.describe().contains(shown.as_str()));
        assert!(
            s.stop.contains(r#"/Delete /TN "porchlight watch" /F"#),
            "{}",
            s.stop
        );
        assert!(s.after.unwrap().contains("/Run /TN"));
        let long = vec!["C:\\x".to_string(), "y".repeat(300)];
        let e = scheduled_task(&long, Path::new("C:\\l"), Path::new("C:\\w")).unwrap_err();
        assert!(e.contains("Task Scheduler keeps"), "{e}");
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
