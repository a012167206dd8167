//! Headless tests of the TUI model: scripted messages into `App::update`, checking what the owner
//! would see change and what gets saved.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::{demo_app, key, now, press, type_text};
use crossterm::event::KeyCode;
use porchlight::model::{DeviceId, StepId, StepState};
use porchlight::store::Store;
use porchlight::tui::app::{App, Command, Msg, Screen, Tone, WizardPage};

fn camera_id(app: &App) -> DeviceId {
    app.inventory
        .devices
        .iter()
        .find(|d| d.name == "Driveway camera")
        .map(|d| d.id.clone())
        .unwrap()
}

/// Opens the camera (second in the demo list) and starts the wizard on its first open step.
fn open_camera_wizard(app: &mut App) -> StepId {
    press(app, &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('w')]);
    match &app.screen {
        Screen::Wizard(w) => {
            assert_eq!(w.device, camera_id(app));
            assert_eq!(w.page, WizardPage::Why);
            w.step.clone()
        }
        other => panic!("expected the wizard, got {other:?}"),
    }
}

#[test]
fn completing_a_step_marks_it_done_saves_and_moves_to_the_next() {
    let mut app = demo_app();
    let first = open_camera_wizard(&mut app);
    let commands = press(&mut app, &[KeyCode::Right, KeyCode::Right, KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&first), StepState::Done);
    assert_eq!(camera.progress[&first].changed_at, now());
    // The demo home is simulated: the step has a network check, so a simulated verdict shows
    // first (see tests/tui_owner.rs), then Enter moves on.
    assert!(
        app.notice
            .clone()
            .unwrap()
            .text
            .starts_with(&format!("{first} marked done."))
    );
    let commands = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 2 }]);
    let Screen::Wizard(w) = &app.screen else {
        panic!("the wizard should go on to the next step");
    };
    assert_ne!(w.step, first);
    let notice = app.notice.clone().unwrap();
    assert_eq!(notice.tone, Tone::Good);
    assert!(
        notice.text.starts_with(&format!("{first} is done.")),
        "{}",
        notice.text
    );
    assert!(app.save.pending());
    app.update(Msg::Saved { generation: 2 }, now());
    assert!(!app.save.pending());
}

#[test]
fn accepting_a_risk_needs_a_reason_and_keeps_it() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    assert!(press(&mut app, &[KeyCode::Char('a')]).is_empty());
    // Letters are text while typing, not commands: `q` must not quit.
    assert!(
        press(&mut app, &[KeyCode::Enter]).is_empty(),
        "an empty reason is refused"
    );
    assert_eq!(app.notice.as_ref().map(|n| n.tone), Some(Tone::Error));
    assert!(type_text(&mut app, "Camera is on a quiet VLAN").is_empty());
    press(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "N");
    assert!(!app.quitting);
    let commands = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(
        camera.step_state(&step),
        StepState::Accepted {
            reason: "Camera is on a quiet VLAN".into()
        }
    );
}

#[test]
fn escape_cancels_the_reason_without_changing_anything() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "never mind");
    assert!(press(&mut app, &[KeyCode::Esc]).is_empty());
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Todo);
    assert!(matches!(&app.screen, Screen::Wizard(w) if w.reason.is_none()));
    // A second Esc goes back to the device.
    press(&mut app, &[KeyCode::Esc]);
    assert!(matches!(app.screen, Screen::Detail { .. }));
}

#[test]
fn later_puts_the_step_off_for_a_week_without_settling_it() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    let commands = press(&mut app, &[KeyCode::Char('l')]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Todo);
    let until = camera.progress[&step].snoozed_until.unwrap();
    assert_eq!((until.as_second() - now().as_second()) / 86_400, 7);
    let step_def = app.catalog.step(&step).unwrap();
    assert!(!app.is_open(camera, step_def), "a snoozed step is not open");
}

#[test]
fn not_applicable_is_recorded() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    press(&mut app, &[KeyCode::Char('n')]);
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::NotApplicable);
}

