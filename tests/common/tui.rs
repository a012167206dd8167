//! Helpers for the tests that drive the terminal UI: find the demo home's devices, open a device
//! or its wizard with the keys a person presses, and draw the app into a test terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use porchlight::model::{DeviceId, StepId};
use porchlight::tui::app::{App, Msg, Screen, WizardPage};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{now, press};

/// The id of the device called `name`.
pub fn device_named(app: &App, name: &str) -> DeviceId {
    app.inventory()
        .devices
        .iter()
        .find(|d| d.name() == name)
        .map(|d| d.id.clone())
        .unwrap_or_else(|| panic!("no device is called {name}"))
}

/// The demo home's camera.
pub fn camera_id(app: &App) -> DeviceId {
    device_named(app, "Driveway camera")
}

/// Opens the camera (second in the demo list) and starts the wizard on its first open step, as a
/// person does: ↓, Enter, w.
pub fn open_camera_wizard(app: &mut App) -> StepId {
    press(app, &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('w')]);
    match app.screen() {
        Screen::Wizard(w) => {
            assert_eq!(w.device, camera_id(app));
            assert_eq!(w.page, WizardPage::Why);
            w.step.clone()
        }
        other => panic!("expected the wizard, got {other:?}"),
    }
}

/// Presses `keys` (which end on a device's row and Enter) and returns the device opened.
pub fn open_device(app: &mut App, keys: &[KeyCode]) -> DeviceId {
    press(app, keys);
    match app.screen() {
        Screen::Detail(d) => d.device.clone(),
        other => panic!("expected the detail view, got {other:?}"),
    }
}

/// The wizard page showing.
pub fn wizard_page(app: &App) -> WizardPage {
    match app.screen() {
        Screen::Wizard(w) => w.page,
        other => panic!("expected the wizard, got {other:?}"),
    }
}

/// Presses Ctrl and `c`.
pub fn ctrl(app: &mut App, c: char) {
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        now(),
    );
}

/// The app drawn on a `width` by `height` test terminal.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| porchlight::tui::render::render(app, frame))
        .unwrap();
    terminal
}

/// The app drawn at `width` by `height`, as the test backend prints it (quoted rows).
pub fn draw_text(app: &App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}

/// The app drawn at `width` by `height`, one string per row.
pub fn rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let terminal = draw(app, width, height);
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}
