//! The TUI's model and its `update` function, in The Elm Architecture: every input, tick and
//! result of background work arrives as one [`Msg`]; [`App::update`] changes the model and returns
//! at most one [`Command`] for the loop to run (save, open a link, quit). `update` does no IO and
//! reads no clock: the loop passes the time in, so tests can script whole sessions.

use crossterm::event::{KeyEvent, KeyEventKind};
use jiff::{Timestamp, ToSpan};

use super::keys::{Action, Mode, action_for};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::catalog::{Catalog, Step};
use crate::checks::{CheckResult, Verdict};
use crate::discovery::{DiscoveryEvent, Stage};
use crate::model::{Category, Device, DeviceId, Inventory, StepId, StepState};
use crate::secrets::{Password, PasswordStyle};
use crate::tui::textbox::TextBox;
use crate::verify::Outcome;

mod scan;

/// How long "Later" puts a step off.
pub const LATER_DAYS: i64 = 7;

/// The longest reason the owner can type for accepting a risk.
pub const REASON_MAX_CHARS: usize = 200;

/// The longest name the owner can give a device.
pub const NAME_MAX_CHARS: usize = 60;

/// Everything that can happen to the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized (rendering adapts on the next frame).
    Resize,
    /// Time passed (refreshes relative dates and clears old notices).
    Tick,
    /// The save numbered `generation` reached the disk.
    Saved {
        /// Which save.
        generation: u64,
    },
    /// The save numbered `generation` failed.
    SaveFailed {
        /// Which save.
        generation: u64,
        /// Why, in one line.
        error: String,
    },
    /// A help page was handed to the browser.
    LinkOpened {
        /// The page.
        url: String,
    },
    /// No browser could be started.
    LinkFailed {
        /// The page.
        url: String,
        /// Why, in one line.
        error: String,
    },
    /// The scan started on this scope ("192.168.1.0/24 on wlan0").
    ScanStarted {
        /// What is scanned.
        scope: String,
        /// Notes about the scope (interfaces passed over, narrowed).
        notes: Vec<String>,
    },
    /// The scan could not start (no usable network).
    ScanFailed {
        /// Why, in one line.
        error: String,
    },
    /// An event of the running scan.
    Discovery(DiscoveryEvent),
    /// A password was made for a device; `kept` says whether the keyring took it.
    PasswordMade {
        /// The device.
        device: DeviceId,
        /// The new password (shown once).
        password: Password,
        /// `Ok` when it is in the keyring, else why not.
        kept: Result<(), String>,
    },
    /// A step's network check finished.
    Verified(Outcome),
    /// The audit of one device during a scan finished (fold it back through the workflow).
    Audited(crate::session::AuditDone),
    /// The keyring answered a request for a device's password.
    PasswordFetched {
        /// The device.
        device: DeviceId,
        /// The password, none kept, or why the keyring could not answer.
        result: Result<Option<Password>, String>,
    },
}

/// Work for the loop, off the UI task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Save the inventory; the result comes back as `Saved` or `SaveFailed` with this number.
    Save {
        /// Increases with every change.
        generation: u64,
    },
    /// Open a page in the browser.
    OpenLink(String),
    /// Start a scan of the network.
    StartScan,
    /// Save, then run the network check of `step` on `device`.
    SaveAndVerify {
        /// Increases with every change.
        generation: u64,
        /// The device.
        device: DeviceId,
        /// The step just marked done.
        step: StepId,
    },
    /// Run the audit's checks on one device ([`crate::session::run_audit`]); the result comes
    /// back as `Audited`.
    Audit(Box<crate::session::AuditJob>),
    /// Several commands, in order.
    Batch(Vec<Command>),
    /// Make a password for a device and keep it in the keyring.
    MakePassword {
        /// The device.
        device: DeviceId,
        /// What kind of password.
        style: PasswordStyle,
    },
    /// Fetch the password kept for a device.
    FetchPassword {
        /// The device.
        device: DeviceId,
    },
    /// Leave porchlight (after pending saves finish).
    Quit,
}

/// How a status-line notice should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something went well.
    Good,
    /// Something went wrong.
    Error,
}

/// The one-line notice at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// How to show it.
    pub tone: Tone,
    /// When it was said (notices other than errors fade after [`NOTICE_SECONDS`]).
    pub at: Timestamp,
}

/// How long a notice that is not an error stays on the status line.
pub const NOTICE_SECONDS: i64 = 12;

/// Where saving stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveStatus {
    /// Number of the latest change.
    pub generation: u64,
    /// Number of the latest change known to be on disk.
    pub saved: u64,
    /// The last save error, while the newest change is not on disk.
    pub error: Option<String>,
}

impl SaveStatus {
    /// True when the newest change is not yet known to be on disk.
    pub fn pending(&self) -> bool {
        self.saved < self.generation
    }
}

