//! What a screen asks of the app after handling a key or a result: say something, save, go to
//! another screen, or run a command. Screens change the shared model ([`crate::tui::home::Home`])
//! and their own state directly, and return these for [`crate::tui::app::App`] to apply in order;
//! only the app numbers saves, keeps the notice and the messages log, and swaps screens.

use crate::model::{DeviceId, StepId};
use crate::tui::msg::Command;
use crate::tui::notice::Tone;

/// Where to go: the app builds the screen's fresh state from this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Go {
    /// The device list.
    List,
    /// The Fix first list, at its top.
    NeedsYou,
    /// One device's details and checklist.
    Detail(DeviceId),
    /// The wizard on one step of one device, at its first page.
    Wizard(DeviceId, StepId),
    /// The router's UPnP port mappings, opened from this device's screen (Esc goes back to it).
    Mappings(Option<DeviceId>),
}

/// One thing for the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Say this on the status line (and keep it in the messages log).
    Notice(Tone, String),
    /// Say this, unless an error is on the status line already (errors are not hidden by news).
    NoticeUnlessError(Tone, String),
    /// Number a new change and save it.
    Save,
    /// Number a new change, save it, then run the network check of `step` on `device`.
    SaveAndVerify {
        /// The device.
        device: DeviceId,
        /// The step just marked done.
        step: StepId,
    },
    /// Show another screen.
    Go(Go),
    /// A device's id changed (an address became a hardware address): screens on it follow.
    Renamed {
        /// The old id.
        was: DeviceId,
        /// The new id.
        now_is: DeviceId,
    },
    /// Run this command.
    Run(Command),
}

impl Effect {
    /// A notice.
    pub fn notice(tone: Tone, text: impl Into<String>) -> Self {
        Effect::Notice(tone, text.into())
    }
}

/// The effects of one handler, applied in order.
pub type Effects = Vec<Effect>;
