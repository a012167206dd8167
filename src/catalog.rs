//! The checklist catalog: every hardening step porchlight knows, loaded from `assets/checklist.toml`
//! (compiled into the binary) and validated before use, and the choice of steps for a device.
//!
//! Knowledge lives in the asset, not in code: adding a step means editing the TOML, and the
//! validation here (run by the tests and at start-up) refuses a step with a missing field, an
//! unknown category or a duplicate id.

use std::collections::HashSet;
use std::fmt;

use jiff::{Span, ToSpan};
use serde::Deserialize;

use crate::checks::definition::Check;
use crate::model::{Category, Device, StepId, StepState};

/// The checklist shipped with porchlight.
pub const CHECKLIST_TOML: &str = include_str!("../assets/checklist.toml");

/// How porchlight can tell that a step was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyKind {
    /// porchlight can check it over the network.
    Network,
    /// Only the owner can confirm it.
    Owner,
}

/// How often a settled step should be looked at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recheck {
    /// On every scan (porchlight re-checks it itself where it can).
    EveryScan,
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every six months.
    HalfYearly,
    /// Every year.
    Yearly,
    /// Only when something happens (a change of settings, a suspected break-in, selling the device).
    OnEvent,
}

impl Recheck {
    /// The time between checks, for the calendar-based intervals.
    pub fn interval(self) -> Option<Span> {
        match self {
            Recheck::Weekly => Some(1.week()),
            Recheck::Monthly => Some(1.month()),
            Recheck::Quarterly => Some(3.months()),
            Recheck::HalfYearly => Some(6.months()),
            Recheck::Yearly => Some(1.year()),
            Recheck::EveryScan | Recheck::OnEvent => None,
        }
    }

    /// Words for the detail view ("every month").
    pub fn label(self) -> &'static str {
        match self {
            Recheck::EveryScan => "on every scan",
            Recheck::Weekly => "every week",
            Recheck::Monthly => "every month",
            Recheck::Quarterly => "every 3 months",
            Recheck::HalfYearly => "every 6 months",
            Recheck::Yearly => "every year",
            Recheck::OnEvent => "when something changes",
        }
    }
}

/// Events that make a settled step due again whatever its interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// The device's firmware version changed.
    FirmwareChange,
    /// A device never seen before joined the network.
    NewDevice,
}

/// What a step is about, for grouping and for the threat line in the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threat {
    /// Recruited into a botnet.
    Botnet,
    /// Personal data leaks.
    Privacy,
    /// Someone else takes control.
    Takeover,
    /// Known holes left unpatched.
    Unpatched,
    /// Traffic read or changed in transit.
    Eavesdropping,
    /// A break-in spreads from one device to the rest.
    Spread,
}

impl Threat {
    /// Plain words for the owner.
    pub fn label(self) -> &'static str {
        match self {
            Threat::Botnet => "joins a botnet",
            Threat::Privacy => "leaks private data",
            Threat::Takeover => "taken over",
            Threat::Unpatched => "known holes unpatched",
            Threat::Eavesdropping => "traffic snooped",
            Threat::Spread => "attack spreads",
        }
    }
}

/// A web page with more help, opened in the browser from the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the page is.
    pub title: String,
    /// Its address (https only).
    pub url: String,
}

/// One hardening step.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable id (`RT-01`), used in the state file.
    pub id: StepId,
    /// Short imperative title.
    pub title: String,
    /// Categories (keys) the step applies to, or `all`.
    pub applies_to: Vec<String>,
    /// Categories left out when `applies_to` is `all`.
    #[serde(default)]
    pub except: Vec<String>,
    /// What could go wrong if it is left undone.
    pub threats: Vec<Threat>,
    /// Why it matters, in plain words.
    pub why: String,
    /// How to do it, one instruction each.
    pub how: Vec<String>,
    /// Tips for common brands ("Netgear: ...").
    #[serde(default)]
    pub brand_hints: Vec<String>,
    /// What it looks like when done.
    pub done_when: String,
    /// How it can be confirmed.
    pub verify: VerifyKind,
    /// What porchlight probes to confirm it; present exactly when `verify` is `network`.
    #[serde(default)]
    pub check: Option<Check>,
    /// Ports that make the audit run this step's check on any device where one of them answered,
    /// whatever its kind (minus `except`): MQTT open anywhere gets the MQTT step.
    #[serde(default)]
    pub audit_when_open: Vec<u16>,
    /// The home-level step that speaks for this one: a problem found here on several devices is
    /// one household problem, said once under that step (G-09 on each gadget is RT-13's "smart
    /// devices share the network with this computer"). The per-device step stays in each
    /// device's checklist.
    #[serde(default)]
    pub household: Option<StepId>,
    /// When to look at it again.
    pub recheck: Recheck,
    /// Events that make it due again.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// The standards and guidance it comes from.
    pub standards: Vec<String>,
    /// Pages with more help.
    pub links: Vec<Link>,
}

