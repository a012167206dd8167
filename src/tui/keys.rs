//! The key table: one list of (where, keys) -> action that both dispatches key presses and
//! writes the help overlay, so the two can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the owner is, which decides what a key means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The device list.
    List,
    /// The Fix first list: found problems, then what else needs the owner.
    NeedsYou,
    /// One device's details and checklist.
    Detail,
    /// The step wizard.
    Wizard,
    /// The router's UPnP port mappings.
    Mappings,
    /// Typing text: a reason for accepting a risk, or a device's name.
    Typing,
    /// Choosing the kind of device from a list.
    Picker,
    /// Answering yes or no.
    Confirm,
    /// Reading a popup (why porchlight thinks a device is what it is).
    Info,
    /// The help overlay.
    Help,
    /// The messages log.
    Messages,
}

/// Something the owner asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move the cursor up (or scroll up).
    Up,
    /// Move the cursor down (or scroll down).
    Down,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Open what is under the cursor.
    Open,
    /// Start the wizard on the first open step of the device.
    Guide,
    /// Go back one level.
    Back,
    /// Next wizard page (never decides anything).
    NextPage,
    /// Enter in the wizard: next page, or pick the highlighted choice on the decide page.
    Pick,
    /// Previous wizard page.
    PrevPage,
    /// Mark the step done.
    MarkDone,
    /// Mark the step as not applying to this device.
    MarkNotApplicable,
    /// Accept the risk, with a reason.
    AcceptRisk,
    /// Put the step off for a week.
    Later,
    /// Open the step's help page in the browser.
    OpenLink,
    /// Confirm the typed reason.
    Confirm,
    /// Delete the character before the cursor.
    DeleteChar,
    /// Edit the typed text: move the cursor, clear it, delete a word.
    EditText,
    /// Scan the network (again).
    Rescan,
    /// Show the Fix first list.
    ShowNeedsYou,
    /// Confirm a step the last scan found fine: mark it verified with the evidence.
    ConfirmFine,
    /// Give the device a name of the owner's choosing.
    Rename,
    /// Choose the kind of device.
    SetCategory,
    /// Mark the device as known (no longer new), or new again.
    ToggleKnown,
    /// Remove the device and its progress.
    Forget,
    /// Show why porchlight thinks the device is what it is.
    ShowEvidence,
    /// Allow (or stop) the factory-login check on this device.
    ToggleLoginCheck,
    /// Make a passphrase for the device and keep it in the keyring.
    MakePassphrase,
    /// Make a password of random characters and keep it in the keyring.
    MakeRandomPassword,
    /// Show the password kept for the device.
    ShowPassword,
    /// Show the router's UPnP port mappings.
    ShowMappings,
    /// Remove the highlighted port mapping (asks first).
    RemoveMapping,
    /// Say yes.
    Yes,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Show or hide the messages log.
    ToggleMessages,
    /// Leave porchlight.
    Quit,
}

/// One line of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where the binding holds.
    pub modes: &'static [Mode],
    /// The keys, any of which triggers it.
    pub keys: &'static [KeyCode],
    /// How the keys are written in the help.
    pub label: &'static str,
    /// What happens.
    pub action: Action,
    /// One or two words for the status-line hints.
    pub short: &'static str,
    /// What the help says it does.
    pub help: &'static str,
}

const BROWSE: &[Mode] = &[Mode::List, Mode::Detail];
const ALL_BUT_TYPING: &[Mode] = &[
    Mode::List,
    Mode::Detail,
    Mode::Wizard,
    Mode::Mappings,
    Mode::Picker,
    Mode::NeedsYou,
    Mode::Help,
    Mode::Messages,
];

