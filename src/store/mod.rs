//! The state file: where porchlight keeps the owner's devices and progress between runs.
//!
//! This module owns everything porchlight puts in its data folder, so that no other module has to
//! think about half-written files, crashes, two copies of porchlight, or a file the owner broke by
//! hand:
//!
//! - `state.json`: the saved [`Inventory`] with a schema version (see `format.rs` for the layout),
//!   mode 0600.
//! - `state.json.bak`: the previous good `state.json`, kept by every save.
//! - `state.lock`: an advisory lock held only while a save reads, merges and writes the state, so
//!   several porchlights can share the folder (a `watch` in the background, the TUI, `scan`):
//!   each save re-reads `state.json` under the lock and merges what the others wrote (see
//!   `merge.rs`) before writing, and nothing either side saved is lost.
//! - `.state.json.tmp-*` and `.state.json.bak.tmp-*`: a save in progress. Left behind only when a
//!   process is killed mid-save; the next save removes them (under the lock, so never another
//!   process's save in progress).
//!
//! Why it works this way:
//!
//! - Saves are atomic. The new contents go to a fresh temp file in the same folder, which is
//!   flushed to disk; the current `state.json` is hard-linked (or, where links do not work, copied)
//!   and renamed over `state.json.bak`; the temp file is renamed over `state.json`; the folder is
//!   flushed. At every instant `state.json` is either the old or the new complete file, so a crash
//!   or a kill never leaves a torn file, and readers without the lock ([`read_inventory`], used by
//!   `porchlight devices` while the TUI runs) always see a whole file.
//! - A file that cannot be read is never overwritten. [`Store::load`] reports it by name, offers the
//!   backup when it reads cleanly, and from then on [`Store::save`] refuses until a load succeeds.
//!   A save before any load checks the file on disk first, for the same reason.
//! - A missing `state.json` next to an existing `state.json.bak` loads the backup: porchlight itself
//!   never leaves `state.json` missing once it exists, so this only happens when something outside
//!   removed it, and the backup is the owner's data. The next save writes `state.json` again.
//!   [`Store::load_with_origin`] says which file was used so the front ends can tell the owner.
//!
//! Nothing here knows about the TUI or the CLI; errors are [`StoreError`] values with one-line
//! messages that name the path.

#[cfg(test)]
mod answers_tests;
mod error;
#[cfg(test)]
mod forget_tests;
pub(crate) mod format;
pub(crate) mod merge;
mod private;
#[cfg(test)]
mod tests;

use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;

pub use error::StoreError;
use private::{Private, make_private, sync_dir};

use crate::model::Inventory;

/// The largest state file read, in bytes (64 MiB). A home's inventory is a few hundred KiB at
/// most; anything larger is refused by its size, before it is read.
pub const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

/// The version of the state file layout this porchlight writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The name of the state file inside the data folder.
pub const STATE_FILE: &str = "state.json";

/// The name of the previous good copy of the state file.
pub const BACKUP_FILE: &str = "state.json.bak";

/// The name of the lock file that keeps a second porchlight out of the same data folder.
pub const LOCK_FILE: &str = "state.lock";

/// Temp files holding a new `state.json` before it is renamed into place.
const STATE_TEMP_PREFIX: &str = ".state.json.tmp-";

/// Temp names for the link (or copy) of the old `state.json` before it is renamed over the backup.
const BACKUP_TEMP_PREFIX: &str = ".state.json.bak.tmp-";

/// How many temp names to try before giving up (a name is only taken after a pid was reused).
const TEMP_ATTEMPTS: usize = 64;

/// How long a save waits for another porchlight's save to finish before giving up.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How often a waiting save tries the lock again.
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(20);

/// Tells apart the temp files of saves made by one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The platform's data folder for porchlight (`~/.local/share/porchlight` on Linux).
///
/// # Errors
///
/// [`StoreError::NoHomeDir`] when no home directory can be found, and
/// [`StoreError::DataDirNotAbsolute`] when the folder found is a relative path.
pub fn default_data_dir() -> Result<PathBuf, StoreError> {
    let dirs = directories::ProjectDirs::from("", "", "porchlight").ok_or(StoreError::NoHomeDir)?;
    let dir = dirs.data_dir();
    if dir.is_absolute() {
        Ok(dir.to_path_buf())
    } else {
        Err(StoreError::DataDirNotAbsolute {
            path: dir.to_path_buf(),
        })
    }
}

