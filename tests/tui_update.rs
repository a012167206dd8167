//! Headless tests of the TUI model: scripted messages into `App::update`, checking what the owner
//! would see change and what gets saved.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{camera_id, open_camera_wizard, open_device};
use common::{demo_app, key, now, press, type_text};
use crossterm::event::KeyCode;
use porchlight::model::{StepId, StepState};
use porchlight::store::Store;
use porchlight::tui::app::{App, Command, Msg, Screen, Tone};

#[test]
fn completing_a_step_marks_it_done_saves_and_moves_to_the_next() {
    let mut app = demo_app();
    let first = open_camera_wizard(&mut app);
    let commands = press(&mut app, &[KeyCode::Right, KeyCode::Right, KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&first), StepState::Done);
    assert_eq!(camera.progress[&first].changed_at, now());
    // The demo home is simulated: the step has a network check, so a simulated verdict shows
    // first (see tests/tui_owner.rs), then Enter moves on.
    assert!(
        app.notice()
            .unwrap()
            .text
            .starts_with(&format!("{first} marked done."))
    );
    let commands = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 2 }]);
    let Screen::Wizard(w) = app.screen() else {
        panic!("the wizard should go on to the next step");
    };
    assert_ne!(w.step, first);
    let notice = app.notice().cloned().unwrap();
    assert_eq!(notice.tone, Tone::Good);
    assert!(
        notice.text.starts_with(&format!("{first} is done.")),
        "{}",
        notice.text
    );
    assert!(app.save().pending());
    app.update(Msg::Saved { generation: 2 }, now());
    assert!(!app.save().pending());
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
    assert_eq!(app.notice().map(|n| n.tone), Some(Tone::Error));
    assert!(type_text(&mut app, "Camera is on a quiet VLAN").is_empty());
    press(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "N");
    assert!(!app.quitting());
    let commands = press(&mut app, &[KeyCode::Enter]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
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
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Todo);
    assert!(matches!(app.screen(), Screen::Wizard(w) if w.reason.is_none()));
    // A second Esc goes back to the device.
    press(&mut app, &[KeyCode::Esc]);
    assert!(matches!(app.screen(), Screen::Detail(_)));
}

#[test]
fn later_puts_the_step_off_for_a_week_without_settling_it() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    let commands = press(&mut app, &[KeyCode::Char('l')]);
    assert_eq!(commands, vec![Command::Save { generation: 1 }]);
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Todo);
    let until = camera.progress[&step].snoozed_until.unwrap();
    assert_eq!((until.as_second() - now().as_second()) / 86_400, 7);
    let step_def = app.catalog().step(&step).unwrap();
    assert!(!app.is_open(camera, step_def), "a snoozed step is not open");
}

#[test]
fn not_applicable_is_recorded() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    press(&mut app, &[KeyCode::Char('n')]);
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::NotApplicable);
}

#[test]
fn the_link_key_asks_the_loop_to_open_the_steps_page() {
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    let url = app.catalog().step(&step).unwrap().links[0].url.clone();
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
    let notice = app.notice().cloned().unwrap();
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
    assert_eq!(app.save().error.as_deref(), Some("disk full"));
    assert!(app.notice().unwrap().text.contains("disk full"));
    press(&mut app, &[KeyCode::Char('d')]);
    app.update(Msg::Saved { generation: 2 }, now());
    assert_eq!(app.save().error, None);
    assert!(!app.save().pending());
}

#[test]
fn help_toggles_and_quit_quits_from_anywhere_but_a_text_box() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Char('?')]);
    assert!(app.show_help());
    press(&mut app, &[KeyCode::Esc]);
    assert!(!app.show_help());
    assert_eq!(press(&mut app, &[KeyCode::Char('q')]), vec![Command::Quit]);
    assert!(app.quitting());
}

