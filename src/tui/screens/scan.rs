//! The scan progress line: what is being scanned, each stage's state (running with its progress,
//! done with its host count, or failed), and how many devices answered so far. [`ScanView`] is
//! its state, fed by each discovery event.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use jiff::Timestamp;

use crate::discovery::{DiscoveryEvent, Stage};
use crate::tui::theme::{dim, heading};

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
    /// A scan of `scope` starting at `now`.
    pub fn new(scope: String, now: Timestamp) -> Self {
        Self {
            scope,
            started_at: now,
            stages: Vec::new(),
            hosts: BTreeSet::new(),
            new_devices: 0,
            running: true,
        }
    }

    /// Follows one event of discovery: the stage it is about, the addresses seen, the end.
    pub fn see(&mut self, event: &DiscoveryEvent) {
        match event {
            DiscoveryEvent::StageStarted { stage } => {
                self.set(*stage, StageState::Running { done: 0, total: 0 });
            }
            DiscoveryEvent::Progress { stage, done, total } => {
                self.set(
                    *stage,
                    StageState::Running {
                        done: *done,
                        total: *total,
                    },
                );
            }
            DiscoveryEvent::StageFinished { stage, hosts, .. } => {
                self.set(*stage, StageState::Finished { hosts: *hosts });
            }
            DiscoveryEvent::StageFailed { stage, reason } => {
                self.set(
                    *stage,
                    StageState::Failed {
                        reason: reason.clone(),
                    },
                );
            }
            DiscoveryEvent::Sighting(sighting) => {
                self.hosts.insert(sighting.ip);
            }
            DiscoveryEvent::Done { .. } => self.running = false,
            DiscoveryEvent::Note { .. } => {}
        }
    }

    /// What failed, one "stage: reason" each.
    pub fn failures(&self) -> Vec<String> {
        self.stages
            .iter()
            .filter_map(|(stage, state)| match state {
                StageState::Failed { reason } => Some(format!("{stage}: {reason}")),
                _ => None,
            })
            .collect()
    }

    fn set(&mut self, stage: Stage, state: StageState) {
        match self.stages.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, old)) => *old = state,
            None => self.stages.push((stage, state)),
        }
    }
}

/// Draws the progress line of `scan`.
pub fn render(scan: &ScanView, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(
        if scan.running {
            " Scanning "
        } else {
            " Last scan "
        },
        heading(),
    )];
    let net = scan.scope.split(' ').next().unwrap_or(&scan.scope);
    spans.push(Span::styled(format!("{net} "), dim()));
    for (stage, state) in &scan.stages {
        spans.push(Span::styled("· ", dim()));
        let (mark, style) = match state {
            StageState::Running { done, total } if *total > 0 => {
                (format!("{done}/{total}"), Style::new().fg(Color::Yellow))
            }
            StageState::Running { .. } => ("…".to_string(), Style::new().fg(Color::Yellow)),
            StageState::Finished { hosts } => (format!("✓{hosts}"), Style::new().fg(Color::Green)),
            StageState::Failed { .. } => ("✗".to_string(), Style::new().fg(Color::Red)),
        };
        spans.push(Span::raw(format!("{} ", stage.short())));
        spans.push(Span::styled(format!("{mark} "), style));
    }
    spans.push(Span::styled(format!("· {} found", scan.hosts.len()), dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
