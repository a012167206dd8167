//! Identification: "what is this device?", answered from what discovery saw of it.
//!
//! The knowledge is data: `assets/fingerprints.toml` holds the rules (an mDNS service type, a TXT
//! record, a UPnP device type or description, open ports, a naming habit, the maker of the hardware
//! address, being the default gateway), each worth some points towards one category. This module
//! parses and validates that asset, and runs a small engine over a [`Device`]: every rule that
//! matches adds its weight to its category and leaves an [`Evidence`] line that says why, so the
//! owner can see the reasoning rather than take a label on trust. A kind is named only from two
//! different kinds of signal or one strong announcement (see [`Fingerprints::is_strong`] and
//! `identify/tally.rs`): one open port or one chip maker's address is never enough.
//!
//! Nothing here does IO or trusts the device: every value quoted from a device is cleaned again and
//! capped before it goes into a result, and matching is plain text (no regular expressions).

use std::collections::{BTreeSet, HashSet};

use serde::Deserialize;

use crate::model::{Category, Device, MacAddr, ServiceSource};
use crate::sanitize::clean;

mod tally;

pub use tally::confidence;
use tally::{PRIVATE_MAC_BIT, Tally, kind_bit};

/// The fingerprints shipped with porchlight.
pub const FINGERPRINTS_TOML: &str = include_str!("../assets/fingerprints.toml");

/// The longest device value quoted inside an evidence line, in characters.
const QUOTE_CHARS: usize = 60;
/// The longest vendor, model or name in an [`Identity`], in characters.
const FIELD_CHARS: usize = 80;
/// The longest device value looked at when matching (device strings are capped at 200 already).
const MATCH_CHARS: usize = 200;
/// The fewest hex digits `name_hex_after` wants after the prefix.
const MIN_HEX_AFTER: usize = 6;

/// One reason behind an identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// What was seen, quoting the device ("mDNS _googlecast._tcp with md=Google Nest Mini").
    pub signal: String,
    /// What it suggests, starting with the category key ("speaker: a Google Nest Mini speaker").
    pub conclusion: String,
    /// How many points it is worth (1..=100).
    pub weight: u8,
}

/// What porchlight thinks a device is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The kind of device; [`Category::Unknown`] when the evidence is too thin.
    pub category: Category,
    /// Its maker, shortened ("Hikvision", not "Hangzhou Hikvision Digital Technology").
    pub vendor: Option<String>,
    /// Its model, as the device names it.
    pub model: Option<String>,
    /// The friendly name the device gives itself (UPnP friendlyName, mDNS `fn`, mDNS instance name).
    pub name: Option<String>,
    /// How sure porchlight is, 0..=100 (see [`identify`] for the formula).
    pub confidence: u8,
    /// Every signal that matched, strongest first.
    pub evidence: Vec<Evidence>,
    /// The hardware address is randomised ("private"), so it says nothing of the maker.
    pub private_mac: bool,
}

/// A problem with the fingerprint asset, naming the rule (or setting) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    /// The TOML did not parse, or has an unknown key.
    #[error("the fingerprint asset does not parse: {0}")]
    Parse(String),
    /// A rule failed validation.
    #[error("fingerprint rule {rule}: {problem}")]
    Invalid {
        /// The rule's id (or its position when the id is empty).
        rule: String,
        /// What is wrong.
        problem: String,
    },
    /// A setting or vendor alias failed validation.
    #[error("fingerprint settings: {0}")]
    Settings(String),
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// An mDNS service type.
    MdnsService,
    /// An mDNS TXT record.
    MdnsTxt,
    /// A UPnP device type or description.
    Upnp,
    /// Open TCP ports.
    Ports,
    /// A host name or mDNS instance name.
    Name,
    /// The maker of the hardware address.
    MacVendor,
    /// Being the default gateway.
    Gateway,
}

/// One validated fingerprint rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, unique in the asset.
    pub id: String,
    /// The category it counts towards.
    pub category: Category,
    /// Points, 1..=100.
    pub weight: u8,
    /// What a match suggests, in plain words.
    pub phrase: String,
    /// The maker it implies, when it implies one.
    pub vendor: Option<String>,
    /// The model it implies, when it implies one.
    pub model: Option<String>,
    matcher: Matcher,
}

impl Rule {
    /// What the rule looks at.
    pub fn kind(&self) -> RuleKind {
        match self.matcher {
            Matcher::MdnsService(_) => RuleKind::MdnsService,
            Matcher::MdnsTxt { .. } => RuleKind::MdnsTxt,
            Matcher::Upnp { .. } => RuleKind::Upnp,
            Matcher::Ports { .. } => RuleKind::Ports,
            Matcher::Name { .. } => RuleKind::Name,
            Matcher::MacVendor(_) => RuleKind::MacVendor,
            Matcher::Gateway => RuleKind::Gateway,
        }
    }
}

