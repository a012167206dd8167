//! The terminal UI: sets the terminal up (and always restores it), runs the one event loop that
//! feeds [`app::Msg`]s into [`app::App::update`], and carries out the commands it returns off the
//! UI task: saves (coalesced, newest wins) and opening links in the browser.
//!
//! The files, top to bottom; each imports only files below it (tests/tui_layers.rs checks that
//! no two import each other, round any loop):
//! - this file (the loop) › `render.rs` and `status.rs` (the whole frame, header, status line)
//! - `app.rs`: [`app::App`], which routes each message and applies the effects that come back
//! - `router.rs` (which screen shows; how to add one) and `scanning.rs` (the scan workflow)
//! - `screens/`: one file per screen or popup, with its state, its key handler and its drawing
//! - `home.rs` (the model the screens share), `effect.rs` (what they ask of the app), `msg.rs`,
//!   `notice.rs`, `messages.rs`, `fix_first.rs`
//! - `keys.rs` (the key table), `theme.rs` (colours and drawing helpers), `textbox.rs`, `wrap.rs`,
//!   `panic.rs`

pub mod app;
pub(crate) mod effect;
pub(crate) mod fix_first;
pub(crate) mod home;
pub mod keys;
pub(crate) mod messages;
pub(crate) mod msg;
pub(crate) mod notice;
pub mod panic;
pub mod render;
pub(crate) mod router;
pub(crate) mod scanning;
pub(crate) mod screens;
pub(crate) mod status;
pub(crate) mod textbox;
pub(crate) mod theme;
pub(crate) mod wrap;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::{mpsc, watch};

use crate::discovery::{Scan, ScanConfig, Scope, ScopeOptions};
use crate::model::Inventory;
use crate::secrets;
use crate::session;
use crate::store::Store;
use crate::verify;
use app::{App, Command, Msg};
use msg::MappingsMsg;

/// How often the clock ticks into the UI.
const TICK: Duration = Duration::from_secs(1);

/// How long quitting waits for the last save.
const FINAL_SAVE_WAIT: Duration = Duration::from_secs(10);

/// Restores the terminal when dropped, whatever way the loop ends.
struct RestoreGuard;

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// What the save task is asked to write: the change number and a snapshot of the inventory.
type SaveRequest = Option<(u64, Arc<Inventory>)>;

