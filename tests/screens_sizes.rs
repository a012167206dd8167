//! Every screen at the terminal sizes owners use (60x15, 80x24, 200x50): the facts that matter
//! on each must be on screen, whole, at every size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::{demo_app, now, press};
use crossterm::event::KeyCode;
use porchlight::tui::app::{App, Msg};
use porchlight::tui::render::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 3] = [(60, 15), (80, 24), (200, 50)];

/// The screen as text, one string per row.
fn rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// All words on screen in reading order, with box borders and padding removed, so a wrapped
/// sentence can be found whole.
fn words(rows: &[String]) -> String {
    rows.iter()
        .map(|r| r.replace(['│', '╭', '╮', '╰', '╯', '─', '┌', '┐', '└', '┘'], " "))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_on_screen(app: &App, width: u16, height: u16, wanted: &[&str]) {
    let rows = rows(app, width, height);
    let text = words(&rows);
    for want in wanted {
        let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&want),
            "at {width}x{height}, {want:?} is not on screen:\n{}",
            rows.join("\n")
        );
    }
}

#[test]
fn a_password_that_was_not_kept_says_so_first_and_whole() {
    let cause = "no system keyring is available (Secret Service could not be reached: \
        org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided \
        by any .service files); nothing was written to disk, so keep this password in a password manager";
    for (width, height) in SIZES {
        let mut app = demo_app();
        press(&mut app, &[KeyCode::Enter, KeyCode::Char('p')]);
        let id = app.selected_device().unwrap().id.clone();
        app.update(
            Msg::PasswordMade {
                device: id,
                password: porchlight::secrets::Password::new(
                    "plaza-ember-tundra-quiet-oak-lantern-brisk",
                ),
                kept: Err(cause.into()),
            },
            now(),
        );
        assert_on_screen(
            &app,
            width,
            height,
            &[
                "plaza-ember-tundra-quiet-oak-lantern-brisk",
                porchlight::tui::screens::secret::NOT_KEPT,
                &format!("Cause: {cause}"),
            ],
        );
        // The plain words come before the technical cause.
        let text = words(&rows(&app, width, height));
        assert!(text.find("NOT kept anywhere") < text.find("Cause:"));
    }
}

#[test]
fn show_with_no_keyring_says_why_instead_of_dots() {
    let cause =
        "no system keyring is available (Secret Service could not be reached: no session bus)";
    for (width, height) in SIZES {
        let mut app = demo_app();
        press(&mut app, &[KeyCode::Enter, KeyCode::Char('s')]);
        let id = app.selected_device().unwrap().id.clone();
        app.update(
            Msg::PasswordFetched {
                device: id,
                result: Err(cause.into()),
            },
            now(),
        );
        assert_on_screen(
            &app,
            width,
            height,
            &[
                porchlight::tui::screens::secret::CANNOT_READ,
                &format!("Cause: {cause}"),
            ],
        );
        assert!(!words(&rows(&app, width, height)).contains('…'));
    }
}
