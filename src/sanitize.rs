//! The one place where text from the network is made safe: every name, TXT value, banner and XML
//! field a device sends goes through [`clean`] before it is kept, shown, saved or exported.
//!
//! Devices are untrusted. A name with an escape sequence could repaint or retitle the owner's
//! terminal, a banner could be megabytes long, and bytes need not be UTF-8. `clean` decodes lossily,
//! drops escape sequences whole (CSI, OSC, DCS and the like), turns other control characters into
//! spaces, folds runs of white space, trims, and caps the length.

/// The longest cleaned string kept by default, in characters.
pub const DEFAULT_MAX_CHARS: usize = 200;

/// The longest one-line message, in characters: room for an error, its causes and the way out,
/// little enough that a hostile string quoted inside cannot flood a terminal or a log.
pub const MESSAGE_CHARS: usize = 1000;

/// `text` as one line for a message (an error and its causes, a keyring or parser complaint):
/// cleaned like a device string, so no line breaks or control characters, at most
/// [`MESSAGE_CHARS`] characters. Every one-line error in porchlight ends here.
pub fn one_line(text: &str) -> String {
    clean(text, MESSAGE_CHARS)
}

/// Cleans `input` for display and storage, keeping at most `max_chars` characters (an ellipsis marks
/// a cut).
pub fn clean(input: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(input.len().min(max_chars.saturating_mul(4)));
    let mut chars = input.chars().peekable();
    let mut count = 0usize;
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        let is_gap = match c {
            '\u{1b}' => {
                skip_escape(&mut chars);
                true
            }
            // C1 control introducers that some terminals honour as escapes (CSI, OSC, DCS, ...).
            '\u{9b}' => {
                skip_csi_body(&mut chars);
                true
            }
            '\u{90}' | '\u{9d}' | '\u{9e}' | '\u{9f}' | '\u{98}' => {
                skip_string_body(&mut chars);
                true
            }
            c if c.is_control() || c.is_whitespace() => true,
            // Bidirectional overrides and isolates can disguise text; zero-width marks hide it.
            '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => true,
            _ => false,
        };
        if is_gap {
            pending_space = count > 0;
            continue;
        }
        let extra = usize::from(pending_space);
        if count + extra + 1 > max_chars {
            if max_chars > 0 {
                if out.chars().count() >= max_chars {
                    out.pop();
                }
                out.push('…');
            }
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Cleans raw bytes (decoded as UTF-8, invalid sequences replaced).
pub fn clean_bytes(input: &[u8], max_chars: usize) -> String {
    clean(&String::from_utf8_lossy(input), max_chars)
}

/// Skips what follows an ESC: a CSI (`[` ... final byte), a string command (`]`, `P`, `X`, `^`, `_`
/// up to BEL or ST), or a single following character.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi_body(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string_body(chars);
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameter and intermediate bytes, then one final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

fn skip_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Up to BEL, ST (ESC \) or the 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_without_control_characters_and_capped() {
        let long = "x\ny\u{1b}".repeat(3000);
        let line = one_line(&long);
        assert!(!line.chars().any(char::is_control), "{line}");
        assert_eq!(line.chars().count(), MESSAGE_CHARS);
        assert!(line.ends_with('…'));
        assert_eq!(one_line("first\nsecond\r\n  third"), "first second third");
    }

    #[test]
    fn plain_text_is_kept() {
        assert_eq!(clean("Living-room TV", 50), "Living-room TV");
        assert_eq!(
            clean("Küchen-Lautsprecher ☕", 50),
            "Küchen-Lautsprecher ☕"
        );
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m camera", 50), "red camera");
        assert_eq!(clean("a\u{1b}]0;pwned title\u{7}b", 50), "a b");
        assert_eq!(
            clean("a\u{1b}]8;;http://evil/\u{1b}\\link\u{1b}]8;;\u{1b}\\", 50),
            "a link"
        );
        assert_eq!(clean("x\u{1b}Pq#0;2;0;0;0\u{1b}\\y", 50), "x y");
        assert_eq!(clean("\u{9b}2Jcleared", 50), "cleared");
        assert_eq!(clean("tail escape \u{1b}", 50), "tail escape");
    }

    #[test]
    fn control_characters_and_white_space_fold_to_single_spaces() {
        assert_eq!(clean("  a\r\n\tb\u{0}\u{8}c  ", 50), "a b c");
        assert_eq!(clean("evil\u{202e}txt.exe", 50), "evil txt.exe");
    }

    #[test]
    fn length_is_capped_with_an_ellipsis() {
        let long = "x".repeat(10_000);
        let c = clean(&long, 20);
        assert_eq!(c.chars().count(), 20);
        assert!(c.ends_with('…'));
        assert_eq!(clean("abc", 3), "abc");
        assert_eq!(clean("abcd", 3), "ab…");
        assert_eq!(clean("abcd", 0), "");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(clean_bytes(b"ok\xff\xfeok", 20), "ok\u{fffd}\u{fffd}ok");
    }
}