/// Runs the TUI until the owner quits.
///
/// # Errors
/// When the terminal cannot be set up or drawn on, or when the last change could not be saved
/// (the message says so, so nothing is lost silently).
pub async fn run(app: App, store: Store, scan_on_start: bool) -> anyhow::Result<()> {
    let mut app = app.with_local_nets(local_nets());
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (save_tx, save_rx) = watch::channel::<SaveRequest>(None);
    let saver = tokio::spawn(save_loop(store, save_rx, tx.clone()));

    let mut terminal = ratatui::try_init().context("could not set up the terminal")?;
    panic::install();
    let guard = RestoreGuard;
    let mut events = EventStream::new();
    let mut scan_task: Option<tokio::task::JoinHandle<()>> = None;
    // Connecting to the keyring is lazy: this returns at once, and a missing keyring is only an
    // error message when the owner asks for a password.
    let keyring: Result<secrets::Keyring, String> =
        secrets::Keyring::system().map_err(|e| e.to_string());
    if app.can_scan() && scan_on_start {
        start_scan(&tx, &mut scan_task, app.inventory());
    }
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        if panic::restored() {
            // A worker panicked and gave the terminal back: stop drawing, save, and say so.
            break;
        }
        terminal
            .draw(|frame| render::render(&app, frame))
            .context("could not draw on the terminal")?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(..))) => Msg::Resize,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).context("could not read the keyboard"),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick,
        };
        let mut commands: std::collections::VecDeque<Command> =
            app.update(msg, Timestamp::now()).into_iter().collect();
        let mut quit = false;
        while let Some(command) = commands.pop_front() {
            match command {
                Command::Batch(list) => {
                    for c in list.into_iter().rev() {
                        commands.push_front(c);
                    }
                }
                Command::Save { generation } => {
                    let snapshot = Arc::new(app.inventory().clone());
                    save_tx.send_replace(Some((generation, snapshot)));
                }
                Command::OpenLink(url) => {
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let msg = match open::that_detached(&url) {
                            Ok(()) => Msg::LinkOpened { url },
                            Err(e) => Msg::LinkFailed {
                                url,
                                error: e.to_string(),
                            },
                        };
                        let _ = tx.send(msg);
                    });
                }
                Command::StartScan => start_scan(&tx, &mut scan_task, app.inventory()),
                Command::SaveAndVerify {
                    generation,
                    device,
                    step,
                } => {
                    let snapshot = Arc::new(app.inventory().clone());
                    save_tx.send_replace(Some((generation, snapshot.clone())));
                    let (tx, catalog) = (tx.clone(), app.catalog().clone());
                    tokio::spawn(async move {
                        let nets = local_nets();
                        let outcome =
                            verify::verify_step(&catalog, &snapshot, &device, &step, nets).await;
                        if let Some(outcome) = outcome {
                            let _ = tx.send(Msg::Verified(outcome));
                        }
                    });
                }
                Command::Audit(job) => {
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(Msg::Audited(session::run_audit(*job).await));
                    });
                }
                Command::MakePassword { device, style } => {
                    let (tx, keyring) = (tx.clone(), keyring.clone());
                    tokio::spawn(async move {
                        let password = secrets::generate(style);
                        let kept = match &keyring {
                            Ok(k) => k
                                .store(&device, password.expose())
                                .await
                                .map_err(|e| e.to_string()),
                            Err(e) => Err(e.clone()),
                        };
                        let _ = tx.send(Msg::PasswordMade {
                            device,
                            password,
                            kept,
                        });
                    });
                }
                Command::FetchPassword { device } => {
                    let (tx, keyring) = (tx.clone(), keyring.clone());
                    tokio::spawn(async move {
                        let result = match &keyring {
                            Ok(k) => k.fetch(&device).await.map_err(|e| e.to_string()),
                            Err(e) => Err(e.clone()),
                        };
                        let _ = tx.send(Msg::PasswordFetched { device, result });
                    });
                }
                Command::MoveSecret { from, to } => {
                    let (tx, keyring) = (tx.clone(), keyring.clone());
                    tokio::spawn(async move {
                        let result = match &keyring {
                            Ok(k) => k.move_entry(&from, &to).await.map_err(|e| e.to_string()),
                            // No keyring: nothing was kept to move.
                            Err(_) => Ok(false),
                        };
                        let _ = tx.send(Msg::SecretMoved { to, result });
                    });
                }
                Command::RemoveSecret { device, name } => {
                    let (tx, keyring) = (tx.clone(), keyring.clone());
                    tokio::spawn(async move {
                        let result = match &keyring {
                            Ok(k) => k.remove(&device).await.map_err(|e| e.to_string()),
                            Err(_) => Ok(false),
                        };
                        let _ = tx.send(Msg::SecretRemoved { name, result });
                    });
                }
                Command::ListMappings { simulated } => {
                    let (tx, snapshot) = (tx.clone(), Arc::new(app.inventory().clone()));
                    tokio::spawn(async move {
                        let result = if simulated {
                            Ok(session::mappings::simulated_listing(&snapshot))
                        } else {
                            session::mappings::list(&snapshot).await
                        };
                        let _ = tx.send(Msg::Mappings(MappingsMsg::Listed(result)));
                    });
                }
                Command::RemoveMapping {
                    listing,
                    row,
                    simulated,
                } => {
                    let (tx, snapshot) = (tx.clone(), Arc::new(app.inventory().clone()));
                    let catalog = app.catalog().clone();
                    tokio::spawn(async move {
                        let removal = if simulated {
                            session::mappings::simulated_removal(
                                &catalog, &snapshot, &listing, &row,
                            )
                        } else {
                            let nets = local_nets();
                            session::mappings::remove(&catalog, &snapshot, &listing, &row, nets)
                                .await
                        };
                        let _ = tx.send(Msg::Mappings(MappingsMsg::Removed(Box::new(removal))));
                    });
                }
                Command::Quit => quit = true,
            }
        }
        if quit || app.quitting() {
            break;
        }
    }

    if let Some(task) = scan_task {
        task.abort();
    }
    drop(terminal);
    drop(guard);
    finish_saves(&mut app, save_tx, saver, &mut rx).await?;
    if panic::restored() {
        anyhow::bail!(
            "porchlight stopped after an internal error (its message is above); your changes were saved"
        );
    }
    Ok(())
}

