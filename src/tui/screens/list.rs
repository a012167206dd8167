//! The device list: one row a device with its light (a red ✗ when the last scan found a problem
//! on it), name, kind, maker, address and progress. Its cursor lives in the shared model
//! ([`Home::list_cursor`]), so it is kept while other screens are open.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::catalog::Progress;
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, move_cursor};
use crate::tui::notice::Tone;
use crate::tui::theme::{dim, heading, light_span, selected};

/// What a key does on the device list.
pub fn on_key(home: &mut Home, action: Action) -> Effects {
    if action == Action::ShowNeedsYou {
        if home.fix_first().is_empty() {
            return vec![Effect::notice(Tone::Good, "Nothing to fix right now.")];
        }
        return vec![Effect::Go(Go::NeedsYou)];
    }
    let len = home.inventory.devices.len();
    move_cursor(&mut home.list_cursor, len, action);
    if action == Action::Open
        && let Some(device) = home.selected_device()
    {
        let id = device.id.clone();
        home.step_cursor = 0;
        return vec![Effect::Go(Go::Detail(id))];
    }
    Vec::new()
}

/// Draws the device list, or a friendly empty state (`scanning` while a scan runs).
pub fn render(home: &Home, scanning: bool, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Devices ", heading()))
        .border_style(dim());
    if home.inventory.devices.is_empty() {
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
            if home.can_scan {
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
    // The household summary above the list: as many of its lines as the height allows.
    let household = household_lines(home, area.width);
    // A line on a small terminal, four on a larger one, and up to six when the list fits beside.
    let least = match area.height {
        0..12 => 0,
        12..18 => 1,
        _ => 4,
    };
    let spare = usize::from(area.height)
        .saturating_sub(home.inventory.devices.len() + 3)
        .min(6);
    let shown = household.len().min(least.max(spare));
    let [summary_area, table_area, footer] = Layout::vertical([
        Constraint::Length(shown as u16),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(household.into_iter().take(shown).collect::<Vec<_>>()),
        summary_area,
    );
    // Only the rows that fit are built: a home of a thousand devices draws as fast as ten.
    let visible = usize::from(table_area.height.saturating_sub(2)).max(1);
    let first = (home.list_cursor + 1).saturating_sub(visible);
    let name_width = home
        .inventory
        .devices
        .iter()
        .map(|d| d.name().chars().count() + if d.known { 0 } else { 4 })
        .max()
        .unwrap_or(4)
        .clamp(12, 32) as u16;
    let columns = fit_columns(table_area.width, name_width);
    let rows = home
        .inventory
        .devices
        .iter()
        .skip(first)
        .take(visible)
        .map(|d| {
            let progress = home.catalog.progress(d, home.now);
            let problems = home.problems_on(d);
            let cells = columns.iter().map(|column| match column {
                // A problem found on the device shows as a red ✗ in place of its light.
                Column::Light if problems > 0 => Cell::from(Span::styled(
                    "✗",
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                )),
                Column::Light => Cell::from(light_span(progress.light())),
                Column::Name => {
                    let mut name = vec![Span::raw(d.name())];
                    if !d.known {
                        name.push(Span::styled(
                            " new",
                            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                        ));
                    }
                    Cell::from(Line::from(name))
                }
                Column::Kind => Cell::from(d.category().label()),
                Column::Maker => Cell::from(d.vendor.as_deref().unwrap_or("?")),
                Column::Address => Cell::from(match d.ip {
                    Some(ip) if !home.inventory.is_offline(d) => Span::raw(ip.to_string()),
                    _ => Span::styled("offline", dim()),
                }),
                Column::Progress => Cell::from(progress_line(progress)),
            });
            Row::new(cells.collect::<Vec<_>>())
        });
    let header = Row::new(columns.iter().map(|c| c.title())).style(dim());
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|c| match c {
            Column::Name => Constraint::Min(name_width.min(table_area.width.saturating_sub(4))),
            Column::Maker => Constraint::Fill(1),
            other => Constraint::Length(other.width()),
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::new().with_selected(Some(home.list_cursor - first));
    frame.render_stateful_widget(table, table_area, &mut state);
    frame.render_widget(Paragraph::new(summary(home)).style(dim()), footer);
}

/// The household summary as lines `width` wide: the score's sparkline (green when the latest
/// point is up on the first one shown, red when down) before how safe the home is, then the most
/// dangerous open problem and what is due next, wrapped.
fn household_lines(home: &Home, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width).max(8);
    let [standing, worst, due] = home.household.sentences.clone();
    let spark = crate::session::trend::sparkline(&home.inventory.history, 24);
    let history = &home.inventory.history;
    let start = history.len().saturating_sub(24);
    let trend = match (history.get(start), history.last()) {
        (Some(a), Some(b)) if b.score > a.score => Color::Green,
        (Some(a), Some(b)) if b.score < a.score => Color::Red,
        _ => Color::Cyan,
    };
    let lead = if spark.is_empty() {
        String::new()
    } else {
        format!("{spark} ")
    };
    let first = crate::tui::wrap::wrap(&standing, width.saturating_sub(lead.chars().count() + 1));
    let mut lines = Vec::new();
    for (n, text) in first.into_iter().enumerate() {
        let lead_span = if n == 0 {
            Span::styled(lead.clone(), Style::new().fg(trend))
        } else {
            Span::raw(" ".repeat(lead.chars().count()))
        };
        lines.push(Line::from(vec![
            Span::raw(" "),
            lead_span,
            Span::styled(text, heading()),
        ]));
    }
    for sentence in [worst, due] {
        for text in crate::tui::wrap::wrap(&sentence, width.saturating_sub(1)) {
            lines.push(Line::from(vec![Span::raw(" "), Span::styled(text, dim())]));
        }
    }
    lines
}

/// A column of the device list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The traffic light.
    Light,
    /// The name and the "new" marker.
    Name,
    /// The kind of device.
    Kind,
    /// The maker.
    Maker,
    /// The address, or "offline".
    Address,
    /// The progress bar and count.
    Progress,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Light => "",
            Column::Name => "Name",
            Column::Kind => "Kind",
            Column::Maker => "Maker",
            Column::Address => "Address",
            Column::Progress => "Progress",
        }
    }

    /// The width it needs (the maker's is its least).
    fn width(self) -> u16 {
        match self {
            Column::Light => 1,
            Column::Name => 12,
            Column::Kind => 12,
            Column::Maker => 10,
            Column::Address => 15,
            Column::Progress => 11,
        }
    }
}

