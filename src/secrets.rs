//! Strong passwords for the owner's devices, and the one place they are kept: the OS keyring.
//!
//! "Make me a password" must give the owner something they could not guess and will not have to
//! write on a sticky note. This module owns both halves:
//!
//! - [`generate`] makes a password from the operating system's random source (`rand::rng()`, a
//!   ChaCha generator seeded and regularly reseeded from the OS). Two styles, both well above the
//!   77 bits that six Diceware words give:
//!   - [`PasswordStyle::Passphrase`]: 7 words by default from the embedded list of 2,854 common,
//!     short English words (`assets/wordlist.txt`), joined with `-`: 7 × log2(2,854) ≈ 80.4 bits.
//!     Easy to read out to a guest and to type on a TV remote.
//!   - [`PasswordStyle::Random`]: 24 characters by default from a 66-character alphabet without
//!     look-alikes (no `0 O 1 l I`), with at least one digit and one symbol: about 145.0 bits
//!     (120.7 bits at the 20-character minimum). For devices that insist on "complex" passwords.
//! - [`Keyring`] keeps a device's password in the OS keyring (the Secret Service over D-Bus on
//!   Linux, the login Keychain on macOS, the Credential Manager on Windows) under service
//!   `porchlight` and the device id as the user (`mac:3c:22:fb:01:02:03`).
//!
//! Why it is built this way:
//!
//! - A password is never written anywhere but the keyring. The state file holds no secrets (see
//!   [`crate::store`]); nothing here logs, writes temp files or prints a password. Passwords travel
//!   as [`Password`], whose `Debug` prints `<hidden>`, which has no `Display`, and which overwrites
//!   its bytes when dropped (best effort: the OS keyring client may keep its own copies).
//! - Keyring calls can block forever: a locked Secret Service waits for an unlock prompt nobody
//!   answers, and starting a D-Bus service can take the bus's whole activation timeout. So every
//!   call runs on its own short-lived thread and is awaited under [`Keyring::timeout`]; past it the
//!   caller gets [`SecretError::TimedOut`] and the thread is left to finish (or hang) on its own.
//!   A plain thread rather than `tokio::task::spawn_blocking`, because dropping a tokio runtime
//!   waits for every blocking task: one stuck keyring call would keep porchlight from quitting.
//!   A `store` that timed out may still complete later.
//! - The system store is set up lazily, on the first call (off the caller's thread, under the same
//!   timeout), and kept for the rest of the process once it works. With no keyring (no session
//!   bus, no Secret Service provider) every call fails at once with [`SecretError::Unavailable`],
//!   whose message tells the owner that nothing was written to disk. A failed setup is retried by
//!   the next call, so a keyring unlocked or started later is picked up.
//! - Tests use [`Keyring::with_store`] with `keyring_core::mock::Store` (or any other
//!   `keyring_core` store), so they never touch the process-wide default store or the real
//!   keyring.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use rand::RngExt;
use rand::seq::IndexedRandom;

use crate::model::DeviceId;
use crate::sanitize;

mod platform;

/// The word list shipped with porchlight: one word per line, `#` lines are comments.
pub const WORDLIST_TXT: &str = include_str!("../assets/wordlist.txt");

/// The keyring service name every porchlight entry is filed under.
pub const SERVICE: &str = "porchlight";

/// How long a keyring call may take before the caller gets [`SecretError::TimedOut`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Words in a default passphrase: 7 × log2(2,854) ≈ 80.4 bits.
pub const DEFAULT_WORDS: usize = 7;

/// The fewest words a passphrase gets; smaller requests are raised to this (≈ 80.4 bits).
pub const MIN_WORDS: usize = 7;

/// The most words a passphrase gets; larger requests are lowered to this.
pub const MAX_WORDS: usize = 20;

/// What joins the words of a passphrase.
pub const SEPARATOR: char = '-';

/// Characters in a default random password: about 145.0 bits.
pub const DEFAULT_LENGTH: usize = 24;

