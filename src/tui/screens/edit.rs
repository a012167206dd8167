//! The popups over a device's detail that change it: typing its name, choosing its kind, and
//! asking before forgetting it (plus the read-only "why porchlight thinks so"). Each is a small
//! state in [`Edit`], handled here while it is open.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::identify::Identity;
use crate::model::{Category, Device, DeviceId};
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode, move_cursor};
use crate::tui::msg::Command;
use crate::tui::notice::Tone;
use crate::tui::textbox::TextBox;
use crate::tui::theme::{ACCENT, dim, selected};

/// The longest name the owner can give a device.
pub const NAME_MAX_CHARS: usize = 60;

/// A change to the open device being made in a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Typing a new name.
    Rename(TextBox),
    /// Choosing the kind of device; the cursor is an index into [`Category::ALL`].
    Category(usize),
    /// Asking whether to forget the device.
    Forget,
    /// Showing why porchlight thinks the device is what it is.
    Evidence,
}

impl Edit {
    /// Where keys go while this popup is open.
    pub fn mode(&self) -> Mode {
        match self {
            Edit::Rename(_) => Mode::Typing,
            Edit::Category(_) => Mode::Picker,
            Edit::Forget => Mode::Confirm,
            Edit::Evidence => Mode::Info,
        }
    }

    /// The name box when renaming.
    pub fn rename(device: &Device) -> Self {
        Edit::Rename(TextBox::new(device.name(), NAME_MAX_CHARS))
    }

    /// The kind picker, at the device's kind now.
    pub fn category(device: &Device) -> Self {
        let cursor = Category::ALL
            .iter()
            .position(|c| *c == device.category())
            .unwrap_or(0);
        Edit::Category(cursor)
    }
}

