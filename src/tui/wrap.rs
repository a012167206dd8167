//! Word wrapping for popups and the status line: lines that fit a width, long words (links,
//! D-Bus error names) broken by characters so nothing runs past the edge.

/// Wraps `text` into lines of at most `width` characters, breaking at spaces and, for words
/// longer than a line, inside the word. Never returns an empty list.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if used > 0 && used + 1 + len <= width {
            current.push(' ');
            current.push_str(word);
            used += 1 + len;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut current));
        }
        let mut chars: Vec<char> = word.chars().collect();
        while chars.len() > width {
            let rest = chars.split_off(width);
            lines.push(chars.into_iter().collect());
            chars = rest;
        }
        used = chars.len();
        current = chars.into_iter().collect();
    }
    if used > 0 || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn every_word_survives_and_no_line_is_too_long() {
        let text = "see https://example.org/a/very/long/path/that/does/not/fit/anywhere for more";
        for width in 1..40 {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{width}: {lines:?}"
            );
            let joined: String = lines.concat().split_whitespace().collect();
            let want: String = text.split_whitespace().collect();
            assert_eq!(joined, want);
        }
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(wrap("a b c", 3), vec!["a b".to_string(), "c".to_string()]);
    }
}
