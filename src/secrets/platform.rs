//! The keyring store of each platform: the Secret Service over D-Bus (Linux and the BSDs), the
//! macOS login Keychain, the Windows Credential Manager, and none elsewhere. Each says whether it
//! exists, its name for messages, and how to connect.

/// The Secret Service over D-Bus, for Linux and the BSDs.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod os {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    /// This platform has a keyring store.
    pub(in crate::secrets) const SUPPORTED: bool = true;

    /// The keyring, as the owner may know it.
    pub(in crate::secrets) const NAME: &str = "the Secret Service over D-Bus";

    /// Connects to the session bus and opens a Secret Service session.
    pub(in crate::secrets) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
        Ok(store)
    }
}

/// The login Keychain, on macOS.
#[cfg(target_os = "macos")]
mod os {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    /// This platform has a keyring store.
    pub(in crate::secrets) const SUPPORTED: bool = true;

    /// The keyring, as the owner may know it.
    pub(in crate::secrets) const NAME: &str = "the macOS Keychain";

    /// Opens the login Keychain.
    pub(in crate::secrets) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }
}

/// The Windows Credential Manager (generic credentials, kept for the signed-in user).
#[cfg(windows)]
mod os {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    /// This platform has a keyring store.
    pub(in crate::secrets) const SUPPORTED: bool = true;

    /// The keyring, as the owner may know it.
    pub(in crate::secrets) const NAME: &str = "the Windows Credential Manager";

    /// Opens the Credential Manager store.
    pub(in crate::secrets) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }
}

/// Everywhere else: no keyring.
#[cfg(not(any(
    target_os = "macos",
    windows,
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
mod os {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    /// This platform has no keyring store.
    pub(in crate::secrets) const SUPPORTED: bool = false;

    /// What the message names.
    pub(in crate::secrets) const NAME: &str = "a keyring";

    /// Always fails: there is nothing to connect to.
    pub(in crate::secrets) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(keyring_core::Error::NoDefaultStore)
    }
}

pub(super) use os::{NAME, SUPPORTED, connect};
