//! What `porchlight watch` remembers between passes, in `watch.json` beside the state file: when
//! the last pass ran, what it already said (so a change is said once), the router's internet
//! address, and the latest changes (for the TUI's "since you last looked"). Written whole through
//! a temp file and a rename, mode 0600; a damaged file is reported, never overwritten. Changed
//! only through [`WatchState::update`], which reads, changes and writes it under the data folder's
//! short lock (the one saves of `state.json` take), so a `watch` service and a `watch --once` job
//! never lose each other's "already said" marks.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Change, ChangeKind};

/// The file's name in the data folder.
pub const WATCH_FILE: &str = "watch.json";

/// How many changes the file keeps (the newest).
pub const EVENTS_KEPT: usize = 200;

/// The largest `watch.json` read (a bigger one is not ours).
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// One change a pass reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEvent {
    /// When it was reported.
    pub at: Timestamp,
    /// What kind.
    pub kind: ChangeKind,
    /// The line that was printed.
    pub line: String,
}

/// What watch remembers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    /// When the last pass finished; none before the first.
    #[serde(default)]
    pub last_pass: Option<Timestamp>,
    /// The keys of held conditions already said (see [`super::held_keys`]).
    #[serde(default)]
    pub reported: BTreeSet<String>,
    /// The router's internet address at the last pass that learnt it.
    #[serde(default)]
    pub external_address: Option<Ipv4Addr>,
    /// The latest changes, oldest first, at most [`EVENTS_KEPT`].
    #[serde(default)]
    pub events: Vec<WatchEvent>,
}

impl WatchState {
    /// Reads `watch.json` in `dir`; an empty state when there is none.
    ///
    /// # Errors
    /// One line naming the file when it cannot be read or is not a watch state.
    pub fn load(dir: &Path) -> anyhow::Result<WatchState> {
        let path = dir.join(WATCH_FILE);
        if !plain_or_missing(&path) {
            anyhow::bail!(
                "{} is not a plain file (a pipe, a device or a folder); move it away and watch starts afresh",
                path.display()
            );
        }
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if bytes.len() as u64 > MAX_BYTES {
            anyhow::bail!(
                "{} is larger than {MAX_BYTES} bytes; move it away and watch starts afresh",
                path.display()
            );
        }
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is damaged; move it away and watch starts afresh",
                path.display()
            )
        })
    }

    /// Reads `watch.json` in `dir`, lets `change` change it, and writes it back, all under the
    /// data folder's lock (held for that only; blocks the thread while it waits for it).
    ///
    /// # Errors
    /// One line when the lock cannot be had, or the file cannot be read or written.
    pub fn update<T>(dir: &Path, change: impl FnOnce(&mut WatchState) -> T) -> anyhow::Result<T> {
        crate::store::with_folder_lock(dir, || {
            let mut state = Self::load(dir)?;
            let out = change(&mut state);
            state.save(dir)?;
            Ok(out)
        })?
    }

    /// Writes the state to `watch.json` in `dir`, whole or not at all (without the lock: see
    /// [`WatchState::update`]).
    ///
    /// # Errors
    /// One line naming the file when it cannot be written.
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(WATCH_FILE);
        let temp: PathBuf = dir.join(format!(".{WATCH_FILE}.tmp-{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(self)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options
            .open(&temp)
            .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&temp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(e).with_context(|| format!("cannot write {}", path.display()));
        }
        Ok(())
    }

    /// Records a pass that finished at `now`: the changes it said, the held conditions it saw
    /// (`held`), and the internet address it learnt.
    pub fn remember(
        &mut self,
        changes: &[Change],
        held: BTreeSet<String>,
        external: Option<Ipv4Addr>,
        now: Timestamp,
    ) {
        self.last_pass = Some(now);
        self.reported = held;
        if external.is_some() {
            self.external_address = external;
        }
        self.events.extend(changes.iter().map(|c| WatchEvent {
            at: now,
            kind: c.kind,
            line: c.line.clone(),
        }));
        let excess = self.events.len().saturating_sub(EVENTS_KEPT);
        self.events.drain(..excess);
    }

    /// The changes reported after `since` (all of them when `since` is none), newest first.
    pub fn since(&self, since: Option<Timestamp>) -> impl Iterator<Item = &WatchEvent> {
        self.events
            .iter()
            .rev()
            .filter(move |e| since.is_none_or(|s| e.at > s))
    }
}

/// The file where the TUI notes when the owner last looked at what watch found.
pub const SEEN_FILE: &str = "watch.seen";

/// What watch reported since the owner last opened porchlight (newest first, at most `max`), and
/// notes that they are looking now. A missing or damaged file shows nothing rather than stop the
/// TUI; the note is best effort.
pub fn unseen_and_mark(dir: &Path, now: Timestamp, max: usize) -> Vec<WatchEvent> {
    let Ok(state) = WatchState::load(dir) else {
        return Vec::new();
    };
    let seen_path = dir.join(SEEN_FILE);
    if !plain_or_missing(&seen_path) {
        return Vec::new();
    }
    let seen: Option<Timestamp> = std::fs::read_to_string(&seen_path).ok().and_then(|text| {
        text.chars()
            .take(64)
            .collect::<String>()
            .trim()
            .parse()
            .ok()
    });
    let news: Vec<WatchEvent> = state.since(seen).take(max).cloned().collect();
    if dir.exists() {
        let temp = dir.join(format!(".{SEEN_FILE}.tmp-{}", std::process::id()));
        let written = std::fs::write(&temp, format!("{now}\n"))
            .and_then(|()| std::fs::rename(&temp, &seen_path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }
    news
}

/// True when `path` is a plain file or nothing: opening a named pipe would wait forever.
fn plain_or_missing(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |meta| meta.is_file())
}
