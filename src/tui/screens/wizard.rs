//! The step wizard: why the step matters (starting from what the last scan saw, when it checked
//! the step), how to do it, then the owner's call (done, not applicable, accept the risk with a
//! reason, or later).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use jiff::ToSpan;

use crate::catalog::{Step, VerifyKind};
use crate::checks::{CheckResult, Verdict};
use crate::model::{Device, DeviceId, FindingVerdict, StepId, StepState};
use crate::tui::effect::{Effect, Effects, Go};
use crate::tui::home::Home;
use crate::tui::keys::{Action, Mode};
use crate::tui::msg::Command;
use crate::tui::notice::Tone;
use crate::tui::textbox::TextBox;
use crate::tui::theme::{ACCENT, dim, heading, selected};
use crate::tui::theme::{hanging, state_span};
use crate::verify::Outcome;

/// How long "Later" puts a step off.
pub const LATER_DAYS: i64 = 7;

/// The longest reason the owner can type for accepting a risk.
pub const REASON_MAX_CHARS: usize = 200;

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
    /// The wizard on `step` of `device`, at its first page.
    pub fn new(device: DeviceId, step: StepId) -> Self {
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

    /// Where keys go: the reason box when typing one, else the wizard.
    pub fn mode(&self) -> Mode {
        if self.reason.is_some() {
            Mode::Typing
        } else {
            Mode::Wizard
        }
    }

    /// What a key does in the wizard (or in its reason box).
    pub fn on_key(&mut self, home: &mut Home, action: Action) -> Effects {
        if self.reason.is_some() {
            return self.on_reason(home, action);
        }
        let page_index = WizardPage::ALL
            .iter()
            .position(|p| *p == self.page)
            .unwrap_or(0);
        match action {
            Action::Up if self.page == WizardPage::Decide => {
                self.choice = self.choice.saturating_sub(1);
            }
            Action::Down if self.page == WizardPage::Decide => {
                self.choice = (self.choice + 1).min(Choice::ALL.len() - 1);
            }
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::NextPage | Action::Pick if self.verdict.is_some() || self.checking => {
                let (id, step) = (self.device.clone(), self.step.clone());
                let label = home
                    .device(&id)
                    .map(|d| d.step_state(&step).label())
                    .unwrap_or("done");
                let message = format!("{step} is {label}.");
                return home.after_change(id, step, message);
            }
            // Paging never decides: only Enter or a choice's letter does.
            Action::NextPage if self.page == WizardPage::Decide => {
                return vec![Effect::notice(
                    Tone::Info,
                    "This is the last page: Enter picks the highlighted choice, or press its letter.",
                )];
            }
            Action::Pick if self.page == WizardPage::Decide => {
                let choice = Choice::ALL
                    .get(self.choice)
                    .copied()
                    .unwrap_or(Choice::Later);
                return self.choose(home, choice);
            }
            Action::NextPage | Action::Pick => {
                self.page = WizardPage::ALL[(page_index + 1).min(2)];
                self.scroll = 0;
            }
            Action::PrevPage => {
                self.page = WizardPage::ALL[page_index.saturating_sub(1)];
                self.scroll = 0;
            }
            Action::MarkDone => return self.choose(home, Choice::Done),
            Action::MarkNotApplicable => return self.choose(home, Choice::NotApplicable),
            Action::AcceptRisk => return self.choose(home, Choice::Accept),
            Action::Later => return self.choose(home, Choice::Later),
            Action::ConfirmFine => {
                let (id, step) = (self.device.clone(), self.step.clone());
                return home.confirm_fine(&id, &step, true);
            }
            Action::ShowMappings => {
                return crate::tui::screens::mappings::open(home, Some(self.device.clone()));
            }
            Action::OpenLink => {
                let url = home
                    .catalog
                    .step(&self.step)
                    .and_then(|s| s.links.first())
                    .map(|l| l.url.clone());
                return url
                    .map(|u| Effect::Run(Command::OpenLink(u)))
                    .into_iter()
                    .collect();
            }
            Action::Back => return vec![Effect::Go(Go::Detail(self.device.clone()))],
            _ => {}
        }
        Vec::new()
    }

    /// What a key does while the reason for accepting a risk is being typed.
    fn on_reason(&mut self, home: &mut Home, action: Action) -> Effects {
        match action {
            Action::Back => {
                self.reason = None;
                Vec::new()
            }
            Action::Confirm => {
                let reason = self
                    .reason
                    .as_ref()
                    .map(|r| r.text().trim().to_string())
                    .unwrap_or_default();
                if reason.is_empty() {
                    return vec![Effect::notice(
                        Tone::Error,
                        "Say in a few words why this risk is acceptable, then press Enter.",
                    )];
                }
                self.reason = None;
                self.record(home, StepState::Accepted { reason })
            }
            _ => Vec::new(),
        }
    }

    fn choose(&mut self, home: &mut Home, choice: Choice) -> Effects {
        match choice {
            Choice::Done => self.record(home, StepState::Done),
            Choice::NotApplicable => self.record(home, StepState::NotApplicable),
            Choice::Accept => {
                self.page = WizardPage::Decide;
                self.choice = 2;
                self.reason = Some(TextBox::new("", REASON_MAX_CHARS));
                Vec::new()
            }
            Choice::Later => {
                let (id, step) = (self.device.clone(), self.step.clone());
                let now = home.now;
                let until = now.checked_add((LATER_DAYS * 24).hours()).unwrap_or(now);
                if let Some(device) = home.inventory.device_mut(&id) {
                    device.snooze_step(&step, until, now);
                }
                let message = format!("{step} put off for a week.");
                home.after_change(id, step, message)
            }
        }
    }

    /// Records `state` for the step, saves, and moves on to the next open step (or, for a step
    /// marked done that porchlight can check, stays to show the check's verdict).
    fn record(&mut self, home: &mut Home, state: StepState) -> Effects {
        let (id, step) = (self.device.clone(), self.step.clone());
        let label = state.label();
        let now = home.now;
        let checked = home.catalog.step(&step).and_then(|s| s.check.as_ref());
        // The demo home is simulated: its addresses belong to nobody, so nothing is ever sent.
        let verify = state == StepState::Done
            && home.can_scan
            && checked.is_some()
            && home.device(&id).is_some_and(|d| d.ip.is_some());
        let simulated = state == StepState::Done && !home.can_scan && checked.is_some();
        let asks_logins = state == StepState::Done && checked.is_some_and(|c| c.needs_consent());
        let Some(device) = home.inventory.device_mut(&id) else {
            return Vec::new();
        };
        device.set_step_state(&step, state, now);
        // Marking a password step done asks for the factory logins to be tried again.
        if asks_logins && device.login_check_allowed {
            device.login_check.requested = true;
        }
        if simulated {
            // The demo: say so, and show a verdict labelled as simulated.
            self.page = WizardPage::Decide;
            self.verdict = home.catalog.step(&step).map(crate::demo::simulated_check);
            self.simulated = true;
            return vec![
                Effect::notice(
                    Tone::Info,
                    format!(
                        "{step} marked done. The demo home is simulated: nothing was sent, and the verdict shown is simulated."
                    ),
                ),
                Effect::Save,
            ];
        }
        if verify {
            // Stay on the step: the check's verdict shows here when it comes back.
            self.page = WizardPage::Decide;
            self.checking = true;
            self.verdict = None;
            return vec![
                Effect::notice(
                    Tone::Info,
                    format!("{step} marked done. Checking over the network…"),
                ),
                Effect::SaveAndVerify { device: id, step },
            ];
        }
        let message = format!("{step} marked {label}.");
        home.after_change(id, step, message)
    }
}

