//! "Fix first": the problems the last scan found, most dangerous first, each with its device and
//! evidence; then what came undone, new devices and steps due again; then steps that already look
//! fine and wait for the owner's word. Each line is one key away from its wizard.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use crate::session::groups::GroupKey;
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::fix_first::{FixEntry, FixItem, FixKind};
use crate::tui::home::Home;
use crate::tui::keys::{Action, move_cursor};
use crate::tui::notice::Tone;
use crate::tui::theme::{dim, heading, selected};

/// Width of the device-name column.
const NAME_WIDTH: usize = 18;

/// The most lines of evidence the highlighted entry shows.
const EVIDENCE_LINES: usize = 4;

/// Width of the "why" column on terminals wide enough for it.
const WHY_WIDTH: usize = 21;

/// The Fix first screen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedsYou {
    /// The highlighted row.
    pub cursor: usize,
    /// The entry whose devices are listed under it, if any.
    pub open: Option<GroupKey>,
}

/// One row of the list: an entry, or one of the lines of the open entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Entry(usize),
    Line(usize, usize),
}

/// The rows shown: every entry, and under the open one each of its lines.
fn rows(entries: &[FixEntry], open: Option<&GroupKey>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(entries.len());
    for (n, entry) in entries.iter().enumerate() {
        rows.push(Row::Entry(n));
        if entry.is_group() && open == Some(&entry.key) {
            rows.extend((0..entry.items.len()).map(|m| Row::Line(n, m)));
        }
    }
    rows
}

impl NeedsYou {
    /// What a key does on the Fix first list.
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        let entries = home.fix_entries();
        if self
            .open
            .as_ref()
            .is_some_and(|k| !entries.iter().any(|e| &e.key == k && e.is_group()))
        {
            self.open = None;
        }
        let shown = rows(&entries, self.open.as_ref());
        move_cursor(&mut self.cursor, shown.len(), action);
        let Some(&row) = shown.get(self.cursor) else {
            return match action {
                Action::Back => vec![Effect::Go(Go::List)],
                _ => Vec::new(),
            };
        };
        let item = match row {
            Row::Entry(n) if entries[n].is_group() => {
                return self.on_group_key(&entries, n, action);
            }
            Row::Entry(n) => entries[n].head(),
            Row::Line(n, m) => entries[n].items.get(m),
        };
        let Some(item) = item.cloned() else {
            return Vec::new();
        };
        match action {
            Action::Back if matches!(row, Row::Line(..)) => {
                self.close(&entries);
                Vec::new()
            }
            Action::Back => vec![Effect::Go(Go::List)],
            Action::ConfirmFine => {
                let Some(step) = &item.step else {
                    return Vec::new();
                };
                let effects = home.confirm_fine(&item.device, step, false);
                let entries = home.fix_entries();
                let last = rows(&entries, self.open.as_ref()).len().saturating_sub(1);
                self.cursor = self.cursor.min(last);
                effects
            }
            Action::Open => open_item(home, &item),
            _ => Vec::new(),
        }
    }

    /// Keys on an entry that stands for several lines: Enter lists them (or closes the list),
    /// Esc closes it or goes back, `y` asks to confirm device by device.
    fn on_group_key(&mut self, entries: &[FixEntry], n: usize, action: Action) -> Effects {
        let entry = &entries[n];
        match action {
            Action::Open if self.open.as_ref() == Some(&entry.key) => {
                self.open = None;
                Vec::new()
            }
            Action::Open => {
                self.open = Some(entry.key.clone());
                self.cursor = rows(entries, self.open.as_ref())
                    .iter()
                    .position(|r| *r == Row::Entry(n))
                    .unwrap_or(0);
                Vec::new()
            }
            Action::Back if self.open.is_some() => {
                self.close(entries);
                Vec::new()
            }
            Action::Back => vec![Effect::Go(Go::List)],
            Action::ConfirmFine => vec![Effect::Notice(
                Tone::Info,
                "Enter lists the devices: confirm each one on its own line.".into(),
            )],
            _ => Vec::new(),
        }
    }

    /// Closes the open entry, leaving the cursor on it.
    fn close(&mut self, entries: &[FixEntry]) {
        let at = self
            .open
            .take()
            .and_then(|k| entries.iter().position(|e| e.key == k));
        self.cursor = at.unwrap_or(0);
    }
}

/// Enter on one line: the step's wizard, or the device's page for a new device.
fn open_item(home: &mut Home, item: &FixItem) -> Effects {
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
                home.step_cursor = steps.iter().position(|s| s.id == *step).unwrap_or(0);
            }
            vec![Effect::Go(Go::Wizard(device, step.clone()))]
        }
        None => {
            home.step_cursor = 0;
            vec![Effect::Go(Go::Detail(device))]
        }
    }
}

