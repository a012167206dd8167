//! Passwords and the keyring: generated passwords are as long and as strong as promised, the word
//! list asset is sound, keyring calls round-trip, fail with one-line messages, time out instead of
//! hanging, report a missing system keyring at once, and never put a password on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use keyring_core::api::{CredentialApi, CredentialStoreApi};
use keyring_core::{CredentialStore, Entry, mock};
use porchlight::model::{Device, DeviceId, Inventory};
use porchlight::secrets::{
    self, DIGITS, Keyring, LOWERCASE, MIN_LENGTH, MIN_WORDS, Password, PasswordStyle, SERVICE,
    SYMBOLS, SecretError, UPPERCASE, WORDLIST_TXT,
};
use porchlight::store::Store;

fn device() -> DeviceId {
    "mac:3c:22:fb:01:02:03".parse().unwrap()
}

fn mock_store() -> Arc<CredentialStore> {
    mock::Store::new().unwrap()
}

/// The mock credential the keyring uses for `device`: the mock store hands out one credential per
/// service and user, so an error set on it reaches the keyring's next call.
fn mock_entry(store: &Arc<CredentialStore>, device: &DeviceId) -> Entry {
    Entry::new_in_store(store, SERVICE, &device.to_string()).unwrap()
}

fn inject(entry: &Entry, error: keyring_core::Error) {
    let cred: &mock::Cred = entry.as_any().downcast_ref().unwrap();
    cred.set_error(error);
}

// ---- generation ----

#[test]
fn the_word_list_asset_is_sound() {
    let mut header = WORDLIST_TXT.lines().take_while(|l| l.starts_with('#'));
    assert!(
        header.any(|l| l.contains("SCOWL")),
        "the header says where the words came from"
    );
    let words = secrets::word_list();
    assert!(words.len() >= 2048, "{} words", words.len());
    let unique: HashSet<&&str> = words.iter().collect();
    assert_eq!(unique.len(), words.len(), "no word twice");
    for w in words {
        assert!(
            (4..=7).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()),
            "{w:?} is not 4 to 7 lower-case letters"
        );
    }
    // Every non-comment line is a word: nothing was silently skipped.
    let lines = WORDLIST_TXT.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(lines, words.len());
}

#[test]
fn defaults_reach_77_bits() {
    let passphrase = secrets::entropy_bits(PasswordStyle::passphrase());
    let random = secrets::entropy_bits(PasswordStyle::random());
    assert!(passphrase >= 77.0, "passphrase: {passphrase:.1} bits");
    assert!(random >= 77.0, "random: {random:.1} bits");
    assert_eq!(PasswordStyle::default(), PasswordStyle::passphrase());
    // The figures the docs quote.
    assert!((passphrase - 80.4).abs() < 0.05, "{passphrase}");
    assert!((random - 145.0).abs() < 0.05, "{random}");
    // The floors hold for requests below them.
    let weakest = secrets::entropy_bits(PasswordStyle::Passphrase { words: 1 });
    assert!(weakest >= 77.0, "{weakest}");
    let weakest = secrets::entropy_bits(PasswordStyle::Random { length: 4 });
    assert!(weakest >= 77.0, "{weakest}");
}

#[test]
fn passphrases_are_words_from_the_list() {
    let list: HashSet<&str> = secrets::word_list().iter().copied().collect();
    for (asked, got) in [(7, 7), (9, 9), (0, MIN_WORDS), (1000, secrets::MAX_WORDS)] {
        let p = secrets::generate(PasswordStyle::Passphrase { words: asked });
        let words: Vec<&str> = p.expose().split(secrets::SEPARATOR).collect();
        assert_eq!(words.len(), got, "asked for {asked}");
        for w in &words {
            assert!(list.contains(w), "{w:?} is not in the list");
        }
    }
}

#[test]
fn random_passwords_use_the_alphabet_with_a_digit_and_a_symbol() {
    let alphabet = [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS].concat();
    for (asked, got) in [(24, 24), (20, 20), (5, MIN_LENGTH), (31, 31), (10_000, 128)] {
        for _ in 0..200 {
            let p = secrets::generate(PasswordStyle::Random { length: asked });
            let text = p.expose();
            assert_eq!(text.chars().count(), got, "asked for {asked}");
            assert!(text.chars().all(|c| alphabet.contains(c)), "{text}");
            assert!(text.chars().any(|c| DIGITS.contains(c)), "{text}");
            assert!(text.chars().any(|c| SYMBOLS.contains(c)), "{text}");
            for c in ['0', 'O', '1', 'l', 'I'] {
                assert!(!text.contains(c), "{text}");
            }
        }
    }
}

