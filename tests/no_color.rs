//! NO_COLOR (https://no-color.org): with it set, the interactive screen is drawn without colour.
//! crossterm honours it; this test keeps it that way. The variable is read once per process, so
//! the test runs itself again in a child process with and without it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{TerminalOptions, Viewport};

const CHILD: &str = "PORCHLIGHT_NO_COLOR_CHILD";

/// The bytes crossterm writes to draw the demo home's device list at 80x24.
fn drawn_bytes() -> Vec<u8> {
    let app = common::demo_app();
    let mut bytes = Vec::new();
    {
        let backend = CrosstermBackend::new(&mut bytes);
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
            },
        )
        .unwrap();
        terminal
            .draw(|frame| porchlight::tui::render::render(&app, frame))
            .unwrap();
    }
    bytes
}

/// True when `bytes` hold an SGR sequence that sets a foreground or background colour.
fn has_colour(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.split("\x1b[").skip(1).any(|seq| {
        let params = seq.split('m').next().unwrap_or("");
        params.split(';').any(|p| {
            matches!(
                p.parse::<u16>(),
                Ok(30..=39 | 40..=49 | 90..=97 | 100..=107)
            )
        })
    })
}

#[test]
fn drawing_child() {
    // Only does something when run by `no_color_draws_without_colour` below.
    let Ok(expect) = std::env::var(CHILD) else {
        return;
    };
    let bytes = drawn_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("Driveway"));
    assert_eq!(has_colour(&bytes), expect == "colour", "{expect}");
}

fn run_child(no_color: bool) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "drawing_child", "--nocapture"]);
    if no_color {
        cmd.env("NO_COLOR", "1").env(CHILD, "plain");
    } else {
        cmd.env_remove("NO_COLOR").env(CHILD, "colour");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
}

#[test]
fn no_color_draws_without_colour() {
    run_child(true);
    // And without it, the same screen has colour (so the check above can fail).
    run_child(false);
}
