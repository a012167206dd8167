//! A state file far larger than porchlight ever writes is refused by its size, before it is read:
//! a clear one-line error naming the file, a non-zero exit, and the file left as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::fs::{self, File};
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

use assert_cmd::Command;
use porchlight::model::Inventory;
use porchlight::store::{MAX_STATE_BYTES, STATE_FILE, Store, StoreError};

/// A data folder holding a sparse `state.json` of `size` bytes (no disk used).
fn folder_with_state_of(size: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let file = File::create(dir.path().join(STATE_FILE)).unwrap();
    file.set_len(size).unwrap();
    dir
}

#[test]
fn a_100_mb_state_file_is_refused_unread_and_kept() {
    let dir = folder_with_state_of(100 * 1024 * 1024);
    let state = dir.path().join(STATE_FILE);
    let store = Store::open(dir.path()).unwrap();
    let e = store.load().unwrap_err();
    assert!(matches!(e, StoreError::TooLarge { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains(&state.display().to_string()), "{text}");
    assert!(
        text.contains("100 MiB") && text.contains("64 MiB"),
        "{text}"
    );
    assert!(!text.contains('\n'));
    // Saving would lose it: refused, and the file is as it was.
    assert!(store.save(&Inventory::default()).is_err());
    assert_eq!(fs::metadata(&state).unwrap().len(), 100 * 1024 * 1024);
    drop(store);

    // The owner sees one line naming the file, and a failing exit status.
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("devices")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&state.display().to_string()), "{err}");
    assert!(
        err.contains("larger than a porchlight state file can be"),
        "{err}"
    );
}

#[test]
fn a_file_just_at_the_cap_is_read_and_one_byte_more_is_not() {
    // At the cap the file is read (and found damaged: zeros are not JSON); one byte over, it is
    // refused by size.
    let at_cap = folder_with_state_of(MAX_STATE_BYTES);
    let e = Store::open(at_cap.path()).unwrap().load().unwrap_err();
    assert!(matches!(e, StoreError::Damaged { .. }), "{e:?}");
    let over = folder_with_state_of(MAX_STATE_BYTES + 1);
    let e = Store::open(over.path()).unwrap().load().unwrap_err();
    assert!(matches!(e, StoreError::TooLarge { .. }), "{e:?}");
}
