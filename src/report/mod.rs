//! The report: the whole picture of the home in one document, as Markdown, HTML or JSON.
//!
//! [`build`] gathers everything once into a [`Report`]: the problems the audit found (first), the home score and a short summary, what is
//! due (most urgent first), the risks the owner accepted with their reasons, and every device (weakest
//! first) with what was found on it, what porchlight thinks it is and why, its score with what each
//! open step is worth, and its checklist. The three formats render that same value, so they never
//! disagree; the JSON is the [`Report`] itself, a documented and versioned structure
//! ([`FORMAT_VERSION`]).
//!
//! Nothing here knows the terminal: [`render`] returns the text, and the caller writes it through
//! [`output`] (standard output, or a file written safely: exclusive temporary file, 0600, only ever
//! replacing a regular file).
//! Strings from devices are cleaned again on the way in and escaped for each format on the way out
//! (HTML entities; backslash escapes in Markdown, with table pipes and line breaks neutralised), so a
//! device named `<script>` or `a|b` cannot change the document it appears in.

mod html;
mod markdown;
pub mod output;
mod problems;

pub use problems::FoundProblem;

use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::catalog::{self, Catalog, Step};
use crate::identify::{Fingerprints, identify};
use crate::model::{Category, Device, DeviceId, Inventory, MacAddr, ServiceSource, StepState};
use crate::reminders::{DueContext, Why, due, not_started, reminders};
use crate::sanitize::clean;
use crate::score::device_score;

/// The version of the JSON structure; it goes up when a field changes meaning or goes away (new
/// fields may appear without a change).
pub const FORMAT_VERSION: u32 = 1;

/// How many evidence lines each device shows (strongest first).
pub const EVIDENCE_SHOWN: usize = 3;

/// The longest text kept from any one field, in characters (device strings are capped at 200 when
/// they are found; an owner's reason may be longer).
const TEXT_CHARS: usize = 1000;

/// The format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown (CommonMark with GitHub tables): headings per device, a table per checklist.
    Markdown,
    /// One self-contained HTML page (inline CSS, no scripts, nothing loaded from elsewhere).
    Html,
    /// The [`Report`] structure as pretty-printed JSON.
    Json,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Html, Format::Json];

    /// The name on the command line (`md`, `html`, `json`).
    pub fn key(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.key()
    }

    /// The format a file name asks for by its extension (`report.html`), if it names one.
    pub fn for_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A report format name that porchlight does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format {given:?}: choose md (or markdown), html or json")]
pub struct UnknownFormat {
    given: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Reads `md` or `markdown`, `html` or `json` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            _ => Err(UnknownFormat {
                given: clean(s, 40),
            }),
        }
    }
}

/// Why a report could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The JSON encoder failed (it should not: every value is plain data).
    #[error("the report could not be encoded as JSON: {0}")]
    Json(String),
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The checklist.
    pub catalog: &'a Catalog,
    /// The fingerprint rules, to say what each device looks like and why; `None` leaves that out.
    pub fingerprints: Option<&'a Fingerprints>,
    /// The devices and the owner's progress.
    pub inventory: &'a Inventory,
    /// The moment the report describes (what is due is due by then).
    pub now: Timestamp,
    /// The owner's time zone, for dates and for calendar intervals.
    pub tz: TimeZone,
    /// The heading ("porchlight report", or the place).
    pub title: String,
}

/// Writes the report in `format`.
///
/// # Errors
/// [`ReportError::Json`] if the JSON encoder fails, which plain data does not make it do.
pub fn render(format: Format, input: &ReportInput) -> Result<String, ReportError> {
    let report = build(input);
    Ok(match format {
        Format::Markdown => markdown::render(&report, &input.tz),
        Format::Html => html::render(&report, &input.tz),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&report)
                .map_err(|e| ReportError::Json(e.to_string()))?;
            text.push('\n');
            text
        }
    })
}

