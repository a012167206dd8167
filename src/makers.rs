//! Software authors and stacks that UPnP descriptions name as `manufacturer` (MiniDLNA's author,
//! Windows media sharing, Linux, OpenWrt...): the list lives in `assets/software-makers.toml`, and
//! such a name never replaces the maker read from the hardware address. No IO.

use std::sync::OnceLock;

use serde::Deserialize;

/// The list, as shipped.
pub const SOFTWARE_MAKERS_TOML: &str = include_str!("../assets/software-makers.toml");

/// One software author or stack.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftwareMaker {
    /// The manufacturer string, as devices send it.
    pub name: String,
    /// Why it is not the maker, for the evidence.
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    maker: Vec<SoftwareMaker>,
}

/// Parses and validates a list written like `assets/software-makers.toml`.
///
/// # Errors
/// A one-line reason for bad TOML, an empty name or reason, or a name listed twice.
pub fn parse(text: &str) -> Result<Vec<SoftwareMaker>, String> {
    let file: RawFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut seen = std::collections::HashSet::new();
    for m in &file.maker {
        if m.name.trim().is_empty() || m.why.trim().is_empty() {
            return Err(format!(
                "software maker {:?} has an empty name or reason",
                m.name
            ));
        }
        if !seen.insert(fold(&m.name)) {
            return Err(format!("software maker {:?} is listed twice", m.name));
        }
    }
    Ok(file.maker)
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn builtin() -> &'static [SoftwareMaker] {
    static LIST: OnceLock<Vec<SoftwareMaker>> = OnceLock::new();
    // The shipped list is checked by a test; a broken one would only mean no exceptions.
    LIST.get_or_init(|| parse(SOFTWARE_MAKERS_TOML).unwrap_or_default())
}

/// The entry when `manufacturer` names a software author or stack rather than a maker.
pub fn software_maker(manufacturer: &str) -> Option<&'static SoftwareMaker> {
    let folded = fold(manufacturer);
    builtin().iter().find(|m| fold(&m.name) == folded)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_valid_and_matches_whole_names_only() {
        let list = parse(SOFTWARE_MAKERS_TOML).unwrap();
        assert!(list.len() >= 10);
        assert!(software_maker("Justin Maggard").is_some());
        assert!(software_maker("  justin   MAGGARD ").is_some());
        assert!(software_maker("Microsoft Corporation").is_some());
        assert!(software_maker("OpenWrt").is_some());
        assert!(software_maker("Synology Inc.").is_none());
        assert!(
            software_maker("Linux Foundation Router Co").is_none(),
            "whole names only"
        );
    }

    #[test]
    fn a_bad_list_is_refused_with_its_reason() {
        let twice =
            "[[maker]]\nname = \"Linux\"\nwhy = \"a\"\n[[maker]]\nname = \"linux\"\nwhy = \"b\"\n";
        assert!(parse(twice).unwrap_err().contains("twice"));
        assert!(parse("[[maker]]\nname = \"\"\nwhy = \"x\"\n").is_err());
        assert!(parse("[[maker]]\nname = \"x\"\n").is_err());
    }
}