/// What an action does to the popup `edit` open over device `id` (closing sets it to `None`).
pub fn on_key(edit: &mut Option<Edit>, id: &DeviceId, home: &mut Home, action: Action) -> Effects {
    match edit {
        Some(Edit::Rename(name)) => match action {
            Action::Back => {
                *edit = None;
                Vec::new()
            }
            Action::Confirm => {
                let name = name.text().trim().to_string();
                *edit = None;
                rename(home, id, name)
            }
            _ => Vec::new(),
        },
        Some(Edit::Category(cursor)) => {
            move_cursor(cursor, Category::ALL.len(), action);
            match action {
                Action::Back => {
                    *edit = None;
                    Vec::new()
                }
                Action::Confirm => {
                    let Some(category) = Category::ALL.get(*cursor).copied() else {
                        return Vec::new();
                    };
                    *edit = None;
                    set_category(home, id, category)
                }
                _ => Vec::new(),
            }
        }
        Some(Edit::Forget) => {
            *edit = None;
            if action == Action::Yes {
                forget(home, id)
            } else {
                Vec::new()
            }
        }
        Some(Edit::Evidence) => {
            *edit = None;
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// Names the device `name`; an empty name hands naming back to porchlight.
fn rename(home: &mut Home, id: &DeviceId, name: String) -> Effects {
    let Some(device) = home.inventory.device_mut(id) else {
        return Vec::new();
    };
    let notice = if name.is_empty() {
        device.set_owner_name(None);
        Effect::notice(
            Tone::Info,
            "Name cleared; porchlight names the device again on the next scan.",
        )
    } else {
        device.set_owner_name(Some(name.clone()));
        Effect::notice(Tone::Good, format!("Renamed to {name}."))
    };
    vec![notice, Effect::Save]
}

/// Sets the kind of device the owner chose; its checklist follows.
fn set_category(home: &mut Home, id: &DeviceId, category: Category) -> Effects {
    let Some(device) = home.inventory.device_mut(id) else {
        return Vec::new();
    };
    device.set_owner_category(Some(category));
    home.step_cursor = 0;
    vec![
        Effect::notice(
            Tone::Good,
            format!(
                "Set to {}; its checklist changed to match.",
                category.label()
            ),
        ),
        Effect::Save,
    ]
}

/// Forgets the device and its progress, and goes back to the list.
fn forget(home: &mut Home, id: &DeviceId) -> Effects {
    let name = home
        .device(id)
        .map(|d| d.name().to_string())
        .unwrap_or_default();
    let now = home.now;
    home.inventory.forget(id, now);
    home.list_cursor = home
        .list_cursor
        .min(home.inventory.devices.len().saturating_sub(1));
    vec![
        Effect::Go(Go::List),
        Effect::notice(
            Tone::Good,
            format!(
                "Forgot {name}, and asked the keyring to remove any password kept for it. If it is still on the network, the next scan lists it as new."
            ),
        ),
        Effect::Save,
        Effect::Run(Command::RemoveSecret {
            device: id.clone(),
            name,
        }),
    ]
}

/// Draws the popup `edit` over `area` (the detail's inner area).
pub fn render(
    edit: &Edit,
    device: &Device,
    identity: Option<&Identity>,
    frame: &mut Frame,
    area: Rect,
) {
    match edit {
        Edit::Rename(name) => crate::tui::theme::text_box(frame, area, "Name this device", name),
        Edit::Category(cursor) => render_picker(*cursor, frame, area),
        Edit::Forget => render_forget(device, frame, area),
        Edit::Evidence => render_evidence(device, identity, frame, area),
    }
}

/// The list of kinds of device, for correcting porchlight's guess.
fn render_picker(cursor: usize, frame: &mut Frame, area: Rect) {
    let items: Vec<ListItem> = Category::ALL
        .iter()
        .map(|c| ListItem::new(format!(" {}", c.label())))
        .collect();
    let popup = crate::tui::theme::centered(area, 30, items.len() as u16 + 2);
    let list = List::new(items)
        .block(crate::tui::theme::popup_block(
            "What is this device?",
            "Enter set · Esc cancel",
            ACCENT,
        ))
        .highlight_style(selected())
        .highlight_symbol("▶");
    let mut state = ListState::default().with_selected(Some(cursor));
    frame.render_widget(Clear, popup);
    frame.render_stateful_widget(list, popup, &mut state);
}

/// Every signal behind the identification.
fn render_evidence(device: &Device, id: Option<&Identity>, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    match id {
        None => lines.push(Line::from("Identification is not available.")),
        Some(id) => {
            lines.push(Line::from(vec![
                Span::styled("Conclusion ", dim()),
                Span::raw(format!(
                    "{} · {}% sure{}",
                    id.category.label(),
                    id.confidence,
                    device
                        .owner_category()
                        .map(|c| format!(" (you set it to {})", c.label()))
                        .unwrap_or_default()
                )),
            ]));
            if id.private_mac {
                lines.push(Line::styled(
                    "Its hardware address is private (randomised), so it names no maker.",
                    dim(),
                ));
            }
            lines.push(Line::from(""));
            if id.evidence.is_empty() {
                lines.push(Line::from(
                    "Nothing it announced matched a known kind of device.",
                ));
            }
            let width = area.width.min(78).saturating_sub(2);
            for e in &id.evidence {
                let text = format!("{} → {}", e.signal, e.conclusion);
                lines.extend(crate::tui::theme::hanging(
                    Span::styled(format!("{:>3}  ", e.weight), Style::new().fg(ACCENT)),
                    &text,
                    width,
                ));
            }
        }
    }
    let popup = crate::tui::theme::centered(area, 78, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(crate::tui::theme::popup_block(
                "Why porchlight thinks so",
                "Esc closes",
                ACCENT,
            )),
        popup,
    );
}

/// Asks before forgetting a device and its progress.
fn render_forget(device: &Device, frame: &mut Frame, area: Rect) {
    let settled = device
        .progress
        .values()
        .filter(|p| p.effective().is_settled())
        .count();
    let text = vec![
        Line::from(format!("Forget {}?", device.name())),
        Line::from(""),
        Line::styled(
            format!(
                "Its progress ({settled} steps settled) is deleted with it, and any password porchlight kept for it is removed from the keyring."
            ),
            dim(),
        ),
        Line::styled(
            "If it is still on the network, the next scan lists it as new.",
            dim(),
        ),
    ];
    let popup = crate::tui::theme::centered(area, 70, 6);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(crate::tui::theme::popup_block(
                "Forget this device?",
                "y forget · n keep",
                Color::Red,
            )),
        popup,
    );
}
