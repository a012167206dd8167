//! The report as Markdown (CommonMark with GitHub tables): a summary, what is due, the devices at a
//! glance, the accepted risks, then a heading per device with a table per checklist.
//!
//! Every value is escaped with [`md`]: punctuation that Markdown would act on gets a backslash (so a
//! device named `<script>` stays text even in renderers that pass HTML through), a pipe cannot end a
//! table cell, and line breaks and control characters become spaces.

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use super::words::{
    address_words, biggest_gain, date, date_time, due_words, flag_words, hardware_words,
    identity_words, points_words, score_words, since_words, weaker_signals, why_mark,
};
use super::{DeviceReport, Report, StepReport, StepStatus};

/// Escapes `s` for Markdown text and table cells.
pub(super) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A link to the step's first help page when the step is open, else its title.
fn step_title(step: &StepReport) -> String {
    let title = md(&step.title);
    match step.help.first() {
        Some(link) if step.state.is_open() => format!("[{title}]({})", link.url),
        _ => title,
    }
}

/// The state cell: a mark, the words, and the owner's reason or note.
fn state_cell(step: &StepReport) -> String {
    let mut out = format!("{} {}", step.state.mark(), step.state_label());
    if step.state == StepStatus::Failed {
        out = format!("**{out}**");
    }
    if let Some(reason) = &step.reason {
        out.push_str(&format!(": “{}”", md(reason)));
    }
    if let Some(part) = &step.unconfirmed {
        out.push_str(&format!(" (you confirm {})", md(part)));
    }
    if let Some(why) = &step.cannot_check {
        out.push_str(&format!(" (cannot check: {})", md(why)));
    }
    if let Some(note) = &step.note {
        out.push_str(&format!(" (note: {})", md(note)));
    }
    out
}

/// Renders `report` with dates in `tz`.
pub(super) fn render(report: &Report, tz: &TimeZone) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, report, tz);
    out
}

fn write_report(out: &mut String, r: &Report, tz: &TimeZone) -> std::fmt::Result {
    let s = &r.summary;
    writeln!(out, "# {}", md(&r.title))?;
    writeln!(out)?;
    writeln!(
        out,
        "Generated {} ({}).",
        date_time(r.generated_at, tz),
        md(&r.time_zone)
    )?;
    writeln!(out)?;
    for sentence in &r.household {
        writeln!(out, "> {}", md(sentence))?;
        writeln!(out, ">")?;
    }
    if !r.household.is_empty() {
        // The quote's last line is its last sentence, not an empty one.
        out.truncate(out.len() - ">\n".len());
        writeln!(out)?;
    }
    writeln!(out, "## Found problems")?;
    writeln!(out)?;
    if r.found_problems.is_empty() {
        writeln!(
            out,
            "The last scan's audit found no problem (or no scan has run yet)."
        )?;
    } else {
        writeln!(out, "| # | Device | Step | Problem | Evidence |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for (n, p) in r.found_problems.iter().enumerate() {
            let device = match p.ip {
                Some(ip) => format!("{} ({ip})", md(&p.device_name)),
                None => md(&p.device_name),
            };
            writeln!(
                out,
                "| {} | {device} | {} | {} | {} |",
                n + 1,
                md(&p.step),
                md(&p.problem),
                md(&p.evidence)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "## Summary")?;
    writeln!(out)?;
    writeln!(out, "**Home score: {}/100**", s.home_score)?;
    writeln!(out)?;
    writeln!(out, "- Devices: {}", s.devices)?;
    writeln!(out, "- Fully hardened: {}", s.fully_hardened)?;
    writeln!(out, "- Failed checks: {}", s.failed_checks)?;
    writeln!(out, "- New devices: {}", s.new_devices)?;
    writeln!(out, "- Offline: {}", s.offline_devices)?;
    writeln!(out, "- Steps not started: {}", s.steps_not_started)?;
    writeln!(out, "- Due now: {}", s.due_now)?;
    writeln!(out)?;
    write_progress(out, r, tz)?;

    writeln!(out, "## What is due")?;
    writeln!(out)?;
    if r.due.is_empty() {
        writeln!(out, "Nothing is due.")?;
    } else {
        writeln!(out, "| # | Device | Step | What | Why | Due |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for (n, item) in r.due.iter().enumerate() {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} {} | {} |",
                n + 1,
                md(&item.device_name),
                item.step.as_deref().map(md).unwrap_or_else(|| "—".into()),
                md(&item.title),
                why_mark(item.why),
                item.why.label(),
                since_words(item.due, r.generated_at, tz)
            )?;
        }
    }
    if s.steps_not_started > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{} steps have not been started yet: they are in each device's checklist below.",
            s.steps_not_started
        )?;
    }
    writeln!(out)?;

    writeln!(out, "## Devices at a glance")?;
    writeln!(out)?;
    if r.devices.is_empty() {
        writeln!(out, "No devices yet: run a scan first.")?;
    } else {
        writeln!(out, "| Score | Device | Kind | Settled | Failed | Notes |")?;
        writeln!(out, "|---:|---|---|---:|---:|---|")?;
        for d in &r.devices {
            writeln!(
                out,
                "| {} | {} | {} | {}/{} | {} | {} |",
                d.score.value,
                md(&d.name),
                d.category.label(),
                d.score.settled,
                d.score.total,
                d.score.failed,
                flag_words(d).join(", ")
            )?;
        }
    }
    writeln!(out)?;

    writeln!(out, "## Accepted risks")?;
    writeln!(out)?;
    if r.accepted_risks.is_empty() {
        writeln!(out, "None: no risk has been accepted.")?;
    } else {
        writeln!(out, "| Device | Step | Reason | Accepted | Look again |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for a in &r.accepted_risks {
            writeln!(
                out,
                "| {} | {} {} | {} | {} | {} |",
                md(&a.device_name),
                md(&a.step),
                md(&a.title),
                md(&a.reason),
                date(a.accepted_at, tz),
                a.look_again
                    .map(|t| since_words(t, r.generated_at, tz))
                    .unwrap_or_else(|| "when something changes".into())
            )?;
        }
    }
    writeln!(out)?;

    writeln!(out, "## Devices")?;
    if !r.devices.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Weakest first. In each checklist, Points is what doing an open step would add to the device's score."
        )?;
    }
    for d in &r.devices {
        writeln!(out)?;
        write_device(out, d, tz)?;
    }
    Ok(())
}