#[test]
fn a_thousand_draws_never_repeat() {
    for style in [PasswordStyle::passphrase(), PasswordStyle::random()] {
        let drawn: HashSet<String> = (0..1000)
            .map(|_| secrets::generate(style).expose().to_string())
            .collect();
        assert_eq!(drawn.len(), 1000, "{style:?}");
    }
}

#[test]
fn random_characters_are_spread_over_the_alphabet() {
    // 2,000 × 24 draws: each of the 66 characters is expected about 727 times. A character
    // missing or drawn twice as often would mean a broken draw.
    let mut counts: HashMap<char, usize> = HashMap::new();
    for _ in 0..2000 {
        for c in secrets::generate(PasswordStyle::random()).expose().chars() {
            *counts.entry(c).or_default() += 1;
        }
    }
    assert_eq!(counts.len(), 66);
    for (c, n) in counts {
        assert!((450..1100).contains(&n), "{c:?} drawn {n} times");
    }
}

#[test]
fn a_password_never_shows_in_debug_output() {
    let p = secrets::generate(PasswordStyle::random());
    assert_eq!(format!("{p:?}"), "<hidden>");
    assert_eq!(format!("{:?}", Some(p.clone())), "Some(<hidden>)");
    assert_eq!(Password::new("x"), Password::from("x".to_string()));
    let keyring = Keyring::with_store(mock_store());
    assert!(!format!("{keyring:?}").contains(p.expose()));
}

// ---- the keyring, on the mock store ----

#[tokio::test]
async fn store_fetch_delete_round_trip() {
    let store = mock_store();
    let keyring = Keyring::with_store(Arc::clone(&store));
    let id = device();
    let other: DeviceId = "host:printer.local".parse().unwrap();
    let password = secrets::generate(PasswordStyle::passphrase());

    keyring.check().await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), None, "nothing saved yet");
    keyring.store(&id, password.expose()).await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), Some(password.clone()));
    assert_eq!(keyring.fetch(&other).await.unwrap(), None, "per device");

    // The entry is the one the brief names: service "porchlight", user the device id.
    let entry = Entry::new_in_store(&store, "porchlight", "mac:3c:22:fb:01:02:03").unwrap();
    assert_eq!(entry.get_password().unwrap(), password.expose());

    let newer = secrets::generate(PasswordStyle::random());
    keyring.store(&id, newer.expose()).await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), Some(newer));

    keyring.delete(&id).await.unwrap();
    assert_eq!(keyring.fetch(&id).await.unwrap(), None);
    keyring
        .delete(&id)
        .await
        .expect("removing a missing password succeeds");
}

#[tokio::test]
async fn an_empty_password_is_refused() {
    let keyring = Keyring::with_store(mock_store());
    let err = keyring.store(&device(), "").await.unwrap_err();
    assert!(matches!(err, SecretError::Failed(_)), "{err:?}");
    assert_eq!(keyring.fetch(&device()).await.unwrap(), None);
}

#[tokio::test]
async fn a_failing_store_gives_a_one_line_failure() {
    let store = mock_store();
    let keyring = Keyring::with_store(Arc::clone(&store));
    let id = device();
    let entry = mock_entry(&store, &id);

    inject(
        &entry,
        keyring_core::Error::PlatformFailure("the daemon fell over\nat line 2".into()),
    );
    let err = keyring.store(&id, "correct-horse").await.unwrap_err();
    let SecretError::Failed(message) = &err else {
        panic!("expected Failed, got {err:?}");
    };
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("the daemon fell over"), "{text}");
    assert!(text.contains("mac:3c:22:fb:01:02:03"), "{text}");
    assert!(text.contains("nothing was written to disk"), "{text}");
    assert!(!message.contains("correct-horse"), "{message}");
    assert_eq!(keyring.fetch(&id).await.unwrap(), None, "nothing was saved");

    // The mock clears its error after one call: the next save works.
    keyring.store(&id, "correct-horse").await.unwrap();

    inject(
        &entry,
        keyring_core::Error::NoStorageAccess("collection is locked".into()),
    );
    let err = keyring.fetch(&id).await.unwrap_err();
    assert!(matches!(err, SecretError::Failed(_)), "{err:?}");
    assert!(err.to_string().contains("locked"), "{err}");

    inject(
        &entry,
        keyring_core::Error::NoStorageAccess("prompt dismissed".into()),
    );
    let err = keyring.delete(&id).await.unwrap_err();
    assert!(matches!(err, SecretError::Failed(_)), "{err:?}");
    assert_eq!(
        keyring
            .fetch(&id)
            .await
            .unwrap()
            .map(|p| p.expose().to_string()),
        Some("correct-horse".to_string()),
        "a refused delete removed nothing"
    );
}

