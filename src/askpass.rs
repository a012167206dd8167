//! porchlight as its own SSH_ASKPASS program: how the factory-login check hands OpenSSH's `ssh`
//! the one password of a try without a terminal and without writing it anywhere.
//!
//! The login check (`checks::credentials`) starts `ssh` with `SSH_ASKPASS` set to porchlight's
//! own executable, `SSH_ASKPASS_REQUIRE=force`, [`ASKPASS_VAR`] set to `1` and the password in
//! [`PASSWORD_VAR`]. When `ssh` asks for the password it runs porchlight, which sees
//! [`ASKPASS_VAR`] before anything else (no command-line parsing, no terminal, no files), prints
//! the password and exits. The passwords are published factory defaults, never the owner's.

use std::io::Write as _;
use std::process::ExitCode;

/// Set to `1` in the environment of `ssh` (and so of the askpass program it starts).
pub const ASKPASS_VAR: &str = "PORCHLIGHT_ASKPASS";

/// The password of the current try, in the environment of `ssh`.
pub const PASSWORD_VAR: &str = "PORCHLIGHT_ASKPASS_PASSWORD";

/// When porchlight was started as an askpass program: prints the password (and a newline) and
/// says how to exit. `None` for every other start, which then goes on as usual.
pub fn answer() -> Option<ExitCode> {
    if std::env::var_os(ASKPASS_VAR)? != "1" {
        return None;
    }
    // Without a password there is nothing to answer: ssh takes a failed askpass as "no password".
    let Ok(password) = std::env::var(PASSWORD_VAR) else {
        return Some(ExitCode::FAILURE);
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{password}")
        .and_then(|()| out.flush())
        .is_err()
    {
        return Some(ExitCode::FAILURE);
    }
    Some(ExitCode::SUCCESS)
}