/// How one stage of the running scan stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageState {
    /// Running; `done` of `total` units.
    Running {
        /// Units done.
        done: usize,
        /// Units in all (0 when unknown).
        total: usize,
    },
    /// Finished, having seen `hosts`.
    Finished {
        /// Hosts seen.
        hosts: usize,
    },
    /// Could not run.
    Failed {
        /// Why.
        reason: String,
    },
}

/// The scan shown in the progress line: running, or the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanView {
    /// What is scanned.
    pub scope: String,
    /// When it started.
    pub started_at: Timestamp,
    /// Each stage, in the order they started.
    pub stages: Vec<(Stage, StageState)>,
    /// Distinct addresses seen.
    pub hosts: BTreeSet<Ipv4Addr>,
    /// Devices that were not in the inventory before.
    pub new_devices: usize,
    /// Still running.
    pub running: bool,
}

impl ScanView {
    fn set(&mut self, stage: Stage, state: StageState) {
        match self.stages.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, old)) => *old = state,
            None => self.stages.push((stage, state)),
        }
    }
}

/// A page of the step wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WizardPage {
    /// Why the step matters.
    Why,
    /// How to do it.
    How,
    /// Done, not applicable, accept the risk, or later.
    Decide,
}

impl WizardPage {
    /// Every page, in order.
    pub const ALL: [WizardPage; 3] = [WizardPage::Why, WizardPage::How, WizardPage::Decide];

    /// The page title.
    pub fn title(self) -> &'static str {
        match self {
            WizardPage::Why => "Why it matters",
            WizardPage::How => "How to do it",
            WizardPage::Decide => "Your call",
        }
    }
}

/// The four ways to finish a step in the wizard, in the order the decide page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// I did it.
    Done,
    /// Does not apply.
    NotApplicable,
    /// Accept the risk with a reason.
    Accept,
    /// Remind me in a week.
    Later,
}

impl Choice {
    /// Every choice, in order.
    pub const ALL: [Choice; 4] = [
        Choice::Done,
        Choice::NotApplicable,
        Choice::Accept,
        Choice::Later,
    ];

    /// What the decide page says.
    pub fn label(self) -> &'static str {
        match self {
            Choice::Done => "Done: I have made this change",
            Choice::NotApplicable => "Not applicable: this device has no such setting",
            Choice::Accept => "Accept the risk: leave it as it is, for a reason",
            Choice::Later => "Later: remind me in a week",
        }
    }

    /// The key that picks it directly.
    pub fn key(self) -> char {
        match self {
            Choice::Done => 'd',
            Choice::NotApplicable => 'n',
            Choice::Accept => 'a',
            Choice::Later => 'l',
        }
    }
}

/// The wizard's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wizard {
    /// The device.
    pub device: DeviceId,
    /// The step.
    pub step: StepId,
    /// Current page.
    pub page: WizardPage,
    /// Scroll offset of the page text.
    pub scroll: u16,
    /// Highlighted choice on the decide page.
    pub choice: usize,
    /// The reason being typed, when accepting a risk.
    pub reason: Option<TextBox>,
    /// The step was marked done and its network check is running.
    pub checking: bool,
    /// What the check found, shown until the owner moves on.
    pub verdict: Option<CheckResult>,
    /// The verdict is simulated (the demo home): nothing was sent.
    pub simulated: bool,
}

impl Wizard {
    fn new(device: DeviceId, step: StepId) -> Self {
        Self {
            device,
            step,
            page: WizardPage::Why,
            scroll: 0,
            choice: 0,
            reason: None,
            checking: false,
            verdict: None,
            simulated: false,
        }
    }
}

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

/// Which screen is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The device list.
    List,
    /// What needs the owner now, most urgent first.
    NeedsYou {
        /// The highlighted row.
        cursor: usize,
    },
    /// One device.
    Detail {
        /// Which device.
        device: DeviceId,
    },
    /// The step wizard.
    Wizard(Wizard),
}