#[tokio::test]
async fn errors_that_carry_the_secret_do_not_repeat_it() {
    let store = mock_store();
    let keyring = Keyring::with_store(Arc::clone(&store));
    let id = device();
    let secret = "tulip-orbit-quiet-lemon";
    keyring.store(&id, secret).await.unwrap();
    let entry = mock_entry(&store, &id);

    inject(
        &entry,
        keyring_core::Error::BadEncoding(secret.as_bytes().to_vec()),
    );
    let err = keyring.fetch(&id).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains("tulip"), "{err:?}");

    // Ambiguous prints its entries with Debug, and the mock's Debug shows the stored bytes.
    let twin = mock_entry(&store, &id);
    inject(&entry, keyring_core::Error::Ambiguous(vec![twin]));
    let err = keyring.fetch(&id).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("tulip"), "{shown}");
    let bytes = format!("{:?}", secret.as_bytes());
    assert!(!shown.contains(&bytes[1..20]), "{shown}");
    assert!(shown.contains("matching entries"), "{shown}");
}

// ---- timeouts ----

/// A gate that keeps credential calls waiting until it opens (or a minute passes, so a failed
/// test cannot hang the suite).
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    fn wait(&self) {
        let open = self.open.lock().unwrap();
        let _ = self
            .changed
            .wait_timeout_while(open, Duration::from_secs(60), |open| !*open)
            .unwrap();
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }
}

/// A store whose every call blocks on the gate, like a locked Secret Service waiting for an
/// unlock prompt.
struct StuckStore(Arc<Gate>);

struct StuckCred(Arc<Gate>);

