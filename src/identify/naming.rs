//! Names and models an owner recognises: never an identifier (a `uuid:`, a Sonos `RINCON_...`, a
//! bare hardware address, a long hex serial) where the device gave a name; no junk ("0,1,2", the
//! metadata types an AirPlay speaker lists under `md`; "unknown"; a Denon receiver's leading
//! asterisk); a model identifier turned into the product's name where the maker publishes the
//! list (the asset's `[[model_name]]` table); the home's DNS domain trimmed from host names
//! ("HS110.fritz.box" is "HS110"); and, for an AirPlay instance "F0EE7A2C935E@Bedroom", the room.
//!
//! Plain text work, no IO; every result is cleaned and capped by the caller's `clean`.

use std::net::IpAddr;

/// The fewest hex digits in a row that make a run of them an identifier rather than a word.
const MIN_ID_HEX: usize = 12;

/// True when `text` is an identifier rather than a name: a UPnP `uuid:`, a Sonos `RINCON_`, a
/// hardware address (with or without separators), an Amazon `amzn.dmgr:` id, an address, or a
/// run of 12 or more hex digits standing alone.
pub fn is_id_like(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return true;
    }
    let folded = t.to_ascii_lowercase();
    if folded.starts_with("uuid:")
        || folded.starts_with("rincon_")
        || folded.starts_with("amzn.dmgr:")
        || folded.starts_with("urn:")
        || t.parse::<IpAddr>().is_ok()
    {
        return true;
    }
    let hex: String = t
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    hex.len() >= MIN_ID_HEX && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// True when `text` says nothing: blank, no letter or digit, a list of numbers ("0,1,2"), a
/// version ("1.0"), or a placeholder ("unknown", "none", "n/a", "default"). A number alone
/// ("9010") is a model.
pub fn is_junk(text: &str) -> bool {
    let t = text.trim();
    if !t.chars().any(char::is_alphanumeric) {
        return true;
    }
    let numbers_and_marks = t.chars().all(|c| !c.is_alphabetic());
    if numbers_and_marks && t.chars().any(|c| !c.is_ascii_digit()) {
        return true;
    }
    matches!(
        t.to_ascii_lowercase().as_str(),
        "unknown" | "none" | "null" | "n/a" | "na" | "default" | "generic" | "model" | "undefined"
    )
}

/// The device's name as the owner should see it, or `None` when nothing of it is a name: the
/// parts of "10.88.0.20 - Sonos One - RINCON_48A6B8E2F3C401400" or "AXIS M3106-L - B8A44F010203"
/// that are addresses or identifiers are dropped ("Sonos One", "AXIS M3106-L"); an AirPlay
/// "F0EE7A2C935E@Bedroom" is its room.
pub fn tidy_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = match raw.split_once('@') {
        Some((id, room)) if is_id_like(id) && !room.trim().is_empty() => room.trim(),
        _ => raw,
    };
    let parts: Vec<&str> = raw
        .split(" - ")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !is_id_like(p))
        .collect();
    let name = parts.join(" - ");
    (!name.is_empty() && !is_junk(&name)).then_some(name)
}

/// The model as the owner should see it: the leading marks some makers put before it dropped
/// ("*AVR-X2700H" is "AVR-X2700H"), junk and identifiers refused, and a model identifier the
/// maker publishes turned into the product's name through `names` (identifier, name).
pub fn tidy_model(raw: &str, names: &[(String, String)]) -> Option<String> {
    let model = raw
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim();
    if model.is_empty() || is_junk(model) || is_id_like(model) {
        return None;
    }
    if let Some((_, name)) = names.iter().find(|(id, _)| id.eq_ignore_ascii_case(model)) {
        return Some(name.clone());
    }
    Some(model.to_string())
}

/// A host name without ".local" and without the home's DNS domain: "HS110.fritz.box" is "HS110",
/// "PS5-123.lan." is "PS5-123". An address is left as it is.
pub fn short_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('.');
    if host.parse::<IpAddr>().is_ok() {
        return host.to_string();
    }
    host.split('.').next().unwrap_or(host).to_string()
}

