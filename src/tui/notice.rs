//! What the status line reports: the one-line notice (what it says, how it looks, when it was
//! said) and where saving stands.

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

/// Where saving stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveStatus {
    /// Number of the latest change.
    pub generation: u64,
    /// Number of the latest change known to be on disk.
    pub saved: u64,
    /// The last save error, while the newest change is not on disk.
    pub error: Option<String>,
}

impl SaveStatus {
    /// True when the newest change is not yet known to be on disk.
    pub fn pending(&self) -> bool {
        self.saved < self.generation
    }
}
