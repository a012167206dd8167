//! The step wizard: why the step matters (starting from what the last scan saw, when it checked
//! the step), how to do it, then the owner's call (done, not applicable, accept the risk with a
//! reason, or later).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::catalog::{Step, VerifyKind};
use crate::checks::Verdict;
use crate::model::{Device, FindingVerdict};
use crate::tui::app::{App, Choice, Wizard, WizardPage};
use crate::tui::theme::{ACCENT, dim, heading, selected};
use crate::tui::theme::{hanging, state_span};

/// Draws the wizard for `wizard`'s step.
pub fn render(app: &App, wizard: &Wizard, frame: &mut Frame, area: Rect) {
    let (Some(device), Some(step)) = (app.device(&wizard.device), app.catalog.step(&wizard.step))
    else {
        frame.render_widget(
            Paragraph::new(" This step is no longer in the checklist."),
            area,
        );
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(Line::from(vec![
            Span::styled(format!(" {} › ", device.name), dim()),
            Span::styled(format!("{} {} ", step.id, step.title), heading()),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let body = body.inner(Margin::new(1, 0));
    frame.render_widget(Paragraph::new(tab_line(wizard.page)), tabs);

    let width = body.width;
    let text = match wizard.page {
        WizardPage::Why => {
            let mut lines = evidence_lines(device, step, width);
            lines.extend(why_page(step, width));
            lines
        }
        WizardPage::How => how_page(step, width),
        WizardPage::Decide if wizard.checking || wizard.verdict.is_some() => {
            verdict_page(wizard, width)
        }
        WizardPage::Decide => decide_page(wizard),
    };
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((wizard.scroll, 0)),
        body,
    );
    if let Some(reason) = &wizard.reason {
        crate::tui::theme::text_box(frame, body, "Why is this risk acceptable?", reason);
    }
    frame.render_widget(Paragraph::new(footer_line(app, device, step)), footer);
}

fn tab_line(page: WizardPage) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (n, p) in WizardPage::ALL.into_iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled("  ›  ", dim()));
        }
        let label = format!("{} {}", n + 1, p.title());
        if p == page {
            spans.push(Span::styled(
                label,
                Style::new()
                    .fg(Color::Black)
                    .bg(ACCENT)
                    .add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::styled(label, dim()));
        }
    }
    Line::from(spans)
}

/// What the last scan found for this step, first thing on the first page; nothing when the step
/// was not checked.
fn evidence_lines(device: &Device, step: &Step, width: u16) -> Vec<Line<'static>> {
    let Some(finding) = device.findings.get(&step.id) else {
        return Vec::new();
    };
    let bold = |color: Color| Style::new().fg(color).add_modifier(Modifier::BOLD);
    let (label, color) = match finding.verdict {
        FindingVerdict::Problem => ("✗ porchlight saw this in the last scan: ", Color::Red),
        FindingVerdict::Fine => ("✓ The last scan found this fine: ", Color::Green),
        FindingVerdict::Unknown => ("? The last scan could not tell: ", Color::Yellow),
    };
    let mut lines = vec![Line::styled(label, bold(color))];
    lines.extend(hanging(Span::raw("  "), &finding.evidence, width));
    if crate::tui::fix_first::looks_fine(device, &step.id).is_some() {
        lines.push(Line::from(vec![
            Span::raw("  Looks fine already: "),
            Span::styled("y", heading()),
            Span::raw(" confirms it as verified, or read on and check it yourself."),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

fn why_page(step: &Step, width: u16) -> Vec<Line<'static>> {
    let threats: Vec<&str> = step.threats.iter().map(|t| t.label()).collect();
    let check = match (&step.check, step.verify) {
        (Some(check), _) => format!(
            "porchlight checks this over your network: {}",
            check.describe()
        ),
        (None, VerifyKind::Network) => "porchlight can check this over your network.".to_string(),
        (None, VerifyKind::Owner) => {
            "Only you can confirm this one; porchlight takes your word for it.".to_string()
        }
    };
    let mut lines = hanging(Span::raw(""), &step.why, width);
    lines.push(Line::from(""));
    lines.extend(labelled("If left undone ", &threats.join(", "), width));
    lines.extend(labelled("Look again     ", step.recheck.label(), width));
    lines.extend(labelled("Checked        ", &check, width));
    lines.extend(labelled(
        "Comes from     ",
        &step.standards.join("; "),
        width,
    ));
    lines
}

fn how_page(step: &Step, width: u16) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = step
        .how
        .iter()
        .enumerate()
        .flat_map(|(n, s)| hanging(Span::styled(format!("{:>2}. ", n + 1), heading()), s, width))
        .collect();
    if !step.brand_hints.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled("Where to find it on some brands", dim()));
        for hint in &step.brand_hints {
            lines.extend(hanging(Span::raw("  • "), hint, width));
        }
    }
    lines.push(Line::from(""));
    lines.extend(labelled("Done looks like ", &step.done_when, width));
    if let Some(link) = step.links.first() {
        lines.push(Line::from(vec![
            Span::styled("More help       ", dim()),
            Span::raw(format!("{} ", link.title)),
            Span::styled("(o opens it)", Style::new().fg(ACCENT)),
        ]));
    }
    lines
}

