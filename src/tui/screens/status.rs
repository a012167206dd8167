//! The header (where, counts) and the status line (last notice, save state, key hints).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Tone};
use crate::tui::keys::{Action, Mode, bindings_for};
use crate::tui::render::{dim, heading};

/// Draws the header row.
pub fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let devices = app.inventory.devices.len();
    let (open, postponed) = app
        .inventory
        .devices
        .iter()
        .map(|d| app.catalog.progress(d, app.now))
        .fold((0, 0), |(o, p), d| (o + d.open(), p + d.postponed));
    let score = crate::score::home_value(&app.catalog, &app.inventory);
    let later = if postponed > 0 {
        format!(" · {postponed} put off")
    } else {
        String::new()
    };
    let counts = format!("{devices} devices · {open} steps open{later} · score {score} ");
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(counts.chars().count() as u16),
    ])
    .areas(area);
    let title = Line::from(vec![
        Span::styled(" porchlight ", heading()),
        Span::styled(format!("· {}", app.place), dim()),
    ]);
    frame.render_widget(Paragraph::new(title), left);
    frame.render_widget(Paragraph::new(Span::styled(counts, dim())), right);
}

/// Draws the status line: the latest notice, else the save state, with key hints on the right.
pub fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let hints = key_hints(app.mode());
    // A notice matters more than the hints: it gets the whole line.
    let has_notice = app.notice.is_some() || app.save.error.is_some();
    let hints_width = if has_notice {
        0
    } else {
        (hints.chars().count() as u16).min(area.width)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(hints_width)]).areas(area);
    let (text, style) = match (&app.notice, &app.save.error) {
        (Some(n), _) => {
            let style = match n.tone {
                Tone::Info => Style::new(),
                Tone::Good => Style::new().fg(Color::Green),
                Tone::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            };
            (n.text.clone(), style)
        }
        (None, Some(e)) => (
            format!("Not saved: {e}"),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        (None, None) if app.save.pending() => ("Saving…".to_string(), dim()),
        (None, None) => (String::new(), dim()),
    };
    let error_shown = app.notice.as_ref().is_some_and(|n| n.tone == Tone::Error);
    // "saved" next to an error would read as if what was refused had been saved.
    let saved = if app.save.pending() || error_shown {
        ""
    } else if app.save.generation > 0 {
        " ✓ saved"
    } else {
        ""
    };
    let line = Line::from(vec![
        Span::styled(format!(" {text}"), style),
        Span::styled(saved, dim()),
    ]);
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(
        Paragraph::new(Span::styled(hints, dim())).right_aligned(),
        right,
    );
}

fn key_hints(mode: Mode) -> String {
    let wanted: &[Action] = match mode {
        Mode::List => &[
            Action::Open,
            Action::ShowNeedsYou,
            Action::Rescan,
            Action::ToggleHelp,
        ],
        Mode::NeedsYou => &[Action::Open, Action::Back, Action::ToggleHelp, Action::Quit],
        Mode::Detail => &[
            Action::Open,
            Action::Guide,
            Action::Back,
            Action::ToggleHelp,
        ],
        Mode::Wizard => &[
            Action::NextPage,
            Action::Pick,
            Action::MarkDone,
            Action::Back,
            Action::ToggleHelp,
        ],
        Mode::Typing | Mode::Picker => &[Action::Confirm, Action::Back],
        Mode::Confirm => &[Action::Yes, Action::Back],
        Mode::Info => &[Action::Back],
        Mode::Help => &[Action::Back, Action::Quit],
    };
    let parts: Vec<String> = bindings_for(mode)
        .filter(|b| wanted.contains(&b.action))
        .map(|b| {
            let key = b.label.split(' ').next().unwrap_or(b.label);
            format!("{key} {}", b.short)
        })
        .collect();
    format!("{} ", parts.join(" · "))
}