impl Step {
    /// True when the step is meant for devices of `category`.
    pub fn applies(&self, category: Category) -> bool {
        let key = category.key();
        let listed = self.applies_to.iter().any(|c| c == "all" || c == key);
        listed && !self.except.iter().any(|c| c == key)
    }

    /// True when the audit runs this step on a device of `category` with `port` open: the step is
    /// for its kind, or names the port in `audit_when_open` (and does not leave the kind out).
    pub fn audited_for(&self, category: Category, open: &[u16]) -> bool {
        self.applies(category)
            || (open.iter().any(|p| self.audit_when_open.contains(p))
                && !self.except.iter().any(|c| c == category.key()))
    }
}

/// A problem with the catalog asset, naming the step and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The TOML itself did not parse.
    #[error("the checklist asset does not parse: {0}")]
    Parse(String),
    /// A step failed validation.
    #[error("checklist step {step}: {problem}")]
    Invalid {
        /// The step's id (or its position when the id is missing).
        step: String,
        /// What is wrong.
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    step: Vec<Step>,
}

/// All hardening steps, validated.
#[derive(Debug, Clone)]
pub struct Catalog {
    steps: Vec<Step>,
    /// For each category (in [`Category::ALL`] order), the positions of its steps.
    by_category: Vec<Vec<usize>>,
}

impl Catalog {
    /// Loads the checklist compiled into porchlight.
    ///
    /// # Errors
    /// A [`CatalogError`] when the asset is broken (the tests keep that from shipping).
    pub fn builtin() -> Result<Self, CatalogError> {
        Self::from_toml(CHECKLIST_TOML)
    }

    /// Parses and validates a checklist written as TOML.
    ///
    /// # Errors
    /// [`CatalogError::Parse`] for bad TOML, unknown keys or an unknown check kind,
    /// [`CatalogError::Invalid`] for the first step with an empty field, an unknown category, a bad
    /// link, a duplicate id, a network step without a check (or an owner step with one), or a
    /// check with bad parameters.
    pub fn from_toml(text: &str) -> Result<Self, CatalogError> {
        let file: CatalogFile =
            toml::from_str(text).map_err(|e| CatalogError::Parse(e.message().to_string()))?;
        let steps = file.step;
        let by_category = Category::ALL
            .iter()
            .map(|c| (0..steps.len()).filter(|i| steps[*i].applies(*c)).collect())
            .collect();
        let catalog = Catalog { steps, by_category };
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let mut seen = HashSet::new();
        for (n, step) in self.steps.iter().enumerate() {
            let name = if step.id.as_str().trim().is_empty() {
                format!("#{}", n + 1)
            } else {
                step.id.to_string()
            };
            let fail = |problem: String| CatalogError::Invalid {
                step: name.clone(),
                problem,
            };
            if step.id.as_str().trim().is_empty() {
                return Err(fail("the id is empty".into()));
            }
            if !seen.insert(step.id.clone()) {
                return Err(fail("the id is used twice".into()));
            }
            for (field, value) in [
                ("title", &step.title),
                ("why", &step.why),
                ("done_when", &step.done_when),
            ] {
                if value.trim().is_empty() {
                    return Err(fail(format!("`{field}` is empty")));
                }
            }
            for (field, list) in [
                ("applies_to", step.applies_to.len()),
                ("threats", step.threats.len()),
                ("how", step.how.len()),
                ("standards", step.standards.len()),
                ("links", step.links.len()),
            ] {
                if list == 0 {
                    return Err(fail(format!("`{field}` is empty")));
                }
            }
            let texts = step
                .how
                .iter()
                .chain(&step.standards)
                .chain(&step.brand_hints);
            if texts.clone().any(|t| t.trim().is_empty()) {
                return Err(fail("a list has an empty entry".into()));
            }
            for key in step.applies_to.iter().chain(&step.except) {
                if key != "all" && key.parse::<Category>().is_err() {
                    return Err(fail(format!("unknown category `{key}`")));
                }
            }
            if !step.except.is_empty() && !step.applies_to.iter().any(|c| c == "all") {
                return Err(fail("`except` only makes sense with `all`".into()));
            }
            match (step.verify, &step.check) {
                (VerifyKind::Network, None) => {
                    return Err(fail(
                        "`verify = \"network\"` needs a `check` saying what porchlight probes"
                            .into(),
                    ));
                }
                (VerifyKind::Owner, Some(_)) => {
                    return Err(fail(
                        "a `check` only makes sense with `verify = \"network\"`".into(),
                    ));
                }
                (_, Some(check)) => {
                    check
                        .validate()
                        .map_err(|e| fail(format!("bad check: {e}")))?;
                }
                (VerifyKind::Owner, None) => {}
            }
            if !step.audit_when_open.is_empty() {
                if step.check.is_none() {
                    return Err(fail("`audit_when_open` needs a `check` to run".into()));
                }
                if step.check.as_ref().is_some_and(Check::needs_consent) {
                    return Err(fail(
                        "`audit_when_open` cannot name a check that tries logins".into(),
                    ));
                }
                let mut ports = step.audit_when_open.clone();
                ports.sort_unstable();
                if ports.contains(&0) || ports.windows(2).any(|w| w[0] == w[1]) {
                    return Err(fail(
                        "`audit_when_open` names port 0 or a port twice".into(),
                    ));
                }
            }
            if let Some(home) = &step.household
                && (home == &step.id || !self.steps.iter().any(|s| &s.id == home))
            {
                return Err(fail(format!(
                    "`household` names {home}, which is not another step"
                )));
            }
            for link in &step.links {
                if link.title.trim().is_empty() {
                    return Err(fail("a link has no title".into()));
                }
                if !link.url.starts_with("https://") || link.url.len() <= "https://".len() {
                    return Err(fail(format!("link {:?} is not an https address", link.url)));
                }
            }
        }
        Ok(())
    }

