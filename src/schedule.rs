//! Daily jobs the owner asks porchlight to set up (`remind --install`): a systemd user timer on
//! Linux, a launchd agent on macOS, a scheduled task on Windows.
//!
//! Each platform's plan is built by a pure function from the job (the program and its arguments)
//! and the owner's folders, so all three are tested everywhere. A plan is shown whole before
//! anything happens; [`carry_out`] then writes its files (Linux, macOS: the owner starts the job
//! with the command shown) or runs its command (Windows: `schtasks`, bounded in time).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most characters Task Scheduler keeps of a task's command (`schtasks /TR`).
pub const SCHTASKS_MAX_COMMAND: usize = 261;

/// How long `schtasks` may run.
const SCHTASKS_TIMEOUT: Duration = Duration::from_secs(30);

/// A command to run every day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// A short name, part of every file and task name: `remind` gives `porchlight-remind`.
    pub name: String,
    /// One line saying what it does.
    pub description: String,
    /// The porchlight executable, absolute.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
}

/// What installing a job does, shown before it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Write these files (path, contents), then tell the owner how to start the job.
    Files {
        /// The files, in order.
        files: Vec<(PathBuf, String)>,
        /// Folders to create first (a log folder, say).
        folders: Vec<PathBuf>,
        /// The command that starts the job, for the owner to run.
        start: String,
    },
    /// Run this command (after creating these folders).
    Command {
        /// Folders to create first.
        folders: Vec<PathBuf>,
        /// The program.
        program: PathBuf,
        /// Its arguments.
        args: Vec<String>,
        /// The command as the owner would type it.
        shown: String,
    },
}

impl Plan {
    /// What the plan will do, in full, for the owner to read before saying yes.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        match self {
            Plan::Files { files, .. } => {
                let count = if files.len() == 1 {
                    "one file".to_string()
                } else {
                    format!("{} files", files.len())
                };
                let _ = writeln!(out, "porchlight will write {count}:\n");
                for (path, contents) in files {
                    let _ = writeln!(out, "{}:\n{contents}", path.display());
                }
            }
            Plan::Command { shown, .. } => {
                let _ = writeln!(out, "porchlight will run:\n\n{shown}\n");
            }
        }
        out
    }
}

/// The systemd user timer and service (Linux), under `config_dir` (`~/.config`).
pub fn systemd_plan(job: &Job, config_dir: &Path) -> Plan {
    let units = config_dir.join("systemd").join("user");
    let unit = format!("porchlight-{}", job.name);
    let exec = std::iter::once(job.program.to_string_lossy().into_owned())
        .chain(job.args.iter().cloned())
        .map(|a| systemd_quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let service = format!(
        "[Unit]\nDescription=porchlight: {}\n\n[Service]\nType=oneshot\nExecStart={exec}\n",
        job.description
    );
    let timer = format!(
        "[Unit]\nDescription=Run porchlight {} every day\n\n[Timer]\nOnCalendar=daily\nPersistent=true\nRandomizedDelaySec=15m\n\n[Install]\nWantedBy=timers.target\n",
        job.name
    );
    Plan::Files {
        files: vec![
            (units.join(format!("{unit}.service")), service),
            (units.join(format!("{unit}.timer")), timer),
        ],
        folders: vec![units],
        start: format!(
            "systemctl --user daemon-reload && systemctl --user enable --now {unit}.timer"
        ),
    }
}

/// Refuses words holding a line break (a `--data-dir` named with one): a unit file's line, a
/// plist shown for copying and a scheduled task's command line cannot carry one safely.
///
/// # Errors
/// One line naming the word, its line breaks shown as `\n`.
pub(crate) fn refuse_line_breaks<'a>(
    words: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    match words.into_iter().find(|w| w.contains(['\n', '\r'])) {
        Some(word) => Err(format!(
            "{} holds a line break, which a service or scheduled job cannot run; use a folder (--data-dir) without one",
            word.replace('\n', "\\n").replace('\r', "\\r")
        )),
        None => Ok(()),
    }
}