/// The shortest random password; shorter requests are raised to this (about 120.7 bits).
pub const MIN_LENGTH: usize = 20;

/// The longest random password; longer requests are lowered to this.
pub const MAX_LENGTH: usize = 128;

/// Lower-case letters of the random alphabet: all but `l`, which looks like `1` and `I`.
pub const LOWERCASE: &str = "abcdefghijkmnopqrstuvwxyz";

/// Upper-case letters of the random alphabet: all but `I` and `O`.
pub const UPPERCASE: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Digits of the random alphabet: all but `0` and `1`.
pub const DIGITS: &str = "23456789";

/// Symbols of the random alphabet: ones that every keyboard layout types without dead keys and
/// that device web forms and config files take as they are (no quotes, backslash, `%`, `$`, `&`,
/// `<`, `>`, `|`, backtick, `^`, `~` or space).
pub const SYMBOLS: &str = "!#*+-=?@_";

/// The whole random alphabet, in one piece for drawing.
const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#*+-=?@_";

/// The embedded word list, parsed once.
static WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    WORDLIST_TXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The passphrase word list (from `assets/wordlist.txt`, comments left out).
pub fn word_list() -> &'static [&'static str] {
    &WORDS
}

/// How a password is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordStyle {
    /// Words from the embedded list joined with [`SEPARATOR`], such as `lemon-orbit-quiet-...`.
    Passphrase {
        /// How many words; raised to [`MIN_WORDS`] and lowered to [`MAX_WORDS`].
        words: usize,
    },
    /// Characters from an alphabet without look-alikes, with at least one digit and one symbol.
    Random {
        /// How many characters; raised to [`MIN_LENGTH`] and lowered to [`MAX_LENGTH`].
        length: usize,
    },
}

impl PasswordStyle {
    /// A passphrase of [`DEFAULT_WORDS`] words (≈ 80.4 bits).
    pub const fn passphrase() -> Self {
        PasswordStyle::Passphrase {
            words: DEFAULT_WORDS,
        }
    }

    /// A random password of [`DEFAULT_LENGTH`] characters (≈ 145.0 bits).
    pub const fn random() -> Self {
        PasswordStyle::Random {
            length: DEFAULT_LENGTH,
        }
    }

    /// The style that [`generate`] really uses: word count and length brought within their
    /// bounds.
    pub fn normalized(self) -> Self {
        match self {
            PasswordStyle::Passphrase { words } => PasswordStyle::Passphrase {
                words: words.clamp(MIN_WORDS, MAX_WORDS),
            },
            PasswordStyle::Random { length } => PasswordStyle::Random {
                length: length.clamp(MIN_LENGTH, MAX_LENGTH),
            },
        }
    }
}

impl Default for PasswordStyle {
    /// A passphrase: as strong as the random default needs to be, and far easier to type.
    fn default() -> Self {
        PasswordStyle::passphrase()
    }
}

/// A password, kept out of logs and debug output.
///
/// `Debug` prints `<hidden>` and there is no `Display`: the text comes out only through
/// [`Password::expose`], so it cannot end up in a status line, a panic message or a snapshot by
/// accident. Dropping it overwrites its bytes (best effort: copies made elsewhere are not).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps `text` as a password.
    pub fn new(text: impl Into<String>) -> Self {
        Password(text.into())
    }

    /// The password itself, to show the owner once or to hand to the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Password {
    fn from(text: String) -> Self {
        Password(text)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        // Keeps the compiler from dropping the writes as dead stores.
        std::hint::black_box(&bytes);
    }
}