#[test]
fn the_link_key_asks_the_loop_to_open_the_steps_page() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    let url = app.catalog.step(&step).unwrap().links[0].url.clone();
    assert_eq!(
        press(&mut app, &[KeyCode::Char('o')]),
        vec![Command::OpenLink(url.clone())]
    );
    app.update(
        Msg::LinkFailed {
            url: url.clone(),
            error: "no browser found".into(),
        },
        now(),
    );
    let notice = app.notice.clone().unwrap();
    assert_eq!(notice.tone, Tone::Error);
    assert!(
        notice.text.contains(&url),
        "the owner must still get the address"
    );
}

#[test]
fn a_failed_save_is_shown_until_a_later_save_succeeds() {
    let mut app = demo_app();
    open_camera_wizard(&mut app);
    press(&mut app, &[KeyCode::Char('d')]);
    app.update(
        Msg::SaveFailed {
            generation: 1,
            error: "disk full".into(),
        },
        now(),
    );
    assert_eq!(app.save.error.as_deref(), Some("disk full"));
    assert!(app.notice.as_ref().unwrap().text.contains("disk full"));
    press(&mut app, &[KeyCode::Char('d')]);
    app.update(Msg::Saved { generation: 2 }, now());
    assert_eq!(app.save.error, None);
    assert!(!app.save.pending());
}

#[test]
fn help_toggles_and_quit_quits_from_anywhere_but_a_text_box() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Char('?')]);
    assert!(app.show_help);
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.show_help);
    assert_eq!(press(&mut app, &[KeyCode::Char('q')]), vec![Command::Quit]);
    assert!(app.quitting);
}

#[test]
fn cursor_stays_inside_the_list() {
    let mut app = demo_app();
    let n = app.inventory.devices.len();
    for _ in 0..(n + 5) {
        app.update(key(KeyCode::Down), now());
    }
    assert_eq!(app.list_cursor, n - 1);
    press(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(app.list_cursor, 0);
    press(&mut app, &[KeyCode::Up]);
    assert_eq!(app.list_cursor, 0);
}

#[test]
fn progress_survives_quitting_and_coming_back() {
    let dir = tempfile::tempdir().unwrap();
    let step;
    {
        let store = Store::open(dir.path()).unwrap();
        let mut app = demo_app();
        step = open_camera_wizard(&mut app);
        for command in press(&mut app, &[KeyCode::Char('d')]) {
            if let Command::Save { .. } = command {
                store.save(&app.inventory).unwrap();
            }
        }
        press(&mut app, &[KeyCode::Char('q')]);
        assert!(app.quitting);
    }
    let store = Store::open(dir.path()).unwrap();
    let inventory = store.load().unwrap();
    let app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        inventory,
        "demo",
        now(),
    );
    let camera = app.inventory.device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Done);
}

fn open_first_device(app: &mut App) -> DeviceId {
    press(app, &[KeyCode::Enter]);
    match &app.screen {
        Screen::Detail { device } => device.clone(),
        other => panic!("expected the detail view, got {other:?}"),
    }
}

#[test]
fn renaming_a_device_keeps_the_owners_name() {
    let mut app = demo_app();
    let id = open_first_device(&mut app);
    press(&mut app, &[KeyCode::Char('e')]);
    // The box starts with the current name; clear it and type a new one.
    for _ in 0.."Home router".len() {
        press(&mut app, &[KeyCode::Backspace]);
    }
    type_text(&mut app, "Upstairs router");
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Command::Save { generation: 1 }]
    );
    let d = app.inventory.device(&id).unwrap();
    assert_eq!(d.name, "Upstairs router");
    assert_eq!(d.owner_name.as_deref(), Some("Upstairs router"));
    // A later scan that sees the device's own name does not undo the owner's.
    let mut s =
        porchlight::discovery::Sighting::new(porchlight::discovery::Source::Mdns, d.ip.unwrap());
    s.mac = d.mac;
    s.hostnames.push("routerlogin.local".into());
    porchlight::inventory::merge(&mut app.inventory, &s, now());
    assert_eq!(app.inventory.device(&id).unwrap().name, "Upstairs router");
}