/// Reads the saved inventory in `dir` without locking or changing anything.
///
/// Meant for read-only commands that may run while a porchlight TUI holds the folder: saves replace
/// `state.json` by renaming, so this always reads a complete file. Falls back to `state.json.bak`
/// and to an empty inventory exactly like [`Store::load`]; a folder that does not exist reads as
/// empty.
///
/// # Errors
///
/// The same as [`Store::load`].
pub fn read_inventory(dir: &Path) -> Result<Inventory, StoreError> {
    read_from(dir).map(|(mut inventory, _)| {
        // Duplicate records are shown as one; the next locked load saves the merge.
        crate::duplicates::merge_duplicates(&mut inventory);
        inventory
    })
}

/// Which file a load read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadedFrom {
    /// Neither `state.json` nor `state.json.bak` exists: a first run, with an empty inventory.
    Nothing,
    /// `state.json`, as usual.
    StateFile,
    /// `state.json` was missing and `state.json.bak` was read instead; the next save writes
    /// `state.json` again.
    Backup,
}

/// Whether saving may replace the `state.json` on disk.
#[derive(Debug)]
enum Trust {
    /// Not looked at yet: the first save checks it.
    Unchecked,
    /// Read cleanly (or written by us) since the lock was taken.
    Good,
    /// This file could not be read; saving would destroy it.
    Refused(PathBuf),
}

/// What a store knows between calls: whether it may write, and what it last loaded or saved.
#[derive(Debug)]
struct Held {
    trust: Trust,
    /// The inventory this process last loaded or saved: what its next save is compared with to
    /// tell its own changes from another porchlight's.
    base: Option<Inventory>,
}

/// porchlight's data folder. Other porchlights may use it at the same time: the lock on
/// `state.lock` is taken only for the length of one save, which merges with what they wrote.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    state_path: PathBuf,
    backup_path: PathBuf,
    /// The lock file, locked only during a save (closing it releases any lock).
    lock: File,
    /// Also serialises saves made through this store.
    held: Mutex<Held>,
    /// Duplicate records the last load merged, not yet told to the owner.
    merged: Mutex<usize>,
}