/// A word for systemd's `ExecStart=`: as it is when it needs no quoting, else double-quoted with
/// backslash escapes; `%` (systemd's specifier) is doubled, and `$` (its variables) too.
pub(crate) fn systemd_quote(word: &str) -> String {
    let escaped = word.replace('%', "%%");
    let plain = !escaped.is_empty()
        && escaped
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\' | ';' | '$'));
    if plain {
        return escaped;
    }
    let mut out = String::from("\"");
    for c in escaped.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '$' => out.push_str("$$"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The launchd agent (macOS) in `home`/Library/LaunchAgents: runs the job every day at 09:00 (or
/// when the Mac wakes, if it slept through that), its output in `home`/Library/Logs/porchlight.
pub fn launchd_plan(job: &Job, home: &Path) -> Plan {
    let label = format!("org.porchlight.{}", job.name);
    let agents = home.join("Library").join("LaunchAgents");
    let logs = home.join("Library").join("Logs").join("porchlight");
    let log = logs.join(format!("{}.log", job.name));
    let plist_path = agents.join(format!("{label}.plist"));
    let mut arguments = String::new();
    for arg in std::iter::once(job.program.to_string_lossy().into_owned()).chain(job.args.clone()) {
        let _ = writeln!(arguments, "    <string>{}</string>", xml_escape(&arg));
    }
    let log = xml_escape(&log.to_string_lossy());
    let plist = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{label}</string>
  <key>ProgramArguments</key>
  <array>
{arguments}  </array>
  <key>StartCalendarInterval</key>
  <dict>
    <key>Hour</key>
    <integer>9</integer>
    <key>Minute</key>
    <integer>0</integer>
  </dict>
  <key>StandardOutPath</key>
  <string>{log}</string>
  <key>StandardErrorPath</key>
  <string>{log}</string>
</dict>
</plist>
"#
    );
    let start = format!(
        "launchctl bootstrap gui/$(id -u) {} (when replacing an installed one, first: launchctl bootout gui/$(id -u)/{label})",
        sh_quote(&plist_path.to_string_lossy())
    );
    Plan::Files {
        files: vec![(plist_path, plist)],
        folders: vec![agents, logs],
        start,
    }
}

/// Text for an XML element.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A word for a POSIX shell: as it is when safe, else single-quoted.
fn sh_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The scheduled task (Windows): `schtasks /Create` for the signed-in user, every day at 09:00,
/// the job's output appended to `log_dir`\\`name`.log through `cmd /c`. `system32` is where
/// `schtasks.exe` and `cmd.exe` live.
///
/// # Errors
/// When the task's command would be longer than Task Scheduler keeps
/// ([`SCHTASKS_MAX_COMMAND`]), or a path holds a double quote (Windows paths cannot).
pub fn schtasks_plan(job: &Job, log_dir: &Path, system32: &Path) -> Result<Plan, String> {
    schtasks_plan_when(job, log_dir, system32, &["/SC", "DAILY", "/ST", "09:00"])
}

/// [`schtasks_plan`] with its schedule given as `schtasks` words (`/SC MINUTE /MO 5`...).
///
/// # Errors
/// As [`schtasks_plan`].
pub fn schtasks_plan_when(
    job: &Job,
    log_dir: &Path,
    system32: &Path,
    when: &[&str],
) -> Result<Plan, String> {
    let log = log_dir.join(format!("{}.log", job.name));
    let mut words = vec![job.program.to_string_lossy().into_owned()];
    words.extend(job.args.iter().cloned());
    let log_text = log.to_string_lossy().into_owned();
    if words.iter().chain([&log_text]).any(|w| w.contains('"')) {
        return Err("a path holds a double quote, which a scheduled task cannot run".into());
    }
    // cmd reads %NAME% as a variable even inside quotes, and has no escape for it there.
    if let Some(word) = words.iter().chain([&log_text]).find(|w| w.contains('%')) {
        return Err(format!(
            "{word} holds a %, which the task's cmd would read as a variable; use a folder (--data-dir) without one"
        ));
    }
    refuse_line_breaks(words.iter().chain([&log_text]).map(String::as_str))?;
    let command = words
        .iter()
        .map(|w| cmd_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    // cmd /c removes the outer pair of quotes and runs the rest, redirection included.
    let task_command = format!(
        "{} /c \"{command} >> \"{log_text}\" 2>&1\"",
        cmd_quote(&system32.join("cmd.exe").to_string_lossy())
    );
    if task_command.chars().count() > SCHTASKS_MAX_COMMAND {
        return Err(format!(
            "the task's command is {} characters, more than the {SCHTASKS_MAX_COMMAND} Task Scheduler keeps; install porchlight in a folder with a shorter path",
            task_command.chars().count()
        ));
    }
    let task_name = format!("porchlight {}", job.name);
    let args: Vec<String> = ["/Create", "/F"]
        .into_iter()
        .chain(when.iter().copied())
        .chain(["/TN", &task_name, "/TR", &task_command])
        .map(str::to_string)
        .collect();
    let program = system32.join("schtasks.exe");
    let shown = std::iter::once(program.to_string_lossy().into_owned())
        .chain(args.iter().cloned())
        .map(|a| windows_arg_quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Plan::Command {
        folders: vec![log_dir.to_path_buf()],
        program,
        args,
        shown,
    })
}

/// A word for `cmd`: double-quoted when it holds a space or a character cmd treats specially.
fn cmd_quote(word: &str) -> String {
    if !word.is_empty()
        && !word
            .chars()
            .any(|c| c.is_whitespace() || "&|<>^()%!,;=".contains(c))
    {
        word.to_string()
    } else {
        format!("\"{word}\"")
    }
}

/// A program argument as Windows' C runtime reads it back (what Rust's `Command` does on
/// Windows): quoted when it holds a space or a quote, with inner quotes and the backslashes
/// before them escaped.
fn windows_arg_quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.chars().any(|c| c == ' ' || c == '\t' || c == '"') {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// The plan for this system.
///
/// # Errors
/// When the owner's folders cannot be found, this system has no scheduler porchlight knows, or
/// a word of the job holds a line break ([`refuse_line_breaks`]).
pub fn plan_for_this_system(job: &Job) -> Result<Plan, String> {
    let program = job.program.to_string_lossy();
    refuse_line_breaks(std::iter::once(&*program).chain(job.args.iter().map(String::as_str)))?;
    let base =
        directories::BaseDirs::new().ok_or("cannot find your home folder to put the job in")?;
    if cfg!(target_os = "macos") {
        Ok(launchd_plan(job, base.home_dir()))
    } else if cfg!(windows) {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
        let system32 = PathBuf::from(root).join("System32");
        schtasks_plan(job, &base.data_local_dir().join("porchlight"), &system32)
    } else if cfg!(target_os = "linux") {
        Ok(systemd_plan(job, base.config_dir()))
    } else {
        Err("installing a daily job is supported on Linux, macOS and Windows only".into())
    }
}

/// Does what `plan` says, reporting each step on `out`.
///
/// # Errors
/// The first step that fails, as one line naming its path or command.
pub fn carry_out(plan: &Plan, out: &mut dyn std::io::Write) -> Result<(), String> {
    let folders = match plan {
        Plan::Files { folders, .. } | Plan::Command { folders, .. } => folders,
    };
    for folder in folders {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("could not create {}: {e}", folder.display()))?;
    }
    match plan {
        Plan::Files { files, start, .. } => {
            for (path, contents) in files {
                if path.exists() {
                    let _ = writeln!(out, "Replacing {}", path.display());
                }
                std::fs::write(path, contents)
                    .map_err(|e| format!("could not write {}: {e}", path.display()))?;
            }
            let _ = writeln!(out, "Written. To start it: {start}");
        }
        Plan::Command { program, args, .. } => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            crate::discovery::platform::command::run_visible(program, &args, SCHTASKS_TIMEOUT)?;
            let _ = writeln!(out, "Done: the task is in Task Scheduler.");
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn remind(program: &str, data_dir: &str) -> Job {
        Job {
            name: "remind".into(),
            description: "say what needs you".into(),
            program: PathBuf::from(program),
            args: ["remind", "--quiet", "--data-dir", data_dir]
                .map(String::from)
                .to_vec(),
        }
    }

    fn files(plan: &Plan) -> &[(PathBuf, String)] {
        match plan {
            Plan::Files { files, .. } => files,
            Plan::Command { .. } => panic!("expected files: {plan:?}"),
        }
    }

    #[test]
    fn a_dollar_percent_or_line_break_in_the_data_folder_is_escaped_or_refused() {
        let plan = systemd_plan(
            &remind("/usr/bin/porchlight", "/home/jo/$USER%h"),
            Path::new("/home/jo/.config"),
        );
        let service = &files(&plan)[0].1;
        assert!(
            service.contains("--data-dir \"/home/jo/$$USER%%h\"\n"),
            "{service}"
        );
        // A line break would end the unit's line and start another.
        let e = plan_for_this_system(&remind("/usr/bin/porchlight", "/x\n[Service]")).unwrap_err();
        assert!(e.contains("line break") && !e.contains('\n'), "{e}");
        // cmd expands %NAME% inside quotes: a scheduled task refuses it.
        let e = schtasks_plan(
            &remind(r"C:\porchlight.exe", r"C:\data\%TEMP%"),
            Path::new(r"C:\logs"),
            Path::new(r"C:\Windows\System32"),
        )
        .unwrap_err();
        assert!(e.contains("holds a %"), "{e}");
    }

    #[test]
    fn systemd_units_run_the_job_daily_and_quote_what_needs_it() {
        let plan = systemd_plan(
            &remind("/usr/local/bin/porchlight", "/home/jo/My Data/100%"),
            Path::new("/home/jo/.config"),
        );
        let [(service_path, service), (timer_path, timer)] = files(&plan) else {
            panic!("two files: {plan:?}");
        };
        assert_eq!(
            service_path,
            Path::new("/home/jo/.config/systemd/user/porchlight-remind.service")
        );
        assert_eq!(
            timer_path,
            Path::new("/home/jo/.config/systemd/user/porchlight-remind.timer")
        );
        assert!(service.contains(
            "ExecStart=/usr/local/bin/porchlight remind --quiet --data-dir \"/home/jo/My Data/100%%\"\n"
        ));
        assert!(timer.contains("OnCalendar=daily\nPersistent=true\n"));
        let Plan::Files { start, .. } = &plan else {
            unreachable!()
        };
        assert!(start.ends_with("enable --now porchlight-remind.timer"));
        let shown = plan.describe();
        assert!(shown.contains(service) && shown.contains(timer), "{shown}");
    }

    // A Mac's paths: built on Windows they would join with '\', which no Mac sees.
    #[cfg(unix)]
    #[test]
    fn launchd_agent_runs_the_job_at_nine_with_its_output_in_the_logs_folder() {
        let plan = launchd_plan(
            &remind("/Applications/porch light/porchlight", "/Users/jo/a&b"),
            Path::new("/Users/jo"),
        );
        let [(path, plist)] = files(&plan) else {
            panic!("one file: {plan:?}");
        };
        assert_eq!(
            path,
            Path::new("/Users/jo/Library/LaunchAgents/org.porchlight.remind.plist")
        );
        assert!(plist.contains("<string>org.porchlight.remind</string>"));
        assert!(plist.contains(
            "    <string>/Applications/porch light/porchlight</string>\n    <string>remind</string>\n    <string>--quiet</string>\n    <string>--data-dir</string>\n    <string>/Users/jo/a&amp;b</string>\n  </array>"
        ));
        assert!(plist.contains("<key>Hour</key>\n    <integer>9</integer>"));
        assert!(plist.contains("<string>/Users/jo/Library/Logs/porchlight/remind.log</string>"));
        // Well-formed XML, whatever the paths held.
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        };
        let doc = roxmltree::Document::parse_with_options(plist, options).unwrap();
        let strings: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("string"))
            .filter_map(|n| n.text())
            .collect();
        assert!(strings.contains(&"/Users/jo/a&b"), "{strings:?}");
        let Plan::Files { start, folders, .. } = &plan else {
            unreachable!()
        };
        assert!(
            start.starts_with(
                "launchctl bootstrap gui/$(id -u) /Users/jo/Library/LaunchAgents/org.porchlight.remind.plist ("
            ),
            "{start}"
        );
        assert!(start.ends_with("launchctl bootout gui/$(id -u)/org.porchlight.remind)"));
        assert!(folders.contains(&PathBuf::from("/Users/jo/Library/Logs/porchlight")));
    }

    #[test]
    fn schtasks_creates_a_daily_task_that_logs_its_output() {
        let plan = schtasks_plan(
            &remind(
                r"C:\Users\Jo Smith\.cargo\bin\porchlight.exe",
                r"D:\porchlight",
            ),
            Path::new(r"C:\Users\Jo Smith\AppData\Local\porchlight"),
            Path::new(r"C:\Windows\System32"),
        )
        .unwrap();
        let Plan::Command {
            program,
            args,
            shown,
            folders,
        } = &plan
        else {
            panic!("a command: {plan:?}");
        };
        // Built on Linux, the path joins with '/'; on Windows with '\'.
        assert!(program.to_string_lossy().ends_with("schtasks.exe"));
        assert_eq!(
            args[..9],
            [
                "/Create",
                "/F",
                "/SC",
                "DAILY",
                "/ST",
                "09:00",
                "/TN",
                "porchlight remind",
                "/TR"
            ]
        );
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(
            args[9],
            format!(
                r#"C:\Windows\System32{sep}cmd.exe /c ""C:\Users\Jo Smith\.cargo\bin\porchlight.exe" remind --quiet --data-dir D:\porchlight >> "C:\Users\Jo Smith\AppData\Local\porchlight{sep}remind.log" 2>&1""#
            )
        );
        // Shown as it would be typed: the task's command quoted once more, its quotes escaped.
        assert!(
            shown.contains(r#"/TN "porchlight remind" /TR "C:\Windows"#),
            "{shown}"
        );
        assert!(shown.contains(r#"/c \"\"C:\Users\Jo Smith"#), "{shown}");
        assert_eq!(folders.len(), 1);
        assert!(plan.describe().contains(shown.as_str()));
    }

    #[test]
    fn schtasks_refuses_a_command_longer_than_task_scheduler_keeps() {
        let deep = format!(
            r"C:\{}\porchlight.exe",
            "very long folder name\\".repeat(10)
        );
        let err = schtasks_plan(
            &remind(&deep, r"D:\p"),
            Path::new(r"C:\L"),
            Path::new(r"C:\Windows\System32"),
        )
        .unwrap_err();
        assert!(
            err.contains("more than the 261 Task Scheduler keeps"),
            "{err}"
        );
        let err = schtasks_plan(
            &remind(r"C:\p.exe", "D:\\a\"b"),
            Path::new(r"C:\L"),
            Path::new(r"C:\Windows\System32"),
        )
        .unwrap_err();
        assert!(err.contains("double quote"), "{err}");
    }

    #[test]
    fn windows_arguments_round_trip_through_the_c_runtime_rules() {
        assert_eq!(windows_arg_quote("/TN"), "/TN");
        assert_eq!(windows_arg_quote("a b"), "\"a b\"");
        assert_eq!(windows_arg_quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(
            windows_arg_quote(r"C:\dir with space\"),
            r#""C:\dir with space\\""#
        );
        assert_eq!(windows_arg_quote(""), "\"\"");
    }

    #[test]
    fn carrying_out_a_file_plan_writes_exactly_what_was_shown() {
        let tmp = tempfile::tempdir().unwrap();
        let plan = systemd_plan(&remind("/bin/porchlight", "/d"), tmp.path());
        let mut out = Vec::new();
        carry_out(&plan, &mut out).unwrap();
        for (path, contents) in files(&plan) {
            assert_eq!(&std::fs::read_to_string(path).unwrap(), contents);
        }
        let said = String::from_utf8(out).unwrap();
        assert!(
            said.starts_with("Written. To start it: systemctl --user"),
            "{said}"
        );
        // A second install replaces the files and says so.
        let mut out = Vec::new();
        carry_out(&plan, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("Replacing "));
    }
}