#[test]
fn correcting_the_kind_of_device_changes_its_checklist() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::End]);
    let id = open_first_device(&mut app);
    assert_eq!(app.inventory.device(&id).unwrap().name, "Unknown device");
    let before = app.steps_of(app.inventory.device(&id).unwrap()).len();
    press(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(app.mode(), porchlight::tui::keys::Mode::Picker);
    // Unknown is last; go to the top (Router) and one down: Camera.
    press(&mut app, &[KeyCode::Char('g'), KeyCode::Down]);
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Command::Save { generation: 1 }]
    );
    let d = app.inventory.device(&id).unwrap();
    assert_eq!(d.category, porchlight::model::Category::Camera);
    assert_eq!(d.owner_category, Some(porchlight::model::Category::Camera));
    let after = app.steps_of(d);
    assert_ne!(after.len(), before);
    assert!(
        after.iter().any(|s| s.id.as_str() == "C-01"),
        "camera steps now apply"
    );
}

#[test]
fn marking_a_new_device_as_mine_clears_the_new_flag() {
    let mut app = demo_app();
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("not marked as yours")
    );
    press(&mut app, &[KeyCode::End]);
    let id = open_first_device(&mut app);
    assert!(!app.inventory.device(&id).unwrap().known);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('m')]),
        vec![Command::Save { generation: 1 }]
    );
    assert!(app.inventory.device(&id).unwrap().known);
    assert_eq!(app.inventory.new_devices().count(), 0);
}

#[test]
fn forgetting_a_device_asks_first() {
    let mut app = demo_app();
    let n = app.inventory.devices.len();
    let id = open_first_device(&mut app);
    press(&mut app, &[KeyCode::Char('x')]);
    assert_eq!(app.mode(), porchlight::tui::keys::Mode::Confirm);
    assert!(
        press(&mut app, &[KeyCode::Char('n')]).is_empty(),
        "no keeps it"
    );
    assert_eq!(app.inventory.devices.len(), n);
    press(&mut app, &[KeyCode::Char('x')]);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('y')]),
        vec![Command::Save { generation: 1 }]
    );
    assert_eq!(app.inventory.devices.len(), n - 1);
    assert!(app.inventory.device(&id).is_none());
    assert!(matches!(app.screen, Screen::List));
}

#[test]
fn the_demo_home_cannot_be_scanned_and_says_why() {
    let mut app = demo_app();
    assert!(press(&mut app, &[KeyCode::Char('r')]).is_empty());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("demo home is simulated")
    );
}

#[test]
fn a_scan_streams_devices_into_the_list_and_saves_at_the_end() {
    use porchlight::discovery::{DiscoveryEvent, Sighting, Source, Stage};
    let mut app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        porchlight::model::Inventory::default(),
        "home",
        now(),
    )
    .with_scanning(true);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('r')]),
        vec![Command::StartScan]
    );
    app.update(
        Msg::ScanStarted {
            scope: "10.0.0.0/24 on eth0".into(),
            notes: vec![],
        },
        now(),
    );
    assert!(
        press(&mut app, &[KeyCode::Char('r')]).is_empty(),
        "one scan at a time"
    );
    app.update(
        Msg::Discovery(DiscoveryEvent::StageStarted { stage: Stage::Ping }),
        now(),
    );
    let ip = "10.0.0.7".parse().unwrap();
    app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(Sighting::new(
            Source::Icmp,
            ip,
        )))),
        now(),
    );
    assert_eq!(app.inventory.devices.len(), 1, "the device shows at once");
    let mut arp = Sighting::new(Source::Arp, ip);
    arp.mac = Some("02:11:22:33:44:55".parse().unwrap());
    // The owner opened the device while it was known by address only.
    press(&mut app, &[KeyCode::Enter]);
    app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(arp))),
        now(),
    );
    assert_eq!(app.inventory.devices.len(), 1, "same box, now with its MAC");
    match &app.screen {
        Screen::Detail { device } => assert_eq!(device.to_string(), "mac:02:11:22:33:44:55"),
        other => panic!("the detail view should follow the device, got {other:?}"),
    }
    let commands: Vec<Command> = app
        .update(
            Msg::Discovery(DiscoveryEvent::Done {
                elapsed: std::time::Duration::from_millis(1200),
            }),
            now(),
        )
        .into_iter()
        .collect();
    // Saved, and the finished steps are checked again.
    assert_eq!(commands, vec![Command::SaveAndReverify { generation: 1 }]);
    assert_eq!(app.inventory.scans.len(), 1);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("1 device answered, 1 new")
    );
}

