//! The device list: one row a device with its light (a red ✗ when the last scan found a problem
//! on it), name, kind, maker, address and progress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::light_span;
use crate::catalog::Progress;
use crate::tui::app::App;
use crate::tui::render::{dim, heading, selected};

/// Draws the device list, or a friendly empty state.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Devices ", heading()))
        .border_style(dim());
    if app.inventory.devices.is_empty() {
        let scanning = app.scan.as_ref().is_some_and(|s| s.running);
        let mut text = vec![Line::from("")];
        if scanning {
            text.push(Line::styled(
                "Looking for the devices on your network…",
                heading(),
            ));
            text.push(Line::from(""));
            text.push(Line::from(
                "They appear here as they answer. This takes a few seconds.",
            ));
        } else {
            text.push(Line::styled("No devices saved yet.", heading()));
            text.push(Line::from(""));
            text.push(Line::from(
                "porchlight keeps the devices of your home here, with how far each one is along its safety checklist.",
            ));
            text.push(Line::from(""));
            if app.can_scan {
                text.push(Line::from(vec![
                    Span::raw("Press "),
                    Span::styled("r", heading()),
                    Span::raw(" to scan your network."),
                ]));
            }
            text.push(Line::from(vec![
                Span::raw("To look around first, try the demo home: "),
                Span::styled("porchlight --demo", heading()),
            ]));
        }
        frame.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [table_area, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    // Only the rows that fit are built: a home of a thousand devices draws as fast as ten.
    let visible = usize::from(table_area.height.saturating_sub(2)).max(1);
    let first = (app.list_cursor + 1).saturating_sub(visible);
    let rows = app
        .inventory
        .devices
        .iter()
        .skip(first)
        .take(visible)
        .map(|d| {
            let progress = app.catalog.progress(d);
            let problems = app.problems_on(d);
            let mut name = vec![Span::raw(d.name.as_str())];
            if !d.known {
                name.push(Span::styled(
                    " new",
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ));
            }
            let address = match d.ip {
                Some(ip) if !app.inventory.is_offline(d) => Span::raw(ip.to_string()),
                _ => Span::styled("offline", dim()),
            };
            // A problem found on the device shows as a red ✗ in place of its light.
            let light = if problems > 0 {
                Span::styled(
                    "✗",
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                )
            } else {
                light_span(progress.light())
            };
            Row::new(vec![
                Cell::from(light),
                Cell::from(Line::from(name)),
                Cell::from(d.category.label()),
                Cell::from(d.vendor.as_deref().unwrap_or("?")),
                Cell::from(address),
                Cell::from(progress_line(progress)),
            ])
        });
    let header = Row::new(["", "Name", "Kind", "Maker", "Address", "Progress"]).style(dim());
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Fill(3),
            Constraint::Length(12),
            Constraint::Fill(2),
            Constraint::Length(15),
            Constraint::Length(12),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(selected())
    .highlight_symbol("▶ ");
    let mut state = TableState::new().with_selected(Some(app.list_cursor - first));
    frame.render_stateful_widget(table, table_area, &mut state);
    frame.render_widget(Paragraph::new(summary(app)).style(dim()), footer);
}

/// A five-cell bar and the count: `██░░░ 4/18`.
fn progress_line(p: Progress) -> Line<'static> {
    let filled = (p.settled * 5 + p.total / 2)
        .checked_div(p.total)
        .unwrap_or(0)
        .min(5);
    Line::from(vec![
        Span::styled(
            "█".repeat(filled),
            Style::new().fg(super::light_color(p.light())),
        ),
        Span::styled("░".repeat(5 - filled), dim()),
        Span::raw(format!(" {p}")),
    ])
}

fn summary(app: &App) -> String {
    let total = app.inventory.devices.len();
    let mut done = 0;
    let mut failed = 0;
    let mut with_problems = 0;
    for d in &app.inventory.devices {
        if app.problems_on(d) > 0 {
            with_problems += 1;
        }
        let p = app.catalog.progress(d);
        if p.total > 0 && p.settled == p.total {
            done += 1;
        }
        if p.failed > 0 {
            failed += 1;
        }
    }
    let mut text = format!(" {done} of {total} devices fully hardened");
    if with_problems > 0 {
        text.push_str(&format!(
            " · {with_problems} with problems found (n: fix first)"
        ));
    }
    if failed > 0 {
        text.push_str(&format!(" · {failed} with a failed check"));
    }
    text
}
