//! The TUI's model and its `update` function, in The Elm Architecture: every input, tick and
//! result of background work arrives as one [`Msg`]; [`App::update`] routes it (keys to the
//! overlays or to the screen showing, results to the scan or the wizard), applies the effects
//! they return (notices, saves, changing screens, commands) and returns at most one [`Command`]
//! for the loop to run (save, open a link, quit). `update` does no IO and reads no clock: the loop
//! passes the time in, so tests can script whole sessions.
//!
//! The screens and what they own are in `screens/` (one file each) and `router.rs` (which screen
//! shows); the model they share is `Home` (home.rs); the scan is in `scanning.rs`.

use crossterm::event::{KeyEvent, KeyEventKind};
use jiff::Timestamp;

use crate::catalog::{Catalog, Step};
use crate::model::{Device, DeviceId, Inventory};
use crate::tui::effect::{Effect, Effects};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode, action_for};
use crate::tui::messages::MessageLog;
use crate::tui::scanning::Scanning;
use crate::tui::screens::help::Help;
use crate::tui::screens::mappings;
use crate::tui::screens::scan::ScanView;

pub use crate::tui::fix_first::{FixEntry, FixItem, FixKind};
pub use crate::tui::msg::{Command, MappingsMsg, Msg};
pub use crate::tui::notice::{NOTICE_SECONDS, Notice, SaveStatus, Tone};
pub use crate::tui::router::Screen;
pub use crate::tui::screens::edit::{Edit, NAME_MAX_CHARS};
pub use crate::tui::screens::scan::StageState;
pub use crate::tui::screens::secret::{CANNOT_READ, NOT_KEPT, SecretView};
pub use crate::tui::screens::wizard::{Choice, LATER_DAYS, REASON_MAX_CHARS, Wizard, WizardPage};

/// The whole UI model.
#[derive(Debug, Clone)]
pub struct App {
    /// The model the screens share: checklist, devices, clock, cursors.
    home: Home,
    /// The screen.
    screen: Screen,
    /// The help overlay.
    help: Help,
    /// The status-line notice.
    notice: Option<Notice>,
    /// Where saving stands.
    save: SaveStatus,
    /// Set once the owner asked to leave.
    quitting: bool,
    /// The running or last scan.
    scanning: Scanning,
    /// A password being shown.
    secret: Option<SecretView>,
    /// Every notice so far, whole, for the messages view.
    log: MessageLog,
}

impl App {
    /// A new UI over `inventory`, at time `now`.
    pub fn new(
        catalog: Catalog,
        inventory: Inventory,
        place: impl Into<String>,
        now: Timestamp,
    ) -> Self {
        let new_devices = inventory.new_devices().count();
        let notice = (new_devices > 0).then(|| Notice {
            text: if new_devices == 1 {
                "1 device is not marked as yours yet: open it, and press m if it is.".to_string()
            } else {
                format!("{new_devices} devices are not marked as yours yet: open each, and press m if it is.")
            },
            tone: Tone::Info,
            at: now,
        });
        let mut log = MessageLog::default();
        if let Some(notice) = &notice {
            log.push(notice);
        }
        Self {
            home: Home::new(catalog, inventory, place.into(), now),
            screen: Screen::List,
            help: Help::default(),
            notice,
            save: SaveStatus::default(),
            quitting: false,
            scanning: Scanning::default(),
            secret: None,
            log,
        }
    }

    /// Audits with this computer's own networks `nets` (the checks send nothing elsewhere).
    pub fn with_local_nets(mut self, nets: Vec<crate::discovery::Ipv4Net>) -> Self {
        self.scanning.local_nets = nets;
        self
    }

    /// Identifies scanned devices with `rules`.
    pub fn with_fingerprints(mut self, rules: crate::identify::Fingerprints) -> Self {
        self.home.fingerprints = Some(std::sync::Arc::new(rules));
        self
    }

