//! Building the report: every device, due step, accepted risk and finding gathered once from the
//! inventory, the catalog and the fingerprints into the [`Report`] value the formats render.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{
    AcceptedRisk, DeviceReport, DeviceScore, DueItem, EVIDENCE_SHOWN, EvidenceLine, FORMAT_VERSION,
    HelpLink, Identification, PortFinding, Report, ReportInput, ServiceFinding, StepReport,
    StepStatus, Summary, problems, text,
};
use crate::catalog::{Catalog, Step};
use crate::identify::{Fingerprints, identify};
use crate::model::{Device, Inventory, StepState};
use crate::reminders::{DueContext, due, not_started, reminders};
use crate::score::device_score;

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
        household: crate::session::trend::household(catalog, inventory, *now, tz)
            .into_iter()
            .map(|s| text(&s))
            .collect(),
        history: inventory.history.clone(),
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
        .steps_of(d)
        .into_iter()
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

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
