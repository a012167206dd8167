//! The one-line notice of the status line: what it says, how it looks, and when it was said.

use jiff::Timestamp;

/// How a status-line notice should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something went well.
    Good,
    /// Something went wrong.
    Error,
}

/// The one-line notice at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// How to show it.
    pub tone: Tone,
    /// When it was said (notices other than errors fade after [`NOTICE_SECONDS`]).
    pub at: Timestamp,
}

/// How long a notice that is not an error stays on the status line.
pub const NOTICE_SECONDS: i64 = 12;
