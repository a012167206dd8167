//! What can go wrong with the state file, as values with one-line messages that name the path.
//!
//! The TUI shows these in its status line and the CLI prints them as they are, so each message says
//! which file or folder is involved and, where the owner can do something about it, what.

use std::io;
use std::path::{Path, PathBuf};

use super::{BACKUP_FILE, SCHEMA_VERSION, STATE_FILE};

/// An error reading, writing or locking porchlight's data folder.
///
/// Every message is one line and names the file or folder involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No home directory could be found to put the data folder in.
    #[error(
        "cannot find a home directory to keep porchlight's data in; set HOME or pass --data-dir"
    )]
    NoHomeDir,

    /// The platform data folder is not an absolute path (a relative `XDG_DATA_HOME`, say).
    #[error(
        "the data folder {} is not an absolute path; set HOME or pass --data-dir",
        .path.display()
    )]
    DataDirNotAbsolute {
        /// The folder that was found.
        path: PathBuf,
    },

    /// The data folder does not exist and could not be created.
    #[error("cannot create the data folder {}: {source}", .dir.display())]
    CreateDir {
        /// The data folder.
        dir: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// The data folder exists but porchlight cannot create files in it.
    #[error("cannot write in the data folder {}: {source}", .dir.display())]
    Unwritable {
        /// The data folder.
        dir: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// Another porchlight held the lock on this data folder for longer than a save may wait.
    #[error(
        "another porchlight kept the data folder {} locked for over 10 s while saving; try again, or close it first",
        .dir.display()
    )]
    Locked {
        /// The data folder.
        dir: PathBuf,
    },

    /// The lock file could not be locked for a reason other than another porchlight holding it.
    #[error("cannot lock {}: {source}", .path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// A file exists but could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// The file is not valid JSON, or claims to be porchlight's but does not hold an inventory.
    #[error(
        "{} is damaged ({reason}); it was left untouched.{}",
        .path.display(),
        backup_hint(.backup.as_deref())
    )]
    Damaged {
        /// The damaged file.
        path: PathBuf,
        /// What the parser said, on one line.
        reason: String,
        /// The previous good copy, when there is one that reads cleanly.
        backup: Option<PathBuf>,
    },

    /// The file is JSON but not a porchlight state file (no schema version, or not an object).
    #[error(
        "{} is not a porchlight state file ({reason}); it was left untouched.{}",
        .path.display(),
        backup_hint(.backup.as_deref())
    )]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// Why it is not ours, on one line.
        reason: String,
        /// The previous good copy, when there is one that reads cleanly.
        backup: Option<PathBuf>,
    },

    /// The file is larger than any state file porchlight writes; it was not read.
    #[error(
        "{} is {} MiB, larger than a porchlight state file can be ({} MiB); it was not read and was left untouched.{}",
        .path.display(),
        .size / (1024 * 1024),
        super::MAX_STATE_BYTES / (1024 * 1024),
        backup_hint(.backup.as_deref())
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes (at least what was read before giving up).
        size: u64,
        /// The previous good copy, when there is one that reads cleanly.
        backup: Option<PathBuf>,
    },

    /// The file was written by a newer porchlight with a schema this one does not know.
    #[error(
        "{} was written by a newer porchlight (schema {found}; this one reads schema {}); it was left untouched. Update porchlight to use it.",
        .path.display(),
        SCHEMA_VERSION
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The schema version in the file.
        found: u64,
    },

    /// A save was refused because the state file could not be read, so writing would lose it.
    #[error(
        "not saving: {} could not be read, so it was left untouched; restore or move it away, then start porchlight again",
        .path.display()
    )]
    SaveRefused {
        /// The file that could not be read.
        path: PathBuf,
    },

    /// The inventory to save holds two records with one id (a bug upstream); saving it would make
    /// one device two.
    #[error(
        "not saving {}: two device records share the id {id}; the file on disk was left as it was",
        .path.display()
    )]
    DuplicateId {
        /// The state file that was to be written.
        path: PathBuf,
        /// The id held twice.
        id: String,
    },

    /// The inventory could not be turned into JSON.
    #[error("cannot encode the inventory for {}: {source}", .path.display())]
    Encode {
        /// The state file that was to be written.
        path: PathBuf,
        /// What the encoder said.
        source: serde_json::Error,
    },

    /// Writing the state file (or flushing its folder) failed; the previous state file is intact.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file or folder being written.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },

    /// The previous state file could not be kept as the backup; nothing was changed.
    #[error(
        "cannot keep the previous copy as {}: {source}; the state file was left as it was",
        .path.display()
    )]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

fn backup_hint(backup: Option<&Path>) -> String {
    match backup {
        Some(bak) => format!(
            " The previous good copy is {}: copy it over {STATE_FILE} to go back to it.",
            bak.display()
        ),
        None => format!(" There is no good {BACKUP_FILE} to go back to."),
    }
}
