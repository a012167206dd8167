//! Headless tests of the Fix first list and the audit's findings in the TUI, driven by the keys a
//! person presses: porchlight opens on what it found, Enter goes to the fix, and a step that looks
//! fine already is confirmed with one key, never without it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::device_named;
use common::{demo_app, now, press};
use crossterm::event::KeyCode;
use porchlight::catalog::Catalog;
use porchlight::model::{
    Category, Device, DeviceId, Finding, FindingVerdict, Inventory, StepId, StepState,
};
use porchlight::tui::app::FixKind;
use porchlight::tui::app::{App, Command, Screen, Tone};

fn state(app: &App, device: &DeviceId, step: &str) -> StepState {
    app.inventory()
        .device(device)
        .unwrap()
        .step_state(&StepId::new(step))
}

/// One known camera with telnet found open, and nothing else due.
fn home_with_one_problem() -> Inventory {
    let mut camera = Device::new(
        DeviceId::Ip("192.168.1.64".parse().unwrap()),
        "Porch camera",
        now(),
    );
    camera.set_detected_category(Category::Camera);
    camera.known = true;
    camera.ip = Some("192.168.1.64".parse().unwrap());
    camera.findings.insert(
        StepId::new("G-02"),
        Finding {
            verdict: FindingVerdict::Problem,
            evidence: "telnet answers on 192.168.1.64:23 (banner: login:)".into(),
            checked_at: now(),
        },
    );
    Inventory {
        devices: vec![camera],
        ..Inventory::default()
    }
}

#[test]
fn porchlight_opens_on_fix_first_only_when_something_was_found() {
    let app = App::new(
        Catalog::builtin().unwrap(),
        home_with_one_problem(),
        "test",
        now(),
    )
    .open_needs_you_if_due();
    assert!(matches!(app.screen(), Screen::NeedsYou(n) if n.cursor == 0));
    let items = app.fix_first();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].kind, FixKind::Problem);
    assert_eq!(items[0].device_name, "Porch camera");
    assert_eq!(items[0].title, "Turn off telnet");
    assert_eq!(
        items[0].evidence.as_deref(),
        Some("telnet answers on 192.168.1.64:23 (banner: login:)")
    );
    assert_eq!(app.problems_found(), 1);

    // The same home with the problem gone: it opens on the devices.
    let mut quiet = home_with_one_problem();
    quiet.devices[0].findings.clear();
    let app = App::new(Catalog::builtin().unwrap(), quiet, "test", now()).open_needs_you_if_due();
    assert!(matches!(app.screen(), Screen::List));
    assert_eq!(app.problems_found(), 0);
}

#[test]
fn accepting_the_risk_of_a_found_problem_takes_it_off_the_list() {
    let mut app = App::new(
        Catalog::builtin().unwrap(),
        home_with_one_problem(),
        "test",
        now(),
    )
    .open_needs_you_if_due();
    let camera = app.inventory().devices[0].id.clone();
    // Enter opens the telnet step on its evidence; the owner accepts the risk with a reason.
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen(), Screen::Wizard(w) if w.step.as_str() == "G-02"));
    press(&mut app, &[KeyCode::Char('a')]);
    common::type_text(&mut app, "Only on the lab network");
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(
        state(&app, &camera, "G-02"),
        StepState::Accepted { .. }
    ));
    // The finding stays (it is what porchlight saw), but it is no longer an open problem.
    assert_eq!(
        app.inventory().devices[0].findings[&StepId::new("G-02")].verdict,
        FindingVerdict::Problem
    );
    assert_eq!(app.problems_found(), 0);
    assert!(
        !app.fix_first()
            .iter()
            .any(|i| i.step.as_ref().is_some_and(|s| s.as_str() == "G-02"))
    );
}