#[test]
fn cursor_stays_inside_the_list() {
    let mut app = demo_app();
    let n = app.inventory().devices.len();
    for _ in 0..(n + 5) {
        app.update(key(KeyCode::Down), now());
    }
    assert_eq!(app.list_cursor(), n - 1);
    press(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(app.list_cursor(), 0);
    press(&mut app, &[KeyCode::Up]);
    assert_eq!(app.list_cursor(), 0);
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
                store.save(app.inventory()).unwrap();
            }
        }
        press(&mut app, &[KeyCode::Char('q')]);
        assert!(app.quitting());
    }
    let store = Store::open(dir.path()).unwrap();
    let inventory = store.load().unwrap();
    let app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        inventory,
        "demo",
        now(),
    );
    let camera = app.inventory().device(&camera_id(&app)).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Done);
}

#[test]
fn renaming_a_device_keeps_the_owners_name() {
    let mut app = demo_app();
    let id = open_device(&mut app, &[KeyCode::Enter]);
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
    let d = app.inventory().device(&id).unwrap();
    assert_eq!(d.name(), "Upstairs router");
    assert_eq!(d.owner_name(), Some("Upstairs router"));
    // A later scan that sees the device's own name does not undo the owner's.
    let mut s =
        porchlight::discovery::Sighting::new(porchlight::discovery::Source::Mdns, d.ip.unwrap());
    s.mac = d.mac;
    s.hostnames.push("routerlogin.local".into());
    porchlight::inventory::merge(app.inventory_mut(), &s, now());
    assert_eq!(
        app.inventory().device(&id).unwrap().name(),
        "Upstairs router"
    );
}

#[test]
fn correcting_the_kind_of_device_changes_its_checklist() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::End]);
    let id = open_device(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.inventory().device(&id).unwrap().name(),
        "Unknown device"
    );
    let before = app.steps_of(app.inventory().device(&id).unwrap()).len();
    press(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(app.mode(), porchlight::tui::keys::Mode::Picker);
    // Unknown is last; go to the top (Router) and one down: Camera.
    press(&mut app, &[KeyCode::Char('g'), KeyCode::Down]);
    assert_eq!(
        press(&mut app, &[KeyCode::Enter]),
        vec![Command::Save { generation: 1 }]
    );
    let d = app.inventory().device(&id).unwrap();
    assert_eq!(d.category(), porchlight::model::Category::Camera);
    assert_eq!(
        d.owner_category(),
        Some(porchlight::model::Category::Camera)
    );
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
    assert!(app.notice().unwrap().text.contains("not marked as yours"));
    press(&mut app, &[KeyCode::End]);
    let id = open_device(&mut app, &[KeyCode::Enter]);
    assert!(!app.inventory().device(&id).unwrap().known);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('m')]),
        vec![Command::Save { generation: 1 }]
    );
    assert!(app.inventory().device(&id).unwrap().known);
    assert_eq!(app.inventory().new_devices().count(), 0);
}

#[test]
fn forgetting_a_device_asks_first() {
    let mut app = demo_app();
    let n = app.inventory().devices.len();
    let id = open_device(&mut app, &[KeyCode::Enter]);
    press(&mut app, &[KeyCode::Char('x')]);
    assert_eq!(app.mode(), porchlight::tui::keys::Mode::Confirm);
    assert!(
        press(&mut app, &[KeyCode::Char('n')]).is_empty(),
        "no keeps it"
    );
    assert_eq!(app.inventory().devices.len(), n);
    let name = app.inventory().device(&id).unwrap().name().to_string();
    press(&mut app, &[KeyCode::Char('x')]);
    assert_eq!(
        press(&mut app, &[KeyCode::Char('y')]),
        vec![Command::Batch(vec![
            Command::Save { generation: 1 },
            Command::RemoveSecret {
                device: id.clone(),
                name: name.clone(),
            },
        ])],
        "forgetting saves and removes the password kept for it"
    );
    assert_eq!(app.inventory().devices.len(), n - 1);
    assert!(app.inventory().device(&id).is_none());
    assert!(matches!(app.screen(), Screen::List));
    assert!(
        app.notice()
            .unwrap()
            .text
            .contains("asked the keyring to remove any password kept for it")
    );
    assert_eq!(
        app.inventory().forgotten.last().map(|f| &f.id),
        Some(&id),
        "the forget is remembered, so another porchlight cannot bring it back"
    );
    // The keyring's answer is said on the status line.
    app.update(
        Msg::SecretRemoved {
            name: name.clone(),
            result: Ok(true),
        },
        now(),
    );
    assert_eq!(
        app.notice().unwrap().text,
        format!("Removed the password kept for {name} from the keyring.")
    );
    app.update(
        Msg::SecretRemoved {
            name: name.clone(),
            result: Err("the keyring is locked".into()),
        },
        now(),
    );
    let notice = app.notice().unwrap();
    assert_eq!(notice.tone, Tone::Error);
    assert!(notice.text.contains("its password is still in the keyring"));
}

