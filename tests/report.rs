//! The report as the owner reads it: the demo home (with one check that came undone) as Markdown,
//! HTML and JSON at a fixed moment in UTC, snapshotted, and the things a reader would notice if they
//! were wrong: the reasons behind accepted risks, regressions, scores that match the score module,
//! the due list that matches `porchlight remind`, escaping of hostile device names, and an HTML page
//! that stands alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use porchlight::catalog::Catalog;
use porchlight::identify::Fingerprints;
use porchlight::model::{Device, DeviceId, Inventory, OpenPort, StepId, StepProgress, StepState};
use porchlight::reminders::{DueContext, Why, reminders};
use porchlight::report::{Format, Report, ReportInput, StepStatus, build, render};
use porchlight::score::{device_score, home_score};

/// The fixed "now" of the report tests (the same as the UI tests').
fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn days_ago(days: i64) -> Timestamp {
    now().checked_sub((days * 24).hours()).unwrap()
}

/// The demo home, where telnet came back on the driveway camera after a factory reset: the owner
/// had turned it off a month ago, and yesterday's scan found it answering again.
/// The demo home without the made-up findings it ships with (for the TUI's Fix first list): these
/// tests set the findings they need themselves.
fn demo_without_findings() -> Inventory {
    let mut inv = porchlight::demo::household(now()).unwrap();
    for d in &mut inv.devices {
        d.findings.clear();
    }
    inv
}

fn home() -> Inventory {
    let mut inv = demo_without_findings();
    let cam = inv
        .devices
        .iter_mut()
        .find(|d| d.name() == "Driveway camera")
        .unwrap();
    cam.set_step_state(&StepId::new("G-02"), StepState::Failed, days_ago(1));
    // The scan's audit saw telnet answering on the hub, which nobody had looked at yet.
    let hub = inv
        .devices
        .iter_mut()
        .find(|d| d.name() == "Hue bridge")
        .unwrap();
    hub.findings.insert(
        StepId::new("G-02"),
        porchlight::model::Finding {
            verdict: porchlight::model::FindingVerdict::Problem,
            evidence: "telnet still answers on 192.168.1.30:23 (banner: login:)".into(),
            checked_at: days_ago(1),
        },
    );
    inv
}

struct Fixture {
    catalog: Catalog,
    fingerprints: Fingerprints,
    inventory: Inventory,
}

impl Fixture {
    fn new(inventory: Inventory) -> Self {
        Self {
            catalog: Catalog::builtin().unwrap(),
            fingerprints: Fingerprints::builtin().unwrap(),
            inventory,
        }
    }

    fn input(&self) -> ReportInput<'_> {
        ReportInput {
            catalog: &self.catalog,
            fingerprints: Some(&self.fingerprints),
            inventory: &self.inventory,
            now: now(),
            tz: TimeZone::UTC,
            title: "porchlight report: demo home".into(),
        }
    }

    fn render(&self, format: Format) -> String {
        render(format, &self.input()).unwrap()
    }

    fn report(&self) -> Report {
        build(&self.input())
    }
}

/// The part of a document from `start` up to the next `end` (or the end).
fn section<'a>(doc: &'a str, start: &str, end: &str) -> &'a str {
    let from = doc
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found"));
    let rest = &doc[from..];
    match rest[start.len()..].find(end) {
        Some(to) => &rest[..start.len() + to],
        None => rest,
    }
}

#[test]
fn demo_home_markdown() {
    let f = Fixture::new(home());
    insta::assert_snapshot!("demo_home_markdown", f.render(Format::Markdown));
}

#[test]
fn demo_home_json() {
    let f = Fixture::new(home());
    insta::assert_snapshot!("demo_home_json", f.render(Format::Json));
}

#[test]
fn demo_home_html() {
    let f = Fixture::new(home());
    insta::assert_snapshot!("demo_home_html", f.render(Format::Html));
}

