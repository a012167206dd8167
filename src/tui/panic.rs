//! The terminal UI's panic hook: whatever panics, the terminal is given back whole (raw mode off,
//! the normal screen back, cursor shown, mouse capture, bracketed paste and keyboard enhancement
//! flags undone) before the message is printed, so the message is readable and the shell usable.
//!
//! ratatui's own hook (installed by `ratatui::init`) only leaves raw mode and the alternate
//! screen; this one chains in front of it. Panics that [`crate::fault`] contains (a bug in reading
//! one device's answer, reported as a note) leave the terminal alone: the UI goes on. Any other
//! panic on a worker task restores the terminal here and marks it, so the event loop stops
//! ([`restored`]) instead of drawing on a terminal that is no longer set up.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, PopKeyboardEnhancementFlags};
use crossterm::terminal::{LeaveAlternateScreen, disable_raw_mode};
use crossterm::{cursor, execute};

/// Set once a panic restored the terminal.
static RESTORED: AtomicBool = AtomicBool::new(false);

/// Installed once per process.
static INSTALL: Once = Once::new();

/// True once a panic has restored the terminal: the UI must stop drawing.
pub fn restored() -> bool {
    RESTORED.load(Ordering::SeqCst)
}

/// Gives the terminal back: every mode the UI may have set is undone (undoing one that was never
/// set is harmless). Errors are ignored: there is nothing better to do while panicking.
pub fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        PopKeyboardEnhancementFlags,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Chains the hook in front of the current one (call after `ratatui::init`). Installing twice
/// does nothing.
pub fn install() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if crate::fault::is_contained() {
                return;
            }
            restore_terminal();
            RESTORED.store(true, Ordering::SeqCst);
            previous(info);
        }));
    });
}
