//! The scan progress line: what is being scanned, each stage's state (running with its progress,
//! done with its host count, or failed), and how many devices answered so far.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{ScanView, StageState};
use crate::tui::theme::{dim, heading};

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
