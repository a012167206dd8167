//! The scan workflow shared by the command line and the TUI: folds discovery events into the
//! inventory, identifies devices, audits them while the scan runs, re-checks the steps the owner
//! settled, flags regressions and asks for saves. No terminal code here: the front ends drive it
//! and show its results.

pub mod fix_first;

pub use fix_first::{FixItem, FixKind, RiskRank, fix_first};