#[test]
fn needs_you_opens_each_item_one_key_away() {
    let mut app = demo_app().open_needs_you_if_due();
    let items = app.needs_you();
    assert!(items.len() >= 2);
    assert!(matches!(app.screen, Screen::NeedsYou { cursor: 0 }));
    // The first item is the new device: Enter opens it.
    assert_eq!(items[0].step, None);
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(&app.screen, Screen::Detail { device } if *device == items[0].device));
    // Back to the list, then `n` opens the view again; the second item is a step: its wizard.
    press(
        &mut app,
        &[
            KeyCode::Esc,
            KeyCode::Char('n'),
            KeyCode::Down,
            KeyCode::Enter,
        ],
    );
    match &app.screen {
        Screen::Wizard(w) => {
            assert_eq!(w.device, items[1].device);
            assert_eq!(Some(w.step.to_string()), items[1].step);
        }
        other => panic!("expected the wizard, got {other:?}"),
    }
    // Confirming it done takes it off the list.
    press(&mut app, &[KeyCode::Char('d')]);
    assert!(
        !app.needs_you()
            .iter()
            .any(|r| r.step == items[1].step && r.device == items[1].device)
    );
}

#[test]
fn making_a_password_shows_it_once_and_says_where_it_is_kept() {
    use porchlight::secrets::{Password, PasswordStyle};
    let mut app = demo_app();
    let id = open_first_device(&mut app);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('p')]),
        vec![Command::MakePassword {
            device: id.clone(),
            style: PasswordStyle::passphrase(),
        }]
    );
    assert_eq!(app.mode(), porchlight::tui::keys::Mode::Info);
    // No keyring on this machine: the password is still shown, and the owner is told.
    app.update(
        Msg::PasswordMade {
            device: id.clone(),
            password: Password::new("plaza-ember-tundra-quiet-oak-lantern-brisk"),
            kept: Err("no system keyring is available; nothing was written to disk".into()),
        },
        now(),
    );
    let view = app.secret.clone().unwrap();
    assert_eq!(
        view.password.as_ref().map(|p| p.expose().to_string()),
        Some("plaza-ember-tundra-quiet-oak-lantern-brisk".to_string())
    );
    assert!(view.problem);
    // Plain words first, the technical cause after.
    assert!(view.note.contains("NOT kept anywhere"), "{}", view.note);
    assert!(view.note.contains("password manager now"), "{}", view.note);
    assert!(
        view.cause
            .as_deref()
            .is_some_and(|c| c.contains("nothing was written to disk"))
    );
    // Its Debug output (which can reach logs and panics) never shows it.
    assert!(!format!("{app:?}").contains("plaza-ember"));
    // Esc clears it.
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.secret.is_none());
    assert!(matches!(app.screen, Screen::Detail { .. }));
    // `s` asks the keyring; nothing kept yet is said plainly.
    assert_eq!(
        press(&mut app, &[KeyCode::Char('s')]),
        vec![Command::FetchPassword { device: id.clone() }]
    );
    app.update(
        Msg::PasswordFetched {
            device: id,
            result: Ok(None),
        },
        now(),
    );
    assert!(
        app.secret
            .as_ref()
            .unwrap()
            .note
            .contains("No password is kept")
    );
}

