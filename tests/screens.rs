//! Snapshots of every screen as an owner sees it on an 80x24 terminal, drawn from the demo home
//! with a fixed clock. Review changes with `cargo insta review` (or read the .snap.new files).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::{demo_app, now, press, type_text};
use crossterm::event::KeyCode;
use porchlight::catalog::Catalog;
use porchlight::model::Inventory;
use porchlight::tui::app::{App, Msg};
use porchlight::tui::render::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    terminal
}

fn screen(app: &App) -> String {
    draw(app, 80, 24).backend().to_string()
}

#[test]
fn empty_inventory() {
    let app = App::new(
        Catalog::builtin().unwrap(),
        Inventory::default(),
        "/home/sam/.local/share/porchlight",
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("No devices saved yet."));
    insta::assert_snapshot!(text);
}

#[test]
fn device_list() {
    let app = demo_app();
    let text = screen(&app);
    assert!(text.contains("Driveway camera"));
    insta::assert_snapshot!(text);
}

#[test]
fn device_detail() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Enter, KeyCode::Down, KeyCode::Down]);
    let text = screen(&app);
    assert!(text.contains("Home router"));
    assert!(text.contains("Checklist"));
    insta::assert_snapshot!(text);
}

#[test]
fn wizard_why_page() {
    let mut app = demo_app();
    press(
        &mut app,
        &[KeyCode::Down, KeyCode::Enter, KeyCode::Char('w')],
    );
    let text = screen(&app);
    assert!(text.contains("Why it matters"));
    insta::assert_snapshot!(text);
}

#[test]
fn wizard_how_page() {
    let mut app = demo_app();
    press(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Char('w'),
            KeyCode::Right,
        ],
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn wizard_decide_page_with_a_reason_being_typed() {
    let mut app = demo_app();
    press(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Char('w'),
            KeyCode::Char('a'),
        ],
    );
    type_text(&mut app, "Camera only sees the driveway");
    let text = screen(&app);
    assert!(text.contains("Why is this risk acceptable?"));
    assert!(text.contains("Camera only sees the driveway"));
    insta::assert_snapshot!(text);
}

#[test]
fn help_overlay() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Char('?')]);
    let text = screen(&app);
    insta::assert_snapshot!(text);
    // Every binding of the key table is on the help screen, scrolling down with ↓ where needed,
    // at every size.
    for (width, height) in [(60, 15), (80, 24), (200, 50)] {
        let mut app = demo_app();
        press(&mut app, &[KeyCode::Char('?')]);
        let mut seen = String::new();
        for _ in 0..60 {
            seen.push_str(&draw(&app, width, height).backend().to_string());
            press(&mut app, &[KeyCode::Down]);
        }
        for b in porchlight::tui::keys::BINDINGS {
            assert!(
                seen.contains(b.help),
                "help at {width}x{height} lacks {:?}",
                b.help
            );
        }
    }
}

#[test]
fn save_error_in_the_status_line() {
    let mut app = demo_app();
    press(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Char('w'),
            KeyCode::Char('d'),
        ],
    );
    app.update(
        Msg::SaveFailed {
            generation: 1,
            error: "no space left on device (os error 28)".into(),
        },
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Could not save: no space left on device"));
    insta::assert_snapshot!(text);
}

#[test]
fn tiny_and_huge_terminals_do_not_panic() {
    let mut app = demo_app();
    let scripts: [&[KeyCode]; 4] = [
        &[],
        &[KeyCode::Enter],
        &[KeyCode::Char('w')],
        &[KeyCode::Char('?')],
    ];
    for keys in scripts {
        press(&mut app, keys);
        for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23), (300, 100)] {
            draw(&app, w, h);
        }
    }
}

fn scanning_app() -> App {
    use porchlight::discovery::{DiscoveryEvent, Sighting, Source, Stage};
    let mut app = App::new(
        Catalog::builtin().unwrap(),
        Inventory::default(),
        "/home/sam/.local/share/porchlight",
        now(),
    )
    .with_scanning(true);
    app.update(
        Msg::ScanStarted {
            scope: "192.168.1.0/24 on wlan0".into(),
            notes: vec![],
        },
        now(),
    );
    for stage in [Stage::Ping, Stage::Mdns, Stage::Ssdp, Stage::Ports] {
        app.update(
            Msg::Discovery(DiscoveryEvent::StageStarted { stage }),
            now(),
        );
    }
    app.update(
        Msg::Discovery(DiscoveryEvent::Progress {
            stage: Stage::Ping,
            done: 120,
            total: 253,
        }),
        now(),
    );
    for (n, mac) in [(1u8, "a0:40:a0:5e:21:9c"), (64, "bc:ad:28:4f:10:3a")] {
        let mut s = Sighting::new(Source::Arp, std::net::Ipv4Addr::new(192, 168, 1, n));
        s.mac = Some(mac.parse().unwrap());
        app.update(Msg::Discovery(DiscoveryEvent::Sighting(Box::new(s))), now());
    }
    app.update(
        Msg::Discovery(DiscoveryEvent::StageFailed {
            stage: Stage::Mdns,
            reason: "mDNS could not start: address in use".into(),
        }),
        now(),
    );
    app
}