/// Makes a new password in `style` (after [`PasswordStyle::normalized`]) from the OS-seeded
/// cryptographic generator.
///
/// Every word and character is drawn uniformly and independently; a random password without a
/// digit or a symbol is thrown away whole and drawn again, which keeps the draw uniform over the
/// passwords that have both. [`entropy_bits`] gives the strength.
pub fn generate(style: PasswordStyle) -> Password {
    let mut rng = rand::rng();
    match style.normalized() {
        PasswordStyle::Passphrase { words } => {
            let list = word_list();
            let mut chosen = Vec::with_capacity(words);
            for _ in 0..words {
                match list.choose(&mut rng) {
                    Some(word) => chosen.push(*word),
                    // Only with an empty embedded list, which the tests rule out.
                    None => return generate(PasswordStyle::random()),
                }
            }
            // Sized up front so the text is never copied by a reallocation.
            let len = chosen.iter().map(|w| w.len()).sum::<usize>() + words.saturating_sub(1);
            let mut text = Password(String::with_capacity(len));
            for (i, word) in chosen.iter().enumerate() {
                if i > 0 {
                    text.0.push(SEPARATOR);
                }
                text.0.push_str(word);
            }
            text
        }
        PasswordStyle::Random { length } => loop {
            let mut text = Password(String::with_capacity(length));
            for _ in 0..length {
                let byte = ALPHABET[rng.random_range(0..ALPHABET.len())];
                text.0.push(char::from(byte));
            }
            let has = |set: &str| text.0.chars().any(|c| set.contains(c));
            if has(DIGITS) && has(SYMBOLS) {
                break text;
            }
        },
    }
}

/// The strength of a password made by [`generate`] in `style`, in bits: log2 of the number of
/// equally likely passwords it can produce.
///
/// For a passphrase, words × log2(list size): 80.4 bits for the default 7 words. For a random
/// password of length L over an alphabet of A characters with D digits and S symbols, log2 of
/// A^L − (A−D)^L − (A−S)^L + (A−D−S)^L (the strings with at least one digit and one symbol):
/// 145.0 bits for the default 24 characters.
pub fn entropy_bits(style: PasswordStyle) -> f64 {
    match style.normalized() {
        PasswordStyle::Passphrase { words } => words as f64 * (word_list().len() as f64).log2(),
        PasswordStyle::Random { length } => {
            let a = ALPHABET.len() as f64;
            let d = DIGITS.len() as f64;
            let s = SYMBOLS.len() as f64;
            let l = length as i32;
            let share_valid =
                1.0 - ((a - d) / a).powi(l) - ((a - s) / a).powi(l) + ((a - d - s) / a).powi(l);
            length as f64 * a.log2() + share_valid.log2()
        }
    }
}

/// Why a keyring call did not do what was asked. Every message is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// This system has no usable keyring (no session D-Bus, no Secret Service provider, or an
    /// unsupported platform). Holds the reason.
    #[error(
        "no system keyring is available ({0}); nothing was written to disk, so keep this password in a password manager"
    )]
    Unavailable(String),
    /// The keyring did not answer within the timeout; it may be locked and waiting for an unlock
    /// prompt. A save that timed out may still complete later.
    #[error(
        "the system keyring did not answer in time (it may be locked and waiting for you to unlock it); try again once it is unlocked"
    )]
    TimedOut,
    /// The keyring answered with an error. Holds what was being done and why it failed.
    #[error("{0}")]
    Failed(String),
}

/// Where a [`Keyring`] keeps its entries.
#[derive(Clone)]
enum Backend {
    /// The platform's keyring, set up on first use.
    System,
    /// A store chosen by the caller (the mock store in tests).
    Store(Arc<CredentialStore>),
}

impl Backend {
    /// The store to use; sets up the system store when needed. Runs on the worker thread.
    fn store(&self) -> Result<Arc<CredentialStore>, SecretError> {
        match self {
            Backend::System => system_store(),
            Backend::Store(store) => Ok(Arc::clone(store)),
        }
    }
}

/// Device passwords in the OS keyring, one entry per device: service [`SERVICE`], user the
/// device id.
///
/// Calls are `async` and never block the caller's task: each runs on its own thread under
/// [`Keyring::timeout`]. They need a tokio runtime with the time driver.
#[derive(Clone)]
pub struct Keyring {
    service: String,
    timeout: Duration,
    backend: Backend,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.backend {
            Backend::System => "system",
            Backend::Store(_) => "custom",
        };
        f.debug_struct("Keyring")
            .field("service", &self.service)
            .field("timeout", &self.timeout)
            .field("backend", &backend)
            .finish()
    }
}

