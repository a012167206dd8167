//! A password on screen: the one just made for a device, or the one kept for it in the keyring.
//! It stays until the owner closes it, and is dropped from memory then. The popup grows to fit
//! its text, so the note that matters most (the password was not kept) is never cut off.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::model::DeviceId;
use crate::secrets::{Password, PasswordStyle};
use crate::tui::effect::{Effect, Effects};
use crate::tui::keys::Action;
use crate::tui::msg::Command;
use crate::tui::notice::Tone;
use crate::tui::theme::{ACCENT, dim, heading};
use crate::tui::wrap::wrap;

/// What the popup says first when a new password could not be kept.
pub const NOT_KEPT: &str = "This password was NOT kept anywhere: not in a keyring, not on disk. \
     Put it in your password manager now, before you close this.";

/// What the popup says first when the keyring could not be read.
pub const CANNOT_READ: &str =
    "porchlight could not read your keyring, so it cannot show a kept password.";

/// What the owner is told when the keyring answered the move of the password kept for `name`
/// (its id changed): nothing when none was kept.
pub fn moved(name: &str, result: Result<bool, String>) -> Effects {
    match result {
        Ok(false) => Vec::new(),
        Ok(true) => vec![Effect::notice(
            Tone::Info,
            format!(
                "The password kept for {name} moved with it to its new id (its hardware address)."
            ),
        )],
        Err(e) => vec![Effect::notice(
            Tone::Error,
            format!("The password kept for {name} could not follow it to its new id: {e}"),
        )],
    }
}

/// What the owner is told when the keyring answered the removal of the password kept for a
/// forgotten device.
pub fn removed(name: &str, result: Result<bool, String>) -> Effects {
    match result {
        Ok(false) => Vec::new(),
        Ok(true) => vec![Effect::notice(
            Tone::Good,
            format!("Removed the password kept for {name} from the keyring."),
        )],
        Err(e) => vec![Effect::notice(
            Tone::Error,
            format!("Forgot {name}, but its password is still in the keyring: {e}"),
        )],
    }
}

/// A password on screen, shown until the owner closes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretView {
    /// Whose it is.
    pub device_name: String,
    /// The password (hidden from Debug output).
    pub password: Option<Password>,
    /// What happened: kept in the keyring, not kept and why, or nothing kept yet.
    pub note: String,
    /// Whether the note reports a problem.
    pub problem: bool,
    /// The technical cause of the problem, shown after the note in plain words.
    pub cause: Option<String>,
    /// Still waiting for the keyring's answer.
    pub waiting: bool,
}

impl SecretView {
    /// The popup while the keyring works on `action` (make a passphrase or a random password, or
    /// show the kept one) for `device`, and the command that asks it.
    pub fn ask(device: DeviceId, device_name: String, action: Action) -> (Self, Command) {
        let (command, note) = match action {
            Action::MakePassphrase => (
                Command::MakePassword {
                    device,
                    style: PasswordStyle::passphrase(),
                },
                "Making a passphrase…",
            ),
            Action::MakeRandomPassword => (
                Command::MakePassword {
                    device,
                    style: PasswordStyle::random(),
                },
                "Making a password…",
            ),
            _ => (Command::FetchPassword { device }, "Asking your keyring…"),
        };
        let view = Self {
            device_name,
            password: None,
            note: note.into(),
            problem: false,
            cause: None,
            waiting: true,
        };
        (view, command)
    }

    /// A password was made; `kept` says whether the keyring took it.
    pub fn made(&mut self, password: Password, kept: Result<(), String>) {
        self.password = Some(password);
        self.waiting = false;
        match kept {
            Ok(()) => {
                self.note = "Kept in your keyring under this device. Set it on the device now; s shows it again.".into();
                self.problem = false;
            }
            Err(why) => {
                self.note = NOT_KEPT.into();
                self.cause = Some(why);
                self.problem = true;
            }
        }
    }

    /// The keyring answered a request for the kept password.
    pub fn fetched(&mut self, result: Result<Option<Password>, String>) {
        self.waiting = false;
        match result {
            Ok(Some(password)) => {
                self.password = Some(password);
                self.note = "From your keyring.".into();
                self.problem = false;
            }
            Ok(None) => {
                self.note = "No password is kept for this device yet: p makes one.".into();
                self.problem = false;
            }
            Err(why) => {
                self.note = CANNOT_READ.into();
                self.cause = Some(why);
                self.problem = true;
            }
        }
    }
}

/// Draws the password popup, centred in `area` (the whole terminal).
pub fn render(view: &SecretView, frame: &mut Frame, area: Rect) {
    let width = area.width.min(76);
    // Borders and a two-column margin on each side.
    let text_width = usize::from(width.saturating_sub(6)).max(1);
    let pad = |s: String| format!("  {s}");
    let password: Vec<Line> = match (&view.password, view.waiting) {
        (Some(password), _) => wrap(password.expose(), text_width)
            .into_iter()
            .map(|l| {
                Line::styled(
                    pad(l),
                    Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
                )
            })
            .collect(),
        (None, true) => vec![Line::styled(pad("…".into()), dim())],
        (None, false) => Vec::new(),
    };
    let note_style = if view.problem {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else {
        dim()
    };
    let note: Vec<Line> = wrap(&view.note, text_width)
        .into_iter()
        .map(|l| Line::styled(pad(l), note_style))
        .collect();
    let cause: Vec<Line> = view
        .cause
        .as_deref()
        .map(|c| {
            wrap(&format!("Cause: {c}"), text_width)
                .into_iter()
                .map(|l| Line::styled(pad(l), dim()))
                .collect()
        })
        .unwrap_or_default();
    let room = usize::from(area.height.saturating_sub(2));
    let needed = password.len() + note.len() + cause.len();
    // Blank lines around the password only when there is room for them.
    let spacers = room.saturating_sub(needed).min(3);
    let mut lines = Vec::new();
    if spacers >= 1 && !password.is_empty() {
        lines.push(Line::from(""));
    }
    lines.extend(password);
    if spacers >= 2 {
        lines.push(Line::from(""));
    }
    lines.extend(note);
    if spacers >= 3 && !cause.is_empty() {
        lines.push(Line::from(""));
    }
    lines.extend(cause);
    let height = (lines.len() as u16).saturating_add(2).min(area.height);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(Style::new().fg(ACCENT))
                .title(Span::styled(
                    format!(" Password for {} ", view.device_name),
                    heading(),
                ))
                .title_bottom(Span::styled(" Esc closes and clears it ", dim())),
        ),
        popup,
    );
}
