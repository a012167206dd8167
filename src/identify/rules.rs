//! The fingerprint asset: its TOML layout, the checks that keep a broken rule from shipping, and
//! the validated [`Fingerprints`] the engine runs (rules, maker aliases and the scoring settings).

use std::collections::HashSet;

use serde::Deserialize;

use crate::model::Category;
use crate::sanitize::clean;

use super::FINGERPRINTS_TOML;

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
    pub(super) matcher: Matcher,
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
pub(super) enum TextMatch {
    Any,
    Equals(String),
    Prefix(String),
    Contains(String),
}

impl TextMatch {
    pub(super) fn matches(&self, hay: &str) -> bool {
        match self {
            TextMatch::Any => true,
            TextMatch::Equals(n) => hay == n,
            TextMatch::Prefix(n) => hay.starts_with(n.as_str()),
            TextMatch::Contains(n) => hay.contains(n.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum Matcher {
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
pub(super) struct Alias {
    pub(super) needle: String,
    pub(super) vendor: String,
}

/// The parsed and validated fingerprint asset.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    pub(super) rules: Vec<Rule>,
    pub(super) aliases: Vec<Alias>,
    pub(super) min_score: u32,
    pub(super) strong_weight: u8,
    pub(super) private_mac_weight: u8,
    pub(super) private_mac_phrase: String,
    pub(super) model_keys: Vec<String>,
    pub(super) vendor_keys: Vec<String>,
    pub(super) name_keys: Vec<String>,
    pub(super) ignored_model_numbers: Vec<String>,
    pub(super) legal_suffixes: Vec<String>,
    pub(super) model_names: Vec<(String, String)>,
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
    #[serde(default)]
    model_name: Vec<RawModelName>,
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModelName {
    id: String,
    name: String,
    source: String,
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

pub(super) fn lower(text: &str) -> String {
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
        let mut model_ids = HashSet::new();
        let mut model_names = Vec::with_capacity(file.model_name.len());
        for m in file.model_name {
            if !is_tidy(&m.id) || !is_tidy(&m.name) || m.source.trim().is_empty() {
                return Err(settings(format!(
                    "model_name {:?} needs a tidy id and name and a source",
                    clean(&m.id, 40)
                )));
            }
            if !model_ids.insert(lower(&m.id)) {
                return Err(settings(format!("model_name {:?} is given twice", m.id)));
            }
            model_names.push((m.id, m.name));
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
            model_names,
        })
    }

    /// Every rule, in asset order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Model identifiers and the product names their makers publish for them.
    pub fn model_names(&self) -> &[(String, String)] {
        &self.model_names
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
}
