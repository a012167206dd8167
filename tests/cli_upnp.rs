//! `porchlight upnp` on bad input, as the owner types it: a mistyped mapping is a usage error
//! (status 2), a home with no router known yet a one-line failure (status 1), and the demo home's
//! router is never asked (it is simulated: nothing is sent). The real router is
//! `tests/upnp_netns.rs`'s.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use common::cli::{one_line_error, porchlight};

#[test]
fn a_mistyped_mapping_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "banana",
        "18554",
        "18554/SCTP",
        "0/TCP",
        "70000/UDP",
        "/TCP",
    ] {
        one_line_error(
            porchlight(dir.path()).args(["upnp", "remove", bad]),
            2,
            "EXTERNAL_PORT/PROTO",
        );
    }
}

#[test]
fn without_a_scan_there_is_no_router_to_ask() {
    let dir = tempfile::tempdir().unwrap();
    one_line_error(
        porchlight(dir.path()).args(["upnp", "list"]),
        1,
        "does not know the router yet: scan the network first",
    );
    let (stdout, _) = one_line_error(
        porchlight(dir.path()).args(["upnp", "remove", "18554/TCP", "--yes"]),
        1,
        "does not know the router yet",
    );
    assert!(stdout.is_empty(), "nothing was offered to send");
}

#[test]
fn the_demo_homes_router_is_never_asked() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--demo", "upnp", "list"][..],
        &["--demo", "upnp", "remove", "8554/TCP", "--yes"],
    ] {
        let (stdout, _) = one_line_error(
            porchlight(dir.path()).args(args),
            1,
            "the demo home is simulated: porchlight sends nothing to its router",
        );
        assert!(stdout.is_empty());
    }
}
