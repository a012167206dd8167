//! Where a command's data lives: the data folder (or the demo's subfolder), and the inventory a
//! listing reads, with the demo home made on first use.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::args::Cli;
use crate::model::Inventory;
use crate::store::{self, Store};

/// The folder the command works in: the real data folder, or its `demo` subfolder.
pub(super) fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    let base = match &cli.data_dir {
        Some(dir) if dir.as_os_str().is_empty() => bail!("--data-dir needs a folder name"),
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .context("could not tell the current folder to place --data-dir in")?
            .join(dir),
        None => store::default_data_dir()?,
    };
    Ok(if cli.demo { base.join("demo") } else { base })
}

/// Loads the inventory for a listing. The demo home is made (and saved) on first use.
pub(super) fn read_for_listing(cli: &Cli, dir: &Path) -> anyhow::Result<Inventory> {
    // The demo home is made on first use (which needs the lock); after that, listings only read,
    // so they work while porchlight is open on the demo.
    if cli.demo && (cli.reset_demo || !dir.join(store::STATE_FILE).exists()) {
        let mut store = Store::open(dir)?;
        return demo_inventory(cli, &mut store);
    }
    Ok(store::read_inventory(dir)?)
}

/// The demo's inventory: the saved one, or a fresh household when there is none or a reset was asked.
pub(super) fn demo_inventory(cli: &Cli, store: &mut Store) -> anyhow::Result<Inventory> {
    let saved = if cli.reset_demo {
        Inventory::default()
    } else {
        store.load()?
    };
    if !saved.devices.is_empty() {
        return Ok(saved);
    }
    let fresh = crate::demo::household(Timestamp::now())?;
    store.save(&fresh)?;
    Ok(fresh)
}