    /// Every step, in catalog order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The step with this id.
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.steps.iter().find(|s| &s.id == id)
    }

    /// The step a problem with `id` is listed under: its household step when it has one (G-09 is
    /// said once, as RT-13), else itself.
    pub fn listed_under<'a>(&'a self, id: &'a StepId) -> &'a StepId {
        self.step(id)
            .and_then(|s| s.household.as_ref())
            .unwrap_or(id)
    }

    /// The steps of one device, in catalog order: those of its kind, those the audit runs on it
    /// because a port they name answered there (telnet open on a TV gets the telnet step), and
    /// any step it has a finding for. The wizard, the reports, the progress counts and the device
    /// listings all go by this one list.
    pub fn steps_of(&self, device: &Device) -> Vec<&Step> {
        let kind = device.category();
        let open: Vec<u16> = device.open_ports.iter().map(|p| p.port).collect();
        self.steps
            .iter()
            .filter(|step| {
                step.applies(kind)
                    || (step.audited_for(kind, &open)
                        && step.check.as_ref().is_some_and(|c| !c.is_informative()))
                    || device.findings.contains_key(&step.id)
            })
            .collect()
    }

    /// The steps for devices of `category`, in catalog order.
    pub fn steps_for(&self, category: Category) -> impl Iterator<Item = &Step> {
        let at = Category::ALL
            .iter()
            .position(|c| *c == category)
            .unwrap_or(0);
        self.by_category
            .get(at)
            .into_iter()
            .flatten()
            .filter_map(|i| self.steps.get(*i))
    }

    /// How far along a device is.
    pub fn progress(&self, device: &Device, now: jiff::Timestamp) -> Progress {
        use crate::standing::{StepStatus, step_status};
        let mut p = Progress::default();
        for step in self.steps_of(device) {
            p.total += 1;
            match step_status(device, &step.id, now) {
                StepStatus::Settled => p.settled += 1,
                StepStatus::Postponed => p.postponed += 1,
                StepStatus::NotStarted => p.not_started += 1,
                StepStatus::Open => {}
            }
            if device.step_state(&step.id) == StepState::Failed {
                p.failed += 1;
            }
        }
        p
    }
}

/// Counts of a device's steps at a moment, by [`crate::standing::StepStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Steps that apply.
    pub total: usize,
    /// Steps done, verified, not applicable or accepted.
    pub settled: usize,
    /// Steps put off until later (not settled, not open).
    pub postponed: usize,
    /// Steps never touched (part of the open ones).
    pub not_started: usize,
    /// Steps whose check failed (open or postponed).
    pub failed: usize,
}

impl Progress {
    /// Steps that need the owner now: not settled and not put off (never started ones included).
    pub fn open(&self) -> usize {
        self.total - self.settled - self.postponed
    }

    /// The device's standing in two or three words, for listings.
    pub fn status(&self) -> &'static str {
        if self.failed > 0 {
            "check failed"
        } else if self.total > 0 && self.settled == self.total {
            "all settled"
        } else if self.open() == 0 {
            "put off"
        } else if self.not_started == self.total {
            "not started"
        } else {
            "under way"
        }
    }

    /// The traffic light for the device.
    pub fn light(&self) -> Light {
        if self.failed > 0 {
            Light::Red
        } else if self.total > 0 && self.settled == self.total {
            Light::Green
        } else if self.settled == 0 {
            Light::Red
        } else {
            Light::Amber
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.settled, self.total)
    }
}

