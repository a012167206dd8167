//! The messages log: every status-line notice, kept whole (links and error text included) so the
//! owner can read again what scrolled past or did not fit. Shown by its own key; the status line
//! only ever shows the newest.

use crate::tui::keys::Action;
use crate::tui::notice::Notice;

/// How many notices are kept (the oldest go first).
pub const KEPT: usize = 100;

/// The notices said so far, oldest first, and whether the log is on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageLog {
    entries: Vec<Notice>,
    /// The log is open over the screen.
    pub open: bool,
    /// How far the open log is scrolled, in lines from the newest (clamped when drawn).
    pub scroll: u16,
}

impl MessageLog {
    /// Keeps `notice`; a repeat of the newest one is kept once.
    pub fn push(&mut self, notice: &Notice) {
        if self
            .entries
            .last()
            .is_some_and(|last| last.text == notice.text && last.tone == notice.tone)
        {
            return;
        }
        if self.entries.len() == KEPT {
            self.entries.remove(0);
        }
        self.entries.push(notice.clone());
    }

    /// The notices kept, oldest first.
    pub fn entries(&self) -> &[Notice] {
        &self.entries
    }

    /// Opens or closes the log (opening shows the newest).
    pub fn toggle(&mut self) {
        self.open = !self.open;
        self.scroll = 0;
    }

    /// What a key does while the log is open: scroll it, or close it.
    pub fn on_key(&mut self, action: Action) {
        match action {
            Action::Back => self.open = false,
            Action::Up => self.scroll = self.scroll.saturating_add(1),
            Action::Down => self.scroll = self.scroll.saturating_sub(1),
            _ => {}
        }
    }
}
