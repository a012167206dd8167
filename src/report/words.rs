//! The phrases the Markdown and HTML reports share: dates in the owner's zone, what a device is
//! and how it is reached, its score and the step worth most, and the marks for why something is due.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{DeviceReport, DeviceScore, Identification, StepReport, StepStatus};
use crate::model::Category;
use crate::reminders::Why;

/// A date in the owner's zone (`2026-11-25`).
pub(super) fn date(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).date().to_string()
}

/// A date and time in the owner's zone (`2026-11-25 12:00`).
pub(super) fn date_time(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    format!("{} {:02}:{:02}", z.date(), z.hour(), z.minute())
}

/// "Next due" in words: "now", "since 2026-11-20: came undone", "2027-01-05", "on every scan", "—".
pub(super) fn due_words(step: &StepReport, tz: &TimeZone) -> String {
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
pub(super) fn since_words(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    if at <= now {
        format!("since {}", date(at, tz))
    } else {
        date(at, tz)
    }
}

/// The maker, model and firmware in one line ("Hikvision DS-2CD2043G2-I, firmware V5.7.3").
pub(super) fn hardware_words(d: &DeviceReport) -> String {
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
pub(super) fn address_words(d: &DeviceReport) -> String {
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
pub(super) fn flag_words(d: &DeviceReport) -> Vec<&'static str> {
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
pub(super) fn identity_words(id: &Identification) -> String {
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
pub(super) fn score_words(s: &DeviceScore) -> String {
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
pub(super) fn biggest_gain(d: &DeviceReport) -> Option<&StepReport> {
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
pub(super) fn why_mark(why: Why) -> &'static str {
    match why {
        Why::Problem => "!",
        Why::Regression => "✗",
        Why::NewDevice => "+",
        _ => "↻",
    }
}

/// "1 weaker signal", "3 weaker signals".
pub(super) fn weaker_signals(n: usize) -> String {
    if n == 1 {
        "and 1 weaker signal".to_string()
    } else {
        format!("and {n} weaker signals")
    }
}

/// A category's label inside a sentence ("a camera", "a NAS", "a TV").
pub(super) fn kind_in_sentence(category: Category) -> String {
    let label = category.label();
    if label.chars().all(|c| !c.is_lowercase()) {
        label.to_string()
    } else {
        label.to_lowercase()
    }
}

/// A points value for people ("+12").
pub(super) fn points_words(p: f64) -> String {
    format!("+{p:.0}")
}
