//! The report as one self-contained HTML page: inline CSS, no scripts, no fonts, images or styles
//! loaded from anywhere, so it can be mailed, archived or opened offline. Light and calm on screen,
//! and made for paper too: meaning never depends on a background colour (every state has a mark
//! and a word), a device is kept on one page where it fits, and help links print their address.
//!
//! Every value goes through [`h`], which escapes `& < > " '` and turns control characters into
//! spaces; links are made only from the catalog's plain https addresses.

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use crate::reminders::Why;

use super::words::{
    address_words, biggest_gain, date, date_time, due_words, flag_words, hardware_words,
    identity_words, points_words, score_words, since_words, weaker_signals, why_mark,
};
use super::{DeviceReport, Report, StepReport, StepStatus};

/// The page's style sheet. Kept stable: the tests snapshot the page.
const CSS: &str = r#"
:root {
  color-scheme: light;
  --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --paper: #ffffff; --page: #f6f8fa;
  --accent: #0b5cad;
  --green: #116329; --green-bg: #dafbe1; --red: #b3261e; --red-bg: #ffebe9;
  --amber: #7d4e00; --amber-bg: #fff4d4; --grey: #4b535d; --grey-bg: #eef1f4;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 62rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 .75rem; }
h3 { font-size: 1.2rem; margin: 0; display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; }
h4 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 1.4rem 0 .4rem; }
p { margin: .4rem 0; }
a { color: var(--accent); }
.meta, .hint { color: var(--muted); font-size: .9rem; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem 1.5rem; }
.summary { display: flex; flex-wrap: wrap; gap: 1.5rem 2.5rem; align-items: center; margin-top: 1.25rem; }
.home { display: flex; align-items: center; gap: .9rem; }
.home .badge { font-size: 2.2rem; min-width: 4.2rem; padding: .2rem .7rem; }
.home span.label { font-weight: 600; }
.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .6rem 1.5rem; margin: 0; flex: 1; }
.counts div { margin: 0; }
.counts dt { color: var(--muted); font-size: .85rem; }
.counts dd { margin: 0; font-size: 1.35rem; font-weight: 650; }
.badge {
  display: inline-block; min-width: 3rem; text-align: center; border-radius: 999px;
  padding: .05rem .6rem; font-weight: 700; border: 2px solid currentColor; font-variant-numeric: tabular-nums;
}
.score-good { color: var(--green); background: var(--green-bg); }
.score-fair { color: var(--amber); background: var(--amber-bg); }
.score-low { color: var(--red); background: var(--red-bg); }
.flag { font-size: .8rem; font-weight: 600; border: 1px solid currentColor; border-radius: 4px; padding: 0 .4rem; color: var(--muted); }
.flag.new { color: var(--amber); }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .55rem; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; color: var(--muted); font-weight: 600; border-bottom-width: 2px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.when { white-space: nowrap; }
th, td { overflow-wrap: anywhere; }
table.problems { table-layout: fixed; }
.problems .c-n { width: 2.2rem; } .problems .c-step { width: 4.2rem; }
.problems .c-device { width: 22%; } .problems .c-problem { width: 30%; }
.problems .state { white-space: normal; }
.household { margin-top: 1rem; }
.household p { margin: .25rem 0; }
.household p:first-child { font-size: 1.1rem; font-weight: 600; }
figure.chart { margin: 1rem 0 0; }
.chart svg { display: block; max-width: 100%; height: auto; }
.state { display: inline-block; font-weight: 600; border-radius: 4px; padding: 0 .45rem; }
.state-done, .state-verified { color: var(--green); background: var(--green-bg); }
.state-failed { color: var(--red); background: var(--red-bg); }
.state-accepted { color: var(--amber); background: var(--amber-bg); }
.state-todo { color: var(--grey); background: var(--grey-bg); }
.state-not-applicable { color: var(--muted); }
.reason { display: block; font-style: italic; color: var(--ink); margin-top: .15rem; }
tr.failed td { background: #fff8f7; }
.device { margin: 1.25rem 0; break-inside: avoid; page-break-inside: avoid; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .8rem 0 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.evidence { margin: .3rem 0 0; padding-left: 1.2rem; color: var(--muted); font-size: .9rem; }
.due-list td:first-child { color: var(--muted); }
.standards { color: var(--muted); font-size: .85rem; }
.table-wrap { overflow-x: auto; }
.table-wrap + .table-wrap { margin-top: .9rem; }
.why { white-space: nowrap; }
@media (min-width: 40rem) {
  table.checklist { table-layout: fixed; }
  .c-step { width: 30%; } .c-state { width: 15%; } .c-set { width: 11%; }
  .c-due { width: 14%; } .c-points { width: 7%; } .c-std { width: 23%; }
}
.ref { display: none; }
.help-pages ol { padding-left: 1.6rem; }
.help-pages li { margin: .2rem 0; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) {
  main { padding: 1rem .75rem 2rem; }
  .state, .why, td.when { white-space: normal; }
  th, td { padding: .35rem .3rem; }
  table.problems, .problems tbody, .problems tr { display: block; }
  .problems thead { display: none; }
  .problems tr { padding: .5rem 0; border-bottom: 1px solid var(--line); }
  .problems td { display: inline; border: 0; padding: 0 .4rem 0 0; }
  .problems td.p-problem, .problems td.p-evidence { display: block; padding: .2rem 0 0; }
  .card { padding: 1rem; }
}
@media print {
  @page { margin: 15mm; }
  html { font-size: 9.5pt; }
  body { background: none; font-size: 1rem; }
  main { max-width: none; padding: 0; }
  .card { border: 1px solid #999; border-radius: 0; padding: .8rem 1rem; }
  .badge, .state, .flag { border: 1px solid currentColor; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: .25rem .4rem; }
  .device { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  .state, .why, td.when { white-space: normal; }
  .chart { break-inside: avoid; page-break-inside: avoid; }
  .standards { display: table-cell; }
  a { color: inherit; text-decoration: none; }
  a[href^="https:"]::after { content: " (" attr(href) ")"; font-size: .85em; color: #444; overflow-wrap: anywhere; }
  td a[href^="https:"]::after { content: none; }
  .ref { display: inline; font-size: .85em; color: #444; }
}
"#;

/// Escapes `s` for HTML text and attribute values, turning control characters into spaces.
pub(super) fn h(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn score_class(value: u8) -> &'static str {
    match value {
        80..=100 => "score-good",
        50..=79 => "score-fair",
        _ => "score-low",
    }
}

fn badge(value: u8) -> String {
    format!(
        r#"<span class="badge {}" title="score out of 100">{value}</span>"#,
        score_class(value)
    )
}

/// The colour of a reason to act: red for a regression, amber for a newcomer, grey for a look again.
fn why_class(why: Why) -> &'static str {
    match why {
        Why::Problem | Why::Regression => "failed",
        Why::NewDevice => "accepted",
        _ => "todo",
    }
}

fn state_class(state: StepStatus) -> &'static str {
    match state {
        StepStatus::Todo => "todo",
        StepStatus::Done => "done",
        StepStatus::Verified => "verified",
        StepStatus::Failed => "failed",
        StepStatus::NotApplicable => "not-applicable",
        StepStatus::Accepted => "accepted",
    }
}

/// A link to the step's first help page when the step is open, else its title.
///
/// On paper the link cannot be followed, so a reference number points into the list of help pages
/// at the end, where each address is printed once.
fn step_title(step: &StepReport, refs: &HelpRefs) -> String {
    let title = h(&step.title);
    match step.help.first() {
        Some(link) if step.state.is_open() => {
            let mut out = format!(r#"<a href="{}">{title}</a>"#, h(&link.url));
            if let Some(n) = refs.number(&link.url) {
                out.push_str(&format!(r#"<span class="ref"> [{n}]</span>"#));
            }
            out
        }
        _ => title,
    }
}

/// The help pages linked from the checklists, each once, numbered in order of first use.
struct HelpRefs<'a> {
    pages: Vec<(&'a str, &'a str)>,
}

impl<'a> HelpRefs<'a> {
    fn of(report: &'a Report) -> Self {
        let mut pages: Vec<(&str, &str)> = Vec::new();
        let linked = report
            .devices
            .iter()
            .flat_map(|d| &d.checklist)
            .filter(|s| s.state.is_open())
            .filter_map(|s| s.help.first());
        for link in linked {
            if !pages.iter().any(|(url, _)| *url == link.url) {
                pages.push((&link.url, &link.title));
            }
        }
        Self { pages }
    }

    fn number(&self, url: &str) -> Option<usize> {
        self.pages
            .iter()
            .position(|(u, _)| *u == url)
            .map(|i| i + 1)
    }
}

/// Renders `report` with dates in `tz`.
pub(super) fn render(report: &Report, tz: &TimeZone) -> String {
    let mut out = String::with_capacity(64 * 1024);
    // Writing to a String cannot fail.
    let _ = write_page(&mut out, report, tz);
    out
}

fn write_page(out: &mut String, r: &Report, tz: &TimeZone) -> std::fmt::Result {
    let s = &r.summary;
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, r#"<html lang="en">"#)?;
    writeln!(out, "<head>")?;
    writeln!(out, r#"<meta charset="utf-8">"#)?;
    writeln!(
        out,
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
    )?;
    writeln!(out, r#"<meta name="generator" content="porchlight">"#)?;
    writeln!(out, "<title>{}</title>", h(&r.title))?;
    writeln!(out, "<style>{CSS}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<main>")?;

    writeln!(out, "<header>")?;
    writeln!(out, "<h1>{}</h1>", h(&r.title))?;
    writeln!(
        out,
        r#"<p class="meta">Generated {} ({})</p>"#,
        date_time(r.generated_at, tz),
        h(&r.time_zone)
    )?;
    if !r.household.is_empty() {
        writeln!(
            out,
            r#"<section class="card household" aria-label="Household summary">"#
        )?;
        for sentence in &r.household {
            writeln!(out, "<p>{}</p>", h(sentence))?;
        }
        writeln!(out, "</section>")?;
    }
    writeln!(out, "</header>")?;

    writeln!(out, r#"<section aria-labelledby="problems">"#)?;
    writeln!(out, r#"<h2 id="problems">Found problems</h2>"#)?;
    if r.found_problems.is_empty() {
        writeln!(
            out,
            "<p>The last scan's audit found no problem (or no scan has run yet).</p>"
        )?;
    } else {
        writeln!(
            out,
            r#"<div class="card table-wrap"><table class="due-list problems">"#
        )?;
        writeln!(
            out,
            r#"<thead><tr><th class="c-n">#</th><th class="c-device">Device</th><th class="c-step">Step</th><th class="c-problem">Problem</th><th>Evidence</th></tr></thead>"#
        )?;
        writeln!(out, "<tbody>")?;
        for (n, p) in r.found_problems.iter().enumerate() {
            let device = match p.ip {
                Some(ip) => format!("{} ({ip})", h(&p.device_name)),
                None => h(&p.device_name),
            };
            writeln!(
                out,
                r#"<tr><td>{}</td><td>{device}</td><td>{}</td><td class="p-problem"><span class="state state-failed">{}</span></td><td class="p-evidence">{}</td></tr>"#,
                n + 1,
                h(&p.step),
                h(&p.problem),
                h(&p.evidence)
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    writeln!(
        out,
        r#"<section class="card summary" aria-label="Summary">"#
    )?;
    writeln!(
        out,
        r#"<div class="home">{}<span class="label">Home score<br><span class="meta">out of 100</span></span></div>"#,
        badge(s.home_score)
    )?;
    writeln!(out, r#"<dl class="counts">"#)?;
    for (label, value) in [
        ("Devices", s.devices),
        ("Fully hardened", s.fully_hardened),
        ("Failed checks", s.failed_checks),
        ("New devices", s.new_devices),
        ("Offline", s.offline_devices),
        ("Steps not started", s.steps_not_started),
        ("Due now", s.due_now),
    ] {
        writeln!(out, "<div><dt>{label}</dt><dd>{value}</dd></div>")?;
    }
    writeln!(out, "</dl>")?;
    writeln!(out, "</section>")?;
    if let Some(chart) = super::chart::svg(&r.history, tz) {
        writeln!(out, r#"<section aria-labelledby="progress">"#)?;
        writeln!(out, r#"<h2 id="progress">Progress over time</h2>"#)?;
        writeln!(out, "{chart}")?;
        writeln!(out, "</section>")?;
    }

    writeln!(out, r#"<section aria-labelledby="due">"#)?;
    writeln!(out, r#"<h2 id="due">What is due</h2>"#)?;
    if r.due.is_empty() {
        writeln!(out, "<p>Nothing is due.</p>")?;
    } else {
        writeln!(
            out,
            r#"<div class="card table-wrap"><table class="due-list">"#
        )?;
        writeln!(
            out,
            "<thead><tr><th>#</th><th>Device</th><th>What</th><th>Why</th><th>Due</th></tr></thead>"
        )?;
        writeln!(out, "<tbody>")?;
        for (n, item) in r.due.iter().enumerate() {
            let what = match &item.step {
                Some(step) => format!("{} {}", h(step), h(&item.title)),
                None => h(&item.title),
            };
            writeln!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td>{what}</td><td><span class="state why state-{}">{} {}</span></td><td class="when">{}</td></tr>"#,
                n + 1,
                h(&item.device_name),
                why_class(item.why),
                why_mark(item.why),
                h(item.why.label()),
                since_words(item.due, r.generated_at, tz)
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    if s.steps_not_started > 0 {
        writeln!(
            out,
            r#"<p class="hint">{} steps have not been started yet: they are in each device's checklist below.</p>"#,
            s.steps_not_started
        )?;
    }
    writeln!(out, "</section>")?;

    writeln!(out, r#"<section aria-labelledby="glance">"#)?;
    writeln!(out, r#"<h2 id="glance">Devices at a glance</h2>"#)?;
    if r.devices.is_empty() {
        writeln!(out, "<p>No devices yet: run a scan first.</p>")?;
    } else {
        writeln!(out, r#"<div class="card table-wrap"><table>"#)?;
        writeln!(
            out,
            r#"<thead><tr><th class="num">Score</th><th>Device</th><th>Kind</th><th class="num">Settled</th><th class="num">Failed</th><th>Notes</th></tr></thead>"#
        )?;
        writeln!(out, "<tbody>")?;
        for (n, d) in r.devices.iter().enumerate() {
            writeln!(
                out,
                r##"<tr><td class="num">{}</td><td><a href="#device-{}">{}</a></td><td>{}</td><td class="num">{}/{}</td><td class="num">{}</td><td>{}</td></tr>"##,
                badge(d.score.value),
                n + 1,
                h(&d.name),
                h(d.category.label()),
                d.score.settled,
                d.score.total,
                d.score.failed,
                h(&flag_words(d).join(", "))
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    writeln!(out, r#"<section aria-labelledby="accepted">"#)?;
    writeln!(out, r#"<h2 id="accepted">Accepted risks</h2>"#)?;
    if r.accepted_risks.is_empty() {
        writeln!(out, "<p>None: no risk has been accepted.</p>")?;
    } else {
        writeln!(out, r#"<div class="card table-wrap"><table>"#)?;
        writeln!(
            out,
            "<thead><tr><th>Device</th><th>Step</th><th>Reason</th><th>Accepted</th><th>Look again</th></tr></thead>"
        )?;
        writeln!(out, "<tbody>")?;
        for a in &r.accepted_risks {
            writeln!(
                out,
                r#"<tr><td>{}</td><td>{} {}</td><td><span class="state state-accepted">! accepted</span><span class="reason">“{}”</span></td><td class="when">{}</td><td class="when">{}</td></tr>"#,
                h(&a.device_name),
                h(&a.step),
                h(&a.title),
                h(&a.reason),
                date(a.accepted_at, tz),
                a.look_again
                    .map(|t| since_words(t, r.generated_at, tz))
                    .unwrap_or_else(|| "when something changes".into())
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    writeln!(out, r#"<section aria-labelledby="devices">"#)?;
    writeln!(out, r#"<h2 id="devices">Devices</h2>"#)?;
    if !r.devices.is_empty() {
        writeln!(
            out,
            r#"<p class="hint">Weakest first. In each checklist, Points is what doing an open step would add to the device's score.</p>"#
        )?;
    }
    let refs = HelpRefs::of(r);
    for (n, d) in r.devices.iter().enumerate() {
        write_device(out, n + 1, d, &refs, tz)?;
    }
    writeln!(out, "</section>")?;

    if !refs.pages.is_empty() {
        writeln!(
            out,
            r#"<section class="help-pages" aria-labelledby="help">"#
        )?;
        writeln!(out, r#"<h2 id="help">Help pages</h2>"#)?;
        writeln!(
            out,
            r#"<p class="hint">Where to read more about the open steps, numbered as in the checklists on paper.</p>"#
        )?;
        writeln!(out, "<ol>")?;
        for (url, title) in &refs.pages {
            writeln!(out, r#"<li><a href="{}">{}</a></li>"#, h(url), h(title))?;
        }
        writeln!(out, "</ol>")?;
        writeln!(out, "</section>")?;
    }

    writeln!(
        out,
        "<footer>Written by porchlight on this computer; nothing in it was sent anywhere.</footer>"
    )?;
    writeln!(out, "</main>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")?;
    Ok(())
}

fn write_device(
    out: &mut String,
    n: usize,
    d: &DeviceReport,
    refs: &HelpRefs,
    tz: &TimeZone,
) -> std::fmt::Result {
    writeln!(
        out,
        r#"<article class="card device" id="device-{n}" aria-labelledby="device-{n}-name">"#
    )?;
    let mut flags = String::new();
    for f in flag_words(d) {
        let class = if f.starts_with("new") {
            "flag new"
        } else {
            "flag"
        };
        flags.push_str(&format!(r#" <span class="{class}">{}</span>"#, h(f)));
    }
    writeln!(
        out,
        r#"<h3 id="device-{n}-name">{} <span>{}</span>{flags}</h3>"#,
        badge(d.score.value),
        h(&d.name)
    )?;
    writeln!(out, r#"<dl class="facts">"#)?;
    let mut score_line = h(&score_words(&d.score));
    if let Some(best) = biggest_gain(d) {
        score_line.push_str(&format!(
            "; biggest gain: {} {} ({} points)",
            h(&best.id),
            h(&best.title),
            best.points.map(points_words).unwrap_or_default()
        ));
    }
    let facts = [
        ("Score", format!("{}/100: {score_line}", d.score.value)),
        ("Kind", h(d.category.label())),
        ("Hardware", h(&hardware_words(d))),
        ("Address", h(&address_words(d))),
        (
            "Seen",
            format!(
                "first {}, last {}",
                date(d.first_seen, tz),
                date(d.last_seen, tz)
            ),
        ),
    ];
    for (label, value) in facts {
        writeln!(out, "<dt>{label}</dt><dd>{value}</dd>")?;
    }
    if let Some(id) = &d.identification {
        write!(out, "<dt>Identification</dt><dd>{}", h(&identity_words(id)))?;
        if !id.evidence.is_empty() {
            write!(out, r#"<ul class="evidence">"#)?;
            for e in &id.evidence {
                write!(
                    out,
                    "<li>{} → {} ({} points)</li>",
                    h(&e.signal),
                    h(&e.conclusion),
                    e.weight
                )?;
            }
            if id.more_evidence > 0 {
                write!(out, "<li>{}</li>", weaker_signals(id.more_evidence))?;
            }
            write!(out, "</ul>")?;
        }
        writeln!(out, "</dd>")?;
    }
    writeln!(out, "</dl>")?;

    writeln!(out, "<h4>Found on the network</h4>")?;
    if d.open_ports.is_empty() && d.services.is_empty() {
        writeln!(out, "<p>No open ports or announced services.</p>")?;
    }
    if !d.open_ports.is_empty() {
        writeln!(out, r#"<div class="table-wrap"><table>"#)?;
        writeln!(
            out,
            r#"<thead><tr><th class="num">Port</th><th>Service</th><th>TLS</th><th>First words</th></tr></thead>"#
        )?;
        writeln!(out, "<tbody>")?;
        for p in &d.open_ports {
            writeln!(
                out,
                r#"<tr><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                p.port,
                h(&p.service),
                if p.tls { "yes" } else { "no" },
                p.banner.as_deref().map(h).unwrap_or_default()
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    if !d.services.is_empty() {
        writeln!(out, r#"<div class="table-wrap"><table>"#)?;
        writeln!(
            out,
            r#"<thead><tr><th>Announced via</th><th>Type</th><th>Name</th><th class="num">Port</th></tr></thead>"#
        )?;
        writeln!(out, "<tbody>")?;
        for s in &d.services {
            writeln!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td></tr>"#,
                match s.source {
                    crate::model::ServiceSource::Mdns => "mDNS",
                    crate::model::ServiceSource::Upnp => "UPnP",
                },
                h(&s.kind),
                h(&s.name),
                s.port.map(|p| p.to_string()).unwrap_or_default()
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }

    writeln!(out, "<h4>Checklist</h4>")?;
    if d.checklist.is_empty() {
        writeln!(out, "<p>No steps apply.</p>")?;
    } else {
        writeln!(out, r#"<div class="table-wrap"><table class="checklist">"#)?;
        writeln!(
            out,
            r#"<thead><tr><th class="c-step">Step</th><th class="c-state">State</th><th class="c-set">Set</th><th class="c-due">Next due</th><th class="num c-points">Points</th><th class="standards c-std">Standards</th></tr></thead>"#
        )?;
        writeln!(out, "<tbody>")?;
        for step in &d.checklist {
            write_step(out, step, refs, tz)?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</article>")?;
    Ok(())
}

fn write_step(
    out: &mut String,
    step: &StepReport,
    refs: &HelpRefs,
    tz: &TimeZone,
) -> std::fmt::Result {
    let class = state_class(step.state);
    let row_class = if step.state == StepStatus::Failed {
        r#" class="failed""#
    } else {
        ""
    };
    let mut state = format!(
        r#"<span class="state state-{class}">{} {}</span>"#,
        step.state.mark(),
        h(step.state_label())
    );
    if let Some(part) = &step.unconfirmed {
        state.push_str(&format!(
            r#"<span class="reason">You confirm {}</span>"#,
            h(part)
        ));
    }
    if let Some(why) = &step.cannot_check {
        state.push_str(&format!(
            r#"<span class="reason">Cannot check: {}</span>"#,
            h(why)
        ));
    }
    if let Some(reason) = &step.reason {
        state.push_str(&format!(r#"<span class="reason">“{}”</span>"#, h(reason)));
    }
    if let Some(note) = &step.note {
        state.push_str(&format!(r#"<span class="reason">Note: {}</span>"#, h(note)));
    }
    writeln!(
        out,
        r#"<tr{row_class}><td>{} {}</td><td>{state}</td><td class="when">{}</td><td>{}</td><td class="num">{}</td><td class="standards">{}</td></tr>"#,
        h(&step.id),
        step_title(step, refs),
        step.set_at
            .map(|t| date(t, tz))
            .unwrap_or_else(|| "—".into()),
        h(&due_words(step, tz)),
        step.points.map(points_words).unwrap_or_default(),
        h(&step.standards.join("; "))
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_specials_and_control_characters_are_escaped() {
        assert_eq!(
            h(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(h("a\u{1b}[31mb\nc"), "a [31mb c");
    }

    #[test]
    fn the_style_sheet_loads_nothing() {
        assert!(!CSS.contains("url("));
        assert!(!CSS.contains("@import"));
        assert!(!CSS.contains("@font-face"));
    }
}