/// Every key binding, in the order the help shows them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        modes: ALL_BUT_TYPING,
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑ k",
        action: Action::Up,
        short: "up",
        help: "move up / scroll",
    },
    Binding {
        modes: ALL_BUT_TYPING,
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓ j",
        action: Action::Down,
        short: "down",
        help: "move down / scroll",
    },
    Binding {
        modes: &[
            Mode::List,
            Mode::Detail,
            Mode::Picker,
            Mode::NeedsYou,
            Mode::Mappings,
        ],
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "Home g",
        action: Action::Top,
        short: "top",
        help: "first row",
    },
    Binding {
        modes: &[
            Mode::List,
            Mode::Detail,
            Mode::Picker,
            Mode::NeedsYou,
            Mode::Mappings,
        ],
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "End G",
        action: Action::Bottom,
        short: "bottom",
        help: "last row",
    },
    Binding {
        modes: &[Mode::List, Mode::Detail, Mode::NeedsYou],
        keys: &[KeyCode::Enter, KeyCode::Right, KeyCode::Char('l')],
        label: "Enter →",
        action: Action::Open,
        short: "open",
        help: "open device or step",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('w')],
        label: "w",
        action: Action::Guide,
        short: "guide me",
        help: "guide me: first open step",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('e')],
        label: "e",
        action: Action::Rename,
        short: "rename",
        help: "rename the device",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('c')],
        label: "c",
        action: Action::SetCategory,
        short: "kind",
        help: "correct the kind of device",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('m')],
        label: "m",
        action: Action::ToggleKnown,
        short: "mine",
        help: "mark as mine (not new)",
    },
    Binding {
        modes: &[Mode::Wizard, Mode::Detail],
        keys: &[KeyCode::Char('p')],
        label: "p",
        action: Action::MakePassphrase,
        short: "password",
        help: "make a passphrase",
    },
    Binding {
        modes: &[Mode::Wizard, Mode::Detail],
        keys: &[KeyCode::Char('P')],
        label: "P",
        action: Action::MakeRandomPassword,
        short: "random",
        help: "make a random password",
    },
    Binding {
        modes: &[Mode::Wizard, Mode::Detail],
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::ShowPassword,
        short: "show",
        help: "show the kept password",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('i')],
        label: "i",
        action: Action::ShowEvidence,
        short: "why",
        help: "why porchlight thinks so",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('L')],
        label: "L",
        action: Action::ToggleLoginCheck,
        short: "logins",
        help: "allow factory-login tries",
    },
    Binding {
        modes: &[Mode::Wizard, Mode::Detail, Mode::NeedsYou],
        keys: &[KeyCode::Char('y')],
        label: "y",
        action: Action::ConfirmFine,
        short: "confirm fine",
        help: "looks fine: confirm it",
    },
    Binding {
        modes: &[Mode::Detail],
        keys: &[KeyCode::Char('x')],
        label: "x",
        action: Action::Forget,
        short: "forget",
        help: "forget the device",
    },
    Binding {
        modes: &[Mode::Detail, Mode::Wizard],
        keys: &[KeyCode::Char('u')],
        label: "u",
        action: Action::ShowMappings,
        short: "forwards",
        help: "router's UPnP forwards",
    },
    Binding {
        modes: &[Mode::Mappings],
        keys: &[KeyCode::Char('x'), KeyCode::Delete],
        label: "x Del",
        action: Action::RemoveMapping,
        short: "remove",
        help: "remove a forward (asks)",
    },
    Binding {
        modes: &[Mode::List],
        keys: &[KeyCode::Char('n')],
        label: "n",
        action: Action::ShowNeedsYou,
        short: "fix first",
        help: "fix first: problems found",
    },
    Binding {
        modes: BROWSE,
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Rescan,
        short: "scan",
        help: "scan the network again",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Right, KeyCode::Tab, KeyCode::PageDown],
        label: "→ Tab PgDn",
        action: Action::NextPage,
        short: "next",
        help: "next page (never picks)",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Pick,
        short: "pick",
        help: "pick highlighted choice",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Left, KeyCode::BackTab, KeyCode::PageUp],
        label: "← S-Tab PgUp",
        action: Action::PrevPage,
        short: "back a page",
        help: "previous page",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Char('d')],
        label: "d",
        action: Action::MarkDone,
        short: "done",
        help: "done: I did this step",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Char('n')],
        label: "n",
        action: Action::MarkNotApplicable,
        short: "n/a",
        help: "not applicable here",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Char('a')],
        label: "a",
        action: Action::AcceptRisk,
        short: "accept",
        help: "accept the risk, say why",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Char('l')],
        label: "l",
        action: Action::Later,
        short: "later",
        help: "later: in a week",
    },
    Binding {
        modes: &[Mode::Wizard],
        keys: &[KeyCode::Char('o')],
        label: "o",
        action: Action::OpenLink,
        short: "open link",
        help: "open help in browser",
    },
    Binding {
        modes: &[Mode::Typing, Mode::Picker],
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Confirm,
        short: "save",
        help: "save what you typed",
    },
    Binding {
        modes: &[Mode::Typing],
        keys: &[KeyCode::Backspace],
        label: "Backspace",
        action: Action::DeleteChar,
        short: "delete",
        help: "delete a character",
    },
    Binding {
        modes: &[Mode::Typing],
        keys: &[
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Delete,
        ],
        label: "← → Home End",
        action: Action::EditText,
        short: "move",
        help: "move in the text",
    },
    // Ctrl-U and Ctrl-W are matched in `action_for` (the table holds plain keys only).
    Binding {
        modes: &[Mode::Typing],
        keys: &[],
        label: "Ctrl-U",
        action: Action::EditText,
        short: "clear",
        help: "clear the text",
    },
    Binding {
        modes: &[Mode::Typing],
        keys: &[],
        label: "Ctrl-W",
        action: Action::EditText,
        short: "delete word",
        help: "delete word to the left",
    },
    Binding {
        modes: &[
            Mode::Detail,
            Mode::Help,
            Mode::NeedsYou,
            Mode::Mappings,
            Mode::Info,
            Mode::Messages,
        ],
        keys: &[KeyCode::Esc, KeyCode::Left, KeyCode::Char('h')],
        label: "Esc ←",
        action: Action::Back,
        short: "back",
        help: "back",
    },
    Binding {
        modes: &[Mode::Confirm],
        keys: &[KeyCode::Char('y')],
        label: "y",
        action: Action::Yes,
        short: "yes",
        help: "yes, go ahead",
    },
    Binding {
        modes: &[Mode::Confirm],
        keys: &[KeyCode::Char('n'), KeyCode::Esc],
        label: "n Esc",
        action: Action::Back,
        short: "no",
        help: "no, keep it",
    },
    Binding {
        modes: &[Mode::Wizard, Mode::Typing, Mode::Picker],
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Back,
        short: "back",
        help: "back to device / cancel",
    },
    Binding {
        modes: &[
            Mode::List,
            Mode::Detail,
            Mode::Wizard,
            Mode::Help,
            Mode::NeedsYou,
            Mode::Mappings,
        ],
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::ToggleHelp,
        short: "help",
        help: "show or hide this help",
    },
    Binding {
        modes: &[
            Mode::List,
            Mode::Detail,
            Mode::Wizard,
            Mode::NeedsYou,
            Mode::Mappings,
            Mode::Messages,
        ],
        keys: &[KeyCode::Char('M')],
        label: "M",
        action: Action::ToggleMessages,
        short: "messages",
        help: "all recent messages, whole",
    },
    Binding {
        modes: &[
            Mode::List,
            Mode::Detail,
            Mode::Wizard,
            Mode::Help,
            Mode::NeedsYou,
            Mode::Mappings,
        ],
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        short: "quit",
        help: "quit (all saved already)",
    },
];

