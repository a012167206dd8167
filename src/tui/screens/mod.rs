//! One file per screen, popup or screen region: its state, its key handler (which changes the
//! shared model, `Home`, and returns effects for the app) and its drawing. A screen imports only
//! what is below it (home, effect, keys, theme and the like), never the app, the router or the
//! whole-frame drawing; tests/tui_layers.rs holds that.

pub(crate) mod detail;
pub(crate) mod edit;
pub(crate) mod help;
pub(crate) mod list;
pub(crate) mod mappings;
pub(crate) mod messages;
pub(crate) mod needs;
pub(crate) mod scan;
pub(crate) mod secret;
pub(crate) mod wizard;