/// Draws the Fix first list.
pub fn render(home: &Home, state: &NeedsYou, frame: &mut Frame, area: Rect) {
    let area = watch_news(home, frame, area);
    let entries = home.fix_entries();
    let problems: Vec<&FixEntry> = entries
        .iter()
        .filter(|e| e.head().is_some_and(|h| h.kind == FixKind::Problem))
        .collect();
    let on: usize = {
        let mut ids: Vec<&crate::model::DeviceId> = problems
            .iter()
            .flat_map(|e| e.items.iter().map(|i| &i.device))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let title = match (problems.len(), on) {
        (0, _) => format!(" Fix first · {} ", entries.len()),
        (1, 1) => format!(" Fix first · 1 problem found · {} in all ", entries.len()),
        (1, d) => format!(
            " Fix first · 1 problem found on {d} devices · {} in all ",
            entries.len()
        ),
        (n, 1) => format!(
            " Fix first · {n} problems found on 1 device · {} in all ",
            entries.len()
        ),
        (n, d) => format!(
            " Fix first · {n} problems found on {d} devices · {} in all ",
            entries.len()
        ),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(Span::styled(title, heading()));
    if entries.is_empty() {
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
    let shown = rows(&entries, state.open.as_ref());
    let cursor = state.cursor.min(shown.len().saturating_sub(1));
    let list_rows: Vec<ListItem> = shown
        .iter()
        .enumerate()
        .filter_map(|(n, row)| {
            let current = n == cursor;
            let lines = match *row {
                Row::Entry(e) => entry_lines(&entries[e], width, current),
                Row::Line(e, m) => {
                    let item = entries[e].items.get(m)?;
                    member_lines(item, width, current)
                }
            };
            Some(ListItem::new(lines))
        })
        .collect();
    let list = List::new(list_rows)
        .block(block)
        .highlight_style(selected())
        .highlight_symbol("▶ ");
    let mut list_state = ListState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(list, list_area, &mut list_state);
    let text = match shown.get(cursor) {
        Some(Row::Entry(e)) => entry_footer(home, &entries[*e], state.open.as_ref()),
        Some(Row::Line(e, m)) => entries[*e]
            .items
            .get(*m)
            .map(|i| format!("{} · Esc closes the list", footer_text(home, i)))
            .unwrap_or_default(),
        None => String::new(),
    };
    frame.render_widget(Paragraph::new(text).style(dim()), footer);
}

/// The footer of an entry: what Enter does on it.
fn entry_footer(home: &Home, entry: &FixEntry, open: Option<&GroupKey>) -> String {
    let Some(head) = entry.head() else {
        return String::new();
    };
    if !entry.is_group() {
        return footer_text(home, head);
    }
    let n = entry.items.len();
    if open == Some(&entry.key) {
        format!(" {n} lines listed below · Enter or Esc closes the list")
    } else if entry.household {
        let own = entry
            .items
            .iter()
            .filter(|i| i.step.as_ref() == entry.key.step.as_ref())
            .count();
        let gadgets = n - own;
        match own {
            0 => format!(" the whole home · Enter lists the {gadgets} devices' own steps"),
            _ => format!(
                " the whole home · Enter lists the router's step and the {gadgets} devices' own steps"
            ),
        }
    } else {
        format!(" {} devices · Enter lists them", entry.devices())
    }
}

/// One entry: a single line as it always was, or a group: how many devices, the step, and
/// below it which devices (the household sentence for the household entry).
fn entry_lines(entry: &FixEntry, width: usize, current: bool) -> Vec<Line<'static>> {
    let Some(head) = entry.head() else {
        return Vec::new();
    };
    if !entry.is_group() && !entry.household {
        return item_lines(head, width, current);
    }
    let who = if entry.household {
        "whole home".to_string()
    } else {
        format!("{} devices", entry.devices())
    };
    let what = match &entry.key.step {
        Some(step) => format!("{step} {}", entry.title),
        None => entry.title.clone(),
    };
    let shown = if current { 12 } else { 4 };
    let grouped = FixItem {
        device_name: who,
        title: what,
        step: None,
        evidence: entry.summary(shown),
        ..head.clone()
    };
    item_lines(&grouped, width, current)
}

/// One line of an open entry, indented under it.
fn member_lines(item: &FixItem, width: usize, current: bool) -> Vec<Line<'static>> {
    let indented = FixItem {
        device_name: format!("└ {}", item.device_name),
        ..item.clone()
    };
    item_lines(&indented, width, current)
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
            // At most a few lines, so the highlighted entry always fits the list (a crowd's
            // entry names hundreds of devices).
            let cut = wrapped.len() > EVIDENCE_LINES;
            lines.extend(
                wrapped
                    .into_iter()
                    .take(EVIDENCE_LINES)
                    .map(|l| l.style(style)),
            );
            if cut && let Some(last) = lines.last_mut() {
                last.spans.push(Span::raw("…"));
            }
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
