//! One device: what porchlight found on it, and its checklist with each step's state, what the
//! last scan found for it (problem, looks fine, unknown) and its due date; found problems on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::edit::{self, Edit};
use crate::identify::Identity;
use crate::model::StepId;
use crate::model::{Category, Device, DeviceId, ServiceSource, StepState};
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode, move_cursor};
use crate::tui::notice::Tone;
use crate::tui::theme::{date_text, due_text, finding_span, state_span};
use crate::tui::theme::{dim, heading, selected};

/// The detail screen's state: which device, and the popup open over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Which device.
    pub device: DeviceId,
    /// A change being made to it in a popup.
    pub edit: Option<Edit>,
}

impl Detail {
    /// The detail of `device`, no popup open.
    pub fn new(device: DeviceId) -> Self {
        Self { device, edit: None }
    }

    /// Where keys go: the open popup, else the checklist.
    pub fn mode(&self) -> Mode {
        self.edit.as_ref().map_or(Mode::Detail, Edit::mode)
    }

    /// What a key does on the detail screen (or in its open popup).
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        if self.edit.is_some() {
            return edit::on_key(&mut self.edit, &self.device, home, action);
        }
        let id = self.device.clone();
        let Some(device) = home.device(&id) else {
            return vec![Effect::Go(Go::List)];
        };
        let steps: Vec<StepId> = home.steps_of(device).iter().map(|s| s.id.clone()).collect();
        let first_open = home
            .steps_of(device)
            .into_iter()
            .find(|s| home.is_open(device, s))
            .map(|s| s.id.clone());
        move_cursor(&mut home.step_cursor, steps.len(), action);
        match action {
            Action::Open => {
                if let Some(step) = steps.get(home.step_cursor) {
                    return vec![Effect::Go(Go::Wizard(id, step.clone()))];
                }
            }
            Action::Guide => match first_open {
                Some(step) => {
                    home.step_cursor = steps.iter().position(|s| s == &step).unwrap_or(0);
                    return vec![Effect::Go(Go::Wizard(id, step))];
                }
                None => {
                    return vec![Effect::notice(
                        Tone::Good,
                        "Nothing open on this device right now.",
                    )];
                }
            },
            Action::Back => return vec![Effect::Go(Go::List)],
            Action::Rename => self.edit = home.device(&id).map(Edit::rename),
            Action::SetCategory => self.edit = home.device(&id).map(Edit::category),
            Action::ToggleKnown => return toggle_known(home, &id),
            Action::Forget => self.edit = Some(Edit::Forget),
            Action::ToggleLoginCheck => return toggle_login_check(home, &id),
            Action::ShowEvidence => self.edit = Some(Edit::Evidence),
            Action::ShowMappings => {
                return crate::tui::screens::mappings::open(home, Some(id));
            }
            Action::ConfirmFine => {
                if let Some(step) = steps.get(home.step_cursor) {
                    return home.confirm_fine(&id, step, false);
                }
            }
            _ => {}
        }
        Vec::new()
    }
}

/// Marks the device as the owner's (no longer new), or new again.
fn toggle_known(home: &mut Home, id: &DeviceId) -> Effects {
    let Some(device) = home.inventory.device_mut(id) else {
        return Vec::new();
    };
    device.known = !device.known;
    let text = if device.known {
        format!("{} is marked as yours.", device.name())
    } else {
        format!("{} is marked as new again.", device.name())
    };
    vec![Effect::notice(Tone::Good, text), Effect::Save]
}

/// Allows (or stops) the factory-login check on the device.
fn toggle_login_check(home: &mut Home, id: &DeviceId) -> Effects {
    let Some(device) = home.inventory.device_mut(id) else {
        return Vec::new();
    };
    device.login_check_allowed = !device.login_check_allowed;
    let text = if device.login_check_allowed {
        let recorder = if matches!(
            device.category(),
            Category::Camera | Category::Doorbell | Category::BabyMonitor
        ) {
            " Careful: if an NVR or recorder logs in to this camera with that account, a lockout can stop its recording."
        } else {
            ""
        };
        format!(
            "porchlight may now try up to {} factory logins that fit {} (once, and again after a firmware change or when you mark a password step done); it stops if the device starts locking logins out.{recorder}",
            crate::checks::CheckLimits::default().max_credential_tries,
            device.name()
        )
    } else {
        format!("porchlight will not try logging in to {}.", device.name())
    };
    vec![Effect::notice(Tone::Good, text), Effect::Save]
}

