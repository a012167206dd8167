//! Makers: the IEEE registry's name for a hardware address, shortened through the asset's aliases
//! and legal endings ("Hangzhou Hikvision Digital Technology" -> "Hikvision").

use crate::model::MacAddr;
use crate::sanitize::clean;

use super::rules::{Fingerprints, lower};
use super::{FIELD_CHARS, MATCH_CHARS};

impl Fingerprints {
    /// The short name for a maker: the asset's alias when one matches (whole words, ignoring case),
    /// else the name without legal endings ("Foo Electronics Co., Ltd." -> "Foo Electronics").
    pub fn vendor_name(&self, raw: &str) -> String {
        let name = clean(raw, FIELD_CHARS);
        let folded = lower(&name);
        if let Some(alias) = self
            .aliases
            .iter()
            .find(|a| contains_word(&folded, &a.needle))
        {
            return alias.vendor.clone();
        }
        let mut short = name.as_str();
        loop {
            let before = short.len();
            for suffix in &self.legal_suffixes {
                short = strip_suffix_ignore_case(short, suffix);
            }
            short = short.trim_end_matches([',', ' ']);
            if short.len() == before {
                break;
            }
        }
        if short.is_empty() {
            name
        } else {
            short.to_string()
        }
    }
}

pub(super) fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> &'a str {
    let Some(cut) = text.len().checked_sub(suffix.len()) else {
        return text;
    };
    if cut > 0 && text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(suffix) {
        &text[..cut]
    } else {
        text
    }
}

/// True when `needle` occurs in `hay` as whole words: not glued to a letter or digit either side.
/// Both are expected in ASCII lower case.
pub(crate) fn contains_word(hay: &str, needle: &str) -> bool {
    let Some(first) = needle.chars().next() else {
        return false;
    };
    let bytes = hay.as_bytes();
    let mut start = 0;
    while let Some(found) = hay.get(start..).and_then(|rest| rest.find(needle)) {
        let at = start + found;
        let end = at + needle.len();
        let open = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let close = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if open && close {
            return true;
        }
        start = at + first.len_utf8();
    }
    false
}

/// The maker of a hardware address, shortened through the asset's aliases: `None` for randomised
/// (locally administered) and group addresses, and for blocks the IEEE registry does not list.
pub fn vendor_from_mac(mac: MacAddr, rules: &Fingerprints) -> Option<String> {
    registry_name(mac).map(|name| rules.vendor_name(&name))
}

/// The IEEE registry's name for the maker of `mac`, cleaned.
pub(super) fn registry_name(mac: MacAddr) -> Option<String> {
    if mac.is_locally_administered() || mac.is_multicast() {
        return None;
    }
    macaddr_ouidb::MacAddress::from(mac.0)
        .oui()
        .map(|name| clean(&name, MATCH_CHARS))
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn whole_words_are_found_and_glued_ones_are_not() {
        assert!(contains_word("ring", "ring"));
        assert!(contains_word("ring llc", "ring"));
        assert!(!contains_word("globalcom engineering srl", "ring"));
        assert!(contains_word(
            "hangzhou hikvision digital technology",
            "hikvision"
        ));
        assert!(contains_word("cisco-linksys", "linksys"));
        assert!(!contains_word("mckay brothers", "brother"));
        assert!(!contains_word("avmap srlu", "avm"));
        assert!(contains_word("tp-link technologies", "tp-link"));
        assert!(!contains_word("", "x"));
        assert!(!contains_word("x", ""));
        // A repeated near-miss before the real word.
        assert!(contains_word("ringing ring", "ring"));
        // Non-ASCII text around the needle is not a letter for this purpose, and never panics.
        assert!(contains_word("ünïcode ring ☕", "ring"));
    }

    #[test]
    fn suffixes_are_stripped_without_slicing_inside_a_character() {
        assert_eq!(strip_suffix_ignore_case("Foo Inc.", " inc."), "Foo");
        assert_eq!(strip_suffix_ignore_case(" Inc.", " Inc."), " Inc.");
        assert_eq!(strip_suffix_ignore_case("ü", " Inc."), "ü");
        assert_eq!(strip_suffix_ignore_case("aé", "x"), "aé");
    }
}
