//! Benchmarks of the work an owner waits on with a large inventory: drawing the device list and
//! saving and loading the state file, each with 1,000 devices; opening Fix first on a crowd of
//! 250 devices that share their problems (telnet on many, every gadget beside this computer).
//!
//! Run with `cargo bench --bench inventory`. Targets: a frame under 2 ms, a save under 20 ms,
//! Fix first of the crowd open (the key press and its first frame) under 100 ms.

#![allow(clippy::expect_used)] // a benchmark that cannot set up should stop loudly
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use porchlight::catalog::Catalog;
use porchlight::model::{DeviceId, Inventory, MacAddr};
use porchlight::store::Store;
use porchlight::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 1,000 devices made from the demo household, each with its own address and progress.
fn big_inventory(now: Timestamp) -> Inventory {
    let demo = porchlight::demo::household(now).expect("the demo asset is valid");
    let mut inventory = Inventory::default();
    for n in 0..1000u32 {
        let mut device = demo.devices[n as usize % demo.devices.len()].clone();
        let b = n.to_be_bytes();
        let mac = MacAddr([0x02, 0x00, b[0], b[1], b[2], b[3]]);
        device.id = DeviceId::Mac(mac);
        device.mac = Some(mac);
        device.ip = Some(std::net::Ipv4Addr::new(10, 0, b[2], b[3]));
        device.set_detected_name(format!("{} {n}", device.name()));
        inventory.devices.push(device);
    }
    inventory
}

/// A crowd of `n` devices made from the demo household, with its findings: telnet, the gadgets'
/// G-09 beside this computer, the router's RT-13, an open MQTT broker.
fn crowd(now: Timestamp, n: u32) -> Inventory {
    let mut inventory = big_inventory(now);
    inventory.devices.truncate(n as usize);
    inventory
}

fn open_fix_first(c: &mut Criterion) {
    let now = Timestamp::now();
    let catalog = Catalog::builtin().expect("the checklist asset is valid");
    let app = App::new(catalog, crowd(now, 250), "bench", now);
    let entries = app.fix_entries();
    assert!(
        entries.len() < 40,
        "250 devices' problems are a few entries, not {}",
        entries.len()
    );
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        c.bench_function(&format!("open Fix first, 250 devices, {w}x{h}"), |b| {
            b.iter(|| {
                let mut app = app.clone();
                app.update(
                    porchlight::tui::app::Msg::Key(crossterm::event::KeyEvent::new(
                        crossterm::event::KeyCode::Char('n'),
                        crossterm::event::KeyModifiers::NONE,
                    )),
                    now,
                );
                terminal
                    .draw(|frame| porchlight::tui::render::render(black_box(&app), frame))
                    .expect("draw");
            })
        });
    }
}

fn render_list(c: &mut Criterion) {
    let now = Timestamp::now();
    let catalog = Catalog::builtin().expect("the checklist asset is valid");
    let app = App::new(catalog, big_inventory(now), "bench", now);
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        c.bench_function(&format!("render device list, 1000 devices, {w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| porchlight::tui::render::render(black_box(&app), frame))
                    .expect("draw");
            })
        });
    }
}

fn save_and_load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let inventory = big_inventory(Timestamp::now());
    c.bench_function("save state, 1000 devices", |b| {
        b.iter(|| store.save(black_box(&inventory)).expect("save"))
    });
    c.bench_function("load state, 1000 devices", |b| {
        b.iter(|| black_box(store.load().expect("load")))
    });
}

criterion_group!(benches, open_fix_first, render_list, save_and_load);
criterion_main!(benches);
