//! The router's UPnP port mappings: every forward with its external port, protocol, the device it
//! points at (by porchlight's name; stale when no device has the address), its description and
//! lease. `x` on one opens a confirmation that shows exactly the request porchlight would send;
//! `y` sends that one request and nothing else, then the list is read again and the steps that
//! judge the mappings are re-checked ("removed, verified", or the router's answer in plain words
//! with how to do it by hand). The reading and sending run off the UI task
//! ([`Command::ListMappings`], [`Command::RemoveMapping`]); their answers arrive as
//! [`MappingsMsg`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use crate::model::DeviceId;
use crate::session::mappings::{self, Listing, Removed};
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode, move_cursor};
use crate::tui::msg::{Command, MappingsMsg};
use crate::tui::notice::Tone;
use crate::tui::theme::{centered, dim, heading, popup_block, selected};

/// Where the listing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Being read.
    Reading,
    /// Could not be read (why).
    Failed(String),
    /// Read.
    Read(Listing),
}

/// The mappings screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mappings {
    /// The device whose screen opened it (Esc goes back there), if any.
    pub from: Option<DeviceId>,
    /// The listing.
    pub load: Load,
    /// The highlighted row.
    pub cursor: usize,
    /// The confirmation is open over the highlighted row.
    pub confirming: bool,
    /// A removal was sent and its answer is awaited.
    pub sending: bool,
    /// What the last removal came to, in plain words.
    pub outcome: Option<(Tone, String)>,
}

/// Opens the mappings screen from `from` and asks for the listing.
pub fn open(home: &Home, from: Option<DeviceId>) -> Effects {
    vec![
        Effect::Go(Go::Mappings(from)),
        Effect::Run(Command::ListMappings {
            simulated: !home.can_scan,
        }),
    ]
}

impl Mappings {
    /// The screen while its listing is read.
    pub fn new(from: Option<DeviceId>) -> Self {
        Self {
            from,
            load: Load::Reading,
            cursor: 0,
            confirming: false,
            sending: false,
            outcome: None,
        }
    }

    /// Where keys go: the confirmation's yes or no, else the list.
    pub fn mode(&self) -> Mode {
        if self.confirming {
            Mode::Confirm
        } else {
            Mode::Mappings
        }
    }

