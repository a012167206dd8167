//! "What needs you": the checks that came undone, new devices and steps due for a look again,
//! most urgent first, each one key away from its wizard.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use crate::reminders::Why;
use crate::tui::app::App;
use crate::tui::render::{dim, heading, selected};

/// Draws the list of what needs the owner.
pub fn render(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let area = watch_news(app, frame, area);
    let items = app.needs_you();
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(Span::styled(
            format!(" What needs you · {} ", items.len()),
            heading(),
        ));
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(""),
                Line::styled(" Nothing needs you right now.", heading()),
                Line::from(" Esc goes to your devices."),
            ])
            .block(block),
            area,
        );
        return;
    }
    let rows = items.iter().map(|r| {
        let (mark, color) = match r.why {
            Why::Regression => ("✗", Color::Red),
            Why::NewDevice => ("+", Color::Yellow),
            _ => ("↻", Color::Cyan),
        };
        let what = match &r.step {
            Some(step) => format!("{step} {}", r.title),
            None => r.title.clone(),
        };
        Row::new(vec![
            Cell::from(Span::styled(mark, Style::new().fg(color))),
            Cell::from(r.device_name.clone()),
            Cell::from(what),
            Cell::from(Span::styled(r.why.label(), dim())),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(18),
            Constraint::Fill(1),
            Constraint::Length(19),
        ],
    )
    .block(block)
    .row_highlight_style(selected())
    .highlight_symbol("▶ ");
    let [list, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let mut state = TableState::new().with_selected(Some(cursor));
    frame.render_stateful_widget(table, list, &mut state);
    if let Some(r) = items.get(cursor) {
        let date = r.due.to_zoned(app.tz.clone()).date();
        let text = match &r.step {
            Some(_) => format!(
                " {}: due since {date} · Enter opens the step",
                r.device_name
            ),
            None => format!(
                " {}: first seen {date} · Enter opens the device",
                r.device_name
            ),
        };
        frame.render_widget(Paragraph::new(text).style(dim()), footer);
    }
}

/// Draws what `porchlight watch` found since the owner last looked at the bottom of `area` (at
/// most a third of it), and returns the rest.
fn watch_news(app: &App, frame: &mut Frame, area: Rect) -> Rect {
    if app.watch_news.is_empty() || area.height < 6 {
        return area;
    }
    let shown = app
        .watch_news
        .len()
        .min(usize::from(area.height / 3).saturating_sub(1).max(1));
    let height = u16::try_from(shown + 1).unwrap_or(area.height / 3);
    let [rest, news] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
    let mut lines = vec![Line::styled(
        format!(
            " Watch found since you last looked · {}",
            app.watch_news.len()
        ),
        heading(),
    )];
    lines.extend(app.watch_news.iter().take(shown).map(|e| {
        let when = e.at.to_zoned(app.tz.clone()).strftime("%b %d %H:%M");
        Line::from(vec![
            Span::styled(
                format!(" {} ", e.kind.mark()),
                Style::new().fg(Color::Yellow),
            ),
            Span::styled(format!("{when}  "), dim()),
            Span::raw(e.line.clone()),
        ])
    }));
    frame.render_widget(Paragraph::new(lines), news);
    rest
}
