//! One file per screen, popup or screen region: its state, its key handler (which changes the
//! shared model, `Home`, and returns effects for the app) and its drawing. A screen imports only
//! what is below it (home, effect, keys, theme and the like), never the app, the router or the
//! whole-frame drawing; tests/tui_layers.rs holds that.

pub mod detail;
pub mod edit;
pub mod help;
pub mod list;
pub mod messages;
pub mod needs;
pub mod scan;
pub mod secret;
pub mod wizard;
