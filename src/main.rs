//! The `porchlight` binary: parses the command line and hands it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Started by `ssh` as its password program (the SSH login check): answer and exit.
    if let Some(code) = porchlight::askpass::answer() {
        return code;
    }
    porchlight::fault::install_hook();
    let cli = match porchlight::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return porchlight::cli::usage::exit_for(&e),
    };
    match porchlight::cli::run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`porchlight devices | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<porchlight::cli::usage::UsageError>()
                .is_some() =>
        {
            eprintln!("porchlight: {}", error_line(&e));
            ExitCode::from(porchlight::cli::usage::USAGE_EXIT_CODE)
        }
        Err(e) => {
            eprintln!("porchlight: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line (through `sanitize::one_line`), each cause added only when
/// the message does not already say it.
fn error_line(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    porchlight::sanitize::one_line(&text)
}

/// A write to a reader that has gone: broken pipe, and on Windows also "the pipe is being closed"
/// (232) and "no process is on the other end of the pipe" (233).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let closed = |io: &std::io::Error| {
        io.kind() == std::io::ErrorKind::BrokenPipe
            || (cfg!(windows) && matches!(io.raw_os_error(), Some(109 | 232 | 233)))
    };
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(closed)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}