/// The whole picture of the home: the value every format renders, and the JSON structure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The version of this structure ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The heading.
    pub title: String,
    /// The moment the report describes.
    pub generated_at: Timestamp,
    /// The owner's time zone (an IANA name such as `Europe/London`, or an offset).
    pub time_zone: String,
    /// The problems the audit found, riskiest first (the report opens with them).
    pub found_problems: Vec<FoundProblem>,
    /// The home score and the counts beside it.
    pub summary: Summary,
    /// What needs the owner, most urgent first (as `porchlight remind` lists it).
    pub due: Vec<DueItem>,
    /// Every step whose risk the owner accepted, with their reason.
    pub accepted_risks: Vec<AcceptedRisk>,
    /// Every device, lowest score first, then by name.
    pub devices: Vec<DeviceReport>,
}

/// The home at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The home's safety score, 0 to 100 (see [`crate::score::home_score`]).
    pub home_score: u8,
    /// How many devices are known.
    pub devices: usize,
    /// Devices with every step settled (done, verified, not applicable or accepted).
    pub fully_hardened: usize,
    /// Steps whose check failed, over all devices.
    pub failed_checks: usize,
    /// Devices the owner has not recognised as theirs yet.
    pub new_devices: usize,
    /// Devices that did not answer the latest scan.
    pub offline_devices: usize,
    /// Steps never started, over all devices.
    pub steps_not_started: usize,
    /// Entries in [`Report::due`].
    pub due_now: usize,
}

/// One thing that needs the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// The device's id.
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// The step's id, unless the reminder is about the device itself.
    pub step: Option<String>,
    /// What to do.
    pub title: String,
    /// Why now.
    pub why: Why,
    /// Since when it is due.
    pub due: Timestamp,
}

/// A risk the owner chose to live with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedRisk {
    /// The device's id.
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// The step's id.
    pub step: String,
    /// The step's title.
    pub title: String,
    /// The owner's reason, in their words.
    pub reason: String,
    /// When they accepted it.
    pub accepted_at: Timestamp,
    /// When to think about it again (`None`: only when something changes).
    pub look_again: Option<Timestamp>,
}

/// One device, all of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceReport {
    /// Stable id (`mac:...`, `udn:...`, `host:...` or `ip:...`).
    pub id: DeviceId,
    /// Display name.
    pub name: String,
    /// The kind of device its checklist is for (the owner's choice where they made one).
    pub category: Category,
    /// Maker, when known.
    pub vendor: Option<String>,
    /// Model, when known.
    pub model: Option<String>,
    /// Firmware version, when known.
    pub firmware: Option<String>,
    /// Current IPv4 address.
    pub ip: Option<Ipv4Addr>,
    /// Hardware address.
    pub mac: Option<MacAddr>,
    /// Host names.
    pub hostnames: Vec<String>,
    /// Not yet recognised by the owner.
    pub new: bool,
    /// Did not answer the latest scan.
    pub offline: bool,
    /// It was the network's default gateway.
    pub gateway: bool,
    /// First seen.
    pub first_seen: Timestamp,
    /// Last seen.
    pub last_seen: Timestamp,
    /// Its safety score.
    pub score: DeviceScore,
    /// What porchlight thinks it is, and why (absent when no fingerprints were given).
    pub identification: Option<Identification>,
    /// TCP ports that answered.
    pub open_ports: Vec<PortFinding>,
    /// Services it announces.
    pub services: Vec<ServiceFinding>,
    /// Every step for its kind, in checklist order.
    pub checklist: Vec<StepReport>,
}

/// A device's score, in brief; each open step's worth is on its [`StepReport::points`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceScore {
    /// 0 to 100.
    pub value: u8,
    /// Weight of the done and verified steps.
    pub earned: u32,
    /// Weight of every counted step.
    pub possible: u32,
    /// Steps that need the owner now (see [`crate::standing::StepStatus`]): not settled, not put off.
    pub open: usize,
    /// Steps put off until later.
    pub postponed: usize,
    /// Steps whose check failed.
    pub failed: usize,
    /// Steps settled (done, verified, not applicable or accepted), out of `total`.
    pub settled: usize,
    /// Steps that apply to the device.
    pub total: usize,
    /// Steps not counted: not applicable, or risk accepted.
    pub excluded: usize,
}