impl CredentialApi for StuckCred {
    fn set_secret(&self, _: &[u8]) -> keyring_core::Result<()> {
        self.0.wait();
        Ok(())
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        self.0.wait();
        Err(keyring_core::Error::NoEntry)
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        self.0.wait();
        Ok(())
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<keyring_core::Credential>>> {
        Ok(None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        None
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl CredentialStoreApi for StuckStore {
    fn vendor(&self) -> String {
        "stuck test store".to_string()
    }

    fn id(&self) -> String {
        "stuck".to_string()
    }

    fn build(
        &self,
        _service: &str,
        _user: &str,
        _modifiers: Option<&HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        Ok(Entry::new_with_credential(Arc::new(StuckCred(Arc::clone(
            &self.0,
        )))))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn stuck_keyring(timeout: Duration) -> (Keyring, Arc<Gate>) {
    let gate = Arc::new(Gate::default());
    let store: Arc<CredentialStore> = Arc::new(StuckStore(Arc::clone(&gate)));
    (Keyring::with_store(store).with_timeout(timeout), gate)
}

#[tokio::test]
async fn a_blocked_keyring_times_out() {
    let timeout = Duration::from_millis(200);
    let (keyring, gate) = stuck_keyring(timeout);
    let id = device();
    for call in ["store", "fetch", "delete"] {
        let started = Instant::now();
        let err = match call {
            "store" => keyring.store(&id, "pw").await.unwrap_err(),
            "fetch" => keyring.fetch(&id).await.unwrap_err(),
            _ => keyring.delete(&id).await.unwrap_err(),
        };
        let took = started.elapsed();
        assert_eq!(err, SecretError::TimedOut, "{call}");
        assert!(
            took >= timeout && took < timeout + Duration::from_millis(500),
            "{call} took {took:?}"
        );
    }
    assert!(
        SecretError::TimedOut.to_string().contains("unlock"),
        "the message says what to do"
    );
    gate.open();
    // Once the keyring answers again, so does porchlight.
    assert_eq!(keyring.fetch(&id).await.unwrap(), None);
}

#[test]
fn a_stuck_keyring_call_does_not_hold_up_quitting() {
    // Dropping a tokio runtime waits for its blocking tasks; keyring calls run on their own
    // threads so that a hung one cannot keep porchlight from exiting.
    let (keyring, gate) = stuck_keyring(Duration::from_millis(100));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime.block_on(keyring.fetch(&device())).unwrap_err();
    assert_eq!(err, SecretError::TimedOut);
    let started = Instant::now();
    drop(runtime);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the runtime took {:?} to drop",
        started.elapsed()
    );
    gate.open();
}

// ---- the system keyring on a machine without one ----

// The Secret Service over D-Bus is the system keyring of Linux and the BSDs only.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
#[tokio::test]
async fn without_a_session_bus_the_system_keyring_is_unavailable_at_once() {
    // Where zbus looks for the session bus: the variable, then $XDG_RUNTIME_DIR/bus, then
    // /run/user/<uid>/bus.
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next().map(str::to_string))
        })
        .unwrap_or_default();
    let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || match std::env::var_os("XDG_RUNTIME_DIR") {
            Some(d) => Path::new(&d).join("bus").exists(),
            None => Path::new(&format!("/run/user/{uid}/bus")).exists(),
        };
    if has_bus {
        // Run this test again with no bus in reach: no address, and a runtime folder of its own.
        assert!(
            std::env::var_os("PORCHLIGHT_NO_BUS_CHILD").is_none(),
            "the child still sees a session bus"
        );
        let runtime = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "without_a_session_bus_the_system_keyring_is_unavailable_at_once",
                "--nocapture",
            ])
            .env("PORCHLIGHT_NO_BUS_CHILD", "1")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let keyring = Keyring::system().expect("Linux has a keyring store");
    assert_eq!(keyring.service(), "porchlight");
    assert_eq!(keyring.timeout(), Duration::from_secs(5));
    for _ in 0..2 {
        // The second call retries the connection, and fails as fast.
        let started = Instant::now();
        let err = keyring.fetch(&device()).await.unwrap_err();
        let took = started.elapsed();
        let SecretError::Unavailable(_) = &err else {
            panic!("expected Unavailable, got {err:?}");
        };
        assert!(took < Duration::from_millis(500), "took {took:?}");
        let text = err.to_string();
        eprintln!("{took:?}: {text}");
        assert!(text.contains("nothing was written to disk"), "{text}");
        assert!(text.contains("password manager"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
    let err = keyring.store(&device(), "pw").await.unwrap_err();
    assert!(matches!(err, SecretError::Unavailable(_)), "{err:?}");
    let err = keyring.check().await.unwrap_err();
    assert!(matches!(err, SecretError::Unavailable(_)), "{err:?}");
    assert!(
        keyring_core::get_default_store().is_none(),
        "no store was installed"
    );
}

// ---- nothing on disk ----

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_stored_password_never_reaches_the_state_folder() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::now();
    let id = device();
    let mut inventory = Inventory::default();
    inventory
        .devices
        .push(Device::new(id.clone(), "Living-room TV", now));
    inventory.devices.push(Device::new(
        "host:printer.local".parse().unwrap(),
        "Printer",
        now,
    ));

    let keyring = Keyring::with_store(mock_store());
    let mut passwords = Vec::new();
    for style in [PasswordStyle::passphrase(), PasswordStyle::random()] {
        let password = secrets::generate(style);
        keyring.store(&id, password.expose()).await.unwrap();
        passwords.push(password);
    }

    let store = Store::open(dir.path()).unwrap();
    store.save(&inventory).unwrap();
    store.save(&inventory).unwrap(); // a second save also writes the backup
    drop(store);

    let files = files_under(dir.path());
    assert!(
        files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n == "state.json")),
        "{files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for password in &passwords {
            assert!(
                !contains(&bytes, password.expose().as_bytes()),
                "{} holds the password",
                file.display()
            );
        }
    }
    // Nor does it reach a report, in any format.
    let catalog = porchlight::catalog::Catalog::builtin().unwrap();
    for format in ["md", "html", "json"] {
        let report = porchlight::report::render(
            format.parse().unwrap(),
            &porchlight::report::ReportInput {
                catalog: &catalog,
                fingerprints: None,
                inventory: &inventory,
                now,
                tz: jiff::tz::TimeZone::UTC,
                title: "test".into(),
            },
        )
        .unwrap();
        for password in &passwords {
            assert!(
                !report.contains(password.expose()),
                "the {format} report holds it"
            );
        }
    }
    // The password is in the keyring all the same.
    assert_eq!(keyring.fetch(&id).await.unwrap().as_ref(), passwords.last());
}
