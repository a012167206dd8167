//! Where a report goes: standard output (`-o -` or no `-o`), or a file written safely.
//!
//! A report lists every device's address and MAC and the owner's accepted risks, and its file
//! name is often typed in a shared folder, so writing it must not be turned against the owner:
//! - the bytes go to a temporary file with an unpredictable name created exclusively (`O_EXCL`)
//!   in the target's own folder (tempfile's `NamedTempFile::new_in`), so nothing planted at a
//!   guessable name (a symlink) is followed;
//! - on Unix it is readable by the owner only (0600); on Windows it takes the access list its
//!   folder passes on (in the owner's profile folder: the owner, SYSTEM and Administrators; in a
//!   shared folder, whoever may read there), which the README says. It is moved over the target in
//!   one rename, so a failure never leaves half a report nor clobbers the older one;
//! - only a missing name or a regular file is replaced: a symlink, a folder, a device node, a
//!   FIFO or a socket at that name is refused with a one-line error and left as it is.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The permissions of a written report: the owner reads and writes, no one else.
#[cfg(unix)]
pub const REPORT_MODE: u32 = 0o600;

/// Why a report file could not be written. One line each, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Something other than a regular file is at that name.
    #[error("will not write the report to {path}: it is {kind}, not a regular file")]
    NotAFile {
        /// The name given.
        path: PathBuf,
        /// What is there (`a folder`, `a symbolic link`, `a FIFO`...).
        kind: &'static str,
    },
    /// The name has no file part (`/`, `..`).
    #[error("will not write the report to {0}: it does not name a file")]
    NoFileName(PathBuf),
    /// Creating, writing or moving the file failed.
    #[error("could not write the report to {path}: {source}")]
    Io {
        /// The name given.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// True when `path` means standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// What kind of thing is at `path` when it is not a regular file; `None` when nothing is there
/// or it is a regular file.
///
/// # Errors
/// When the name cannot be looked at (a folder on the way that cannot be read).
fn refused_kind(path: &Path) -> io::Result<Option<&'static str>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(None);
    }
    if kind.is_symlink() {
        return Ok(Some("a symbolic link"));
    }
    if kind.is_dir() {
        return Ok(Some("a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Ok(Some("a FIFO (named pipe)"));
        }
        if kind.is_socket() {
            return Ok(Some("a socket"));
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Ok(Some("a device"));
        }
    }
    Ok(Some("not a regular file"))
}

/// Writes `bytes` to the file `path` as described in the module documentation.
///
/// # Errors
/// [`OutputError::NotAFile`] when something other than a regular file is at `path` (it is left
/// untouched); [`OutputError::NoFileName`]; [`OutputError::Io`] when the folder does not exist, is
/// not writable, or the disk is full (any temporary file is removed).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let io_error = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.file_name().is_none() {
        return Err(OutputError::NoFileName(path.to_path_buf()));
    }
    if let Some(kind) = refused_kind(path).map_err(io_error)? {
        return Err(OutputError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".porchlight-report-")
        .tempfile_in(folder)
        .map_err(|e| io_error(without_temp_name(e)))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(REPORT_MODE))
            .map_err(io_error)?;
    }
    temp.write_all(bytes).map_err(io_error)?;
    temp.as_file().sync_all().map_err(io_error)?;
    // Looked at again just before the move: the move replaces a name, never writes through it,
    // but a folder or a device that appeared meanwhile is still refused.
    if let Some(kind) = refused_kind(path).map_err(io_error)? {
        return Err(OutputError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    temp.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// The error without the temporary name tempfile adds to it (`... at path "/x/.porchlight-..."`):
/// that file never came to be, and the message names the report instead.
fn without_temp_name(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((cause, _)) => io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

/// Writes `bytes` to standard output, or to the file `path` (see [`write_file`]); `-` means
/// standard output. Returns the file written, if any.
///
/// # Errors
/// As [`write_file`]; [`OutputError::Io`] when standard output cannot be written.
pub fn write(path: Option<&Path>, bytes: &[u8]) -> Result<Option<PathBuf>, OutputError> {
    match path {
        Some(path) if !is_stdout(path) => {
            write_file(path, bytes).map(|()| Some(path.to_path_buf()))
        }
        _ => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|source| OutputError::Io {
                    path: PathBuf::from("standard output"),
                    source,
                })?;
            Ok(None)
        }
    }
}
