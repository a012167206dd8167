//! Snapshots of every screen as an owner sees it on an 80x24 terminal, drawn from the demo home
//! with a fixed clock. Review changes with `cargo insta review` (or read the .snap.new files).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{draw, draw_text, open_camera_wizard};
use common::{demo_app, now, press, type_text};
use crossterm::event::KeyCode;
use porchlight::catalog::Catalog;
use porchlight::model::Inventory;
use porchlight::tui::app::{App, Msg};

fn screen(app: &App) -> String {
    draw_text(app, 80, 24)
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
    // A device the last scan found a problem on shows a red ✗ instead of its light.
    assert!(text.contains("✗ Driveway camera"), "{text}");
    assert!(text.contains("● Kitchen speaker"), "{text}");
    assert!(text.contains("3 with problems found"), "{text}");
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
    open_camera_wizard(&mut app);
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
            seen.push_str(&draw_text(&app, width, height));
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
fn fix_first_on_start() {
    let app = demo_app().open_needs_you_if_due();
    let text = screen(&app);
    assert!(text.contains("Fix first · 5 problems found"), "{text}");
    assert!(
        text.contains("5 problems"),
        "the header counts them\n{text}"
    );
    // Found problems come first, each with its device and evidence; botnet risks before exposure.
    // Telnet on two devices is one entry naming both; the smart devices beside this computer are
    // one household entry, for the whole home.
    let telnet = text
        .find("2 devices          G-02 Turn off telnet")
        .expect("telnet, once for both devices");
    assert!(
        text.contains("saw: found on Driveway camera, Unknown device"),
        "{text}"
    );
    let household = text
        .find("whole home         RT-13 Give guests and smart device")
        .expect("the household entry");
    assert!(
        text.contains("saw: 7 smart devices share the network with this computer: Driveway camer"),
        "{text}"
    );
    assert!(
        !text.contains("G-09"),
        "G-09 is said once, as RT-13\n{text}"
    );
    let https = text.find("G-04 Use only the secure").unwrap();
    assert!(telnet < household && household < https, "{text}");
    // Then the new device, then steps due again, then what looks fine already.
    let new = text.find("+ Unknown device").unwrap();
    let due = text.find("↻ ").unwrap();
    let fine = text.find("✓ Home router").unwrap();
    assert!(https < new && new < due && due < fine, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn fix_first_keeps_its_key_facts_on_small_and_large_terminals() {
    let app = demo_app().open_needs_you_if_due();
    let small = draw_text(&app, 60, 15);
    for fact in [
        "Fix first",
        "Home router",
        "RT-05 Turn off UPnP",
        "saw: UPnP port forwarding is on",
    ] {
        assert!(small.contains(fact), "60x15 lacks {fact:?}\n{small}");
    }
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10)] {
        draw(&app, w, h); // clips, never panics
    }
    let large = draw_text(&app, 200, 50);
    for fact in [
        "5 problems",
        "found on Driveway camera, Unknown device",
        "the MQTT broker on 192.168.1.87:1883 let porchlight in without a login",
        "joins a botnet",
        "new on your network",
        "looks fine: confirm?",
        "the stream on rtsp://192.168.1.64:554 asks for a password",
    ] {
        assert!(large.contains(fact), "200x50 lacks {fact:?}\n{large}");
    }
}

#[test]
fn checklist_with_findings() {
    let mut app = demo_app();
    // The camera: its found problems sit at the top, beside the owner's "to do".
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let text = screen(&app);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("○ to do")).collect();
    assert!(
        rows[0].contains("✗ problem") && rows[0].contains("G-02"),
        "{text}"
    );
    assert!(
        rows[1].contains("✗ problem") && rows[1].contains("G-04"),
        "{text}"
    );
    assert!(text.contains("✓ looks fine C-01"), "{text}");
    assert!(text.contains("? unknown    G-01"), "{text}");
    // The line under the list says what was seen for the step under the cursor.
    assert!(
        text.contains("Found: telnet answers on 192.168.1.64:23"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    for (w, h) in [(60, 15), (200, 50)] {
        let text = draw_text(&app, w, h);
        for fact in ["✗ problem", "G-02", "Found: telnet answers"] {
            assert!(text.contains(fact), "{w}x{h} lacks {fact:?}\n{text}");
        }
    }
}

#[test]
fn wizard_starts_from_the_evidence() {
    let mut app = demo_app().open_needs_you_if_due();
    // The second entry (the router's UPnP, after telnet on two devices): Enter opens its wizard
    // on the evidence.
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let text = screen(&app);
    assert!(
        text.contains("porchlight saw this in the last scan"),
        "{text}"
    );
    assert!(text.contains("UPnP port forwarding is on"), "{text}");
    let saw = text.find("porchlight saw this").unwrap();
    let why = text.find("If left undone").unwrap();
    assert!(saw < why, "the evidence comes first\n{text}");
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
    let template = app.inventory().devices[1].clone();
    for n in 0..200u8 {
        let mut d = template.clone();
        d.id = porchlight::model::DeviceId::Ip(std::net::Ipv4Addr::new(10, 0, 1, n));
        d.set_detected_name(format!("Camera {n}"));
        app.inventory_mut().devices.push(d);
    }
    press(&mut app, &[KeyCode::End]);
    let text = screen(&app);
    assert!(text.contains("▶ ✗ Camera 199"), "{text}");
    // The summary above the list may name the router; its row is scrolled away.
    assert!(!text.contains("✗ Home router"), "{text}");
    press(&mut app, &[KeyCode::Home]);
    assert!(screen(&app).contains("▶ ✗ Home router"));
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
    let (device, step) = match app.screen() {
        porchlight::tui::app::Screen::Wizard(w) => (w.device.clone(), w.step.clone()),
        _ => panic!("the wizard stays on the step"),
    };
    app.update(
        Msg::Verified(Outcome {
            device,
            step,
            result: CheckResult {
                verdict: Verdict::Fail,
                evidence: "telnet still answers on 192.168.1.64:23 (banner: login:)".into(),
                next: Some("Look for Telnet under Network > Advanced on the camera's web page, then press d to check again.".into()),
                unconfirmed: None,
                on_screen: None,
            },
            tried_logins: false,
        }),
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Still open"), "{text}");
    assert!(text.contains("telnet still answers"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn verdicts_say_verified_in_part_or_cannot_check() {
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
    let (device, step) = match app.screen() {
        porchlight::tui::app::Screen::Wizard(w) => (w.device.clone(), w.step.clone()),
        _ => panic!("the wizard stays on the step"),
    };
    let part = CheckResult::pass("none of the 3 factory logins that fit a camera worked")
        .in_part("that every other login uses a long password");
    app.update(
        Msg::Verified(Outcome {
            device: device.clone(),
            step: step.clone(),
            result: part,
            tried_logins: true,
        }),
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Verified in part"), "{text}");
    assert!(text.contains("You confirm"), "{text}");
    assert!(text.contains("every other login"), "{text}");
    assert!(!text.contains("the fix took"), "{text}");

    // The checklist shows it too, and says what is left when the step is selected.
    press(&mut app, &[KeyCode::Esc]);
    let text = screen(&app);
    assert!(text.contains("◐ in part"), "{text}");

    let unknown = CheckResult::unknown("not tried: the device showed a sign of locking logins out");
    assert_eq!(unknown.verdict, Verdict::Unknown);
    press(&mut app, &[KeyCode::Char('w'), KeyCode::Char('d')]);
    let step = match app.screen() {
        porchlight::tui::app::Screen::Wizard(w) => w.step.clone(),
        _ => panic!("the wizard"),
    };
    app.update(
        Msg::Verified(Outcome {
            device,
            step,
            result: unknown,
            tried_logins: false,
        }),
        now(),
    );
    let text = screen(&app);
    assert!(text.contains("Cannot check"), "{text}");
    assert!(text.contains("locking logins out"), "{text}");
}
