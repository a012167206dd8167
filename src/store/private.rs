//! Keeping porchlight's files to their owner, and flushing its folder, on each platform.
//!
//! - Unix (Linux, macOS): the data folder is created mode 0700 and every file in it 0600, whatever
//!   the umask.
//! - Windows: the data folder lives in the owner's profile (`%APPDATA%\porchlight\data`), whose
//!   access list already gives only the owner, SYSTEM and Administrators access, and new folders
//!   and files there inherit it. porchlight relies on that inherited list and does not change it
//!   (a data folder chosen elsewhere with `--data-dir` gets that folder's list instead).

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of the data folder when porchlight creates it (Unix).
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// Mode of every file porchlight writes in the data folder (Unix).
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Makes what a builder or open options create private to the owner.
pub(crate) trait Private {
    /// Owner-only permissions for what this creates (see the module notes per platform).
    fn private(&mut self) -> &mut Self;
}

impl Private for DirBuilder {
    #[cfg(unix)]
    fn private(&mut self) -> &mut Self {
        use std::os::unix::fs::DirBuilderExt;
        self.mode(DIR_MODE)
    }

    #[cfg(not(unix))]
    fn private(&mut self) -> &mut Self {
        self
    }
}

impl Private for OpenOptions {
    #[cfg(unix)]
    fn private(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(FILE_MODE)
    }

    #[cfg(not(unix))]
    fn private(&mut self) -> &mut Self {
        self
    }
}

/// Sets owner-only permissions on an open file, exactly (the umask may have taken some away at
/// creation, and a file made by someone else may have more).
///
/// # Errors
/// When the permissions cannot be changed.
#[cfg(unix)]
pub(crate) fn make_private(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
}

/// On Windows the file keeps the access list it inherited from the owner's profile folder.
///
/// # Errors
/// Never.
#[cfg(not(unix))]
pub(crate) fn make_private(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Flushes the folder `dir` to disk, so that a rename in it survives a power cut.
///
/// # Errors
/// When the folder cannot be opened or flushed.
#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

/// Windows cannot open a folder as a file (without backup semantics) nor flush one; NTFS journals
/// the rename itself, so there is nothing to flush.
///
/// # Errors
/// Never.
#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
