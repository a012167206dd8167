//! The look of the TUI, the lowest layer of drawing: colours, styles and the small drawing helpers
//! every screen shares (coloured state words, due dates, hanging indents, popups, a text box).
//! Anything under src/tui may import this file; it imports nothing from the TUI but the text box.

use jiff::Timestamp;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use crate::catalog::{Light, Recheck, Step};
use crate::model::{Device, FindingVerdict, StepId, StepState};
use crate::reminders::DueContext;

/// The accent colour of headings and the selection.
pub const ACCENT: Color = Color::Cyan;

/// Style of secondary text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Style of headings.
pub fn heading() -> Style {
    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
}

/// Style of the highlighted row.
pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(40, 60, 80))
        .add_modifier(Modifier::BOLD)
}

/// The traffic light of a device as a coloured dot.
pub fn light_span(light: Light) -> Span<'static> {
    Span::styled("●", Style::new().fg(light_color(light)))
}

/// The colour of a traffic light.
pub fn light_color(light: Light) -> Color {
    match light {
        Light::Red => Color::Red,
        Light::Amber => Color::Yellow,
        Light::Green => Color::Green,
    }
}

/// A step state as a symbol and word, coloured.
pub fn state_span(state: &StepState) -> Span<'static> {
    let (text, color) = match state {
        StepState::Todo => ("○ to do", Color::Yellow),
        StepState::Done => ("✓ done", Color::Green),
        StepState::Verified => ("✓ verified", Color::LightGreen),
        StepState::Failed => ("✗ failed", Color::Red),
        StepState::NotApplicable => ("– n/a", Color::DarkGray),
        StepState::Accepted { .. } => ("! accepted", Color::Magenta),
    };
    Span::styled(text, Style::new().fg(color))
}

/// What the last scan found for `step` on `device`, as a symbol and word, coloured; empty when
/// nothing was checked.
pub fn finding_span(device: &Device, step: &StepId) -> Span<'static> {
    let Some(finding) = device.findings.get(step) else {
        return Span::raw("");
    };
    let (text, color) = match finding.verdict {
        FindingVerdict::Problem => ("✗ problem", Color::Red),
        FindingVerdict::Fine => ("✓ looks fine", Color::Green),
        FindingVerdict::Unknown => ("? unknown", Color::DarkGray),
        FindingVerdict::NotApplicable => ("– does not apply", Color::DarkGray),
    };
    let style = if finding.verdict == FindingVerdict::Problem {
        Style::new()
            .fg(color)
            .add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        Style::new().fg(color)
    };
    Span::styled(text, style)
}

/// When the step is next due, in few characters: "now", "in 5d", "2027-03-01", "next scan" or "—".
pub fn due_text(step: &Step, device: &Device, ctx: &DueContext, now: Timestamp) -> String {
    let state = device
        .progress
        .get(&step.id)
        .map(crate::model::StepProgress::effective);
    let due = match crate::reminders::due(step, device, ctx) {
        Some((at, _)) => at,
        None => {
            return match state.as_ref() {
                None | Some(StepState::Todo | StepState::Failed) => "now".into(),
                Some(StepState::NotApplicable) => "—".into(),
                Some(_) if step.recheck == Recheck::EveryScan => "next scan".into(),
                Some(_) => "—".into(),
            };
        }
    };
    if due <= now {
        return "now".into();
    }
    let days = (due.as_second() - now.as_second()) / 86_400;
    if days < 30 {
        format!("in {}d", days.max(1))
    } else {
        due.to_zoned(ctx.tz.clone()).date().to_string()
    }
}

/// A short date for "first seen" and such.
pub fn date_text(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

/// Word-wraps `text` to `width` columns behind `first` (a label or a list number), indenting the
/// following lines by the label's width so that lists and labelled values read as blocks.
pub fn hanging(first: Span<'static>, text: &str, width: u16) -> Vec<ratatui::text::Line<'static>> {
    use ratatui::text::Line;
    let indent = first.content.chars().count();
    let room = (width as usize).saturating_sub(indent).max(10);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > room {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    let mut first = Some(first);
    lines
        .into_iter()
        .map(|l| {
            let lead = first
                .take()
                .unwrap_or_else(|| Span::raw(" ".repeat(indent)));
            Line::from(vec![lead, Span::raw(l)])
        })
        .collect()
}

/// A one-field text box at the bottom of `area`, with a title and a key hint (for typing a reason or
/// a name).
pub fn text_box(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    title: &str,
    text: &crate::tui::textbox::TextBox,
) {
    use ratatui::layout::{Constraint, Layout};
    use ratatui::widgets::{Clear, Paragraph, Wrap};
    let [_, area] = Layout::vertical([Constraint::Fill(1), Constraint::Length(5)]).areas(area);
    let block = popup_block(title, "Enter save · Esc cancel · Ctrl-U clear", ACCENT);
    let (before, after) = text.split();
    let line = ratatui::text::Line::from(vec![
        Span::raw(before.to_string()),
        Span::styled("▏", heading()),
        Span::raw(after.to_string()),
    ]);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(line).block(block).wrap(Wrap { trim: false }),
        area,
    );
}

/// A `width` by `height` rectangle centred in `area` (clipped to it), for popups.
pub fn centered(area: ratatui::layout::Rect, width: u16, height: u16) -> ratatui::layout::Rect {
    use ratatui::layout::{Constraint, Flex, Layout};
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(popup);
    popup
}

/// The frame of a popup: rounded, in `color`, with a title and a key hint along the bottom.
pub fn popup_block(
    title: impl Into<String>,
    hint: &str,
    color: Color,
) -> ratatui::widgets::Block<'static> {
    use ratatui::widgets::{Block, BorderType};
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(color))
        .title(Span::styled(format!(" {} ", title.into()), heading()))
        .title_bottom(Span::styled(format!(" {hint} "), dim()))
}