impl Keyring {
    /// The platform keyring: the Secret Service over D-Bus on Linux and the BSDs, the login
    /// Keychain on macOS.
    ///
    /// Returns at once: the connection is made by the first call (or [`Keyring::check`]), off the
    /// caller's thread and under the timeout, and is then installed as `keyring_core`'s default
    /// store (unless one is already set) and kept for the rest of the process.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] ("no keyring on this system") on platforms porchlight has no
    /// keyring store for.
    pub fn system() -> Result<Keyring, SecretError> {
        if platform::SUPPORTED {
            Ok(Keyring {
                service: SERVICE.to_string(),
                timeout: DEFAULT_TIMEOUT,
                backend: Backend::System,
            })
        } else {
            Err(SecretError::Unavailable(
                "no keyring on this system".to_string(),
            ))
        }
    }

    /// A keyring over `store` (such as `keyring_core::mock::Store::new()?` in tests), with the
    /// default timeout. Leaves `keyring_core`'s default store alone.
    pub fn with_store(store: Arc<CredentialStore>) -> Keyring {
        Keyring {
            service: SERVICE.to_string(),
            timeout: DEFAULT_TIMEOUT,
            backend: Backend::Store(store),
        }
    }

    /// The same keyring with another timeout for each call.
    pub fn with_timeout(mut self, timeout: Duration) -> Keyring {
        self.timeout = timeout;
        self
    }

    /// How long each call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The service name entries are filed under ([`SERVICE`]).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Makes sure the keyring can be reached, connecting to the system keyring if that was not
    /// done yet. Lets a front end say "no keyring" before the owner asks for a password.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] when there is no usable keyring, [`SecretError::TimedOut`]
    /// when it does not answer in time.
    pub async fn check(&self) -> Result<(), SecretError> {
        self.run(|_| Ok(())).await
    }

    /// Saves `password` as the password of `device`, replacing any earlier one.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] when there is no usable keyring, [`SecretError::TimedOut`]
    /// when it does not answer in time (the save may still happen later), and
    /// [`SecretError::Failed`] when it refuses (locked, access denied) or `password` is empty.
    /// Whatever the error, nothing was written to disk by porchlight.
    pub async fn store(&self, device: &DeviceId, password: &str) -> Result<(), SecretError> {
        if password.is_empty() {
            return Err(failed("save", device, "the password is empty"));
        }
        let password = Password::new(password);
        let (service, user) = (self.service.clone(), device.to_string());
        let device = device.clone();
        self.run(move |store| {
            Entry::new_in_store(store, &service, &user)
                .and_then(|entry| entry.set_password(password.expose()))
                .map_err(|e| failed("save", &device, &describe(&e)))
        })
        .await
    }

    /// The saved password of `device`, or `None` when there is none.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] when there is no usable keyring, [`SecretError::TimedOut`]
    /// when it does not answer in time, and [`SecretError::Failed`] when it refuses or holds
    /// something that is not text.
    pub async fn fetch(&self, device: &DeviceId) -> Result<Option<Password>, SecretError> {
        let (service, user) = (self.service.clone(), device.to_string());
        let device = device.clone();
        self.run(move |store| {
            match Entry::new_in_store(store, &service, &user).and_then(|e| e.get_password()) {
                Ok(text) => Ok(Some(Password::from(text))),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(e) => Err(failed("read", &device, &describe(&e))),
            }
        })
        .await
    }

