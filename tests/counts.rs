//! One definition of open, postponed ("put off"), settled and not started: the TUI's header and
//! wizard, `porchlight devices`, `remind` and the reports all give the same numbers for the same
//! home.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use assert_cmd::Command;
use common::{demo, now};
use crossterm::event::KeyCode;
use porchlight::catalog::Catalog;
use porchlight::model::{StepId, StepState};
use porchlight::store::Store;
use porchlight::tui::app::App;

fn cli_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("porchlight")
        .unwrap()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn header_wizard_cli_and_report_count_alike() {
    let catalog = Catalog::builtin().unwrap();
    let mut inventory = demo();
    // The camera: one step put off far ahead, one failed, one done; the rest as the demo has them.
    let camera = inventory
        .devices
        .iter_mut()
        .find(|d| d.name() == "Driveway camera")
        .unwrap();
    let steps: Vec<StepId> = catalog
        .steps_for(camera.category())
        .map(|s| s.id.clone())
        .collect();
    camera.progress.clear();
    let far = "2099-01-01T00:00:00Z".parse().unwrap();
    camera.snooze_step(&steps[0], far, now());
    camera.set_step_state(&steps[1], StepState::Failed, now());
    camera.set_step_state(&steps[2], StepState::Done, now());
    let camera_id = camera.id.clone();
    let p = catalog.progress(inventory.device(&camera_id).unwrap(), now());
    assert_eq!(p.postponed, 1);
    assert_eq!(p.settled, 1);
    assert_eq!(p.failed, 1);
    assert_eq!(p.not_started, p.total - 3);
    assert_eq!(
        p.open(),
        p.total - 2,
        "failed and not started are open; put off is not"
    );

    let open: usize = inventory
        .devices
        .iter()
        .map(|d| catalog.progress(d, now()).open())
        .sum();
    let postponed: usize = inventory
        .devices
        .iter()
        .map(|d| catalog.progress(d, now()).postponed)
        .sum();
    let not_started = porchlight::reminders::not_started(&catalog, &inventory);
    assert_eq!(
        not_started,
        inventory
            .devices
            .iter()
            .map(|d| catalog.progress(d, now()).not_started)
            .sum::<usize>()
    );

    // The header.
    let mut app = App::new(catalog.clone(), inventory.clone(), "test", now());
    let text = common::tui::draw_text(&app, 200, 50);
    assert!(
        text.contains(&format!("{open} steps open · {postponed} put off")),
        "{text}"
    );
    // The wizard's footer on the camera.
    let pos = app
        .inventory()
        .devices
        .iter()
        .position(|d| d.id == camera_id)
        .unwrap();
    app.set_list_cursor(pos);
    common::press(&mut app, &[KeyCode::Enter, KeyCode::Char('w')]);
    let text = common::tui::draw_text(&app, 200, 50);
    assert!(
        text.contains(&format!(
            "{} of {} steps open on this device",
            p.open(),
            p.total
        )),
        "{text}"
    );

    // The command line and the report, on the same home saved to disk.
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap().save(&inventory).unwrap();
    let devices = cli_json(dir.path(), &["devices", "--json"]);
    let listed = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Driveway camera")
        .unwrap();
    assert_eq!(listed["summary"]["open"], p.open());
    assert_eq!(listed["summary"]["postponed"], p.postponed);
    assert_eq!(listed["summary"]["not_started"], p.not_started);
    assert_eq!(listed["summary"]["settled"], p.settled);
    let report = cli_json(dir.path(), &["report", "--format", "json"]);
    let reported = report["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Driveway camera")
        .unwrap();
    assert_eq!(reported["score"]["open"], p.open());
    assert_eq!(reported["score"]["postponed"], p.postponed);
    assert_eq!(report["summary"]["steps_not_started"], not_started);
    let remind = cli_json(dir.path(), &["remind", "--json"]);
    assert_eq!(remind["not_started"], not_started);
}
