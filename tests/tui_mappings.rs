//! The router's UPnP forwards in the TUI, driven with the keys a person presses on the demo home
//! (whose forwards are made up: nothing is sent): `u` on the router's screen, or in a step's
//! wizard, lists them with the device each points at and the stale one marked; `x` asks first and
//! shows exactly the request; `n` sends nothing; `y` asks for that one removal; the answer
//! (removed and verified, or the router's refusal with how to do it by hand) is shown and the
//! re-checks are kept. The real router is `tests/upnp_netns.rs`'s.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::tui::{camera_id, device_named, draw_text, open_camera_wizard};
use common::{demo_app, now, press};
use crossterm::event::KeyCode;
use porchlight::model::{FindingVerdict, StepId};
use porchlight::session::mappings::{Removed, simulated_listing, simulated_removal};
use porchlight::tui::app::{App, Command, MappingsMsg, Msg, Screen};

/// Opens the router (first in the demo list) and its forwards, as a person does; feeds the demo's
/// listing back as the loop would.
fn open_forwards(app: &mut App) {
    let commands = press(app, &[KeyCode::Enter, KeyCode::Char('u')]);
    assert_eq!(commands, [Command::ListMappings { simulated: true }]);
    assert!(draw_text(app, 80, 24).contains("Reading the router's list"));
    let listing = simulated_listing(app.inventory());
    assert!(
        app.update(Msg::Mappings(MappingsMsg::Listed(Ok(listing))), now())
            .is_none()
    );
}

