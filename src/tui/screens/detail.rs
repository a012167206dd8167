//! One device: what porchlight found on it, and its checklist with each step's state, what the
//! last scan found for it (problem, looks fine, unknown) and its due date; found problems on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Table, TableState, Wrap,
};

use crate::identify::Identity;
use crate::model::{Category, Device, DeviceId, ServiceSource, StepState};
use crate::tui::app::{App, Edit};
use crate::tui::theme::{ACCENT, dim, heading, selected};
use crate::tui::theme::{date_text, due_text, finding_span, state_span};

/// Draws the detail view of `id`.
pub fn render(app: &App, id: &DeviceId, frame: &mut Frame, area: Rect) {
    let Some(device) = app.device(id) else {
        frame.render_widget(
            Paragraph::new(" This device is no longer in the inventory."),
            area,
        );
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Line::from(vec![
            Span::styled(" Devices › ", dim()),
            Span::styled(format!("{} ", device.name), heading()),
        ]))
        .border_style(dim());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let identity = app
        .fingerprints
        .as_ref()
        .map(|rules| crate::identify::identify(device, rules));
    let mut facts = facts(device);
    if let Some(id) = &identity {
        facts.push(identity_line(device, id));
    }
    let facts_height = (facts.len() as u16).min(inner.height / 2).max(1);
    let [facts_area, list_area, footer] = Layout::vertical([
        Constraint::Length(facts_height),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(facts).wrap(Wrap { trim: false }),
        facts_area.inner(Margin::new(1, 0)),
    );

    let steps = app.steps_of(device);
    let progress = app.catalog.progress(device, app.now);
    let score = crate::score::device_score(&app.catalog, device);
    let due_ctx = crate::reminders::DueContext::new(&app.inventory, app.tz.clone());
    // Narrow terminals leave the due date out, so the step titles stay readable.
    let wide = list_area.width >= 70;
    let rows = steps.iter().map(|step| {
        let state = device.step_state(&step.id);
        let snoozed = device
            .progress
            .get(&step.id)
            .and_then(|p| p.snoozed_until)
            .is_some_and(|t| t > app.now);
        let in_part = state == StepState::Verified
            && device
                .progress
                .get(&step.id)
                .is_some_and(|p| p.unconfirmed.is_some());
        let state_cell = if snoozed && !state.is_settled() {
            Cell::from(Span::styled("◷ later", Style::new().fg(Color::Blue)))
        } else if in_part {
            Cell::from(Span::styled(
                "◐ in part",
                Style::new().fg(Color::LightGreen),
            ))
        } else {
            Cell::from(state_span(&state))
        };
        let mut cells = vec![
            state_cell,
            Cell::from(finding_span(device, &step.id)),
            Cell::from(step.id.as_str()),
            Cell::from(step.title.as_str()),
        ];
        if wide {
            cells.push(Cell::from(due_text(step, device, &due_ctx, app.now)));
        }
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Length(6),
        Constraint::Fill(1),
    ];
    let mut header = vec!["State", "Last scan", "Step", "Checklist"];
    if wide {
        widths.push(Constraint::Length(10));
        header.push("Due");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(dim()))
        .block(
            Block::new()
                .borders(Borders::TOP)
                .border_style(dim())
                .title(Span::styled(
                    format!(
                        " Checklist · {} of {} settled · score {}/100 ",
                        progress.settled, progress.total, score.value
                    ),
                    heading(),
                )),
        )
        .row_highlight_style(selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::new().with_selected(Some(app.step_cursor));
    frame.render_stateful_widget(table, list_area, &mut state);

    let note = steps.get(app.step_cursor).map(|step| {
        if let Some(finding) = device.findings.get(&step.id) {
            return finding_note(device, &step.id, finding);
        }
        match device.step_state(&step.id) {
            StepState::Accepted { reason } => format!(" Risk accepted: {reason}"),
            StepState::Todo | StepState::Failed => {
                let points = score
                    .costs
                    .iter()
                    .find(|c| c.step == step.id.as_str())
                    .map_or(0.0, |c| c.points);
                format!(
                    " Worth {points:.0} points of this device's score · look again {}",
                    step.recheck.label()
                )
            }
            StepState::Verified
                if let Some(part) = device
                    .progress
                    .get(&step.id)
                    .and_then(|p| p.unconfirmed.as_ref()) =>
            {
                format!(" Verified in part: you confirm {part}")
            }
            StepState::Done
                if let Some(why) = device
                    .progress
                    .get(&step.id)
                    .and_then(|p| p.cannot_check.as_ref()) =>
            {
                format!(" Done; porchlight cannot check it: {why}")
            }
            _ => format!(
                " {} · look again {}",
                if step.verify == crate::catalog::VerifyKind::Network {
                    "porchlight can check this one over the network"
                } else {
                    "only you can confirm this one"
                },
                step.recheck.label()
            ),
        }
    });
    frame.render_widget(
        Paragraph::new(note.unwrap_or_default()).style(dim()),
        footer,
    );
    match &app.edit {
        Some(Edit::Rename(name)) => {
            crate::tui::theme::text_box(frame, inner, "Name this device", name)
        }
        Some(Edit::Category(cursor)) => render_picker(*cursor, frame, inner),
        Some(Edit::Forget) => render_forget(device, frame, inner),
        Some(Edit::Evidence) => render_evidence(device, identity.as_ref(), frame, inner),
        None => {}
    }
}

/// The line under the checklist for a step the last scan has a finding for.
fn finding_note(
    device: &Device,
    step: &crate::model::StepId,
    finding: &crate::model::Finding,
) -> String {
    use crate::model::FindingVerdict;
    match finding.verdict {
        FindingVerdict::Problem => format!(" Found: {}", finding.evidence),
        FindingVerdict::Fine if crate::tui::fix_first::looks_fine(device, step).is_some() => {
            format!(" Looks fine already, y confirms: {}", finding.evidence)
        }
        FindingVerdict::Fine => format!(" Fine: {}", finding.evidence),
        FindingVerdict::Unknown => format!(" Could not tell: {}", finding.evidence),
    }
}

/// The list of kinds of device, for correcting porchlight's guess.
fn render_picker(cursor: usize, frame: &mut Frame, area: Rect) {
    let items: Vec<ListItem> = Category::ALL
        .iter()
        .map(|c| ListItem::new(format!(" {}", c.label())))
        .collect();
    let popup = crate::tui::theme::centered(area, 30, items.len() as u16 + 2);
    let list = List::new(items)
        .block(crate::tui::theme::popup_block(
            "What is this device?",
            "Enter set · Esc cancel",
            ACCENT,
        ))
        .highlight_style(selected())
        .highlight_symbol("▶");
    let mut state = ListState::default().with_selected(Some(cursor));
    frame.render_widget(Clear, popup);
    frame.render_stateful_widget(list, popup, &mut state);
}

/// One line on what porchlight concluded, and how sure it is.
fn identity_line(device: &Device, id: &Identity) -> Line<'static> {
    let text = if let Some(owner) = device.owner_category {
        format!("You set this to {}", owner.label())
    } else if id.evidence.is_empty() {
        "Not identified yet: nothing it announced matched".to_string()
    } else {
        format!(
            "Looks like a {} ({}% sure)",
            id.category.label().to_lowercase(),
            id.confidence
        )
    };
    Line::from(vec![
        Span::styled("Identity   ", dim()),
        Span::raw(text),
        Span::styled(" · i shows why, c corrects it", dim()),
    ])
}

/// Every signal behind the identification.
fn render_evidence(device: &Device, id: Option<&Identity>, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    match id {
        None => lines.push(Line::from("Identification is not available.")),
        Some(id) => {
            lines.push(Line::from(vec![
                Span::styled("Conclusion ", dim()),
                Span::raw(format!(
                    "{} · {}% sure{}",
                    id.category.label(),
                    id.confidence,
                    device
                        .owner_category
                        .map(|c| format!(" (you set it to {})", c.label()))
                        .unwrap_or_default()
                )),
            ]));
            if id.private_mac {
                lines.push(Line::styled(
                    "Its hardware address is private (randomised), so it names no maker.",
                    dim(),
                ));
            }
            lines.push(Line::from(""));
            if id.evidence.is_empty() {
                lines.push(Line::from(
                    "Nothing it announced matched a known kind of device.",
                ));
            }
            let width = area.width.min(78).saturating_sub(2);
            for e in &id.evidence {
                let text = format!("{} → {}", e.signal, e.conclusion);
                lines.extend(crate::tui::theme::hanging(
                    Span::styled(format!("{:>3}  ", e.weight), Style::new().fg(ACCENT)),
                    &text,
                    width,
                ));
            }
        }
    }
    let popup = crate::tui::theme::centered(area, 78, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(crate::tui::theme::popup_block(
                "Why porchlight thinks so",
                "Esc closes",
                ACCENT,
            )),
        popup,
    );
}

/// Asks before forgetting a device and its progress.
fn render_forget(device: &Device, frame: &mut Frame, area: Rect) {
    let settled = device
        .progress
        .values()
        .filter(|p| p.state.is_settled())
        .count();
    let text = vec![
        Line::from(format!("Forget {}?", device.name)),
        Line::from(""),
        Line::styled(
            format!("Its progress ({settled} steps settled) is deleted with it."),
            dim(),
        ),
        Line::styled(
            "If it is still on the network, the next scan lists it as new.",
            dim(),
        ),
    ];
    let popup = crate::tui::theme::centered(area, 70, 6);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(crate::tui::theme::popup_block(
                "Forget this device?",
                "y forget · n keep",
                Color::Red,
            )),
        popup,
    );
}

/// The lines of what is known about the device.
fn facts(device: &Device) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut what = vec![device.category.label().to_string()];
    match (&device.vendor, &device.model) {
        (Some(v), Some(m)) => what.push(format!("{v} {m}")),
        (Some(v), None) => what.push(v.clone()),
        (None, Some(m)) => what.push(m.clone()),
        (None, None) => what.push("maker unknown".into()),
    }
    if let Some(fw) = &device.firmware {
        what.push(format!("firmware {fw}"));
    }
    lines.push(Line::from(what.join(" · ")));

    let mut where_ = Vec::new();
    if let Some(ip) = device.ip {
        where_.push(ip.to_string());
    }
    if let Some(mac) = device.mac {
        if mac.is_locally_administered() {
            where_.push(format!("{mac} (private address)"));
        } else {
            where_.push(mac.to_string());
        }
    }
    where_.push(format!(
        "seen {} to {}",
        date_text(device.first_seen),
        date_text(device.last_seen)
    ));
    lines.push(Line::styled(where_.join(" · "), dim()));

    if !device.open_ports.is_empty() {
        let ports: Vec<String> = device
            .open_ports
            .iter()
            .map(|p| {
                let tls = if p.tls { " (TLS)" } else { "" };
                format!("{} {}{tls}", p.service, p.port)
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled("Open ports ", dim()),
            Span::raw(ports.join(", ")),
        ]));
    }
    if !device.services.is_empty() {
        let services: Vec<String> = device
            .services
            .iter()
            .map(|s| match s.source {
                ServiceSource::Mdns => s.kind.clone(),
                ServiceSource::Upnp => format!(
                    "UPnP {}",
                    s.kind.rsplit(":device:").next().unwrap_or(&s.kind)
                ),
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled("Announces  ", dim()),
            Span::raw(services.join(", ")),
        ]));
    }
    lines
}