/// What porchlight concluded about a device from what it announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identification {
    /// The kind it looks like ([`Category::Unknown`] when the evidence is thin).
    pub category: Category,
    /// How sure, 0 to 100.
    pub confidence: u8,
    /// The kind the owner set, which beats the guess.
    pub owner_category: Option<Category>,
    /// Its hardware address is randomised, so it names no maker.
    pub private_mac: bool,
    /// The strongest signals, at most [`EVIDENCE_SHOWN`].
    pub evidence: Vec<EvidenceLine>,
    /// How many weaker signals were left out.
    pub more_evidence: usize,
}

/// One reason behind an identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLine {
    /// What was seen.
    pub signal: String,
    /// What it suggests.
    pub conclusion: String,
    /// Points it is worth.
    pub weight: u8,
}

/// A TCP port that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortFinding {
    /// Port number.
    pub port: u16,
    /// What usually runs there.
    pub service: String,
    /// It spoke TLS.
    pub tls: bool,
    /// The first words it said, cleaned.
    pub banner: Option<String>,
}

/// A service the device announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceFinding {
    /// How it was announced (`mdns` or `upnp`).
    pub source: ServiceSource,
    /// The service or device type.
    pub kind: String,
    /// The announced name.
    pub name: String,
    /// Its port, when announced.
    pub port: Option<u16>,
}

/// Where a step stands, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// Not done yet.
    Todo,
    /// The owner says it is done.
    Done,
    /// porchlight checked over the network that it took.
    Verified,
    /// porchlight checked and it did not take, or came undone: a regression.
    Failed,
    /// Does not apply to this device.
    NotApplicable,
    /// The owner accepts the risk (see [`StepReport::reason`]).
    Accepted,
}

impl StepStatus {
    fn of(state: &StepState) -> Self {
        match state {
            StepState::Todo => StepStatus::Todo,
            StepState::Done => StepStatus::Done,
            StepState::Verified => StepStatus::Verified,
            StepState::Failed => StepStatus::Failed,
            StepState::NotApplicable => StepStatus::NotApplicable,
            StepState::Accepted { .. } => StepStatus::Accepted,
        }
    }

    /// Words for the owner.
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Todo => "to do",
            StepStatus::Done => "done",
            StepStatus::Verified => "verified",
            StepStatus::Failed => "failed: regression",
            StepStatus::NotApplicable => "not applicable",
            StepStatus::Accepted => "accepted",
        }
    }

    /// A mark that carries the meaning without colour (for print and for plain text).
    pub fn mark(self) -> &'static str {
        match self {
            StepStatus::Todo => "○",
            StepStatus::Done | StepStatus::Verified => "✓",
            StepStatus::Failed => "✗",
            StepStatus::NotApplicable => "–",
            StepStatus::Accepted => "!",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, StepStatus::Todo | StepStatus::Failed)
    }
}

impl StepReport {
    /// The state in the owner's words: `verified in part` for a step verified in part.
    pub fn state_label(&self) -> &'static str {
        if self.unconfirmed.is_some() {
            "verified in part"
        } else {
            self.state.label()
        }
    }
}