/// Draws the detail view of `detail.device`, and its open popup.
pub fn render(home: &Home, detail: &Detail, frame: &mut Frame, area: Rect) {
    let Some(device) = home.device(&detail.device) else {
        frame.render_widget(
            Paragraph::new(" This device is no longer in the inventory."),
            area,
        );
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Line::from(vec![
            Span::styled(" Devices › ", dim()),
            Span::styled(format!("{} ", device.name()), heading()),
        ]))
        .border_style(dim());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let identity = home
        .fingerprints
        .as_ref()
        .map(|rules| crate::identify::identify(device, rules));
    let mut facts = facts(device);
    if let Some(id) = &identity {
        facts.push(identity_line(device, id));
    }
    let facts_height = (facts.len() as u16).min(inner.height / 2).max(1);
    let [facts_area, list_area, footer] = Layout::vertical([
        Constraint::Length(facts_height),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(facts).wrap(Wrap { trim: false }),
        facts_area.inner(Margin::new(1, 0)),
    );

    let steps = home.steps_of(device);
    let progress = home.catalog.progress(device, home.now);
    let score = crate::score::device_score(&home.catalog, device);
    let due_ctx = crate::reminders::DueContext::new(&home.inventory, home.tz.clone());
    // Narrow terminals leave the due date out, so the step titles stay readable.
    let wide = list_area.width >= 70;
    let rows = steps.iter().map(|step| {
        let state = device.step_state(&step.id);
        let snoozed = device
            .progress
            .get(&step.id)
            .and_then(|p| p.snoozed_until)
            .is_some_and(|t| t > home.now);
        let in_part = state == StepState::Verified
            && device
                .progress
                .get(&step.id)
                .is_some_and(|p| p.unconfirmed.is_some());
        let state_cell = if snoozed && !state.is_settled() {
            Cell::from(Span::styled("◷ later", Style::new().fg(Color::Blue)))
        } else if in_part {
            Cell::from(Span::styled(
                "◐ in part",
                Style::new().fg(Color::LightGreen),
            ))
        } else {
            Cell::from(state_span(&state))
        };
        let mut cells = vec![
            state_cell,
            Cell::from(finding_span(device, &step.id)),
            Cell::from(step.id.as_str()),
            Cell::from(step.title.as_str()),
        ];
        if wide {
            cells.push(Cell::from(due_text(step, device, &due_ctx, home.now)));
        }
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Length(6),
        Constraint::Fill(1),
    ];
    let mut header = vec!["State", "Last scan", "Step", "Checklist"];
    if wide {
        widths.push(Constraint::Length(10));
        header.push("Due");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(dim()))
        .block(
            Block::new()
                .borders(Borders::TOP)
                .border_style(dim())
                .title(Span::styled(
                    format!(
                        " Checklist · {} of {} settled · score {}/100 ",
                        progress.settled, progress.total, score.value
                    ),
                    heading(),
                )),
        )
        .row_highlight_style(selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::new().with_selected(Some(home.step_cursor));
    frame.render_stateful_widget(table, list_area, &mut state);

    let note = steps.get(home.step_cursor).map(|step| {
        if let Some(finding) = device.findings.get(&step.id) {
            return finding_note(device, &step.id, finding);
        }
        match device.step_state(&step.id) {
            StepState::Accepted { reason } => format!(" Risk accepted: {reason}"),
            StepState::Todo | StepState::Failed => {
                let points = score
                    .costs
                    .iter()
                    .find(|c| c.step == step.id.as_str())
                    .map_or(0.0, |c| c.points);
                format!(
                    " Worth {points:.0} points of this device's score · look again {}",
                    step.recheck.label()
                )
            }
            StepState::Verified
                if let Some(part) = device
                    .progress
                    .get(&step.id)
                    .and_then(|p| p.unconfirmed.as_ref()) =>
            {
                format!(" Verified in part: you confirm {part}")
            }
            StepState::Done
                if let Some(why) = device
                    .progress
                    .get(&step.id)
                    .and_then(|p| p.cannot_check.as_ref()) =>
            {
                format!(" Done; porchlight cannot check it: {why}")
            }
            _ => format!(
                " {} · look again {}",
                if step.verify == crate::catalog::VerifyKind::Network {
                    "porchlight can check this one over the network"
                } else {
                    "only you can confirm this one"
                },
                step.recheck.label()
            ),
        }
    });
    frame.render_widget(
        Paragraph::new(note.unwrap_or_default()).style(dim()),
        footer,
    );
    if let Some(edit) = &detail.edit {
        super::edit::render(edit, device, identity.as_ref(), frame, inner);
    }
}

/// The line under the checklist for a step the last scan has a finding for.
fn finding_note(
    device: &Device,
    step: &crate::model::StepId,
    finding: &crate::model::Finding,
) -> String {
    use crate::model::FindingVerdict;
    match finding.verdict {
        FindingVerdict::Problem => format!(" Found: {}", finding.evidence),
        FindingVerdict::Fine if crate::tui::fix_first::looks_fine(device, step).is_some() => {
            format!(" Looks fine already, y confirms: {}", finding.evidence)
        }
        FindingVerdict::Fine => format!(" Fine: {}", finding.evidence),
        FindingVerdict::Unknown => format!(" Could not tell: {}", finding.evidence),
        FindingVerdict::NotApplicable => format!(" Does not apply: {}", finding.evidence),
    }
}

/// One line on what porchlight concluded, and how sure it is.
fn identity_line(device: &Device, id: &Identity) -> Line<'static> {
    let text = if let Some(owner) = device.owner_category() {
        format!("You set this to {}", owner.label())
    } else if id.evidence.is_empty() {
        "Not identified yet: nothing it announced matched".to_string()
    } else {
        format!(
            "Looks like a {} ({}% sure)",
            id.category.label().to_lowercase(),
            id.confidence
        )
    };
    Line::from(vec![
        Span::styled("Identity   ", dim()),
        Span::raw(text),
        Span::styled(" · i shows why, c corrects it", dim()),
    ])
}

/// The lines of what is known about the device.
fn facts(device: &Device) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut what = vec![device.category().label().to_string()];
    match (&device.vendor, &device.model) {
        (Some(v), Some(m)) => what.push(format!("{v} {m}")),
        (Some(v), None) => what.push(v.clone()),
        (None, Some(m)) => what.push(m.clone()),
        (None, None) => what.push("maker unknown".into()),
    }
    if let Some(fw) = &device.firmware {
        what.push(format!("firmware {fw}"));
    }
    lines.push(Line::from(what.join(" · ")));

    let mut where_ = Vec::new();
    if let Some(ip) = device.ip {
        where_.push(ip.to_string());
    }
    if let Some(mac) = device.mac {
        if mac.is_locally_administered() {
            where_.push(format!("{mac} (private address)"));
        } else {
            where_.push(mac.to_string());
        }
    }
    where_.push(format!(
        "seen {} to {}",
        date_text(device.first_seen),
        date_text(device.last_seen)
    ));
    lines.push(Line::styled(where_.join(" · "), dim()));

    if !device.open_ports.is_empty() {
        let ports: Vec<String> = device
            .open_ports
            .iter()
            .map(|p| {
                let tls = if p.tls { " (TLS)" } else { "" };
                format!("{} {}{tls}", p.service, p.port)
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled("Open ports ", dim()),
            Span::raw(ports.join(", ")),
        ]));
    }
    if !device.services.is_empty() {
        let services: Vec<String> = device
            .services
            .iter()
            .map(|s| match s.source {
                ServiceSource::Mdns => s.kind.clone(),
                ServiceSource::Upnp => format!(
                    "UPnP {}",
                    s.kind.rsplit(":device:").next().unwrap_or(&s.kind)
                ),
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled("Announces  ", dim()),
            Span::raw(services.join(", ")),
        ]));
    }
    lines
}
