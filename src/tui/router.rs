//! The screen showing, and the router that hands it keys and draws it. Each screen lives in its own
//! file under `screens/` with its state and its key handler, which changes the shared model
//! ([`Home`]) and returns [`Effects`]; [`crate::tui::app::App`] applies them.
//!
//! Adding a screen touches its own file plus two others: its variant here (mode, keys, drawing,
//! and what it opens as), and its destination in [`Go`] (effect.rs) so other screens can open it.
//! A screen with keys of its own also names its mode and bindings in keys.rs.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::model::DeviceId;
use crate::tui::effect::{Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode};
use crate::tui::screens::{detail, list, mappings, needs, wizard};
use crate::tui::textbox::TextBox;

/// Which screen is showing, with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The device list (its cursor is in the shared model, `Home`).
    List,
    /// What needs the owner now, most urgent first.
    NeedsYou(needs::NeedsYou),
    /// One device.
    Detail(detail::Detail),
    /// The step wizard.
    Wizard(wizard::Wizard),
    /// The router's UPnP port mappings.
    Mappings(mappings::Mappings),
}

impl Screen {
    /// The fresh screen for a destination.
    pub fn open(go: Go) -> Self {
        match go {
            Go::List => Screen::List,
            Go::NeedsYou => Screen::NeedsYou(needs::NeedsYou::default()),
            Go::Detail(device) => Screen::Detail(detail::Detail::new(device)),
            Go::Wizard(device, step) => Screen::Wizard(wizard::Wizard::new(device, step)),
            Go::Mappings(from) => Screen::Mappings(mappings::Mappings::new(from)),
        }
    }

    /// Where keys go on this screen.
    pub fn mode(&self) -> Mode {
        match self {
            Screen::List => Mode::List,
            Screen::NeedsYou(_) => Mode::NeedsYou,
            Screen::Detail(d) => d.mode(),
            Screen::Wizard(w) => w.mode(),
            Screen::Mappings(m) => m.mode(),
        }
    }

    /// Hands an action to the screen.
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        match self {
            Screen::List => list::on_key(home, action),
            Screen::NeedsYou(n) => n.on_key(home, action),
            Screen::Detail(d) => d.on_key(home, action),
            Screen::Wizard(w) => w.on_key(home, action),
            Screen::Mappings(m) => m.on_key(home, action),
        }
    }

    /// The device the screen is about (the detail or the wizard).
    pub fn device(&self) -> Option<&DeviceId> {
        match self {
            Screen::Detail(d) => Some(&d.device),
            Screen::Wizard(w) => Some(&w.device),
            _ => None,
        }
    }

    /// The mappings screen's state, when it shows.
    pub fn mappings(&mut self) -> Option<&mut mappings::Mappings> {
        match self {
            Screen::Mappings(m) => Some(m),
            _ => None,
        }
    }

    /// The text box being typed in, if any.
    pub fn text_box(&mut self) -> Option<&mut TextBox> {
        match self {
            Screen::Detail(detail::Detail {
                edit: Some(crate::tui::screens::edit::Edit::Rename(name)),
                ..
            }) => Some(name),
            Screen::Wizard(w) => w.reason.as_mut(),
            _ => None,
        }
    }

    /// Follows a device whose id changed (an address became a hardware address).
    pub fn renamed(&mut self, was: &DeviceId, now_is: &DeviceId) {
        match self {
            Screen::Detail(d) if d.device == *was => d.device = now_is.clone(),
            Screen::Wizard(w) if w.device == *was => w.device = now_is.clone(),
            _ => {}
        }
    }

    /// Draws the screen into `area` (`scanning` while a scan runs).
    pub fn render(&self, home: &Home, scanning: bool, frame: &mut Frame, area: Rect) {
        match self {
            Screen::List => list::render(home, scanning, frame, area),
            Screen::NeedsYou(n) => needs::render(home, n, frame, area),
            Screen::Detail(d) => detail::render(home, d, frame, area),
            Screen::Wizard(w) => wizard::render(home, w, frame, area),
            Screen::Mappings(m) => mappings::render(home, m, frame, area),
        }
    }
}
