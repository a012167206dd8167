//! "Fix first": the problems the last scan found, most dangerous first, each with its device and
//! evidence; then what came undone, new devices and steps due again; then steps that already look
//! fine and wait for the owner's word. Each line is one key away from its wizard.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::fix_first::{FixItem, FixKind};
use crate::tui::home::Home;
use crate::tui::keys::{Action, move_cursor};
use crate::tui::theme::{dim, heading, selected};

/// Width of the device-name column.
const NAME_WIDTH: usize = 18;

/// Width of the "why" column on terminals wide enough for it.
const WHY_WIDTH: usize = 21;

/// The Fix first screen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedsYou {
    /// The highlighted row.
    pub cursor: usize,
}

impl NeedsYou {
    /// What a key does on the Fix first list.
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        let items = home.fix_first();
        move_cursor(&mut self.cursor, items.len(), action);
        let Some(item) = items.get(self.cursor) else {
            return match action {
                Action::Back => vec![Effect::Go(Go::List)],
                _ => Vec::new(),
            };
        };
        match action {
            Action::Back => vec![Effect::Go(Go::List)],
            Action::ConfirmFine => {
                let Some(step) = &item.step else {
                    return Vec::new();
                };
                let effects = home.confirm_fine(&item.device, step, false);
                let last = home.fix_first().len().saturating_sub(1);
                self.cursor = self.cursor.min(last);
                effects
            }
            Action::Open => {
                if let Some(pos) = home
                    .inventory
                    .devices
                    .iter()
                    .position(|d| d.id == item.device)
                {
                    home.list_cursor = pos;
                }
                let device = item.device.clone();
                match &item.step {
                    Some(step) => {
                        if let Some(d) = home.device(&device) {
                            let steps = home.steps_of(d);
                            home.step_cursor =
                                steps.iter().position(|s| s.id == *step).unwrap_or(0);
                        }
                        vec![Effect::Go(Go::Wizard(device, step.clone()))]
                    }
                    None => {
                        home.step_cursor = 0;
                        vec![Effect::Go(Go::Detail(device))]
                    }
                }
            }
            _ => Vec::new(),
        }
    }
}

/// Draws the Fix first list.
pub fn render(home: &Home, cursor: usize, frame: &mut Frame, area: Rect) {
    let area = watch_news(home, frame, area);
    let items = home.fix_first();
    let problems = items.iter().filter(|i| i.kind == FixKind::Problem).count();
    let title = match problems {
        0 => format!(" Fix first · {} ", items.len()),
        1 => format!(" Fix first · 1 problem found · {} in all ", items.len()),
        n => format!(" Fix first · {n} problems found · {} in all ", items.len()),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(Span::styled(title, heading()));
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(""),
                Line::styled(" Nothing to fix right now.", heading()),
                Line::from(" The last scan found no problems and nothing is due. Esc goes to your devices."),
            ])
            .block(block),
            area,
        );
        return;
    }
    let [list_area, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    // The highlight symbol takes two columns.
    let width = usize::from(list_area.width.saturating_sub(2));
    let rows: Vec<ListItem> = items
        .iter()
        .enumerate()
        .map(|(n, item)| ListItem::new(item_lines(item, width, n == cursor)))
        .collect();
    let list = List::new(rows)
        .block(block)
        .highlight_style(selected())
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(list, list_area, &mut state);
    if let Some(item) = items.get(cursor) {
        frame.render_widget(Paragraph::new(footer_text(home, item)).style(dim()), footer);
    }
}

/// The mark at the start of a line, and its colour.
fn mark(kind: FixKind) -> (&'static str, Color) {
    match kind {
        FixKind::Problem => ("✗", Color::Red),
        FixKind::Regression => ("!", Color::Red),
        FixKind::NewDevice => ("+", Color::Yellow),
        FixKind::Due(_) => ("↻", Color::Cyan),
        FixKind::LooksFine => ("✓", Color::Green),
    }
}

