//! Every screen at the terminal sizes owners use (60x15, 80x24, 200x50): the facts that matter
//! on each must be on screen, whole, at every size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::rows;
use common::{demo_app, now, press};
use crossterm::event::KeyCode;
use porchlight::tui::app::{App, Msg};

const SIZES: [(u16, u16); 3] = [(60, 15), (80, 24), (200, 50)];

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

/// The words inside the popup whose title contains `title`, in reading order.
fn popup_words(rows: &[String], title: &str) -> String {
    let grid: Vec<Vec<char>> = rows.iter().map(|r| r.chars().collect()).collect();
    let top = rows
        .iter()
        .position(|r| r.contains(title))
        .unwrap_or_else(|| panic!("no popup titled {title:?}:\n{}", rows.join("\n")));
    let left = grid[top].iter().position(|c| *c == '╭').unwrap();
    let right = grid[top].iter().position(|c| *c == '╮').unwrap();
    let inside: Vec<String> = grid[top + 1..]
        .iter()
        .take_while(|row| row[left] != '╰')
        .map(|row| row[left + 1..right].iter().collect())
        .collect();
    words(&inside)
}

fn assert_in_popup(app: &App, width: u16, height: u16, title: &str, wanted: &[&str]) {
    let rows = rows(app, width, height);
    let text = popup_words(&rows, title);
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
        assert_in_popup(
            &app,
            width,
            height,
            "Password for",
            &[
                "plaza-ember-tundra-quiet-oak-lantern-brisk",
                porchlight::tui::app::NOT_KEPT,
                &format!("Cause: {cause}"),
            ],
        );
        // The plain words come before the technical cause.
        let text = popup_words(&rows(&app, width, height), "Password for");
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
        assert_in_popup(
            &app,
            width,
            height,
            "Password for",
            &[
                porchlight::tui::app::CANNOT_READ,
                &format!("Cause: {cause}"),
            ],
        );
        assert!(!popup_words(&rows(&app, width, height), "Password for").contains('…'));
    }
}

#[test]
fn a_long_message_wraps_and_the_messages_view_keeps_it_whole() {
    let url = "https://www.example.org/support/kb/how-to-turn-off-upnp-on-your-router-model-r7000";
    let error = "no browser was found: xdg-open is not installed on this system";
    for (width, height) in SIZES {
        let mut app = demo_app();
        app.update(
            Msg::LinkFailed {
                url: url.into(),
                error: error.into(),
            },
            now(),
        );
        // The status line takes two rows and starts with the message.
        let rows = rows(&app, width, height);
        let bottom = words(&rows[rows.len() - 2..]);
        assert!(bottom.contains("No browser could be started"), "{bottom}");
        if width < 200 {
            assert!(
                !rows[rows.len() - 3].contains("No browser"),
                "two rows at most"
            );
        }
        // An earlier message stays readable in the messages view, and the link is there whole.
        app.update(Msg::Saved { generation: 0 }, now());
        press(&mut app, &[KeyCode::Char('?'), KeyCode::Char('?')]);
        press(&mut app, &[KeyCode::Char('M')]);
        assert_eq!(app.mode(), porchlight::tui::keys::Mode::Messages);
        let text = words(&rows_joined(&app, width, height));
        assert!(text.contains("Messages"), "{text}");
        assert!(text.contains(error), "{width}x{height}: {text}");
        // The link is split across lines only at the edge: joined, it is whole.
        assert!(
            rows_joined(&app, width, height)
                .concat()
                .replace(['│', ' '], "")
                .contains(url),
            "{width}x{height}"
        );
        press(&mut app, &[KeyCode::Esc]);
        assert_eq!(app.mode(), porchlight::tui::keys::Mode::List);
    }
}

/// The rows of the body only (no header or status line), trimmed of padding.
fn rows_joined(app: &App, width: u16, height: u16) -> Vec<String> {
    let all = rows(app, width, height);
    all[1..all.len() - 2]
        .iter()
        .map(|r| r.trim_end().to_string())
        .collect()
}

/// Each screen an owner can reach, by the keys that reach it, with the facts that must be on it.
fn every_screen() -> Vec<(&'static str, Vec<KeyCode>, Vec<&'static str>)> {
    use KeyCode::*;
    vec![
        (
            "device list",
            vec![],
            vec!["porchlight", "Home router", "score"],
        ),
        (
            "a new device in the list",
            vec![End],
            vec!["Unknown device new"],
        ),
        (
            "needs you",
            vec![Char('n')],
            vec!["Fix first", "Home router", "Turn off UPnP"],
        ),
        (
            "device detail",
            vec![Enter],
            vec!["Home router", "Checklist", "RT-01"],
        ),
        (
            "wizard, why",
            vec![Enter, Char('w')],
            vec!["Why it matters"],
        ),
        (
            "wizard, how",
            vec![Enter, Char('w'), Right],
            vec!["How to do it"],
        ),
        (
            "wizard, decide",
            vec![Enter, Char('w'), Right, Right],
            vec![
                "Your call",
                "Done",
                "Not applicable",
                "Accept the risk",
                "Later",
            ],
        ),
        (
            "typing a reason",
            vec![Enter, Char('w'), Char('a')],
            vec!["Why is this risk acceptable?", "Enter save"],
        ),
        (
            "renaming",
            vec![Enter, Char('e')],
            vec!["Name this device", "Home router"],
        ),
        ("choosing the kind", vec![Enter, Char('c')], vec!["Router"]),
        (
            "forgetting",
            vec![Enter, Char('x')],
            vec!["Forget Home router"],
        ),
        (
            "why porchlight thinks so",
            vec![Enter, Char('i')],
            vec!["NETGEAR"],
        ),
        ("help", vec![Char('?')], vec!["Keys", "Moving around"]),
        ("messages", vec![Char('M')], vec!["Messages, newest last"]),
    ]
}

#[test]
fn every_screen_shows_its_key_facts_at_every_size() {
    let mut failures = Vec::new();
    for (name, keys, facts) in every_screen() {
        for (width, height) in SIZES {
            let mut app = demo_app();
            press(&mut app, &keys);
            let rows = rows(&app, width, height);
            let text = words(&rows);
            if std::env::var_os("SHOW_SCREENS").is_some() {
                println!("== {name} {width}x{height}\n{}", rows.join("\n"));
            }
            for fact in &facts {
                if !text.contains(fact) {
                    failures.push(format!(
                        "{name} at {width}x{height} lacks {fact:?}:\n{}",
                        rows.join("\n")
                    ));
                }
            }
            // The header: the title, then the counts, never run together.
            let header = rows[0].trim_end();
            assert!(header.starts_with(" porchlight "), "{name}: {header:?}");
            assert!(
                header.contains("score"),
                "{name} at {width}x{height}: {header:?}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