#[test]
fn in_the_demo_done_never_sends_a_check_to_the_simulated_addresses() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    assert!(
        app.catalog.step(&step).unwrap().check.is_some(),
        "{step} has a network check"
    );
    // Only a save: no check is run against the demo's made-up addresses.
    assert_eq!(
        press(&mut app, &[KeyCode::Char('d')]),
        vec![Command::Save { generation: 1 }]
    );
}

#[test]
fn done_runs_the_check_and_shows_its_verdict_before_moving_on() {
    use porchlight::checks::{CheckResult, Verdict};
    use porchlight::verify::Outcome;
    let mut app = demo_app().with_scanning(true);
    let step = open_camera_wizard(&mut app);
    let id = camera_id(&app);
    let commands = press(&mut app, &[KeyCode::Char('d')]);
    assert_eq!(
        commands,
        vec![Command::SaveAndVerify {
            generation: 1,
            device: id.clone(),
            step: step.clone(),
        }]
    );
    // The wizard stays on the step while the check runs.
    assert!(matches!(&app.screen, Screen::Wizard(w) if w.step == step && w.checking));
    let evidence = "the factory login admin/12345 still works on the web page";
    let commands: Vec<Command> = app
        .update(
            Msg::Verified(Outcome {
                device: id.clone(),
                step: step.clone(),
                result: CheckResult {
                    verdict: Verdict::Fail,
                    evidence: evidence.into(),
                    next: Some("Change the admin password, then press d again.".into()),
                },
            }),
            now(),
        )
        .into_iter()
        .collect();
    assert_eq!(commands, vec![Command::Save { generation: 2 }]);
    let camera = app.inventory.device(&id).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Failed);
    assert_eq!(camera.progress[&step].evidence.as_deref(), Some(evidence));
    assert!(app.notice.as_ref().unwrap().text.contains("still open"));
    match &app.screen {
        Screen::Wizard(w) => assert_eq!(w.verdict.as_ref().unwrap().verdict, Verdict::Fail),
        other => panic!("the verdict shows in the wizard, got {other:?}"),
    }
    // Enter moves on to the next open step.
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(&app.screen, Screen::Wizard(w) if w.step != step));
}

#[test]
fn rechecks_after_a_scan_turn_a_fix_that_came_undone_into_a_regression() {
    use porchlight::checks::{CheckResult, Verdict};
    use porchlight::verify::Outcome;
    let mut app = demo_app().with_scanning(true);
    let tv = app
        .inventory
        .devices
        .iter()
        .find(|d| d.name == "Living-room TV")
        .unwrap()
        .id
        .clone();
    let t01 = StepId::new("T-01"); // verified in the demo: ADB closed
    app.update(
        Msg::Reverified(vec![Outcome {
            device: tv.clone(),
            step: t01.clone(),
            result: CheckResult {
                verdict: Verdict::Fail,
                evidence: "ADB answers on 192.168.1.41:5555".into(),
                next: None,
            },
        }]),
        now(),
    );
    assert_eq!(
        app.inventory.device(&tv).unwrap().step_state(&t01),
        StepState::Failed
    );
    assert!(app.notice.as_ref().unwrap().text.contains("Came undone"));
    let first = &app.needs_you()[0];
    assert_eq!(first.step.as_deref(), Some("T-01"));
    assert_eq!(first.why, porchlight::reminders::Why::Regression);
}

#[test]
fn notices_fade_but_errors_stay() {
    let mut app = demo_app();
    assert!(app.notice.is_some(), "the new-device hint shows on start");
    let later = now()
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    app.update(Msg::Tick, later);
    assert!(app.notice.is_none(), "a hint fades");
    app.update(
        Msg::SaveFailed {
            generation: 1,
            error: "disk full".into(),
        },
        later,
    );
    let much_later = later
        .checked_add(jiff::SignedDuration::from_secs(600))
        .unwrap();
    app.update(Msg::Tick, much_later);
    assert!(
        app.notice.as_ref().unwrap().text.contains("disk full"),
        "an error stays"
    );
}