    /// Uses the owner's time zone for due dates.
    pub fn with_time_zone(mut self, tz: jiff::tz::TimeZone) -> Self {
        self.home.set_time_zone(tz);
        self
    }

    /// What `porchlight watch` found since the owner last looked, newest first (shown under the
    /// Fix first list).
    pub fn with_watch_news(mut self, news: Vec<crate::watch::WatchEvent>) -> Self {
        self.home.watch_news = news;
        self
    }

    /// Allows scanning (the real inventory, not the demo home).
    pub fn with_scanning(mut self, can_scan: bool) -> Self {
        self.home.can_scan = can_scan;
        self
    }

    /// Opens with `notice` on the status line instead of the usual one.
    pub fn with_notice(mut self, notice: Notice) -> Self {
        self.notice = Some(notice);
        self
    }

    /// Opens on the Fix first list when anything is on it, or when watch found something since
    /// the owner last looked (the start of a session).
    pub fn open_needs_you_if_due(mut self) -> Self {
        if !self.home.fix_first().is_empty() || !self.home.watch_news.is_empty() {
            self.screen = Screen::open(crate::tui::effect::Go::NeedsYou);
        }
        self
    }

    /// The model the screens share.
    pub(crate) fn home(&self) -> &Home {
        &self.home
    }

    /// The checklist.
    pub fn catalog(&self) -> &Catalog {
        &self.home.catalog
    }

    /// Devices and progress; what gets saved.
    pub fn inventory(&self) -> &Inventory {
        &self.home.inventory
    }

    /// Devices and progress, to change from outside the UI (a scan merged in by a test).
    pub fn inventory_mut(&mut self) -> &mut Inventory {
        self.home.household.generation = None;
        &mut self.home.inventory
    }

    /// Whether this inventory can be scanned (not the simulated demo home).
    pub fn can_scan(&self) -> bool {
        self.home.can_scan
    }

    /// The screen showing.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The status-line notice.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Where saving stands.
    pub fn save(&self) -> &SaveStatus {
        &self.save
    }

    /// True once the owner asked to leave.
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// The row of the device list under the cursor.
    pub fn list_cursor(&self) -> usize {
        self.home.list_cursor
    }

    /// Puts the device list's cursor on row `row` (clamped when drawn and moved).
    pub fn set_list_cursor(&mut self, row: usize) {
        self.home.list_cursor = row;
    }

    /// The password popup, when open.
    pub fn secret(&self) -> Option<&SecretView> {
        self.secret.as_ref()
    }

    /// True while the help overlay is shown.
    pub fn show_help(&self) -> bool {
        self.help.shown
    }

    /// How far the help overlay is scrolled.
    pub fn help_scroll(&self) -> u16 {
        self.help.scroll
    }

    /// The popup open over the device's detail, if any.
    pub fn edit(&self) -> Option<&Edit> {
        match &self.screen {
            Screen::Detail(d) => d.edit.as_ref(),
            _ => None,
        }
    }

    /// The running or last scan, for the progress line.
    pub fn scan(&self) -> Option<&ScanView> {
        self.scanning.view.as_ref()
    }

    /// Every notice so far, for the messages view.
    pub fn log(&self) -> &MessageLog {
        &self.log
    }

    /// What needs the owner now, most urgent first.
    pub fn needs_you(&self) -> Vec<crate::reminders::Reminder> {
        self.home.needs_you()
    }

    /// The Fix first list.
    pub fn fix_first(&self) -> Vec<FixItem> {
        self.home.fix_first()
    }

    /// The Fix first list as its entries: one problem found on several devices is one entry.
    pub fn fix_entries(&self) -> Vec<FixEntry> {
        self.home.fix_entries()
    }

    /// How many found problems are open over the whole home (the header's count).
    pub fn problems_found(&self) -> usize {
        self.home.problems_found()
    }

