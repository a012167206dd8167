//! porchlight: finds the connected devices in a home, tells the owner what each one is, and walks
//! them one step at a time through making each one safe, remembering the progress on this machine.
//!
//! The library holds the engine (model, catalog, store, demo household) and two thin front ends
//! use it: the command line (`cli`) and the terminal UI (`tui`). Nothing outside `tui` imports
//! ratatui or crossterm.

pub mod askpass;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod demo;
pub mod discovery;
pub(crate) mod duplicates;
pub(crate) mod evidence;
pub mod fault;
pub mod identify;
pub mod inventory;
pub(crate) mod makers;
pub mod model;
pub mod reminders;
pub mod report;
pub mod sanitize;
pub(crate) mod schedule;
pub mod score;
pub mod secrets;
pub mod session;
pub(crate) mod standing;
pub mod store;
pub mod tui;
pub mod verify;
pub mod watch;

#[cfg(test)]
mod parser_props;
#[cfg(test)]
mod readme_figures;
