//! One file per screen or screen region.

pub mod detail;
pub mod edit;
pub mod help;
pub mod list;
pub mod messages;
pub mod needs;
pub mod scan;
pub mod secret;
pub mod wizard;