#[test]
fn y_confirms_a_step_that_looks_fine_from_the_fix_first_list() {
    let mut app = demo_app().open_needs_you_if_due();
    let items = app.fix_first();
    let entries = app.fix_entries();
    let fine: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.head().unwrap().kind == FixKind::LooksFine && !e.is_group())
        .map(|(n, _)| n)
        .collect();
    assert!(!fine.is_empty(), "the demo has steps that look fine");
    // They come last, after every problem and reminder.
    assert!(
        entries[fine[0]..]
            .iter()
            .all(|e| e.head().unwrap().kind == FixKind::LooksFine)
    );
    let target = entries[fine[0]].head().unwrap().clone();
    let step = target.step.clone().unwrap();
    assert_eq!(state(&app, &target.device, step.as_str()), StepState::Todo);

    // y on a found problem (the router's UPnP, the second entry) changes nothing and says why.
    let problem = entries[1].head().unwrap().clone();
    assert!(!entries[1].is_group() && problem.kind == FixKind::Problem);
    press(&mut app, &[KeyCode::Down]);
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    assert!(commands.is_empty());
    assert_eq!(
        state(
            &app,
            &problem.device,
            problem.step.as_ref().unwrap().as_str()
        ),
        StepState::Todo
    );
    assert!(
        app.notice().unwrap().text.contains("found a problem"),
        "{:?}",
        app.notice()
    );

    // Down to the first step that looks fine, and y: verified, with the scan's evidence, saved.
    press(&mut app, &vec![KeyCode::Down; fine[0] - 1]);
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let device = app.inventory().device(&target.device).unwrap();
    assert_eq!(device.step_state(&step), StepState::Verified);
    assert_eq!(device.progress[&step].evidence, target.evidence);
    let notice = app.notice().cloned().unwrap();
    assert_eq!(notice.tone, Tone::Good);
    assert!(notice.text.contains("marked verified"), "{}", notice.text);
    // It leaves the list; the cursor stays on the list.
    assert!(matches!(app.screen(), Screen::NeedsYou(_)));
    assert_eq!(app.fix_first().len(), items.len() - 1);
    assert!(
        !app.fix_first()
            .iter()
            .any(|i| i.device == target.device && i.step.as_ref() == Some(&step))
    );
}

#[test]
fn y_confirms_a_looks_fine_step_in_the_checklist_but_not_a_problem() {
    let mut app = demo_app();
    let camera = device_named(&app, "Driveway camera");
    // Open the camera: its two problems are on top, under the cursor first.
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert!(matches!(app.screen(), Screen::Detail(d) if d.device == camera));
    let steps: Vec<String> = app
        .steps_of(app.inventory().device(&camera).unwrap())
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(&steps[..2], ["G-02", "G-04"], "problems first: {steps:?}");
    assert!(press(&mut app, &[KeyCode::Char('y')]).is_empty());
    assert_eq!(state(&app, &camera, "G-02"), StepState::Todo);

    // The stream step looks fine: move to it and press y.
    let c01 = steps.iter().position(|s| s == "C-01").unwrap();
    press(&mut app, &[KeyCode::Char('g')]);
    press(&mut app, &vec![KeyCode::Down; c01]);
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    assert_eq!(state(&app, &camera, "C-01"), StepState::Verified);
    // A second y has nothing left to confirm.
    assert!(press(&mut app, &[KeyCode::Char('y')]).is_empty());
    assert!(app.notice().unwrap().text.contains("already verified"));
}

#[test]
fn y_in_the_wizard_confirms_and_moves_on_to_the_next_open_step() {
    let mut app = demo_app();
    let router = device_named(&app, "Home router");
    // The router's RT-04 looks fine: open its detail, find the step, Enter opens the wizard.
    press(&mut app, &[KeyCode::Enter]);
    let steps: Vec<String> = app
        .steps_of(app.inventory().device(&router).unwrap())
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    let rt04 = steps.iter().position(|s| s == "RT-04").unwrap();
    press(&mut app, &vec![KeyCode::Down; rt04]);
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen(), Screen::Wizard(w) if w.step.as_str() == "RT-04"));
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    assert_eq!(state(&app, &router, "RT-04"), StepState::Verified);
    match app.screen() {
        Screen::Wizard(w) => assert_ne!(w.step.as_str(), "RT-04", "moved on"),
        other => panic!("expected the next step's wizard, got {other:?}"),
    }
}
