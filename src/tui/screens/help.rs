//! The help overlay, written from the same key table that dispatches keys: each binding is listed
//! once, under the first place it works. [`Help`] is its state: shown or not, and how far
//! scrolled.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::tui::keys::{Action, BINDINGS, Mode};
use crate::tui::theme::{ACCENT, dim, heading};

const LEFT: [(Mode, &str); 2] = [(Mode::List, "Moving around"), (Mode::Detail, "On a device")];
const RIGHT: [(Mode, &str); 4] = [
    (Mode::Wizard, "Steps and passwords"),
    (Mode::Mappings, "The router's UPnP forwards"),
    (Mode::Typing, "Typing a reason or a name"),
    (Mode::Confirm, "Answering a question"),
];

/// The help overlay's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Help {
    /// The help is shown over the screen.
    pub shown: bool,
    /// How far it is scrolled (clamped when drawn).
    pub scroll: u16,
}

impl Help {
    /// Shows or hides the help, from its top.
    pub fn toggle(&mut self) {
        self.shown = !self.shown;
        self.scroll = 0;
    }

    /// What a key does while the help is shown: scroll it, or close it.
    pub fn on_key(&mut self, action: Action) {
        match action {
            Action::Back => self.shown = false,
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1).min(line_count()),
            _ => {}
        }
    }
}

/// Draws the help over `area`, scrolled down by `scroll` lines when it does not fit: in two
/// columns when the terminal is wide enough, else in one.
pub fn render(scroll: u16, frame: &mut Frame, area: Rect) {
    let [popup] = Layout::horizontal([Constraint::Length(area.width.min(80))])
        .flex(Flex::Center)
        .areas(area);
    let inner = Block::bordered().inner(popup).inner(Margin::new(1, 0));
    let two_columns = inner.width >= 70;
    let columns: Vec<Vec<Line<'static>>> = if two_columns {
        let width = inner.width.saturating_sub(1) / 2;
        vec![column(&LEFT, width), column(&RIGHT, width)]
    } else {
        let width = inner.width;
        vec![
            [
                column(&LEFT, width),
                vec![Line::from("")],
                column(&RIGHT, width),
            ]
            .concat(),
        ]
    };
    let columns: Vec<Vec<Line<'static>>> =
        columns.into_iter().map(|c| fit(c, inner.height)).collect();
    let longest = columns.iter().map(Vec::len).max().unwrap_or(0) as u16;
    let last = longest.saturating_sub(inner.height);
    let scroll = scroll.min(last);
    let hint = if last == 0 {
        " Esc or ? closes · progress saves by itself ".to_string()
    } else {
        format!(
            " ↑↓ scroll ({}-{} of {longest}) · Esc closes ",
            scroll + 1,
            (scroll + inner.height).min(longest)
        )
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(ACCENT))
        .title(Span::styled(" Keys ", heading()))
        .title_bottom(Span::styled(hint, dim()));
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let constraints = vec![Constraint::Fill(1); columns.len()];
    let areas = Layout::horizontal(constraints).spacing(1).split(inner);
    for (lines, area) in columns.into_iter().zip(areas.iter()) {
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), *area);
    }
}

/// Drops the blank lines between sections when the column is taller than `height` rows, so that
/// every binding stays in view as long as there is room for it.
fn fit(lines: Vec<Line<'static>>, height: u16) -> Vec<Line<'static>> {
    if lines.len() <= usize::from(height) {
        return lines;
    }
    lines.into_iter().filter(|l| l.width() > 0).collect()
}

/// The number of help lines in one column: the most the help can be scrolled.
pub fn line_count() -> u16 {
    // At the narrowest column, where help texts wrap the most.
    (column(&LEFT, 20).len() + 1 + column(&RIGHT, 20).len()) as u16
}

/// The lines of the sections in `sections`, for a column `width` wide: each help text wraps under
/// itself, beside its keys.
pub fn column(sections: &[(Mode, &'static str)], width: u16) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (mode, title) in sections {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::styled(*title, heading()));
        let label_width = sections
            .iter()
            .flat_map(|(m, _)| BINDINGS.iter().filter(move |b| b.modes.first() == Some(m)))
            .map(|b| b.label.chars().count() + 1)
            .max()
            .unwrap_or(0);
        for b in BINDINGS.iter().filter(|b| b.modes.first() == Some(mode)) {
            let keys = Span::styled(
                format!("{:<label_width$}", b.label),
                Style::new().fg(ACCENT),
            );
            lines.extend(crate::tui::theme::hanging(keys, b.help, width));
        }
    }
    lines
}
