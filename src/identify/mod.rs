//! Identification: "what is this device?", answered from what discovery saw of it.
//!
//! The knowledge is data: `assets/fingerprints.toml` holds the rules (an mDNS service type, a TXT
//! record, a UPnP device type or description, open ports, a naming habit, the maker of the hardware
//! address, being the default gateway), each worth some points towards one category. This module
//! parses and validates that asset, and runs a small engine over a
//! [`Device`](crate::model::Device): every rule that matches adds its weight to its category and
//! leaves an [`Evidence`] line that says why, so the owner can see the reasoning rather than take a
//! label on trust. A kind is named only from two different kinds of signal or one strong
//! announcement (see [`Fingerprints::is_strong`] and `identify/tally.rs`): one open port or one
//! chip maker's address is never enough.
//!
//! Nothing here does IO or trusts the device: every value quoted from a device is cleaned again and
//! capped before it goes into a result, and matching is plain text (no regular expressions).
//!
//! The work is split in three: `rules` parses and validates the asset, `vendors` names the maker
//! behind a hardware address, and `engine` matches the rules against a device and scores them (with
//! `tally` keeping the points).

use crate::model::Category;

mod engine;
pub mod naming;
mod rules;
mod tally;
pub(crate) mod vendors;

pub use engine::identify;
pub use rules::{FingerprintError, Fingerprints, Rule, RuleKind};
pub use tally::confidence;
pub use vendors::vendor_from_mac;

/// The fingerprints shipped with porchlight.
pub const FINGERPRINTS_TOML: &str = include_str!("../../assets/fingerprints.toml");

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
