//! The header (where, counts) and the status line (last notice, save state, key hints).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Tone};
use crate::tui::keys::{Action, Mode, bindings_for};
use crate::tui::render::{dim, heading};

/// Draws the header row: where, then the counts (devices, problems found, steps open, score),
/// shortened on narrow terminals so the problems stay in view.
pub fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let devices = app.inventory.devices.len();
    let open: usize = app
        .inventory
        .devices
        .iter()
        .map(|d| app.catalog.progress(d).open())
        .sum();
    let score = crate::score::home_value(&app.catalog, &app.inventory);
    let problems = app.problems_found();
    let audited = app.inventory.devices.iter().any(|d| !d.findings.is_empty());
    let problem_text = match problems {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let title = Line::from(vec![
        Span::styled(" porchlight ", heading()),
        Span::styled(format!("· {}", app.place), dim()),
    ]);
    // At least one space between the place and the counts.
    let room = usize::from(area.width).saturating_sub(title.width() + 1);
    // (before the problems, after them) from the longest form to the shortest.
    let forms = [
        (
            format!("{devices} devices · "),
            format!(" · {open} steps open · score {score} "),
        ),
        (
            format!("{devices} devices · "),
            format!(" · {open} open · score {score}"),
        ),
        (String::new(), format!(" · {open} open · score {score}")),
    ];
    let pick = forms
        .iter()
        .find(|(a, b)| {
            let middle = if audited {
                problem_text.chars().count()
            } else {
                0
            };
            a.chars().count() + middle + b.chars().count() <= room
        })
        .unwrap_or(&forms[2]);
    // The leading space keeps the counts apart from a clipped place.
    let mut counts = vec![Span::raw(" "), Span::styled(pick.0.clone(), dim())];
    if audited {
        let style = if problems > 0 {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::Green)
        };
        counts.push(Span::styled(problem_text, style));
        counts.push(Span::styled(pick.1.clone(), dim()));
    } else {
        let rest = pick.1.trim_start_matches(" · ");
        counts = vec![
            Span::raw(" "),
            Span::styled(format!("{}{rest}", pick.0), dim()),
        ];
    }
    let counts = Line::from(counts);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(counts.width() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(title), left);
    frame.render_widget(Paragraph::new(counts), right);
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
    let saved = if app.save.pending() {
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
