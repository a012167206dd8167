//! The `porchlight` binary: parses the command line and hands it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = porchlight::cli::Cli::parse();
    match porchlight::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("porchlight: {e:#}");
            ExitCode::FAILURE
        }
    }
}