/// One step of one device's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// The step's id (`RT-01`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub state: StepStatus,
    /// The owner's reason, for an accepted risk.
    pub reason: Option<String>,
    /// The owner's note.
    pub note: Option<String>,
    /// For a step porchlight verified in part: what the owner must still confirm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
    /// For a done step whose network check could not tell: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_check: Option<String>,
    /// When the state was set (`None`: never touched).
    pub set_at: Option<Timestamp>,
    /// When it is next due (`None`: not applicable, or only when something changes).
    pub due: Option<Timestamp>,
    /// Why it is due then (`None` for a step simply not done yet).
    pub due_why: Option<Why>,
    /// It is due now (at or before [`Report::generated_at`]).
    pub due_now: bool,
    /// How often it is looked at again once settled.
    pub recheck: catalog::Recheck,
    /// For an open step: the points doing it would add to the device's score.
    pub points: Option<f64>,
    /// The standards and guidance it comes from.
    pub standards: Vec<String>,
    /// Pages with help (https addresses).
    pub help: Vec<HelpLink>,
}

/// A page with help on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelpLink {
    /// What the page is.
    pub title: String,
    /// Its https address.
    pub url: String,
}

/// Cleans a string once more before it goes into the report (idempotent for device strings).
pub(super) fn text(s: &str) -> String {
    clean(s, TEXT_CHARS)
}

fn opt_text(s: Option<&String>) -> Option<String> {
    s.map(|s| text(s)).filter(|s| !s.is_empty())
}

/// Gathers the whole picture of the home.
pub fn build(input: &ReportInput) -> Report {
    let ReportInput {
        catalog,
        fingerprints,
        inventory,
        now,
        tz,
        title,
    } = input;
    let ctx = DueContext::new(inventory, tz.clone());

    let due_list: Vec<DueItem> = reminders(catalog, inventory, &ctx, *now)
        .into_iter()
        .map(|r| DueItem {
            device_id: r.device,
            device_name: text(&r.device_name),
            step: r.step,
            title: text(&r.title),
            why: r.why,
            due: r.due,
        })
        .collect();

    let mut devices: Vec<DeviceReport> = inventory
        .devices
        .iter()
        .map(|d| device_report(catalog, *fingerprints, inventory, &ctx, *now, d))
        .collect();
    devices.sort_by(|a, b| {
        a.score
            .value
            .cmp(&b.score.value)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });

    let mut accepted_risks = Vec::new();
    for d in &devices {
        for s in d
            .checklist
            .iter()
            .filter(|s| s.state == StepStatus::Accepted)
        {
            accepted_risks.push(AcceptedRisk {
                device_id: d.id.clone(),
                device_name: d.name.clone(),
                step: s.id.clone(),
                title: s.title.clone(),
                reason: s.reason.clone().unwrap_or_default(),
                accepted_at: s.set_at.unwrap_or(*now),
                look_again: s.due,
            });
        }
    }

    let home = crate::score::home_score(catalog, inventory);
    let summary = Summary {
        home_score: home.value,
        devices: devices.len(),
        fully_hardened: inventory
            .devices
            .iter()
            .filter(|d| catalog.progress(d, *now).light() == crate::catalog::Light::Green)
            .count(),
        failed_checks: devices.iter().map(|d| d.score.failed).sum(),
        new_devices: devices.iter().filter(|d| d.new).count(),
        offline_devices: devices.iter().filter(|d| d.offline).count(),
        steps_not_started: not_started(catalog, inventory),
        due_now: due_list.len(),
    };

    Report {
        format_version: FORMAT_VERSION,
        title: {
            let t = text(title);
            if t.is_empty() {
                "porchlight report".to_string()
            } else {
                t
            }
        },
        generated_at: *now,
        time_zone: zone_name(tz, *now),
        found_problems: problems::found_problems(catalog, inventory, &ctx, *now),
        summary,
        due: due_list,
        accepted_risks,
        devices,
    }
}

