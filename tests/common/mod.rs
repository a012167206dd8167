//! Helpers shared by the integration tests: a fixed clock, the demo home, and key presses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
#![allow(dead_code)] // each test file uses its own part of these helpers

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use porchlight::catalog::Catalog;
use porchlight::model::Inventory;
use porchlight::tui::app::{App, Command, Msg};

pub mod cli;
pub mod tui;

/// The fixed "now" of the UI tests.
pub fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// The demo home at [`now`].
pub fn demo() -> Inventory {
    porchlight::demo::household(now()).unwrap()
}

/// An app over the demo home.
pub fn demo_app() -> App {
    App::new(
        Catalog::builtin().unwrap(),
        demo(),
        "demo home (simulated)",
        now(),
    )
}

/// A key press message.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Types each character of `text` as a key press.
pub fn type_text(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .filter_map(|c| app.update(key(KeyCode::Char(c)), now()))
        .collect()
}

/// Sends `codes` one after another, returning the commands the app asked for.
pub fn press(app: &mut App, codes: &[KeyCode]) -> Vec<Command> {
    codes
        .iter()
        .filter_map(|c| app.update(key(*c), now()))
        .collect()
}
pub mod checks;
