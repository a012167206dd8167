//! The owner's side of the TUI, driven by key presses: the wizard only decides on Enter or a
//! choice's letter, text boxes edit like text boxes, and no message is lost.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::{demo_app, press};
use crossterm::event::KeyCode;
use porchlight::model::{DeviceId, StepState};
use porchlight::tui::app::{App, Command, Screen, WizardPage};

fn camera_id(app: &App) -> DeviceId {
    app.inventory
        .devices
        .iter()
        .find(|d| d.name == "Driveway camera")
        .map(|d| d.id.clone())
        .unwrap()
}

fn wizard_page(app: &App) -> WizardPage {
    match &app.screen {
        Screen::Wizard(w) => w.page,
        other => panic!("expected the wizard, got {other:?}"),
    }
}

fn index(page: WizardPage) -> usize {
    WizardPage::ALL.iter().position(|p| *p == page).unwrap()
}

#[test]
fn paging_keys_never_decide_a_step_on_any_page() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('w')]);
    let before = app.inventory.clone();
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
                assert!(commands.is_empty(), "{code:?} on {page:?} asked for {commands:?}");
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
    assert_eq!(app.inventory, before, "paging changed the owner's progress");
    assert_eq!(app.save.generation, 0);
    // Enter is the key that picks the highlighted choice.
    let Screen::Wizard(w) = &app.screen else {
        unreachable!()
    };
    let step = w.step.clone();
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Command::Save { generation: 1 }]
    );
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Done);
}

#[test]
fn a_choices_letter_decides_from_any_page() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('w')]);
    let Screen::Wizard(w) = &app.screen else {
        unreachable!()
    };
    let step = w.step.clone();
    assert_eq!(wizard_page(&app), WizardPage::Why);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('n')]),
        vec![Command::Save { generation: 1 }]
    );
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::NotApplicable);
}
