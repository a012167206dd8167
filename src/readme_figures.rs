//! The README's figures for what porchlight sends and reads, checked against the constants the
//! code uses: the README says what the code does, and a changed bound fails here until the
//! README says it too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::net::Ipv4Addr;

use crate::checks::CheckLimits;
use crate::discovery::{ipv6, ssdp};

/// The README with its lines joined, so a figure wrapped over two lines is still found.
fn readme() -> String {
    include_str!("../README.md")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn has(text: &str, figure: &str) {
    assert!(text.contains(figure), "the README should say {figure:?}");
}

/// `1,024` for 1024.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn ssdp_caps_are_the_codes() {
    let text = readme();
    has(
        &text,
        &format!(
            "at most {} datagrams from any one address, from at most {} addresses, {} hosts, {} description addresses per host, {} description reads in all",
            ssdp::MAX_DATAGRAMS,
            thousands(ssdp::MAX_SOURCES),
            ssdp::MAX_HOSTS,
            ssdp::MAX_LOCATIONS_PER_HOST,
            ssdp::MAX_FETCHES
        ),
    );
    assert!(!text.contains("2,000 datagrams"), "an old figure is back");
    let fetch = ssdp::SsdpOptions::new(Ipv4Addr::LOCALHOST).fetch;
    has(
        &text,
        &format!(
            "at most {} KiB in {} s",
            fetch.max_bytes / 1024,
            fetch.timeout.as_secs()
        ),
    );
}

#[test]
fn check_bounds_are_the_codes() {
    let text = readme();
    let limits = CheckLimits::default();
    has(
        &text,
        &format!(
            "Each check is bounded in time ({} s at most; the factory-login check, which runs only on a device you allowed, {} s) and bytes ({} KiB per exchange, {} KiB for the router's UPnP device description)",
            limits.overall.as_secs(),
            limits.credentials_budget.as_secs(),
            limits.max_bytes / 1024,
            crate::checks::igd::DESCRIPTION_LIMITS.max_bytes / 1024
        ),
    );
    has(
        &text,
        &format!(
            "at most {} checks run at once per device and {} devices at once",
            crate::session::audit::CHECKS_PER_DEVICE,
            crate::session::DEVICES_AT_ONCE
        ),
    );
}

#[test]
fn ipv6_echoes_are_the_codes() {
    has(
        &readme(),
        &format!(
            "from its link-local address and from each of up to {} global addresses (at most {} in all)",
            ipv6::MAX_GLOBAL_SOURCES,
            ipv6::MAX_GLOBAL_SOURCES + 1
        ),
    );
}