#[test]
fn the_forwards_are_listed_with_their_devices_and_the_stale_one_marked() {
    let mut app = demo_app();
    open_forwards(&mut app);
    let text = draw_text(&app, 80, 24);
    assert!(
        text.contains("UPnP forwards on the router 192.168.1.1"),
        "{text}"
    );
    assert!(
        text.contains("8554") && text.contains("Driveway camera 192.168.1.64:554"),
        "{text}"
    );
    assert!(text.contains("stale: 192.168.1.199:3074"), "{text}");
    assert!(
        text.contains("until removed") && text.contains("3 d 5 h"),
        "{text}"
    );
    insta::assert_snapshot!("mappings_80x24", text);
    for (w, h) in [(60, 15), (200, 50)] {
        let text = draw_text(&app, w, h);
        assert!(text.contains("8554"), "{w}x{h}: {text}");
    }
    // Esc goes back to the router's screen.
    press(&mut app, &[KeyCode::Esc]);
    match app.screen() {
        Screen::Detail(d) => assert_eq!(d.device, device_named(&app, "Home router")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn removing_one_asks_first_shows_the_request_and_sends_only_that_one() {
    let mut app = demo_app();
    open_forwards(&mut app);
    // x asks; n sends nothing.
    assert!(press(&mut app, &[KeyCode::Char('x')]).is_empty());
    let text = draw_text(&app, 80, 24);
    assert!(
        text.contains("Remove TCP 8554 -> Driveway camera"),
        "{text}"
    );
    assert!(
        text.contains("POST http://192.168.1.1:5000/ctl/IPConn"),
        "{text}"
    );
    for argument in [
        "DeletePortMapping NewRemoteHost=\"\"",
        "NewExternalPort=\"8554\"",
        "NewProtocol=\"TCP\"",
    ] {
        assert!(text.contains(argument), "{argument}: {text}");
    }
    assert!(text.contains("y send it"), "{text}");
    insta::assert_snapshot!("mappings_confirm_80x24", text);
    for (w, h) in [(60, 15), (200, 50)] {
        let text = draw_text(&app, w, h);
        assert!(text.contains("DeletePortMapping"), "{w}x{h}: {text}");
    }
    assert!(press(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.notice().unwrap().text.contains("Nothing sent"));
    // Down to the stale one and back up, then x and y: one removal, of the camera's forward.
    press(&mut app, &[KeyCode::Down, KeyCode::Up, KeyCode::Char('x')]);
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    let [
        Command::RemoveMapping {
            listing,
            row,
            simulated: true,
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}");
    };
    assert_eq!(
        (row.mapping.external_port, row.mapping.protocol.as_str()),
        (8554, "TCP")
    );
    // While it is under way, a second x is not sent.
    assert!(press(&mut app, &[KeyCode::Char('x')]).is_empty());
    assert!(draw_text(&app, 80, 24).contains("Waiting for the router's answer"));
    let removal = simulated_removal(app.catalog(), app.inventory(), listing, row);
    assert_eq!(removal.result, Removed::Verified);
    let saved = app.update(
        Msg::Mappings(MappingsMsg::Removed(Box::new(removal))),
        now(),
    );
    assert!(matches!(saved, Some(Command::Save { .. })), "{saved:?}");
    let text = draw_text(&app, 80, 24);
    assert!(text.contains("Removed, verified"), "{text}");
    assert!(
        !text.contains("8554   TCP"),
        "the camera's forward left the list: {text}"
    );
    assert!(text.contains("3074   UDP"), "{text}");
    // The camera's C-02 check was re-run and kept.
    let camera = app.device(&camera_id(&app)).unwrap();
    assert_eq!(
        camera.findings[&StepId::new("C-02")].verdict,
        FindingVerdict::Fine
    );
}

#[test]
fn a_refusal_is_explained_and_the_list_stays() {
    let mut app = demo_app();
    open_forwards(&mut app);
    press(&mut app, &[KeyCode::Char('x')]);
    let commands = press(&mut app, &[KeyCode::Char('y')]);
    let [Command::RemoveMapping { listing, row, .. }] = commands.as_slice() else {
        panic!("{commands:?}");
    };
    let mut removal = simulated_removal(app.catalog(), app.inventory(), listing, row);
    removal.result = Removed::Refused(porchlight::session::mappings::refusal_words(
        &porchlight::session::mappings::fault(606, "Action not authorized"),
    ));
    removal.after.clear();
    removal.rechecks.clear();
    app.update(
        Msg::Mappings(MappingsMsg::Removed(Box::new(removal))),
        now(),
    );
    let text = draw_text(&app, 80, 24);
    assert!(text.contains("Not removed"), "{text}");
    assert!(text.contains("UPnP error 606"), "{text}");
    assert!(text.contains("To remove it by hand"), "{text}");
    assert!(
        text.contains("8554   TCP") && text.contains("3074   UDP"),
        "nothing left the list: {text}"
    );
}

#[test]
fn the_forwards_open_from_a_steps_wizard_too() {
    let mut app = demo_app();
    open_camera_wizard(&mut app);
    let commands = press(&mut app, &[KeyCode::Char('u')]);
    assert_eq!(commands, [Command::ListMappings { simulated: true }]);
    assert!(matches!(app.screen(), Screen::Mappings(_)));
    press(&mut app, &[KeyCode::Esc]);
    match app.screen() {
        Screen::Detail(d) => assert_eq!(d.device, camera_id(&app)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_step_that_judges_forwards_points_at_them() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let camera = app.device(&camera_id(&app)).unwrap().clone();
    let row = app
        .steps_of(&camera)
        .iter()
        .position(|s| s.id.as_str() == "C-02")
        .unwrap();
    for _ in 0..row {
        press(&mut app, &[KeyCode::Down]);
    }
    press(&mut app, &[KeyCode::Enter, KeyCode::Right]);
    match app.screen() {
        Screen::Wizard(w) => assert_eq!(w.step.as_str(), "C-02"),
        other => panic!("{other:?}"),
    }
    let text = draw_text(&app, 100, 40);
    assert!(text.contains("(u shows them)"), "{text}");
    let commands = press(&mut app, &[KeyCode::Char('u')]);
    assert_eq!(commands, [Command::ListMappings { simulated: true }]);
}

#[test]
fn a_listing_that_fails_says_why() {
    let mut app = demo_app();
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('u')]);
    app.update(
        Msg::Mappings(MappingsMsg::Listed(Err(
            "the router 192.168.1.1 advertised no UPnP port mapping".into(),
        ))),
        now(),
    );
    let text = draw_text(&app, 80, 24);
    assert!(
        text.contains("could not read the router's forwards"),
        "{text}"
    );
    assert!(text.contains("advertised no UPnP port mapping"), "{text}");
}
