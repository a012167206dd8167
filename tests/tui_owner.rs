//! The owner's side of the TUI, driven by key presses: the wizard only decides on Enter or a
//! choice's letter, text boxes edit like text boxes, and no message is lost.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{camera_id, ctrl, draw_text, open_camera_wizard, rows, wizard_page};
use common::{demo_app, press};
use crossterm::event::KeyCode;
use porchlight::model::StepState;
use porchlight::tui::app::{App, Command, Screen, WizardPage};

fn index(page: WizardPage) -> usize {
    WizardPage::ALL.iter().position(|p| *p == page).unwrap()
}

#[test]
fn paging_keys_never_decide_a_step_on_any_page() {
    let mut app = demo_app();
    open_camera_wizard(&mut app);
    let before = app.inventory().clone();
    let paging = [
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Right,
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::Left,
    ];
    for page in WizardPage::ALL {
        // Walk to `page` with Right, then press every paging key there, many times over.
        while wizard_page(&app) != page {
            assert!(press(&mut app, &[KeyCode::Right]).is_empty());
        }
        for code in paging {
            for _ in 0..3 {
                let commands = press(&mut app, &[code]);
                assert!(
                    commands.is_empty(),
                    "{code:?} on {page:?} asked for {commands:?}"
                );
            }
            // Back to the page under test.
            while wizard_page(&app) != page {
                let key = if index(wizard_page(&app)) < index(page) {
                    KeyCode::Right
                } else {
                    KeyCode::Left
                };
                assert!(press(&mut app, &[key]).is_empty());
            }
        }
    }
    // The last page, with the highlight on Done: Right and Tab still decided nothing.
    assert_eq!(wizard_page(&app), WizardPage::Decide);
    assert_eq!(
        *app.inventory(),
        before,
        "paging changed the owner's progress"
    );
    assert_eq!(app.save().generation, 0);
    // Enter is the key that picks the highlighted choice.
    let Screen::Wizard(w) = app.screen() else {
        unreachable!()
    };
    let step = w.step.clone();
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Command::Save { generation: 1 }]
    );
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Done);
}

#[test]
fn a_choices_letter_decides_from_any_page() {
    let mut app = demo_app();
    open_camera_wizard(&mut app);
    let Screen::Wizard(w) = app.screen() else {
        unreachable!()
    };
    let step = w.step.clone();
    assert_eq!(wizard_page(&app), WizardPage::Why);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('n')]),
        vec![Command::Save { generation: 1 }]
    );
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::NotApplicable);
}

fn status_line(app: &App, width: u16, height: u16) -> String {
    rows(app, width, height)[usize::from(height.saturating_sub(2))..].join("\n")
}

#[test]
fn the_rename_box_edits_like_a_text_box() {
    use porchlight::tui::app::Edit;
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('e')]);
    let name = |app: &App| match app.edit() {
        Some(Edit::Rename(b)) => b.text().to_string(),
        other => panic!("expected the rename box, got {other:?}"),
    };
    assert_eq!(name(&app), "Home router");
    // Ctrl-U clears it in one key, not one Backspace per character, and types no "u".
    ctrl(&mut app, 'u');
    assert_eq!(name(&app), "");
    common::type_text(&mut app, "Attic rutr");
    // Ctrl-W deletes the last word; other Ctrl keys type nothing and do nothing.
    ctrl(&mut app, 'w');
    for c in ['a', 'e', 'k', 'd', 'x', 'q', 'n'] {
        ctrl(&mut app, c);
    }
    assert_eq!(name(&app), "Attic ");
    assert!(!app.quitting());
    common::type_text(&mut app, "router");
    // Cursor keys edit in place: "Attic router" -> "Attic wifi router".
    press(&mut app, &[KeyCode::Home]);
    press(&mut app, &[KeyCode::Right; 6]);
    common::type_text(&mut app, "wifi ");
    press(&mut app, &[KeyCode::End, KeyCode::Left, KeyCode::Backspace]);
    common::type_text(&mut app, "e");
    assert_eq!(name(&app), "Attic wifi router");
    // Left did not leave the box.
    assert!(app.edit().is_some());
    let commands = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    assert!(
        app.inventory()
            .devices
            .iter()
            .any(|d| d.name() == "Attic wifi router")
    );
}

#[test]
fn an_empty_reason_is_refused_and_nothing_says_saved() {
    let mut app = demo_app();
    open_camera_wizard(&mut app);
    // Something is saved first, so "✓ saved" would show if the status line said it.
    press(&mut app, &[KeyCode::Char('n')]);
    app.update(
        porchlight::tui::app::Msg::Saved { generation: 1 },
        common::now(),
    );
    assert!(status_line(&app, 80, 24).contains("saved"));
    press(&mut app, &[KeyCode::Char('a')]);
    common::type_text(&mut app, "   ");
    let before = app.inventory().clone();
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    assert_eq!(*app.inventory(), before);
    for (width, height) in [(60, 15), (80, 24), (200, 50)] {
        let status = status_line(&app, width, height);
        assert!(status.contains("why this risk"), "{status}");
        assert!(!status.contains("saved"), "{status}");
    }
}

#[test]
fn in_the_demo_done_says_the_home_is_simulated_and_labels_the_verdict() {
    for (width, height) in [(60, 15), (80, 24), (200, 50)] {
        let mut app = demo_app();
        open_camera_wizard(&mut app);
        let Screen::Wizard(w) = app.screen() else {
            unreachable!()
        };
        let step = w.step.clone();
        assert!(app.catalog().step(&step).unwrap().check.is_some());
        // Saved, never sent.
        assert_eq!(
            press(&mut app, &[KeyCode::Char('d')]),
            vec![Command::Save { generation: 1 }]
        );
        let notice = app.notice().cloned().unwrap().text;
        assert!(notice.contains("demo home is simulated"), "{notice}");
        assert!(!notice.contains("next scan"), "{notice}");
        let screen = draw_text(&app, width, height);
        assert!(
            screen.contains("Simulated verdict"),
            "{width}x{height}\n{screen}"
        );
        assert!(
            screen.contains("demo home is simulated"),
            "{width}x{height}\n{screen}"
        );
        // The step is done, not "verified": nothing was checked.
        let camera = app.inventory().device(&camera_id(&app)).unwrap();
        assert_eq!(camera.step_state(&step), StepState::Done);
        // Enter moves on to the next open step.
        press(&mut app, &[KeyCode::Enter]);
        assert!(matches!(app.screen(), Screen::Wizard(w) if w.step != step && w.verdict.is_none()));
    }
}
