//! Command-line conventions shared by every command: a mistyped command line is one line on
//! standard error and exit status 2; completions for shells and the manual page, generated from
//! the same definition clap parses.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap::error::ErrorKind;

/// The exit status of a mistyped command line (an unknown flag, a bad value).
pub const USAGE_EXIT_CODE: u8 = 2;

/// A mistake on the command line found after parsing (a flag where it means nothing, a file name
/// whose format cannot be told). Exits with status 2, like clap's own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// clap's error as one line (through [`crate::sanitize::one_line`]): its message, then its tips,
/// then where to look.
pub fn usage_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("Usage:") || line.starts_with("For more information")
        {
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        parts.push(line.to_string());
    }
    crate::sanitize::one_line(&format!(
        "{} (porchlight --help lists every command and flag)",
        parts.join("; ")
    ))
}

/// What the binary does with an error from clap: help and version are printed as they are (status
/// 0); every other error is one line on standard error, status 2.
pub fn exit_for(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("porchlight: {}", usage_line(error));
            ExitCode::from(USAGE_EXIT_CODE)
        }
    }
}

/// Writes the completion script for `shell` to `out`.
///
/// # Errors
/// When `out` cannot be written (a closed pipe too: clap_complete would panic writing to it, so
/// the script is made in memory first).
pub fn write_completions(shell: clap_complete::Shell, out: &mut impl Write) -> std::io::Result<()> {
    let mut command = super::args::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "porchlight", &mut script);
    out.write_all(&script)?;
    out.flush()
}

/// Writes the manual page (roff, for `man`) to `out`.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_man(out: &mut impl Write) -> std::io::Result<()> {
    let command = super::args::Cli::command();
    let man = clap_mangen::Man::new(command);
    let mut page = Vec::new();
    man.render(&mut page)?;
    out.write_all(&page)?;
    out.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn clap_errors_become_one_line() {
        for args in [
            &["porchlight", "--frobnicate"][..],
            &["porchlight", "report", "--format", "pdf"],
            &["porchlight", "remind", "--by", "tomorrow"],
            &["porchlight", "devicez"],
        ] {
            let e = crate::cli::args::Cli::try_parse_from(args).unwrap_err();
            let line = usage_line(&e);
            assert!(!line.contains('\n'), "{line}");
            assert!(line.len() > 30, "{line}");
        }
    }

    /// A writer whose reader has gone, as a closed pipe.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_pipe_is_an_error_to_return_not_a_panic() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let e = write_completions(shell, &mut Closed).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{shell}");
        }
        let e = write_man(&mut Closed).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn help_and_the_scripts_call_the_program_porchlight_whatever_its_file_is_named() {
        let mut script = Vec::new();
        write_completions(clap_complete::Shell::Bash, &mut script).unwrap();
        let script = String::from_utf8(script).unwrap();
        assert!(script.contains("complete -F _porchlight"), "{script}");
        let help = crate::cli::args::Cli::command().render_help().to_string();
        assert!(help.contains("Usage: porchlight [OPTIONS]"), "{help}");
        assert!(!help.contains(".exe"), "{help}");
    }
}
