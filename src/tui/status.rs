//! The header (where, counts) and the status line (last notice, save state, key hints).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keys::{Action, Mode, bindings_for};
use crate::tui::notice::Tone;
use crate::tui::theme::{dim, heading};
use crate::tui::wrap::wrap;

/// Draws the header row: where, then the counts (devices, problems found, steps open, put off,
/// score). The counts shorten on narrow terminals so the problems stay in view, and the place is
/// cut with "…" so the two never run together.
pub fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let devices = app.inventory().devices.len();
    let (open, postponed) = app
        .inventory()
        .devices
        .iter()
        .map(|d| app.catalog().progress(d, app.home().now))
        .fold((0, 0), |(o, p), d| (o + d.open(), p + d.postponed));
    let score = crate::score::home_value(app.catalog(), app.inventory());
    let problems = app.problems_found();
    let audited = app
        .inventory()
        .devices
        .iter()
        .any(|d| !d.findings.is_empty());
    let problem_text = match problems {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let later = if postponed > 0 {
        format!(" · {postponed} put off")
    } else {
        String::new()
    };
    // (before the problems, after them) from the longest form to the shortest.
    let forms = [
        (
            format!("{devices} devices · "),
            format!(" · {open} steps open{later} · score {score} "),
        ),
        (
            format!("{devices} devices · "),
            format!(" · {open} open{later} · score {score} "),
        ),
        (String::new(), format!(" · {open} open · score {score} ")),
        (String::new(), format!(" · score {score} ")),
    ];
    let counts_line = |(a, b): &(String, String)| -> Line<'static> {
        // The leading space keeps the counts apart from the place.
        if audited {
            let style = if problems > 0 {
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::new().fg(Color::Green)
            };
            Line::from(vec![
                Span::raw(" "),
                Span::styled(a.clone(), dim()),
                Span::styled(problem_text.clone(), style),
                Span::styled(b.clone(), dim()),
            ])
        } else {
            let rest = b.trim_start_matches(" · ");
            Line::from(vec![
                Span::raw(" "),
                Span::styled(format!("{a}{rest}"), dim()),
            ])
        }
    };
    let brand = Span::styled(" porchlight ", heading());
    let place = format!("· {}", app.home().place);
    let width = usize::from(area.width);
    // The longest counts that fit beside the whole place; else the longest beside "porchlight"
    // alone, with the place cut to what is left.
    let full_title = brand.width() + place.chars().count();
    let counts = forms
        .iter()
        .map(counts_line)
        .find(|line| line.width() + full_title <= width)
        .or_else(|| {
            forms
                .iter()
                .map(counts_line)
                .find(|line| line.width() + brand.width() <= width)
        })
        .unwrap_or_else(|| counts_line(&forms[3]));
    let room = width.saturating_sub(counts.width() + brand.width());
    let place = if place.chars().count() <= room {
        place
    } else if room >= 4 {
        let mut cut: String = place.chars().take(room - 1).collect();
        cut.push('…');
        cut
    } else {
        String::new()
    };
    let title = Line::from(vec![brand, Span::styled(place, dim())]);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(counts.width() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(title), left);
    frame.render_widget(Paragraph::new(counts), right);
}

/// What the status line says, and how: the latest notice, else the save state.
fn status_text(app: &App) -> (String, Style) {
    match (&app.notice(), &app.save().error) {
        (Some(n), _) => (
            n.text.clone(),
            crate::tui::screens::messages::tone_style(n.tone),
        ),
        (None, Some(e)) => (
            format!("Not saved: {e}"),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        (None, None) if app.save().pending() => ("Saving…".to_string(), dim()),
        (None, None) => (String::new(), dim()),
    }
}

/// Rows the status line needs at `width`: two when its message does not fit on one.
pub fn status_height(app: &App, width: u16) -> u16 {
    let (text, _) = status_text(app);
    if wrap(&text, usize::from(width.saturating_sub(2))).len() > 1 {
        2
    } else {
        1
    }
}

/// Draws the status line: the latest notice, else the save state, with key hints on the right.
/// A long notice wraps onto a second row; one longer still ends with a pointer to the messages
/// view, which keeps it whole.
pub fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let hints = key_hints(app.mode());
    // A notice matters more than the hints: it gets the whole line.
    let has_notice = app.notice().is_some() || app.save().error.is_some();
    let hints_width = if has_notice {
        0
    } else {
        (hints.chars().count() as u16).min(area.width)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(hints_width)]).areas(area);
    let (text, style) = status_text(app);
    let error_shown = app.notice().as_ref().is_some_and(|n| n.tone == Tone::Error);
    // "saved" next to an error would read as if what was refused had been saved.
    let saved = if app.save().pending() || error_shown {
        ""
    } else if app.save().generation > 0 {
        " ✓ saved"
    } else {
        ""
    };
    let width = usize::from(left.width.saturating_sub(2)).max(1);
    let rows = usize::from(left.height.max(1));
    let mut parts = wrap(&text, width);
    if parts.len() > rows {
        let more = "… M: all of it";
        parts.truncate(rows);
        if let Some(last) = parts.last_mut() {
            let keep = width.saturating_sub(more.chars().count() + 1);
            *last = format!("{} {more}", last.chars().take(keep).collect::<String>());
        }
    }
    let count = parts.len();
    let lines: Vec<Line> = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let mut spans = vec![Span::styled(format!(" {part}"), style)];
            if i + 1 == count {
                spans.push(Span::styled(saved, dim()));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), left);
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
        Mode::NeedsYou => &[
            Action::Open,
            Action::ConfirmFine,
            Action::Back,
            Action::ToggleHelp,
        ],
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
        Mode::Mappings => &[Action::RemoveMapping, Action::Back, Action::ToggleHelp],
        Mode::Typing | Mode::Picker => &[Action::Confirm, Action::Back],
        Mode::Confirm => &[Action::Yes, Action::Back],
        Mode::Info => &[Action::Back],
        Mode::Help => &[Action::Back, Action::Quit],
        Mode::Messages => &[Action::Up, Action::Down, Action::Back],
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