impl Store {
    /// Opens (creating, mode 0700, if missing) the data folder `dir`, checking that it can be
    /// written and locked.
    ///
    /// # Errors
    ///
    /// [`StoreError::Locked`] when another porchlight's save holds the folder for longer than
    /// [`LOCK_WAIT`], [`StoreError::CreateDir`] when it cannot be created,
    /// [`StoreError::Unwritable`] when no file can be created in it, and [`StoreError::Lock`] when
    /// the system cannot lock the lock file.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        DirBuilder::new()
            .recursive(true)
            .private()
            .create(dir)
            .map_err(|source| StoreError::CreateDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        let (lock, lock_path) = open_lock(dir)?;
        // Locking works here (and nobody is stuck in a save): find out now, not at the first save.
        lock_within(&lock, &lock_path, dir, LOCK_WAIT)?;
        // Only the lock holder writes temp files, so whatever matches our pattern now is stale.
        remove_stale_temps(dir);
        let _ = lock.unlock();
        // The lock file may already exist in a folder that has since become read-only: find out
        // now rather than at the first save.
        let (probe, _) =
            create_temp(dir, STATE_TEMP_PREFIX).map_err(|source| StoreError::Unwritable {
                dir: dir.to_path_buf(),
                source,
            })?;
        // A probe that cannot be removed is removed by the next open.
        let _ = fs::remove_file(probe);
        Ok(Store {
            dir: dir.to_path_buf(),
            state_path: dir.join(STATE_FILE),
            backup_path: dir.join(BACKUP_FILE),
            lock,
            held: Mutex::new(Held {
                trust: Trust::Unchecked,
                base: None,
            }),
            merged: Mutex::new(0),
        })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `state.json`.
    pub fn state_path(&self) -> &Path {
        &self.state_path
    }

    /// The path of `state.json.bak`.
    pub fn backup_path(&self) -> &Path {
        &self.backup_path
    }

    /// Loads the saved inventory: an empty one on a first run, the backup when only it exists.
    ///
    /// # Errors
    ///
    /// [`StoreError::Damaged`], [`StoreError::NotOurs`] or [`StoreError::TooNew`] when the file
    /// cannot be used, naming it and the backup to restore where there is one, and
    /// [`StoreError::Read`] when it cannot be read at all. After any error the file is left as it
    /// is and [`Store::save`] refuses until a later load succeeds.
    pub fn load(&self) -> Result<Inventory, StoreError> {
        self.load_with_origin().map(|(inventory, _)| inventory)
    }

    /// Like [`Store::load`], also saying which file was read, so the owner can be told when their
    /// progress came back from the backup.
    ///
    /// # Errors
    ///
    /// The same as [`Store::load`].
    ///
    /// A file holding two records of one device (same id or hardware address, written by an older
    /// porchlight) is merged on load, keeping every step of progress, and saved at once (the file
    /// as it was becomes `state.json.bak`); [`Store::take_merge_notice`] then says so, once.
    pub fn load_with_origin(&self) -> Result<(Inventory, LoadedFrom), StoreError> {
        let result = {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            let result = read_from(&self.dir);
            held.trust = match &result {
                Ok((inventory, _)) => {
                    held.base = Some(inventory.clone());
                    Trust::Good
                }
                Err(e) => Trust::Refused(self.failed_file(e)),
            };
            result
        };
        let (mut inventory, from) = result?;
        let folded = crate::duplicates::merge_duplicates(&mut inventory);
        if folded > 0 {
            // Saved now, so the owner is told once; if the save fails, the next one writes it.
            let _ = self.save(&inventory);
            *self.merged.lock().unwrap_or_else(PoisonError::into_inner) = folded;
        }
        Ok((inventory, from))
    }

    /// A one-line notice when the last load merged duplicate records; `None` afterwards.
    pub fn take_merge_notice(&self) -> Option<String> {
        let mut merged = self.merged.lock().unwrap_or_else(PoisonError::into_inner);
        let n = std::mem::take(&mut *merged);
        (n > 0).then(|| {
            format!(
                "{} held {n} duplicate device {}; merged, keeping every step of progress (the file before is {})",
                self.state_path.display(),
                if n == 1 { "record" } else { "records" },
                self.backup_path.display()
            )
        })
    }

    /// Saves `inventory` atomically, keeping the previous `state.json` as `state.json.bak`.
    ///
    /// Afterwards `state.json` (mode 0600) holds `inventory`, and has been flushed to disk along
    /// with the folder entry. If anything fails, `state.json` is left as it was.
    ///
    /// # Errors
    ///
    /// [`StoreError::SaveRefused`] when the file on disk could not be read (by the last
    /// [`Store::load`], or by a check made now when nothing was loaded), since saving would destroy
    /// it; [`StoreError::Write`] or [`StoreError::Backup`] when the system refuses a step.
    pub fn save(&self, inventory: &Inventory) -> Result<(), StoreError> {
        self.save_merged(inventory).map(|_| ())
    }

    /// Like [`Store::save`], and returns what was written: `inventory` merged with what other
    /// porchlights saved since this one last loaded or saved (see `merge.rs`). The lock on
    /// `state.lock` is held from the re-read to the rename, and only then.
    ///
    /// # Errors
    ///
    /// The same as [`Store::save`], and [`StoreError::Locked`] when another porchlight's save held
    /// the lock for longer than [`LOCK_WAIT`].
    pub fn save_merged(&self, inventory: &Inventory) -> Result<Inventory, StoreError> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Trust::Refused(path) = &held.trust {
            return Err(StoreError::SaveRefused { path: path.clone() });
        }
        if let Some(id) = crate::duplicates::duplicate_id(inventory) {
            return Err(StoreError::DuplicateId {
                path: self.state_path.clone(),
                id: id.to_string(),
            });
        }
        let lock_path = self.dir.join(LOCK_FILE);
        lock_within(&self.lock, &lock_path, &self.dir, LOCK_WAIT)?;
        let result = self.merge_and_write(&mut held, inventory);
        let _ = self.lock.unlock();
        result
    }

