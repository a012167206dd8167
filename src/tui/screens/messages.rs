//! The messages view: every notice of this session, whole and wrapped (links too), newest at the
//! bottom, scrolled with ↑↓. Drawn over the body like the help.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::tui::messages::MessageLog;
use crate::tui::notice::Tone;
use crate::tui::theme::{ACCENT, dim, heading};
use crate::tui::wrap::wrap;

/// The style of a notice of `tone`.
pub fn tone_style(tone: Tone) -> Style {
    match tone {
        Tone::Info => Style::new(),
        Tone::Good => Style::new().fg(Color::Green),
        Tone::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    }
}

/// Draws the messages log over `area`.
pub fn render(log: &MessageLog, tz: &jiff::tz::TimeZone, frame: &mut Frame, area: Rect) {
    let inner = Block::bordered().inner(area).inner(Margin::new(1, 0));
    // "12:00:03 " before each message; following lines are indented to match.
    let stamp_width = 9;
    let text_width = usize::from(inner.width).saturating_sub(stamp_width).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for notice in log.entries() {
        let time = notice
            .at
            .to_zoned(tz.clone())
            .time()
            .strftime("%H:%M:%S")
            .to_string();
        for (i, part) in wrap(&notice.text, text_width).into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(format!("{time} "), dim())
            } else {
                Span::raw(" ".repeat(stamp_width))
            };
            lines.push(Line::from(vec![
                lead,
                Span::styled(part, tone_style(notice.tone)),
            ]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("Nothing has been said yet.", dim()));
    }
    let total = lines.len() as u16;
    let last = total.saturating_sub(inner.height);
    // Scrolled up from the newest, which sits at the bottom.
    let top = last.saturating_sub(log.scroll);
    let hint = if last > 0 {
        " ↑↓ scroll · M or Esc closes "
    } else {
        " M or Esc closes "
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(ACCENT))
        .title(Span::styled(" Messages, newest last ", heading()))
        .title_bottom(Span::styled(hint, dim()));
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines).scroll((top, 0)), inner);
}