/// The whole UI model.
#[derive(Debug, Clone)]
pub struct App {
    /// The checklist.
    pub catalog: Catalog,
    /// Devices and progress; what gets saved.
    pub inventory: Inventory,
    /// What the header calls this inventory ("demo home", the data folder).
    pub place: String,
    /// The screen.
    pub screen: Screen,
    /// Cursor in the device list.
    pub list_cursor: usize,
    /// Cursor in the detail checklist.
    pub step_cursor: usize,
    /// Help overlay shown.
    pub show_help: bool,
    /// How far the help overlay is scrolled (it is clamped when drawn).
    pub help_scroll: u16,
    /// The status-line notice.
    pub notice: Option<Notice>,
    /// Where saving stands.
    pub save: SaveStatus,
    /// The time as of the last message.
    pub now: Timestamp,
    /// Set once the owner asked to leave.
    pub quitting: bool,
    /// Whether this inventory can be scanned (not the simulated demo home).
    pub can_scan: bool,
    /// The running or last scan.
    pub scan: Option<ScanView>,
    /// A change being made to the open device.
    pub edit: Option<Edit>,
    /// The owner's time zone, for due dates.
    pub tz: jiff::tz::TimeZone,
    /// What `porchlight watch` found since the owner last looked, newest first.
    pub watch_news: Vec<crate::watch::WatchEvent>,
    /// A password being shown.
    pub secret: Option<SecretView>,
    /// Every notice so far, whole, for the messages view.
    pub log: crate::tui::messages::MessageLog,
    /// Fingerprint rules, to tell what each scanned device is.
    pub fingerprints: Option<std::sync::Arc<crate::identify::Fingerprints>>,
    /// The running scan's workflow (discovery, audit, saves), shared with the command line.
    pub workflow: Option<crate::session::ScanWorkflow>,
    /// This computer's own networks, for the audit's checks.
    pub local_nets: Vec<crate::discovery::Ipv4Net>,
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
        Self {
            catalog,
            inventory,
            place: place.into(),
            screen: Screen::List,
            list_cursor: 0,
            step_cursor: 0,
            show_help: false,
            help_scroll: 0,
            notice,
            save: SaveStatus::default(),
            now,
            quitting: false,
            can_scan: false,
            scan: None,
            edit: None,
            tz: jiff::tz::TimeZone::UTC,
            watch_news: Vec::new(),
            fingerprints: None,
            secret: None,
            log: crate::tui::messages::MessageLog::default(),
            workflow: None,
            local_nets: Vec::new(),
        }
        .with_first_notice()
    }

    /// Keeps the opening notice in the messages log too.
    fn with_first_notice(mut self) -> Self {
        if let Some(notice) = &self.notice {
            self.log.push(notice);
        }
        self
    }

    /// Audits with this computer's own networks `nets` (the checks send nothing elsewhere).
    pub fn with_local_nets(mut self, nets: Vec<crate::discovery::Ipv4Net>) -> Self {
        self.local_nets = nets;
        self
    }

    /// Identifies scanned devices with `rules`.
    pub fn with_fingerprints(mut self, rules: crate::identify::Fingerprints) -> Self {
        self.fingerprints = Some(std::sync::Arc::new(rules));
        self
    }

    /// Uses the owner's time zone for due dates.
    pub fn with_time_zone(mut self, tz: jiff::tz::TimeZone) -> Self {
        self.tz = tz;
        self
    }

    /// What `porchlight watch` found since the owner last looked, newest first (shown under the
    /// Fix first list).
    pub fn with_watch_news(mut self, news: Vec<crate::watch::WatchEvent>) -> Self {
        self.watch_news = news;
        self
    }

    /// Opens on the Fix first list when anything is on it, or when watch found something since
    /// the owner last looked (the start of a session).
    pub fn open_needs_you_if_due(mut self) -> Self {
        if !self.fix_first().is_empty() || !self.watch_news.is_empty() {
            self.screen = Screen::NeedsYou { cursor: 0 };
        }
        self
    }

    /// What needs the owner now, most urgent first.
    pub fn needs_you(&self) -> Vec<crate::reminders::Reminder> {
        let ctx = crate::reminders::DueContext::new(&self.inventory, self.tz.clone());
        crate::reminders::reminders(&self.catalog, &self.inventory, &ctx, self.now)
    }

    /// Allows scanning (the real inventory, not the demo home).
    pub fn with_scanning(mut self, can_scan: bool) -> Self {
        self.can_scan = can_scan;
        self
    }

    /// Asks for a scan: the command to run, or a notice saying why not.
    pub fn request_scan(&mut self) -> Option<Command> {
        if !self.can_scan {
            self.notice(
                Tone::Info,
                "The demo home is simulated, so there is nothing to scan. Run porchlight without --demo to scan your network.",
            );
            return None;
        }
        if self.scan.as_ref().is_some_and(|s| s.running)
            || self.workflow.as_ref().is_some_and(|w| w.running())
        {
            self.notice(Tone::Info, "A scan is already running.");
            return None;
        }
        Some(Command::StartScan)
    }

    /// Where keys go now.
    pub fn mode(&self) -> Mode {
        if self.show_help {
            return Mode::Help;
        }
        if self.secret.is_some() {
            return Mode::Info;
        }
        if self.log.open {
            return Mode::Messages;
        }
        match &self.screen {
            Screen::List => Mode::List,
            Screen::NeedsYou { .. } => Mode::NeedsYou,
            Screen::Detail { .. } => match self.edit {
                Some(Edit::Rename(_)) => Mode::Typing,
                Some(Edit::Category(_)) => Mode::Picker,
                Some(Edit::Forget) => Mode::Confirm,
                Some(Edit::Evidence) => Mode::Info,
                None => Mode::Detail,
            },
            Screen::Wizard(w) if w.reason.is_some() => Mode::Typing,
            Screen::Wizard(_) => Mode::Wizard,
        }
    }

    /// The device under the list cursor.
    pub fn selected_device(&self) -> Option<&Device> {
        self.inventory.devices.get(self.list_cursor)
    }

    /// The device a screen is about.
    pub fn device(&self, id: &DeviceId) -> Option<&Device> {
        self.inventory.device(id)
    }

    /// The steps that apply to `device`: found problems first, then the rest in catalog order.
    /// A step the audit runs on this device by evidence (telnet open anywhere gets the telnet
    /// step), or has a finding for, is listed even when the kind of device does not call for it.
    pub fn steps_of(&self, device: &Device) -> Vec<&Step> {
        let mut steps: Vec<&Step> = self.catalog.steps_for(device.category()).collect();
        let by_evidence = crate::session::audit_steps(&self.catalog, device)
            .into_iter()
            .chain(
                device
                    .findings
                    .keys()
                    .filter_map(|id| self.catalog.step(id)),
            );
        for step in by_evidence {
            if !steps.iter().any(|s| s.id == step.id) {
                steps.push(step);
            }
        }
        let now = self.now;
        steps.sort_by_key(|s| super::fix_first::open_problem(device, &s.id, now).is_none());
        steps
    }

    /// True when `step` still needs the owner on `device` now (to do or failed, and not snoozed).
    pub fn is_open(&self, device: &Device, step: &Step) -> bool {
        crate::standing::step_status(device, &step.id, self.now).needs_owner()
    }

    /// Applies one message. Does no IO; returns the work the loop should do.
    pub fn update(&mut self, msg: Msg, now: Timestamp) -> Option<Command> {
        self.now = now;
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Tick => {
                // Good news and hints fade; errors stay until something else is said.
                if self.notice.as_ref().is_some_and(|n| {
                    n.tone != Tone::Error && now.as_second() - n.at.as_second() > NOTICE_SECONDS
                }) {
                    self.notice = None;
                }
                None
            }
            Msg::Key(_) | Msg::Resize => None,
            Msg::Saved { generation } => {
                self.save.saved = self.save.saved.max(generation);
                if !self.save.pending() {
                    self.save.error = None;
                }
                None
            }
            Msg::SaveFailed { generation, error } => {
                if generation >= self.save.saved {
                    self.notice(
                        Tone::Error,
                        format!(
                            "Could not save: {error}. Kept in memory; retried on your next change."
                        ),
                    );
                    self.save.error = Some(error);
                }
                None
            }
            Msg::LinkOpened { url } => {
                self.notice(Tone::Info, format!("Opened in your browser: {url}"));
                None
            }
            Msg::ScanStarted { scope, notes } => {
                self.workflow = Some(crate::session::ScanWorkflow::new(
                    scope.clone(),
                    self.local_nets.clone(),
                    crate::session::AuditMode::Full,
                    now,
                ));
                self.scan = Some(ScanView {
                    scope,
                    started_at: now,
                    stages: Vec::new(),
                    hosts: BTreeSet::new(),
                    new_devices: 0,
                    running: true,
                });
                if !notes.is_empty() {
                    self.notice(Tone::Info, notes.join("; "));
                }
                None
            }
            Msg::ScanFailed { error } => {
                self.scan = None;
                self.workflow = None;
                self.notice(Tone::Error, format!("Cannot scan: {error}"));
                None
            }
            Msg::Discovery(event) => self.on_discovery(event),
            Msg::Verified(outcome) => self.on_verified(outcome),
            Msg::Audited(done) => self.on_audited(done),
            Msg::PasswordMade {
                device,
                password,
                kept,
            } => {
                self.on_password_made(device, password, kept);
                None
            }
            Msg::PasswordFetched { result, .. } => {
                self.on_password_fetched(result);
                None
            }
            Msg::LinkFailed { url, error } => {
                self.notice(
                    Tone::Error,
                    format!("No browser could be started ({error}). The page is {url}"),
                );
                None
            }
        }
    }

    /// Follows a device whose id changed (an address became a hardware address).
    fn rename_in_screens(&mut self, was: &DeviceId, now_is: &DeviceId) {
        match &mut self.screen {
            Screen::Detail { device } if device == was => *device = now_is.clone(),
            Screen::Wizard(w) if &w.device == was => w.device = now_is.clone(),
            _ => {}
        }
    }

    pub(super) fn notice(&mut self, tone: Tone, text: impl Into<String>) {
        let notice = Notice {
            text: text.into(),
            tone,
            at: self.now,
        };
        self.log.push(&notice);
        self.notice = Some(notice);
    }

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
        if action == Action::Quit {
            self.quitting = true;
            // What a running scan found so far is saved before leaving.
            let stopped = self.workflow.as_mut().map(|w| w.stop()).unwrap_or_default();
            if let Some(save) = self.effects(stopped) {
                return Some(Command::Batch(vec![save, Command::Quit]));
            }
            return Some(Command::Quit);
        }
        if action == Action::ToggleHelp {
            self.show_help = !self.show_help;
            self.help_scroll = 0;
            return None;
        }
        if action == Action::ToggleMessages {
            self.log.toggle();
            return None;
        }
        if action == Action::Rescan {
            return self.request_scan();
        }
        if matches!(
            action,
            Action::MakePassphrase | Action::MakeRandomPassword | Action::ShowPassword
        ) {
            return self.password_command(action);
        }
        match mode {
            Mode::Help => {
                match action {
                    Action::Back => self.show_help = false,
                    Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
                    Action::Down => {
                        let last = crate::tui::screens::help::line_count();
                        self.help_scroll = self.help_scroll.saturating_add(1).min(last);
                    }
                    _ => {}
                }
                None
            }
            Mode::Messages => {
                match action {
                    Action::Back => self.log.open = false,
                    Action::Up => self.log.scroll = self.log.scroll.saturating_add(1),
                    Action::Down => self.log.scroll = self.log.scroll.saturating_sub(1),
                    _ => {}
                }
                None
            }
            Mode::List => self.on_list(action),
            Mode::NeedsYou => self.on_needs_you(action),
            Mode::Detail => self.on_detail(action),
            Mode::Wizard => self.on_wizard(action),
            Mode::Typing if self.edit.is_some() => self.on_rename(action),
            Mode::Typing => self.on_reason(action),
            Mode::Picker => self.on_picker(action),
            Mode::Confirm => self.on_confirm(action),
            Mode::Info => {
                // Closing a password drops it from memory.
                self.secret = None;
                if matches!(self.edit, Some(Edit::Evidence)) {
                    self.edit = None;
                }
                None
            }
        }
    }

    fn on_needs_you(&mut self, action: Action) -> Option<Command> {
        let items = self.fix_first();
        let Screen::NeedsYou { cursor } = &mut self.screen else {
            return None;
        };
        move_cursor(cursor, items.len(), action);
        match action {
            Action::Back => self.screen = Screen::List,
            Action::ConfirmFine => {
                let item = items.get(*cursor)?;
                let step = item.step.clone()?;
                let command = self.confirm_fine(&item.device, &step);
                let last = self.fix_first().len().saturating_sub(1);
                if let Screen::NeedsYou { cursor } = &mut self.screen {
                    *cursor = (*cursor).min(last);
                }
                return command;
            }
            Action::Open => {
                let item = items.get(*cursor)?;
                if let Some(pos) = self
                    .inventory
                    .devices
                    .iter()
                    .position(|d| d.id == item.device)
                {
                    self.list_cursor = pos;
                }
                let device = item.device.clone();
                match &item.step {
                    Some(step) => {
                        let step = step.clone();
                        if let Some(d) = self.device(&device) {
                            let steps = self.steps_of(d);
                            self.step_cursor = steps.iter().position(|s| s.id == step).unwrap_or(0);
                        }
                        self.screen = Screen::Wizard(Wizard::new(device, step));
                    }
                    None => {
                        self.step_cursor = 0;
                        self.screen = Screen::Detail { device };
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn on_list(&mut self, action: Action) -> Option<Command> {
        if action == Action::ShowNeedsYou {
            if self.fix_first().is_empty() {
                self.notice(Tone::Good, "Nothing to fix right now.");
            } else {
                self.screen = Screen::NeedsYou { cursor: 0 };
            }
            return None;
        }
        let len = self.inventory.devices.len();
        move_cursor(&mut self.list_cursor, len, action);
        if action == Action::Open
            && let Some(device) = self.selected_device()
        {
            let id = device.id.clone();
            self.step_cursor = 0;
            self.screen = Screen::Detail { device: id };
        }
        None
    }

    fn on_detail(&mut self, action: Action) -> Option<Command> {
        let Screen::Detail { device } = &self.screen else {
            return None;
        };
        let id = device.clone();
        let Some(device) = self.device(&id) else {
            self.screen = Screen::List;
            return None;
        };
        let steps: Vec<StepId> = self.steps_of(device).iter().map(|s| s.id.clone()).collect();
        let first_open = self
            .steps_of(device)
            .into_iter()
            .find(|s| self.is_open(device, s))
            .map(|s| s.id.clone());
        move_cursor(&mut self.step_cursor, steps.len(), action);
        match action {
            Action::Open => {
                if let Some(step) = steps.get(self.step_cursor) {
                    self.screen = Screen::Wizard(Wizard::new(id, step.clone()));
                }
            }
            Action::Guide => match first_open {
                Some(step) => {
                    self.step_cursor = steps.iter().position(|s| s == &step).unwrap_or(0);
                    self.screen = Screen::Wizard(Wizard::new(id, step));
                }
                None => self.notice(Tone::Good, "Nothing open on this device right now."),
            },
            Action::Back => self.screen = Screen::List,
            Action::Rename => {
                let current = self
                    .device(&id)
                    .map(|d| d.name().to_string())
                    .unwrap_or_default();
                self.edit = Some(Edit::Rename(TextBox::new(&current, NAME_MAX_CHARS)));
            }
            Action::SetCategory => {
                let current = self.device(&id).map(|d| d.category()).unwrap_or_default();
                let cursor = Category::ALL
                    .iter()
                    .position(|c| *c == current)
                    .unwrap_or(0);
                self.edit = Some(Edit::Category(cursor));
            }
            Action::ToggleKnown => {
                let device = self.inventory.device_mut(&id)?;
                device.known = !device.known;
                let text = if device.known {
                    format!("{} is marked as yours.", device.name())
                } else {
                    format!("{} is marked as new again.", device.name())
                };
                self.notice(Tone::Good, text);
                return Some(self.bump_save());
            }
            Action::Forget => self.edit = Some(Edit::Forget),
            Action::ToggleLoginCheck => {
                let device = self.inventory.device_mut(&id)?;
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
                self.notice(Tone::Good, text);
                return Some(self.bump_save());
            }
            Action::ShowEvidence => self.edit = Some(Edit::Evidence),
            Action::ConfirmFine => {
                let step = steps.get(self.step_cursor)?.clone();
                return self.confirm_fine(&id, &step);
            }
            _ => {}
        }
        None
    }

    fn on_wizard(&mut self, action: Action) -> Option<Command> {
        let Screen::Wizard(wizard) = &mut self.screen else {
            return None;
        };
        let page_index = WizardPage::ALL
            .iter()
            .position(|p| *p == wizard.page)
            .unwrap_or(0);
        match action {
            Action::Up if wizard.page == WizardPage::Decide => {
                wizard.choice = wizard.choice.saturating_sub(1);
            }
            Action::Down if wizard.page == WizardPage::Decide => {
                wizard.choice = (wizard.choice + 1).min(Choice::ALL.len() - 1);
            }
            Action::Up => wizard.scroll = wizard.scroll.saturating_sub(1),
            Action::Down => wizard.scroll = wizard.scroll.saturating_add(1),
            Action::NextPage | Action::Pick if wizard.verdict.is_some() || wizard.checking => {
                let (id, step) = (wizard.device.clone(), wizard.step.clone());
                let label = self
                    .device(&id)
                    .map(|d| d.step_state(&step).label())
                    .unwrap_or("done");
                let message = format!("{step} is {label}.");
                return Some(self.after_change(id, step, message));
            }
            // Paging never decides: only Enter or a choice's letter does.
            Action::NextPage if wizard.page == WizardPage::Decide => {
                self.notice(
                    Tone::Info,
                    "This is the last page: Enter picks the highlighted choice, or press its letter.",
                );
            }
            Action::Pick if wizard.page == WizardPage::Decide => {
                let choice = Choice::ALL
                    .get(wizard.choice)
                    .copied()
                    .unwrap_or(Choice::Later);
                return self.choose(choice);
            }
            Action::NextPage | Action::Pick => {
                wizard.page = WizardPage::ALL[(page_index + 1).min(2)];
                wizard.scroll = 0;
            }
            Action::PrevPage => {
                wizard.page = WizardPage::ALL[page_index.saturating_sub(1)];
                wizard.scroll = 0;
            }
            Action::MarkDone => return self.choose(Choice::Done),
            Action::MarkNotApplicable => return self.choose(Choice::NotApplicable),
            Action::AcceptRisk => return self.choose(Choice::Accept),
            Action::Later => return self.choose(Choice::Later),
            Action::ConfirmFine => {
                let (id, step) = (wizard.device.clone(), wizard.step.clone());
                return self.confirm_fine(&id, &step);
            }
            Action::OpenLink => {
                let url = self
                    .catalog
                    .step(&wizard.step)
                    .and_then(|s| s.links.first())
                    .map(|l| l.url.clone());
                return url.map(Command::OpenLink);
            }
            Action::Back => {
                let device = wizard.device.clone();
                self.screen = Screen::Detail { device };
            }
            _ => {}
        }
        None
    }

    fn on_reason(&mut self, action: Action) -> Option<Command> {
        let Screen::Wizard(wizard) = &mut self.screen else {
            return None;
        };
        match action {
            Action::Back => {
                wizard.reason = None;
                None
            }
            Action::Confirm => {
                let reason = wizard
                    .reason
                    .as_ref()
                    .map(|r| r.text().trim().to_string())
                    .unwrap_or_default();
                if reason.is_empty() {
                    self.notice(
                        Tone::Error,
                        "Say in a few words why this risk is acceptable, then press Enter.",
                    );
                    return None;
                }
                wizard.reason = None;
                self.record(StepState::Accepted { reason })
            }
            _ => None,
        }
    }

    /// Passes a key to whichever text box is open.
    fn type_text(&mut self, key: KeyEvent) {
        let text = match (&mut self.edit, &mut self.screen) {
            (Some(Edit::Rename(name)), _) => Some(name),
            (None, Screen::Wizard(w)) => w.reason.as_mut(),
            _ => None,
        };
        if let Some(text) = text {
            text.handle(key);
        }
    }

    fn on_rename(&mut self, action: Action) -> Option<Command> {
        let Some(Edit::Rename(name)) = &mut self.edit else {
            return None;
        };
        match action {
            Action::Back => {
                self.edit = None;
                None
            }
            Action::Confirm => {
                let name = name.text().trim().to_string();
                self.edit = None;
                let id = self.detail_device()?;
                let device = self.inventory.device_mut(&id)?;
                if name.is_empty() {
                    // An empty name hands naming back to porchlight.
                    device.set_owner_name(None);
                    self.notice(
                        Tone::Info,
                        "Name cleared; porchlight names the device again on the next scan.",
                    );
                } else {
                    device.set_owner_name(Some(name.clone()));
                    self.notice(Tone::Good, format!("Renamed to {name}."));
                }
                Some(self.bump_save())
            }
            _ => None,
        }
    }

    fn on_picker(&mut self, action: Action) -> Option<Command> {
        let Some(Edit::Category(cursor)) = &mut self.edit else {
            return None;
        };
        move_cursor(cursor, Category::ALL.len(), action);
        match action {
            Action::Back => {
                self.edit = None;
                None
            }
            Action::Confirm => {
                let category = Category::ALL.get(*cursor).copied()?;
                self.edit = None;
                let id = self.detail_device()?;
                let device = self.inventory.device_mut(&id)?;
                device.set_owner_category(Some(category));
                self.step_cursor = 0;
                self.notice(
                    Tone::Good,
                    format!(
                        "Set to {}; its checklist changed to match.",
                        category.label()
                    ),
                );
                Some(self.bump_save())
            }
            _ => None,
        }
    }

    fn on_confirm(&mut self, action: Action) -> Option<Command> {
        self.edit = None;
        if action != Action::Yes {
            return None;
        }
        let id = self.detail_device()?;
        let name = self
            .device(&id)
            .map(|d| d.name().to_string())
            .unwrap_or_default();
        self.inventory.devices.retain(|d| d.id != id);
        self.list_cursor = self
            .list_cursor
            .min(self.inventory.devices.len().saturating_sub(1));
        self.screen = Screen::List;
        self.notice(
            Tone::Good,
            format!("Forgot {name}. If it is still on the network, the next scan lists it as new."),
        );
        Some(self.bump_save())
    }

    /// The command for a password key on the device shown (detail or wizard).
    fn password_command(&mut self, action: Action) -> Option<Command> {
        let device = match &self.screen {
            Screen::Detail { device } => device.clone(),
            Screen::Wizard(w) => w.device.clone(),
            _ => return None,
        };
        let device_name = self.device(&device)?.name().to_string();
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
        self.secret = Some(SecretView {
            device_name,
            password: None,
            note: note.into(),
            problem: false,
            cause: None,
            waiting: true,
        });
        Some(command)
    }

    fn on_password_made(&mut self, device: DeviceId, password: Password, kept: Result<(), String>) {
        if self.device(&device).is_none() {
            return;
        }
        let Some(view) = self.secret.as_mut() else {
            return; // closed before the answer came
        };
        view.password = Some(password);
        view.waiting = false;
        match kept {
            Ok(()) => {
                view.note = "Kept in your keyring under this device. Set it on the device now; s shows it again.".into();
                view.problem = false;
            }
            Err(why) => {
                view.note = crate::tui::screens::secret::NOT_KEPT.into();
                view.cause = Some(why);
                view.problem = true;
            }
        }
    }

    fn on_password_fetched(&mut self, result: Result<Option<Password>, String>) {
        let Some(view) = self.secret.as_mut() else {
            return;
        };
        view.waiting = false;
        match result {
            Ok(Some(password)) => {
                view.password = Some(password);
                view.note = "From your keyring.".into();
                view.problem = false;
            }
            Ok(None) => {
                view.note = "No password is kept for this device yet: p makes one.".into();
                view.problem = false;
            }
            Err(why) => {
                view.note = crate::tui::screens::secret::CANNOT_READ.into();
                view.cause = Some(why);
                view.problem = true;
            }
        }
    }

    /// The id of the device on the detail screen.
    fn detail_device(&self) -> Option<DeviceId> {
        match &self.screen {
            Screen::Detail { device } => Some(device.clone()),
            _ => None,
        }
    }

    /// Numbers a new change and asks for it to be saved.
    pub(super) fn bump_save(&mut self) -> Command {
        self.save.generation += 1;
        Command::Save {
            generation: self.save.generation,
        }
    }

    fn choose(&mut self, choice: Choice) -> Option<Command> {
        match choice {
            Choice::Done => self.record(StepState::Done),
            Choice::NotApplicable => self.record(StepState::NotApplicable),
            Choice::Accept => {
                if let Screen::Wizard(w) = &mut self.screen {
                    w.page = WizardPage::Decide;
                    w.choice = 2;
                    w.reason = Some(TextBox::new("", REASON_MAX_CHARS));
                }
                None
            }
            Choice::Later => {
                let Screen::Wizard(w) = &self.screen else {
                    return None;
                };
                let (id, step) = (w.device.clone(), w.step.clone());
                let now = self.now;
                let until = now.checked_add((LATER_DAYS * 24).hours()).unwrap_or(now);
                if let Some(device) = self.inventory.device_mut(&id) {
                    device.snooze_step(&step, until, now);
                }
                let message = format!("{step} put off for a week.");
                Some(self.after_change(id, step, message))
            }
        }
    }

    /// Records `state` for the wizard's step, saves, and moves on to the next open step.
    fn record(&mut self, state: StepState) -> Option<Command> {
        let Screen::Wizard(w) = &self.screen else {
            return None;
        };
        let (id, step) = (w.device.clone(), w.step.clone());
        let label = state.label();
        let now = self.now;
        // The demo home is simulated: its addresses belong to nobody, so nothing is ever sent.
        let verify = state == StepState::Done
            && self.can_scan
            && self.catalog.step(&step).is_some_and(|s| s.check.is_some())
            && self.device(&id).is_some_and(|d| d.ip.is_some());
        let simulated = state == StepState::Done
            && !self.can_scan
            && self.catalog.step(&step).is_some_and(|s| s.check.is_some());
        let asks_logins = state == StepState::Done
            && self
                .catalog
                .step(&step)
                .and_then(|s| s.check.as_ref())
                .is_some_and(|c| c.needs_consent());
        let device = self.inventory.device_mut(&id)?;
        device.set_step_state(&step, state, now);
        // Marking a password step done asks for the factory logins to be tried again.
        if asks_logins && device.login_check_allowed {
            device.login_check.requested = true;
        }
        if simulated {
            // The demo: say so, and show a verdict labelled as simulated.
            let result = self.catalog.step(&step).map(crate::demo::simulated_check);
            if let Screen::Wizard(w) = &mut self.screen {
                w.page = WizardPage::Decide;
                w.verdict = result;
                w.simulated = true;
            }
            self.notice(
                Tone::Info,
                format!("{step} marked done. The demo home is simulated: nothing was sent, and the verdict shown is simulated."),
            );
            return Some(self.bump_save());
        }
        if verify {
            // Stay on the step: the check's verdict shows here when it comes back.
            if let Screen::Wizard(w) = &mut self.screen {
                w.page = WizardPage::Decide;
                w.checking = true;
                w.verdict = None;
            }
            self.notice(
                Tone::Info,
                format!("{step} marked done. Checking over the network…"),
            );
            self.save.generation += 1;
            return Some(Command::SaveAndVerify {
                generation: self.save.generation,
                device: id,
                step,
            });
        }
        let message = format!("{step} marked {label}.");
        Some(self.after_change(id, step, message))
    }

    fn on_verified(&mut self, outcome: Outcome) -> Option<Command> {
        let now = self.now;
        let device_name = self.device(&outcome.device)?.name().to_string();
        crate::verify::apply(&mut self.inventory, &outcome, now);
        if let Some(device) = self.inventory.device_mut(&outcome.device) {
            device.findings.insert(
                outcome.step.clone(),
                crate::session::audit::finding_of(&outcome.result, now),
            );
        }
        let result = outcome.result.clone();
        let (tone, text) = match result.verdict {
            Verdict::Pass => (
                Tone::Good,
                format!("{} {}: {}", outcome.step, result.label(), result.evidence),
            ),
            Verdict::Fail => (
                Tone::Error,
                format!(
                    "{} is still open on {device_name}: {}",
                    outcome.step, result.evidence
                ),
            ),
            Verdict::Unknown => (
                Tone::Info,
                format!(
                    "{} kept as done; cannot check: {}",
                    outcome.step, result.evidence
                ),
            ),
        };
        self.notice(tone, text);
        if let Screen::Wizard(w) = &mut self.screen
            && w.device == outcome.device
            && w.step == outcome.step
        {
            w.checking = false;
            w.verdict = Some(result);
        }
        Some(self.bump_save())
    }

    /// After a change: bump the save number, go to the next open step (or back to the device),
    /// and say what happened.
    pub(super) fn after_change(&mut self, id: DeviceId, step: StepId, message: String) -> Command {
        let next = self.device(&id).and_then(|device| {
            let steps = self.steps_of(device);
            let here = steps.iter().position(|s| s.id == step).unwrap_or(0);
            let after = steps.iter().skip(here + 1);
            let before = steps.iter().take(here);
            after
                .chain(before)
                .find(|s| self.is_open(device, s))
                .map(|s| s.id.clone())
        });
        let name = self
            .device(&id)
            .map(|d| d.name().to_string())
            .unwrap_or_default();
        match next {
            Some(next) => {
                if let Some(pos) = self
                    .device(&id)
                    .map(|d| self.steps_of(d))
                    .and_then(|steps| steps.iter().position(|s| s.id == next))
                {
                    self.step_cursor = pos;
                }
                self.notice(Tone::Good, format!("{message} Next for {name}: {next}."));
                self.screen = Screen::Wizard(Wizard::new(id, next));
            }
            None => {
                self.notice(
                    Tone::Good,
                    format!("{message} Nothing else is open on {name}."),
                );
                self.screen = Screen::Detail { device: id };
            }
        }
        self.bump_save()
    }
}

/// "1 device", "3 devices".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn move_cursor(cursor: &mut usize, len: usize, action: Action) {
    let last = len.saturating_sub(1);
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (*cursor + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => (*cursor).min(last),
    };
}
