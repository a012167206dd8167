//! The messages into the UI and the commands out of it: every input, tick and result of background
//! work arrives as one [`Msg`]; [`crate::tui::app::App::update`] answers with at most one
//! [`Command`] for the event loop to run off the UI task (save, open a link, scan, quit).

use crossterm::event::KeyEvent;

use crate::discovery::DiscoveryEvent;
use crate::model::DeviceId;
use crate::model::StepId;
use crate::secrets::{Password, PasswordStyle};
use crate::session::mappings::{Listing, Removal, Row};
use crate::verify::Outcome;

/// Everything that can happen to the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized (rendering adapts on the next frame).
    Resize,
    /// Time passed (refreshes relative dates and clears old notices).
    Tick,
    /// The save numbered `generation` reached the disk.
    Saved {
        /// Which save.
        generation: u64,
    },
    /// The save numbered `generation` failed.
    SaveFailed {
        /// Which save.
        generation: u64,
        /// Why, in one line.
        error: String,
    },
    /// A help page was handed to the browser.
    LinkOpened {
        /// The page.
        url: String,
    },
    /// No browser could be started.
    LinkFailed {
        /// The page.
        url: String,
        /// Why, in one line.
        error: String,
    },
    /// The scan started on this scope ("192.168.1.0/24 on wlan0").
    ScanStarted {
        /// What is scanned.
        scope: String,
        /// Notes about the scope (interfaces passed over, narrowed).
        notes: Vec<String>,
    },
    /// The scan could not start (no usable network).
    ScanFailed {
        /// Why, in one line.
        error: String,
    },
    /// An event of the running scan.
    Discovery(DiscoveryEvent),
    /// A password was made for a device; `kept` says whether the keyring took it.
    PasswordMade {
        /// The device.
        device: DeviceId,
        /// The new password (shown once).
        password: Password,
        /// `Ok` when it is in the keyring, else why not.
        kept: Result<(), String>,
    },
    /// A step's network check finished.
    Verified(Outcome),
    /// The audit of one device during a scan finished (fold it back through the workflow).
    Audited(crate::session::AuditDone),
    /// The keyring moved (or had nothing to move of) the password of a device whose id changed.
    SecretMoved {
        /// The device's id now.
        to: DeviceId,
        /// True when a password was moved, false when none was kept, or why it failed.
        result: Result<bool, String>,
    },
    /// The keyring removed (or had none of) the password of a forgotten device.
    SecretRemoved {
        /// The forgotten device's name.
        name: String,
        /// True when a password was removed, false when none was kept, or why it failed.
        result: Result<bool, String>,
    },
    /// The router's mappings were read, or a removal finished.
    Mappings(MappingsMsg),
    /// The keyring answered a request for a device's password.
    PasswordFetched {
        /// The device.
        device: DeviceId,
        /// The password, none kept, or why the keyring could not answer.
        result: Result<Option<Password>, String>,
    },
}

/// Work for the loop, off the UI task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Save the inventory; the result comes back as `Saved` or `SaveFailed` with this number.
    Save {
        /// Increases with every change.
        generation: u64,
    },
    /// Open a page in the browser.
    OpenLink(String),
    /// Start a scan of the network.
    StartScan,
    /// Save, then run the network check of `step` on `device`.
    SaveAndVerify {
        /// Increases with every change.
        generation: u64,
        /// The device.
        device: DeviceId,
        /// The step just marked done.
        step: StepId,
    },
    /// Run the audit's checks on one device ([`crate::session::run_audit`]); the result comes
    /// back as `Audited`.
    Audit(Box<crate::session::AuditJob>),
    /// Several commands, in order.
    Batch(Vec<Command>),
    /// Make a password for a device and keep it in the keyring.
    MakePassword {
        /// The device.
        device: DeviceId,
        /// What kind of password.
        style: PasswordStyle,
    },
    /// Fetch the password kept for a device.
    FetchPassword {
        /// The device.
        device: DeviceId,
    },
    /// Move the password kept under `from` to `to` (a device's id changed); the answer comes
    /// back as `SecretMoved`.
    MoveSecret {
        /// The old id.
        from: DeviceId,
        /// The new id.
        to: DeviceId,
    },
    /// Remove the password kept for a forgotten device; the answer comes back as
    /// `SecretRemoved`.
    RemoveSecret {
        /// The device.
        device: DeviceId,
        /// Its name, for the notice.
        name: String,
    },
    /// Read the router's UPnP port mappings ([`crate::session::mappings::list`], or the demo's
    /// made-up ones when `simulated`); the answer comes back as `Mappings(Listed)`.
    ListMappings {
        /// The demo home: nothing is sent.
        simulated: bool,
    },
    /// Send the one `DeletePortMapping` for `row` ([`crate::session::mappings::remove`]); the
    /// outcome comes back as `Mappings(Removed)`.
    RemoveMapping {
        /// The listing `row` was chosen from.
        listing: Box<Listing>,
        /// The mapping the owner chose.
        row: Box<Row>,
        /// The demo home: nothing is sent.
        simulated: bool,
    },
    /// Leave porchlight (after pending saves finish).
    Quit,
}

/// Answers about the router's port mappings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingsMsg {
    /// The listing, or why it could not be read.
    Listed(Result<Listing, String>),
    /// A removal and its re-checks.
    Removed(Box<Removal>),
}