/// A device's overall status at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// Nothing done yet, or a check failed.
    Red,
    /// Under way.
    Amber,
    /// Every step settled.
    Green,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[step]]
id = "X-01"
title = "Turn off telnet"
applies_to = ["all"]
except = ["router"]
threats = ["botnet"]
why = "Telnet sends passwords in the clear."
how = ["Open the admin page.", "Switch telnet off."]
done_when = "Port 23 no longer answers."
verify = "network"
check = { kind = "ports-closed", ports = [23, 2323] }
recheck = "every-scan"
standards = ["ETSI EN 303 645 5.6-1"]
links = [{ title = "CISA", url = "https://www.cisa.gov/" }]
"#;

    #[test]
    fn a_device_s_steps_are_those_of_its_kind_and_those_its_open_ports_call_for() {
        let catalog = Catalog::builtin().unwrap();
        let now: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let ip = std::net::Ipv4Addr::new(192, 168, 1, 9);
        let mut tv = Device::new(crate::model::DeviceId::Ip(ip), "TV", now);
        tv.set_detected_category(Category::Tv);
        let of_kind = catalog.steps_for(Category::Tv).count();
        assert_eq!(catalog.steps_of(&tv).len(), of_kind);
        // An MQTT broker answering on the TV brings the MQTT step to it.
        tv.open_ports.push(crate::model::OpenPort {
            port: 1883,
            service: "mqtt".into(),
            banner: None,
            tls: false,
        });
        let steps = catalog.steps_of(&tv);
        assert_eq!(steps.len(), of_kind + 1);
        assert!(steps.iter().any(|s| s.id.as_str() == "H-02"));
        // The progress counts go by the same list.
        assert_eq!(catalog.progress(&tv, now).total, of_kind + 1);
    }

    #[test]
    fn the_builtin_checklist_is_valid_and_complete() {
        let catalog = Catalog::builtin().unwrap();
        for n in 1..=18 {
            let id = StepId::new(format!("RT-{n:02}"));
            let step = catalog
                .step(&id)
                .unwrap_or_else(|| panic!("{id} is missing"));
            assert!(step.applies(Category::Router), "{id} must apply to routers");
        }
        for n in 1..=12 {
            let id = StepId::new(format!("G-{n:02}"));
            assert!(catalog.step(&id).is_some(), "{id} is missing");
        }
        for step in catalog.steps() {
            // Titles fit the checklist column of an 80-column terminal.
            assert!(
                step.title.chars().count() <= 48,
                "{}: title too long",
                step.id
            );
            assert!(
                step.how.len() >= 2,
                "{}: `how` needs at least two instructions",
                step.id
            );
        }
        // Every category gets a checklist of its own.
        for c in Category::ALL {
            assert!(
                catalog.steps_for(c).count() >= 5,
                "{c:?} has almost no steps"
            );
        }
    }

    /// Citations the review found not to fit the step (the step, and the clause it must not cite).
    const KNOWN_MISMATCHES: &[(&str, &str)] = &[
        // ETSI 5.6-4 is about physical debug ports; nothing here is.
        ("T-01", "5.6-4"),
        ("G-03", "5.6-4"),
        // CRA Annex I (2)(i) is about a product's impact on other networks, not segmentation.
        ("RT-13", "(2)(i)"),
        ("G-09", "(2)(i)"),
        // Retention is ETSI 5.11 and consent clause 6, not 5.8-3.
        ("C-03", "5.8-3"),
        // OWASP I9 (insecure defaults) says nothing about DNS being changed.
        ("RT-14", "I9"),
    ];

    /// Clauses no step may cite at all: ETSI 5.6-4 (physical debug interfaces) and CRA (2)(i).
    const NEVER_CITED: &[&str] = &["5.6-4", "(2)(i)"];

    /// Steps that can break something, and so must warn before the owner acts.
    const RISKY: &[&str] = &["RT-07", "RT-08", "RT-10", "C-01", "C-02", "G-10", "N-01"];

    /// Checks whose evidence is only the router's UPnP mapping list.
    fn sees_only_upnp(check: &Check) -> bool {
        match check {
            Check::NotExposedViaUpnp { .. } | Check::UpnpMappings => true,
            Check::AllOf { checks } | Check::AnyOf { checks } => checks.iter().any(sees_only_upnp),
            _ => false,
        }
    }

    /// The sources a citation may come from, each with what follows it.
    fn citation_is_known(text: &str) -> Result<(), String> {
        let etsi_clause = |c: &str| -> bool {
            let c = c.trim();
            if c.starts_with("clause 6") {
                return true;
            }
            // "5.3-4", "5.3-4 to 5.3-6"
            c.split(" to ").all(|one| {
                let Some((section, provision)) = one.trim().split_once('-') else {
                    return false;
                };
                let Some(("5", n)) = section.split_once('.') else {
                    return false;
                };
                n.parse::<u8>().is_ok_and(|n| (1..=13).contains(&n))
                    && provision.parse::<u8>().is_ok_and(|p| p >= 1)
            })
        };
        if let Some(rest) = text.strip_prefix("ETSI EN 303 645 ") {
            return rest
                .split(", ")
                .all(etsi_clause)
                .then_some(())
                .ok_or(format!("unknown ETSI clause in {text:?}"));
        }
        if let Some(rest) = text.strip_prefix("OWASP IoT Top 10: ") {
            return rest
                .split(", ")
                .all(|i| {
                    i.strip_prefix('I')
                        .and_then(|n| n.split(' ').next())
                        .and_then(|n| n.parse::<u8>().ok())
                        .is_some_and(|n| (1..=10).contains(&n))
                })
                .then_some(())
                .ok_or(format!("unknown OWASP item in {text:?}"));
        }
        if let Some(rest) = text.strip_prefix("EU CRA Annex I ") {
            return rest
                .split(", ")
                .all(|c| {
                    c.strip_prefix("(2)(")
                        .and_then(|c| c.strip_suffix(')'))
                        .is_some_and(|l| l.len() == 1 && ("a"..="m").contains(&l))
                })
                .then_some(())
                .ok_or(format!("unknown CRA point in {text:?}"));
        }
        const OTHERS: &[&str] = &[
            "EU CRA Art. 13(8)",
            "UK PSTI Sch. 1 para ",
            "California SB-327",
            "NIST IR 8425: ",
            "NSA home network guidance (2023)",
            "FTC: ",
            "OWASP ISVS ",
            "CERT VU#723755",
            "CISA TA16-288A",
            "UK Electric Vehicles (Smart Charge Points) Regulations 2021",
        ];
        OTHERS
            .iter()
            .any(|p| text.starts_with(p))
            .then_some(())
            .ok_or(format!("unknown source {text:?}"))
    }

    #[test]
    fn every_step_explains_itself_and_cites_known_sources() {
        let catalog = Catalog::builtin().unwrap();
        for step in catalog.steps() {
            let id = step.id.as_str();
            assert!(step.why.trim().len() >= 80, "{id}: `why` is too thin");
            assert!(!step.done_when.trim().is_empty(), "{id}: no done_when");
            assert!(!step.standards.is_empty(), "{id}: no standards");
            for citation in &step.standards {
                if let Err(problem) = citation_is_known(citation) {
                    panic!("{id}: {problem}");
                }
                for clause in NEVER_CITED {
                    assert!(!citation.contains(clause), "{id} cites {clause}");
                }
            }
            for (bad_id, clause) in KNOWN_MISMATCHES {
                if id == *bad_id {
                    assert!(
                        !step.standards.iter().any(|c| c.contains(clause)),
                        "{id} still cites {clause}"
                    );
                }
            }
        }
        // Clauses the review found missing.
        let p01 = catalog.step(&StepId::new("P-01")).unwrap();
        assert!(p01.standards.iter().any(|c| c.contains("5.5-5")), "P-01");
    }

    #[test]
    fn the_citation_checker_refuses_what_it_should() {
        assert!(citation_is_known("ETSI EN 303 645 5.1-1, 5.5-5").is_ok());
        assert!(citation_is_known("ETSI EN 303 645 5.3-4 to 5.3-6").is_ok());
        assert!(citation_is_known("ETSI EN 303 645 clause 6 (data protection)").is_ok());
        assert!(citation_is_known("ETSI EN 303 645 5.14-1").is_err());
        assert!(citation_is_known("ETSI EN 303 645 6.1").is_err());
        assert!(citation_is_known("OWASP IoT Top 10: I1, I9").is_ok());
        assert!(citation_is_known("OWASP IoT Top 10: I11").is_err());
        assert!(citation_is_known("EU CRA Annex I (2)(b), (2)(j)").is_ok());
        assert!(citation_is_known("EU CRA Annex I (2)(z)").is_err());
        assert!(citation_is_known("Some blog").is_err());
    }

    #[test]
    fn risky_steps_warn_before_the_owner_acts() {
        let catalog = Catalog::builtin().unwrap();
        for id in RISKY {
            let step = catalog.step(&StepId::new(*id)).unwrap();
            assert!(
                step.how[0].starts_with("Before you start:"),
                "{id}: the warning must be the first instruction"
            );
        }
        // A warning is only ever the first instruction.
        for step in catalog.steps() {
            for line in step.how.iter().skip(1) {
                assert!(!line.starts_with("Before you start:"), "{}", step.id);
            }
        }
        let text = |id: &str| {
            let s = catalog.step(&StepId::new(id)).unwrap();
            format!("{} {}", s.why, s.how.join(" "))
        };
        // What can break is named.
        for (id, words) in [
            ("RT-08", &["drops off", "factory reset"][..]),
            ("RT-10", &["factory reset"][..]),
            ("RT-07", &["WPA3", "PMF", "transition"][..]),
            (
                "C-02",
                &["Ring", "Arlo", "Wyze", "eufy", "Blink", "Tapo", "useless"][..],
            ),
            (
                "G-10",
                &["Ring", "Arlo", "Wyze", "eufy", "Blink", "Tapo"][..],
            ),
            ("C-01", &["NVR", "Home Assistant"][..]),
            ("N-01", &["scanners"][..]),
        ] {
            for word in words {
                assert!(text(id).contains(word), "{id} does not mention {word}");
            }
        }
        // Certificate warnings are never taught to be clicked through.
        for step in catalog.steps() {
            let all = format!("{} {}", step.why, step.how.join(" ")).to_lowercase();
            assert!(!all.contains("warning is normal"), "{}", step.id);
        }
    }

    #[test]
    fn done_when_claims_no_more_than_the_check_sees() {
        let catalog = Catalog::builtin().unwrap();
        for step in catalog.steps() {
            let done = &step.done_when;
            if step.check.as_ref().is_some_and(sees_only_upnp) {
                assert!(
                    done.contains("UPnP"),
                    "{}: say that only UPnP mappings are seen",
                    step.id
                );
                assert!(
                    !done.starts_with("No port forward"),
                    "{}: manual forwards are invisible to porchlight",
                    step.id
                );
            }
            if matches!(step.check, Some(Check::DefaultCredentials)) {
                assert!(
                    done.contains("porchlight tried"),
                    "{}: say the check tries only some logins",
                    step.id
                );
            }
        }
    }

    #[test]
    fn facts_the_review_corrected_stay_corrected() {
        let catalog = Catalog::builtin().unwrap();
        let all: String = catalog
            .steps()
            .iter()
            .map(|s| format!("{} {} {}\n", s.why, s.how.join(" "), s.done_when))
            .collect();
        assert!(!all.contains("72,000"), "the 2019 figure is 72,341");
        assert!(all.contains("72,341 Chromecasts, Google Home speakers and smart TVs"));
        let rt17 = catalog.step(&StepId::new("RT-17")).unwrap();
        assert!(
            !rt17.why.contains("clears out such intruders"),
            "{}",
            rt17.why
        );
        assert!(rt17.why.contains("survived reboots"), "{}", rt17.why);
        let t01 = catalog.step(&StepId::new("T-01")).unwrap();
        assert!(t01.why.contains("ask on the screen"), "{}", t01.why);
        // Jargon is explained the first time a step uses it.
        for (term, explained) in [
            ("RTSP", "RTSP (the streaming"),
            ("MQTT", "MQTT is the message service"),
            ("TR-069", "TR-069 is the remote-management link"),
            ("DMZ", "DMZ host (named after"),
            ("SPI", "SPI firewall, for stateful packet inspection"),
        ] {
            let first = catalog
                .steps()
                .iter()
                .find(|s| format!("{} {}", s.why, s.how.join(" ")).contains(term))
                .unwrap();
            let text = format!("{} {}", first.why, first.how.join(" "));
            assert!(
                text.contains(explained),
                "{term} is first used in {} without being explained",
                first.id
            );
        }
    }

    #[test]
    fn every_kind_has_its_own_steps() {
        let catalog = Catalog::builtin().unwrap();
        // Steps written for one kind (not only the steps for every device).
        for (category, prefix) in [
            (Category::Lock, "L-"),
            (Category::Energy, "E-"),
            (Category::BabyMonitor, "B-"),
            (Category::Computer, "PH-"),
        ] {
            let own = catalog
                .steps_for(category)
                .filter(|s| s.id.as_str().starts_with(prefix))
                .count();
            assert!(own >= 2, "{category:?} has {own} steps of its own");
        }
        for id in [
            "P-03", "P-04", "P-05", "N-05", "N-06", "N-07", "S-02", "S-03",
        ] {
            assert!(catalog.step(&StepId::new(id)).is_some(), "{id} is missing");
        }
        // The MQTT step says it is only for hubs that run a broker.
        let h02 = catalog.step(&StepId::new("H-02")).unwrap();
        assert!(h02.how[0].contains("Hue bridges"), "{}", h02.how[0]);
    }

    /// The number in bold right before `after` in the README ("**66 steps**").
    fn bold_number(readme: &str, after: &str) -> usize {
        let at = readme
            .find(&format!(" {after}**"))
            .unwrap_or_else(|| panic!("the README has no **N {after}**"));
        let start = readme[..at].rfind("**").unwrap() + 2;
        readme[start..at].parse().unwrap()
    }

    #[test]
    fn readme_gives_the_catalog_counts() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let catalog = Catalog::builtin().unwrap();
        let steps = catalog.steps().len();
        let network = catalog
            .steps()
            .iter()
            .filter(|s| s.verify == VerifyKind::Network)
            .count();
        let kinds = Category::ALL
            .iter()
            .filter(|c| **c != Category::Unknown)
            .count();
        let share = network * 100 / steps;
        let share = if network * 100 % steps * 2 >= steps {
            share + 1
        } else {
            share
        };
        assert_eq!(bold_number(&readme, "steps"), steps, "README step count");
        assert_eq!(
            bold_number(&readme, "kinds of device"),
            kinds,
            "README kind count"
        );
        let line = format!("**{network} of the {steps} ({share}%)**");
        assert!(readme.contains(&line), "the README should say {line}");
        assert!(
            readme.contains(&format!("{network} of the steps have a network check")),
            "the README's feature list should say {network}"
        );
        assert!(
            readme.contains(&format!("`assets/checklist.toml`, {steps} steps")),
            "the README's feature list should say {steps} steps"
        );
    }

    #[test]
    fn steps_apply_only_to_their_categories() {
        let catalog = Catalog::from_toml(GOOD).unwrap();
        let step = &catalog.steps()[0];
        assert!(step.applies(Category::Camera));
        assert!(step.applies(Category::Unknown));
        assert!(!step.applies(Category::Router));
    }

    fn broken(find: &str, replace: &str) -> CatalogError {
        let text = GOOD.replace(find, replace);
        assert_ne!(text, GOOD, "the test did not change anything");
        Catalog::from_toml(&text).unwrap_err()
    }

    #[test]
    fn a_household_step_must_be_another_step() {
        let e = broken(
            r#"verify = "network""#,
            "verify = \"network\"\nhousehold = \"X-99\"",
        );
        assert_eq!(
            e.to_string(),
            "checklist step X-01: `household` names X-99, which is not another step"
        );
        let e = broken(
            r#"verify = "network""#,
            "verify = \"network\"\nhousehold = \"X-01\"",
        );
        assert!(e.to_string().contains("not another step"), "{e}");
        let real = Catalog::builtin().unwrap();
        assert_eq!(real.listed_under(&StepId::new("G-09")).as_str(), "RT-13");
        assert_eq!(real.listed_under(&StepId::new("G-02")).as_str(), "G-02");
    }

    #[test]
    fn a_step_with_an_empty_or_missing_field_is_refused() {
        let e = broken(
            r#"why = "Telnet sends passwords in the clear.""#,
            r#"why = "  ""#,
        );
        assert_eq!(e.to_string(), "checklist step X-01: `why` is empty");
        let e = broken(
            r#"how = ["Open the admin page.", "Switch telnet off."]"#,
            "how = []",
        );
        assert_eq!(e.to_string(), "checklist step X-01: `how` is empty");
        let e = broken(r#"done_when = "Port 23 no longer answers.""#, "");
        assert!(e.to_string().contains("done_when"), "{e}");
        let e = broken(r#"title = "Turn off telnet""#, r#"title = """#);
        assert!(e.to_string().contains("`title` is empty"), "{e}");
    }

    #[test]
    fn an_unknown_category_is_refused() {
        let e = broken(r#"except = ["router"]"#, r#"except = ["fridge"]"#);
        assert_eq!(
            e.to_string(),
            "checklist step X-01: unknown category `fridge`"
        );
    }

    #[test]
    fn a_duplicate_id_is_refused() {
        let twice = format!("{GOOD}\n{GOOD}");
        let e = Catalog::from_toml(&twice).unwrap_err();
        assert_eq!(e.to_string(), "checklist step X-01: the id is used twice");
    }

    #[test]
    fn unknown_fields_and_bad_links_are_refused() {
        let e = broken(
            "verify = \"network\"",
            "verify = \"network\"\ncolour = \"red\"",
        );
        assert!(matches!(e, CatalogError::Parse(_)), "{e}");
        let e = broken("https://www.cisa.gov/", "http://www.cisa.gov/");
        assert!(e.to_string().contains("not an https address"), "{e}");
        let e = broken("recheck = \"every-scan\"", "recheck = \"fortnightly\"");
        assert!(matches!(e, CatalogError::Parse(_)), "{e}");
    }

    #[test]
    fn network_steps_name_a_valid_check_and_owner_steps_none() {
        let catalog = Catalog::from_toml(GOOD).unwrap();
        assert_eq!(
            catalog.steps()[0].check,
            Some(Check::PortsClosed {
                ports: vec![23, 2323]
            })
        );
        let e = broken(
            "check = { kind = \"ports-closed\", ports = [23, 2323] }\n",
            "",
        );
        assert!(e.to_string().contains("needs a `check`"), "{e}");
        let e = broken("verify = \"network\"", "verify = \"owner\"");
        assert!(e.to_string().contains("only makes sense"), "{e}");
        let e = broken("ports = [23, 2323]", "ports = []");
        assert_eq!(
            e.to_string(),
            "checklist step X-01: bad check: `ports-closed` needs at least one port"
        );
        let e = broken("ports = [23, 2323]", "ports = [23, 23]");
        assert!(e.to_string().contains("twice"), "{e}");
        let e = broken("kind = \"ports-closed\"", "kind = \"port-closed\"");
        assert!(matches!(e, CatalogError::Parse(_)), "{e}");
        let e = broken("ports = [23, 2323] }", "ports = [23, 2323], colour = 1 }");
        assert!(matches!(e, CatalogError::Parse(_)), "{e}");
        let e = broken(
            "check = { kind = \"ports-closed\", ports = [23, 2323] }",
            "check = { kind = \"router-uptime\", max_days = 0 }",
        );
        assert!(e.to_string().contains("max_days"), "{e}");
    }

    #[test]
    fn audit_ports_are_validated_and_apply_by_evidence() {
        let catalog = Catalog::from_toml(&GOOD.replace(
            "recheck = \"every-scan\"",
            "audit_when_open = [23]\nrecheck = \"every-scan\"",
        ))
        .unwrap();
        let step = &catalog.steps()[0];
        assert!(step.audited_for(Category::Camera, &[]), "by kind");
        assert!(!step.audited_for(Category::Router, &[23]), "except wins");
        let only_hubs = GOOD
            .replace("applies_to = [\"all\"]", "applies_to = [\"hub\"]")
            .replace("except = [\"router\"]\n", "")
            .replace(
                "recheck = \"every-scan\"",
                "audit_when_open = [23]\nrecheck = \"every-scan\"",
            );
        let catalog = Catalog::from_toml(&only_hubs).unwrap();
        let step = &catalog.steps()[0];
        assert!(step.audited_for(Category::Tv, &[80, 23]), "by evidence");
        assert!(!step.audited_for(Category::Tv, &[80]));
        for bad in ["[0]", "[23, 23]"] {
            let e = broken(
                "recheck = \"every-scan\"",
                &format!("audit_when_open = {bad}\nrecheck = \"every-scan\""),
            );
            assert!(e.to_string().contains("audit_when_open"), "{e}");
        }
        let e = broken(
            "check = { kind = \"ports-closed\", ports = [23, 2323] }",
            "check = { kind = \"default-credentials\" }\naudit_when_open = [23]",
        );
        assert!(e.to_string().contains("tries logins"), "{e}");
        // The shipped checklist: MQTT, RTSP and telnet anywhere get their step.
        let builtin = Catalog::builtin().unwrap();
        let when = |id: &str| {
            builtin
                .step(&StepId::new(id))
                .unwrap()
                .audit_when_open
                .clone()
        };
        assert!(when("H-02").contains(&1883));
        assert!(when("C-01").contains(&554));
        assert!(when("G-02").contains(&23));
    }

    #[test]
    fn the_builtin_checks_match_the_steps() {
        let catalog = Catalog::builtin().unwrap();
        let check = |id: &str| catalog.step(&StepId::new(id)).unwrap().check.clone();
        let network = catalog
            .steps()
            .iter()
            .filter(|s| s.verify == VerifyKind::Network)
            .count();
        assert!(
            network >= 25,
            "only {network} steps are checked over the network"
        );
        assert_eq!(
            check("G-02"),
            Some(Check::PortsClosed {
                ports: vec![23, 2323]
            })
        );
        assert_eq!(check("H-02"), Some(Check::MqttAuth));
        assert_eq!(check("C-01"), Some(Check::RtspAuth));
        assert_eq!(check("RT-05"), Some(Check::UpnpIgdOff));
        assert_eq!(
            check("G-05"),
            Some(Check::NotExposedViaUpnp { ports: None })
        );
        assert_eq!(check("RT-01"), Some(Check::DefaultCredentials));
        assert_eq!(check("RT-11"), Some(Check::FirmwareSeen));
        // Steps nothing on the network can prove are the owner's to confirm.
        for id in ["RT-02", "RT-07", "RT-08", "RT-14", "N-03"] {
            let step = catalog.step(&StepId::new(id)).unwrap();
            assert_eq!(step.verify, VerifyKind::Owner, "{id}");
            assert_eq!(step.check, None, "{id}");
        }
        // Only the credential check ever logs in.
        for step in catalog.steps() {
            if let Some(c) = &step.check {
                assert_eq!(
                    c.needs_consent(),
                    matches!(c, Check::DefaultCredentials),
                    "{}",
                    step.id
                );
            }
        }
    }
}