#[test]
fn a_device_whose_id_changes_during_a_scan_takes_its_kept_password_along() {
    use porchlight::discovery::{DiscoveryEvent, Sighting, Source};
    let mut app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        porchlight::model::Inventory::default(),
        "home",
        now(),
    );
    app.update(
        Msg::ScanStarted {
            scope: "10.0.0.0/24".into(),
            notes: vec![],
        },
        now(),
    );
    let ip = std::net::Ipv4Addr::new(10, 0, 0, 9);
    let bare = Sighting::new(Source::Icmp, ip);
    app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(bare))),
        now(),
    );
    let mut with_mac = Sighting::new(Source::Arp, ip);
    with_mac.mac = Some("02:00:5e:00:00:09".parse().unwrap());
    let command = app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(with_mac))),
        now(),
    );
    let from: porchlight::model::DeviceId = "ip:10.0.0.9".parse().unwrap();
    let to: porchlight::model::DeviceId = "mac:02:00:5e:00:00:09".parse().unwrap();
    let asked = match command {
        Some(Command::Batch(list)) => list,
        Some(other) => vec![other],
        None => vec![],
    };
    assert!(
        asked.contains(&Command::MoveSecret {
            from,
            to: to.clone()
        }),
        "{asked:?}"
    );
    app.update(
        Msg::SecretMoved {
            to,
            result: Ok(true),
        },
        now(),
    );
    assert!(
        app.notice()
            .unwrap()
            .text
            .contains("moved with it to its new id"),
        "{:?}",
        app.notice()
    );
}

#[test]
fn the_demo_home_cannot_be_scanned_and_says_why() {
    let mut app = demo_app();
    assert!(press(&mut app, &[KeyCode::Char('r')]).is_empty());
    assert!(
        app.notice()
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
    assert_eq!(app.inventory().devices.len(), 1, "the device shows at once");
    let mut arp = Sighting::new(Source::Arp, ip);
    arp.mac = Some("02:11:22:33:44:55".parse().unwrap());
    // The owner opened the device while it was known by address only.
    press(&mut app, &[KeyCode::Enter]);
    app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(arp))),
        now(),
    );
    assert_eq!(
        app.inventory().devices.len(),
        1,
        "same box, now with its MAC"
    );
    match app.screen() {
        Screen::Detail(d) => assert_eq!(d.device.to_string(), "mac:02:11:22:33:44:55"),
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
    // Saved, and the device (which showed no open port) is audited now that discovery is over.
    let [Command::Batch(batch)] = commands.as_slice() else {
        panic!("expected an audit and a save, got {commands:?}");
    };
    let Some(Command::Audit(job)) = batch.first() else {
        panic!("expected the audit first, got {batch:?}");
    };
    assert_eq!(job.device.to_string(), "mac:02:11:22:33:44:55");
    assert!(
        job.checks.iter().any(|(step, _)| step.as_str() == "G-02"),
        "telnet is checked on every device: {:?}",
        job.checks
    );
    assert!(
        !job.checks.iter().any(|(_, c)| c.needs_consent()),
        "no login is ever tried by the audit"
    );
    assert!(
        job.needs_consent.iter().any(|s| s.as_str() == "G-01"),
        "the factory-login step is noted as needing consent: {:?}",
        job.needs_consent
    );
    assert_eq!(batch.get(1), Some(&Command::Save { generation: 1 }));
    assert_eq!(app.inventory().scans.len(), 1);
    assert!(
        app.notice()
            .unwrap()
            .text
            .contains("1 device answered, 1 new")
    );
}

