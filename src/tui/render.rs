//! Drawing: a pure function of `&App` into a frame. Layout, top to bottom:
//!
//! ```text
//! ┌──────────────────────────────────────────────────────────┐
//! │ header: porchlight · where · counts                       │  1 row
//! ├──────────────────────────────────────────────────────────┤
//! │ body: device list | device detail | step wizard           │  the rest
//! ├──────────────────────────────────────────────────────────┤
//! │ scan progress (only while a scan runs)                    │  0 or 1 row
//! ├──────────────────────────────────────────────────────────┤
//! │ status line: last notice or save state · key hints        │  1 or 2 rows
//! └──────────────────────────────────────────────────────────┘
//! ```
//! The help overlay is drawn over the body when asked for. Everything is laid out with
//! constraints, so small terminals clip rather than panic.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::app::App;
use super::{screens, status};

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let scanning = app.scan().filter(|s| s.running);
    let status_rows = status::status_height(app, frame.area().width);
    let [header, body, progress, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(u16::from(scanning.is_some())),
        Constraint::Length(status_rows),
    ])
    .areas(frame.area());
    status::render_header(app, frame, header);
    app.screen()
        .render(app.home(), scanning.is_some(), frame, body);
    if let Some(scan) = scanning {
        screens::scan::render(scan, frame, progress);
    }
    status::render_status(app, frame, status);
    if let Some(secret) = app.secret() {
        screens::secret::render(secret, frame, frame.area());
    }
    if app.log().open {
        screens::messages::render(app.log(), &app.home().tz, frame, body);
    }
    if app.show_help() {
        screens::help::render(app.help_scroll(), frame, body);
    }
}
