//! Verifiers for the hardening steps the network can prove: after the owner says "done",
//! porchlight probes the device again and says whether the fix took, with the evidence it saw.
//!
//! Each step of the catalog that is marked `verify = "network"` names one [`Check`] (data in
//! `assets/checklist.toml`); [`verify`] runs it against a [`Target`] (the device as the last scan
//! saw it) in a [`Context`] (the router, the home's other devices, the owner's consent, limits)
//! and returns a [`CheckResult`]: a [`Verdict`], one line of evidence and what to try next.
//!
//! Why verdicts are three-valued: a probe that gets no answer proves nothing, so anything porchlight
//! cannot tell for sure is [`Verdict::Unknown`] with the reason, never a guess; `rules` holds the
//! evidence rules every check judges by (a pass only on positive evidence from a device that
//! answered). Informative checks
//! (the firmware version seen, what identifies a device) are always `Unknown`; a check that only
//! covers part of a step passes with a `next` line naming what porchlight cannot see.
//!
//! Safety rules, the same as discovery's: every probe is bounded in time and bytes (the whole
//! [`verify`] call by [`CheckLimits::overall`], the credential check by
//! [`CheckLimits::credentials_budget`]); everything a device says is cleaned with
//! [`crate::sanitize::clean`] before it reaches the evidence; a UPnP description is only read from
//! the router's own private address; and logins are only ever tried with the owner's consent for
//! that device, on a private or loopback address, with few tries and a pause between them.
//!
//! The definitions apart from the runtime: `definition` holds what a check is (the kinds, each
//! named once, parsing, validation, descriptions, budgets; plain data, all the catalog imports),
//! `result` what it found, `run` the targets, the context and [`verify`]. A new check kind: its
//! line in `definition`'s kind list and variant, its probe in a family file, its arm in `run`.
//!
//! One file per family: `ports` (ports closed, MQTT, SMB1), `web` (HTTPS admin page, login on the
//! settings page), `rtsp` (video stream login) with `buckets` (per-port outcomes sorted by kind),
//! `upnp` (router UPnP, port mappings, WPS, uptime) with `igd` (the router's description and
//! actions) and `soap`, `matter` (commissioning adverts), `credentials` (factory logins) with
//! `login_policy` (when they may run), `info` (what was seen, network separation); `honesty` says
//! what each check cannot see (a pass that covers part of a step is "verified in part", see
//! [`CheckResult::unconfirmed`]).

mod buckets;
pub mod credentials;
pub(crate) mod definition;
mod digest;
pub(crate) mod honesty;
pub(crate) mod igd;
pub(crate) mod info;
pub(crate) mod login_policy;
pub mod matter;
pub mod ports;
mod result;
pub(crate) mod router_look;
pub mod rtsp;
pub mod rules;
mod run;
pub(crate) mod soap;
pub(crate) mod upnp;
pub mod web;

pub use definition::{
    CHECK_KINDS, Check, CheckKind, CheckLimits, MAX_CHECK_PORTS, named_ports, port_name,
};
pub use result::{CheckResult, EVIDENCE_CHARS, Verdict};
pub use run::{Context, Endpoints, GatewayInfo, Peer, Target, is_home_address, verify};
pub use upnp::{PortMapping, port_mappings};