/// The step was marked done: the network check is running, or here is what it found.
fn verdict_page(wizard: &Wizard, width: u16) -> Vec<Line<'static>> {
    let Some(result) = &wizard.verdict else {
        return vec![
            Line::from("Marked done and saved."),
            Line::from(""),
            Line::styled("Checking over the network that the fix took…", heading()),
            Line::from(""),
            Line::styled(
                "→ or Enter moves on without waiting; the result is kept either way.",
                dim(),
            ),
        ];
    };
    let (title, color) = match result.verdict {
        _ if wizard.simulated => (
            "◇ Simulated verdict (demo home): nothing was checked.",
            Color::Cyan,
        ),
        Verdict::Pass if result.unconfirmed.is_some() => (
            "◐ Verified in part: what porchlight can see is fixed.",
            Color::Green,
        ),
        Verdict::Pass => ("✓ Verified: the fix took.", Color::Green),
        Verdict::Fail => (
            "✗ Still open: the check says the fix did not take.",
            Color::Red,
        ),
        Verdict::Unknown => (
            "? Cannot check: porchlight could not tell; the step stays done.",
            Color::Yellow,
        ),
    };
    let mut lines = vec![
        Line::styled(title, Style::new().fg(color).add_modifier(Modifier::BOLD)),
        Line::from(""),
    ];
    let found = if result.verdict == Verdict::Unknown {
        "Why        "
    } else {
        "Found      "
    };
    lines.extend(hanging(Span::styled(found, dim()), &result.evidence, width));
    if let (Verdict::Pass, Some(part)) = (result.verdict, &result.unconfirmed) {
        lines.extend(hanging(Span::styled("You confirm ", dim()), part, width));
    }
    if let Some(next) = &result.next {
        lines.extend(hanging(Span::styled("Next       ", dim()), next, width));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "→ or Enter: the next open step · d checks again · Esc back to the device",
        dim(),
    ));
    lines
}

fn decide_page(wizard: &Wizard) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from("What would you like to do with this step?"),
        Line::from(""),
    ];
    for (n, choice) in Choice::ALL.into_iter().enumerate() {
        let text = format!(" [{}] {} ", choice.key(), choice.label());
        if n == wizard.choice {
            lines.push(Line::styled(format!("▶{text}"), selected()));
        } else {
            lines.push(Line::from(format!(" {text}")));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "↑↓ choose · Enter confirm · or press the letter. Your choice is saved at once.",
        dim(),
    ));
    lines
}

fn footer_line(app: &App, device: &Device, step: &Step) -> Line<'static> {
    let steps = app.steps_of(device);
    let open = steps.iter().filter(|s| app.is_open(device, s)).count();
    Line::from(vec![
        Span::styled(" Now: ", dim()),
        state_span(&device.step_state(&step.id)),
        Span::styled(
            format!(" · {open} of {} steps open on this device", steps.len()),
            dim(),
        ),
    ])
}

fn labelled(label: &'static str, value: &str, width: u16) -> Vec<Line<'static>> {
    hanging(Span::styled(label, dim()), value, width)
}