    /// The body of a save, with the lock held.
    fn merge_and_write(
        &self,
        held: &mut Held,
        inventory: &Inventory,
    ) -> Result<Inventory, StoreError> {
        remove_stale_temps(&self.dir);
        let disk = match read_from(&self.dir) {
            Ok((disk, _)) => disk,
            Err(e) => {
                let path = self.failed_file(&e);
                held.trust = Trust::Refused(path.clone());
                return Err(StoreError::SaveRefused { path });
            }
        };
        held.trust = Trust::Good;
        let merged = merge::merge(held.base.as_ref(), inventory, &disk);
        let bytes =
            format::encode(&merged, Timestamp::now()).map_err(|source| StoreError::Encode {
                path: self.state_path.clone(),
                source,
            })?;
        self.replace_state_file(&bytes)?;
        held.base = Some(inventory.clone());
        Ok(merged)
    }

    /// The file that a failed read was about, for the refusal message.
    fn failed_file(&self, error: &StoreError) -> PathBuf {
        match error {
            StoreError::Read { path, .. }
            | StoreError::Damaged { path, .. }
            | StoreError::NotOurs { path, .. }
            | StoreError::TooNew { path, .. }
            | StoreError::TooLarge { path, .. } => path.clone(),
            _ => self.state_path.clone(),
        }
    }

    /// Writes `bytes` to a temp file, keeps the backup, renames the temp file into place, and
    /// flushes the folder.
    fn replace_state_file(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let write_error = |source| StoreError::Write {
            path: self.state_path.clone(),
            source,
        };
        let (temp, mut file) = create_temp(&self.dir, STATE_TEMP_PREFIX).map_err(write_error)?;
        let written = file
            .write_all(bytes)
            // Exactly 0600 whatever the umask.
            .and_then(|()| make_private(&file))
            .and_then(|()| file.sync_all());
        drop(file);
        if let Err(source) = written {
            let _ = fs::remove_file(&temp);
            return Err(write_error(source));
        }
        if let Err(source) = self.keep_backup() {
            let _ = fs::remove_file(&temp);
            return Err(StoreError::Backup {
                path: self.backup_path.clone(),
                source,
            });
        }
        if let Err(source) = fs::rename(&temp, &self.state_path) {
            let _ = fs::remove_file(&temp);
            return Err(write_error(source));
        }
        sync_dir(&self.dir).map_err(|source| StoreError::Write {
            path: self.dir.clone(),
            source,
        })
    }

    /// Makes the current `state.json`, if any, the new `state.json.bak`, replacing the old backup
    /// in one rename. A hard link costs nothing and needs no flush (the file was flushed when it was
    /// written); where links are not supported the file is copied and flushed instead.
    fn keep_backup(&self) -> io::Result<()> {
        let mut link = None;
        for _ in 0..TEMP_ATTEMPTS {
            let candidate = temp_name(&self.dir, BACKUP_TEMP_PREFIX);
            match fs::hard_link(&self.state_path, &candidate) {
                Ok(()) => {
                    link = Some(candidate);
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                // No hard links here (some network and FAT file systems): copy instead.
                Err(_) => break,
            }
        }
        let temp = match link {
            Some(path) => path,
            None => match self.copy_state_to_temp()? {
                Some(path) => path,
                None => return Ok(()),
            },
        };
        fs::rename(&temp, &self.backup_path).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
    }

    /// Copies `state.json` to a new flushed temp file; `None` when there is no `state.json`.
    fn copy_state_to_temp(&self) -> io::Result<Option<PathBuf>> {
        let mut source = match File::open(&self.state_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let (temp, mut file) = create_temp(&self.dir, BACKUP_TEMP_PREFIX)?;
        let copied = io::copy(&mut source, &mut file).and_then(|_| file.sync_all());
        match copied {
            Ok(()) => Ok(Some(temp)),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                Err(e)
            }
        }
    }
}

/// Takes the advisory lock on `lock`, trying again for up to `wait` while another porchlight
/// holds it.
fn lock_within(
    lock: &File,
    lock_path: &Path,
    dir: &Path,
    wait: std::time::Duration,
) -> Result<(), StoreError> {
    let start = std::time::Instant::now();
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(LOCK_RETRY);
            }
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                });
            }
            Err(TryLockError::Error(source)) => {
                return Err(StoreError::Lock {
                    path: lock_path.to_path_buf(),
                    source,
                });
            }
        }
    }
}