    /// What a key does.
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        let Load::Read(listing) = &self.load else {
            return match action {
                Action::Back => self.back(),
                _ => Vec::new(),
            };
        };
        if self.confirming {
            self.confirming = false;
            return match (action, listing.rows.get(self.cursor)) {
                (Action::Yes, Some(row)) => {
                    self.sending = true;
                    self.outcome = None;
                    vec![
                        Effect::notice(
                            Tone::Info,
                            format!("Asking the router to remove {}…", row.describe()),
                        ),
                        Effect::Run(Command::RemoveMapping {
                            listing: Box::new(listing.clone()),
                            row: Box::new(row.clone()),
                            simulated: !home.can_scan,
                        }),
                    ]
                }
                _ => vec![Effect::notice(Tone::Info, "Nothing sent.")],
            };
        }
        move_cursor(&mut self.cursor, listing.rows.len(), action);
        match action {
            Action::Back => self.back(),
            Action::RemoveMapping if self.sending => vec![Effect::notice(
                Tone::Info,
                "Still waiting for the router's answer to the last removal.",
            )],
            Action::RemoveMapping if !listing.rows.is_empty() => {
                self.confirming = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn back(&self) -> Effects {
        match &self.from {
            Some(id) => vec![Effect::Go(Go::Detail(id.clone()))],
            None => vec![Effect::Go(Go::List)],
        }
    }
}

/// Folds an answer into the inventory (a removal's re-checks are kept whichever screen shows) and
/// into `screen` when it is the mappings screen.
pub fn on_msg(home: &mut Home, screen: Option<&mut Mappings>, msg: MappingsMsg) -> Effects {
    match msg {
        MappingsMsg::Listed(result) => {
            if let Some(m) = screen {
                m.load = match result {
                    Ok(listing) => Load::Read(listing),
                    Err(why) => Load::Failed(why),
                };
                m.cursor = 0;
            }
            Vec::new()
        }
        MappingsMsg::Removed(removal) => {
            mappings::record(&mut home.inventory, &removal, home.now);
            let words = removal.words();
            let tone = match removal.result {
                Removed::Verified => Tone::Good,
                _ => Tone::Error,
            };
            if let Some(m) = screen {
                m.sending = false;
                if let Load::Read(listing) = &mut m.load
                    && !matches!(
                        removal.result,
                        Removed::Refused(_) | Removed::Unconfirmed(_)
                    )
                {
                    listing.rows = removal.after.clone();
                }
                if let Load::Read(listing) = &m.load {
                    m.cursor = m.cursor.min(listing.rows.len().saturating_sub(1));
                }
                m.outcome = Some((tone, words.clone()));
            }
            vec![Effect::Save, Effect::notice(tone, words)]
        }
    }
}

/// `until removed`, `3 d 5 h`, `40 min`.
fn lease(secs: u32) -> String {
    match secs {
        0 => "until removed".into(),
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s => format!("{} min", s.div_ceil(60)),
    }
}

/// Draws the screen, and the confirmation over it when open.
pub fn render(home: &Home, m: &Mappings, frame: &mut Frame, area: Rect) {
    let title = match &m.load {
        Load::Read(l) => format!(" UPnP forwards on the router {} ", l.router),
        _ => " UPnP forwards on the router ".to_string(),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, heading()))
        .border_style(dim());
    let listing = match &m.load {
        Load::Reading => {
            let text = "Reading the router's list of port forwards…";
            frame.render_widget(Paragraph::new(text).block(block), area);
            return;
        }
        Load::Failed(why) => {
            let text = vec![
                Line::styled(
                    "porchlight could not read the router's forwards.",
                    heading(),
                ),
                Line::from(why.as_str()),
                Line::from(""),
                Line::styled("Esc goes back.", dim()),
            ];
            frame.render_widget(
                Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Load::Read(listing) => listing,
    };
    let outcome_rows = m.outcome.as_ref().map_or(1, |(_, words)| {
        crate::tui::wrap::wrap(words, usize::from(area.width.max(1))).len() as u16
    });
    let [table_area, foot] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(outcome_rows.min(area.height / 2).max(1)),
    ])
    .areas(area);
    if listing.rows.is_empty() {
        frame.render_widget(
            Paragraph::new("The router lists no UPnP port forwards: nothing reaches in from the internet through UPnP.")
                .block(block)
                .wrap(Wrap { trim: true }),
            table_area,
        );
    } else {
        let wide = table_area.width >= 72;
        let points_at: Vec<(String, Style)> = listing
            .rows
            .iter()
            .map(|r| {
                let mm = &r.mapping;
                match &r.device {
                    Some((_, name)) => (
                        format!("{name} {}:{}", mm.internal_client, mm.internal_port),
                        Style::new(),
                    ),
                    None => (
                        format!("stale: {}:{}", mm.internal_client, mm.internal_port),
                        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                    ),
                }
            })
            .collect();
        let rows = listing.rows.iter().zip(&points_at).map(|(r, (to, style))| {
            let (to, style) = (to.clone(), *style);
            let mm = &r.mapping;
            let mut cells = vec![
                Cell::from(mm.external_port.to_string()),
                Cell::from(mm.protocol.clone()),
                Cell::from(Span::styled(to, style)),
                Cell::from(if mm.enabled {
                    mm.description.clone()
                } else {
                    format!("{} (disabled)", mm.description)
                }),
            ];
            if wide {
                cells.push(Cell::from(lease(mm.lease_secs)));
            }
            Row::new(cells)
        });
        // "Points at" as wide as its longest entry where it fits; the lease gives way first.
        let longest = points_at
            .iter()
            .map(|(to, _)| to.chars().count())
            .max()
            .unwrap_or(10)
            .min(48) as u16;
        let mut titles = vec!["Port", "Proto", "Points at", "Description"];
        let mut widths = vec![
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Min(longest.min(table_area.width.saturating_sub(20))),
            Constraint::Fill(1),
        ];
        if wide {
            titles.push("Lease");
            widths.push(Constraint::Length(13));
        }
        let header = Row::new(titles).style(dim());
        let table = Table::new(rows, widths)
            .header(header)
            .block(block)
            .row_highlight_style(selected())
            .highlight_symbol("▶ ");
        let mut state = TableState::new().with_selected(Some(m.cursor));
        frame.render_stateful_widget(table, table_area, &mut state);
    }
    let foot_text = match (&m.outcome, m.sending) {
        (_, true) => Paragraph::new("Waiting for the router's answer…").style(dim()),
        (Some((tone, words)), false) => Paragraph::new(words.as_str())
            .style(crate::tui::screens::messages::tone_style(*tone))
            .wrap(Wrap { trim: true }),
        (None, false) => Paragraph::new(format!(
            " {} forwards · x removes the highlighted one (asks first) · Esc back",
            listing.rows.len()
        ))
        .style(dim()),
    };
    frame.render_widget(foot_text, foot);
    if m.confirming
        && let Some(row) = listing.rows.get(m.cursor)
    {
        render_confirm(home, listing, row, frame, area);
    }
}

/// The confirmation: what will be removed and exactly what is sent.
fn render_confirm(
    _home: &Home,
    listing: &Listing,
    row: &mappings::Row,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.saturating_sub(4).min(90);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for text in crate::tui::wrap::wrap(&format!("Remove {}?", row.describe()), inner) {
        lines.push(Line::styled(text, heading()));
    }
    for text in crate::tui::wrap::wrap(
        &format!(
            "porchlight sends this one request to the router {} and nothing else:",
            listing.router
        ),
        inner,
    ) {
        lines.push(Line::from(text));
    }
    for request in mappings::request(&listing.control, &row.mapping) {
        for text in crate::tui::wrap::wrap(&request, inner.saturating_sub(2).max(1)) {
            lines.push(Line::styled(
                format!("  {text}"),
                Style::new().fg(Color::Cyan),
            ));
        }
    }
    for text in crate::tui::wrap::wrap(
        "Then it reads the list again and re-checks the steps that judge it.",
        inner,
    ) {
        lines.push(Line::styled(text, dim()));
    }
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(popup_block(
            "Remove a UPnP forward",
            "y send it · n keep it",
            Color::Yellow,
        )),
        popup,
    );
}