/// The action for `key` in `mode`, if any. Ctrl-C always quits; in a text box Ctrl-U and Ctrl-W
/// edit, and no other Ctrl or Alt key means anything. In a text box, letters are text, not
/// commands; only Esc leaves it.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            KeyCode::Char('u' | 'w') if mode == Mode::Typing => Some(Action::EditText),
            _ => None,
        };
    }
    if mode == Mode::Typing && matches!(key.code, KeyCode::Char(_)) {
        return None;
    }
    BINDINGS
        .iter()
        .filter(|b| b.modes.contains(&mode))
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// The bindings that hold in `mode`, for the help overlay and the key hints.
pub fn bindings_for(mode: Mode) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.modes.contains(&mode))
}

/// Moves a list cursor over `len` rows for `action`: up, down, top, bottom; any other action
/// only keeps it in range.
pub fn move_cursor(cursor: &mut usize, len: usize, action: Action) {
    let last = len.saturating_sub(1);
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (*cursor + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => (*cursor).min(last),
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_means_two_things_in_one_mode() {
        for mode in [
            Mode::List,
            Mode::NeedsYou,
            Mode::Detail,
            Mode::Wizard,
            Mode::Mappings,
            Mode::Typing,
            Mode::Picker,
            Mode::Confirm,
            Mode::Info,
            Mode::Help,
            Mode::Messages,
        ] {
            let mut seen = Vec::new();
            for b in bindings_for(mode) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} is bound twice in {mode:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn typing_a_reason_keeps_letters_as_text() {
        assert_eq!(action_for(Mode::Typing, press(KeyCode::Char('q'))), None);
        assert_eq!(action_for(Mode::Typing, press(KeyCode::Char('h'))), None);
        assert_eq!(
            action_for(Mode::Typing, press(KeyCode::Esc)),
            Some(Action::Back)
        );
        assert_eq!(
            action_for(Mode::List, press(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Mode::Typing, ctrl_c), Some(Action::Quit));
        let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Mode::Typing, ctrl_u), Some(Action::EditText));
        assert_eq!(action_for(Mode::List, ctrl_u), None);
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Mode::List, ctrl_q), None);
    }
}