#[test]
fn fix_first_opens_each_item_one_key_away() {
    use porchlight::tui::app::FixKind;
    let mut app = demo_app().open_needs_you_if_due();
    let entries = app.fix_entries();
    let items: Vec<_> = entries.iter().map(|e| e.head().unwrap().clone()).collect();
    assert!(matches!(app.screen(), Screen::NeedsYou(n) if n.cursor == 0));
    // The first entry is a problem found on two devices: Enter lists them, and Enter on the
    // first opens its step's wizard.
    assert_eq!(items[0].kind, FixKind::Problem);
    assert!(entries[0].is_group());
    press(&mut app, &[KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
    match app.screen() {
        Screen::Wizard(w) => {
            assert_eq!(w.device, items[0].device);
            assert_eq!(Some(&w.step), items[0].step.as_ref());
        }
        other => panic!("expected the wizard, got {other:?}"),
    }
    // The second entry, one problem on one device: Enter opens its wizard at once.
    press(&mut app, &[KeyCode::Esc, KeyCode::Esc, KeyCode::Char('n')]);
    assert!(matches!(app.screen(), Screen::NeedsYou(n) if n.cursor == 0));
    assert!(!entries[1].is_group());
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert!(
        matches!(app.screen(), Screen::Wizard(w) if w.device == items[1].device && Some(&w.step) == items[1].step.as_ref())
    );
    // Back out to the devices, `n` opens the list again; the new device opens its detail.
    let new = items
        .iter()
        .position(|i| i.kind == FixKind::NewDevice)
        .unwrap();
    press(&mut app, &[KeyCode::Esc, KeyCode::Esc, KeyCode::Char('n')]);
    assert!(matches!(app.screen(), Screen::NeedsYou(n) if n.cursor == 0));
    press(&mut app, &vec![KeyCode::Down; new]);
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen(), Screen::Detail(d) if d.device == items[new].device));
    // A step due again (that the scan found no problem with): its wizard; confirming it done
    // takes it off the list.
    let due = items
        .iter()
        .zip(&entries)
        .position(|(i, e)| {
            matches!(i.kind, FixKind::Due(_))
                && !e.is_group()
                && !app.inventory().device(&i.device).is_some_and(|d| {
                    d.findings
                        .contains_key(i.step.as_ref().expect("a due step"))
                })
        })
        .unwrap();
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('n')]);
    press(&mut app, &vec![KeyCode::Down; due]);
    press(&mut app, &[KeyCode::Enter]);
    match app.screen() {
        Screen::Wizard(w) => {
            assert_eq!(w.device, items[due].device);
            assert_eq!(Some(&w.step), items[due].step.as_ref());
        }
        other => panic!("expected the wizard, got {other:?}"),
    }
    press(&mut app, &[KeyCode::Char('d')]);
    assert!(
        !app.fix_first()
            .iter()
            .any(|i| i.step == items[due].step && i.device == items[due].device)
    );
}

#[test]
fn making_a_password_shows_it_once_and_says_where_it_is_kept() {
    use porchlight::secrets::{Password, PasswordStyle};
    let mut app = demo_app();
    let id = open_device(&mut app, &[KeyCode::Enter]);
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
    let view = app.secret().cloned().unwrap();
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
    assert!(app.secret().is_none());
    assert!(matches!(app.screen(), Screen::Detail(_)));
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
        app.secret()
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
        app.catalog().step(&step).unwrap().check.is_some(),
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
    assert!(matches!(app.screen(), Screen::Wizard(w) if w.step == step && w.checking));
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
                    unconfirmed: None,
                    on_screen: None,
                },
                tried_logins: true,
            }),
            now(),
        )
        .into_iter()
        .collect();
    assert_eq!(commands, vec![Command::Save { generation: 2 }]);
    let camera = app.inventory().device(&id).unwrap();
    assert_eq!(camera.step_state(&step), StepState::Failed);
    assert_eq!(camera.progress[&step].evidence.as_deref(), Some(evidence));
    assert_eq!(
        camera.login_check.last_run,
        Some(now()),
        "the camera remembers that its logins were tried, so a re-scan does not try them again"
    );
    assert!(app.notice().unwrap().text.contains("still open"));
    match app.screen() {
        Screen::Wizard(w) => assert_eq!(w.verdict.as_ref().unwrap().verdict, Verdict::Fail),
        other => panic!("the verdict shows in the wizard, got {other:?}"),
    }
    // Enter moves on to the next open step.
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.screen(), Screen::Wizard(w) if w.step != step));
}

