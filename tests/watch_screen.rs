//! What `porchlight watch` found since the owner last looked, as the TUI shows it beside what
//! needs them: at the sizes an owner uses, from the smallest to a wide terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::{demo_app, now};
use porchlight::watch::{ChangeKind, WatchEvent};

fn news() -> Vec<WatchEvent> {
    vec![
        WatchEvent {
            at: now(),
            kind: ChangeKind::NewDevice,
            line: "new device: Guest tablet (192.168.1.40), mac 00:0c:29:00:00:28".into(),
        },
        WatchEvent {
            at: now(),
            kind: ChangeKind::Undone,
            line: "fix came undone: Driveway camera (192.168.1.31) CA-02 Turn off telnet: telnet answers".into(),
        },
    ]
}

fn draw(width: u16, height: u16) -> String {
    let app = demo_app().with_watch_news(news()).open_needs_you_if_due();
    common::tui::draw_text(&app, width, height)
}

#[test]
fn the_needs_screen_shows_what_watch_found() {
    let text = draw(80, 24);
    assert!(
        text.contains("Watch found since you last looked · 2"),
        "{text}"
    );
    assert!(text.contains("new device: Guest tablet"), "{text}");
    assert!(text.contains("Fix first"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn it_fits_every_size_from_small_to_wide() {
    for (w, h) in [(60, 15), (80, 24), (120, 40), (200, 50)] {
        let text = draw(w, h);
        assert!(
            text.contains("Watch found since"),
            "{w}x{h}: the news are shown:\n{text}"
        );
        assert!(text.contains("Fix first"), "{w}x{h}:\n{text}");
    }
}
