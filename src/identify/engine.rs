//! The matching engine: what discovery saw of a device, cleaned once, run against every rule; each
//! match adds its weight to its category and leaves an [`Evidence`] line saying why, and the tally
//! decides whether the evidence names a kind.

use std::collections::BTreeSet;

use crate::model::{Category, Device, ServiceSource};
use crate::sanitize::clean;

use super::naming::{banner_title, room_of, short_host, tidy_model, tidy_name};
use super::rules::{Fingerprints, Matcher, Rule, TextMatch, lower};
use super::tally::{PRIVATE_MAC_BIT, Tally, confidence, kind_bit};
use super::vendors::{contains_word, registry_name};
use super::{Evidence, FIELD_CHARS, Identity, MATCH_CHARS, MIN_HEX_AFTER, QUOTE_CHARS};

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
        // Host names without ".local" or the home's DNS domain, then the names DNS, NetBIOS and
        // LLMNR gave, then the titles of the device's web pages.
        let looked_up = ["dns", "netbios", "llmnr"]
            .into_iter()
            .filter_map(|source| device.evidence.names.get(source))
            .map(|n| ("looked-up name", short_host(n)));
        let hosts = device
            .hostnames
            .iter()
            .map(|h| ("host name", short_host(h)));
        let titles = device
            .open_ports
            .iter()
            .filter_map(|p| p.banner.as_deref().and_then(banner_title))
            .map(|t| ("web page title", t.to_string()));
        for (what, name) in hosts.chain(looked_up).chain(titles) {
            let text = Text::new(&name);
            if !text.is_empty()
                && !names
                    .iter()
                    .any(|n: &NameSeen| n.text.folded == text.folded)
            {
                names.push(NameSeen { what, text });
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

/// The signal a ports rule quotes: "open TCP port 80", "open TCP ports 80, 443" (numbers only; the
/// checks name ports in words with `checks::ports::named_ports`).
fn open_ports_signal(ports: &[u16]) -> String {
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
                Some(open_ports_signal(&shown))
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

    // Models are tidied (junk such as an AirPlay speaker's "md=0,1,2" refused, a leading "*"
    // dropped) and published identifiers named ("AppleTV11,1" is "Apple TV 4K (2nd generation)").
    let tidy = |m: &str| tidy_model(m, &rules.model_names);
    let model = seen
        .upnp
        .iter()
        .filter(|u| !software_only(u))
        .filter_map(|u| upnp_model(u, rules))
        .find_map(|m| tidy(&m))
        .or_else(|| {
            rules.model_keys.iter().find_map(|key| {
                seen.mdns
                    .iter()
                    .filter_map(|s| s.txt(key))
                    .find_map(|t| tidy(&t.shown))
            })
        })
        .or_else(|| hinted.iter().find_map(|r| r.model.clone()))
        .map(|m| clean(&m, FIELD_CHARS))
        .filter(|m| !m.is_empty());

    // The device's own name: the UPnP friendlyName (never a SERVER header), else an mDNS name (a
    // "fn" style TXT name, then the instance); a speaker's room (its AirPlay name) comes first.
    // Identifiers (uuid:, RINCON_, a hardware address) and junk are never names; the words
    // around them are kept ("10.88.0.20 - Sonos One - RINCON_..." is "Sonos One"). Host, DNS and
    // NetBIOS names come after (see the inventory).
    let room = ROOM_SERVICES.iter().find_map(|kind| {
        seen.mdns
            .iter()
            .filter(|s| s.kind.folded == *kind)
            .find_map(|s| tidy_name(room_of(&s.name.shown)))
    });
    let friendly = seen.upnp.iter().find_map(|u| tidy_name(&u.friendly.shown));
    let fn_name = rules.name_keys.iter().find_map(|key| {
        seen.mdns
            .iter()
            .filter_map(|s| s.txt(key))
            .find_map(|t| tidy_name(&t.shown))
    });
    let instance = || seen.mdns.iter().find_map(|s| tidy_name(&s.name.shown));
    let own = if category == Category::Speaker {
        room.or(fn_name).or(friendly)
    } else {
        friendly.or(fn_name)
    };
    let name = own
        .or_else(instance)
        .map(|n| clean(&n, FIELD_CHARS))
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

/// The mDNS services a speaker names after its room (AirPlay, AirPlay audio, Spotify Connect).
const ROOM_SERVICES: [&str; 3] = ["_airplay._tcp", "_raop._tcp", "_spotify-connect._tcp"];

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
}