    /// The device under the list cursor.
    pub fn selected_device(&self) -> Option<&Device> {
        self.home.selected_device()
    }

    /// The device a screen is about.
    pub fn device(&self, id: &DeviceId) -> Option<&Device> {
        self.home.device(id)
    }

    /// The steps that apply to `device`, found problems first.
    pub fn steps_of(&self, device: &Device) -> Vec<&Step> {
        self.home.steps_of(device)
    }

    /// True when `step` still needs the owner on `device` now.
    pub fn is_open(&self, device: &Device, step: &Step) -> bool {
        self.home.is_open(device, step)
    }

    /// Where keys go now.
    pub fn mode(&self) -> Mode {
        if self.help.shown {
            Mode::Help
        } else if self.secret.is_some() {
            Mode::Info
        } else if self.log.open {
            Mode::Messages
        } else {
            self.screen.mode()
        }
    }

    /// Applies one message. Does no IO; returns the work the loop should do.
    pub fn update(&mut self, msg: Msg, now: Timestamp) -> Option<Command> {
        self.home.now = now;
        let effects = match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => return self.on_key(key),
            Msg::Tick => {
                // Good news and hints fade; errors stay until something else is said.
                if self.notice.as_ref().is_some_and(|n| {
                    n.tone != Tone::Error && now.as_second() - n.at.as_second() > NOTICE_SECONDS
                }) {
                    self.notice = None;
                }
                Vec::new()
            }
            Msg::Key(_) | Msg::Resize => Vec::new(),
            Msg::Saved { generation } => {
                self.save.saved = self.save.saved.max(generation);
                if !self.save.pending() {
                    self.save.error = None;
                }
                Vec::new()
            }
            Msg::SaveFailed { generation, error } => {
                if generation < self.save.saved {
                    return None;
                }
                let text = format!(
                    "Could not save: {error}. Kept in memory; retried on your next change."
                );
                self.save.error = Some(error);
                vec![Effect::Notice(Tone::Error, text)]
            }
            Msg::LinkOpened { url } => vec![Effect::Notice(
                Tone::Info,
                format!("Opened in your browser: {url}"),
            )],
            Msg::LinkFailed { url, error } => vec![Effect::Notice(
                Tone::Error,
                format!("No browser could be started ({error}). The page is {url}"),
            )],
            Msg::ScanStarted { scope, notes } => self.scanning.started(scope, notes, now),
            Msg::ScanFailed { error } => self.scanning.failed(&error),
            Msg::Discovery(event) => self.scanning.on_discovery(&mut self.home, event),
            Msg::Audited(done) => self.scanning.on_audited(&mut self.home, done),
            Msg::Verified(outcome) => {
                let wizard = match &mut self.screen {
                    Screen::Wizard(w) => Some(w),
                    _ => None,
                };
                crate::tui::screens::wizard::on_verified(&mut self.home, wizard, outcome)
            }
            Msg::PasswordMade {
                device,
                password,
                kept,
            } => {
                if self.home.device(&device).is_some()
                    && let Some(view) = self.secret.as_mut()
                {
                    view.made(password, kept);
                }
                Vec::new()
            }
            Msg::SecretMoved { to, result } => {
                let name = self.home.device(&to).map(|d| d.name().to_string());
                crate::tui::screens::secret::moved(name.as_deref().unwrap_or("a device"), result)
            }
            Msg::SecretRemoved { name, result } => {
                crate::tui::screens::secret::removed(&name, result)
            }
            Msg::Mappings(m) => mappings::on_msg(&mut self.home, self.screen.mappings(), m),
            Msg::PasswordFetched { result, .. } => {
                if let Some(view) = self.secret.as_mut() {
                    view.fetched(result);
                }
                Vec::new()
            }
        };
        self.apply(effects)
    }

    /// Routes a key: first the keys that hold everywhere, then the overlays, then the screen.
    fn on_key(&mut self, key: KeyEvent) -> Option<Command> {
        let mode = self.mode();
        let Some(action) = action_for(mode, key) else {
            if mode == Mode::Typing {
                self.type_text(key);
            }
            return None;
        };
        if mode == Mode::Typing && matches!(action, Action::EditText | Action::DeleteChar) {
            self.type_text(key);
            return None;
        }
        let effects = match action {
            Action::Quit => {
                self.quitting = true;
                // What a running scan found so far is saved before leaving.
                let stopped = self.scanning.stop(&self.home);
                return match self.apply(stopped) {
                    Some(save) => Some(Command::Batch(vec![save, Command::Quit])),
                    None => Some(Command::Quit),
                };
            }
            Action::ToggleHelp => {
                self.help.toggle();
                Vec::new()
            }
            Action::ToggleMessages => {
                self.log.toggle();
                Vec::new()
            }
            Action::Rescan => self.scanning.request(&self.home),
            Action::MakePassphrase | Action::MakeRandomPassword | Action::ShowPassword => {
                self.ask_password(action)
            }
            _ => self.on_overlay_or_screen(mode, action),
        };
        self.apply(effects)
    }

    /// An action for the overlay on top (help, messages, a popup to read), else for the screen.
    fn on_overlay_or_screen(&mut self, mode: Mode, action: Action) -> Effects {
        match mode {
            Mode::Help => self.help.on_key(action),
            Mode::Messages => self.log.on_key(action),
            Mode::Info => {
                // Closing a password drops it from memory.
                self.secret = None;
                if let Screen::Detail(d) = &mut self.screen
                    && matches!(d.edit, Some(Edit::Evidence))
                {
                    d.edit = None;
                }
            }
            _ => return self.screen.on_key(&mut self.home, action),
        }
        Vec::new()
    }

    /// Opens the password popup for the device shown and asks the keyring.
    fn ask_password(&mut self, action: Action) -> Effects {
        let Some(device) = self.screen.device().cloned() else {
            return Vec::new();
        };
        let Some(name) = self.home.device(&device).map(|d| d.name().to_string()) else {
            return Vec::new();
        };
        let (view, command) = SecretView::ask(device, name, action);
        self.secret = Some(view);
        vec![Effect::Run(command)]
    }

    /// Passes a key to whichever text box is open.
    fn type_text(&mut self, key: KeyEvent) {
        if let Some(text) = self.screen.text_box() {
            text.handle(key);
        }
    }

    /// Applies `effects` in order; returns the commands they ask for (several as a batch).
    fn apply(&mut self, effects: Effects) -> Option<Command> {
        let mut commands = Vec::new();
        for effect in effects {
            match effect {
                Effect::Notice(tone, text) => self.say(tone, text),
                Effect::NoticeUnlessError(tone, text) => {
                    if self.notice.as_ref().is_none_or(|n| n.tone != Tone::Error) {
                        self.say(tone, text);
                    }
                }
                Effect::Save => {
                    self.save.generation += 1;
                    commands.push(Command::Save {
                        generation: self.save.generation,
                    });
                }
                Effect::SaveAndVerify { device, step } => {
                    self.save.generation += 1;
                    commands.push(Command::SaveAndVerify {
                        generation: self.save.generation,
                        device,
                        step,
                    });
                }
                Effect::Go(go) => self.screen = Screen::open(go),
                Effect::Renamed { was, now_is } => self.screen.renamed(&was, &now_is),
                Effect::Run(command) => commands.push(command),
            }
        }
        self.home.refresh_household(self.save.generation);
        match commands.len() {
            0 => None,
            1 => commands.pop(),
            _ => Some(Command::Batch(commands)),
        }
    }

    /// Shows a notice on the status line and keeps it in the log.
    fn say(&mut self, tone: Tone, text: String) {
        let notice = Notice {
            text,
            tone,
            at: self.home.now,
        };
        self.log.push(&notice);
        self.notice = Some(notice);
    }
}