/// How many of the latest history points the Markdown table shows.
const PROGRESS_ROWS: usize = 12;

/// The home's progress as a small table: the latest [`PROGRESS_ROWS`] points, oldest first.
fn write_progress(out: &mut String, r: &Report, tz: &TimeZone) -> std::fmt::Result {
    if r.history.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Progress over time")?;
    writeln!(out)?;
    let start = r.history.len().saturating_sub(PROGRESS_ROWS);
    if start > 0 {
        writeln!(
            out,
            "The latest {PROGRESS_ROWS} of {} scans kept.",
            r.history.len()
        )?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "| When | Score | Problems found | Steps open | Devices |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for p in &r.history[start..] {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            date_time(p.at, tz),
            p.score,
            p.problems,
            p.steps_open,
            p.devices
        )?;
    }
    writeln!(out)
}

fn write_device(out: &mut String, d: &DeviceReport, tz: &TimeZone) -> std::fmt::Result {
    writeln!(out, "### {}", md(&d.name))?;
    writeln!(out)?;
    writeln!(
        out,
        "- Score: **{}/100**: {}",
        d.score.value,
        score_words(&d.score)
    )?;
    if let Some(best) = biggest_gain(d) {
        writeln!(
            out,
            "- Biggest gain: {} {} ({} points)",
            md(&best.id),
            md(&best.title),
            best.points.map(points_words).unwrap_or_default()
        )?;
    }
    writeln!(out, "- Kind: {}", d.category.label())?;
    writeln!(out, "- Hardware: {}", md(&hardware_words(d)))?;
    writeln!(out, "- Address: {}", md(&address_words(d)))?;
    let flags = flag_words(d);
    if !flags.is_empty() {
        writeln!(out, "- Status: {}", flags.join(", "))?;
    }
    writeln!(
        out,
        "- Seen: first {}, last {}",
        date(d.first_seen, tz),
        date(d.last_seen, tz)
    )?;
    if let Some(id) = &d.identification {
        writeln!(out, "- Identification: {}", md(&identity_words(id)))?;
        for e in &id.evidence {
            writeln!(
                out,
                "  - {} → {} ({} points)",
                md(&e.signal),
                md(&e.conclusion),
                e.weight
            )?;
        }
        if id.more_evidence > 0 {
            writeln!(out, "  - {}", weaker_signals(id.more_evidence))?;
        }
    }
    writeln!(out)?;

    writeln!(out, "#### Found on the network")?;
    writeln!(out)?;
    if d.open_ports.is_empty() && d.services.is_empty() {
        writeln!(out, "No open ports or announced services.")?;
        writeln!(out)?;
    }
    if !d.open_ports.is_empty() {
        writeln!(out, "| Port | Service | TLS | First words |")?;
        writeln!(out, "|---:|---|---|---|")?;
        for p in &d.open_ports {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                p.port,
                md(&p.service),
                if p.tls { "yes" } else { "no" },
                p.banner.as_deref().map(md).unwrap_or_default()
            )?;
        }
        writeln!(out)?;
    }
    if !d.services.is_empty() {
        writeln!(out, "| Announced via | Type | Name | Port |")?;
        writeln!(out, "|---|---|---|---:|")?;
        for s in &d.services {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                source_label(s.source),
                md(&s.kind),
                md(&s.name),
                s.port.map(|p| p.to_string()).unwrap_or_default()
            )?;
        }
        writeln!(out)?;
    }

    writeln!(out, "#### Checklist")?;
    writeln!(out)?;
    if d.checklist.is_empty() {
        writeln!(out, "No steps apply.")?;
        return Ok(());
    }
    writeln!(
        out,
        "| Step | State | Set | Next due | Points | Standards |"
    )?;
    writeln!(out, "|---|---|---|---|---:|---|")?;
    for step in &d.checklist {
        writeln!(
            out,
            "| {} {} | {} | {} | {} | {} | {} |",
            md(&step.id),
            step_title(step),
            state_cell(step),
            step.set_at
                .map(|t| date(t, tz))
                .unwrap_or_else(|| "—".into()),
            md(&due_words(step, tz)),
            step.points.map(points_words).unwrap_or_default(),
            md(&step.standards.join("; "))
        )?;
    }
    Ok(())
}

fn source_label(source: crate::model::ServiceSource) -> &'static str {
    match source {
        crate::model::ServiceSource::Mdns => "mDNS",
        crate::model::ServiceSource::Upnp => "UPnP",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_specials_pipes_and_line_breaks_are_neutralised() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(md("one\ntwo\r\tthree"), "one two  three");
        assert_eq!(md("*[x](y)*"), "\\*\\[x\\](y)\\*");
        assert_eq!(
            md("&amp; `c` ~s~ _i_ \\"),
            "\\&amp; \\`c\\` \\~s\\~ \\_i\\_ \\\\"
        );
        assert_eq!(md("Living-room TV (55)"), "Living-room TV (55)");
    }
}
