//! A one-line text box (a device's name, the reason for accepting a risk): typing at a cursor,
//! Left/Right/Home/End, Backspace and Delete, Ctrl-U to clear, Ctrl-W to delete a word. Other
//! Ctrl and Alt combinations never type.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Text being typed, with a cursor counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextBox {
    text: String,
    cursor: usize,
    max: usize,
}

impl TextBox {
    /// A box holding `text`, cursor at its end, taking at most `max` characters.
    pub fn new(text: &str, max: usize) -> Self {
        let text: String = text.chars().take(max).collect();
        let cursor = text.chars().count();
        Self { text, cursor, max }
    }

    /// What has been typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The text before and after the cursor, for drawing it.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies one key press. Returns true when the key was an editing key (it may still have
    /// changed nothing, e.g. Backspace at the start).
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => self.delete_word(),
            // Any other Ctrl or Alt combination is not text.
            KeyCode::Char(_) if ctrl || alt => return false,
            KeyCode::Char(c) if !c.is_control() => self.insert(c),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let at = self.byte(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    fn insert(&mut self, c: char) {
        if self.len() >= self.max {
            return;
        }
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Deletes back from the cursor over spaces, then over the word before them.
    fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        let (from, to) = (self.byte(start), self.byte(self.cursor));
        self.text.replace_range(from..to, "");
        self.cursor = start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(b: &mut TextBox, text: &str) {
        for c in text.chars() {
            b.handle(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn editing_at_the_cursor() {
        let mut b = TextBox::new("", 40);
        typed(&mut b, "Kitchen speakxr");
        b.handle(key(KeyCode::Left));
        b.handle(key(KeyCode::Backspace));
        typed(&mut b, "e");
        b.handle(key(KeyCode::Right));
        b.handle(key(KeyCode::Right));
        assert_eq!(b.cursor(), 15, "Right stops at the end");
        assert_eq!(b.text(), "Kitchen speaker");
        b.handle(key(KeyCode::Home));
        typed(&mut b, "Old ");
        b.handle(key(KeyCode::End));
        typed(&mut b, " ✓");
        assert_eq!(b.text(), "Old Kitchen speaker ✓");
        b.handle(key(KeyCode::Home));
        b.handle(key(KeyCode::Delete));
        assert_eq!(b.text(), "ld Kitchen speaker ✓");
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_ctrl_u_clears() {
        let mut b = TextBox::new("Living room  TV", 40);
        assert!(b.handle(ctrl('w')));
        assert_eq!(b.text(), "Living room  ");
        b.handle(ctrl('w'));
        assert_eq!(b.text(), "Living ");
        b.handle(ctrl('u'));
        assert_eq!(b.text(), "");
        assert_eq!(b.cursor(), 0);
    }

    #[test]
    fn other_control_keys_never_type() {
        let mut b = TextBox::new("name", 40);
        for c in ['a', 'b', 'd', 'e', 'k', 'x', 'z', 'q'] {
            assert!(!b.handle(ctrl(c)));
        }
        assert!(!b.handle(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)));
        assert_eq!(b.text(), "name");
        // Shift is just a capital letter.
        assert!(b.handle(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT)));
        assert_eq!(b.text(), "nameS");
    }

    #[test]
    fn the_limit_holds() {
        let mut b = TextBox::new("abcdef", 4);
        assert_eq!(b.text(), "abcd");
        typed(&mut b, "xyz");
        assert_eq!(b.text(), "abcd");
    }
}