/// One entry: the device, what to do and why it is listed; below it, what porchlight saw (the
/// whole evidence for the highlighted entry, one line for the others).
fn item_lines(item: &FixItem, width: usize, current: bool) -> Vec<Line<'static>> {
    let (symbol, color) = mark(item.kind);
    let what = match &item.step {
        Some(step) => format!("{step} {}", item.title),
        None => item.title.clone(),
    };
    let why = match (item.kind, item.risk) {
        (FixKind::Problem | FixKind::Regression, Some(risk)) => risk.to_string(),
        _ => item.why_label().to_string(),
    };
    let show_why = width >= 70;
    let what_width = width
        .saturating_sub(2 + NAME_WIDTH + 1)
        .saturating_sub(if show_why { WHY_WIDTH + 1 } else { 0 });
    let what_style = if matches!(item.kind, FixKind::Problem | FixKind::Regression) {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    let mut first = vec![
        Span::styled(format!("{symbol} "), Style::new().fg(color)),
        Span::raw(format!("{} ", pad(&item.device_name, NAME_WIDTH))),
        Span::styled(pad(&what, what_width), what_style),
    ];
    if show_why {
        first.push(Span::styled(
            format!(" {}", pad(&why, WHY_WIDTH)),
            Style::new().fg(color),
        ));
    }
    let mut lines = vec![Line::from(first)];
    let indent = "    ";
    let evidence = match (&item.evidence, show_why) {
        (Some(e), _) if item.kind == FixKind::NewDevice => Some(e.clone()),
        (Some(e), _) => Some(format!("saw: {e}")),
        // Without the why column, say why on the second line.
        (None, false) => Some(why),
        (None, true) => None,
    };
    if let Some(text) = evidence {
        let style = if matches!(item.kind, FixKind::Problem | FixKind::Regression) {
            Style::new().fg(Color::LightRed)
        } else {
            dim()
        };
        let room = width.saturating_sub(indent.len()).max(10);
        let wrapped = crate::tui::theme::hanging(Span::raw(indent), &text, width as u16);
        if current {
            lines.extend(wrapped.into_iter().map(|l| l.style(style)));
        } else {
            lines.push(Line::styled(
                format!("{indent}{}", pad(&text, room).trim_end()),
                style,
            ));
        }
    }
    lines
}

fn footer_text(home: &Home, item: &FixItem) -> String {
    let date = item.since.to_zoned(home.tz.clone()).date();
    let name = &item.device_name;
    match item.kind {
        FixKind::Problem => format!(" {name}: Enter shows how to fix it"),
        FixKind::Regression => format!(" {name}: came undone {date} · Enter shows how to fix it"),
        FixKind::LooksFine => format!(" {name}: y confirms it as verified · Enter opens the step"),
        FixKind::NewDevice => format!(" {name}: first seen {date} · Enter opens the device"),
        FixKind::Due(_) => format!(" {name}: due since {date} · Enter opens the step"),
    }
}

/// `text` cut or padded to exactly `width` characters, with … where it was cut.
fn pad(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text}{}", " ".repeat(width - count))
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// Draws what `porchlight watch` found since the owner last looked at the bottom of `area` (at
/// most a third of it), and returns the rest.
fn watch_news(home: &Home, frame: &mut Frame, area: Rect) -> Rect {
    if home.watch_news.is_empty() || area.height < 6 {
        return area;
    }
    let shown = home
        .watch_news
        .len()
        .min(usize::from(area.height / 3).saturating_sub(1).max(1));
    let height = u16::try_from(shown + 1).unwrap_or(area.height / 3);
    let [rest, news] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
    let mut lines = vec![Line::styled(
        format!(
            " Watch found since you last looked · {}",
            home.watch_news.len()
        ),
        heading(),
    )];
    lines.extend(home.watch_news.iter().take(shown).map(|e| {
        let when = e.at.to_zoned(home.tz.clone()).strftime("%b %d %H:%M");
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