#[test]
fn the_audit_during_a_scan_turns_a_fix_that_came_undone_into_a_regression() {
    use porchlight::checks::CheckResult;
    use porchlight::discovery::{DiscoveryEvent, Sighting, Source};
    use porchlight::model::FindingVerdict;
    let mut app = demo_app().with_scanning(true);
    // Without the demo's made-up findings, so that this scan's regression is the first thing due.
    for d in &mut app.inventory_mut().devices {
        d.findings.clear();
    }
    let tv = app
        .inventory()
        .devices
        .iter()
        .find(|d| d.name() == "Living-room TV")
        .unwrap()
        .id
        .clone();
    let t01 = StepId::new("T-01"); // verified in the demo: ADB closed
    app.update(
        Msg::ScanStarted {
            scope: "192.168.1.0/24 on wlan0".into(),
            notes: vec![],
        },
        now(),
    );
    // The TV answers, with ADB open again after a factory reset.
    let mut ports = Sighting::new(Source::Ports, "192.168.1.41".parse().unwrap());
    ports.mac = Some("00:12:fb:7c:33:d0".parse().unwrap());
    ports.open_ports = vec![porchlight::model::OpenPort {
        port: 5555,
        service: "adb".into(),
        banner: None,
        tls: false,
    }];
    let command = app.update(
        Msg::Discovery(DiscoveryEvent::Sighting(Box::new(ports))),
        now(),
    );
    // Its ports are known and no announcement is pending: the audit starts during the scan.
    let Some(Command::Audit(job)) = command else {
        panic!("expected the TV's audit at once, got {command:?}");
    };
    assert_eq!(job.device, tv);
    assert!(
        job.checks.iter().any(|(s, _)| s == &t01),
        "{:?}",
        job.checks
    );
    let commands: Vec<Command> = app
        .update(
            Msg::Discovery(DiscoveryEvent::Done {
                elapsed: std::time::Duration::from_millis(900),
            }),
            now(),
        )
        .into_iter()
        .collect();
    assert!(
        commands.iter().any(|c| matches!(c, Command::Save { .. })),
        "discovery's result is saved before the audit ends: {commands:?}"
    );
    let results = job
        .checks
        .iter()
        .map(|(step, _)| {
            let result = if step == &t01 {
                CheckResult::fail("ADB answers on 192.168.1.41:5555")
            } else {
                CheckResult::pass("closed")
            };
            (step.clone(), result)
        })
        .collect();
    let command = app.update(
        Msg::Audited(porchlight::session::AuditDone {
            device: tv.clone(),
            kind: None,
            results,
        }),
        now(),
    );
    assert!(
        matches!(command, Some(Command::Save { .. })),
        "the findings are saved: {command:?}"
    );
    let device = app.inventory().device(&tv).unwrap();
    assert_eq!(device.step_state(&t01), StepState::Failed);
    assert_eq!(device.findings[&t01].verdict, FindingVerdict::Problem);
    assert!(device.findings[&t01].evidence.contains("5555"));
    assert!(app.notice().unwrap().text.contains("Came undone"));
    let first = &app.needs_you()[0];
    assert_eq!(first.step.as_deref(), Some("T-01"));
    assert_eq!(first.why, porchlight::reminders::Why::Regression);
}