/// How a text is compared; needles are kept in ASCII lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TextMatch {
    Any,
    Equals(String),
    Prefix(String),
    Contains(String),
}

impl TextMatch {
    fn matches(&self, hay: &str) -> bool {
        match self {
            TextMatch::Any => true,
            TextMatch::Equals(n) => hay == n,
            TextMatch::Prefix(n) => hay.starts_with(n.as_str()),
            TextMatch::Contains(n) => hay.contains(n.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
enum Matcher {
    MdnsService(String),
    MdnsTxt {
        key: String,
        value: TextMatch,
        services: Vec<String>,
    },
    Upnp {
        kind: Option<String>,
        manufacturer: Option<String>,
        model: Option<String>,
    },
    Ports {
        all: Vec<u16>,
        any: Vec<u16>,
        none: Vec<u16>,
    },
    Name {
        text: TextMatch,
        hex_after: bool,
    },
    MacVendor(String),
    Gateway,
}

/// A maker's long name and the short one shown instead.
#[derive(Debug, Clone)]
struct Alias {
    needle: String,
    vendor: String,
}

/// The parsed and validated fingerprint asset.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    rules: Vec<Rule>,
    aliases: Vec<Alias>,
    min_score: u32,
    strong_weight: u8,
    private_mac_weight: u8,
    private_mac_phrase: String,
    model_keys: Vec<String>,
    vendor_keys: Vec<String>,
    name_keys: Vec<String>,
    ignored_model_numbers: Vec<String>,
    legal_suffixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    min_score: u32,
    strong_weight: u32,
    model_keys: Vec<String>,
    vendor_keys: Vec<String>,
    name_keys: Vec<String>,
    #[serde(default)]
    ignored_model_numbers: Vec<String>,
    #[serde(default)]
    legal_suffixes: Vec<String>,
    private_mac: RawPrivateMac,
    #[serde(default)]
    alias: Vec<RawAlias>,
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivateMac {
    weight: u32,
    phrase: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlias {
    #[serde(rename = "match")]
    needle: String,
    vendor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    category: String,
    weight: u32,
    phrase: String,
    vendor: Option<String>,
    model: Option<String>,
    mdns_service: Option<String>,
    txt_key: Option<String>,
    txt_equals: Option<String>,
    txt_prefix: Option<String>,
    txt_contains: Option<String>,
    #[serde(default)]
    services: Vec<String>,
    upnp_type: Option<String>,
    upnp_manufacturer: Option<String>,
    upnp_model: Option<String>,
    #[serde(default)]
    ports_all: Vec<u16>,
    #[serde(default)]
    ports_any: Vec<u16>,
    #[serde(default)]
    ports_none: Vec<u16>,
    name_prefix: Option<String>,
    name_contains: Option<String>,
    name_equals: Option<String>,
    #[serde(default)]
    name_hex_after: bool,
    mac_vendor: Option<String>,
    gateway: Option<bool>,
}

/// True when `text` is fit to show as it is: not blank, no control characters, no stray spaces.
fn is_tidy(text: &str) -> bool {
    !text.trim().is_empty() && clean(text, text.chars().count()) == text
}

fn lower(text: &str) -> String {
    text.to_ascii_lowercase()
}

impl RawRule {
    fn compile(self, position: usize) -> Result<Rule, FingerprintError> {
        let name = if self.id.trim().is_empty() {
            format!("#{position}")
        } else {
            self.id.clone()
        };
        let fail = |problem: String| FingerprintError::Invalid {
            rule: name.clone(),
            problem,
        };
        if self.id.trim().is_empty() {
            return Err(fail("the id is empty".into()));
        }
        if self.id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail("the id has spaces or control characters".into()));
        }
        let category: Category = self
            .category
            .parse()
            .map_err(|_| fail(format!("unknown category `{}`", self.category)))?;
        if category == Category::Unknown {
            return Err(fail("the category `unknown` concludes nothing".into()));
        }
        if self.phrase.trim().is_empty() {
            return Err(fail("`phrase` is empty".into()));
        }
        if !is_tidy(&self.phrase) {
            return Err(fail(
                "`phrase` has control characters or stray spaces".into(),
            ));
        }
        let weight = u8::try_from(self.weight)
            .ok()
            .filter(|w| (1..=100).contains(w))
            .ok_or_else(|| fail(format!("weight {} is not in 1..=100", self.weight)))?;
        for (field, value) in [("vendor", &self.vendor), ("model", &self.model)] {
            if let Some(v) = value
                && !is_tidy(v)
            {
                return Err(fail(format!("`{field}` is empty or untidy")));
            }
        }
        let matcher = self.matcher().map_err(fail)?;
        Ok(Rule {
            id: self.id,
            category,
            weight,
            phrase: self.phrase,
            vendor: self.vendor,
            model: self.model,
            matcher,
        })
    }

    /// The one matcher the rule gives.
    fn matcher(&self) -> Result<Matcher, String> {
        let has_txt = self.txt_key.is_some()
            || self.txt_equals.is_some()
            || self.txt_prefix.is_some()
            || self.txt_contains.is_some()
            || !self.services.is_empty();
        let has_upnp = self.upnp_type.is_some()
            || self.upnp_manufacturer.is_some()
            || self.upnp_model.is_some();
        let has_ports =
            !self.ports_all.is_empty() || !self.ports_any.is_empty() || !self.ports_none.is_empty();
        let has_name = self.name_prefix.is_some()
            || self.name_contains.is_some()
            || self.name_equals.is_some()
            || self.name_hex_after;
        let families = [
            self.mdns_service.is_some(),
            has_txt,
            has_upnp,
            has_ports,
            has_name,
            self.mac_vendor.is_some(),
            self.gateway.is_some(),
        ];
        match families.iter().filter(|f| **f).count() {
            0 => return Err("it has no matcher".into()),
            1 => {}
            _ => return Err("it mixes matchers of different kinds; give it one".into()),
        }
        let needle = |field: &str, value: &str| -> Result<String, String> {
            if value.trim().is_empty() || value.chars().any(char::is_control) {
                Err(format!("`{field}` is empty or has control characters"))
            } else {
                Ok(lower(value))
            }
        };
        if let Some(kind) = &self.mdns_service {
            return Ok(Matcher::MdnsService(needle("mdns_service", kind)?));
        }
        if has_txt {
            let key = self
                .txt_key
                .as_deref()
                .ok_or("a TXT value or `services` needs a `txt_key`")?;
            let key = needle("txt_key", key)?;
            let value = match (&self.txt_equals, &self.txt_prefix, &self.txt_contains) {
                (None, None, None) => TextMatch::Any,
                (Some(v), None, None) => TextMatch::Equals(needle("txt_equals", v)?),
                (None, Some(v), None) => TextMatch::Prefix(needle("txt_prefix", v)?),
                (None, None, Some(v)) => TextMatch::Contains(needle("txt_contains", v)?),
                _ => return Err("give one of txt_equals, txt_prefix and txt_contains".into()),
            };
            let services = self
                .services
                .iter()
                .map(|s| needle("services", s))
                .collect::<Result<_, _>>()?;
            return Ok(Matcher::MdnsTxt {
                key,
                value,
                services,
            });
        }
        if has_upnp {
            let field = |name: &str, value: &Option<String>| {
                value.as_deref().map(|v| needle(name, v)).transpose()
            };
            return Ok(Matcher::Upnp {
                kind: field("upnp_type", &self.upnp_type)?,
                manufacturer: field("upnp_manufacturer", &self.upnp_manufacturer)?,
                model: field("upnp_model", &self.upnp_model)?,
            });
        }
        if has_ports {
            if self.ports_all.is_empty() && self.ports_any.is_empty() {
                return Err("`ports_none` needs `ports_all` or `ports_any`".into());
            }
            let all_ports = self
                .ports_all
                .iter()
                .chain(&self.ports_any)
                .chain(&self.ports_none);
            if all_ports.clone().any(|p| *p == 0) {
                return Err("port 0 is not a port".into());
            }
            let wanted: HashSet<u16> = self
                .ports_all
                .iter()
                .chain(&self.ports_any)
                .copied()
                .collect();
            if self.ports_none.iter().any(|p| wanted.contains(p)) {
                return Err("a port is both wanted and refused".into());
            }
            return Ok(Matcher::Ports {
                all: self.ports_all.clone(),
                any: self.ports_any.clone(),
                none: self.ports_none.clone(),
            });
        }
        if has_name {
            let text = match (&self.name_prefix, &self.name_contains, &self.name_equals) {
                (Some(v), None, None) => TextMatch::Prefix(needle("name_prefix", v)?),
                (None, Some(v), None) => TextMatch::Contains(needle("name_contains", v)?),
                (None, None, Some(v)) => TextMatch::Equals(needle("name_equals", v)?),
                _ => return Err("give one of name_prefix, name_contains and name_equals".into()),
            };
            if self.name_hex_after && !matches!(text, TextMatch::Prefix(_)) {
                return Err("`name_hex_after` needs `name_prefix`".into());
            }
            return Ok(Matcher::Name {
                text,
                hex_after: self.name_hex_after,
            });
        }
        if let Some(vendor) = &self.mac_vendor {
            return Ok(Matcher::MacVendor(needle("mac_vendor", vendor)?));
        }
        if self.gateway == Some(true) {
            Ok(Matcher::Gateway)
        } else {
            Err("`gateway = false` matches nothing; leave it out".into())
        }
    }
}

impl Fingerprints {
    /// Loads the fingerprints compiled into porchlight.
    ///
    /// # Errors
    /// A [`FingerprintError`] when the asset is broken (the tests keep that from shipping).
    pub fn builtin() -> Result<Self, FingerprintError> {
        Self::from_toml(FINGERPRINTS_TOML)
    }

    /// Parses and validates fingerprints written as TOML (the layout of `assets/fingerprints.toml`).
    ///
    /// # Errors
    /// [`FingerprintError::Parse`] for bad TOML or unknown keys; [`FingerprintError::Invalid`] for
    /// the first rule with an empty id or phrase, an unknown category, a weight outside 1..=100, a
    /// duplicate id, or no matcher (or two); [`FingerprintError::Settings`] for a bad alias or
    /// setting.
    pub fn from_toml(text: &str) -> Result<Self, FingerprintError> {
        let file: RawFile =
            toml::from_str(text).map_err(|e| FingerprintError::Parse(e.message().to_string()))?;
        let settings = FingerprintError::Settings;
        if !(1..=1000).contains(&file.min_score) {
            return Err(settings(format!(
                "min_score {} is not in 1..=1000",
                file.min_score
            )));
        }
        let strong_weight = u8::try_from(file.strong_weight)
            .ok()
            .filter(|w| (1..=100).contains(w))
            .ok_or_else(|| {
                settings(format!(
                    "strong_weight {} is not in 1..=100",
                    file.strong_weight
                ))
            })?;
        let private_mac_weight = u8::try_from(file.private_mac.weight)
            .ok()
            .filter(|w| *w <= 100)
            .ok_or_else(|| settings("private_mac weight is not in 0..=100".into()))?;
        if !is_tidy(&file.private_mac.phrase) {
            return Err(settings("private_mac phrase is empty or untidy".into()));
        }
        for (field, list) in [
            ("model_keys", &file.model_keys),
            ("vendor_keys", &file.vendor_keys),
            ("name_keys", &file.name_keys),
            ("ignored_model_numbers", &file.ignored_model_numbers),
            ("legal_suffixes", &file.legal_suffixes),
        ] {
            if list.iter().any(|k| k.trim().is_empty()) {
                return Err(settings(format!("`{field}` has an empty entry")));
            }
        }
        let mut needles = HashSet::new();
        let mut aliases = Vec::with_capacity(file.alias.len());
        for (n, alias) in file.alias.into_iter().enumerate() {
            if alias.needle.trim().is_empty() || !is_tidy(&alias.vendor) {
                return Err(settings(format!(
                    "alias #{} needs a `match` and a tidy `vendor`",
                    n + 1
                )));
            }
            let needle = lower(&alias.needle);
            if !needles.insert(needle.clone()) {
                return Err(settings(format!("alias {:?} is given twice", alias.needle)));
            }
            aliases.push(Alias {
                needle,
                vendor: alias.vendor,
            });
        }
        let mut ids = HashSet::new();
        let mut rules = Vec::with_capacity(file.rule.len());
        for (n, raw) in file.rule.into_iter().enumerate() {
            let rule = raw.compile(n + 1)?;
            if !ids.insert(rule.id.clone()) {
                return Err(FingerprintError::Invalid {
                    rule: rule.id,
                    problem: "the id is used twice".into(),
                });
            }
            rules.push(rule);
        }
        let lowered = |list: Vec<String>| list.iter().map(|k| lower(k)).collect();
        Ok(Fingerprints {
            rules,
            aliases,
            min_score: file.min_score,
            strong_weight,
            private_mac_weight,
            private_mac_phrase: file.private_mac.phrase,
            model_keys: lowered(file.model_keys),
            vendor_keys: lowered(file.vendor_keys),
            name_keys: lowered(file.name_keys),
            ignored_model_numbers: lowered(file.ignored_model_numbers),
            legal_suffixes: file.legal_suffixes,
        })
    }

    /// Every rule, in asset order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The fewest points a category needs before it is named.
    pub fn min_score(&self) -> u32 {
        self.min_score
    }

    /// True when `rule` alone is enough to name its category: it is one of the kinds of signal a
    /// device uses to say what it is (an mDNS service type or TXT record, a UPnP device, being the
    /// gateway) and weighs at least the asset's `strong_weight`. Ports, names and address makers
    /// never decide alone: a port is shared by many kinds of device, a name is chosen by anyone,
    /// and one chip maker's addresses are in plugs, cameras, locks and chargers alike.
    pub fn is_strong(&self, rule: &Rule) -> bool {
        rule.weight >= self.strong_weight
            && matches!(
                rule.kind(),
                RuleKind::MdnsService | RuleKind::MdnsTxt | RuleKind::Upnp | RuleKind::Gateway
            )
    }

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

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> &'a str {
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
fn contains_word(hay: &str, needle: &str) -> bool {
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
fn registry_name(mac: MacAddr) -> Option<String> {
    if mac.is_locally_administered() || mac.is_multicast() {
        return None;
    }
    macaddr_ouidb::MacAddress::from(mac.0)
        .oui()
        .map(|name| clean(&name, MATCH_CHARS))
        .filter(|name| !name.is_empty())
}

/// A text from the device, cleaned, with its ASCII-lower-case twin for matching.
#[derive(Debug, Clone, Default)]
struct Text {
    shown: String,
    folded: String,
}

impl Text {
    fn new(raw: &str) -> Self {
        let shown = clean(raw, MATCH_CHARS);
        let folded = lower(&shown);
        Text { shown, folded }
    }

    fn quote(&self) -> String {
        clean(&self.shown, QUOTE_CHARS)
    }

    fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }
}

struct MdnsSeen {
    kind: Text,
    name: Text,
    txt: Vec<(Text, Text)>,
}

impl MdnsSeen {
    fn txt(&self, key: &str) -> Option<&Text> {
        self.txt
            .iter()
            .find(|(k, v)| k.folded == key && !v.is_empty())
            .map(|(_, v)| v)
    }
}

struct UpnpSeen {
    kind: Text,
    friendly: Text,
    manufacturer: Text,
    model_name: Text,
    model_number: Text,
}

struct NameSeen {
    what: &'static str,
    text: Text,
}

/// Everything the rules look at, cleaned once.
struct Seen {
    mdns: Vec<MdnsSeen>,
    upnp: Vec<UpnpSeen>,
    ports: BTreeSet<u16>,
    names: Vec<NameSeen>,
    registry: Option<Text>,
    private_mac: bool,
    gateway: bool,
}

impl Seen {
    fn of(device: &Device) -> Self {
        let mut mdns = Vec::new();
        let mut upnp = Vec::new();
        for service in &device.services {
            match service.source {
                ServiceSource::Mdns => mdns.push(MdnsSeen {
                    kind: Text::new(&service.kind),
                    name: Text::new(&service.name),
                    txt: service
                        .txt
                        .iter()
                        .map(|(k, v)| (Text::new(k), Text::new(v)))
                        .collect(),
                }),
                ServiceSource::Upnp => {
                    let field = |key: &str| {
                        service
                            .txt
                            .get(key)
                            .map(|v| Text::new(v))
                            .unwrap_or_default()
                    };
                    // An SSDP reply's entry is named after its SERVER header: never a name.
                    let header = service.txt.get("server") == Some(&service.name);
                    upnp.push(UpnpSeen {
                        kind: Text::new(&service.kind),
                        friendly: Text::new(if header { "" } else { &service.name }),
                        manufacturer: field("manufacturer"),
                        model_name: field("modelName"),
                        model_number: field("modelNumber"),
                    });
                }
            }
        }
        let mut names = Vec::new();
        for host in &device.hostnames {
            let trimmed = host.trim_end_matches('.');
            let stem = strip_suffix_ignore_case(trimmed, ".local");
            let text = Text::new(stem);
            if !text.is_empty() {
                names.push(NameSeen {
                    what: "host name",
                    text,
                });
            }
        }
        for service in &mdns {
            if !service.name.is_empty() {
                names.push(NameSeen {
                    what: "mDNS name",
                    text: service.name.clone(),
                });
            }
        }
        Seen {
            mdns,
            upnp,
            ports: device.open_ports.iter().map(|p| p.port).collect(),
            names,
            registry: device.mac.and_then(registry_name).map(|n| Text::new(&n)),
            private_mac: device.mac.is_some_and(|m| m.is_locally_administered()),
            gateway: device.gateway,
        }
    }
}

fn port_list(ports: &[u16]) -> String {
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    let noun = if ports.len() == 1 { "port" } else { "ports" };
    format!("open TCP {noun} {}", list.join(", "))
}

impl Matcher {
    /// The signal this matcher finds on the device, if any, quoting what it saw.
    fn find(&self, seen: &Seen) -> Option<String> {
        match self {
            Matcher::MdnsService(kind) => seen
                .mdns
                .iter()
                .find(|s| &s.kind.folded == kind)
                .map(|s| format!("mDNS {}", s.kind.quote())),
            Matcher::MdnsTxt {
                key,
                value,
                services,
            } => seen
                .mdns
                .iter()
                .filter(|s| services.is_empty() || services.contains(&s.kind.folded))
                .find_map(|s| {
                    s.txt
                        .iter()
                        .find(|(k, v)| &k.folded == key && value.matches(&v.folded))
                        .map(|(k, v)| {
                            format!("mDNS {} with {}={}", s.kind.quote(), k.quote(), v.quote())
                        })
                }),
            Matcher::Upnp {
                kind,
                manufacturer,
                model,
            } => seen.upnp.iter().find_map(|u| {
                let mut parts = Vec::new();
                if let Some(kind) = kind {
                    if !u.kind.folded.contains(kind.as_str()) {
                        return None;
                    }
                    parts.push(format!("device {}", u.kind.quote()));
                }
                if let Some(maker) = manufacturer {
                    if !u.manufacturer.folded.contains(maker.as_str()) {
                        return None;
                    }
                    parts.push(format!("manufacturer {}", u.manufacturer.quote()));
                }
                if let Some(model) = model {
                    let named = [&u.model_name, &u.model_number]
                        .into_iter()
                        .find(|t| t.folded.contains(model.as_str()))?;
                    parts.push(format!("model {}", named.quote()));
                }
                Some(format!("UPnP {}", parts.join(", ")))
            }),
            Matcher::Ports { all, any, none } => {
                let has = |p: &u16| seen.ports.contains(p);
                let any_open: Vec<u16> = any.iter().copied().filter(has).collect();
                if !all.iter().all(has) || (!any.is_empty() && any_open.is_empty()) {
                    return None;
                }
                if none.iter().any(has) {
                    return None;
                }
                let mut shown: Vec<u16> = all.iter().copied().chain(any_open).collect();
                shown.sort_unstable();
                shown.dedup();
                Some(port_list(&shown))
            }
            Matcher::Name { text, hex_after } => seen
                .names
                .iter()
                .find(|n| {
                    text.matches(&n.text.folded)
                        && (!hex_after || hex_follows(&n.text.folded, text))
                })
                .map(|n| format!("{} {}", n.what, n.text.quote())),
            Matcher::MacVendor(vendor) => seen
                .registry
                .as_ref()
                .filter(|r| contains_word(&r.folded, vendor))
                .map(|r| format!("hardware address registered to {}", r.quote())),
            Matcher::Gateway => seen
                .gateway
                .then(|| "it is the default gateway of this network".to_string()),
        }
    }
}

/// True when the name goes on, after the matched prefix, with nothing but hex digits (at least
/// [`MIN_HEX_AFTER`]): "hp3c2af4a1b2c3" after "hp".
fn hex_follows(name: &str, text: &TextMatch) -> bool {
    let TextMatch::Prefix(prefix) = text else {
        return false;
    };
    name.get(prefix.len()..).is_some_and(|rest| {
        rest.len() >= MIN_HEX_AFTER && rest.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Identifies `device` with `rules`.
///
/// Every rule that matches adds its weight to its category; a private (randomised) hardware address
/// adds the asset's small weight to `computer`, but only beside other evidence. A category can be
/// named only with the asset's `min_score` of points and either one strong rule (see
/// [`Fingerprints::is_strong`]) or two different kinds of signal (a port and an address maker, a
/// name and an mDNS service...): one open port or one chip maker's address never names a kind.
/// Of the categories that qualify, the one with the most points wins (a tie goes to the one with
/// the strongest single rule, then to the earlier category in [`Category::ALL`]); when none
/// qualifies, or there is no evidence at all, the category is unknown with confidence 0. The
/// confidence comes from [`confidence`] over the winner's points and the runner-up's (any
/// category, qualified or not).
///
/// The vendor is the UPnP manufacturer (shortened through the aliases), else the maker implied by
/// the strongest matching rule (rules for the winning category first), else a TXT maker key
/// (`usb_MFG`, `vendor`...), else the maker of the hardware address. The model is the UPnP
/// modelName (with the modelNumber when it adds to it), else a TXT model key (`md`, `model`,
/// `ty`...), else a rule's model hint. The name is the UPnP friendlyName, else the TXT `fn`, else
/// an mDNS instance name.
///
/// The owner's own category and name are not looked at: what to do with the result is the caller's
/// choice.
pub fn identify(device: &Device, rules: &Fingerprints) -> Identity {
    let seen = Seen::of(device);
    let mut tallies = [Tally::default(); Category::ALL.len()];
    let mut matched: Vec<(&Rule, Evidence)> = Vec::new();
    for rule in &rules.rules {
        if let Some(signal) = rule.matcher.find(&seen) {
            let tally = &mut tallies[category_index(rule.category)];
            tally.score += u32::from(rule.weight);
            tally.strongest = tally.strongest.max(rule.weight);
            tally.kinds |= kind_bit(rule.kind());
            tally.strong |= rules.is_strong(rule);
            matched.push((
                rule,
                Evidence {
                    signal,
                    conclusion: format!("{}: {}", rule.category.key(), rule.phrase),
                    weight: rule.weight,
                },
            ));
        }
    }
    let mut evidence: Vec<Evidence> = matched.iter().map(|(_, e)| e.clone()).collect();
    if seen.private_mac {
        if !matched.is_empty() && rules.private_mac_weight > 0 {
            let tally = &mut tallies[category_index(Category::Computer)];
            tally.score += u32::from(rules.private_mac_weight);
            tally.strongest = tally.strongest.max(rules.private_mac_weight);
            tally.kinds |= PRIVATE_MAC_BIT;
        }
        evidence.push(Evidence {
            signal: "private (randomised) hardware address".into(),
            conclusion: format!("private address: {}", rules.private_mac_phrase),
            weight: rules.private_mac_weight,
        });
    }
    evidence.sort_by_key(|e| std::cmp::Reverse(e.weight));

    let mut winner: Option<(Category, Tally)> = None;
    for (category, tally) in Category::ALL.iter().zip(tallies) {
        if !tally.names_a_kind(rules.min_score) {
            continue;
        }
        let better = winner
            .is_none_or(|(_, best)| (tally.score, tally.strongest) > (best.score, best.strongest));
        if better {
            winner = Some((*category, tally));
        }
    }
    let (category, confidence) = match winner {
        Some((category, tally)) => {
            let runner_up = Category::ALL
                .iter()
                .zip(tallies)
                .filter(|(c, _)| **c != category)
                .map(|(_, t)| t.score)
                .max()
                .unwrap_or(0);
            (category, confidence(tally.score, runner_up))
        }
        None => (Category::Unknown, 0),
    };

    // Rule hints: those for the winning category first, then the strongest.
    let mut hinted: Vec<&Rule> = matched.iter().map(|(r, _)| *r).collect();
    hinted.sort_by_key(|r| (r.category != category, std::cmp::Reverse(r.weight)));

    // A UPnP manufacturer that is a software author or stack (MiniDLNA's, Linux, OpenWrt) never
    // names the maker; the evidence shows it beside the hardware address's maker.
    // (Unless the hardware address names the same company: an Xbox is Microsoft's.)
    let hardware_maker = seen.registry.as_ref().map(|r| rules.vendor_name(&r.shown));
    let software_only = |u: &UpnpSeen| {
        crate::makers::software_maker(&u.manufacturer.shown).is_some()
            && hardware_maker.as_ref() != Some(&rules.vendor_name(&u.manufacturer.shown))
    };
    let (software, upnp_maker): (Vec<&UpnpSeen>, Vec<&UpnpSeen>) = seen
        .upnp
        .iter()
        .filter(|u| !u.manufacturer.is_empty())
        .partition(|u| software_only(u));
    if let Some(u) = software.first()
        && let Some(maker) = crate::makers::software_maker(&u.manufacturer.shown)
    {
        let hardware = hardware_maker.as_ref().map_or_else(
            || "the hardware address names no maker".to_string(),
            |m| format!("the hardware address says {m}"),
        );
        evidence.push(Evidence {
            signal: format!("UPnP manufacturer \"{}\"", u.manufacturer.quote()),
            conclusion: format!("maker: not this one ({}); {hardware}", maker.why),
            weight: 0,
        });
    }
    let vendor = upnp_maker
        .first()
        .map(|u| rules.vendor_name(&u.manufacturer.shown))
        .or_else(|| hinted.iter().find_map(|r| r.vendor.clone()))
        .or_else(|| first_txt(&seen, &rules.vendor_keys).map(|v| rules.vendor_name(&v.shown)))
        .or_else(|| seen.registry.as_ref().map(|r| rules.vendor_name(&r.shown)))
        .map(|v| clean(&v, FIELD_CHARS))
        .filter(|v| !v.is_empty());

    let model = seen
        .upnp
        .iter()
        .filter(|u| !software_only(u))
        .find_map(|u| upnp_model(u, rules))
        .or_else(|| first_txt(&seen, &rules.model_keys).map(|t| t.shown.clone()))
        .or_else(|| hinted.iter().find_map(|r| r.model.clone()))
        .map(|m| clean(&m, FIELD_CHARS))
        .filter(|m| !m.is_empty());

    // The device's own name: the UPnP friendlyName (never a SERVER header), else an mDNS name (a
    // "fn" style TXT name, then the instance). Host, DNS and NetBIOS names come after (see the
    // inventory).
    let name = seen
        .upnp
        .iter()
        .map(|u| &u.friendly)
        .find(|f| !f.is_empty())
        .or_else(|| first_txt(&seen, &rules.name_keys))
        .or_else(|| seen.mdns.iter().map(|s| &s.name).find(|n| !n.is_empty()))
        .map(|t| clean(&t.shown, FIELD_CHARS))
        .filter(|n| !n.is_empty());

    Identity {
        category,
        vendor,
        model,
        name,
        confidence,
        evidence,
        private_mac: seen.private_mac,
    }
}

fn category_index(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(Category::ALL.len() - 1)
}

/// The first non-empty TXT value under any of `keys` (in key order, then service order).
fn first_txt<'a>(seen: &'a Seen, keys: &[String]) -> Option<&'a Text> {
    keys.iter()
        .find_map(|key| seen.mdns.iter().find_map(|s| s.txt(key)))
}

/// The modelName, with the modelNumber in brackets when it adds something: not when it repeats
/// the name, is a version ("1.0"), is on the asset's ignore list or is only the maker's name.
fn upnp_model(u: &UpnpSeen, rules: &Fingerprints) -> Option<String> {
    let name = &u.model_name;
    let number = &u.model_number;
    if name.is_empty() {
        return (!number.is_empty() && !is_version(&number.folded)).then(|| number.shown.clone());
    }
    let adds = !number.is_empty()
        && !name.folded.contains(number.folded.as_str())
        && !number.folded.contains(name.folded.as_str())
        && !is_version(&number.folded)
        && !rules.ignored_model_numbers.contains(&number.folded)
        && !u.manufacturer.folded.contains(number.folded.as_str());
    Some(if adds {
        format!("{} ({})", name.shown, number.shown)
    } else {
        name.shown.clone()
    })
}

/// "1.0", "23.05.3": digits and dots with at least one dot.
fn is_version(text: &str) -> bool {
    text.contains('.') && text.chars().all(|c| c.is_ascii_digit() || c == '.')
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
    fn confidence_follows_the_documented_formula() {
        assert_eq!(confidence(0, 0), 0);
        assert_eq!(confidence(70, 0), 70);
        assert_eq!(confidence(40, 35), 22);
        assert_eq!(confidence(200, 30), 92);
        assert_eq!(confidence(50, 50), 25);
        assert_eq!(confidence(500, 0), 100);
        assert_eq!(confidence(u32::MAX, u32::MAX), 50);
        // A runner-up above the winner cannot happen, but must not underflow either.
        assert_eq!(confidence(10, 20), 5);
    }

    #[test]
    fn hex_must_follow_the_prefix() {
        let hp = TextMatch::Prefix("hp".into());
        assert!(hex_follows("hp3c2af4a1b2c3", &hp));
        assert!(hex_follows("hpa1b2c3", &hp));
        assert!(!hex_follows("hpa1b2c", &hp), "too short");
        assert!(!hex_follows("hp-laptop", &hp));
        assert!(!hex_follows("hpzz1234", &hp));
        assert!(!hex_follows("hpa1b2c3", &TextMatch::Contains("hp".into())));
    }

    #[test]
    fn versions_are_told_from_model_numbers() {
        assert!(is_version("1.0"));
        assert!(is_version("23.05.3"));
        assert!(!is_version("9010"));
        assert!(!is_version("s18"));
        assert!(!is_version("bsb002"));
    }

    #[test]
    fn suffixes_are_stripped_without_slicing_inside_a_character() {
        assert_eq!(strip_suffix_ignore_case("Foo Inc.", " inc."), "Foo");
        assert_eq!(strip_suffix_ignore_case(" Inc.", " Inc."), " Inc.");
        assert_eq!(strip_suffix_ignore_case("ü", " Inc."), "ü");
        assert_eq!(strip_suffix_ignore_case("aé", "x"), "aé");
    }
}