#[test]
fn scanning_shows_devices_as_they_are_found() {
    let app = scanning_app();
    let text = screen(&app);
    assert!(text.contains("Scanning 192.168.1.0/24"), "{text}");
    assert!(text.contains("Unnamed device"), "{text}");
    assert!(text.contains("192.168.1.64"), "{text}");
    assert!(text.contains("ping 120/253"), "{text}");
    assert!(text.contains("mDNS ✗"));
    insta::assert_snapshot!(text);
}

#[test]
fn scan_error_in_the_status_line() {
    let mut app = scanning_app();
    app.update(
        Msg::Discovery(porchlight::discovery::DiscoveryEvent::Done {
            elapsed: std::time::Duration::from_millis(1400),
        }),
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Scan finished with 2 devices, but mDNS: mDNS could not start"));
    insta::assert_snapshot!(text);
}

#[test]
fn needs_you_on_start() {
    let app = demo_app().open_needs_you_if_due();
    let text = screen(&app);
    assert!(text.contains("What needs you"), "{text}");
    // A new device comes before steps due for a look again.
    let unknown = text.find("Unknown device").unwrap();
    let nas = text.find("Family NAS").unwrap();
    assert!(unknown < nas, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn detail_shows_why_porchlight_thinks_so() {
    let mut app =
        demo_app().with_fingerprints(porchlight::identify::Fingerprints::builtin().unwrap());
    // The camera: its open ports, UPnP maker and MAC all point the same way.
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let text = screen(&app);
    assert!(text.contains("Looks like a camera"), "{text}");
    press(&mut app, &[KeyCode::Char('i')]);
    let text = screen(&app);
    assert!(text.contains("Why porchlight thinks so"), "{text}");
    assert!(text.contains("Hikvision"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_new_password_on_screen() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('P')]);
    let id = app.selected_device().unwrap().id.clone();
    app.update(
        Msg::PasswordMade {
            device: id,
            password: porchlight::secrets::Password::new("Tq7#hVz9-mKp4@Rw2xYb8=nD"),
            kept: Ok(()),
        },
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Tq7#hVz9-mKp4@Rw2xYb8=nD"));
    assert!(text.contains("Kept in your keyring"));
    insta::assert_snapshot!(text);
}

#[test]
fn a_long_list_scrolls_to_keep_the_cursor_in_view() {
    let mut app = demo_app();
    let template = app.inventory.devices[1].clone();
    for n in 0..200u8 {
        let mut d = template.clone();
        d.id = porchlight::model::DeviceId::Ip(std::net::Ipv4Addr::new(10, 0, 1, n));
        d.name = format!("Camera {n}");
        app.inventory.devices.push(d);
    }
    press(&mut app, &[KeyCode::End]);
    let text = screen(&app);
    assert!(text.contains("▶ ● Camera 199"), "{text}");
    assert!(!text.contains("Home router"), "{text}");
    press(&mut app, &[KeyCode::Home]);
    assert!(screen(&app).contains("▶ ● Home router"));
}

#[test]
fn wizard_shows_the_checks_verdict() {
    use porchlight::checks::{CheckResult, Verdict};
    use porchlight::verify::Outcome;
    let mut app = demo_app().with_scanning(true);
    press(
        &mut app,
        &[
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Char('w'),
            KeyCode::Char('d'),
        ],
    );
    assert!(screen(&app).contains("Checking over the network"));
    let (device, step) = match &app.screen {
        porchlight::tui::app::Screen::Wizard(w) => (w.device.clone(), w.step.clone()),
        _ => panic!("the wizard stays on the step"),
    };
    app.update(
        Msg::Verified(Outcome {
            device,
            step,
            result: CheckResult {
                verdict: Verdict::Fail,
                evidence: "the factory login admin/12345 still works on the web page of 192.168.1.64"
                    .into(),
                next: Some("Change the admin password on the camera's web page, then press d to check again.".into()),
            },
        }),
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Still open"), "{text}");
    assert!(text.contains("admin/12345"), "{text}");
    insta::assert_snapshot!(text);
}