/// The room of an AirPlay speaker's RAOP instance ("F0EE7A2C935E@Bedroom"), or the instance name
/// itself.
pub fn room_of(instance: &str) -> &str {
    match instance.split_once('@') {
        Some((id, room)) if is_id_like(id) && !room.trim().is_empty() => room.trim(),
        _ => instance,
    }
}

/// The page title in a banner the port probe recorded ("HTTP 200 OK · <title>Tasmota</title>").
pub fn banner_title(banner: &str) -> Option<&str> {
    let start = banner.find("<title>")? + "<title>".len();
    let end = banner[start..].find("</title>")? + start;
    let title = banner[start..end].trim();
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_never_names() {
        for id in [
            "uuid:RINCON_48A6B8E2F3C401400",
            "uuid:5f9ec1b3-ed59-1900-4530-0005cd778899",
            "RINCON_48A6B8E2F3C401400",
            "48:a6:b8:e2:f3:c4",
            "48A6B8E2F3C4",
            "amzn.dmgr:7E1F6B2F8A3C4D5E6F708192A3B4C5D6",
            "10.88.0.20",
            "urn:schemas-upnp-org:device:Basic:1",
        ] {
            assert!(is_id_like(id), "{id}");
            assert_eq!(tidy_name(id), None, "{id}");
        }
        for name in [
            "Living Room",
            "HS110",
            "Family NAS",
            "DESKTOP-4F2K9QX",
            "BEEF",
        ] {
            assert!(!is_id_like(name), "{name}");
        }
    }

    #[test]
    fn names_keep_only_their_words() {
        assert_eq!(
            tidy_name("10.88.0.20 - Sonos One - RINCON_48A6B8E2F3C401400").as_deref(),
            Some("Sonos One")
        );
        assert_eq!(
            tidy_name("AXIS M3106-L Mk II - B8A44F010203").as_deref(),
            Some("AXIS M3106-L Mk II")
        );
        assert_eq!(
            tidy_name("F0EE7A2C935E@Bedroom").as_deref(),
            Some("Bedroom")
        );
        assert_eq!(
            tidy_name("Hue Bridge - 1A2B3C").as_deref(),
            Some("Hue Bridge - 1A2B3C")
        );
        assert_eq!(tidy_name("  ").as_deref(), None);
        assert_eq!(tidy_name("0,1,2").as_deref(), None);
    }

    #[test]
    fn models_are_products_not_junk() {
        let names = vec![(
            "AppleTV11,1".to_string(),
            "Apple TV 4K (2nd generation)".to_string(),
        )];
        assert_eq!(
            tidy_model("AppleTV11,1", &names).as_deref(),
            Some("Apple TV 4K (2nd generation)")
        );
        assert_eq!(
            tidy_model("*AVR-X2700H", &names).as_deref(),
            Some("AVR-X2700H")
        );
        assert_eq!(tidy_model("0,1,2", &names), None);
        assert_eq!(tidy_model("unknown", &names), None);
        assert_eq!(tidy_model("1.0", &names), None);
        assert_eq!(tidy_model("DS920+", &names).as_deref(), Some("DS920+"));
        assert_eq!(tidy_model("9010", &names).as_deref(), Some("9010"));
    }

    #[test]
    fn host_names_lose_the_home_domain() {
        assert_eq!(short_host("HS110.fritz.box"), "HS110");
        assert_eq!(short_host("PS5-123.lan."), "PS5-123");
        assert_eq!(short_host("office-printer.local."), "office-printer");
        assert_eq!(short_host("10.0.0.7"), "10.0.0.7");
        assert_eq!(room_of("58AD12445566@Lounge"), "Lounge");
        assert_eq!(room_of("Kitchen"), "Kitchen");
        assert_eq!(
            banner_title("HTTP 200 OK · Server: x · <title>Tasmota</title>"),
            Some("Tasmota")
        );
        assert_eq!(banner_title("HTTP 200 OK"), None);
    }
}