#[test]
fn the_report_opens_with_the_problems_the_audit_found() {
    let f = Fixture::new(home());
    let evidence = "telnet still answers on 192.168.1.30:23 (banner: login:)";
    let md = f.render(Format::Markdown);
    let first = md.find("\n## ").unwrap();
    assert!(md[first..].starts_with("\n## Found problems"), "{md}");
    let problems = section(&md, "## Found problems", "\n## ");
    assert!(problems.contains("Hue bridge (192.168.1.30)"), "{problems}");
    assert!(problems.contains("| G-02 |"), "{problems}");
    assert!(problems.contains("botnet"), "{problems}");
    let html = f.render(Format::Html);
    let html_problems = section(&html, r#"<h2 id="problems">"#, "</section>");
    assert!(html.find(r#"<h2 id="problems">"#) < html.find("Home score"));
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    let found = &json["found_problems"][0];
    assert_eq!(found["step"], "G-02");
    assert_eq!(found["risk"], "takeover");
    for text in [problems, html_problems, found["evidence"].as_str().unwrap()] {
        assert!(
            text.contains(evidence) || text.contains("telnet still answers on 192.168.1.30:23"),
            "{text}"
        );
    }
    // Without a finding, the section says so.
    let clean = Fixture::new(demo_without_findings());
    let md = clean.render(Format::Markdown);
    assert!(section(&md, "## Found problems", "\n## ").contains("found no problem"));
}

#[test]
fn the_accepted_risks_are_listed_with_the_owners_reasons() {
    let f = Fixture::new(home());
    let reasons = [
        "The button is behind a locked cupboard; PIN mode is off.",
        "Kept for now: the kids use the recommendations.",
    ];
    let md = f.render(Format::Markdown);
    let risks = section(&md, "## Accepted risks", "\n## ");
    let html = f.render(Format::Html);
    let html_risks = section(&html, r#"<h2 id="accepted">"#, "</section>");
    for reason in reasons {
        assert!(risks.contains(reason), "{reason:?} missing from:\n{risks}");
        assert!(
            html_risks.contains(reason),
            "{reason:?} missing from the HTML"
        );
    }
    assert!(risks.contains("Home router"), "{risks}");
    assert!(risks.contains("Living\\-room TV") || risks.contains("Living-room TV"));
    let report = f.report();
    assert_eq!(report.accepted_risks.len(), 2);
    assert!(
        report
            .accepted_risks
            .iter()
            .all(|a| reasons.contains(&a.reason.as_str()))
    );
}

#[test]
fn a_failed_check_is_shown_as_a_regression() {
    let f = Fixture::new(home());
    let md = f.render(Format::Markdown);
    let camera = section(&md, "### Driveway camera", "\n### ");
    let row = camera
        .lines()
        .find(|l| l.starts_with("| G-02 "))
        .expect("the camera's checklist has G-02");
    assert!(row.contains("✗ failed: regression"), "{row}");
    assert!(row.contains("came undone"), "{row}");
    let due = section(&md, "## What is due", "\n## ");
    // A problem the audit found comes first, then the regression, before anything else.
    let first = due.lines().find(|l| l.starts_with("| 1 |")).unwrap();
    assert!(first.contains("found by the audit"), "{first}");
    let second = due.lines().find(|l| l.starts_with("| 2 |")).unwrap();
    assert!(
        second.contains("Driveway camera") && second.contains("came undone"),
        "a regression is the most urgent after the problems found: {second}"
    );

    let html = f.render(Format::Html);
    assert!(html.contains(r#"<span class="state state-failed">✗ failed: regression</span>"#));
    let report = f.report();
    assert_eq!(report.summary.failed_checks, 1);
    let step = report
        .devices
        .iter()
        .find(|d| d.name == "Driveway camera")
        .unwrap()
        .checklist
        .iter()
        .find(|s| s.id == "G-02")
        .unwrap();
    assert_eq!(step.state, StepStatus::Failed);
    assert_eq!(step.due_why, Some(Why::Regression));
    assert!(step.due_now);
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    assert_eq!(json["due"][0]["why"], "problem");
    assert_eq!(json["due"][1]["why"], "regression");
}

#[test]
fn the_home_score_and_every_device_score_match_the_score_module() {
    let f = Fixture::new(home());
    let report = f.report();
    let home = home_score(&f.catalog, &f.inventory);
    assert_eq!(report.summary.home_score, home.value);
    let md = f.render(Format::Markdown);
    let html = f.render(Format::Html);
    assert!(md.contains(&format!("**Home score: {}/100**", home.value)));
    assert!(html.contains(&format!(
        r#"title="score out of 100">{}</span><span class="label">Home score"#,
        home.value
    )));
    assert_eq!(report.devices.len(), f.inventory.devices.len());
    let mut previous = 0;
    for (n, d) in report.devices.iter().enumerate() {
        let device = f.inventory.device(&d.id).unwrap();
        let expected = device_score(&f.catalog, device);
        assert_eq!(d.score.value, expected.value, "{}", d.name);
        assert!(d.score.value >= previous, "weakest first");
        previous = d.score.value;
        // Each open step's points are the score module's cost for it.
        for cost in &expected.costs {
            let step = d.checklist.iter().find(|s| s.id == cost.step).unwrap();
            let points = step.points.unwrap();
            assert!(
                (points - cost.points).abs() < 0.05,
                "{} {}",
                d.name,
                cost.step
            );
        }
        let heading = format!("### {}", d.name);
        let part = section(&md, &heading, "\n### ");
        assert!(
            part.contains(&format!("- Score: **{}/100**", expected.value)),
            "{}",
            d.name
        );
        let article = section(&html, &format!(r#"id="device-{}""#, n + 1), "</article>");
        assert!(
            article.contains(&format!(
                r#"title="score out of 100">{}</span>"#,
                expected.value
            )),
            "{}",
            d.name
        );
    }
}

#[test]
fn the_due_list_is_what_remind_says() {
    let f = Fixture::new(home());
    let ctx = DueContext::new(&f.inventory, TimeZone::UTC);
    let expected = reminders(&f.catalog, &f.inventory, &ctx, now());
    assert!(!expected.is_empty(), "the demo home has things due");
    let report = f.report();
    let got: Vec<(DeviceId, Option<String>, Why, Timestamp)> = report
        .due
        .iter()
        .map(|d| (d.device_id.clone(), d.step.clone(), d.why, d.due))
        .collect();
    let want: Vec<(DeviceId, Option<String>, Why, Timestamp)> = expected
        .iter()
        .map(|r| (r.device.clone(), r.step.clone(), r.why, r.due))
        .collect();
    assert_eq!(got, want);
    assert_eq!(report.summary.due_now, expected.len());

    // Same order in the Markdown table.
    let md = f.render(Format::Markdown);
    let due = section(&md, "## What is due", "\n## ");
    let rows: Vec<&str> = due
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .collect();
    assert_eq!(rows.len(), expected.len());
    for (row, r) in rows.iter().zip(&expected) {
        assert!(row.contains(r.why.label()), "{row}");
        if let Some(step) = &r.step {
            assert!(row.contains(&format!("| {step} |")), "{row}");
        }
    }
}

/// The demo home plus a device whose name and banner try to break out of the document.
fn hostile() -> Inventory {
    let mut inv = home();
    let mut d = Device::new(
        DeviceId::Ip("192.168.1.66".parse().unwrap()),
        "Cam <script>alert('x')</script> | evil & \"co\"",
        days_ago(1),
    );
    d.last_seen = now();
    d.open_ports.push(OpenPort {
        port: 80,
        service: "http".into(),
        banner: Some("</td></tr></table><img src=https://evil.example/x.png>".into()),
        tls: false,
    });
    // An owner's reason typed with a line break (the store keeps what the owner typed).
    d.progress.insert(
        StepId::new("G-02"),
        StepProgress::new(
            StepState::Accepted {
                reason: "first line\nsecond | line\u{7}".into(),
            },
            days_ago(1),
        ),
    );
    inv.devices.push(d);
    inv
}

#[test]
fn a_hostile_device_name_is_escaped_in_html() {
    let f = Fixture::new(hostile());
    let html = f.render(Format::Html);
    assert!(!html.to_lowercase().contains("<script"), "raw script tag");
    assert!(!html.contains("<img"), "raw image tag from a banner");
    assert!(html.contains(
        "Cam &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | evil &amp; &quot;co&quot;"
    ));
    assert!(html.contains(
        "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=https://evil.example/x.png&gt;"
    ));
    assert!(
        html.contains("“first line second | line”"),
        "the reason is on one line"
    );
}

#[test]
fn a_hostile_device_name_is_escaped_in_markdown() {
    let f = Fixture::new(hostile());
    let md = f.render(Format::Markdown);
    let name = r#"Cam \<script\>alert('x')\</script\> \| evil \& "co""#;
    assert!(md.contains(&format!("### {name}\n")), "heading");
    assert!(!md.contains("<script>"));
    // The name's pipe does not add a cell: the glance row has as many cells as its header.
    let glance = section(&md, "## Devices at a glance", "\n## ");
    let header = glance.lines().find(|l| l.starts_with("| Score")).unwrap();
    let row = glance
        .lines()
        .find(|l| l.contains("Cam \\<script"))
        .unwrap();
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert_eq!(cells(row), cells(header), "{row}");
    let risks = section(&md, "## Accepted risks", "\n## ");
    let row = risks.lines().find(|l| l.contains("first line")).unwrap();
    assert!(row.contains("first line second \\| line"), "{row}");
    let header = risks.lines().find(|l| l.starts_with("| Device")).unwrap();
    assert_eq!(cells(row), cells(header), "{row}");
}

#[test]
fn no_format_emits_raw_control_characters() {
    let f = Fixture::new(hostile());
    for format in Format::ALL {
        let text = f.render(format);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{format}: {bad:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    let risk = json["accepted_risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["reason"].as_str().unwrap().starts_with("first line"))
        .unwrap();
    assert_eq!(risk["reason"], "first line second | line");
}

#[test]
fn the_html_is_one_document_that_loads_nothing() {
    let f = Fixture::new(hostile());
    let html = f.render(Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for once in [
        "<!DOCTYPE",
        "<html",
        "<head>",
        "<body>",
        "</body>",
        "</html>",
        "<style>",
    ] {
        assert_eq!(html.matches(once).count(), 1, "{once}");
    }
    let lower = html.to_lowercase();
    for never in ["url(", "@import", "@font-face", "http://"] {
        assert!(!lower.contains(never), "{never}");
    }
    // Only plain document tags, none that runs or loads anything, and no handlers or sources.
    let allowed = [
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "section",
        "article",
        "footer",
        "div",
        "span",
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "dl",
        "dt",
        "dd",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        // The progress chart: inline SVG shapes and text, nothing that loads or runs.
        "figure",
        "figcaption",
        "svg",
        "desc",
        "line",
        "polyline",
        "circle",
        "text",
    ];
    for (at, _) in html.match_indices('<') {
        let tag = &html[at + 1..];
        let tag = &tag[..tag.find('>').unwrap()];
        let name = tag.trim_start_matches('/');
        let name = name.split([' ', '>']).next().unwrap().to_lowercase();
        assert!(allowed.contains(&name.as_str()), "<{tag}>");
        let lower = tag.to_lowercase();
        assert!(!lower.contains("src="), "<{tag}>");
        assert!(!lower.contains(" on"), "<{tag}>");
        assert!(!lower.contains("style="), "<{tag}>");
    }
    // Links go only to https help pages or to places in the page itself.
    let mut links = 0;
    for (at, _) in html.match_indices("href=\"") {
        let target = &html[at + 6..];
        let target = &target[..target.find('"').unwrap()];
        links += 1;
        if let Some(anchor) = target.strip_prefix('#') {
            assert!(html.contains(&format!("id=\"{anchor}\"")), "{target}");
        } else {
            assert!(target.starts_with("https://"), "{target}");
        }
    }
    assert!(links > 10, "help links and the device index");
    // The print style keeps a device together and prints where links go.
    assert!(html.contains("@media print"));
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains(r#"content: " (" attr(href) ")""#));
}

#[test]
fn an_unknown_format_names_the_choices() {
    let e = "pdf".parse::<Format>().unwrap_err().to_string();
    for choice in ["md", "markdown", "html", "json"] {
        assert!(e.contains(choice), "{e}");
    }
    assert!(e.contains("pdf"), "{e}");
    assert_eq!("markdown".parse::<Format>().unwrap(), Format::Markdown);
}

#[test]
fn the_json_is_the_documented_structure() {
    let f = Fixture::new(home());
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["generated_at"], "2026-11-25T12:00:00Z");
    assert_eq!(json["time_zone"], "UTC");
    let summary = &json["summary"];
    assert_eq!(summary["devices"], 10);
    assert_eq!(summary["new_devices"], 1);
    let router = json["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Home router")
        .unwrap();
    assert_eq!(router["category"], "router");
    assert_eq!(router["mac"], "a0:40:a0:5e:21:9c");
    let rt09 = router["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "RT-09")
        .unwrap();
    assert_eq!(rt09["state"], "accepted");
    assert!(rt09["reason"].as_str().unwrap().contains("cupboard"));
    assert!(!rt09["standards"].as_array().unwrap().is_empty());
}

#[test]
fn without_fingerprints_the_identification_is_left_out() {
    let f = Fixture::new(home());
    let mut input = f.input();
    input.fingerprints = None;
    let md = render(Format::Markdown, &input).unwrap();
    assert!(!md.contains("- Identification:"));
    assert!(
        build(&input)
            .devices
            .iter()
            .all(|d| d.identification.is_none())
    );
    let with = f.render(Format::Markdown);
    assert!(with.contains("- Identification: Looks like a camera"));
}

#[test]
fn an_empty_home_still_makes_a_report() {
    let f = Fixture::new(Inventory::default());
    let md = f.render(Format::Markdown);
    assert!(md.contains("**Home score: 100/100**"));
    assert!(md.contains("No devices yet"));
    assert!(md.contains("Nothing is due."));
    let html = f.render(Format::Html);
    assert!(html.contains("No devices yet"));
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    assert_eq!(json["devices"].as_array().unwrap().len(), 0);
}

#[test]
fn verified_in_part_and_cannot_check_are_told_apart_from_verified() {
    use porchlight::checks::CheckResult;
    let mut inv = home();
    let cam = inv
        .devices
        .iter_mut()
        .find(|d| d.name() == "Driveway camera")
        .unwrap();
    let (c02, g06) = (StepId::new("C-02"), StepId::new("G-06"));
    cam.set_step_state(&c02, StepState::Done, days_ago(2));
    cam.set_step_state(&g06, StepState::Done, days_ago(2));
    let part = CheckResult::pass("no UPnP mapping points at the camera")
        .in_part("manual port forwards and a DMZ host");
    porchlight::verify::apply_to(cam, &c02, &part, days_ago(1));
    let unknown = CheckResult::unknown("the camera showed no firmware version");
    porchlight::verify::apply_to(cam, &g06, &unknown, days_ago(1));
    let f = Fixture::new(inv);

    let md = f.render(Format::Markdown);
    let camera = section(&md, "### Driveway camera", "\n### ");
    let row = |id: &str| {
        camera
            .lines()
            .find(|l| l.starts_with(&format!("| {id} ")))
            .unwrap()
            .to_string()
    };
    assert!(
        row("C-02")
            .contains("✓ verified in part (you confirm manual port forwards and a DMZ host)"),
        "{}",
        row("C-02")
    );
    assert!(
        row("G-06").contains("✓ done (cannot check: the camera showed no firmware version)"),
        "{}",
        row("G-06")
    );
    let html = f.render(Format::Html);
    assert!(html.contains(
        "✓ verified in part</span><span class=\"reason\">You confirm manual port forwards"
    ));
    assert!(html.contains("Cannot check: the camera showed no firmware version"));
    let json: serde_json::Value = serde_json::from_str(&f.render(Format::Json)).unwrap();
    let text = json.to_string();
    assert!(text.contains("\"unconfirmed\":\"manual port forwards and a DMZ host\""));
}