fn device_report(
    catalog: &Catalog,
    fingerprints: Option<&Fingerprints>,
    inventory: &Inventory,
    ctx: &DueContext,
    now: Timestamp,
    d: &Device,
) -> DeviceReport {
    let score = device_score(catalog, d);
    let progress = catalog.progress(d, now);
    let checklist: Vec<StepReport> = catalog
        .steps_for(d.category())
        .map(|step| {
            let points = score
                .costs
                .iter()
                .find(|c| c.step == step.id.as_str())
                .map(|c| (c.points * 10.0).round() / 10.0);
            step_report(step, d, ctx, now, points)
        })
        .collect();
    let identification = fingerprints.map(|fp| {
        let id = identify(d, fp);
        let more_evidence = id.evidence.len().saturating_sub(EVIDENCE_SHOWN);
        Identification {
            category: id.category,
            confidence: id.confidence,
            owner_category: d.owner_category(),
            private_mac: id.private_mac,
            evidence: id
                .evidence
                .iter()
                .take(EVIDENCE_SHOWN)
                .map(|e| EvidenceLine {
                    signal: text(&e.signal),
                    conclusion: text(&e.conclusion),
                    weight: e.weight,
                })
                .collect(),
            more_evidence,
        }
    });
    let mut open_ports: Vec<PortFinding> = d
        .open_ports
        .iter()
        .map(|p| PortFinding {
            port: p.port,
            service: text(&p.service),
            tls: p.tls,
            banner: opt_text(p.banner.as_ref()),
        })
        .collect();
    open_ports.sort_by_key(|p| p.port);
    DeviceReport {
        id: d.id.clone(),
        name: text(d.name()),
        category: d.category(),
        vendor: opt_text(d.vendor.as_ref()),
        model: opt_text(d.model.as_ref()),
        firmware: opt_text(d.firmware.as_ref()),
        ip: d.ip,
        mac: d.mac,
        hostnames: d
            .hostnames
            .iter()
            .map(|h| text(h))
            .filter(|h| !h.is_empty())
            .collect(),
        new: !d.known,
        offline: inventory.is_offline(d),
        gateway: d.gateway,
        first_seen: d.first_seen,
        last_seen: d.last_seen,
        score: DeviceScore {
            value: score.value,
            earned: score.earned,
            possible: score.possible,
            open: progress.open(),
            postponed: progress.postponed,
            failed: progress.failed,
            settled: progress.settled,
            total: progress.total,
            excluded: score.excluded,
        },
        identification,
        open_ports,
        services: d
            .services
            .iter()
            .map(|s| ServiceFinding {
                source: s.source,
                kind: text(&s.kind),
                name: text(&s.name),
                port: s.port,
            })
            .collect(),
        checklist,
    }
}

fn step_report(
    step: &Step,
    d: &Device,
    ctx: &DueContext,
    now: Timestamp,
    points: Option<f64>,
) -> StepReport {
    let progress = d.progress.get(&step.id);
    let state = d.step_state(&step.id);
    let status = StepStatus::of(&state);
    let reason = match &state {
        StepState::Accepted { reason } => Some(text(reason)),
        _ => None,
    };
    // Settled and failed steps follow the reminders (calendar intervals in the owner's zone); a
    // step simply not done yet has been due since it was first open.
    let (due_at, due_why) = match due(step, d, ctx) {
        Some((at, why)) => (Some(at), Some(why)),
        None if status == StepStatus::Todo => (crate::reminders::next_due(step, d, ctx), None),
        None => (None, None),
    };
    StepReport {
        id: step.id.to_string(),
        title: text(&step.title),
        state: status,
        reason,
        note: opt_text(progress.and_then(|p| p.note.as_ref())),
        unconfirmed: if status == StepStatus::Verified {
            opt_text(progress.and_then(|p| p.unconfirmed.as_ref()))
        } else {
            None
        },
        cannot_check: if status == StepStatus::Done {
            opt_text(progress.and_then(|p| p.cannot_check.as_ref()))
        } else {
            None
        },
        set_at: progress.map(|p| p.changed_at),
        due: due_at,
        due_why,
        due_now: due_at.is_some_and(|t| t <= now),
        recheck: step.recheck,
        points: if status.is_open() { points } else { None },
        standards: step.standards.iter().map(|s| text(s)).collect(),
        help: step
            .links
            .iter()
            .filter(|l| is_safe_url(&l.url))
            .map(|l| HelpLink {
                title: text(&l.title),
                url: l.url.clone(),
            })
            .collect(),
    }
}