    /// Removes the saved password of `device`. Removing a password that is not there succeeds.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] when there is no usable keyring, [`SecretError::TimedOut`]
    /// when it does not answer in time, and [`SecretError::Failed`] when it refuses.
    pub async fn delete(&self, device: &DeviceId) -> Result<(), SecretError> {
        let (service, user) = (self.service.clone(), device.to_string());
        let device = device.clone();
        self.run(move |store| {
            match Entry::new_in_store(store, &service, &user).and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(failed("remove", &device, &describe(&e))),
            }
        })
        .await
    }

    /// Moves the saved password of `from` to `to`, for a device whose id changed (its hardware
    /// address was learnt); true when there was one to move. A password already kept under `to`
    /// is not replaced: both are then left as they are and the error says so.
    ///
    /// # Errors
    ///
    /// [`SecretError::Unavailable`] when there is no usable keyring, [`SecretError::TimedOut`]
    /// when it does not answer in time, and [`SecretError::Failed`] when it refuses or `to`
    /// already holds a password.
    pub async fn move_entry(&self, from: &DeviceId, to: &DeviceId) -> Result<bool, SecretError> {
        if from == to {
            return Ok(false);
        }
        let (service, old_user, new_user) =
            (self.service.clone(), from.to_string(), to.to_string());
        let (from, to) = (from.clone(), to.clone());
        self.run(move |store| {
            let old = Entry::new_in_store(store, &service, &old_user)
                .map_err(|e| failed("read", &from, &describe(&e)))?;
            let password = match old.get_password() {
                Ok(text) => Password::from(text),
                Err(keyring_core::Error::NoEntry) => return Ok(false),
                Err(e) => return Err(failed("read", &from, &describe(&e))),
            };
            let new = Entry::new_in_store(store, &service, &new_user)
                .map_err(|e| failed("move", &to, &describe(&e)))?;
            match new.get_password() {
                Err(keyring_core::Error::NoEntry) => {}
                Ok(_) => {
                    return Err(failed(
                        "move",
                        &from,
                        &format!("{to} already has one, so both were kept"),
                    ));
                }
                Err(e) => return Err(failed("move", &to, &describe(&e))),
            }
            new.set_password(password.expose())
                .map_err(|e| failed("move", &to, &describe(&e)))?;
            // Removed only once the copy is in place: a failure here leaves two, never none.
            match old.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(true),
                Err(e) => Err(failed("remove", &from, &describe(&e))),
            }
        })
        .await
    }

    /// Removes the saved password of a device being forgotten; true when there was one.
    ///
    /// # Errors
    ///
    /// The same as [`Keyring::delete`].
    pub async fn remove(&self, device: &DeviceId) -> Result<bool, SecretError> {
        let (service, user) = (self.service.clone(), device.to_string());
        let device = device.clone();
        self.run(move |store| {
            match Entry::new_in_store(store, &service, &user).and_then(|e| e.delete_credential()) {
                Ok(()) => Ok(true),
                Err(keyring_core::Error::NoEntry) => Ok(false),
                Err(e) => Err(failed("remove", &device, &describe(&e))),
            }
        })
        .await
    }

    /// Runs `job` against the store on a new thread and waits for it at most `self.timeout`.
    ///
    /// On a timeout the thread is abandoned, not stopped (a blocking keyring call cannot be
    /// interrupted); it ends when the call returns, or with the process.
    async fn run<T, F>(&self, job: F) -> Result<T, SecretError>
    where
        T: Send + 'static,
        F: FnOnce(&Arc<CredentialStore>) -> Result<T, SecretError> + Send + 'static,
    {
        let backend = self.backend.clone();
        let (reply, answer) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("porchlight-keyring".to_string())
            .spawn(move || {
                let result = backend.store().and_then(|store| job(&store));
                // The caller may have stopped waiting; then nobody needs the answer.
                let _ = reply.send(result);
            })
            .map_err(|e| {
                SecretError::Failed(sanitize::one_line(&format!(
                    "could not start the keyring call: {e}"
                )))
            })?;
        match tokio::time::timeout(self.timeout, answer).await {
            Err(_) => Err(SecretError::TimedOut),
            // The thread ended without answering: the keyring client panicked.
            Ok(Err(_)) => Err(SecretError::Failed(
                "the keyring call failed unexpectedly".to_string(),
            )),
            Ok(Ok(result)) => result,
        }
    }
}