/// A step's network check came back: keep what it found, say so, and show the verdict in
/// `wizard` when it is open on that step.
pub fn on_verified(home: &mut Home, wizard: Option<&mut Wizard>, outcome: Outcome) -> Effects {
    let now = home.now;
    let Some(device_name) = home.device(&outcome.device).map(|d| d.name().to_string()) else {
        return Vec::new();
    };
    crate::verify::apply(&mut home.inventory, &outcome, now);
    if let Some(device) = home.inventory.device_mut(&outcome.device) {
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
                outcome.step,
                result.shown_evidence()
            ),
        ),
        Verdict::NotApplicable => (
            Tone::Good,
            format!("{} does not apply here: {}", outcome.step, result.evidence),
        ),
        Verdict::Unknown => (
            Tone::Info,
            format!(
                "{} kept as done; cannot check: {}",
                outcome.step, result.evidence
            ),
        ),
    };
    if let Some(w) = wizard
        && w.device == outcome.device
        && w.step == outcome.step
    {
        w.checking = false;
        w.verdict = Some(result);
    }
    vec![Effect::Notice(tone, text), Effect::Save]
}

/// Draws the wizard for `wizard`'s step.
pub fn render(home: &Home, wizard: &Wizard, frame: &mut Frame, area: Rect) {
    let (Some(device), Some(step)) = (home.device(&wizard.device), home.catalog.step(&wizard.step))
    else {
        frame.render_widget(
            Paragraph::new(" This step is no longer in the checklist."),
            area,
        );
        return;
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(dim())
        .title(Line::from(vec![
            Span::styled(format!(" {} › ", device.name()), dim()),
            Span::styled(format!("{} {} ", step.id, step.title), heading()),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let body = body.inner(Margin::new(1, 0));
    frame.render_widget(Paragraph::new(tab_line(wizard.page)), tabs);

    let width = body.width;
    let text = match wizard.page {
        WizardPage::Why => {
            let mut lines = evidence_lines(device, step, width);
            lines.extend(why_page(step, width));
            lines
        }
        WizardPage::How => how_page(step, width),
        WizardPage::Decide if wizard.checking || wizard.verdict.is_some() => {
            verdict_page(wizard, width)
        }
        WizardPage::Decide => decide_page(wizard),
    };
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((wizard.scroll, 0)),
        body,
    );
    if let Some(reason) = &wizard.reason {
        crate::tui::theme::text_box(frame, body, "Why is this risk acceptable?", reason);
    }
    frame.render_widget(Paragraph::new(footer_line(home, device, step)), footer);
}

fn tab_line(page: WizardPage) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (n, p) in WizardPage::ALL.into_iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled("  ›  ", dim()));
        }
        let label = format!("{} {}", n + 1, p.title());
        if p == page {
            spans.push(Span::styled(
                label,
                Style::new()
                    .fg(Color::Black)
                    .bg(ACCENT)
                    .add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::styled(label, dim()));
        }
    }
    Line::from(spans)
}