/// True for an https address made only of characters that need no escaping in a link.
fn is_safe_url(url: &str) -> bool {
    url.len() > "https://".len()
        && url.starts_with("https://")
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#@!$&*+,;=%".contains(&b))
}

/// The zone's IANA name, or its offset at `now` when it has none.
fn zone_name(tz: &TimeZone, now: Timestamp) -> String {
    match tz.iana_name() {
        Some(name) => name.to_string(),
        None => format!("UTC{}", tz.to_offset(now)),
    }
}

/// A date in the owner's zone (`2026-11-25`).
fn date(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).date().to_string()
}

/// A date and time in the owner's zone (`2026-11-25 12:00`).
fn date_time(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    format!("{} {:02}:{:02}", z.date(), z.hour(), z.minute())
}

/// "Next due" in words: "now", "since 2026-11-20: came undone", "2027-01-05", "on every scan", "—".
fn due_words(step: &StepReport, tz: &TimeZone) -> String {
    match (step.due, step.due_why) {
        (Some(_), None) if step.due_now => "now".to_string(),
        (Some(at), Some(why)) if step.due_now => format!("since {}: {}", date(at, tz), why.label()),
        (Some(at), Some(Why::SnoozeOver)) => format!("{} (put off)", date(at, tz)),
        (Some(at), _) => date(at, tz),
        (None, _) if step.state == StepStatus::NotApplicable => "—".to_string(),
        (None, _) => step.recheck.label().to_string(),
    }
}

/// "since 2026-11-20" for a date that has passed, the date itself otherwise.
fn since_words(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    if at <= now {
        format!("since {}", date(at, tz))
    } else {
        date(at, tz)
    }
}

/// The maker, model and firmware in one line ("Hikvision DS-2CD2043G2-I, firmware V5.7.3").
fn hardware_words(d: &DeviceReport) -> String {
    let maker_model: Vec<&str> = [d.vendor.as_deref(), d.model.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let mut out = if maker_model.is_empty() {
        "maker and model unknown".to_string()
    } else {
        maker_model.join(" ")
    };
    match &d.firmware {
        Some(fw) => {
            out.push_str(", firmware ");
            out.push_str(fw);
        }
        None => out.push_str(", firmware unknown"),
    }
    out
}

/// Where the device is ("192.168.1.64 · bc:ad:28:4f:10:3a · host names: nas.local").
fn address_words(d: &DeviceReport) -> String {
    let mut parts = Vec::new();
    parts.push(match d.ip {
        Some(ip) => ip.to_string(),
        None => "no address".to_string(),
    });
    parts.push(match d.mac {
        Some(mac) => format!("MAC {mac}"),
        None => "MAC unknown".to_string(),
    });
    if !d.hostnames.is_empty() {
        parts.push(format!("host names: {}", d.hostnames.join(", ")));
    }
    parts.join(" · ")
}

/// The device's flags in words ("new on your network", "offline", "the gateway").
fn flag_words(d: &DeviceReport) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if d.new {
        flags.push("new on your network");
    }
    if d.offline {
        flags.push("offline");
    }
    if d.gateway {
        flags.push("gateway");
    }
    flags
}

/// What porchlight concluded, in one sentence.
fn identity_words(id: &Identification) -> String {
    let guess = if id.evidence.is_empty() {
        "Not identified: nothing it announced matched a known kind of device".to_string()
    } else if id.category == Category::Unknown {
        "Not sure what it is: the signals are too weak".to_string()
    } else {
        format!(
            "Looks like a {} ({}% sure)",
            kind_in_sentence(id.category),
            id.confidence
        )
    };
    let mut out = guess;
    if let Some(owner) = id.owner_category {
        out.push_str(&format!("; you set it to {}", kind_in_sentence(owner)));
    }
    if id.private_mac {
        out.push_str("; its hardware address is private (randomised)");
    }
    out.push('.');
    out
}