#[test]
fn quitting_in_the_middle_of_a_scan_saves_the_devices_it_found() {
    use porchlight::discovery::{DiscoveryEvent, Sighting, Source, Stage};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut app = App::new(
        porchlight::catalog::Catalog::builtin().unwrap(),
        store.load().unwrap(),
        "home",
        now(),
    )
    .with_scanning(true);
    let mut commands = Vec::new();
    commands.extend(app.update(
        Msg::ScanStarted {
            scope: "10.0.0.0/24 on eth0".into(),
            notes: vec![],
        },
        now(),
    ));
    commands.extend(app.update(
        Msg::Discovery(DiscoveryEvent::StageStarted { stage: Stage::Mdns }),
        now(),
    ));
    for n in 1..=3u8 {
        let mut s = Sighting::new(Source::Arp, std::net::Ipv4Addr::new(10, 0, 0, n));
        s.mac = Some(format!("02:00:00:00:00:0{n}").parse().unwrap());
        commands.extend(app.update(Msg::Discovery(DiscoveryEvent::Sighting(Box::new(s))), now()));
    }
    assert_eq!(app.inventory().devices.len(), 3);
    // The owner quits while the scan runs (within the first seconds: no periodic save yet).
    let quit = press(&mut app, &[KeyCode::Char('q')]);
    let mut flat = Vec::new();
    for c in commands.into_iter().chain(quit) {
        match c {
            Command::Batch(list) => flat.extend(list),
            other => flat.push(other),
        }
    }
    assert_eq!(flat.last(), Some(&Command::Quit), "{flat:?}");
    // The loop saves the inventory for every Save before it leaves, as tui::run does.
    assert!(
        flat.iter().any(|c| matches!(c, Command::Save { .. })),
        "quitting mid-scan asks for a save: {flat:?}"
    );
    store.save(app.inventory()).unwrap();
    drop(store);
    let reloaded = porchlight::store::read_inventory(dir.path()).unwrap();
    let macs: Vec<String> = reloaded
        .devices
        .iter()
        .filter_map(|d| d.mac.map(|m| m.to_string()))
        .collect();
    assert_eq!(
        macs,
        [
            "02:00:00:00:00:01",
            "02:00:00:00:00:02",
            "02:00:00:00:00:03"
        ]
    );
}

#[test]
fn notices_fade_but_errors_stay() {
    let mut app = demo_app();
    assert!(app.notice().is_some(), "the new-device hint shows on start");
    let later = now()
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    app.update(Msg::Tick, later);
    assert!(app.notice().is_none(), "a hint fades");
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
        app.notice().unwrap().text.contains("disk full"),
        "an error stays"
    );
}

#[test]
fn allowing_logins_on_a_camera_warns_about_recorders_and_done_asks_for_a_new_try() {
    let mut app = demo_app().with_scanning(true);
    press(
        &mut app,
        &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('L')],
    );
    let id = camera_id(&app);
    assert!(app.inventory().device(&id).unwrap().login_check_allowed);
    let notice = app.notice().cloned().unwrap().text;
    assert!(
        notice.contains("if an NVR or recorder logs in to this camera"),
        "the owner is warned before any login is tried: {notice}"
    );
    assert!(notice.contains("up to 3 factory logins"), "{notice}");
    // Found problems sit at the top of the checklist, so walk down to the password step as the
    // owner would, and open it.
    let camera = app.inventory().device(&id).unwrap();
    let at = app
        .steps_of(camera)
        .iter()
        .position(|s| s.check.as_ref().is_some_and(|c| c.needs_consent()))
        .expect("the camera has a password step");
    press(&mut app, &vec![KeyCode::Down; at]);
    press(&mut app, &[KeyCode::Enter]);
    let step = match app.screen() {
        Screen::Wizard(w) => w.step.clone(),
        other => panic!("expected the wizard, got {other:?}"),
    };
    let check = app.catalog().step(&step).unwrap().check.clone().unwrap();
    assert!(
        check.needs_consent(),
        "{step} is the camera's password step"
    );
    assert!(!app.inventory().device(&id).unwrap().login_check.requested);
    press(&mut app, &[KeyCode::Char('d')]);
    assert!(
        app.inventory().device(&id).unwrap().login_check.requested,
        "marking the password step done asks for the logins to be tried again"
    );
}