/// What the last scan found for this step, first thing on the first page; nothing when the step
/// was not checked.
fn evidence_lines(device: &Device, step: &Step, width: u16) -> Vec<Line<'static>> {
    let Some(finding) = device.findings.get(&step.id) else {
        return Vec::new();
    };
    let bold = |color: Color| Style::new().fg(color).add_modifier(Modifier::BOLD);
    let (label, color) = match finding.verdict {
        FindingVerdict::Problem => ("✗ porchlight saw this in the last scan: ", Color::Red),
        FindingVerdict::Fine => ("✓ The last scan found this fine: ", Color::Green),
        FindingVerdict::Unknown => ("? The last scan could not tell: ", Color::Yellow),
        FindingVerdict::NotApplicable => {
            ("– The last scan found this does not apply: ", Color::Green)
        }
    };
    let mut lines = vec![Line::styled(label, bold(color))];
    lines.extend(hanging(Span::raw("  "), &finding.evidence, width));
    if crate::tui::fix_first::looks_fine(device, &step.id).is_some() {
        lines.push(Line::from(vec![
            Span::raw("  Looks fine already: "),
            Span::styled("y", heading()),
            Span::raw(" confirms it as verified, or read on and check it yourself."),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

fn why_page(step: &Step, width: u16) -> Vec<Line<'static>> {
    let threats: Vec<&str> = step.threats.iter().map(|t| t.label()).collect();
    let check = match (&step.check, step.verify) {
        (Some(check), _) => format!(
            "porchlight checks this over your network: {}",
            check.describe()
        ),
        (None, VerifyKind::Network) => "porchlight can check this over your network.".to_string(),
        (None, VerifyKind::Owner) => {
            "Only you can confirm this one; porchlight takes your word for it.".to_string()
        }
    };
    let mut lines = hanging(Span::raw(""), &step.why, width);
    lines.push(Line::from(""));
    lines.extend(labelled("If left undone ", &threats.join(", "), width));
    lines.extend(labelled("Look again     ", step.recheck.label(), width));
    lines.extend(labelled("Checked        ", &check, width));
    lines.extend(labelled(
        "Comes from     ",
        &step.standards.join("; "),
        width,
    ));
    lines
}

fn how_page(step: &Step, width: u16) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = step
        .how
        .iter()
        .enumerate()
        .flat_map(|(n, s)| hanging(Span::styled(format!("{:>2}. ", n + 1), heading()), s, width))
        .collect();
    if !step.brand_hints.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled("Where to find it on some brands", dim()));
        for hint in &step.brand_hints {
            lines.extend(hanging(Span::raw("  • "), hint, width));
        }
    }
    lines.push(Line::from(""));
    lines.extend(labelled("Done looks like ", &step.done_when, width));
    if let Some(link) = step.links.first() {
        lines.push(Line::from(vec![
            Span::styled("More help       ", dim()),
            Span::raw(format!("{} ", link.title)),
            Span::styled("(o opens it)", Style::new().fg(ACCENT)),
        ]));
    }
    if step.check.as_ref().is_some_and(|c| c.needs_mappings()) {
        lines.push(Line::from(vec![
            Span::styled("UPnP forwards   ", dim()),
            Span::raw("see the router's, and remove one with your yes "),
            Span::styled("(u shows them)", Style::new().fg(ACCENT)),
        ]));
    }
    lines
}

