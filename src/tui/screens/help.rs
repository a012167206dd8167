//! The help overlay, written from the same key table that dispatches keys: each binding is listed
//! once, under the first place it works.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::tui::keys::{BINDINGS, Mode};
use crate::tui::render::{ACCENT, dim, heading};

const LEFT: [(Mode, &str); 2] = [(Mode::List, "Moving around"), (Mode::Detail, "On a device")];
const RIGHT: [(Mode, &str); 3] = [
    (Mode::Wizard, "Steps and passwords"),
    (Mode::Typing, "Typing a reason or a name"),
    (Mode::Confirm, "Answering a question"),
];

/// Draws the help over `area`.
pub fn render(frame: &mut Frame, area: Rect) {
    let [popup] = Layout::horizontal([Constraint::Length(area.width.min(80))])
        .flex(Flex::Center)
        .areas(area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(ACCENT))
        .title(Span::styled(" Keys ", heading()))
        .title_bottom(Span::styled(
            " Esc or ? closes · progress saves by itself ",
            dim(),
        ));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
        .spacing(1)
        .areas(inner.inner(Margin::new(1, 0)));
    frame.render_widget(Paragraph::new(fit(column(&LEFT), left.height)), left);
    frame.render_widget(Paragraph::new(fit(column(&RIGHT), right.height)), right);
}

/// Drops the blank lines between sections when the column is taller than `height` rows, so that
/// every binding stays in view as long as there is room for it.
fn fit(lines: Vec<Line<'static>>, height: u16) -> Vec<Line<'static>> {
    if lines.len() <= usize::from(height) {
        return lines;
    }
    lines.into_iter().filter(|l| l.width() > 0).collect()
}

/// The lines of the sections in `sections`.
pub fn column(sections: &[(Mode, &'static str)]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (mode, title) in sections {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::styled(*title, heading()));
        for b in BINDINGS.iter().filter(|b| b.modes.first() == Some(mode)) {
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", b.label), Style::new().fg(ACCENT)),
                Span::raw(b.help),
            ]));
        }
    }
    lines
}