/// The score and its parts in one line ("3 of 15 steps settled, 12 open (1 failed)").
fn score_words(s: &DeviceScore) -> String {
    let mut out = format!("{} of {} steps settled", s.settled, s.total);
    if s.open > 0 {
        out.push_str(&format!(", {} open", s.open));
        if s.failed > 0 {
            out.push_str(&format!(" ({} failed)", s.failed));
        }
    }
    if s.postponed > 0 {
        out.push_str(&format!(", {} put off", s.postponed));
    }
    if s.excluded > 0 {
        out.push_str(&format!(
            "; {} not counted (not applicable or accepted)",
            s.excluded
        ));
    }
    out
}

/// The open step worth the most, for "the biggest gain" line.
fn biggest_gain(d: &DeviceReport) -> Option<&StepReport> {
    let failed = |s: &StepReport| s.state == StepStatus::Failed;
    d.checklist
        .iter()
        .enumerate()
        .filter(|(_, s)| s.points.is_some())
        .min_by(|(ia, a), (ib, b)| {
            let (pa, pb) = (a.points.unwrap_or(0.0), b.points.unwrap_or(0.0));
            pb.total_cmp(&pa)
                .then_with(|| failed(b).cmp(&failed(a)))
                .then_with(|| ia.cmp(ib))
        })
        .map(|(_, s)| s)
}

/// The mark beside a reason to act, as `porchlight remind` prints it.
fn why_mark(why: Why) -> &'static str {
    match why {
        Why::Problem => "!",
        Why::Regression => "✗",
        Why::NewDevice => "+",
        _ => "↻",
    }
}

/// "1 weaker signal", "3 weaker signals".
fn weaker_signals(n: usize) -> String {
    if n == 1 {
        "and 1 weaker signal".to_string()
    } else {
        format!("and {n} weaker signals")
    }
}

/// A category's label inside a sentence ("a camera", "a NAS", "a TV").
fn kind_in_sentence(category: Category) -> String {
    let label = category.label();
    if label.chars().all(|c| !c.is_lowercase()) {
        label.to_string()
    } else {
        label.to_lowercase()
    }
}

/// A points value for people ("+12").
fn points_words(p: f64) -> String {
    format!("+{p:.0}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_names_and_refuse_others() {
        assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!("Markdown".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!(" HTML ".parse::<Format>().unwrap(), Format::Html);
        assert_eq!("json".parse::<Format>().unwrap(), Format::Json);
        let e = "pdf".parse::<Format>().unwrap_err().to_string();
        assert_eq!(
            e,
            r#"unknown report format "pdf": choose md (or markdown), html or json"#
        );
        for f in Format::ALL {
            assert_eq!(f.key().parse::<Format>().unwrap(), f);
        }
    }

    #[test]
    fn formats_follow_file_extensions() {
        assert_eq!(Format::for_path(Path::new("home.HTML")), Some(Format::Html));
        assert_eq!(
            Format::for_path(Path::new("a/b.md")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::for_path(Path::new("x.json")), Some(Format::Json));
        assert_eq!(Format::for_path(Path::new("report")), None);
        assert_eq!(Format::for_path(Path::new("report.pdf")), None);
    }

    #[test]
    fn only_plain_https_addresses_become_links() {
        assert!(is_safe_url(
            "https://www.ncsc.gov.uk/guidance/smart-devices#x"
        ));
        assert!(!is_safe_url("http://example.com/"));
        assert!(!is_safe_url("https://"));
        assert!(!is_safe_url("https://e.com/a\"onmouseover=x"));
        assert!(!is_safe_url("https://e.com/a)b"));
        assert!(!is_safe_url("https://e.com/a|b"));
        assert!(!is_safe_url("https://e.com/<x>"));
    }
}
