//! A password on screen: the one just made for a device, or the one kept for it in the keyring.
//! It stays until the owner closes it, and is dropped from memory then.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::tui::app::SecretView;
use crate::tui::render::{ACCENT, dim, heading};

/// Draws the password popup over `area`.
pub fn render(view: &SecretView, frame: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from("")];
    match &view.password {
        Some(password) => lines.push(Line::styled(
            format!("  {}", password.expose()),
            Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
        )),
        None => lines.push(Line::styled("  …", dim())),
    }
    lines.push(Line::from(""));
    let note_style = if view.problem {
        Style::new().fg(Color::Red)
    } else {
        dim()
    };
    let width = area.width.min(80);
    lines.extend(
        super::hanging(Span::raw("  "), &view.note, width.saturating_sub(4))
            .into_iter()
            .map(|l| l.style(note_style)),
    );
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(8.min(area.height))])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(Style::new().fg(ACCENT))
                .title(Span::styled(
                    format!(" Password for {} ", view.device_name),
                    heading(),
                ))
                .title_bottom(Span::styled(
                    " Esc closes and clears it from the screen ",
                    dim(),
                )),
        ),
        popup,
    );
}