/// The step was marked done: the network check is running, or here is what it found.
fn verdict_page(wizard: &Wizard, width: u16) -> Vec<Line<'static>> {
    let Some(result) = &wizard.verdict else {
        return vec![
            Line::from("Marked done and saved."),
            Line::from(""),
            Line::styled("Checking over the network that the fix took…", heading()),
            Line::from(""),
            Line::styled(
                "→ or Enter moves on without waiting; the result is kept either way.",
                dim(),
            ),
        ];
    };
    let (title, color) = match result.verdict {
        _ if wizard.simulated => (
            "◇ Simulated verdict (demo home): nothing was checked.",
            Color::Cyan,
        ),
        Verdict::Pass if result.unconfirmed.is_some() => (
            "◐ Verified in part: what porchlight can see is fixed.",
            Color::Green,
        ),
        Verdict::Pass => ("✓ Verified: the fix took.", Color::Green),
        Verdict::NotApplicable => (
            "– Does not apply: the device has no such service.",
            Color::Green,
        ),
        Verdict::Fail => (
            "✗ Still open: the check says the fix did not take.",
            Color::Red,
        ),
        Verdict::Unknown => (
            "? Cannot check: porchlight could not tell; the step stays done.",
            Color::Yellow,
        ),
    };
    let mut lines = vec![
        Line::styled(title, Style::new().fg(color).add_modifier(Modifier::BOLD)),
        Line::from(""),
    ];
    let found = if result.verdict == Verdict::Unknown {
        "Why        "
    } else {
        "Found      "
    };
    lines.extend(hanging(
        Span::styled(found, dim()),
        result.shown_evidence(),
        width,
    ));
    if let (Verdict::Pass, Some(part)) = (result.verdict, &result.unconfirmed) {
        lines.extend(hanging(Span::styled("You confirm ", dim()), part, width));
    }
    if let Some(next) = &result.next {
        lines.extend(hanging(Span::styled("Next       ", dim()), next, width));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "→ or Enter: the next open step · d checks again · Esc back to the device",
        dim(),
    ));
    lines
}

fn decide_page(wizard: &Wizard) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from("What would you like to do with this step?"),
        Line::from(""),
    ];
    for (n, choice) in Choice::ALL.into_iter().enumerate() {
        let text = format!(" [{}] {} ", choice.key(), choice.label());
        if n == wizard.choice {
            lines.push(Line::styled(format!("▶{text}"), selected()));
        } else {
            lines.push(Line::from(format!(" {text}")));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "↑↓ choose · Enter confirm · or press the letter. Your choice is saved at once.",
        dim(),
    ));
    lines
}

fn footer_line(home: &Home, device: &Device, step: &Step) -> Line<'static> {
    let steps = home.steps_of(device);
    let open = steps.iter().filter(|s| home.is_open(device, s)).count();
    Line::from(vec![
        Span::styled(" Now: ", dim()),
        state_span(&device.step_state(&step.id)),
        Span::styled(
            format!(" · {open} of {} steps open on this device", steps.len()),
            dim(),
        ),
    ])
}

fn labelled(label: &'static str, value: &str, width: u16) -> Vec<Line<'static>> {
    hanging(Span::styled(label, dim()), value, width)
}