/// The columns that fit in `width` with the names `name_width` wide: they give way in the order
/// maker, address, progress, kind; the light and the name (with its "new" marker) always stay.
pub fn fit_columns(width: u16, name_width: u16) -> Vec<Column> {
    use Column::*;
    let mut columns = vec![Light, Name, Kind, Maker, Address, Progress];
    // The highlight symbol takes two columns; each column after the first one space.
    let needed = |cols: &[Column]| -> u16 {
        let widths: u16 = cols
            .iter()
            .map(|c| if *c == Name { name_width } else { c.width() })
            .sum();
        widths + 2 + cols.len().saturating_sub(1) as u16
    };
    for drop in [Maker, Address, Progress, Kind] {
        if needed(&columns) <= width {
            break;
        }
        columns.retain(|c| *c != drop);
    }
    columns
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
            Style::new().fg(crate::tui::theme::light_color(p.light())),
        ),
        Span::styled("░".repeat(5 - filled), dim()),
        Span::raw(format!(" {p}")),
    ])
}

fn summary(home: &Home) -> String {
    let total = home.inventory.devices.len();
    let mut done = 0;
    let mut failed = 0;
    let mut with_problems = 0;
    for d in &home.inventory.devices {
        if home.problems_on(d) > 0 {
            with_problems += 1;
        }
        let p = home.catalog.progress(d, home.now);
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
