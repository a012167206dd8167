//! The kinds of device added for issue 16 (locks, garage openers and alarms; energy devices) as an
//! owner meets them: chosen in the kind picker with the keys a person presses, visible in the
//! picker on small and large terminals, and bringing their own steps into the device's checklist.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{draw_text, open_device};
use common::{demo_app, press};
use crossterm::event::KeyCode;
use porchlight::model::{Category, DeviceId};
use porchlight::tui::app::{App, Command};

/// Opens the demo home's unknown device (the last in the list).
fn open_unknown(app: &mut App) -> DeviceId {
    let id = open_device(app, &[KeyCode::End, KeyCode::Enter]);
    assert_eq!(
        app.inventory().device(&id).unwrap().name(),
        "Unknown device"
    );
    id
}

/// Picks `category` in the kind picker by moving down from the top, as a person would.
fn pick(app: &mut App, category: Category) -> Vec<Command> {
    press(app, &[KeyCode::Char('c'), KeyCode::Char('g')]);
    let steps = Category::ALL.iter().position(|c| *c == category).unwrap();
    for _ in 0..steps {
        press(app, &[KeyCode::Down]);
    }
    press(app, &[KeyCode::Enter])
}

#[test]
fn the_picker_shows_the_new_kinds_on_small_and_large_terminals() {
    for (width, height) in [(60, 15), (80, 24), (200, 50)] {
        for category in [Category::Lock, Category::Energy] {
            let mut app = demo_app();
            open_unknown(&mut app);
            press(&mut app, &[KeyCode::Char('c'), KeyCode::Char('g')]);
            let at = Category::ALL.iter().position(|c| *c == category).unwrap();
            for _ in 0..at {
                press(&mut app, &[KeyCode::Down]);
            }
            let text = draw_text(&app, width, height);
            assert!(
                text.contains(category.label()),
                "{width}x{height}: {:?} is not shown when selected\n{text}",
                category.label()
            );
        }
    }
}

#[test]
fn a_lock_gets_the_lock_steps_and_not_the_camera_ones() {
    let mut app = demo_app();
    let id = open_unknown(&mut app);
    assert_eq!(
        pick(&mut app, Category::Lock),
        vec![Command::Save { generation: 1 }]
    );
    let d = app.inventory().device(&id).unwrap();
    assert_eq!(d.category(), Category::Lock);
    let steps: Vec<String> = app
        .steps_of(d)
        .iter()
        .map(|s| s.id.as_str().to_string())
        .collect();
    for id in ["L-01", "L-02", "L-03", "L-04", "H-01", "G-08"] {
        assert!(steps.iter().any(|s| s == id), "{id} missing from {steps:?}");
    }
    assert!(!steps.iter().any(|s| s == "C-01"), "{steps:?}");
    // The device list says what it now is, in full, even on a small terminal.
    press(&mut app, &[KeyCode::Esc]);
    let small = draw_text(&app, 60, 15);
    assert!(small.contains(" Lock/alarm "), "{small}");
    let text = draw_text(&app, 80, 24);
    assert!(text.contains("Lock/alarm"), "{text}");
}

#[test]
fn an_energy_device_gets_the_energy_steps() {
    let mut app = demo_app();
    let id = open_unknown(&mut app);
    pick(&mut app, Category::Energy);
    let d = app.inventory().device(&id).unwrap();
    assert_eq!(d.category(), Category::Energy);
    let steps: Vec<String> = app
        .steps_of(d)
        .iter()
        .map(|s| s.id.as_str().to_string())
        .collect();
    for id in ["E-01", "E-02", "G-01", "G-06"] {
        assert!(steps.iter().any(|s| s == id), "{id} missing from {steps:?}");
    }
}

#[test]
fn every_kind_fits_the_device_lists_kind_column() {
    // The list gives the kind 12 columns; a longer label would be cut off mid-word.
    for category in Category::ALL {
        assert!(
            category.label().chars().count() <= 12,
            "{:?}: {:?} is too long",
            category,
            category.label()
        );
        assert_eq!(category.key().parse::<Category>().unwrap(), category);
    }
}