/// Opens (creating it, private) the data folder's lock file.
fn open_lock(dir: &Path) -> Result<(File, PathBuf), StoreError> {
    let lock_path = dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .private()
        .open(&lock_path)
        .map_err(|source| StoreError::Unwritable {
            dir: dir.to_path_buf(),
            source,
        })?;
    Ok((lock, lock_path))
}

/// Runs `f` with the data folder's lock held: the short lock a save of `state.json` takes, for the
/// other files in `dir` that several porchlights read, change and write (`watch.json`). Waits up
/// to [`LOCK_WAIT`] for another porchlight's save; blocks the thread meanwhile.
///
/// # Errors
///
/// [`StoreError::Unwritable`] when the lock file cannot be opened, [`StoreError::Locked`] when
/// another porchlight held the lock for longer than [`LOCK_WAIT`], [`StoreError::Lock`] when the
/// system cannot lock it.
pub fn with_folder_lock<T>(dir: &Path, f: impl FnOnce() -> T) -> Result<T, StoreError> {
    let (lock, lock_path) = open_lock(dir)?;
    lock_within(&lock, &lock_path, dir, LOCK_WAIT)?;
    let out = f();
    let _ = lock.unlock();
    Ok(out)
}

/// Reads `state.json` in `dir`, or `state.json.bak` when it is missing, or nothing.
fn read_from(dir: &Path) -> Result<(Inventory, LoadedFrom), StoreError> {
    let state = dir.join(STATE_FILE);
    let backup = dir.join(BACKUP_FILE);
    let state_bytes = match read_if_present(&state) {
        Err(StoreError::TooLarge { path, size, .. }) => {
            let good_backup = matches!(
                read_if_present(&backup).map(|b| b.map(|b| format::decode(&b).is_ok())),
                Ok(Some(true))
            );
            return Err(StoreError::TooLarge {
                path,
                size,
                backup: good_backup.then_some(backup),
            });
        }
        other => other?,
    };
    if let Some(bytes) = state_bytes {
        return match format::decode(&bytes) {
            Ok(inventory) => Ok((inventory, LoadedFrom::StateFile)),
            Err(e) => {
                let good_backup = matches!(
                    read_if_present(&backup).map(|b| b.map(|b| format::decode(&b).is_ok())),
                    Ok(Some(true))
                );
                Err(e.at(&state, good_backup.then_some(backup.as_path())))
            }
        };
    }
    match read_if_present(&backup)? {
        Some(bytes) => format::decode(&bytes)
            .map(|inventory| (inventory, LoadedFrom::Backup))
            .map_err(|e| e.at(&backup, None)),
        None => Ok((Inventory::default(), LoadedFrom::Nothing)),
    }
}

/// The bytes of `path`, or `None` when it does not exist; refused unread when it is larger than
/// [`MAX_STATE_BYTES`] (its size is looked at first, and the read stops at the cap anyway, for a
/// file that grows meanwhile).
fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let read_error = |source| StoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let too_large = |size| StoreError::TooLarge {
        path: path.to_path_buf(),
        size,
        backup: None,
    };
    // Opening a named pipe would wait for a writer forever: anything but a plain file is refused
    // before it is opened, and checked again once open.
    let not_plain = || {
        read_error(io::Error::other(
            "it is not a plain file (a pipe, a device or a folder); move it away",
        ))
    };
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_plain()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_error(source)),
    };
    let meta = file.metadata().map_err(read_error)?;
    if !meta.is_file() {
        return Err(not_plain());
    }
    let size = meta.len();
    if size > MAX_STATE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// A fresh temp file name in `dir`: `prefix`, process id, counter.
fn temp_name(dir: &Path, prefix: &str) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{prefix}{}-{n}", std::process::id()))
}

/// Creates a new temp file (mode 0600) in `dir`, never reusing an existing name.
fn create_temp(dir: &Path, prefix: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let path = temp_name(dir, prefix);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .private()
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

/// Removes regular files in `dir` named like our temp files. Best effort: a file that cannot be
/// removed now is tried again at the next open.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let ours = [STATE_TEMP_PREFIX, BACKUP_TEMP_PREFIX]
            .iter()
            .any(|prefix| name.starts_with(prefix));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}
