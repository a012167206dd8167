//! Fix first as entries, driven with the keys a person presses on the demo home: telnet on two
//! devices is one entry that Enter opens into its two lines; the smart devices beside this
//! computer are one household entry (RT-13) for the whole home; Esc closes an open entry before it
//! leaves the list; a line of an open entry opens its wizard. Drawn at 60x15, 80x24 and 200x50.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{draw_text, rows};
use common::{demo_app, press};
use crossterm::event::KeyCode;
use porchlight::tui::app::{App, Screen};

fn fix_first() -> App {
    demo_app().open_needs_you_if_due()
}

/// The highlighted row of the list at 80x24.
fn highlighted(app: &App) -> String {
    rows(app, 80, 24)
        .into_iter()
        .find(|r| r.starts_with('▶'))
        .unwrap_or_default()
}

#[test]
fn a_problem_on_two_devices_is_one_entry_that_enter_opens() {
    let mut app = fix_first();
    let text = draw_text(&app, 80, 24);
    assert!(
        highlighted(&app).contains("2 devices          G-02 Turn off telnet"),
        "{text}"
    );
    assert_eq!(
        text.matches("G-02 Turn off telnet").count(),
        1,
        "telnet is said once\n{text}"
    );
    // Enter lists the two devices under it, each with what was seen there.
    press(&mut app, &[KeyCode::Enter]);
    let open = draw_text(&app, 80, 24);
    for name in ["Driveway camera", "Unknown device"] {
        assert!(
            open.lines()
                .any(|l| l.contains(&format!("└ {name}")) && l.contains("G-02 Turn off telnet")),
            "{name} is listed\n{open}"
        );
    }
    assert!(
        open.contains("2 lines listed below · Enter or Esc closes the list"),
        "{open}"
    );
    // Down, Enter: the camera's telnet wizard, on its evidence.
    press(&mut app, &[KeyCode::Down]);
    assert!(highlighted(&app).contains("└ Driveway camera"), "{open}");
    press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(app.screen(), Screen::Wizard(_)),
        "the wizard opens"
    );
    let wizard = draw_text(&app, 80, 24);
    assert!(
        wizard.contains("Driveway camera › G-02 Turn off telnet"),
        "{wizard}"
    );
    assert!(
        wizard.contains("telnet answers on 192.168.1.64:23"),
        "{wizard}"
    );
}

#[test]
fn esc_closes_an_open_entry_before_it_leaves_the_list() {
    let mut app = fix_first();
    press(&mut app, &[KeyCode::Enter, KeyCode::Down, KeyCode::Down]);
    assert!(highlighted(&app).contains("└ Unknown device"));
    press(&mut app, &[KeyCode::Esc]);
    assert!(
        matches!(app.screen(), Screen::NeedsYou(_)),
        "still on Fix first"
    );
    let text = draw_text(&app, 80, 24);
    assert!(!text.contains('└'), "closed\n{text}");
    assert!(highlighted(&app).contains("G-02 Turn off telnet"), "{text}");
    // Enter twice opens and closes it again; Esc then goes back to the devices.
    press(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert!(!draw_text(&app, 80, 24).contains('└'));
    press(&mut app, &[KeyCode::Esc]);
    assert!(matches!(app.screen(), Screen::List), "back to the devices");
}

#[test]
fn the_household_entry_speaks_for_the_whole_home() {
    let mut app = fix_first();
    let entries = app.fix_entries();
    let at = entries.iter().position(|e| e.household).unwrap();
    press(&mut app, &vec![KeyCode::Down; at]);
    let row = highlighted(&app);
    assert!(
        row.contains("whole home         RT-13 Give guests and smart device"),
        "{row}"
    );
    // The highlighted entry says how many smart devices share the network, and which.
    let large = draw_text(&app, 200, 50);
    assert!(
        large.contains(
            "saw: 7 smart devices share the network with this computer: Driveway camera, Kitchen speaker, \
             Living-room TV, Office printer, Desk lamp plug, Hallway thermostat, Hue bridge"
        ),
        "{large}"
    );
    // The unknown device may be the owner's phone: it is not among them.
    let household = large
        .lines()
        .find(|l| l.contains("smart devices share"))
        .unwrap();
    assert!(!household.contains("Unknown device"), "{household}");
    press(&mut app, &[KeyCode::Enter]);
    let open = draw_text(&app, 200, 50);
    assert!(
        open.lines()
            .any(|l| l.contains("└ Home router") && l.contains("RT-13")),
        "{open}"
    );
    assert_eq!(
        open.lines()
            .filter(|l| l.contains('└') && l.contains("G-09 Move the device"))
            .count(),
        7,
        "each gadget's own step is listed\n{open}"
    );
    insta::assert_snapshot!("household_entry_open_200x50", open);
    // The router's line opens RT-13, the one step for the whole home.
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let wizard = draw_text(&app, 80, 24);
    assert!(
        wizard.contains("Home router › RT-13 Give guests and smart devices their own network"),
        "{wizard}"
    );
    // Its first instruction warns before anything is moved.
    press(&mut app, &[KeyCode::Right]);
    let how = draw_text(&app, 100, 40);
    let warn = how.find("Before you start").expect("a warning first");
    let act = how.find("Guest Network settings").unwrap();
    assert!(warn < act, "{how}");
}

#[test]
fn fix_first_fits_on_one_screen_at_every_size() {
    let app = fix_first();
    let small = draw_text(&app, 60, 15);
    assert!(small.contains("G-02 Turn off telnet"), "{small}");
    let text = draw_text(&app, 80, 24);
    // Every problem of the home is on the first 80x24 screen.
    for entry in app
        .fix_entries()
        .iter()
        .filter(|e| e.head().unwrap().kind == porchlight::tui::app::FixKind::Problem)
    {
        let step = entry.key.step.as_ref().unwrap().to_string();
        assert!(
            text.contains(&step),
            "{step} is on the first screen\n{text}"
        );
    }
    insta::assert_snapshot!("fix_first_80x24", text);
    insta::assert_snapshot!("fix_first_200x50", draw_text(&app, 200, 50));
}

#[test]
fn a_household_entry_of_the_router_alone_opens_its_step_at_once() {
    // No gadget's own G-09 found (say, each was checked from another network): the router's
    // RT-13 still speaks for the whole home, and Enter opens it without a list of one.
    let mut inventory = common::demo();
    for device in &mut inventory.devices {
        device
            .findings
            .remove(&porchlight::model::StepId::new("G-09"));
    }
    let mut app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        inventory,
        "demo home (simulated)",
        common::now(),
    )
    .open_needs_you_if_due();
    let at = app.fix_entries().iter().position(|e| e.household).unwrap();
    press(&mut app, &vec![KeyCode::Down; at]);
    let row = highlighted(&app);
    assert!(row.contains("whole home") && row.contains("RT-13"), "{row}");
    assert!(
        draw_text(&app, 80, 24).contains("saw: 7 smart devices share the network with this"),
        "the router's own evidence"
    );
    press(&mut app, &[KeyCode::Enter]);
    let wizard = draw_text(&app, 80, 24);
    assert!(
        wizard.contains("Home router › RT-13 Give guests and smart devices their own network"),
        "{wizard}"
    );
}