/// This machine's own networks, for the checks (which refuse to send logins anywhere else).
fn local_nets() -> Vec<crate::discovery::Ipv4Net> {
    Scope::from_system(&ScopeOptions::default())
        .map(|scope| scope.computer_nets)
        .unwrap_or_default()
}

/// Starts a scan of this machine's networks in the background; its events come back as messages.
/// Like `porchlight scan`, it browses the mDNS types the saved devices announced from the start.
fn start_scan(
    tx: &mpsc::UnboundedSender<Msg>,
    task: &mut Option<tokio::task::JoinHandle<()>>,
    inventory: &Inventory,
) {
    if let Some(old) = task.take() {
        old.abort();
    }
    let tx = tx.clone();
    let mut mdns = crate::discovery::mdns::MdnsOptions::default();
    mdns.remember(inventory);
    *task = Some(tokio::spawn(async move {
        let scope = match Scope::from_system(&ScopeOptions::default()) {
            Ok(scope) => scope,
            Err(e) => {
                let _ = tx.send(Msg::ScanFailed {
                    error: e.to_string(),
                });
                return;
            }
        };
        let _ = tx.send(Msg::ScanStarted {
            scope: scope.describe(),
            notes: scope.notes.clone(),
        });
        let mut config = ScanConfig::new(scope);
        config.mdns.known_types = mdns.known_types;
        let mut scan = Scan::spawn(config);
        while let Some(event) = scan.next().await {
            if tx.send(Msg::Discovery(event)).is_err() {
                break;
            }
        }
    }));
}

/// Lets the save task write the newest change, waits for it, and reports a change that could not be
/// saved.
async fn finish_saves(
    app: &mut App,
    save_tx: watch::Sender<SaveRequest>,
    saver: tokio::task::JoinHandle<()>,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
) -> anyhow::Result<()> {
    drop(save_tx);
    let finished = tokio::time::timeout(FINAL_SAVE_WAIT, saver).await;
    while let Ok(msg) = rx.try_recv() {
        app.update(msg, Timestamp::now());
    }
    if finished.is_err() {
        anyhow::bail!(
            "the last changes were still being saved after {FINAL_SAVE_WAIT:?}; they may not be on disk"
        );
    }
    if app.save().pending() {
        let why = app
            .save()
            .error
            .clone()
            .unwrap_or_else(|| "unknown error".into());
        anyhow::bail!("the last changes could not be saved: {why}");
    }
    Ok(())
}

/// Saves each requested snapshot, newest first: while one save runs, later requests replace each
/// other, so a burst of changes costs at most two writes.
async fn save_loop(
    store: Store,
    mut requests: watch::Receiver<SaveRequest>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let mut store = Some(store);
    while requests.changed().await.is_ok() {
        let Some((generation, inventory)) = requests.borrow_and_update().clone() else {
            continue;
        };
        let Some(owned) = store.take() else {
            return;
        };
        let result = tokio::task::spawn_blocking(move || {
            let result = owned.save(&inventory);
            (owned, result)
        })
        .await;
        let msg = match result {
            Ok((owned, Ok(()))) => {
                store = Some(owned);
                Msg::Saved { generation }
            }
            Ok((owned, Err(e))) => {
                store = Some(owned);
                Msg::SaveFailed {
                    generation,
                    error: e.to_string(),
                }
            }
            Err(e) => {
                let _ = tx.send(Msg::SaveFailed {
                    generation,
                    error: format!("the save task stopped: {e}"),
                });
                return;
            }
        };
        let _ = tx.send(msg);
    }
}