/// The system store, connected once and kept; a failed connection is retried by the next call.
///
/// The lock is held while connecting so that concurrent first calls share one connection; a
/// connection attempt that hangs makes later calls wait on the lock and time out too.
fn system_store() -> Result<Arc<CredentialStore>, SecretError> {
    static SYSTEM: Mutex<Option<Arc<CredentialStore>>> = Mutex::new(None);
    let mut slot = SYSTEM.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(store) = slot.as_ref() {
        return Ok(Arc::clone(store));
    }
    let store = platform::connect().map_err(|e| {
        let reason = format!("{} could not be reached: {}", platform::NAME, describe(&e));
        SecretError::Unavailable(sanitize::one_line(&reason))
    })?;
    if keyring_core::get_default_store().is_none() {
        keyring_core::set_default_store(Arc::clone(&store));
    }
    *slot = Some(Arc::clone(&store));
    Ok(store)
}

/// A one-line [`SecretError::Failed`] for `action` ("save", "read", "remove") on `device`.
fn failed(action: &str, device: &DeviceId, reason: &str) -> SecretError {
    let tail = if action == "save" {
        "; nothing was written to disk"
    } else {
        ""
    };
    SecretError::Failed(sanitize::one_line(&format!(
        "could not {action} the password of {device} in the system keyring: {reason}{tail}"
    )))
}

/// What went wrong, in words that never include secret bytes.
///
/// `keyring_core` errors can carry the secret: `BadEncoding` and `BadDataFormat` hold the raw
/// bytes, and `Ambiguous` prints its entries with `Debug`, which for some stores shows the
/// password. Those get fixed wording; only errors that carry plain text are shown as they are.
fn describe(error: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match error {
        E::NoStorageAccess(e) => {
            format!(
                "access was refused (the keyring may be locked, or its prompt was dismissed): {e}"
            )
        }
        E::PlatformFailure(e) => e.to_string(),
        E::NoEntry => "there is no such entry".to_string(),
        E::BadEncoding(_) => "the saved password is not text".to_string(),
        E::BadDataFormat(_, _) => "the saved password is damaged".to_string(),
        E::Ambiguous(entries) => format!(
            "the keyring holds {} matching entries for this device; remove the extra ones in your keyring app",
            entries.len()
        ),
        E::NoDefaultStore => "no keyring store is set up".to_string(),
        E::Invalid(..) | E::TooLong(..) | E::BadStoreFormat(_) | E::NotSupportedByStore(_) => {
            error.to_string()
        }
        _ => "the keyring reported an unexpected error".to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_is_its_parts_without_look_alikes() {
        let parts = [LOWERCASE, UPPERCASE, DIGITS, SYMBOLS].concat();
        assert_eq!(ALPHABET, parts.as_bytes());
        for c in ['0', 'O', '1', 'l', 'I'] {
            assert!(!parts.contains(c), "{c} is a look-alike");
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len(), "no character twice");
        assert_eq!(ALPHABET.len(), 66);
    }

    #[test]
    fn errors_that_carry_secret_bytes_are_described_without_them() {
        let secret = b"hunter2-correct-horse".to_vec();
        for e in [
            keyring_core::Error::BadEncoding(secret.clone()),
            keyring_core::Error::BadDataFormat(secret.clone(), "bad".into()),
        ] {
            let text = describe(&e);
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!text.contains("104"), "{text}"); // the first byte, as Debug would print it
        }
    }

    #[test]
    fn messages_are_one_line() {
        let e = failed(
            "save",
            &"ip:192.168.1.2".parse().unwrap(),
            "first\nsecond\r\nthird",
        );
        let text = e.to_string();
        assert!(!text.contains('\n') && !text.contains('\r'), "{text}");
        assert!(text.contains("nothing was written to disk"), "{text}");
    }
}
